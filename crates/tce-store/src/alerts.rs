//! Early warning behind the store (issue 12): the detector's state per
//! series, alerts with their event log, webhooks and the delivery outbox.
//! The detector's types are `tce_alert`'s; the store keeps them.

use crate::StoreError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use tce_alert::terms::TermSeries;
use tce_alert::{AlertKind, SeriesKey, SeriesState};

/// Whose incident an alert is and what it calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertScope {
    /// An own brand's problem: work for the owning department.
    Own,
    /// A competitor's incident: kept apart, not routed as work.
    Competitive,
    /// A surge of praise for an own brand: advocates to thank (marketing).
    Opportunity,
}

/// Where people have taken an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatus {
    /// Raised, nobody has looked yet.
    Open,
    /// Someone owns it.
    Acknowledged,
    /// Dealt with.
    Resolved,
}

/// Whether a webhook delivery is still to be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// A 2xx answer came.
    Delivered,
    /// Given up after the last attempt (or a non-retryable answer).
    Dead,
}

macro_rules! str_enum {
    ($t:ty, $what:literal, $($v:ident => $s:literal),+) => {
        impl $t {
            /// The stable id (storage, JSON, CLI).
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($s => Ok(Self::$v),)+
                    _ => Err(format!(concat!("unknown ", $what, " {:?} (known: {})"), s,
                        [$($s),+].join(", "))),
                }
            }
        }
    };
}

str_enum!(AlertScope, "alert scope", Own => "own", Competitive => "competitive", Opportunity => "opportunity");
str_enum!(AlertStatus, "alert status", Open => "open", Acknowledged => "acknowledged", Resolved => "resolved");
str_enum!(DeliveryStatus, "delivery status", Pending => "pending", Delivered => "delivered", Dead => "dead");

/// The stable id of an alert kind.
pub fn kind_str(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::Volume => "volume",
        AlertKind::Negativity => "negativity",
    }
}

/// An alert kind from its stable id.
pub fn parse_kind(s: &str) -> Option<AlertKind> {
    match s {
        "volume" => Some(AlertKind::Volume),
        "negativity" => Some(AlertKind::Negativity),
        _ => None,
    }
}

/// One series' incident that belongs to an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertMember {
    /// The detector (`negative`, `praise`).
    pub detector: String,
    /// The series.
    pub series: SeriesKey,
    /// Start of its incident (unix seconds): with the series and the kind,
    /// what identifies the incident.
    pub start: i64,
    /// End of its last anomalous bucket so far (unix seconds).
    pub end: i64,
    /// Whether its incident is still open.
    pub active: bool,
}

/// A signal shown as an example of an alert (the most reached first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertExample {
    /// Channel id.
    pub channel: String,
    /// The signal's id on its channel.
    pub external_id: String,
    /// Followers of its author (0 when unknown).
    pub reach: u64,
}

/// The evidence of one bucket: observed against expected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertEvidence {
    /// Start of the bucket (or of the window ending with it).
    pub start: DateTime<Utc>,
    /// End of the bucket (exclusive).
    pub end: DateTime<Utc>,
    /// Observed count.
    pub observed: u64,
    /// Expected count.
    pub expected: f64,
    /// Prediction interval, inclusive counts.
    pub interval: (u64, u64),
    /// Upper-tail p-value.
    pub p_value: f64,
    /// Severity 1–10.
    pub severity: u8,
}

