//! The roadmap follows the seeds' order (support → product development →
//! logistics & procurement → sales & marketing), gaps first within a phase;
//! assessments serialise and make a trend per area.

use crate::{answers_file, assess_text, catalog, day};
use expect_test::expect;
use std::fmt::Write as _;
use tce_maturity::{trend, Assessment, Fact, Facts, Metric, Phase};

fn roadmap(a: &Assessment) -> String {
    let mut out = String::new();
    for s in &a.roadmap {
        let next = s.next.as_ref().map_or("-", |n| n.name.as_str());
        writeln!(
            out,
            "{}. [{}] {}.{} {} → {}{} | {} {}: {} → {}",
            s.step,
            s.phase.id(),
            s.instrument,
            s.area,
            s.level.name,
            next,
            if s.contradicted {
                " (contradicted)"
            } else {
                ""
            },
            s.capability.map_or("-", |c| c.id()),
            s.metric.map_or("-", |m| m.id()),
            s.current_text,
            s.target_text,
        )
        .unwrap();
    }
    out
}

#[test]
fn the_roadmap_follows_the_seeds_order_gaps_first() {
    let c = catalog();
    let facts = Facts::new()
        .with(
            Metric::FirstResponseP90SlaRatio,
            Fact::value(2.0).with_n(50),
        )
        .with(Metric::TouchpointsOwnedShare, Fact::share(9, 12))
        .with(Metric::StageWeightsDerivedShare, Fact::share(0, 6))
        .with(Metric::OutcomesImported, Fact::count(0));
    let src = answers_file(
        &c,
        "orientation",
        &[
            // People claims Natural on slow responses: contradicted.
            ("people_frontline", "natural"),
            ("people_hiring", "natural"),
            ("strategy_place", "naive"),
            ("strategy_social", "naive"),
            ("expectations_known", "enlightened"),
            ("expectations_kept", "enlightened"),
            ("brand_made_by", "naive"),
            ("brand_advocates", "naive"),
            ("systems_view", "natural"),
            ("systems_warning", "natural"),
        ],
        "transactional",
    );
    let a = assess_text(&c, &src, &facts);
    expect![[r#"
        1. [support] orientation.people Natural → - (contradicted) | care first_response_p90_sla_ratio: 2.00× → 1.00×
        2. [support] orientation.customer_strategy Naive → Transactional | model touchpoints_owned_share: 75% → 100%
        3. [support] orientation.process Transactional → Enlightened | care cases_routed_outside_service_share: not measured → 30%
        4. [support] orientation.expectations Enlightened → Natural | care sla_breach_rate: not measured → 5%
        5. [product_development] orientation.culture_leadership Transactional → Enlightened | ideas ideas_decided_share: not measured → 80%
        6. [logistics_procurement] orientation.channel_approach Transactional → Enlightened | ingest stages_covered_share: not measured → 100%
        7. [sales_marketing] orientation.marketing_brand Naive → Transactional | advocacy moment_of_truth_conversion: not measured → 20%
        8. [sales_marketing] orientation.measurement Transactional → Enlightened | weights stage_weights_derived_share: 0% → 100%
    "#]]
    .assert_eq(&roadmap(&a));
    let phases: Vec<Phase> = a.roadmap.iter().map(|s| s.phase).collect();
    assert!(phases.windows(2).all(|w| w[0] <= w[1]), "{phases:?}");
    let steps: Vec<usize> = a.roadmap.iter().map(|s| s.step).collect();
    assert_eq!(steps, (1..=a.roadmap.len()).collect::<Vec<_>>());
}

#[test]
fn assessments_are_kept_as_json_and_make_a_trend() {
    let c = catalog();
    let first = assess_text(
        &c,
        &answers_file(&c, "readiness", &[], "not_yet"),
        &Facts::new(),
    );
    let mut second = assess_text(
        &c,
        &answers_file(&c, "readiness", &[("advocacy", "solid")], "partly"),
        &Facts::new(),
    );
    second.date = day("2027-03-01");
    let json = serde_json::to_string(&second).unwrap();
    let back: Assessment = serde_json::from_str(&json).unwrap();
    assert_eq!(back, second);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    for key in ["id", "level", "evidence", "contradictions", "answers"] {
        assert!(v["instruments"][0]["areas"][0].get(key).is_some(), "{key}");
    }

    // Facts are kept the same way (metric ids as keys).
    let mut facts = Facts::new().with(
        Metric::SlaBreachRate,
        Fact::share(3, 40).with_period("2026-11"),
    );
    facts.not_measured(Metric::IdeasDecidedShare, "no ideas yet");
    let json = serde_json::to_string(&facts).unwrap();
    expect![[r#"{"metrics":{"sla_breach_rate":{"state":"measured","value":0.075,"count":3,"total":40,"period":"2026-11"},"ideas_decided_share":{"state":"not_measured","reason":"no ideas yet"}}}"#]].assert_eq(&json);
    assert_eq!(serde_json::from_str::<Facts>(&json).unwrap(), facts);

    // Given newest first; the series is oldest first.
    let t = trend(&[second, first]);
    assert_eq!(t.len(), 6);
    let mut out = String::new();
    for area in &t {
        let points: Vec<String> = area
            .points
            .iter()
            .map(|p| format!("{} {}", p.date, p.level.name))
            .collect();
        writeln!(
            out,
            "{}.{}: {}",
            area.instrument,
            area.area,
            points.join(" → ")
        )
        .unwrap();
    }
    expect![[r#"
        readiness.experience_everywhere: 2026-12-01 not yet → 2027-03-01 partly
        readiness.employees_engaged: 2026-12-01 not yet → 2027-03-01 partly
        readiness.moments_of_truth: 2026-12-01 not yet → 2027-03-01 partly
        readiness.standing_out: 2026-12-01 not yet → 2027-03-01 partly
        readiness.daily_decisions: 2026-12-01 not yet → 2027-03-01 partly
        readiness.advocacy: 2026-12-01 not yet → 2027-03-01 solid
    "#]]
    .assert_eq(&out);
}
