//! Derived stage for `data/runbook/`: Markdown pages with front matter,
//! rendered to sanitised HTML with GitHub's heading ids, every internal link
//! and anchor checked, and a navigation tree ordered by weight then title.
//!
//! Two passes over the pages: the first learns every page, file and heading
//! id, the second renders each page and resolves its links against them.

mod front_matter;
mod html_urls;
mod links;
mod nav;
pub mod slug;

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use chrono::NaiveDate;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, Diagnostics, FileId};
use crate::html::escape as escape_html;
use crate::load::DataFiles;
use crate::markdown;
use links::Dest;

/// The runbook's folder under `data/`, which is also its folder in the site.
pub const ROOT: &str = "runbook/";

/// When a page's file last changed and who changed it, from git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageDate {
    pub date: NaiveDate,
    pub author: String,
}

/// Last-change dates by path under `data/` (`runbook/handoff.md`); empty when
/// there is no git history to read.
pub type PageDates = HashMap<String, PageDate>;

#[derive(Debug, Clone, Default)]
pub struct Runbook {
    /// In reading order: the root page first, then depth first by weight and title.
    pub pages: Vec<Page>,
    /// Files that are not Markdown, by their path in the site (the same as under `data/`).
    pub files: Vec<(String, Vec<u8>)>,
    /// The whole navigation as a `<ul>`, with links relative to `runbook/`.
    pub nav_html: String,
}

#[derive(Debug, Clone)]
pub struct Page {
    /// Path under `data/` (`runbook/process/README.md`); `None` for the
    /// index page made up when the runbook has no `README.md` of its own.
    pub source: Option<String>,
    /// Folder URL in the site: `runbook/process/`.
    pub url: String,
    pub title: String,
    pub description: Option<String>,
    /// Sanitised HTML of the body.
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// The body opens with its own `# Heading`, so the page needs no other.
    pub starts_with_h1: bool,
    /// Indexes in `pages` of the pages above this one, the root first.
    pub parents: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

impl Runbook {
    /// The URL of the runbook's index page, when there is a runbook at all.
    pub fn url(&self) -> Option<String> {
        (!self.pages.is_empty()).then(|| ROOT.to_string())
    }

    /// Reads, renders and checks every page under `runbook/`.
    pub fn load(files: &DataFiles, diags: &mut Diagnostics) -> Runbook {
        let mut sources = Vec::new();
        let mut copied = Vec::new();
        for (path, bytes) in files.under(ROOT) {
            if path.ends_with(".md") {
                if let Some((text, file)) = crate::model::text_file(files, path, bytes, diags) {
                    sources.push(Source::read(path, text, file, diags));
                }
            } else {
                copied.push((path.to_string(), bytes.to_vec()));
            }
        }
        if sources.is_empty() {
            return Runbook { files: copied, ..Runbook::default() };
        }
        check_unique_urls(&sources, &copied, files, diags);

        let titles: Vec<(String, String, Option<i64>)> =
            sources.iter().map(|s| (s.url.clone(), s.title.clone(), s.weight)).collect();
        let tree = nav::Tree::build(&titles);
        let index = Index {
            by_path: sources.iter().enumerate().map(|(i, s)| (s.path.to_string(), i)).collect(),
            by_url: sources.iter().enumerate().map(|(i, s)| (s.url.clone(), i)).collect(),
            files: copied.iter().map(|(p, _)| p.as_str()).collect(),
            sources: &sources,
        };
        let mut rendered: Vec<Option<Page>> =
            sources.iter().map(|s| Some(s.render(&index, files, diags))).collect();

        let order = tree.reading_order();
        let position: HashMap<usize, usize> = order.iter().enumerate().map(|(pos, &i)| (i, pos)).collect();
        let mut pages: Vec<Page> = Vec::with_capacity(order.len());
        for &i in &order {
            let mut page = match i.checked_sub(sources.len()) {
                None => rendered[i].take().expect("each page once"),
                Some(_) => made_up_index(),
            };
            page.parents = tree.page_ancestors(i).iter().map(|a| position[a]).collect();
            pages.push(page);
        }
        Runbook { nav_html: tree.html(), pages, files: copied }
    }
}

/// The root page when `runbook/README.md` does not exist: just the contents.
fn made_up_index() -> Page {
    Page {
        source: None,
        url: ROOT.to_string(),
        title: "Runbook".to_string(),
        description: None,
        html: String::new(),
        toc: Vec::new(),
        starts_with_h1: false,
        parents: Vec::new(),
    }
}

/// One Markdown file after the first pass.
struct Source<'f> {
    path: &'f str,
    text: &'f str,
    file: FileId,
    body: Range<usize>,
    url: String,
    title: String,
    weight: Option<i64>,
    description: Option<String>,
    /// Every id a link may point at: headings, footnotes, `id`s in raw HTML.
    anchors: HashSet<String>,
}

