//! Integration tests of tce-store: the backend-neutral conformance suite
//! (`conformance`) run against SQLite, plus SQLite-specific checks.

// The conformance checks are plain functions (so another backend can call
// them) rather than `#[test]`s, and like tests they fail by panicking.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

mod advocacy;
mod alerts;
mod assessments;
mod care_queue_indexes;
mod cases;
mod conformance;
mod fixtures;
mod sqlite;
