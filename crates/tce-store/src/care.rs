//! Care cases behind the store: the types lists, metrics and the ingest
//! transaction use. The cases themselves are `tce_care` domain types; the
//! store keeps them with their thread and the append-only event log.

use crate::StoreError;
use chrono::{DateTime, Utc};
use tce_care::{Case, CaseEvent, CaseId, CaseKind, Priority, Status};
use tce_model::EnrichedSignal;

/// Work derived from newly stored signals inside the transaction that
/// stores them (cases now; alerts, advocacy and ideas later), so a signal
/// and what it caused are committed together or not at all.
pub trait Derive {
    /// Called once per insert transaction with the signals newly stored
    /// (duplicates left out), in batch order. An error aborts the whole
    /// transaction.
    fn derive(
        &mut self,
        fresh: &[&EnrichedSignal],
        tx: &mut dyn DeriveTx,
    ) -> Result<(), StoreError>;
}

/// Derives nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDerive;

impl Derive for NoDerive {
    fn derive(&mut self, _: &[&EnrichedSignal], _: &mut dyn DeriveTx) -> Result<(), StoreError> {
        Ok(())
    }
}

/// What [`Derive::derive`] may read and write inside the insert transaction
/// (advocacy and ideas through [`crate::AdvocacyTx`], alerts through
/// [`crate::AlertTx`]).
pub trait DeriveTx: crate::AdvocacyTx + crate::AlertTx {
    /// The cases a batch's signals could belong to: the not-closed cases of
    /// these (author, channel) pairs and those whose thread holds one of
    /// these messages (channel, external id), each once, by id.
    fn cases_for(&mut self, keys: &CaseKeys) -> Result<Vec<Case>, StoreError>;

    /// A fresh case id (unique within the store).
    fn new_case_id(&mut self) -> Result<CaseId, StoreError>;

    /// Stores a new case with its thread and events.
    fn insert_case(&mut self, case: &Case, events: &[CaseEvent]) -> Result<(), StoreError>;

    /// Stores a changed case (messages it gained, its new state) and
    /// appends its events, if the stored version is `expected_version`;
    /// [`StoreError::StaleCase`] otherwise.
    fn update_case(
        &mut self,
        case: &Case,
        expected_version: u64,
        events: &[CaseEvent],
    ) -> Result<(), StoreError>;
}

/// Keys to look candidate cases up by (see [`DeriveTx::cases_for`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseKeys {
    /// (author, channel) pairs.
    pub authors: Vec<(String, String)>,
    /// (channel, external id) of messages replied to.
    pub messages: Vec<(String, String)>,
}

/// A page request for [`crate::Store::cases`]; `None` and empty filters
/// match anything. Ordered by priority (P1 first), then the instant an SLA
/// clock breaches (soonest first; cases that will not breach last), then id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseQuery {
    /// Only cases of these departments (an agent's own).
    pub departments: Option<Vec<String>>,
    /// Only cases in one of these statuses.
    pub statuses: Vec<Status>,
    /// Only this priority.
    pub priority: Option<Priority>,
    /// Only this brand.
    pub brand: Option<String>,
    /// Only this kind.
    pub kind: Option<CaseKind>,
    /// Only cases in breach at this instant (an SLA clock past due).
    pub breached_at: Option<DateTime<Utc>>,
    /// Where to continue: the `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to [`CaseQuery::MAX_LIMIT`] (0 means the default).
    pub limit: usize,
}

impl CaseQuery {
    /// Page size when `limit` is 0.
    pub const DEFAULT_LIMIT: usize = 50;
    /// Largest page size; larger limits are clamped.
    pub const MAX_LIMIT: usize = 1_000;

    /// The page size actually used.
    pub fn effective_limit(&self) -> usize {
        match self.limit {
            0 => Self::DEFAULT_LIMIT,
            n => n.min(Self::MAX_LIMIT),
        }
    }
}

