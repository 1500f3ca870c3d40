//! Experience and money (DESIGN C10): elasticities of business outcomes to
//! experience with brand fixed effects, what-if, revenue at risk.
//!
//! The experience driver is the brand's weekly survey CSAT (mean overall
//! rating mapped to 0–100) when surveys exist, else its weekly mean
//! experience over all signals on 0–100 (marked in `driver`).

use crate::period::{Coverage, Period};
use crate::scores::Filter;
use crate::{agg_of, round2, InsightError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use tce_analytics::agg::{score_of, Agg};
use tce_analytics::finance::{
    fit_elasticity, revenue_at_risk, Elasticity, Observation, RiskAssumptions, RiskPeriod, WhatIf,
};
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

/// One week of revenue at risk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRiskWeek {
    /// Monday of the week.
    pub week: NaiveDate,
    /// Negative posts about the own brand on public (social) channels.
    pub negative_posts: u64,
    /// Their reach (followers), estimated per day × channel from the day's
    /// reach in proportion to its negative share.
    pub negative_reach: f64,
    /// The own brand's customers that week, from the outcomes.
    pub customers: Option<f64>,
    /// Customers lost (after the cap).
    pub customers_lost: f64,
    /// Capped by the customers.
    pub capped: bool,
    /// The week lies only partly inside the range with data.
    pub partial: bool,
}

/// Revenue at risk from negative public posts (see
/// `tce_analytics::finance::revenue_at_risk` for the model).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AtRisk {
    /// The days it covers.
    pub covers: Option<Coverage>,
    /// Per week.
    pub weeks: Vec<AtRiskWeek>,
    /// Negative public posts about the own brand in the range.
    pub negative_posts: u64,
    /// Customers an average negative post costs (model parameter).
    pub customers_lost_per_negative_post: f64,
    /// Reach of an average public post of the own brand in the range.
    pub average_reach: Option<f64>,
    /// Value of one customer (model parameter).
    pub customer_value: f64,
    /// The customer base capping the total (largest weekly customers).
    pub customer_base: Option<f64>,
    /// Customers lost over the range.
    pub customers_lost: f64,
    /// customers lost × customer value.
    pub amount: f64,
    /// The assumptions, in words, to show beside the figure.
    pub assumptions: Vec<String>,
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

    let f = &model.finance;
    let own = model.own_brand().map(|b| b.id.as_str());
    let at_risk = at_risk(model, store, filter, &rollups, &outcomes, own)?;
    Ok(FinanceReport {
        currency: f.currency.clone(),
        driver: driver_name.into(),
        observations: matched,
        fits,
        rule_of_thumb_sales_pct_per_5pt: f.sales_pct_per_5pt_csat,
        at_risk,
    })
}

fn at_risk(
    model: &Model,
    store: &dyn Store,
    filter: &Filter,
    rollups: &[tce_store::RollupRow],
    outcomes: &[tce_store::OutcomeRow],
    own: Option<&str>,
) -> Result<AtRisk, InsightError> {
    let f = &model.finance;
    let covers = crate::scores::coverage(
        store,
        &Filter {
            brand: own.map(str::to_string),
            channel: None,
            ..filter.clone()
        },
    )?;
    let mut weeks: BTreeMap<NaiveDate, (u64, f64)> = BTreeMap::new();
    let (mut posts, mut reach) = (0u64, 0u64);
    for r in rollups
        .iter()
        .filter(|r| r.touchpoint.is_empty() && Some(r.brand.as_str()) == own)
        .filter(|r| model.channel(&r.channel).is_some_and(|c| c.social))
    {
        posts += r.n;
        reach = reach.saturating_add(r.reach);
        let w = weeks.entry(Period::Week.start(r.day)).or_default();
        w.0 += r.negative;
        if r.n > 0 {
            w.1 += r.reach as f64 * r.negative as f64 / r.n as f64;
        }
    }
    let customers: BTreeMap<NaiveDate, f64> = outcomes
        .iter()
        .filter(|o| Some(o.brand.as_str()) == own)
        .filter_map(|o| Some((Period::Week.start(o.period_start), o.customers?)))
        .collect();
    let inputs: Vec<RiskPeriod> = weeks
        .iter()
        .map(|(w, (neg, r))| RiskPeriod {
            negative_posts: *neg,
            negative_reach: *r,
            customers: customers.get(w).copied(),
        })
        .collect();
    let average_reach = (posts > 0 && reach > 0).then(|| reach as f64 / posts as f64);
    let assumptions = RiskAssumptions {
        customers_lost_per_average_post: f.customers_lost_per_negative_post,
        average_reach,
        customer_value: f.customer_value,
    };
    let est = revenue_at_risk(&inputs, &assumptions);
    let mut words = vec![
        "only negative posts about the own brand on public (social) channels count, week by week"
            .to_string(),
        match average_reach {
            Some(avg) => format!(
                "a post's exposure is its authors' reach; an average post (reach {}) costs {} customers, so {:.4}% of the people reached are lost",
                crate::display::grouped(avg),
                f.customers_lost_per_negative_post,
                100.0 * assumptions.loss_share_of_reach().unwrap_or(0.0)
            ),
            None => format!(
                "no reach is known: every negative post costs {} customers",
                f.customers_lost_per_negative_post
            ),
        },
    ];
    words.push(match est.customer_base {
        Some(b) => format!(
            "each week is capped by that week's customers and the whole range by the customer base ({} customers, the largest week in the outcomes)",
            crate::display::grouped(b)
        ),
        None => "not capped: no customers in the outcomes (tce outcomes import)".to_string(),
    });
    if est.periods.iter().any(|p| p.capped)
        || est.customer_base.is_some_and(|b| est.customers_lost >= b)
    {
        words.push(
            "the cap binds: at these parameters the posts would cost more customers than the brand has — set finance.customers_lost_per_negative_post from your own data"
                .to_string(),
        );
    }
    words.push(format!(
        "a lost customer is worth {} (customer_value)",
        crate::display::money(f.customer_value, &f.currency)
    ));
    let weeks = weeks
        .iter()
        .zip(&est.periods)
        .map(|((w, (neg, r)), e)| AtRiskWeek {
            week: *w,
            negative_posts: *neg,
            negative_reach: r.round(),
            customers: customers.get(w).copied(),
            customers_lost: round2(e.customers_lost),
            capped: e.capped,
            partial: covers.is_some_and(|c| c.is_partial(Period::Week, *w)),
        })
        .collect();
    Ok(AtRisk {
        covers,
        weeks,
        negative_posts: inputs.iter().map(|p| p.negative_posts).sum(),
        customers_lost_per_negative_post: f.customers_lost_per_negative_post,
        average_reach: average_reach.map(round2),
        customer_value: f.customer_value,
        customer_base: est.customer_base,
        customers_lost: round2(est.customers_lost),
        amount: est.amount.round(),
        assumptions: words,
        defaults: f.defaulted.clone(),
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
