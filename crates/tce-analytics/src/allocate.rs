//! Budget allocation over social channel × stage cells (DESIGN C6).
//!
//! Each cell's expected TCE gain from spend `x` is
//!
//! ```text
//! gain(x) = value · (1 − exp(−x / saturation)),   value = stage weight × channel influence × gap
//! ```
//!
//! a concave response with diminishing returns: the first money in a cell
//! buys the most, and at `x = saturation` 63 % of the cell's potential is
//! reached. The budget is split in `steps` equal units; each unit goes to the
//! cell with the largest marginal gain. For a separable concave objective
//! under a total budget and per-channel upper bounds this greedy allocation is
//! optimal (the constraints form a laminar family); per-channel minimums are
//! met first with each channel's own best cells. Tests check it against brute
//! force.

use serde::Serialize;
use std::collections::{BTreeMap, BinaryHeap};

/// A cell the budget can go to.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Social channel id.
    pub channel: String,
    /// Stage id.
    pub stage: String,
    /// The stage's weight (0..1).
    pub stage_weight: f64,
    /// The channel's influence on the stage (0..1).
    pub influence: f64,
    /// Performance gap of the stage, in score points (0..100).
    pub gap: f64,
}

impl Cell {
    /// The cell's potential: stage weight × influence × gap.
    pub fn value(&self) -> f64 {
        (self.stage_weight * self.influence * self.gap).max(0.0)
    }
}

/// The concave spend response shared by all cells.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Response {
    /// Spend at which a cell reaches 63 % of its potential (currency units).
    pub saturation: f64,
}

impl Response {
    /// Expected gain of spending `x` on a cell of potential `value`.
    pub fn gain(&self, value: f64, x: f64) -> f64 {
        if self.saturation <= 0.0 {
            return value;
        }
        value * (1.0 - (-x / self.saturation).exp())
    }
}

/// Per-channel bounds on the channel's total spend.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bounds {
    /// Minimum total per channel.
    pub min: BTreeMap<String, f64>,
    /// Maximum total per channel.
    pub max: BTreeMap<String, f64>,
}

/// One line of an allocation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// Channel id.
    pub channel: String,
    /// Stage id.
    pub stage: String,
    /// Amount allocated.
    pub amount: f64,
    /// Expected TCE gain of that amount (index points).
    pub expected_gain: f64,
    /// Why: weight, influence, gap.
    pub reason: String,
}

/// An allocation of the whole budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allocation {
    /// The budget.
    pub budget: f64,
    /// Lines with a positive amount, largest first.
    pub lines: Vec<Line>,
    /// Total expected gain.
    pub expected_gain: f64,
    /// The response curve used.
    pub response: Response,
}

/// Why a budget cannot be allocated as asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AllocError {
    /// Budget not positive or not finite.
    #[error("the budget must be a positive amount, got {0}")]
    Budget(f64),
    /// No cells to spend on.
    #[error("nothing to allocate to: no social channel has evidence on any stage")]
    NoCells,
    /// A bound names a channel without cells.
    #[error("--{kind} {channel}: not a social channel with evidence (have: {have})")]
    UnknownChannel {
        /// `min` or `max`.
        kind: &'static str,
        /// The channel named.
        channel: String,
        /// Channels available.
        have: String,
    },
    /// A channel's minimum exceeds its maximum.
    #[error("channel {channel}: minimum {min} is above maximum {max}")]
    MinAboveMax {
        /// Channel.
        channel: String,
        /// Its minimum.
        min: f64,
        /// Its maximum.
        max: f64,
    },
    /// Minimums need more than the budget.
    #[error("the minimums add up to {total}, more than the budget {budget}")]
    MinimumsExceedBudget {
        /// Sum of minimums.
        total: f64,
        /// Budget.
        budget: f64,
    },
    /// Maximums cap the spend below the budget.
    #[error("the maximums allow at most {total} in total, less than the budget {budget}")]
    MaximumsBelowBudget {
        /// Sum of maximums.
        total: f64,
        /// Budget.
        budget: f64,
    },
}

