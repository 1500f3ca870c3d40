//! Derived weights (DESIGN C5): how much each stage matters (horizontal) and
//! how much each channel carries within a stage (vertical).
//!
//! Horizontal weights come, in order of preference, from
//! 1. **survey key drivers** (`derived`): the overall rating of survey answers
//!    regressed on their per-stage ratings within brand × week (fixed effects,
//!    coarser when answers are few), R² split by LMG, bootstrap intervals —
//!    needs [`MIN_SURVEYS`] complete answers;
//! 2. **a period-level model on social data** (`low_confidence`): brand × week
//!    mean experience regressed on the brand × week stage means — needs
//!    [`MIN_PERIODS`] complete brand-weeks;
//! 3. **the model's configured weights** (`configured`).
//!
//! Every weight says which in `source`.
//!
//! Vertical weights (`vertical_weights`) are derived per stage from the
//! brand-week outcome of the stage where the data allows, else they are the
//! reach-weighted evidence shares (see [`crate::vertical`]); `vertical` always
//! holds the evidence shares. Signals of unknown brand never count toward a
//! channel's influence.

use crate::vertical::{vertical_weights, StageChannels};
use crate::{agg_of, InsightError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tce_analytics::agg::Agg;
use tce_analytics::drivers::{key_drivers, DriverOptions, DriverWeights};
use tce_analytics::influence::{channel_influence, ChannelShare};
use tce_model::Model;
use tce_store::{RollupFilter, Store};

/// Complete survey answers needed for survey-derived weights.
pub const MIN_SURVEYS: usize = 100;
/// Complete brand-weeks needed for the social fallback.
pub const MIN_PERIODS: usize = 20;
/// Signals per stage a brand-week needs to count as complete in the fallback.
const MIN_STAGE_SIGNALS: u64 = 5;

/// Where a weight comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Key-driver analysis of survey outcomes.
    Derived,
    /// Period-level model on social data: indicative only.
    LowConfidence,
    /// The model file's weights.
    Configured,
}

impl Source {
    /// Label for display.
    pub fn label(self) -> &'static str {
        match self {
            Source::Derived => "derived",
            Source::LowConfidence => "low confidence",
            Source::Configured => "configured",
        }
    }
}

/// One stage's weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageWeight {
    /// Weight; the weights of all stages sum to 1.
    pub weight: f64,
    /// 95 % bootstrap interval (equal to the weight when not derived).
    pub ci: [f64; 2],
    /// Where it comes from.
    pub source: Source,
}

/// Horizontal and vertical weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Weights {
    /// Stage id → weight.
    pub horizontal: BTreeMap<String, StageWeight>,
    /// `lmg`, `relative_weights` or `configured`.
    pub method: String,
    /// R² of the driver model, when derived.
    pub r2: Option<f64>,
    /// Observations behind the derived weights.
    pub n: usize,
    /// What was used and why.
    pub note: String,
    /// Stage id → channel id → influence (reach-weighted evidence share, sums to 1 per stage).
    pub vertical: BTreeMap<String, BTreeMap<String, f64>>,
    /// Stage id → channel weights derived from the stage's outcome where
    /// the data allows, else the evidence shares, each stage saying which.
    pub vertical_weights: BTreeMap<String, StageChannels>,
}

impl Weights {
    /// The weight of a stage (0 when unknown).
    pub fn stage(&self, id: &str) -> f64 {
        self.horizontal.get(id).map_or(0.0, |w| w.weight)
    }

    /// The overall source: the source of the horizontal weights.
    pub fn source(&self) -> Source {
        self.horizontal
            .values()
            .next()
            .map_or(Source::Configured, |w| w.source)
    }
}

/// Options of [`weights`].
#[derive(Debug, Clone, Copy, Default)]
pub struct WeightOptions {
    /// Bootstrap resamples for the intervals (0 = none, fast).
    pub bootstrap: usize,
    /// Only data from this day on.
    pub from: Option<NaiveDate>,
    /// Only data up to this day.
    pub to: Option<NaiveDate>,
}

