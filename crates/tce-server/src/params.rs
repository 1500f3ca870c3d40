//! Query parameters shared by the API and the dashboard, checked against the
//! model: unknown brands, channels, stages and touchpoints are a 400 that
//! lists what exists. Empty strings (as HTML forms send them) mean "any".

use crate::error::ApiError;
use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use serde::Deserialize;
use tce_insight::scores::Filter;
use tce_model::{Intent, Model};
use tce_store::SignalQuery;
use utoipa::IntoParams;

/// `None` for absent or blank.
pub fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn ids<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join(", ")
}

/// A brand id, name, handle or alias → the brand id.
pub fn brand(model: &Model, v: &Option<String>) -> Result<Option<String>, ApiError> {
    non_empty(v)
        .map(|b| {
            model.resolve_brand(b).map(str::to_string).ok_or_else(|| {
                ApiError::InvalidParameter(format!(
                    "brand {b:?} is not a brand of the model (brands: {})",
                    ids(model.brands.iter().map(|b| b.id.as_str()))
                ))
            })
        })
        .transpose()
}

/// A channel id of the model.
pub fn channel(model: &Model, v: &Option<String>) -> Result<Option<String>, ApiError> {
    non_empty(v)
        .map(|c| match model.channel(c) {
            Some(ch) => Ok(ch.id.clone()),
            None => Err(ApiError::InvalidParameter(format!(
                "channel {c:?} is not a channel of the model (channels: {})",
                ids(model.channels.iter().map(|c| c.id.as_str()))
            ))),
        })
        .transpose()
}

/// A stage id of the model.
pub fn stage(model: &Model, v: &Option<String>) -> Result<Option<String>, ApiError> {
    non_empty(v)
        .map(|s| match model.stage(s) {
            Some(st) => Ok(st.id.clone()),
            None => Err(ApiError::InvalidParameter(format!(
                "stage {s:?} is not a stage of the model (stages: {})",
                ids(model.stages.iter().map(|s| s.id.as_str()))
            ))),
        })
        .transpose()
}

/// A touchpoint id of the model.
pub fn touchpoint(model: &Model, v: &Option<String>) -> Result<Option<String>, ApiError> {
    non_empty(v)
        .map(|t| match model.touchpoint(t) {
            Some(tp) => Ok(tp.id.clone()),
            None => Err(ApiError::InvalidParameter(format!(
                "touchpoint {t:?} is not a touchpoint of the model (touchpoints: {})",
                ids(model.touchpoints.iter().map(|t| t.id.as_str()))
            ))),
        })
        .transpose()
}

/// A day `YYYY-MM-DD`.
pub fn date(name: &str, v: &Option<String>) -> Result<Option<NaiveDate>, ApiError> {
    non_empty(v)
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                ApiError::InvalidParameter(format!("{name} {s:?}: expected a date YYYY-MM-DD"))
            })
        })
        .transpose()
}

/// A number.
pub fn number(name: &str, v: &Option<String>) -> Result<Option<f64>, ApiError> {
    non_empty(v)
        .map(|s| {
            s.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    ApiError::InvalidParameter(format!("{name} {s:?}: expected a number"))
                })
        })
        .transpose()
}

/// A sentiment bound: a number from −1 to 1 (the compound score's range).
pub fn sentiment(name: &str, v: &Option<String>) -> Result<Option<f64>, ApiError> {
    match number(name, v)? {
        Some(x) if !(-1.0..=1.0).contains(&x) => Err(ApiError::InvalidParameter(format!(
            "{name} {x}: the sentiment compound runs from -1 to 1"
        ))),
        other => Ok(other),
    }
}

/// A time: RFC 3339, or a day (its start for `from`, the next day's start for
/// `to`, so a day range is inclusive).
fn instant(name: &str, v: &Option<String>, end: bool) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(s) = non_empty(v) else {
        return Ok(None);
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        ApiError::InvalidParameter(format!(
            "{name} {s:?}: expected a date YYYY-MM-DD or an RFC 3339 time"
        ))
    })?;
    let day = if end {
        day.checked_add_days(Days::new(1)).unwrap_or(day)
    } else {
        day
    };
    Ok(Some(day.and_time(NaiveTime::MIN).and_utc()))
}

/// The time-range, brand and channel parameters of the score endpoints.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeParams {
    /// First day, YYYY-MM-DD (inclusive).
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (inclusive).
    pub to: Option<String>,
    /// Brand id, name, handle or alias.
    pub brand: Option<String>,
    /// Channel id.
    pub channel: Option<String>,
}

