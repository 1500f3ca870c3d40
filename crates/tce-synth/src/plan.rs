//! The planted world: who posts about which brand where, how good each brand is
//! at each touchpoint, how that drifts, when incidents strike, who the
//! advocates are, and how many signals of each kind fall on each day.
//!
//! Everything here is drawn from the seeded generator before any signal is
//! written, so the truth is fixed before the evidence is.

use crate::phrases::{is_noun_phrase, is_plural, is_problem_phrase, is_state_phrase, PhraseSet};
use crate::{SynthConfig, SynthError};
use chrono::{Datelike, NaiveDate, Weekday};
use rand::distributions::WeightedIndex;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use tce_model::{Channel, Model};

/// Share of all signals that are survey responses.
const SURVEY_SHARE: f64 = 0.10;
/// Posts that name no touchpoint (general brand chatter).
pub(crate) const GENERAL_SHARE: f64 = 0.12;
/// Posts that name two touchpoints.
pub(crate) const TWO_TOUCHPOINT_SHARE: f64 = 0.12;
/// At most this share of all signals are incident spikes.
const MAX_INCIDENT_SHARE: f64 = 0.04;
/// At most this share of all signals are advocate posts.
const MAX_ADVOCATE_SHARE: f64 = 0.02;
/// How far an incident pulls the touchpoint's experience down, in quality units.
pub(crate) const INCIDENT_DIP: f64 = 0.6;
/// How far an incident pulls the brand's stage ratings down, in quality units.
pub(crate) const INCIDENT_STAGE_DIP: f64 = 0.3;

/// What sort of source a channel is; decides the wording and the fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Short public posts (X/Twitter and the like).
    Micro,
    /// Facebook, Instagram and other social networks.
    Social,
    /// LinkedIn: professional tone.
    Professional,
    /// Video comments.
    Video,
    /// Reddit, forums, communities.
    Forum,
    /// Blogs.
    Blog,
    /// Public reviews with stars (TripAdvisor, app stores).
    Review,
    /// Survey responses with overall and stage ratings.
    Survey,
    /// Contact-centre notes written by agents.
    Call,
    /// E-mail case summaries.
    Email,
    /// Live-chat summaries.
    Chat,
    /// Notes from desks, shops, branches.
    Store,
    /// Web forms and portal tickets written by customers (own brand's systems).
    WebForm,
    /// Formal complaints to a regulator or ombudsman (any brand, mostly negative).
    Complaint,
}

impl Kind {
    /// Infers the kind from the channel's id and name.
    pub(crate) fn of(channel: &Channel) -> Kind {
        let id = channel.id.to_ascii_lowercase();
        let name = channel.name.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| id.contains(w) || name.contains(w));
        if id == "x" || has(&["twitter", "threads", "mastodon", "bluesky", "weibo"]) {
            Kind::Micro
        } else if has(&["linkedin", "xing"]) {
            Kind::Professional
        } else if has(&["youtube", "video", "tiktok", "vimeo"]) {
            Kind::Video
        } else if has(&["regulator", "ombudsman", "complaints board"]) {
            Kind::Complaint
        } else if has(&[
            "reddit",
            "forum",
            "community",
            "quora",
            "hacker",
            "discourse",
            "stack",
        ]) {
            Kind::Forum
        } else if has(&["blog"]) {
            Kind::Blog
        } else if has(&["survey", "nps", "questionnaire", "panel"]) {
            Kind::Survey
        } else if has(&[
            "review",
            "tripadvisor",
            "trustpilot",
            "yelp",
            "app_store",
            "app store",
            "play store",
            "g2",
            "gartner",
        ]) {
            Kind::Review
        } else if has(&["facebook", "instagram", "social"]) {
            Kind::Social
        } else if has(&[
            "call",
            "phone",
            "contact_center",
            "contact centre",
            "hotline",
        ]) {
            Kind::Call
        } else if has(&["mail"]) {
            Kind::Email
        } else if has(&["chat", "messenger", "whatsapp"]) {
            Kind::Chat
        } else if has(&[
            "store", "shop", "desk", "branch", "retail", "office", "counter", "visit",
        ]) {
            Kind::Store
        } else if channel.social {
            Kind::Social
        } else {
            Kind::WebForm
        }
    }

    /// Notes written by the brand's own agents (own brand only, brand field set).
    pub(crate) fn is_agent(self) -> bool {
        matches!(self, Kind::Call | Kind::Email | Kind::Chat | Kind::Store)
    }

    /// Index into the agent prefix bank.
    pub(crate) fn agent_index(self) -> usize {
        match self {
            Kind::Call => 0,
            Kind::Email => 1,
            Kind::Chat => 2,
            _ => 3,
        }
    }

    /// Records from the brand's own systems: only the own brand has them.
    pub(crate) fn is_own_system(self) -> bool {
        self.is_agent() || self == Kind::WebForm
    }

    /// Public posts where customers write freely (brand often only in the text).
    pub(crate) fn is_post(self) -> bool {
        matches!(
            self,
            Kind::Micro
                | Kind::Social
                | Kind::Professional
                | Kind::Video
                | Kind::Forum
                | Kind::Blog
        )
    }
}

