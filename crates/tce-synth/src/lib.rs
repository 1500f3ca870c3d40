//! A deterministic generator of a realistic multi-brand customer-experience
//! world for any TCE model, with its ground truth.
//!
//! [`generate`] writes signals (JSONL in our schema), planted labels (CSV) and
//! weekly business outcomes (CSV) and returns the [`Truth`] it planted:
//! touchpoint quality per brand, key-driver stage weights, the elasticity of
//! revenue to CSAT, incidents and advocates. The same seed gives
//! byte-identical output.
//!
//! The generator knows no industry: stages, touchpoints (with their phrases),
//! channels and brands all come from the model; the wording banks are
//! domain-neutral. It does no I/O beyond the writers it is given.
//!
//! # What is written
//!
//! - **signals** (JSONL, our ingest schema, sorted by time within each day):
//!   `id`, `channel`, `text` (40–280 characters), `created_at` (RFC 3339 UTC),
//!   `author`, `lang`; `brand` only where the source knows it (surveys,
//!   reviews, agent notes, web forms, a few posts on brand pages), so most
//!   social posts leave brand detection to the text; `author_followers` on
//!   public posts; `rating` + `rating_scale` on reviews (`stars5`) and surveys
//!   (`csat5`, with `stage_ratings` for every stage); `in_reply_to` on
//!   replies; `url` where the channel has one.
//! - **labels** (CSV `id,text,sentiment,touchpoint,brand`): the planted label
//!   of every signal (sentiment from the latent experience with a neutral band,
//!   the main touchpoint or empty, the brand even when the record omits it).
//! - **outcomes** (CSV `period,brand,revenue,customers,return_visits`): one row
//!   per brand and complete week (period = Monday), driven by the realised
//!   weekly survey CSAT with the planted elasticity.
//!
//! # What is planted
//!
//! Brand volume shares; touchpoint quality per brand (spread ≥ 0.8, distinct,
//! each brand with its own strengths) and slow brand drifts; key-driver stage
//! weights recoverable from the surveys; 3–5 incidents (spikes of complaints on
//! one brand × touchpoint); ~20 advocates; the revenue, customer and return
//! elasticities to weekly CSAT. All of it is in [`Truth`].
#![deny(missing_docs)]

mod compose;
mod gen;
mod phrases;
mod plan;
mod survey;
mod truth;
mod vocab;

use chrono::NaiveDate;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use tce_model::Model;

pub use truth::{Advocate, Counts, Elasticity, Incident, LabelRule, SurveyTruth, Truth};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthConfig {
    /// Number of signals to write (exactly).
    pub signals: u64,
    /// Seed of the world; the same seed gives byte-identical output.
    pub seed: u64,
    /// Number of days covered.
    pub days: u32,
    /// First day.
    pub start: NaiveDate,
}

/// 2026-03-01, the default first day.
const DEFAULT_START: NaiveDate = match NaiveDate::from_ymd_opt(2026, 3, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            signals: 200_000,
            seed: 42,
            days: 180,
            start: DEFAULT_START,
        }
    }
}

/// Why a world could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// The model lacks something every world needs (brands, channels, stages).
    #[error("cannot generate from this model: {0}")]
    Model(String),
    /// The configuration is unusable.
    #[error("invalid generator configuration: {0}")]
    Config(String),
    /// Writing an output failed.
    #[error("writing generated data: {0}")]
    Io(#[from] std::io::Error),
    /// Writing a CSV output failed.
    #[error("writing generated CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Serialising a signal failed.
    #[error("serialising a generated signal: {0}")]
    Json(#[from] serde_json::Error),
}

/// Generates a world for `model`: signals as JSONL to `signals`, planted labels
/// (`id,text,sentiment,touchpoint,brand`) to `labels`, weekly outcomes
/// (`period,brand,revenue,customers,return_visits`) to `outcomes`; returns the
/// planted truth.
pub fn generate(
    model: &Model,
    cfg: &SynthConfig,
    signals: &mut dyn Write,
    labels: &mut dyn Write,
    outcomes: &mut dyn Write,
) -> Result<Truth, SynthError> {
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let world = plan::World::plan(model, cfg, &mut rng)?;
    gen::Generator::new(model, cfg, world, rng)?.run(signals, labels, outcomes)
}
