//! Scores, weights, allocation and finance against the truth planted by the
//! demo generator (issue "Scores, derived weights, resource allocation and
//! financial linkage"). One 200k-signal demo world is built once and shared.

use super::{json, ok, stdout, tce};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The shared demo workspace (kept for the whole test run).
fn world() -> &'static Path {
    static WORLD: OnceLock<PathBuf> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep().join("world");
        ok(tce(
            &dir,
            // A fixed start: the planted truths hold for this world.
            &[
                "demo",
                "--signals",
                "200000",
                "--seed",
                "42",
                "--start",
                "2026-03-01",
                "--no-serve",
            ],
        ));
        let outcomes = dir.join("outcomes.csv");
        ok(tce(
            &dir,
            &["outcomes", "import", outcomes.to_str().unwrap()],
        ));
        dir
    })
}

fn truth() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(world().join("truth.json")).unwrap()).unwrap()
}

fn spearman(a: &[f64], b: &[f64]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
                j += 1;
            }
            for k in i..=j {
                r[idx[k]] = (i + j) as f64 / 2.0;
            }
            i = j + 1;
        }
        r
    }
    let (ra, rb) = (ranks(a), ranks(b));
    let n = a.len() as f64;
    let ma = ra.iter().sum::<f64>() / n;
    let mb = rb.iter().sum::<f64>() / n;
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

#[test]
fn derived_stage_weights_recover_the_planted_survey_weights() {
    let w = json(&ok(tce(world(), &["weights", "--json"])));
    let planted = truth()["stage_weights"].as_object().unwrap().clone();
    let total: f64 = planted.values().map(|v| v.as_f64().unwrap()).sum();
    let sum: f64 = w["horizontal"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v["weight"].as_f64().unwrap())
        .sum();
    assert!((sum - 1.0).abs() < 1e-9, "{w:#}");
    for (stage, p) in &planted {
        let p = p.as_f64().unwrap() / total;
        let got = &w["horizontal"][stage];
        assert_eq!(got["source"], "derived", "{w:#}");
        let weight = got["weight"].as_f64().unwrap();
        let ci = [
            got["ci"][0].as_f64().unwrap(),
            got["ci"][1].as_f64().unwrap(),
        ];
        assert!(
            (weight - p).abs() <= 0.05,
            "{stage}: derived {weight:.3}, planted {p:.3}"
        );
        assert!(
            ci[0] <= p && p <= ci[1],
            "{stage}: planted {p:.3} outside CI {ci:?}"
        );
    }
    // Vertical: every stage's channel influence sums to 1.
    for (stage, m) in w["vertical"].as_object().unwrap() {
        let s: f64 = m
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert!((s - 1.0).abs() < 1e-9, "{stage}: {s}");
    }
}

#[test]
fn tes_ranks_touchpoints_in_the_planted_quality_order() {
    let report = json(&ok(tce(
        world(),
        &["score", "--by", "touchpoint", "--json"],
    )));
    let truth = truth();
    let mut tes: BTreeMap<(String, String), f64> = BTreeMap::new();
    for r in report["rows"].as_array().unwrap() {
        tes.insert(
            (
                r["brand"].as_str().unwrap().into(),
                r["touchpoint"].as_str().unwrap().into(),
            ),
            r["score"].as_f64().unwrap(),
        );
    }
    for (brand, q) in truth["touchpoint_quality"].as_object().unwrap() {
        let (mut planted, mut measured) = (Vec::new(), Vec::new());
        for (tp, quality) in q.as_object().unwrap() {
            if let Some(s) = tes.get(&(brand.clone(), tp.clone())) {
                planted.push(quality.as_f64().unwrap());
                measured.push(*s);
            }
        }
        assert!(
            planted.len() >= 12,
            "{brand}: only {} touchpoints scored",
            planted.len()
        );
        let rho = spearman(&planted, &measured);
        assert!(
            rho >= 0.9,
            "{brand}: Spearman {rho:.3}\nplanted {planted:?}\nmeasured {measured:?}"
        );
    }
}

