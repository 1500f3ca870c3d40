//! Enrichment of a signal: sentiment, intents, brand, touchpoints, priority.
//!
//! An [`Enricher`] is built once from the model (it compiles the brand and
//! touchpoint phrase matchers and tells the sentiment engine the brand
//! names) and then enriches signals; with an [`EnrichScratch`]
//! ([`Enricher::enrich_with`]) it allocates no more than the result needs.
//! Sentiment comes from the CX engine ([`crate::cx`], engine name `cx`) or,
//! on request, from plain VADER (`vader`); intents always come from the CX
//! analysis ([`crate::intent`]). A signal's rating, when it has one, wins
//! over its text: it is the experience value, and the text's complaint or
//! praise it contradicts is re-weighed ([`intent::reweigh_by_rating`]).
//! It is pure: no I/O, no clock.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use crate::classify::evidence::RuleEvidence;
use crate::classify::Classifier;
use crate::cx::{CxScratch, CxSentiment};
use crate::intent;
use crate::phrases::{PhraseMatcher, PhraseMatcherError};
use tce_model::{Enrichment, Intent, IntentScore, Model, SentimentLabel, Signal, TouchpointMatch};

/// Why an enricher could not be built from a model.
#[derive(Debug, thiserror::Error)]
pub enum EnrichError {
    /// A trained classifier does not fit the model or the task.
    #[error("{0}")]
    Classifier(String),
    /// The phrase matcher could not be compiled.
    #[error("cannot compile the model's phrases: {0}")]
    Phrases(#[from] PhraseMatcherError),
}

/// The sentiment engine of an [`Enricher`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Engine {
    /// VADER exactly as vaderSentiment 3.3.2 scores it, with VADER's ±0.05
    /// label thresholds.
    Vader,
    /// VADER extended with customer-experience rules ([`crate::cx`]), with
    /// the CX label thresholds. The default.
    #[default]
    Cx,
}

impl Engine {
    /// Both engines.
    pub const ALL: [Engine; 2] = [Engine::Cx, Engine::Vader];

