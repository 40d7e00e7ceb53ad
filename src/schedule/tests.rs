use chrono::{NaiveDate, TimeZone, Timelike};

use super::*;
use crate::model::testing::{CONFIG, model, model_with, people};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn who(schedule: &Schedule) -> Vec<Option<&str>> {
    schedule.shifts.iter().map(|s| s.person.as_deref()).collect()
}

#[test]
fn shifts_are_named_by_iso_week_and_hand_off_at_wall_clock_time() {
    let m = model(&people(&["a"]), "");
    let s = Schedule::build(&m, 3);
    assert_eq!(s.shifts[0].id, "2022-W22");
    assert_eq!(s.shifts[2].id, "2022-W24");
    // 09:00 in Los Angeles during daylight time is 16:00 UTC.
    assert_eq!(s.shifts[0].start, utc("2022-05-30T16:00:00Z"));
    assert_eq!(s.shifts[0].end, s.shifts[1].start);
    assert_eq!(s.shifts[0].last_day, day("2022-06-05"));
}

#[test]
fn daylight_saving_changes_move_no_handoff() {
    let m = model(&people(&["a"]), "");
    let cal = ShiftCalendar::new(&m.config.rotation);
    let tz = cal.timezone();
    // 2022-11-06 ends daylight time in Los Angeles; 2023-03-12 starts it.
    for first in ["2022-10-31", "2022-11-07", "2023-03-06", "2023-03-13"] {
        let index = cal.index_of_day(day(first)).unwrap();
        let local = cal.start(index).with_timezone(&tz);
        assert_eq!((local.date_naive(), local.hour(), local.minute()), (day(first), 9, 0), "{first}");
    }
    // The UTC instants differ by an hour either side of the change.
    let before = cal.start(cal.index_of_day(day("2022-10-31")).unwrap());
    let after = cal.start(cal.index_of_day(day("2022-11-07")).unwrap());
    assert_eq!((after - before).num_hours(), 7 * 24 + 1);
}

#[test]
fn a_zone_without_daylight_saving_keeps_a_fixed_utc_time() {
    let config = CONFIG.replace("America/Los_Angeles", "Asia/Kolkata");
    let m = model_with(&config, &people(&["a"]), "");
    let s = Schedule::build(&m, 60);
    for shift in &s.shifts {
        assert_eq!((shift.start.hour(), shift.start.minute()), (3, 30), "{}", shift.id);
        assert_eq!((shift.end - shift.start).num_hours(), 168);
    }
}

#[test]
fn the_current_shift_runs_until_the_handoff_time() {
    let m = model(&people(&["a", "b"]), "");
    let s = Schedule::build(&m, 4);
    // Monday 2022-06-06 08:59 in Los Angeles is still the first shift.
    assert_eq!(s.at(utc("2022-06-06T15:59:00Z")).unwrap().id, "2022-W22");
    assert_eq!(s.at(utc("2022-06-06T16:00:00Z")).unwrap().id, "2022-W23");
    assert!(s.at(utc("2022-05-30T15:00:00Z")).is_none(), "before the first handoff");
}

#[test]
fn everyone_serves_in_turn_and_nobody_twice_in_a_row() {
    let m = model(&people(&["a", "b", "c"]), "");
    let s = Schedule::build(&m, 9);
    let picks = who(&s);
    for window in picks.chunks(3) {
        let mut w: Vec<_> = window.to_vec();
        w.sort();
        assert_eq!(w, [Some("a"), Some("b"), Some("c")], "{picks:?}");
    }
    for pair in picks.windows(2) {
        assert_ne!(pair[0], pair[1]);
    }
}

#[test]
fn a_person_alone_serves_back_to_back() {
    let m = model(&people(&["solo"]), "");
    assert_eq!(who(&Schedule::build(&m, 3)), [Some("solo"); 3]);
}

#[test]
fn a_newcomer_queues_behind_everyone_who_has_not_served_since_they_joined() {
    let roster = format!("{}[[person]]\ngithub = \"new\"\nsince = 2022-06-13\n", people(&["a", "b", "c"]));
    let m = model(&roster, "");
    let s = Schedule::build(&m, 6);
    // The newcomer joins on 2022-06-13 and counts as having served then, so the
    // two who served before that day go first; against the one who served on
    // that very day, having served fewer shifts wins.
    let picks = who(&s);
    let before: Vec<_> = picks[..2].to_vec();
    assert_eq!(picks[3..5], before[..], "{picks:?}");
    assert_eq!(picks[5], Some("new"), "{picks:?}");
}

