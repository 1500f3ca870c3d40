//! Social customer care parameters (`[care]`): which signals open cases,
//! where they go, how they are prioritised, and every department's SLA
//! targets and business hours.
//!
//! Like the rest of the model it is parsed through a raw form with spans, so
//! a bad value names file, line and field. The rules that use these values
//! live in `tce-care`; this module only says what they are.

use super::{Channel, Checker, Department, Touchpoint, S};
use crate::Intent;
use chrono::{NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Channel ids that are care-able by default although they are not social
/// (a customer writing there expects an answer). Surveys and in-person
/// channels are not; a channel's `care` flag overrides this.
pub const DEFAULT_CARE_CHANNELS: [&str; 6] = [
    "email",
    "chat",
    "call_center",
    "web",
    "support_portal",
    "community",
];

/// Whether a channel is care-able when its `care` flag is not set: every
/// social channel (posts and reviews), plus the direct contact channels in
/// [`DEFAULT_CARE_CHANNELS`].
pub fn default_care_channel(id: &str, social: bool) -> bool {
    social || DEFAULT_CARE_CHANNELS.contains(&id)
}

/// Parameters of social customer care (`[care]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Care {
    /// Intents that open a care case on an own-brand signal (default:
    /// complaint, question, churn risk). Purchase intent opens a lead instead.
    pub open_intents: Vec<Intent>,
    /// An intent counts when detected with at least this confidence (0–1).
    pub min_intent_confidence: f64,
    /// A rating opens a case when it lies in this bottom share of its scale
    /// (0 = only the lowest value: 1 star, CSAT 1, NPS 0).
    pub bottom_rating_share: f64,
    /// Whether purchase intent about an own brand opens a lead.
    pub open_leads: bool,
    /// Department that gets cases whose signal names no touchpoint.
    pub triage_department: String,
    /// Department that gets leads (purchase intent).
    pub lead_department: String,
    /// How cases are prioritised.
    pub priority: CarePriority,
    /// A same-author post on the same channel within this many hours of the
    /// case's last customer message joins an open case.
    pub thread_window_hours: f64,
    /// A resolved case closes after this many days without a customer reply.
    pub close_after_days: f64,
    /// A case the brand answered is resolved (as of that answer) when the
    /// customer stays quiet for this many days; 0 = never (agents resolve).
    pub resolve_after_reply_days: f64,
    /// An SLA clock is "at risk" once this share of its target is used (0–1).
    pub at_risk_share: f64,
    /// SLA targets per priority as multiples of a department's
    /// `sla_first_response_hours` / `sla_resolution_hours` (P1 first), used
    /// where `[care.departments.<id>]` gives no explicit hours.
    pub sla_factor: [f64; 4],
    /// Cost of one contact (a response) per channel id, in the finance
    /// currency. An assumption to be replaced with your own figures.
    pub cost_per_contact: BTreeMap<String, f64>,
    /// Cost of one contact on a channel not listed (also an assumption).
    pub default_cost_per_contact: f64,
    /// Named business-hours calendars.
    pub business_hours: BTreeMap<String, BusinessHours>,
    /// Care policy of every department of the model, by department id.
    pub departments: BTreeMap<String, DepartmentCare>,
    /// Which settings were left at tce's defaults (shown as such).
    pub defaulted: Vec<String>,
}

impl Care {
    /// The care policy of a department (every model department has one).
    pub fn department(&self, id: &str) -> Option<&DepartmentCare> {
        self.departments.get(id)
    }

    /// The business hours a department works in; `None` means 24/7.
    pub fn hours_of(&self, department: &str) -> Option<&BusinessHours> {
        self.department(department)
            .and_then(|d| d.business_hours.as_deref())
            .and_then(|name| self.business_hours.get(name))
    }

    /// Cost of one contact on a channel (an assumption, see `[care]`).
    pub fn contact_cost(&self, channel: &str) -> f64 {
        self.cost_per_contact
            .get(channel)
            .copied()
            .unwrap_or(self.default_cost_per_contact)
    }
}

