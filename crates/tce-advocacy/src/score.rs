//! Per-author advocacy: the aggregate the pipeline keeps for each
//! (brand, author), the score and class read from it, and net advocacy.
//!
//! An aggregate is a handful of counters updated one signal at a time
//! ([`AuthorAggregate::observe`]), so the store keeps one small row per
//! author and brand (and per author, brand and month for net advocacy) and
//! never rescans signals. The score is read from it at a given `now`.

use aho_corasick::AhoCorasick;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use tce_model::{EnrichedSignal, Intent, SentimentLabel};

/// An experience value at or above this is a positive experience.
pub const POSITIVE_AT: f64 = 0.25;
/// An experience value at or below this is a negative experience.
pub const NEGATIVE_AT: f64 = -0.25;
/// Fewest signals about a brand in a period for an author to count in net
/// advocacy (and to be classed at all).
pub const MIN_SIGNALS: u32 = 2;
/// Followers from which a detractor is influential (their complaints rank
/// higher in care).
pub const INFLUENTIAL_FOLLOWERS: u64 = 1_000;
/// Half-life of recency, in days.
pub const RECENCY_HALF_LIFE_DAYS: f64 = 30.0;

/// Phrases of recommending language (lower case, matched on word
/// boundaries): an author telling others to choose the brand.
const RECOMMENDING: &[&str] = &[
    "recommend",
    "recommended",
    "recommending",
    "go for it",
    "go with",
    "you won't regret",
    "you will not regret",
    "must try",
    "try them",
    "give them a try",
    "fan for life",
    "keep coming back",
    "always choose",
    "never disappointed",
    "told all my friends",
    "tell everyone",
    "if you haven't tried",
    "best ever",
    "highly recommend",
    "can't recommend",
];

/// What one signal says about its author's advocacy for its brand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// When it was said.
    pub at: DateTime<Utc>,
    /// Experience value −1…1 (the rating when rated, else the sentiment).
    pub experience: f64,
    /// A positive experience.
    pub positive: bool,
    /// A negative experience.
    pub negative: bool,
    /// Complains.
    pub complaint: bool,
    /// Threatens to leave.
    pub churn: bool,
    /// Praises.
    pub praise: bool,
    /// Uses recommending language (or praise with a recommendation).
    pub recommends: bool,
    /// Author's followers when the signal says.
    pub followers: Option<u64>,
}

/// The phrases of [`RECOMMENDING`] as one automaton (case-insensitive), built
/// once: every customer signal is checked on ingest.
static RECOMMENDING_MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(RECOMMENDING)
        .ok()
});

/// Whether `text` recommends (see the phrase list in `docs/advocacy.md`):
/// one of the phrases, on word boundaries, in any case.
pub fn recommends(text: &str) -> bool {
    let Some(matcher) = RECOMMENDING_MATCHER.as_ref() else {
        let lower = text.to_lowercase();
        return RECOMMENDING.iter().any(|p| contains_words(&lower, p));
    };
    let bytes = text.as_bytes();
    matcher.find_overlapping_iter(text).any(|m| {
        let before = m.start() == 0 || !bytes[m.start() - 1].is_ascii_alphanumeric();
        let after = m.end() >= bytes.len() || !bytes[m.end()].is_ascii_alphanumeric();
        before && after
    })
}

