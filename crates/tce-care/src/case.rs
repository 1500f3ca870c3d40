//! Care domain types: a case, its priority with the factors behind it, its
//! status, and the append-only events that record every change.
//!
//! Plain types, not tied to a wire format: the store maps them onto rows and
//! the server onto its DTOs, both using the `as_str` ids below.

use crate::sla::SlaClock;
use chrono::{DateTime, Utc};
use std::fmt;
use std::str::FromStr;

/// A case's id, assigned by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseId(pub u64);

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a case is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseKind {
    /// A complaint, question, churn threat or bottom rating to resolve.
    Care,
    /// Purchase intent to turn into a sale (routed to the lead department).
    Lead,
}

impl CaseKind {
    /// The stable id used in files, the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Care => "care",
            CaseKind::Lead => "lead",
        }
    }
}

impl FromStr for CaseKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [CaseKind::Care, CaseKind::Lead]
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown case kind {s:?} (expected care or lead)"))
    }
}

impl fmt::Display for CaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Case priority, P1 most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    /// Most urgent.
    P1,
    /// Urgent.
    P2,
    /// Normal.
    P3,
    /// Low.
    P4,
}

impl Priority {
    /// All priorities, most urgent first.
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];

    /// 0 for P1 … 3 for P4 (the index into per-priority settings).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The priority a score earns under thresholds (lowest scores of P1, P2, P3).
    pub fn from_score(score: f64, thresholds: [f64; 3]) -> Priority {
        if score >= thresholds[0] {
            Priority::P1
        } else if score >= thresholds[1] {
            Priority::P2
        } else if score >= thresholds[2] {
            Priority::P3
        } else {
            Priority::P4
        }
    }

    /// The stable id (`p1` … `p4`).
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::P1 => "p1",
            Priority::P2 => "p2",
            Priority::P3 => "p3",
            Priority::P4 => "p4",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown priority {s:?} (expected p1, p2, p3 or p4)"))
    }
}

/// Where a case is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Opened, nobody assigned yet.
    New,
    /// Assigned and being worked on.
    Open,
    /// Waiting on the customer: the SLA clocks are paused.
    Pending,
    /// Solved; re-opens when the customer writes again.
    Resolved,
    /// Final: resolved and quiet for `[care] close_after_days`.
    Closed,
}

impl Status {
    /// All statuses in lifecycle order.
    pub const ALL: [Status; 5] = [
        Status::New,
        Status::Open,
        Status::Pending,
        Status::Resolved,
        Status::Closed,
    ];

    /// The stable id used in files, the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Pending => "pending",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    /// Whether work on it is outstanding (new, open or pending).
    pub fn is_active(self) -> bool {
        matches!(self, Status::New | Status::Open | Status::Pending)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown status {s:?} (expected new, open, pending, resolved or closed)")
            })
    }
}

/// A factor of the priority score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Factor {
    /// How negative the message is.
    Severity,
    /// How likely the customer is to leave.
    ChurnRisk,
    /// How many people the author reaches.
    Reach,
    /// What the customer wants (complaint, question, …).
    Intent,
    /// How low the rating is on its scale.
    Rating,
    /// The author is a known detractor of the brand (influential, with
    /// repeated negative posts): listed only when it applies.
    KnownDetractor,
}

impl Factor {
    /// All factors, in the order a [`PriorityScore`] lists them.
    pub const ALL: [Factor; 6] = [
        Factor::Severity,
        Factor::ChurnRisk,
        Factor::Reach,
        Factor::Intent,
        Factor::Rating,
        Factor::KnownDetractor,
    ];

    /// The stable id (`severity`, `churn_risk`, `reach`, `intent`, `rating`).
    pub fn as_str(self) -> &'static str {
        match self {
            Factor::Severity => "severity",
            Factor::ChurnRisk => "churn_risk",
            Factor::Reach => "reach",
            Factor::Intent => "intent",
            Factor::Rating => "rating",
            Factor::KnownDetractor => "known_detractor",
        }
    }
}

impl FromStr for Factor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Factor::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| format!("unknown priority factor {s:?}"))
    }
}

