//! The command-line interface definition.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// tce — social media under one roof with the Total Customer Experience.
///
/// Ingest customer signals from every channel, score every touchpoint, stage
/// and brand, and see where the experience is won or lost.
#[derive(Debug, Parser)]
#[command(name = "tce", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Workspace folder holding tce.toml and tce.db [default: .; `demo`: ./tce-demo]
    #[arg(
        long,
        global = true,
        env = "TCE_DIR",
        value_name = "DIR",
        help_heading = GLOBAL
    )]
    pub dir: Option<PathBuf>,

    /// More log output (-v info, -vv debug); TCE_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = GLOBAL)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

/// Help heading of the flags every command takes: listed after the
/// command's own flags.
const GLOBAL: &str = "Global options";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a workspace: write tce.toml from a built-in template.
    Init(InitArgs),
    /// Work with the TCE model (tce.toml).
    #[command(subcommand)]
    Model(ModelCommand),
    /// Ingest signal files (JSONL, CSV with a column mapping, X API v2, Reddit listings).
    Ingest(IngestArgs),
    /// Counts of stored signals per brand, channel and stage.
    Stats(StatsArgs),
    /// Retention: delete signals older than a day, with their share of every score.
    Purge(PurgeArgs),
    /// Generate a realistic multi-brand demo world, ingest it and summarise it.
    Demo(DemoArgs),
    /// Generate a synthetic data set (signals JSONL, labels, outcomes, truth) without ingesting it.
    Generate(GenerateArgs),
    /// Score text lines for sentiment, one JSON object per line.
    Sentiment(SentimentArgs),
    /// Train a text classifier (sentiment, touchpoint or any label) from a labelled CSV.
    Train(TrainArgs),
    /// Evaluate rules or a classifier on a labelled CSV: accuracy, macro-F1, per class,
    /// confusion; for intents precision, recall and F1 per intent.
    Eval(EvalArgs),
    /// Scores per brand, stage, touchpoint or channel, with trends (TES, TCE index).
    Score(ScoreArgs),
    /// Stage weights (derived from surveys when possible) and channel influence.
    ///
    /// Stage weights come from the first of these that the data allows:
    ///
    /// First, survey key drivers ("derived"): they need 100 complete survey
    /// answers in the range. A survey answer is a signal of any channel with
    /// an overall rating and stage ratings (CSV `stage:<id>` columns, JSONL
    /// `stage_ratings`); it is complete when it rates every stage of the
    /// model. Answers missing a stage are left out.
    ///
    /// Else a period model of social data ("low confidence"): it needs 20
    /// complete brand-weeks, weeks in which a brand has 5 or more signals in
    /// every stage.
    ///
    /// Else the weights configured in tce.toml ("configured", normalised to
    /// sum to 1).
    ///
    /// Channel influence is each channel's reach-weighted share of a stage's
    /// evidence.
    Weights(WeightsArgs),
    /// Brands side by side per stage.
    Benchmark(BenchmarkArgs),
    /// Split a budget over social channels × stages where it raises the TCE most.
    Allocate(AllocateArgs),
    /// Elasticity of revenue to experience, what-if, revenue at risk.
    Finance(FinanceArgs),
    /// Business outcomes (revenue, customers, visits) used by `finance`.
    #[command(subcommand)]
    Outcomes(OutcomesCommand),
    /// Serve the REST API and the web dashboard.
    Serve(crate::web::ServeArgs),
    /// Manage access tokens of the API and dashboard.
    #[command(subcommand)]
    Token(crate::web::TokenCommand),
    /// Write a self-contained HTML report (inline CSS and SVG, opens offline).
    Report(crate::web::ReportArgs),
    /// Export signals or scores as CSV.
    Export(crate::web::ExportArgs),
    /// Social customer care: the queue of cases, one case, and agents' changes.
    #[command(subcommand)]
    Cases(CasesCommand),
    /// Maturity assessment: answer the instruments (interactive or from a
    /// file), see levels checked against the workspace's data, and a roadmap.
    Assess(crate::assess::AssessArgs),
    /// Care metrics: response and resolution times, SLA, backlog, cost.
    #[command(subcommand)]
    Care(CareCommand),
    /// Advocates and detractors per brand (score with its reasons), and net advocacy.
    Advocates(AdvocatesArgs),
    /// Moments of truth: invitations to share a great experience.
    #[command(subcommand)]
    Moments(MomentsCommand),
    /// Ideas: customers' suggestions clustered, ranked, and their workflow.
    #[command(subcommand)]
    Ideas(IdeasCommand),
    /// Early warning: alerts on brand × touchpoint anomalies, acknowledge,
    /// resolve, backtest the detector.
    #[command(subcommand)]
    Alerts(crate::alerts::AlertsCommand),
    /// Signed webhooks that alerts (and P1 cases) are delivered to.
    #[command(subcommand)]
    Webhooks(crate::alerts::WebhooksCommand),
}

