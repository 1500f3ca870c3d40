//! Text analytics for tce. Pure: no I/O, no clock.
//!
//! - [`vader`]: reference-exact port of the VADER sentiment analyser
//!   (vaderSentiment 3.3.2), lexicons embedded.
//! - [`phrases`]: the fast multi-pattern phrase matcher (Aho-Corasick with
//!   word boundaries and light stemming) used for brands and touchpoints.
//! - [`enrich`]: the [`enrich::Enricher`] that turns a signal into its
//!   enrichment (sentiment, intents, brand, touchpoints, priority).
//! - [`classify`]: the learned linear text classifier (`tce train`) and its
//!   rule-evidence features; [`metrics`]: its evaluation (`tce eval`).
#![deny(missing_docs)]

pub mod classify;
pub mod cx;
pub mod enrich;
pub mod intent;
pub mod metrics;
pub mod phrases;
pub mod vader;
