//! Instruments as data: one TOML file per questionnaire (the shipped ones in
//! `instruments/`, embedded; a user's own loaded from a path), parsed and
//! validated the same way. The format is documented in `docs/maturity.md`.

use crate::error::MaturityError;
use crate::facts::Metric;
use crate::tree::{self, Node, Reader, Table};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;
use toml::Spanned;

/// A step of the order in which seed 001 says to engage: support first,
/// then product development, then logistics and procurement, then sales and
/// marketing. Every area names the step whose work moves it; the roadmap
/// follows this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Customer service and support.
    Support,
    /// Product development (R&D, co-creation).
    ProductDevelopment,
    /// Logistics, procurement and production planning.
    LogisticsProcurement,
    /// Sales and marketing.
    SalesMarketing,
}

impl Phase {
    /// Every phase, in the seeds' order.
    pub const ALL: [Phase; 4] = [
        Phase::Support,
        Phase::ProductDevelopment,
        Phase::LogisticsProcurement,
        Phase::SalesMarketing,
    ];

    /// The id used in instrument files.
    pub fn id(self) -> &'static str {
        match self {
            Phase::Support => "support",
            Phase::ProductDevelopment => "product_development",
            Phase::LogisticsProcurement => "logistics_procurement",
            Phase::SalesMarketing => "sales_marketing",
        }
    }

    /// The name a page shows.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Support => "support",
            Phase::ProductDevelopment => "product development",
            Phase::LogisticsProcurement => "logistics & procurement",
            Phase::SalesMarketing => "sales & marketing",
        }
    }

    /// The phase with this id.
    pub fn from_id(id: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.id() == id)
    }
}

/// One questionnaire: levels (lowest first) and areas of items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Instrument {
    /// Id (`orientation`), the table name in answers files.
    pub id: String,
    /// Name shown to people.
    pub name: String,
    /// The model's source, credited.
    pub source: String,
    /// What it assesses, in a sentence or two.
    pub description: String,
    /// The levels, lowest first.
    pub levels: Vec<Level>,
    /// The areas, in file order.
    pub areas: Vec<Area>,
}

/// A level of an instrument's scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Level {
    /// Id (`naive`).
    pub id: String,
    /// The model's name for it (`Naive`).
    pub name: String,
    /// What an organisation at this level looks like.
    pub description: String,
}

/// An area assessed (a discipline, an orientation area, a framework step).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Area {
    /// Id, unique in the instrument.
    pub id: String,
    /// Name shown to people.
    pub name: String,
    /// The step of the seeds' order whose work moves this area.
    pub phase: Phase,
    /// What to do to move the area up, for the roadmap.
    pub action: String,
    /// The figure that will show progress, if tce measures one.
    pub metric: Option<Metric>,
    /// The value of `metric` to reach.
    pub target: Option<f64>,
    /// The items (statements or practices), in file order.
    pub items: Vec<Item>,
}

/// One statement or practice, answered by choosing one of its choices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Id, unique in the instrument: the table name in answers files.
    pub id: String,
    /// The statement or question.
    pub text: String,
    /// The choices, lowest level first.
    pub choices: Vec<Choice>,
    /// Evidence rules checked against the answer.
    pub evidence: Vec<EvidenceRule>,
}

/// An answer an item offers, and the level it places the area on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    /// The text, as written in answers files.
    pub text: String,
    /// Index into the instrument's levels.
    pub level: usize,
}

/// A measured fact that supports or contradicts an answer: when `metric`
/// meets `condition`, answers at a level in `contradicts` are flagged and
/// answers at a level in `supports` are backed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceRule {
    /// The metric read from the facts.
    pub metric: Metric,
    /// When the rule applies.
    pub condition: Condition,
    /// Levels (indices) the evidence backs when the condition holds.
    pub supports: Vec<usize>,
    /// Levels (indices) the evidence contradicts when the condition holds.
    pub contradicts: Vec<usize>,
    /// What the evidence says, with `{value}`, `{count}`, `{total}`, `{n}`,
    /// `{period}` and `{threshold}` filled in.
    pub message: String,
}

/// Thresholds a value must meet, all of those given.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Condition {
    /// value ≥ this.
    pub at_least: Option<f64>,
    /// value > this.
    pub above: Option<f64>,
    /// value ≤ this.
    pub at_most: Option<f64>,
    /// value < this.
    pub below: Option<f64>,
}

