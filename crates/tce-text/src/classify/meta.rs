//! The combiner: a multinomial logistic regression over a few dense inputs
//! (the views' out-of-fold class scores and the caller's standardised rule
//! evidence). Fitting it on out-of-fold scores is what calibrates the
//! classifier's probabilities and weighs the views against each other
//! (stacked generalisation, Wolpert 1992).
//!
//! The weights are shrunk toward a prior — the plain sum of the views'
//! scores — rather than toward zero, so with few examples (where
//! out-of-fold scores are noisy) the combiner falls back to a sane ensemble.
//! The problem is small (tens of inputs), so it is solved to convergence by
//! full-batch L-BFGS in `f64`: deterministic and free of learning rates.

/// A fitted softmax regression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Softmax {
    pub(crate) classes: usize,
    pub(crate) inputs: usize,
    /// `classes × inputs`, row-major.
    pub(crate) weights: Vec<f32>,
    pub(crate) bias: Vec<f32>,
}

impl Softmax {
    /// Class logits of one input row.
    pub(crate) fn logits(&self, z: &[f32], out: &mut [f32]) {
        for (k, o) in out.iter_mut().enumerate().take(self.classes) {
            let row = &self.weights[k * self.inputs..(k + 1) * self.inputs];
            *o = self.bias[k] + row.iter().zip(z).map(|(w, x)| w * x).sum::<f32>();
        }
    }

    /// Fits `classes` classes to `z` (`n × inputs`, row-major) with labels
    /// `y` and example weights `weight`, minimising the weighted mean
    /// log-loss plus `lambda/2 · ‖W − prior‖²` (`prior` is `classes ×
    /// inputs`, row-major; the biases are not penalised). With little data
    /// the weights stay near `prior`.
    pub(crate) fn fit(
        z: &[f32],
        inputs: usize,
        y: &[usize],
        weight: &[f64],
        prior: &[f32],
        lambda: f64,
    ) -> Softmax {
        let classes = prior.len() / inputs.max(1);
        let n = y.len();
        let total: f64 = weight.iter().sum::<f64>().max(1e-12);
        let params = classes * (inputs + 1);
        let objective = |theta: &[f64], grad: &mut [f64]| -> f64 {
            grad.iter_mut().for_each(|g| *g = 0.0);
            let mut loss = 0.0;
            let mut p = vec![0.0f64; classes];
            for i in 0..n {
                let zi = &z[i * inputs..(i + 1) * inputs];
                for (k, pk) in p.iter_mut().enumerate() {
                    let row = &theta[k * (inputs + 1)..(k + 1) * (inputs + 1)];
                    *pk = row[inputs]
                        + row[..inputs]
                            .iter()
                            .zip(zi)
                            .map(|(w, &x)| w * f64::from(x))
                            .sum::<f64>();
                }
                let max = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let sum: f64 = p.iter().map(|l| (l - max).exp()).sum();
                let log_norm = max + sum.ln();
                let wi = weight[i] / total;
                loss -= wi * (p[y[i]] - log_norm);
                for (k, pk) in p.iter().enumerate() {
                    let d = wi * ((pk - log_norm).exp() - if k == y[i] { 1.0 } else { 0.0 });
                    let g = &mut grad[k * (inputs + 1)..(k + 1) * (inputs + 1)];
                    for (gj, &x) in g[..inputs].iter_mut().zip(zi) {
                        *gj += d * f64::from(x);
                    }
                    g[inputs] += d;
                }
            }
            for k in 0..classes {
                for j in 0..inputs {
                    let at = k * (inputs + 1) + j;
                    let d = theta[at] - f64::from(prior[k * inputs + j]);
                    loss += 0.5 * lambda * d * d;
                    grad[at] += lambda * d;
                }
            }
            loss
        };
        let mut theta = vec![0.0f64; params];
        for k in 0..classes {
            for j in 0..inputs {
                theta[k * (inputs + 1) + j] = f64::from(prior[k * inputs + j]);
            }
        }
        lbfgs(objective, &mut theta, 300);
        let mut weights = Vec::with_capacity(classes * inputs);
        let mut bias = Vec::with_capacity(classes);
        for row in theta.chunks_exact(inputs + 1) {
            weights.extend(row[..inputs].iter().map(|&w| w as f32));
            bias.push(row[inputs] as f32);
        }
        Softmax {
            classes,
            inputs,
            weights,
            bias,
        }
    }
}

