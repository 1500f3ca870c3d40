//! Early warning in SQLite (migration 0008): detector states, alerts and
//! their events, webhooks and the delivery outbox.
//!
//! Alerts keep what lists filter and sort on as columns (scope, brand,
//! department, status, active, window) and their members, examples and terms
//! as JSON in `detail`. Series states are JSON, one row per detector × series,
//! read and written by primary key for the series a batch touches.

use super::care::Tx;
use crate::alerts::{
    kind_str, parse_kind, Alert, AlertEventRow, AlertEvidence, AlertExample, AlertMember,
    AlertObservation, AlertQuery, AlertResponse, AlertTx, BucketCount, Delivery, DeliveryAttempt,
    DeliveryStatus, NewAlertEvent, NewDelivery, Webhook,
};
use crate::StoreError;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use tce_alert::terms::TermSeries;
use tce_alert::{SeriesKey, SeriesState};

/// The `detector` under which the emerging-terms tracker keeps its series
/// in `alert_series` (no detector of counts has this name).
const TERMS_DETECTOR: &str = "terms";

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

fn corrupt(table: &'static str, column: &'static str, value: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table,
        column,
        value: value.to_string(),
    }
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

// ---------------------------------------------------------------- series

fn load_states<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    detector: &str,
    keys: &[SeriesKey],
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT state FROM alert_series
         WHERE detector = ?1 AND brand = ?2 AND stage = ?3 AND touchpoint = ?4",
    )?;
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let json: Option<String> = stmt
            .query_row(
                params![detector, k.brand, opt(&k.stage), opt(&k.touchpoint)],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(json) = json {
            out.push(serde_json::from_str(&json).map_err(|e| corrupt("alert_series", "state", e))?);
        }
    }
    Ok(out)
}

pub(super) fn all_states(
    conn: &Connection,
    detector: &str,
) -> Result<Vec<SeriesState>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT state FROM alert_series WHERE detector = ?1")?;
    let rows = stmt.query_map([detector], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for json in rows {
        out.push(serde_json::from_str(&json?).map_err(|e| corrupt("alert_series", "state", e))?);
    }
    Ok(out)
}

fn save_states<'a, T: Serialize + 'a>(
    conn: &Connection,
    detector: &str,
    states: impl IntoIterator<Item = (&'a SeriesKey, &'a T)>,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR REPLACE INTO alert_series (detector, brand, stage, touchpoint, state)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (k, st) in states {
        let json = serde_json::to_string(st).map_err(|e| corrupt("alert_series", "state", e))?;
        stmt.execute(params![
            detector,
            k.brand,
            opt(&k.stage),
            opt(&k.touchpoint),
            json
        ])?;
    }
    Ok(())
}

// ---------------------------------------------------------------- alerts

#[derive(Serialize, Deserialize, Default)]
struct Detail {
    #[serde(default)]
    members: Vec<AlertMember>,
    #[serde(default)]
    examples: Vec<AlertExample>,
    #[serde(default)]
    terms: Vec<String>,
}

const ALERT_COLUMNS: &str = "id, scope, kind, brand, stage, touchpoint, department, window_start,
    window_end, span_secs, observed, expected, interval_low, interval_high, p_value, severity,
    active, status, opened_at, updated_at, ended_at, acknowledged_by, acknowledged_at,
    resolved_by, resolved_at, version, detail";

