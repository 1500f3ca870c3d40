//! Reading: stats, rollups, pages of signals, survey answers, outcomes.

use crate::rollup::UNKNOWN_BRAND;
use crate::{
    OutcomeRow, RatingFilter, RatingRow, RollupFilter, RollupRow, SignalPage, SignalQuery, Stats,
    StoreError, StoredSignal, SurveyResponse,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::types::{FromSqlError, Type, Value};
use rusqlite::{params, params_from_iter, Connection, Row};
use std::collections::BTreeMap;
use tce_model::{
    EnrichedSignal, Enrichment, Intent, IntentScore, Rating, RatingScale, SentimentLabel, Signal,
    StageRating, TouchpointMatch,
};

/// A text column borrowed from the row.
fn text<'r>(r: &'r Row<'_>, i: usize) -> Result<&'r str, StoreError> {
    Ok(r.get_ref(i)?.as_str().map_err(|e| conversion(i, e))?)
}

/// A nullable text column borrowed from the row.
fn opt_text<'r>(r: &'r Row<'_>, i: usize) -> Result<Option<&'r str>, StoreError> {
    Ok(r.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| conversion(i, e))?)
}

fn conversion(i: usize, e: FromSqlError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e))
}

/// Counts read back from SQLite's signed integers.
pub(super) fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A day as stored: `YYYY-MM-DD`.
pub(super) fn day_string(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// The `created_at` of the day's first second (midnight UTC).
pub(super) fn midnight_utc(d: NaiveDate) -> i64 {
    d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp()
}

/// Signals created before the day `cutoff` (midnight UTC).
pub(super) fn count_before(conn: &Connection, cutoff: NaiveDate) -> Result<u64, StoreError> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM signals WHERE created_at < ?1")?
        .query_row([midnight_utc(cutoff)], |r| r.get(0))?;
    Ok(to_u64(n))
}

/// A `YYYY-MM-DD` day read from `table.column`.
pub(super) fn parse_day(
    table: &'static str,
    column: &'static str,
    s: &str,
) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| corrupt(table, column, s))
}

fn corrupt(table: &'static str, column: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        table,
        column,
        value: value.to_string(),
    }
}

fn time(table: &'static str, secs: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(secs, 0).ok_or_else(|| corrupt(table, "created_at", &secs.to_string()))
}

pub(super) fn stats(conn: &Connection) -> Result<Stats, StoreError> {
    let mut stats = Stats::default();
    // Brand and channel counts from the totals rows of the rollups: a few
    // rows per day instead of a scan of every signal.
    let mut stmt = conn.prepare_cached(
        "SELECT brand, channel, sum(n) FROM rollup_daily WHERE touchpoint = '' \
         GROUP BY brand, channel",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let n = to_u64(r.get(2)?);
        stats.signals += n;
        *stats.by_brand.entry(r.get(0)?).or_default() += n;
        *stats.by_channel.entry(r.get(1)?).or_default() += n;
    }
    // Separate queries so each is a single min/max that SQLite answers from
    // the end of the index.
    let first: Option<i64> = conn
        .prepare_cached("SELECT min(created_at) FROM signals")?
        .query_row([], |r| r.get(0))?;
    let last: Option<i64> = conn
        .prepare_cached("SELECT max(created_at) FROM signals")?
        .query_row([], |r| r.get(0))?;
    stats.first = first.map(|s| time("signals", s)).transpose()?;
    stats.last = last.map(|s| time("signals", s)).transpose()?;
    stats.by_stage = stage_counts(conn)?;
    Ok(stats)
}

/// Signals touching each stage: one pass over the touchpoints in signal
/// order, counting each stage once per signal.
fn stage_counts(conn: &Connection) -> Result<BTreeMap<String, u64>, StoreError> {
    // A handful of stages: linear search beats hashing, and nothing is
    // allocated per row.
    let mut counts: Vec<(String, u64)> = Vec::new();
    let mut stmt =
        conn.prepare_cached("SELECT signal_id, stage FROM signal_touchpoints ORDER BY signal_id")?;
    let mut rows = stmt.query([])?;
    let mut current = None;
    let mut seen: Vec<usize> = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let stage = text(r, 1)?;
        if current != Some(id) {
            current = Some(id);
            seen.clear();
        }
        let i = match counts.iter().position(|(s, _)| s == stage) {
            Some(i) => i,
            None => {
                counts.push((stage.to_string(), 0));
                counts.len() - 1
            }
        };
        if !seen.contains(&i) {
            seen.push(i);
            counts[i].1 += 1;
        }
    }
    Ok(counts.into_iter().collect())
}

