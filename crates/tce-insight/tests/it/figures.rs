use chrono::{Duration, NaiveDate, TimeZone, Utc};
use std::path::Path;
use tce_insight::period::Period;
use tce_insight::scores::{self, By, Filter, ScoreQuery};
use tce_insight::weights::{self, WeightOptions};
use tce_model::{
    EnrichedSignal, Enrichment, Intent, IntentScore, Model, SentimentLabel, Signal, TouchpointMatch,
};
use tce_store::{OutcomeRow, SqliteStore, Store};

pub(crate) fn model() -> Model {
    let t = tce_model::templates::template("airline").unwrap();
    Model::parse(t.toml, Path::new("airline.toml")).unwrap()
}

/// One signal: brand, channel, day, touchpoint, experience value, reach.
pub(crate) struct S<'a> {
    pub(crate) brand: &'a str,
    pub(crate) channel: &'a str,
    pub(crate) day: NaiveDate,
    pub(crate) touchpoint: &'a str,
    pub(crate) ev: f64,
    pub(crate) followers: u64,
}

pub(crate) fn signal(model: &Model, i: usize, s: &S<'_>) -> EnrichedSignal {
    let stage = model.touchpoint(s.touchpoint).unwrap().stage.clone();
    let label = if s.ev > 0.05 {
        SentimentLabel::Positive
    } else if s.ev < -0.05 {
        SentimentLabel::Negative
    } else {
        SentimentLabel::Neutral
    };
    let brand = (s.brand != "unknown").then(|| s.brand.to_string());
    EnrichedSignal {
        signal: Signal {
            channel: s.channel.into(),
            external_id: format!("t-{i}"),
            brand: brand.clone(),
            author: Some(format!("a{i}")),
            author_followers: Some(s.followers),
            created_at: Utc.from_utc_datetime(&s.day.and_hms_opt(12, 0, 0).unwrap()),
            text: "text".into(),
            rating: None,
            stage_ratings: vec![],
            in_reply_to: None,
            url: None,
            lang: None,
        },
        enrichment: Enrichment {
            engine: "test".into(),
            sentiment: s.ev,
            sentiment_label: label,
            intents: if s.ev < 0.0 {
                vec![IntentScore {
                    intent: Intent::Complaint,
                    confidence: 0.9,
                }]
            } else {
                vec![]
            },
            touchpoints: vec![TouchpointMatch {
                touchpoint: s.touchpoint.into(),
                stage,
                confidence: 0.9,
            }],
            brand,
            priority: 0.5,
            experience_value: s.ev,
            brand_post: false,
        },
    }
}

pub(crate) fn store(model: &Model, signals: &[S<'_>]) -> SqliteStore {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let batch: Vec<EnrichedSignal> = signals
        .iter()
        .enumerate()
        .map(|(i, s)| signal(model, i, s))
        .collect();
    store.insert(&batch).unwrap();
    store
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// `n` signals a day on each day of [from, to] with values alternating
/// around `mean` by ±`spread`.
#[allow(clippy::too_many_arguments)]
fn daily<'a>(
    out: &mut Vec<S<'a>>,
    brand: &'a str,
    touchpoint: &'a str,
    from: NaiveDate,
    to: NaiveDate,
    n: usize,
    mean: impl Fn(NaiveDate) -> f64,
    spread: f64,
) {
    let mut d = from;
    while d <= to {
        for k in 0..n {
            let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
            out.push(S {
                brand,
                channel: "x",
                day: d,
                touchpoint,
                ev: (mean(d) + sign * spread).clamp(-1.0, 1.0),
                followers: 100,
            });
        }
        d += Duration::days(1);
    }
}

fn touchpoint_weeks(model: &Model, store: &SqliteStore) -> Vec<scores::ScoreRow> {
    let r = scores::score(
        model,
        store,
        &ScoreQuery {
            by: By::Touchpoint,
            period: Some(Period::Week),
            filter: Filter {
                brand: Some("skyway".into()),
                ..Filter::default()
            },
        },
        &weights::configured(model),
    )
    .unwrap();
    r.rows
        .into_iter()
        .filter(|r| r.touchpoint.as_deref() == Some("baggage"))
        .collect()
}

#[test]
fn changes_are_tested_for_significance() {
    // Weeks of Mon 2026-03-02, 03-09, 03-16: the second week jumps by 0.3
    // (15 points) on 70 signals a week, the third moves by 0.01 (0.5 points).
    let model = model();
    let mut sig = Vec::new();
    let mean = |d: NaiveDate| {
        if d < day(3, 9) {
            -0.2
        } else if d < day(3, 16) {
            0.1
        } else {
            0.11
        }
    };
    daily(
        &mut sig,
        "skyway",
        "baggage",
        day(3, 2),
        day(3, 22),
        10,
        mean,
        0.4,
    );
    let store = store(&model, &sig);
    let rows = touchpoint_weeks(&model, &store);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|r| !r.partial));
    assert_eq!(rows[0].change, None);
    let (jump, flat) = (&rows[1], &rows[2]);
    assert!(jump.change.unwrap() > 10.0, "{jump:?}");
    assert_eq!(jump.change_significant, Some(true), "{jump:?}");
    assert!(jump.change_p_value.unwrap() < 0.001);
    assert!(flat.change.unwrap().abs() < 1.0, "{flat:?}");
    assert_eq!(flat.change_significant, Some(false), "{flat:?}");
    assert!(flat.change_p_value.unwrap() > 0.5);
}

