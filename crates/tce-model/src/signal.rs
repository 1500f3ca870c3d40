//! Signals (one piece of customer evidence) and what enrichment adds to them.
//!
//! These are plain domain types: the ingest crate maps wire formats onto them,
//! the store maps them onto rows.

use chrono::{DateTime, Utc};
use std::fmt;
use std::str::FromStr;

/// One piece of customer evidence: a post, reply, review, survey answer or ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// Channel id from the model (`x`, `facebook`, `survey`, …).
    pub channel: String,
    /// The id the source gave it; with `channel` it is the dedupe key.
    pub external_id: String,
    /// Brand id from the model, when the source says which brand it is about.
    pub brand: Option<String>,
    /// Pseudonymous author handle.
    pub author: Option<String>,
    /// Author reach (followers), when known.
    pub author_followers: Option<u64>,
    /// When the customer said it.
    pub created_at: DateTime<Utc>,
    /// What the customer said.
    pub text: String,
    /// Overall rating, kept with its scale.
    pub rating: Option<Rating>,
    /// Per-stage ratings (survey answers), on the same scale as `rating`.
    pub stage_ratings: Vec<StageRating>,
    /// External id of the signal this one replies to.
    pub in_reply_to: Option<String>,
    /// Link to the original.
    pub url: Option<String>,
    /// Language code, when the source gives one.
    pub lang: Option<String>,
}

impl Signal {
    /// The dedupe key: channel and external id.
    pub fn dedupe_key(&self) -> (&str, &str) {
        (&self.channel, &self.external_id)
    }
}

/// A rating with the scale it was given on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rating {
    /// The raw value on its scale.
    pub value: f64,
    /// The scale.
    pub scale: RatingScale,
}

impl Rating {
    /// Checks the value lies on its scale.
    pub fn new(value: f64, scale: RatingScale) -> Result<Rating, RatingError> {
        let (lo, hi) = scale.range();
        if !value.is_finite() || value < lo || value > hi {
            return Err(RatingError::OutOfRange { value, scale });
        }
        Ok(Rating { value, scale })
    }

    /// The rating mapped linearly onto −1…1 (the experience value of a rated signal).
    pub fn experience_value(&self) -> f64 {
        let (lo, hi) = self.scale.range();
        (self.value - lo) / (hi - lo) * 2.0 - 1.0
    }
}

/// The scale a rating was given on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RatingScale {
    /// Review stars, 1–5.
    Stars5,
    /// Customer satisfaction, 1–5.
    Csat5,
    /// Likelihood to recommend, 0–10.
    Nps10,
}

impl RatingScale {
    /// All scales.
    pub const ALL: [RatingScale; 3] = [RatingScale::Stars5, RatingScale::Csat5, RatingScale::Nps10];

    /// Inclusive range of valid values.
    pub fn range(self) -> (f64, f64) {
        match self {
            RatingScale::Stars5 | RatingScale::Csat5 => (1.0, 5.0),
            RatingScale::Nps10 => (0.0, 10.0),
        }
    }

    /// The stable id used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RatingScale::Stars5 => "stars5",
            RatingScale::Csat5 => "csat5",
            RatingScale::Nps10 => "nps10",
        }
    }
}

impl fmt::Display for RatingScale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RatingScale {
    type Err = RatingError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RatingScale::ALL
            .into_iter()
            .find(|scale| scale.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| RatingError::UnknownScale(s.to_string()))
    }
}

/// Why a rating is not acceptable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RatingError {
    /// Not one of `stars5`, `csat5`, `nps10`.
    #[error("unknown rating scale {0:?} (expected stars5, csat5 or nps10)")]
    UnknownScale(String),
    /// Value outside its scale.
    #[error("rating {value} is outside the {scale} scale ({lo}–{hi})", lo = scale.range().0, hi = scale.range().1)]
    OutOfRange {
        /// The value given.
        value: f64,
        /// Its scale.
        scale: RatingScale,
    },
}

/// A rating of one lifecycle stage, as a survey answer gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct StageRating {
    /// Stage id from the model.
    pub stage: String,
    /// The rating.
    pub rating: Rating,
}

