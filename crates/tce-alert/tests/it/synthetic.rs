//! Synthetic Poisson series with daily and weekly seasonality: the false
//! alert rate without anomalies, and an injected spike found within its
//! persistence.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, Poisson};
use tce_alert::{AlertKind, Change, Detector, SeriesKey, Settings};

const H: i64 = 3600;
/// Monday 2026-01-05 00:00 UTC.
const T0: i64 = 1_767_571_200;

/// Expected negatives in hour `h` for a series of mean `base`: a daily
/// cycle (quiet nights), quieter weekends.
fn rate(base: f64, h: i64) -> f64 {
    let hour = (h % 24) as f64;
    let daily = 1.0 + 0.8 * ((hour - 14.0) / 24.0 * std::f64::consts::TAU).cos();
    let weekend = if (h / 24) % 7 >= 5 { 0.6 } else { 1.0 };
    base * daily * weekend
}

/// Runs one series for `days`, multiplying the rate by `boost(h)`; returns
/// the opening hours of volume alerts.
fn run(seed: u64, base: f64, days: i64, boost: impl Fn(i64) -> f64) -> Vec<i64> {
    run_mixed(seed, base, days, None, boost)
}

/// As `run`; with `shape`, each hour's rate is also multiplied by a
/// Gamma(shape, 1/shape) draw (mean 1): gamma-Poisson, i.e. negative
/// binomial counts, overdispersed as real mention counts are.
fn run_mixed(
    seed: u64,
    base: f64,
    days: i64,
    shape: Option<f64>,
    boost: impl Fn(i64) -> f64,
) -> Vec<i64> {
    run_with(seed, base, days, shape, &Settings::default(), boost)
}

fn run_with(
    seed: u64,
    base: f64,
    days: i64,
    shape: Option<f64>,
    settings: &Settings,
    boost: impl Fn(i64) -> f64,
) -> Vec<i64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let gamma = shape.and_then(|k| Gamma::new(k, 1.0 / k).ok());
    let mut d = Detector::new(settings.clone()).expect("valid");
    let id = d.series_id(&SeriesKey::touchpoint("acme", "baggage", "operations"));
    let mut out = Vec::new();
    for h in 0..days * 24 {
        let mix = gamma.as_ref().map_or(1.0, |g| g.sample(&mut rng));
        let lambda = (rate(base, h) * boost(h) * mix).max(1e-9);
        let n = Poisson::new(lambda).map_or(0.0, |p| p.sample(&mut rng)) as u32;
        for i in 0..n {
            let t = T0 + h * H + (i64::from(i) * H) / i64::from(n);
            d.observe(id, t, true, &mut out);
        }
        d.advance(T0 + (h + 1) * H + 900, &mut out);
    }
    out.iter()
        .filter(|e| e.change == Change::Opened && e.incident.kind == AlertKind::Volume)
        .map(|e| (e.bucket_start - T0) / H)
        .collect()
}

/// 60 days × 24 series (mean 0.2 to 20 negatives an hour): at most one
/// false alert per 30 days per series. Measured: 0 false alerts in 1440
/// series-days (the warm-up week excluded from nothing: it cannot alert).
#[test]
fn no_anomaly_means_at_most_one_false_alert_per_series_per_30_days() {
    let bases = [0.2, 0.5, 1.0, 2.0, 5.0, 20.0];
    let mut alerts = 0usize;
    let mut series = 0usize;
    for (i, base) in bases.iter().enumerate() {
        for seed in 0..4u64 {
            let opened = run(seed * 100 + i as u64, *base, 60, |_| 1.0);
            alerts += opened.len();
            series += 1;
        }
    }
    let per_30_days = alerts as f64 / (series as f64 * 60.0 / 30.0);
    println!("synthetic: {alerts} false alerts over {series} series × 60 days = {per_30_days:.3} per series per 30 days");
    assert!(per_30_days <= 1.0, "{per_30_days}");
    assert!(alerts <= 2, "expected about none: {alerts}");
}

/// A five-fold surge for six hours on day 50 opens an alert at the close of
/// its second hour (persistence 2), with its start at the surge's start.
#[test]
fn an_injected_spike_is_detected_within_its_persistence() {
    let spike = 50 * 24 + 9;
    for (seed, base) in [(1u64, 2.0), (2, 5.0), (3, 20.0)] {
        let opened = run(seed, base, 60, |h| {
            if (spike..spike + 6).contains(&h) {
                5.0
            } else {
                1.0
            }
        });
        assert!(
            opened.contains(&(spike + 1)),
            "base {base}: alerts opened at hours {opened:?}, spike at {spike}"
        );
    }
}

/// The same with overdispersed counts (gamma-Poisson, shape 4: the variance
/// of a 20-an-hour series is 6× its mean): the dispersion the detector
/// learns keeps false alerts within the budget. Measured: see the printed
/// rate.
#[test]
fn overdispersed_counts_stay_within_the_false_alert_budget() {
    let bases = [0.5, 2.0, 5.0, 20.0];
    let mut alerts = 0usize;
    let mut series = 0usize;
    for (i, base) in bases.iter().enumerate() {
        for seed in 0..4u64 {
            alerts += run_mixed(seed * 100 + i as u64 + 7, *base, 60, Some(4.0), |_| 1.0).len();
            series += 1;
        }
    }
    let per_30_days = alerts as f64 / (series as f64 * 60.0 / 30.0);
    println!("synthetic gamma-Poisson: {alerts} false alerts over {series} series × 60 days = {per_30_days:.3} per series per 30 days");
    assert!(per_30_days <= 1.0, "{per_30_days}");
}

/// A sparse touchpoint (about three complaints a day) whose incident brings
/// six times that, spread over two days: no hour is anomalous on its own,
/// the day's sum is. Over 20 seeds, measured: found within 24 hours of its
/// start on 17 (median 9 hours), later on 2, missed on 1 (draws well
/// below the planted rate); asserted: at least 15 within 24 hours. With the long window off, never found: hourly tests
/// alone cannot see it.
#[test]
fn a_sparse_incident_spread_over_hours_is_found_by_the_day_window() {
    let start = 44 * 24 + 6; // a Wednesday morning
    let boost = |h: i64| {
        if (start..start + 48).contains(&h) {
            6.0
        } else {
            1.0
        }
    };
    let mut delays = Vec::new();
    let mut false_alerts = 0;
    for seed in 0..20u64 {
        let opened = run(seed + 500, 3.0 / 24.0, 50, boost);
        false_alerts += opened.iter().filter(|h| **h < start).count();
        let found = opened.iter().find(|h| (start..start + 48).contains(*h));
        delays.push(found.map_or(99, |h| h - start));
    }
    delays.sort_unstable();
    println!("sparse incident: hours to the alert {delays:?}");
    assert!(
        delays.iter().filter(|d| **d < 24).count() >= 15,
        "{delays:?}"
    );
    assert!(
        false_alerts <= 2,
        "{false_alerts} false alerts in 20 × 44 days"
    );
    let off = Settings {
        window_secs: 0,
        ..Settings::default()
    };
    for seed in 0..20u64 {
        let opened = run_with(seed + 500, 3.0 / 24.0, 50, None, &off, boost);
        assert_eq!(opened, Vec::<i64>::new(), "seed {seed}: hourly tests alone");
    }
}
