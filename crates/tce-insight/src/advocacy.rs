//! Advocacy and ideas, the read side: advocate rankings with their reasons,
//! net advocacy per brand and month with its interval, ideas ranked by
//! volume × reach × recency with their examples and history, moments of
//! truth and their conversion, and a shipped idea's touchpoint TES before
//! and after the ship date. Every surface (CLI, API, pages) calls these, so
//! they show the same figures with the same field names.
//!
//! Reads only the store's advocacy aggregates, ideas, moments and rollups —
//! never a scan of signals (examples are looked up by reference).

use crate::{round2, InsightError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use tce_advocacy::score::{Reason, MIN_SIGNALS};
use tce_advocacy::{ideas, NetAdvocacy};
use tce_analytics::agg::Agg;
use tce_model::Model;
use tce_store::{AdvocateQuery, Idea, IdeaQuery, Moment, MomentQuery, RollupFilter, Store};

/// An author's standing with a brand, as every surface shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AdvocateView {
    /// Brand id.
    pub brand: String,
    /// Author handle (a pseudonym when the workspace pseudonymises).
    pub author: String,
    /// Advocacy score now (sum of the reasons' points).
    pub score: f64,
    /// `advocate`, `detractor`, `neutral` or `too_few`.
    pub class: &'static str,
    /// A detractor with reach: their complaints rank higher in care.
    pub influential_detractor: bool,
    /// Signals about the brand on social channels.
    pub signals: u32,
    /// Positive ones.
    pub positive: u32,
    /// Negative ones.
    pub negative: u32,
    /// Recommending ones.
    pub recommending: u32,
    /// Churn threats.
    pub churn_threats: u32,
    /// Most followers seen.
    pub followers: u64,
    /// Distinct days with a positive signal.
    pub positive_days: u32,
    /// Latest signal.
    pub last_at: Option<DateTime<Utc>>,
    /// Each part of the score.
    pub reasons: Vec<Reason>,
}

/// Authors ranked by advocacy score at `now` (highest first), one brand or
/// all. Reads the top of the store's base-score index (several times
/// `limit`) and re-ranks with recency.
pub fn advocates(
    store: &dyn Store,
    brand: Option<&str>,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Vec<AdvocateView>, InsightError> {
    let limit = limit.clamp(1, 1_000);
    let rows = store.advocates(&AdvocateQuery {
        brand: brand.map(str::to_string),
        limit: (limit * 4).max(100),
        ascending: false,
    })?;
    let mut out: Vec<AdvocateView> = rows
        .into_iter()
        .map(|r| {
            let g = &r.aggregate;
            let s = g.score(now);
            AdvocateView {
                brand: r.brand,
                author: r.author,
                score: round2(s.value),
                class: s.class.as_str(),
                influential_detractor: g.influential_detractor(),
                signals: g.signals,
                positive: g.positive,
                negative: g.negative,
                recommending: g.recommends,
                churn_threats: g.churn,
                followers: g.followers,
                positive_days: g.positive_days,
                last_at: g.last_at,
                reasons: s
                    .reasons
                    .into_iter()
                    .map(|mut r| {
                        r.points = round2(r.points);
                        r
                    })
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.author.cmp(&b.author))
    });
    out.truncate(limit);
    Ok(out)
}

/// Net advocacy of a brand in a month (or over all months).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NetAdvocacyView {
    /// Brand id.
    pub brand: String,
    /// First day of the month; `None` for all months together.
    pub period: Option<NaiveDate>,
    /// Authors with at least the minimum signals in the period (for all
    /// months: author-months).
    pub eligible: u64,
    /// Advocates among them.
    pub advocates: u64,
    /// Detractors among them.
    pub detractors: u64,
    /// Net advocacy in points (−100…100).
    pub value: f64,
    /// 95 % interval, low end.
    pub low: f64,
    /// 95 % interval, high end.
    pub high: f64,
}

fn view(brand: &str, period: Option<NaiveDate>, c: [u64; 3]) -> Option<NetAdvocacyView> {
    let n = NetAdvocacy::of(c[0], c[1], c[2])?;
    Some(NetAdvocacyView {
        brand: brand.to_string(),
        period,
        eligible: n.eligible,
        advocates: n.advocates,
        detractors: n.detractors,
        value: round2(n.value),
        low: round2(n.low),
        high: round2(n.high),
    })
}

