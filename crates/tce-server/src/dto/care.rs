//! Wire types of care cases: the one JSON view of a case that the API's
//! `/cases` endpoints and `tce cases … --json` both print ([`CaseView`]),
//! a case with its thread, factors, clocks and audit trail
//! ([`CaseDetailDto`]), and the bodies agents send.
//!
//! Field names are the domain's (`tce_care::Case`), ids are the stable
//! `as_str` ids, times are RFC 3339 in UTC.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};
use tce_care::sla::{ClockState, SlaState};
use tce_care::{Case, CaseEventKind, FactorContribution, SignalRef};
use tce_model::Model;
use tce_store::{StoredCaseEvent, StoredSignal};
use utoipa::ToSchema;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

/// A case's SLA at the instant it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CaseSlaView {
    /// When the first response is due (RFC 3339; moved out by pauses).
    pub first_response_due: String,
    /// When resolution is due (RFC 3339; moved out by pauses).
    pub resolution_due: String,
    /// A clock passed its due time before it was done.
    pub breached: bool,
    /// A running clock has used `[care] at_risk_share` of its target.
    pub at_risk: bool,
    /// The clocks are paused (pending: waiting on the customer).
    pub paused: bool,
}

impl CaseSlaView {
    /// The view of a case's clocks at some instant.
    pub fn new(state: &SlaState) -> CaseSlaView {
        CaseSlaView {
            first_response_due: rfc3339(state.first_response.due),
            resolution_due: rfc3339(state.resolution.due),
            breached: state.breached(),
            at_risk: state.at_risk(),
            paused: state.first_response.paused || state.resolution.paused,
        }
    }
}

/// A case as lists show it: `GET /api/v1/cases` and `tce cases list --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CaseView {
    /// Case id.
    pub id: u64,
    /// `care` or `lead`.
    pub kind: String,
    /// The own brand it is about.
    pub brand: String,
    /// The channel the customer wrote on.
    pub channel: String,
    /// The customer (pseudonymous when the model asks).
    pub author: Option<String>,
    /// The touchpoint it was routed by.
    pub touchpoint: Option<String>,
    /// The owning department's id.
    pub department: String,
    /// Why it is there ("touchpoint baggage → Baggage services").
    pub routing_reason: String,
    /// `new`, `open`, `pending`, `resolved` or `closed`.
    pub status: String,
    /// `p1` (most urgent) … `p4`.
    pub priority: String,
    /// The priority score 0–100 the factors add up to.
    pub priority_score: f64,
    /// The agent working on it.
    pub assignee: Option<String>,
    /// When the customer's first message was written (RFC 3339).
    pub opened_at: String,
    /// When the first response was given.
    pub first_response_at: Option<String>,
    /// When it was last resolved.
    pub resolved_at: Option<String>,
    /// When it was closed.
    pub closed_at: Option<String>,
    /// Pass it back with a change; a change against an older version is a
    /// 409 `stale_version`.
    pub version: u64,
    /// The SLA clocks at the time of reading.
    pub sla: CaseSlaView,
}

impl CaseView {
    /// The view of a case, its SLA clocks as they stand at `now` in its
    /// department's business hours.
    pub fn new(case: &Case, model: &Model, now: DateTime<Utc>) -> CaseView {
        CaseView {
            id: case.id.0,
            kind: case.kind.as_str().to_string(),
            brand: case.brand.clone(),
            channel: case.channel.clone(),
            author: case.author.clone(),
            touchpoint: case.routing.touchpoint.clone(),
            department: case.routing.department.clone(),
            routing_reason: case.routing.reason.clone(),
            status: case.status.as_str().to_string(),
            priority: case.priority.priority.as_str().to_string(),
            priority_score: case.priority.score,
            assignee: case.assignee.clone(),
            opened_at: rfc3339(case.opened_at),
            first_response_at: case.first_response_at.map(rfc3339),
            resolved_at: case.resolved_at.map(rfc3339),
            closed_at: case.closed_at.map(rfc3339),
            version: case.version,
            sla: CaseSlaView::new(&case.sla_state(model, now)),
        }
    }
}

/// A page of cases in queue order: priority, then the soonest breach, then id.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CasePageDto {
    /// Cases.
    pub items: Vec<CaseView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One message of a case's thread, with its text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThreadMessageDto {
    /// Channel id.
    pub channel: String,
    /// The source's id.
    pub external_id: String,
    /// `customer` or `brand`.
    pub party: String,
    /// Its author.
    pub author: Option<String>,
    /// When it was written (RFC 3339).
    pub at: String,
    /// Sentiment compound −1…1, when analysed.
    pub sentiment: Option<f64>,
    /// The text; absent when the signal is no longer stored (purged).
    pub text: Option<String>,
    /// Link to the original.
    pub url: Option<String>,
}