impl Condition {
    /// Whether `value` meets every threshold given.
    pub fn holds(&self, value: f64) -> bool {
        self.at_least.into_iter().all(|t| value >= t)
            && self.above.into_iter().all(|t| value > t)
            && self.at_most.into_iter().all(|t| value <= t)
            && self.below.into_iter().all(|t| value < t)
    }

    /// The thresholds, first given first (for `{threshold}`).
    pub fn thresholds(&self) -> Vec<f64> {
        [self.at_least, self.above, self.at_most, self.below]
            .into_iter()
            .flatten()
            .collect()
    }
}

/// The placeholders a message may use.
pub const PLACEHOLDERS: [&str; 6] = ["value", "count", "total", "n", "period", "threshold"];

impl Instrument {
    /// Reads and validates an instrument file.
    pub fn load(path: &Path) -> Result<Instrument, MaturityError> {
        let src = std::fs::read_to_string(path).map_err(|source| MaturityError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Instrument::parse(&src, path)
    }

    /// Parses and validates instrument text; `path` is for error messages.
    pub fn parse(src: &str, path: &Path) -> Result<Instrument, MaturityError> {
        let root = tree::parse(src, path)?;
        let mut r = Reader::new(src);
        let instrument = read_instrument(&mut r, &Table::new(&root, String::new(), 0));
        r.finish(path)?;
        Ok(instrument)
    }

    /// The level with this id, as an index.
    pub fn level_index(&self, id: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.id == id)
    }

    /// The item with this id, with its area.
    pub fn item(&self, id: &str) -> Option<(&Area, &Item)> {
        self.areas
            .iter()
            .find_map(|a| a.items.iter().find(|i| i.id == id).map(|i| (a, i)))
    }

    /// Every item, in file order, with its area.
    pub fn items(&self) -> impl Iterator<Item = (&Area, &Item)> {
        self.areas
            .iter()
            .flat_map(|a| a.items.iter().map(move |i| (a, i)))
    }

    /// The top level's index.
    pub fn top(&self) -> usize {
        self.levels.len().saturating_sub(1)
    }
}

const INSTRUMENT_FIELDS: [&str; 6] = ["id", "name", "source", "description", "levels", "areas"];
const LEVEL_FIELDS: [&str; 3] = ["id", "name", "description"];
const AREA_FIELDS: [&str; 7] = ["id", "name", "phase", "action", "metric", "target", "items"];
const ITEM_FIELDS: [&str; 4] = ["id", "text", "choices", "evidence"];
const CHOICE_FIELDS: [&str; 2] = ["text", "level"];
const RULE_FIELDS: [&str; 8] = [
    "metric",
    "at_least",
    "above",
    "at_most",
    "below",
    "supports",
    "contradicts",
    "message",
];

fn text(s: Option<Spanned<String>>) -> String {
    s.map(Spanned::into_inner).unwrap_or_default()
}

fn non_empty(r: &mut Reader, s: &Option<Spanned<String>>, field: String) {
    if let Some(s) = s {
        if s.get_ref().trim().is_empty() {
            r.issue(s.span().start, field, "must not be empty");
        }
    }
}

fn read_instrument(r: &mut Reader, t: &Table) -> Instrument {
    r.deny_unknown(t, &INSTRUMENT_FIELDS);
    let id = r.string(t, "id");
    if let Some(id) = &id {
        r.id(id, "id".into());
    }
    let name = r.string(t, "name");
    non_empty(r, &name, "name".into());
    let source = r.string(t, "source");
    non_empty(r, &source, "source".into());
    let description = r.opt_string(t, "description");

    let mut levels = Vec::new();
    let mut seen = HashSet::new();
    for (i, lt) in r.tables(t, "levels", true).iter().enumerate() {
        r.deny_unknown(lt, &LEVEL_FIELDS);
        let lid = r.string(lt, "id");
        if let Some(lid) = &lid {
            if r.id(lid, format!("levels[{i}].id")) && !seen.insert(lid.get_ref().clone()) {
                r.issue(
                    lid.span().start,
                    format!("levels[{i}].id"),
                    format!("duplicate level {:?}", lid.get_ref()),
                );
            }
        }
        let lname = r.opt_string(lt, "name");
        let ldesc = r.opt_string(lt, "description");
        let lid = text(lid);
        levels.push(Level {
            name: lname.map_or_else(|| lid.clone(), Spanned::into_inner),
            id: lid,
            description: text(ldesc),
        });
    }
    if levels.len() < 2 && t.get("levels").is_some() {
        r.issue(
            t.offset_of("levels"),
            "levels",
            "an instrument needs at least two levels",
        );
    }

    let mut areas = Vec::new();
    let mut area_ids = HashSet::new();
    let mut item_ids = HashSet::new();
    let area_tables = r.tables(t, "areas", true);
    if area_tables.is_empty() && t.get("areas").is_some() {
        r.issue(
            t.offset_of("areas"),
            "areas",
            "an instrument needs at least one area",
        );
    }
    for at in &area_tables {
        if let Some(a) = read_area(r, at, &levels, &mut area_ids, &mut item_ids) {
            areas.push(a);
        }
    }
    Instrument {
        id: text(id),
        name: text(name),
        source: text(source),
        description: text(description),
        levels,
        areas,
    }
}

