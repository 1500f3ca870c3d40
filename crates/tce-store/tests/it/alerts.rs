//! Conformance of the early-warning tables: detector states, alerts and
//! their events (written inside the insert transaction through `AlertTx`),
//! changes by people against a version, webhooks and the outbox.

use crate::fixtures;
use chrono::{DateTime, Utc};
use tce_alert::{Detector, SeriesKey, Settings};
use tce_model::EnrichedSignal;
use tce_store::{
    Alert, AlertKind, AlertMember, AlertQuery, AlertScope, AlertStatus, Delivery, DeliveryAttempt,
    DeliveryStatus, Derive, DeriveTx, NewAlertEvent, NewDelivery, SqliteStore, Store, StoreError,
    Webhook,
};

fn both(check: fn(&mut dyn Store)) {
    check(&mut SqliteStore::open_in_memory().expect("memory"));
    let dir = tempfile::tempdir().expect("tempdir");
    check(&mut SqliteStore::open(&dir.path().join("tce.db")).expect("open"));
}

fn t(secs: i64) -> DateTime<Utc> {
    fixtures::time(secs)
}

fn alert(brand: &str, department: Option<&str>, start: i64) -> Alert {
    Alert {
        id: 0,
        scope: AlertScope::Own,
        kind: AlertKind::Volume,
        brand: brand.into(),
        stage: Some("operations".into()),
        touchpoint: Some("baggage".into()),
        department: department.map(str::to_owned),
        window_start: t(start),
        window_end: t(start + 7200),
        span_secs: 3600,
        observed: 30,
        expected: 4.5,
        interval: (1, 9),
        p_value: 1e-9,
        severity: 6,
        active: true,
        status: AlertStatus::Open,
        opened_at: t(start + 7200),
        updated_at: t(start + 7200),
        ended_at: None,
        acknowledged_by: None,
        acknowledged_at: None,
        resolved_by: None,
        resolved_at: None,
        version: 1,
        members: vec![AlertMember {
            detector: "negative".into(),
            series: SeriesKey::touchpoint(brand, "baggage", "operations"),
            start,
            end: start + 7200,
            active: true,
        }],
        examples: Vec::new(),
        terms: vec!["lost tag".into()],
    }
}

/// Writes through the derive hook what the pipeline writes.
struct Writes {
    states: Vec<tce_alert::SeriesState>,
    alerts: Vec<Alert>,
    deliveries: Vec<NewDelivery>,
    seen_active: Vec<Alert>,
    seen_states: usize,
}

impl Derive for Writes {
    fn derive(&mut self, _: &[&EnrichedSignal], tx: &mut dyn DeriveTx) -> Result<(), StoreError> {
        let keys: Vec<SeriesKey> = self.states.iter().map(|s| s.key().clone()).collect();
        self.seen_states = tx.series_states("negative", &keys)?.len();
        let refs: Vec<_> = self.states.iter().collect();
        tx.save_series_states("negative", &refs)?;
        self.seen_active = tx.active_alerts(&["skyway"])?;
        for a in &mut self.alerts {
            a.id = tx.insert_alert(
                a,
                &[NewAlertEvent {
                    at: a.opened_at,
                    change: "opened".into(),
                    actor: "detector".into(),
                    evidence: None,
                }],
            )?;
        }
        let hooks = tx.webhooks()?;
        for d in &mut self.deliveries {
            d.webhook_id = hooks.first().map_or(0, |h| h.id);
        }
        tx.enqueue(&self.deliveries)
    }
}

fn states() -> Vec<tce_alert::SeriesState> {
    let mut d = Detector::new(Settings::default()).expect("detector");
    let mut out = Vec::new();
    for (i, key) in [
        SeriesKey::brand("skyway"),
        SeriesKey::touchpoint("skyway", "baggage", "operations"),
    ]
    .iter()
    .enumerate()
    {
        let id = d.series_id(key);
        for h in 0..50 {
            d.observe(
                id,
                1_700_000_000 + h * 3600,
                (h as usize + i).is_multiple_of(3),
                &mut out,
            );
        }
    }
    d.states().to_vec()
}

