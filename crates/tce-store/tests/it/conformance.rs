//! The behaviour every `Store` must show, one function per behaviour, each
//! taking a fresh store (or a way to open the same store again). The SQLite
//! suite calls them all (`sqlite.rs`); a PostgreSQL store will call the same.
//!
//! Expected values are computed here, in plain Rust, from the signals that
//! were inserted, never from the store's own code.

use crate::fixtures::{self, as_stored, distinct, time, START};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use tce_model::{EnrichedSignal, Intent, SentimentLabel};
use tce_store::{
    NewToken, OutcomeRow, RatingFilter, RollupFilter, RollupRow, SignalQuery, Stats, Store,
    StoreError, SurveyResponse, TokenRecord, UNKNOWN_BRAND,
};

fn brand_of(s: &EnrichedSignal) -> String {
    s.enrichment
        .brand
        .clone()
        .or_else(|| s.signal.brand.clone())
        .unwrap_or_else(|| UNKNOWN_BRAND.to_string())
}

fn expected_stats(kept: &[EnrichedSignal]) -> Stats {
    let mut stats = Stats {
        signals: kept.len() as u64,
        ..Stats::default()
    };
    for s in kept {
        *stats.by_brand.entry(brand_of(s)).or_default() += 1;
        *stats
            .by_channel
            .entry(s.signal.channel.clone())
            .or_default() += 1;
        let stages: BTreeSet<&str> = s
            .enrichment
            .touchpoints
            .iter()
            .map(|t| t.stage.as_str())
            .collect();
        for st in stages {
            *stats.by_stage.entry(st.to_string()).or_default() += 1;
        }
    }
    stats.first = kept.iter().map(|s| s.signal.created_at).min();
    stats.last = kept.iter().map(|s| s.signal.created_at).max();
    stats
}

type RollupKey = (NaiveDate, String, String, String);

