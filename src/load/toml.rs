//! A typed reader over a span-preserving TOML tree. Each getter checks one
//! key and records a located diagnostic instead of stopping, and `finish`
//! reports the keys nobody asked for, so a file shows all its problems at once.

use std::ops::Range;

use chrono::NaiveDate;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostics::{Diagnostic, Diagnostics, FileId};

/// A value with the file and byte range it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub at: Loc,
}

/// A place in a data file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: FileId,
    pub span: Range<usize>,
}

impl Loc {
    pub fn error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(message).at(self.file, self.span.clone())
    }

    pub fn warning(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(message).at(self.file, self.span.clone())
    }
}

/// Where each key was first seen, so that a duplicate is reported at both places.
pub struct FirstSeen<K>(std::collections::HashMap<K, Loc>);

impl<K: std::hash::Hash + Eq> FirstSeen<K> {
    pub fn new() -> Self {
        FirstSeen(std::collections::HashMap::new())
    }

    /// Records `key` at `at`; if it was seen before, returns a diagnostic
    /// pointing at the first place, to be completed by the caller.
    pub fn duplicate(
        &mut self,
        key: K,
        at: &Loc,
        message: impl Into<String>,
        first: &str,
    ) -> Option<Diagnostic> {
        match self.0.get(&key) {
            Some(seen) => Some(at.error(message).related(seen.file, seen.span.clone(), first)),
            None => {
                self.0.insert(key, at.clone());
                None
            }
        }
    }
}

impl<K: std::hash::Hash + Eq> Default for FirstSeen<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> std::ops::Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Parses a TOML document, recording every syntax error. Returns `None` when
/// the text is not TOML at all; a partly broken document still yields a tree.
pub fn parse<'i>(text: &'i str, file: FileId, diags: &mut Diagnostics) -> Option<Spanned<DeTable<'i>>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    let ok = errors.is_empty();
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        diags.push(
            Diagnostic::error(format!("invalid TOML: {}", e.message().trim_end()))
                .at(file, span)
                .label("here"),
        );
    }
    if ok { Some(table) } else { None }
}

/// Reads the keys of one TOML table, remembering which were asked for.
pub struct Table<'a, 'i> {
    table: &'a DeTable<'i>,
    span: Range<usize>,
    file: FileId,
    /// Names this table in messages: `[rotation]`, `[[person]]`.
    what: String,
    known: Vec<&'static str>,
}

impl<'a, 'i> Table<'a, 'i> {
    pub fn new(table: &'a Spanned<DeTable<'i>>, file: FileId, what: impl Into<String>) -> Self {
        Table { table: table.get_ref(), span: table.span(), file, what: what.into(), known: Vec::new() }
    }

    pub fn loc(&self) -> Loc {
        Loc { file: self.file, span: self.span.clone() }
    }

    pub fn file(&self) -> FileId {
        self.file
    }

    /// The raw value of `key`, if present.
    pub fn raw(&mut self, key: &'static str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.known.push(key);
        self.table.get(key)
    }

    fn located<T>(&self, value: T, span: Range<usize>) -> Located<T> {
        Located { value, at: Loc { file: self.file, span } }
    }

    fn wrong_type(&self, key: &str, expected: &str, v: &Spanned<DeValue<'_>>, diags: &mut Diagnostics) {
        diags.push(self.type_error(key, expected, v));
    }

    fn type_error(&self, key: &str, expected: &str, v: &Spanned<DeValue<'_>>) -> Diagnostic {
        Diagnostic::error(format!(
            "`{key}` in {} must be {expected}, not {}",
            self.what,
            article(v.get_ref().type_str())
        ))
        .at(self.file, v.span())
        .label(format!("expected {expected}"))
    }

    fn missing(&self, key: &str, expected: &str, diags: &mut Diagnostics) {
        diags.push(
            Diagnostic::error(format!("{} is missing `{key}`", self.what))
                .at(self.file, self.header_span())
                .label(format!("`{key}` ({expected}) is required here")),
        );
    }

    /// Points at the first line of the table, which reads better than the whole table.
    fn header_span(&self) -> Range<usize> {
        self.span.start..self.span.start
    }

