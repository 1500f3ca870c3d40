//! From answers and facts to an assessment: the level of every area (the
//! lower median of its answers' levels), the evidence beside each answer and
//! the contradictions, the gaps to the next level, the overall level per
//! instrument (the lower median of its areas), and the roadmap in the seeds'
//! order. Also the trend of each area across stored assessments.

use crate::answers::Answers;
use crate::facts::{Capability, Fact, Facts, Metric};
use crate::instrument::{render_message, Area, Catalog, Instrument, Phase};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A level of an instrument, by index and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelRef {
    /// 0 for the lowest level.
    pub index: usize,
    /// The level's id (`enlightened`).
    pub id: String,
    /// The model's name for it (`Enlightened`).
    pub name: String,
}

impl LevelRef {
    fn of(instrument: &Instrument, index: usize) -> LevelRef {
        let level = instrument.levels.get(index);
        LevelRef {
            index,
            id: level.map_or_else(String::new, |l| l.id.clone()),
            name: level.map_or_else(String::new, |l| l.name.clone()),
        }
    }
}

/// One assessment, kept with its date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// The day it was made (an argument: this crate has no clock).
    pub date: NaiveDate,
    /// One result per instrument answered, in catalog order.
    pub instruments: Vec<InstrumentResult>,
    /// What to do next, in the seeds' order.
    pub roadmap: Vec<RoadmapStep>,
}

impl Assessment {
    /// The result of one area.
    pub fn area(&self, instrument: &str, area: &str) -> Option<&AreaResult> {
        self.instruments
            .iter()
            .find(|i| i.id == instrument)?
            .areas
            .iter()
            .find(|a| a.id == area)
    }
}

/// The result of one instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstrumentResult {
    /// Instrument id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its source, credited.
    pub source: String,
    /// Its level names, lowest first.
    pub levels: Vec<String>,
    /// The lower median of the areas' levels.
    pub overall: LevelRef,
    /// Mean of the areas' scores, 0–1 (for charts).
    pub score: f64,
    /// One result per area with answers, in file order.
    pub areas: Vec<AreaResult>,
}

/// The result of one area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaResult {
    /// Area id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The lower median of its answers' levels.
    pub level: LevelRef,
    /// Mean answer level over the top level, 0–1 (for charts and trends).
    pub score: f64,
    /// The next level up, if any.
    pub next: Option<LevelRef>,
    /// The answers behind the level.
    pub answers: Vec<AnswerResult>,
    /// Every evidence rule of its items, with what was measured.
    pub evidence: Vec<EvidenceResult>,
    /// Answers the measured evidence contradicts.
    pub contradictions: Vec<Contradiction>,
    /// The items that keep the area below the next level.
    pub gaps: Vec<Gap>,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerResult {
    /// Item id.
    pub item: String,
    /// The statement.
    pub text: String,
    /// The choice answered.
    pub answer: String,
    /// The level it places the area on.
    pub level: LevelRef,
}

/// What an evidence rule found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceStatus {
    /// The measured value backs the answer.
    Supports,
    /// The measured value contradicts the answer.
    Contradicts,
    /// Measured, but the rule says nothing about this answer.
    Neutral,
    /// Not measured in the workspace.
    NotMeasured,
}

/// One evidence rule applied to an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceResult {
    /// The item whose answer it checks.
    pub item: String,
    /// The metric.
    pub metric: Metric,
    /// The capability that measures it.
    pub capability: Capability,
    /// What it found.
    pub status: EvidenceStatus,
    /// What was measured, if anything.
    pub fact: Option<Fact>,
    /// The value as written for people, or `not measured`.
    pub value: String,
    /// The rule's message when it applies, else the metric and its value.
    pub message: String,
}

/// An answer the evidence contradicts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contradiction {
    /// The item.
    pub item: String,
    /// The level answered.
    pub answered: LevelRef,
    /// The metrics that contradict it.
    pub metrics: Vec<Metric>,
    /// `answered 'systematic' for measurement, but 0 of 6 stage weights are
    /// derived and no outcomes are imported`.
    pub text: String,
}

/// An item that keeps its area below the next level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// The item.
    pub item: String,
    /// The statement.
    pub text: String,
    /// Its answer's level.
    pub current: LevelRef,
    /// What the item's answer looks like at the next level.
    pub next_choice: Option<String>,
}

/// One step of the roadmap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoadmapStep {
    /// 1 for the first step.
    pub step: usize,
    /// The seeds' phase it belongs to.
    pub phase: Phase,
    /// Instrument id.
    pub instrument: String,
    /// Area id.
    pub area: String,
    /// Area name.
    pub area_name: String,
    /// What to do.
    pub action: String,
    /// The area's level now.
    pub level: LevelRef,
    /// The level to reach (`None` at the top level, when the step is to
    /// resolve a contradiction).
    pub next: Option<LevelRef>,
    /// Whether measured evidence contradicts an answer of the area.
    pub contradicted: bool,
    /// The tce capability that measures progress.
    pub capability: Option<Capability>,
    /// The figure that will show progress.
    pub metric: Option<Metric>,
    /// Its value now, if measured.
    pub current: Option<f64>,
    /// Its target.
    pub target: Option<f64>,
    /// `current` written for people, or `not measured`.
    pub current_text: String,
    /// `target` written for people.
    pub target_text: String,
}

