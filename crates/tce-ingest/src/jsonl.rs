//! JSON Lines of our schema, streamed: one reused buffer, one line at a time,
//! so memory stays bounded whatever the file size.

use crate::record::parse_json_record;
use crate::{Parsed, Reject};
use std::io::{BufRead, Read};
use tce_model::Model;

/// Longest record accepted; a longer line is rejected and skipped, so one
/// runaway line cannot exhaust memory.
pub(crate) const MAX_RECORD_BYTES: usize = 16 << 20;

/// Reads records line by line from any buffered input.
pub(crate) struct LineReader<R> {
    input: R,
    buf: Vec<u8>,
    line: u64,
    bytes_read: u64,
    source: String,
    done: bool,
    /// `--date-format` for `created_at`.
    date_format: Option<String>,
}

impl<R: BufRead> LineReader<R> {
    pub(crate) fn new(input: R, source: String, date_format: Option<String>) -> LineReader<R> {
        LineReader {
            date_format,
            input,
            buf: Vec::with_capacity(4096),
            line: 0,
            bytes_read: 0,
            source,
            done: false,
        }
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The next record, skipping blank lines; `None` at the end of input.
    pub(crate) fn next_record(&mut self, model: &Model) -> Option<Result<Parsed, Reject>> {
        while !self.done {
            // Fast path: the whole line is in the read buffer, parse it in place.
            let chunk = match self.input.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) => return Some(Err(self.fail(e))),
            };
            if chunk.is_empty() {
                self.done = true;
                return None;
            }
            if let Some(end) = memchr::memchr(b'\n', chunk) {
                self.line += 1;
                let result = record(
                    &chunk[..end],
                    self.line,
                    &self.source,
                    model,
                    self.date_format.as_deref(),
                );
                self.input.consume(end + 1);
                self.bytes_read += end as u64 + 1;
                match result {
                    Some(r) => return Some(r),
                    None => continue,
                }
            }
            // The line runs past the buffer: gather it, up to the size limit.
            self.buf.clear();
            let limit = MAX_RECORD_BYTES as u64 + 1;
            let n = match Read::by_ref(&mut self.input)
                .take(limit)
                .read_until(b'\n', &mut self.buf)
            {
                Ok(n) => n,
                Err(e) => return Some(Err(self.fail(e))),
            };
            self.line += 1;
            self.bytes_read += n as u64;
            if self.buf.last() != Some(&b'\n') && n as u64 == limit {
                let skipped = self.skip_line();
                let head =
                    String::from_utf8_lossy(&self.buf[..200.min(self.buf.len())]).into_owned();
                let reason = format!(
                    "record longer than {} MiB ({} bytes)",
                    MAX_RECORD_BYTES >> 20,
                    n as u64 + skipped
                );
                return Some(Err(reject(&self.source, self.line, reason, head)));
            }
            let line = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
            if let Some(r) = record(
                line,
                self.line,
                &self.source,
                model,
                self.date_format.as_deref(),
            ) {
                return Some(r);
            }
        }
        None
    }

    /// A read error ends the input.
    fn fail(&mut self, e: std::io::Error) -> Reject {
        self.done = true;
        self.line += 1;
        reject(
            &self.source,
            self.line,
            format!("read error: {e}"),
            String::new(),
        )
    }

    /// Discards the rest of an over-long line; returns how many bytes.
    fn skip_line(&mut self) -> u64 {
        let mut skipped = 0u64;
        loop {
            let (used, found) = match self.input.fill_buf() {
                Ok([]) | Err(_) => return skipped,
                Ok(chunk) => match memchr::memchr(b'\n', chunk) {
                    Some(i) => (i + 1, true),
                    None => (chunk.len(), false),
                },
            };
            self.input.consume(used);
            skipped += used as u64;
            self.bytes_read += used as u64;
            if found {
                return skipped;
            }
        }
    }
}

/// One line (without its `\n`) as a record; `None` for a blank line.
fn record(
    bytes: &[u8],
    line: u64,
    source: &str,
    model: &Model,
    date_format: Option<&str>,
) -> Option<Result<Parsed, Reject>> {
    let bytes = trim_line(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let reason = format!("invalid UTF-8 at byte {}", e.valid_up_to());
            return Some(Err(reject(
                source,
                line,
                reason,
                String::from_utf8_lossy(bytes).into_owned(),
            )));
        }
    };
    Some(match parse_json_record(text, model, date_format) {
        Ok(signal) => Ok(Parsed { line, signal }),
        Err(reason) => Err(reject(source, line, reason, text.to_string())),
    })
}

fn reject(source: &str, line: u64, reason: String, raw: String) -> Reject {
    Reject {
        source: source.to_string(),
        line,
        reason,
        raw,
    }
}

/// The line without a `\r` before its `\n` and without a leading BOM.
fn trim_line(mut b: &[u8]) -> &[u8] {
    if let [rest @ .., b'\r'] = b {
        b = rest;
    }
    b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b)
}
