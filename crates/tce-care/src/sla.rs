//! SLA clocks: first-response and resolution targets counted in the owning
//! department's business hours (opening hours per weekday in an IANA time
//! zone, minus holidays) or 24/7.
//!
//! Due times are computed when the case opens. The clocks pause while the
//! case waits on the customer (pending) and while it is resolved; on resume
//! every running due time moves out by the business time the pause took, as
//! Zammad and Chatwoot do. A clock is "at risk" once `[care] at_risk_share`
//! of its target is used and "breached" when the due time passed first.

use crate::CareError;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use tce_model::{BusinessHours, Care, SlaTarget};

/// How far ahead a due time is looked for (ten years of days).
const HORIZON_DAYS: usize = 3_660;

/// When a department's SLA clocks run.
#[derive(Debug, Clone, Copy)]
pub enum Calendar<'a> {
    /// Around the clock.
    AlwaysOpen,
    /// In these business hours.
    Hours(&'a BusinessHours),
}

impl<'a> Calendar<'a> {
    /// The calendar of a department under `[care]` (24/7 unless it names business hours).
    pub fn of(care: &'a Care, department: &str) -> Calendar<'a> {
        care.hours_of(department)
            .map_or(Calendar::AlwaysOpen, Calendar::Hours)
    }

    /// The instant at which `secs` seconds of business time have passed
    /// since `start` (for 0: `start` if open, else the next opening).
    pub fn add(&self, start: DateTime<Utc>, secs: i64) -> Result<DateTime<Utc>, CareError> {
        let hours = match self {
            Calendar::AlwaysOpen => return Ok(start + Duration::seconds(secs.max(0))),
            Calendar::Hours(h) => h,
        };
        let mut left = secs.max(0);
        let mut date = start.with_timezone(&hours.time_zone).date_naive();
        for _ in 0..HORIZON_DAYS {
            for (open, close) in opening(hours, date) {
                let from = open.max(start);
                if from >= close {
                    continue;
                }
                let available = (close - from).num_seconds();
                if left <= available {
                    return Ok(from + Duration::seconds(left));
                }
                left -= available;
            }
            date = date.succ_opt().ok_or(CareError::NeverOpen(start))?;
        }
        Err(CareError::NeverOpen(start))
    }

    /// Business seconds between `a` and `b` (0 when `b` is not after `a`).
    pub fn between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        if b <= a {
            return 0;
        }
        let hours = match self {
            Calendar::AlwaysOpen => return (b - a).num_seconds(),
            Calendar::Hours(h) => h,
        };
        let mut date = a.with_timezone(&hours.time_zone).date_naive();
        let last = b.with_timezone(&hours.time_zone).date_naive();
        let mut total = 0;
        while date <= last {
            for (open, close) in opening(hours, date) {
                let (from, to) = (open.max(a), close.min(b));
                if to > from {
                    total += (to - from).num_seconds();
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total
    }
}

/// The opening intervals of a local date, as UTC instants (none on a holiday).
fn opening(hours: &BusinessHours, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    use chrono::Datelike;
    if hours.holidays.contains(&date) {
        return Vec::new();
    }
    hours
        .day(date.weekday())
        .iter()
        .map(|&(a, b)| {
            (
                local(hours.time_zone, date, a),
                local(hours.time_zone, date, b),
            )
        })
        .collect()
}

/// The UTC instant of `minutes` after local midnight of `date`. A time that
/// does not exist (skipped by a DST change) is read with the offset in force
/// before the change, i.e. it lands just after the gap; a repeated time takes
/// its first occurrence.
fn local(tz: Tz, date: NaiveDate, minutes: u16) -> DateTime<Utc> {
    let naive = date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minutes));
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        chrono::LocalResult::None => {
            let before = tz
                .offset_from_utc_datetime(&(naive - Duration::hours(6)))
                .fix();
            (naive - Duration::seconds(i64::from(before.local_minus_utc()))).and_utc()
        }
    }
}