/// How a case's priority is computed: a score 0–100 as the sum of each
/// factor (0–1) times its weight, cut into P1–P4 by thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct CarePriority {
    /// Weight of severity: how negative the signal is (−compound, 0–1).
    pub severity: f64,
    /// Weight of churn risk (the churn-risk intent's confidence).
    pub churn_risk: f64,
    /// Weight of reach: log(1 + followers) / log(1 + `reach_full_followers`), capped at 1.
    pub reach: f64,
    /// Weight of the intent (the highest `intent_values` among the signal's intents).
    pub intent: f64,
    /// Weight of the rating: 1 at the bottom of its scale, 0 at the middle or above.
    pub rating: f64,
    /// Followers at which the reach factor reaches 1.
    pub reach_full_followers: f64,
    /// Value (0–1) of each intent for the intent factor.
    pub intent_values: BTreeMap<Intent, f64>,
    /// Lowest scores of P1, P2 and P3 (descending); lower is P4.
    pub thresholds: [f64; 3],
}

impl Default for CarePriority {
    fn default() -> Self {
        CarePriority {
            severity: 40.0,
            churn_risk: 20.0,
            reach: 15.0,
            intent: 15.0,
            rating: 10.0,
            reach_full_followers: 100_000.0,
            intent_values: [
                (Intent::Complaint, 1.0),
                (Intent::ChurnRisk, 1.0),
                (Intent::Question, 0.4),
                (Intent::PurchaseIntent, 0.6),
            ]
            .into_iter()
            .collect(),
            thresholds: [60.0, 40.0, 20.0],
        }
    }
}

/// One department's care policy.
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentCare {
    /// Name of its business-hours calendar in [`Care::business_hours`];
    /// `None` means the SLA clocks run 24/7.
    pub business_hours: Option<String>,
    /// SLA targets per priority, P1 first.
    pub targets: [SlaTarget; 4],
}

/// First-response and resolution targets of one priority, in hours of the
/// department's business time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlaTarget {
    /// Hours to the first response.
    pub first_response_hours: f64,
    /// Hours to resolution.
    pub resolution_hours: f64,
}

/// When a department works: opening hours per weekday in a time zone, and
/// holidays (local dates) on which it is closed.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessHours {
    /// IANA time zone the hours are in.
    pub time_zone: chrono_tz::Tz,
    /// Opening intervals per weekday, Monday first: minutes after local
    /// midnight, `[start, end)`, sorted and disjoint; `end` may be 1440.
    pub week: [Vec<(u16, u16)>; 7],
    /// Local dates on which it is closed all day.
    pub holidays: BTreeSet<NaiveDate>,
}

impl BusinessHours {
    /// Opening intervals on a weekday.
    pub fn day(&self, weekday: Weekday) -> &[(u16, u16)] {
        &self.week[weekday.num_days_from_monday() as usize]
    }
}

