//! Care metrics (DESIGN C7), read from aggregates the store keeps as cases
//! change — per-day counts of care events, the backlog of active cases — and
//! from the covering index of first-response and resolution durations: never
//! a scan of signals or of the whole event log.
//!
//! Per department, channel or brand, and per period:
//! - first-response and resolution times, p50 and p90, wall-clock (what the
//!   customer waited) and in business time (what the SLA counts), from the
//!   `first_response` and `resolved` events in the range;
//! - the share of them within SLA, and breaches (late first responses and
//!   resolutions in the range, plus active cases past due now);
//! - reopen rate: re-openings per resolution in the range;
//! - the customer's sentiment after resolution: their first message on a
//!   resolved case (mean, share positive);
//! - the backlog of active cases by age;
//! - cost per case by channel from `[care] cost_per_contact` — an
//!   assumption, labelled as such — and what answering on social channels
//!   saved against the dearest contact channel.
//!
//! Percentiles interpolate linearly between the closest ranks (Hyndman &
//! Fan type 7, numpy's default). A figure from fewer than
//! `[evidence] min_touchpoint_signals` events is marked thin.

use crate::period::{Coverage, Period};
use crate::InsightError;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use tce_model::Model;
use tce_store::{BacklogGroup, CareDailyRow, CareEventQuery, CareTimingDay, Store};

/// What rows of care statistics are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CareGroup {
    /// The owning department (default).
    #[default]
    Department,
    /// The channel the customer wrote on.
    Channel,
    /// The own brand.
    Brand,
}

impl CareGroup {
    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            CareGroup::Department => "department",
            CareGroup::Channel => "channel",
            CareGroup::Brand => "brand",
        }
    }

    fn key<'a>(self, department: &'a str, brand: &'a str, channel: &'a str) -> &'a str {
        match self {
            CareGroup::Department => department,
            CareGroup::Channel => channel,
            CareGroup::Brand => brand,
        }
    }
}

impl fmt::Display for CareGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CareGroup {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "department" => Ok(CareGroup::Department),
            "channel" => Ok(CareGroup::Channel),
            "brand" => Ok(CareGroup::Brand),
            other => Err(format!(
                "unknown grouping {other:?} (expected department, channel or brand)"
            )),
        }
    }
}

/// Which care statistics to compute.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CareStatsRequest {
    /// Rows per department, channel or brand.
    pub by: CareGroup,
    /// Also rows per period (week, month…) within the range.
    pub period: Option<Period>,
    /// First day (inclusive); `None` = from the first event.
    pub from: Option<NaiveDate>,
    /// Last day (inclusive); `None` = to the last event.
    pub to: Option<NaiveDate>,
    /// Only these departments (an agent's own); `None` = all.
    pub departments: Option<Vec<String>>,
}

/// p50 and p90 of a set of durations, with their n.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Durations {
    /// How many.
    pub n: u64,
    /// Median, seconds.
    pub p50_secs: Option<f64>,
    /// 90th percentile, seconds.
    pub p90_secs: Option<f64>,
}

impl Durations {
    fn of(lists: Lists<'_>) -> Durations {
        let mut secs = Vec::with_capacity(lists.iter().map(|d| d.len()).sum());
        for d in lists {
            secs.extend(d.iter().map(|&s| s as f64));
        }
        Durations {
            n: secs.len() as u64,
            p50_secs: percentile_unsorted(&mut secs, 0.5),
            p90_secs: percentile_unsorted(&mut secs, 0.9),
        }
    }
}

/// [`percentile`] of values in any order, without sorting them all: the
/// two closest ranks are selected in linear time (a page's percentiles read
/// hundreds of thousands of durations). Reorders `values`.
fn percentile_unsorted(values: &mut [f64], q: f64) -> Option<f64> {
    let last = values.len().checked_sub(1)?;
    let h = q.clamp(0.0, 1.0) * last as f64;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    let (_, a, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let a = *a;
    // The next rank is the least of the values above the selected one.
    let b = if hi > lo {
        *above.iter().min_by(|x, y| x.total_cmp(y))?
    } else {
        a
    };
    Some(a + (h - lo as f64) * (b - a))
}

/// The `q` quantile of sorted values, linear between the closest ranks
/// (type 7); `None` when empty.
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = q.clamp(0.0, 1.0) * last as f64;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    let (a, b) = (sorted.get(lo)?, sorted.get(hi)?);
    Some(a + (h - lo as f64) * (b - a))
}

