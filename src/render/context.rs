//! What every page is rendered with: the derived data, the site's settings
//! and the templates, plus the Tera context each page starts from.

use chrono::{DateTime, Utc};
use tera::Context;

use super::templates::Templates;
use super::view::{ShiftView, SiteView, When};
use super::{Output, root_of};
use crate::diagnostics::Diagnostic;
use crate::model::Model;
use crate::schedule::Schedule;

/// Renders one kind of page into the output.
pub type PageFn = fn(&PageContext<'_>, &mut Output) -> Result<(), Diagnostic>;

/// What every page needs.
pub struct PageContext<'a> {
    pub model: &'a Model,
    pub schedule: &'a Schedule,
    pub now: DateTime<Utc>,
    pub site: SiteView,
    pub shifts: Vec<ShiftView>,
    pub templates: &'a Templates,
    pub triage: &'a crate::triage::Triage,
    pub runbook: &'a crate::runbook::Runbook,
    pub page_dates: &'a crate::runbook::PageDates,
}

impl PageContext<'_> {
    pub(super) fn context(&self, url: &str) -> Context {
        let mut ctx = Context::new();
        ctx.insert("site", &self.site);
        ctx.insert("root", &root_of(url));
        ctx.insert("url", url);
        ctx
    }

    pub(super) fn page(
        &self,
        out: &mut Output,
        url: &str,
        template: &str,
        ctx: Context,
    ) -> Result<(), Diagnostic> {
        out.add_page(url, self.templates.render(template, &ctx)?);
        Ok(())
    }

    pub(super) fn current(&self) -> Option<&ShiftView> {
        self.shifts.iter().find(|s| s.when == When::Current)
    }

    pub(super) fn upcoming(&self) -> impl Iterator<Item = &ShiftView> {
        self.shifts.iter().filter(|s| s.when == When::Upcoming)
    }
}
