//! `rota suspects`: the people who most recently changed a file, from one
//! walk over the history of a checkout (or a bare repository).

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use crate::git::{Change, GitError, Repo};
use crate::model::Person;

/// One author of changes to the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suspect {
    /// The name on their newest commit.
    pub name: String,
    pub email: String,
    /// From a `users.noreply.github.com` address, or a roster entry that lists the email.
    pub github: Option<String>,
    /// Commits by them that changed the file (merges not counted).
    pub commits: usize,
    /// Author date of their newest change.
    pub last_date: DateTime<FixedOffset>,
    pub last_commit: String,
    pub last_summary: String,
}

/// Opens the repository at or above `dir`; an error when there is none.
pub fn open_repo(dir: &Path) -> Result<Repo, GitError> {
    match Repo::discover(dir)? {
        Some(repo) => Ok(repo),
        None => Err(GitError::Open { path: dir.to_owned(), message: "not inside a git repository".into() }),
    }
}

/// The file part of `path` relative to the repository: a pytest node id
/// (`file.py::test_x[param]`) names its file, and an absolute path inside
/// the work tree is made relative to it.
pub fn repo_path(repo: &Repo, path: &str) -> PathBuf {
    let file = path.split("::").next().unwrap_or(path);
    let file = Path::new(file);
    if file.is_absolute() {
        return repo.relative_to_workdir(file).unwrap_or_else(|| file.to_owned());
    }
    file.to_owned()
}

/// Authors of the commits that changed `path`, by their newest change first
/// (the order of `git log --no-merges -- PATH`), at most `limit` people.
/// Authors are told apart by email, ignoring case.
pub fn suspects(
    repo: &Repo,
    path: &Path,
    people: &[Person],
    limit: Option<usize>,
) -> Result<Vec<Suspect>, GitError> {
    let history = repo.file_history(path, None)?;
    let mut out = group(&history, people);
    if let Some(limit) = limit {
        out.truncate(limit);
    }
    Ok(out)
}

/// Groups changes (newest first) by author email, keeping the order of each
/// author's newest change.
pub fn group(history: &[Change], people: &[Person]) -> Vec<Suspect> {
    let mut out: Vec<Suspect> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for change in history {
        let key = change.author_email.to_lowercase();
        match index.get(&key) {
            Some(&i) => out[i].commits += 1,
            None => {
                index.insert(key, out.len());
                out.push(Suspect {
                    name: change.author_name.clone(),
                    email: change.author_email.clone(),
                    github: github_login(&change.author_email, people),
                    commits: 1,
                    last_date: change.date,
                    last_commit: change.commit.clone(),
                    last_summary: change.summary.clone(),
                });
            }
        }
    }
    out
}

/// The GitHub login behind an email: the roster entry that lists it in
/// `emails`, else the login in a `users.noreply.github.com` address
/// (`ID+login@…` or `login@…`).
pub fn github_login(email: &str, people: &[Person]) -> Option<String> {
    if let Some(p) = people.iter().find(|p| p.emails.iter().any(|e| e.eq_ignore_ascii_case(email))) {
        return Some(p.github.clone());
    }
    let (local, domain) = email.rsplit_once('@')?;
    if !domain.eq_ignore_ascii_case("users.noreply.github.com") {
        return None;
    }
    let login = match local.split_once('+') {
        Some((id, login)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => login,
        Some(_) => return None,
        None => local,
    };
    if !crate::model::roster::is_valid_login(login) {
        return None;
    }
    // Prefer the roster's spelling of the login.
    Some(
        people
            .iter()
            .find(|p| p.github.eq_ignore_ascii_case(login))
            .map_or_else(|| login.to_string(), |p| p.github.clone()),
    )
}

/// A plain-text table, newest first, and a `cc` line for those with a login.
pub fn render_text(path: &Path, suspects: &[Suspect]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if suspects.is_empty() {
        let _ = writeln!(out, "no commits change {} (merges are not counted)", path.display());
        return out;
    }
    let _ = writeln!(out, "{:<10}  {:>7}  who", "last", "commits");
    for s in suspects {
        let login = s.github.as_ref().map(|l| format!(" @{l}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<10}  {:>7}  {} <{}>{login}",
            s.last_date.format("%Y-%m-%d"),
            s.commits,
            s.name,
            s.email
        );
    }
    let logins = cc_logins(suspects);
    if !logins.is_empty() {
        let _ = writeln!(out, "\ncc {}", logins.join(" "));
    }
    out
}

/// `@login` for each suspect who has one, in order, once each.
pub fn cc_logins(suspects: &[Suspect]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for login in suspects.iter().filter_map(|s| s.github.as_ref()) {
        let tag = format!("@{login}");
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&tag)) {
            out.push(tag);
        }
    }
    out
}

/// The `--json` form: `{"path": …, "suspects": [{name, email, github, commits, last_date, last_commit, last_summary}]}`.
pub fn render_json(path: &Path, suspects: &[Suspect]) -> String {
    let value = serde_json::json!({
        "path": path.to_string_lossy(),
        "suspects": suspects.iter().map(|s| serde_json::json!({
            "name": s.name,
            "email": s.email,
            "github": s.github,
            "commits": s.commits,
            "last_date": s.last_date.to_rfc3339(),
            "last_commit": s.last_commit,
            "last_summary": s.last_summary,
        })).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_from_noreply_addresses_and_the_roster() {
        let model = crate::model::testing::model(
            "[[person]]\ngithub = \"Alice\"\nsince = 2022-05-30\nemails = [\"alice@example.com\"]\n",
            "",
        );
        let people = &model.people;
        assert_eq!(github_login("12345+bob@users.noreply.github.com", people).as_deref(), Some("bob"));
        assert_eq!(github_login("bob@users.noreply.github.com", people).as_deref(), Some("bob"));
        assert_eq!(github_login("ALICE@example.com", people).as_deref(), Some("Alice"));
        assert_eq!(github_login("alice@users.noreply.github.com", people).as_deref(), Some("Alice"));
        assert_eq!(github_login("x+bob@users.noreply.github.com", people), None);
        assert_eq!(github_login("bob@example.com", people), None);
        assert_eq!(github_login("-bad-@users.noreply.github.com", people), None);
    }
}
