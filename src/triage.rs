//! Derive stage for the triage log: who triaged what in which shift, each
//! test's failures grouped however many times it was filed, errors grouped by
//! their normalised text, and the figures the site charts. Pure: the clock
//! comes in as `now`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike as _, Days, NaiveDate, Utc};

use crate::diagnostics::Diagnostic;
use crate::model::Model;
use crate::model::triage::{Failure, Kind, Status};
use crate::schedule::Schedule;

/// Weeks shown by the charts that cover "the last year".
pub const CHART_WEEKS: usize = 52;
/// How many tests the "top flaky tests" figure lists.
pub const TOP_FLAKY: usize = 10;
/// An open entry older than this many days counts as overdue.
pub const OVERDUE_DAYS: i64 = 30;
/// An open entry without an issue after this many days earns a warning.
pub const ISSUE_GRACE_DAYS: i64 = 2;

/// What the derive stage adds to one failure of the model.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Index into `Model::failures`, which is newest first.
    pub index: usize,
    /// `triaged_by` as written, or whoever was on call on its first day.
    pub triaged_by: Option<String>,
    /// Set when `triaged_by` came from the schedule.
    pub triaged_by_default: bool,
    /// The shift its first day falls in, such as `2022-W26`.
    pub shift: Option<String>,
    /// Index into `Triage::tests`.
    pub test: Option<usize>,
    /// Index into `Triage::clusters`.
    pub cluster: Option<usize>,
}

/// Every entry about one test, however many times it was filed.
#[derive(Debug, Clone)]
pub struct TestGroup {
    pub test: String,
    pub slug: String,
    /// Indices into `Triage::entries`, newest first.
    pub entries: Vec<usize>,
    pub occurrences: usize,
    pub first_seen: NaiveDate,
    pub last_seen: NaiveDate,
    /// The status of the newest entry: where the test stands now.
    pub status: Status,
    pub flaky: bool,
}

/// Entries whose errors read the same once numbers, hex, paths and temporary
/// names are taken out. Only groups of two or more are kept.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub key: String,
    /// Indices into `Triage::entries`, oldest first.
    pub entries: Vec<usize>,
}

/// Occurrences of failures in one week, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekCount {
    /// The Monday the week starts on.
    pub start: NaiveDate,
    pub flaky: usize,
    pub infra: usize,
    pub regression: usize,
}

impl WeekCount {
    pub fn total(&self) -> usize {
        self.flaky + self.infra + self.regression
    }

    pub fn get(&self, kind: Kind) -> usize {
        match kind {
            Kind::Flaky => self.flaky,
            Kind::Infra => self.infra,
            Kind::Regression => self.regression,
        }
    }
}

