//! Derive stage: when each data file last changed and who changed it, from
//! one pass over git history for the whole data folder.

pub mod suspects;

use std::path::{Component, Path};

use crate::diagnostics::Diagnostic;
use crate::git::Repo;
use crate::runbook::{PageDate, PageDates};

/// Last change of every file under `data_dir`, keyed by its path under the
/// folder (`runbook/handoff.md`). A folder outside git has no dates and no
/// problem. A shallow clone is said once, as a warning, and files whose last
/// change lies beyond its cut-off get no date rather than a wrong one.
pub fn page_dates(data_dir: &Path) -> (PageDates, Option<Diagnostic>) {
    let mut dates = PageDates::new();
    let repo = match Repo::discover(data_dir) {
        Ok(Some(repo)) => repo,
        Ok(None) => return (dates, None),
        Err(e) => return (dates, Some(Diagnostic::warning(format!("cannot read git history: {e}")))),
    };
    let Some(prefix) = repo.relative_to_workdir(data_dir) else { return (dates, None) };
    let note = repo.is_shallow().then(|| {
        Diagnostic::warning("this is a shallow clone: pages changed before its cut-off show no date").help(
            "fetch the whole history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)",
        )
    });
    let changes = match repo.last_changes(&prefix) {
        Ok(changes) => changes,
        Err(e) => return (dates, Some(Diagnostic::warning(format!("cannot read git history: {e}")))),
    };
    for (path, change) in changes {
        let Ok(rel) = path.strip_prefix(&prefix) else { continue };
        let parts: Option<Vec<&str>> = rel
            .components()
            .map(|c| match c {
                Component::Normal(part) => part.to_str(),
                _ => None,
            })
            .collect();
        if let Some(parts) = parts {
            dates.insert(
                parts.join("/"),
                PageDate { date: change.date.date_naive(), author: change.author_name },
            );
        }
    }
    (dates, note)
}
