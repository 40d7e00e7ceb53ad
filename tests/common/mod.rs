//! A test harness in the style of just's `Test`: copy a fixture data folder
//! (or write files) into a temp dir, run the real `rota` binary there, and
//! assert on what a user sees: exit status, messages and written files.

#![allow(dead_code)]

pub mod web;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

pub const NOW: &str = "2022-06-08T12:00:00Z";

pub struct Test {
    dir: Rc<tempfile::TempDir>,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    pub dir: PathBuf,
    /// Keeps the temp dir alive as long as the run is looked at.
    _keep: Rc<tempfile::TempDir>,
}

impl Test {
    /// An empty temp dir with an empty `data/`.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        Test { dir: Rc::new(dir), args: Vec::new(), env: Vec::new() }
    }

    /// A temp dir whose `data/` is a copy of `tests/fixtures/NAME`.
    pub fn fixture(name: &str) -> Self {
        let t = Test::new();
        copy_dir(&fixtures().join(name), &t.dir.path().join("data"));
        t
    }

    /// A temp dir whose `data/` is a copy of the shipped sample.
    pub fn sample() -> Self {
        let t = Test::new();
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data"), &t.dir.path().join("data"));
        t
    }

    /// Writes (or replaces) a file under `data/`.
    pub fn data_file(self, path: &str, contents: &str) -> Self {
        self.write(&format!("data/{path}"), contents)
    }

    /// Writes a file relative to the temp dir.
    pub fn write(self, path: &str, contents: &str) -> Self {
        let target = self.dir.path().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, contents).unwrap();
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `rota ARGS` in the temp dir; the test keeps the dir for more runs.
    pub fn run(&self) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rota"));
        cmd.args(&self.args).current_dir(self.dir.path());
        cmd.env_remove("SOURCE_DATE_EPOCH").env_remove("GITHUB_ACTIONS").env_remove("GITHUB_STEP_SUMMARY");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run rota");
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            dir: self.dir.path().to_path_buf(),
            _keep: Rc::clone(&self.dir),
        }
    }

    /// Runs with new arguments, keeping the temp dir.
    pub fn rerun<I, S>(&mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args = args.into_iter().map(Into::into).collect();
        self.run()
    }
}

impl Run {
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(self.status, 0, "expected success\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    #[track_caller]
    pub fn failure(self, code: i32) -> Self {
        assert_eq!(
            self.status, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// A file of the built site, as text.
    #[track_caller]
    pub fn site_file(&self, path: &str) -> String {
        let p = self.dir.join("site").join(path);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    pub fn site_json(&self, path: &str) -> serde_json::Value {
        serde_json::from_str(&self.site_file(path)).expect("valid JSON")
    }
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, for before/after comparisons.
pub fn snapshot_dir(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

/// Asserts that a built site file contains each of the given strings.
#[macro_export]
macro_rules! file_contains {
    ($run:expr, $path:expr, $($needle:expr),+ $(,)?) => {{
        let text = $run.site_file($path);
        $(
            assert!(text.contains($needle), "{} does not contain {:?}\n---\n{}", $path, $needle, text);
        )+
    }};
}

/// Reports a missing external tool. Locally the test is skipped with a
/// message; in CI (`CI` set), where `.ci/run` installs every tool, it fails.
pub fn missing_tool(what: &str, install: &str) {
    assert!(std::env::var_os("CI").is_none(), "{what} is missing in CI: {install}");
    eprintln!("skipped: {what} is not installed ({install})");
}

/// Runs git in `dir` with no system or user configuration and a fixed test
/// identity (`env` may set `GIT_AUTHOR_NAME`, `GIT_AUTHOR_DATE`, …); returns
/// its standard output and fails the test when git fails.
pub fn git(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .envs([
            ("GIT_AUTHOR_NAME", "Test"),
            ("GIT_AUTHOR_EMAIL", "test@example.org"),
            ("GIT_COMMITTER_NAME", "Test"),
            ("GIT_COMMITTER_EMAIL", "test@example.org"),
        ]);
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("git prints UTF-8 here")
}