/// Today's unresolved work, counted by the week it was first seen. The log
/// records each entry's current status, not when it changed, so this is the
/// history of the present backlog, not of past ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacklogPoint {
    pub start: NaiveDate,
    pub open: usize,
    pub disabled: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Health {
    /// Occurrences in the 30 days up to today.
    pub last_30_days: usize,
    /// Tests whose newest entry is `disabled`, by index into `tests`.
    pub disabled_tests: Vec<usize>,
    /// Open entries first seen more than 30 days ago, by index into `entries`.
    pub overdue: Vec<usize>,
    /// Open entries that have no issue yet.
    pub without_issue: Vec<usize>,
    /// Tests filed more than once.
    pub refiled_tests: usize,
    /// Median days from first seen to the issue, and to the PR, over the
    /// entries that record `issue_date` / `pr_date`, with how many do.
    pub days_to_issue: Option<Median>,
    pub days_to_pr: Option<Median>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Median {
    pub days: f64,
    pub of: usize,
}

/// The median of some day counts; `None` for none.
pub fn median(mut days: Vec<i64>) -> Option<Median> {
    if days.is_empty() {
        return None;
    }
    days.sort_unstable();
    let n = days.len();
    let mid = if n % 2 == 1 { days[n / 2] as f64 } else { (days[n / 2 - 1] + days[n / 2]) as f64 / 2.0 };
    Some(Median { days: mid, of: n })
}

#[derive(Debug, Clone, Default)]
pub struct Triage {
    /// In the model's order: newest first.
    pub entries: Vec<Entry>,
    /// Sorted by slug.
    pub tests: Vec<TestGroup>,
    pub clusters: Vec<Cluster>,
    /// Entries first seen in each shift, newest first.
    pub by_shift: BTreeMap<String, Vec<usize>>,
    /// Earlier entries seen again during each shift: (entry, day).
    pub seen_in_shift: BTreeMap<String, Vec<(usize, NaiveDate)>>,
    /// The last [`CHART_WEEKS`] weeks up to today, oldest first.
    pub weeks: Vec<WeekCount>,
    pub backlog: Vec<BacklogPoint>,
    /// Indices into `tests`, most occurrences first.
    pub top_flaky: Vec<usize>,
    pub health: Health,
    pub today: NaiveDate,
    /// The last day the charts show: today, or, when nothing failed in the
    /// last year, the newest failure, so that an old log still shows its history.
    pub chart_end: NaiveDate,
}

impl Triage {
    pub fn derive(model: &Model, schedule: &Schedule, now: DateTime<Utc>) -> Triage {
        let today = now.with_timezone(&schedule.calendar.timezone()).date_naive();
        let failures = &model.failures;
        let mut entries: Vec<Entry> = failures
            .iter()
            .enumerate()
            .map(|(index, f)| {
                let shift = schedule
                    .calendar
                    .index_of_day(f.date.value)
                    .and_then(|i| schedule.shifts.get(i as usize));
                let written = f.triaged_by.as_ref().map(|l| l.value.clone());
                let triaged_by_default = written.is_none() && shift.is_some_and(|s| s.person.is_some());
                Entry {
                    index,
                    triaged_by: written.or_else(|| shift.and_then(|s| s.person.clone())),
                    triaged_by_default,
                    shift: schedule.calendar.index_of_day(f.date.value).map(|i| schedule.calendar.id(i)),
                    test: None,
                    cluster: None,
                }
            })
            .collect();

        let tests = group_tests(failures, &mut entries);
        let clusters = cluster_errors(failures, &mut entries);

        let mut by_shift: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut seen_in_shift: BTreeMap<String, Vec<(usize, NaiveDate)>> = BTreeMap::new();
        for (i, e) in entries.iter().enumerate() {
            if let Some(shift) = &e.shift {
                by_shift.entry(shift.clone()).or_default().push(i);
            }
            for s in &failures[e.index].seen {
                if let Some(index) = schedule.calendar.index_of_day(s.date) {
                    let id = schedule.calendar.id(index);
                    if e.shift.as_ref() != Some(&id) {
                        seen_in_shift.entry(id).or_default().push((i, s.date));
                    }
                }
            }
        }
        for list in seen_in_shift.values_mut() {
            list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            list.dedup_by_key(|(i, _)| *i);
        }

        let chart_end = chart_end(failures, today);
        let week_starts = last_weeks(chart_end, CHART_WEEKS);
        let weeks = week_counts(failures, &week_starts);
        let backlog = backlog(failures, &tests, &week_starts);
        let mut top_flaky: Vec<usize> = (0..tests.len()).filter(|&t| tests[t].flaky).collect();
        top_flaky.sort_by(|&a, &b| tests[b].occurrences.cmp(&tests[a].occurrences).then(a.cmp(&b)));
        top_flaky.truncate(TOP_FLAKY);
        let health = health(failures, &entries, &tests, today);
        Triage {
            entries,
            tests,
            clusters,
            by_shift,
            seen_in_shift,
            weeks,
            backlog,
            top_flaky,
            health,
            today,
            chart_end,
        }
    }

    pub fn failure<'m>(&self, model: &'m Model, entry: usize) -> &'m Failure {
        &model.failures[self.entries[entry].index]
    }

    pub fn test_by_name(&self, name: &str) -> Option<&TestGroup> {
        self.tests.iter().find(|t| t.test == name)
    }

    /// Problems worth a look at PR time: a second entry for a test that is
    /// still open, and open entries nobody filed an issue for.
    pub fn warnings(&self, model: &Model) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for group in &self.tests {
            // Oldest first, so each entry is compared with those before it.
            for (pos, &newer) in group.entries.iter().enumerate().rev() {
                let f = self.failure(model, newer);
                let older_open = group.entries[pos + 1..]
                    .iter()
                    .map(|&e| self.failure(model, e))
                    .find(|o| o.status.value == Status::Open);
                if let (Some(open), Some(test)) = (older_open, &f.test) {
                    let issue = open.issue.as_ref().map(|i| format!(" (#{})", i.number)).unwrap_or_default();
                    out.push(
                        test.at
                            .warning(format!(
                                "`{}` already has an open entry: {}{issue}",
                                group.test, open.id
                            ))
                            .label("filed again")
                            .related(open.status.at.file, open.status.at.span.clone(), "still open here")
                            .help(format!(
                                "add a [[seen]] with this date and job to {} instead of a new file",
                                open.path
                            )),
                    );
                }
            }
        }
        for e in &self.entries {
            let f = &model.failures[e.index];
            let age = (self.today - f.date.value).num_days();
            if f.status.value == Status::Open && f.issue.is_none() && age > ISSUE_GRACE_DAYS {
                out.push(
                    f.status
                        .at
                        .warning(format!("{} has been open for {age} days without an issue", f.id))
                        .label("open, and no `issue`")
                        .help("file an issue for it and record its number as `issue = …`"),
                );
            }
            if f.date.value > self.today {
                out.push(
                    f.date
                        .at
                        .warning(format!("{} is dated after today ({})", f.id, self.today))
                        .label("in the future"),
                );
            }
        }
        out
    }
}