/// The rollups recomputed from the kept signals, as a GROUP BY would.
fn expected_rollups(kept: &[EnrichedSignal]) -> BTreeMap<RollupKey, RollupRow> {
    let mut rows: BTreeMap<RollupKey, RollupRow> = BTreeMap::new();
    for s in kept {
        let day = s.signal.created_at.date_naive();
        let brand = brand_of(s);
        let mut targets = vec![(String::new(), String::new())];
        targets.extend(
            s.enrichment
                .touchpoints
                .iter()
                .map(|t| (t.touchpoint.clone(), t.stage.clone())),
        );
        for (tp, stage) in targets {
            let key = (day, brand.clone(), tp.clone(), s.signal.channel.clone());
            let r = rows.entry(key).or_insert_with(|| RollupRow {
                day,
                brand: brand.clone(),
                touchpoint: tp.clone(),
                stage: stage.clone(),
                channel: s.signal.channel.clone(),
                n: 0,
                sum_ev: 0.0,
                sum_ev2: 0.0,
                positive: 0,
                neutral: 0,
                negative: 0,
                reach: 0,
                complaints: 0,
                rated: 0,
            });
            let ev = s.enrichment.experience_value;
            r.n += 1;
            r.sum_ev += ev;
            r.sum_ev2 += ev * ev;
            match s.enrichment.sentiment_label {
                SentimentLabel::Positive => r.positive += 1,
                SentimentLabel::Neutral => r.neutral += 1,
                SentimentLabel::Negative => r.negative += 1,
            }
            r.reach += s.signal.author_followers.unwrap_or(0);
            r.complaints += u64::from(
                s.enrichment
                    .intents
                    .iter()
                    .any(|i| i.intent == Intent::Complaint),
            );
            r.rated += u64::from(s.signal.rating.is_some());
        }
    }
    rows
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

/// Compares every field of every row.
fn assert_rollups_eq(got: &[RollupRow], want: &BTreeMap<RollupKey, RollupRow>, what: &str) {
    let mut keys = HashSet::new();
    for g in got {
        let key = (
            g.day,
            g.brand.clone(),
            g.touchpoint.clone(),
            g.channel.clone(),
        );
        assert!(keys.insert(key.clone()), "{what}: row {key:?} twice");
        let w = want
            .get(&key)
            .unwrap_or_else(|| panic!("{what}: unexpected row {g:?}"));
        assert_eq!(
            (
                &g.stage,
                g.n,
                g.positive,
                g.neutral,
                g.negative,
                g.reach,
                g.complaints,
                g.rated
            ),
            (
                &w.stage,
                w.n,
                w.positive,
                w.neutral,
                w.negative,
                w.reach,
                w.complaints,
                w.rated
            ),
            "{what}: counts of {key:?}"
        );
        assert!(
            close(g.sum_ev, w.sum_ev),
            "{what}: sum_ev of {key:?}: {} != {}",
            g.sum_ev,
            w.sum_ev
        );
        assert!(
            close(g.sum_ev2, w.sum_ev2),
            "{what}: sum_ev2 of {key:?}: {} != {}",
            g.sum_ev2,
            w.sum_ev2
        );
    }
    assert_eq!(got.len(), want.len(), "{what}: row count");
    let mut sorted: Vec<_> = got
        .iter()
        .map(|g| (g.day, &g.brand, &g.touchpoint, &g.channel))
        .collect();
    sorted.sort();
    let order: Vec<_> = got
        .iter()
        .map(|g| (g.day, &g.brand, &g.touchpoint, &g.channel))
        .collect();
    assert_eq!(
        order, sorted,
        "{what}: rows ordered by day, brand, touchpoint, channel"
    );
}

fn insert_in_batches(store: &mut dyn Store, signals: &[EnrichedSignal], size: usize) -> (u64, u64) {
    let (mut inserted, mut duplicates) = (0, 0);
    for batch in signals.chunks(size) {
        let done = store.insert(batch).expect("insert");
        inserted += done.inserted;
        duplicates += done.duplicates;
    }
    (inserted, duplicates)
}

/// An empty store answers every read with nothing.
pub fn empty_store(store: &mut dyn Store) {
    assert_eq!(store.stats().expect("stats"), Stats::default());
    assert_eq!(store.signal_count().expect("count"), 0);
    assert!(store
        .rollups(&RollupFilter::default())
        .expect("rollups")
        .is_empty());
    let page = store.signals(&SignalQuery::default()).expect("signals");
    assert!(page.items.is_empty() && page.next_cursor.is_none());
    assert!(store.survey_responses(None).expect("surveys").is_empty());
    assert!(store.outcomes().expect("outcomes").is_empty());
    let done = store.insert(&[]).expect("empty batch");
    assert_eq!((done.inserted, done.duplicates), (0, 0));
}

/// Inserted signals are counted by brand, channel and stage.
pub fn insert_and_stats(store: &mut dyn Store) {
    let signals = fixtures::signals(1, 600);
    let (inserted, duplicates) = insert_in_batches(store, &signals, 250);
    assert_eq!((inserted, duplicates), (600, 0));
    let want = expected_stats(&distinct(&[&signals]));
    assert_eq!(store.stats().expect("stats"), want);
    assert_eq!(store.signal_count().expect("count"), 600);
    assert!(
        want.by_brand.contains_key(UNKNOWN_BRAND),
        "fixture covers signals without brand"
    );
    let json = serde_json::to_value(store.stats().expect("stats")).expect("serialise");
    for field in [
        "signals",
        "by_brand",
        "by_channel",
        "by_stage",
        "first",
        "last",
    ] {
        assert!(json.get(field).is_some(), "stats JSON has {field}");
    }
}

/// A key repeated within a batch is stored once, the first occurrence wins.
pub fn dedupe_within_batch(store: &mut dyn Store) {
    let signals = fixtures::signals(2, 40);
    let mut batch = signals.clone();
    // Repeat some keys with different content, next to and far from the first.
    for i in [0, 5, 5, 17, 39] {
        let mut again = signals[i].clone();
        again.signal.text = format!("changed {i}");
        batch.push(again);
    }
    batch.insert(1, {
        let mut again = signals[0].clone();
        again.signal.text = "changed right after".to_string();
        again
    });
    let done = store.insert(&batch).expect("insert");
    assert_eq!((done.inserted, done.duplicates), (40, 6));
    assert_eq!(store.signal_count().expect("count"), 40);
    let all = all_signals(
        store,
        &SignalQuery {
            limit: 1000,
            ..SignalQuery::default()
        },
    );
    let texts: HashSet<&str> = all.iter().map(|(_, s)| s.signal.text.as_str()).collect();
    assert!(
        !texts.iter().any(|t| t.starts_with("changed")),
        "first occurrence wins"
    );
    assert_eq!(
        store.stats().expect("stats"),
        expected_stats(&distinct(&[&signals]))
    );
}

/// Several batches in one transaction: each part gets its own counts, a key
/// of an earlier part is a later part's duplicate, and the result is the
/// same as inserting the parts one by one.
pub fn grouped_insert(store: &mut dyn Store) {
    let signals = fixtures::signals(5, 400);
    store.insert(&signals[..50]).expect("stored before");
    // Parts: 0..100 (50 already stored), 100..250, 200..300 (50 repeat the
    // previous part), an empty part, 300..400.
    let mut group: Vec<EnrichedSignal> = Vec::new();
    let mut lens = Vec::new();
    for range in [0..100, 100..250, 200..300, 0..0, 300..400] {
        lens.push(range.len());
        group.extend_from_slice(&signals[range]);
    }
    let done = store.insert_grouped(&group, &lens).expect("grouped");
    let counts: Vec<(u64, u64)> = done.iter().map(|d| (d.inserted, d.duplicates)).collect();
    assert_eq!(counts, [(50, 50), (150, 0), (50, 50), (0, 0), (100, 0)]);
    let kept = distinct(&[&signals]);
    assert_eq!(store.signal_count().expect("count"), kept.len() as u64);
    assert_eq!(store.stats().expect("stats"), expected_stats(&kept));
    assert_rollups_eq(
        &store.rollups(&RollupFilter::default()).expect("rollups"),
        &expected_rollups(&kept),
        "after a grouped insert",
    );
    // Lengths that do not add up are refused and nothing is stored.
    let more = fixtures::signals(55, 10);
    let err = store
        .insert_grouped(&more, &[4, 5])
        .expect_err("lengths must add up");
    assert!(err.to_string().contains("add up to 9"), "{err}");
    assert_eq!(store.signal_count().expect("count"), kept.len() as u64);
}

/// A key stored by an earlier batch is a duplicate; the rest of the batch goes in.
pub fn dedupe_across_batches(store: &mut dyn Store) {
    let signals = fixtures::signals(3, 300);
    let first = &signals[..200];
    let second = &signals[100..];
    let done = store.insert(first).expect("first");
    assert_eq!((done.inserted, done.duplicates), (200, 0));
    let done = store.insert(second).expect("second");
    assert_eq!((done.inserted, done.duplicates), (100, 100));
    let done = store.insert(&signals).expect("all again");
    assert_eq!((done.inserted, done.duplicates), (0, 300));
    // Interleaved old and new keys in one batch.
    let more = fixtures::signals(33, 1000);
    let fresh: Vec<EnrichedSignal> = more[300..320].to_vec();
    let mixed: Vec<EnrichedSignal> = signals[..20]
        .iter()
        .zip(&fresh)
        .flat_map(|(a, b)| [a.clone(), b.clone()])
        .collect();
    let done = store.insert(&mixed).expect("mixed");
    assert_eq!((done.inserted, done.duplicates), (20, 20));
    let kept = distinct(&[&signals, &mixed]);
    assert_eq!(store.signal_count().expect("count"), kept.len() as u64);
    assert_eq!(store.stats().expect("stats"), expected_stats(&kept));
    assert_rollups_eq(
        &store.rollups(&RollupFilter::default()).expect("rollups"),
        &expected_rollups(&kept),
        "after duplicates",
    );
    // The touchpoints of the interleaved new signals belong to them.
    let page = all_signals(
        store,
        &SignalQuery {
            limit: 10_000,
            ..SignalQuery::default()
        },
    );
    let by_key: BTreeMap<_, _> = page
        .iter()
        .map(|(_, s)| ((s.signal.channel.clone(), s.signal.external_id.clone()), s))
        .collect();
    for s in &kept {
        assert_eq!(
            by_key[&(s.signal.channel.clone(), s.signal.external_id.clone())],
            s
        );
    }
}

/// Data and dedupe keys survive closing and opening the store again.
pub fn reopen_keeps_data(open: &mut dyn FnMut() -> Box<dyn Store>) {
    let signals = fixtures::signals(4, 200);
    let outcomes = vec![OutcomeRow {
        period_start: NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
        brand: "acme".to_string(),
        revenue: 1000.0,
        customers: Some(10.0),
        return_visits: None,
    }];
    {
        let mut store = open();
        store.insert(&signals[..150]).expect("insert");
        store.insert_outcomes(&outcomes).expect("outcomes");
    }
    let mut store = open();
    assert_eq!(store.signal_count().expect("count"), 150);
    let done = store.insert(&signals).expect("insert again");
    assert_eq!((done.inserted, done.duplicates), (50, 150));
    drop(store);
    let store = open();
    let kept = distinct(&[&signals]);
    assert_eq!(store.stats().expect("stats"), expected_stats(&kept));
    assert_rollups_eq(
        &store.rollups(&RollupFilter::default()).expect("rollups"),
        &expected_rollups(&kept),
        "after reopen",
    );
    assert_eq!(store.outcomes().expect("outcomes"), outcomes);
}

/// Rollups equal a GROUP BY over the stored signals, field by field, and
/// their filters select exactly the matching rows.
pub fn rollups_match_signals(store: &mut dyn Store) {
    let signals = fixtures::signals(5, 1500);
    // Uneven batches, and a re-sent slice that must not count twice.
    insert_in_batches(store, &signals[..700], 333);
    insert_in_batches(store, &signals[600..], 101);
    let kept = distinct(&[&signals]);
    let want = expected_rollups(&kept);
    let all = store.rollups(&RollupFilter::default()).expect("rollups");
    assert_rollups_eq(&all, &want, "all");

    // Totals count every signal once per brand.
    let totals: u64 = all
        .iter()
        .filter(|r| r.touchpoint.is_empty())
        .map(|r| r.n)
        .sum();
    assert_eq!(totals, kept.len() as u64);

    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).expect("date");
    let filters = [
        RollupFilter {
            from: Some(day(3)),
            ..RollupFilter::default()
        },
        RollupFilter {
            to: Some(day(4)),
            ..RollupFilter::default()
        },
        RollupFilter {
            from: Some(day(4)),
            to: Some(day(4)),
            ..RollupFilter::default()
        },
        RollupFilter {
            brand: Some("acme".to_string()),
            ..RollupFilter::default()
        },
        RollupFilter {
            brand: Some(UNKNOWN_BRAND.to_string()),
            ..RollupFilter::default()
        },
        RollupFilter {
            channel: Some("reddit".to_string()),
            ..RollupFilter::default()
        },
        RollupFilter {
            touchpoint: Some("delivery".to_string()),
            ..RollupFilter::default()
        },
        RollupFilter {
            touchpoint: Some(String::new()),
            ..RollupFilter::default()
        },
        RollupFilter {
            from: Some(day(2)),
            to: Some(day(6)),
            brand: Some("globex".to_string()),
            channel: Some("x".to_string()),
            touchpoint: Some("checkout".to_string()),
        },
        RollupFilter {
            brand: Some("nobody".to_string()),
            ..RollupFilter::default()
        },
    ];
    for f in filters {
        let subset: BTreeMap<RollupKey, RollupRow> = want
            .iter()
            .filter(|((d, b, t, c), _)| {
                f.from.is_none_or(|x| *d >= x)
                    && f.to.is_none_or(|x| *d <= x)
                    && f.brand.as_ref().is_none_or(|x| x == b)
                    && f.channel.as_ref().is_none_or(|x| x == c)
                    && f.touchpoint.as_ref().is_none_or(|x| x == t)
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let got = store.rollups(&f).expect("rollups");
        assert_rollups_eq(&got, &subset, &format!("{f:?}"));
    }
}

/// Every page of a query, following the cursors.
fn all_signals(store: &dyn Store, q: &SignalQuery) -> Vec<(i64, EnrichedSignal)> {
    let mut out = Vec::new();
    let mut q = q.clone();
    for _ in 0..100_000 {
        let page = store.signals(&q).expect("signals");
        assert!(page.items.len() <= q.effective_limit());
        out.extend(page.items.into_iter().map(|s| (s.id, s.signal)));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return out,
        }
    }
    panic!("pagination does not end");
}

fn matches(q: &SignalQuery, s: &EnrichedSignal) -> bool {
    let e = &s.enrichment;
    let t = s.signal.created_at;
    q.brand.as_ref().is_none_or(|b| *b == brand_of(s))
        && q.channel.as_ref().is_none_or(|c| *c == s.signal.channel)
        && q.stage
            .as_ref()
            .is_none_or(|st| e.touchpoints.iter().any(|tp| tp.stage == *st))
        && q.touchpoint
            .as_ref()
            .is_none_or(|x| e.touchpoints.iter().any(|tp| tp.touchpoint == *x))
        && q.min_sentiment.is_none_or(|m| e.sentiment >= m)
        && q.max_sentiment.is_none_or(|m| e.sentiment <= m)
        && q.intent
            .is_none_or(|i| e.intents.iter().any(|x| x.intent == i))
        && q.from.is_none_or(|f| t >= f)
        && q.to.is_none_or(|x| t < x)
        && q.text_contains.as_ref().is_none_or(|needle| {
            s.signal
                .text
                .to_ascii_lowercase()
                .contains(&needle.to_ascii_lowercase())
        })
}

/// Newest first (ties: later insert first), every match exactly once across
/// pages, whatever the filters and page size; signals read back as stored.
pub fn signals_filters_and_pagination(store: &mut dyn Store) {
    let signals = fixtures::signals(6, 700);
    insert_in_batches(store, &signals, 200);
    let kept = distinct(&[&signals]);
    // Insertion order is id order.
    let mut newest_first: Vec<(usize, &EnrichedSignal)> = kept.iter().enumerate().collect();
    newest_first.sort_by_key(|(i, s)| std::cmp::Reverse((s.signal.created_at, *i)));

    let at = |h: i64| time(START + h * 3600);
    let queries = [
        SignalQuery::default(),
        SignalQuery {
            limit: 1,
            ..SignalQuery::default()
        },
        SignalQuery {
            limit: 7,
            ..SignalQuery::default()
        },
        SignalQuery {
            limit: 100_000,
            ..SignalQuery::default()
        },
        SignalQuery {
            brand: Some("acme".to_string()),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            brand: Some(UNKNOWN_BRAND.to_string()),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            channel: Some("survey".to_string()),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            stage: Some("operations".to_string()),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            touchpoint: Some("hotline".to_string()),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            min_sentiment: Some(0.5),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            max_sentiment: Some(-0.05),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            min_sentiment: Some(-0.2),
            max_sentiment: Some(0.2),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            intent: Some(Intent::Complaint),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            intent: Some(Intent::PurchaseIntent),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            from: Some(at(48)),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            to: Some(at(48)),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            from: Some(at(24)),
            to: Some(at(72)),
            limit: 9,
            ..SignalQuery::default()
        },
        // A bound between whole seconds: stored times are whole seconds.
        SignalQuery {
            to: Some(at(30) + chrono::Duration::milliseconds(1)),
            limit: 50,
            ..SignalQuery::default()
        },
        SignalQuery {
            text_contains: Some("great".to_string()),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            text_contains: Some("100%".to_string()),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            text_contains: Some("_".to_string()),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            text_contains: Some("%".to_string()),
            limit: 9,
            ..SignalQuery::default()
        },
        SignalQuery {
            brand: Some("globex".to_string()),
            channel: Some("x".to_string()),
            stage: Some("sales".to_string()),
            min_sentiment: Some(-0.5),
            from: Some(at(10)),
            limit: 3,
            ..SignalQuery::default()
        },
        SignalQuery {
            brand: Some("nobody".to_string()),
            ..SignalQuery::default()
        },
    ];
    for q in &queries {
        let got = all_signals(store, q);
        let ids: HashSet<i64> = got.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids.len(), got.len(), "{q:?}: an id twice");
        let want: Vec<&EnrichedSignal> = newest_first
            .iter()
            .map(|(_, s)| *s)
            .filter(|s| matches(q, s))
            .collect();
        let got: Vec<&EnrichedSignal> = got.iter().map(|(_, s)| s).collect();
        assert_eq!(got.len(), want.len(), "{q:?}: number of matches");
        assert!(got == want, "{q:?}: signals or their order differ");
        if q.text_contains.as_deref() == Some("_") {
            assert!(
                !want.is_empty() && want.len() < kept.len(),
                "LIKE wildcards are literal"
            );
        }
    }
    let complaints = queries
        .iter()
        .find(|q| q.intent == Some(Intent::Complaint))
        .expect("query");
    assert!(
        !all_signals(store, complaints).is_empty(),
        "fixture has complaints"
    );

    // Page boundaries fall inside runs of equal timestamps.
    let ties = kept.iter().filter(|s| {
        kept.iter()
            .any(|o| !std::ptr::eq(*s, o) && o.signal.created_at == s.signal.created_at)
    });
    assert!(ties.count() > 10, "fixture has equal timestamps");

    let err = store.signals(&SignalQuery {
        cursor: Some("not a cursor".to_string()),
        ..SignalQuery::default()
    });
    assert!(matches!(err, Err(StoreError::InvalidCursor(_))), "{err:?}");
}

