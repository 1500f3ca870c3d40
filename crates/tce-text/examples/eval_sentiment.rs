//! Three-class sentiment accuracy of the `vader` and `cx` engines on the
//! airline tweets (`../shared/data/airline/dev.csv`, column
//! `airline_sentiment`; evaluation only, never read by the product).
//!
//! Prints accuracy, macro-F1, per-class precision/recall/F1 and the
//! confusion matrix over the whole file and per fold of a 5-fold split
//! (the rules are not trained: the folds only show the spread), then the
//! macro-F1 of `cx` with each rule family left out and with each family
//! alone on top of VADER.
//!
//! Usage: `cargo run --release -p tce-text --example eval_sentiment [-- CSV]`.
//!
//! Labels: `vader` uses VADER's ±0.05 thresholds on compound; `cx` uses
//! `CxSentiment::label` (negative ≤ −0.05, positive ≥ 0.25).

use std::time::Instant;

use tce_model::{Intent, SentimentLabel};
use tce_text::cx::{CxRules, CxScratch, CxSentiment};
use tce_text::intent;
use tce_text::vader::{Vader, VaderScratch};

const CLASSES: [SentimentLabel; 3] = [
    SentimentLabel::Negative,
    SentimentLabel::Neutral,
    SentimentLabel::Positive,
];
const FOLDS: usize = 5;

/// One labelled tweet.
struct Row {
    id: String,
    airline: String,
    label: SentimentLabel,
    text: String,
}

fn load(path: &str) -> Result<Vec<Row>, Box<dyn std::error::Error>> {
    let mut reader = csv::Reader::from_path(path)?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{path}: no column {name}"))
    };
    let (id, label, text) = (col("tweet_id")?, col("airline_sentiment")?, col("text")?);
    let airline = col("airline")?;
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let r = record?;
        let get = |i: usize| r.get(i).unwrap_or("");
        let label = match get(label) {
            "negative" => SentimentLabel::Negative,
            "neutral" => SentimentLabel::Neutral,
            "positive" => SentimentLabel::Positive,
            other => return Err(format!("{path}: record {}: label {other:?}", n + 2).into()),
        };
        rows.push(Row {
            id: get(id).to_string(),
            airline: get(airline).to_string(),
            label,
            // The export keeps HTML entities.
            text: get(text)
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">"),
        });
    }
    Ok(rows)
}

/// Fold of a row: FNV-1a of its id, so folds do not follow file order.
fn fold(id: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (h % FOLDS as u64) as usize
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len()) as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

fn class_index(l: SentimentLabel) -> usize {
    match l {
        SentimentLabel::Negative => 0,
        SentimentLabel::Neutral => 1,
        SentimentLabel::Positive => 2,
    }
}

/// Confusion matrix: `m[gold][predicted]`.
#[derive(Default, Clone, Copy)]
struct Confusion {
    m: [[u32; 3]; 3],
}

impl Confusion {
    fn add(&mut self, gold: SentimentLabel, pred: SentimentLabel) {
        self.m[class_index(gold)][class_index(pred)] += 1;
    }

    fn total(&self) -> u32 {
        self.m.iter().flatten().sum()
    }

    fn accuracy(&self) -> f64 {
        let correct: u32 = (0..3).map(|i| self.m[i][i]).sum();
        f64::from(correct) / f64::from(self.total().max(1))
    }

    /// (precision, recall, F1) of class `c`.
    fn prf(&self, c: usize) -> (f64, f64, f64) {
        let tp = f64::from(self.m[c][c]);
        let predicted: u32 = (0..3).map(|g| self.m[g][c]).sum();
        let gold: u32 = self.m[c].iter().sum();
        let p = if predicted == 0 {
            0.0
        } else {
            tp / f64::from(predicted)
        };
        let r = if gold == 0 { 0.0 } else { tp / f64::from(gold) };
        let f = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        (p, r, f)
    }

    fn macro_f1(&self) -> f64 {
        (0..3).map(|c| self.prf(c).2).sum::<f64>() / 3.0
    }

    fn print(&self, title: &str) {
        println!(
            "{title}: n={} accuracy={:.3} macro-F1={:.3}",
            self.total(),
            self.accuracy(),
            self.macro_f1()
        );
        println!("  class      precision recall  F1     | predicted: negative neutral positive");
        for (c, class) in CLASSES.iter().enumerate() {
            let (p, r, f) = self.prf(c);
            println!(
                "  {:<10} {p:>9.3} {r:>6.3} {f:>6.3} | gold {:<8} {:>8} {:>7} {:>8}",
                class.as_str(),
                class.as_str(),
                self.m[c][0],
                self.m[c][1],
                self.m[c][2]
            );
        }
    }
}

