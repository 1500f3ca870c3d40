//! Storage of enriched signals, their daily rollups and business outcomes.
//!
//! Callers see the [`Store`] trait and plain types; SQL never leaves this
//! crate. [`SqliteStore`] is the embedded default (one file, WAL, schema by
//! embedded migrations); a PostgreSQL store will implement the same trait and
//! pass the same conformance tests (`tests/it/conformance.rs`).
//!
//! Inserting a batch is one transaction: the signals, their touchpoints, stage
//! ratings and intents, and the daily rollups (see [`RollupRow`]) that
//! dashboards read, so aggregates are never out of step with the signals.
#![deny(missing_docs)]

mod advocacy;
mod alerts;
mod assessment;
mod care;
mod error;
mod rollup;
mod sqlite;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use tce_care::{Case, CaseEvent, CaseId};
use tce_model::{EnrichedSignal, Intent, RatingScale};

pub use advocacy::{
    AdvocacyTx, AdvocateQuery, AuthorKey, AuthorRow, AuthorState, Idea, IdeaEvent, IdeaQuery,
    IdeaSignal, IdeaStatusCount, Moment, MomentCount, MomentQuery, NetRow, PeriodKey,
};
pub use alerts::{
    kind_str, parse_kind, Alert, AlertEventRow, AlertEvidence, AlertExample, AlertMember,
    AlertObservation, AlertQuery, AlertResponse, AlertScope, AlertStatus, AlertTx, BucketCount,
    Delivery, DeliveryAttempt, DeliveryStatus, NewAlertEvent, NewDelivery, Webhook,
};
pub use assessment::{NewAssessment, StoredAssessment};
pub use care::{
    BacklogGroup, BacklogRow, CareDailyRow, CareEventQuery, CareEventRow, CareTimingDay, CaseKeys,
    CasePage, CaseQuery, Derive, DeriveTx, NoDerive, StoredCaseEvent,
};
pub use error::StoreError;
pub use rollup::{rating_boxes, UNKNOWN_BRAND};
pub use sqlite::SqliteStore;
pub use tce_alert::{AlertKind, SeriesKey, SeriesState};

/// Where signals, rollups and outcomes are kept.
///
/// Implementations are used from one thread at a time (`Send`, not `Sync`);
/// several processes may share one database.
pub trait Store: Send {
    /// Stores a batch in one transaction: signals, their touchpoints, stage
    /// ratings and intents, and the daily rollups. Dedupes on (channel,
    /// external id): a duplicate within the batch or of a stored signal is
    /// counted, not stored (the first occurrence wins). When it returns `Ok`,
    /// the batch is durable; on `Err` nothing of the batch is stored.
    fn insert(&mut self, batch: &[EnrichedSignal]) -> Result<InsertSummary, StoreError> {
        let parts = self.insert_with(batch, &[batch.len()], &mut NoDerive)?;
        Ok(parts.first().copied().unwrap_or_default())
    }

    /// Group commit: stores several batches, laid one after the other in
    /// `signals` with lengths `lens`, in one transaction, and says what
    /// happened to each (a signal that repeats one of an earlier part counts
    /// as that later part's duplicate). Same rules as [`Store::insert`]; all
    /// parts or none are stored.
    fn insert_grouped(
        &mut self,
        signals: &[EnrichedSignal],
        lens: &[usize],
    ) -> Result<Vec<InsertSummary>, StoreError> {
        self.insert_with(signals, lens, &mut NoDerive)
    }

    /// [`Store::insert_grouped`] that also runs `derive` inside the
    /// transaction, on the signals newly stored: the work they cause
    /// (cases) is committed with them or not at all, and the derivation
    /// cursor moves past them. A re-ingested signal is a duplicate and
    /// derives nothing again.
    ///
    /// Work is derived in signal-id order, so when signals stored earlier
    /// are still pending (see [`Store::derive_cursor`]) the batch is stored
    /// without deriving and its summaries say `derived: false`: the caller
    /// derives the pending signals ([`Store::pending_signals`],
    /// [`Store::derive_range`]).
    fn insert_with(
        &mut self,
        signals: &[EnrichedSignal],
        lens: &[usize],
        derive: &mut dyn Derive,
    ) -> Result<Vec<InsertSummary>, StoreError>;

