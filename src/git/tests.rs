//! Real repositories made with the git CLI in temp dirs, checked against `git log`.

use super::*;
use std::process::Command;

struct Fixture {
    _tmp: tempfile::TempDir,
    path: PathBuf,
    /// Seconds since epoch used for the next commit.
    clock: i64,
}

fn git(dir: &Path, args: &[&str]) -> String {
    git_env(dir, args, &[])
}

fn git_env(dir: &Path, args: &[&str], env: &[(&str, String)]) -> String {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("git runs");
    assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

impl Fixture {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("repo");
        std::fs::create_dir(&path).unwrap();
        git(&path, &["init", "-q"]);
        Fixture { _tmp: tmp, path, clock: 1_700_000_000 }
    }

    fn write(&self, rel: &str, content: &str) {
        let p = self.path.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    fn remove(&self, rel: &str) {
        git(&self.path, &["rm", "-q", rel]);
    }

    /// Commits everything as `who`, one hour after the previous commit; returns the id.
    fn commit(&mut self, who: &str, msg: &str) -> String {
        self.clock += 3600;
        let date = format!("{} +0200", self.clock);
        git(&self.path, &["add", "-A"]);
        let env = [
            ("GIT_AUTHOR_DATE", date.clone()),
            ("GIT_COMMITTER_DATE", date),
            ("GIT_AUTHOR_NAME", who.to_owned()),
            ("GIT_AUTHOR_EMAIL", format!("{}@example.com", who.to_lowercase())),
        ];
        git_env(&self.path, &["commit", "-q", "--allow-empty", "-m", msg], &env);
        self.head()
    }

    fn merge(&mut self, branch: &str, msg: &str) -> String {
        self.clock += 3600;
        let date = format!("{} +0200", self.clock);
        let env = [("GIT_AUTHOR_DATE", date.clone()), ("GIT_COMMITTER_DATE", date)];
        git_env(&self.path, &["merge", "-q", "--no-ff", "-m", msg, branch], &env);
        self.head()
    }

    fn head(&self) -> String {
        git(&self.path, &["rev-parse", "HEAD"]).trim().to_owned()
    }

    fn repo(&self) -> Repo {
        Repo::discover(&self.path).unwrap().expect("a repository")
    }
}

fn log_path(dir: &Path, path: &str) -> Vec<String> {
    git(dir, &["log", "--no-merges", "--format=%H", "--", path]).lines().map(str::to_owned).collect()
}

#[test]
fn discover_outside_repository_is_none() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    assert!(Repo::discover(&plain).unwrap().is_none());
}

#[test]
fn discover_from_nested_folder_and_relative_paths() {
    let mut f = Fixture::new();
    f.write("data/people/alice.toml", "a");
    f.commit("Alice", "init");
    let repo = Repo::discover(&f.path.join("data/people")).unwrap().unwrap();
    assert!(!repo.is_shallow());
    let file = f.path.join("data/people/alice.toml");
    assert_eq!(repo.relative_to_workdir(&file), Some(PathBuf::from("data/people/alice.toml")));
    assert_eq!(repo.relative_to_workdir(&f.path.join("data/new.toml")), Some(PathBuf::from("data/new.toml")));
    assert_eq!(repo.relative_to_workdir(f.path.parent().unwrap()), None);
    // Discovering from a file works as well.
    assert!(Repo::discover(&file).unwrap().is_some());
}

