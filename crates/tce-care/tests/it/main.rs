//! Integration tests of the care core: opening rule, routing, priority,
//! SLA clocks on a fixed clock, workflow and threads.

// Helpers fail like tests do: by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod props;
mod rules;
mod sla;
mod thread;
mod twcs;
mod workflow;

use chrono::{DateTime, Utc};
use std::path::Path;
use tce_care::{rules::Opening, Case, CaseId};
use tce_model::{
    EnrichedSignal, Enrichment, Intent, IntentScore, Model, Rating, SentimentLabel, Signal,
    TouchpointMatch,
};

/// A built-in template's model.
pub fn template(name: &str) -> Model {
    let t = tce_model::templates::template(name).unwrap();
    Model::parse(t.toml, Path::new(name)).unwrap()
}

/// A small model with explicit SLA targets and business hours (all SLA
/// factors 1, so each department's targets are its own hours).
pub const SMALL: &str = r#"
[[stages]]
id = "operations"

[[departments]]
id = "ops"
name = "Operations"
sla_first_response_hours = 4
sla_resolution_hours = 16

[[departments]]
id = "care"
name = "Customer care"
sla_first_response_hours = 1
sla_resolution_hours = 24

[[departments]]
id = "nights"
name = "Night desk"
sla_first_response_hours = 24
sla_resolution_hours = 48

[[departments]]
id = "sales"
name = "Sales"

[[touchpoints]]
id = "delay"
name = "Delays"
stage = "operations"
department = "ops"
phrases = ["delay"]

[[touchpoints]]
id = "refund"
name = "Refunds"
stage = "operations"
department = "care"
phrases = ["refund"]

[[channels]]
id = "x"
social = true

[[channels]]
id = "survey"

[[channels]]
id = "email"

[[brands]]
id = "acme"
own = true
handles = ["@Acme", "@AcmeHelp"]

[[brands]]
id = "rival"
handles = ["@Rival"]

[care]
triage_department = "care"
lead_department = "sales"
thread_window_hours = 48
close_after_days = 7
at_risk_share = 0.8

[care.sla_factor]
p1 = 1
p2 = 1
p3 = 1
p4 = 1

[care.business_hours.london]
time_zone = "Europe/London"
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]
wed = ["09:00-17:00"]
thu = ["09:00-17:00"]
fri = ["09:00-17:00"]
holidays = ["2027-12-24", "2027-12-27"]

[care.business_hours.new_york_sundays]
time_zone = "America/New_York"
sun = ["00:00-24:00"]

[care.departments.ops]
business_hours = "london"

[care.departments.nights]
business_hours = "new_york_sundays"
"#;

/// [`SMALL`] parsed.
pub fn small() -> Model {
    Model::parse(SMALL, Path::new("small.toml")).unwrap()
}

/// An RFC 3339 instant.
pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A customer signal on `channel` by `author` at `at`.
pub fn signal(channel: &str, id: &str, author: &str, at: &str) -> Signal {
    Signal {
        channel: channel.into(),
        external_id: id.into(),
        brand: None,
        author: Some(author.into()),
        author_followers: None,
        created_at: t(at),
        text: format!("message {id}"),
        rating: None,
        stage_ratings: Vec::new(),
        in_reply_to: None,
        url: None,
        lang: None,
    }
}

/// What enrichment would say of a signal.
#[derive(Clone, Default)]
pub struct Says {
    /// Brand id.
    pub brand: Option<&'static str>,
    /// Compound sentiment.
    pub sentiment: f64,
    /// Intents with confidence.
    pub intents: Vec<(Intent, f32)>,
    /// Touchpoints with confidence.
    pub touchpoints: Vec<(&'static str, f32)>,
}

/// `signal` with the enrichment `says`, touchpoint stages from `model`.
pub fn enriched(model: &Model, signal: Signal, says: &Says) -> EnrichedSignal {
    let experience_value = signal
        .rating
        .map_or(says.sentiment, |r: Rating| r.experience_value());
    EnrichedSignal {
        enrichment: Enrichment {
            engine: "test".into(),
            sentiment: says.sentiment,
            sentiment_label: SentimentLabel::from_compound(says.sentiment),
            intents: says
                .intents
                .iter()
                .map(|&(intent, confidence)| IntentScore { intent, confidence })
                .collect(),
            touchpoints: says
                .touchpoints
                .iter()
                .map(|&(tp, confidence)| TouchpointMatch {
                    touchpoint: tp.into(),
                    stage: model
                        .touchpoint(tp)
                        .map_or(String::new(), |t| t.stage.clone()),
                    confidence,
                })
                .collect(),
            brand: says.brand.map(str::to_string),
            priority: 0.0,
            experience_value,
            brand_post: false,
        },
        signal,
    }
}

/// A complaint about the own brand `acme` of [`SMALL`].
pub fn complaint(touchpoints: Vec<(&'static str, f32)>) -> Says {
    Says {
        brand: Some("acme"),
        sentiment: -0.6,
        intents: vec![(Intent::Complaint, 0.8)],
        touchpoints,
    }
}

/// Opens a case from a signal that must open one.
pub fn open(model: &Model, id: u64, s: &EnrichedSignal) -> Case {
    let opening: Opening = tce_care::rules::decide(model, s).unwrap();
    Case::open(CaseId(id), opening, model).unwrap().0
}