/// A case's two SLA clocks.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaClock {
    /// When the clocks started (the customer's first message).
    pub started_at: DateTime<Utc>,
    /// First-response target in business seconds.
    pub first_response_target_secs: i64,
    /// When the first response is due (moved out by pauses).
    pub first_response_due: DateTime<Utc>,
    /// When the first response came.
    pub first_response_at: Option<DateTime<Utc>>,
    /// How long it took.
    pub first_response_timing: Option<Timing>,
    /// Resolution target in business seconds.
    pub resolution_target_secs: i64,
    /// When resolution is due (moved out by pauses).
    pub resolution_due: DateTime<Utc>,
    /// When it was resolved (cleared when it re-opens).
    pub resolved_at: Option<DateTime<Utc>>,
    /// How long the last resolution took.
    pub resolution_timing: Option<Timing>,
    /// Since when the clocks are paused (pending or resolved).
    pub paused_since: Option<DateTime<Utc>>,
    /// Business seconds spent paused in finished pauses.
    pub paused_secs: i64,
}

/// Where one clock stands at some instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockState {
    /// Due time.
    pub due: DateTime<Utc>,
    /// Target in business seconds.
    pub target_secs: i64,
    /// Business seconds used so far (pauses excluded; frozen once done).
    pub used_secs: i64,
    /// `used_secs / target_secs`.
    pub used_share: f64,
    /// Running, not breached, and at least `at_risk_share` of the target used.
    pub at_risk: bool,
    /// The due time passed before the clock was done (or it is running and past due).
    pub breached: bool,
    /// The response or resolution happened.
    pub done: bool,
    /// The clock is paused.
    pub paused: bool,
}

/// Both clocks of a case at some instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlaState {
    /// First response.
    pub first_response: ClockState,
    /// Resolution.
    pub resolution: ClockState,
}

impl SlaState {
    /// Either clock breached.
    pub fn breached(&self) -> bool {
        self.first_response.breached || self.resolution.breached
    }

    /// Either clock at risk.
    pub fn at_risk(&self) -> bool {
        self.first_response.at_risk || self.resolution.at_risk
    }
}

/// Timing of a first response or resolution (what its event records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Wall-clock seconds since the clocks started.
    pub wall_secs: i64,
    /// Business seconds since then, pauses excluded.
    pub business_secs: i64,
    /// By the due time.
    pub within_sla: bool,
}

fn hours_to_secs(hours: f64) -> i64 {
    (hours * 3600.0).round() as i64
}

impl SlaClock {
    /// Starts both clocks at `at` with a department's target, computing the due times.
    pub fn start(
        calendar: &Calendar<'_>,
        target: SlaTarget,
        at: DateTime<Utc>,
    ) -> Result<SlaClock, CareError> {
        let fr = hours_to_secs(target.first_response_hours);
        let res = hours_to_secs(target.resolution_hours);
        Ok(SlaClock {
            started_at: at,
            first_response_target_secs: fr,
            first_response_due: calendar.add(at, fr)?,
            first_response_at: None,
            first_response_timing: None,
            resolution_target_secs: res,
            resolution_due: calendar.add(at, res)?,
            resolved_at: None,
            resolution_timing: None,
            paused_since: None,
            paused_secs: 0,
        })
    }

    /// Pauses the clocks at `at` (no-op when already paused).
    pub fn pause(&mut self, at: DateTime<Utc>) {
        if self.paused_since.is_none() {
            self.paused_since = Some(at.max(self.started_at));
        }
    }

    /// Resumes the clocks at `at`: running due times move out by the
    /// business time the pause took (a clock already past due when the
    /// pause began stays breached).
    pub fn resume(&mut self, calendar: &Calendar<'_>, at: DateTime<Utc>) -> Result<(), CareError> {
        let Some(since) = self.paused_since.take() else {
            return Ok(());
        };
        let at = at.max(since);
        self.paused_secs += calendar.between(since, at);
        if self.first_response_at.is_none() && since < self.first_response_due {
            let left = calendar.between(since, self.first_response_due);
            self.first_response_due = calendar.add(at, left)?;
        }
        if self.resolved_at.is_none() && since < self.resolution_due {
            let left = calendar.between(since, self.resolution_due);
            self.resolution_due = calendar.add(at, left)?;
        }
        Ok(())
    }

