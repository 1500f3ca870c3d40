//! The JSON API: roles × endpoint groups, ingest, errors, OpenAPI, agreement
//! with the CLI's computations.

use crate::common::*;
use axum::http::StatusCode;
use std::collections::HashSet;
use tce_server::ServerOptions;
use tce_store::Store;

const SMALL_BATCH: &str = r#"{"id":"m-1","channel":"x","text":"Great crew, smooth boarding @SkyWayAir","created_at":"2026-05-01T10:00:00Z"}
{"id":"m-2","channel":"facebook","text":"My bag is still missing","created_at":"2026-05-01T11:00:00Z","brand":"skyway"}"#;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    Analyst,
    Agent,
    Nobody,
    Revoked,
    Garbage,
}

fn token(t: &TestApp, who: Who) -> Option<&str> {
    match who {
        Who::Admin => Some(&t.tokens.admin),
        Who::Analyst => Some(&t.tokens.analyst),
        Who::Agent => Some(&t.tokens.agent),
        Who::Revoked => Some(&t.tokens.revoked),
        Who::Garbage => Some("tce_not-a-real-token"),
        Who::Nobody => None,
    }
}

async fn call(t: &TestApp, group: &str, who: Who) -> StatusCode {
    let tok = token(t, who);
    let r = match group {
        "ingest" => {
            t.post("/api/v1/signals", tok, "application/x-ndjson", SMALL_BATCH)
                .await
        }
        "signals" => t.get("/api/v1/signals?limit=5", tok).await,
        "scores" => t.get("/api/v1/scores?by=touchpoint", tok).await,
        "journey" => t.get("/api/v1/journey", tok).await,
        "weights" => t.get("/api/v1/weights", tok).await,
        "benchmark" => t.get("/api/v1/benchmark", tok).await,
        "allocate" => {
            t.post(
                "/api/v1/allocate",
                tok,
                "application/json",
                r#"{"budget":50000,"objective":"retain"}"#,
            )
            .await
        }
        "finance" => t.get("/api/v1/finance", tok).await,
        "model" => t.get("/api/v1/model", tok).await,
        "tokens" => t.get("/api/v1/tokens", tok).await,
        other => panic!("unknown group {other}"),
    };
    if r.status != StatusCode::OK {
        let code = r.error_code();
        let expected = match r.status {
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::FORBIDDEN => "forbidden",
            s => panic!("{group} as {who:?}: unexpected {s}: {}", r.text()),
        };
        assert_eq!(code, expected);
        if r.status == StatusCode::UNAUTHORIZED {
            assert!(r.headers.contains_key("www-authenticate"));
        }
    }
    r.status
}

#[tokio::test]
async fn every_role_against_every_endpoint_group() {
    let t = test_app();
    let ok = StatusCode::OK;
    let no = StatusCode::FORBIDDEN;
    // group: admin, analyst, agent
    let table = [
        ("ingest", [ok, ok, no]),
        ("signals", [ok, ok, ok]),
        ("scores", [ok, ok, ok]),
        ("journey", [ok, ok, ok]),
        ("weights", [ok, ok, no]),
        ("benchmark", [ok, ok, no]),
        ("allocate", [ok, ok, no]),
        ("finance", [ok, ok, no]),
        ("model", [ok, ok, ok]),
        ("tokens", [ok, no, no]),
    ];
    let mut seen = Vec::new();
    for (group, expect) in table {
        let got = [
            call(&t, group, Who::Admin).await,
            call(&t, group, Who::Analyst).await,
            call(&t, group, Who::Agent).await,
        ];
        seen.push(format!("{group:<10} {got:?}"));
        assert_eq!(got, expect, "{group}: admin, analyst, agent");
        for who in [Who::Nobody, Who::Revoked, Who::Garbage] {
            assert_eq!(
                call(&t, group, who).await,
                StatusCode::UNAUTHORIZED,
                "{group} as {who:?}"
            );
        }
    }
    // Health and the OpenAPI document need no token.
    assert_eq!(t.get("/api/v1/health", None).await.status, ok);
    assert_eq!(t.get("/api/v1/openapi.json", None).await.status, ok);
}