#[test]
fn fitted_elasticity_interval_covers_the_planted_one() {
    let f = json(&ok(tce(world(), &["finance", "--json", "--what-if", "+5"])));
    let planted = truth()["elasticity"]["revenue_per_csat_point"]
        .as_f64()
        .unwrap();
    let revenue = f["fits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["outcome"] == "revenue")
        .unwrap();
    let e = &revenue["elasticity"];
    let ci = [e["ci"][0].as_f64().unwrap(), e["ci"][1].as_f64().unwrap()];
    assert!(
        ci[0] <= planted && planted <= ci[1],
        "planted {planted} outside {ci:?}: {f:#}"
    );
    assert!(revenue["what_if"]["pct"].as_f64().unwrap() > 0.0);
    assert!(f["at_risk"]["amount"].as_f64().unwrap() > 0.0);
}

#[test]
fn allocation_sums_to_the_budget_and_honours_bounds() {
    let a = json(&ok(tce(
        world(),
        &[
            "allocate",
            "--budget",
            "100000",
            "--objective",
            "retain",
            "--min",
            "instagram=15000",
            "--max",
            "x=20000",
            "--json",
        ],
    )));
    let lines = a["lines"].as_array().unwrap();
    let total: f64 = lines.iter().map(|l| l["amount"].as_f64().unwrap()).sum();
    assert!((total - 100_000.0).abs() < 1e-6, "{a:#}");
    let by = |c: &str| -> f64 {
        lines
            .iter()
            .filter(|l| l["channel"] == c)
            .map(|l| l["amount"].as_f64().unwrap())
            .sum()
    };
    assert!(
        by("instagram") >= 15_000.0 - 1e-6 && by("x") <= 20_000.0 + 1e-6,
        "{a:#}"
    );
    assert!(lines
        .iter()
        .all(|l| l["reason"].as_str().unwrap().contains("stage weight")));

    let bad = tce(
        world(),
        &[
            "allocate",
            "--budget",
            "1000",
            "--min",
            "x=800",
            "--min",
            "facebook=800",
        ],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("minimums add up to 1600"));
}

#[test]
fn demo_summary_and_trends() {
    let weekly = json(&ok(tce(
        world(),
        &["score", "--by", "brand", "--period", "week", "--json"],
    )));
    let rows = weekly["rows"].as_array().unwrap();
    assert!(rows.len() >= 5 * 25, "{}", rows.len());
    // Every full week after a full week has a change; partial weeks none.
    for pair in rows.windows(2) {
        let (prev, cur) = (&pair[0], &pair[1]);
        if cur["partial"] == true {
            assert!(cur["change"].is_null(), "{cur}");
        } else if prev["brand"] == cur["brand"] && prev["partial"] == false {
            assert!(cur["change"].is_number(), "{cur}");
        }
    }
    assert!(rows.iter().filter(|r| r["change"].is_number()).count() >= 5 * 22);
    let bench = stdout(&ok(tce(world(), &["benchmark"])));
    assert!(bench.contains("TCE index"), "{bench}");
    assert!(bench.contains("figures cover"), "{bench}");
}

#[test]
fn revenue_at_risk_never_exceeds_the_customers_value_over_the_period() {
    let f = json(&ok(tce(world(), &["finance", "--json"])));
    let risk = &f["at_risk"];
    let base = risk["customer_base"].as_f64().unwrap();
    let value = risk["customer_value"].as_f64().unwrap();
    let amount = risk["amount"].as_f64().unwrap();
    assert!(amount > 0.0 && amount <= base * value + 0.5, "{risk:#}");
    assert!(risk["covers"]["from"].is_string());
    // The CLI writes money with thousands separators, with its period and
    // the assumptions beside it.
    let text = stdout(&ok(tce(world(), &["finance"])));
    let line = text
        .lines()
        .find(|l| l.starts_with("revenue at risk: USD "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(',') && line.contains(" over "), "{line}");
    assert!(text.contains("assumes: "), "{text}");
}

#[test]
fn score_tables_say_the_days_they_cover() {
    let cards = json(&ok(tce(
        world(),
        &["score", "--by", "touchpoint", "--json"],
    )));
    assert!(cards["covers"]["from"].is_string(), "{}", cards["covers"]);
    let text = stdout(&ok(tce(world(), &["score", "--by", "brand"])));
    assert!(text.contains("figures cover"), "{text}");
}

#[test]
fn score_json_has_headline_kpis_and_weights_print_no_degenerate_interval() {
    let s = json(&ok(tce(
        world(),
        &["score", "--by", "brand", "--period", "week", "--json"],
    )));
    let brands = s["kpis"]["brands"].as_array().unwrap();
    let own = brands.iter().find(|b| b["own"] == true).unwrap();
    let nps = &own["overall"]["nps"];
    let (v, lo, hi) = (
        nps["value"].as_f64().unwrap(),
        nps["ci"][0].as_f64().unwrap(),
        nps["ci"][1].as_f64().unwrap(),
    );
    assert!(
        nps["n"].as_u64().unwrap() >= 30 && lo <= v && v <= hi,
        "{nps}"
    );
    assert!(own["periods"].as_array().unwrap().len() >= 5);
    let w = stdout(&ok(tce(world(), &["weights"])));
    for line in w.lines().filter(|l| l.contains("CI [")) {
        let inner = line.split("CI [").nth(1).unwrap();
        let (a, b) = inner.split_once(", ").unwrap();
        let b = b.split(']').next().unwrap();
        assert_ne!(a, b, "degenerate interval: {line}");
    }
    assert!(w.contains("channel weights within each stage"), "{w}");
}
