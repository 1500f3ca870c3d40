//! Integration tests of tce-alert: one binary, one module per feature.

// Helpers fail like tests do: by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod backtest;
mod detector;
mod props;
mod synthetic;
mod terms;
mod terms_model;
mod webhook;

use std::path::PathBuf;

/// `../shared` beside the repository: `TCE_SHARED`, else the CI layout
/// (X/main beside X/shared), else beside the folder of worktrees. CI has
/// it: a missing folder fails the test rather than skipping it.
pub fn shared_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TCE_SHARED") {
        return PathBuf::from(dir);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    ["../../../shared", "../../../../shared"]
        .iter()
        .map(|rel| manifest.join(rel))
        .find(|p| p.join("data").is_dir())
        .unwrap_or_else(|| {
            panic!(
                "../shared/data not found beside {} (set TCE_SHARED)",
                manifest.display()
            )
        })
}
