//! Tests of the readers as a caller sees them: bytes in, signals and rejects out.

// clippy.toml allows these in #[test] functions only; the helpers are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod body;
mod csv;
mod detect;
mod fuzz;
mod jsonl;
mod outcomes;
mod payloads;

use std::path::{Path, PathBuf};
use tce_ingest::{Parsed, ReadOptions, Reject, SignalReader};
use tce_model::{Model, Signal};

/// The airline template: it has every channel the payloads need.
pub fn model() -> Model {
    let t = tce_model::templates::template("airline").unwrap();
    Model::parse(t.toml, Path::new("airline.toml")).unwrap()
}

/// `../shared/data` beside the repository (evaluation data, tests only).
pub fn shared_data() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    assert!(p.is_dir(), "evaluation data not found at {}", p.display());
    p
}

/// Writes `bytes` to a temporary file named `name` and reads it whole.
pub fn read_bytes(name: &str, bytes: &[u8], opts: &ReadOptions) -> Vec<Result<Parsed, Reject>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    read_path(&path, opts, &model())
}

/// Reads a file whole, checking progress ends at the file size.
pub fn read_path(path: &Path, opts: &ReadOptions, model: &Model) -> Vec<Result<Parsed, Reject>> {
    let mut reader =
        SignalReader::open(path, opts, model).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let items: Vec<_> = reader.by_ref().collect();
    assert_eq!(
        reader.bytes_read(),
        reader.total_bytes(),
        "{}",
        path.display()
    );
    items
}

/// One line per record: the signal's fields, or the reject's line and reason.
pub fn render(items: &[Result<Parsed, Reject>]) -> String {
    let mut out = String::new();
    for item in items {
        match item {
            Ok(p) => out.push_str(&format!("{} ok {}\n", p.line, signal_line(&p.signal))),
            Err(r) => out.push_str(&format!("{} REJECT {}\n", r.line, r.reason)),
        }
    }
    out
}

/// The fields of a signal on one line, absent ones left out.
pub fn signal_line(s: &Signal) -> String {
    let mut f = vec![
        format!("{}/{}", s.channel, s.external_id),
        s.created_at
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    ];
    let opt = |name: &str, v: &Option<String>| v.as_ref().map(|v| format!("{name}={v}"));
    f.extend(opt("brand", &s.brand));
    f.extend(opt("author", &s.author));
    f.extend(s.author_followers.map(|n| format!("followers={n}")));
    f.extend(s.rating.map(|r| format!("rating={}/{}", r.value, r.scale)));
    f.extend(
        s.stage_ratings
            .iter()
            .map(|r| format!("{}={}", r.stage, r.rating.value)),
    );
    f.extend(opt("reply_to", &s.in_reply_to));
    f.extend(opt("url", &s.url));
    f.extend(opt("lang", &s.lang));
    let text: String = s.text.chars().take(30).collect();
    f.push(format!("{text:?}"));
    f.join(" ")
}

/// The rejects among the results.
pub fn rejects(items: &[Result<Parsed, Reject>]) -> Vec<&Reject> {
    items.iter().filter_map(|i| i.as_ref().err()).collect()
}

/// The signals among the results.
pub fn signals(items: &[Result<Parsed, Reject>]) -> Vec<&Signal> {
    items
        .iter()
        .filter_map(|i| i.as_ref().ok())
        .map(|p| &p.signal)
        .collect()
}

#[test]
fn formats_parse_by_name_and_print_back() {
    use tce_ingest::Format;
    for (name, f) in [
        ("jsonl", Format::Jsonl),
        ("csv", Format::Csv),
        ("twitter", Format::TwitterV2),
        ("twitter_v2", Format::TwitterV2),
        ("X", Format::TwitterV2),
        ("reddit", Format::Reddit),
    ] {
        assert_eq!(name.parse::<Format>().unwrap(), f);
    }
    for f in Format::ALL {
        assert_eq!(f.to_string().parse::<Format>().unwrap(), f);
    }
    let err = "parquet".parse::<Format>().unwrap_err().to_string();
    assert!(
        err.contains("\"parquet\"") && err.contains("jsonl, csv, twitter"),
        "{err}"
    );
}

#[test]
fn readers_can_move_to_a_parsing_thread() {
    fn send<T: Send>() {}
    send::<SignalReader>();
    send::<tce_ingest::IngestError>();
}
