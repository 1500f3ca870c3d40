//! Maturity assessments: every one kept with its day, listed oldest first,
//! the latest found; written as conformance checks (any `Store`), run here
//! on SQLite in memory and on file.

use chrono::{DateTime, NaiveDate, Utc};
use tce_store::{NewAssessment, SqliteStore, Store};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day")
}

fn new(d: &str, json: &str) -> NewAssessment {
    NewAssessment {
        day: day(d),
        created_at: DateTime::<Utc>::from_timestamp(1_790_000_000, 0).expect("time"),
        assessment: json.to_string(),
        answers: format!("# answers of {d}\n[disciplines.x]\nanswer = \"ad hoc\"\n"),
    }
}

/// Every assessment is kept (two on one day too), oldest first; the latest
/// is the last kept on the newest day; the texts come back byte for byte.
pub fn assessments_are_kept(store: &mut dyn Store) {
    assert!(store.assessments().expect("list").is_empty());
    assert_eq!(store.latest_assessment().expect("latest"), None);
    let a = store
        .insert_assessment(&new("2026-11-02", r#"{"n":1,"text":"<b>é</b>"}"#))
        .expect("insert");
    let b = store
        .insert_assessment(&new("2026-10-01", r#"{"n":2}"#))
        .expect("insert");
    let c = store
        .insert_assessment(&new("2026-11-02", r#"{"n":3}"#))
        .expect("insert");
    assert!(a < b && b < c);
    let all = store.assessments().expect("list");
    let order: Vec<i64> = all.iter().map(|s| s.id).collect();
    assert_eq!(order, vec![b, a, c]);
    assert_eq!(all[1].assessment, r#"{"n":1,"text":"<b>é</b>"}"#);
    assert_eq!(all[1].day, day("2026-11-02"));
    assert!(all[1].answers.contains("answer = \"ad hoc\""));
    assert_eq!(all[1].created_at.timestamp(), 1_790_000_000);
    let latest = store.latest_assessment().expect("latest").expect("some");
    assert_eq!(latest.id, c);
}

#[test]
fn assessments_are_kept_in_memory_and_on_file() {
    assessments_are_kept(&mut SqliteStore::open_in_memory().expect("memory"));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tce.db");
    assessments_are_kept(&mut SqliteStore::open(&path).expect("open"));
    // Kept across reopening.
    let again = SqliteStore::open(&path).expect("reopen");
    assert_eq!(again.assessments().expect("list").len(), 3);
}