fn contains_words(hay: &str, needle: &str) -> bool {
    let bytes = hay.as_bytes();
    let mut from = 0;
    while let Some(pos) = hay[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let after = end >= bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if before && after {
            return true;
        }
        from = start + 1;
        while from < hay.len() && !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

impl Observation {
    /// What an enriched customer signal says.
    pub fn of(s: &EnrichedSignal) -> Observation {
        let e = &s.enrichment;
        let has = |i: Intent| e.intents.iter().any(|x| x.intent == i);
        let experience = e.experience_value;
        let positive = experience >= POSITIVE_AT
            || (s.signal.rating.is_none() && e.sentiment_label == SentimentLabel::Positive);
        let negative = experience <= NEGATIVE_AT
            || (s.signal.rating.is_none() && e.sentiment_label == SentimentLabel::Negative);
        let praise = has(Intent::Praise);
        Observation {
            at: s.signal.created_at,
            experience,
            positive: positive && !negative,
            negative,
            complaint: has(Intent::Complaint),
            churn: has(Intent::ChurnRisk),
            praise,
            recommends: !negative && recommends(&s.signal.text),
            followers: s.signal.author_followers,
        }
    }
}

/// Days since the Unix epoch of an instant (UTC), the unit of consistency.
pub fn day_number(at: DateTime<Utc>) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (at.date_naive() - epoch).num_days() as i32
}

/// The running aggregate of one author's signals about one brand (overall
/// or within one period).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthorAggregate {
    /// Signals.
    pub signals: u32,
    /// With a positive experience.
    pub positive: u32,
    /// With a negative experience.
    pub negative: u32,
    /// Complaints.
    pub complaints: u32,
    /// Churn threats.
    pub churn: u32,
    /// Praise.
    pub praise: u32,
    /// With recommending language.
    pub recommends: u32,
    /// Sum of experience values.
    pub experience_sum: f64,
    /// Most followers seen.
    pub followers: u64,
    /// Distinct days with a positive signal (counted when a positive signal
    /// falls on a day other than `last_positive_day`).
    pub positive_days: u32,
    /// Day number ([`day_number`]) of the latest positive signal.
    pub last_positive_day: Option<i32>,
    /// First signal.
    pub first_at: Option<DateTime<Utc>>,
    /// Latest signal.
    pub last_at: Option<DateTime<Utc>>,
}

impl AuthorAggregate {
    /// Folds one signal in.
    pub fn observe(&mut self, o: &Observation) {
        self.signals += 1;
        self.positive += u32::from(o.positive);
        self.negative += u32::from(o.negative);
        self.complaints += u32::from(o.complaint);
        self.churn += u32::from(o.churn);
        self.praise += u32::from(o.praise);
        self.recommends += u32::from(o.recommends);
        self.experience_sum += o.experience;
        if let Some(f) = o.followers {
            self.followers = self.followers.max(f);
        }
        if o.positive {
            let day = day_number(o.at);
            if self.last_positive_day != Some(day) {
                self.positive_days += 1;
                if self.last_positive_day.is_none_or(|d| day > d) {
                    self.last_positive_day = Some(day);
                }
            }
        }
        self.first_at = Some(self.first_at.map_or(o.at, |f| f.min(o.at)));
        self.last_at = Some(self.last_at.map_or(o.at, |l| l.max(o.at)));
    }

    /// Mean experience value.
    pub fn mean_experience(&self) -> f64 {
        if self.signals == 0 {
            0.0
        } else {
            self.experience_sum / f64::from(self.signals)
        }
    }

    /// Advocate, detractor, neither, or too few signals to say.
    pub fn class(&self) -> AuthorClass {
        class_of(self.signals, self.positive, self.negative, self.churn)
    }

    /// A detractor with reach: repeated negative signals and at least
    /// [`INFLUENTIAL_FOLLOWERS`] followers.
    pub fn influential_detractor(&self) -> bool {
        self.class() == AuthorClass::Detractor
            && self.negative >= 2
            && self.followers >= INFLUENTIAL_FOLLOWERS
    }

    /// The advocacy score without recency (what the store indexes; see
    /// [`AuthorAggregate::score`]).
    pub fn base_score(&self) -> f64 {
        self.points().iter().sum()
    }

