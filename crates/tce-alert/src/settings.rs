//! Detector settings: what `[alerts]` in tce.toml will hold. Every field has
//! a default chosen on principle (see docs/alerts.md); `validate` says which
//! field is wrong and why.

use serde::{Deserialize, Serialize};

use crate::error::SettingsError;

/// Which count the volume test watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum VolumeMeasure {
    /// The count of negative signals (the early-warning default).
    #[default]
    Negatives,
    /// Every signal (mention volume, or praise when the caller feeds praise).
    All,
}

/// Settings of the detector. Deserialised from `[alerts]` with every field
/// optional; call [`Settings::validate`] before use (the detector does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Length of one bucket in seconds (default 3600: hourly).
    pub bucket_secs: u32,
    /// Length of the daily season in seconds (default 86400); a multiple of
    /// `bucket_secs`. The hour-of-day profile has `day_secs / bucket_secs` slots.
    pub day_secs: u32,
    /// Length of the second, longer scale of the volume test, in seconds
    /// (default 86400: the last day; 0 turns it off). A multiple of
    /// `bucket_secs`. The sum of the last day's counts is tested against the
    /// sum of their expectations, so a sparse series whose incident is spread
    /// over hours (ten complaints in a day where two are usual) is seen even
    /// though no single bucket is.
    pub window_secs: u32,
    /// Learn a day-of-week profile too (default true).
    pub weekly: bool,
    /// Offset added to timestamps before cutting days, so that the daily
    /// season follows local time (default 0: UTC).
    pub utc_offset_secs: i32,
    /// Half-life of the deseasonalised level, in days (default 3).
    pub level_half_life_days: f64,
    /// Counts a sparse series' level remembers (default 80): its half-life
    /// is lengthened from `level_half_life_days` until it holds this many
    /// counts, up to `daily_half_life_days` (a series of two complaints a
    /// day learns its level over two weeks, not three days, so a few
    /// complaints do not move it and an incident is not learnt within
    /// hours). 0 keeps `level_half_life_days` for every series.
    pub level_min_count: f64,
    /// Half-life of the time-of-day profile, in days (default 14).
    pub daily_half_life_days: f64,
    /// Half-life of the day-of-week profile, in days (default 56: eight
    /// observations of each weekday).
    pub weekly_half_life_days: f64,
    /// Pseudo-count that shrinks each seasonal factor toward 1 (default 2):
    /// a slot's factor moves away from 1 only once it has seen a few counts,
    /// so sparse series stay flat rather than fitting noise.
    pub seasonal_prior_count: f64,
    /// Winsorising point of the observation fed into the baseline, in
    /// predictive standard deviations above the expectation (default 3).
    pub winsor_sigmas: f64,
    /// Upper-tail p-value below which a bucket is anomalous (default 0.001).
    /// It is a budget per hour: a bucket shorter than an hour is tested at
    /// `threshold_p × bucket_secs / 3600`, so that five-minute buckets do not
    /// raise twelve times the false alarms of hourly ones.
    pub threshold_p: f64,
    /// Consecutive anomalous buckets before an alert opens (default 2).
    pub persistence: u32,
    /// Consecutive normal buckets before an open alert closes (default 3).
    pub cooldown: u32,
    /// p-value at or above which a bucket is back to normal for the
    /// cooldown (default 0.05). Between `threshold_p` and this, a bucket is
    /// still elevated: it neither extends nor closes an incident, so an
    /// incident that simmers stays one alert instead of flapping.
    pub close_p: f64,
    /// Floor of the expected count in the test (default 1): a series that
    /// expects 0.05 an hour does not alert on 2.
    pub min_expected: f64,
    /// Floor of the expected count of the long window (default 2): a
    /// touchpoint expecting one complaint a day is tested as if it expected
    /// two, so that a handful of chance complaints on a nearly silent
    /// touchpoint does not alert (five where one is usual is not evidence
    /// of an operational problem). At least `min_expected`.
    pub window_min_expected: f64,
    /// Buckets learnt before any alert (default: one week of buckets).
    pub warmup_buckets: Option<u32>,
    /// How long after its end a bucket stays open for late signals, in
    /// seconds (default 900).
    pub lateness_secs: u32,
    /// Which count the volume test watches (default negatives).
    pub volume_of: VolumeMeasure,
    /// Smallest number of signals in a bucket for the negativity test (default 10).
    pub negativity_min_total: u32,
    /// Smallest rise of the negative share over its baseline for a
    /// negativity alert, in share points (default 0.15).
    pub negativity_min_rise: f64,
    /// Negative share assumed before any data (default 0.25).
    pub negativity_prior_share: f64,
    /// Coverage of the prediction interval reported with an alert (default 0.95).
    pub interval_level: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bucket_secs: 3600,
            day_secs: 86_400,
            window_secs: 86_400,
            weekly: true,
            utc_offset_secs: 0,
            level_half_life_days: 3.0,
            level_min_count: 80.0,
            daily_half_life_days: 14.0,
            weekly_half_life_days: 56.0,
            seasonal_prior_count: 2.0,
            winsor_sigmas: 3.0,
            threshold_p: 1e-3,
            persistence: 2,
            cooldown: 3,
            close_p: 0.05,
            min_expected: 1.0,
            window_min_expected: 2.0,
            warmup_buckets: None,
            lateness_secs: 900,
            volume_of: VolumeMeasure::Negatives,
            negativity_min_total: 10,
            negativity_min_rise: 0.15,
            negativity_prior_share: 0.25,
            interval_level: 0.95,
        }
    }
}

