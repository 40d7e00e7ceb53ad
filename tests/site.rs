mod common;

use common::{NOW, Test, snapshot_dir};

#[test]
fn builds_every_page_of_the_foundation() {
    let run = Test::fixture("basic").args(["build", "--now", NOW]).run().success();
    for page in [
        "index.html",
        "schedule/index.html",
        "people/alice/index.html",
        "shifts/2022-W22/index.html",
        "404.html",
        "api/schedule.json",
        "static/style.css",
    ] {
        assert!(run.dir.join("site").join(page).is_file(), "{page} missing");
    }
}

#[test]
fn home_page_names_the_person_schedule_json_has_for_now() {
    let run = Test::fixture("basic").args(["build", "--now", NOW]).run().success();
    let json = run.site_json("api/schedule.json");
    let now = chrono::DateTime::parse_from_rfc3339(NOW).unwrap();
    let current = json["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            let start = chrono::DateTime::parse_from_rfc3339(s["start"].as_str().unwrap()).unwrap();
            let end = chrono::DateTime::parse_from_rfc3339(s["end"].as_str().unwrap()).unwrap();
            start <= now && now < end
        })
        .expect("a shift at NOW");
    let login = current["person"].as_str().unwrap();
    file_contains!(run, "index.html", &format!("@{login}</a>"), "2022-W23");
}

#[test]
fn schedule_json_has_the_contracted_shape() {
    let run = Test::fixture("basic").args(["build", "--now", NOW]).run().success();
    let json = run.site_json("api/schedule.json");
    assert_eq!(json["timezone"], "America/Los_Angeles");
    let shifts = json["shifts"].as_array().unwrap();
    assert_eq!(shifts[0]["id"], "2022-W22");
    assert_eq!(shifts[0]["start"], "2022-05-30T16:00:00Z");
    assert_eq!(shifts[0]["end"], "2022-06-06T16:00:00Z");
    // From the start through the horizon: 4 weeks after 2022-06-08 is W27.
    assert_eq!(shifts.last().unwrap()["id"], "2022-W27");
    let w24 = &shifts[2];
    assert_eq!(
        (w24["person"].as_str(), &w24["override"], &w24["reason"]),
        (Some("carol"), &true.into(), &"swap with <b>bob</b>".into())
    );
    for s in shifts {
        let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["end", "id", "override", "person", "reason", "start"]);
    }
}

#[test]
fn data_is_escaped_in_pages() {
    let run = Test::fixture("basic").args(["build", "--now", NOW]).run().success();
    file_contains!(run, "schedule/index.html", "swap with &lt;b&gt;bob&lt;/b&gt;");
    file_contains!(run, "people/alice/index.html", "Alice &lt;Admin&gt;");
    assert!(!run.site_file("people/alice/index.html").contains("<Admin>"));
}

#[test]
fn pages_link_relatively_so_a_project_subpath_works() {
    let run = Test::fixture("basic")
        .args(["build", "--now", NOW, "--base-url", "https://o.github.io/repo"])
        .run()
        .success();
    file_contains!(
        run,
        "shifts/2022-W23/index.html",
        "href=\"../../static/style.css\"",
        "href=\"../../schedule/\""
    );
    // 404.html is served at any path, so it links absolutely.
    file_contains!(run, "404.html", "href=\"https://o.github.io/repo/static/style.css\"");
}

#[test]
fn the_same_data_builds_byte_identical_sites() {
    let mut t = Test::fixture("basic");
    let first = t.rerun(["build", "--now", NOW]).success();
    let a = snapshot_dir(&first.dir.join("site"));
    let second = t.rerun(["build", "--now", NOW]).success();
    assert_eq!(a, snapshot_dir(&second.dir.join("site")));
}

#[test]
fn source_date_epoch_pins_the_clock() {
    // 2022-06-08T12:00:00Z
    let run = Test::fixture("basic").env("SOURCE_DATE_EPOCH", "1654689600").args(["build"]).run().success();
    file_contains!(run, "index.html", "2022-06-08 12:00 UTC");
}

