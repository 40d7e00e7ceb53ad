//! Heading ids as GitHub makes them, so that an anchor written against a
//! file on GitHub (`page.md#when-to-revert`) finds the same heading here.

use std::collections::HashMap;

/// GitHub's rule (github-slugger, and the TOC filter of html-pipeline):
/// lower-case, drop everything but letters, marks, digits, `_`, `-` and
/// spaces, then turn each space into `-`. Spaces are not collapsed.
pub fn slugify(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|&c| c.is_alphanumeric() || c == '_' || c == '-' || c == ' ' || is_mark(c))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Combining marks (accents written as separate code points), which GitHub
/// keeps; the common blocks are enough for headings.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Hands out unique slugs within one page: the second `Usage` is
/// `usage-1`, the third `usage-2`, skipping any taken by a literal heading.
#[derive(Debug, Default)]
pub struct Slugger {
    occurrences: HashMap<String, u32>,
}

impl Slugger {
    pub fn slug(&mut self, text: &str) -> String {
        let original = slugify(text);
        let mut slug = original.clone();
        while self.occurrences.contains_key(&slug) {
            let n = self.occurrences.get_mut(&original).expect("original was taken first");
            *n += 1;
            slug = format!("{original}-{n}");
        }
        self.occurrences.insert(slug.clone(), 0);
        slug
    }

    /// Takes an id the author gave (`## Options {#options}`) as it is, so
    /// that a later heading with the same text gets a numbered slug.
    pub fn claim(&mut self, id: &str) -> String {
        self.occurrences.entry(id.to_string()).or_insert(0);
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_github() {
        assert_eq!(slugify("When to revert"), "when-to-revert");
        assert_eq!(slugify("`From` and `Into`"), "from-and-into");
        assert_eq!(slugify("What's new?  (v2.0)"), "whats-new--v20");
        assert_eq!(slugify("Testcase: linked-list"), "testcase-linked-list");
        assert_eq!(slugify("snake_case & Ünïcode"), "snake_case--ünïcode");
        assert_eq!(slugify("  padded  "), "padded");
    }

    #[test]
    fn duplicates_are_numbered() {
        let mut s = Slugger::default();
        let got: Vec<String> = ["Usage", "Usage", "Usage-1", "Usage"].iter().map(|t| s.slug(t)).collect();
        assert_eq!(got, ["usage", "usage-1", "usage-1-1", "usage-2"]);
        assert_eq!(s.claim("options"), "options");
        assert_eq!(s.slug("Options"), "options-1");
    }
}
