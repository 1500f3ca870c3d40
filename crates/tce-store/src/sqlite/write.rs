//! Writing: batches of signals with their rollups, and outcomes.
//!
//! A batch is one IMMEDIATE transaction:
//! 1. signals go in with `INSERT OR IGNORE`, so the unique (channel,
//!    external_id) index does the dedupe, within the batch and against
//!    stored signals; the change count tells which rows were new;
//! 2. the touchpoints and stage ratings of the new signals follow;
//! 3. the new signals are aggregated in memory into rollup increments, which
//!    are upserted once per (day, brand, touchpoint, channel) key.
//!
//! Everything is written with multi-row INSERTs of a few rows: one statement
//! step serves several rows and the b-tree cursors stay where the previous row
//! went, which measured about 10% fewer instructions than row-at-a-time. They
//! use `OR IGNORE` because a multi-row statement that may abort needs a
//! statement journal, which costs more than the rows: the only constraints
//! that could abort are NOT NULL ones, which `check` and the types rule out,
//! and the primary keys of touchpoints and stage ratings, which are deduped
//! before. For the same reason the rollup values the upsert updates are
//! declared without NOT NULL (an UPDATE checks the columns it sets).
//!
//! Measured with callgrind on 100k signals (`store_bench 100000 --days 18`):
//! about 30k instructions per signal, two thirds inside SQLite's b-trees and
//! a fifth binding parameters.

use super::read::{day_string, midnight_utc};
use crate::rollup::{
    distinct_stage_ratings, distinct_touchpoints, effective_brand, BatchRatings, BatchRollup, Row,
};
use crate::{Derive, InsertSummary, Inserted, OutcomeRow, PurgeSummary, StoreError};
use rusqlite::{params, Connection, Statement, Transaction, TransactionBehavior};
use std::fmt::Write as _;
use tce_model::{EnrichedSignal, IntentScore, Rating, StageRating, TouchpointMatch};

const SIGNAL_COLUMNS: &str = "signals (channel, external_id, brand, brand_detected, author, \
     author_followers, created_at, text, rating, rating_scale, in_reply_to, url, lang, engine, \
     sentiment, sentiment_label, experience_value, priority, intents, brand_post)";

const TOUCHPOINT_COLUMNS: &str =
    "signal_touchpoints (signal_id, position, touchpoint, stage, confidence)";

const STAGE_RATING_COLUMNS: &str = "signal_stage_ratings (signal_id, stage, value, scale)";

const SURVEY_ANSWER_COLUMNS: &str =
    "survey_answers (signal_id, brand, created_at, channel, rating, rating_scale)";

const ROLLUP_COLUMNS: &str = "rollup_daily (day, brand, touchpoint, stage, channel, n, sum_ev, \
     sum_ev2, positive, neutral, negative, reach, complaints, rated)";

const RATING_COLUMNS: &str =
    "rating_daily (day, brand, stage, channel, scale, n, top, bottom, sum_value)";

/// Adds a rating increment to the stored row of the same key.
const RATING_UPSERT: &str = " ON CONFLICT (day, brand, stage, channel, scale) DO UPDATE SET \
     n = n + excluded.n, top = top + excluded.top, bottom = bottom + excluded.bottom, \
     sum_value = sum_value + excluded.sum_value";

/// Adds an increment to the stored row of the same key.
const ROLLUP_UPSERT: &str = " ON CONFLICT (day, brand, touchpoint, channel) DO UPDATE SET \
     stage = excluded.stage, n = n + excluded.n, sum_ev = sum_ev + excluded.sum_ev, \
     sum_ev2 = sum_ev2 + excluded.sum_ev2, positive = positive + excluded.positive, \
     neutral = neutral + excluded.neutral, negative = negative + excluded.negative, \
     reach = reach + excluded.reach, complaints = complaints + excluded.complaints, \
     rated = rated + excluded.rated";

