//! `roster.toml`: the people who take shifts, `overrides.toml`: manual
//! changes to single shifts, and `teams.toml`: who a title tag notifies.

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::diagnostics::Diagnostics;
use crate::load::toml::{FirstSeen, Loc, Located, Table};

#[derive(Debug, Clone)]
pub struct Person {
    pub github: String,
    pub name: Option<String>,
    pub timezone: Option<Tz>,
    /// Eligible for shifts that start on or after this day.
    pub since: NaiveDate,
    /// Not eligible for shifts that start on or after this day.
    pub until: Option<NaiveDate>,
    pub away: Vec<Away>,
    /// Commit emails that are theirs, for naming them from git history.
    pub emails: Vec<String>,
    pub at: Loc,
}

impl Person {
    /// Whether any day of `first..=last` falls in an `away` range.
    pub fn is_away_during(&self, first: NaiveDate, last: NaiveDate) -> bool {
        self.away.iter().any(|a| a.from <= last && first <= a.to)
    }

    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.github)
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Away {
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
    pub reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Override {
    /// Any day inside the shift.
    pub day: NaiveDate,
    pub person: String,
    pub reason: Option<String>,
    pub at: Loc,
}

#[derive(Debug, Clone)]
pub struct Team {
    pub tag: String,
    pub people: Vec<String>,
}

pub(super) fn read_roster(root: &mut Table<'_, '_>, diags: &mut Diagnostics) -> Vec<Person> {
    let mut people = Vec::new();
    let mut seen = FirstSeen::new();
    let mut claimed = FirstSeen::new();
    for mut t in root.tables("person", diags) {
        let github = t.required_string("github", diags).filter(|g| valid_login(g, diags));
        let name = t.string("name", diags).map(|n| n.value);
        let timezone = t.string("timezone", diags).and_then(|z| super::config::time_zone(&z, diags));
        let since = t.required_date("since", diags);
        let until = t.date("until", diags);
        let away: Vec<Away> =
            t.tables("away", diags).into_iter().filter_map(|a| read_away(a, diags)).collect();
        let emails: Vec<String> = t
            .strings("emails", diags)
            .into_iter()
            .filter(|e| valid_email(e, diags) && unclaimed_email(e, &mut claimed, diags))
            .map(|e| e.value)
            .collect();
        let at = t.loc();
        t.finish(diags);

        if let (Some(since), Some(until)) = (&since, &until)
            && since.value >= until.value
        {
            diags.push(
                until
                    .at
                    .error(format!("`until` ({}) must come after `since` ({})", until.value, since.value))
                    .label("not after `since`"),
            );
            continue;
        }
        let (Some(github), Some(since)) = (github, since) else { continue };
        let twice = format!("`{}` is in the roster twice", github.value);
        if let Some(d) = seen.duplicate(github.to_lowercase(), &github.at, twice, "first entry") {
            diags.push(
                d.label("second entry")
                    .help("GitHub logins ignore case; keep one entry and give it `until` or `away`"),
            );
            continue;
        }
        people.push(Person {
            github: github.value,
            name,
            timezone,
            since: since.value,
            until: until.map(|u| u.value),
            away,
            emails,
            at,
        });
    }
    people
}

fn read_away(mut t: Table<'_, '_>, diags: &mut Diagnostics) -> Option<Away> {
    let from = t.required_date("from", diags);
    let to = t.required_date("to", diags);
    let reason = t.string("reason", diags).map(|r| r.value);
    t.finish(diags);
    let (from, to) = (from?, to?);
    if to.value < from.value {
        diags.push(
            to.at
                .error(format!("this away range ends ({}) before it starts ({})", to.value, from.value))
                .label("before `from`")
                .help("`from` and `to` are both inclusive days, in that order"),
        );
        return None;
    }
    Some(Away { from: from.value, to: to.value, reason })
}

pub(super) fn read_overrides(
    root: &mut Table<'_, '_>,
    people: &[Person],
    start: Option<NaiveDate>,
    diags: &mut Diagnostics,
) -> Vec<Override> {
    let mut out = Vec::new();
    for mut t in root.tables("override", diags) {
        let day = t.required_date("shift", diags);
        let person = t.required_string("person", diags);
        let reason = t.string("reason", diags).map(|r| r.value);
        let at = t.loc();
        t.finish(diags);
        let (Some(day), Some(person)) = (day, person) else { continue };
        let Some(login) = known_person(&person, people, diags) else { continue };
        if let Some(start) = start
            && day.value < start
        {
            diags.push(
                day.at
                    .error(format!("{} is before the rotation starts ({start})", day.value))
                    .label("no shift on this day"),
            );
            continue;
        }
        out.push(Override { day: day.value, person: login, reason, at });
    }
    out
}

pub(super) fn read_teams(root: &mut Table<'_, '_>, people: &[Person], diags: &mut Diagnostics) -> Vec<Team> {
    let mut teams = Vec::new();
    for mut t in root.tables("team", diags) {
        let tag = t.required_string("tag", diags);
        let members: Vec<String> =
            t.strings("people", diags).iter().filter_map(|p| known_person(p, people, diags)).collect();
        t.finish(diags);
        if let Some(tag) = tag {
            teams.push(Team { tag: tag.value.trim().to_lowercase(), people: members });
        }
    }
    teams
}

/// The roster's spelling of a login named elsewhere, or an error.
fn known_person(login: &Located<String>, people: &[Person], diags: &mut Diagnostics) -> Option<String> {
    match find_login(people, login) {
        Ok(found) => Some(found.to_string()),
        Err(nearest) => {
            let d = login.at.error(format!("`{}` is not in the roster", login.value)).label("unknown person");
            diags.push(match nearest {
                Some(best) => d.help(format!("did you mean `{best}`?")),
                None => d.help("add them to roster.toml first"),
            });
            None
        }
    }
}

/// The roster's spelling of `login` (GitHub logins ignore case), or else
/// the nearest login, if one is near enough to be a typo.
pub fn find_login<'p>(people: &'p [Person], login: &str) -> Result<&'p str, Option<&'p str>> {
    if let Some(p) = people.iter().find(|p| p.github.eq_ignore_ascii_case(login)) {
        return Ok(&p.github);
    }
    let logins: Vec<&str> = people.iter().map(|p| p.github.as_str()).collect();
    Err(crate::load::toml::closest(login, &logins))
}

