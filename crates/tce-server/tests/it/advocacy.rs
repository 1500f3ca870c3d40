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

/// The largest idea of the demo world and its suggestions (channel, id).
fn big_idea(t: &TestApp) -> (tce_store::Idea, Vec<(String, String)>) {
    let store = t.store();
    let idea = store
        .ideas(&IdeaQuery {
            brand: Some("skyway".into()),
            limit: 1,
            ..IdeaQuery::default()
        })
        .expect("ideas")
        .remove(0);
    assert!(idea.volume >= 4, "{idea:?}");
    let refs = store
        .idea_signals(idea.id, 100_000)
        .expect("suggestions")
        .into_iter()
        .map(|s| (s.channel, s.external_id))
        .collect();
    (idea, refs)
}

async fn post_json(t: &TestApp, uri: &str, token: &str, body: serde_json::Value) -> Reply {
    t.post(uri, Some(token), "application/json", body.to_string())
        .await
}

#[tokio::test]
async fn splitting_an_idea_through_the_api_moves_the_chosen_suggestions_and_is_recorded() {
    let t = demo_app();
    let (idea, refs) = big_idea(&t);
    let uri = format!("/api/v1/ideas/{}/split", idea.id);
    let pick = |r: &[(String, String)]| -> serde_json::Value {
        r.iter()
            .map(|(c, e)| serde_json::json!({"channel": c, "external_id": e}))
            .collect()
    };
    // Not the ideas department's agent: as if the idea did not exist.
    let res = post_json(
        &t,
        &uri,
        &t.tokens.agent,
        serde_json::json!({"signals": pick(&refs[..1]), "version": idea.version}),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.text());
    // None, or all: refused with the reason.
    for chosen in [&refs[..0], &refs[..]] {
        let res = post_json(
            &t,
            &uri,
            &t.tokens.analyst,
            serde_json::json!({"signals": pick(chosen), "version": idea.version}),
        )
        .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            res.text()
        );
        assert!(res.text().contains("cannot split"), "{}", res.text());
    }
    // A suggestion the idea does not hold.
    let res = post_json(
        &t,
        &uri,
        &t.tokens.analyst,
        serde_json::json!({"signals": [{"channel": "x", "external_id": "no-such"}], "version": idea.version}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("holds no suggestion x:no-such"));

    let moved = &refs[..2];
    let res = post_json(
        &t,
        &uri,
        &t.tokens.analyst,
        serde_json::json!({"signals": pick(moved), "version": idea.version}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let new = res.json();
    let new_id = new["id"].as_i64().expect("new idea id");
    assert_eq!(new["volume"], 2);
    assert_eq!(new["brand"], "skyway");
    assert_eq!(new["status"], "new");

    let store = t.store();
    let after = store.idea(idea.id).expect("read").expect("idea");
    let part = store.idea(new_id).expect("read").expect("new idea");
    // The counts add up, and each idea holds exactly its suggestions.
    assert_eq!(after.volume + part.volume, idea.volume);
    assert_eq!(after.reach + part.reach, idea.reach);
    assert_eq!(after.centroid.docs + part.centroid.docs, idea.volume as u32);
    let mut held: Vec<(String, String)> = store
        .idea_signals(new_id, 100)
        .expect("suggestions")
        .into_iter()
        .map(|s| (s.channel, s.external_id))
        .collect();
    held.sort();
    let mut want = moved.to_vec();
    want.sort();
    assert_eq!(held, want);
    assert_eq!(
        store.idea_signals(idea.id, 100_000).expect("rest").len() as u64,
        after.volume
    );
    // Recorded on both, naming the other.
    let kinds = |id: i64| -> Vec<(String, Option<i64>)> {
        store
            .idea_events(id)
            .expect("events")
            .into_iter()
            .map(|e| (e.kind, e.other))
            .collect()
    };
    assert_eq!(kinds(idea.id), [("split_into".to_string(), Some(new_id))]);
    assert_eq!(kinds(new_id), [("split_from".to_string(), Some(idea.id))]);
    // The version it was made against is now stale.
    let res = post_json(
        &t,
        &uri,
        &t.tokens.analyst,
        serde_json::json!({"signals": pick(&refs[2..3]), "version": idea.version}),
    )
    .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());

    let doc = t.get("/api/v1/openapi.json", None).await.text();
    assert!(doc.contains("/api/v1/ideas/{id}/split"));
}

#[tokio::test]
async fn the_idea_page_splits_ticked_suggestions_into_a_new_idea_with_csrf() {
    let t = demo_app();
    let (idea, refs) = big_idea(&t);
    let cookie = t.sign_in(&t.tokens.admin).await;
    let uri = format!("/ideas/{}", idea.id);
    let page = t.page(&uri, Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Split into a new idea"), "no split form");
    let csrf = hidden_csrf(&html);
    let version = idea.version.to_string();
    let (c, e) = &refs[0];
    let tick = format!("{c}:{e}");
    assert!(html.contains(&format!("value=\"{tick}\"")) || refs.len() > 50);
    let split = format!("/ideas/{}/split", idea.id);
    let res = t
        .form(
            &split,
            Some(&cookie),
            &[("csrf", "nope"), ("version", &version), ("signal", &tick)],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Nothing ticked: the page again, with the reason.
    let res = t
        .form(
            &split,
            Some(&cookie),
            &[("csrf", &csrf), ("version", &version)],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert!(res.text().contains("cannot split"));
    let res = t
        .form(
            &split,
            Some(&cookie),
            &[("csrf", &csrf), ("version", &version), ("signal", &tick)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let to = res
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("redirect")
        .to_string();
    let new = t.page(&to, Some(&cookie)).await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(new.text().contains("split_from"), "{}", new.text());
    let store = t.store();
    assert_eq!(
        store.idea(idea.id).expect("read").expect("idea").volume,
        idea.volume - 1
    );
}

#[tokio::test]
async fn the_benchmark_shows_net_advocacy_beside_the_tce_index_with_n_and_interval() {
    let t = demo_app();
    let cookie = t.sign_in(&t.tokens.analyst).await;
    let (from, to) = ("2026-01-01", "2026-12-31");
    let page = t
        .page(&format!("/benchmark?from={from}&to={to}"), Some(&cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(
        html.contains("<th class=\"num\">Net advocacy</th>"),
        "no column"
    );
    let store = t.store();
    let model = model();
    let net = tce_insight::advocacy::net_by_brand_between(
        &store,
        &model,
        from.parse().ok(),
        to.parse().ok(),
    )
    .expect("net advocacy");
    assert!(!net.is_empty(), "the demo world has eligible authors");
    for n in &net {
        let cell = if n.thin() {
            format!(
                "{:+.1}*<span class=\"muted\"> · n {}</span>",
                n.value, n.eligible
            )
        } else {
            format!(
                "{:+.1}<span class=\"muted\"> [{:+.1}, {:+.1}] · n {}</span>",
                n.value, n.low, n.high, n.eligible
            )
        };
        assert!(html.contains(&cell), "{} missing: {cell}", n.brand);
    }
    // Too few authors: greyed with the reason; none: a dash.
    let mut thin = net[0].clone();
    thin.eligible = tce_insight::advocacy::NET_MIN_ELIGIBLE - 1;
    let grey = tce_server::pages::net_cell(Some(&thin)).into_string();
    assert!(
        grey.contains("class=\"thin\"") && grey.contains("too little evidence"),
        "{grey}"
    );
    assert!(tce_server::pages::net_cell(None)
        .into_string()
        .contains('—'));

    // The API gives the same figures, with n and whether they are too thin.
    let api = t
        .get(
            &format!("/api/v1/benchmark?from={from}&to={to}"),
            Some(&t.tokens.analyst),
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text());
    let body = api.json();
    let rows = body["net_advocacy"].as_array().expect("net_advocacy");
    assert_eq!(rows.len(), net.len());
    for (row, n) in rows.iter().zip(&net) {
        assert_eq!(row["brand"], n.brand.as_str());
        assert_eq!(row["eligible"].as_u64(), Some(n.eligible));
        assert_eq!(row["advocates"].as_u64(), Some(n.advocates));
        assert_eq!(row["detractors"].as_u64(), Some(n.detractors));
        assert_eq!(row["value"].as_f64(), Some(n.value));
        assert_eq!(row["low"].as_f64(), Some(n.low));
        assert_eq!(row["high"].as_f64(), Some(n.high));
        assert_eq!(row["thin"].as_bool(), Some(n.thin()));
    }
}

#[tokio::test]
async fn agents_open_the_ideas_pages_only_when_their_department_owns_ideas() {
    let t = demo_app();
    let (idea, _) = big_idea(&t);
    // The airline model's ideas are run by `product`.
    let token = tce_server::generate_token();
    t.store()
        .create_token(&tce_store::NewToken {
            name: "product agent".into(),
            role: "agent".into(),
            department: Some("product".into()),
            hash: tce_server::hash_token(&token),
            created_at: chrono::Utc::now(),
        })
        .expect("token");
    let product = t.sign_in(&token).await;
    let list = t.page("/ideas", Some(&product)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    assert!(list.text().contains("href=\"/ideas\""), "Ideas in the nav");
    let page = t.page(&format!("/ideas/{}", idea.id), Some(&product)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Split into a new idea"));
    // Whole-brand analyses stay with admins and analysts.
    assert_eq!(
        t.page("/advocates", Some(&product)).await.status,
        StatusCode::FORBIDDEN
    );

    // An agent of another department sees neither the pages nor the link.
    let baggage = t.sign_in(&t.tokens.agent).await;
    for path in [
        "/ideas".to_string(),
        format!("/ideas/{}", idea.id),
        "/advocates".into(),
    ] {
        assert_eq!(
            t.page(&path, Some(&baggage)).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let journey = t.page("/journey", Some(&baggage)).await.text();
    assert!(!journey.contains("href=\"/ideas\""));
    let csrf = hidden_csrf(&journey);
    let res = t
        .form(
            &format!("/ideas/{}/split", idea.id),
            Some(&baggage),
            &[("csrf", &csrf), ("version", "1"), ("signal", "x:1")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.store().idea(idea.id).expect("read").expect("idea").volume,
        idea.volume
    );
}
