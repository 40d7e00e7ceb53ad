//! The past never moves: roster edits that only speak of the future leave
//! every shift that has started exactly as it was.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use crate::model::testing::model;
use crate::schedule::Schedule;

const START: &str = "2022-05-30";

fn start() -> NaiveDate {
    START.parse().unwrap()
}

#[derive(Debug, Clone)]
struct Entry {
    since_week: u64,
    until_week: Option<u64>,
    away: Vec<(u64, u64)>,
}

fn entry() -> impl Strategy<Value = Entry> {
    (0u64..6, proptest::option::of(8u64..30), proptest::collection::vec((0u64..200, 0u64..20), 0..3))
        .prop_map(|(since_week, until_week, away)| Entry { since_week, until_week, away })
}

fn roster(entries: &[Entry]) -> String {
    let mut out = String::new();
    for (i, e) in entries.iter().enumerate() {
        let since = start() + Days::new(7 * e.since_week);
        out += &format!("[[person]]\ngithub = \"p{i}\"\nsince = {since}\n");
        if let Some(w) = e.until_week.filter(|w| *w > e.since_week) {
            out += &format!("until = {}\n", start() + Days::new(7 * w));
        }
        for (from, len) in &e.away {
            let from = start() + Days::new(*from);
            out += &format!("[[person.away]]\nfrom = {from}\nto = {}\n", from + Days::new(*len));
        }
    }
    out
}

/// An edit that speaks only of days after `today`, which falls in shift `current`.
#[derive(Debug, Clone)]
enum FutureEdit {
    Join { days_after: u64 },
    Away { days_after_shift: u64, len: u64, who: usize },
    Leave { days_after: u64, who: usize },
}

fn edit() -> impl Strategy<Value = FutureEdit> {
    prop_oneof![
        (1u64..60).prop_map(|days_after| FutureEdit::Join { days_after }),
        (1u64..60, 0u64..20, 0usize..6).prop_map(|(d, len, who)| FutureEdit::Away {
            days_after_shift: d,
            len,
            who
        }),
        (1u64..60, 0usize..6).prop_map(|(days_after, who)| FutureEdit::Leave { days_after, who }),
    ]
}

fn apply(entries: &[Entry], edit: &FutureEdit, current: u64, today: NaiveDate) -> String {
    let mut entries = entries.to_vec();
    let mut extra = String::new();
    let n = entries.len();
    match edit {
        FutureEdit::Join { days_after } => {
            let since = today + Days::new(*days_after);
            extra = format!("[[person]]\ngithub = \"newcomer\"\nsince = {since}\n");
        }
        FutureEdit::Away { days_after_shift, len, who } => {
            // "In the future" for an absence means in a shift that has not started:
            // leaving during one's own shift is what an override is for.
            let next_shift = current * 7 + 7;
            entries[who % n].away.push((next_shift + days_after_shift, *len));
        }
        FutureEdit::Leave { days_after, who } => {
            let until = (today - start()).num_days() as u64 + days_after;
            // Leaving earlier than already planned, and only after today.
            if entries[who % n].until_week.is_some_and(|w| w * 7 <= until) {
                return roster(&entries);
            }
            // Weeks are whole in the generator; express the day directly instead.
            entries[who % n].until_week = None;
            let since_week = entries[who % n].since_week;
            let mut text = roster(&entries);
            let marker =
                format!("github = \"p{}\"\nsince = {}\n", who % n, start() + Days::new(7 * since_week));
            text = text.replacen(&marker, &format!("{marker}until = {}\n", start() + Days::new(until)), 1);
            return text;
        }
    }
    roster(&entries) + &extra
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn future_only_roster_edits_never_change_a_started_shift(
        entries in proptest::collection::vec(entry(), 1..6),
        current in 0u64..30,
        day_in_shift in 0u64..7,
        edit in edit(),
    ) {
        let today = start() + Days::new(current * 7 + day_in_shift);
        let before = model(&roster(&entries), "");
        let edited = apply(&entries, &edit, current, today);
        // A `until` not after `since` is rejected by validation; skip those.
        let (after, _) = crate::model::testing::try_model(crate::model::testing::CONFIG, &edited, "");
        prop_assume!(after.is_some());
        let after = after.unwrap();
        let count = current as u32 + 12;
        let (a, b) = (Schedule::build(&before, count), Schedule::build(&after, count));
        for i in 0..=current as usize {
            prop_assert_eq!(&a.shifts[i].person, &b.shifts[i].person, "shift {} changed after {:?}\n{}", a.shifts[i].id, edit, edited);
        }
    }
}
