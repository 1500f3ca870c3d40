//! `tce cases` and `tce care stats`: the care queue, one case, agents'
//! changes and care metrics. Changes go through
//! `tce_pipeline::care::change` (versions, transitions, events); figures
//! come from `tce_insight::care::stats`. This file parses flags and prints.
//!
//! The JSON shapes (`CaseView`, `CaseDetail`) are defined here once, with
//! the domain's field names and RFC 3339 times, and documented in
//! docs/care.md.

use crate::cli::{CareStatsArgs, CaseChangeArgs, CasesCommand, CasesListArgs};
use crate::workspace::Workspace;
use anyhow::{bail, Context, Result};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::process::ExitCode;
use tce_care::sla::{Calendar, ClockState, SlaState};
use tce_care::workflow::Change;
use tce_care::{Actor, Case, CaseEvent, CaseEventKind, CaseId, CaseKind, Priority, Status};
use tce_insight::care::{CareGroup, CareStats, CareStatsRequest, AGE_BUCKETS};
use tce_model::Model;
use tce_store::{CaseQuery, SignalQuery, Store};

/// One case as lists and `--json` show it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    /// Case id.
    pub id: u64,
    /// `care` or `lead`.
    pub kind: &'static str,
    /// The own brand it is about.
    pub brand: String,
    /// The channel the customer wrote on.
    pub channel: String,
    /// The customer (pseudonymous when the model asks).
    pub author: Option<String>,
    /// The touchpoint it was routed by.
    pub touchpoint: Option<String>,
    /// The owning department's id.
    pub department: String,
    /// Why it went there.
    pub routing_reason: String,
    /// `new`, `open`, `pending`, `resolved` or `closed`.
    pub status: &'static str,
    /// `p1` … `p4`.
    pub priority: &'static str,
    /// The priority score, 0–100.
    pub priority_score: f64,
    /// The agent working on it.
    pub assignee: Option<String>,
    /// When the customer's first message was written.
    pub opened_at: DateTime<Utc>,
    /// When the customer last wrote.
    pub last_customer_at: DateTime<Utc>,
    /// When the first response was given.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When the last response was given.
    pub last_response_at: Option<DateTime<Utc>>,
    /// When it was last resolved.
    pub resolved_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// How often it was re-opened.
    pub reopened: u32,
    /// Messages in its thread.
    pub messages: usize,
    /// Its SLA clocks now.
    pub sla: SlaView,
    /// Pass as `--version` to change it.
    pub version: u64,
}

/// Both SLA clocks of a case at the instant shown.
#[derive(Debug, Clone, Serialize)]
pub struct SlaView {
    /// `breached`, `at_risk`, `paused`, `running` or `done`.
    pub state: &'static str,
    /// The instant the clocks were read at.
    pub at: DateTime<Utc>,
    /// First-response clock.
    pub first_response: ClockView,
    /// Resolution clock.
    pub resolution: ClockView,
}

/// One SLA clock.
#[derive(Debug, Clone, Serialize)]
pub struct ClockView {
    /// Due time (moved out by pauses).
    pub due: DateTime<Utc>,
    /// Target in business seconds.
    pub target_secs: i64,
    /// Business seconds used (pauses excluded; frozen once done).
    pub used_secs: i64,
    /// used / target.
    pub used_share: f64,
    /// Done: the response or resolution happened.
    pub done: bool,
    /// Past due before it was done.
    pub breached: bool,
    /// Running and at least `[care] at_risk_share` of the target used.
    pub at_risk: bool,
    /// Paused (pending, or resolved).
    pub paused: bool,
}

impl From<&ClockState> for ClockView {
    fn from(c: &ClockState) -> ClockView {
        ClockView {
            due: c.due,
            target_secs: c.target_secs,
            used_secs: c.used_secs,
            used_share: c.used_share,
            done: c.done,
            breached: c.breached,
            at_risk: c.at_risk,
            paused: c.paused,
        }
    }
}

fn sla_word(case: &Case, s: &SlaState) -> &'static str {
    if s.breached() {
        "breached"
    } else if s.at_risk() {
        "at_risk"
    } else if !case.status.is_active() {
        "done"
    } else if s.first_response.paused || s.resolution.paused {
        "paused"
    } else {
        "running"
    }
}