/// Net advocacy per brand and month, oldest first (the trend).
pub fn net_trend(
    store: &dyn Store,
    brand: Option<&str>,
) -> Result<Vec<NetAdvocacyView>, InsightError> {
    Ok(store
        .net_advocacy(brand)?
        .into_iter()
        .filter_map(|r| {
            view(
                &r.brand,
                Some(r.period),
                [r.eligible, r.advocates, r.detractors],
            )
        })
        .collect())
}

/// Net advocacy per brand over the months from the one holding `from` (all
/// when `None`), in the model's brand order (see [`net_by_brand_between`]).
pub fn net_by_brand(
    store: &dyn Store,
    model: &Model,
    from: Option<NaiveDate>,
) -> Result<Vec<NetAdvocacyView>, InsightError> {
    net_by_brand_between(store, model, from, None)
}

/// The minimum signals in a month for an author to count in net advocacy.
pub const NET_MIN_SIGNALS: u32 = MIN_SIGNALS;

/// An idea as lists show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IdeaView {
    /// Idea id.
    pub id: i64,
    /// Brand id.
    pub brand: String,
    /// An own brand's idea (false: what customers ask of a competitor).
    pub own: bool,
    /// Short label from its distinctive terms.
    pub label: String,
    /// `new`, `under_review`, `planned`, `shipped` or `declined`.
    pub status: &'static str,
    /// Suggestions.
    pub volume: u64,
    /// Sum of the suggesters' followers.
    pub reach: u64,
    /// volume × log10(10 + reach) × recency.
    pub rank: f64,
    /// First suggestion.
    pub first_seen: DateTime<Utc>,
    /// Latest suggestion.
    pub last_seen: DateTime<Utc>,
    /// Mean sentiment of its suggestions (−1…1).
    pub sentiment: f64,
    /// The touchpoint named most often.
    pub touchpoint: Option<String>,
    /// That touchpoint's stage.
    pub stage: Option<String>,
    /// The representative suggestion's text.
    pub representative: String,
    /// When it was shipped.
    pub shipped_at: Option<DateTime<Utc>>,
    /// Pass to change it.
    pub version: u64,
}

fn idea_view(model: &Model, i: &Idea, now: DateTime<Utc>) -> IdeaView {
    let touchpoint = i.top_touchpoint().map(str::to_string);
    let stage = touchpoint
        .as_deref()
        .and_then(|t| model.touchpoint(t))
        .map(|t| t.stage.clone());
    IdeaView {
        id: i.id,
        brand: i.brand.clone(),
        own: i.own,
        label: i.label.clone(),
        status: i.status.as_str(),
        volume: i.volume,
        reach: i.reach,
        rank: round2(ideas::rank(i.volume, i.reach, i.last_seen, now)),
        first_seen: i.first_seen,
        last_seen: i.last_seen,
        sentiment: round2(i.sentiment()),
        touchpoint,
        stage,
        representative: i.representative.2.clone(),
        shipped_at: i.shipped_at,
        version: i.version,
    }
}

/// Ideas ranked by volume × reach × recency (highest first).
pub fn ideas_ranked(
    store: &dyn Store,
    model: &Model,
    query: &IdeaQuery,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Vec<IdeaView>, InsightError> {
    let mut q = query.clone();
    q.limit = (limit * 4).max(200);
    let mut out: Vec<IdeaView> = store
        .ideas(&q)?
        .iter()
        .map(|i| idea_view(model, i, now))
        .collect();
    out.sort_by(|a, b| b.rank.total_cmp(&a.rank).then(a.id.cmp(&b.id)));
    out.truncate(limit.max(1));
    Ok(out)
}

/// An example suggestion of an idea.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IdeaExample {
    /// Channel id.
    pub channel: String,
    /// The signal's id on its channel.
    pub external_id: String,
    /// When it was said.
    pub created_at: DateTime<Utc>,
    /// Author handle.
    pub author: Option<String>,
    /// What was said.
    pub text: String,
}

/// A recorded change to an idea.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IdeaEventView {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// `status`, `note`, `absorbed`, `merged_into`.
    pub kind: String,
    /// Status before.
    pub from: Option<&'static str>,
    /// Status after.
    pub to: Option<&'static str>,
    /// The note.
    pub note: Option<String>,
    /// The other idea of a merge.
    pub other: Option<i64>,
}

