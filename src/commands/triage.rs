//! `rota triage new`, `rota triage disable` and `rota suspects`: the
//! commands the person on call runs while triaging a failure.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::commands::xfail::{self, Marked};
use crate::commands::{DATA_PROBLEMS, Global, MISUSE, OK, report};
use crate::history::suspects;
use crate::model::triage::{Kind, NewEntry, Status, default_title, entry_toml};
use crate::model::{Failure, Person};
use crate::render::issue::{self, DraftInput};
use crate::site::{Options, Site};

/// Operational failure (a missing test, an unreadable repository): not a
/// problem in the data, but the command did not do its job.
const FAILED: u8 = 1;

/// How many people from the test file's history the drafted issue tags.
const SUSPECTS_IN_ISSUE: usize = 3;

fn load(global: &Global) -> Result<Site, u8> {
    let options =
        Options { data_dir: global.data.clone(), templates_dir: None, base_url: None, now: global.now };
    let (site, diags) = Site::load(&options);
    match site {
        Some(site) if !diags.has_errors() => {
            // Warnings are `rota check`'s business; only say there are some.
            if diags.warning_count() > 0 {
                eprintln!("({} warning(s) in the data: see `rota check`)", diags.warning_count());
            }
            Ok(site)
        }
        _ => {
            report(&diags);
            eprintln!("fix the data first (`rota check` lists the problems): nothing was changed");
            Err(DATA_PROBLEMS)
        }
    }
}

/// What `rota triage new` is given.
pub struct NewArgs {
    pub job: String,
    pub test: Option<String>,
    pub kind: Option<Kind>,
    pub error: Option<String>,
    pub repo: Option<PathBuf>,
}

/// `rota triage new`: writes the entry, prints the issue draft and link.
pub fn new(global: &Global, args: NewArgs) -> u8 {
    if !(args.job.starts_with("https://") || args.job.starts_with("http://"))
        || args.job.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        eprintln!("error: `{}` is not an http(s) URL of the failing job", args.job);
        return MISUSE;
    }
    let test = args.test.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
    if test.as_deref().is_some_and(|t| t.contains('\n')) {
        eprintln!("error: --test must be one pytest node id on one line");
        return MISUSE;
    }
    let kind = args.kind.unwrap_or(if test.is_some() { Kind::Flaky } else { Kind::Infra });
    if kind.needs_test() && test.is_none() {
        eprintln!(
            "error: a {} entry needs the test: pass --test tests/python/x.py::test_y (or --kind infra)",
            kind.as_str()
        );
        return MISUSE;
    }
    let site = match load(global) {
        Ok(site) => site,
        Err(status) => return status,
    };
    let model = &site.model;
    let conventions = &model.config.triage;
    let tz = model.config.rotation.handoff.timezone;
    let today = global.now.with_timezone(&tz).date_naive();
    let on_call = site.schedule.at(global.now).and_then(|s| s.person.clone());

    // The people who know the test, from its file's history.
    let mut suspects_cc = Vec::new();
    let mut suspects_text = None;
    if let (Some(dir), Some(test)) = (&args.repo, &test) {
        match file_suspects(dir, test, &model.people, Some(SUSPECTS_IN_ISSUE)) {
            Ok((path, list)) => {
                suspects_cc = suspects::cc_logins(&list);
                suspects_text = Some(suspects::render_text(&path, &list));
            }
            Err(e) => {
                eprintln!("error: {e}");
                return FAILED;
            }
        }
    }

    let entry = NewEntry {
        kind: Some(kind),
        date: Some(today),
        job: args.job.clone(),
        test: test.clone(),
        error: args.error.clone().filter(|e| !e.trim().is_empty()),
        triaged_by: on_call.clone(),
        ..NewEntry::default()
    };
    let base = entry_id(today, test.as_deref(), entry.error.as_deref());
    let taken: Vec<&str> = model.failures.iter().map(|f| f.id.as_str()).collect();
    let year_dir = global.data.join("triage").join(today.format("%Y").to_string());
    let (id, path) = match write_new_entry(&year_dir, &base, &taken, &entry_toml(&entry)) {
        Ok(done) => done,
        Err(e) => {
            eprintln!("error: cannot write the triage entry in {}: {e}", year_dir.display());
            return FAILED;
        }
    };

    let title = default_title(kind, test.as_deref(), entry.error.as_deref(), &conventions.infra_title_prefix);
    let input = DraftInput {
        kind,
        title,
        test: test.as_deref(),
        job: &args.job,
        date: today,
        error: entry.error.as_deref(),
        xfail_marker: &conventions.xfail_marker,
        suspects: suspects_cc,
        entry_path: format!("triage/{}/{id}.toml", today.format("%Y")),
    };
    let draft = issue::draft(&input, &model.teams);
    let url = issue::new_issue_url(&model.config.project.repository, &draft);

    let mut out = String::new();
    let _ = writeln!(out, "wrote {}", path.display());
    match &on_call {
        Some(login) => {
            let _ = writeln!(out, "triaged by @{login} (on call on {today})");
        }
        None => {
            let _ = writeln!(out, "nobody is on call on {today}: set `triaged_by` in the file");
        }
    }
    if let Some(text) = suspects_text {
        let _ = write!(out, "\nPeople who changed the test file most recently:\n{text}");
    }
    let _ = writeln!(out, "\nTitle: {}\nLabels: {}", draft.title, draft.labels.join(", "));
    if !draft.team_cc.is_empty() {
        let _ = writeln!(out, "Teams: cc {}", draft.team_cc.join(" "));
    }
    let _ = writeln!(out, "\n----- issue body -----\n{}----- end of body -----", draft.body);
    let _ = writeln!(out, "\nOpen the issue, prefilled:\n{url}");
    if url.len() > 8000 {
        let _ = writeln!(out, "(the link is long: if GitHub refuses it, paste the body above instead)");
    }
    let _ = writeln!(
        out,
        "\nThen set `issue = <number>` in {}, and open a pull request with it.",
        path.display()
    );
    print!("{out}");
    OK
}

