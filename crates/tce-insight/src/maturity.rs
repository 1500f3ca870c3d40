//! The maturity assessment's evidence (issue 14 §2): what tce measured in
//! the workspace, as `tce_maturity::Facts`. The assessment itself (levels,
//! contradictions, roadmap) is `tce-maturity`'s; this module only turns the
//! store and the model into its facts, so every surface shows the same.
//!
//! Figures that rest on recent work (care) read the [`WINDOW_DAYS`] days up
//! to the newest signal, so an old demo workspace still shows its figures;
//! how recent the data is has its own metric (`data_age_days`, relative to
//! the `today` argument: this module has no clock).

use crate::finance::finance;
use crate::scores::Filter;
use crate::weights::{weights, Source, WeightOptions};
use crate::InsightError;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use tce_maturity::{assess, Answers, Assessment, Catalog, Fact, Facts, Metric};
use tce_model::Model;
use tce_store::{CareEventQuery, CaseQuery, NewAssessment, RollupFilter, Store};

/// Days of care work the care metrics read, up to the newest signal.
pub const WINDOW_DAYS: i64 = 90;

/// Why early-warning metrics are not measured (until alerts are kept).
pub const NO_ALERTS: &str = "early warning is not set up in this workspace";
/// Why advocacy metrics are not measured (until advocates are kept).
pub const NO_ADVOCACY: &str = "advocacy is not set up in this workspace";
/// Why the ideas metric is not measured (until ideas are kept).
pub const NO_IDEAS: &str = "ideas are not collected in this workspace";

/// Everything tce measures for the assessment, on `today`.
pub fn facts(model: &Model, store: &dyn Store, today: NaiveDate) -> Result<Facts, InsightError> {
    let mut facts = Facts::new();
    touchpoints_owned(model, &mut facts);
    let stats = store.stats()?;
    let newest = stats.last.map(|t| t.date_naive());
    match newest {
        Some(day) => {
            let age = (today - day).num_days().max(0) as u64;
            facts.set(
                Metric::DataAgeDays,
                Fact::value(age as f64)
                    .with_n(stats.signals)
                    .with_period(format!("newest signal {day}")),
            );
        }
        None => {
            facts.not_measured(Metric::DataAgeDays, "no signals yet");
        }
    }
    stages_covered(model, store, &mut facts)?;
    stage_weights(model, store, &mut facts)?;
    outcomes(model, store, &mut facts)?;
    care(model, store, newest.unwrap_or(today), &mut facts)?;
    facts.not_measured(Metric::AlertsAcknowledgedShare, NO_ALERTS);
    facts.not_measured(Metric::AlertAckHours, NO_ALERTS);
    facts.not_measured(Metric::AdvocatesIdentified, NO_ADVOCACY);
    facts.not_measured(Metric::MomentOfTruthConversion, NO_ADVOCACY);
    facts.not_measured(Metric::IdeasDecidedShare, NO_IDEAS);
    Ok(facts)
}

/// Touchpoints whose owner is a department of the model.
fn touchpoints_owned(model: &Model, facts: &mut Facts) {
    let total = model.touchpoints.len() as u64;
    if total == 0 {
        facts.not_measured(
            Metric::TouchpointsOwnedShare,
            "the model has no touchpoints",
        );
        return;
    }
    let owned = model
        .touchpoints
        .iter()
        .filter(|t| !t.department.trim().is_empty() && model.department(&t.department).is_some())
        .count() as u64;
    facts.set(Metric::TouchpointsOwnedShare, Fact::share(owned, total));
}

/// Stages heard through at least one social and one non-social channel,
/// over all stored data (the monthly rollups).
fn stages_covered(model: &Model, store: &dyn Store, facts: &mut Facts) -> Result<(), InsightError> {
    let total = model.stages.len() as u64;
    if total == 0 {
        facts.not_measured(Metric::StagesCoveredShare, "the model has no stages");
        return Ok(());
    }
    // Stage → (social heard, non-social heard).
    let mut heard: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    let rows = store.monthly_rollups(&RollupFilter::default())?;
    for r in rows.iter().filter(|r| r.n > 0 && !r.stage.is_empty()) {
        let Some(channel) = model.channels.iter().find(|c| c.id == r.channel) else {
            continue;
        };
        let e = heard.entry(r.stage.as_str()).or_default();
        if channel.social {
            e.0 = true;
        } else {
            e.1 = true;
        }
    }
    let covered = model
        .stages
        .iter()
        .filter(|s| heard.get(s.id.as_str()) == Some(&(true, true)))
        .count() as u64;
    facts.set(Metric::StagesCoveredShare, Fact::share(covered, total));
    Ok(())
}

