//! The maturity assessment's evidence (issue 14 §2): what tce measured in
//! the workspace, as `tce_maturity::Facts`. The assessment itself (levels,
//! contradictions, roadmap) is `tce-maturity`'s; this module only turns the
//! store and the model into its facts, so every surface shows the same.
//!
//! Figures that rest on recent work (care, alerts, moments of truth) read
//! the [`WINDOW_DAYS`] days up to the newest signal, so an old demo
//! workspace still shows its figures; advocates (a class over all of an
//! author's signals) and ideas (each waits for a decision however old)
//! have no window. How recent the data is has its own metric
//! (`data_age_days`, relative to the `today` argument: this module has no
//! clock). Every figure comes from the store's aggregates, indexes and
//! windowed queries, never from a scan of signals.

use crate::finance::finance;
use crate::scores::Filter;
use crate::weights::{weights, Source, WeightOptions};
use crate::InsightError;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use tce_advocacy::{AuthorClass, IdeaStatus, MomentStatus};
use tce_maturity::{assess, Answers, Assessment, Catalog, Fact, Facts, Metric};
use tce_model::Model;
use tce_store::{CareEventQuery, CaseQuery, NewAssessment, RollupFilter, Store};

/// Days of recent work the care, early-warning and moment-of-truth metrics
/// read, up to the newest signal.
pub const WINDOW_DAYS: i64 = 90;

/// Why early-warning metrics are not measured when `[alerts] enabled =
/// false` and no alert was kept in the window.
pub const ALERTS_OFF: &str = "early warning is turned off ([alerts] enabled = false)";
/// Why advocates are not measured when the model has no own brand.
pub const NO_OWN_BRAND: &str = "the model has no own brand";
/// Why advocates are not measured when the model has no social channel
/// (advocates are found in public word of mouth only).
pub const NO_SOCIAL: &str = "the model has no social channel, where advocates are found";
/// Why the ideas metric is not measured before any suggestion about an own
/// brand.
pub const NO_IDEAS: &str = "no suggestions about an own brand yet";

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
    let window = Window::ending(newest.unwrap_or(today));
    care(model, store, &window, &mut facts)?;
    alerts(model, store, &window, &mut facts)?;
    advocates(model, store, &mut facts)?;
    moments(store, &window, &mut facts)?;
    ideas(store, &mut facts)?;
    Ok(facts)
}

