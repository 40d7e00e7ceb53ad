//! The machine-readable files whose shape is a contract with bots and
//! scripts: keep field names and formats stable.

use serde::Serialize;

use super::view::iso;
use crate::schedule::Schedule;

#[derive(Serialize)]
struct ScheduleFile<'a> {
    timezone: &'a str,
    shifts: Vec<ShiftEntry<'a>>,
}

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

/// `api/schedule.json`: every shift from the start to the horizon.
pub fn schedule_json(schedule: &Schedule) -> String {
    let file = ScheduleFile {
        timezone: schedule.calendar.timezone().name(),
        shifts: schedule
            .shifts
            .iter()
            .map(|s| ShiftEntry {
                id: &s.id,
                start: iso(s.start),
                end: iso(s.end),
                person: s.person.as_deref(),
                is_override: s.is_override(),
                reason: s.reason(),
            })
            .collect(),
    };
    pretty(&file)
}

pub fn pretty(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("plain data serialises");
    text.push('\n');
    text
}

#[derive(Serialize)]
struct ShiftListFile<'a> {
    timezone: &'a str,
    shifts: Vec<ListedShift<'a>>,
}

/// A shift as `rota schedule --format json` prints it: the fields of
/// `api/schedule.json` and its first and last day in the handoff zone.
#[derive(Serialize)]
struct ListedShift<'a> {
    id: &'a str,
    first_day: String,
    last_day: String,
    start: String,
    end: String,
    person: Option<&'a str>,
    #[serde(rename = "override")]
    is_override: bool,
    reason: Option<&'a str>,
}

/// JSON for a list of shifts, for scripts that call `rota schedule`.
pub fn shift_list_json(timezone: &str, shifts: &[&crate::schedule::Shift]) -> String {
    let file = ShiftListFile {
        timezone,
        shifts: shifts
            .iter()
            .map(|s| ListedShift {
                id: &s.id,
                first_day: s.first_day.to_string(),
                last_day: s.last_day.to_string(),
                start: iso(s.start),
                end: iso(s.end),
                person: s.person.as_deref(),
                is_override: s.is_override(),
                reason: s.reason(),
            })
            .collect(),
    };
    pretty(&file)
}
