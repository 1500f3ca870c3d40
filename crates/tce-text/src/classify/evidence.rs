//! Rule evidence: dense, named features a [`Classifier`](super::Classifier)
//! combines with its word and character views.
//!
//! [`RuleEvidence`] computes, for one text:
//!
//! - `vader_neg`, `vader_neu`, `vader_pos`, `vader_compound`: VADER's scores;
//! - `cx_*`: the CX sentiment engine's scores ([`crate::cx`]: VADER extended
//!   with service-failure, absence, sarcasm and politeness rules) and the
//!   counts of the cues it found (failures, successes, questions, complaint
//!   questions, requests, gratitude, sarcasm, churn threats);
//! - `cue_*`: counts (as `ln(1 + n)`) of generic customer-experience cue
//!   families — service failures (delay, cancellation, loss, damage,
//!   queueing, staff attitude, unresponsiveness, money, broken systems,
//!   poor quality), churn threats, requests, questions, gratitude — written
//!   from CX domain knowledge, not learned from any data set;
//! - `shape_*`: exclamation and question marks, shouted (all-caps) words,
//!   negations and length;
//! - optionally `intent_<id>`: the confidence (0 when absent) of each rule
//!   intent ([`crate::intent`]), for intent models that stack on the rules;
//! - optionally `tp_<id>`: matches of each touchpoint's phrases of a tce
//!   model ([`RuleEvidence::with_touchpoints`]).
//!
//! The names travel in the saved model, so whoever loads it can check it
//! computes the same features in the same order. Which groups help depends
//! on the labels: on the airline tweets, sentiment gains most from
//! `vader` + `cx` + `cues`, complaint reasons from `vader` + `cues` +
//! touchpoints (see `examples/cv.rs`).

use tce_model::{Intent, Model};

use crate::cx::{CxScratch, CxSentiment};
use crate::phrases::{PhraseMatcher, PhraseMatcherError};
use crate::vader::{Vader, VaderScratch};

/// Generic cue families: `(name, phrases)`. Phrases are base forms; the
/// matcher also accepts common inflections ("delay" → "delayed").
const CUES: &[(&str, &[&str])] = &[
    (
        "delay",
        &[
            "delay",
            "late",
            "wait",
            "waiting",
            "still waiting",
            "hours",
            "behind schedule",
            "stuck",
            "slow",
            "overdue",
            "took forever",
            "taking forever",
            "postpone",
            "missed",
            "not on time",
            "eta",
            "sitting on",
            "been sitting",
        ],
    ),
    (
        "cancellation",
        &[
            "cancel",
            "cancellation",
            "called off",
            "rebook",
            "reschedule",
            "stranded",
            "no alternative",
            "discontinued",
        ],
    ),
    (
        "loss",
        &[
            "lost",
            "lose",
            "missing",
            "never arrived",
            "never received",
            "didn't arrive",
            "did not arrive",
            "hasn't arrived",
            "has not arrived",
            "can't find",
            "cannot find",
            "where is my",
            "where's my",
            "misplaced",
            "disappeared",
            "stolen",
            "no trace",
            "still haven't received",
            "tracking",
        ],
    ),
    (
        "damage",
        &[
            "damage",
            "broken",
            "broke",
            "ripped",
            "torn",
            "tore",
            "cracked",
            "smashed",
            "crushed",
            "dented",
            "destroyed",
            "ruined",
            "scratched",
            "wrecked",
            "shattered",
            "busted",
            "bent",
            "soaked",
            "leaking",
            "stained",
        ],
    ),
    (
        "queue",
        &[
            "line",
            "queue",
            "long line",
            "in line",
            "crowded",
            "packed",
            "counter",
            "understaffed",
            "only one agent",
            "one person working",
            "wait in line",
            "standing",
        ],
    ),
    (
        "staff_attitude",
        &[
            "rude",
            "attitude",
            "unprofessional",
            "disrespectful",
            "condescending",
            "yelled",
            "yell",
            "arrogant",
            "unfriendly",
            "impolite",
            "nasty",
            "mean",
            "hostile",
            "laughed at",
            "treated",
            "embarrassed",
            "humiliated",
            "discriminate",
            "discrimination",
            "racist",
            "snotty",
            "smug",
        ],
    ),
    (
        "unresponsive",
        &[
            "no response",
            "no reply",
            "no answer",
            "hung up",
            "hang up",
            "on hold",
            "hold",
            "call back",
            "never called",
            "never heard back",
            "ignored",
            "ignoring",
            "not responding",
            "unanswered",
            "no one",
            "nobody",
            "busy signal",
            "disconnected",
            "runaround",
            "run around",
            "transferred",
        ],
    ),
    (
        "contact",
        &[
            "call",
            "phone",
            "customer service",
            "customer care",
            "support",
            "helpline",
            "hotline",
            "agent",
            "representative",
            "rep",
            "email",
            "dm",
            "direct message",
            "chat",
            "reply",
            "respond",
            "contact",
        ],
    ),
    (
        "money",
        &[
            "charge",
            "overcharged",
            "fee",
            "refund",
            "money back",
            "billing",
            "bill",
            "payment",
            "paid",
            "pay",
            "price",
            "cost",
            "expensive",
            "compensation",
            "voucher",
            "credit",
            "reimburse",
            "fare",
            "dollar",
            "rip off",
            "ripoff",
            "scam",
        ],
    ),
    (
        "system",
        &[
            "website",
            "site",
            "app",
            "online",
            "login",
            "log in",
            "password",
            "account",
            "error",
            "glitch",
            "crash",
            "down",
            "not working",
            "doesn't work",
            "does not work",
            "won't let",
            "system",
            "page",
            "bug",
            "outage",
            "booking",
            "reservation",
            "confirmation",
            "itinerary",
            "change",
            "upgrade",
        ],
    ),
    (
        "quality",
        &[
            "dirty",
            "filthy",
            "smell",
            "smelly",
            "stink",
            "cramped",
            "uncomfortable",
            "noisy",
            "stale",
            "gross",
            "disgusting",
            "cold",
            "freezing",
            "hot",
            "broken seat",
            "no wifi",
            "no power",
            "worst",
            "terrible",
            "horrible",
            "awful",
            "sick",
            "bumpy",
        ],
    ),
    (
        "churn",
        &[
            "never again",
            "switch",
            "switching",
            "last time",
            "done with",
            "goodbye",
            "lost a customer",
            "lost my business",
            "take my business",
            "won't be back",
            "will not be back",
            "never use",
            "never fly",
            "never buy",
            "going with",
            "competitor",
            "boycott",
        ],
    ),
    (
        "request",
        &[
            "please",
            "pls",
            "plz",
            "help",
            "need",
            "can you",
            "could you",
            "would you",
            "let me know",
            "follow",
            "dm me",
            "assist",
            "any update",
            "update",
        ],
    ),
    (
        "question",
        &[
            "how",
            "what",
            "when",
            "where",
            "why",
            "which",
            "who",
            "is there",
            "is it",
            "do you",
            "does",
            "are you",
            "will",
            "can i",
            "any chance",
            "is it possible",
        ],
    ),
    (
        "gratitude",
        &[
            "thank",
            "thanks",
            "thx",
            "ty",
            "appreciate",
            "grateful",
            "kudos",
            "shout out",
            "shoutout",
            "props",
            "cheers",
            "well done",
            "great job",
            "good job",
            "love",
            "best",
        ],
    ),
];

