mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use common::{NOW, Run, Test};

/// One VEVENT as a calendar client sees it after a real RFC 5545 parser.
#[derive(Debug)]
struct Event {
    uid: String,
    start: NaiveDate,
    end: NaiveDate,
    summary: String,
    transp: String,
}

fn parse_feed(text: &str) -> (BTreeMap<String, String>, Vec<Event>) {
    // Every line ends in CRLF and is at most 75 octets.
    assert!(text.ends_with("\r\n"), "feed does not end in CRLF");
    for line in text.split("\r\n") {
        assert!(!line.contains('\n'), "bare LF in {line:?}");
        assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
    }
    let unfolded = icalendar::parser::unfold(text);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("valid iCalendar");
    let props = calendar.properties.iter().map(|p| (p.name.to_string(), p.val.to_string())).collect();
    let date = |c: &icalendar::parser::Component<'_>, name: &str| {
        let prop = c.find_prop(name).unwrap_or_else(|| panic!("{name} missing"));
        assert!(
            prop.params
                .iter()
                .any(|p| p.key.as_str() == "VALUE" && p.val.as_ref().map(|v| v.as_str()) == Some("DATE")),
            "{name} is not VALUE=DATE"
        );
        NaiveDate::parse_from_str(prop.val.as_str(), "%Y%m%d").unwrap()
    };
    let events = calendar
        .components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .map(|c| {
            let text = |name: &str| c.find_prop(name).map(|p| p.val.to_string()).unwrap_or_default();
            Event {
                uid: text("UID"),
                start: date(c, "DTSTART"),
                end: date(c, "DTEND"),
                summary: text("SUMMARY"),
                transp: text("TRANSP"),
            }
        })
        .collect();
    (props, events)
}

fn feed(run: &Run, path: &str) -> (BTreeMap<String, String>, Vec<Event>) {
    parse_feed(&run.site_file(path))
}

