//! Derivation behind a cursor: a file ingest acknowledges batches before
//! their work is derived; whatever a stopped run left pending is derived on
//! the next start, in signal order, exactly as if it had never stopped.

use chrono::NaiveDate;
use std::path::Path;
use tce_model::{EnrichedSignal, Model};
use tce_pipeline::{Door, Pipeline};
use tce_store::{AdvocateQuery, AlertQuery, CaseQuery, IdeaQuery, MomentQuery, SqliteStore, Store};
use tce_synth::{generate, AdvocacyConfig, SynthConfig};

fn world() -> (Model, Vec<Vec<tce_model::Signal>>) {
    let model = super::airline();
    let cfg = SynthConfig {
        signals: 12_000,
        days: 40,
        start: NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
        seed: 5,
        advocacy: AdvocacyConfig::on(),
        ..SynthConfig::default()
    };
    let (mut signals, mut labels, mut outcomes) = (Vec::new(), Vec::new(), Vec::new());
    generate(&model, &cfg, &mut signals, &mut labels, &mut outcomes).expect("world");
    let (parsed, rejects) =
        tce_ingest::parse_body(&signals, None, &Default::default(), &model, "signals.jsonl")
            .expect("parse");
    assert!(rejects.is_empty(), "{rejects:?}");
    let batches = parsed
        .chunks(1_000)
        .map(|c| c.iter().map(|p| p.signal.clone()).collect())
        .collect();
    (model, batches)
}

/// Everything the derived work shows users, ids included (alert versions
/// aside).
fn derived(store: &SqliteStore) -> String {
    let cases = store
        .cases(&CaseQuery {
            limit: CaseQuery::MAX_LIMIT,
            ..CaseQuery::default()
        })
        .expect("cases");
    let advocates = store
        .advocates(&AdvocateQuery {
            limit: 200,
            ..AdvocateQuery::default()
        })
        .expect("advocates");
    let net = store.net_advocacy(None).expect("net");
    let ideas = store.ideas(&IdeaQuery::default()).expect("ideas");
    let moments = store.moments(&MomentQuery::default()).expect("moments");
    // An alert's version counts the transactions that saved it, which
    // depends on where derivations start and end; the rest may not.
    let alerts: Vec<_> = store
        .alerts(&AlertQuery::default())
        .expect("alerts")
        .into_iter()
        .map(|a| tce_store::Alert { version: 0, ..a })
        .collect();
    format!("{cases:?}\n{advocates:?}\n{net:?}\n{ideas:?}\n{moments:?}\n{alerts:?}")
}

fn prepared(pipeline: &Pipeline, batches: &[Vec<tce_model::Signal>]) -> Vec<Vec<EnrichedSignal>> {
    batches
        .iter()
        .map(|b| pipeline.prepare_all(b.iter().cloned()))
        .collect()
}

#[test]
fn work_a_stopped_ingest_left_pending_is_derived_on_the_next_start() {
    let (model, batches) = world();
    let dir = tempfile::tempdir().expect("dir");

    // One uninterrupted run, deriving once per three batches.
    let mut whole = SqliteStore::open(&dir.path().join("whole.db")).expect("store");
    let pipeline = Pipeline::open(&model, Path::new("."), &mut whole).expect("pipeline");
    let (session, _) = pipeline.session(&mut whole).expect("session");
    let mut session = session.derive_every(3_000);
    let mut opened = 0;
    for b in prepared(&pipeline, &batches) {
        opened += session
            .store(&mut whole, b, Door::File)
            .expect("store")
            .care
            .cases_opened;
    }
    opened += session
        .finish(&mut whole)
        .expect("finish")
        .care
        .cases_opened;
    assert!(opened > 100, "the world opens cases: {opened}");
    let cursor = whole.derive_cursor().expect("cursor");
    assert!(!cursor.pending() && cursor.last > 0, "{cursor:?}");

    // A run stopped after storing 7 of 12 batches: the last ones it stored
    // wait, acknowledged but not derived.
    let path = dir.path().join("stopped.db");
    let mut stopped = SqliteStore::open(&path).expect("store");
    let pipeline = Pipeline::open(&model, Path::new("."), &mut stopped).expect("pipeline");
    let all = prepared(&pipeline, &batches);
    {
        let (session, _) = pipeline.session(&mut stopped).expect("session");
        let mut session = session.derive_every(3_000);
        for b in all.iter().take(7) {
            session
                .store(&mut stopped, b.clone(), Door::File)
                .expect("store");
        }
        // Dropped without finish: the process stopped.
    }
    let cursor = stopped.derive_cursor().expect("cursor");
    assert!(cursor.pending(), "work is pending: {cursor:?}");
    assert_eq!(stopped.signal_count().expect("count"), 7_000);
    drop(stopped);

    // The next run (another process) derives it first, then goes on.
    let mut again = SqliteStore::open(&path).expect("reopen");
    let pipeline = Pipeline::open(&model, Path::new("."), &mut again).expect("pipeline");
    let (session, caught) = pipeline.session(&mut again).expect("session");
    assert!(caught.care.cases_opened > 0, "{caught:?}");
    assert!(!again.derive_cursor().expect("cursor").pending());
    let mut session = session.derive_every(3_000);
    for b in all.into_iter().skip(7) {
        session.store(&mut again, b, Door::File).expect("store");
    }
    session.finish(&mut again).expect("finish");

    assert_eq!(derived(&again), derived(&whole));
}

#[test]
fn a_door_that_derives_at_once_derives_what_another_left_pending_first() {
    let (model, batches) = world();
    let mut store = SqliteStore::open_in_memory().expect("store");
    let pipeline = Pipeline::open(&model, Path::new("."), &mut store).expect("pipeline");
    let all = prepared(&pipeline, &batches[..4]);
    let mut reference = SqliteStore::open_in_memory().expect("store");
    for b in &all {
        pipeline
            .store(&mut reference, b, Door::File)
            .expect("store");
    }

    // A file ingest stored two batches and stopped before deriving them.
    {
        let (session, _) = pipeline.session(&mut store).expect("session");
        let mut session = session.derive_every(usize::MAX);
        for b in all.iter().take(2) {
            session
                .store(&mut store, b.clone(), Door::File)
                .expect("store");
        }
    }
    assert!(store.derive_cursor().expect("cursor").pending());
    // An HTTP batch arrives: the pending work is derived first, in order.
    for b in all.iter().skip(2) {
        let done = pipeline.store(&mut store, b, Door::Http).expect("store");
        assert_eq!(done.accepted, 1_000);
    }
    assert!(!store.derive_cursor().expect("cursor").pending());
    assert_eq!(derived(&store), derived(&reference));
}
