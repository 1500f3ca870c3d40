//! Is a change real? Welch's two-sample t-test on the experience values
//! behind two periods, from their additive aggregates (n, Σev, Σev²) alone.
//!
//! Scores are affine in the mean experience value (`score = 50 · (ev + 1)`),
//! so the test on experience values is the test on the score's raw mean.

use crate::agg::Agg;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The outcome of Welch's t-test between a current and a previous period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Welch {
    /// t statistic (current − previous).
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Welch's t-test of `current` against `previous`; `None` when either has
/// fewer than two signals or both have no spread at all.
pub fn welch(current: &Agg, previous: &Agg) -> Option<Welch> {
    let (m1, v1) = (current.mean()?, current.variance()?);
    let (m2, v2) = (previous.mean()?, previous.variance()?);
    let (n1, n2) = (current.n as f64, previous.n as f64);
    let (a, b) = (v1 / n1, v2 / n2);
    let se2 = a + b;
    if se2 <= 0.0 {
        return None;
    }
    let t = (m1 - m2) / se2.sqrt();
    let df = se2 * se2 / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0));
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    let p_value = (2.0 * (1.0 - dist.cdf(t.abs()))).clamp(0.0, 1.0);
    Some(Welch { t, df, p_value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agg(n: u64, mean: f64, sd: f64) -> Agg {
        let nf = n as f64;
        // Sample variance sd² exactly: Σev² = (n−1)·sd² + n·mean².
        Agg {
            n,
            sum_ev: nf * mean,
            sum_ev2: (nf - 1.0) * sd * sd + nf * mean * mean,
            ..Agg::default()
        }
    }

    #[test]
    fn matches_a_hand_computed_welch_test() {
        // n 50/40, means 0.2/0.0, sd 0.5/0.6: t = 0.2 / sqrt(0.005 + 0.009)
        let w = welch(&agg(50, 0.2, 0.5), &agg(40, 0.0, 0.6)).unwrap();
        assert!((w.t - 0.2 / 0.014f64.sqrt()).abs() < 1e-9, "{w:?}");
        let df = 0.014f64.powi(2) / (0.005f64.powi(2) / 49.0 + 0.009f64.powi(2) / 39.0);
        assert!((w.df - df).abs() < 1e-9);
        // t = 1.690 on 75.8 degrees of freedom: two-sided p ≈ 0.095 (t table).
        assert!((w.p_value - 0.0945).abs() < 0.002, "{w:?}");
    }

    #[test]
    fn too_little_data_gives_no_test() {
        assert_eq!(welch(&agg(1, 0.5, 0.0), &agg(30, 0.0, 0.5)), None);
        assert_eq!(welch(&agg(5, 0.5, 0.0), &agg(5, 0.5, 0.0)), None);
    }
}