    /// Points of positive experience, recommending, reach, consistency and
    /// against, in that order (no allocation: the store asks on every write).
    fn points(&self) -> [f64; 5] {
        let positive = 3.0 * f64::from(self.positive.min(20)).sqrt();
        let recommending = 2.0 * f64::from(self.recommends.min(10)).sqrt()
            + 0.5 * f64::from(self.praise.min(10)).sqrt();
        let reach = if self.positive > 0 {
            ((self.followers as f64) + 1.0).log10()
        } else {
            0.0
        };
        let consistency = 1.5 * f64::from(self.positive_days.saturating_sub(1).min(15)).sqrt();
        let against = -(3.0 * f64::from(self.negative.min(20)).sqrt()
            + 2.0 * f64::from(self.complaints.min(20)).sqrt()
            + 4.0 * f64::from(self.churn.min(10)).sqrt());
        [positive, recommending, reach, consistency, against]
    }

    fn parts(&self) -> Vec<Reason> {
        let [positive, recommending, reach, consistency, against] = self.points();
        vec![
            Reason::new(
                "positive",
                positive,
                format!("{} positive signals", self.positive),
            ),
            Reason::new(
                "recommending",
                recommending,
                format!("{} recommending, {} praising", self.recommends, self.praise),
            ),
            Reason::new("reach", reach, format!("{} followers", self.followers)),
            Reason::new(
                "consistency",
                consistency,
                format!("positive on {} distinct days", self.positive_days),
            ),
            Reason::new(
                "against",
                against,
                format!(
                    "{} negative, {} complaints, {} churn threats",
                    self.negative, self.complaints, self.churn
                ),
            ),
        ]
    }

    /// The advocacy score at `now` with each part's contribution: positive
    /// experience, recommending language, reach (log10 of followers),
    /// consistency (positive on several distinct days), recency (the
    /// score decays with a half-life of
    /// [`RECENCY_HALF_LIFE_DAYS`] since the last signal); negatives, complaints
    /// and churn threats count against.
    pub fn score(&self, now: DateTime<Utc>) -> Score {
        let mut reasons = self.parts();
        let age_days = self.last_at.map_or(f64::INFINITY, |l| {
            (now - l).num_seconds().max(0) as f64 / 86_400.0
        });
        let factor = 0.5f64.powf(age_days / RECENCY_HALF_LIFE_DAYS);
        let positive: f64 = reasons.iter().map(|r| r.points).sum();
        // Recency: what the score loses with age (0 when fresh): an old
        // standing, for or against, fades.
        let recency = -(positive * (1.0 - factor));
        reasons.push(Reason::new(
            "recency",
            if recency.is_finite() {
                recency
            } else {
                -positive
            },
            match self.last_at {
                Some(l) => format!(
                    "last signal {} ({:.0} days ago)",
                    l.to_rfc3339(),
                    age_days.max(0.0).floor()
                ),
                None => "no signal".into(),
            },
        ));
        let value = reasons.iter().map(|r| r.points).sum();
        Score {
            value,
            class: self.class(),
            reasons,
        }
    }
}

/// One part of a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// `positive`, `recommending`, `reach`, `consistency`, `against`, `recency`.
    pub factor: String,
    /// Points it adds (negative: takes away).
    pub points: f64,
    /// In words.
    pub detail: String,
}

impl Reason {
    fn new(factor: &str, points: f64, detail: String) -> Reason {
        Reason {
            factor: factor.into(),
            points,
            detail,
        }
    }
}

/// The class of an author with these counts (overall or in a period).
fn class_of(signals: u32, positive: u32, negative: u32, churn: u32) -> AuthorClass {
    if signals < MIN_SIGNALS {
        return AuthorClass::TooFew;
    }
    // Symmetric: more negative than positive signals (or a churn threat
    // not outweighed by positives) makes a detractor, more positive
    // than negative and no churn threat an advocate.
    if negative > positive || (churn > 0 && negative >= positive) {
        AuthorClass::Detractor
    } else if positive > negative && churn == 0 {
        AuthorClass::Advocate
    } else {
        AuthorClass::Neutral
    }
}

/// What an author's class within one period (a month, for net advocacy)
/// rests on: four counters, folded one signal at a time like
/// [`AuthorAggregate`], with the same class rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodCounts {
    /// Signals.
    pub signals: u32,
    /// With a positive experience.
    pub positive: u32,
    /// With a negative experience.
    pub negative: u32,
    /// Churn threats.
    pub churn: u32,
}

