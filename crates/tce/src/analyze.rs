//! The analysis commands: score, weights, benchmark, allocate, finance,
//! outcomes import. Computation lives in `tce-insight`; this file parses
//! flags and prints.

use crate::cli::{
    AllocateArgs, BenchmarkArgs, FinanceArgs, OutcomesCommand, RangeArgs, ScoreArgs, WeightsArgs,
};
use crate::workspace::Workspace;
use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::process::ExitCode;
use tce_analytics::allocate::Bounds;
use tce_insight::alloc::AllocRequest;
use tce_insight::display;
use tce_insight::scores::{Filter, ScoreQuery};
use tce_insight::weights::{WeightOptions, Weights};
use tce_model::Model;
use tce_store::Store;

pub(crate) fn date(flag: &str, v: &Option<String>) -> Result<Option<NaiveDate>> {
    v.as_deref()
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .with_context(|| format!("--{flag} {s:?}: expected a date YYYY-MM-DD"))
        })
        .transpose()
}

fn filter(
    model: &Model,
    range: &RangeArgs,
    brand: Option<&str>,
    channel: Option<&str>,
) -> Result<Filter> {
    let brand = match brand {
        Some(b) => Some(
            model
                .resolve_brand(b)
                .with_context(|| {
                    let ids: Vec<&str> = model.brands.iter().map(|b| b.id.as_str()).collect();
                    format!(
                        "--brand {b:?}: not a brand of the model (brands: {})",
                        ids.join(", ")
                    )
                })?
                .to_string(),
        ),
        None => None,
    };
    if let Some(c) = channel {
        if model.channel(c).is_none() {
            let ids: Vec<&str> = model.channels.iter().map(|c| c.id.as_str()).collect();
            bail!(
                "--channel {c:?}: not a channel of the model (channels: {})",
                ids.join(", ")
            );
        }
    }
    let (from, to) = (date("from", &range.from)?, date("to", &range.to)?);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            bail!("--from {f} is after --to {t}");
        }
    }
    Ok(Filter {
        from,
        to,
        brand,
        channel: channel.map(str::to_string),
    })
}

/// Weights for the index: derived without bootstrap (fast).
fn index_weights(model: &Model, store: &dyn Store, f: &Filter) -> Result<Weights> {
    Ok(tce_insight::weights::weights(
        model,
        store,
        WeightOptions {
            bootstrap: 0,
            from: f.from,
            to: f.to,
        },
    )?)
}

// Scores, changes and money go through `tce_insight::display`, so the CLI
// shows the same strings as the dashboard and the report.
fn fmt_opt(v: Option<f64>, width: usize) -> String {
    format!("{:>width$}", display::score_opt(v))
}

/// A change with its significance mark: "+1.3", "+0.4 n.s.", "(partial)".
fn fmt_change(r: &tce_insight::scores::ScoreRow) -> String {
    let text = match (r.change, r.change_significant) {
        _ if r.partial => "(partial)".to_string(),
        (None, _) => String::new(),
        (Some(c), Some(true)) => display::change(c),
        (Some(c), Some(false)) => format!("{} n.s.", display::change(c)),
        (Some(c), None) => format!("{} untested", display::change(c)),
    };
    format!("{text:>14}")
}

fn covers(c: &Option<tce_insight::period::Coverage>) -> String {
    c.map_or_else(
        || "no data in the range".to_string(),
        |c| format!("figures cover {c}"),
    )
}

