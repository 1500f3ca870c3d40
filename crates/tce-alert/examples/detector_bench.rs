//! Series updates per second of the detector alone (no I/O, no parsing):
//! `cargo run --release -p tce-alert --example detector_bench`.
//!
//! A stream of 8M signals over 30 days on 500 brand × touchpoint series
//! (about 22 signals per series-hour, a daily cycle, 30% negative, a few
//! seconds of disorder) is generated first; then the clock starts and every
//! signal goes through `Detector::observe`, with `advance` at each hour, as
//! the pipeline will call them. Buckets closing, tests and incidents are
//! included in the time.

use std::time::Instant;

use tce_alert::{Detector, SeriesKey, Settings};

const SERIES: u32 = 500;
const EVENTS: usize = 8_000_000;
const DAYS: i64 = 30;
const T0: i64 = 1_767_571_200;

/// xorshift64*: a fixed stream, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let span = DAYS * 86_400;
    // Times with a daily cycle by rejection, then sorted, then a little disorder.
    let mut events: Vec<(u32, i64, bool)> = Vec::with_capacity(EVENTS);
    while events.len() < EVENTS {
        let t = (rng.unit() * span as f64) as i64;
        let hour = (t / 3600 % 24) as f64;
        let w = 0.5 + 0.5 * ((hour - 14.0) / 24.0 * std::f64::consts::TAU).cos();
        if rng.unit() < w {
            let series = (rng.next() % u64::from(SERIES)) as u32;
            events.push((series, T0 + t, rng.unit() < 0.3));
        }
    }
    events.sort_unstable_by_key(|e| e.1);
    for e in events.iter_mut() {
        e.1 += (rng.next() % 30) as i64;
    }

    let mut detector = Detector::new(Settings::default())?;
    let ids: Vec<_> = (0..SERIES)
        .map(|i| {
            detector.series_id(&SeriesKey::touchpoint(
                "acme",
                &format!("tp{i}"),
                "operations",
            ))
        })
        .collect();
    let mut out = Vec::with_capacity(1024);
    let mut alerts = 0usize;
    let start = Instant::now();
    let mut next_hour = T0 + 3600;
    for &(series, t, negative) in &events {
        if t >= next_hour {
            detector.advance(next_hour, &mut out);
            next_hour += 3600;
        }
        if let Some(id) = ids.get(series as usize) {
            detector.observe(*id, t, negative, &mut out);
        }
        if out.len() >= 1024 {
            alerts += out.len();
            out.clear();
        }
    }
    detector.advance(T0 + span + 7200, &mut out);
    let secs = start.elapsed().as_secs_f64();
    alerts += out.len();
    let buckets: u64 = detector.states().iter().map(|s| s.buckets_seen()).sum();
    println!(
        "detector: {} signals on {SERIES} series over {DAYS} days ({buckets} buckets closed, {alerts} alert events) in {secs:.3} s",
        EVENTS
    );
    println!(
        "{:.2}M series updates/s on one core",
        EVENTS as f64 / secs / 1e6
    );
    Ok(())
}
