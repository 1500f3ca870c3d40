//! `tce train` and `tce eval`: trainable classifiers and evaluation of the
//! rule engines and classifiers on labelled CSV files.

use crate::cli::{EvalArgs, TrainArgs};
use crate::workspace::Workspace;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use tce_model::{Model, SentimentLabel, Signal};
use tce_text::classify::evidence::{EvidenceSet, RuleEvidence};
use tce_text::classify::{stratified_folds, Classifier, TrainConfig};
use tce_text::metrics::Evaluation;

/// Labelled examples read from a CSV file.
struct Examples {
    texts: Vec<String>,
    labels: Vec<String>,
    skipped: usize,
}

fn read_examples(
    path: &Path,
    text_col: &str,
    label_col: &str,
    map: &[String],
    exclude: &[String],
) -> Result<Examples> {
    let label_map: BTreeMap<String, String> = map
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .with_context(|| format!("--label-map {p:?}: expected FROM=TO"))
        })
        .collect::<Result<_>>()?;
    let mut rdr =
        csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let headers = rdr
        .headers()
        .with_context(|| format!("{}: reading the header", path.display()))?
        .clone();
    let find = |name: &str| {
        headers.iter().position(|h| h == name).with_context(|| {
            format!(
                "{}: no column {name:?} (columns: {})",
                path.display(),
                headers.iter().collect::<Vec<_>>().join(", ")
            )
        })
    };
    let (ti, li) = (find(text_col)?, find(label_col)?);
    let mut ex = Examples {
        texts: Vec::new(),
        labels: Vec::new(),
        skipped: 0,
    };
    for (i, rec) in rdr.records().enumerate() {
        let rec =
            rec.with_context(|| format!("{}: record {}: malformed CSV", path.display(), i + 1))?;
        let raw = rec.get(li).unwrap_or("").trim();
        let label = label_map.get(raw).map_or(raw, String::as_str);
        if label.is_empty() || exclude.iter().any(|e| e == raw || e == label) {
            ex.skipped += 1;
            continue;
        }
        ex.texts.push(rec.get(ti).unwrap_or("").to_string());
        ex.labels.push(label.to_string());
    }
    if ex.texts.is_empty() {
        bail!(
            "{}: no labelled rows in column {label_col:?}",
            path.display()
        );
    }
    Ok(ex)
}

/// The evidence groups `auto` stands for: the rules' sentiment and cues,
/// and the model's touchpoints when there is a workspace model.
fn resolve_evidence(groups: &str, model: Option<&Model>) -> String {
    if groups.trim() == "auto" {
        if model.is_some() {
            "vader,cx,cues,touchpoints".to_string()
        } else {
            "vader,cx,cues".to_string()
        }
    } else {
        groups.to_string()
    }
}

fn evidence(groups: &str, model: Option<&Model>) -> Result<Option<RuleEvidence>> {
    let mut set = EvidenceSet {
        vader: false,
        cx: false,
        cues: false,
    };
    let mut touchpoints = false;
    for g in groups.split(',').map(str::trim).filter(|g| !g.is_empty()) {
        match g {
            "none" => {}
            "vader" => set.vader = true,
            "cx" => set.cx = true,
            "cues" => set.cues = true,
            "touchpoints" => touchpoints = true,
            other => bail!(
                "--evidence: unknown group {other:?} (use auto, or vader, cx, cues, touchpoints, none)"
            ),
        }
    }
    if !(set.vader || set.cx || set.cues || touchpoints) {
        return Ok(None);
    }
    let mut ev = RuleEvidence::new(set)?;
    if touchpoints {
        let model =
            model.context("--evidence touchpoints needs a workspace model (tce.toml in --dir)")?;
        ev = ev.with_touchpoints(model)?;
    }
    Ok(Some(ev))
}

fn dense_rows(ev: Option<&RuleEvidence>, texts: &[String]) -> Option<Vec<Vec<f32>>> {
    ev.map(|e| texts.iter().map(|t| e.compute(t)).collect())
}

