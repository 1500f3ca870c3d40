//! A fast linear text classifier for any label set (`tce train` / `tce eval`).
//!
//! A [`Classifier`] is a small stack:
//!
//! 1. two *views* of the text, each hashed into `2^hash_bits` buckets with
//!    tf·idf normalised per text ([`FeatureConfig`]): word uni/bigrams plus
//!    VADER-lexicon valence features (so words rare in the training data
//!    still carry what the lexicon knows), and character 2–5-grams within
//!    word boundaries;
//! 2. on each view, one-vs-rest L2-regularised squared-hinge linear SVMs,
//!    trained by dual coordinate descent with class-balanced costs;
//! 3. a *combiner*: a multinomial logistic regression over both views'
//!    class scores and the caller's optional dense *rule evidence* (VADER
//!    and CX sentiment, cue counts, touchpoint matches — see [`evidence`]),
//!    fitted on out-of-fold scores of the views (`stack_folds`-fold,
//!    stratified).
//!
//! The combiner ensembles the views, lets rule evidence correct them, and
//! calibrates: [`Prediction::confidence`] is a probability. It is fitted to
//! the training data's class mix, then its class priors are flattened part
//! of the way toward uniform ([`TrainConfig::prior_flattening`]), so a small
//! class is not predicted only when it is the single most probable one:
//! that trades a little accuracy for recall of small classes (macro-F1).
//! Everything is seeded ([`TrainConfig::seed`]):
//! the same data and configuration give the same model, byte for byte, when
//! [`Classifier::save`]d. Prediction allocates nothing with
//! [`Classifier::classify_with`] and is bound by memory latency (one cache
//! line per hashed feature).
//!
//! ```
//! use tce_text::classify::{Classifier, TrainConfig};
//! let texts = [
//!     "flight delayed again", "delayed 3 hours at the gate", "still waiting, so late",
//!     "lost my bag", "my bag never arrived", "where is my luggage?",
//! ];
//! let labels = ["delay", "delay", "delay", "baggage", "baggage", "baggage"];
//! let model = Classifier::train(&texts, &labels, None, &TrainConfig::default()).unwrap();
//! let p = model.predict("they lost my luggage", None).unwrap();
//! assert_eq!(p.label, "baggage");
//! assert!(p.confidence > 0.5);
//! ```

pub mod evidence;
mod features;
mod format;
mod linear;
mod meta;
mod rng;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use features::FeatureConfig;

use features::{Counter, FeatureScratch};
use linear::{Counts, SvmParams, TrainSet, View};
use meta::{softmax, Softmax};
use rng::SplitMix;

/// Why a classifier could not be trained, used or read.
#[derive(Debug, thiserror::Error)]
pub enum ClassifyError {
    /// No training examples.
    #[error("no training examples")]
    Empty,
    /// Texts and labels (or dense rows) differ in number.
    #[error("{what}: expected {expected} rows, found {found}")]
    LengthMismatch {
        /// What was miscounted.
        what: &'static str,
        /// Number of texts.
        expected: usize,
        /// Number found.
        found: usize,
    },
    /// Every example has the same label.
    #[error("all examples have the label {0:?}: a classifier needs at least two classes")]
    SingleClass(String),
    /// A dense feature row does not match the named dense features.
    #[error("dense features: expected {expected} values ({names}), found {found}{}", row.map(|r| format!(" in row {r}")).unwrap_or_default())]
    Dense {
        /// Number of named dense features.
        expected: usize,
        /// Values supplied.
        found: usize,
        /// Their names, comma-separated.
        names: String,
        /// The 0-based row, when training.
        row: Option<usize>,
    },
    /// A dense feature value is NaN or infinite.
    #[error("dense feature {name:?} of row {row} is not a finite number")]
    NotFinite {
        /// The feature's name.
        name: String,
        /// The 0-based row.
        row: usize,
    },
    /// A training setting is out of range.
    #[error("invalid training configuration: {0}")]
    Config(String),
    /// Reading or writing a model failed.
    #[error("model I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A model file is not a valid model.
    #[error("invalid model file: {0}")]
    Format(String),
}

/// How examples of different classes are weighed by the views' SVMs.
///
/// The combiner is always fitted unweighted, so its probabilities follow the
/// training class mix before [`TrainConfig::prior_flattening`] shifts them.
/// (On the airline tweets, balanced SVMs under an unweighted combiner beat
/// both a balanced combiner and per-class thresholds tuned for macro-F1, on
/// accuracy and macro-F1 alike.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    /// Every class weighs `n / (classes · n_class)`: small classes get
    /// margins as informative as large ones.
    #[default]
    Balanced,
    /// Every example weighs 1.
    None,
}