#[test]
fn until_and_away_make_a_person_ineligible() {
    let roster = r#"
[[person]]
github = "leaver"
since = 2022-05-30
until = 2022-06-13
[[person]]
github = "traveller"
since = 2022-05-30
away = [{ from = 2022-06-15, to = 2022-06-15 }]
[[person]]
github = "steady"
since = 2022-05-30
"#;
    let m = model(roster, "");
    let s = Schedule::build(&m, 8);
    for shift in &s.shifts[2..] {
        assert_ne!(shift.person.as_deref(), Some("leaver"), "{}", shift.id);
    }
    // One away day inside the week of 2022-06-13 rules out the whole shift.
    assert_ne!(s.shifts[2].person.as_deref(), Some("traveller"));
}

#[test]
fn an_override_replaces_the_pick_and_counts_as_served() {
    let base = model(&people(&["a", "b", "c"]), "");
    let plain = Schedule::build(&base, 3);
    let week1 = plain.shifts[1].person.clone().unwrap();
    let other = ["a", "b", "c"]
        .into_iter()
        .find(|p| *p != week1 && Some(*p) != plain.shifts[0].person.as_deref())
        .unwrap();
    let overrides = format!("[[override]]\nshift = 2022-06-08\nperson = \"{other}\"\nreason = \"swap\"\n");
    let m = model(&people(&["a", "b", "c"]), &overrides);
    let s = Schedule::build(&m, 3);
    assert_eq!(s.shifts[1].person.as_deref(), Some(other));
    assert!(s.shifts[1].is_override());
    assert_eq!(s.shifts[1].reason(), Some("swap"));
    // Having served, `other` is not picked again next; the displaced person is.
    assert_eq!(s.shifts[2].person.as_deref(), Some(week1.as_str()));
}

#[test]
fn a_shift_with_nobody_eligible_is_unassigned_with_a_warning() {
    let roster = r#"
[[person]]
github = "only"
since = 2022-05-30
away = [{ from = 2022-06-07, to = 2022-06-08, reason = "conference" }]
"#;
    let m = model(roster, "");
    let s = Schedule::build(&m, 3);
    assert_eq!(who(&s), [Some("only"), None, Some("only")]);
    let warnings = s.warnings(utc("2022-06-01T00:00:00Z"));
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].message.contains("2022-W23"), "{}", warnings[0].message);
    assert!(s.warnings(utc("2022-06-20T00:00:00Z")).is_empty(), "past gaps are history, not warnings");
}

#[test]
fn shift_ids_parse_only_when_they_name_a_real_iso_week() {
    assert_eq!(parse_shift_id("2022-W26"), Some((2022, 26)));
    assert_eq!(parse_shift_id("2020-W53"), Some((2020, 53)));
    for bad in ["2022-W54", "2021-W53", "2022-26", "22-W01", "2022-W1"] {
        assert_eq!(parse_shift_id(bad), None, "{bad}");
    }
}

#[test]
fn the_hash_tie_break_is_stable() {
    // Pinned values: a change here would reshuffle every published schedule.
    assert_eq!(stable_hash("2022-W22", "driazati"), stable_hash("2022-W22", "driazati"));
    assert_ne!(stable_hash("2022-W22", "a"), stable_hash("2022-W23", "a"));
    let m = model(&people(&["a", "b", "c", "d"]), "");
    let first: Vec<_> = who(&Schedule::build(&m, 8)).into_iter().map(|p| p.unwrap().to_string()).collect();
    assert_eq!(first, ["a", "b", "d", "c", "a", "b", "d", "c"]);
}

#[test]
fn handoff_on_a_day_that_is_not_the_handoff_weekday_is_an_error() {
    let config = CONFIG.replace("start = 2022-05-30", "start = 2022-05-31");
    let (m, diags) = crate::model::testing::try_model(&config, &people(&["a"]), "");
    assert!(m.is_none());
    assert!(diags.render_human().contains("starts on a Tuesday"), "{}", diags.render_human());
}

#[test]
fn horizon_covers_weeks_after_now() {
    let m = model(&people(&["a", "b"]), "");
    let now = Utc.with_ymd_and_hms(2022, 6, 8, 12, 0, 0).unwrap();
    let s = Schedule::through_horizon(&m, now);
    let last = s.shifts.last().unwrap();
    assert!(last.end >= now + chrono::Duration::weeks(12), "{}", last.id);
    assert!(last.start <= now + chrono::Duration::weeks(12));
}

mod properties;
