//! What templates see: plain serialisable values, formatted for people.
//! Everything here is escaped by Tera when rendered, except fields named
//! `*_html`, which hold sanitised HTML.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::model::{Model, Person};
use crate::schedule::{Schedule, Shift};

#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub project: String,
    pub project_repository: String,
    pub chat: Option<crate::model::config::Chat>,
    pub base_url: String,
    pub timezone: String,
    pub handoff: String,
    /// When the site was built, in UTC.
    pub built_at: String,
    pub built_at_iso: String,
    pub runbook_url: Option<String>,
}

impl SiteView {
    pub fn new(model: &Model, base_url: &str, now: DateTime<Utc>, runbook: Option<String>) -> Self {
        let c = &model.config;
        let h = &c.rotation.handoff;
        SiteView {
            title: c.site.title.clone(),
            project: c.project.name.clone(),
            project_repository: c.project.repository.clone(),
            chat: c.project.chat.clone(),
            base_url: base_url.to_string(),
            timezone: h.timezone.name().to_string(),
            handoff: format!(
                "{}s at {} {}",
                crate::model::config::weekday_name(h.weekday),
                h.time.format("%H:%M"),
                h.timezone.name()
            ),
            built_at: now.format("%Y-%m-%d %H:%M UTC").to_string(),
            built_at_iso: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            runbook_url: runbook,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonRef {
    pub login: String,
    pub name: String,
    pub url: String,
}

impl PersonRef {
    pub fn new(p: &Person) -> Self {
        PersonRef { login: p.github.clone(), name: p.display_name().to_string(), url: person_url(&p.github) }
    }
}

pub fn person_url(login: &str) -> String {
    format!("people/{login}/")
}

pub fn shift_url(id: &str) -> String {
    format!("shifts/{id}/")
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum When {
    Past,
    Current,
    Upcoming,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShiftView {
    pub id: String,
    pub url: String,
    pub first_day: String,
    pub last_day: String,
    /// "Mon 30 May – Sun 5 Jun 2022"
    pub dates: String,
    pub start_iso: String,
    pub end_iso: String,
    /// The handoff that ends the shift, in the rotation's zone and in UTC.
    pub ends_local: String,
    pub ends_utc: String,
    /// The same instant in the person's own zone, when they gave one.
    pub ends_person: Option<String>,
    pub person: Option<PersonRef>,
    pub is_override: bool,
    pub reason: Option<String>,
    pub when: When,
}

impl ShiftView {
    pub fn new(shift: &Shift, model: &Model, tz: Tz, now: DateTime<Utc>) -> Self {
        let person = shift.person.as_deref().and_then(|l| model.person(l));
        let when = if shift.end <= now {
            When::Past
        } else if shift.start <= now {
            When::Current
        } else {
            When::Upcoming
        };
        ShiftView {
            id: shift.id.clone(),
            url: shift_url(&shift.id),
            first_day: shift.first_day.to_string(),
            last_day: shift.last_day.to_string(),
            dates: date_range(shift.first_day, shift.last_day),
            start_iso: iso(shift.start),
            end_iso: iso(shift.end),
            ends_local: local_time(shift.end, tz),
            ends_utc: shift.end.format("%a %-d %b %Y, %H:%M UTC").to_string(),
            ends_person: person
                .and_then(|p| p.timezone)
                .filter(|z| *z != tz)
                .map(|z| local_time(shift.end, z)),
            person: person.map(PersonRef::new),
            is_override: shift.is_override(),
            reason: shift.reason().map(str::to_string),
            when,
        }
    }

    pub fn all(schedule: &Schedule, model: &Model, now: DateTime<Utc>) -> Vec<ShiftView> {
        let tz = schedule.calendar.timezone();
        schedule.shifts.iter().map(|s| ShiftView::new(s, model, tz, now)).collect()
    }
}

pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%a %-d %b %Y, %H:%M %Z").to_string() + &format!(" ({})", tz.name())
}

pub fn date_range(first: chrono::NaiveDate, last: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    if first.year() == last.year() {
        format!("{} – {}", first.format("%a %-d %b"), last.format("%a %-d %b %Y"))
    } else {
        format!("{} – {}", first.format("%a %-d %b %Y"), last.format("%a %-d %b %Y"))
    }
}
