//! Parse throughput of the JSONL reader (and, for comparison, CSV).
//!
//! `cargo run --release -p tce-ingest --example parse_bench [LINES]` writes
//! LINES (default 1,000,000) typical ~200-byte records to a temporary file,
//! then times `SignalReader` over it: records/s and MB/s on one core.

use std::error::Error;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;
use tce_ingest::{ReadOptions, SignalReader};
use tce_model::Model;

const TEXTS: [&str; 6] = [
    "Flight delayed again, third time this month. Nobody at the gate told us anything",
    "Lovely crew on the morning flight, thanks for the upgrade and the snacks!",
    "Lost my bag in transit, the \"tracking\" page says the same for two days",
    "How do I change the name on my booking? The app shows an error at checkout",
    "Check-in queue took 50 minutes, only two desks open. Please staff it properly",
    "Seats were cramped and the wifi never worked but the landing was smooth",
];
const CHANNELS: [&str; 4] = ["x", "facebook", "instagram", "tripadvisor"];

fn write_jsonl(path: &Path, lines: u64) -> Result<u64, Box<dyn Error>> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    for i in 0..lines {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let text = TEXTS[(seed % 6) as usize].replace('"', "\\\"");
        let channel = CHANNELS[(seed >> 8) as usize % 4];
        let minute = (seed >> 16) % 60;
        let hour = (seed >> 24) % 24;
        let day = 1 + (seed >> 32) % 28;
        let brand = if matches!(seed % 5, 0) {
            ",\"brand\":\"@SkyWayAir\""
        } else {
            ""
        };
        writeln!(
            out,
            r#"{{"id":"{i}","channel":"{channel}","text":"{text} #{i}","created_at":"2026-03-{day:02}T{hour:02}:{minute:02}:00Z","author":"user{}","author_followers":{}{brand},"lang":"en"}}"#,
            seed % 100_000,
            seed % 5_000,
        )?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

fn write_csv(path: &Path, lines: u64) -> Result<u64, Box<dyn Error>> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(
        out,
        "id,channel,text,created_at,author,author_followers,lang"
    )?;
    for i in 0..lines {
        let text = TEXTS[(i % 6) as usize].replace('"', "\"\"");
        writeln!(
            out,
            "{i},x,\"{text} #{i}\",2026-03-01T10:{:02}:00Z,user{},{},en",
            i % 60,
            i % 1000,
            i % 5000
        )?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// CPU time this thread has run, from Linux's schedstat (`None` elsewhere):
/// on a shared machine it measures the parser, not the neighbours.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn time(label: &str, path: &Path, bytes: u64, model: &Model) -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let cpu_started = cpu_seconds();
    let (mut ok, mut rejected) = (0u64, 0u64);
    for record in SignalReader::open(path, &ReadOptions::default(), model)? {
        match record {
            Ok(_) => ok += 1,
            Err(reject) => {
                if rejected == 0 {
                    eprintln!("first reject: {reject}");
                }
                rejected += 1;
            }
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = match (cpu_started, cpu_seconds()) {
        (Some(a), Some(b)) => b - a,
        _ => wall,
    };
    let n = (ok + rejected) as f64;
    println!(
        "{label:<6} {ok} records ({rejected} rejected), {:.0} bytes/record, {:.0} MB: \
         wall {wall:.2}s = {:.0} records/s; cpu {cpu:.2}s = {:.0} records/s, {:.0} MB/s per core",
        bytes as f64 / n.max(1.0),
        bytes as f64 / 1e6,
        n / wall,
        n / cpu,
        bytes as f64 / 1e6 / cpu,
    );
    Ok(())
}

/// The floor: split lines and let serde_json skim each one without building
/// anything (`IgnoredAny`). Our reader's distance from this is its own cost.
fn floor(path: &Path, bytes: u64) -> Result<(), Box<dyn Error>> {
    use std::io::BufRead;
    let cpu_started = cpu_seconds();
    let started = Instant::now();
    let mut input = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(path)?);
    let mut line = Vec::new();
    let mut n = 0u64;
    while input.read_until(b'\n', &mut line)? > 0 {
        serde_json::from_str::<serde::de::IgnoredAny>(std::str::from_utf8(&line)?)?;
        line.clear();
        n += 1;
    }
    let wall = started.elapsed().as_secs_f64();
    let cpu = match (cpu_started, cpu_seconds()) {
        (Some(a), Some(b)) => b - a,
        _ => wall,
    };
    println!(
        "floor  {n} lines skimmed by serde_json (IgnoredAny): cpu {cpu:.2}s = {:.0} lines/s, {:.0} MB/s per core",
        n as f64 / cpu,
        bytes as f64 / 1e6 / cpu
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let lines: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let template = tce_model::templates::template("airline").ok_or("no airline template")?;
    let model = Model::parse(template.toml, Path::new("airline.toml"))?;
    let dir = tempfile::tempdir()?;
    let jsonl = dir.path().join("signals.jsonl");
    let bytes = write_jsonl(&jsonl, lines)?;
    floor(&jsonl, bytes)?;
    time("jsonl", &jsonl, bytes, &model)?;
    time("jsonl", &jsonl, bytes, &model)?;
    let csv = dir.path().join("signals.csv");
    let bytes = write_csv(&csv, lines)?;
    time("csv", &csv, bytes, &model)?;
    Ok(())
}
