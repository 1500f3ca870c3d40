//! The streaming detector: per series, buckets of counts (negatives and
//! all signals), a robust seasonal baseline, two upper-tail tests (volume,
//! negativity) and the incident state machine that turns anomalous buckets
//! into one alert per incident.
//!
//! Method (docs/alerts.md has the long form):
//! - expected count of bucket b = level × time-of-day factor × day-of-week
//!   factor; each factor is a ratio of exponentially decayed sums
//!   (observed / level) shrunk toward 1 by `seasonal_prior_count`;
//! - the observation fed into the baseline is winsorised at
//!   expectation + `winsor_sigmas` predictive standard deviations, so a burst
//!   does not become the new normal;
//! - the volume test is the negative-binomial upper tail P(X ≥ x) with mean
//!   max(expected, `min_expected`) and the series' own variance-to-mean ratio
//!   (an EWMA of squared Pearson residuals, ≥ 1: Poisson at 1);
//! - the negativity test is the binomial upper tail of the negatives among
//!   all signals against the baseline share, with a minimum rise;
//! - `persistence` anomalous buckets open an incident, `cooldown` normal ones
//!   close it; in between each anomalous bucket updates it.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{SettingsError, StateError};
use crate::settings::{Settings, VolumeMeasure};
use crate::stats;

/// A series: a brand, optionally narrowed to a stage, optionally to a
/// touchpoint (a touchpoint series carries its stage too, so that grouping
/// can tell it belongs under the stage).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SeriesKey {
    /// The brand.
    pub brand: String,
    /// The touchpoint, for a brand × touchpoint series.
    pub touchpoint: Option<String>,
    /// The stage, for a brand × stage series (and the touchpoint's stage).
    pub stage: Option<String>,
}

impl SeriesKey {
    /// The brand-wide series.
    pub fn brand(brand: &str) -> SeriesKey {
        SeriesKey {
            brand: brand.to_owned(),
            touchpoint: None,
            stage: None,
        }
    }

    /// A brand × stage series.
    pub fn stage(brand: &str, stage: &str) -> SeriesKey {
        SeriesKey {
            brand: brand.to_owned(),
            touchpoint: None,
            stage: Some(stage.to_owned()),
        }
    }

    /// A brand × touchpoint series, with the touchpoint's stage.
    pub fn touchpoint(brand: &str, touchpoint: &str, stage: &str) -> SeriesKey {
        SeriesKey {
            brand: brand.to_owned(),
            touchpoint: Some(touchpoint.to_owned()),
            stage: Some(stage.to_owned()),
        }
    }

    /// 0 for a brand, 1 for a stage, 2 for a touchpoint.
    pub fn specificity(&self) -> u8 {
        match (&self.touchpoint, &self.stage) {
            (Some(_), _) => 2,
            (None, Some(_)) => 1,
            (None, None) => 0,
        }
    }

    /// Whether `other` is a narrower series of this one (a stage under its
    /// brand, a touchpoint under its stage or brand).
    pub fn covers(&self, other: &SeriesKey) -> bool {
        if self.brand != other.brand || self.specificity() >= other.specificity() {
            return false;
        }
        match (&self.touchpoint, &self.stage) {
            (Some(_), _) => false,
            (None, None) => true,
            (None, Some(stage)) => other.stage.as_deref() == Some(stage.as_str()),
        }
    }
}

impl fmt::Display for SeriesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.brand)?;
        if let Some(stage) = &self.stage {
            write!(f, "/{stage}")?;
        }
        if let Some(tp) = &self.touchpoint {
            write!(f, "/{tp}")?;
        }
        Ok(())
    }
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The count (of negatives by default) is far above expectation.
    Volume,
    /// The share of negatives among all signals is far above its baseline.
    Negativity,
}

/// What happened to an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The evidence stayed beyond the threshold for `persistence` buckets.
    Opened,
    /// One more anomalous bucket while the incident is open.
    Updated,
    /// `cooldown` buckets back to normal.
    Closed,
}

/// One incident on one series: what an alert shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Volume or negativity.
    pub kind: AlertKind,
    /// The series.
    pub series: SeriesKey,
    /// Start of the first anomalous bucket (unix seconds).
    pub start: i64,
    /// End of the last anomalous bucket so far (unix seconds, exclusive).
    pub end: i64,
    /// Highest bucket severity so far, 1–10.
    pub severity: u8,
    /// Observed count of the most severe bucket.
    pub peak_observed: u64,
    /// Expected count of the most severe bucket.
    pub peak_expected: f64,
    /// Smallest p-value so far.
    pub min_p: f64,
    /// Anomalous buckets so far.
    pub anomalous_buckets: u32,
}