/// Care figures of one group (over the range, or one period of it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CareRow {
    /// Department, channel or brand id.
    pub key: String,
    /// Its name for people (departments), else the id.
    pub name: String,
    /// First day of the period (period rows only).
    pub period_start: Option<NaiveDate>,
    /// The period lies only partly inside the range.
    pub partial: bool,
    /// Cases and leads opened.
    pub opened: u64,
    /// First-response times, wall-clock.
    pub first_response: Durations,
    /// First-response times in business hours, pauses excluded.
    pub first_response_business: Durations,
    /// Share of first responses within SLA.
    pub first_response_within_sla: Option<f64>,
    /// Resolution times, wall-clock.
    pub resolution: Durations,
    /// Resolution times in business hours, pauses excluded.
    pub resolution_business: Durations,
    /// Share of resolutions within SLA.
    pub resolution_within_sla: Option<f64>,
    /// Share of first responses and resolutions within SLA together.
    pub within_sla: Option<f64>,
    /// Late first responses and resolutions in the range.
    pub breaches: u64,
    /// Re-openings in the range.
    pub reopened: u64,
    /// Re-openings per resolution.
    pub reopen_rate: Option<f64>,
    /// Customers' first messages on resolved cases.
    pub after_resolution: u64,
    /// Their mean sentiment (−1…1).
    pub sentiment_after_resolution: Option<f64>,
    /// Share of them positive (sentiment > 0.05).
    pub positive_after_resolution: Option<f64>,
    /// Active cases now (range rows only).
    pub backlog: u64,
    /// Of them, in breach now.
    pub backlog_breached: u64,
    /// Fewer first responses than `[evidence] min_touchpoint_signals`:
    /// too thin to rank on.
    pub thin: bool,
}

/// Active cases of one group by age.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacklogAge {
    /// Department, channel or brand id.
    pub key: String,
    /// Counts per age bucket, in the order of [`AGE_BUCKETS`].
    pub by_age: Vec<u64>,
    /// Of them, in breach now.
    pub breached: u64,
}

/// Backlog age buckets: (label, upper bound in days, exclusive).
pub const AGE_BUCKETS: [(&str, i64); 5] = [
    ("< 1 day", 1),
    ("1–3 days", 3),
    ("3–7 days", 7),
    ("7–30 days", 30),
    ("30+ days", i64::MAX),
];

/// Cost of care on one channel, from the assumed cost per contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelCost {
    /// Channel id.
    pub channel: String,
    /// Whether it is a social channel.
    pub social: bool,
    /// Cases opened on it in the range.
    pub cases: u64,
    /// Responses (contacts) on it in the range.
    pub contacts: u64,
    /// Assumed cost of one contact.
    pub cost_per_contact: f64,
    /// contacts × cost per contact.
    pub cost: f64,
    /// cost / cases.
    pub cost_per_case: Option<f64>,
}

/// All care statistics of a request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CareStats {
    /// How rows are grouped.
    pub by: CareGroup,
    /// The period of the period rows.
    pub period: Option<Period>,
    /// The days the events cover (`None` when there are none).
    pub coverage: Option<Coverage>,
    /// The instant backlog and breaches are counted at.
    pub now: DateTime<Utc>,
    /// One row per group over the whole range, by key.
    pub rows: Vec<CareRow>,
    /// One row per group and period (when a period was asked).
    pub periods: Vec<CareRow>,
    /// Active cases by age, per group.
    pub backlog: Vec<BacklogAge>,
    /// Cost by channel (an assumption: `[care] cost_per_contact`).
    pub cost: Vec<ChannelCost>,
    /// What answering on social channels saved against the dearest
    /// contact channel, and that channel (an assumption).
    pub social_saving: Option<(f64, String)>,
    /// The currency of the costs.
    pub currency: String,
    /// Assumptions behind the figures, in words.
    pub assumptions: Vec<String>,
}

