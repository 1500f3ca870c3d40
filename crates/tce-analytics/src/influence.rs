//! Channel influence within a stage (DESIGN C5, vertical weights).
//!
//! A channel's influence on a stage is its reach-weighted share of the stage's
//! evidence: each channel's signals count with a reach factor
//! `1 + ln(1 + mean followers per signal)`, so a post seen by many weighs more
//! than one seen by few, with diminishing returns. Shares sum to 1 per stage.

use crate::agg::Agg;
use serde::Serialize;
use std::collections::BTreeMap;

/// One channel's influence on one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelShare {
    /// Channel id.
    pub channel: String,
    /// Share of the stage's reach-weighted evidence, 0..1.
    pub influence: f64,
    /// Signals of the channel on the stage.
    pub n: u64,
}

/// The reach-weighted evidence of an aggregate.
pub fn evidence(agg: &Agg) -> f64 {
    if agg.n == 0 {
        return 0.0;
    }
    let n = agg.n as f64;
    n * (1.0 + (1.0 + agg.reach as f64 / n).ln())
}

/// Stage × channel influence matrix from `(stage, channel, aggregate)` cells.
/// Stages map to their channels sorted by influence, highest first.
pub fn channel_influence<'a>(
    cells: impl IntoIterator<Item = (&'a str, &'a str, &'a Agg)>,
) -> BTreeMap<String, Vec<ChannelShare>> {
    let mut by_stage: BTreeMap<String, BTreeMap<String, Agg>> = BTreeMap::new();
    for (stage, channel, agg) in cells {
        by_stage
            .entry(stage.to_string())
            .or_default()
            .entry(channel.to_string())
            .or_default()
            .add(agg);
    }
    by_stage
        .into_iter()
        .map(|(stage, channels)| {
            let total: f64 = channels.values().map(evidence).sum();
            let mut shares: Vec<ChannelShare> = channels
                .iter()
                .map(|(c, a)| ChannelShare {
                    channel: c.clone(),
                    influence: if total > 0.0 {
                        evidence(a) / total
                    } else {
                        0.0
                    },
                    n: a.n,
                })
                .collect();
            shares.sort_by(|a, b| {
                b.influence
                    .total_cmp(&a.influence)
                    .then(a.channel.cmp(&b.channel))
            });
            (stage, shares)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_sum_to_one_and_reach_counts() {
        let few = Agg {
            n: 100,
            reach: 100 * 10,
            ..Agg::default()
        };
        let famous = Agg {
            n: 100,
            reach: 100 * 100_000,
            ..Agg::default()
        };
        let cells = [
            ("ops", "x", &famous),
            ("ops", "facebook", &few),
            ("sales", "x", &few),
        ];
        let m = channel_influence(cells);
        let ops = &m["ops"];
        assert_eq!(ops[0].channel, "x");
        assert!(ops[0].influence > ops[1].influence);
        assert!((ops.iter().map(|s| s.influence).sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(m["sales"][0].influence, 1.0);
    }
}