/// One page of [`crate::Store::cases`].
#[derive(Debug, Clone, PartialEq)]
pub struct CasePage {
    /// The cases, in queue order.
    pub items: Vec<Case>,
    /// Pass as `cursor` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// A stored case event with its id (the order of the log).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCaseEvent {
    /// Store-assigned id, increasing in the order events were appended.
    pub id: i64,
    /// The event.
    pub event: CaseEvent,
}

/// Which care events to read for metrics.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CareEventQuery {
    /// Event kinds (`CaseEventKind::as_str` ids); empty = all.
    pub kinds: Vec<String>,
    /// At or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Only these departments.
    pub departments: Option<Vec<String>>,
}

/// A care event as metrics read it: the case's department, brand, channel
/// and priority at the time, and the durations of first responses and
/// resolutions.
#[derive(Debug, Clone, PartialEq)]
pub struct CareEventRow {
    /// The case.
    pub case: CaseId,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The event kind id.
    pub kind: String,
    /// Who did it (`system`, `customer` or a user name).
    pub actor: String,
    /// The case's department then.
    pub department: String,
    /// The case's brand.
    pub brand: String,
    /// The case's channel.
    pub channel: String,
    /// The case's priority then.
    pub priority: Priority,
    /// Wall-clock seconds from opening (first response, resolved).
    pub wall_secs: Option<i64>,
    /// Business seconds from opening, pauses excluded (first response, resolved).
    pub business_secs: Option<i64>,
    /// Whether it came by its due time (first response, resolved).
    pub within_sla: Option<bool>,
    /// The customer's sentiment (customer messages).
    pub sentiment: Option<f64>,
    /// A customer message that came while the case was resolved.
    pub after_resolution: bool,
}

/// Care counts of one UTC day × department × brand × channel, kept as
/// events are appended (so metrics need not read the event log).
#[derive(Debug, Clone, PartialEq)]
pub struct CareDailyRow {
    /// The UTC day.
    pub day: chrono::NaiveDate,
    /// The case's department then.
    pub department: String,
    /// The case's brand.
    pub brand: String,
    /// The case's channel.
    pub channel: String,
    /// Cases and leads opened.
    pub opened: u64,
    /// Responses given (contacts).
    pub responses: u64,
    /// Re-openings.
    pub reopened: u64,
    /// Customer messages with a sentiment that came while their case was
    /// resolved.
    pub after_resolution: u64,
    /// The sum of their sentiments.
    pub after_sentiment_sum: f64,
    /// How many of them were positive (sentiment above 0.05).
    pub after_positive: u64,
}

/// The first responses (or the resolutions) of one UTC day × department ×
/// brand × channel with their durations, kept as events are appended (so
/// percentiles read a row per cell, not every event).
#[derive(Debug, Clone, PartialEq)]
pub struct CareTimingDay {
    /// The UTC day.
    pub day: chrono::NaiveDate,
    /// The case's department then.
    pub department: String,
    /// The case's brand.
    pub brand: String,
    /// The case's channel.
    pub channel: String,
    /// Resolutions (else first responses).
    pub resolution: bool,
    /// How many came by their due time.
    pub within_sla: u64,
    /// Wall-clock seconds from opening, one per event, in arrival order.
    pub wall_secs: Vec<i64>,
    /// Business seconds from opening, pauses excluded, one per event, in
    /// arrival order (not paired with `wall_secs`).
    pub business_secs: Vec<i64>,
}

/// What backlog rows are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BacklogGroup {
    /// The owning department.
    Department,
    /// The brand.
    Brand,
    /// The channel.
    Channel,
}

impl BacklogGroup {
    pub(crate) fn column(self) -> &'static str {
        match self {
            BacklogGroup::Department => "department",
            BacklogGroup::Brand => "brand",
            BacklogGroup::Channel => "channel",
        }
    }
}

/// The active cases (new, open, pending) of one group opened on one day:
/// the backlog, by age.
#[derive(Debug, Clone, PartialEq)]
pub struct BacklogRow {
    /// Department, brand or channel id.
    pub key: String,
    /// The UTC day they opened.
    pub opened_day: chrono::NaiveDate,
    /// How many.
    pub n: u64,
    /// Of them, in breach at the instant asked about.
    pub breached: u64,
}