/// Survey answers: overall and per-stage experience values of rated signals
/// with stage ratings, oldest first, optionally of one brand.
pub fn survey_responses(store: &mut dyn Store) {
    let signals = fixtures::signals(7, 800);
    insert_in_batches(store, &signals, 300);
    let kept = distinct(&[&signals]);
    let mut want: Vec<(usize, SurveyResponse)> = kept
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let overall = s.signal.rating?.experience_value();
            if s.signal.stage_ratings.is_empty() {
                return None;
            }
            let mut stages: Vec<(String, f64)> = s
                .signal
                .stage_ratings
                .iter()
                .map(|r| (r.stage.clone(), r.rating.experience_value()))
                .collect();
            stages.sort_by(|a, b| a.0.cmp(&b.0));
            Some((
                i,
                SurveyResponse {
                    brand: brand_of(s),
                    created_at: s.signal.created_at,
                    channel: s.signal.channel.clone(),
                    overall,
                    stages,
                },
            ))
        })
        .collect();
    want.sort_by_key(|(i, r)| (r.created_at, *i));
    let want: Vec<SurveyResponse> = want.into_iter().map(|(_, r)| r).collect();
    assert!(want.len() > 20, "fixture has survey answers");
    assert_eq!(store.survey_responses(None).expect("surveys"), want);
    for brand in ["acme", UNKNOWN_BRAND, "nobody"] {
        let subset: Vec<SurveyResponse> =
            want.iter().filter(|r| r.brand == brand).cloned().collect();
        assert_eq!(
            store.survey_responses(Some(brand)).expect("surveys"),
            subset,
            "{brand}"
        );
    }
}

