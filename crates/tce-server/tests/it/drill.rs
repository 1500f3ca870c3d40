//! Pages you can work from: drill-down links into the signals explorer,
//! forms that answer in their own words (422, the form kept), the
//! explorer's refusals, CSV export buttons serving what `tce export` writes.

use crate::common::*;
use axum::http::StatusCode;
use tce_insight::scores::{By, Filter, ScoreQuery};
use tce_server::params::SignalParams;
use tce_server::report::{export_finance, export_scores, export_signals, FinanceTable};

/// The `href`s of a page that start with `prefix`, HTML entities undone.
fn links(html: &str, prefix: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .filter(|h| h.starts_with(prefix))
        .collect()
}

fn query_of(href: &str) -> Vec<(String, String)> {
    let q = href.split_once('?').map_or("", |(_, q)| q);
    serde_urlencoded::from_str(q).unwrap()
}

/// Fields of a form post.
type Fields<'a> = &'a [(&'a str, &'a str)];

fn rows(html: &str) -> usize {
    html.matches("<td class=\"text\">").count()
}

#[tokio::test]
async fn drill_down_links_open_the_explorer_with_the_right_filter() {
    let t = test_app();
    let session = t.sign_in(&t.tokens.analyst).await;
    // (page, the page's slug in back=, a touchpoint link it must have)
    let cases = [
        (
            "/journey?brand=bluejet&from=2026-03-01&to=2026-03-31",
            "journey",
            true,
        ),
        (
            "/quadrant?brand=bluejet&from=2026-03-01&to=2026-03-31",
            "quadrant",
            true,
        ),
        ("/?from=2026-03-01&to=2026-03-31", "overview", false),
        (
            "/benchmark?from=2026-03-01&to=2026-03-31",
            "benchmark",
            false,
        ),
    ];
    for (page, back, touchpoints) in cases {
        let html = t.page(page, Some(&session)).await.text();
        let hrefs = links(&html, "/signals?");
        assert!(!hrefs.is_empty(), "{page}: no drill-down link");
        for href in &hrefs {
            let q = query_of(href);
            let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
            assert_eq!(get("back"), Some(back), "{page}: {href}");
            assert_eq!(
                (get("from"), get("to")),
                (Some("2026-03-01"), Some("2026-03-31")),
                "{href}"
            );
            assert!(get("brand").is_some(), "{page}: {href}");
        }
        if !touchpoints {
            continue;
        }
        let baggage = hrefs
            .iter()
            .find(|h| h.contains("touchpoint=baggage"))
            .unwrap_or_else(|| panic!("{page}: no link to baggage"));
        assert!(baggage.contains("brand=bluejet"), "{baggage}");
        let r = t.page(baggage, Some(&session)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let explorer = r.text();
        assert!(
            explorer
                .contains("Signals about Baggage handling for BlueJet, 1 Mar 2026 – 31 Mar 2026."),
            "{page}: {explorer}"
        );
        // The way back goes to the page with its brand and range; the filter can be cleared.
        let back_href = format!("/{back}?brand=bluejet&from=2026-03-01&to=2026-03-31");
        assert!(
            links(&explorer, "/").contains(&back_href),
            "{page}: no way back to {back_href}"
        );
        assert!(explorer.contains(">Clear filter</a>"));
        // The same signals the API gives for that filter.
        let api = t
            .get(
                "/api/v1/signals?brand=bluejet&touchpoint=baggage&from=2026-03-01&to=2026-03-31",
                Some(&t.tokens.analyst),
            )
            .await
            .json();
        let n = api["items"].as_array().unwrap().len();
        assert!(n > 0);
        assert_eq!(rows(&explorer), n, "{page}");
    }
    // The heat-map tiles and the quadrant's points are links too.
    let journey = t.page("/journey", Some(&session)).await.text();
    let svg = &journey[journey.find("<svg class=\"chart heat\"").unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    assert!(links(svg, "/signals?")
        .iter()
        .any(|h| h.contains("touchpoint=baggage")));
    let quadrant = t.page("/quadrant", Some(&session)).await.text();
    let svg = &quadrant[quadrant.find("<svg class=\"chart scatter\"").unwrap()..];
    assert!(!links(&svg[..svg.find("</svg>").unwrap()], "/signals?").is_empty());
}

#[tokio::test]
async fn invalid_forms_answer_422_with_the_form_kept() {
    let t = test_app();
    let session = t.sign_in(&t.tokens.analyst).await;
    let csrf = hidden_csrf(&t.page("/allocation", Some(&session)).await.text());
    // (fields, what the page must say, a value it must keep)
    let cases: [(Fields, &str, &str); 5] = [
        (
            &[("budget", "123456"), ("objective", "custom")],
            "With the objective 'custom', enter a weight for every stage",
            "value=\"123456\"",
        ),
        (
            &[("budget", "lots"), ("objective", "retain")],
            "Budget: enter an amount in",
            "value=\"lots\"",
        ),
        (
            &[
                ("budget", "5000"),
                ("objective", "retain"),
                ("stage_weights", "boarding=1"),
            ],
            "Stage weights: “boarding” is not a stage of the model",
            "value=\"boarding=1\"",
        ),
        (
            &[
                ("budget", "5000"),
                ("objective", "retain"),
                ("min", "tiktok=100"),
            ],
            "Minimum per channel: “tiktok” is not a social channel",
            "value=\"tiktok=100\"",
        ),
        (
            &[("budget", "100"), ("objective", "retain"), ("min", "x=500")],
            "The minimums add up to 500",
            "value=\"x=500\"",
        ),
    ];
    for (fields, says, kept) in cases {
        let mut pairs = fields.to_vec();
        pairs.push(("csrf", &csrf));
        let r = t.form("/allocation", Some(&session), &pairs).await;
        let html = r.text();
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}: {html}"
        );
        assert!(
            html.contains(says),
            "{fields:?}: expected {says:?} in {html}"
        );
        assert!(html.contains(kept), "{fields:?}: the form lost {kept}");
        // (Not a bare "--": a random CSRF token may hold one.)
        for flag in [
            "--stage-weights",
            "--budget",
            "--objective",
            "--min",
            "--max",
        ] {
            assert!(
                !html.contains(flag),
                "{fields:?}: the CLI flag {flag} in {html}"
            );
        }
        assert!(html.contains("<form class=\"filters\" method=\"post\" action=\"/allocation\""));
    }
    // The objective chosen stays selected.
    let r = t
        .form(
            "/allocation",
            Some(&session),
            &[("budget", "1"), ("objective", "custom"), ("csrf", &csrf)],
        )
        .await;
    assert!(r.text().contains("<option value=\"custom\" selected>"));

    // A date range the wrong way round, on every page with a range form.
    for page in [
        "/",
        "/journey",
        "/channels",
        "/benchmark",
        "/quadrant",
        "/finance",
    ] {
        let r = t
            .page(
                &format!("{page}?from=2026-05-01&to=2026-04-01"),
                Some(&session),
            )
            .await;
        let html = r.text();
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{page}: {html}");
        assert!(
            html.contains("From (1 May 2026) is after To (1 Apr 2026)"),
            "{page}: {html}"
        );
        assert!(html.contains("value=\"2026-05-01\"") && html.contains("value=\"2026-04-01\""));
    }
    let r = t.page("/journey?from=31/03/2026", Some(&session)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .contains("From: enter a date such as 2026-03-31 (you entered “31/03/2026”)."));
}

