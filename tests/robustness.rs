//! No input makes rota panic: damaged copies of the sample data either build
//! or come back as diagnostics.

use proptest::prelude::*;
use rota::diagnostics::Diagnostics;
use rota::load::DataFiles;
use rota::site::{Options, Site};

fn sample() -> DataFiles {
    DataFiles::from_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data")).unwrap()
}

#[derive(Debug, Clone)]
enum Edit {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    Replace { at: usize, byte: u8 },
}

fn edit() -> impl Strategy<Value = Edit> {
    let fragments = prop_oneof![
        Just("=".to_string()),
        Just("[[person]]\n".to_string()),
        Just("\"".to_string()),
        Just("9999-12-31".to_string()),
        Just("0000-01-01".to_string()),
        Just("shift_weeks = 10000\n".to_string()),
        Just("+++\n".to_string()),
        Just("]]".to_string()),
        Just("\u{feff}".to_string()),
        "[ -~\n]{0,12}",
    ];
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), fragments).prop_map(|(at, text)| Edit::Insert { at, text }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Replace { at, byte }),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    if bytes.is_empty() {
        return;
    }
    match edit {
        Edit::Delete { at, len } => {
            let at = at % bytes.len();
            let end = (at + len).min(bytes.len());
            bytes.drain(at..end);
        }
        Edit::Insert { at, text } => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, text.bytes());
        }
        Edit::Replace { at, byte } => {
            let at = at % bytes.len();
            bytes[at] = *byte;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn damaged_data_never_panics(file in 0usize..64, edits in proptest::collection::vec(edit(), 1..6)) {
        let files = sample();
        let paths: Vec<String> = {
            let mut p: Vec<String> = ["config.toml", "roster.toml", "overrides.toml", "teams.toml"].map(String::from).to_vec();
            p.extend(files.under("").map(|(k, _)| k.to_string()).filter(|k| k.ends_with(".toml") || k.ends_with(".md")));
            p
        };
        let target = &paths[file % paths.len()];
        let mut damaged = files.clone();
        let mut bytes = files.get(target).unwrap_or_default().to_vec();
        for e in &edits {
            apply(&mut bytes, e);
        }
        damaged.insert(target.clone(), bytes);
        let options = Options {
            data_dir: "data".into(),
            templates_dir: None,
            base_url: None,
            now: chrono::DateTime::parse_from_rfc3339("2022-08-01T00:00:00Z").unwrap().into(),
        };
        let mut diags = Diagnostics::new();
        if let Some(site) = Site::from_files(&damaged, &options, &mut diags) {
            let _ = site.render();
        }
        // Rendering the diagnostics must not panic either.
        let _ = diags.render_human();
        let _ = diags.render_github();
    }
}
