//! The TCE model: one TOML file per workspace (`tce.toml`).
//!
//! Parsing goes through a raw form that keeps the source span of every field a
//! check can fail on, so errors name file, line and field.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use toml::Spanned;

use crate::signal::Intent;

mod advocacy;
mod alerts;
mod care;
pub use advocacy::{check_invitation, Advocacy, DEFAULT_INVITATION, INVITATION_PLACEHOLDERS};
pub use alerts::Alerts;
pub use care::{
    default_care_channel, BusinessHours, Care, CarePriority, DepartmentCare, SlaTarget,
    DEFAULT_CARE_CHANNELS,
};

/// The six default lifecycle stages, in their natural order.
pub const DEFAULT_STAGES: [&str; 6] = [
    "rnd",
    "branding_pr",
    "marketing",
    "sales",
    "operations",
    "customer_service",
];

/// Signal fields a CSV column mapping may fill (`stage:<id>` adds a stage rating).
pub const CSV_FIELDS: [&str; 13] = [
    "id",
    "channel",
    "text",
    "created_at",
    "brand",
    "author",
    "author_followers",
    "rating",
    "rating_scale",
    "in_reply_to",
    "url",
    "lang",
    "survey_id",
];

/// A validated TCE model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Workspace name shown in reports.
    pub name: String,
    /// The template it was created from, if any.
    pub template: Option<String>,
    /// Lifecycle stages in lifecycle order.
    pub stages: Vec<Stage>,
    /// Departments that own touchpoints.
    pub departments: Vec<Department>,
    /// Touchpoints, each in one stage.
    pub touchpoints: Vec<Touchpoint>,
    /// Channels signals come through.
    pub channels: Vec<Channel>,
    /// Own brand(s) and competitors.
    pub brands: Vec<Brand>,
    /// Finance parameters.
    pub finance: Finance,
    /// Budget allocation parameters.
    pub allocation: Allocation,
    /// Trained classifiers to use in enrichment.
    pub classifiers: Classifiers,
    /// What is kept of people (`[privacy]`).
    pub privacy: Privacy,
    /// Saved CSV column mappings by name.
    pub csv_mappings: BTreeMap<String, CsvMapping>,
    /// Social customer care: cases, routing, priority, SLAs (`[care]`).
    pub care: Care,
    /// Minimum-evidence rules (`[evidence]`).
    pub evidence: crate::evidence::Evidence,
    /// Early warning: detection, opportunity alerts, webhooks (`[alerts]`).
    pub alerts: Alerts,
    /// Advocacy: the invitation to share a moment of truth (`[advocacy]`).
    pub advocacy: Advocacy,
}

/// A lifecycle stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// Stable id (`rnd`, `operations`, …).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Configured horizontal weight (used when none can be derived from data).
    pub weight: f64,
}

/// A department that owns touchpoints and receives their cases and alerts.
#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// First-response SLA in hours (the P3 target; see [`Care::departments`]).
    pub sla_first_response_hours: f64,
    /// Resolution SLA in hours (the P3 target; see [`Care::departments`]).
    pub sla_resolution_hours: f64,
    /// Where alerts for this department are posted, if anywhere.
    pub alert_webhook: Option<String>,
}

/// A point where the customer meets the brand.
#[derive(Debug, Clone, PartialEq)]
pub struct Touchpoint {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The stage it belongs to.
    pub stage: String,
    /// The department that owns it.
    pub department: String,
    /// Relative importance within its stage (configured).
    pub importance: f64,
    /// Phrases that recognise it in text.
    pub phrases: Vec<String>,
}

/// A channel through which signals arrive.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// Stable id (`x`, `facebook`, `survey`, …).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Whether it is a social medium.
    pub social: bool,
    /// Whether a customer's signal here can open a care case (`care`; default
    /// by kind, see [`default_care_channel`]).
    pub care: bool,
}

/// A brand: the own brand or a competitor.
#[derive(Debug, Clone, PartialEq)]
pub struct Brand {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// True for the brand this workspace manages.
    pub own: bool,
    /// Social handles (`@skyway`).
    pub handles: Vec<String>,
    /// Other names customers use.
    pub aliases: Vec<String>,
    /// The link an invitation to share points to (`{link}`), if set.
    pub share_link: Option<String>,
}

