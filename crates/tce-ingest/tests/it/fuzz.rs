//! Property tests: the readers take hostile bytes without panicking, and
//! garbage around good records never costs a good record.

use crate::{model, read_bytes};
use proptest::prelude::*;
use tce_ingest::{parse_body, CsvOptions, Format, ReadOptions};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // The same cases on every run: CI must not pass or fail by luck.
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x7ce),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text a customer might write: any Unicode, quotes, separators, newlines,
/// markup.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{1,40}",
        "[a-z \"',;\t\n\r<>/\\\\{}]{1,40}",
        Just("\u{feff}\"quoted\", and\nnew lines\r\n".to_string()),
    ]
    .prop_filter("not blank", |s| !s.trim().is_empty())
}

fn record(id: usize, text: &str) -> String {
    serde_json::json!({"id": format!("r{id}"), "channel": "x", "text": text,
        "created_at": "2026-03-01T10:00:00Z"})
    .to_string()
}

/// Lines that are not records: broken JSON, other JSON values, noise.
fn garbage_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\{[^\n]{0,30}",
        "[0-9]{1,6}",
        Just("[1, 2".to_string()),
        Just("{\"id\": 5}".to_string()),
        Just("null".to_string()),
        "[^\n{\\[ ]{1,30}",
    ]
}

proptest! {
    #![proptest_config(config())]

    /// Any bytes, any format: an answer (signals, rejects or an error), never
    /// a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400),
                                   format in prop_oneof![Just(None), Just(Some(Format::Jsonl)),
                                       Just(Some(Format::TwitterV2)), Just(Some(Format::Reddit))]) {
        let _ = parse_body(bytes.as_slice(), format, &ReadOptions::default(), &model(), "fuzz");
    }

    /// NDJSON with garbage lines before, between and after good records:
    /// every good record is read with its text intact and its line number,
    /// every garbage line is rejected with its own line number. (A body that
    /// starts like a JSON array but is not one is refused whole: it has no
    /// lines to fall back on; so is one without a single JSON object line.)
    #[test]
    fn garbage_lines_cost_no_good_record(
        lines in proptest::collection::vec(prop_oneof![text().prop_map(Ok), garbage_line().prop_map(Err)], 1..30)
    ) {
        let mut body = String::new();
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            match line {
                Ok(t) => {
                    body.push_str(&record(i, t));
                    good.push((i as u64 + 1, t.clone()));
                }
                Err(g) => {
                    body.push_str(g);
                    bad.push(i as u64 + 1);
                }
            }
            body.push('\n');
        }
        let answer =
            parse_body(body.as_bytes(), Some(Format::Jsonl), &ReadOptions::default(), &model(), "fuzz");
        if body.starts_with('[') {
            prop_assert!(answer.is_err(), "a broken array is refused whole");
            return Ok(());
        }
        if !body.lines().any(|l| l.trim_start().starts_with('{')) {
            prop_assert!(answer.is_err(), "no line is a JSON object: not JSON at all");
            return Ok(());
        }
        let (parsed, rejects) = answer.expect("NDJSON with good records is readable");
        let got: Vec<(u64, String)> = parsed.iter().map(|p| (p.line, p.signal.text.clone())).collect();
        prop_assert_eq!(got, good);
        let rejected: Vec<u64> = rejects.iter().map(|r| r.line).collect();
        prop_assert_eq!(rejected, bad);
    }

    /// CSV written by a standard writer reads back with every text intact,
    /// whatever quotes, separators and newlines the texts hold.
    #[test]
    fn csv_texts_round_trip(texts in proptest::collection::vec(text(), 1..20)) {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["id", "channel", "text", "created_at"]).expect("header");
        for (i, t) in texts.iter().enumerate() {
            w.write_record([&format!("c{i}"), "facebook", t, "2026-03-01 10:00:00"]).expect("row");
        }
        let bytes = w.into_inner().expect("csv bytes");
        let opts = ReadOptions { format: Some(Format::Csv), csv: CsvOptions::default(), date_format: None };
        let items = read_bytes("fuzz.csv", &bytes, &opts);
        let got: Vec<String> = items
            .iter()
            .map(|r| r.as_ref().map(|p| p.signal.text.clone()).map_err(|e| e.reason.clone()))
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(format!("rejected: {e}")))?;
        // Kept as written, but for CRLF line breaks, which become LF.
        let want: Vec<String> = texts.iter().map(|t| t.replace("\r\n", "\n")).collect();
        prop_assert_eq!(got, want);
    }
}
