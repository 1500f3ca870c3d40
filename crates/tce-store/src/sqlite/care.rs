//! Cases, their threads and events in SQLite (migration 0007).
//!
//! The columns of `cases` are what lists filter and sort on; the rest of a
//! case (routing reason, priority factors, SLA clocks) is a JSON `detail`
//! written through private DTOs, so `tce_care`'s types stay free of any
//! wire format. Times are unix seconds: a case reads back to the second.

use super::read::{midnight_utc, parse_day, to_u64};
use crate::care::{
    BacklogGroup, BacklogRow, CareDailyRow, CareEventQuery, CareEventRow, CareTimingDay, CaseKeys,
    CasePage, CaseQuery, DeriveTx, StoredCaseEvent,
};
use crate::StoreError;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use tce_care::sla::{SlaClock, Timing};
use tce_care::{
    Actor, Case, CaseEvent, CaseEventKind, CaseId, CaseKind, Factor, FactorContribution, Party,
    Priority, PriorityScore, Routing, SignalRef, Status, ThreadEntry,
};

/// `breach_at` of a case that will not breach.
const NEVER: i64 = i64::MAX;

/// The active statuses (new, open, pending) as the partial queue indexes
/// say it (migration 0014): a query that says it literally can use them.
/// Two constants, not the three active ones: SQLite tests a list of three
/// or more through a temporary b-tree built each time a statement runs, and
/// it tests the indexes' condition on every case written.
const ACTIVE: &str = "status NOT IN ('resolved', 'closed')";

const CASE_COLUMNS: &str = "id, kind, brand, channel, author, department, touchpoint, status, \
     priority, assignee, opened_at, last_customer_at, first_response_at, resolved_at, closed_at, \
     breach_at, version, detail";

/// A day as `%Y-%m-%d`, without chrono's format-string interpreter (one
/// per case and per counted event at ingest).
fn day_str(d: NaiveDate) -> String {
    let y = d.year();
    if (0..=9999).contains(&y) {
        format!("{y:04}-{:02}-{:02}", d.month(), d.day())
    } else {
        d.format("%Y-%m-%d").to_string()
    }
}

fn secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn time(table: &'static str, column: &'static str, s: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(s, 0).ok_or_else(|| StoreError::Corrupt {
        table,
        column,
        value: s.to_string(),
    })
}

fn opt_time(
    table: &'static str,
    column: &'static str,
    s: Option<i64>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    s.map(|s| time(table, column, s)).transpose()
}

fn parse<T: std::str::FromStr>(
    table: &'static str,
    column: &'static str,
    s: &str,
) -> Result<T, StoreError> {
    s.parse().map_err(|_| StoreError::Corrupt {
        table,
        column,
        value: s.to_string(),
    })
}

fn json_err(table: &'static str, column: &'static str, e: serde_json::Error) -> StoreError {
    StoreError::Corrupt {
        table,
        column,
        value: e.to_string(),
    }
}

#[derive(Serialize, Deserialize)]
struct TimingDto {
    wall: i64,
    business: i64,
    within: bool,
}

impl From<Timing> for TimingDto {
    fn from(t: Timing) -> Self {
        TimingDto {
            wall: t.wall_secs,
            business: t.business_secs,
            within: t.within_sla,
        }
    }
}

impl From<TimingDto> for Timing {
    fn from(t: TimingDto) -> Self {
        Timing {
            wall_secs: t.wall,
            business_secs: t.business,
            within_sla: t.within,
        }
    }
}

/// The SLA clocks; absent options are left out.
#[derive(Serialize, Deserialize)]
struct SlaDto {
    started_at: i64,
    fr_target: i64,
    fr_due: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fr_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fr_timing: Option<TimingDto>,
    res_target: i64,
    res_due: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resolved_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    res_timing: Option<TimingDto>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    paused_since: Option<i64>,
    paused_secs: i64,
}

/// One priority factor; short keys, as a case holds five of them and every
/// change rewrites the case row.
#[derive(Serialize, Deserialize)]
struct FactorDto<'a> {
    #[serde(rename = "f")]
    factor: Cow<'a, str>,
    #[serde(rename = "v")]
    value: f64,
    #[serde(rename = "w")]
    weight: f64,
    #[serde(rename = "p")]
    points: f64,
    #[serde(rename = "d")]
    detail: Cow<'a, str>,
}

/// Written borrowing the case's strings, read back owned.
#[derive(Serialize, Deserialize)]
struct Detail<'a> {
    reason: Cow<'a, str>,
    score: f64,
    factors: Vec<FactorDto<'a>>,
    sla: SlaDto,
    reopened: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_response_at: Option<i64>,
}

fn detail_of(case: &Case) -> Result<String, StoreError> {
    let s = &case.sla;
    let d = Detail {
        reason: b(&case.routing.reason),
        score: case.priority.score,
        factors: case
            .priority
            .factors
            .iter()
            .map(|f| FactorDto {
                factor: b(f.factor.as_str()),
                value: f.value,
                weight: f.weight,
                points: f.points,
                detail: b(&f.detail),
            })
            .collect(),
        sla: SlaDto {
            started_at: secs(s.started_at),
            fr_target: s.first_response_target_secs,
            fr_due: secs(s.first_response_due),
            fr_at: s.first_response_at.map(secs),
            fr_timing: s.first_response_timing.map(TimingDto::from),
            res_target: s.resolution_target_secs,
            res_due: secs(s.resolution_due),
            resolved_at: s.resolved_at.map(secs),
            res_timing: s.resolution_timing.map(TimingDto::from),
            paused_since: s.paused_since.map(secs),
            paused_secs: s.paused_secs,
        },
        reopened: case.reopened,
        last_response_at: case.last_response_at.map(secs),
    };
    serde_json::to_string(&d).map_err(|e| json_err("cases", "detail", e))
}

