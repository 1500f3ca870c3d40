//! Aggregating a batch of signals into daily rollup increments.
//!
//! Backend-neutral: a store aggregates the signals it newly stored with
//! [`BatchRollup`], then upserts each increment by adding it to the stored row.

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use tce_model::{EnrichedSignal, Intent, SentimentLabel, StageRating, TouchpointMatch};

/// The brand key of signals without a brand (rollups, stats, survey answers).
pub const UNKNOWN_BRAND: &str = "unknown";

/// The effective brand of a signal: the enrichment's, else the source's.
pub(crate) fn effective_brand(s: &EnrichedSignal) -> Option<&str> {
    s.enrichment.brand.as_deref().or(s.signal.brand.as_deref())
}

/// The touchpoints of a signal, each id once (the first match wins).
pub(crate) fn distinct_touchpoints(s: &EnrichedSignal) -> impl Iterator<Item = &TouchpointMatch> {
    let tps = &s.enrichment.touchpoints;
    tps.iter()
        .enumerate()
        .filter(|(i, tp)| !tps[..*i].iter().any(|p| p.touchpoint == tp.touchpoint))
        .map(|(_, tp)| tp)
}

/// The stage ratings of a signal, each stage once (the first wins).
pub(crate) fn distinct_stage_ratings(s: &EnrichedSignal) -> impl Iterator<Item = &StageRating> {
    let srs = &s.signal.stage_ratings;
    srs.iter()
        .enumerate()
        .filter(|(i, sr)| !srs[..*i].iter().any(|p| p.stage == sr.stage))
        .map(|(_, sr)| sr)
}

/// Key of one rollup row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Key<'a> {
    pub day: NaiveDate,
    pub brand: &'a str,
    pub touchpoint: &'a str,
    pub channel: &'a str,
}

/// The additive part of one rollup row.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Sums<'a> {
    pub stage: &'a str,
    pub n: u64,
    pub sum_ev: f64,
    pub sum_ev2: f64,
    pub positive: u64,
    pub neutral: u64,
    pub negative: u64,
    pub reach: u64,
    pub complaints: u64,
    pub rated: u64,
}

impl Sums<'_> {
    fn add(&mut self, o: &Sums<'_>) {
        self.n += o.n;
        self.sum_ev += o.sum_ev;
        self.sum_ev2 += o.sum_ev2;
        self.positive += o.positive;
        self.neutral += o.neutral;
        self.negative += o.negative;
        self.reach = self.reach.saturating_add(o.reach);
        self.complaints += o.complaints;
        self.rated += o.rated;
    }
}

/// Rollup increments of the signals of one batch.
#[derive(Debug, Default)]
pub(crate) struct BatchRollup<'a> {
    rows: FxHashMap<Key<'a>, Sums<'a>>,
}

impl<'a> BatchRollup<'a> {
    /// Room for the rows of about `signals` signals (most share rows).
    pub fn with_capacity(signals: usize) -> Self {
        let mut rows = FxHashMap::default();
        rows.reserve(signals / 2);
        BatchRollup { rows }
    }

    /// Adds a signal to its totals row and to one row per distinct touchpoint.
    pub fn add(&mut self, s: &'a EnrichedSignal) {
        let e = &s.enrichment;
        let ev = e.experience_value;
        let one = Sums {
            stage: "",
            n: 1,
            sum_ev: ev,
            sum_ev2: ev * ev,
            positive: u64::from(e.sentiment_label == SentimentLabel::Positive),
            neutral: u64::from(e.sentiment_label == SentimentLabel::Neutral),
            negative: u64::from(e.sentiment_label == SentimentLabel::Negative),
            reach: s.signal.author_followers.unwrap_or(0),
            complaints: u64::from(e.intents.iter().any(|i| i.intent == Intent::Complaint)),
            rated: u64::from(s.signal.rating.is_some()),
        };
        let key = Key {
            day: s.signal.created_at.date_naive(),
            brand: effective_brand(s).unwrap_or(UNKNOWN_BRAND),
            touchpoint: "",
            channel: &s.signal.channel,
        };
        self.rows.entry(key).or_default().add(&one);
        for tp in distinct_touchpoints(s) {
            let row = self
                .rows
                .entry(Key {
                    touchpoint: &tp.touchpoint,
                    ..key
                })
                .or_default();
            row.stage = &tp.stage;
            row.add(&one);
        }
    }

    /// The increments in key order (for locality when upserting).
    pub fn into_sorted(self) -> Vec<(Key<'a>, Sums<'a>)> {
        let mut rows: Vec<_> = self.rows.into_iter().collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        rows
    }
}