/// Computes the weights.
pub fn weights(
    model: &Model,
    store: &dyn Store,
    opts: WeightOptions,
) -> Result<Weights, InsightError> {
    let mut w = horizontal_weights(model, store, opts)?;
    let stages: Vec<String> = model.stages.iter().map(|s| s.id.clone()).collect();
    let daily = store.rollups(&RollupFilter {
        from: opts.from,
        to: opts.to,
        ..RollupFilter::default()
    })?;
    let surveys: Vec<_> = store
        .survey_responses(None)?
        .into_iter()
        .filter(|r| {
            let day = r.created_at.date_naive();
            !(opts.from.is_some_and(|f| day < f) || opts.to.is_some_and(|t| day > t))
        })
        .collect();
    w.vertical_weights = vertical_weights(
        &stages,
        &daily,
        &surveys,
        &w.vertical,
        DriverOptions {
            bootstrap: opts.bootstrap,
            ..DriverOptions::default()
        },
    )?;
    Ok(w)
}

/// The horizontal weights and the evidence shares.
fn horizontal_weights(
    model: &Model,
    store: &dyn Store,
    opts: WeightOptions,
) -> Result<Weights, InsightError> {
    let stages: Vec<String> = model.stages.iter().map(|s| s.id.clone()).collect();
    let range = crate::scores::Filter {
        from: opts.from,
        to: opts.to,
        ..Default::default()
    };
    // Channel influence needs only totals: monthly rollups when the range allows.
    let totals = if crate::scores::monthly_suffices(&range, None) {
        store.monthly_rollups(&RollupFilter {
            from: opts.from,
            to: opts.to,
            ..RollupFilter::default()
        })?
    } else {
        store.rollups(&RollupFilter {
            from: opts.from,
            to: opts.to,
            ..RollupFilter::default()
        })?
    };
    let tp_aggs: Vec<(String, String, Agg)> = totals
        .iter()
        // Unknown-brand signals are about no tracked brand: they carry no
        // brand's experience and never count toward a channel's influence.
        .filter(|r| !r.touchpoint.is_empty() && r.brand != tce_store::UNKNOWN_BRAND)
        .map(|r| (r.stage.clone(), r.channel.clone(), agg_of(r)))
        .collect();
    let vertical: BTreeMap<String, BTreeMap<String, f64>> =
        channel_influence(tp_aggs.iter().map(|(s, c, a)| (s.as_str(), c.as_str(), a)))
            .into_iter()
            .map(|(stage, shares)| {
                let m = shares
                    .into_iter()
                    .map(
                        |ChannelShare {
                             channel, influence, ..
                         }| (channel, influence),
                    )
                    .collect();
                (stage, m)
            })
            .collect();

    let drivers_opts = DriverOptions {
        bootstrap: opts.bootstrap,
        ..DriverOptions::default()
    };
    // 1. Surveys.
    let responses = store.survey_responses(None)?;
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut keys = Vec::new();
    for r in &responses {
        let day = r.created_at.date_naive();
        if opts.from.is_some_and(|f| day < f) || opts.to.is_some_and(|t| day > t) {
            continue;
        }
        let row: Option<Vec<f64>> = stages
            .iter()
            .map(|s| r.stages.iter().find(|(id, _)| id == s).map(|(_, v)| *v))
            .collect();
        if let Some(row) = row {
            x.push(row);
            y.push(r.overall);
            keys.push((r.brand.clone(), day));
        }
    }
    let controls = demean(&mut x, &mut y, &keys);
    let mut notes = Vec::new();
    if x.len() >= MIN_SURVEYS {
        match key_drivers(&stages, &x, &y, drivers_opts) {
            Ok(d) => {
                let note = format!(
                    "derived from {} complete survey answers: overall rating on the {} stage ratings within {controls}, R² {:.2} split by {}",
                    d.n,
                    stages.len(),
                    d.r2,
                    method_name(&d)
                );
                return Ok(from_drivers(d, Source::Derived, note, vertical));
            }
            Err(e) => notes.push(format!("survey key drivers failed: {e}")),
        }
    } else {
        notes.push(format!(
            "{} complete survey answers (need {MIN_SURVEYS})",
            x.len()
        ));
    }

    // 2. Social, brand × week.
    let rollups = store.rollups(&RollupFilter {
        from: opts.from,
        to: opts.to,
        ..RollupFilter::default()
    })?;
    let mut cells: HashMap<(String, NaiveDate), (Agg, BTreeMap<String, Agg>)> = HashMap::new();
    for r in &rollups {
        let week = crate::period::Period::Week.start(r.day);
        let cell = cells.entry((r.brand.clone(), week)).or_default();
        if r.touchpoint.is_empty() {
            cell.0.add(&agg_of(r));
        } else {
            cell.1.entry(r.stage.clone()).or_default().add(&agg_of(r));
        }
    }
    let mut keys: Vec<&(String, NaiveDate)> = cells.keys().collect();
    keys.sort();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for k in keys {
        let Some((total, by_stage)) = cells.get(k) else {
            continue;
        };
        let row: Option<Vec<f64>> = stages
            .iter()
            .map(|s| {
                by_stage
                    .get(s)
                    .filter(|a| a.n >= MIN_STAGE_SIGNALS)
                    .and_then(Agg::mean)
            })
            .collect();
        if let (Some(row), Some(m)) = (row, total.mean()) {
            x.push(row);
            y.push(m);
        }
    }
    if x.len() >= MIN_PERIODS {
        match key_drivers(&stages, &x, &y, drivers_opts) {
            Ok(d) => {
                notes.push(format!(
                    "low confidence: brand-week mean experience on stage means over {} brand-weeks of social data, R² {:.2}",
                    d.n, d.r2
                ));
                return Ok(from_drivers(
                    d,
                    Source::LowConfidence,
                    notes.join("; "),
                    vertical,
                ));
            }
            Err(e) => notes.push(format!("social period model failed: {e}")),
        }
    } else {
        notes.push(format!(
            "{} complete brand-weeks of social data (need {MIN_PERIODS})",
            x.len()
        ));
    }

    // 3. Configured.
    notes.push("using the model's configured weights".into());
    let mut w = configured(model);
    w.note = notes.join("; ");
    w.vertical = vertical;
    Ok(w)
}