    /// [`Store::insert_grouped`] that leaves the work the signals cause
    /// pending (the cursor stays): for a file ingest, which derives once per
    /// several batches with [`Store::derive_range`]. Returns each part's
    /// summary and each signal's id (`None` for a duplicate).
    fn insert_pending(
        &mut self,
        signals: &[EnrichedSignal],
        lens: &[usize],
    ) -> Result<Inserted, StoreError>;

    /// Where derivation stands: signals up to `upto` have their work
    /// derived; `last` is the largest stored signal id.
    fn derive_cursor(&self) -> Result<DeriveCursor, StoreError>;

    /// Runs `derive` on `fresh` in one transaction and moves the cursor to
    /// the last of them — if they are exactly the stored signals after the
    /// cursor up to that last one, in id order. `Ok(false)`, with nothing
    /// done, when they are not (another process stored or derived signals
    /// meanwhile): derive from [`Store::pending_signals`] instead.
    fn derive_range(
        &mut self,
        fresh: &[(i64, &EnrichedSignal)],
        derive: &mut dyn Derive,
    ) -> Result<bool, StoreError>;

    /// Up to `limit` stored signals with ids above `after`, in id order
    /// (to derive what is pending after a crash or another writer).
    fn pending_signals(&self, after: i64, limit: usize) -> Result<Vec<StoredSignal>, StoreError>;

    /// Retention: deletes every signal created before `cutoff` (midnight
    /// UTC) with its touchpoints, ratings and survey answer, and takes it out
    /// of the rollups, in one transaction; cases opened before the cutoff go
    /// with their threads and events (their metrics with them), and so do
    /// the moments of truth and idea suggestions of purged signals (ideas
    /// keep their counts; a purged representative post is replaced by the
    /// oldest remaining suggestion), and so do the standings of authors
    /// whose last signal predates the cutoff and archived author months
    /// that ended before it. Outcomes and tokens stay.
    fn purge_before(&mut self, cutoff: NaiveDate) -> Result<PurgeSummary, StoreError>;

    /// Signals created before `cutoff` (midnight UTC): what
    /// [`Store::purge_before`] would delete.
    fn count_before(&self, cutoff: NaiveDate) -> Result<u64, StoreError>;

    /// The workspace secret `name`: the stored one, or `candidate` (fresh
    /// random bytes from the caller), stored now, when there is none yet.
    /// Every process writing to the store gets the same secret.
    fn secret_or_insert(&mut self, name: &str, candidate: &[u8]) -> Result<Vec<u8>, StoreError>;

    /// Counts by brand, channel and stage, and the time span.
    fn stats(&self) -> Result<Stats, StoreError>;

    /// Number of stored signals.
    fn signal_count(&self) -> Result<u64, StoreError>;

    /// Daily rollup rows matching the filter, ordered by day, brand,
    /// touchpoint, channel.
    fn rollups(&self, filter: &RollupFilter) -> Result<Vec<RollupRow>, StoreError>;

    /// The same sums per calendar month (`day` = the first of the month),
    /// kept in step with the daily rollups in the same transaction. `from` and
    /// `to` select the months that contain them. Whole-range and monthly
    /// views read these: a few thousand rows at any number of signals.
    fn monthly_rollups(&self, filter: &RollupFilter) -> Result<Vec<RollupRow>, StoreError>;

    /// Rating rollup rows (counts of the ratings given per day × brand ×
    /// stage × channel × scale, see [`RatingRow`]) matching the filter,
    /// ordered by day, brand, stage, channel, scale. Kept in the insert
    /// transaction and by purge like the other rollups; headline KPIs (NPS,
    /// CSAT) read these.
    fn rating_rollups(&self, filter: &RatingFilter) -> Result<Vec<RatingRow>, StoreError>;

    /// One page of signals matching the query, newest first.
    fn signals(&self, query: &SignalQuery) -> Result<SignalPage, StoreError>;

