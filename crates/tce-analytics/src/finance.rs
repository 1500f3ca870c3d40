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

/// Revenue at risk from negative posts: posts × customers lost per negative
/// post × value of a customer.
pub fn revenue_at_risk(
    negative_posts: u64,
    customers_lost_per_negative_post: f64,
    customer_value: f64,
) -> f64 {
    negative_posts as f64 * customers_lost_per_negative_post * customer_value
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
        assert_eq!(revenue_at_risk(10, 30.0, 250.0), 75_000.0);
    }
}
