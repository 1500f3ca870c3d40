//! Integration tests of tce-text.

// Test helpers (outside `#[test]` functions) report bad fixtures by panicking.
#![allow(clippy::panic)]

use std::path::{Path, PathBuf};

/// `shared/data` beside the repository: the nearest ancestor of the crate
/// that has one (the repository's parent for a checkout, further up for a
/// nested worktree).
pub fn shared_data() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .ancestors()
        .map(|a| a.join("shared/data"))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| crate_dir.join("../../../shared/data"))
}

mod classify;
mod cx;
mod fuzz;
mod intents;
mod misreadings;
mod vader;