#[test]
fn last_changes_per_file() {
    let mut f = Fixture::new();
    f.write("data/a.toml", "a1");
    f.write("data/sub/b.toml", "b1");
    f.write("data/gone.toml", "g");
    f.write("data/stays.toml", "s");
    f.write("other/x.txt", "x1");
    let c1 = f.commit("Alice", "initial data");
    f.write("data/a.toml", "a2");
    let c2 = f.commit("Bob", "update a\n\nwith a body");
    f.remove("data/gone.toml");
    f.write("other/x.txt", "x2");
    f.commit("Carol", "remove gone, touch other");

    // Side branch changes b; the merge commit is skipped, the branch commit counts.
    git(&f.path, &["checkout", "-q", "-b", "side"]);
    f.write("data/sub/b.toml", "b2");
    let c_side = f.commit("Dan", "side: update b");
    git(&f.path, &["checkout", "-q", "main"]);
    f.write("data/new.toml", "n");
    let c_new = f.commit("Eve", "add new");
    f.merge("side", "Merge branch 'side'");

    let repo = f.repo();
    let changes = repo.last_changes(Path::new("data")).unwrap();
    let mut keys: Vec<_> = changes.keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["data/a.toml", "data/new.toml", "data/stays.toml", "data/sub/b.toml"].map(PathBuf::from).to_vec()
    );
    let a = &changes[Path::new("data/a.toml")];
    assert_eq!(a.commit, c2);
    assert_eq!(a.author_name, "Bob");
    assert_eq!(a.author_email, "bob@example.com");
    assert_eq!(a.summary, "update a");
    assert_eq!(a.date.to_rfc3339(), "2023-11-15T02:13:20+02:00");
    assert_eq!(a.date.to_rfc3339(), git(&f.path, &["show", "-s", "--format=%aI", &c2]).trim());
    assert_eq!(changes[Path::new("data/sub/b.toml")].commit, c_side);
    assert_eq!(changes[Path::new("data/sub/b.toml")].author_name, "Dan");
    assert_eq!(changes[Path::new("data/new.toml")].commit, c_new);
    assert_eq!(changes[Path::new("data/stays.toml")].commit, c1);

    // Compare with git log for the whole repository.
    let all = repo.last_changes(Path::new("")).unwrap();
    assert_eq!(all.len(), 5);
    for (path, change) in &all {
        let expected =
            git(&f.path, &["log", "-1", "--no-merges", "--format=%H", "--", path.to_str().unwrap()]);
        assert_eq!(change.commit, expected.trim(), "{}", path.display());
    }
    assert!(repo.last_changes(Path::new("missing")).unwrap().is_empty());
    assert!(matches!(repo.last_changes(Path::new("../x")), Err(GitError::InvalidPath(_))));
}

/// ~30 commits with merges, renames-by-delete, re-adds and reverted changes.
fn busy_history() -> Fixture {
    let mut f = Fixture::new();
    f.write("data/p/alice.toml", "0");
    f.write("data/p/bob.toml", "0");
    f.write("docs/readme.md", "0");
    f.commit("Alice", "c0");
    for i in 1..=8 {
        f.write(if i % 2 == 0 { "data/p/alice.toml" } else { "docs/readme.md" }, &i.to_string());
        f.commit("Alice", &format!("main {i}"));
    }
    git(&f.path, &["checkout", "-q", "-b", "feature"]);
    for i in 0..5 {
        f.write("data/p/bob.toml", &format!("feature {i}"));
        if i == 2 {
            f.write("data/p/alice.toml", "from feature");
        }
        f.commit("Bob", &format!("feature {i}"));
    }
    git(&f.path, &["checkout", "-q", "main"]);
    f.write("docs/readme.md", "main again");
    f.commit("Alice", "main docs");
    f.merge("feature", "merge feature");
    // A side branch whose change to alice gets reverted before the merge (TREESAME merge).
    git(&f.path, &["checkout", "-q", "-b", "revert"]);
    f.write("data/p/alice.toml", "temporary");
    f.commit("Carol", "temporary alice");
    f.write("data/p/alice.toml", "from feature");
    f.commit("Carol", "revert alice");
    git(&f.path, &["checkout", "-q", "main"]);
    f.write("docs/other.md", "x");
    f.commit("Alice", "other docs");
    f.merge("revert", "merge revert");
    for i in 0..10 {
        if i == 2 {
            f.remove("data/p/bob.toml");
        } else if i == 4 {
            f.write("data/p/bob.toml", "back");
        } else {
            f.write("data/p/alice.toml", &format!("late {i}"));
        }
        f.commit("Dan", &format!("late {i}"));
    }
    f
}

#[test]
fn file_history_matches_git_log() {
    let f = busy_history();
    let repo = f.repo();
    let count: usize = git(&f.path, &["rev-list", "--count", "HEAD"]).trim().parse().unwrap();
    assert!(count >= 30, "{count}");
    for path in ["data/p/alice.toml", "data/p/bob.toml", "docs/readme.md", "docs", "data/p", "nothing/here"] {
        let ours: Vec<String> =
            repo.file_history(Path::new(path), None).unwrap().into_iter().map(|c| c.commit).collect();
        assert_eq!(ours, log_path(&f.path, path), "{path}");
    }
    // History simplification: the reverted side-branch change is hidden by git log, since
    // the merge is TREESAME to its first parent; --full-history would show it.
    let temporary = git(&f.path, &["log", "--format=%H", "--grep=temporary alice"]).trim().to_owned();
    let alice: Vec<String> = repo
        .file_history(Path::new("data/p/alice.toml"), None)
        .unwrap()
        .into_iter()
        .map(|c| c.commit)
        .collect();
    assert!(!alice.contains(&temporary));
    let full =
        git(&f.path, &["log", "--full-history", "--no-merges", "--format=%H", "--", "data/p/alice.toml"]);
    assert!(full.lines().any(|l| l == temporary));
    let limited = repo.file_history(Path::new("data/p/alice.toml"), Some(2)).unwrap();
    assert_eq!(limited.len(), 2);
    assert_eq!(limited[0].commit, log_path(&f.path, "data/p/alice.toml")[0]);
    assert_eq!(limited[0].summary, "late 9");
    assert_eq!(limited[0].author_name, "Dan");

    // last_changes agrees with git log -1 for every file in HEAD.
    let changes = repo.last_changes(Path::new("")).unwrap();
    for (path, change) in &changes {
        assert_eq!(change.commit, log_path(&f.path, path.to_str().unwrap())[0], "{}", path.display());
    }
    assert_eq!(changes.len(), 4);

    // Same with a commit-graph file.
    git(&f.path, &["commit-graph", "write", "--reachable"]);
    let repo = f.repo();
    for path in ["data/p/alice.toml", "data/p/bob.toml", "docs"] {
        let ours: Vec<String> =
            repo.file_history(Path::new(path), None).unwrap().into_iter().map(|c| c.commit).collect();
        assert_eq!(ours, log_path(&f.path, path), "{path} with commit-graph");
    }
    assert_eq!(repo.last_changes(Path::new("")).unwrap(), changes);
}

