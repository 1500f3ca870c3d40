//! What the CLI, the API and the dashboard show: scores, weights, benchmark,
//! allocation and finance, computed from a [`Store`] under a [`Model`].
//!
//! This crate is the only place that combines the store's aggregates with
//! the pure computations of `tce-analytics`; every front end calls it, so the
//! CLI, the JSON API and the dashboard can never disagree.

pub mod advocacy;
pub mod alloc;
pub mod care;
pub mod display;
pub mod finance;
pub mod kpi;
pub mod maturity;
pub mod period;
pub mod scores;
pub mod vertical;
pub mod voice;
pub mod weights;

use tce_analytics::agg::Agg;
use tce_store::{RollupRow, StoreError};

pub use tce_model::Model;
pub use tce_store::Store;

/// Why an insight could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum InsightError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The analysis failed.
    #[error(transparent)]
    Analytics(#[from] tce_analytics::AnalyticsError),
    /// The allocation cannot be made as asked.
    #[error(transparent)]
    Alloc(#[from] tce_analytics::allocate::AllocError),
    /// A request that does not fit the model or the data.
    #[error("{0}")]
    Invalid(String),
}

/// The additive statistics of one rollup row.
pub fn agg_of(r: &RollupRow) -> Agg {
    Agg {
        n: r.n,
        sum_ev: r.sum_ev,
        sum_ev2: r.sum_ev2,
        positive: r.positive,
        neutral: r.neutral,
        negative: r.negative,
        reach: r.reach,
        complaints: r.complaints,
    }
}

/// Rounds for display and JSON (scores are not meaningful beyond 0.01).
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
