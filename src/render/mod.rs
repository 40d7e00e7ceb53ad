//! Stage four: the site in memory. Templates turn view models into pages;
//! the machine-readable files are written by code. Nothing touches the disk
//! here, so a failed render leaves no trace.

pub mod announce;
pub mod api;
pub mod charts;
pub mod context;
pub mod failures;
pub mod feed;
pub mod ics;
pub mod issue;
pub mod pages;
pub mod runbook;
pub mod templates;
pub mod view;

use std::collections::BTreeMap;

/// Every kind of page the site has.
pub const ALL: &[context::PageFn] = &[
    pages::home,
    pages::schedule,
    pages::people,
    pages::shifts,
    pages::not_found,
    failures::index,
    failures::pages,
    failures::tests,
    failures::tests_index,
    runbook::pages,
];

/// Every file of the site, by its path under the output folder.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    files: BTreeMap<String, Vec<u8>>,
}

impl Output {
    pub fn add(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }

    /// A page at a pretty URL: `schedule/` is written as `schedule/index.html`.
    pub fn add_page(&mut self, url: &str, html: String) {
        self.add(format!("{url}index.html"), html);
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// The relative prefix from a page at `url` back to the site root, so links
/// work under any base path, on GitHub Pages project sites and from disk.
pub fn root_of(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_prefix_counts_folders() {
        assert_eq!(super::root_of(""), "");
        assert_eq!(super::root_of("schedule/"), "../");
        assert_eq!(super::root_of("shifts/2022-W22/"), "../../");
    }
}
