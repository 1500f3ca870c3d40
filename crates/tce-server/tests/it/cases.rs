//! The care API: the queue with its filters and paging, a case with its
//! thread and audit trail, changes against versions, responses and notes,
//! care statistics, the role matrix of every case endpoint, and the sweep.
//!
//! Cases come from signals posted to `POST /api/v1/signals`: the one
//! ingest pipeline derives them in the insert transaction.

use crate::common::{test_app, test_app_with, Reply, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use tce_server::tokens::NewToken;
use tce_server::ServerOptions;
use tce_store::Store;

/// A record of our signal schema, written `mins_ago` minutes ago.
fn record(id: &str, author: &str, mins_ago: i64, text: &str) -> Value {
    json!({
        "id": id, "channel": "x", "text": text, "author": author,
        "author_followers": 150,
        "created_at": (Utc::now() - Duration::minutes(mins_ago)).to_rfc3339(),
    })
}

fn reply(id: &str, author: &str, mins_ago: i64, to: &str, text: &str) -> Value {
    let mut r = record(id, author, mins_ago, text);
    r["in_reply_to"] = json!(to);
    r
}

/// Baggage complaints (four recent, one a month old, one answered by the
/// brand), a delay complaint and a competitor's complaint (no case).
fn world() -> Vec<Value> {
    let mut v = Vec::new();
    for i in 1..=4 {
        v.push(record(
            &format!("bag-{i}"),
            &format!("@ann{i}"),
            10 + i,
            "@SkyWayAir lost my bag at the carousel, furious",
        ));
    }
    v.push(record(
        "bag-old",
        "@olga",
        30 * 24 * 60,
        "@SkyWayAir still no sign of my lost suitcase after weeks, useless baggage service",
    ));
    v.push(reply(
        "brand-1",
        "@SkyWaySupport",
        5,
        "bag-1",
        "@ann1 we are so sorry, please DM us your file reference",
    ));
    v.push(record(
        "delay-1",
        "@dan",
        20,
        "@SkyWayAir flight delayed six hours and nobody told us anything, awful",
    ));
    v.push(record(
        "rival-1",
        "@cat",
        15,
        "@BlueJet lost my bag again, useless",
    ));
    v
}

fn ndjson(records: &[Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

/// An agent token of another department than the test app's agent.
fn other_agent(t: &TestApp) -> String {
    let token = tce_server::generate_token();
    t.store()
        .create_token(&NewToken {
            name: "ops desk".into(),
            role: "agent".into(),
            department: Some("flight_ops".into()),
            hash: tce_server::hash_token(&token),
            created_at: Utc::now(),
        })
        .expect("token");
    token
}

struct World {
    t: TestApp,
    other: String,
}

async fn seeded() -> World {
    seeded_with(test_app()).await
}

async fn seeded_with(t: TestApp) -> World {
    let admin = t.tokens.admin.clone();
    let res = t
        .post(
            "/api/v1/signals",
            Some(&admin),
            "application/x-ndjson",
            ndjson(&world()),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let other = other_agent(&t);
    World { t, other }
}

impl World {
    fn admin(&self) -> &str {
        &self.t.tokens.admin
    }

    async fn get(&self, uri: &str, token: &str) -> Reply {
        self.t.get(uri, Some(token)).await
    }

    /// Every case, following the cursor.
    async fn all(&self, query: &str, token: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..100 {
            let uri = match &cursor {
                Some(c) => format!("/api/v1/cases?{query}&cursor={c}"),
                None => format!("/api/v1/cases?{query}"),
            };
            let res = self.get(&uri, token).await;
            assert_eq!(res.status, StatusCode::OK, "{uri}: {}", res.text());
            let page = res.json();
            out.extend(page["items"].as_array().expect("items").iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return out,
            }
        }
        panic!("paging does not end");
    }

    /// The case opened by this author.
    async fn case_of(&self, author: &str) -> Value {
        self.all("limit=1000", self.admin())
            .await
            .into_iter()
            .find(|c| c["author"] == author)
            .unwrap_or_else(|| panic!("no case of {author}"))
    }

    async fn detail(&self, id: u64) -> Value {
        let res = self.get(&format!("/api/v1/cases/{id}"), self.admin()).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        res.json()
    }

    async fn version(&self, id: u64) -> u64 {
        self.detail(id).await["version"].as_u64().expect("version")
    }

    async fn send(&self, method: &str, uri: &str, token: Option<&str>, body: Value) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        self.t
            .send(req.body(Body::from(body.to_string())).expect("request"))
            .await
    }

    async fn patch(&self, id: u64, token: &str, body: Value) -> Reply {
        self.send("PATCH", &format!("/api/v1/cases/{id}"), Some(token), body)
            .await
    }
}

fn ids(cases: &[Value]) -> Vec<u64> {
    cases
        .iter()
        .map(|c| c["id"].as_u64().expect("id"))
        .collect()
}

#[tokio::test]
async fn the_queue_filters_pages_and_names_bad_values() {
    let w = seeded().await;
    let admin = w.admin();
    let all = w.all("limit=1000", admin).await;
    // Six own-brand complaints open cases; the brand's reply and the
    // competitor's complaint do not.
    assert_eq!(all.len(), 6, "{all:#?}");
    let first = &all[0];
    for field in [
        "id",
        "kind",
        "brand",
        "channel",
        "author",
        "touchpoint",
        "department",
        "routing_reason",
        "status",
        "priority",
        "priority_score",
        "assignee",
        "opened_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "version",
        "sla",
    ] {
        assert!(first.get(field).is_some(), "{field} missing: {first}");
    }
    for field in [
        "first_response_due",
        "resolution_due",
        "breached",
        "at_risk",
        "paused",
    ] {
        assert!(first["sla"].get(field).is_some(), "sla.{field} missing");
    }
    assert!(chrono::DateTime::parse_from_rfc3339(first["opened_at"].as_str().unwrap()).is_ok());
    assert!(all
        .iter()
        .all(|c| c["brand"] == "skyway" && c["kind"] == "care"));

    // Queue order: priority first.
    let prios: Vec<&str> = all
        .iter()
        .map(|c| c["priority"].as_str().unwrap())
        .collect();
    let mut sorted = prios.clone();
    sorted.sort();
    assert_eq!(prios, sorted);

    // Paging with a small page visits every case once, in the same order.
    let paged = w.all("limit=2", admin).await;
    assert_eq!(ids(&paged), ids(&all));

    // Filters: each keeps exactly the cases that match.
    let check = |query: &'static str, keep: &dyn Fn(&Value) -> bool| {
        let want: Vec<u64> = ids(&all.iter().filter(|c| keep(c)).cloned().collect::<Vec<_>>());
        (query, want)
    };
    let bag = check("department=baggage", &|c| c["department"] == "baggage");
    assert!(bag.1.len() >= 5, "baggage complaints: {:?}", bag.1);
    let p = all[0]["priority"].as_str().unwrap().to_string();
    let by_priority: Vec<u64> = ids(&all
        .iter()
        .filter(|c| c["priority"] == p.as_str())
        .cloned()
        .collect::<Vec<_>>());
    assert_eq!(
        ids(&w.all(&format!("priority={p}"), admin).await),
        by_priority
    );
    for (query, want) in [
        bag,
        check("status=new", &|c| c["status"] == "new"),
        check("status=open,pending", &|c| {
            c["status"] == "open" || c["status"] == "pending"
        }),
        check("status=open&status=new", &|c| {
            c["status"] == "open" || c["status"] == "new"
        }),
        check("brand=SkyWay", &|_| true),
        check("brand=bluejet", &|_| false),
        check("kind=lead", &|_| false),
        check("kind=care", &|_| true),
        check("breached=true", &|c| c["sla"]["breached"] == true),
        check("breached=false", &|_| true),
        check("department=baggage&status=new&breached=true", &|c| {
            c["department"] == "baggage" && c["status"] == "new" && c["sla"]["breached"] == true
        }),
    ] {
        assert_eq!(ids(&w.all(query, admin).await), want, "{query}");
    }
    // The month-old complaint is in breach.
    let old = w.case_of("@olga").await;
    assert_eq!(old["sla"]["breached"], true, "{old}");
    assert!(ids(&w.all("breached=true", admin).await).contains(&old["id"].as_u64().unwrap()));

    // Bad values: 400 naming the parameter and the valid values.
    for (query, names) in [
        (
            "status=opened",
            vec!["status", "new, open, pending, resolved, closed"],
        ),
        ("status=open,nope", vec!["status", "nope"]),
        ("priority=p9", vec!["priority", "p1, p2, p3, p4"]),
        ("department=bags", vec!["department", "baggage"]),
        ("brand=acme", vec!["brand", "skyway"]),
        ("kind=ticket", vec!["kind", "care, lead"]),
        ("breached=maybe", vec!["breached", "true"]),
        ("limit=0", vec!["limit", "1 to 1000"]),
        ("limit=many", vec!["limit"]),
        ("stauts=new", vec!["stauts", "status"]),
        ("limit=5&limit=6", vec!["limit"]),
    ] {
        let res = w.get(&format!("/api/v1/cases?{query}"), admin).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(res.error_code(), "invalid_parameter", "{query}");
        let message = res.json()["error"]["message"].as_str().unwrap().to_string();
        for n in names {
            assert!(message.contains(n), "{query}: {message}");
        }
    }
    let res = w.get("/api/v1/cases?cursor=garbage", admin).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.error_code(), "invalid_cursor");
}

#[tokio::test]
async fn a_case_shows_its_thread_with_text_factors_clocks_and_events() {
    let w = seeded().await;
    let case = w.case_of("@ann1").await;
    let id = case["id"].as_u64().unwrap();
    let d = w.detail(id).await;
    assert_eq!(d["id"], case["id"]);
    assert_eq!(d["department"], "baggage");
    assert_eq!(d["touchpoint"], "baggage");
    // The customer's message and the brand's reply, in order, with text.
    let thread = d["thread"].as_array().unwrap();
    assert_eq!(thread.len(), 2, "{d:#}");
    assert_eq!(thread[0]["external_id"], "bag-1");
    assert_eq!(thread[0]["party"], "customer");
    assert_eq!(
        thread[0]["text"],
        "@SkyWayAir lost my bag at the carousel, furious"
    );
    assert_eq!(thread[1]["external_id"], "brand-1");
    assert_eq!(thread[1]["party"], "brand");
    assert!(thread[1]["text"].as_str().unwrap().contains("DM us"));
    // The brand's reply is the first response.
    assert!(d["first_response_at"].is_string(), "{d:#}");
    assert_eq!(d["sla_clocks"]["first_response"]["done"], true);
    assert_eq!(d["sla_clocks"]["resolution"]["done"], false);
    // Priority factors add up to the score.
    let factors = d["priority_factors"].as_array().unwrap();
    let names: Vec<&str> = factors
        .iter()
        .map(|f| f["factor"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["severity", "churn_risk", "reach", "intent", "rating"]
    );
    let sum: f64 = factors.iter().map(|f| f["points"].as_f64().unwrap()).sum();
    assert!((sum - d["priority_score"].as_f64().unwrap()).abs() < 1e-6);
    // The audit trail: opened, then the response with its timing.
    let kinds: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "response", "first_response"], "{d:#}");
    let opened = &d["events"][0];
    assert_eq!(opened["actor"], "system");
    assert_eq!(opened["details"]["department"], "baggage");
    assert!(opened["id"].is_i64() && opened["at"].is_string());
    assert_eq!(
        d["events"][1]["details"]["signal"]["external_id"],
        "brand-1"
    );

    // Unknown ids are 404, malformed ones 400.
    let res = w.get("/api/v1/cases/999999", w.admin()).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.error_code(), "not_found");
    let res = w.get("/api/v1/cases/abc", w.admin()).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.error_code(), "invalid_parameter");
}

