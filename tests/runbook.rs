mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

use common::{NOW, Test, copy_dir, fixtures, snapshot_dir};

/// The basic data with `site.repository` set and the fixture runbook.
fn with_runbook() -> Test {
    let config = std::fs::read_to_string(fixtures().join("basic/config.toml")).unwrap().replace(
        "base_url = \"https://example.org/ci/\"",
        "base_url = \"https://example.org/ci/\"\nrepository = \"https://github.com/example/ci\"",
    );
    let t = Test::fixture("basic").data_file("config.toml", &config);
    copy_dir(&fixtures().join("runbook"), &t.path().join("data/runbook"));
    t
}

#[test]
fn fixture_runbook_builds_with_pages_files_and_navigation() {
    let run = with_runbook().args(["build", "--now", NOW]).run().success();
    for path in [
        "runbook/index.html",
        "runbook/guides/index.html",
        "runbook/guides/setup/index.html",
        "runbook/guides/troubleshooting/index.html",
        "runbook/reference/api/index.html",
        "runbook/guides/img/diagram.png",
        "runbook/guides/examples/run.sh",
        "runbook/nav.js",
        "static/runbook.js",
    ] {
        assert!(run.dir.join("site").join(path).is_file(), "{path} missing");
    }
    assert_eq!(
        std::fs::read(run.dir.join("site/runbook/guides/img/diagram.png")).unwrap(),
        std::fs::read(fixtures().join("runbook/guides/img/diagram.png")).unwrap()
    );
    // The site's navigation and the home page lead to the runbook.
    file_contains!(
        run,
        "index.html",
        "<a href=\"runbook/\">Runbook</a>",
        "The <a href=\"runbook/\">runbook</a>"
    );
    file_contains!(run, "schedule/index.html", "<a href=\"../runbook/\">Runbook</a>");
    // One navigation for all pages, by weight then title; a folder without a page groups its pages.
    let nav = run.site_file("runbook/nav.js");
    let order: Vec<usize> =
        ["Fixture runbook", "Guides", "Setup", "Troubleshooting", "<span>reference</span>", "API"]
            .iter()
            .map(|t| nav.find(t).unwrap_or_else(|| panic!("{t} not in {nav}")))
            .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{nav}");
    let setup = run.site_file("runbook/guides/setup/index.html");
    assert!(!setup.contains("Troubleshooting</a></li>"), "the sidebar is shared, not inlined");
    file_contains!(
        run,
        "runbook/guides/setup/index.html",
        "<script src=\"../../../runbook/nav.js\" defer>",
        "data-base=\"../../\" data-current=\"guides/setup/\"",
        "<noscript><a href=\"../../\">All runbook pages</a></noscript>",
        // Breadcrumbs, previous and next in reading order.
        "<a href=\"../../../runbook/guides/\">Guides</a> ›",
        "<a rel=\"prev\" href=\"../../../runbook/guides/\">← Guides</a>",
        "<a rel=\"next\" href=\"../../../runbook/guides/troubleshooting/\">Troubleshooting →</a>",
        // GitHub's ids for duplicate headings, anchor links and a table of contents.
        "<h2 id=\"usage\">",
        "<h2 id=\"usage-1\">",
        "<h3 id=\"usage-2\">",
        "<a class=\"anchor\" href=\"#usage-2\"",
        "<li class=\"l3\"><a href=\"#usage-2\">Usage</a></li>",
        // The page's own `# Setup` is its title, not a second heading.
        "<h1 id=\"setup\">Setup",
        // Relative links to pages, anchors and copied files.
        "src=\"../img/diagram.png\"",
        "href=\"../examples/run.sh\"",
        "href=\"#usage\"",
        "href=\"../../reference/api/\"",
        "title=\"API reference\"",
        "class=\"language-bash\"",
        // Highlighted when built: no script needed.
        "<span class=\"token keyword\">export</span>",
        "<span class=\"token comment\"># dry run</span>",
        "href=\"https://github.com/example/ci/edit/main/data/runbook/guides/setup.md\">Edit this page</a>",
    );
    assert_eq!(setup.matches("<h1").count(), 1, "{setup}");
    file_contains!(
        run,
        "runbook/guides/troubleshooting/index.html",
        "href=\"../setup/#usage-1\"",
        "href=\"#custom-anchor\"",
        "id=\"custom-anchor\"",
        "<img src=\"../img/diagram.png\" width=\"40\"",
        "checkbox",
        "<del>give up</del>",
    );
    file_contains!(
        run,
        "runbook/index.html",
        "<h1>Fixture runbook</h1>",
        "<p class=\"lead\">A small runbook",
        "href=\"guides/setup/#install\"",
        "href=\"reference/api/#errors\"",
        "href=\"guides/\"",
        "<th align=\"left\">Kind</th>",
        "class=\"footnote-reference\"><a href=\"#source\"",
        "class=\"footnote-definition\" id=\"source\"",
        "href=\"#overview\"",
        // The index has the whole navigation inline, for readers without JavaScript.
        "<a href=\"guides/troubleshooting/\">Troubleshooting</a>",
    );
    file_contains!(
        run,
        "runbook/reference/api/index.html",
        "href=\"../../guides/troubleshooting/#custom-anchor\""
    );
    assert!(!run.site_file("runbook/index.html").contains("nav.js"));
}

