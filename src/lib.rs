//! rota: a CI-monitoring on-call rotation kept as data in git, built into a
//! static site. The modules follow the pipeline:
//! [`load`] → [`model`] → derive ([`schedule`]) → [`render`] → [`write`].

pub mod clock;
pub mod diagnostics;
pub mod load;
pub mod model;
pub mod schedule;
pub mod commands;
pub mod markdown;
pub mod render;
pub mod site;
pub mod write;