fn unique_id(r: &mut Reader, t: &Table, seen: &mut HashSet<String>, what: &str) -> Option<String> {
    let id = r.string(t, "id")?;
    let field = t.field("id");
    if r.id(&id, field.clone()) && !seen.insert(id.get_ref().clone()) {
        r.issue(
            id.span().start,
            field,
            format!("duplicate {what} id {:?}", id.get_ref()),
        );
    }
    Some(id.into_inner())
}

fn metric(r: &mut Reader, s: &Spanned<String>, field: String) -> Option<Metric> {
    let m = Metric::from_id(s.get_ref());
    if m.is_none() {
        let ids: Vec<&str> = Metric::ALL.iter().map(|m| m.id()).collect();
        let hint = crate::did_you_mean(s.get_ref(), ids.iter().copied())
            .map(|h| format!(": did you mean {h:?}?"))
            .unwrap_or_default();
        r.issue(
            s.span().start,
            field,
            format!(
                "unknown metric {:?}{hint} (known: {})",
                s.get_ref(),
                ids.join(", ")
            ),
        );
    }
    m
}

fn level_ref(
    r: &mut Reader,
    s: &Spanned<String>,
    field: String,
    levels: &[Level],
) -> Option<usize> {
    let found = levels.iter().position(|l| l.id == *s.get_ref());
    if found.is_none() {
        let ids: Vec<&str> = levels.iter().map(|l| l.id.as_str()).collect();
        let hint = crate::did_you_mean(s.get_ref(), ids.iter().copied())
            .map(|h| format!(": did you mean {h:?}?"))
            .unwrap_or_default();
        r.issue(
            s.span().start,
            field,
            format!(
                "unknown level {:?}{hint} (levels: {})",
                s.get_ref(),
                ids.join(", ")
            ),
        );
    }
    found
}

fn read_area(
    r: &mut Reader,
    t: &Table,
    levels: &[Level],
    area_ids: &mut HashSet<String>,
    item_ids: &mut HashSet<String>,
) -> Option<Area> {
    r.deny_unknown(t, &AREA_FIELDS);
    let id = unique_id(r, t, area_ids, "area");
    let name = r.string(t, "name");
    let phase = r.string(t, "phase").and_then(|p| {
        let found = Phase::from_id(p.get_ref());
        if found.is_none() {
            let ids: Vec<&str> = Phase::ALL.iter().map(|p| p.id()).collect();
            r.issue(
                p.span().start,
                t.field("phase"),
                format!(
                    "unknown phase {:?} (phases, in order: {})",
                    p.get_ref(),
                    ids.join(", ")
                ),
            );
        }
        found
    });
    let action = r.string(t, "action");
    non_empty(r, &action, t.field("action"));
    let metric_id = r.opt_string(t, "metric");
    let m = metric_id
        .as_ref()
        .and_then(|s| metric(r, s, t.field("metric")));
    let target = r.opt_number(t, "target");
    match (&metric_id, &target) {
        (Some(_), None) => r.issue(
            t.offset_of("metric"),
            t.field("target"),
            "an area that names a metric needs a target",
        ),
        (None, Some(tg)) => r.issue(
            tg.span().start,
            t.field("target"),
            "a target needs a metric",
        ),
        _ => {}
    }
    let item_tables = r.tables(t, "items", true);
    if item_tables.is_empty() && t.get("items").is_some() {
        r.issue(
            t.offset_of("items"),
            t.field("items"),
            "an area needs at least one item",
        );
    }
    let items: Vec<Item> = item_tables
        .iter()
        .filter_map(|it| read_item(r, it, levels, item_ids))
        .collect();
    Some(Area {
        id: id?,
        name: name?.into_inner(),
        phase: phase?,
        action: action?.into_inner(),
        metric: m,
        target: target.map(Spanned::into_inner),
        items,
    })
}