#[tokio::test]
async fn a_change_applies_against_its_version_and_a_stale_one_is_409() {
    let w = seeded().await;
    let case = w.case_of("@ann2").await;
    let id = case["id"].as_u64().unwrap();
    let v = case["version"].as_u64().unwrap();
    assert_eq!(case["status"], "new");

    // Assign and set a priority in one request: both apply, in one version
    // step per change; assigning a new case opens it.
    let res = w
        .patch(
            id,
            w.admin(),
            json!({"version": v, "assignee": "kim", "priority": "p1"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let d = res.json();
    assert_eq!(d["assignee"], "kim");
    assert_eq!(d["status"], "open");
    assert_eq!(d["priority"], "p1");
    let v2 = d["version"].as_u64().unwrap();
    assert!(v2 > v);
    let kinds: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "assignee", "status", "priority"]);
    assert_eq!(d["events"][1]["actor"], "test admin");
    assert_eq!(
        d["events"][1]["details"],
        json!({"from": null, "to": "kim"})
    );

    // The old version again: 409 with the current version, nothing changed.
    let res = w
        .patch(id, w.admin(), json!({"version": v, "status": "pending"}))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    let body = res.json();
    assert_eq!(body["error"]["code"], "stale_version");
    assert_eq!(body["error"]["current_version"], v2);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("version {v2} is current")),
        "{body}"
    );
    assert_eq!(w.version(id).await, v2);

    // All or nothing: a valid assignee with an invalid status stores neither.
    let res = w
        .patch(
            id,
            w.admin(),
            json!({"version": v2, "status": "new", "assignee": "lee"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let d = w.detail(id).await;
    assert_eq!(
        (d["version"].as_u64().unwrap(), &d["assignee"]),
        (v2, &json!("kim"))
    );

    // Unassign with null; pending pauses the clocks.
    let res = w
        .patch(
            id,
            w.admin(),
            json!({"version": v2, "assignee": null, "status": "pending"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let d = res.json();
    assert_eq!(d["assignee"], Value::Null);
    assert_eq!(d["status"], "pending");
    assert_eq!(d["sla"]["paused"], true);

    // Re-routing records the department and the reason.
    let v3 = d["version"].as_u64().unwrap();
    let res = w
        .patch(
            id,
            w.admin(),
            json!({"version": v3, "department": "customer_care", "reason": "refund question"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let d = res.json();
    assert_eq!(d["department"], "customer_care");
    assert_eq!(d["routing_reason"], "refund question");
    let last = d["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "department");
    assert_eq!(
        last["details"],
        json!({"from": "baggage", "to": "customer_care", "reason": "refund question"})
    );

    // Bodies that name nothing or change nothing are 400 invalid_body.
    let v4 = d["version"].as_u64().unwrap();
    for body in [
        json!({"version": v4}),
        json!({"version": v4, "status": "done"}),
        json!({"version": v4, "priority": "urgent"}),
        json!({"version": v4, "department": "bags"}),
        json!({"version": v4, "reason": "why not"}),
        json!({"version": v4, "colour": "red"}),
        json!({"status": "open"}),
    ] {
        let res = w.patch(id, w.admin(), body.clone()).await;
        assert_eq!(
            res.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            res.text()
        );
        assert_eq!(res.error_code(), "invalid_body", "{body}");
    }
    // Unknown case: 404.
    let res = w
        .patch(999_999, w.admin(), json!({"version": 1, "status": "open"}))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_invalid_transition_is_422_naming_the_allowed_ones() {
    let w = seeded().await;
    let case = w.case_of("@ann3").await;
    let id = case["id"].as_u64().unwrap();
    let v = case["version"].as_u64().unwrap();
    let res = w
        .patch(id, w.admin(), json!({"version": v, "status": "closed"}))
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert_eq!(res.error_code(), "invalid_transition");
    let message = res.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("from new to closed")
            && message.contains("allowed: open, pending, resolved"),
        "{message}"
    );
    assert_eq!(w.version(id).await, v, "nothing changed");
}

#[tokio::test]
async fn responses_and_notes_are_recorded_in_the_audit_trail() {
    let w = seeded().await;
    let case = w.case_of("@ann4").await;
    let id = case["id"].as_u64().unwrap();
    let v = case["version"].as_u64().unwrap();
    assert_eq!(case["first_response_at"], Value::Null);

    let res = w
        .send(
            "POST",
            &format!("/api/v1/cases/{id}/responses"),
            Some(&w.t.tokens.agent),
            json!({"version": v, "text": "We have found your bag; it arrives tonight."}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let d = res.json();
    assert!(d["first_response_at"].is_string());
    let v2 = d["version"].as_u64().unwrap();
    let res = w
        .send(
            "POST",
            &format!("/api/v1/cases/{id}/notes"),
            Some(&w.t.tokens.agent),
            json!({"version": v2, "text": "Courier booked, ref 42."}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let d = w.detail(id).await;
    let events = d["events"].as_array().unwrap();
    let response = events
        .iter()
        .find(|e| e["kind"] == "response")
        .expect("response");
    assert_eq!(response["actor"], "test agent");
    assert_eq!(
        response["details"]["text"],
        "We have found your bag; it arrives tonight."
    );
    assert_eq!(response["details"]["channel"], "x");
    assert_eq!(response["details"]["agent"], "test agent");
    assert!(events.iter().any(|e| e["kind"] == "first_response"));
    let note = events.iter().find(|e| e["kind"] == "note").expect("note");
    assert_eq!(note["details"]["text"], "Courier booked, ref 42.");
    assert_eq!(note["actor"], "test agent");

    // Stale, empty, or on an unknown channel: refused.
    let res = w
        .send(
            "POST",
            &format!("/api/v1/cases/{id}/notes"),
            Some(w.admin()),
            json!({"version": v, "text": "late"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let current = d["version"].as_u64().unwrap();
    for body in [
        json!({"version": current, "text": "  "}),
        json!({"version": current, "text": "hi", "channel": "pigeon"}),
    ] {
        let res = w
            .send(
                "POST",
                &format!("/api/v1/cases/{id}/responses"),
                Some(w.admin()),
                body,
            )
            .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
        assert_eq!(res.error_code(), "invalid_body");
    }
}

#[tokio::test]
async fn without_authentication_the_actor_is_admin() {
    let w = seeded_with(test_app_with(ServerOptions {
        no_auth: true,
        ..ServerOptions::default()
    }))
    .await;
    let case = w.case_of("@ann1").await;
    let id = case["id"].as_u64().unwrap();
    let res = w
        .send(
            "POST",
            &format!("/api/v1/cases/{id}/notes"),
            None,
            json!({"version": case["version"], "text": "checked"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let note = res.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "note")
        .cloned()
        .expect("note");
    assert_eq!(note["actor"], "admin");
}

#[tokio::test]
async fn care_stats_come_from_the_insight_crate_and_agents_see_their_own() {
    let w = seeded().await;
    let res = w
        .get("/api/v1/care/stats?by=department&period=week", w.admin())
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let s = res.json();
    assert_eq!(s["by"], "department");
    assert_eq!(s["period"], "week");
    let rows = s["rows"].as_array().unwrap();
    let baggage = rows
        .iter()
        .find(|r| r["key"] == "baggage")
        .expect("baggage row");
    assert!(baggage["opened"].as_u64().unwrap() >= 5, "{baggage}");
    assert_eq!(baggage["first_response"]["n"], 1, "the brand's reply");
    assert!(s["periods"].as_array().is_some_and(|p| !p.is_empty()));
    for key in [
        "coverage",
        "now",
        "backlog",
        "cost",
        "currency",
        "assumptions",
    ] {
        assert!(s.get(key).is_some(), "{key}");
    }
    // The same figures the library computes.
    let store = w.t.store();
    let want = tce_insight::care::stats(
        &store,
        w.t.state.model(),
        &tce_insight::care::CareStatsRequest {
            by: tce_insight::care::CareGroup::Department,
            ..Default::default()
        },
        Utc::now(),
    )
    .expect("stats");
    let got = w.get("/api/v1/care/stats", w.admin()).await.json();
    assert_eq!(
        got["rows"].as_array().unwrap().len(),
        want.rows.len(),
        "{got}"
    );
    for (g, r) in got["rows"].as_array().unwrap().iter().zip(&want.rows) {
        assert_eq!(g["key"], r.key.as_str());
        assert_eq!(g["opened"], r.opened);
    }

    // An agent's statistics are their department's.
    let mine = w.get("/api/v1/care/stats", &w.t.tokens.agent).await.json();
    let keys: Vec<&str> = mine["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["baggage"]);
    let theirs = w.get("/api/v1/care/stats", &w.other).await.json();
    assert!(theirs["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["key"] == "flight_ops"));

    for (query, name) in [
        ("by=touchpoint", "by"),
        ("period=year", "period"),
        ("from=yesterday", "from"),
    ] {
        let res = w
            .get(&format!("/api/v1/care/stats?{query}"), w.admin())
            .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(res.error_code(), "invalid_parameter");
        assert!(res.text().contains(name));
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Nobody,
    Admin,
    Analyst,
    /// The agent of the case's department (baggage).
    OwnAgent,
    /// An agent of another department.
    OtherAgent,
}

const WHO: [Who; 5] = [
    Who::Nobody,
    Who::Admin,
    Who::Analyst,
    Who::OwnAgent,
    Who::OtherAgent,
];

impl World {
    fn token(&self, who: Who) -> Option<&str> {
        match who {
            Who::Nobody => None,
            Who::Admin => Some(&self.t.tokens.admin),
            Who::Analyst => Some(&self.t.tokens.analyst),
            Who::OwnAgent => Some(&self.t.tokens.agent),
            Who::OtherAgent => Some(&self.other),
        }
    }

    /// Calls one case endpoint on case `id` as `who` with the case's
    /// current version, then puts the case back in baggage.
    async fn call(&self, endpoint: &str, who: Who, id: u64) -> StatusCode {
        let v = self.version(id).await;
        let token = self.token(who);
        let status = match endpoint {
            "list" => self.t.get("/api/v1/cases", token).await.status,
            "get" => {
                self.t
                    .get(&format!("/api/v1/cases/{id}"), token)
                    .await
                    .status
            }
            "stats" => self.t.get("/api/v1/care/stats", token).await.status,
            "patch status" => {
                let d = self.detail(id).await;
                let to = if d["status"] == "pending" {
                    "open"
                } else {
                    "pending"
                };
                self.send(
                    "PATCH",
                    &format!("/api/v1/cases/{id}"),
                    token,
                    json!({"version": v, "status": to}),
                )
                .await
                .status
            }
            "patch assignee" => {
                self.send(
                    "PATCH",
                    &format!("/api/v1/cases/{id}"),
                    token,
                    json!({"version": v, "assignee": "kim"}),
                )
                .await
                .status
            }
            "patch priority" => {
                self.send(
                    "PATCH",
                    &format!("/api/v1/cases/{id}"),
                    token,
                    json!({"version": v, "priority": "p2"}),
                )
                .await
                .status
            }
            "patch department" => {
                self.send(
                    "PATCH",
                    &format!("/api/v1/cases/{id}"),
                    token,
                    json!({"version": v, "department": "customer_care", "reason": "triage"}),
                )
                .await
                .status
            }
            "respond" => {
                self.send(
                    "POST",
                    &format!("/api/v1/cases/{id}/responses"),
                    token,
                    json!({"version": v, "text": "sorry"}),
                )
                .await
                .status
            }
            "note" => {
                self.send(
                    "POST",
                    &format!("/api/v1/cases/{id}/notes"),
                    token,
                    json!({"version": v, "text": "seen"}),
                )
                .await
                .status
            }
            other => panic!("no endpoint {other}"),
        };
        let d = self.detail(id).await;
        if d["department"] != "baggage" {
            let res = self
                .patch(
                    id,
                    self.admin(),
                    json!({"version": d["version"], "department": "baggage"}),
                )
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        }
        status
    }
}

/// Every case endpoint × every role, on a baggage case: admins do
/// everything; analysts read everything and may only re-route; the
/// baggage agent works the case (and may re-route it away); another
/// department's agent gets 404 — the case does not exist for them.
#[tokio::test]
async fn role_matrix_of_every_case_endpoint() {
    let w = seeded().await;
    let id = w.case_of("@ann1").await["id"].as_u64().unwrap();
    use StatusCode as S;
    let (ok, created, forbidden, missing, unauth) = (
        S::OK,
        S::CREATED,
        S::FORBIDDEN,
        S::NOT_FOUND,
        S::UNAUTHORIZED,
    );
    // Columns: nobody, admin, analyst, own agent, other agent.
    let matrix: [(&str, [StatusCode; 5]); 10] = [
        ("list", [unauth, ok, ok, ok, ok]),
        ("get", [unauth, ok, ok, ok, missing]),
        ("stats", [unauth, ok, ok, ok, ok]),
        ("patch status", [unauth, ok, forbidden, ok, missing]),
        ("patch assignee", [unauth, ok, forbidden, ok, missing]),
        ("patch priority", [unauth, ok, forbidden, ok, missing]),
        ("patch department", [unauth, ok, ok, ok, missing]),
        ("respond", [unauth, created, forbidden, created, missing]),
        ("note", [unauth, created, forbidden, created, missing]),
        ("get", [unauth, ok, ok, ok, missing]),
    ];
    let mut got = Vec::new();
    for (endpoint, want) in &matrix {
        let mut row = [ok; 5];
        for (i, who) in WHO.iter().enumerate() {
            row[i] = w.call(endpoint, *who, id).await;
        }
        got.push((*endpoint, row));
        assert_eq!(&row, want, "{endpoint}: {got:?}");
    }

    // Lists are filtered to the agent's department; asking for another is 403.
    let mine = w.all("limit=1000", &w.t.tokens.agent).await;
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|c| c["department"] == "baggage"));
    let theirs = w.all("limit=1000", &w.other).await;
    assert!(theirs.iter().all(|c| c["department"] == "flight_ops"));
    assert!(!ids(&theirs).contains(&id));
    let res = w.get("/api/v1/cases?department=baggage", &w.other).await;
    assert_eq!(res.status, S::FORBIDDEN);
    assert_eq!(res.error_code(), "forbidden");
    assert_eq!(
        ids(&w.all("department=baggage", &w.t.tokens.agent).await),
        ids(&mine)
    );

    // An agent who re-routes a case away loses it.
    let v = w.version(id).await;
    let res = w
        .patch(
            id,
            &w.t.tokens.agent,
            json!({"version": v, "department": "flight_ops"}),
        )
        .await;
    assert_eq!(res.status, S::OK, "{}", res.text());
    assert_eq!(
        w.get(&format!("/api/v1/cases/{id}"), &w.t.tokens.agent)
            .await
            .status,
        missing
    );
    assert_eq!(
        w.get(&format!("/api/v1/cases/{id}"), &w.other).await.status,
        ok
    );
    let d = w.detail(id).await;
    let routed = d["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(routed["actor"], "test agent");
    assert!(routed["details"]["reason"]
        .as_str()
        .unwrap()
        .contains("re-routed by test agent"));
}

/// The housekeeping `tce serve` runs every minute: a case the brand
/// answered days ago, its customer quiet since, is resolved and (quiet
/// past close_after_days) closed, through the server's writer.
#[tokio::test]
async fn the_sweep_resolves_and_closes_quiet_answered_cases() {
    let t = test_app();
    let day = 24 * 60;
    let body = ndjson(&[
        record(
            "q-1",
            "@quiet",
            12 * day,
            "@SkyWayAir lost my bag at the carousel, furious",
        ),
        reply(
            "q-2",
            "@SkyWaySupport",
            11 * day,
            "q-1",
            "@quiet sorry, we found it, on its way",
        ),
    ]);
    let res = t
        .post(
            "/api/v1/signals",
            Some(&t.tokens.admin),
            "application/x-ndjson",
            body,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let summary = tce_server::cases::sweep_once(&t.state)
        .await
        .expect("sweep");
    assert_eq!((summary.resolved, summary.closed), (1, 1));
    let again = tce_server::cases::sweep_once(&t.state)
        .await
        .expect("sweep");
    assert_eq!((again.resolved, again.closed), (0, 0));
    let page = t
        .store()
        .cases(&tce_store::CaseQuery::default())
        .expect("cases");
    let case = page
        .items
        .iter()
        .find(|c| c.author.as_deref() == Some("@quiet"))
        .expect("case");
    assert_eq!(case.status, tce_care::Status::Closed);
}
