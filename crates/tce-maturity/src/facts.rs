//! What tce measured in the workspace, as the assessment's evidence: the
//! metric ids an instrument's evidence rules and roadmap may name, and the
//! [`Facts`] the integrator computes from the store (this crate never reads
//! a store). A metric absent from the facts is "not measured".

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The tce capability that measures a metric and whose use moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// The TCE model: touchpoints, their owners, stages (C1).
    Model,
    /// Ingest from every channel and how recent the data is (C2).
    Ingest,
    /// Social customer care: cases, routing, SLA (C7).
    Care,
    /// Early warning: alerts to the owning department (C8).
    EarlyWarning,
    /// Advocates and moments of truth (C9).
    Advocacy,
    /// Ideas from suggestions, for R&D (C9).
    Ideas,
    /// Stage and channel weights derived from data (C5).
    Weights,
    /// Outcomes and the elasticity of sales to experience (C10).
    Finance,
}

impl Capability {
    /// The id used in files and JSON.
    pub fn id(self) -> &'static str {
        match self {
            Capability::Model => "model",
            Capability::Ingest => "ingest",
            Capability::Care => "care",
            Capability::EarlyWarning => "early_warning",
            Capability::Advocacy => "advocacy",
            Capability::Ideas => "ideas",
            Capability::Weights => "weights",
            Capability::Finance => "finance",
        }
    }

    /// The name a page shows.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Model => "TCE model",
            Capability::Ingest => "ingest",
            Capability::Care => "care",
            Capability::EarlyWarning => "early warning",
            Capability::Advocacy => "advocacy",
            Capability::Ideas => "ideas",
            Capability::Weights => "weights",
            Capability::Finance => "finance",
        }
    }
}

/// How a metric's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A share 0–1, written as a percentage.
    Share,
    /// A ratio (1 = on target), written `1.25×`.
    Ratio,
    /// Hours, written `5.2 h`.
    Hours,
    /// Whole days.
    Days,
    /// A count.
    Count,
    /// Yes (1) or no (0).
    Flag,
}

impl Unit {
    /// The value written for people: `42%`, `1.25×`, `5.2 h`, `3 days`, `12`, `yes`.
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Share => format!("{:.0}%", value * 100.0),
            Unit::Ratio => format!("{value:.2}×"),
            Unit::Hours => format!("{value:.1} h"),
            Unit::Days => {
                let d = value.round();
                if d == 1.0 {
                    "1 day".to_string()
                } else {
                    format!("{d:.0} days")
                }
            }
            Unit::Count => format!("{value:.0}"),
            Unit::Flag => (if value >= 0.5 { "yes" } else { "no" }).to_string(),
        }
    }
}

/// A figure tce measures in the workspace. The ids (`Metric::id`) are what
/// instrument files name; `docs/maturity.md` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of the model's touchpoints that have an owner department
    /// (`count` owned of `total`).
    TouchpointsOwnedShare,
    /// First-response time, 90th percentile, divided by the SLA target
    /// (1 = on target; below is better). `n` cases.
    FirstResponseP90SlaRatio,
    /// Share of cases whose first response breached the SLA (`count` of `total`).
    SlaBreachRate,
    /// Share of cases routed to a department other than customer service
    /// (the owner of the touchpoint), `count` of `total`.
    CasesRoutedOutsideServiceShare,
    /// Share of alerts that are work (routed to a department, not
    /// competitive) that a person took up: acknowledged, or resolved
    /// straight from open (`count` of `total`).
    AlertsAcknowledgedShare,
    /// Median (50th percentile) hours from an alert being raised to a person
    /// taking it up. `n` alerts taken up.
    AlertAckHours,
    /// Share of stage weights derived from data rather than configured
    /// (`count` derived of `total` stages).
    StageWeightsDerivedShare,
    /// Periods of business outcomes imported (a count).
    OutcomesImported,
    /// Whether the elasticity of sales to experience is significant (flag).
    ElasticitySignificant,
    /// Authors classed advocate of an own brand (a count).
    AdvocatesIdentified,
    /// Share of moment-of-truth invitations that led the customer to share:
    /// shared ÷ (sent + shared + declined), `count` of `total`.
    MomentOfTruthConversion,
    /// Share of own brands' ideas with a decided status (planned, shipped or
    /// declined), `count` of `total`.
    IdeasDecidedShare,
    /// Share of stages heard through at least one social and one non-social
    /// channel (`count` of `total` stages).
    StagesCoveredShare,
    /// Days since the newest signal.
    DataAgeDays,
}

