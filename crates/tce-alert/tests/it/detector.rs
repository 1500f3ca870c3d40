//! The detector's features: one incident one alert, cooldown, restart,
//! late signals, quiet series, negativity, settings, grouping.

use tce_alert::{
    group_incidents, severity, AlertEvent, AlertKind, Change, Detector, Incident, SeriesKey,
    Settings, SettingsError,
};

const H: i64 = 3600;
/// Monday 2026-01-05 00:00 UTC.
const T0: i64 = 1_767_571_200;

/// Feeds `negatives(hour)` negative signals (and as many positive ones) in
/// each hour from `from` to `to`, spread over the hour; then advances.
fn feed(
    d: &mut Detector,
    key: &SeriesKey,
    hours: std::ops::Range<i64>,
    negatives: impl Fn(i64) -> u32,
    out: &mut Vec<AlertEvent>,
) {
    let id = d.series_id(key);
    for h in hours.clone() {
        let n = negatives(h);
        for i in 0..n {
            let t = T0 + h * H + (i64::from(i) * H) / i64::from(n.max(1));
            d.observe(id, t, true, out);
            d.observe(id, t, false, out);
        }
        d.advance(T0 + (h + 1) * H + 900, out);
    }
}

/// Hourly counts with a daily shape, deterministic.
fn normal(h: i64) -> u32 {
    [
        2, 1, 1, 0, 1, 2, 3, 4, 5, 6, 6, 5, 5, 6, 6, 5, 4, 4, 3, 3, 3, 2, 2, 2,
    ][(h % 24) as usize]
}

fn kinds(events: &[AlertEvent]) -> Vec<(Change, AlertKind, i64)> {
    events
        .iter()
        .map(|e| (e.change, e.incident.kind, (e.bucket_start - T0) / H))
        .collect()
}

#[test]
fn an_incident_is_one_alert_updated_then_closed_after_the_cooldown() {
    let mut d = Detector::new(Settings::default()).expect("valid settings");
    let key = SeriesKey::touchpoint("acme", "baggage", "operations");
    let mut out = Vec::new();
    feed(&mut d, &key, 0..14 * 24, normal, &mut out);
    assert_eq!(out, vec![], "no alert on a regular series");
    let spike = 14 * 24 + 10;
    feed(
        &mut d,
        &key,
        14 * 24..16 * 24,
        |h| {
            if (spike..spike + 5).contains(&h) {
                40
            } else {
                normal(h)
            }
        },
        &mut out,
    );
    let volume: Vec<_> = kinds(&out)
        .into_iter()
        .filter(|k| k.1 == AlertKind::Volume)
        .collect();
    // The first hour of 40 where about 5 are usual already lifts the day's
    // sum past the threshold: the day scale opens at once, the bucket scale
    // extends and closes the incident.
    assert_eq!(
        volume,
        vec![
            (Change::Opened, AlertKind::Volume, spike),
            (Change::Updated, AlertKind::Volume, spike + 1),
            (Change::Updated, AlertKind::Volume, spike + 2),
            (Change::Updated, AlertKind::Volume, spike + 3),
            (Change::Updated, AlertKind::Volume, spike + 4),
            (Change::Closed, AlertKind::Volume, spike + 7),
        ]
    );
    let opened = &out[0];
    assert_eq!(opened.incident.start, T0 + spike * H);
    assert_eq!(opened.incident.end, T0 + (spike + 1) * H);
    assert_eq!(opened.observed, 40);
    assert!(
        opened.expected < 8.0 && opened.interval.1 < 40,
        "{opened:?}"
    );
    assert!(opened.p_value < 1e-6);
    assert!(opened.severity >= 4, "{opened:?}");
    let closed = out
        .iter()
        .find(|e| e.change == Change::Closed)
        .map(|e| &e.incident);
    assert_eq!(
        closed.map(|i| (i.end, i.anomalous_buckets)),
        Some((T0 + (spike + 5) * H, 5))
    );
    // Negatives and positives rose together: the share did not.
    assert!(out.iter().all(|e| e.incident.kind == AlertKind::Volume));
}

