//! Where a link in a runbook page points, decided from the link as written:
//! outside the site, to a page (and maybe one of its headings), to a copied
//! file, or nowhere, which is an error.

/// What a link destination is, before looking anything up.
#[derive(Debug, PartialEq, Eq)]
pub enum Dest<'a> {
    /// A URL with a scheme the sanitiser keeps (`https:`, `mailto:`) or a
    /// protocol-relative one: left as written.
    External,
    /// A scheme the sanitiser removes (`javascript:`, `data:`, `file:`, …).
    Refused(&'a str),
    /// `#anchor` on the same page.
    Fragment(String),
    /// A path under the runbook, resolved against the page's folder and
    /// decoded, with the fragment if any: `runbook/process/escalation.md`.
    Internal { path: String, fragment: Option<String> },
    /// A relative path that climbs out of the runbook, or a site-absolute one.
    Outside,
}

/// Classifies `dest`, a link written in the page `dir` (such as `runbook/process/`).
pub fn classify<'a>(dest: &'a str, dir: &str) -> Dest<'a> {
    if let Some(scheme) = scheme(dest) {
        return if crate::markdown::SAFE_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
            Dest::External
        } else {
            Dest::Refused(scheme)
        };
    }
    if dest.starts_with("//") {
        return Dest::External;
    }
    let (rest, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, (!f.is_empty()).then(|| percent_decode(f))),
        None => (dest, None),
    };
    // A query string means nothing for a static file; GitHub ignores it too.
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    if path.is_empty() {
        return match fragment {
            Some(f) => Dest::Fragment(f),
            None => Dest::External,
        };
    }
    if path.starts_with('/') {
        return Dest::Outside;
    }
    match normalize(&format!("{dir}{}", percent_decode(path))) {
        Some(path) if path.starts_with("runbook/") || path == "runbook" => Dest::Internal { path, fragment },
        _ => Dest::Outside,
    }
}

/// The scheme of an absolute URL (`https` in `https://…`), per RFC 3986.
fn scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
        .then_some(scheme)
}

/// Resolves `.` and `..` segments; `None` when the path climbs above the root.
/// A trailing `/` is kept, since it means a folder.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..") {
        out.push('/');
    }
    Some(out)
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Escapes what may not appear raw in a URL path or fragment.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The relative URL from the page at `from` (a folder URL such as
/// `runbook/a/b/`) to `to` (a folder URL or a file path under the site).
pub fn relative(from: &str, to: &str) -> String {
    let from: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').filter(|s| !s.is_empty()).collect();
    let common = from.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut out = "../".repeat(from.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    if to.ends_with('/') && common < to_parts.len() {
        out.push('/');
    }
    if out.is_empty() { "./".to_string() } else { percent_encode(&out) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_links() {
        let dir = "runbook/process/";
        assert_eq!(classify("https://github.com/x", dir), Dest::External);
        assert_eq!(classify("MAILTO:a@b.c", dir), Dest::External);
        assert_eq!(classify("javascript:alert(1)", dir), Dest::Refused("javascript"));
        assert_eq!(classify("data:text/html,x", dir), Dest::Refused("data"));
        assert_eq!(classify("#when-to-revert", dir), Dest::Fragment("when-to-revert".into()));
        assert_eq!(
            classify("../flaky-tests.md#disabling-the-test", dir),
            Dest::Internal {
                path: "runbook/flaky-tests.md".into(),
                fragment: Some("disabling-the-test".into())
            }
        );
        assert_eq!(
            classify("./img/a%20b.png?raw=true", dir),
            Dest::Internal { path: "runbook/process/img/a b.png".into(), fragment: None }
        );
        assert_eq!(classify("../", dir), Dest::Internal { path: "runbook/".into(), fragment: None });
        assert_eq!(classify("../../config.toml", dir), Dest::Outside);
        assert_eq!(classify("../../../x", dir), Dest::Outside);
        assert_eq!(classify("/data/runbook/x.md", dir), Dest::Outside);
    }

    #[test]
    fn relative_urls() {
        assert_eq!(relative("runbook/a/b/", "runbook/c/"), "../../c/");
        assert_eq!(relative("runbook/a/", "runbook/a/x.png"), "x.png");
        assert_eq!(relative("runbook/a/", "runbook/a/"), "./");
        assert_eq!(relative("runbook/a/b/", "runbook/a/"), "../");
        assert_eq!(relative("runbook/", "runbook/a b/"), "a%20b/");
    }
}
