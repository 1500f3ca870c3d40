//! Headline KPIs, share of voice and weights that say what they are, on the
//! API and the dashboard.

use crate::common::*;
use axum::http::StatusCode;
use tce_insight::kpi::{kpis, KpiQuery};

/// The API's KPIs are the insight crate's over the same store; the Overview
/// shows the own brand's NPS with its n, the Benchmark its share of voice.
#[tokio::test]
async fn kpis_on_the_api_the_overview_and_the_benchmark() {
    let t = test_app();
    let r = t
        .get("/api/v1/kpis?period=week", Some(&t.tokens.analyst))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let got = r.json();
    let model = t.state.model().clone();
    let want = kpis(
        &model,
        &t.store(),
        &KpiQuery {
            period: Some(tce_insight::period::Period::Week),
            ..KpiQuery::default()
        },
    )
    .unwrap();
    assert_eq!(got["kpis"], serde_json::to_value(&want).unwrap());
    let own = want
        .brands
        .iter()
        .find(|b| b.own)
        .expect("own brand has ratings");
    let nps = own.overall.nps.expect("the synthetic surveys are 0–10");
    assert!(nps.ci[0] <= nps.value && nps.value <= nps.ci[1]);
    assert!(!own.periods.is_empty());
    // Shares of each channel sum to 1 over the tracked brands; unknown
    // brand never has a share.
    for c in got["share_of_voice"]["channels"].as_array().unwrap() {
        let brands = c["brands"].as_array().unwrap();
        assert!(brands.iter().all(|b| b["brand"] != "unknown"));
        if c["total"].as_u64().unwrap() > 0 {
            let sum: f64 = brands.iter().map(|b| b["share"].as_f64().unwrap()).sum();
            assert!((sum - 1.0).abs() < 1e-9, "{c}");
        }
    }
    let doc = t.get("/api/v1/openapi.json", None).await.json();
    assert!(doc["paths"]["/api/v1/kpis"].is_object());
    assert_eq!(
        t.get("/api/v1/kpis?period=year", Some(&t.tokens.analyst))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    let session = t.sign_in(&t.tokens.admin).await;
    let html = t.page("/", Some(&session)).await.text();
    assert!(html.contains("Headline KPIs"), "overview lacks KPIs");
    let shown = if nps.thin {
        format!("{:.1} · n {}", nps.value, nps.n)
    } else {
        format!("<strong>{:.1}</strong>", nps.value)
    };
    assert!(html.contains(&shown), "overview lacks the own NPS {shown}");
    let html = t.page("/benchmark", Some(&session)).await.text();
    assert!(html.contains("Share of voice"));
    assert!(html.contains("All social channels"));
}

/// The allocation says what its stage weights are (and how they differ from
/// the Channel page's), labels its response curve as an assumption, defines
/// its step, and marks a channel at its maximum as capped.
#[tokio::test]
async fn allocation_weights_and_caps_say_what_they_are() {
    let t = test_app();
    let session = t.sign_in(&t.tokens.analyst).await;
    let page = t.page("/allocation", Some(&session)).await.text();
    let csrf = hidden_csrf(&page);
    let r = t
        .form(
            "/allocation",
            Some(&session),
            &[
                ("budget", "100000"),
                ("objective", "retain"),
                ("max", "x=1000"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("Assumed response curve"));
    assert!(html.contains("emphasis of objective"));
    assert!(html.contains("Objective emphasis"));
    assert!(
        html.contains(">capped</span>"),
        "x at its maximum is capped"
    );

    let api = t
        .post(
            "/api/v1/allocate",
            Some(&t.tokens.analyst),
            "application/json",
            r#"{"budget":100000,"objective":"retain","max":{"x":1000}}"#,
        )
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text());
    let j = api.json();
    assert_eq!(j["capped"], serde_json::json!(["x"]));
    assert!(j["unit"].as_f64().unwrap() > 0.0);
    // Channel page: vertical weights say what they measure.
    let html = t.page("/channels", Some(&session)).await.text();
    assert!(html.contains("reach-weighted share"));
    assert!(html.contains("Vertical weights"));
}
