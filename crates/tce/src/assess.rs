//! `tce assess`: the maturity assessment (issue 14) from the command line —
//! interactive in a terminal (resumable: the session is saved in the
//! workspace after every answer), from an answers file, the answers
//! template, the latest result and the history. The assessment is
//! `tce-maturity`'s; its evidence and keeping are `tce-insight`'s.

use crate::workspace::Workspace;
use anyhow::{bail, Context, Result};
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tce_insight::maturity::{self, Kept};
use tce_maturity::{trend, Answers, Assessment, Catalog, EvidenceStatus, Session};

/// The interactive session's file inside the workspace.
pub const SESSION_FILE: &str = ".tce-assess-session.json";

/// `tce assess`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AssessArgs {
    #[command(subcommand)]
    pub command: Option<AssessCommand>,
    /// Answer from this file (see `tce assess template`) instead of
    /// interactively; errors name file, line and field.
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Ask only this instrument's questions (repeatable; interactive only)
    /// [default: every instrument].
    #[arg(long = "instrument", value_name = "ID")]
    pub instruments: Vec<String>,
    /// Also use the instrument in this TOML file (repeatable; format in
    /// docs/maturity.md).
    #[arg(long = "instrument-file", value_name = "FILE")]
    pub instrument_files: Vec<PathBuf>,
    /// The day of the assessment, YYYY-MM-DD [default: today]; the age of
    /// the data is measured to it.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Start afresh, forgetting an interrupted interactive session.
    #[arg(long)]
    pub restart: bool,
    /// Print the result as JSON (as `tce assess report --json`).
    #[arg(long)]
    pub json: bool,
}

/// `tce assess <command>`.
#[derive(Debug, Subcommand)]
pub enum AssessCommand {
    /// Write the answers template: every item with its choices, lowest level
    /// first, and `answer = ""` to fill in.
    Template {
        /// Only this instrument [default: every instrument].
        #[arg(long, value_name = "ID")]
        instrument: Option<String>,
        /// Also use the instrument in this TOML file (repeatable).
        #[arg(long = "instrument-file", value_name = "FILE")]
        instrument_files: Vec<PathBuf>,
    },
    /// Show the latest kept assessment: levels per area with evidence and
    /// contradictions, gaps and the roadmap.
    Report {
        /// Print as JSON (keys: id, date, instruments[].areas[] with id,
        /// level, evidence, contradictions; roadmap[] with step, area,
        /// capability, metric, current, target).
        #[arg(long)]
        json: bool,
    },
    /// List every kept assessment and each area's trend across them.
    History {
        /// Print as JSON (keys: assessments[] with id, date, overall per
        /// instrument, contradictions; trend[] per area).
        #[arg(long)]
        json: bool,
    },
    /// List the instruments: id, name, levels and source.
    Instruments {
        /// Also use the instrument in this TOML file (repeatable).
        #[arg(long = "instrument-file", value_name = "FILE")]
        instrument_files: Vec<PathBuf>,
    },
}

pub fn run(ws: &Workspace, args: &AssessArgs) -> Result<ExitCode> {
    match &args.command {
        Some(AssessCommand::Template {
            instrument,
            instrument_files,
        }) => template(instrument.as_deref(), instrument_files),
        Some(AssessCommand::Report { json }) => report(ws, *json),
        Some(AssessCommand::History { json }) => history(ws, *json),
        Some(AssessCommand::Instruments { instrument_files }) => {
            let catalog = catalog(instrument_files)?;
            for i in catalog.instruments() {
                let levels: Vec<&str> = i.levels.iter().map(|l| l.name.as_str()).collect();
                println!("{:<16} {}", i.id, i.name);
                println!("{:<16} levels: {}", "", levels.join(" → "));
                println!("{:<16} source: {}", "", i.source);
            }
            Ok(ExitCode::SUCCESS)
        }
        None => match &args.answers {
            Some(file) => from_file(ws, args, file),
            None => interactive(ws, args),
        },
    }
}

fn catalog(files: &[PathBuf]) -> Result<Catalog> {
    let mut catalog = Catalog::builtin()?;
    for f in files {
        catalog.load(f)?;
    }
    Ok(catalog)
}

fn unknown_instrument(catalog: &Catalog, id: &str) -> anyhow::Error {
    let known: Vec<&str> = catalog
        .instruments()
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    let hint = catalog
        .suggest(id)
        .map(|s| format!(": did you mean {s:?}?"))
        .unwrap_or_default();
    anyhow::anyhow!(
        "unknown instrument {id:?}{hint} (instruments: {})",
        known.join(", ")
    )
}

