//! Cases behind the store, as every backend must keep them: written inside
//! the insert transaction by a `Derive`, read back whole, changed only
//! against the version the caller saw, listed in queue order with cursor
//! paging, and purged with the signals that opened them.

use crate::fixtures::time;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::path::Path;
use tce_care::{Case, CaseEvent, CaseId, Priority, Status};
use tce_model::{
    EnrichedSignal, Enrichment, Intent, IntentScore, Model, SentimentLabel, Signal, TouchpointMatch,
};
use tce_store::{
    BacklogGroup, CareEventQuery, CaseQuery, Derive, DeriveTx, SqliteStore, Store, StoreError,
};

fn model() -> Model {
    let t = tce_model::templates::template("airline").expect("airline");
    Model::parse(t.toml, Path::new("tce.toml")).expect("parses")
}

/// An own-brand complaint about `touchpoint` with the given severity.
fn complaint(id: usize, touchpoint: &str, sentiment: f64, at: DateTime<Utc>) -> EnrichedSignal {
    let m = model();
    let tp = m.touchpoint(touchpoint).expect("touchpoint");
    EnrichedSignal {
        signal: Signal {
            channel: "x".into(),
            external_id: format!("s{id}"),
            brand: Some("skyway".into()),
            author: Some(format!("@cust{id}")),
            author_followers: Some(100 * id as u64),
            created_at: at,
            text: format!("complaint {id}"),
            rating: None,
            stage_ratings: Vec::new(),
            in_reply_to: None,
            url: None,
            lang: None,
        },
        enrichment: Enrichment {
            engine: "test".into(),
            sentiment,
            sentiment_label: SentimentLabel::Negative,
            intents: vec![IntentScore {
                intent: Intent::Complaint,
                confidence: 0.9,
            }],
            touchpoints: vec![TouchpointMatch {
                touchpoint: tp.id.clone(),
                stage: tp.stage.clone(),
                confidence: 0.9,
            }],
            brand: Some("skyway".into()),
            priority: 0.0,
            experience_value: sentiment,
            brand_post: false,
        },
    }
}

/// Opens one case per fresh signal (the care rules' opening), like the
/// pipeline does.
struct OpenAll {
    model: Model,
    seen: usize,
    fail: bool,
}

impl Derive for OpenAll {
    fn derive(
        &mut self,
        fresh: &[&EnrichedSignal],
        tx: &mut dyn DeriveTx,
    ) -> Result<(), StoreError> {
        self.seen += fresh.len();
        for s in fresh {
            let opening = tce_care::rules::decide(&self.model, s).expect("opens");
            let id = tx.new_case_id()?;
            let (case, events) = Case::open(id, opening, &self.model).expect("open");
            tx.insert_case(&case, &events)?;
        }
        if self.fail {
            return Err(StoreError::NoSuchCase(0));
        }
        Ok(())
    }
}

fn open_all(store: &mut dyn Store, batch: &[EnrichedSignal]) -> usize {
    let mut d = OpenAll {
        model: model(),
        seen: 0,
        fail: false,
    };
    store
        .insert_with(batch, &[batch.len()], &mut d)
        .expect("insert");
    d.seen
}

fn all(store: &dyn Store, q: CaseQuery) -> Vec<Case> {
    let mut out = Vec::new();
    let mut q = q;
    loop {
        let page = store.cases(&q).expect("cases");
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return out,
        }
    }
}

pub fn cases_round_trip_whole(store: &mut dyn Store) {
    let batch = vec![complaint(1, "baggage", -0.9, time(1_000_000))];
    open_all(store, &batch);
    let m = model();
    let opening = tce_care::rules::decide(&m, &batch[0]).expect("opens");
    let (expected, events) = Case::open(CaseId(1), opening, &m).expect("open");
    assert_eq!(store.case(CaseId(1)).expect("case"), Some(expected));
    let stored: Vec<CaseEvent> = store
        .case_events(CaseId(1))
        .expect("events")
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(stored, events);
    assert_eq!(store.case(CaseId(2)).expect("case"), None);
}

pub fn duplicates_derive_nothing(store: &mut dyn Store) {
    let batch: Vec<EnrichedSignal> = (1..=3)
        .map(|i| complaint(i, "baggage", -0.5, time(1_000_000 + i as i64)))
        .collect();
    assert_eq!(open_all(store, &batch), 3);
    assert_eq!(open_all(store, &batch), 0);
    assert_eq!(all(store, CaseQuery::default()).len(), 3);
}

