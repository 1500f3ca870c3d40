//! Key-driver analysis: how much each driver (e.g. a stage score) explains an
//! outcome (e.g. the overall survey rating) — DESIGN C5, horizontal weights.
//!
//! Up to [`MAX_EXACT_DRIVERS`] drivers the R² of the linear model is split by
//! its exact Shapley decomposition over all driver orderings (Lindeman,
//! Merenda & Gold's LMG): each driver gets its average marginal R² over all
//! subsets of the others. The R² of every subset comes from the correlation
//! matrix (`R²(S) = r_S' · R_SS⁻¹ · r_S`), so the cost is 2^p small Cholesky
//! solves and does not grow with the number of observations. Beyond that,
//! Johnson's (2000) relative weights approximate LMG through the orthogonal
//! counterpart of the drivers. Confidence intervals are percentile bootstrap
//! intervals of the normalised weights.

use crate::AnalyticsError;
use nalgebra::{DMatrix, DVector};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// The largest number of drivers decomposed exactly (2^12 subsets).
pub const MAX_EXACT_DRIVERS: usize = 12;

/// How the R² was decomposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Exact Shapley decomposition of R² (LMG).
    Lmg,
    /// Johnson's relative weights.
    RelativeWeights,
}

/// One driver's weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Driver {
    /// Driver name.
    pub name: String,
    /// Share of the explained variance (weights sum to 1).
    pub weight: f64,
    /// The driver's part of R² (shares × R²).
    pub r2_part: f64,
    /// 95 % percentile bootstrap interval of `weight`.
    pub ci: [f64; 2],
}

/// The result of a key-driver analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriverWeights {
    /// Decomposition used.
    pub method: Method,
    /// R² of the full linear model.
    pub r2: f64,
    /// Observations used.
    pub n: usize,
    /// Bootstrap resamples that produced a result.
    pub bootstrap: usize,
    /// Drivers in input order.
    pub drivers: Vec<Driver>,
}

/// Options of [`key_drivers`].
#[derive(Debug, Clone, Copy)]
pub struct DriverOptions {
    /// Bootstrap resamples (0: no intervals, they equal the point estimate).
    pub bootstrap: usize,
    /// Seed of the resampling.
    pub seed: u64,
}

impl Default for DriverOptions {
    fn default() -> Self {
        DriverOptions {
            bootstrap: 200,
            seed: 7,
        }
    }
}

/// Splits the R² of `y ~ x` over the drivers. `x` holds one row per
/// observation with one value per driver (`names.len()`).
pub fn key_drivers(
    names: &[String],
    x: &[Vec<f64>],
    y: &[f64],
    opts: DriverOptions,
) -> Result<DriverWeights, AnalyticsError> {
    let p = names.len();
    if p == 0 {
        return Err(AnalyticsError::Shape("no drivers".into()));
    }
    if x.len() != y.len() || x.iter().any(|r| r.len() != p) {
        return Err(AnalyticsError::Shape(format!(
            "{} outcome values, {} driver rows, each should have {p} values",
            y.len(),
            x.len()
        )));
    }
    let needed = p + 3;
    if y.len() < needed {
        return Err(AnalyticsError::NotEnoughData {
            what: "key-driver analysis",
            needed,
            got: y.len(),
        });
    }
    let all: Vec<usize> = (0..y.len()).collect();
    let corr = correlation(x, y, &all).map_err(|j| {
        let what = names.get(j).map_or("the outcome", String::as_str);
        AnalyticsError::Degenerate(format!("{what} does not vary"))
    })?;
    let method = if p <= MAX_EXACT_DRIVERS {
        Method::Lmg
    } else {
        Method::RelativeWeights
    };
    let (parts, r2) = decompose(&corr, p, method)?;

    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(opts.bootstrap); p];
    let mut done = 0;
    let mut idx = vec![0usize; y.len()];
    for _ in 0..opts.bootstrap {
        idx.iter_mut().for_each(|i| *i = rng.gen_range(0..y.len()));
        let Ok(c) = correlation(x, y, &idx) else {
            continue;
        };
        let Ok((bp, br2)) = decompose(&c, p, method) else {
            continue;
        };
        if br2 <= 0.0 {
            continue;
        }
        for (s, v) in samples.iter_mut().zip(&bp) {
            s.push(v / br2);
        }
        done += 1;
    }
    let drivers = names
        .iter()
        .zip(&parts)
        .zip(samples.iter_mut())
        .map(|((name, part), s)| {
            let weight = if r2 > 0.0 { part / r2 } else { 1.0 / p as f64 };
            let ci = if s.is_empty() {
                [weight, weight]
            } else {
                s.sort_by(f64::total_cmp);
                [quantile(s, 0.025), quantile(s, 0.975)]
            };
            Driver {
                name: name.clone(),
                weight,
                r2_part: *part,
                ci,
            }
        })
        .collect();
    Ok(DriverWeights {
        method,
        r2,
        n: y.len(),
        bootstrap: done,
        drivers,
    })
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let (a, b) = (
        sorted[lo.min(sorted.len() - 1)],
        sorted[hi.min(sorted.len() - 1)],
    );
    a + (b - a) * (pos - lo as f64)
}