pub(super) fn rollups(conn: &Connection, f: &RollupFilter) -> Result<Vec<RollupRow>, StoreError> {
    rollups_of(conn, f, "rollup_daily", "day")
}

/// Monthly rollups: `day` is the first of the month; `from`/`to` select months.
pub(super) fn monthly_rollups(
    conn: &Connection,
    f: &RollupFilter,
) -> Result<Vec<RollupRow>, StoreError> {
    let mut f = f.clone();
    f.from = f.from.and_then(|d| d.with_day(1));
    f.to = f.to.and_then(|d| d.with_day(1));
    rollups_of(conn, &f, "rollup_monthly", "month")
}

fn rollups_of(
    conn: &Connection,
    f: &RollupFilter,
    table: &'static str,
    day_col: &'static str,
) -> Result<Vec<RollupRow>, StoreError> {
    let mut sql = format!(
        "SELECT {day_col}, brand, touchpoint, stage, channel, n, sum_ev, sum_ev2, positive, neutral, \
         negative, reach, complaints, rated FROM {table} WHERE 1"
    );
    let mut args: Vec<Value> = Vec::new();
    let mut cond = |sql: &mut String, clause: &str, v: Value| {
        args.push(v);
        sql.push_str(&format!(" AND {clause} ?{}", args.len()));
    };
    if let Some(d) = f.from {
        cond(
            &mut sql,
            &format!("{day_col} >="),
            Value::Text(day_string(d)),
        );
    }
    if let Some(d) = f.to {
        cond(
            &mut sql,
            &format!("{day_col} <="),
            Value::Text(day_string(d)),
        );
    }
    if let Some(b) = &f.brand {
        cond(&mut sql, "brand =", Value::Text(b.clone()));
    }
    if let Some(c) = &f.channel {
        cond(&mut sql, "channel =", Value::Text(c.clone()));
    }
    if let Some(t) = &f.touchpoint {
        cond(&mut sql, "touchpoint =", Value::Text(t.clone()));
    }
    sql.push_str(&format!(" ORDER BY {day_col}, brand, touchpoint, channel"));
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    let mut out = Vec::new();
    // Rows come by day: parse each day once.
    let mut day: Option<(String, NaiveDate)> = None;
    while let Some(r) = rows.next()? {
        let day_text = text(r, 0)?;
        let d = match &day {
            Some((s, d)) if s == day_text => *d,
            _ => {
                let d = parse_day(table, day_col, day_text)?;
                day = Some((day_text.to_string(), d));
                d
            }
        };
        out.push(RollupRow {
            day: d,
            brand: r.get(1)?,
            touchpoint: r.get(2)?,
            stage: r.get(3)?,
            channel: r.get(4)?,
            n: to_u64(r.get(5)?),
            sum_ev: r.get(6)?,
            sum_ev2: r.get(7)?,
            positive: to_u64(r.get(8)?),
            neutral: to_u64(r.get(9)?),
            negative: to_u64(r.get(10)?),
            reach: to_u64(r.get(11)?),
            complaints: to_u64(r.get(12)?),
            rated: to_u64(r.get(13)?),
        });
    }
    Ok(out)
}

pub(super) fn rating_rollups(
    conn: &Connection,
    f: &RatingFilter,
) -> Result<Vec<RatingRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT day, brand, stage, channel, scale, n, top, bottom, sum_value FROM rating_daily \
         WHERE (?1 IS NULL OR day >= ?1) AND (?2 IS NULL OR day <= ?2) \
           AND (?3 IS NULL OR brand = ?3) AND (?4 IS NULL OR stage = ?4) \
         ORDER BY day, brand, stage, channel, scale",
    )?;
    let mut rows = stmt.query(params![
        f.from.map(day_string),
        f.to.map(day_string),
        f.brand,
        f.stage
    ])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(RatingRow {
            day: parse_day("rating_daily", "day", text(r, 0)?)?,
            brand: r.get(1)?,
            stage: r.get(2)?,
            channel: r.get(3)?,
            scale: parse_scale("rating_daily", "scale", text(r, 4)?)?,
            n: to_u64(r.get(5)?),
            top: to_u64(r.get(6)?),
            bottom: to_u64(r.get(7)?),
            sum_value: r.get(8)?,
        });
    }
    Ok(out)
}

