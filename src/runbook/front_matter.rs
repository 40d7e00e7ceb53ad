//! The `+++` TOML block at the top of a runbook page.

use std::ops::Range;

use crate::diagnostics::{Diagnostic, Diagnostics, FileId};
use crate::load::toml::{self as toml_reader, Table};

#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub weight: Option<i64>,
    pub description: Option<String>,
}

const EXAMPLE: &str = "start the page with a TOML block:\n+++\ntitle = \"Page title\"\nweight = 10\n+++";

/// Reads the front matter of `text` and returns it with the byte range of the
/// Markdown body. Problems are recorded; the body is returned even then, so
/// the page's links are still checked.
pub fn read(text: &str, file: FileId, diags: &mut Diagnostics) -> (FrontMatter, Range<usize>) {
    let Some(after_open) = strip_fence(text) else {
        diags.push(
            Diagnostic::error("the page has no `+++` front matter")
                .at(file, 0..0)
                .label("a `title` is required")
                .help(EXAMPLE),
        );
        return (FrontMatter::default(), 0..text.len());
    };
    // The closing fence: a line that is `+++` and nothing else.
    let mut pos = after_open;
    let close = loop {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if text[pos..end].trim_end() == "+++" {
            break Some((pos, end));
        }
        if end == text.len() {
            break None;
        }
        pos = end;
    };
    let Some((close_start, body_start)) = close else {
        diags.push(
            Diagnostic::error("the front matter is not closed")
                .at(file, 0..3)
                .label("opened here")
                .help("end the TOML block with a line `+++`"),
        );
        return (FrontMatter::default(), text.len()..text.len());
    };
    // Parse the block in place, the opening fence turned into a comment, so
    // that spans (and so line numbers) are those of the page itself.
    let toml_text = format!("#++{}", &text[3..close_start]);
    let mut front = FrontMatter::default();
    if let Some(doc) = toml_reader::parse(&toml_text, file, diags) {
        let mut t = Table::new(&doc, file, "the front matter");
        let title = t.required_string("title", diags);
        front.weight = t.integer("weight", diags).map(|w| w.value);
        front.description = t.string("description", diags).map(|d| d.value);
        if let Some(title) = &title
            && title.value.trim().is_empty()
        {
            diags.push(title.at.error("the title is empty").label("give the page a title"));
        }
        front.title = title.map(|t| t.value);
        t.finish(diags);
    }
    (front, body_start..text.len())
}

/// The offset just past an opening `+++` line, if the text starts with one.
fn strip_fence(text: &str) -> Option<usize> {
    let first = text.find('\n').map_or(text.len(), |i| i + 1);
    (text[..first].trim_end() == "+++").then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (FrontMatter, Range<usize>, Diagnostics) {
        let mut diags = Diagnostics::new();
        let file = diags.add_file("runbook/x.md", text);
        let (f, body) = read(text, file, &mut diags);
        (f, body, diags)
    }

    #[test]
    fn reads_fields_and_the_body() {
        let text = "+++\ntitle = \"T\"\nweight = 3\ndescription = \"d\"\n+++\n# Body\n";
        let (f, body, diags) = run(text);
        assert!(diags.is_empty(), "{}", diags.render_human());
        assert_eq!((f.title.as_deref(), f.weight, f.description.as_deref()), (Some("T"), Some(3), Some("d")));
        assert_eq!(&text[body], "# Body\n");
    }

    #[test]
    fn unknown_key_and_missing_title_are_located() {
        let (_, _, diags) = run("+++\nweigth = 3\n+++\nbody\n");
        let text = diags.render_human();
        assert!(text.contains("runbook/x.md:2:1"), "{text}");
        assert!(text.contains("did you mean `weight`?"), "{text}");
        assert!(text.contains("missing `title`"), "{text}");
    }

    #[test]
    fn missing_and_unclosed_front_matter_are_errors() {
        let (_, body, diags) = run("# Just Markdown\n");
        assert!(diags.render_human().contains("no `+++` front matter"));
        assert_eq!(body, 0..16);
        let (_, _, diags) = run("+++\ntitle = \"x\"\n");
        assert!(diags.render_human().contains("not closed"));
    }
}
