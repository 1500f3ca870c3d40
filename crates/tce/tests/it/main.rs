//! End-to-end tests of the `tce` binary: what a user types and sees.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod advocacy;
mod alerts;
mod analysis;
mod assess;
mod care;
mod cli_output;
mod crash;
mod webhooks;

fn tce(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tce"))
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env_remove("TCE_DIR")
        .output()
        .expect("run tce")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: Output) -> Output {
    assert!(
        o.status.success(),
        "tce failed: {}\n{}",
        stdout(&o),
        stderr(&o)
    );
    o
}

/// `shared/data` beside the repository, or beside the folder of worktrees.
fn shared_data() -> PathBuf {
    // The nearest ancestor with `shared/data`: the repository's parent for a
    // checkout, further up for a nested worktree.
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let p = crate_dir
        .ancestors()
        .map(|a| a.join("shared/data"))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| crate_dir.join("../../../shared/data"));
    assert!(
        p.is_dir(),
        "evaluation data not found at {} (../shared beside the repo)",
        p.display()
    );
    p
}

fn workspace(template: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(tce(dir.path(), &["init", "--template", template]));
    dir
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

#[test]
fn init_writes_a_model_that_checks_for_every_template() {
    for t in [
        "airline",
        "credit_card",
        "mobile_telecom",
        "city_visit",
        "b2b_it",
    ] {
        let dir = workspace(t);
        let out = ok(tce(dir.path(), &["model", "check"]));
        assert!(
            stdout(&out).contains("ok — 6 stages"),
            "{t}: {}",
            stdout(&out)
        );
    }
    let dir = workspace("airline");
    let again = tce(dir.path(), &["init", "--template", "airline"]);
    assert!(!again.status.success() && stderr(&again).contains("already exists"));
    let unknown = tce(dir.path(), &["init", "--template", "bakery", "--force"]);
    assert!(stderr(&unknown).contains("unknown template \"bakery\" (available: airline,"));
}

#[test]
fn broken_model_is_reported_with_line_and_field() {
    let dir = workspace("airline");
    let path = dir.path().join("tce.toml");
    let src = std::fs::read_to_string(&path).unwrap();
    let broken = src.replacen("stage = \"operations\"", "stage = \"operashuns\"", 1);
    let line = broken
        .lines()
        .position(|l| l.contains("operashuns"))
        .unwrap()
        + 1;
    std::fs::write(&path, broken).unwrap();
    let out = tce(dir.path(), &["model", "check"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(&format!("tce.toml:{line}: touchpoints[")),
        "{err}"
    );
    assert!(
        err.contains("].stage: unknown stage \"operashuns\": did you mean \"operations\"?"),
        "{err}"
    );

    std::fs::write(&path, "[[stages]\nid = 1").unwrap();
    let out = tce(dir.path(), &["model", "check"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("tce.toml:1:"), "{}", stderr(&out));
}

#[test]
fn real_payloads_ingest_without_rejects_and_twice_adds_nothing() {
    let dir = workspace("airline");
    let data = shared_data().join("payloads");
    let mut files: Vec<String> = Vec::new();
    for sub in ["twitter_v2", "reddit"] {
        for e in std::fs::read_dir(data.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                files.push(p.display().to_string());
            }
        }
    }
    assert!(files.len() >= 9, "{files:?}");
    let mut args = vec!["ingest", "--json"];
    args.extend(files.iter().map(String::as_str));
    let first = json(&ok(tce(dir.path(), &args)));
    assert_eq!(first["rejected"], 0, "{first:#}");
    let accepted = first["accepted"].as_u64().unwrap();
    assert!(accepted > 50, "{first:#}");
    for f in first["files"].as_array().unwrap() {
        assert!(
            f["accepted"].as_u64().unwrap() + f["duplicates"].as_u64().unwrap() > 0,
            "{f:#}"
        );
    }

    let second = json(&ok(tce(dir.path(), &args)));
    assert_eq!(second["accepted"], 0);
    assert_eq!(
        second["duplicates"].as_u64().unwrap(),
        accepted + first["duplicates"].as_u64().unwrap()
    );

    let stats = json(&ok(tce(dir.path(), &["stats", "--json"])));
    assert_eq!(stats["signals"].as_u64().unwrap(), accepted);
    assert!(stats["by_channel"]["x"].as_u64().unwrap() > 0);
    assert!(stats["by_channel"]["reddit"].as_u64().unwrap() > 0);
}

#[test]
fn bad_records_are_rejected_with_reasons_and_good_ones_land() {
    let dir = workspace("airline");
    let input = dir.path().join("mixed.jsonl");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(br#"{"id":"1","channel":"x","text":"flight delayed again @SkyWayAir","created_at":"2026-03-01T10:00:00Z"}"#);
    bytes.extend_from_slice(b"\n{\"id\":\"2\",\"channel\":\"x\",\"text\":\"bro\xffken\",\"created_at\":\"2026-03-01T10:00:00Z\"}\n");
    bytes.extend_from_slice(
        br#"{"id":"3","channel":"pigeon","text":"hello","created_at":"2026-03-01T10:00:00Z"}"#,
    );
    bytes.extend_from_slice(b"\n");
    bytes.extend_from_slice(
        br#"{"id":"4","channel":"x","text":"","created_at":"2026-03-01T10:00:00Z"}"#,
    );
    bytes.extend_from_slice(b"\n{not json\n");
    bytes.extend_from_slice(br#"{"id":"5","channel":"x","text":"late","created_at":"yesterday"}"#);
    bytes.extend_from_slice(b"\n");
    bytes.extend_from_slice(br#"{"id":"6","channel":"tripadvisor","text":"lovely crew","created_at":"2026-03-02T10:00:00Z","rating":5,"rating_scale":"stars5","brand":"bluejet"}"#);
    bytes.extend_from_slice(b"\n");
    std::fs::write(&input, bytes).unwrap();
    let rejects = dir.path().join("rejects.jsonl");
    let out = ok(tce(
        dir.path(),
        &[
            "ingest",
            input.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ],
    ));
    assert!(
        stdout(&out).contains("total: 2 accepted, 0 duplicate, 5 rejected"),
        "{}",
        stdout(&out)
    );

    let rejected: Vec<serde_json::Value> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lines: Vec<u64> = rejected
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 3, 4, 5, 6]);
    for r in &rejected {
        assert!(r["file"].as_str().unwrap().ends_with("mixed.jsonl"));
        assert!(!r["reason"].as_str().unwrap().is_empty());
    }
    let reasons: Vec<String> = rejected
        .iter()
        .map(|r| r["reason"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(reasons[0].contains("utf-8"), "{reasons:?}");
    assert!(reasons[1].contains("channel"), "{reasons:?}");
    assert!(reasons[2].contains("text"), "{reasons:?}");
    assert!(reasons[4].contains("created_at"), "{reasons:?}");

    let strict = tce(dir.path(), &["ingest", "--strict", input.to_str().unwrap()]);
    assert_eq!(strict.status.code(), Some(3));
    let stats = json(&ok(tce(dir.path(), &["stats", "--json"])));
    assert_eq!(stats["signals"], 2);
    assert_eq!(
        stats["by_brand"]["skyway"], 1,
        "brand detected from the handle: {stats:#}"
    );
}

#[test]
fn csv_ingests_with_a_column_mapping() {
    let dir = workspace("airline");
    let csv = shared_data().join("twcs/sample.csv");
    let out = json(&ok(tce(
        dir.path(),
        &[
            "ingest",
            "--json",
            csv.to_str().unwrap(),
            "--map",
            "id=tweet_id",
            "--map",
            "text=text",
            "--map",
            "created_at=created_at",
            "--map",
            "author=author_id",
            "--map",
            "in_reply_to=in_response_to_tweet_id",
            "--set",
            "channel=x",
        ],
    )));
    assert_eq!(out["rejected"], 0, "{out:#}");
    assert!(out["accepted"].as_u64().unwrap() >= 90, "{out:#}");
    let missing = tce(
        dir.path(),
        &[
            "ingest",
            csv.to_str().unwrap(),
            "--map",
            "id=tweet_id",
            "--map",
            "text=body",
            "--set",
            "channel=x",
        ],
    );
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("body"), "{}", stderr(&missing));
}

#[test]
fn demo_generates_ingests_and_summarises() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo");
    let out = ok(tce(
        &ws,
        &["demo", "--signals", "4000", "--seed", "3", "--no-serve"],
    ));
    let text = stdout(&out);
    assert!(
        text.contains("by brand:") && text.contains("by channel:") && text.contains("by stage"),
        "{text}"
    );
    // The care counts of the ingest, and the queue the world leaves.
    assert!(
        text.contains("care: ") && text.contains("cases opened"),
        "{text}"
    );
    assert!(
        text.contains("open cases") && text.contains("first response p50"),
        "{text}"
    );
    for f in [
        "tce.toml",
        "tce.db",
        "truth.json",
        "labels.csv",
        "outcomes.csv",
    ] {
        assert!(ws.join(f).exists(), "{f} missing");
    }
    let stats = json(&ok(tce(&ws, &["stats", "--json"])));
    let n = stats["signals"].as_u64().unwrap();
    assert!((3000..=5000).contains(&n), "{n}");
    // The demo world ends yesterday (UTC), so its care queue is current and
    // nothing in it is later than now.
    let today = chrono::Utc::now().date_naive();
    let last = &stats["last"].as_str().unwrap()[..10];
    let yesterday = today.pred_opt().unwrap();
    assert!(
        [yesterday, yesterday.pred_opt().unwrap()]
            .iter()
            .any(|d| d.to_string() == last),
        "last signal {last}, today {today}"
    );
    assert_eq!(
        stats["by_brand"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum::<u64>(),
        n
    );
    assert_eq!(
        stats["by_channel"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum::<u64>(),
        n
    );
    assert!(
        stats["by_stage"].as_object().unwrap().len() == 6,
        "{stats:#}"
    );
    // The same seed rebuilds the same world (replacing it needs --force).
    ok(tce(
        &ws,
        &[
            "demo",
            "--signals",
            "4000",
            "--seed",
            "3",
            "--no-serve",
            "--force",
        ],
    ));
    let again = json(&ok(tce(&ws, &["stats", "--json"])));
    assert_eq!(again, stats);
}

#[test]
fn sentiment_scores_lines_as_json() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tce"))
        .args(["sentiment", "--engine", "vader"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"I love this airline!\nworst service ever\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["compound"].as_f64().unwrap() > 0.5);
    assert!(lines[1]["compound"].as_f64().unwrap() < -0.5);
}

#[test]
fn train_and_eval_report_the_figures() {
    let dir = workspace("airline");
    let csv = dir.path().join("labelled.csv");
    let mut rows = String::from("text,label\n");
    for i in 0..60 {
        rows.push_str(&format!(
            "\"flight delayed again, {i} hours waiting at the gate\",negative\n"
        ));
        rows.push_str(&format!(
            "\"lovely crew and a smooth flight number {i}\",positive\n"
        ));
    }
    std::fs::write(&csv, rows).unwrap();
    let model = dir.path().join("toy.model");
    let (c, m) = (csv.to_str().unwrap(), model.to_str().unwrap());
    ok(tce(
        dir.path(),
        &["train", "--input", c, "--label-column", "label", "--out", m],
    ));
    let e = json(&ok(tce(
        dir.path(),
        &[
            "eval",
            "--input",
            c,
            "--label-column",
            "label",
            "--classifier",
            m,
            "--json",
        ],
    )));
    assert_eq!(e["accuracy"], 1.0, "{e:#}");
    for key in ["macro_f1", "per_class", "confusion"] {
        assert!(e.get(key).is_some(), "{key} missing: {e:#}");
    }
    let rules = json(&ok(tce(
        dir.path(),
        &[
            "eval",
            "--input",
            c,
            "--label-column",
            "label",
            "--engine",
            "vader",
            "--json",
        ],
    )));
    assert_eq!(rules["confusion"]["labels"][0], "negative", "{rules:#}");
    let cv = json(&ok(tce(
        dir.path(),
        &[
            "eval",
            "--input",
            c,
            "--label-column",
            "label",
            "--cv",
            "3",
            "--json",
        ],
    )));
    assert_eq!(cv["folds"].as_array().unwrap().len(), 3);
    let missing = tce(
        dir.path(),
        &["eval", "--input", c, "--label-column", "stars"],
    );
    assert!(
        stderr(&missing).contains("no column \"stars\""),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn a_trained_sentiment_classifier_referenced_in_the_model_drives_enrichment() {
    let dir = workspace("airline");
    let csv = dir.path().join("made_up.csv");
    let mut rows = String::from("text,label\n");
    for i in 0..40 {
        rows.push_str(&format!(
            "zorb zorb day {i},positive\nblip blip day {i},negative\n"
        ));
    }
    std::fs::write(&csv, rows).unwrap();
    let trained = dir.path().join("toy.model");
    ok(tce(
        dir.path(),
        &[
            "train",
            "--input",
            csv.to_str().unwrap(),
            "--label-column",
            "label",
            "--out",
            trained.to_str().unwrap(),
        ],
    ));
    let model_path = dir.path().join("tce.toml");
    let mut model = std::fs::read_to_string(&model_path).unwrap();
    model.push_str("\n[classifiers]\nsentiment = \"toy.model\"\n");
    std::fs::write(&model_path, &model).unwrap();

    let input = dir.path().join("one.jsonl");
    std::fs::write(&input, "{\"id\":\"1\",\"channel\":\"x\",\"text\":\"zorb zorb day 99 @SkyWayAir\",\"created_at\":\"2026-03-01T10:00:00Z\"}\n").unwrap();
    ok(tce(dir.path(), &["ingest", input.to_str().unwrap()]));
    let scores = json(&ok(tce(
        dir.path(),
        &["score", "--by", "channel", "--json"],
    )));
    let row = &scores["rows"][0];
    assert_eq!(row["channel"], "x", "{scores:#}");
    assert_eq!(
        row["net_sentiment"], 100.0,
        "the rules alone call this text neutral: {scores:#}"
    );

    std::fs::write(&model_path, model.replace("toy.model", "missing.model")).unwrap();
    let out = tce(dir.path(), &["ingest", input.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("missing.model"), "{}", stderr(&out));
}

/// `tce eval --task intent` on a small file whose figures are computed by
/// hand, in the yes/no form and the multi-label form.
#[test]
fn intent_eval_reports_hand_computed_figures() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("intents.csv");
    // The rules: 1 and 2 are suggestions, 3 is a question, 4 and 5 neither.
    std::fs::write(
        &csv,
        "text,sugg,intents\n\
         Please add a dark mode to the app.,yes,suggestion\n\
         You should offer a family plan.,1,suggestion;praise\n\
         What time does the pool open?,0,question\n\
         The room was clean.,true,\n\
         We landed on time.,no,none\n",
    )
    .unwrap();
    let c = csv.to_str().unwrap();
    let one = json(&ok(tce(
        dir.path(),
        &[
            "eval",
            "--task",
            "intent",
            "--intent",
            "suggestion",
            "--input",
            c,
            "--label-column",
            "sugg",
            "--json",
        ],
    )));
    // suggestion: gold rows 1, 2, 4; predicted 1, 2 → P 1, R 2/3, F1 0.8.
    let m = &one["intents"][0];
    assert_eq!(m["intent"], "suggestion", "{one:#}");
    assert_eq!(m["precision"], 1.0, "{one:#}");
    assert!(
        (m["recall"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9,
        "{one:#}"
    );
    assert!((m["f1"].as_f64().unwrap() - 0.8).abs() < 1e-9, "{one:#}");
    assert_eq!(m["support"], 3);
    assert_eq!(one["n"], 5);

    let multi = json(&ok(tce(
        dir.path(),
        &[
            "eval",
            "--task",
            "intent",
            "--input",
            c,
            "--label-column",
            "intents",
            "--json",
        ],
    )));
    let by = |id: &str| {
        multi["intents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["intent"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} missing: {multi:#}"))
    };
    // suggestion: gold 1, 2; predicted 1, 2 → 1/1/1. question: gold 3,
    // predicted 3 → 1/1/1. praise: gold 2, predicted 4, 5 → 0/0/0.
    assert_eq!(by("suggestion")["f1"], 1.0, "{multi:#}");
    assert_eq!(by("question")["f1"], 1.0, "{multi:#}");
    assert_eq!(
        (
            by("praise")["recall"].clone(),
            by("praise")["support"].clone()
        ),
        (0.0.into(), 1.into())
    );
    assert_eq!(by("praise")["predicted"], 2, "{multi:#}");
    // micro: tp 3, predicted 5, gold 4 → P 3/5, R 3/4, F1 2/3; macro F1
    // (0 + 1 + 1) / 3.
    let close = |v: &serde_json::Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-9;
    assert!(close(&multi["micro"]["precision"], 0.6), "{multi:#}");
    assert!(close(&multi["micro"]["recall"], 0.75), "{multi:#}");
    assert!(close(&multi["micro"]["f1"], 2.0 / 3.0), "{multi:#}");
    assert!(close(&multi["macro"]["f1"], 2.0 / 3.0), "{multi:#}");
    let text = stdout(&ok(tce(
        dir.path(),
        &[
            "eval",
            "--task",
            "intent",
            "--input",
            c,
            "--label-column",
            "intents",
        ],
    )));
    assert!(
        text.contains("micro avg") && text.contains("suggestion "),
        "{text}"
    );
}

#[test]
fn intent_eval_rejects_bad_gold_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bad.csv");
    std::fs::write(
        &csv,
        "text,sugg,intents\nAdd a dark mode.,1,suggestion\n\"Two\nlines\",maybe,sugestion\n",
    )
    .unwrap();
    let c = csv.to_str().unwrap();
    let yes_no = tce(
        dir.path(),
        &[
            "eval",
            "--task",
            "intent",
            "--intent",
            "suggestion",
            "--input",
            c,
            "--label-column",
            "sugg",
        ],
    );
    assert!(!yes_no.status.success());
    let err = stderr(&yes_no);
    assert!(
        err.contains(&format!("{c}:3: sugg \"maybe\" is not a yes/no label")),
        "{err}"
    );
    let multi = tce(
        dir.path(),
        &[
            "eval",
            "--task",
            "intent",
            "--input",
            c,
            "--label-column",
            "intents",
        ],
    );
    let err = stderr(&multi);
    assert!(
        !multi.status.success()
            && err.contains(&format!("{c}:3: intents: unknown intent \"sugestion\"")),
        "{err}"
    );
    let unknown = tce(
        dir.path(),
        &[
            "eval",
            "--task",
            "intent",
            "--intent",
            "idea",
            "--input",
            c,
            "--label-column",
            "sugg",
        ],
    );
    assert!(
        stderr(&unknown).contains("--intent \"idea\""),
        "{}",
        stderr(&unknown)
    );
}

/// A yes/no suggestion model trained with `tce train` and named under
/// `[classifiers]` replaces the suggestion rule: it marks a sentence the
/// rules miss; `tce eval --classifier` and `--cv` score it.
#[test]
fn a_trained_suggestion_model_replaces_the_rule_in_enrichment() {
    let dir = workspace("airline");
    let csv = dir.path().join("ideas.csv");
    let mut rows = String::from("text,is_suggestion\n");
    for i in 0..40 {
        rows.push_str(&format!("zorb the lounge {i},1\nblip the lounge {i},0\n"));
    }
    std::fs::write(&csv, rows).unwrap();
    let c = csv.to_str().unwrap();
    let trained = dir.path().join("suggestion.model");
    ok(tce(
        dir.path(),
        &[
            "train",
            "--input",
            c,
            "--label-column",
            "is_suggestion",
            "--out",
            trained.to_str().unwrap(),
        ],
    ));
    let scored = json(&ok(tce(
        dir.path(),
        &[
            "eval",
            "--task",
            "intent",
            "--intent",
            "suggestion",
            "--input",
            c,
            "--label-column",
            "is_suggestion",
            "--classifier",
            trained.to_str().unwrap(),
            "--json",
        ],
    )));
    assert_eq!(scored["intents"][0]["f1"], 1.0, "{scored:#}");
    let cv = json(&ok(tce(
        dir.path(),
        &[
            "eval",
            "--task",
            "intent",
            "--intent",
            "suggestion",
            "--input",
            c,
            "--label-column",
            "is_suggestion",
            "--cv",
            "3",
            "--json",
        ],
    )));
    assert_eq!(cv["folds"].as_array().unwrap().len(), 3, "{cv:#}");
    assert!(cv["intents"][0]["f1"].as_f64().unwrap() > 0.9, "{cv:#}");

    let signal = |id: &str| {
        format!("{{\"id\":\"{id}\",\"channel\":\"x\",\"text\":\"zorb the lounge 99 @SkyWayAir\",\"created_at\":\"2026-03-01T10:00:00Z\"}}\n")
    };
    let input = dir.path().join("one.jsonl");
    std::fs::write(&input, signal("1")).unwrap();
    ok(tce(dir.path(), &["ingest", input.to_str().unwrap()]));
    let model_path = dir.path().join("tce.toml");
    let mut model = std::fs::read_to_string(&model_path).unwrap();
    model.push_str("\n[classifiers]\nsuggestion = \"suggestion.model\"\n");
    std::fs::write(&model_path, &model).unwrap();
    std::fs::write(&input, signal("2")).unwrap();
    ok(tce(dir.path(), &["ingest", input.to_str().unwrap()]));
    let out = dir.path().join("signals.csv");
    ok(tce(
        dir.path(),
        &["export", "signals", "--out", out.to_str().unwrap()],
    ));
    let mut rdr = csv::Reader::from_path(&out).unwrap();
    let col = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "intents")
        .unwrap();
    let idc = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "external_id")
        .unwrap();
    let mut by_id: Vec<(String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[idc].to_string(), r[col].to_string())
        })
        .collect();
    by_id.sort();
    assert_eq!(by_id.len(), 2, "{by_id:?}");
    assert!(
        !by_id[0].1.contains("suggestion"),
        "the rules alone: {by_id:?}"
    );
    assert!(
        by_id[1].1.contains("suggestion:"),
        "with the model: {by_id:?}"
    );

    std::fs::write(&model_path, model.replace("suggestion = ", "sugestion = ")).unwrap();
    let bad = tce(dir.path(), &["ingest", input.to_str().unwrap()]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("sugestion"), "{}", stderr(&bad));
}

#[test]
fn purge_deletes_old_signals_only_when_told() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo");
    ok(tce(
        &ws,
        &["demo", "--signals", "3000", "--seed", "5", "--no-serve"],
    ));
    let before = json(&ok(tce(&ws, &["stats", "--json"])));
    let first = before["first"].as_str().unwrap()[..10].to_string();
    let last = before["last"].as_str().unwrap()[..10].to_string();
    assert!(first < last, "{before}");
    // The middle of the range.
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let cutoff = day(&first) + (day(&last) - day(&first)) / 2;
    let cutoff = cutoff.to_string();

    let dry = stdout(&ok(tce(&ws, &["purge", "--before", &cutoff])));
    assert!(dry.contains("--yes"), "{dry}");
    assert_eq!(
        json(&ok(tce(&ws, &["stats", "--json"])))["signals"],
        before["signals"]
    );

    let done = json(&ok(tce(
        &ws,
        &["purge", "--before", &cutoff, "--yes", "--json"],
    )));
    let after = json(&ok(tce(&ws, &["stats", "--json"])));
    let purged = done["signals"].as_u64().unwrap();
    assert!(purged > 0);
    assert!(
        dry.contains(&format!("would delete {purged} signals")),
        "{dry}"
    );
    // `stats` counts customer signals; the purge also deletes the brand
    // replies stored for care threads (never counted as customer signals).
    let (before_n, after_n) = (
        before["signals"].as_u64().unwrap(),
        after["signals"].as_u64().unwrap(),
    );
    assert!(after_n < before_n && after_n + purged >= before_n, "{done}");
    assert!(done["cases"].as_u64().unwrap() > 0, "{done}");
    assert!(
        after["first"].as_str().unwrap()[..10] >= *cutoff.as_str(),
        "{after}"
    );
    // Scores still work on what is left.
    ok(tce(&ws, &["score", "--by", "brand"]));

    let bad = tce(&ws, &["purge", "--before", "last tuesday", "--yes"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("YYYY-MM-DD"), "{}", stderr(&bad));
}

#[test]
fn pseudonymized_authors_are_stable_and_the_handles_are_not_kept() {
    let dir = workspace("airline");
    let toml = dir.path().join("tce.toml");
    let mut model = std::fs::read_to_string(&toml).unwrap();
    model.push_str("\n[privacy]\npseudonymize_authors = true\n");
    std::fs::write(&toml, model).unwrap();
    let record = |id: &str, author: &str| {
        serde_json::json!({"id": id, "channel": "x", "text": "bag lost again",
            "created_at": "2026-05-01T10:00:00Z", "author": author})
        .to_string()
    };
    let first = dir.path().join("first.jsonl");
    std::fs::write(
        &first,
        [record("1", "@JaneDoe"), record("2", "bob_b")].join("\n"),
    )
    .unwrap();
    let second = dir.path().join("second.jsonl");
    std::fs::write(&second, record("3", "janedoe")).unwrap();
    // Two processes: the key is kept in the workspace, so pseudonyms agree.
    ok(tce(dir.path(), &["ingest", first.to_str().unwrap()]));
    ok(tce(dir.path(), &["ingest", second.to_str().unwrap()]));

    let store = tce_store::SqliteStore::open(&dir.path().join("tce.db")).unwrap();
    let authors: Vec<String> = store
        .connection()
        .prepare("SELECT author FROM signals ORDER BY external_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(authors.len(), 3);
    assert!(
        authors.iter().all(|a| a.starts_with("anon-")),
        "{authors:?}"
    );
    assert_eq!(
        authors[0], authors[2],
        "the same author, the same pseudonym"
    );
    assert_ne!(authors[0], authors[1]);
    let mut bytes = std::fs::read(dir.path().join("tce.db")).unwrap();
    bytes.extend(std::fs::read(dir.path().join("tce.db-wal")).unwrap_or_default());
    let text = String::from_utf8_lossy(&bytes).to_lowercase();
    assert!(
        !text.contains("janedoe") && !text.contains("bob_b"),
        "a handle was stored"
    );
}