pub fn a_failed_derive_stores_nothing(store: &mut dyn Store) {
    let batch = vec![complaint(1, "baggage", -0.5, time(1_000_000))];
    let mut d = OpenAll {
        model: model(),
        seen: 0,
        fail: true,
    };
    assert!(store.insert_with(&batch, &[1], &mut d).is_err());
    assert_eq!(store.signal_count().expect("count"), 0);
    assert!(all(store, CaseQuery::default()).is_empty());
}

pub fn stale_versions_are_refused(store: &mut dyn Store) {
    let m = model();
    open_all(store, &[complaint(1, "baggage", -0.5, time(1_000_000))]);
    let mut case = store.case(CaseId(1)).expect("case").expect("exists");
    let events = tce_care::workflow::apply(
        &mut case,
        1,
        tce_care::Actor::Agent("amy".into()),
        tce_care::workflow::Change::Assign {
            agent: Some("amy".into()),
        },
        &m,
        time(1_000_100),
    )
    .expect("assign");
    store.update_case(&case, 1, &events).expect("update");
    let before = store.case_events(CaseId(1)).expect("events").len();
    // Someone else's change made against version 1 is refused, with the
    // current version, and appends nothing.
    match store.update_case(&case, 1, &events) {
        Err(StoreError::StaleCase {
            case: 1,
            expected: 1,
            current: 2,
        }) => {}
        other => panic!("expected a stale refusal, got {other:?}"),
    }
    assert_eq!(store.case_events(CaseId(1)).expect("events").len(), before);
    let stored = store.case(CaseId(1)).expect("case").expect("exists");
    assert_eq!(
        (stored.status, stored.assignee.as_deref(), stored.version),
        (Status::Open, Some("amy"), 2)
    );
}

pub fn queues_are_ordered_and_paged(store: &mut dyn Store) {
    // Severities spread the priorities; touchpoints spread departments.
    let touchpoints = ["baggage", "baggage", "booking", "baggage", "booking"];
    let batch: Vec<EnrichedSignal> = (0..25)
        .map(|i| {
            complaint(
                i + 1,
                touchpoints[i % touchpoints.len()],
                -(i as f64 % 5.0) / 4.0,
                time(1_000_000 + (i as i64) * 600),
            )
        })
        .collect();
    open_all(store, &batch);
    let every = all(
        store,
        CaseQuery {
            limit: 4,
            ..CaseQuery::default()
        },
    );
    assert_eq!(every.len(), 25);
    let key = |c: &Case| {
        (
            c.priority.priority,
            c.sla.breach_at().map_or(i64::MAX, |t| t.timestamp()),
            c.id,
        )
    };
    let keys: Vec<_> = every.iter().map(key).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "priority, then SLA breach, then id");
    let priorities: std::collections::BTreeSet<Priority> =
        every.iter().map(|c| c.priority.priority).collect();
    assert!(priorities.len() >= 2, "{priorities:?}");

    let baggage = all(
        store,
        CaseQuery {
            departments: Some(vec!["baggage".into()]),
            limit: 3,
            ..CaseQuery::default()
        },
    );
    assert_eq!(
        baggage.len(),
        every.iter().filter(|c| c.department() == "baggage").count()
    );
    assert!(baggage.iter().all(|c| c.department() == "baggage"));
    let none = store
        .cases(&CaseQuery {
            departments: Some(Vec::new()),
            ..CaseQuery::default()
        })
        .expect("cases");
    assert!(none.items.is_empty());

    // In breach at an instant: exactly the cases whose breach time passed.
    let at = time(1_000_000) + Duration::hours(3);
    let breached = all(
        store,
        CaseQuery {
            breached_at: Some(at),
            ..CaseQuery::default()
        },
    );
    let expected = every
        .iter()
        .filter(|c| c.sla.breach_at().is_some_and(|b| b <= at))
        .count();
    assert_eq!(breached.len(), expected);
    assert!(!breached.is_empty() && breached.len() < 25);

    let backlog = store
        .care_backlog(at, BacklogGroup::Department, None)
        .expect("backlog");
    assert_eq!(backlog.iter().map(|r| r.n).sum::<u64>(), 25);
    assert_eq!(
        backlog.iter().map(|r| r.breached).sum::<u64>(),
        expected as u64
    );
    assert!(matches!(
        store.cases(&CaseQuery {
            cursor: Some("nonsense".into()),
            ..CaseQuery::default()
        }),
        Err(StoreError::InvalidCursor(_))
    ));
}