    /// The stored signals with these (channel, external id) keys, in the
    /// order asked, each once; keys not stored are left out. One indexed
    /// lookup per key (a case's thread reads its messages this way).
    fn signals_by_ref(&self, refs: &[(String, String)]) -> Result<Vec<StoredSignal>, StoreError>;

    /// Survey answers (signals with an overall rating and at least one stage
    /// rating), oldest first, optionally of one brand.
    fn survey_responses(&self, brand: Option<&str>) -> Result<Vec<SurveyResponse>, StoreError>;

    /// Inserts or replaces outcomes keyed on (period start, brand); returns
    /// the number of rows written.
    fn insert_outcomes(&mut self, rows: &[OutcomeRow]) -> Result<u64, StoreError>;

    /// All outcomes, ordered by period start and brand.
    fn outcomes(&self) -> Result<Vec<OutcomeRow>, StoreError>;

    /// Stores an access token (its hash, never the token); returns its id.
    fn create_token(&mut self, token: &NewToken) -> Result<i64, StoreError>;

    /// The token with this SHA-256, revoked or not.
    fn token_by_hash(&self, hash: &[u8; 32]) -> Result<Option<TokenRecord>, StoreError>;

    /// All tokens, oldest first, revoked ones included.
    fn list_tokens(&self) -> Result<Vec<TokenRecord>, StoreError>;

    /// Marks a token revoked at `at`; `false` when there is no such token
    /// or it was already revoked.
    fn revoke_token(&mut self, id: i64, at: DateTime<Utc>) -> Result<bool, StoreError>;

    /// One case with its thread.
    fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError>;

    /// One page of cases in queue order (see [`CaseQuery`]).
    fn cases(&self, query: &CaseQuery) -> Result<CasePage, StoreError>;

    /// A case's events, oldest first: its audit trail.
    fn case_events(&self, id: CaseId) -> Result<Vec<StoredCaseEvent>, StoreError>;

    /// Stores a changed case and appends its events in one transaction, if
    /// the stored version is `expected_version` ([`StoreError::StaleCase`]
    /// with the current version otherwise; nothing stored).
    fn update_case(
        &mut self,
        case: &Case,
        expected_version: u64,
        events: &[CaseEvent],
    ) -> Result<(), StoreError>;

    /// Stores several changed cases with their events in one transaction
    /// (housekeeping): each `(case, expected_version, events)` applies if
    /// its stored version is the expected one and is skipped otherwise;
    /// returns which applied.
    fn update_cases(
        &mut self,
        changes: &[(Case, u64, Vec<CaseEvent>)],
    ) -> Result<Vec<bool>, StoreError>;

    /// Care events for metrics, oldest first.
    fn care_events(&self, query: &CareEventQuery) -> Result<Vec<CareEventRow>, StoreError>;

    /// Care counts per day × department × brand × channel in the query's
    /// range (whole UTC days; `kinds` is ignored), by day.
    fn care_daily(&self, query: &CareEventQuery) -> Result<Vec<CareDailyRow>, StoreError>;

    /// The latest UTC day with care events counted in `care_daily`.
    fn care_last_day(&self) -> Result<Option<chrono::NaiveDate>, StoreError>;

    /// First responses and resolutions with their durations per day ×
    /// department × brand × channel in the query's range (whole UTC days, as
    /// [`Store::care_daily`]; `kinds` is ignored), by day.
    fn care_timing_days(&self, query: &CareEventQuery) -> Result<Vec<CareTimingDay>, StoreError>;

    /// The backlog: active cases grouped (see [`BacklogRow`]), with how many
    /// are in breach at `now`; of some departments only, or all.
    fn care_backlog(
        &self,
        now: DateTime<Utc>,
        by: BacklogGroup,
        departments: Option<&[String]>,
    ) -> Result<Vec<BacklogRow>, StoreError>;

    /// The ids of cases housekeeping may be due on, ascending: new or open
    /// cases answered by the brand whose customer has been quiet since
    /// before `answered_before`, and resolved cases quiet since before
    /// `resolved_before`.
    fn sweep_candidates(
        &self,
        answered_before: DateTime<Utc>,
        resolved_before: DateTime<Utc>,
    ) -> Result<Vec<CaseId>, StoreError>;

