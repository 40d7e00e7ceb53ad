//! `rota config get KEY`: values of `config.toml` by dotted key, as scripts
//! and workflows read them (`project.pinned_issue`), after defaults apply.

use super::Config;

/// Every key `rota config get` knows.
pub const KEYS: &[&str] = &[
    "project.name",
    "project.repository",
    "project.chat.name",
    "project.chat.url",
    "project.pinned_issue",
    "site.title",
    "site.base_url",
    "site.repository",
    "rotation.start",
    "rotation.shift_weeks",
    "rotation.handoff.weekday",
    "rotation.handoff.time",
    "rotation.handoff.timezone",
    "rotation.announce_weeks",
    "rotation.horizon_weeks",
    "triage.xfail_marker",
    "triage.disable_commit_title",
    "triage.infra_title_prefix",
];

/// The value at `key`: `Ok(None)` when an optional key is unset, `Err` with
/// the nearest known key when `key` is not one.
pub fn value(config: &Config, key: &str) -> Result<Option<String>, Option<&'static str>> {
    let (p, s, r, t) = (&config.project, &config.site, &config.rotation, &config.triage);
    let value = match key {
        "project.name" => Some(p.name.clone()),
        "project.repository" => Some(p.repository.clone()),
        "project.chat.name" => p.chat.as_ref().map(|c| c.name.clone()),
        "project.chat.url" => p.chat.as_ref().map(|c| c.url.clone()),
        "project.pinned_issue" => p.pinned_issue.map(|n| n.to_string()),
        "site.title" => Some(s.title.clone()),
        "site.base_url" => Some(s.base_url.clone()),
        "site.repository" => s.repository.clone(),
        "rotation.start" => Some(r.start.to_string()),
        "rotation.shift_weeks" => Some(r.shift_weeks.to_string()),
        "rotation.handoff.weekday" => Some(r.handoff.weekday.to_string()),
        "rotation.handoff.time" => Some(r.handoff.time.format("%H:%M").to_string()),
        "rotation.handoff.timezone" => Some(r.handoff.timezone.name().to_string()),
        "rotation.announce_weeks" => Some(r.announce_weeks.to_string()),
        "rotation.horizon_weeks" => Some(r.horizon_weeks.to_string()),
        "triage.xfail_marker" => Some(t.xfail_marker.clone()),
        "triage.disable_commit_title" => Some(t.disable_commit_title.clone()),
        "triage.infra_title_prefix" => Some(t.infra_title_prefix.clone()),
        _ => return Err(crate::load::toml::closest(key, KEYS)),
    };
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{model, people};

    #[test]
    fn known_keys_give_values_and_unset_ones_nothing() {
        let m = model(&people(&["a"]), "");
        for key in KEYS {
            assert!(value(&m.config, key).is_ok(), "{key}");
        }
        assert_eq!(value(&m.config, "project.name"), Ok(Some("Demo".into())));
        assert_eq!(value(&m.config, "rotation.handoff.weekday"), Ok(Some("Mon".into())));
        assert_eq!(value(&m.config, "project.pinned_issue"), Ok(None));
        assert_eq!(value(&m.config, "project.pinned_isue"), Err(Some("project.pinned_issue")));
    }
}