#[test]
fn a_restart_mid_incident_continues_the_same_alert() {
    let key = SeriesKey::brand("acme");
    let spike = 14 * 24 + 10;
    let counts = |h: i64| {
        if (spike..spike + 5).contains(&h) {
            40
        } else {
            normal(h)
        }
    };
    let mut whole = Detector::new(Settings::default()).expect("valid");
    let mut expected = Vec::new();
    feed(&mut whole, &key, 0..16 * 24, counts, &mut expected);

    let mut first = Detector::new(Settings::default()).expect("valid");
    let mut got = Vec::new();
    feed(&mut first, &key, 0..spike + 3, counts, &mut got);
    assert!(first.open_incidents().count() == 1);
    let saved = serde_json::to_string(first.states()).expect("serialises");
    assert!(saved.len() < 4000, "bounded state: {} bytes", saved.len());
    let states = serde_json::from_str(&saved).expect("deserialises");
    let mut second = Detector::restore(Settings::default(), states).expect("fits");
    feed(&mut second, &key, spike + 3..16 * 24, counts, &mut got);
    // The same alerts (floats compared to 1e-9: JSON may round the last bit).
    let shape = |e: &AlertEvent| {
        (
            e.change,
            e.incident.start,
            e.incident.end,
            e.bucket_start,
            e.observed,
            e.interval,
            e.severity,
        )
    };
    assert_eq!(
        got.iter().map(shape).collect::<Vec<_>>(),
        expected.iter().map(shape).collect::<Vec<_>>()
    );
    for (a, b) in got.iter().zip(&expected) {
        assert!(
            (a.expected - b.expected).abs() < 1e-9
                && (a.p_value - b.p_value).abs() <= 1e-9 * b.p_value.max(1e-300)
        );
    }
    assert_eq!(got.iter().filter(|e| e.change == Change::Opened).count(), 1);

    let other = Settings {
        bucket_secs: 1800,
        ..Settings::default()
    };
    let states = serde_json::from_str(&saved).expect("deserialises");
    assert!(Detector::restore(other, states).is_err());
}

#[test]
fn a_late_signal_counts_in_its_open_bucket_and_never_re_alerts_the_past() {
    let key = SeriesKey::brand("acme");
    let mut d = Detector::new(Settings::default()).expect("valid");
    let mut out = Vec::new();
    feed(&mut d, &key, 0..14 * 24, normal, &mut out);
    let id = d.series_id(&key);
    let h = 14 * 24 + 9; // normal(h) = 6
                         // The hour's 40 negatives: half on time, half 10 minutes after its end
                         // (within the 15-minute lateness), when the next hour has begun.
    for i in 0..20 {
        d.observe(id, T0 + h * H + i * 60, true, &mut out);
    }
    d.observe(id, T0 + (h + 1) * H + 300, false, &mut out);
    for i in 0..20 {
        d.observe(id, T0 + h * H + 1800 + i * 60, true, &mut out);
    }
    assert_eq!(out, vec![]);
    for i in 0..40 {
        d.observe(id, T0 + (h + 1) * H + 400 + i * 60, true, &mut out);
    }
    d.advance(T0 + (h + 2) * H + 900, &mut out);
    // 40 negatives against 1 other: the share rose too.
    assert_eq!(
        kinds(&out),
        vec![
            (Change::Opened, AlertKind::Volume, h + 1),
            (Change::Opened, AlertKind::Negativity, h + 1)
        ]
    );
    assert_eq!(
        out[0].incident.start,
        T0 + h * H,
        "the late half counted in its hour"
    );

    // Far too late for a bucket already closed: baseline only, no alert.
    let mut late = Vec::new();
    for i in 0..200 {
        d.observe(id, T0 + (h - 5) * H + i, true, &mut late);
    }
    assert_eq!(late, vec![]);
}

#[test]
fn quiet_hours_close_as_zeros_and_the_incident_closes() {
    let key = SeriesKey::brand("acme");
    let mut d = Detector::new(Settings::default()).expect("valid");
    let mut out = Vec::new();
    let spike = 14 * 24 + 10;
    feed(
        &mut d,
        &key,
        0..spike + 2,
        |h| if h >= spike { 40 } else { normal(h) },
        &mut out,
    );
    assert_eq!(d.open_incidents().count(), 1);
    // Nothing more arrives: time alone closes the hours, then the incident.
    d.advance(T0 + (spike + 2 + 3) * H + 900, &mut out);
    assert_eq!(d.open_incidents().count(), 0);
    assert_eq!(out.last().map(|e| e.change), Some(Change::Closed));
}

