//! Stratified k-fold cross-validation of the text classifier on a CSV file.
//!
//! ```text
//! cargo run --release -p tce-text --example cv -- FILE TEXT_COLUMN LABEL_COLUMN
//!     [--folds 5] [--seed 42] [--exclude LABEL]... [--dense vader,cx,cues,touchpoints[:TEMPLATE]]
//!     [--c 0.3] [--epochs 50] [--bits 18] [--word-ngrams 2] [--char 2-5|none] [--no-idf]
//!     [--class-weight balanced|none] [--stack-folds 5] [--combiner-l2 5]
//!     [--prior-flattening 0.25] [--save MODEL_FILE] [--dump FILE.tsv] [--quick]
//! ```
//!
//! Rows with an empty label, or a label given to `--exclude`, are left out.
//! `--dense` adds rule evidence from `tce_text::classify::evidence`: `vader`
//! (VADER neg/neu/pos/compound), `cues` (generic CX cue families and text
//! shape) and `touchpoints` (phrase matches of the touchpoints of a built-in
//! model template, `airline` unless named). Folds are stratified by label and
//! seeded; every model is trained on the other folds only. Prints each fold's
//! accuracy and macro-F1, their mean and standard deviation, the report of
//! the pooled out-of-fold predictions with the calibration of their
//! confidences, and the prediction throughput of the last fold's model on one
//! core (per CPU-second of the thread, so other load on the machine counts
//! less). `--dump` writes every out-of-fold prediction as a tab-separated
//! row (row index, fold, gold class index, then the probability of each
//! class in sorted label order), for analysis elsewhere; `--quick` stops
//! after the pooled report (no calibration, saving or throughput).

use std::error::Error;
use std::time::Instant;

use tce_text::classify::evidence::{EvidenceScratch, EvidenceSet, RuleEvidence};
use tce_text::classify::{stratified_folds, ClassWeight, Classifier, PredictScratch, TrainConfig};
use tce_text::metrics::Evaluation;

struct Args {
    path: String,
    text: String,
    label: String,
    folds: usize,
    exclude: Vec<String>,
    dense: Vec<String>,
    save: Option<String>,
    dump: Option<String>,
    quick: bool,
    cfg: TrainConfig,
}

fn parse_args() -> Result<Args, Box<dyn Error>> {
    let usage =
        "usage: cv FILE TEXT_COLUMN LABEL_COLUMN [--folds N] [--seed N] [--exclude LABEL]... \
                 [--dense vader,cx,cues,touchpoints[:TEMPLATE]] [--c X] [--epochs N] [--bits N] [--word-ngrams N] \
                 [--char LO-HI|none] [--no-idf] [--class-weight balanced|none] [--stack-folds N] \
                 [--combiner-l2 X] [--prior-flattening X] [--save MODEL_FILE] [--dump FILE.tsv] [--quick]";
    let mut positional = Vec::new();
    let mut args = Args {
        path: String::new(),
        text: String::new(),
        label: String::new(),
        folds: 5,
        exclude: Vec::new(),
        dense: Vec::new(),
        save: None,
        dump: None,
        quick: false,
        cfg: TrainConfig::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{a} needs a value\n{usage}"))
        };
        match a.as_str() {
            "--folds" => args.folds = value()?.parse()?,
            "--seed" => args.cfg.seed = value()?.parse()?,
            "--exclude" => args.exclude.push(value()?),
            "--dense" => args.dense = value()?.split(',').map(str::to_string).collect(),
            "--c" => args.cfg.c = value()?.parse()?,
            "--epochs" => args.cfg.epochs = value()?.parse()?,
            "--bits" => args.cfg.features.hash_bits = value()?.parse()?,
            "--word-ngrams" => args.cfg.features.word_ngrams = value()?.parse()?,
            "--char" => {
                let v = value()?;
                args.cfg.features.char_ngrams = match v.split_once('-') {
                    Some((lo, hi)) => Some((lo.parse()?, hi.parse()?)),
                    None if v == "none" => None,
                    None => return Err(format!("--char {v}: expected LO-HI or none").into()),
                };
            }
            "--no-idf" => args.cfg.idf = false,
            "--class-weight" => {
                args.cfg.class_weight = match value()?.as_str() {
                    "balanced" => ClassWeight::Balanced,
                    "none" => ClassWeight::None,
                    other => return Err(format!("--class-weight {other}: balanced or none").into()),
                }
            }
            "--stack-folds" => args.cfg.stack_folds = value()?.parse()?,
            "--combiner-l2" => args.cfg.combiner_l2 = value()?.parse()?,
            "--prior-flattening" => args.cfg.prior_flattening = value()?.parse()?,
            "--save" => args.save = Some(value()?),
            "--dump" => args.dump = Some(value()?),
            "--quick" => args.quick = true,
            "-h" | "--help" => return Err(usage.into()),
            _ if a.starts_with("--") => return Err(format!("unknown option {a}\n{usage}").into()),
            _ => positional.push(a),
        }
    }
    let [path, text, label]: [String; 3] = positional
        .try_into()
        .map_err(|_| format!("expected FILE TEXT_COLUMN LABEL_COLUMN\n{usage}"))?;
    (args.path, args.text, args.label) = (path, text, label);
    Ok(args)
}

