//! The `href` and `src` attributes of raw HTML in a page, found by a small
//! scanner (not a parser: the sanitiser has the last word on the markup).

/// Replaces the value of every `href` and `src` attribute in `html` with
/// what `f` makes of it; `f` also gets the value's byte offset in `html`.
pub fn rewrite(html: &str, mut f: impl FnMut(&str, usize) -> String) -> String {
    let mut out = String::with_capacity(html.len());
    let mut done = 0;
    for (start, end) in attribute_values(html) {
        out.push_str(&html[done..start]);
        out.push_str(&f(&html[start..end], start));
        done = end;
    }
    out.push_str(&html[done..]);
    out
}

/// Byte ranges of the values of `href=` and `src=` inside tags.
fn attribute_values(html: &str) -> Vec<(usize, usize)> {
    let bytes = html.as_bytes();
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut in_tag = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => in_tag = true,
            b'>' => in_tag = false,
            b'"' | b'\'' if in_tag => {
                // Skip other attributes' quoted values whole.
                let q = bytes[i];
                i = html[i + 1..].find(q as char).map_or(bytes.len(), |n| i + 1 + n);
            }
            c if in_tag && c.is_ascii_whitespace() => {
                let rest = &lower[i + 1..];
                let name_len = ["href", "src"].iter().find(|n| rest.starts_with(*n)).map(|n| n.len());
                if let Some(n) = name_len {
                    let mut j = i + 1 + n;
                    while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
                        j += 1;
                    }
                    if bytes.get(j) == Some(&b'=') {
                        j += 1;
                        while bytes.get(j).is_some_and(u8::is_ascii_whitespace) {
                            j += 1;
                        }
                        let (start, end, next) = match bytes.get(j) {
                            Some(&q @ (b'"' | b'\'')) => {
                                let end = html[j + 1..].find(q as char).map_or(bytes.len(), |n| j + 1 + n);
                                (j + 1, end, end + 1)
                            }
                            _ => {
                                let end = html[j..]
                                    .find(|c: char| c.is_ascii_whitespace() || c == '>')
                                    .map_or(bytes.len(), |n| j + n);
                                (j, end, end)
                            }
                        };
                        out.push((start, end));
                        i = next;
                        continue;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_quoted_and_bare_values_in_tags_only() {
        let html = r#"<img alt="src=no" src="a.png" width=3> href=text <A HREF='b.md#x'>b</a> <a href=c.md>"#;
        let got = rewrite(html, |v, _| format!("[{v}]"));
        assert_eq!(
            got,
            r#"<img alt="src=no" src="[a.png]" width=3> href=text <A HREF='[b.md#x]'>b</a> <a href=[c.md]>"#
        );
    }
}
