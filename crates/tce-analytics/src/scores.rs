//! Touchpoint, stage and brand scores (DESIGN C4).
//!
//! **Touchpoint Experience Score (TES)**, 0–100, is the mean experience value
//! of a touchpoint's signals mapped to 0–100 (`50·(ev+1)`), shrunk toward the
//! brand's mean by empirical Bayes so that a touchpoint with three signals
//! cannot top one with three thousand:
//!
//! ```text
//! shrunk = (n·mean + k·prior) / (n + k),   k = σ² / τ²
//! ```
//!
//! The prior is normal with mean = the brand's mean experience value over all
//! its signals and variance τ², the between-touchpoint variance of true means,
//! estimated by the DerSimonian–Laird method of moments (touchpoint means
//! weighted by their precision, minus the part sampling noise explains),
//! floored at [`MIN_TAU2`]. σ² is the pooled within-touchpoint variance. `k`
//! reads as "the prior is worth k signals", at least [`MIN_PRIOR_STRENGTH`];
//! the prior is reported with every score.
//!
//! **Stage score**: touchpoint TES averaged with the touchpoints' importance
//! as weights. **TCE index**: stage scores averaged with the stage weights.

use crate::agg::{score_of, Agg};
use serde::Serialize;

/// Floor of the between-touchpoint variance τ² (experience-value units²): keeps
/// the prior finite when touchpoints of a brand hardly differ.
pub const MIN_TAU2: f64 = 1e-4;

/// The prior is always worth at least this many signals: a touchpoint needs
/// dozens of signals before its own mean dominates its score.
pub const MIN_PRIOR_STRENGTH: f64 = 10.0;

/// Pooled within variance used when no touchpoint has two signals.
const DEFAULT_SIGMA2: f64 = 0.25;

/// The empirical-Bayes prior of one brand.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prior {
    /// Prior mean experience value (the brand's mean), −1..1.
    pub mean: f64,
    /// Pooled within-touchpoint variance σ².
    pub within_variance: f64,
    /// Between-touchpoint variance τ².
    pub between_variance: f64,
    /// Prior strength k = σ²/τ², in signals.
    pub strength: f64,
}

impl Prior {
    /// Estimates the prior from a brand's total and its touchpoint cells.
    pub fn estimate(brand_total: &Agg, cells: &[Agg]) -> Prior {
        let mean = brand_total.mean().unwrap_or(0.0);
        let (mut ss, mut dof) = (0.0, 0.0);
        for c in cells.iter().filter(|c| c.n >= 2) {
            let n = c.n as f64;
            let m = c.sum_ev / n;
            ss += (c.sum_ev2 - n * m * m).max(0.0);
            dof += n - 1.0;
        }
        let sigma2 = if dof > 0.0 { ss / dof } else { DEFAULT_SIGMA2 };
        // DerSimonian–Laird: cells weighted by their precision n/σ², so a few
        // tiny cells cannot inflate the between-touchpoint variance.
        let cells_with: Vec<(f64, f64)> = cells
            .iter()
            .filter_map(|c| Some((c.mean()?, c.n as f64 / sigma2)))
            .collect();
        let tau2 = if cells_with.len() >= 2 {
            let sw: f64 = cells_with.iter().map(|(_, w)| w).sum();
            let sw2: f64 = cells_with.iter().map(|(_, w)| w * w).sum();
            let mw = cells_with.iter().map(|(m, w)| m * w).sum::<f64>() / sw;
            let q: f64 = cells_with.iter().map(|(m, w)| w * (m - mw).powi(2)).sum();
            let df = (cells_with.len() - 1) as f64;
            let c = sw - sw2 / sw;
            if c > 0.0 {
                ((q - df) / c).max(MIN_TAU2)
            } else {
                MIN_TAU2
            }
        } else {
            MIN_TAU2
        };
        Prior {
            mean,
            within_variance: sigma2,
            between_variance: tau2,
            strength: (sigma2 / tau2).max(MIN_PRIOR_STRENGTH),
        }
    }

    /// The shrunk mean experience value of a cell.
    pub fn shrink(&self, cell: &Agg) -> f64 {
        let n = cell.n as f64;
        (cell.sum_ev + self.strength * self.mean) / (n + self.strength)
    }
}