/// Columns of `signals` in the order [`signal_from_row`] reads them.
const SIGNAL_COLUMNS: &str = "s.id, s.channel, s.external_id, s.brand, s.brand_detected, \
     s.author, s.author_followers, s.created_at, s.text, s.rating, s.rating_scale, s.in_reply_to, \
     s.url, s.lang, s.engine, s.sentiment, s.sentiment_label, s.experience_value, s.priority, \
     s.intents, s.brand_post";

fn parse_scale(
    table: &'static str,
    column: &'static str,
    s: &str,
) -> Result<RatingScale, StoreError> {
    s.parse().map_err(|_| corrupt(table, column, s))
}

fn parse_label(s: &str) -> Result<SentimentLabel, StoreError> {
    match s {
        "positive" => Ok(SentimentLabel::Positive),
        "neutral" => Ok(SentimentLabel::Neutral),
        "negative" => Ok(SentimentLabel::Negative),
        _ => Err(corrupt("signals", "sentiment_label", s)),
    }
}

/// Reads the compact intent encoding written by `encode_intents`.
pub(super) fn decode_intents(s: &str) -> Result<Vec<IntentScore>, StoreError> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .map(|pair| {
            let (name, conf) = pair
                .split_once(':')
                .ok_or_else(|| corrupt("signals", "intents", s))?;
            let intent: Intent = name.parse().map_err(|_| corrupt("signals", "intents", s))?;
            let confidence: f32 = conf.parse().map_err(|_| corrupt("signals", "intents", s))?;
            Ok(IntentScore { intent, confidence })
        })
        .collect()
}

/// A signal row without its touchpoints and stage ratings (read separately).
fn signal_from_row(r: &Row<'_>) -> Result<StoredSignal, StoreError> {
    let brand: Option<String> = r.get(3)?;
    let detected: bool = r.get(4)?;
    let rating = match (r.get::<_, Option<f64>>(9)?, opt_text(r, 10)?) {
        (Some(value), Some(scale)) => Some(Rating {
            value,
            scale: parse_scale("signals", "rating_scale", scale)?,
        }),
        _ => None,
    };
    let followers: Option<i64> = r.get(6)?;
    let signal = Signal {
        channel: r.get(1)?,
        external_id: r.get(2)?,
        brand: if detected { None } else { brand.clone() },
        author: r.get(5)?,
        author_followers: followers.map(to_u64),
        created_at: time("signals", r.get(7)?)?,
        text: r.get(8)?,
        rating,
        stage_ratings: Vec::new(),
        in_reply_to: r.get(11)?,
        url: r.get(12)?,
        lang: r.get(13)?,
    };
    let enrichment = Enrichment {
        engine: r.get(14)?,
        sentiment: r.get(15)?,
        sentiment_label: parse_label(text(r, 16)?)?,
        intents: decode_intents(text(r, 19)?)?,
        touchpoints: Vec::new(),
        brand,
        priority: r.get::<_, f64>(18)? as f32,
        experience_value: r.get(17)?,
        brand_post: r.get(20)?,
    };
    Ok(StoredSignal {
        id: r.get(0)?,
        signal: EnrichedSignal { signal, enrichment },
    })
}

fn encode_cursor(s: &StoredSignal) -> String {
    format!("{}_{}", s.signal.signal.created_at.timestamp(), s.id)
}

fn decode_cursor(c: &str) -> Result<(i64, i64), StoreError> {
    let bad = || StoreError::InvalidCursor(c.to_string());
    let (t, id) = c.split_once('_').ok_or_else(bad)?;
    Ok((
        t.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    ))
}

