//! `tce alerts` and `tce webhooks`: the early-warning alerts, their changes,
//! backtests, and the webhooks they are delivered to. Changes go through
//! `tce_pipeline::alerts::change`, backtests through
//! `tce_pipeline::alerts::backtest` and `tce_alert::backtest`, deliveries
//! through `tce_server::webhooks`. This file parses flags and prints.

use crate::workspace::Workspace;
use anyhow::{bail, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use rand::rngs::OsRng;
use rand::RngCore;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use tce_alert::backtest;
use tce_model::Model;
use tce_pipeline::alerts::{self as pa, alert_json, headline, AlertSettings};
use tce_store::{AlertQuery, AlertScope, AlertStatus, DeliveryStatus, Store, Webhook};

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Open alerts (or all with --all), newest first.
    List(ListArgs),
    /// One alert: its evidence, series, example signals and history.
    Show {
        /// Alert id.
        #[arg(value_name = "ID")]
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Acknowledge an alert (someone owns it).
    #[command(disable_version_flag = true)]
    Ack(ChangeArgs),
    /// Resolve an alert.
    #[command(disable_version_flag = true)]
    Resolve(ChangeArgs),
    /// Run the detector over the stored history (or an external series
    /// with --series) and print the alerts it would have raised; writes nothing.
    Backtest(BacktestArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Every alert, not only open and acknowledged ones.
    #[arg(long)]
    pub all: bool,
    /// Only this brand.
    #[arg(long, value_name = "B")]
    pub brand: Option<String>,
    /// Only this department.
    #[arg(long, value_name = "D")]
    pub department: Option<String>,
    /// Only this scope: own, competitive, opportunity.
    #[arg(long, value_name = "S")]
    pub scope: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// Alert id.
    #[arg(value_name = "ID")]
    pub id: i64,
    /// The version you saw (`tce alerts show`) [default: the current one].
    #[arg(long, value_name = "V")]
    pub version: Option<u64>,
    /// Who makes the change [default: $TCE_AGENT, else $USER].
    #[arg(long, env = "TCE_AGENT", value_name = "NAME")]
    pub agent: Option<String>,
    /// Print the changed alert as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// First day of the stored history (YYYY-MM-DD).
    #[arg(long, value_name = "D")]
    pub from: Option<NaiveDate>,
    /// Last day (inclusive).
    #[arg(long, value_name = "D")]
    pub to: Option<NaiveDate>,
    /// Only this brand.
    #[arg(long, value_name = "B")]
    pub brand: Option<String>,
    /// An external series instead: CSV `timestamp,value`, one count per step.
    #[arg(long, value_name = "FILE.csv")]
    pub series: Option<PathBuf>,
    /// Labelled anomaly windows of the series: JSON `[["start","end"], …]`.
    #[arg(long, value_name = "FILE.json", requires = "series")]
    pub labels: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Add a webhook for one department (or every department with --all);
    /// prints its signing secret once.
    Add {
        /// The department whose alerts (and P1 cases) it gets.
        #[arg(long, value_name = "D", required_unless_present = "all")]
        department: Option<String>,
        /// Every department's.
        #[arg(long, conflicts_with = "department")]
        all: bool,
        /// Where to POST (http or https).
        #[arg(long, value_name = "URL")]
        url: String,
        /// Send Slack's format (`text` plus blocks) instead of the event JSON.
        #[arg(long)]
        slack: bool,
    },
    /// The webhooks (secrets are not shown).
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a webhook.
    Remove {
        /// Webhook id.
        id: i64,
    },
    /// Queue a test event to a webhook (delivered by `tce serve`).
    Test {
        /// Webhook id.
        id: i64,
    },
    /// Deliveries in the outbox, newest first.
    Deliveries {
        /// Only pending, delivered or dead.
        #[arg(long, value_name = "S")]
        status: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Send a delivered or dead-lettered delivery again (same webhook-id).
    Redeliver {
        /// Delivery id.
        id: i64,
    },
}

fn settings(model: &Model) -> Result<AlertSettings> {
    Ok(pa::settings(model)?)
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn print_json(v: &serde_json::Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

pub fn alerts(ws: &Workspace, cmd: AlertsCommand) -> Result<ExitCode> {
    match cmd {
        AlertsCommand::List(args) => list(ws, &args),
        AlertsCommand::Show { id, json } => show(ws, id, json),
        AlertsCommand::Ack(args) => change(ws, &args, AlertStatus::Acknowledged),
        AlertsCommand::Resolve(args) => change(ws, &args, AlertStatus::Resolved),
        AlertsCommand::Backtest(args) => match &args.series {
            Some(series) => backtest_series(ws, series, args.labels.as_ref(), args.json),
            None => backtest_history(ws, &args),
        },
    }
}

fn list(ws: &Workspace, args: &ListArgs) -> Result<ExitCode> {
    let model = ws.model()?;
    let store = ws.store()?;
    let scope = args
        .scope
        .as_deref()
        .map(|s| s.parse::<AlertScope>())
        .transpose()
        .map_err(|e| anyhow::anyhow!("--scope: {e}"))?;
    let q = AlertQuery {
        statuses: if args.all {
            Vec::new()
        } else {
            vec![AlertStatus::Open, AlertStatus::Acknowledged]
        },
        brand: args.brand.clone(),
        departments: args.department.clone().map(|d| vec![d]),
        scope,
        limit: args.limit,
        ..AlertQuery::default()
    };
    let alerts = store.alerts(&q)?;
    if args.json {
        print_json(&json!(alerts.iter().map(alert_json).collect::<Vec<_>>()))?;
        return Ok(ExitCode::SUCCESS);
    }
    if alerts.is_empty() {
        println!("no alerts{}", if args.all { "" } else { " open" });
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>5}  {:<12} {:<11} {:<10} {:<18} {:<16} {:>3}  {:<20} summary",
        "id", "status", "scope", "kind", "department", "touchpoint", "sev", "window start"
    );
    for a in &alerts {
        println!(
            "{:>5}  {:<12} {:<11} {:<10} {:<18} {:<16} {:>3}  {:<20} {}{}",
            a.id,
            a.status.as_str(),
            a.scope.as_str(),
            tce_store::kind_str(a.kind),
            a.department.as_deref().unwrap_or("-"),
            a.touchpoint
                .as_deref()
                .or(a.stage.as_deref())
                .unwrap_or("-"),
            a.severity,
            a.window_start.format("%Y-%m-%d %H:%M"),
            headline(&model, a),
            if a.active { "" } else { " (ended)" },
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn show(ws: &Workspace, id: i64, as_json: bool) -> Result<ExitCode> {
    let model = ws.model()?;
    let store = ws.store()?;
    let Some(alert) = store.alert(id)? else {
        bail!("no alert {id} (see `tce alerts list --all`)");
    };
    let events = store.alert_events(id)?;
    let examples = pa::examples(&store, &alert, 5)?;
    if as_json {
        let mut v = alert_json(&alert);
        v["examples"] = json!(examples
            .iter()
            .map(|s| json!({
                "channel": s.signal.signal.channel,
                "external_id": s.signal.signal.external_id,
                "author": s.signal.signal.author,
                "reach": s.signal.signal.author_followers,
                "created_at": rfc3339(s.signal.signal.created_at),
                "text": s.signal.signal.text,
            }))
            .collect::<Vec<_>>());
        v["events"] = json!(events
            .iter()
            .map(|e| json!({
                "at": rfc3339(e.at),
                "change": e.change,
                "actor": e.actor,
                "observed": e.evidence.map(|x| x.observed),
                "expected": e.evidence.map(|x| (x.expected * 100.0).round() / 100.0),
                "p_value": e.evidence.map(|x| x.p_value),
                "severity": e.evidence.map(|x| x.severity),
            }))
            .collect::<Vec<_>>());
        print_json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "alert {} · {} · version {}",
        alert.id, alert.status, alert.version
    );
    println!("{}", headline(&model, &alert));
    println!(
        "kind {} · scope {} · department {}",
        tce_store::kind_str(alert.kind),
        alert.scope,
        alert.department.as_deref().unwrap_or("none (not routed)")
    );
    println!(
        "window {} → {}{}",
        rfc3339(alert.window_start),
        rfc3339(alert.window_end),
        match alert.ended_at {
            Some(t) => format!(" (ended {})", rfc3339(t)),
            None if alert.active => " (ongoing)".into(),
            None => String::new(),
        }
    );
    println!(
        "observed {} over {} h, expected {:.1} (95% interval {}–{}), p = {:.2e}, severity {}",
        alert.observed,
        alert.span_secs / 3600,
        alert.expected,
        alert.interval.0,
        alert.interval.1,
        alert.p_value,
        alert.severity
    );
    println!("series:");
    for m in &alert.members {
        println!(
            "  {} {}{}",
            m.detector,
            m.series,
            if m.active { " (open)" } else { "" }
        );
    }
    if !examples.is_empty() {
        println!("examples (most reached first):");
        for s in &examples {
            let sig = &s.signal.signal;
            println!(
                "  [{} {}] {}: {}",
                sig.channel,
                sig.author_followers.unwrap_or(0),
                sig.author.as_deref().unwrap_or("?"),
                sig.text.replace('\n', " ")
            );
        }
    }
    println!("history:");
    for e in &events {
        match &e.evidence {
            Some(x) => println!(
                "  {} {} by {}: {} observed, {:.1} expected, severity {}",
                rfc3339(e.at),
                e.change,
                e.actor,
                x.observed,
                x.expected,
                x.severity
            ),
            None => println!("  {} {} by {}", rfc3339(e.at), e.change, e.actor),
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn change(ws: &Workspace, args: &ChangeArgs, to: AlertStatus) -> Result<ExitCode> {
    let mut store = ws.store()?;
    let actor = args
        .agent
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .context("say who makes the change: --agent NAME, or set TCE_AGENT")?;
    let alert = pa::change(&mut store, args.id, to, &actor, Utc::now(), args.version)?;
    if args.json {
        print_json(&alert_json(&alert))?;
    } else {
        println!("alert {} {} by {actor}", alert.id, alert.status);
    }
    Ok(ExitCode::SUCCESS)
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn backtest_history(ws: &Workspace, args: &BacktestArgs) -> Result<ExitCode> {
    let model = ws.model()?;
    let settings = settings(&model)?;
    let store = ws.store()?;
    let from = args.from.map(day_start);
    let to = args.to.and_then(|d| d.succ_opt()).map(day_start);
    let t0 = std::time::Instant::now();
    let r = pa::backtest(&store, &model, &settings, from, to, args.brand.as_deref())?;
    let secs = t0.elapsed().as_secs_f64();
    if args.json {
        print_json(&json!({
            "signals": r.signals,
            "series": r.series,
            "seconds": secs,
            "alerts": r.alerts.iter().map(|a| json!({
                "opened_at": DateTime::from_timestamp(a.opened_at, 0).map(rfc3339),
                "kind": tce_store::kind_str(a.incident.kind),
                "scope": a.scope.as_str(),
                "brand": a.incident.series.brand,
                "stage": a.incident.series.stage,
                "touchpoint": a.incident.series.touchpoint,
                "department": a.department,
                "window": {
                    "start": DateTime::from_timestamp(a.incident.start, 0).map(rfc3339),
                },
                "severity": a.incident.severity,
                "grouped": a.grouped,
            })).collect::<Vec<_>>(),
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} signals, {} series, {} alerts would have been raised ({:.1} s; nothing written)",
        r.signals,
        r.series,
        r.alerts.len(),
        secs
    );
    for a in &r.alerts {
        let opened = DateTime::from_timestamp(a.opened_at, 0).map(rfc3339);
        println!(
            "  {}  {:<11} {:<10} {:<40} sev {:>2}  → {}",
            opened.unwrap_or_default(),
            a.scope.as_str(),
            tce_store::kind_str(a.incident.kind),
            a.incident.series.to_string(),
            a.incident.severity,
            a.department.as_deref().unwrap_or("-"),
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn backtest_series(
    ws: &Workspace,
    path: &PathBuf,
    labels: Option<&PathBuf>,
    as_json: bool,
) -> Result<ExitCode> {
    // The workspace's settings when there is one; the defaults otherwise.
    let settings = if ws.model_path().exists() {
        settings(&ws.model()?)?.negative
    } else {
        tce_alert::Settings::default()
    };
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let series = backtest::read_series(std::io::BufReader::new(f))
        .with_context(|| format!("reading {}", path.display()))?;
    let run = backtest::run(&series, &settings)?;
    let opened = run.opened_at();
    let ts = |t: i64| {
        DateTime::from_timestamp(t, 0)
            .map(rfc3339)
            .unwrap_or_default()
    };
    let eval = match labels {
        Some(l) => {
            let text =
                std::fs::read_to_string(l).with_context(|| format!("reading {}", l.display()))?;
            let windows = backtest::parse_labels(&text)
                .with_context(|| format!("reading {}", l.display()))?;
            Some(backtest::evaluate(&opened, &windows, 0))
        }
        None => None,
    };
    if as_json {
        let mut v = json!({
            "series": path.display().to_string(),
            "rows": series.points.len(),
            "step_secs": run.step_secs,
            "alerts": opened.iter().map(|t| json!({"opened_at": ts(*t)})).collect::<Vec<_>>(),
        });
        if let Some(e) = &eval {
            v["evaluation"] = json!({
                "windows": e.windows.len(),
                "detected": e.detected,
                "missed": e.missed,
                "false_alerts": e.false_alerts,
                "median_time_to_detect_secs": e.median_time_to_detect_secs,
                "per_window": e.windows.iter().map(|w| json!({
                    "start": ts(w.window.start),
                    "end": ts(w.window.end),
                    "first_alert": w.first_alert.map(ts),
                    "time_to_detect_secs": w.time_to_detect_secs,
                })).collect::<Vec<_>>(),
            });
        }
        print_json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}: {} rows, step {} s, {} alerts",
        path.display(),
        series.points.len(),
        run.step_secs,
        opened.len()
    );
    for t in &opened {
        println!("  alert opened at {}", ts(*t));
    }
    if let Some(e) = &eval {
        println!(
            "windows {}: detected {}, missed {}; false alerts {}; median time to detect {}",
            e.windows.len(),
            e.detected,
            e.missed,
            e.false_alerts,
            e.median_time_to_detect_secs
                .map_or("-".into(), |s| format!("{:.1} h", s as f64 / 3600.0))
        );
        for w in &e.windows {
            println!(
                "  window {} → {}: {}",
                ts(w.window.start),
                ts(w.window.end),
                match (w.first_alert, w.time_to_detect_secs) {
                    (Some(a), Some(d)) =>
                        format!("detected at {} ({:.1} h)", ts(a), d as f64 / 3600.0),
                    _ => "missed".into(),
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn webhooks(ws: &Workspace, cmd: WebhooksCommand) -> Result<ExitCode> {
    match cmd {
        WebhooksCommand::Add {
            department,
            all: _,
            url,
            slack,
        } => {
            let model = ws.model()?;
            if let Some(d) = &department {
                if model.department(d).is_none() {
                    let ids: Vec<&str> = model.departments.iter().map(|d| d.id.as_str()).collect();
                    bail!(
                        "--department {d:?}: not a department of the model (departments: {})",
                        ids.join(", ")
                    );
                }
            }
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("--url {url:?}: must start with http:// or https://");
            }
            let mut random = [0u8; 32];
            OsRng.fill_bytes(&mut random);
            let secret = tce_alert::webhook::secret_from_bytes(&random)?;
            let mut store = ws.store()?;
            let id = store.insert_webhook(&Webhook {
                id: 0,
                department: department.clone(),
                url: url.clone(),
                secret: secret.clone(),
                slack,
                created_at: Utc::now(),
            })?;
            println!(
                "webhook {id}: {} → {url}{}",
                department.as_deref().unwrap_or("all departments"),
                if slack { " (Slack format)" } else { "" }
            );
            println!("signing secret (shown once; verify `webhook-signature` with it):");
            println!("{secret}");
        }
        WebhooksCommand::List { json: as_json } => {
            let store = ws.store()?;
            let hooks = store.webhooks()?;
            if as_json {
                print_json(&json!(hooks
                    .iter()
                    .map(|h| json!({
                        "id": h.id,
                        "department": h.department,
                        "url": h.url,
                        "slack": h.slack,
                        "created_at": rfc3339(h.created_at),
                    }))
                    .collect::<Vec<_>>()))?;
            } else if hooks.is_empty() {
                println!("no webhooks (add one: tce webhooks add --department D --url URL)");
            } else {
                for h in &hooks {
                    println!(
                        "{:>4}  {:<20} {}{}",
                        h.id,
                        h.department.as_deref().unwrap_or("(all)"),
                        h.url,
                        if h.slack { "  [slack]" } else { "" }
                    );
                }
            }
        }
        WebhooksCommand::Remove { id } => {
            let mut store = ws.store()?;
            if !store.remove_webhook(id)? {
                bail!("no webhook {id}");
            }
            println!("webhook {id} removed");
        }
        WebhooksCommand::Test { id } => {
            let mut store = ws.store()?;
            let Some(h) = store.webhooks()?.into_iter().find(|h| h.id == id) else {
                bail!("no webhook {id}");
            };
            let now = Utc::now();
            let d = tce_pipeline::webhooks::test_delivery(&h, now);
            let message_id = d.message_id.clone();
            store.enqueue_deliveries(&[d])?;
            println!("test event {message_id} queued for webhook {id}; `tce serve` delivers it (see `tce webhooks deliveries`)");
        }
        WebhooksCommand::Deliveries {
            status,
            limit,
            json: as_json,
        } => {
            let status = status
                .as_deref()
                .map(|s| s.parse::<DeliveryStatus>())
                .transpose()
                .map_err(|e| anyhow::anyhow!("--status: {e}"))?;
            let store = ws.store()?;
            let ds = store.deliveries(status, limit)?;
            if as_json {
                print_json(&json!(ds
                    .iter()
                    .map(|d| json!({
                        "id": d.id,
                        "webhook_id": d.webhook_id,
                        "message_id": d.message_id,
                        "event_type": d.event_type,
                        "status": d.status.as_str(),
                        "attempts": d.attempts,
                        "next_attempt_at": rfc3339(d.next_attempt_at),
                        "last_status": d.last_status,
                        "last_error": d.last_error,
                        "created_at": rfc3339(d.created_at),
                        "delivered_at": d.delivered_at.map(rfc3339),
                    }))
                    .collect::<Vec<_>>()))?;
            } else if ds.is_empty() {
                println!("no deliveries");
            } else {
                for d in &ds {
                    println!(
                        "{:>5}  webhook {:<3} {:<10} {:<14} attempts {:<2} {}{}",
                        d.id,
                        d.webhook_id,
                        d.status.as_str(),
                        d.event_type,
                        d.attempts,
                        d.message_id,
                        d.last_error
                            .as_deref()
                            .map(|e| format!("  last error: {e}"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        WebhooksCommand::Redeliver { id } => {
            let mut store = ws.store()?;
            if !store.redeliver(id, Utc::now())? {
                bail!("no delivery {id} to send again (pending ones are still being sent)");
            }
            println!("delivery {id} queued again (same webhook-id); `tce serve` delivers it");
        }
    }
    Ok(ExitCode::SUCCESS)
}