/// `<date>-<slug>`: the test's file stem and function without their `test_`
/// prefixes (`2022-06-30-forward-empty-like`), else the error's first words.
fn entry_id(date: chrono::NaiveDate, test: Option<&str>, error: Option<&str>) -> String {
    let words = match (test, error) {
        (Some(test), _) => {
            let mut parts = test.split("::");
            let file = parts.next().unwrap_or(test);
            let stem = file.rsplit('/').next().unwrap_or(file).trim_end_matches(".py");
            let name = parts.last().unwrap_or("");
            let name = name.split('[').next().unwrap_or(name);
            let strip = |s: &str| s.strip_prefix("test_").unwrap_or(s).to_string();
            format!("{} {}", strip(stem), strip(name))
        }
        (None, Some(error)) => {
            let line = error.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
            line.split_whitespace().take(6).collect::<Vec<_>>().join(" ")
        }
        (None, None) => "ci".to_string(),
    };
    let mut slug = crate::triage::slug(&words);
    if slug.len() > 60 {
        slug.truncate(60);
        slug = slug.trim_end_matches('-').to_string();
    }
    format!("{date}-{slug}")
}

/// Writes the file under a free id (`base`, `base-2`, …): never one that
/// another entry (of any year) has, never over an existing file.
fn write_new_entry(dir: &Path, base: &str, taken: &[&str], text: &str) -> std::io::Result<(String, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    for n in 1.. {
        let id = if n == 1 { base.to_string() } else { format!("{base}-{n}") };
        if taken.contains(&id.as_str()) {
            continue;
        }
        let path = dir.join(format!("{id}.toml"));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.write_all(text.as_bytes())?;
                return Ok((id, path));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    unreachable!("some id is free")
}

/// The suspects of the file a path or node id names, in the repository at `dir`.
fn file_suspects(
    dir: &Path,
    path: &str,
    people: &[Person],
    limit: Option<usize>,
) -> Result<(PathBuf, Vec<suspects::Suspect>), crate::git::GitError> {
    let repo = suspects::open_repo(dir)?;
    if repo.is_shallow() {
        // The commits listed are real, but older authors are cut off.
        eprintln!(
            "warning: {} is a shallow clone: only authors within its history are listed (git fetch --unshallow for all)",
            dir.display()
        );
    }
    let file = suspects::repo_path(&repo, path);
    let list = suspects::suspects(&repo, &file, people, limit)?;
    Ok((file, list))
}

/// `rota suspects PATH --repo DIR`. The roster is read when the data folder
/// has one, to name people by their listed `emails`.
pub fn suspects(global: &Global, path: &str, repo: &Path, limit: Option<usize>, json: bool) -> u8 {
    let people = if global.data.join("roster.toml").is_file() {
        // Only the roster is needed: no site, runbook or schedule.
        match crate::model::Model::read(&global.data, &mut crate::diagnostics::Diagnostics::new()) {
            Some(model) => model.people,
            // Only the roster's `emails` are missed: say so and go on.
            None => {
                eprintln!(
                    "warning: the data in {} has problems (see `rota check`); logins come only from noreply addresses",
                    global.data.display()
                );
                Vec::new()
            }
        }
    } else {
        Vec::new()
    };
    match file_suspects(repo, path, &people, limit) {
        Ok((file, list)) => {
            let text =
                if json { suspects::render_json(&file, &list) } else { suspects::render_text(&file, &list) };
            print!("{text}");
            OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            FAILED
        }
    }
}

/// `rota triage disable ID --repo DIR`: marks the entry's test as expected
/// to fail in the checkout, prints the commit message and the `gh` command,
/// and records `status = "disabled"` once the entry names its PR.
pub fn disable(global: &Global, id: &str, repo: &Path) -> u8 {
    let site = match load(global) {
        Ok(site) => site,
        Err(status) => return status,
    };
    let model = &site.model;
    let Some(failure) = model.failures.iter().find(|f| f.id == id) else {
        let ids: Vec<&str> = model.failures.iter().map(|f| f.id.as_str()).collect();
        eprintln!("error: no triage entry has the id `{id}`");
        if let Some(best) = crate::load::toml::closest(id, &ids) {
            eprintln!("help: did you mean `{best}`?");
        }
        return FAILED;
    };
    let Some(test) = failure.test_name() else {
        eprintln!(
            "error: `{id}` names no test (it is a {} entry): there is nothing to disable",
            failure.kind.as_str()
        );
        return FAILED;
    };
    let Some(issue) = &failure.issue else {
        eprintln!("error: `{id}` has no issue yet; the marker links to it");
        eprintln!(
            "help: file the issue, set `issue = <number>` in {}, and run this again",
            entry_file(global, failure).display()
        );
        return FAILED;
    };
    let conventions = &model.config.triage;
    let file_part = test.split("::").next().unwrap_or(test);
    let inside = Path::new(file_part).components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if !inside {
        eprintln!(
            "error: `{file_part}` is not a path inside the repository; the test id must start with one"
        );
        return FAILED;
    }
    let file = repo.join(file_part);
    let source = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            eprintln!("help: --repo must be a checkout of {}", model.config.project.repository);
            return FAILED;
        }
    };
    let marker = conventions.xfail_marker.replace("{issue_url}", &issue.url).replace("{test}", test);
    match xfail::mark(&source, &xfail::node_parts(test), &marker) {
        Err(not_found) => {
            eprintln!("error: cannot find `{test}` in {}: {}", file.display(), not_found.message);
            if !not_found.candidates.is_empty() {
                eprintln!("help: it has {}", not_found.candidates.join(", "));
            }
            eprintln!("{} is unchanged", file.display());
            return FAILED;
        }
        Ok(Marked::AlreadyMarked { line }) => {
            println!(
                "{}:{line}: `{test}` is already marked as expected to fail; the file is unchanged",
                file.display()
            );
        }
        Ok(Marked::Added { text, line, added_import }) => {
            if let Err(e) = std::fs::write(&file, text) {
                eprintln!("error: cannot write {}: {e}", file.display());
                return FAILED;
            }
            println!("{}:{line}: marked `{test}` as expected to fail", file.display());
            if added_import {
                println!("{}: added `import pytest`", file.display());
            }
        }
    }

    let title = conventions.disable_commit_title.replace("{test}", test);
    let body = format!("See #{}", issue.number);
    println!("\nCommit message:\n\n{title}\n\n{body}\n");
    println!("Then push a branch and open the pull request:\n");
    println!(
        "gh pr create --repo {} --title {} --body {}",
        repo_slug(&model.config.project.repository),
        shell_quote(&title),
        shell_quote(&body)
    );
    println!("\n(nothing was committed or pushed)");

    let path = entry_file(global, failure);
    match (&failure.pr, failure.status.value) {
        (Some(_), Status::Disabled) => {}
        (Some(pr), _) => match set_status_disabled(&path, failure) {
            Ok(()) => println!("{}: status = \"disabled\" (PR #{})", path.display(), pr.number),
            Err(e) => {
                eprintln!("error: cannot update {}: {e}", path.display());
                return FAILED;
            }
        },
        (None, status) => println!(
            "{}: status stays \"{}\": once the PR is open, set `pr = <number>` and run this again",
            path.display(),
            status.as_str()
        ),
    }
    OK
}

