//! Analytics for tce: the numbers a CX lead decides with (DESIGN §2, C4–C6, C10).
//!
//! Pure computations over aggregates the store supplies — no I/O, no clock —
//! so every figure can be tested against planted truth and benchmarked alone.
//!
//! - [`agg`]: additive sufficient statistics of experience values ([`agg::Agg`]).
//! - [`scores`]: Touchpoint Experience Score with empirical-Bayes shrinkage,
//!   stage scores, the TCE index, importance–performance quadrants.
//! - [`drivers`]: key-driver weights — exact Shapley decomposition of R²
//!   (LMG) up to [`drivers::MAX_EXACT_DRIVERS`] drivers, Johnson's relative
//!   weights beyond — with bootstrap intervals.
//! - [`influence`]: channel influence within a stage.
//! - [`kpi`]: NPS and CSAT from rating counts, with intervals.
//! - [`allocate`]: greedy marginal budget allocation over concave responses.
//! - [`significance`]: Welch's t-test of a change between two periods.
//! - [`finance`]: fixed-effects elasticity of revenue to experience, what-if,
//!   revenue at risk.

pub mod agg;
pub mod allocate;
pub mod drivers;
pub mod finance;
pub mod influence;
pub mod kpi;
pub mod scores;
pub mod significance;

/// Why an analysis could not be computed.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AnalyticsError {
    /// Too few observations for the requested analysis.
    #[error("not enough data: {what} needs at least {needed}, got {got}")]
    NotEnoughData {
        /// What was being computed.
        what: &'static str,
        /// Observations needed.
        needed: usize,
        /// Observations available.
        got: usize,
    },
    /// Inputs of mismatched shapes.
    #[error("mismatched input: {0}")]
    Shape(String),
    /// The data cannot identify the model (e.g. a constant driver).
    #[error("degenerate data: {0}")]
    Degenerate(String),
}