fn read_alert(r: &Row<'_>) -> Result<Alert, StoreError> {
    const T: &str = "alerts";
    let scope: String = r.get(1)?;
    let kind: String = r.get(2)?;
    let status: String = r.get(17)?;
    let detail: String = r.get(26)?;
    let detail: Detail = serde_json::from_str(&detail).map_err(|e| corrupt(T, "detail", e))?;
    Ok(Alert {
        id: r.get(0)?,
        scope: scope.parse().map_err(|_| corrupt(T, "scope", &scope))?,
        kind: parse_kind(&kind).ok_or_else(|| corrupt(T, "kind", &kind))?,
        brand: r.get(3)?,
        stage: r.get(4)?,
        touchpoint: r.get(5)?,
        department: r.get(6)?,
        window_start: time(T, "window_start", r.get(7)?)?,
        window_end: time(T, "window_end", r.get(8)?)?,
        span_secs: r.get(9)?,
        observed: r.get::<_, i64>(10)?.max(0) as u64,
        expected: r.get(11)?,
        interval: (
            r.get::<_, i64>(12)?.max(0) as u64,
            r.get::<_, i64>(13)?.max(0) as u64,
        ),
        p_value: r.get(14)?,
        severity: r.get::<_, i64>(15)?.clamp(0, 10) as u8,
        active: r.get::<_, i64>(16)? != 0,
        status: status.parse().map_err(|_| corrupt(T, "status", &status))?,
        opened_at: time(T, "opened_at", r.get(18)?)?,
        updated_at: time(T, "updated_at", r.get(19)?)?,
        ended_at: opt_time(T, "ended_at", r.get(20)?)?,
        acknowledged_by: r.get(21)?,
        acknowledged_at: opt_time(T, "acknowledged_at", r.get(22)?)?,
        resolved_by: r.get(23)?,
        resolved_at: opt_time(T, "resolved_at", r.get(24)?)?,
        version: r.get::<_, i64>(25)?.max(0) as u64,
        members: detail.members,
        examples: detail.examples,
        terms: detail.terms,
    })
}

fn detail_json(a: &Alert) -> Result<String, StoreError> {
    serde_json::to_string(&Detail {
        members: a.members.clone(),
        examples: a.examples.clone(),
        terms: a.terms.clone(),
    })
    .map_err(|e| corrupt("alerts", "detail", e))
}

fn write_alert(conn: &Connection, a: &Alert, insert: bool) -> Result<i64, StoreError> {
    let detail = detail_json(a)?;
    let sql = if insert {
        "INSERT INTO alerts (scope, kind, brand, stage, touchpoint, department, window_start,
            window_end, span_secs, observed, expected, interval_low, interval_high, p_value,
            severity, active, status, opened_at, updated_at, ended_at, acknowledged_by,
            acknowledged_at, resolved_by, resolved_at, version, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)"
    } else {
        "UPDATE alerts SET scope = ?1, kind = ?2, brand = ?3, stage = ?4, touchpoint = ?5,
            department = ?6, window_start = ?7, window_end = ?8, span_secs = ?9, observed = ?10,
            expected = ?11, interval_low = ?12, interval_high = ?13, p_value = ?14,
            severity = ?15, active = ?16, status = ?17, opened_at = ?18, updated_at = ?19,
            ended_at = ?20, acknowledged_by = ?21, acknowledged_at = ?22, resolved_by = ?23,
            resolved_at = ?24, version = ?25, detail = ?26
         WHERE id = ?27"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let ts = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp());
    let p = params![
        a.scope.as_str(),
        kind_str(a.kind),
        a.brand,
        a.stage,
        a.touchpoint,
        a.department,
        a.window_start.timestamp(),
        a.window_end.timestamp(),
        a.span_secs,
        a.observed as i64,
        a.expected,
        a.interval.0 as i64,
        a.interval.1 as i64,
        a.p_value,
        i64::from(a.severity),
        i64::from(a.active),
        a.status.as_str(),
        a.opened_at.timestamp(),
        a.updated_at.timestamp(),
        ts(a.ended_at),
        a.acknowledged_by,
        ts(a.acknowledged_at),
        a.resolved_by,
        ts(a.resolved_at),
        a.version as i64,
        detail,
    ];
    if insert {
        stmt.execute(p)?;
        Ok(conn.last_insert_rowid())
    } else {
        let mut all: Vec<&dyn rusqlite::ToSql> = p.to_vec();
        all.push(&a.id);
        stmt.execute(all.as_slice())?;
        Ok(a.id)
    }
}