/// Durations of a group as the store's per-day lists, not yet copied.
type Lists<'a> = Vec<&'a [i64]>;

/// One group's figures as they are gathered; durations are the store's
/// per-day lists, copied once into one vector per measure when the row is
/// made.
#[derive(Default)]
struct Acc<'a> {
    opened: u64,
    fr_wall: Lists<'a>,
    fr_business: Lists<'a>,
    fr_within: u64,
    res_wall: Lists<'a>,
    res_business: Lists<'a>,
    res_within: u64,
    reopened: u64,
    after_n: u64,
    after_sum: f64,
    after_pos: u64,
}

impl<'a> Acc<'a> {
    fn add_timing(&mut self, t: &'a CareTimingDay) {
        let (wall, business, within) = if t.resolution {
            (
                &mut self.res_wall,
                &mut self.res_business,
                &mut self.res_within,
            )
        } else {
            (
                &mut self.fr_wall,
                &mut self.fr_business,
                &mut self.fr_within,
            )
        };
        wall.push(&t.wall_secs);
        business.push(&t.business_secs);
        *within += t.within_sla;
    }

    fn add_daily(&mut self, d: &CareDailyRow) {
        self.opened += d.opened;
        self.reopened += d.reopened;
        self.after_n += d.after_resolution;
        self.after_sum += d.after_sentiment_sum;
        self.after_pos += d.after_positive;
    }

