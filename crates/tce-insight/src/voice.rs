//! Share of voice (issue 10 §4): each tracked brand's share of the public
//! posts (social channels) about tracked brands, per channel and over time,
//! read from the totals rows of the rollups.
//!
//! Posts of unknown brand are about no tracked brand and count nowhere. A
//! share comes with its Wilson 95 % interval; a channel × period with fewer
//! than `[evidence] min_voice_posts` (default 30) posts is marked `thin` (too little evidence to rank).

use crate::period::Period;
use crate::InsightError;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use tce_analytics::kpi::{wilson, Z95};
use tce_model::Model;
use tce_store::{RollupFilter, Store, UNKNOWN_BRAND};

/// One brand's share of a channel's posts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrandVoice {
    /// Brand id.
    pub brand: String,
    /// Its posts.
    pub n: u64,
    /// Share of the posts about tracked brands, 0…1.
    pub share: f64,
    /// Wilson 95 % interval of the share.
    pub ci: [f64; 2],
}

/// Shares of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoicePeriod {
    /// First day of the period.
    pub start: NaiveDate,
    /// Posts about tracked brands.
    pub total: u64,
    /// Too few posts to rank.
    pub thin: bool,
    /// Brand id → share (0…1).
    pub shares: BTreeMap<String, f64>,
}

/// Share of voice on one channel (or all social channels, `channel` = "").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelVoice {
    /// Channel id, `""` for all social channels together.
    pub channel: String,
    /// Posts about tracked brands over the range.
    pub total: u64,
    /// Too few posts to rank.
    pub thin: bool,
    /// Model brands in model order (own first).
    pub brands: Vec<BrandVoice>,
    /// Per period, oldest first.
    pub periods: Vec<VoicePeriod>,
}

/// Share of voice of every social channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoiceReport {
    /// First day with a post in the range.
    pub from: Option<NaiveDate>,
    /// Last day with a post in the range.
    pub to: Option<NaiveDate>,
    /// Period of the trend.
    pub period: Period,
    /// Posts below which a share is not ranked.
    pub min_posts: u64,
    /// All social channels first, then each channel with posts.
    pub channels: Vec<ChannelVoice>,
}

