//! Readers that turn files and request bodies into [`tce_model::Signal`]s.
//!
//! Formats: our JSONL schema (see `docs/signal-format.md`), CSV with a column
//! mapping, X/Twitter API v2 responses (also inside recorded HTTP cassettes)
//! and Reddit listings. The format is detected from the content unless given.
//!
//! Bad input is data: every record comes out either as a [`Parsed`] signal or
//! as a [`Reject`] with source, line and reason, and a bad record never stops
//! the file. [`IngestError`] is only for problems that make the whole input
//! unreadable (missing file, a CSV mapping naming a column the header lacks, a
//! Twitter/Reddit document that is not JSON).
//!
//! JSONL and CSV stream with bounded memory; Twitter and Reddit documents are
//! read whole (API responses are small).
#![deny(missing_docs)]

mod csv_source;
mod detect;
mod jsonl;
pub mod outcomes;
pub mod privacy;
mod reader;
mod record;
mod reddit;
mod time;
mod twitter;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

pub use detect::detect;
pub use privacy::Pseudonymizer;
pub use reader::{parse_body, SignalReader};
use tce_model::Signal;

/// A wire format a reader understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Our schema, one JSON object per line (a JSON array of them in request bodies).
    Jsonl,
    /// CSV with a header row and a column mapping.
    Csv,
    /// An X/Twitter API v2 response (`{"data":[…],"includes":{…}}`), or a
    /// recorded HTTP cassette holding such responses.
    TwitterV2,
    /// A Reddit listing (`{"kind":"Listing",…}`) or an array of them.
    Reddit,
}

impl Format {
    /// All formats.
    pub const ALL: [Format; 4] = [
        Format::Jsonl,
        Format::Csv,
        Format::TwitterV2,
        Format::Reddit,
    ];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::TwitterV2 => "twitter",
            Format::Reddit => "reddit",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = IngestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "json" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "twitter" | "twitter_v2" | "twitter-v2" | "x" => Ok(Format::TwitterV2),
            "reddit" => Ok(Format::Reddit),
            _ => Err(IngestError::UnknownFormat {
                name: s.to_string(),
            }),
        }
    }
}

/// How CSV columns become signal fields.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CsvOptions {
    /// Our field → CSV column header (`stage:<id>` fields add stage ratings).
    pub columns: BTreeMap<String, String>,
    /// Our field → constant value for every row; overrides any column.
    pub constants: BTreeMap<String, String>,
}

/// How to read an input.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ReadOptions {
    /// The format; detected from the content when `None`.
    pub format: Option<Format>,
    /// CSV column mapping (ignored for other formats).
    pub csv: CsvOptions,
    /// A chrono/strftime pattern for `created_at` in JSONL and CSV (e.g.
    /// `%m/%d/%Y` for US exports), tried before the standard forms.
    pub date_format: Option<String>,
}

/// A record that became a signal.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// Where it was: the physical line for JSONL and CSV (1-based), the
    /// record's ordinal in the document for X, Reddit and JSON arrays.
    pub line: u64,
    /// The signal.
    pub signal: Signal,
}

/// A record that could not become a signal, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    /// The file path, or `request` for HTTP bodies.
    pub source: String,
    /// Where it was, numbered like [`Parsed::line`].
    pub line: u64,
    /// What is wrong, specific enough to fix it (`missing text`,
    /// `unknown channel "pigeon" …`, `bad created_at "yesterday": …`).
    pub reason: String,
    /// The record as text (invalid UTF-8 replaced), to fix and resend.
    pub raw: String,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.source, self.line, self.reason)
    }
}

/// `: did you mean "x"?`, or nothing.
fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(": did you mean {s:?}?"))
        .unwrap_or_default()
}

/// Why an input could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be opened or read.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// `--format` names no format.
    #[error(
        "unknown format {name:?} (expected jsonl, csv, twitter (also twitter_v2, x) or reddit)"
    )]
    UnknownFormat {
        /// The name given.
        name: String,
    },
    /// The CSV mapping names a column the header lacks.
    #[error("the CSV mapping for {field} names column {column:?}, which the header lacks{} (columns: {})", did_you_mean(suggestion), header.join(", "))]
    MissingColumn {
        /// Our field.
        field: String,
        /// The column it names.
        column: String,
        /// The header row.
        header: Vec<String>,
        /// A column of the header close to the one named.
        suggestion: Option<String>,
    },
    /// The CSV mapping names a field signals do not have.
    #[error("the CSV mapping names unknown field {field:?}{} (known: {}, stage:<stage id>)", did_you_mean(suggestion), record::FIELDS.join(", "))]
    UnknownField {
        /// The field given.
        field: String,
        /// A known field close to the one given.
        suggestion: Option<String>,
    },
    /// A CSV constant (`--set FIELD=VALUE`, or `constants` of a saved
    /// mapping) that no row could use: checked once, before any row.
    #[error("bad CSV constant {field}={value}: {reason}")]
    BadConstant {
        /// The field.
        field: String,
        /// The value given.
        value: String,
        /// Why it cannot be used, with the valid values.
        reason: String,
    },
    /// A `stage:<id>` mapping names a stage the model lacks.
    #[error("the CSV mapping names unknown stage {stage:?} (model stages: {})", known.join(", "))]
    UnknownStage {
        /// The stage given.
        stage: String,
        /// The model's stages.
        known: Vec<String>,
    },
    /// A required field has neither a column nor a constant.
    #[error("no CSV column for required field {field} (columns: {}); map one with --map {field}=COLUMN or set a constant with --set {field}=VALUE", header.join(", "))]
    MissingField {
        /// The field.
        field: String,
        /// The header row.
        header: Vec<String>,
    },
    /// The CSV header row could not be read.
    #[error("cannot read the CSV header: {0}")]
    CsvHeader(String),
    /// A Twitter/Reddit document, or a request body, is not valid JSON.
    #[error("{format} input is not valid JSON: {message}")]
    Json {
        /// The format expected.
        format: Format,
        /// The parser's message with line and column.
        message: String,
    },
    /// Valid JSON, but not the shape of the format asked for.
    #[error("not {expected}: {message}")]
    NotPayload {
        /// What was expected (`an X API v2 response`, …).
        expected: &'static str,
        /// What was found instead.
        message: String,
    },
    /// An outcomes CSV without the required columns.
    #[error("an outcomes CSV needs columns {} (optional {}); found: {}", outcomes::REQUIRED.join(", "), outcomes::OPTIONAL.join(", "), found.join(", "))]
    OutcomesHeader {
        /// The header row found.
        found: Vec<String>,
    },
    /// A request body that is not JSON at all.
    #[error("not JSON: {0}")]
    NotJson(String),
}
