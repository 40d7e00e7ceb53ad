//! The issue that `rota triage new` drafts: title, body and labels in the
//! form of the project's issue templates (`.github/ISSUE_TEMPLATE/`), the
//! `cc` line of subscribed teams, and a prefilled new-issue link.

use std::fmt::Write as _;

use chrono::NaiveDate;

use crate::model::Team;
use crate::model::triage::Kind;

/// Everything the draft is made from.
pub struct DraftInput<'a> {
    pub kind: Kind,
    pub title: String,
    pub test: Option<&'a str>,
    pub job: &'a str,
    pub date: NaiveDate,
    pub error: Option<&'a str>,
    /// The xfail marker the disabling PR will add, as configured.
    pub xfail_marker: &'a str,
    /// `@login`s from the test file's history.
    pub suspects: Vec<String>,
    /// Where the triage entry was written, for the reader of the issue.
    pub entry_path: String,
}

pub struct Draft {
    pub title: String,
    pub body: String,
    pub labels: Vec<&'static str>,
    /// `@login`s of the teams whose tag is in the title or the labels.
    pub team_cc: Vec<String>,
}

/// The labels of the matching issue template.
pub fn labels(kind: Kind) -> Vec<&'static str> {
    match kind {
        Kind::Flaky => vec!["test: flaky", "needs-triage"],
        Kind::Infra => vec!["ci", "needs-triage"],
        Kind::Regression => vec!["needs-triage"],
    }
}

pub fn draft(input: &DraftInput<'_>, teams: &[Team]) -> Draft {
    let labels = labels(input.kind);
    let team_cc = team_cc(&input.title, &labels, teams);
    let mut body = String::new();
    if let Some(test) = input.test {
        let _ = writeln!(body, "### Test\n\n`{test}`\n");
    }
    let _ = writeln!(body, "### Failing builds\n\n- {} ({})\n", input.job, input.date);
    body.push_str("### Error\n\n");
    body.push_str(&fenced(input.error.unwrap_or("")));
    body.push('\n');
    if input.kind == Kind::Infra {
        body.push_str("### Impact\n\n- [ ] every build fails (nothing can merge)\n- [ ] some builds fail; a retry passed\n\n");
    } else {
        let marker = input.xfail_marker.replace("{issue_url}", "<this issue's URL>");
        let _ = writeln!(
            body,
            "### What was done\n\n- [ ] disabled with `{marker}` in #\n- [ ] or fixed in # (for example a tolerance that was too tight)\n"
        );
        body.push_str("### People who know this test\n\n");
        if input.suspects.is_empty() {
            body.push_str("<!-- from `rota suspects PATH --repo DIR`, git log or CODEOWNERS -->\n\n");
        } else {
            let _ = writeln!(body, "cc {}\n", input.suspects.join(" "));
        }
    }
    let _ = writeln!(
        body,
        "### Triage\n\nLabels: {}",
        labels.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ")
    );
    let _ = writeln!(body, "Recorded in `{}`.", input.entry_path);
    if !team_cc.is_empty() {
        let _ = writeln!(body, "\ncc {}", team_cc.join(" "));
    }
    Draft { title: input.title.clone(), body, labels, team_cc }
}

/// A code block around `text` whose fence is longer than any run of
/// backticks inside it.
fn fenced(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let text = text.trim_end_matches(['\n', '\r']);
    if text.is_empty() { format!("{fence}\n\n{fence}\n") } else { format!("{fence}\n{text}\n{fence}\n") }
}

/// The bracketed tags at the start of a title, lower case:
/// `[Flaky Test][pytorch] x` → `["flaky test", "pytorch"]`; a group may hold
/// several tags separated by commas (`[ci, docker]`).
pub fn title_tags(title: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut rest = title.trim_start();
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(end) = inner.find(']') else { break };
        tags.extend(inner[..end].split(',').map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()));
        rest = inner[end + 1..].trim_start();
    }
    tags
}

/// `@login` of every member of a team whose tag is a title tag or a label,
/// once each, in the order of teams.toml.
pub fn team_cc(title: &str, labels: &[&str], teams: &[Team]) -> Vec<String> {
    let mut tags = title_tags(title);
    tags.extend(labels.iter().map(|l| l.to_lowercase()));
    let mut out: Vec<String> = Vec::new();
    for team in teams.iter().filter(|t| tags.contains(&t.tag)) {
        for login in &team.people {
            let tag = format!("@{login}");
            if !out.contains(&tag) {
                out.push(tag);
            }
        }
    }
    out
}

/// `REPOSITORY/issues/new?title=…&body=…&labels=…`.
pub fn new_issue_url(repository: &str, draft: &Draft) -> String {
    format!(
        "{repository}/issues/new?title={}&body={}&labels={}",
        percent_encode(&draft.title),
        percent_encode(&draft.body),
        percent_encode(&draft.labels.join(","))
    )
}

/// Percent-encodes every byte of the UTF-8 text except the unreserved
/// characters of RFC 3986, so it is safe in any part of a query.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The inverse of [`percent_encode`] (also reading `+` as a space, as HTML
/// forms do); `None` for malformed escapes or bytes that are not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips_any_text() {
        let text = "[Flaky Test] a/b.py::t[x-1] & ?=#%+ \n`code` ü 🙂";
        let encoded = percent_encode(text);
        assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)), "{encoded}");
        assert_eq!(percent_decode(&encoded).as_deref(), Some(text));
        assert_eq!(percent_encode("a b&c"), "a%20b%26c");
    }

    #[test]
    fn tags_come_from_leading_brackets_only() {
        assert_eq!(title_tags("[Flaky Test][pytorch] x.py::t[ci]"), ["flaky test", "pytorch"]);
        assert_eq!(title_tags(" [ci, Docker] disk full"), ["ci", "docker"]);
        assert!(title_tags("no tags [ci]").is_empty());
    }

    #[test]
    fn fences_outgrow_backticks_in_the_error() {
        assert_eq!(fenced("a ``` b"), "````\na ``` b\n````\n");
        assert_eq!(fenced(""), "```\n\n```\n");
    }
}
