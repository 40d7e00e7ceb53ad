//! The weekly announcement: a Markdown message for the pinned issue or the
//! chat that pings who is on call now and in the next shifts, points at the
//! runbook, lists what the last shift left open and asks for volunteers
//! where a shift has nobody.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::model::Model;
use crate::render::view::date_range;
use crate::schedule::{Schedule, Shift};

/// A failure still open, as the announcement lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    pub title: String,
    pub url: Option<String>,
}

/// What the message is built from.
pub struct Announcement<'a> {
    pub model: &'a Model,
    pub schedule: &'a Schedule,
    pub now: DateTime<Utc>,
    /// The site's URL, ending in `/`.
    pub base_url: &'a str,
    /// How many shifts after the current one to name.
    pub weeks: u32,
    /// Whether the data has a runbook to link to.
    pub has_runbook: bool,
    /// Failures still open from the shift that just ended; `None` during the
    /// first shift, when none has ended, which leaves the section out.
    pub open_from_last_shift: Option<Vec<OpenItem>>,
}

/// The failures first seen during `shift` whose status is still `open`,
/// with their issue when one was filed.
pub fn open_failures_from(model: &Model, shift: &Shift) -> Vec<OpenItem> {
    let prefix = &model.config.triage.infra_title_prefix;
    model
        .failures
        .iter()
        .filter(|f| f.status.value == crate::model::triage::Status::Open)
        .filter(|f| (shift.first_day..=shift.last_day).contains(&f.date.value))
        .map(|f| OpenItem { title: f.display_title(prefix), url: f.issue.as_ref().map(|i| i.url.clone()) })
        .collect()
}

impl Announcement<'_> {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let current = self.schedule.at(self.now);
        let next: Vec<&Shift> = self.schedule.upcoming(self.now).take(self.weeks as usize).collect();
        let title = match current {
            Some(s) => format!("### CI on call for {}: shift {}\n\n", self.model.config.project.name, s.id),
            None => format!("### CI on call for {}\n\n", self.model.config.project.name),
        };
        out.push_str(&title);
        match current {
            Some(s) => {
                let _ = writeln!(
                    out,
                    "**Now:** {}, {}, until the handoff on {}.\n",
                    who(s),
                    date_range(s.first_day, s.last_day),
                    self.local(s.end)
                );
            }
            None => {
                let start = self.schedule.calendar.first_day(0);
                let _ = writeln!(out, "The rotation starts on {}.\n", start.format("%a %-d %b %Y"));
            }
        }
        if !next.is_empty() {
            out.push_str("**Next:**\n");
            for s in &next {
                let _ = write!(out, "- {}, {}: {}", s.id, date_range(s.first_day, s.last_day), who(s));
                if s.is_override() {
                    match s.reason() {
                        Some(reason) => {
                            let _ = write!(out, " (override: {})", markdown_text(reason));
                        }
                        None => out.push_str(" (override)"),
                    }
                }
                out.push('\n');
            }
            out.push('\n');
        }
        let people = self.people(current, &next);
        if !people.is_empty() {
            let _ = writeln!(
                out,
                "{}: please look over what is still open together before each handoff.\n",
                people.join(", ")
            );
        }
        self.open_items(&mut out);
        self.volunteers(&mut out, current, &next);
        let mut links = Vec::new();
        if self.has_runbook {
            links.push(format!("[Runbook]({}runbook/)", self.base_url));
        }
        links.push(format!("[Schedule]({}schedule/)", self.base_url));
        links.push(format!("[Calendar]({}calendar.ics)", self.base_url));
        let _ = writeln!(out, "{}", links.join(" · "));
        out
    }

    /// Everyone named, each once, in order of their shifts.
    fn people(&self, current: Option<&Shift>, next: &[&Shift]) -> Vec<String> {
        let mut people: Vec<String> = Vec::new();
        for login in current.into_iter().chain(next.iter().copied()).filter_map(|s| s.person.as_deref()) {
            let mention = format!("@{login}");
            if !people.contains(&mention) {
                people.push(mention);
            }
        }
        people
    }

    fn open_items(&self, out: &mut String) {
        let Some(items) = &self.open_from_last_shift else { return };
        let Some(last) = self.schedule.at(self.now).and_then(|s| s.index.checked_sub(1)) else { return };
        let last = &self.schedule.shifts[last as usize];
        if items.is_empty() {
            let _ = writeln!(out, "Nothing is still open from {}.\n", last.id);
            return;
        }
        let _ = writeln!(out, "**Still open from {}** ({}):", last.id, who(last));
        for item in items {
            let title = markdown_text(&item.title);
            match &item.url {
                Some(url) => {
                    let _ = writeln!(out, "- [{title}]({url})");
                }
                None => {
                    let _ = writeln!(out, "- {title}");
                }
            }
        }
        out.push('\n');
    }

    fn volunteers(&self, out: &mut String, current: Option<&Shift>, next: &[&Shift]) {
        let gaps: Vec<&Shift> =
            current.into_iter().chain(next.iter().copied()).filter(|s| s.person.is_none()).collect();
        if gaps.is_empty() {
            return;
        }
        let list: Vec<String> =
            gaps.iter().map(|s| format!("{} ({})", s.id, date_range(s.first_day, s.last_day))).collect();
        let _ = writeln!(
            out,
            "**Volunteers needed:** nobody is on call for {}. To take a shift, open a pull request that adds an \
             `[[override]]` to `data/overrides.toml`, or join the rotation in `data/roster.toml`: \
             see [how to sign up]({}schedule/#sign-up).\n",
            join_and(&list),
            self.base_url
        );
    }

    /// An instant in the handoff zone, as people there read it.
    fn local(&self, t: DateTime<Utc>) -> String {
        let tz = self.schedule.calendar.timezone();
        format!("{} ({})", t.with_timezone(&tz).format("%a %-d %b %Y, %H:%M %Z"), tz.name())
    }
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn who(shift: &Shift) -> String {
    shift.person.as_deref().map_or("**nobody yet**".to_string(), |p| format!("@{p}"))
}