pub fn purge_takes_the_cases_of_purged_signals(store: &mut dyn Store) {
    let day = |d: u32| {
        NaiveDate::from_ymd_opt(2026, 3, d)
            .expect("day")
            .and_hms_opt(12, 0, 0)
            .expect("noon")
            .and_utc()
    };
    open_all(
        store,
        &[
            complaint(1, "baggage", -0.5, day(1)),
            complaint(2, "baggage", -0.5, day(2)),
            complaint(3, "baggage", -0.5, day(5)),
        ],
    );
    let cutoff = NaiveDate::from_ymd_opt(2026, 3, 3).expect("day");
    let purged = store.purge_before(cutoff).expect("purge");
    assert_eq!((purged.signals, purged.cases), (2, 2));
    let left = all(store, CaseQuery::default());
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].thread[0].signal.external_id, "s3");
    assert!(store.case_events(CaseId(1)).expect("events").is_empty());
    let events = store
        .care_events(&CareEventQuery::default())
        .expect("events");
    assert!(events.iter().all(|e| e.case == left[0].id));
}

/// Active cases per department counted from the cases themselves.
fn active_by_department(store: &dyn Store) -> std::collections::BTreeMap<String, u64> {
    let mut out = std::collections::BTreeMap::new();
    for c in all(
        store,
        CaseQuery {
            statuses: vec![Status::New, Status::Open, Status::Pending],
            ..CaseQuery::default()
        },
    ) {
        *out.entry(c.department().to_string()).or_default() += 1;
    }
    out
}

fn backlog_by_department(
    store: &dyn Store,
    at: DateTime<Utc>,
) -> std::collections::BTreeMap<String, u64> {
    let mut out = std::collections::BTreeMap::new();
    for r in store
        .care_backlog(at, BacklogGroup::Department, None)
        .expect("backlog")
    {
        *out.entry(r.key).or_default() += r.n;
    }
    out
}

pub fn aggregates_follow_the_cases(store: &mut dyn Store) {
    let m = model();
    let at = time(1_000_000);
    let batch: Vec<EnrichedSignal> = (0..6)
        .map(|i| {
            complaint(
                i + 1,
                ["baggage", "booking"][i % 2],
                -0.8,
                at + Duration::hours(i as i64),
            )
        })
        .collect();
    open_all(store, &batch);
    let now = at + Duration::days(1);
    assert_eq!(
        backlog_by_department(store, now),
        active_by_department(store)
    );

    // Resolve one, re-route one, pend one: the backlog moves with them.
    let change = |store: &mut dyn Store, id: u64, change: tce_care::workflow::Change| {
        let mut case = store.case(CaseId(id)).expect("case").expect("exists");
        let version = case.version;
        let events = tce_care::workflow::apply(
            &mut case,
            version,
            tce_care::Actor::Agent("amy".into()),
            change,
            &m,
            at + Duration::hours(10),
        )
        .expect("change");
        store.update_case(&case, version, &events).expect("update");
    };
    change(
        store,
        1,
        tce_care::workflow::Change::SetStatus(Status::Resolved),
    );
    change(
        store,
        2,
        tce_care::workflow::Change::Route {
            department: "baggage".into(),
            reason: "wrong desk".into(),
        },
    );
    change(
        store,
        3,
        tce_care::workflow::Change::SetStatus(Status::Pending),
    );
    let counted = active_by_department(store);
    assert_eq!(counted.values().sum::<u64>(), 5);
    assert_eq!(backlog_by_department(store, now), counted);

    // Every opened event is counted once in the daily aggregate.
    let opened_events = store
        .care_events(&CareEventQuery {
            kinds: vec!["opened".into()],
            ..CareEventQuery::default()
        })
        .expect("events")
        .len() as u64;
    let daily = store.care_daily(&CareEventQuery::default()).expect("daily");
    assert_eq!(daily.iter().map(|d| d.opened).sum::<u64>(), opened_events);
    assert_eq!(opened_events, 6);
    // The resolution is a timed event.
    let timings = timing_cells(store);
    assert_eq!(
        timings
            .iter()
            .filter(|(k, _)| k.4)
            .map(|(_, v)| v.0)
            .sum::<u64>(),
        1
    );
    assert_eq!(timings, timing_cells_of_the_log(store));

    // A purge takes its cases out of both.
    let cutoff = (at + Duration::hours(2)).date_naive() + Duration::days(1);
    store.purge_before(cutoff).expect("purge");
    assert!(backlog_by_department(store, now).is_empty());
    assert!(store
        .care_daily(&CareEventQuery::default())
        .expect("daily")
        .is_empty());
    assert!(timing_cells(store).is_empty());
}

/// A timing cell: day, department, brand, channel, resolution.
type TimingCell = (NaiveDate, String, String, String, bool);