impl CaseView {
    /// The view of a case, its SLA clocks read at `now`.
    pub fn of(case: &Case, model: &Model, now: DateTime<Utc>) -> CaseView {
        let sla = case.sla_state(model, now);
        CaseView {
            id: case.id.0,
            kind: case.kind.as_str(),
            brand: case.brand.clone(),
            channel: case.channel.clone(),
            author: case.author.clone(),
            touchpoint: case.routing.touchpoint.clone(),
            department: case.routing.department.clone(),
            routing_reason: case.routing.reason.clone(),
            status: case.status.as_str(),
            priority: case.priority.priority.as_str(),
            priority_score: case.priority.score,
            assignee: case.assignee.clone(),
            opened_at: case.opened_at,
            last_customer_at: case.last_customer_at,
            first_response_at: case.first_response_at,
            last_response_at: case.last_response_at,
            resolved_at: case.resolved_at,
            closed_at: case.closed_at,
            reopened: case.reopened,
            messages: case.thread.len(),
            sla: SlaView {
                state: sla_word(case, &sla),
                at: now,
                first_response: (&sla.first_response).into(),
                resolution: (&sla.resolution).into(),
            },
            version: case.version,
        }
    }
}

/// One case with everything `tce cases show` prints.
#[derive(Debug, Clone, Serialize)]
pub struct CaseDetail {
    /// The case.
    #[serde(flatten)]
    pub case: CaseView,
    /// The priority factors with their contributions.
    pub factors: Vec<FactorView>,
    /// The thread in time order: ingested messages and recorded responses.
    pub thread: Vec<MessageView>,
    /// The audit trail, oldest first.
    pub events: Vec<EventView>,
}

/// One priority factor.
#[derive(Debug, Clone, Serialize)]
pub struct FactorView {
    /// `severity`, `churn_risk`, `reach`, `intent` or `rating`.
    pub factor: &'static str,
    /// Its value, 0–1.
    pub value: f64,
    /// Its weight (points at value 1).
    pub weight: f64,
    /// value × weight.
    pub points: f64,
    /// What it was computed from.
    pub detail: String,
}

/// One message of a thread.
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    /// When it was written (or the response recorded).
    pub at: DateTime<Utc>,
    /// `customer` or `brand`.
    pub party: &'static str,
    /// Its author (ingested messages).
    pub author: Option<String>,
    /// The agent who recorded it (responses recorded in tce).
    pub agent: Option<String>,
    /// Channel id.
    pub channel: String,
    /// The source's id (ingested messages).
    pub external_id: Option<String>,
    /// Its text (`None` when the signal is no longer stored).
    pub text: Option<String>,
    /// Its sentiment compound (−1…1), when analysed.
    pub sentiment: Option<f64>,
}

/// One entry of the audit trail.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    /// Its position in the log.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// `system`, `customer` or the agent's name.
    pub actor: String,
    /// The event kind (`opened`, `status`, `assignee`, …).
    pub kind: &'static str,
    /// What happened, in words.
    pub detail: String,
}

