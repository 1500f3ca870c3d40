//! Where to spend (DESIGN C6): the budget over social channel × stage cells.
//!
//! A cell's potential is `stage weight × channel influence × gap`:
//! - the stage weight is the horizontal weight (derived when possible),
//!   multiplied by the objective's emphasis and renormalised;
//! - the channel influence is the channel's share of the stage's
//!   reach-weighted evidence among the social channels;
//! - the gap is how far the own brand's stage score trails:
//!   `max(best competitor − own, 0) + headroom_weight · (100 − own)`.
//!
//! A cell where the own brand has fewer than `evidence.min_cell_signals`
//! signals gets nothing: it is listed as "too little evidence" instead.
//! Signals of unknown brand never count toward the own brand's cells.
//!
//! The response to spend and the step size come from the model's
//! `[allocation]` section; see `tce_analytics::allocate` for the algorithm.

use crate::scores::BrandCard;
use crate::weights::{Source, Weights};
use crate::{round2, InsightError};
use serde::Serialize;
use std::collections::BTreeMap;
use tce_analytics::allocate::{allocate as greedy, Bounds, Cell, Line, Response};
use tce_model::Model;

/// Stage emphasis of the built-in objectives (multiplies the stage weights;
/// stages not listed keep 1). A model's `[allocation.objectives.NAME]`
/// replaces these.
pub fn preset(objective: &str) -> Option<&'static [(&'static str, f64)]> {
    match objective {
        "acquire" => Some(&[("branding_pr", 2.0), ("marketing", 3.0), ("sales", 3.0)]),
        "retain" => Some(&[("operations", 3.0), ("customer_service", 3.0)]),
        "innovate" => Some(&[("rnd", 4.0), ("branding_pr", 2.0)]),
        _ => None,
    }
}

/// An allocation request.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocRequest {
    /// Amount to split.
    pub budget: f64,
    /// `acquire`, `retain`, `innovate`, `custom`, or an objective of the model.
    pub objective: String,
    /// Stage weights to use instead (required for `custom`).
    pub stage_weights: Option<BTreeMap<String, f64>>,
    /// Per-channel bounds.
    pub bounds: Bounds,
}

/// A stage's weight in the allocation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllocStage {
    /// Weight after the objective's emphasis (sums to 1).
    pub weight: f64,
    /// The stage weight before the objective's emphasis (what the Channel
    /// page shows); `None` for given weights.
    pub base_weight: Option<f64>,
    /// The objective's emphasis on this stage (multiplier, 1 when not named).
    pub emphasis: f64,
    /// Source of the underlying weight (`given` for --stage-weights).
    pub source: String,
    /// Own brand's stage score.
    pub own_score: Option<f64>,
    /// Best competitor's stage score.
    pub best_competitor: Option<f64>,
    /// Gap used, score points.
    pub gap: f64,
}

/// The allocation with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllocReport {
    /// Budget.
    pub budget: f64,
    /// Currency of the model.
    pub currency: String,
    /// Objective.
    pub objective: String,
    /// Stage id → weight, score, gap.
    pub stages: BTreeMap<String, AllocStage>,
    /// Lines, largest amount first; amounts sum to the budget.
    pub lines: Vec<Line>,
    /// Expected TCE index gain in points.
    pub expected_gain: f64,
    /// The response curve used (an assumption of the model, not measured).
    pub response: Response,
    /// Where the stage weights come from, in words.
    pub weights_basis: String,
    /// The spend step the planner allocates in (budget / steps): "marginal
    /// gain" is the index gain of one more step.
    pub unit: f64,
    /// Channels whose lines reach their maximum.
    pub capped: Vec<String>,
    /// Cells left out for too little evidence of the own brand.
    pub too_little_evidence: Vec<ThinCell>,
    /// Own-brand signals a cell needs (`evidence.min_cell_signals`).
    pub min_cell_signals: u64,
    /// The days the brand cards behind the plan cover (set by the caller
    /// that read them; `None` when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub covers: Option<crate::period::Coverage>,
}