/// Groups entries by test id and gives each test a URL slug.
fn group_tests(failures: &[Failure], entries: &mut [Entry]) -> Vec<TestGroup> {
    let mut by_test: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(test) = failures[e.index].test_name() {
            by_test.entry(test.trim()).or_default().push(i);
        }
    }
    let mut slug_count: HashMap<String, usize> = HashMap::new();
    for test in by_test.keys() {
        *slug_count.entry(slug(test)).or_default() += 1;
    }
    let mut groups: Vec<TestGroup> = by_test
        .into_iter()
        .map(|(test, list)| {
            let base = slug(test);
            // Two tests that read alike once punctuation goes keep apart.
            let slug = if slug_count[&base] > 1 { format!("{base}-{:08x}", fnv(test) as u32) } else { base };
            let fs: Vec<&Failure> = list.iter().map(|&i| &failures[entries[i].index]).collect();
            TestGroup {
                test: test.to_string(),
                slug,
                occurrences: fs.iter().map(|f| f.occurrences()).sum(),
                first_seen: fs.iter().map(|f| f.date.value).min().unwrap_or_default(),
                last_seen: fs.iter().map(|f| f.last_seen()).max().unwrap_or_default(),
                status: fs[0].status.value,
                flaky: fs.iter().any(|f| f.kind == Kind::Flaky),
                entries: list,
            }
        })
        .collect();
    groups.sort_by(|a, b| a.slug.cmp(&b.slug));
    for (g, group) in groups.iter().enumerate() {
        for &i in &group.entries {
            entries[i].test = Some(g);
        }
    }
    groups
}

/// A readable URL segment for a test id: lower case, runs of anything but
/// letters and digits become one `-`; long ids are cut and made unique by a hash.
pub fn slug(test: &str) -> String {
    let mut out = String::new();
    for c in test.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        out = format!("test-{:08x}", fnv(test) as u32);
    } else if out.len() > 90 {
        out.truncate(80);
        out = format!("{}-{:08x}", out.trim_end_matches('-'), fnv(test) as u32);
    }
    out
}

