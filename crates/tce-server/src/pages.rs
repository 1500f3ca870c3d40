//! Page renderers: data from `views` in, HTML out. Pure functions, used by
//! the dashboard (with forms and links) and by the self-contained report
//! (without). `maud` escapes every interpolated value, so signal text,
//! authors and even model names cannot inject markup.

use crate::charts::{self, Bar, HeatCell, HeatColumn, Interval, ScatterPoint, Series};
use crate::dto::{JourneyDto, WeightSource};
use crate::params::SignalParams;
use crate::views::{BenchmarkView, BrandChoice, JourneyView, OverviewView, QuadrantView};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::collections::BTreeSet;
use tce_analytics::scores::Quadrant;
use tce_insight::alloc::AllocReport;
use tce_insight::display;
use tce_insight::finance::FinanceReport;
use tce_insight::period::Coverage;
use tce_insight::weights::{Source, Weights};
use tce_model::{Intent, Model};
use tce_store::SignalPage;

/// The dashboard's pages, in navigation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// TCE index per brand, fix-first touchpoints.
    Overview,
    /// Stages × touchpoints heat-map.
    Journey,
    /// Stage × channel influence.
    Channels,
    /// Brands side by side.
    Benchmark,
    /// Importance–performance quadrant.
    Quadrant,
    /// Allocation planner.
    Allocation,
    /// Finance.
    Finance,
    /// Signals explorer.
    Signals,
}

impl Page {
    /// All pages.
    pub const ALL: [Page; 8] = [
        Page::Overview,
        Page::Journey,
        Page::Channels,
        Page::Benchmark,
        Page::Quadrant,
        Page::Allocation,
        Page::Finance,
        Page::Signals,
    ];

    /// URL path.
    pub fn path(self) -> &'static str {
        match self {
            Page::Overview => "/",
            Page::Journey => "/journey",
            Page::Channels => "/channels",
            Page::Benchmark => "/benchmark",
            Page::Quadrant => "/quadrant",
            Page::Allocation => "/allocation",
            Page::Finance => "/finance",
            Page::Signals => "/signals",
        }
    }

    /// Heading and navigation label.
    pub fn title(self) -> &'static str {
        match self {
            Page::Overview => "Overview",
            Page::Journey => "Journey map",
            Page::Channels => "Channel influence",
            Page::Benchmark => "Benchmark",
            Page::Quadrant => "Importance–performance",
            Page::Allocation => "Allocation planner",
            Page::Finance => "Finance",
            Page::Signals => "Signals explorer",
        }
    }
}

