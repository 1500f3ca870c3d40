//! X/Twitter API v2 responses (search, timelines, lookups) and recorded HTTP
//! cassettes (vcrpy JSON: `interactions[].response.body.string`) holding them.
//! One signal per tweet in `data`; authors come from `includes.users`.

use crate::record::{Draft, When};
use crate::{IngestError, Parsed, Reject};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use tce_model::Model;

/// The channel X signals land in.
pub(crate) const CHANNEL: &str = "x";

/// Twitter's snowflake epoch (2010-11-04T01:42:54.657Z) in Unix milliseconds.
const SNOWFLAKE_EPOCH_MS: u64 = 1_288_834_974_657;

/// True for a v2 response or a cassette (used by detection).
pub(crate) fn looks_like(doc: &Value) -> bool {
    is_response(doc) || is_cassette(doc)
}

fn is_cassette(doc: &Value) -> bool {
    doc.get("interactions").is_some_and(Value::is_array)
}

/// A v2 response: `data` holding tweets (objects with `text` or `id`), or the
/// empty answer (`meta.result_count` 0, no `data`).
fn is_response(doc: &Value) -> bool {
    let tweetish = |t: &Value| {
        t.get("text").is_some() || (t.get("id").is_some() && t.get("username").is_none())
    };
    match doc.get("data") {
        Some(Value::Array(items)) => items.iter().take(1).all(tweetish),
        Some(data @ Value::Object(_)) => tweetish(data),
        Some(_) => false,
        None => doc
            .get("meta")
            .is_some_and(|m| m.get("result_count").is_some()),
    }
}

/// Every tweet of a response or cassette, in document order.
pub(crate) fn read(
    doc: &Value,
    model: &Model,
    source: &str,
) -> Result<Vec<Result<Parsed, Reject>>, IngestError> {
    let mut out = Vec::new();
    if is_cassette(doc) {
        let mut found = false;
        let interactions = doc.get("interactions").and_then(Value::as_array);
        for interaction in interactions.into_iter().flatten() {
            let Some(body) = interaction.pointer("/response/body") else {
                continue;
            };
            // vcrpy stores the body as text (`{"string": "…"}`); some tools inline the JSON.
            let payload = match body.get("string").unwrap_or(body) {
                Value::String(text) => match serde_json::from_str::<Value>(text) {
                    Ok(v) => v,
                    Err(_) => continue,
                },
                other => other.clone(),
            };
            if is_response(&payload) {
                found = true;
                tweets(&payload, model, source, &mut out);
            }
        }
        if !found {
            return Err(IngestError::NotPayload {
                expected: "an X API v2 response",
                message: "a cassette with no X API v2 tweet response body (gzip-encoded YAML cassettes are not supported)".to_string(),
            });
        }
        return Ok(out);
    }
    if !is_response(doc) {
        return Err(IngestError::NotPayload {
            expected: "an X API v2 response",
            message: "no \"data\" with tweets (expected {\"data\":[{\"id\":…,\"text\":…}],\"includes\":{\"users\":[…]}})"
                .to_string(),
        });
    }
    tweets(doc, model, source, &mut out);
    Ok(out)
}

/// Appends one result per tweet of one response.
fn tweets(doc: &Value, model: &Model, source: &str, out: &mut Vec<Result<Parsed, Reject>>) {
    let mut users: HashMap<&str, (&str, Option<u64>)> = HashMap::new();
    let listed = doc.pointer("/includes/users").and_then(Value::as_array);
    for user in listed.into_iter().flatten() {
        if let (Some(id), Some(name)) = (str_at(user, "id"), str_at(user, "username")) {
            let followers = user
                .pointer("/public_metrics/followers_count")
                .and_then(Value::as_u64);
            users.insert(id, (name, followers));
        }
    }
    let data: Vec<&Value> = match doc.get("data") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    for tweet in data {
        let line = out.len() as u64 + 1;
        out.push(match tweet_signal(tweet, &users, model) {
            Ok(signal) => Ok(Parsed { line, signal }),
            Err(reason) => Err(Reject {
                source: source.to_string(),
                line,
                reason,
                raw: tweet.to_string(),
            }),
        });
    }
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The time a snowflake id encodes.
pub(crate) fn snowflake_time(id: &str) -> Option<DateTime<Utc>> {
    let n: u64 = id.parse().ok()?;
    let ms = (n >> 22).checked_add(SNOWFLAKE_EPOCH_MS)?;
    DateTime::from_timestamp_millis(i64::try_from(ms).ok()?)
}

fn tweet_signal(
    tweet: &Value,
    users: &HashMap<&str, (&str, Option<u64>)>,
    model: &Model,
) -> Result<tce_model::Signal, String> {
    let id = match tweet.get("id") {
        Some(Value::String(s)) => Some(Cow::Borrowed(s.as_str())),
        Some(Value::Number(n)) => Some(Cow::Owned(n.to_string())),
        _ => None,
    };
    let user = str_at(tweet, "author_id").and_then(|a| users.get(a));
    let username = user.map(|u| u.0);
    let created_at = match (
        str_at(tweet, "created_at"),
        id.as_deref().and_then(snowflake_time),
    ) {
        (Some(text), _) => Some(When::Text(Cow::Borrowed(text))),
        (None, Some(t)) => Some(When::At(t)),
        (None, None) => None,
    };
    // Long posts carry their full text in note_tweet.
    let text = tweet
        .pointer("/note_tweet/text")
        .and_then(Value::as_str)
        .or_else(|| str_at(tweet, "text"));
    let in_reply_to = tweet
        .get("referenced_tweets")
        .and_then(Value::as_array)
        .and_then(|refs| {
            refs.iter()
                .find(|r| str_at(r, "type") == Some("replied_to"))
        })
        .and_then(|r| str_at(r, "id"));
    let url = id.as_deref().map(|id| match username {
        Some(name) => format!("https://x.com/{name}/status/{id}"),
        None => format!("https://x.com/i/web/status/{id}"),
    });
    Draft {
        id,
        channel: Some(Cow::Borrowed(CHANNEL)),
        text: text.map(Cow::Borrowed),
        created_at,
        author: username.map(Cow::Borrowed),
        author_followers: user.and_then(|u| u.1),
        in_reply_to: in_reply_to.map(Cow::Borrowed),
        url: url.map(Cow::Owned),
        lang: str_at(tweet, "lang")
            .filter(|l| *l != "und")
            .map(Cow::Borrowed),
        ..Draft::default()
    }
    .into_signal(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflake_ids_carry_their_time() {
        // The tweepy cassette tweet 1578516068309794817 says "2022-10-07 22:42:12.637103".
        let t = snowflake_time("1578516068309794817").map(|t| t.to_rfc3339());
        assert_eq!(t.as_deref(), Some("2022-10-07T22:42:12.752+00:00"));
    }
}
