//! CSV with a header row: a plan says where each signal field comes from (a
//! mapped column, a constant, or a same-named column), made once from the
//! header; rows stream through one reused byte record.

use crate::record::{unknown_brand, unknown_channel, Draft, When, FIELDS};
use crate::time::parse_timestamp;
use crate::{CsvOptions, IngestError, Parsed, Reject};
use std::borrow::Cow;
use std::io::{BufRead, Read};
use tce_model::Model;

/// Where one field's value comes from.
#[derive(Debug, Clone)]
enum Slot {
    Column(usize),
    Constant(String),
    Absent,
}

/// The plan for every field, fixed by the header.
#[derive(Debug)]
struct Plan {
    id: Slot,
    channel: Slot,
    text: Slot,
    created_at: Slot,
    brand: Slot,
    author: Slot,
    author_followers: Slot,
    rating: Slot,
    rating_scale: Slot,
    in_reply_to: Slot,
    url: Slot,
    lang: Slot,
    /// Stage id → slot, for `stage:<id>` fields.
    stages: Vec<(String, Slot)>,
    /// The header row, to name columns in reasons.
    header: Vec<String>,
    /// `--date-format` for `created_at`.
    date_format: Option<String>,
}

impl Plan {
    fn new(
        header: &[String],
        opts: &CsvOptions,
        date_format: Option<&str>,
        model: &Model,
    ) -> Result<Plan, IngestError> {
        for field in opts.columns.keys().chain(opts.constants.keys()) {
            match field.strip_prefix("stage:") {
                Some(stage) => {
                    if model.stage(stage).is_none() {
                        return Err(IngestError::UnknownStage {
                            stage: stage.to_string(),
                            known: model.stages.iter().map(|s| s.id.clone()).collect(),
                        });
                    }
                }
                None if FIELDS.contains(&field.as_str()) => {}
                None => {
                    return Err(IngestError::UnknownField {
                        field: field.clone(),
                        suggestion: tce_model::did_you_mean(field, FIELDS).map(str::to_string),
                    })
                }
            }
        }
        for (field, value) in &opts.constants {
            check_constant(field, value, date_format, model).map_err(|reason| {
                IngestError::BadConstant {
                    field: field.clone(),
                    value: value.clone(),
                    reason,
                }
            })?;
        }
        let slot = |field: &str| -> Result<Slot, IngestError> {
            if let Some(value) = opts.constants.get(field) {
                return Ok(Slot::Constant(value.clone()));
            }
            if let Some(column) = opts.columns.get(field) {
                return find_column(header, column)
                    .map(Slot::Column)
                    .ok_or_else(|| IngestError::MissingColumn {
                        field: field.to_string(),
                        column: column.clone(),
                        header: header.to_vec(),
                        suggestion: tce_model::did_you_mean(
                            column,
                            header.iter().map(String::as_str),
                        )
                        .map(str::to_string),
                    });
            }
            Ok(header
                .iter()
                .position(|h| h.trim() == field)
                .map_or(Slot::Absent, Slot::Column))
        };
        let required = |field: &str| -> Result<Slot, IngestError> {
            match slot(field)? {
                Slot::Absent => Err(IngestError::MissingField {
                    field: field.to_string(),
                    header: header.to_vec(),
                }),
                s => Ok(s),
            }
        };
        let mut stages = Vec::new();
        for stage in &model.stages {
            let s = slot(&format!("stage:{}", stage.id))?;
            if !matches!(s, Slot::Absent) {
                stages.push((stage.id.clone(), s));
            }
        }
        // Checked for its column only: signals have no survey id yet.
        slot("survey_id")?;
        Ok(Plan {
            id: required("id")?,
            channel: required("channel")?,
            text: required("text")?,
            created_at: required("created_at")?,
            brand: slot("brand")?,
            author: slot("author")?,
            author_followers: slot("author_followers")?,
            rating: slot("rating")?,
            rating_scale: slot("rating_scale")?,
            in_reply_to: slot("in_reply_to")?,
            url: slot("url")?,
            lang: slot("lang")?,
            stages,
            header: header.to_vec(),
            date_format: date_format.map(str::to_string),
        })
    }
}

/// Checks a constant the way every row would, so a bad one fails the file
/// once, up front, instead of rejecting every row for the same reason.
fn check_constant(
    field: &str,
    value: &str,
    date_format: Option<&str>,
    model: &Model,
) -> Result<(), String> {
    let v = value.trim();
    match field {
        "channel" if model.channel(v).is_none() => Err(unknown_channel(v, model)),
        "brand" if !v.is_empty() && model.resolve_brand(v).is_none() => {
            Err(unknown_brand(v, model))
        }
        "created_at" => parse_timestamp(v, date_format).map(drop),
        "rating_scale" => v
            .parse::<tce_model::RatingScale>()
            .map(drop)
            .map_err(|e| e.to_string()),
        "author_followers" => whole(v, field).map(drop),
        "rating" => number(v, field).map(drop),
        f if f.starts_with("stage:") => number(v, field).map(drop),
        "id" | "text" if v.is_empty() => Err(format!("{field} cannot be empty")),
        _ => Ok(()),
    }
}

