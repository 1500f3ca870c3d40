//! Early warning end to end: demo worlds with planted incidents, the alerts
//! ingest raises, their routing, grouping, restarts, backtests.

use super::{json, ok, shared_data, stdout, tce};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::Path;

const SIGNALS: &str = "60000";
const START: &str = "2026-01-05";

fn demo(dir: &Path, seed: u64) {
    ok(tce(
        dir,
        &[
            "demo",
            "--signals",
            SIGNALS,
            "--seed",
            &seed.to_string(),
            "--start",
            START,
            "--no-serve",
        ],
    ));
}

fn alerts(dir: &Path) -> Vec<Value> {
    let v = json(&ok(tce(
        dir,
        &["alerts", "list", "--all", "--limit", "10000", "--json"],
    )));
    v.as_array().expect("a list").clone()
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("a time"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

fn day(v: &Value) -> DateTime<Utc> {
    NaiveDate::parse_from_str(v.as_str().expect("a day"), "%Y-%m-%d")
        .expect("a day")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
}

/// Whether an alert is about a planted incident: its brand, a series of
/// the incident's touchpoint (or its stage, or the brand), overlapping its days.
fn about(alert: &Value, inc: &Value) -> bool {
    let start = day(&inc["start"]);
    let end = day(&inc["end"]) + chrono::Duration::days(1);
    let a_start = time(&alert["window"]["start"]);
    let a_end = time(&alert["window"]["end"]);
    alert["brand"] == inc["brand"]
        && a_start < end
        && a_end > start
        && alert["series"].as_array().expect("series").iter().any(|s| {
            s["touchpoint"] == inc["touchpoint"]
                || (s["touchpoint"].is_null()
                    && (s["stage"] == inc["stage"] || s["stage"].is_null()))
        })
}

fn owner(dir: &Path, touchpoint: &str) -> String {
    let model = std::fs::read_to_string(dir.join("tce.toml")).expect("model");
    let v: toml::Value = toml::from_str(&model).expect("toml");
    v["touchpoints"]
        .as_array()
        .expect("touchpoints")
        .iter()
        .find(|t| t["id"].as_str() == Some(touchpoint))
        .and_then(|t| t["department"].as_str())
        .expect("owner")
        .to_owned()
}

fn own_brands(dir: &Path) -> Vec<String> {
    let model = std::fs::read_to_string(dir.join("tce.toml")).expect("model");
    let v: toml::Value = toml::from_str(&model).expect("toml");
    v["brands"]
        .as_array()
        .expect("brands")
        .iter()
        .filter(|b| b.get("own").and_then(toml::Value::as_bool) == Some(true))
        .map(|b| b["id"].as_str().expect("id").to_owned())
        .collect()
}

fn brand_count(dir: &Path) -> usize {
    let model = std::fs::read_to_string(dir.join("tce.toml")).expect("model");
    let v: toml::Value = toml::from_str(&model).expect("toml");
    v["brands"].as_array().expect("brands").len()
}

#[test]
fn planted_incidents_raise_one_routed_alert_each_within_a_day() {
    let mut false_alerts = 0usize;
    let mut brand_days = 0f64;
    let (mut planted, mut missed, mut late) = (0usize, 0usize, 0usize);
    for seed in [1u64, 2, 3] {
        let dir = tempfile::tempdir().expect("tempdir");
        demo(dir.path(), seed);
        let truth: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("truth.json")).expect("truth"))
                .expect("truth JSON");
        let incidents = truth["incidents"].as_array().expect("incidents");
        assert!(
            !incidents.is_empty(),
            "seed {seed}: the demo plants incidents"
        );
        let all = alerts(dir.path());
        let own = own_brands(dir.path());
        for inc in incidents {
            let brand = inc["brand"].as_str().expect("brand");
            let tp = inc["touchpoint"].as_str().expect("touchpoint");
            let related: Vec<&Value> = all.iter().filter(|a| about(a, inc)).collect();
            planted += 1;
            if related.is_empty() {
                println!("seed {seed}: MISSED planted incident {inc}");
                missed += 1;
                continue;
            }
            assert_eq!(
                related.len(),
                1,
                "seed {seed}: incident {inc}: one incident = one alert, got {related:#?}"
            );
            let a = related[0];
            assert_eq!(
                a["touchpoint"].as_str(),
                Some(tp),
                "seed {seed}: incident {inc}: the alert is on its brand × touchpoint: {a:#}"
            );
            let delay = time(&a["opened_at"]) - day(&inc["start"]);
            if delay > chrono::Duration::hours(24) {
                // Raised, but not within a day: a miss by the measure.
                println!(
                    "seed {seed}: LATE planted incident {inc}: alert raised {} h after its start",
                    delay.num_hours()
                );
                late += 1;
            }
            if own.iter().any(|o| o == brand) {
                assert_eq!(a["scope"], "own", "seed {seed}: {a:#}");
                assert_eq!(
                    a["department"].as_str(),
                    Some(owner(dir.path(), tp).as_str()),
                    "seed {seed}: routed to the touchpoint's owner: {a:#}"
                );
            } else {
                assert_eq!(a["scope"], "competitive", "seed {seed}: {a:#}");
                assert!(
                    a["department"].is_null(),
                    "competitors' are not work: {a:#}"
                );
            }
        }
        let unplanned = all
            .iter()
            .filter(|a| a["scope"] != "opportunity")
            .filter(|a| !incidents.iter().any(|inc| about(a, inc)))
            .count();
        let n_brands = brand_count(dir.path());
        false_alerts += unplanned;
        brand_days += n_brands as f64 * 180.0;
        println!(
            "seed {seed}: {} alerts, {} planted incidents, {unplanned} alerts outside them",
            all.len(),
            incidents.len()
        );
    }
    let rate = false_alerts as f64 / (brand_days / 30.0);
    println!(
        "false alerts on incident-free series: {false_alerts} in {brand_days} brand-days = {rate:.2} per brand per 30 days"
    );
    println!(
        "planted incidents: {planted}, within 24 h: {}, missed: {missed}, raised later than a day: {late}",
        planted - missed - late
    );
    assert!(
        rate <= 1.0,
        "false alert rate {rate:.2} per brand per 30 days"
    );
    // Every planted incident, within a day of its start. The hardest, seed
    // 3's SkyWay punctuality (23 extra complaints over two days on a
    // touchpoint with about five negatives a day), brings 14 on its first
    // day: the 24 hours ending at 21:00 that day (15 where 5.6 were
    // expected, p = 7·10⁻⁴) cross the day scale's threshold (docs/alerts.md
    // §3, §10).
    assert!(
        missed + late == 0,
        "{missed} of {planted} planted incidents missed and {late} raised later than a day"
    );
}

