//! Early-warning parameters (`[alerts]`): whether detection runs, where
//! opportunity alerts go, how webhooks are retried, and the detector's own
//! settings.
//!
//! The detector's settings (`bucket_secs`, `threshold_p`, … — docs/alerts.md
//! §6) are kept as written: `tce-alert` owns their names, defaults and rules
//! and checks them when the pipeline opens, naming the field. This module
//! checks what belongs to the model (departments).

use super::{Checker, Department, S};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

/// Early-warning parameters (`[alerts]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Alerts {
    /// Whether ingest runs the detector (default true).
    pub enabled: bool,
    /// Whether a surge of praise for an own brand raises an opportunity
    /// alert (default true).
    pub opportunities: bool,
    /// Department that gets opportunity alerts (default `marketing` when the
    /// model has it, else the care triage department).
    pub opportunity_department: String,
    /// Attempts of a webhook delivery before it is dead-lettered (default 8).
    pub webhook_attempts: u32,
    /// Timeout of one webhook attempt, seconds (default 10).
    pub webhook_timeout_secs: u32,
    /// Delay before the second attempt, seconds; it doubles with each
    /// further attempt (default 5).
    pub webhook_base_delay_secs: u32,
    /// The detector's settings as written (every other key of `[alerts]`),
    /// for `tce_alert::Settings`.
    pub detector: BTreeMap<String, toml::Value>,
}

impl Alerts {
    /// Default attempts of a webhook delivery.
    pub const DEFAULT_WEBHOOK_ATTEMPTS: u32 = 8;
    /// Default timeout of one attempt.
    pub const DEFAULT_WEBHOOK_TIMEOUT_SECS: u32 = 10;
    /// Default delay before the second attempt.
    pub const DEFAULT_WEBHOOK_BASE_DELAY_SECS: u32 = 5;
}

#[derive(Deserialize, Default)]
pub(super) struct RawAlerts {
    enabled: Option<bool>,
    opportunities: Option<bool>,
    opportunity_department: Option<String>,
    webhook_attempts: Option<i64>,
    webhook_timeout_secs: Option<i64>,
    webhook_base_delay_secs: Option<i64>,
    #[serde(flatten)]
    detector: BTreeMap<String, toml::Value>,
}

impl Checker<'_> {
    /// Checks `[alerts]` (`offset`: where the table starts, for messages).
    pub(super) fn alerts(
        &mut self,
        raw: Option<S<RawAlerts>>,
        departments: &[Department],
        triage_department: &str,
    ) -> Alerts {
        let offset = raw.as_ref().map(|r| r.span().start).unwrap_or(0);
        let raw = raw.map(S::into_inner).unwrap_or_default();
        let known: HashSet<&str> = departments.iter().map(|d| d.id.as_str()).collect();
        let opportunity_department = match raw.opportunity_department {
            Some(d) => {
                if !known.contains(d.as_str()) {
                    let mut options: Vec<&str> = known.iter().copied().collect();
                    options.sort_unstable();
                    self.issue(
                        offset,
                        "alerts.opportunity_department".into(),
                        format!("unknown department {d:?} (known: {})", options.join(", ")),
                    );
                }
                d
            }
            None if known.contains("marketing") => "marketing".into(),
            None => triage_department.to_owned(),
        };
        let mut count = |v: Option<i64>, field: &str, default: u32, max: i64| match v {
            None => default,
            Some(n) if (1..=max).contains(&n) => n as u32,
            Some(n) => {
                self.issue(
                    offset,
                    format!("alerts.{field}"),
                    format!("{n}: must be between 1 and {max}"),
                );
                default
            }
        };
        let webhook_attempts = count(
            raw.webhook_attempts,
            "webhook_attempts",
            Alerts::DEFAULT_WEBHOOK_ATTEMPTS,
            100,
        );
        let webhook_timeout_secs = count(
            raw.webhook_timeout_secs,
            "webhook_timeout_secs",
            Alerts::DEFAULT_WEBHOOK_TIMEOUT_SECS,
            300,
        );
        let webhook_base_delay_secs = count(
            raw.webhook_base_delay_secs,
            "webhook_base_delay_secs",
            Alerts::DEFAULT_WEBHOOK_BASE_DELAY_SECS,
            3600,
        );
        Alerts {
            webhook_base_delay_secs,
            enabled: raw.enabled.unwrap_or(true),
            opportunities: raw.opportunities.unwrap_or(true),
            opportunity_department,
            webhook_attempts,
            webhook_timeout_secs,
            detector: raw.detector,
        }
    }
}