fn append_events(
    conn: &Connection,
    alert: i64,
    events: &[NewAlertEvent],
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO alert_events (alert_id, at, change, actor, bucket_start, bucket_end,
            observed, expected, interval_low, interval_high, p_value, severity)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for e in events {
        let ev = e.evidence.as_ref();
        stmt.execute(params![
            alert,
            e.at.timestamp(),
            e.change,
            e.actor,
            ev.map(|v| v.start.timestamp()),
            ev.map(|v| v.end.timestamp()),
            ev.map(|v| v.observed as i64),
            ev.map(|v| v.expected),
            ev.map(|v| v.interval.0 as i64),
            ev.map(|v| v.interval.1 as i64),
            ev.map(|v| v.p_value),
            ev.map(|v| i64::from(v.severity)),
        ])?;
    }
    Ok(())
}

fn active_alerts(conn: &Connection, brands: &[&str]) -> Result<Vec<Alert>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ALERT_COLUMNS} FROM alerts WHERE active = 1 AND brand = ?1 ORDER BY id"
    ))?;
    let mut out = Vec::new();
    for b in brands {
        let mut rows = stmt.query([b])?;
        while let Some(r) = rows.next()? {
            out.push(read_alert(r)?);
        }
    }
    Ok(out)
}

pub(super) fn alert(conn: &Connection, id: i64) -> Result<Option<Alert>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1"))?;
    super::first_row(&mut stmt, [id], read_alert)
}

pub(super) fn alerts(conn: &Connection, q: &AlertQuery) -> Result<Vec<Alert>, StoreError> {
    let mut sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE 1 = 1");
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut push = |sql: &mut String, clause: &str, v: rusqlite::types::Value| {
        args.push(v);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(deps) = &q.departments {
        if deps.is_empty() {
            return Ok(Vec::new());
        }
        sql.push_str(" AND department IN (");
        for (i, d) in deps.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            push(&mut sql, "?", d.clone().into());
        }
        sql.push(')');
    }
    if !q.statuses.is_empty() {
        sql.push_str(" AND status IN (");
        for (i, s) in q.statuses.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            push(&mut sql, "?", s.as_str().to_owned().into());
        }
        sql.push(')');
    }
    if let Some(b) = &q.brand {
        push(&mut sql, " AND brand = ?", b.clone().into());
    }
    if let Some(s) = q.scope {
        push(&mut sql, " AND scope = ?", s.as_str().to_owned().into());
    }
    if let Some(a) = q.active {
        push(&mut sql, " AND active = ?", i64::from(a).into());
    }
    if let Some(f) = q.from {
        push(&mut sql, " AND window_start >= ?", f.timestamp().into());
    }
    if let Some(t) = q.to {
        push(&mut sql, " AND window_start < ?", t.timestamp().into());
    }
    let limit = if q.limit == 0 {
        100
    } else {
        q.limit.min(10_000)
    };
    sql.push_str(&format!(
        " ORDER BY window_start DESC, id DESC LIMIT {limit}"
    ));
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read_alert(r)?);
    }
    Ok(out)
}

pub(super) fn alert_events(conn: &Connection, id: i64) -> Result<Vec<AlertEventRow>, StoreError> {
    const T: &str = "alert_events";
    let mut stmt = conn.prepare_cached(
        "SELECT id, alert_id, at, change, actor, bucket_start, bucket_end, observed, expected,
            interval_low, interval_high, p_value, severity
         FROM alert_events WHERE alert_id = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let start: Option<i64> = r.get(5)?;
        let evidence = match start {
            Some(start) => Some(AlertEvidence {
                start: time(T, "bucket_start", start)?,
                end: time(
                    T,
                    "bucket_end",
                    r.get::<_, Option<i64>>(6)?.unwrap_or(start),
                )?,
                observed: r.get::<_, Option<i64>>(7)?.unwrap_or(0).max(0) as u64,
                expected: r.get::<_, Option<f64>>(8)?.unwrap_or(0.0),
                interval: (
                    r.get::<_, Option<i64>>(9)?.unwrap_or(0).max(0) as u64,
                    r.get::<_, Option<i64>>(10)?.unwrap_or(0).max(0) as u64,
                ),
                p_value: r.get::<_, Option<f64>>(11)?.unwrap_or(1.0),
                severity: r.get::<_, Option<i64>>(12)?.unwrap_or(0).clamp(0, 10) as u8,
            }),
            None => None,
        };
        out.push(AlertEventRow {
            id: r.get(0)?,
            alert: r.get(1)?,
            at: time(T, "at", r.get(2)?)?,
            change: r.get(3)?,
            actor: r.get(4)?,
            evidence,
        });
    }
    Ok(out)
}