/// Splits a JSONL file of signals at an instant.
fn split(src: &Path, at: DateTime<Utc>, before: &Path, after: &Path) {
    let f = std::io::BufReader::new(std::fs::File::open(src).expect("signals"));
    let mut b = std::fs::File::create(before).expect("before");
    let mut a = std::fs::File::create(after).expect("after");
    for line in f.lines() {
        let line = line.expect("line");
        let v: Value = serde_json::from_str(&line).expect("JSON line");
        let t = time(&v["created_at"]);
        let out = if t < at { &mut b } else { &mut a };
        writeln!(out, "{line}").expect("write");
    }
}

#[test]
fn a_restart_mid_incident_continues_the_same_alert() {
    let demo_dir = tempfile::tempdir().expect("tempdir");
    demo(demo_dir.path(), 1);
    let reference = alerts(demo_dir.path());
    // An own-brand alert: stop ingesting two hours after it opened.
    let a = reference
        .iter()
        .filter(|a| a["scope"] == "own" && a["touchpoint"].is_string())
        .min_by_key(|a| time(&a["opened_at"]))
        .expect("an own alert");
    let cut = time(&a["opened_at"]) + chrono::Duration::hours(2);
    assert!(cut < time(&a["ended_at"]), "the cut is mid-incident: {a:#}");

    let dir = tempfile::tempdir().expect("tempdir");
    let (p1, p2) = (
        dir.path().join("part1.jsonl"),
        dir.path().join("part2.jsonl"),
    );
    split(&demo_dir.path().join("signals.jsonl"), cut, &p1, &p2);
    ok(tce(dir.path(), &["init", "--template", "airline"]));
    ok(tce(dir.path(), &["ingest", p1.to_str().expect("path")]));
    let before = alerts(dir.path());
    let open: Vec<&Value> = before
        .iter()
        .filter(|b| b["touchpoint"] == a["touchpoint"] && b["brand"] == a["brand"])
        .filter(|b| b["active"] == true)
        .collect();
    assert_eq!(open.len(), 1, "open before the restart: {open:#?}");
    let id = open[0]["id"].clone();
    // A new process: the detector continues from the saved states.
    ok(tce(dir.path(), &["ingest", p2.to_str().expect("path")]));
    let after = alerts(dir.path());
    let same: Vec<&Value> = after.iter().filter(|b| b["id"] == id).collect();
    assert_eq!(same.len(), 1);
    assert_eq!(
        same[0]["active"], false,
        "closed after the restart: {:#}",
        same[0]
    );
    assert_eq!(
        same[0]["window"], a["window"],
        "the same incident window as one uninterrupted ingest"
    );
    let key = |v: &Value| {
        (
            v["brand"].to_string(),
            v["touchpoint"].to_string(),
            v["stage"].to_string(),
            v["kind"].to_string(),
            v["window"]["start"].to_string(),
        )
    };
    let mut x: Vec<_> = after.iter().map(key).collect();
    let mut y: Vec<_> = reference.iter().map(key).collect();
    x.sort();
    y.sort();
    assert_eq!(x, y, "the same alerts as one uninterrupted ingest");
    let shown = json(&ok(tce(
        dir.path(),
        &["alerts", "show", &id.to_string(), "--json"],
    )));
    let changes: Vec<&str> = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["change"].as_str())
        .collect();
    assert_eq!(changes.first(), Some(&"opened"));
    assert_eq!(changes.last(), Some(&"closed"));
    assert_eq!(changes.iter().filter(|c| **c == "opened").count(), 1);
}