/// Event payloads as stored in `case_events.data`: written borrowing the
/// event's strings, read back owned.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum EventDto<'a> {
    Opened {
        case_kind: Cow<'a, str>,
        department: Cow<'a, str>,
        touchpoint: Option<Cow<'a, str>>,
        reason: Cow<'a, str>,
        priority: Cow<'a, str>,
    },
    Status {
        from: Cow<'a, str>,
        to: Cow<'a, str>,
    },
    Assignee {
        from: Option<Cow<'a, str>>,
        to: Option<Cow<'a, str>>,
    },
    Department {
        from: Cow<'a, str>,
        to: Cow<'a, str>,
        reason: Cow<'a, str>,
    },
    Priority {
        from: Cow<'a, str>,
        to: Cow<'a, str>,
    },
    Response {
        text: Cow<'a, str>,
        channel: Cow<'a, str>,
        agent: Option<Cow<'a, str>>,
        signal: Option<(Cow<'a, str>, Cow<'a, str>)>,
    },
    Note {
        text: Cow<'a, str>,
    },
    CustomerMessage {
        signal: (Cow<'a, str>, Cow<'a, str>),
        sentiment: Option<f64>,
        after_resolution: bool,
    },
    FirstResponse {
        wall_secs: i64,
        business_secs: i64,
        within_sla: bool,
    },
    Resolved {
        wall_secs: i64,
        business_secs: i64,
        within_sla: bool,
    },
    Reopened,
    AutoResolved {
        quiet_days: f64,
    },
}

fn pair(s: &SignalRef) -> (Cow<'_, str>, Cow<'_, str>) {
    (b(&s.channel), b(&s.external_id))
}

fn signal_ref((channel, external_id): (Cow<'_, str>, Cow<'_, str>)) -> SignalRef {
    SignalRef {
        channel: channel.into_owned(),
        external_id: external_id.into_owned(),
    }
}

/// Borrowed.
fn b(s: &str) -> Cow<'_, str> {
    Cow::Borrowed(s)
}

fn ob(s: &Option<String>) -> Option<Cow<'_, str>> {
    s.as_deref().map(Cow::Borrowed)
}

fn event_dto(kind: &CaseEventKind) -> EventDto<'_> {
    match kind {
        CaseEventKind::Opened {
            kind,
            routing,
            priority,
        } => EventDto::Opened {
            case_kind: b(kind.as_str()),
            department: b(&routing.department),
            touchpoint: ob(&routing.touchpoint),
            reason: b(&routing.reason),
            priority: b(priority.as_str()),
        },
        CaseEventKind::Status { from, to } => EventDto::Status {
            from: b(from.as_str()),
            to: b(to.as_str()),
        },
        CaseEventKind::Assignee { from, to } => EventDto::Assignee {
            from: ob(from),
            to: ob(to),
        },
        CaseEventKind::Department { from, to, reason } => EventDto::Department {
            from: b(from),
            to: b(to),
            reason: b(reason),
        },
        CaseEventKind::Priority { from, to } => EventDto::Priority {
            from: b(from.as_str()),
            to: b(to.as_str()),
        },
        CaseEventKind::Response {
            text,
            channel,
            agent,
            signal,
        } => EventDto::Response {
            text: b(text),
            channel: b(channel),
            agent: ob(agent),
            signal: signal.as_ref().map(pair),
        },
        CaseEventKind::Note { text } => EventDto::Note { text: b(text) },
        CaseEventKind::CustomerMessage {
            signal,
            sentiment,
            after_resolution,
        } => EventDto::CustomerMessage {
            signal: pair(signal),
            sentiment: *sentiment,
            after_resolution: *after_resolution,
        },
        CaseEventKind::FirstResponse {
            wall_secs,
            business_secs,
            within_sla,
        } => EventDto::FirstResponse {
            wall_secs: *wall_secs,
            business_secs: *business_secs,
            within_sla: *within_sla,
        },
        CaseEventKind::Resolved {
            wall_secs,
            business_secs,
            within_sla,
        } => EventDto::Resolved {
            wall_secs: *wall_secs,
            business_secs: *business_secs,
            within_sla: *within_sla,
        },
        CaseEventKind::Reopened => EventDto::Reopened,
        CaseEventKind::AutoResolved { quiet_days } => EventDto::AutoResolved {
            quiet_days: *quiet_days,
        },
    }
}