/// Outcomes are upserted on (period start, brand) and read back in order.
pub fn outcomes_upsert(store: &mut dyn Store) {
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).expect("date");
    let row = |d, brand: &str, revenue, customers| OutcomeRow {
        period_start: day(d),
        brand: brand.to_string(),
        revenue,
        customers,
        return_visits: None,
    };
    let first = vec![
        row(9, "acme", 10.0, Some(1.0)),
        row(2, "globex", 20.0, None),
        row(2, "acme", 30.0, None),
    ];
    assert_eq!(store.insert_outcomes(&first).expect("insert"), 3);
    let mut changed = row(2, "acme", 31.5, Some(4.0));
    changed.return_visits = Some(2.0);
    let second = vec![changed.clone(), row(16, "acme", 5.0, None)];
    assert_eq!(store.insert_outcomes(&second).expect("upsert"), 2);
    assert_eq!(store.insert_outcomes(&[]).expect("nothing"), 0);
    assert_eq!(
        store.outcomes().expect("outcomes"),
        vec![
            changed,
            row(2, "globex", 20.0, None),
            row(9, "acme", 10.0, Some(1.0)),
            row(16, "acme", 5.0, None)
        ]
    );
}

/// A batch with a signal that cannot be stored is refused whole.
pub fn bad_batch_stores_nothing(store: &mut dyn Store) {
    let signals = fixtures::signals(8, 50);
    store.insert(&signals[..10]).expect("insert");
    let before_rollups = store.rollups(&RollupFilter::default()).expect("rollups");
    let mut batch = signals[10..].to_vec();
    batch[20].enrichment.sentiment = f64::NAN;
    let err = store.insert(&batch).expect_err("NaN sentiment");
    assert!(matches!(err, StoreError::InvalidSignal { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&batch[20].signal.external_id),
        "{err}"
    );
    assert_eq!(store.signal_count().expect("count"), 10);
    assert_eq!(
        store.rollups(&RollupFilter::default()).expect("rollups"),
        before_rollups
    );
    batch[20].enrichment.sentiment = 0.0;
    let done = store.insert(&batch).expect("fixed batch");
    assert_eq!((done.inserted, done.duplicates), (40, 0));
}

/// Times keep their second; far past and future dates work.
pub fn times_round_trip(store: &mut dyn Store) {
    let mut signals = fixtures::signals(9, 3);
    let times: [DateTime<Utc>; 3] = [time(0), time(-86_400 * 365 * 30), time(4_102_444_800)];
    for (s, t) in signals.iter_mut().zip(times) {
        s.signal.created_at = t;
    }
    store.insert(&signals).expect("insert");
    let stats = store.stats().expect("stats");
    assert_eq!(stats.first, Some(times[1]));
    assert_eq!(stats.last, Some(times[2]));
    let got = all_signals(store, &SignalQuery::default());
    let want: Vec<EnrichedSignal> = [2, 0, 1].iter().map(|&i| as_stored(&signals[i])).collect();
    assert_eq!(got.into_iter().map(|(_, s)| s).collect::<Vec<_>>(), want);
}

/// Tokens: stored by hash, found by hash, listed oldest first, revoked once.
pub fn tokens_lifecycle(store: &mut dyn Store) {
    assert!(store.list_tokens().expect("list").is_empty());
    let hash = |b: u8| [b; 32];
    let made = time(1_700_000_000);
    let new = |name: &str, role: &str, department: Option<&str>, h: u8| NewToken {
        name: name.into(),
        role: role.into(),
        department: department.map(str::to_string),
        hash: hash(h),
        created_at: made,
    };
    let a = store
        .create_token(&new("ops", "admin", None, 1))
        .expect("create");
    let b = store
        .create_token(&new("bags desk", "agent", Some("baggage"), 2))
        .expect("create");
    assert_ne!(a, b);
    let found = store
        .token_by_hash(&hash(2))
        .expect("by hash")
        .expect("found");
    assert_eq!(
        found,
        TokenRecord {
            id: b,
            name: "bags desk".into(),
            role: "agent".into(),
            department: Some("baggage".into()),
            created_at: made,
            revoked_at: None,
        }
    );
    assert_eq!(store.token_by_hash(&hash(3)).expect("by hash"), None);
    // The same hash twice is refused (hashes identify tokens).
    assert!(store.create_token(&new("dup", "admin", None, 1)).is_err());

    let at = time(1_700_000_600);
    assert!(store.revoke_token(a, at).expect("revoke"));
    assert!(!store.revoke_token(a, time(1_700_000_900)).expect("again"));
    assert!(!store.revoke_token(9_999, at).expect("unknown"));
    let listed = store.list_tokens().expect("list");
    assert_eq!(listed.iter().map(|t| t.id).collect::<Vec<_>>(), vec![a, b]);
    assert_eq!(listed[0].revoked_at, Some(at), "first revocation time kept");
    assert_eq!(listed[1].revoked_at, None);
    let revoked = store
        .token_by_hash(&hash(1))
        .expect("by hash")
        .expect("kept");
    assert_eq!(revoked.revoked_at, Some(at));
}

/// Monthly rollups equal the daily rollups summed per calendar month, after
/// batches that both insert new rollup rows and update existing ones.
pub fn monthly_rollups_sum_the_daily_ones(store: &mut dyn Store) {
    let signals = spread_over_months(5);
    for batch in signals.chunks(97) {
        store.insert(batch).expect("insert");
    }
    store
        .insert(&signals[..200])
        .expect("duplicates change nothing");
    assert_monthly_sums_daily(store);
}

/// 1,200 fixture signals spread over about three months.
fn spread_over_months(seed: u64) -> Vec<EnrichedSignal> {
    let mut signals = crate::fixtures::signals(seed, 1200);
    for (i, s) in signals.iter_mut().enumerate() {
        s.signal.created_at += chrono::Duration::days(20 * (i % 4) as i64);
    }
    signals
}

/// Retention: purging before a day deletes exactly the older signals, and
/// every view (stats, daily and monthly rollups, survey answers, paging)
/// then agrees with a store that only ever held the newer ones.
pub fn purge_before(store: &mut dyn Store) {
    let signals = spread_over_months(9);
    for batch in signals.chunks(300) {
        store.insert(batch).expect("insert");
    }
    let mut days: Vec<chrono::NaiveDate> = signals
        .iter()
        .map(|s| s.signal.created_at.date_naive())
        .collect();
    days.sort();
    let cutoff = days[days.len() / 2];
    // Inside a month, so the month's monthly rollups keep its later days.
    assert_ne!(chrono::Datelike::day(&cutoff), 1, "{cutoff}");
    let stored = distinct(&[&signals]);
    let (old, kept): (Vec<EnrichedSignal>, Vec<EnrichedSignal>) = stored
        .iter()
        .cloned()
        .partition(|s| s.signal.created_at.date_naive() < cutoff);
    assert!(!old.is_empty() && !kept.is_empty());
    let surveys_before = store.survey_responses(None).expect("surveys").len();
    assert_eq!(store.count_before(cutoff).expect("count"), old.len() as u64);
    let done = store.purge_before(cutoff).expect("purge");
    assert_eq!(done.signals, old.len() as u64);
    assert_eq!(store.signal_count().expect("count"), kept.len() as u64);
    assert_eq!(store.stats().expect("stats"), expected_stats(&kept));
    assert_rollups_eq(
        &store.rollups(&RollupFilter::default()).expect("rollups"),
        &expected_rollups(&kept),
        "after purge",
    );
    assert_monthly_sums_daily(store);
    let surveys = store.survey_responses(None).expect("surveys");
    assert_eq!(
        surveys.len() as u64 + done.survey_answers,
        surveys_before as u64
    );
    assert!(surveys.iter().all(|r| r.created_at.date_naive() >= cutoff));
    let page = all_signals(store, &SignalQuery::default());
    assert_eq!(page.len(), kept.len());
    // Again: nothing left to purge. Re-ingesting the old signals brings them
    // back (their keys were freed).
    assert_eq!(store.purge_before(cutoff).expect("again").signals, 0);
    let back = store.insert(&old).expect("re-insert");
    assert_eq!(back.inserted, old.len() as u64);
    assert_eq!(store.stats().expect("stats"), expected_stats(&stored));
    assert_monthly_sums_daily(store);
}

/// Monthly rollups equal the sums of the daily ones.
fn assert_monthly_sums_daily(store: &mut dyn Store) {
    let daily = store.rollups(&RollupFilter::default()).expect("daily");
    let mut want: BTreeMap<(chrono::NaiveDate, String, String, String), RollupRow> =
        BTreeMap::new();
    for r in daily {
        let month = chrono::Datelike::with_day(&r.day, 1).expect("first of month");
        let key = (
            month,
            r.brand.clone(),
            r.touchpoint.clone(),
            r.channel.clone(),
        );
        let e = want.entry(key).or_insert_with(|| RollupRow {
            day: month,
            n: 0,
            sum_ev: 0.0,
            sum_ev2: 0.0,
            positive: 0,
            neutral: 0,
            negative: 0,
            reach: 0,
            complaints: 0,
            rated: 0,
            ..r.clone()
        });
        e.n += r.n;
        e.sum_ev += r.sum_ev;
        e.sum_ev2 += r.sum_ev2;
        e.positive += r.positive;
        e.neutral += r.neutral;
        e.negative += r.negative;
        e.reach += r.reach;
        e.complaints += r.complaints;
        e.rated += r.rated;
    }
    let got = store
        .monthly_rollups(&RollupFilter::default())
        .expect("monthly");
    assert!(
        want.len() > 10 && got.len() == want.len(),
        "{} monthly rows, want {}",
        got.len(),
        want.len()
    );
    let months: std::collections::BTreeSet<_> = got.iter().map(|r| r.day).collect();
    assert!(
        months.len() >= 2,
        "the fixtures should span months: {months:?}"
    );
    for g in &got {
        let w = &want[&(
            g.day,
            g.brand.clone(),
            g.touchpoint.clone(),
            g.channel.clone(),
        )];
        assert_eq!(
            (
                g.n,
                g.positive,
                g.neutral,
                g.negative,
                g.reach,
                g.complaints,
                g.rated,
                &g.stage
            ),
            (
                w.n,
                w.positive,
                w.neutral,
                w.negative,
                w.reach,
                w.complaints,
                w.rated,
                &w.stage
            ),
            "{g:?}"
        );
        assert!(
            close(g.sum_ev, w.sum_ev) && close(g.sum_ev2, w.sum_ev2),
            "{g:?} vs {w:?}"
        );
    }
}

/// A secret is made once: later callers get the first one, whatever they
/// propose.
pub fn secrets_are_made_once(store: &mut dyn Store) {
    let first = store.secret_or_insert("k", &[1, 2, 3]).expect("insert");
    assert_eq!(first, [1, 2, 3]);
    assert_eq!(store.secret_or_insert("k", &[9]).expect("again"), [1, 2, 3]);
    assert_eq!(store.secret_or_insert("other", &[7]).expect("other"), [7]);
}

type RatingKey = (NaiveDate, String, String, String, String);

/// The rating rollups recomputed from the kept signals: promoters 9–10 and
/// detractors 0–6 on nps10, top two (4–5) and bottom two (1–2) boxes on the
/// five-point scales; the overall rating under stage "", stage ratings under
/// their stage (a stage rated twice counts once, the first).
fn expected_ratings(kept: &[EnrichedSignal]) -> BTreeMap<RatingKey, (u64, u64, u64, f64)> {
    let mut rows: BTreeMap<RatingKey, (u64, u64, u64, f64)> = BTreeMap::new();
    for s in kept {
        let day = s.signal.created_at.date_naive();
        let mut ratings = Vec::new();
        if let Some(r) = s.signal.rating {
            ratings.push((String::new(), r));
        }
        let mut seen = BTreeSet::new();
        for sr in &s.signal.stage_ratings {
            if seen.insert(sr.stage.clone()) {
                ratings.push((sr.stage.clone(), sr.rating));
            }
        }
        for (stage, r) in ratings {
            let nps = r.scale == tce_model::RatingScale::Nps10;
            let (top, bottom) = if nps {
                (r.value >= 9.0, r.value <= 6.0)
            } else {
                (r.value >= 4.0, r.value <= 2.0)
            };
            let key = (
                day,
                brand_of(s),
                stage,
                s.signal.channel.clone(),
                r.scale.as_str().to_string(),
            );
            let row = rows.entry(key).or_default();
            row.0 += 1;
            row.1 += u64::from(top);
            row.2 += u64::from(bottom);
            row.3 += r.value;
        }
    }
    rows
}

fn assert_ratings_eq(store: &dyn Store, kept: &[EnrichedSignal], what: &str) {
    let got: BTreeMap<RatingKey, (u64, u64, u64, f64)> = store
        .rating_rollups(&RatingFilter::default())
        .expect("rating rollups")
        .into_iter()
        .map(|r| {
            (
                (
                    r.day,
                    r.brand,
                    r.stage,
                    r.channel,
                    r.scale.as_str().to_string(),
                ),
                (r.n, r.top, r.bottom, r.sum_value),
            )
        })
        .collect();
    let want = expected_ratings(kept);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{what}: keys"
    );
    for (k, g) in &got {
        let w = &want[k];
        assert!(
            g.0 == w.0 && g.1 == w.1 && g.2 == w.2 && close(g.3, w.3),
            "{what}: {k:?}: got {g:?}, want {w:?}"
        );
    }
}