impl PeriodCounts {
    /// Folds one signal in.
    pub fn observe(&mut self, o: &Observation) {
        self.signals += 1;
        self.positive += u32::from(o.positive);
        self.negative += u32::from(o.negative);
        self.churn += u32::from(o.churn);
    }

    /// The author's class in the period.
    pub fn class(&self) -> AuthorClass {
        class_of(self.signals, self.positive, self.negative, self.churn)
    }
}

/// An author's advocacy score at an instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The score (sum of the reasons' points).
    pub value: f64,
    /// Advocate, detractor, …
    pub class: AuthorClass,
    /// Each part's contribution, in a fixed order.
    pub reasons: Vec<Reason>,
}

/// What an author is to a brand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorClass {
    /// Mostly positive, no churn threats.
    Advocate,
    /// Mostly negative, or threatening to leave.
    Detractor,
    /// Neither.
    Neutral,
    /// Fewer than [`MIN_SIGNALS`] signals.
    TooFew,
}

impl AuthorClass {
    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorClass::Advocate => "advocate",
            AuthorClass::Detractor => "detractor",
            AuthorClass::Neutral => "neutral",
            AuthorClass::TooFew => "too_few",
        }
    }

    /// The change to (eligible, advocates, detractors) counts this class contributes.
    pub fn counts(self) -> [i64; 3] {
        match self {
            AuthorClass::Advocate => [1, 1, 0],
            AuthorClass::Detractor => [1, 0, 1],
            AuthorClass::Neutral => [1, 0, 0],
            AuthorClass::TooFew => [0, 0, 0],
        }
    }
}

/// Net advocacy of a brand in a period: share of advocates minus share of
/// detractors among authors with at least [`MIN_SIGNALS`] signals, in
/// points (−100…100), with a 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NetAdvocacy {
    /// Authors with enough signals.
    pub eligible: u64,
    /// Advocates among them.
    pub advocates: u64,
    /// Detractors among them.
    pub detractors: u64,
    /// Net advocacy in points.
    pub value: f64,
    /// Lower end of the 95 % interval.
    pub low: f64,
    /// Upper end of the 95 % interval.
    pub high: f64,
}