    fn row(self, key: String, name: String, min_n: u64) -> CareRow {
        let share = |k: u64, n: usize| (n > 0).then(|| k as f64 / n as f64);
        let count = |l: &Lists<'_>| l.iter().map(|d| d.len()).sum::<usize>();
        let (fr_n, res_n) = (count(&self.fr_wall), count(&self.res_wall));
        let breaches = (fr_n as u64 - self.fr_within) + (res_n as u64 - self.res_within);
        let after_n = self.after_n as usize;
        CareRow {
            name,
            key,
            period_start: None,
            partial: false,
            opened: self.opened,
            thin: (fr_n as u64) < min_n,
            first_response_within_sla: share(self.fr_within, fr_n),
            resolution_within_sla: share(self.res_within, res_n),
            within_sla: share(self.fr_within + self.res_within, fr_n + res_n),
            breaches,
            reopened: self.reopened,
            reopen_rate: share(self.reopened, res_n),
            after_resolution: after_n as u64,
            sentiment_after_resolution: (after_n > 0).then(|| self.after_sum / after_n as f64),
            positive_after_resolution: share(self.after_pos, after_n),
            first_response: Durations::of(self.fr_wall),
            first_response_business: Durations::of(self.fr_business),
            resolution: Durations::of(self.res_wall),
            resolution_business: Durations::of(self.res_business),
            backlog: 0,
            backlog_breached: 0,
        }
    }
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn name_of(model: &Model, by: CareGroup, key: &str) -> String {
    match by {
        CareGroup::Department => model
            .department(key)
            .map_or_else(|| key.to_string(), |d| d.name.clone()),
        CareGroup::Channel | CareGroup::Brand => key.to_string(),
    }
}

/// The active cases (new, open, pending) per department, channel or brand
/// by age as of `now` ([`AGE_BUCKETS`]), with how many are in breach, by
/// key; only these departments when given. Reads the backlog index, not
/// the event log: cheap enough for the Overview.
pub fn backlog_by(
    store: &dyn Store,
    by: CareGroup,
    now: DateTime<Utc>,
    departments: Option<&[String]>,
) -> Result<Vec<BacklogAge>, InsightError> {
    let group = match by {
        CareGroup::Department => BacklogGroup::Department,
        CareGroup::Channel => BacklogGroup::Channel,
        CareGroup::Brand => BacklogGroup::Brand,
    };
    let rows = store.care_backlog(now, group, departments)?;
    let today = now.date_naive();
    let mut backlog: BTreeMap<String, BacklogAge> = BTreeMap::new();
    for r in &rows {
        let key = &r.key;
        let entry = backlog.entry(key.clone()).or_insert_with(|| BacklogAge {
            key: key.clone(),
            by_age: vec![0; AGE_BUCKETS.len()],
            breached: 0,
        });
        let age = (today - r.opened_day).num_days().max(0);
        let bucket = AGE_BUCKETS
            .iter()
            .position(|(_, upper)| age < *upper)
            .unwrap_or(AGE_BUCKETS.len() - 1);
        entry.by_age[bucket] += r.n;
        entry.breached += r.breached;
    }
    Ok(backlog.into_values().collect())
}

/// Weeks the Care page shows unless asked for another range.
pub const RECENT_WEEKS: i64 = 13;

/// The first day of the [`RECENT_WEEKS`] whole weeks (Monday to Sunday)
/// that end with the week of the latest care event; `None` without events.
/// A page's default range, relative to the data rather than the clock, so
/// an imported history shows too.
pub fn recent_from(store: &dyn Store) -> Result<Option<NaiveDate>, InsightError> {
    Ok(store
        .care_last_day()?
        .map(|last| Period::Week.start(last) - Duration::weeks(RECENT_WEEKS - 1)))
}

/// Care statistics as asked, as of `now`.
pub fn stats(
    store: &dyn Store,
    model: &Model,
    req: &CareStatsRequest,
    now: DateTime<Utc>,
) -> Result<CareStats, InsightError> {
    if let (Some(from), Some(to)) = (req.from, req.to) {
        if from > to {
            return Err(InsightError::Invalid(format!(
                "the range starts ({from}) after it ends ({to})"
            )));
        }
    }
    let query = CareEventQuery {
        kinds: Vec::new(),
        from: req.from.map(midnight),
        to: req.to.map(|d| midnight(d) + Duration::days(1)),
        departments: req.departments.clone(),
    };
    let daily = store.care_daily(&query)?;
    let timings = store.care_timing_days(&query)?;
    let min_n = model.evidence.min_touchpoint_signals;
    let first = daily
        .iter()
        .map(|d| d.day)
        .chain(timings.iter().map(|t| t.day))
        .min();
    let last = daily
        .iter()
        .map(|d| d.day)
        .chain(timings.iter().map(|t| t.day))
        .max();
    let coverage = match (first, last) {
        (Some(a), Some(b)) => Some(Coverage {
            from: req.from.unwrap_or(a),
            to: req.to.unwrap_or(b),
        }),
        _ => None,
    };

    let mut by_key: BTreeMap<&str, Acc> = BTreeMap::new();
    let mut by_period: BTreeMap<(&str, NaiveDate), Acc> = BTreeMap::new();
    let mut channel_cases: BTreeMap<String, u64> = BTreeMap::new();
    let mut channel_contacts: BTreeMap<String, u64> = BTreeMap::new();
    for d in &daily {
        let key = req.by.key(&d.department, &d.brand, &d.channel);
        by_key.entry(key).or_default().add_daily(d);
        if let Some(p) = req.period {
            by_period
                .entry((key, p.start(d.day)))
                .or_default()
                .add_daily(d);
        }
        *channel_cases.entry(d.channel.clone()).or_default() += d.opened;
        *channel_contacts.entry(d.channel.clone()).or_default() += d.responses;
    }
    for t in &timings {
        let key = req.by.key(&t.department, &t.brand, &t.channel);
        by_key.entry(key).or_default().add_timing(t);
        if let Some(p) = req.period {
            by_period
                .entry((key, p.start(t.day)))
                .or_default()
                .add_timing(t);
        }
    }
    channel_cases.retain(|_, n| *n > 0);
    channel_contacts.retain(|_, n| *n > 0);

    let backlog: BTreeMap<String, BacklogAge> =
        backlog_by(store, req.by, now, req.departments.as_deref())?
            .into_iter()
            .map(|b| (b.key.clone(), b))
            .collect();

    let mut keys: Vec<String> = by_key
        .keys()
        .map(|k| k.to_string())
        .chain(backlog.keys().cloned())
        .collect();
    keys.sort();
    keys.dedup();
    let rows = keys
        .iter()
        .map(|k| {
            let acc = by_key.remove(k.as_str()).unwrap_or_default();
            let mut row = acc.row(k.clone(), name_of(model, req.by, k), min_n);
            if let Some(b) = backlog.get(k) {
                row.backlog = b.by_age.iter().sum();
                row.backlog_breached = b.breached;
                row.breaches += b.breached;
            }
            row
        })
        .collect();
    let periods = by_period
        .into_iter()
        .map(|((k, start), acc)| {
            let mut row = acc.row(k.to_string(), name_of(model, req.by, k), min_n);
            row.period_start = Some(start);
            row.partial = match (req.period, coverage) {
                (Some(p), Some(c)) => c.is_partial(p, start),
                _ => false,
            };
            row
        })
        .collect();

    let mut channels: Vec<&String> = channel_cases
        .keys()
        .chain(channel_contacts.keys())
        .collect();
    channels.sort();
    channels.dedup();
    let cost: Vec<ChannelCost> = channels
        .into_iter()
        .map(|ch| {
            let cases = channel_cases.get(ch).copied().unwrap_or(0);
            let contacts = channel_contacts.get(ch).copied().unwrap_or(0);
            let per = model.care.contact_cost(ch);
            let cost = contacts as f64 * per;
            ChannelCost {
                channel: ch.clone(),
                social: model.channel(ch).is_some_and(|c| c.social),
                cases,
                contacts,
                cost_per_contact: per,
                cost,
                cost_per_case: (cases > 0).then(|| cost / cases as f64),
            }
        })
        .collect();
    // The dearest care-able channel that is not social: what each social
    // contact would have cost there.
    let dearest = model
        .channels
        .iter()
        .filter(|c| c.care && !c.social)
        .map(|c| (model.care.contact_cost(&c.id), c.id.clone()))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let social_saving = dearest.map(|(dear, id)| {
        let saved: f64 = cost
            .iter()
            .filter(|c| c.social)
            .map(|c| c.contacts as f64 * (dear - c.cost_per_contact))
            .sum();
        (saved, id)
    });
    let mut assumptions = vec![format!(
        "Costs use [care] cost_per_contact (default {} per contact): assumed figures, \
         not measured; replace them with your own.",
        model.care.default_cost_per_contact
    )];
    if let Some((_, id)) = &social_saving {
        assumptions.push(format!(
            "The social saving prices every response given on a social channel at the \
             cost of a {id} contact instead."
        ));
    }
    Ok(CareStats {
        by: req.by,
        period: req.period,
        coverage,
        now,
        rows,
        periods,
        backlog: backlog.into_values().collect(),
        cost,
        social_saving,
        currency: model.finance.currency.clone(),
        assumptions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Selecting the ranks gives what sorting gives, bit for bit.
    #[test]
    fn percentiles_of_unsorted_values_equal_those_of_sorted_ones() {
        let mut x: u64 = 7;
        for n in [1usize, 2, 3, 4, 5, 10, 11, 99, 1000, 1001] {
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((x >> 33) % 5000) as f64
                })
                .collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            for q in [0.0, 0.1, 0.5, 0.9, 0.95, 1.0] {
                let mut v = values.clone();
                assert_eq!(
                    percentile_unsorted(&mut v, q).map(f64::to_bits),
                    percentile(&sorted, q).map(f64::to_bits),
                    "n = {n}, q = {q}"
                );
            }
        }
        assert_eq!(percentile_unsorted(&mut [], 0.5), None);
    }
}
