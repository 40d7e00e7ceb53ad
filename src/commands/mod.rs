//! What each subcommand does, in terms of the pipeline. Each returns the
//! process exit status: 0 success (warnings allowed), 1 problems in the data.

pub mod init;
pub mod serve;
pub mod triage;
pub mod xfail;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::diagnostics::Diagnostics;
use crate::site::{Options, Site};

pub const OK: u8 = 0;
pub const DATA_PROBLEMS: u8 = 1;
/// Misuse of the command line, as clap reports it.
pub const MISUSE: u8 = 2;

/// Options every command takes.
pub struct Global {
    pub data: PathBuf,
    pub now: DateTime<Utc>,
    /// The `--now` given, if any: a pinned clock.
    pub pinned: Option<String>,
}

impl Global {
    fn options(&self, templates: Option<PathBuf>, base_url: Option<String>) -> Options {
        Options {
            data_dir: self.data.clone(),
            templates_dir: templates.or_else(|| default_templates(&self.data)),
            base_url,
            now: self.now,
        }
    }
}

/// `templates/` beside the data folder, as in the repository layout.
fn default_templates(data: &Path) -> Option<PathBuf> {
    let dir = data.parent().unwrap_or(Path::new("")).join("templates");
    dir.is_dir().then_some(dir)
}

/// Prints the problems to stderr, in GitHub's format inside Actions.
pub fn report(diags: &Diagnostics) {
    if diags.is_empty() {
        return;
    }
    if std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
        print!("{}", diags.render_github());
    }
    eprint!("{}", diags.render_human());
    eprintln!("{} error(s), {} warning(s)", diags.error_count(), diags.warning_count());
}

fn load_and_render(options: &Options) -> Result<(Site, crate::render::Output), u8> {
    let (site, mut diags) = Site::load(options);
    let Some(mut site) = site else {
        report(&diags);
        return Err(DATA_PROBLEMS);
    };
    site.read_history(&options.data_dir, &mut diags);
    match site.render() {
        Ok(output) => {
            report(&diags);
            Ok((site, output))
        }
        Err(render_diags) => {
            diags.extend(render_diags.sorted().into_iter().cloned());
            report(&diags);
            Err(DATA_PROBLEMS)
        }
    }
}

/// With `search`, Pagefind indexes the site before it replaces the old one.
pub fn build(
    global: &Global,
    out: &Path,
    base_url: Option<String>,
    templates: Option<PathBuf>,
    search: bool,
) -> u8 {
    let options = global.options(templates, base_url);
    let (_, output) = match load_and_render(&options) {
        Ok(done) => done,
        Err(status) => {
            eprintln!("the site was not written; {} is unchanged", out.display());
            return status;
        }
    };
    let published = if search {
        crate::write::publish_with(&output, out, crate::search::index)
    } else {
        crate::write::publish(&output, out)
    };
    match published {
        Ok(()) => {
            eprintln!("wrote {} files to {}", output.len(), out.display());
            OK
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", out.display());
            DATA_PROBLEMS
        }
    }
}

/// `rota check`: every problem in the data, and with `base`, every shift
/// that has started or been announced and would change against that commit.
pub fn check(global: &Global, templates: Option<PathBuf>, base: Option<&str>, github: bool) -> u8 {
    let (site, mut diags) = Site::load(&global.options(templates, None));
    if let Some(site) = &site {
        if let Some(rev) = base {
            compare_with_base(global, site, rev, &mut diags);
        }
        if let Err(render_diags) = site.render() {
            diags.extend(render_diags.sorted().into_iter().cloned());
        }
    }
    report_check(global, &diags, github || in_github_actions());
    if site.is_none() || diags.has_errors() {
        return DATA_PROBLEMS;
    }
    eprintln!("data is valid");
    OK
}

/// How `rota schedule` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleFormat {
    Table,
    Json,
}