const UPSERT_OUTCOME: &str = "INSERT INTO outcomes (period_start, brand, revenue, customers, \
     return_visits) VALUES (?1, ?2, ?3, ?4, ?5) \
     ON CONFLICT (period_start, brand) DO UPDATE SET revenue = excluded.revenue, \
     customers = excluded.customers, return_visits = excluded.return_visits";

/// Rows per multi-row INSERT, the measured sweet spots (instructions per
/// signal): signals are wide (19 values), touchpoints and stage ratings narrow.
const SIGNALS_PER_STATEMENT: usize = 8;
const DETAILS_PER_STATEMENT: usize = 64;
const ROLLUPS_PER_STATEMENT: usize = 16;

/// Largest signal id we hand out; far below the point where SQLite would
/// stop giving each new row the largest rowid + 1.
const MAX_SIGNAL_ID: i64 = i64::MAX / 2;

/// SQLite integers are signed: counts beyond `i64::MAX` are clamped.
fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Writes the compact intent encoding into `out`: `intent:confidence` joined
/// by commas.
pub(super) fn encode_intents(intents: &[IntentScore], out: &mut String) {
    out.clear();
    for (i, s) in intents.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // `{}` of an f32 is the shortest text that parses back to the same f32.
        let _ = write!(out, "{}:{}", s.intent.as_str(), s.confidence);
    }
}

/// Rejects numbers SQLite would store as NULL (NaN) or that would poison the
/// rollup sums.
fn check(s: &EnrichedSignal) -> Result<(), StoreError> {
    let e = &s.enrichment;
    let reason = if !e.sentiment.is_finite() {
        "sentiment is not a finite number"
    } else if !e.experience_value.is_finite() {
        "experience value is not a finite number"
    } else if !e.priority.is_finite() {
        "priority is not a finite number"
    } else if s.signal.rating.is_some_and(|r| !r.value.is_finite())
        || s.signal
            .stage_ratings
            .iter()
            .any(|r| !r.rating.value.is_finite())
    {
        "rating is not a finite number"
    } else if e.intents.iter().any(|i| !i.confidence.is_finite())
        || e.touchpoints.iter().any(|t| !t.confidence.is_finite())
    {
        "confidence is not a finite number"
    } else {
        return Ok(());
    };
    Err(StoreError::InvalidSignal {
        channel: s.signal.channel.clone(),
        external_id: s.signal.external_id.clone(),
        reason: reason.to_string(),
    })
}

/// Stores `batch` in one transaction; `lens` splits it into consecutive
/// parts (group commit of several requests' batches), each of which gets
/// its own summary. The lengths must add up to the batch's length.
/// When an insert derives the work its signals cause.
pub(super) enum Derivation<'d> {
    /// In the insert transaction, when nothing stored before is pending.
    Now(&'d mut dyn Derive),
    /// Later ([`derive_range`]); the cursor stays.
    Later,
}

