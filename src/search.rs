//! The search index, made by Pagefind over the finished site.
//!
//! Why Pagefind rather than an index built in Rust (elasticlunr-rs and the
//! like): those write one JSON file that every visitor downloads whole, which
//! for 20,000 failures is megabytes before the first result. Pagefind splits
//! the index into chunks by word and the page texts into one fragment per
//! page, and its script fetches only the chunks a query touches and the
//! fragments of the results shown. It also generates its own browser script
//! into `site/pagefind/`, so this repository carries no third-party code.
//! The price is a tool to install (`pip install 'pagefind[bin]'` or
//! `npm i pagefind`), needed only by `rota build --search`.
//!
//! What gets indexed is chosen in the templates: `data-pagefind-body` marks
//! the text of runbook, failure, test and person pages (no other page is
//! indexed), `data-pagefind-ignore` leaves out tables and navigation, and
//! `data-pagefind-meta="kind:…"` says what a result is.

use std::io;
use std::path::Path;
use std::process::{Command, Output};

/// Folder of the index inside the site; `templates/static/search.js` loads
/// `pagefind/pagefind.js` from here.
pub const DIR: &str = "pagefind";

/// Pagefind's Python package, pinned like the workflow's.
const INSTALL: &str = "pip install 'pagefind[bin]==1.5.2' (or npm i -g pagefind)";

/// Indexes the HTML pages under `site` into `site/pagefind/`.
pub fn index(site: &Path) -> io::Result<()> {
    let mut command = pagefind().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "`--search` needs Pagefind, found neither `pagefind` nor `python3 -m pagefind`: {INSTALL}"
            ),
        )
    })?;
    let out = command.arg("--site").arg(site).args(["--output-subdir", DIR, "--silent"]).output()?;
    if !out.status.success() {
        return Err(failure("Pagefind failed", &out));
    }
    if !site.join(DIR).join("pagefind.js").is_file() {
        return Err(failure("Pagefind wrote no index", &out));
    }
    Ok(())
}

/// The Pagefind command: the binary on PATH, else the Python package.
fn pagefind() -> Option<Command> {
    let runs = |program: &str, args: &[&str]| {
        Command::new(program).args(args).arg("--version").output().is_ok_and(|o| o.status.success())
    };
    if runs("pagefind", &[]) {
        return Some(Command::new("pagefind"));
    }
    let python = ["python3", "python"].into_iter().find(|p| runs(p, &["-m", "pagefind"]))?;
    let mut command = Command::new(python);
    command.args(["-m", "pagefind"]);
    Some(command)
}

fn failure(what: &str, out: &Output) -> io::Error {
    let said = [&out.stderr, &out.stdout].map(|b| String::from_utf8_lossy(b).trim().to_string()).join("\n");
    io::Error::other(format!("{what} ({}): {}", out.status, said.trim()))
}
