//! The schedule engine: pure functions from the model to shifts. Nothing here
//! reads the clock; "now" only decides how far ahead the caller asks for.

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::diagnostics::Diagnostic;
pub use crate::model::calendar::{ShiftCalendar, parse_shift_id};
use crate::model::{Model, Person};

/// One shift and who is on call for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub index: u32,
    pub id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// `None` when nobody was eligible.
    pub person: Option<String>,
    /// Set when an override chose the person.
    pub override_reason: Option<Option<String>>,
}

impl Shift {
    pub fn is_override(&self) -> bool {
        self.override_reason.is_some()
    }

    pub fn reason(&self) -> Option<&str> {
        self.override_reason.as_ref().and_then(|r| r.as_deref())
    }

    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }
}

#[derive(Debug, Clone)]
pub struct Schedule {
    pub calendar: ShiftCalendar,
    pub shifts: Vec<Shift>,
}

impl Schedule {
    /// The first `count` shifts of the rotation.
    pub fn build(model: &Model, count: u32) -> Schedule {
        let calendar = ShiftCalendar::new(&model.config.rotation);
        let mut record: Vec<Record> = model.people.iter().map(Record::new).collect();
        let mut shifts = Vec::with_capacity(count as usize);
        let mut previous: Option<usize> = None;
        for index in 0..count {
            let (first_day, last_day) = (calendar.first_day(index), calendar.last_day(index));
            let id = calendar.id(index);
            let overridden = model.overrides.iter().find(|o| calendar.index_of_day(o.day) == Some(index));
            let pick = match overridden {
                Some(o) => model.people.iter().position(|p| p.github == o.person),
                None => pick(&model.people, &record, previous, &calendar, index, &id),
            };
            if let Some(i) = pick {
                record[i].served(first_day);
            }
            previous = pick;
            shifts.push(Shift {
                index,
                id,
                start: calendar.start(index),
                end: calendar.start(index + 1),
                first_day,
                last_day,
                person: pick.map(|i| model.people[i].github.clone()),
                override_reason: overridden.map(|o| o.reason.clone()),
            });
        }
        Schedule { calendar, shifts }
    }

    /// Every shift from the start to `horizon_weeks` after `now`.
    pub fn through_horizon(model: &Model, now: DateTime<Utc>) -> Schedule {
        let calendar = ShiftCalendar::new(&model.config.rotation);
        let weeks = u64::from(model.config.rotation.horizon_weeks);
        let horizon = now.checked_add_days(Days::new(7 * weeks)).unwrap_or(now);
        let last = calendar.index_at(horizon).unwrap_or(0).max(calendar.index_at(now).unwrap_or(0));
        // Always publish at least the horizon's worth of shifts, even before the start.
        let minimum = (weeks / u64::from(model.config.rotation.shift_weeks)).max(1) as u32;
        Schedule::build(model, (last + 1).max(minimum))
    }

    pub fn at(&self, instant: DateTime<Utc>) -> Option<&Shift> {
        self.shifts.get(self.calendar.index_at(instant)? as usize)
    }

    pub fn by_id(&self, id: &str) -> Option<&Shift> {
        self.shifts.iter().find(|s| s.id == id)
    }

    /// The shifts that start after `now`, soonest first.
    pub fn upcoming(&self, now: DateTime<Utc>) -> impl Iterator<Item = &Shift> {
        self.shifts.iter().filter(move |s| s.start > now)
    }

    /// Warnings about shifts that have nobody, from the current one on.
    pub fn warnings(&self, now: DateTime<Utc>) -> Vec<Diagnostic> {
        self.shifts
            .iter()
            .filter(|s| s.person.is_none() && s.end > now)
            .map(|s| {
                Diagnostic::warning(format!(
                    "nobody is eligible for the shift {} ({} to {})",
                    s.id, s.first_day, s.last_day
                ))
                .help("add someone to roster.toml, shorten an `away`, or add an override")
            })
            .collect()
    }
}

/// What the engine remembers of a person while it walks the shifts.
struct Record {
    /// The first day of the last shift served; a newcomer counts from `since`.
    last_served: NaiveDate,
    served: u32,
}

impl Record {
    fn new(person: &Person) -> Self {
        Record { last_served: person.since, served: 0 }
    }

    fn served(&mut self, day: NaiveDate) {
        self.last_served = day;
        self.served += 1;
    }
}

fn eligible(person: &Person, first_day: NaiveDate, last_day: NaiveDate) -> bool {
    person.since <= first_day
        && person.until.is_none_or(|until| first_day < until)
        && !person.is_away_during(first_day, last_day)
}

/// The rule of DESIGN.md: among the eligible, and not the person just on call
/// unless nobody else is, the oldest last shift, then the fewest shifts, then
/// the earliest `since`, then a stable hash.
fn pick(
    people: &[Person],
    record: &[Record],
    previous: Option<usize>,
    calendar: &ShiftCalendar,
    index: u32,
    id: &str,
) -> Option<usize> {
    let (first_day, last_day) = (calendar.first_day(index), calendar.last_day(index));
    let candidates: Vec<usize> =
        (0..people.len()).filter(|&i| eligible(&people[i], first_day, last_day)).collect();
    let rested: Vec<usize> = candidates.iter().copied().filter(|&i| Some(i) != previous).collect();
    let pool = if rested.is_empty() { candidates } else { rested };
    pool.into_iter().min_by_key(|&i| {
        let p = &people[i];
        (record[i].last_served, record[i].served, p.since, stable_hash(id, &p.github))
    })
}

/// FNV-1a over the shift id and login: the same on every machine and release.
fn stable_hash(shift: &str, login: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in shift.bytes().chain([0]).chain(login.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

pub mod compare;

#[cfg(test)]
mod tests;