#[tokio::test]
async fn agents_see_only_their_departments_touchpoints() {
    let t = test_app();
    let agent = Some(t.tokens.agent.as_str());
    // Signals: every item touches baggage; pages continue without repeats.
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let uri = match &cursor {
            Some(c) => format!("/api/v1/signals?limit=40&cursor={}", urlencode(c)),
            None => "/api/v1/signals?limit=40".to_string(),
        };
        let r = t.get(&uri, agent).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = r.json();
        for item in v["items"].as_array().unwrap() {
            let tps: Vec<&str> = item["touchpoints"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["touchpoint"].as_str().unwrap())
                .collect();
            assert!(tps.contains(&"baggage"), "{item}");
            assert!(seen.insert(item["id"].as_i64().unwrap()), "repeated {item}");
        }
        pages += 1;
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(pages < 200, "runaway paging");
    }
    // Exactly the baggage signals of the store.
    let store = t.store();
    let all = store
        .signals(&tce_store::SignalQuery {
            touchpoint: Some("baggage".into()),
            limit: 10_000,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(seen.len(), all.items.len());
    assert!(seen.len() > 20, "the fixture has baggage signals");
    assert!(pages > 1);

    // Another department's touchpoint is refused.
    let r = t
        .get("/api/v1/signals?touchpoint=airport_checkin", agent)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.error_code(), "forbidden");

    // Scores: touchpoint rows of baggage only; other breakdowns refused.
    let r = t.get("/api/v1/scores?by=touchpoint", agent).await;
    let rows = r.json()["rows"].as_array().unwrap().clone();
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r["touchpoint"] == "baggage"),
        "{rows:?}"
    );
    assert_eq!(
        t.get("/api/v1/scores?by=brand", agent).await.status,
        StatusCode::FORBIDDEN
    );

    // Journey: the baggage cell only, without whole-stage scores.
    let j = t.get("/api/v1/journey", agent).await.json();
    let stages = j["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 1, "{j}");
    assert_eq!(stages[0]["touchpoints"].as_array().unwrap().len(), 1);
    assert_eq!(stages[0]["touchpoints"][0]["touchpoint"], "baggage");
    assert!(stages[0]["score"].is_null() && j["tce_index"].is_null());
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("c", s)]).unwrap()[2..].to_string()
}

