//! Store ingest benchmark: inserts synthetic enriched signals into a fresh
//! SQLite file in batches and prints the store's throughput.
//!
//! Usage: `cargo run --release -p tce-store --example store_bench -- [SIGNALS]
//! [--batch N] [--days N] [--random-ids] [--db PATH]` (defaults: 1000000
//! signals in batches of 10000 over 180 days, in a temporary file).
//!
//! Signals look like the airline demo's: five brands, 15 channels, 16
//! touchpoints with about two per signal, ~150 characters of text, times in
//! arrival order over the days, external ids increasing with time like
//! snowflake ids (`--random-ids`: random 19-digit ids, the unique index's
//! worst case), one in twenty a survey answer with six stage ratings. Only
//! `Store::insert` is timed, not generating the batches; CPU time is the
//! process's user + system time while inserting (Linux). Then it times the
//! reads a dashboard makes on the result.

use chrono::{DateTime, Duration, Utc};
use std::time::Instant;
use tce_model::{
    EnrichedSignal, Enrichment, Intent, IntentScore, Rating, RatingScale, SentimentLabel, Signal,
    StageRating, TouchpointMatch,
};
use tce_store::{RollupFilter, SignalQuery, SqliteStore, Store};

const BRANDS: [&str; 5] = ["skyways", "aerolux", "flyfast", "bluejet", "northair"];
const CHANNELS: [&str; 15] = [
    "x",
    "facebook",
    "instagram",
    "linkedin",
    "youtube",
    "tripadvisor",
    "reddit",
    "blog",
    "app_store",
    "survey",
    "call_center",
    "email",
    "store",
    "web",
    "chat",
];
const TOUCHPOINTS: usize = 16;
const STAGES: [&str; 6] = [
    "rnd",
    "branding_pr",
    "marketing",
    "sales",
    "operations",
    "customer_service",
];
const WORDS: [&str; 24] = [
    "flight", "delayed", "again", "crew", "was", "lovely", "baggage", "lost", "seat", "legroom",
    "check-in", "queue", "app", "crashed", "refund", "still", "waiting", "great", "service",
    "boarding", "gate", "changed", "food", "terrible",
];

/// xorshift64*: deterministic, no dependencies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn signal(
    rng: &mut Rng,
    i: u64,
    o: &Options,
    start: DateTime<Utc>,
    touchpoints: &[(String, &str)],
) -> EnrichedSignal {
    let channel = CHANNELS[rng.below(CHANNELS.len())];
    let brand = BRANDS[rng.below(BRANDS.len())];
    let mut text = String::with_capacity(170);
    while text.len() < 140 + rng.below(20) {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(WORDS[rng.below(WORDS.len())]);
    }
    // Arrival order over a year, with up to an hour of jitter.
    let secs = (i as f64 / o.signals as f64 * o.days * 86_400.0) as i64 + rng.below(3600) as i64;
    let sentiment = rng.unit() * 2.0 - 1.0;
    let survey = rng.below(20) == 0;
    let rating = survey.then(|| Rating {
        value: (1 + rng.below(5)) as f64,
        scale: RatingScale::Csat5,
    });
    let stage_ratings = if survey {
        STAGES
            .iter()
            .map(|s| StageRating {
                stage: s.to_string(),
                rating: Rating {
                    value: (1 + rng.below(5)) as f64,
                    scale: RatingScale::Csat5,
                },
            })
            .collect()
    } else {
        Vec::new()
    };
    let k = [0, 1, 2, 2, 2, 3, 3, 4][rng.below(8)];
    let tps = (0..k)
        .map(|_| {
            let (tp, stage) = &touchpoints[rng.below(touchpoints.len())];
            TouchpointMatch {
                touchpoint: tp.clone(),
                stage: stage.to_string(),
                confidence: rng.unit() as f32,
            }
        })
        .collect();
    let mut intents = Vec::new();
    if sentiment < -0.3 {
        intents.push(IntentScore {
            intent: Intent::Complaint,
            confidence: 0.8,
        });
    }
    if rng.below(5) == 0 {
        intents.push(IntentScore {
            intent: Intent::Question,
            confidence: 0.6,
        });
    }
    let experience_value = rating.map_or(sentiment, |r| r.experience_value());
    EnrichedSignal {
        signal: Signal {
            channel: channel.to_string(),
            external_id: if o.random_ids {
                format!("{:019}", rng.next() >> 1)
            } else {
                // Sources number their posts in time order (snowflake ids, sequences).
                format!(
                    "{}",
                    1_895_000_000_000_000_000 + i * 4096 + rng.below(4096) as u64
                )
            },
            brand: (rng.below(3) > 0).then(|| brand.to_string()),
            author: Some(format!("user{}", rng.below(200_000))),
            author_followers: Some(rng.below(50_000) as u64),
            created_at: start + Duration::seconds(secs),
            text,
            rating,
            stage_ratings,
            in_reply_to: None,
            url: Some(format!("https://example.com/{channel}/{i}")),
            lang: Some("en".to_string()),
        },
        enrichment: Enrichment {
            engine: "vader".to_string(),
            sentiment,
            sentiment_label: SentimentLabel::from_compound(sentiment),
            intents,
            touchpoints: tps,
            brand: Some(brand.to_string()),
            priority: (rng.unit() * 100.0) as f32,
            experience_value,
            brand_post: false,
        },
    }
}

