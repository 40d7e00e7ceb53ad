//! `rota build --search`: a Pagefind index over the runbook, the failures,
//! the tests and the people, used by the search box of every page in a real
//! browser. Needs Pagefind (and Chromium for the browser half); skipped with
//! a message when they are missing, except in CI.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use common::web::{Server, chromium, dump_dom, serve};
use common::{Run, Test, snapshot_dir};

const NOW: &str = "2023-02-01T12:00:00Z";
const INSTALL: &str = "pip install 'pagefind[bin]==1.5.2'";

fn have_pagefind() -> bool {
    let runs = |cmd: &mut Command| cmd.arg("--version").output().is_ok_and(|o| o.status.success());
    runs(&mut Command::new("pagefind")) || runs(Command::new("python3").args(["-m", "pagefind"]))
}

/// The search results shown on `page` opened with `?q=query`. On a busy
/// machine Chromium's virtual time can run out before Pagefind has loaded,
/// and the page is dumped before the results are in: try again then.
fn results(chromium: &Path, server: &Server, page: &str, query: &str) -> String {
    let url = server.url(&format!("{page}?q={query}"));
    let mut dom = dump_dom(chromium, &url);
    for _ in 0..3 {
        if dom.contains("search-results open") {
            break;
        }
        dom = dump_dom(chromium, &url);
    }
    let start = dom.find("<div class=\"search-results").unwrap_or_else(|| panic!("no search box:\n{dom}"));
    let end = start + dom[start..].find("</form>").unwrap();
    dom[start..end].to_string()
}

/// Pages Pagefind should index: those that mark their text for it.
fn indexed_pages(site: &Path) -> usize {
    let count = |dir: &str, depth: usize| {
        walkdir::WalkDir::new(site.join(dir))
            .min_depth(depth)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_name() == "index.html")
            .filter(|e| e.depth() > 1 || dir == "runbook")
            .count()
    };
    count("runbook", 1) + count("failures", 2) + count("tests", 2) + count("people", 2)
}

fn build_sample_with_search() -> Option<Run> {
    if !have_pagefind() {
        common::missing_tool("Pagefind", INSTALL);
        return None;
    }
    Some(Test::sample().args(["build", "--search", "--now", NOW]).run().success())
}

#[test]
fn build_search_writes_a_chunked_index_of_the_runbook_failures_tests_and_people() {
    let Some(run) = build_sample_with_search() else { return };
    let site = run.dir.join("site");
    let bundle = site.join("pagefind");
    assert!(bundle.join("pagefind.js").is_file());
    assert!(bundle.join("pagefind-entry.json").is_file());
    for dir in ["fragment", "index"] {
        let files = std::fs::read_dir(bundle.join(dir)).map(|d| d.count()).unwrap_or(0);
        assert!(files > 0, "no files in pagefind/{dir}");
    }
    // Only the marked pages: not the home page, the schedule or the lists.
    let entry = run.site_json("pagefind/pagefind-entry.json");
    let pages = entry["languages"]["en"]["page_count"].as_u64().unwrap() as usize;
    assert_eq!(pages, indexed_pages(&site));
    let fragments = std::fs::read_dir(bundle.join("fragment")).unwrap().count();
    assert_eq!(fragments, pages, "one fragment per page");
    // Every page gets the box, hidden until the script finds the index.
    file_contains!(
        run,
        "schedule/index.html",
        "<form class=\"search\" role=\"search\" hidden data-root=\"../\">",
        "<script src=\"../static/search.js\" defer></script>"
    );
}