#[test]
fn ack_and_resolve_record_who_and_refuse_going_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    demo(dir.path(), 2);
    let all = alerts(dir.path());
    let id = all[0]["id"].to_string();
    let acked = json(&ok(tce(
        dir.path(),
        &["alerts", "ack", &id, "--agent", "ana", "--json"],
    )));
    assert_eq!(acked["status"], "acknowledged");
    assert_eq!(acked["acknowledged_by"], "ana");
    let resolved = json(&ok(tce(
        dir.path(),
        &["alerts", "resolve", &id, "--agent", "bo", "--json"],
    )));
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolved_by"], "bo");
    let again = tce(dir.path(), &["alerts", "ack", &id, "--agent", "ana"]);
    assert!(
        !again.status.success(),
        "resolved → acknowledged is refused"
    );
    let open = json(&ok(tce(dir.path(), &["alerts", "list", "--json"])));
    assert!(open
        .as_array()
        .expect("list")
        .iter()
        .all(|a| a["id"] != all[0]["id"]));
    // The backtest over the stored history finds what ingest raised and writes nothing.
    let bt = json(&ok(tce(dir.path(), &["alerts", "backtest", "--json"])));
    let n = bt["alerts"].as_array().expect("alerts").len();
    assert!(
        n.abs_diff(all.len()) <= all.len() / 5 + 1,
        "backtest {n} alerts, ingest {}",
        all.len()
    );
    assert_eq!(
        alerts(dir.path()).len(),
        all.len(),
        "the backtest wrote nothing"
    );
}

#[test]
fn backtest_on_an_external_series_scores_labelled_windows() {
    let nab = shared_data().join("nab");
    for name in ["FB", "GOOG"] {
        let csv = nab.join(format!("Twitter_volume_{name}.csv"));
        let labels = nab.join(format!("Twitter_volume_{name}.windows.json"));
        let dir = tempfile::tempdir().expect("tempdir");
        let out = ok(tce(
            dir.path(),
            &[
                "alerts",
                "backtest",
                "--series",
                csv.to_str().expect("path"),
                "--labels",
                labels.to_str().expect("path"),
                "--json",
            ],
        ));
        let v = json(&out);
        let e = &v["evaluation"];
        println!(
            "NAB {name}: windows {}, detected {}, false alerts {}, median time to detect {} s",
            e["windows"], e["detected"], e["false_alerts"], e["median_time_to_detect_secs"]
        );
        assert!(e["detected"].as_u64().expect("detected") >= 1);
        let text = stdout(&ok(tce(
            dir.path(),
            &[
                "alerts",
                "backtest",
                "--series",
                csv.to_str().expect("path"),
                "--labels",
                labels.to_str().expect("path"),
            ],
        )));
        assert!(text.contains("windows "), "{text}");
    }
}