/// One factor's share of a priority score.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorContribution {
    /// Which factor.
    pub factor: Factor,
    /// Its value, 0–1.
    pub value: f64,
    /// Its weight (points at value 1), from `[care.priority]`.
    pub weight: f64,
    /// `value × weight`: the points it adds to the score.
    pub points: f64,
    /// What it was computed from, for people ("sentiment −0.80", "12000 followers").
    pub detail: String,
}

/// A priority with the score and factors that produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityScore {
    /// P1–P4.
    pub priority: Priority,
    /// Score 0–100, the sum of the factors' points.
    pub score: f64,
    /// Every factor, in a fixed order, with its contribution.
    pub factors: Vec<FactorContribution>,
}

/// Which department owns a case and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Routing {
    /// Department id from the model.
    pub department: String,
    /// The touchpoint it was routed by, if any.
    pub touchpoint: Option<String>,
    /// Why, for people: "touchpoint baggage → Baggage services",
    /// "no touchpoint → triage: Customer care".
    pub reason: String,
}

/// A signal, by its dedupe key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SignalRef {
    /// Channel id.
    pub channel: String,
    /// The source's id.
    pub external_id: String,
}

/// Who wrote a message of a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    /// The customer.
    Customer,
    /// The brand (one of the own brand's handles).
    Brand,
}

impl Party {
    /// The stable id (`customer`, `brand`).
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Customer => "customer",
            Party::Brand => "brand",
        }
    }
}

impl FromStr for Party {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "customer" => Ok(Party::Customer),
            "brand" => Ok(Party::Brand),
            _ => Err(format!("unknown party {s:?} (expected customer or brand)")),
        }
    }
}

/// One ingested message of a case's thread.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadEntry {
    /// The signal.
    pub signal: SignalRef,
    /// Who wrote it.
    pub party: Party,
    /// Its author (pseudonymous when the model asks).
    pub author: Option<String>,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// The message's sentiment compound (−1…1), when it was analysed.
    pub sentiment: Option<f64>,
    /// Whether a customer's message asks for action (an opening intent or a
    /// bottom rating): such a follow-up re-opens a resolved case, a thank-you
    /// does not.
    pub needs_action: bool,
}

/// A case: a signal turned into work for a department.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Its id.
    pub id: CaseId,
    /// Care case or lead.
    pub kind: CaseKind,
    /// The own brand it is about.
    pub brand: String,
    /// The channel the customer wrote on.
    pub channel: String,
    /// The customer (pseudonymous when the model asks).
    pub author: Option<String>,
    /// Owner and why.
    pub routing: Routing,
    /// Priority and its factors.
    pub priority: PriorityScore,
    /// Status.
    pub status: Status,
    /// The agent working on it.
    pub assignee: Option<String>,
    /// When the customer's first message was written (the SLA clocks start here).
    pub opened_at: DateTime<Utc>,
    /// When the customer last wrote.
    pub last_customer_at: DateTime<Utc>,
    /// The ingested messages, in the order they joined.
    pub thread: Vec<ThreadEntry>,
    /// First-response and resolution clocks.
    pub sla: SlaClock,
    /// When the first response was given.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When the last response was given.
    pub last_response_at: Option<DateTime<Utc>>,
    /// When it was last resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// How often it was re-opened.
    pub reopened: u32,
    /// Bumped by every change; a change made against an older version is refused.
    pub version: u64,
}

impl Case {
    /// The owning department's id.
    pub fn department(&self) -> &str {
        &self.routing.department
    }

    /// Its SLA clocks at `now`, in its department's business hours.
    pub fn sla_state(&self, model: &tce_model::Model, now: DateTime<Utc>) -> crate::sla::SlaState {
        let calendar = crate::sla::Calendar::of(&model.care, self.department());
        self.sla.state(&calendar, now, model.care.at_risk_share)
    }

