mod common;

use std::fmt::Write as _;

use common::{NOW, Test, snapshot_dir};

const ATOM: &str = "http://www.w3.org/2005/Atom";

fn build() -> common::Run {
    Test::fixture("triage").args(["build", "--now", NOW]).run().success()
}

fn ids(json: &serde_json::Value) -> Vec<String> {
    json["failures"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn failures_json_has_the_contracted_shape() {
    let run = build();
    let json = run.site_json("api/failures.json");
    assert_eq!(
        ids(&json),
        [
            "2022-06-07-flaky-a-again",
            "2022-06-06-disk-space",
            "2022-06-01-flaky-a",
            "2022-05-31-regression-b"
        ]
    );
    for f in json["failures"].as_array().unwrap() {
        let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["date", "id", "issue", "kind", "occurrences", "pr", "shift", "status", "test", "url"]
        );
    }
    let a = &json["failures"][2];
    assert_eq!(a["kind"], "flaky");
    assert_eq!(a["date"], "2022-06-01");
    assert_eq!(a["test"], "tests/test_a.py::test_a");
    assert_eq!(a["status"], "disabled");
    assert_eq!(a["issue"], "https://github.com/example/project/issues/10");
    assert_eq!(a["pr"], "https://github.com/example/project/pull/11");
    assert_eq!(a["shift"], "2022-W22");
    assert_eq!(a["occurrences"], 2);
    assert_eq!(a["url"], "https://example.org/ci/failures/2022-06-01-flaky-a/");
    let infra = &json["failures"][1];
    assert_eq!((&infra["test"], &infra["pr"]), (&serde_json::Value::Null, &serde_json::Value::Null));
    // A URL in the data is normalised to the same form as a number.
    assert_eq!(json["failures"][0]["issue"], "https://github.com/example/project/issues/12");
    assert_eq!(json["failures"][3]["pr"], "https://github.com/example/project/pull/9");
}

#[test]
fn failure_pages_show_the_job_issue_pr_and_who_triaged() {
    let run = build();
    let schedule = run.site_json("api/schedule.json");
    let w22 = schedule["shifts"][0]["person"].as_str().unwrap().to_string();
    file_contains!(
        run,
        "failures/2022-06-01-flaky-a/index.html",
        "https://ci.example.org/job/main/101/",
        "https://github.com/example/project/commit/abc1234",
        "href=\"https://github.com/example/project/issues/10\">#10</a>",
        "href=\"https://github.com/example/project/pull/11\">#11</a>",
        &format!("@{w22}</a> <span class=\"muted\""),
        "(on call)",
        "href=\"../../shifts/2022-W22/\"",
        "AssertionError: 0.51 &gt; 0.5",
        "2022-06-07",
        "Other failures of this test",
        "2022-06-07-flaky-a-again",
        "Other failures with the same error",
    );
    // Someone outside the roster links to GitHub; the page escapes titles.
    file_contains!(
        run,
        "failures/2022-06-07-flaky-a-again/index.html",
        "href=\"https://github.com/dave\">@dave</a>"
    );
    file_contains!(run, "failures/2022-06-06-disk-space/index.html", "[ci] Disk &lt;full&gt; on agents");
    assert!(!run.site_file("failures/2022-06-06-disk-space/index.html").contains("<full>"));
}

#[test]
fn the_failures_page_lists_every_failure_newest_first_and_filters_without_needing_js() {
    let run = build();
    let page = run.site_file("failures/index.html");
    // The first link of each row names its failure.
    let rows: Vec<&str> = page
        .split("<tr data-kind=")
        .skip(1)
        .map(|row| row.split("href=\"../failures/").nth(1).and_then(|r| r.split('/').next()).unwrap())
        .collect();
    assert_eq!(
        rows,
        [
            "2022-06-07-flaky-a-again",
            "2022-06-06-disk-space",
            "2022-06-01-flaky-a",
            "2022-05-31-regression-b"
        ]
    );
    assert_eq!(page.matches("<tr data-kind=").count(), 4);
    for needle in [
        "<form class=\"filters\" id=\"failure-filters\" hidden>",
        "data-kind=\"infra\" data-status=\"open\"",
        "static/failures.js",
        "same error as <a href=\"../failures/2022-06-01-flaky-a/\">",
        "<svg class=\"chart\"",
        "<title id=\"weekly-t\">",
        "<desc id=\"weekly-d\">",
        "Top flaky tests",
        "These figures as a table",
        "no entry records them yet",
    ] {
        assert!(page.contains(needle), "failures page lacks {needle:?}");
    }
    assert!(run.dir.join("site/static/failures.js").is_file());
    file_contains!(
        run,
        "index.html",
        "Recent failures",
        "href=\"failures/2022-06-07-flaky-a-again/\"",
        ">Failures</a>"
    );
}

#[test]
fn a_test_page_groups_entries_filed_separately() {
    let run = build();
    let page = "tests/tests-test-a-py-test-a/index.html";
    file_contains!(
        run,
        page,
        "tests/test_a.py::test_a",
        "filed 2 times",
        "3 failed jobs",
        "2022-06-01-flaky-a",
        "2022-06-07-flaky-a-again",
        ">#10</a>",
        ">#11</a>",
        ">#12</a>",
        "<svg class=\"strip\"",
        "https://ci.example.org/job/main/109/",
    );
    assert!(run.dir.join("site/tests/tests-test-b-py-test-b-x-1/index.html").is_file());
    let index = run.site_file("tests/index.html");
    let a = index.find("href=\"../tests/tests-test-a-py-test-a/\"").expect("test_a listed");
    let b = index.find("href=\"../tests/tests-test-b-py-test-b-x-1/\"").expect("test_b listed");
    assert!(a < b, "the test with more failed jobs comes first");
}

#[test]
fn shift_pages_list_their_failures_and_handoff_notes() {
    let run = build();
    file_contains!(
        run,
        "shifts/2022-W23/index.html",
        "Failures triaged in this shift",
        "href=\"../../failures/2022-06-07-flaky-a-again/\"",
        "href=\"../../failures/2022-06-06-disk-space/\"",
        "Seen again in this shift",
        "href=\"../../failures/2022-06-01-flaky-a/\"",
        "The disk on the agents fills up every few days.",
    );
    file_contains!(
        run,
        "shifts/2022-W24/index.html",
        "No failures on <code>main</code> were first seen in this shift."
    );
}

#[test]
fn the_atom_feed_is_valid_and_does_not_depend_on_the_clock() {
    let run = build();
    let text = run.site_file("feed.xml");
    check_atom(&text, 4);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let feed = doc.root_element();
    let child = |name: &str| feed.children().find(|n| n.has_tag_name((ATOM, name))).unwrap();
    assert_eq!(child("updated").text(), Some("2022-06-07T00:00:00Z"));
    assert_eq!(child("id").text(), Some("tag:example.org,2022-05-30:/ci/failures/"));
    let first = feed.children().find(|n| n.has_tag_name((ATOM, "entry"))).unwrap();
    let id = first.children().find(|n| n.has_tag_name((ATOM, "id"))).unwrap().text().unwrap();
    assert_eq!(id, "tag:example.org,2022-05-30:/ci/failures/2022-06-07-flaky-a-again/");

    let later = Test::fixture("triage").args(["build", "--now", "2023-01-01T00:00:00Z"]).run().success();
    assert_eq!(later.site_file("feed.xml"), text);
}

#[test]
fn the_sitemap_lists_every_page_with_absolute_urls() {
    let run = build();
    let text = run.site_file("sitemap.xml");
    let doc = roxmltree::Document::parse(&text).expect("well-formed sitemap");
    let locs: Vec<&str> =
        doc.descendants().filter(|n| n.has_tag_name("loc")).filter_map(|n| n.text()).collect();
    let pages: Vec<String> = snapshot_dir(&run.dir.join("site"))
        .into_iter()
        .filter_map(|(p, _)| p.to_str().and_then(|p| p.strip_suffix("index.html")).map(str::to_string))
        .collect();
    assert_eq!(locs.len(), pages.len());
    for needle in [
        "https://example.org/ci/",
        "https://example.org/ci/failures/",
        "https://example.org/ci/failures/2022-06-01-flaky-a/",
        "https://example.org/ci/tests/tests-test-a-py-test-a/",
        "https://example.org/ci/shifts/2022-W23/",
    ] {
        assert!(locs.contains(&needle), "{needle} not in sitemap");
    }
    assert!(!text.contains("404"));
}

#[test]
fn triage_problems_are_located_and_all_reported() {
    let run = Test::fixture("triage")
        .data_file(
            "triage/2022/bad.toml",
            "kind = \"flakey\"\ndate = \"2022-06-01\"\njob = \"ci.example.org/1\"\nissue = \"https://github.com/other/repo/issues/1\"\nstatus = \"done\"\n",
        )
        .data_file("triage/2023/2022-06-01-flaky-a.toml", "kind = \"infra\"\ndate = 2023-01-02\njob = \"https://ci/x\"\nstatus = \"open\"\nissue = 5\n")
        .args(["check", "--now", NOW])
        .run()
        .failure(1);
    for needle in [
        "data/triage/2022/bad.toml:1:8",
        "did you mean `flaky`?",
        "data/triage/2022/bad.toml:2:8",
        "write the date without quotes",
        "data/triage/2022/bad.toml:3:7",
        "is not an http(s) URL",
        "data/triage/2022/bad.toml:4:9",
        "is not an issue or pull request of https://github.com/example/project",
        "data/triage/2022/bad.toml:5:10",
        "`done` is not one of open, disabled, fixed, closed",
        "two triage entries have the id `2022-06-01-flaky-a`",
    ] {
        assert!(run.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", run.stderr);
    }
}

#[test]
fn check_warns_of_duplicates_and_open_entries_without_an_issue() {
    let run = Test::fixture("triage")
        .data_file(
            "triage/2022/2022-06-08-flaky-a-third.toml",
            "kind = \"flaky\"\ndate = 2022-06-08\njob = \"https://ci.example.org/job/main/120/\"\ntest = \"tests/test_a.py::test_a\"\nstatus = \"open\"\n",
        )
        .data_file(
            "triage/2022/2022-06-02-no-issue.toml",
            "kind = \"infra\"\ndate = 2022-06-02\njob = \"https://ci.example.org/job/main/102/\"\nstatus = \"open\"\n",
        )
        .data_file(
            "triage/2022/2022-06-07-disk-again.toml",
            "kind = \"infra\"\ndate = 2022-06-07\njob = \"https://ci.example.org/job/main/111/\"\nstatus = \"open\"\n",
        )
        .args(["check", "--now", NOW])
        .run()
        .success();
    let err = &run.stderr;
    // test_a's older entries are disabled and fixed: not a duplicate of an open one.
    assert!(!err.contains("already has an open entry"), "{err}");
    assert!(err.contains("2022-06-02-no-issue has been open for 6 days without an issue"), "{err}");
    assert!(err.contains("data/triage/2022/2022-06-02-no-issue.toml:4:10"), "{err}");
    // One day old: still within the two days to file an issue.
    assert!(!err.contains("2022-06-07-disk-again has been open"), "{err}");

    let run = Test::fixture("triage")
        .data_file(
            "triage/2022/2022-06-05-flaky-b.toml",
            "kind = \"regression\"\ndate = 2022-06-05\njob = \"https://ci/1\"\ntest = \"tests/test_b.py::test_b[x-1]\"\nissue = 20\nstatus = \"open\"\n",
        )
        .data_file(
            "triage/2022/2022-06-08-flaky-b-again.toml",
            "kind = \"regression\"\ndate = 2022-06-08\njob = \"https://ci/2\"\ntest = \"tests/test_b.py::test_b[x-1]\"\nstatus = \"open\"\n",
        )
        .args(["check", "--now", NOW])
        .run()
        .success();
    let err = &run.stderr;
    assert!(
        err.contains("`tests/test_b.py::test_b[x-1]` already has an open entry: 2022-06-05-flaky-b (#20)"),
        "{err}"
    );
    assert!(err.contains("data/triage/2022/2022-06-08-flaky-b-again.toml:4:8"), "{err}");
    assert!(err.contains("add a [[seen]]"), "{err}");
    assert_eq!(err.matches("already has an open entry").count(), 1, "{err}");
}

#[test]
fn the_same_triage_log_builds_byte_identical_sites() {
    let mut t = Test::fixture("triage").args(["build", "--now", NOW]);
    t.run().success();
    let first = snapshot_dir(&t.path().join("site"));
    t.rerun(["build", "--now", NOW]).success();
    assert_eq!(first, snapshot_dir(&t.path().join("site")));
}

/// Sixty entries over six months, one test filed every other week.
fn big_log(mut t: Test) -> Test {
    let start = chrono::NaiveDate::from_ymd_opt(2022, 5, 30).unwrap();
    for i in 0..60u32 {
        let date = start + chrono::Duration::days(i64::from(i) * 3);
        let (kind, test) = match i % 4 {
            0 => ("flaky", Some("tests/test_often.py::test_often".to_string())),
            1 => ("infra", None),
            2 => ("regression", Some(format!("tests/test_r.py::test_r{i}"))),
            _ => ("flaky", Some(format!("tests/test_f.py::test_f[{}]", i % 7))),
        };
        let mut text =
            format!("kind = \"{kind}\"\ndate = {date}\njob = \"https://ci.example.org/job/{i}/\"\n");
        if let Some(test) = test {
            let _ = writeln!(text, "test = \"{test}\"");
        }
        let _ = writeln!(text, "error = \"Error {i} at 0x{:x} in /tmp/tmp{i}/x\"", i * 4099);
        let _ = writeln!(text, "issue = {}", 1000 + i);
        let status = ["fixed", "closed", "disabled"][(i % 3) as usize];
        let _ = writeln!(text, "status = \"{status}\"");
        if i % 5 == 0 {
            let _ = writeln!(text, "[[seen]]\ndate = {}", date + chrono::Duration::days(1));
        }
        t = t.data_file(&format!("triage/2022/gen-{i:02}.toml"), &text);
    }
    t
}

#[test]
fn a_log_of_sixty_entries_builds_grouped_pages_and_a_valid_feed() {
    let run =
        big_log(Test::fixture("basic")).args(["build", "--now", "2022-12-01T00:00:00Z"]).run().success();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let json = run.site_json("api/failures.json");
    assert_eq!(json["failures"].as_array().unwrap().len(), 60);
    check_atom(&run.site_file("feed.xml"), 50);

    // Every fourth entry is the same test: one page lists all fifteen.
    let page = run.site_file("tests/tests-test-often-py-test-often/index.html");
    for i in (0..60).step_by(4) {
        assert!(page.contains(&format!("failures/gen-{i:02}/")), "gen-{i:02} missing from the test page");
    }
    assert!(page.contains("filed 15 times"));

    // Each failure is on the page of the shift it was first seen in.
    for f in json["failures"].as_array().unwrap() {
        let (id, shift) = (f["id"].as_str().unwrap(), f["shift"].as_str().unwrap());
        let page = run.site_file(&format!("shifts/{shift}/index.html"));
        assert!(page.contains(&format!("failures/{id}/")), "{id} missing from shift {shift}");
    }
    // All sixty errors normalise to one: the failures page says so.
    file_contains!(
        run,
        "failures/index.html",
        "same error as <a href=\"../failures/gen-00/\">gen-00</a> and 58 more"
    );
}

/// Checks the elements RFC 4287 requires of a feed and of each entry.
fn check_atom(text: &str, entries: usize) {
    let doc = roxmltree::Document::parse(text).expect("well-formed XML");
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")), "root is not an Atom feed");
    let count = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.children().filter(|n| n.has_tag_name((ATOM, name))).count()
    };
    for name in ["id", "title", "updated"] {
        assert_eq!(count(feed, name), 1, "feed needs exactly one {name}");
    }
    assert!(count(feed, "author") >= 1, "feed needs an author");
    let self_link =
        feed.children().find(|n| n.has_tag_name((ATOM, "link")) && n.attribute("rel") == Some("self"));
    assert!(self_link.is_some_and(|l| l.attribute("href").is_some_and(|h| h.starts_with("http"))));
    let list: Vec<_> = feed.children().filter(|n| n.has_tag_name((ATOM, "entry"))).collect();
    assert_eq!(list.len(), entries);
    let mut ids = std::collections::BTreeSet::new();
    for e in list {
        for name in ["id", "title", "updated"] {
            assert_eq!(count(e, name), 1, "entry needs exactly one {name}");
        }
        let id = e.children().find(|n| n.has_tag_name((ATOM, "id"))).unwrap().text().unwrap().to_string();
        assert!(id.starts_with("tag:"), "{id}");
        assert!(ids.insert(id), "duplicate entry id");
        let updated = e.children().find(|n| n.has_tag_name((ATOM, "updated"))).unwrap().text().unwrap();
        chrono::DateTime::parse_from_rfc3339(updated).expect("RFC 3339 time");
        let alternate = e.children().find(|n| n.has_tag_name((ATOM, "link")));
        assert!(alternate.is_some_and(|l| l.attribute("href").is_some_and(|h| h.starts_with("https://"))));
        assert!(count(e, "summary") + count(e, "content") >= 1);
    }
}

#[test]
fn dates_at_the_ends_of_the_calendar_build_without_panicking() {
    let run = Test::fixture("triage")
        .data_file(
            "triage/9999/far-future.toml",
            "kind = \"flaky\"\ndate = 9999-12-31\njob = \"https://ci/1\"\ntest = \"t.py::t\"\nissue = 1\nstatus = \"open\"\n",
        )
        .data_file(
            "triage/0001/far-past.toml",
            "kind = \"flaky\"\ndate = 0001-01-01\njob = \"https://ci/2\"\ntest = \"t.py::t\"\nissue = 2\nstatus = \"disabled\"\n[[seen]]\ndate = 9999-12-30\n",
        )
        .args(["build", "--now", NOW])
        .run()
        .success();
    assert!(run.stderr.contains("far-future is dated after today"), "{}", run.stderr);
    file_contains!(run, "tests/t-py-t/index.html", "far-past", "far-future");
    check_atom(&run.site_file("feed.xml"), 6);
}

#[test]
fn the_home_page_lists_recent_failures_up_to_the_build_day_only() {
    let run = Test::fixture("triage").args(["build", "--now", "2022-06-06T20:00:00Z"]).run().success();
    let home = run.site_file("index.html");
    assert!(home.contains("failures/2022-06-06-disk-space/"), "{home}");
    assert!(!home.contains("failures/2022-06-07-flaky-a-again/"), "a failure from tomorrow is listed");
}

#[test]
fn an_old_log_charts_the_year_up_to_its_newest_failure() {
    let run = Test::fixture("triage").args(["build", "--now", "2024-03-01T12:00:00Z"]).run().success();
    let page = run.site_file("failures/index.html");
    assert!(page.contains("The 52 weeks up to 2022-06-07"), "{page}");
    assert!(page.contains("<svg"), "no chart drawn");
    // A recent build keeps the plain heading.
    let fresh = Test::fixture("triage").args(["build", "--now", NOW]).run().success();
    assert!(fresh.site_file("failures/index.html").contains("Over the last 52 weeks"));
}

#[test]
fn a_failure_page_lists_at_most_twenty_related_failures() {
    let mut t = Test::fixture("triage");
    for i in 0..30u32 {
        let day = 1 + i % 28;
        let text = format!(
            "kind = \"flaky\"\ndate = 2022-07-{day:02}\njob = \"https://ci.example.org/job/main/{}/\"\n\
             test = \"tests/test_many.py::test_many\"\nerror = \"TimeoutError after {i} s\"\nstatus = \"closed\"\n",
            500 + i
        );
        t = t.data_file(&format!("triage/2022/many-{i:02}.toml"), &text);
    }
    let run = t.args(["build", "--now", "2022-08-01T12:00:00Z"]).run().success();
    let page = run.site_file("failures/many-00/index.html");
    let listed = |heading: &str| {
        let start = page.find(heading).unwrap_or_else(|| panic!("{heading} missing"));
        let section = &page[start..];
        let end = section[1..].find("<h2").map_or(section.len(), |e| e + 1);
        section[..end].matches("<tr").count() - 1 // less the header row
    };
    assert_eq!(listed("Other failures of this test"), 20);
    assert!(page.contains("And 9 more on <a href=\"../../tests/"), "{page}");
    assert_eq!(listed("Other failures with the same error"), 20);
    assert!(page.contains("And 9 older ones."));
}

#[test]
fn days_to_issue_and_pr_are_medians_of_the_recorded_dates() {
    let entry = |id: &str, date: &str, issue_date: &str, pr_date: &str| {
        format!(
            "kind = \"flaky\"\ndate = {date}\njob = \"https://ci.example.org/job/main/{id}/\"\n\
             test = \"tests/test_{id}.py::test_x\"\nissue = 1{id}\nissue_date = {issue_date}\n\
             pr = 2{id}\npr_date = {pr_date}\nstatus = \"disabled\"\n"
        )
    };
    let run = Test::fixture("triage")
        .data_file("triage/2022/d1.toml", &entry("1", "2022-06-01", "2022-06-01", "2022-06-02"))
        .data_file("triage/2022/d2.toml", &entry("2", "2022-06-01", "2022-06-03", "2022-06-05"))
        .data_file("triage/2022/d3.toml", &entry("3", "2022-06-02", "2022-06-03", "2022-06-12"))
        .args(["build", "--now", NOW])
        .run()
        .success();
    let page = run.site_file("failures/index.html");
    // Issues after 0, 2 and 1 days; PRs after 1, 4 and 10 days.
    assert!(page.contains("Median days to the issue (3 entries)</dt><dd>1</dd>"), "{page}");
    assert!(page.contains("Median days to the PR (3 entries)</dt><dd>4</dd>"), "{page}");
}

#[test]
fn issue_and_pr_dates_need_their_issue_and_come_after_the_failure() {
    let run = Test::fixture("triage")
        .data_file(
            "triage/2022/bad-dates.toml",
            "kind = \"infra\"\ndate = 2022-06-05\njob = \"https://ci.example.org/1\"\nissue = 7\n\
             issue_date = 2022-06-01\npr_date = 2022-06-06\nstatus = \"open\"\n",
        )
        .args(["check", "--now", NOW])
        .run()
        .failure(1);
    assert!(
        run.stderr.contains("`issue_date` (2022-06-01) is before the failure was first seen"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`pr_date` without `pr`"), "{}", run.stderr);
    assert!(run.stderr.contains("bad-dates.toml:5:14"), "{}", run.stderr);
}
