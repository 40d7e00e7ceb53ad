use super::*;

fn book(pages: &[(&str, &str)]) -> (Runbook, Diagnostics) {
    let mut files = DataFiles::new("data");
    for (path, text) in pages {
        files.insert(*path, text.as_bytes().to_vec());
    }
    let mut diags = Diagnostics::new();
    let runbook = Runbook::load(&files, &mut diags);
    (runbook, diags)
}

fn ok(pages: &[(&str, &str)]) -> Runbook {
    let (runbook, diags) = book(pages);
    assert!(diags.is_empty(), "{}", diags.render_human());
    runbook
}

fn page<'r>(runbook: &'r Runbook, url: &str) -> &'r Page {
    runbook.pages.iter().find(|p| p.url == url).unwrap_or_else(|| panic!("no page {url}"))
}

fn md(title: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n+++\n{body}")
}

#[test]
fn urls_sections_and_reading_order() {
    let home = md("Home", "Hi\n");
    let a = md("Alpha", "a\n");
    let sec = md("Section", "s\n");
    let deep = md("Deep", "d\n");
    let r = ok(&[
        ("runbook/README.md", &home),
        ("runbook/a.md", &a),
        ("runbook/sec/index.md", &sec),
        ("runbook/sec/deep.md", &deep),
        ("runbook/sec/pic.png", "PNG"),
    ]);
    let urls: Vec<&str> = r.pages.iter().map(|p| p.url.as_str()).collect();
    assert_eq!(urls, ["runbook/", "runbook/a/", "runbook/sec/", "runbook/sec/deep/"]);
    assert_eq!(page(&r, "runbook/sec/deep/").parents, [0, 2]);
    assert_eq!(r.files, [("runbook/sec/pic.png".to_string(), b"PNG".to_vec())]);
}

#[test]
fn links_are_rewritten_to_page_urls() {
    let home = md(
        "Home",
        "[a](a.md) [b](sec/b.md#two-words) [sec](sec/) [img](sec/pic.png) [self](#top) [ext](https://x.org/a.md)\n\n# Top\n",
    );
    let a = md("A", "[up](README.md) [pic](sec/pic.png)\n");
    let sec = md("Sec", "[up](../README.md) [pic](pic.png)\n");
    let b = md("B", "## Two words\n[home](../README.md#top) ![p](pic.png)\n");
    let r = ok(&[
        ("runbook/README.md", &home),
        ("runbook/a.md", &a),
        ("runbook/sec/b.md", &b),
        ("runbook/sec/README.md", &sec),
        ("runbook/sec/pic.png", "PNG"),
    ]);
    let html = &page(&r, "runbook/").html;
    for href in [
        "\"a/\"",
        "\"sec/b/#two-words\"",
        "\"sec/\"",
        "\"sec/pic.png\"",
        "\"#top\"",
        "\"https://x.org/a.md\"",
    ] {
        assert!(html.contains(&format!("href={href}")), "{href} in {html}");
    }
    // A page is a folder deeper than its file, so file links climb one more level.
    let html = &page(&r, "runbook/a/").html;
    assert!(html.contains("href=\"../\"") && html.contains("href=\"../sec/pic.png\""), "{html}");
    let html = &page(&r, "runbook/sec/b/").html;
    assert!(html.contains("href=\"../../#top\"") && html.contains("src=\"../pic.png\""), "{html}");
}

#[test]
fn duplicate_headings_get_github_ids_and_a_table_of_contents() {
    let text = md("Dup", "## Usage\n### Usage\n## Usage\n## `From` and *Into*\n[x](#usage-2)\n");
    let r = ok(&[("runbook/README.md", &text)]);
    let p = &r.pages[0];
    let ids: Vec<&str> = p.toc.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["usage", "usage-1", "usage-2", "from-and-into"]);
    assert_eq!(p.toc[3].text, "From and Into");
    assert!(p.html.contains("<h3 id=\"usage-1\">Usage<a class=\"anchor\" href=\"#usage-1\""), "{}", p.html);
    assert!(!p.starts_with_h1);
}

#[test]
fn a_leading_h1_replaces_the_title_heading() {
    let text = md("T", "# T\n\n## A\n");
    let r = ok(&[("runbook/README.md", &text)]);
    assert!(r.pages[0].starts_with_h1);
}

fn errors(pages: &[(&str, &str)]) -> String {
    let (_, diags) = book(pages);
    assert!(diags.has_errors(), "expected errors");
    diags.render_human()
}

#[test]
fn broken_links_and_anchors_are_located() {
    let home =
        md("Home", "intro\n\nsee [gone](missing.md) and\n[a](a.md#nope)\n\n[ref][r]\n\n[r]: ../outside.md\n");
    let a = md("A", "## Real heading\n");
    let text = errors(&[("runbook/README.md", &home), ("runbook/a.md", &a)]);
    assert!(text.contains("data/runbook/README.md:6:12"), "{text}");
    assert!(text.contains("there is no page or file data/runbook/missing.md"), "{text}");
    assert!(text.contains("data/runbook/README.md:7:5"), "{text}");
    assert!(text.contains("data/runbook/a.md has no heading `#nope`"), "{text}");
    // A reference-style link is reported where its URL is written.
    assert!(text.contains("data/runbook/README.md:11:6"), "{text}");
    assert!(text.contains("points outside the runbook"), "{text}");
}