/// Predicted labels of one engine for every row.
fn predict(rows: &[Row], mut f: impl FnMut(&str) -> SentimentLabel) -> Vec<SentimentLabel> {
    rows.iter().map(|r| f(&r.text)).collect()
}

fn confusion(rows: &[Row], pred: &[SentimentLabel], fold_of: Option<usize>) -> Confusion {
    let mut c = Confusion::default();
    for (r, &p) in rows.iter().zip(pred) {
        if fold_of.is_none_or(|k| fold(&r.id) == k) {
            c.add(r.label, p);
        }
    }
    c
}

fn cx_predict(rows: &[Row], rules: CxRules) -> Vec<SentimentLabel> {
    let cx = CxSentiment::with_rules(rules);
    let mut scratch = CxScratch::new();
    predict(rows, |t| {
        CxSentiment::label(cx.scores_with(t, &mut scratch).compound)
    })
}

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
    let rows = load(&path)?;
    println!("{path}: {} tweets\n", rows.len());

    let vader = Vader::new();
    let mut vs = VaderScratch::new();
    let t0 = Instant::now();
    let vader_pred = predict(&rows, |t| {
        SentimentLabel::from_compound(vader.polarity_scores_with(t, &mut vs).compound)
    });
    let vader_secs = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let cx_pred = cx_predict(&rows, CxRules::ALL);
    let cx_secs = t0.elapsed().as_secs_f64();

    for (name, pred) in [("vader", &vader_pred), ("cx", &cx_pred)] {
        confusion(&rows, pred, None).print(&format!("{name} (all)"));
        println!();
    }
    // As the enricher runs it: the model's brand names are names, not
    // sentiment ("United" is +1.8 in VADER's lexicon).
    let airlines: Vec<String> = {
        let mut a: Vec<String> = rows.iter().map(|r| r.airline.clone()).collect();
        a.sort();
        a.dedup();
        a
    };
    let named = CxSentiment::new().with_neutral_names(airlines.iter().map(String::as_str));
    let mut scratch = CxScratch::new();
    let named_pred = predict(&rows, |t| {
        CxSentiment::label(named.scores_with(t, &mut scratch).compound)
    });
    confusion(&rows, &named_pred, None).print(&format!(
        "cx with the airlines as neutral names {:?} (all)",
        named.neutral_names()
    ));
    println!();
    // Intents by gold sentiment: how often each intent fires.
    println!("intents (share of tweets with each intent, by gold sentiment):");
    println!(
        "  gold        n      {}",
        Intent::ALL.map(|i| format!("{:>16}", i.as_str())).join("")
    );
    let cx = CxSentiment::new();
    let mut scratch = CxScratch::new();
    let mut found = Vec::new();
    for gold in CLASSES {
        let mut counts = [0usize; 6];
        let mut n = 0;
        for r in rows.iter().filter(|r| r.label == gold) {
            n += 1;
            let c = cx.scores_with(&r.text, &mut scratch).compound;
            found.clear();
            intent::detect_into(&scratch, c, &mut found);
            for s in &found {
                if let Some(k) = Intent::ALL.iter().position(|&i| i == s.intent) {
                    counts[k] += 1;
                }
            }
        }
        let cells = counts
            .map(|c| format!("{:>16.3}", c as f64 / n.max(1) as f64))
            .join("");
        println!("  {:<9} {n:>5}  {cells}", gold.as_str());
    }
    println!();

    println!("per fold (macro-F1 / accuracy):");
    println!("  fold   n     vader          cx");
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for k in 0..FOLDS {
        let v = confusion(&rows, &vader_pred, Some(k));
        let c = confusion(&rows, &cx_pred, Some(k));
        lo = lo.min(c.macro_f1());
        hi = hi.max(c.macro_f1());
        println!(
            "  {k}   {:>5}  {:.3} / {:.3}  {:.3} / {:.3}",
            c.total(),
            v.macro_f1(),
            v.accuracy(),
            c.macro_f1(),
            c.accuracy()
        );
    }
    println!("  cx macro-F1 range over folds: {lo:.3}–{hi:.3}\n");
    for k in 0..FOLDS {
        confusion(&rows, &cx_pred, Some(k)).print(&format!("cx fold {k}"));
    }
    println!();

    // `TCE_EXPLAIN=text` shows the per-word valences of VADER and cx.
    if let Ok(text) = std::env::var("TCE_EXPLAIN") {
        let cx = CxSentiment::new();
        let mut scratch = CxScratch::new();
        let s = cx.scores_with(&text, &mut scratch);
        println!(
            "cx compound {:+.4}, vader {:+.4}",
            s.compound,
            vader.polarity_scores(&text).compound
        );
        for (i, (v, c)) in scratch
            .vader()
            .sentiments()
            .iter()
            .zip(scratch.valences())
            .enumerate()
        {
            println!(
                "  {:<20} vader {v:+.3}  cx {c:+.3}",
                scratch.vader().word(i)
            );
        }
        println!("  {:?}\n", scratch.cues());
    }

    // `TCE_EVAL_ERRORS=N` lists up to N cx errors per confusion cell, to
    // study error categories (not to tune rules to rows).
    if let Some(n) = std::env::var("TCE_EVAL_ERRORS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let cx = CxSentiment::new();
        for gold in CLASSES {
            for pred in CLASSES {
                if gold == pred {
                    continue;
                }
                println!("--- gold {} predicted {}", gold.as_str(), pred.as_str());
                let errors = rows
                    .iter()
                    .zip(&cx_pred)
                    .filter(|(r, &p)| r.label == gold && p == pred);
                for (r, _) in errors.take(n) {
                    println!(
                        "{:+.3}  {}",
                        cx.scores(&r.text).compound,
                        r.text.replace('\n', " ")
                    );
                }
            }
        }
        println!();
    }

    // Sensitivity of cx to its label thresholds (the shipped ones are
    // CxSentiment::NEGATIVE_THRESHOLD / POSITIVE_THRESHOLD).
    let cx = CxSentiment::new();
    let mut scratch = CxScratch::new();
    let compounds: Vec<f64> = rows
        .iter()
        .map(|r| cx.scores_with(&r.text, &mut scratch).compound)
        .collect();
    println!("cx macro-F1 by label thresholds (rows: negative ≤, columns: positive ≥):");
    let pos_grid = [0.05, 0.15, 0.25, 0.35, 0.5];
    println!(
        "          {}",
        pos_grid.map(|p| format!("{p:>6.2}")).join("")
    );
    for neg in [-0.05, -0.15, -0.25] {
        let cells: Vec<String> = pos_grid
            .iter()
            .map(|&pos| {
                let pred: Vec<SentimentLabel> = compounds
                    .iter()
                    .map(|&c| {
                        if c >= pos {
                            SentimentLabel::Positive
                        } else if c <= neg {
                            SentimentLabel::Negative
                        } else {
                            SentimentLabel::Neutral
                        }
                    })
                    .collect();
                format!("{:>6.3}", confusion(&rows, &pred, None).macro_f1())
            })
            .collect();
        println!("  {neg:>6.2}  {}", cells.join(""));
    }
    println!();

    let all = confusion(&rows, &cx_pred, None).macro_f1();
    let base = confusion(&rows, &cx_predict(&rows, CxRules::NONE), None).macro_f1();
    println!("rule families (macro-F1 over the whole file; cx with no family = VADER with cx thresholds = {base:.3}):");
    println!("  family          alone   without   (all = {all:.3})");
    for (name, fam) in CxRules::FAMILIES {
        let alone = confusion(&rows, &cx_predict(&rows, fam), None).macro_f1();
        let without =
            confusion(&rows, &cx_predict(&rows, CxRules::ALL.without(fam)), None).macro_f1();
        println!(
            "  {name:<15} {alone:.3}   {without:.3}   (gain alone {:+.3}, loss without {:+.3})",
            alone - base,
            without - all
        );
    }
    // Out of domain: the CX rules must not spoil general sentiment. Pearson
    // correlation of compound with the human mean rating on VADER's
    // ground-truth corpora.
    let vader_dir = format!("{root}/vader");
    println!(
        "\ngeneral text (VADER ground truth; Pearson r of compound with the human mean rating):"
    );
    for corpus in [
        "tweets",
        "amazonReviewSnippets",
        "movieReviewSnippets",
        "nytEditorialSnippets",
    ] {
        let Ok(src) = std::fs::read(format!("{vader_dir}/{corpus}_GroundTruth.txt")) else {
            println!("  {corpus}: not found");
            continue;
        };
        let src = String::from_utf8_lossy(&src);
        let (mut gold, mut v, mut c) = (Vec::new(), Vec::new(), Vec::new());
        let cx = CxSentiment::new();
        let mut scratch = CxScratch::new();
        for line in src.lines() {
            let mut f = line.splitn(3, '\t');
            let (Some(_), Some(rating), Some(text)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let Ok(rating) = rating.parse::<f64>() else {
                continue;
            };
            gold.push(rating);
            v.push(vader.polarity_scores_with(text, &mut vs).compound);
            c.push(cx.scores_with(text, &mut scratch).compound);
        }
        println!(
            "  {corpus:<22} n={:>5}  vader r={:.3}  cx r={:.3}",
            gold.len(),
            pearson(&gold, &v),
            pearson(&gold, &c)
        );
    }

    println!(
        "\nscoring time: vader {:.0} texts/s, cx {:.0} texts/s (wall clock, one thread)",
        rows.len() as f64 / vader_secs,
        rows.len() as f64 / cx_secs
    );
    Ok(())
}
