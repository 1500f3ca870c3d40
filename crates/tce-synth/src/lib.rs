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
//!   replies; `url` where the channel has one. Brand replies (see below) are
//!   written by the brand's handle as `author` (`"@SkyWaySupport"`), carry
//!   the `brand` field and the brand's `author_followers`, and `in_reply_to`
//!   the customer's post.
//! - **labels** (CSV `id,text,sentiment,touchpoint,brand`): the planted label
//!   of every signal (sentiment from the latent experience with a neutral band,
//!   the main touchpoint or empty, the brand even when the record omits it).
//!   Brand replies have a row too (neutral, no touchpoint, the own brand):
//!   they are the brand speaking, not customer evidence, and `Truth::care`
//!   lists their ids so scorers can leave them out.
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
//!
//! **The own brand's care side** ([`CareConfig`], [`CareTruth`]): every
//! own-brand customer post that complains (labelled negative) or asks
//! something, names the brand (or carries the brand field), and is written
//! where the brand answers in place — a care-able channel (`care` in the
//! model) of micro-blog, social-network, LinkedIn, video or forum kind; not
//! reviews, surveys, blogs, web forms or agent notes — starts a care
//! conversation, unless it is itself a reply in someone else's thread or an
//! advocate's. Its author writes nothing else (a customer of their own, so
//! the conversation is exactly the thread a care tool builds). It is
//! planted (default shares) **within** (55 %: one reply 2 min – 1 h later, log-uniform),
//! **late** (25 %: 8 h – 4 days later) or **never** (the rest, and any
//! answer that would fall after the last day). The reply is one post by the
//! brand's care handle (the first handle containing "support", else "help",
//! else "care", else its first) on the same channel, `in_reply_to` the
//! customer's post, in a polite brand voice ("Sorry to hear that. Please DM
//! us …", several phrasings); there is at most one reply per post, so it is
//! the post's first response. In 35 % of conversations the customer writes
//! again: after a reply, in reply to it (a thank-you, still unhappy, or a
//! churn threat naming a competitor); before a late answer or with none, a
//! plain post on the same channel 1–8 h after the first ("still waiting for
//! an answer", or a churn threat). Competitors never get replies. Churn
//! threats in own-brand customer signals on care-able channels (in
//! complaints and follow-ups) are listed too. Replies and follow-ups are
//! part of the requested number of signals: each takes the slot of an
//! everyday signal, so the total stays exact, and they are written in time
//! order with the rest.
#![deny(missing_docs)]

mod compose;
mod gen;
mod ideas;
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

pub use truth::{
    AdvocacyTruth, Advocate, CareCounts, CareFollowUp, CareReply, CareSignal, CareTruth, Counts,
    Elasticity, FollowUpKind, IdeaTheme, Incident, Joins, LabelRule, ReplyCategory, SurveyTruth,
    Truth,
};

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
    /// How the own brand's care team answers (brand replies, follow-ups).
    pub care: CareConfig,
    /// Advocates per brand and idea themes (issue 13); off by default so
    /// worlds generated before it stay byte-identical.
    pub advocacy: AdvocacyConfig,
}

/// What is planted for advocacy and ideas: advocates per brand (more for
/// brands of better planted quality) and idea themes (several phrasings
/// per theme, per brand). Listed in `Truth::advocacy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvocacyConfig {
    /// Plant them at all.
    pub enabled: bool,
    /// Advocates of a brand of average quality (better brands get more,
    /// worse ones fewer).
    pub advocates_per_brand: u32,
    /// Idea themes per brand.
    pub themes_per_brand: u32,
    /// Suggestions per theme and brand, per 10,000 signals.
    pub suggestions_per_10k: u32,
}

impl Default for AdvocacyConfig {
    fn default() -> Self {
        AdvocacyConfig {
            enabled: false,
            advocates_per_brand: 12,
            themes_per_brand: 4,
            suggestions_per_10k: 12,
        }
    }
}

impl AdvocacyConfig {
    /// Planted, with the default numbers.
    pub fn on() -> AdvocacyConfig {
        AdvocacyConfig {
            enabled: true,
            ..AdvocacyConfig::default()
        }
    }
}

/// How the own brand answers customers' complaints and questions on social
/// channels in the generated world (see "What is planted").
///
/// Shares are whole percentages, so the configuration stays `Eq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareConfig {
    /// Percent of care-able complaints and questions answered within the
    /// response band (2 minutes to `within_max_minutes`).
    pub within_percent: u8,
    /// Percent answered late (`late_min_hours` to `late_max_hours`); the
    /// rest (100 − within − late) never get an answer.
    pub late_percent: u8,
    /// Percent of those conversations in which the customer writes again
    /// (a thank-you or complaint in reply to the brand, or a chaser while
    /// no answer has come).
    pub follow_up_percent: u8,
    /// Longest delay of an answer within the response band, in minutes (≥ 2).
    pub within_max_minutes: u32,
    /// Shortest delay of a late answer, in hours (≥ 1, and at least
    /// `within_max_minutes`).
    pub late_min_hours: u32,
    /// Longest delay of a late answer, in hours (≥ `late_min_hours`).
    pub late_max_hours: u32,
}

impl Default for CareConfig {
    fn default() -> Self {
        CareConfig {
            within_percent: 55,
            late_percent: 25,
            follow_up_percent: 35,
            within_max_minutes: 60,
            late_min_hours: 8,
            late_max_hours: 96,
        }
    }
}

impl CareConfig {
    /// Checks that the shares and delay bands make sense.
    fn validate(&self) -> Result<(), SynthError> {
        let bad = |m: String| Err(SynthError::Config(m));
        if u32::from(self.within_percent) + u32::from(self.late_percent) > 100 {
            return bad(format!(
                "care: within_percent ({}) + late_percent ({}) exceed 100",
                self.within_percent, self.late_percent
            ));
        }
        if self.follow_up_percent > 100 {
            return bad(format!(
                "care: follow_up_percent ({}) exceeds 100",
                self.follow_up_percent
            ));
        }
        if self.within_max_minutes < 2 {
            return bad("care: within_max_minutes must be at least 2".into());
        }
        if self.late_min_hours == 0
            || u64::from(self.late_min_hours) * 60 < u64::from(self.within_max_minutes)
        {
            return bad(format!(
                "care: late_min_hours ({}) must be at least 1 and cover within_max_minutes ({})",
                self.late_min_hours, self.within_max_minutes
            ));
        }
        if self.late_max_hours < self.late_min_hours {
            return bad(format!(
                "care: late_max_hours ({}) is below late_min_hours ({})",
                self.late_max_hours, self.late_min_hours
            ));
        }
        Ok(())
    }
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
            care: CareConfig::default(),
            advocacy: AdvocacyConfig::default(),
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
    cfg.care.validate()?;
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let world = plan::World::plan(model, cfg, &mut rng)?;
    gen::Generator::new(model, cfg, world, rng)?.run(signals, labels, outcomes)
}
