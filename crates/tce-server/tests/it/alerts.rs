//! The early-warning API: `/api/v1/alerts` and `/api/v1/webhooks`, their
//! role matrix, changes against versions, and the OpenAPI document.

use crate::common::{test_app, Reply, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tce_model::EnrichedSignal;
use tce_store::{
    Alert, AlertKind, AlertMember, AlertScope, AlertStatus, Derive, DeriveTx, NewAlertEvent,
    SeriesKey, Store, StoreError,
};

fn t(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_772_323_200 + secs, 0).expect("time")
}

fn alert(scope: AlertScope, tp: &str, department: Option<&str>) -> Alert {
    Alert {
        id: 0,
        scope,
        kind: AlertKind::Volume,
        brand: if scope == AlertScope::Competitive {
            "bluejet"
        } else {
            "skyway"
        }
        .into(),
        stage: Some("operations".into()),
        touchpoint: Some(tp.into()),
        department: department.map(str::to_owned),
        window_start: t(0),
        window_end: t(7200),
        span_secs: 3600,
        observed: 40,
        expected: 5.0,
        interval: (1, 10),
        p_value: 1e-9,
        severity: 6,
        active: true,
        status: AlertStatus::Open,
        opened_at: t(7200),
        updated_at: t(7200),
        ended_at: None,
        acknowledged_by: None,
        acknowledged_at: None,
        resolved_by: None,
        resolved_at: None,
        version: 1,
        members: vec![AlertMember {
            detector: "negative".into(),
            series: SeriesKey::touchpoint("skyway", tp, "operations"),
            start: t(0).timestamp(),
            end: t(7200).timestamp(),
            active: true,
        }],
        examples: Vec::new(),
        terms: Vec::new(),
    }
}

struct Seed(Vec<Alert>, Vec<i64>);

impl Derive for Seed {
    fn derive(&mut self, _: &[&EnrichedSignal], tx: &mut dyn DeriveTx) -> Result<(), StoreError> {
        for a in &self.0 {
            let ev = NewAlertEvent {
                at: a.opened_at,
                change: "opened".into(),
                actor: "detector".into(),
                evidence: None,
            };
            self.1.push(tx.insert_alert(a, &[ev])?);
        }
        Ok(())
    }
}

/// Three alerts: baggage's (the test agent's department), flight ops', a competitor's.
fn seeded() -> (TestApp, [i64; 3]) {
    seeded_with(test_app(), 0)
}

fn seeded_with(app: TestApp, shift: i64) -> (TestApp, [i64; 3]) {
    let mut store = app.store();
    let mut alerts = vec![
        alert(AlertScope::Own, "baggage", Some("baggage")),
        alert(AlertScope::Own, "punctuality", Some("flight_ops")),
        alert(AlertScope::Competitive, "baggage", None),
    ];
    for a in &mut alerts {
        a.window_start += chrono::Duration::seconds(shift);
        a.window_end += chrono::Duration::seconds(shift + 86_400);
    }
    let mut seed = Seed(alerts, Vec::new());
    let model = crate::common::model();
    let signal = tce_model::Signal {
        channel: "x".into(),
        external_id: "seed-1".into(),
        brand: Some("skyway".into()),
        author: None,
        author_followers: None,
        created_at: t(0),
        text: "fine".into(),
        rating: None,
        stage_ratings: Vec::new(),
        in_reply_to: None,
        url: None,
        lang: None,
    };
    let enrichment = tce_text::enrich::Enricher::new(&model)
        .expect("enricher")
        .enrich(&signal);
    let one = vec![EnrichedSignal { signal, enrichment }];
    store.insert_with(&one, &[1], &mut seed).expect("seed");
    let ids = [seed.1[0], seed.1[1], seed.1[2]];
    (app, ids)
}

async fn send(app: &TestApp, method: &str, uri: &str, token: Option<&str>, body: Value) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(tok) = token {
        req = req.header("authorization", format!("Bearer {tok}"));
    }
    app.send(req.body(Body::from(body.to_string())).expect("request"))
        .await
}