fn train_config(seed: u64, prior_flattening: f32, ev: Option<&RuleEvidence>) -> TrainConfig {
    TrainConfig {
        seed,
        prior_flattening,
        dense_names: ev.map(RuleEvidence::names).unwrap_or_default(),
        ..TrainConfig::default()
    }
}

fn optional_model(ws: &Workspace) -> Result<Option<Model>> {
    if ws.model_path().exists() {
        Ok(Some(ws.model()?))
    } else {
        Ok(None)
    }
}

pub fn train(ws: &Workspace, args: &TrainArgs) -> Result<ExitCode> {
    crate::workspace::check_output(&args.out, "--out")?;
    let model = optional_model(ws)?;
    let ex = read_examples(
        &args.input,
        &args.text_column,
        &args.label_column,
        &args.label_map,
        &args.exclude,
    )?;
    let groups = resolve_evidence(&args.evidence, model.as_ref());
    let ev = evidence(&groups, model.as_ref())?;
    let texts: Vec<&str> = ex.texts.iter().map(String::as_str).collect();
    let labels: Vec<&str> = ex.labels.iter().map(String::as_str).collect();
    let dense = dense_rows(ev.as_ref(), &ex.texts);
    let started = std::time::Instant::now();
    let clf = Classifier::train(
        &texts,
        &labels,
        dense.as_deref(),
        &train_config(args.seed, args.prior_flattening, ev.as_ref()),
    )?;
    let mut out = BufWriter::new(
        File::create(&args.out).with_context(|| format!("creating {}", args.out.display()))?,
    );
    clf.save(&mut out)?;
    out.flush()?;
    println!(
        "trained on {} examples ({} skipped) in {:.1}s: {} classes [{}]; saved {}",
        ex.texts.len(),
        ex.skipped,
        started.elapsed().as_secs_f64(),
        clf.labels().len(),
        clf.labels().join(", "),
        args.out.display()
    );
    println!("use it in enrichment with [classifiers] in tce.toml, or check it with `tce eval --classifier {}`", args.out.display());
    Ok(ExitCode::SUCCESS)
}

fn load_classifier(
    path: &Path,
    model: Option<&Model>,
) -> Result<(Classifier, Option<RuleEvidence>)> {
    let mut r =
        BufReader::new(File::open(path).with_context(|| format!("opening {}", path.display()))?);
    let clf = Classifier::load(&mut r)
        .with_context(|| format!("reading classifier {}", path.display()))?;
    let names: Vec<String> = clf.dense_names().map(str::to_string).collect();
    let ev = if names.is_empty() {
        None
    } else {
        Some(RuleEvidence::from_names(&names, model)?)
    };
    Ok((clf, ev))
}