/// `rota schedule`: the current shift and the next `weeks`, optionally only
/// one person's, as a table or JSON.
pub fn schedule(global: &Global, weeks: u32, person: Option<&str>, format: ScheduleFormat) -> u8 {
    // The schedule needs the model alone, not the site.
    let mut diags = Diagnostics::new();
    let model = crate::model::Model::read(&global.data, &mut diags);
    report(&diags);
    let Some(model) = model else { return DATA_PROBLEMS };
    let login = match person.map(|p| known_login(&model, p)) {
        Some(Ok(login)) => Some(login),
        Some(Err(())) => return MISUSE,
        None => None,
    };
    let current = crate::schedule::ShiftCalendar::new(&model.config.rotation).index_at(global.now);
    // The current shift, or the first one before the rotation starts.
    let from = current.unwrap_or(0);
    // The schedule is a function of the data, so any window can be built,
    // beyond the published horizon too.
    let long = crate::schedule::Schedule::build(&model, from.saturating_add(weeks).saturating_add(1));
    let shifts: Vec<&crate::schedule::Shift> = long.shifts[from as usize..]
        .iter()
        .filter(|s| login.as_deref().is_none_or(|l| s.person.as_deref() == Some(l)))
        .collect();
    let tz = long.calendar.timezone();
    match format {
        ScheduleFormat::Json => print!("{}", crate::render::api::shift_list_json(tz.name(), &shifts)),
        ScheduleFormat::Table => {
            let rows: Vec<[String; 4]> = shifts
                .iter()
                .map(|s| {
                    let mut note = if Some(s.index) == current { "now".to_string() } else { String::new() };
                    if s.is_override() {
                        let text = s.reason().map_or("override".to_string(), |r| format!("override: {r}"));
                        note = if note.is_empty() { text } else { format!("{note}; {text}") };
                    }
                    [
                        s.id.clone(),
                        crate::render::view::date_range(s.first_day, s.last_day),
                        s.person.as_deref().map_or("(nobody)".to_string(), |p| format!("@{p}")),
                        note,
                    ]
                })
                .collect();
            let header = ["shift", "dates", "on call", "note"].map(String::from);
            let mut widths = [0; 4];
            for row in std::iter::once(&header).chain(&rows) {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(cell.chars().count());
                }
            }
            for row in std::iter::once(&header).chain(&rows) {
                let line: Vec<String> =
                    row.iter().zip(widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
                println!("{}", line.join("  ").trim_end());
            }
            if rows.is_empty() {
                println!("(no shifts in the next {weeks} weeks)");
            }
            println!(
                "dates in {}; shifts hand off at {}",
                tz.name(),
                model.config.rotation.handoff.time.format("%H:%M")
            );
        }
    }
    OK
}

fn in_github_actions() -> bool {
    std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true")
}

/// Compares the schedule with the one built from the data at git commit `rev`.
fn compare_with_base(global: &Global, site: &Site, rev: &str, diags: &mut Diagnostics) {
    use crate::diagnostics::Diagnostic;
    match crate::load::git_tree::data_at(&global.data, rev) {
        Err(e) => diags.push(
            Diagnostic::error(format!("cannot read the data at `{rev}`: {e}"))
                .help("in GitHub Actions, check out with `fetch-depth: 0` so the base branch is there"),
        ),
        Ok(None) => {
            eprintln!("note: {} did not exist at `{rev}`; no shifts to compare", global.data.display())
        }
        Ok(Some(files)) => {
            let mut base_diags = Diagnostics::new();
            match crate::model::Model::load(&files, &mut base_diags) {
                Some(base) => crate::schedule::compare::check(&base, &site.model, global.now, diags),
                None => diags.push(Diagnostic::warning(format!(
                    "the data at `{rev}` has {} error(s), so its shifts were not compared",
                    base_diags.error_count()
                ))),
            }
        }
    }
}

/// Problems for people on stderr; in GitHub, also workflow commands on
/// stdout (with repository-relative paths) and a job summary.
fn report_check(global: &Global, diags: &Diagnostics, github: bool) {
    if github {
        let shown = global.data.display().to_string().trim_end_matches('/').to_string();
        let in_repo = crate::load::git_tree::repo_relative_dir(&global.data);
        let path = |name: &str| match (&in_repo, name.strip_prefix(&shown)) {
            (Some(rel), Some(rest)) if rest.starts_with('/') => {
                format!("{rel}{rest}").trim_start_matches('/').to_string()
            }
            _ => name.to_string(),
        };
        print!("{}", diags.render_github_with(&path));
        if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
            use std::io::Write as _;
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&summary)
                .and_then(|mut f| f.write_all(diags.render_markdown_summary().as_bytes()));
            if let Err(e) = written {
                eprintln!(
                    "warning: cannot write the job summary to {}: {e}",
                    PathBuf::from(summary).display()
                );
            }
        }
    }
    if !diags.is_empty() {
        eprint!("{}", diags.render_human());
        eprintln!("{} error(s), {} warning(s)", diags.error_count(), diags.warning_count());
    }
}