const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval of `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 || k > n {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

impl NetAdvocacy {
    /// From counts; `None` when no author is eligible. The interval is
    /// Newcombe's hybrid score interval for a difference of proportions
    /// built from the two Wilson intervals, with the correlation of two
    /// shares of one multinomial sample (ρ = −√(pq/((1−p)(1−q)))), which
    /// widens it.
    pub fn of(eligible: u64, advocates: u64, detractors: u64) -> Option<NetAdvocacy> {
        if eligible == 0 || advocates + detractors > eligible {
            return None;
        }
        let n = eligible as f64;
        let (p, q) = (advocates as f64 / n, detractors as f64 / n);
        let (l1, u1) = wilson(advocates, eligible)?;
        let (l2, u2) = wilson(detractors, eligible)?;
        let rho = if p < 1.0 && q < 1.0 {
            -((p * q) / ((1.0 - p) * (1.0 - q))).sqrt()
        } else {
            0.0
        };
        let d = p - q;
        let lo = d
            - ((p - l1).powi(2) - 2.0 * rho * (p - l1) * (u2 - q) + (u2 - q).powi(2))
                .max(0.0)
                .sqrt();
        let hi = d
            + ((u1 - p).powi(2) - 2.0 * rho * (u1 - p) * (q - l2) + (q - l2).powi(2))
                .max(0.0)
                .sqrt();
        Some(NetAdvocacy {
            eligible,
            advocates,
            detractors,
            value: 100.0 * d,
            low: (100.0 * lo).max(-100.0),
            high: (100.0 * hi).min(100.0),
        })
    }
}

/// The month an instant falls in, as its first day (the net-advocacy period).
pub fn month_of(at: DateTime<Utc>) -> NaiveDate {
    let d = at.date_naive();
    d.with_day0(0).unwrap_or(d)
}

use chrono::Datelike as _;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap()
    }

    fn obs(day: u32, experience: f64) -> Observation {
        Observation {
            at: at(day),
            experience,
            positive: experience >= POSITIVE_AT,
            negative: experience <= NEGATIVE_AT,
            complaint: experience <= NEGATIVE_AT,
            churn: false,
            praise: experience >= POSITIVE_AT,
            recommends: false,
            followers: Some(500),
        }
    }

    #[test]
    fn consistent_positive_authors_outscore_one_off_fans_and_complainers() {
        let mut fan = AuthorAggregate::default();
        for d in [1, 3, 5, 8] {
            fan.observe(&obs(d, 0.8));
        }
        let mut once = AuthorAggregate::default();
        once.observe(&obs(2, 0.9));
        once.observe(&obs(2, 0.9));
        let mut critic = AuthorAggregate::default();
        for d in [1, 2, 3] {
            critic.observe(&obs(d, -0.7));
        }
        let now = at(10);
        assert_eq!(fan.positive_days, 4);
        assert_eq!(once.positive_days, 1);
        assert!(fan.score(now).value > once.score(now).value);
        assert!(once.score(now).value > 0.0);
        assert!(critic.score(now).value < 0.0);
        assert_eq!(fan.class(), AuthorClass::Advocate);
        assert_eq!(critic.class(), AuthorClass::Detractor);
        let mut single = AuthorAggregate::default();
        single.observe(&obs(1, 0.9));
        assert_eq!(single.class(), AuthorClass::TooFew);
    }

    #[test]
    fn churn_threats_make_a_detractor_and_reach_an_influential_one() {
        let mut a = AuthorAggregate::default();
        let mut o = obs(1, -0.6);
        o.churn = true;
        o.followers = Some(5_000);
        a.observe(&o);
        a.observe(&obs(2, -0.5));
        assert_eq!(a.class(), AuthorClass::Detractor);
        assert!(a.influential_detractor());
    }

    #[test]
    fn recency_decays_the_positive_parts() {
        let mut a = AuthorAggregate::default();
        a.observe(&obs(1, 0.8));
        a.observe(&obs(2, 0.8));
        let fresh = a.score(at(2)).value;
        let later = a.score(at(2) + chrono::Duration::days(30)).value;
        assert!((later - fresh / 2.0).abs() < 1e-9, "{fresh} {later}");
        assert!((fresh - a.base_score()).abs() < 1e-9);
    }

    #[test]
    fn recommending_language_on_word_boundaries() {
        assert!(recommends("I recommend them to everyone"));
        assert!(recommends("Highly recommended!"));
        assert!(recommends("If you haven't tried SkyWay yet, do it"));
        assert!(!recommends("the recommendation engine broke"));
    }

    #[test]
    fn net_advocacy_interval_contains_the_value_and_stays_on_scale() {
        let n = NetAdvocacy::of(100, 50, 20).unwrap();
        assert!((n.value - 30.0).abs() < 1e-9);
        assert!(n.low < 30.0 && n.high > 30.0);
        // Wider than the independent Newcombe interval would be.
        assert!(n.high - n.low > 20.0, "{n:?}");
        let all = NetAdvocacy::of(5, 5, 0).unwrap();
        assert!(all.high <= 100.0 && all.low >= -100.0 && all.value == 100.0);
        assert!(NetAdvocacy::of(0, 0, 0).is_none());
        assert!(NetAdvocacy::of(3, 2, 2).is_none());
        let (lo, hi) = wilson(5, 10).unwrap();
        assert!((lo - 0.2366).abs() < 1e-3 && (hi - 0.7634).abs() < 1e-3);
    }

    #[test]
    fn months_start_on_the_first() {
        assert_eq!(
            month_of(at(17)),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
    }
}
