//! What each dashboard page (and the report) shows, gathered from
//! [`Insights`]: plain data, rendered by `pages`.

use crate::dto::JourneyDto;
use crate::error::ApiError;
use crate::insights::{self, Insights};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tce_analytics::scores::Quadrant;
use tce_insight::alloc::{AllocReport, AllocRequest};
use tce_insight::finance::FinanceReport;
use tce_insight::kpi::KpiReport;
use tce_insight::period::Coverage;
use tce_insight::scores::{benchmark, Benchmark, BrandCard, Filter};
use tce_insight::weights::{Source, Weights};

/// A touchpoint to fix first.
#[derive(Debug, Clone)]
pub struct FixFirst {
    /// Touchpoint name.
    pub touchpoint: String,
    /// Stage name.
    pub stage: String,
    /// TES.
    pub tes: f64,
    /// Signals.
    pub n: u64,
    /// Net Sentiment.
    pub net_sentiment: Option<f64>,
    /// Share of the total weight.
    pub importance: f64,
    /// Importance × shortfall.
    pub priority: f64,
    /// Share of its signals that are complaints.
    pub complaint_share: Option<f64>,
    /// Position in the importance–performance ranking.
    pub rank: Option<usize>,
    /// Quadrant.
    pub quadrant: Quadrant,
    /// Flagged for being far below the brand mean.
    pub far_below: bool,
}

/// The change of a brand's TCE index: the last full week against the one
/// before it (partial weeks are never compared).
#[derive(Debug, Clone)]
pub struct IndexChange {
    /// Monday of the week compared.
    pub week: chrono::NaiveDate,
    /// Change in points.
    pub change: f64,
    /// Two-sided p-value (Welch's t-test on the weeks' experience values).
    pub p_value: Option<f64>,
    /// Significant at the model's level; `None` when it cannot be tested.
    pub significant: Option<bool>,
}

/// The overview page.
#[derive(Debug, Clone)]
pub struct OverviewView {
    /// Weights of the index.
    pub weights: Arc<Weights>,
    /// Brand cards.
    pub cards: Arc<Vec<BrandCard>>,
    /// Brand id → (week, TCE index).
    pub trends: BTreeMap<String, Vec<(String, Option<f64>)>>,
    /// The own brand's name.
    pub own: Option<String>,
    /// The own brand's touchpoints that need action (fix first or far
    /// below the brand mean): the head of the importance–performance ranking.
    pub fix_first: Vec<FixFirst>,
    /// Headline KPIs (NPS, CSAT) per brand and stage.
    pub kpis: KpiReport,
    /// Brand id → last full week's change of the index.
    pub changes: BTreeMap<String, IndexChange>,
    /// The days the figures cover.
    pub covers: Option<Coverage>,
    /// The significance level of the changes.
    pub significance_level: f64,
    /// Touchpoints a touchpoint needs to be ranked.
    pub min_touchpoint_signals: u64,
}

/// The own brand's touchpoints that need action, in the one ranking of the
/// importance–performance matrix (its head: what the quadrant page lists
/// first), at most `limit`.
pub fn fix_first(model: &tce_model::Model, card: &BrandCard, limit: usize) -> Vec<FixFirst> {
    card.ipa
        .iter()
        .take_while(|p| p.needs_action())
        .take(limit)
        .map(|p| {
            let ts = card
                .touchpoints
                .iter()
                .find(|t| t.touchpoint == p.touchpoint);
            FixFirst {
                touchpoint: model
                    .touchpoint(&p.touchpoint)
                    .map_or_else(|| p.touchpoint.clone(), |t| t.name.clone()),
                stage: model
                    .stage(&p.stage)
                    .map_or_else(|| p.stage.clone(), |s| s.name.clone()),
                tes: p.performance,
                n: p.n,
                net_sentiment: ts.and_then(|t| t.net_sentiment),
                importance: p.importance,
                priority: p.gap_priority,
                complaint_share: p.complaint_share,
                rank: p.rank,
                quadrant: p.quadrant,
                far_below: p.far_below,
            }
        })
        .collect()
}