fn template(instrument: Option<&str>, files: &[PathBuf]) -> Result<ExitCode> {
    let catalog = catalog(files)?;
    let text = match instrument {
        Some(id) => tce_maturity::template(
            catalog
                .get(id)
                .ok_or_else(|| unknown_instrument(&catalog, id))?,
        ),
        None => tce_maturity::template_all(&catalog),
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

fn day_of(args: &AssessArgs) -> Result<NaiveDate> {
    match &args.date {
        None => Ok(Utc::now().date_naive()),
        Some(d) => NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
            .with_context(|| format!("--date {d:?}: expected YYYY-MM-DD")),
    }
}

fn from_file(ws: &Workspace, args: &AssessArgs, file: &Path) -> Result<ExitCode> {
    let catalog = catalog(&args.instrument_files)?;
    let answers = Answers::load(file, &catalog)?;
    keep_and_show(ws, args, &catalog, &answers)
}

fn keep_and_show(
    ws: &Workspace,
    args: &AssessArgs,
    catalog: &Catalog,
    answers: &Answers,
) -> Result<ExitCode> {
    let model = ws.model()?;
    let mut store = ws.store()?;
    let today = day_of(args)?;
    let kept = maturity::assess_and_keep(&model, &mut store, catalog, answers, today, Utc::now())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report_json(&kept))?);
    } else {
        print!("{}", render(&kept.assessment));
        println!(
            "\nkept as assessment {} of {} (see `tce assess history`)",
            kept.id, kept.assessment.date
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The JSON of a kept assessment: its id and the assessment's fields.
fn report_json(kept: &Kept) -> serde_json::Value {
    let mut v = serde_json::to_value(&kept.assessment).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("id".into(), kept.id.into());
    }
    v
}

fn report(ws: &Workspace, json: bool) -> Result<ExitCode> {
    let store = ws.store()?;
    let Some(kept) = maturity::latest(&store)? else {
        bail!(
            "no assessment kept yet: run `tce assess` (interactive) or \
             `tce assess --answers FILE` (write FILE with `tce assess template`)"
        );
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report_json(&kept))?);
    } else {
        println!("assessment {} of {}\n", kept.id, kept.assessment.date);
        print!("{}", render(&kept.assessment));
    }
    Ok(ExitCode::SUCCESS)
}

fn history(ws: &Workspace, json: bool) -> Result<ExitCode> {
    let store = ws.store()?;
    let kept = maturity::kept(&store)?;
    let all: Vec<Assessment> = kept.iter().map(|k| k.assessment.clone()).collect();
    let trends = trend(&all);
    if json {
        let assessments: Vec<serde_json::Value> = kept
            .iter()
            .map(|k| {
                serde_json::json!({
                    "id": k.id,
                    "date": k.assessment.date,
                    "created_at": k.created_at,
                    "overall": k.assessment.instruments.iter().map(|i| {
                        serde_json::json!({"instrument": i.id, "level": i.overall, "score": i.score})
                    }).collect::<Vec<_>>(),
                    "contradictions": k.assessment.instruments.iter()
                        .flat_map(|i| &i.areas).map(|a| a.contradictions.len()).sum::<usize>(),
                    "roadmap_steps": k.assessment.roadmap.len(),
                })
            })
            .collect();
        let out = serde_json::json!({ "assessments": assessments, "trend": trends });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    if kept.is_empty() {
        println!("no assessment kept yet: run `tce assess` or `tce assess --answers FILE`");
        return Ok(ExitCode::SUCCESS);
    }
    println!("{:>4}  {:<10}  overall", "id", "date");
    for k in &kept {
        let overall: Vec<String> = k
            .assessment
            .instruments
            .iter()
            .map(|i| format!("{} {}", i.id, i.overall.name))
            .collect();
        println!(
            "{:>4}  {:<10}  {}",
            k.id,
            k.assessment.date.to_string(),
            overall.join(" · ")
        );
    }
    println!("\ntrend per area (oldest first):");
    for t in &trends {
        let points: Vec<String> = t
            .points
            .iter()
            .map(|p| {
                let flag = if p.contradictions > 0 { " (!)" } else { "" };
                format!("{} {}{flag}", p.date, p.level.name)
            })
            .collect();
        println!("  {}.{}: {}", t.instrument, t.area, points.join(" → "));
    }
    Ok(ExitCode::SUCCESS)
}

/// The assessment for people: per instrument and area, the level with its
/// evidence and contradictions, then the roadmap.
pub fn render(a: &Assessment) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for i in &a.instruments {
        let _ = writeln!(out, "{} — overall: {}", i.name, i.overall.name);
        for area in &i.areas {
            let next = area
                .next
                .as_ref()
                .map(|n| format!(" (next: {})", n.name))
                .unwrap_or_default();
            let _ = writeln!(out, "  {:<28} {}{next}", area.name, area.level.name);
            for e in &area.evidence {
                let mark = match e.status {
                    EvidenceStatus::Supports => "+",
                    EvidenceStatus::Contradicts => "!",
                    EvidenceStatus::Neutral => "·",
                    EvidenceStatus::NotMeasured => "?",
                };
                let _ = writeln!(out, "      {mark} {}", e.message);
            }
            for c in &area.contradictions {
                let _ = writeln!(out, "      contradiction: {}", c.text);
            }
        }
        out.push('\n');
    }
    if a.roadmap.is_empty() {
        out.push_str("roadmap: nothing to do — every area is at the top level\n");
    } else {
        out.push_str("roadmap (support → product development → logistics & procurement → sales & marketing):\n");
        for s in &a.roadmap {
            let next = s.next.as_ref().map_or_else(
                || "resolve the contradiction".to_string(),
                |n| n.name.clone(),
            );
            let _ = writeln!(
                out,
                "  {:>2}. [{}] {}.{} {} → {}: {}",
                s.step,
                s.phase.name(),
                s.instrument,
                s.area,
                s.level.name,
                next,
                s.action
            );
            if let Some(m) = s.metric {
                let _ = writeln!(
                    out,
                    "      measured by {} ({}): now {}, target {}",
                    m.id(),
                    m.capability().name(),
                    s.current_text,
                    s.target_text
                );
            }
        }
    }
    out
}

