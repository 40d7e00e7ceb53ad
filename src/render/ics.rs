//! Calendar feeds (RFC 5545): `calendar.ics` for everyone and
//! `people/<login>.ics` for one person, one all-day event a shift.
//!
//! Written by hand rather than with the `icalendar` crate: that crate fills a
//! missing DTSTAMP from the clock and a missing UID with a random UUID, so one
//! forgotten property would quietly make rebuilds differ, and it orders
//! properties by name. The few lines below are all a feed of all-day events
//! needs, and every byte of them comes from the data.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::Output;
use super::view::{date_range, shift_url};
use crate::model::Model;
use crate::schedule::{Schedule, Shift};

/// How often calendar clients are asked to fetch the feed again.
const REFRESH: &str = "PT12H";

/// The path of a person's feed under the site root.
pub fn person_feed_path(login: &str) -> String {
    format!("people/{login}.ics")
}

/// Adds `calendar.ics` and one feed per person to the output.
pub fn add_feeds(out: &mut Output, model: &Model, schedule: &Schedule, base_url: &str) {
    let feed = Feed { model, schedule, base_url, host: host_of(base_url) };
    out.add("calendar.ics", feed.render(None));
    for person in &model.people {
        out.add(person_feed_path(&person.github), feed.render(Some(&person.github)));
    }
}

/// Subscribe links for a feed at `path` under the site.
#[derive(Debug, Clone, Serialize)]
pub struct FeedLinks {
    /// `webcal://…`: opens the calendar app, which subscribes.
    pub webcal: String,
    /// `https://…`: to paste into a calendar's "subscribe from URL" box.
    pub https: String,
}

impl FeedLinks {
    pub fn new(base_url: &str, path: &str) -> Self {
        let https = format!("{base_url}{path}");
        let rest = https.split_once("://").map_or(https.as_str(), |(_, rest)| rest);
        FeedLinks { webcal: format!("webcal://{rest}"), https }
    }
}

struct Feed<'a> {
    model: &'a Model,
    schedule: &'a Schedule,
    base_url: &'a str,
    host: String,
}

impl Feed<'_> {
    /// The whole rotation, or only `login`'s shifts.
    fn render(&self, login: Option<&str>) -> String {
        let title = &self.model.config.site.title;
        let name = match login {
            Some(login) => format!("{title}: @{login} on call"),
            None => format!("{title}: on call"),
        };
        let mut ics = Ics::default();
        ics.line("BEGIN:VCALENDAR");
        ics.line("VERSION:2.0");
        ics.line("PRODID:-//rota//CI on-call rotation//EN");
        ics.line("CALSCALE:GREGORIAN");
        ics.line("METHOD:PUBLISH");
        ics.text("NAME", &name);
        ics.text("X-WR-CALNAME", &name);
        ics.text(
            "X-WR-CALDESC",
            &format!("Who is on call for CI on main of {}.", self.model.config.project.name),
        );
        ics.line(&format!("REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}"));
        ics.line(&format!("X-PUBLISHED-TTL:{REFRESH}"));
        let stamp = stamp(self.schedule);
        for shift in &self.schedule.shifts {
            let Some(person) = shift.person.as_deref() else { continue };
            if login.is_some_and(|l| l != person) {
                continue;
            }
            self.event(&mut ics, shift, person, login.is_some(), &stamp);
        }
        ics.line("END:VCALENDAR");
        ics.out
    }

    fn event(&self, ics: &mut Ics, shift: &Shift, person: &str, personal: bool, stamp: &str) {
        let who = self.model.person(person);
        let name = who.map_or(person, |p| p.display_name());
        let project = &self.model.config.project.name;
        let url = format!("{}{}", self.base_url, shift_url(&shift.id));
        ics.line("BEGIN:VEVENT");
        // The feed a person subscribes to loses the event when the shift goes to
        // someone else, so its UID names the person too; in the shared feed the
        // same UID follows the shift from one person to the next.
        let uid = if personal {
            format!("{}.{person}@{}", shift.id, self.host)
        } else {
            format!("{}@{}", shift.id, self.host)
        };
        ics.text("UID", &uid);
        ics.line(&format!("DTSTAMP:{stamp}"));
        ics.line(&format!("DTSTART;VALUE=DATE:{}", ics_date(shift.first_day)));
        // DTEND of an all-day event is exclusive: the day after the last day.
        let end = shift.last_day.succ_opt().unwrap_or(shift.last_day);
        ics.line(&format!("DTEND;VALUE=DATE:{}", ics_date(end)));
        // An override replaces the computed pick, so clients that compare
        // sequence numbers take the overridden event as the newer one.
        ics.line(&format!("SEQUENCE:{}", u8::from(shift.is_override())));
        let summary = if personal {
            format!("On call for {project} CI ({})", shift.id)
        } else if name == person {
            format!("CI on call: @{person}")
        } else {
            format!("CI on call: @{person} ({name})")
        };
        ics.text("SUMMARY", &summary);
        let mut description = format!(
            "@{person} is on call for CI on main of {project}, {}.\nShift {}: hands off {}.\n{url}",
            date_range(shift.first_day, shift.last_day),
            shift.id,
            self.handoff_text()
        );
        if let Some(reason) = shift.reason() {
            let _ = write!(description, "\nOverride: {reason}");
        }
        ics.text("DESCRIPTION", &description);
        ics.line(&format!("URL:{url}"));
        ics.line("TRANSP:TRANSPARENT");
        ics.line("STATUS:CONFIRMED");
        ics.line("END:VEVENT");
    }

    fn handoff_text(&self) -> String {
        let h = &self.model.config.rotation.handoff;
        format!(
            "{}s at {} {}",
            crate::model::config::weekday_name(h.weekday),
            h.time.format("%H:%M"),
            h.timezone.name()
        )
    }
}

