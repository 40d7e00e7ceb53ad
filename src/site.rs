//! The whole pipeline in two calls: [`Site::load`] reads and checks the data
//! and derives the schedule; [`Site::render`] produces every output file.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::diagnostics::Diagnostics;
use crate::load::DataFiles;
use crate::model::Model;
use crate::render::context::PageContext;
use crate::render::templates::Templates;
use crate::render::view::{ShiftView, SiteView};
use crate::render::{Output, api, feed};
use crate::runbook::{PageDates, Runbook};
use crate::schedule::Schedule;
use crate::triage::Triage;

#[derive(Debug, Clone)]
pub struct Options {
    pub data_dir: PathBuf,
    /// Replacement templates; `None` uses the embedded ones only.
    pub templates_dir: Option<PathBuf>,
    /// Overrides `site.base_url`.
    pub base_url: Option<String>,
    pub now: DateTime<Utc>,
}

pub struct Site {
    pub model: Model,
    pub schedule: Schedule,
    pub now: DateTime<Utc>,
    pub base_url: String,
    templates: Templates,
    pub triage: Triage,
    pub runbook: Runbook,
    /// Last change of each data file, for the runbook's "updated" lines;
    /// empty unless filled in from git.
    pub page_dates: PageDates,
}

impl Site {
    /// Reads `data/` from disk and checks it.
    pub fn load(options: &Options) -> (Option<Site>, Diagnostics) {
        let mut diags = Diagnostics::new();
        let Some(files) = DataFiles::read(&options.data_dir, &mut diags) else { return (None, diags) };
        let site = Site::from_files(&files, options, &mut diags);
        (site, diags)
    }

    /// Reads when each data file last changed from git, for the pages that
    /// show it: one walk, done only by the commands that write pages.
    pub fn read_history(&mut self, data_dir: &std::path::Path, diags: &mut Diagnostics) {
        let (dates, note) = crate::history::page_dates(data_dir);
        self.page_dates = dates;
        diags.extend(note);
    }

    /// Checks data already in memory (a folder, or a tree read from git).
    pub fn from_files(files: &DataFiles, options: &Options, diags: &mut Diagnostics) -> Option<Site> {
        let templates = Templates::load(options.templates_dir.as_deref()).map_err(|d| diags.push(d)).ok();
        // Before the model, so that runbook problems are reported with the rest.
        let runbook = Runbook::load(files, diags);
        let model = Model::load(files, diags)?;
        if diags.has_errors() {
            return None;
        }
        let schedule = Schedule::through_horizon(&model, options.now);
        diags.extend(schedule.warnings(options.now));
        let triage = Triage::derive(&model, &schedule, options.now);
        diags.extend(triage.warnings(&model));
        let base_url = match &options.base_url {
            Some(url) if url.ends_with('/') => url.clone(),
            Some(url) => format!("{url}/"),
            None => model.config.site.base_url.clone(),
        };
        Some(Site {
            model,
            schedule,
            now: options.now,
            base_url,
            templates: templates?,
            triage,
            runbook,
            page_dates: PageDates::new(),
        })
    }

    /// Every page and file of the site, in memory.
    pub fn render(&self) -> Result<Output, Diagnostics> {
        let mut out = Output::default();
        let p = PageContext {
            model: &self.model,
            schedule: &self.schedule,
            now: self.now,
            site: SiteView::new(&self.model, &self.base_url, self.now, self.runbook.url()),
            shifts: ShiftView::all(&self.schedule, &self.model, self.now),
            templates: &self.templates,
            triage: &self.triage,
            runbook: &self.runbook,
            page_dates: &self.page_dates,
        };
        let mut diags = Diagnostics::new();
        for step in crate::render::ALL {
            if let Err(d) = step(&p, &mut out) {
                diags.push(d);
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        out.add("api/schedule.json", api::schedule_json(&self.schedule));
        out.add("api/failures.json", api::failures_json(&self.model, &self.triage, &self.base_url));
        out.add("feed.xml", feed::atom(&self.model, &self.triage, &self.base_url));
        crate::render::ics::add_feeds(&mut out, &self.model, &self.schedule, &self.base_url);
        for (name, bytes) in self.templates.assets() {
            out.add(format!("static/{name}"), bytes.clone());
        }
        // Last, so that it lists every page.
        out.add("sitemap.xml", feed::sitemap(&out, &self.base_url));
        Ok(out)
    }
}
