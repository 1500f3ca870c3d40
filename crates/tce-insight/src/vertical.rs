//! Vertical weights from data (DESIGN C5, issue 10 §3): within a stage, how
//! much each channel's experience explains the stage's outcome.
//!
//! Observations are brand × week cells (signals of unknown brand belong to
//! no brand and never count). A channel is a driver of a stage when it has
//! at least [`MIN_CELL_SIGNALS`] signals on the stage in a cell; its value
//! is the cell's mean experience on the stage. The outcome is, in order of
//! preference:
//! 1. the mean **survey stage rating** of the cell (at least
//!    [`MIN_CELL_ANSWERS`] answers rating the stage), survey channels then
//!    not being drivers of their own outcome;
//! 2. the **stage score** of the cell: the mean experience of all the
//!    stage's signals.
//!
//! Brand means are removed first (fixed effects), so a brand that is better
//! everywhere does not pass for a channel that matters. The R² of the cells'
//! outcome on the channels is then split by the same key-driver method as
//! the horizontal weights (LMG, bootstrap intervals). A stage needs at least
//! two channels complete in [`MIN_CELLS`] cells; otherwise its weights are
//! the channels' reach-weighted shares of evidence, labelled so.

use crate::period::Period;
use crate::{agg_of, InsightError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use tce_analytics::agg::Agg;
use tce_analytics::drivers::{key_drivers, DriverOptions, MAX_EXACT_DRIVERS};
use tce_store::{RollupRow, SurveyResponse, UNKNOWN_BRAND};

/// Signals of a channel on a stage a brand-week needs for the channel to count.
pub const MIN_CELL_SIGNALS: u64 = 5;
/// Survey answers rating a stage a brand-week needs for a survey outcome.
pub const MIN_CELL_ANSWERS: usize = 3;
/// Complete brand-weeks a stage needs for derived vertical weights.
pub const MIN_CELLS: usize = 20;

/// Where a stage's channel weights come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerticalSource {
    /// Key-driver analysis of the stage's outcome on channel experience.
    Derived,
    /// The channels' reach-weighted shares of the stage's evidence.
    EvidenceShare,
}

impl VerticalSource {
    /// Label for display.
    pub fn label(self) -> &'static str {
        match self {
            VerticalSource::Derived => "derived",
            VerticalSource::EvidenceShare => "evidence share",
        }
    }

    /// What the weight measures, in words.
    pub fn measures(self) -> &'static str {
        match self {
            VerticalSource::Derived => "explained share of the stage's outcome",
            VerticalSource::EvidenceShare => "reach-weighted share of the stage's evidence",
        }
    }
}

/// One channel's weight within a stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelWeight {
    /// Weight; the channels of a stage sum to 1.
    pub weight: f64,
    /// 95 % bootstrap interval when derived with resamples.
    pub ci: Option<[f64; 2]>,
    /// Reach-weighted share of the stage's evidence (always given).
    pub evidence_share: f64,
}

/// A stage's channel weights with what they are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageChannels {
    /// Where the weights come from.
    pub source: VerticalSource,
    /// What a weight measures.
    pub measures: &'static str,
    /// The outcome explained (derived only): `survey stage rating` or `stage score`.
    pub outcome: Option<&'static str>,
    /// R² of the outcome on the channels (derived only).
    pub r2: Option<f64>,
    /// Brand-weeks behind the derived weights.
    pub n: usize,
    /// Why this source.
    pub note: String,
    /// Channel id → weight.
    pub channels: BTreeMap<String, ChannelWeight>,
}

type Cell = (String, NaiveDate);

