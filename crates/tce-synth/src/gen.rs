//! The generation loop: day by day, draws every planned signal, composes its
//! text, buffers the day, sorts it by time and writes it out; then writes the
//! weekly business outcomes from the surveys actually generated.
//!
//! One seeded ChaCha stream drives everything in a fixed order, so the same
//! seed gives byte-identical output. Buffers are reused across signals.

use crate::compose::{Banks, CareText, Composer, Dress, Extras, Second, Topic};
use crate::plan::{
    author_followers, author_handle, author_pool, normal, round_to, splitmix, Kind, World,
    GENERAL_SHARE, TWO_TOUCHPOINT_SHARE,
};
use crate::survey::{self, SurveyModel};
use crate::truth::{
    AdvocacyTruth, Advocate, CareFollowUp, CareReply, CareSignal, CareTruth, Counts, Elasticity,
    FollowUpKind, IdeaTheme, Incident, Joins, LabelRule, ReplyCategory, SurveyTruth, Truth,
};
use crate::vocab::Tone;
use crate::{SynthConfig, SynthError};
use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};
use rand::distributions::WeightedIndex;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use tce_model::{Model, RatingScale};

/// Latent experiences within ±this are labelled neutral.
pub(crate) const NEUTRAL_BAND: f64 = 0.15;
/// Public posts that only ask or inform (neutral whatever the quality).
const INFORMATIONAL_SHARE: f64 = 0.08;
/// Spread of one post's experience around the touchpoint's quality.
const EXPERIENCE_NOISE: f64 = 0.42;
/// β: ln(revenue) per weekly CSAT point (+0.7 % revenue per +5 points).
pub(crate) const REVENUE_PER_CSAT_POINT: f64 = 0.0014;
/// ln(customers) per weekly CSAT point.
const CUSTOMERS_PER_CSAT_POINT: f64 = 0.0010;
/// ln(return visits) per weekly CSAT point.
const RETURNS_PER_CSAT_POINT: f64 = 0.0025;
/// Amplitude of the weekly seasonality common to all brands.
const SEASONALITY: f64 = 0.006;
/// Log-normal noise on weekly revenue.
const REVENUE_NOISE: f64 = 0.004;
/// Seconds in a day.
const DAY_SECS: u64 = 86_400;
/// Shortest planted delay of a brand reply within the response band.
const WITHIN_MIN_SECS: u64 = 120;
/// First index of the authors of care conversations (after the everyday
/// pool and the advocates), so each conversation has an author of its own.
const CARE_AUTHOR_OFFSET: u64 = 1_000;
/// Channel kinds where the brand answers a customer in place, by a post of
/// its handle replying to the customer's post.
fn answers_in_place(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Micro | Kind::Social | Kind::Professional | Kind::Video | Kind::Forum
    )
}

/// Planted sentiment label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Negative = 0,
    Neutral = 1,
    Positive = 2,
}

impl Label {
    fn of(experience: f64) -> Label {
        if experience < -NEUTRAL_BAND {
            Label::Negative
        } else if experience > NEUTRAL_BAND {
            Label::Positive
        } else {
            Label::Neutral
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Label::Negative => "negative",
            Label::Neutral => "neutral",
            Label::Positive => "positive",
        }
    }
}

fn tone_of(e: f64, rng: &mut ChaCha8Rng) -> Tone {
    if e < -0.55 {
        if rng.gen_bool(0.15) {
            Tone::Factual
        } else {
            Tone::StrongNeg
        }
    } else if e < -NEUTRAL_BAND {
        if rng.gen_bool(0.4) {
            Tone::Factual
        } else {
            Tone::MildNeg
        }
    } else if e <= NEUTRAL_BAND {
        Tone::Neutral
    } else if e <= 0.55 {
        Tone::MildPos
    } else {
        Tone::StrongPos
    }
}

/// One buffered record of the day.
#[derive(Debug, Clone, Copy)]
struct DayRecord {
    secs: u32,
    order: u32,
    json: (usize, usize),
    id: (usize, usize),
    author: (usize, usize),
    text: (usize, usize),
    label: Label,
    touchpoint: Option<usize>,
    brand: usize,
    channel: usize,
    post: bool,
}

/// A day's records, kept in two arenas until they are sorted and written.
#[derive(Debug, Default)]
struct DayBuffer {
    json: Vec<u8>,
    arena: String,
    records: Vec<DayRecord>,
    out: Vec<u8>,
}

impl DayBuffer {
    fn clear(&mut self) {
        self.json.clear();
        self.arena.clear();
        self.records.clear();
        self.out.clear();
    }

    fn keep(&mut self, s: &str) -> (usize, usize) {
        let start = self.arena.len();
        self.arena.push_str(s);
        (start, self.arena.len())
    }

    fn get(&self, r: (usize, usize)) -> &str {
        self.arena.get(r.0..r.1).unwrap_or("")
    }
}

/// Stage ratings serialised as an object keyed by stage id.
struct StageRatings<'a> {
    stages: &'a [String],
    values: &'a [u8],
}

impl Serialize for StageRatings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.values.len()))?;
        for (s, v) in self.stages.iter().zip(self.values) {
            map.serialize_entry(s, v)?;
        }
        map.end()
    }
}

/// One signal in our JSONL schema.
#[derive(Serialize)]
struct Record<'a> {
    id: &'a str,
    channel: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    brand: Option<&'a str>,
    created_at: &'a str,
    author: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    author_followers: Option<u64>,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rating: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rating_scale: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage_ratings: Option<StageRatings<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_reply_to: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    lang: &'static str,
}

/// What a signal is, beyond its record, for the labels and the counts.
#[derive(Debug, Clone, Copy)]
struct Meta {
    channel: usize,
    brand: usize,
    brand_field: bool,
    label: Label,
    touchpoint: Option<usize>,
    two: bool,
    source: Source,
    reply: bool,
    /// Written in office hours (agent notes).
    office: bool,
    followers: Option<u64>,
    rating: Option<(u8, RatingScale)>,
    /// Carries the stage ratings in `stage_buf`.
    stage_ratings: bool,
    /// Carries the link in `Fields::url`.
    url: bool,
}

/// A public text to compose: who it is about, what and how it felt.
#[derive(Debug, Clone, Copy)]
struct Draft {
    channel: usize,
    brand: usize,
    year: i32,
    source: Source,
    touchpoint: Option<usize>,
    experience: f64,
    second: Option<(usize, f64)>,
    advocate: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Regular,
    Survey,
    Incident,
    Advocate,
    /// A suggestion of a planted idea theme.
    Idea,
    /// A reply from an own brand's care handle.
    BrandReply,
    /// A customer's follow-up in a care conversation.
    FollowUp,
}

/// Running counts, indexed like the world.
#[derive(Debug, Default)]
struct Tally {
    brand: Vec<u64>,
    channel: Vec<u64>,
    label: [u64; 3],
    touchpoint: Vec<u64>,
    c: Counts,
}

/// Recent posts per channel that later posts can reply to.
#[derive(Debug, Default, Clone)]
struct Thread {
    ids: Vec<String>,
    authors: Vec<String>,
    next: usize,
}

impl Thread {
    const CAP: usize = 64;

    fn remember(&mut self, id: &str, author: &str) {
        if self.ids.len() < Self::CAP {
            self.ids.push(id.to_string());
            self.authors.push(author.to_string());
        } else {
            let i = self.next % Self::CAP;
            self.ids[i].clear();
            self.ids[i].push_str(id);
            self.authors[i].clear();
            self.authors[i].push_str(author);
        }
        self.next += 1;
    }
}

/// Scratch strings for the fields of the signal being built.
#[derive(Debug, Default)]
struct Fields {
    id: String,
    author: String,
    created: String,
    url: String,
    tp: String,
    tp2: String,
    parent_id: String,
    parent_author: String,
    date: String,
}

/// A planted care conversation: an own-brand customer's complaint or question.
#[derive(Debug, Clone)]
struct Convo {
    channel: usize,
    brand: usize,
    customer_id: String,
    author: String,
    followers: Option<u64>,
    /// The customer's post, seconds from the world's start.
    at: u64,
    /// The reply's id, once written.
    reply_id: String,
    category: Option<ReplyCategory>,
}

/// A message of a care conversation waiting for its time.
#[derive(Debug, Clone, Copy)]
enum Due {
    Reply,
    FollowUp(FollowUpKind),
}

/// The care side of the world while it is generated.
#[derive(Debug, Default)]
struct CareState {
    /// The handle each brand replies from (own brands with handles only).
    handles: Vec<Option<String>>,
    /// Followers of each brand's handle.
    followers: Vec<u64>,
    /// Channels where the brand answers in place and cases open.
    answer: Vec<bool>,
    /// Care-able channels (churn threats there are listed).
    care: Vec<bool>,
    convos: Vec<Convo>,
    /// Messages to write: (seconds from the start, sequence) → what.
    pending: BTreeMap<(u64, u64), (usize, Due)>,
    seq: u64,
    /// Authors given to conversations so far.
    authors: u64,
    truth: CareTruth,
}

