//! The conformance suite on SQLite (in memory and on file), and what only
//! SQLite has: the file, its pragmas, migrations and query plans.

use crate::conformance;
use crate::fixtures;
use std::path::Path;
use tce_store::{RollupFilter, SqliteStore, Store, StoreError};

fn memory() -> SqliteStore {
    SqliteStore::open_in_memory().expect("in-memory store")
}

/// Runs a conformance check on a fresh in-memory store and on a fresh file.
fn both(check: fn(&mut dyn Store)) {
    check(&mut memory());
    let dir = tempfile::tempdir().expect("tempdir");
    check(&mut SqliteStore::open(&dir.path().join("tce.db")).expect("open"));
}

#[test]
fn empty_store() {
    both(conformance::empty_store);
}

#[test]
fn tokens_lifecycle() {
    both(conformance::tokens_lifecycle);
}

#[test]
fn insert_and_stats() {
    both(conformance::insert_and_stats);
}

#[test]
fn dedupe_within_batch() {
    both(conformance::dedupe_within_batch);
}

#[test]
fn dedupe_across_batches() {
    both(conformance::dedupe_across_batches);
}

#[test]
fn secrets_are_made_once() {
    both(conformance::secrets_are_made_once);
}

#[test]
fn purge_before() {
    both(conformance::purge_before);
}

#[test]
fn grouped_insert() {
    both(conformance::grouped_insert);
}

#[test]
fn reopen_keeps_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tce.db");
    conformance::reopen_keeps_data(&mut || Box::new(SqliteStore::open(&path).expect("open")));
}

#[test]
fn rating_rollups_match_signals() {
    both(conformance::rating_rollups_match_signals);
}

/// A database from before rating_daily (schema 5) gets it filled from its
/// signals when opened, with the same rows inserting would have made.
#[test]
fn rating_rollups_are_backfilled_by_the_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tce.db");
    let mut store = SqliteStore::open(&path).expect("open");
    store.insert(&fixtures::signals(5, 900)).expect("insert");
    let all = tce_store::RatingFilter::default();
    let before = store.rating_rollups(&all).expect("ratings");
    assert!(before.len() > 20, "the fixtures hold ratings");
    store
        .connection()
        .execute_batch(concat!(
            "DROP TABLE cases; DROP TABLE case_messages; DROP TABLE case_events; ",
            "DROP TABLE care_backlog; DROP TABLE care_daily; DROP TABLE care_timing_daily; ",
            "DROP TABLE assessments; DROP TABLE derive_cursor; ",
            "DROP TABLE advocacy_authors; DROP TABLE advocacy_periods; DROP TABLE advocacy_net; ",
            "DROP TABLE ideas; DROP TABLE idea_signals; DROP TABLE idea_events; DROP TABLE moments; ",
            "DROP TABLE alert_series; DROP TABLE alerts; DROP TABLE alert_events; ",
            "DROP TABLE webhooks; DROP TABLE webhook_deliveries; ",
            "ALTER TABLE signals DROP COLUMN brand_post; ",
            "DROP TABLE rating_daily; PRAGMA user_version = 5;"
        ))
        .expect("back to schema 5");
    drop(store);
    let store = SqliteStore::open(&path).expect("migrate");
    assert_eq!(user_version(&path), SqliteStore::schema_version());
    let after = store.rating_rollups(&all).expect("ratings");
    assert_eq!(after.len(), before.len());
    for (a, b) in after.iter().zip(&before) {
        assert_eq!(
            (&a.day, &a.brand, &a.stage, &a.channel, a.scale),
            (&b.day, &b.brand, &b.stage, &b.channel, b.scale)
        );
        assert_eq!((a.n, a.top, a.bottom), (b.n, b.top, b.bottom));
        assert!((a.sum_value - b.sum_value).abs() < 1e-9);
    }
}

#[test]
fn rollups_match_signals() {
    both(conformance::rollups_match_signals);
}

#[test]
fn signals_filters_and_pagination() {
    both(conformance::signals_filters_and_pagination);
}

#[test]
fn signals_by_ref() {
    both(conformance::signals_by_ref);
}

#[test]
fn survey_responses() {
    both(conformance::survey_responses);
}

#[test]
fn outcomes_upsert() {
    both(conformance::outcomes_upsert);
}

#[test]
fn bad_batch_stores_nothing() {
    both(conformance::bad_batch_stores_nothing);
}

#[test]
fn times_round_trip() {
    both(conformance::times_round_trip);
}

