//! Aggregating a batch of signals into daily rollup increments.
//!
//! Backend-neutral: a store aggregates the signals it newly stored with
//! [`BatchRollup`], then upserts each increment by adding it to the stored row.

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use tce_model::{
    EnrichedSignal, Intent, Rating, RatingScale, SentimentLabel, StageRating, TouchpointMatch,
};

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

/// One rollup increment, ready to upsert.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Row<'a> {
    pub day: NaiveDate,
    pub brand: &'a str,
    pub touchpoint: &'a str,
    pub channel: &'a str,
    pub sums: Sums<'a>,
}

/// A row key with its names interned: day, brand, touchpoint, channel.
type Key = (NaiveDate, u32, u32, u32);

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
///
/// Names (brands, touchpoints, channels) are interned to small integers, so
/// the map hashes and the final sort compares integers, not strings.
#[derive(Debug, Default)]
pub(crate) struct BatchRollup<'a> {
    ids: FxHashMap<&'a str, u32>,
    names: Vec<&'a str>,
    rows: FxHashMap<Key, Sums<'a>>,
}

impl<'a> BatchRollup<'a> {
    /// Room for the rows of about `signals` signals (most share rows).
    pub fn with_capacity(signals: usize) -> Self {
        let mut rows = FxHashMap::default();
        rows.reserve(signals / 2);
        BatchRollup {
            rows,
            ..BatchRollup::default()
        }
    }

    fn id(&mut self, name: &'a str) -> u32 {
        let names = &mut self.names;
        *self.ids.entry(name).or_insert_with(|| {
            names.push(name);
            names.len() as u32 - 1
        })
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
        let day = s.signal.created_at.date_naive();
        let brand = self.id(effective_brand(s).unwrap_or(UNKNOWN_BRAND));
        let channel = self.id(&s.signal.channel);
        let total = self.id("");
        self.rows
            .entry((day, brand, total, channel))
            .or_default()
            .add(&one);
        for tp in distinct_touchpoints(s) {
            let touchpoint = self.id(&tp.touchpoint);
            let row = self
                .rows
                .entry((day, brand, touchpoint, channel))
                .or_default();
            row.stage = &tp.stage;
            row.add(&one);
        }
    }

    /// The increments in key order (day, brand, touchpoint, channel as the
    /// store orders them), so that consecutive upserts hit the same pages.
    pub fn into_sorted(self) -> Vec<Row<'a>> {
        let names = self.names;
        // Rank of each name in byte order (the store's order of text).
        let mut by_name: Vec<u32> = (0..names.len() as u32).collect();
        by_name.sort_unstable_by_key(|&i| names[i as usize]);
        let mut rank = vec![0u32; names.len()];
        for (r, &i) in by_name.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        let mut rows: Vec<(Key, Sums<'a>)> = self
            .rows
            .into_iter()
            .map(|((d, b, t, c), sums)| {
                (
                    (d, rank[b as usize], rank[t as usize], rank[c as usize]),
                    sums,
                )
            })
            .collect();
        rows.sort_unstable_by_key(|(k, _)| *k);
        let name = |r: u32| names[by_name[r as usize] as usize];
        rows.into_iter()
            .map(|((day, b, t, c), sums)| Row {
                day,
                brand: name(b),
                touchpoint: name(t),
                channel: name(c),
                sums,
            })
            .collect()
    }
}

/// Whether a rating is in the top and in the bottom box of its scale:
/// promoters (9–10) and detractors (0–6) on `nps10`, the top two (4–5) and
/// bottom two (1–2) boxes on the five-point scales.
pub fn rating_boxes(r: &Rating) -> (bool, bool) {
    match r.scale {
        RatingScale::Nps10 => (r.value >= 9.0, r.value <= 6.0),
        RatingScale::Stars5 | RatingScale::Csat5 => (r.value >= 4.0, r.value <= 2.0),
    }
}

/// A rating rollup key: day, brand, stage (`""` overall), channel, scale.
pub(crate) type RatingKey<'a> = (NaiveDate, &'a str, &'a str, &'a str, RatingScale);

/// The additive part of one rating rollup row.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct RatingSums {
    pub n: u64,
    pub top: u64,
    pub bottom: u64,
    pub sum_value: f64,
}

/// Rating rollup increments of the signals of one batch: the overall rating
/// under stage `""`, each distinct stage rating under its stage.
#[derive(Debug, Default)]
pub(crate) struct BatchRatings<'a> {
    rows: FxHashMap<RatingKey<'a>, RatingSums>,
}

impl<'a> BatchRatings<'a> {
    /// Adds the ratings of a signal.
    pub fn add(&mut self, s: &'a EnrichedSignal) {
        let day = s.signal.created_at.date_naive();
        let brand = effective_brand(s).unwrap_or(UNKNOWN_BRAND);
        let channel = s.signal.channel.as_str();
        let overall = s.signal.rating.as_ref().map(|r| ("", r));
        let stages = distinct_stage_ratings(s).map(|sr| (sr.stage.as_str(), &sr.rating));
        for (stage, r) in overall.into_iter().chain(stages) {
            let (top, bottom) = rating_boxes(r);
            let row = self
                .rows
                .entry((day, brand, stage, channel, r.scale))
                .or_default();
            row.n += 1;
            row.top += u64::from(top);
            row.bottom += u64::from(bottom);
            row.sum_value += r.value;
        }
    }

    /// The increments in key order.
    pub fn into_sorted(self) -> Vec<(RatingKey<'a>, RatingSums)> {
        let mut rows: Vec<_> = self.rows.into_iter().collect();
        rows.sort_unstable_by(|(a, _), (b, _)| {
            (a.0, a.1, a.2, a.3, a.4.as_str()).cmp(&(b.0, b.1, b.2, b.3, b.4.as_str()))
        });
        rows
    }
}