impl<'f> Source<'f> {
    fn read(path: &'f str, text: &'f str, file: FileId, diags: &mut Diagnostics) -> Source<'f> {
        let (front, body) = front_matter::read(text, file, diags);
        let parsed = Parsed::new(&text[body.clone()]);
        let mut anchors: HashSet<String> = parsed.headings.iter().map(|h| h.id.clone()).collect();
        for (event, _) in &parsed.events {
            match event {
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    anchors.insert(label.to_string());
                }
                Event::Html(html) | Event::InlineHtml(html) => anchors.extend(html_ids(html)),
                _ => {}
            }
        }
        let stem = path.rsplit('/').next().unwrap_or(path).trim_end_matches(".md");
        Source {
            path,
            text,
            file,
            body,
            url: page_url(path),
            title: front.title.unwrap_or_else(|| stem.to_string()),
            weight: front.weight,
            description: front.description,
            anchors,
        }
    }

    /// Second pass: the page's HTML, its links rewritten and checked.
    fn render(&self, index: &Index<'_, '_>, files: &DataFiles, diags: &mut Diagnostics) -> Page {
        let body = &self.text[self.body.clone()];
        let parsed = Parsed::new(body);
        let mut headings = parsed.headings.iter();
        let mut current_heading = None;
        let mut events = Vec::with_capacity(parsed.events.len());
        // A code block being collected: its language and text so far.
        let mut code: Option<(String, String)> = None;
        for (n, (event, range)) in parsed.events.into_iter().enumerate() {
            if let Some((lang, text)) = &mut code {
                match event {
                    Event::Text(t) => text.push_str(&t),
                    Event::End(TagEnd::CodeBlock) => {
                        events.push(Event::Html(code_block_html(lang, text).into()));
                        code = None;
                    }
                    _ => {}
                }
                continue;
            }
            match event {
                Event::Start(Tag::Heading { level, classes, attrs, .. }) => {
                    let h = headings.next().expect("one heading per heading start");
                    current_heading = Some(h);
                    events.push(Event::Start(Tag::Heading {
                        level,
                        id: Some(h.id.clone().into()),
                        classes,
                        attrs,
                    }));
                }
                Event::End(TagEnd::Heading(level)) => {
                    if let Some(h) = current_heading.take() {
                        let id = escape_html(&h.id);
                        events.push(Event::InlineHtml(
                            format!("<a class=\"anchor\" href=\"#{id}\" aria-hidden=\"true\">#</a>").into(),
                        ));
                    }
                    events.push(Event::End(TagEnd::Heading(level)));
                }
                // `<name@example.org>`: the address, which gets `mailto:` when written.
                Event::Start(Tag::Link { link_type: LinkType::Email, .. }) => events.push(event),
                Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                    let span = parsed.dest_spans.get(&n).cloned().unwrap_or(range);
                    let at = self.shift(span);
                    let dest_url = self.resolve(dest_url, at, index, files, diags);
                    events.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
                }
                Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                    let span = parsed.dest_spans.get(&n).cloned().unwrap_or(range);
                    let at = self.shift(span);
                    let dest_url = self.resolve(dest_url, at, index, files, diags);
                    events.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    // The language is the info string's first word; mdBook
                    // adds options after a comma (`rust,editable`).
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => {
                            info.split([',', ' ', '{']).next().unwrap_or_default().trim().to_string()
                        }
                        CodeBlockKind::Indented => String::new(),
                    };
                    code = Some((lang, String::new()));
                }
                // Raw HTML links and images are checked and moved like
                // Markdown ones: a page is one folder deeper than its file.
                Event::Html(html) | Event::InlineHtml(html) if html.contains('=') => {
                    let written = &body[range.clone()];
                    let html = html_urls::rewrite(&html, |value, offset| {
                        let start = written.find(&html[offset..]).map_or(range.start, |i| range.start + i);
                        let at = self.shift(start..start + value.len());
                        self.resolve(CowStr::from(value.to_string()), at, index, files, diags).into_string()
                    });
                    events.push(Event::Html(html.into()));
                }
                other => events.push(other),
            }
        }
        let first_is_h1 =
            parsed.headings.first().is_some_and(|h| h.level == HeadingLevel::H1 && h.first_block);
        let toc = parsed
            .headings
            .iter()
            .filter(|h| matches!(h.level, HeadingLevel::H2 | HeadingLevel::H3))
            .map(|h| TocEntry { level: h.level as u8, id: h.id.clone(), text: h.text.clone() })
            .collect();
        Page {
            source: Some(self.path.to_string()),
            url: self.url.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            html: markdown::events_to_safe_html(events.into_iter()),
            toc,
            starts_with_h1: first_is_h1,
            parents: Vec::new(),
        }
    }

    /// A byte range of the body as a range of the whole file.
    fn shift(&self, span: Range<usize>) -> Range<usize> {
        span.start + self.body.start..span.end + self.body.start
    }

    /// The URL a link should have in the site. Problems are recorded at `at`;
    /// a broken link keeps its destination, since the build fails anyway.
    fn resolve<'e>(
        &self,
        dest: CowStr<'e>,
        at: Range<usize>,
        index: &Index<'_, '_>,
        files: &DataFiles,
        diags: &mut Diagnostics,
    ) -> CowStr<'e> {
        let dir = &self.path[..self.path.rfind('/').map_or(0, |i| i + 1)];
        let fail = |message: String| Diagnostic::error(message).at(self.file, at.clone());
        let (target, fragment) = match links::classify(&dest, dir) {
            Dest::External => return dest,
            Dest::Refused(scheme) => {
                diags.push(
                    Diagnostic::warning(format!("the link to a `{scheme}:` URL is removed"))
                        .at(self.file, at)
                        .label("only http, https and mailto links are kept")
                        .help("for safety, pages keep no script, event handler or `javascript:`/`data:` URL"),
                );
                return dest;
            }
            Dest::Outside => {
                diags.push(fail(format!("the link `{dest}` points outside the runbook")).label("not under runbook/").help(
                    "link to pages and files under data/runbook/ with a relative path, and to anything else with a full https:// URL",
                ));
                return dest;
            }
            Dest::Fragment(f) => (None, Some(f)),
            Dest::Internal { path, fragment } => (Some(path), fragment),
        };
        let me = index.by_path[self.path];
        let j = match &target {
            None => me,
            Some(path) => {
                let folder = format!("{}/", path.trim_end_matches('/'));
                if let Some(&j) = index.by_path.get(path.as_str()) {
                    j
                } else if let Some(&j) = index.by_url.get(&folder) {
                    j
                } else if index.files.contains(path.as_str()) || folder == ROOT {
                    // A copied file, or the made-up index of a runbook
                    // without a README: nothing to check an anchor against.
                    let mut url = links::relative(&self.url, if folder == ROOT { ROOT } else { path });
                    if let Some(f) = &fragment {
                        url.push('#');
                        url.push_str(&links::percent_encode(f));
                    }
                    return url.into();
                } else {
                    let mut d =
                        fail(format!("broken link: there is no page or file {}", files.display_path(path)))
                            .label("no such page");
                    if let Some(help) = index.suggest_page(path) {
                        d = d.help(help);
                    }
                    diags.push(d);
                    return dest;
                }
            }
        };
        let target_page = &index.sources[j];
        if let Some(f) = &fragment
            && !target_page.anchors.contains(f)
        {
            let mut d =
                fail(format!("broken link: {} has no heading `#{f}`", files.display_path(target_page.path)))
                    .label("no such anchor");
            let mut ids: Vec<&str> = target_page.anchors.iter().map(String::as_str).collect();
            ids.sort_unstable();
            if let Some(best) = crate::load::toml::closest(f, &ids) {
                d = d.help(format!("did you mean `#{best}`?"));
            }
            diags.push(d);
            return dest;
        }
        let mut url = if j == me && fragment.is_some() {
            String::new()
        } else {
            links::relative(&self.url, &target_page.url)
        };
        if let Some(f) = &fragment {
            url.push('#');
            url.push_str(&links::percent_encode(f));
        }
        url.into()
    }
}