impl Metric {
    /// Every metric, in documentation order.
    pub const ALL: [Metric; 14] = [
        Metric::TouchpointsOwnedShare,
        Metric::FirstResponseP90SlaRatio,
        Metric::SlaBreachRate,
        Metric::CasesRoutedOutsideServiceShare,
        Metric::AlertsAcknowledgedShare,
        Metric::AlertAckHours,
        Metric::StageWeightsDerivedShare,
        Metric::OutcomesImported,
        Metric::ElasticitySignificant,
        Metric::AdvocatesIdentified,
        Metric::MomentOfTruthConversion,
        Metric::IdeasDecidedShare,
        Metric::StagesCoveredShare,
        Metric::DataAgeDays,
    ];

    /// The id instrument files use.
    pub fn id(self) -> &'static str {
        match self {
            Metric::TouchpointsOwnedShare => "touchpoints_owned_share",
            Metric::FirstResponseP90SlaRatio => "first_response_p90_sla_ratio",
            Metric::SlaBreachRate => "sla_breach_rate",
            Metric::CasesRoutedOutsideServiceShare => "cases_routed_outside_service_share",
            Metric::AlertsAcknowledgedShare => "alerts_acknowledged_share",
            Metric::AlertAckHours => "alert_ack_hours",
            Metric::StageWeightsDerivedShare => "stage_weights_derived_share",
            Metric::OutcomesImported => "outcomes_imported",
            Metric::ElasticitySignificant => "elasticity_significant",
            Metric::AdvocatesIdentified => "advocates_identified",
            Metric::MomentOfTruthConversion => "moment_of_truth_conversion",
            Metric::IdeasDecidedShare => "ideas_decided_share",
            Metric::StagesCoveredShare => "stages_covered_share",
            Metric::DataAgeDays => "data_age_days",
        }
    }

    /// The metric with this id.
    pub fn from_id(id: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.id() == id)
    }

    /// How its value is written.
    pub fn unit(self) -> Unit {
        match self {
            Metric::TouchpointsOwnedShare
            | Metric::SlaBreachRate
            | Metric::CasesRoutedOutsideServiceShare
            | Metric::AlertsAcknowledgedShare
            | Metric::StageWeightsDerivedShare
            | Metric::MomentOfTruthConversion
            | Metric::IdeasDecidedShare
            | Metric::StagesCoveredShare => Unit::Share,
            Metric::FirstResponseP90SlaRatio => Unit::Ratio,
            Metric::AlertAckHours => Unit::Hours,
            Metric::DataAgeDays => Unit::Days,
            Metric::OutcomesImported | Metric::AdvocatesIdentified => Unit::Count,
            Metric::ElasticitySignificant => Unit::Flag,
        }
    }

    /// Whether a higher value is better (false: lower is better).
    pub fn higher_is_better(self) -> bool {
        !matches!(
            self,
            Metric::FirstResponseP90SlaRatio
                | Metric::SlaBreachRate
                | Metric::AlertAckHours
                | Metric::DataAgeDays
        )
    }

    /// The capability that measures it.
    pub fn capability(self) -> Capability {
        match self {
            Metric::TouchpointsOwnedShare => Capability::Model,
            Metric::FirstResponseP90SlaRatio
            | Metric::SlaBreachRate
            | Metric::CasesRoutedOutsideServiceShare => Capability::Care,
            Metric::AlertsAcknowledgedShare | Metric::AlertAckHours => Capability::EarlyWarning,
            Metric::StageWeightsDerivedShare => Capability::Weights,
            Metric::OutcomesImported | Metric::ElasticitySignificant => Capability::Finance,
            Metric::AdvocatesIdentified | Metric::MomentOfTruthConversion => Capability::Advocacy,
            Metric::IdeasDecidedShare => Capability::Ideas,
            Metric::StagesCoveredShare | Metric::DataAgeDays => Capability::Ingest,
        }
    }

    /// One line on what it is, for pages and the documentation.
    pub fn description(self) -> &'static str {
        match self {
            Metric::TouchpointsOwnedShare => "share of touchpoints with an owner department",
            Metric::FirstResponseP90SlaRatio => {
                "first-response time (90th percentile) against the SLA target"
            }
            Metric::SlaBreachRate => "share of cases whose first response breached the SLA",
            Metric::CasesRoutedOutsideServiceShare => {
                "share of cases routed to the owning department outside customer service"
            }
            Metric::AlertsAcknowledgedShare => "share of alerts acknowledged",
            Metric::AlertAckHours => "median time to acknowledge an alert",
            Metric::StageWeightsDerivedShare => "share of stage weights derived from data",
            Metric::OutcomesImported => "periods of business outcomes imported",
            Metric::ElasticitySignificant => "elasticity of sales to experience is significant",
            Metric::AdvocatesIdentified => "advocates identified",
            Metric::MomentOfTruthConversion => "moment-of-truth conversion",
            Metric::IdeasDecidedShare => "share of ideas with a decided status",
            Metric::StagesCoveredShare => {
                "share of stages heard through social and non-social channels"
            }
            Metric::DataAgeDays => "days since the newest data",
        }
    }
}

