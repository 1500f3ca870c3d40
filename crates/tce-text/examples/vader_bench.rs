//! Scores every line of a file with VADER and prints one JSON object per
//! line (`{"neg":..,"neu":..,"pos":..,"compound":..}`, numbers as Python prints
//! them), like `tce sentiment --engine vader --input FILE`. Used by `bench/sentiment.sh`
//! when the CLI lacks the `sentiment` subcommand.
//!
//! Usage: `vader_bench FILE [--quiet]`. With `--quiet` it prints only the
//! number of texts, a checksum and the in-process scoring throughput.

use std::io::{BufWriter, Write};
use std::time::Instant;

use tce_text::vader::{Vader, VaderScratch};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: vader_bench FILE [--quiet]")?;
    let quiet = args.next().as_deref() == Some("--quiet");
    let input = std::fs::read_to_string(&path)?;
    let vader = Vader::new();
    let mut scratch = VaderScratch::new();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let (mut n, mut sum) = (0u64, 0.0f64);
    let start = Instant::now();
    // Lines as `BufRead::lines` yields them, without a copy per line.
    for line in input.lines() {
        let s = vader.polarity_scores_with(line, &mut scratch);
        n += 1;
        sum += s.compound;
        if !quiet {
            s.write_json(&mut out)?;
            out.write_all(b"\n")?;
        }
    }
    if quiet {
        let secs = start.elapsed().as_secs_f64();
        writeln!(
            out,
            "{n} texts, compound sum {sum:.4}, scored in {secs:.3} s ({:.0} texts/s)",
            n as f64 / secs
        )?;
    }
    out.flush()?;
    Ok(())
}