/// What the second pass looks links up in.
struct Index<'s, 'f> {
    by_path: HashMap<String, usize>,
    by_url: HashMap<String, usize>,
    files: HashSet<&'s str>,
    sources: &'s [Source<'f>],
}

impl Index<'_, '_> {
    /// For a link to `x.html` (a rendered file name, as mdBook writes them),
    /// or a near miss, the Markdown file that exists.
    fn suggest_page(&self, path: &str) -> Option<String> {
        let stem = path.strip_suffix(".html").unwrap_or(path);
        let md = format!("{stem}.md");
        if self.by_path.contains_key(&md) {
            let name = md.rsplit('/').next().unwrap_or(&md);
            return Some(format!("link to the Markdown file, `{name}`; it becomes the page's URL"));
        }
        if !path.ends_with(".md") {
            return None;
        }
        let mut paths: Vec<&str> = self.by_path.keys().map(String::as_str).collect();
        paths.sort_unstable();
        crate::load::toml::closest(path, &paths).map(|p| format!("did you mean {p}?"))
    }
}

/// A page's URL: `runbook/a/b.md` → `runbook/a/b/`; a folder's `README.md`
/// or `index.md` → the folder.
fn page_url(path: &str) -> String {
    let stem = path.strip_suffix(".md").unwrap_or(path);
    let (folder, name) = match stem.rfind('/') {
        Some(i) => (&stem[..=i], &stem[i + 1..]),
        None => ("", stem),
    };
    if name.eq_ignore_ascii_case("readme") || name.eq_ignore_ascii_case("index") {
        folder.to_string()
    } else {
        format!("{stem}/")
    }
}