#[test]
fn the_search_box_finds_failures_tests_people_and_runbook_pages_under_a_subpath() {
    let Some(run) = build_sample_with_search() else { return };
    let Some(chromium) = chromium() else {
        common::missing_tool("Chromium", "apt-get install chromium, or set CHROMIUM");
        return;
    };
    // Served from the folder above, so the site lives under /site/ as on a
    // project's GitHub Pages.
    let server = serve(run.dir.clone());
    let found = results(&chromium, &server, "site/schedule/", "test_myfloat");
    assert!(found.contains("search-results open"), "{found}");
    assert!(
        found.contains(
            "<a href=\"/site/failures/2022-06-09-custom-datatypes-myfloat/\"><span class=\"search-kind k-failure\">failure</span>"
        ),
        "{found}"
    );
    assert!(found.contains("<span class=\"search-kind k-test\">test</span>"), "{found}");
    assert!(found.contains("<mark>"), "hits are marked in the excerpts:\n{found}");

    let found = results(&chromium, &server, "site/runbook/handoff/", "driazati");
    assert!(
        found.contains(
            "<a href=\"/site/people/driazati/\"><span class=\"search-kind k-person\">person</span> @driazati</a>"
        ),
        "{found}"
    );

    // An issue number and an error message.
    let found = results(&chromium, &server, "site/", "11967");
    assert!(found.contains("href=\"/site/failures/2022-06-30-pytorch-empty-like/\""), "{found}");
    let found = results(&chromium, &server, "site/", "space%20left%20on%20device");
    assert!(found.contains("href=\"/site/failures/2022-06-21-disk-space-gpu-nodes/\""), "{found}");

    let found = results(&chromium, &server, "site/failures/", "handoff");
    assert!(
        found.contains(
            "<a href=\"/site/runbook/handoff/\"><span class=\"search-kind k-runbook\">runbook</span>"
        ),
        "{found}"
    );
    // Navigation and tables are not indexed: the schedule is not a result.
    assert!(!found.contains("/site/schedule/"), "{found}");

    let found = results(&chromium, &server, "site/", "zzzqqq");
    assert!(found.contains("No results for “zzzqqq”"), "{found}");
}

#[test]
fn without_the_index_the_search_box_stays_hidden() {
    let run = Test::sample().args(["build", "--now", NOW]).run().success();
    assert!(!run.dir.join("site/pagefind").exists());
    let Some(chromium) = chromium() else {
        common::missing_tool("Chromium", "apt-get install chromium, or set CHROMIUM");
        return;
    };
    let server = serve(run.dir.join("site"));
    let dom = dump_dom(&chromium, &server.url("/?q=driazati"));
    assert!(dom.contains("<form class=\"search\" role=\"search\" hidden=\"\""), "{dom}");
    // Nothing but the entry file was asked for.
    let asked: Vec<String> = server.take_log().into_iter().map(|(p, _)| p).collect();
    assert!(asked.iter().all(|p| !p.starts_with("/pagefind/")), "{asked:?}");
}

#[test]
fn a_missing_pagefind_is_a_clear_error_and_the_old_site_stays() {
    let test = Test::sample().args(["build", "--now", NOW]);
    test.run().success();
    let before = snapshot_dir(&test.path().join("site"));
    // No PATH: neither `pagefind` nor `python3 -m pagefind` can be found.
    let empty = tempfile::tempdir().unwrap();
    let mut test = test.env("PATH", empty.path().to_str().unwrap());
    let run = test.rerun(["build", "--search", "--now", NOW]);
    let run = run.failure(1);
    assert!(run.stderr.contains("`--search` needs Pagefind"), "{}", run.stderr);
    assert!(run.stderr.contains("pip install 'pagefind[bin]"), "{}", run.stderr);
    assert_eq!(snapshot_dir(&run.dir.join("site")), before, "the old site was changed");
}

