//! `rota check --base REF` in real git repositories made by the tests.

mod common;

use std::path::Path;

use common::{NOW, Test};

fn git(dir: &Path, args: &[&str]) {
    common::git(dir, args, &[]);
}

/// The basic fixture, committed on `main` as the base of a pull request.
fn repo() -> Test {
    let t = Test::fixture("basic");
    git(t.path(), &["init", "-q", "-b", "main"]);
    git(t.path(), &["add", "-A"]);
    git(t.path(), &["commit", "-q", "-m", "base"]);
    t
}

fn edit(t: &Test, file: &str, f: impl FnOnce(String) -> String) {
    let path = t.path().join("data").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

const DAVE_BACKDATED: &str = "\n[[person]]\ngithub = \"dave\"\nsince = 2022-05-01\n";

#[test]
fn unchanged_data_passes() {
    let mut t = repo();
    let run = t.rerun(["check", "--base", "HEAD", "--now", NOW]).success();
    assert!(run.stderr.contains("data is valid"), "{}", run.stderr);
}

#[test]
fn a_change_that_rewrites_a_started_shift_fails_and_names_it() {
    let mut t = repo();
    // A newcomer back-dated before the start queues first and takes the first shift.
    edit(&t, "roster.toml", |r| r + DAVE_BACKDATED);
    let run = t.rerun(["check", "--base", "HEAD", "--now", NOW]).failure(1);
    assert!(
        run.stderr.contains("shift 2022-W22 (2022-05-30 to 2022-06-05) has started, but this change moves it from @carol to @dave"),
        "{}",
        run.stderr
    );
    // Located at the new entry, with the fix.
    assert!(run.stderr.contains("data/roster.toml:17:1"), "{}", run.stderr);
    assert!(run.stderr.contains("this edit gives 2022-W22 to @dave"), "{}", run.stderr);
    assert!(run.stderr.contains("set `until`"), "{}", run.stderr);
    assert!(run.stderr.contains("[[override]]"), "{}", run.stderr);
    // Without --base the same data is fine: only history makes it wrong.
    t.rerun(["check", "--now", NOW]).success();
}

#[test]
fn a_change_to_an_announced_shift_fails() {
    let mut t = repo();
    // W25 starts on 2022-06-20, after NOW, but is one of the next two shifts.
    edit(&t, "overrides.toml", |o| {
        o + "\n[[override]]\nshift = 2022-06-21\nperson = \"bob\"\nreason = \"late swap\"\n"
    });
    let run = t.rerun(["check", "--base", "HEAD", "--now", NOW]).failure(1);
    assert!(
        run.stderr.contains("shift 2022-W25 (2022-06-20 to 2022-06-26) has already been announced"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("this override gives 2022-W25 to @bob"), "{}", run.stderr);
    assert!(run.stderr.contains("data/overrides.toml:6:1"), "{}", run.stderr);
}

#[test]
fn future_only_changes_pass() {
    let mut t = repo();
    edit(&t, "roster.toml", |r| {
        r.replace("until = 2022-07-01", "until = 2022-06-27")
            + "\n[[person]]\ngithub = \"dave\"\nsince = 2022-07-04\n"
            + "away = [{ from = 2022-07-11, to = 2022-07-15 }]\n"
    });
    t.rerun(["check", "--base", "HEAD", "--now", NOW]).success();
}

#[test]
fn deleting_a_person_who_served_fails() {
    let mut t = repo();
    edit(&t, "roster.toml", |r| {
        let start = r.find("[[person]]\ngithub = \"bob\"").unwrap();
        let end = start + r[start + 1..].find("[[person]]").unwrap() + 1;
        format!("{}{}", &r[..start], &r[end..])
    });
    let run = t.rerun(["check", "--base", "HEAD", "--now", NOW]).failure(1);
    assert!(
        run.stderr.contains("@bob was deleted from the roster, but was on call for 2022-W23"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("restore the entry and add `until = 2022-06-08`"), "{}", run.stderr);
}

#[test]
fn the_base_is_read_from_git_not_from_the_work_tree() {
    let mut t = repo();
    edit(&t, "roster.toml", |r| r + DAVE_BACKDATED);
    git(t.path(), &["commit", "-q", "-am", "back-date dave"]);
    // HEAD now has the change, so it is its own base; HEAD~1 is the old data.
    t.rerun(["check", "--base", "HEAD", "--now", NOW]).success();
    let run = t.rerun(["check", "--base", "HEAD~1", "--now", NOW]).failure(1);
    assert!(run.stderr.contains("shift 2022-W22"), "{}", run.stderr);
    // A branch name works too, and an unknown one is a clear error.
    git(t.path(), &["branch", "old", "HEAD~1"]);
    t.rerun(["check", "--base", "old", "--now", NOW]).failure(1);
    let run = t.rerun(["check", "--base", "no-such-branch", "--now", NOW]).failure(1);
    assert!(run.stderr.contains("cannot read the data at `no-such-branch`"), "{}", run.stderr);
}

#[test]
fn github_annotations_use_repository_paths_and_write_a_summary() {
    let t = repo();
    edit(&t, "roster.toml", |r| r + DAVE_BACKDATED);
    let summary = t.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    // An absolute --data still gives the path GitHub knows: data/roster.toml.
    let data = t.path().join("data").display().to_string();
    let workspace = t.path().display().to_string();
    let mut t = t
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", &workspace)
        .env("GITHUB_STEP_SUMMARY", &summary.display().to_string());
    let run = t.rerun(["check", "--data", data.as_str(), "--base", "HEAD", "--now", NOW]).failure(1);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("2022-W22"))
        .unwrap_or_else(|| panic!("no annotation for W22 in\n{}", run.stdout));
    assert!(line.starts_with("::error file=data/roster.toml,line="), "{line}");
    assert!(line.contains("%0Ahelp: "), "{line}");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.starts_with("earlier step\n## rota check"), "{summary}");
    assert!(summary.contains("2022-W22"), "{summary}");
}

#[test]
fn format_github_works_outside_actions() {
    let run = Test::fixture("basic")
        .data_file("overrides.toml", "[[override]]\nshift = 2022-06-15\nperson = \"carl\"\n")
        .args(["check", "--format", "github", "--now", NOW])
        .run()
        .failure(1);
    assert!(
        run.stdout.starts_with("::error file=data/overrides.toml,line=3,col=10::`carl` is not in the roster"),
        "{}",
        run.stdout
    );
}

#[test]
fn filling_an_announced_shift_that_had_nobody_passes() {
    let t = Test::fixture("basic")
        .data_file("roster.toml", "[[person]]\ngithub = \"carol\"\nsince = 2022-05-30\nuntil = 2022-06-20\n");
    git(t.path(), &["init", "-q", "-b", "main"]);
    git(t.path(), &["add", "-A"]);
    git(t.path(), &["commit", "-q", "-m", "base"]);
    let mut t = t;
    let run = t.rerun(["check", "--base", "HEAD", "--now", NOW]).success();
    assert!(run.stderr.contains("nobody is eligible for the shift 2022-W25"), "{}", run.stderr);
    // A volunteer takes W25, announced with nobody, as the announcement asks.
    edit(&t, "roster.toml", |r| r + "\n[[person]]\ngithub = \"dave\"\nsince = 2022-06-20\n");
    let run = t.rerun(["check", "--base", "HEAD", "--now", NOW]).success();
    assert!(!run.stderr.contains("nobody is eligible for the shift 2022-W25"), "{}", run.stderr);
}