#[tokio::test]
async fn ingest_counts_accepted_duplicates_and_rejects() {
    let t = test_app();
    let admin = Some(t.tokens.admin.as_str());
    let before = t.store().signal_count().unwrap();
    let body = serde_json::json!([
        {"id": "b-1", "channel": "x", "text": "Lovely lounge", "created_at": "2026-05-02T09:00:00Z", "brand": "skyway"},
        {"id": "b-2", "channel": "x", "text": "Seat was broken", "created_at": "2026-05-02T09:05:00Z", "brand": "skyway"},
        {"id": "b-1", "channel": "x", "text": "Lovely lounge again", "created_at": "2026-05-02T09:06:00Z"},
        {"id": "b-3", "channel": "pigeon", "text": "coo", "created_at": "2026-05-02T09:00:00Z"},
        {"id": "b-4", "channel": "x", "created_at": "2026-05-02T09:00:00Z"}
    ]);
    let r = t
        .post(
            "/api/v1/signals",
            admin,
            "application/json",
            body.to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(
        (
            v["accepted"].as_u64(),
            v["duplicate"].as_u64(),
            v["rejected"].as_u64()
        ),
        (Some(2), Some(1), Some(2)),
        "{v}"
    );
    let rejects = v["rejects"].as_array().unwrap();
    assert_eq!(rejects[0]["line"], 4);
    assert!(
        rejects[0]["reason"]
            .as_str()
            .unwrap()
            .contains("unknown channel"),
        "{v}"
    );
    assert_eq!(rejects[1]["line"], 5);
    assert!(
        rejects[1]["reason"]
            .as_str()
            .unwrap()
            .contains("missing text"),
        "{v}"
    );
    assert_eq!(t.store().signal_count().unwrap(), before + 2);

    // NDJSON; resending is all duplicates (the CLI's dedupe key).
    let r = t
        .post(
            "/api/v1/signals",
            admin,
            "application/x-ndjson",
            SMALL_BATCH,
        )
        .await
        .json();
    assert_eq!(
        (r["accepted"].as_u64(), r["duplicate"].as_u64()),
        (Some(2), Some(0)),
        "{r}"
    );
    let r = t
        .post(
            "/api/v1/signals",
            admin,
            "application/x-ndjson",
            SMALL_BATCH,
        )
        .await
        .json();
    assert_eq!(
        (r["accepted"].as_u64(), r["duplicate"].as_u64()),
        (Some(0), Some(2)),
        "{r}"
    );

    // The new signals are enriched and readable.
    let page = t
        .get("/api/v1/signals?q=still%20missing", admin)
        .await
        .json();
    let item = &page["items"][0];
    assert_eq!(item["external_id"], "m-2");
    assert!(item["sentiment"].as_f64().is_some());
    assert!(
        item["touchpoints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["touchpoint"] == "baggage"),
        "{item}"
    );
}

/// Concurrent batches are group-committed: each request still gets its own
/// counts, a signal sent by two requests is stored once (accepted by one,
/// a duplicate for the other), and everything acknowledged is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_batches_each_get_their_own_counts() {
    let t = std::sync::Arc::new(test_app());
    let before = t.store().signal_count().unwrap();
    // 16 requests of different sizes (so counts handed to the wrong request
    // show); the later ones overlap their predecessor.
    let ranges: Vec<std::ops::Range<usize>> =
        (0..16).map(|i| i * 150..i * 150 + 100 + 10 * i).collect();
    let record = |n: usize| {
        serde_json::json!({"id": format!("c-{n}"), "channel": "x",
            "text": format!("bag {n} was lost again"), "created_at": "2026-05-03T10:00:00Z",
            "brand": "skyway"})
        .to_string()
    };
    let mut tasks = tokio::task::JoinSet::new();
    for range in ranges.clone() {
        let size = range.len() as u64;
        let body: String = range.map(|n| record(n) + "\n").collect();
        let t = t.clone();
        tasks.spawn(async move {
            let admin = Some(t.tokens.admin.as_str());
            let r = t
                .post("/api/v1/signals", admin, "application/x-ndjson", body)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            let v = r.json();
            (
                size,
                v["accepted"].as_u64().unwrap(),
                v["duplicate"].as_u64().unwrap(),
            )
        });
    }
    let (mut accepted, mut duplicates) = (0, 0);
    while let Some(done) = tasks.join_next().await {
        let (size, a, d) = done.unwrap();
        assert_eq!(a + d, size, "each request's counts cover its own batch");
        accepted += a;
        duplicates += d;
    }
    let sent: u64 = ranges.iter().map(|r| r.len() as u64).sum();
    let distinct = ranges
        .iter()
        .flat_map(|r| r.clone())
        .collect::<HashSet<_>>()
        .len() as u64;
    assert!(distinct < sent, "the batches overlap");
    assert_eq!((accepted, duplicates), (distinct, sent - distinct));
    assert_eq!(t.store().signal_count().unwrap(), before + distinct);
}

/// A client that stops sending its body gets a 408 instead of holding the
/// connection and its buffer forever.
#[tokio::test]
async fn a_stalled_body_times_out() {
    struct Stalled;
    impl axum::body::HttpBody for Stalled {
        type Data = axum::body::Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
            std::task::Poll::Pending
        }
    }
    let t = test_app_with(ServerOptions {
        body_timeout: std::time::Duration::from_millis(200),
        ..ServerOptions::default()
    });
    let r = t
        .post(
            "/api/v1/signals",
            Some(t.tokens.admin.as_str()),
            "application/x-ndjson",
            axum::body::Body::new(Stalled),
        )
        .await;
    assert_eq!(r.status, StatusCode::REQUEST_TIMEOUT, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "request_timeout");
}