/// A channel × stage cell without enough own-brand signals to allocate to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThinCell {
    /// Channel id.
    pub channel: String,
    /// Stage id.
    pub stage: String,
    /// Own-brand signals in the cell.
    pub n: u64,
}

/// Allocates the budget for the own brand.
pub fn allocate(
    model: &Model,
    cards: &[BrandCard],
    weights: &Weights,
    req: &AllocRequest,
) -> Result<AllocReport, InsightError> {
    let own = cards
        .iter()
        .find(|c| c.own)
        .ok_or_else(|| InsightError::Invalid("the model has no own brand with data".into()))?;
    // Stage weights.
    let mut emphasis_used: BTreeMap<String, f64> = BTreeMap::new();
    let (mut stage_w, source): (BTreeMap<String, f64>, String) =
        match (&req.stage_weights, req.objective.as_str()) {
            (Some(given), _) => {
                for s in given.keys() {
                    if model.stage(s).is_none() {
                        let ids: Vec<&str> = model.stages.iter().map(|s| s.id.as_str()).collect();
                        return Err(InsightError::Invalid(format!(
                            "--stage-weights: unknown stage {s:?} (stages: {})",
                            ids.join(", ")
                        )));
                    }
                }
                (
                    model
                        .stages
                        .iter()
                        .map(|s| (s.id.clone(), given.get(&s.id).copied().unwrap_or(0.0)))
                        .collect(),
                    "given".into(),
                )
            }
            (None, "custom") => {
                return Err(InsightError::Invalid(
                    "objective custom needs --stage-weights STAGE=W,...".into(),
                ));
            }
            (None, objective) => {
                let emphasis: BTreeMap<String, f64> =
                    match model.allocation.objectives.get(objective) {
                        Some(m) => m.clone(),
                        None => preset(objective)
                            .ok_or_else(|| {
                                let mut names: Vec<String> = vec![
                                    "acquire".into(),
                                    "retain".into(),
                                    "innovate".into(),
                                    "custom".into(),
                                ];
                                names.extend(model.allocation.objectives.keys().cloned());
                                InsightError::Invalid(format!(
                                    "unknown objective {objective:?} (use {})",
                                    names.join(", ")
                                ))
                            })?
                            .iter()
                            .map(|(s, w)| (s.to_string(), *w))
                            .collect(),
                    };
                emphasis_used = emphasis.clone();
                let src = match weights.source() {
                    Source::Derived => "derived",
                    Source::LowConfidence => "low_confidence",
                    Source::Configured => "configured",
                };
                (
                    model
                        .stages
                        .iter()
                        .map(|s| {
                            (
                                s.id.clone(),
                                weights.stage(&s.id) * emphasis.get(&s.id).copied().unwrap_or(1.0),
                            )
                        })
                        .collect(),
                    src.into(),
                )
            }
        };
    let total: f64 = stage_w.values().sum();
    if total <= 0.0 {
        return Err(InsightError::Invalid(
            "the stage weights are all zero".into(),
        ));
    }
    stage_w.values_mut().for_each(|w| *w /= total);

    let social: Vec<&str> = model
        .channels
        .iter()
        .filter(|c| c.social)
        .map(|c| c.id.as_str())
        .collect();
    let headroom = model.allocation.headroom_weight;
    let mut stages = BTreeMap::new();
    let mut cells = Vec::new();
    let mut thin = Vec::new();
    let min_cell = model.evidence.min_cell_signals;
    for s in &model.stages {
        let own_score = own
            .stages
            .iter()
            .find(|x| x.stage == s.id)
            .and_then(|x| x.score);
        let best = cards
            .iter()
            .filter(|c| !c.own)
            .filter_map(|c| {
                c.stages
                    .iter()
                    .find(|x| x.stage == s.id)
                    .and_then(|x| x.score)
            })
            .fold(None, |acc: Option<f64>, v| {
                Some(acc.map_or(v, |a| a.max(v)))
            });
        let gap = match own_score {
            Some(o) => (best.unwrap_or(o) - o).max(0.0) + headroom * (100.0 - o),
            None => 0.0,
        };
        let w = stage_w.get(&s.id).copied().unwrap_or(0.0);
        stages.insert(
            s.id.clone(),
            AllocStage {
                weight: round4(w),
                base_weight: (source != "given").then(|| round4(weights.stage(&s.id))),
                emphasis: emphasis_used.get(&s.id).copied().unwrap_or(1.0),
                source: source.clone(),
                own_score: own_score.map(round2),
                best_competitor: best.map(round2),
                gap: round2(gap),
            },
        );
        let infl = weights.vertical.get(&s.id);
        let social_total: f64 = social
            .iter()
            .filter_map(|c| infl.and_then(|m| m.get(*c)))
            .sum();
        for c in &social {
            let share = infl.and_then(|m| m.get(*c)).copied().unwrap_or(0.0);
            let influence = if social_total > 0.0 {
                share / social_total
            } else {
                0.0
            };
            let own_n = own
                .stage_channel_n
                .get(&s.id)
                .and_then(|m| m.get(*c))
                .copied()
                .unwrap_or(0);
            if influence > 0.0 && own_n < min_cell.max(1) {
                thin.push(ThinCell {
                    channel: c.to_string(),
                    stage: s.id.clone(),
                    n: own_n,
                });
                continue;
            }
            if influence > 0.0 && gap > 0.0 && w > 0.0 {
                cells.push(Cell {
                    channel: c.to_string(),
                    stage: s.id.clone(),
                    stage_weight: w,
                    influence,
                    gap,
                });
            }
        }
    }
    if cells.is_empty() && !thin.is_empty() {
        return Err(InsightError::Invalid(format!(
            "too little evidence to allocate: no social channel × stage cell has {min_cell} signals of the own brand (evidence.min_cell_signals)"
        )));
    }
    let response = Response {
        saturation: model.allocation.saturation,
    };
    let a = greedy(
        &cells,
        req.budget,
        &req.bounds,
        response,
        model.allocation.steps,
    )?;
    let weights_basis = if source == "given" {
        "the stage weights given with the request, normalised to sum to 1".to_string()
    } else {
        let named: Vec<String> = model
            .stages
            .iter()
            .filter_map(|s| {
                let e = emphasis_used.get(&s.id).copied()?;
                (e != 1.0).then(|| format!("{} ×{e}", s.name))
            })
            .collect();
        format!(
            "the {} stage weights (as on the Channel influence page) × the emphasis of objective {:?}{}, normalised to sum to 1",
            source.replace('_', " "),
            req.objective,
            if named.is_empty() {
                " (none)".to_string()
            } else {
                format!(": {}", named.join(", "))
            }
        )
    };
    let steps = model.allocation.steps.max(1);
    let unit = req.budget / steps as f64;
    let mut per_channel: BTreeMap<&str, f64> = BTreeMap::new();
    for l in &a.lines {
        *per_channel.entry(l.channel.as_str()).or_default() += l.amount;
    }
    let capped = per_channel
        .iter()
        .filter(|(c, amount)| {
            req.bounds
                .max
                .get(**c)
                .is_some_and(|m| **amount + unit > *m + 1e-9 * m.abs().max(1.0))
        })
        .map(|(c, _)| c.to_string())
        .collect();
    Ok(AllocReport {
        covers: None,
        weights_basis,
        unit,
        capped,
        budget: req.budget,
        currency: model.finance.currency.clone(),
        objective: req.objective.clone(),
        stages,
        lines: a.lines,
        expected_gain: a.expected_gain,
        response,
        too_little_evidence: thin,
        min_cell_signals: min_cell,
    })
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