/// Correlation matrix of the drivers followed by the outcome (last index),
/// over the rows `idx`. `Err(j)` when variable `j` is constant (j = p: outcome).
fn correlation(x: &[Vec<f64>], y: &[f64], idx: &[usize]) -> Result<DMatrix<f64>, usize> {
    let p = x.first().map_or(0, Vec::len);
    let k = p + 1;
    let n = idx.len() as f64;
    let mut mean = vec![0.0; k];
    for &i in idx {
        for (j, m) in mean.iter_mut().enumerate() {
            *m += value(x, y, i, j, p);
        }
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut cov = DMatrix::<f64>::zeros(k, k);
    let mut row = vec![0.0; k];
    for &i in idx {
        for (j, r) in row.iter_mut().enumerate() {
            *r = value(x, y, i, j, p) - mean[j];
        }
        for a in 0..k {
            for b in 0..=a {
                cov[(a, b)] += row[a] * row[b];
            }
        }
    }
    let sd: Vec<f64> = (0..k).map(|a| cov[(a, a)].sqrt()).collect();
    if let Some(j) = sd.iter().position(|s| *s <= 1e-12 * n.max(1.0)) {
        return Err(j);
    }
    let mut corr = DMatrix::<f64>::identity(k, k);
    for a in 0..k {
        for b in 0..a {
            let c = cov[(a, b)] / (sd[a] * sd[b]);
            corr[(a, b)] = c;
            corr[(b, a)] = c;
        }
    }
    Ok(corr)
}

fn value(x: &[Vec<f64>], y: &[f64], i: usize, j: usize, p: usize) -> f64 {
    if j == p {
        y[i]
    } else {
        x[i][j]
    }
}

/// R² parts per driver and the full R².
fn decompose(
    corr: &DMatrix<f64>,
    p: usize,
    method: Method,
) -> Result<(Vec<f64>, f64), AnalyticsError> {
    match method {
        Method::Lmg => lmg(corr, p),
        Method::RelativeWeights => relative_weights(corr, p),
    }
}

/// R² of the outcome on the drivers in `mask`.
fn subset_r2(corr: &DMatrix<f64>, p: usize, mask: u32) -> Option<f64> {
    let members: Vec<usize> = (0..p).filter(|j| mask & (1 << j) != 0).collect();
    if members.is_empty() {
        return Some(0.0);
    }
    let m = members.len();
    let rss = DMatrix::from_fn(m, m, |a, b| corr[(members[a], members[b])]);
    let r = DVector::from_fn(m, |a, _| corr[(members[a], p)]);
    let chol = rss.cholesky()?;
    let beta = chol.solve(&r);
    Some(r.dot(&beta).clamp(0.0, 1.0))
}

fn lmg(corr: &DMatrix<f64>, p: usize) -> Result<(Vec<f64>, f64), AnalyticsError> {
    let subsets = 1usize << p;
    let mut r2 = vec![0.0; subsets];
    for (mask, v) in r2.iter_mut().enumerate() {
        *v = subset_r2(corr, p, mask as u32)
            .ok_or_else(|| AnalyticsError::Degenerate("drivers are perfectly collinear".into()))?;
    }
    // Shapley weight of a subset of size s not containing j: s!(p−s−1)!/p!.
    let mut fact = vec![1.0f64; p + 1];
    for i in 1..=p {
        fact[i] = fact[i - 1] * i as f64;
    }
    let weight: Vec<f64> = (0..p)
        .map(|s| fact[s] * fact[p - s - 1] / fact[p])
        .collect();
    let mut parts = vec![0.0; p];
    for mask in 0..subsets {
        let size = (mask as u32).count_ones() as usize;
        for (j, part) in parts.iter_mut().enumerate() {
            if mask & (1 << j) == 0 {
                *part += weight[size] * (r2[mask | (1 << j)] - r2[mask]);
            }
        }
    }
    Ok((parts, r2[subsets - 1]))
}

fn relative_weights(corr: &DMatrix<f64>, p: usize) -> Result<(Vec<f64>, f64), AnalyticsError> {
    let rxx = corr.view((0, 0), (p, p)).into_owned();
    let rxy = DVector::from_fn(p, |a, _| corr[(a, p)]);
    let eig = rxx.symmetric_eigen();
    if eig.eigenvalues.iter().any(|l| *l <= 1e-12) {
        return Err(AnalyticsError::Degenerate(
            "drivers are perfectly collinear".into(),
        ));
    }
    let sqrt_l = DMatrix::from_diagonal(&eig.eigenvalues.map(f64::sqrt));
    let lambda = &eig.eigenvectors * sqrt_l * eig.eigenvectors.transpose();
    let inv = lambda
        .clone()
        .try_inverse()
        .ok_or_else(|| AnalyticsError::Degenerate("drivers are perfectly collinear".into()))?;
    let beta = inv * rxy;
    let parts: Vec<f64> = (0..p)
        .map(|j| {
            (0..p)
                .map(|k| lambda[(j, k)].powi(2) * beta[k].powi(2))
                .sum()
        })
        .collect();
    let r2 = parts.iter().sum();
    Ok((parts, r2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_distr::{Distribution, StandardNormal};

    fn world(weights: &[f64], n: usize, corr_shared: f64, seed: u64) -> (Vec<Vec<f64>>, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut x = Vec::with_capacity(n);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let shared: f64 = StandardNormal.sample(&mut rng);
            let row: Vec<f64> = weights
                .iter()
                .map(|_| {
                    let own: f64 = StandardNormal.sample(&mut rng);
                    own + corr_shared * shared
                })
                .collect();
            let noise: f64 = StandardNormal.sample(&mut rng);
            y.push(
                row.iter()
                    .zip(weights)
                    .map(|(v, w)| w.sqrt() * v)
                    .sum::<f64>()
                    + 0.5 * noise,
            );
            x.push(row);
        }
        (x, y)
    }

    fn names(p: usize) -> Vec<String> {
        (0..p).map(|i| format!("d{i}")).collect()
    }

    #[test]
    fn lmg_recovers_shares_of_independent_drivers() {
        let w = [0.4, 0.3, 0.2, 0.1];
        let (x, y) = world(&w, 20_000, 0.0, 1);
        let r = key_drivers(
            &names(4),
            &x,
            &y,
            DriverOptions {
                bootstrap: 50,
                seed: 3,
            },
        )
        .unwrap();
        assert_eq!(r.method, Method::Lmg);
        assert!((r.drivers.iter().map(|d| d.weight).sum::<f64>() - 1.0).abs() < 1e-9);
        for (d, w) in r.drivers.iter().zip(w) {
            assert!((d.weight - w).abs() < 0.02, "{d:?} vs {w}");
            assert!(d.ci[0] <= d.weight && d.weight <= d.ci[1]);
        }
        // var(signal) = 1, var(noise) = 0.25 → R² = 0.8
        assert!((r.r2 - 0.8).abs() < 0.02, "{}", r.r2);
    }

    #[test]
    fn lmg_equals_brute_force_over_orderings() {
        // Correlated drivers: LMG = average over all p! orderings of the marginal R².
        let (x, y) = world(&[0.5, 0.3, 0.2], 2_000, 0.8, 5);
        let all: Vec<usize> = (0..y.len()).collect();
        let c = correlation(&x, &y, &all).unwrap();
        let (parts, r2) = lmg(&c, 3).unwrap();
        let orders = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        let mut brute = [0.0; 3];
        for o in orders {
            let mut mask = 0u32;
            for j in o {
                let before = subset_r2(&c, 3, mask).unwrap();
                mask |= 1 << j;
                brute[j] += (subset_r2(&c, 3, mask).unwrap() - before) / 6.0;
            }
        }
        for j in 0..3 {
            assert!((parts[j] - brute[j]).abs() < 1e-12);
        }
        assert!((parts.iter().sum::<f64>() - r2).abs() < 1e-12);
    }

    #[test]
    fn relative_weights_close_to_lmg() {
        let (x, y) = world(&[0.35, 0.25, 0.2, 0.12, 0.08], 5_000, 0.5, 9);
        let all: Vec<usize> = (0..y.len()).collect();
        let c = correlation(&x, &y, &all).unwrap();
        let (a, r2a) = lmg(&c, 5).unwrap();
        let (b, r2b) = relative_weights(&c, 5).unwrap();
        assert!((r2a - r2b).abs() < 1e-9);
        for j in 0..5 {
            assert!((a[j] - b[j]).abs() < 0.02, "{a:?} {b:?}");
        }
    }

    #[test]
    fn errors_name_the_problem() {
        let x = vec![vec![1.0, 2.0]; 10];
        let y: Vec<f64> = (0..10).map(f64::from).collect();
        let e = key_drivers(&names(2), &x, &y, DriverOptions::default()).unwrap_err();
        assert_eq!(e, AnalyticsError::Degenerate("d0 does not vary".into()));
        let e = key_drivers(&names(2), &x[..3], &y[..3], DriverOptions::default()).unwrap_err();
        assert!(matches!(e, AnalyticsError::NotEnoughData { .. }));
    }
}
