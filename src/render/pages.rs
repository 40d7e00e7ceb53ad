//! One function a kind of page: each gathers its view model and renders it.

use serde::Serialize;

use super::context::PageContext;
use super::failures;
use super::view::{PersonRef, ShiftView, When, person_url};
use super::{Output, root_of};
use crate::diagnostics::Diagnostic;
use crate::markdown;
use crate::model::Away;

pub fn home(p: &PageContext<'_>, out: &mut Output) -> Result<(), Diagnostic> {
    let mut ctx = p.context("");
    let announce = p.model.config.rotation.announce_weeks as usize;
    ctx.insert("current", &p.current());
    ctx.insert("next", &p.upcoming().take(announce).collect::<Vec<_>>());
    ctx.insert("gaps", &p.upcoming().filter(|s| s.person.is_none()).count());
    ctx.insert("recent_failures", &failures::recent(p, 5));
    p.page(out, "", "index.html", ctx)
}

pub fn schedule(p: &PageContext<'_>, out: &mut Output) -> Result<(), Diagnostic> {
    let mut ctx = p.context("schedule/");
    let mut past: Vec<&ShiftView> = p.shifts.iter().filter(|s| s.when == When::Past).collect();
    past.reverse();
    ctx.insert("current", &p.current());
    ctx.insert("upcoming", &p.upcoming().collect::<Vec<_>>());
    ctx.insert("past", &past);
    ctx.insert("people", &p.model.people.iter().map(PersonRef::new).collect::<Vec<_>>());
    ctx.insert("feed", &super::ics::FeedLinks::new(&p.site.base_url, "calendar.ics"));
    p.page(out, "schedule/", "schedule.html", ctx)
}

#[derive(Serialize)]
struct PersonView<'a> {
    login: &'a str,
    name: &'a str,
    github_url: String,
    timezone: Option<&'a str>,
    since: String,
    until: Option<String>,
    away: &'a [Away],
    active: bool,
}

pub fn people(p: &PageContext<'_>, out: &mut Output) -> Result<(), Diagnostic> {
    let today = p.now.with_timezone(&p.schedule.calendar.timezone()).date_naive();
    for person in &p.model.people {
        let url = person_url(&person.github);
        let mine = |s: &&ShiftView| s.person.as_ref().is_some_and(|r| r.login == person.github);
        let mut served: Vec<&ShiftView> =
            p.shifts.iter().filter(mine).filter(|s| s.when != When::Upcoming).collect();
        served.reverse();
        let upcoming: Vec<&ShiftView> = p.upcoming().filter(mine).collect();
        let view = PersonView {
            login: &person.github,
            name: person.display_name(),
            github_url: format!("https://github.com/{}", person.github),
            timezone: person.timezone.as_ref().map(|z| z.name()),
            since: person.since.to_string(),
            until: person.until.map(|d| d.to_string()),
            away: &person.away,
            active: person.until.is_none_or(|u| u > today),
        };
        let mut ctx = p.context(&url);
        ctx.insert("person", &view);
        ctx.insert("served", &served);
        ctx.insert("upcoming", &upcoming);
        let feed = super::ics::person_feed_path(&person.github);
        ctx.insert("feed", &super::ics::FeedLinks::new(&p.site.base_url, &feed));
        p.page(out, &url, "person.html", ctx)?;
    }
    Ok(())
}

pub fn shifts(p: &PageContext<'_>, out: &mut Output) -> Result<(), Diagnostic> {
    for (i, shift) in p.shifts.iter().enumerate() {
        let mut ctx = p.context(&shift.url);
        ctx.insert("shift", shift);
        ctx.insert("previous", &i.checked_sub(1).map(|j| &p.shifts[j]));
        ctx.insert("next", &p.shifts.get(i + 1));
        let root = root_of(&shift.url);
        let person =
            |login: &str| p.model.person(login).map(|person| format!("{root}{}", person_url(&person.github)));
        let note = p.model.handoffs.get(&shift.id).map(|n| {
            markdown::to_safe_html_with_refs(&n.markdown, &p.model.config.project.repository, &person)
        });
        ctx.insert("handoff_html", &note);
        failures::add_shift(p, &shift.id, &mut ctx);
        p.page(out, &shift.url, "shift.html", ctx)?;
    }
    Ok(())
}

pub fn not_found(p: &PageContext<'_>, out: &mut Output) -> Result<(), Diagnostic> {
    // GitHub Pages serves 404.html at any missing path, so relative links
    // cannot work here: use the absolute base URL.
    let mut ctx = p.context("");
    ctx.insert("root", &p.site.base_url);
    out.add("404.html", p.templates.render("404.html", &ctx)?);
    Ok(())
}
