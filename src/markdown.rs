//! Markdown from data files to HTML that is safe to embed: GitHub's
//! extensions on, and every tag, attribute and URL through an allow-list.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

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

/// Renders Markdown as GitHub does in an issue: `#123` links to that issue
/// of `repository`, and `@login` to `person(login)` when it gives a URL.
pub fn to_safe_html_with_refs(
    markdown: &str,
    repository: &str,
    person: &dyn Fn(&str) -> Option<String>,
) -> String {
    let mut events = Vec::new();
    // Inside a link or code, text is left as written.
    let mut literal = 0usize;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Link { .. } | Tag::CodeBlock(_)) => literal += 1,
            Event::End(TagEnd::Link | TagEnd::CodeBlock) => literal = literal.saturating_sub(1),
            Event::Text(text) if literal == 0 => {
                link_refs(&text, repository, person, &mut events);
                continue;
            }
            _ => {}
        }
        events.push(event);
    }
    events_to_safe_html(events.into_iter())
}

/// Splits text into plain runs and links for `#123` and `@login`.
fn link_refs<'a>(
    text: &str,
    repository: &str,
    person: &dyn Fn(&str) -> Option<String>,
    out: &mut Vec<Event<'a>>,
) {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut plain_from = 0;
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next().expect("inside the text");
        let starts_ref =
            (c == '#' || c == '@') && !text[..i].chars().next_back().is_some_and(|p| word(p) || p == '/');
        if starts_ref {
            let len = text[i + 1..].find(|ch: char| !word(ch)).unwrap_or(text.len() - i - 1);
            let name = &text[i + 1..i + 1 + len];
            let url = match c {
                '#' if !name.is_empty() && name.chars().all(|d| d.is_ascii_digit()) => {
                    Some(format!("{repository}/issues/{name}"))
                }
                '@' if crate::model::roster::is_valid_login(name) => person(name),
                _ => None,
            };
            if let Some(url) = url {
                if plain_from < i {
                    out.push(Event::Text(CowStr::from(text[plain_from..i].to_string())));
                }
                out.push(Event::Start(Tag::Link {
                    link_type: LinkType::Inline,
                    dest_url: url.into(),
                    title: CowStr::from(""),
                    id: CowStr::from(""),
                }));
                out.push(Event::Text(CowStr::from(text[i..i + 1 + len].to_string())));
                out.push(Event::End(TagEnd::Link));
                i += 1 + len;
                plain_from = i;
                continue;
            }
        }
        i += c.len_utf8();
    }
    if plain_from < text.len() {
        out.push(Event::Text(CowStr::from(text[plain_from..].to_string())));
    }
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
    fn issue_numbers_and_people_link_outside_code_and_links() {
        let person = |login: &str| (login == "ada").then(|| format!("../people/{login}/"));
        let html = to_safe_html_with_refs(
            "Fixed #12 for @ada, see [#13](https://x.org) and `#14`; not a#15, @bob, or x/#16.",
            "https://github.com/o/r",
            &person,
        );
        assert!(
            html.contains(r#"<a href="https://github.com/o/r/issues/12" rel="noopener noreferrer">#12</a>"#),
            "{html}"
        );
        assert!(html.contains(r#"<a href="../people/ada/" rel="noopener noreferrer">@ada</a>"#), "{html}");
        assert!(html.contains(r#"<a href="https://x.org" rel="noopener noreferrer">#13</a>"#), "{html}");
        for plain in ["<code>#14</code>", "a#15", "@bob", "x/#16"] {
            assert!(html.contains(plain), "{plain} in {html}");
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
