//! The API's wire types. Domain and insight types stay free of wire
//! concerns; these mirror them for JSON and carry the OpenAPI schemas.

use crate::auth::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tce_insight::alloc::AllocReport;
use tce_insight::finance::FinanceReport;
use tce_insight::scores::{Benchmark, ScoreReport};
use tce_insight::weights::{Source, Weights};
use tce_model::Model;
use tce_store::StoredSignal;
use utoipa::ToSchema;

mod care;
pub use care::*;

/// Where a weight comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WeightSource {
    /// Key-driver analysis of survey answers.
    Derived,
    /// Period-level model on social data: indicative only.
    LowConfidence,
    /// The model file's weights.
    Configured,
}

impl From<Source> for WeightSource {
    fn from(s: Source) -> Self {
        match s {
            Source::Derived => WeightSource::Derived,
            Source::LowConfidence => WeightSource::LowConfidence,
            Source::Configured => WeightSource::Configured,
        }
    }
}

/// What `POST /signals` did with a batch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IngestResult {
    /// Signals newly stored.
    pub accepted: u64,
    /// Signals already stored (same channel and id), or repeated in the batch.
    pub duplicate: u64,
    /// Records that could not become signals.
    pub rejected: u64,
    /// Why each rejected record was rejected.
    pub rejects: Vec<RejectDto>,
}

/// A rejected record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RejectDto {
    /// Position: array index + 1, or the NDJSON line.
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

/// An intent with its confidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IntentDto {
    /// `complaint`, `praise`, `question`, `suggestion`, `churn_risk`, `purchase_intent`.
    pub intent: String,
    /// 0–1.
    pub confidence: f32,
}

/// A touchpoint a signal speaks about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TouchpointMatchDto {
    /// Touchpoint id.
    pub touchpoint: String,
    /// Its stage id.
    pub stage: String,
    /// 0–1.
    pub confidence: f32,
}

/// A stored signal with its enrichment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignalDto {
    /// Store id.
    pub id: i64,
    /// Channel id.
    pub channel: String,
    /// The source's id (dedupe key with `channel`).
    pub external_id: String,
    /// Brand id (given or detected).
    pub brand: Option<String>,
    /// Author handle.
    pub author: Option<String>,
    /// Author followers.
    pub author_followers: Option<u64>,
    /// RFC 3339 time.
    pub created_at: String,
    /// Full text.
    pub text: String,
    /// Overall rating.
    pub rating: Option<f64>,
    /// `stars5`, `csat5` or `nps10`.
    pub rating_scale: Option<String>,
    /// Stage id → rating (survey answers).
    pub stage_ratings: BTreeMap<String, f64>,
    /// External id replied to.
    pub in_reply_to: Option<String>,
    /// Link to the original.
    pub url: Option<String>,
    /// Language.
    pub lang: Option<String>,
    /// Compound sentiment −1…1.
    pub sentiment: f64,
    /// `negative`, `neutral` or `positive`.
    pub sentiment_label: String,
    /// Engine that scored the sentiment.
    pub engine: String,
    /// Intents.
    pub intents: Vec<IntentDto>,
    /// Touchpoints.
    pub touchpoints: Vec<TouchpointMatchDto>,
    /// Care priority 0–100.
    pub priority: f32,
    /// Experience value −1…1.
    pub experience_value: f64,
}

impl From<&StoredSignal> for SignalDto {
    fn from(s: &StoredSignal) -> Self {
        let (sig, e) = (&s.signal.signal, &s.signal.enrichment);
        SignalDto {
            id: s.id,
            channel: sig.channel.clone(),
            external_id: sig.external_id.clone(),
            brand: e.brand.clone(),
            author: sig.author.clone(),
            author_followers: sig.author_followers,
            created_at: sig.created_at.to_rfc3339(),
            text: sig.text.clone(),
            rating: sig.rating.map(|r| r.value),
            rating_scale: sig.rating.map(|r| r.scale.as_str().to_string()),
            stage_ratings: sig
                .stage_ratings
                .iter()
                .map(|r| (r.stage.clone(), r.rating.value))
                .collect(),
            in_reply_to: sig.in_reply_to.clone(),
            url: sig.url.clone(),
            lang: sig.lang.clone(),
            sentiment: e.sentiment,
            sentiment_label: e.sentiment_label.as_str().to_string(),
            engine: e.engine.clone(),
            intents: e
                .intents
                .iter()
                .map(|i| IntentDto {
                    intent: i.intent.as_str().to_string(),
                    confidence: i.confidence,
                })
                .collect(),
            touchpoints: e
                .touchpoints
                .iter()
                .map(|t| TouchpointMatchDto {
                    touchpoint: t.touchpoint.clone(),
                    stage: t.stage.clone(),
                    confidence: t.confidence,
                })
                .collect(),
            priority: e.priority,
            experience_value: e.experience_value,
        }
    }
}

