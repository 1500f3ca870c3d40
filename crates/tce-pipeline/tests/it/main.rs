//! The one ingest path over a real SQLite store: what every door relies on.

#![allow(clippy::expect_used)]

mod advocacy;
mod alerts;
mod care;
mod cursor;

use chrono::{DateTime, Utc};
use std::path::Path;
use tce_model::{Model, Signal};
use tce_pipeline::{Door, Pipeline, PipelineError, Stored};
use tce_store::{SignalQuery, SqliteStore, Store};

fn airline() -> Model {
    let t = tce_model::templates::template("airline").expect("airline template");
    Model::parse(t.toml, Path::new("tce.toml")).expect("template parses")
}

fn signal(id: &str, author: &str, text: &str) -> Signal {
    Signal {
        channel: "x".into(),
        external_id: id.into(),
        brand: None,
        author: Some(author.into()),
        author_followers: Some(120),
        created_at: DateTime::<Utc>::from_timestamp(1_772_323_200, 0).expect("time"),
        text: text.into(),
        rating: None,
        stage_ratings: Vec::new(),
        in_reply_to: None,
        url: None,
        lang: None,
    }
}

fn stored_authors(store: &SqliteStore) -> Vec<String> {
    let page = store
        .signals(&SignalQuery {
            limit: 100,
            ..SignalQuery::default()
        })
        .expect("signals");
    let mut authors: Vec<String> = page
        .items
        .iter()
        .filter_map(|s| s.signal.signal.author.clone())
        .collect();
    authors.sort();
    authors
}

#[test]
fn prepares_stores_and_counts_duplicates() {
    let model = airline();
    let mut store = SqliteStore::open_in_memory().expect("store");
    let pipeline = Pipeline::open(&model, Path::new("."), &mut store).expect("pipeline");
    let batch = pipeline.prepare_all([
        signal(
            "1",
            "@ann",
            "@SkyWayAir lost my bag at the carousel, furious",
        ),
        signal("2", "@bob", "@SkyWayAir crew were lovely, thank you"),
        signal("1", "@ann", "the same id again"),
    ]);
    // Enrichment happened: brand from the handle, a touchpoint, a sentiment.
    assert_eq!(batch[0].enrichment.brand.as_deref(), Some("skyway"));
    assert!(batch[0]
        .enrichment
        .touchpoints
        .iter()
        .any(|t| t.touchpoint == "baggage"));
    assert!(batch[0].enrichment.sentiment < 0.0 && batch[1].enrichment.sentiment > 0.0);
    let done = pipeline
        .store(&mut store, &batch, Door::File)
        .expect("store");
    assert_eq!(
        done,
        Stored {
            accepted: 2,
            duplicates: 1,
            care: done.care,
            advocacy: done.advocacy,
            alerts: done.alerts,
        }
    );
    // Re-sending the batch adds nothing.
    let again = pipeline
        .store(&mut store, &batch, Door::Http)
        .expect("store");
    assert_eq!(again.accepted, 0);
    assert_eq!(again.duplicates, 3);
    assert_eq!(store.signal_count().expect("count"), 2);
}

#[test]
fn grouped_batches_each_get_their_own_counts() {
    let model = airline();
    let mut store = SqliteStore::open_in_memory().expect("store");
    let pipeline = Pipeline::open(&model, Path::new("."), &mut store).expect("pipeline");
    let all = pipeline.prepare_all([
        signal("a", "@x", "delayed again"),
        signal("b", "@y", "on time, nice"),
        signal("b", "@y", "on time, nice"),
        signal("c", "@z", "refund please"),
    ]);
    let parts = pipeline
        .store_grouped(&mut store, &all, &[2, 2], Door::Http)
        .expect("grouped");
    assert_eq!(
        parts,
        vec![
            Stored {
                accepted: 2,
                duplicates: 0,
                care: parts[0].care,
                advocacy: parts[0].advocacy,
                alerts: parts[0].alerts,
            },
            Stored {
                accepted: 1,
                duplicates: 1,
                care: parts[1].care,
                advocacy: parts[1].advocacy,
                alerts: parts[1].alerts,
            }
        ]
    );
}

#[test]
fn pseudonyms_are_stable_across_pipelines_of_one_workspace() {
    let mut model = airline();
    model.privacy.pseudonymize_authors = true;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("tce.db");
    let mut store = SqliteStore::open(&db).expect("store");
    let first = Pipeline::open(&model, dir.path(), &mut store).expect("pipeline");
    let batch = first.prepare_all([signal("1", "@ann", "hello @SkyWayAir")]);
    first.store(&mut store, &batch, Door::File).expect("store");
    drop(store);
    // Another door, another process: the same key from the store.
    let mut store = SqliteStore::open(&db).expect("reopen");
    let second = Pipeline::open(&model, dir.path(), &mut store).expect("pipeline");
    let batch = second.prepare_all([signal("2", "@ann", "again @SkyWayAir")]);
    second.store(&mut store, &batch, Door::Http).expect("store");
    let authors = stored_authors(&store);
    assert_eq!(authors.len(), 2);
    assert_eq!(authors[0], authors[1], "same author, same pseudonym");
    assert!(
        !authors[0].contains("ann"),
        "the handle is not kept: {authors:?}"
    );
}

#[test]
fn brand_handles_are_not_pseudonymised() {
    let mut model = airline();
    model.privacy.pseudonymize_authors = true;
    let mut store = SqliteStore::open_in_memory().expect("store");
    let pipeline = Pipeline::open(&model, Path::new("."), &mut store).expect("pipeline");
    let batch = pipeline.prepare_all([
        signal("1", "@ann", "@SkyWayAir my bag is lost"),
        signal(
            "2",
            "@skywaysupport",
            "@ann so sorry, DM us your tag number",
        ),
    ]);
    let ann = batch[0].signal.author.as_deref().expect("author");
    assert!(!ann.contains("ann"), "a customer is pseudonymised: {ann}");
    assert_eq!(
        batch[1].signal.author.as_deref(),
        Some("@skywaysupport"),
        "a brand's handle (any case) stays as written"
    );
}

#[test]
fn a_missing_classifier_names_its_file() {
    let mut model = airline();
    model.classifiers.sentiment = Some("models/sentiment.model".into());
    let mut store = SqliteStore::open_in_memory().expect("store");
    let dir = tempfile::tempdir().expect("tempdir");
    let err = Pipeline::open(&model, dir.path(), &mut store).expect_err("no such file");
    assert!(matches!(err, PipelineError::Classifier { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("[classifiers]") && message.contains("models/sentiment.model"),
        "{message}"
    );
}
