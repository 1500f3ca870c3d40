//! What the command line says and refuses: workspaces are never destroyed,
//! rejected records are clean lines, mistakes get a way to fix them.

use crate::{json, ok, stderr, stdout, tce, workspace};
use std::path::Path;

fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn demo_refuses_an_existing_workspace_and_leaves_it_unchanged() {
    let dir = workspace("credit_card");
    let posts = dir.path().join("posts.jsonl");
    std::fs::write(
        &posts,
        r#"{"id":"1","channel":"x","text":"my card was declined twice","created_at":"2026-03-01T10:00:00Z"}
"#,
    )
    .unwrap();
    ok(tce(dir.path(), &["ingest", posts.to_str().unwrap()]));
    let model = dir.path().join("tce.toml");
    let db = dir.path().join("tce.db");
    let (model_before, db_before) = (bytes(&model), bytes(&db));

    let out = tce(dir.path(), &["demo", "--signals", "300", "--no-serve"]);
    assert!(!out.status.success(), "{}", stdout(&out));
    let err = stderr(&out);
    for needle in [
        "already holds a workspace",
        "tce.toml",
        "tce.db",
        "airline template",
        "--force",
    ] {
        assert!(err.contains(needle), "{needle:?} missing in: {err}");
    }
    assert_eq!(bytes(&model), model_before, "tce.toml changed");
    assert_eq!(bytes(&db), db_before, "tce.db changed");
    let stats = json(&ok(tce(dir.path(), &["stats", "--json"])));
    assert_eq!(stats["signals"], 1);

    // Commands that write a file the user names refuse the workspace's own files.
    for args in [
        vec!["report", "--out"],
        vec!["export", "signals", "--out"],
        vec!["generate", "--signals", "10", "--out"],
    ] {
        for target in ["tce.db", "tce.toml"] {
            let path = dir.path().join(target);
            let mut full = args.clone();
            full.push(path.to_str().unwrap());
            let out = tce(dir.path(), &full);
            assert!(!out.status.success(), "{full:?} succeeded");
            assert!(
                stderr(&out).contains("refusing to write over"),
                "{full:?}: {}",
                stderr(&out)
            );
        }
    }
    let rejects = dir.path().join("tce.db");
    let out = tce(
        dir.path(),
        &[
            "ingest",
            posts.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert_eq!(bytes(&model), model_before);
    assert_eq!(bytes(&db), db_before);
    // Any other file may be overwritten.
    let report = dir.path().join("report.html");
    std::fs::write(&report, "old").unwrap();
    ok(tce(
        dir.path(),
        &["report", "--out", report.to_str().unwrap()],
    ));
    assert_ne!(bytes(&report), b"old");
}

#[test]
fn the_demo_imports_its_outcomes_so_finance_has_an_elasticity() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo");
    let out = ok(tce(
        &ws,
        &[
            "demo",
            "--signals",
            "4000",
            "--seed",
            "5",
            "--start",
            "2026-03-01",
            "--no-serve",
        ],
    ));
    assert!(
        stdout(&out).contains("outcome rows imported"),
        "{}",
        stdout(&out)
    );
    let finance = json(&ok(tce(&ws, &["finance", "--json"])));
    assert!(finance["observations"].as_u64().unwrap() > 0, "{finance:#}");
    let fitted = finance["fits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["elasticity"]["beta"].is_number());
    assert!(fitted, "no fitted elasticity: {finance:#}");
}

#[test]
fn rejected_records_are_clean_file_line_reason_lines_on_stderr() {
    let dir = workspace("airline");
    let input = dir.path().join("posts.jsonl");
    let mut text = String::from(
        r#"{"id":"ok","channel":"x","text":"lovely crew","created_at":"2026-03-01T10:00:00Z"}"#,
    );
    text.push('\n');
    for i in 0..24 {
        text.push_str(&format!(
            r#"{{"id":"{i}","channel":"x","text":"late","created_at":"yesterday"}}"#
        ));
        text.push('\n');
    }
    // A JSON error is located by the file's line, not "line 1" of the record.
    text.push_str(r#"{"id":"j","channel":"x","text":"late" "created_at":"2026-03-01"}"#);
    text.push('\n');
    std::fs::write(&input, text).unwrap();
    let out = ok(tce(dir.path(), &["ingest", input.to_str().unwrap()]));
    let err = stderr(&out);
    assert!(!err.contains('\u{1b}'), "escape codes in a file: {err:?}");
    assert!(
        !err.contains("WARN") && !err.contains("Rejected record"),
        "{err}"
    );
    let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with("ingest:")).collect();
    assert_eq!(lines.len(), 21, "{err}");
    let file = input.display().to_string();
    for (i, line) in lines[..20].iter().enumerate() {
        let expected = format!("{file}:{}: bad created_at \"yesterday\": ", i + 2);
        assert!(line.starts_with(&expected), "{line}");
    }
    assert_eq!(lines[20], "… and 5 more; --rejects FILE keeps them all");
    let summary = stdout(&out);
    assert!(
        summary.contains("1 accepted, 0 duplicate, 25 rejected"),
        "{summary}"
    );
    assert!(
        summary.contains("the first 20 rejected records are listed on stderr"),
        "{summary}"
    );

    let rejects = dir.path().join("rejects.jsonl");
    ok(tce(
        dir.path(),
        &[
            "ingest",
            input.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ],
    ));
    let last: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&rejects)
            .unwrap()
            .lines()
            .last()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(last["line"], 26);
    let reason = last["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("malformed JSON")
            && reason.contains("(at column ")
            && !reason.contains("line 1"),
        "{reason}"
    );
}

#[test]
fn typos_get_a_did_you_mean() {
    let dir = workspace("airline");
    let input = dir.path().join("posts.jsonl");
    std::fs::write(
        &input,
        r#"{"id":"1","channel":"twitter","text":"late","created_at":"2026-03-01T10:00:00Z"}
{"id":"2","channel":"surveys","text":"late","created_at":"2026-03-01T10:00:00Z"}
{"id":"3","channel":"x","text":"late","created_at":"2026-03-01T10:00:00Z","brand":"skyways"}
{"id":"4","channel":"twiter","text":"late","created_at":"2026-03-01T10:00:00Z"}
"#,
    )
    .unwrap();
    let err = stderr(&ok(tce(dir.path(), &["ingest", input.to_str().unwrap()])));
    assert!(
        err.contains(r#"unknown channel "twitter": did you mean "x"?"#),
        "{err}"
    );
    assert!(
        err.contains(r#"unknown channel "surveys": did you mean "survey"?"#),
        "{err}"
    );
    assert!(
        err.contains(r#"unknown channel "twiter": did you mean "x"?"#),
        "{err}"
    );
    assert!(
        err.contains(r#"unknown brand "skyways": did you mean "skyway"?"#),
        "{err}"
    );
    let other = tempfile::tempdir().unwrap();
    let out = tce(other.path(), &["init", "--template", "airlines"]);
    assert!(
        stderr(&out).contains(r#"unknown template "airlines": did you mean "airline"?"#),
        "{}",
        stderr(&out)
    );
    // A saved mapping that does not exist lists the saved ones as words.
    let out = tce(
        dir.path(),
        &[
            "ingest",
            input.to_str().unwrap(),
            "--mapping",
            "survey_exprt",
        ],
    );
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(
        err.contains(r#"did you mean "survey_export"? (saved: survey_export)"#),
        "{err}"
    );
    assert!(!err.contains("[\""), "{err}");
}

#[test]
fn a_bad_constant_or_mapping_fails_the_file_up_front() {
    let dir = workspace("airline");
    let input = dir.path().join("answers.csv");
    std::fs::write(
        &input,
        "id,text,created_at\n1,late,2026-03-01T10:00:00Z\n2,slow,2026-03-01T11:00:00Z\n",
    )
    .unwrap();
    let file = input.to_str().unwrap();
    let out = tce(dir.path(), &["ingest", file, "--set", "channel=surveys"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(r#"bad CSV constant channel=surveys: unknown channel "surveys": did you mean "survey"? (model channels: x, facebook,"#),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one error, not one per row: {err}");
    let stats = json(&ok(tce(dir.path(), &["stats", "--json"])));
    assert_eq!(stats["signals"], 0);

    let out = tce(
        dir.path(),
        &["ingest", file, "--map", "id", "--set", "channel=x"],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--map id: expected FIELD=COLUMN"),
        "{}",
        stderr(&out)
    );
    let out = tce(
        dir.path(),
        &["ingest", file, "--map", "txt=text", "--set", "channel=x"],
    );
    assert!(
        stderr(&out).contains(r#"unknown field "txt": did you mean "text"?"#),
        "{}",
        stderr(&out)
    );
    ok(tce(
        dir.path(),
        &["ingest", file, "--set", "channel=survey"],
    ));
}

#[test]
fn month_first_dates_get_a_hint_and_read_with_a_date_format() {
    let dir = workspace("airline");
    let input = dir.path().join("export.csv");
    std::fs::write(&input, "id,text,created_at\n1,late again,03/15/2026\n").unwrap();
    let file = input.to_str().unwrap();
    let out = ok(tce(dir.path(), &["ingest", file, "--set", "channel=x"]));
    let err = stderr(&out);
    assert!(
        err.contains(r#"bad created_at "03/15/2026""#)
            && err.contains("YYYY-MM-DD")
            && err.contains("--date-format %m/%d/%Y"),
        "{err}"
    );
    ok(tce(
        dir.path(),
        &[
            "ingest",
            file,
            "--set",
            "channel=x",
            "--date-format",
            "%m/%d/%Y",
        ],
    ));
    let stats = json(&ok(tce(dir.path(), &["stats", "--json"])));
    assert_eq!(stats["signals"], 1);
    assert!(
        stats["first"].as_str().unwrap().starts_with("2026-03-15"),
        "{stats:#}"
    );
}

#[test]
fn model_check_warns_when_stage_weights_do_not_sum_to_one() {
    let dir = workspace("airline");
    let out = ok(tce(dir.path(), &["model", "check"]));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let path = dir.path().join("tce.toml");
    let src = std::fs::read_to_string(&path).unwrap();
    let first = src
        .lines()
        .find(|l| l.trim_start().starts_with("weight ="))
        .expect("a stage weight in the template");
    std::fs::write(&path, src.replacen(first, "weight = 2.0", 1)).unwrap();
    let out = ok(tce(dir.path(), &["model", "check"]));
    let err = stderr(&out);
    assert!(
        err.contains("warning:") && err.contains("not 1") && err.contains("normalised"),
        "{err}"
    );
}

#[test]
fn help_lists_global_flags_after_the_commands_own_and_explains_complete_answers() {
    let dir = tempfile::tempdir().unwrap();
    let help = stdout(&ok(tce(dir.path(), &["score", "--help"])));
    let pos = |s: &str| {
        help.find(s)
            .unwrap_or_else(|| panic!("{s} missing: {help}"))
    };
    assert!(
        pos("--from") < pos("--to") && pos("--to") < pos("Global options"),
        "{help}"
    );
    assert!(pos("Global options") < pos("--dir"), "{help}");
    let weights = stdout(&ok(tce(dir.path(), &["weights", "--help"])));
    let weights = weights.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        weights.contains("complete when it rates every stage"),
        "{weights}"
    );
}
