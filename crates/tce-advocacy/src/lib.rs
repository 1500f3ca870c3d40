//! Advocacy and ideas, the pure core (DESIGN C9): who speaks for a brand and
//! who against it, how many more advocates than detractors a brand has, the
//! moments of truth worth an invitation to share, and the ideas customers'
//! suggestions add up to.
//!
//! Everything here is a function of its inputs and of `now`, passed in: no
//! clock, no I/O, no storage. The pipeline folds each stored signal into
//! small per-author aggregates ([`AuthorAggregate`]) and idea clusters
//! ([`Centroid`]) inside the insert transaction; surfaces score and rank
//! them. Methods and parameters: `docs/advocacy.md`.
//!
//! - [`score`]: per-author aggregates, advocacy score with its reasons,
//!   advocate / detractor classes, net advocacy with its interval.
//! - [`moments`]: which signal is a moment of truth, the invitation text,
//!   the moment workflow.
//! - [`ideas`]: normalised suggestion terms, incremental clustering,
//!   labels, ranking, the idea workflow.
//! - [`ari`]: the adjusted Rand index, to score clusterings against planted
//!   themes.
#![deny(missing_docs)]

pub mod ari;
mod error;
pub mod ideas;
pub mod moments;
pub mod score;

pub use error::AdvocacyError;
pub use ideas::{Centroid, IdeaStatus};
pub use moments::{MomentKind, MomentStatus};
pub use score::{AuthorAggregate, AuthorClass, NetAdvocacy, Observation, PeriodCounts, Score};