/// Rating rollups (the counts behind NPS and CSAT) equal the counts of the
/// stored signals' ratings, whatever the batching and duplicates, filter by
/// day, brand and stage, and follow a purge.
pub fn rating_rollups_match_signals(store: &mut dyn Store) {
    let signals = spread_over_months(11);
    insert_in_batches(store, &signals, 170);
    // Duplicates add nothing.
    insert_in_batches(store, &signals[..400], 90);
    let kept = distinct(&[&signals]);
    assert!(kept.iter().filter(|s| s.signal.rating.is_some()).count() > 100);
    assert_ratings_eq(store, &kept, "after insert");

    let mut days: Vec<NaiveDate> = kept
        .iter()
        .map(|s| s.signal.created_at.date_naive())
        .collect();
    days.sort();
    let (from, to) = (days[days.len() / 4], days[days.len() * 3 / 4]);
    let filter = RatingFilter {
        from: Some(from),
        to: Some(to),
        brand: Some("acme".into()),
        stage: Some("sales".into()),
    };
    let got = store.rating_rollups(&filter).expect("filtered");
    let all = store.rating_rollups(&RatingFilter::default()).expect("all");
    let want: Vec<_> = all
        .into_iter()
        .filter(|r| r.day >= from && r.day <= to && r.brand == "acme" && r.stage == "sales")
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    let overall = store
        .rating_rollups(&RatingFilter {
            stage: Some(String::new()),
            ..RatingFilter::default()
        })
        .expect("overall");
    assert!(!overall.is_empty() && overall.iter().all(|r| r.stage.is_empty()));

    let cutoff = days[days.len() / 2];
    store.purge_before(cutoff).expect("purge");
    let left: Vec<EnrichedSignal> = kept
        .into_iter()
        .filter(|s| s.signal.created_at.date_naive() >= cutoff)
        .collect();
    assert_ratings_eq(store, &left, "after purge");
}