/// The model's configured stage weights, without reading any data (no
/// channel influence). For views whose figures do not depend on the weights.
pub fn configured(model: &Model) -> Weights {
    let horizontal = model
        .configured_stage_weights()
        .into_iter()
        .map(|(id, w)| {
            (
                id,
                StageWeight {
                    weight: w,
                    ci: [w, w],
                    source: Source::Configured,
                },
            )
        })
        .collect();
    Weights {
        horizontal,
        method: "configured".into(),
        r2: None,
        n: 0,
        note: "the model's configured weights".into(),
        vertical: BTreeMap::new(),
        vertical_weights: BTreeMap::new(),
    }
}

/// Smallest median group size for a fixed-effects level to be used.
const MIN_GROUP: usize = 20;

/// Removes brand × period means from the survey answers (fixed effects), so
/// that brand differences and drifts — which move all stages of a brand
/// together — do not pass for stage importance. Uses the finest of brand ×
/// week, brand × month, brand whose groups have a median size of at least
/// [`MIN_GROUP`]; returns what it controlled for.
fn demean(x: &mut [Vec<f64>], y: &mut [f64], keys: &[(String, NaiveDate)]) -> &'static str {
    use crate::period::Period;
    let levels: [(&'static str, Option<Period>); 3] = [
        ("brand × week", Some(Period::Week)),
        ("brand × month", Some(Period::Month)),
        ("brand", None),
    ];
    for (name, period) in levels {
        let group = |(b, d): &(String, NaiveDate)| (b.clone(), period.map(|p| p.start(*d)));
        let mut members: HashMap<(String, Option<NaiveDate>), Vec<usize>> = HashMap::new();
        for (i, k) in keys.iter().enumerate() {
            members.entry(group(k)).or_default().push(i);
        }
        let mut sizes: Vec<usize> = members.values().map(Vec::len).collect();
        sizes.sort_unstable();
        let median = sizes.get(sizes.len() / 2).copied().unwrap_or(0);
        if median < MIN_GROUP {
            continue;
        }
        for idx in members.values() {
            let n = idx.len() as f64;
            let p = x.first().map_or(0, Vec::len);
            let mut mx = vec![0.0; p];
            let mut my = 0.0;
            for &i in idx {
                for (m, v) in mx.iter_mut().zip(&x[i]) {
                    *m += v / n;
                }
                my += y[i] / n;
            }
            for &i in idx {
                for (v, m) in x[i].iter_mut().zip(&mx) {
                    *v -= m;
                }
                y[i] -= my;
            }
        }
        return name;
    }
    "all answers pooled (too few per brand for fixed effects)"
}