fn owned(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

fn event_kind(dto: EventDto<'_>) -> Result<CaseEventKind, StoreError> {
    let status = |s: &str| parse::<Status>("case_events", "data", s);
    let priority = |s: &str| parse::<Priority>("case_events", "data", s);
    Ok(match dto {
        EventDto::Opened {
            case_kind,
            department,
            touchpoint,
            reason,
            priority: p,
        } => CaseEventKind::Opened {
            kind: parse("case_events", "data", &case_kind)?,
            routing: Routing {
                department: department.into_owned(),
                touchpoint: owned(touchpoint),
                reason: reason.into_owned(),
            },
            priority: priority(&p)?,
        },
        EventDto::Status { from, to } => CaseEventKind::Status {
            from: status(&from)?,
            to: status(&to)?,
        },
        EventDto::Assignee { from, to } => CaseEventKind::Assignee {
            from: owned(from),
            to: owned(to),
        },
        EventDto::Department { from, to, reason } => CaseEventKind::Department {
            from: from.into_owned(),
            to: to.into_owned(),
            reason: reason.into_owned(),
        },
        EventDto::Priority { from, to } => CaseEventKind::Priority {
            from: priority(&from)?,
            to: priority(&to)?,
        },
        EventDto::Response {
            text,
            channel,
            agent,
            signal,
        } => CaseEventKind::Response {
            text: text.into_owned(),
            channel: channel.into_owned(),
            agent: owned(agent),
            signal: signal.map(signal_ref),
        },
        EventDto::Note { text } => CaseEventKind::Note {
            text: text.into_owned(),
        },
        EventDto::CustomerMessage {
            signal,
            sentiment,
            after_resolution,
        } => CaseEventKind::CustomerMessage {
            signal: signal_ref(signal),
            sentiment,
            after_resolution,
        },
        EventDto::FirstResponse {
            wall_secs,
            business_secs,
            within_sla,
        } => CaseEventKind::FirstResponse {
            wall_secs,
            business_secs,
            within_sla,
        },
        EventDto::Resolved {
            wall_secs,
            business_secs,
            within_sla,
        } => CaseEventKind::Resolved {
            wall_secs,
            business_secs,
            within_sla,
        },
        EventDto::Reopened => CaseEventKind::Reopened,
        EventDto::AutoResolved { quiet_days } => CaseEventKind::AutoResolved { quiet_days },
    })
}

fn actor_str(a: &Actor) -> &str {
    match a {
        Actor::System => "system",
        Actor::Customer => "customer",
        Actor::Agent(name) => name,
    }
}

fn actor_of(s: &str) -> Actor {
    match s {
        "system" => Actor::System,
        "customer" => Actor::Customer,
        name => Actor::Agent(name.to_string()),
    }
}

fn breach_at(case: &Case) -> i64 {
    case.sla.breach_at().map_or(NEVER, secs)
}

/// Inserts a new case with its thread and events.
pub(super) fn insert_case(
    conn: &Connection,
    case: &Case,
    events: &[CaseEvent],
    aggregates: &mut CareAggregates,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO cases (id, kind, brand, channel, author, department, touchpoint, status, \
         priority, assignee, opened_at, last_customer_at, first_response_at, resolved_at, \
         closed_at, breach_at, version, detail) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(params![
        case_id(case.id)?,
        case.kind.as_str(),
        case.brand,
        case.channel,
        case.author,
        case.routing.department,
        case.routing.touchpoint,
        case.status.as_str(),
        case.priority.priority.as_str(),
        case.assignee,
        secs(case.opened_at),
        secs(case.last_customer_at),
        case.first_response_at.map(secs),
        case.resolved_at.map(secs),
        case.closed_at.map(secs),
        breach_at(case),
        version(case.version),
        detail_of(case)?,
    ])?;
    aggregates.moved(None, case_backlog_key(case));
    write_messages(conn, case, 0)?;
    append_events(conn, case, events, aggregates)
}

fn case_id(id: CaseId) -> Result<i64, StoreError> {
    i64::try_from(id.0).map_err(|_| StoreError::Corrupt {
        table: "cases",
        column: "id",
        value: id.0.to_string(),
    })
}

fn version(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Stores a changed case if its stored version is `expected`.
pub(super) fn update_case(
    conn: &Connection,
    case: &Case,
    expected: u64,
    events: &[CaseEvent],
    aggregates: &mut CareAggregates,
) -> Result<(), StoreError> {
    let id = case_id(case.id)?;
    // What the stored case was, in one read: its backlog group, version and
    // how many messages of its thread are stored.
    let before = conn
        .prepare_cached(
            "SELECT department, brand, channel, kind, priority, status, opened_at, version, \
             (SELECT count(*) FROM case_messages WHERE case_id = ?1) FROM cases WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                (
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                ),
                r.get::<_, i64>(7)?,
                r.get::<_, i64>(8)?,
            ))
        })
        .optional()?;
    let Some(((d, b, c, k, p, st, at), current, stored)) = before else {
        return Err(StoreError::NoSuchCase(case.id.0));
    };
    let stale = || StoreError::StaleCase {
        case: case.id.0,
        expected,
        current: to_u64(current),
    };
    if to_u64(current) != expected {
        return Err(stale());
    }
    let changed = conn
        .prepare_cached(
            "UPDATE cases SET department = ?2, touchpoint = ?3, status = ?4, priority = ?5, \
             assignee = ?6, last_customer_at = ?7, first_response_at = ?8, resolved_at = ?9, \
             closed_at = ?10, breach_at = ?11, version = ?12, detail = ?13 \
             WHERE id = ?1 AND version = ?14",
        )?
        .execute(params![
            id,
            case.routing.department,
            case.routing.touchpoint,
            case.status.as_str(),
            case.priority.priority.as_str(),
            case.assignee,
            secs(case.last_customer_at),
            case.first_response_at.map(secs),
            case.resolved_at.map(secs),
            case.closed_at.map(secs),
            breach_at(case),
            version(case.version),
            detail_of(case)?,
            version(expected),
        ])?;
    if changed == 0 {
        return Err(stale());
    }
    aggregates.moved(
        backlog_key(&d, &b, &c, &k, &p, &st, at),
        case_backlog_key(case),
    );
    write_messages(conn, case, to_u64(stored) as usize)?;
    append_events(conn, case, events, aggregates)
}

/// Writes the thread from position `stored` on (the messages before it are
/// stored already).
fn write_messages(conn: &Connection, case: &Case, stored: usize) -> Result<(), StoreError> {
    let id = case_id(case.id)?;
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO case_messages (case_id, position, channel, external_id, party, \
         author, at, sentiment, needs_action) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (position, m) in case.thread.iter().enumerate().skip(stored) {
        insert.execute(params![
            id,
            position as i64,
            m.signal.channel,
            m.signal.external_id,
            m.party.as_str(),
            m.author,
            secs(m.at),
            m.sentiment,
            m.needs_action,
        ])?;
    }
    Ok(())
}

fn timing_of(kind: &CaseEventKind) -> (Option<i64>, Option<i64>, Option<bool>) {
    match kind {
        CaseEventKind::FirstResponse {
            wall_secs,
            business_secs,
            within_sla,
        }
        | CaseEventKind::Resolved {
            wall_secs,
            business_secs,
            within_sla,
        } => (Some(*wall_secs), Some(*business_secs), Some(*within_sla)),
        _ => (None, None, None),
    }
}

/// The sentiment above which a customer's word after resolution counts as
/// positive (VADER's usual cut).
const POSITIVE: f64 = 0.05;

/// Counts of one day × department × brand × channel in `care_daily`.
#[derive(Debug, Default, Clone, Copy)]
struct DailyCounts {
    opened: i64,
    responses: i64,
    reopened: i64,
    after_n: i64,
    after_sum: f64,
    after_pos: i64,
}

/// A `care_backlog` group: department, brand, channel, kind, priority,
/// status, opening day.
type BacklogKey = (String, String, String, String, String, String, String);

/// The first responses or resolutions of one `care_timing_daily` cell
/// gathered in a transaction: durations as the comma-separated integers the
/// table holds.
#[derive(Debug, Default)]
struct TimingCell {
    n: i64,
    within: i64,
    wall_secs: String,
    business_secs: String,
}