/// Training settings. The defaults are sane for short social-media texts
/// (hundreds to tens of thousands of examples).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Seed of every shuffle and fold assignment.
    pub seed: u64,
    /// Most passes of the SVM solver over the data.
    pub epochs: u32,
    /// SVM cost `C` (inverse regularisation strength) of both views.
    pub c: f32,
    /// Tokenising and hashing.
    pub features: FeatureConfig,
    /// Weigh features by inverse document frequency.
    pub idf: bool,
    /// Class weighting of the SVMs.
    pub class_weight: ClassWeight,
    /// Folds of the out-of-fold scores the combiner is fitted on (≥ 2).
    pub stack_folds: u32,
    /// L2 penalty of the combiner's weights toward the plain sum of the
    /// views' scores, in examples: the penalty on the mean log-loss is
    /// `combiner_l2 / n`, so the prior weighs as much as this many examples
    /// and fades as data grows.
    pub combiner_l2: f32,
    /// Names of the dense rule-evidence features, in the order of each row
    /// given to [`Classifier::train`] and [`Classifier::predict`]; empty
    /// when none are used.
    pub dense_names: Vec<String>,
    /// How far the predicted probabilities are moved from the training
    /// class mix toward uniform classes, 0…1 (prior correction): each class
    /// probability is divided by `prior^prior_flattening` and the result
    /// renormalised, i.e. the probabilities are those of a class mix
    /// proportional to `prior^(1 − prior_flattening)`. 0 keeps the training
    /// mix (the most accurate choice when new data has that mix); 1 treats
    /// every class as equally likely (the highest mean recall, at a cost in
    /// accuracy). The default, 0.25, gives up little accuracy for better
    /// recall of small classes, i.e. better macro-F1. It costs nothing at
    /// prediction: it is folded into the combiner's biases. Models saved
    /// before this setting existed read as 0.
    #[serde(default)]
    pub prior_flattening: f32,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            seed: 42,
            epochs: 50,
            c: 0.3,
            features: FeatureConfig::default(),
            idf: true,
            class_weight: ClassWeight::Balanced,
            stack_folds: 5,
            combiner_l2: 5.0,
            dense_names: Vec::new(),
            prior_flattening: 0.25,
        }
    }
}

/// The class of one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The predicted label.
    pub label: String,
    /// Its index in [`Classifier::labels`].
    pub index: usize,
    /// Probability of the label, 0…1: calibrated on the training data, for a
    /// class mix flattened by [`TrainConfig::prior_flattening`].
    pub confidence: f32,
    /// Probability of every class, in the order of [`Classifier::labels`].
    pub scores: Vec<f32>,
}

/// Reusable buffers for [`Classifier::predict_with`].
#[derive(Debug, Clone, Default)]
pub struct PredictScratch {
    features: FeatureScratch,
    inputs: Vec<f32>,
    logits: Vec<f32>,
}

/// Which part of the text a view reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ViewKind {
    Word,
    Char,
}

/// One named dense feature and its standardisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DenseFeature {
    name: String,
    mean: f32,
    scale: f32,
}

/// A trained text classifier. See the [module documentation](self).
#[derive(Debug, Clone, PartialEq)]
pub struct Classifier {
    labels: Vec<String>,
    features: FeatureConfig,
    dense: Vec<DenseFeature>,
    views: Vec<(ViewKind, View)>,
    combiner: Softmax,
    config: TrainConfig,
    examples: usize,
}

impl Classifier {
    /// Trains on `texts[i]` labelled `labels[i]`, with `dense[i]` the rule
    /// evidence of text `i` (one value per [`TrainConfig::dense_names`]).
    pub fn train(
        texts: &[&str],
        labels: &[&str],
        dense: Option<&[Vec<f32>]>,
        cfg: &TrainConfig,
    ) -> Result<Classifier, ClassifyError> {
        validate(texts, labels, dense, cfg)?;
        let class_names: Vec<String> = labels
            .iter()
            .map(|l| (*l).to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if class_names.len() < 2 {
            return Err(ClassifyError::SingleClass(
                class_names.into_iter().next().unwrap_or_default(),
            ));
        }
        let index: BTreeMap<&str, usize> = class_names
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i))
            .collect();
        let y: Vec<usize> = labels
            .iter()
            .map(|l| index.get(l).copied().unwrap_or(0))
            .collect();
        let k = class_names.len();
        let n = texts.len();