/// The figures for the docs: a runbook of 2,000 pages and 20,000 failures.
/// `cargo test --release --test search -- --ignored --nocapture`
#[test]
#[ignore = "a benchmark: builds a site of 24,000 pages"]
fn index_size_of_a_large_site() {
    if !have_pagefind() {
        common::missing_tool("Pagefind", INSTALL);
        return;
    }
    let test = Test::sample();
    let data = test.path().join("data");
    generate_large_data(&data);

    let now = "2030-01-01T00:00:00Z";
    let mut test = test.args(["build", "--now", now]);
    let started = Instant::now();
    test.run().success();
    let plain = started.elapsed();
    let started = Instant::now();
    // Into a new folder, so that both times leave out deleting an old site.
    let run = test.rerun(["build", "--search", "--out", "site-search", "--now", now]).success();
    let with_search = started.elapsed();
    let site = run.dir.join("site-search");
    let bundle = site.join("pagefind");
    let total = dir_size(&site);
    let index = dir_size(&bundle);
    let ui: u64 =
        ["pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css"]
            .iter()
            .chain(&[
                "pagefind-modular-ui.js",
                "pagefind-modular-ui.css",
                "pagefind-highlight.js",
                "pagefind-worker.js",
            ])
            .filter_map(|f| std::fs::metadata(bundle.join(f)).ok())
            .map(|m| m.len())
            .sum();
    println!("pages indexed: {}", indexed_pages(&site));
    println!(
        "build without --search: {:.1} s; with --search: {:.1} s",
        plain.as_secs_f64(),
        with_search.as_secs_f64()
    );
    println!("site: {} files, {:.1} MB", snapshot_dir(&site).len(), mb(total));
    println!(
        "site/pagefind/: {:.1} MB in {} files, of which fragments {:.1} MB, index chunks {:.1} MB, unused UI scripts {:.2} MB",
        mb(index),
        walkdir::WalkDir::new(&bundle)
            .into_iter()
            .filter(|e| e.as_ref().unwrap().file_type().is_file())
            .count(),
        mb(dir_size(&bundle.join("fragment"))),
        mb(dir_size(&bundle.join("index"))),
        mb(ui)
    );

    let Some(chromium) = chromium() else { return };
    let server = serve(site.clone());
    for query in ["test_conv2d_17", "conv2d", "segmentation", "driazati", "rollback"] {
        dump_dom(&chromium, &server.url("/"));
        server.take_log();
        let dom = dump_dom(&chromium, &server.url(&format!("/?q={query}")));
        let count =
            dom.split("<p class=\"search-count\">").nth(1).and_then(|s| s.split('<').next()).unwrap_or("?");
        let search: Vec<(String, usize)> =
            server.take_log().into_iter().filter(|(p, _)| p.starts_with("/pagefind/")).collect();
        let bytes: usize = search.iter().map(|(_, n)| n).sum();
        let part =
            |what: &str| -> usize { search.iter().filter(|(p, _)| p.contains(what)).map(|(_, n)| n).sum() };
        println!(
            "query {query:?} ({count}): {} requests, {:.0} kB (script {:.0} kB, wasm {:.0} kB, metadata {:.0} kB, index chunks {:.0} kB, fragments {:.0} kB)",
            search.len(),
            kb(bytes),
            kb(part("pagefind.js") + part("entry.json")),
            kb(part("wasm.")),
            kb(part(".pf_meta")),
            kb(part(".pf_index")),
            kb(part(".pf_fragment"))
        );
    }
}

fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1024.0 / 1024.0
}