/// Signals looked up by their (channel, external id): in the order asked,
/// each once, unknown keys left out, with touchpoints and stage ratings —
/// the same signals a page would show.
pub fn signals_by_ref(store: &mut dyn Store) {
    let signals = fixtures::signals(11, 300);
    insert_in_batches(store, &signals, 100);
    let kept = distinct(&[&signals]);
    assert!(store.signals_by_ref(&[]).expect("none").is_empty());
    let key = |s: &EnrichedSignal| (s.signal.channel.clone(), s.signal.external_id.clone());
    let picks = [kept.len() - 1, 0, 17, 17, kept.len() / 2];
    let mut refs: Vec<(String, String)> = picks.iter().map(|&i| key(&kept[i])).collect();
    refs.insert(2, ("x".to_string(), "no-such-id".to_string()));
    refs.push((
        "no-such-channel".to_string(),
        kept[0].signal.external_id.clone(),
    ));
    let got = store.signals_by_ref(&refs).expect("by ref");
    let want: Vec<EnrichedSignal> = [kept.len() - 1, 0, 17, kept.len() / 2]
        .iter()
        .map(|&i| kept[i].clone())
        .collect();
    assert_eq!(
        got.iter().map(|s| s.signal.clone()).collect::<Vec<_>>(),
        want
    );
    // The ids are the ones pages give.
    let all = all_signals(store, &SignalQuery::default());
    for s in &got {
        assert!(all.iter().any(|(id, a)| *id == s.id && *a == s.signal));
    }
}