/// Names of the VADER features, in order.
const VADER_NAMES: [&str; 4] = ["vader_neg", "vader_neu", "vader_pos", "vader_compound"];
/// Names of the CX-sentiment features, in order.
const CX_NAMES: [&str; 12] = [
    "cx_neg",
    "cx_neu",
    "cx_pos",
    "cx_compound",
    "cx_failures",
    "cx_successes",
    "cx_questions",
    "cx_complaint_questions",
    "cx_requests",
    "cx_gratitude",
    "cx_sarcasm",
    "cx_churn",
];
/// Names of the text-shape features, in order.
const SHAPE_NAMES: [&str; 5] = [
    "shape_exclamations",
    "shape_questions",
    "shape_shouted_words",
    "shape_negations",
    "shape_words",
];

/// Which groups of evidence to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceSet {
    /// VADER neg/neu/pos/compound.
    pub vader: bool,
    /// CX sentiment ([`crate::cx`]): its neg/neu/pos/compound and cue counts.
    pub cx: bool,
    /// Generic CX cue families and text shape.
    pub cues: bool,
    /// The rule intents' confidences ([`crate::intent`]).
    pub intents: bool,
}

impl Default for EvidenceSet {
    fn default() -> Self {
        EvidenceSet {
            vader: true,
            cx: true,
            cues: true,
            intents: false,
        }
    }
}

/// Computes named dense features for [`Classifier`](super::Classifier).
#[derive(Debug, Clone)]
pub struct RuleEvidence {
    set: EvidenceSet,
    vader: Vader,
    cx: CxSentiment,
    cues: PhraseMatcher,
    touchpoints: Option<(PhraseMatcher, Vec<String>)>,
}

/// Why rule evidence could not be rebuilt for a saved classifier.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// A phrase matcher could not be compiled.
    #[error(transparent)]
    Phrases(#[from] PhraseMatcherError),
    /// The classifier expects features this build or model cannot compute
    /// in that order (e.g. a touchpoint was renamed since training).
    #[error(
        "the classifier expects dense features [{expected}], this evidence computes [{found}]"
    )]
    Mismatch {
        /// Names the classifier was trained with.
        expected: String,
        /// Names this evidence would compute.
        found: String,
    },
}