#[test]
fn file_history_on_bare_repo() {
    let f = busy_history();
    let bare = f._tmp.path().join("bare.git");
    git(f._tmp.path(), &["clone", "-q", "--bare", f.path.to_str().unwrap(), bare.to_str().unwrap()]);
    let repo = Repo::discover(&bare).unwrap().expect("bare repo");
    assert!(repo.workdir().is_none());
    assert_eq!(repo.relative_to_workdir(&bare.join("x")), None);
    let ours: Vec<String> = repo
        .file_history(Path::new("data/p/bob.toml"), None)
        .unwrap()
        .into_iter()
        .map(|c| c.commit)
        .collect();
    assert_eq!(ours, log_path(&f.path, "data/p/bob.toml"));
    assert_eq!(repo.last_changes(Path::new("data")).unwrap().len(), 2);
}

#[test]
fn files_at_reads_past_revisions() {
    let mut f = Fixture::new();
    f.write("data/a.toml", "a1");
    f.write("data/sub/b.toml", "b1");
    f.write("top.txt", "t");
    let c1 = f.commit("Alice", "one");
    f.write("data/a.toml", "a2");
    f.write("data/c.toml", "c2");
    f.remove("data/sub/b.toml");
    f.commit("Alice", "two");
    git(&f.path, &["tag", "-a", "-m", "tag", "v1", &c1]);
    let repo = f.repo();

    let now = repo.files_at("HEAD", Path::new("data")).unwrap();
    assert_eq!(
        now,
        vec![(PathBuf::from("a.toml"), b"a2".to_vec()), (PathBuf::from("c.toml"), b"c2".to_vec())]
    );
    let expected_old =
        vec![(PathBuf::from("a.toml"), b"a1".to_vec()), (PathBuf::from("sub/b.toml"), b"b1".to_vec())];
    for rev in [c1.as_str(), &c1[..8], "HEAD~1", "HEAD^", "main~", "v1", "v1^{commit}"] {
        assert_eq!(repo.files_at(rev, Path::new("data")).unwrap(), expected_old, "{rev}");
    }
    let root = repo.files_at("HEAD~1", Path::new("")).unwrap();
    assert_eq!(root.len(), 3);
    assert!(repo.files_at("HEAD", Path::new("nope")).unwrap().is_empty());
    assert!(matches!(repo.files_at("no-such-branch", Path::new("")), Err(GitError::Revision { .. })));
    assert!(matches!(repo.files_at("HEAD~5", Path::new("")), Err(GitError::Revision { .. })));
    for bad in ["HEAD~1é", "HEAD@{1}", "main:data", "^", "HEAD^{blob}", "HEAD^{"] {
        assert!(matches!(repo.files_at(bad, Path::new("")), Err(GitError::Revision { .. })), "{bad}");
    }
    let err = repo.files_at("no-such-branch", Path::new("")).unwrap_err();
    assert!(err.to_string().contains("no-such-branch"), "{err}");
}

