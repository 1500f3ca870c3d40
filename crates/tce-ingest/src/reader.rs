//! Opening inputs: files ([`SignalReader`], streaming) and request bodies
//! ([`parse_body`], in memory). Both pick the format, then hand the bytes to
//! the format's reader.

use crate::csv_source::{sniff_delimiter, CsvSource};
use crate::detect::{classify, detect, skip_space};
use crate::jsonl::LineReader;
use crate::record::json_value_record;
use crate::{reddit, twitter, Format, IngestError, Parsed, ReadOptions, Reject};
use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use tce_model::Model;

/// Read buffer for files: big reads keep the parser, not the syscalls, busy.
const BUFFER_BYTES: usize = 1 << 20;

/// Records of one file, one at a time: each is a [`Parsed`] signal or a [`Reject`].
///
/// JSONL and CSV are streamed with bounded memory; X and Reddit documents
/// (and JSON arrays) are parsed whole when the reader is opened.
pub struct SignalReader {
    records: Records,
    model: Model,
    format: Format,
    total_bytes: u64,
}

enum Records {
    Lines(LineReader<BufReader<File>>),
    Csv(Box<CsvSource<BufReader<File>>>),
    Parsed {
        items: std::vec::IntoIter<Result<Parsed, Reject>>,
        bytes: u64,
    },
}

impl SignalReader {
    /// Opens a file, detecting its format unless `opts.format` says it.
    ///
    /// Whole-file problems are errors here: a missing file, a CSV mapping that
    /// names a column the header lacks, a Twitter/Reddit file that is not JSON.
    pub fn open(
        path: &Path,
        opts: &ReadOptions,
        model: &Model,
    ) -> Result<SignalReader, IngestError> {
        let file = File::open(path)?;
        let total_bytes = file.metadata()?.len();
        let source = path.display().to_string();
        let mut input = BufReader::with_capacity(BUFFER_BYTES, file);
        let head = input.fill_buf()?;
        let format = opts.format.unwrap_or_else(|| match detect(head) {
            // A .jsonl file whose first line is not a record (garbage, a
            // stray header) is still JSONL: its records are kept.
            Format::Csv if has_jsonl_extension(path) => Format::Jsonl,
            detected => detected,
        });
        let streamed = match format {
            Format::Csv => true,
            Format::Jsonl => !document_of_records(head, head.len() as u64 >= total_bytes),
            Format::TwitterV2 | Format::Reddit => false,
        };
        let delimiter = sniff_delimiter(skip_space(head));
        let records = match format {
            Format::Csv => Records::Csv(Box::new(CsvSource::new(
                input,
                delimiter,
                &opts.csv,
                opts.date_format.as_deref(),
                model,
                source,
            )?)),
            Format::Jsonl if streamed => {
                Records::Lines(LineReader::new(input, source, opts.date_format.clone()))
            }
            _ => {
                let mut bytes = Vec::with_capacity(usize::try_from(total_bytes).unwrap_or(0));
                input.read_to_end(&mut bytes)?;
                Records::Parsed {
                    items: document(&bytes, format, model, &source)?.into_iter(),
                    bytes: total_bytes,
                }
            }
        };
        Ok(SignalReader {
            records,
            model: model.clone(),
            format,
            total_bytes,
        })
    }

    /// Size of the file, for progress.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Bytes consumed so far, for progress.
    pub fn bytes_read(&self) -> u64 {
        match &self.records {
            Records::Lines(r) => r.bytes_read(),
            Records::Csv(r) => r.bytes_read(),
            Records::Parsed { bytes, .. } => *bytes,
        }
    }

    /// The format being read (given or detected).
    pub fn format(&self) -> Format {
        self.format
    }
}

impl Iterator for SignalReader {
    type Item = Result<Parsed, Reject>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.records {
            Records::Lines(r) => r.next_record(&self.model),
            Records::Csv(r) => r.next_record(&self.model),
            Records::Parsed { items, .. } => items.next(),
        }
    }
}

/// `.jsonl` or `.ndjson`, in any case.
fn has_jsonl_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

/// True when JSONL input is one JSON document rather than one record per
/// line: an array, or a single object spread over several lines.
fn document_of_records(head: &[u8], whole_head: bool) -> bool {
    let body = skip_space(head);
    match body.first() {
        Some(b'[') => true,
        Some(b'{') if whole_head => {
            let first_line = body.split(|&b| b == b'\n').next().unwrap_or(body);
            serde_json::from_slice::<Value>(first_line).is_err()
                && serde_json::from_slice::<Value>(body).is_ok()
        }
        _ => false,
    }
}

