//! The maturity assessment's evidence from a real SQLite store: a
//! workspace built to contradict a claim, one built to back it.

use crate::figures::{model, store, S};
use chrono::NaiveDate;
use std::path::Path;
use tce_insight::maturity::{facts, NO_ALERTS};
use tce_maturity::{assess, template, Answers, Catalog, EvidenceStatus, Metric};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Every item of the disciplines instrument answered `systematic`.
fn all_systematic(catalog: &Catalog) -> Answers {
    let text = template(catalog.get("disciplines").unwrap())
        .replace("answer = \"\"", "answer = \"systematic\"");
    Answers::parse(&text, Path::new("answers.toml"), catalog).unwrap()
}

const STAGE_TOUCHPOINTS: [&str; 6] = [
    "network_routes",
    "brand_reputation",
    "promotions",
    "booking",
    "baggage",
    "contact_center",
];

#[test]
fn evidence_contradicts_a_claim_the_workspace_does_not_back() {
    let model = model();
    // Old data, social only, two stages heard.
    let signals: Vec<S<'_>> = ["booking", "baggage"]
        .iter()
        .map(|tp| S {
            brand: "skyway",
            channel: "x",
            day: day("2026-06-01"),
            touchpoint: tp,
            ev: -0.4,
            followers: 10,
        })
        .collect();
    let store = store(&model, &signals);
    let facts = facts(&model, &store, day("2026-09-01")).unwrap();
    assert_eq!(facts.get(Metric::DataAgeDays).unwrap().value, 92.0);
    let covered = facts.get(Metric::StagesCoveredShare).unwrap();
    assert_eq!((covered.count, covered.total), (Some(0), Some(6)));
    assert_eq!(facts.get(Metric::TouchpointsOwnedShare).unwrap().value, 1.0);
    assert_eq!(facts.get(Metric::OutcomesImported).unwrap().value, 0.0);
    assert_eq!(
        facts.get(Metric::StageWeightsDerivedShare).unwrap().value,
        0.0
    );
    assert_eq!(
        facts.reason(Metric::AlertsAcknowledgedShare),
        Some(NO_ALERTS)
    );
    assert!(facts.get(Metric::FirstResponseP90SlaRatio).is_none());

    let catalog = Catalog::builtin().unwrap();
    let a = assess(
        &catalog,
        &all_systematic(&catalog),
        &facts,
        day("2026-09-01"),
    );
    let area = a.area("disciplines", "customer_understanding").unwrap();
    let texts: Vec<&str> = area
        .contradictions
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(
        texts,
        vec![
            "answered 'systematic' for customer understanding, but only 0 of 6 stages are heard through both social and non-social channels",
            "answered 'systematic' for customer understanding, but the newest data is 92 days old",
        ]
    );
    let measurement = a.area("disciplines", "measurement").unwrap();
    assert!(
        measurement
            .contradictions
            .iter()
            .any(|c| c.text.contains("0 of 6 stage weights are derived")
                && c.text.contains("no outcomes are imported")),
        "{:?}",
        measurement.contradictions
    );
}

#[test]
fn evidence_backs_a_claim_the_workspace_supports() {
    let model = model();
    // Fresh data on every stage from a social and a non-social channel.
    let mut signals = Vec::new();
    for tp in STAGE_TOUCHPOINTS {
        for channel in ["x", "survey"] {
            signals.push(S {
                brand: "skyway",
                channel,
                day: day("2026-08-31"),
                touchpoint: tp,
                ev: 0.3,
                followers: 10,
            });
        }
    }
    let store = store(&model, &signals);
    let facts = facts(&model, &store, day("2026-09-01")).unwrap();
    assert_eq!(facts.get(Metric::DataAgeDays).unwrap().value, 1.0);
    assert_eq!(facts.get(Metric::StagesCoveredShare).unwrap().value, 1.0);

    let catalog = Catalog::builtin().unwrap();
    let a = assess(
        &catalog,
        &all_systematic(&catalog),
        &facts,
        day("2026-09-01"),
    );
    let area = a.area("disciplines", "customer_understanding").unwrap();
    assert!(area.contradictions.is_empty(), "{:?}", area.contradictions);
    let statuses: Vec<(Metric, EvidenceStatus)> =
        area.evidence.iter().map(|e| (e.metric, e.status)).collect();
    assert_eq!(
        statuses,
        vec![
            (Metric::StagesCoveredShare, EvidenceStatus::Supports),
            (Metric::DataAgeDays, EvidenceStatus::Supports),
        ]
    );
}

#[test]
fn every_assessment_is_kept_and_its_answers_read_back() {
    let model = model();
    let mut store = store(&model, &[]);
    let catalog = Catalog::builtin().unwrap();
    let answers = all_systematic(&catalog);
    let now = chrono::Utc::now();
    for d in ["2026-09-01", "2026-08-01", "2026-09-01"] {
        tce_insight::maturity::assess_and_keep(&model, &mut store, &catalog, &answers, day(d), now)
            .unwrap();
    }
    let kept = tce_insight::maturity::kept(&store).unwrap();
    let days: Vec<NaiveDate> = kept.iter().map(|k| k.assessment.date).collect();
    assert_eq!(
        days,
        vec![day("2026-08-01"), day("2026-09-01"), day("2026-09-01")]
    );
    let latest = tce_insight::maturity::latest(&store).unwrap().unwrap();
    assert_eq!(latest.id, kept[2].id);
    let again = Answers::parse(&latest.answers, Path::new("kept.toml"), &catalog).unwrap();
    assert_eq!(again, answers);
}
