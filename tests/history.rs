//! Runbook pages show when they last changed and by whom, from real git
//! history made here with known dates, and never a wrong date.

mod common;

use std::path::Path;
use std::process::Command;

use common::{NOW, Test, copy_dir, fixtures};

fn git(dir: &Path, args: &[&str], author: &str, date: &str) {
    let email = format!("{}@example.org", author.to_lowercase().replace(' ', "."));
    let env = [
        ("GIT_AUTHOR_NAME", author),
        ("GIT_AUTHOR_EMAIL", email.as_str()),
        ("GIT_AUTHOR_DATE", date),
        ("GIT_COMMITTER_DATE", date),
    ];
    common::git(dir, args, &env);
}

/// The basic fixture with the fixture runbook in `data/runbook/`.
fn with_runbook() -> Test {
    let t = Test::fixture("basic");
    copy_dir(&fixtures().join("runbook"), &t.path().join("data/runbook"));
    t
}

/// A repository whose `data/` is the runbook fixture: everything committed
/// by Ada in 2021, then one page changed by Grace in 2022.
fn repository() -> Test {
    let t = with_runbook();
    let root = t.path();
    git(root, &["init", "-q"], "Ada Lovelace", "2021-03-01T10:00:00Z");
    git(root, &["add", "data"], "Ada Lovelace", "2021-03-01T10:00:00Z");
    git(root, &["commit", "-q", "-m", "runbook"], "Ada Lovelace", "2021-03-01T10:00:00Z");
    let page = root.join("data/runbook/guides/setup.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text + "\nOne more line.\n").unwrap();
    git(root, &["commit", "-q", "-am", "setup: one more line"], "Grace Hopper", "2022-07-14T23:30:00-07:00");
    t
}

fn updated(run: &common::Run, page: &str) -> Option<String> {
    let html = run.site_file(page);
    let start = html.find("Last updated")?;
    Some(html[start..start + html[start..].find("</span>").unwrap()].to_string())
}

#[test]
fn pages_show_their_last_change_from_git() {
    let run = repository().args(["build", "--now", NOW]).run().success();
    let setup = updated(&run, "runbook/guides/setup/index.html").expect("a date");
    // The author's own calendar day, as `git log` shows it.
    assert!(setup.contains("<time datetime=\"2022-07-14\">2022-07-14</time> by Grace Hopper"), "{setup}");
    let other = updated(&run, "runbook/guides/troubleshooting/index.html").expect("a date");
    assert!(other.contains("datetime=\"2021-03-01\"") && other.contains("Ada Lovelace"), "{other}");
    assert!(!run.stderr.contains("shallow"), "{}", run.stderr);
}

#[test]
fn a_shallow_clone_says_so_once_and_shows_no_wrong_date() {
    let origin = repository();
    let clone = Test::new();
    let url = format!("file://{}", origin.path().display());
    let status = Command::new("git")
        .args(["clone", "-q", "--depth", "2", &url, "repo"])
        .current_dir(clone.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mut t = clone;
    let run = t.rerun(["build", "--data", "repo/data", "--out", "repo/site", "--now", NOW]).success();
    assert_eq!(run.stderr.matches("shallow clone").count(), 1, "{}", run.stderr);
    let page = |p: &str| std::fs::read_to_string(run.dir.join("repo/site/runbook").join(p)).unwrap();
    // The newest commit and its parent are there: what the newest changed is known...
    assert!(page("guides/setup/index.html").contains("datetime=\"2022-07-14\""));
    // ...but the cut-off commit's own parent is missing, so what it changed is not.
    let html = page("guides/troubleshooting/index.html");
    assert!(!html.contains("Last updated"), "a date was guessed");
    assert!(!html.contains("2021-03-01"));
}

#[test]
fn a_folder_outside_git_has_no_dates_and_no_error() {
    let run = with_runbook().args(["build", "--now", NOW]).run().success();
    assert!(updated(&run, "runbook/guides/setup/index.html").is_none());
    assert!(!run.stderr.contains("git"), "{}", run.stderr);
}