        // Features of every text, once.
        let kinds: Vec<ViewKind> = std::iter::once(ViewKind::Word)
            .chain(cfg.features.char_ngrams.map(|_| ViewKind::Char))
            .collect();
        let mut scratch = FeatureScratch::default();
        let mut counter = Counter::default();
        let mut counts: Vec<Vec<Counts>> = vec![Vec::with_capacity(n); kinds.len()];
        for text in texts {
            scratch.extract(text, &cfg.features);
            for (v, kind) in kinds.iter().enumerate() {
                let mut c = Counts::new();
                counter.count(scratch.ids(*kind), &mut c);
                counts[v].push(c);
            }
        }

        // Class-balanced costs for the SVMs. The combiner is fitted
        // unweighted so its probabilities match the training class mix
        // (before `prior_flattening`).
        let mut per_class = vec![0usize; k];
        for &c in &y {
            per_class[c] += 1;
        }
        let cost: Vec<f32> = y
            .iter()
            .map(|&c| match cfg.class_weight {
                ClassWeight::Balanced => n as f32 / (k * per_class[c]) as f32,
                ClassWeight::None => 1.0,
            })
            .collect();
        let params = SvmParams {
            c: cfg.c,
            epochs: cfg.epochs,
            tolerance: 0.1,
            idf: cfg.idf,
        };
        let data = |v: usize| TrainSet {
            counts: &counts[v],
            classes_of: &y,
            cost: &cost,
            classes: k,
            bits: cfg.features.hash_bits,
        };

        // Out-of-fold view scores: the combiner's training inputs.
        let dense_width = cfg.dense_names.len();
        let width = kinds.len() * k + dense_width;
        let mut z = vec![0.0f32; n * width];
        let folds = stratified_fold_ids(&y, cfg.stack_folds as usize, cfg.seed);
        for fold in 0..cfg.stack_folds as usize {
            let train_rows: Vec<usize> = (0..n).filter(|&i| folds[i] != fold).collect();
            let held_out: Vec<usize> = (0..n).filter(|&i| folds[i] == fold).collect();
            if held_out.is_empty() || train_rows.is_empty() {
                continue;
            }
            for (v, view_counts) in counts.iter().enumerate() {
                let seed = cfg.seed ^ ((fold as u64 + 1) << 32) ^ v as u64;
                let view = View::train(&data(v), &train_rows, params, seed);
                for &i in &held_out {
                    let at = i * width + v * k;
                    view.score_counts(&view_counts[i], &mut z[at..at + k]);
                }
            }
        }
        let all: Vec<usize> = (0..n).collect();
        let views: Vec<(ViewKind, View)> = kinds
            .iter()
            .enumerate()
            .map(|(v, &kind)| {
                (
                    kind,
                    View::train(&data(v), &all, params, cfg.seed ^ v as u64),
                )
            })
            .collect();

        // Standardised dense evidence.
        let mut dense_features = Vec::with_capacity(dense_width);
        if let Some(rows) = dense {
            for (j, name) in cfg.dense_names.iter().enumerate() {
                let mean = rows.iter().map(|r| f64::from(r[j])).sum::<f64>() / n as f64;
                let var = rows
                    .iter()
                    .map(|r| (f64::from(r[j]) - mean).powi(2))
                    .sum::<f64>()
                    / n as f64;
                let scale = if var > 1e-12 { 1.0 / var.sqrt() } else { 1.0 };
                dense_features.push(DenseFeature {
                    name: name.clone(),
                    mean: mean as f32,
                    scale: scale as f32,
                });
            }
            for (i, row) in rows.iter().enumerate() {
                let at = i * width + kinds.len() * k;
                for (j, f) in dense_features.iter().enumerate() {
                    z[at + j] = (row[j] - f.mean) * f.scale;
                }
            }
        }

