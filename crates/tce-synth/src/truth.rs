//! The planted ground truth of a generated world, serialised as `truth.json`.
//!
//! Every number an analysis should recover is here, next to the counts of what
//! was written, so tests and benchmarks can score the product against it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything planted in a generated world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// Generator name and version.
    pub generator: String,
    /// The seed the world was generated from.
    pub seed: u64,
    /// The model's template, if it came from one.
    pub template: Option<String>,
    /// First day of the world.
    pub start: NaiveDate,
    /// Last day of the world (inclusive).
    pub end: NaiveDate,
    /// Number of days.
    pub days: u32,
    /// What was written.
    pub counts: Counts,
    /// Share of public posts about each brand (brand id → share; sums to 1).
    pub brand_shares: BTreeMap<String, f64>,
    /// Planted key-driver weight of each stage (stage id → weight; sums to 1).
    pub stage_weights: BTreeMap<String, f64>,
    /// Planted experience quality, −1…1, brand id → touchpoint id → quality.
    pub touchpoint_quality: BTreeMap<String, BTreeMap<String, f64>>,
    /// Importance-weighted mean quality of each stage's touchpoints, brand → stage → quality.
    pub stage_quality: BTreeMap<String, BTreeMap<String, f64>>,
    /// How labels were derived from the latent experience.
    pub labels: LabelRule,
    /// How survey responses were generated.
    pub survey: SurveyTruth,
    /// The planted link from weekly CSAT to business outcomes.
    pub elasticity: Elasticity,
    /// Realised weekly CSAT (0–100) from the generated surveys: brand → Monday → CSAT.
    pub weekly_csat: BTreeMap<String, BTreeMap<NaiveDate, f64>>,
    /// Planted spikes of complaints.
    pub incidents: Vec<Incident>,
    /// Authors who post repeatedly and positively about one brand.
    pub advocates: Vec<Advocate>,
}

/// Counts of the generated signals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// All signals written (equals the requested number).
    pub signals: u64,
    /// By planted brand (including records that omit the brand field).
    pub by_brand: BTreeMap<String, u64>,
    /// By channel.
    pub by_channel: BTreeMap<String, u64>,
    /// By planted sentiment label.
    pub by_sentiment: BTreeMap<String, u64>,
    /// By planted main touchpoint (signals that name none are not counted here).
    pub by_touchpoint: BTreeMap<String, u64>,
    /// Survey responses.
    pub surveys: u64,
    /// Public reviews with star ratings.
    pub reviews: u64,
    /// Agent notes (contact centre, e-mail, chat, desks).
    pub agent_notes: u64,
    /// Public posts (social networks, forums, blogs).
    pub posts: u64,
    /// Records that carry the brand field.
    pub with_brand_field: u64,
    /// Signals that name no touchpoint (general brand chatter).
    pub without_touchpoint: u64,
    /// Signals that name two touchpoints.
    pub two_touchpoints: u64,
    /// Replies in a thread (with `in_reply_to`).
    pub replies: u64,
    /// Extra signals of planted incidents.
    pub incident_signals: u64,
    /// Posts by planted advocates.
    pub advocate_signals: u64,
}

/// How planted labels relate to the latent experience.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelRule {
    /// Latent experiences within ±this are labelled neutral.
    pub neutral_band: f64,
    /// In words.
    pub rule: String,
}

/// How survey responses were generated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyTruth {
    /// The channel surveys were written to.
    pub channel: Option<String>,
    /// Rating scale of overall and stage ratings.
    pub scale: String,
    /// The generating equation.
    pub model: String,
    /// Overall rating at average stage ratings.
    pub intercept: f64,
    /// Spread of the overall rating explained by the stages.
    pub k: f64,
    /// Spread of the overall rating not explained by the stages.
    pub noise_sd: f64,
    /// Population mean of each stage rating used to standardise it.
    pub stage_mean: BTreeMap<String, f64>,
    /// Population standard deviation of each stage rating used to standardise it.
    pub stage_sd: BTreeMap<String, f64>,
}

/// The planted elasticity of business outcomes to weekly CSAT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Elasticity {
    /// β: change in ln(revenue) per CSAT point.
    pub revenue_per_csat_point: f64,
    /// Change in ln(customers) per CSAT point.
    pub customers_per_csat_point: f64,
    /// Change in ln(return visits) per CSAT point.
    pub return_visits_per_csat_point: f64,
    /// What CSAT is.
    pub driver: String,
    /// The planted equation.
    pub model: String,
    /// Amplitude of the weekly seasonality common to all brands.
    pub seasonality_amplitude: f64,
    /// Standard deviation of the log-normal noise on revenue.
    pub revenue_noise_sd: f64,
}

/// A planted spike of complaints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Brand id.
    pub brand: String,
    /// Touchpoint id.
    pub touchpoint: String,
    /// The touchpoint's stage id.
    pub stage: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
    /// Planted volume of extra complaints relative to the usual daily volume on the touchpoint.
    pub multiplier: f64,
    /// Usual daily number of posts about this brand and touchpoint.
    pub baseline_per_day: f64,
    /// Extra signals written.
    pub extra_signals: u64,
}

/// A planted advocate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advocate {
    /// Author handle.
    pub author: String,
    /// Brand id they advocate.
    pub brand: String,
    /// Posts written.
    pub posts: u64,
    /// Followers.
    pub followers: u64,
}