/// A page of signals, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignalPageDto {
    /// Signals.
    pub items: Vec<SignalDto>,
    /// Pass as `cursor` for the next page; absent on the last page. A page
    /// may hold fewer than `limit` items while this is set (agents' pages
    /// skip other departments' signals).
    pub next_cursor: Option<String>,
}

/// The empirical-Bayes prior of a brand's TES.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PriorDto {
    /// Prior mean experience value −1…1.
    pub mean: f64,
    /// Within-touchpoint variance.
    pub within_variance: f64,
    /// Between-touchpoint variance.
    pub between_variance: f64,
    /// Prior strength in signals.
    pub strength: f64,
}

/// One row of a score table.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoreRowDto {
    /// Brand id.
    pub brand: String,
    /// First day of the period (absent for the whole range).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
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
    /// Score 0–100.
    pub score: Option<f64>,
    /// Change against the previous period of the same row (absent when
    /// either period is partial).
    pub change: Option<f64>,
    /// Two-sided p-value of the change (Welch's t-test).
    pub change_p_value: Option<f64>,
    /// Whether the change is significant at `significance_level`.
    pub change_significant: Option<bool>,
    /// The period is only partly covered by data.
    pub partial: bool,
}

/// The days a set of figures covers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageDto {
    /// First day with data, YYYY-MM-DD.
    pub from: String,
    /// Last day with data, YYYY-MM-DD.
    pub to: String,
    /// Days, both ends included.
    pub days: i64,
}

impl From<&tce_insight::period::Coverage> for CoverageDto {
    fn from(c: &tce_insight::period::Coverage) -> Self {
        CoverageDto {
            from: c.from.to_string(),
            to: c.to.to_string(),
            days: c.days(),
        }
    }
}

/// A score table.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoreReportDto {
    /// `brand`, `stage`, `touchpoint` or `channel`.
    pub by: String,
    /// What `score` means.
    pub score_is: String,
    /// `day`, `week`, `month`, or absent for the whole range.
    pub period: Option<String>,
    /// Where the stage weights of the TCE index come from (`by=brand` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weights_source: Option<WeightSource>,
    /// Prior per brand.
    pub priors: BTreeMap<String, PriorDto>,
    /// The days the figures cover.
    pub covers: Option<CoverageDto>,
    /// Level changes are tested at.
    pub significance_level: f64,
    /// Rows.
    pub rows: Vec<ScoreRowDto>,
}

impl From<&ScoreReport> for ScoreReportDto {
    fn from(r: &ScoreReport) -> Self {
        ScoreReportDto {
            by: json_str(&r.by),
            score_is: r.score_is.to_string(),
            period: r.period.map(|p| p.to_string()),
            weights_source: r.weights_source.map(Into::into),
            priors: r
                .priors
                .iter()
                .map(|(b, p)| {
                    (
                        b.clone(),
                        PriorDto {
                            mean: p.mean,
                            within_variance: p.within_variance,
                            between_variance: p.between_variance,
                            strength: p.strength,
                        },
                    )
                })
                .collect(),
            covers: r.covers.as_ref().map(Into::into),
            significance_level: r.significance_level,
            rows: r
                .rows
                .iter()
                .map(|x| ScoreRowDto {
                    brand: x.brand.clone(),
                    period: x.period.map(|d| d.to_string()),
                    stage: x.stage.clone(),
                    touchpoint: x.touchpoint.clone(),
                    channel: x.channel.clone(),
                    n: x.n,
                    net_sentiment: x.net_sentiment,
                    score: x.score,
                    change: x.change,
                    change_p_value: x.change_p_value,
                    change_significant: x.change_significant,
                    partial: x.partial,
                })
                .collect(),
        }
    }
}