pub(super) fn insert_grouped(
    conn: &mut Connection,
    batch: &[EnrichedSignal],
    lens: &[usize],
    derivation: Derivation<'_>,
) -> Result<Inserted, StoreError> {
    let total: usize = lens.iter().sum();
    if total != batch.len() {
        return Err(StoreError::GroupLengths {
            sum: total,
            signals: batch.len(),
        });
    }
    let mut summaries = vec![InsertSummary::default(); lens.len()];
    if batch.is_empty() {
        if matches!(derivation, Derivation::Now(_)) {
            for s in &mut summaries {
                s.derived = true;
            }
        }
        return Ok(Inserted {
            parts: summaries,
            ids: Vec::new(),
        });
    }
    for s in batch {
        check(s)?;
    }
    // The part each signal belongs to.
    let parts = lens
        .iter()
        .enumerate()
        .flat_map(|(part, &len)| std::iter::repeat_n(part, len));
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Derive now only when every signal stored before is derived: the work
    // of signals is derived in id order.
    let derive_now = match derivation {
        Derivation::Now(derive) => {
            let (upto, last) = cursor(&tx)?;
            (upto == last).then_some(derive)
        }
        Derivation::Later => None,
    };
    let ids = insert_signals(&tx, batch)?;

    let mut touchpoints: Vec<(i64, i64, &TouchpointMatch)> = Vec::with_capacity(batch.len() * 3);
    let mut stage_ratings: Vec<(i64, &StageRating)> = Vec::new();
    let mut survey_answers: Vec<(i64, &EnrichedSignal, &Rating)> = Vec::new();
    let mut rollup = BatchRollup::with_capacity(batch.len());
    let mut ratings = BatchRatings::default();
    let mut fresh: Vec<&EnrichedSignal> = Vec::with_capacity(batch.len());
    for ((es, &id), part) in batch.iter().zip(&ids).zip(parts) {
        let summary = &mut summaries[part];
        let Some(id) = id else {
            summary.duplicates += 1;
            continue;
        };
        summary.inserted += 1;
        fresh.push(es);
        if es.enrichment.brand_post {
            // The brand speaking (a care reply): stored for the thread,
            // never customer evidence, so in no rollup or survey table.
            continue;
        }
        touchpoints.extend(
            distinct_touchpoints(es)
                .zip(0..)
                .map(|(tp, position)| (id, position, tp)),
        );
        let rated_stages = stage_ratings.len();
        stage_ratings.extend(distinct_stage_ratings(es).map(|sr| (id, sr)));
        if stage_ratings.len() > rated_stages {
            if let Some(overall) = &es.signal.rating {
                survey_answers.push((id, es, overall));
            }
        }
        rollup.add(es);
        ratings.add(es);
    }
    insert_rows(
        &tx,
        DETAILS_PER_STATEMENT,
        TOUCHPOINT_COLUMNS,
        5,
        "",
        &touchpoints,
        |stmt, at, (id, position, tp)| {
            stmt.raw_bind_parameter(at, id)?;
            stmt.raw_bind_parameter(at + 1, position)?;
            stmt.raw_bind_parameter(at + 2, &tp.touchpoint)?;
            stmt.raw_bind_parameter(at + 3, &tp.stage)?;
            stmt.raw_bind_parameter(at + 4, f64::from(tp.confidence))
        },
    )?;
    insert_rows(
        &tx,
        DETAILS_PER_STATEMENT,
        STAGE_RATING_COLUMNS,
        4,
        "",
        &stage_ratings,
        |stmt, at, (id, sr)| {
            stmt.raw_bind_parameter(at, id)?;
            stmt.raw_bind_parameter(at + 1, &sr.stage)?;
            stmt.raw_bind_parameter(at + 2, sr.rating.value)?;
            stmt.raw_bind_parameter(at + 3, sr.rating.scale.as_str())
        },
    )?;
    insert_rows(
        &tx,
        DETAILS_PER_STATEMENT,
        SURVEY_ANSWER_COLUMNS,
        6,
        "",
        &survey_answers,
        |stmt, at, (id, es, overall)| {
            stmt.raw_bind_parameter(at, id)?;
            stmt.raw_bind_parameter(at + 1, effective_brand(es))?;
            stmt.raw_bind_parameter(at + 2, es.signal.created_at.timestamp())?;
            stmt.raw_bind_parameter(at + 3, &es.signal.channel)?;
            stmt.raw_bind_parameter(at + 4, overall.value)?;
            stmt.raw_bind_parameter(at + 5, overall.scale.as_str())
        },
    )?;
    upsert_rollups(&tx, rollup)?;
    upsert_ratings(&tx, ratings)?;
    if let Some(derive) = derive_now {
        run_derive(&tx, &fresh, derive)?;
        if let Some(last) = ids.iter().rev().find_map(|id| *id) {
            set_cursor(&tx, last)?;
        }
        for s in &mut summaries {
            s.derived = true;
        }
    }
    tx.commit()?;
    Ok(Inserted {
        parts: summaries,
        ids,
    })
}

