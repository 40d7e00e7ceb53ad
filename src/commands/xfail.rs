//! Marking a pytest test as expected to fail: finds the function a node id
//! names in a Python file and adds the project's marker above its
//! decorators, with `import pytest` when the file lacks it.
//!
//! Python is read line by line with just enough lexing (strings, comments,
//! brackets, backslash continuations) to know where each statement starts,
//! so multi-line decorators and docstrings do not confuse the search.

/// What marking did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marked {
    /// The new file text; `line` is the 1-based line of the added marker.
    Added { text: String, line: usize, added_import: bool },
    /// The test already carries the marker (1-based line of the existing one).
    AlreadyMarked { line: usize },
}

/// Why a test could not be marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound {
    pub message: String,
    /// Test functions and classes that do exist, for a hint.
    pub candidates: Vec<String>,
}

/// One statement's first line.
#[derive(Debug, Clone)]
struct Logical {
    /// 0-based physical line.
    line: usize,
    indent: usize,
    text: String,
}

/// The parts of a node id after the file: `file.py::Class::test_x[p]` →
/// `["Class", "test_x"]` (parameters dropped: they share one function).
pub fn node_parts(node_id: &str) -> Vec<String> {
    let without_params = node_id.split('[').next().unwrap_or(node_id);
    without_params.split("::").skip(1).map(str::to_string).collect()
}

/// Adds `marker` (one line, without indentation) above the test `parts`
/// names in `source`.
pub fn mark(source: &str, parts: &[String], marker: &str) -> Result<Marked, NotFound> {
    let newline = if source.contains("\r\n") { "\r\n" } else { "\n" };
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let logical = logical_lines(&lines);
    if parts.is_empty() {
        return Err(NotFound {
            message: "the test id names no function (expected file.py::test_name)".into(),
            candidates: Vec::new(),
        });
    }

    let marker_name = marker.split('(').next().unwrap_or(marker).trim();
    let has_marker = |found: &Found| {
        logical[found.first..found.def]
            .iter()
            .find(|d| d.text.split('(').next().unwrap_or(&d.text).trim() == marker_name)
    };

    // Walk down the classes to the function.
    let mut range = 0..logical.len();
    let mut parent_indent: Option<usize> = None;
    let mut found = None;
    for (depth, name) in parts.iter().enumerate() {
        let is_last = depth + 1 == parts.len();
        let Some(def) = find_child(&logical, range.clone(), parent_indent, name, is_last) else {
            let scope =
                if depth == 0 { "the file".to_string() } else { format!("class {}", parts[depth - 1]) };
            return Err(NotFound {
                message: format!("no {} `{name}` in {scope}", if is_last { "function" } else { "class" }),
                candidates: children(&logical, range, parent_indent),
            });
        };
        if let Some(existing) = has_marker(&def) {
            // On the test, or on a class around it (which marks every method).
            return Ok(Marked::AlreadyMarked { line: existing.line + 1 });
        }
        if is_last {
            found = Some(def);
        } else {
            let class = &logical[def.def];
            let end = (def.def + 1..logical.len())
                .find(|&i| logical[i].indent <= class.indent)
                .unwrap_or(logical.len());
            range = def.def + 1..end;
            parent_indent = Some(class.indent);
        }
    }
    let def = found.expect("the loop ends on the last part");

    let def_line = lines[logical[def.def].line];
    let indent: String = def_line.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let insert_at = logical[def.first].line;
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out.insert(insert_at, format!("{indent}{marker}{newline}"));
    let mut marker_line = insert_at + 1;

    let added_import = marker.contains("pytest.") && !imports_pytest(&logical);
    if added_import {
        let at = import_position(&logical, lines.len()).min(insert_at);
        // A file without a final newline gets one before the import line.
        if at == lines.len() && at > 0 && !out[at - 1].ends_with('\n') {
            out[at - 1].push_str(newline);
        }
        out.insert(at, format!("import pytest{newline}"));
        marker_line += 1;
    }
    Ok(Marked::Added { text: out.concat(), line: marker_line, added_import })
}

struct Found {
    /// Index in the logical lines of the first decorator (or the def).
    first: usize,
    /// Index of the `def`/`class` line.
    def: usize,
}