/// One measured value, with what it was measured from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// The value in the metric's unit (a share is 0–1, a flag 0 or 1).
    pub value: f64,
    /// For "x of y" figures: x.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// For "x of y" figures: y.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// How many observations the value rests on (cases, alerts…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    /// The period measured (`2026-09-01..2026-11-30`, `last 90 days`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
}

impl Fact {
    /// A plain value.
    pub fn value(value: f64) -> Fact {
        Fact {
            value,
            count: None,
            total: None,
            n: None,
            period: None,
        }
    }

    /// `count` of `total` as a share (0 when `total` is 0).
    pub fn share(count: u64, total: u64) -> Fact {
        let value = if total == 0 {
            0.0
        } else {
            count as f64 / total as f64
        };
        Fact {
            count: Some(count),
            total: Some(total),
            ..Fact::value(value)
        }
    }

    /// A count.
    pub fn count(count: u64) -> Fact {
        Fact {
            count: Some(count),
            ..Fact::value(count as f64)
        }
    }

    /// Yes or no.
    pub fn flag(yes: bool) -> Fact {
        Fact::value(if yes { 1.0 } else { 0.0 })
    }

    /// With the number of observations.
    pub fn with_n(mut self, n: u64) -> Fact {
        self.n = Some(n);
        self
    }

    /// With the period measured.
    pub fn with_period(mut self, period: impl Into<String>) -> Fact {
        self.period = Some(period.into());
        self
    }
}

/// A metric's state in a workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Measurement {
    /// Measured.
    Measured(Fact),
    /// Not measured (no cases yet, no outcomes…), with why when known.
    NotMeasured {
        /// Why, for people (`no cases in the period`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

/// Metric → what was measured. A metric absent is not measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// The measurements.
    pub metrics: BTreeMap<Metric, Measurement>,
}

impl Facts {
    /// No facts: every metric not measured.
    pub fn new() -> Facts {
        Facts::default()
    }

    /// Records a measured value.
    pub fn set(&mut self, metric: Metric, fact: Fact) -> &mut Facts {
        self.metrics.insert(metric, Measurement::Measured(fact));
        self
    }

    /// Builder form of [`Facts::set`].
    pub fn with(mut self, metric: Metric, fact: Fact) -> Facts {
        self.set(metric, fact);
        self
    }

    /// Records that a metric could not be measured, and why.
    pub fn not_measured(&mut self, metric: Metric, reason: impl Into<String>) -> &mut Facts {
        self.metrics.insert(
            metric,
            Measurement::NotMeasured {
                reason: Some(reason.into()),
            },
        );
        self
    }

    /// The measured value of a metric, if any.
    pub fn get(&self, metric: Metric) -> Option<&Fact> {
        match self.metrics.get(&metric) {
            Some(Measurement::Measured(f)) => Some(f),
            _ => None,
        }
    }

    /// Why a metric is not measured, if it was recorded.
    pub fn reason(&self, metric: Metric) -> Option<&str> {
        match self.metrics.get(&metric) {
            Some(Measurement::NotMeasured { reason }) => reason.as_deref(),
            _ => None,
        }
    }
}