/// One row of the GROUP BY below: day, brand, touchpoint, stage, channel; n,
/// positive, neutral, negative, reach, complaints, rated; the two sums.
struct GroupRow {
    key: [String; 5],
    counts: [i64; 7],
    sum_ev: f64,
    sum_ev2: f64,
}

/// The rollups equal a GROUP BY over the raw tables, computed by SQLite.
#[test]
fn rollups_equal_sql_group_by() {
    let mut store = memory();
    let signals = fixtures::signals(11, 900);
    for batch in signals.chunks(128) {
        store.insert(batch).expect("insert");
    }
    store.insert(&signals[100..300]).expect("duplicates");
    let sql = "
        WITH s AS (
            SELECT id, date(created_at, 'unixepoch') AS day, ifnull(brand, 'unknown') AS brand,
                   channel, experience_value AS ev, sentiment_label AS label,
                   ifnull(author_followers, 0) AS followers,
                   instr(',' || intents, ',complaint:') > 0 AS complaint,
                   rating IS NOT NULL AS rated
            FROM signals),
        hits AS (
            SELECT day, brand, '' AS touchpoint, '' AS stage, channel, ev, label, followers, complaint, rated FROM s
            UNION ALL
            SELECT day, brand, t.touchpoint, t.stage, channel, ev, label, followers, complaint, rated
            FROM s JOIN signal_touchpoints t ON t.signal_id = s.id)
        SELECT day, brand, touchpoint, stage, channel, count(*), total(ev), total(ev * ev),
               sum(label = 'positive'), sum(label = 'neutral'), sum(label = 'negative'),
               sum(followers), sum(complaint), sum(rated)
        FROM hits GROUP BY day, brand, touchpoint, channel ORDER BY day, brand, touchpoint, channel";
    let conn = store.connection();
    let mut stmt = conn.prepare(sql).expect("prepare");
    let want: Vec<GroupRow> = stmt
        .query_map([], |r| {
            Ok(GroupRow {
                key: [r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?],
                counts: [
                    r.get(5)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                    r.get(13)?,
                ],
                sum_ev: r.get(6)?,
                sum_ev2: r.get(7)?,
            })
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let got = store.rollups(&RollupFilter::default()).expect("rollups");
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        let key = [
            g.day.to_string(),
            g.brand.clone(),
            g.touchpoint.clone(),
            g.stage.clone(),
            g.channel.clone(),
        ];
        assert_eq!(key, w.key);
        let counts = [
            g.n,
            g.positive,
            g.neutral,
            g.negative,
            g.reach,
            g.complaints,
            g.rated,
        ];
        assert_eq!(counts.map(|c| c as i64), w.counts, "{g:?}");
        assert!(
            (g.sum_ev - w.sum_ev).abs() < 1e-9 && (g.sum_ev2 - w.sum_ev2).abs() < 1e-9,
            "{g:?}"
        );
    }
}

fn user_version(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version")
}

/// A database from before survey_answers (schema 3) gets the table filled
/// from its signals when opened, and reads the same survey answers.
#[test]
fn survey_answers_are_backfilled_by_the_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tce.db");
    let mut store = SqliteStore::open(&path).expect("open");
    store.insert(&fixtures::signals(7, 800)).expect("insert");
    let before = store.survey_responses(None).expect("responses");
    assert!(before.len() > 10, "the fixtures hold survey answers");
    store
        .connection()
        .execute_batch(
            "DROP TABLE cases; DROP TABLE case_messages; DROP TABLE case_events; \
             DROP TABLE care_backlog; DROP TABLE care_daily; DROP TABLE care_timing_daily; \
             DROP TABLE assessments; \
             DROP TABLE derive_cursor; \
             DROP TABLE advocacy_authors; DROP TABLE advocacy_periods; DROP TABLE advocacy_net; \
             DROP TABLE ideas; DROP TABLE idea_signals; DROP TABLE idea_events; DROP TABLE moments; \
             DROP TABLE alert_series; DROP TABLE alerts; DROP TABLE alert_events; \
             DROP TABLE webhooks; DROP TABLE webhook_deliveries; \
             ALTER TABLE signals DROP COLUMN brand_post; \
             DROP TABLE survey_answers; DROP TABLE secrets; DROP TABLE rating_daily; \
             PRAGMA user_version = 3;",
        )
        .expect("back to schema 3");
    drop(store);
    let store = SqliteStore::open(&path).expect("migrate");
    assert_eq!(user_version(&path), SqliteStore::schema_version());
    assert_eq!(store.survey_responses(None).expect("responses"), before);
}