/// The roster's spelling of `login`, or an error with the nearest login.
fn known_login(model: &crate::model::Model, login: &str) -> Result<String, ()> {
    let login = login.trim_start_matches('@');
    match crate::model::roster::find_login(&model.people, login) {
        Ok(found) => Ok(found.to_string()),
        Err(nearest) => {
            eprintln!("error: `{login}` is not in the roster");
            match nearest {
                Some(best) => eprintln!("  help: did you mean `{best}`?"),
                None => eprintln!(
                    "  help: the roster has {}",
                    model.people.iter().map(|p| p.github.as_str()).collect::<Vec<_>>().join(", ")
                ),
            }
            Err(())
        }
    }
}

/// `rota announce`: the Markdown message for the pinned issue or the chat.
pub fn announce(global: &Global, weeks: Option<u32>) -> u8 {
    let (site, diags) = Site::load(&global.options(None, None));
    report(&diags);
    let Some(site) = site else { return DATA_PROBLEMS };
    let weeks = weeks.unwrap_or(site.model.config.rotation.announce_weeks);
    let current = site.schedule.at(global.now).map_or(0, |s| s.index);
    let schedule =
        crate::schedule::Schedule::build(&site.model, current.saturating_add(weeks).saturating_add(1));
    let last =
        schedule.at(global.now).and_then(|s| s.index.checked_sub(1)).map(|i| &schedule.shifts[i as usize]);
    let message = crate::render::announce::Announcement {
        model: &site.model,
        schedule: &schedule,
        now: global.now,
        base_url: &site.base_url,
        weeks,
        has_runbook: global.data.join("runbook").is_dir(),
        open_from_last_shift: last.map(|s| crate::render::announce::open_failures_from(&site.model, s)),
    };
    print!("{}", message.render());
    OK
}

/// `rota config get KEY`: the value, or nothing (exit 0) when it is unset.
pub fn config_get(global: &Global, key: &str) -> u8 {
    let mut diags = Diagnostics::new();
    let model = crate::model::Model::read(&global.data, &mut diags);
    report(&diags);
    let Some(model) = model else { return DATA_PROBLEMS };
    match crate::model::config_keys::value(&model.config, key) {
        Ok(Some(value)) => {
            println!("{value}");
            OK
        }
        Ok(None) => OK,
        Err(nearest) => {
            eprintln!("error: `{key}` is not a configuration key");
            match nearest {
                Some(best) => eprintln!("  help: did you mean `{best}`?"),
                None => eprintln!("  help: keys are {}", crate::model::config_keys::KEYS.join(", ")),
            }
            MISUSE
        }
    }
}

pub fn serve(global: &Global, port: u16, base_url: Option<String>, templates: Option<PathBuf>) -> u8 {
    let options = global.options(templates, base_url);
    let mut watch = vec![options.data_dir.clone()];
    watch.extend(options.templates_dir.clone());
    let result = crate::commands::serve::run(port, watch, || {
        // Each rebuild reads the clock afresh unless it was pinned.
        let mut options = options.clone();
        if std::env::var_os("SOURCE_DATE_EPOCH").is_none() && global.pinned.is_none() {
            options.now = Utc::now();
        }
        load_and_render(&options).ok().map(|(_, output)| output)
    });
    match result {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: cannot serve on port {port}: {e}");
            DATA_PROBLEMS
        }
    }
}

pub fn init(global: &Global, repository: &str) -> u8 {
    let today = global.now.date_naive();
    match crate::commands::init::starter(&global.data, repository, today) {
        Ok(written) => {
            for path in &written {
                eprintln!("created {}", global.data.join(path).display());
            }
            if written.is_empty() {
                eprintln!("{} already has every starter file; nothing changed", global.data.display());
            }
            OK
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", global.data.display());
            DATA_PROBLEMS
        }
    }
}