pub fn eval(ws: &Workspace, args: &EvalArgs) -> Result<ExitCode> {
    let ex = read_examples(
        &args.input,
        &args.text_column,
        &args.label_column,
        &args.label_map,
        &args.exclude,
    )?;
    let model = optional_model(ws)?;
    let mut folds_out = Vec::new();
    let (predicted, what): (Vec<String>, String) = if let Some(k) = args.cv {
        if k < 2 {
            bail!("--cv needs at least 2 folds");
        }
        let groups = resolve_evidence(&args.evidence, model.as_ref());
        let ev = evidence(&groups, model.as_ref())?;
        let dense = dense_rows(ev.as_ref(), &ex.texts);
        let folds = stratified_folds(&ex.labels, k, args.seed);
        let mut predicted = vec![String::new(); ex.texts.len()];
        for f in 0..k {
            let train: Vec<usize> = (0..ex.texts.len()).filter(|&i| folds[i] != f).collect();
            let test: Vec<usize> = (0..ex.texts.len()).filter(|&i| folds[i] == f).collect();
            let texts: Vec<&str> = train.iter().map(|&i| ex.texts[i].as_str()).collect();
            let labels: Vec<&str> = train.iter().map(|&i| ex.labels[i].as_str()).collect();
            let d: Option<Vec<Vec<f32>>> = dense
                .as_ref()
                .map(|d| train.iter().map(|&i| d[i].clone()).collect());
            let clf = Classifier::train(
                &texts,
                &labels,
                d.as_deref(),
                &train_config(args.seed, args.prior_flattening, ev.as_ref()),
            )?;
            let mut gold = Vec::new();
            let mut pred = Vec::new();
            for &i in &test {
                let p = clf.predict(&ex.texts[i], dense.as_ref().map(|d| d[i].as_slice()))?;
                predicted[i] = p.label.clone();
                gold.push(ex.labels[i].clone());
                pred.push(p.label);
            }
            let e = Evaluation::new(&gold, &pred);
            eprintln!(
                "fold {}/{k}: accuracy {:.4}  macro-F1 {:.4}  ({} examples)",
                f + 1,
                e.accuracy,
                e.macro_f1,
                test.len()
            );
            folds_out.push(serde_json::json!({"fold": f + 1, "n": test.len(), "accuracy": e.accuracy, "macro_f1": e.macro_f1}));
        }
        (
            predicted,
            format!("{k}-fold cross-validation of a classifier trained with evidence {groups}"),
        )
    } else if let Some(path) = &args.classifier {
        let (clf, ev) = load_classifier(path, model.as_ref())?;
        let mut out = Vec::with_capacity(ex.texts.len());
        for t in &ex.texts {
            let d = ev.as_ref().map(|e| e.compute(t));
            out.push(clf.predict(t, d.as_deref())?.label);
        }
        (out, format!("classifier {}", path.display()))
    } else {
        let engine: tce_text::enrich::Engine = args
            .engine
            .parse()
            .map_err(|e| anyhow::anyhow!("--engine: {e}"))?;
        match args.task.as_str() {
            "sentiment" => {
                let vader = tce_text::vader::Vader::new();
                let cx = tce_text::cx::CxSentiment::new();
                let out = ex
                    .texts
                    .iter()
                    .map(|t| {
                        let label = match engine {
                            tce_text::enrich::Engine::Vader => {
                                SentimentLabel::from_compound(vader.polarity_scores(t).compound)
                            }
                            tce_text::enrich::Engine::Cx => {
                                tce_text::cx::CxSentiment::label(cx.scores(t).compound)
                            }
                        };
                        label.as_str().to_string()
                    })
                    .collect();
                (out, format!("{engine} rules"))
            }
            "touchpoint" => {
                let model = model.context(
                    "--task touchpoint with rules needs a workspace model (tce.toml in --dir)",
                )?;
                let enricher = tce_text::enrich::Enricher::with_engine(&model, engine)?;
                let out = ex
                    .texts
                    .iter()
                    .map(|t| {
                        let signal = Signal {
                            text: t.clone(),
                            ..placeholder_signal()
                        };
                        let e = enricher.enrich(&signal);
                        e.touchpoints
                            .iter()
                            .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
                            .map_or_else(|| "none".to_string(), |m| m.touchpoint.clone())
                    })
                    .collect();
                (
                    out,
                    format!("touchpoint rules of the model {:?}", model.name),
                )
            }
            other => bail!("--task {other:?}: use sentiment or touchpoint"),
        }
    };
    let e = Evaluation::new(&ex.labels, &predicted);
    if args.json {
        let mut v = serde_json::to_value(&e)?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("n".into(), ex.texts.len().into());
            obj.insert("skipped".into(), ex.skipped.into());
            obj.insert("evaluated".into(), what.into());
            if !folds_out.is_empty() {
                obj.insert("folds".into(), folds_out.into());
            }
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "{what}: {} examples ({} rows skipped: empty or excluded label)",
            ex.texts.len(),
            ex.skipped
        );
        print!("{e}");
    }
    Ok(ExitCode::SUCCESS)
}

fn placeholder_signal() -> Signal {
    Signal {
        channel: String::new(),
        external_id: String::new(),
        brand: None,
        author: None,
        author_followers: None,
        created_at: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
        text: String::new(),
        rating: None,
        stage_ratings: Vec::new(),
        in_reply_to: None,
        url: None,
        lang: None,
    }
}
