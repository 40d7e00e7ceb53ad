//! Code highlighting at build time, for the languages a CI runbook holds:
//! shell sessions, Python, Rust, TOML, YAML, JSON, C-like languages, diffs.
//!
//! A small scanner per language family rather than a grammar engine: it
//! knows comments, strings, numbers, keywords and a few constructs per
//! language, which is what makes code readable, and it costs no JavaScript
//! and no large dependency. Tokens are `<span class="token KIND">`, styled by
//! the stylesheet in light and dark; unknown languages stay plain.

use crate::html::escape as escape_html;

/// How one language family is scanned.
struct Syntax {
    line_comments: &'static [&'static str],
    block_comment: Option<(&'static str, &'static str)>,
    quotes: &'static [char],
    triple_quotes: bool,
    keywords: &'static [&'static str],
    literals: &'static [&'static str],
    /// `@decorator` (Python, Java, Groovy).
    decorators: bool,
    /// `#[attribute]` (Rust).
    attributes: bool,
    /// `$VAR` and `${VAR}` (shells).
    variables: bool,
    /// `[table]` headers and `key =` / `key:` at the start of a line.
    tables_and_keys: bool,
}

const PLAIN: Syntax = Syntax {
    line_comments: &[],
    block_comment: None,
    quotes: &[],
    triple_quotes: false,
    keywords: &[],
    literals: &[],
    decorators: false,
    attributes: false,
    variables: false,
    tables_and_keys: false,
};

const SHELL: Syntax = Syntax {
    line_comments: &["#"],
    quotes: &['"', '\''],
    keywords: &[
        "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in",
        "function", "return", "export", "local", "set", "unset", "source", "exit",
    ],
    literals: &["true", "false"],
    variables: true,
    ..PLAIN
};

const PYTHON: Syntax = Syntax {
    line_comments: &["#"],
    quotes: &['"', '\''],
    triple_quotes: true,
    keywords: &[
        "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
        "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
        "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ],
    literals: &["True", "False", "None"],
    decorators: true,
    ..PLAIN
};

const RUST: Syntax = Syntax {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: &['"'],
    keywords: &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
        "self", "Self", "static", "struct", "super", "trait", "type", "unsafe", "use", "where", "while",
    ],
    literals: &["true", "false", "None", "Some", "Ok", "Err"],
    attributes: true,
    ..PLAIN
};

const C_LIKE: Syntax = Syntax {
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: &['"', '\''],
    keywords: &[
        "auto",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "def",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "for",
        "function",
        "if",
        "import",
        "include",
        "let",
        "namespace",
        "new",
        "private",
        "public",
        "return",
        "static",
        "struct",
        "switch",
        "template",
        "this",
        "throw",
        "try",
        "typedef",
        "var",
        "void",
        "while",
    ],
    literals: &["true", "false", "null", "nullptr", "undefined", "NULL"],
    decorators: true,
    ..PLAIN
};

const TOML: Syntax = Syntax {
    line_comments: &["#"],
    quotes: &['"', '\''],
    triple_quotes: true,
    literals: &["true", "false"],
    tables_and_keys: true,
    ..PLAIN
};

const YAML: Syntax = Syntax {
    line_comments: &["#"],
    quotes: &['"', '\''],
    literals: &["true", "false", "null", "yes", "no", "on", "off"],
    tables_and_keys: true,
    ..PLAIN
};

const JSON: Syntax = Syntax { quotes: &['"'], literals: &["true", "false", "null"], ..PLAIN };

/// The syntax for a fence's language name, if rota knows it.
fn syntax(lang: &str) -> Option<&'static Syntax> {
    Some(match lang.to_ascii_lowercase().as_str() {
        "sh" | "bash" | "shell" | "zsh" | "dockerfile" | "docker" => &SHELL,
        "py" | "python" | "python3" | "pycon" => &PYTHON,
        "rs" | "rust" => &RUST,
        "c" | "h" | "cpp" | "c++" | "cc" | "java" | "js" | "javascript" | "ts" | "typescript" | "groovy"
        | "jenkinsfile" | "go" => &C_LIKE,
        "toml" | "ini" => &TOML,
        "yaml" | "yml" => &YAML,
        "json" => &JSON,
        _ => return None,
    })
}

/// Highlighted HTML for the inside of `<code>`, or `None` for a language
/// rota does not know (the caller keeps the code plain).
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    match lang.to_ascii_lowercase().as_str() {
        "diff" | "patch" => Some(diff(code)),
        "console" | "shell-session" | "terminal" => Some(console(code)),
        _ => syntax(lang).map(|s| scan(s, code)),
    }
}

fn span(out: &mut String, kind: &str, text: &str) {
    out.push_str("<span class=\"token ");
    out.push_str(kind);
    out.push_str("\">");
    out.push_str(&escape_html(text));
    out.push_str("</span>");
}