/// How posts on a channel tend to look.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// Probability of emoji.
    pub emoji: f64,
    /// Probability of hashtags.
    pub hashtag: f64,
    /// Probability of an all-lower-case post.
    pub lower: f64,
    /// Probability of a typo.
    pub typo: f64,
    /// Probability of a link in the text.
    pub link: f64,
    /// Probability that the brand is named by its @handle rather than its name.
    pub handle: f64,
    /// Probability that the record carries the brand field.
    pub brand_field: f64,
    /// Probability of an extra sentence.
    pub extra: f64,
    /// Probability of being a reply in a thread.
    pub reply: f64,
}

impl Style {
    fn of(kind: Kind, id: &str) -> Style {
        let base = Style {
            emoji: 0.0,
            hashtag: 0.0,
            lower: 0.0,
            typo: 0.0,
            link: 0.0,
            handle: 0.0,
            brand_field: 1.0,
            extra: 0.4,
            reply: 0.0,
        };
        match kind {
            Kind::Micro => Style {
                emoji: 0.35,
                hashtag: 0.3,
                lower: 0.25,
                typo: 0.06,
                link: 0.06,
                handle: 0.7,
                brand_field: 0.04,
                extra: 0.45,
                reply: 0.06,
            },
            Kind::Social if id.contains("insta") => Style {
                emoji: 0.7,
                hashtag: 0.6,
                lower: 0.2,
                typo: 0.04,
                link: 0.02,
                handle: 0.6,
                brand_field: 0.05,
                extra: 0.4,
                reply: 0.03,
            },
            Kind::Social | Kind::Video => Style {
                emoji: 0.3,
                hashtag: 0.12,
                lower: 0.15,
                typo: 0.05,
                link: 0.04,
                handle: 0.35,
                brand_field: 0.08,
                extra: 0.6,
                reply: 0.05,
            },
            Kind::Professional => Style {
                emoji: 0.08,
                hashtag: 0.3,
                handle: 0.4,
                brand_field: 0.05,
                extra: 0.6,
                link: 0.05,
                typo: 0.01,
                ..base
            },
            Kind::Forum => Style {
                emoji: 0.05,
                lower: 0.35,
                typo: 0.05,
                link: 0.05,
                brand_field: 0.03,
                extra: 0.75,
                reply: 0.08,
                ..base
            },
            Kind::Blog => Style {
                emoji: 0.03,
                link: 0.15,
                brand_field: 0.03,
                extra: 0.85,
                typo: 0.01,
                ..base
            },
            Kind::Review => Style {
                emoji: 0.08,
                typo: 0.04,
                extra: 0.6,
                lower: 0.05,
                ..base
            },
            Kind::Survey | Kind::WebForm | Kind::Complaint => Style {
                typo: 0.04,
                extra: 0.3,
                lower: 0.08,
                ..base
            },
            Kind::Call | Kind::Email | Kind::Chat | Kind::Store => Style { typo: 0.02, ..base },
        }
    }

    fn volume(kind: Kind, id: &str) -> f64 {
        match kind {
            Kind::Micro => 30.0,
            Kind::Social if id.contains("facebook") => 16.0,
            Kind::Social if id.contains("insta") => 10.0,
            Kind::Social => 8.0,
            Kind::Professional => 4.0,
            Kind::Video => 5.0,
            Kind::Forum => 8.0,
            Kind::Blog => 3.0,
            Kind::Review if id.contains("app") => 5.0,
            Kind::Review => 6.0,
            Kind::Call => 4.0,
            Kind::Email => 2.5,
            Kind::Chat => 3.0,
            Kind::Store => 1.5,
            Kind::WebForm => 1.5,
            Kind::Complaint => 0.8,
            Kind::Survey => 0.0,
        }
    }
}

/// A slow sinusoidal drift.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wave {
    amp: f64,
    period: f64,
    phase: f64,
}

/// One brand as planted.
#[derive(Debug, Clone)]
pub(crate) struct BrandPlan {
    pub id: String,
    pub own: bool,
    /// Handles with their `@`.
    pub handles: Vec<String>,
    /// Display name first, then aliases.
    pub names: Vec<String>,
    /// Brand hashtag (`#SkyWay`).
    pub hashtag: String,
    /// Lower-case alphanumeric slug for links.
    pub slug: String,
    /// Share of public posts.
    pub share: f64,
    /// Share of survey responses (flatter than `share`, so small brands have enough).
    pub survey_share: f64,
    /// Overall experience level in quality units.
    pub level: f64,
    waves: [Wave; 2],
    /// Weekly revenue base.
    pub revenue_base: f64,
    /// Weekly customer base.
    pub customers_base: f64,
    /// Share of customers who come back within the week.
    pub return_rate: f64,
}