/// Exact header match first, then trimmed and case-insensitive.
fn find_column(header: &[String], column: &str) -> Option<usize> {
    header.iter().position(|h| h == column).or_else(|| {
        let c = column.trim();
        header.iter().position(|h| h.trim().eq_ignore_ascii_case(c))
    })
}

/// The delimiter the header line uses most: `,`, `;` or tab.
pub(crate) fn sniff_delimiter(head: &[u8]) -> u8 {
    let first = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let count = |d: u8| first.iter().filter(|&&b| b == d).count();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| (count(d), d == b','))
        .unwrap_or(b',')
}

/// Turns `\r\n` into `\n` on the way to the CSV parser, so a record's
/// position is the line it starts on (the csv crate places a CRLF record's
/// start on the previous line's `\n`). Counts the raw bytes it consumed.
pub(crate) struct Crlf<R> {
    inner: R,
    pending_cr: bool,
    raw_bytes: u64,
}

impl<R: BufRead> Crlf<R> {
    pub(crate) fn new(inner: R) -> Crlf<R> {
        Crlf {
            inner,
            pending_cr: false,
            raw_bytes: 0,
        }
    }
}

impl<R: BufRead> Read for Crlf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                // A lone `\r` at the very end is kept.
                if std::mem::take(&mut self.pending_cr) {
                    out[0] = b'\r';
                    return Ok(1);
                }
                return Ok(0);
            }
            let mut written = 0;
            let mut read = 0;
            if self.pending_cr {
                self.pending_cr = false;
                if chunk[0] != b'\n' {
                    out[0] = b'\r';
                    written = 1;
                }
            }
            while read < chunk.len() && written < out.len() {
                let rest = &chunk[read..];
                let room = out.len() - written;
                match memchr::memchr(b'\r', &rest[..rest.len().min(room)]) {
                    None => {
                        let n = rest.len().min(room);
                        out[written..written + n].copy_from_slice(&rest[..n]);
                        written += n;
                        read += n;
                    }
                    Some(i) => {
                        out[written..written + i].copy_from_slice(&rest[..i]);
                        written += i;
                        read += i + 1; // the `\r`
                        match rest.get(i + 1) {
                            Some(b'\n') => {}
                            Some(_) if written < out.len() => {
                                out[written] = b'\r';
                                written += 1;
                            }
                            Some(_) => {
                                read -= 1; // no room: leave the `\r` for the next call
                                break;
                            }
                            None => self.pending_cr = true,
                        }
                    }
                }
            }
            self.inner.consume(read);
            self.raw_bytes += read as u64;
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

/// Reads CSV rows into signals.
pub(crate) struct CsvSource<R> {
    reader: csv::Reader<Crlf<R>>,
    record: csv::ByteRecord,
    plan: Plan,
    source: String,
    done: bool,
}

impl<R: BufRead> CsvSource<R> {
    /// Reads the header and plans the mapping; mapping mistakes are errors.
    pub(crate) fn new(
        input: R,
        delimiter: u8,
        opts: &CsvOptions,
        date_format: Option<&str>,
        model: &Model,
        source: String,
    ) -> Result<CsvSource<R>, IngestError> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .flexible(false)
            .from_reader(Crlf::new(input));
        let header: Vec<String> = reader
            .byte_headers()
            .map_err(|e| IngestError::CsvHeader(e.to_string()))?
            .iter()
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .collect();
        let plan = Plan::new(&header, opts, date_format, model)?;
        Ok(CsvSource {
            reader,
            record: csv::ByteRecord::new(),
            plan,
            source,
            done: false,
        })
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.reader.get_ref().raw_bytes
    }

    /// The next row; `None` at the end of input.
    pub(crate) fn next_record(&mut self, model: &Model) -> Option<Result<Parsed, Reject>> {
        if self.done {
            return None;
        }
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                let line = self.record.position().map_or(0, csv::Position::line);
                Some(match row_signal(&self.plan, &self.record, model) {
                    Ok(signal) => Ok(Parsed { line, signal }),
                    Err(reason) => Err(Reject {
                        source: self.source.clone(),
                        line,
                        reason,
                        raw: raw_row(&self.record),
                    }),
                })
            }
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                let reason = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        format!("expected {expected_len} fields like the header, found {len}")
                    }
                    csv::ErrorKind::Io(io) => {
                        self.done = true;
                        format!("read error: {io}")
                    }
                    _ => format!("bad CSV: {e}"),
                };
                Some(Err(Reject {
                    source: self.source.clone(),
                    line,
                    reason,
                    raw: String::new(),
                }))
            }
        }
    }
}

