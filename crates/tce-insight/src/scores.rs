//! Scores (DESIGN C4) read from the daily rollups: per brand × touchpoint /
//! stage / channel × period, the TCE index, trends, benchmark and the
//! importance–performance matrix.

use crate::period::{Coverage, Period};
use crate::weights::{Source, Weights};
use crate::{agg_of, round2, InsightError};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;
use std::str::FromStr;
use tce_analytics::agg::{score_of, Agg};
use tce_analytics::scores::{
    importance_performance, stage_scores, tce_index, touchpoint_scores, IpaPoint, IpaRules, Prior,
    StageScore, TouchpointCell, TouchpointScore,
};
use tce_analytics::significance::welch;
use tce_model::Model;
use tce_store::{RollupFilter, RollupRow, Store};

/// Which slice of the data a score covers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// First day (inclusive).
    pub from: Option<NaiveDate>,
    /// Last day (inclusive).
    pub to: Option<NaiveDate>,
    /// One brand only.
    pub brand: Option<String>,
    /// One channel only.
    pub channel: Option<String>,
}

impl Filter {
    fn rollup_filter(&self) -> RollupFilter {
        RollupFilter {
            from: self.from,
            to: self.to,
            brand: self.brand.clone(),
            channel: self.channel.clone(),
            ..RollupFilter::default()
        }
    }
}

/// The aggregates of one brand over one slice.
#[derive(Debug, Clone, Default)]
pub struct Slice {
    /// Every signal once.
    pub total: Agg,
    /// Per touchpoint.
    pub touchpoints: BTreeMap<String, Agg>,
    /// Per channel (every signal once).
    pub channels: BTreeMap<String, Agg>,
    /// Signals per touchpoint × channel.
    pub touchpoint_channels: BTreeMap<(String, String), u64>,
}

impl Slice {
    fn add(&mut self, r: &RollupRow) {
        let a = agg_of(r);
        if r.touchpoint.is_empty() {
            self.total.add(&a);
            self.channels.entry(r.channel.clone()).or_default().add(&a);
        } else {
            self.touchpoints
                .entry(r.touchpoint.clone())
                .or_default()
                .add(&a);
            *self
                .touchpoint_channels
                .entry((r.touchpoint.clone(), r.channel.clone()))
                .or_default() += r.n;
        }
    }
}

/// A channel's score within a brand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelScore {
    /// Channel id.
    pub channel: String,
    /// Signals.
    pub n: u64,
    /// Net Sentiment, percentage points.
    pub net_sentiment: Option<f64>,
    /// Mean experience on 0–100, shrunk toward the brand mean like TES.
    pub score: f64,
}

/// Everything scored for one brand over one slice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrandCard {
    /// Brand id.
    pub brand: String,
    /// Display name.
    pub name: String,
    /// The own brand?
    pub own: bool,
    /// Signals.
    pub n: u64,
    /// Net Sentiment over all its signals.
    pub net_sentiment: Option<f64>,
    /// Mean experience over all its signals, 0–100.
    pub mean_score: Option<f64>,
    /// TCE index 0–100.
    pub tce_index: Option<f64>,
    /// Where the stage weights of the index come from.
    pub weights_source: Source,
    /// Stage scores in model order.
    pub stages: Vec<StageScore>,
    /// Touchpoint scores in model order.
    pub touchpoints: Vec<TouchpointScore>,
    /// Channel scores, most signals first.
    pub channels: Vec<ChannelScore>,
    /// The empirical-Bayes prior of its TES.
    pub prior: Prior,
    /// Importance–performance matrix in its one ranking (see
    /// `tce_analytics::scores::rank`): what needs action first, then the
    /// rest, touchpoints with too little evidence last and unranked.
    pub ipa: Vec<IpaPoint>,
    /// Signals per stage × channel (a signal on two touchpoints of a stage
    /// counts twice), for minimum-evidence rules on channel × stage cells.
    pub stage_channel_n: BTreeMap<String, BTreeMap<String, u64>>,
}