/// Runs `derive` on `fresh` inside `tx` (care's aggregates flushed after).
fn run_derive(
    tx: &Transaction<'_>,
    fresh: &[&EnrichedSignal],
    derive: &mut dyn Derive,
) -> Result<(), StoreError> {
    let mut derived = super::care::Tx {
        conn: tx,
        next_id: None,
        aggregates: super::care::CareAggregates::default(),
    };
    derive.derive(fresh, &mut derived)?;
    derived.aggregates.flush(tx)
}

/// The derivation cursor and the largest signal id.
pub(super) fn cursor(conn: &Connection) -> Result<(i64, i64), StoreError> {
    let upto: i64 = conn
        .prepare_cached("SELECT upto FROM derive_cursor WHERE id = 1")?
        .query_row([], |r| r.get(0))?;
    let last: i64 = conn
        .prepare_cached("SELECT ifnull(max(id), 0) FROM signals")?
        .query_row([], |r| r.get(0))?;
    Ok((upto, last))
}

fn set_cursor(tx: &Transaction<'_>, upto: i64) -> Result<(), StoreError> {
    tx.prepare_cached("UPDATE derive_cursor SET upto = ?1 WHERE id = 1")?
        .execute([upto])?;
    Ok(())
}

/// Derives `fresh` — which must be every stored signal after the cursor up
/// to the last of them, in id order — in one transaction, and moves the
/// cursor past them. `Ok(false)` (nothing done) when they are not: another
/// writer stored or derived signals meanwhile, or some were purged.
pub(super) fn derive_range(
    conn: &mut Connection,
    fresh: &[(i64, &EnrichedSignal)],
    derive: &mut dyn Derive,
) -> Result<bool, StoreError> {
    let (Some(&(first, _)), Some(&(last, _))) = (fresh.first(), fresh.last()) else {
        return Ok(true);
    };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (upto, _) = cursor(&tx)?;
    if first <= upto || fresh.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Ok(false);
    }
    // Ids are unique integers: `fresh` being exactly upto+1 ..= last is
    // proof enough; otherwise count what is stored in between.
    let exact = usize::try_from(last - upto).is_ok_and(|n| n == fresh.len()) || {
        let stored: i64 = tx
            .prepare_cached("SELECT count(*) FROM signals WHERE id > ?1 AND id <= ?2")?
            .query_row([upto, last], |r| r.get(0))?;
        usize::try_from(stored).is_ok_and(|n| n == fresh.len())
    };
    if !exact {
        return Ok(false);
    }
    let refs: Vec<&EnrichedSignal> = fresh.iter().map(|(_, s)| *s).collect();
    run_derive(&tx, &refs, derive)?;
    set_cursor(&tx, last)?;
    tx.commit()?;
    Ok(true)
}

