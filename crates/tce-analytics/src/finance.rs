//! Linking experience to money (DESIGN C10).
//!
//! The elasticity of revenue to experience is fitted with brand fixed effects:
//!
//! ```text
//! ln(revenue[b,t]) = α_b + β · score[b,t] + ε[b,t]
//! ```
//!
//! by the within transformation (each brand's means removed), so only how a
//! brand's revenue moves with its own experience over time identifies β — not
//! that big brands happen to score differently. β reads as the relative change
//! of revenue per score point; the interval is the t interval of the OLS slope
//! with `n − brands − 1` degrees of freedom.

use crate::AnalyticsError;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::collections::BTreeMap;

/// One brand-period observation.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Brand id.
    pub brand: String,
    /// Experience score of the period (0–100).
    pub score: f64,
    /// The money figure (revenue, customers, visits); must be positive.
    pub value: f64,
}

/// A fitted elasticity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Elasticity {
    /// β: relative change of the figure per score point (0.0014 = +0.14 %).
    pub beta: f64,
    /// Standard error of β.
    pub se: f64,
    /// 95 % confidence interval of β.
    pub ci: [f64; 2],
    /// R² of the within (brand-demeaned) regression.
    pub r2_within: f64,
    /// Observations.
    pub n: usize,
    /// Brands (fixed effects).
    pub brands: usize,
}

/// The answer to "what if the score moved by `delta` points?".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIf {
    /// Score change in points.
    pub delta: f64,
    /// Expected change of the figure, percent.
    pub pct: f64,
    /// 95 % interval of that change, percent.
    pub ci: [f64; 2],
}

/// Fits the fixed-effects elasticity. Needs at least 3 observations more than
/// brands and a score that moves within brands.
pub fn fit_elasticity(obs: &[Observation]) -> Result<Elasticity, AnalyticsError> {
    if let Some(o) = obs
        .iter()
        .find(|o| !(o.value > 0.0 && o.value.is_finite() && o.score.is_finite()))
    {
        return Err(AnalyticsError::Degenerate(format!(
            "brand {}: value {} and score {} (values must be positive)",
            o.brand, o.value, o.score
        )));
    }
    let mut groups: BTreeMap<&str, (f64, f64, f64)> = BTreeMap::new();
    for o in obs {
        let g = groups.entry(&o.brand).or_default();
        g.0 += o.score;
        g.1 += o.value.ln();
        g.2 += 1.0;
    }
    let brands = groups.len();
    let needed = brands + 3;
    if obs.len() < needed {
        return Err(AnalyticsError::NotEnoughData {
            what: "elasticity fit",
            needed,
            got: obs.len(),
        });
    }
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    let demeaned: Vec<(f64, f64)> = obs
        .iter()
        .map(|o| {
            let (sx, sy, n) = groups
                .get(o.brand.as_str())
                .copied()
                .unwrap_or((0.0, 0.0, 1.0));
            (o.score - sx / n, o.value.ln() - sy / n)
        })
        .collect();
    for (x, y) in &demeaned {
        sxx += x * x;
        sxy += x * y;
        syy += y * y;
    }
    if sxx <= 1e-12 {
        return Err(AnalyticsError::Degenerate(
            "the score does not move within any brand".into(),
        ));
    }
    let beta = sxy / sxx;
    let rss: f64 = demeaned.iter().map(|(x, y)| (y - beta * x).powi(2)).sum();
    let dof = (obs.len() - brands - 1) as f64;
    let se = (rss / dof / sxx).sqrt();
    let t = StudentsT::new(0.0, 1.0, dof)
        .map(|d| d.inverse_cdf(0.975))
        .map_err(|e| AnalyticsError::Degenerate(format!("t distribution: {e}")))?;
    Ok(Elasticity {
        beta,
        se,
        ci: [beta - t * se, beta + t * se],
        r2_within: if syy > 0.0 { 1.0 - rss / syy } else { 0.0 },
        n: obs.len(),
        brands,
    })
}

impl Elasticity {
    /// Expected relative change for a score change of `delta` points.
    pub fn what_if(&self, delta: f64) -> WhatIf {
        let pct = |b: f64| 100.0 * ((b * delta).exp() - 1.0);
        let (a, b) = (pct(self.ci[0]), pct(self.ci[1]));
        WhatIf {
            delta,
            pct: pct(self.beta),
            ci: [a.min(b), a.max(b)],
        }
    }
}