impl BrandPlan {
    /// Slow drift of the brand's experience on a day, in quality units.
    pub(crate) fn drift(&self, day: u32) -> f64 {
        let d = f64::from(day);
        self.waves
            .iter()
            .map(|w| w.amp * (std::f64::consts::TAU * d / w.period + w.phase).sin())
            .sum()
    }
}

/// A touchpoint phrase with what the composer needs to know about it.
#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    pub text: String,
    pub plural: bool,
    /// Names a problem ("delay"), so praise reads "handled well", not "loved".
    pub problem: bool,
}

impl Phrase {
    fn new(text: &str) -> Phrase {
        Phrase {
            text: text.to_string(),
            plural: is_plural(text),
            problem: is_problem_phrase(text),
        }
    }
}

/// One touchpoint as the generator uses it.
#[derive(Debug, Clone)]
pub(crate) struct TouchpointPlan {
    pub id: String,
    pub stage: usize,
    /// Phrases usable as nouns ("baggage fee"), preferably naming only this touchpoint.
    pub nouns: Vec<Phrase>,
    /// Phrases that read as states ("cancelled", "on hold").
    pub states: Vec<Phrase>,
    /// Relative volume of posts about it.
    pub weight: f64,
}

/// Splits phrases into nouns and states; bare verbs are dropped.
fn classify(phrases: &[String]) -> (Vec<Phrase>, Vec<Phrase>) {
    let nouns = phrases
        .iter()
        .filter(|p| is_noun_phrase(p))
        .map(|p| Phrase::new(p))
        .collect();
    let states = phrases
        .iter()
        .filter(|p| !is_noun_phrase(p) && is_state_phrase(p))
        .map(|p| Phrase::new(p))
        .collect();
    (nouns, states)
}

/// One channel as the generator uses it.
#[derive(Debug, Clone)]
pub(crate) struct ChannelPlan {
    pub id: String,
    pub kind: Kind,
    pub style: Style,
    /// Relative volume of everyday signals (0 for a dedicated survey channel).
    pub volume: f64,
    /// Touchpoint choice on this channel (importance × channel affinity).
    pub touchpoint_pick: Option<WeightedIndex<f64>>,
}

/// A planted incident.
#[derive(Debug, Clone)]
pub(crate) struct IncidentPlan {
    pub brand: usize,
    pub touchpoint: usize,
    pub start_day: u32,
    pub days: u32,
    pub multiplier: f64,
    pub baseline_per_day: f64,
    /// Extra complaints on each incident day.
    pub extra: Vec<u64>,
}

impl IncidentPlan {
    /// Whether the incident runs on `day`.
    pub(crate) fn active(&self, day: u32) -> bool {
        day >= self.start_day && day < self.start_day + self.days
    }
}

/// A planted advocate.
#[derive(Debug, Clone)]
pub(crate) struct AdvocatePlan {
    pub handle: String,
    pub followers: u64,
    pub brand: usize,
    /// The day of each post, sorted.
    pub days: Vec<u32>,
    /// Touchpoints the advocate praises (the brand's best).
    pub favourites: Vec<usize>,
}

/// A planted idea theme of one brand: the theme (index into
/// `ideas::THEMES`) and the day of each suggestion, sorted.
#[derive(Debug, Clone)]
pub(crate) struct IdeaPlan {
    pub brand: usize,
    pub theme: usize,
    pub days: Vec<u32>,
}

/// How many signals of each kind fall on each day.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    pub regular: Vec<u64>,
    pub surveys: Vec<u64>,
}

/// The whole planted world.
#[derive(Debug, Clone)]
pub(crate) struct World {
    pub template: Option<String>,
    pub start: NaiveDate,
    pub days: u32,
    pub stages: Vec<String>,
    pub brands: Vec<BrandPlan>,
    pub touchpoints: Vec<TouchpointPlan>,
    pub channels: Vec<ChannelPlan>,
    pub survey_channel: Option<usize>,
    /// `[brand][touchpoint]` quality in −1…1.
    pub quality: Vec<Vec<f64>>,
    /// `[brand][stage]` importance-weighted mean quality of the stage's touchpoints.
    pub stage_quality: Vec<Vec<f64>>,
    /// Planted key-driver weights, in stage order; sum to 1.
    pub stage_weights: Vec<f64>,
    pub incidents: Vec<IncidentPlan>,
    pub advocates: Vec<AdvocatePlan>,
    /// Advocates planted per brand for issue 13 (indexes into `advocates`).
    pub brand_advocates: Vec<Vec<usize>>,
    pub ideas: Vec<IdeaPlan>,
    pub budget: Budget,
    pub brand_pick: WeightedIndex<f64>,
    pub survey_brand_pick: WeightedIndex<f64>,
    pub own_pick: WeightedIndex<f64>,
    pub own_ids: Vec<usize>,
    pub channel_pick: Option<WeightedIndex<f64>>,
    pub phrases: PhraseSet,
    /// Phase of the weekly seasonality common to all brands.
    pub seasonality_phase: f64,
}

