//! Reddit listings: `{"kind":"Listing","data":{"children":[…]}}`, or an array
//! of them as a comment page returns (the post, then its comment tree).
//! Posts (`t3`) and comments (`t1`) become signals; comment `replies` are
//! walked; `more` stubs and deleted or removed items are skipped.

use crate::record::{Draft, When};
use crate::time::from_epoch_seconds;
use crate::{IngestError, Parsed, Reject};
use serde_json::Value;
use std::borrow::Cow;
use tce_model::Model;

/// The channel Reddit signals land in.
pub(crate) const CHANNEL: &str = "reddit";

/// True for a listing, an array of listings, or a single post/comment thing.
pub(crate) fn looks_like(doc: &Value) -> bool {
    match doc {
        Value::Array(items) => !items.is_empty() && items.iter().all(is_listing),
        _ => is_listing(doc) || is_thing(doc),
    }
}

fn is_listing(v: &Value) -> bool {
    v.get("kind").and_then(Value::as_str) == Some("Listing")
}

fn is_thing(v: &Value) -> bool {
    matches!(v.get("kind").and_then(Value::as_str), Some("t1" | "t3")) && v.get("data").is_some()
}

/// Every post and comment in document order (depth first).
pub(crate) fn read(
    doc: &Value,
    model: &Model,
    source: &str,
) -> Result<Vec<Result<Parsed, Reject>>, IngestError> {
    if !looks_like(doc) {
        return Err(IngestError::NotPayload {
            expected: "a Reddit listing",
            message: "expected {\"kind\":\"Listing\",\"data\":{\"children\":[…]}} or an array of listings".to_string(),
        });
    }
    let mut out = Vec::new();
    walk(doc, model, source, &mut out);
    Ok(out)
}

fn walk(v: &Value, model: &Model, source: &str, out: &mut Vec<Result<Parsed, Reject>>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| walk(i, model, source, out)),
        _ if is_listing(v) => {
            let children = v.pointer("/data/children").and_then(Value::as_array);
            children
                .into_iter()
                .flatten()
                .for_each(|c| walk(c, model, source, out));
        }
        _ if is_thing(v) => {
            let Some(data) = v.get("data") else { return };
            if let Some(result) = thing(v, data, model, source, out.len() as u64 + 1) {
                out.push(result);
            }
            // `replies` is a listing, or "" when there are none.
            if let Some(replies) = data.get("replies").filter(|r| r.is_object()) {
                walk(replies, model, source, out);
            }
        }
        _ => {} // `more` stubs and other kinds
    }
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A body or author Reddit blanked out.
fn gone(s: &str) -> bool {
    matches!(s.trim(), "" | "[deleted]" | "[removed]")
}

/// One post or comment; `None` when it was deleted or removed.
fn thing(
    v: &Value,
    data: &Value,
    model: &Model,
    source: &str,
    line: u64,
) -> Option<Result<Parsed, Reject>> {
    let kind = str_at(v, "kind").unwrap_or("t1");
    let text: Cow<'_, str> = if kind == "t3" {
        let title = str_at(data, "title").unwrap_or("").trim();
        let body = str_at(data, "selftext").filter(|s| !gone(s));
        match body {
            _ if title.is_empty() => return None,
            Some(body) => Cow::Owned(format!("{title}\n\n{body}")),
            None => Cow::Borrowed(title),
        }
    } else {
        match str_at(data, "body") {
            Some(body) if !gone(body) => Cow::Borrowed(body),
            _ => return None,
        }
    };
    let id = str_at(data, "name")
        .map(Cow::Borrowed)
        .or_else(|| str_at(data, "id").map(|id| Cow::Owned(format!("{kind}_{id}"))));
    let created_at = data
        .get("created_utc")
        .and_then(Value::as_f64)
        .and_then(from_epoch_seconds)
        .map(When::At);
    let url = match str_at(data, "permalink") {
        Some(p) => Some(format!(
            "https://www.reddit.com{}",
            p.split('?').next().unwrap_or(p)
        )),
        // Comments in listings have no permalink: build it from the post id.
        None => match (
            str_at(data, "subreddit"),
            str_at(data, "link_id"),
            str_at(data, "id"),
        ) {
            (Some(sub), Some(link), Some(id)) => Some(format!(
                "https://www.reddit.com/r/{sub}/comments/{}/_/{id}/",
                link.trim_start_matches("t3_")
            )),
            _ => None,
        },
    };
    let draft = Draft {
        id,
        channel: Some(Cow::Borrowed(CHANNEL)),
        text: Some(text),
        created_at,
        author: str_at(data, "author")
            .filter(|a| !gone(a))
            .map(Cow::Borrowed),
        in_reply_to: str_at(data, "parent_id").map(Cow::Borrowed),
        url: url.map(Cow::Owned),
        ..Draft::default()
    };
    Some(match draft.into_signal(model) {
        Ok(signal) => Ok(Parsed { line, signal }),
        Err(reason) => Err(Reject {
            source: source.to_string(),
            line,
            reason,
            raw: data.to_string(),
        }),
    })
}
