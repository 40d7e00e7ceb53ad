//! Stage five: put the site on disk all at once. Files go to a fresh folder
//! beside the output, which replaces the old one only when every file was
//! written, so a failure leaves the previous site exactly as it was.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::render::Output;

/// Writes `output` to `out`, replacing what was there.
pub fn publish(output: &Output, out: &Path) -> io::Result<()> {
    publish_with(output, out, |_| Ok(()))
}

/// Like [`publish`], with a step that runs over the finished staging folder
/// before the swap (such as a search indexer); when it fails, the old site
/// stays.
pub fn publish_with(
    output: &Output,
    out: &Path,
    post: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    for path in output.paths() {
        safe_relative(path)?;
    }
    let name = out
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the output folder needs a name"))?
        .to_string_lossy()
        .into_owned();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)?;
    if out.exists() && !out.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not a folder", out.display()),
        ));
    }
    let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    if let Err(e) = write_all(output, &staging).and_then(|()| post(&staging)) {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    let retired = parent.join(format!(".{name}.old-{}", std::process::id()));
    if out.exists() {
        let _ = fs::remove_dir_all(&retired);
        fs::rename(out, &retired)?;
    }
    if let Err(e) = fs::rename(&staging, out) {
        // Put the old site back before reporting.
        if retired.exists() {
            let _ = fs::rename(&retired, out);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    let _ = fs::remove_dir_all(&retired);
    Ok(())
}

fn write_all(output: &Output, dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    for (path, bytes) in output.iter() {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&target, bytes)?;
    }
    Ok(())
}

/// Refuses paths that could land outside the output folder.
fn safe_relative(path: &str) -> io::Result<()> {
    let p = Path::new(path);
    let ok =
        !path.is_empty() && !path.contains('\\') && p.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the site: {path:?}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(files: &[(&str, &str)]) -> Output {
        let mut o = Output::default();
        for (p, c) in files {
            o.add(*p, c.as_bytes().to_vec());
        }
        o
    }

    #[test]
    fn replaces_the_whole_folder() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        publish(&output(&[("a/index.html", "one"), ("stale.txt", "x")]), &site).unwrap();
        publish(&output(&[("a/index.html", "two")]), &site).unwrap();
        assert_eq!(fs::read_to_string(site.join("a/index.html")).unwrap(), "two");
        assert!(!site.join("stale.txt").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["site"]);
    }

    #[test]
    fn never_writes_outside_the_output_folder() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        publish(&output(&[("index.html", "old")]), &site).unwrap();
        for bad in ["../escape.html", "/etc/x", "a/../../b", "a\\..\\b", ""] {
            let err = publish(&output(&[("index.html", "new"), (bad, "x")]), &site).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad}");
        }
        assert_eq!(fs::read_to_string(site.join("index.html")).unwrap(), "old");
        assert!(!dir.path().join("escape.html").exists());
    }

    #[test]
    fn a_failed_post_step_keeps_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        publish(&output(&[("index.html", "old")]), &site).unwrap();
        let err = publish_with(&output(&[("index.html", "new")]), &site, |staging| {
            assert_eq!(fs::read_to_string(staging.join("index.html")).unwrap(), "new");
            Err(io::Error::other("indexer failed"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "indexer failed");
        assert_eq!(fs::read_to_string(site.join("index.html")).unwrap(), "old");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["site"]);
    }
}
