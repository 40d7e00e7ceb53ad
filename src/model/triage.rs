//! `triage/<year>/<id>.toml`: one file per failure seen on `main`, so that two
//! pull requests adding failures never conflict. The file's stem is its id.

use std::fmt::Write as _;

use chrono::{Datelike as _, NaiveDate};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::DataFiles;
use crate::load::toml::{self as toml_reader, FirstSeen, Loc, Located, Table};

/// What kind of failure it was: a closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Flaky,
    Infra,
    Regression,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Flaky, Kind::Infra, Kind::Regression];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Flaky => "flaky",
            Kind::Infra => "infra",
            Kind::Regression => "regression",
        }
    }

    /// Flaky tests and regressions are about one test; infrastructure is not.
    pub fn needs_test(self) -> bool {
        self != Kind::Infra
    }
}

/// Where the failure stands now: a closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Disabled,
    Fixed,
    Closed,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Open, Status::Disabled, Status::Fixed, Status::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Disabled => "disabled",
            Status::Fixed => "fixed",
            Status::Closed => "closed",
        }
    }

    /// Still needs someone's attention: not fixed, not closed.
    pub fn is_unresolved(self) -> bool {
        matches!(self, Status::Open | Status::Disabled)
    }
}

/// An issue or pull request in `project.repository`, however it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubRef {
    pub number: u64,
    /// `https://github.com/OWNER/REPO/issues/N` or `…/pull/N`.
    pub url: String,
    pub at: Loc,
}

/// A later occurrence of the same failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub date: NaiveDate,
    pub job: Option<String>,
    pub at: Loc,
}

/// One triaged failure on `main`.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The file's stem: unique across years, safe in a URL.
    pub id: String,
    /// Path under the data folder, such as `triage/2022/x.toml`.
    pub path: String,
    pub kind: Kind,
    /// First seen on `main`.
    pub date: Located<NaiveDate>,
    pub job: String,
    pub commit: Option<String>,
    pub test: Option<Located<String>>,
    pub error: Option<String>,
    pub issue: Option<GithubRef>,
    pub pr: Option<GithubRef>,
    /// The days the issue and the PR were opened, when recorded: what the
    /// "days to issue" and "days to PR" figures are measured from.
    pub issue_date: Option<NaiveDate>,
    pub pr_date: Option<NaiveDate>,
    pub status: Located<Status>,
    /// As written; the derive stage fills it from the schedule when absent.
    pub triaged_by: Option<Located<String>>,
    pub title: Option<String>,
    /// Later occurrences, oldest first.
    pub seen: Vec<Seen>,
    pub at: Loc,
}

impl Failure {
    /// How many times it was seen: the first time and every `[[seen]]`.
    pub fn occurrences(&self) -> usize {
        1 + self.seen.len()
    }

    /// The most recent day it was seen.
    pub fn last_seen(&self) -> NaiveDate {
        self.seen.iter().map(|s| s.date).fold(self.date.value, NaiveDate::max)
    }

    /// Every day it was seen, with the job, oldest first.
    pub fn all_occurrences(&self) -> Vec<(NaiveDate, Option<&str>)> {
        let mut all = vec![(self.date.value, Some(self.job.as_str()))];
        all.extend(self.seen.iter().map(|s| (s.date, s.job.as_deref())));
        all.sort_by_key(|(d, _)| *d);
        all
    }

    pub fn test_name(&self) -> Option<&str> {
        self.test.as_ref().map(|t| t.value.as_str())
    }

    /// The title given, or one made the way issues are titled.
    pub fn display_title(&self, infra_prefix: &str) -> String {
        if let Some(title) = &self.title {
            return title.clone();
        }
        default_title(self.kind, self.test_name(), self.error.as_deref(), infra_prefix)
    }
}

