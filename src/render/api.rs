//! The machine-readable files whose shape is a contract with bots and
//! scripts: keep field names and formats stable.

use serde::Serialize;

use super::view::iso;
use crate::schedule::{Schedule, Shift};

#[derive(Serialize)]
struct ScheduleFile<'a, S> {
    timezone: &'a str,
    shifts: Vec<S>,
}

/// A shift as `api/schedule.json` has it.
#[derive(Serialize)]
struct ShiftEntry<'a> {
    id: &'a str,
    start: String,
    end: String,
    person: Option<&'a str>,
    #[serde(rename = "override")]
    is_override: bool,
    reason: Option<&'a str>,
}

impl<'a> ShiftEntry<'a> {
    fn new(s: &'a Shift) -> Self {
        ShiftEntry {
            id: &s.id,
            start: iso(s.start),
            end: iso(s.end),
            person: s.person.as_deref(),
            is_override: s.is_override(),
            reason: s.reason(),
        }
    }
}

/// `api/schedule.json`: every shift from the start to the horizon.
pub fn schedule_json(schedule: &Schedule) -> String {
    let shifts = schedule.shifts.iter().map(ShiftEntry::new).collect();
    pretty(&ScheduleFile { timezone: schedule.calendar.timezone().name(), shifts })
}

pub fn pretty(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("plain data serialises");
    text.push('\n');
    text
}

/// `api/failures.json`: every triage entry, newest first. `issue` and `pr`
/// are full URLs (or null), so a script needs no repository to follow them;
/// the number is the last path segment. `shift` is the id of the shift the
/// failure was first seen in, null before the rotation started. `url` is the
/// failure's page on this site.
#[derive(Serialize)]
struct FailuresFile<'a> {
    failures: Vec<FailureEntry<'a>>,
}

#[derive(Serialize)]
struct FailureEntry<'a> {
    id: &'a str,
    kind: &'static str,
    date: String,
    test: Option<&'a str>,
    status: &'static str,
    issue: Option<&'a str>,
    pr: Option<&'a str>,
    shift: Option<&'a str>,
    occurrences: usize,
    url: String,
}

pub fn failures_json(model: &crate::model::Model, triage: &crate::triage::Triage, base_url: &str) -> String {
    let failures = triage
        .entries
        .iter()
        .map(|e| {
            let f = &model.failures[e.index];
            FailureEntry {
                id: &f.id,
                kind: f.kind.as_str(),
                date: f.date.value.to_string(),
                test: f.test_name(),
                status: f.status.value.as_str(),
                issue: f.issue.as_ref().map(|r| r.url.as_str()),
                pr: f.pr.as_ref().map(|r| r.url.as_str()),
                shift: e.shift.as_deref(),
                occurrences: f.occurrences(),
                url: format!("{base_url}{}", super::failures::failure_url(&f.id)),
            }
        })
        .collect();
    pretty(&FailuresFile { failures })
}

/// A shift as `rota schedule --format json` prints it: the fields of
/// `api/schedule.json` and its first and last day in the handoff zone.
#[derive(Serialize)]
struct ListedShift<'a> {
    #[serde(flatten)]
    entry: ShiftEntry<'a>,
    first_day: String,
    last_day: String,
}

/// JSON for a list of shifts, for scripts that call `rota schedule`.
pub fn shift_list_json(timezone: &str, shifts: &[&Shift]) -> String {
    let shifts = shifts
        .iter()
        .map(|s| ListedShift {
            entry: ShiftEntry::new(s),
            first_day: s.first_day.to_string(),
            last_day: s.last_day.to_string(),
        })
        .collect();
    pretty(&ScheduleFile { timezone, shifts })
}
