//! rota: a CI-monitoring on-call rotation kept as data in git, built into a
//! static site. The modules follow the pipeline:
//! [`load`] → [`model`] → derive ([`schedule`], [`triage`], [`runbook`],
//! [`history`]) → [`render`] → [`write`], which [`site`] runs as a whole and
//! [`commands`] drives for each subcommand. [`git`] is the one way into git.

// A `Diagnostic` is the error of many functions; it is large, but built only
// on the cold path where something is wrong with the data.
#![allow(clippy::result_large_err)]

pub mod clock;
pub mod commands;
pub mod diagnostics;
pub mod git;
pub mod highlight;
pub mod history;
pub mod html;
pub mod load;
pub mod markdown;
pub mod model;
pub mod render;
pub mod runbook;
pub mod schedule;
pub mod search;
pub mod site;
pub mod triage;
pub mod write;