fn read_item(
    r: &mut Reader,
    t: &Table,
    levels: &[Level],
    item_ids: &mut HashSet<String>,
) -> Option<Item> {
    r.deny_unknown(t, &ITEM_FIELDS);
    let id = unique_id(r, t, item_ids, "item");
    let statement = r.string(t, "text");
    non_empty(r, &statement, t.field("text"));
    let choices = match t.get("choices") {
        // Without choices, the item is rated on the level names.
        None => levels
            .iter()
            .enumerate()
            .map(|(i, l)| Choice {
                text: l.name.clone(),
                level: i,
            })
            .collect(),
        Some(_) => read_choices(r, t, levels),
    };
    let mut evidence = Vec::new();
    for rt in r.tables(t, "evidence", false) {
        if let Some(rule) = read_rule(r, &rt, levels) {
            evidence.push(rule);
        }
    }
    Some(Item {
        id: id?,
        text: statement?.into_inner(),
        choices,
        evidence,
    })
}

fn read_choices(r: &mut Reader, t: &Table, levels: &[Level]) -> Vec<Choice> {
    let field = t.field("choices");
    let mut out: Vec<Choice> = Vec::new();
    let Some(v) = t.get("choices") else {
        return out;
    };
    let Node::Array(elements) = v.get_ref() else {
        r.issue(
            v.span().start,
            field,
            format!(
                "expected an array of {{ text, level }} tables, found {}",
                v.get_ref().kind()
            ),
        );
        return out;
    };
    if elements.len() < 2 {
        r.issue(
            v.span().start,
            field.clone(),
            "an item needs at least two choices",
        );
    }
    let mut texts = HashSet::new();
    for (i, e) in elements.iter().enumerate() {
        let Some(ct) = r.as_table(e, format!("{field}[{i}]")) else {
            continue;
        };
        r.deny_unknown(&ct, &CHOICE_FIELDS);
        let ctext = r.string(&ct, "text");
        let level = r
            .string(&ct, "level")
            .and_then(|l| level_ref(r, &l, ct.field("level"), levels));
        let (Some(ctext), Some(level)) = (ctext, level) else {
            continue;
        };
        if ctext.get_ref().trim().is_empty() {
            r.issue(ctext.span().start, ct.field("text"), "must not be empty");
        } else if !texts.insert(ctext.get_ref().trim().to_string()) {
            r.issue(
                ctext.span().start,
                ct.field("text"),
                format!("duplicate choice {:?}", ctext.get_ref()),
            );
        }
        if let Some(prev) = out.last() {
            if level < prev.level {
                r.issue(
                    e.span().start,
                    ct.field("level"),
                    format!(
                        "choices go from the lowest level to the highest: {:?} comes after {:?}",
                        levels.get(level).map_or("", |l| l.id.as_str()),
                        levels.get(prev.level).map_or("", |l| l.id.as_str())
                    ),
                );
            }
        }
        out.push(Choice {
            text: ctext.get_ref().trim().to_string(),
            level,
        });
    }
    out
}

