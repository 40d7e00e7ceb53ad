//! The runbook's pages, its shared navigation script and its copied files.
//!
//! The sidebar is the same for every page, so it is written once, as
//! `runbook/nav.js`, and each page loads it with one `<script>` (cached by the
//! browser, and working from `file://`, where `fetch` would not). Inlining it
//! would make the site grow with the square of the number of pages. Without
//! JavaScript, a page links to the runbook's index page, which has the whole
//! navigation inline, and keeps its own breadcrumbs and previous/next links.
//!
//! Code is highlighted at build time by [`crate::highlight`], so it needs no
//! script and reads the same in print and from disk.

use serde::Serialize;

use super::Output;
use super::context::PageContext;
use crate::diagnostics::Diagnostic;
use crate::runbook::{Page, ROOT, TocEntry};

#[derive(Serialize)]
struct LinkView<'a> {
    title: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct UpdatedView {
    /// `YYYY-MM-DD`, for `<time datetime>` and for reading.
    date: String,
    author: String,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    /// This page's URL relative to `runbook/`, as the navigation writes it.
    nav_url: &'a str,
    body_html: &'a str,
    toc: &'a [TocEntry],
    starts_with_h1: bool,
    parents: Vec<LinkView<'a>>,
    previous: Option<LinkView<'a>>,
    next: Option<LinkView<'a>>,
    edit_url: Option<String>,
    updated: Option<UpdatedView>,
    is_index: bool,
}

fn link(page: &Page) -> LinkView<'_> {
    LinkView { title: &page.title, url: &page.url }
}

pub fn pages(p: &PageContext<'_>, out: &mut Output) -> Result<(), Diagnostic> {
    let book = p.runbook;
    if book.pages.is_empty() {
        return Ok(());
    }
    let nav = serde_json::to_string(&book.nav_html).expect("a string serialises");
    out.add(format!("{ROOT}nav.js"), format!("window.rotaRunbookNav = {nav};\n"));
    for (path, bytes) in &book.files {
        out.add(path.clone(), bytes.clone());
    }
    let repository = p.model.config.site.repository.as_deref();
    for (i, page) in book.pages.iter().enumerate() {
        let source = page.source.as_deref();
        let view = PageView {
            title: &page.title,
            description: page.description.as_deref(),
            nav_url: match &page.url[ROOT.len()..] {
                "" => "./",
                rest => rest,
            },
            body_html: &page.html,
            toc: &page.toc,
            starts_with_h1: page.starts_with_h1,
            parents: page.parents.iter().map(|&j| link(&book.pages[j])).collect(),
            previous: i.checked_sub(1).map(|j| link(&book.pages[j])),
            next: book.pages.get(i + 1).map(link),
            edit_url: repository.zip(source).map(|(repo, path)| format!("{repo}/edit/main/data/{path}")),
            updated: source.and_then(|s| p.page_dates.get(s)).map(|d| UpdatedView {
                date: d.date.format("%Y-%m-%d").to_string(),
                author: d.author.clone(),
            }),
            is_index: page.url == ROOT,
        };
        let mut ctx = p.context(&page.url);
        ctx.insert("page", &view);
        ctx.insert("runbook_base", &super::root_of(&page.url[ROOT.len()..]));
        if view.is_index {
            ctx.insert("nav_html", &book.nav_html);
        }
        p.page(out, &page.url, "runbook.html", ctx)?;
    }
    Ok(())
}
