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
use tce_model::{Intent, Model, SentimentLabel, Signal};
use tce_text::classify::evidence::{EvidenceSet, RuleEvidence};
use tce_text::classify::{stratified_folds, Classifier, TrainConfig};
use tce_text::intent;
use tce_text::metrics::{Evaluation, IntentEvaluation};

/// Labelled examples read from a CSV file.
struct Examples {
    texts: Vec<String>,
    labels: Vec<String>,
    /// The file line of each example (for errors about its label).
    lines: Vec<u64>,
    skipped: usize,
}

fn read_examples(
    path: &Path,
    text_col: &str,
    label_col: &str,
    map: &[String],
    exclude: &[String],
    keep_empty: bool,
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
        lines: Vec::new(),
        skipped: 0,
    };
    for (i, rec) in rdr.records().enumerate() {
        let rec =
            rec.with_context(|| format!("{}: record {}: malformed CSV", path.display(), i + 1))?;
        let raw = rec.get(li).unwrap_or("").trim();
        let label = label_map.get(raw).map_or(raw, String::as_str);
        if (label.is_empty() && !keep_empty) || exclude.iter().any(|e| e == raw || e == label) {
            ex.skipped += 1;
            continue;
        }
        ex.texts.push(rec.get(ti).unwrap_or("").to_string());
        ex.labels.push(label.to_string());
        ex.lines.push(rec.position().map_or(0, csv::Position::line));
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
/// the model's touchpoints when there is a workspace model, and — for
/// yes/no labels, i.e. an intent model — the rule intents, so the model
/// stacks on the rules.
fn resolve_evidence(groups: &str, model: Option<&Model>, yes_no: bool) -> String {
    if groups.trim() == "auto" {
        let mut g = String::from("vader,cx,cues");
        if yes_no {
            g.push_str(",intents");
        }
        if model.is_some() {
            g.push_str(",touchpoints");
        }
        g
    } else {
        groups.to_string()
    }
}

/// Whether every label is yes/no (1/0, yes/no, true/false).
fn yes_no_labels(labels: &[String]) -> bool {
    labels.iter().all(|l| intent::parse_yes_no(l).is_some())
}

fn evidence(groups: &str, model: Option<&Model>) -> Result<Option<RuleEvidence>> {
    let mut set = EvidenceSet {
        vader: false,
        cx: false,
        cues: false,
        intents: false,
    };
    let mut touchpoints = false;
    for g in groups.split(',').map(str::trim).filter(|g| !g.is_empty()) {
        match g {
            "none" => {}
            "vader" => set.vader = true,
            "cx" => set.cx = true,
            "cues" => set.cues = true,
            "intents" => set.intents = true,
            "touchpoints" => touchpoints = true,
            other => bail!(
                "--evidence: unknown group {other:?} (use auto, or vader, cx, cues, intents, touchpoints, none)"
            ),
        }
    }
    if !(set.vader || set.cx || set.cues || set.intents || touchpoints) {
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
        false,
    )?;
    let groups = resolve_evidence(&args.evidence, model.as_ref(), yes_no_labels(&ex.labels));
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
    if args.task == "intent" {
        return eval_intents(ws, args);
    }
    if args.intent.is_some() {
        bail!("--intent goes with --task intent");
    }
    let ex = read_examples(
        &args.input,
        &args.text_column,
        &args.label_column,
        &args.label_map,
        &args.exclude,
        false,
    )?;
    let model = optional_model(ws)?;
    let mut folds_out = Vec::new();
    let (predicted, what): (Vec<String>, String) = if let Some(k) = args.cv {
        if k < 2 {
            bail!("--cv needs at least 2 folds");
        }
        let groups = resolve_evidence(&args.evidence, model.as_ref(), yes_no_labels(&ex.labels));
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
            other => bail!("--task {other:?}: use sentiment, touchpoint or intent"),
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

/// The intent ids of every intent, for error messages.
fn intent_ids() -> String {
    Intent::ALL.map(Intent::as_str).join(", ")
}

/// The gold intents of each example: with `only`, yes/no labels of that
/// intent; otherwise `;`-separated intent ids (empty or `none` = none).
/// A label that is neither is an error naming its file and line.
fn intent_gold(
    ex: &Examples,
    path: &Path,
    col: &str,
    only: Option<Intent>,
) -> Result<Vec<Vec<Intent>>> {
    let mut gold = Vec::with_capacity(ex.labels.len());
    for (label, line) in ex.labels.iter().zip(&ex.lines) {
        let at = format!("{}:{line}", path.display());
        let found = match only {
            Some(intent) => match intent::parse_yes_no(label) {
                Some(true) => vec![intent],
                Some(false) => Vec::new(),
                None => bail!(
                    "{at}: {col} {label:?} is not a yes/no label (use 1/0, yes/no or true/false)"
                ),
            },
            None => {
                let mut found = Vec::new();
                for id in label.split(';').map(str::trim) {
                    if id.is_empty() || id.eq_ignore_ascii_case("none") {
                        continue;
                    }
                    let Ok(i) = id.parse::<Intent>() else {
                        bail!(
                            "{at}: {col}: unknown intent {id:?} (intents: {}; separate several with ';')",
                            intent_ids()
                        );
                    };
                    if !found.contains(&i) {
                        found.push(i);
                    }
                }
                found
            }
        };
        gold.push(found);
    }
    Ok(gold)
}

/// `tce eval --task intent`: precision, recall and F1 per intent of the
/// rules, a trained classifier or k-fold cross-validated classifiers.
fn eval_intents(ws: &Workspace, args: &EvalArgs) -> Result<ExitCode> {
    let only = args
        .intent
        .as_deref()
        .map(|name| {
            name.trim()
                .parse::<Intent>()
                .map_err(|_| anyhow::anyhow!("--intent {name:?}: use one of {}", intent_ids()))
        })
        .transpose()?;
    let ex = read_examples(
        &args.input,
        &args.text_column,
        &args.label_column,
        &args.label_map,
        &args.exclude,
        only.is_none(),
    )?;
    let gold = intent_gold(&ex, &args.input, &args.label_column, only)?;
    let model = optional_model(ws)?;
    let mut folds_out = Vec::new();
    // The intents scored: the one asked for, or those of the gold (and,
    // for rules and a classifier, those predicted).
    let mut scored: Vec<Intent> = match only {
        Some(i) => vec![i],
        None => Intent::ALL
            .into_iter()
            .filter(|i| gold.iter().any(|g| g.contains(i)))
            .collect(),
    };
    let (predicted, what): (Vec<Vec<Intent>>, String) = if let Some(k) = args.cv {
        if k < 2 {
            bail!("--cv needs at least 2 folds");
        }
        if scored.is_empty() {
            bail!("{}: no row has an intent to learn", args.input.display());
        }
        let groups = resolve_evidence(&args.evidence, model.as_ref(), true);
        let ev = evidence(&groups, model.as_ref())?;
        let dense = dense_rows(ev.as_ref(), &ex.texts);
        let mut predicted = vec![Vec::new(); ex.texts.len()];
        // One yes/no classifier per intent, folds stratified on its labels.
        for &intent in &scored {
            let labels: Vec<&str> = gold
                .iter()
                .map(|g| if g.contains(&intent) { "1" } else { "0" })
                .collect();
            let folds = stratified_folds(&labels, k, args.seed);
            for f in 0..k {
                let train: Vec<usize> = (0..ex.texts.len()).filter(|&i| folds[i] != f).collect();
                let texts: Vec<&str> = train.iter().map(|&i| ex.texts[i].as_str()).collect();
                let y: Vec<&str> = train.iter().map(|&i| labels[i]).collect();
                let d: Option<Vec<Vec<f32>>> = dense
                    .as_ref()
                    .map(|d| train.iter().map(|&i| d[i].clone()).collect());
                let clf = Classifier::train(
                    &texts,
                    &y,
                    d.as_deref(),
                    &train_config(args.seed, args.prior_flattening, ev.as_ref()),
                )
                .with_context(|| format!("training {intent} on fold {}", f + 1))?;
                let (mut g, mut p) = (Vec::new(), Vec::new());
                for i in (0..ex.texts.len()).filter(|&i| folds[i] == f) {
                    let label = clf
                        .predict(&ex.texts[i], dense.as_ref().map(|d| d[i].as_slice()))?
                        .label;
                    let yes = intent::is_positive_label(&label, intent);
                    if yes {
                        predicted[i].push(intent);
                    }
                    let one = |on: bool| if on { vec![intent.as_str()] } else { vec![] };
                    g.push(one(labels[i] == "1"));
                    p.push(one(yes));
                }
                let e = IntentEvaluation::new(&[intent.as_str()], &g, &p);
                let m = e.intents.first().context("one intent scored")?;
                eprintln!(
                    "{intent} fold {}/{k}: precision {:.4}  recall {:.4}  F1 {:.4}  ({} examples)",
                    f + 1,
                    m.precision,
                    m.recall,
                    m.f1,
                    g.len()
                );
                folds_out.push(serde_json::json!({
                    "intent": intent.as_str(), "fold": f + 1, "n": g.len(),
                    "precision": m.precision, "recall": m.recall, "f1": m.f1,
                }));
            }
        }
        (
            predicted,
            format!("{k}-fold cross-validation of a yes/no classifier per intent trained with evidence {groups}"),
        )
    } else if let Some(path) = &args.classifier {
        let (clf, ev) = load_classifier(path, model.as_ref())?;
        let means = |label: &str| -> Option<Intent> {
            match only {
                Some(i) => intent::is_positive_label(label, i).then_some(i),
                None => label.trim().parse::<Intent>().ok(),
            }
        };
        if !clf.labels().iter().any(|l| means(l).is_some()) {
            bail!(
                "classifier {}: none of its labels ({}) {}",
                path.display(),
                clf.labels().join(", "),
                match only {
                    Some(i) => format!("means {i} (1, yes, true or {i})"),
                    None => format!(
                        "is an intent id (a yes/no classifier needs --intent NAME; intents: {})",
                        intent_ids()
                    ),
                }
            );
        }
        let mut out = Vec::with_capacity(ex.texts.len());
        for t in &ex.texts {
            let d = ev.as_ref().map(|e| e.compute(t));
            let label = clf.predict(t, d.as_deref())?.label;
            out.push(means(&label).into_iter().collect());
        }
        (out, format!("classifier {}", path.display()))
    } else {
        let engine: tce_text::enrich::Engine = args
            .engine
            .parse()
            .map_err(|e| anyhow::anyhow!("--engine: {e}"))?;
        let out = ex
            .texts
            .iter()
            .map(|t| intent::intents(t).into_iter().map(|s| s.intent).collect())
            .collect();
        // Intents always come from the CX analysis, whatever the engine.
        (
            out,
            format!("intent rules (cx analysis; --engine {engine})"),
        )
    };
    if only.is_none() {
        scored = Intent::ALL
            .into_iter()
            .filter(|i| scored.contains(i) || predicted.iter().any(|p: &Vec<Intent>| p.contains(i)))
            .collect();
    }
    let ids: Vec<&str> = scored.iter().map(|i| i.as_str()).collect();
    let as_ids = |rows: &[Vec<Intent>]| -> Vec<Vec<&'static str>> {
        rows.iter()
            .map(|r| r.iter().map(|i| i.as_str()).collect())
            .collect()
    };
    let e = IntentEvaluation::new(&ids, &as_ids(&gold), &as_ids(&predicted));
    if args.json {
        let mut v = serde_json::to_value(&e)?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("task".into(), "intent".into());
            obj.insert("skipped".into(), ex.skipped.into());
            obj.insert("evaluated".into(), what.into());
            if !folds_out.is_empty() {
                obj.insert("folds".into(), folds_out.into());
            }
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "{what}: {} examples ({} rows skipped: {})",
            ex.texts.len(),
            ex.skipped,
            if only.is_some() {
                "empty or excluded label"
            } else {
                "excluded label"
            }
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