/// The handle a brand's care team writes from: the first containing
/// "support", else "help", else "care", else the first.
fn care_handle(handles: &[String]) -> Option<&String> {
    ["support", "help", "care"]
        .iter()
        .find_map(|w| handles.iter().find(|h| h.to_ascii_lowercase().contains(w)))
        .or_else(|| handles.first())
}

/// Whether `text` names brand `b` (a name, an alias or a handle), so a
/// reader can tell which brand a post without the brand field is about.
fn names_brand(text: &str, b: &crate::plan::BrandPlan) -> bool {
    let text = text.to_lowercase();
    b.names
        .iter()
        .chain(&b.handles)
        .any(|n| text.contains(&n.trim_start_matches('@').to_lowercase()))
}

/// A delay drawn log-uniformly between `lo` and `hi` seconds.
fn log_uniform(rng: &mut ChaCha8Rng, lo: u64, hi: u64) -> u64 {
    let (lo, hi) = (lo.max(1) as f64, hi.max(lo.max(1)) as f64);
    let u: f64 = rng.gen();
    (lo.ln() + (hi.ln() - lo.ln()) * u).exp().round() as u64
}

/// The generator's state.
pub(crate) struct Generator<'a> {
    model: &'a Model,
    cfg: &'a SynthConfig,
    world: World,
    survey: SurveyModel,
    banks: Banks,
    composer: Composer,
    rng: ChaCha8Rng,
    seq: u64,
    order: u32,
    day: DayBuffer,
    f: Fields,
    tally: Tally,
    threads: Vec<Thread>,
    stage_buf: Vec<u8>,
    /// Sum and count of survey CSAT points per brand and week index.
    weekly: Vec<Vec<(f64, u64)>>,
    week_offset: u32,
    hours_public: WeightedIndex<f64>,
    hours_office: WeightedIndex<f64>,
    post_channels: Option<WeightedIndex<f64>>,
    spike_channels: Option<WeightedIndex<f64>>,
    pool: u64,
    /// Everyday signals still to write per day (care messages take their
    /// slots from here, so the total stays exact).
    left: Vec<u64>,
    /// The day being generated.
    today: u32,
    care: CareState,
    /// Suggestions written per planted idea theme (`World::ideas` order).
    idea_signals: Vec<Vec<CareSignal>>,
    /// Own brands' reviews and survey answers at the top of their scale.
    top_ratings: Vec<CareSignal>,
    /// Sum and count of the latent experience of each brand's posts on
    /// social channels.
    brand_experience: Vec<(f64, u64)>,
    /// Whether each channel is social in the model (public word of mouth).
    social: Vec<bool>,
    /// Planted labels per (brand, author, month) on social channels:
    /// (positive, negative, signals), for the planted net advocacy.
    author_months: BTreeMap<(usize, String, String), (u32, u32, u32)>,
}

const PUBLIC_HOURS: [f64; 24] = [
    0.35, 0.22, 0.15, 0.1, 0.1, 0.18, 0.45, 0.85, 1.15, 1.25, 1.3, 1.3, 1.4, 1.35, 1.25, 1.2, 1.2,
    1.3, 1.45, 1.55, 1.55, 1.35, 1.0, 0.65,
];
const OFFICE_HOURS: [f64; 24] = [
    0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.1, 0.6, 1.2, 1.4, 1.4, 1.3, 1.1, 1.3, 1.4, 1.3, 1.2, 1.0,
    0.7, 0.5, 0.3, 0.15, 0.08, 0.04,
];

fn weighted(weights: &[f64]) -> Result<WeightedIndex<f64>, SynthError> {
    WeightedIndex::new(weights.iter().copied())
        .map_err(|e| SynthError::Model(format!("weights: {e}")))
}

impl<'a> Generator<'a> {
    pub(crate) fn new(
        model: &'a Model,
        cfg: &'a SynthConfig,
        world: World,
        rng: ChaCha8Rng,
    ) -> Result<Self, SynthError> {
        let survey = SurveyModel::calibrate(&world, cfg.seed);
        let banks = Banks::new(&world.phrases, world.template.as_deref());
        let post_weights: Vec<f64> = world
            .channels
            .iter()
            .map(|c| if c.kind.is_post() { c.volume } else { 0.0 })
            .collect();
        let spike_weights: Vec<f64> = world
            .channels
            .iter()
            .map(|c| match c.kind {
                Kind::Micro => c.volume * 2.5,
                Kind::Social | Kind::Forum => c.volume,
                _ => 0.0,
            })
            .collect();
        let post_channels = if post_weights.iter().any(|w| *w > 0.0) {
            Some(weighted(&post_weights)?)
        } else {
            None
        };
        // Spikes break out on public channels; a model without any still gets
        // its planted incidents, on whatever channels carry everyday signals.
        let spike_channels = if spike_weights.iter().any(|w| *w > 0.0) {
            Some(weighted(&spike_weights)?)
        } else {
            post_channels.clone().or_else(|| world.channel_pick.clone())
        };
        let week_offset = cfg.start.weekday().num_days_from_monday();
        let care = CareState {
            handles: world
                .brands
                .iter()
                .map(|b| {
                    if b.own {
                        care_handle(&b.handles).cloned()
                    } else {
                        None
                    }
                })
                .collect(),
            followers: (0..world.brands.len() as u64)
                .map(|b| 12_000 + splitmix(cfg.seed ^ 0xCA2E_F011 ^ b) % 240_000)
                .collect(),
            answer: world
                .channels
                .iter()
                .zip(&model.channels)
                .map(|(c, m)| m.care && answers_in_place(c.kind))
                .collect(),
            care: model.channels.iter().map(|c| c.care).collect(),
            ..CareState::default()
        };
        let weeks = ((cfg.days + week_offset) / 7 + 1) as usize;
        Ok(Generator {
            model,
            cfg,
            survey,
            banks,
            composer: Composer::default(),
            rng,
            seq: 0,
            order: 0,
            day: DayBuffer::default(),
            f: Fields::default(),
            tally: Tally {
                brand: vec![0; world.brands.len()],
                channel: vec![0; world.channels.len()],
                touchpoint: vec![0; world.touchpoints.len()],
                ..Tally::default()
            },
            threads: vec![Thread::default(); world.channels.len()],
            stage_buf: Vec::with_capacity(world.stages.len()),
            weekly: vec![vec![(0.0, 0); weeks]; world.brands.len()],
            week_offset,
            hours_public: weighted(&PUBLIC_HOURS)?,
            hours_office: weighted(&OFFICE_HOURS)?,
            post_channels,
            spike_channels,
            pool: author_pool(cfg.signals),
            left: world.budget.regular.clone(),
            today: 0,
            care,
            idea_signals: vec![Vec::new(); world.ideas.len()],
            top_ratings: Vec::new(),
            brand_experience: vec![(0.0, 0); world.brands.len()],
            social: world
                .channels
                .iter()
                .map(|c| model.channel(&c.id).is_some_and(|m| m.social))
                .collect(),
            author_months: BTreeMap::new(),
            world,
        })
    }

    /// Generates every day, then the outcomes; returns the truth.
    pub(crate) fn run(
        mut self,
        signals: &mut dyn Write,
        labels: &mut dyn Write,
        outcomes: &mut dyn Write,
    ) -> Result<Truth, SynthError> {
        let mut labels = csv::Writer::from_writer(labels);
        labels.write_record(["id", "text", "sentiment", "touchpoint", "brand"])?;
        for d in 0..self.world.days {
            self.generate_day(d)?;
            self.flush_day(signals, &mut labels)?;
        }
        labels.flush()?;
        drop(labels);
        let weekly_csat = self.write_outcomes(outcomes)?;
        Ok(self.truth(weekly_csat))
    }

