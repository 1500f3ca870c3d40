//! Backtests: reading series and labels, scoring, and the NAB Twitter series.

use tce_alert::backtest::{
    evaluate, infer_step, parse_labels, parse_timestamp, read_series, run, Window,
};
use tce_alert::{BacktestError, Settings};

#[test]
fn reads_a_series_and_names_the_bad_line() {
    let s =
        read_series("timestamp,value\n2015-02-26 21:42:53,53\n2015-02-26 21:47:53,64\n".as_bytes());
    let s = s.map_err(|e| e.to_string());
    assert_eq!(
        s.map(|s| s.points),
        Ok(vec![(1_424_986_973, 53), (1_424_987_273, 64)])
    );

    let bad =
        read_series("timestamp,value\n2015-02-26 21:42:53,53\n2015-02-26 21:47:53,x\n".as_bytes());
    assert_eq!(
        bad.map(|_| ()),
        Err(BacktestError::Csv {
            line: 3,
            reason: "value `x` is not a number".into()
        })
    );
    let neg = read_series("timestamp,value\nyesterday,1\n".as_bytes());
    assert!(
        matches!(neg, Err(BacktestError::Csv { line: 2, .. })),
        "{neg:?}"
    );
    let header = read_series("time,count\n".as_bytes());
    assert!(
        matches!(header, Err(BacktestError::Header(_))),
        "{header:?}"
    );
    let back =
        read_series("timestamp,value\n2015-02-26 21:47:53,1\n2015-02-26 21:42:53,1\n".as_bytes());
    assert!(
        matches!(back, Err(BacktestError::Csv { line: 3, .. })),
        "{back:?}"
    );
}

#[test]
fn timestamps_and_labels() {
    assert_eq!(
        parse_timestamp("2015-03-14 22:12:53.000000"),
        Some(1_426_371_173)
    );
    assert_eq!(parse_timestamp("2015-03-14T22:12:53Z"), Some(1_426_371_173));
    assert_eq!(
        parse_timestamp("2015-03-14T23:12:53+01:00"),
        Some(1_426_371_173)
    );
    let w = parse_labels(r#"[["2015-03-14 22:12:53.000000", "2015-03-17 16:02:53.000000"]]"#);
    assert_eq!(
        w,
        Ok(vec![Window {
            start: 1_426_371_173,
            end: 1_426_608_173
        }])
    );
    assert!(parse_labels(r#"[["2015-03-14", "x"]]"#).is_err());
    assert!(parse_labels(r#"[["2015-03-17 00:00:00", "2015-03-14 00:00:00"]]"#).is_err());
}

#[test]
fn the_step_is_inferred_and_gaps_must_fit_it() {
    let s = read_series("timestamp,value\n2020-01-01 00:00:00,1\n2020-01-01 00:05:00,1\n2020-01-01 00:15:00,1\n2020-01-01 00:20:00,1\n".as_bytes());
    assert_eq!(
        s.as_ref()
            .map_err(|e| e.to_string())
            .and_then(|s| infer_step(s).map_err(|e| e.to_string())),
        Ok(300)
    );
    let s = read_series("timestamp,value\n2020-01-01 00:00:00,1\n2020-01-01 00:05:00,1\n2020-01-01 00:10:00,1\n2020-01-01 00:17:00,1\n".as_bytes());
    assert!(matches!(
        s.map(|s| infer_step(&s)),
        Ok(Err(BacktestError::Series(_)))
    ));
}

#[test]
fn scoring_counts_detections_misses_and_false_alerts() {
    let windows = [
        Window {
            start: 100,
            end: 200,
        },
        Window {
            start: 500,
            end: 600,
        },
        Window {
            start: 900,
            end: 950,
        },
    ];
    let e = evaluate(&[50, 120, 150, 490, 700], &windows, 20);
    assert_eq!(e.detected, 2);
    assert_eq!(e.missed, 1);
    assert_eq!(e.false_alerts, 2);
    assert_eq!(e.false_alert_times, vec![50, 700]);
    assert_eq!(e.windows[0].time_to_detect_secs, Some(20));
    assert_eq!(e.windows[1].time_to_detect_secs, Some(0));
    assert_eq!(e.median_time_to_detect_secs, Some(10));
}

struct Figures {
    windows: usize,
    detected: usize,
    false_alerts: usize,
    median_ttd_secs: Option<i64>,
}

fn nab(name: &str) -> Figures {
    let dir = crate::shared_dir().join("data/nab");
    let csv = std::fs::read(dir.join(format!("Twitter_volume_{name}.csv"))).unwrap();
    let labels =
        std::fs::read_to_string(dir.join(format!("Twitter_volume_{name}.windows.json"))).unwrap();
    let series = read_series(csv.as_slice()).unwrap();
    let windows = parse_labels(&labels).unwrap();
    let r = run(&series, &Settings::default()).unwrap();
    let e = evaluate(&r.opened_at(), &windows, 0);
    println!(
        "NAB {name}: step {} s, {} windows, detected {}, missed {}, false alerts {}, median time to detect {:?} s, alerts at {:?}",
        r.step_secs,
        windows.len(),
        e.detected,
        e.missed,
        e.false_alerts,
        e.median_time_to_detect_secs,
        r.opened_at()
    );
    for w in &e.windows {
        println!(
            "  window {:?}: first alert {:?}, ttd {:?}",
            w.window, w.first_alert, w.time_to_detect_secs
        );
    }
    Figures {
        windows: windows.len(),
        detected: e.detected,
        false_alerts: e.false_alerts,
        median_ttd_secs: e.median_time_to_detect_secs,
    }
}

/// Default settings, no tuning: at least half the windows detected, at most
/// 15 false alerts over the ~55 days (the series hold many unlabelled
/// bursts), a median time to detect under two days (NAB windows are centred
/// on their anomaly and 1.4–2.7 days long).
#[test]
fn nab_twitter_series_with_default_settings() {
    let (fb, goog) = (nab("FB"), nab("GOOG"));
    for (name, f) in [("FB", &fb), ("GOOG", &goog)] {
        assert!(
            2 * f.detected >= f.windows,
            "{name}: {} of {} windows",
            f.detected,
            f.windows
        );
        assert!(
            f.false_alerts <= 15,
            "{name}: {} false alerts",
            f.false_alerts
        );
        assert!(
            f.median_ttd_secs.is_some_and(|t| t <= 2 * 86_400),
            "{name}: {:?}",
            f.median_ttd_secs
        );
    }
}