/// Gathers the overview.
pub fn overview(ins: &Insights<'_>, filter: &Filter) -> Result<OverviewView, ApiError> {
    let weights = ins.weights(filter)?;
    let cards = ins.cards(filter)?;
    let weekly = ins.weekly_index(filter)?;
    let mut trends: BTreeMap<String, Vec<(String, Option<f64>)>> = BTreeMap::new();
    let mut changes: BTreeMap<String, IndexChange> = BTreeMap::new();
    for r in &weekly.rows {
        if let Some(p) = r.period {
            let label = if r.partial {
                format!("week of {p} (partial)")
            } else {
                format!("week of {p}")
            };
            trends
                .entry(r.brand.clone())
                .or_default()
                .push((label, r.score));
            if let Some(change) = r.change {
                changes.insert(
                    r.brand.clone(),
                    IndexChange {
                        week: p,
                        change,
                        p_value: r.change_p_value,
                        significant: r.change_significant,
                    },
                );
            }
        }
    }
    let model = ins.model;
    let own_card = cards.iter().find(|c| c.own);
    let fix_first = own_card.map(|c| fix_first(model, c, 6)).unwrap_or_default();
    Ok(OverviewView {
        weights,
        own: own_card.map(|c| c.name.clone()),
        cards,
        trends,
        fix_first,
        kpis: overview_kpis(ins, filter)?,
        changes,
        covers: *ins.coverage(filter)?,
        significance_level: model.evidence.significance_level,
        min_touchpoint_signals: model.evidence.min_touchpoint_signals,
    })
}

/// Headline KPIs of every brand over the filter's range (from the rating
/// rollups: a few rows per day).
pub fn overview_kpis(ins: &Insights<'_>, filter: &Filter) -> Result<KpiReport, ApiError> {
    Ok(tce_insight::kpi::kpis(
        ins.model,
        ins.store,
        &tce_insight::kpi::KpiQuery {
            from: filter.from,
            to: filter.to,
            brand: None,
            period: Some(tce_insight::period::Period::Week),
        },
    )?)
}

/// A brand choice for the pages that show one brand.
pub type BrandChoice = Vec<(String, String)>;

fn brand_choice(ins: &Insights<'_>) -> BrandChoice {
    ins.model
        .brands
        .iter()
        .map(|b| (b.id.clone(), b.name.clone()))
        .collect()
}

fn chosen_brand(ins: &Insights<'_>, filter: &Filter) -> Result<String, ApiError> {
    match &filter.brand {
        Some(b) => Ok(b.clone()),
        None => ins
            .default_brand()
            .ok_or_else(|| ApiError::Unprocessable("the model has no brands".into())),
    }
}

/// The journey page.
#[derive(Debug, Clone)]
pub struct JourneyView {
    /// Brands to choose from.
    pub brands: BrandChoice,
    /// The matrix.
    pub journey: JourneyDto,
    /// Whether the view is limited to a department's touchpoints.
    pub scoped: bool,
    /// The days the figures cover.
    pub covers: Option<Coverage>,
}

/// Gathers the journey map of the filter's brand (default: the own brand).
pub fn journey(
    ins: &Insights<'_>,
    filter: &Filter,
    scope: Option<&BTreeSet<String>>,
) -> Result<JourneyView, ApiError> {
    let brand = chosen_brand(ins, filter)?;
    let card = ins.card(filter, &brand)?.unwrap_or_else(|| {
        tce_insight::scores::brand_card(
            ins.model,
            &brand,
            &Default::default(),
            &Weights {
                horizontal: BTreeMap::new(),
                method: String::new(),
                r2: None,
                n: 0,
                note: String::new(),
                vertical: BTreeMap::new(),
                vertical_weights: BTreeMap::new(),
            },
        )
    });
    Ok(JourneyView {
        brands: brand_choice(ins),
        journey: insights::journey(ins.model, &card, scope),
        scoped: scope.is_some(),
        covers: *ins.coverage(filter)?,
    })
}