#[test]
fn raw_html_links_are_checked_and_moved_too() {
    let home = md("Home", "<p>\n  <img alt=\"x\" src=\"pic.png\"> <a href='a.md#real-heading'>a</a>\n</p>\n");
    let a = md("A", "## Real heading\n\ntext <a href=\"README.md#nope\">back</a>\n");
    let (r, diags) = book(&[("runbook/README.md", &home), ("runbook/a.md", &a), ("runbook/pic.png", "")]);
    let text = diags.render_human();
    assert_eq!(diags.error_count(), 1, "{text}");
    assert!(text.contains("data/runbook/a.md:6:15"), "{text}");
    let html = &page(&r, "runbook/").html;
    assert!(html.contains("src=\"pic.png\"") && html.contains("href=\"a/#real-heading\""), "{html}");
}

#[test]
fn a_near_miss_anchor_gets_a_suggestion_and_html_links_name_the_markdown_file() {
    let home = md("Home", "[a](a.md#real-headin) [b](a.html)\n");
    let a = md("A", "## Real heading\n");
    let text = errors(&[("runbook/README.md", &home), ("runbook/a.md", &a)]);
    assert!(text.contains("did you mean `#real-heading`?"), "{text}");
    assert!(text.contains("link to the Markdown file, `a.md`"), "{text}");
}

#[test]
fn raw_html_and_urls_are_sanitised() {
    let text = md(
        "Bad",
        "<script>alert(1)</script>\n\n<img src=https://example.org/x.png onerror=\"alert(1)\">\n\n[click](javascript:alert(1)) \
         <a href=\"javascript:alert(2)\">raw</a> ![i](data:image/png;base64,AAA)\n",
    );
    let (r, diags) = book(&[("runbook/README.md", &text)]);
    assert!(!diags.has_errors(), "{}", diags.render_human());
    assert_eq!(diags.warning_count(), 3, "{}", diags.render_human());
    let html = &r.pages[0].html;
    for bad in ["<script", "alert", "onerror", "javascript:", "data:"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(diags.render_human().contains("the link to a `javascript:` URL is removed"));
}

#[test]
fn front_matter_problems_and_url_clashes_are_errors() {
    let a = md("A", "");
    let text = errors(&[
        ("runbook/a.md", &a),
        ("runbook/a/README.md", &a),
        ("runbook/b.md", "+++\ntitel = \"B\"\n+++\n"),
    ]);
    assert!(
        text.contains("data/runbook/a.md and data/runbook/a/README.md are both the page runbook/a/"),
        "{text}"
    );
    assert!(text.contains("data/runbook/b.md:2:1"), "{text}");
    assert!(text.contains("did you mean `title`?"), "{text}");
}

#[test]
fn footnotes_tables_and_tasks_render() {
    let text = md(
        "F",
        "Text[^note].\n\n| L | R |\n|:--|--:|\n| a | b |\n\n- [x] done\n\n[^note]: The note. [back](#top)\n\n# Top\n",
    );
    let r = ok(&[("runbook/README.md", &text)]);
    let html = &r.pages[0].html;
    assert!(html.contains("href=\"#note\"") && html.contains("id=\"note\""), "{html}");
    assert!(
        html.contains("<th align=\"left\">L</th>") && html.contains("<td align=\"right\">b</td>"),
        "{html}"
    );
    assert!(html.contains("checkbox"), "{html}");
}

#[test]
fn a_runbook_without_readme_gets_an_index_that_links_reach() {
    let a = md("A", "[home](../runbook/) [up](./)\n");
    let r = ok(&[("runbook/a.md", &a)]);
    assert_eq!(r.pages[0].url, "runbook/");
    assert!(r.pages[0].source.is_none());
    assert_eq!(r.pages[1].html.matches("href=\"../\"").count(), 2, "{}", r.pages[1].html);
}

#[test]
fn no_runbook_folder_means_no_pages() {
    let r = ok(&[("config.toml", "")]);
    assert!(r.pages.is_empty() && r.url().is_none());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    /// Whatever a page holds, loading reports problems and never panics.
    #[test]
    fn any_page_text_loads_without_panicking(
        body in "(\\+\\+\\+\n|title = \"x\"\n|# H\n|## H\n|\\[a\\]\\(|\\]\\(|\\[r\\]: |\\)|a\\.md|b/|\\.\\./|#h|<a href=|<img src='|\"|'|>|\\{#i\\}|`|\\[\\^1\\]|\\| a \\||é|\r|\n| )*",
    ) {
        let a = md("A", "## H\n");
        let _ = book(&[("runbook/README.md", body.as_str()), ("runbook/a.md", &a), ("runbook/b/c.md", body.as_str())]);
    }
}