    pub fn string(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Located<String>> {
        let v = self.raw(key)?;
        match v.get_ref().as_str() {
            Some(s) => Some(self.located(s.to_string(), v.span())),
            None => {
                self.wrong_type(key, "a string", v, diags);
                None
            }
        }
    }

    pub fn required_string(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Located<String>> {
        if self.table.get(key).is_none() {
            self.known.push(key);
            self.missing(key, "a string", diags);
            return None;
        }
        self.string(key, diags)
    }

    pub fn integer(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Located<i64>> {
        let v = self.raw(key)?;
        let parsed = v.get_ref().as_integer().and_then(|i| {
            let digits = i.as_str().replace('_', "");
            let digits = digits.trim_start_matches("0x").trim_start_matches("0o").trim_start_matches("0b");
            i64::from_str_radix(digits, i.radix()).ok()
        });
        match parsed {
            Some(n) => Some(self.located(n, v.span())),
            None => {
                self.wrong_type(key, "an integer", v, diags);
                None
            }
        }
    }

    /// A positive whole number, such as a count of weeks.
    pub fn positive(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Located<u32>> {
        let n = self.integer(key, diags)?;
        match u32::try_from(n.value) {
            Ok(v) if v > 0 && v <= 10_000 => Some(Located { value: v, at: n.at }),
            _ => {
                diags.push(
                    n.at.error(format!("`{key}` must be a whole number from 1 to 10000"))
                        .label("out of range"),
                );
                None
            }
        }
    }

    pub fn boolean(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Located<bool>> {
        let v = self.raw(key)?;
        match v.get_ref().as_bool() {
            Some(b) => Some(self.located(b, v.span())),
            None => {
                self.wrong_type(key, "true or false", v, diags);
                None
            }
        }
    }

    /// A TOML local date (`2022-06-06`); a time or offset is an error.
    pub fn date(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Located<NaiveDate>> {
        let v = self.raw(key)?;
        let date = v.get_ref().as_datetime().and_then(|dt| match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()),
            _ => None,
        });
        match date {
            Some(d) => Some(self.located(d, v.span())),
            None => {
                let hint = if v.get_ref().is_str() {
                    "write the date without quotes, as a TOML date: 2022-06-06"
                } else {
                    "a date is written YYYY-MM-DD, without a time"
                };
                diags.push(self.type_error(key, "a date", v).help(hint));
                None
            }
        }
    }

    pub fn required_date(
        &mut self,
        key: &'static str,
        diags: &mut Diagnostics,
    ) -> Option<Located<NaiveDate>> {
        if self.table.get(key).is_none() {
            self.known.push(key);
            self.missing(key, "a date", diags);
            return None;
        }
        self.date(key, diags)
    }

    /// A sub-table, written either as `[a.b]` or inline as `b = { … }`.
    pub fn table(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Table<'a, 'i>> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::Table(t) => Some(Table {
                table: t,
                span: v.span(),
                file: self.file,
                what: format!("`{key}`"),
                known: Vec::new(),
            }),
            _ => {
                self.wrong_type(key, "a table", v, diags);
                None
            }
        }
    }

    pub fn required_table(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Table<'a, 'i>> {
        if self.table.get(key).is_none() {
            self.known.push(key);
            self.missing(key, "a table", diags);
            return None;
        }
        self.table(key, diags)
    }

    /// An array of tables: `[[key]]` sections or an inline array of `{ … }`.
    pub fn tables(&mut self, key: &'static str, diags: &mut Diagnostics) -> Vec<Table<'a, 'i>> {
        let Some(v) = self.raw(key) else { return Vec::new() };
        let Some(items) = v.get_ref().as_array() else {
            self.wrong_type(key, "an array of tables", v, diags);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(t) => out.push(Table {
                    table: t,
                    span: item.span(),
                    file: self.file,
                    what: format!("`{key}` entry"),
                    known: Vec::new(),
                }),
                _ => self.wrong_type(key, "an array of tables", item, diags),
            }
        }
        out
    }

    pub fn strings(&mut self, key: &'static str, diags: &mut Diagnostics) -> Vec<Located<String>> {
        let Some(v) = self.raw(key) else { return Vec::new() };
        let Some(items) = v.get_ref().as_array() else {
            self.wrong_type(key, "an array of strings", v, diags);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref().as_str() {
                Some(s) => out.push(self.located(s.to_string(), item.span())),
                None => self.wrong_type(key, "an array of strings", item, diags),
            }
        }
        out
    }

    /// Reports every key that no getter asked for, with a suggestion.
    pub fn finish(self, diags: &mut Diagnostics) {
        for (key, _) in self.table.iter() {
            let name: &str = key.get_ref();
            if self.known.contains(&name) {
                continue;
            }
            let mut d = Diagnostic::error(format!("unknown key `{name}` in {}", self.what))
                .at(self.file, key.span())
                .label("not a key rota knows");
            if let Some(best) = closest(name, &self.known) {
                d = d.help(format!("did you mean `{best}`?"));
            }
            let mut known = self.known.clone();
            known.sort_unstable();
            known.dedup();
            d = d.help(format!("expected one of: {}", known.join(", ")));
            diags.push(d);
        }
    }
}

fn article(type_str: &str) -> String {
    match type_str.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {type_str}"),
        _ => format!("a {type_str}"),
    }
}

/// The known key nearest to a misspelt one, if any is near enough.
pub fn closest<'k>(word: &str, candidates: &[&'k str]) -> Option<&'k str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, f: impl FnOnce(&mut Table<'_, '_>, &mut Diagnostics)) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let file = diags.add_file("t.toml", text);
        if let Some(doc) = parse(text, file, &mut diags) {
            let mut t = Table::new(&doc, file, "the file");
            f(&mut t, &mut diags);
            t.finish(&mut diags);
        }
        diags
    }

    #[test]
    fn reports_every_unknown_key_with_a_suggestion() {
        let diags = read("nmae = 1\nsicne = 2022-01-01\n", |t, d| {
            t.string("name", d);
            t.date("since", d);
        });
        let text = diags.render_human();
        assert_eq!(diags.error_count(), 2, "{text}");
        assert!(text.contains("t.toml:1:1"), "{text}");
        assert!(text.contains("did you mean `name`?"), "{text}");
        assert!(text.contains("t.toml:2:1"), "{text}");
        assert!(text.contains("did you mean `since`?"), "{text}");
    }

    #[test]
    fn type_errors_point_at_the_value() {
        let diags = read("since = \"2022-01-01\"\n", |t, d| {
            t.date("since", d);
        });
        let text = diags.render_human();
        assert!(text.contains("t.toml:1:9"), "{text}");
        assert!(text.contains("must be a date, not a string"), "{text}");
    }

    #[test]
    fn syntax_errors_are_located() {
        let diags = read("a = 1\nb = \n", |_, _| {});
        assert!(diags.has_errors());
        assert!(diags.render_human().contains("t.toml:2:"), "{}", diags.render_human());
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(closest("timezon", &["timezone", "time"]), Some("timezone"));
        assert_eq!(closest("zzzzzz", &["name", "github"]), None);
    }
}
