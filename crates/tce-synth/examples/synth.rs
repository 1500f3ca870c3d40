//! Generates a world for a template into a folder and reports the time taken:
//! `cargo run --release -p tce-synth --example synth -- airline 1000000 42 /tmp/world`
//! (folder `-` discards the output, to time the generator alone).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let template = args.get(1).map_or("airline", String::as_str);
    let signals: u64 = args.get(2).map_or(Ok(200_000), |s| s.parse())?;
    let seed: u64 = args.get(3).map_or(Ok(42), |s| s.parse())?;
    let dir_arg = args.get(4).map_or("/tmp/tce-world", String::as_str);
    let dir = Path::new(dir_arg);
    let t = tce_model::templates::template(template).ok_or("unknown template")?;
    let model = tce_model::Model::parse(t.toml, Path::new(t.name))?;
    let cfg = tce_synth::SynthConfig {
        signals,
        seed,
        ..Default::default()
    };
    let t0 = std::time::Instant::now();
    let truth = if dir_arg == "-" {
        let (mut s, mut l, mut o) = (std::io::sink(), std::io::sink(), std::io::sink());
        tce_synth::generate(&model, &cfg, &mut s, &mut l, &mut o)?
    } else {
        std::fs::create_dir_all(dir)?;
        let mut s = BufWriter::new(File::create(dir.join("signals.jsonl"))?);
        let mut l = BufWriter::new(File::create(dir.join("labels.csv"))?);
        let mut o = BufWriter::new(File::create(dir.join("outcomes.csv"))?);
        let truth = tce_synth::generate(&model, &cfg, &mut s, &mut l, &mut o)?;
        s.flush()?;
        l.flush()?;
        o.flush()?;
        let mut t = BufWriter::new(File::create(dir.join("truth.json"))?);
        serde_json::to_writer_pretty(&mut t, &truth)?;
        t.flush()?;
        truth
    };
    let elapsed = t0.elapsed();
    println!(
        "{} signals in {:.2}s ({:.0}/s) → {}",
        truth.counts.signals,
        elapsed.as_secs_f64(),
        truth.counts.signals as f64 / elapsed.as_secs_f64(),
        dir.display()
    );
    Ok(())
}