    /// Whether a signal is part of its thread.
    pub fn has_signal(&self, channel: &str, external_id: &str) -> bool {
        self.thread
            .iter()
            .any(|e| e.signal.channel == channel && e.signal.external_id == external_id)
    }
}

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    /// tce itself (ingest, auto-close).
    System,
    /// The customer (a follow-up message).
    Customer,
    /// An agent or analyst, by user name.
    Agent(String),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::System => f.write_str("system"),
            Actor::Customer => f.write_str("customer"),
            Actor::Agent(name) => f.write_str(name),
        }
    }
}

/// One change of a case: who, when, what. The event log is append-only;
/// metrics (first-response and resolution times) are read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseEvent {
    /// The case.
    pub case: CaseId,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: Actor,
    /// What happened.
    pub kind: CaseEventKind,
}

/// What a [`CaseEvent`] records.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseEventKind {
    /// The case was opened from a signal.
    Opened {
        /// Care case or lead.
        kind: CaseKind,
        /// The department and why.
        routing: Routing,
        /// The priority given.
        priority: Priority,
    },
    /// The status changed.
    Status {
        /// Before.
        from: Status,
        /// After.
        to: Status,
    },
    /// The assignee changed.
    Assignee {
        /// Before.
        from: Option<String>,
        /// After.
        to: Option<String>,
    },
    /// Re-routed to another department.
    Department {
        /// Before.
        from: String,
        /// After.
        to: String,
        /// Why.
        reason: String,
    },
    /// The priority changed.
    Priority {
        /// Before.
        from: Priority,
        /// After.
        to: Priority,
    },
    /// A response to the customer (tce records it; it does not post it).
    Response {
        /// What was said.
        text: String,
        /// On which channel.
        channel: String,
        /// The agent, when known (brand replies ingested from a network have none).
        agent: Option<String>,
        /// The brand reply's signal when it arrived in ingested data.
        signal: Option<SignalRef>,
    },
    /// An internal note.
    Note {
        /// The note.
        text: String,
    },
    /// A customer message joined the thread.
    CustomerMessage {
        /// The signal.
        signal: SignalRef,
        /// Its sentiment compound, when analysed.
        sentiment: Option<f64>,
        /// It came while the case was resolved: the customer's word after
        /// resolution (care metrics read its sentiment).
        after_resolution: bool,
    },
    /// The first response: its time from opening.
    FirstResponse {
        /// Wall-clock seconds since the case opened.
        wall_secs: i64,
        /// Business seconds since the case opened, pauses excluded.
        business_secs: i64,
        /// Whether it came by the due time.
        within_sla: bool,
    },
    /// Resolved: its time from opening.
    Resolved {
        /// Wall-clock seconds since the case opened.
        wall_secs: i64,
        /// Business seconds since the case opened, pauses excluded.
        business_secs: i64,
        /// Whether it came by the due time.
        within_sla: bool,
    },
    /// A resolved case was re-opened.
    Reopened,
    /// Resolved by tce because the customer stayed quiet after the brand's
    /// response for `[care] resolve_after_reply_days` (the `resolved` event
    /// that follows is dated at that response).
    AutoResolved {
        /// Days of quiet that confirmed it.
        quiet_days: f64,
    },
}

impl CaseEventKind {
    /// The stable id of the event kind (`opened`, `status`, `assignee`,
    /// `department`, `priority`, `response`, `note`, `customer_message`,
    /// `first_response`, `resolved`, `reopened`, `auto_resolved`).
    pub fn as_str(&self) -> &'static str {
        match self {
            CaseEventKind::Opened { .. } => "opened",
            CaseEventKind::Status { .. } => "status",
            CaseEventKind::Assignee { .. } => "assignee",
            CaseEventKind::Department { .. } => "department",
            CaseEventKind::Priority { .. } => "priority",
            CaseEventKind::Response { .. } => "response",
            CaseEventKind::Note { .. } => "note",
            CaseEventKind::CustomerMessage { .. } => "customer_message",
            CaseEventKind::FirstResponse { .. } => "first_response",
            CaseEventKind::Resolved { .. } => "resolved",
            CaseEventKind::Reopened => "reopened",
            CaseEventKind::AutoResolved { .. } => "auto_resolved",
        }
    }
}