fn session_path(ws: &Workspace) -> PathBuf {
    ws.dir.join(SESSION_FILE)
}

fn save_session(path: &Path, session: &Session) -> Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(session)?)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn interactive(ws: &Workspace, args: &AssessArgs) -> Result<ExitCode> {
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        bail!(
            "`tce assess` asks its questions in a terminal, and there is none here. \
             Without one: `tce assess template > answers.toml`, set each answer, then \
             `tce assess --answers answers.toml`"
        );
    }
    let catalog = catalog(&args.instrument_files)?;
    for id in &args.instruments {
        if catalog.get(id).is_none() {
            return Err(unknown_instrument(&catalog, id));
        }
    }
    // Check the workspace before asking anything.
    ws.model()?;
    let path = session_path(ws);
    let theme = dialoguer::theme::SimpleTheme;
    let term = dialoguer::console::Term::stderr();
    let mut session = None;
    if path.exists() && !args.restart {
        let saved: Option<Session> = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .filter(|s: &Session| s.instruments.iter().all(|i| catalog.get(i).is_some()));
        if let Some(saved) = saved {
            let (done, total) = saved.progress(&catalog);
            let resume = dialoguer::Confirm::with_theme(&theme)
                .with_prompt(format!(
                    "Resume the interrupted assessment ({done} of {total} answered)?"
                ))
                .default(true)
                .interact_on_opt(&term)?;
            match resume {
                Some(true) => session = Some(saved),
                Some(false) => {}
                None => return Ok(ExitCode::SUCCESS),
            }
        }
    }
    let mut session = match session {
        Some(s) => s,
        None if args.instruments.is_empty() => Session::all(&catalog),
        None => {
            let ids: Vec<&str> = args.instruments.iter().map(String::as_str).collect();
            Session::new(&catalog, &ids)?
        }
    };
    save_session(&path, &session)?;
    eprintln!("Answer each statement; Esc or q stops (your answers are saved: run `tce assess` again to resume).");
    let mut shown = String::new();
    while let Some(q) = session.next_question(&catalog) {
        if q.instrument != shown {
            eprintln!("\n── {} ──", q.instrument_name);
            shown = q.instrument.clone();
        }
        let items: Vec<String> = q
            .choices
            .iter()
            .zip(&q.choice_levels)
            .map(|(c, l)| {
                if c.eq_ignore_ascii_case(l) {
                    c.clone()
                } else {
                    format!("{c}  [{l}]")
                }
            })
            .collect();
        let picked = dialoguer::Select::with_theme(&theme)
            .with_prompt(format!(
                "[{}/{}] {}: {}",
                q.number, q.total, q.area_name, q.text
            ))
            .items(&items)
            .default(0)
            .interact_on_opt(&term)?;
        let Some(i) = picked else {
            let (done, total) = session.progress(&catalog);
            eprintln!(
                "stopped: {done} of {total} answered and saved in {}; run `tce assess` to resume",
                path.display()
            );
            return Ok(ExitCode::SUCCESS);
        };
        let choice = q.choices.get(i).context("no such choice")?;
        session.answer(&catalog, &q.instrument, &q.item, choice)?;
        save_session(&path, &session)?;
    }
    let answers = session.answers();
    let code = keep_and_show(ws, args, &catalog, &answers)?;
    std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
    Ok(code)
}