/// Escapes LIKE wildcards (escape character `\`).
fn like_pattern(needle: &str) -> String {
    let mut p = String::with_capacity(needle.len() + 2);
    p.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

pub(super) fn signals(conn: &Connection, q: &SignalQuery) -> Result<SignalPage, StoreError> {
    let limit = q.effective_limit();
    let mut sql = format!("SELECT {SIGNAL_COLUMNS} FROM signals s WHERE 1");
    let mut args: Vec<Value> = Vec::new();
    let mut arg = |v: Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    // Brand is the only filter with its own index (with created_at, so the
    // order comes free); the unary `+` keeps the planner from using the
    // channel index and then sorting a whole channel for one page.
    match q.brand.as_deref() {
        Some(UNKNOWN_BRAND) => {
            let p = arg(Value::Text(UNKNOWN_BRAND.to_string()));
            sql.push_str(&format!(" AND (s.brand IS NULL OR s.brand = {p})"));
        }
        Some(b) => {
            let p = arg(Value::Text(b.to_string()));
            sql.push_str(&format!(" AND s.brand = {p}"));
        }
        None => {}
    }
    if let Some(c) = &q.channel {
        let p = arg(Value::Text(c.clone()));
        sql.push_str(&format!(" AND +s.channel = {p}"));
    }
    if let Some(t) = &q.touchpoint {
        let p = arg(Value::Text(t.clone()));
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM signal_touchpoints t WHERE t.signal_id = s.id AND t.touchpoint = {p})"
        ));
    }
    if let Some(st) = &q.stage {
        let p = arg(Value::Text(st.clone()));
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM signal_touchpoints t WHERE t.signal_id = s.id AND t.stage = {p})"
        ));
    }
    if let Some(v) = q.min_sentiment {
        let p = arg(Value::Real(v));
        sql.push_str(&format!(" AND s.sentiment >= {p}"));
    }
    if let Some(v) = q.max_sentiment {
        let p = arg(Value::Real(v));
        sql.push_str(&format!(" AND s.sentiment <= {p}"));
    }
    if let Some(i) = q.intent {
        // Entries are "intent:confidence" joined by commas.
        let p = arg(Value::Text(format!(",{}:", i.as_str())));
        sql.push_str(&format!(" AND instr(',' || s.intents, {p}) > 0"));
    }
    if let Some(from) = q.from {
        let p = arg(Value::Integer(from.timestamp()));
        sql.push_str(&format!(" AND s.created_at >= {p}"));
    }
    if let Some(to) = q.to {
        // Stored times are whole seconds: a fractional bound rounds up.
        let secs = to.timestamp() + i64::from(to.timestamp_subsec_nanos() > 0);
        let p = arg(Value::Integer(secs));
        sql.push_str(&format!(" AND s.created_at < {p}"));
    }
    if let Some(t) = &q.text_contains {
        let p = arg(Value::Text(like_pattern(t)));
        sql.push_str(&format!(" AND s.text LIKE {p} ESCAPE '\\'"));
    }
    if let Some(c) = &q.cursor {
        let (t, id) = decode_cursor(c)?;
        let pt = arg(Value::Integer(t));
        let pi = arg(Value::Integer(id));
        // The first term is an index range; the second breaks ties.
        sql.push_str(&format!(
            " AND s.created_at <= {pt} AND (s.created_at < {pt} OR s.id < {pi})"
        ));
    }
    let pl = arg(Value::Integer(i64::try_from(limit + 1).unwrap_or(i64::MAX)));
    sql.push_str(&format!(
        " ORDER BY s.created_at DESC, s.id DESC LIMIT {pl}"
    ));

    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args))?;
    let mut items = Vec::with_capacity(limit.min(1024));
    let mut more = false;
    while let Some(r) = rows.next()? {
        if items.len() == limit {
            more = true;
            break;
        }
        items.push(signal_from_row(r)?);
    }
    drop(rows);
    attach_details(conn, &mut items)?;
    let next_cursor = if more {
        items.last().map(encode_cursor)
    } else {
        None
    };
    Ok(SignalPage { items, next_cursor })
}

pub(super) fn signals_by_ref(
    conn: &Connection,
    refs: &[(String, String)],
) -> Result<Vec<StoredSignal>, StoreError> {
    // One lookup per key on the UNIQUE (channel, external_id) index.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SIGNAL_COLUMNS} FROM signals s WHERE s.channel = ?1 AND s.external_id = ?2"
    ))?;
    let mut items: Vec<StoredSignal> = Vec::with_capacity(refs.len());
    for (channel, external_id) in refs {
        let mut rows = stmt.query(params![channel, external_id])?;
        if let Some(r) = rows.next()? {
            let s = signal_from_row(r)?;
            if !items.iter().any(|i| i.id == s.id) {
                items.push(s);
            }
        }
    }
    attach_details(conn, &mut items)?;
    Ok(items)
}