/// Reusable buffers for [`RuleEvidence::compute_with`].
#[derive(Debug, Default)]
pub struct EvidenceScratch {
    vader: VaderScratch,
    cx: CxScratch,
}

impl RuleEvidence {
    /// Evidence of the groups in `set`.
    pub fn new(set: EvidenceSet) -> Result<RuleEvidence, PhraseMatcherError> {
        let phrases: Vec<(String, usize)> = CUES
            .iter()
            .enumerate()
            .flat_map(|(i, (_, ps))| ps.iter().map(move |p| ((*p).to_string(), i)))
            .collect();
        Ok(RuleEvidence {
            set,
            vader: Vader::new(),
            cx: CxSentiment::new(),
            cues: PhraseMatcher::new(&phrases, true)?,
            touchpoints: None,
        })
    }

    /// Adds one feature per touchpoint of `model`: its phrase matches.
    pub fn with_touchpoints(mut self, model: &Model) -> Result<RuleEvidence, PhraseMatcherError> {
        let phrases: Vec<(String, usize)> = model
            .touchpoints
            .iter()
            .enumerate()
            .flat_map(|(i, t)| t.phrases.iter().map(move |p| (p.clone(), i)))
            .collect();
        let ids = model
            .touchpoints
            .iter()
            .map(|t| format!("tp_{}", t.id))
            .collect();
        self.touchpoints = Some((PhraseMatcher::new(&phrases, true)?, ids));
        Ok(self)
    }

    /// The evidence a saved classifier expects, rebuilt from its
    /// [`dense_names`](super::Classifier::dense_names): the groups are read
    /// off the name prefixes, touchpoints come from `model`. Fails unless
    /// the result computes exactly those names in that order.
    pub fn from_names<S: AsRef<str>>(
        names: &[S],
        model: Option<&Model>,
    ) -> Result<RuleEvidence, EvidenceError> {
        let has = |prefix: &str| names.iter().any(|n| n.as_ref().starts_with(prefix));
        let set = EvidenceSet {
            vader: has("vader_"),
            cx: has("cx_"),
            cues: has("cue_") || has("shape_"),
            intents: has("intent_"),
        };
        let mut evidence = RuleEvidence::new(set)?;
        if let (true, Some(model)) = (has("tp_"), model) {
            evidence = evidence.with_touchpoints(model)?;
        }
        let found = evidence.names();
        if !found
            .iter()
            .map(String::as_str)
            .eq(names.iter().map(AsRef::as_ref))
        {
            return Err(EvidenceError::Mismatch {
                expected: names
                    .iter()
                    .map(AsRef::as_ref)
                    .collect::<Vec<_>>()
                    .join(", "),
                found: found.join(", "),
            });
        }
        Ok(evidence)
    }

    /// The feature names, in the order [`RuleEvidence::compute`] writes them.
    pub fn names(&self) -> Vec<String> {
        let mut names = Vec::new();
        if self.set.vader {
            names.extend(VADER_NAMES.iter().map(|s| (*s).to_string()));
        }
        if self.set.cx {
            names.extend(CX_NAMES.iter().map(|s| (*s).to_string()));
        }
        if self.set.cues {
            names.extend(CUES.iter().map(|(n, _)| format!("cue_{n}")));
            names.extend(SHAPE_NAMES.iter().map(|s| (*s).to_string()));
        }
        if self.set.intents {
            names.extend(Intent::ALL.iter().map(|i| format!("intent_{i}")));
        }
        if let Some((_, ids)) = &self.touchpoints {
            names.extend(ids.iter().cloned());
        }
        names
    }

    /// The features of `text`.
    pub fn compute(&self, text: &str) -> Vec<f32> {
        let mut out = Vec::new();
        self.compute_with(text, &mut EvidenceScratch::default(), &mut out);
        out
    }