/// The snake_case name serde gives a unit enum variant.
fn json_str<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// One stage's weight.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageWeightDto {
    /// Weight; all stages sum to 1.
    pub weight: f64,
    /// 95 % bootstrap interval [low, high] (equal to the weight when not derived).
    pub ci: Vec<f64>,
    /// Where it comes from.
    pub source: WeightSource,
}

/// Horizontal (stage) and vertical (channel within stage) weights.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WeightsDto {
    /// Stage id → weight.
    pub horizontal: BTreeMap<String, StageWeightDto>,
    /// `lmg`, `relative_weights` or `configured`.
    pub method: String,
    /// R² of the driver model, when derived.
    pub r2: Option<f64>,
    /// Observations behind derived weights.
    pub n: usize,
    /// What was used and why.
    pub note: String,
    /// Stage id → channel id → influence (reach-weighted share of the
    /// stage's evidence, sums to 1 per stage).
    pub vertical: BTreeMap<String, BTreeMap<String, f64>>,
    /// Stage id → channel weights with their source: `derived` (explained
    /// share of the stage's outcome) or `evidence_share`.
    #[schema(value_type = Object)]
    pub vertical_weights: BTreeMap<String, tce_insight::vertical::StageChannels>,
}

impl From<&Weights> for WeightsDto {
    fn from(w: &Weights) -> Self {
        WeightsDto {
            horizontal: w
                .horizontal
                .iter()
                .map(|(s, x)| {
                    (
                        s.clone(),
                        StageWeightDto {
                            weight: x.weight,
                            ci: x.ci.to_vec(),
                            source: x.source.into(),
                        },
                    )
                })
                .collect(),
            method: w.method.clone(),
            r2: w.r2,
            n: w.n,
            note: w.note.clone(),
            vertical: w.vertical.clone(),
            vertical_weights: w.vertical_weights.clone(),
        }
    }
}

/// One brand in the benchmark.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BenchmarkBrandDto {
    /// Brand id.
    pub brand: String,
    /// Name.
    pub name: String,
    /// The own brand?
    pub own: bool,
    /// Signals.
    pub n: u64,
    /// TCE index.
    pub tce_index: Option<f64>,
    /// Stage id → stage score.
    pub stages: BTreeMap<String, Option<f64>>,
    /// Stage id → signals (below `min_signals`: too little evidence).
    pub stage_n: BTreeMap<String, u64>,
}

/// Brands side by side per stage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BenchmarkDto {
    /// Stage ids in model order.
    pub stages: Vec<String>,
    /// Brands, own first.
    pub brands: Vec<BenchmarkBrandDto>,
    /// Own stage score minus the best competitor's.
    pub own_gap_to_best: BTreeMap<String, Option<f64>>,
    /// Where the TCE index's stage weights come from.
    pub weights_source: WeightSource,
    /// Signals a brand's stage needs to enter a gap.
    pub min_signals: u64,
    /// Net advocacy per brand over the months of the range (brands with no
    /// eligible author left out).
    pub net_advocacy: Vec<BenchmarkNetDto>,
}

/// A brand's net advocacy over the months of a range: advocates' share
/// minus detractors' among the author-months with enough signals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BenchmarkNetDto {
    /// Brand id.
    pub brand: String,
    /// Eligible author-months (authors with enough signals in a month).
    pub eligible: u64,
    /// Advocates among them.
    pub advocates: u64,
    /// Detractors among them.
    pub detractors: u64,
    /// Net advocacy in points (−100…100).
    pub value: f64,
    /// 95 % interval, low end.
    pub low: f64,
    /// 95 % interval, high end.
    pub high: f64,
    /// Too little evidence to compare brands on (fewer than `min_eligible`
    /// eligible author-months).
    pub thin: bool,
    /// Eligible author-months a brand needs to be compared.
    pub min_eligible: u64,
}