fn method_name(d: &DriverWeights) -> &'static str {
    match d.method {
        tce_analytics::drivers::Method::Lmg => "exact Shapley decomposition (LMG)",
        tce_analytics::drivers::Method::RelativeWeights => "Johnson's relative weights",
    }
}

fn from_drivers(
    d: DriverWeights,
    source: Source,
    note: String,
    vertical: BTreeMap<String, BTreeMap<String, f64>>,
) -> Weights {
    let method = match d.method {
        tce_analytics::drivers::Method::Lmg => "lmg",
        tce_analytics::drivers::Method::RelativeWeights => "relative_weights",
    };
    let horizontal = d
        .drivers
        .into_iter()
        .map(|dr| {
            (
                dr.name,
                StageWeight {
                    weight: dr.weight,
                    ci: dr.ci,
                    source,
                },
            )
        })
        .collect();
    Weights {
        horizontal,
        method: method.into(),
        r2: Some(d.r2),
        n: d.n,
        note,
        vertical,
        vertical_weights: BTreeMap::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use tce_model::{EnrichedSignal, Enrichment, SentimentLabel, Signal, TouchpointMatch};
    use tce_store::SqliteStore;

    fn post(i: usize, brand: Option<&str>, channel: &str, followers: u64) -> EnrichedSignal {
        EnrichedSignal {
            signal: Signal {
                channel: channel.into(),
                external_id: format!("p{i}"),
                brand: brand.map(str::to_string),
                author: None,
                author_followers: Some(followers),
                created_at: "2026-03-03T10:00:00Z".parse().unwrap(),
                text: "delayed again".into(),
                rating: None,
                stage_ratings: Vec::new(),
                in_reply_to: None,
                url: None,
                lang: None,
            },
            enrichment: Enrichment {
                engine: "test".into(),
                sentiment: -0.5,
                sentiment_label: SentimentLabel::Negative,
                intents: Vec::new(),
                touchpoints: vec![TouchpointMatch {
                    touchpoint: "flight_ops".into(),
                    stage: "operations".into(),
                    confidence: 0.9,
                }],
                brand: brand.map(str::to_string),
                priority: 0.0,
                experience_value: -0.5,
                brand_post: false,
            },
        }
    }

    /// The demo put most of a budget into reddit, whose posts were all of
    /// unknown brand: such posts never count toward a channel's influence.
    #[test]
    fn unknown_brand_signals_carry_no_channel_influence() {
        let t = tce_model::templates::template("airline").unwrap();
        let model = Model::parse(t.toml, std::path::Path::new("airline.toml")).unwrap();
        let mut signals: Vec<EnrichedSignal> =
            (0..10).map(|i| post(i, Some("skyway"), "x", 100)).collect();
        signals.extend((10..500).map(|i| post(i, None, "reddit", 100_000)));
        let mut store = SqliteStore::open_in_memory().unwrap();
        store.insert(&signals).unwrap();
        let w = weights(&model, &store, WeightOptions::default()).unwrap();
        let ops = &w.vertical["operations"];
        assert_eq!(ops.keys().collect::<Vec<_>>(), ["x"]);
        assert!((ops["x"] - 1.0).abs() < 1e-12);
        let v = &w.vertical_weights["operations"];
        assert_eq!(v.source, crate::vertical::VerticalSource::EvidenceShare);
        assert!(!v.channels.contains_key("reddit"));
    }
}
