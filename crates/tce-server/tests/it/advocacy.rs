//! Advocacy and ideas on the server: the API (role rules, workflow errors,
//! the OpenAPI document), the Advocates and Ideas pages and an idea's page
//! with its CSRF-protected status form, the Overview's net advocacy, and
//! hostile text escaped everywhere.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tce_store::{IdeaQuery, Store};

const HOSTILE_PRAISE: &str = "<script>alert('pwned')</script> love @SkyWayAir, wonderful crew, highly recommend them! </svg><svg onload=alert(1)>";
const HOSTILE_IDEA: &str = "<script>alert('pwned')</script> @SkyWayAir please add zebra xylophone lounges </svg><svg onload=alert(1)>";

/// Hostile praise by a hostile author (an advocate with reach) and a
/// hostile suggestion, sent through the API (the pipeline derives them).
async fn hostile(t: &TestApp) -> i64 {
    let mut body = String::new();
    for d in 1..=15 {
        let r = serde_json::json!({
            "id": format!("evil-adv-{d}"), "channel": "x", "text": HOSTILE_PRAISE,
            "created_at": format!("2026-08-{:02}T10:00:00Z", d + 4), "author": HOSTILE_AUTHOR,
            "author_followers": 90000,
        });
        body.push_str(&format!("{r}\n"));
    }
    let r = serde_json::json!({
        "id": "evil-idea-1", "channel": "x", "text": HOSTILE_IDEA,
        "created_at": "2026-08-20T10:00:00Z", "author": HOSTILE_AUTHOR, "author_followers": 90000,
    });
    body.push_str(&format!("{r}\n"));
    let res = t
        .post(
            "/api/v1/signals",
            Some(&t.tokens.admin),
            "application/x-ndjson",
            body,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let store = t.store();
    let ideas = store
        .ideas(&IdeaQuery {
            brand: Some("skyway".into()),
            limit: 10_000,
            ..IdeaQuery::default()
        })
        .expect("ideas");
    ideas
        .iter()
        .find(|i| i.representative.1 == "evil-idea-1")
        .map(|i| i.id)
        .expect("the hostile suggestion started an idea")
}

fn assert_author_escaped(html: &str) {
    assert!(!html.contains("<script>alert"), "raw script in the page");
    assert!(!html.contains("<img src=x"), "raw img in the page");
    assert!(!html.contains("<svg onload"), "raw svg in the page");
    assert!(
        html.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "escaped author missing"
    );
}

async fn patch(t: &TestApp, uri: &str, token: &str, body: serde_json::Value) -> Reply {
    t.send(
        Request::patch(uri)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .expect("request"),
    )
    .await
}

#[tokio::test]
async fn advocates_and_ideas_pages_escape_hostile_text_and_forms_follow_the_workflow() {
    let t = demo_app();
    let idea = hostile(&t).await;
    let cookie = t.sign_in(&t.tokens.admin).await;

    let api = t
        .get(
            "/api/v1/advocates?brand=skyway&limit=50",
            Some(&t.tokens.admin),
        )
        .await
        .json();
    let authors: Vec<&str> = api["advocates"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["author"].as_str())
        .collect();
    assert!(
        authors.contains(&HOSTILE_AUTHOR),
        "{authors:?} {:?}",
        t.store().author_standing("skyway", HOSTILE_AUTHOR)
    );
    let adv = t.page("/advocates?brand=skyway", Some(&cookie)).await;
    assert_eq!(adv.status, StatusCode::OK, "{}", adv.text());
    let html = adv.text();
    assert!(html.contains("Net advocacy per brand") && html.contains("Reasons"));
    assert_author_escaped(&html);

    let list = t.page("/ideas", Some(&cookie)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("/ideas/"));
    assert!(!list.text().contains("<script>alert"));

    let page = t.page(&format!("/ideas/{idea}"), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert_author_escaped(&html);
    assert!(
        html.contains("&lt;script&gt;alert("),
        "escaped text missing"
    );
    let csrf = hidden_csrf(&html);
    let version = {
        let key = "name=\"version\" value=\"";
        let at = html.find(key).expect("version field") + key.len();
        html[at..at + html[at..].find('"').expect("end")].to_string()
    };
    let uri = format!("/ideas/{idea}");
    // Without the CSRF token: refused.
    let res = t
        .form(
            &uri,
            Some(&cookie),
            &[
                ("csrf", "nope"),
                ("status", "under_review"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // An invalid transition: 422 with the allowed ones named, page kept.
    let res = t
        .form(
            &uri,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("status", "shipped"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert!(res.text().contains("cannot move idea from new to shipped"));
    // A valid one, with a hostile note (escaped in the history).
    let res = t
        .form(
            &uri,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("status", "under_review"),
                ("version", &version),
                ("note", "<b>look</b>"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(
        res.text().contains("new → under_review") && res.text().contains("&lt;b&gt;look&lt;/b&gt;")
    );
    // The same version again is stale.
    let res = t
        .form(
            &uri,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("status", "planned"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());

    let overview = t.page("/", Some(&cookie)).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.text().contains("Net advocacy"));
}

#[tokio::test]
async fn the_api_lists_changes_and_refuses_what_the_role_or_workflow_does_not_allow() {
    let t = demo_app();
    let idea = hostile(&t).await;
    let res = t
        .get(
            "/api/v1/advocates?brand=skyway&limit=5",
            Some(&t.tokens.analyst),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let v = res.json();
    assert_eq!(v["advocates"].as_array().map(Vec::len), Some(5));
    assert!(v["advocates"][0]["reasons"].is_array() && v["net_advocacy"].is_array());
    assert_eq!(
        t.get("/api/v1/advocates", Some(&t.tokens.agent))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let res = t
        .get("/api/v1/net-advocacy?brand=skyway", Some(&t.tokens.analyst))
        .await;
    assert!(res.json().as_array().is_some_and(|a| !a.is_empty()));

    let res = t
        .get("/api/v1/ideas?limit=3", Some(&t.tokens.analyst))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res
        .json()
        .as_array()
        .is_some_and(|a| !a.is_empty() && a[0]["label"].is_string()));
    // An agent of another department: ideas are not theirs.
    assert_eq!(
        t.get("/api/v1/ideas", Some(&t.tokens.agent)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.get(&format!("/api/v1/ideas/{idea}"), Some(&t.tokens.agent))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let one = t
        .get(&format!("/api/v1/ideas/{idea}"), Some(&t.tokens.analyst))
        .await
        .json();
    let version = one["version"].as_u64().expect("version");
    let res = patch(
        &t,
        &format!("/api/v1/ideas/{idea}"),
        &t.tokens.analyst,
        serde_json::json!({"status": "planned", "version": version}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_code(), "invalid_transition");
    let res = patch(
        &t,
        &format!("/api/v1/ideas/{idea}"),
        &t.tokens.analyst,
        serde_json::json!({"status": "under_review", "version": version, "note": "seen"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["status"], "under_review");
    let res = patch(
        &t,
        &format!("/api/v1/ideas/{idea}"),
        &t.tokens.analyst,
        serde_json::json!({"status": "planned", "version": version}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    let moments = t
        .get(
            "/api/v1/moments?status=new&limit=1",
            Some(&t.tokens.analyst),
        )
        .await
        .json();
    let m = moments["moments"][0]["id"].as_i64().expect("a moment");
    let res = patch(
        &t,
        &format!("/api/v1/moments/{m}"),
        &t.tokens.analyst,
        serde_json::json!({"status": "shared"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = patch(
        &t,
        &format!("/api/v1/moments/{m}"),
        &t.tokens.analyst,
        serde_json::json!({"status": "sent"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["status"], "sent");

    let doc = t.get("/api/v1/openapi.json", None).await.text();
    for p in [
        "/api/v1/advocates",
        "/api/v1/net-advocacy",
        "/api/v1/moments/{id}",
        "/api/v1/ideas/{id}/merge",
    ] {
        assert!(doc.contains(p), "{p} missing from the OpenAPI document");
    }
}