/// One period (a week) of negative public posts about a brand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskPeriod {
    /// Negative posts on public (social) channels.
    pub negative_posts: u64,
    /// Their authors' reach (followers), summed.
    pub negative_reach: f64,
    /// The brand's customers in the period, when the outcomes know them.
    pub customers: Option<f64>,
}

/// The assumptions of the revenue-at-risk model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RiskAssumptions {
    /// Customers an average negative post costs (seed default: 30).
    pub customers_lost_per_average_post: f64,
    /// Reach of an average public post of the brand in the range; `None`
    /// when no reach is known (every post then counts as average).
    pub average_reach: Option<f64>,
    /// Value of one customer.
    pub customer_value: f64,
}

impl RiskAssumptions {
    /// Share of the customers a negative post reaches that are lost:
    /// calibrated so that an average post costs
    /// `customers_lost_per_average_post`.
    pub fn loss_share_of_reach(&self) -> Option<f64> {
        self.average_reach
            .filter(|r| *r > 0.0)
            .map(|r| self.customers_lost_per_average_post / r)
    }
}

/// One period's customers lost.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RiskPeriodEstimate {
    /// Exposure in average posts (reach ÷ average reach, or the posts).
    pub exposure: f64,
    /// Customers lost, after the cap.
    pub customers_lost: f64,
    /// Whether the customer base capped the figure.
    pub capped: bool,
}

/// Revenue at risk over several periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskEstimate {
    /// Per period, in input order.
    pub periods: Vec<RiskPeriodEstimate>,
    /// The customer base that caps the total: the largest customer count of
    /// any period, when known.
    pub customer_base: Option<f64>,
    /// Customers lost over all periods (never more than the base).
    pub customers_lost: f64,
    /// `customers_lost × customer_value`.
    pub amount: f64,
}