/// Computes share of voice over `[from, to]` with a trend per `period`.
pub fn share_of_voice(
    model: &Model,
    store: &dyn Store,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    period: Period,
) -> Result<VoiceReport, InsightError> {
    let min_posts = model.evidence.min_voice_posts;
    let rows = store.rollups(&RollupFilter {
        from,
        to,
        touchpoint: Some(String::new()),
        ..RollupFilter::default()
    })?;
    let tracked = |b: &str| b != UNKNOWN_BRAND && model.brand(b).is_some();
    // channel ("" = all) → period → brand → posts.
    let mut counts: BTreeMap<&str, BTreeMap<NaiveDate, BTreeMap<&str, u64>>> = BTreeMap::new();
    let (mut first, mut last) = (None::<NaiveDate>, None::<NaiveDate>);
    for r in &rows {
        let social = model.channel(&r.channel).is_some_and(|c| c.social);
        if !social || !tracked(&r.brand) || r.n == 0 {
            continue;
        }
        first = Some(first.map_or(r.day, |f| f.min(r.day)));
        last = Some(last.map_or(r.day, |l| l.max(r.day)));
        let start = period.start(r.day);
        for ch in ["", r.channel.as_str()] {
            *counts
                .entry(ch)
                .or_default()
                .entry(start)
                .or_default()
                .entry(r.brand.as_str())
                .or_default() += r.n;
        }
    }
    let order: Vec<&str> = model
        .brands
        .iter()
        .filter(|b| b.own)
        .chain(model.brands.iter().filter(|b| !b.own))
        .map(|b| b.id.as_str())
        .collect();
    let mut channels = Vec::new();
    for (ch, by_period) in &counts {
        let mut whole: BTreeMap<&str, u64> = BTreeMap::new();
        let mut periods = Vec::new();
        for (start, brands) in by_period {
            let total: u64 = brands.values().sum();
            for (b, n) in brands {
                *whole.entry(b).or_default() += n;
            }
            periods.push(VoicePeriod {
                start: *start,
                total,
                thin: total < min_posts,
                shares: brands
                    .iter()
                    .map(|(b, n)| (b.to_string(), *n as f64 / total as f64))
                    .collect(),
            });
        }
        let total: u64 = whole.values().sum();
        let brands = order
            .iter()
            .map(|b| {
                let n = whole.get(b).copied().unwrap_or(0);
                BrandVoice {
                    brand: b.to_string(),
                    n,
                    share: if total > 0 {
                        n as f64 / total as f64
                    } else {
                        0.0
                    },
                    ci: wilson(n, total, Z95).unwrap_or([0.0, 0.0]),
                }
            })
            .collect();
        channels.push(ChannelVoice {
            channel: ch.to_string(),
            total,
            thin: total < min_posts,
            brands,
            periods,
        });
    }
    Ok(VoiceReport {
        from: first,
        to: last,
        period,
        min_posts,
        channels,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use tce_model::{EnrichedSignal, Enrichment, SentimentLabel, Signal};
    use tce_store::SqliteStore;

    fn post(i: usize, brand: Option<&str>, channel: &str, day: u32) -> EnrichedSignal {
        EnrichedSignal {
            signal: Signal {
                channel: channel.into(),
                external_id: format!("p{i}"),
                brand: brand.map(str::to_string),
                author: None,
                author_followers: None,
                created_at: format!("2026-03-{day:02}T10:00:00Z").parse().unwrap(),
                text: "hello".into(),
                rating: None,
                stage_ratings: Vec::new(),
                in_reply_to: None,
                url: None,
                lang: None,
            },
            enrichment: Enrichment {
                engine: "test".into(),
                sentiment: 0.0,
                sentiment_label: SentimentLabel::Neutral,
                intents: Vec::new(),
                touchpoints: Vec::new(),
                brand: brand.map(str::to_string),
                priority: 0.0,
                experience_value: 0.0,
                brand_post: false,
            },
        }
    }

    /// Shares count posts on social channels about tracked brands only:
    /// unknown-brand posts and non-social channels (surveys, email) count
    /// nowhere.
    #[test]
    fn share_of_voice_counts_public_posts_of_tracked_brands() {
        let t = tce_model::templates::template("airline").unwrap();
        let model = Model::parse(t.toml, std::path::Path::new("airline.toml")).unwrap();
        let mut s = Vec::new();
        let mut i = 0;
        let mut add = |brand: Option<&str>, channel: &str, day: u32, k: usize| {
            for _ in 0..k {
                s.push(post(i, brand, channel, day));
                i += 1;
            }
        };
        // Week of 2 March on x: skyway 30, bluejet 10; week of 9 March: 10/30.
        add(Some("skyway"), "x", 3, 30);
        add(Some("bluejet"), "x", 4, 10);
        add(Some("skyway"), "x", 10, 10);
        add(Some("bluejet"), "x", 11, 30);
        // Reddit: unknown brand only. Surveys are not public posts.
        add(None, "reddit", 3, 200);
        add(Some("skyway"), "survey", 3, 500);
        let mut store = SqliteStore::open_in_memory().unwrap();
        store.insert(&s).unwrap();
        let v = share_of_voice(&model, &store, None, None, Period::Week).unwrap();
        let ids: Vec<&str> = v.channels.iter().map(|c| c.channel.as_str()).collect();
        assert_eq!(ids, ["", "x"]);
        let x = &v.channels[1];
        assert_eq!(x.total, 80);
        assert_eq!(x.brands[0].brand, "skyway");
        assert_eq!((x.brands[0].n, x.brands[0].share), (40, 0.5));
        let weekly: Vec<f64> = x.periods.iter().map(|p| p.shares["skyway"]).collect();
        assert_eq!(weekly, [0.75, 0.25]);
        assert!(x.periods.iter().all(|p| !p.thin));
        assert_eq!(v.channels[0].total, 80);
    }
}