fn dir_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// A deterministic stand-in for years of use: 2,000 runbook pages in 40
/// folders, with prose from a 4,000-word vocabulary, and 20,000 failures of
/// 2,000 tests with errors that mostly differ, one or two a day since 2022.
/// (Each failure page lists the others with the same error, so a few errors
/// shared by thousands of failures make the site itself quadratic.)
fn generate_large_data(data: &Path) {
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    let syllables =
        ["ka", "ro", "ti", "mu", "sen", "dor", "vi", "la", "pe", "qu", "zan", "tor", "mi", "el", "bra", "go"];
    let words: Vec<String> = (0..4000)
        .map(|i| {
            let mut w = String::new();
            let mut k = i + 16;
            while k > 0 {
                w.push_str(syllables[k % 16]);
                k /= 16;
            }
            w
        })
        .collect();
    // Roughly Zipf: common words are much more common.
    let word = |next: &mut dyn FnMut(u64) -> u64| {
        let r = next(4000) + 1;
        words[(4000 / r - 1).min(3999) as usize].clone()
    };
    let runbook = data.join("runbook");
    std::fs::remove_dir_all(&runbook).unwrap();
    for page in 0..2000 {
        let folder = page / 50;
        let dir = runbook.join(format!("section-{folder:02}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut text = format!(
            "+++\ntitle = \"Page {page}: {} {}\"\nweight = {}\n+++\n\n",
            word(&mut next),
            word(&mut next),
            page % 50
        );
        for section in 0..4 {
            text.push_str(&format!("## {} {} {section}\n\n", word(&mut next), word(&mut next)));
            for _ in 0..3 {
                let sentence: Vec<String> = (0..12 + next(12)).map(|_| word(&mut next)).collect();
                text.push_str(&sentence.join(" "));
                text.push_str(". ");
            }
            text.push_str("\n\n");
        }
        if page % 50 != 49 {
            text.push_str(&format!("Next: [the next page](page-{}.md#{}).\n", page + 1, "see-also"));
        }
        text.push_str("\n## See also\n\nThe [runbook start](../README.md) and `rollback` steps.\n");
        std::fs::write(dir.join(format!("page-{page}.md")), text).unwrap();
    }
    std::fs::write(runbook.join("README.md"), "+++\ntitle = \"Runbook\"\n+++\n\nStart here.\n").unwrap();

    let triage = data.join("triage");
    std::fs::remove_dir_all(&triage).unwrap();
    let handoffs = data.join("handoffs");
    let _ = std::fs::remove_dir_all(&handoffs);
    let areas = [
        "frontend/pytorch",
        "frontend/onnx",
        "contrib/test_ethosu",
        "unittest",
        "topi",
        "relay",
        "integration",
    ];
    let errors = [
        "AssertionError: Not equal to tolerance rtol=1e-05, atol=1e-05",
        "Segmentation fault (core dumped)",
        "TVMError: Check failed: (ptr != nullptr) is false",
        "RuntimeError: CUDA error: an illegal memory access was encountered",
        "OSError: [Errno 28] No space left on device",
        "TimeoutError: stage exceeded 3h",
    ];
    let start = chrono::NaiveDate::from_ymd_opt(2022, 6, 1).unwrap();
    for i in 0..20_000u64 {
        let date = start + chrono::Duration::days((i * 2700 / 20_000) as i64);
        let year = date.format("%Y");
        std::fs::create_dir_all(triage.join(year.to_string())).unwrap();
        let t = next(2000);
        let area = areas[(t % 7) as usize];
        let kind = ["flaky", "flaky", "flaky", "regression", "infra"][next(5) as usize];
        // About 240 distinct errors, each shared by some 80 failures, as in a
        // real log where one broken runner fails many jobs alike.
        let error = format!("{} in {}", errors[next(6) as usize], words[next(40) as usize]);
        let status = ["open", "disabled", "fixed", "closed"][next(4) as usize];
        let mut text = format!(
            "kind = \"{kind}\"\ndate = {date}\njob = \"https://ci.tlcpack.ai/job/tvm/job/main/{}/\"\ncommit = \"{:07x}\"\n",
            3000 + i,
            next(1 << 28)
        );
        if kind != "infra" {
            text.push_str(&format!(
                "test = \"tests/python/{area}/test_{}.py::test_{}_{t}\"\n",
                word(&mut next),
                ["myfloat", "conv2d", "resize", "pool"][(t % 4) as usize]
            ));
        } else {
            text.push_str(&format!("title = \"[ci] {} agents: {}\"\n", word(&mut next), word(&mut next)));
        }
        text.push_str(&format!("error = \"{error}\"\nissue = {}\nstatus = \"{status}\"\n", 12_000 + i));
        std::fs::write(triage.join(year.to_string()).join(format!("{date}-{i:05}.toml")), text).unwrap();
    }
}