/// An alert: one incident, routed to a department, worked by people.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Store-assigned id (0 before it is stored).
    pub id: i64,
    /// Own, competitive or opportunity.
    pub scope: AlertScope,
    /// Volume or negativity.
    pub kind: AlertKind,
    /// Brand.
    pub brand: String,
    /// Stage of the most specific series, if any.
    pub stage: Option<String>,
    /// Touchpoint of the most specific series, if any.
    pub touchpoint: Option<String>,
    /// Owning department (`None` for competitive alerts: not work).
    pub department: Option<String>,
    /// Start of the incident (its first anomalous bucket).
    pub window_start: DateTime<Utc>,
    /// End of its last anomalous bucket so far.
    pub window_end: DateTime<Utc>,
    /// Length of the span the figures below refer to (seconds).
    pub span_secs: i64,
    /// Observed count of the strongest evidence.
    pub observed: u64,
    /// Expected count there.
    pub expected: f64,
    /// Prediction interval of the count there, inclusive.
    pub interval: (u64, u64),
    /// Smallest p-value so far.
    pub p_value: f64,
    /// Severity 1–10 (the highest so far).
    pub severity: u8,
    /// Whether an incident of it is still open.
    pub active: bool,
    /// Open, acknowledged or resolved.
    pub status: AlertStatus,
    /// When it was raised (the close of the bucket that opened it).
    pub opened_at: DateTime<Utc>,
    /// When the detector or a person last changed it.
    pub updated_at: DateTime<Utc>,
    /// When its last incident closed (back to normal).
    pub ended_at: Option<DateTime<Utc>>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// When.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// When.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Increases with every change (changes by people are checked against it).
    pub version: u64,
    /// The series incidents it groups.
    pub members: Vec<AlertMember>,
    /// Example signals, the most reached first.
    pub examples: Vec<AlertExample>,
    /// Emerging terms in the brand's complaints while it was open.
    pub terms: Vec<String>,
}

impl Alert {
    /// The most specific series of the alert.
    pub fn series(&self) -> SeriesKey {
        SeriesKey {
            brand: self.brand.clone(),
            stage: self.stage.clone(),
            touchpoint: self.touchpoint.clone(),
        }
    }
}

/// A stored alert event.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertEventRow {
    /// Store-assigned id, increasing.
    pub id: i64,
    /// The alert.
    pub alert: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// `opened`, `updated`, `closed`, `acknowledged`, `resolved`, `reopened`.
    pub change: String,
    /// `detector` or a user name.
    pub actor: String,
    /// The bucket's evidence (detector events).
    pub evidence: Option<AlertEvidence>,
}

/// An event to append (see [`AlertEventRow`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlertEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What changed.
    pub change: String,
    /// Who.
    pub actor: String,
    /// The bucket's evidence (detector events).
    pub evidence: Option<AlertEvidence>,
}

/// Which alerts to list, newest first (by window start, then id); `None`
/// and empty filters match anything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertQuery {
    /// Only alerts of these departments (an agent's own).
    pub departments: Option<Vec<String>>,
    /// Only these statuses.
    pub statuses: Vec<AlertStatus>,
    /// Only this brand.
    pub brand: Option<String>,
    /// Only this scope.
    pub scope: Option<AlertScope>,
    /// Only alerts whose incident is (not) still open.
    pub active: Option<bool>,
    /// Window starting at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Window starting before this instant.
    pub to: Option<DateTime<Utc>>,
    /// At most this many (0: 100).
    pub limit: usize,
}

/// When people took up an alert that is work: the figures of "alerts
/// acknowledged" and "time to acknowledge" (see [`crate::Store::alert_responses`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertResponse {
    /// The alert.
    pub id: i64,
    /// The department it is routed to.
    pub department: String,
    /// Start of the incident (what the Alerts page's ranges filter on).
    pub window_start: DateTime<Utc>,
    /// When it was raised.
    pub opened_at: DateTime<Utc>,
    /// When it was acknowledged, if it was.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When it was resolved, if it was (an alert may be resolved without
    /// being acknowledged first).
    pub resolved_at: Option<DateTime<Utc>>,
}

impl AlertResponse {
    /// When a person first took it up: acknowledged, or resolved straight
    /// from open.
    pub fn taken_up_at(&self) -> Option<DateTime<Utc>> {
        match (self.acknowledged_at, self.resolved_at) {
            (Some(a), Some(r)) => Some(a.min(r)),
            (a, r) => a.or(r),
        }
    }
}