fn diff(code: &str) -> String {
    let mut out = String::new();
    for line in code.split_inclusive('\n') {
        let kind = match line.as_bytes().first() {
            Some(b'+') if !line.starts_with("+++") => Some("inserted"),
            Some(b'-') if !line.starts_with("---") => Some("deleted"),
            Some(b'@') => Some("comment"),
            _ => None,
        };
        match kind {
            Some(k) => span(&mut out, k, line),
            None => out.push_str(&escape_html(line)),
        }
    }
    out
}

/// `$ command` lines are shell; the lines between them are output.
fn console(code: &str) -> String {
    let mut out = String::new();
    for line in code.split_inclusive('\n') {
        match line.strip_prefix("$ ") {
            Some(command) => {
                span(&mut out, "shell-symbol", "$ ");
                out.push_str(&scan(&SHELL, command));
            }
            None => span(&mut out, "output", line),
        }
    }
    out
}

fn scan(syntax: &Syntax, code: &str) -> String {
    let mut out = String::with_capacity(code.len() * 2);
    let mut plain_from = 0;
    let mut i = 0;
    let mut line_start = true;
    let bytes = code.as_bytes();
    // Flushes the plain text before a token, then writes the token.
    let emit = |out: &mut String, plain_from: &mut usize, start: usize, end: usize, kind: &str| {
        out.push_str(&escape_html(&code[*plain_from..start]));
        span(out, kind, &code[start..end]);
        *plain_from = end;
    };
    while i < code.len() {
        let rest = &code[i..];
        let c = rest.chars().next().expect("not at the end");
        let token: Option<(usize, &str)> = if let Some(len) = comment_len(syntax, rest) {
            Some((len, "comment"))
        } else if syntax.quotes.contains(&c) {
            Some((string_len(rest, c, syntax.triple_quotes), "string"))
        } else if syntax.tables_and_keys && line_start && c == '[' {
            Some((rest.find('\n').unwrap_or(rest.len()), "class-name"))
        } else if syntax.attributes && c == '#' && (rest.starts_with("#[") || rest.starts_with("#![")) {
            Some((rest.find(']').map_or(rest.len(), |e| e + 1), "attr-name"))
        } else if syntax.decorators && c == '@' && line_start {
            Some((1 + word_len(&rest[1..], true), "function"))
        } else if syntax.variables && c == '$' && rest.len() > 1 {
            let len = if rest.starts_with("${") {
                rest.find('}').map_or(rest.len(), |e| e + 1)
            } else {
                1 + word_len(&rest[1..], false)
            };
            (len > 1).then_some((len, "variable"))
        } else if c.is_ascii_digit() && !prev_is_word(bytes, i) && is_number(&rest[..number_len(rest)]) {
            Some((number_len(rest), "number"))
        } else if c.is_alphabetic() || c == '_' {
            let len = word_len(rest, false);
            let word = &rest[..len];
            let after = rest[len..].trim_start_matches([' ', '\t']);
            let kind =
                if syntax.tables_and_keys && line_start && (after.starts_with('=') || after.starts_with(':'))
                {
                    Some("property")
                } else if syntax.keywords.contains(&word) {
                    Some("keyword")
                } else if syntax.literals.contains(&word) {
                    Some("boolean")
                } else if after.starts_with('(') && !syntax.keywords.is_empty() {
                    Some("function")
                } else {
                    None
                };
            match kind {
                Some(k) => Some((len, k)),
                None => {
                    // A plain word: skip it whole so its digits are not numbers.
                    i += len;
                    line_start = false;
                    continue;
                }
            }
        } else {
            None
        };
        match token {
            Some((len, kind)) => {
                let end = (i + len.max(1)).min(code.len());
                let end = (end..=code.len()).find(|e| code.is_char_boundary(*e)).unwrap_or(code.len());
                emit(&mut out, &mut plain_from, i, end, kind);
                line_start = code[i..end].ends_with('\n');
                i = end;
            }
            None => {
                if c == '\n' {
                    line_start = true;
                } else if !(c.is_whitespace() || (syntax.tables_and_keys && c == '-')) {
                    // A YAML list dash keeps the line's key a key.
                    line_start = false;
                }
                i += c.len_utf8();
            }
        }
    }
    out.push_str(&escape_html(&code[plain_from..]));
    out
}

fn comment_len(syntax: &Syntax, rest: &str) -> Option<usize> {
    if let Some((open, close)) = syntax.block_comment
        && rest.starts_with(open)
    {
        return Some(rest[open.len()..].find(close).map_or(rest.len(), |e| open.len() + e + close.len()));
    }
    syntax
        .line_comments
        .iter()
        .any(|c| rest.starts_with(c) && !rest.starts_with("#!["))
        .then(|| rest.find('\n').unwrap_or(rest.len()))
}