/// Softmax of `logits` in place.
pub(crate) fn softmax(logits: &mut [f32]) {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for l in logits.iter_mut() {
        *l = (*l - max).exp();
        sum += *l;
    }
    if sum > 0.0 {
        logits.iter_mut().for_each(|l| *l /= sum);
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimises `f` (which returns the value and writes the gradient) from `x`
/// by L-BFGS with 10 corrections and a backtracking Armijo line search.
fn lbfgs(mut f: impl FnMut(&[f64], &mut [f64]) -> f64, x: &mut [f64], max_iter: usize) {
    const MEMORY: usize = 10;
    let dim = x.len();
    let mut g = vec![0.0; dim];
    let mut fx = f(x, &mut g);
    let mut history: Vec<(Vec<f64>, Vec<f64>, f64)> = Vec::with_capacity(MEMORY);
    let mut x_new = vec![0.0; dim];
    let mut g_new = vec![0.0; dim];
    for iter in 0..max_iter {
        if g.iter().fold(0.0f64, |m, v| m.max(v.abs())) < 1e-7 {
            break;
        }
        // Two-loop recursion: d = −H·g.
        let mut d: Vec<f64> = g.iter().map(|v| -v).collect();
        let mut a = vec![0.0; history.len()];
        for (h, (s, y, rho)) in history.iter().enumerate().rev() {
            a[h] = rho * dot(s, &d);
            d.iter_mut().zip(y).for_each(|(di, yi)| *di -= a[h] * yi);
        }
        if let Some((s, y, _)) = history.last() {
            let gamma = dot(s, y) / dot(y, y).max(1e-300);
            d.iter_mut().for_each(|di| *di *= gamma);
        }
        for (h, (s, y, rho)) in history.iter().enumerate() {
            let b = rho * dot(y, &d);
            d.iter_mut()
                .zip(s)
                .for_each(|(di, si)| *di += (a[h] - b) * si);
        }
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            history.clear();
            d = g.iter().map(|v| -v).collect();
            slope = dot(&g, &d);
        }
        let mut step = if iter == 0 && history.is_empty() {
            1.0 / dot(&g, &g).sqrt().max(1.0)
        } else {
            1.0
        };
        let mut accepted = false;
        let mut f_new = fx;
        for _ in 0..40 {
            for ((xn, xi), di) in x_new.iter_mut().zip(x.iter()).zip(&d) {
                *xn = xi + step * di;
            }
            f_new = f(&x_new, &mut g_new);
            if f_new.is_finite() && f_new <= fx + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            break;
        }
        let s: Vec<f64> = x_new.iter().zip(x.iter()).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 {
            if history.len() == MEMORY {
                history.remove(0);
            }
            history.push((s, y, 1.0 / sy));
        }
        x.copy_from_slice(&x_new);
        g.copy_from_slice(&g_new);
        let improvement = fx - f_new;
        fx = f_new;
        if improvement.abs() <= 1e-10 * fx.abs().max(1.0) {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lbfgs_minimises_a_quadratic() {
        let mut x = vec![0.0, 0.0];
        lbfgs(
            |x, g| {
                g[0] = 2.0 * (x[0] - 3.0);
                g[1] = 20.0 * (x[1] + 1.0);
                (x[0] - 3.0).powi(2) + 10.0 * (x[1] + 1.0).powi(2)
            },
            &mut x,
            100,
        );
        assert!(
            (x[0] - 3.0).abs() < 1e-5 && (x[1] + 1.0).abs() < 1e-5,
            "{x:?}"
        );
    }

    #[test]
    fn softmax_regression_separates() {
        let z = [-2.0f32, -1.0, 1.0, 2.0];
        let y = [0, 0, 1, 1];
        let m = Softmax::fit(&z, 1, &y, &[1.0; 4], &[0.0, 0.0], 1e-3);
        let mut out = [0.0; 2];
        m.logits(&[1.5], &mut out);
        softmax(&mut out);
        assert!(out[1] > 0.9, "{out:?}");
    }
}