/// The [`WINDOW_DAYS`] days up to the newest signal (or `today` when there
/// is none): `[from, to)` in instants, and as days for people.
struct Window {
    from_day: NaiveDate,
    last: NaiveDate,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl Window {
    fn ending(last: NaiveDate) -> Window {
        let from_day = last - Duration::days(WINDOW_DAYS - 1);
        Window {
            from_day,
            last,
            from: from_day.and_time(NaiveTime::MIN).and_utc(),
            to: (last + Duration::days(1))
                .and_time(NaiveTime::MIN)
                .and_utc(),
        }
    }

    /// `2026-06-04..2026-09-01`.
    fn period(&self) -> String {
        format!("{}..{}", self.from_day, self.last)
    }
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
    window: &Window,
    facts: &mut Facts,
) -> Result<(), InsightError> {
    let (from, to) = (window.from, window.to);
    let period = window.period();
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

/// Alerts that are work (routed to a department, not competitive: own
/// brands' problems and opportunities) whose incident started in the
/// window: the share a person took up (acknowledged, or resolved straight
/// from open), and the median (p50, interpolated as the Care page's
/// percentiles) hours from raising to taking up. Read from the store's
/// alerts of the window, never from signals.
fn alerts(
    model: &Model,
    store: &dyn Store,
    window: &Window,
    facts: &mut Facts,
) -> Result<(), InsightError> {
    let period = window.period();
    let rows = store.alert_responses(window.from, window.to)?;
    if rows.is_empty() {
        let reason = if model.alerts.enabled {
            format!("no alerts raised in {period}")
        } else {
            ALERTS_OFF.to_string()
        };
        facts.not_measured(Metric::AlertsAcknowledgedShare, reason.clone());
        facts.not_measured(Metric::AlertAckHours, reason);
        return Ok(());
    }
    let total = rows.len() as u64;
    let mut hours: Vec<f64> = rows
        .iter()
        .filter_map(|r| {
            let at = r.taken_up_at()?;
            Some(((at - r.opened_at).num_seconds().max(0)) as f64 / 3600.0)
        })
        .collect();
    let taken = hours.len() as u64;
    facts.set(
        Metric::AlertsAcknowledgedShare,
        Fact::share(taken, total)
            .with_n(total)
            .with_period(period.clone()),
    );
    hours.sort_by(f64::total_cmp);
    match crate::care::percentile(&hours, 0.5) {
        Some(median) => {
            facts.set(
                Metric::AlertAckHours,
                Fact::value(median).with_n(taken).with_period(period),
            );
        }
        None => {
            facts.not_measured(
                Metric::AlertAckHours,
                format!("none of the {total} alerts raised in {period} was acknowledged"),
            );
        }
    }
    Ok(())
}

/// Authors classed advocate of an own brand (more positive than negative
/// signals on social channels, no churn threat, at least two signals: the
/// class `tce_advocacy` gives and the Advocates page shows), counted per
/// brand from the store's index of classes. An author's class rests on all
/// their signals, so this figure has no window.
fn advocates(model: &Model, store: &dyn Store, facts: &mut Facts) -> Result<(), InsightError> {
    let own: BTreeSet<&str> = model
        .brands
        .iter()
        .filter(|b| b.own)
        .map(|b| b.id.as_str())
        .collect();
    if own.is_empty() {
        facts.not_measured(Metric::AdvocatesIdentified, NO_OWN_BRAND);
        return Ok(());
    }
    if !model.channels.iter().any(|c| c.social) {
        facts.not_measured(Metric::AdvocatesIdentified, NO_SOCIAL);
        return Ok(());
    }
    let count: u64 = store
        .author_class_counts(AuthorClass::Advocate)?
        .into_iter()
        .filter(|(brand, _)| own.contains(brand.as_str()))
        .map(|(_, n)| n)
        .sum();
    facts.set(
        Metric::AdvocatesIdentified,
        Fact::count(count).with_n(count),
    );
    Ok(())
}

/// Moment-of-truth conversion as the Advocates page computes it, shared /
/// (sent + shared + declined), pooled over the channels and the months of
/// the window (the store counts moments per month, so the window starts on
/// the first day of its first month).
fn moments(store: &dyn Store, window: &Window, facts: &mut Facts) -> Result<(), InsightError> {
    let first_month = window.from_day.with_day(1).unwrap_or(window.from_day);
    let period = format!("{first_month}..{}", window.last);
    let (mut new, mut sent, mut shared, mut declined) = (0u64, 0u64, 0u64, 0u64);
    for c in store.moment_counts()? {
        if c.period < first_month || c.period > window.last {
            continue;
        }
        match c.status {
            MomentStatus::New => new += c.count,
            MomentStatus::Sent => sent += c.count,
            MomentStatus::Shared => shared += c.count,
            MomentStatus::Declined => declined += c.count,
        }
    }
    let invited = sent + shared + declined;
    if invited == 0 {
        let reason = if new == 0 {
            format!("no moments of truth in {period}")
        } else {
            format!("no invitation sent for the {new} moments of truth in {period}")
        };
        facts.not_measured(Metric::MomentOfTruthConversion, reason);
        return Ok(());
    }
    facts.set(
        Metric::MomentOfTruthConversion,
        Fact::share(shared, invited)
            .with_n(invited)
            .with_period(period),
    );
    Ok(())
}

/// Own brands' live ideas (not merged away) with a decided status:
/// planned, shipped or declined (new and under review are undecided).
/// Every idea waits for a decision however old, so this figure has no
/// window.
fn ideas(store: &dyn Store, facts: &mut Facts) -> Result<(), InsightError> {
    let (mut decided, mut total) = (0u64, 0u64);
    for c in store.idea_status_counts()?.into_iter().filter(|c| c.own) {
        total += c.count;
        if matches!(
            c.status,
            IdeaStatus::Planned | IdeaStatus::Shipped | IdeaStatus::Declined
        ) {
            decided += c.count;
        }
    }
    if total == 0 {
        facts.not_measured(Metric::IdeasDecidedShare, NO_IDEAS);
        return Ok(());
    }
    facts.set(
        Metric::IdeasDecidedShare,
        Fact::share(decided, total).with_n(total),
    );
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
