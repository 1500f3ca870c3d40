//! Hand-edited instrument and answers files: whatever the edit, they parse
//! or every error line names the file and a line inside it.

use crate::catalog;
use proptest::prelude::*;
use std::path::Path;
use tce_maturity::{template, Answers, Instrument, BUILTIN};

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Duplicate(usize),
    Replace(usize, String),
    Truncate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Duplicate),
        (
            any::<usize>(),
            "[a-z_]{1,8} = [\\[\\]\"'0-9a-z.,{} -]{0,12}"
        )
            .prop_map(|(i, s)| Edit::Replace(i, s)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, n)| Edit::Truncate(i, n)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for e in edits {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match e {
            Edit::Delete(i) => {
                lines.remove(i % n);
            }
            Edit::Duplicate(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Edit::Replace(i, s) => lines[i % n] = s.clone(),
            Edit::Truncate(i, k) => {
                let l = &lines[i % n];
                lines[i % n] = l.chars().take(k % (l.chars().count() + 1)).collect();
            }
        }
    }
    lines.join("\n")
}

/// Every line of the error starts with `file:line` inside the text.
fn says_where(msg: &str, file: &str, text: &str) -> Result<(), TestCaseError> {
    for line in msg.lines().filter(|l| l.starts_with(file)) {
        let n: Option<usize> = line
            .strip_prefix(file)
            .and_then(|r| r.strip_prefix(':'))
            .and_then(|r| r.split(':').next())
            .and_then(|n| n.trim().parse().ok());
        let Some(n) = n else {
            return Err(TestCaseError::fail(format!("no line in: {line}")));
        };
        prop_assert!(
            n >= 1 && n <= text.lines().count().max(1) + 1,
            "line {n} outside: {msg}"
        );
    }
    prop_assert!(msg.starts_with(file), "error without the file: {msg}");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        // The same cases on every run: CI must not pass or fail by luck.
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x7ce),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn edited_instruments_parse_or_say_where(which in 0..BUILTIN.len(),
                                             edits in proptest::collection::vec(edit(), 1..4)) {
        let text = apply(BUILTIN[which].1, &edits);
        if let Err(e) = Instrument::parse(&text, Path::new("mine.toml")) {
            says_where(&e.to_string(), "mine.toml", &text)?;
        }
    }

    #[test]
    fn edited_answers_parse_or_say_where(which in 0..BUILTIN.len(),
                                         edits in proptest::collection::vec(edit(), 1..4)) {
        let c = catalog();
        let filled = template(&c.instruments()[which]).replace("answer = \"\"", "answer = \"x\"");
        let text = apply(&filled, &edits);
        if let Err(e) = Answers::parse(&text, Path::new("answers.toml"), &c) {
            says_where(&e.to_string(), "answers.toml", &text)?;
        }
    }
}
