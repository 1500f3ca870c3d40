//! Early warning derived on ingest, in the same transaction as the signals:
//! one alert per incident, routed by the touchpoint's owner, competitors
//! kept apart, praise as opportunities, P1 cases and alerts in the outbox.

use chrono::{DateTime, Utc};
use std::path::Path;
use tce_model::{Model, Signal};
use tce_pipeline::{Door, Pipeline};
use tce_store::{AlertQuery, AlertScope, CaseQuery, DeliveryStatus, SqliteStore, Store, Webhook};

fn airline() -> Model {
    let t = tce_model::templates::template("airline").expect("airline template");
    Model::parse(t.toml, Path::new("tce.toml")).expect("template parses")
}

const T0: i64 = 1_772_323_200; // 2026-03-01T00:00:00Z

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(T0 + secs, 0).expect("time")
}

fn post(id: String, brand: &str, secs: i64, text: &str, followers: u64) -> Signal {
    Signal {
        channel: "x".into(),
        external_id: id,
        brand: Some(brand.into()),
        author: Some(format!("user{secs}")),
        author_followers: Some(followers),
        created_at: at(secs),
        text: text.into(),
        rating: None,
        stage_ratings: Vec::new(),
        in_reply_to: None,
        url: None,
        lang: None,
    }
}

const BAG: &str = "my bag was lost at baggage claim again, terrible service";
const PRAISE: &str = "what a wonderful flight, the crew were lovely, thank you!";

/// Ten quiet days (a complaint every three hours per brand, praise every
/// four), then a burst of baggage complaints for `brand`.
fn world(burst_brand: &str, praise_burst: bool) -> Vec<Signal> {
    world_with(burst_brand, praise_burst, BAG)
}

/// As [`world`], the burst's complaints reading `burst_text`.
fn world_with(burst_brand: &str, praise_burst: bool, burst_text: &str) -> Vec<Signal> {
    let mut out = Vec::new();
    let mut n = 0;
    for h in 0..(24 * 12) {
        let secs = h * 3600 + 600;
        for brand in ["skyway", "bluejet"] {
            if h % 3 == 0 {
                n += 1;
                out.push(post(format!("q{n}"), brand, secs, BAG, 50));
            }
            if h % 4 == 0 {
                n += 1;
                out.push(post(format!("q{n}"), brand, secs + 60, PRAISE, 50));
            }
        }
        let burst = (24 * 10..24 * 10 + 6).contains(&h);
        if burst {
            for k in 0..12 {
                n += 1;
                out.push(post(
                    format!("b{n}"),
                    burst_brand,
                    secs + k * 60,
                    burst_text,
                    100 + k as u64,
                ));
                if praise_burst {
                    n += 1;
                    out.push(post(
                        format!("p{n}"),
                        "skyway",
                        secs + k * 60 + 30,
                        PRAISE,
                        10,
                    ));
                }
            }
        }
    }
    out
}

fn ingest(signals: Vec<Signal>, batch: usize) -> (SqliteStore, u64) {
    let model = airline();
    let mut store = SqliteStore::open_in_memory().expect("store");
    let pipeline = Pipeline::open(&model, Path::new("."), &mut store).expect("pipeline");
    store
        .insert_webhook(&Webhook {
            id: 0,
            department: None,
            url: "http://127.0.0.1:9/".into(),
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            slack: false,
            created_at: at(0),
        })
        .expect("webhook");
    let mut raised = 0;
    for chunk in signals.chunks(batch) {
        let batch = pipeline.prepare_all(chunk.iter().cloned());
        raised += pipeline
            .store(&mut store, &batch, Door::File)
            .expect("store")
            .alerts
            .opened;
    }
    (store, raised)
}

#[test]
fn a_burst_raises_one_alert_routed_to_the_touchpoint_owner() {
    let (store, raised) = ingest(world("skyway", false), 500);
    let alerts = store.alerts(&AlertQuery::default()).expect("alerts");
    let own: Vec<_> = alerts
        .iter()
        .filter(|a| a.scope == AlertScope::Own)
        .collect();
    assert_eq!(own.len(), 1, "one incident, one alert: {alerts:#?}");
    let a = own[0];
    assert_eq!(a.brand, "skyway");
    assert_eq!(a.touchpoint.as_deref(), Some("baggage"));
    let model = airline();
    let owner = &model.touchpoint("baggage").expect("baggage").department;
    assert_eq!(a.department.as_ref(), Some(owner));
    assert!(
        a.members.len() >= 2,
        "grouped with its stage or brand: {a:#?}"
    );
    assert!(a.window_start >= at(240 * 3600) && a.window_start < at(242 * 3600));
    assert_eq!(
        raised,
        alerts.len() as u64,
        "Stored counts the alerts raised"
    );
    // Queued for the all-departments webhook in the same transaction.
    let queued = store
        .deliveries(Some(DeliveryStatus::Pending), 0)
        .expect("outbox");
    assert!(queued.iter().any(
        |d| d.event_type == "alert.opened" && d.payload.contains("\"touchpoint\":\"baggage\"")
    ));
}