    fn generate_day(&mut self, d: u32) -> Result<(), SynthError> {
        self.day.clear();
        self.order = 0;
        let date = self.world.start + Days::new(u64::from(d));
        self.f.date.clear();
        let _ = write!(self.f.date, "{}", date.format("%Y-%m-%d"));
        let year = date.year();
        self.today = d;
        while self.left.get(d as usize).is_some_and(|&n| n > 0) {
            if let Some(n) = self.left.get_mut(d as usize) {
                *n -= 1;
            }
            self.regular(d, year)?;
        }
        for _ in 0..self.world.budget.surveys[d as usize] {
            self.survey_response(d, year)?;
        }
        for i in 0..self.world.incidents.len() {
            let inc = &self.world.incidents[i];
            if inc.active(d) {
                let extra = inc.extra[(d - inc.start_day) as usize];
                for _ in 0..extra {
                    self.incident_post(i, year)?;
                }
            }
        }
        for a in 0..self.world.advocates.len() {
            let posts = self.world.advocates[a]
                .days
                .iter()
                .filter(|&&x| x == d)
                .count();
            for _ in 0..posts {
                self.advocate_post(a, year)?;
            }
        }
        for i in 0..self.world.ideas.len() {
            let posts = self.world.ideas[i].days.iter().filter(|&&x| x == d).count();
            for _ in 0..posts {
                self.idea_post(i)?;
            }
        }
        // Brand replies and follow-ups due today (planted earlier).
        let end = (u64::from(d) + 1) * DAY_SECS;
        while let Some(entry) = self.care.pending.first_entry() {
            if entry.key().0 >= end {
                break;
            }
            let ((at, _), (convo, due)) = entry.remove_entry();
            self.emit_care(at, convo, due, year)?;
        }
        Ok(())
    }

    /// Takes one everyday slot from `day` or the first later day that has
    /// one; false when none is left (the message is then not planted).
    fn reserve(&mut self, day: u64) -> bool {
        let from = usize::try_from(day).unwrap_or(usize::MAX);
        for n in self.left.iter_mut().skip(from) {
            if *n > 0 {
                *n -= 1;
                return true;
            }
        }
        false
    }

    fn schedule(&mut self, at: u64, convo: usize, due: Due) {
        self.care.seq += 1;
        self.care.pending.insert((at, self.care.seq), (convo, due));
    }

    fn utc(&self, at: u64) -> DateTime<Utc> {
        self.world.start.and_time(NaiveTime::MIN).and_utc()
            + chrono::Duration::seconds(i64::try_from(at).unwrap_or(i64::MAX))
    }

    /// Plants the care conversation of the customer post just written
    /// (`self.f`) on channel `c` about own brand `b` at `at`: the brand's
    /// reply (within, late or never) and perhaps a follow-up.
    fn plant_care(&mut self, c: usize, b: usize, at: u64, followers: Option<u64>) {
        let cfg = &self.cfg.care;
        let end = u64::from(self.world.days) * DAY_SECS;
        let u = self.rng.gen_range(0..100u32);
        let within = u32::from(cfg.within_percent);
        let late = within + u32::from(cfg.late_percent);
        let (within_max, late_min, late_max) = (
            u64::from(cfg.within_max_minutes) * 60,
            u64::from(cfg.late_min_hours) * 3600,
            u64::from(cfg.late_max_hours) * 3600,
        );
        let follow = self.rng.gen_range(0..100u32) < u32::from(cfg.follow_up_percent);
        let (mut category, delay) = if u < within {
            (
                Some(ReplyCategory::Within),
                log_uniform(&mut self.rng, WITHIN_MIN_SECS, within_max),
            )
        } else if u < late {
            (
                Some(ReplyCategory::Late),
                log_uniform(&mut self.rng, late_min, late_max),
            )
        } else {
            (None, 0)
        };
        if category.is_some() && !(at + delay < end && self.reserve((at + delay) / DAY_SECS)) {
            category = None;
        }
        let convo = self.care.convos.len();
        self.care.convos.push(Convo {
            channel: c,
            brand: b,
            customer_id: self.f.id.clone(),
            author: self.f.author.clone(),
            followers,
            at,
            reply_id: String::new(),
            category,
        });
        let counts = &mut self.care.truth.counts;
        counts.conversations += 1;
        match category {
            Some(ReplyCategory::Within) => counts.within += 1,
            Some(ReplyCategory::Late) => counts.late += 1,
            None => counts.never += 1,
        }
        if category.is_some() {
            self.schedule(at + delay, convo, Due::Reply);
        } else {
            self.care.truth.never.push(CareSignal {
                channel: self.world.channels[c].id.clone(),
                id: self.f.id.clone(),
            });
        }
        if !follow {
            return;
        }
        let rng = &mut self.rng;
        let after_reply = |rng: &mut ChaCha8Rng, thanks: u32, unhappy: u32| {
            let k = rng.gen_range(0..100u32);
            if k < thanks {
                FollowUpKind::Thanks
            } else if k < thanks + unhappy {
                FollowUpKind::Unhappy
            } else {
                FollowUpKind::Churn
            }
        };
        let chaser = |rng: &mut ChaCha8Rng, churn: f64| {
            if rng.gen_bool(churn) {
                FollowUpKind::StillWaitingChurn
            } else {
                FollowUpKind::StillWaiting
            }
        };
        let (when, kind) = match category {
            Some(ReplyCategory::Within) => (
                at + delay + log_uniform(rng, 300, 6 * 3600),
                after_reply(rng, 60, 28),
            ),
            Some(ReplyCategory::Late) if rng.gen_bool(0.5) => (
                at + delay + log_uniform(rng, 300, 6 * 3600),
                after_reply(rng, 30, 45),
            ),
            // A chaser while the answer has not come (a late one comes after).
            Some(ReplyCategory::Late) => (
                at + rng.gen_range(3600..=(delay / 2).clamp(3600, 6 * 3600)),
                chaser(rng, 0.2),
            ),
            None => (at + rng.gen_range(3600..=8 * 3600), chaser(rng, 0.3)),
        };
        if when < end && self.reserve(when / DAY_SECS) {
            self.schedule(when, convo, Due::FollowUp(kind));
        }
    }

    /// Writes one due message of a care conversation at `at`.
    fn emit_care(&mut self, at: u64, convo: usize, due: Due, year: i32) -> Result<(), SynthError> {
        let secs = u32::try_from(at % DAY_SECS).unwrap_or(0);
        let date = self.world.start + Days::new(at / DAY_SECS);
        self.f.date.clear();
        let _ = write!(self.f.date, "{}", date.format("%Y-%m-%d"));
        let Some(cv) = self.care.convos.get(convo) else {
            return Ok(());
        };
        let (c, b) = (cv.channel, cv.brand);
        let w = &self.world;
        let kind = w.channels[c].kind;
        let bp = &w.brands[b];
        let handle = self.care.handles[b].as_deref().unwrap_or("");
        let micro = kind == Kind::Micro;
        let rng = &mut self.rng;
        let comp = Self::pick_competitor(rng, w, b);
        let competitor = comp.map_or("the competition", |x| w.brands[x].names[0].as_str());
        let (what, follow) = match due {
            Due::Reply => (CareText::BrandReply, None),
            Due::FollowUp(k) => (
                match k {
                    FollowUpKind::Thanks => CareText::Thanks,
                    FollowUpKind::Unhappy => CareText::Unhappy,
                    FollowUpKind::Churn => CareText::Churn,
                    FollowUpKind::StillWaiting => CareText::Waiting,
                    FollowUpKind::StillWaitingChurn => CareText::WaitingChurn,
                },
                Some(k),
            ),
        };
        let replies_to_brand = matches!(
            follow,
            Some(FollowUpKind::Thanks | FollowUpKind::Unhappy | FollowUpKind::Churn)
        );
        // On X a reply opens with the @author it answers; the customer names
        // the brand by its care handle when answering it, else as people do.
        let mention = if micro && !handle.is_empty() && (replies_to_brand || rng.gen_bool(0.6)) {
            handle
        } else {
            bp.names[0].as_str()
        };
        self.f.parent_author.clear();
        if micro && follow.is_none() {
            self.f.parent_author.push('@');
            self.f.parent_author.push_str(&cv.author);
        }
        let topic = Topic {
            tp: None,
            tp_noun: false,
            tp_plural: false,
            tp_problem: false,
            tp2: None,
            brand: mention,
            brand_again: bp.names[0].as_str(),
            brand_tag: &bp.hashtag,
            competitor,
            year,
        };
        let lead = (!self.f.parent_author.is_empty()).then_some(self.f.parent_author.as_str());
        self.composer.care(&self.banks, what, &topic, lead, rng);
        self.f.parent_id.clear();
        self.f.author.clear();
        let (source, label, followers, reply) = match follow {
            None => {
                self.f.parent_id.push_str(&cv.customer_id);
                self.f.author.push_str(handle);
                (
                    Source::BrandReply,
                    Label::Neutral,
                    Some(self.care.followers[b]),
                    true,
                )
            }
            Some(k) => {
                self.f.parent_id.push_str(&cv.reply_id);
                self.f.author.push_str(&cv.author);
                let label = if k == FollowUpKind::Thanks {
                    Label::Positive
                } else {
                    Label::Negative
                };
                (Source::FollowUp, label, cv.followers, replies_to_brand)
            }
        };
        if follow.is_some() && self.social[c] {
            // A follow-up is customer experience too: planted as a clear
            // thank-you or a clear complaint.
            if let Some(x) = self.brand_experience.get_mut(b) {
                x.0 += if label == Label::Positive { 0.5 } else { -0.5 };
                x.1 += 1;
            }
        }
        self.write_id(c);
        let url = self.rng.gen_bool(0.8) && self.write_url(c, b);
        let meta = Meta {
            channel: c,
            brand: b,
            brand_field: follow.is_none(),
            label,
            touchpoint: None,
            two: false,
            source,
            reply,
            office: false,
            followers,
            rating: None,
            stage_ratings: false,
            url,
        };
        self.push_at(meta, secs)?;
        let created = self.utc(at);
        let channel = self.world.channels[c].id.clone();
        let Some(cv) = self.care.convos.get_mut(convo) else {
            return Ok(());
        };
        let truth = &mut self.care.truth;
        match follow {
            None => {
                cv.reply_id.clone_from(&self.f.id);
                let customer_created_at = self.world.start.and_time(NaiveTime::MIN).and_utc()
                    + chrono::Duration::seconds(i64::try_from(cv.at).unwrap_or(i64::MAX));
                truth.counts.replies += 1;
                truth.replies.push(CareReply {
                    channel,
                    customer_id: cv.customer_id.clone(),
                    customer_author: cv.author.clone(),
                    brand: self.world.brands[b].id.clone(),
                    reply_id: self.f.id.clone(),
                    reply_author: self.f.author.clone(),
                    customer_created_at,
                    reply_created_at: created,
                    first_response_secs: (created - customer_created_at).num_seconds(),
                    category: cv.category.unwrap_or(ReplyCategory::Late),
                });
            }
            Some(kind) => {
                truth.counts.follow_ups += 1;
                if matches!(kind, FollowUpKind::Churn | FollowUpKind::StillWaitingChurn) {
                    truth.counts.churn_threats += 1;
                    truth.churn_threats.push(CareSignal {
                        channel: channel.clone(),
                        id: self.f.id.clone(),
                    });
                }
                truth.follow_ups.push(CareFollowUp {
                    channel,
                    id: self.f.id.clone(),
                    customer_id: cv.customer_id.clone(),
                    author: cv.author.clone(),
                    created_at: created,
                    kind,
                    joins: if reply {
                        Joins::ReplyTo
                    } else {
                        Joins::SameAuthor
                    },
                    in_reply_to: reply.then(|| cv.reply_id.clone()),
                });
            }
        }
        Ok(())
    }

