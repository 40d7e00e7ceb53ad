//! `feed.xml` (Atom, RFC 4287) of the newest failures and `sitemap.xml` of
//! every page. Both use absolute URLs under the base URL; times come from the
//! data, never from the clock, so a rebuild changes nothing a reader sees.

use std::fmt::Write as _;

use super::Output;
use super::failures::failure_url;
use crate::html::escape as esc;
use crate::model::Model;
use crate::triage::Triage;

/// How many failures the feed carries.
pub const FEED_ENTRIES: usize = 50;

/// A `tag:` URI (RFC 4151) for a path of the site: stable as long as the
/// site's host and path stay, and unlike a plain URL it says it is a name.
/// The date is the rotation's start, which never changes.
fn tag(base_url: &str, start: chrono::NaiveDate, rest: &str) -> String {
    let without_scheme = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let (authority, path) = without_scheme.split_once('/').unwrap_or((without_scheme, ""));
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host).to_lowercase();
    format!("tag:{host},{start}:/{path}{rest}")
}

fn day(d: chrono::NaiveDate) -> String {
    format!("{d}T00:00:00Z")
}

pub fn atom(model: &Model, triage: &Triage, base_url: &str) -> String {
    let start = model.config.rotation.start;
    let prefix = &model.config.triage.infra_title_prefix;
    let entries: Vec<(&crate::model::Failure, &crate::triage::Entry)> =
        triage.entries.iter().take(FEED_ENTRIES).map(|e| (&model.failures[e.index], e)).collect();
    let updated = entries.iter().map(|(f, _)| f.last_seen()).max().unwrap_or(start);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(out, "  <id>{}</id>", esc(&tag(base_url, start, "failures/")));
    let _ = writeln!(out, "  <title>{} · failures on main</title>", esc(&model.config.site.title));
    let _ = writeln!(out, "  <updated>{}</updated>", day(updated));
    let _ = writeln!(out, "  <author><name>{}</name></author>", esc(&model.config.site.title));
    let _ = writeln!(out, "  <link rel=\"self\" href=\"{}feed.xml\"/>", esc(base_url));
    let _ =
        writeln!(out, "  <link rel=\"alternate\" type=\"text/html\" href=\"{}failures/\"/>", esc(base_url));
    for (f, e) in entries {
        let url = format!("{base_url}{}", failure_url(&f.id));
        out.push_str("  <entry>\n");
        let _ = writeln!(out, "    <id>{}</id>", esc(&tag(base_url, start, &failure_url(&f.id))));
        let _ = writeln!(out, "    <title>{}</title>", esc(&f.display_title(prefix)));
        let _ = writeln!(out, "    <published>{}</published>", day(f.date.value));
        let _ = writeln!(out, "    <updated>{}</updated>", day(f.last_seen()));
        let _ = writeln!(out, "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", esc(&url));
        // Whoever triaged it, or whoever was on call that day.
        if let Some(login) = &e.triaged_by {
            let _ = writeln!(
                out,
                "    <author><name>{}</name><uri>https://github.com/{}</uri></author>",
                esc(login),
                esc(login)
            );
        }
        let _ = writeln!(out, "    <category term=\"{}\"/>", f.kind.as_str());
        let _ = writeln!(out, "    <summary type=\"text\">{}</summary>", esc(&summary(f)));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

fn summary(f: &crate::model::Failure) -> String {
    let mut s =
        format!("{} failure first seen on {}, {}", f.kind.as_str(), f.date.value, f.status.value.as_str());
    if f.occurrences() > 1 {
        let _ = write!(s, ", seen {} times", f.occurrences());
    }
    s.push('.');
    if let Some(test) = f.test_name() {
        let _ = write!(s, " Test: {test}.");
    }
    if let Some(issue) = &f.issue {
        let _ = write!(s, " Issue: {}.", issue.url);
    }
    if let Some(pr) = &f.pr {
        let _ = write!(s, " PR: {}.", pr.url);
    }
    if let Some(error) = &f.error {
        let _ = write!(s, " Error: {error}");
    }
    s
}

/// Every HTML page of the output except the 404 page, as absolute URLs.
pub fn sitemap(out: &Output, base_url: &str) -> String {
    let mut text = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in out.paths() {
        let Some(page) = path.strip_suffix("index.html") else { continue };
        if !(page.is_empty() || page.ends_with('/')) {
            continue;
        }
        let _ = writeln!(text, "  <url><loc>{}</loc></url>", esc(&format!("{base_url}{page}")));
    }
    text.push_str("</urlset>\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_uris_name_host_and_path() {
        let d = chrono::NaiveDate::from_ymd_opt(2022, 5, 30).unwrap();
        assert_eq!(
            tag("https://example.github.io/tvm-ci/", d, "failures/a/"),
            "tag:example.github.io,2022-05-30:/tvm-ci/failures/a/"
        );
        assert_eq!(tag("http://Localhost:8000/", d, "x"), "tag:localhost,2022-05-30:/x");
    }
}
