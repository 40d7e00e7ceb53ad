//! `rota init`: a starter data folder that builds as it is, for a project
//! that is new to rota. Existing files are never overwritten.

use std::io;
use std::path::Path;

use chrono::{Datelike, Days, NaiveDate};

/// Writes the starter files into `dir`; returns the paths written.
pub fn starter(dir: &Path, repository: &str, today: NaiveDate) -> io::Result<Vec<String>> {
    // The rotation starts on the next Monday, so the first shift is whole.
    let days_to_monday = (7 - today.weekday().num_days_from_monday()) % 7;
    let start = today + Days::new(u64::from(days_to_monday));
    let name = repository.trim_end_matches('/').rsplit('/').next().unwrap_or("project");
    let files = [
        ("config.toml", config(repository, name, start)),
        (
            "roster.toml",
            format!(
                "# One [[person]] per GitHub login. People are never deleted: give them `until`.\n\
                 [[person]]\ngithub = \"your-login\"\nsince = {start}\n"
            ),
        ),
        (
            "overrides.toml",
            "# Manual changes to single shifts:\n# [[override]]\n# shift = 2030-01-07  # any day inside the shift\n\
             # person = \"someone\"\n# reason = \"swap\"\n"
                .to_string(),
        ),
        (
            "runbook/README.md",
            "+++\ntitle = \"Runbook\"\nweight = 0\n+++\n\nWhat the person on call does, step by step.\n".to_string(),
        ),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        let target = dir.join(path);
        if target.exists() {
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, text)?;
        written.push(path.to_string());
    }
    Ok(written)
}

fn config(repository: &str, name: &str, start: NaiveDate) -> String {
    format!(
        r#"[project]
name = "{name}"
repository = "{repository}"

[site]
title = "{name} CI Monitoring"
base_url = "https://example.github.io/{name}-ci/"

[rotation]
start = {start}
shift_weeks = 1
handoff = {{ weekday = "Mon", time = "09:00", timezone = "UTC" }}
announce_weeks = 2
horizon_weeks = 12
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_builds_and_keeps_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("roster.toml"), "# mine\n").unwrap();
        let today = NaiveDate::from_ymd_opt(2024, 3, 6).unwrap();
        let written = starter(dir.path(), "https://github.com/acme/widget", today).unwrap();
        assert!(!written.contains(&"roster.toml".to_string()));
        assert_eq!(std::fs::read_to_string(dir.path().join("roster.toml")).unwrap(), "# mine\n");
        let config = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
        assert!(config.contains("start = 2024-03-11"), "{config}");
    }
}
