//! Our record schema and the one validation every format goes through.
//!
//! Each format fills a [`Draft`] (borrowing from its input where it can) and
//! [`Draft::into_signal`] checks it against the model. A rejection is a reason
//! string; the caller adds source, line and the raw record.

use crate::time::parse_timestamp;
use chrono::{DateTime, Utc};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;
use tce_model::{Model, Rating, RatingScale, Signal, StageRating};

/// Fields of our schema (also the CSV mapping targets, beside `stage:<id>`):
/// the model's list, so a saved mapping and `--map` accept the same fields.
pub(crate) use tce_model::CSV_FIELDS as FIELDS;

/// When a record was made: text to parse, or a time the source already decoded.
pub(crate) enum When<'a> {
    Text(Cow<'a, str>),
    At(DateTime<Utc>),
}

/// A record on its way to becoming a signal.
#[derive(Default)]
pub(crate) struct Draft<'a> {
    pub id: Option<Cow<'a, str>>,
    pub channel: Option<Cow<'a, str>>,
    pub text: Option<Cow<'a, str>>,
    pub created_at: Option<When<'a>>,
    pub brand: Option<Cow<'a, str>>,
    pub author: Option<Cow<'a, str>>,
    pub author_followers: Option<u64>,
    pub rating: Option<f64>,
    pub rating_scale: Option<Cow<'a, str>>,
    pub stage_ratings: Vec<(Cow<'a, str>, f64)>,
    pub in_reply_to: Option<Cow<'a, str>>,
    pub url: Option<Cow<'a, str>>,
    pub lang: Option<Cow<'a, str>>,
    /// `--date-format` for `created_at`, tried before the standard forms.
    pub date_format: Option<&'a str>,
}

/// Trimmed, non-empty, owned.
fn present(v: Option<Cow<'_, str>>) -> Option<String> {
    let v = v?;
    let t = v.trim();
    if t.is_empty() {
        None
    } else if t.len() == v.len() {
        Some(v.into_owned())
    } else {
        Some(t.to_string())
    }
}

impl Draft<'_> {
    /// Checks the draft against the model; `Err` is the reject reason.
    pub(crate) fn into_signal(self, model: &Model) -> Result<Signal, String> {
        let external_id = present(self.id).ok_or("missing id")?;
        let channel = match self.channel.as_deref().map(str::trim) {
            None | Some("") => return Err("missing channel".to_string()),
            Some(c) => match model.channel(c) {
                Some(known) => known.id.clone(),
                None => return Err(unknown_channel(c, model)),
            },
        };
        let text = match self.text {
            Some(t) if !t.trim().is_empty() => t.into_owned(),
            _ => return Err("missing text".to_string()),
        };
        let created_at = match self.created_at {
            None => return Err("missing created_at".to_string()),
            Some(When::At(t)) => t,
            Some(When::Text(v)) => parse_timestamp(&v, self.date_format)
                .map_err(|why| format!("bad created_at {:?}: {why}", v.as_ref()))?,
        };
        let brand = match present(self.brand) {
            None => None,
            Some(b) => match model.resolve_brand(&b) {
                Some(id) => Some(id.to_string()),
                None => return Err(unknown_brand(&b, model)),
            },
        };
        let scale = match present(self.rating_scale) {
            None => None,
            Some(s) => Some(
                s.parse::<RatingScale>()
                    .map_err(|e| format!("bad rating_scale: {e}"))?,
            ),
        };
        let rating = match (self.rating, scale) {
            (None, _) => None,
            (Some(_), None) => {
                return Err("rating without rating_scale (give stars5, csat5 or nps10)".to_string())
            }
            (Some(v), Some(scale)) => {
                Some(Rating::new(v, scale).map_err(|e| format!("bad rating: {e}"))?)
            }
        };
        let mut stage_ratings = Vec::with_capacity(self.stage_ratings.len());
        for (stage, value) in self.stage_ratings {
            let Some(known) = model.stage(stage.trim()) else {
                let ids: Vec<&str> = model.stages.iter().map(|s| s.id.as_str()).collect();
                return Err(format!(
                    "unknown stage {:?} in stage_ratings (model stages: {})",
                    stage.as_ref(),
                    ids.join(", ")
                ));
            };
            let Some(scale) = scale else {
                return Err(
                    "stage_ratings without rating_scale (give stars5, csat5 or nps10)".to_string(),
                );
            };
            let rating = Rating::new(value, scale)
                .map_err(|e| format!("bad stage rating for {}: {e}", known.id))?;
            stage_ratings.push(StageRating {
                stage: known.id.clone(),
                rating,
            });
        }
        Ok(Signal {
            channel,
            external_id,
            brand,
            author: present(self.author),
            author_followers: self.author_followers,
            created_at,
            text,
            rating,
            stage_ratings,
            in_reply_to: present(self.in_reply_to),
            url: present(self.url),
            lang: present(self.lang),
        })
    }
}