    /// These cases with their threads (those that exist), by id.
    fn cases_by_id(&self, ids: &[CaseId]) -> Result<Vec<Case>, StoreError>;

    /// Keeps a maturity assessment; returns its id. Every assessment is
    /// kept (several on one day too).
    fn insert_assessment(&mut self, assessment: &NewAssessment) -> Result<i64, StoreError>;

    /// Every kept assessment, oldest first (by day, then in the order kept).
    fn assessments(&self) -> Result<Vec<StoredAssessment>, StoreError>;

    /// The newest kept assessment (latest day, last kept that day), if any.
    fn latest_assessment(&self) -> Result<Option<StoredAssessment>, StoreError>;

    /// Authors with a class (at least `tce_advocacy::score::MIN_SIGNALS`
    /// signals) by their stored advocacy base score (highest first unless
    /// `ascending`).
    fn advocates(&self, query: &AdvocateQuery) -> Result<Vec<AuthorRow>, StoreError>;

    /// One author's aggregate with a brand.
    fn author_standing(
        &self,
        brand: &str,
        author: &str,
    ) -> Result<Option<tce_advocacy::AuthorAggregate>, StoreError>;

    /// Net-advocacy counters per brand and month (one brand or all).
    fn net_advocacy(&self, brand: Option<&str>) -> Result<Vec<NetRow>, StoreError>;

    /// Ideas (not merged away) by volume, largest first.
    fn ideas(&self, query: &IdeaQuery) -> Result<Vec<Idea>, StoreError>;

    /// One idea (also a merged one).
    fn idea(&self, id: i64) -> Result<Option<Idea>, StoreError>;

    /// An idea's suggestions, newest first.
    fn idea_signals(&self, id: i64, limit: usize) -> Result<Vec<IdeaSignal>, StoreError>;

    /// An idea's recorded changes, oldest first.
    fn idea_events(&self, id: i64) -> Result<Vec<IdeaEvent>, StoreError>;

    /// Stores users' changes to ideas, each against the version they saw
    /// ([`StoreError::StaleRecord`] otherwise), appends the events and moves
    /// the suggestions of each (from, to) pair of `moves`: all in one
    /// transaction.
    fn change_ideas(
        &mut self,
        ideas: &[(Idea, u64)],
        events: &[IdeaEvent],
        moves: &[(i64, i64)],
    ) -> Result<(), StoreError>;

    /// A user's split of an idea, in one transaction: stores `source` if
    /// its stored version is `expected_version` ([`StoreError::StaleRecord`]
    /// otherwise), inserts `part` (a new idea: its id is ignored), moves the
    /// suggestions `signals` ((channel, external id), each held by `source`,
    /// else [`StoreError::StaleRecord`] and nothing stored) to it and
    /// appends `events`, where idea 0 (as `idea` or `other`) stands for the
    /// new idea. Returns the new idea's id.
    fn split_idea(
        &mut self,
        source: &Idea,
        expected_version: u64,
        part: &Idea,
        signals: &[(String, String)],
        events: &[IdeaEvent],
    ) -> Result<i64, StoreError>;

    /// Moments of truth, newest first.
    fn moments(&self, query: &MomentQuery) -> Result<Vec<Moment>, StoreError>;

    /// One moment.
    fn moment(&self, id: i64) -> Result<Option<Moment>, StoreError>;

    /// Stores a moment's new status if its stored status is still `expected`.
    fn update_moment(
        &mut self,
        moment: &Moment,
        expected: tce_advocacy::MomentStatus,
    ) -> Result<(), StoreError>;

    /// Moments per channel, month and status (conversion).
    fn moment_counts(&self) -> Result<Vec<MomentCount>, StoreError>;

    /// Authors per brand whose stored class is `class` (`advocate`…),
    /// brands in order, brands without one left out. Reads an index of the
    /// class, never the authors' rows; it holds authors with a class only,
    /// so `too_few` counts nothing.
    fn author_class_counts(
        &self,
        class: tce_advocacy::AuthorClass,
    ) -> Result<Vec<(String, u64)>, StoreError>;