/// Inserts the signals; returns the id of each, `None` for a duplicate.
///
/// The ids of a multi-row insert need no query in the usual case: holding
/// the write lock, SQLite gives each new row the largest rowid so far plus
/// one, so when a statement inserted all its n rows and the last rowid is
/// the previous largest plus n, the rows got exactly the n ids after it, in
/// order. A statement that skipped duplicates looks its rows up instead: a
/// row is new when its stored id is above the previous largest and no
/// earlier row of the statement (the same key twice) claimed it.
fn insert_signals(
    tx: &Transaction<'_>,
    batch: &[EnrichedSignal],
) -> Result<Vec<Option<i64>>, StoreError> {
    let mut ids = Vec::with_capacity(batch.len());
    let mut max_id: i64 = tx
        .prepare_cached("SELECT ifnull(max(id), 0) FROM signals")?
        .query_row([], |r| r.get(0))?;
    if max_id > MAX_SIGNAL_ID - batch.len() as i64 {
        return Err(StoreError::IdsExhausted);
    }
    let mut intents = String::new();
    let mut lookup =
        tx.prepare_cached("SELECT id FROM signals WHERE channel = ?1 AND external_id = ?2")?;
    for_each_statement(
        tx,
        SIGNALS_PER_STATEMENT,
        SIGNAL_COLUMNS,
        20,
        "",
        batch,
        |stmt, rows| {
            for (i, es) in rows.iter().enumerate() {
                bind_signal(stmt, i * 20 + 1, es, &mut intents)?;
            }
            let changed = stmt.raw_execute()?;
            let last = tx.last_insert_rowid();
            let n = rows.len() as i64;
            if changed == rows.len() && last == max_id + n {
                ids.extend((max_id + 1..=last).map(Some));
            } else {
                let first_new = ids.len();
                for es in rows {
                    let id: i64 = lookup
                        .query_row(params![es.signal.channel, es.signal.external_id], |r| {
                            r.get(0)
                        })?;
                    let claimed = ids[first_new..].contains(&Some(id));
                    ids.push((id > max_id && !claimed).then_some(id));
                }
            }
            if changed > 0 {
                max_id = max_id.max(last);
            }
            Ok(())
        },
    )?;
    Ok(ids)
}

/// Binds one signal's 20 values starting at parameter `at`. Every parameter
/// is bound on every use: bindings outlive a statement reset.
fn bind_signal(
    stmt: &mut Statement<'_>,
    at: usize,
    es: &EnrichedSignal,
    intents: &mut String,
) -> rusqlite::Result<()> {
    let (s, e) = (&es.signal, &es.enrichment);
    let brand = effective_brand(es);
    encode_intents(&e.intents, intents);
    stmt.raw_bind_parameter(at, &s.channel)?;
    stmt.raw_bind_parameter(at + 1, &s.external_id)?;
    stmt.raw_bind_parameter(at + 2, brand)?;
    stmt.raw_bind_parameter(at + 3, s.brand.is_none() && brand.is_some())?;
    stmt.raw_bind_parameter(at + 4, &s.author)?;
    stmt.raw_bind_parameter(at + 5, s.author_followers.map(to_i64))?;
    stmt.raw_bind_parameter(at + 6, s.created_at.timestamp())?;
    stmt.raw_bind_parameter(at + 7, &s.text)?;
    stmt.raw_bind_parameter(at + 8, s.rating.map(|r| r.value))?;
    stmt.raw_bind_parameter(at + 9, s.rating.map(|r| r.scale.as_str()))?;
    stmt.raw_bind_parameter(at + 10, &s.in_reply_to)?;
    stmt.raw_bind_parameter(at + 11, &s.url)?;
    stmt.raw_bind_parameter(at + 12, &s.lang)?;
    stmt.raw_bind_parameter(at + 13, &e.engine)?;
    stmt.raw_bind_parameter(at + 14, e.sentiment)?;
    stmt.raw_bind_parameter(at + 15, e.sentiment_label.as_str())?;
    stmt.raw_bind_parameter(at + 16, e.experience_value)?;
    stmt.raw_bind_parameter(at + 17, f64::from(e.priority))?;
    stmt.raw_bind_parameter(at + 18, intents.as_str())?;
    stmt.raw_bind_parameter(at + 19, e.brand_post)
}

/// `INSERT OR IGNORE INTO <columns> VALUES (?1, …), …` for `rows` rows of
/// `width` values, then `suffix`.
fn multi_row_sql(columns: &str, width: usize, rows: usize, suffix: &str) -> String {
    let mut sql = format!("INSERT OR IGNORE INTO {columns} VALUES ");
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            let _ = write!(sql, "?{}", r * width + c + 1);
        }
        sql.push(')');
    }
    sql.push_str(suffix);
    sql
}