/// Records what a derivation was given.
#[derive(Default)]
struct Seen(Vec<String>);

impl tce_store::Derive for Seen {
    fn derive(
        &mut self,
        fresh: &[&EnrichedSignal],
        _: &mut dyn tce_store::DeriveTx,
    ) -> Result<(), StoreError> {
        self.0
            .extend(fresh.iter().map(|s| s.signal.external_id.clone()));
        Ok(())
    }
}

/// Derivation follows a cursor in id order: a pending insert leaves work
/// behind it, an inline derivation does not jump over that work, a range
/// is derived only when it is exactly what is pending, and a purge that
/// removes the newest signals brings the cursor back so new ones are not
/// skipped.
pub fn derive_cursor(store: &mut dyn Store) {
    let all = fixtures::signals(41, 30);
    let ext = |r: std::ops::Range<usize>| -> Vec<String> {
        all[r]
            .iter()
            .map(|s| s.signal.external_id.clone())
            .collect()
    };
    let mut seen = Seen::default();
    store
        .insert_with(&all[..10], &[10], &mut seen)
        .expect("insert");
    assert_eq!(seen.0, ext(0..10));
    let c = store.derive_cursor().expect("cursor");
    assert!(!c.pending() && c.upto == c.last && c.last > 0, "{c:?}");

    // Stored, acknowledged, not derived.
    let done = store.insert_pending(&all[10..20], &[10]).expect("pending");
    assert_eq!(done.parts[0].inserted, 10);
    assert!(!done.parts[0].derived);
    let ids: Vec<i64> = done.ids.iter().map(|id| id.expect("fresh")).collect();
    let c = store.derive_cursor().expect("cursor");
    assert!(c.pending() && c.last == ids[9], "{c:?}");

    // An inline derivation does not jump the queue: it leaves its batch pending.
    let mut later = Seen::default();
    let parts = store
        .insert_with(&all[20..25], &[5], &mut later)
        .expect("insert");
    assert!(!parts[0].derived && later.0.is_empty());

    // Only exactly what is pending may be derived as a range.
    let pending = store.pending_signals(c.upto, 100).expect("pending");
    assert_eq!(pending.len(), 15);
    let refs: Vec<(i64, &EnrichedSignal)> = pending.iter().map(|s| (s.id, &s.signal)).collect();
    let mut part = Seen::default();
    assert!(!store.derive_range(&refs[1..], &mut part).expect("gap"));
    assert!(part.0.is_empty());
    assert!(store
        .derive_range(&refs[..10], &mut part)
        .expect("first ten"));
    assert_eq!(part.0, ext(10..20));
    assert!(!store.derive_range(&refs[..10], &mut part).expect("twice"));
    assert!(store.derive_range(&refs[10..], &mut part).expect("rest"));
    assert_eq!(part.0, ext(10..25));
    assert!(!store.derive_cursor().expect("cursor").pending());

    // Purging the newest signals brings the cursor back to what is left.
    let newest = all[..25]
        .iter()
        .map(|s| s.signal.created_at)
        .max()
        .expect("signals");
    let everything = (newest + chrono::Duration::days(2)).date_naive();
    store.purge_before(everything).expect("purge");
    let c = store.derive_cursor().expect("cursor");
    assert!(!c.pending() && c.upto <= c.last, "{c:?}");
    let mut fresh = Seen::default();
    store
        .insert_with(&all[25..], &[5], &mut fresh)
        .expect("insert");
    assert_eq!(
        fresh.0,
        ext(25..30),
        "new signals after a purge are derived"
    );
}