#[test]
fn shallow_clone_omits_unknown_dates() {
    let mut f = Fixture::new();
    f.write("data/old.toml", "o");
    f.write("data/boundary.toml", "b1");
    f.write("data/recent.toml", "r1");
    f.commit("Alice", "old");
    f.write("data/boundary.toml", "b2");
    f.commit("Bob", "boundary change");
    f.write("data/recent.toml", "r2");
    let recent = f.commit("Carol", "recent change");

    let clone = f._tmp.path().join("shallow");
    let url = format!("file://{}", f.path.display());
    git(f._tmp.path(), &["clone", "-q", "--depth", "2", &url, clone.to_str().unwrap()]);
    let repo = Repo::discover(&clone).unwrap().unwrap();
    assert!(repo.is_shallow());
    let changes = repo.last_changes(Path::new("data")).unwrap();
    let keys: Vec<_> = changes.keys().cloned().collect();
    assert_eq!(keys, vec![PathBuf::from("data/recent.toml")]);
    assert_eq!(changes[Path::new("data/recent.toml")].commit, recent);
    let history = repo.file_history(Path::new("data/boundary.toml"), None).unwrap();
    assert!(history.is_empty());
    let history = repo.file_history(Path::new("data/recent.toml"), None).unwrap();
    assert_eq!(history.len(), 1);
    assert!(!f.repo().is_shallow());
}

/// A longer history made with `git fast-import`, long enough for chunked
/// reading, compared with git for every file.
#[test]
fn long_history_matches_git() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("long");
    std::fs::create_dir(&path).unwrap();
    git(&path, &["init", "-q"]);
    let mut stream = String::new();
    let files: Vec<String> = (0..40).map(|i| format!("data/t{}/s{}/f{i}.toml", i % 4, i % 3)).collect();
    let mut mark = 0;
    let mut time = 1_600_000_000;
    let mut commit = |stream: &mut String,
                      from: Option<usize>,
                      merge: Option<usize>,
                      changes: &[usize],
                      v: usize| {
        mark += 1;
        time += 60;
        stream.push_str(&format!("commit refs/heads/main\nmark :{mark}\n"));
        stream.push_str(&format!("author A <a@x> {time} +0000\ncommitter A <a@x> {time} +0000\n"));
        stream.push_str(&format!("data 3\nc{:<1}\n", v % 10));
        if let Some(from) = from {
            stream.push_str(&format!("from :{from}\n"));
        }
        if let Some(merge) = merge {
            stream.push_str(&format!("merge :{merge}\n"));
        }
        for &f in changes {
            let content = format!("{} v{v}", files[f]);
            stream.push_str(&format!("M 100644 inline {}\ndata {}\n{content}\n", files[f], content.len()));
        }
        mark
    };
    let all: Vec<usize> = (0..files.len()).collect();
    let mut head = commit(&mut stream, None, None, &all, 0);
    let mut side_base = head;
    for v in 1..400 {
        // Files 30.. change rarely (also right below each merge, where a stretch of history
        // that is read in one go begins), 0..30 often; every 50 commits a side branch.
        let changes = if v % 50 == 49 {
            vec![30 + (v / 50) % 10]
        } else if v % 97 == 0 {
            vec![30 + v % 10]
        } else {
            vec![(v * 7) % 30, (v * 11) % 30]
        };
        if v % 50 == 0 {
            let side = commit(&mut stream, Some(side_base), None, &[(v * 3) % 30], v);
            head = commit(&mut stream, Some(head), Some(side), &[(v * 3) % 30], v);
            side_base = head;
        } else {
            head = commit(&mut stream, Some(head), None, &changes, v);
        }
    }
    let mut child = Command::new("git")
        .current_dir(&path)
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    git(&path, &["reset", "-q", "--hard", "main"]);

    for graph in [false, true] {
        if graph {
            git(&path, &["commit-graph", "write", "--reachable"]);
        }
        let repo = Repo::discover(&path).unwrap().unwrap();
        let log = git(&path, &["log", "--name-only", "--no-merges", "--format=@%H"]);
        let mut newest = HashMap::new();
        let mut current = "";
        for line in log.lines() {
            match line.strip_prefix('@') {
                Some(id) => current = id,
                None if !line.is_empty() => {
                    newest.entry(PathBuf::from(line)).or_insert(current.to_owned());
                }
                None => {}
            }
        }
        let changes = repo.last_changes(Path::new("")).unwrap();
        let ours: HashMap<PathBuf, String> = changes.into_iter().map(|(p, c)| (p, c.commit)).collect();
        assert_eq!(ours, newest, "graph={graph}");
        let data: HashMap<PathBuf, String> = repo
            .last_changes(Path::new("data/t1"))
            .unwrap()
            .into_iter()
            .map(|(p, c)| (p, c.commit))
            .collect();
        assert_eq!(data.len(), 10);
        assert!(data.iter().all(|(p, c)| &newest[p] == c));
        for f in [&files[0], &files[7], &files[31], &files[39]] {
            let ours: Vec<String> =
                repo.file_history(Path::new(f), None).unwrap().into_iter().map(|c| c.commit).collect();
            assert_eq!(ours, log_path(&path, f), "{f} graph={graph}");
        }
    }
}