#[tokio::test]
async fn the_explorer_refuses_filters_no_signal_can_match() {
    let t = test_app();
    let session = t.sign_in(&t.tokens.analyst).await;
    let cases = [
        (
            "min_sentiment=5",
            "Sentiment ≥ 5: the sentiment score runs from −1",
        ),
        (
            "max_sentiment=-3",
            "Sentiment ≤ -3: the sentiment score runs from −1",
        ),
        (
            "min_sentiment=abc",
            "Sentiment ≥: enter a number from −1 to 1 (you entered “abc”).",
        ),
        (
            "min_sentiment=0.5&max_sentiment=0.2",
            "Sentiment ≥ 0.5 is above Sentiment ≤ 0.2",
        ),
        (
            "from=2026-04-10&to=2026-04-01",
            "From (10 Apr 2026) is after To (1 Apr 2026)",
        ),
        ("from=yesterday", "From: enter a date such as 2026-03-31"),
        ("limit=0", "Per page: enter a whole number from 1 to 1000"),
    ];
    for (query, says) in cases {
        let r = t.page(&format!("/signals?{query}"), Some(&session)).await;
        let html = r.text();
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {html}"
        );
        assert!(html.contains(says), "{query}: expected {says:?}");
        assert!(!html.contains("No signals match"), "{query}");
        // The form is kept, with what was typed.
        let (name, value) = query.split('&').next().unwrap().split_once('=').unwrap();
        assert!(
            html.contains(&format!("name=\"{name}\""))
                && html.contains(&format!("value=\"{value}\"")),
            "{query}: form not re-filled"
        );
        // The API refuses the same filters (with its parameter names).
        let api = t
            .get(&format!("/api/v1/signals?{query}"), Some(&t.tokens.analyst))
            .await;
        assert_eq!(
            api.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            api.text()
        );
        assert_eq!(api.error_code(), "invalid_parameter");
    }
    // A filter that is fine but matches nothing still says so.
    let r = t
        .page("/signals?q=no-such-text-anywhere", Some(&session))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("No signals match"));
    let html = r.text();
    let at = html.find("<p class=\"filter\">").expect("filter sentence");
    let filter = &html[at..at + 160];
    assert!(filter.contains("no-such-text-anywhere"), "{filter}");
    assert!(
        filter.contains("Signals containing “no-such-text-anywhere”, all dates."),
        "{filter}"
    );
}

