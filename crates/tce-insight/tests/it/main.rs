//! The figures tce-insight gives every surface, on small hand-built stores:
//! periods and their changes, minimum-evidence rules, revenue at risk.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod care;
mod figures;
mod maturity;