/// Scores one brand's slice.
pub fn brand_card(model: &Model, brand: &str, slice: &Slice, weights: &Weights) -> BrandCard {
    let cells: Vec<TouchpointCell> = model
        .touchpoints
        .iter()
        .map(|t| TouchpointCell {
            touchpoint: t.id.clone(),
            stage: t.stage.clone(),
            importance: t.importance,
            agg: slice.touchpoints.get(&t.id).copied().unwrap_or_default(),
        })
        .collect();
    let (touchpoints, prior) = touchpoint_scores(&slice.total, &cells);
    let importance = |id: &str| model.touchpoint(id).map_or(1.0, |t| t.importance);
    let stage_ids: Vec<String> = model.stages.iter().map(|s| s.id.clone()).collect();
    let stages = stage_scores(&stage_ids, &touchpoints, importance);
    let index = tce_index(&stages, |s| weights.stage(s));
    let rules = IpaRules {
        min_signals: model.evidence.min_touchpoint_signals,
        brand_mean: slice.total.mean().map(score_of),
        far_below_points: model.evidence.far_below_points,
    };
    let ipa = importance_performance(&touchpoints, importance, |s| weights.stage(s), &rules);
    let mut stage_channel_n: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for ((tp, channel), n) in &slice.touchpoint_channels {
        if let Some(t) = model.touchpoint(tp) {
            *stage_channel_n
                .entry(t.stage.clone())
                .or_default()
                .entry(channel.clone())
                .or_default() += n;
        }
    }
    let mut channels: Vec<ChannelScore> = slice
        .channels
        .iter()
        .map(|(c, a)| ChannelScore {
            channel: c.clone(),
            n: a.n,
            net_sentiment: a.net_sentiment().map(round2),
            score: round2(score_of(prior.shrink(a))),
        })
        .collect();
    channels.sort_by(|a, b| b.n.cmp(&a.n).then(a.channel.cmp(&b.channel)));
    let b = model.brand(brand);
    BrandCard {
        brand: brand.to_string(),
        name: b.map_or_else(|| brand.to_string(), |b| b.name.clone()),
        own: b.is_some_and(|b| b.own),
        n: slice.total.n,
        net_sentiment: slice.total.net_sentiment(),
        mean_score: slice.total.mean().map(score_of),
        tce_index: index,
        weights_source: weights.source(),
        stages,
        touchpoints,
        channels,
        prior,
        ipa,
        stage_channel_n,
    }
}

/// Reads the slices of every brand (or the filtered one), keyed by brand and
/// period start (`None` when `period` is `None`: the whole range).
pub fn slices(
    store: &dyn Store,
    filter: &Filter,
    period: Option<Period>,
) -> Result<BTreeMap<(String, Option<NaiveDate>), Slice>, InsightError> {
    let rows = if monthly_suffices(filter, period) {
        store.monthly_rollups(&filter.rollup_filter())?
    } else {
        store.rollups(&filter.rollup_filter())?
    };
    let mut out: BTreeMap<(String, Option<NaiveDate>), Slice> = BTreeMap::new();
    for r in &rows {
        let bucket = period.map(|p| p.start(r.day));
        out.entry((r.brand.clone(), bucket)).or_default().add(r);
    }
    Ok(out)
}

/// Whether the monthly rollups give the same slices as the daily ones: no
/// period or months, and a range made of whole months.
pub(crate) fn monthly_suffices(filter: &Filter, period: Option<Period>) -> bool {
    let whole_start = filter.from.is_none_or(|d| d.day() == 1);
    let whole_end = filter
        .to
        .is_none_or(|d| (d + chrono::Duration::days(1)).day() == 1);
    matches!(period, None | Some(Period::Month)) && whole_start && whole_end
}