/// Revenue at risk from negative public posts.
///
/// Per period: exposure = the posts' reach in units of an average post's
/// reach; customers lost = `customers_lost_per_average_post × exposure`,
/// capped by the period's customers when known. Over all periods the loss is
/// capped again by the customer base (the largest period's customers), so
/// the figure can never exceed the value of the customers the brand has.
pub fn revenue_at_risk(periods: &[RiskPeriod], a: &RiskAssumptions) -> RiskEstimate {
    let base = periods
        .iter()
        .filter_map(|p| p.customers)
        .filter(|c| c.is_finite())
        .map(|c| c.max(0.0))
        .fold(None, |acc: Option<f64>, c| {
            Some(acc.map_or(c, |x| x.max(c)))
        });
    let per_post = a.customers_lost_per_average_post.max(0.0);
    let mut out = Vec::with_capacity(periods.len());
    let mut total = 0.0;
    for p in periods {
        let exposure = match a.average_reach.filter(|r| *r > 0.0) {
            Some(avg) => p.negative_reach.max(0.0) / avg,
            None => p.negative_posts as f64,
        };
        let raw = per_post * exposure;
        let cap = p
            .customers
            .filter(|c| c.is_finite())
            .map(|c| c.max(0.0))
            .or(base);
        let lost = cap.map_or(raw, |c| raw.min(c));
        total += lost;
        out.push(RiskPeriodEstimate {
            exposure,
            customers_lost: lost,
            capped: cap.is_some_and(|c| raw > c),
        });
    }
    let customers_lost = base.map_or(total, |b| total.min(b));
    RiskEstimate {
        periods: out,
        customer_base: base,
        customers_lost,
        amount: customers_lost * a.customer_value.max(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};

    #[test]
    fn recovers_planted_elasticity_despite_brand_levels() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let noise = Normal::new(0.0, 0.01).unwrap();
        let mut obs = Vec::new();
        // Bigger brands score lower: a pooled regression would get the sign wrong.
        for (b, (base, level)) in [(1e7, 55.0), (5e6, 65.0), (2e6, 75.0), (1e6, 80.0)]
            .into_iter()
            .enumerate()
        {
            for _ in 0..26 {
                let score: f64 = level + rng.gen_range(-8.0..8.0);
                let value = base * (0.0014 * (score - level) + noise.sample(&mut rng)).exp();
                obs.push(Observation {
                    brand: format!("b{b}"),
                    score,
                    value,
                });
            }
        }
        let e = fit_elasticity(&obs).unwrap();
        assert!(e.ci[0] < 0.0014 && 0.0014 < e.ci[1], "{e:?}");
        assert!((e.beta - 0.0014).abs() < 0.0006, "{e:?}");
        let w = e.what_if(5.0);
        assert!((w.pct - 100.0 * ((5.0 * e.beta).exp() - 1.0)).abs() < 1e-12);
        assert!(w.ci[0] < w.pct && w.pct < w.ci[1]);
        assert_eq!(e.brands, 4);
    }

    #[test]
    fn errors_and_risk() {
        let obs = vec![Observation {
            brand: "a".into(),
            score: 50.0,
            value: 0.0,
        }];
        assert!(matches!(
            fit_elasticity(&obs),
            Err(AnalyticsError::Degenerate(_))
        ));
        let flat: Vec<Observation> = (0..10)
            .map(|i| Observation {
                brand: "a".into(),
                score: 60.0,
                value: 100.0 + f64::from(i),
            })
            .collect();
        assert!(matches!(
            fit_elasticity(&flat),
            Err(AnalyticsError::Degenerate(_))
        ));
    }

    fn assumptions(avg: Option<f64>) -> RiskAssumptions {
        RiskAssumptions {
            customers_lost_per_average_post: 30.0,
            average_reach: avg,
            customer_value: 250.0,
        }
    }

    #[test]
    fn an_average_post_costs_the_labelled_default() {
        let one = [RiskPeriod {
            negative_posts: 1,
            negative_reach: 400.0,
            customers: None,
        }];
        let r = revenue_at_risk(&one, &assumptions(Some(400.0)));
        assert!((r.customers_lost - 30.0).abs() < 1e-9);
        assert!((r.amount - 7_500.0).abs() < 1e-6);
        // Without reach every post counts as average.
        let r = revenue_at_risk(&one, &assumptions(None));
        assert!((r.customers_lost - 30.0).abs() < 1e-9);
        // Twice the reach, twice the loss.
        let two = [RiskPeriod {
            negative_reach: 800.0,
            ..one[0]
        }];
        let r = revenue_at_risk(&two, &assumptions(Some(400.0)));
        assert!((r.customers_lost - 60.0).abs() < 1e-9);
    }

    #[test]
    fn revenue_at_risk_never_exceeds_the_customers_value() {
        // Property-style over random inputs (fixed seed): whatever the posts
        // and reach, the amount stays within the customer base's value.
        let mut rng = ChaCha8Rng::seed_from_u64(10);
        for _ in 0..2_000 {
            let weeks = rng.gen_range(1..30);
            let known = rng.gen_bool(0.8);
            let periods: Vec<RiskPeriod> = (0..weeks)
                .map(|_| RiskPeriod {
                    negative_posts: rng.gen_range(0..20_000),
                    negative_reach: rng.gen_range(0.0..1e9),
                    customers: (known || rng.gen_bool(0.5)).then(|| rng.gen_range(0.0..1e6)),
                })
                .collect();
            let a = RiskAssumptions {
                customers_lost_per_average_post: rng.gen_range(0.0..500.0),
                average_reach: rng.gen_bool(0.9).then(|| rng.gen_range(1.0..1e5)),
                customer_value: rng.gen_range(0.0..5_000.0),
            };
            let r = revenue_at_risk(&periods, &a);
            if let Some(base) = periods.iter().filter_map(|p| p.customers).reduce(f64::max) {
                assert!(r.customers_lost <= base + 1e-6, "{r:?}");
                assert!(r.amount <= base * a.customer_value * (1.0 + 1e-12) + 1e-6);
            }
            for (p, e) in periods.iter().zip(&r.periods) {
                if let Some(c) = p.customers {
                    assert!(e.customers_lost <= c + 1e-6);
                }
            }
            assert!(r.amount >= 0.0 && r.amount.is_finite());
        }
    }
}