#[derive(Debug, Args)]
pub struct AdvocatesArgs {
    /// Only this brand (id, name or alias).
    #[arg(long)]
    pub brand: Option<String>,
    /// How many authors.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Print as JSON (keys: advocates [brand, author, score, class, reasons, …], net_advocacy).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum MomentsCommand {
    /// Moments of truth, newest first, and conversion per channel and month.
    List {
        /// Only these statuses (new, sent, shared, declined); repeatable.
        #[arg(long)]
        status: Vec<String>,
        /// Only this brand.
        #[arg(long)]
        brand: Option<String>,
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print as JSON (keys: moments, conversion).
        #[arg(long)]
        json: bool,
    },
    /// Record a moment's invitation as sent, shared or declined.
    Mark {
        /// Moment id.
        id: i64,
        /// sent, shared or declined.
        status: String,
        /// Print the moment as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum IdeasCommand {
    /// Ideas ranked by volume × reach × recency.
    List {
        /// Only this brand.
        #[arg(long)]
        brand: Option<String>,
        /// Competitors' ideas (what customers ask of competitors) instead of own brands'.
        #[arg(long)]
        competitors: bool,
        /// Only these statuses; repeatable.
        #[arg(long)]
        status: Vec<String>,
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print as JSON (a list of ideas: id, brand, label, status, volume, reach, rank, …).
        #[arg(long)]
        json: bool,
    },
    /// One idea: examples, history, and after shipping its touchpoint's TES before and after.
    Show {
        /// Idea id.
        id: i64,
        /// How many of its most recent suggestions to list (what `tce ideas
        /// split --signals` names).
        #[arg(long, default_value_t = 10, value_name = "N")]
        examples: usize,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Move an idea through its workflow (new → under_review → planned → shipped | declined).
    #[command(disable_version_flag = true)]
    Status {
        /// Idea id.
        id: i64,
        /// under_review, planned, shipped or declined.
        status: String,
        /// A note recorded with the change.
        #[arg(long)]
        note: Option<String>,
        /// The version you saw (refused if it changed since).
        #[arg(long)]
        version: Option<u64>,
        /// Who makes the change [default: TCE_AGENT, else USER].
        #[arg(long, env = "TCE_AGENT")]
        agent: Option<String>,
        /// Print the idea as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Merge idea FROM into idea INTO (same brand); recorded on both.
    Merge {
        /// The idea that stays.
        into: i64,
        /// The idea merged into it.
        from: i64,
        /// Who makes the change [default: TCE_AGENT, else USER].
        #[arg(long, env = "TCE_AGENT")]
        agent: Option<String>,
        /// Print the idea as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Split suggestions off an idea into a new idea of the same brand;
    /// recorded on both. Prints the new idea.
    #[command(disable_version_flag = true)]
    Split {
        /// The idea to split.
        id: i64,
        /// The suggestions that move: CHANNEL:EXTERNAL_ID (or
        /// CHANNEL/EXTERNAL_ID as `tce ideas show` prints them),
        /// comma-separated or repeated. At least one, not all.
        #[arg(
            long,
            value_name = "CHANNEL:EXTERNAL_ID",
            value_delimiter = ',',
            required = true
        )]
        signals: Vec<String>,
        /// The version you saw (refused if it changed since).
        #[arg(long)]
        version: Option<u64>,
        /// Who makes the change [default: TCE_AGENT, else USER].
        #[arg(long, env = "TCE_AGENT")]
        agent: Option<String>,
        /// Print the new idea as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// The queue: cases by priority, then by when an SLA clock breaches.
    List(CasesListArgs),
    /// One case: its thread, priority factors, SLA clocks, routing and audit trail.
    Show {
        /// Case id.
        #[arg(value_name = "ID")]
        id: u64,
        /// Print as JSON (the fields of docs/care.md).
        #[arg(long)]
        json: bool,
    },
    /// Assign a case to an agent (a new case becomes open).
    #[command(disable_version_flag = true)]
    Assign {
        #[command(flatten)]
        change: CaseChangeArgs,
        /// The agent to assign it to.
        #[arg(value_name = "AGENT")]
        assignee: String,
    },
    /// Record a response given to the customer (tce does not post it).
    #[command(disable_version_flag = true)]
    Respond {
        #[command(flatten)]
        change: CaseChangeArgs,
        /// What was said.
        #[arg(long, value_name = "TEXT")]
        text: String,
        /// The channel it was given on [default: the case's channel].
        #[arg(long, value_name = "CHANNEL")]
        channel: Option<String>,
    },
    /// Add an internal note.
    #[command(disable_version_flag = true)]
    Note {
        #[command(flatten)]
        change: CaseChangeArgs,
        /// The note.
        #[arg(long, value_name = "TEXT")]
        text: String,
    },
    /// Wait on the customer: the SLA clocks pause.
    #[command(disable_version_flag = true)]
    Pending {
        #[command(flatten)]
        change: CaseChangeArgs,
    },
    /// Mark a case resolved.
    #[command(disable_version_flag = true)]
    Resolve {
        #[command(flatten)]
        change: CaseChangeArgs,
    },
    /// Re-open a resolved case.
    #[command(disable_version_flag = true)]
    Reopen {
        #[command(flatten)]
        change: CaseChangeArgs,
    },
    /// Re-route a case to another department (recorded in the audit trail).
    #[command(disable_version_flag = true)]
    Route {
        #[command(flatten)]
        change: CaseChangeArgs,
        /// Department id from tce.toml.
        #[arg(value_name = "DEPARTMENT")]
        department: String,
        /// Why (shown as the case's routing reason) [default: "re-routed by AGENT"].
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
}

/// What every change to a case takes.
#[derive(Debug, Args)]
pub struct CaseChangeArgs {
    /// Case id.
    #[arg(value_name = "ID")]
    pub id: u64,
    /// The version of the case you saw (`tce cases show`); the change is
    /// refused if it has changed since [default: the current version].
    #[arg(long, value_name = "V")]
    pub version: Option<u64>,
    /// Who makes the change [default: $TCE_AGENT, else $USER].
    #[arg(long, env = "TCE_AGENT", value_name = "NAME")]
    pub agent: Option<String>,
    /// Print the changed case as JSON (as `tce cases show --json`).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CasesListArgs {
    /// Only this department (id from tce.toml).
    #[arg(long, value_name = "D")]
    pub department: Option<String>,
    /// Only these statuses: new, open, pending, resolved, closed (repeatable)
    /// [default: the active ones: new, open, pending].
    #[arg(long, value_name = "S")]
    pub status: Vec<String>,
    /// Only this priority: p1, p2, p3 or p4.
    #[arg(long, value_name = "P")]
    pub priority: Option<String>,
    /// Only this brand (id, handle or alias).
    #[arg(long, value_name = "B")]
    pub brand: Option<String>,
    /// Only care cases or only leads.
    #[arg(long, value_name = "care|lead")]
    pub kind: Option<String>,
    /// Only cases in breach now (an SLA clock past due).
    #[arg(long)]
    pub breached: bool,
    /// Cases per page (1–1000).
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
    /// Continue after the previous page (the cursor it printed).
    #[arg(long, value_name = "C")]
    pub cursor: Option<String>,
    /// Print as JSON: {"items": [...], "next_cursor": ...}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum CareCommand {
    /// Per department, channel or brand: first response and resolution p50/p90,
    /// within SLA, breaches, reopen rate, sentiment after resolution, backlog
    /// by age, and cost per case (an assumption).
    Stats(CareStatsArgs),
}

#[derive(Debug, Args)]
pub struct CareStatsArgs {
    /// Rows per department, channel or brand.
    #[arg(
        long,
        default_value = "department",
        value_name = "department|channel|brand"
    )]
    pub by: String,
    /// Also rows per week or month.
    #[arg(long, value_name = "week|month")]
    pub period: Option<String>,
    #[command(flatten)]
    pub range: RangeArgs,
    /// Print as JSON (the fields of docs/care.md).
    #[arg(long)]
    pub json: bool,
}

/// Time range and brand filters shared by the analysis commands.
#[derive(Debug, Args, Clone, Default)]
pub struct RangeArgs {
    /// First day, YYYY-MM-DD (inclusive).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (inclusive).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Breakdown: brand (TCE index), stage, touchpoint (TES) or channel.
    #[arg(long, default_value = "touchpoint")]
    pub by: String,
    /// Period buckets for trends: day, week or month [default: the whole range].
    #[arg(long)]
    pub period: Option<String>,
    #[command(flatten)]
    pub range: RangeArgs,
    /// One brand only (id, handle or alias).
    #[arg(long)]
    pub brand: Option<String>,
    /// One channel only.
    #[arg(long)]
    pub channel: Option<String>,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WeightsArgs {
    /// Bootstrap resamples for the confidence intervals.
    #[arg(long, default_value_t = 200)]
    pub bootstrap: usize,
    #[command(flatten)]
    pub range: RangeArgs,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchmarkArgs {
    #[command(flatten)]
    pub range: RangeArgs,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AllocateArgs {
    /// Budget to split (in the model's currency).
    #[arg(long)]
    pub budget: f64,
    /// acquire, retain, innovate, custom, or an objective defined in tce.toml.
    #[arg(long, default_value = "retain")]
    pub objective: String,
    /// Stage weights STAGE=W[,STAGE=W...] instead of the derived ones (required for custom).
    #[arg(long, value_name = "STAGE=W,...")]
    pub stage_weights: Option<String>,
    /// Minimum total for a channel, CHANNEL=AMOUNT (repeatable).
    #[arg(long = "min", value_name = "CHANNEL=AMOUNT")]
    pub min: Vec<String>,
    /// Maximum total for a channel, CHANNEL=AMOUNT (repeatable).
    #[arg(long = "max", value_name = "CHANNEL=AMOUNT")]
    pub max: Vec<String>,
    #[command(flatten)]
    pub range: RangeArgs,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write the plan's lines as CSV to this file (the Allocation
    /// planner's "This plan (CSV)").
    #[arg(long, value_name = "FILE")]
    pub csv: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct FinanceArgs {
    /// Score change in points for the what-if, e.g. +5.
    #[arg(long, default_value = "5", allow_hyphen_values = true)]
    pub what_if: String,
    #[command(flatten)]
    pub range: RangeArgs,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum OutcomesCommand {
    /// Import a CSV with columns period (YYYY-MM-DD), brand, revenue[, customers, return_visits].
    Import {
        /// CSV file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Built-in template: airline, credit_card, mobile_telecom, city_visit, b2b_it.
    #[arg(long, short, default_value = "airline")]
    pub template: String,
    /// Overwrite an existing tce.toml.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Validate tce.toml; errors name file, line and field.
    Check {
        /// Model file to check [default: DIR/tce.toml].
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// List the built-in templates.
    Templates,
    /// Summarise the model: stages, touchpoints, channels, brands.
    Show,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files to ingest; the format is detected from content unless --format is given.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Input format: jsonl, csv, twitter, reddit.
    #[arg(long)]
    pub format: Option<String>,
    /// CSV column mapping FIELD=COLUMN (repeatable), e.g. --map text=body --map channel=source.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
    /// CSV constant FIELD=VALUE for fields the file lacks (repeatable), e.g. --set channel=survey.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// Use a CSV mapping saved in tce.toml under [csv_mappings.NAME].
    #[arg(long, value_name = "NAME")]
    pub mapping: Option<String>,
    /// Write rejected records with file, line and reason to this JSONL file
    /// (stderr shows the first 20).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Read created_at in this chrono/strftime form first, e.g. %m/%d/%Y for
    /// 03/15/2026 or "%d.%m.%Y %H:%M" (JSONL and CSV).
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// Signals per store transaction (larger batches write each index page
    /// fewer times; a failed batch stores nothing of itself).
    #[arg(long, default_value_t = tce_pipeline::FILE_BATCH)]
    pub batch_size: usize,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Exit with status 3 when any record was rejected.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("cutoff").required(true).args(["before", "keep_days"]))]
pub struct PurgeArgs {
    /// Delete signals created before this day (YYYY-MM-DD, midnight UTC).
    #[arg(long, value_name = "DATE")]
    pub before: Option<String>,
    /// Keep the last N days (a retention rule to run daily, e.g. from cron).
    #[arg(long, value_name = "N")]
    pub keep_days: Option<u32>,
    /// Really delete (without it, only say what would be deleted).
    #[arg(long)]
    pub yes: bool,
    /// Print the result as JSON (keys: cutoff, signals, survey_answers, rollup_rows, cases, authors).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print as JSON (keys: signals, by_brand, by_channel, by_stage, first, last).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of signals to generate.
    #[arg(long, default_value_t = 200_000)]
    pub signals: u64,
    /// Random seed; the same seed gives the same world.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Template of the demo world.
    #[arg(long, short, default_value = "airline")]
    pub template: String,
    /// First day of the world, YYYY-MM-DD [default: the world ends yesterday (UTC)].
    /// The same seed and start give the same world.
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,
    /// Replace a workspace (tce.toml, tce.db) or demo files already in DIR.
    #[arg(long)]
    pub force: bool,
    /// Do not serve the dashboard afterwards.
    #[arg(long)]
    pub no_serve: bool,
    /// Address the dashboard is served on (loopback only: the demo serves without authentication).
    #[arg(long, default_value = tce_server::DEFAULT_ADDR, value_name = "IP:PORT")]
    pub addr: std::net::SocketAddr,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Template of the world (ignored when DIR/tce.toml exists and --template is not given).
    #[arg(long, short)]
    pub template: Option<String>,
    /// Number of signals.
    #[arg(long, default_value_t = 200_000)]
    pub signals: u64,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Days covered.
    #[arg(long, default_value_t = 180)]
    pub days: u32,
    /// First day of the world, YYYY-MM-DD [default: the generator's fixed start].
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,
    /// Signals JSONL output.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Ground-truth labels CSV output.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
    /// Weekly outcomes CSV output.
    #[arg(long, value_name = "FILE")]
    pub outcomes: Option<PathBuf>,
    /// Planted truth JSON output.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SentimentArgs {
    /// Engine: cx (VADER extended with customer-experience rules) or vader
    /// (reference-exact vaderSentiment 3.3.2).
    #[arg(long, default_value = "cx")]
    pub engine: String,
    /// Read lines from this file instead of standard input.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled CSV file.
    #[arg(long, value_name = "FILE.csv")]
    pub input: PathBuf,
    /// Column holding the text.
    #[arg(long, default_value = "text")]
    pub text_column: String,
    /// Column holding the label.
    #[arg(long)]
    pub label_column: String,
    /// Where to write the model.
    #[arg(long, value_name = "NAME.model")]
    pub out: PathBuf,
    /// Rule evidence used as features: vader, cx, cues, intents (the rule
    /// intents' confidences), touchpoints (needs tce.toml), none; auto =
    /// vader,cx,cues, plus intents when every label is yes/no (an intent
    /// model), plus touchpoints when the workspace has a model.
    #[arg(long, default_value = "auto")]
    pub evidence: String,
    /// Rename labels FROM=TO before training (repeatable).
    #[arg(long = "label-map", value_name = "FROM=TO")]
    pub label_map: Vec<String>,
    /// Skip rows with this label (repeatable), e.g. --exclude "Can't Tell".
    #[arg(long, value_name = "LABEL")]
    pub exclude: Vec<String>,
    /// Seed: the same data and seed give the same model, byte for byte.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Prior correction, 0…1: 0 keeps the training class mix (best accuracy),
    /// 1 treats classes as equally likely (best mean recall); in between
    /// favours small classes (macro-F1).
    #[arg(long, value_name = "X", default_value_t = 0.25)]
    pub prior_flattening: f32,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled CSV file.
    #[arg(long, value_name = "FILE.csv")]
    pub input: PathBuf,
    /// Column holding the text.
    #[arg(long, default_value = "text")]
    pub text_column: String,
    /// Column holding the gold label.
    #[arg(long)]
    pub label_column: String,
    /// sentiment (labels negative/neutral/positive), touchpoint (touchpoint
    /// ids, "none") or intent: with --intent NAME the gold is yes/no per row
    /// (1/0, yes/no, true/false); without it the gold column holds the
    /// row's `;`-separated intent ids (empty = none).
    #[arg(long, default_value = "sentiment")]
    pub task: String,
    /// The intent scored by --task intent with yes/no gold (complaint,
    /// praise, question, suggestion, churn_risk, purchase_intent).
    #[arg(long, value_name = "NAME")]
    pub intent: Option<String>,
    /// Rule engine to evaluate: cx or vader.
    #[arg(long, default_value = "cx", conflicts_with_all = ["classifier", "cv"])]
    pub engine: String,
    /// Evaluate a classifier trained with `tce train`.
    #[arg(long, value_name = "NAME.model", conflicts_with = "cv")]
    pub classifier: Option<PathBuf>,
    /// K-fold cross-validation: train on K−1 folds, predict the held-out fold.
    #[arg(long, value_name = "K")]
    pub cv: Option<usize>,
    /// Rule evidence for --cv training (as `tce train --evidence`; with
    /// --task intent, auto includes the rule intents).
    #[arg(long, default_value = "auto")]
    pub evidence: String,
    /// Rename gold labels FROM=TO (repeatable), e.g. --label-map "Late Flight=punctuality".
    #[arg(long = "label-map", value_name = "FROM=TO")]
    pub label_map: Vec<String>,
    /// Skip rows with this gold label (repeatable).
    #[arg(long, value_name = "LABEL")]
    pub exclude: Vec<String>,
    /// Seed of the folds and training.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Prior correction of --cv training (as `tce train --prior-flattening`).
    #[arg(long, value_name = "X", default_value_t = 0.25)]
    pub prior_flattening: f32,
    /// Print as JSON (keys accuracy, macro_f1, per_class, confusion, folds;
    /// for --task intent: intents[] with intent, precision, recall, f1,
    /// support, predicted, true_positives; micro, macro, folds).
    #[arg(long)]
    pub json: bool,
}