/// A `care_timing_daily` cell: day, department, brand, channel, kind.
type TimingKey = (String, String, String, String, &'static str);

/// Changes to the care aggregates (`care_daily`, `care_timing_daily`,
/// `care_backlog`) gathered while cases are written, applied once per
/// transaction by [`CareAggregates::flush`].
#[derive(Debug, Default)]
pub(super) struct CareAggregates {
    daily: FxHashMap<(String, String, String, String), DailyCounts>,
    timing: FxHashMap<TimingKey, TimingCell>,
    backlog: FxHashMap<BacklogKey, i64>,
}

/// A case's backlog group, if it is active.
fn backlog_key(
    department: &str,
    brand: &str,
    channel: &str,
    kind: &str,
    priority: &str,
    status: &str,
    opened_at: i64,
) -> Option<BacklogKey> {
    if !matches!(status, "new" | "open" | "pending") {
        return None;
    }
    let day = DateTime::from_timestamp(opened_at, 0)
        .map(|t| day_str(t.date_naive()))
        .unwrap_or_default();
    Some((
        department.to_string(),
        brand.to_string(),
        channel.to_string(),
        kind.to_string(),
        priority.to_string(),
        status.to_string(),
        day,
    ))
}

fn case_backlog_key(case: &Case) -> Option<BacklogKey> {
    backlog_key(
        &case.routing.department,
        &case.brand,
        &case.channel,
        case.kind.as_str(),
        case.priority.priority.as_str(),
        case.status.as_str(),
        secs(case.opened_at),
    )
}

impl CareAggregates {
    /// A case leaves one backlog group and enters another (either may be
    /// none: not active).
    fn moved(&mut self, from: Option<BacklogKey>, to: Option<BacklogKey>) {
        if from == to {
            return;
        }
        if let Some(k) = from {
            *self.backlog.entry(k).or_default() -= 1;
        }
        if let Some(k) = to {
            *self.backlog.entry(k).or_default() += 1;
        }
    }

    fn add(&mut self, case: &Case, e: &CaseEvent) {
        if let (Some(wall), Some(business), Some(within)) = timing_of(&e.kind) {
            let key = (
                day_str(e.at.date_naive()),
                case.routing.department.clone(),
                case.brand.clone(),
                case.channel.clone(),
                e.kind.as_str(),
            );
            let t = self.timing.entry(key).or_default();
            if t.n > 0 {
                t.wall_secs.push(',');
                t.business_secs.push(',');
            }
            t.n += 1;
            t.within += i64::from(within);
            // Writing to a String cannot fail.
            let _ = write!(t.wall_secs, "{wall}");
            let _ = write!(t.business_secs, "{business}");
            return;
        }
        let mut c = DailyCounts::default();
        match &e.kind {
            CaseEventKind::Opened { .. } => c.opened = 1,
            CaseEventKind::Response { .. } => c.responses = 1,
            CaseEventKind::Reopened => c.reopened = 1,
            CaseEventKind::CustomerMessage {
                sentiment: Some(s),
                after_resolution: true,
                ..
            } => {
                c.after_n = 1;
                c.after_sum = *s;
                c.after_pos = i64::from(*s > POSITIVE);
            }
            _ => return,
        }
        let key = (
            day_str(e.at.date_naive()),
            case.routing.department.clone(),
            case.brand.clone(),
            case.channel.clone(),
        );
        let t = self.daily.entry(key).or_default();
        t.opened += c.opened;
        t.responses += c.responses;
        t.reopened += c.reopened;
        t.after_n += c.after_n;
        t.after_sum += c.after_sum;
        t.after_pos += c.after_pos;
    }

    /// Adds the gathered counts to `care_daily` and forgets them.
    pub(super) fn flush(&mut self, conn: &Connection) -> Result<(), StoreError> {
        if !self.backlog.is_empty() {
            let mut upsert = conn.prepare_cached(
                "INSERT INTO care_backlog (department, brand, channel, kind, priority, status, \
                 opened_day, n) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT DO UPDATE SET n = n + excluded.n",
            )?;
            for ((department, brand, channel, kind, priority, status, day), n) in
                self.backlog.drain()
            {
                if n == 0 {
                    continue;
                }
                upsert.execute(params![
                    department, brand, channel, kind, priority, status, day, n
                ])?;
                if n < 0 {
                    conn.prepare_cached(
                        "DELETE FROM care_backlog WHERE department = ?1 AND brand = ?2 \
                         AND channel = ?3 AND kind = ?4 AND priority = ?5 AND status = ?6 \
                         AND opened_day = ?7 AND n <= 0",
                    )?
                    .execute(params![
                        department, brand, channel, kind, priority, status, day
                    ])?;
                }
            }
        }
        if !self.timing.is_empty() {
            let mut upsert = conn.prepare_cached(
                "INSERT INTO care_timing_daily (day, department, brand, channel, kind, n, within, \
                 wall_secs, business_secs) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT DO UPDATE SET n = n + excluded.n, within = within + excluded.within, \
                 wall_secs = wall_secs || ',' || excluded.wall_secs, \
                 business_secs = business_secs || ',' || excluded.business_secs",
            )?;
            for ((day, department, brand, channel, kind), t) in self.timing.drain() {
                upsert.execute(params![
                    day,
                    department,
                    brand,
                    channel,
                    kind,
                    t.n,
                    t.within,
                    t.wall_secs,
                    t.business_secs
                ])?;
            }
        }
        if self.daily.is_empty() {
            return Ok(());
        }
        let mut upsert = conn.prepare_cached(
            "INSERT INTO care_daily (day, department, brand, channel, opened, responses, \
             reopened, after_n, after_sum, after_pos) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
             ON CONFLICT DO UPDATE SET opened = opened + excluded.opened, \
             responses = responses + excluded.responses, reopened = reopened + excluded.reopened, \
             after_n = after_n + excluded.after_n, after_sum = after_sum + excluded.after_sum, \
             after_pos = after_pos + excluded.after_pos",
        )?;
        for ((day, department, brand, channel), c) in self.daily.drain() {
            upsert.execute(params![
                day,
                department,
                brand,
                channel,
                c.opened,
                c.responses,
                c.reopened,
                c.after_n,
                c.after_sum,
                c.after_pos
            ])?;
        }
        Ok(())
    }
}

/// Rebuilds `care_daily` and `care_timing_daily` from the event log (after
/// a purge took events away).
pub(super) fn rebuild_daily(conn: &Connection) -> Result<(), StoreError> {
    conn.execute("DELETE FROM care_timing_daily", [])?;
    conn.execute(
        "INSERT INTO care_timing_daily (day, department, brand, channel, kind, n, within, \
         wall_secs, business_secs) \
         SELECT date(at, 'unixepoch'), department, brand, channel, kind, count(*), \
         ifnull(sum(within_sla), 0), group_concat(wall_secs, ','), \
         group_concat(business_secs, ',') \
         FROM case_events INDEXED BY case_events_timing WHERE wall_secs IS NOT NULL \
         GROUP BY 1, 2, 3, 4, 5",
        [],
    )?;
    conn.execute("DELETE FROM care_daily", [])?;
    conn.execute(
        &format!(
            "INSERT INTO care_daily (day, department, brand, channel, opened, responses, reopened, \
             after_n, after_sum, after_pos) \
             SELECT date(at, 'unixepoch'), department, brand, channel, \
             sum(kind = 'opened'), sum(kind = 'response'), sum(kind = 'reopened'), \
             sum(after_resolution AND sentiment IS NOT NULL), \
             total(CASE WHEN after_resolution THEN sentiment END), \
             sum(after_resolution AND sentiment > {POSITIVE}) \
             FROM case_events WHERE kind IN ('opened', 'response', 'reopened', 'customer_message') \
             GROUP BY 1, 2, 3, 4"
        ),
        [],
    )?;
    Ok(())
}

/// One event per statement: an insert of several rows would need a
/// statement journal (it could fail halfway), copying every page it
/// touches — dearer than the statements it saves.
fn append_events(
    conn: &Connection,
    case: &Case,
    events: &[CaseEvent],
    aggregates: &mut CareAggregates,
) -> Result<(), StoreError> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO case_events (case_id, at, actor, kind, department, brand, channel, \
         priority, wall_secs, business_secs, within_sla, sentiment, after_resolution, data) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    for e in events {
        let (wall, business, within) = timing_of(&e.kind);
        let (sentiment, after) = match &e.kind {
            CaseEventKind::CustomerMessage {
                sentiment,
                after_resolution,
                ..
            } => (*sentiment, *after_resolution),
            _ => (None, false),
        };
        let data = serde_json::to_string(&event_dto(&e.kind))
            .map_err(|err| json_err("case_events", "data", err))?;
        insert.execute(params![
            case_id(e.case)?,
            secs(e.at),
            actor_str(&e.actor),
            e.kind.as_str(),
            case.routing.department,
            case.brand,
            case.channel,
            case.priority.priority.as_str(),
            wall,
            business,
            within,
            sentiment,
            after,
            data,
        ])?;
        aggregates.add(case, e);
    }
    Ok(())
}

