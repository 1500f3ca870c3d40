//! Count distributions for the tests: negative binomial (Poisson when the
//! dispersion is 1) parameterised by mean and variance-to-mean ratio, and
//! the binomial for the negative share. Thin wrappers over statrs.

use statrs::distribution::{Binomial, DiscreteCDF, NegativeBinomial, Poisson};

/// Dispersion below which the Poisson is used.
const POISSON_BELOW: f64 = 1.0 + 1e-6;

enum Counts {
    Poisson(Poisson),
    NegBin(NegativeBinomial),
}

impl Counts {
    /// Mean `mean`, variance `mean * dispersion` (NB1: the quasi-Poisson
    /// variance); `None` only for a non-finite or non-positive mean.
    fn new(mean: f64, dispersion: f64) -> Option<Counts> {
        if !(mean.is_finite() && mean > 0.0) {
            return None;
        }
        if !(dispersion.is_finite() && dispersion > POISSON_BELOW) {
            return Poisson::new(mean).ok().map(Counts::Poisson);
        }
        // variance = mean + mean^2 / r  =>  r = mean / (dispersion - 1);
        // statrs' success probability p gives mean r(1-p)/p.
        let r = mean / (dispersion - 1.0);
        let p = r / (r + mean);
        NegativeBinomial::new(r, p).ok().map(Counts::NegBin)
    }

    fn cdf(&self, x: u64) -> f64 {
        match self {
            Counts::Poisson(d) => d.cdf(x),
            Counts::NegBin(d) => d.cdf(x),
        }
    }

    fn sf(&self, x: u64) -> f64 {
        match self {
            Counts::Poisson(d) => d.sf(x),
            Counts::NegBin(d) => d.sf(x),
        }
    }
}

/// P(X >= x) for a count with this mean and dispersion.
pub(crate) fn upper_tail(mean: f64, dispersion: f64, x: u64) -> f64 {
    if x == 0 {
        return 1.0;
    }
    match Counts::new(mean, dispersion) {
        Some(d) => clamp_p(d.sf(x - 1)),
        None => 0.0,
    }
}

/// Smallest k with P(X <= k) >= q.
pub(crate) fn quantile(mean: f64, dispersion: f64, q: f64) -> u64 {
    match Counts::new(mean, dispersion) {
        Some(d) => search(|k| d.cdf(k), q, mean),
        None => 0,
    }
}

/// P(X >= k) for X ~ Binomial(n, p).
pub(crate) fn binomial_upper_tail(n: u64, p: f64, k: u64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    match Binomial::new(p.clamp(0.0, 1.0), n) {
        Ok(d) => clamp_p(d.sf(k - 1)),
        Err(_) => 1.0,
    }
}

/// Smallest k with P(X <= k) >= q for X ~ Binomial(n, p).
pub(crate) fn binomial_quantile(n: u64, p: f64, q: f64) -> u64 {
    match Binomial::new(p.clamp(0.0, 1.0), n) {
        Ok(d) => search(|k| d.cdf(k), q, n as f64 * p).min(n),
        Err(_) => 0,
    }
}

fn clamp_p(p: f64) -> f64 {
    if p.is_nan() {
        1.0
    } else {
        p.clamp(0.0, 1.0)
    }
}

/// Exponential then binary search of a monotone cdf.
fn search(cdf: impl Fn(u64) -> f64, q: f64, mean: f64) -> u64 {
    let mut hi = (mean.max(1.0) * 2.0).min(1e15) as u64;
    let mut steps = 0;
    while cdf(hi) < q && steps < 60 {
        hi = hi.saturating_mul(2);
        steps += 1;
    }
    let mut lo = 0u64;
    if cdf(0) >= q {
        return 0;
    }
    // invariant: cdf(lo) < q <= cdf(hi)
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if cdf(mid) >= q {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}