#[test]
fn a_rise_in_the_negative_share_is_a_negativity_alert() {
    let key = SeriesKey::stage("acme", "operations");
    let mut d = Detector::new(Settings::default()).expect("valid");
    let id = d.series_id(&key);
    let mut out = Vec::new();
    for h in 0..17 * 24 {
        // 20 signals an hour, 4 negative; from day 16 on, 14 negative.
        let neg = if (16 * 24 + 3..16 * 24 + 6).contains(&h) {
            14
        } else {
            4
        };
        d.observe_counts(id, T0 + h * H + 60, 20, neg, &mut out);
        d.advance(T0 + (h + 1) * H + 900, &mut out);
    }
    let negativity: Vec<_> = out
        .iter()
        .filter(|e| e.incident.kind == AlertKind::Negativity)
        .collect();
    assert_eq!(negativity.first().map(|e| e.change), Some(Change::Opened));
    assert_eq!(
        negativity.first().map(|e| e.incident.start),
        Some(T0 + (16 * 24 + 3) * H)
    );
    assert!(negativity
        .first()
        .is_some_and(|e| e.expected < 6.0 && e.observed == 14));
}

#[test]
fn nothing_alerts_during_warm_up() {
    let key = SeriesKey::brand("acme");
    let mut d = Detector::new(Settings::default()).expect("valid");
    let mut out = Vec::new();
    feed(
        &mut d,
        &key,
        0..6 * 24,
        |h| if h % 24 == 10 { 60 } else { normal(h) },
        &mut out,
    );
    assert_eq!(out, vec![]);
}