/// One factor of a case's priority score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PriorityFactorDto {
    /// `severity`, `churn_risk`, `reach`, `intent` or `rating`.
    pub factor: String,
    /// Its value, 0–1.
    pub value: f64,
    /// Its weight (points at value 1), from `[care.priority]`.
    pub weight: f64,
    /// `value × weight`: the points it adds to the score.
    pub points: f64,
    /// What it was computed from.
    pub detail: String,
}

impl From<&FactorContribution> for PriorityFactorDto {
    fn from(f: &FactorContribution) -> Self {
        PriorityFactorDto {
            factor: f.factor.as_str().to_string(),
            value: f.value,
            weight: f.weight,
            points: f.points,
            detail: f.detail.clone(),
        }
    }
}

/// One SLA clock in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlaClockDto {
    /// Due time (RFC 3339).
    pub due: String,
    /// Target in business seconds.
    pub target_secs: i64,
    /// Business seconds used so far (pauses excluded; frozen once done).
    pub used_secs: i64,
    /// `used_secs / target_secs`.
    pub used_share: f64,
    /// Running, not breached, and at least `at_risk_share` of the target used.
    pub at_risk: bool,
    /// The due time passed before the clock was done.
    pub breached: bool,
    /// The response or resolution happened.
    pub done: bool,
    /// The clock is paused.
    pub paused: bool,
}

impl From<&ClockState> for SlaClockDto {
    fn from(c: &ClockState) -> Self {
        SlaClockDto {
            due: rfc3339(c.due),
            target_secs: c.target_secs,
            used_secs: c.used_secs,
            used_share: c.used_share,
            at_risk: c.at_risk,
            breached: c.breached,
            done: c.done,
            paused: c.paused,
        }
    }
}

/// Both SLA clocks of a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlaClocksDto {
    /// First response.
    pub first_response: SlaClockDto,
    /// Resolution.
    pub resolution: SlaClockDto,
}

/// One entry of a case's audit trail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseEventDto {
    /// Event id (the order of the log).
    pub id: i64,
    /// When it happened (RFC 3339).
    pub at: String,
    /// `system`, `customer` or a user name.
    pub actor: String,
    /// `opened`, `status`, `assignee`, `department`, `priority`, `response`,
    /// `note`, `customer_message`, `first_response`, `resolved`, `reopened`,
    /// `auto_resolved`.
    pub kind: String,
    /// What changed, by kind: `status`/`assignee`/`priority` `{from, to}`,
    /// `department` `{from, to, reason}`, `response` `{text, channel, agent,
    /// signal}`, `note` `{text}`, `customer_message` `{signal, sentiment,
    /// after_resolution}`, `first_response`/`resolved` `{wall_secs,
    /// business_secs, within_sla}`, `opened` `{kind, department, touchpoint,
    /// reason, priority}`, `auto_resolved` `{quiet_days}`.
    #[schema(value_type = Object)]
    pub details: Value,
}

fn signal_json(s: &SignalRef) -> Value {
    json!({"channel": s.channel, "external_id": s.external_id})
}

impl From<&StoredCaseEvent> for CaseEventDto {
    fn from(e: &StoredCaseEvent) -> Self {
        let kind = &e.event.kind;
        let details = match kind {
            CaseEventKind::Opened {
                kind,
                routing,
                priority,
            } => json!({
                "kind": kind.as_str(),
                "department": routing.department,
                "touchpoint": routing.touchpoint,
                "reason": routing.reason,
                "priority": priority.as_str(),
            }),
            CaseEventKind::Status { from, to } => {
                json!({"from": from.as_str(), "to": to.as_str()})
            }
            CaseEventKind::Assignee { from, to } => json!({"from": from, "to": to}),
            CaseEventKind::Department { from, to, reason } => {
                json!({"from": from, "to": to, "reason": reason})
            }
            CaseEventKind::Priority { from, to } => {
                json!({"from": from.as_str(), "to": to.as_str()})
            }
            CaseEventKind::Response {
                text,
                channel,
                agent,
                signal,
            } => json!({
                "text": text,
                "channel": channel,
                "agent": agent,
                "signal": signal.as_ref().map(signal_json),
            }),
            CaseEventKind::Note { text } => json!({ "text": text }),
            CaseEventKind::CustomerMessage {
                signal,
                sentiment,
                after_resolution,
            } => json!({
                "signal": signal_json(signal),
                "sentiment": sentiment,
                "after_resolution": after_resolution,
            }),
            CaseEventKind::FirstResponse {
                wall_secs,
                business_secs,
                within_sla,
            }
            | CaseEventKind::Resolved {
                wall_secs,
                business_secs,
                within_sla,
            } => json!({
                "wall_secs": wall_secs,
                "business_secs": business_secs,
                "within_sla": within_sla,
            }),
            CaseEventKind::Reopened => json!({}),
            CaseEventKind::AutoResolved { quiet_days } => json!({ "quiet_days": quiet_days }),
        };
        CaseEventDto {
            id: e.id,
            at: rfc3339(e.event.at),
            actor: e.event.actor.to_string(),
            kind: kind.as_str().to_string(),
            details,
        }
    }
}