/// Stage weights derived from survey key drivers (the low-confidence social
/// fallback and configured weights do not count).
fn stage_weights(model: &Model, store: &dyn Store, facts: &mut Facts) -> Result<(), InsightError> {
    let total = model.stages.len() as u64;
    if total == 0 {
        facts.not_measured(Metric::StageWeightsDerivedShare, "the model has no stages");
        return Ok(());
    }
    let w = weights(model, store, WeightOptions::default())?;
    let derived = model
        .stages
        .iter()
        .filter(|s| {
            w.horizontal
                .get(&s.id)
                .is_some_and(|x| x.source == Source::Derived)
        })
        .count() as u64;
    let mut fact = Fact::share(derived, total);
    if w.n > 0 {
        fact = fact.with_n(w.n as u64);
    }
    facts.set(Metric::StageWeightsDerivedShare, fact);
    Ok(())
}

/// Periods of outcomes imported, and whether the elasticity of revenue to
/// experience is significant (its 95 % interval excludes 0).
fn outcomes(model: &Model, store: &dyn Store, facts: &mut Facts) -> Result<(), InsightError> {
    let rows = store.outcomes()?;
    let periods: BTreeSet<NaiveDate> = rows.iter().map(|o| o.period_start).collect();
    facts.set(
        Metric::OutcomesImported,
        Fact::count(periods.len() as u64).with_n(rows.len() as u64),
    );
    if rows.is_empty() {
        facts.not_measured(Metric::ElasticitySignificant, "no outcomes imported");
        return Ok(());
    }
    let report = finance(model, store, &Filter::default(), 5.0)?;
    let revenue = report.fits.iter().find(|f| f.outcome == "revenue");
    match revenue.and_then(|f| f.elasticity.as_ref()) {
        Some(e) => {
            let significant = e.ci[0] > 0.0 || e.ci[1] < 0.0;
            facts.set(
                Metric::ElasticitySignificant,
                Fact::flag(significant).with_n(e.n as u64),
            );
        }
        None => {
            // Outcomes but too few matched weeks to estimate: not significant.
            facts.set(
                Metric::ElasticitySignificant,
                Fact::flag(false).with_n(report.observations as u64),
            );
        }
    }
    Ok(())
}

/// First-response p90 against each case's SLA target, the breach rate of
/// first responses, and the share of care cases routed outside customer
/// service (the triage department), over the window ending on `last`.
fn care(
    model: &Model,
    store: &dyn Store,
    last: NaiveDate,
    facts: &mut Facts,
) -> Result<(), InsightError> {
    let from_day = last - Duration::days(WINDOW_DAYS - 1);
    let from = from_day.and_time(NaiveTime::MIN).and_utc();
    let to = (last + Duration::days(1))
        .and_time(NaiveTime::MIN)
        .and_utc();
    let period = format!("{from_day}..{last}");
    let events = store.care_events(&CareEventQuery {
        kinds: vec!["first_response".to_string()],
        from: Some(from),
        to: Some(to),
        departments: None,
    })?;
    let mut ratios = Vec::new();
    let mut breached = 0u64;
    let mut answered = 0u64;
    for e in &events {
        answered += 1;
        if e.within_sla == Some(false) {
            breached += 1;
        }
        let target_hours = model
            .care
            .department(&e.department)
            .and_then(|d| d.targets.get(e.priority.index()))
            .map(|t| t.first_response_hours);
        if let (Some(secs), Some(hours)) = (e.business_secs, target_hours) {
            if hours > 0.0 {
                ratios.push(secs as f64 / (hours * 3600.0));
            }
        }
    }
    match p90(&mut ratios) {
        Some(r) => {
            facts.set(
                Metric::FirstResponseP90SlaRatio,
                Fact::value(r)
                    .with_n(ratios.len() as u64)
                    .with_period(period.clone()),
            );
        }
        None => {
            facts.not_measured(
                Metric::FirstResponseP90SlaRatio,
                format!("no first responses in {period}"),
            );
        }
    }
    if answered > 0 {
        facts.set(
            Metric::SlaBreachRate,
            Fact::share(breached, answered)
                .with_n(answered)
                .with_period(period.clone()),
        );
    } else {
        facts.not_measured(
            Metric::SlaBreachRate,
            format!("no first responses in {period}"),
        );
    }

    // Routing: care cases (not leads) opened in the window, by the
    // department they are routed to now.
    let triage = model.care.triage_department.as_str();
    let (mut outside, mut total) = (0u64, 0u64);
    let mut query = CaseQuery {
        limit: CaseQuery::MAX_LIMIT,
        ..CaseQuery::default()
    };
    loop {
        let page = store.cases(&query)?;
        for c in &page.items {
            if c.kind.as_str() != "care" || c.opened_at < from || c.opened_at >= to {
                continue;
            }
            total += 1;
            if c.department() != triage {
                outside += 1;
            }
        }
        match page.next_cursor {
            Some(next) => query.cursor = Some(next),
            None => break,
        }
    }
    if total > 0 {
        facts.set(
            Metric::CasesRoutedOutsideServiceShare,
            Fact::share(outside, total)
                .with_n(total)
                .with_period(period),
        );
    } else {
        facts.not_measured(
            Metric::CasesRoutedOutsideServiceShare,
            format!("no care cases opened in {period}"),
        );
    }
    Ok(())
}