#[test]
fn a_broken_link_fails_the_build_at_its_line_and_keeps_the_old_site() {
    let mut t = with_runbook().args(["build", "--now", NOW]);
    t.run().success();
    let before = snapshot_dir(&t.path().join("site"));
    let page = "+++\ntitle = \"Broken\"\n+++\n\nFirst line.\n\nSee [the setup](guides/setpu.md) here.\n";
    t = t.data_file("runbook/broken.md", page);
    let run = t.run().failure(1);
    assert!(run.stderr.contains("data/runbook/broken.md:7:17"), "{}", run.stderr);
    assert!(run.stderr.contains("there is no page or file data/runbook/guides/setpu.md"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean runbook/guides/setup.md?"), "{}", run.stderr);
    assert!(run.stderr.contains("the site was not written"), "{}", run.stderr);
    assert_eq!(snapshot_dir(&t.path().join("site")), before, "the previous site must stay as it was");
    let run = t.rerun(["check", "--now", NOW]).failure(1);
    assert!(run.stderr.contains("data/runbook/broken.md:7:17"), "{}", run.stderr);
}

#[test]
fn a_broken_anchor_is_an_error_at_its_line() {
    let page =
        "+++\ntitle = \"Anchors\"\n+++\n\n[ok](guides/setup.md#usage-2)\n[bad](guides/setup.md#usage-3)\n";
    let run =
        with_runbook().data_file("runbook/anchors.md", page).args(["check", "--now", NOW]).run().failure(1);
    assert!(run.stderr.contains("data/runbook/anchors.md:6:7"), "{}", run.stderr);
    assert!(run.stderr.contains("data/runbook/guides/setup.md has no heading `#usage-3`"), "{}", run.stderr);
    assert!(!run.stderr.contains("anchors.md:5:"), "{}", run.stderr);
    assert!(run.stderr.contains("1 error(s)"), "{}", run.stderr);
}

#[test]
fn front_matter_mistakes_are_located_errors() {
    let run = with_runbook()
        .data_file("runbook/typo.md", "+++\ntitle = \"T\"\nwieght = 3\n+++\nx\n")
        .data_file("runbook/none.md", "# No front matter\n")
        .args(["check", "--now", NOW])
        .run()
        .failure(1);
    assert!(run.stderr.contains("data/runbook/typo.md:3:1"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `weight`?"), "{}", run.stderr);
    assert!(run.stderr.contains("data/runbook/none.md:1:1"), "{}", run.stderr);
    assert!(run.stderr.contains("no `+++` front matter"), "{}", run.stderr);
}

#[test]
fn scripts_event_handlers_and_javascript_links_are_removed() {
    let page = "+++\ntitle = \"Unsafe\"\n+++\n\n<script>alert('s')</script>\n\n\
                <p onclick=\"alert('h')\">text</p> <img src=\"guides/img/diagram.png\" onerror=\"alert('i')\">\n\n\
                [click me](javascript:alert('j')) <a href=\"javascript:alert('k')\">raw</a>\n";
    let run =
        with_runbook().data_file("runbook/unsafe.md", page).args(["build", "--now", NOW]).run().success();
    assert!(run.stderr.contains("data/runbook/unsafe.md:9:12"), "{}", run.stderr);
    assert!(run.stderr.contains("the link to a `javascript:` URL is removed"), "{}", run.stderr);
    let html = run.site_file("runbook/unsafe/index.html");
    let body = &html[html.find("class=\"prose\"").unwrap()..html.find("class=\"pager\"").unwrap()];
    for bad in ["<script", "alert", "onclick", "onerror", "javascript:"] {
        assert!(!body.contains(bad), "{bad} in {body}");
    }
    assert!(body.contains("<p>text</p>") && body.contains(">click me</a>"), "{body}");
}

#[test]
fn the_shipped_sample_runbook_builds_with_every_link_resolved() {
    let run = Test::sample().args(["build", "--now", NOW]).run().success();
    assert!(!run.stderr.contains("runbook"), "{}", run.stderr);
    let pages = walk_files(&run.dir.join("site/runbook")).filter(|p| p.ends_with("index.html")).count();
    assert!(pages >= 8, "{pages} runbook pages");
    file_contains!(
        run,
        "runbook/process/escalation/index.html",
        "href=\"../../flaky-tests/#disabling-the-test\""
    );
}

#[test]
fn updated_dates_and_edit_links_render_when_given() {
    let t = with_runbook();
    let options = rota::site::Options {
        data_dir: t.path().join("data"),
        templates_dir: None,
        base_url: None,
        now: chrono::DateTime::parse_from_rfc3339(NOW).unwrap().into(),
    };
    let (site, diags) = rota::site::Site::load(&options);
    let mut site = site.unwrap_or_else(|| panic!("{}", diags.render_human()));
    site.page_dates.insert(
        "runbook/guides/setup.md".into(),
        rota::runbook::PageDate {
            date: chrono::NaiveDate::from_ymd_opt(2022, 6, 1).unwrap(),
            author: "Ada <Lovelace>".into(),
        },
    );
    let out = site.render().unwrap_or_else(|d| panic!("{}", d.render_human()));
    let page = |p: &str| String::from_utf8(out.get(p).unwrap().to_vec()).unwrap();
    let setup = page("runbook/guides/setup/index.html");
    assert!(
        setup
            .contains("Last updated <time datetime=\"2022-06-01\">2022-06-01</time> by Ada &lt;Lovelace&gt;"),
        "{setup}"
    );
    let other = page("runbook/guides/index.html");
    assert!(!other.contains("Last updated"), "no date, no line");
    assert!(other.contains("/edit/main/data/runbook/guides/README.md\">Edit this page</a>"), "{other}");
}

fn walk_files(dir: &Path) -> impl Iterator<Item = String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_string_lossy().into_owned())
}

// ---------------------------------------------------------------------------
// A real third-party book: Rust by Example, from the shared test data.

/// The book's Markdown sources, beside the repository (never copied into it).
fn rust_by_example() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/books/rust-by-example/src");
    if dir.join("SUMMARY.md").is_file() {
        Some(dir)
    } else {
        common::missing_tool("the Rust by Example book", &format!("expected at {}", dir.display()));
        None
    }
}

/// Copies the book into `data/runbook/` of a test, adding front matter: the
/// title from each page's first heading, the weight from SUMMARY.md's order.
/// `fix` may change each page's text first.
fn book_runbook(src: &Path, fix: impl Fn(&str) -> String) -> Test {
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    let order: Vec<String> = summary
        .match_indices("](")
        .filter_map(|(i, _)| summary[i + 2..].split_once(')').map(|(dest, _)| dest.to_string()))
        .collect();
    let t = Test::fixture("basic");
    for entry in walkdir::WalkDir::new(src).into_iter().map(|e| e.unwrap()) {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(src).unwrap().to_string_lossy().replace('\\', "/");
        let target = t.path().join("data/runbook").join(&rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        if !rel.ends_with(".md") {
            std::fs::copy(entry.path(), target).unwrap();
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let title = text
            .lines()
            .find_map(|l| l.strip_prefix('#').map(|h| h.trim_start_matches('#').trim().to_string()))
            .unwrap_or_else(|| rel.clone());
        let title = title.replace('\\', "\\\\").replace('"', "\\\"");
        let weight = match order.iter().position(|d| *d == rel) {
            Some(w) => format!("weight = {w}\n"),
            None => String::new(),
        };
        std::fs::write(target, format!("+++\ntitle = \"{title}\"\n{weight}+++\n{}", fix(&text))).unwrap();
    }
    t
}

/// Links in the book's sources that name mdBook's output (`x.html`) rather
/// than a Markdown file, found by reading the text: (file, line in the copy).
fn html_links(src: &Path) -> BTreeSet<(String, usize)> {
    let mut found = BTreeSet::new();
    for entry in walkdir::WalkDir::new(src).into_iter().map(|e| e.unwrap()) {
        let rel = entry.path().strip_prefix(src).unwrap().to_string_lossy().replace('\\', "/");
        if !rel.ends_with(".md") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let mut in_code = false;
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("```") {
                in_code = !in_code;
            }
            if in_code {
                continue;
            }
            // Inline `](dest)` and reference definitions `[label]: dest`.
            let mut dests: Vec<&str> = line
                .match_indices("](")
                .map(|(i, _)| line[i + 2..].split([')', ' ']).next().unwrap())
                .collect();
            if line.starts_with('[')
                && let Some((_, rest)) = line.split_once("]:")
            {
                dests.push(rest.trim());
            }
            let is_html = |d: &&str| !d.contains("://") && d.split('#').next().unwrap().ends_with(".html");
            if dests.iter().any(is_html) {
                // Three front matter lines, plus the weight line for pages in SUMMARY.md.
                found.insert((rel.clone(), n + 1));
            }
        }
    }
    found
}

#[test]
fn rust_by_example_resolves_every_link_but_its_mdbook_html_ones() {
    let Some(src) = rust_by_example() else { return };
    let t = book_runbook(&src, str::to_string).args(["check", "--now", NOW]).env("GITHUB_ACTIONS", "true");
    let pages = walk_files(&t.path().join("data/runbook")).filter(|p| p.ends_with(".md")).count();
    assert!(pages >= 30, "{pages} pages");
    let started = Instant::now();
    let run = t.run().failure(1);
    eprintln!("rota check of Rust by Example ({pages} pages): {:?}", started.elapsed());
    // `::error file=F,line=L,col=C::message` for each problem.
    let mut reported = BTreeSet::new();
    for line in run.stdout.lines().filter(|l| l.starts_with("::")) {
        assert!(line.starts_with("::error "), "only errors expected: {line}\n{}", run.stderr);
        assert!(line.contains(".html"), "an error other than an .html link: {line}");
        let field =
            |name: &str| line.split([' ', ',', ':']).find_map(|f| f.strip_prefix(name)).unwrap().to_string();
        let file = field("file=").trim_start_matches("data/runbook/").to_string();
        let line_no: usize = field("line=").parse().unwrap();
        reported.insert((file, line_no));
    }
    // Shift the expected lines by the front matter that was added.
    let expected: BTreeSet<(String, usize)> = html_links(&src)
        .into_iter()
        .map(|(file, line)| {
            let added = std::fs::read_to_string(t.path().join("data/runbook").join(&file)).unwrap();
            let front = added.lines().skip(1).position(|l| l == "+++").unwrap() + 2;
            (file, line + front)
        })
        .collect();
    assert!(!expected.is_empty(), "the book has mdBook .html links");
    assert_eq!(reported, expected, "{}", run.stderr);
}

#[test]
fn rust_by_example_builds_once_its_html_links_name_markdown_files() {
    let Some(src) = rust_by_example() else { return };
    // The fix the error's help suggests: link to the Markdown file.
    let t = book_runbook(&src, |text| {
        text.replace("from_into.html", "from_into.md").replace("tuples.html", "tuples.md")
    });
    let started = Instant::now();
    let run = t.args(["build", "--now", NOW]).run().success();
    eprintln!("rota build of Rust by Example: {:?}", started.elapsed());
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let built = walk_files(&run.dir.join("site/runbook")).filter(|p| p.ends_with("index.html")).count();
    assert!(built >= 190, "{built} pages");
    file_contains!(
        run,
        "runbook/hello/index.html",
        "<h1 id=\"hello-world\">Hello World",
        "href=\"../macros/\""
    );
    file_contains!(
        run,
        "runbook/hello/print/index.html",
        "href=\"../../macros/\"",
        "href=\"../../std/str/\""
    );
    file_contains!(run, "runbook/unsafe/asm/index.html", "href=\"#options\"", "id=\"options\"");
    file_contains!(run, "runbook/flow_control/match/index.html", "<pre><code class=\"language-rust\">");
    file_contains!(run, "runbook/conversion/try_from_try_into/index.html", "href=\"../from_into/\"");
}
