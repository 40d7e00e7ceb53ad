//! `rota triage new`, `rota triage disable` and `rota suspects`, run as a
//! user would: against a data folder and a git checkout of the monitored
//! project built in a temp dir with known authors.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Test, git};
use rota::render::issue::percent_decode;

const NOW: &str = "2022-06-08T12:00:00Z";

/// A checkout of the monitored project whose history has known authors.
struct Checkout {
    _tmp: tempfile::TempDir,
    path: PathBuf,
    clock: i64,
}

impl Checkout {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("project");
        std::fs::create_dir(&path).unwrap();
        git(&path, &["init", "-q"], &[]);
        Checkout { _tmp: tmp, path, clock: 1_650_000_000 }
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn commit(&mut self, name: &str, email: &str, message: &str) {
        self.clock += 86_400;
        let date = format!("{} +0000", self.clock);
        git(&self.path, &["add", "-A"], &[]);
        let env = [
            ("GIT_AUTHOR_NAME", name),
            ("GIT_AUTHOR_EMAIL", email),
            ("GIT_COMMITTER_NAME", name),
            ("GIT_COMMITTER_EMAIL", email),
            ("GIT_AUTHOR_DATE", date.as_str()),
            ("GIT_COMMITTER_DATE", date.as_str()),
        ];
        git(&self.path, &["commit", "-q", "--allow-empty", "-m", message], &env);
    }

    /// The history of the sample test file: four authors, a merge, and
    /// changes to other files in between.
    fn with_history() -> Self {
        let mut c = Checkout::new();
        let file = "tests/python/frontend/test_forward.py";
        c.write(file, "def test_empty_like():\n    pass\n");
        c.commit("Dana Old", "dana@example.com", "Add the frontend tests");
        c.write("README.md", "readme\n");
        c.commit("Eve Other", "eve@example.com", "Readme");
        c.write(file, "def test_empty_like():\n    assert True\n");
        c.commit("Fay Noreply", "123456+fay-gh@users.noreply.github.com", "Tighten test_empty_like");
        git(&c.path, &["checkout", "-q", "-b", "side"], &[]);
        c.write(file, "def test_empty_like():\n    assert 1\n");
        c.commit("Alice Liddell", "Alice@Example.org", "Use a number");
        git(&c.path, &["checkout", "-q", "main"], &[]);
        c.write("docs/x.md", "x\n");
        c.commit("Eve Other", "eve@example.com", "Docs");
        let env = [
            ("GIT_COMMITTER_DATE", "1650900000 +0000"),
            ("GIT_AUTHOR_DATE", "1650900000 +0000"),
            ("GIT_AUTHOR_NAME", "Merger"),
            ("GIT_AUTHOR_EMAIL", "merger@example.com"),
            ("GIT_COMMITTER_NAME", "Merger"),
            ("GIT_COMMITTER_EMAIL", "merger@example.com"),
        ];
        git(&c.path, &["merge", "-q", "--no-ff", "-m", "Merge side", "side"], &env);
        c.write(file, "def test_empty_like():\n    assert 2\n");
        c.commit("Fay Noreply", "123456+fay-gh@users.noreply.github.com", "Two");
        c
    }
}

const TEST_ID: &str = "tests/python/frontend/test_forward.py::test_empty_like[cpu]";

fn with_teams(t: Test) -> Test {
    t.data_file("teams.toml", "[[team]]\ntag = \"ci\"\npeople = [\"bob\"]\n\n[[team]]\ntag = \"needs-triage\"\npeople = [\"carol\"]\n")
        .data_file(
            "roster.toml",
            &std::fs::read_to_string(common::fixtures().join("basic/roster.toml"))
                .unwrap()
                .replacen("github = \"alice\"", "github = \"alice\"\nemails = [\"alice@example.org\"]", 1),
        )
}

/// The query parameter `key` of a printed URL, decoded.
fn query_param(url: &str, key: &str) -> String {
    let query = url.split_once('?').unwrap().1;
    let value = query.split('&').find_map(|kv| kv.strip_prefix(&format!("{key}="))).unwrap();
    percent_decode(value).unwrap()
}

fn printed_url(stdout: &str) -> &str {
    stdout.lines().find(|l| l.starts_with("https://github.com/example/project/issues/new?")).expect("a link")
}

