//! `tce assess`: answers files, levels, contradictions, roadmap, history,
//! the answers template, refusals with file, line and field, and the
//! interactive flow driven in a pseudo-terminal.

use crate::{json, ok, stderr, stdout, tce, workspace};
use std::path::Path;
use std::process::Command;

/// A disciplines answers file: item → answer, in file order.
fn disciplines(answers: &[(&str, &str)]) -> String {
    answers
        .iter()
        .map(|(item, a)| format!("[disciplines.{item}]\nanswer = \"{a}\"\n\n"))
        .collect()
}

const EXPECTED: [(&str, &str); 12] = [
    ("strategy_intended_experience", "ad hoc"),
    ("strategy_shared", "systematic"),
    ("understanding_channels", "systematic"),
    ("understanding_current", "repeatable"),
    ("design_from_feedback", "undeveloped"),
    ("design_whole_journey", "undeveloped"),
    ("measurement_drivers", "systematic"),
    ("measurement_money", "systematic"),
    ("governance_ownership", "repeatable"),
    ("governance_response", "systematic"),
    ("culture_everyone", "systematic"),
    ("culture_openness", "systematic"),
];

fn levels(report: &serde_json::Value) -> Vec<(String, String)> {
    report["instruments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["areas"].as_array().unwrap())
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["level"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn an_answers_file_gives_the_level_of_every_area_and_a_roadmap_in_the_seeds_order() {
    let dir = workspace("airline");
    let file = dir.path().join("answers.toml");
    std::fs::write(&file, disciplines(&EXPECTED)).unwrap();
    let out = ok(tce(
        dir.path(),
        &[
            "assess",
            "--answers",
            file.to_str().unwrap(),
            "--date",
            "2026-09-01",
        ],
    ));
    assert!(stdout(&out).contains("kept as assessment 1 of 2026-09-01"));
    let report = json(&ok(tce(dir.path(), &["assess", "report", "--json"])));
    // The lower median of each area's two answers.
    let want: Vec<(String, String)> = [
        ("strategy", "ad hoc"),
        ("customer_understanding", "repeatable"),
        ("design", "undeveloped"),
        ("measurement", "systematic"),
        ("governance", "repeatable"),
        ("culture", "systematic"),
    ]
    .iter()
    .map(|(a, l)| (a.to_string(), l.to_string()))
    .collect();
    assert_eq!(levels(&report), want);
    // An empty workspace contradicts "systematic" measurement.
    let measurement = &report["instruments"][0]["areas"][3];
    let contradictions = measurement["contradictions"].as_array().unwrap();
    assert!(
        contradictions.iter().any(|c| c["text"]
            .as_str()
            .unwrap()
            .contains("0 of 6 stage weights are derived")),
        "{contradictions:?}"
    );
    // The roadmap: steps numbered from 1, phases in the seeds' order.
    let roadmap = report["roadmap"].as_array().unwrap();
    assert!(!roadmap.is_empty());
    let order = [
        "support",
        "product_development",
        "logistics_procurement",
        "sales_marketing",
    ];
    let phases: Vec<usize> = roadmap
        .iter()
        .map(|s| {
            order
                .iter()
                .position(|p| *p == s["phase"].as_str().unwrap())
                .unwrap()
        })
        .collect();
    assert!(phases.windows(2).all(|w| w[0] <= w[1]), "{phases:?}");
    for (i, s) in roadmap.iter().enumerate() {
        assert_eq!(s["step"], i + 1);
        for key in ["area", "capability", "metric", "current", "target"] {
            assert!(s.get(key).is_some(), "step without {key}: {s}");
        }
    }
    let first = &roadmap[0];
    assert_eq!(first["phase"], "support");
}

#[test]
fn every_assessment_is_kept_in_the_history() {
    let dir = workspace("airline");
    let file = dir.path().join("answers.toml");
    std::fs::write(&file, disciplines(&EXPECTED)).unwrap();
    for date in ["2026-08-01", "2026-09-01", "2026-10-01"] {
        ok(tce(
            dir.path(),
            &[
                "assess",
                "--answers",
                file.to_str().unwrap(),
                "--date",
                date,
            ],
        ));
    }
    let h = json(&ok(tce(dir.path(), &["assess", "history", "--json"])));
    let dates: Vec<&str> = h["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, vec!["2026-08-01", "2026-09-01", "2026-10-01"]);
    let strategy = h["trend"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["area"] == "strategy")
        .unwrap();
    assert_eq!(strategy["points"].as_array().unwrap().len(), 3);
    let text = stdout(&ok(tce(dir.path(), &["assess", "history"])));
    assert!(
        text.contains(
            "disciplines.strategy: 2026-08-01 ad hoc → 2026-09-01 ad hoc → 2026-10-01 ad hoc"
        ),
        "{text}"
    );
}

#[test]
fn a_malformed_answers_file_is_refused_with_file_line_and_field() {
    let dir = workspace("airline");
    let file = dir.path().join("bad.toml");
    let mut answers = EXPECTED.to_vec();
    answers[1] = ("strategy_shared", "sistematic");
    std::fs::write(&file, disciplines(&answers)).unwrap();
    let out = tce(dir.path(), &["assess", "--answers", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("bad.toml:5: disciplines.strategy_shared.answer: \"sistematic\" is not one of the choices: did you mean \"systematic\"?"),
        "{err}"
    );
    std::fs::write(
        &file,
        "[disciplines.strategy_intended_experience]\nanswer = 3\n",
    )
    .unwrap();
    let err = stderr(&tce(
        dir.path(),
        &["assess", "--answers", file.to_str().unwrap()],
    ));
    assert!(
        err.contains(
            "bad.toml:2: disciplines.strategy_intended_experience.answer: expected a string"
        ),
        "{err}"
    );
    // Nothing was kept.
    let h = json(&ok(tce(dir.path(), &["assess", "history", "--json"])));
    assert_eq!(h["assessments"].as_array().unwrap().len(), 0);
}

#[test]
fn the_template_lists_every_item_and_reads_back_once_answered() {
    let dir = workspace("airline");
    let t = stdout(&ok(tce(
        dir.path(),
        &["assess", "template", "--instrument", "readiness"],
    )));
    assert_eq!(t.matches("answer = \"\"").count(), 6, "{t}");
    assert!(t.contains("choices = [\n    \"not yet\", # not yet\n    \"partly\", # partly\n    \"solid\", # solid\n]"));
    let file = dir.path().join("a.toml");
    std::fs::write(&file, t.replace("answer = \"\"", "answer = \"Partly \"")).unwrap();
    let out = json(&ok(tce(
        dir.path(),
        &["assess", "--answers", file.to_str().unwrap(), "--json"],
    )));
    assert!(levels(&out).iter().all(|(_, l)| l == "partly"));
    let unknown = tce(
        dir.path(),
        &["assess", "template", "--instrument", "readines"],
    );
    assert!(stderr(&unknown).contains("did you mean \"readiness\"?"));
}

#[test]
fn without_a_terminal_the_interactive_assessment_points_to_answers_files() {
    let dir = workspace("airline");
    let out = tce(dir.path(), &["assess"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("tce assess --answers"),
        "{}",
        stderr(&out)
    );
}

fn pty(dir: &Path, args: &[&str]) -> rexpect::session::PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tce"));
    cmd.arg("--dir")
        .arg(dir)
        .args(args)
        .env_remove("TCE_DIR")
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    rexpect::session::spawn_command(cmd, Some(20_000)).expect("spawn in a pty")
}

/// Types keys one at a time, as a person would, once the prompt is drawn.
fn keys(p: &mut rexpect::session::PtySession, keys: &str) {
    for k in keys.chars() {
        std::thread::sleep(std::time::Duration::from_millis(150));
        p.send(&k.to_string()).unwrap();
        p.flush().unwrap();
    }
}

#[test]
fn the_interactive_assessment_runs_in_a_terminal_and_resumes_where_it_stopped() {
    let dir = workspace("airline");
    let args = [
        "assess",
        "--instrument",
        "readiness",
        "--date",
        "2026-09-01",
    ];
    let mut p = pty(dir.path(), &args);
    p.exp_string("[1/6]").unwrap();
    keys(&mut p, "jj\r"); // solid
    p.exp_string("[2/6]").unwrap();
    keys(&mut p, "j\r"); // partly
    p.exp_string("[3/6]").unwrap();
    keys(&mut p, "q"); // stop: saved
    p.exp_string("stopped: 2 of 6 answered").unwrap();
    p.exp_eof().unwrap();
    assert!(dir.path().join(".tce-assess-session.json").exists());

    let mut p = pty(dir.path(), &args);
    p.exp_string("Resume the interrupted assessment (2 of 6 answered)?")
        .unwrap();
    keys(&mut p, "y");
    for n in 3..=6 {
        p.exp_string(&format!("[{n}/6]")).unwrap();
        keys(&mut p, "\r"); // not yet
    }
    p.exp_string("kept as assessment 1 of 2026-09-01").unwrap();
    p.exp_eof().unwrap();
    assert!(!dir.path().join(".tce-assess-session.json").exists());

    let report = json(&ok(tce(dir.path(), &["assess", "report", "--json"])));
    let got: Vec<String> = levels(&report).into_iter().map(|(_, l)| l).collect();
    assert_eq!(
        got,
        vec!["solid", "partly", "not yet", "not yet", "not yet", "not yet"]
    );
}