/// A token over its request rate gets 429 with Retry-After; other tokens
/// are not affected.
#[tokio::test]
async fn a_token_over_its_rate_gets_429_and_others_do_not() {
    let t = test_app_with(ServerOptions {
        rate_limit: Some(tce_server::RateLimit {
            per_second: 1,
            burst: 3,
        }),
        ..ServerOptions::default()
    });
    let analyst = Some(t.tokens.analyst.as_str());
    for _ in 0..3 {
        assert_eq!(t.get("/api/v1/model", analyst).await.status, StatusCode::OK);
    }
    let r = t.get("/api/v1/model", analyst).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    assert_eq!(
        r.headers.get("retry-after").map(|v| v.to_str().unwrap()),
        Some("1")
    );
    assert_eq!(r.json()["error"]["code"], "rate_limited");
    let admin = Some(t.tokens.admin.as_str());
    assert_eq!(t.get("/api/v1/model", admin).await.status, StatusCode::OK);
    // Dashboard pages count against the signed-in token too: within a
    // burst's worth of page loads one is refused, with Retry-After.
    let cookie = t.sign_in(&t.tokens.admin).await;
    let mut refused = None;
    for _ in 0..4 {
        let r = t.page("/benchmark", Some(&cookie)).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(r);
            break;
        }
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = refused.expect("a page over the rate is refused");
    assert!(r.headers.contains_key("retry-after"));
    assert!(r.text().contains("rate_limited"), "{}", r.text());
}

