//! Tera templates and static assets: the defaults are compiled into the
//! binary, and a `templates/` folder may replace any of them by name.

use std::path::Path;

use tera::{Context, Tera};

use crate::diagnostics::Diagnostic;

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

/// Templates rendered with Tera.
const TEMPLATES: &[(&str, &str)] = embedded!(
    "base.html",
    "macros.html",
    "index.html",
    "schedule.html",
    "person.html",
    "shift.html",
    "404.html",
    "triage_macros.html",
    "failures.html",
    "failure.html",
    "test.html",
    "shift_failures.html",
    "tests.html",
    "runbook.html",
);

/// Files copied as they are.
const STATIC: &[(&str, &str)] = embedded!(
    "static/style.css",
    "static/rota.js",
    "static/failures.js",
    "static/runbook.js",
    "static/search.js",
);

pub struct Templates {
    tera: Tera,
    assets: Vec<(String, Vec<u8>)>,
}

impl Templates {
    /// The embedded defaults, with any file of the same name in `dir` instead.
    pub fn load(dir: Option<&Path>) -> Result<Templates, Diagnostic> {
        let read = |name: &str, default: &str| -> Result<String, Diagnostic> {
            match dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
                Some(path) => std::fs::read_to_string(&path)
                    .map_err(|e| Diagnostic::error(format!("cannot read {}: {e}", path.display()))),
                None => Ok(default.to_string()),
            }
        };
        let mut sources = Vec::new();
        for (name, default) in TEMPLATES {
            sources.push((name.to_string(), read(name, default)?));
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(crate::html::escape);
        tera.add_raw_templates(sources).map_err(|e| template_error("templates", &e))?;
        let mut assets = Vec::new();
        for (name, default) in STATIC {
            assets.push((name.trim_start_matches("static/").to_string(), read(name, default)?.into_bytes()));
        }
        Ok(Templates { tera, assets })
    }

    pub fn render(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera.render(name, context).map_err(|e| template_error(name, &e))
    }

    /// Static files, by their path under the site's `static/` folder.
    pub fn assets(&self) -> &[(String, Vec<u8>)] {
        &self.assets
    }
}

/// Tera's error with its whole chain of causes, which is where the line is.
fn template_error(name: &str, e: &tera::Error) -> Diagnostic {
    let mut message = format!("template {name}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    Diagnostic::error(message)
}
