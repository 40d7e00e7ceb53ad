//! What each subcommand does, in terms of the pipeline. Each returns the
//! process exit status: 0 success (warnings allowed), 1 problems in the data.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::diagnostics::Diagnostics;
use crate::site::{Options, Site};

pub const OK: u8 = 0;
pub const DATA_PROBLEMS: u8 = 1;

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
    let Some(site) = site else {
        report(&diags);
        return Err(DATA_PROBLEMS);
    };
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

pub fn build(global: &Global, out: &Path, base_url: Option<String>, templates: Option<PathBuf>) -> u8 {
    let options = global.options(templates, base_url);
    let (_, output) = match load_and_render(&options) {
        Ok(done) => done,
        Err(status) => {
            eprintln!("the site was not written; {} is unchanged", out.display());
            return status;
        }
    };
    match crate::write::publish(&output, out) {
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

pub fn check(global: &Global, templates: Option<PathBuf>) -> u8 {
    match load_and_render(&global.options(templates, None)) {
        Ok(_) => {
            eprintln!("data is valid");
            OK
        }
        Err(status) => status,
    }
}

pub fn schedule(global: &Global, weeks: u32) -> u8 {
    let (site, diags) = Site::load(&global.options(None, None));
    report(&diags);
    let Some(site) = site else { return DATA_PROBLEMS };
    let tz = site.schedule.calendar.timezone();
    let current = site.schedule.at(global.now).map(|s| s.index);
    println!("{:<9} {:<23} {:<20} note", "shift", "dates", "on call");
    let from = current.unwrap_or(0) as usize;
    for s in site.schedule.shifts.iter().skip(from).take(weeks as usize + 1) {
        let marker = if Some(s.index) == current { "now" } else { "" };
        let note = match (s.is_override(), s.reason()) {
            (true, Some(r)) => format!("override: {r}"),
            (true, None) => "override".to_string(),
            _ => String::new(),
        };
        println!(
            "{:<9} {:<23} {:<20} {marker} {note}",
            s.id,
            format!("{} – {}", s.first_day, s.last_day),
            s.person.as_deref().map_or("(nobody)".to_string(), |p| format!("@{p}")),
        );
    }
    println!("times in {}", tz.name());
    OK
}

pub fn serve(global: &Global, port: u16, base_url: Option<String>, templates: Option<PathBuf>) -> u8 {
    let options = global.options(templates, base_url);
    let mut watch = vec![options.data_dir.clone()];
    watch.extend(options.templates_dir.clone());
    let result = crate::serve::run(port, watch, || {
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
    match crate::init::starter(&global.data, repository, today) {
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
