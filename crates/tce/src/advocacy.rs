//! `tce advocates`, `tce moments` and `tce ideas`: figures come from
//! `tce_insight::advocacy`, changes go through `tce_pipeline::advocacy`
//! (the workflows). This file parses flags and prints. The JSON shapes are
//! `tce_insight::advocacy`'s views, the same the API returns.

use crate::cli::{AdvocatesArgs, IdeasCommand, MomentsCommand};
use crate::workspace::Workspace;
use anyhow::{anyhow, Context, Result};
use chrono::Utc;
use std::process::ExitCode;
use tce_advocacy::{IdeaStatus, MomentStatus};
use tce_insight::advocacy as insight;
use tce_model::Model;
use tce_store::{IdeaQuery, MomentQuery};

fn brand_arg(model: &Model, b: &str) -> Result<String> {
    model.resolve_brand(b).map(str::to_string).with_context(|| {
        let hint = model
            .suggest_brand(b)
            .map(|s| format!(": did you mean {s:?}?"))
            .unwrap_or_default();
        let ids: Vec<&str> = model.brands.iter().map(|b| b.id.as_str()).collect();
        format!(
            "--brand {b:?}: not a brand of the model{hint} (brands: {})",
            ids.join(", ")
        )
    })
}

fn actor(agent: &Option<String>) -> Result<String> {
    agent
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .context(
            "say who makes the change: --agent NAME, or set TCE_AGENT (USER is not set either)",
        )
}

