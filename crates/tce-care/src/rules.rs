//! Which signal opens what, where it goes and how urgent it is.
//!
//! - A post by one of a brand's handles is the brand speaking, not a
//!   customer: an own-brand reply to a case's message is recorded as a
//!   response; no brand post ever opens a case (or should be scored).
//! - A customer signal about an own brand on a care-able channel opens a
//!   care case when it carries an opening intent (`[care] open_intents`,
//!   default complaint, question, churn risk) or rates at the bottom of its
//!   scale; purchase intent opens a lead for `[care] lead_department`.
//!   Competitors' signals never open cases.
//! - A care case goes to the department owning the signal's top touchpoint,
//!   else to `[care] triage_department`, and says why.
//! - Priority P1–P4 from a 0–100 score: Σ weight × factor over severity,
//!   churn risk, reach (log followers), intent and rating.

use crate::thread::{self, Join};
use crate::{
    Case, CaseId, CaseKind, Factor, FactorContribution, Party, Priority, PriorityScore, Routing,
    SignalRef, ThreadEntry,
};
use tce_model::{Brand, EnrichedSignal, Enrichment, Intent, Model, Signal};

/// What to do with one ingested signal.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// An own-brand reply to a message of this case: record it as a response.
    Respond {
        /// The case.
        case: CaseId,
        /// The brand that replied.
        brand: String,
        /// The reply as a thread entry (party: brand).
        entry: ThreadEntry,
        /// What it said.
        text: String,
    },
    /// A customer's follow-up: it joins this case.
    FollowUp {
        /// The case.
        case: CaseId,
        /// The message (party: customer).
        entry: ThreadEntry,
        /// How it was matched.
        how: Join,
    },
    /// Open a new case.
    Open(Opening),
    /// Nothing to do, and why.
    Skip(Skip),
}

/// Why a signal opens nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Written by a brand's handle but not a reply to a known case (not a
    /// customer signal either).
    BrandPost {
        /// The brand.
        brand: String,
    },
    /// It is about no known brand.
    NoBrand,
    /// It is about a competitor (feeds the benchmark, never a case).
    Competitor {
        /// The competitor.
        brand: String,
    },
    /// Its channel is not care-able (`care = false`, e.g. surveys).
    NotCareChannel {
        /// The channel.
        channel: String,
    },
    /// No opening intent, no bottom rating, no purchase intent.
    NothingToAct,
    /// Already part of this case's thread (re-ingested): nothing new.
    AlreadyRecorded {
        /// The case.
        case: CaseId,
    },
}

/// A case to open: everything but its id.
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    /// Care case or lead.
    pub kind: CaseKind,
    /// The own brand.
    pub brand: String,
    /// The customer's message.
    pub entry: ThreadEntry,
    /// Owner and why.
    pub routing: Routing,
    /// Priority and its factors.
    pub priority: PriorityScore,
}

/// Decides what one signal does, given the cases it could belong to
/// (`candidates`: the caller's active or resolved cases of the same author
/// and channel, and those holding the signal it replies to).
pub fn triage(model: &Model, signal: &EnrichedSignal, candidates: &[Case]) -> Action {
    let s = &signal.signal;
    if let Some(case) = candidates
        .iter()
        .find(|c| c.has_signal(&s.channel, &s.external_id))
    {
        return Action::Skip(Skip::AlreadyRecorded { case: case.id });
    }
    if let Some(brand) = brand_author(model, s) {
        let case = s
            .in_reply_to
            .as_deref()
            .filter(|_| brand.own)
            .and_then(|r| {
                candidates
                    .iter()
                    .find(|c| c.status != crate::Status::Closed && c.has_signal(&s.channel, r))
            });
        return match case {
            Some(case) => Action::Respond {
                case: case.id,
                brand: brand.id.clone(),
                entry: entry(signal, Party::Brand),
                text: s.text.clone(),
            },
            None => Action::Skip(Skip::BrandPost {
                brand: brand.id.clone(),
            }),
        };
    }
    let window = model.care.thread_window_hours;
    if let Some((case, how)) = thread::find(candidates, s, window) {
        let mut entry = entry(signal, Party::Customer);
        entry.needs_action = needs_action(model, signal);
        return Action::FollowUp {
            case: case.id,
            entry,
            how,
        };
    }
    match decide(model, signal) {
        Ok(opening) => Action::Open(opening),
        Err(skip) => Action::Skip(skip),
    }
}