/// An address as git records it: something `@` a domain, no spaces or `<>`.
fn valid_email(email: &Located<String>, diags: &mut Diagnostics) -> bool {
    let ok = email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.chars().any(|c| c.is_whitespace() || c == '<' || c == '>');
    if !ok {
        diags.push(
            email
                .at
                .error(format!("`{}` is not an email address", email.value))
                .label("expected name@domain")
                .help("list the addresses you commit with, as `git log --format=%ae` shows them"),
        );
    }
    ok
}

/// An email names one person only.
fn unclaimed_email(
    email: &Located<String>,
    claimed: &mut FirstSeen<String>,
    diags: &mut Diagnostics,
) -> bool {
    let twice = format!("`{}` is listed twice", email.value);
    match claimed.duplicate(email.to_lowercase(), &email.at, twice, "first listed here") {
        Some(d) => {
            diags.push(d.label("listed again").help("an email names one person: keep it in one entry"));
            false
        }
        None => true,
    }
}

/// GitHub's rules: 1–39 ASCII letters, digits or single inner hyphens.
pub fn is_valid_login(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= 39
        && login.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !login.starts_with('-')
        && !login.ends_with('-')
        && !login.contains("--")
}

pub(super) fn valid_login(login: &Located<String>, diags: &mut Diagnostics) -> bool {
    let ok = is_valid_login(login);
    if !ok {
        let hint = if login.starts_with('@') {
            "write the login without the leading `@`".to_string()
        } else {
            "a GitHub login has 1 to 39 letters, digits or single hyphens, not at either end".to_string()
        };
        diags.push(
            login
                .at
                .error(format!("`{}` is not a valid GitHub login", login.value))
                .label("malformed login")
                .help(hint),
        );
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::is_valid_login;

    #[test]
    fn emails_are_addresses_claimed_once() {
        let roster = "[[person]]\ngithub = \"a\"\nsince = 2022-05-30\nemails = [\"a@x.org\", \"nope\"]\n\
                      [[person]]\ngithub = \"b\"\nsince = 2022-05-30\nemails = [\"A@X.org\"]\n";
        let (model, diags) = crate::model::testing::try_model(crate::model::testing::CONFIG, roster, "");
        assert!(model.is_none());
        let text = diags.render_human();
        assert!(text.contains("roster.toml:4:22"), "{text}");
        assert!(text.contains("`nope` is not an email address"), "{text}");
        assert!(text.contains("`A@X.org` is listed twice"), "{text}");
    }

    #[test]
    fn github_login_rules() {
        for ok in ["driazati", "MJKlaiber", "a", "a-b-c", "x1"] {
            assert!(is_valid_login(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "@areusch", "with space", "é", &"a".repeat(40)] {
            assert!(!is_valid_login(bad), "{bad}");
        }
    }
}