fn entry_file(global: &Global, failure: &Failure) -> PathBuf {
    global.data.join(&failure.path)
}

/// Replaces the value of `status` in place, keeping the rest of the file.
fn set_status_disabled(path: &Path, failure: &Failure) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let span = failure.status.at.span.clone();
    let current = text.get(span.clone()).unwrap_or("");
    if !current.contains(failure.status.value.as_str()) {
        return Err(std::io::Error::other("the file changed since it was read"));
    }
    let updated = format!("{}\"disabled\"{}", &text[..span.start], &text[span.end..]);
    std::fs::write(path, updated)
}

/// `owner/repo` from `https://github.com/owner/repo`.
fn repo_slug(repository: &str) -> &str {
    repository.strip_prefix("https://github.com/").unwrap_or(repository)
}

/// A POSIX shell word: single quotes, with embedded ones closed and escaped.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_like_the_test_or_the_error() {
        let day = chrono::NaiveDate::from_ymd_opt(2022, 6, 30).unwrap();
        assert_eq!(
            entry_id(day, Some("tests/python/frontend/pytorch/test_forward.py::test_empty_like[x]"), None),
            "2022-06-30-forward-empty-like"
        );
        assert_eq!(
            entry_id(day, None, Some("\nOSError: [Errno 28] No space left on device: '/tmp/x'")),
            "2022-06-30-oserror-errno-28-no-space-left"
        );
        assert_eq!(entry_id(day, None, None), "2022-06-30-ci");
    }

    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