    /// Business seconds used by `at`, pauses excluded.
    fn used_by(&self, calendar: &Calendar<'_>, at: DateTime<Utc>) -> i64 {
        let end = self.paused_since.map_or(at, |p| p.min(at));
        (calendar.between(self.started_at, end) - self.paused_secs).max(0)
    }

    fn timing(&self, calendar: &Calendar<'_>, at: DateTime<Utc>, due: DateTime<Utc>) -> Timing {
        Timing {
            wall_secs: (at - self.started_at).num_seconds(),
            business_secs: self.used_by(calendar, at),
            within_sla: at <= due,
        }
    }

    /// Records the first response at `at`; `None` when there already was one.
    pub fn respond(&mut self, calendar: &Calendar<'_>, at: DateTime<Utc>) -> Option<Timing> {
        if self.first_response_at.is_some() {
            return None;
        }
        let at = at.max(self.started_at);
        let timing = self.timing(calendar, at, self.first_response_due);
        self.first_response_at = Some(at);
        self.first_response_timing = Some(timing);
        Some(timing)
    }

    /// Records resolution at `at` and pauses the clocks.
    pub fn resolve(&mut self, calendar: &Calendar<'_>, at: DateTime<Utc>) -> Timing {
        let at = at.max(self.started_at);
        let timing = self.timing(calendar, at, self.resolution_due);
        self.resolved_at = Some(at);
        self.resolution_timing = Some(timing);
        self.pause(at);
        timing
    }

    /// Re-opens at `at`: the resolution clock runs again from where it stood.
    pub fn reopen(&mut self, calendar: &Calendar<'_>, at: DateTime<Utc>) -> Result<(), CareError> {
        self.resolved_at = None;
        self.resume(calendar, at)
    }

    /// The instant this case is (or will be, if nothing changes) in breach:
    /// a clock done late or paused past its due time breached at its due
    /// time; a running clock will at its due time; a clock done in time or
    /// paused before its due time never will while it stays so. The
    /// earliest of the two clocks; `None` when neither will.
    pub fn breach_at(&self) -> Option<DateTime<Utc>> {
        let clock =
            |due: DateTime<Utc>, done: Option<DateTime<Utc>>| match (done, self.paused_since) {
                (Some(at), _) => (at > due).then_some(due),
                (None, Some(p)) => (p > due).then_some(due),
                (None, None) => Some(due),
            };
        let fr = clock(self.first_response_due, self.first_response_at);
        let res = clock(self.resolution_due, self.resolved_at);
        match (fr, res) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Both clocks as they stand at `now`.
    pub fn state(
        &self,
        calendar: &Calendar<'_>,
        now: DateTime<Utc>,
        at_risk_share: f64,
    ) -> SlaState {
        let clock = |target: i64,
                     due: DateTime<Utc>,
                     done_at: Option<DateTime<Utc>>,
                     timing: Option<Timing>| {
            let effective = match (done_at, self.paused_since) {
                (Some(at), _) => at,
                (None, Some(p)) => p.min(now),
                (None, None) => now,
            };
            let used = match (done_at, timing) {
                (Some(_), Some(t)) => t.business_secs,
                _ => self.used_by(calendar, now),
            };
            let share = if target > 0 {
                used as f64 / target as f64
            } else {
                1.0
            };
            let breached = effective > due;
            ClockState {
                due,
                target_secs: target,
                used_secs: used,
                used_share: share,
                at_risk: done_at.is_none() && !breached && share >= at_risk_share,
                breached,
                done: done_at.is_some(),
                paused: done_at.is_none() && self.paused_since.is_some(),
            }
        };
        SlaState {
            first_response: clock(
                self.first_response_target_secs,
                self.first_response_due,
                self.first_response_at,
                self.first_response_timing,
            ),
            resolution: clock(
                self.resolution_target_secs,
                self.resolution_due,
                self.resolved_at,
                self.resolution_timing,
            ),
        }
    }
}
