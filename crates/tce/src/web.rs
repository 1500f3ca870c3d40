//! The server-side commands: `serve`, `token create|list|revoke`, `report`,
//! `export`. Argument definitions and glue; the work is in `tce-server`.

use crate::workspace::Workspace;
use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use tce_insight::scores::{By, Filter, ScoreQuery};
use tce_server::params::{RangeParams, SignalParams};
use tce_server::report::{
    export_finance, export_scores, export_signals, report as render_report, FinanceTable,
    ReportOptions,
};
use tce_server::tokens::NewToken;
use tce_server::{RateLimit, ServeConfig, DEFAULT_ADDR, DEFAULT_READ_CONNECTIONS};
use tce_store::Store;

/// `tce serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (a loopback address keeps it to this machine).
    #[arg(long, default_value = DEFAULT_ADDR, value_name = "IP:PORT")]
    pub addr: SocketAddr,
    /// Serve without authentication: everyone is an admin. Only on a loopback address.
    #[arg(long)]
    pub no_auth: bool,
    /// Largest request body accepted, in MiB.
    #[arg(long, default_value_t = 16, value_name = "MIB")]
    pub max_body_mib: usize,
    /// Requests per second per token, API and dashboard (bursts of twice
    /// that); over it a client gets 429 with Retry-After. 0 = unlimited.
    #[arg(long, default_value_t = RateLimit::DEFAULT.per_second, value_name = "N")]
    pub rate_limit: u32,
}

/// `tce token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an access token and print it once (only its hash is stored).
    Create {
        /// admin (everything, manages tokens), analyst (reads everything, writes signals)
        /// or agent (reads its department's touchpoints).
        #[arg(long)]
        role: String,
        /// Department of an agent (a department id of the model).
        #[arg(long)]
        department: Option<String>,
        /// A name for people, e.g. who or what uses it.
        #[arg(long)]
        name: Option<String>,
    },
    /// List tokens (never their secrets).
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token at once (API calls and dashboard sessions with it stop).
    Revoke {
        /// Token id (from `tce token list`).
        id: i64,
    },
}

/// `tce report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output HTML file (self-contained: inline CSS and SVG, opens offline).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Brand of the one-brand views (journey, quadrant, signals) [default: the own brand].
    #[arg(long)]
    pub brand: Option<String>,
    /// First day, YYYY-MM-DD (inclusive).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (inclusive).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Budget of the example allocation.
    #[arg(long, default_value_t = 100_000.0)]
    pub budget: f64,
}

/// What `tce export` writes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportWhat {
    /// Signals with their enrichment, newest first.
    Signals,
    /// A score table (as `tce score`).
    Scores,
    /// The Finance page's elasticities, one row per outcome (as `tce finance`).
    Elasticities,
    /// The Finance page's revenue at risk, one row per week.
    RevenueAtRisk,
}

/// `tce export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// signals, scores, elasticities or revenue-at-risk.
    #[arg(value_enum)]
    pub what: ExportWhat,
    /// Output CSV file.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Brand id, name, handle or alias.
    #[arg(long)]
    pub brand: Option<String>,
    /// Channel id.
    #[arg(long)]
    pub channel: Option<String>,
    /// First day, YYYY-MM-DD (inclusive).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (inclusive).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// signals: touching this stage.
    #[arg(long)]
    pub stage: Option<String>,
    /// signals: touching this touchpoint.
    #[arg(long)]
    pub touchpoint: Option<String>,
    /// signals: sentiment at least this (−1…1).
    #[arg(long, allow_hyphen_values = true)]
    pub min_sentiment: Option<String>,
    /// signals: sentiment at most this (−1…1).
    #[arg(long, allow_hyphen_values = true)]
    pub max_sentiment: Option<String>,
    /// signals: with this intent (complaint, praise, question, suggestion, churn_risk, purchase_intent).
    #[arg(long)]
    pub intent: Option<String>,
    /// signals: text contains.
    #[arg(long)]
    pub q: Option<String>,
    /// scores: brand, stage, touchpoint or channel.
    #[arg(long, default_value = "touchpoint")]
    pub by: String,
    /// scores: day, week or month buckets [default: the whole range].
    #[arg(long)]
    pub period: Option<String>,
    /// elasticities: the what-if change in score points.
    #[arg(long, default_value_t = 5.0, allow_hyphen_values = true)]
    pub what_if: f64,
}