#[test]
fn partial_periods_are_marked_and_not_compared() {
    // Data from Sunday 2026-03-08 to Monday 2026-03-23: the first and the
    // last week have one day each.
    let model = model();
    let mut sig = Vec::new();
    daily(
        &mut sig,
        "skyway",
        "baggage",
        day(3, 8),
        day(3, 23),
        6,
        |_| 0.0,
        0.3,
    );
    let store = store(&model, &sig);
    let rows = touchpoint_weeks(&model, &store);
    let partial: Vec<(NaiveDate, bool)> = rows
        .iter()
        .map(|r| (r.period.unwrap(), r.partial))
        .collect();
    assert_eq!(
        partial,
        vec![
            (day(3, 2), true),
            (day(3, 9), false),
            (day(3, 16), false),
            (day(3, 23), true)
        ]
    );
    // No change against or for a partial week.
    assert_eq!(rows[1].change, None);
    assert!(rows[2].change.is_some());
    assert_eq!(rows[3].change, None);
    let cov = scores::coverage(&store, &Filter::default())
        .unwrap()
        .unwrap();
    assert_eq!((cov.from, cov.to), (day(3, 8), day(3, 23)));
}

#[test]
fn a_one_signal_touchpoint_is_never_fix_first() {
    let model = model();
    let mut sig = Vec::new();
    daily(
        &mut sig,
        "skyway",
        "punctuality",
        day(3, 2),
        day(3, 15),
        4,
        |_| 0.3,
        0.2,
    );
    daily(
        &mut sig,
        "skyway",
        "baggage",
        day(3, 2),
        day(3, 15),
        4,
        |_| -0.1,
        0.2,
    );
    // One furious signal on an important touchpoint.
    sig.push(S {
        brand: "skyway",
        channel: "x",
        day: day(3, 4),
        touchpoint: "contact_center",
        ev: -1.0,
        followers: 10,
    });
    let store = store(&model, &sig);
    let w = weights::configured(&model);
    let cards = scores::scorecards(&model, &store, &Filter::default(), &w).unwrap();
    let own = cards.iter().find(|c| c.own).unwrap();
    let one = own
        .ipa
        .iter()
        .find(|p| p.touchpoint == "contact_center")
        .unwrap();
    assert_eq!(one.rank, None);
    assert!(!one.needs_action());
    assert_eq!(own.ipa.last().unwrap().touchpoint, "contact_center");
    assert!(own
        .ipa
        .iter()
        .filter(|p| p.needs_action())
        .all(|p| p.n >= 10));
}

