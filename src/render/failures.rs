//! Pages of the triage log: `failures/`, `failures/<id>/`, `tests/<slug>/`,
//! and the failures shown on the home page and on each shift's page.

use std::collections::BTreeSet;

use serde::Serialize;
use tera::Context;

use super::Output;
use super::charts::{self, Bar, Cell};
use super::context::PageContext;
use super::view::{person_url, shift_url};
use crate::diagnostics::Diagnostic;
use crate::model::triage::{Failure, GithubRef, Kind, Status};
use crate::triage::{self, add_days, week_start};

pub fn failure_url(id: &str) -> String {
    format!("failures/{id}/")
}

pub fn test_url(slug: &str) -> String {
    format!("tests/{slug}/")
}

#[derive(Debug, Clone, Serialize)]
pub struct RefView {
    pub number: u64,
    pub url: String,
}

impl RefView {
    fn new(r: &GithubRef) -> Self {
        RefView { number: r.number, url: r.url.clone() }
    }
}

/// A person who triaged: their page when they are in the roster, else GitHub.
#[derive(Debug, Clone, Serialize)]
pub struct PersonLink {
    pub login: String,
    pub url: String,
    /// A site page, linked relative to `root`; otherwise an absolute URL.
    pub internal: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub id: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeenView {
    pub date: String,
    pub job: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailureView {
    pub id: String,
    pub url: String,
    pub title: String,
    pub kind: Kind,
    pub status: Status,
    pub date: String,
    pub last_seen: String,
    pub test: Option<String>,
    pub test_url: Option<String>,
    pub error: Option<String>,
    pub job: String,
    pub commit: Option<String>,
    pub commit_url: Option<String>,
    pub issue: Option<RefView>,
    pub pr: Option<RefView>,
    pub triaged_by: Option<PersonLink>,
    pub triaged_by_default: bool,
    /// The shift its first day falls in, linked when the site has its page.
    pub shift: Option<Link>,
    pub shift_has_page: bool,
    pub occurrences: usize,
    /// Later occurrences, oldest first.
    pub seen: Vec<SeenView>,
    /// The oldest other failure with the same normalised error, and how many there are.
    pub same_error_as: Option<Link>,
    pub same_error_count: usize,
    /// The entry's file in this repository, when `site.repository` is set.
    pub source_url: Option<String>,
}

fn view(p: &PageContext<'_>, entry: usize) -> FailureView {
    let t = p.triage;
    let e = &t.entries[entry];
    let f = &p.model.failures[e.index];
    let repo = &p.model.config.project.repository;
    // Borrowed, not copied: this runs for every failure of a large log.
    let same: &[usize] = e.cluster.map_or(&[], |c| t.clusters[c].entries.as_slice());
    let mut others = same.iter().copied().filter(|&i| i != entry);
    FailureView {
        id: f.id.clone(),
        url: failure_url(&f.id),
        title: f.display_title(&p.model.config.triage.infra_title_prefix),
        kind: f.kind,
        status: f.status.value,
        date: f.date.value.to_string(),
        last_seen: f.last_seen().to_string(),
        test: f.test_name().map(str::to_string),
        test_url: e.test.map(|g| test_url(&t.tests[g].slug)),
        error: f.error.clone(),
        job: f.job.clone(),
        commit: f.commit.clone(),
        commit_url: f.commit.as_ref().map(|c| format!("{repo}/commit/{c}")),
        issue: f.issue.as_ref().map(RefView::new),
        pr: f.pr.as_ref().map(RefView::new),
        triaged_by: e.triaged_by.as_deref().map(|login| person_link(p, login)),
        triaged_by_default: e.triaged_by_default,
        shift: e.shift.as_ref().map(|id| Link { id: id.clone(), url: shift_url(id) }),
        shift_has_page: e.shift.as_ref().is_some_and(|id| p.shifts.iter().any(|s| &s.id == id)),
        occurrences: f.occurrences(),
        seen: f.seen.iter().map(|s| SeenView { date: s.date.to_string(), job: s.job.clone() }).collect(),
        same_error_as: others.next().map(|i| link(p, i)),
        same_error_count: same.len().saturating_sub(1),
        source_url: p.model.config.site.repository.as_ref().map(|r| format!("{r}/blob/HEAD/data/{}", f.path)),
    }
}

fn link(p: &PageContext<'_>, entry: usize) -> Link {
    let id = &p.triage.failure(p.model, entry).id;
    Link { id: id.clone(), url: failure_url(id) }
}

fn person_link(p: &PageContext<'_>, login: &str) -> PersonLink {
    match p.model.person(login) {
        Some(person) => {
            PersonLink { login: person.github.clone(), url: person_url(&person.github), internal: true }
        }
        None => PersonLink {
            login: login.to_string(),
            url: format!("https://github.com/{login}"),
            internal: false,
        },
    }
}

/// The newest `n` failures, for the home page.
pub fn recent(p: &PageContext<'_>, n: usize) -> Vec<FailureView> {
    // Entries are newest first; one dated after the build is not recent yet.
    (0..p.triage.entries.len())
        .filter(|&i| p.model.failures[p.triage.entries[i].index].date.value <= p.triage.today)
        .take(n)
        .map(|i| view(p, i))
        .collect()
}

/// Adds a shift's failures to its page's context.
pub fn add_shift(p: &PageContext<'_>, shift: &str, ctx: &mut Context) {
    let first: Vec<FailureView> =
        p.triage.by_shift.get(shift).into_iter().flatten().map(|&i| view(p, i)).collect();
    #[derive(Serialize)]
    struct Again {
        date: String,
        failure: FailureView,
    }
    let again: Vec<Again> = p
        .triage
        .seen_in_shift
        .get(shift)
        .into_iter()
        .flatten()
        .map(|&(i, d)| Again { date: d.to_string(), failure: view(p, i) })
        .collect();
    ctx.insert("failures", &first);
    ctx.insert("seen_again", &again);
}

#[derive(Serialize)]
struct TestRow {
    test: String,
    url: String,
    entries: usize,
    occurrences: usize,
    status: Status,
    last_seen: String,
}

fn test_row(g: &triage::TestGroup) -> TestRow {
    TestRow {
        test: g.test.clone(),
        url: test_url(&g.slug),
        entries: g.entries.len(),
        occurrences: g.occurrences,
        status: g.status,
        last_seen: g.last_seen.to_string(),
    }
}

#[derive(Serialize)]
struct ClusterView {
    sample: String,
    failures: Vec<Link>,
}

#[derive(Serialize)]
struct WeekRow {
    start: String,
    flaky: usize,
    infra: usize,
    regression: usize,
    total: usize,
    open: usize,
    disabled: usize,
}

#[derive(Serialize)]
struct HealthView {
    total: usize,
    occurrences: usize,
    last_30_days: usize,
    open: usize,
    disabled_tests: Vec<TestRow>,
    overdue: Vec<FailureView>,
    without_issue: Vec<FailureView>,
    refiled_tests: usize,
    overdue_days: i64,
    today: String,
    days_to_issue: Option<MedianView>,
    days_to_pr: Option<MedianView>,
}

#[derive(Serialize)]
struct MedianView {
    /// "1" or "1.5"
    days: String,
    of: usize,
}

impl MedianView {
    fn new(m: triage::Median) -> Self {
        let days = if m.days.fract() == 0.0 { format!("{}", m.days) } else { format!("{:.1}", m.days) };
        MedianView { days, of: m.of }
    }
}

pub fn index(p: &PageContext<'_>, out: &mut Output) -> Result<(), Diagnostic> {
    let url = "failures/";
    let t = p.triage;
    let mut ctx = p.context(url);
    let all: Vec<FailureView> = (0..t.entries.len()).map(|i| view(p, i)).collect();
    let root = super::root_of(url);
    let bars: Vec<Bar> = t
        .top_flaky
        .iter()
        .map(|&g| {
            let group = &t.tests[g];
            Bar {
                label: short_test(&group.test, 44),
                full: group.test.clone(),
                href: format!("{root}{}", test_url(&group.slug)),
                value: group.occurrences,
            }
        })
        .collect();
    let weeks: Vec<WeekRow> = t
        .weeks
        .iter()
        .zip(&t.backlog)
        .map(|(w, b)| WeekRow {
            start: w.start.to_string(),
            flaky: w.flaky,
            infra: w.infra,
            regression: w.regression,
            total: w.total(),
            open: b.open,
            disabled: b.disabled,
        })
        .collect();
    let clusters: Vec<ClusterView> = t
        .clusters
        .iter()
        .map(|c| ClusterView {
            sample: p.triage.failure(p.model, c.entries[0]).error.clone().unwrap_or_default(),
            failures: c.entries.iter().map(|&i| link(p, i)).collect(),
        })
        .collect();
    let failures = &p.model.failures;
    let health = HealthView {
        total: failures.len(),
        occurrences: failures.iter().map(Failure::occurrences).sum(),
        last_30_days: t.health.last_30_days,
        open: failures.iter().filter(|f| f.status.value == Status::Open).count(),
        disabled_tests: t.health.disabled_tests.iter().map(|&g| test_row(&t.tests[g])).collect(),
        overdue: t.health.overdue.iter().map(|&i| view(p, i)).collect(),
        without_issue: t.health.without_issue.iter().map(|&i| view(p, i)).collect(),
        refiled_tests: t.health.refiled_tests,
        overdue_days: triage::OVERDUE_DAYS,
        today: t.today.to_string(),
        days_to_issue: t.health.days_to_issue.map(MedianView::new),
        days_to_pr: t.health.days_to_pr.map(MedianView::new),
    };
    let has_recent = t.weeks.iter().any(|w| w.total() > 0);
    ctx.insert("failures", &all);
    ctx.insert("kinds", &Kind::ALL);
    ctx.insert("statuses", &Status::ALL);
    ctx.insert("weekly_svg", &has_recent.then(|| charts::weekly_by_kind(&t.weeks)));
    ctx.insert("backlog_svg", &(!t.backlog.is_empty()).then(|| charts::backlog(&t.backlog)));
    ctx.insert("top_svg", &(!bars.is_empty()).then(|| charts::top_tests(&bars)));
    ctx.insert("top_tests", &t.top_flaky.iter().map(|&g| test_row(&t.tests[g])).collect::<Vec<_>>());
    ctx.insert("weeks", &weeks);
    ctx.insert("clusters", &clusters);
    ctx.insert("health", &health);
    ctx.insert("chart_weeks", &triage::CHART_WEEKS);
    ctx.insert("chart_end", &(t.chart_end != t.today).then(|| t.chart_end.to_string()));
    ctx.insert("tests_count", &t.tests.len());
    p.page(out, url, "failures.html", ctx)
}

/// How many other failures of the same test, or with the same error, a
/// failure's page lists (newest first).
const RELATED_SHOWN: usize = 20;

pub fn pages(p: &PageContext<'_>, out: &mut Output) -> Result<(), Diagnostic> {
    let t = p.triage;
    for (i, e) in t.entries.iter().enumerate() {
        let v = view(p, i);
        // Capped, so that a test or an error seen thousands of times does
        // not make every one of its pages list all the others.
        let related = |entries: &[usize]| -> (Vec<FailureView>, usize) {
            let others = entries.iter().copied().filter(|&j| j != i);
            (others.clone().take(RELATED_SHOWN).map(|j| view(p, j)).collect(), others.count())
        };
        let (same_test, same_test_count) = e.test.map_or((Vec::new(), 0), |g| related(&t.tests[g].entries));
        let (same_error, same_error_count) =
            e.cluster.map_or((Vec::new(), 0), |c| related(&t.clusters[c].entries));
        let mut ctx = p.context(&v.url);
        ctx.insert("f", &v);
        ctx.insert("same_test", &same_test);
        ctx.insert("same_test_more", &same_test_count.saturating_sub(same_test.len()));
        ctx.insert("same_error", &same_error);
        ctx.insert("same_error_more", &same_error_count.saturating_sub(same_error.len()));
        p.page(out, &v.url.clone(), "failure.html", ctx)?;
    }
    Ok(())
}

#[derive(Serialize)]
struct OccurrenceRow {
    date: String,
    job: Option<String>,
    failure: Link,
}

pub fn tests(p: &PageContext<'_>, out: &mut Output) -> Result<(), Diagnostic> {
    let t = p.triage;
    for group in &t.tests {
        let url = test_url(&group.slug);
        let entries: Vec<FailureView> = group.entries.iter().map(|&i| view(p, i)).collect();
        let mut occurrences: Vec<OccurrenceRow> = Vec::new();
        for &i in &group.entries {
            let f = t.failure(p.model, i);
            for (date, job) in f.all_occurrences() {
                occurrences.push(OccurrenceRow {
                    date: date.to_string(),
                    job: job.map(str::to_string),
                    failure: link(p, i),
                });
            }
        }
        occurrences.sort_by(|a, b| b.date.cmp(&a.date).then(a.failure.id.cmp(&b.failure.id)));
        let mut issues: Vec<(u64, String)> = Vec::new();
        let mut seen = BTreeSet::new();
        for &i in group.entries.iter().rev() {
            let f = t.failure(p.model, i);
            for r in [&f.issue, &f.pr].into_iter().flatten() {
                if seen.insert(r.url.clone()) {
                    issues.push((r.number, r.url.clone()));
                }
            }
        }
        let mut ctx = p.context(&url);
        ctx.insert("test", &test_row(group));
        ctx.insert("first_seen", &group.first_seen.to_string());
        ctx.insert("entries", &entries);
        ctx.insert("occurrences", &occurrences);
        ctx.insert(
            "links",
            &issues.iter().map(|(n, u)| RefView { number: *n, url: u.clone() }).collect::<Vec<_>>(),
        );
        ctx.insert("strip_svg", &charts::strip(&group.test, &strip_cells(p, group)));
        p.page(out, &url, "test.html", ctx)?;
    }
    Ok(())
}

/// `tests/`: every test that failed, most failed jobs first.
pub fn tests_index(p: &PageContext<'_>, out: &mut Output) -> Result<(), Diagnostic> {
    let url = "tests/";
    let mut rows: Vec<&triage::TestGroup> = p.triage.tests.iter().collect();
    rows.sort_by(|a, b| {
        b.occurrences.cmp(&a.occurrences).then(b.last_seen.cmp(&a.last_seen)).then(a.slug.cmp(&b.slug))
    });
    let mut ctx = p.context(url);
    ctx.insert("tests", &rows.into_iter().map(test_row).collect::<Vec<_>>());
    p.page(out, url, "tests.html", ctx)
}

/// Longest span a strip shows, in weeks; older weeks are left off.
const STRIP_WEEKS: i64 = 104;

/// Weeks from the test's first failure to the later of its last failure plus
/// a few quiet weeks and today, at most [`STRIP_WEEKS`].
fn strip_cells(p: &PageContext<'_>, group: &triage::TestGroup) -> Vec<Cell> {
    let t = p.triage;
    let first = week_start(group.first_seen);
    let quiet_end = add_days(week_start(group.last_seen), 7 * 8);
    let last = quiet_end.min(week_start(t.today)).max(week_start(group.last_seen));
    let weeks = ((last - first).num_weeks() + 1).min(STRIP_WEEKS);
    let start = add_days(last, -7 * (weeks - 1));
    (0..weeks)
        .map(|k| {
            let week = add_days(start, 7 * k);
            let mut count = 0;
            let mut kind = None;
            for &i in &group.entries {
                let f = t.failure(p.model, i);
                let n = f.all_occurrences().iter().filter(|(d, _)| week_start(*d) == week).count();
                if n > 0 {
                    count += n;
                    kind = Some(kind.map_or(f.kind, |k: Kind| k.max(f.kind)));
                }
            }
            Cell { start: week, count, kind }
        })
        .collect()
}

/// The end of a long test id, which is the part people recognise.
fn short_test(test: &str, max: usize) -> String {
    let chars: Vec<char> = test.chars().collect();
    if chars.len() <= max {
        return test.to_string();
    }
    let name = test.rsplit("::").next().unwrap_or(test);
    if name.chars().count() < max {
        return format!("…{name}");
    }
    let tail: String = chars[chars.len() - (max - 1)..].iter().collect();
    format!("…{tail}")
}