/// The last definition of `name` directly inside `range` (the body of a
/// class, or the whole file), with its decorators.
fn find_child(
    logical: &[Logical],
    range: std::ops::Range<usize>,
    parent_indent: Option<usize>,
    name: &str,
    function: bool,
) -> Option<Found> {
    let child_indent = logical.get(range.start).filter(|_| !range.is_empty()).map(|l| l.indent)?;
    if parent_indent.is_some_and(|p| child_indent <= p) {
        return None;
    }
    let mut decorators: Option<usize> = None;
    let mut found = None;
    for i in range {
        let l = &logical[i];
        if l.indent != child_indent {
            continue;
        }
        if l.text.starts_with('@') {
            decorators.get_or_insert(i);
            continue;
        }
        if let Some((kind, n)) = definition(&l.text)
            && n == name
            && (kind == "def") == function
        {
            found = Some(Found { first: decorators.unwrap_or(i), def: i });
        }
        decorators = None;
    }
    found
}

/// Names of the functions and classes directly inside `range`.
fn children(logical: &[Logical], range: std::ops::Range<usize>, parent_indent: Option<usize>) -> Vec<String> {
    let Some(child_indent) = logical.get(range.start).filter(|_| !range.is_empty()).map(|l| l.indent) else {
        return Vec::new();
    };
    if parent_indent.is_some_and(|p| child_indent <= p) {
        return Vec::new();
    }
    logical[range]
        .iter()
        .filter(|l| l.indent == child_indent)
        .filter_map(|l| definition(&l.text).map(|(_, n)| n.to_string()))
        .collect()
}

/// `def name(`, `async def name(` or `class name` → (kind, name).
fn definition(text: &str) -> Option<(&'static str, &str)> {
    let (kind, rest) = if let Some(rest) = text.strip_prefix("async def ") {
        ("def", rest)
    } else if let Some(rest) = text.strip_prefix("def ") {
        ("def", rest)
    } else if let Some(rest) = text.strip_prefix("class ") {
        ("class", rest)
    } else {
        return None;
    };
    let rest = rest.trim_start();
    let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    (end > 0).then(|| (kind, &rest[..end]))
}

fn imports_pytest(logical: &[Logical]) -> bool {
    logical.iter().filter(|l| l.indent == 0).any(|l| {
        let Some(names) = l.text.strip_prefix("import ") else { return false };
        names.split(',').any(|n| n.split_whitespace().next() == Some("pytest") && !n.contains(" as "))
    })
}

/// Where a new import goes: before the first top-level statement that is
/// not the module docstring or a `from __future__` import.
fn import_position(logical: &[Logical], end: usize) -> usize {
    logical
        .iter()
        .enumerate()
        .find(|(i, l)| {
            l.indent == 0
                && !l.text.starts_with("from __future__")
                && !(*i == 0 && (l.text.starts_with('"') || l.text.starts_with('\'')))
        })
        .map_or(end, |(_, l)| l.line)
}

/// The first physical line of every statement, with its indentation.
/// Blank lines, comment-only lines, continuation lines inside brackets or
/// after a backslash, and lines inside triple-quoted strings are skipped.
fn logical_lines(lines: &[&str]) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut depth: i32 = 0;
    let mut triple: Option<&str> = None;
    let mut continued = false;
    for (n, line) in lines.iter().enumerate() {
        let starts_statement = depth == 0 && triple.is_none() && !continued;
        let body = line.trim_end_matches(['\n', '\r']);
        let body = if n == 0 { body.trim_start_matches('\u{feff}') } else { body };
        let trimmed = body.trim_start();
        if starts_statement && !trimmed.is_empty() && !trimmed.starts_with('#') {
            let indent = body.len() - trimmed.len();
            out.push(Logical { line: n, indent, text: trimmed.to_string() });
        }
        continued = scan(body, &mut depth, &mut triple);
    }
    out
}