/// `tce advocates`.
pub fn advocates(ws: &Workspace, args: &AdvocatesArgs) -> Result<ExitCode> {
    let model = ws.model()?;
    let store = ws.store()?;
    let brand = args
        .brand
        .as_deref()
        .map(|b| brand_arg(&model, b))
        .transpose()?;
    let now = Utc::now();
    let list = insight::advocates(&store, brand.as_deref(), args.limit, now)?;
    let mut net = insight::net_by_brand(&store, &model, None)?;
    if let Some(b) = &brand {
        net.retain(|n| &n.brand == b);
    }
    if args.json {
        let out = serde_json::json!({ "advocates": list, "net_advocacy": net });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("Net advocacy (advocates − detractors among authors with ≥{} signals in a month, 95% interval):", insight::NET_MIN_SIGNALS);
    for n in &net {
        println!(
            "  {:<12} {:>6.1}  [{:>6.1}, {:>6.1}]  {} advocates, {} detractors of {}",
            n.brand, n.value, n.low, n.high, n.advocates, n.detractors, n.eligible
        );
    }
    println!();
    println!(
        "{:<12} {:<24} {:>7} {:<10}  reasons",
        "brand", "author", "score", "class"
    );
    for a in &list {
        let reasons: Vec<String> = a
            .reasons
            .iter()
            .filter(|r| r.points.abs() >= 0.05)
            .map(|r| format!("{} {:+.1} ({})", r.factor, r.points, r.detail))
            .collect();
        println!(
            "{:<12} {:<24} {:>7.2} {:<10}  {}",
            a.brand,
            a.author,
            a.score,
            a.class,
            reasons.join("; ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `tce moments`.
pub fn moments(ws: &Workspace, cmd: MomentsCommand) -> Result<ExitCode> {
    match cmd {
        MomentsCommand::List {
            status,
            brand,
            limit,
            json,
        } => {
            let model = ws.model()?;
            let store = ws.store()?;
            let statuses = status
                .iter()
                .map(|s| {
                    s.parse::<MomentStatus>()
                        .map_err(|e| anyhow!("--status: {e}"))
                })
                .collect::<Result<Vec<_>>>()?;
            let brand = brand.as_deref().map(|b| brand_arg(&model, b)).transpose()?;
            let list = insight::moments(
                &store,
                &MomentQuery {
                    statuses,
                    brand,
                    departments: None,
                    limit,
                },
            )?;
            let conversion = insight::conversion(&store)?;
            if json {
                let out = serde_json::json!({ "moments": list, "conversion": conversion });
                println!("{}", serde_json::to_string_pretty(&out)?);
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "{:>6} {:<9} {:<16} {:<10} {:<20} {:<24} created",
                "id", "status", "kind", "brand", "author", "signal"
            );
            for m in &list {
                println!(
                    "{:>6} {:<9} {:<16} {:<10} {:<20} {:<24} {}",
                    m.id,
                    m.status,
                    m.kind,
                    m.brand,
                    m.author,
                    format!("{}/{}", m.channel, m.external_id),
                    m.created_at.to_rfc3339()
                );
            }
            println!();
            println!("Conversion per channel and month (shared / sent):");
            for c in &conversion {
                println!(
                    "  {:<12} {}  {} moments, {} sent, {} shared, {} declined{}",
                    c.channel,
                    c.period.format("%Y-%m"),
                    c.moments,
                    c.sent,
                    c.shared,
                    c.declined,
                    c.conversion
                        .map(|x| format!(", {:.0}% shared", 100.0 * x))
                        .unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        MomentsCommand::Mark { id, status, json } => {
            let mut store = ws.store()?;
            let to: MomentStatus = status.parse().map_err(|e| anyhow!("STATUS: {e}"))?;
            let m = tce_pipeline::advocacy::mark_moment(&mut store, id, to, Utc::now())?;
            let v = insight::moment_view(&m);
            if json {
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("moment {} is now {}", v.id, v.status);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_idea(d: &insight::IdeaDetail) {
    let i = &d.idea;
    println!("idea {} ({}) — {}", i.id, i.brand, i.label);
    println!(
        "  status {} · {} suggestions · reach {} · rank {:.2} · sentiment {:+.2}",
        i.status, i.volume, i.reach, i.rank, i.sentiment
    );
    println!(
        "  first seen {} · last seen {}",
        i.first_seen.to_rfc3339(),
        i.last_seen.to_rfc3339()
    );
    if let Some(t) = &i.touchpoint {
        println!(
            "  touchpoint {t} (stage {})",
            i.stage.as_deref().unwrap_or("?")
        );
    }
    if let Some(into) = d.merged_into {
        println!("  merged into idea {into}");
    }
    println!("  representative: {}", i.representative);
    if let Some(e) = &d.ship_effect {
        let f = |x: Option<f64>| x.map_or("—".to_string(), |v| format!("{v:.1}"));
        println!(
            "  shipped {}: {} TES {} days before {} (n={}), after {} (n={})",
            e.shipped_on,
            e.touchpoint,
            e.days,
            f(e.before),
            e.n_before,
            f(e.after),
            e.n_after
        );
    }
    println!("  examples:");
    for x in &d.examples {
        println!(
            "    {} {}/{}: {}",
            x.created_at.to_rfc3339(),
            x.channel,
            x.external_id,
            x.text
        );
    }
    if !d.events.is_empty() {
        println!("  history:");
        for e in &d.events {
            println!(
                "    {} {} {}{}{}{}",
                e.at.to_rfc3339(),
                e.actor,
                e.kind,
                match (e.from, e.to) {
                    (Some(f), Some(t)) => format!(" {f} → {t}"),
                    _ => String::new(),
                },
                e.note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default(),
                e.other.map(|o| format!(" (idea {o})")).unwrap_or_default()
            );
        }
    }
}

/// `tce ideas`.
pub fn ideas(ws: &Workspace, cmd: IdeasCommand) -> Result<ExitCode> {
    let now = Utc::now();
    match cmd {
        IdeasCommand::List {
            brand,
            competitors,
            status,
            limit,
            json,
        } => {
            let model = ws.model()?;
            let store = ws.store()?;
            let statuses = status
                .iter()
                .map(|s| {
                    s.parse::<IdeaStatus>()
                        .map_err(|e| anyhow!("--status: {e}"))
                })
                .collect::<Result<Vec<_>>>()?;
            let brand = brand.as_deref().map(|b| brand_arg(&model, b)).transpose()?;
            let q = IdeaQuery {
                brand,
                own: Some(!competitors),
                statuses,
                limit: 0,
            };
            let list = insight::ideas_ranked(&store, &model, &q, limit, now)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
                return Ok(ExitCode::SUCCESS);
            }
            if competitors {
                println!("What customers ask of competitors:");
            }
            println!(
                "{:>5} {:<10} {:<13} {:>6} {:>8} {:>8}  label",
                "id", "brand", "status", "volume", "reach", "rank"
            );
            for i in &list {
                println!(
                    "{:>5} {:<10} {:<13} {:>6} {:>8} {:>8.1}  {}",
                    i.id, i.brand, i.status, i.volume, i.reach, i.rank, i.label
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        IdeasCommand::Show { id, examples, json } => {
            let model = ws.model()?;
            let store = ws.store()?;
            let d = insight::idea_detail(&store, &model, id, examples.clamp(1, 100_000), now)?
                .with_context(|| format!("no idea {id}"))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&d)?);
            } else {
                print_idea(&d);
            }
            Ok(ExitCode::SUCCESS)
        }
        IdeasCommand::Status {
            id,
            status,
            note,
            version,
            agent,
            json,
        } => {
            let model = ws.model()?;
            let mut store = ws.store()?;
            let to: IdeaStatus = status.parse().map_err(|e| anyhow!("STATUS: {e}"))?;
            let who = actor(&agent)?;
            tce_pipeline::advocacy::set_idea_status(&mut store, id, version, to, note, &who, now)?;
            show_after(&store, &model, id, json)
        }
        IdeasCommand::Merge {
            into,
            from,
            agent,
            json,
        } => {
            let model = ws.model()?;
            let mut store = ws.store()?;
            let who = actor(&agent)?;
            tce_pipeline::advocacy::merge_ideas(&mut store, into, from, &who, now)?;
            show_after(&store, &model, into, json)
        }
        IdeasCommand::Split {
            id,
            signals,
            version,
            agent,
            json,
        } => {
            let model = ws.model()?;
            let mut store = ws.store()?;
            let refs = signals
                .iter()
                .map(|s| {
                    tce_pipeline::advocacy::parse_suggestion_ref(s)
                        .with_context(|| format!("--signals: {s:?} is not CHANNEL:EXTERNAL_ID"))
                })
                .collect::<Result<Vec<_>>>()?;
            let who = actor(&agent)?;
            let (kept, part) =
                tce_pipeline::advocacy::split_idea(&mut store, id, version, &refs, &who, now)?;
            if !json {
                println!(
                    "Split {} suggestions of idea {id} ({} left) into idea {}.",
                    part.volume, kept.volume, part.id
                );
            }
            show_after(&store, &model, part.id, json)
        }
    }
}

fn show_after(
    store: &tce_store::SqliteStore,
    model: &Model,
    id: i64,
    json: bool,
) -> Result<ExitCode> {
    let d = insight::idea_detail(store, model, id, 5, Utc::now())?
        .with_context(|| format!("no idea {id}"))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&d)?);
    } else {
        print_idea(&d);
    }
    Ok(ExitCode::SUCCESS)
}
