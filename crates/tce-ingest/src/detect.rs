//! Format detection from the first bytes of an input.
//!
//! A complete first line that parses as JSON is classified by its shape; a
//! document cut off by the end of the head is recognised by its keys
//! (`"kind": "Listing"`, `"interactions"`, `"data"`); anything that does not
//! start with `{` or `[` is CSV.

use crate::{reddit, twitter, Format};
use serde_json::Value;

/// The format of an input, guessed from its first bytes (a few KiB is plenty;
/// more lets whole small documents be classified by their shape).
pub fn detect(head: &[u8]) -> Format {
    let body = skip_space(head);
    match body.first() {
        Some(b'[') => {
            if let Ok(doc) = serde_json::from_slice::<Value>(body) {
                return classify(&doc).unwrap_or(Format::Jsonl);
            }
            if has_key_value(body, b"kind", b"\"Listing\"") {
                Format::Reddit
            } else {
                Format::Jsonl
            }
        }
        Some(b'{') => {
            let first_line = body.split(|&b| b == b'\n').next().unwrap_or(body);
            if let Ok(doc) = serde_json::from_slice::<Value>(first_line) {
                return classify(&doc).unwrap_or(Format::Jsonl);
            }
            if let Ok(doc) = serde_json::from_slice::<Value>(body) {
                return classify(&doc).unwrap_or(Format::Jsonl);
            }
            if has_key_value(body, b"kind", b"\"Listing\"") {
                Format::Reddit
            } else if has_key_value(body, b"interactions", b"[")
                || has_key_value(body, b"data", b"[")
                || has_key_value(body, b"data", b"{")
            {
                Format::TwitterV2
            } else {
                Format::Jsonl
            }
        }
        _ => Format::Csv,
    }
}

/// The format of a parsed JSON document: `None` when it is neither an X
/// response nor a Reddit listing (then it is records of our schema).
pub(crate) fn classify(doc: &Value) -> Option<Format> {
    // Our records may carry extra fields such as "data"; X and Reddit
    // documents never have a top-level "channel".
    if doc.get("channel").is_some() {
        None
    } else if reddit::looks_like(doc) {
        Some(Format::Reddit)
    } else if twitter::looks_like(doc) {
        Some(Format::TwitterV2)
    } else {
        None
    }
}

/// The input after a byte-order mark and whitespace.
pub(crate) fn skip_space(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}

/// True if `"key"` appears followed by `:` and a value starting with `value`.
fn has_key_value(hay: &[u8], key: &[u8], value: &[u8]) -> bool {
    let mut quoted = Vec::with_capacity(key.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(key);
    quoted.push(b'"');
    let mut rest = hay;
    while let Some(at) = rest
        .windows(quoted.len())
        .position(|w| w == quoted.as_slice())
    {
        let after = skip_space(&rest[at + quoted.len()..]);
        if let Some(after) = after.strip_prefix(b":") {
            if skip_space(after).starts_with(value) {
                return true;
            }
        }
        rest = &rest[at + 1..];
    }
    false
}