fn alerts_round_trip(store: &mut dyn Store) {
    let hook = store
        .insert_webhook(&Webhook {
            id: 0,
            department: Some("baggage_ops".into()),
            url: "http://127.0.0.1:9/hook".into(),
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            slack: false,
            created_at: t(1_700_000_000),
        })
        .expect("webhook");
    let mut w = Writes {
        states: states(),
        alerts: vec![
            alert("skyway", Some("baggage_ops"), 1_700_000_000),
            alert("skyway", Some("airport_ops"), 1_700_100_000),
        ],
        deliveries: vec![NewDelivery {
            webhook_id: 0,
            message_id: "msg_1".into(),
            event_type: "alert.opened".into(),
            payload: "{}".into(),
            created_at: t(1_700_000_000),
        }],
        seen_active: Vec::new(),
        seen_states: 9,
    };
    store
        .insert_with(&fixtures::signals(3, 5), &[5], &mut w)
        .expect("insert");
    assert_eq!(w.seen_states, 0, "no states before the first save");
    assert!(w.seen_active.is_empty());

    // The states read back as saved, for the series asked about only.
    let saved = store.series_states("negative").expect("states");
    assert_eq!(saved, w.states);
    assert!(store.series_states("praise").expect("states").is_empty());

    // Alerts: by id, filtered by department (an agent's), newest first.
    let a1 = store.alert(w.alerts[0].id).expect("read").expect("stored");
    assert_eq!(a1, w.alerts[0]);
    let mine = store
        .alerts(&AlertQuery {
            departments: Some(vec!["baggage_ops".into()]),
            ..AlertQuery::default()
        })
        .expect("list");
    assert_eq!(mine, vec![w.alerts[0].clone()]);
    let all = store.alerts(&AlertQuery::default()).expect("list");
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, w.alerts[1].id, "newest window first");
    assert!(store
        .alerts(&AlertQuery {
            departments: Some(Vec::new()),
            ..AlertQuery::default()
        })
        .expect("list")
        .is_empty());

    // A change against the version seen; a stale one is refused.
    let mut acked = a1.clone();
    acked.status = AlertStatus::Acknowledged;
    acked.acknowledged_by = Some("ana".into());
    acked.version += 1;
    let ev = NewAlertEvent {
        at: t(1_700_010_000),
        change: "acknowledged".into(),
        actor: "ana".into(),
        evidence: None,
    };
    store.change_alert(&acked, 1, &ev).expect("change");
    assert!(matches!(
        store.change_alert(&acked, 1, &ev),
        Err(StoreError::StaleAlert { current: 2, .. })
    ));
    assert!(matches!(
        store.change_alert(
            &Alert {
                id: 999,
                ..acked.clone()
            },
            1,
            &ev
        ),
        Err(StoreError::NoSuchAlert(999))
    ));
    let events = store.alert_events(a1.id).expect("events");
    let changes: Vec<&str> = events.iter().map(|e| e.change.as_str()).collect();
    assert_eq!(changes, ["opened", "acknowledged"]);

    // The outbox: written in the insert transaction, due, retried, dead, sent again.
    let pending = store
        .deliveries(Some(DeliveryStatus::Pending), 0)
        .expect("list");
    assert_eq!(pending.len(), 1);
    let d: &Delivery = &pending[0];
    assert_eq!((d.webhook_id, d.attempts), (hook, 0));
    assert_eq!(
        store
            .due_deliveries(t(1_699_999_999), 10)
            .expect("due")
            .len(),
        0
    );
    assert_eq!(
        store
            .due_deliveries(t(1_700_000_000), 10)
            .expect("due")
            .len(),
        1
    );
    assert_eq!(
        store.next_delivery_due().expect("next"),
        Some(t(1_700_000_000))
    );
    store
        .record_attempt(&DeliveryAttempt {
            id: d.id,
            status: DeliveryStatus::Pending,
            next_attempt_at: t(1_700_000_005),
            http_status: Some(500),
            error: Some("HTTP 500".into()),
            at: t(1_700_000_000),
        })
        .expect("attempt");
    store
        .record_attempt(&DeliveryAttempt {
            id: d.id,
            status: DeliveryStatus::Dead,
            next_attempt_at: t(1_700_000_005),
            http_status: None,
            error: Some("connection refused".into()),
            at: t(1_700_000_005),
        })
        .expect("attempt");
    let dead = store.delivery(d.id).expect("read").expect("kept");
    assert_eq!(dead.status, DeliveryStatus::Dead);
    assert_eq!(dead.attempts, 2);
    assert_eq!(dead.last_error.as_deref(), Some("connection refused"));
    assert_eq!(dead.message_id, "msg_1");
    assert!(store
        .due_deliveries(t(1_800_000_000), 10)
        .expect("due")
        .is_empty());
    assert!(store.redeliver(d.id, t(1_700_000_100)).expect("again"));
    assert!(!store.redeliver(d.id, t(1_700_000_100)).expect("pending"));
    let again = store.delivery(d.id).expect("read").expect("kept");
    assert_eq!((again.status, again.attempts), (DeliveryStatus::Pending, 0));
    assert_eq!(again.message_id, "msg_1", "the same webhook-id");

    // Webhooks: listed, removed.
    assert_eq!(store.webhooks().expect("list").len(), 1);
    assert!(store.remove_webhook(hook).expect("remove"));
    assert!(!store.remove_webhook(hook).expect("remove"));
}