pub fn score(ws: &Workspace, args: &ScoreArgs) -> Result<ExitCode> {
    let model = ws.model()?;
    let store = ws.store()?;
    let by = args
        .by
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--by: {e}"))?;
    let period = args
        .period
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: String| anyhow::anyhow!("--period: {e}"))?;
    let f = filter(
        &model,
        &args.range,
        args.brand.as_deref(),
        args.channel.as_deref(),
    )?;
    // Only the TCE index depends on the stage weights; the other breakdowns
    // skip deriving them.
    let weights = if by == tce_insight::scores::By::Brand {
        index_weights(&model, &store, &f)?
    } else {
        tce_insight::weights::configured(&model)
    };
    let report_filter = f.clone();
    let report = tce_insight::scores::score(
        &model,
        &store,
        &ScoreQuery {
            by,
            period,
            filter: f,
        },
        &weights,
    )?;
    // Headline KPIs (NPS, CSAT) of the same slice and periods.
    let kpis = tce_insight::kpi::kpis(
        &model,
        &store,
        &tce_insight::kpi::KpiQuery {
            from: report_filter.from,
            to: report_filter.to,
            brand: report_filter.brand.clone(),
            period,
        },
    )?;
    if args.json {
        let mut json = serde_json::to_value(&report)?;
        if let Some(obj) = json.as_object_mut() {
            obj.insert("kpis".into(), serde_json::to_value(&kpis)?);
        }
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(ExitCode::SUCCESS);
    }
    for b in &kpis.brands {
        let fmt = |k: Option<&tce_insight::kpi::Kpi>, unit: &str| match k {
            None => "–".to_string(),
            Some(k) if k.thin => format!("{:.1}{unit} (n {}, too little evidence)", k.value, k.n),
            Some(k) => format!(
                "{:.1}{unit} [{:.1}, {:.1}] n {}",
                k.value, k.ci[0], k.ci[1], k.n
            ),
        };
        println!(
            "{}: NPS {}  CSAT {}",
            b.name,
            fmt(b.overall.nps.as_ref(), ""),
            fmt(b.overall.csat.as_ref(), "%")
        );
    }
    match report.weights_source {
        Some(source) => println!("{}; stage weights: {}", report.score_is, source.label()),
        None => println!("{}", report.score_is),
    }
    println!("{}", covers(&report.covers));
    if report.period.is_some() {
        println!(
            "change: against the previous {}; n.s. = not significant (Welch's t-test, p ≥ {}); partial periods are not compared",
            report.period.map(|p| p.to_string()).unwrap_or_default(),
            report.significance_level
        );
    }
    let mut last_brand = None;
    for r in &report.rows {
        if last_brand.as_deref() != Some(r.brand.as_str()) {
            let name = model
                .brand(&r.brand)
                .map_or(r.brand.as_str(), |b| b.name.as_str());
            let prior = report.priors.get(&r.brand);
            println!();
            match prior {
                Some(p) if by == tce_insight::scores::By::Touchpoint => println!(
                    "{name}  (TES prior: brand mean {}, worth {:.0} signals)",
                    display::score(tce_analytics::agg::score_of(p.mean)),
                    p.strength
                ),
                _ => println!("{name}"),
            }
            last_brand = Some(r.brand.clone());
        }
        let key = r
            .touchpoint
            .as_deref()
            .or(r.stage.as_deref())
            .or(r.channel.as_deref())
            .unwrap_or("TCE index");
        let period = r.period.map(|p| p.to_string()).unwrap_or_default();
        println!(
            "  {period:<10} {key:<26} score {}  {}  n {:>8}  net sentiment {}",
            fmt_opt(r.score, 5),
            fmt_change(r),
            r.n,
            fmt_opt(r.net_sentiment, 6)
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn weights(ws: &Workspace, args: &WeightsArgs) -> Result<ExitCode> {
    let model = ws.model()?;
    let store = ws.store()?;
    let f = filter(&model, &args.range, None, None)?;
    let w = tce_insight::weights::weights(
        &model,
        &store,
        WeightOptions {
            bootstrap: args.bootstrap,
            from: f.from,
            to: f.to,
        },
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&w)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("stage weights ({}): {}", w.method, w.note);
    for s in &model.stages {
        if let Some(x) = w.horizontal.get(&s.id) {
            // A configured weight is set, not estimated: no interval to print.
            let interval = if x.source == tce_insight::weights::Source::Configured {
                "set in the model".to_string()
            } else if x.ci[0] < x.ci[1] {
                format!("95% CI [{:.3}, {:.3}]", x.ci[0], x.ci[1])
            } else {
                "no interval (--bootstrap N)".to_string()
            };
            println!(
                "  {:<20} {:>5.3}  {interval:<24} {}",
                s.name,
                x.weight,
                x.source.label()
            );
        }
    }
    println!("\nchannel weights within each stage (vertical):");
    for s in &model.stages {
        if let Some(v) = w.vertical_weights.get(&s.id) {
            let mut chans: Vec<_> = v.channels.iter().collect();
            chans.sort_by(|a, b| b.1.weight.total_cmp(&a.1.weight));
            let top: Vec<String> = chans
                .iter()
                .take(5)
                .map(|(c, x)| match x.ci {
                    Some(ci) => format!(
                        "{c} {:.0}% [{:.0}, {:.0}]",
                        x.weight * 100.0,
                        ci[0] * 100.0,
                        ci[1] * 100.0
                    ),
                    None => format!("{c} {:.0}%", x.weight * 100.0),
                })
                .collect();
            println!(
                "  {:<20} {} ({}: {})",
                s.name,
                top.join(", "),
                v.source.label(),
                v.measures
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn benchmark(ws: &Workspace, args: &BenchmarkArgs) -> Result<ExitCode> {
    let model = ws.model()?;
    let store = ws.store()?;
    let f = filter(&model, &args.range, None, None)?;
    let weights = index_weights(&model, &store, &f)?;
    let cards = tce_insight::scores::scorecards(&model, &store, &f, &weights)?;
    let b = tce_insight::scores::benchmark(&model, &cards);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&b)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}; * = fewer than {} signals: too little evidence, never part of a gap",
        covers(&tce_insight::scores::coverage(&store, &f)?),
        b.min_signals
    );
    print!("{:<22}", "stage");
    for br in &b.brands {
        print!("{:>14}", truncate(&br.name, 13));
    }
    println!("{:>12}", "own − best");
    for s in &model.stages {
        print!("{:<22}", s.name);
        for br in &b.brands {
            let v = br.stages.get(&s.id).copied().flatten();
            if v.is_some() && br.thin(&s.id, b.min_signals) {
                print!("{:>14}", format!("{}*", display::score_opt(v)));
            } else {
                print!("{}", fmt_opt(v, 14));
            }
        }
        println!(
            "{}",
            fmt_opt(b.own_gap_to_best.get(&s.id).copied().flatten(), 12)
        );
    }
    print!("{:<22}", "TCE index");
    for br in &b.brands {
        print!("{}", fmt_opt(br.tce_index, 14));
    }
    println!();
    Ok(ExitCode::SUCCESS)
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn amounts(flag: &str, pairs: &[String]) -> Result<BTreeMap<String, f64>> {
    let mut out = BTreeMap::new();
    for p in pairs.iter().flat_map(|p| p.split(',')) {
        let (k, v) = p
            .split_once('=')
            .with_context(|| format!("--{flag} {p:?}: expected NAME=NUMBER"))?;
        let x: f64 = v
            .trim()
            .parse()
            .with_context(|| format!("--{flag} {p:?}: {v:?} is not a number"))?;
        if !(x.is_finite() && x >= 0.0) {
            bail!("--{flag} {p:?}: must be ≥ 0");
        }
        out.insert(k.trim().to_string(), x);
    }
    Ok(out)
}

pub fn allocate(ws: &Workspace, args: &AllocateArgs) -> Result<ExitCode> {
    let model = ws.model()?;
    let store = ws.store()?;
    let f = filter(&model, &args.range, None, None)?;
    let weights = index_weights(&model, &store, &f)?;
    let cards = tce_insight::scores::scorecards(&model, &store, &f, &weights)?;
    let stage_weights = args
        .stage_weights
        .as_ref()
        .map(|s| amounts("stage-weights", std::slice::from_ref(s)))
        .transpose()?;
    let req = AllocRequest {
        budget: args.budget,
        objective: args.objective.clone(),
        stage_weights,
        bounds: Bounds {
            min: amounts("min", &args.min)?,
            max: amounts("max", &args.max)?,
        },
    };
    let mut a = tce_insight::alloc::allocate(&model, &cards, &weights, &req)?;
    a.covers = tce_insight::scores::coverage(&store, &f)?;
    if let Some(path) = &args.csv {
        crate::workspace::check_output(path, "--csv")?;
        let file =
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        tce_server::report::export_allocation(&a, &mut out)?;
        std::io::Write::flush(&mut out).with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "wrote the plan's {} lines to {}",
            a.lines.len(),
            path.display()
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&a)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} for objective {:?}: expected TCE gain {:.2} points (response saturates at {} per cell)",
        display::money(a.budget, &a.currency),
        a.objective,
        a.expected_gain,
        display::money(a.response.saturation, &a.currency)
    );
    if let Some(c) = &a.covers {
        println!("from the evidence of {c}");
    }
    for l in &a.lines {
        println!(
            "  {:>16}  {:<12} {:<18} {}",
            display::money(l.amount, &a.currency),
            l.channel,
            l.stage,
            l.reason
        );
    }
    if !a.too_little_evidence.is_empty() {
        let cells: Vec<String> = a
            .too_little_evidence
            .iter()
            .map(|c| format!("{} × {} ({})", c.channel, c.stage, c.n))
            .collect();
        println!(
            "not allocated to (too little evidence: fewer than {} own-brand signals): {}",
            a.min_cell_signals,
            cells.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn finance(ws: &Workspace, args: &FinanceArgs) -> Result<ExitCode> {
    let model = ws.model()?;
    let store = ws.store()?;
    let delta: f64 = args
        .what_if
        .trim_start_matches('+')
        .parse()
        .with_context(|| {
            format!(
                "--what-if {:?}: expected a number of points like +5",
                args.what_if
            )
        })?;
    let f = filter(&model, &args.range, None, None)?;
    let r = tce_insight::finance::finance(&model, &store, &f, delta)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "driver: {} ({} brand-weeks with outcomes)",
        r.driver, r.observations
    );
    for fit in &r.fits {
        match (&fit.elasticity, &fit.what_if) {
            (Some(e), Some(w)) => println!(
                "  {:<14} {:+.3}% per point (95% CI {:+.3}% to {:+.3}%), R² within {:.2}, n {}; {:+} points → {:+.2}% (CI {:+.2}% to {:+.2}%)",
                fit.outcome,
                100.0 * e.beta,
                100.0 * e.ci[0],
                100.0 * e.ci[1],
                e.r2_within,
                e.n,
                w.delta,
                w.pct,
                w.ci[0],
                w.ci[1]
            ),
            _ => println!("  {:<14} no fit: {}", fit.outcome, fit.note.as_deref().unwrap_or("")),
        }
    }
    println!(
        "rule of thumb from the model: {:+.1}% sales per +5 CSAT points",
        r.rule_of_thumb_sales_pct_per_5pt
    );
    let risk = &r.at_risk;
    let label = |name: &str| {
        if risk.defaults.iter().any(|d| d == name) {
            " (seed default, not your data)"
        } else {
            ""
        }
    };
    println!(
        "revenue at risk: {} over {}: {} customers lost to {} negative public posts{}",
        display::money(risk.amount, &r.currency),
        risk.covers
            .map_or_else(|| "no data".to_string(), |c| c.to_string()),
        display::grouped(risk.customers_lost),
        display::grouped(risk.negative_posts as f64),
        risk.customer_base.map_or_else(String::new, |b| format!(
            ", of a customer base of {}",
            display::grouped(b)
        ))
    );
    println!(
        "  parameters: {} customers per average negative post{}; {} per customer{}",
        risk.customers_lost_per_negative_post,
        label("customers_lost_per_negative_post"),
        display::money(risk.customer_value, &r.currency),
        label("customer_value")
    );
    for a in &risk.assumptions {
        println!("  assumes: {a}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn outcomes(ws: &Workspace, cmd: &OutcomesCommand) -> Result<ExitCode> {
    let OutcomesCommand::Import { file } = cmd;
    let model = ws.model()?;
    let mut store = ws.store()?;
    let n = crate::pipeline::import_outcomes(&model, &mut store, file)?;
    println!(
        "{}: {n} outcome rows imported (existing brand-periods replaced)",
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The demo's closing summary: TCE index per brand and the own brand's
/// three most urgent fix-first touchpoints.
pub fn print_overview(model: &Model, store: &dyn Store) -> Result<()> {
    let f = Filter::default();
    let weights = index_weights(model, store, &f)?;
    let cards = tce_insight::scores::scorecards(model, store, &f, &weights)?;
    println!(
        "TCE index per brand (stage weights {}):",
        weights.source().label()
    );
    for c in &cards {
        println!(
            "  {:<24} {}{}",
            c.name,
            fmt_opt(c.tce_index, 5),
            if c.own { "  (own brand)" } else { "" }
        );
    }
    if let Some(own) = cards.iter().find(|c| c.own) {
        // The head of the one importance–performance ranking, as on the
        // dashboard's Overview.
        let fix: Vec<_> = own
            .ipa
            .iter()
            .take_while(|p| p.needs_action())
            .take(3)
            .collect();
        println!("\n{}: fix first", own.name);
        if fix.is_empty() {
            println!("  nothing: no ranked touchpoint is in the fix-first quadrant or far below the brand mean");
        }
        for p in fix {
            let name = model
                .touchpoint(&p.touchpoint)
                .map_or(p.touchpoint.as_str(), |t| t.name.as_str());
            println!(
                "  {name:<30} TES {:>5}  importance {:.3}  complaints {:>6}{}",
                display::score(p.performance),
                p.importance,
                p.complaint_share.map(display::percent).unwrap_or_default(),
                if p.quadrant == tce_analytics::scores::Quadrant::FixFirst {
                    ""
                } else {
                    "  (far below the brand mean)"
                }
            );
        }
    }
    Ok(())
}