fn case_from_row(r: &Row<'_>) -> Result<Case, StoreError> {
    let text = |i: usize| -> Result<String, StoreError> { Ok(r.get::<_, String>(i)?) };
    let detail: Detail =
        serde_json::from_str(r.get_ref(17)?.as_str().map_err(rusqlite::Error::from)?)
            .map_err(|e| json_err("cases", "detail", e))?;
    let t = |c: &'static str, s: i64| time("cases", c, s);
    let ot = |c: &'static str, s: Option<i64>| opt_time("cases", c, s);
    let sla = SlaClock {
        started_at: t("detail", detail.sla.started_at)?,
        first_response_target_secs: detail.sla.fr_target,
        first_response_due: t("detail", detail.sla.fr_due)?,
        first_response_at: ot("detail", detail.sla.fr_at)?,
        first_response_timing: detail.sla.fr_timing.map(Timing::from),
        resolution_target_secs: detail.sla.res_target,
        resolution_due: t("detail", detail.sla.res_due)?,
        resolved_at: ot("detail", detail.sla.resolved_at)?,
        resolution_timing: detail.sla.res_timing.map(Timing::from),
        paused_since: ot("detail", detail.sla.paused_since)?,
        paused_secs: detail.sla.paused_secs,
    };
    let factors = detail
        .factors
        .into_iter()
        .map(|f| {
            Ok(FactorContribution {
                factor: parse::<Factor>("cases", "detail", &f.factor)?,
                value: f.value,
                weight: f.weight,
                points: f.points,
                detail: f.detail.into_owned(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Case {
        id: CaseId(to_u64(r.get(0)?)),
        kind: parse::<CaseKind>("cases", "kind", &text(1)?)?,
        brand: text(2)?,
        channel: text(3)?,
        author: r.get(4)?,
        routing: Routing {
            department: text(5)?,
            touchpoint: r.get(6)?,
            reason: detail.reason.into_owned(),
        },
        priority: PriorityScore {
            priority: parse::<Priority>("cases", "priority", &text(8)?)?,
            score: detail.score,
            factors,
        },
        status: parse::<Status>("cases", "status", &text(7)?)?,
        assignee: r.get(9)?,
        opened_at: t("opened_at", r.get(10)?)?,
        last_customer_at: t("last_customer_at", r.get(11)?)?,
        thread: Vec::new(),
        sla,
        first_response_at: ot("first_response_at", r.get(12)?)?,
        last_response_at: ot("detail", detail.last_response_at)?,
        resolved_at: ot("resolved_at", r.get(13)?)?,
        closed_at: ot("closed_at", r.get(14)?)?,
        reopened: detail.reopened,
        version: to_u64(r.get(16)?),
    })
}

fn attach_threads(conn: &Connection, cases: &mut [Case]) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT channel, external_id, party, author, at, sentiment, needs_action \
         FROM case_messages WHERE case_id = ?1 ORDER BY position",
    )?;
    for case in cases {
        let mut rows = stmt.query([case_id(case.id)?])?;
        while let Some(r) = rows.next()? {
            let party: String = r.get(2)?;
            case.thread.push(ThreadEntry {
                signal: SignalRef {
                    channel: r.get(0)?,
                    external_id: r.get(1)?,
                },
                party: parse::<Party>("case_messages", "party", &party)?,
                author: r.get(3)?,
                at: time("case_messages", "at", r.get(4)?)?,
                sentiment: r.get(5)?,
                needs_action: r.get(6)?,
            });
        }
    }
    Ok(())
}

fn load_cases(conn: &Connection, ids: &[i64]) -> Result<Vec<Case>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?1"))?;
    let mut cases = Vec::with_capacity(ids.len());
    for id in ids {
        let mut rows = stmt.query([id])?;
        if let Some(r) = rows.next()? {
            cases.push(case_from_row(r)?);
        }
    }
    attach_threads(conn, &mut cases)?;
    Ok(cases)
}

/// One case with its thread.
pub(super) fn case(conn: &Connection, id: CaseId) -> Result<Option<Case>, StoreError> {
    Ok(load_cases(conn, &[case_id(id)?])?.pop())
}

/// The not-closed cases of the keys' authors and those holding the keys' messages.
pub(super) fn cases_for(conn: &Connection, keys: &CaseKeys) -> Result<Vec<Case>, StoreError> {
    let mut ids = BTreeSet::new();
    if !keys.authors.is_empty() {
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM cases WHERE author = ?1 AND channel = ?2 AND status <> 'closed'",
        )?;
        for (author, channel) in &keys.authors {
            let mut rows = stmt.query(params![author, channel])?;
            while let Some(r) = rows.next()? {
                ids.insert(r.get::<_, i64>(0)?);
            }
        }
    }
    if !keys.messages.is_empty() {
        let mut stmt = conn.prepare_cached(
            "SELECT m.case_id FROM case_messages m JOIN cases c ON c.id = m.case_id \
             WHERE m.channel = ?1 AND m.external_id = ?2 AND c.status <> 'closed'",
        )?;
        for (channel, external_id) in &keys.messages {
            let mut rows = stmt.query(params![channel, external_id])?;
            while let Some(r) = rows.next()? {
                ids.insert(r.get::<_, i64>(0)?);
            }
        }
    }
    let ids: Vec<i64> = ids.into_iter().collect();
    load_cases(conn, &ids)
}

