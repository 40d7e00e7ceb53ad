//! Stage one: read the data folder's files as bytes, from disk or from a git
//! tree, so that later stages never touch the file system themselves.

pub mod git_tree;
pub mod toml;

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use walkdir::WalkDir;

/// Every file of a data folder, keyed by its path relative to the folder with
/// `/` separators (`triage/2022/x.toml`).
#[derive(Debug, Clone, Default)]
pub struct DataFiles {
    /// How the folder is named in messages: `data`, or `data@origin/main`.
    pub display_root: String,
    files: BTreeMap<String, Vec<u8>>,
}

impl DataFiles {
    pub fn new(display_root: impl Into<String>) -> Self {
        DataFiles { display_root: display_root.into(), files: BTreeMap::new() }
    }

    /// Reads every file under `dir`. Hidden files and folders are skipped.
    pub fn from_dir(dir: &Path) -> io::Result<Self> {
        let meta = std::fs::metadata(dir)?;
        if !meta.is_dir() {
            return Err(io::Error::new(io::ErrorKind::NotADirectory, "not a folder"));
        }
        let mut files = DataFiles::new(dir.display().to_string().trim_end_matches('/'));
        let walker = WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            let entry = entry.map_err(io::Error::other)?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).expect("walkdir stays under its root");
            let key: Vec<String> =
                rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            files.insert(key.join("/"), std::fs::read(entry.path())?);
        }
        Ok(files)
    }

    /// Reads `dir` like [`DataFiles::from_dir`], reporting a folder that
    /// cannot be read as a diagnostic.
    pub fn read(dir: &Path, diags: &mut crate::diagnostics::Diagnostics) -> Option<Self> {
        match DataFiles::from_dir(dir) {
            Ok(files) => Some(files),
            Err(e) => {
                diags.push(
                    crate::diagnostics::Diagnostic::error(format!(
                        "cannot read the data folder {}: {e}",
                        dir.display()
                    ))
                    .help("pass the folder with `--data DIR`, or create one with `rota init`"),
                );
                None
            }
        }
    }

    pub fn insert(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.files.insert(path.into(), bytes);
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Files whose path starts with `prefix` (a folder, given with a trailing `/`).
    pub fn under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a [u8])> + 'a {
        self.files
            .range(prefix.to_string()..)
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The name shown to users for a file of this folder.
    pub fn display_path(&self, path: &str) -> String {
        if self.display_root.is_empty() {
            path.to_string()
        } else {
            format!("{}/{}", self.display_root, path)
        }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_files_and_skips_hidden_ones() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("triage/2022")).unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join("config.toml"), "x").unwrap();
        std::fs::write(dir.path().join("triage/2022/a.toml"), "y").unwrap();
        std::fs::write(dir.path().join(".git/HEAD"), "z").unwrap();
        let files = DataFiles::from_dir(dir.path()).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files.get("triage/2022/a.toml"), Some(&b"y"[..]));
        let triage: Vec<_> = files.under("triage/").map(|(p, _)| p).collect();
        assert_eq!(triage, ["triage/2022/a.toml"]);
    }
}