#[tokio::test]
async fn errors_have_one_shape_and_stable_codes() {
    let t = test_app_with(ServerOptions {
        max_body_bytes: 4096,
        ..ServerOptions::default()
    });
    let admin = Some(t.tokens.admin.as_str());
    let cases: Vec<(Reply, StatusCode, &str)> = vec![
        (
            t.post(
                "/api/v1/signals",
                admin,
                "text/plain",
                "hello, this is not JSON",
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            t.post("/api/v1/signals", admin, "application/json", "")
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            t.post("/api/v1/signals", admin, "application/json", "[{\"id\": 1,")
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            t.post(
                "/api/v1/signals",
                admin,
                "application/json",
                format!("[{}]", "1,".repeat(4000) + "1"),
            )
            .await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            t.post(
                "/api/v1/signals?format=csv",
                admin,
                "application/json",
                "[]",
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            t.get("/api/v1/signals?brand=acme", admin).await,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            t.get("/api/v1/signals?limit=0", admin).await,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            t.get("/api/v1/signals?from=yesterday", admin).await,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            t.get("/api/v1/signals?cursor=garbage", admin).await,
            StatusCode::BAD_REQUEST,
            "invalid_cursor",
        ),
        (
            t.get("/api/v1/scores?by=planet", admin).await,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            t.get("/api/v1/scores?from=2026-05-01&to=2026-04-01", admin)
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            t.get("/api/v1/weights?bootstrap=lots", admin).await,
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            t.get("/api/v1/nothing-here", admin).await,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            t.delete("/api/v1/signals", admin).await,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            t.post("/api/v1/allocate", admin, "application/json", "{budget: 1}")
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            t.post(
                "/api/v1/allocate",
                admin,
                "application/json",
                r#"{"budget":"many"}"#,
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            t.post(
                "/api/v1/allocate",
                admin,
                "application/json",
                r#"{"budget":1000,"min":{"x":5000}}"#,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unprocessable",
        ),
        (
            t.post(
                "/api/v1/allocate",
                admin,
                "application/json",
                r#"{"budget":1000,"objective":"world_peace"}"#,
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unprocessable",
        ),
        (
            t.post(
                "/api/v1/tokens",
                admin,
                "application/json",
                r#"{"role":"agent"}"#,
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            t.delete("/api/v1/tokens/999999", admin).await,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            t.get("/api/v1/signals", Some("Bearer")).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
    ];
    for (i, (reply, status, code)) in cases.iter().enumerate() {
        assert_eq!(reply.status, *status, "case {i}: {}", reply.text());
        assert_eq!(reply.error_code(), *code, "case {i}");
        assert!(reply.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
    }
}

#[tokio::test]
async fn tokens_can_be_created_listed_and_revoked_over_the_api() {
    let t = test_app();
    let admin = Some(t.tokens.admin.as_str());
    let r = t
        .post(
            "/api/v1/tokens",
            admin,
            "application/json",
            r#"{"role":"agent","department":"baggage","name":"bags desk"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let created = r.json();
    let secret = created["token"].as_str().unwrap().to_string();
    assert!(
        secret.starts_with("tce_") && secret.len() >= 4 + 22,
        "{secret}"
    );
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        t.get("/api/v1/signals?limit=1", Some(&secret)).await.status,
        StatusCode::OK
    );

    let list = t.get("/api/v1/tokens", admin).await.json();
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(listed["name"], "bags desk");
    assert!(
        !list.to_string().contains(&secret),
        "secrets are never listed"
    );

    let r = t.delete(&format!("/api/v1/tokens/{id}"), admin).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["revoked_at"].is_string());
    let r = t.get("/api/v1/signals?limit=1", Some(&secret)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Only the hash is stored.
    let store = t.store();
    let rows = store.list_tokens().unwrap();
    assert!(rows.iter().any(|r| r.id == id));
}

#[tokio::test]
async fn openapi_document_is_generated_and_complete() {
    let t = test_app();
    let doc = t.get("/api/v1/openapi.json", None).await.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/signals",
        "/api/v1/scores",
        "/api/v1/weights",
        "/api/v1/benchmark",
        "/api/v1/journey",
        "/api/v1/allocate",
        "/api/v1/finance",
        "/api/v1/model",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/responses",
        "/api/v1/cases/{id}/notes",
        "/api/v1/care/stats",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
    // The care endpoints: every method, its statuses, the queue's filters.
    let case = &paths["/api/v1/cases/{id}"];
    assert!(case["get"].is_object() && case["patch"].is_object());
    for status in ["200", "400", "401", "403", "404", "409", "422", "429"] {
        assert!(
            case["patch"]["responses"][status].is_object(),
            "PATCH /cases/{{id}} lacks {status}"
        );
    }
    for p in ["/api/v1/cases/{id}/responses", "/api/v1/cases/{id}/notes"] {
        assert!(paths[p]["post"]["responses"]["201"].is_object(), "{p}");
        assert!(paths[p]["post"]["responses"]["409"].is_object(), "{p}");
    }
    let case_params: Vec<&str> = paths["/api/v1/cases"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in [
        "department",
        "status",
        "priority",
        "brand",
        "kind",
        "breached",
        "cursor",
        "limit",
    ] {
        assert!(case_params.contains(&p), "GET /cases lacks {p}");
    }
    let stats_params: Vec<&str> = paths["/api/v1/care/stats"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(stats_params, ["by", "period", "from", "to"]);
    assert!(
        paths["/api/v1/signals"]["post"]["requestBody"]["content"]["application/x-ndjson"]
            .is_object()
    );
    let params: Vec<&str> = paths["/api/v1/signals"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in [
        "brand",
        "channel",
        "stage",
        "touchpoint",
        "min_sentiment",
        "max_sentiment",
        "intent",
        "from",
        "to",
        "q",
        "cursor",
        "limit",
    ] {
        assert!(params.contains(&p), "GET /signals lacks {p}: {params:?}");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // Every operation that takes a token documents the rate limit.
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if op["responses"]["401"].is_object() {
                assert!(
                    op["responses"]["429"].is_object(),
                    "{method} {path} lacks 429"
                );
            }
        }
    }
    for s in [
        "ErrorBody",
        "IngestResult",
        "SignalPageDto",
        "ScoreReportDto",
        "JourneyDto",
        "AllocReportDto",
        "FinanceDto",
        "WeightsDto",
        "ModelDto",
        "CasePageDto",
        "CaseView",
        "CaseDetailDto",
        "CasePatchDto",
        "CaseResponseDto",
        "CaseNoteDto",
        "CareStatsDto",
    ] {
        assert!(doc["components"]["schemas"][s].is_object(), "schema {s}");
    }
}

#[tokio::test]
async fn api_agrees_with_the_cli_computation() {
    let t = test_app();
    let admin = Some(t.tokens.admin.as_str());
    let model = model();
    let store = t.store();
    // What `tce score --by brand --json` computes.
    let filter = tce_insight::scores::Filter::default();
    let w = tce_insight::weights::weights(
        &model,
        &store,
        tce_insight::weights::WeightOptions {
            bootstrap: 0,
            from: None,
            to: None,
        },
    )
    .unwrap();
    let cli = tce_insight::scores::score(
        &model,
        &store,
        &tce_insight::scores::ScoreQuery {
            by: tce_insight::scores::By::Brand,
            period: None,
            filter,
        },
        &w,
    )
    .unwrap();
    let api = t.get("/api/v1/scores?by=brand", admin).await.json();
    let rows = api["rows"].as_array().unwrap();
    assert_eq!(rows.len(), cli.rows.len());
    for (a, c) in rows.iter().zip(&cli.rows) {
        assert_eq!(a["brand"], c.brand.as_str());
        assert_eq!(a["n"].as_u64(), Some(c.n));
        assert_eq!(a["score"].as_f64(), c.score);
    }
    // Benchmark and journey use the same cards.
    let bench = t.get("/api/v1/benchmark", admin).await.json();
    let own = bench["brands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["own"] == true)
        .unwrap();
    let own_cli = cli.rows.iter().find(|r| r.brand == "skyway").unwrap();
    assert_eq!(own["tce_index"].as_f64(), own_cli.score);
    let journey = t.get("/api/v1/journey?brand=skyway", admin).await.json();
    assert_eq!(
        journey["tce_index"]
            .as_f64()
            .map(|x| (x * 100.0).round() / 100.0),
        own_cli.score
    );
}

#[tokio::test]
async fn cursor_pagination_visits_every_signal_once() {
    let t = test_app();
    let admin = Some(t.tokens.admin.as_str());
    let total = t.store().signal_count().unwrap();
    let mut ids = HashSet::new();
    let mut uri = "/api/v1/signals?limit=1000".to_string();
    loop {
        let v = t.get(&uri, admin).await.json();
        for item in v["items"].as_array().unwrap() {
            assert!(ids.insert(item["id"].as_i64().unwrap()));
        }
        match v["next_cursor"].as_str() {
            Some(c) => uri = format!("/api/v1/signals?limit=1000&cursor={}", urlencode(c)),
            None => break,
        }
    }
    assert_eq!(ids.len() as u64, total);
    assert!(total >= GENERATED);
}

#[test]
fn no_auth_is_refused_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let config = |addr: &str, no_auth| tce_server::ServeConfig {
        addr: addr.parse().unwrap(),
        model: model(),
        db_path: dir.path().join("tce.db"),
        no_auth,
        max_body_bytes: 1024,
        read_connections: 1,
        rate_limit: None,
    };
    let err = tce_server::state_for(&config("0.0.0.0:8080", true)).unwrap_err();
    assert!(matches!(err, tce_server::ServeError::NoAuthNotLoopback(_)));
    assert!(err.to_string().contains("loopback"), "{err}");
    assert!(tce_server::state_for(&config("127.0.0.1:8080", true)).is_ok());
    assert!(tce_server::state_for(&config("[::1]:8080", true)).is_ok());
    let s = tce_server::state_for(&config("0.0.0.0:8080", false)).unwrap();
    assert!(
        s.options().secure_cookies,
        "cookies are Secure off loopback"
    );
}

/// With `[privacy] pseudonymize_authors`, the API stores and shows keyed
/// pseudonyms, never the handles.
#[tokio::test]
async fn the_api_pseudonymizes_authors_when_the_model_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("tce.db");
    let mut m = model();
    m.privacy.pseudonymize_authors = true;
    let db = tce_server::Db::open(&db_path, 1).unwrap();
    let state = tce_server::AppState::new(
        m,
        db,
        ServerOptions {
            no_auth: true,
            ..ServerOptions::default()
        },
    )
    .unwrap();
    let app = tce_server::app(state);
    let body = [("p-1", "@JaneDoe"), ("p-2", "janedoe"), ("p-3", "bob")]
        .iter()
        .map(|(id, a)| {
            serde_json::json!({"id": id, "channel": "x", "text": "my bag is lost",
                "created_at": "2026-05-01T10:00:00Z", "author": a})
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    use tower::ServiceExt;
    let req = axum::http::Request::post("/api/v1/signals")
        .header("content-type", "application/x-ndjson")
        .body(axum::body::Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let store = tce_store::SqliteStore::open(&db_path).unwrap();
    let authors: Vec<String> = store
        .connection()
        .prepare("SELECT author FROM signals ORDER BY external_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        authors.iter().all(|a| a.starts_with("anon-")),
        "{authors:?}"
    );
    assert_eq!(authors[0], authors[1]);
    assert_ne!(authors[0], authors[2]);
}

// ---- Figures that hold up (issue 10 §3) ----

/// Text of an HTML fragment without tags.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn quadrant_order_agrees_with_the_overviews_fix_first() {
    let t = test_app();
    let model = model();
    let store = t.store();
    let ins = tce_server::insights::Insights::new(&model, &store);
    let filter = tce_insight::scores::Filter::default();
    let overview = tce_server::views::overview(&ins, &filter).unwrap();
    let quadrant = tce_server::views::quadrant(&ins, &filter).unwrap();
    let card = quadrant.card.as_ref().unwrap();
    let name = |id: &str| model.touchpoint(id).unwrap().name.clone();
    // The Overview's list is the head of the quadrant's ranking.
    let head: Vec<String> = card
        .ipa
        .iter()
        .take(overview.fix_first.len())
        .map(|p| name(&p.touchpoint))
        .collect();
    let listed: Vec<String> = overview
        .fix_first
        .iter()
        .map(|f| f.touchpoint.clone())
        .collect();
    assert!(!listed.is_empty());
    assert_eq!(listed, head);
    // Nothing that needs action is ranked below something that does not.
    let acting = card.ipa.iter().filter(|p| p.needs_action()).count();
    assert!(card.ipa.iter().take(acting).all(|p| p.needs_action()));
    // Ranks follow the table's order; too little evidence is unranked, last.
    let ranks: Vec<Option<usize>> = card.ipa.iter().map(|p| p.rank).collect();
    let ranked = ranks.iter().take_while(|r| r.is_some()).count();
    assert!(ranks[ranked..].iter().all(Option::is_none));
    assert_eq!(
        ranks[..ranked].to_vec(),
        (1..=ranked).map(Some).collect::<Vec<_>>()
    );
    // The rendered pages list them in that order too.
    let range = tce_server::pages::Range::default();
    let q_html = tce_server::pages::quadrant(&model, &quadrant, &range, false).into_string();
    let o_html = tce_server::pages::overview(&model, &overview, &range, false).into_string();
    let pos = |html: &str, s: &str| {
        let escaped = s.replace('&', "&amp;").replace('<', "&lt;");
        html.find(&format!("<td>{escaped}</td>"))
            .unwrap_or_else(|| panic!("{s} not in the page"))
    };
    for pair in listed.windows(2) {
        assert!(pos(&q_html, &pair[0]) < pos(&q_html, &pair[1]), "{pair:?}");
        assert!(pos(&o_html, &pair[0]) < pos(&o_html, &pair[1]), "{pair:?}");
    }
    assert!(!q_html.contains("maintain"));
    for html in [&q_html, &o_html] {
        assert!(text_of(html).contains("Figures cover"), "no date range");
    }
}

#[test]
fn overview_and_benchmark_show_the_same_score_string() {
    let t = test_app();
    let model = model();
    let store = t.store();
    let ins = tce_server::insights::Insights::new(&model, &store);
    let filter = tce_insight::scores::Filter::default();
    let range = tce_server::pages::Range::default();
    let overview = tce_server::views::overview(&ins, &filter).unwrap();
    let bench = tce_server::views::benchmark_view(&ins, &filter).unwrap();
    let o_html = tce_server::pages::overview(&model, &overview, &range, false).into_string();
    let b_html = tce_server::pages::benchmark(&model, &bench, &range, false).into_string();
    for c in overview.cards.iter().filter(|c| c.tce_index.is_some()) {
        let shown = tce_insight::display::score_opt(c.tce_index);
        let cell = format!("<strong>{shown}</strong>");
        assert!(
            o_html.contains(&cell),
            "{}: {shown} not on Overview",
            c.brand
        );
        assert!(
            b_html.contains(&cell),
            "{}: {shown} not on Benchmark",
            c.brand
        );
    }
    // The same holds for values on the rounding edge.
    for v in [53.75, 53.749_999, 12.25, 99.95] {
        assert_eq!(
            tce_insight::display::score(v),
            tce_insight::display::score((v * 100.0_f64).round() / 100.0)
        );
    }
    assert!(text_of(&b_html).contains("Figures cover"));
}

#[tokio::test]
async fn revenue_at_risk_is_capped_and_says_its_period_and_assumptions() {
    let t = test_app();
    let admin = Some(t.tokens.admin.as_str());
    let f = t.get("/api/v1/finance", admin).await.json();
    let risk = &f["at_risk"];
    let base = risk["customer_base"].as_f64().unwrap();
    let value = risk["customer_value"].as_f64().unwrap();
    assert!(
        risk["amount"].as_f64().unwrap() <= base * value + 0.5,
        "{risk:#}"
    );
    assert!(risk["customers_lost"].as_f64().unwrap() <= base);
    assert!(risk["covers"]["from"].is_string());
    assert!(!risk["assumptions"].as_array().unwrap().is_empty());
    for w in risk["weeks"].as_array().unwrap() {
        if let Some(c) = w["customers"].as_f64() {
            assert!(w["customers_lost"].as_f64().unwrap() <= c + 1e-6);
        }
    }
    // The page shows the amount with separators, the period and the assumptions.
    let model = model();
    let store = t.store();
    let ins = tce_server::insights::Insights::new(&model, &store);
    let report =
        tce_server::views::finance(&ins, &tce_insight::scores::Filter::default(), 5.0).unwrap();
    let html = tce_server::pages::finance(
        &model,
        &report,
        5.0,
        &tce_server::pages::Range::default(),
        false,
    )
    .into_string();
    let text = text_of(&html);
    let amount = tce_insight::display::money(report.at_risk.amount, "USD");
    assert!(text.contains(&amount), "{amount} not in the page");
    assert!(report.at_risk.amount < 1000.0 || amount.contains(','));
    assert!(text.contains("Figures cover") && text.contains("public"));
}

#[tokio::test]
async fn score_tables_carry_significance_partial_periods_and_coverage() {
    let t = test_app();
    let admin = Some(t.tokens.admin.as_str());
    let r = t
        .get("/api/v1/scores?by=brand&period=week", admin)
        .await
        .json();
    assert!(r["covers"]["days"].as_i64().unwrap() > 0);
    let rows = r["rows"].as_array().unwrap();
    assert!(rows.iter().any(|x| x["partial"] == true), "no partial week");
    for x in rows {
        if x["partial"] == true {
            assert!(x["change"].is_null());
        }
        if x["change"].is_number() {
            assert!(x["change_significant"].is_boolean() || x["change_significant"].is_null());
        }
    }
    assert!(rows.iter().any(|x| x["change_significant"].is_boolean()));
}