/// Calls `run` with a multi-row statement for each group of up to
/// `per_statement` items; `run` binds and executes it.
fn for_each_statement<T>(
    tx: &Transaction<'_>,
    per_statement: usize,
    columns: &str,
    width: usize,
    suffix: &str,
    items: &[T],
    mut run: impl FnMut(&mut Statement<'_>, &[T]) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let mut groups = items.chunks_exact(per_statement);
    if items.len() >= per_statement {
        let mut stmt = tx.prepare_cached(&multi_row_sql(columns, width, per_statement, suffix))?;
        for group in &mut groups {
            run(&mut stmt, group)?;
        }
    }
    let rest = groups.remainder();
    if !rest.is_empty() {
        let mut stmt = tx.prepare_cached(&multi_row_sql(columns, width, rest.len(), suffix))?;
        run(&mut stmt, rest)?;
    }
    Ok(())
}

/// Inserts rows of `width` values; `bind` binds one row starting at the
/// given parameter index.
fn insert_rows<T>(
    tx: &Transaction<'_>,
    per_statement: usize,
    columns: &str,
    width: usize,
    suffix: &str,
    rows: &[T],
    mut bind: impl FnMut(&mut Statement<'_>, usize, &T) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    for_each_statement(
        tx,
        per_statement,
        columns,
        width,
        suffix,
        rows,
        |stmt, group| {
            for (i, row) in group.iter().enumerate() {
                bind(stmt, i * width + 1, row)?;
            }
            stmt.raw_execute().map(drop)
        },
    )
}

/// Adds the batch's increments to the stored rollups, in key order so that
/// consecutive rows land on the same b-tree pages.
fn upsert_rollups(tx: &Transaction<'_>, rollup: BatchRollup<'_>) -> rusqlite::Result<()> {
    let rows = rollup.into_sorted();
    // Rows come by day: format each day once.
    let mut day: Option<(chrono::NaiveDate, String)> = None;
    let bind = |stmt: &mut Statement<'_>, at: usize, k: &Row<'_>| {
        let v = &k.sums;
        if day.as_ref().map(|(d, _)| *d) != Some(k.day) {
            day = Some((k.day, day_string(k.day)));
        }
        stmt.raw_bind_parameter(at, day.as_ref().map_or("", |(_, s)| s.as_str()))?;
        stmt.raw_bind_parameter(at + 1, k.brand)?;
        stmt.raw_bind_parameter(at + 2, k.touchpoint)?;
        stmt.raw_bind_parameter(at + 3, v.stage)?;
        stmt.raw_bind_parameter(at + 4, k.channel)?;
        stmt.raw_bind_parameter(at + 5, to_i64(v.n))?;
        stmt.raw_bind_parameter(at + 6, v.sum_ev)?;
        stmt.raw_bind_parameter(at + 7, v.sum_ev2)?;
        stmt.raw_bind_parameter(at + 8, to_i64(v.positive))?;
        stmt.raw_bind_parameter(at + 9, to_i64(v.neutral))?;
        stmt.raw_bind_parameter(at + 10, to_i64(v.negative))?;
        stmt.raw_bind_parameter(at + 11, to_i64(v.reach))?;
        stmt.raw_bind_parameter(at + 12, to_i64(v.complaints))?;
        stmt.raw_bind_parameter(at + 13, to_i64(v.rated))
    };
    insert_rows(
        tx,
        ROLLUPS_PER_STATEMENT,
        ROLLUP_COLUMNS,
        14,
        ROLLUP_UPSERT,
        &rows,
        bind,
    )
}

/// Adds the batch's rating increments to the stored rating rollups.
fn upsert_ratings(tx: &Transaction<'_>, ratings: BatchRatings<'_>) -> rusqlite::Result<()> {
    let rows = ratings.into_sorted();
    insert_rows(
        tx,
        ROLLUPS_PER_STATEMENT,
        RATING_COLUMNS,
        9,
        RATING_UPSERT,
        &rows,
        |stmt, at, ((day, brand, stage, channel, scale), v)| {
            stmt.raw_bind_parameter(at, day_string(*day))?;
            stmt.raw_bind_parameter(at + 1, *brand)?;
            stmt.raw_bind_parameter(at + 2, *stage)?;
            stmt.raw_bind_parameter(at + 3, *channel)?;
            stmt.raw_bind_parameter(at + 4, scale.as_str())?;
            stmt.raw_bind_parameter(at + 5, to_i64(v.n))?;
            stmt.raw_bind_parameter(at + 6, to_i64(v.top))?;
            stmt.raw_bind_parameter(at + 7, to_i64(v.bottom))?;
            stmt.raw_bind_parameter(at + 8, v.sum_value)
        },
    )
}

pub(super) fn insert_outcomes(
    conn: &mut Connection,
    rows: &[OutcomeRow],
) -> Result<u64, StoreError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut written = 0u64;
    {
        let mut upsert = tx.prepare_cached(UPSERT_OUTCOME)?;
        for r in rows {
            written += upsert.execute(params![
                day_string(r.period_start),
                r.brand,
                r.revenue,
                r.customers,
                r.return_visits,
            ])? as u64;
        }
    }
    tx.commit()?;
    Ok(written)
}