    fn flush_day(
        &mut self,
        signals: &mut dyn Write,
        labels: &mut csv::Writer<&mut dyn Write>,
    ) -> Result<(), SynthError> {
        let day = &mut self.day;
        day.records.sort_by_key(|r| (r.secs, r.order));
        for r in &day.records {
            day.out.extend_from_slice(&day.json[r.json.0..r.json.1]);
            day.out.push(b'\n');
        }
        signals.write_all(&day.out)?;
        for r in &day.records {
            let tp = r
                .touchpoint
                .and_then(|t| self.world.touchpoints.get(t))
                .map_or("", |t| t.id.as_str());
            labels.write_record([
                day.get(r.id),
                day.get(r.text),
                r.label.as_str(),
                tp,
                self.world.brands[r.brand].id.as_str(),
            ])?;
        }
        // Some of today's posts become threads people reply to later.
        let posts = day.records.iter().filter(|r| r.post).count();
        let step = (posts / 16).max(1);
        for r in day.records.iter().filter(|r| r.post).step_by(step) {
            self.threads[r.channel].remember(day.get(r.id), day.get(r.author));
        }
        Ok(())
    }

    fn time_of_day(&mut self, office: bool) -> u32 {
        let hour = if office {
            self.rng.sample(&self.hours_office)
        } else {
            self.rng.sample(&self.hours_public)
        } as u32;
        hour * 3600 + self.rng.gen_range(0..3600)
    }

    fn experience(&mut self, b: usize, t: Option<usize>, d: u32) -> f64 {
        let w = &self.world;
        let base = match t {
            Some(t) => w.quality[b][t] + w.incident_dip(b, t, d),
            None => w.brands[b].level,
        };
        let noise = if t.is_some() { EXPERIENCE_NOISE } else { 0.5 };
        (base + w.brands[b].drift(d) + noise * normal(&mut self.rng)).clamp(-1.0, 1.0)
    }

    /// Main and optional second touchpoint with their experiences; the main one
    /// is the one felt more strongly.
    fn topic_draw(
        &mut self,
        c: usize,
        b: usize,
        d: u32,
    ) -> (Option<usize>, f64, Option<(usize, f64)>) {
        let n_tp = self.world.touchpoints.len();
        let rng = &mut self.rng;
        let picked = match &self.world.channels[c].touchpoint_pick {
            Some(pick) if !rng.gen_bool(GENERAL_SHARE) => {
                let t1 = rng.sample(pick);
                let t2 = (n_tp > 1 && rng.gen_bool(TWO_TOUCHPOINT_SHARE)).then(|| {
                    let t2 = rng.sample(pick);
                    if t2 == t1 {
                        (t1 + 1 + rng.gen_range(0..n_tp - 1)) % n_tp
                    } else {
                        t2
                    }
                });
                Some((t1, t2))
            }
            _ => None,
        };
        let Some((t1, t2)) = picked else {
            let e = self.experience(b, None, d);
            return (None, e, None);
        };
        let e1 = self.experience(b, Some(t1), d);
        match t2 {
            Some(t2) => {
                let e2 = self.experience(b, Some(t2), d);
                if e2.abs() > e1.abs() {
                    (Some(t2), e2, Some((t1, e1)))
                } else {
                    (Some(t1), e1, Some((t2, e2)))
                }
            }
            None => (Some(t1), e1, None),
        }
    }

    /// Fills `buf` with a phrase for touchpoint `t`; returns (noun, plural, problem).
    /// States ("cancelled") are used only in complaints and questions, where
    /// they read naturally; praise names the touchpoint by a noun.
    fn phrase(
        rng: &mut ChaCha8Rng,
        world: &World,
        t: usize,
        want_noun: bool,
        buf: &mut String,
    ) -> (bool, bool, bool) {
        buf.clear();
        let tp = &world.touchpoints[t];
        let use_noun =
            !tp.nouns.is_empty() && (want_noun || tp.states.is_empty() || rng.gen_bool(0.92));
        let list = if use_noun { &tp.nouns } else { &tp.states };
        if list.is_empty() {
            return (false, false, false);
        }
        let phrase = &list[rng.gen_range(0..list.len())];
        buf.push_str(&phrase.text);
        let plural = use_noun && phrase.plural;
        (use_noun, plural, phrase.problem)
    }

    fn pick_competitor(rng: &mut ChaCha8Rng, world: &World, b: usize) -> Option<usize> {
        if world.brands.len() < 2 {
            return None;
        }
        for _ in 0..8 {
            let c = rng.sample(&world.brand_pick);
            if c != b {
                return Some(c);
            }
        }
        Some((b + 1) % world.brands.len())
    }

    fn write_author(&mut self, idx: u64) -> u64 {
        self.f.author.clear();
        author_handle(self.cfg.seed, idx, &mut self.f.author);
        author_followers(self.cfg.seed, idx)
    }

    fn write_customer(&mut self, b: usize) {
        let idx = self.rng.gen_range(0..self.pool);
        let number = 1_000_000 + (idx * 7_919 + splitmix(self.cfg.seed) % 1000) % 9_000_000;
        self.f.author.clear();
        let prefix = if self.world.brands[b].own {
            "cust"
        } else {
            "panel"
        };
        let _ = write!(self.f.author, "{prefix}-{number}");
    }

    fn write_id(&mut self, c: usize) {
        self.seq += 1;
        let seq = self.seq;
        let ch = &self.world.channels[c];
        self.f.id.clear();
        match ch.kind {
            Kind::Micro => {
                let _ = write!(
                    self.f.id,
                    "{}",
                    1_895_000_000_000_000_000u64 + seq * 4096 + splitmix(seq) % 4096
                );
            }
            Kind::Forum => {
                self.f.id.push_str("t1_");
                push_base36(&mut self.f.id, seq + 60_466_176);
            }
            _ => {
                let _ = write!(self.f.id, "{}-{:09}", ch.id, seq);
            }
        }
    }