/// One touchpoint's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TouchpointScore {
    /// Touchpoint id.
    pub touchpoint: String,
    /// Stage id of the touchpoint.
    pub stage: String,
    /// Signals.
    pub n: u64,
    /// Net Sentiment in percentage points, `None` without signals.
    pub net_sentiment: Option<f64>,
    /// Raw mean score 0–100 (no shrinkage), `None` without signals.
    pub raw_score: Option<f64>,
    /// TES 0–100 after shrinkage (the prior's score without signals).
    pub tes: f64,
    /// Complaints among the signals.
    pub complaints: u64,
}

/// Input for one touchpoint: id, stage, aggregate.
#[derive(Debug, Clone)]
pub struct TouchpointCell {
    /// Touchpoint id.
    pub touchpoint: String,
    /// Stage id.
    pub stage: String,
    /// Importance from the model (relative within its stage).
    pub importance: f64,
    /// Aggregate of its signals in the slice.
    pub agg: Agg,
}

/// Scores every touchpoint of one brand. Cells without signals get the
/// prior's score so rankings stay defined.
pub fn touchpoint_scores(
    brand_total: &Agg,
    cells: &[TouchpointCell],
) -> (Vec<TouchpointScore>, Prior) {
    let aggs: Vec<Agg> = cells.iter().map(|c| c.agg).collect();
    let prior = Prior::estimate(brand_total, &aggs);
    let scores = cells
        .iter()
        .map(|c| TouchpointScore {
            touchpoint: c.touchpoint.clone(),
            stage: c.stage.clone(),
            n: c.agg.n,
            net_sentiment: c.agg.net_sentiment(),
            raw_score: c.agg.mean().map(score_of),
            tes: score_of(prior.shrink(&c.agg)),
            complaints: c.agg.complaints,
        })
        .collect();
    (scores, prior)
}

/// One stage's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageScore {
    /// Stage id.
    pub stage: String,
    /// Importance-weighted mean TES of its touchpoints with signals; `None`
    /// when none of them has any.
    pub score: Option<f64>,
    /// Signals over its touchpoints (a signal on two touchpoints counts twice).
    pub n: u64,
}

/// Stage scores from touchpoint scores; `importance` gives each touchpoint's
/// weight (missing → 1). Only touchpoints with signals count.
pub fn stage_scores(
    stages: &[String],
    touchpoints: &[TouchpointScore],
    importance: impl Fn(&str) -> f64,
) -> Vec<StageScore> {
    stages
        .iter()
        .map(|stage| {
            let (mut num, mut den, mut n) = (0.0, 0.0, 0);
            for t in touchpoints.iter().filter(|t| &t.stage == stage && t.n > 0) {
                let w = importance(&t.touchpoint).max(0.0);
                num += w * t.tes;
                den += w;
                n += t.n;
            }
            StageScore {
                stage: stage.clone(),
                score: (den > 0.0).then(|| num / den),
                n,
            }
        })
        .collect()
}

/// The TCE index: stage scores averaged with the stage weights, over stages
/// that have a score (weights renormalised). `None` when no stage has one.
pub fn tce_index(stages: &[StageScore], weight: impl Fn(&str) -> f64) -> Option<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for s in stages {
        if let Some(score) = s.score {
            let w = weight(&s.stage).max(0.0);
            num += w * score;
            den += w;
        }
    }
    (den > 0.0).then(|| num / den)
}

/// Quadrant of the importance–performance matrix (standard IPA), or no
/// quadrant when the touchpoint has too little evidence to be placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// Important and performing below average: act here first.
    FixFirst,
    /// Important and performing above average.
    KeepUp,
    /// Less important and below average: low priority.
    LowPriority,
    /// Less important and above average: possibly over-invested.
    PossibleOverkill,
    /// Fewer signals than the minimum: shown greyed, never ranked.
    TooLittleEvidence,
}

impl Quadrant {
    /// Label for display.
    pub fn label(self) -> &'static str {
        match self {
            Quadrant::FixFirst => "fix first",
            Quadrant::KeepUp => "keep up",
            Quadrant::LowPriority => "low priority",
            Quadrant::PossibleOverkill => "possible overkill",
            Quadrant::TooLittleEvidence => "too little evidence",
        }
    }
}

