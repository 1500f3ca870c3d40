//! The self-contained report and the CSV exports.

use crate::common::*;
use tce_server::report::{export_scores, export_signals, report, ReportOptions};
use tce_store::Store;

#[test]
fn report_is_self_contained_and_escaped() {
    let t = test_app();
    let store = t.store();
    let model = model();
    let html = report(&model, &store, &ReportOptions::default()).unwrap();
    for heading in [
        "<h1>Overview",
        "<h1>Journey map",
        "<h1>Channel influence",
        "<h1>Benchmark",
        "<h1>Importance–performance",
        "<h1>Allocation planner",
        "<h1>Finance",
        "<h1>Signals explorer",
    ] {
        assert!(html.contains(heading), "missing {heading}");
    }
    assert!(html.matches("class=\"pt\"").count() > 50);
    assert!(!html.contains("<script"));
    assert!(!html.contains("<form"), "no forms in a report");
    for external in [
        "src=\"http",
        "href=\"http",
        "href=\"/",
        "url(http",
        "@import",
        "<link",
    ] {
        assert!(!html.contains(external), "report references {external}");
    }
    assert!(html.contains("<style>"));
    // The hostile posts are among the newest 100 of skyway in April.
    let html = report(
        &model,
        &store,
        &ReportOptions {
            brand: Some("SkyWay".into()),
            from: chrono::NaiveDate::from_ymd_opt(2026, 4, 20),
            to: chrono::NaiveDate::from_ymd_opt(2026, 4, 21),
            ..ReportOptions::default()
        },
    )
    .unwrap();
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(!html.contains("<img") && !html.contains("<svg onload"));
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    // Unknown brands are refused with the list.
    let err = report(
        &model,
        &store,
        &ReportOptions {
            brand: Some("acme".into()),
            ..ReportOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("brands: skyway"), "{err}");
}

#[test]
fn exports_write_every_row_and_defuse_formulas() {
    let t = test_app();
    let store = t.store();
    let model = model();
    let mut out = Vec::new();
    let n = export_signals(&store, tce_store::SignalQuery::default(), &mut out).unwrap();
    assert_eq!(n, store.signal_count().unwrap());
    let mut rdr = csv::Reader::from_reader(out.as_slice());
    assert_eq!(rdr.headers().unwrap().get(7), Some("text"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len() as u64, n);
    let evil = rows.iter().find(|r| r.get(3) == Some("evil-2")).unwrap();
    assert!(evil.get(7).unwrap().starts_with("'=HYPERLINK"), "{evil:?}");

    let mut out = Vec::new();
    let q = tce_insight::scores::ScoreQuery {
        by: tce_insight::scores::By::Stage,
        period: Some(tce_insight::period::Period::Month),
        filter: tce_insight::scores::Filter {
            brand: Some("skyway".into()),
            ..Default::default()
        },
    };
    let n = export_scores(&model, &store, &q, &mut out).unwrap();
    assert!(n >= model.stages.len() as u64);
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("brand,period,stage,touchpoint,channel,n,net_sentiment,score,change"));
    assert_eq!(text.lines().count() as u64, n + 1);
}
