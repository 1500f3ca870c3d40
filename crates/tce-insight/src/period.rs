//! Reporting periods: day, ISO week (starting Monday), calendar month; the
//! date range figures cover, and which periods it covers only in part.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// One calendar day.
    Day,
    /// An ISO week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
}

impl Period {
    /// The first day of the period containing `d`.
    pub fn start(self, d: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => d,
            Period::Week => d - Duration::days(i64::from(d.weekday().num_days_from_monday())),
            Period::Month => d.with_day(1).unwrap_or(d),
        }
    }

    /// The last day of the period containing `d`.
    pub fn end(self, d: NaiveDate) -> NaiveDate {
        let start = self.start(d);
        match self {
            Period::Day => start,
            Period::Week => start + Duration::days(6),
            Period::Month => start
                .checked_add_months(chrono::Months::new(1))
                .map_or(start, |next| next - Duration::days(1)),
        }
    }

    /// The period before the one containing `d` (its first day).
    pub fn previous(self, d: NaiveDate) -> NaiveDate {
        self.start(self.start(d) - Duration::days(1))
    }
}

/// The days a set of figures covers: the asked range narrowed to the days
/// that have data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// First day with data (inclusive).
    pub from: NaiveDate,
    /// Last day with data (inclusive).
    pub to: NaiveDate,
}

impl Coverage {
    /// Days covered, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Whether the period starting at `start` lies only partly inside the
    /// covered days (a week with one day of data at either end).
    pub fn is_partial(&self, period: Period, start: NaiveDate) -> bool {
        period.start(start) < self.from || period.end(start) > self.to
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.days();
        write!(
            f,
            "{} to {} ({days} day{})",
            self.from,
            self.to,
            if days == 1 { "" } else { "s" }
        )
    }
}

impl FromStr for Period {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "day" => Ok(Period::Day),
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            _ => Err(format!("unknown period {s:?} (use day, week or month)")),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(); // a Thursday
        assert_eq!(
            Period::Week.start(d),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        assert_eq!(
            Period::Month.start(d),
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        assert_eq!(Period::Day.start(d), d);
        assert!("year".parse::<Period>().is_err());
        assert_eq!(
            Period::Week.end(d),
            NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
        );
        assert_eq!(
            Period::Month.end(d),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(
            Period::Week.previous(d),
            NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
        );
    }

    #[test]
    fn partial_periods_are_marked() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        // Data from a Sunday to a Monday: both end weeks have one day.
        let c = Coverage {
            from: day(11, 1),
            to: day(11, 16),
        };
        assert!(c.is_partial(Period::Week, day(10, 26)));
        assert!(!c.is_partial(Period::Week, day(11, 2)));
        assert!(!c.is_partial(Period::Week, day(11, 9)));
        assert!(c.is_partial(Period::Week, day(11, 16)));
        assert!(c.is_partial(Period::Month, day(11, 1)));
        assert_eq!(c.to_string(), "2026-11-01 to 2026-11-16 (16 days)");
    }
}