/// Allocates `budget` in `steps` equal units (at least 1).
pub fn allocate(
    cells: &[Cell],
    budget: f64,
    bounds: &Bounds,
    response: Response,
    steps: usize,
) -> Result<Allocation, AllocError> {
    if !(budget.is_finite() && budget > 0.0) {
        return Err(AllocError::Budget(budget));
    }
    if cells.is_empty() {
        return Err(AllocError::NoCells);
    }
    let steps = steps.max(1);
    let unit = budget / steps as f64;
    let channels: Vec<&str> = {
        let mut c: Vec<&str> = cells.iter().map(|c| c.channel.as_str()).collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    for (kind, map) in [("min", &bounds.min), ("max", &bounds.max)] {
        if let Some(ch) = map.keys().find(|k| !channels.contains(&k.as_str())) {
            return Err(AllocError::UnknownChannel {
                kind,
                channel: ch.clone(),
                have: channels.join(", "),
            });
        }
    }
    // Bounds in units: minimums rounded up, maximums down.
    let eps = 1e-9;
    let min_units = |ch: &str| {
        bounds
            .min
            .get(ch)
            .map_or(0, |m| ((m / unit) - eps).ceil().max(0.0) as usize)
    };
    let max_units = |ch: &str| {
        bounds
            .max
            .get(ch)
            .map_or(usize::MAX, |m| ((m / unit) + eps).floor().max(0.0) as usize)
    };
    for ch in &channels {
        if let (Some(&min), Some(&max)) = (bounds.min.get(*ch), bounds.max.get(*ch)) {
            if min > max {
                return Err(AllocError::MinAboveMax {
                    channel: ch.to_string(),
                    min,
                    max,
                });
            }
        }
    }
    let min_total: f64 = bounds.min.values().sum();
    if min_total > budget + eps {
        return Err(AllocError::MinimumsExceedBudget {
            total: min_total,
            budget,
        });
    }
    if channels.iter().all(|c| bounds.max.contains_key(*c)) {
        let max_total: f64 = bounds.max.values().sum();
        if max_total + eps < budget {
            return Err(AllocError::MaximumsBelowBudget {
                total: max_total,
                budget,
            });
        }
    }

    let value: Vec<f64> = cells.iter().map(Cell::value).collect();
    let marginal = |i: usize, k: usize| {
        response.gain(value[i], (k + 1) as f64 * unit) - response.gain(value[i], k as f64 * unit)
    };
    let mut units = vec![0usize; cells.len()];
    let mut channel_units: BTreeMap<&str, usize> = BTreeMap::new();
    let mut left = steps;

    // Phase 1: each channel's minimum, with its own best cells.
    for ch in &channels {
        let need = min_units(ch);
        for _ in 0..need {
            let best = (0..cells.len())
                .filter(|&i| cells[i].channel == *ch)
                .max_by(|&a, &b| {
                    marginal(a, units[a])
                        .total_cmp(&marginal(b, units[b]))
                        .then(b.cmp(&a))
                });
            let Some(i) = best else { break };
            units[i] += 1;
            *channel_units.entry(ch).or_default() += 1;
            left = left.saturating_sub(1);
        }
    }

    // Phase 2: the rest, unit by unit, to the largest marginal gain.
    #[derive(PartialEq)]
    struct Cand(f64, std::cmp::Reverse<usize>);
    impl Eq for Cand {}
    impl PartialOrd for Cand {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Cand {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
        }
    }
    let mut heap: BinaryHeap<Cand> = (0..cells.len())
        .map(|i| Cand(marginal(i, units[i]), std::cmp::Reverse(i)))
        .collect();
    while left > 0 {
        let Some(Cand(_, std::cmp::Reverse(i))) = heap.pop() else {
            let total: f64 = bounds.max.values().sum();
            return Err(AllocError::MaximumsBelowBudget { total, budget });
        };
        let ch = cells[i].channel.as_str();
        let used = channel_units.get(ch).copied().unwrap_or(0);
        if used >= max_units(ch) {
            continue; // the channel is full: drop the cell
        }
        units[i] += 1;
        *channel_units.entry(ch).or_default() += 1;
        left -= 1;
        heap.push(Cand(marginal(i, units[i]), std::cmp::Reverse(i)));
    }

    let mut lines: Vec<Line> = cells
        .iter()
        .zip(&units)
        .zip(&value)
        .filter(|((_, u), _)| **u > 0)
        .map(|((c, u), v)| {
            let amount = *u as f64 * unit;
            Line {
                channel: c.channel.clone(),
                stage: c.stage.clone(),
                amount,
                expected_gain: response.gain(*v, amount),
                reason: format!(
                    "stage weight {:.2} × channel influence {:.2} × gap {:.1} pts; the next unit here would add {:.4}",
                    c.stage_weight,
                    c.influence,
                    c.gap,
                    response.gain(*v, amount + unit) - response.gain(*v, amount)
                ),
            }
        })
        .collect();
    lines.sort_by(|a, b| {
        b.amount
            .total_cmp(&a.amount)
            .then(a.channel.cmp(&b.channel))
            .then(a.stage.cmp(&b.stage))
    });
    let expected_gain = lines.iter().map(|l| l.expected_gain).sum();
    Ok(Allocation {
        budget,
        lines,
        expected_gain,
        response,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn cell(channel: &str, stage: &str, w: f64, inf: f64, gap: f64) -> Cell {
        Cell {
            channel: channel.into(),
            stage: stage.into(),
            stage_weight: w,
            influence: inf,
            gap,
        }
    }

    /// Best objective over every split of `steps` units that honours the bounds.
    fn brute(cells: &[Cell], steps: usize, unit: f64, bounds: &Bounds, r: Response) -> f64 {
        let m = cells.len();
        let mut best = f64::NEG_INFINITY;
        let mut units = vec![0usize; m];
        // Odometer over all vectors in 0..=steps, keeping those summing to `steps`.
        loop {
            if units.iter().sum::<usize>() == steps {
                let mut per: BTreeMap<&str, f64> = BTreeMap::new();
                for (c, u) in cells.iter().zip(&units) {
                    *per.entry(c.channel.as_str()).or_default() += *u as f64 * unit;
                }
                let spent = |c: &String| per.get(c.as_str()).copied().unwrap_or(0.0);
                let ok = bounds.min.iter().all(|(c, m)| spent(c) + 1e-9 >= *m)
                    && bounds.max.iter().all(|(c, m)| spent(c) <= *m + 1e-9);
                if ok {
                    let v: f64 = cells
                        .iter()
                        .zip(&units)
                        .map(|(c, u)| r.gain(c.value(), *u as f64 * unit))
                        .sum();
                    best = best.max(v);
                }
            }
            let mut i = 0;
            while i < m && units[i] == steps {
                units[i] = 0;
                i += 1;
            }
            if i == m {
                return best;
            }
            units[i] += 1;
        }
    }

    #[test]
    fn greedy_equals_brute_force_on_small_instances() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let channels = ["x", "facebook", "instagram"];
        for case in 0..60 {
            let m = rng.gen_range(2..=4);
            let cells: Vec<Cell> = (0..m)
                .map(|i| {
                    cell(
                        channels[i % 3],
                        &format!("s{i}"),
                        rng.gen_range(0.05..0.5),
                        rng.gen_range(0.1..1.0),
                        rng.gen_range(1.0..60.0),
                    )
                })
                .collect();
            let steps = rng.gen_range(3..=10);
            let budget = 1000.0;
            let unit = budget / steps as f64;
            let mut bounds = Bounds::default();
            if case % 3 == 1 {
                bounds.min.insert(
                    cells[m - 1].channel.clone(),
                    unit * rng.gen_range(1..=2) as f64,
                );
            }
            if case % 3 == 2 {
                bounds
                    .max
                    .insert(cells[0].channel.clone(), unit * rng.gen_range(0..=3) as f64);
            }
            let r = Response {
                saturation: rng.gen_range(100.0..2000.0),
            };
            let a = match allocate(&cells, budget, &bounds, r, steps) {
                Ok(a) => a,
                Err(e) => panic!("case {case}: {e}"),
            };
            let best = brute(&cells, steps, unit, &bounds, r);
            assert!(
                (a.expected_gain - best).abs() < 1e-9,
                "case {case}: greedy {} brute {best}",
                a.expected_gain
            );
            let total: f64 = a.lines.iter().map(|l| l.amount).sum();
            assert!((total - budget).abs() < 1e-6);
            for (ch, max) in &bounds.max {
                let spent: f64 = a
                    .lines
                    .iter()
                    .filter(|l| &l.channel == ch)
                    .map(|l| l.amount)
                    .sum();
                assert!(spent <= max + 1e-9);
            }
            for (ch, min) in &bounds.min {
                let spent: f64 = a
                    .lines
                    .iter()
                    .filter(|l| &l.channel == ch)
                    .map(|l| l.amount)
                    .sum();
                assert!(spent + 1e-9 >= *min);
            }
        }
    }

    #[test]
    fn impossible_constraints_say_which() {
        let cells = vec![
            cell("x", "ops", 0.3, 0.5, 20.0),
            cell("facebook", "ops", 0.3, 0.5, 20.0),
        ];
        let r = Response { saturation: 100.0 };
        let mut b = Bounds::default();
        b.min.insert("x".into(), 800.0);
        b.min.insert("facebook".into(), 300.0);
        assert_eq!(
            allocate(&cells, 1000.0, &b, r, 100),
            Err(AllocError::MinimumsExceedBudget {
                total: 1100.0,
                budget: 1000.0
            })
        );
        let mut b = Bounds::default();
        b.max.insert("x".into(), 100.0);
        b.max.insert("facebook".into(), 100.0);
        assert!(matches!(
            allocate(&cells, 1000.0, &b, r, 100),
            Err(AllocError::MaximumsBelowBudget { .. })
        ));
        let mut b = Bounds::default();
        b.min.insert("tiktok".into(), 1.0);
        let e = allocate(&cells, 1000.0, &b, r, 100)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--min tiktok") && e.contains("facebook, x"),
            "{e}"
        );
        assert_eq!(
            allocate(&cells, -5.0, &Bounds::default(), r, 10),
            Err(AllocError::Budget(-5.0))
        );
    }
}