    /// Live ideas (not merged away) per own/competitor and status, statuses
    /// without ideas left out. Reads an index, never the ideas' rows.
    fn idea_status_counts(&self) -> Result<Vec<IdeaStatusCount>, StoreError>;

    /// One alert.
    fn alert(&self, id: i64) -> Result<Option<Alert>, StoreError>;

    /// Alerts, newest first (see [`AlertQuery`]).
    fn alerts(&self, query: &AlertQuery) -> Result<Vec<Alert>, StoreError>;

    /// An alert's events, oldest first.
    fn alert_events(&self, id: i64) -> Result<Vec<AlertEventRow>, StoreError>;

    /// The alerts that are work (routed to a department and not
    /// competitive) whose incident started in `[from, to)`, oldest first,
    /// with when people acknowledged or resolved them. Reads the window
    /// through the `window_start` index.
    fn alert_responses(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<AlertResponse>, StoreError>;

    /// Stores a change people made to an alert (acknowledge, resolve) with
    /// its event, if the stored version is `expected_version`
    /// ([`StoreError::StaleAlert`] otherwise).
    fn change_alert(
        &mut self,
        alert: &Alert,
        expected_version: u64,
        event: &NewAlertEvent,
    ) -> Result<(), StoreError>;

    /// Every saved series state of one detector (charts, status).
    fn series_states(&self, detector: &str) -> Result<Vec<SeriesState>, StoreError>;

    /// Calls `f` with every stored customer signal (brand posts left out)
    /// created in `[from, to)` (of one brand), oldest first; returns how many.
    fn alert_observations(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        brand: Option<&str>,
        f: &mut dyn FnMut(&AlertObservation<'_>),
    ) -> Result<u64, StoreError>;

    /// Signals and negatives per bucket of one series over `[from, to)`
    /// (unix seconds), buckets without signals left out.
    fn bucket_counts(
        &self,
        series: &SeriesKey,
        from: i64,
        to: i64,
        bucket_secs: i64,
    ) -> Result<Vec<BucketCount>, StoreError>;

    /// Adds a webhook (its `id` is ignored); returns its id.
    fn insert_webhook(&mut self, webhook: &Webhook) -> Result<i64, StoreError>;

    /// Every webhook, by id.
    fn webhooks(&self) -> Result<Vec<Webhook>, StoreError>;

    /// Removes a webhook; false when there is none with this id.
    fn remove_webhook(&mut self, id: i64) -> Result<bool, StoreError>;

    /// Puts deliveries in the outbox (outside an ingest: tests, P1 cases
    /// changed by people).
    fn enqueue_deliveries(&mut self, deliveries: &[NewDelivery]) -> Result<(), StoreError>;

    /// Deliveries, newest first, of one status or all (`limit` 0: 100).
    fn deliveries(
        &self,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// One delivery.
    fn delivery(&self, id: i64) -> Result<Option<Delivery>, StoreError>;

    /// Pending deliveries due at `now`, the most overdue first.
    fn due_deliveries(&self, now: DateTime<Utc>, limit: usize)
        -> Result<Vec<Delivery>, StoreError>;

    /// When the next pending delivery is due, if any.
    fn next_delivery_due(&self) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Records one attempt's outcome.
    fn record_attempt(&mut self, attempt: &DeliveryAttempt) -> Result<(), StoreError>;

    /// Sends a delivered or dead-lettered delivery again (same message id,
    /// attempts from zero); false when there is none or it is pending.
    fn redeliver(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError>;
}

/// An access token to store. The server makes the secret and its hash; the
/// store only ever sees the hash.
#[derive(Debug, Clone, PartialEq)]
pub struct NewToken {
    /// A name for people ("ingest job", "bags desk").
    pub name: String,
    /// Role id: `admin`, `analyst` or `agent` (the server checks it).
    pub role: String,
    /// Department id of an agent.
    pub department: Option<String>,
    /// SHA-256 of the token.
    pub hash: [u8; 32],
    /// When it was made (kept to the second).
    pub created_at: DateTime<Utc>,
}

/// A stored access token, without its secret.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    /// Store-assigned id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Role id.
    pub role: String,
    /// Department id of an agent.
    pub department: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What one [`Store::insert`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InsertSummary {
    /// Signals newly stored.
    pub inserted: u64,
    /// Signals skipped because their (channel, external id) was already
    /// stored or came earlier in the batch.
    pub duplicates: u64,
    /// Whether the work the batch causes was derived in its transaction
    /// (see [`Store::insert_with`]).
    pub derived: bool,
}

/// What [`Store::insert_pending`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inserted {
    /// Each part's summary.
    pub parts: Vec<InsertSummary>,
    /// Each signal's id, `None` for a duplicate.
    pub ids: Vec<Option<i64>>,
}

/// Where derivation stands ([`Store::derive_cursor`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeriveCursor {
    /// Signals with ids up to this one have their work derived.
    pub upto: i64,
    /// The largest stored signal id.
    pub last: i64,
}

impl DeriveCursor {
    /// Whether stored signals wait for their work to be derived.
    pub fn pending(&self) -> bool {
        self.last > self.upto
    }
}

/// What one [`Store::purge_before`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeSummary {
    /// Signals deleted.
    pub signals: u64,
    /// Of them, survey answers.
    pub survey_answers: u64,
    /// Daily rollup rows deleted.
    pub rollup_rows: u64,
    /// Cases deleted (opened before the cutoff), with their threads and events.
    pub cases: u64,
    /// Author standings deleted: authors none of whose signals is left.
    pub authors: u64,
}

/// Counts over everything stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Number of signals.
    pub signals: u64,
    /// Signals per brand ([`UNKNOWN_BRAND`] when none).
    pub by_brand: BTreeMap<String, u64>,
    /// Signals per channel.
    pub by_channel: BTreeMap<String, u64>,
    /// Signals touching each stage (a signal counts once per stage).
    pub by_stage: BTreeMap<String, u64>,
    /// Time of the oldest signal.
    pub first: Option<DateTime<Utc>>,
    /// Time of the newest signal.
    pub last: Option<DateTime<Utc>>,
}

/// Which rollup rows to read; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RollupFilter {
    /// First day, inclusive.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    pub to: Option<NaiveDate>,
    /// Brand id ([`UNKNOWN_BRAND`] for signals without one).
    pub brand: Option<String>,
    /// Channel id.
    pub channel: Option<String>,
    /// Touchpoint id; `""` selects the totals rows.
    pub touchpoint: Option<String>,
}