/// Brand cards over the whole slice, model brands first (own brand first),
/// then any other brand found in the data.
pub fn scorecards(
    model: &Model,
    store: &dyn Store,
    filter: &Filter,
    weights: &Weights,
) -> Result<Vec<BrandCard>, InsightError> {
    let slices = slices(store, filter, None)?;
    let mut order: Vec<&str> = model
        .brands
        .iter()
        .filter(|b| b.own)
        .map(|b| b.id.as_str())
        .collect();
    order.extend(
        model
            .brands
            .iter()
            .filter(|b| !b.own)
            .map(|b| b.id.as_str()),
    );
    let mut cards: Vec<BrandCard> = Vec::new();
    for id in &order {
        if filter.brand.as_deref().is_some_and(|b| b != *id) {
            continue;
        }
        let slice = slices
            .get(&(id.to_string(), None))
            .cloned()
            .unwrap_or_default();
        cards.push(brand_card(model, id, &slice, weights));
    }
    for ((brand, _), slice) in &slices {
        if !order.contains(&brand.as_str()) && brand != tce_store::UNKNOWN_BRAND {
            cards.push(brand_card(model, brand, slice, weights));
        }
    }
    Ok(cards)
}

/// What a score table is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// The TCE index per brand.
    Brand,
    /// Stage scores.
    Stage,
    /// Touchpoint Experience Scores.
    Touchpoint,
    /// Channel scores.
    Channel,
}

impl FromStr for By {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "brand" => Ok(By::Brand),
            "stage" => Ok(By::Stage),
            "touchpoint" => Ok(By::Touchpoint),
            "channel" => Ok(By::Channel),
            _ => Err(format!(
                "unknown breakdown {s:?} (use brand, stage, touchpoint or channel)"
            )),
        }
    }
}

/// A score request.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreQuery {
    /// Breakdown.
    pub by: By,
    /// Period buckets; `None` scores the whole range at once.
    pub period: Option<Period>,
    /// Slice.
    pub filter: Filter,
}

/// One row of a score table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRow {
    /// Brand id.
    pub brand: String,
    /// First day of the period (absent for the whole range).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<NaiveDate>,
    /// Stage id (stage and touchpoint rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Touchpoint id (touchpoint rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub touchpoint: Option<String>,
    /// Channel id (channel rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Signals.
    pub n: u64,
    /// Net Sentiment, percentage points.
    pub net_sentiment: Option<f64>,
    /// The score 0–100: TCE index, stage score, TES or channel score.
    pub score: Option<f64>,
    /// Change of `score` vs the previous period of the same row; `None`
    /// when this or the previous period is partial or missing.
    pub change: Option<f64>,
    /// Two-sided p-value of the change (Welch's t-test on the experience
    /// values of the two periods).
    pub change_p_value: Option<f64>,
    /// Whether the change is significant at the model's
    /// `evidence.significance_level`; `None` when it cannot be tested.
    pub change_significant: Option<bool>,
    /// The period lies only partly inside the days with data (a week with
    /// one day of data): shown marked, never compared.
    pub partial: bool,
}

/// A score table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreReport {
    /// Breakdown.
    pub by: By,
    /// What `score` means.
    pub score_is: &'static str,
    /// Period, if bucketed.
    pub period: Option<Period>,
    /// Where the stage weights of the TCE index come from (brand breakdown only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weights_source: Option<Source>,
    /// Empirical-Bayes prior per brand (whole range) for TES.
    pub priors: BTreeMap<String, Prior>,
    /// The days the figures cover (the asked range narrowed to the data).
    pub covers: Option<Coverage>,
    /// The significance level changes are tested at.
    pub significance_level: f64,
    /// Rows: brand, then period, then model order.
    pub rows: Vec<ScoreRow>,
}

/// The days with data inside the filter's range, read from the monthly
/// rollups and the daily rollups of the first and last month only.
pub fn coverage(store: &dyn Store, filter: &Filter) -> Result<Option<Coverage>, InsightError> {
    let totals = RollupFilter {
        touchpoint: Some(String::new()),
        ..filter.rollup_filter()
    };
    let months = store.monthly_rollups(&totals)?;
    let (Some(first), Some(last)) = (
        months.iter().map(|r| r.day).min(),
        months.iter().map(|r| r.day).max(),
    ) else {
        return Ok(None);
    };
    let day_in = |month: NaiveDate, pick_min: bool| -> Result<Option<NaiveDate>, InsightError> {
        let rows = store.rollups(&RollupFilter {
            from: Some(filter.from.map_or(month, |f| f.max(month))),
            to: Some(filter.to.map_or(Period::Month.end(month), |t| {
                t.min(Period::Month.end(month))
            })),
            ..totals.clone()
        })?;
        let days = rows.iter().filter(|r| r.n > 0).map(|r| r.day);
        Ok(if pick_min { days.min() } else { days.max() })
    };
    match (day_in(first, true)?, day_in(last, false)?) {
        (Some(from), Some(to)) if from <= to => Ok(Some(Coverage { from, to })),
        _ => Ok(None),
    }
}