/// The next free case id.
pub(super) fn max_case_id(conn: &Connection) -> Result<u64, StoreError> {
    let max: i64 = conn
        .prepare_cached("SELECT ifnull(max(id), 0) FROM cases")?
        .query_row([], |r| r.get(0))?;
    Ok(to_u64(max))
}

fn encode_cursor(c: &Case) -> String {
    format!(
        "{}.{}.{}",
        c.priority.priority.as_str(),
        breach_at(c),
        c.id.0
    )
}

fn decode_cursor(s: &str) -> Result<(String, i64, i64), StoreError> {
    let bad = || StoreError::InvalidCursor(s.to_string());
    let mut parts = s.splitn(3, '.');
    let p = parts.next().ok_or_else(bad)?;
    p.parse::<Priority>().map_err(|_| bad())?;
    let b = parts.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
    let id = parts.next().and_then(|x| x.parse().ok()).ok_or_else(bad)?;
    Ok((p.to_string(), b, id))
}

fn push_in(sql: &mut String, args: &mut Vec<Value>, column: &str, values: &[String]) {
    sql.push_str(&format!(" AND {column} IN ("));
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            sql.push(',');
        }
        sql.push('?');
        args.push(Value::Text(v.clone()));
    }
    sql.push(')');
}

/// One page of cases in queue order.
pub(super) fn cases(conn: &Connection, q: &CaseQuery) -> Result<CasePage, StoreError> {
    let limit = q.effective_limit();
    let mut sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(departments) = &q.departments {
        if departments.is_empty() {
            return Ok(CasePage {
                items: Vec::new(),
                next_cursor: None,
            });
        }
        push_in(&mut sql, &mut args, "department", departments);
    }
    if !q.statuses.is_empty() {
        // Statuses are our own ids, written literally: a query for active
        // cases then says what the partial queue indexes say (migration
        // 0014), so SQLite walks them in queue order instead of sorting.
        if q.statuses.iter().all(|s| s.is_active()) {
            sql.push_str(&format!(" AND {ACTIVE}"));
        }
        let statuses: Vec<String> = q
            .statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        sql.push_str(&format!(" AND status IN ({})", statuses.join(", ")));
    }
    if let Some(p) = q.priority {
        sql.push_str(" AND priority = ?");
        args.push(Value::Text(p.as_str().into()));
    }
    if let Some(b) = &q.brand {
        sql.push_str(" AND brand = ?");
        args.push(Value::Text(b.clone()));
    }
    if let Some(k) = q.kind {
        sql.push_str(" AND kind = ?");
        args.push(Value::Text(k.as_str().into()));
    }
    if let Some(now) = q.breached_at {
        sql.push_str(" AND breach_at <= ?");
        args.push(Value::Integer(secs(now)));
    }
    if let Some(c) = &q.cursor {
        let (p, b, id) = decode_cursor(c)?;
        sql.push_str(" AND (priority, breach_at, id) > (?, ?, ?)");
        args.extend([Value::Text(p), Value::Integer(b), Value::Integer(id)]);
    }
    sql.push_str(&format!(
        " ORDER BY priority, breach_at, id LIMIT {}",
        limit + 1
    ));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    let mut items = Vec::with_capacity(limit + 1);
    while let Some(r) = rows.next()? {
        items.push(case_from_row(r)?);
    }
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(encode_cursor)
    } else {
        None
    };
    attach_threads(conn, &mut items)?;
    Ok(CasePage { items, next_cursor })
}

/// A case's events in the order they were appended.
pub(super) fn case_events(
    conn: &Connection,
    id: CaseId,
) -> Result<Vec<StoredCaseEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, data FROM case_events WHERE case_id = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([case_id(id)?])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let data: String = r.get(3)?;
        let dto: EventDto =
            serde_json::from_str(&data).map_err(|e| json_err("case_events", "data", e))?;
        let actor: String = r.get(2)?;
        out.push(StoredCaseEvent {
            id: r.get(0)?,
            event: CaseEvent {
                case: id,
                at: time("case_events", "at", r.get(1)?)?,
                actor: actor_of(&actor),
                kind: event_kind(dto)?,
            },
        });
    }
    Ok(out)
}

/// Care events for metrics.
pub(super) fn care_events(
    conn: &Connection,
    q: &CareEventQuery,
) -> Result<Vec<CareEventRow>, StoreError> {
    let mut sql = String::from(
        "SELECT case_id, at, kind, actor, department, brand, channel, priority, wall_secs, \
         business_secs, within_sla, sentiment, after_resolution FROM case_events WHERE 1 = 1",
    );
    let mut args: Vec<Value> = Vec::new();
    if !q.kinds.is_empty() {
        push_in(&mut sql, &mut args, "kind", &q.kinds);
        if q.kinds
            .iter()
            .all(|k| k == "first_response" || k == "resolved")
        {
            // Only timed events: the timing index finds them by time.
            sql.push_str(" AND wall_secs IS NOT NULL");
        }
    }
    if let Some(from) = q.from {
        sql.push_str(" AND at >= ?");
        args.push(Value::Integer(secs(from)));
    }
    if let Some(to) = q.to {
        sql.push_str(" AND at < ?");
        args.push(Value::Integer(secs(to)));
    }
    if let Some(d) = &q.departments {
        if d.is_empty() {
            return Ok(Vec::new());
        }
        push_in(&mut sql, &mut args, "department", d);
    }
    sql.push_str(" ORDER BY at, id");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let kind: String = r.get(2)?;
        let after_resolution: bool = r.get(12)?;
        let priority: String = r.get(7)?;
        out.push(CareEventRow {
            case: CaseId(to_u64(r.get(0)?)),
            at: time("case_events", "at", r.get(1)?)?,
            kind,
            actor: r.get(3)?,
            department: r.get(4)?,
            brand: r.get(5)?,
            channel: r.get(6)?,
            priority: parse("case_events", "priority", &priority)?,
            wall_secs: r.get(8)?,
            business_secs: r.get(9)?,
            within_sla: r.get(10)?,
            sentiment: r.get(11)?,
            after_resolution,
        });
    }
    Ok(out)
}

