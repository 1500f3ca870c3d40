//! Experience and money (DESIGN C10): elasticities of business outcomes to
//! experience with brand fixed effects, what-if, revenue at risk.
//!
//! The experience driver is the brand's weekly survey CSAT (mean overall
//! rating mapped to 0–100) when surveys exist, else its weekly mean
//! experience over all signals on 0–100 (marked in `driver`).

use crate::period::Period;
use crate::scores::Filter;
use crate::{agg_of, round2, InsightError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use tce_analytics::agg::{score_of, Agg};
use tce_analytics::finance::{fit_elasticity, revenue_at_risk, Elasticity, Observation, WhatIf};
use tce_model::Model;
use tce_store::{RollupFilter, Store};

/// Survey answers a brand-week needs to give a CSAT figure.
const MIN_WEEK_SURVEYS: usize = 5;

/// One fitted outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeFit {
    /// `revenue`, `customers` or `return_visits`.
    pub outcome: String,
    /// The fit, when there was enough data.
    pub elasticity: Option<Elasticity>,
    /// The what-if for the requested change.
    pub what_if: Option<WhatIf>,
    /// Why there is no fit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Revenue at risk from negative posts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRisk {
    /// Negative posts about the own brand on social channels in the range.
    pub negative_posts: u64,
    /// Parameter from the model.
    pub customers_lost_per_negative_post: f64,
    /// Parameter from the model.
    pub customer_value: f64,
    /// posts × customers lost × customer value.
    pub amount: f64,
    /// Parameters left at the seeds' defaults (labelled as such).
    pub defaults: Vec<String>,
}

/// The finance view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinanceReport {
    /// Currency.
    pub currency: String,
    /// The experience measure the elasticities use.
    pub driver: String,
    /// Brand-weeks with both an outcome and the driver.
    pub observations: usize,
    /// Fits per outcome.
    pub fits: Vec<OutcomeFit>,
    /// The seeds' rule of thumb from the model: sales % per +5 CSAT points.
    pub rule_of_thumb_sales_pct_per_5pt: f64,
    /// Revenue at risk.
    pub at_risk: AtRisk,
}

/// Computes the finance view; `what_if` is a score change in points.
pub fn finance(
    model: &Model,
    store: &dyn Store,
    filter: &Filter,
    what_if: f64,
) -> Result<FinanceReport, InsightError> {
    let in_range =
        |d: NaiveDate| !(filter.from.is_some_and(|f| d < f) || filter.to.is_some_and(|t| d > t));
    // Driver per brand-week.
    let mut surveys: BTreeMap<(String, NaiveDate), (f64, usize)> = BTreeMap::new();
    for r in store.survey_responses(None)? {
        let day = r.created_at.date_naive();
        if !in_range(day) {
            continue;
        }
        let e = surveys
            .entry((r.brand.clone(), Period::Week.start(day)))
            .or_default();
        e.0 += score_of(r.overall);
        e.1 += 1;
    }
    let mut driver: BTreeMap<(String, NaiveDate), f64> = surveys
        .into_iter()
        .filter(|(_, (_, n))| *n >= MIN_WEEK_SURVEYS)
        .map(|(k, (sum, n))| (k, sum / n as f64))
        .collect();
    let rollups = store.rollups(&RollupFilter {
        from: filter.from,
        to: filter.to,
        ..RollupFilter::default()
    })?;
    let driver_name = if driver.is_empty() {
        let mut weekly: BTreeMap<(String, NaiveDate), Agg> = BTreeMap::new();
        for r in rollups.iter().filter(|r| r.touchpoint.is_empty()) {
            weekly
                .entry((r.brand.clone(), Period::Week.start(r.day)))
                .or_default()
                .add(&agg_of(r));
        }
        driver = weekly
            .into_iter()
            .filter_map(|(k, a)| Some((k, score_of(a.mean()?))))
            .collect();
        "weekly mean experience of all signals, 0–100 (no survey CSAT available)"
    } else {
        "weekly survey CSAT: mean overall rating on 0–100"
    };

    let outcomes = store.outcomes()?;
    let mut obs: BTreeMap<&str, Vec<Observation>> = BTreeMap::new();
    let mut matched = 0;
    for o in outcomes.iter().filter(|o| in_range(o.period_start)) {
        let Some(score) = driver.get(&(o.brand.clone(), Period::Week.start(o.period_start))) else {
            continue;
        };
        matched += 1;
        let mut push = |name: &'static str, v: Option<f64>| {
            if let Some(value) = v {
                obs.entry(name).or_default().push(Observation {
                    brand: o.brand.clone(),
                    score: *score,
                    value,
                });
            }
        };
        push("revenue", Some(o.revenue));
        push("customers", o.customers);
        push("return_visits", o.return_visits);
    }
    let fits = ["revenue", "customers", "return_visits"]
        .iter()
        .map(|name| match obs.get(name).map(|o| fit_elasticity(o)) {
            Some(Ok(e)) => OutcomeFit {
                outcome: name.to_string(),
                what_if: Some(round_what_if(e.what_if(what_if))),
                elasticity: Some(e),
                note: None,
            },
            Some(Err(err)) => OutcomeFit {
                outcome: name.to_string(),
                elasticity: None,
                what_if: None,
                note: Some(err.to_string()),
            },
            None => OutcomeFit {
                outcome: name.to_string(),
                elasticity: None,
                what_if: None,
                note: Some(if outcomes.is_empty() {
                    "no outcomes imported (tce outcomes import FILE.csv)".into()
                } else {
                    "no outcome rows matching brand-weeks with experience data".into()
                }),
            },
        })
        .collect();

    let own = model.own_brand().map(|b| b.id.as_str());
    let negative_posts: u64 = rollups
        .iter()
        .filter(|r| r.touchpoint.is_empty() && Some(r.brand.as_str()) == own)
        .filter(|r| model.channel(&r.channel).is_some_and(|c| c.social))
        .map(|r| r.negative)
        .sum();
    let f = &model.finance;
    Ok(FinanceReport {
        currency: f.currency.clone(),
        driver: driver_name.into(),
        observations: matched,
        fits,
        rule_of_thumb_sales_pct_per_5pt: f.sales_pct_per_5pt_csat,
        at_risk: AtRisk {
            negative_posts,
            customers_lost_per_negative_post: f.customers_lost_per_negative_post,
            customer_value: f.customer_value,
            amount: revenue_at_risk(
                negative_posts,
                f.customers_lost_per_negative_post,
                f.customer_value,
            ),
            defaults: f.defaulted.clone(),
        },
    })
}

fn round_what_if(w: WhatIf) -> WhatIf {
    WhatIf {
        delta: w.delta,
        pct: round2(w.pct * 100.0) / 100.0,
        ci: [
            round2(w.ci[0] * 100.0) / 100.0,
            round2(w.ci[1] * 100.0) / 100.0,
        ],
    }
}
