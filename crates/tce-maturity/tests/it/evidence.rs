//! Measured evidence beside the answers: it contradicts a claim on facts
//! built to contradict it, and agrees on facts built to agree.

use crate::{answers_file, assess_text, catalog};
use expect_test::{expect, Expect};
use std::fmt::Write as _;
use tce_maturity::{Assessment, EvidenceStatus, Fact, Facts, Metric};

/// A workspace where nothing the answers claim has happened.
fn contradicting() -> Facts {
    Facts::new()
        .with(Metric::StageWeightsDerivedShare, Fact::share(0, 6))
        .with(Metric::OutcomesImported, Fact::count(0))
        .with(Metric::ElasticitySignificant, Fact::flag(false))
        .with(Metric::TouchpointsOwnedShare, Fact::share(9, 12))
        .with(
            Metric::FirstResponseP90SlaRatio,
            Fact::value(3.2).with_n(140),
        )
        .with(Metric::SlaBreachRate, Fact::share(61, 140))
        .with(Metric::CasesRoutedOutsideServiceShare, Fact::share(2, 140))
        .with(Metric::AlertsAcknowledgedShare, Fact::share(1, 9))
        .with(Metric::AlertAckHours, Fact::value(70.0).with_n(1))
        .with(Metric::AdvocatesIdentified, Fact::count(0))
        .with(Metric::MomentOfTruthConversion, Fact::share(0, 40))
        .with(Metric::IdeasDecidedShare, Fact::share(1, 30))
        .with(Metric::StagesCoveredShare, Fact::share(2, 6))
        .with(Metric::DataAgeDays, Fact::value(45.0))
}

/// A workspace that backs every top answer.
fn agreeing() -> Facts {
    Facts::new()
        .with(Metric::StageWeightsDerivedShare, Fact::share(6, 6))
        .with(Metric::OutcomesImported, Fact::count(26))
        .with(Metric::ElasticitySignificant, Fact::flag(true))
        .with(Metric::TouchpointsOwnedShare, Fact::share(12, 12))
        .with(
            Metric::FirstResponseP90SlaRatio,
            Fact::value(0.8).with_n(140),
        )
        .with(Metric::SlaBreachRate, Fact::share(3, 140))
        .with(Metric::CasesRoutedOutsideServiceShare, Fact::share(50, 140))
        .with(Metric::AlertsAcknowledgedShare, Fact::share(9, 9))
        .with(Metric::AlertAckHours, Fact::value(2.5).with_n(9))
        .with(Metric::AdvocatesIdentified, Fact::count(40))
        .with(Metric::MomentOfTruthConversion, Fact::share(10, 40))
        .with(Metric::IdeasDecidedShare, Fact::share(24, 30))
        .with(Metric::StagesCoveredShare, Fact::share(6, 6))
        .with(Metric::DataAgeDays, Fact::value(0.0))
}

fn evidence(a: &Assessment) -> String {
    let mut out = String::new();
    for i in &a.instruments {
        for area in &i.areas {
            for e in &area.evidence {
                let status = match e.status {
                    EvidenceStatus::Supports => "supports",
                    EvidenceStatus::Contradicts => "CONTRADICTS",
                    EvidenceStatus::Neutral => "neutral",
                    EvidenceStatus::NotMeasured => "not measured",
                };
                writeln!(out, "{}.{} {status}: {}", area.id, e.item, e.message).unwrap();
            }
            for c in &area.contradictions {
                writeln!(out, "  ! {}", c.text).unwrap();
            }
        }
    }
    out
}

fn check(instrument: &str, top: &str, facts: &Facts, expect: Expect) {
    let c = catalog();
    let a = assess_text(&c, &answers_file(&c, instrument, &[], top), facts);
    expect.assert_eq(&evidence(&a));
}

#[test]
fn the_issue_example_contradiction() {
    let c = catalog();
    let src = answers_file(
        &c,
        "disciplines",
        &[("measurement_drivers", "systematic")],
        "ad_hoc",
    );
    let a = assess_text(&c, &src, &contradicting());
    let area = a.area("disciplines", "measurement").unwrap();
    assert_eq!(area.contradictions.len(), 1);
    assert_eq!(
        area.contradictions[0].text,
        "answered 'systematic' for measurement, but 0 of 6 stage weights are derived and no outcomes are imported"
    );
    assert_eq!(
        area.contradictions[0].metrics,
        [Metric::StageWeightsDerivedShare, Metric::OutcomesImported]
    );
}

