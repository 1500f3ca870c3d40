//! The tce domain: the TCE model (stages, touchpoints, channels, brands,
//! departments, finance parameters), customer signals and their enrichment.
//!
//! This crate is the root of the dependency graph: it does no I/O beyond
//! reading the model file it is asked to read, and knows nothing of storage,
//! wire formats for signals or text analytics.
#![deny(missing_docs)]

pub mod evidence;
mod model;
mod signal;
pub mod templates;

pub use evidence::Evidence;
pub use model::{
    check_invitation, default_care_channel, did_you_mean, Advocacy, Alerts, Allocation, Brand,
    BusinessHours, Care, CarePriority, Channel, Classifiers, CsvMapping, Department,
    DepartmentCare, Finance, Model, ModelError, ModelIssue, Privacy, SlaTarget, Stage, Touchpoint,
    CSV_FIELDS, DEFAULT_CARE_CHANNELS, DEFAULT_INVITATION, DEFAULT_STAGES, INVITATION_PLACEHOLDERS,
};
pub use signal::{
    EnrichedSignal, Enrichment, Intent, IntentScore, Rating, RatingError, RatingScale,
    SentimentLabel, Signal, StageRating, TouchpointMatch,
};