#[tokio::test]
async fn csv_export_buttons_serve_what_tce_export_writes() {
    let t = test_app();
    let session = t.sign_in(&t.tokens.analyst).await;
    let model = model();
    // Every table page has its button, carrying the page's filters.
    let buttons = [
        ("/", "/export/scores.csv?by=brand"),
        (
            "/journey?brand=bluejet",
            "/export/scores.csv?by=touchpoint&brand=bluejet",
        ),
        (
            "/quadrant?brand=bluejet",
            "/export/scores.csv?by=touchpoint&brand=bluejet",
        ),
        (
            "/benchmark?from=2026-03-01",
            "/export/scores.csv?by=stage&from=2026-03-01",
        ),
        ("/channels", "/export/scores.csv?by=channel"),
        (
            "/signals?touchpoint=baggage&intent=complaint",
            "/export/signals.csv?touchpoint=baggage&intent=complaint",
        ),
        (
            "/finance?from=2026-03-01",
            "/export/finance.csv?table=elasticities&from=2026-03-01&what_if=5",
        ),
        (
            "/finance?what_if=-2.5",
            "/export/finance.csv?table=revenue-at-risk&what_if=-2.5",
        ),
    ];
    for (page, button) in buttons {
        let html = t.page(page, Some(&session)).await.text();
        assert!(
            links(&html, "/export/").iter().any(|h| h == button),
            "{page}: no {button}"
        );
    }
    // Scores: the bytes of `tce export scores` for the same query.
    let r = t
        .page(
            "/export/scores.csv?by=touchpoint&brand=bluejet&from=2026-03-01&to=2026-03-31",
            Some(&session),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "text/csv; charset=utf-8");
    assert!(r.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let q = ScoreQuery {
        by: By::Touchpoint,
        period: None,
        filter: Filter {
            from: Some("2026-03-01".parse().unwrap()),
            to: Some("2026-03-31".parse().unwrap()),
            brand: Some("bluejet".into()),
            channel: None,
        },
    };
    let mut expected = Vec::new();
    export_scores(&model, &t.store(), &q, &mut expected).unwrap();
    assert_eq!(r.text(), String::from_utf8(expected).unwrap());
    // Signals: the bytes of `tce export signals` for the explorer's filters.
    let r = t
        .page(
            "/export/signals.csv?touchpoint=baggage&intent=complaint",
            Some(&session),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let params = SignalParams {
        touchpoint: Some("baggage".into()),
        intent: Some("complaint".into()),
        ..SignalParams::default()
    };
    let mut expected = Vec::new();
    let n = export_signals(&t.store(), params.query(&model).unwrap(), &mut expected).unwrap();
    assert!(n > 0);
    assert_eq!(r.text(), String::from_utf8(expected).unwrap());
    // Finance: the bytes of `tce export elasticities|revenue-at-risk`.
    for (table, what) in [
        ("elasticities", FinanceTable::Elasticities),
        ("revenue-at-risk", FinanceTable::RevenueAtRisk),
    ] {
        let r = t
            .page(
                &format!("/export/finance.csv?table={table}&what_if=5"),
                Some(&session),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{table}");
        let mut expected = Vec::new();
        let n = export_finance(
            &model,
            &t.store(),
            &Filter::default(),
            5.0,
            what,
            &mut expected,
        )
        .unwrap();
        assert!(n > 0, "{table}: no rows");
        assert_eq!(r.text(), String::from_utf8(expected).unwrap(), "{table}");
    }
    assert_eq!(
        t.page("/export/finance.csv?table=totals", Some(&session))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // No session, no export.
    assert_eq!(
        t.page("/export/scores.csv", None).await.status,
        StatusCode::SEE_OTHER
    );

    // An agent exports its department's touchpoints only.
    let agent = t.sign_in(&t.tokens.agent).await;
    assert_eq!(
        t.page("/export/scores.csv?by=brand", Some(&agent))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.page("/export/finance.csv", Some(&agent)).await.status,
        StatusCode::FORBIDDEN
    );
    let csv = t
        .page("/export/scores.csv?by=touchpoint", Some(&agent))
        .await
        .text();
    let mut lines = csv.lines().skip(1).peekable();
    assert!(lines.peek().is_some());
    assert!(
        lines.all(|l| l.split(',').nth(3) == Some("baggage")),
        "{csv}"
    );
    let csv = t.page("/export/signals.csv", Some(&agent)).await.text();
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let tps = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "touchpoints")
        .unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r[tps].contains("baggage:")),
        "agent export outside its scope"
    );
    assert_eq!(
        t.page("/export/signals.csv?touchpoint=cabin_product", Some(&agent))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn navigation_is_grouped_and_shows_where_you_are() {
    let t = test_app();
    let analyst = t.sign_in(&t.tokens.analyst).await;
    let html = t.page("/finance", Some(&analyst)).await.text();
    for group in ["Measure", "Act", "Plan"] {
        assert!(html.contains(&format!("<span>{group}")), "{group}");
    }
    assert!(html.contains(
        "<div class=\"group active\" tabindex=\"0\"><span>Plan<span class=\"here\">Finance</span>"
    ));
    let agent = t.sign_in(&t.tokens.agent).await;
    let html = t.page("/journey", Some(&agent)).await.text();
    assert!(html.contains("<span>Measure") && !html.contains("<span>Plan"));
}

#[tokio::test]
async fn a_plan_exports_as_csv_with_its_inputs() {
    let t = test_app();
    let session = t.sign_in(&t.tokens.analyst).await;
    let csrf = hidden_csrf(&t.page("/allocation", Some(&session)).await.text());
    let html = t
        .form(
            "/allocation",
            Some(&session),
            &[
                ("budget", "50000"),
                ("objective", "retain"),
                ("max", "x=10000"),
                ("csrf", &csrf),
            ],
        )
        .await
        .text();
    let hrefs = links(&html, "/export/allocation.csv");
    assert_eq!(
        hrefs,
        vec!["/export/allocation.csv?budget=50000&objective=retain&max=x%3D10000".to_string()],
        "the button carries the inputs"
    );
    let r = t.page(&hrefs[0], Some(&session)).await;
    assert_eq!(r.status, StatusCode::OK);
    let csv = r.text();
    let mut rows = csv.lines();
    assert_eq!(
        rows.next(),
        Some("channel,stage,amount,currency,expected_gain_points,capped,objective,reason")
    );
    let (mut total, mut on_x) = (0.0, 0.0);
    for line in rows {
        let cells: Vec<&str> = line.split(',').collect();
        let amount: f64 = cells[2].parse().unwrap();
        total += amount;
        if cells[0] == "x" {
            on_x += amount;
        }
        assert_eq!(cells[6], "retain", "{line}");
    }
    assert!(
        (total - 50_000.0).abs() < 1.0,
        "the plan spends the budget: {total}"
    );
    assert!(on_x <= 10_000.0 + 1e-6, "the maximum holds: {on_x}");
    // Inputs the planner refuses are a 422, as on the page.
    assert_eq!(
        t.page(
            "/export/allocation.csv?budget=-5&objective=retain",
            Some(&session)
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
