//! One function per subcommand: glue between the CLI and the libraries.

use crate::analyze;
use crate::cli::{
    Cli, Command, DemoArgs, GenerateArgs, IngestArgs, InitArgs, ModelCommand, PurgeArgs,
    SentimentArgs, StatsArgs,
};
use crate::learn;
use crate::pipeline::{self, IngestOptions, IngestSummary};
use crate::web;
use crate::workspace::Workspace;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tce_model::{templates, Model};
use tce_store::Store;

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Init(args) => init(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Model(cmd) => model(&Workspace::new(cli.dir.as_deref()), cmd),
        Command::Ingest(args) => ingest(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Stats(args) => stats(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Purge(args) => purge(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Demo(args) => {
            let dir = cli.dir.unwrap_or_else(|| PathBuf::from("tce-demo"));
            demo(&Workspace::new(Some(&dir)), &args)
        }
        Command::Generate(args) => generate(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Sentiment(args) => sentiment(&args),
        Command::Train(args) => learn::train(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Eval(args) => learn::eval(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Score(args) => analyze::score(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Weights(args) => analyze::weights(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Benchmark(args) => analyze::benchmark(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Allocate(args) => analyze::allocate(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Finance(args) => analyze::finance(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Outcomes(cmd) => analyze::outcomes(&Workspace::new(cli.dir.as_deref()), &cmd),
        Command::Serve(args) => web::serve(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Token(cmd) => web::token(&Workspace::new(cli.dir.as_deref()), &cmd),
        Command::Report(args) => web::report(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Export(args) => web::export(&Workspace::new(cli.dir.as_deref()), &args),
        Command::Cases(cmd) => crate::cases::cases(&Workspace::new(cli.dir.as_deref()), cmd),
        Command::Care(crate::cli::CareCommand::Stats(args)) => {
            crate::cases::care_stats(&Workspace::new(cli.dir.as_deref()), &args)
        }
        Command::Advocates(args) => {
            crate::advocacy::advocates(&Workspace::new(cli.dir.as_deref()), &args)
        }
        Command::Moments(cmd) => crate::advocacy::moments(&Workspace::new(cli.dir.as_deref()), cmd),
        Command::Ideas(cmd) => crate::advocacy::ideas(&Workspace::new(cli.dir.as_deref()), cmd),
        Command::Alerts(cmd) => crate::alerts::alerts(&Workspace::new(cli.dir.as_deref()), cmd),
        Command::Webhooks(cmd) => crate::alerts::webhooks(&Workspace::new(cli.dir.as_deref()), cmd),
        Command::Assess(args) => crate::assess::run(&Workspace::new(cli.dir.as_deref()), &args),
    }
}

fn template_or_list(name: &str) -> Result<&'static templates::Template> {
    templates::template(name).with_context(|| {
        let names: Vec<&str> = templates::TEMPLATES.iter().map(|t| t.name).collect();
        format!(
            "unknown template {name:?}{} (available: {})",
            did_you_mean(templates::suggest(name)),
            names.join(", ")
        )
    })
}

/// `: did you mean "x"?`, or nothing.
fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion
        .map(|s| format!(": did you mean {s:?}?"))
        .unwrap_or_default()
}

fn init(ws: &Workspace, args: &InitArgs) -> Result<ExitCode> {
    let template = template_or_list(&args.template)?;
    let path = ws.model_path();
    if path.exists() && !args.force {
        bail!(
            "{} already exists (use --force to overwrite)",
            path.display()
        );
    }
    std::fs::create_dir_all(&ws.dir).with_context(|| format!("creating {}", ws.dir.display()))?;
    std::fs::write(&path, template.toml).with_context(|| format!("writing {}", path.display()))?;
    println!(
        "wrote {} from template {:?}: {}",
        path.display(),
        template.name,
        template.description
    );
    println!("next: edit it, check it with `tce model check`, then `tce ingest FILE...`");
    Ok(ExitCode::SUCCESS)
}

fn model(ws: &Workspace, cmd: ModelCommand) -> Result<ExitCode> {
    match cmd {
        ModelCommand::Templates => {
            for t in templates::TEMPLATES {
                println!("{:<16} {}", t.name, t.description);
            }
            Ok(ExitCode::SUCCESS)
        }
        ModelCommand::Check { file } => {
            let path = file.unwrap_or_else(|| ws.model_path());
            match Model::load(&path) {
                Ok(m) => {
                    println!(
                        "{}: ok — {} stages, {} touchpoints, {} departments, {} channels, {} brands",
                        path.display(),
                        m.stages.len(),
                        m.touchpoints.len(),
                        m.departments.len(),
                        m.channels.len(),
                        m.brands.len()
                    );
                    for w in m.warnings() {
                        eprintln!(
                            "{}: {} {w}",
                            path.display(),
                            crate::paint("warning:", crate::YELLOW)
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("{e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        ModelCommand::Show => {
            let m = ws.model()?;
            println!(
                "{} ({} template)",
                m.name,
                m.template.as_deref().unwrap_or("no")
            );
            for s in &m.stages {
                println!("stage {:<18} weight {:.2}  {}", s.id, s.weight, s.name);
                for t in m.touchpoints_of(&s.id) {
                    println!("  {:<24} {:<20} {}", t.id, t.department, t.name);
                }
            }
            let social: Vec<&str> = m
                .channels
                .iter()
                .filter(|c| c.social)
                .map(|c| c.id.as_str())
                .collect();
            let other: Vec<&str> = m
                .channels
                .iter()
                .filter(|c| !c.social)
                .map(|c| c.id.as_str())
                .collect();
            println!("social channels: {}", social.join(", "));
            println!("other channels:  {}", other.join(", "));
            for b in &m.brands {
                println!(
                    "brand {:<12} {}{}",
                    b.id,
                    b.name,
                    if b.own { " (own)" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `FIELD=VALUE` pairs of a repeatable flag; `form` names the shape expected.
fn parse_pairs(pairs: &[String], flag: &str, form: &str) -> Result<BTreeMap<String, String>> {
    pairs
        .iter()
        .map(|p| match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                Ok((k.trim().to_string(), v.trim().to_string()))
            }
            _ => bail!("{flag} {p}: expected {form}, e.g. {flag} {}", example(flag)),
        })
        .collect()
}

fn example(flag: &str) -> &'static str {
    match flag {
        "--map" => "text=body",
        _ => "channel=survey",
    }
}

fn read_options(model: &Model, args: &IngestArgs) -> Result<tce_ingest::ReadOptions> {
    let format = match &args.format {
        Some(f) => Some(
            f.parse::<tce_ingest::Format>()
                .map_err(|e| anyhow::anyhow!("--format: {e}"))?,
        ),
        None => None,
    };
    let mut csv = tce_ingest::CsvOptions::default();
    if let Some(name) = &args.mapping {
        let saved = model.csv_mappings.get(name).with_context(|| {
            let names: Vec<&str> = model.csv_mappings.keys().map(String::as_str).collect();
            if names.is_empty() {
                format!(
                    "--mapping {name}: the model saves no CSV mapping (add one under \
                     [csv_mappings.{name}] in tce.toml, or use --map FIELD=COLUMN)"
                )
            } else {
                format!(
                    "--mapping {name}: no such CSV mapping in the model{} (saved: {})",
                    did_you_mean(tce_model::did_you_mean(name, names.iter().copied())),
                    names.join(", ")
                )
            }
        })?;
        csv.columns = saved.columns.clone();
        csv.constants = saved.constants.clone();
    }
    csv.columns
        .extend(parse_pairs(&args.map, "--map", "FIELD=COLUMN")?);
    csv.constants
        .extend(parse_pairs(&args.set, "--set", "FIELD=VALUE")?);
    Ok(tce_ingest::ReadOptions {
        format,
        csv,
        date_format: args.date_format.clone(),
    })
}

fn print_ingest_summary(summary: &IngestSummary) {
    for f in &summary.files {
        if let Some(e) = &f.error {
            eprintln!("{} {}: {e}", crate::paint("error:", crate::RED), f.file);
        }
    }
    for f in &summary.files {
        match &f.error {
            Some(_) => println!("{}: not read (the reason is on stderr)", f.file),
            None => println!(
                "{}: {} accepted, {} duplicate, {} rejected",
                f.file, f.accepted, f.duplicates, f.rejected
            ),
        }
    }
    let rate = (summary.accepted + summary.duplicates) as f64 / summary.seconds.max(1e-9);
    println!(
        "total: {} accepted, {} duplicate, {} rejected in {:.1}s ({:.0} signals/s)",
        summary.accepted, summary.duplicates, summary.rejected, summary.seconds, rate
    );
    let c = &summary.care;
    println!(
        "care: {} cases opened, {} brand replies recorded as responses, {} follow-ups joined \
         cases; {} cases resolved after the brand's answer, {} closed",
        c.cases_opened, c.brand_replies, c.follow_ups, c.auto_resolved, c.auto_closed
    );
}

fn ingest(ws: &Workspace, args: &IngestArgs) -> Result<ExitCode> {
    let model = ws.model()?;
    let mut store = ws.store()?;
    let opts = IngestOptions {
        read: read_options(&model, args)?,
        batch_size: args.batch_size,
        rejects: args.rejects.clone(),
        progress: !args.json,
        model_dir: ws.dir.clone(),
    };
    let summary = pipeline::ingest_files(&model, &mut store, &args.files, &opts)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_ingest_summary(&summary);
        if summary.rejected > 0 {
            let listed = summary.rejected.min(pipeline::SHOWN_REJECTS as u64);
            match &args.rejects {
                Some(p) => println!(
                    "rejected records with their reasons and the records: {} (the first {listed} also on stderr)",
                    p.display()
                ),
                None if listed == summary.rejected => println!(
                    "the rejected records are listed on stderr with their reasons; \
                     --rejects FILE also keeps the records to fix and resend"
                ),
                None => println!(
                    "the first {listed} rejected records are listed on stderr with their reasons; \
                     --rejects FILE keeps them all"
                ),
            }
        }
    }
    if summary.failed_files > 0 {
        return Ok(ExitCode::FAILURE);
    }
    if args.strict && summary.rejected > 0 {
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}

fn stats(ws: &Workspace, args: &StatsArgs) -> Result<ExitCode> {
    let model = ws.model()?;
    let store = ws.store()?;
    let stats = store.stats()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
    } else {
        print_stats(&model, &stats);
    }
    Ok(ExitCode::SUCCESS)
}

fn purge(ws: &Workspace, args: &PurgeArgs) -> Result<ExitCode> {
    let cutoff = match (&args.before, args.keep_days) {
        (Some(day), _) => chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
            .with_context(|| format!("--before {day:?}: expected a day as YYYY-MM-DD"))?,
        (None, Some(n)) => chrono::Utc::now()
            .date_naive()
            .checked_sub_days(chrono::Days::new(u64::from(n)))
            .with_context(|| format!("--keep-days {n}: too far back"))?,
        (None, None) => bail!("say what to purge: --before YYYY-MM-DD or --keep-days N"),
    };
    let mut store = ws.store()?;
    if !args.yes {
        match store.count_before(cutoff)? {
            0 => println!("nothing to purge: no signal is older than {cutoff}"),
            n => println!(
                "would delete {n} signals created before {cutoff} (UTC), with their share of \
                 every score, and the care cases opened before it with their threads and \
                 audit trails; outcomes and tokens stay. Run again with --yes to delete."
            ),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let done = store.purge_before(cutoff)?;
    if args.json {
        println!(
            "{}",
            serde_json::json!({"cutoff": cutoff.to_string(), "signals": done.signals,
                "survey_answers": done.survey_answers, "rollup_rows": done.rollup_rows,
                "cases": done.cases, "authors": done.authors})
        );
    } else {
        println!(
            "purged {} signals created before {cutoff} ({} survey answers, {} daily rollup rows), \
             {} care cases opened before it, with their threads and audit trails, and the \
             standings of {} authors with no signal left",
            done.signals, done.survey_answers, done.rollup_rows, done.cases, done.authors
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_stats(model: &Model, stats: &tce_store::Stats) {
    println!("{} signals", stats.signals);
    if let (Some(first), Some(last)) = (stats.first, stats.last) {
        println!(
            "from {} to {}",
            first.format("%Y-%m-%d"),
            last.format("%Y-%m-%d")
        );
    }
    let pct = |n: u64| 100.0 * n as f64 / stats.signals.max(1) as f64;
    println!("\nby brand:");
    for (brand, n) in &stats.by_brand {
        let label = model
            .brand(brand)
            .map_or(brand.as_str(), |b| b.name.as_str());
        println!("  {label:<24} {n:>9} {:>5.1}%", pct(*n));
    }
    println!("\nby channel:");
    for (channel, n) in &stats.by_channel {
        let social = model.channel(channel).is_some_and(|c| c.social);
        println!(
            "  {channel:<24} {n:>9} {:>5.1}%{}",
            pct(*n),
            if social { "  social" } else { "" }
        );
    }
    println!("\nby stage (signals touching it):");
    for stage in &model.stages {
        let n = stats.by_stage.get(&stage.id).copied().unwrap_or(0);
        println!("  {:<24} {n:>9} {:>5.1}%", stage.name, pct(n));
    }
}

fn generate(ws: &Workspace, args: &GenerateArgs) -> Result<ExitCode> {
    let model = match &args.template {
        Some(name) => {
            let t = template_or_list(name)?;
            Model::parse(t.toml, Path::new(t.name))?
        }
        None if ws.model_path().exists() => ws.model()?,
        None => {
            let t = template_or_list("airline")?;
            Model::parse(t.toml, Path::new(t.name))?
        }
    };
    let mut cfg = tce_synth::SynthConfig {
        signals: args.signals,
        seed: args.seed,
        days: args.days,
        advocacy: tce_synth::AdvocacyConfig::on(),
        ..tce_synth::SynthConfig::default()
    };
    if let Some(start) = &args.start {
        cfg.start = parse_start(start)?;
    }
    for (path, flag) in [
        (Some(&args.out), "--out"),
        (args.labels.as_ref(), "--labels"),
        (args.outcomes.as_ref(), "--outcomes"),
        (args.truth.as_ref(), "--truth"),
    ] {
        if let Some(p) = path {
            crate::workspace::check_output(p, flag)?;
        }
    }
    let truth = write_world(
        &model,
        &cfg,
        &args.out,
        args.labels.as_deref(),
        args.outcomes.as_deref(),
        args.truth.as_deref(),
    )?;
    println!(
        "wrote {} signals to {}",
        truth_count(&truth),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn parse_start(start: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(start.trim(), "%Y-%m-%d")
        .with_context(|| format!("--start {start:?}: expected a day as YYYY-MM-DD"))
}

fn truth_count(truth: &tce_synth::Truth) -> u64 {
    truth.counts.signals
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    Ok(BufWriter::new(
        File::create(path).with_context(|| format!("creating {}", path.display()))?,
    ))
}

fn write_world(
    model: &Model,
    cfg: &tce_synth::SynthConfig,
    signals: &Path,
    labels: Option<&Path>,
    outcomes: Option<&Path>,
    truth_path: Option<&Path>,
) -> Result<tce_synth::Truth> {
    let mut signals_out = create(signals)?;
    let mut labels_out: Box<dyn Write> = match labels {
        Some(p) => Box::new(create(p)?),
        None => Box::new(std::io::sink()),
    };
    let mut outcomes_out: Box<dyn Write> = match outcomes {
        Some(p) => Box::new(create(p)?),
        None => Box::new(std::io::sink()),
    };
    let truth = tce_synth::generate(
        model,
        cfg,
        &mut signals_out,
        &mut labels_out,
        &mut outcomes_out,
    )?;
    signals_out.flush()?;
    labels_out.flush()?;
    outcomes_out.flush()?;
    if let Some(p) = truth_path {
        let mut out = create(p)?;
        serde_json::to_writer_pretty(&mut out, &truth)?;
        out.flush()?;
    }
    Ok(truth)
}

/// Files `tce demo` writes besides the workspace's own.
const DEMO_FILES: [&str; 4] = ["signals.jsonl", "labels.csv", "outcomes.csv", "truth.json"];

/// Refuses to replace a workspace, or files the demo would overwrite,
/// without `--force`; says what would be lost.
fn refuse_to_overwrite(ws: &Workspace, template: &str) -> Result<()> {
    let workspace = ws.existing_files();
    let data: Vec<&str> = DEMO_FILES
        .into_iter()
        .filter(|f| ws.dir.join(f).exists())
        .collect();
    if workspace.is_empty() && data.is_empty() {
        return Ok(());
    }
    let mut lost: Vec<String> = workspace
        .iter()
        .filter(|(name, _)| !name.ends_with("-wal") && !name.ends_with("-shm"))
        .map(|(name, what)| {
            if *name == crate::workspace::MODEL_FILE {
                format!("{name} ({what}, replaced by the {template} template)")
            } else {
                format!("{name} ({what}, deleted)")
            }
        })
        .collect();
    lost.extend(data.iter().map(|f| format!("{f} (overwritten)")));
    let what = if workspace.is_empty() {
        "files the demo writes"
    } else {
        "a workspace"
    };
    bail!(
        "{} already holds {what}; `tce demo` would replace {}.\n\
         Use another folder (--dir DIR), or --force to replace them.",
        ws.dir.display(),
        lost.join(", ")
    )
}

fn demo(ws: &Workspace, args: &DemoArgs) -> Result<ExitCode> {
    let template = template_or_list(&args.template)?;
    if !args.force {
        refuse_to_overwrite(ws, template.name)?;
    }
    std::fs::create_dir_all(&ws.dir).with_context(|| format!("creating {}", ws.dir.display()))?;
    // A demo workspace is rebuilt from scratch: remove only what the demo writes.
    for name in ["tce.db", "tce.db-wal", "tce.db-shm"]
        .into_iter()
        .chain(DEMO_FILES)
    {
        let p = ws.dir.join(name);
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("removing old {}", p.display()))?;
        }
    }
    std::fs::write(ws.model_path(), template.toml)?;
    let model = ws.model()?;
    println!(
        "demo workspace: {} (template {})",
        ws.dir.display(),
        template.name
    );

    let mut cfg = tce_synth::SynthConfig {
        signals: args.signals,
        seed: args.seed,
        advocacy: tce_synth::AdvocacyConfig::on(),
        ..tce_synth::SynthConfig::default()
    };
    // The demo world ends yesterday (a whole day, nothing later than now),
    // so its care queue has cases due now.
    cfg.start = match &args.start {
        Some(start) => parse_start(start)?,
        None => chrono::Utc::now()
            .date_naive()
            .checked_sub_days(chrono::Days::new(u64::from(cfg.days.max(1))))
            .context("today minus the demo's days is out of range")?,
    };
    let signals_path = ws.dir.join("signals.jsonl");
    let t0 = std::time::Instant::now();
    write_world(
        &model,
        &cfg,
        &signals_path,
        Some(&ws.dir.join("labels.csv")),
        Some(&ws.dir.join("outcomes.csv")),
        Some(&ws.dir.join("truth.json")),
    )?;
    println!(
        "generated a {}-day world with seed {} in {:.1}s (planted truth: truth.json)",
        cfg.days,
        cfg.seed,
        t0.elapsed().as_secs_f64()
    );

    let mut store = ws.store()?;
    let opts = IngestOptions {
        read: tce_ingest::ReadOptions::default(),
        batch_size: tce_pipeline::FILE_BATCH,
        rejects: None,
        progress: std::io::stderr().is_terminal(),
        model_dir: ws.dir.clone(),
    };
    let summary = pipeline::ingest_files(&model, &mut store, &[signals_path], &opts)?;
    print_ingest_summary(&summary);
    let outcomes = ws.dir.join("outcomes.csv");
    let n = pipeline::import_outcomes(&model, &mut store, &outcomes)?;
    println!(
        "{}: {n} outcome rows imported (weekly revenue and customers per brand, for Finance)",
        outcomes.display()
    );
    println!();
    print_stats(&model, &store.stats()?);
    println!();
    analyze::print_overview(&model, &store)?;
    println!();
    crate::cases::print_care_summary(&model, &store)?;
    if !args.no_serve {
        if !args.addr.ip().is_loopback() {
            bail!(
                "--addr {}: the demo serves without authentication, so only on a loopback address",
                args.addr
            );
        }
        web::serve_demo(ws, args.addr)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn sentiment(args: &SentimentArgs) -> Result<ExitCode> {
    let engine: tce_text::enrich::Engine = args
        .engine
        .parse()
        .map_err(|e| anyhow::anyhow!("--engine: {e}"))?;
    let vader = tce_text::vader::Vader::new();
    let cx = tce_text::cx::CxSentiment::new();
    let input: Box<dyn BufRead> = match &args.input {
        Some(p) => Box::new(std::io::BufReader::new(
            File::open(p).with_context(|| format!("opening {}", p.display()))?,
        )),
        None => Box::new(std::io::stdin().lock()),
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (i, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("reading line {} (is it UTF-8?)", i + 1))?;
        let s = match engine {
            tce_text::enrich::Engine::Vader => vader.polarity_scores(&line),
            tce_text::enrich::Engine::Cx => cx.scores(&line),
        };
        s.write_json(&mut out)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