/// The channel influence page: the weights and the days they cover.
#[derive(Debug, Clone)]
pub struct ChannelsView {
    /// Stage and channel weights.
    pub weights: Arc<Weights>,
    /// The days the figures cover.
    pub covers: Option<Coverage>,
}

/// Gathers the channel influence page.
pub fn channels(ins: &Insights<'_>, filter: &Filter) -> Result<ChannelsView, ApiError> {
    Ok(ChannelsView {
        weights: ins.weights(filter)?,
        covers: *ins.coverage(filter)?,
    })
}

/// The benchmark page.
#[derive(Debug, Clone)]
pub struct BenchmarkView {
    /// Brands per stage.
    pub benchmark: Benchmark,
    /// Source of the index weights.
    pub source: Source,
    /// Share of voice per social channel, weekly.
    pub voice: tce_insight::voice::VoiceReport,
    /// The days the figures cover.
    pub covers: Option<Coverage>,
    /// Net advocacy per brand over the months of the range.
    pub net: Vec<tce_insight::advocacy::NetAdvocacyView>,
}

/// Gathers the benchmark.
pub fn benchmark_view(ins: &Insights<'_>, filter: &Filter) -> Result<BenchmarkView, ApiError> {
    let all = Filter {
        brand: None,
        ..filter.clone()
    };
    let cards = ins.cards(&all)?;
    Ok(BenchmarkView {
        benchmark: benchmark(ins.model, &cards),
        source: ins.weights(&all)?.source(),
        voice: tce_insight::voice::share_of_voice(
            ins.model,
            ins.store,
            filter.from,
            filter.to,
            tce_insight::period::Period::Week,
        )?,
        covers: *ins.coverage(&all)?,
        net: tce_insight::advocacy::net_by_brand_between(
            ins.store,
            ins.model,
            filter.from,
            filter.to,
        )?,
    })
}

/// The importance–performance page.
#[derive(Debug, Clone)]
pub struct QuadrantView {
    /// Brands to choose from.
    pub brands: BrandChoice,
    /// The brand's card (its `ipa` points).
    pub card: Option<BrandCard>,
    /// Source of the weights behind importance.
    pub source: Source,
    /// The days the figures cover.
    pub covers: Option<Coverage>,
    /// Signals a touchpoint needs to be ranked.
    pub min_touchpoint_signals: u64,
    /// Points below the brand mean that flag a touchpoint.
    pub far_below_points: f64,
}

/// Gathers the quadrant of the filter's brand (default: the own brand).
pub fn quadrant(ins: &Insights<'_>, filter: &Filter) -> Result<QuadrantView, ApiError> {
    let brand = chosen_brand(ins, filter)?;
    Ok(QuadrantView {
        brands: brand_choice(ins),
        card: ins.card(filter, &brand)?,
        source: ins.weights(filter)?.source(),
        covers: *ins.coverage(&Filter {
            brand: Some(brand.clone()),
            ..filter.clone()
        })?,
        min_touchpoint_signals: ins.model.evidence.min_touchpoint_signals,
        far_below_points: ins.model.evidence.far_below_points,
    })
}

/// Allocates a budget for the own brand.
pub fn allocation(
    ins: &Insights<'_>,
    filter: &Filter,
    req: &AllocRequest,
) -> Result<AllocReport, ApiError> {
    let all = Filter {
        brand: None,
        channel: None,
        ..filter.clone()
    };
    let cards = ins.cards(&all)?;
    let weights = ins.weights(&all)?;
    let mut report = tce_insight::alloc::allocate(ins.model, &cards, &weights, req)?;
    report.covers = *ins.coverage(&all)?;
    Ok(report)
}

/// Computes the finance view.
pub fn finance(
    ins: &Insights<'_>,
    filter: &Filter,
    what_if: f64,
) -> Result<Arc<FinanceReport>, ApiError> {
    ins.finance(filter, what_if)
}