/// An incident opened, updated or closed, with the bucket that caused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    /// Opened, updated or closed.
    pub change: Change,
    /// The incident after the change (its window is `start..end`).
    pub incident: Incident,
    /// Start of the bucket whose close caused the change (unix seconds).
    pub bucket_start: i64,
    /// End of that bucket (unix seconds, exclusive).
    pub bucket_end: i64,
    /// Length of the span `observed`, `expected`, `interval` and `p_value`
    /// refer to, seconds: the bucket, or the long window (`window_secs`,
    /// ending with the bucket) when that is the stronger evidence.
    pub span_secs: i64,
    /// Observed count in that span (negatives for negativity).
    pub observed: u64,
    /// Expected count (negatives expected at the baseline share for negativity).
    pub expected: f64,
    /// Prediction interval of the count at `interval_level`, inclusive.
    pub interval: (u64, u64),
    /// Upper-tail p-value of the bucket.
    pub p_value: f64,
    /// Severity of that bucket, 1–10 (see [`severity`]).
    pub severity: u8,
}

/// Severity 1–10 from how far the observation is above expectation:
/// `ceil(2 · log2(ratio))` clamped to 1–10, where `ratio` is observed /
/// expected for volume and the odds ratio of the negative share for
/// negativity. Each doubling adds two points: 2× → 2, 4× → 4, 8× → 6,
/// 32× or more → 10. The p-value decides *whether* to alert; this says
/// *how much*, independently of how large the series is.
pub fn severity(ratio: f64) -> u8 {
    if !(ratio.is_finite() && ratio > 1.0) {
        return if ratio.is_infinite() { 10 } else { 1 };
    }
    (2.0 * ratio.log2()).ceil().clamp(1.0, 10.0) as u8
}

/// Handle of a series inside one [`Detector`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeriesId(u32);

/// The saved state of one series: seasonal profiles, level, dispersion,
/// the open buckets and the incident state — bounded by the settings
/// (`day_secs / bucket_secs` + 7 + a few numbers + the lateness ring), never
/// the history. Serialise it to persist; [`Detector::restore`] continues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesState {
    key: SeriesKey,
    baseline: Baseline,
    open: OpenBuckets,
    volume: KindState,
    negativity: KindState,
}

impl SeriesState {
    /// The series.
    pub fn key(&self) -> &SeriesKey {
        &self.key
    }

    /// The open incident of this kind, if any.
    pub fn incident(&self, kind: AlertKind) -> Option<&Incident> {
        match kind {
            AlertKind::Volume => self.volume.incident.as_ref(),
            AlertKind::Negativity => self.negativity.incident.as_ref(),
        }
    }

    /// Buckets learnt so far.
    pub fn buckets_seen(&self) -> u64 {
        self.baseline.n
    }