#[test]
fn file_is_wal_and_migrated_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tce.db");
    let store = SqliteStore::open(&path).expect("open");
    let mode: String = store
        .connection()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "wal");
    drop(store);
    assert_eq!(user_version(&path), SqliteStore::schema_version());
    // Opening again applies nothing and fails on nothing.
    let store = SqliteStore::open(&path).expect("reopen");
    drop(store);
    assert_eq!(user_version(&path), SqliteStore::schema_version());
}

#[test]
fn newer_database_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tce.db");
    drop(SqliteStore::open(&path).expect("create"));
    let newer = SqliteStore::schema_version() + 1;
    rusqlite::Connection::open(&path)
        .expect("open")
        .pragma_update(None, "user_version", newer)
        .expect("set version");
    let err = SqliteStore::open(&path).expect_err("newer schema");
    assert!(
        matches!(err, StoreError::TooNew { found, supported, .. } if found == newer && supported == SqliteStore::schema_version()),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains(&format!("version {newer}")), "{msg}");
    assert!(msg.contains("newer tce"), "{msg}");
    // Refusing changed nothing.
    assert_eq!(user_version(&path), newer);
}

#[test]
fn foreign_database_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("other.db");
    rusqlite::Connection::open(&path)
        .expect("open")
        .execute_batch("CREATE TABLE accounts (id INTEGER PRIMARY KEY)")
        .expect("create");
    let err = SqliteStore::open(&path).expect_err("not ours");
    assert!(matches!(err, StoreError::NotTce { .. }), "{err:?}");
    assert!(err.to_string().contains("not a tce database"), "{err}");
}

#[test]
fn concurrent_reader_sees_committed_batches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tce.db");
    let mut writer = SqliteStore::open(&path).expect("writer");
    let reader = SqliteStore::open(&path).expect("reader");
    let signals = fixtures::signals(12, 100);
    writer.insert(&signals[..60]).expect("insert");
    assert_eq!(reader.signal_count().expect("count"), 60);
    writer.insert(&signals[40..]).expect("insert");
    assert_eq!(reader.stats().expect("stats").signals, 100);
}

/// The newest-first listing walks the created_at index instead of sorting,
/// with or without filters, so a page costs the same at any size.
#[test]
fn listing_uses_the_time_index() {
    let mut store = memory();
    store.insert(&fixtures::signals(13, 200)).expect("insert");
    let plan = |filters: &str| -> String {
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT s.id FROM signals s WHERE 1 {filters} \
             ORDER BY s.created_at DESC, s.id DESC LIMIT 50"
        );
        let conn = store.connection();
        let mut stmt = conn.prepare(&sql).expect("prepare");
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<Result<_, _>>()
            .expect("rows");
        rows.join("; ")
    };
    for filters in [
        "",
        "AND s.brand = 'acme'",
        "AND +s.channel = 'x'",
        "AND s.created_at <= 5 AND (s.created_at < 5 OR s.id < 9)",
    ] {
        let p = plan(filters);
        assert!(p.contains("signals_created"), "{filters}: {p}");
        assert!(!p.contains("TEMP B-TREE"), "{filters}: {p}");
    }
}

#[test]
fn monthly_rollups_sum_the_daily_ones() {
    both(conformance::monthly_rollups_sum_the_daily_ones);
}

/// The maturity evidence's counts read indexes, not tables: advocates per
/// brand, live ideas per status, and the alerts of a window.
#[test]
fn evidence_counts_read_indexes() {
    let store = memory();
    let conn = store.connection();
    let plan = |sql: &str| -> String {
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("prepare");
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<Result<_, _>>()
            .expect("rows");
        rows.join("; ")
    };
    for (sql, index) in [
        (
            "SELECT brand, count(*) FROM advocacy_authors INDEXED BY advocacy_authors_class \
             WHERE class = 'advocate' AND signals >= 2 GROUP BY brand ORDER BY brand",
            "COVERING INDEX advocacy_authors_class",
        ),
        (
            "SELECT own, status, count(*) FROM ideas INDEXED BY ideas_status \
             WHERE merged_into IS NULL GROUP BY own, status ORDER BY own, status",
            "COVERING INDEX ideas_status",
        ),
        (
            "SELECT id FROM alerts INDEXED BY alerts_recent \
             WHERE window_start >= 1 AND window_start < 2 ORDER BY window_start, id",
            "INDEX alerts_recent (window_start>? AND window_start<?)",
        ),
    ] {
        let p = plan(sql);
        assert!(p.contains(index), "{sql}: {p}");
        assert!(!p.contains("TEMP B-TREE"), "{sql}: {p}");
    }
}

#[test]
fn derive_cursor() {
    both(conformance::derive_cursor);
}