/// Text from the data, shown literally: no HTML, links, emphasis or headings.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::testing::{model, people};

    #[test]
    fn open_failures_from_the_last_shift_are_listed() {
        let m = model(&people(&["a", "b"]), "");
        let schedule = Schedule::build(&m, 8);
        let now = crate::clock::parse("2022-06-08T12:00:00Z").unwrap();
        let mut a = Announcement {
            model: &m,
            schedule: &schedule,
            now,
            base_url: "https://x.example/",
            weeks: 2,
            has_runbook: true,
            open_from_last_shift: Some(vec![
                OpenItem {
                    title: "Flaky `test_a`".into(),
                    url: Some("https://github.com/o/r/issues/1".into()),
                },
                OpenItem { title: "CI runner down".into(), url: None },
            ]),
        };
        let text = a.render();
        let last = &schedule.shifts[0];
        let who = format!("@{}", last.person.as_deref().unwrap());
        assert!(text.contains(&format!("**Still open from 2022-W22** ({who}):\n")), "{text}");
        assert!(
            text.contains("- [Flaky \\`test\\_a\\`](https://github.com/o/r/issues/1)\n- CI runner down\n"),
            "{text}"
        );
        a.open_from_last_shift = Some(Vec::new());
        assert!(a.render().contains("Nothing is still open from 2022-W22."));
        a.open_from_last_shift = None;
        assert!(!a.render().contains("open from"));
    }

    #[test]
    fn lists_read_as_prose() {
        let s = |v: &[&str]| join_and(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["a"]), "a");
        assert_eq!(s(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn data_text_cannot_inject_markdown_or_html() {
        assert_eq!(
            markdown_text("swap with <b>bob</b> *now* [x](y)"),
            "swap with &lt;b&gt;bob&lt;/b&gt; \\*now\\* \\[x\\](y)"
        );
    }
}