/// Stores a change people made, checked against the version they saw.
pub(super) fn change_alert(
    conn: &Connection,
    a: &Alert,
    expected_version: u64,
    event: &NewAlertEvent,
) -> Result<(), StoreError> {
    let current: Option<i64> = conn
        .query_row("SELECT version FROM alerts WHERE id = ?1", [a.id], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(current) = current else {
        return Err(StoreError::NoSuchAlert(a.id));
    };
    let current = current.max(0) as u64;
    if current != expected_version {
        return Err(StoreError::StaleAlert {
            alert: a.id,
            expected: expected_version,
            current,
        });
    }
    write_alert(conn, a, false)?;
    append_events(conn, a.id, std::slice::from_ref(event))
}

// ---------------------------------------------------------------- history

/// Streams the stored customer signals (brand posts left out) in time
/// order, for backtests; returns how many.
pub(super) fn observations(
    conn: &Connection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    brand: Option<&str>,
    f: &mut dyn FnMut(&AlertObservation<'_>),
) -> Result<u64, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.created_at, coalesce(s.brand, 'unknown'), s.channel, s.sentiment_label,
            t.touchpoint, t.stage
         FROM signals s LEFT JOIN signal_touchpoints t ON t.signal_id = s.id
         WHERE s.brand_post = 0 AND s.created_at >= ?1 AND s.created_at < ?2
           AND (?3 IS NULL OR s.brand = ?3)
         ORDER BY s.created_at, s.id, t.position",
    )?;
    let from = from.map_or(i64::MIN, |t| t.timestamp());
    let to = to.map_or(i64::MAX, |t| t.timestamp());
    let mut rows = stmt.query(params![from, to, brand])?;
    let mut n = 0u64;
    let mut cur: Option<(i64, i64, String, String, String)> = None;
    let mut tps: Vec<(String, String)> = Vec::new();
    let mut emit = |cur: &(i64, i64, String, String, String), tps: &[(String, String)]| {
        f(&AlertObservation {
            at: cur.1,
            brand: &cur.2,
            channel: &cur.3,
            sentiment_label: &cur.4,
            touchpoints: tps,
        });
    };
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if cur.as_ref().is_none_or(|c| c.0 != id) {
            if let Some(c) = &cur {
                emit(c, &tps);
                n += 1;
            }
            tps.clear();
            cur = Some((id, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?));
        }
        let tp: Option<String> = r.get(5)?;
        if let Some(tp) = tp {
            let stage: String = r.get(6)?;
            if !tps.iter().any(|(t, _)| *t == tp) {
                tps.push((tp, stage));
            }
        }
    }
    if let Some(c) = &cur {
        emit(c, &tps);
        n += 1;
    }
    Ok(n)
}