/// Three-way sentiment label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SentimentLabel {
    /// Compound below the negative threshold.
    Negative,
    /// In between.
    Neutral,
    /// Compound above the positive threshold.
    Positive,
}

impl SentimentLabel {
    /// VADER's conventional thresholds: ≥ 0.05 positive, ≤ −0.05 negative.
    pub fn from_compound(compound: f64) -> SentimentLabel {
        if compound >= 0.05 {
            SentimentLabel::Positive
        } else if compound <= -0.05 {
            SentimentLabel::Negative
        } else {
            SentimentLabel::Neutral
        }
    }

    /// The stable id used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SentimentLabel::Negative => "negative",
            SentimentLabel::Neutral => "neutral",
            SentimentLabel::Positive => "positive",
        }
    }
}

impl fmt::Display for SentimentLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the customer wants or signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Intent {
    /// Something went wrong.
    Complaint,
    /// Something went well.
    Praise,
    /// Asks for information or help.
    Question,
    /// Proposes an improvement (an idea for R&D).
    Suggestion,
    /// Threatens to leave.
    ChurnRisk,
    /// Wants to buy.
    PurchaseIntent,
}

impl Intent {
    /// All intents.
    pub const ALL: [Intent; 6] = [
        Intent::Complaint,
        Intent::Praise,
        Intent::Question,
        Intent::Suggestion,
        Intent::ChurnRisk,
        Intent::PurchaseIntent,
    ];

    /// The stable id used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Complaint => "complaint",
            Intent::Praise => "praise",
            Intent::Question => "question",
            Intent::Suggestion => "suggestion",
            Intent::ChurnRisk => "churn_risk",
            Intent::PurchaseIntent => "purchase_intent",
        }
    }
}

impl FromStr for Intent {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Intent::ALL
            .into_iter()
            .find(|i| i.as_str() == s)
            .ok_or_else(|| format!("unknown intent {s:?}"))
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An intent with its confidence (0–1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntentScore {
    /// The intent.
    pub intent: Intent,
    /// Confidence 0–1.
    pub confidence: f32,
}

/// A touchpoint a signal speaks about, with confidence (0–1).
#[derive(Debug, Clone, PartialEq)]
pub struct TouchpointMatch {
    /// Touchpoint id from the model.
    pub touchpoint: String,
    /// The stage that touchpoint belongs to.
    pub stage: String,
    /// Confidence 0–1.
    pub confidence: f32,
}

/// What enrichment adds to a signal.
#[derive(Debug, Clone, PartialEq)]
pub struct Enrichment {
    /// Name of the engine that produced the sentiment (`placeholder`, `vader`, `cx`, a model).
    pub engine: String,
    /// Compound sentiment, −1…1.
    pub sentiment: f64,
    /// Three-way label.
    pub sentiment_label: SentimentLabel,
    /// Intents, multi-label.
    pub intents: Vec<IntentScore>,
    /// Touchpoints spoken about (possibly several, possibly none).
    pub touchpoints: Vec<TouchpointMatch>,
    /// The brand: as given by the source, else detected, else none.
    pub brand: Option<String>,
    /// Priority 0–100 for care (severity, reach, churn risk).
    pub priority: f32,
    /// Rating mapped to −1…1 when rated, else the sentiment compound.
    pub experience_value: f64,
    /// Written by one of a brand's own handles: the brand speaking (a care
    /// reply), not customer evidence. Kept for care threads, never scored.
    pub brand_post: bool,
}

/// A signal with its enrichment: what the store keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrichedSignal {
    /// The evidence as received.
    pub signal: Signal,
    /// What enrichment made of it.
    pub enrichment: Enrichment,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_map_onto_experience_scale() {
        let r = |v, s| Rating::new(v, s).unwrap().experience_value();
        assert_eq!(r(1.0, RatingScale::Stars5), -1.0);
        assert_eq!(r(3.0, RatingScale::Csat5), 0.0);
        assert_eq!(r(10.0, RatingScale::Nps10), 1.0);
        assert!(Rating::new(6.0, RatingScale::Stars5).is_err());
        assert!(Rating::new(f64::NAN, RatingScale::Nps10).is_err());
        assert_eq!("NPS10".parse::<RatingScale>(), Ok(RatingScale::Nps10));
    }
}