impl RangeParams {
    /// The insight filter.
    pub fn filter(&self, model: &Model) -> Result<Filter, ApiError> {
        let (from, to) = (date("from", &self.from)?, date("to", &self.to)?);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(ApiError::InvalidParameter(format!(
                    "from {f} is after to {t}"
                )));
            }
        }
        Ok(Filter {
            from,
            to,
            brand: brand(model, &self.brand)?,
            channel: channel(model, &self.channel)?,
        })
    }
}

/// The filters of `GET /signals` and of the signals explorer.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignalParams {
    /// Brand id, name, handle or alias (`unknown` for signals without a brand).
    pub brand: Option<String>,
    /// Channel id.
    pub channel: Option<String>,
    /// Signals touching this stage.
    pub stage: Option<String>,
    /// Signals touching this touchpoint.
    pub touchpoint: Option<String>,
    /// Sentiment compound at least this (−1…1).
    pub min_sentiment: Option<String>,
    /// Sentiment compound at most this (−1…1).
    pub max_sentiment: Option<String>,
    /// Intent: complaint, praise, question, suggestion, churn_risk, purchase_intent.
    pub intent: Option<String>,
    /// From this day (YYYY-MM-DD) or time (RFC 3339), inclusive.
    pub from: Option<String>,
    /// To this day (inclusive) or time (RFC 3339, exclusive).
    pub to: Option<String>,
    /// Text contains (case-insensitive for ASCII letters).
    pub q: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–1000 (default 50).
    pub limit: Option<String>,
}

/// Largest page the signal endpoints serve.
pub const MAX_PAGE: usize = 1000;

impl SignalParams {
    /// The store query (cursor left to the caller).
    pub fn query(&self, model: &Model) -> Result<SignalQuery, ApiError> {
        let brand = match non_empty(&self.brand) {
            Some(b) if b == tce_store::UNKNOWN_BRAND => Some(b.to_string()),
            _ => brand(model, &self.brand)?,
        };
        let intent = non_empty(&self.intent)
            .map(|i| {
                i.parse::<Intent>().map_err(|_| {
                    ApiError::InvalidParameter(format!(
                        "intent {i:?}: use one of {}",
                        ids(Intent::ALL.iter().map(|i| i.as_str()))
                    ))
                })
            })
            .transpose()?;
        let limit = match non_empty(&self.limit) {
            None => SignalQuery::DEFAULT_LIMIT,
            Some(s) => match s.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
                _ => {
                    return Err(ApiError::InvalidParameter(format!(
                        "limit {s:?}: expected 1 to {MAX_PAGE}"
                    )))
                }
            },
        };
        let min_sentiment = sentiment("min_sentiment", &self.min_sentiment)?;
        let max_sentiment = sentiment("max_sentiment", &self.max_sentiment)?;
        if let (Some(a), Some(b)) = (min_sentiment, max_sentiment) {
            if a > b {
                return Err(ApiError::InvalidParameter(format!(
                    "min_sentiment {a} is above max_sentiment {b}: no signal can match"
                )));
            }
        }
        let from = instant("from", &self.from, false)?;
        let to = instant("to", &self.to, true)?;
        if let (Some(f), Some(t)) = (from, to) {
            if f >= t {
                return Err(ApiError::InvalidParameter(format!(
                    "from {} is not before to {}",
                    self.from.as_deref().unwrap_or_default().trim(),
                    self.to.as_deref().unwrap_or_default().trim()
                )));
            }
        }
        Ok(SignalQuery {
            brand,
            channel: channel(model, &self.channel)?,
            stage: stage(model, &self.stage)?,
            touchpoint: touchpoint(model, &self.touchpoint)?,
            min_sentiment,
            max_sentiment,
            intent,
            from,
            to,
            text_contains: non_empty(&self.q).map(str::to_string),
            cursor: None,
            limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_ranges_are_inclusive() {
        let to = instant("to", &Some("2026-03-01".into()), true)
            .unwrap()
            .unwrap();
        assert_eq!(to.to_rfc3339(), "2026-03-02T00:00:00+00:00");
        let from = instant("from", &Some("2026-03-01T10:00:00+01:00".into()), false)
            .unwrap()
            .unwrap();
        assert_eq!(from.to_rfc3339(), "2026-03-01T09:00:00+00:00");
        assert!(instant("from", &Some("yesterday".into()), false).is_err());
        assert_eq!(instant("from", &Some("  ".into()), false).unwrap(), None);
    }
}
