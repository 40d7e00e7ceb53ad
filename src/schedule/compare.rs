//! `rota check --base REF`: the schedule built from the data at a base commit
//! against the one built from the proposed data. A shift that has started, or
//! that the weekly announcement has already named, must keep its person, so no
//! merge rewrites history or surprises someone who was told their week.

use chrono::{DateTime, Utc};

use super::{Schedule, Shift};
use crate::diagnostics::{Diagnostic, Diagnostics, FileId};
use crate::model::{Model, Person};

const HELP: &str = "people are never deleted and `since` is never back-dated: to stop taking shifts, set \
`until`; for time off, add an `away` range; to hand over one shift, add an [[override]] in overrides.toml";

/// Adds an error for every protected shift whose person changes between
/// `base` and `head`, and for every person who served and was deleted.
pub fn check(base: &Model, head: &Model, now: DateTime<Utc>, diags: &mut Diagnostics) {
    let announce = base.config.rotation.announce_weeks as usize;
    let count = Schedule::through_horizon(base, now)
        .shifts
        .len()
        .max(Schedule::through_horizon(head, now).shifts.len());
    let old = Schedule::build(base, count as u32);
    let new = Schedule::build(head, count as u32);
    let announced: Vec<u32> = old.upcoming(now).take(announce).map(|s| s.index).collect();
    let protected = |s: &Shift| s.start <= now || announced.contains(&s.index);

    let mut moved = Vec::new();
    for (before, after) in old.shifts.iter().zip(&new.shifts) {
        if !protected(before) {
            continue;
        }
        if (before.start, &before.id) != (after.start, &after.id) {
            moved.push(before.id.as_str());
        } else if before.person != after.person && before.person.is_some() {
            // Filling a shift that had nobody is what the call for volunteers asks for.
            let roster = diags.find_file_ending("roster.toml");
            diags.push(changed_person(before, after, base, head, now, roster));
        }
    }
    if let Some(first) = moved.first() {
        let mut d = Diagnostic::error(format!(
            "this change to the rotation moves {} shift(s) that have started or been announced, from {first}",
            moved.len()
        ))
        .help("`rotation.start`, `shift_weeks` and `handoff` shape every shift since the start: keep them");
        if let Some(file) = diags.find_file_ending("config.toml") {
            d = d.in_file(file);
        }
        diags.push(d);
    }
    deleted_people(base, head, &old, now, diags);
}

fn who(person: &Option<String>) -> String {
    person.as_deref().map_or("nobody".to_string(), |p| format!("@{p}"))
}

/// The error for one shift, at the edit that most likely caused it: an
/// override of that shift added in this change, else an edited roster entry
/// (of the person the shift leaves or goes to, else the first one edited),
/// else the entry of the person the shift leaves.
fn changed_person(
    before: &Shift,
    after: &Shift,
    base: &Model,
    head: &Model,
    now: DateTime<Utc>,
    roster: Option<FileId>,
) -> Diagnostic {
    let state = if before.start <= now { "has started" } else { "has already been announced" };
    let message = format!(
        "shift {} ({} to {}) {state}, but this change moves it from {} to {}",
        before.id,
        before.first_day,
        before.last_day,
        who(&before.person),
        who(&after.person)
    );
    let calendar = super::ShiftCalendar::new(&head.config.rotation);
    let new_override = head.overrides.iter().find(|o| {
        calendar.index_of_day(o.day) == Some(after.index)
            && !base.overrides.iter().any(|b| b.day == o.day && b.person == o.person)
    });
    if let Some(o) = new_override {
        return o
            .at
            .error(message)
            .label(format!("this override gives {} to @{}", before.id, o.person))
            .help("an override may change only shifts that have not started or been announced: pick a later shift");
    }
    let entry = |login: &Option<String>| login.as_deref().and_then(|l| head.person(l));
    let edited = |p: &&Person| base.person(&p.github).is_none_or(|b| !same_entry(b, p));
    let d = if let Some(p) = entry(&before.person).filter(edited) {
        p.at.error(message).label(format!("this edit takes {} from @{}", before.id, p.github))
    } else if let Some(p) = entry(&after.person).filter(edited) {
        p.at.error(message).label(format!("this edit gives {} to @{}", before.id, p.github))
    } else if let Some(p) = head.people.iter().find(edited) {
        p.at.error(message).label(format!("this edit changes who is on call for {}", before.id))
    } else if let Some(p) = entry(&before.person) {
        p.at.error(message).label(format!("@{} was on call for {}", p.github, before.id))
    } else if let Some(file) = roster {
        Diagnostic::error(message).in_file(file)
    } else {
        Diagnostic::error(message)
    };
    d.help(HELP)
}