    fn new(key: SeriesKey, core: &Core) -> SeriesState {
        SeriesState {
            key,
            baseline: Baseline {
                n: 0,
                level: 0.0,
                dispersion: 1.0,
                day_num: vec![0.0; core.bpd as usize],
                day_den: vec![0.0; core.bpd as usize],
                week_num: vec![0.0; 7],
                week_den: vec![0.0; 7],
                neg_num: 0.0,
                tot_num: 0.0,
                recent_x: vec![0; core.window],
                recent_mu: vec![0.0; core.window],
                window_x: 0,
                window_mu: 0.0,
                window_dispersion: 1.0,
            },
            open: OpenBuckets {
                first: None,
                watermark: i64::MIN,
                counts: vec![[0, 0]; core.ring],
            },
            volume: KindState::default(),
            negativity: KindState::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Baseline {
    /// Buckets learnt.
    n: u64,
    /// Deseasonalised expected count per bucket.
    level: f64,
    /// Variance-to-mean ratio (≥ 1).
    dispersion: f64,
    day_num: Vec<f64>,
    day_den: Vec<f64>,
    week_num: Vec<f64>,
    week_den: Vec<f64>,
    /// Decayed sums of negatives and of all signals (negative share).
    neg_num: f64,
    tot_num: f64,
    /// The long window: each bucket's count and expectation, at `b mod len`,
    /// their sums, and the window's own dispersion (day totals vary more
    /// than independent buckets would: news cycles).
    recent_x: Vec<u32>,
    recent_mu: Vec<f64>,
    window_x: u64,
    window_mu: f64,
    window_dispersion: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OpenBuckets {
    /// First bucket (local index) not finalised yet; `None` before any signal.
    first: Option<i64>,
    /// Latest local time seen (signals or `advance`).
    watermark: i64,
    /// [total, negatives] of each open bucket, at `bucket mod len`.
    counts: Vec<[u32; 2]>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct KindState {
    streak: u32,
    streak_start: i64,
    quiet: u32,
    incident: Option<Incident>,
    /// The open incident was opened on the long window's evidence (so the
    /// window also holds it open).
    by_window: bool,
    /// The long window may not open an incident until it has been back to
    /// normal once: a burst that opened and closed an incident stays in the
    /// day's sum for a day and must not open a second one.
    window_spent: bool,
}

/// Settings turned into the numbers the hot path needs.
#[derive(Debug, Clone)]
struct Core {
    settings: Settings,
    bucket: i64,
    offset: i64,
    lateness: i64,
    bpd: u32,
    ring: usize,
    warmup: u64,
    alpha_level: f64,
    lambda_day: f64,
    lambda_week: f64,
    lambda_bucket: f64,
    max_gap: i64,
    /// `threshold_p` per bucket: buckets shorter than an hour share the
    /// hourly budget, and the two scales of the volume test share it too.
    threshold: f64,
    /// Buckets of the long window (0: off).
    window: usize,
    /// The long window's threshold: the hourly budget, like the buckets'.
    /// The window opens an incident without persistence (its sum already
    /// spans many buckets, and a sum below the threshold one hour mostly
    /// stays there the next, so two consecutive hours would buy little);
    /// its floor (`window_min_expected`) keeps nearly silent series from
    /// spending the false-alert budget on a handful of complaints.
    window_threshold: f64,
    /// ln 2 / `level_min_count` (infinite when 0: no lengthening).
    level_per_count: f64,
}

/// Factors are kept in this range so a nearly empty slot cannot blow up the
/// deseasonalised level.
const FACTOR_MIN: f64 = 0.05;
const FACTOR_MAX: f64 = 20.0;
/// Pseudo-signals behind the prior negative share.
const SHARE_PRIOR_SIGNALS: f64 = 10.0;

impl Core {
    fn new(settings: Settings) -> Result<Core, SettingsError> {
        settings.validate()?;
        let bpd = settings.buckets_per_day();
        let per_day = f64::from(bpd);
        let half = |buckets: f64| 0.5f64.powf(1.0 / buckets);
        Ok(Core {
            bucket: i64::from(settings.bucket_secs),
            offset: i64::from(settings.utc_offset_secs),
            lateness: i64::from(settings.lateness_secs),
            bpd,
            ring: settings.late_buckets() as usize + 1,
            warmup: u64::from(settings.warmup()),
            alpha_level: 1.0 - half(settings.level_half_life_days * per_day),
            lambda_day: half(settings.daily_half_life_days),
            lambda_week: half(settings.weekly_half_life_days / 7.0 * per_day),
            lambda_bucket: half(settings.daily_half_life_days * per_day),
            // After eight weeks without a signal the baseline has decayed to
            // nothing: later empty buckets are skipped, not walked.
            max_gap: i64::from(bpd) * 56 + i64::from(settings.cooldown) + 1,
            threshold: settings.threshold_p * (f64::from(settings.bucket_secs) / 3600.0).min(1.0),
            window: settings.window_buckets(),
            window_threshold: settings.threshold_p
                * (f64::from(settings.bucket_secs) / 3600.0).min(1.0),
            level_per_count: if settings.level_min_count > 0.0 {
                std::f64::consts::LN_2 / settings.level_min_count
            } else {
                f64::INFINITY
            },
            settings,
        })
    }

    fn slot(&self, b: i64) -> (usize, usize) {
        let bpd = i64::from(self.bpd);
        (
            b.rem_euclid(bpd) as usize,
            b.div_euclid(bpd).rem_euclid(7) as usize,
        )
    }

    fn factors(&self, base: &Baseline, b: i64) -> (f64, f64) {
        let (s, d) = self.slot(b);
        let k = self.settings.seasonal_prior_count;
        let ratio = |num: Option<&f64>, den: Option<&f64>| {
            let (num, den) = (num.copied().unwrap_or(0.0), den.copied().unwrap_or(0.0));
            ((num + k) / (den + k)).clamp(FACTOR_MIN, FACTOR_MAX)
        };
        let f = ratio(base.day_num.get(s), base.day_den.get(s));
        let g = if self.settings.weekly {
            ratio(base.week_num.get(d), base.week_den.get(d))
        } else {
            1.0
        };
        (f, g)
    }

    fn bucket_start(&self, b: i64) -> i64 {
        b.saturating_mul(self.bucket).saturating_sub(self.offset)
    }

    fn share0(&self, base: &Baseline) -> f64 {
        let prior = self.settings.negativity_prior_share;
        ((base.neg_num + SHARE_PRIOR_SIGNALS * prior) / (base.tot_num + SHARE_PRIOR_SIGNALS))
            .clamp(1e-6, 1.0 - 1e-6)
    }

    fn measure(&self, total: u32, negatives: u32) -> u32 {
        match self.settings.volume_of {
            VolumeMeasure::Negatives => negatives,
            VolumeMeasure::All => total,
        }
    }

    /// Expected count and winsorising cap of bucket `b` (before the test's floor).
    fn expectation(&self, base: &Baseline, b: i64) -> (f64, f64, f64) {
        let (f, g) = self.factors(base, b);
        let mu = base.level * f * g;
        let phi = base.dispersion.max(1.0);
        let cap = (mu + self.settings.winsor_sigmas * (mu * phi).sqrt()).max(1.0);
        (mu, cap, f * g)
    }

    /// Closes bucket `b` with its counts: tests, incident changes, baseline update.
    fn finalise(
        &self,
        state: &mut SeriesState,
        b: i64,
        total: u32,
        negatives: u32,
        out: &mut Vec<AlertEvent>,
    ) {
        let negatives = negatives.min(total);
        let s = &self.settings;
        let start = self.bucket_start(b);
        let end = start.saturating_add(self.bucket);
        let x = self.measure(total, negatives);
        let (mu, cap, fg) = self.expectation(&state.baseline, b);

        // The long window now ends with this bucket.
        let w = self.window;
        if w > 0 {
            let base = &mut state.baseline;
            let i = b.rem_euclid(w as i64) as usize;
            if let (Some(rx), Some(rmu)) = (base.recent_x.get_mut(i), base.recent_mu.get_mut(i)) {
                base.window_x = base.window_x.saturating_sub(u64::from(*rx)) + u64::from(x);
                base.window_mu = (base.window_mu - *rmu + mu).max(0.0);
                *rx = x;
                *rmu = mu;
            }
        }
        let base = &state.baseline;
        let alerting = base.n >= self.warmup;

        // Volume, bucket scale.
        let mu_t = mu.max(s.min_expected);
        let phi = base.dispersion.max(1.0);
        let p = if alerting && f64::from(x) > mu_t {
            stats::upper_tail(mu_t, phi, u64::from(x))
        } else {
            1.0
        };
        let mut evidence = Bucket {
            start,
            end,
            span: self.bucket,
            observed: u64::from(x),
            expected: mu_t,
            p,
            severity: severity(f64::from(x) / mu_t),
            mean: mu_t,
            dispersion: phi,
        };
        // Volume, window scale (once the window is full).
        let window_full = w > 0 && base.n + 1 >= w as u64;
        let mut p_window = 1.0;
        if alerting && window_full {
            let m = base.window_mu.max(s.window_min_expected);
            let phi_w = base.window_dispersion.max(1.0);
            if base.window_x as f64 > m {
                p_window = stats::upper_tail(m, phi_w, base.window_x);
                if p_window < p {
                    evidence = Bucket {
                        span: self.bucket * w as i64,
                        observed: base.window_x,
                        expected: m,
                        p: p_window,
                        severity: severity(base.window_x as f64 / m),
                        mean: m,
                        dispersion: phi_w,
                        ..evidence
                    };
                }
            }
        }
        let ks = &state.volume;
        let (bucket_hit, window_hit) = (p < self.threshold, p_window < self.window_threshold);
        let verdict = if ks.incident.is_some() && ks.by_window {
            // An incident the day's sum opened: the day still abnormal holds
            // it open; it extends it while its own bucket is above expectation.
            Verdict {
                opens: false,
                opens_now: false,
                extends: bucket_hit || (window_hit && f64::from(x) > mu_t),
                normal: p.min(p_window) >= s.close_p,
            }
        } else {
            let window_opens = window_hit && !ks.window_spent;
            Verdict {
                opens: bucket_hit || window_opens,
                opens_now: window_opens,
                ..Verdict::of(p, self.threshold, s.close_p)
            }
        };
        let was_open = ks.incident.is_some();
        let (mean, disp) = (evidence.mean, evidence.dispersion);
        step(
            &mut state.volume,
            AlertKind::Volume,
            &state.key,
            verdict,
            &evidence,
            s,
            || {
                let a = (1.0 - s.interval_level) / 2.0;
                (
                    stats::quantile(mean, disp, a),
                    stats::quantile(mean, disp, 1.0 - a),
                )
            },
            out,
        );
        let ks = &mut state.volume;
        if !was_open && ks.incident.is_some() {
            ks.by_window = !bucket_hit;
            ks.window_spent = true;
        }
        if ks.incident.is_none() && p_window >= s.close_p {
            ks.window_spent = false;
        }

        // Negativity.
        let share0 = self.share0(base);
        let n = u64::from(total);
        let k = u64::from(negatives);
        let rise_ok =
            total > 0 && f64::from(negatives) / f64::from(total) >= share0 + s.negativity_min_rise;
        let p_neg = if alerting && total >= s.negativity_min_total && rise_ok {
            stats::binomial_upper_tail(n, share0, k)
        } else {
            1.0
        };
        let odds = (k as f64 + 0.5) / ((n - k) as f64 + 0.5);
        let bucket = Bucket {
            start,
            end,
            span: self.bucket,
            observed: k,
            expected: n as f64 * share0,
            p: p_neg,
            severity: severity(odds / (share0 / (1.0 - share0))),
            mean: 0.0,
            dispersion: 1.0,
        };
        step(
            &mut state.negativity,
            AlertKind::Negativity,
            &state.key,
            Verdict::of(p_neg, self.threshold, s.close_p),
            &bucket,
            s,
            || {
                let a = (1.0 - s.interval_level) / 2.0;
                (
                    stats::binomial_quantile(n, share0, a),
                    stats::binomial_quantile(n, share0, 1.0 - a),
                )
            },
            out,
        );

        // Baseline update, with the observation winsorised.
        let base = &mut state.baseline;
        let robust = base.n >= u64::from(self.bpd);
        let x_fed = if robust {
            f64::from(x).min(cap)
        } else {
            f64::from(x)
        };
        let nb = base.n as f64 + 1.0;
        // A sparse series' level needs a longer memory: its half-life holds
        // at least `level_min_count` counts (at most the daily half-life),
        // or a few complaints would move it — noise that widens the day's
        // dispersion, and an incident learnt within hours.
        let sparse = (self.level_per_count * base.level).max(1.0 - self.lambda_bucket);
        let alpha_level = self.alpha_level.min(sparse).max(1.0 / nb);
        // The dispersion is only learnt once the profiles are (after the
        // first day): a plain mean of its own observations until the decay
        // takes over.
        let robust_n = base.n.saturating_sub(u64::from(self.bpd)) as f64 + 1.0;
        let alpha_disp = (1.0 - self.lambda_bucket).max(1.0 / robust_n);
        if robust {
            let r2 = (x_fed - mu).powi(2) / mu.max(s.min_expected);
            base.dispersion += alpha_disp * (r2 - base.dispersion);
            if window_full {
                let m = base.window_mu;
                let phi_w = base.window_dispersion.max(1.0);
                let x_w = (base.window_x as f64)
                    .min(m + s.winsor_sigmas * (m * phi_w).sqrt())
                    .max(0.0);
                let r2 = (x_w - m).powi(2) / m.max(s.min_expected);
                base.window_dispersion += alpha_disp * (r2 - base.window_dispersion);
            }
            let (sl, d) = self.slot(b);
            let (f, g) = self.factors(base, b);
            if let (Some(num), Some(den)) = (base.day_num.get_mut(sl), base.day_den.get_mut(sl)) {
                *num = self.lambda_day * *num + x_fed / g;
                *den = self.lambda_day * *den + base.level;
            }
            if let (Some(num), Some(den)) = (base.week_num.get_mut(d), base.week_den.get_mut(d)) {
                *num = self.lambda_week * *num + x_fed / f;
                *den = self.lambda_week * *den + base.level;
            }
        }
        base.level += alpha_level * (x_fed / fg - base.level);
        let neg_cap = if robust {
            let m = n as f64 * share0;
            (m + s.winsor_sigmas * (m * (1.0 - share0)).sqrt()).max(1.0)
        } else {
            f64::INFINITY
        };
        base.neg_num = self.lambda_bucket * base.neg_num + (k as f64).min(neg_cap);
        base.tot_num = self.lambda_bucket * base.tot_num + n as f64;
        base.n += 1;
    }

    /// A signal for a bucket already finalised: into the baseline only.
    fn late(&self, state: &mut SeriesState, b: i64, total: u32, negatives: u32) {
        let negatives = negatives.min(total);
        let (_, cap, fg) = self.expectation(&state.baseline, b);
        let x = f64::from(self.measure(total, negatives)).min(cap);
        let base = &mut state.baseline;
        base.level += self.alpha_level * x / fg;
        base.neg_num += f64::from(negatives);
        base.tot_num += f64::from(total);
    }

    /// Finalises every bucket whose end + lateness is at or before the watermark.
    fn finalise_due(&self, state: &mut SeriesState, out: &mut Vec<AlertEvent>) {
        let Some(mut first) = state.open.first else {
            return;
        };
        let wm = state.open.watermark;
        // Last bucket b with (b + 1) * bucket + lateness <= wm.
        let last = (wm.saturating_sub(self.lateness)).div_euclid(self.bucket) - 1;
        if last < first {
            return;
        }
        let ring = state.open.counts.len().max(1) as i64;
        let mut walked = 0i64;
        while first <= last {
            if walked >= self.max_gap && last - first >= ring {
                // A long silence: skip the empty buckets (all open ones are
                // older than the ring and hence empty).
                first = last - ring + 1;
                walked = 0;
                continue;
            }
            let idx = first.rem_euclid(ring) as usize;
            let [total, neg] = state.open.counts.get(idx).copied().unwrap_or([0, 0]);
            if let Some(c) = state.open.counts.get_mut(idx) {
                *c = [0, 0];
            }
            self.finalise(state, first, total, neg, out);
            first += 1;
            walked += 1;
        }
        state.open.first = Some(first);
    }
}

/// How a closed bucket stands for one kind.
#[derive(Debug, Clone, Copy)]
struct Verdict {
    /// Counts toward opening an incident (persistence).
    opens: bool,
    /// Opens an incident at once: evidence that already aggregates many
    /// buckets (the long window) needs no further persistence.
    opens_now: bool,
    /// Extends an open incident (an Updated event).
    extends: bool,
    /// Back to normal: counts toward the cooldown. Neither this nor
    /// `extends`: still elevated, the incident stays open as it is.
    normal: bool,
}

impl Verdict {
    /// One scale: anomalous below `threshold`, normal from `close_p`.
    fn of(p: f64, threshold: f64, close_p: f64) -> Verdict {
        Verdict {
            opens: p < threshold,
            opens_now: false,
            extends: p < threshold,
            normal: p >= close_p,
        }
    }
}

/// The evidence reported with an event: a bucket or the long window.
struct Bucket {
    start: i64,
    end: i64,
    span: i64,
    observed: u64,
    expected: f64,
    p: f64,
    severity: u8,
    /// Mean and dispersion of the count distribution, for the interval.
    mean: f64,
    dispersion: f64,
}

/// The incident state machine of one kind on one series.
#[allow(clippy::too_many_arguments)]
fn step(
    ks: &mut KindState,
    kind: AlertKind,
    key: &SeriesKey,
    verdict: Verdict,
    bucket: &Bucket,
    s: &Settings,
    interval: impl Fn() -> (u64, u64),
    out: &mut Vec<AlertEvent>,
) {
    let emit = |change: Change, incident: &Incident, out: &mut Vec<AlertEvent>| {
        out.push(AlertEvent {
            change,
            incident: incident.clone(),
            bucket_start: bucket.start,
            bucket_end: bucket.end,
            span_secs: bucket.span,
            observed: bucket.observed,
            expected: bucket.expected,
            interval: interval(),
            p_value: bucket.p,
            severity: bucket.severity,
        });
    };
    if let Some(inc) = ks.incident.as_mut() {
        if verdict.extends {
            ks.quiet = 0;
            inc.end = bucket.end;
            inc.anomalous_buckets += 1;
            inc.min_p = inc.min_p.min(bucket.p);
            if bucket.severity > inc.severity {
                inc.severity = bucket.severity;
                inc.peak_observed = bucket.observed;
                inc.peak_expected = bucket.expected;
            }
            emit(Change::Updated, inc, out);
        } else if !verdict.normal {
            ks.quiet = 0;
        } else {
            ks.quiet += 1;
            if ks.quiet >= s.cooldown {
                emit(Change::Closed, inc, out);
                ks.incident = None;
                ks.quiet = 0;
                ks.streak = 0;
            }
        }
        return;
    }
    if !verdict.opens {
        ks.streak = 0;
        return;
    }
    if ks.streak == 0 {
        ks.streak_start = bucket.start;
    }
    ks.streak += 1;
    if ks.streak >= s.persistence || verdict.opens_now {
        let inc = Incident {
            kind,
            series: key.clone(),
            start: ks.streak_start,
            end: bucket.end,
            severity: bucket.severity,
            peak_observed: bucket.observed,
            peak_expected: bucket.expected,
            min_p: bucket.p,
            anomalous_buckets: ks.streak,
        };
        emit(Change::Opened, &inc, out);
        ks.incident = Some(inc);
        ks.streak = 0;
        ks.quiet = 0;
    }
}

/// The detector over many series. Feed it signals in any order; call
/// [`Detector::advance`] with the current time so quiet series close their
/// buckets too (an empty hour is evidence). Everything is a function of the
/// inputs: no clock, no I/O.
#[derive(Debug, Clone)]
pub struct Detector {
    core: Core,
    series: Vec<SeriesState>,
    index: HashMap<SeriesKey, SeriesId>,
}

impl Detector {
    /// A detector with no series yet.
    pub fn new(settings: Settings) -> Result<Detector, SettingsError> {
        Ok(Detector {
            core: Core::new(settings)?,
            series: Vec::new(),
            index: HashMap::new(),
        })
    }

    /// A detector continuing from saved states (see [`Detector::states`]).
    /// States saved under other bucket or season lengths are refused.
    pub fn restore(settings: Settings, states: Vec<SeriesState>) -> Result<Detector, StateError> {
        let mut d = Detector::new(settings)?;
        for st in states {
            let mismatch = |reason: String| StateError::Mismatch {
                series: st.key.to_string(),
                reason,
            };
            let b = &st.baseline;
            if b.day_num.len() != d.core.bpd as usize || b.day_den.len() != d.core.bpd as usize {
                return Err(mismatch(format!(
                    "{} time-of-day slots saved, {} expected",
                    b.day_num.len(),
                    d.core.bpd
                )));
            }
            if b.week_num.len() != 7 || b.week_den.len() != 7 {
                return Err(mismatch("the day-of-week profile needs 7 days".into()));
            }
            if b.recent_x.len() != d.core.window || b.recent_mu.len() != d.core.window {
                return Err(mismatch(format!(
                    "a window of {} buckets saved, {} expected",
                    b.recent_x.len(),
                    d.core.window
                )));
            }
            if st.open.counts.len() != d.core.ring {
                return Err(mismatch(format!(
                    "{} open buckets saved, lateness needs {}",
                    st.open.counts.len(),
                    d.core.ring
                )));
            }
            if d.index.contains_key(&st.key) {
                return Err(mismatch("saved twice".into()));
            }
            let id = SeriesId(d.series.len() as u32);
            d.index.insert(st.key.clone(), id);
            d.series.push(st);
        }
        Ok(d)
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.core.settings
    }

    /// The handle of a series, creating it on first sight (the only
    /// allocation; keep the handle for the hot path).
    pub fn series_id(&mut self, key: &SeriesKey) -> SeriesId {
        if let Some(id) = self.index.get(key) {
            return *id;
        }
        let id = SeriesId(self.series.len() as u32);
        self.series.push(SeriesState::new(key.clone(), &self.core));
        self.index.insert(key.clone(), id);
        id
    }

    /// The handle of a known series.
    pub fn lookup(&self, key: &SeriesKey) -> Option<SeriesId> {
        self.index.get(key).copied()
    }

    /// One signal: its series, its time (unix seconds), negative or not.
    pub fn observe(&mut self, id: SeriesId, ts: i64, negative: bool, out: &mut Vec<AlertEvent>) {
        self.observe_counts(id, ts, 1, u32::from(negative), out);
    }

    /// `total` signals of which `negatives` negative, all at `ts`. A signal
    /// whose bucket is still open (within `lateness_secs` of its end) counts
    /// in it; an older one only nudges the baseline and never re-alerts the
    /// past. Events of buckets this signal's time closes go to `out`. An id
    /// from another detector is ignored.
    pub fn observe_counts(
        &mut self,
        id: SeriesId,
        ts: i64,
        total: u32,
        negatives: u32,
        out: &mut Vec<AlertEvent>,
    ) {
        let core = &self.core;
        let Some(state) = self.series.get_mut(id.0 as usize) else {
            return;
        };
        let local = ts.saturating_add(core.offset);
        let b = local.div_euclid(core.bucket);
        let first = match state.open.first {
            Some(f) => f,
            None => {
                state.open.first = Some(b);
                b
            }
        };
        if b < first {
            core.late(state, b, total, negatives);
            return;
        }
        if local > state.open.watermark {
            state.open.watermark = local;
            core.finalise_due(state, out);
        }
        let ring = state.open.counts.len().max(1) as i64;
        if let Some(c) = state.open.counts.get_mut(b.rem_euclid(ring) as usize) {
            c[0] = c[0].saturating_add(total);
            c[1] = c[1].saturating_add(negatives.min(total));
        }
    }

    /// Moves time to `now` (unix seconds) for every series: buckets whose
    /// end + lateness has passed are closed, empty ones as zeros.
    pub fn advance(&mut self, now: i64, out: &mut Vec<AlertEvent>) {
        let local = now.saturating_add(self.core.offset);
        for state in &mut self.series {
            if state.open.first.is_some() && local > state.open.watermark {
                state.open.watermark = local;
                self.core.finalise_due(state, out);
            }
        }
    }

    /// Expected count of the volume measure at `ts` for a series, with its
    /// prediction interval (for charts of observed against the expected band).
    pub fn expected(&self, id: SeriesId, ts: i64) -> Option<(f64, (u64, u64))> {
        let state = self.series.get(id.0 as usize)?;
        let b = ts
            .saturating_add(self.core.offset)
            .div_euclid(self.core.bucket);
        let (mu, _, _) = self.core.expectation(&state.baseline, b);
        let s = &self.core.settings;
        let phi = state.baseline.dispersion.max(1.0);
        let a = (1.0 - s.interval_level) / 2.0;
        let m = mu.max(s.min_expected);
        Some((
            mu,
            (stats::quantile(m, phi, a), stats::quantile(m, phi, 1.0 - a)),
        ))
    }

    /// The state of one series.
    pub fn state(&self, id: SeriesId) -> Option<&SeriesState> {
        self.series.get(id.0 as usize)
    }

    /// Every series' state, to persist.
    pub fn states(&self) -> &[SeriesState] {
        &self.series
    }

    /// Every incident open now.
    pub fn open_incidents(&self) -> impl Iterator<Item = &Incident> {
        self.series
            .iter()
            .flat_map(|s| s.volume.incident.iter().chain(s.negativity.incident.iter()))
    }
}

/// Groups incidents seen at several levels: a touchpoint's incident, its
/// stage's and its brand's, of the same kind and with overlapping windows,
/// are one group. Returns, for each incident, the index of its group's
/// representative: the most specific series' incident (then the earliest,
/// then the first given). Quadratic in the number of incidents: meant for
/// the open and recent incidents of a workspace, not for a history.
pub fn group_incidents(incidents: &[Incident]) -> Vec<usize> {
    let n = incidents.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let better = |a: usize, b: usize| -> bool {
        let (x, y) = (&incidents[a], &incidents[b]);
        (std::cmp::Reverse(x.series.specificity()), x.start, a)
            < (std::cmp::Reverse(y.series.specificity()), y.start, b)
    };
    for i in 0..n {
        for j in (i + 1)..n {
            let (a, b) = (&incidents[i], &incidents[j]);
            let related = a.series.covers(&b.series) || b.series.covers(&a.series);
            let overlap = a.start < b.end && b.start < a.end;
            if a.kind == b.kind && related && overlap {
                let (ra, rb) = (root(&mut parent, i), root(&mut parent, j));
                if ra != rb {
                    if better(ra, rb) {
                        parent[rb] = ra;
                    } else {
                        parent[ra] = rb;
                    }
                }
            }
        }
    }
    (0..n).map(|i| root(&mut parent, i)).collect()
}