/// The lower median: with an even count, the lower of the two middle values
/// (an area is only as far as most of its answers).
fn lower_median(mut levels: Vec<usize>) -> Option<usize> {
    levels.sort_unstable();
    levels.get(levels.len().saturating_sub(1) / 2).copied()
}

const NOT_MEASURED: &str = "not measured";

/// Assesses every answered instrument of the catalog on `date`.
pub fn assess(catalog: &Catalog, answers: &Answers, facts: &Facts, date: NaiveDate) -> Assessment {
    let mut instruments = Vec::new();
    let mut steps: Vec<(StepOrder, RoadmapStep)> = Vec::new();
    for (ii, instrument) in catalog.instruments().iter().enumerate() {
        let Some(given) = answers.instruments.get(&instrument.id) else {
            continue;
        };
        let mut areas = Vec::new();
        for (ai, area) in instrument.areas.iter().enumerate() {
            let Some(result) = assess_area(instrument, area, given, facts) else {
                continue;
            };
            let contradicted = !result.contradictions.is_empty();
            if result.next.is_some() || contradicted {
                let gap = instrument.top().saturating_sub(result.level.index) as f64
                    / instrument.top().max(1) as f64;
                let step = roadmap_step(&instrument.id, area, &result, facts);
                steps.push(((area.phase, contradicted, gap, ii, ai), step));
            }
            areas.push(result);
        }
        if areas.is_empty() {
            continue;
        }
        let overall = lower_median(areas.iter().map(|a| a.level.index).collect()).unwrap_or(0);
        let score = areas.iter().map(|a| a.score).sum::<f64>() / areas.len() as f64;
        instruments.push(InstrumentResult {
            id: instrument.id.clone(),
            name: instrument.name.clone(),
            source: instrument.source.clone(),
            levels: instrument.levels.iter().map(|l| l.name.clone()).collect(),
            overall: LevelRef::of(instrument, overall),
            score,
            areas,
        });
    }
    // The seeds' order first; within a phase, contradicted claims, then the
    // widest gaps, then file order.
    steps.sort_by(|(a, _), (b, _)| {
        a.0.cmp(&b.0)
            .then(b.1.cmp(&a.1))
            .then(b.2.total_cmp(&a.2))
            .then((a.3, a.4).cmp(&(b.3, b.4)))
    });
    let roadmap = steps
        .into_iter()
        .enumerate()
        .map(|(i, (_, step))| RoadmapStep {
            step: i + 1,
            ..step
        })
        .collect();
    Assessment {
        date,
        instruments,
        roadmap,
    }
}

/// Where a step goes: phase, contradicted, gap to the top (share of the
/// scale), instrument and area position in the catalog.
type StepOrder = (Phase, bool, f64, usize, usize);

/// The roadmap step of an area (numbered once the roadmap is ordered).
fn roadmap_step(instrument: &str, area: &Area, result: &AreaResult, facts: &Facts) -> RoadmapStep {
    let current = area.metric.and_then(|m| facts.get(m)).map(|f| f.value);
    let unit = area.metric.map(Metric::unit);
    RoadmapStep {
        step: 0,
        phase: area.phase,
        instrument: instrument.to_string(),
        area: area.id.clone(),
        area_name: area.name.clone(),
        action: area.action.clone(),
        level: result.level.clone(),
        next: result.next.clone(),
        contradicted: !result.contradictions.is_empty(),
        capability: area.metric.map(Metric::capability),
        metric: area.metric,
        current,
        target: area.target,
        current_text: match (unit, current) {
            (Some(u), Some(v)) => u.format(v),
            _ if area.metric.is_some() => NOT_MEASURED.to_string(),
            _ => String::new(),
        },
        target_text: match (unit, area.target) {
            (Some(u), Some(v)) => u.format(v),
            _ => String::new(),
        },
    }
}

