//! Exactly what `tce eval --input CSV --text-column text --label-column
//! airline_sentiment --engine cx` computes (raw text, `CxSentiment::new()`,
//! `CxSentiment::label`, `metrics::Evaluation`), plus the three-class
//! accuracy and macro-F1 of `cx` on the VADER ground-truth corpora
//! (mean human rating ≥ 0.5 positive, ≤ −0.5 negative, else neutral).
//! Evaluation only: the product never reads these files.
//!
//! Usage: `cargo run -p tce-text --example eval_cx [-- CSV [TEXT_COLUMN LABEL_COLUMN]]`
//! (columns `text` and `airline_sentiment` unless given).

use tce_model::Intent;
use tce_text::cx::CxSentiment;
use tce_text::intent::intents;
use tce_text::metrics::Evaluation;

/// `shared/data` in the nearest ancestor of the crate that has one (the
/// repository's parent for a checkout, further up for a nested worktree).
fn data_root() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/data"))
        .find(|d| d.is_dir())
        .map_or_else(|| "../shared/data".to_string(), |d| d.display().to_string())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = data_root();
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| format!("{root}/airline/dev.csv"));
    let cx = CxSentiment::new();
    let mut rdr = csv::Reader::from_path(&path)?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{path}: no column {name}"))
    };
    let text_col = std::env::args().nth(2).unwrap_or_else(|| "text".into());
    let label_col = std::env::args()
        .nth(3)
        .unwrap_or_else(|| "airline_sentiment".into());
    let (ti, li) = (col(&text_col)?, col(&label_col)?);
    let (mut gold, mut pred) = (Vec::new(), Vec::new());
    // Intents against the gold label: praise on negative tweets and
    // complaints on positive ones are misreadings.
    let (mut neg, mut neg_praise, mut pos, mut pos_complaint) = (0, 0, 0, 0);
    for rec in rdr.records() {
        let rec = rec?;
        let label = rec.get(li).unwrap_or("").trim();
        if label.is_empty() {
            continue;
        }
        let text = rec.get(ti).unwrap_or("");
        let found = intents(text);
        let has = |i: Intent| found.iter().any(|s| s.intent == i);
        match label {
            "negative" => {
                neg += 1;
                neg_praise += usize::from(has(Intent::Praise));
            }
            "positive" => {
                pos += 1;
                pos_complaint += usize::from(has(Intent::Complaint));
            }
            _ => {}
        }
        gold.push(label.to_string());
        pred.push(
            CxSentiment::label(cx.scores(text).compound)
                .as_str()
                .to_string(),
        );
    }
    let e = Evaluation::new(&gold, &pred);
    println!(
        "{path}: n={} accuracy={:.4} macro-F1={:.4}",
        gold.len(),
        e.accuracy,
        e.macro_f1
    );
    println!(
        "  praise on negative tweets: {neg_praise}/{neg}; complaint on positive tweets: {pos_complaint}/{pos}"
    );

    for corpus in [
        "tweets",
        "amazonReviewSnippets",
        "movieReviewSnippets",
        "nytEditorialSnippets",
    ] {
        let file = format!("{root}/vader/{corpus}_GroundTruth.txt");
        let Ok(bytes) = std::fs::read(&file) else {
            println!("{file}: not found");
            continue;
        };
        let (mut gold, mut pred) = (Vec::new(), Vec::new());
        for line in String::from_utf8_lossy(&bytes).lines() {
            let mut f = line.splitn(3, '\t');
            let (Some(_), Some(r), Some(text)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let Ok(r) = r.trim().parse::<f64>() else {
                continue;
            };
            let g = if r >= 0.5 {
                "positive"
            } else if r <= -0.5 {
                "negative"
            } else {
                "neutral"
            };
            gold.push(g.to_string());
            pred.push(
                CxSentiment::label(cx.scores(text).compound)
                    .as_str()
                    .to_string(),
            );
        }
        let e = Evaluation::new(&gold, &pred);
        println!(
            "vader/{corpus}: n={} accuracy={:.4} macro-F1={:.4}",
            gold.len(),
            e.accuracy,
            e.macro_f1
        );
    }
    Ok(())
}