/// Additive aggregates of the signals of one UTC day × brand × touchpoint ×
/// channel.
///
/// A signal touching k touchpoints adds to k touchpoint rows; every signal
/// also adds once to the totals row (`touchpoint` and `stage` empty), so
/// totals count each signal once.
#[derive(Debug, Clone, PartialEq)]
pub struct RollupRow {
    /// UTC day of the signals.
    pub day: NaiveDate,
    /// Brand id ([`UNKNOWN_BRAND`] when none).
    pub brand: String,
    /// Touchpoint id, `""` for the totals row.
    pub touchpoint: String,
    /// Stage of the touchpoint, `""` for the totals row.
    pub stage: String,
    /// Channel id.
    pub channel: String,
    /// Number of signals.
    pub n: u64,
    /// Sum of experience values.
    pub sum_ev: f64,
    /// Sum of squared experience values.
    pub sum_ev2: f64,
    /// Signals labelled positive.
    pub positive: u64,
    /// Signals labelled neutral.
    pub neutral: u64,
    /// Signals labelled negative.
    pub negative: u64,
    /// Sum of author followers.
    pub reach: u64,
    /// Signals with the complaint intent.
    pub complaints: u64,
    /// Signals with a rating.
    pub rated: u64,
}

/// Which rating rollup rows to read; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RatingFilter {
    /// First day, inclusive.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    pub to: Option<NaiveDate>,
    /// Brand id ([`UNKNOWN_BRAND`] for signals without one).
    pub brand: Option<String>,
    /// Stage id; `""` selects the overall ratings.
    pub stage: Option<String>,
}