fn entry(signal: &EnrichedSignal, party: Party) -> ThreadEntry {
    let s = &signal.signal;
    ThreadEntry {
        signal: SignalRef {
            channel: s.channel.clone(),
            external_id: s.external_id.clone(),
        },
        party,
        author: s.author.clone(),
        at: s.created_at,
        sentiment: Some(signal.enrichment.sentiment),
        needs_action: party == Party::Customer,
    }
}

/// Whether a customer's message asks for action: an opening intent
/// (`[care] open_intents`) or a bottom rating. A follow-up that does
/// re-opens a resolved case; a thank-you joins the thread without.
pub fn needs_action(model: &Model, signal: &EnrichedSignal) -> bool {
    let care = &model.care;
    care.open_intents
        .iter()
        .any(|&i| confidence(&signal.enrichment, i) >= care.min_intent_confidence)
        || bottom_rating(model, &signal.signal)
}

/// The brand whose handle wrote this signal, if any (`@SkyWaySupport`
/// replying to a customer). Such signals are the brand speaking: they are
/// never customer evidence. Handles are compared with the author as
/// written, so callers triage before authors are pseudonymised (or keep
/// brand handles out of pseudonymisation).
pub fn brand_author<'m>(model: &'m Model, signal: &Signal) -> Option<&'m Brand> {
    let author = signal.author.as_deref()?.trim();
    let author = author.strip_prefix('@').unwrap_or(author);
    model.brands.iter().find(|b| {
        b.handles
            .iter()
            .any(|h| h.trim_start_matches('@').eq_ignore_ascii_case(author))
    })
}

fn confidence(e: &Enrichment, intent: Intent) -> f64 {
    e.intents
        .iter()
        .filter(|i| i.intent == intent)
        .map(|i| f64::from(i.confidence))
        .fold(0.0, f64::max)
}

/// Whether a signal's rating lies in the bottom `[care] bottom_rating_share` of its scale.
pub fn bottom_rating(model: &Model, signal: &Signal) -> bool {
    signal.rating.is_some_and(|r| {
        let (lo, hi) = r.scale.range();
        r.value <= lo + model.care.bottom_rating_share * (hi - lo) + 1e-9
    })
}

/// The opening rule for a customer signal (not a follow-up): the case or
/// lead it opens, or why it opens none.
pub fn decide(model: &Model, signal: &EnrichedSignal) -> Result<Opening, Skip> {
    let (s, e) = (&signal.signal, &signal.enrichment);
    let care = &model.care;
    let brand_id = e
        .brand
        .as_deref()
        .or(s.brand.as_deref())
        .ok_or(Skip::NoBrand)?;
    let brand = model.brand(brand_id).ok_or(Skip::NoBrand)?;
    if !brand.own {
        return Err(Skip::Competitor {
            brand: brand.id.clone(),
        });
    }
    if !model.channel(&s.channel).is_some_and(|c| c.care) {
        return Err(Skip::NotCareChannel {
            channel: s.channel.clone(),
        });
    }
    let min = care.min_intent_confidence;
    let opens_care =
        care.open_intents.iter().any(|&i| confidence(e, i) >= min) || bottom_rating(model, s);
    let kind = if opens_care {
        CaseKind::Care
    } else if care.open_leads && confidence(e, Intent::PurchaseIntent) >= min {
        CaseKind::Lead
    } else {
        return Err(Skip::NothingToAct);
    };
    Ok(Opening {
        kind,
        brand: brand.id.clone(),
        entry: entry(signal, Party::Customer),
        routing: route(model, kind, e),
        priority: priority(model, signal),
    })
}

fn department_name<'m>(model: &'m Model, id: &'m str) -> &'m str {
    model.department(id).map_or(id, |d| d.name.as_str())
}