/// `unknown channel "twitter": did you mean "x"? (model channels: …)`.
pub(crate) fn unknown_channel(c: &str, model: &Model) -> String {
    let ids: Vec<&str> = model.channels.iter().map(|c| c.id.as_str()).collect();
    let hint = model
        .suggest_channel(c)
        .map(|s| format!(": did you mean {s:?}?"))
        .unwrap_or_default();
    format!(
        "unknown channel {c:?}{hint} (model channels: {})",
        ids.join(", ")
    )
}

/// `unknown brand "skyway air": did you mean "skyway"? (model brands: …)`.
pub(crate) fn unknown_brand(b: &str, model: &Model) -> String {
    let ids: Vec<&str> = model.brands.iter().map(|b| b.id.as_str()).collect();
    let hint = model
        .suggest_brand(b)
        .map(|s| format!(": did you mean {s:?}?"))
        .unwrap_or_default();
    format!(
        "unknown brand {b:?}{hint} (model brands: {}; handles and aliases also work)",
        ids.join(", ")
    )
}

/// A JSON parser message for a record that is one line of a file: serde's
/// own position is always "line 1" of the record, which misleads next to the
/// file's line number, so only its column is kept.
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&suffix) {
        Some(message) if e.line() == 1 => format!("{message} (at column {})", e.column()),
        _ => text,
    }
}

/// A line or array element of our schema, borrowing from the input.
#[derive(Deserialize)]
struct JsonRecord<'a> {
    #[serde(borrow, default)]
    id: Option<Id<'a>>,
    #[serde(borrow, default)]
    channel: Option<Str<'a>>,
    #[serde(borrow, default)]
    text: Option<Str<'a>>,
    #[serde(borrow, default)]
    created_at: Option<Str<'a>>,
    #[serde(borrow, default)]
    brand: Option<Str<'a>>,
    #[serde(borrow, default)]
    author: Option<Str<'a>>,
    #[serde(default)]
    author_followers: Option<u64>,
    #[serde(default)]
    rating: Option<f64>,
    #[serde(borrow, default)]
    rating_scale: Option<Str<'a>>,
    #[serde(borrow, default)]
    stage_ratings: Option<StageRatings<'a>>,
    #[serde(borrow, default)]
    in_reply_to: Option<Id<'a>>,
    #[serde(borrow, default)]
    url: Option<Str<'a>>,
    #[serde(borrow, default)]
    lang: Option<Str<'a>>,
}

impl<'a> JsonRecord<'a> {
    fn into_draft(self) -> Draft<'a> {
        Draft {
            id: self.id.map(|i| i.0),
            channel: self.channel.map(|s| s.0),
            text: self.text.map(|s| s.0),
            created_at: self.created_at.map(|s| When::Text(s.0)),
            brand: self.brand.map(|s| s.0),
            author: self.author.map(|s| s.0),
            author_followers: self.author_followers,
            rating: self.rating,
            rating_scale: self.rating_scale.map(|s| s.0),
            stage_ratings: self.stage_ratings.map(|s| s.0).unwrap_or_default(),
            in_reply_to: self.in_reply_to.map(|i| i.0),
            url: self.url.map(|s| s.0),
            lang: self.lang.map(|s| s.0),
            date_format: None,
        }
    }
}