fn assess_area(
    instrument: &Instrument,
    area: &Area,
    given: &std::collections::BTreeMap<String, String>,
    facts: &Facts,
) -> Option<AreaResult> {
    let mut answers = Vec::new();
    let mut evidence = Vec::new();
    let mut contradictions = Vec::new();
    for item in &area.items {
        let Some(choice) = given
            .get(&item.id)
            .and_then(|text| item.choices.iter().find(|c| c.text == *text))
        else {
            continue;
        };
        let answered = LevelRef::of(instrument, choice.level);
        let mut against = Vec::new();
        // One entry per metric when nothing applies (its value, or "not
        // measured"); otherwise one per rule that applies.
        let mut metrics: Vec<Metric> = Vec::new();
        for rule in &item.evidence {
            if !metrics.contains(&rule.metric) {
                metrics.push(rule.metric);
            }
        }
        for metric in metrics {
            let fact = facts.get(metric);
            let mut found = Vec::new();
            match fact {
                None => {
                    let why = facts
                        .reason(metric)
                        .map_or_else(String::new, |r| format!(" ({r})"));
                    found.push((
                        EvidenceStatus::NotMeasured,
                        NOT_MEASURED.to_string(),
                        format!("{}: not measured{why}", metric.description()),
                    ));
                }
                Some(f) => {
                    let value = metric.unit().format(f.value);
                    for rule in item.evidence.iter().filter(|r| r.metric == metric) {
                        if !rule.condition.holds(f.value) {
                            continue;
                        }
                        let status = if rule.contradicts.contains(&choice.level) {
                            EvidenceStatus::Contradicts
                        } else if rule.supports.contains(&choice.level) {
                            EvidenceStatus::Supports
                        } else {
                            EvidenceStatus::Neutral
                        };
                        found.push((status, value.clone(), render_message(rule, f)));
                    }
                    if found.is_empty() {
                        let message = format!("{}: {value}", metric.description());
                        found.push((EvidenceStatus::Neutral, value, message));
                    }
                }
            }
            for (status, value, message) in found {
                if status == EvidenceStatus::Contradicts {
                    against.push((metric, message.clone()));
                }
                evidence.push(EvidenceResult {
                    item: item.id.clone(),
                    metric,
                    capability: metric.capability(),
                    status,
                    fact: fact.cloned(),
                    value,
                    message,
                });
            }
        }
        if !against.is_empty() {
            let messages: Vec<&str> = against.iter().map(|(_, m)| m.as_str()).collect();
            contradictions.push(Contradiction {
                item: item.id.clone(),
                text: format!(
                    "answered '{}' for {}, but {}",
                    answered.name.to_lowercase(),
                    area.name.to_lowercase(),
                    messages.join(" and ")
                ),
                metrics: against.into_iter().map(|(m, _)| m).collect(),
                answered: answered.clone(),
            });
        }
        answers.push((
            item,
            choice.level,
            AnswerResult {
                item: item.id.clone(),
                text: item.text.clone(),
                answer: choice.text.clone(),
                level: answered,
            },
        ));
    }
    let level = lower_median(answers.iter().map(|(_, l, _)| *l).collect())?;
    let top = instrument.top();
    let score = answers.iter().map(|(_, l, _)| *l as f64).sum::<f64>()
        / (answers.len() as f64 * top.max(1) as f64);
    let next = (level < top).then(|| LevelRef::of(instrument, level + 1));
    let gaps = match &next {
        None => Vec::new(),
        Some(next) => answers
            .iter()
            .filter(|(_, l, _)| *l < next.index)
            .map(|(item, l, a)| Gap {
                item: a.item.clone(),
                text: a.text.clone(),
                current: LevelRef::of(instrument, *l),
                next_choice: item
                    .choices
                    .iter()
                    .find(|c| c.level >= next.index)
                    .map(|c| c.text.clone()),
            })
            .collect(),
    };
    Some(AreaResult {
        id: area.id.clone(),
        name: area.name.clone(),
        level: LevelRef::of(instrument, level),
        score,
        next,
        answers: answers.into_iter().map(|(_, _, a)| a).collect(),
        evidence,
        contradictions,
        gaps,
    })
}

/// One area across assessments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaTrend {
    /// Instrument id.
    pub instrument: String,
    /// Area id.
    pub area: String,
    /// Area name (as last assessed).
    pub name: String,
    /// One point per assessment that assessed the area, oldest first.
    pub points: Vec<TrendPoint>,
}

/// An area's level on one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The assessment's date.
    pub date: NaiveDate,
    /// The level then.
    pub level: LevelRef,
    /// The score then (0–1).
    pub score: f64,
    /// How many contradictions the evidence raised then.
    pub contradictions: usize,
}

/// Each area's series of levels across assessments (given in any order),
/// oldest first; areas in the order they first appear, oldest assessment
/// first.
pub fn trend(assessments: &[Assessment]) -> Vec<AreaTrend> {
    let mut sorted: Vec<&Assessment> = assessments.iter().collect();
    sorted.sort_by_key(|a| a.date);
    let mut out: Vec<AreaTrend> = Vec::new();
    for a in sorted {
        for i in &a.instruments {
            for area in &i.areas {
                let point = TrendPoint {
                    date: a.date,
                    level: area.level.clone(),
                    score: area.score,
                    contradictions: area.contradictions.len(),
                };
                match out
                    .iter_mut()
                    .find(|t| t.instrument == i.id && t.area == area.id)
                {
                    Some(t) => {
                        t.name = area.name.clone();
                        t.points.push(point);
                    }
                    None => out.push(AreaTrend {
                        instrument: i.id.clone(),
                        area: area.id.clone(),
                        name: area.name.clone(),
                        points: vec![point],
                    }),
                }
            }
        }
    }
    out
}