/// The touchpoint's TES (raw, 0–100) in the same number of days before and
/// after an idea shipped.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ShipEffect {
    /// Touchpoint id.
    pub touchpoint: String,
    /// Ship day.
    pub shipped_on: NaiveDate,
    /// Days compared on each side.
    pub days: i64,
    /// TES before (`None` without signals).
    pub before: Option<f64>,
    /// Signals before.
    pub n_before: u64,
    /// TES after.
    pub after: Option<f64>,
    /// Signals after.
    pub n_after: u64,
}

/// One idea with its examples, history and (shipped) ship effect.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct IdeaDetail {
    /// The idea.
    #[serde(flatten)]
    pub idea: IdeaView,
    /// Merged into this idea.
    pub merged_into: Option<i64>,
    /// Touchpoint id → suggestions naming it.
    pub touchpoints: BTreeMap<String, u64>,
    /// Recent example suggestions.
    pub examples: Vec<IdeaExample>,
    /// Its recorded changes, oldest first.
    pub events: Vec<IdeaEventView>,
    /// After `shipped`: its touchpoint's TES before and after.
    pub ship_effect: Option<ShipEffect>,
}

/// Days compared on each side of a ship date.
pub const SHIP_WINDOW_DAYS: i64 = 28;

fn tes(
    store: &dyn Store,
    brand: &str,
    tp: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Option<f64>, u64), InsightError> {
    let rows = store.rollups(&RollupFilter {
        from: Some(from),
        to: Some(to),
        brand: Some(brand.to_string()),
        touchpoint: Some(tp.to_string()),
        ..RollupFilter::default()
    })?;
    let mut agg = Agg::default();
    for r in &rows {
        agg.add(&crate::agg_of(r));
    }
    Ok((
        agg.mean().map(|m| round2(tce_analytics::agg::score_of(m))),
        agg.n,
    ))
}

/// One idea (`None` if there is none with this id).
pub fn idea_detail(
    store: &dyn Store,
    model: &Model,
    id: i64,
    examples: usize,
    now: DateTime<Utc>,
) -> Result<Option<IdeaDetail>, InsightError> {
    let Some(i) = store.idea(id)? else {
        return Ok(None);
    };
    let refs: Vec<(String, String)> = store
        .idea_signals(id, examples.max(1))?
        .into_iter()
        .map(|s| (s.channel, s.external_id))
        .collect();
    let mut examples: Vec<IdeaExample> = store
        .signals_by_ref(&refs)?
        .into_iter()
        .map(|s| IdeaExample {
            channel: s.signal.signal.channel.clone(),
            external_id: s.signal.signal.external_id.clone(),
            created_at: s.signal.signal.created_at,
            author: s.signal.signal.author.clone(),
            text: s.signal.signal.text.clone(),
        })
        .collect();
    examples.sort_by_key(|e| std::cmp::Reverse(e.created_at));
    let events = store
        .idea_events(id)?
        .into_iter()
        .map(|e| IdeaEventView {
            at: e.at,
            actor: e.actor,
            kind: e.kind,
            from: e.from.map(|s| s.as_str()),
            to: e.to.map(|s| s.as_str()),
            note: e.note,
            other: e.other,
        })
        .collect();
    let ship_effect = match (i.shipped_at, i.top_touchpoint()) {
        (Some(at), Some(tp)) => {
            let day = at.date_naive();
            let w = Duration::days(SHIP_WINDOW_DAYS);
            let (before, n_before) = tes(store, &i.brand, tp, day - w, day - Duration::days(1))?;
            let (after, n_after) = tes(store, &i.brand, tp, day, day + w)?;
            Some(ShipEffect {
                touchpoint: tp.to_string(),
                shipped_on: day,
                days: SHIP_WINDOW_DAYS,
                before,
                n_before,
                after,
                n_after,
            })
        }
        _ => None,
    };
    Ok(Some(IdeaDetail {
        idea: idea_view(model, &i, now),
        merged_into: i.merged_into,
        touchpoints: i.touchpoints.clone(),
        examples,
        events,
        ship_effect,
    }))
}

