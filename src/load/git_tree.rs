//! The data folder as it was at a git commit, read straight from the object
//! database: no checkout and no `git` process, so `rota check --base REF`
//! works in any clone, including CI's, and never touches the work tree.

use std::path::Path;

use super::DataFiles;
use crate::git::Repo;

/// Every file of `data_dir` as committed at `rev` (anything `git rev-parse`
/// takes: `origin/main`, `HEAD~1`, a commit id). `Ok(None)` when the folder
/// did not exist at that commit.
pub fn data_at(data_dir: &Path, rev: &str) -> Result<Option<DataFiles>, String> {
    let repo = Repo::discover(data_dir)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{} is not inside a git repository", data_dir.display()))?;
    let folder = repo
        .relative_to_workdir(data_dir)
        .ok_or_else(|| format!("{} is not inside the repository's work tree", data_dir.display()))?;
    let committed = repo.files_at(rev, &folder).map_err(|e| e.to_string())?;
    // Git stores no empty folders: no files means the folder was not there.
    if committed.is_empty() {
        return Ok(None);
    }
    let mut files = DataFiles::new(format!("{}@{rev}", data_dir.display().to_string().trim_end_matches('/')));
    for (path, bytes) in committed {
        let parts: Vec<String> =
            path.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        // Hidden files are skipped, as they are when reading the folder from disk.
        if parts.iter().any(|part| part.starts_with('.')) {
            continue;
        }
        files.insert(parts.join("/"), bytes);
    }
    Ok(Some(files))
}

/// `data_dir` relative to the root of the repository it is in (`data`, or
/// `ops/rota/data`), with `/` separators: the path GitHub shows in a diff.
pub fn repo_relative_dir(data_dir: &Path) -> Option<String> {
    let rel = Repo::discover(data_dir).ok()??.relative_to_workdir(data_dir)?;
    let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    Some(parts.join("/"))
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