    /// The engine name recorded in [`Enrichment::engine`].
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Vader => "vader",
            Engine::Cx => "cx",
        }
    }

    /// The three-way label of a compound score of this engine.
    pub fn label(self, compound: f64) -> SentimentLabel {
        match self {
            Engine::Vader => SentimentLabel::from_compound(compound),
            Engine::Cx => CxSentiment::label(compound),
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An engine name that is neither `cx` nor `vader`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sentiment engine {0:?} (available: cx, vader)")]
pub struct UnknownEngine(pub String);

impl FromStr for Engine {
    type Err = UnknownEngine;
    fn from_str(s: &str) -> Result<Engine, UnknownEngine> {
        Engine::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownEngine(s.to_string()))
    }
}

/// Reusable working memory for [`Enricher::enrich_with`].
#[derive(Debug, Clone, Default)]
pub struct EnrichScratch {
    cx: CxScratch,
}

impl EnrichScratch {
    /// Empty scratch space.
    pub fn new() -> EnrichScratch {
        EnrichScratch::default()
    }
}

/// Enriches signals according to one model. Shareable between threads.
#[derive(Debug)]
pub struct Enricher {
    engine: Engine,
    cx: CxSentiment,
    brands: PhraseMatcher,
    brand_ids: Vec<String>,
    touchpoints: PhraseMatcher,
    touchpoint_ids: Vec<(String, String)>,
    sentiment_model: Option<Arc<Trained>>,
    touchpoint_model: Option<Arc<Trained>>,
    /// Yes/no intent classifiers that replace the rules of their intent,
    /// with the index of their positive class.
    intent_models: Vec<(Intent, usize, Arc<Trained>)>,
    /// Scratch spaces lent to [`Enricher::enrich`] calls, so callers that
    /// do not keep an [`EnrichScratch`] do not allocate one per signal.
    pool: Mutex<Vec<EnrichScratch>>,
}

/// Scratch spaces kept for reuse (about one per thread enriching at once).
const POOL_MAX: usize = 64;

impl Clone for Enricher {
    fn clone(&self) -> Enricher {
        Enricher {
            engine: self.engine,
            cx: self.cx.clone(),
            brands: self.brands.clone(),
            brand_ids: self.brand_ids.clone(),
            touchpoints: self.touchpoints.clone(),
            touchpoint_ids: self.touchpoint_ids.clone(),
            sentiment_model: self.sentiment_model.clone(),
            touchpoint_model: self.touchpoint_model.clone(),
            intent_models: self.intent_models.clone(),
            pool: Mutex::new(Vec::new()),
        }
    }
}

/// A trained classifier with the rule evidence it expects.
#[derive(Debug)]
struct Trained {
    name: String,
    classifier: Classifier,
    evidence: Option<RuleEvidence>,
}

impl Trained {
    fn predict(&self, text: &str) -> Option<crate::classify::Prediction> {
        let dense = self.evidence.as_ref().map(|e| e.compute(text));
        self.classifier.predict(text, dense.as_deref()).ok()
    }
}

impl Enricher {
    /// Uses a trained sentiment classifier instead of the rules: its labels
    /// must include `negative` and `positive` (and may include `neutral`);
    /// the sentiment becomes P(positive) − P(negative). `name` (e.g. the file
    /// name) is recorded as the engine.
    pub fn with_sentiment_classifier(
        mut self,
        name: &str,
        classifier: Classifier,
        model: &Model,
    ) -> Result<Enricher, EnrichError> {
        let labels = classifier.labels();
        for needed in ["negative", "positive"] {
            if !labels.iter().any(|l| l == needed) {
                return Err(EnrichError::Classifier(format!(
                    "{name}: a sentiment classifier needs the label {needed:?} (it has {})",
                    labels.join(", ")
                )));
            }
        }
        let evidence = evidence_for(name, &classifier, model)?;
        self.sentiment_model = Some(Arc::new(Trained {
            name: name.to_string(),
            classifier,
            evidence,
        }));
        Ok(self)
    }

    /// Uses a trained touchpoint classifier beside the phrase rules: when it
    /// predicts a touchpoint of the model with probability ≥ 0.5, that
    /// touchpoint is added (or its confidence raised). Labels that are not
    /// touchpoint ids (e.g. `none`) add nothing.
    pub fn with_touchpoint_classifier(
        mut self,
        name: &str,
        classifier: Classifier,
        model: &Model,
    ) -> Result<Enricher, EnrichError> {
        if !classifier
            .labels()
            .iter()
            .any(|l| model.touchpoint(l).is_some())
        {
            return Err(EnrichError::Classifier(format!(
                "{name}: none of its labels ({}) is a touchpoint id of the model",
                classifier.labels().join(", ")
            )));
        }
        let evidence = evidence_for(name, &classifier, model)?;
        self.touchpoint_model = Some(Arc::new(Trained {
            name: name.to_string(),
            classifier,
            evidence,
        }));
        Ok(self)
    }

    /// Uses a trained yes/no classifier for `intent` instead of its rule
    /// (`tce train` on 1/0 labels): the intent's confidence becomes the
    /// classifier's probability of the positive class (`1`, `yes`, `true`
    /// or the intent's id, see [`intent::is_positive_label`]), and the
    /// intent is kept only when that class is the one predicted. A second
    /// classifier for the same intent replaces the first.
    pub fn with_intent_classifier(
        mut self,
        intent: Intent,
        name: &str,
        classifier: Classifier,
        model: &Model,
    ) -> Result<Enricher, EnrichError> {
        let Some(positive) = classifier
            .labels()
            .iter()
            .position(|l| intent::is_positive_label(l, intent))
        else {
            return Err(EnrichError::Classifier(format!(
                "{name}: a {intent} classifier needs a positive class (1, yes, true or {intent}); it has {}",
                classifier.labels().join(", ")
            )));
        };
        let evidence = evidence_for(name, &classifier, model)?;
        self.intent_models.retain(|(i, _, _)| *i != intent);
        self.intent_models.push((
            intent,
            positive,
            Arc::new(Trained {
                name: name.to_string(),
                classifier,
                evidence,
            }),
        ));
        Ok(self)
    }

    /// Compiles the model's brand handles/aliases and touchpoint phrases;
    /// sentiment by the CX engine.
    pub fn new(model: &Model) -> Result<Enricher, EnrichError> {
        Enricher::with_engine(model, Engine::Cx)
    }

    /// [`Enricher::new`] with the given sentiment engine.
    pub fn with_engine(model: &Model, engine: Engine) -> Result<Enricher, EnrichError> {
        let mut brand_phrases = Vec::new();
        for (i, b) in model.brands.iter().enumerate() {
            for p in b
                .handles
                .iter()
                .chain(&b.aliases)
                .chain(std::iter::once(&b.name))
            {
                brand_phrases.push((p.trim_start_matches('@').to_lowercase(), i));
            }
        }
        let mut tp_phrases = Vec::new();
        for (i, t) in model.touchpoints.iter().enumerate() {
            for p in &t.phrases {
                tp_phrases.push((p.clone(), i));
            }
        }
        // Brand names that are also sentiment words ("United") are names.
        let names = model
            .brands
            .iter()
            .flat_map(|b| {
                b.handles
                    .iter()
                    .chain(&b.aliases)
                    .chain(std::iter::once(&b.name))
            })
            .map(|n| n.trim_start_matches('@'));
        Ok(Enricher {
            engine,
            cx: CxSentiment::new().with_neutral_names(names),
            brands: PhraseMatcher::new(&brand_phrases, false)?,
            brand_ids: model.brands.iter().map(|b| b.id.clone()).collect(),
            touchpoints: PhraseMatcher::new(&tp_phrases, true)?,
            touchpoint_ids: model
                .touchpoints
                .iter()
                .map(|t| (t.id.clone(), t.stage.clone()))
                .collect(),
            sentiment_model: None,
            touchpoint_model: None,
            intent_models: Vec::new(),
            pool: Mutex::new(Vec::new()),
        })
    }

    /// The sentiment engine.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Enriches one signal (with a scratch space borrowed from the
    /// enricher's pool; [`Enricher::enrich_with`] takes the caller's).
    pub fn enrich(&self, signal: &Signal) -> Enrichment {
        // A poisoned pool only loses the reuse, never the result.
        let mut scratch = self
            .pool
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_default();
        let enrichment = self.enrich_with(signal, &mut scratch);
        if let Ok(mut pool) = self.pool.lock() {
            if pool.len() < POOL_MAX {
                pool.push(scratch);
            }
        }
        enrichment
    }

    /// [`Enricher::enrich`] reusing `scratch`'s buffers.
    pub fn enrich_with(&self, signal: &Signal, scratch: &mut EnrichScratch) -> Enrichment {
        let text = signal.text.as_str();
        // The CX engine runs VADER's pipeline first, so VADER's own scores
        // come with it.
        let cx_compound = self.cx.scores_with(text, &mut scratch.cx).compound;
        let compound = match self.engine {
            Engine::Cx => cx_compound,
            Engine::Vader => scratch.cx.vader_scores().compound,
        };
        let mut label = self.engine.label(compound);
        let mut compound = compound;
        let mut engine = self.engine.as_str().to_string();
        if let Some(t) = &self.sentiment_model {
            if let Some(p) = t.predict(text) {
                let prob = |l: &str| {
                    t.classifier
                        .labels()
                        .iter()
                        .position(|x| x == l)
                        .and_then(|i| p.scores.get(i))
                        .map_or(0.0, |v| f64::from(*v))
                };
                compound = prob("positive") - prob("negative");
                label = match p.label.as_str() {
                    "positive" => SentimentLabel::Positive,
                    "negative" => SentimentLabel::Negative,
                    _ => SentimentLabel::Neutral,
                };
                engine = format!("classifier:{}", t.name);
            }
        }

        let brand = signal.brand.clone().or_else(|| {
            self.brands
                .best(text)
                .and_then(|(i, _)| self.brand_ids.get(i).cloned())
        });

        let mut touchpoints: Vec<TouchpointMatch> = self
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

        if let Some(t) = &self.touchpoint_model {
            if let Some(p) = t.predict(text).filter(|p| p.confidence >= 0.5) {
                if let Some((id, stage)) = self.touchpoint_ids.iter().find(|(id, _)| *id == p.label)
                {
                    match touchpoints.iter_mut().find(|m| &m.touchpoint == id) {
                        Some(m) => m.confidence = m.confidence.max(p.confidence),
                        None => touchpoints.push(TouchpointMatch {
                            touchpoint: id.clone(),
                            stage: stage.clone(),
                            confidence: p.confidence,
                        }),
                    }
                }
            }
        }

        let mut intents = Vec::new();
        intent::detect_into(&scratch.cx, cx_compound, &mut intents);
        for (which, positive, t) in &self.intent_models {
            let Some(p) = t.predict(text) else {
                continue; // the rule's reading stays
            };
            intents.retain(|s| s.intent != *which);
            if p.index == *positive {
                let confidence = p.scores.get(*positive).copied().unwrap_or(p.confidence);
                intents.push(IntentScore {
                    intent: *which,
                    confidence: confidence.clamp(0.05, 0.95),
                });
            }
        }
        if !self.intent_models.is_empty() {
            intents.sort_by_key(|s| s.intent);
        }
        // A rating wins over the text: it is the experience value, and the
        // text's complaint or praise it contradicts is re-weighed.
        let experience_value = match signal.rating {
            Some(r) => {
                let v = r.experience_value();
                intent::reweigh_by_rating(&mut intents, v);
                v
            }
            None => compound,
        };
        let churn = intents.iter().any(|i| i.intent == Intent::ChurnRisk);
        Enrichment {
            engine,
            sentiment: compound,
            sentiment_label: label,
            priority: priority(experience_value, signal.author_followers, churn),
            intents,
            touchpoints,
            brand,
            experience_value,
            brand_post: false,
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

fn evidence_for(
    name: &str,
    classifier: &Classifier,
    model: &Model,
) -> Result<Option<RuleEvidence>, EnrichError> {
    let names: Vec<&str> = classifier.dense_names().collect();
    if names.is_empty() {
        return Ok(None);
    }
    RuleEvidence::from_names(&names, Some(model))
        .map(Some)
        .map_err(|e| EnrichError::Classifier(format!("{name}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn model() -> Model {
        let t = tce_model::templates::template("airline").unwrap();
        Model::parse(t.toml, Path::new("airline.toml")).unwrap()
    }

    fn signal(text: &str) -> Signal {
        Signal {
            channel: "x".into(),
            external_id: "1".into(),
            brand: None,
            author: None,
            author_followers: Some(1000),
            created_at: Default::default(),
            text: text.into(),
            rating: None,
            stage_ratings: Vec::new(),
            in_reply_to: None,
            url: None,
            lang: None,
        }
    }

    #[test]
    fn engines() {
        let m = model();
        let cx = Enricher::new(&m).unwrap();
        let vader = Enricher::with_engine(&m, Engine::Vader).unwrap();
        assert_eq!(cx.engine(), Engine::Cx);
        let s = signal("Flight delayed 3 hours and no update at the gate");
        let (a, b) = (cx.enrich(&s), vader.enrich(&s));
        assert_eq!((a.engine.as_str(), b.engine.as_str()), ("cx", "vader"));
        assert_eq!(a.sentiment_label, SentimentLabel::Negative);
        assert_eq!(
            b.sentiment,
            crate::vader::Vader::new().polarity_scores(&s.text).compound
        );
        // Intents come from the CX analysis with either engine.
        assert_eq!(a.intents, b.intents);
        assert!(a.intents.iter().any(|i| i.intent == Intent::Complaint));
        assert_eq!("VADER".parse::<Engine>(), Ok(Engine::Vader));
        assert!("bert".parse::<Engine>().is_err());
    }

    /// A yes/no intent model replaces that intent's rule: it marks what the
    /// rules miss and unmarks what they found; a model without a positive
    /// class is refused.
    #[test]
    fn an_intent_classifier_replaces_the_rule() {
        let m = model();
        let mut texts = Vec::new();
        let mut labels = Vec::new();
        for i in 0..30 {
            texts.push(format!("zorb the lounge {i}"));
            labels.push("1");
            texts.push(format!("Please add more flights to Oslo {i}"));
            labels.push("0");
        }
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let config = crate::classify::TrainConfig::default();
        let clf = Classifier::train(&texts, &labels, None, &config).unwrap();
        let rules = Enricher::new(&m).unwrap();
        let e = Enricher::new(&m)
            .unwrap()
            .with_intent_classifier(Intent::Suggestion, "s.model", clf.clone(), &m)
            .unwrap();
        let suggestion = |en: &Enricher, t: &str| {
            en.enrich(&signal(t))
                .intents
                .iter()
                .find(|s| s.intent == Intent::Suggestion)
                .map(|s| s.confidence)
        };
        assert_eq!(suggestion(&rules, "zorb the lounge 99"), None);
        assert!(suggestion(&e, "zorb the lounge 99").is_some_and(|c| c > 0.5));
        assert!(suggestion(&rules, "Please add more flights to Oslo 99").is_some());
        assert_eq!(suggestion(&e, "Please add more flights to Oslo 99"), None);
        let other = Classifier::train(&texts, &["a", "b"].repeat(30), None, &config).unwrap();
        let err = Enricher::new(&m)
            .unwrap()
            .with_intent_classifier(Intent::Suggestion, "odd.model", other, &m)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("odd.model: a suggestion classifier needs a positive class"),
            "{err}"
        );
    }

    #[test]
    fn enricher_is_shareable() {
        fn shareable<T: Send + Sync + Clone>() {}
        shareable::<Enricher>();
    }

    #[test]
    fn scratch_reuse_gives_the_same_result() {
        let e = Enricher::new(&model()).unwrap();
        let mut scratch = EnrichScratch::new();
        for text in [
            "Lost my bag again!!",
            "Thanks for the upgrade :)",
            "",
            "Is wifi free?",
        ] {
            let s = signal(text);
            assert_eq!(e.enrich_with(&s, &mut scratch), e.enrich(&s), "{text}");
        }
    }
}
