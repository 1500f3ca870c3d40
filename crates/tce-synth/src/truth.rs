//! The planted ground truth of a generated world, serialised as `truth.json`.
//!
//! Every number an analysis should recover is here, next to the counts of what
//! was written, so tests and benchmarks can score the product against it.
//! `care` lists every planted brand reply with its first-response time, the
//! complaints left unanswered, customers' follow-ups and churn threats, so
//! care metrics (first-response p50/p90, SLA attainment, backlog) can be
//! computed from the truth and compared with the product's.

use chrono::{DateTime, NaiveDate, Utc};
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
    /// The own brand's care conversations: its replies to customers'
    /// complaints and questions (with the first-response time of each),
    /// complaints left unanswered, customers' follow-ups and churn threats.
    /// Absent from truth files written before it existed (then empty).
    #[serde(default)]
    pub care: CareTruth,
    /// What was planted for advocacy and ideas (empty unless asked for).
    #[serde(default)]
    pub advocacy: AdvocacyTruth,
}

/// Planted for advocacy and ideas (issue 13).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdvocacyTruth {
    /// How it was planted, in words.
    pub rule: String,
    /// Each brand's planted quality as its customers meet it: the mean
    /// latent experience (−1…1) of its posts and care follow-ups on social
    /// channels
    /// (a thank-you +0.5, any other −0.5). Net advocacy should
    /// order brands as this does.
    pub brand_quality: BTreeMap<String, f64>,
    /// Planted net advocacy per brand, in points: among (author, month)
    /// pairs with at least two signals on social channels, the share with
    /// more positive than negative planted labels minus the share with more
    /// negative than positive (the product's rule, on the planted labels).
    pub net_advocacy: BTreeMap<String, f64>,
    /// Planted advocates per brand (handles; also in `Truth::advocates`).
    pub advocates: BTreeMap<String, Vec<String>>,
    /// Planted idea themes with the suggestions written for each.
    pub ideas: Vec<IdeaTheme>,
    /// Reviews and survey answers at the top of their scale (own brands).
    pub top_ratings: Vec<CareSignal>,
}

/// One planted idea theme of one brand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdeaTheme {
    /// Brand id.
    pub brand: String,
    /// Theme id (the same theme may be planted for several brands).
    pub theme: String,
    /// What is asked for, in words.
    pub label: String,
    /// The suggestions written, in the order written.
    pub signals: Vec<CareSignal>,
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
    /// Suggestions of planted idea themes (`advocacy.ideas`).
    #[serde(default)]
    pub idea_signals: u64,
    /// Replies from an own brand's handle to a customer (also in `replies`
    /// and `posts`; listed in `care.replies`).
    #[serde(default)]
    pub brand_replies: u64,
    /// Customers' follow-ups in a care conversation (listed in `care.follow_ups`).
    #[serde(default)]
    pub follow_ups: u64,
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

/// The own brand's planted care conversations.
///
/// A **care-able complaint or question** is an own-brand customer post
/// (not a reply in someone else's thread, not an advocate's) on a channel
/// that is care-able in the model and carries posts that can be answered
/// in place (micro-blogs, social networks, LinkedIn, video comments,
/// forums), when it is labelled negative or asks something, names the
/// brand (or carries the brand field), and the brand has a handle. Each such post is planted `within`, `late` or `never`
/// (shares from `SynthConfig::care`). An answered post gets exactly one
/// brand reply — its first response: a post by the brand's care handle
/// (the first handle containing "support", else "help", else "care", else
/// the brand's first handle) on the same channel with `in_reply_to` = the
/// customer post's `id`. A planted answer that would fall after the last
/// day of the world is not written and the post counts as `never`.
///
/// Every customer in such a conversation writes nothing else, so the
/// conversation is the whole thread a care tool builds from the same-author
/// rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CareTruth {
    /// How replies were planted, in words.
    pub rule: String,
    /// The handle each own brand replies from (brand id → handle as written
    /// in the `author` field, with its `@`).
    pub handles: BTreeMap<String, String>,
    /// Shortest planted delay of a `within` reply, in seconds.
    pub within_min_secs: i64,
    /// Longest planted delay of a `within` reply, in seconds.
    pub within_max_secs: i64,
    /// Shortest planted delay of a `late` reply, in seconds.
    pub late_min_secs: i64,
    /// Longest planted delay of a `late` reply, in seconds.
    pub late_max_secs: i64,
    /// Every brand reply written, in the order written (by reply time).
    pub replies: Vec<CareReply>,
    /// Care-able complaints and questions that got no reply.
    pub never: Vec<CareSignal>,
    /// Customers' follow-ups, in the order written.
    pub follow_ups: Vec<CareFollowUp>,
    /// Own-brand customer signals on care-able channels that threaten to
    /// leave (in complaints and in follow-ups), in the order written.
    pub churn_threats: Vec<CareSignal>,
    /// How many of each.
    pub counts: CareCounts,
}

