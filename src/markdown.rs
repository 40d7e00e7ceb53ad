//! Markdown from data files to HTML that is safe to embed: GitHub's
//! extensions on, and every tag, attribute and URL through an allow-list.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, html};

/// The Markdown dialect GitHub renders: tables, task lists, strikethrough, footnotes.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
}

/// Renders Markdown to sanitised HTML.
pub fn to_safe_html(markdown: &str) -> String {
    events_to_safe_html(Parser::new_ext(markdown, options()))
}

/// Renders Markdown events (perhaps rewritten) to sanitised HTML.
pub fn events_to_safe_html<'a>(events: impl Iterator<Item = Event<'a>>) -> String {
    let mut raw = String::new();
    html::push_html(&mut raw, events);
    // pulldown-cmark aligns table cells with `style`, which the sanitiser
    // drops (style attributes can restyle the whole page); `align` is kept.
    for side in ["left", "center", "right"] {
        raw = raw.replace(&format!(" style=\"text-align: {side}\""), &format!(" align=\"{side}\""));
    }
    sanitize(&raw)
}

/// The only URL schemes kept in links and images.
pub const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto"];

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from_iter(SAFE_SCHEMES.iter().copied()))
        .link_rel(Some("noopener noreferrer"))
        .add_generic_attributes(["id", "class", "align"])
        .add_tags(["input", "details", "summary", "section"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("a", ["aria-hidden", "data-footnote-ref", "data-footnote-backref"])
        .add_tag_attributes("code", ["class"])
        .id_prefix(None)
        .strip_comments(true);
    b
});

/// Passes HTML through an allow-list: no scripts, no event handlers, no
/// `javascript:` or `data:` URLs; relative URLs are kept.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_dangerous_urls_are_removed() {
        let html = to_safe_html(
            "hi <script>alert(1)</script> <img src=x onerror=alert(1)> [a](javascript:alert(1)) \
             <a href=\"data:text/html,x\">d</a>",
        );
        for bad in ["<script", "onerror", "javascript:", "data:"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }

    #[test]
    fn github_extensions_render() {
        let html = to_safe_html("| a |\n|---|\n| b |\n\n- [x] done\n\n~~old~~");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("checkbox"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
    }
}