/// An assessment kept in the store, read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    /// The store's id.
    pub id: i64,
    /// When it was kept.
    pub created_at: DateTime<Utc>,
    /// The answers file text it was made from.
    pub answers: String,
    /// The assessment.
    pub assessment: Assessment,
}

/// Assesses `answers` against what the workspace measured on `today`, and
/// keeps the result with the answers' text; returns the kept assessment.
pub fn assess_and_keep(
    model: &Model,
    store: &mut dyn Store,
    catalog: &Catalog,
    answers: &Answers,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Kept, InsightError> {
    let facts = facts(model, &*store, today)?;
    let assessment = assess(catalog, answers, &facts, today);
    let text = answers_text(catalog, answers);
    let json = serde_json::to_string(&assessment)
        .map_err(|e| InsightError::Invalid(format!("serialising the assessment: {e}")))?;
    let id = store.insert_assessment(&NewAssessment {
        day: today,
        created_at: now,
        assessment: json,
        answers: text.clone(),
    })?;
    Ok(Kept {
        id,
        created_at: now,
        answers: text,
        assessment,
    })
}

/// Every kept assessment, oldest first.
pub fn kept(store: &dyn Store) -> Result<Vec<Kept>, InsightError> {
    store.assessments()?.into_iter().map(decode).collect()
}

/// The newest kept assessment, if any.
pub fn latest(store: &dyn Store) -> Result<Option<Kept>, InsightError> {
    store.latest_assessment()?.map(decode).transpose()
}

fn decode(s: tce_store::StoredAssessment) -> Result<Kept, InsightError> {
    let assessment = serde_json::from_str(&s.assessment).map_err(|e| {
        InsightError::Invalid(format!(
            "kept assessment {} ({}) cannot be read: {e}",
            s.id, s.day
        ))
    })?;
    Ok(Kept {
        id: s.id,
        created_at: s.created_at,
        answers: s.answers,
        assessment,
    })
}

/// The answers as an answers file (`[instrument.item]` tables with their
/// `answer`), in catalog order: what is kept beside an assessment, and
/// what `tce assess --answers` reads back.
pub fn answers_text(catalog: &Catalog, answers: &Answers) -> String {
    let mut out = String::from("# tce maturity assessment: answers.\n");
    for instrument in catalog.instruments() {
        for (_, item) in instrument.items() {
            if let Some(a) = answers.get(&instrument.id, &item.id) {
                let quoted = serde_json::to_string(a).unwrap_or_default();
                let _ = write!(
                    out,
                    "\n[{}.{}]\nanswer = {quoted}\n",
                    instrument.id, item.id
                );
            }
        }
    }
    out
}

/// The 90th percentile of the values (sorted in place), interpolated as
/// the Care page's percentiles are (`crate::care::percentile`).
fn p90(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    crate::care::percentile(values, 0.9)
}

#[cfg(test)]
mod tests {
    use super::p90;

    #[test]
    fn p90_matches_the_care_page() {
        assert_eq!(p90(&mut []), None);
        assert_eq!(p90(&mut [3.0]), Some(3.0));
        let mut v: Vec<f64> = (1..=11).rev().map(f64::from).collect();
        assert_eq!(p90(&mut v), Some(10.0));
    }
}