/// Issue 12 §1: "new in complaints about baggage: 'lost tag', 'belt 5'".
/// The burst's complaints name a tag and a belt never mentioned before; the
/// alert carries those bigrams, not the words every complaint has.
#[test]
fn an_alert_carries_the_terms_new_in_its_brands_complaints() {
    let burst = "lost tag on my bag, waited at belt 5 for two hours, baggage claim useless";
    for batch in [97, 5000] {
        let (store, _) = ingest(world_with("skyway", false, burst), batch);
        let alerts = store.alerts(&AlertQuery::default()).expect("alerts");
        let own: Vec<_> = alerts
            .iter()
            .filter(|a| a.scope == AlertScope::Own)
            .collect();
        assert_eq!(own.len(), 1, "batch {batch}: {alerts:#?}");
        let terms = &own[0].terms;
        for t in ["lost tag", "belt 5"] {
            assert!(
                terms.iter().any(|x| x == t),
                "batch {batch}: {t:?} in {terms:?}"
            );
        }
        for usual in ["bag", "baggage claim"] {
            assert!(
                !terms.iter().any(|x| x == usual),
                "batch {batch}: {usual:?} is in every complaint: {terms:?}"
            );
        }
        // The quiet brand's complaints did not change: nothing emerged there.
        assert!(alerts
            .iter()
            .filter(|a| a.brand == "bluejet")
            .all(|a| a.terms.is_empty()));
    }
}

#[test]
fn batch_boundaries_do_not_change_the_alerts() {
    let key = |s: &SqliteStore| {
        let mut v: Vec<_> = s
            .alerts(&AlertQuery::default())
            .expect("alerts")
            .into_iter()
            .map(|a| {
                (
                    a.brand,
                    a.touchpoint,
                    a.window_start,
                    a.window_end,
                    a.severity,
                )
            })
            .collect();
        v.sort();
        v
    };
    let (a, _) = ingest(world("skyway", false), 97);
    let (b, _) = ingest(world("skyway", false), 5000);
    assert_eq!(key(&a), key(&b));
}

#[test]
fn competitors_incidents_are_competitive_and_not_routed() {
    let (store, _) = ingest(world("bluejet", false), 500);
    let alerts = store.alerts(&AlertQuery::default()).expect("alerts");
    assert!(!alerts.is_empty());
    for a in alerts.iter().filter(|a| a.brand == "bluejet") {
        assert_eq!(a.scope, AlertScope::Competitive);
        assert_eq!(a.department, None);
    }
    assert!(alerts.iter().all(|a| a.scope != AlertScope::Own));
}

#[test]
fn a_surge_of_praise_is_an_opportunity_for_marketing() {
    let (store, _) = ingest(world("skyway", true), 500);
    let alerts = store.alerts(&AlertQuery::default()).expect("alerts");
    let opp: Vec<_> = alerts
        .iter()
        .filter(|a| a.scope == AlertScope::Opportunity)
        .collect();
    assert_eq!(opp.len(), 1, "{alerts:#?}");
    assert_eq!(opp[0].department.as_deref(), Some("marketing"));
}

#[test]
fn p1_cases_go_to_the_outbox() {
    let (store, _) = ingest(
        vec![post(
            "vip".into(),
            "skyway",
            0,
            "@SkyWayAir you lost my bag and cancelled my flight, I am switching to BlueJet and telling everyone! Disgusting!!!",
            5_000_000,
        )],
        10,
    );
    let p1 = store
        .cases(&CaseQuery {
            priority: Some(tce_care::Priority::P1),
            ..CaseQuery::default()
        })
        .expect("cases")
        .items;
    let queued: Vec<_> = store
        .deliveries(None, 0)
        .expect("outbox")
        .into_iter()
        .filter(|d| d.event_type == "case.p1")
        .collect();
    assert_eq!(queued.len(), p1.len(), "each P1 case queued once");
    assert!(!p1.is_empty(), "the signal opens a P1 case");
}