        // The combiner's prior: each view's score for a class feeds that
        // class's logit with weight 1.
        let mut prior = vec![0.0f32; k * width];
        for class in 0..k {
            for v in 0..kinds.len() {
                prior[class * width + v * k + class] = 1.0;
            }
        }
        let lambda = f64::from(cfg.combiner_l2) / n as f64;
        let mut combiner = Softmax::fit(&z, width, &y, &vec![1.0; n], &prior, lambda);
        // Prior correction: p(c | x) / prior(c)^a, renormalised by the
        // softmax, is a shift of each class's logit by −a · ln prior(c).
        let alpha = f64::from(cfg.prior_flattening);
        if alpha > 0.0 {
            for (b, &m) in combiner.bias.iter_mut().zip(&per_class) {
                *b -= (alpha * (m as f64 / n as f64).ln()) as f32;
            }
        }
        Ok(Classifier {
            labels: class_names,
            features: cfg.features,
            dense: dense_features,
            views,
            combiner,
            config: cfg.clone(),
            examples: n,
        })
    }

    /// The class labels, sorted; [`Prediction::scores`] follow this order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Names of the dense features [`Classifier::predict`] expects, in order.
    pub fn dense_names(&self) -> impl Iterator<Item = &str> {
        self.dense.iter().map(|d| d.name.as_str())
    }

    /// How texts are turned into features.
    pub fn feature_config(&self) -> &FeatureConfig {
        &self.features
    }

    /// The settings the model was trained with.
    pub fn train_config(&self) -> &TrainConfig {
        &self.config
    }

    /// Number of training examples.
    pub fn examples(&self) -> usize {
        self.examples
    }

    /// Classifies one text; `dense` holds its rule evidence, one value per
    /// [`Classifier::dense_names`] (`None` when the model uses none).
    pub fn predict(&self, text: &str, dense: Option<&[f32]>) -> Result<Prediction, ClassifyError> {
        self.predict_with(text, dense, &mut PredictScratch::default())
    }

    /// [`Classifier::predict`] reusing `scratch` between calls (faster).
    pub fn predict_with(
        &self,
        text: &str,
        dense: Option<&[f32]>,
        scratch: &mut PredictScratch,
    ) -> Result<Prediction, ClassifyError> {
        let index = self.classify_with(text, dense, scratch)?;
        let scores = scratch.logits.clone();
        Ok(Prediction {
            label: self.labels.get(index).cloned().unwrap_or_default(),
            index,
            confidence: scores.get(index).copied().unwrap_or(0.0),
            scores,
        })
    }

    /// The index of the predicted class, without allocating; the class
    /// probabilities are then in [`PredictScratch::probabilities`].
    pub fn classify_with(
        &self,
        text: &str,
        dense: Option<&[f32]>,
        scratch: &mut PredictScratch,
    ) -> Result<usize, ClassifyError> {
        let dense = dense.unwrap_or(&[]);
        if dense.len() != self.dense.len() {
            return Err(ClassifyError::Dense {
                expected: self.dense.len(),
                found: dense.len(),
                names: self.dense_names().collect::<Vec<_>>().join(", "),
                row: None,
            });
        }
        let k = self.labels.len();
        scratch.features.extract(text, &self.features);
        scratch.inputs.clear();
        scratch
            .inputs
            .resize(self.views.len() * k + self.dense.len(), 0.0);
        for (v, (kind, view)) in self.views.iter().enumerate() {
            view.score(
                scratch.features.ids(*kind),
                &mut scratch.inputs[v * k..(v + 1) * k],
            );
        }
        let at = self.views.len() * k;
        for ((slot, f), &x) in scratch.inputs[at..].iter_mut().zip(&self.dense).zip(dense) {
            // A missing (non-finite) value counts as the training mean.
            *slot = if x.is_finite() {
                (x - f.mean) * f.scale
            } else {
                0.0
            };
        }
        scratch.logits.clear();
        scratch.logits.resize(k, 0.0);
        self.combiner.logits(&scratch.inputs, &mut scratch.logits);
        softmax(&mut scratch.logits);
        let mut best = 0;
        for (i, &p) in scratch.logits.iter().enumerate() {
            if p > scratch.logits[best] {
                best = i;
            }
        }
        Ok(best)
    }

    /// Writes the model (versioned binary with a JSON header; see
    /// [`Classifier::load`]).
    pub fn save(&self, w: &mut dyn std::io::Write) -> Result<(), ClassifyError> {
        format::save(self, w)
    }

    /// Reads a model written by [`Classifier::save`].
    pub fn load(r: &mut dyn std::io::Read) -> Result<Classifier, ClassifyError> {
        format::load(r)
    }
}