impl BenchmarkNetDto {
    fn of(n: &tce_insight::advocacy::NetAdvocacyView) -> Self {
        BenchmarkNetDto {
            brand: n.brand.clone(),
            eligible: n.eligible,
            advocates: n.advocates,
            detractors: n.detractors,
            value: n.value,
            low: n.low,
            high: n.high,
            thin: n.thin(),
            min_eligible: tce_insight::advocacy::NET_MIN_ELIGIBLE,
        }
    }
}

impl BenchmarkDto {
    /// From the insight, with net advocacy per brand over the range.
    pub fn new(
        b: &Benchmark,
        source: Source,
        net: &[tce_insight::advocacy::NetAdvocacyView],
    ) -> Self {
        BenchmarkDto {
            stages: b.stages.clone(),
            brands: b
                .brands
                .iter()
                .map(|x| BenchmarkBrandDto {
                    brand: x.brand.clone(),
                    name: x.name.clone(),
                    own: x.own,
                    n: x.n,
                    tce_index: x.tce_index,
                    stages: x.stages.clone(),
                    stage_n: x.stage_n.clone(),
                })
                .collect(),
            own_gap_to_best: b.own_gap_to_best.clone(),
            weights_source: source.into(),
            min_signals: b.min_signals,
            net_advocacy: net.iter().map(BenchmarkNetDto::of).collect(),
        }
    }
}

/// A touchpoint cell of the journey matrix.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JourneyCellDto {
    /// Touchpoint id.
    pub touchpoint: String,
    /// Name.
    pub name: String,
    /// Owning department.
    pub department: String,
    /// Touchpoint Experience Score 0–100 (shrunk toward the brand mean).
    pub tes: f64,
    /// Unshrunk mean experience 0–100.
    pub raw_score: Option<f64>,
    /// Signals.
    pub n: u64,
    /// Net Sentiment, percentage points.
    pub net_sentiment: Option<f64>,
    /// Complaints.
    pub complaints: u64,
}

/// A stage of the journey matrix.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JourneyStageDto {
    /// Stage id.
    pub stage: String,
    /// Name.
    pub name: String,
    /// Stage score (absent for agents, whose view is partial).
    pub score: Option<f64>,
    /// Signals on the stage.
    pub n: u64,
    /// Touchpoints of the stage, in model order.
    pub touchpoints: Vec<JourneyCellDto>,
}

/// The stage × touchpoint matrix of one brand.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JourneyDto {
    /// Brand id.
    pub brand: String,
    /// Name.
    pub name: String,
    /// TCE index.
    pub tce_index: Option<f64>,
    /// Where the index's stage weights come from.
    pub weights_source: WeightSource,
    /// Stages in model order.
    pub stages: Vec<JourneyStageDto>,
}

/// An allocation request.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AllocateRequestDto {
    /// Amount to split, in the model's currency.
    pub budget: f64,
    /// `acquire`, `retain` (default), `innovate`, `custom` or an objective of the model.
    #[serde(default)]
    pub objective: Option<String>,
    /// Stage id → weight, instead of the derived weights (required for `custom`).
    #[serde(default)]
    pub stage_weights: Option<BTreeMap<String, f64>>,
    /// Channel id → minimum total.
    #[serde(default)]
    pub min: BTreeMap<String, f64>,
    /// Channel id → maximum total.
    #[serde(default)]
    pub max: BTreeMap<String, f64>,
    /// First day of the data used, YYYY-MM-DD.
    #[serde(default)]
    pub from: Option<String>,
    /// Last day of the data used, YYYY-MM-DD.
    #[serde(default)]
    pub to: Option<String>,
}

/// A stage in the allocation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AllocStageDto {
    /// Weight after the objective's emphasis (sums to 1).
    pub weight: f64,
    /// `derived`, `low_confidence`, `configured` or `given`.
    pub source: String,
    /// Own stage score.
    pub own_score: Option<f64>,
    /// Best competitor's stage score.
    pub best_competitor: Option<f64>,
    /// Gap used, score points.
    pub gap: f64,
    /// The stage weight before the objective's emphasis (absent for given weights).
    pub base_weight: Option<f64>,
    /// The objective's emphasis (multiplier).
    pub emphasis: f64,
}

