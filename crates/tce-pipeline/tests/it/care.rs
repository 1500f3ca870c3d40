//! Care cases derived on ingest, in the same transaction as the signals,
//! over a real SQLite store: what an agent relies on.

use chrono::{DateTime, Duration, Utc};
use std::path::Path;
use tce_care::workflow::Change;
use tce_care::{Actor, CareError, CaseId, CaseKind, Party, Status};
use tce_model::{Model, Signal};
use tce_pipeline::care::{self, CaseChangeError};
use tce_pipeline::{Door, Pipeline};
use tce_store::{CareEventQuery, CaseQuery, SignalQuery, SqliteStore, Store};

fn airline() -> Model {
    let t = tce_model::templates::template("airline").expect("airline template");
    Model::parse(t.toml, Path::new("tce.toml")).expect("template parses")
}

const T0: i64 = 1_772_323_200; // 2026-03-01T00:00:00Z, a Sunday

fn at(mins: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(T0 + mins * 60, 0).expect("time")
}

fn post(id: &str, author: &str, mins: i64, text: &str) -> Signal {
    Signal {
        channel: "x".into(),
        external_id: id.into(),
        brand: None,
        author: Some(author.into()),
        author_followers: Some(120),
        created_at: at(mins),
        text: text.into(),
        rating: None,
        stage_ratings: Vec::new(),
        in_reply_to: None,
        url: None,
        lang: None,
    }
}

fn reply(id: &str, author: &str, mins: i64, to: &str, text: &str) -> Signal {
    Signal {
        in_reply_to: Some(to.into()),
        ..post(id, author, mins, text)
    }
}

struct World {
    model: Model,
    store: SqliteStore,
    pipeline: Pipeline,
}

impl World {
    fn new() -> World {
        let model = airline();
        let mut store = SqliteStore::open_in_memory().expect("store");
        let pipeline = Pipeline::open(&model, Path::new("."), &mut store).expect("pipeline");
        World {
            model,
            store,
            pipeline,
        }
    }

    fn ingest(&mut self, signals: Vec<Signal>) -> tce_pipeline::Stored {
        let batch = self.pipeline.prepare_all(signals);
        self.pipeline
            .store(&mut self.store, &batch, Door::File)
            .expect("store")
    }

    fn all_cases(&self) -> Vec<tce_care::Case> {
        self.store
            .cases(&CaseQuery {
                limit: 1000,
                ..CaseQuery::default()
            })
            .expect("cases")
            .items
    }
}

#[test]
fn an_own_brand_complaint_opens_a_case_routed_to_the_touchpoints_owner() {
    let mut w = World::new();
    let done = w.ingest(vec![
        post(
            "1",
            "@ann",
            0,
            "@SkyWayAir lost my bag at the carousel, furious",
        ),
        post("2", "@bob", 1, "@SkyWayAir crew were lovely, thank you"),
        post("3", "@cat", 2, "@BlueJet lost my bag again, useless"),
    ]);
    assert_eq!(done.care.cases_opened, 1, "only the own brand's complaint");
    let cases = w.all_cases();
    assert_eq!(cases.len(), 1);
    let c = &cases[0];
    assert_eq!(
        (c.kind, c.brand.as_str(), c.department(), c.status),
        (CaseKind::Care, "skyway", "baggage", Status::New)
    );
    assert_eq!(c.routing.touchpoint.as_deref(), Some("baggage"));
    assert!(
        c.routing.reason.contains("baggage") && c.routing.reason.contains("→"),
        "{}",
        c.routing.reason
    );
    assert_eq!(c.thread.len(), 1);
    assert_eq!(c.thread[0].signal.external_id, "1");
    // The audit trail starts with the opening.
    let events = w.store.case_events(c.id).expect("events");
    assert_eq!(events[0].event.kind.as_str(), "opened");
}

#[test]
fn no_competitor_signal_opens_a_case() {
    let mut w = World::new();
    let competitors: Vec<String> = w
        .model
        .brands
        .iter()
        .filter(|b| !b.own)
        .flat_map(|b| b.handles.first().cloned())
        .collect();
    assert!(!competitors.is_empty());
    let signals = competitors
        .iter()
        .enumerate()
        .flat_map(|(i, h)| {
            [
                post(
                    &format!("c{i}"),
                    &format!("@cust{i}"),
                    i as i64,
                    &format!("{h} lost my bag, I'm switching airlines, refund now?"),
                ),
                post(
                    &format!("q{i}"),
                    &format!("@cust{i}"),
                    i as i64 + 1,
                    &format!("{h} how do I change my booking?"),
                ),
            ]
        })
        .collect();
    let done = w.ingest(signals);
    assert_eq!(done.care.cases_opened, 0);
    assert!(w.all_cases().is_empty());
}