/// Finance parameters; the defaults are the seeds' published figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Finance {
    /// Currency code for money figures.
    pub currency: String,
    /// Value of one customer (revenue over the horizon used for revenue at risk).
    pub customer_value: f64,
    /// Customers lost per negative post (seed default: 30, Convergys study).
    pub customers_lost_per_negative_post: f64,
    /// Sales change in percent per +5 points of CSAT (seed default: 0.7).
    pub sales_pct_per_5pt_csat: f64,
    /// Which of the above were left at the seeds' defaults.
    pub defaulted: Vec<String>,
}

/// Parameters of budget allocation (`[allocation]`), see `tce allocate`.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Spend on one channel × stage cell at which 63 % of its potential gain
    /// is reached: `gain(x) = potential · (1 − exp(−x / saturation))`.
    pub saturation: f64,
    /// Weight of the headroom to 100 in a stage's gap, beside the distance to
    /// the best competitor: `gap = max(best − own, 0) + headroom_weight · (100 − own)`.
    pub headroom_weight: f64,
    /// The budget is split in this many equal units.
    pub steps: usize,
    /// Stage weights per objective (`acquire`, `retain`, `innovate`, or your
    /// own); missing objectives use tce's presets.
    pub objectives: BTreeMap<String, BTreeMap<String, f64>>,
}

impl Default for Allocation {
    fn default() -> Self {
        Allocation {
            saturation: 25_000.0,
            headroom_weight: 0.25,
            steps: 1_000,
            objectives: BTreeMap::new(),
        }
    }
}

/// Trained classifiers enrichment uses instead of the rules (`[classifiers]`),
/// paths relative to the model file's folder.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Classifiers {
    /// Sentiment classifier (`tce train` output).
    pub sentiment: Option<String>,
    /// Touchpoint classifier.
    pub touchpoint: Option<String>,
    /// Yes/no intent classifiers (`suggestion = "suggestion.model"`, …),
    /// each replacing that intent's rule, in [`Intent::ALL`] order.
    pub intents: Vec<(Intent, String)>,
}

/// What is kept of people (`[privacy]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Privacy {
    /// Store author handles as keyed pseudonyms (the same author gets the
    /// same pseudonym within a workspace, so advocates and repeat
    /// complainers can still be followed; the handle itself is not kept).
    pub pseudonymize_authors: bool,
}

/// A saved CSV column mapping: signal field → CSV column name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsvMapping {
    /// Field → column (fields from [`CSV_FIELDS`] or `stage:<id>`).
    pub columns: BTreeMap<String, String>,
    /// Field → constant value, for fields the file does not carry (e.g. `channel = "survey"`).
    pub constants: BTreeMap<String, String>,
}

/// One problem found in a model file, located by line and field.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelIssue {
    /// 1-based line in the file.
    pub line: usize,
    /// Dotted path of the field (`touchpoints[3].stage`).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Why a model could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file could not be read.
    #[error("{path}: cannot read model file: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Not valid TOML, or a field of the wrong type or name.
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// Valid TOML, but the model breaks a rule.
    #[error("{}", format_issues(path, issues))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Every problem found.
        issues: Vec<ModelIssue>,
    },
}

fn format_issues(path: &Path, issues: &[ModelIssue]) -> String {
    let lines: Vec<String> = issues
        .iter()
        .map(|i| format!("{}:{}: {}: {}", path.display(), i.line, i.field, i.message))
        .collect();
    lines.join("\n")
}