/// DTSTAMP for every event: the first handoff of the rotation. It must be a
/// UTC date-time and must not come from the clock, or rebuilds would differ.
fn stamp(schedule: &Schedule) -> String {
    ics_utc(schedule.calendar.start(0))
}

fn ics_date(day: NaiveDate) -> String {
    day.format("%Y%m%d").to_string()
}

fn ics_utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The host (and port) of an absolute URL, for UIDs.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.is_empty() { "rota.invalid".to_string() } else { host.to_ascii_lowercase() }
}

/// Content lines with CRLF ends, folded at 75 octets.
#[derive(Default)]
struct Ics {
    out: String,
}

impl Ics {
    /// A property whose value is TEXT, escaped.
    fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape_text(value)));
    }

    fn line(&mut self, line: &str) {
        fold_into(&mut self.out, line);
    }
}

/// RFC 5545 §3.3.11: backslash, semicolon, comma and newline are escaped;
/// other control characters are not allowed in TEXT and are dropped.
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 5545 §3.1: lines longer than 75 octets are split with CRLF and one
/// space, which counts toward the next line's 75; a UTF-8 character is never
/// split across lines.
fn fold_into(out: &mut String, line: &str) {
    const LIMIT: usize = 75;
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > LIMIT {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(line: &str) -> String {
        let mut out = String::new();
        fold_into(&mut out, line);
        out
    }

    #[test]
    fn short_lines_end_in_crlf() {
        assert_eq!(folded("VERSION:2.0"), "VERSION:2.0\r\n");
    }

    #[test]
    fn long_lines_fold_at_75_octets_with_a_leading_space() {
        let line = "X".repeat(200);
        let text = folded(&line);
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[0].len(), 75);
        assert!(lines[1..].iter().all(|l| l.starts_with(' ') && l.len() <= 75));
        let unfolded: String = text.replace("\r\n ", "").trim_end().to_string();
        assert_eq!(unfolded, line);
    }

    #[test]
    fn folding_never_splits_a_character() {
        // 'é' is 2 octets, '🦀' 4: at every offset the split lands between characters.
        for prefix in 0..4 {
            let line = format!("SUMMARY:{}{}", "a".repeat(prefix), "é🦀".repeat(30));
            let text = folded(&line);
            for l in text.split("\r\n") {
                assert!(l.len() <= 75, "{l:?} is {} octets", l.len());
            }
            assert_eq!(text.replace("\r\n ", "").trim_end(), line);
        }
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(escape_text("a\\b;c,d\ne\r\nf"), "a\\\\b\\;c\\,d\\ne\\nf");
        assert_eq!(escape_text("bell\u{7}"), "bell");
    }

    #[test]
    fn host_comes_from_the_base_url() {
        assert_eq!(host_of("https://Example.github.io/tvm-ci/"), "example.github.io");
        assert_eq!(host_of("http://localhost:8000/"), "localhost:8000");
    }

    #[test]
    fn subscribe_links_use_webcal_and_https() {
        let links = FeedLinks::new("https://o.github.io/r/", "calendar.ics");
        assert_eq!(links.webcal, "webcal://o.github.io/r/calendar.ics");
        assert_eq!(links.https, "https://o.github.io/r/calendar.ics");
    }
}