/// Care counts per day in a range (see [`crate::Store::care_daily`]).
pub(super) fn care_daily(
    conn: &Connection,
    q: &CareEventQuery,
) -> Result<Vec<CareDailyRow>, StoreError> {
    let mut sql = String::from(
        "SELECT day, department, brand, channel, opened, responses, reopened, after_n, \
         after_sum, after_pos FROM care_daily WHERE 1 = 1",
    );
    let mut args: Vec<Value> = Vec::new();
    push_days(&mut sql, &mut args, q);
    if let Some(d) = &q.departments {
        if d.is_empty() {
            return Ok(Vec::new());
        }
        push_in(&mut sql, &mut args, "department", d);
    }
    sql.push_str(" ORDER BY day");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let day: String = r.get(0)?;
        out.push(CareDailyRow {
            day: parse_day("care_daily", "day", &day)?,
            department: r.get(1)?,
            brand: r.get(2)?,
            channel: r.get(3)?,
            opened: to_u64(r.get(4)?),
            responses: to_u64(r.get(5)?),
            reopened: to_u64(r.get(6)?),
            after_resolution: to_u64(r.get(7)?),
            after_sentiment_sum: r.get(8)?,
            after_positive: to_u64(r.get(9)?),
        });
    }
    Ok(out)
}

/// The latest day in `care_daily` (its key starts with the day).
pub(super) fn care_last_day(conn: &Connection) -> Result<Option<NaiveDate>, StoreError> {
    let day: Option<String> = conn
        .prepare_cached("SELECT max(day) FROM care_daily")?
        .query_row([], |r| r.get(0))?;
    day.map(|d| parse_day("care_daily", "day", &d)).transpose()
}

/// The `day >= ? AND day < ?` filter of a range in whole UTC days: `to` is
/// exclusive, a day counts when it starts before it.
fn push_days(sql: &mut String, args: &mut Vec<Value>, q: &CareEventQuery) {
    if let Some(from) = q.from {
        sql.push_str(" AND day >= ?");
        args.push(Value::Text(day_str(from.date_naive())));
    }
    if let Some(to) = q.to {
        sql.push_str(" AND day < ?");
        let last = if to.time() == chrono::NaiveTime::MIN {
            to.date_naive()
        } else {
            to.date_naive() + chrono::Duration::days(1)
        };
        args.push(Value::Text(day_str(last)));
    }
}

/// Parses a `care_timing_daily` list of `n` durations. By bytes: a page
/// parses hundreds of thousands, and `str::split` + `parse` took a quarter
/// of the Care page's time at 10M signals.
fn durations(column: &'static str, list: &str, n: usize) -> Result<Vec<i64>, StoreError> {
    let corrupt = || StoreError::Corrupt {
        table: "care_timing_daily",
        column,
        value: list.chars().take(80).collect(),
    };
    let mut out = Vec::with_capacity(n);
    for part in list.as_bytes().split(|&b| b == b',') {
        let (negative, digits) = match part.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, part),
        };
        if digits.is_empty() {
            return Err(corrupt());
        }
        let mut v: i64 = 0;
        for &b in digits {
            if !b.is_ascii_digit() {
                return Err(corrupt());
            }
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(b - b'0')))
                .ok_or_else(corrupt)?;
        }
        out.push(if negative { -v } else { v });
    }
    Ok(out)
}

/// First responses and resolutions per day and cell in a range (see
/// [`crate::Store::care_timing_days`]).
pub(super) fn care_timing_days(
    conn: &Connection,
    q: &CareEventQuery,
) -> Result<Vec<CareTimingDay>, StoreError> {
    let mut sql = String::from(
        "SELECT day, department, brand, channel, kind, within, wall_secs, business_secs, n \
         FROM care_timing_daily WHERE 1 = 1",
    );
    let mut args: Vec<Value> = Vec::new();
    push_days(&mut sql, &mut args, q);
    if let Some(d) = &q.departments {
        if d.is_empty() {
            return Ok(Vec::new());
        }
        push_in(&mut sql, &mut args, "department", d);
    }
    sql.push_str(" ORDER BY day");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let day: String = r.get(0)?;
        let kind = r.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?;
        let n = usize::try_from(r.get::<_, i64>(8)?).unwrap_or(0);
        let text = |i: usize| -> Result<&str, StoreError> {
            Ok(r.get_ref(i)?.as_str().map_err(rusqlite::Error::from)?)
        };
        out.push(CareTimingDay {
            day: parse_day("care_timing_daily", "day", &day)?,
            department: r.get(1)?,
            brand: r.get(2)?,
            channel: r.get(3)?,
            resolution: kind == "resolved",
            within_sla: to_u64(r.get(5)?),
            wall_secs: durations("wall_secs", text(6)?, n)?,
            business_secs: durations("business_secs", text(7)?, n)?,
        });
    }
    Ok(out)
}

