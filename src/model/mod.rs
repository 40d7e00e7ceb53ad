//! Stage two: typed, validated data. Every problem in every file is collected
//! into [`Diagnostics`]; the model exists only when there were no errors.

pub mod calendar;
pub mod config;
pub mod config_keys;
pub mod roster;
pub mod triage;

use std::collections::BTreeMap;

use crate::diagnostics::{Diagnostic, Diagnostics, FileId};
use crate::load::DataFiles;
use crate::load::toml::{self as toml_reader, Table};

pub use config::Config;
pub use roster::{Away, Override, Person, Team};
pub use triage::Failure;

/// Everything in `data/`, checked.
#[derive(Debug, Clone)]
pub struct Model {
    pub config: Config,
    pub people: Vec<Person>,
    pub overrides: Vec<Override>,
    pub teams: Vec<Team>,
    /// Handoff notes by shift id (`2022-W26`), as Markdown.
    pub handoffs: BTreeMap<String, HandoffNote>,
    /// The triage log, newest first (by first-seen date, then id).
    pub failures: Vec<Failure>,
}

#[derive(Debug, Clone)]
pub struct HandoffNote {
    pub markdown: String,
    pub file: FileId,
}

impl Model {
    /// The roster entry for `login`; GitHub logins ignore case.
    pub fn person(&self, login: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.github.eq_ignore_ascii_case(login))
    }

    /// Reads the data folder from disk and checks the model's files only
    /// (not the runbook), for commands that need no site.
    pub fn read(dir: &std::path::Path, diags: &mut Diagnostics) -> Option<Model> {
        Model::load(&DataFiles::read(dir, diags)?, diags)
    }

    /// Reads and checks every file, adding each problem to `diags`.
    /// Returns the model only when no errors were found.
    pub fn load(files: &DataFiles, diags: &mut Diagnostics) -> Option<Model> {
        let config = with_toml(files, "config.toml", true, diags, config::read).flatten();
        let people = with_toml(files, "roster.toml", true, diags, roster::read_roster).unwrap_or_default();
        let start = config.as_ref().map(|c| c.rotation.start);
        let overrides = with_toml(files, "overrides.toml", false, diags, |t, d| {
            roster::read_overrides(t, &people, start, d)
        })
        .unwrap_or_default();
        let teams = with_toml(files, "teams.toml", false, diags, |t, d| roster::read_teams(t, &people, d))
            .unwrap_or_default();
        let handoffs = read_handoffs(files, diags);
        let repository = config.as_ref().map(|c| c.project.repository.as_str());
        let failures = triage::read_all(files, repository, diags);
        if people.is_empty() && !diags.has_errors() {
            diags.push(
                Diagnostic::error("the roster is empty")
                    .help("add a [[person]] with `github` and `since` to roster.toml"),
            );
        }
        let model = Model { config: config?, people, overrides, teams, handoffs, failures };
        check_duplicate_overrides(&model, diags);
        (!diags.has_errors()).then_some(model)
    }
}

/// Registers `name` with the diagnostics, parses it and hands its root table
/// to `read`. A missing optional file reads as nothing.
fn with_toml<T>(
    files: &DataFiles,
    name: &str,
    required: bool,
    diags: &mut Diagnostics,
    read: impl FnOnce(&mut Table<'_, '_>, &mut Diagnostics) -> T,
) -> Option<T> {
    let Some(bytes) = files.get(name) else {
        if required {
            diags.push(
                Diagnostic::error(format!("{} is missing", files.display_path(name)))
                    .help("run `rota init` to start a data folder, or pass `--data DIR`"),
            );
        }
        return None;
    };
    let (text, file) = text_file(files, name, bytes, diags)?;
    let doc = toml_reader::parse(text, file, diags)?;
    let mut root = Table::new(&doc, file, format!("`{name}`"));
    let value = read(&mut root, diags);
    root.finish(diags);
    Some(value)
}

/// Registers a file's text; a file that is not UTF-8 is an error.
pub(crate) fn text_file<'b>(
    files: &DataFiles,
    name: &str,
    bytes: &'b [u8],
    diags: &mut Diagnostics,
) -> Option<(&'b str, FileId)> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Some((text, diags.add_file(files.display_path(name), text))),
        Err(e) => {
            let file = diags.add_file(files.display_path(name), String::from_utf8_lossy(bytes));
            diags.push(
                Diagnostic::error(format!("{} is not UTF-8 text", files.display_path(name)))
                    .at(file, e.valid_up_to()..e.valid_up_to())
                    .label("invalid byte here"),
            );
            None
        }
    }
}

fn read_handoffs(files: &DataFiles, diags: &mut Diagnostics) -> BTreeMap<String, HandoffNote> {
    let mut out = BTreeMap::new();
    for (path, bytes) in files.under("handoffs/") {
        let Some((text, file)) = text_file(files, path, bytes, diags) else { continue };
        let stem = path.trim_start_matches("handoffs/");
        match stem.strip_suffix(".md").filter(|id| calendar::parse_shift_id(id).is_some()) {
            Some(id) => {
                out.insert(id.to_string(), HandoffNote { markdown: text.to_string(), file });
            }
            None => diags.push(
                Diagnostic::warning(format!("{} is not named after a shift", files.display_path(path)))
                    .in_file(file)
                    .help("name handoff notes after the shift's ISO week, such as handoffs/2022-W26.md"),
            ),
        }
    }
    out
}

fn check_duplicate_overrides(model: &Model, diags: &mut Diagnostics) {
    let shifts = calendar::ShiftCalendar::new(&model.config.rotation);
    let mut by_shift: BTreeMap<u32, &Override> = BTreeMap::new();
    for o in &model.overrides {
        let Some(index) = shifts.index_of_day(o.day) else { continue };
        if let Some(first) = by_shift.insert(index, o) {
            diags.push(
                o.at.error(format!("two overrides for the shift {}", shifts.id(index)))
                    .related(first.at.file, first.at.span.clone(), "the other one")
                    .help("keep one override per shift"),
            );
        }
    }
}

/// Builds models from TOML text, for unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    pub const CONFIG: &str = r#"
[project]
name = "Demo"
repository = "https://github.com/demo/demo"
[site]
title = "Demo CI"
base_url = "https://demo.example/ci/"
[rotation]
start = 2022-05-30
shift_weeks = 1
handoff = { weekday = "Mon", time = "09:00", timezone = "America/Los_Angeles" }
announce_weeks = 2
horizon_weeks = 12
"#;

    /// A model from a roster and overrides, with [`CONFIG`]; panics on errors.
    pub fn model(roster: &str, overrides: &str) -> Model {
        model_with(CONFIG, roster, overrides)
    }

    pub fn model_with(config: &str, roster: &str, overrides: &str) -> Model {
        let (model, diags) = try_model(config, roster, overrides);
        model.unwrap_or_else(|| panic!("{}", diags.render_human()))
    }

    pub fn try_model(config: &str, roster: &str, overrides: &str) -> (Option<Model>, Diagnostics) {
        let mut files = DataFiles::new("data");
        files.insert("config.toml", config.as_bytes().to_vec());
        files.insert("roster.toml", roster.as_bytes().to_vec());
        files.insert("overrides.toml", overrides.as_bytes().to_vec());
        let mut diags = Diagnostics::new();
        (Model::load(&files, &mut diags), diags)
    }

    /// `[[person]]` entries for logins that all join on 2022-05-30.
    pub fn people(logins: &[&str]) -> String {
        logins.iter().map(|l| format!("[[person]]\ngithub = \"{l}\"\nsince = 2022-05-30\n")).collect()
    }
}