/// Counts of the ratings given on one UTC day × brand × stage × channel ×
/// scale. The overall rating of a signal counts under stage `""`; each stage
/// rating of a survey answer under its stage.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingRow {
    /// UTC day of the signals.
    pub day: NaiveDate,
    /// Brand id ([`UNKNOWN_BRAND`] when none).
    pub brand: String,
    /// Stage id, `""` for overall ratings.
    pub stage: String,
    /// Channel id.
    pub channel: String,
    /// The scale the ratings were given on.
    pub scale: RatingScale,
    /// Number of ratings.
    pub n: u64,
    /// Ratings in the top box (see [`rating_boxes`]): promoters (9–10) on
    /// `nps10`, 4–5 on the five-point scales.
    pub top: u64,
    /// Ratings in the bottom box: detractors (0–6) on `nps10`, 1–2 on the
    /// five-point scales.
    pub bottom: u64,
    /// Sum of the raw rating values.
    pub sum_value: f64,
}

/// A page request for [`Store::signals`]; `None` filters match anything.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalQuery {
    /// Effective brand ([`UNKNOWN_BRAND`] matches signals without one).
    pub brand: Option<String>,
    /// Channel id.
    pub channel: Option<String>,
    /// Signals touching this stage.
    pub stage: Option<String>,
    /// Signals touching this touchpoint.
    pub touchpoint: Option<String>,
    /// Sentiment compound at least this.
    pub min_sentiment: Option<f64>,
    /// Sentiment compound at most this.
    pub max_sentiment: Option<f64>,
    /// Signals with this intent.
    pub intent: Option<Intent>,
    /// Created at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Created before this time (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Text containing this (case-insensitive for ASCII letters).
    pub text_contains: Option<String>,
    /// Where to continue: the `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to [`SignalQuery::MAX_LIMIT`] (0 means the default).
    pub limit: usize,
}

impl SignalQuery {
    /// Page size when `limit` is 0.
    pub const DEFAULT_LIMIT: usize = 50;
    /// Largest page size; larger limits are clamped.
    pub const MAX_LIMIT: usize = 10_000;

    /// The page size actually used.
    pub fn effective_limit(&self) -> usize {
        match self.limit {
            0 => Self::DEFAULT_LIMIT,
            n => n.min(Self::MAX_LIMIT),
        }
    }
}

impl Default for SignalQuery {
    fn default() -> Self {
        SignalQuery {
            brand: None,
            channel: None,
            stage: None,
            touchpoint: None,
            min_sentiment: None,
            max_sentiment: None,
            intent: None,
            from: None,
            to: None,
            text_contains: None,
            cursor: None,
            limit: Self::DEFAULT_LIMIT,
        }
    }
}

/// A signal as stored, with its id.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSignal {
    /// Store-assigned id.
    pub id: i64,
    /// The signal and its enrichment, as inserted except that: times are
    /// kept to the second; a touchpoint or stage matched twice is kept once
    /// (the first); stage ratings come back ordered by stage id; the
    /// effective brand (the enrichment's, else the source's) is what is
    /// stored, and the source's brand reads back as it unless the source
    /// gave none.
    pub signal: EnrichedSignal,
}

/// One page of [`Store::signals`].
#[derive(Debug, Clone, PartialEq)]
pub struct SignalPage {
    /// Signals, newest first (ties by id, highest first).
    pub items: Vec<StoredSignal>,
    /// Pass as `cursor` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// A survey answer: the overall rating and the per-stage ratings, as
/// experience values (−1…1).
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyResponse {
    /// Brand id ([`UNKNOWN_BRAND`] when none).
    pub brand: String,
    /// When it was answered.
    pub created_at: DateTime<Utc>,
    /// Channel id.
    pub channel: String,
    /// Experience value of the overall rating.
    pub overall: f64,
    /// Stage id and experience value of its rating, ordered by stage id.
    pub stages: Vec<(String, f64)>,
}

/// A business outcome of one brand over the period starting on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRow {
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Brand id.
    pub brand: String,
    /// Revenue.
    pub revenue: f64,
    /// Number of customers, when known.
    pub customers: Option<f64>,
    /// Return visits, when known.
    pub return_visits: Option<f64>,
}
