//! Deterministic enriched signals covering the cases the store must keep
//! apart: brands given, detected and missing; ratings and survey answers;
//! signals with no, one, several and repeated touchpoints; intents; equal
//! timestamps; followers missing.

use chrono::{DateTime, Utc};
use tce_model::{
    EnrichedSignal, Enrichment, Intent, IntentScore, Rating, RatingScale, SentimentLabel, Signal,
    StageRating, TouchpointMatch,
};

pub const BRANDS: [&str; 3] = ["acme", "globex", "initech"];
pub const CHANNELS: [&str; 4] = ["x", "reddit", "survey", "email"];
pub const STAGES: [&str; 3] = ["sales", "operations", "customer_service"];
/// (touchpoint, stage)
pub const TOUCHPOINTS: [(&str, &str); 5] = [
    ("checkout", "sales"),
    ("pricing", "sales"),
    ("delivery", "operations"),
    ("returns", "operations"),
    ("hotline", "customer_service"),
];
const WORDS: [&str; 10] = [
    "late",
    "Great",
    "parcel",
    "refund",
    "100%",
    "under_score",
    "price",
    "Hotline",
    "ok",
    "meh",
];

/// 2026-03-01T00:00:00Z
pub const START: i64 = 1_772_323_200;

/// xorshift64*: deterministic and dependency-free.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

pub fn time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).expect("valid time")
}

/// One signal; `i` makes the external id unique per channel.
pub fn signal(rng: &mut Rng, i: usize) -> EnrichedSignal {
    let channel = CHANNELS[rng.below(CHANNELS.len())];
    let survey = channel == "survey";
    // Given by the source, detected from the text, or unknown.
    let (given, detected) = match rng.below(6) {
        0 => (None, None),
        1 | 2 => (None, Some(BRANDS[rng.below(3)].to_string())),
        _ => {
            let b = BRANDS[rng.below(3)].to_string();
            (Some(b.clone()), Some(b))
        }
    };
    let text: Vec<&str> = (0..3 + rng.below(5))
        .map(|_| WORDS[rng.below(WORDS.len())])
        .collect();
    // Ten days, whole seconds, with deliberate ties.
    let created = START + (rng.below(10 * 24) as i64) * 3600 + [0, 0, 59, 1800][rng.below(4)];
    let sentiment = ((rng.unit() * 2.0 - 1.0) * 1000.0).round() / 1000.0;
    let scale = [RatingScale::Stars5, RatingScale::Csat5, RatingScale::Nps10][rng.below(3)];
    let rate = |rng: &mut Rng| {
        let (lo, hi) = scale.range();
        Rating::new(lo + rng.below((hi - lo) as usize + 1) as f64, scale).expect("on scale")
    };
    let rating = (survey || rng.below(5) == 0).then(|| rate(rng));
    let mut stage_ratings = Vec::new();
    if survey && rng.below(4) > 0 {
        for s in STAGES {
            if rng.below(5) > 0 {
                stage_ratings.push(StageRating {
                    stage: s.to_string(),
                    rating: rate(rng),
                });
            }
        }
    }
    let mut touchpoints: Vec<TouchpointMatch> = (0..[0, 1, 1, 2, 2, 3][rng.below(6)])
        .map(|_| {
            let (tp, stage) = TOUCHPOINTS[rng.below(TOUCHPOINTS.len())];
            TouchpointMatch {
                touchpoint: tp.to_string(),
                stage: stage.to_string(),
                confidence: (rng.below(100) as f32) / 100.0 + 0.005,
            }
        })
        .collect();
    if rng.below(10) == 0 && !touchpoints.is_empty() {
        // The same touchpoint matched twice: stored once.
        let again = touchpoints[0].clone();
        touchpoints.push(TouchpointMatch {
            confidence: 0.1,
            ..again
        });
    }
    let mut intents = Vec::new();
    for intent in Intent::ALL {
        if rng.below(4) == 0 {
            intents.push(IntentScore {
                intent,
                confidence: rng.unit() as f32,
            });
        }
    }
    let experience_value = rating.map_or(sentiment, |r| r.experience_value());
    EnrichedSignal {
        signal: Signal {
            channel: channel.to_string(),
            external_id: format!("{channel}-{i:06}"),
            brand: given,
            author: (rng.below(4) > 0).then(|| format!("user{}", rng.below(50))),
            author_followers: (rng.below(3) > 0).then(|| rng.below(100_000) as u64),
            created_at: time(created),
            text: text.join(" "),
            rating,
            stage_ratings,
            in_reply_to: (rng.below(8) == 0).then(|| format!("{channel}-{:06}", rng.below(i + 1))),
            url: (rng.below(2) == 0).then(|| format!("https://example.com/{channel}/{i}")),
            lang: (rng.below(3) > 0).then(|| "en".to_string()),
        },
        enrichment: Enrichment {
            engine: "test".to_string(),
            sentiment,
            sentiment_label: SentimentLabel::from_compound(sentiment),
            intents,
            touchpoints,
            brand: detected,
            priority: rng.below(1000) as f32 / 10.0,
            experience_value,
            brand_post: false,
        },
    }
}

/// `n` signals with distinct dedupe keys.
pub fn signals(seed: u64, n: usize) -> Vec<EnrichedSignal> {
    let mut rng = Rng(seed | 1);
    (0..n).map(|i| signal(&mut rng, i)).collect()
}

/// What the store keeps of a signal, as it reads it back: each touchpoint
/// once (the first match) and each stage rating once.
pub fn as_stored(s: &EnrichedSignal) -> EnrichedSignal {
    let mut out = s.clone();
    let mut seen = Vec::new();
    out.enrichment.touchpoints.retain(|tp| {
        let new = !seen.contains(&tp.touchpoint);
        seen.push(tp.touchpoint.clone());
        new
    });
    let mut seen = Vec::new();
    out.signal.stage_ratings.retain(|r| {
        let new = !seen.contains(&r.stage);
        seen.push(r.stage.clone());
        new
    });
    out.signal
        .stage_ratings
        .sort_by(|a, b| a.stage.cmp(&b.stage));
    out
}

/// The signals a store keeps from these batches: the first of each dedupe
/// key, in insertion order (which is id order).
pub fn distinct(batches: &[&[EnrichedSignal]]) -> Vec<EnrichedSignal> {
    let mut seen = std::collections::HashSet::new();
    batches
        .iter()
        .flat_map(|b| b.iter())
        .filter(|s| seen.insert((s.signal.channel.clone(), s.signal.external_id.clone())))
        .map(as_stored)
        .collect()
}
