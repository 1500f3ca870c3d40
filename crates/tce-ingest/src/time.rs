//! Timestamps as sources write them: RFC 3339 first (the fast path), then the
//! export formats seen in the wild. Values without a zone are UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Formats with an explicit offset, tried after RFC 3339 and RFC 2822.
const ZONED: [&str; 3] = [
    "%a %b %d %H:%M:%S %z %Y", // Twitter v1.1 / twcs: Tue Oct 31 22:10:47 +0000 2017
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
];

/// Formats without a zone, read as UTC.
const NAIVE: [&str; 6] = [
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
];

/// The forms [`parse_timestamp`] accepts, for messages.
pub(crate) const ACCEPTED: &str = "RFC 3339 (2026-03-15T10:00:00Z), YYYY-MM-DD, \
    YYYY-MM-DD HH:MM[:SS], YYYY/MM/DD HH:MM:SS, DD/MM/YYYY HH:MM:SS, \
    Unix seconds or milliseconds";

/// Parses a timestamp; the error says why, for the reject reason. `format`
/// (a chrono/strftime pattern such as `%m/%d/%Y`, from `--date-format`) is
/// tried first; it may hold a date only, a date and time, or an offset.
pub(crate) fn parse_timestamp(value: &str, format: Option<&str>) -> Result<DateTime<Utc>, String> {
    let v = value.trim();
    if let Some(f) = format {
        if let Some(t) = with_format(v, f) {
            return Ok(t);
        }
        return standard(v).map_err(|_| {
            format!(
                "does not match the date format {f:?} (nor one of the accepted forms: {ACCEPTED})"
            )
        });
    }
    standard(v)
}

fn with_format(v: &str, f: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_str(v, f) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(v, f) {
        return Some(Utc.from_utc_datetime(&t));
    }
    NaiveDate::parse_from_str(v, f)
        .ok()
        .map(|d| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)))
}

/// `03/15/2026`, `15.03.26`: day and month in an order only the source knows.
fn looks_like_local_date(v: &str) -> bool {
    let date = v.split([' ', 'T']).next().unwrap_or(v);
    let parts: Vec<&str> = date.split(['/', '.', '-']).collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts[0].len() <= 2
        && parts[1].len() <= 2
        && matches!(parts[2].len(), 2 | 4)
}

fn standard(v: &str) -> Result<DateTime<Utc>, String> {
    let rfc3339 = match DateTime::parse_from_rfc3339(v) {
        Ok(t) => return Ok(t.with_timezone(&Utc)),
        Err(e) => e,
    };
    if let Ok(t) = DateTime::parse_from_rfc2822(v) {
        return Ok(t.with_timezone(&Utc));
    }
    for f in ZONED {
        if let Ok(t) = DateTime::parse_from_str(v, f) {
            return Ok(t.with_timezone(&Utc));
        }
    }
    for f in NAIVE {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, f) {
            return Ok(Utc.from_utc_datetime(&t));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)));
    }
    if let Some(t) = epoch(v) {
        return Ok(t);
    }
    if v.len() >= 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[..4].iter().all(u8::is_ascii_digit)
    {
        // Looks like RFC 3339 but is not: chrono says what is off.
        return Err(format!(
            "{rfc3339} (expected RFC 3339 such as 2026-03-01T10:00:00Z)"
        ));
    }
    if looks_like_local_date(v) {
        return Err(format!(
            "a date in a local form: accepted forms are {ACCEPTED}; \
             name this one with --date-format, e.g. --date-format %m/%d/%Y"
        ));
    }
    Err(format!("not a timestamp (accepted forms: {ACCEPTED})"))
}

/// Unix time in seconds (up to 11 digits, fractions allowed) or milliseconds.
fn epoch(v: &str) -> Option<DateTime<Utc>> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let x: f64 = v.parse().ok()?;
    let ms = if x < 1e11 { x * 1000.0 } else { x };
    DateTime::from_timestamp_millis(ms.round() as i64)
}

/// Seconds since the epoch as Reddit gives them (`created_utc`, a float).
pub(crate) fn from_epoch_seconds(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    DateTime::from_timestamp_millis((seconds * 1000.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_exports_and_explains_the_rest() {
        let ok = |s: &str| {
            parse_timestamp(s, None)
                .map(|t| t.to_rfc3339())
                .unwrap_or_else(|e| e)
        };
        assert_eq!(ok("2026-03-01T10:00:00Z"), "2026-03-01T10:00:00+00:00");
        assert_eq!(ok("2026-03-01T12:00:00+02:00"), "2026-03-01T10:00:00+00:00");
        assert_eq!(
            ok("Tue Oct 31 22:10:47 +0000 2017"),
            "2017-10-31T22:10:47+00:00"
        );
        assert_eq!(ok("2017-10-31 22:10:47"), "2017-10-31T22:10:47+00:00");
        assert_eq!(ok("2017-10-31"), "2017-10-31T00:00:00+00:00");
        assert_eq!(
            ok("Tue, 31 Oct 2017 22:10:47 +0000"),
            "2017-10-31T22:10:47+00:00"
        );
        assert_eq!(ok("1509487847"), "2017-10-31T22:10:47+00:00");
        // The examples of docs/signal-format.md.
        for doc in [
            "2026-03-01T10:00:00Z",
            "2026-03-01T11:00:00+01:00",
            "2026-03-01 10:00:00",
            "2026-03-01T10:00",
            "2026/03/01 10:00:00",
            "01/03/2026 10:00:00",
            "2026-03-01 11:00:00 +0100",
            "1772359200",
            "1772359200000",
        ] {
            assert_eq!(ok(doc), "2026-03-01T10:00:00+00:00", "{doc}");
        }
        assert_eq!(
            ok("2026-03-01T11:00:00.250+01:00"),
            "2026-03-01T10:00:00.250+00:00"
        );
        assert!(ok("yesterday").starts_with("not a timestamp"));
        // Month-first dates are named, with the way to read them.
        let us = ok("03/15/2026");
        assert!(
            us.contains("--date-format") && us.contains("YYYY-MM-DD"),
            "{us}"
        );
        let with = |s: &str, f: &str| {
            parse_timestamp(s, Some(f))
                .map(|t| t.to_rfc3339())
                .unwrap_or_else(|e| e)
        };
        assert_eq!(with("03/15/2026", "%m/%d/%Y"), "2026-03-15T00:00:00+00:00");
        assert_eq!(
            with("03/15/2026 14:05", "%m/%d/%Y %H:%M"),
            "2026-03-15T14:05:00+00:00"
        );
        // Standard forms still read under a format; others say which format failed.
        assert_eq!(
            with("2026-03-15T00:00:00Z", "%m/%d/%Y"),
            "2026-03-15T00:00:00+00:00"
        );
        assert!(with("15/03/2026", "%m/%d/%Y").contains("\"%m/%d/%Y\""));
        assert!(
            ok("2026-13-01T00:00:00Z").contains("out of range"),
            "{}",
            ok("2026-13-01T00:00:00Z")
        );
    }
}
