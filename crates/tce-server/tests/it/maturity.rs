//! The maturity assessment on the server: `/api/v1/assessments` (roles,
//! refusals with line and field, every assessment kept), the Maturity page
//! (CSRF-protected form, result, roadmap, history, hostile text escaped)
//! and the report's section.

use crate::common::*;
use axum::http::StatusCode;

const ITEMS: [&str; 6] = [
    "experience_everywhere",
    "employees_engaged",
    "moments_of_truth",
    "standing_out",
    "daily_decisions",
    "advocacy",
];

fn readiness(answers: [&str; 6]) -> String {
    ITEMS
        .iter()
        .zip(answers)
        .map(|(i, a)| format!("[readiness.{i}]\nanswer = \"{a}\"\n"))
        .collect()
}

fn body(answers: &str) -> String {
    serde_json::json!({ "answers": answers, "date": "2026-09-01" }).to_string()
}

#[tokio::test]
async fn the_api_assesses_answers_keeps_them_and_lists_them() {
    let t = test_app();
    let list = t.get("/api/v1/assessments", Some(&t.tokens.analyst)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json()["items"].as_array().unwrap().len(), 0);

    let answers = readiness(["partly", "solid", "not yet", "solid", "solid", "partly"]);
    let r = t
        .post(
            "/api/v1/assessments",
            Some(&t.tokens.analyst),
            "application/json",
            body(&answers),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let a = r.json();
    assert_eq!(a["date"], "2026-09-01");
    let levels: Vec<&str> = a["instruments"][0]["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["level"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        ["partly", "solid", "not yet", "solid", "solid", "partly"]
    );
    for area in a["instruments"][0]["areas"].as_array().unwrap() {
        for key in ["id", "level", "evidence", "contradictions"] {
            assert!(area.get(key).is_some(), "area without {key}");
        }
    }
    let roadmap = a["roadmap"].as_array().unwrap();
    assert!(!roadmap.is_empty());
    for key in ["step", "area", "capability", "metric", "current", "target"] {
        assert!(roadmap[0].get(key).is_some(), "step without {key}");
    }

    // A second one; both kept, the latest on its own.
    let r = t
        .post(
            "/api/v1/assessments",
            Some(&t.tokens.admin),
            "application/json",
            body(&readiness(["solid"; 6])),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let all = t
        .get("/api/v1/assessments", Some(&t.tokens.analyst))
        .await
        .json();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    assert_eq!(all["trend"][0]["points"].as_array().unwrap().len(), 2);
    let latest = t
        .get("/api/v1/assessments?latest=true", Some(&t.tokens.analyst))
        .await
        .json();
    let items = latest["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], r.json()["id"]);

    // Refusals: agents, a malformed answers file (line and field).
    let r = t
        .post(
            "/api/v1/assessments",
            Some(&t.tokens.agent),
            "application/json",
            body(&answers),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let bad = answers.replace("\"not yet\"", "\"nope\"");
    let r = t
        .post(
            "/api/v1/assessments",
            Some(&t.tokens.analyst),
            "application/json",
            body(&bad),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains(
            "answers:6: readiness.moments_of_truth.answer: \\\"nope\\\" is not one of the choices"
        ),
        "{}",
        r.text()
    );
    let doc = t.get("/api/v1/openapi.json", None).await.text();
    assert!(doc.contains("/api/v1/assessments"));
}

#[tokio::test]
async fn the_maturity_page_takes_a_form_and_shows_the_result_and_the_roadmap() {
    let t = test_app();
    let session = t.sign_in(&t.tokens.analyst).await;
    let page = t.page("/maturity", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("<h1>Maturity"));
    assert!(html.contains("No assessment kept yet"));
    assert_eq!(
        html.matches("<form method=\"post\" action=\"/maturity\"")
            .count(),
        5
    );
    let csrf = hidden_csrf(&html);

    let mut fields: Vec<(String, String)> = vec![
        ("instrument".into(), "readiness".into()),
        ("csrf".into(), csrf.clone()),
    ];
    for (i, a) in ITEMS
        .iter()
        .zip(["partly", "solid", "not yet", "solid", "solid", "partly"])
    {
        fields.push((format!("item.{i}"), a.into()));
    }
    let post = |fields: Vec<(String, String)>| {
        let session = session.clone();
        let t = &t;
        async move {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            t.form("/maturity", Some(&session), &pairs).await
        }
    };
    let mut forged = fields.clone();
    forged[1].1 = "forged".into();
    let r = post(forged).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("csrf_failed"));

    let r = post(fields.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("Assessment of"), "result shown");
    assert!(html.contains("Social CEM readiness — overall:"));
    assert!(html.contains("id=\"roadmap\""));
    assert!(html.contains("class=\"roadmap\""));
    assert!(html.contains("<td>not yet</td>"));
    assert!(html.contains("id=\"history\""));
    assert!(!html.contains("<script"));

    // A hostile answer is refused and shown escaped.
    let mut hostile = fields.clone();
    hostile[2].1 = "<script>alert(1)</script>".into();
    let r = post(hostile).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("The answers were refused"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>"));

    // Agents may not open it.
    let agent = t.sign_in(&t.tokens.agent).await;
    assert_eq!(
        t.page("/maturity", Some(&agent)).await.status,
        StatusCode::FORBIDDEN
    );

    // The report shows the kept assessment.
    let store = t.store();
    let model = model();
    let report = tce_server::report::report(&model, &store, &Default::default()).unwrap();
    assert!(report.contains("id=\"maturity\""));
    assert!(report.contains("Social CEM readiness — overall:"));
    assert!(
        !report.contains("action=\"/maturity\""),
        "no forms in the report"
    );
}