fn fnv(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn cluster_errors(failures: &[Failure], entries: &mut [Entry]) -> Vec<Cluster> {
    let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    // Oldest first, so the first of a cluster is where the error started.
    for i in (0..entries.len()).rev() {
        if let Some(error) = &failures[entries[i].index].error {
            let key = normalise_error(error);
            if !key.is_empty() {
                by_key.entry(key).or_default().push(i);
            }
        }
    }
    let clusters: Vec<Cluster> = by_key
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(key, entries)| Cluster { key, entries })
        .collect();
    for (c, cluster) in clusters.iter().enumerate() {
        for &i in &cluster.entries {
            entries[i].cluster = Some(c);
        }
    }
    clusters
}

/// Error text with what changes from run to run taken out: numbers become
/// `<n>`, hex strings `<hex>`, paths `<path>`, temporary names `<tmp>`.
pub fn normalise_error(text: &str) -> String {
    let mut words = Vec::new();
    for token in text.split_whitespace() {
        let lower = token.to_lowercase();
        if lower.contains('/') || lower.contains('\\') {
            words.push("<path>".to_string());
            continue;
        }
        let mut word = String::new();
        let mut run = String::new();
        let flush = |run: &mut String, word: &mut String| {
            if !run.is_empty() {
                word.push_str(&normalise_run(run));
                run.clear();
            }
        };
        for c in lower.chars() {
            if c.is_alphanumeric() || c == '_' {
                run.push(c);
            } else {
                flush(&mut run, &mut word);
                word.push(c);
            }
        }
        flush(&mut run, &mut word);
        words.push(word);
    }
    words.join(" ")
}

fn normalise_run(run: &str) -> String {
    let is_hex = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit());
    if let Some(rest) = run.strip_prefix("0x")
        && is_hex(rest)
    {
        return "<hex>".into();
    }
    if run.len() >= 7 && is_hex(run) && run.chars().any(|c| c.is_ascii_digit()) {
        return "<hex>".into();
    }
    if (run.starts_with("tmp") || run.starts_with("temp"))
        && run.chars().any(|c| c.is_ascii_digit() || c == '_')
    {
        return "<tmp>".into();
    }
    // Remaining digit runs, inside words too (`shard3`, `u55`).
    let mut out = String::new();
    let mut in_digits = false;
    for c in run.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push_str("<n>");
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// Today, unless no failure was seen in the [`CHART_WEEKS`] weeks up to it:
/// then the last day a failure was seen (never after today).
fn chart_end(failures: &[Failure], today: NaiveDate) -> NaiveDate {
    let year_ago = add_days(today, -7 * CHART_WEEKS as i64);
    let seen = failures.iter().flat_map(|f| f.all_occurrences()).map(|(d, _)| d).filter(|d| *d <= today);
    match seen.max() {
        Some(newest) if newest <= year_ago => newest,
        _ => today,
    }
}

/// Mondays of the `count` weeks up to and including the one with `today`.
pub fn last_weeks(today: NaiveDate, count: usize) -> Vec<NaiveDate> {
    let monday = week_start(today);
    (0..count as u64).rev().filter_map(|k| monday.checked_sub_days(Days::new(7 * k))).collect()
}

pub fn week_start(day: NaiveDate) -> NaiveDate {
    add_days(day, -i64::from(day.weekday().num_days_from_monday()))
}