    /// Writes the features of `text` into `out` (cleared first).
    pub fn compute_with(&self, text: &str, scratch: &mut EvidenceScratch, out: &mut Vec<f32>) {
        out.clear();
        let damp = |n: u32| (1.0 + n as f32).ln();
        // The CX engine runs VADER's pipeline first: when both are wanted,
        // VADER's scores come from it at no extra cost.
        let cx =
            (self.set.cx || self.set.intents).then(|| self.cx.scores_with(text, &mut scratch.cx));
        if self.set.vader {
            let s = match cx {
                Some(_) => scratch.cx.vader_scores(),
                None => self.vader.polarity_scores_with(text, &mut scratch.vader),
            };
            out.extend([s.neg, s.neu, s.pos, s.compound].map(|x| x as f32));
        }
        if let Some(s) = cx.filter(|_| self.set.cx) {
            let c = scratch.cx.cues();
            out.extend([s.neg, s.neu, s.pos, s.compound].map(|x| x as f32));
            out.extend(
                [
                    c.failures,
                    c.successes,
                    c.questions + c.interrogatives,
                    c.complaint_questions,
                    c.requests,
                    c.gratitude,
                    c.sarcasm,
                    c.churn,
                ]
                .map(|n| damp(u32::from(n))),
            );
        }
        if self.set.cues {
            let at = out.len();
            out.resize(at + CUES.len(), 0.0);
            for (family, hits) in self.cues.all(text) {
                if let Some(slot) = out.get_mut(at + family) {
                    *slot = damp(hits);
                }
            }
            let count = |c: char| text.chars().filter(|&x| x == c).count() as u32;
            let mut shouted = 0;
            let mut negations = 0;
            let mut words = 0;
            for w in text.split_whitespace() {
                words += 1;
                let letters = w.chars().filter(|c| c.is_alphabetic()).count();
                if letters >= 2
                    && !w.starts_with('@')
                    && !w.starts_with('#')
                    && w.chars().all(|c| !c.is_lowercase())
                {
                    shouted += 1;
                }
                let lw = w.to_ascii_lowercase();
                let lw = lw.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
                if matches!(
                    lw,
                    "not" | "no" | "never" | "nothing" | "nobody" | "none" | "cannot"
                ) || lw.ends_with("n't")
                {
                    negations += 1;
                }
            }
            out.extend([
                damp(count('!')),
                damp(count('?')),
                damp(shouted),
                damp(negations),
                damp(words),
            ]);
        }
        if let (true, Some(s)) = (self.set.intents, cx) {
            let mut found = Vec::new();
            crate::intent::detect_into(&scratch.cx, s.compound, &mut found);
            out.extend(Intent::ALL.iter().map(|i| {
                found
                    .iter()
                    .find(|f| f.intent == *i)
                    .map_or(0.0, |f| f.confidence)
            }));
        }
        if let Some((matcher, ids)) = &self.touchpoints {
            let at = out.len();
            out.resize(at + ids.len(), 0.0);
            for (tp, hits) in matcher.all(text) {
                if let Some(slot) = out.get_mut(at + tp) {
                    *slot = damp(hits);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuilt_from_names() {
        let model = tce_model::Model::parse(
            tce_model::templates::template("airline").unwrap().toml,
            std::path::Path::new("airline.toml"),
        )
        .unwrap();
        let e = RuleEvidence::new(EvidenceSet {
            vader: true,
            cx: false,
            cues: true,
            intents: true,
        })
        .unwrap()
        .with_touchpoints(&model)
        .unwrap();
        let names = e.names();
        let rebuilt = RuleEvidence::from_names(&names, Some(&model)).unwrap();
        assert_eq!(rebuilt.names(), names);
        let text = "Flight delayed and my bag is lost";
        assert_eq!(rebuilt.compute(text), e.compute(text));
        assert!(matches!(
            RuleEvidence::from_names(&names, None),
            Err(EvidenceError::Mismatch { .. })
        ));
        assert!(RuleEvidence::from_names(&["vader_compound"], None).is_err());
        assert!(RuleEvidence::from_names::<&str>(&[], None)
            .unwrap()
            .names()
            .is_empty());
    }

    #[test]
    fn names_match_values() {
        let e = RuleEvidence::new(EvidenceSet::default()).unwrap();
        let v = e.compute("My bag was DAMAGED and nobody answers the phone!!");
        assert_eq!(v.len(), e.names().len());
        let get = |n: &str| v[e.names().iter().position(|x| x == n).unwrap()];
        assert!(get("cue_damage") > 0.0);
        assert!(get("cue_contact") > 0.0);
        assert!(get("shape_shouted_words") > 0.0);
        assert_eq!(get("cue_gratitude"), 0.0);
        assert!(get("vader_compound") < 0.0);
    }

    #[test]
    fn rule_intents_as_evidence() {
        let set = EvidenceSet {
            intents: true,
            ..EvidenceSet::default()
        };
        let e = RuleEvidence::new(set).unwrap();
        let names = e.names();
        let v = e.compute("Please add a dark mode.");
        assert_eq!(v.len(), names.len());
        let get = |n: &str| v[names.iter().position(|x| x == n).unwrap()];
        assert!(get("intent_suggestion") > 0.5);
        assert_eq!(get("intent_churn_risk"), 0.0);
        let only = RuleEvidence::from_names(
            &[
                "intent_complaint",
                "intent_praise",
                "intent_question",
                "intent_suggestion",
                "intent_churn_risk",
                "intent_purchase_intent",
            ],
            None,
        )
        .unwrap();
        assert!(only.compute("Please add a dark mode.")[3] > 0.5);
    }
}