/// One line of the allocation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AllocLineDto {
    /// Channel id.
    pub channel: String,
    /// Stage id.
    pub stage: String,
    /// Amount.
    pub amount: f64,
    /// Expected TCE index gain of that amount.
    pub expected_gain: f64,
    /// Why.
    pub reason: String,
}

/// The allocation with its reasons.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AllocReportDto {
    /// Budget.
    pub budget: f64,
    /// Currency.
    pub currency: String,
    /// Objective.
    pub objective: String,
    /// Stage id → weight, scores, gap.
    pub stages: BTreeMap<String, AllocStageDto>,
    /// Lines, largest first; amounts sum to the budget.
    pub lines: Vec<AllocLineDto>,
    /// Expected TCE index gain.
    pub expected_gain: f64,
    /// Spend at which a cell reaches 63 % of its potential.
    pub saturation: f64,
    /// Where the stage weights come from, in words.
    pub weights_basis: String,
    /// Spend step of the planner; a marginal gain is the index gain of one more step.
    pub unit: f64,
    /// Channels at their maximum.
    pub capped: Vec<String>,
    /// Cells left out for too little own-brand evidence.
    pub too_little_evidence: Vec<ThinCellDto>,
    /// Own-brand signals a cell needs.
    pub min_cell_signals: u64,
}

/// A channel × stage cell left out of an allocation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThinCellDto {
    /// Channel id.
    pub channel: String,
    /// Stage id.
    pub stage: String,
    /// Own-brand signals in the cell.
    pub n: u64,
}

impl From<&AllocReport> for AllocReportDto {
    fn from(r: &AllocReport) -> Self {
        AllocReportDto {
            budget: r.budget,
            currency: r.currency.clone(),
            objective: r.objective.clone(),
            stages: r
                .stages
                .iter()
                .map(|(s, x)| {
                    (
                        s.clone(),
                        AllocStageDto {
                            weight: x.weight,
                            source: x.source.clone(),
                            own_score: x.own_score,
                            best_competitor: x.best_competitor,
                            gap: x.gap,
                            base_weight: x.base_weight,
                            emphasis: x.emphasis,
                        },
                    )
                })
                .collect(),
            lines: r
                .lines
                .iter()
                .map(|l| AllocLineDto {
                    channel: l.channel.clone(),
                    stage: l.stage.clone(),
                    amount: l.amount,
                    expected_gain: l.expected_gain,
                    reason: l.reason.clone(),
                })
                .collect(),
            expected_gain: r.expected_gain,
            saturation: r.response.saturation,
            weights_basis: r.weights_basis.clone(),
            unit: r.unit,
            capped: r.capped.clone(),
            too_little_evidence: r
                .too_little_evidence
                .iter()
                .map(|c| ThinCellDto {
                    channel: c.channel.clone(),
                    stage: c.stage.clone(),
                    n: c.n,
                })
                .collect(),
            min_cell_signals: r.min_cell_signals,
        }
    }
}

/// A fitted elasticity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ElasticityDto {
    /// Relative change of the outcome per score point.
    pub beta: f64,
    /// Standard error.
    pub se: f64,
    /// 95 % interval of beta [low, high].
    pub ci: Vec<f64>,
    /// Within R².
    pub r2_within: f64,
    /// Observations.
    pub n: usize,
    /// Brands.
    pub brands: usize,
}

/// What-if for a score change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WhatIfDto {
    /// Score change, points.
    pub delta: f64,
    /// Expected change of the outcome, percent.
    pub pct: f64,
    /// 95 % interval, percent [low, high].
    pub ci: Vec<f64>,
}

/// One fitted outcome.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeFitDto {
    /// `revenue`, `customers` or `return_visits`.
    pub outcome: String,
    /// The fit.
    pub elasticity: Option<ElasticityDto>,
    /// The what-if.
    pub what_if: Option<WhatIfDto>,
    /// Why there is no fit.
    pub note: Option<String>,
}

/// One week of revenue at risk.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AtRiskWeekDto {
    /// Monday of the week.
    pub week: String,
    /// Negative public posts about the own brand.
    pub negative_posts: u64,
    /// Their estimated reach.
    pub negative_reach: f64,
    /// The own brand's customers that week (outcomes).
    pub customers: Option<f64>,
    /// Customers lost, after the cap.
    pub customers_lost: f64,
    /// Capped by the customers.
    pub capped: bool,
    /// Only partly covered by data.
    pub partial: bool,
}