#[test]
fn a_malformed_config_is_located_and_leaves_the_old_site_intact() {
    let mut t = Test::fixture("basic");
    t.rerun(["build", "--now", NOW]).success();
    let before = snapshot_dir(&t.path().join("site"));
    let config = std::fs::read_to_string(t.path().join("data/config.toml")).unwrap();
    std::fs::write(
        t.path().join("data/config.toml"),
        config.replace("shift_weeks = 1", "shift_weeks = 1\nshfit_weeks = 2").replace("Mon", "Mondays"),
    )
    .unwrap();
    let run = t.rerun(["build", "--now", NOW]).failure(1);
    // Both problems at once, each at file:line:col.
    assert!(run.stderr.contains("data/config.toml:12:1"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `shift_weeks`?"), "{}", run.stderr);
    assert!(run.stderr.contains("data/config.toml:13:23"), "{}", run.stderr);
    assert!(run.stderr.contains("`Mondays` is not a weekday"), "{}", run.stderr);
    assert_eq!(before, snapshot_dir(&t.path().join("site")), "the old site changed");
}

#[test]
fn toml_syntax_errors_are_located() {
    let run = Test::fixture("basic")
        .data_file("roster.toml", "[[person]]\ngithub = \"alice\"\nsince = 2022-05-30\nname = \n")
        .args(["check", "--now", NOW])
        .run()
        .failure(1);
    assert!(run.stderr.contains("data/roster.toml:4:"), "{}", run.stderr);
}

#[test]
fn roster_and_override_problems_are_all_reported() {
    let run = Test::fixture("basic")
        .data_file(
            "roster.toml",
            r#"[[person]]
github = "alice"
since = 2022-05-30
[[person]]
github = "Alice"
since = 2022-05-30
[[person]]
github = "-bad-"
since = 2022-05-30
[[person]]
github = "dave"
since = 2022-07-01
until = 2022-06-01
timezone = "Mars/Olympus"
[[person]]
github = "erin"
since = 2022-05-30
away = [{ from = 2022-07-10, to = 2022-07-01 }]
"#,
        )
        .data_file("overrides.toml", "[[override]]\nshift = 2022-05-01\nperson = \"alice\"\n[[override]]\nshift = 2022-06-01\nperson = \"alcie\"\n")
        .args(["check", "--now", NOW])
        .run()
        .failure(1);
    for expected in [
        "`Alice` is in the roster twice",
        "`-bad-` is not a valid GitHub login",
        "`until` (2022-06-01) must come after `since` (2022-07-01)",
        "unknown time zone `Mars/Olympus`",
        "this away range ends (2022-07-01) before it starts (2022-07-10)",
        "2022-05-01 is before the rotation starts",
        "`alcie` is not in the roster",
        "did you mean `alice`?",
        "data/roster.toml:5:10",
        "data/overrides.toml:6:10",
    ] {
        assert!(run.stderr.contains(expected), "missing {expected:?} in\n{}", run.stderr);
    }
}

#[test]
fn check_writes_nothing_and_succeeds_on_good_data() {
    let run = Test::fixture("basic").args(["check", "--now", NOW]).run().success();
    assert!(!run.dir.join("site").exists());
}

#[test]
fn the_shipped_sample_builds() {
    let run = Test::sample().args(["build", "--now", NOW]).run().success();
    file_contains!(run, "index.html", "TVM CI Monitoring");
}

#[test]
fn misuse_of_the_command_line_exits_2() {
    Test::fixture("basic").args(["build", "--bogus"]).run().failure(2);
    Test::fixture("basic").args(["build", "--now", "yesterday"]).run().failure(2);
}

#[test]
fn handoff_notes_link_issues_and_people_and_are_sanitised() {
    let run = Test::fixture("basic").args(["build", "--now", NOW]).run().success();
    file_contains!(
        run,
        "shifts/2022-W23/index.html",
        "<h2>Still open</h2>",
        "href=\"https://github.com/example/project/issues/42\"",
        "href=\"../../people/alice/\"",
    );
    assert!(!run.site_file("shifts/2022-W23/index.html").contains("<script>alert"));
}
