//! Backtests: the detector over one external regular series (one count per
//! time step, e.g. mention volumes exported from another listening tool) and
//! its alerts scored against labelled anomaly windows.
//!
//! The step is inferred (the most common gap between timestamps; missing
//! steps count as zero); the detector runs with the caller's settings except
//! that a bucket is one step, lateness is zero and the volume measure is the
//! value itself. A window is detected when an alert opens inside it (or at
//! most `tolerance_secs` before its start); an alert opening outside every
//! such span is a false alert; time to detect is opening − window start
//! (zero for an early detection).

use std::io::Read;

use chrono::{DateTime, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::detector::{AlertEvent, AlertKind, Change, Detector, SeriesKey};
use crate::error::{BacktestError, SettingsError};
use crate::settings::{Settings, VolumeMeasure};

/// A regular series: (unix seconds, count), strictly increasing in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The points, in file order.
    pub points: Vec<(i64, u32)>,
}

/// A labelled anomaly window, both ends inclusive (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// First instant of the window.
    pub start: i64,
    /// Last instant of the window.
    pub end: i64,
}

/// Parses `2015-03-01 00:00:00`, with optional fractional seconds (taken as
/// UTC), or an RFC 3339 timestamp. Returns unix seconds.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp());
        }
    }
    None
}

/// Reads a `timestamp,value` CSV (header required). Values are non-negative
/// counts (a fractional value is rounded). Errors name the line.
pub fn read_series(reader: impl Read) -> Result<Series, BacktestError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let header = csv.headers().map_err(|e| BacktestError::Csv {
        line: 1,
        reason: e.to_string(),
    })?;
    let names: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
    if names != ["timestamp", "value"] {
        return Err(BacktestError::Header(
            header.iter().collect::<Vec<_>>().join(","),
        ));
    }
    let mut points: Vec<(i64, u32)> = Vec::new();
    for record in csv.records() {
        let record = record.map_err(|e| BacktestError::Csv {
            line: e.position().map_or(0, |p| p.line()),
            reason: e.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let err = |reason: String| BacktestError::Csv { line, reason };
        let (Some(ts), Some(value)) = (record.get(0), record.get(1)) else {
            return Err(err("expected two fields".into()));
        };
        let t = parse_timestamp(ts).ok_or_else(|| err(format!("unreadable timestamp `{ts}`")))?;
        let v: f64 = value
            .parse()
            .map_err(|_| err(format!("value `{value}` is not a number")))?;
        if !(v.is_finite() && v >= 0.0 && v <= f64::from(u32::MAX)) {
            return Err(err(format!("value `{value}` is not a count")));
        }
        if let Some(&(prev, _)) = points.last() {
            if t <= prev {
                return Err(err(format!(
                    "timestamp `{ts}` is not after the previous one"
                )));
            }
        }
        points.push((t, v.round() as u32));
    }
    Ok(Series { points })
}

/// Parses labels `[["start","end"], …]`.
pub fn parse_labels(json: &str) -> Result<Vec<Window>, BacktestError> {
    let raw: Vec<[String; 2]> =
        serde_json::from_str(json).map_err(|e| BacktestError::Labels(e.to_string()))?;
    raw.iter()
        .enumerate()
        .map(|(i, [a, b])| {
            let start = parse_timestamp(a).ok_or_else(|| {
                BacktestError::Labels(format!("window {}: unreadable start `{a}`", i + 1))
            })?;
            let end = parse_timestamp(b).ok_or_else(|| {
                BacktestError::Labels(format!("window {}: unreadable end `{b}`", i + 1))
            })?;
            if end < start {
                return Err(BacktestError::Labels(format!(
                    "window {}: ends before it starts",
                    i + 1
                )));
            }
            Ok(Window { start, end })
        })
        .collect()
}

/// The series' step: the most common gap between consecutive timestamps.
/// Every gap must be a whole number of steps.
pub fn infer_step(series: &Series) -> Result<i64, BacktestError> {
    if series.points.len() < 2 {
        return Err(BacktestError::Series("fewer than two points".into()));
    }
    let mut gaps: Vec<i64> = series.points.windows(2).map(|w| w[1].0 - w[0].0).collect();
    gaps.sort_unstable();
    let mut best = (0i64, 0usize);
    let mut i = 0;
    while i < gaps.len() {
        let j = gaps[i..].iter().take_while(|g| **g == gaps[i]).count();
        if j > best.1 {
            best = (gaps[i], j);
        }
        i += j;
    }
    let step = best.0;
    if step <= 0 {
        return Err(BacktestError::Series("timestamps do not increase".into()));
    }
    if let Some(w) = series
        .points
        .windows(2)
        .find(|w| (w[1].0 - w[0].0) % step != 0)
    {
        return Err(BacktestError::Series(format!(
            "irregular: a gap of {} s after {} is not a multiple of the {} s step",
            w[1].0 - w[0].0,
            w[0].0,
            step
        )));
    }
    Ok(step)
}

/// What the detector did on a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The inferred step, seconds.
    pub step_secs: i64,
    /// The settings the detector ran with.
    pub settings: Settings,
    /// Every alert event, in order.
    pub events: Vec<AlertEvent>,
}