pub(crate) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(StandardNormal)
}

fn weighted(weights: &[f64], what: &str) -> Result<WeightedIndex<f64>, SynthError> {
    WeightedIndex::new(weights.iter().copied())
        .map_err(|e| SynthError::Model(format!("cannot draw {what}: {e}")))
}

/// Rounds to `digits` decimals (truth values are stored rounded and used rounded).
pub(crate) fn round_to(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Splits `total` over `weights` exactly (largest remainder, ties by index).
pub(crate) fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if sum <= 0.0 {
        let mut out = vec![total / weights.len() as u64; weights.len()];
        for slot in out.iter_mut().take((total % weights.len() as u64) as usize) {
            *slot += 1;
        }
        return out;
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut out: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let assigned: u64 = out.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order
        .iter()
        .cycle()
        .take(total.saturating_sub(assigned) as usize)
    {
        out[i] += 1;
    }
    out
}

/// Distinct key-driver weights for `n` stages: the brief's 0.30/0.22/0.18/0.13/0.10/0.07
/// for six, a geometric series otherwise.
fn base_stage_weights(n: usize) -> Vec<f64> {
    if n == 6 {
        return vec![0.30, 0.22, 0.18, 0.13, 0.10, 0.07];
    }
    let raw: Vec<f64> = (0..n).map(|i| 0.75f64.powi(i as i32)).collect();
    let sum: f64 = raw.iter().sum();
    let mut w: Vec<f64> = raw.iter().map(|x| round_to(x / sum, 4)).collect();
    let drift = 1.0 - w.iter().sum::<f64>();
    if let Some(first) = w.first_mut() {
        *first = round_to(*first + drift, 4);
    }
    w
}

fn slug(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn affinity(kind: Kind, channel_id: &str, stage: &str, phrases: &[String]) -> f64 {
    let digital = phrases.iter().any(|p| {
        p.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            matches!(
                w,
                "app" | "website" | "online" | "login" | "portal" | "digital"
            )
        })
    });
    match kind {
        Kind::Review if channel_id.contains("app") => {
            if digital {
                12.0
            } else {
                0.5
            }
        }
        Kind::Professional => match stage {
            "branding_pr" | "rnd" | "marketing" => 3.0,
            _ => 1.0,
        },
        Kind::Call | Kind::Email | Kind::Chat => match stage {
            "customer_service" => 2.5,
            "operations" => 1.5,
            "sales" => 1.3,
            "rnd" | "branding_pr" => 0.3,
            _ => 0.8,
        },
        Kind::Store => match stage {
            "operations" | "sales" => 2.0,
            "rnd" | "branding_pr" => 0.3,
            _ => 1.0,
        },
        Kind::Forum | Kind::Blog => match stage {
            "rnd" => 1.5,
            _ => 1.0,
        },
        _ => 1.0,
    }
}

