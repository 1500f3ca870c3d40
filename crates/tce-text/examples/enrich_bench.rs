//! Throughput of full enrichment (sentiment, intents, brand, touchpoints,
//! priority) with the airline template model.
//!
//! Generates realistic customer messages (tweets, reviews, chat lines:
//! complaints, praise, questions, suggestions, churn threats, purchase
//! questions) from the model's brands and touchpoint phrases with a fixed
//! seed, enriches them on one thread and prints signals per second per
//! core for the `cx` engine (the default) and the `vader` engine.
//!
//! Usage: `cargo run --release -p tce-text --example enrich_bench [-- N]`
//! (N signals, default 200000).

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use tce_model::{Model, Rating, RatingScale, Signal};
use tce_text::cx::{CxRules, CxScratch, CxSentiment};
use tce_text::enrich::{Engine, EnrichScratch, Enricher};
use tce_text::intent;
use tce_text::vader::{Vader, VaderScratch};

/// On-CPU time of this thread (Linux `schedstat`, nanoseconds), so that
/// the figures hold on a machine shared with other work; `None` elsewhere.
fn cpu_time() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Wall and on-CPU seconds of `f`, the best of `RUNS` runs (other work on
/// the machine only ever slows a run down).
fn timed<T>(mut f: impl FnMut() -> T) -> (T, f64, Option<f64>) {
    let mut best: Option<(T, f64, Option<f64>)> = None;
    for _ in 0..RUNS {
        let (cpu0, wall0) = (cpu_time(), Instant::now());
        let out = f();
        let wall = wall0.elapsed().as_secs_f64();
        let cpu = cpu_time().zip(cpu0).map(|(b, a)| b - a);
        let key = |c: Option<f64>, w: f64| c.unwrap_or(w);
        if best.as_ref().is_none_or(|b| key(cpu, wall) < key(b.2, b.1)) {
            best = Some((out, wall, cpu));
        }
    }
    best.unwrap_or_else(|| (f(), f64::NAN, None))
}

const RUNS: usize = 3;

/// "N/s (wall) / M/s per core (on-CPU)".
fn rate(n: usize, wall: f64, cpu: Option<f64>) -> String {
    let per_cpu = cpu.map_or("n/a".to_string(), |c| format!("{:.0}", n as f64 / c));
    format!(
        "{:>8.0}/s wall, {per_cpu:>8}/s per core on-CPU",
        n as f64 / wall
    )
}

/// xorshift64*: a fixed, dependency-free sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

const OPENINGS: &[&str] = &[
    "",
    "",
    "",
    "Hey",
    "Hi,",
    "Seriously",
    "Ugh.",
    "Wow,",
    "So",
    "Just a heads up:",
    "FYI",
    "Dear team,",
    "Again?!",
    "Quick question:",
];

/// Message bodies; `{tp}` is a touchpoint phrase, `{n}` a number.
const BODIES: &[&str] = &[
    "my {tp} was delayed {n} hours and no one at the gate gave us any update",
    "been on hold for {n} minutes about my {tp}, still no answer",
    "the {tp} was a total mess, worst experience ever",
    "still waiting for a refund after my {tp} was cancelled {n} weeks ago",
    "charged twice for the {tp} and nobody replies to my emails",
    "thanks for the quick help with my {tp}, you guys rock",
    "the crew was amazing and the {tp} was smooth, landed early!",
    "loved the new {tp}, great job",
    "is the {tp} included in the fare or is there an extra fee?",
    "can you help me change my {tp} please?",
    "how much is the {tp} for a family of {n}?",
    "why is the {tp} always broken?? 3rd time this month",
    "you should add more options for the {tp}, it would be nice",
    "switching to another airline after this {tp} fiasco. never again",
    "thinking of booking a trip with you, how is the {tp} on long flights?",
    "my bag never arrived and the {tp} desk was closed",
    "great, another delay. love sitting on the tarmac for {n} hours",
    "thanks for nothing, the {tp} app crashed again",
    "where is my refund for the {tp}? any update?",
    "the {tp} staff were friendly and professional, thank you",
    "the {tp} was fine I guess, nothing special",
    "do you offer {tp} on flights to Lisbon?",
    "flight {n} delayed, missed my connection, {tp} useless",
    "can't check in online, the {tp} page keeps crashing",
];

const CLOSINGS: &[&str] = &[
    "",
    "",
    "",
    "",
    "Thanks.",
    "Please help!",
    "#fail",
    "😡",
    "🙂",
    "👍",
    "Not happy.",
    "Any ideas?",
    "Cheers!",
    "DM sent.",
    "#travel",
    "Unacceptable!!",
];

fn generate(model: &Model, n: usize) -> Vec<Signal> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let phrases: Vec<&str> = model
        .touchpoints
        .iter()
        .flat_map(|t| t.phrases.iter().map(String::as_str))
        .collect();
    let handles: Vec<String> = model
        .brands
        .iter()
        .flat_map(|b| {
            b.handles
                .iter()
                .cloned()
                .chain(std::iter::once(b.name.clone()))
        })
        .collect();
    let handles: Vec<&str> = handles.iter().map(String::as_str).collect();
    let channels = [
        "x",
        "x",
        "x",
        "facebook",
        "tripadvisor",
        "app_store",
        "survey",
        "chat",
    ];
    (0..n)
        .map(|i| {
            let body = rng
                .pick(BODIES)
                .replace("{tp}", rng.pick(&phrases))
                .replace("{n}", &(2 + rng.below(40)).to_string());
            let opening = rng.pick(OPENINGS);
            let closing = rng.pick(CLOSINGS);
            let handle = if rng.below(3) == 0 {
                ""
            } else {
                rng.pick(&handles)
            };
            let text = [handle, opening, &body, closing]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            let rating = (rng.below(5) == 0)
                .then(|| Rating::new(1.0 + rng.below(5) as f64, RatingScale::Stars5).ok())
                .flatten();
            Signal {
                channel: channels[rng.below(channels.len())].to_string(),
                external_id: i.to_string(),
                brand: None,
                author: Some(format!("user{}", rng.below(50_000))),
                author_followers: Some(rng.below(100_000) as u64),
                created_at: Default::default(),
                text,
                rating,
                stage_ratings: Vec::new(),
                in_reply_to: None,
                url: None,
                lang: Some("en".into()),
            }
        })
        .collect()
}