fn string_len(rest: &str, quote: char, triple: bool) -> usize {
    let triple_quote: String = std::iter::repeat_n(quote, 3).collect();
    if triple && rest.starts_with(&triple_quote) {
        return rest[3..].find(&triple_quote).map_or(rest.len(), |e| e + 6);
    }
    let mut escaped = false;
    for (j, ch) in rest.char_indices().skip(1) {
        match ch {
            '\\' if quote != '\'' || !escaped => escaped = !escaped,
            '\n' => return j,
            ch if ch == quote && !escaped => return j + ch.len_utf8(),
            _ => escaped = false,
        }
    }
    rest.len()
}

fn word_len(s: &str, dotted: bool) -> usize {
    s.char_indices()
        .find(|(_, ch)| !(ch.is_alphanumeric() || *ch == '_' || (dotted && *ch == '.')))
        .map_or(s.len(), |(j, _)| j)
}

fn number_len(s: &str) -> usize {
    s.char_indices()
        .find(|(_, ch)| !(ch.is_ascii_alphanumeric() || *ch == '_' || *ch == '.' || *ch == ':' || *ch == '-'))
        .map_or(s.len(), |(j, _)| j)
}

/// Part of a word, a path or a URL: `v2`, `job/3713`, `a.1`.
fn prev_is_word(bytes: &[u8], i: usize) -> bool {
    i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || matches!(bytes[i - 1], b'_' | b'/' | b'.' | b'-'))
}

/// Digits with at most an exponent, a radix or hex digits: `1e-5`, `0x1F`,
/// `2022-05-30`, but not an id such as `2022-06-30-pytorch`.
fn is_number(token: &str) -> bool {
    let hex = token.starts_with("0x") || token.starts_with("0X");
    token
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .all(|c| matches!(c, 'e' | 'E' | 'x' | 'X' | 'o' | 'b') || (hex && c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_decorators_strings_keywords_and_comments() {
        let html = highlight(
            "python",
            "@pytest.mark.xfail(strict=False)\ndef test_x():  # flaky\n    assert f(\"a<b\") == 1e-5\n",
        )
        .unwrap();
        assert!(html.contains(r#"<span class="token function">@pytest.mark.xfail</span>"#), "{html}");
        assert!(html.contains(r#"<span class="token boolean">False</span>"#), "{html}");
        assert!(html.contains(r#"<span class="token keyword">def</span>"#), "{html}");
        assert!(html.contains(r#"<span class="token comment"># flaky</span>"#), "{html}");
        assert!(html.contains(r#"<span class="token string">&quot;a&lt;b&quot;</span>"#), "{html}");
        assert!(html.contains(r#"<span class="token number">1e-5</span>"#), "{html}");
    }

    #[test]
    fn toml_tables_keys_and_dates() {
        let html = highlight("toml", "[[person]]\ngithub = \"x\"\nsince = 2022-05-30\n").unwrap();
        assert!(html.contains(r#"<span class="token class-name">[[person]]</span>"#), "{html}");
        assert!(html.contains(r#"<span class="token property">github</span>"#), "{html}");
        assert!(html.contains(r#"<span class="token number">2022-05-30</span>"#), "{html}");
    }

    #[test]
    fn console_sessions_separate_commands_from_output() {
        let html = highlight("console", "$ git log -- $FILE\nabc123 fix\n").unwrap();
        assert!(html.contains(r#"<span class="token shell-symbol">$ </span>"#), "{html}");
        assert!(html.contains(r#"<span class="token variable">$FILE</span>"#), "{html}");
        assert!(html.contains(r#"<span class="token output">abc123 fix"#), "{html}");
    }

    #[test]
    fn words_with_digits_are_not_numbers_and_unknown_languages_stay_plain() {
        for code in ["let x1 = v2;", "curl https://ci/job/3713/", "disable 2022-06-30-pytorch-like"] {
            let html = highlight("sh", code).unwrap();
            assert!(!html.contains("number"), "{html}");
        }
        assert!(highlight("python", "x = 0x1F + 2").unwrap().matches("number").count() == 2);
        assert_eq!(highlight("brainfuck", "+++"), None);
    }

    #[test]
    fn any_text_round_trips_to_the_same_characters() {
        let samples = ["\"unterminated", "/* open", "é€𝄞 \"x\" 'y", "$", "@", "#[", "r#\"raw\"#", "'''a"];
        for lang in ["python", "rust", "sh", "toml", "yaml", "json", "c", "diff", "console"] {
            for s in samples {
                let html = highlight(lang, s).unwrap();
                let text =
                    strip_tags(&html).replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<");
                assert_eq!(text.replace("&gt;", ">").replace("&amp;", "&"), s, "{lang}: {html}");
            }
        }
    }

    fn strip_tags(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }
}