#[test]
fn evidence_contradicts_top_claims_on_contradicting_facts() {
    check(
        "disciplines",
        "systematic",
        &contradicting(),
        expect![[r#"
        customer_understanding.understanding_channels CONTRADICTS: only 2 of 6 stages are heard through both social and non-social channels
        customer_understanding.understanding_current CONTRADICTS: the newest data is 45 days old
          ! answered 'systematic' for customer understanding, but only 2 of 6 stages are heard through both social and non-social channels
          ! answered 'systematic' for customer understanding, but the newest data is 45 days old
        design.design_from_feedback CONTRADICTS: only 1 of 30 customer ideas have a decided status
          ! answered 'systematic' for design, but only 1 of 30 customer ideas have a decided status
        measurement.measurement_drivers CONTRADICTS: 0 of 6 stage weights are derived
        measurement.measurement_drivers CONTRADICTS: no outcomes are imported
        measurement.measurement_money CONTRADICTS: no outcomes are imported
        measurement.measurement_money neutral: elasticity of sales to experience is significant: no
          ! answered 'systematic' for measurement, but 0 of 6 stage weights are derived and no outcomes are imported
          ! answered 'systematic' for measurement, but no outcomes are imported
        governance.governance_ownership CONTRADICTS: only 9 of 12 touchpoints have an owner department
        governance.governance_response CONTRADICTS: the 90th-percentile first response takes 3.20× the SLA target (140 cases)
        governance.governance_response CONTRADICTS: 44% of first responses breach the SLA
        governance.governance_response CONTRADICTS: only 1 of 9 early-warning alerts were acknowledged
          ! answered 'systematic' for governance, but only 9 of 12 touchpoints have an owner department
          ! answered 'systematic' for governance, but the 90th-percentile first response takes 3.20× the SLA target (140 cases) and 44% of first responses breach the SLA and only 1 of 9 early-warning alerts were acknowledged
        culture.culture_everyone CONTRADICTS: only 1% of cases go to a department outside customer service (2 of 140)
          ! answered 'systematic' for culture, but only 1% of cases go to a department outside customer service (2 of 140)
    "#]],
    );
    check(
        "orientation",
        "natural",
        &contradicting(),
        expect![[r#"
        people.people_frontline CONTRADICTS: the 90th-percentile first response takes 3.20× the SLA target (140 cases)
          ! answered 'natural' for people, but the 90th-percentile first response takes 3.20× the SLA target (140 cases)
        customer_strategy.strategy_place CONTRADICTS: only 9 of 12 touchpoints have an owner department
          ! answered 'natural' for customer strategy, but only 9 of 12 touchpoints have an owner department
        systems.systems_view CONTRADICTS: the newest data is 45 days old
        systems.systems_warning CONTRADICTS: only 1 of 9 alerts were acknowledged
        systems.systems_warning CONTRADICTS: alerts take 70.0 h to be acknowledged
          ! answered 'natural' for systems, but the newest data is 45 days old
          ! answered 'natural' for systems, but only 1 of 9 alerts were acknowledged and alerts take 70.0 h to be acknowledged
        measurement.measurement_what CONTRADICTS: 0 of 6 stage weights are derived
        measurement.measurement_what CONTRADICTS: no outcomes are imported
        measurement.measurement_money CONTRADICTS: no outcomes are imported
        measurement.measurement_money CONTRADICTS: the elasticity of sales to experience is not significant
          ! answered 'natural' for measurement, but 0 of 6 stage weights are derived and no outcomes are imported
          ! answered 'natural' for measurement, but no outcomes are imported and the elasticity of sales to experience is not significant
        channel_approach.channels_managed CONTRADICTS: only 2 of 6 stages are heard through both social and non-social channels
          ! answered 'natural' for channel approach, but only 2 of 6 stages are heard through both social and non-social channels
        expectations.expectations_kept CONTRADICTS: 44% of first responses breach the SLA (61 of 140 cases)
          ! answered 'natural' for expectations, but 44% of first responses breach the SLA (61 of 140 cases)
        marketing_brand.brand_advocates CONTRADICTS: no advocates have been identified
        marketing_brand.brand_advocates CONTRADICTS: only 0% of moment-of-truth invitations led to a share
          ! answered 'natural' for marketing & brand, but no advocates have been identified and only 0% of moment-of-truth invitations led to a share
        process.process_complaints CONTRADICTS: only 1% of cases go to a department outside customer service (2 of 140)
        process.process_complaints CONTRADICTS: only 9 of 12 touchpoints have an owner department
          ! answered 'natural' for process, but only 1% of cases go to a department outside customer service (2 of 140) and only 9 of 12 touchpoints have an owner department
        culture_leadership.leaders_ideas CONTRADICTS: only 1 of 30 customer ideas have a decided status
          ! answered 'natural' for culture & leadership, but only 1 of 30 customer ideas have a decided status
    "#]],
    );
}

#[test]
fn evidence_agrees_with_top_claims_on_agreeing_facts() {
    let c = catalog();
    for i in c.instruments() {
        let top = &i.levels[i.top()].id;
        let a = assess_text(&c, &answers_file(&c, &i.id, &[], top), &agreeing());
        for area in &a.instruments[0].areas {
            assert!(
                area.contradictions.is_empty(),
                "{}.{}: {:?}",
                i.id,
                area.id,
                area.contradictions
            );
            assert!(
                area.evidence
                    .iter()
                    .all(|e| e.status != EvidenceStatus::Contradicts),
                "{}.{}",
                i.id,
                area.id
            );
        }
    }
    check(
        "disciplines",
        "systematic",
        &agreeing(),
        expect![[r#"
        customer_understanding.understanding_channels supports: 6 of 6 stages are heard through both social and non-social channels
        customer_understanding.understanding_current supports: the newest data is 0 days old
        design.design_from_feedback supports: 24 of 30 customer ideas have a decided status
        measurement.measurement_drivers supports: 6 of 6 stage weights are derived
        measurement.measurement_drivers neutral: periods of business outcomes imported: 26
        measurement.measurement_money neutral: periods of business outcomes imported: 26
        measurement.measurement_money supports: the elasticity of sales to experience is significant
        governance.governance_ownership supports: all 12 touchpoints have an owner department
        governance.governance_response supports: the 90th-percentile first response is within the SLA target (0.80×)
        governance.governance_response neutral: share of cases whose first response breached the SLA: 2%
        governance.governance_response neutral: share of alerts acknowledged: 100%
        culture.culture_everyone supports: 36% of cases go to the owning department outside customer service
    "#]],
    );
}

#[test]
fn every_shipped_rule_contradicts_a_top_claim_on_contradicting_facts() {
    // Every instrument has evidence, and facts built to contradict flag at
    // least one of its top answers.
    let c = catalog();
    for i in c.instruments() {
        let top = &i.levels[i.top()].id;
        let a = assess_text(&c, &answers_file(&c, &i.id, &[], top), &contradicting());
        let n: usize = a.instruments[0]
            .areas
            .iter()
            .map(|x| x.contradictions.len())
            .sum();
        assert!(n > 0, "{}: no contradiction", i.id);
    }
}

#[test]
fn low_claims_are_not_contradicted_and_unmeasured_facts_say_so() {
    let c = catalog();
    let a = assess_text(
        &c,
        &answers_file(&c, "disciplines", &[], "undeveloped"),
        &contradicting(),
    );
    assert!(a.instruments[0]
        .areas
        .iter()
        .all(|x| x.contradictions.is_empty()));
    let mut facts = Facts::new();
    facts.not_measured(
        Metric::StageWeightsDerivedShare,
        "no outcome to derive weights from",
    );
    let a = assess_text(
        &c,
        &answers_file(&c, "disciplines", &[], "systematic"),
        &facts,
    );
    let area = a.area("disciplines", "measurement").unwrap();
    assert!(area.contradictions.is_empty());
    assert_eq!(area.evidence[0].status, EvidenceStatus::NotMeasured);
    assert_eq!(area.evidence[0].value, "not measured");
    assert_eq!(
        area.evidence[0].message,
        "share of stage weights derived from data: not measured (no outcome to derive weights from)"
    );
}