#[test]
fn a_cell_without_own_evidence_gets_no_allocation() {
    let model = model();
    let mut sig = Vec::new();
    for (i, d) in (0..40).map(|i| (i, day(3, 2) + Duration::days(i % 14))) {
        let ev = if i % 2 == 0 { -0.4 } else { 0.2 };
        sig.push(S {
            brand: "skyway",
            channel: "x",
            day: d,
            touchpoint: "baggage",
            ev,
            followers: 500,
        });
        sig.push(S {
            brand: "bluejet",
            channel: "x",
            day: d,
            touchpoint: "baggage",
            ev: 0.5,
            followers: 500,
        });
        // Reddit: loud, but of unknown brand, and only 3 of the own brand.
        sig.push(S {
            brand: "unknown",
            channel: "reddit",
            day: d,
            touchpoint: "baggage",
            ev: -0.6,
            followers: 50_000,
        });
        if i < 3 {
            sig.push(S {
                brand: "skyway",
                channel: "reddit",
                day: d,
                touchpoint: "baggage",
                ev: -0.6,
                followers: 100,
            });
        }
    }
    let store = store(&model, &sig);
    let w = weights::weights(
        &model,
        &store,
        WeightOptions {
            bootstrap: 0,
            from: None,
            to: None,
        },
    )
    .unwrap();
    let cards = scores::scorecards(&model, &store, &Filter::default(), &w).unwrap();
    let req = tce_insight::alloc::AllocRequest {
        budget: 50_000.0,
        objective: "retain".into(),
        stage_weights: None,
        bounds: Default::default(),
    };
    let a = tce_insight::alloc::allocate(&model, &cards, &w, &req).unwrap();
    assert!(
        a.lines.iter().all(|l| l.channel != "reddit"),
        "{:?}",
        a.lines
    );
    assert!(a.lines.iter().any(|l| l.channel == "x"));
    assert!(a
        .too_little_evidence
        .iter()
        .any(|c| c.channel == "reddit" && c.stage == "operations" && c.n == 3));
}

#[test]
fn a_thin_benchmark_gap_is_not_reported() {
    let model = model();
    let mut sig = Vec::new();
    daily(
        &mut sig,
        "skyway",
        "baggage",
        day(3, 2),
        day(3, 15),
        4,
        |_| 0.0,
        0.2,
    );
    daily(
        &mut sig,
        "skyway",
        "booking",
        day(3, 2),
        day(3, 15),
        4,
        |_| 0.0,
        0.2,
    );
    daily(
        &mut sig,
        "bluejet",
        "booking",
        day(3, 2),
        day(3, 15),
        4,
        |_| 0.2,
        0.2,
    );
    // Three glowing signals of a competitor's operations.
    for d in 2..5 {
        sig.push(S {
            brand: "aerolux",
            channel: "x",
            day: day(3, d),
            touchpoint: "baggage",
            ev: 1.0,
            followers: 10,
        });
    }
    let store = store(&model, &sig);
    let w = weights::configured(&model);
    let cards = scores::scorecards(&model, &store, &Filter::default(), &w).unwrap();
    let b = scores::benchmark(&model, &cards);
    // Operations: only aerolux's n=3 to compare with, so no gap at all.
    assert_eq!(b.own_gap_to_best.get("operations"), Some(&None), "{b:?}");
    let aerolux = b.brands.iter().find(|x| x.brand == "aerolux").unwrap();
    assert!(aerolux.thin("operations", b.min_signals));
    // Sales: both sides have 56 signals, the gap is reported.
    assert!(b.own_gap_to_best["sales"].unwrap() < 0.0);
}

#[test]
fn revenue_at_risk_stays_within_the_customer_base() {
    let model = model();
    let mut sig = Vec::new();
    // Thousands of negative public posts by big accounts in two weeks.
    for i in 0..2_000 {
        sig.push(S {
            brand: "skyway",
            channel: if i % 2 == 0 { "x" } else { "survey" },
            day: day(3, 2) + Duration::days(i % 14),
            touchpoint: "baggage",
            ev: -0.8,
            followers: 20_000,
        });
    }
    let mut store = store(&model, &sig);
    store
        .insert_outcomes(&[
            OutcomeRow {
                period_start: day(3, 2),
                brand: "skyway".into(),
                revenue: 1e6,
                customers: Some(5_000.0),
                return_visits: None,
            },
            OutcomeRow {
                period_start: day(3, 9),
                brand: "skyway".into(),
                revenue: 1e6,
                customers: Some(4_000.0),
                return_visits: None,
            },
        ])
        .unwrap();
    let r = tce_insight::finance::finance(&model, &store, &Filter::default(), 5.0).unwrap();
    let risk = &r.at_risk;
    // Only the public posts count.
    assert_eq!(risk.negative_posts, 1_000);
    assert_eq!(risk.customer_base, Some(5_000.0));
    assert!(risk.customers_lost <= 5_000.0);
    assert!(risk.amount <= 5_000.0 * model.finance.customer_value + 0.5);
    assert!(risk.weeks.iter().all(|w| w.capped));
    assert!(risk.covers.is_some());
    assert!(!risk.assumptions.is_empty());
}