#[test]
fn settings_have_defaults_and_clear_errors() {
    let s: Settings = serde_json::from_str(r#"{"bucket_secs": 1800, "persistence": 3}"#)
        .expect("partial settings");
    assert_eq!((s.bucket_secs, s.persistence, s.cooldown), (1800, 3, 3));
    assert_eq!(s.warmup(), 48 * 7);
    assert!(serde_json::from_str::<Settings>(r#"{"persistance": 3}"#).is_err());
    let bad = Settings {
        bucket_secs: 7000,
        ..Settings::default()
    };
    assert_eq!(
        bad.validate().map_err(|e| e.to_string()),
        Err("alerts setting `day_secs` = 86400: must be a positive multiple of bucket_secs".into())
    );
    let bad = Settings {
        threshold_p: 0.5,
        ..Settings::default()
    };
    assert!(matches!(
        Detector::new(bad),
        Err(SettingsError::Invalid {
            field: "threshold_p",
            ..
        })
    ));
    let bad = Settings {
        lateness_secs: 7 * 86_400,
        ..Settings::default()
    };
    assert!(bad.validate().is_err());
    let bad = Settings {
        min_expected: 3.0,
        ..Settings::default()
    };
    assert_eq!(
        bad.validate().map_err(|e| e.to_string()),
        Err("alerts setting `window_min_expected` = 2: must be at least min_expected".into())
    );
}

#[test]
fn severity_grows_two_points_per_doubling() {
    assert_eq!(
        [0.5, 1.2, 2.0, 3.0, 4.0, 8.0, 16.0, 32.0, 1000.0].map(severity),
        [1, 1, 2, 4, 4, 6, 8, 10, 10]
    );
}

fn incident(key: SeriesKey, start: i64, end: i64) -> Incident {
    Incident {
        kind: AlertKind::Volume,
        series: key,
        start,
        end,
        severity: 3,
        peak_observed: 10,
        peak_expected: 2.0,
        min_p: 1e-5,
        anomalous_buckets: 2,
    }
}

#[test]
fn a_touchpoint_its_stage_and_its_brand_overlapping_are_one_group() {
    let list = vec![
        incident(SeriesKey::brand("acme"), 100, 400),
        incident(SeriesKey::stage("acme", "operations"), 150, 300),
        incident(
            SeriesKey::touchpoint("acme", "baggage", "operations"),
            200,
            300,
        ),
        // another stage's touchpoint overlapping the brand only: joins via the brand
        incident(SeriesKey::touchpoint("acme", "checkin", "sales"), 350, 500),
        // same touchpoint, later, not overlapping
        incident(
            SeriesKey::touchpoint("acme", "baggage", "operations"),
            900,
            1000,
        ),
        // another brand
        incident(SeriesKey::brand("rival"), 100, 400),
        // the stage of another touchpoint, not covering baggage's stage
        incident(SeriesKey::stage("acme", "sales"), 210, 260),
    ];
    assert_eq!(group_incidents(&list), vec![2, 2, 2, 2, 4, 5, 2]);
    assert!(
        SeriesKey::stage("acme", "operations").covers(&SeriesKey::touchpoint(
            "acme",
            "baggage",
            "operations"
        ))
    );
    assert!(
        !SeriesKey::stage("acme", "sales").covers(&SeriesKey::touchpoint(
            "acme",
            "baggage",
            "operations"
        ))
    );
}

#[test]
fn a_simmering_incident_stays_open_until_really_back_to_normal() {
    let key = SeriesKey::brand("acme");
    let mut d = Detector::new(Settings::default()).expect("valid");
    let mut out = Vec::new();
    let spike = 14 * 24 + 9;
    // Three hours at 40, then six hours at about twice the usual: elevated
    // (p between 0.001 and 0.05), neither anomalous nor normal.
    let counts = |h: i64| match h - spike {
        0..=2 => 40,
        3..=8 => normal(h) * 2 + 1,
        _ => normal(h),
    };
    feed(&mut d, &key, 0..spike + 16, counts, &mut out);
    let volume: Vec<_> = kinds(&out)
        .into_iter()
        .filter(|k| k.1 == AlertKind::Volume)
        .collect();
    assert_eq!(
        volume,
        vec![
            // The day's sum crosses with the first hour at 40: open at once.
            (Change::Opened, AlertKind::Volume, spike),
            (Change::Updated, AlertKind::Volume, spike + 1),
            (Change::Updated, AlertKind::Volume, spike + 2),
            // Without hysteresis it would close at spike + 5; the first
            // simmering hours hold it open (the baseline has learnt a little
            // of the simmer by its end).
            (Change::Closed, AlertKind::Volume, spike + 9),
        ]
    );
    let no_hysteresis = Settings {
        close_p: 0.001,
        ..Settings::default()
    };
    let mut d = Detector::new(no_hysteresis).expect("valid");
    let mut out = Vec::new();
    feed(&mut d, &key, 0..spike + 16, counts, &mut out);
    let closed = kinds(&out)
        .into_iter()
        .find(|k| k.0 == Change::Closed && k.1 == AlertKind::Volume);
    assert_eq!(closed, Some((Change::Closed, AlertKind::Volume, spike + 5)));
}

#[test]
fn the_baseline_learns_the_hour_of_day_and_the_weekday() {
    let key = SeriesKey::brand("acme");
    let mut d = Detector::new(Settings::default()).expect("valid");
    let mut out = Vec::new();
    // Weekdays three times the daily shape, weekends a third of that.
    let counts = |h: i64| {
        let weekend = (h / 24) % 7 >= 5;
        normal(h) * if weekend { 1 } else { 3 }
    };
    feed(&mut d, &key, 0..28 * 24, counts, &mut out);
    assert_eq!(out, vec![]);
    let id = d.series_id(&key);
    let at = |day: i64, hour: i64| {
        d.expected(id, T0 + (day * 24 + hour) * H)
            .map(|e| e.0)
            .unwrap_or(0.0)
    };
    let monday_morning = at(28, 9); // 3 × 6 = 18
    let monday_night = at(28, 3); // 0
    let saturday_morning = at(33, 9); // 6
    assert!((15.0..21.0).contains(&monday_morning), "{monday_morning}");
    assert!(monday_night < 2.0, "{monday_night}");
    assert!((4.0..8.5).contains(&saturday_morning), "{saturday_morning}");
    let band = d.expected(id, T0 + (28 * 24 + 9) * H).map(|e| e.1);
    assert!(
        band.is_some_and(|(lo, hi)| lo < 18 && hi > 18 && hi < 40),
        "{band:?}"
    );
}