#[test]
fn triage_new_writes_an_entry_check_accepts_and_drafts_the_issue() {
    let checkout = Checkout::with_history();
    let repo = checkout.path.to_str().unwrap().to_string();
    let mut t = with_teams(Test::fixture("basic")).args([
        "--now",
        NOW,
        "triage",
        "new",
        "https://ci.example.org/job/main/3713/",
        "--test",
        TEST_ID,
        "--error",
        "AssertionError: Not equal to tolerance rtol=1e-05\n``` not a fence",
        "--repo",
        &repo,
    ]);
    let run = t.run().success();
    insta::assert_snapshot!("triage_new_flaky", run.stdout);

    let written =
        std::fs::read_to_string(run.dir.join("data/triage/2022/2022-06-08-forward-empty-like.toml")).unwrap();
    assert!(written.contains("triaged_by = \"bob\""), "{written}");
    t.rerun(["--now", NOW, "check"]).success();

    // The link decodes to exactly what was printed.
    let url = printed_url(&run.stdout);
    let title = query_param(url, "title");
    assert_eq!(title, "[Flaky Test] tests/python/frontend/test_forward.py::test_empty_like[cpu]");
    assert!(run.stdout.contains(&format!("Title: {title}\n")));
    let body = query_param(url, "body");
    let printed_body = run
        .stdout
        .split("----- issue body -----\n")
        .nth(1)
        .unwrap()
        .split("----- end of body -----")
        .next()
        .unwrap();
    assert_eq!(body, printed_body);
    assert_eq!(query_param(url, "labels"), "test: flaky,needs-triage");
    // Suspects from the file's history, by roster email and noreply address.
    assert!(body.contains("cc @fay-gh @alice\n"), "{body}");
    // The team subscribed to a label is tagged.
    assert!(body.ends_with("\ncc @carol\n"), "{body}");
}

#[test]
fn triage_new_for_infrastructure_tags_the_ci_team_and_never_overwrites() {
    let mut t = with_teams(Test::fixture("basic"))
        .data_file("triage/2022/2022-06-08-no-space-left-on-device.toml", "not even TOML, but someone's")
        .args([
            "--now",
            NOW,
            "triage",
            "new",
            "https://ci.example.org/job/main/3714/",
            "--error",
            "No space left on device",
        ]);
    // A broken file elsewhere in the data stops the command before it writes.
    let run = t.run().failure(1);
    assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
    std::fs::remove_file(run.dir.join("data/triage/2022/2022-06-08-no-space-left-on-device.toml")).unwrap();
    let entry = "kind = \"infra\"\ndate = 2022-06-08\njob = \"https://ci.example.org/job/main/1/\"\nstatus = \"open\"\n";
    std::fs::create_dir_all(run.dir.join("data/triage/2021")).unwrap();
    std::fs::write(run.dir.join("data/triage/2021/2022-06-08-no-space-left-on-device.toml"), entry).unwrap();

    let run = t.run().success();
    insta::assert_snapshot!("triage_new_infra", run.stdout);
    let second = t.run().success();
    assert!(second.stdout.starts_with("wrote data/triage/2022/2022-06-08-no-space-left-on-device-3.toml\n"));
    assert_eq!(
        std::fs::read_to_string(run.dir.join("data/triage/2021/2022-06-08-no-space-left-on-device.toml"))
            .unwrap(),
        entry
    );
    let url = printed_url(&run.stdout);
    assert_eq!(query_param(url, "title"), "[ci] No space left on device");
    assert_eq!(query_param(url, "labels"), "ci,needs-triage");
    t.rerun(["--now", NOW, "check"]).success();
}

#[test]
fn triage_new_refuses_a_flaky_entry_without_a_test() {
    let run = Test::fixture("basic")
        .args(["--now", NOW, "triage", "new", "https://ci/x", "--kind", "flaky"])
        .run()
        .failure(2);
    assert!(run.stderr.contains("needs the test"), "{}", run.stderr);
    let run =
        Test::fixture("basic").args(["--now", NOW, "triage", "new", "ci.example.org/x"]).run().failure(2);
    assert!(run.stderr.contains("is not an http(s) URL"), "{}", run.stderr);
    assert!(!run.dir.join("data/triage").exists());
}

// ---------------------------------------------------------------- suspects

/// `git log --no-merges` grouped by email (case-insensitive), newest first:
/// (name, email, commits, last date, last commit).
fn git_log_suspects(repo: &Path, path: &str) -> Vec<(String, String, u64, String, String)> {
    let log = git(repo, &["log", "--no-merges", "--format=%H%x00%an%x00%ae%x00%aI", "--", path], &[]);
    let mut out: Vec<(String, String, u64, String, String)> = Vec::new();
    for line in log.lines() {
        let f: Vec<&str> = line.split('\0').collect();
        match out.iter_mut().find(|s| s.1.eq_ignore_ascii_case(f[2])) {
            Some(s) => s.2 += 1,
            None => out.push((f[1].into(), f[2].into(), 1, instant(f[3]), f[0].into())),
        }
    }
    out
}

/// An RFC 3339 date as UTC seconds and the offset (git writes `Z` for `+00:00`).
fn instant(text: &str) -> String {
    let date = chrono::DateTime::parse_from_rfc3339(text).unwrap();
    format!("{} {}", date.timestamp(), date.offset())
}