impl Model {
    /// Reads and validates a model file.
    pub fn load(path: &Path) -> Result<Model, ModelError> {
        let src = std::fs::read_to_string(path).map_err(|source| ModelError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Model::parse(&src, path)
    }

    /// Parses and validates model text; `path` is only used in error messages.
    pub fn parse(src: &str, path: &Path) -> Result<Model, ModelError> {
        let raw: RawModel = toml::from_str(src).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(src, s.start)).unwrap_or((1, 1));
            ModelError::Syntax {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        let mut check = Checker {
            src,
            issues: Vec::new(),
        };
        let model = check.model(raw);
        if check.issues.is_empty() {
            Ok(model)
        } else {
            check.issues.sort_by_key(|i| i.line);
            Err(ModelError::Invalid {
                path: path.to_path_buf(),
                issues: check.issues,
            })
        }
    }

    /// The stage with this id.
    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// The touchpoint with this id.
    pub fn touchpoint(&self, id: &str) -> Option<&Touchpoint> {
        self.touchpoints.iter().find(|t| t.id == id)
    }

    /// The channel with this id.
    pub fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    /// The brand with this id.
    pub fn brand(&self, id: &str) -> Option<&Brand> {
        self.brands.iter().find(|b| b.id == id)
    }

    /// The department with this id.
    pub fn department(&self, id: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
    }

    /// The brand this workspace manages (the first one marked `own`).
    pub fn own_brand(&self) -> Option<&Brand> {
        self.brands.iter().find(|b| b.own)
    }

    /// Touchpoints of one stage, in file order.
    pub fn touchpoints_of<'a>(&'a self, stage: &'a str) -> impl Iterator<Item = &'a Touchpoint> {
        self.touchpoints.iter().filter(move |t| t.stage == stage)
    }

    /// Resolves a brand reference given by a source (id, name, handle or alias,
    /// case-insensitive) to the brand id.
    pub fn resolve_brand(&self, reference: &str) -> Option<&str> {
        let r = reference.trim();
        let r = r.strip_prefix('@').unwrap_or(r);
        self.brands
            .iter()
            .find(|b| {
                b.id.eq_ignore_ascii_case(r)
                    || b.name.eq_ignore_ascii_case(r)
                    || b.handles
                        .iter()
                        .any(|h| h.trim_start_matches('@').eq_ignore_ascii_case(r))
                    || b.aliases.iter().any(|a| a.eq_ignore_ascii_case(r))
            })
            .map(|b| b.id.as_str())
    }

    /// Configured stage weights normalised to sum to 1, in stage order.
    pub fn configured_stage_weights(&self) -> Vec<(String, f64)> {
        let total: f64 = self.stages.iter().map(|s| s.weight).sum();
        self.stages
            .iter()
            .map(|s| {
                let w = if total > 0.0 {
                    s.weight / total
                } else {
                    1.0 / self.stages.len() as f64
                };
                (s.id.clone(), w)
            })
            .collect()
    }
}

/// The option closest to what was typed, if one is close enough to be a
/// likely typo (`airlines` → `airline`, `surveys` → `survey`): for "did you
/// mean" hints. Case-insensitive; `None` when nothing is close.
pub fn did_you_mean<'a>(
    given: &str,
    options: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let g = given.trim().to_lowercase();
    if g.is_empty() {
        return None;
    }
    options
        .into_iter()
        .filter_map(|o| {
            let l = o.to_lowercase();
            if l == g {
                return None;
            }
            let similarity = strsim::normalized_damerau_levenshtein(&g, &l);
            let prefix = g.len().min(l.len()) >= 3 && (g.starts_with(&l) || l.starts_with(&g));
            let score = if prefix {
                similarity.max(0.8)
            } else {
                similarity
            };
            (score >= 0.6).then_some((score, o))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, o)| o)
}

/// Names people use for a channel that its id does not resemble.
const CHANNEL_SYNONYMS: [(&str, &str); 10] = [
    ("twitter", "x"),
    ("tweet", "x"),
    ("x.com", "x"),
    ("fb", "facebook"),
    ("ig", "instagram"),
    ("insta", "instagram"),
    ("yt", "youtube"),
    ("phone", "call_center"),
    ("mail", "email"),
    ("appstore", "app_store"),
];

impl Model {
    /// The channel id someone probably meant by an unknown channel name
    /// (`twitter` → `x`, `surveys` → `survey`), if the model has it.
    pub fn suggest_channel(&self, given: &str) -> Option<&str> {
        let g = given.trim().to_lowercase();
        // A synonym, or a near miss of one (`twiter`).
        let name = CHANNEL_SYNONYMS
            .iter()
            .find(|(name, _)| *name == g)
            .map(|(name, _)| *name)
            .or_else(|| did_you_mean(&g, CHANNEL_SYNONYMS.iter().map(|(name, _)| *name)));
        let synonym = CHANNEL_SYNONYMS
            .iter()
            .find(|(n, _)| Some(*n) == name)
            .and_then(|(_, id)| self.channel(id))
            .map(|c| c.id.as_str());
        synonym.or_else(|| {
            let names = self
                .channels
                .iter()
                .flat_map(|c| [c.id.as_str(), c.name.as_str()]);
            let hit = did_you_mean(&g, names)?;
            self.channels
                .iter()
                .find(|c| c.id == hit || c.name == hit)
                .map(|c| c.id.as_str())
        })
    }

