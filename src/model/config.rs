//! `config.toml`: the monitored project, the site, and the rotation's shape.

use chrono::{Datelike as _, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;

use crate::diagnostics::Diagnostics;
use crate::load::toml::{Located, Table};

#[derive(Debug, Clone)]
pub struct Config {
    pub project: Project,
    pub site: SiteConfig,
    pub rotation: Rotation,
    pub triage: TriageConventions,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub name: String,
    /// `https://github.com/owner/repo`, without a trailing slash.
    pub repository: String,
    pub chat: Option<Chat>,
    pub pinned_issue: Option<u64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Chat {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub title: String,
    /// Absolute URL the site is served from, ending in `/`.
    pub base_url: String,
    /// This repository, for "edit this page" and history links.
    pub repository: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Rotation {
    pub start: NaiveDate,
    pub shift_weeks: u32,
    pub handoff: Handoff,
    pub announce_weeks: u32,
    pub horizon_weeks: u32,
}

#[derive(Debug, Clone, Copy)]
pub struct Handoff {
    pub weekday: Weekday,
    pub time: NaiveTime,
    pub timezone: Tz,
}

/// How the monitored project marks and reports a flaky test.
#[derive(Debug, Clone)]
pub struct TriageConventions {
    /// Line added above a test function; `{issue_url}` and `{test}` are filled in.
    pub xfail_marker: String,
    /// First line of the disabling commit; `{test}` is filled in.
    pub disable_commit_title: String,
    /// Title prefix for infrastructure issues, such as `[ci]`.
    pub infra_title_prefix: String,
}

impl Default for TriageConventions {
    fn default() -> Self {
        TriageConventions {
            xfail_marker: r#"@pytest.mark.xfail(strict=False, reason="Flaky test: {issue_url}")"#.into(),
            disable_commit_title: "[skip ci][ci] Disable flaky test: {test}".into(),
            infra_title_prefix: "[ci]".into(),
        }
    }
}

pub(super) fn read(root: &mut Table<'_, '_>, diags: &mut Diagnostics) -> Option<Config> {
    let project = root.required_table("project", diags).and_then(|t| read_project(t, diags));
    let site = root.required_table("site", diags).and_then(|t| read_site(t, diags));
    let rotation = root.required_table("rotation", diags).and_then(|t| read_rotation(t, diags));
    let triage = match root.table("triage", diags) {
        Some(t) => read_triage(t, diags),
        None => TriageConventions::default(),
    };
    Some(Config { project: project?, site: site?, rotation: rotation?, triage })
}

fn read_project(mut t: Table<'_, '_>, diags: &mut Diagnostics) -> Option<Project> {
    let name = t.required_string("name", diags);
    let repository = t.required_string("repository", diags).and_then(|r| github_repo_url(r, diags));
    let chat = t.table("chat", diags).and_then(|mut c| {
        let name = c.required_string("name", diags);
        let url = c.required_string("url", diags).and_then(|u| http_url(u, diags));
        c.finish(diags);
        Some(Chat { name: name?.value, url: url? })
    });
    let pinned_issue = t.integer("pinned_issue", diags).and_then(|n| match u64::try_from(n.value) {
        Ok(v) if v > 0 => Some(v),
        _ => {
            diags.push(n.at.error("`pinned_issue` must be an issue number").label("not a positive number"));
            None
        }
    });
    t.finish(diags);
    Some(Project { name: name?.value, repository: repository?, chat, pinned_issue })
}

fn read_site(mut t: Table<'_, '_>, diags: &mut Diagnostics) -> Option<SiteConfig> {
    let title = t.required_string("title", diags);
    let base_url = t.required_string("base_url", diags).and_then(|u| http_url(u, diags));
    let repository = t.string("repository", diags).and_then(|u| http_url(u, diags));
    t.finish(diags);
    Some(SiteConfig {
        title: title?.value,
        base_url: with_trailing_slash(&base_url?),
        repository: repository.map(|r| r.trim_end_matches('/').to_string()),
    })
}

fn read_rotation(mut t: Table<'_, '_>, diags: &mut Diagnostics) -> Option<Rotation> {
    let start = t.required_date("start", diags);
    let shift_weeks = t.positive("shift_weeks", diags).map(|n| n.value).unwrap_or(1);
    let handoff = t.required_table("handoff", diags).and_then(|h| read_handoff(h, diags));
    let announce_weeks = t.positive("announce_weeks", diags).map(|n| n.value).unwrap_or(2);
    let horizon_weeks = t.positive("horizon_weeks", diags).map(|n| n.value).unwrap_or(12);
    t.finish(diags);
    let (start, handoff) = (start?, handoff?);
    if start.weekday() != handoff.weekday {
        diags.push(
            start
                .at
                .error(format!(
                    "the rotation starts on a {}, but shifts hand off on {}",
                    start.format("%A"),
                    weekday_name(handoff.weekday)
                ))
                .label("not a handoff day")
                .help("make `start` the first handoff day, or change `handoff.weekday`"),
        );
        return None;
    }
    Some(Rotation { start: start.value, shift_weeks, handoff, announce_weeks, horizon_weeks })
}

fn read_handoff(mut t: Table<'_, '_>, diags: &mut Diagnostics) -> Option<Handoff> {
    let weekday = t.required_string("weekday", diags).and_then(|w| {
        let parsed = w.parse::<Weekday>().ok();
        if parsed.is_none() {
            diags.push(
                w.at.error(format!("`{}` is not a weekday", w.value))
                    .label("expected Mon, Tue, Wed, Thu, Fri, Sat or Sun"),
            );
        }
        parsed
    });
    let time = t.required_string("time", diags).and_then(|s| {
        let parsed = NaiveTime::parse_from_str(&s, "%H:%M").ok();
        if parsed.is_none() {
            diags.push(
                s.at.error(format!("`{}` is not a time of day", s.value))
                    .label("expected HH:MM, such as 09:00"),
            );
        }
        parsed
    });
    let timezone = t.required_string("timezone", diags).and_then(|z| time_zone(&z, diags));
    t.finish(diags);
    Some(Handoff { weekday: weekday?, time: time?, timezone: timezone? })
}

fn read_triage(mut t: Table<'_, '_>, diags: &mut Diagnostics) -> TriageConventions {
    let defaults = TriageConventions::default();
    let conventions = TriageConventions {
        xfail_marker: t.string("xfail_marker", diags).map_or(defaults.xfail_marker, |s| s.value),
        disable_commit_title: t
            .string("disable_commit_title", diags)
            .map_or(defaults.disable_commit_title, |s| s.value),
        infra_title_prefix: t
            .string("infra_title_prefix", diags)
            .map_or(defaults.infra_title_prefix, |s| s.value),
    };
    t.finish(diags);
    conventions
}

/// An IANA zone name such as `America/Los_Angeles`.
pub(crate) fn time_zone(name: &Located<String>, diags: &mut Diagnostics) -> Option<Tz> {
    match name.parse::<Tz>() {
        Ok(tz) => Some(tz),
        Err(_) => {
            let mut d = name
                .at
                .error(format!("unknown time zone `{}`", name.value))
                .label("not an IANA time zone name");
            let lower = name.to_lowercase();
            if let Some(tz) = chrono_tz::TZ_VARIANTS.iter().find(|tz| tz.name().to_lowercase() == lower) {
                d = d.help(format!("did you mean `{}`?", tz.name()));
            } else {
                d = d.help("use a name from the tz database, such as `Europe/Berlin` or `UTC`");
            }
            diags.push(d);
            None
        }
    }
}

pub(crate) fn http_url(url: Located<String>, diags: &mut Diagnostics) -> Option<String> {
    let ok = ["https://", "http://"].iter().any(|scheme| url.starts_with(scheme) && url.len() > scheme.len())
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Some(url.value)
    } else {
        diags
            .push(url.at.error(format!("`{}` is not an http(s) URL", url.value)).label("expected https://…"));
        None
    }
}

fn github_repo_url(url: Located<String>, diags: &mut Diagnostics) -> Option<String> {
    let at = url.at.clone();
    let url = http_url(url, diags)?;
    let trimmed = url.trim_end_matches('/').trim_end_matches(".git").to_string();
    let parts: Vec<&str> = trimmed.splitn(4, '/').collect();
    if parts.len() == 4 && parts[2] == "github.com" && parts[3].split('/').count() == 2 {
        Some(trimmed)
    } else {
        diags.push(
            at.error(format!("`{url}` is not a GitHub repository URL"))
                .label("expected https://github.com/OWNER/REPO"),
        );
        None
    }
}

fn with_trailing_slash(url: &str) -> String {
    if url.ends_with('/') { url.to_string() } else { format!("{url}/") }
}

pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}