    fn write_url(&mut self, c: usize, b: usize) -> bool {
        let ch = &self.world.channels[c];
        let id = ch.id.to_ascii_lowercase();
        let f = &mut self.f;
        f.url.clear();
        let slug = &self.world.brands[b].slug;
        match ch.kind {
            Kind::Micro => {
                let host = if id == "x" { "x.com" } else { "twitter.com" };
                let author = f.author.trim_start_matches('@');
                let _ = write!(f.url, "https://{host}/{author}/status/{}", f.id);
            }
            Kind::Social if id.contains("facebook") => {
                let _ = write!(
                    f.url,
                    "https://www.facebook.com/{slug}/posts/{}",
                    100_000_000_000u64 + self.seq * 13
                );
            }
            Kind::Social if id.contains("insta") => {
                f.url.push_str("https://www.instagram.com/p/");
                push_base36(&mut f.url, splitmix(self.seq) >> 20);
                f.url.push('/');
            }
            Kind::Professional => {
                let _ = write!(
                    f.url,
                    "https://www.linkedin.com/feed/update/urn:li:activity:{}/",
                    7_100_000_000_000_000_000u64 + self.seq * 977
                );
            }
            Kind::Video => {
                f.url.push_str("https://www.youtube.com/watch?v=");
                push_base36(&mut f.url, splitmix(self.seq ^ 0xABCD) >> 8);
            }
            Kind::Forum => {
                let _ = write!(
                    f.url,
                    "https://www.reddit.com/r/{slug}/comments/{}/",
                    f.id.trim_start_matches("t1_")
                );
            }
            Kind::Blog => {
                f.url.push_str("https://");
                f.url.extend(
                    f.author
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }),
                );
                let _ = write!(
                    f.url,
                    ".blog.example/{}/{}",
                    f.date.get(0..4).unwrap_or(""),
                    self.seq
                );
            }
            Kind::Review if !id.contains("app") => {
                let _ = write!(
                    f.url,
                    "https://www.{id}.com/review/{slug}-r{}",
                    900_000_000 + self.seq
                );
            }
            _ => return false,
        }
        true
    }

    /// Buffers one signal: serialises its record and remembers its label row.
    fn push(&mut self, meta: Meta) -> Result<(), SynthError> {
        let secs = self.time_of_day(meta.office);
        self.push_at(meta, secs)
    }

    /// Buffers one signal written `secs` into the day being written (`self.f.date`).
    fn push_at(&mut self, meta: Meta, secs: u32) -> Result<(), SynthError> {
        self.f.created.clear();
        let _ = write!(
            self.f.created,
            "{}T{:02}:{:02}:{:02}Z",
            self.f.date,
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
        let w = &self.world;
        let channel = &w.channels[meta.channel];
        let brand = &w.brands[meta.brand];
        if self.cfg.advocacy.enabled
            && self.social[meta.channel]
            && meta.source != Source::BrandReply
            && !self.f.author.is_empty()
        {
            let month = self.f.date.get(..7).unwrap_or_default().to_string();
            let e = self
                .author_months
                .entry((meta.brand, self.f.author.clone(), month))
                .or_default();
            e.0 += u32::from(meta.label == Label::Positive);
            e.1 += u32::from(meta.label == Label::Negative);
            e.2 += 1;
        }
        if self.cfg.advocacy.enabled && brand.own {
            if let Some((value, scale)) = meta.rating {
                if f64::from(value) >= scale.range().1 {
                    self.top_ratings.push(CareSignal {
                        channel: channel.id.clone(),
                        id: self.f.id.clone(),
                    });
                }
            }
        }
        let text = self.composer.text.as_str();
        let record = Record {
            id: &self.f.id,
            channel: &channel.id,
            brand: meta.brand_field.then_some(brand.id.as_str()),
            created_at: &self.f.created,
            author: &self.f.author,
            author_followers: meta.followers,
            text,
            rating: meta.rating.map(|r| r.0),
            rating_scale: meta.rating.map(|r| r.1.as_str()),
            stage_ratings: meta.stage_ratings.then_some(StageRatings {
                stages: &w.stages,
                values: &self.stage_buf,
            }),
            in_reply_to: meta.reply.then_some(self.f.parent_id.as_str()),
            url: meta.url.then_some(self.f.url.as_str()),
            lang: "en",
        };
        let start = self.day.json.len();
        serde_json::to_writer(&mut self.day.json, &record)?;
        let json = (start, self.day.json.len());
        let id = self.day.keep(&self.f.id);
        let author = self.day.keep(&self.f.author);
        let text = self.day.keep(text);
        self.day.records.push(DayRecord {
            secs,
            order: self.order,
            json,
            id,
            author,
            text,
            label: meta.label,
            touchpoint: meta.touchpoint,
            brand: meta.brand,
            channel: meta.channel,
            post: channel.kind.is_post()
                && !matches!(meta.source, Source::BrandReply | Source::FollowUp),
        });
        self.order += 1;

        let t = &mut self.tally;
        t.c.signals += 1;
        t.brand[meta.brand] += 1;
        t.channel[meta.channel] += 1;
        t.label[meta.label as usize] += 1;
        match meta.touchpoint {
            Some(tp) => t.touchpoint[tp] += 1,
            None => t.c.without_touchpoint += 1,
        }
        if meta.two {
            t.c.two_touchpoints += 1;
        }
        if meta.brand_field {
            t.c.with_brand_field += 1;
        }
        if meta.reply {
            t.c.replies += 1;
        }
        match meta.source {
            Source::Survey => t.c.surveys += 1,
            Source::Incident => t.c.incident_signals += 1,
            Source::Advocate => t.c.advocate_signals += 1,
            Source::Idea => t.c.idea_signals += 1,
            Source::BrandReply => t.c.brand_replies += 1,
            Source::FollowUp => t.c.follow_ups += 1,
            Source::Regular => {}
        }
        match channel.kind {
            Kind::Review if meta.source != Source::Survey => t.c.reviews += 1,
            k if k.is_agent() && meta.source != Source::Survey => t.c.agent_notes += 1,
            k if k.is_post() => t.c.posts += 1,
            _ => {}
        }
        Ok(())
    }

    fn regular(&mut self, d: u32, year: i32) -> Result<(), SynthError> {
        let Some(pick) = &self.world.channel_pick else {
            return Ok(());
        };
        let c = self.rng.sample(pick);
        let kind = self.world.channels[c].kind;
        if kind.is_own_system() {
            let b = self.world.own_ids[self.rng.sample(&self.world.own_pick)];
            if kind.is_agent() {
                return self.agent(c, b, d, year);
            }
            return self.public(c, b, d, year);
        }
        let b = self.rng.sample(&self.world.brand_pick);
        self.public(c, b, d, year)
    }

    /// Public post, review or web form on channel `c` about brand `b`.
    /// An everyday public post, review or web form on channel `c` about brand `b`.
    fn public(&mut self, c: usize, b: usize, d: u32, year: i32) -> Result<(), SynthError> {
        let kind = self.world.channels[c].kind;
        let (t1, e1, second) = self.topic_draw(c, b, d);
        let e1 = if kind == Kind::Complaint {
            // Nobody writes to a regulator about a good experience.
            (e1 - 0.8).max(-1.0)
        } else if self.rng.gen_bool(INFORMATIONAL_SHARE) {
            // Some posts only ask or inform: no experience to speak of.
            0.05 * normal(&mut self.rng)
        } else {
            e1
        };
        self.emit_public(Draft {
            channel: c,
            brand: b,
            year,
            source: Source::Regular,
            touchpoint: t1,
            experience: e1,
            second,
            advocate: None,
        })
    }

    /// Composes and buffers a public post, review or web form.
    fn emit_public(&mut self, draft: Draft) -> Result<(), SynthError> {
        let Draft {
            channel: c,
            brand: b,
            year,
            source,
            touchpoint: t1,
            experience: e1,
            second,
            advocate,
        } = draft;
        let kind = self.world.channels[c].kind;
        let style = self.world.channels[c].style;
        if self.social[c] {
            if let Some(x) = self.brand_experience.get_mut(b) {
                x.0 += e1;
                x.1 += 1;
            }
        }
        let rng = &mut self.rng;
        let w = &self.world;
        let tone = match advocate {
            Some(_) if e1 > 0.55 => Tone::StrongPos,
            Some(_) => Tone::MildPos,
            None => tone_of(e1, rng),
        };
        let label = Label::of(e1);
        let (noun, plural, problem) = match t1 {
            Some(t) => Self::phrase(rng, w, t, tone.polarity() > 0, &mut self.f.tp),
            None => (false, false, false),
        };
        let tp2 = match second {
            Some((t2, e2)) if !w.touchpoints[t2].nouns.is_empty() => {
                let (_, p2, problem2) = Self::phrase(rng, w, t2, true, &mut self.f.tp2);
                Some((p2, problem2, tone_of(e2, rng)))
            }
            _ => None,
        };
        let brand_field = match kind {
            Kind::Review | Kind::WebForm | Kind::Complaint => true,
            _ => rng.gen_bool(style.brand_field),
        };
        let bp = &w.brands[b];
        let handle = !bp.handles.is_empty() && rng.gen_bool(style.handle);
        let mention: &str = if handle {
            &bp.handles[rng.gen_range(0..bp.handles.len())]
        } else if bp.names.len() > 1 && rng.gen_bool(0.35) {
            &bp.names[rng.gen_range(1..bp.names.len())]
        } else {
            &bp.names[0]
        };
        let comp = Self::pick_competitor(rng, w, b);
        let competitor: &str = match comp {
            Some(x) if handle && !w.brands[x].handles.is_empty() && rng.gen_bool(0.5) => {
                &w.brands[x].handles[0]
            }
            Some(x) => &w.brands[x].names[0],
            None => "the competition",
        };
        let polarity = tone.polarity();
        let extras = Extras {
            churn: polarity < 0 && rng.gen_bool(if tone == Tone::StrongNeg { 0.3 } else { 0.12 }),
            intent: polarity >= 0
                && advocate.is_none()
                && rng.gen_bool(if polarity == 0 { 0.15 } else { 0.1 }),
            suggestion: polarity <= 0 && rng.gen_bool(0.08),
            question: source == Source::Incident && rng.gen_bool(0.4),
            advocacy: advocate.is_some() && rng.gen_bool(0.5),
        };
        // Replies reach back to an earlier post on the same channel.
        let reply = source == Source::Regular
            && rng.gen_bool(style.reply)
            && !self.threads[c].ids.is_empty();
        if reply {
            let th = &self.threads[c];
            let i = rng.gen_range(0..th.ids.len());
            self.f.parent_id.clear();
            self.f.parent_id.push_str(&th.ids[i]);
            self.f.parent_author.clear();
            self.f.parent_author.push_str(&th.authors[i]);
        }
        let topic = Topic {
            tp: t1.map(|_| self.f.tp.as_str()),
            tp_noun: noun,
            tp_plural: plural,
            tp_problem: problem,
            tp2: tp2.map(|(plural, problem, tone)| Second {
                phrase: self.f.tp2.as_str(),
                plural,
                problem,
                tone,
            }),
            brand: mention,
            brand_again: if handle {
                bp.names[0].as_str()
            } else {
                mention
            },
            brand_tag: &bp.hashtag,
            competitor,
            year,
        };
        let dress = Dress {
            kind,
            style,
            brand_field,
            reply_to: reply.then_some(self.f.parent_author.as_str()),
            incident: source == Source::Incident,
        };
        self.composer
            .post(&self.banks, tone, &topic, extras, &dress, rng);
        // An own-brand complaint or question where the brand can answer in
        // place starts a care conversation (see `plant_care`).
        let care = advocate.is_none()
            && !reply
            && self.care.answer[c]
            && self.care.handles[b].is_some()
            && (label == Label::Negative || self.composer.asked)
            && (brand_field || names_brand(&self.composer.text, &self.world.brands[b]));

        let rating = (kind == Kind::Review).then(|| {
            let stars = (3.0 + 2.2 * e1 + 0.45 * normal(rng))
                .round()
                .clamp(1.0, 5.0) as u8;
            (stars, RatingScale::Stars5)
        });
        let followers = match advocate {
            Some(a) => {
                let adv = &self.world.advocates[a];
                self.f.author.clear();
                self.f.author.push_str(&adv.handle);
                Some(adv.followers)
            }
            None if matches!(kind, Kind::WebForm | Kind::Complaint) => {
                self.write_customer(b);
                None
            }
            None => {
                let idx = if care {
                    // Each care conversation has an author of its own.
                    self.care.authors += 1;
                    self.pool + CARE_AUTHOR_OFFSET + self.care.authors
                } else {
                    let u: f64 = self.rng.gen();
                    ((self.pool as f64) * u.powf(1.6)) as u64
                };
                let followers = self.write_author(idx);
                kind.is_post().then_some(followers)
            }
        };
        self.write_id(c);
        let url = self.rng.gen_bool(0.8) && self.write_url(c, b);
        let meta = Meta {
            channel: c,
            brand: b,
            brand_field,
            label,
            touchpoint: t1,
            two: tp2.is_some(),
            source,
            reply,
            office: false,
            followers,
            rating,
            stage_ratings: false,
            url,
        };
        let secs = self.time_of_day(false);
        self.push_at(meta, secs)?;
        if self.composer.churned && self.world.brands[b].own && self.care.care[c] {
            self.care.truth.counts.churn_threats += 1;
            self.care.truth.churn_threats.push(CareSignal {
                channel: self.world.channels[c].id.clone(),
                id: self.f.id.clone(),
            });
        }
        if care {
            let at = u64::from(self.today) * DAY_SECS + u64::from(secs);
            self.plant_care(c, b, at, followers);
        }
        Ok(())
    }

    fn agent(&mut self, c: usize, b: usize, d: u32, year: i32) -> Result<(), SynthError> {
        let (t1, e1, second) = self.topic_draw(c, b, d);
        // People mostly get in touch when something is wrong.
        let e1 = if e1 > -0.2 && self.rng.gen_bool(0.35) {
            e1 - 0.6
        } else {
            e1
        };
        let rng = &mut self.rng;
        let w = &self.world;
        let kind = w.channels[c].kind;
        let style = w.channels[c].style;
        let tone = tone_of(e1, rng);
        let (noun, plural, problem) = match t1 {
            Some(t) => Self::phrase(rng, w, t, tone.polarity() > 0, &mut self.f.tp),
            None => (false, false, false),
        };
        let tp2 = match second {
            Some((t2, e2)) if !w.touchpoints[t2].nouns.is_empty() => {
                let (_, p2, problem2) = Self::phrase(rng, w, t2, true, &mut self.f.tp2);
                Some((p2, problem2, tone_of(e2, rng)))
            }
            _ => None,
        };
        let comp = Self::pick_competitor(rng, w, b);
        let topic = Topic {
            tp: t1.map(|_| self.f.tp.as_str()),
            tp_noun: noun,
            tp_plural: plural,
            tp_problem: problem,
            tp2: tp2.map(|(plural, problem, tone)| Second {
                phrase: self.f.tp2.as_str(),
                plural,
                problem,
                tone,
            }),
            brand: &w.brands[b].names[0],
            brand_again: &w.brands[b].names[0],
            brand_tag: &w.brands[b].hashtag,
            competitor: comp.map_or("the competition", |x| w.brands[x].names[0].as_str()),
            year,
        };
        self.composer
            .agent_note(&self.banks, tone, &topic, kind, rng, &style);
        self.write_customer(b);
        self.write_id(c);
        let meta = Meta {
            channel: c,
            brand: b,
            brand_field: true,
            label: Label::of(e1),
            touchpoint: t1,
            two: tp2.is_some(),
            source: Source::Regular,
            reply: false,
            office: true,
            followers: None,
            rating: None,
            stage_ratings: false,
            url: false,
        };
        self.push(meta)
    }

    fn survey_response(&mut self, d: u32, year: i32) -> Result<(), SynthError> {
        let Some(c) = self.world.survey_channel else {
            return Ok(());
        };
        let b = self.rng.sample(&self.world.survey_brand_pick);
        let overall = self
            .survey
            .draw(&self.world, b, d, &mut self.rng, &mut self.stage_buf);
        let week = ((d + self.week_offset) / 7) as usize;
        if let Some(slot) = self.weekly[b].get_mut(week) {
            slot.0 += survey::csat_points(overall);
            slot.1 += 1;
        }
        let rng = &mut self.rng;
        let w = &self.world;
        let (label, tone) = match overall {
            5 => (
                Label::Positive,
                if rng.gen_bool(0.7) {
                    Tone::StrongPos
                } else {
                    Tone::MildPos
                },
            ),
            4 => (Label::Positive, Tone::MildPos),
            3 => (Label::Neutral, Tone::Neutral),
            2 => (
                Label::Negative,
                if rng.gen_bool(0.6) {
                    Tone::MildNeg
                } else {
                    Tone::Factual
                },
            ),
            _ => (
                Label::Negative,
                if rng.gen_bool(0.7) {
                    Tone::StrongNeg
                } else {
                    Tone::Factual
                },
            ),
        };
        // The comment names a touchpoint of the stage that drove the answer.
        let mut touchpoint = None;
        if !w.touchpoints.is_empty() && rng.gen_bool(0.75) {
            let n = self.stage_buf.len();
            let stage = match label {
                Label::Neutral => rng.gen_range(0..n),
                _ => {
                    let best = |s: usize| {
                        let r = i32::from(self.stage_buf[s]);
                        if label == Label::Positive {
                            r
                        } else {
                            -r
                        }
                    };
                    let top = (0..n).map(best).max().unwrap_or(0);
                    let ties: Vec<usize> = (0..n).filter(|&s| best(s) == top).collect();
                    ties[rng.gen_range(0..ties.len())]
                }
            };
            let sign = match label {
                Label::Positive => 3.0,
                Label::Negative => -3.0,
                Label::Neutral => 0.0,
            };
            let candidates: Vec<(usize, f64)> = w
                .touchpoints
                .iter()
                .enumerate()
                .filter(|(_, t)| t.stage == stage)
                .map(|(i, _)| (i, (sign * w.quality[b][i]).exp()))
                .collect();
            let total: f64 = candidates.iter().map(|x| x.1).sum();
            let mut u = rng.gen::<f64>() * total;
            for (i, weight) in &candidates {
                touchpoint = Some(*i);
                if u < *weight {
                    break;
                }
                u -= weight;
            }
        }
        let (noun, plural, problem) = match touchpoint {
            Some(t) => Self::phrase(rng, w, t, tone.polarity() > 0, &mut self.f.tp),
            None => (false, false, false),
        };
        let topic = Topic {
            tp: touchpoint.map(|_| self.f.tp.as_str()),
            tp_noun: noun,
            tp_plural: plural,
            tp_problem: problem,
            tp2: None,
            brand: &w.brands[b].names[0],
            brand_again: &w.brands[b].names[0],
            brand_tag: &w.brands[b].hashtag,
            competitor: "the competition",
            year,
        };
        let style = w.channels[c].style;
        let style = if w.channels[c].kind == Kind::Survey {
            style
        } else {
            crate::plan::Style {
                emoji: 0.0,
                hashtag: 0.0,
                link: 0.0,
                ..style
            }
        };
        self.composer
            .survey_comment(&self.banks, tone, &topic, rng, &style);
        self.write_customer(b);
        self.write_id(c);
        let meta = Meta {
            channel: c,
            brand: b,
            brand_field: true,
            label,
            touchpoint,
            two: false,
            source: Source::Survey,
            reply: false,
            office: false,
            followers: None,
            rating: Some((overall, survey::SCALE)),
            stage_ratings: true,
            url: false,
        };
        self.push(meta)
    }

    fn incident_post(&mut self, i: usize, year: i32) -> Result<(), SynthError> {
        let Some(pick) = &self.spike_channels else {
            return Ok(());
        };
        let c = self.rng.sample(pick);
        let inc = &self.world.incidents[i];
        let (b, t) = (inc.brand, inc.touchpoint);
        let q = self.world.quality[b].get(t).copied().unwrap_or(0.0);
        let e = ((q - 0.9).min(-0.2) + 0.3 * normal(&mut self.rng)).clamp(-1.0, 1.0);
        self.emit_public(Draft {
            channel: c,
            brand: b,
            year,
            source: Source::Incident,
            touchpoint: Some(t),
            experience: e,
            second: None,
            advocate: None,
        })
    }

    fn advocate_post(&mut self, a: usize, year: i32) -> Result<(), SynthError> {
        let Some(pick) = &self.post_channels else {
            return Ok(());
        };
        let c = self.rng.sample(pick);
        let adv = &self.world.advocates[a];
        let b = adv.brand;
        let t = if !adv.favourites.is_empty() && self.rng.gen_bool(0.7) {
            Some(adv.favourites[self.rng.gen_range(0..adv.favourites.len())])
        } else {
            None
        };
        let e = (0.55 + 0.25 * normal(&mut self.rng).abs()).min(1.0);
        self.emit_public(Draft {
            channel: c,
            brand: b,
            year,
            source: Source::Advocate,
            touchpoint: t,
            experience: e,
            second: None,
            advocate: Some(a),
        })
    }

    /// A suggestion of planted idea theme `i` (see `crate::ideas`).
    fn idea_post(&mut self, i: usize) -> Result<(), SynthError> {
        let Some(pick) = &self.post_channels else {
            return Ok(());
        };
        let c = self.rng.sample(pick);
        let (b, theme) = (self.world.ideas[i].brand, self.world.ideas[i].theme);
        let th = &crate::ideas::THEMES[theme];
        let object = th.objects[self.rng.gen_range(0..th.objects.len())];
        let frame = crate::ideas::FRAMES[self.rng.gen_range(0..crate::ideas::FRAMES.len())];
        let bp = &self.world.brands[b];
        let mention = if !bp.handles.is_empty() && self.rng.gen_bool(0.4) {
            bp.handles[self.rng.gen_range(0..bp.handles.len())].clone()
        } else {
            bp.names[0].clone()
        };
        let text = frame.replace("{b}", &mention).replace("{x}", object);
        self.composer.text.clear();
        self.composer.text.push_str(&text);
        let brand_field = self.rng.gen_bool(0.3);
        let u: f64 = self.rng.gen();
        let idx = ((self.pool as f64) * u.powf(1.6)) as u64;
        let followers = self.write_author(idx);
        self.write_id(c);
        let url = self.rng.gen_bool(0.8) && self.write_url(c, b);
        self.idea_signals[i].push(CareSignal {
            channel: self.world.channels[c].id.clone(),
            id: self.f.id.clone(),
        });
        let meta = Meta {
            channel: c,
            brand: b,
            brand_field,
            label: Label::Neutral,
            touchpoint: None,
            two: false,
            source: Source::Idea,
            reply: false,
            office: false,
            followers: self.world.channels[c].kind.is_post().then_some(followers),
            rating: None,
            stage_ratings: false,
            url,
        };
        self.push(meta)
    }

    /// Writes weekly outcomes for every complete week; returns the realised weekly CSAT.
    fn write_outcomes(
        &mut self,
        outcomes: &mut dyn Write,
    ) -> Result<BTreeMap<String, BTreeMap<NaiveDate, f64>>, SynthError> {
        let monday0 = self.world.start - Days::new(u64::from(self.week_offset));
        let weeks: Vec<usize> = (0..self.weekly.first().map_or(0, Vec::len))
            .filter(|&w| {
                let first = (w as i64) * 7 - i64::from(self.week_offset);
                first >= 0 && first + 6 < i64::from(self.world.days)
            })
            .collect();
        let mut out = csv::Writer::from_writer(outcomes);
        out.write_record(["period", "brand", "revenue", "customers", "return_visits"])?;
        let mut weekly_csat = BTreeMap::new();
        // Realised CSAT per brand-week and its mean per brand (over weeks with surveys).
        let csat: Vec<Vec<Option<f64>>> = self
            .weekly
            .iter()
            .map(|wk| {
                weeks
                    .iter()
                    .map(|&w| (wk[w].1 > 0).then(|| wk[w].0 / wk[w].1 as f64))
                    .collect()
            })
            .collect();
        let means: Vec<f64> = csat
            .iter()
            .map(|v| {
                let vals: Vec<f64> = v.iter().flatten().copied().collect();
                if vals.is_empty() {
                    0.0
                } else {
                    vals.iter().sum::<f64>() / vals.len() as f64
                }
            })
            .collect();
        for (wi, &w) in weeks.iter().enumerate() {
            let period = monday0 + Days::new(w as u64 * 7);
            let season = 1.0
                + SEASONALITY
                    * (std::f64::consts::TAU * w as f64 / 26.0 + self.world.seasonality_phase)
                        .sin();
            for (b, brand) in self.world.brands.iter().enumerate() {
                let dev = csat[b][wi].map_or(0.0, |x| x - means[b]);
                let revenue = brand.revenue_base
                    * season
                    * (REVENUE_PER_CSAT_POINT * dev + REVENUE_NOISE * normal(&mut self.rng)).exp();
                let customers = brand.customers_base
                    * season
                    * (CUSTOMERS_PER_CSAT_POINT * dev + 0.006 * normal(&mut self.rng)).exp();
                let returns = customers
                    * brand.return_rate
                    * ((RETURNS_PER_CSAT_POINT - CUSTOMERS_PER_CSAT_POINT) * dev
                        + 0.008 * normal(&mut self.rng))
                    .exp();
                let mut revenue_s = String::with_capacity(16);
                let _ = write!(revenue_s, "{revenue:.2}");
                out.write_record([
                    period.format("%Y-%m-%d").to_string().as_str(),
                    brand.id.as_str(),
                    revenue_s.as_str(),
                    format!("{}", customers.round() as u64).as_str(),
                    format!("{}", returns.round() as u64).as_str(),
                ])?;
                if let Some(x) = csat[b][wi] {
                    weekly_csat
                        .entry(brand.id.clone())
                        .or_insert_with(BTreeMap::new)
                        .insert(period, round_to(x, 3));
                }
            }
        }
        out.flush()?;
        Ok(weekly_csat)
    }

    fn truth(self, weekly_csat: BTreeMap<String, BTreeMap<NaiveDate, f64>>) -> Truth {
        let w = &self.world;
        let m = self.model;
        let by =
            |ids: &mut dyn Iterator<Item = &String>, values: &[u64]| -> BTreeMap<String, u64> {
                ids.zip(values).map(|(id, v)| (id.clone(), *v)).collect()
            };
        let mut counts = self.tally.c.clone();
        counts.by_brand = by(&mut w.brands.iter().map(|b| &b.id), &self.tally.brand);
        counts.by_channel = by(&mut w.channels.iter().map(|c| &c.id), &self.tally.channel);
        counts.by_touchpoint = by(
            &mut w.touchpoints.iter().map(|t| &t.id),
            &self.tally.touchpoint,
        );
        counts.by_sentiment = [Label::Negative, Label::Neutral, Label::Positive]
            .iter()
            .map(|l| (l.as_str().to_string(), self.tally.label[*l as usize]))
            .collect();
        let stage_map = |values: &[f64], digits: i32| -> BTreeMap<String, f64> {
            w.stages
                .iter()
                .zip(values)
                .map(|(s, v)| (s.clone(), round_to(*v, digits)))
                .collect()
        };
        let date = |d: u32| w.start + Days::new(u64::from(d));
        let cc = &self.cfg.care;
        let mut care = self.care.truth;
        care.handles = w
            .brands
            .iter()
            .zip(&self.care.handles)
            .filter_map(|(b, h)| h.as_ref().map(|h| (b.id.clone(), h.clone())))
            .collect();
        care.within_min_secs = WITHIN_MIN_SECS as i64;
        care.within_max_secs = i64::from(cc.within_max_minutes) * 60;
        care.late_min_secs = i64::from(cc.late_min_hours) * 3600;
        care.late_max_secs = i64::from(cc.late_max_hours) * 3600;
        care.rule = format!(
            "an own-brand customer post labelled negative or asking something, on a care-able channel where the brand \
             answers in place (micro-blogs, social networks, LinkedIn, video, forums), not itself a reply nor an advocate's, \
             is answered within {}-{} s ({}%), late {}-{} s ({}%) or never (the rest; also when the answer would fall after \
             the last day); delays log-uniform; one reply per post, from the brand's care handle, in_reply_to the post; \
             in {}% of conversations the customer writes again: after a reply in_reply_to it (thanks, unhappy, churn), \
             or with no answer yet a plain post on the same channel 1-8 h later (still waiting, or a churn threat)",
            care.within_min_secs,
            care.within_max_secs,
            cc.within_percent,
            care.late_min_secs,
            care.late_max_secs,
            cc.late_percent,
            cc.follow_up_percent,
        );
        Truth {
            generator: format!("tce-synth {}", env!("CARGO_PKG_VERSION")),
            seed: self.cfg.seed,
            template: m.template.clone(),
            start: w.start,
            end: date(w.days.saturating_sub(1)),
            days: w.days,
            counts,
            brand_shares: w.brands.iter().map(|b| (b.id.clone(), b.share)).collect(),
            stage_weights: stage_map(&w.stage_weights, 4),
            touchpoint_quality: w
                .brands
                .iter()
                .zip(&w.quality)
                .map(|(b, q)| (b.id.clone(), w.touchpoints.iter().zip(q).map(|(t, v)| (t.id.clone(), *v)).collect()))
                .collect(),
            stage_quality: w
                .brands
                .iter()
                .zip(&w.stage_quality)
                .map(|(b, q)| (b.id.clone(), stage_map(q, 3)))
                .collect(),
            labels: LabelRule {
                neutral_band: NEUTRAL_BAND,
                rule: format!(
                    "each signal has a latent experience in -1..1 (touchpoint quality + brand drift + incident dip + noise); \
                     label = negative below -{NEUTRAL_BAND}, positive above {NEUTRAL_BAND}, else neutral; \
                     survey labels follow the overall rating (4-5 positive, 3 neutral, 1-2 negative)"
                ),
            },
            survey: SurveyTruth {
                channel: w.survey_channel.map(|c| w.channels[c].id.clone()),
                scale: survey::SCALE.as_str().to_string(),
                model: "stage ratings drawn independently (mean 3.55 + 1.3 x stage quality); \
                        overall = round(intercept + k * sum_s sqrt(w_s) * (r_s - mean_s) / sd_s + noise), clamped to 1..5"
                    .to_string(),
                intercept: survey::OVERALL_INTERCEPT,
                k: survey::OVERALL_K,
                noise_sd: survey::OVERALL_NOISE,
                stage_mean: stage_map(&self.survey.mean, 4),
                stage_sd: stage_map(&self.survey.sd, 4),
            },
            elasticity: Elasticity {
                revenue_per_csat_point: REVENUE_PER_CSAT_POINT,
                customers_per_csat_point: CUSTOMERS_PER_CSAT_POINT,
                return_visits_per_csat_point: RETURNS_PER_CSAT_POINT,
                driver: "weekly mean survey overall rating on 0–100".to_string(),
                model: "ln(revenue) = brand FE + β·CSAT + ε".to_string(),
                seasonality_amplitude: SEASONALITY,
                revenue_noise_sd: REVENUE_NOISE,
            },
            weekly_csat,
            incidents: w
                .incidents
                .iter()
                .map(|i| Incident {
                    brand: w.brands[i.brand].id.clone(),
                    touchpoint: w.touchpoints[i.touchpoint].id.clone(),
                    stage: w.stages[w.touchpoints[i.touchpoint].stage].clone(),
                    start: date(i.start_day),
                    end: date(i.start_day + i.days - 1),
                    multiplier: i.multiplier,
                    baseline_per_day: i.baseline_per_day,
                    extra_signals: i.extra.iter().sum(),
                })
                .collect(),
            advocates: w
                .advocates
                .iter()
                .map(|a| Advocate {
                    author: a.handle.clone(),
                    brand: w.brands[a.brand].id.clone(),
                    posts: a.days.len() as u64,
                    followers: a.followers,
                })
                .collect(),
            advocacy: if self.cfg.advocacy.enabled {
                AdvocacyTruth {
                    rule: "advocates per brand: advocates_per_brand x clamp(1 + 2.5 x brand level, 0.25, 2); brand_quality: the mean planted (latent) experience of the brand's posts and care follow-ups on social channels (+/-0.5 by their label); net_advocacy: per brand, among (author, month) pairs with 2+ signals on social channels, the share with more positive than negative planted labels minus the share with more negative than positive, in points, \
                           each posting 3+ positive posts (half with recommending language) on random days about the brand's best touchpoints; \
                           idea themes: themes_per_brand random themes per brand, each a few dozen suggestions in varied frames and phrasings \
                           by everyday authors; top_ratings: own brands' reviews and survey answers at the top of their scale"
                        .to_string(),
                    brand_quality: w
                        .brands
                        .iter()
                        .zip(&self.brand_experience)
                        .map(|(b, (sum, n))| {
                            (b.id.clone(), round_to(sum / (*n).max(1) as f64, 4))
                        })
                        .collect(),
                    net_advocacy: {
                        // eligible, advocates, detractors per brand.
                        let mut c = vec![[0u64; 3]; w.brands.len()];
                        for ((b, _, _), (pos, neg, n)) in &self.author_months {
                            if *n >= 2 {
                                c[*b][0] += 1;
                                c[*b][1] += u64::from(pos > neg);
                                c[*b][2] += u64::from(neg > pos);
                            }
                        }
                        w.brands
                            .iter()
                            .zip(c)
                            .map(|(b, [e, a, d])| {
                                let v = if e == 0 {
                                    0.0
                                } else {
                                    100.0 * (a as f64 - d as f64) / e as f64
                                };
                                (b.id.clone(), round_to(v, 2))
                            })
                            .collect()
                    },
                    advocates: w
                        .brands
                        .iter()
                        .zip(&w.brand_advocates)
                        .map(|(b, list)| {
                            (
                                b.id.clone(),
                                list.iter().map(|&a| w.advocates[a].handle.clone()).collect(),
                            )
                        })
                        .collect(),
                    ideas: w
                        .ideas
                        .iter()
                        .zip(self.idea_signals)
                        .map(|(p, signals)| IdeaTheme {
                            brand: w.brands[p.brand].id.clone(),
                            theme: crate::ideas::THEMES[p.theme].id.to_string(),
                            label: crate::ideas::THEMES[p.theme].label.to_string(),
                            signals,
                        })
                        .collect(),
                    top_ratings: self.top_ratings,
                }
            } else {
                AdvocacyTruth::default()
            },
            care,
        }
    }
}

fn push_base36(out: &mut String, mut x: u64) {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = DIGITS[(x % 36) as usize];
        x /= 36;
        if x == 0 || i == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}