#[test]
fn alerts_states_and_outbox_round_trip() {
    both(alerts_round_trip);
}

fn responses(store: &mut dyn Store) {
    let base = 1_700_000_000;
    let mut competitive = alert("rival", None, base + 1000);
    competitive.scope = AlertScope::Competitive;
    let mut opportunity = alert("skyway", Some("marketing"), base + 2000);
    opportunity.scope = AlertScope::Opportunity;
    let mut w = Writes {
        states: Vec::new(),
        alerts: vec![
            alert("skyway", Some("baggage_ops"), base - 10),
            alert("skyway", Some("baggage_ops"), base),
            competitive,
            opportunity,
            alert("skyway", None, base + 3000),
            alert("skyway", Some("airport_ops"), base + 4000),
            alert("skyway", Some("airport_ops"), base + 86_400),
        ],
        deliveries: Vec::new(),
        seen_active: Vec::new(),
        seen_states: 0,
    };
    store
        .insert_with(&fixtures::signals(3, 5), &[5], &mut w)
        .expect("insert");
    let ids: Vec<i64> = w.alerts.iter().map(|a| a.id).collect();
    // People acknowledge the second an hour after it opened, and resolve
    // the sixth straight from open three hours after.
    let change = |store: &mut dyn Store, i: usize, status: AlertStatus, after: i64| {
        let mut a = store.alert(ids[i]).expect("read").expect("kept");
        let at = t(a.opened_at.timestamp() + after);
        a.status = status;
        match status {
            AlertStatus::Acknowledged => a.acknowledged_at = Some(at),
            _ => a.resolved_at = Some(at),
        }
        a.version += 1;
        let ev = NewAlertEvent {
            at,
            change: status.as_str().into(),
            actor: "ana".into(),
            evidence: None,
        };
        store.change_alert(&a, a.version - 1, &ev).expect("change");
    };
    change(store, 1, AlertStatus::Acknowledged, 3600);
    change(store, 5, AlertStatus::Resolved, 3 * 3600);

    let got = store
        .alert_responses(t(base), t(base + 86_400))
        .expect("responses");
    let summary: Vec<(i64, &str, Option<i64>)> = got
        .iter()
        .map(|r| {
            (
                r.id,
                r.department.as_str(),
                r.taken_up_at().map(|at| (at - r.opened_at).num_seconds()),
            )
        })
        .collect();
    // The one before the window, the competitive one, the unrouted one and
    // the one at the window's end are left out; oldest first.
    assert_eq!(
        summary,
        vec![
            (ids[1], "baggage_ops", Some(3600)),
            (ids[3], "marketing", None),
            (ids[5], "airport_ops", Some(3 * 3600)),
        ]
    );
    assert_eq!(got[0].acknowledged_at, Some(t(base + 7200 + 3600)));
    assert_eq!(got[0].resolved_at, None);
    assert_eq!(got[2].acknowledged_at, None);
    assert_eq!(got[1].window_start, t(base + 2000));
    assert!(store
        .alert_responses(t(base + 90_000), t(base + 100_000))
        .expect("none")
        .is_empty());
}

#[test]
fn alert_responses_are_the_work_alerts_of_a_window() {
    both(responses);
}