/// The department a case goes to and why: leads to `[care] lead_department`;
/// care cases to the owner of the top touchpoint (highest confidence, the
/// first on a tie), else to `[care] triage_department`.
pub fn route(model: &Model, kind: CaseKind, enrichment: &Enrichment) -> Routing {
    let top = enrichment
        .touchpoints
        .iter()
        .filter_map(|m| model.touchpoint(&m.touchpoint).map(|t| (t, m.confidence)))
        .fold(
            None,
            |best: Option<(&tce_model::Touchpoint, f32)>, (t, c)| match best {
                Some((_, bc)) if bc >= c => best,
                _ => Some((t, c)),
            },
        )
        .map(|(t, _)| t);
    if kind == CaseKind::Lead {
        let d = &model.care.lead_department;
        return Routing {
            department: d.clone(),
            touchpoint: top.map(|t| t.id.clone()),
            reason: format!("purchase intent → leads: {}", department_name(model, d)),
        };
    }
    match top {
        Some(t) => Routing {
            department: t.department.clone(),
            touchpoint: Some(t.id.clone()),
            reason: format!(
                "touchpoint {} → {}",
                t.id,
                department_name(model, &t.department)
            ),
        },
        None => {
            let d = &model.care.triage_department;
            Routing {
                department: d.clone(),
                touchpoint: None,
                reason: format!("no touchpoint → triage: {}", department_name(model, d)),
            }
        }
    }
}

/// Points a known detractor's message adds to its priority (DESIGN C9: a
/// known detractor's complaint ranks higher in care).
pub const KNOWN_DETRACTOR_POINTS: f64 = 15.0;

/// Adds the known-detractor factor to a priority (the author is an
/// influential detractor of the brand, as advocacy knows them) and moves
/// the score and priority class accordingly; `detail` says why.
pub fn known_detractor(model: &Model, score: &mut PriorityScore, detail: String) {
    if score
        .factors
        .iter()
        .any(|f| f.factor == Factor::KnownDetractor)
    {
        return;
    }
    score.factors.push(FactorContribution {
        factor: Factor::KnownDetractor,
        value: 1.0,
        weight: KNOWN_DETRACTOR_POINTS,
        points: KNOWN_DETRACTOR_POINTS,
        detail,
    });
    score.score = score
        .factors
        .iter()
        .map(|f| f.points)
        .sum::<f64>()
        .clamp(0.0, 100.0);
    score.priority = Priority::from_score(score.score, model.care.priority.thresholds);
}

/// The priority of a signal under `[care.priority]`, with every factor's contribution.
pub fn priority(model: &Model, signal: &EnrichedSignal) -> PriorityScore {
    let (s, e) = (&signal.signal, &signal.enrichment);
    let p = &model.care.priority;
    let min = model.care.min_intent_confidence;

    let severity = (-e.sentiment).clamp(0.0, 1.0);
    let churn = confidence(e, Intent::ChurnRisk);
    let churn = if churn >= min { churn } else { 0.0 };
    let (reach, reach_detail) = match s.author_followers {
        Some(f) => (
            ((f as f64).ln_1p() / p.reach_full_followers.ln_1p()).min(1.0),
            format!("{f} followers"),
        ),
        None => (0.0, "followers unknown".to_string()),
    };
    let (intent, intent_detail) = e
        .intents
        .iter()
        .filter(|i| f64::from(i.confidence) >= min)
        .filter_map(|i| p.intent_values.get(&i.intent).map(|v| (*v, i.intent)))
        .fold(
            (0.0, None),
            |best, (v, i)| {
                if v > best.0 {
                    (v, Some(i))
                } else {
                    best
                }
            },
        );
    let (rating, rating_detail) = match s.rating {
        Some(r) => (
            (-r.experience_value()).clamp(0.0, 1.0),
            format!("{} on {}", r.value, r.scale),
        ),
        None => (0.0, "no rating".to_string()),
    };
    let factor = |factor, value: f64, weight: f64, detail: String| FactorContribution {
        factor,
        value,
        weight,
        points: value * weight,
        detail,
    };
    let factors = vec![
        factor(
            Factor::Severity,
            severity,
            p.severity,
            format!("sentiment {:+.2}", e.sentiment),
        ),
        factor(
            Factor::ChurnRisk,
            churn,
            p.churn_risk,
            if churn > 0.0 {
                format!("churn risk {churn:.2}")
            } else {
                "no churn threat".to_string()
            },
        ),
        factor(Factor::Reach, reach, p.reach, reach_detail),
        factor(
            Factor::Intent,
            intent,
            p.intent,
            intent_detail.map_or_else(|| "no weighted intent".to_string(), |i| i.to_string()),
        ),
        factor(Factor::Rating, rating, p.rating, rating_detail),
    ];
    let score = factors
        .iter()
        .map(|f| f.points)
        .sum::<f64>()
        .clamp(0.0, 100.0);
    PriorityScore {
        priority: Priority::from_score(score, p.thresholds),
        score,
        factors,
    }
}
