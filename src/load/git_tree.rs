//! The data folder as it was at a git commit, read straight from the object
//! database: no checkout and no `git` process, so `rota check --base REF`
//! works in any clone, including CI's, and never touches the work tree.

use std::path::{Path, PathBuf};

use super::DataFiles;

/// Every file of `data_dir` as committed at `rev` (anything `git rev-parse`
/// takes: `origin/main`, `HEAD~1`, a commit id). `Ok(None)` when the folder
/// did not exist at that commit.
pub fn data_at(data_dir: &Path, rev: &str) -> Result<Option<DataFiles>, String> {
    let repo = gix::discover(data_dir)
        .map_err(|e| format!("{} is not inside a git repository: {e}", data_dir.display()))?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| "the repository has no work tree to find the data folder in".to_string())?;
    let folder = repo_relative(data_dir, workdir)?;
    let id = repo.rev_parse_single(rev).map_err(|e| format!("cannot resolve `{rev}`: {e}"))?;
    let root = id
        .object()
        .and_then(|o| o.peel_to_tree())
        .map_err(|e| format!("`{rev}` does not name a commit or tree: {e}"))?;
    let tree = if folder.as_os_str().is_empty() {
        root
    } else {
        let entry = root.lookup_entry_by_path(&folder).map_err(|e| format!("reading `{rev}`: {e}"))?;
        let Some(entry) = entry.filter(|e| e.mode().is_tree()) else { return Ok(None) };
        entry
            .object()
            .and_then(|o| o.peel_to_tree())
            .map_err(|e| format!("reading {} at `{rev}`: {e}", folder.display()))?
    };
    let entries = tree.traverse().breadthfirst.files().map_err(|e| format!("reading `{rev}`: {e}"))?;
    let mut files = DataFiles::new(format!("{}@{rev}", data_dir.display().to_string().trim_end_matches('/')));
    for entry in entries {
        // Symbolic links and submodules are not data; hidden files are
        // skipped as they are when reading the folder from disk.
        if !entry.mode.is_blob() {
            continue;
        }
        let path = String::from_utf8_lossy(&entry.filepath).into_owned();
        if path.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        let blob = repo.find_blob(entry.oid).map_err(|e| format!("reading {path} at `{rev}`: {e}"))?;
        files.insert(path, blob.data.clone());
    }
    Ok(Some(files))
}

/// `data_dir` relative to the root of the repository it is in (`data`, or
/// `ops/rota/data`), with `/` separators: the path GitHub shows in a diff.
pub fn repo_relative_dir(data_dir: &Path) -> Option<String> {
    let root = match std::env::var_os("GITHUB_WORKSPACE") {
        Some(ws) if !ws.is_empty() => PathBuf::from(ws),
        _ => gix::discover(data_dir).ok()?.workdir()?.to_path_buf(),
    };
    let rel = repo_relative(data_dir, &root).ok()?;
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    Some(parts.join("/"))
}

/// `data_dir` relative to the work tree's root, as a tree path.
fn repo_relative(data_dir: &Path, workdir: &Path) -> Result<PathBuf, String> {
    let canonical = |p: &Path| p.canonicalize().map_err(|e| format!("{}: {e}", p.display()));
    let (data, root) = (canonical(data_dir)?, canonical(workdir)?);
    data.strip_prefix(&root)
        .map(Path::to_path_buf)
        .map_err(|_| format!("{} is outside the repository at {}", data_dir.display(), workdir.display()))
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(dir)
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    }

    #[test]
    fn reads_the_folder_as_committed_not_as_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("site/data/triage/2022")).unwrap();
        std::fs::write(root.join("site/data/config.toml"), "old").unwrap();
        std::fs::write(root.join("site/data/triage/2022/a.toml"), "a").unwrap();
        std::fs::write(root.join("site/data/.hidden"), "h").unwrap();
        std::fs::write(root.join("outside.toml"), "o").unwrap();
        git(root, &["init", "-q", "-b", "main"]);
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "one"]);
        std::fs::write(root.join("site/data/config.toml"), "new").unwrap();
        std::fs::write(root.join("site/data/roster.toml"), "uncommitted").unwrap();

        let files = data_at(&root.join("site/data"), "HEAD").unwrap().unwrap();
        assert_eq!(files.get("config.toml"), Some(&b"old"[..]));
        assert_eq!(files.get("triage/2022/a.toml"), Some(&b"a"[..]));
        assert_eq!(files.len(), 2, "hidden, uncommitted and outside files are not data");
        assert!(files.display_path("config.toml").ends_with("data@HEAD/config.toml"));

        assert!(data_at(&root.join("site/data"), "no-such-branch").unwrap_err().contains("no-such-branch"));
        std::fs::create_dir_all(root.join("other")).unwrap();
        assert!(data_at(&root.join("other"), "HEAD").unwrap().is_none());
    }
}