/// Pseudonymous handle for author number `index` (unique per index).
pub(crate) fn author_handle(seed: u64, index: u64, out: &mut String) {
    use crate::vocab::{NAME_PARTS, NAME_TAILS};
    use std::fmt::Write as _;
    let h = splitmix(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let part = NAME_PARTS[(h % NAME_PARTS.len() as u64) as usize];
    let tail = NAME_TAILS[((h >> 16) % NAME_TAILS.len() as u64) as usize];
    out.push_str(part);
    out.push_str(tail);
    // The number keeps handles unique, like the digits real handles carry.
    let _ = write!(out, "{}", index + 10);
}

/// Followers of author number `index`: log-normal body (median ≈ 180) with a
/// Pareto tail, so most authors have under 500 and a few over 100k.
pub(crate) fn author_followers(seed: u64, index: u64) -> u64 {
    let h = splitmix(seed ^ 0xF011_0E55 ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let u1 = ((h >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    let h2 = splitmix(h);
    let u2 = ((h2 >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    if u1 < 0.004 {
        // Pareto tail: scale 20k, alpha 1.1.
        return (20_000.0 / u2.powf(1.0 / 1.1)).min(5.0e7) as u64;
    }
    // Box–Muller from two uniforms derived from the hash.
    let h3 = splitmix(h2);
    let u3 = ((h3 >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    let z = (-2.0 * u2.ln()).sqrt() * (std::f64::consts::TAU * u3).cos();
    (180.0 * (1.5 * z).exp()).round() as u64
}

/// SplitMix64 finaliser: a cheap, well-mixed hash for per-author attributes.
pub(crate) fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Size of the everyday author pool for `n` signals.
pub(crate) fn author_pool(n: u64) -> u64 {
    (n / 4).max(500)
}

impl World {
    /// Plans the world for `model` with `cfg`, drawing from `rng`.
    pub(crate) fn plan(
        model: &Model,
        cfg: &SynthConfig,
        rng: &mut ChaCha8Rng,
    ) -> Result<World, SynthError> {
        if model.brands.is_empty() {
            return Err(SynthError::Model("the model has no brands".into()));
        }
        if model.channels.is_empty() {
            return Err(SynthError::Model("the model has no channels".into()));
        }
        if model.stages.is_empty() {
            return Err(SynthError::Model("the model has no stages".into()));
        }
        if cfg.days == 0 {
            return Err(SynthError::Config("days must be at least 1".into()));
        }
        let days = cfg.days;
        let stages: Vec<String> = model.stages.iter().map(|s| s.id.clone()).collect();
        let stage_index = |id: &str| stages.iter().position(|s| s == id).unwrap_or(0);

        // --- brands: volume shares, levels, drift, business size ---
        let k = model.brands.len();
        let mut shares: Vec<f64> = (0..k)
            .map(|i| (1.0 / (i as f64 + 1.0).powf(0.7)) * (0.15 * normal(rng)).exp())
            .collect();
        shares.shuffle(rng);
        let total: f64 = shares.iter().sum();
        let mut brands = Vec::with_capacity(k);
        for (b, share) in model.brands.iter().zip(&shares) {
            let share = round_to(share / total, 4);
            let mut names = vec![b.name.clone()];
            for a in &b.aliases {
                if !names.iter().any(|n| n.eq_ignore_ascii_case(a)) {
                    names.push(a.clone());
                }
            }
            let handles = b
                .handles
                .iter()
                .map(|h| format!("@{}", h.trim_start_matches('@')))
                .collect();
            let short = names
                .iter()
                .min_by_key(|n| n.len())
                .cloned()
                .unwrap_or_default();
            let customers_base = (share * 400_000.0 * rng.gen_range(0.8..1.25)).round();
            brands.push(BrandPlan {
                id: b.id.clone(),
                own: b.own,
                handles,
                hashtag: format!(
                    "#{}",
                    short
                        .chars()
                        .filter(|c| c.is_alphanumeric())
                        .collect::<String>()
                ),
                slug: slug(&b.name),
                names,
                share,
                survey_share: 0.0,
                level: round_to(rng.gen_range(-0.3..0.15), 3),
                waves: [
                    Wave {
                        amp: rng.gen_range(0.05..0.10),
                        period: rng.gen_range(60.0..150.0),
                        phase: rng.gen_range(0.0..std::f64::consts::TAU),
                    },
                    Wave {
                        amp: rng.gen_range(0.02..0.05),
                        period: rng.gen_range(20.0..45.0),
                        phase: rng.gen_range(0.0..std::f64::consts::TAU),
                    },
                ],
                customers_base,
                revenue_base: customers_base
                    * model.finance.customer_value.max(1.0)
                    * rng.gen_range(0.06..0.1),
                return_rate: rng.gen_range(0.3..0.5),
            });
        }
        let survey_raw: Vec<f64> = brands.iter().map(|b| b.share.sqrt()).collect();
        let survey_total: f64 = survey_raw.iter().sum();
        for (b, s) in brands.iter_mut().zip(&survey_raw) {
            b.survey_share = round_to(s / survey_total, 4);
        }
        let mut own_ids: Vec<usize> = brands
            .iter()
            .enumerate()
            .filter(|(_, b)| b.own)
            .map(|(i, _)| i)
            .collect();
        if own_ids.is_empty() {
            own_ids.push(0);
        }

        // --- touchpoints: phrases that name only this touchpoint ---
        let phrases = PhraseSet::new(
            model
                .touchpoints
                .iter()
                .enumerate()
                .flat_map(|(i, t)| t.phrases.iter().map(move |p| (p.clone(), i))),
        );
        let mut touchpoints = Vec::with_capacity(model.touchpoints.len());
        for (i, t) in model.touchpoints.iter().enumerate() {
            let own_only: Vec<String> = t
                .phrases
                .iter()
                .filter(|p| phrases.touchpoints_in(p) == [i])
                .cloned()
                .collect();
            let (mut nouns, mut states) = classify(&own_only);
            if nouns.is_empty() && states.is_empty() {
                (nouns, states) = classify(&t.phrases);
            }
            if nouns.is_empty() && states.is_empty() {
                states = t.phrases.iter().map(|p| Phrase::new(p)).collect();
            }
            if nouns.is_empty() && states.is_empty() {
                nouns.push(Phrase::new(&t.name.to_ascii_lowercase()));
            }
            touchpoints.push(TouchpointPlan {
                id: t.id.clone(),
                stage: stage_index(&t.stage),
                nouns,
                states,
                weight: t.importance.max(0.05) * (0.35 * normal(rng)).exp(),
            });
        }

        // --- touchpoint quality: well spread within each brand, own strengths ---
        let n_tp = touchpoints.len();
        let industry: Vec<f64> = (0..n_tp).map(|_| normal(rng)).collect();
        let mut quality = Vec::with_capacity(k);
        for b in &brands {
            let keys: Vec<f64> = industry
                .iter()
                .map(|c| 0.6 * c + 0.8 * normal(rng))
                .collect();
            let mut order: Vec<usize> = (0..n_tp).collect();
            order.sort_by(|&x, &y| keys[x].total_cmp(&keys[y]).then(x.cmp(&y)));
            let mut q = vec![b.level; n_tp];
            if n_tp > 1 {
                let spacing = 1.2 / (n_tp - 1) as f64;
                for (rank, &t) in order.iter().enumerate() {
                    let jitter = rng.gen_range(-0.3..0.3) * spacing;
                    q[t] = round_to(
                        (b.level - 0.6 + spacing * rank as f64 + jitter).clamp(-0.95, 0.95),
                        3,
                    );
                }
            }
            quality.push(q);
        }
        let stage_quality: Vec<Vec<f64>> = (0..k)
            .map(|b| {
                (0..stages.len())
                    .map(|s| {
                        let (mut num, mut den) = (0.0, 0.0);
                        for (t, tp) in model.touchpoints.iter().enumerate() {
                            if touchpoints[t].stage == s {
                                num += tp.importance.max(0.05) * quality[b][t];
                                den += tp.importance.max(0.05);
                            }
                        }
                        if den > 0.0 {
                            round_to(num / den, 3)
                        } else {
                            brands[b].level
                        }
                    })
                    .collect()
            })
            .collect();

        // --- stage weights, permuted by seed ---
        let mut stage_weights = base_stage_weights(stages.len());
        stage_weights.shuffle(rng);

        // --- channels ---
        let survey_channel = model
            .channels
            .iter()
            .position(|c| Kind::of(c) == Kind::Survey)
            .or_else(|| model.channels.iter().position(|c| !c.social))
            .or(Some(0));
        let mut channels = Vec::with_capacity(model.channels.len());
        for c in &model.channels {
            let kind = Kind::of(c);
            let id = c.id.to_ascii_lowercase();
            let tp_weights: Vec<f64> = model
                .touchpoints
                .iter()
                .zip(&touchpoints)
                .map(|(t, p)| p.weight * affinity(kind, &id, &t.stage, &t.phrases))
                .collect();
            channels.push(ChannelPlan {
                id: c.id.clone(),
                kind,
                style: Style::of(kind, &id),
                volume: Style::volume(kind, &id) * (0.15 * normal(rng)).exp(),
                touchpoint_pick: if tp_weights.is_empty() {
                    None
                } else {
                    Some(weighted(&tp_weights, "touchpoints")?)
                },
            });
        }
        // Everyday signals go to every channel but a dedicated survey channel
        // (volume 0); a fallback survey channel also carries its own kind.
        let volumes: Vec<f64> = channels.iter().map(|c| c.volume).collect();
        let channel_pick = if volumes.iter().any(|v| *v > 0.0) {
            Some(weighted(&volumes, "channels")?)
        } else {
            None
        };

        // --- the budget: how many of each ---
        let n = cfg.signals;
        let n_survey = if survey_channel.is_some() {
            (n as f64 * SURVEY_SHARE).round() as u64
        } else {
            0
        };
        let n_survey = if channel_pick.is_none() { n } else { n_survey };

        let social_volume: f64 = channels
            .iter()
            .filter(|c| c.kind.is_post())
            .map(|c| c.volume)
            .sum();
        let all_volume: f64 = volumes.iter().sum();
        let social_fraction = if all_volume > 0.0 {
            social_volume / all_volume
        } else {
            0.0
        };
        let tp_total: f64 = touchpoints.iter().map(|t| t.weight).sum();

        // Incidents: one brand, one touchpoint, 2–5 days of several times the usual volume.
        let mut incidents = Vec::new();
        if n_tp > 0 && channel_pick.is_some() {
            let count = rng.gen_range(3..=5usize);
            let seg = (days as usize / count).max(1) as u32;
            let brand_pick = weighted(
                &brands.iter().map(|b| b.share).collect::<Vec<_>>(),
                "brands",
            )?;
            let tp_pick = weighted(
                &touchpoints.iter().map(|t| t.weight).collect::<Vec<_>>(),
                "touchpoints",
            )?;
            let regular_guess = n.saturating_sub(n_survey) as f64;
            for i in 0..count {
                let brand = if i == 0 {
                    own_ids[0]
                } else {
                    rng.sample(&brand_pick)
                };
                let mut touchpoint = rng.sample(&tp_pick);
                if incidents
                    .iter()
                    .any(|x: &IncidentPlan| x.brand == brand && x.touchpoint == touchpoint)
                {
                    touchpoint = (touchpoint + 1) % n_tp;
                }
                let len = rng.gen_range(2..=5u32).min(days);
                let seg_start = (i as u32 * seg).min(days.saturating_sub(len));
                let room = seg.saturating_sub(len).max(1);
                let start_day = (seg_start + rng.gen_range(0..room)).min(days - len);
                let baseline = regular_guess
                    * social_fraction
                    * brands[brand].share
                    * (1.0 - GENERAL_SHARE)
                    * touchpoints[touchpoint].weight
                    / tp_total.max(1e-9)
                    / f64::from(days);
                let multiplier = round_to(rng.gen_range(4.0..8.0), 1);
                // The spike peaks on its first or second day and fades.
                let shape: Vec<f64> = (0..len)
                    .map(|d| {
                        if d == 1 {
                            1.2
                        } else {
                            1.0 / (1.0 + 0.35 * f64::from(d))
                        }
                    })
                    .collect();
                let per_day = (multiplier * baseline).max(3.0);
                let wanted = (per_day * f64::from(len)).round() as u64;
                incidents.push(IncidentPlan {
                    brand,
                    touchpoint,
                    start_day,
                    days: len,
                    multiplier,
                    baseline_per_day: round_to(baseline, 2),
                    extra: apportion(wanted, &shape),
                });
            }
            let total_extra: u64 = incidents.iter().flat_map(|x| x.extra.iter()).sum();
            let cap = (n as f64 * MAX_INCIDENT_SHARE).floor() as u64;
            if total_extra > cap {
                let scale = cap as f64 / total_extra as f64;
                for inc in &mut incidents {
                    let want = (inc.extra.iter().sum::<u64>() as f64 * scale).floor() as u64;
                    let shape: Vec<f64> = inc.extra.iter().map(|&x| x as f64).collect();
                    inc.extra = apportion(want, &shape);
                }
            }
        }

        // Advocates: ~20 authors posting repeatedly and positively about one brand.
        let mut advocates = Vec::new();
        let has_posts = channels.iter().any(|c| c.kind.is_post());
        if has_posts {
            let count = (n / 1500).min(20) as usize;
            let base = (n as f64 / 5000.0).clamp(4.0, 60.0);
            let brand_pick = weighted(
                &brands.iter().map(|b| b.share).collect::<Vec<_>>(),
                "brands",
            )?;
            let pool = author_pool(n);
            let mut total = 0u64;
            let cap = (n as f64 * MAX_ADVOCATE_SHARE).floor() as u64;
            for i in 0..count {
                let brand = rng.sample(&brand_pick);
                let posts = (base * rng.gen_range(0.6..2.0)).round() as u64;
                if total + posts > cap {
                    break;
                }
                total += posts;
                let mut post_days: Vec<u32> = (0..posts).map(|_| rng.gen_range(0..days)).collect();
                post_days.sort_unstable();
                let mut best: Vec<usize> = (0..n_tp).collect();
                best.sort_by(|&x, &y| {
                    quality[brand][y]
                        .total_cmp(&quality[brand][x])
                        .then(x.cmp(&y))
                });
                best.truncate(4);
                let mut handle = String::new();
                author_handle(cfg.seed, pool + i as u64, &mut handle);
                advocates.push(AdvocatePlan {
                    handle,
                    followers: (2500.0 * normal(rng).exp()).round() as u64 + 300,
                    brand,
                    days: post_days,
                    favourites: best,
                });
            }
        }

        // Issue 13: advocates per brand tied to the brand's quality, and
        // idea themes; drawn from a stream of their own so the draws above
        // (and worlds without them) stay as they were.
        let mut brand_advocates = vec![Vec::new(); brands.len()];
        let mut ideas = Vec::new();
        if cfg.advocacy.enabled && has_posts {
            let mut r2 = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(cfg.seed ^ 0xAD70_CA5E);
            let pool = author_pool(n) + 50_000;
            let base = (n as f64 / 5000.0).clamp(4.0, 40.0);
            let per = f64::from(cfg.advocacy.advocates_per_brand);
            for b in 0..brands.len() {
                let q = brands[b].level;
                let count = (per * (1.0 + 2.5 * q).clamp(0.25, 2.0)).round() as usize;
                for i in 0..count {
                    let posts = (base * r2.gen_range(0.6..1.6)).round().max(3.0) as u64;
                    let mut post_days: Vec<u32> =
                        (0..posts).map(|_| r2.gen_range(0..days)).collect();
                    post_days.sort_unstable();
                    let mut best: Vec<usize> = (0..n_tp).collect();
                    best.sort_by(|&x, &y| quality[b][y].total_cmp(&quality[b][x]).then(x.cmp(&y)));
                    best.truncate(4);
                    let mut handle = String::new();
                    author_handle(cfg.seed, pool + (b * 1000 + i) as u64, &mut handle);
                    brand_advocates[b].push(advocates.len());
                    advocates.push(AdvocatePlan {
                        handle,
                        followers: (2500.0 * normal(&mut r2).exp()).round() as u64 + 300,
                        brand: b,
                        days: post_days,
                        favourites: best,
                    });
                }
            }
            let themes = crate::ideas::THEMES.len();
            let per_theme = ((n as f64 / 10_000.0) * f64::from(cfg.advocacy.suggestions_per_10k))
                .round() as u64;
            for b in 0..brands.len() {
                let mut order: Vec<usize> = (0..themes).collect();
                order.shuffle(&mut r2);
                order.truncate(cfg.advocacy.themes_per_brand as usize);
                for theme in order {
                    let count = ((per_theme as f64) * r2.gen_range(0.6..1.4))
                        .round()
                        .max(4.0) as u64;
                    let mut idea_days: Vec<u32> =
                        (0..count).map(|_| r2.gen_range(0..days)).collect();
                    idea_days.sort_unstable();
                    ideas.push(IdeaPlan {
                        brand: b,
                        theme,
                        days: idea_days,
                    });
                }
            }
        }
        let n_idea: u64 = ideas.iter().map(|x| x.days.len() as u64).sum();

        let n_incident: u64 = incidents.iter().flat_map(|x| x.extra.iter()).sum();
        let n_advocate: u64 = advocates.iter().map(|a| a.days.len() as u64).sum();
        let n_regular = n.saturating_sub(n_survey + n_incident + n_advocate + n_idea);

        // Daily volume: weekly rhythm, slow growth, day-to-day noise.
        let regular_weights: Vec<f64> = (0..days)
            .map(|d| {
                let date = cfg.start + chrono::Days::new(u64::from(d));
                let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
                let rhythm = if weekend { 0.85 } else { 1.0 };
                rhythm * (1.0 + 0.15 * f64::from(d) / f64::from(days)) * (0.1 * normal(rng)).exp()
            })
            .collect();
        let survey_weights: Vec<f64> = (0..days)
            .map(|d| {
                let date = cfg.start + chrono::Days::new(u64::from(d));
                if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                    0.6
                } else {
                    1.0
                }
            })
            .collect();
        let budget = Budget {
            regular: apportion(n_regular, &regular_weights),
            surveys: apportion(n_survey, &survey_weights),
        };

        let brand_pick = weighted(
            &brands.iter().map(|b| b.share).collect::<Vec<_>>(),
            "brands",
        )?;
        let survey_brand_pick = weighted(
            &brands.iter().map(|b| b.survey_share).collect::<Vec<_>>(),
            "brands",
        )?;
        let own_pick = weighted(
            &own_ids
                .iter()
                .map(|&i| brands[i].share.max(1e-6))
                .collect::<Vec<_>>(),
            "own brands",
        )?;

        Ok(World {
            template: model.template.clone(),
            start: cfg.start,
            days,
            stages,
            brands,
            touchpoints,
            channels,
            survey_channel,
            quality,
            stage_quality,
            stage_weights,
            incidents,
            advocates,
            brand_advocates,
            ideas,
            budget,
            brand_pick,
            survey_brand_pick,
            own_pick,
            own_ids,
            channel_pick,
            phrases,
            seasonality_phase: rng.gen_range(0.0..std::f64::consts::TAU),
        })
    }

    /// Experience shift of brand `b` at touchpoint `t` on `day` from incidents.
    pub(crate) fn incident_dip(&self, b: usize, t: usize, day: u32) -> f64 {
        if self
            .incidents
            .iter()
            .any(|i| i.brand == b && i.touchpoint == t && i.active(day))
        {
            -INCIDENT_DIP
        } else {
            0.0
        }
    }

    /// Stage-rating shift of brand `b` at stage `s` on `day` from incidents.
    pub(crate) fn stage_dip(&self, b: usize, s: usize, day: u32) -> f64 {
        if self.incidents.iter().any(|i| {
            i.brand == b
                && self
                    .touchpoints
                    .get(i.touchpoint)
                    .is_some_and(|t| t.stage == s)
                && i.active(day)
        }) {
            -INCIDENT_STAGE_DIP
        } else {
            0.0
        }
    }
}