#[tokio::test]
async fn alerts_role_matrix() {
    let (app, [bag, ops, rival]) = seeded();
    let (admin, analyst, agent) = (
        app.tokens.admin.clone(),
        app.tokens.analyst.clone(),
        app.tokens.agent.clone(),
    );
    assert_eq!(
        app.get("/api/v1/alerts", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let all = app.get("/api/v1/alerts", Some(&admin)).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text());
    assert_eq!(all.json().as_array().expect("list").len(), 3);
    assert_eq!(
        app.get("/api/v1/alerts", Some(&analyst))
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let mine = app.get("/api/v1/alerts", Some(&agent)).await.json();
    let ids: Vec<i64> = mine
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, [bag], "an agent sees their department's alerts only");
    assert_eq!(mine[0]["department"], "baggage");
    assert_eq!(mine[0]["touchpoint"], "baggage");
    assert_eq!(mine[0]["kind"], "volume");
    assert_eq!(mine[0]["window"]["start"], "2026-03-01T00:00:00Z");
    assert_eq!(
        app.get("/api/v1/alerts?department=flight_ops", Some(&agent))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let competitive = app
        .get("/api/v1/alerts?scope=competitive", Some(&admin))
        .await
        .json();
    assert_eq!(competitive[0]["id"], rival);
    assert!(competitive[0]["department"].is_null());
    assert_eq!(
        app.get("/api/v1/alerts?scope=nope", Some(&admin))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    // One alert: another department's is a 404 to an agent.
    let got = app
        .get(&format!("/api/v1/alerts/{bag}"), Some(&agent))
        .await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text());
    assert_eq!(got.json()["events"][0]["change"], "opened");
    assert_eq!(
        app.get(&format!("/api/v1/alerts/{ops}"), Some(&agent))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/alerts/{ops}"), Some(&analyst))
            .await
            .status,
        StatusCode::OK
    );

    // Changes: analysts read only; agents their department's; versions checked.
    let ack = json!({"version": 1, "status": "acknowledged"});
    let uri = format!("/api/v1/alerts/{bag}");
    assert_eq!(
        send(&app, "PATCH", &uri, Some(&analyst), ack.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let other = format!("/api/v1/alerts/{ops}");
    assert_eq!(
        send(&app, "PATCH", &other, Some(&agent), ack.clone())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let done = send(&app, "PATCH", &uri, Some(&agent), ack.clone()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    assert_eq!(done.json()["status"], "acknowledged");
    assert_eq!(done.json()["acknowledged_by"], "test agent");
    let stale = send(
        &app,
        "PATCH",
        &uri,
        Some(&admin),
        json!({"version": 1, "status": "resolved"}),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["error"]["code"], "stale_version");
    assert_eq!(stale.json()["error"]["current_version"], 2);
    let resolved = send(
        &app,
        "PATCH",
        &uri,
        Some(&admin),
        json!({"version": 2, "status": "resolved"}),
    )
    .await;
    assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.text());
    let back = send(
        &app,
        "PATCH",
        &uri,
        Some(&admin),
        json!({"version": 3, "status": "acknowledged"}),
    )
    .await;
    assert_eq!(back.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Resolved alerts leave the default (open) list.
    assert_eq!(
        app.get("/api/v1/alerts", Some(&agent))
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    assert_eq!(
        app.get("/api/v1/alerts?status=all", Some(&agent))
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn webhooks_are_for_admins() {
    let (app, _) = seeded();
    let (admin, analyst, agent) = (
        app.tokens.admin.clone(),
        app.tokens.analyst.clone(),
        app.tokens.agent.clone(),
    );
    let body = json!({"department": "baggage", "url": "http://127.0.0.1:9/hook"});
    assert_eq!(
        send(&app, "POST", "/api/v1/webhooks", None, body.clone())
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    for tok in [&analyst, &agent] {
        assert_eq!(
            send(&app, "POST", "/api/v1/webhooks", Some(tok), body.clone())
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get("/api/v1/webhooks", Some(tok)).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get("/api/v1/webhooks/deliveries", Some(tok))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
    let created = send(&app, "POST", "/api/v1/webhooks", Some(&admin), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let c = created.json();
    let secret = c["secret"].as_str().expect("secret");
    assert!(secret.starts_with("whsec_"));
    let id = c["id"].as_i64().expect("id");
    let list = app.get("/api/v1/webhooks", Some(&admin)).await;
    assert!(!list.text().contains(secret), "the secret is shown once");
    assert_eq!(list.json()[0]["department"], "baggage");
    let bad = send(
        &app,
        "POST",
        "/api/v1/webhooks",
        Some(&admin),
        json!({"department": "nope", "url": "http://x/"}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let test = send(
        &app,
        "POST",
        &format!("/api/v1/webhooks/{id}/test"),
        Some(&admin),
        json!({}),
    )
    .await;
    assert_eq!(test.status, StatusCode::ACCEPTED, "{}", test.text());
    assert_eq!(test.json()["event_type"], "webhook.test");
    let outbox = app
        .get("/api/v1/webhooks/deliveries?status=pending", Some(&admin))
        .await
        .json();
    assert_eq!(outbox.as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.delete(&format!("/api/v1/webhooks/{id}"), Some(&agent))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.delete(&format!("/api/v1/webhooks/{id}"), Some(&admin))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&format!("/api/v1/webhooks/{id}"), Some(&admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn openapi_documents_alerts_and_webhooks() {
    let app = test_app();
    let doc = app.get("/api/v1/openapi.json", None).await.json();
    for path in [
        "/api/v1/alerts",
        "/api/v1/alerts/{id}",
        "/api/v1/webhooks",
        "/api/v1/webhooks/{id}",
        "/api/v1/webhooks/{id}/test",
        "/api/v1/webhooks/deliveries",
        "/api/v1/webhooks/deliveries/{id}/redeliver",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    assert!(doc["components"]["schemas"]["AlertDto"].is_object());
}

#[tokio::test]
async fn alerts_pages_escape_posts_and_take_csrf_forms() {
    use crate::common::{hidden_csrf, HOSTILE_AUTHOR, HOSTILE_TEXT};
    let app = test_app();
    let record = json!({
        "id": "evil-alert-1", "channel": "x",
        "text": format!("{HOSTILE_TEXT} — terrible, my baggage never arrived and nobody answers"),
        "created_at": "2026-04-22T09:00:00Z", "brand": "skyway", "author": HOSTILE_AUTHOR,
        "author_followers": 99999,
    });
    let res = app
        .post(
            "/api/v1/signals",
            Some(&app.tokens.admin),
            "application/x-ndjson",
            format!("{record}\n"),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // Alerts whose window holds the hostile post (2026-04-22).
    let shift = t(0).signed_duration_since(t(0)).num_seconds()
        + (DateTime::parse_from_rfc3339("2026-04-22T00:00:00Z")
            .expect("t")
            .timestamp()
            - t(0).timestamp());
    let (app, [bag, ops, _]) = seeded_with(app, shift);
    let agent = app.tokens.agent.clone();
    let cookie = app.sign_in(&agent).await;
    let list = app.page("/alerts", Some(&cookie)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    assert!(list.text().contains(&format!("/alerts/{bag}")));
    assert!(
        !list.text().contains(&format!("/alerts/{ops}\"")),
        "another department's alert is not listed"
    );
    assert_eq!(
        app.page(&format!("/alerts/{ops}"), Some(&cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let page = app.page(&format!("/alerts/{bag}"), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(html.contains("<svg"), "the observed/expected chart");
    assert!(!html.contains("<script>alert"), "raw script in the page");
    assert!(!html.contains("<img src=x"), "raw img in the page");
    assert!(
        html.contains("&lt;script&gt;alert("),
        "the example post, escaped: {html}"
    );
    assert!(
        html.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "the author, escaped"
    );
    // Acknowledge: the form's CSRF token is required.
    let csrf = hidden_csrf(&html);
    let bad = app
        .form(
            &format!("/alerts/{bag}"),
            Some(&cookie),
            &[
                ("csrf", "nope"),
                ("version", "1"),
                ("status", "acknowledged"),
            ],
        )
        .await;
    assert_ne!(bad.status, StatusCode::SEE_OTHER);
    let ok = app
        .form(
            &format!("/alerts/{bag}"),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("version", "1"),
                ("status", "acknowledged"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let after = app.store().alert(bag).expect("read").expect("alert");
    assert_eq!(after.status, AlertStatus::Acknowledged);
    // Overview (admin) lists open alerts; the Journey map marks the touchpoint.
    let admin = app.sign_in(&app.tokens.admin.clone()).await;
    let overview = app.page("/", Some(&admin)).await.text();
    assert!(overview.contains("Open alerts ("), "{overview}");
    let journey = app.page("/journey", Some(&cookie)).await.text();
    assert!(journey.contains("Under alert"), "{journey}");
}