/// Lexes one line, updating the bracket depth and open triple-quoted
/// string; returns whether it ends with a backslash continuation.
fn scan(line: &str, depth: &mut i32, triple: &mut Option<&'static str>) -> bool {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(close) = *triple {
            match line[i..].find(close) {
                Some(at) if !escaped(bytes, i + at) => {
                    i += at + 3;
                    *triple = None;
                }
                Some(at) => i += at + 1,
                None => return false,
            }
            continue;
        }
        match bytes[i] {
            b'#' => return false,
            b'(' | b'[' | b'{' => *depth += 1,
            b')' | b']' | b'}' => *depth = (*depth - 1).max(0),
            q @ (b'"' | b'\'') => {
                let three = if q == b'"' { "\"\"\"" } else { "'''" };
                if line[i..].starts_with(three) {
                    *triple = Some(three);
                    i += 3;
                    continue;
                }
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\\' if i + 1 == bytes.len() => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// Whether the byte at `at` follows an odd number of backslashes.
fn escaped(bytes: &[u8], at: usize) -> bool {
    bytes[..at].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARKER: &str = r#"@pytest.mark.xfail(strict=False, reason="Flaky test: https://x/issues/1")"#;

    fn added(source: &str, node: &str) -> String {
        match mark(source, &node_parts(node), MARKER) {
            Ok(Marked::Added { text, .. }) => text,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn node_ids_drop_the_file_and_parameters() {
        assert_eq!(node_parts("a/b.py::test_x[1-2::3]"), ["test_x"]);
        assert_eq!(node_parts("a.py::TestA::test_m"), ["TestA", "test_m"]);
        assert!(node_parts("a.py").is_empty());
    }

    #[test]
    fn decorators_spanning_lines_and_docstrings_are_skipped() {
        let src = "\"\"\"Doc.\ndef test_x():\n\"\"\"\nimport os\n\n@pytest.mark.parametrize(\n    \"a\",\n    [1, 2],\n)\n@other\ndef test_x(a):\n    s = '''\ndef test_x():\n'''\n";
        let out = added(src, "t.py::test_x[1]");
        let expected = "\"\"\"Doc.\ndef test_x():\n\"\"\"\nimport pytest\nimport os\n\n".to_string()
            + MARKER
            + "\n@pytest.mark.parametrize(\n    \"a\",\n    [1, 2],\n)\n@other\ndef test_x(a):\n    s = '''\ndef test_x():\n'''\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn methods_keep_their_indentation_and_crlf() {
        let src = "import pytest\r\nclass TestA:\r\n\tdef test_m(self):\r\n\t\tpass\r\n\r\ndef test_m():\r\n    pass\r\n";
        let out = added(src, "t.py::TestA::test_m");
        assert_eq!(
            out,
            format!(
                "import pytest\r\nclass TestA:\r\n\t{MARKER}\r\n\tdef test_m(self):\r\n\t\tpass\r\n\r\ndef test_m():\r\n    pass\r\n"
            )
        );
    }

    #[test]
    fn an_existing_marker_is_left_alone() {
        let src = "import pytest\n\n@pytest.mark.xfail\ndef test_x():\n    pass\n";
        assert_eq!(mark(src, &node_parts("t.py::test_x"), MARKER), Ok(Marked::AlreadyMarked { line: 3 }));
    }

    #[test]
    fn a_marked_class_marks_its_methods_and_a_bom_is_not_indentation() {
        let src = "\u{feff}import pytest\n\n@pytest.mark.xfail(reason=\"x\")\nclass TestA:\n    def test_m(self):\n        pass\n";
        assert_eq!(
            mark(src, &node_parts("t.py::TestA::test_m"), MARKER),
            Ok(Marked::AlreadyMarked { line: 3 })
        );
        let src = "\u{feff}import pytest\ndef test_x():\n    pass\n";
        assert_eq!(
            added(src, "t.py::test_x"),
            format!("\u{feff}import pytest\n{MARKER}\ndef test_x():\n    pass\n")
        );
    }

    #[test]
    fn missing_tests_name_what_exists() {
        let src = "class TestA:\n    def test_m(self):\n        pass\n\ndef test_y():\n    pass\n";
        let err = mark(src, &node_parts("t.py::TestA::test_z"), MARKER).unwrap_err();
        assert_eq!(err.message, "no function `test_z` in class TestA");
        assert_eq!(err.candidates, ["test_m"]);
        let err = mark(src, &node_parts("t.py::TestB::test_m"), MARKER).unwrap_err();
        assert_eq!(err.candidates, ["TestA", "test_y"]);
        // A method is not a top-level function.
        assert!(mark(src, &node_parts("t.py::test_m"), MARKER).is_err());
    }

    const PIECES: &[&str] = &[
        "def ",
        "class ",
        "async def ",
        "test_x",
        "C",
        "(",
        ")",
        "[",
        "]",
        ":",
        "\n",
        "\r\n",
        "    ",
        "\t",
        "@",
        "pytest.mark.xfail",
        "import pytest",
        "\"",
        "'",
        "\"\"\"",
        "'\'\'",
        "#",
        "\\",
        "\u{e9}",
        "\u{feff}",
        "x = 1",
    ];

    proptest::proptest! {
        #[test]
        fn never_panics(pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..60)) {
            let source = pieces.concat();
            for parts in [vec!["test_x".to_string()], vec!["C".to_string(), "test_x".to_string()]] {
                if let Ok(Marked::Added { text, line, .. }) = mark(&source, &parts, MARKER) {
                    proptest::prop_assert!(text.lines().nth(line - 1).is_some_and(|l| l.trim() == MARKER));
                }
            }
        }
    }
}