/// Largest lateness, in buckets: open buckets are kept in a ring this size.
pub(crate) const MAX_LATE_BUCKETS: u32 = 48;

impl Settings {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.bucket_secs == 0 {
            return Err(SettingsError::invalid(
                "bucket_secs",
                self.bucket_secs,
                "must be at least 1",
            ));
        }
        if self.day_secs == 0 || self.day_secs.checked_rem(self.bucket_secs) != Some(0) {
            return Err(SettingsError::invalid(
                "day_secs",
                self.day_secs,
                "must be a positive multiple of bucket_secs",
            ));
        }
        if self.day_secs / self.bucket_secs > 10_000 {
            return Err(SettingsError::invalid(
                "bucket_secs",
                self.bucket_secs,
                "gives more than 10000 buckets per day",
            ));
        }
        if self.window_secs.checked_rem(self.bucket_secs) != Some(0)
            || self.window_secs / self.bucket_secs > 10_000
        {
            return Err(SettingsError::invalid(
                "window_secs",
                self.window_secs,
                "must be 0 or a multiple of bucket_secs of at most 10000 buckets",
            ));
        }
        for (field, v) in [
            ("level_half_life_days", self.level_half_life_days),
            ("daily_half_life_days", self.daily_half_life_days),
            ("weekly_half_life_days", self.weekly_half_life_days),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(SettingsError::invalid(
                    field,
                    v,
                    "must be a positive number of days",
                ));
            }
        }
        if !(self.level_min_count.is_finite() && self.level_min_count >= 0.0) {
            return Err(SettingsError::invalid(
                "level_min_count",
                self.level_min_count,
                "must be 0 or more",
            ));
        }
        if !(self.seasonal_prior_count.is_finite() && self.seasonal_prior_count > 0.0) {
            return Err(SettingsError::invalid(
                "seasonal_prior_count",
                self.seasonal_prior_count,
                "must be positive",
            ));
        }
        if !(self.winsor_sigmas.is_finite() && self.winsor_sigmas >= 1.0) {
            return Err(SettingsError::invalid(
                "winsor_sigmas",
                self.winsor_sigmas,
                "must be at least 1",
            ));
        }
        // Buckets at or below expectation are never tested: that is only
        // sound when the threshold is well below P(X >= mean).
        if !(self.threshold_p > 0.0 && self.threshold_p <= 0.05) {
            return Err(SettingsError::invalid(
                "threshold_p",
                self.threshold_p,
                "must be in (0, 0.05]",
            ));
        }
        if self.persistence == 0 || self.persistence > 1000 {
            return Err(SettingsError::invalid(
                "persistence",
                self.persistence,
                "must be 1 to 1000 buckets",
            ));
        }
        if self.cooldown == 0 || self.cooldown > 1000 {
            return Err(SettingsError::invalid(
                "cooldown",
                self.cooldown,
                "must be 1 to 1000 buckets",
            ));
        }
        if !(self.close_p >= self.threshold_p && self.close_p <= 1.0) {
            return Err(SettingsError::invalid(
                "close_p",
                self.close_p,
                "must be in [threshold_p, 1]",
            ));
        }
        if !(self.min_expected.is_finite() && self.min_expected > 0.0) {
            return Err(SettingsError::invalid(
                "min_expected",
                self.min_expected,
                "must be positive",
            ));
        }
        if !(self.window_min_expected.is_finite() && self.window_min_expected >= self.min_expected)
        {
            return Err(SettingsError::invalid(
                "window_min_expected",
                self.window_min_expected,
                "must be at least min_expected",
            ));
        }
        if self.late_buckets() > MAX_LATE_BUCKETS {
            return Err(SettingsError::invalid(
                "lateness_secs",
                self.lateness_secs,
                "must be at most 48 buckets",
            ));
        }
        if !(self.negativity_min_rise.is_finite() && (0.0..1.0).contains(&self.negativity_min_rise))
        {
            return Err(SettingsError::invalid(
                "negativity_min_rise",
                self.negativity_min_rise,
                "must be in [0, 1)",
            ));
        }
        if !(self.negativity_prior_share > 0.0 && self.negativity_prior_share < 1.0) {
            return Err(SettingsError::invalid(
                "negativity_prior_share",
                self.negativity_prior_share,
                "must be in (0, 1)",
            ));
        }
        if !(self.interval_level > 0.0 && self.interval_level < 1.0) {
            return Err(SettingsError::invalid(
                "interval_level",
                self.interval_level,
                "must be in (0, 1)",
            ));
        }
        Ok(())
    }

    /// Buckets per daily season.
    pub fn buckets_per_day(&self) -> u32 {
        (self.day_secs / self.bucket_secs.max(1)).max(1)
    }

    /// Warm-up in buckets (the setting, or one week of buckets).
    pub fn warmup(&self) -> u32 {
        self.warmup_buckets
            .unwrap_or_else(|| self.buckets_per_day().saturating_mul(7))
    }

    /// Buckets in the long scale of the volume test (0: off).
    pub(crate) fn window_buckets(&self) -> usize {
        (self.window_secs / self.bucket_secs.max(1)) as usize
    }

    /// How many buckets after its own a bucket stays open.
    pub(crate) fn late_buckets(&self) -> u32 {
        self.lateness_secs.div_ceil(self.bucket_secs.max(1))
    }
}