/// Derives the channel weights of every stage with evidence; `shares` are
/// the evidence shares (stage → channel → share) to fall back on.
pub(crate) fn vertical_weights(
    stages: &[String],
    daily: &[RollupRow],
    surveys: &[SurveyResponse],
    shares: &BTreeMap<String, BTreeMap<String, f64>>,
    opts: DriverOptions,
) -> Result<BTreeMap<String, StageChannels>, InsightError> {
    // Stage → cell → channel → aggregate.
    let mut by_stage: HashMap<&str, HashMap<Cell, BTreeMap<&str, Agg>>> = HashMap::new();
    for r in daily {
        if r.touchpoint.is_empty() || r.brand == UNKNOWN_BRAND {
            continue;
        }
        let cell = (r.brand.clone(), Period::Week.start(r.day));
        by_stage
            .entry(r.stage.as_str())
            .or_default()
            .entry(cell)
            .or_default()
            .entry(r.channel.as_str())
            .or_default()
            .add(&agg_of(r));
    }
    // Stage → cell → survey stage ratings.
    let mut answers: HashMap<&str, HashMap<Cell, (f64, usize)>> = HashMap::new();
    let mut survey_channels: BTreeSet<&str> = BTreeSet::new();
    for a in surveys {
        if a.brand == UNKNOWN_BRAND {
            continue;
        }
        survey_channels.insert(a.channel.as_str());
        let cell = (
            a.brand.clone(),
            Period::Week.start(a.created_at.date_naive()),
        );
        for (stage, v) in &a.stages {
            let e = answers
                .entry(stage.as_str())
                .or_default()
                .entry(cell.clone())
                .or_default();
            e.0 += v;
            e.1 += 1;
        }
    }
    let mut out = BTreeMap::new();
    for stage in stages {
        let Some(evidence) = shares.get(stage) else {
            continue;
        };
        let fallback = |note: String| StageChannels {
            source: VerticalSource::EvidenceShare,
            measures: VerticalSource::EvidenceShare.measures(),
            outcome: None,
            r2: None,
            n: 0,
            note,
            channels: evidence
                .iter()
                .map(|(c, s)| {
                    (
                        c.clone(),
                        ChannelWeight {
                            weight: *s,
                            ci: None,
                            evidence_share: *s,
                        },
                    )
                })
                .collect(),
        };
        let empty = HashMap::new();
        let cells = by_stage.get(stage.as_str()).unwrap_or(&empty);
        // The outcome of each cell.
        let survey_outcome: HashMap<&Cell, f64> = answers
            .get(stage.as_str())
            .map(|m| {
                m.iter()
                    .filter(|(_, (_, k))| *k >= MIN_CELL_ANSWERS)
                    .map(|(c, (sum, k))| (c, sum / *k as f64))
                    .collect()
            })
            .unwrap_or_default();
        let use_survey = survey_outcome.len() >= MIN_CELLS;
        let outcome_of = |cell: &Cell, chans: &BTreeMap<&str, Agg>| -> Option<f64> {
            if use_survey {
                survey_outcome.get(cell).copied()
            } else {
                let mut all = Agg::default();
                chans.values().for_each(|a| all.add(a));
                all.mean()
            }
        };
        let is_driver = |c: &str| !(use_survey && survey_channels.contains(c));
        // Channels by the number of cells where they are complete.
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (cell, chans) in cells {
            if outcome_of(cell, chans).is_none() {
                continue;
            }
            for (c, a) in chans {
                if a.n >= MIN_CELL_SIGNALS && is_driver(c) {
                    *counts.entry(c).or_default() += 1;
                }
            }
        }
        let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let complete = |chosen: &[&str]| -> Vec<&Cell> {
            let mut v: Vec<&Cell> = cells
                .iter()
                .filter(|(cell, chans)| {
                    outcome_of(cell, chans).is_some()
                        && chosen
                            .iter()
                            .all(|c| chans.get(c).is_some_and(|a| a.n >= MIN_CELL_SIGNALS))
                })
                .map(|(cell, _)| cell)
                .collect();
            v.sort();
            v
        };
        let mut chosen: Vec<&str> = Vec::new();
        for (c, _) in &ranked {
            if chosen.len() == MAX_EXACT_DRIVERS {
                break;
            }
            chosen.push(c);
            if complete(&chosen).len() < MIN_CELLS {
                chosen.pop();
            }
        }
        if chosen.len() < 2 {
            out.insert(
                stage.clone(),
                fallback(format!(
                    "fewer than two channels with {MIN_CELL_SIGNALS}+ signals in {MIN_CELLS}+ brand-weeks"
                )),
            );
            continue;
        }
        let rows = complete(&chosen);
        // Brand fixed effects: remove each brand's means.
        let mut x: Vec<Vec<f64>> = Vec::new();
        let mut y: Vec<f64> = Vec::new();
        let mut brand_of: Vec<&str> = Vec::new();
        for cell in &rows {
            let Some(chans) = cells.get(*cell) else {
                continue;
            };
            let Some(o) = outcome_of(cell, chans) else {
                continue;
            };
            let row: Option<Vec<f64>> = chosen
                .iter()
                .map(|c| chans.get(c).and_then(Agg::mean))
                .collect();
            if let Some(row) = row {
                x.push(row);
                y.push(o);
                brand_of.push(cell.0.as_str());
            }
        }
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, b) in brand_of.iter().enumerate() {
            groups.entry(b).or_default().push(i);
        }
        for idx in groups.values() {
            let k = idx.len() as f64;
            let mut mx = vec![0.0; chosen.len()];
            let mut my = 0.0;
            for &i in idx {
                for (m, v) in mx.iter_mut().zip(&x[i]) {
                    *m += v / k;
                }
                my += y[i] / k;
            }
            for &i in idx {
                for (v, m) in x[i].iter_mut().zip(&mx) {
                    *v -= m;
                }
                y[i] -= my;
            }
        }
        let names: Vec<String> = chosen.iter().map(|c| c.to_string()).collect();
        let outcome = if use_survey {
            "survey stage rating"
        } else {
            "stage score"
        };
        match key_drivers(&names, &x, &y, opts) {
            Ok(d) => {
                let channels = d
                    .drivers
                    .iter()
                    .map(|dr| {
                        (
                            dr.name.clone(),
                            ChannelWeight {
                                weight: dr.weight,
                                ci: (opts.bootstrap > 0 && d.bootstrap > 0).then_some(dr.ci),
                                evidence_share: evidence.get(&dr.name).copied().unwrap_or(0.0),
                            },
                        )
                    })
                    .collect();
                let left_out = evidence.len().saturating_sub(chosen.len());
                out.insert(
                    stage.clone(),
                    StageChannels {
                        source: VerticalSource::Derived,
                        measures: VerticalSource::Derived.measures(),
                        outcome: Some(outcome),
                        r2: Some(d.r2),
                        n: d.n,
                        note: format!(
                            "{outcome} of {} brand-weeks (brand means removed) on the mean experience of {} channels, R² {:.2}; {left_out} channel(s) with too little evidence left out",
                            d.n,
                            chosen.len(),
                            d.r2
                        ),
                        channels,
                    },
                );
            }
            Err(e) => {
                out.insert(stage.clone(), fallback(format!("key drivers failed: {e}")));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn row(day: NaiveDate, brand: &str, channel: &str, n: u64, mean: f64) -> RollupRow {
        RollupRow {
            day,
            brand: brand.into(),
            touchpoint: "delays".into(),
            stage: "operations".into(),
            channel: channel.into(),
            n,
            sum_ev: mean * n as f64,
            sum_ev2: mean * mean * n as f64,
            positive: 0,
            neutral: n,
            negative: 0,
            reach: 0,
            complaints: 0,
            rated: 0,
        }
    }

    /// Deterministic values in −0.5…0.5.
    fn wobble(i: u64) -> f64 {
        let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
        (h % 1000) as f64 / 1000.0 - 0.5
    }

    fn world(weeks: u64) -> (Vec<RollupRow>, Vec<SurveyResponse>) {
        let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(); // a Monday
        let (mut daily, mut surveys) = (Vec::new(), Vec::new());
        for (b, brand) in ["skyway", "bluejet"].into_iter().enumerate() {
            for w in 0..weeks {
                let day = start + Duration::weeks(w as i64);
                let i = w * 2 + b as u64;
                // X drives the stage's rating; facebook does not.
                let x = wobble(i);
                let fb = wobble(i + 1000);
                daily.push(row(day, brand, "x", 20, x));
                daily.push(row(day, brand, "facebook", 20, fb));
                // Unknown-brand posts never count.
                daily.push(row(day, UNKNOWN_BRAND, "reddit", 500, -0.9));
                for k in 0..4 {
                    surveys.push(SurveyResponse {
                        brand: brand.into(),
                        created_at: (day + Duration::days(k))
                            .and_hms_opt(9, 0, 0)
                            .unwrap()
                            .and_utc(),
                        channel: "survey".into(),
                        overall: 0.0,
                        stages: vec![(
                            "operations".into(),
                            0.2 + 0.9 * x + 0.05 * wobble(i + 7 * k as u64),
                        )],
                    });
                }
            }
        }
        (daily, surveys)
    }

    fn shares() -> BTreeMap<String, BTreeMap<String, f64>> {
        BTreeMap::from([(
            "operations".to_string(),
            BTreeMap::from([("x".to_string(), 0.5), ("facebook".to_string(), 0.5)]),
        )])
    }

    #[test]
    fn the_channel_that_drives_the_stage_rating_gets_the_weight() {
        let (daily, surveys) = world(15);
        let opts = DriverOptions {
            bootstrap: 100,
            seed: 3,
        };
        let v =
            vertical_weights(&["operations".into()], &daily, &surveys, &shares(), opts).unwrap();
        let ops = &v["operations"];
        assert_eq!(ops.source, VerticalSource::Derived, "{ops:?}");
        assert_eq!(ops.outcome, Some("survey stage rating"));
        assert_eq!(ops.n, 30);
        assert!(!ops.channels.contains_key("reddit"));
        let x = &ops.channels["x"];
        let fb = &ops.channels["facebook"];
        assert!(x.weight > 0.9 && fb.weight < 0.1, "{ops:?}");
        let ci = x.ci.unwrap();
        assert!(ci[0] <= x.weight && x.weight <= ci[1] && ci[0] < ci[1]);
        assert_eq!(x.evidence_share, 0.5);
    }

    #[test]
    fn too_few_brand_weeks_fall_back_to_the_evidence_share() {
        let (daily, surveys) = world(5);
        let v = vertical_weights(
            &["operations".into()],
            &daily,
            &surveys,
            &shares(),
            DriverOptions::default(),
        )
        .unwrap();
        let ops = &v["operations"];
        assert_eq!(ops.source, VerticalSource::EvidenceShare);
        assert_eq!(ops.measures, "reach-weighted share of the stage's evidence");
        assert_eq!(ops.channels["x"].weight, 0.5);
        assert_eq!(ops.channels["x"].ci, None);
    }
}
