//! Early warning, the pure core (DESIGN C8): which buckets of a brand ×
//! touchpoint (× stage, × brand) series are anomalous, how that becomes one
//! alert per incident, which terms are emerging in complaints, how webhook
//! payloads are signed and retried, and how a detector scores on a labelled
//! series.
//!
//! Everything here is a function of its inputs: no I/O, no clock (`now` and
//! timestamps are arguments), no randomness (random bytes and fractions are
//! arguments). The pipeline feeds [`Detector`] and [`TermTracker`], the store
//! persists their [`SeriesState`]s and alerts, the server delivers webhooks
//! signed by [`webhook::sign`] on the schedule of [`webhook::next_retry`].
//!
//! - [`detector`]: seasonal count baseline, volume and negativity tests,
//!   incidents, grouping across touchpoint, stage and brand.
//! - [`terms`]: emerging words and bigrams in negative texts.
//! - [`webhook`]: Standard Webhooks signatures, secrets, retry schedule.
//! - [`backtest`]: a series CSV and labelled windows in, detection figures out.
#![deny(missing_docs)]

pub mod backtest;
pub mod detector;
mod error;
mod settings;
mod stats;
pub mod terms;
pub mod webhook;

pub use detector::{
    group_incidents, severity, AlertEvent, AlertKind, Change, Detector, Incident, SeriesId,
    SeriesKey, SeriesState,
};
pub use error::{BacktestError, SettingsError, StateError, WebhookError};
pub use settings::{Settings, VolumeMeasure};
pub use terms::{EmergingTerm, TermSettings, TermTracker};