/// A touchpoint placed in the importance–performance matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpaPoint {
    /// Touchpoint id.
    pub touchpoint: String,
    /// Stage id.
    pub stage: String,
    /// Signals.
    pub n: u64,
    /// Importance: stage weight × the touchpoint's share of its stage's
    /// configured importance (over all the stage's touchpoints, so a stage
    /// without evidence does not inflate the others).
    pub importance: f64,
    /// Performance: TES.
    pub performance: f64,
    /// Share of its signals with the complaint intent, 0–1.
    pub complaint_share: Option<f64>,
    /// Quadrant relative to the mean importance and mean performance of the
    /// ranked touchpoints.
    pub quadrant: Quadrant,
    /// TES at least the configured number of points below the brand mean:
    /// flagged whatever its importance.
    pub far_below: bool,
    /// Priority to fix: importance × how far TES is below the mean (0 if above).
    pub gap_priority: f64,
    /// Position in the ranking (1 = most urgent); `None` when not ranked.
    pub rank: Option<usize>,
}

impl IpaPoint {
    /// Whether the touchpoint calls for action: fix first, or far below the
    /// brand mean. These lead the ranking.
    pub fn needs_action(&self) -> bool {
        self.quadrant == Quadrant::FixFirst || self.far_below
    }

    fn group(&self) -> u8 {
        match self.quadrant {
            Quadrant::FixFirst => 0,
            _ if self.far_below => 1,
            Quadrant::LowPriority => 2,
            Quadrant::KeepUp => 3,
            Quadrant::PossibleOverkill => 4,
            Quadrant::TooLittleEvidence => 5,
        }
    }
}

/// The rules placing touchpoints in the matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IpaRules {
    /// Signals a touchpoint needs to be placed and ranked.
    pub min_signals: u64,
    /// The brand's mean experience score (0–100).
    pub brand_mean: Option<f64>,
    /// Points below `brand_mean` at which a touchpoint is flagged.
    pub far_below_points: f64,
}

/// Places touchpoints (with signals) in the importance–performance matrix
/// and ranks them with [`rank`].
pub fn importance_performance(
    touchpoints: &[TouchpointScore],
    importance: impl Fn(&str) -> f64,
    stage_weight: impl Fn(&str) -> f64,
    rules: &IpaRules,
) -> Vec<IpaPoint> {
    // The stage's importance over all its touchpoints, with data or not.
    let mut stage_total: std::collections::BTreeMap<&str, f64> = Default::default();
    for t in touchpoints {
        *stage_total.entry(t.stage.as_str()).or_default() += importance(&t.touchpoint).max(0.0);
    }
    let imp = |t: &TouchpointScore| {
        let total = stage_total.get(t.stage.as_str()).copied().unwrap_or(0.0);
        if total > 0.0 {
            stage_weight(&t.stage).max(0.0) * importance(&t.touchpoint).max(0.0) / total
        } else {
            0.0
        }
    };
    let with_data: Vec<&TouchpointScore> = touchpoints.iter().filter(|t| t.n > 0).collect();
    let ranked: Vec<&&TouchpointScore> = with_data
        .iter()
        .filter(|t| t.n >= rules.min_signals.max(1))
        .collect();
    let k = ranked.len().max(1) as f64;
    let mean_imp = ranked.iter().map(|t| imp(t)).sum::<f64>() / k;
    let mean_perf = ranked.iter().map(|t| t.tes).sum::<f64>() / k;
    let mut points: Vec<IpaPoint> = with_data
        .iter()
        .map(|t| {
            let importance = imp(t);
            let enough = t.n >= rules.min_signals.max(1);
            let quadrant = match (enough, importance >= mean_imp, t.tes >= mean_perf) {
                (false, _, _) => Quadrant::TooLittleEvidence,
                (true, true, false) => Quadrant::FixFirst,
                (true, true, true) => Quadrant::KeepUp,
                (true, false, false) => Quadrant::LowPriority,
                (true, false, true) => Quadrant::PossibleOverkill,
            };
            let far_below = enough
                && rules
                    .brand_mean
                    .is_some_and(|m| t.tes <= m - rules.far_below_points);
            IpaPoint {
                touchpoint: t.touchpoint.clone(),
                stage: t.stage.clone(),
                n: t.n,
                importance,
                performance: t.tes,
                complaint_share: (t.n > 0).then(|| t.complaints as f64 / t.n as f64),
                quadrant,
                far_below,
                gap_priority: if enough {
                    importance * (mean_perf - t.tes).max(0.0)
                } else {
                    0.0
                },
                rank: None,
            }
        })
        .collect();
    rank(&mut points);
    points
}