/// The timing aggregate per cell: events, within SLA, sorted wall and
/// business seconds.
fn timing_cells(
    store: &dyn Store,
) -> std::collections::BTreeMap<TimingCell, (u64, u64, Vec<i64>, Vec<i64>)> {
    let mut out = std::collections::BTreeMap::new();
    for t in store
        .care_timing_days(&CareEventQuery::default())
        .expect("timings")
    {
        assert_eq!(t.wall_secs.len(), t.business_secs.len());
        let (mut wall, mut business) = (t.wall_secs, t.business_secs);
        wall.sort_unstable();
        business.sort_unstable();
        let cell = (t.day, t.department, t.brand, t.channel, t.resolution);
        let prev = out.insert(cell, (wall.len() as u64, t.within_sla, wall, business));
        assert!(prev.is_none(), "one row per cell");
    }
    out
}

/// The same counted from the event log.
fn timing_cells_of_the_log(
    store: &dyn Store,
) -> std::collections::BTreeMap<TimingCell, (u64, u64, Vec<i64>, Vec<i64>)> {
    let mut out: std::collections::BTreeMap<TimingCell, (u64, u64, Vec<i64>, Vec<i64>)> =
        std::collections::BTreeMap::new();
    for e in store
        .care_events(&CareEventQuery::default())
        .expect("events")
    {
        let (Some(wall), Some(business), Some(within)) =
            (e.wall_secs, e.business_secs, e.within_sla)
        else {
            continue;
        };
        let cell = (
            e.at.date_naive(),
            e.department,
            e.brand,
            e.channel,
            e.kind == "resolved",
        );
        let c = out.entry(cell).or_default();
        c.0 += 1;
        c.1 += u64::from(within);
        c.2.push(wall);
        c.3.push(business);
    }
    for c in out.values_mut() {
        c.2.sort_unstable();
        c.3.sort_unstable();
    }
    out
}

fn both(check: fn(&mut dyn Store)) {
    check(&mut SqliteStore::open_in_memory().expect("memory"));
    let dir = tempfile::tempdir().expect("tempdir");
    check(&mut SqliteStore::open(&dir.path().join("tce.db")).expect("open"));
}

#[test]
fn cases_round_trip() {
    both(cases_round_trip_whole);
}

#[test]
fn re_ingest_derives_nothing() {
    both(duplicates_derive_nothing);
}

#[test]
fn failed_derive_rolls_back() {
    both(a_failed_derive_stores_nothing);
}

#[test]
fn stale_case_updates() {
    both(stale_versions_are_refused);
}

#[test]
fn queue_order_paging_breach_and_backlog() {
    both(queues_are_ordered_and_paged);
}

#[test]
fn purge_cases() {
    both(purge_takes_the_cases_of_purged_signals);
}

#[test]
fn care_aggregates() {
    both(aggregates_follow_the_cases);
}

/// Migration 0015 fills `care_timing_daily` from the event log of a
/// workspace that had none: the same cells as kept on ingest.
#[test]
fn the_timing_aggregate_is_backfilled_by_its_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tce.db");
    let mut store = SqliteStore::open(&path).expect("open");
    let m = model();
    let at = time(1_000_000);
    let batch: Vec<EnrichedSignal> = (0..8)
        .map(|i| {
            complaint(
                i + 1,
                ["baggage", "booking"][i % 2],
                -0.8,
                at + Duration::hours(20 * i as i64),
            )
        })
        .collect();
    open_all(&mut store, &batch);
    for id in 1..=6u64 {
        let mut case = store.case(CaseId(id)).expect("case").expect("exists");
        let version = case.version;
        let when = at + Duration::hours(20 * id as i64 + id as i64);
        let change = if id % 3 == 0 {
            tce_care::workflow::Change::SetStatus(Status::Resolved)
        } else {
            tce_care::workflow::Change::Respond {
                text: "sorry".into(),
                channel: "x".into(),
                agent: Some("amy".into()),
                reply: None,
            }
        };
        let events = tce_care::workflow::apply(
            &mut case,
            version,
            tce_care::Actor::Agent("amy".into()),
            change,
            &m,
            when,
        )
        .expect("change");
        store.update_case(&case, version, &events).expect("update");
    }
    let kept = timing_cells(&store);
    assert!(
        kept.keys().any(|k| k.4) && kept.keys().any(|k| !k.4),
        "{kept:?}"
    );
    assert!(kept.len() >= 4, "{kept:?}");
    assert_eq!(kept, timing_cells_of_the_log(&store));
    store
        .connection()
        .execute_batch("DROP TABLE care_timing_daily; PRAGMA user_version = 14;")
        .expect("back to schema 14");
    drop(store);
    let store = SqliteStore::open(&path).expect("migrate");
    assert_eq!(timing_cells(&store), kept);
}