/// Signals and negatives per bucket of a series over `[from, to)`.
pub(super) fn bucket_counts(
    conn: &Connection,
    series: &SeriesKey,
    from: i64,
    to: i64,
    bucket_secs: i64,
) -> Result<Vec<BucketCount>, StoreError> {
    let bucket = bucket_secs.max(1);
    let (join, filter) = match (&series.touchpoint, &series.stage) {
        (Some(_), _) => (
            "JOIN signal_touchpoints t ON t.signal_id = s.id AND t.touchpoint = ?5",
            "",
        ),
        (None, Some(_)) => (
            "",
            "AND EXISTS (SELECT 1 FROM signal_touchpoints t WHERE t.signal_id = s.id AND t.stage = ?5)",
        ),
        (None, None) => ("", "AND ?5 IS NULL"),
    };
    let sql = format!(
        "SELECT (s.created_at / ?4) * ?4 AS b, count(DISTINCT s.id),
            count(DISTINCT CASE WHEN s.sentiment_label = 'negative' THEN s.id END)
         FROM signals s {join}
         WHERE s.brand = ?1 AND s.brand_post = 0 AND s.created_at >= ?2 AND s.created_at < ?3 {filter}
         GROUP BY b ORDER BY b"
    );
    let narrow = series.touchpoint.as_deref().or(series.stage.as_deref());
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![series.brand, from, to, bucket, narrow], |r| {
        Ok(BucketCount {
            start: r.get(0)?,
            total: r.get::<_, i64>(1)?.max(0) as u64,
            negative: r.get::<_, i64>(2)?.max(0) as u64,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

// ---------------------------------------------------------------- webhooks

fn read_webhook(r: &Row<'_>) -> Result<Webhook, StoreError> {
    Ok(Webhook {
        id: r.get(0)?,
        department: r.get(1)?,
        url: r.get(2)?,
        secret: r.get(3)?,
        slack: r.get::<_, i64>(4)? != 0,
        created_at: time("webhooks", "created_at", r.get(5)?)?,
    })
}

pub(super) fn webhooks(conn: &Connection) -> Result<Vec<Webhook>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, department, url, secret, slack, created_at FROM webhooks ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read_webhook(r)?);
    }
    Ok(out)
}

pub(super) fn insert_webhook(conn: &Connection, w: &Webhook) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO webhooks (department, url, secret, slack, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            w.department,
            w.url,
            w.secret,
            i64::from(w.slack),
            w.created_at.timestamp()
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(super) fn remove_webhook(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM webhooks WHERE id = ?1", [id])? > 0)
}

pub(super) fn enqueue(conn: &Connection, ds: &[NewDelivery]) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO webhook_deliveries (webhook_id, message_id, event_type, payload, status,
            attempts, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5)",
    )?;
    for d in ds {
        stmt.execute(params![
            d.webhook_id,
            d.message_id,
            d.event_type,
            d.payload,
            d.created_at.timestamp()
        ])?;
    }
    Ok(())
}

const DELIVERY_COLUMNS: &str = "id, webhook_id, message_id, event_type, payload, status,
    attempts, next_attempt_at, last_status, last_error, created_at, delivered_at";

fn read_delivery(r: &Row<'_>) -> Result<Delivery, StoreError> {
    const T: &str = "webhook_deliveries";
    let status: String = r.get(5)?;
    Ok(Delivery {
        id: r.get(0)?,
        webhook_id: r.get(1)?,
        message_id: r.get(2)?,
        event_type: r.get(3)?,
        payload: r.get(4)?,
        status: status.parse().map_err(|_| corrupt(T, "status", &status))?,
        attempts: r.get::<_, i64>(6)?.clamp(0, i64::from(u32::MAX)) as u32,
        next_attempt_at: time(T, "next_attempt_at", r.get(7)?)?,
        last_status: r
            .get::<_, Option<i64>>(8)?
            .map(|s| s.clamp(0, i64::from(u16::MAX)) as u16),
        last_error: r.get(9)?,
        created_at: time(T, "created_at", r.get(10)?)?,
        delivered_at: opt_time(T, "delivered_at", r.get(11)?)?,
    })
}

pub(super) fn deliveries(
    conn: &Connection,
    status: Option<DeliveryStatus>,
    limit: usize,
) -> Result<Vec<Delivery>, StoreError> {
    let limit = if limit == 0 { 100 } else { limit.min(10_000) } as i64;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries
         WHERE ?1 IS NULL OR status = ?1 ORDER BY id DESC LIMIT ?2"
    ))?;
    let mut rows = stmt.query(params![status.map(|s| s.as_str()), limit])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read_delivery(r)?);
    }
    Ok(out)
}

pub(super) fn delivery(conn: &Connection, id: i64) -> Result<Option<Delivery>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?1"
    ))?;
    super::first_row(&mut stmt, [id], read_delivery)
}

pub(super) fn due_deliveries(
    conn: &Connection,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Delivery>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2"
    ))?;
    let mut rows = stmt.query(params![now.timestamp(), limit.max(1) as i64])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read_delivery(r)?);
    }
    Ok(out)
}