fn run(enricher: &Enricher, signals: &[Signal]) -> (f64, usize) {
    let mut scratch = EnrichScratch::new();
    let (mut sum, mut intents) = (0.0, 0usize);
    for s in signals {
        let e = black_box(enricher.enrich_with(black_box(s), &mut scratch));
        sum += e.sentiment;
        intents += e.intents.len() + e.touchpoints.len();
    }
    (sum, intents)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).map_or(Ok(200_000), |a| a.parse())?;
    let template = tce_model::templates::template("airline").ok_or("no airline template")?;
    let model = Model::parse(template.toml, Path::new("airline.toml"))?;
    let signals = generate(&model, n);
    let bytes: usize = signals.iter().map(|s| s.text.len()).sum();
    println!(
        "{n} generated airline signals, {:.0} bytes of text on average; e.g.\n  {}\n  {}\n",
        bytes as f64 / n as f64,
        signals.first().map_or("", |s| s.text.as_str()),
        signals.get(1).map_or("", |s| s.text.as_str()),
    );
    // Where the time goes: the stages alone on the same texts.
    let texts: Vec<&str> = signals.iter().map(|s| s.text.as_str()).collect();
    // `TCE_BENCH_ONLY=<stage name prefix>` runs one stage by its name (for profiling).
    let only = std::env::var("TCE_BENCH_ONLY").ok();
    let stage = |name: &str, f: &mut dyn FnMut(&str) -> f64| {
        if only.as_deref().is_some_and(|o| name != o) {
            return;
        }
        for t in texts.iter().take(10_000) {
            black_box(f(t));
        }
        let (sum, wall, cpu) = timed(|| texts.iter().map(|t| f(black_box(t))).sum::<f64>());
        println!("  {name:<24} {} (check {sum:.1})", rate(n, wall, cpu));
    };
    let vader = Vader::new();
    let mut vs = VaderScratch::new();
    stage("vader sentiment", &mut |t| {
        vader.polarity_scores_with(t, &mut vs).compound
    });
    let bare = CxSentiment::with_rules(CxRules::NONE);
    let mut cs = CxScratch::new();
    stage("cx tokens, no rules", &mut |t| {
        bare.scores_with(t, &mut cs).compound
    });
    let cx = CxSentiment::new();
    stage("cx sentiment", &mut |t| cx.scores_with(t, &mut cs).compound);
    let mut out = Vec::new();
    stage("cx sentiment + intents", &mut |t| {
        let c = cx.scores_with(t, &mut cs).compound;
        out.clear();
        intent::detect_into(&cs, c, &mut out);
        c + out.len() as f64
    });
    println!();

    for engine in [Engine::Cx, Engine::Vader] {
        if only.as_deref().is_some_and(|o| o != "enrich") {
            continue;
        }
        let enricher = Enricher::with_engine(&model, engine)?;
        // Warm-up on a slice, then the timed run.
        run(&enricher, signals.get(..n.min(10_000)).unwrap_or(&[]));
        let ((sum, labels), wall, cpu) = timed(|| run(&enricher, &signals));
        println!(
            "full enrichment, engine {engine:<5}: {} (sentiment sum {sum:.1}, {labels} intents+touchpoints)",
            rate(n, wall, cpu)
        );
        if engine == Engine::Cx {
            // `Enricher::enrich` borrows a scratch space from the
            // enricher's pool instead of taking the caller's.
            let (_, wall, cpu) = timed(|| {
                signals
                    .iter()
                    .map(|s| black_box(enricher.enrich(black_box(s))).sentiment)
                    .sum::<f64>()
            });
            println!(
                "  (Enricher::enrich, pooled scratch: {})",
                rate(n, wall, cpu)
            );
        }
    }
    Ok(())
}