/// The stylesheet, inlined into every page and the report.
pub const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#0f172a;background:#f8fafc}
header{background:#0f172a;color:#e2e8f0;padding:0 20px;display:flex;align-items:center;gap:18px;flex-wrap:wrap}
header .brand{font-weight:700;letter-spacing:.02em;padding:12px 0;color:#fff}
header nav{display:flex;gap:2px;flex-wrap:wrap;flex:1}
header nav a{color:#cbd5e1;text-decoration:none;padding:12px 10px;border-bottom:3px solid transparent}
header nav a:hover{color:#fff}
header nav a.active{color:#fff;border-bottom-color:#38bdf8}
header .who{font-size:12px;color:#94a3b8;display:flex;gap:8px;align-items:center}
header .who button{background:none;border:1px solid #475569;color:#e2e8f0;border-radius:4px;padding:3px 8px;cursor:pointer}
main{padding:18px 24px;max-width:1400px}
h1{font-size:22px;margin:4px 0 6px}
h2{font-size:16px;margin:22px 0 8px}
p.sub{color:#475569;margin:0 0 14px}
table{border-collapse:collapse;background:#fff;margin:6px 0 14px;font-size:13px}
th,td{border-bottom:1px solid #e2e8f0;padding:5px 9px;text-align:left;vertical-align:top}
th{background:#f1f5f9;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:9px;padding:0 8px;font-size:12px;font-weight:600}
.badge.derived{background:#dcfce7;color:#166534}
.badge.low_confidence{background:#fef9c3;color:#854d0e}
.badge.configured{background:#e0e7ff;color:#3730a3}
.badge.given{background:#f1f5f9;color:#334155}
.badge.default{background:#ffedd5;color:#9a3412}
form.filters{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:flex-end;background:#fff;padding:10px 12px;border:1px solid #e2e8f0;border-radius:6px;margin:6px 0 14px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#475569;gap:2px}
input,select{font:inherit;padding:4px 6px;border:1px solid #cbd5e1;border-radius:4px;background:#fff}
button.primary{background:#2563eb;color:#fff;border:0;border-radius:4px;padding:6px 14px;font:inherit;cursor:pointer}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:12px 14px;margin:8px 0 14px}
.chart{display:block;max-width:100%;height:auto;background:#fff}
.spark{background:transparent}
.muted{color:#64748b}
.error{background:#fee2e2;color:#991b1b;border:1px solid #fecaca;border-radius:6px;padding:10px 12px}
td.text{max-width:520px;white-space:pre-wrap;word-break:break-word}
.neg{color:#b91c1c}.pos{color:#047857}
.pager{margin:10px 0 30px}
.thin,tr.thin td{color:#94a3b8}
section.report{page-break-before:always;margin-top:28px}
"#;

/// Headers for the signed-in user.
#[derive(Debug, Clone)]
pub struct UserBar {
    /// Token name and role.
    pub label: String,
    /// Anti-forgery token for the sign-out form; `None` without sign-in.
    pub csrf: Option<String>,
}

/// A dashboard page: header, navigation, body.
pub fn page(
    model: &Model,
    active: Option<Page>,
    nav: &[Page],
    user: Option<&UserBar>,
    heading: &str,
    body: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (heading) " — tce · " (model.name) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    span.brand { "tce · " (model.name) }
                    nav {
                        @for p in nav {
                            a href=(p.path()) class=[(Some(*p) == active).then_some("active")] { (p.title()) }
                        }
                    }
                    @if let Some(u) = user {
                        div.who {
                            span { (u.label) }
                            @if let Some(csrf) = &u.csrf {
                                form method="post" action="/logout" {
                                    input type="hidden" name="csrf" value=(csrf);
                                    button type="submit" { "Sign out" }
                                }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// The self-contained report: every section, no links out, no forms.
pub fn report_document(model: &Model, subtitle: &str, sections: &[(Page, Markup)]) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "TCE report — " (model.name) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header { span.brand { "tce report · " (model.name) } }
                main {
                    p.sub { (subtitle) }
                    nav {
                        @for (p, _) in sections {
                            a href=(format!("#{}", anchor(*p))) { (p.title()) } " · "
                        }
                    }
                    @for (p, body) in sections {
                        section.report id=(anchor(*p)) { (body) }
                    }
                }
            }
        }
    }
}

fn anchor(p: Page) -> &'static str {
    p.path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("overview")
}

/// The sign-in page.
pub fn sign_in(model: &Model, csrf: &str, message: Option<&str>) -> Markup {
    let body = html! {
        h1 { "Sign in" }
        p.sub { "Paste an access token (create one with " code { "tce token create --role analyst" } ")." }
        @if let Some(m) = message { p.error { (m) } }
        form.filters method="post" action="/login" {
            input type="hidden" name="csrf" value=(csrf);
            label { "Token" input type="password" name="token" size="52" autocomplete="off" required; }
            button.primary type="submit" { "Sign in" }
        }
    };
    page(model, None, &[], None, "Sign in", body)
}

/// An error page body.
pub fn error_body(status: u16, code: &str, message: &str) -> Markup {
    html! {
        h1 { "Error " (status) }
        p.error { (message) }
        p.muted { "code: " code { (code) } }
    }
}

// Scores and changes go through `tce_insight::display`: one rounding
// everywhere (CLI, pages, report).
fn fmt1(v: Option<f64>) -> String {
    display::score_opt(v)
}

fn signed(v: Option<f64>) -> String {
    display::change_opt(v)
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// A money amount with thousands separators ("USD 185,874,000"), the
/// format of the CLI and the report too.
pub fn money(v: f64, currency: &str) -> String {
    display::money(v, currency)
}

/// The date range a page's figures cover.
fn covers_line(covers: &Option<Coverage>) -> Markup {
    html! {
        @match covers {
            Some(c) => { p.covers.muted { "Figures cover " strong { (c.from) " to " (c.to) } " (" (c.days()) " days with data in the range)." } }
            None => { p.covers.muted { "No data in this range." } }
        }
    }
}

/// A change with its significance: "+1.3" or "+0.4 (not significant)".
fn change_cell(change: Option<f64>, p_value: Option<f64>, significant: Option<bool>) -> Markup {
    html! {
        @match (change, significant) {
            (None, _) => { span.muted { "–" } }
            (Some(c), Some(true)) => { span title=(format!("Welch's t-test p = {:.3}", p_value.unwrap_or(0.0))) { (display::change(c)) } }
            (Some(c), Some(false)) => {
                span.muted title=(format!("not significant: Welch's t-test p = {:.3}", p_value.unwrap_or(1.0))) { (display::change(c)) " (n.s.)" }
            }
            (Some(c), None) => { span.muted title="too few signals to test" { (display::change(c)) " (untested)" } }
        }
    }
}

/// A score that has too little evidence to compare: greyed, with why.
fn thin_score(v: Option<f64>, n: u64, min: u64) -> Markup {
    html! {
        span.thin title=(format!("too little evidence: {n} signals (fewer than {min})")) { (fmt1(v)) "*" }
    }
}

/// The quadrant label, with the flag for touchpoints far below the mean.
fn quadrant_label(p: &tce_analytics::scores::IpaPoint) -> Markup {
    html! {
        (p.quadrant.label())
        @if p.far_below && p.quadrant != Quadrant::FixFirst {
            " " span.badge.default title="far below the brand's mean experience: flagged whatever its importance" { "far below mean" }
        }
    }
}

/// Cells an allocation left out for too little evidence.
fn thin_cells(model: &Model, r: &AllocReport) -> Markup {
    html! {
        @if !r.too_little_evidence.is_empty() {
            p.thin {
                "Not allocated to (too little evidence: fewer than " (r.min_cell_signals) " own-brand signals): "
                @for (i, c) in r.too_little_evidence.iter().enumerate() {
                    @if i > 0 { ", " }
                    (channel_name(model, &c.channel)) " × " (stage_name(model, &c.stage)) " (" (c.n) ")"
                }
                "."
            }
        }
    }
}

fn source_badge(s: WeightSource) -> Markup {
    let (class, label) = match s {
        WeightSource::Derived => ("derived", "derived"),
        WeightSource::LowConfidence => ("low_confidence", "low confidence"),
        WeightSource::Configured => ("configured", "configured"),
    };
    html! { span class=(format!("badge {class}")) title="where the stage weights come from" { (label) } }
}

fn badge(s: Source) -> Markup {
    source_badge(s.into())
}

fn stage_name(model: &Model, id: &str) -> String {
    model
        .stage(id)
        .map_or_else(|| id.to_string(), |s| s.name.clone())
}

fn touchpoint_name(model: &Model, id: &str) -> String {
    model
        .touchpoint(id)
        .map_or_else(|| id.to_string(), |t| t.name.clone())
}

fn brand_name(model: &Model, id: &str) -> String {
    model
        .brand(id)
        .map_or_else(|| id.to_string(), |b| b.name.clone())
}

fn channel_name(model: &Model, id: &str) -> String {
    model
        .channel(id)
        .map_or_else(|| id.to_string(), |c| c.name.clone())
}

/// A GET form choosing a brand and a date range.
fn brand_form(action: &str, brands: &BrandChoice, current: &str, from: &str, to: &str) -> Markup {
    html! {
        form.filters method="get" action=(action) {
            label { "Brand"
                select name="brand" {
                    @for (id, name) in brands {
                        option value=(id) selected[id == current] { (name) }
                    }
                }
            }
            label { "From" input type="date" name="from" value=(from); }
            label { "To" input type="date" name="to" value=(to); }
            button.primary type="submit" { "Show" }
        }
    }
}

/// The date range the page was asked for, echoed into its forms.
#[derive(Debug, Clone, Default)]
pub struct Range {
    /// From, YYYY-MM-DD or empty.
    pub from: String,
    /// To, YYYY-MM-DD or empty.
    pub to: String,
}

/// Overview: TCE index per brand with weekly trend; the own brand's fix-first touchpoints.
pub fn overview(_model: &Model, v: &OverviewView, range: &Range, interactive: bool) -> Markup {
    html! {
        h1 { (Page::Overview.title()) }
        p.sub { "TCE index (0–100) per brand: stage scores weighted by stage weights " (badge(v.weights.source())) " — " (v.weights.note) "." }
        (covers_line(&v.covers))
        @if interactive {
            form.filters method="get" action="/" {
                label { "From" input type="date" name="from" value=(range.from); }
                label { "To" input type="date" name="to" value=(range.to); }
                button.primary type="submit" { "Show" }
            }
        }
        table {
            thead { tr {
                th { "Brand" } th.num { "TCE index" }
                th.num title=(format!("last full week against the week before; n.s. = not significant at p < {}", v.significance_level)) { "Change (last full week)" }
                th.num { "Signals" } th.num { "Net Sentiment" }
                th.num { "Mean experience" } th { "Weekly trend of the index" }
            } }
            tbody {
                @for c in v.cards.iter() {
                    tr {
                        td { (c.name) @if c.own { " " span.badge.given { "own" } } }
                        td.num { strong { (fmt1(c.tce_index)) } }
                        td.num {
                            @match v.changes.get(&c.brand) {
                                Some(ch) => { (change_cell(Some(ch.change), ch.p_value, ch.significant)) br; span.muted { "week of " (ch.week) } }
                                None => { span.muted { "–" } }
                            }
                        }
                        td.num { (c.n) }
                        td.num { (signed(c.net_sentiment)) }
                        td.num { (fmt1(c.mean_score)) }
                        td {
                            @match v.trends.get(&c.brand) {
                                Some(points) if points.iter().any(|(_, v)| v.is_some()) => {
                                    (charts::sparkline(&format!("{}: weekly TCE index", c.name), points))
                                }
                                _ => { span.muted { "no weekly data" } }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Fix first" @if let Some(own) = &v.own { " — " (own) } }
        p.sub { "The head of the importance–performance ranking: important touchpoints performing below the brand's average, and any touchpoint far below the brand's mean experience, most urgent first. Touchpoints with fewer than " (v.min_touchpoint_signals) " signals are not ranked." }
        @if v.fix_first.is_empty() {
            p.muted { "Nothing needs action: no ranked touchpoint is in the fix-first quadrant or far below the brand mean." }
        } @else {
            table.fixfirst {
                thead { tr { th.num { "Rank" } th { "Touchpoint" } th { "Stage" } th.num { "TES" } th.num { "Signals" } th.num { "Complaints" } th.num { "Net Sentiment" } th.num { "Importance" } th { "Why" } } }
                tbody {
                    @for f in &v.fix_first {
                        tr {
                            td.num { (f.rank.map(|r| r.to_string()).unwrap_or_default()) }
                            td { (f.touchpoint) } td { (f.stage) } td.num { (display::score(f.tes)) }
                            td.num { (f.n) } td.num { (f.complaint_share.map(display::percent).unwrap_or_default()) }
                            td.num { (signed(f.net_sentiment)) } td.num { (pct(f.importance)) }
                            td { @if f.quadrant == Quadrant::FixFirst { "fix first" } @else { "far below the brand mean (" (f.quadrant.label()) ")" } }
                        }
                    }
                }
            }
        }
    }
}

/// Journey map: stages × touchpoints heat-map of one brand.
pub fn journey(model: &Model, v: &JourneyView, range: &Range, interactive: bool) -> Markup {
    let j: &JourneyDto = &v.journey;
    let columns: Vec<HeatColumn> = j
        .stages
        .iter()
        .map(|s| HeatColumn {
            label: s.name.clone(),
            score: s.score,
            cells: s
                .touchpoints
                .iter()
                .map(|t| HeatCell {
                    label: t.name.clone(),
                    score: (t.n > 0).then_some(t.tes),
                    n: t.n,
                    tooltip: format!(
                        "{} ({}): TES {} · n {} · Net Sentiment {} · complaints {}",
                        t.name,
                        s.name,
                        if t.n > 0 {
                            format!("{:.1}", t.tes)
                        } else {
                            "–".into()
                        },
                        t.n,
                        signed(t.net_sentiment),
                        t.complaints
                    ),
                })
                .collect(),
        })
        .collect();
    html! {
        h1 { (Page::Journey.title()) " — " (j.name) }
        p.sub {
            "Colour = Touchpoint Experience Score (0–100, red below 50, green above; shrunk toward the brand mean when evidence is thin). "
            "Hover a cell for signals and Net Sentiment. "
            @if v.scoped { "Showing your department's touchpoints only. " }
            @else { "TCE index " strong { (fmt1(j.tce_index)) } ", stage weights " (source_badge(j.weights_source)) "." }
        }
        @if interactive { (brand_form("/journey", &v.brands, &j.brand, &range.from, &range.to)) }
        (charts::journey_heatmap(&format!("Journey map of {}", j.name), &columns))
        table {
            thead { tr { th { "Stage" } th { "Touchpoint" } th { "Department" } th.num { "TES" } th.num { "Signals" } th.num { "Net Sentiment" } th.num { "Complaints" } } }
            tbody {
                @for s in &j.stages {
                    @for t in &s.touchpoints {
                        tr {
                            td { (s.name) } td { (t.name) }
                            td { (model.department(&t.department).map_or(t.department.as_str(), |d| d.name.as_str())) }
                            td.num { @if t.n > 0 { (format!("{:.1}", t.tes)) } @else { "–" } }
                            td.num { (t.n) } td.num { (signed(t.net_sentiment)) } td.num { (t.complaints) }
                        }
                    }
                }
            }
        }
    }
}

/// Stage weights with their sources (shared by several pages).
fn weights_table(model: &Model, w: &Weights) -> Markup {
    html! {
        table {
            thead { tr { th { "Stage" } th.num { "Weight" } th.num { "95% interval" } th { "Source" } } }
            tbody {
                @for s in &model.stages {
                    @if let Some(x) = w.horizontal.get(&s.id) {
                        tr {
                            td { (s.name) } td.num { (pct(x.weight)) }
                            td.num {
                                @if x.ci[0] < x.ci[1] { (pct(x.ci[0])) " – " (pct(x.ci[1])) }
                                @else { span.muted title="bootstrap intervals: GET /api/v1/weights?bootstrap=200 or tce weights" { "–" } }
                            }
                            td { (badge(x.source)) }
                        }
                    }
                }
            }
        }
        p.muted { (w.note) }
    }
}

/// Channel influence: stage × channel matrix, with the stage weights.
pub fn channels(model: &Model, w: &Weights, range: &Range, interactive: bool) -> Markup {
    let stages: Vec<&tce_model::Stage> = model.stages.iter().collect();
    let used: BTreeSet<&str> = w
        .vertical
        .values()
        .flat_map(|m| m.keys().map(String::as_str))
        .collect();
    let chans: Vec<&tce_model::Channel> = model
        .channels
        .iter()
        .filter(|c| used.contains(c.id.as_str()))
        .collect();
    let rows: Vec<String> = stages.iter().map(|s| s.name.clone()).collect();
    let cols: Vec<String> = chans.iter().map(|c| c.name.clone()).collect();
    let value = |i: usize, j: usize| -> Option<f64> {
        let (s, c) = (stages.get(i)?, chans.get(j)?);
        w.vertical.get(&s.id)?.get(&c.id).copied()
    };
    let tip = |i: usize, j: usize| -> String {
        let s = stages.get(i).map_or("", |s| s.name.as_str());
        let c = chans.get(j).map_or("", |c| c.name.as_str());
        match value(i, j) {
            Some(v) => format!(
                "{s} × {c}: {:.1}% of the stage's reach-weighted evidence",
                v * 100.0
            ),
            None => format!("{s} × {c}: no evidence"),
        }
    };
    html! {
        h1 { (Page::Channels.title()) }
        p.sub { "Vertical weights: each channel's share of a stage's reach-weighted evidence (rows sum to 100%). Stage weights " (badge(w.source())) " below." }
        @if interactive {
            form.filters method="get" action="/channels" {
                label { "From" input type="date" name="from" value=(range.from); }
                label { "To" input type="date" name="to" value=(range.to); }
                button.primary type="submit" { "Show" }
            }
        }
        (charts::share_matrix("Channel influence per stage", &rows, &cols, value, tip))
        h2 { "Stage weights" }
        (weights_table(model, w))
    }
}

/// Benchmark: brands side by side per stage.
pub fn benchmark(model: &Model, v: &BenchmarkView, range: &Range, interactive: bool) -> Markup {
    let b = &v.benchmark;
    let groups: Vec<String> = b.stages.iter().map(|s| stage_name(model, s)).collect();
    let series: Vec<Series> = b
        .brands
        .iter()
        .map(|x| Series {
            name: x.name.clone(),
            values: b
                .stages
                .iter()
                .map(|s| x.stages.get(s).copied().flatten())
                .collect(),
        })
        .collect();
    html! {
        h1 { (Page::Benchmark.title()) }
        p.sub { "Stage scores (0–100) of every brand side by side; the TCE index uses stage weights " (badge(v.source)) ". Scores marked * have fewer than " (b.min_signals) " signals: greyed, and never part of a gap." }
        (covers_line(&v.covers))
        @if interactive {
            form.filters method="get" action="/benchmark" {
                label { "From" input type="date" name="from" value=(range.from); }
                label { "To" input type="date" name="to" value=(range.to); }
                button.primary type="submit" { "Show" }
            }
        }
        (charts::grouped_bars("Stage scores per brand", &groups, &series))
        table {
            thead { tr {
                th { "Brand" } th.num { "TCE index" } th.num { "Signals" }
                @for g in &groups { th.num { (g) } }
            } }
            tbody {
                @for x in &b.brands {
                    tr {
                        td { (x.name) @if x.own { " " span.badge.given { "own" } } }
                        td.num { strong { (fmt1(x.tce_index)) } } td.num { (x.n) }
                        @for s in &b.stages {
                            td.num {
                                @if x.thin(s, b.min_signals) && x.stages.get(s).copied().flatten().is_some() {
                                    (thin_score(x.stages.get(s).copied().flatten(), x.stage_n.get(s).copied().unwrap_or(0), b.min_signals))
                                } @else {
                                    (fmt1(x.stages.get(s).copied().flatten()))
                                }
                            }
                        }
                    }
                }
                tr {
                    td { em { "own − best competitor" } } td {} td {}
                    @for s in &b.stages { td.num { (signed(b.own_gap_to_best.get(s).copied().flatten())) } }
                }
            }
        }
    }
}

/// Importance–performance quadrant of one brand.
pub fn quadrant(model: &Model, v: &QuadrantView, range: &Range, interactive: bool) -> Markup {
    let Some(card) = &v.card else {
        return html! { h1 { (Page::Quadrant.title()) } p.muted { "No data for this brand." } };
    };
    // The chart places ranked touchpoints only; the lines are their means,
    // as in the ranking (`tce_analytics::scores::importance_performance`).
    let placed: Vec<&tce_analytics::scores::IpaPoint> = card
        .ipa
        .iter()
        .filter(|p| p.quadrant != Quadrant::TooLittleEvidence)
        .collect();
    let k = placed.len().max(1) as f64;
    let mean_x = placed.iter().map(|p| p.importance).sum::<f64>() / k;
    let mean_y = placed.iter().map(|p| p.performance).sum::<f64>() / k;
    let points: Vec<ScatterPoint> = placed
        .iter()
        .map(|p| {
            let name = touchpoint_name(model, &p.touchpoint);
            ScatterPoint {
                tooltip: format!(
                    "{name} ({}): importance {} · TES {} · complaints {} · {}{}",
                    stage_name(model, &p.stage),
                    pct(p.importance),
                    display::score(p.performance),
                    p.complaint_share.map(display::percent).unwrap_or_default(),
                    p.quadrant.label(),
                    if p.far_below {
                        " · far below the brand mean"
                    } else {
                        ""
                    }
                ),
                label: name,
                x: p.importance,
                y: p.performance,
                urgent: p.needs_action(),
            }
        })
        .collect();
    html! {
        h1 { (Page::Quadrant.title()) " — " (card.name) }
        p.sub { "Importance = stage weight " (badge(v.source)) " × the touchpoint's share of its stage's importance; performance = TES. Lines at the means of the ranked touchpoints. Quadrants of standard IPA: fix first, keep up, low priority, possible overkill. A touchpoint " (v.far_below_points) " points or more below the brand's mean experience is flagged whatever its importance; one with fewer than " (v.min_touchpoint_signals) " signals is greyed and not ranked." }
        (covers_line(&v.covers))
        @if interactive { (brand_form("/quadrant", &v.brands, &card.brand, &range.from, &range.to)) }
        (charts::quadrant(&format!("Importance–performance matrix of {}", card.name), &points, mean_x, mean_y))
        table {
            thead { tr { th.num { "Rank" } th { "Touchpoint" } th { "Stage" } th.num { "Importance" } th.num { "TES" } th.num { "Signals" } th.num { "Complaints" } th { "Quadrant" } th.num { "Fix priority" } } }
            tbody {
                @for p in &card.ipa {
                    @if p.quadrant == Quadrant::TooLittleEvidence {
                        tr.thin title=(format!("too little evidence: {} signals (fewer than {})", p.n, v.min_touchpoint_signals)) {
                            td.num { "–" } td { (touchpoint_name(model, &p.touchpoint)) } td { (stage_name(model, &p.stage)) }
                            td.num { (pct(p.importance)) } td.num { (display::score(p.performance)) } td.num { (p.n) }
                            td.num { (p.complaint_share.map(display::percent).unwrap_or_default()) }
                            td { "too little evidence" } td.num { "–" }
                        }
                    } @else {
                        tr {
                            td.num { (p.rank.map(|r| r.to_string()).unwrap_or_default()) }
                            td { (touchpoint_name(model, &p.touchpoint)) } td { (stage_name(model, &p.stage)) }
                            td.num { (pct(p.importance)) } td.num { (display::score(p.performance)) } td.num { (p.n) }
                            td.num { (p.complaint_share.map(display::percent).unwrap_or_default()) }
                            td { (quadrant_label(p)) } td.num { (format!("{:.3}", p.gap_priority)) }
                        }
                    }
                }
            }
        }
    }
}

/// The allocation planner's inputs, as typed.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AllocForm {
    /// Budget.
    #[serde(default)]
    pub budget: String,
    /// Objective.
    #[serde(default)]
    pub objective: String,
    /// `stage=w, ...`.
    #[serde(default)]
    pub stage_weights: String,
    /// `channel=amount, ...`.
    #[serde(default)]
    pub min: String,
    /// `channel=amount, ...`.
    #[serde(default)]
    pub max: String,
    /// Anti-forgery token.
    #[serde(default)]
    pub csrf: String,
}

impl Default for AllocForm {
    fn default() -> Self {
        AllocForm {
            budget: "100000".into(),
            objective: "retain".into(),
            stage_weights: String::new(),
            min: String::new(),
            max: String::new(),
            csrf: String::new(),
        }
    }
}

/// Allocation planner: the form, the plan as bars and a table with reasons.
pub fn allocation(
    model: &Model,
    form: &AllocForm,
    csrf: Option<&str>,
    result: &Result<AllocReport, String>,
) -> Markup {
    let mut objectives: Vec<String> = vec!["acquire".into(), "retain".into(), "innovate".into()];
    objectives.extend(model.allocation.objectives.keys().cloned());
    objectives.push("custom".into());
    html! {
        h1 { (Page::Allocation.title()) }
        p.sub { "Splits a budget over social channel × stage cells where it raises the own brand's TCE index most, with diminishing returns per cell." }
        @if let Some(csrf) = csrf {
            form.filters method="post" action="/allocation" {
                input type="hidden" name="csrf" value=(csrf);
                label { "Budget (" (model.finance.currency) ")" input type="number" name="budget" min="1" step="any" value=(form.budget) required; }
                label { "Objective"
                    select name="objective" {
                        @for o in &objectives { option value=(o) selected[*o == form.objective] { (o) } }
                    }
                }
                label { "Stage weights (custom)" input type="text" name="stage_weights" placeholder="operations=0.5, customer_service=0.5" value=(form.stage_weights); }
                label { "Minimum per channel" input type="text" name="min" placeholder="x=5000" value=(form.min); }
                label { "Maximum per channel" input type="text" name="max" placeholder="facebook=20000" value=(form.max); }
                button.primary type="submit" { "Plan" }
            }
        } @else {
            p.muted { "Example plan: budget " (form.budget) ", objective " (form.objective) "." }
        }
        @match result {
            Err(message) => { p.error { (message) } }
            Ok(r) => {
                div.card {
                    "Budget " strong { (money(r.budget, &r.currency)) } " for objective " strong { (r.objective) }
                    " → expected TCE index gain " strong { (format!("{:+.2}", r.expected_gain)) } " points"
                    " (response: 63% of a cell's potential at " (money(r.response.saturation, &r.currency)) ")."
                }
                (charts::hbars("Planned spend per channel × stage", &r.lines.iter().map(|l| Bar {
                    label: format!("{} × {}", channel_name(model, &l.channel), stage_name(model, &l.stage)),
                    value: l.amount,
                    value_label: money(l.amount, &r.currency),
                    tooltip: l.reason.clone(),
                }).collect::<Vec<_>>()))
                table {
                    thead { tr { th { "Channel" } th { "Stage" } th.num { "Amount" } th.num { "Expected gain" } th { "Why" } } }
                    tbody {
                        @for l in &r.lines {
                            tr {
                                td { (channel_name(model, &l.channel)) } td { (stage_name(model, &l.stage)) }
                                td.num { (money(l.amount, &r.currency)) } td.num { (format!("{:+.3}", l.expected_gain)) }
                                td { (l.reason) }
                            }
                        }
                    }
                }
                (thin_cells(model, r))
                h2 { "Stages" }
                table {
                    thead { tr { th { "Stage" } th.num { "Weight" } th { "Source" } th.num { "Own score" } th.num { "Best competitor" } th.num { "Gap used" } } }
                    tbody {
                        @for s in &model.stages {
                            @if let Some(x) = r.stages.get(&s.id) {
                                tr {
                                    td { (s.name) } td.num { (pct(x.weight)) }
                                    td { span class=(format!("badge {}", x.source)) { (x.source.replace('_', " ")) } }
                                    td.num { (fmt1(x.own_score)) } td.num { (fmt1(x.best_competitor)) } td.num { (format!("{:.1}", x.gap)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn default_label(defaults: &[String], name: &str) -> Markup {
    html! {
        @if defaults.iter().any(|d| d == name) {
            " " span.badge.default title="not set in tce.toml: the seeds' default" { "default" }
        } @else {
            " " span.badge.configured { "configured" }
        }
    }
}

/// Finance: elasticities with intervals, what-if, revenue at risk.
pub fn finance(model: &Model, r: &FinanceReport, what_if: f64, interactive: bool) -> Markup {
    let items: Vec<Interval> = r
        .fits
        .iter()
        .filter_map(|f| {
            let w = f.what_if.as_ref()?;
            Some(Interval {
                label: f.outcome.replace('_', " "),
                estimate: w.pct,
                lo: w.ci[0],
                hi: w.ci[1],
                tooltip: format!(
                    "{}: {:+.2}% for {:+} points (95% interval {:+.2}% to {:+.2}%)",
                    f.outcome, w.pct, w.delta, w.ci[0], w.ci[1]
                ),
            })
        })
        .collect();
    let defaults = &r.at_risk.defaults;
    html! {
        h1 { (Page::Finance.title()) }
        p.sub { "Elasticity of outcomes to experience with brand fixed effects. Driver: " (r.driver) "; " (r.observations) " brand-weeks." }
        (covers_line(&r.at_risk.covers))
        @if interactive {
            form.filters method="get" action="/finance" {
                label { "What if the score moved by (points)" input type="number" name="what_if" step="any" value=(what_if); }
                button.primary type="submit" { "Show" }
            }
        }
        @if items.is_empty() {
            p.muted { "No elasticity could be fitted (see the notes below)." }
        } @else {
            h2 { "What if the score moved by " (format!("{what_if:+}")) " points" }
            (charts::intervals("Expected change of each outcome with its 95% interval", "%", &items))
        }
        table {
            thead { tr { th { "Outcome" } th.num { "Elasticity β (per point)" } th.num { "95% interval" } th.num { "R² within" } th.num { "n" } th.num { "What-if" } th { "Note" } } }
            tbody {
                @for f in &r.fits {
                    tr {
                        td { (f.outcome.replace('_', " ")) }
                        @if let Some(e) = &f.elasticity {
                            td.num { (format!("{:+.3}%", e.beta * 100.0)) }
                            td.num { (format!("{:+.3}% – {:+.3}%", e.ci[0] * 100.0, e.ci[1] * 100.0)) }
                            td.num { (format!("{:.2}", e.r2_within)) } td.num { (e.n) }
                        } @else { td {} td {} td {} td {} }
                        td.num { @if let Some(w) = &f.what_if { (format!("{:+.2}% [{:+.2}, {:+.2}]", w.pct, w.ci[0], w.ci[1])) } }
                        td { (f.note.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
        p { "Rule of thumb: +5 CSAT points → " strong { (format!("{:+.2}%", r.rule_of_thumb_sales_pct_per_5pt)) } " sales" (default_label(defaults, "sales_pct_per_5pt_csat")) "." }
        h2 { "Revenue at risk" }
        (revenue_at_risk(model, r))
    }
}

/// The revenue-at-risk block: the figure for its stated period, the
/// assumptions beside it, and the weeks it sums.
fn revenue_at_risk(model: &Model, r: &FinanceReport) -> Markup {
    let a = &r.at_risk;
    let defaults = &a.defaults;
    html! {
        div.card.at-risk {
            strong { (money(a.amount, &r.currency)) }
            @match &a.covers {
                Some(c) => { " over " strong { (c.from) " to " (c.to) } " (" (c.days()) " days)" }
                None => { " (no data in the range)" }
            }
            ": " (display::grouped(a.customers_lost)) " customers of "
            (model.own_brand().map_or("the own brand", |b| b.name.as_str())) " lost to "
            (display::grouped(a.negative_posts as f64)) " negative public posts"
            @if let Some(base) = a.customer_base { ", out of a customer base of " (display::grouped(base)) }
            "."
            ul.assumptions {
                @for w in &a.assumptions { li { (w) "." } }
                li {
                    "Parameters: " (a.customers_lost_per_negative_post) " customers per average negative post" (default_label(defaults, "customers_lost_per_negative_post"))
                    ", " (money(a.customer_value, &r.currency)) " per customer" (default_label(defaults, "customer_value")) "."
                }
            }
        }
        @if !a.weeks.is_empty() {
            details {
                summary { "Per week (" (a.weeks.len()) " weeks)" }
                table {
                    thead { tr { th { "Week of" } th.num { "Negative public posts" } th.num { "Their reach" } th.num { "Customers" } th.num { "Customers lost" } th {} } }
                    tbody {
                        @for w in &a.weeks {
                            tr {
                                td { (w.week) @if w.partial { " " span.muted { "(partial)" } } }
                                td.num { (display::grouped(w.negative_posts as f64)) }
                                td.num { (display::grouped(w.negative_reach)) }
                                td.num { (w.customers.map(display::grouped).unwrap_or_else(|| "–".into())) }
                                td.num { (display::grouped(w.customers_lost)) }
                                td { @if w.capped { span.muted { "capped by the customers" } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn intents_label(s: &tce_model::EnrichedSignal) -> String {
    s.enrichment
        .intents
        .iter()
        .map(|i| {
            format!(
                "{} {:.0}%",
                i.intent.as_str().replace('_', " "),
                i.confidence * 100.0
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Signals explorer: the API's filters as a form, full text, paging.
pub fn signals(
    model: &Model,
    p: &SignalParams,
    page: &SignalPage,
    scope: Option<&BTreeSet<String>>,
    interactive: bool,
) -> Markup {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let next = page.next_cursor.as_ref().map(|c| {
        let pairs: Vec<(&str, String)> = [
            ("brand", v(&p.brand)),
            ("channel", v(&p.channel)),
            ("stage", v(&p.stage)),
            ("touchpoint", v(&p.touchpoint)),
            ("min_sentiment", v(&p.min_sentiment)),
            ("max_sentiment", v(&p.max_sentiment)),
            ("intent", v(&p.intent)),
            ("from", v(&p.from)),
            ("to", v(&p.to)),
            ("q", v(&p.q)),
            ("limit", v(&p.limit)),
            ("cursor", c.clone()),
        ]
        .into_iter()
        .filter(|(_, x)| !x.is_empty())
        .collect();
        format!(
            "/signals?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    });
    let touchpoints: Vec<&tce_model::Touchpoint> = model
        .touchpoints
        .iter()
        .filter(|t| scope.is_none_or(|s| s.contains(&t.id)))
        .collect();
    html! {
        h1 { (Page::Signals.title()) }
        p.sub {
            "Newest first. Sentiment is the compound score −1…1 (hover the gauge for the text)."
            @if scope.is_some() { " Showing signals about your department's touchpoints only." }
        }
        @if interactive {
            form.filters method="get" action="/signals" {
                label { "Brand" select name="brand" {
                    option value="" { "any" }
                    @for b in &model.brands { option value=(b.id) selected[p.brand.as_deref() == Some(b.id.as_str())] { (b.name) } }
                    option value=(tce_store::UNKNOWN_BRAND) selected[p.brand.as_deref() == Some(tce_store::UNKNOWN_BRAND)] { "(no brand)" }
                } }
                label { "Channel" select name="channel" {
                    option value="" { "any" }
                    @for c in &model.channels { option value=(c.id) selected[p.channel.as_deref() == Some(c.id.as_str())] { (c.name) } }
                } }
                label { "Stage" select name="stage" {
                    option value="" { "any" }
                    @for s in &model.stages { option value=(s.id) selected[p.stage.as_deref() == Some(s.id.as_str())] { (s.name) } }
                } }
                label { "Touchpoint" select name="touchpoint" {
                    option value="" { "any" }
                    @for t in &touchpoints { option value=(t.id) selected[p.touchpoint.as_deref() == Some(t.id.as_str())] { (t.name) } }
                } }
                label { "Sentiment ≥" input type="number" name="min_sentiment" min="-1" max="1" step="0.05" value=(v(&p.min_sentiment)); }
                label { "Sentiment ≤" input type="number" name="max_sentiment" min="-1" max="1" step="0.05" value=(v(&p.max_sentiment)); }
                label { "Intent" select name="intent" {
                    option value="" { "any" }
                    @for i in Intent::ALL { option value=(i.as_str()) selected[p.intent.as_deref() == Some(i.as_str())] { (i.as_str().replace('_', " ")) } }
                } }
                label { "From" input type="date" name="from" value=(v(&p.from)); }
                label { "To" input type="date" name="to" value=(v(&p.to)); }
                label { "Text contains" input type="search" name="q" value=(v(&p.q)); }
                label { "Per page" input type="number" name="limit" min="1" max="1000" value=(v(&p.limit)) placeholder="50"; }
                button.primary type="submit" { "Filter" }
            }
        }
        @if page.items.is_empty() {
            p.muted { "No signals match." }
        } @else {
            table {
                thead { tr { th { "When (UTC)" } th { "Channel" } th { "Brand" } th { "Author" } th { "Text" } th { "Sentiment" } th { "Intents" } th { "Touchpoints" } } }
                tbody {
                    @for s in &page.items {
                        @let sig = &s.signal.signal;
                        @let e = &s.signal.enrichment;
                        tr {
                            td { (sig.created_at.format("%Y-%m-%d %H:%M")) }
                            td { (channel_name(model, &sig.channel)) }
                            td { (e.brand.as_deref().map_or_else(|| "–".to_string(), |b| brand_name(model, b))) }
                            td { (sig.author.as_deref().unwrap_or("–")) }
                            td.text {
                                (sig.text)
                                @if let Some(r) = &sig.rating { br; span.muted { "rating " (r.value) " (" (r.scale.as_str()) ")" } }
                            }
                            td {
                                (charts::sentiment_gauge(e.sentiment, &format!("{:+.3} — {}", e.sentiment, charts::short(&sig.text, 140))))
                                " " span class=(match e.sentiment_label { tce_model::SentimentLabel::Negative => "neg", tce_model::SentimentLabel::Positive => "pos", tce_model::SentimentLabel::Neutral => "muted" }) {
                                    (format!("{:+.2}", e.sentiment)) " " (e.sentiment_label.as_str())
                                }
                            }
                            td { (intents_label(&s.signal)) }
                            td {
                                @for t in &e.touchpoints {
                                    span title=(format!("{} ({}), confidence {:.0}%", touchpoint_name(model, &t.touchpoint), stage_name(model, &t.stage), t.confidence * 100.0)) {
                                        (touchpoint_name(model, &t.touchpoint))
                                    } br;
                                }
                            }
                        }
                    }
                }
            }
        }
        @if interactive {
            @if let Some(href) = next { p.pager { a href=(href) { "Next page →" } } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(1234567.4, "EUR"), "EUR 1,234,567");
        assert_eq!(money(999.0, "USD"), "USD 999");
    }
}
