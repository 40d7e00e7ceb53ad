mod common;

use common::{NOW, Test};

const RUNBOOK: &str = "+++\ntitle = \"Runbook\"\n+++\nWhat to do.\n";

#[test]
fn announces_now_next_runbook_and_links() {
    let run = Test::fixture("basic")
        .data_file("runbook/README.md", RUNBOOK)
        .args(["announce", "--now", NOW])
        .run()
        .success();
    insta::assert_snapshot!("basic", run.stdout);
}

#[test]
fn calls_for_volunteers_when_an_upcoming_shift_has_nobody() {
    // carol alone, leaving before W25: W25 and W26 have nobody.
    let run = Test::fixture("basic")
        .data_file("roster.toml", "[[person]]\ngithub = \"carol\"\nsince = 2022-05-30\nuntil = 2022-06-20\n")
        .args(["announce", "--weeks", "3", "--now", NOW])
        .run()
        .success();
    insta::assert_snapshot!("gaps", run.stdout);
}

#[test]
fn before_the_rotation_starts_it_names_the_first_shifts() {
    let run = Test::fixture("basic").args(["announce", "--now", "2022-05-20T12:00:00Z"]).run().success();
    insta::assert_snapshot!("before_start", run.stdout);
}

#[test]
fn announce_names_each_person_of_the_next_shifts() {
    let run = Test::fixture("basic").args(["announce", "--weeks", "4", "--now", NOW]).run().success();
    let json = Test::fixture("basic")
        .args(["schedule", "--format", "json", "--weeks", "4", "--now", NOW])
        .run()
        .success();
    let shifts: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let shifts = shifts["shifts"].as_array().unwrap();
    assert_eq!(shifts.len(), 5);
    for s in shifts {
        let line = format!("@{}", s["person"].as_str().unwrap());
        assert!(run.stdout.contains(&line), "{line} missing from\n{}", run.stdout);
        assert!(run.stdout.contains(s["id"].as_str().unwrap()), "{}", run.stdout);
    }
}

#[test]
fn schedule_filters_by_person_and_suggests_a_login() {
    let run = Test::fixture("basic")
        .args(["schedule", "--person", "bob", "--weeks", "6", "--now", NOW])
        .run()
        .success();
    let rows: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("2022-W")).collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.contains("@bob")), "{}", run.stdout);
    assert!(rows[0].starts_with("2022-W23") && rows[0].ends_with("now"), "{}", run.stdout);
    let run = Test::fixture("basic").args(["schedule", "--person", "bbo", "--now", NOW]).run().failure(2);
    assert!(run.stderr.contains("`bbo` is not in the roster"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `bob`?"), "{}", run.stderr);
}

#[test]
fn schedule_table_marks_overrides() {
    let run = Test::fixture("basic").args(["schedule", "--weeks", "2", "--now", NOW]).run().success();
    let w24 = run.stdout.lines().find(|l| l.starts_with("2022-W24")).unwrap();
    assert!(w24.contains("@carol") && w24.contains("override: swap with <b>bob</b>"), "{w24}");
    assert!(w24.contains("Mon 13 Jun – Sun 19 Jun 2022"), "{w24}");
}

#[test]
fn config_get_prints_a_value_or_nothing() {
    let run = Test::fixture("basic").args(["config", "get", "project.name"]).run().success();
    assert_eq!(run.stdout, "Example Project\n");
    let run = Test::fixture("basic").args(["config", "get", "project.pinned_issue"]).run().success();
    assert_eq!(run.stdout, "");
    let config = std::fs::read_to_string(common::fixtures().join("basic/config.toml")).unwrap();
    let run = Test::fixture("basic")
        .data_file("config.toml", &config.replace("[site]", "pinned_issue = 11462\n\n[site]"))
        .args(["config", "get", "project.pinned_issue"])
        .run()
        .success();
    assert_eq!(run.stdout, "11462\n");
    let run = Test::fixture("basic").args(["config", "get", "project.pinned"]).run().failure(2);
    assert!(run.stderr.contains("did you mean `project.pinned_issue`?"), "{}", run.stderr);
}

#[test]
fn failures_still_open_from_the_shift_that_ended_are_listed() {
    // 2022-W23 (6–12 June) ended on the 13th; its disk-space failure is open,
    // its other one fixed.
    let run = Test::fixture("triage").args(["announce", "--now", "2022-06-14T12:00:00Z"]).run().success();
    assert!(run.stdout.contains("**Still open from 2022-W23**"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "- [\\[ci\\] Disk &lt;full&gt; on agents](https://github.com/example/project/issues/13)"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("flaky-a-again") && !run.stdout.contains("test_a"), "{}", run.stdout);
}