/// The one ranking every surface shows (the matrix's table, its quadrants,
/// the Overview's "fix first"): fix-first touchpoints, then touchpoints far
/// below the brand mean, then low priority, keep up and possible overkill;
/// within each by fix priority, then lowest TES. Touchpoints with too little
/// evidence come last and get no rank.
pub fn rank(points: &mut [IpaPoint]) {
    points.sort_by(|a, b| {
        a.group()
            .cmp(&b.group())
            .then(b.gap_priority.total_cmp(&a.gap_priority))
            .then(a.performance.total_cmp(&b.performance))
            .then(a.touchpoint.cmp(&b.touchpoint))
    });
    let mut next = 1;
    for p in points.iter_mut() {
        if p.quadrant == Quadrant::TooLittleEvidence {
            p.rank = None;
        } else {
            p.rank = Some(next);
            next += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(tp: &str, stage: &str, n: u64, mean: f64, sd: f64) -> TouchpointCell {
        let nf = n as f64;
        TouchpointCell {
            touchpoint: tp.into(),
            stage: stage.into(),
            importance: 1.0,
            agg: Agg {
                n,
                sum_ev: nf * mean,
                sum_ev2: nf * (mean * mean + sd * sd),
                ..Agg::default()
            },
        }
    }

    #[test]
    fn three_signals_do_not_top_three_thousand() {
        let cells = vec![
            cell("tiny", "sales", 3, 1.0, 0.0),
            cell("big", "sales", 3000, 0.6, 0.4),
            cell("mid", "operations", 2000, -0.2, 0.5),
            cell("low", "operations", 2500, -0.5, 0.5),
        ];
        let mut total = Agg::default();
        cells.iter().for_each(|c| total.add(&c.agg));
        let (scores, prior) = touchpoint_scores(&total, &cells);
        let tes = |id: &str| scores.iter().find(|s| s.touchpoint == id).unwrap().tes;
        assert!(tes("big") > tes("tiny"), "{scores:?} {prior:?}");
        assert!(tes("tiny") < 100.0 && tes("tiny") > 50.0);
        // Large cells barely move.
        assert!((tes("big") - score_of(0.6)).abs() < 0.5);
        assert!(prior.strength > 0.0);
    }

    #[test]
    fn stage_and_index() {
        let cells = vec![
            cell("a", "s1", 100, 0.5, 0.1),
            cell("b", "s1", 100, -0.5, 0.1),
            cell("c", "s2", 10, 0.0, 0.1),
        ];
        let mut total = Agg::default();
        cells.iter().for_each(|c| total.add(&c.agg));
        let (scores, _) = touchpoint_scores(&total, &cells);
        let stages = stage_scores(&["s1".into(), "s2".into(), "s3".into()], &scores, |t| {
            if t == "a" {
                3.0
            } else {
                1.0
            }
        });
        let s1 = stages[0].score.unwrap();
        let (a, b) = (scores[0].tes, scores[1].tes);
        assert!((s1 - (3.0 * a + b) / 4.0).abs() < 1e-9);
        assert_eq!(stages[2].score, None);
        let idx = tce_index(&stages, |s| if s == "s1" { 0.75 } else { 0.25 }).unwrap();
        assert!((idx - (0.75 * s1 + 0.25 * stages[1].score.unwrap())).abs() < 1e-9);
    }

    #[test]
    fn quadrants() {
        let cells = vec![
            cell("bad_important", "ops", 500, -0.6, 0.3),
            cell("good_important", "ops", 500, 0.6, 0.3),
            cell("bad_minor", "rnd", 500, -0.5, 0.3),
            cell("good_minor", "rnd", 500, 0.7, 0.3),
        ];
        let mut total = Agg::default();
        cells.iter().for_each(|c| total.add(&c.agg));
        let (scores, _) = touchpoint_scores(&total, &cells);
        let ipa = importance_performance(
            &scores,
            |_| 1.0,
            |s| if s == "ops" { 0.8 } else { 0.2 },
            &RULES,
        );
        let q = |id: &str| ipa.iter().find(|p| p.touchpoint == id).unwrap().quadrant;
        assert_eq!(q("bad_important"), Quadrant::FixFirst);
        assert_eq!(q("good_important"), Quadrant::KeepUp);
        assert_eq!(q("bad_minor"), Quadrant::LowPriority);
        assert_eq!(q("good_minor"), Quadrant::PossibleOverkill);
        assert_eq!(ipa[0].touchpoint, "bad_important");
        assert!((ipa.iter().map(|p| p.importance).sum::<f64>() - 1.0).abs() < 1e-9);
    }

    const RULES: IpaRules = IpaRules {
        min_signals: 10,
        brand_mean: None,
        far_below_points: 15.0,
    };

    fn ranked(cells: &[TouchpointCell], rules: &IpaRules) -> Vec<IpaPoint> {
        let mut total = Agg::default();
        cells.iter().for_each(|c| total.add(&c.agg));
        let (scores, _) = touchpoint_scores(&total, cells);
        importance_performance(
            &scores,
            |_| 1.0,
            |s| if s == "ops" { 0.8 } else { 0.2 },
            rules,
        )
    }

    #[test]
    fn a_one_signal_touchpoint_is_not_ranked() {
        let cells = vec![
            cell("one_signal", "ops", 1, -1.0, 0.0),
            cell("bad", "ops", 300, -0.3, 0.3),
            cell("good", "ops", 300, 0.5, 0.3),
            cell("minor", "rnd", 300, 0.1, 0.3),
        ];
        let ipa = ranked(&cells, &RULES);
        let one = ipa.iter().find(|p| p.touchpoint == "one_signal").unwrap();
        assert_eq!(one.quadrant, Quadrant::TooLittleEvidence);
        assert_eq!(one.rank, None);
        assert!(!one.needs_action());
        assert_eq!(ipa.last().unwrap().touchpoint, "one_signal");
        assert_eq!(ipa[0].touchpoint, "bad");
        // Ranks are 1..k over the placed touchpoints only.
        let ranks: Vec<usize> = ipa.iter().filter_map(|p| p.rank).collect();
        assert_eq!(ranks, vec![1, 2, 3]);
    }

    #[test]
    fn importance_is_not_renormalised_over_stages_without_evidence() {
        // Only one of ops' two touchpoints has data; rnd has none at all.
        let cells = vec![
            cell("seen", "ops", 50, 0.0, 0.3),
            cell("unseen", "ops", 0, 0.0, 0.0),
            cell("rnd_tp", "rnd", 0, 0.0, 0.0),
        ];
        let ipa = ranked(&cells, &RULES);
        assert_eq!(ipa.len(), 1);
        assert!((ipa[0].importance - 0.4).abs() < 1e-9, "{ipa:?}");
    }

    #[test]
    fn far_below_the_brand_mean_is_flagged_whatever_its_importance() {
        let cells = vec![
            cell("big_ok", "ops", 400, 0.2, 0.3),
            cell("big_bad", "ops", 400, -0.1, 0.3),
            cell("refunds", "rnd", 200, -0.6, 0.3),
            cell("minor_ok", "rnd", 200, 0.3, 0.3),
        ];
        let rules = IpaRules {
            brand_mean: Some(55.0),
            ..RULES
        };
        let ipa = ranked(&cells, &rules);
        let refunds = ipa.iter().find(|p| p.touchpoint == "refunds").unwrap();
        assert_eq!(refunds.quadrant, Quadrant::LowPriority);
        assert!(refunds.far_below && refunds.needs_action());
        // Fix first leads, the flagged touchpoint follows, then the rest.
        let order: Vec<&str> = ipa.iter().map(|p| p.touchpoint.as_str()).collect();
        assert_eq!(order[..2], ["big_bad", "refunds"]);
        let acting = ipa.iter().take_while(|p| p.needs_action()).count();
        assert_eq!(acting, ipa.iter().filter(|p| p.needs_action()).count());
    }
}