/// Parses one record of our schema (one line of a file); `Err` is the reject
/// reason. `date_format` as [`Draft::date_format`].
pub(crate) fn parse_json_record(
    text: &str,
    model: &Model,
    date_format: Option<&str>,
) -> Result<Signal, String> {
    // serde would read a JSON array positionally into the struct.
    if text.bytes().find(|b| !b.is_ascii_whitespace()) != Some(b'{') {
        return Err(match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => format!("expected a JSON object, got {}", kind(&v)),
            Err(e) => format!("malformed JSON: {}", json_message(&e)),
        });
    }
    match serde_json::from_str::<JsonRecord<'_>>(text) {
        Ok(record) => Draft {
            date_format,
            ..record.into_draft()
        }
        .into_signal(model),
        Err(e) if e.is_data() => Err(diagnose(text, &e)),
        Err(e) => Err(format!("malformed JSON: {}", json_message(&e))),
    }
}

/// Checks one already-parsed JSON value (an element of an array body).
pub(crate) fn json_value_record(
    value: &serde_json::Value,
    model: &Model,
) -> Result<Signal, String> {
    if !value.is_object() {
        return Err(format!("expected a JSON object, got {}", kind(value)));
    }
    match JsonRecord::deserialize(value) {
        Ok(record) => record.into_draft().into_signal(model),
        Err(e) => Err(diagnose_value(value).unwrap_or_else(|| format!("invalid record: {e}"))),
    }
}

/// Says which field has the wrong type: serde's message does not name it.
fn diagnose(text: &str, error: &serde_json::Error) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| diagnose_value(&v))
        .unwrap_or_else(|| format!("invalid record: {}", json_message(error)))
}

fn diagnose_value(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    let Value::Object(map) = value else {
        return Some(format!("expected a JSON object, got {}", kind(value)));
    };
    let expect = |field: &str, what: &str, ok: fn(&Value) -> bool| -> Option<String> {
        let v = map.get(field)?;
        if v.is_null() || ok(v) {
            None
        } else {
            Some(format!("bad {field}: expected {what}, got {}", short(v)))
        }
    };
    let string = |v: &Value| v.is_string();
    let id = |v: &Value| v.is_string() || v.is_i64() || v.is_u64();
    for f in [
        "channel",
        "text",
        "created_at",
        "brand",
        "author",
        "rating_scale",
        "url",
        "lang",
    ] {
        if let Some(m) = expect(f, "a string", string) {
            return Some(m);
        }
    }
    for f in ["id", "in_reply_to"] {
        if let Some(m) = expect(f, "a string or an integer", id) {
            return Some(m);
        }
    }
    if let Some(m) = expect("author_followers", "a non-negative integer", |v| v.is_u64()) {
        return Some(m);
    }
    if let Some(m) = expect("rating", "a number", Value::is_number) {
        return Some(m);
    }
    if let Some(v) = map.get("stage_ratings") {
        match v {
            Value::Null => {}
            Value::Object(stages) => {
                if let Some((stage, bad)) = stages.iter().find(|(_, r)| !r.is_number()) {
                    return Some(format!(
                        "bad stage_ratings.{stage}: expected a number, got {}",
                        short(bad)
                    ));
                }
            }
            _ => {
                return Some(format!(
                    "bad stage_ratings: expected an object {{\"<stage id>\": number}}, got {}",
                    short(v)
                ))
            }
        }
    }
    None
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A value for a message, cut short.
fn short(v: &serde_json::Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// A string borrowed from the input when it has no escapes.
struct Str<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// An external id: a string, or an integer written as a number.
struct Id<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Id<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Id<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Id(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Id(Cow::Owned(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

/// `{"<stage id>": number, …}` in file order.
struct StageRatings<'a>(Vec<(Cow<'a, str>, f64)>);

impl<'de: 'a, 'a> Deserialize<'de> for StageRatings<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StageRatings<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of stage id to number")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((stage, value)) = map.next_entry::<Str<'de>, f64>()? {
                    out.push((stage.0, value));
                }
                Ok(StageRatings(out))
            }
        }
        d.deserialize_map(V)
    }
}