/// User + system CPU seconds of this process (Linux), else 0.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14/15 are at positions 11/12 after the state field (3).
    (ticks(11) + ticks(12)) / 100.0
}

/// Command-line options.
struct Options {
    signals: u64,
    batch: u64,
    days: f64,
    random_ids: bool,
    db: Option<std::path::PathBuf>,
}

fn options() -> Result<Options, Box<dyn std::error::Error>> {
    let mut o = Options {
        signals: 1_000_000,
        batch: 10_000,
        days: 180.0,
        random_ids: false,
        db: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--batch" => o.batch = value()?.parse()?,
            "--days" => o.days = value()?.parse()?,
            "--random-ids" => o.random_ids = true,
            "--db" => o.db = Some(value()?.into()),
            "-h" | "--help" => {
                println!("store_bench [SIGNALS] [--batch N] [--days N] [--random-ids] [--db PATH]");
                std::process::exit(0);
            }
            n => o.signals = n.parse().map_err(|_| format!("unknown argument {n:?}"))?,
        }
    }
    Ok(o)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let o = options()?;
    let touchpoints: Vec<(String, &str)> = (0..TOUCHPOINTS)
        .map(|i| (format!("touchpoint_{i:02}"), STAGES[i % STAGES.len()]))
        .collect();
    let start = DateTime::from_timestamp(1_704_067_200, 0).ok_or("bad start time")?;

    let dir = tempfile::tempdir()?;
    let path = o.db.clone().unwrap_or_else(|| dir.path().join("bench.db"));
    if path.exists() {
        return Err(format!(
            "{} exists: the benchmark wants a fresh database",
            path.display()
        )
        .into());
    }
    let mut store = SqliteStore::open(&path)?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut in_store = std::time::Duration::ZERO;
    let mut cpu = 0.0;
    let (mut inserted, mut duplicates) = (0, 0);
    let mut i = 0;
    while i < o.signals {
        let m = o.batch.min(o.signals - i);
        let batch: Vec<EnrichedSignal> = (i..i + m)
            .map(|j| signal(&mut rng, j, &o, start, &touchpoints))
            .collect();
        let (t, c) = (Instant::now(), cpu_seconds());
        let done = store.insert(&batch)?;
        in_store += t.elapsed();
        cpu += cpu_seconds() - c;
        inserted += done.inserted;
        duplicates += done.duplicates;
        i += m;
    }
    let size: u64 = [path.clone(), path.with_extension("db-wal")]
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let n = o.signals as f64;
    println!(
        "signals:       {} in batches of {} over {} days{} ({inserted} inserted, {duplicates} duplicates)",
        o.signals,
        o.batch,
        o.days,
        if o.random_ids { ", random ids" } else { "" }
    );
    println!(
        "store insert:  {:.2} s wall ({:.0} signals/s), {cpu:.2} s CPU ({:.1} µs/signal)",
        in_store.as_secs_f64(),
        n / in_store.as_secs_f64(),
        cpu * 1e6 / n
    );
    println!(
        "database:      {:.0} MiB (file + WAL)",
        size as f64 / (1024.0 * 1024.0)
    );

    let timed = |what: &str, f: &mut dyn FnMut() -> Result<String, tce_store::StoreError>| {
        let t = Instant::now();
        match f() {
            Ok(note) => println!(
                "{what:<34} {:>8.1} ms  ({note})",
                t.elapsed().as_secs_f64() * 1e3
            ),
            Err(e) => println!("{what:<34} failed: {e}"),
        }
    };
    timed("stats()", &mut || {
        store.stats().map(|s| format!("{} signals", s.signals))
    });
    timed("rollups(all)", &mut || {
        store
            .rollups(&RollupFilter::default())
            .map(|r| format!("{} rows", r.len()))
    });
    let month = RollupFilter {
        from: (start + Duration::days(30)).date_naive().into(),
        to: (start + Duration::days(59)).date_naive().into(),
        brand: Some(BRANDS[0].to_string()),
        ..RollupFilter::default()
    };
    timed("rollups(one brand, 30 days)", &mut || {
        store.rollups(&month).map(|r| format!("{} rows", r.len()))
    });
    timed("signals(first page of 50)", &mut || {
        store
            .signals(&SignalQuery::default())
            .map(|p| format!("{} items", p.items.len()))
    });
    let complaints = SignalQuery {
        brand: Some(BRANDS[1].to_string()),
        intent: Some(Intent::Complaint),
        touchpoint: Some("touchpoint_03".to_string()),
        ..SignalQuery::default()
    };
    timed("signals(brand+complaint+touchpoint)", &mut || {
        store
            .signals(&complaints)
            .map(|p| format!("{} items", p.items.len()))
    });
    timed("survey_responses(all)", &mut || {
        store
            .survey_responses(None)
            .map(|r| format!("{} answers", r.len()))
    });
    Ok(())
}