#[test]
fn brand_replies_are_responses_and_never_scored() {
    let mut w = World::new();
    w.ingest(vec![post(
        "1",
        "@ann",
        0,
        "@SkyWayAir lost my bag at the carousel, furious",
    )]);
    let done = w.ingest(vec![reply(
        "2",
        "@SkyWaySupport",
        45,
        "1",
        "So sorry Ann, please DM us your file reference and we will find it. Great to hear from you!",
    )]);
    assert_eq!(done.care.responses, 1);
    let c = &w.all_cases()[0];
    assert_eq!(c.first_response_at, Some(at(45)));
    assert_eq!(c.thread.len(), 2);
    assert_eq!(c.thread[1].party, Party::Brand);
    let fr = w
        .store
        .care_events(&CareEventQuery {
            kinds: vec!["first_response".into()],
            ..CareEventQuery::default()
        })
        .expect("events");
    assert_eq!(fr.len(), 1);
    assert_eq!(fr[0].wall_secs, Some(45 * 60));
    // The reply is stored (for the thread) but in no score: the brand's day
    // rollup counts only the customer's complaint.
    let rollups = w
        .store
        .rollups(&tce_store::RollupFilter {
            touchpoint: Some(String::new()),
            brand: Some("skyway".into()),
            ..Default::default()
        })
        .expect("rollups");
    assert_eq!(rollups.iter().map(|r| r.n).sum::<u64>(), 1);
    assert_eq!(rollups.iter().map(|r| r.positive).sum::<u64>(), 0);
    let stored = w
        .store
        .signals(&SignalQuery::default())
        .expect("signals")
        .items;
    assert!(stored
        .iter()
        .any(|s| s.signal.signal.external_id == "2" && s.signal.enrichment.brand_post));
}

#[test]
fn follow_ups_join_the_open_case() {
    let mut w = World::new();
    w.ingest(vec![post(
        "1",
        "@ann",
        0,
        "@SkyWayAir lost my bag at the carousel, furious",
    )]);
    // Same author, same channel, within the window, no reply-to.
    let done = w.ingest(vec![
        post(
            "2",
            "@ann",
            120,
            "still no news about my bag, nobody answers",
        ),
        // A reply to the first message, much later.
        reply("3", "@ann", 60 * 24 * 5, "1", "day five and still nothing"),
        // Another customer: a case of their own.
        post("4", "@bob", 130, "@SkyWayAir my bag never arrived either"),
    ]);
    assert_eq!(done.care.follow_ups, 2);
    assert_eq!(done.care.cases_opened, 1);
    let cases = w.all_cases();
    assert_eq!(cases.len(), 2);
    let ann = cases
        .iter()
        .find(|c| c.author.as_deref() == Some("@ann"))
        .expect("ann's case");
    let ids: Vec<&str> = ann
        .thread
        .iter()
        .map(|e| e.signal.external_id.as_str())
        .collect();
    assert_eq!(ids, ["1", "2", "3"]);
}

#[test]
fn re_ingest_opens_nothing_and_records_no_response_twice() {
    let mut w = World::new();
    let signals = vec![
        post(
            "1",
            "@ann",
            0,
            "@SkyWayAir lost my bag at the carousel, furious",
        ),
        reply("2", "@SkyWaySupport", 30, "1", "Sorry Ann, DM us please."),
        post("3", "@ann", 40, "still waiting, this is ridiculous"),
    ];
    w.ingest(signals.clone());
    let before = w.all_cases();
    let events_before = w.store.case_events(before[0].id).expect("events").len();
    let again = w.ingest(signals);
    assert_eq!(again.accepted, 0);
    assert_eq!(again.care, Default::default());
    let after = w.all_cases();
    assert_eq!(before, after);
    assert_eq!(
        w.store.case_events(after[0].id).expect("events").len(),
        events_before
    );
}