/// What the previous period of a row held.
struct Previous {
    start: NaiveDate,
    score: f64,
    agg: Agg,
    partial: bool,
}

/// Computes a score table.
pub fn score(
    model: &Model,
    store: &dyn Store,
    q: &ScoreQuery,
    weights: &Weights,
) -> Result<ScoreReport, InsightError> {
    let slices = slices(store, &q.filter, q.period)?;
    let covers = coverage(store, &q.filter)?;
    let level = model.evidence.significance_level;
    let mut rows = Vec::new();
    let mut priors = BTreeMap::new();
    let mut previous: BTreeMap<(String, String), Previous> = BTreeMap::new();
    for ((brand, bucket), slice) in &slices {
        let card = brand_card(model, brand, slice, weights);
        if !priors.contains_key(brand) {
            priors.insert(brand.clone(), card.prior);
        }
        let partial = match (q.period, bucket, covers) {
            (Some(p), Some(b), Some(c)) => c.is_partial(p, *b),
            _ => false,
        };
        let mut push = |key: String, agg: Agg, mut row: ScoreRow| {
            row.partial = partial;
            if let (Some(s), Some(p), Some(b)) = (row.score, q.period, bucket) {
                let prev_key = (brand.clone(), key);
                if let Some(prev) = previous.get(&prev_key) {
                    if !partial && !prev.partial && prev.start == p.previous(*b) {
                        row.change = Some(round2(s - prev.score));
                        let test = welch(&agg, &prev.agg);
                        row.change_p_value = test.map(|w| w.p_value);
                        row.change_significant = test.map(|w| w.p_value < level);
                    }
                }
                previous.insert(
                    prev_key,
                    Previous {
                        start: *b,
                        score: s,
                        agg,
                        partial,
                    },
                );
            }
            if let Some(s) = row.score {
                row.score = Some(round2(s));
            }
            row.net_sentiment = row.net_sentiment.map(round2);
            rows.push(row);
        };
        let base = ScoreRow {
            brand: brand.clone(),
            period: *bucket,
            stage: None,
            touchpoint: None,
            channel: None,
            n: 0,
            net_sentiment: None,
            score: None,
            change: None,
            change_p_value: None,
            change_significant: None,
            partial: false,
        };
        match q.by {
            By::Brand => push(
                String::new(),
                slice.total,
                ScoreRow {
                    n: card.n,
                    net_sentiment: card.net_sentiment,
                    score: card.tce_index,
                    ..base
                },
            ),
            By::Stage => {
                for s in &card.stages {
                    let agg = stage_agg(model, slice, &s.stage);
                    push(
                        s.stage.clone(),
                        agg,
                        ScoreRow {
                            stage: Some(s.stage.clone()),
                            n: s.n,
                            net_sentiment: agg.net_sentiment(),
                            score: s.score,
                            ..base.clone()
                        },
                    );
                }
            }
            By::Touchpoint => {
                for t in card.touchpoints.iter().filter(|t| t.n > 0) {
                    push(
                        t.touchpoint.clone(),
                        slice
                            .touchpoints
                            .get(&t.touchpoint)
                            .copied()
                            .unwrap_or_default(),
                        ScoreRow {
                            stage: Some(t.stage.clone()),
                            touchpoint: Some(t.touchpoint.clone()),
                            n: t.n,
                            net_sentiment: t.net_sentiment,
                            score: Some(t.tes),
                            ..base.clone()
                        },
                    );
                }
            }
            By::Channel => {
                for c in &card.channels {
                    push(
                        c.channel.clone(),
                        slice.channels.get(&c.channel).copied().unwrap_or_default(),
                        ScoreRow {
                            channel: Some(c.channel.clone()),
                            n: c.n,
                            net_sentiment: c.net_sentiment,
                            score: Some(c.score),
                            ..base.clone()
                        },
                    );
                }
            }
        }
    }
    let score_is = match q.by {
        By::Brand => "TCE index (stage scores weighted by stage weights), 0–100",
        By::Stage => "stage score (touchpoint TES weighted by importance), 0–100",
        By::Touchpoint => "Touchpoint Experience Score (TES), 0–100, shrunk toward the brand mean",
        By::Channel => "mean experience on the channel, 0–100, shrunk toward the brand mean",
    };
    Ok(ScoreReport {
        by: q.by,
        score_is,
        period: q.period,
        weights_source: (q.by == By::Brand).then(|| weights.source()),
        priors,
        covers,
        significance_level: level,
        rows,
    })
}