/// Whether a roster entry schedules the same in both versions.
fn same_entry(a: &Person, b: &Person) -> bool {
    let away = |p: &Person| p.away.iter().map(|x| (x.from, x.to)).collect::<Vec<_>>();
    (a.since, a.until) == (b.since, b.until) && away(a) == away(b)
}

fn deleted_people(base: &Model, head: &Model, old: &Schedule, now: DateTime<Utc>, diags: &mut Diagnostics) {
    for person in &base.people {
        if head.people.iter().any(|p| p.github.eq_ignore_ascii_case(&person.github)) {
            continue;
        }
        let served: Vec<&str> = old
            .shifts
            .iter()
            .filter(|s| s.start <= now && s.person.as_deref() == Some(person.github.as_str()))
            .map(|s| s.id.as_str())
            .collect();
        if served.is_empty() {
            continue;
        }
        let today = now.with_timezone(&old.calendar.timezone()).date_naive();
        let mut d = Diagnostic::error(format!(
            "@{} was deleted from the roster, but was on call for {}",
            person.github,
            served.join(", ")
        ))
        .help(format!(
            "people who served stay in the roster so that past shifts keep their person: restore the entry \
             and add `until = {today}` instead"
        ));
        if let Some(file) = diags.find_file_ending("roster.toml") {
            d = d.in_file(file);
        }
        diags.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{model, people};

    fn now() -> DateTime<Utc> {
        crate::clock::parse("2022-06-22T12:00:00Z").unwrap()
    }

    fn errors(base: &Model, head: &Model) -> Vec<String> {
        let mut diags = Diagnostics::new();
        check(base, head, now(), &mut diags);
        diags.sorted().iter().map(|d| d.message.clone()).collect()
    }

    #[test]
    fn identical_data_passes() {
        let m = model(&people(&["a", "b", "c"]), "");
        assert!(errors(&m, &m).is_empty());
    }

    #[test]
    fn back_dating_a_newcomer_rewrites_started_shifts() {
        let base = model(&people(&["a", "b"]), "");
        let head = model(&(people(&["a", "b"]) + "[[person]]\ngithub = \"z\"\nsince = 2022-05-01\n"), "");
        let errs = errors(&base, &head);
        assert!(!errs.is_empty());
        assert!(errs.iter().any(|e| e.contains("has started") && e.contains("to @z")), "{errs:?}");
    }

    #[test]
    fn a_newcomer_from_next_month_changes_only_the_future() {
        let base = model(&people(&["a", "b"]), "");
        let head = model(&(people(&["a", "b"]) + "[[person]]\ngithub = \"z\"\nsince = 2022-07-18\n"), "");
        assert!(errors(&base, &head).is_empty());
    }

    #[test]
    fn an_override_of_an_announced_shift_is_refused() {
        let base = model(&people(&["a", "b", "c"]), "");
        let old = Schedule::build(&base, 6);
        let next = old.upcoming(now()).next().unwrap().clone();
        let other = ["a", "b", "c"].into_iter().find(|p| Some(*p) != next.person.as_deref()).unwrap();
        let head = model(
            &people(&["a", "b", "c"]),
            &format!("[[override]]\nshift = {}\nperson = \"{other}\"\n", next.first_day),
        );
        // The override also ripples into the shift after it, announced too.
        let errs = errors(&base, &head);
        assert!(errs.iter().any(|e| e.starts_with(&format!("shift {} ", next.id))), "{errs:?}");
        assert!(errs.iter().all(|e| e.contains("already been announced")), "{errs:?}");
    }
}