/// The row as CSV text, for the reject file.
fn raw_row(record: &csv::ByteRecord) -> String {
    let mut out = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    if out.write_byte_record(record).is_err() {
        return String::new();
    }
    let bytes = out.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .trim_end_matches(['\r', '\n'])
        .to_string()
}

/// One field of this row: `None` when it has no source or the cell is blank.
fn cell<'a>(
    plan: &Plan,
    record: &'a csv::ByteRecord,
    slot: &'a Slot,
) -> Result<Option<Cow<'a, str>>, String> {
    match slot {
        Slot::Absent => Ok(None),
        Slot::Constant(v) => Ok(Some(Cow::Borrowed(v.as_str()))),
        Slot::Column(i) => match record.get(*i) {
            None => Ok(None),
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(s) if s.trim().is_empty() => Ok(None),
                Ok(s) => Ok(Some(Cow::Borrowed(s))),
                Err(e) => Err(format!(
                    "invalid UTF-8 in column {:?} at byte {}",
                    plan.header.get(*i).map_or("?", String::as_str),
                    e.valid_up_to()
                )),
            },
        },
    }
}

fn number(v: &str, field: &str) -> Result<f64, String> {
    v.trim()
        .parse::<f64>()
        .map_err(|_| format!("bad {field} {v:?}: not a number"))
}

fn whole(v: &str, field: &str) -> Result<u64, String> {
    let t = v.trim();
    if let Ok(n) = t.parse::<u64>() {
        return Ok(n);
    }
    match t.parse::<f64>() {
        Ok(x) if x >= 0.0 && x.fract() == 0.0 && x < u64::MAX as f64 => Ok(x as u64),
        _ => Err(format!("bad {field} {v:?}: expected a whole number ≥ 0")),
    }
}

/// Ids exported by spreadsheets as floats (`119239.0`) lose the `.0`.
fn id_text(v: Cow<'_, str>) -> Cow<'_, str> {
    let t = v.trim();
    match t.strip_suffix(".0") {
        Some(int) if !int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()) => {
            Cow::Owned(int.to_string())
        }
        _ => v,
    }
}

fn row_signal(
    plan: &Plan,
    r: &csv::ByteRecord,
    model: &Model,
) -> Result<tce_model::Signal, String> {
    let mut stage_ratings = Vec::new();
    for (stage, slot) in &plan.stages {
        if let Some(v) = cell(plan, r, slot)? {
            stage_ratings.push((
                Cow::Borrowed(stage.as_str()),
                number(&v, &format!("stage:{stage}"))?,
            ));
        }
    }
    let draft = Draft {
        id: cell(plan, r, &plan.id)?.map(id_text),
        channel: cell(plan, r, &plan.channel)?,
        text: cell(plan, r, &plan.text)?,
        created_at: cell(plan, r, &plan.created_at)?.map(When::Text),
        brand: cell(plan, r, &plan.brand)?,
        author: cell(plan, r, &plan.author)?,
        author_followers: cell(plan, r, &plan.author_followers)?
            .map(|v| whole(&v, "author_followers"))
            .transpose()?,
        rating: cell(plan, r, &plan.rating)?
            .map(|v| number(&v, "rating"))
            .transpose()?,
        rating_scale: cell(plan, r, &plan.rating_scale)?,
        stage_ratings,
        in_reply_to: cell(plan, r, &plan.in_reply_to)?.map(id_text),
        url: cell(plan, r, &plan.url)?,
        lang: cell(plan, r, &plan.lang)?,
        date_format: plan.date_format.as_deref(),
    };
    draft.into_signal(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_becomes_lf_whatever_the_chunking() {
        let input = b"a\r\nb\rc\r\n\r\r\nd\r";
        for capacity in [1, 2, 3, 64] {
            for out_len in [1, 2, 5, 64] {
                let mut crlf = Crlf::new(std::io::BufReader::with_capacity(capacity, &input[..]));
                let mut got = Vec::new();
                let mut buf = vec![0; out_len];
                loop {
                    let n = crlf.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                assert_eq!(
                    got, b"a\nb\rc\n\r\nd\r",
                    "capacity {capacity}, out {out_len}"
                );
                assert_eq!(crlf.raw_bytes, input.len() as u64);
            }
        }
    }
}