/// One signal as the detector sees it (backtests over the stored history).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertObservation<'a> {
    /// Unix seconds.
    pub at: i64,
    /// Effective brand.
    pub brand: &'a str,
    /// Channel id.
    pub channel: &'a str,
    /// Sentiment label id (`positive`, `neutral`, `negative`).
    pub sentiment_label: &'a str,
    /// (touchpoint, stage) pairs it speaks about, each once.
    pub touchpoints: &'a [(String, String)],
}

/// Counts of one bucket of a series (for charts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketCount {
    /// Bucket start, unix seconds.
    pub start: i64,
    /// Signals.
    pub total: u64,
    /// Negative ones.
    pub negative: u64,
}

/// A webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// Store-assigned id.
    pub id: i64,
    /// The department whose alerts and P1 cases it gets; `None`: all.
    pub department: Option<String>,
    /// Where to POST.
    pub url: String,
    /// `whsec_…` signing secret.
    pub secret: String,
    /// Slack-compatible body (`text` and blocks) instead of the event JSON.
    pub slack: bool,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// A delivery to put in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The webhook.
    pub webhook_id: i64,
    /// `webhook-id` of every attempt (`msg_…`, unique).
    pub message_id: String,
    /// `alert.opened`, `case.p1`, `webhook.test`, …
    pub event_type: String,
    /// The body, as sent.
    pub payload: String,
    /// When it was queued (its first attempt is due then).
    pub created_at: DateTime<Utc>,
}

/// A delivery in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Store-assigned id.
    pub id: i64,
    /// The webhook.
    pub webhook_id: i64,
    /// `webhook-id` of every attempt.
    pub message_id: String,
    /// Event type.
    pub event_type: String,
    /// The body.
    pub payload: String,
    /// Pending, delivered or dead.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: DateTime<Utc>,
    /// HTTP status of the last attempt, if it got one.
    pub last_status: Option<u16>,
    /// What went wrong last.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
}

/// The result of one attempt, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// The delivery.
    pub id: i64,
    /// Its new status.
    pub status: DeliveryStatus,
    /// When the next attempt is due (pending).
    pub next_attempt_at: DateTime<Utc>,
    /// HTTP status, if any.
    pub http_status: Option<u16>,
    /// Error, if any.
    pub error: Option<String>,
    /// When the attempt ended.
    pub at: DateTime<Utc>,
}

/// What early-warning derivation may read and write inside the insert
/// transaction (a part of [`crate::DeriveTx`]).
pub trait AlertTx {
    /// The saved states of these series of one detector (those that have one).
    fn series_states(
        &mut self,
        detector: &str,
        keys: &[SeriesKey],
    ) -> Result<Vec<SeriesState>, StoreError>;

    /// Saves series states of one detector (insert or replace).
    fn save_series_states(
        &mut self,
        detector: &str,
        states: &[&SeriesState],
    ) -> Result<(), StoreError>;

    /// The saved emerging-terms states of these series (those that have one).
    fn term_states(&mut self, keys: &[SeriesKey]) -> Result<Vec<TermSeries>, StoreError>;

    /// Saves emerging-terms states (insert or replace).
    fn save_term_states(&mut self, states: &[&TermSeries]) -> Result<(), StoreError>;

    /// The alerts of these brands whose incident is still open.
    fn active_alerts(&mut self, brands: &[&str]) -> Result<Vec<Alert>, StoreError>;

    /// Stores a new alert with its events; returns its id.
    fn insert_alert(&mut self, alert: &Alert, events: &[NewAlertEvent]) -> Result<i64, StoreError>;

    /// Stores a changed alert (by id, whatever its version) with its events.
    fn save_alert(&mut self, alert: &Alert, events: &[NewAlertEvent]) -> Result<(), StoreError>;

    /// Every webhook.
    fn webhooks(&mut self) -> Result<Vec<Webhook>, StoreError>;

    /// Puts deliveries in the outbox.
    fn enqueue(&mut self, deliveries: &[NewDelivery]) -> Result<(), StoreError>;
}