fn read_rule(r: &mut Reader, t: &Table, levels: &[Level]) -> Option<EvidenceRule> {
    r.deny_unknown(t, &RULE_FIELDS);
    let m = r
        .string(t, "metric")
        .and_then(|s| metric(r, &s, t.field("metric")));
    let condition = Condition {
        at_least: r.opt_number(t, "at_least").map(Spanned::into_inner),
        above: r.opt_number(t, "above").map(Spanned::into_inner),
        at_most: r.opt_number(t, "at_most").map(Spanned::into_inner),
        below: r.opt_number(t, "below").map(Spanned::into_inner),
    };
    if condition.thresholds().is_empty() {
        r.issue(
            t.offset,
            t.field("at_least"),
            "an evidence rule needs a threshold: at_least, above, at_most or below",
        );
    }
    let level_list = |r: &mut Reader, key: &str| -> Vec<usize> {
        r.strings(t, key, false)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter_map(|(i, s)| level_ref(r, s, format!("{}[{i}]", t.field(key)), levels))
            .collect()
    };
    let supports = level_list(r, "supports");
    let contradicts = level_list(r, "contradicts");
    if t.get("supports").is_none() && t.get("contradicts").is_none() {
        r.issue(
            t.offset,
            t.field("contradicts"),
            "an evidence rule needs `supports` or `contradicts` (the levels it speaks to)",
        );
    }
    let message = r.string(t, "message");
    if let Some(msg) = &message {
        check_placeholders(r, msg, t.field("message"));
    }
    Some(EvidenceRule {
        metric: m?,
        condition,
        supports,
        contradicts,
        message: message?.into_inner(),
    })
}

fn check_placeholders(r: &mut Reader, msg: &Spanned<String>, field: String) {
    let mut rest = msg.get_ref().as_str();
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            r.issue(msg.span().start, field, "unclosed '{' in message");
            return;
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            r.issue(
                msg.span().start,
                field.clone(),
                format!(
                    "unknown placeholder {{{name}}} (known: {})",
                    PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                ),
            );
        }
        rest = &after[close + 1..];
    }
}

/// Fills a message's placeholders.
pub(crate) fn render_message(rule: &EvidenceRule, fact: &crate::facts::Fact) -> String {
    let unit = rule.metric.unit();
    let opt = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |x| x.to_string());
    let threshold = rule
        .condition
        .thresholds()
        .first()
        .map_or_else(String::new, |t| unit.format(*t));
    rule.message
        .replace("{value}", &unit.format(fact.value))
        .replace("{count}", &opt(fact.count))
        .replace("{total}", &opt(fact.total))
        .replace("{n}", &opt(fact.n))
        .replace("{period}", fact.period.as_deref().unwrap_or("the period"))
        .replace("{threshold}", &threshold)
}

/// The instruments shipped with tce: (file name, text).
pub const BUILTIN: [(&str, &str); 5] = [
    (
        "instruments/orientation.toml",
        include_str!("../instruments/orientation.toml"),
    ),
    (
        "instruments/disciplines.toml",
        include_str!("../instruments/disciplines.toml"),
    ),
    (
        "instruments/readiness.toml",
        include_str!("../instruments/readiness.toml"),
    ),
    (
        "instruments/framework.toml",
        include_str!("../instruments/framework.toml"),
    ),
    (
        "instruments/transformation.toml",
        include_str!("../instruments/transformation.toml"),
    ),
];

/// The instruments an assessment can use: the shipped ones and any the user
/// adds, each id once.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Catalog {
    instruments: Vec<Instrument>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Catalog {
        Catalog::default()
    }

    /// The shipped instruments, in the order of [`BUILTIN`].
    pub fn builtin() -> Result<Catalog, MaturityError> {
        let mut c = Catalog::new();
        for (path, src) in BUILTIN {
            c.add(Instrument::parse(src, Path::new(path))?, Path::new(path))?;
        }
        Ok(c)
    }

    /// Adds an instrument; `path` names it in the error when its id is taken.
    pub fn add(&mut self, instrument: Instrument, path: &Path) -> Result<(), MaturityError> {
        if self.get(&instrument.id).is_some() {
            return Err(MaturityError::DuplicateInstrument {
                path: path.to_path_buf(),
                id: instrument.id,
            });
        }
        self.instruments.push(instrument);
        Ok(())
    }

    /// Loads a user's instrument file, validated like the shipped ones, and
    /// adds it; returns its id.
    pub fn load(&mut self, path: &Path) -> Result<String, MaturityError> {
        let instrument = Instrument::load(path)?;
        let id = instrument.id.clone();
        self.add(instrument, path)?;
        Ok(id)
    }

    /// The instrument with this id.
    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.instruments.iter().find(|i| i.id == id)
    }

    /// Every instrument, in the order added.
    pub fn instruments(&self) -> &[Instrument] {
        &self.instruments
    }

    /// The instrument id someone probably meant (`disciplne` → `disciplines`).
    pub fn suggest(&self, id: &str) -> Option<&str> {
        crate::did_you_mean(id, self.instruments.iter().map(|i| i.id.as_str()))
    }
}