/// Revenue at risk from negative public posts, per week, capped by the
/// customer base.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AtRiskDto {
    /// The days it covers.
    pub covers: Option<CoverageDto>,
    /// Per week.
    pub weeks: Vec<AtRiskWeekDto>,
    /// Negative posts about the own brand on social channels.
    pub negative_posts: u64,
    /// Customers an average negative post costs (model parameter).
    pub customers_lost_per_negative_post: f64,
    /// Reach of an average public post of the own brand.
    pub average_reach: Option<f64>,
    /// Model parameter.
    pub customer_value: f64,
    /// Customer base capping the total (largest weekly customers).
    pub customer_base: Option<f64>,
    /// Customers lost over the range.
    pub customers_lost: f64,
    /// customers lost × value.
    pub amount: f64,
    /// The model's assumptions in words.
    pub assumptions: Vec<String>,
    /// Parameters left at the seeds' defaults.
    pub defaults: Vec<String>,
}

/// The finance view.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FinanceDto {
    /// Currency.
    pub currency: String,
    /// The experience measure used.
    pub driver: String,
    /// Brand-weeks with outcome and driver.
    pub observations: usize,
    /// Fits per outcome.
    pub fits: Vec<OutcomeFitDto>,
    /// Sales % per +5 CSAT points (the seeds' rule of thumb unless configured).
    pub rule_of_thumb_sales_pct_per_5pt: f64,
    /// Revenue at risk.
    pub at_risk: AtRiskDto,
}

impl From<&FinanceReport> for FinanceDto {
    fn from(r: &FinanceReport) -> Self {
        FinanceDto {
            currency: r.currency.clone(),
            driver: r.driver.clone(),
            observations: r.observations,
            fits: r
                .fits
                .iter()
                .map(|f| OutcomeFitDto {
                    outcome: f.outcome.clone(),
                    elasticity: f.elasticity.as_ref().map(|e| ElasticityDto {
                        beta: e.beta,
                        se: e.se,
                        ci: e.ci.to_vec(),
                        r2_within: e.r2_within,
                        n: e.n,
                        brands: e.brands,
                    }),
                    what_if: f.what_if.as_ref().map(|w| WhatIfDto {
                        delta: w.delta,
                        pct: w.pct,
                        ci: w.ci.to_vec(),
                    }),
                    note: f.note.clone(),
                })
                .collect(),
            rule_of_thumb_sales_pct_per_5pt: r.rule_of_thumb_sales_pct_per_5pt,
            at_risk: AtRiskDto {
                covers: r.at_risk.covers.as_ref().map(Into::into),
                weeks: r
                    .at_risk
                    .weeks
                    .iter()
                    .map(|w| AtRiskWeekDto {
                        week: w.week.to_string(),
                        negative_posts: w.negative_posts,
                        negative_reach: w.negative_reach,
                        customers: w.customers,
                        customers_lost: w.customers_lost,
                        capped: w.capped,
                        partial: w.partial,
                    })
                    .collect(),
                negative_posts: r.at_risk.negative_posts,
                customers_lost_per_negative_post: r.at_risk.customers_lost_per_negative_post,
                average_reach: r.at_risk.average_reach,
                customer_value: r.at_risk.customer_value,
                customer_base: r.at_risk.customer_base,
                customers_lost: r.at_risk.customers_lost,
                amount: r.at_risk.amount,
                assumptions: r.at_risk.assumptions.clone(),
                defaults: r.at_risk.defaults.clone(),
            },
        }
    }
}

/// A stage of the model.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageDto {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Configured weight.
    pub weight: f64,
}

/// A department of the model.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepartmentDto {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// First-response SLA, hours.
    pub sla_first_response_hours: f64,
    /// Resolution SLA, hours.
    pub sla_resolution_hours: f64,
}

/// A touchpoint of the model.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TouchpointDto {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Stage id.
    pub stage: String,
    /// Owning department id.
    pub department: String,
    /// Importance within its stage.
    pub importance: f64,
    /// Phrases that identify it in text.
    pub phrases: Vec<String>,
}