/// The active cases grouped by department, brand or channel and opening
/// day, with how many are in breach at `now`. The counts come from
/// `care_backlog` (kept as cases are written), grouped in SQL; the breaches
/// are the count minus the cases not yet due, read from the queue-order
/// index (a range per priority), so neither reads every active case.
pub(super) fn backlog(
    conn: &Connection,
    now: DateTime<Utc>,
    by: BacklogGroup,
    departments: Option<&[String]>,
) -> Result<Vec<BacklogRow>, StoreError> {
    if departments.is_some_and(<[String]>::is_empty) {
        return Ok(Vec::new());
    }
    let column = by.column();
    let filter = |sql: &mut String, args: &mut Vec<Value>| {
        if let Some(d) = departments {
            push_in(sql, args, "department", d);
        }
    };
    // Summed here, not by GROUP BY: SQLite sorts every row of the table
    // (tens of thousands at 10M signals) for it, a hash map need not.
    let mut sql = format!("SELECT {column}, opened_day, n FROM care_backlog WHERE n > 0");
    let mut args = Vec::new();
    filter(&mut sql, &mut args);
    let mut sums: FxHashMap<String, FxHashMap<String, i64>> = FxHashMap::default();
    {
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            let key = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
            let day = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let n: i64 = r.get(2)?;
            if !sums.contains_key(key) {
                sums.insert(key.to_string(), FxHashMap::default());
            }
            if let Some(days) = sums.get_mut(key) {
                match days.get_mut(day) {
                    Some(sum) => *sum += n,
                    None => {
                        days.insert(day.to_string(), n);
                    }
                }
            }
        }
    }
    let mut counts: Vec<((String, String), i64)> = sums
        .into_iter()
        .flat_map(|(key, days)| {
            days.into_iter()
                .map(move |(day, n)| ((key.clone(), day), n))
        })
        .collect();
    counts.sort_unstable();
    // Not yet due: one range of the active queue index per priority.
    let mut sql = format!(
        "SELECT {column}, date(opened_at, 'unixepoch'), count(*) \
         FROM cases INDEXED BY cases_active_order \
         WHERE {ACTIVE} AND priority = ? AND breach_at > ?"
    );
    let mut base = Vec::new();
    filter(&mut sql, &mut base);
    sql.push_str(" GROUP BY 1, 2");
    let mut not_due: FxHashMap<(String, String), i64> = FxHashMap::default();
    {
        let mut stmt = conn.prepare_cached(&sql)?;
        for p in Priority::ALL {
            let mut args = vec![Value::Text(p.as_str().into()), Value::Integer(secs(now))];
            args.extend(base.iter().cloned());
            let mut rows = stmt.query(params_from_iter(args))?;
            while let Some(r) = rows.next()? {
                *not_due.entry((r.get(0)?, r.get(1)?)).or_default() += r.get::<_, i64>(2)?;
            }
        }
    }
    counts
        .into_iter()
        .map(|(key, n)| {
            let waiting = not_due.get(&key).copied().unwrap_or(0);
            let (key, day) = key;
            Ok(BacklogRow {
                key,
                opened_day: parse_day("care_backlog", "opened_day", &day)?,
                n: to_u64(n),
                breached: to_u64((n - waiting).max(0)),
            })
        })
        .collect()
}

/// Cases housekeeping may be due on: new or open cases the brand answered
/// whose customer has been quiet since before `answered_before`, and
/// resolved cases quiet since before `resolved_before`.
pub(super) fn sweep_candidates(
    conn: &Connection,
    answered_before: DateTime<Utc>,
    resolved_before: DateTime<Utc>,
) -> Result<Vec<CaseId>, StoreError> {
    let mut ids: Vec<i64> = Vec::new();
    let mut answered = conn.prepare_cached(
        "SELECT id FROM cases INDEXED BY cases_answered WHERE status IN ('new', 'open') \
         AND first_response_at IS NOT NULL AND last_customer_at < ?1",
    )?;
    for id in answered.query_map([secs(answered_before)], |r| r.get::<_, i64>(0))? {
        ids.push(id?);
    }
    let mut resolved = conn.prepare_cached(
        "SELECT id FROM cases INDEXED BY cases_resolved WHERE status = 'resolved' \
         AND resolved_at < ?1 AND last_customer_at < ?1",
    )?;
    for id in resolved.query_map([secs(resolved_before)], |r| r.get::<_, i64>(0))? {
        ids.push(id?);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids.into_iter().map(|id| CaseId(to_u64(id))).collect())
}

/// Cases by id, with their threads.
pub(super) fn cases_by_id(conn: &Connection, ids: &[CaseId]) -> Result<Vec<Case>, StoreError> {
    let ids = ids
        .iter()
        .map(|id| case_id(*id))
        .collect::<Result<Vec<_>, _>>()?;
    load_cases(conn, &ids)
}

/// Deletes the cases opened before `cutoff` with their threads and events.
pub(super) fn purge_before(conn: &Connection, cutoff: NaiveDate) -> Result<u64, StoreError> {
    let before = midnight_utc(cutoff);
    conn.execute(
        "DELETE FROM case_events WHERE case_id IN (SELECT id FROM cases WHERE opened_at < ?1)",
        [before],
    )?;
    conn.execute(
        "DELETE FROM case_messages WHERE case_id IN (SELECT id FROM cases WHERE opened_at < ?1)",
        [before],
    )?;
    let n = conn.execute("DELETE FROM cases WHERE opened_at < ?1", [before])?;
    if n > 0 {
        rebuild_daily(conn)?;
        conn.execute("DELETE FROM care_backlog", [])?;
        conn.execute(
            "INSERT INTO care_backlog SELECT department, brand, channel, kind, priority, status, \
             date(opened_at, 'unixepoch'), count(*) FROM cases \
             WHERE status IN ('new', 'open', 'pending') GROUP BY 1, 2, 3, 4, 5, 6, 7",
            [],
        )?;
    }
    Ok(n as u64)
}

/// [`DeriveTx`] over an open write transaction.
pub(super) struct Tx<'c> {
    pub(super) conn: &'c Connection,
    pub(super) next_id: Option<u64>,
    /// Aggregate changes, flushed before the transaction commits.
    pub(super) aggregates: CareAggregates,
}

impl DeriveTx for Tx<'_> {
    fn cases_for(&mut self, keys: &CaseKeys) -> Result<Vec<Case>, StoreError> {
        cases_for(self.conn, keys)
    }

    fn new_case_id(&mut self) -> Result<CaseId, StoreError> {
        let next = match self.next_id {
            Some(n) => n,
            None => max_case_id(self.conn)? + 1,
        };
        self.next_id = Some(next + 1);
        Ok(CaseId(next))
    }

    fn insert_case(&mut self, case: &Case, events: &[CaseEvent]) -> Result<(), StoreError> {
        insert_case(self.conn, case, events, &mut self.aggregates)
    }

    fn update_case(
        &mut self,
        case: &Case,
        expected_version: u64,
        events: &[CaseEvent],
    ) -> Result<(), StoreError> {
        update_case(
            self.conn,
            case,
            expected_version,
            events,
            &mut self.aggregates,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::durations;

    #[test]
    fn duration_lists_parse_or_are_corrupt() {
        assert_eq!(
            durations("wall_secs", "12,0,-3,9223372036854775807", 4).ok(),
            Some(vec![12, 0, -3, i64::MAX])
        );
        for bad in [
            "",
            "1,,2",
            "1,x",
            "1 ,2",
            "-",
            "9223372036854775808",
            "1,2,",
        ] {
            assert!(durations("wall_secs", bad, 0).is_err(), "{bad:?}");
        }
    }
}