impl Run {
    /// Opening time of each alert: the timestamp of the step whose close
    /// opened it (the series row at which the detector would have alerted).
    pub fn opened_at(&self) -> Vec<i64> {
        self.events
            .iter()
            .filter(|e| e.change == Change::Opened && e.incident.kind == AlertKind::Volume)
            .map(|e| e.bucket_start)
            .collect()
    }
}

/// Runs the detector over a series: bucket = step, lateness 0, the value is
/// the counted volume. The step must divide the settings' day.
pub fn run(series: &Series, settings: &Settings) -> Result<Run, BacktestError> {
    let step = infer_step(series)?;
    let mut s = settings.clone();
    s.bucket_secs = u32::try_from(step)
        .map_err(|_| SettingsError::invalid("bucket_secs", step, "the step is too long"))?;
    if i64::from(s.day_secs) % step != 0 {
        return Err(SettingsError::invalid(
            "day_secs",
            s.day_secs,
            "the series' step must divide the day",
        )
        .into());
    }
    s.lateness_secs = 0;
    s.volume_of = VolumeMeasure::All;
    let mut detector = Detector::new(s.clone())?;
    let id = detector.series_id(&SeriesKey::brand("series"));
    let mut events = Vec::new();
    for &(t, v) in &series.points {
        detector.observe_counts(id, t, v, 0, &mut events);
    }
    if let Some(&(last, _)) = series.points.last() {
        detector.advance(last + step, &mut events);
    }
    Ok(Run {
        step_secs: step,
        settings: s,
        events,
    })
}

/// One window's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowResult {
    /// The window.
    pub window: Window,
    /// The first alert opening inside it (or within the tolerance before it).
    pub first_alert: Option<i64>,
    /// `first_alert − start`, at least 0, seconds.
    pub time_to_detect_secs: Option<i64>,
}

/// Detection figures of a run against labelled windows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Each window's result.
    pub windows: Vec<WindowResult>,
    /// Windows with an alert.
    pub detected: usize,
    /// Windows without.
    pub missed: usize,
    /// Alerts opening outside every window.
    pub false_alerts: usize,
    /// Opening times of the false alerts.
    pub false_alert_times: Vec<i64>,
    /// Median time to detect over the detected windows, seconds.
    pub median_time_to_detect_secs: Option<i64>,
}

/// Scores alert opening times against windows.
pub fn evaluate(opened_at: &[i64], windows: &[Window], tolerance_secs: i64) -> Evaluation {
    let inside = |t: i64, w: &Window| t >= w.start.saturating_sub(tolerance_secs) && t <= w.end;
    let results: Vec<WindowResult> = windows
        .iter()
        .map(|w| {
            let first = opened_at.iter().copied().filter(|t| inside(*t, w)).min();
            WindowResult {
                window: *w,
                first_alert: first,
                time_to_detect_secs: first.map(|t| t.saturating_sub(w.start).max(0)),
            }
        })
        .collect();
    let false_alert_times: Vec<i64> = opened_at
        .iter()
        .copied()
        .filter(|t| !windows.iter().any(|w| inside(*t, w)))
        .collect();
    let mut ttd: Vec<i64> = results
        .iter()
        .filter_map(|r| r.time_to_detect_secs)
        .collect();
    ttd.sort_unstable();
    let median = match ttd.len() {
        0 => None,
        n if n % 2 == 1 => ttd.get(n / 2).copied(),
        n => match (ttd.get(n / 2 - 1), ttd.get(n / 2)) {
            (Some(a), Some(b)) => Some((a + b) / 2),
            _ => None,
        },
    };
    let detected = results.iter().filter(|r| r.first_alert.is_some()).count();
    Evaluation {
        missed: results.len() - detected,
        detected,
        false_alerts: false_alert_times.len(),
        false_alert_times,
        median_time_to_detect_secs: median,
        windows: results,
    }
}