    /// The brand id someone probably meant by an unknown brand reference
    /// (a near miss of an id, name, handle or alias).
    pub fn suggest_brand(&self, given: &str) -> Option<&str> {
        let g = given.trim();
        let g = g.strip_prefix('@').unwrap_or(g);
        let names = self.brands.iter().flat_map(|b| {
            [b.id.as_str(), b.name.as_str()]
                .into_iter()
                .chain(b.handles.iter().map(|h| h.trim_start_matches('@')))
                .chain(b.aliases.iter().map(String::as_str))
        });
        let hit = did_you_mean(g, names)?;
        self.resolve_brand(hit)
    }

    /// Warnings about a valid model that may not mean what its author
    /// thinks: configured stage weights that do not sum to 1 (they are
    /// normalised), objectives likewise. One line each, for `tce model check`.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let total: f64 = self.stages.iter().map(|s| s.weight).sum();
        if (total - 1.0).abs() > 1e-6 {
            let normalised: Vec<String> = self
                .configured_stage_weights()
                .iter()
                .map(|(id, w)| format!("{id} {w:.3}"))
                .collect();
            out.push(if total > 0.0 {
                format!(
                    "stages[].weight: the configured stage weights sum to {total:.3}, not 1; \
                     they will be normalised to {}",
                    normalised.join(", ")
                )
            } else {
                "stages[].weight: every configured stage weight is 0; the stages will be \
                 weighted equally"
                    .to_string()
            });
        }
        out
    }
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

// ---- raw form, as written in the file ----