/// Two pages at one URL (`a.md` and `a/README.md`), or a copied file where a
/// page is written, would overwrite each other.
fn check_unique_urls(
    sources: &[Source<'_>],
    copied: &[(String, Vec<u8>)],
    files: &DataFiles,
    diags: &mut Diagnostics,
) {
    let mut seen: HashMap<&str, &Source<'_>> = HashMap::new();
    for s in sources {
        if let Some(first) = seen.insert(&s.url, s) {
            diags.push(
                Diagnostic::error(format!(
                    "{} and {} are both the page {}",
                    files.display_path(first.path),
                    files.display_path(s.path),
                    s.url
                ))
                .in_file(s.file)
                .help("rename or remove one of them"),
            );
        }
    }
    for (path, _) in copied {
        if let Some(dir) = path.strip_suffix("index.html")
            && let Some(s) = seen.get(dir)
        {
            diags.push(
                Diagnostic::error(format!(
                    "{} would overwrite the page made from it",
                    files.display_path(path)
                ))
                .in_file(s.file)
                .help("rename the HTML file"),
            );
        }
    }
}

/// Ids given in raw HTML (`<a id="x">`), which links may point at.
fn html_ids(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("id=") {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + 3..];
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let quote = rest.chars().next();
        if let Some(q @ ('"' | '\'')) = quote
            && let Some(end) = rest[1..].find(q)
        {
            out.push(rest[1..=end].to_string());
        }
    }
    out
}

struct Heading {
    level: HeadingLevel,
    id: String,
    text: String,
    /// The heading is the first thing in the body.
    first_block: bool,
}

/// One page body parsed, with what both passes need.
struct Parsed<'t> {
    events: Vec<(Event<'t>, Range<usize>)>,
    headings: Vec<Heading>,
    /// Where the destination of a link or image is written, by event index:
    /// inside the link, or in its reference definition (`[x]: url`).
    dest_spans: HashMap<usize, Range<usize>>,
}

impl<'t> Parsed<'t> {
    fn new(body: &'t str) -> Parsed<'t> {
        // GitHub's dialect, plus `{#id}` after a heading as mdBook, Hugo and
        // Zola read it, for books written with explicit anchors.
        let options = markdown::options() | Options::ENABLE_HEADING_ATTRIBUTES;
        let mut iter = Parser::new_ext(body, options).into_offset_iter();
        let mut events = Vec::new();
        let mut dest_spans = HashMap::new();
        while let Some((event, range)) = iter.next() {
            if let Event::Start(
                Tag::Link { link_type, dest_url, id, .. } | Tag::Image { link_type, dest_url, id, .. },
            ) = &event
            {
                let written = match link_type {
                    LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => {
                        iter.reference_definitions().get(id).map(|d| d.span.clone())
                    }
                    _ => None,
                }
                .unwrap_or(range.clone());
                let span = body[written.clone()]
                    .find(dest_url.as_ref())
                    .filter(|_| !dest_url.is_empty())
                    .map_or(written.clone(), |i| written.start + i..written.start + i + dest_url.len());
                dest_spans.insert(events.len(), span);
            }
            events.push((event, range));
        }
        let headings = headings(&events);
        Parsed { events, headings, dest_spans }
    }
}

/// The headings in order, with GitHub's ids (`usage`, `usage-1`, …).
fn headings(events: &[(Event<'_>, Range<usize>)]) -> Vec<Heading> {
    let mut slugger = slug::Slugger::default();
    let mut out = Vec::new();
    let mut open: Option<(HeadingLevel, Option<&str>, String, bool)> = None;
    for (n, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                open = Some((*level, id.as_deref(), String::new(), n == 0));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text, _)) = &mut open {
                    text.push_str(t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, explicit, text, first_block)) = open.take() {
                    let id = match explicit {
                        Some(id) => slugger.claim(id),
                        None => slugger.slug(&text),
                    };
                    out.push(Heading { level, id, text, first_block });
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;

/// A fenced block as HTML, highlighted when rota knows the language.
fn code_block_html(lang: &str, text: &str) -> String {
    let lang: String =
        lang.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+')).collect();
    let inner = crate::highlight::highlight(&lang, text).unwrap_or_else(|| escape_html(text));
    if lang.is_empty() {
        format!("<pre><code>{inner}</code></pre>\n")
    } else {
        format!("<pre><code class=\"language-{lang}\">{inner}</code></pre>\n")
    }
}