/// A case with everything behind it: `GET /api/v1/cases/{id}` (and the
/// answer to every change) and `tce cases show --json`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDetailDto {
    /// The case as lists show it.
    #[serde(flatten)]
    pub case: CaseView,
    /// When the customer last wrote.
    pub last_customer_at: String,
    /// When the last response was given.
    pub last_response_at: Option<String>,
    /// How often it was re-opened.
    pub reopened: u32,
    /// The ingested messages in the order they joined, with their text.
    pub thread: Vec<ThreadMessageDto>,
    /// Every factor of the priority score with its contribution.
    pub priority_factors: Vec<PriorityFactorDto>,
    /// Both SLA clocks in full.
    pub sla_clocks: SlaClocksDto,
    /// The audit trail, oldest first.
    pub events: Vec<CaseEventDto>,
}

impl CaseDetailDto {
    /// The detail of a case: `signals` are its thread's stored signals
    /// (`Store::signals_by_ref`; missing ones show without text), `events`
    /// its log (`Store::case_events`), clocks as they stand at `now`.
    pub fn new(
        case: &Case,
        signals: &[StoredSignal],
        events: &[StoredCaseEvent],
        model: &Model,
        now: DateTime<Utc>,
    ) -> CaseDetailDto {
        let state = case.sla_state(model, now);
        let thread = case
            .thread
            .iter()
            .map(|entry| {
                let stored = signals.iter().find(|s| {
                    s.signal.signal.channel == entry.signal.channel
                        && s.signal.signal.external_id == entry.signal.external_id
                });
                ThreadMessageDto {
                    channel: entry.signal.channel.clone(),
                    external_id: entry.signal.external_id.clone(),
                    party: entry.party.as_str().to_string(),
                    author: entry.author.clone(),
                    at: rfc3339(entry.at),
                    sentiment: entry.sentiment,
                    text: stored.map(|s| s.signal.signal.text.clone()),
                    url: stored.and_then(|s| s.signal.signal.url.clone()),
                }
            })
            .collect();
        CaseDetailDto {
            case: CaseView::new(case, model, now),
            last_customer_at: rfc3339(case.last_customer_at),
            last_response_at: case.last_response_at.map(rfc3339),
            reopened: case.reopened,
            thread,
            priority_factors: case.priority.factors.iter().map(Into::into).collect(),
            sla_clocks: SlaClocksDto {
                first_response: (&state.first_response).into(),
                resolution: (&state.resolution).into(),
            },
            events: events.iter().map(Into::into).collect(),
        }
    }

    /// The (channel, external id) keys of a case's thread, to look its
    /// signals up with `Store::signals_by_ref`.
    pub fn thread_refs(case: &Case) -> Vec<(String, String)> {
        case.thread
            .iter()
            .map(|e| (e.signal.channel.clone(), e.signal.external_id.clone()))
            .collect()
    }
}

/// Absent → `None`; `null` → `Some(None)`; a value → `Some(Some(v))`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `PATCH /api/v1/cases/{id}`: the version the change was made against and
/// what to change (at least one field). Applied in this order — status,
/// assignee, priority, department — all or nothing.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatchDto {
    /// The case's `version` as the caller read it.
    pub version: u64,
    /// New status: `new`, `open`, `pending`, `resolved` or `closed` (the
    /// workflow decides which moves are allowed; re-open with `open`).
    pub status: Option<String>,
    /// The agent to assign; `null` or `""` unassigns. Assigning a new case
    /// opens it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<Option<String>>,
    /// Re-route to this department id.
    pub department: Option<String>,
    /// Why it is re-routed (with `department`).
    pub reason: Option<String>,
    /// Override the priority: `p1` … `p4`.
    pub priority: Option<String>,
}

/// `POST /api/v1/cases/{id}/responses`: a response given to the customer
/// (tce records it; it does not post it).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseResponseDto {
    /// The case's `version` as the caller read it.
    pub version: u64,
    /// What was said.
    pub text: String,
    /// The channel it was given on (default: the case's channel).
    pub channel: Option<String>,
}

/// `POST /api/v1/cases/{id}/notes`: an internal note.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseNoteDto {
    /// The case's `version` as the caller read it.
    pub version: u64,
    /// The note.
    pub text: String,
}

/// Care statistics (`tce_insight::care::CareStats`, as `tce care stats
/// --json` prints them): rows per department, channel or brand over the
/// range and per period, backlog by age, cost per channel (an assumption).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct CareStatsDto {
    /// The statistics.
    pub stats: tce_insight::care::CareStats,
}

impl utoipa::PartialSchema for CareStatsDto {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .description(Some(
                "Care statistics: by, period, coverage, now, rows, periods, backlog, cost, \
                 social_saving, currency, assumptions (see docs/api.md)",
            ))
            .into()
    }
}

impl ToSchema for CareStatsDto {}