fn event_detail(kind: &CaseEventKind) -> String {
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "nobody".into());
    match kind {
        CaseEventKind::Opened {
            kind,
            routing,
            priority,
        } => format!(
            "opened as {kind}, {priority}, to {} ({})",
            routing.department, routing.reason
        ),
        CaseEventKind::Status { from, to } => format!("status {from} → {to}"),
        CaseEventKind::Assignee { from, to } => format!("assignee {} → {}", opt(from), opt(to)),
        CaseEventKind::Department { from, to, reason } => {
            format!("re-routed {from} → {to} ({reason})")
        }
        CaseEventKind::Priority { from, to } => format!("priority {from} → {to}"),
        CaseEventKind::Response {
            text,
            channel,
            agent,
            signal,
        } => match (signal, agent) {
            (Some(s), _) => format!(
                "brand reply on {channel} ({}): {}",
                s.external_id,
                line(text)
            ),
            (None, Some(a)) => format!("response by {a} on {channel}: {}", line(text)),
            (None, None) => format!("response on {channel}: {}", line(text)),
        },
        CaseEventKind::Note { text } => format!("note: {}", line(text)),
        CaseEventKind::CustomerMessage {
            signal,
            after_resolution,
            ..
        } => format!(
            "customer message {}{}",
            signal.external_id,
            if *after_resolution {
                " (after resolution)"
            } else {
                ""
            }
        ),
        CaseEventKind::FirstResponse {
            wall_secs,
            business_secs,
            within_sla,
        } => format!(
            "first response after {} ({} business time), {}",
            human_secs(*wall_secs),
            human_secs(*business_secs),
            if *within_sla { "within SLA" } else { "late" }
        ),
        CaseEventKind::Resolved {
            wall_secs,
            business_secs,
            within_sla,
        } => format!(
            "resolved after {} ({} business time), {}",
            human_secs(*wall_secs),
            human_secs(*business_secs),
            if *within_sla { "within SLA" } else { "late" }
        ),
        CaseEventKind::Reopened => "re-opened".into(),
        CaseEventKind::AutoResolved { quiet_days } => {
            format!("auto-resolved: the customer stayed quiet {quiet_days} days after the brand's answer")
        }
    }
}

/// The first line of a text, at most 100 characters.
fn line(text: &str) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    let mut out: String = first.chars().take(100).collect();
    if out.len() < first.len() || text.trim().lines().count() > 1 {
        out.push('…');
    }
    out
}

/// A duration for people: "45 s", "12 min", "1 h 12 min", "3 d 4 h".
pub fn human_secs(secs: i64) -> String {
    let (sign, s) = if secs < 0 { ("−", -secs) } else { ("", secs) };
    let body = if s < 60 {
        format!("{s} s")
    } else if s < 3_600 {
        format!("{} min", s / 60)
    } else if s < 86_400 {
        match (s % 3_600) / 60 {
            0 => format!("{} h", s / 3_600),
            m => format!("{} h {m} min", s / 3_600),
        }
    } else {
        match (s % 86_400) / 3_600 {
            0 => format!("{} d", s / 86_400),
            h => format!("{} d {h} h", s / 86_400),
        }
    };
    format!("{sign}{body}")
}

fn human_opt(secs: Option<f64>) -> String {
    secs.map_or_else(|| "—".into(), |s| human_secs(s.round() as i64))
}

fn pct(share: Option<f64>) -> String {
    share.map_or_else(|| "—".into(), |s| format!("{:.0}%", 100.0 * s))
}

/// Whether to colour stdout: only on a terminal, never with `NO_COLOR`.
fn stdout_colour() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stdout().is_terminal()
}