type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    workspace: Option<RawWorkspace>,
    #[serde(default)]
    stages: Vec<RawStage>,
    #[serde(default)]
    departments: Vec<RawDepartment>,
    #[serde(default)]
    touchpoints: Vec<RawTouchpoint>,
    #[serde(default)]
    channels: Vec<RawChannel>,
    #[serde(default)]
    brands: Vec<RawBrand>,
    finance: Option<RawFinance>,
    #[serde(default)]
    csv_mappings: BTreeMap<String, RawCsvMapping>,
    allocation: Option<RawAllocation>,
    #[serde(default)]
    classifiers: RawClassifiers,
    #[serde(default)]
    privacy: RawPrivacy,
    care: Option<care::RawCare>,
    #[serde(default)]
    evidence: crate::evidence::RawEvidence,
    alerts: Option<S<alerts::RawAlerts>>,
    advocacy: Option<advocacy::RawAdvocacy>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPrivacy {
    #[serde(default)]
    pseudonymize_authors: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllocation {
    saturation: Option<S<f64>>,
    headroom_weight: Option<S<f64>>,
    steps: Option<S<i64>>,
    #[serde(default)]
    objectives: BTreeMap<String, BTreeMap<String, S<f64>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawClassifiers {
    sentiment: Option<String>,
    touchpoint: Option<String>,
    complaint: Option<String>,
    praise: Option<String>,
    question: Option<String>,
    suggestion: Option<String>,
    churn_risk: Option<String>,
    purchase_intent: Option<String>,
}

impl RawClassifiers {
    /// The intent classifiers named, in [`Intent::ALL`] order.
    fn intents(&self) -> Vec<(Intent, String)> {
        Intent::ALL
            .into_iter()
            .filter_map(|i| {
                let file = match i {
                    Intent::Complaint => &self.complaint,
                    Intent::Praise => &self.praise,
                    Intent::Question => &self.question,
                    Intent::Suggestion => &self.suggestion,
                    Intent::ChurnRisk => &self.churn_risk,
                    Intent::PurchaseIntent => &self.purchase_intent,
                };
                file.clone().map(|f| (i, f))
            })
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkspace {
    name: Option<String>,
    template: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    id: S<String>,
    name: Option<String>,
    weight: Option<S<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDepartment {
    id: S<String>,
    name: Option<String>,
    sla_first_response_hours: Option<S<f64>>,
    sla_resolution_hours: Option<S<f64>>,
    alert_webhook: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTouchpoint {
    id: S<String>,
    name: Option<String>,
    stage: S<String>,
    department: S<String>,
    importance: Option<S<f64>>,
    phrases: Option<S<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
    id: S<String>,
    name: Option<String>,
    #[serde(default)]
    social: bool,
    care: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBrand {
    id: S<String>,
    name: Option<String>,
    #[serde(default)]
    own: bool,
    #[serde(default)]
    handles: Vec<S<String>>,
    #[serde(default)]
    aliases: Vec<String>,
    share_link: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFinance {
    currency: Option<String>,
    customer_value: Option<S<f64>>,
    customers_lost_per_negative_post: Option<S<f64>>,
    sales_pct_per_5pt_csat: Option<S<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCsvMapping {
    #[serde(default)]
    columns: BTreeMap<String, S<String>>,
    #[serde(default)]
    constants: BTreeMap<String, S<String>>,
}

/// Defaults the seeds give (labelled as such wherever they are used).
const DEFAULT_CUSTOMERS_LOST_PER_NEGATIVE_POST: f64 = 30.0;
const DEFAULT_SALES_PCT_PER_5PT_CSAT: f64 = 0.7;
const DEFAULT_CUSTOMER_VALUE: f64 = 500.0;

struct Checker<'a> {
    src: &'a str,
    issues: Vec<ModelIssue>,
}

impl Checker<'_> {
    fn issue(&mut self, offset: usize, field: String, message: impl Into<String>) {
        let (line, _) = line_col(self.src, offset);
        self.issues.push(ModelIssue {
            line,
            field,
            message: message.into(),
        });
    }

    fn id(&mut self, id: &S<String>, field: String, seen: &mut HashSet<String>) -> String {
        let value = id.get_ref();
        let valid = !value.is_empty()
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !valid {
            self.issue(
                id.span().start,
                field.clone(),
                format!("invalid id {value:?}: use lowercase letters, digits, '_' or '-'"),
            );
        }
        if !seen.insert(value.clone()) {
            self.issue(id.span().start, field, format!("duplicate id {value:?}"));
        }
        value.clone()
    }

    fn positive(&mut self, v: &S<f64>, field: String) -> f64 {
        let x = *v.get_ref();
        if !x.is_finite() || x <= 0.0 {
            self.issue(
                v.span().start,
                field,
                format!("must be a number > 0, got {x}"),
            );
        }
        x
    }

    fn non_negative(&mut self, v: &Option<S<f64>>, field: String, default: f64) -> f64 {
        match v {
            None => default,
            Some(v) => {
                let x = *v.get_ref();
                if !x.is_finite() || x < 0.0 {
                    self.issue(
                        v.span().start,
                        field,
                        format!("must be a number ≥ 0, got {x}"),
                    );
                }
                x
            }
        }
    }

    fn reference(
        &mut self,
        value: &S<String>,
        field: String,
        known: &HashSet<String>,
        what: &str,
    ) -> String {
        if !known.contains(value.get_ref()) {
            let mut options: Vec<&String> = known.iter().collect();
            options.sort();
            let options: Vec<&str> = options.into_iter().map(String::as_str).collect();
            let hint = did_you_mean(value.get_ref(), options.iter().copied())
                .map(|s| format!(": did you mean {s:?}?"))
                .unwrap_or_default();
            self.issue(
                value.span().start,
                field,
                format!(
                    "unknown {what} {:?}{hint} (known: {})",
                    value.get_ref(),
                    options.join(", ")
                ),
            );
        }
        value.get_ref().clone()
    }

    fn model(&mut self, raw: RawModel) -> Model {
        let workspace = raw.workspace.unwrap_or(RawWorkspace {
            name: None,
            template: None,
        });
        if raw.stages.is_empty() {
            self.issue(0, "stages".into(), "the model has no stages");
        }
        let mut stage_ids = HashSet::new();
        let stages: Vec<Stage> = raw
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let id = self.id(&s.id, format!("stages[{i}].id"), &mut stage_ids);
                let weight = self.non_negative(&s.weight, format!("stages[{i}].weight"), 1.0);
                Stage {
                    name: s.name.clone().unwrap_or_else(|| id.clone()),
                    id,
                    weight,
                }
            })
            .collect();

        let mut dept_ids = HashSet::new();
        let departments: Vec<Department> = raw
            .departments
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let id = self.id(&d.id, format!("departments[{i}].id"), &mut dept_ids);
                Department {
                    name: d.name.clone().unwrap_or_else(|| id.clone()),
                    id,
                    sla_first_response_hours: self.non_negative(
                        &d.sla_first_response_hours,
                        format!("departments[{i}].sla_first_response_hours"),
                        4.0,
                    ),
                    sla_resolution_hours: self.non_negative(
                        &d.sla_resolution_hours,
                        format!("departments[{i}].sla_resolution_hours"),
                        48.0,
                    ),
                    alert_webhook: d.alert_webhook.clone(),
                }
            })
            .collect();

        let mut tp_ids = HashSet::new();
        let touchpoints: Vec<Touchpoint> = raw
            .touchpoints
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let id = self.id(&t.id, format!("touchpoints[{i}].id"), &mut tp_ids);
                let stage = self.reference(
                    &t.stage,
                    format!("touchpoints[{i}].stage"),
                    &stage_ids,
                    "stage",
                );
                let department = self.reference(
                    &t.department,
                    format!("touchpoints[{i}].department"),
                    &dept_ids,
                    "department",
                );
                let importance =
                    self.non_negative(&t.importance, format!("touchpoints[{i}].importance"), 1.0);
                let phrases: Vec<String> = t
                    .phrases
                    .as_ref()
                    .map(|p| p.get_ref().as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|p| p.trim().to_lowercase())
                    .filter(|p| !p.is_empty())
                    .collect();
                if phrases.is_empty() {
                    let offset = t
                        .phrases
                        .as_ref()
                        .map_or(t.id.span().start, |p| p.span().start);
                    self.issue(
                        offset,
                        format!("touchpoints[{i}].phrases"),
                        "a touchpoint needs at least one recognising phrase",
                    );
                }
                Touchpoint {
                    name: t.name.clone().unwrap_or_else(|| id.clone()),
                    id,
                    stage,
                    department,
                    importance,
                    phrases,
                }
            })
            .collect();

        let mut channel_ids = HashSet::new();
        let channels: Vec<Channel> = raw
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let id = self.id(&c.id, format!("channels[{i}].id"), &mut channel_ids);
                Channel {
                    name: c.name.clone().unwrap_or_else(|| id.clone()),
                    care: c
                        .care
                        .unwrap_or_else(|| default_care_channel(&id, c.social)),
                    id,
                    social: c.social,
                }
            })
            .collect();
        if channels.is_empty() {
            self.issue(0, "channels".into(), "the model has no channels");
        }

        let mut brand_ids = HashSet::new();
        let mut handles: HashMap<String, String> = HashMap::new();
        let mut brands = Vec::new();
        for (i, b) in raw.brands.iter().enumerate() {
            let id = self.id(&b.id, format!("brands[{i}].id"), &mut brand_ids);
            for (j, h) in b.handles.iter().enumerate() {
                let key = h.get_ref().trim_start_matches('@').to_lowercase();
                if let Some(other) = handles.insert(key, id.clone()) {
                    if other != id {
                        self.issue(
                            h.span().start,
                            format!("brands[{i}].handles[{j}]"),
                            format!(
                                "handle {:?} is already used by brand {other:?}",
                                h.get_ref()
                            ),
                        );
                    }
                }
            }
            if let Some(link) = &b.share_link {
                if let Err(message) = advocacy::check_share_link(link.get_ref()) {
                    self.issue(
                        link.span().start,
                        format!("brands[{i}].share_link"),
                        message,
                    );
                }
            }
            brands.push(Brand {
                name: b.name.clone().unwrap_or_else(|| id.clone()),
                id,
                own: b.own,
                handles: b.handles.iter().map(|h| h.get_ref().clone()).collect(),
                aliases: b.aliases.clone(),
                share_link: b.share_link.as_ref().map(|l| l.get_ref().clone()),
            });
        }
        if !brands.iter().any(|b| b.own) {
            let offset = raw.brands.first().map_or(0, |b| b.id.span().start);
            self.issue(offset, "brands".into(), "no brand is marked `own = true`");
        }

        let mut defaulted = Vec::new();
        let rf = raw.finance.unwrap_or(RawFinance {
            currency: None,
            customer_value: None,
            customers_lost_per_negative_post: None,
            sales_pct_per_5pt_csat: None,
        });
        for (name, v) in [
            ("customer_value", &rf.customer_value),
            (
                "customers_lost_per_negative_post",
                &rf.customers_lost_per_negative_post,
            ),
            ("sales_pct_per_5pt_csat", &rf.sales_pct_per_5pt_csat),
        ] {
            if v.is_none() {
                defaulted.push(name.to_string());
            }
        }
        let finance = Finance {
            currency: rf.currency.unwrap_or_else(|| "USD".into()),
            customer_value: self.non_negative(
                &rf.customer_value,
                "finance.customer_value".into(),
                DEFAULT_CUSTOMER_VALUE,
            ),
            customers_lost_per_negative_post: self.non_negative(
                &rf.customers_lost_per_negative_post,
                "finance.customers_lost_per_negative_post".into(),
                DEFAULT_CUSTOMERS_LOST_PER_NEGATIVE_POST,
            ),
            sales_pct_per_5pt_csat: rf
                .sales_pct_per_5pt_csat
                .map_or(DEFAULT_SALES_PCT_PER_5PT_CSAT, |v| *v.get_ref()),
            defaulted,
        };

        let mut csv_mappings = BTreeMap::new();
        for (name, m) in raw.csv_mappings {
            for (field, col) in m.columns.iter().chain(m.constants.iter()) {
                let ok = CSV_FIELDS.contains(&field.as_str())
                    || field
                        .strip_prefix("stage:")
                        .is_some_and(|s| stage_ids.contains(s));
                if !ok {
                    self.issue(
                        col.span().start,
                        format!("csv_mappings.{name}.{field}"),
                        format!(
                            "unknown signal field {field:?} (known: {}, stage:<stage id>)",
                            CSV_FIELDS.join(", ")
                        ),
                    );
                }
            }
            csv_mappings.insert(
                name,
                CsvMapping {
                    columns: m
                        .columns
                        .into_iter()
                        .map(|(k, v)| (k, v.into_inner()))
                        .collect(),
                    constants: m
                        .constants
                        .into_iter()
                        .map(|(k, v)| (k, v.into_inner()))
                        .collect(),
                },
            );
        }

        let mut allocation = Allocation::default();
        if let Some(ra) = raw.allocation {
            if let Some(v) = &ra.saturation {
                allocation.saturation = self.positive(v, "allocation.saturation".into());
            }
            if let Some(v) = &ra.headroom_weight {
                allocation.headroom_weight =
                    self.non_negative(&Some(v.clone()), "allocation.headroom_weight".into(), 0.25);
            }
            if let Some(v) = &ra.steps {
                if *v.get_ref() < 1 || *v.get_ref() > 1_000_000 {
                    self.issue(
                        v.span().start,
                        "allocation.steps".into(),
                        "must be between 1 and 1000000",
                    );
                } else {
                    allocation.steps = *v.get_ref() as usize;
                }
            }
            for (name, weights) in ra.objectives {
                let mut out = BTreeMap::new();
                for (stage, w) in weights {
                    let field = format!("allocation.objectives.{name}.{stage}");
                    if !stage_ids.contains(stage.as_str()) {
                        self.issue(w.span().start, field, format!("unknown stage {stage:?}"));
                    } else {
                        let v = self.non_negative(&Some(w), field, 0.0);
                        out.insert(stage, v);
                    }
                }
                allocation.objectives.insert(name, out);
            }
        }

        let care = self.care(raw.care, &departments, &touchpoints, &channels);
        let alerts = self.alerts(raw.alerts, &departments, &care.triage_department);
        let advocacy = self.advocacy(raw.advocacy);
        let (evidence, evidence_issues) = raw.evidence.check();
        for (offset, field, message) in evidence_issues {
            self.issue(offset, field, message);
        }
        Model {
            care,
            alerts,
            advocacy,
            evidence,
            allocation,
            privacy: Privacy {
                pseudonymize_authors: raw.privacy.pseudonymize_authors,
            },
            classifiers: Classifiers {
                intents: raw.classifiers.intents(),
                sentiment: raw.classifiers.sentiment,
                touchpoint: raw.classifiers.touchpoint,
            },
            name: workspace.name.unwrap_or_else(|| "tce workspace".into()),
            template: workspace.template,
            stages,
            departments,
            touchpoints,
            channels,
            brands,
            finance,
            csv_mappings,
        }
    }
}