fn rota_suspects(run_stdout: &str) -> Vec<(String, String, u64, String, String)> {
    let json: serde_json::Value = serde_json::from_str(run_stdout).unwrap();
    json["suspects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().into(),
                s["email"].as_str().unwrap().into(),
                s["commits"].as_u64().unwrap(),
                instant(s["last_date"].as_str().unwrap()),
                s["last_commit"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn suspects_agree_with_git_log_in_checkouts_and_bare_repositories() {
    let checkout = Checkout::with_history();
    let path = "tests/python/frontend/test_forward.py";
    let expected = git_log_suspects(&checkout.path, path);
    assert_eq!(expected.len(), 3, "{expected:?}");
    let t = with_teams(Test::fixture("basic"));
    let repo = checkout.path.to_str().unwrap();
    let run = t.args(["--now", NOW, "suspects", path, "--repo", repo, "--json"]).run().success();
    assert_eq!(rota_suspects(&run.stdout), expected);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let logins: Vec<&serde_json::Value> =
        json["suspects"].as_array().unwrap().iter().map(|s| &s["github"]).collect();
    assert_eq!(logins, [&serde_json::json!("fay-gh"), &serde_json::json!("alice"), &serde_json::Value::Null]);

    // From a subfolder, with a node id, limited; and from a bare clone.
    let sub = checkout.path.join("tests");
    let t = Test::new().args([
        "suspects",
        "tests/python/frontend/test_forward.py::test_empty_like",
        "--repo",
        sub.to_str().unwrap(),
        "--json",
        "--limit",
        "2",
    ]);
    assert_eq!(rota_suspects(&t.run().success().stdout), expected[..2]);
    let bare = checkout.path.with_file_name("bare.git");
    git(checkout.path.parent().unwrap(), &["clone", "-q", "--bare", "project", "bare.git"], &[]);
    let t = Test::new().args(["suspects", path, "--repo", bare.to_str().unwrap(), "--json"]);
    assert_eq!(rota_suspects(&t.run().success().stdout), expected);

    // A shallow clone lists what it holds and says that older authors are cut off.
    let url = format!("file://{}", checkout.path.display());
    git(checkout.path.parent().unwrap(), &["clone", "-q", "--depth", "2", &url, "shallow"], &[]);
    let shallow = checkout.path.with_file_name("shallow");
    let run =
        Test::new().args(["suspects", path, "--repo", shallow.to_str().unwrap(), "--json"]).run().success();
    assert!(run.stderr.contains("is a shallow clone"), "{}", run.stderr);
    let listed = rota_suspects(&run.stdout);
    assert!(listed.iter().all(|s| expected.contains(s) || expected.iter().any(|e| e.1 == s.1)), "{listed:?}");

    let t = Test::new().args(["suspects", path, "--repo", repo]);
    insta::assert_snapshot!("suspects_table", t.run().success().stdout);
    let t = Test::new().args(["suspects", path, "--repo", checkout.path.parent().unwrap().to_str().unwrap()]);
    let run = t.run().failure(1);
    assert!(run.stderr.contains("not inside a git repository"), "{}", run.stderr);
}

// ---------------------------------------------------------------- disable

const FIXED_ENTRY: &str =
    "kind = \"flaky\"\ndate = 2022-06-06\njob = \"https://ci.example.org/job/main/1/\"\n";

fn entry(test: &str, issue: u64, pr: Option<u64>) -> String {
    let pr = pr.map(|p| format!("pr = {p}  # the disabling PR\n")).unwrap_or_default();
    format!(
        "# kept as written\n{FIXED_ENTRY}test = \"{test}\"\nissue = {issue}\n{pr}status = \"open\"   # until the PR merges\n"
    )
}

/// A data folder with an entry per fixture test, and a checkout holding the fixture files.
fn disable_setup() -> (Test, tempfile::TempDir) {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join("tests")).unwrap();
    for name in ["test_plain.py", "test_cases.py"] {
        std::fs::copy(common::fixtures().join("pytest").join(name), repo.path().join("tests").join(name))
            .unwrap();
    }
    let t = Test::fixture("basic")
        .data_file("triage/2022/plain.toml", &entry("tests/test_plain.py::test_plain", 11, Some(12)))
        .data_file("triage/2022/param.toml", &entry("tests/test_cases.py::test_param[2]", 21, None))
        .data_file(
            "triage/2022/method.toml",
            &entry("tests/test_cases.py::TestThing::test_method", 31, Some(32)),
        )
        .data_file(
            "triage/2022/decorated.toml",
            &entry("tests/test_cases.py::test_decorated[1]", 41, Some(42)),
        )
        .data_file("triage/2022/known.toml", &entry("tests/test_cases.py::test_known", 51, Some(52)))
        .data_file("triage/2022/missing.toml", &entry("tests/test_cases.py::TestThing::test_gone", 61, None))
        .data_file(
            "triage/2022/infra.toml",
            "kind = \"infra\"\ndate = 2022-06-06\njob = \"https://ci/x\"\nstatus = \"open\"\n",
        );
    (t, repo)
}

fn disable(t: &mut Test, repo: &Path, id: &str) -> common::Run {
    t.rerun(["--now", NOW, "triage", "disable", id, "--repo", repo.to_str().unwrap()])
}

#[test]
fn triage_disable_marks_plain_parametrized_method_and_decorated_tests() {
    let (mut t, repo) = disable_setup();
    let plain = disable(&mut t, repo.path(), "plain").success();
    insta::assert_snapshot!(
        "disable_plain_output",
        plain.stdout.replace(repo.path().to_str().unwrap(), "<repo>")
    );
    for id in ["param", "method", "decorated"] {
        disable(&mut t, repo.path(), id).success();
    }
    let known = disable(&mut t, repo.path(), "known").success();
    assert!(
        known.stdout.contains("test_cases.py:36: `tests/test_cases.py::test_known` is already marked"),
        "{}",
        known.stdout
    );

    let read = |p: &str| std::fs::read_to_string(repo.path().join(p)).unwrap();
    insta::assert_snapshot!("disabled_plain", read("tests/test_plain.py"));
    insta::assert_snapshot!("disabled_cases", read("tests/test_cases.py"));

    // Status follows the recorded PR; the rest of each file is as written.
    let data =
        |id: &str| std::fs::read_to_string(plain.dir.join(format!("data/triage/2022/{id}.toml"))).unwrap();
    assert_eq!(
        data("plain"),
        entry("tests/test_plain.py::test_plain", 11, Some(12)).replace("\"open\"", "\"disabled\"")
    );
    assert_eq!(data("param"), entry("tests/test_cases.py::test_param[2]", 21, None));
    assert!(disable(&mut t, repo.path(), "param").success().stdout.contains("status stays \"open\""));
    t.rerun(["--now", NOW, "check"]).success();
}

#[test]
fn triage_disable_leaves_files_alone_when_it_cannot_find_the_test() {
    let (mut t, repo) = disable_setup();
    let before = std::fs::read_to_string(repo.path().join("tests/test_cases.py")).unwrap();
    let run = disable(&mut t, repo.path(), "missing").failure(1);
    assert!(run.stderr.contains("no function `test_gone` in class TestThing"), "{}", run.stderr);
    assert!(run.stderr.contains("help: it has helper, test_method"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(repo.path().join("tests/test_cases.py")).unwrap(), before);
    let run = disable(&mut t, repo.path(), "infra").failure(1);
    assert!(run.stderr.contains("names no test"), "{}", run.stderr);
    let run = disable(&mut t, repo.path(), "plan").failure(1);
    assert!(run.stderr.contains("did you mean `plain`?"), "{}", run.stderr);
    let elsewhere = tempfile::tempdir().unwrap();
    let run = disable(&mut t, elsewhere.path(), "plain").failure(1);
    assert!(run.stderr.contains("help: --repo must be a checkout of https://github.com/example/project"));
}

/// pytest itself reports the disabled tests as expected failures.
#[test]
fn pytest_reports_disabled_tests_as_xfail() {
    let available = Command::new("python3")
        .args(["-m", "pytest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(std::env::var_os("CI").is_none(), "CI must install pytest (.ci/run)");
        eprintln!("skipped: pytest is not installed (python3 -m pip install pytest)");
        return;
    }
    let (mut t, repo) = disable_setup();
    let pytest = |dir: &Path| {
        Command::new("python3")
            .args(["-m", "pytest", "-q", "-rxX", "-p", "no:cacheprovider", "tests"])
            .current_dir(dir)
            .output()
            .unwrap()
    };
    let before = pytest(repo.path());
    assert_eq!(before.status.code(), Some(1), "the fixture tests fail before they are disabled");
    for id in ["plain", "param", "method", "decorated"] {
        disable(&mut t, repo.path(), id).success();
    }
    let after = pytest(repo.path());
    let out = String::from_utf8_lossy(&after.stdout);
    assert_eq!(after.status.code(), Some(0), "{out}");
    assert!(out.contains("6 xfailed"), "{out}");
    for node in [
        "tests/test_plain.py::test_plain - Flaky test: https://github.com/example/project/issues/11",
        "tests/test_cases.py::test_param[2] - Flaky test: https://github.com/example/project/issues/21",
        "tests/test_cases.py::TestThing::test_method - Flaky test: https://github.com/example/project/issues/31",
        "tests/test_cases.py::test_decorated[1] - Flaky test: https://github.com/example/project/issues/41",
    ] {
        assert!(out.contains(&format!("XFAIL {node}")), "missing {node} in\n{out}");
    }
}