/// Reads a whole JSON document (or several, concatenated, as X streams
/// write them) as `format`.
fn document(
    bytes: &[u8],
    format: Format,
    model: &Model,
    source: &str,
) -> Result<Vec<Result<Parsed, Reject>>, IngestError> {
    let mut docs = Vec::new();
    for doc in serde_json::Deserializer::from_slice(bytes).into_iter::<Value>() {
        docs.push(doc.map_err(|e| IngestError::Json {
            format,
            message: e.to_string(),
        })?);
    }
    let mut out: Vec<Result<Parsed, Reject>> = Vec::new();
    for doc in &docs {
        let items = match format {
            Format::TwitterV2 => twitter::read(doc, model, source)?,
            Format::Reddit => reddit::read(doc, model, source)?,
            Format::Jsonl | Format::Csv => records(doc, model, source),
        };
        let offset = out.len() as u64;
        out.extend(items.into_iter().map(|r| renumber(r, offset)));
    }
    Ok(out)
}

/// Keeps ordinals running across concatenated documents.
fn renumber(r: Result<Parsed, Reject>, offset: u64) -> Result<Parsed, Reject> {
    match r {
        Ok(mut p) => {
            p.line += offset;
            Ok(p)
        }
        Err(mut j) => {
            j.line += offset;
            Err(j)
        }
    }
}

/// Records of our schema in a parsed document: an array of them, or one.
fn records(doc: &Value, model: &Model, source: &str) -> Vec<Result<Parsed, Reject>> {
    let one = |(i, v): (usize, &Value)| {
        let line = i as u64 + 1;
        match json_value_record(v, model) {
            Ok(signal) => Ok(Parsed { line, signal }),
            Err(reason) => Err(Reject {
                source: source.to_string(),
                line,
                reason,
                raw: v.to_string(),
            }),
        }
    };
    match doc {
        Value::Array(items) => items.iter().enumerate().map(one).collect(),
        other => vec![one((0, other))],
    }
}

/// Parses a request body for the HTTP batch API: a JSON array of our records,
/// NDJSON, a single record, an X API v2 response or a Reddit listing (or CSV
/// when `format` says so). `line` in results is the array index + 1, the
/// NDJSON line, or the ordinal in an X/Reddit payload.
///
/// A body that is not JSON at all (or empty) is an error; bad records are rejects.
pub fn parse_body(
    body: &[u8],
    format: Option<Format>,
    opts: &ReadOptions,
    model: &Model,
    source: &str,
) -> Result<(Vec<Parsed>, Vec<Reject>), IngestError> {
    let items = match format.or(opts.format) {
        Some(Format::Csv) => {
            let delimiter = sniff_delimiter(skip_space(body));
            let mut csv = CsvSource::new(
                body,
                delimiter,
                &opts.csv,
                opts.date_format.as_deref(),
                model,
                source.to_string(),
            )?;
            std::iter::from_fn(|| csv.next_record(model)).collect()
        }
        Some(f @ (Format::TwitterV2 | Format::Reddit)) => document(body, f, model, source)?,
        forced @ (Some(Format::Jsonl) | None) => {
            let trimmed = skip_space(body);
            match trimmed.first() {
                None => return Err(IngestError::NotJson("the body is empty".to_string())),
                Some(b'{' | b'[') => {}
                // NDJSON whose first line is garbage still has its records.
                Some(_) if has_object_line(trimmed) => {
                    return Ok(split(ndjson(body, model, source)))
                }
                Some(_) => {
                    let start =
                        String::from_utf8_lossy(&trimmed[..trimmed.len().min(40)]).into_owned();
                    return Err(IngestError::NotJson(format!(
                        "expected a JSON array, NDJSON or an X/Reddit payload, got {start:?}"
                    )));
                }
            }
            match serde_json::from_slice::<Value>(trimmed) {
                Ok(doc) => match (forced, classify(&doc)) {
                    (None, Some(f)) => document(trimmed, f, model, source)?,
                    _ => records(&doc, model, source),
                },
                // A malformed array has no lines to fall back on.
                Err(e) if trimmed.first() == Some(&b'[') => {
                    return Err(IngestError::Json {
                        format: Format::Jsonl,
                        message: e.to_string(),
                    })
                }
                Err(_) => ndjson(body, model, source),
            }
        }
    };
    Ok(split(items))
}

/// A body read one record per line.
fn ndjson(body: &[u8], model: &Model, source: &str) -> Vec<Result<Parsed, Reject>> {
    let mut lines = LineReader::new(body, source.to_string(), None);
    std::iter::from_fn(|| lines.next_record(model)).collect()
}

/// Signals and rejects, each in input order.
fn split(items: impl IntoIterator<Item = Result<Parsed, Reject>>) -> (Vec<Parsed>, Vec<Reject>) {
    let mut parsed = Vec::new();
    let mut rejects = Vec::new();
    for item in items {
        match item {
            Ok(p) => parsed.push(p),
            Err(r) => rejects.push(r),
        }
    }
    (parsed, rejects)
}

/// Whether some line starts (after blanks) with `{`: the body may be NDJSON.
fn has_object_line(body: &[u8]) -> bool {
    body.split(|&b| b == b'\n')
        .any(|line| skip_space(line).first() == Some(&b'{'))
}