fn paint(text: &str, style: &str) -> String {
    if stdout_colour() {
        format!("\x1b[{style}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub fn cases(ws: &Workspace, cmd: CasesCommand) -> Result<ExitCode> {
    match cmd {
        CasesCommand::List(args) => list(ws, &args),
        CasesCommand::Show { id, json } => show(ws, id, json),
        CasesCommand::Assign { change, assignee } => apply(ws, &change, |_, _| {
            Ok(Change::Assign {
                agent: Some(assignee.clone()),
            })
        }),
        CasesCommand::Respond {
            change,
            text,
            channel,
        } => apply(ws, &change, |case, model| {
            let channel = match &channel {
                Some(c) => {
                    check_channel(model, c)?;
                    c.clone()
                }
                None => case.channel.clone(),
            };
            Ok(Change::Respond {
                text: text.clone(),
                channel,
                agent: Some(actor_name(&change)?),
                reply: None,
            })
        }),
        CasesCommand::Note { change, text } => {
            apply(ws, &change, |_, _| Ok(Change::Note { text: text.clone() }))
        }
        CasesCommand::Pending { change } => {
            apply(ws, &change, |_, _| Ok(Change::SetStatus(Status::Pending)))
        }
        CasesCommand::Resolve { change } => {
            apply(ws, &change, |_, _| Ok(Change::SetStatus(Status::Resolved)))
        }
        CasesCommand::Reopen { change } => {
            apply(ws, &change, |_, _| Ok(Change::SetStatus(Status::Open)))
        }
        CasesCommand::Route {
            change,
            department,
            reason,
        } => apply(ws, &change, |_, model| {
            check_department(model, &department, "ROUTE")?;
            let reason = match &reason {
                Some(r) => r.clone(),
                None => format!("re-routed by {}", actor_name(&change)?),
            };
            Ok(Change::Route {
                department: department.clone(),
                reason,
            })
        }),
    }
}

fn check_department(model: &Model, d: &str, what: &str) -> Result<()> {
    if model.department(d).is_some() {
        return Ok(());
    }
    let ids: Vec<&str> = model.departments.iter().map(|d| d.id.as_str()).collect();
    let hint = tce_model::did_you_mean(d, ids.iter().copied())
        .map(|s| format!(": did you mean {s:?}?"))
        .unwrap_or_default();
    if what == "ROUTE" {
        bail!(
            "unknown department {d:?}{hint} (departments: {})",
            ids.join(", ")
        )
    }
    bail!(
        "{what} {d:?}: not a department of the model{hint} (departments: {})",
        ids.join(", ")
    )
}

fn check_channel(model: &Model, c: &str) -> Result<()> {
    if model.channel(c).is_some() {
        return Ok(());
    }
    let hint = model
        .suggest_channel(c)
        .map(|s| format!(": did you mean {s:?}?"))
        .unwrap_or_default();
    let ids: Vec<&str> = model.channels.iter().map(|c| c.id.as_str()).collect();
    bail!(
        "--channel {c:?}: not a channel of the model{hint} (channels: {})",
        ids.join(", ")
    )
}

/// Who makes a change: `--agent`, `TCE_AGENT`, else `$USER`.
fn actor_name(args: &CaseChangeArgs) -> Result<String> {
    args.agent
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .context(
            "say who makes the change: --agent NAME, or set TCE_AGENT (USER is not set either)",
        )
}

fn parse<T: std::str::FromStr<Err = String>>(flag: &str, v: &str) -> Result<T> {
    v.parse()
        .map_err(|e: String| anyhow::anyhow!("{flag}: {e}"))
}

fn list(ws: &Workspace, args: &CasesListArgs) -> Result<ExitCode> {
    let model = ws.model()?;
    let store = ws.store()?;
    let now = Utc::now();
    if let Some(d) = &args.department {
        check_department(&model, d, "--department")?;
    }
    let brand = match &args.brand {
        Some(b) => Some(
            model
                .resolve_brand(b)
                .with_context(|| {
                    let hint = model
                        .suggest_brand(b)
                        .map(|s| format!(": did you mean {s:?}?"))
                        .unwrap_or_default();
                    let ids: Vec<&str> = model.brands.iter().map(|b| b.id.as_str()).collect();
                    format!(
                        "--brand {b:?}: not a brand of the model{hint} (brands: {})",
                        ids.join(", ")
                    )
                })?
                .to_string(),
        ),
        None => None,
    };
    let statuses = if args.status.is_empty() {
        vec![Status::New, Status::Open, Status::Pending]
    } else {
        args.status
            .iter()
            .map(|s| parse::<Status>("--status", s))
            .collect::<Result<_>>()?
    };
    let query = CaseQuery {
        departments: args.department.clone().map(|d| vec![d]),
        statuses,
        priority: args
            .priority
            .as_deref()
            .map(|p| parse::<Priority>("--priority", p))
            .transpose()?,
        brand,
        kind: args
            .kind
            .as_deref()
            .map(|k| parse::<CaseKind>("--kind", k))
            .transpose()?,
        breached_at: args.breached.then_some(now),
        cursor: args.cursor.clone(),
        limit: args.limit,
    };
    let page = store
        .cases(&query)
        .context("listing cases (is --cursor from an earlier `tce cases list`?)")?;
    let items: Vec<CaseView> = page
        .items
        .iter()
        .map(|c| CaseView::of(c, &model, now))
        .collect();
    if args.json {
        let out = serde_json::json!({"items": items, "next_cursor": page.next_cursor});
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    if items.is_empty() {
        println!("no cases match");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>6}  {:<3} {:<9} {:<16} {:<10} {:<12} {:>10}  {:<40} reason",
        "id", "pri", "status", "department", "brand", "channel", "age", "SLA"
    );
    for (c, v) in page.items.iter().zip(&items) {
        let sla = sla_cell(c, &v.sla, now);
        let padded = format!("{sla:<40}");
        let sla = match v.sla.state {
            "breached" => paint(&padded, crate::RED),
            "at_risk" => paint(&padded, crate::YELLOW),
            _ => padded,
        };
        println!(
            "{:>6}  {:<3} {:<9} {:<16} {:<10} {:<12} {:>10}  {sla} {}",
            v.id,
            v.priority,
            v.status,
            v.department,
            v.brand,
            v.channel,
            human_secs((now - c.opened_at).num_seconds()),
            line(&v.routing_reason)
        );
    }
    println!(
        "{} cases (as of {}; priority first, then the soonest SLA breach)",
        items.len(),
        time(now)
    );
    if let Some(c) = &page.next_cursor {
        println!("more: --cursor {c}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The SLA column: "breached: first response", "at risk: resolution due in
/// 20 min", "first response due in 1 h 12 min", "paused", "done".
fn sla_cell(case: &Case, sla: &SlaView, now: DateTime<Utc>) -> String {
    let (fr, res) = (&sla.first_response, &sla.resolution);
    let due = |name: &str, c: &ClockView| {
        let left = (c.due - now).num_seconds();
        if left >= 0 {
            format!("{name} due in {}", human_secs(left))
        } else {
            format!("{name} was due {} ago", human_secs(-left))
        }
    };
    match sla.state {
        "breached" => {
            let which: Vec<&str> = [(fr, "first response"), (res, "resolution")]
                .into_iter()
                .filter(|(c, _)| c.breached)
                .map(|(_, n)| n)
                .collect();
            format!("breached: {}", which.join(", "))
        }
        "at_risk" if fr.at_risk => format!("at risk: {}", due("first response", fr)),
        "at_risk" => format!("at risk: {}", due("resolution", res)),
        "done" => format!("done ({})", case.status),
        "paused" => "paused (waiting on the customer)".into(),
        _ if !fr.done => due("first response", fr),
        _ => due("resolution", res),
    }
}

/// The thread in time order: ingested messages (their text read from the
/// store by channel and time) and the responses agents recorded.
fn thread(store: &dyn Store, case: &Case, events: &[CaseEvent]) -> Result<Vec<MessageView>> {
    // Signals keep whole seconds: look each message up in its second.
    let mut texts: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut seen: Vec<(String, i64)> = Vec::new();
    for e in &case.thread {
        let key = (e.signal.channel.clone(), e.at.timestamp());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let from = e.at - Duration::nanoseconds(i64::from(e.at.timestamp_subsec_nanos()));
        let page = store.signals(&SignalQuery {
            channel: Some(e.signal.channel.clone()),
            from: Some(from),
            to: Some(from + Duration::seconds(1)),
            limit: SignalQuery::MAX_LIMIT,
            ..SignalQuery::default()
        })?;
        for s in page.items {
            let sig = s.signal.signal;
            texts.insert((sig.channel, sig.external_id), sig.text);
        }
    }
    let mut out: Vec<MessageView> = case
        .thread
        .iter()
        .map(|e| MessageView {
            at: e.at,
            party: e.party.as_str(),
            author: e.author.clone(),
            agent: None,
            channel: e.signal.channel.clone(),
            external_id: Some(e.signal.external_id.clone()),
            text: texts
                .get(&(e.signal.channel.clone(), e.signal.external_id.clone()))
                .cloned(),
            sentiment: e.sentiment,
        })
        .collect();
    for ev in events {
        if let CaseEventKind::Response {
            text,
            channel,
            agent,
            signal: None,
        } = &ev.kind
        {
            out.push(MessageView {
                at: ev.at,
                party: "brand",
                author: None,
                agent: agent.clone().or_else(|| Some(ev.actor.to_string())),
                channel: channel.clone(),
                external_id: None,
                text: Some(text.clone()),
                sentiment: None,
            });
        }
    }
    out.sort_by_key(|m| m.at);
    Ok(out)
}

fn detail(store: &dyn Store, model: &Model, case: &Case, now: DateTime<Utc>) -> Result<CaseDetail> {
    let stored = store.case_events(case.id)?;
    let events: Vec<CaseEvent> = stored.iter().map(|e| e.event.clone()).collect();
    Ok(CaseDetail {
        case: CaseView::of(case, model, now),
        factors: case
            .priority
            .factors
            .iter()
            .map(|f| FactorView {
                factor: f.factor.as_str(),
                value: f.value,
                weight: f.weight,
                points: f.points,
                detail: f.detail.clone(),
            })
            .collect(),
        thread: thread(store, case, &events)?,
        events: stored
            .iter()
            .map(|e| EventView {
                id: e.id,
                at: e.event.at,
                actor: e.event.actor.to_string(),
                kind: e.event.kind.as_str(),
                detail: event_detail(&e.event.kind),
            })
            .collect(),
    })
}

fn no_case(id: u64) -> anyhow::Error {
    anyhow::anyhow!("no case {id} (list them with `tce cases list`)")
}

fn show(ws: &Workspace, id: u64, json: bool) -> Result<ExitCode> {
    let model = ws.model()?;
    let store = ws.store()?;
    let now = Utc::now();
    let case = store.case(CaseId(id))?.ok_or_else(|| no_case(id))?;
    let d = detail(&store, &model, &case, now)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&d)?);
    } else {
        print_detail(&model, &case, &d, now);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_detail(model: &Model, case: &Case, d: &CaseDetail, now: DateTime<Utc>) {
    let v = &d.case;
    println!(
        "case {} · {} · {} (score {:.0}) · {} · {} · version {}",
        v.id,
        v.kind,
        v.priority,
        v.priority_score,
        v.status,
        v.assignee
            .as_deref()
            .map_or_else(|| "unassigned".to_string(), |a| format!("assigned to {a}")),
        v.version
    );
    println!(
        "brand {} · channel {} · author {} · opened {} ({} ago){}",
        v.brand,
        v.channel,
        v.author.as_deref().unwrap_or("unknown"),
        time(v.opened_at),
        human_secs((now - v.opened_at).num_seconds()),
        if v.reopened > 0 {
            format!(" · re-opened {}×", v.reopened)
        } else {
            String::new()
        }
    );
    let dept = model
        .department(&v.department)
        .map_or(v.department.as_str(), |d| d.name.as_str());
    println!("routed to {dept} ({}): {}", v.department, v.routing_reason);

    println!("\npriority factors (score = Σ value × weight):");
    for f in &d.factors {
        println!(
            "  {:<11} {:>4.2} × {:>3.0} = {:>5.1}  {}",
            f.factor,
            f.value + 0.0, // no "-0.00"
            f.weight,
            f.points + 0.0,
            f.detail
        );
    }

    let hours = match Calendar::of(&model.care, case.department()) {
        Calendar::AlwaysOpen => "24/7".to_string(),
        Calendar::Hours(h) => format!("business hours, {}", h.time_zone),
    };
    println!("\nSLA clocks ({hours}; read {}):", time(now));
    for (name, c) in [
        ("first response", &v.sla.first_response),
        ("resolution", &v.sla.resolution),
    ] {
        let state = if c.breached {
            paint("breached", crate::RED)
        } else if c.at_risk {
            paint("at risk", crate::YELLOW)
        } else if c.done {
            "met".into()
        } else if c.paused {
            "paused".into()
        } else {
            "running".into()
        };
        println!(
            "  {name:<15} target {:<10} due {}  used {} ({:.0}%)  {state}",
            human_secs(c.target_secs),
            time(c.due),
            human_secs(c.used_secs),
            100.0 * c.used_share
        );
    }

    println!("\nthread ({} messages):", d.thread.len());
    for m in &d.thread {
        let who = match (&m.author, &m.agent) {
            (_, Some(a)) => format!("{} (agent {a})", m.party),
            (Some(a), None) => format!("{} {a}", m.party),
            (None, None) => m.party.to_string(),
        };
        let text = m.text.as_deref().map_or_else(
            || "(text no longer stored)".to_string(),
            |t| t.split_whitespace().collect::<Vec<_>>().join(" "),
        );
        println!("  {}  {who} on {}: {text}", time(m.at), m.channel);
    }

    println!("\naudit trail:");
    for e in &d.events {
        println!("  {}  {:<12} {}", time(e.at), e.actor, e.detail);
    }
}

fn apply(
    ws: &Workspace,
    args: &CaseChangeArgs,
    make: impl FnOnce(&Case, &Model) -> Result<Change>,
) -> Result<ExitCode> {
    let model = ws.model()?;
    let mut store = ws.store()?;
    let id = CaseId(args.id);
    let case = store.case(id)?.ok_or_else(|| no_case(args.id))?;
    let version = args.version.unwrap_or(case.version);
    let actor = Actor::Agent(actor_name(args)?);
    let change = make(&case, &model)?;
    let now = Utc::now();
    match tce_pipeline::care::change(&mut store, &model, id, version, actor, change, now) {
        Ok((case, events)) => {
            if args.json {
                let d = detail(&store, &model, &case, now)?;
                println!("{}", serde_json::to_string_pretty(&d)?);
            } else {
                for e in &events {
                    println!("case {}: {}", case.id, event_detail(&e.kind));
                }
                println!(
                    "case {} is {} (version {})",
                    case.id, case.status, case.version
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => match e.current_version() {
            Some(current) => bail!(
                "{e}; nothing was changed. See what changed with `tce cases show {}`, \
                 then retry with --version {current}",
                args.id
            ),
            None => Err(anyhow::Error::new(e).context(format!("case {}", args.id))),
        },
    }
}

/// `tce care stats`.
pub fn care_stats(ws: &Workspace, args: &CareStatsArgs) -> Result<ExitCode> {
    let model = ws.model()?;
    let store = ws.store()?;
    let by: CareGroup = parse("--by", &args.by)?;
    let period = match args.period.as_deref() {
        None => None,
        Some(p @ ("week" | "month")) => Some(parse::<tce_insight::period::Period>("--period", p)?),
        Some(p) => bail!("--period {p:?}: expected week or month"),
    };
    let req = CareStatsRequest {
        by,
        period,
        from: crate::analyze::date("from", &args.range.from)?,
        to: crate::analyze::date("to", &args.range.to)?,
        departments: None,
    };
    let stats = tce_insight::care::stats(&store, &model, &req, Utc::now())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
    } else {
        print_care_stats(&model, &stats);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_care_stats(model: &Model, s: &CareStats) {
    let min_n = model.evidence.min_touchpoint_signals;
    match &s.coverage {
        Some(c) => println!(
            "care by {}, {} to {} ({} days of events), as of {}",
            s.by,
            c.from,
            c.to,
            (c.to - c.from).num_days() + 1,
            time(s.now)
        ),
        None => println!(
            "care by {}: no care events in the range (as of {})",
            s.by,
            time(s.now)
        ),
    }
    if s.rows.is_empty() {
        return;
    }
    println!(
        "\n{:<26} {:>6} {:>5} {:>24} {:>5} {:>24} {:>7} {:>8} {:>7} {:>10} {:>8}",
        "",
        "opened",
        "n",
        "first response p50/p90",
        "n",
        "resolution p50/p90",
        "in SLA",
        "breaches",
        "reopen",
        "sent.after",
        "backlog"
    );
    for r in &s.rows {
        let name = format!("{}{}", r.name, if r.thin { " *" } else { "" });
        println!(
            "{:<26} {:>6} {:>5} {:>24} {:>5} {:>24} {:>7} {:>8} {:>7} {:>10} {:>8}",
            name,
            r.opened,
            r.first_response.n,
            format!(
                "{} / {}",
                human_opt(r.first_response.p50_secs),
                human_opt(r.first_response.p90_secs)
            ),
            r.resolution.n,
            format!(
                "{} / {}",
                human_opt(r.resolution.p50_secs),
                human_opt(r.resolution.p90_secs)
            ),
            pct(r.within_sla),
            r.breaches,
            pct(r.reopen_rate),
            r.sentiment_after_resolution
                .map_or_else(|| "—".into(), |v| format!("{v:+.2}")),
            r.backlog
        );
    }
    if s.rows.iter().any(|r| r.thin) {
        println!("* fewer than {min_n} first responses: too thin to rank on");
    }
    println!(
        "times are wall-clock (what the customer waited); n = first responses / resolutions \
         in the range; breaches include active cases past due now"
    );

    if !s.periods.is_empty() {
        println!(
            "\nper {}:\n  {:<10} {:<26} {:>5} {:>26} {:>7} {:>8}",
            s.period.map_or("period".to_string(), |p| p.to_string()),
            "from",
            "",
            "n",
            "first response p50/p90",
            "in SLA",
            "breaches"
        );
        for r in &s.periods {
            let start = r.period_start.map_or_else(String::new, |d| d.to_string());
            let marks = format!(
                "{}{}",
                if r.partial { " (partial)" } else { "" },
                if r.thin { " *" } else { "" }
            );
            println!(
                "  {start:<10} {:<26} {:>5} {:>26} {:>7} {:>8}{marks}",
                r.name,
                r.first_response.n,
                format!(
                    "{} / {}",
                    human_opt(r.first_response.p50_secs),
                    human_opt(r.first_response.p90_secs)
                ),
                pct(r.within_sla),
                r.breaches
            );
        }
        println!("  (partial) = the period lies only partly in the range; * = thin");
    }

    if !s.backlog.is_empty() {
        print!("\nbacklog by age (active cases now):\n  {:<26}", "");
        for (label, _) in AGE_BUCKETS {
            print!(" {label:>10}");
        }
        println!(" {:>9}", "breached");
        for b in &s.backlog {
            print!("  {:<26}", b.key);
            for n in &b.by_age {
                print!(" {n:>10}");
            }
            println!(" {:>9}", b.breached);
        }
    }

    if !s.cost.is_empty() {
        println!(
            "\ncost by channel (ASSUMED cost per contact, {}):",
            s.currency
        );
        println!(
            "  {:<14} {:>6} {:>6} {:>9} {:>11} {:>10} {:>9}",
            "channel", "social", "cases", "contacts", "per contact", "cost", "per case"
        );
        for c in &s.cost {
            println!(
                "  {:<14} {:>6} {:>6} {:>9} {:>11.2} {:>10.2} {:>9}",
                c.channel,
                if c.social { "yes" } else { "" },
                c.cases,
                c.contacts,
                c.cost_per_contact,
                c.cost,
                c.cost_per_case
                    .map_or_else(|| "—".into(), |v| format!("{v:.2}"))
            );
        }
        if let Some((saved, channel)) = &s.social_saving {
            println!(
                "  social saving: {saved:.2} {} against answering on {channel}",
                s.currency
            );
        }
        for a in &s.assumptions {
            println!("  assumption: {a}");
        }
    }
}

/// The demo's care line: open cases, breached, first-response p50 of the
/// three departments with the most first responses.
pub fn print_care_summary(model: &Model, store: &dyn Store) -> Result<()> {
    let s = tce_insight::care::stats(store, model, &CareStatsRequest::default(), Utc::now())?;
    let open: u64 = s.rows.iter().map(|r| r.backlog).sum();
    let breached: u64 = s.rows.iter().map(|r| r.backlog_breached).sum();
    let mut rows: Vec<_> = s.rows.iter().filter(|r| r.first_response.n > 0).collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.first_response.n));
    let top: Vec<String> = rows
        .iter()
        .take(3)
        .map(|r| {
            format!(
                "{} {} (n={}{})",
                r.name,
                human_opt(r.first_response.p50_secs),
                r.first_response.n,
                if r.thin { ", thin" } else { "" }
            )
        })
        .collect();
    println!(
        "care: {open} open cases, {breached} in breach; first response p50: {}",
        if top.is_empty() {
            "no responses yet".to_string()
        } else {
            top.join(", ")
        }
    );
    Ok(())
}