fn config(
    ws: &Workspace,
    addr: SocketAddr,
    no_auth: bool,
    max_body_mib: usize,
    rate_limit: u32,
) -> Result<ServeConfig> {
    Ok(ServeConfig {
        addr,
        model: ws.model()?,
        db_path: ws.db_path(),
        no_auth,
        max_body_bytes: max_body_mib.max(1) * 1024 * 1024,
        read_connections: DEFAULT_READ_CONNECTIONS,
        rate_limit: (rate_limit > 0).then(|| RateLimit::per_second(rate_limit)),
    })
}

fn run(cfg: ServeConfig) -> Result<()> {
    let no_auth = cfg.no_auth;
    let has_tokens = !no_auth
        && !tce_store::SqliteStore::open(&cfg.db_path)
            .and_then(|s| s.list_tokens())
            .map(|t| t.iter().all(|t| t.revoked_at.is_some()))
            .unwrap_or(true);
    let name = cfg.model.name.clone();
    tce_server::serve_blocking(cfg, |addr| {
        println!("serving {name} on http://{addr}/  (API: http://{addr}/api/v1, OpenAPI: http://{addr}/api/v1/openapi.json)");
        if no_auth {
            println!("no authentication: anyone who can reach {addr} is an admin (allowed on loopback only)");
        } else if !has_tokens {
            println!("no active token yet: create one with `tce token create --role admin`, then sign in with it");
        }
        println!("stop with Ctrl-C");
    })?;
    Ok(())
}

/// `tce serve`.
pub fn serve(ws: &Workspace, args: &ServeArgs) -> Result<ExitCode> {
    run(config(
        ws,
        args.addr,
        args.no_auth,
        args.max_body_mib,
        args.rate_limit,
    )?)?;
    Ok(ExitCode::SUCCESS)
}

/// Serves a workspace without authentication on a loopback address (the end
/// of `tce demo`).
pub fn serve_demo(ws: &Workspace, addr: SocketAddr) -> Result<()> {
    println!("\nThe demo serves without authentication on loopback (--no-auth).");
    run(config(ws, addr, true, 16, 0)?)
}