#[test]
fn a_stale_change_is_refused_with_the_current_version() {
    let mut w = World::new();
    w.ingest(vec![post(
        "1",
        "@ann",
        0,
        "@SkyWayAir lost my bag at the carousel, furious",
    )]);
    let id = w.all_cases()[0].id;
    let (case, _) = care::change(
        &mut w.store,
        &w.model,
        id,
        1,
        Actor::Agent("amy".into()),
        Change::Assign {
            agent: Some("amy".into()),
        },
        at(10),
    )
    .expect("assign");
    assert_eq!((case.status, case.version), (Status::Open, 2));
    // Another agent still holds version 1.
    let err = care::change(
        &mut w.store,
        &w.model,
        id,
        1,
        Actor::Agent("bo".into()),
        Change::Note {
            text: "mine".into(),
        },
        at(11),
    )
    .expect_err("stale");
    assert_eq!(err.current_version(), Some(2));
    // An invalid transition names the allowed ones.
    let err = care::change(
        &mut w.store,
        &w.model,
        id,
        2,
        Actor::Agent("amy".into()),
        Change::SetStatus(Status::Closed),
        at(12),
    )
    .expect_err("invalid");
    assert!(matches!(
        err,
        CaseChangeError::Refused(CareError::InvalidTransition { .. })
    ));
    assert!(err.to_string().contains("pending, resolved"), "{err}");
    assert!(matches!(
        care::change(
            &mut w.store,
            &w.model,
            CaseId(999),
            1,
            Actor::System,
            Change::Note { text: "x".into() },
            at(1)
        ),
        Err(CaseChangeError::NotFound(_))
    ));
}

/// Several changes in one request: applied in order and stored once, or —
/// when one is refused — none of them.
#[test]
fn several_changes_apply_all_or_nothing() {
    let mut w = World::new();
    w.ingest(vec![post(
        "1",
        "@ann",
        0,
        "@SkyWayAir lost my bag at the carousel, furious",
    )]);
    let id = w.all_cases()[0].id;
    let amy = || Actor::Agent("amy".into());
    // Assigning opens the case; closing it from open is refused: nothing
    // of the two is stored.
    let err = care::change_all(
        &mut w.store,
        &w.model,
        id,
        1,
        amy(),
        vec![
            Change::Assign {
                agent: Some("amy".into()),
            },
            Change::SetStatus(Status::Closed),
        ],
        at(10),
    )
    .expect_err("closing an open case");
    assert!(matches!(
        err,
        CaseChangeError::Refused(CareError::InvalidTransition { .. })
    ));
    let stored = w.store.case(id).expect("read").expect("case");
    assert_eq!((stored.version, stored.assignee.clone()), (1, None));
    assert_eq!(w.store.case_events(id).expect("events").len(), 1);
    // Stale from the start: refused with the current version.
    let err =
        care::change_all(&mut w.store, &w.model, id, 7, amy(), vec![], at(10)).expect_err("stale");
    assert_eq!(err.current_version(), Some(1));
    // Valid changes: one version step and one event (or more) each, stored once.
    let (case, events) = care::change_all(
        &mut w.store,
        &w.model,
        id,
        1,
        amy(),
        vec![
            Change::Assign {
                agent: Some("amy".into()),
            },
            Change::SetStatus(Status::Pending),
            Change::Note {
                text: "asked for the tag number".into(),
            },
        ],
        at(10),
    )
    .expect("changes");
    assert_eq!((case.status, case.version), (Status::Pending, 4));
    assert_eq!(w.store.case(id).expect("read").expect("case"), case);
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["assignee", "status", "status", "note"]);
}

#[test]
fn answered_cases_resolve_after_quiet_days_and_close_later() {
    let mut w = World::new();
    w.ingest(vec![
        post(
            "1",
            "@ann",
            0,
            "@SkyWayAir lost my bag at the carousel, furious",
        ),
        reply(
            "2",
            "@SkyWaySupport",
            30,
            "1",
            "Found it, on its way to you.",
        ),
        post("3", "@bob", 5, "@SkyWayAir lost my bag too, awful"),
    ]);
    let days = |d: i64| at(0) + Duration::days(d);
    let s = care::sweep(&mut w.store, &w.model, days(2)).expect("sweep");
    assert_eq!((s.resolved, s.closed), (0, 0), "not quiet long enough");
    let s = care::sweep(&mut w.store, &w.model, days(4)).expect("sweep");
    assert_eq!((s.resolved, s.closed), (1, 0));
    let ann = w
        .all_cases()
        .into_iter()
        .find(|c| c.author.as_deref() == Some("@ann"))
        .expect("ann");
    assert_eq!(ann.status, Status::Resolved);
    // Resolved as of the brand's answer.
    assert_eq!(ann.resolved_at, Some(at(30)));
    let s = care::sweep(&mut w.store, &w.model, days(12)).expect("sweep");
    assert_eq!((s.resolved, s.closed), (0, 1));
    // Bob never got an answer: still open, and in breach.
    let open = w
        .store
        .cases(&CaseQuery {
            statuses: vec![Status::New],
            breached_at: Some(days(12)),
            ..CaseQuery::default()
        })
        .expect("cases")
        .items;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].author.as_deref(), Some("@bob"));
}