fn evidence(spec: &[String]) -> Result<Option<RuleEvidence>, Box<dyn Error>> {
    if spec.is_empty() {
        return Ok(None);
    }
    let mut set = EvidenceSet {
        vader: false,
        cx: false,
        cues: false,
        intents: false,
    };
    let mut template = None;
    for s in spec {
        match s
            .split_once(':')
            .map_or((s.as_str(), None), |(a, b)| (a, Some(b)))
        {
            ("vader", None) => set.vader = true,
            ("cx", None) => set.cx = true,
            ("cues", None) => set.cues = true,
            ("touchpoints", name) => template = Some(name.unwrap_or("airline")),
            _ => {
                return Err(format!(
                    "--dense {s}: expected vader, cx, cues or touchpoints[:TEMPLATE]"
                )
                .into())
            }
        }
    }
    let mut e = RuleEvidence::new(set)?;
    if let Some(name) = template {
        let t =
            tce_model::templates::template(name).ok_or_else(|| format!("no template {name:?}"))?;
        let model = tce_model::Model::parse(t.toml, std::path::Path::new(name))?;
        e = e.with_touchpoints(&model)?;
    }
    Ok(Some(e))
}

/// CPU time this thread has run, in seconds (Linux; wall time elsewhere is
/// not comparable on a shared machine, so 0 when unavailable).
fn thread_cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = parse_args()?;
    let mut reader = csv::Reader::from_path(&args.path)?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("no column {name:?} in {}", args.path))
    };
    let (ti, li) = (column(&args.text)?, column(&args.label)?);
    let (mut texts, mut labels) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record?;
        let (Some(text), Some(label)) = (record.get(ti), record.get(li)) else {
            continue;
        };
        if label.is_empty() || args.exclude.iter().any(|e| e == label) {
            continue;
        }
        texts.push(text.to_string());
        labels.push(label.to_string());
    }
    let evidence = evidence(&args.dense)?;
    let dense: Option<Vec<Vec<f32>>> = evidence
        .as_ref()
        .map(|e| texts.iter().map(|t| e.compute(t)).collect());
    if let Some(e) = &evidence {
        args.cfg.dense_names = e.names();
    }
    println!(
        "{}: {} examples, {} classes, {}-fold stratified CV (seed {}), dense: {}",
        args.path,
        texts.len(),
        labels
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        args.folds,
        args.cfg.seed,
        if args.dense.is_empty() {
            "none".to_string()
        } else {
            args.dense.join(",")
        }
    );
    println!("config: {}", serde_json::to_string(&args.cfg)?);

    let folds = stratified_folds(&labels, args.folds, args.cfg.seed);
    let mut pooled_gold = Vec::new();
    let mut pooled_pred = Vec::new();
    let mut confidences: Vec<(f32, bool)> = Vec::new();
    let mut figures = Vec::new();
    let mut last_model = None;
    let mut train_secs = 0.0;
    let mut dump = String::new();
    for fold in 0..args.folds {
        let train: Vec<usize> = (0..texts.len()).filter(|&i| folds[i] != fold).collect();
        let test: Vec<usize> = (0..texts.len()).filter(|&i| folds[i] == fold).collect();
        let tt: Vec<&str> = train.iter().map(|&i| texts[i].as_str()).collect();
        let tl: Vec<&str> = train.iter().map(|&i| labels[i].as_str()).collect();
        let td: Option<Vec<Vec<f32>>> = dense
            .as_ref()
            .map(|d| train.iter().map(|&i| d[i].clone()).collect());
        let start = Instant::now();
        let model = Classifier::train(&tt, &tl, td.as_deref(), &args.cfg)?;
        train_secs += start.elapsed().as_secs_f64();
        let mut scratch = PredictScratch::default();
        let mut gold = Vec::new();
        let mut pred = Vec::new();
        for &i in &test {
            let d = dense.as_ref().map(|d| d[i].as_slice());
            let p = model.predict_with(&texts[i], d, &mut scratch)?;
            confidences.push((p.confidence, p.label == labels[i]));
            if args.dump.is_some() {
                let gold = model.labels().iter().position(|l| *l == labels[i]);
                dump.push_str(&format!("{i}\t{fold}\t{}", gold.map_or(-1, |g| g as i64)));
                for s in &p.scores {
                    dump.push_str(&format!("\t{s}"));
                }
                dump.push('\n');
            }
            gold.push(labels[i].clone());
            pred.push(p.label);
        }
        let e = Evaluation::new(&gold, &pred);
        println!(
            "fold {fold}: accuracy {:.4}  macro-F1 {:.4}  ({} test, trained in {:.2} s)",
            e.accuracy,
            e.macro_f1,
            test.len(),
            start.elapsed().as_secs_f64()
        );
        figures.push((e.accuracy, e.macro_f1));
        pooled_gold.extend(gold);
        pooled_pred.extend(pred);
        last_model = Some(model);
    }
    let mean_sd = |f: fn(&(f64, f64)) -> f64| {
        let n = figures.len() as f64;
        let m = figures.iter().map(f).sum::<f64>() / n;
        let sd =
            (figures.iter().map(|x| (f(x) - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
        (m, sd)
    };
    let (acc, acc_sd) = mean_sd(|x| x.0);
    let (f1, f1_sd) = mean_sd(|x| x.1);
    println!("mean: accuracy {acc:.4} ± {acc_sd:.4}  macro-F1 {f1:.4} ± {f1_sd:.4}  (training {train_secs:.1} s in all)");
    println!(
        "\npooled out-of-fold predictions:\n{}",
        Evaluation::new(&pooled_gold, &pooled_pred)
    );
    // Calibration: expected calibration error over ten confidence bins.
    let mut bins = [(0usize, 0.0f64, 0usize); 10];
    for &(c, ok) in &confidences {
        let b = &mut bins[((c * 10.0) as usize).min(9)];
        b.0 += 1;
        b.1 += f64::from(c);
        b.2 += usize::from(ok);
    }
    let n = confidences.len().max(1) as f64;
    let ece: f64 = bins
        .iter()
        .filter(|b| b.0 > 0)
        .map(|&(m, sum, ok)| (m as f64 / n) * (sum / m as f64 - ok as f64 / m as f64).abs())
        .sum();
    let mean_confidence = confidences.iter().map(|c| f64::from(c.0)).sum::<f64>() / n;
    println!(
        "calibration: mean confidence {mean_confidence:.4}, expected calibration error {ece:.4} (10 bins)\n"
    );

    if let Some(path) = &args.dump {
        std::fs::write(path, &dump)?;
    }
    if args.quick {
        return Ok(());
    }
    if let (Some(model), Some(path)) = (&last_model, &args.save) {
        let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
        model.save(&mut file)?;
        drop(file);
        println!(
            "saved the last fold's model to {path} ({} bytes)",
            std::fs::metadata(path)?.len()
        );
    }
    if let Some(model) = last_model {
        // Throughput on one core: classification alone, then with the rule
        // evidence computed per text as enrichment would.
        let mut scratch = PredictScratch::default();
        let rounds = (200_000 / texts.len().max(1)).max(1);
        let start = Instant::now();
        let cpu = thread_cpu_secs();
        let mut checksum = 0usize;
        for _ in 0..rounds {
            for (i, t) in texts.iter().enumerate() {
                let d = dense.as_ref().map(|d| d[i].as_slice());
                checksum += model.classify_with(t, d, &mut scratch)?;
            }
        }
        let n = (rounds * texts.len()) as f64;
        let secs = start.elapsed().as_secs_f64();
        let cpu = thread_cpu_secs() - cpu;
        println!(
            "throughput: {:.0} texts/s per CPU-second ({:.0} per wall-second) classifying \
             (mean {:.0} chars/text, checksum {checksum})",
            n / cpu,
            n / secs,
            texts.iter().map(|t| t.chars().count()).sum::<usize>() as f64 / texts.len() as f64
        );
        if let Some(e) = &evidence {
            let mut es = EvidenceScratch::default();
            let mut row = Vec::new();
            let cpu = thread_cpu_secs();
            for t in &texts {
                e.compute_with(t, &mut es, &mut row);
                checksum += model.classify_with(t, Some(&row), &mut scratch)?;
            }
            println!(
                "throughput: {:.0} texts/s per CPU-second with rule evidence computed per text \
                 (checksum {checksum})",
                texts.len() as f64 / (thread_cpu_secs() - cpu)
            );
        }
    }
    Ok(())
}
