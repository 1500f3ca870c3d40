//! Enrichment of a signal: sentiment, intents, brand, touchpoints, priority.
//!
//! An [`Enricher`] is built once from the model (it compiles the brand and
//! touchpoint phrase matchers) and then enriches signals without allocating
//! more than the result needs. It is pure: no I/O, no clock.

use crate::phrases::{PhraseMatcher, PhraseMatcherError};
use crate::vader::Vader;
use tce_model::{
    Enrichment, Intent, IntentScore, Model, SentimentLabel, Signal, TouchpointMatch,
};

/// Why an enricher could not be built from a model.
#[derive(Debug, thiserror::Error)]
pub enum EnrichError {
    /// The phrase matcher could not be compiled.
    #[error("cannot compile the model's phrases: {0}")]
    Phrases(#[from] PhraseMatcherError),
}

/// Enriches signals according to one model.
#[derive(Debug, Clone)]
pub struct Enricher {
    vader: Vader,
    brands: PhraseMatcher,
    brand_ids: Vec<String>,
    touchpoints: PhraseMatcher,
    touchpoint_ids: Vec<(String, String)>,
}

impl Enricher {
    /// Compiles the model's brand handles/aliases and touchpoint phrases.
    pub fn new(model: &Model) -> Result<Enricher, EnrichError> {
        let mut brand_phrases = Vec::new();
        for (i, b) in model.brands.iter().enumerate() {
            for p in b.handles.iter().chain(&b.aliases).chain(std::iter::once(&b.name)) {
                brand_phrases.push((p.trim_start_matches('@').to_lowercase(), i));
            }
        }
        let mut tp_phrases = Vec::new();
        for (i, t) in model.touchpoints.iter().enumerate() {
            for p in &t.phrases {
                tp_phrases.push((p.clone(), i));
            }
        }
        Ok(Enricher {
            vader: Vader::new(),
            brands: PhraseMatcher::new(&brand_phrases, false)?,
            brand_ids: model.brands.iter().map(|b| b.id.clone()).collect(),
            touchpoints: PhraseMatcher::new(&tp_phrases, true)?,
            touchpoint_ids: model
                .touchpoints
                .iter()
                .map(|t| (t.id.clone(), t.stage.clone()))
                .collect(),
        })
    }

    /// Enriches one signal.
    pub fn enrich(&self, signal: &Signal) -> Enrichment {
        let text = signal.text.as_str();
        let compound = self.vader.polarity_scores(text).compound;
        let label = SentimentLabel::from_compound(compound);

        let brand = signal.brand.clone().or_else(|| {
            self.brands
                .best(text)
                .and_then(|(i, _)| self.brand_ids.get(i).cloned())
        });

        let touchpoints: Vec<TouchpointMatch> = self
            .touchpoints
            .all(text)
            .into_iter()
            .filter_map(|(i, hits)| {
                let (id, stage) = self.touchpoint_ids.get(i)?;
                Some(TouchpointMatch {
                    touchpoint: id.clone(),
                    stage: stage.clone(),
                    // Each further distinct phrase raises confidence with diminishing effect.
                    confidence: (1.0 - 0.4f32.powi(hits as i32)).min(0.99),
                })
            })
            .collect();

        let intents = intents(text, compound);
        let churn = intents
            .iter()
            .any(|i| i.intent == Intent::ChurnRisk);
        let experience_value = signal
            .rating
            .map_or(compound, |r| r.experience_value());
        Enrichment {
            engine: "vader".into(),
            sentiment: compound,
            sentiment_label: label,
            priority: priority(experience_value, signal.author_followers, churn),
            intents,
            touchpoints,
            brand,
            experience_value,
        }
    }
}

/// Care priority 0–100: severity (how negative), reach (log followers) and churn risk.
fn priority(experience_value: f64, followers: Option<u64>, churn: bool) -> f32 {
    let severity = (-experience_value).max(0.0); // 0..1
    let reach = ((followers.unwrap_or(0) as f64 + 1.0).log10() / 6.0).min(1.0); // 1M followers → 1
    let churn = if churn { 1.0 } else { 0.0 };
    (100.0 * (0.55 * severity + 0.25 * reach + 0.20 * churn)) as f32
}

/// Cue-based intents. Multi-label; confidence reflects how explicit the cue is.
fn intents(text: &str, compound: f64) -> Vec<IntentScore> {
    let lower = text.to_lowercase();
    let has = |cues: &[&str]| cues.iter().any(|c| lower.contains(c));
    let mut out = Vec::new();
    let mut push = |intent, confidence: f32| out.push(IntentScore { intent, confidence });
    if compound <= -0.05 {
        push(Intent::Complaint, (0.5 + compound.abs() as f32 / 2.0).min(0.95));
    } else if has(&["still waiting", "no one", "nobody", "never arrived", "not working", "delayed", "lost"]) {
        push(Intent::Complaint, 0.6);
    }
    if compound >= 0.5 {
        push(Intent::Praise, (compound as f32).min(0.95));
    }
    if lower.contains('?') || has(&["how do i", "how can i", "can anyone", "does anyone", "is there a way"]) {
        push(Intent::Question, if lower.contains('?') { 0.8 } else { 0.6 });
    }
    if has(&["should ", "would be nice", "would love", "please add", "suggest", "wish you", "why not", "it would be great if"]) {
        push(Intent::Suggestion, 0.6);
    }
    if has(&["switch to", "switching to", "cancel my", "close my account", "never again", "never fly", "never use", "leaving", "done with", "last time i"]) {
        push(Intent::ChurnRisk, 0.7);
    }
    if has(&["want to buy", "looking to buy", "planning to", "thinking of getting", "how much is", "where can i buy", "can't wait to", "just booked", "sign up", "interested in"]) {
        push(Intent::PurchaseIntent, 0.6);
    }
    out
}