/// A channel of the model.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChannelDto {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// A social channel (budget can go there)?
    pub social: bool,
}

/// A brand of the model.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BrandDto {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The own brand?
    pub own: bool,
    /// Social handles.
    pub handles: Vec<String>,
    /// Other names.
    pub aliases: Vec<String>,
    /// The link invitations to share point to (`{link}`), if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_link: Option<String>,
}

/// Finance parameters of the model.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FinanceParamsDto {
    /// Currency.
    pub currency: String,
    /// Value of one customer.
    pub customer_value: f64,
    /// Customers lost per negative post.
    pub customers_lost_per_negative_post: f64,
    /// Sales % per +5 CSAT points.
    pub sales_pct_per_5pt_csat: f64,
    /// Parameters left at the seeds' defaults.
    pub defaulted: Vec<String>,
}

/// The TCE model of the workspace.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelDto {
    /// Name.
    pub name: String,
    /// Template it came from.
    pub template: Option<String>,
    /// Lifecycle stages in order.
    pub stages: Vec<StageDto>,
    /// Departments.
    pub departments: Vec<DepartmentDto>,
    /// Touchpoints.
    pub touchpoints: Vec<TouchpointDto>,
    /// Channels.
    pub channels: Vec<ChannelDto>,
    /// Brands.
    pub brands: Vec<BrandDto>,
    /// Finance parameters.
    pub finance: FinanceParamsDto,
}

impl From<&Model> for ModelDto {
    fn from(m: &Model) -> Self {
        ModelDto {
            name: m.name.clone(),
            template: m.template.clone(),
            stages: m
                .stages
                .iter()
                .map(|s| StageDto {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    weight: s.weight,
                })
                .collect(),
            departments: m
                .departments
                .iter()
                .map(|d| DepartmentDto {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    sla_first_response_hours: d.sla_first_response_hours,
                    sla_resolution_hours: d.sla_resolution_hours,
                })
                .collect(),
            touchpoints: m
                .touchpoints
                .iter()
                .map(|t| TouchpointDto {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    stage: t.stage.clone(),
                    department: t.department.clone(),
                    importance: t.importance,
                    phrases: t.phrases.clone(),
                })
                .collect(),
            channels: m
                .channels
                .iter()
                .map(|c| ChannelDto {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    social: c.social,
                })
                .collect(),
            brands: m
                .brands
                .iter()
                .map(|b| BrandDto {
                    id: b.id.clone(),
                    name: b.name.clone(),
                    own: b.own,
                    handles: b.handles.clone(),
                    aliases: b.aliases.clone(),
                    share_link: b.share_link.clone(),
                })
                .collect(),
            finance: FinanceParamsDto {
                currency: m.finance.currency.clone(),
                customer_value: m.finance.customer_value,
                customers_lost_per_negative_post: m.finance.customers_lost_per_negative_post,
                sales_pct_per_5pt_csat: m.finance.sales_pct_per_5pt_csat,
                defaulted: m.finance.defaulted.clone(),
            },
        }
    }
}

/// A token as listed (never its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenDto {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Department of an agent.
    pub department: Option<String>,
    /// RFC 3339 time.
    pub created_at: String,
    /// RFC 3339 time, when revoked.
    pub revoked_at: Option<String>,
}

/// A token to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateTokenDto {
    /// Role.
    pub role: Role,
    /// Department (required for agents, refused otherwise).
    #[serde(default)]
    pub department: Option<String>,
    /// A name for people.
    #[serde(default)]
    pub name: Option<String>,
}

/// A created token: the secret is shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedTokenDto {
    /// Id.
    pub id: i64,
    /// The secret: send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Department of an agent.
    pub department: Option<String>,
}

/// Health.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HealthDto {
    /// `ok`.
    pub status: String,
}

/// Headline KPIs (NPS, CSAT per brand, stage and period) and share of voice
/// (per social channel, weekly).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KpisDto {
    /// NPS and CSAT with n and 95 % intervals; `definitions` says how.
    #[schema(value_type = Object)]
    pub kpis: tce_insight::kpi::KpiReport,
    /// Each tracked brand's share of public posts per social channel.
    #[schema(value_type = Object)]
    pub share_of_voice: tce_insight::voice::VoiceReport,
}