/// `day` moved by `days`, stopping at the ends of the calendar instead of
/// panicking: any date TOML can hold must build.
pub fn add_days(day: NaiveDate, days: i64) -> NaiveDate {
    day.checked_add_signed(chrono::Duration::days(days)).unwrap_or(if days < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

fn week_counts(failures: &[Failure], starts: &[NaiveDate]) -> Vec<WeekCount> {
    let mut weeks: Vec<WeekCount> =
        starts.iter().map(|&start| WeekCount { start, flaky: 0, infra: 0, regression: 0 }).collect();
    let index: HashMap<NaiveDate, usize> = starts.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    for f in failures {
        for (day, _) in f.all_occurrences() {
            if let Some(&i) = index.get(&week_start(day)) {
                let w = &mut weeks[i];
                match f.kind {
                    Kind::Flaky => w.flaky += 1,
                    Kind::Infra => w.infra += 1,
                    Kind::Regression => w.regression += 1,
                }
            }
        }
    }
    weeks
}

/// Unresolved items (a test, or an entry without one) by their first week.
fn backlog(failures: &[Failure], tests: &[TestGroup], starts: &[NaiveDate]) -> Vec<BacklogPoint> {
    let mut items: Vec<(NaiveDate, Status)> = tests.iter().map(|t| (t.first_seen, t.status)).collect();
    items.extend(failures.iter().filter(|f| f.test.is_none()).map(|f| (f.date.value, f.status.value)));
    starts
        .iter()
        .map(|&start| {
            let end = add_days(start, 6);
            let count = |s: Status| items.iter().filter(|(d, st)| *d <= end && *st == s).count();
            BacklogPoint { start, open: count(Status::Open), disabled: count(Status::Disabled) }
        })
        .collect()
}

fn health(failures: &[Failure], entries: &[Entry], tests: &[TestGroup], today: NaiveDate) -> Health {
    let month_ago = add_days(today, -30);
    let last_30_days = failures
        .iter()
        .flat_map(|f| f.all_occurrences())
        .filter(|(d, _)| *d > month_ago && *d <= today)
        .count();
    let open: Vec<usize> =
        (0..entries.len()).filter(|&i| failures[entries[i].index].status.value == Status::Open).collect();
    Health {
        last_30_days,
        disabled_tests: (0..tests.len()).filter(|&t| tests[t].status == Status::Disabled).collect(),
        overdue: open
            .iter()
            .copied()
            .filter(|&i| (today - failures[entries[i].index].date.value).num_days() > OVERDUE_DAYS)
            .collect(),
        without_issue: open.iter().copied().filter(|&i| failures[entries[i].index].issue.is_none()).collect(),
        refiled_tests: tests.iter().filter(|t| t.entries.len() > 1).count(),
        days_to_issue: median(
            failures.iter().filter_map(|f| Some((f.issue_date? - f.date.value).num_days())).collect(),
        ),
        days_to_pr: median(
            failures.iter().filter_map(|f| Some((f.pr_date? - f.date.value).num_days())).collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3, 0, 1]), Some(Median { days: 1.0, of: 3 }));
        assert_eq!(median(vec![0, 5, 1, 2]), Some(Median { days: 1.5, of: 4 }));
    }

    #[test]
    fn normalising_errors_keeps_the_words_and_drops_what_varies() {
        assert_eq!(
            normalise_error("OSError: [Errno 28] No space left on device: '/tmp/tmpa8x2/lib.so'"),
            "oserror: [errno <n>] no space left on device: <path>"
        );
        assert_eq!(
            normalise_error("Segfault at 0x7f3a2c00 in tmp_k3j2 (shard 3 of 8)"),
            normalise_error("Segfault at 0x55aa in tmp_99zz (shard 5 of 8)")
        );
        assert_eq!(normalise_error("commit deadbeef12 failed"), "commit <hex> failed");
        assert_eq!(normalise_error("AssertionError: 0.4487 < 0.2"), "assertionerror: <n>.<n> < <n>.<n>");
    }

    #[test]
    fn slugs_are_readable_and_bounded() {
        assert_eq!(
            slug("tests/python/unittest/test_custom_datatypes.py::test_myfloat"),
            "tests-python-unittest-test-custom-datatypes-py-test-myfloat"
        );
        assert_eq!(slug("t.py::test_x[ethos-u55-128-MAX]"), "t-py-test-x-ethos-u55-128-max");
        let long = slug(&"a/".repeat(200));
        assert!(long.len() <= 90, "{long}");
        assert_eq!(slug("::"), slug("::"));
        assert!(slug("::").starts_with("test-"));
    }

    #[test]
    fn weeks_end_with_this_one() {
        let today = NaiveDate::from_ymd_opt(2022, 7, 6).unwrap();
        let weeks = last_weeks(today, 3);
        let want: Vec<NaiveDate> = [(6, 20), (6, 27), (7, 4)]
            .iter()
            .map(|(m, d)| NaiveDate::from_ymd_opt(2022, *m, *d).unwrap())
            .collect();
        assert_eq!(weeks, want);
    }
}