fn stage_agg(model: &Model, slice: &Slice, stage: &str) -> Agg {
    let mut a = Agg::default();
    for t in model.touchpoints_of(stage) {
        if let Some(x) = slice.touchpoints.get(&t.id) {
            a.add(x);
        }
    }
    a
}

/// Brands side by side per stage (DESIGN C4 competitor benchmark).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Benchmark {
    /// Stage ids in model order.
    pub stages: Vec<String>,
    /// One entry per brand, own brand first.
    pub brands: Vec<BenchmarkBrand>,
    /// Own brand's stage score minus the best competitor's, per stage;
    /// only from stages with at least `min_signals` signals on both sides.
    pub own_gap_to_best: BTreeMap<String, Option<f64>>,
    /// Signals a brand's stage needs to enter a gap (`evidence.min_benchmark_signals`).
    pub min_signals: u64,
}

/// One brand in the benchmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkBrand {
    /// Brand id.
    pub brand: String,
    /// Name.
    pub name: String,
    /// Own brand?
    pub own: bool,
    /// Signals.
    pub n: u64,
    /// TCE index.
    pub tce_index: Option<f64>,
    /// Stage id → score.
    pub stages: BTreeMap<String, Option<f64>>,
    /// Stage id → signals.
    pub stage_n: BTreeMap<String, u64>,
}

impl BenchmarkBrand {
    /// Whether the brand's stage has too little evidence to compare.
    pub fn thin(&self, stage: &str, min_signals: u64) -> bool {
        self.stage_n.get(stage).copied().unwrap_or(0) < min_signals.max(1)
    }
}

/// The benchmark from brand cards.
pub fn benchmark(model: &Model, cards: &[BrandCard]) -> Benchmark {
    let stages: Vec<String> = model.stages.iter().map(|s| s.id.clone()).collect();
    let brands: Vec<BenchmarkBrand> = cards
        .iter()
        .map(|c| BenchmarkBrand {
            brand: c.brand.clone(),
            name: c.name.clone(),
            own: c.own,
            n: c.n,
            tce_index: c.tce_index.map(round2),
            stages: c
                .stages
                .iter()
                .map(|s| (s.stage.clone(), s.score.map(round2)))
                .collect(),
            stage_n: c.stages.iter().map(|s| (s.stage.clone(), s.n)).collect(),
        })
        .collect();
    let min_signals = model.evidence.min_benchmark_signals;
    let own = brands.iter().find(|b| b.own);
    let own_gap_to_best = stages
        .iter()
        .map(|s| {
            let best = brands
                .iter()
                .filter(|b| !b.own && !b.thin(s, min_signals))
                .filter_map(|b| b.stages.get(s).copied().flatten())
                .fold(None, |acc: Option<f64>, v| {
                    Some(acc.map_or(v, |a| a.max(v)))
                });
            let mine = own
                .filter(|o| !o.thin(s, min_signals))
                .and_then(|o| o.stages.get(s).copied().flatten());
            let gap = match (mine, best) {
                (Some(m), Some(b)) => Some(round2(m - b)),
                _ => None,
            };
            (s.clone(), gap)
        })
        .collect();
    Benchmark {
        stages,
        brands,
        own_gap_to_best,
        min_signals,
    }
}