impl PredictScratch {
    /// Class probabilities of the last [`Classifier::classify_with`].
    pub fn probabilities(&self) -> &[f32] {
        &self.logits
    }
}

fn validate(
    texts: &[&str],
    labels: &[&str],
    dense: Option<&[Vec<f32>]>,
    cfg: &TrainConfig,
) -> Result<(), ClassifyError> {
    if texts.is_empty() {
        return Err(ClassifyError::Empty);
    }
    if labels.len() != texts.len() {
        return Err(ClassifyError::LengthMismatch {
            what: "labels",
            expected: texts.len(),
            found: labels.len(),
        });
    }
    let names = || cfg.dense_names.join(", ");
    match dense {
        None if !cfg.dense_names.is_empty() => {
            return Err(ClassifyError::Dense {
                expected: cfg.dense_names.len(),
                found: 0,
                names: names(),
                row: Some(0),
            })
        }
        None => {}
        Some(rows) => {
            if rows.len() != texts.len() {
                return Err(ClassifyError::LengthMismatch {
                    what: "dense feature rows",
                    expected: texts.len(),
                    found: rows.len(),
                });
            }
            for (i, row) in rows.iter().enumerate() {
                if row.len() != cfg.dense_names.len() {
                    return Err(ClassifyError::Dense {
                        expected: cfg.dense_names.len(),
                        found: row.len(),
                        names: names(),
                        row: Some(i),
                    });
                }
                if let Some(j) = row.iter().position(|x| !x.is_finite()) {
                    return Err(ClassifyError::NotFinite {
                        name: cfg.dense_names[j].clone(),
                        row: i,
                    });
                }
            }
        }
    }
    let f = &cfg.features;
    let problem = if !(10..=24).contains(&f.hash_bits) {
        Some(format!("hash_bits {} is not in 10..=24", f.hash_bits))
    } else if !(1..=3).contains(&f.word_ngrams) {
        Some(format!("word_ngrams {} is not in 1..=3", f.word_ngrams))
    } else if f
        .char_ngrams
        .is_some_and(|(lo, hi)| lo == 0 || hi < lo || hi > 8)
    {
        Some(format!(
            "char_ngrams {:?} is not a range within 1..=8",
            f.char_ngrams
        ))
    } else if !(cfg.c.is_finite() && cfg.c > 0.0) {
        Some(format!("c {} is not a positive number", cfg.c))
    } else if !(cfg.combiner_l2.is_finite() && cfg.combiner_l2 >= 0.0) {
        Some(format!(
            "combiner_l2 {} is not a number ≥ 0",
            cfg.combiner_l2
        ))
    } else if !(0.0..=1.0).contains(&cfg.prior_flattening) {
        Some(format!(
            "prior_flattening {} is not a number in 0..=1",
            cfg.prior_flattening
        ))
    } else if cfg.epochs == 0 {
        Some("epochs is 0".to_string())
    } else if cfg.stack_folds < 2 {
        Some(format!("stack_folds {} is below 2", cfg.stack_folds))
    } else {
        None
    };
    problem.map_or(Ok(()), |p| Err(ClassifyError::Config(p)))
}

/// Assigns each example a fold in `0..folds`, stratified by label: each
/// label's examples are shuffled (seeded) and dealt round-robin, continuing
/// where the previous label stopped so fold sizes differ by at most one.
pub fn stratified_folds<S: AsRef<str>>(labels: &[S], folds: usize, seed: u64) -> Vec<usize> {
    let index: BTreeMap<&str, usize> = labels
        .iter()
        .map(|l| l.as_ref())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .enumerate()
        .map(|(i, l)| (l, i))
        .collect();
    let y: Vec<usize> = labels
        .iter()
        .map(|l| index.get(l.as_ref()).copied().unwrap_or(0))
        .collect();
    stratified_fold_ids(&y, folds, seed)
}

fn stratified_fold_ids(y: &[usize], folds: usize, seed: u64) -> Vec<usize> {
    let folds = folds.max(1);
    let classes = y.iter().copied().max().map_or(0, |m| m + 1);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); classes];
    for (i, &c) in y.iter().enumerate() {
        by_class[c].push(i);
    }
    let mut rng = SplitMix::new(seed ^ 0x5eed_f01d);
    let mut out = vec![0; y.len()];
    let mut next = 0;
    for members in &mut by_class {
        rng.shuffle(members);
        for &i in members.iter() {
            out[i] = next;
            next = (next + 1) % folds;
        }
    }
    out
}