/// Deletes every signal created before `cutoff` (midnight UTC) with its
/// details, and the rollups of those days, in one transaction. Days before
/// the cutoff hold only purged signals, so their daily rollups go whole;
/// the cutoff's month keeps its later days, so its monthly rows are summed
/// again from the daily ones that remain.
pub(super) fn purge_before(
    conn: &mut Connection,
    cutoff: chrono::NaiveDate,
) -> Result<PurgeSummary, StoreError> {
    let cutoff_ts = midnight_utc(cutoff);
    let day = day_string(cutoff);
    let month = format!("{}-01", &day[..7]);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS purge_ids (id INTEGER PRIMARY KEY); DELETE FROM purge_ids;",
    )?;
    let signals = tx.execute(
        "INSERT INTO purge_ids SELECT id FROM signals WHERE created_at < ?1",
        params![cutoff_ts],
    )?;
    for table in ["signal_touchpoints", "signal_stage_ratings"] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE signal_id IN (SELECT id FROM purge_ids)"),
            [],
        )?;
    }
    let survey_answers = tx.execute(
        "DELETE FROM survey_answers WHERE signal_id IN (SELECT id FROM purge_ids)",
        [],
    )?;
    tx.execute(
        "DELETE FROM signals WHERE id IN (SELECT id FROM purge_ids)",
        [],
    )?;
    tx.execute("DELETE FROM purge_ids", [])?;
    // New signals get the largest id + 1: a cursor above the largest id
    // left would skip them.
    tx.execute(
        "UPDATE derive_cursor SET upto = min(upto, (SELECT ifnull(max(id), 0) FROM signals))",
        [],
    )?;
    let cases = super::care::purge_before(&tx, cutoff)?;
    let authors = super::advocacy::purge_before(&tx, cutoff_ts)?;
    let rollup_days = tx.execute("DELETE FROM rollup_daily WHERE day < ?1", params![day])?;
    tx.execute("DELETE FROM rating_daily WHERE day < ?1", params![day])?;
    tx.execute(
        "DELETE FROM rollup_monthly WHERE month <= ?1",
        params![month],
    )?;
    tx.execute(
        "INSERT INTO rollup_monthly
         SELECT ?1, brand, touchpoint, stage, channel,
                SUM(n), SUM(sum_ev), SUM(sum_ev2), SUM(positive), SUM(neutral), SUM(negative),
                SUM(reach), SUM(complaints), SUM(rated)
         FROM rollup_daily WHERE day >= ?2 AND substr(day, 1, 7) = substr(?2, 1, 7)
         GROUP BY brand, touchpoint, channel",
        params![month, day],
    )?;
    tx.commit()?;
    Ok(PurgeSummary {
        signals: signals as u64,
        survey_answers: survey_answers as u64,
        rollup_rows: rollup_days as u64,
        cases,
        authors,
    })
}
