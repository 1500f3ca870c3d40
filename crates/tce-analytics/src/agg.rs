//! Additive sufficient statistics of experience values.
//!
//! Every score is computed from these sums, so the store can keep them per
//! day × brand × touchpoint × channel and any period or slice is a sum of rows.

use serde::Serialize;

/// Sums over a set of signals. Adding two `Agg`s gives the `Agg` of the union.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Agg {
    /// Number of signals.
    pub n: u64,
    /// Sum of experience values (each in −1..1).
    pub sum_ev: f64,
    /// Sum of squared experience values.
    pub sum_ev2: f64,
    /// Signals labelled positive.
    pub positive: u64,
    /// Signals labelled neutral.
    pub neutral: u64,
    /// Signals labelled negative.
    pub negative: u64,
    /// Sum of the authors' follower counts.
    pub reach: u64,
    /// Signals with the complaint intent.
    pub complaints: u64,
}

impl Agg {
    /// Adds `other` into `self`.
    pub fn add(&mut self, other: &Agg) {
        self.n += other.n;
        self.sum_ev += other.sum_ev;
        self.sum_ev2 += other.sum_ev2;
        self.positive += other.positive;
        self.neutral += other.neutral;
        self.negative += other.negative;
        self.reach = self.reach.saturating_add(other.reach);
        self.complaints += other.complaints;
    }

    /// Mean experience value, `None` without signals.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum_ev / self.n as f64)
    }

    /// Sample variance of experience values, `None` below two signals.
    pub fn variance(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        let n = self.n as f64;
        let mean = self.sum_ev / n;
        Some(((self.sum_ev2 - n * mean * mean) / (n - 1.0)).max(0.0))
    }

    /// Net Sentiment: share of positive minus share of negative signals, in
    /// percentage points (−100..100). `None` without signals.
    pub fn net_sentiment(&self) -> Option<f64> {
        (self.n > 0).then(|| 100.0 * (self.positive as f64 - self.negative as f64) / self.n as f64)
    }
}

/// Maps an experience value (−1..1) to the 0–100 score scale.
pub fn score_of(ev: f64) -> f64 {
    50.0 * (ev.clamp(-1.0, 1.0) + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_and_moments() {
        // Signals with experience values 0.5, 0.5 and −1.
        let mut a = Agg {
            n: 2,
            sum_ev: 1.0,
            sum_ev2: 0.5,
            positive: 2,
            ..Agg::default()
        };
        let b = Agg {
            n: 1,
            sum_ev: -1.0,
            sum_ev2: 1.0,
            negative: 1,
            ..Agg::default()
        };
        a.add(&b);
        assert_eq!(a.n, 3);
        assert!((a.mean().unwrap() - 0.0).abs() < 1e-12);
        assert!((a.variance().unwrap() - 0.75).abs() < 1e-12);
        assert!((a.net_sentiment().unwrap() - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(Agg::default().mean(), None);
        assert_eq!(score_of(0.0), 50.0);
        assert_eq!(score_of(-1.0), 0.0);
    }
}
