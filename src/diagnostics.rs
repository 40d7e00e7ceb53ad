//! Problems found in the data, collected rather than thrown, so that one run
//! reports all of them, each at its file, line and column.

use std::fmt::Write as _;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// Index of a source file registered with [`Diagnostics::add_file`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(usize);

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Where it is: a file and, when known, the byte range of the snippet.
    pub location: Option<(FileId, Option<Range<usize>>)>,
    /// Short text under the snippet.
    pub label: String,
    /// How to fix it.
    pub help: Vec<String>,
    /// Other places that explain this one, such as the first of two duplicates.
    pub related: Vec<(FileId, Range<usize>, String)>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    fn new(severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            message: message.into(),
            location: None,
            label: String::new(),
            help: Vec::new(),
            related: Vec::new(),
        }
    }

    pub fn at(mut self, file: FileId, span: Range<usize>) -> Self {
        self.location = Some((file, Some(span)));
        self
    }

    pub fn in_file(mut self, file: FileId) -> Self {
        self.location = Some((file, None));
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn related(mut self, file: FileId, span: Range<usize>, label: impl Into<String>) -> Self {
        self.related.push((file, span, label.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }
}

/// A 1-based line and column, as editors and GitHub annotations count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

/// The source files seen so far and the problems found in them.
#[derive(Default)]
pub struct Diagnostics {
    files: SimpleFiles<String, String>,
    names: Vec<String>,
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a file under the name shown to users (`data/config.toml`).
    pub fn add_file(&mut self, name: impl Into<String>, source: impl Into<String>) -> FileId {
        let name = name.into();
        self.names.push(name.clone());
        FileId(self.files.add(name, source.into()))
    }

    pub fn file_name(&self, id: FileId) -> &str {
        &self.names[id.0]
    }

    /// The registered file named `name` or `…/name`, shortest name first, to
    /// place a problem in a file when no line is to blame.
    pub fn find_file_ending(&self, name: &str) -> Option<FileId> {
        let suffix = format!("/{name}");
        (0..self.names.len())
            .filter(|&i| self.names[i] == name || self.names[i].ends_with(&suffix))
            .min_by_key(|&i| self.names[i].len())
            .map(FileId)
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, items: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The problems in a stable order: by file, then position, errors first.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by_key(|d| {
            let (file, start) = match &d.location {
                Some((f, span)) => (Some(*f), span.as_ref().map_or(0, |s| s.start)),
                None => (None, 0),
            };
            (file, start, d.severity)
        });
        items
    }

    /// Line and column of the start of a diagnostic's span.
    pub fn line_col(&self, d: &Diagnostic) -> Option<(String, Option<LineCol>)> {
        let (file, span) = d.location.as_ref()?;
        let name = self.file_name(*file).to_string();
        let pos = span.as_ref().map(|span| {
            let source = self.files.get(file.0).expect("registered file").source();
            line_col(source, span.start)
        });
        Some((name, pos))
    }

    /// rustc-style text: the message, `--> file:line:col`, the snippet and help.
    pub fn render_human(&self) -> String {
        let config = term::Config::default();
        let mut out = String::new();
        for d in self.sorted() {
            let mut report = match d.severity {
                Severity::Error => Report::error(),
                Severity::Warning => Report::warning(),
            }
            .with_message(&d.message)
            .with_notes(d.help.iter().map(|h| format!("help: {h}")).collect());
            match &d.location {
                Some((file, Some(span))) => {
                    let mut labels = vec![Label::primary(file.0, span.clone()).with_message(&d.label)];
                    labels.extend(
                        d.related.iter().map(|(f, s, l)| Label::secondary(f.0, s.clone()).with_message(l)),
                    );
                    report = report.with_labels(labels);
                }
                Some((file, None)) => {
                    report.message = format!("{}: {}", self.file_name(*file), report.message);
                }
                None => {}
            }
            match term::emit_into_string(&config, &self.files, &report) {
                Ok(text) => out.push_str(&text),
                Err(_) => {
                    let _ = writeln!(out, "{}", d.message);
                }
            }
        }
        out
    }

    /// GitHub Actions workflow commands, one a problem, escaped per the toolkit rules.
    pub fn render_github(&self) -> String {
        self.render_github_with(&|name| name.to_string())
    }

    /// Like [`Self::render_github`], with file names passed through `path`,
    /// which makes them relative to the repository root, as GitHub needs to
    /// place an annotation on a pull request's diff.
    pub fn render_github_with(&self, path: &dyn Fn(&str) -> String) -> String {
        let mut out = String::new();
        for d in self.sorted() {
            let kind = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut props = Vec::new();
            if let Some((file, pos)) = self.line_col(d) {
                props.push(format!("file={}", escape_property(&path(&file))));
                if let Some(pos) = pos {
                    props.push(format!("line={}", pos.line));
                    props.push(format!("col={}", pos.col));
                }
            }
            let mut message = d.message.clone();
            if !d.label.is_empty() {
                message.push_str(": ");
                message.push_str(&d.label);
            }
            for help in &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let _ = writeln!(out, "::{kind} {}::{}", props.join(","), escape_data(&message));
        }
        out
    }

    /// A Markdown table of the problems, for `$GITHUB_STEP_SUMMARY`.
    pub fn render_markdown_summary(&self) -> String {
        let mut out = String::from("## rota check\n\n");
        if self.items.is_empty() {
            out.push_str("No problems found.\n");
            return out;
        }
        let _ = writeln!(
            out,
            "{} error(s), {} warning(s).\n\n| | where | problem |\n| --- | --- | --- |",
            self.error_count(),
            self.warning_count()
        );
        for d in self.sorted() {
            let icon = if d.severity == Severity::Error { "❌" } else { "⚠️" };
            let place = match self.line_col(d) {
                Some((file, Some(p))) => format!("`{file}:{}:{}`", p.line, p.col),
                Some((file, None)) => format!("`{file}`"),
                None => String::new(),
            };
            let text = d.message.replace('|', "\\|").replace('\n', " ");
            let _ = writeln!(out, "| {icon} | {place} | {text} |");
        }
        out
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> LineCol {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    LineCol { line, col }
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let src = "a = 1\nbé = x\n";
        assert_eq!(line_col(src, 0), LineCol { line: 1, col: 1 });
        assert_eq!(line_col(src, 6), LineCol { line: 2, col: 1 });
        // 'é' is two bytes but one column.
        assert_eq!(line_col(src, 11), LineCol { line: 2, col: 5 });
    }

    #[test]
    fn github_commands_escape_data_and_properties() {
        let mut diags = Diagnostics::new();
        let f = diags.add_file("data/a,b:c.toml", "x = 1\n");
        diags.push(Diagnostic::error("50% wrong\nreally").at(f, 4..5));
        let text = diags.render_github();
        assert_eq!(text, "::error file=data/a%2Cb%3Ac.toml,line=1,col=5::50%25 wrong%0Areally\n");
    }

    #[test]
    fn human_output_names_file_line_and_column() {
        let mut diags = Diagnostics::new();
        let f = diags.add_file("data/config.toml", "[rotation]\nstart = 2022-13-01\n");
        diags.push(Diagnostic::error("invalid date").at(f, 19..29).label("no month 13"));
        let text = diags.render_human();
        assert!(text.contains("data/config.toml:2:9"), "{text}");
        assert!(text.contains("no month 13"), "{text}");
    }
}