/// A moment of truth as surfaces show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MomentView {
    /// Moment id.
    pub id: i64,
    /// Brand id.
    pub brand: String,
    /// Author handle.
    pub author: String,
    /// The signal's channel.
    pub channel: String,
    /// The signal's id on its channel.
    pub external_id: String,
    /// `resolved_case`, `top_rating` or `advocate_praise`.
    pub kind: &'static str,
    /// The case it followed.
    pub case_id: Option<u64>,
    /// The department that runs advocacy.
    pub department: String,
    /// The invitation text.
    pub text: String,
    /// `new`, `sent`, `shared` or `declined`.
    pub status: &'static str,
    /// When it happened.
    pub created_at: DateTime<Utc>,
    /// When the invitation was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it was shared or declined.
    pub closed_at: Option<DateTime<Utc>>,
}

/// A moment as surfaces show it.
pub fn moment_view(m: &Moment) -> MomentView {
    MomentView {
        id: m.id,
        brand: m.brand.clone(),
        author: m.author.clone(),
        channel: m.channel.clone(),
        external_id: m.external_id.clone(),
        kind: m.kind.as_str(),
        case_id: m.case_id,
        department: m.department.clone(),
        text: m.text.clone(),
        status: m.status.as_str(),
        created_at: m.created_at,
        sent_at: m.sent_at,
        closed_at: m.closed_at,
    }
}

/// Moments, newest first.
pub fn moments(store: &dyn Store, query: &MomentQuery) -> Result<Vec<MomentView>, InsightError> {
    Ok(store.moments(query)?.iter().map(moment_view).collect())
}

/// Moments of one channel and month by status, and the share shared.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConversionRow {
    /// Channel id.
    pub channel: String,
    /// First day of the month.
    pub period: NaiveDate,
    /// Moments recorded.
    pub moments: u64,
    /// Still new.
    pub new: u64,
    /// Sent, not yet shared.
    pub sent: u64,
    /// Shared.
    pub shared: u64,
    /// Declined.
    pub declined: u64,
    /// Shared / (sent + shared + declined), when any was sent.
    pub conversion: Option<f64>,
}

/// Conversion of moments per channel and month.
pub fn conversion(store: &dyn Store) -> Result<Vec<ConversionRow>, InsightError> {
    use tce_advocacy::MomentStatus as S;
    let mut rows: BTreeMap<(String, NaiveDate), [u64; 4]> = BTreeMap::new();
    for c in store.moment_counts()? {
        let r = rows.entry((c.channel, c.period)).or_default();
        let k = match c.status {
            S::New => 0,
            S::Sent => 1,
            S::Shared => 2,
            S::Declined => 3,
        };
        r[k] += c.count;
    }
    Ok(rows
        .into_iter()
        .map(|((channel, period), [n, s, sh, d])| {
            let out = s + sh + d;
            ConversionRow {
                channel,
                period,
                moments: n + out,
                new: n,
                sent: s,
                shared: sh,
                declined: d,
                conversion: (out > 0).then(|| round2(sh as f64 / out as f64)),
            }
        })
        .collect())
}

/// Fewer eligible author-months than this: net advocacy is too little
/// evidence to compare brands by, and pages show it greyed.
pub const NET_MIN_ELIGIBLE: u64 = 30;

impl NetAdvocacyView {
    /// Too little evidence (fewer than [`NET_MIN_ELIGIBLE`] eligible
    /// author-months): shown greyed, not compared.
    pub fn thin(&self) -> bool {
        self.eligible < NET_MIN_ELIGIBLE
    }
}

/// Net advocacy per brand over the months that overlap `from..=to` (either
/// end open), in the model's brand order; a brand with no eligible author
/// is left out.
pub fn net_by_brand_between(
    store: &dyn Store,
    model: &Model,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<NetAdvocacyView>, InsightError> {
    use chrono::Datelike as _;
    let first_month = from.map(|f| f.with_day0(0).unwrap_or(f));
    let mut sums: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for r in store.net_advocacy(None)? {
        if first_month.is_some_and(|f| r.period < f) || to.is_some_and(|t| r.period > t) {
            continue;
        }
        let s = sums.entry(r.brand).or_default();
        s[0] += r.eligible;
        s[1] += r.advocates;
        s[2] += r.detractors;
    }
    Ok(model
        .brands
        .iter()
        .filter_map(|b| sums.get(&b.id).and_then(|c| view(&b.id, None, *c)))
        .collect())
}