/// `tce token …`.
pub fn token(ws: &Workspace, cmd: &TokenCommand) -> Result<ExitCode> {
    let model = ws.model()?;
    let mut store = ws.store()?;
    match cmd {
        TokenCommand::Create {
            role,
            department,
            name,
        } => {
            let role: tce_server::Role = role
                .parse()
                .map_err(|e: String| anyhow::anyhow!("--role: {e}"))?;
            let department = department
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty());
            tce_server::api::check_role_department(&model, role, department)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let secret = tce_server::generate_token();
            let id = store.create_token(&NewToken {
                name: name.clone().unwrap_or_else(|| format!("{role} token")),
                role: role.as_str().to_string(),
                department: department.map(str::to_string),
                hash: tce_server::hash_token(&secret),
                created_at: chrono::Utc::now(),
            })?;
            println!("{secret}");
            eprintln!(
                "token {id} ({role}{}) created; it is shown only this once — store it safely.\n\
                 Use it as `Authorization: Bearer <token>` or sign in to the dashboard with it.",
                department
                    .map(|d| format!(", department {d}"))
                    .unwrap_or_default()
            );
        }
        TokenCommand::List { json } => {
            let tokens = store.list_tokens()?;
            if *json {
                let rows: Vec<serde_json::Value> = tokens
                    .iter()
                    .map(|t| {
                        serde_json::json!({
                            "id": t.id, "name": t.name, "role": t.role, "department": t.department,
                            "created_at": t.created_at.to_rfc3339(),
                            "revoked_at": t.revoked_at.map(|r| r.to_rfc3339()),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else if tokens.is_empty() {
                println!("no tokens; create one with `tce token create --role admin`");
            } else {
                println!(
                    "{:>4}  {:<8} {:<18} {:<24} {:<20} status",
                    "id", "role", "department", "name", "created"
                );
                for t in &tokens {
                    println!(
                        "{:>4}  {:<8} {:<18} {:<24} {:<20} {}",
                        t.id,
                        t.role,
                        t.department.as_deref().unwrap_or("–"),
                        t.name,
                        t.created_at.format("%Y-%m-%d %H:%M"),
                        t.revoked_at.map_or_else(
                            || "active".to_string(),
                            |r| format!("revoked {}", r.format("%Y-%m-%d %H:%M"))
                        )
                    );
                }
            }
        }
        TokenCommand::Revoke { id } => {
            if store.revoke_token(*id, chrono::Utc::now())? {
                println!("token {id} revoked");
            } else {
                bail!("no active token {id} (see `tce token list`)");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn date(flag: &str, v: &Option<String>) -> Result<Option<NaiveDate>> {
    v.as_deref()
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .with_context(|| format!("--{flag} {s:?}: expected a date YYYY-MM-DD"))
        })
        .transpose()
}

fn create(path: &PathBuf) -> Result<BufWriter<File>> {
    Ok(BufWriter::new(
        File::create(path).with_context(|| format!("creating {}", path.display()))?,
    ))
}

/// `tce report`.
pub fn report(ws: &Workspace, args: &ReportArgs) -> Result<ExitCode> {
    crate::workspace::check_output(&args.out, "--out")?;
    let model = ws.model()?;
    let store = ws.store()?;
    let opts = ReportOptions {
        brand: args.brand.clone(),
        from: date("from", &args.from)?,
        to: date("to", &args.to)?,
        budget: args.budget,
        signals: 100,
        now: chrono::Utc::now(),
        subtitle: format!(
            "Made {} from {}{}.",
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
            ws.dir.display(),
            match (&args.from, &args.to) {
                (None, None) => String::new(),
                (f, t) => format!(
                    ", {} to {}",
                    f.as_deref().unwrap_or("start"),
                    t.as_deref().unwrap_or("end")
                ),
            }
        ),
    };
    let html = render_report(&model, &store, &opts)?;
    let mut out = create(&args.out)?;
    out.write_all(html.as_bytes())?;
    out.flush()?;
    println!("wrote {} ({} KiB)", args.out.display(), html.len() / 1024);
    Ok(ExitCode::SUCCESS)
}

/// `tce export`.
pub fn export(ws: &Workspace, args: &ExportArgs) -> Result<ExitCode> {
    crate::workspace::check_output(&args.out, "--out")?;
    let model = ws.model()?;
    let store = ws.store()?;
    let mut out = create(&args.out)?;
    let n = match args.what {
        ExportWhat::Signals => {
            let params = SignalParams {
                brand: args.brand.clone(),
                channel: args.channel.clone(),
                stage: args.stage.clone(),
                touchpoint: args.touchpoint.clone(),
                min_sentiment: args.min_sentiment.clone(),
                max_sentiment: args.max_sentiment.clone(),
                intent: args.intent.clone(),
                from: args.from.clone(),
                to: args.to.clone(),
                q: args.q.clone(),
                ..SignalParams::default()
            };
            let query = params.query(&model).map_err(|e| anyhow::anyhow!("{e}"))?;
            export_signals(&store, query, &mut out)?
        }
        ExportWhat::Scores => {
            let by: By = args
                .by
                .parse()
                .map_err(|e: String| anyhow::anyhow!("--by: {e}"))?;
            let period = args
                .period
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e: String| anyhow::anyhow!("--period: {e}"))?;
            let filter: Filter = RangeParams {
                from: args.from.clone(),
                to: args.to.clone(),
                brand: args.brand.clone(),
                channel: args.channel.clone(),
            }
            .filter(&model)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            export_scores(&model, &store, &ScoreQuery { by, period, filter }, &mut out)?
        }
        ExportWhat::Elasticities | ExportWhat::RevenueAtRisk => {
            let filter: Filter = RangeParams {
                from: args.from.clone(),
                to: args.to.clone(),
                ..RangeParams::default()
            }
            .filter(&model)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            let table = match args.what {
                ExportWhat::Elasticities => FinanceTable::Elasticities,
                _ => FinanceTable::RevenueAtRisk,
            };
            export_finance(&model, &store, &filter, args.what_if, table, &mut out)?
        }
    };
    out.flush()?;
    println!("wrote {n} rows to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