#[test]
fn a_thank_you_after_resolution_does_not_reopen_but_a_new_problem_does() {
    let mut w = World::new();
    w.ingest(vec![post(
        "1",
        "@ann",
        0,
        "@SkyWayAir lost my bag at the carousel, furious",
    )]);
    let id = w.all_cases()[0].id;
    care::change(
        &mut w.store,
        &w.model,
        id,
        1,
        Actor::Agent("amy".into()),
        Change::SetStatus(Status::Resolved),
        at(60),
    )
    .expect("resolve");
    w.ingest(vec![reply(
        "2",
        "@ann",
        90,
        "1",
        "got it back, thank you so much, great service",
    )]);
    let c = w.store.case(id).expect("case").expect("exists");
    assert_eq!((c.status, c.thread.len()), (Status::Resolved, 2));
    let after = w
        .store
        .care_events(&CareEventQuery {
            kinds: vec!["customer_message".into()],
            ..CareEventQuery::default()
        })
        .expect("events");
    assert!(after[0].after_resolution && after[0].sentiment.is_some_and(|s| s > 0.0));
    w.ingest(vec![reply(
        "3",
        "@ann",
        100,
        "1",
        "wait, the handle is broken and the bag is damaged, terrible",
    )]);
    let c = w.store.case(id).expect("case").expect("exists");
    assert_eq!((c.status, c.reopened), (Status::Open, 1));
}

#[test]
fn every_touchpoint_of_every_template_routes_to_its_owner_through_ingest() {
    for t in &tce_model::templates::TEMPLATES {
        let name = t.name;
        let model = Model::parse(t.toml, Path::new("tce.toml")).expect("parses");
        let own = model.brands.iter().find(|b| b.own).expect("own brand");
        let handle = own
            .handles
            .first()
            .cloned()
            .unwrap_or_else(|| own.id.clone());
        let channel = model
            .channels
            .iter()
            .find(|c| c.care && c.social)
            .expect("a social care channel");
        let mut store = SqliteStore::open_in_memory().expect("store");
        let pipeline = Pipeline::open(&model, Path::new("."), &mut store).expect("pipeline");
        let mut on_target = 0;
        for (i, tp) in model.touchpoints.iter().enumerate() {
            let phrase = tp.phrases.first().expect("a phrase");
            let mut s = post(
                &format!("{name}-{i}"),
                &format!("@c{i}"),
                i as i64,
                &format!("{handle} the {phrase} was terrible, a complete failure"),
            );
            s.channel = channel.id.clone();
            let batch = pipeline.prepare_all([s]);
            pipeline
                .store(&mut store, &batch, Door::File)
                .expect("store");
            let page = store
                .cases(&CaseQuery {
                    limit: 1000,
                    ..CaseQuery::default()
                })
                .expect("cases");
            let case = page
                .items
                .iter()
                .find(|c| c.thread[0].signal.external_id == format!("{name}-{i}"))
                .unwrap_or_else(|| panic!("{name}: {} opened no case", tp.id));
            // Routed to the owner of the touchpoint it was routed by.
            let owner = case
                .routing
                .touchpoint
                .as_deref()
                .and_then(|t| model.touchpoint(t))
                .map_or(model.care.triage_department.as_str(), |t| {
                    t.department.as_str()
                });
            assert_eq!(case.department(), owner, "{name}: {}", tp.id);
            if case.routing.touchpoint.as_deref() == Some(tp.id.as_str()) {
                assert_eq!(case.department(), tp.department, "{name}: {}", tp.id);
                on_target += 1;
            }
        }
        // Phrases shared between touchpoints may pick another; nearly all
        // name their own.
        assert!(
            on_target * 10 >= model.touchpoints.len() * 9,
            "{name}: {on_target} of {} routed by their own touchpoint",
            model.touchpoints.len()
        );
    }
}