// ---- raw form ----

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCare {
    open_intents: Option<S<Vec<S<String>>>>,
    min_intent_confidence: Option<S<f64>>,
    bottom_rating_share: Option<S<f64>>,
    open_leads: Option<bool>,
    triage_department: Option<S<String>>,
    lead_department: Option<S<String>>,
    thread_window_hours: Option<S<f64>>,
    close_after_days: Option<S<f64>>,
    resolve_after_reply_days: Option<S<f64>>,
    at_risk_share: Option<S<f64>>,
    sla_factor: Option<RawPerPriority>,
    #[serde(default)]
    cost_per_contact: BTreeMap<String, S<f64>>,
    default_cost_per_contact: Option<S<f64>>,
    priority: Option<RawPriority>,
    #[serde(default)]
    business_hours: BTreeMap<String, RawBusinessHours>,
    #[serde(default)]
    departments: BTreeMap<String, RawDepartmentCare>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerPriority {
    p1: Option<S<f64>>,
    p2: Option<S<f64>>,
    p3: Option<S<f64>>,
    p4: Option<S<f64>>,
}

impl RawPerPriority {
    fn values(&self) -> [(&'static str, &Option<S<f64>>); 4] {
        [
            ("p1", &self.p1),
            ("p2", &self.p2),
            ("p3", &self.p3),
            ("p4", &self.p4),
        ]
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPriority {
    severity: Option<S<f64>>,
    churn_risk: Option<S<f64>>,
    reach: Option<S<f64>>,
    intent: Option<S<f64>>,
    rating: Option<S<f64>>,
    reach_full_followers: Option<S<f64>>,
    #[serde(default)]
    intent_values: BTreeMap<String, S<f64>>,
    p1: Option<S<f64>>,
    p2: Option<S<f64>>,
    p3: Option<S<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBusinessHours {
    time_zone: S<String>,
    mon: Option<S<Vec<String>>>,
    tue: Option<S<Vec<String>>>,
    wed: Option<S<Vec<String>>>,
    thu: Option<S<Vec<String>>>,
    fri: Option<S<Vec<String>>>,
    sat: Option<S<Vec<String>>>,
    sun: Option<S<Vec<String>>>,
    #[serde(default)]
    holidays: Vec<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDepartmentCare {
    business_hours: Option<S<String>>,
    first_response_hours: Option<RawPerPriority>,
    resolution_hours: Option<RawPerPriority>,
}

impl RawPerPriority {
    fn offset(&self) -> Option<usize> {
        self.values()
            .into_iter()
            .find_map(|(_, v)| v.as_ref().map(|v| v.span().start))
    }
}

impl RawDepartmentCare {
    /// Where it is in the file: its first field (tables carry no span of their own).
    fn offset(&self) -> usize {
        self.business_hours
            .as_ref()
            .map(|b| b.span().start)
            .or_else(|| self.first_response_hours.as_ref().and_then(|p| p.offset()))
            .or_else(|| self.resolution_hours.as_ref().and_then(|p| p.offset()))
            .unwrap_or(0)
    }
}

/// tce's defaults where the file is silent.
const DEFAULT_THREAD_WINDOW_HOURS: f64 = 72.0;
const DEFAULT_CLOSE_AFTER_DAYS: f64 = 7.0;
const DEFAULT_AT_RISK_SHARE: f64 = 0.8;
const DEFAULT_MIN_INTENT_CONFIDENCE: f64 = 0.4;
const DEFAULT_SLA_FACTOR: [f64; 4] = [0.25, 0.5, 1.0, 2.0];
const DEFAULT_COST_PER_CONTACT: f64 = 5.0;

/// Parses `"09:00-17:30"` into minutes after midnight; `24:00` may end a day.
fn parse_interval(s: &str) -> Result<(u16, u16), String> {
    let minutes = |t: &str| -> Option<u16> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
    };
    let bad = || format!("invalid opening hours {s:?}: use \"HH:MM-HH:MM\", e.g. \"09:00-17:30\"");
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let (a, b) = (minutes(a).ok_or_else(bad)?, minutes(b).ok_or_else(bad)?);
    if a >= b {
        return Err(format!("opening hours {s:?} end before they start"));
    }
    Ok((a, b))
}

impl Checker<'_> {
    fn share(&mut self, v: &Option<S<f64>>, field: &str, default: f64, closed: bool) -> f64 {
        match v {
            None => default,
            Some(v) => {
                let x = *v.get_ref();
                let ok = x.is_finite() && x >= 0.0 && (x < 1.0 || (closed && x <= 1.0));
                if !ok {
                    let range = if closed { "0–1" } else { "0 ≤ x < 1" };
                    self.issue(
                        v.span().start,
                        field.into(),
                        format!("must be a share {range}, got {x}"),
                    );
                }
                x
            }
        }
    }

    fn department_ref(
        &mut self,
        v: &Option<S<String>>,
        field: &str,
        known: &HashSet<String>,
        fallback: String,
        defaulted: &mut Vec<String>,
    ) -> String {
        match v {
            Some(v) => self.reference(v, field.into(), known, "department"),
            None => {
                defaulted.push(field.trim_start_matches("care.").to_string());
                fallback
            }
        }
    }

    fn per_priority(&mut self, raw: &RawPerPriority, field: &str, mut out: [f64; 4]) -> [f64; 4] {
        for (i, (name, v)) in raw.values().into_iter().enumerate() {
            if let Some(v) = v {
                out[i] = self.positive(v, format!("{field}.{name}"));
            }
        }
        out
    }

    /// Checks `[care]` against the model's departments, touchpoints and channels.
    pub(super) fn care(
        &mut self,
        raw: Option<RawCare>,
        departments: &[Department],
        touchpoints: &[Touchpoint],
        channels: &[Channel],
    ) -> Care {
        let mut defaulted = Vec::new();
        if raw.is_none() {
            defaulted.push("care".to_string());
        }
        let raw = raw.unwrap_or_default();
        let dept_ids: HashSet<String> = departments.iter().map(|d| d.id.clone()).collect();

        let open_intents = match &raw.open_intents {
            None => vec![Intent::Complaint, Intent::Question, Intent::ChurnRisk],
            Some(list) => {
                let mut out = Vec::new();
                for (i, s) in list.get_ref().iter().enumerate() {
                    let field = format!("care.open_intents[{i}]");
                    match s.get_ref().parse::<Intent>() {
                        Ok(Intent::PurchaseIntent) => self.issue(
                            s.span().start,
                            field,
                            "purchase_intent opens a lead (see `open_leads`), not a care case",
                        ),
                        Ok(intent) => out.push(intent),
                        Err(e) => self.issue(s.span().start, field, e),
                    }
                }
                out
            }
        };

        // Triage: the department owning customer-service touchpoints, else the first.
        let triage_fallback = touchpoints
            .iter()
            .find(|t| t.stage == "customer_service")
            .map(|t| t.department.clone())
            .or_else(|| departments.first().map(|d| d.id.clone()))
            .unwrap_or_default();
        let triage_department = self.department_ref(
            &raw.triage_department,
            "care.triage_department",
            &dept_ids,
            triage_fallback.clone(),
            &mut defaulted,
        );
        let lead_fallback = departments
            .iter()
            .find(|d| d.id == "sales")
            .map(|d| d.id.clone())
            .or_else(|| {
                touchpoints
                    .iter()
                    .find(|t| t.stage == "sales")
                    .map(|t| t.department.clone())
            })
            .unwrap_or(triage_fallback);
        let lead_department = self.department_ref(
            &raw.lead_department,
            "care.lead_department",
            &dept_ids,
            lead_fallback,
            &mut defaulted,
        );

        let priority = self.care_priority(raw.priority.as_ref());
        let sla_factor = match &raw.sla_factor {
            None => DEFAULT_SLA_FACTOR,
            Some(f) => self.per_priority(f, "care.sla_factor", DEFAULT_SLA_FACTOR),
        };

        let channel_ids: HashSet<&str> = channels.iter().map(|c| c.id.as_str()).collect();
        let mut cost_per_contact = BTreeMap::new();
        for (channel, v) in &raw.cost_per_contact {
            let field = format!("care.cost_per_contact.{channel}");
            if !channel_ids.contains(channel.as_str()) {
                self.issue(
                    v.span().start,
                    field,
                    format!("unknown channel {channel:?}"),
                );
            } else {
                let x = self.non_negative(&Some(v.clone()), field, 0.0);
                cost_per_contact.insert(channel.clone(), x);
            }
        }
        if raw.cost_per_contact.is_empty() {
            defaulted.push("cost_per_contact".to_string());
        }

        let mut business_hours = BTreeMap::new();
        for (name, hours) in &raw.business_hours {
            let field = format!("care.business_hours.{name}");
            if let Some(h) = self.business_hours(hours, &field) {
                business_hours.insert(name.clone(), h);
            }
        }

        let mut overrides = BTreeMap::new();
        for (id, d) in &raw.departments {
            if !dept_ids.contains(id) {
                let mut known: Vec<&str> = dept_ids.iter().map(String::as_str).collect();
                known.sort_unstable();
                self.issue(
                    d.offset(),
                    format!("care.departments.{id}"),
                    format!("unknown department {id:?} (known: {})", known.join(", ")),
                );
            }
            if let Some(b) = &d.business_hours {
                if !raw.business_hours.contains_key(b.get_ref()) {
                    let known: Vec<&str> = raw.business_hours.keys().map(String::as_str).collect();
                    self.issue(
                        b.span().start,
                        format!("care.departments.{id}.business_hours"),
                        format!(
                            "unknown business hours {:?} (known: {})",
                            b.get_ref(),
                            if known.is_empty() {
                                "none; define [care.business_hours.<name>]".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                    );
                }
            }
            overrides.insert(id.as_str(), d);
        }
        let departments = departments
            .iter()
            .map(|d| {
                let o = overrides.get(d.id.as_str());
                let base_fr = sla_factor.map(|f| f * d.sla_first_response_hours);
                let base_res = sla_factor.map(|f| f * d.sla_resolution_hours);
                let fr = match o.and_then(|o| o.first_response_hours.as_ref()) {
                    Some(p) => self.per_priority(
                        p,
                        &format!("care.departments.{}.first_response_hours", d.id),
                        base_fr,
                    ),
                    None => base_fr,
                };
                let res = match o.and_then(|o| o.resolution_hours.as_ref()) {
                    Some(p) => self.per_priority(
                        p,
                        &format!("care.departments.{}.resolution_hours", d.id),
                        base_res,
                    ),
                    None => base_res,
                };
                let targets = [0, 1, 2, 3].map(|i| SlaTarget {
                    first_response_hours: fr[i],
                    resolution_hours: res[i],
                });
                let care = DepartmentCare {
                    business_hours: o
                        .and_then(|o| o.business_hours.as_ref())
                        .map(|b| b.get_ref().clone()),
                    targets,
                };
                (d.id.clone(), care)
            })
            .collect();

        Care {
            open_intents,
            min_intent_confidence: self.share(
                &raw.min_intent_confidence,
                "care.min_intent_confidence",
                DEFAULT_MIN_INTENT_CONFIDENCE,
                true,
            ),
            bottom_rating_share: self.share(
                &raw.bottom_rating_share,
                "care.bottom_rating_share",
                0.0,
                false,
            ),
            open_leads: raw.open_leads.unwrap_or(true),
            triage_department,
            lead_department,
            priority,
            thread_window_hours: self.non_negative(
                &raw.thread_window_hours,
                "care.thread_window_hours".into(),
                DEFAULT_THREAD_WINDOW_HOURS,
            ),
            close_after_days: match &raw.close_after_days {
                Some(v) => self.positive(v, "care.close_after_days".into()),
                None => DEFAULT_CLOSE_AFTER_DAYS,
            },
            resolve_after_reply_days: self.non_negative(
                &raw.resolve_after_reply_days,
                "care.resolve_after_reply_days".into(),
                0.0,
            ),
            at_risk_share: match &raw.at_risk_share {
                Some(v) if *v.get_ref() <= 0.0 => {
                    self.issue(
                        v.span().start,
                        "care.at_risk_share".into(),
                        format!("must be a share 0 < x < 1, got {}", v.get_ref()),
                    );
                    DEFAULT_AT_RISK_SHARE
                }
                v => self.share(v, "care.at_risk_share", DEFAULT_AT_RISK_SHARE, false),
            },
            sla_factor,
            cost_per_contact,
            default_cost_per_contact: self.non_negative(
                &raw.default_cost_per_contact,
                "care.default_cost_per_contact".into(),
                DEFAULT_COST_PER_CONTACT,
            ),
            business_hours,
            departments,
            defaulted,
        }
    }

    fn care_priority(&mut self, raw: Option<&RawPriority>) -> CarePriority {
        let mut p = CarePriority::default();
        let Some(raw) = raw else { return p };
        for (name, v, out) in [
            ("severity", &raw.severity, &mut p.severity),
            ("churn_risk", &raw.churn_risk, &mut p.churn_risk),
            ("reach", &raw.reach, &mut p.reach),
            ("intent", &raw.intent, &mut p.intent),
            ("rating", &raw.rating, &mut p.rating),
        ] {
            *out = self.non_negative(v, format!("care.priority.{name}"), *out);
        }
        if let Some(v) = &raw.reach_full_followers {
            p.reach_full_followers = self.positive(v, "care.priority.reach_full_followers".into());
        }
        for (intent, v) in &raw.intent_values {
            let field = format!("care.priority.intent_values.{intent}");
            match intent.parse::<Intent>() {
                Ok(i) => {
                    let x = self.share(&Some(v.clone()), &field, 0.0, true);
                    p.intent_values.insert(i, x);
                }
                Err(e) => self.issue(v.span().start, field, e),
            }
        }
        let mut thresholds = p.thresholds;
        for (i, (name, v)) in [("p1", &raw.p1), ("p2", &raw.p2), ("p3", &raw.p3)]
            .into_iter()
            .enumerate()
        {
            thresholds[i] = self.non_negative(v, format!("care.priority.{name}"), thresholds[i]);
        }
        if !(thresholds[0] > thresholds[1] && thresholds[1] > thresholds[2]) {
            let offset = [&raw.p1, &raw.p2, &raw.p3]
                .into_iter()
                .flatten()
                .map(|v| v.span().start)
                .next()
                .unwrap_or(0);
            self.issue(
                offset,
                "care.priority".into(),
                format!(
                    "thresholds must descend p1 > p2 > p3, got {} > {} > {}",
                    thresholds[0], thresholds[1], thresholds[2]
                ),
            );
        }
        p.thresholds = thresholds;
        p
    }

    fn business_hours(&mut self, h: &RawBusinessHours, field: &str) -> Option<BusinessHours> {
        let time_zone = match h.time_zone.get_ref().parse::<chrono_tz::Tz>() {
            Ok(tz) => Some(tz),
            Err(_) => {
                self.issue(
                    h.time_zone.span().start,
                    format!("{field}.time_zone"),
                    format!(
                        "unknown time zone {:?}: use an IANA name such as \"Europe/London\"",
                        h.time_zone.get_ref()
                    ),
                );
                None
            }
        };
        let mut week: [Vec<(u16, u16)>; 7] = Default::default();
        let days = [
            ("mon", &h.mon),
            ("tue", &h.tue),
            ("wed", &h.wed),
            ("thu", &h.thu),
            ("fri", &h.fri),
            ("sat", &h.sat),
            ("sun", &h.sun),
        ];
        for (i, (name, day)) in days.into_iter().enumerate() {
            let Some(day) = day else { continue };
            let mut intervals = Vec::new();
            for s in day.get_ref() {
                match parse_interval(s) {
                    Ok(iv) => intervals.push(iv),
                    Err(e) => self.issue(day.span().start, format!("{field}.{name}"), e),
                }
            }
            intervals.sort_unstable();
            if intervals.windows(2).any(|w| w[1].0 < w[0].1) {
                self.issue(
                    day.span().start,
                    format!("{field}.{name}"),
                    "opening hours overlap",
                );
            }
            week[i] = intervals;
        }
        if week.iter().all(Vec::is_empty) {
            self.issue(
                h.time_zone.span().start,
                field.into(),
                "no opening hours on any day (set e.g. mon = [\"09:00-17:00\"]; omit business_hours for 24/7)",
            );
        }
        let mut holidays = BTreeSet::new();
        for (i, d) in h.holidays.iter().enumerate() {
            match NaiveDate::parse_from_str(d.get_ref(), "%Y-%m-%d") {
                Ok(date) => {
                    holidays.insert(date);
                }
                Err(_) => self.issue(
                    d.span().start,
                    format!("{field}.holidays[{i}]"),
                    format!("invalid date {:?}: use YYYY-MM-DD", d.get_ref()),
                ),
            }
        }
        Some(BusinessHours {
            time_zone: time_zone?,
            week,
            holidays,
        })
    }
}
