//! Integration tests of tce-text.

// Test helpers (outside `#[test]` functions) report bad fixtures by panicking.
#![allow(clippy::panic)]

mod classify;
mod cx;
mod fuzz;
mod vader;