/// Up to `limit` signals with ids above `after`, in id order, with their
/// details.
pub(super) fn signals_after(
    conn: &Connection,
    after: i64,
    limit: usize,
) -> Result<Vec<StoredSignal>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SIGNAL_COLUMNS} FROM signals s WHERE s.id > ?1 ORDER BY s.id LIMIT ?2"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut rows = stmt.query(params![after, limit])?;
    let mut items = Vec::new();
    while let Some(r) = rows.next()? {
        items.push(signal_from_row(r)?);
    }
    attach_details(conn, &mut items)?;
    Ok(items)
}

/// Reads the touchpoints and stage ratings of a page of signals.
fn attach_details(conn: &Connection, items: &mut [StoredSignal]) -> Result<(), StoreError> {
    let mut tps = conn.prepare_cached(
        "SELECT touchpoint, stage, confidence FROM signal_touchpoints \
         WHERE signal_id = ?1 ORDER BY position",
    )?;
    let mut srs = conn.prepare_cached(
        "SELECT stage, value, scale FROM signal_stage_ratings WHERE signal_id = ?1",
    )?;
    for item in items {
        let mut rows = tps.query(params![item.id])?;
        while let Some(r) = rows.next()? {
            item.signal.enrichment.touchpoints.push(TouchpointMatch {
                touchpoint: r.get(0)?,
                stage: r.get(1)?,
                confidence: r.get::<_, f64>(2)? as f32,
            });
        }
        let mut rows = srs.query(params![item.id])?;
        while let Some(r) = rows.next()? {
            item.signal.signal.stage_ratings.push(StageRating {
                stage: r.get(0)?,
                rating: Rating {
                    value: r.get(1)?,
                    scale: parse_scale("signal_stage_ratings", "scale", text(r, 2)?)?,
                },
            });
        }
    }
    Ok(())
}

pub(super) fn survey_responses(
    conn: &Connection,
    brand: Option<&str>,
) -> Result<Vec<SurveyResponse>, StoreError> {
    // survey_answers holds what is needed of each answer's signal, so this
    // is a scan of two compact tables in signal order, not a lookup per
    // answer into the signals table.
    let mut stmt = conn.prepare_cached(
        "SELECT a.signal_id, a.brand, a.created_at, a.channel, a.rating, a.rating_scale, \
                r.stage, r.value, r.scale \
         FROM survey_answers a JOIN signal_stage_ratings r ON r.signal_id = a.signal_id \
         WHERE ?1 IS NULL OR a.brand = ?1 OR (?1 = ?2 AND a.brand IS NULL) \
         ORDER BY a.signal_id, r.stage",
    )?;
    let mut out: Vec<SurveyResponse> = Vec::new();
    let mut current: Option<i64> = None;
    let mut rows = stmt.query(params![brand, UNKNOWN_BRAND])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if current != Some(id) {
            current = Some(id);
            let overall = Rating {
                value: r.get(4)?,
                scale: parse_scale("survey_answers", "rating_scale", text(r, 5)?)?,
            };
            out.push(SurveyResponse {
                brand: r
                    .get::<_, Option<String>>(1)?
                    .unwrap_or_else(|| UNKNOWN_BRAND.to_string()),
                created_at: time("survey_answers", r.get(2)?)?,
                channel: r.get(3)?,
                overall: overall.experience_value(),
                stages: Vec::new(),
            });
        }
        let rating = Rating {
            value: r.get(7)?,
            scale: parse_scale("signal_stage_ratings", "scale", text(r, 8)?)?,
        };
        if let Some(resp) = out.last_mut() {
            resp.stages.push((r.get(6)?, rating.experience_value()));
        }
    }
    // Stable: ties in time stay in id order.
    out.sort_by_key(|r| r.created_at);
    Ok(out)
}

pub(super) fn outcomes(conn: &Connection) -> Result<Vec<OutcomeRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT period_start, brand, revenue, customers, return_visits FROM outcomes \
         ORDER BY period_start, brand",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(OutcomeRow {
            period_start: parse_day("outcomes", "period_start", text(r, 0)?)?,
            brand: r.get(1)?,
            revenue: r.get(2)?,
            customers: r.get(3)?,
            return_visits: r.get(4)?,
        });
    }
    Ok(out)
}
