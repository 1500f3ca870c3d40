//! Care metrics on a generated demo world against its planted truth: the
//! first-response times per department that tce reports equal those
//! computed from the replies tce-synth planted (truth.json).

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::path::Path;
use tce_insight::care::{percentile, stats, CareGroup, CareStatsRequest};
use tce_model::Model;
use tce_pipeline::{Door, Pipeline};
use tce_store::{CaseQuery, SqliteStore, Store};
use tce_synth::{generate, SynthConfig};

fn airline() -> Model {
    let t = tce_model::templates::template("airline").unwrap();
    Model::parse(t.toml, Path::new("tce.toml")).unwrap()
}

#[test]
fn first_response_percentiles_per_department_equal_the_planted_truth() {
    let model = airline();
    let cfg = SynthConfig {
        signals: 30_000,
        days: 60,
        start: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        seed: 11,
        ..SynthConfig::default()
    };
    let (mut signals, mut labels, mut outcomes) = (Vec::new(), Vec::new(), Vec::new());
    let truth = generate(&model, &cfg, &mut signals, &mut labels, &mut outcomes).unwrap();
    assert!(truth.care.replies.len() > 100, "the world plants replies");

    let mut store = SqliteStore::open_in_memory().unwrap();
    let pipeline = Pipeline::open(&model, Path::new("."), &mut store).unwrap();
    let (parsed, rejects) =
        tce_ingest::parse_body(&signals, None, &Default::default(), &model, "signals.jsonl")
            .unwrap();
    assert!(rejects.is_empty(), "{rejects:?}");
    for chunk in parsed.chunks(5_000) {
        let batch = pipeline.prepare_all(chunk.iter().map(|p| p.signal.clone()));
        pipeline.store(&mut store, &batch, Door::File).unwrap();
    }

    // The department of the case each planted reply answers (cases tce
    // opened; a planted conversation tce does not see as a complaint opens
    // none and is left out on both sides).
    let mut department_of: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut cursor = None;
    loop {
        let page = store
            .cases(&CaseQuery {
                cursor: cursor.clone(),
                limit: 1000,
                ..CaseQuery::default()
            })
            .unwrap();
        for c in &page.items {
            let first = &c.thread[0].signal;
            department_of.insert(
                (first.channel.clone(), first.external_id.clone()),
                c.department().to_string(),
            );
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut planted: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in &truth.care.replies {
        if let Some(d) = department_of.get(&(r.channel.clone(), r.customer_id.clone())) {
            planted
                .entry(d.clone())
                .or_default()
                .push(r.first_response_secs as f64);
        }
    }
    let answered: usize = planted.values().map(Vec::len).sum();
    assert!(
        answered * 10 >= truth.care.replies.len() * 9,
        "{answered} of {} planted replies answer a case tce opened",
        truth.care.replies.len()
    );

    let now: DateTime<Utc> = "2026-06-01T00:00:00Z".parse().unwrap();
    let got = stats(
        &store,
        &model,
        &CareStatsRequest {
            by: CareGroup::Department,
            ..CareStatsRequest::default()
        },
        now,
    )
    .unwrap();
    assert!(planted.len() >= 3, "replies reach several departments");
    for (department, mut secs) in planted {
        secs.sort_by(f64::total_cmp);
        let row = got
            .rows
            .iter()
            .find(|r| r.key == department)
            .unwrap_or_else(|| panic!("no row for {department}"));
        assert_eq!(row.first_response.n, secs.len() as u64, "{department}");
        assert_eq!(
            row.first_response.p50_secs,
            percentile(&secs, 0.5),
            "{department}"
        );
        assert_eq!(
            row.first_response.p90_secs,
            percentile(&secs, 0.9),
            "{department}"
        );
    }
}

#[test]
fn percentiles_interpolate_between_ranks() {
    assert_eq!(percentile(&[], 0.5), None);
    assert_eq!(percentile(&[7.0], 0.9), Some(7.0));
    assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
    // numpy.percentile([10, 20, 30, 40, 50], 90) == 46.0
    assert_eq!(percentile(&[10.0, 20.0, 30.0, 40.0, 50.0], 0.9), Some(46.0));
}