/// An issue title in the project's form: `[Flaky Test] <test>`, or the
/// infrastructure prefix with the first line of the error.
pub fn default_title(kind: Kind, test: Option<&str>, error: Option<&str>, infra_prefix: &str) -> String {
    let first_line = error.and_then(|e| e.lines().map(str::trim).find(|l| !l.is_empty()));
    match (kind, test) {
        (Kind::Flaky, Some(test)) => format!("[Flaky Test] {test}"),
        (Kind::Regression, Some(test)) => format!("[Regression] {test}"),
        (_, _) => {
            let what = first_line.map(|l| truncate(l, 90)).unwrap_or_else(|| "CI problem on main".into());
            format!("{infra_prefix} {what}").trim().to_string()
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Reads every file under `triage/`, newest first by date then id.
pub(super) fn read_all(files: &DataFiles, repository: Option<&str>, diags: &mut Diagnostics) -> Vec<Failure> {
    let mut out: Vec<Failure> = Vec::new();
    let mut ids = FirstSeen::new();
    for (path, bytes) in files.under("triage/") {
        let Some(stem) = path.strip_suffix(".toml") else {
            let file = diags.add_file(files.display_path(path), String::from_utf8_lossy(bytes));
            diags.push(
                Diagnostic::warning(format!(
                    "{} is not a .toml file; rota ignores it",
                    files.display_path(path)
                ))
                .in_file(file)
                .help("triage entries are TOML files: triage/<year>/<id>.toml"),
            );
            continue;
        };
        let Some((text, file)) = super::text_file(files, path, bytes, diags) else { continue };
        let id = stem.rsplit('/').next().unwrap_or(stem).to_string();
        if !valid_id(&id) {
            diags.push(
                Diagnostic::error(format!("`{id}` is not a usable triage id"))
                    .in_file(file)
                    .help("the file name is the id, used in URLs: use letters, digits, `-`, `_` and `.`, such as 2022-06-30-pytorch-empty-like.toml"),
            );
            continue;
        }
        let Some(doc) = toml_reader::parse(text, file, diags) else { continue };
        let mut root = Table::new(&doc, file, format!("`{}`", files.display_path(path)));
        let failure = read_one(&mut root, id.clone(), path, repository, diags);
        root.finish(diags);
        let Some(failure) = failure else { continue };
        check_year_folder(&failure, files, diags);
        let twice = format!("two triage entries have the id `{id}`");
        if let Some(d) = ids.duplicate(id, &failure.at, twice, "the other one") {
            diags.push(d.help("ids are file names and must be unique across all years: rename one file"));
            continue;
        }
        out.push(failure);
    }
    out.sort_by(|a, b| b.date.value.cmp(&a.date.value).then_with(|| a.id.cmp(&b.id)));
    out
}

fn read_one(
    t: &mut Table<'_, '_>,
    id: String,
    path: &str,
    repository: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<Failure> {
    let at = Loc { file: t.file(), span: 0..0 };
    let kind = t.required_string("kind", diags).and_then(|k| closed_set(&k, &Kind::ALL, Kind::as_str, diags));
    let date = t.required_date("date", diags);
    let job = t.required_string("job", diags).and_then(|u| super::config::http_url(u, diags));
    let commit = t.string("commit", diags).and_then(|c| commit_hash(c, diags));
    let test = t.string("test", diags).filter(|s| {
        let ok = !s.trim().is_empty() && !s.contains('\n');
        if !ok {
            diags.push(s.at.error("`test` must be a test id on one line").label("empty or several lines"));
        }
        ok
    });
    let error = t.string("error", diags).map(|e| e.value);
    let issue = github_ref(t, "issue", repository, diags);
    let pr = github_ref(t, "pr", repository, diags);
    let issue_date = t.date("issue_date", diags);
    let pr_date = t.date("pr_date", diags);
    for (key, when, of) in [("issue_date", &issue_date, issue.is_some()), ("pr_date", &pr_date, pr.is_some())]
    {
        let Some(when) = when else { continue };
        if !of {
            let what = key.trim_end_matches("_date");
            diags.push(
                when.at.error(format!("`{key}` without `{what}`")).label(format!("the {what} is not named")),
            );
        } else if let Some(first) = &date
            && when.value < first.value
        {
            diags.push(
                when.at
                    .error(format!(
                        "`{key}` ({}) is before the failure was first seen ({})",
                        when.value, first.value
                    ))
                    .label("before `date`"),
            );
        }
    }
    let status = t.required_string("status", diags).and_then(|s| {
        let value = closed_set(&s, &Status::ALL, Status::as_str, diags)?;
        Some(Located { value, at: s.at })
    });
    let triaged_by = t.string("triaged_by", diags).filter(|l| super::roster::valid_login(l, diags));
    let title = t.string("title", diags).map(|s| s.value).filter(|s| !s.trim().is_empty());
    let seen: Vec<Seen> = t.tables("seen", diags).into_iter().filter_map(|s| read_seen(s, diags)).collect();

    for s in &seen {
        if let Some(date) = &date
            && s.date < date.value
        {
            diags.push(
                s.at.error(format!(
                    "this occurrence ({}) is before the failure was first seen ({})",
                    s.date, date.value
                ))
                .label("before `date`")
                .help("`date` is the first time it failed on main; `[[seen]]` lists later ones"),
            );
        }
    }
    let (kind, date) = (kind?, date?);
    if kind.needs_test() && test.is_none() && t.raw("test").is_none() {
        diags.push(
            Diagnostic::error(format!("a {} entry needs `test`", kind.as_str()))
                .at(at.file, 0..0)
                .label("`test` is required for flaky tests and regressions")
                .help("add the pytest node id, such as test = \"tests/python/x.py::test_y\""),
        );
    }
    let mut seen = seen;
    seen.sort_by_key(|s| s.date);
    Some(Failure {
        id,
        path: path.to_string(),
        kind,
        date,
        job: job?,
        commit,
        test,
        error,
        issue,
        pr,
        issue_date: issue_date.map(|d| d.value),
        pr_date: pr_date.map(|d| d.value),
        status: status?,
        triaged_by,
        title,
        seen,
        at,
    })
}

fn read_seen(mut t: Table<'_, '_>, diags: &mut Diagnostics) -> Option<Seen> {
    let at = t.loc();
    let date = t.required_date("date", diags);
    let job = t.string("job", diags).and_then(|u| super::config::http_url(u, diags));
    t.finish(diags);
    Some(Seen { date: date?.value, job, at })
}

/// One of a closed set of words, with the whole set in the message.
fn closed_set<T: Copy>(
    word: &Located<String>,
    all: &[T],
    name: fn(T) -> &'static str,
    diags: &mut Diagnostics,
) -> Option<T> {
    if let Some(v) = all.iter().copied().find(|v| name(*v) == word.value) {
        return Some(v);
    }
    let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
    let mut d =
        word.at.error(format!("`{}` is not one of {}", word.value, names.join(", "))).label("unknown value");
    let lower = word.to_lowercase();
    if let Some(best) =
        names.iter().find(|n| **n == lower).copied().or_else(|| toml_reader::closest(&lower, &names))
    {
        d = d.help(format!("did you mean `{best}`?"));
    }
    diags.push(d);
    None
}

fn commit_hash(c: Located<String>, diags: &mut Diagnostics) -> Option<String> {
    let ok = (4..=64).contains(&c.len()) && c.chars().all(|ch| ch.is_ascii_hexdigit());
    if ok {
        Some(c.value.to_lowercase())
    } else {
        diags.push(
            c.at.error(format!("`{}` is not a commit hash", c.value))
                .label("expected hexadecimal digits, such as 0f8d3a5"),
        );
        None
    }
}

/// `issue` or `pr`: a number, or a URL of an issue or pull request in the
/// project's repository. Both forms become the number and its URL.
fn github_ref(
    t: &mut Table<'_, '_>,
    key: &'static str,
    repository: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<GithubRef> {
    let raw = t.raw(key)?;
    let at = Loc { file: t.file(), span: raw.span() };
    let path = if key == "pr" { "pull" } else { "issues" };
    let number = if let Some(i) = raw.get_ref().as_integer() {
        let n = i.as_str().replace('_', "").parse::<u64>().ok().filter(|n| *n > 0);
        if n.is_none() {
            diags.push(at.error(format!("`{key}` must be a positive number")).label("not an issue number"));
        }
        n?
    } else if let Some(text) = raw.get_ref().as_str() {
        let url = super::config::http_url(Located { value: text.to_string(), at: at.clone() }, diags)?;
        let repository = repository?;
        match number_in(&url, repository) {
            Some(n) => n,
            None => {
                diags.push(
                    at.error(format!("`{url}` is not an issue or pull request of {repository}"))
                        .label("another repository, or not an issue URL")
                        .help(format!(
                            "write the number, or a URL such as {repository}/{path}/123; `project.repository` in config.toml names the repository"
                        )),
                );
                return None;
            }
        }
    } else {
        diags.push(
            at.error(format!("`{key}` must be a number or a URL, not {}", raw.get_ref().type_str()))
                .label("expected 11967 or https://github.com/…"),
        );
        return None;
    };
    let repository = repository?;
    Some(GithubRef { number, url: format!("{repository}/{path}/{number}"), at })
}

/// The number in `REPO/issues/N` or `REPO/pull/N` (GitHub redirects between
/// the two, so either form is accepted for either key).
fn number_in(url: &str, repository: &str) -> Option<u64> {
    let rest = url.strip_prefix(repository)?.strip_prefix('/')?;
    let rest = rest.strip_prefix("issues/").or_else(|| rest.strip_prefix("pull/"))?;
    let digits: &str = rest.split(['/', '#', '?']).next()?;
    let tail = &rest[digits.len()..];
    if !(tail.is_empty() || tail.starts_with('#') || tail == "/" || tail.starts_with("/files")) {
        return None;
    }
    digits.parse::<u64>().ok().filter(|n| *n > 0)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('.')
        && id.len() <= 120
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Files live in the folder of their year; a mismatch is only a warning, as
/// the id stays unique either way.
fn check_year_folder(f: &Failure, files: &DataFiles, diags: &mut Diagnostics) {
    let folder = f.path.trim_start_matches("triage/").rsplit_once('/').map(|(dir, _)| dir);
    let year = f.date.value.year().to_string();
    if folder != Some(year.as_str()) {
        diags.push(
            f.date
                .at
                .warning(format!(
                    "{} is dated {} but is not in the folder triage/{year}/",
                    files.display_path(&f.path),
                    f.date.value
                ))
                .label("the year of this date names the folder")
                .help(format!("move it to triage/{year}/{}.toml", f.id)),
        );
    }
}

/// What a new triage entry holds, for writing a file that `rota check` accepts.
#[derive(Debug, Clone, Default)]
pub struct NewEntry {
    pub kind: Option<Kind>,
    pub date: Option<NaiveDate>,
    pub job: String,
    pub commit: Option<String>,
    pub test: Option<String>,
    pub error: Option<String>,
    pub issue: Option<u64>,
    pub pr: Option<u64>,
    pub triaged_by: Option<String>,
    pub title: Option<String>,
}

/// The TOML text of a new entry, in the key order of DESIGN.md, with `status
/// = "open"`. Strings are quoted as TOML basic strings, so any text is safe.
pub fn entry_toml(e: &NewEntry) -> String {
    let mut out = String::new();
    let kind = e.kind.unwrap_or(if e.test.is_some() { Kind::Flaky } else { Kind::Infra });
    let _ = writeln!(out, "kind = {}", quote(kind.as_str()));
    if let Some(date) = e.date {
        let _ = writeln!(out, "date = {date}");
    }
    let _ = writeln!(out, "job = {}", quote(&e.job));
    let optional = [("commit", &e.commit), ("test", &e.test), ("error", &e.error)];
    for (key, value) in optional {
        if let Some(v) = value {
            let _ = writeln!(out, "{key} = {}", quote(v));
        }
    }
    match e.issue {
        Some(n) => {
            let _ = writeln!(out, "issue = {n}");
        }
        None => out.push_str("# issue = 12345             # the issue you file for it\n"),
    }
    if let Some(n) = e.pr {
        let _ = writeln!(out, "pr = {n}");
    }
    let _ = writeln!(out, "status = {}", quote(if e.pr.is_some() { "disabled" } else { "open" }));
    if let Some(login) = &e.triaged_by {
        let _ = writeln!(out, "triaged_by = {}", quote(login));
    }
    if let Some(title) = &e.title {
        let _ = writeln!(out, "title = {}", quote(title));
    }
    out
}

/// A TOML basic string.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPO: &str = "https://github.com/demo/demo";

    fn read(files: &[(&str, &str)]) -> (Vec<Failure>, Diagnostics) {
        let mut data = DataFiles::new("data");
        for (p, t) in files {
            data.insert(*p, t.as_bytes().to_vec());
        }
        let mut diags = Diagnostics::new();
        let out = read_all(&data, Some(REPO), &mut diags);
        (out, diags)
    }

    const GOOD: &str = r#"
kind = "flaky"
date = 2022-06-30
job = "https://ci.example.org/job/3713/"
commit = "0F8D3A5"
test = "tests/python/test_a.py::test_b"
issue = "https://github.com/demo/demo/issues/11967"
pr = 11968
status = "disabled"
[[seen]]
date = 2022-07-02
job = "https://ci.example.org/job/3720/"
"#;

    #[test]
    fn reads_an_entry_and_normalises_issue_and_pr() {
        let (out, diags) = read(&[("triage/2022/a.toml", GOOD)]);
        assert!(diags.is_empty(), "{}", diags.render_human());
        let f = &out[0];
        assert_eq!(f.id, "a");
        assert_eq!(
            f.issue.as_ref().map(|i| (i.number, i.url.as_str())),
            Some((11967, "https://github.com/demo/demo/issues/11967"))
        );
        assert_eq!(f.pr.as_ref().map(|i| i.url.as_str()), Some("https://github.com/demo/demo/pull/11968"));
        assert_eq!(f.commit.as_deref(), Some("0f8d3a5"));
        assert_eq!(f.occurrences(), 2);
        assert_eq!(f.display_title("[ci]"), "[Flaky Test] tests/python/test_a.py::test_b");
    }

    #[test]
    fn every_problem_is_located() {
        let bad = r#"kind = "flakey"
date = 2022-06-30
job = "ftp://ci/x"
issue = "https://github.com/other/repo/issues/3"
pr = -4
status = "Open"
triaged_by = "not a login"
colour = "red"
[[seen]]
date = 2022-06-01
"#;
        let (out, diags) = read(&[("triage/2022/b.toml", bad)]);
        assert!(out.is_empty());
        let text = diags.render_human();
        for needle in [
            "b.toml:1:8",
            "`flakey` is not one of flaky, infra, regression",
            "did you mean `flaky`?",
            "b.toml:3:7",
            "is not an http(s) URL",
            "b.toml:4:9",
            "is not an issue or pull request of https://github.com/demo/demo",
            "b.toml:5:6",
            "b.toml:6:10",
            "did you mean `open`?",
            "b.toml:8:1",
            "unknown key `colour`",
            "before the failure was first seen",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
    }

    #[test]
    fn flaky_and_regression_need_a_test() {
        let text = "kind = \"regression\"\ndate = 2022-06-30\njob = \"https://ci/x\"\nstatus = \"open\"\n";
        let (_, diags) = read(&[("triage/2022/c.toml", text)]);
        assert!(diags.render_human().contains("a regression entry needs `test`"), "{}", diags.render_human());
        let infra = text.replace("regression", "infra");
        let (out, diags) = read(&[("triage/2022/c.toml", &infra)]);
        assert!(diags.is_empty() && out.len() == 1, "{}", diags.render_human());
    }

    #[test]
    fn ids_are_unique_across_years_and_years_match_folders() {
        let (out, diags) = read(&[("triage/2022/a.toml", GOOD), ("triage/2023/a.toml", GOOD)]);
        assert_eq!(out.len(), 1);
        let text = diags.render_human();
        assert!(text.contains("two triage entries have the id `a`"), "{text}");
        assert!(text.contains("is not in the folder triage/2022/"), "{text}");
        assert_eq!(diags.error_count(), 1);
    }

    #[test]
    fn issue_urls_accept_pull_and_issue_forms_only_in_the_repository() {
        assert_eq!(number_in("https://github.com/demo/demo/pull/12", REPO), Some(12));
        assert_eq!(number_in("https://github.com/demo/demo/issues/12#issuecomment-1", REPO), Some(12));
        assert_eq!(number_in("https://github.com/demo/demo2/issues/12", REPO), None);
        assert_eq!(number_in("https://github.com/demo/demo/issues/12x", REPO), None);
        assert_eq!(number_in("https://github.com/demo/demo/commit/12", REPO), None);
    }

    #[test]
    fn a_new_entry_reads_back_as_written() {
        let entry = NewEntry {
            kind: Some(Kind::Flaky),
            date: NaiveDate::from_ymd_opt(2022, 7, 1),
            job: "https://ci.example.org/job/1/".into(),
            test: Some("tests/x.py::test_y[\"a\\b\"]".into()),
            error: Some("line one\nline \"two\"\t\u{7}".into()),
            triaged_by: Some("alice".into()),
            ..NewEntry::default()
        };
        let text = entry_toml(&entry);
        let (out, diags) = read(&[("triage/2022/new.toml", &text)]);
        assert!(diags.is_empty(), "{text}\n{}", diags.render_human());
        assert_eq!(out[0].test_name(), entry.test.as_deref());
        assert_eq!(out[0].error, entry.error);
        assert_eq!(out[0].status.value, Status::Open);
        assert!(text.contains("# issue = "), "{text}");
    }
}