/// A signal by channel and id (ids are unique per channel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareSignal {
    /// Channel id.
    pub channel: String,
    /// The signal's `id`.
    pub id: String,
}

/// Whether a brand reply came within the response band or late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyCategory {
    /// Within `within_min_secs`…`within_max_secs` of the customer's post.
    Within,
    /// Within `late_min_secs`…`late_max_secs` of the customer's post.
    Late,
}

/// One planted brand reply: the first (and only) response to a customer's post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareReply {
    /// Channel of both messages.
    pub channel: String,
    /// The customer's post `id` (the reply's `in_reply_to`).
    pub customer_id: String,
    /// The customer's `author`.
    pub customer_author: String,
    /// The own brand's id.
    pub brand: String,
    /// The reply's `id`.
    pub reply_id: String,
    /// The reply's `author` (the brand's care handle).
    pub reply_author: String,
    /// The customer's post `created_at`.
    pub customer_created_at: DateTime<Utc>,
    /// The reply's `created_at`.
    pub reply_created_at: DateTime<Utc>,
    /// `reply_created_at − customer_created_at`, wall-clock seconds.
    pub first_response_secs: i64,
    /// Within the response band or late.
    pub category: ReplyCategory,
}

/// What a customer's follow-up says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    /// Thanks the brand after its reply (positive).
    Thanks,
    /// Still unhappy after the brand's reply (negative).
    Unhappy,
    /// Threatens to leave after the brand's reply (negative, churn threat).
    Churn,
    /// Chases an answer that has not come (negative).
    StillWaiting,
    /// Has no answer and threatens to leave (negative, churn threat).
    StillWaitingChurn,
}

/// How a follow-up belongs to its conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Joins {
    /// It replies (`in_reply_to`) to the brand's reply.
    ReplyTo,
    /// A plain post by the same author on the same channel, a few hours
    /// after the customer's post.
    SameAuthor,
}

/// One planted follow-up by the customer of a care conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareFollowUp {
    /// Channel of the conversation.
    pub channel: String,
    /// The follow-up's `id`.
    pub id: String,
    /// The customer's post that started the conversation.
    pub customer_id: String,
    /// The customer's `author` (the same on both).
    pub author: String,
    /// The follow-up's `created_at`.
    pub created_at: DateTime<Utc>,
    /// What it says.
    pub kind: FollowUpKind,
    /// How it joins the conversation.
    pub joins: Joins,
    /// Its `in_reply_to` (the brand reply's id) when `joins` is `reply_to`.
    pub in_reply_to: Option<String>,
}

/// Counts of the care conversations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CareCounts {
    /// Care-able complaints and questions (= within + late + never).
    pub conversations: u64,
    /// Answered within the response band.
    pub within: u64,
    /// Answered late.
    pub late: u64,
    /// Never answered.
    pub never: u64,
    /// Brand replies written (= within + late).
    pub replies: u64,
    /// Customers' follow-ups written.
    pub follow_ups: u64,
    /// Churn threats listed.
    pub churn_threats: u64,
}