/// Shift id → person, from the site's own schedule.json.
fn assigned(run: &Run) -> BTreeMap<String, String> {
    let json = run.site_json("api/schedule.json");
    json["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| Some((s["id"].as_str()?.to_string(), s["person"].as_str()?.to_string())))
        .collect()
}

#[test]
fn the_shared_feed_has_one_all_day_event_per_assigned_shift() {
    let run = Test::fixture("basic").args(["build", "--now", NOW]).run().success();
    let (props, events) = feed(&run, "calendar.ics");
    let shifts = assigned(&run);
    assert_eq!(events.len(), shifts.len());
    assert_eq!(props["VERSION"], "2.0");
    assert_eq!(props["X-WR-CALNAME"], "Example CI: on call");
    assert_eq!(props["REFRESH-INTERVAL"], "PT12H");
    assert_eq!(props["X-PUBLISHED-TTL"], "PT12H");
    let uids: BTreeSet<&str> = events.iter().map(|e| e.uid.as_str()).collect();
    assert_eq!(uids.len(), events.len(), "UIDs are not unique");
    for e in &events {
        let id = e.uid.strip_suffix("@example.org").expect("UID names the site's host");
        assert!(e.summary.starts_with(&format!("CI on call: @{}", shifts[id])), "{e:?}");
        assert_eq!(e.transp, "TRANSPARENT");
        assert_eq!((e.end - e.start).num_days(), 7, "{e:?}");
    }
    // The first shift is Mon 30 May to Sun 5 Jun; DTEND is the day after.
    let first = events.iter().find(|e| e.uid == "2022-W22@example.org").unwrap();
    assert_eq!(first.start, NaiveDate::from_ymd_opt(2022, 5, 30).unwrap());
    assert_eq!(first.end, NaiveDate::from_ymd_opt(2022, 6, 6).unwrap());
}

#[test]
fn a_person_feed_has_exactly_their_shifts() {
    let run = Test::fixture("basic").args(["build", "--now", NOW]).run().success();
    let shifts = assigned(&run);
    for login in ["alice", "bob", "carol"] {
        let (props, events) = feed(&run, &format!("people/{login}.ics"));
        assert_eq!(props["X-WR-CALNAME"], format!("Example CI: @{login} on call"));
        let mine: BTreeSet<String> = shifts
            .iter()
            .filter(|(_, p)| *p == login)
            .map(|(id, _)| format!("{id}.{login}@example.org"))
            .collect();
        let uids: BTreeSet<String> = events.iter().map(|e| e.uid.clone()).collect();
        assert_eq!(uids, mine, "{login}");
    }
}

#[test]
fn uids_stay_the_same_as_time_passes_and_rebuilds_are_identical() {
    let mut t = Test::fixture("basic");
    let early = t.rerun(["build", "--now", NOW]).success();
    let early_feed = early.site_file("calendar.ics");
    let (_, early_events) = parse_feed(&early_feed);
    let again = t.rerun(["build", "--now", NOW]).success();
    assert_eq!(early_feed, again.site_file("calendar.ics"), "a rebuild changed the feed");
    let later = t.rerun(["build", "--now", "2022-07-20T12:00:00Z"]).success();
    let (_, later_events) = parse_feed(&later.site_file("calendar.ics"));
    assert!(later_events.len() > early_events.len());
    for e in &early_events {
        let same = later_events.iter().find(|l| l.uid == e.uid).expect("the shift keeps its UID");
        assert_eq!((same.start, same.end, &same.summary), (e.start, e.end, &e.summary));
    }
}

#[test]
fn shifts_across_daylight_saving_changes_are_whole_weeks() {
    // America/Los_Angeles falls back on Sun 6 Nov 2022 and springs forward on Sun 12 Mar 2023.
    for (now, id, monday) in [
        ("2022-11-01T12:00:00Z", "2022-W44", NaiveDate::from_ymd_opt(2022, 10, 31).unwrap()),
        ("2023-03-08T12:00:00Z", "2023-W10", NaiveDate::from_ymd_opt(2023, 3, 6).unwrap()),
    ] {
        let run = Test::fixture("basic").args(["build", "--now", now]).run().success();
        let (_, events) = feed(&run, "calendar.ics");
        let e = events.iter().find(|e| e.uid == format!("{id}@example.org")).expect(id);
        assert_eq!(e.start, monday);
        assert_eq!(e.end, monday + chrono::Days::new(7));
        // The next shift starts on the day this one ends: no gap, no overlap.
        let next = events.iter().find(|n| n.start == e.end).expect("the next shift");
        assert_eq!((next.end - next.start).num_days(), 7);
    }
}

#[test]
fn text_from_the_data_is_escaped_and_folded() {
    let run = Test::fixture("basic")
        .data_file(
            "roster.toml",
            "[[person]]\ngithub = \"zoe\"\nname = \"Zoë, the; \\\\ tester 🦀 with a name long enough to fold twice over\"\nsince = 2022-05-30\n",
        )
        .data_file("overrides.toml", "")
        .args(["build", "--now", NOW])
        .run()
        .success();
    let raw = run.site_file("calendar.ics");
    let (_, events) = parse_feed(&raw);
    assert!(!events.is_empty());
    // The parser undoes the escaping and the folding: the name comes back whole.
    assert_eq!(
        events[0].summary,
        "CI on call: @zoe (Zoë, the; \\ tester 🦀 with a name long enough to fold twice over)"
    );
    let unfolded = raw.replace("\r\n ", "");
    assert!(unfolded.contains("SUMMARY:CI on call: @zoe (Zoë\\, the\\; \\\\ tester 🦀"), "{unfolded}");
}

#[test]
fn pages_offer_webcal_and_https_subscriptions() {
    let run = Test::fixture("basic")
        .args(["build", "--now", NOW, "--base-url", "https://o.github.io/repo/"])
        .run()
        .success();
    file_contains!(
        run,
        "schedule/index.html",
        "href=\"webcal://o.github.io/repo/calendar.ics\"",
        "href=\"https://o.github.io/repo/calendar.ics\"",
        "Google Calendar refreshes subscribed calendars slowly"
    );
    file_contains!(
        run,
        "people/bob/index.html",
        "href=\"webcal://o.github.io/repo/people/bob.ics\"",
        "href=\"https://o.github.io/repo/people/bob.ics\""
    );
}

#[test]
fn unassigned_shifts_are_marked_with_a_sign_up_link() {
    // Only carol, who leaves on 2022-07-01: later shifts have nobody.
    let run = Test::fixture("basic")
        .data_file("roster.toml", "[[person]]\ngithub = \"carol\"\nsince = 2022-05-30\nuntil = 2022-06-20\n")
        .data_file("overrides.toml", "")
        .args(["build", "--now", NOW])
        .run()
        .success();
    assert!(run.stderr.contains("nobody is eligible for the shift 2022-W25"), "{}", run.stderr);
    let schedule = run.site_file("schedule/index.html");
    assert!(schedule.contains("class=\"upcoming unassigned\""), "{schedule}");
    assert!(schedule.contains("nobody yet</span> <a class=\"sign-up\" href=\"../schedule/#sign-up\">"));
    assert!(schedule.contains("id=\"sign-up\""));
    file_contains!(run, "index.html", "href=\"schedule/#sign-up\"");
    // No event for a shift nobody has.
    let (_, events) = feed(&run, "calendar.ics");
    assert!(events.iter().all(|e| e.summary == "CI on call: @carol"));
}

/// The same feeds through Python's `icalendar` 7.x, when it is installed.
#[test]
fn python_icalendar_reads_the_feeds() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = std::process::Command::new(&python)
        .args([
            "-c",
            "import icalendar, sys; sys.exit(0 if int(icalendar.__version__.split('.')[0]) >= 7 else 1)",
        ])
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        common::missing_tool("Python's icalendar 7.x", "pip install 'icalendar>=7,<8'");
        return;
    }
    let run = Test::fixture("basic").args(["build", "--now", NOW]).run().success();
    // Months later, past a daylight saving change.
    let later = Test::fixture("basic").args(["build", "--now", "2022-11-20T12:00:00Z"]).run().success();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_feeds.py");
    let out = std::process::Command::new(&python)
        .arg(script)
        .arg(run.dir.join("site"))
        .arg(later.dir.join("site"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("shifts keep their UIDs and dates across builds"), "{stdout}");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