pub(super) fn next_due(conn: &Connection) -> Result<Option<DateTime<Utc>>, StoreError> {
    let s: Option<i64> = conn.query_row(
        "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'",
        [],
        |r| r.get(0),
    )?;
    opt_time("webhook_deliveries", "next_attempt_at", s)
}

pub(super) fn record_attempt(conn: &Connection, a: &DeliveryAttempt) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE webhook_deliveries SET status = ?2, attempts = attempts + 1,
            next_attempt_at = ?3, last_status = ?4, last_error = ?5,
            delivered_at = CASE WHEN ?2 = 'delivered' THEN ?6 ELSE delivered_at END
         WHERE id = ?1",
        params![
            a.id,
            a.status.as_str(),
            a.next_attempt_at.timestamp(),
            a.http_status.map(i64::from),
            a.error,
            a.at.timestamp()
        ],
    )?;
    Ok(())
}

pub(super) fn redeliver(
    conn: &Connection,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?2,
            last_error = NULL, last_status = NULL
         WHERE id = ?1 AND status != 'pending'",
        params![id, now.timestamp()],
    )? > 0)
}

// ---------------------------------------------------------------- derive

impl AlertTx for Tx<'_> {
    fn series_states(
        &mut self,
        detector: &str,
        keys: &[SeriesKey],
    ) -> Result<Vec<SeriesState>, StoreError> {
        load_states(self.conn, detector, keys)
    }

    fn save_series_states(
        &mut self,
        detector: &str,
        states: &[&SeriesState],
    ) -> Result<(), StoreError> {
        save_states(self.conn, detector, states.iter().map(|s| (s.key(), *s)))
    }

    fn term_states(&mut self, keys: &[SeriesKey]) -> Result<Vec<TermSeries>, StoreError> {
        load_states(self.conn, TERMS_DETECTOR, keys)
    }

    fn save_term_states(&mut self, states: &[&TermSeries]) -> Result<(), StoreError> {
        save_states(
            self.conn,
            TERMS_DETECTOR,
            states.iter().map(|s| (s.key(), *s)),
        )
    }

    fn active_alerts(&mut self, brands: &[&str]) -> Result<Vec<Alert>, StoreError> {
        active_alerts(self.conn, brands)
    }

    fn insert_alert(&mut self, alert: &Alert, events: &[NewAlertEvent]) -> Result<i64, StoreError> {
        let id = write_alert(self.conn, alert, true)?;
        append_events(self.conn, id, events)?;
        Ok(id)
    }

    fn save_alert(&mut self, alert: &Alert, events: &[NewAlertEvent]) -> Result<(), StoreError> {
        write_alert(self.conn, alert, false)?;
        append_events(self.conn, alert.id, events)
    }

    fn webhooks(&mut self) -> Result<Vec<Webhook>, StoreError> {
        webhooks(self.conn)
    }

    fn enqueue(&mut self, deliveries: &[NewDelivery]) -> Result<(), StoreError> {
        enqueue(self.conn, deliveries)
    }
}

pub(super) fn alert_responses(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<AlertResponse>, StoreError> {
    const T: &str = "alerts";
    let mut stmt = conn.prepare_cached(
        "SELECT id, department, window_start, opened_at, acknowledged_at, resolved_at \
         FROM alerts INDEXED BY alerts_recent \
         WHERE window_start >= ?1 AND window_start < ?2 \
           AND department IS NOT NULL AND scope <> 'competitive' \
         ORDER BY window_start, id",
    )?;
    let mut rows = stmt.query(params![from.timestamp(), to.timestamp()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let at = |i: usize, column: &'static str| -> Result<Option<DateTime<Utc>>, StoreError> {
            r.get::<_, Option<i64>>(i)?
                .map(|s| time(T, column, s))
                .transpose()
        };
        out.push(AlertResponse {
            id: r.get(0)?,
            department: r.get(1)?,
            window_start: time(T, "window_start", r.get(2)?)?,
            opened_at: time(T, "opened_at", r.get(3)?)?,
            acknowledged_at: at(4, "acknowledged_at")?,
            resolved_at: at(5, "resolved_at")?,
        });
    }
    Ok(out)
}
