//! Page renderers: data from `views` in, HTML out. Pure functions, used by
//! the dashboard (with forms and links) and by the self-contained report
//! (without). `maud` escapes every interpolated value, so signal text,
//! authors and even model names cannot inject markup.

use crate::charts::{self, Bar, HeatCell, HeatColumn, Interval, ScatterPoint, Series};
use crate::dto::{JourneyDto, WeightSource};
use crate::params::SignalParams;
use crate::views::{
    BenchmarkView, BrandChoice, ChannelsView, JourneyView, OverviewView, QuadrantView,
};
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
    /// Maturity assessment.
    Maturity,
    /// Signals explorer.
    Signals,
    /// The care queue of cases (and a case's own page).
    Cases,
    /// Care metrics per department.
    Care,
    /// Advocates, detractors and net advocacy.
    Advocates,
    /// Ideas from customers' suggestions (and an idea's own page).
    Ideas,
    /// Early-warning alerts (and an alert's own page).
    Alerts,
}

impl Page {
    /// All pages.
    pub const ALL: [Page; 14] = [
        Page::Overview,
        Page::Journey,
        Page::Channels,
        Page::Benchmark,
        Page::Quadrant,
        Page::Allocation,
        Page::Finance,
        Page::Maturity,
        Page::Signals,
        Page::Cases,
        Page::Care,
        Page::Advocates,
        Page::Ideas,
        Page::Alerts,
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
            Page::Maturity => "/maturity",
            Page::Signals => "/signals",
            Page::Cases => "/cases",
            Page::Care => "/care",
            Page::Advocates => "/advocates",
            Page::Ideas => "/ideas",
            Page::Alerts => "/alerts",
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
            Page::Maturity => "Maturity",
            Page::Signals => "Signals explorer",
            Page::Cases => "Cases",
            Page::Care => "Care",
            Page::Advocates => "Advocates",
            Page::Ideas => "Ideas",
            Page::Alerts => "Alerts",
        }
    }

    /// The page's short name, as `back=` of a drill-down link carries it.
    pub fn slug(self) -> &'static str {
        anchor(self)
    }

    /// The page of a [`Page::slug`].
    pub fn from_slug(slug: &str) -> Option<Page> {
        Page::ALL.into_iter().find(|p| p.slug() == slug)
    }

    /// The navigation group of the page: what it helps a CX lead do.
    pub fn group(self) -> NavGroup {
        match self {
            Page::Overview | Page::Journey | Page::Benchmark | Page::Signals => NavGroup::Measure,
            Page::Quadrant
            | Page::Cases
            | Page::Care
            | Page::Alerts
            | Page::Advocates
            | Page::Ideas => NavGroup::Act,
            Page::Channels | Page::Allocation | Page::Finance | Page::Maturity => NavGroup::Plan,
        }
    }
}

/// Groups of the navigation, in order: each is one drop-down (plain CSS,
/// no script), so the bar stays one line however many pages come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavGroup {
    /// Where the experience stands.
    Measure,
    /// What to fix.
    Act,
    /// Where to put the money.
    Plan,
}

impl NavGroup {
    /// All groups, in navigation order.
    pub const ALL: [NavGroup; 3] = [NavGroup::Measure, NavGroup::Act, NavGroup::Plan];

    /// Label in the navigation.
    pub fn title(self) -> &'static str {
        match self {
            NavGroup::Measure => "Measure",
            NavGroup::Act => "Act",
            NavGroup::Plan => "Plan",
        }
    }
}

/// The stylesheet, inlined into every page and the report.
pub const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#0f172a;background:#f8fafc}
header{background:#0f172a;color:#e2e8f0;padding:0 20px;display:flex;align-items:center;gap:18px;flex-wrap:nowrap;white-space:nowrap;position:relative;z-index:5}
header .brand{font-weight:700;letter-spacing:.02em;padding:12px 0;color:#fff;overflow:hidden;text-overflow:ellipsis;max-width:260px}
header nav{display:flex;gap:2px;flex:1;min-width:0}
header nav .group{position:relative}
header nav .group>span{display:block;color:#cbd5e1;padding:12px 12px;border-bottom:3px solid transparent;cursor:default}
header nav .group>span::after{content:" ▾";font-size:10px;color:#64748b}
header nav .group.active>span{color:#fff;border-bottom-color:#38bdf8}
header nav .group .here{color:#94a3b8;font-size:12px;margin-left:4px}
header nav .menu{display:none;position:absolute;left:0;top:100%;min-width:220px;background:#1e293b;border:1px solid #334155;border-radius:0 0 6px 6px;padding:4px 0;box-shadow:0 6px 16px rgba(15,23,42,.35)}
header nav .group:hover .menu,header nav .group:focus-within .menu{display:block}
header nav .menu a{display:block;color:#cbd5e1;text-decoration:none;padding:8px 14px}
header nav .menu a:hover,header nav .menu a:focus{color:#fff;background:#334155}
header nav .menu a.active{color:#fff;font-weight:600;box-shadow:inset 3px 0 #38bdf8}
header .who{font-size:12px;color:#94a3b8;display:flex;gap:8px;align-items:center;min-width:0}
header .who>span{overflow:hidden;text-overflow:ellipsis;max-width:320px}
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
.legend{font-size:12px;color:#475569;margin:4px 0 10px}
.legend .swatch{display:inline-block;width:12px;height:12px;border:1px solid #cbd5e1;border-radius:2px;vertical-align:-2px;margin-right:2px}
.actions{display:flex;gap:10px;align-items:center;margin:4px 0 10px;font-size:13px}
a.export{display:inline-block;border:1px solid #cbd5e1;background:#fff;color:#1e3a8a;border-radius:4px;padding:3px 10px;text-decoration:none;font-size:12px}
a.export:hover{background:#eff6ff}
p.filter{background:#eff6ff;border:1px solid #bfdbfe;border-radius:6px;padding:8px 12px;margin:6px 0 10px}
p.filter a{margin-left:12px}
td a,th a{color:inherit}
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
                    (nav_bar(active, nav))
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

/// The navigation: one drop-down per group holding the pages the user may
/// open; the active group is marked and names the page shown.
fn nav_bar(active: Option<Page>, nav: &[Page]) -> Markup {
    html! {
        nav aria-label="Pages" {
            @for g in NavGroup::ALL {
                @let pages: Vec<Page> = nav.iter().copied().filter(|p| p.group() == g).collect();
                @if !pages.is_empty() {
                    @let here = active.filter(|a| a.group() == g);
                    div.group.active[here.is_some()] tabindex="0" {
                        span { (g.title()) @if let Some(h) = here { span.here { (h.title()) } } }
                        div.menu {
                            @for p in &pages {
                                a href=(p.path()) class=[(Some(*p) == active).then_some("active")] { (p.title()) }
                            }
                        }
                    }
                }
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

/// A count with thousands separators ("4,834").
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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

/// `path?query` from the pairs that have a value (just `path` when none).
fn href<V: AsRef<str>>(path: &str, pairs: &[(&str, V)]) -> String {
    let set: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (*k, v.as_ref()))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    if set.is_empty() {
        return path.to_string();
    }
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(set).unwrap_or_default()
    )
}

/// A link to the signals explorer filtered to what a figure was computed
/// from (brand, stage or touchpoint, the page's date range), remembering
/// the page it came from for the explorer's way back.
pub fn explore_href(
    brand: Option<&str>,
    stage: Option<&str>,
    touchpoint: Option<&str>,
    range: &Range,
    back: Page,
) -> String {
    href(
        Page::Signals.path(),
        &[
            ("brand", brand.unwrap_or("")),
            ("stage", stage.unwrap_or("")),
            ("touchpoint", touchpoint.unwrap_or("")),
            ("from", range.from.as_str()),
            ("to", range.to.as_str()),
            ("back", back.slug()),
        ],
    )
}

/// A page's address with its brand and date range, for a way back.
pub fn page_href(page: Page, brand: Option<&str>, range: &Range) -> String {
    href(
        page.path(),
        &[
            ("brand", brand.unwrap_or("")),
            ("from", range.from.as_str()),
            ("to", range.to.as_str()),
        ],
    )
}

/// A "download CSV" link to one of the `/export/…` routes, which serve what
/// `tce export` writes for the same filters.
pub fn export_link(href: &str, label: &str) -> Markup {
    html! { a.export href=(href) download title="the same data as tce export, for this page's filters" { "⤓ " (label) } }
}

/// `/export/scores.csv` for a breakdown, brand and range.
pub fn scores_csv_href(by: &str, brand: Option<&str>, range: &Range) -> String {
    href(
        "/export/scores.csv",
        &[
            ("by", by),
            ("brand", brand.unwrap_or("")),
            ("from", range.from.as_str()),
            ("to", range.to.as_str()),
        ],
    )
}

/// The link of a Finance table's CSV (`table`: elasticities or
/// revenue-at-risk) for the page's range and what-if.
pub fn finance_csv_href(table: &str, range: &Range, what_if: f64) -> String {
    let what_if = what_if.to_string();
    href(
        "/export/finance.csv",
        &[
            ("table", table),
            ("from", range.from.as_str()),
            ("to", range.to.as_str()),
            ("what_if", what_if.as_str()),
        ],
    )
}

/// The link of the CSV of the plan made from the planner's inputs.
pub fn allocation_csv_href(form: &AllocForm) -> String {
    href(
        "/export/allocation.csv",
        &[
            ("budget", form.budget.as_str()),
            ("objective", form.objective.as_str()),
            ("stage_weights", form.stage_weights.as_str()),
            ("min", form.min.as_str()),
            ("max", form.max.as_str()),
        ],
    )
}

/// A day or time of a filter, written "5 Jan 2026" when it is a date.
fn when(s: &str) -> String {
    charts::date_of(s).unwrap_or_else(|| s.to_string())
}

/// The explorer's active filter as a sentence: "Signals about Baggage for
/// Skyway, 1 Jan 2026 – 31 Mar 2026". `None` without a filter.
pub fn filter_sentence(model: &Model, p: &SignalParams) -> Option<String> {
    let v = |o: &Option<String>| {
        o.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (brand, channel, stage, tp) = (v(&p.brand), v(&p.channel), v(&p.stage), v(&p.touchpoint));
    let (min, max, intent, from, to, q) = (
        v(&p.min_sentiment),
        v(&p.max_sentiment),
        v(&p.intent),
        v(&p.from),
        v(&p.to),
        v(&p.q),
    );
    if [
        &brand, &channel, &stage, &tp, &min, &max, &intent, &from, &to, &q,
    ]
    .iter()
    .all(|x| x.is_none())
    {
        return None;
    }
    let mut s = match &intent {
        Some(i) => {
            let i = i.replace('_', " ");
            let mut c = i.chars();
            let first: String = c
                .next()
                .map(|f| f.to_uppercase().collect())
                .unwrap_or_default();
            format!("{first}{} signals", c.as_str())
        }
        None => String::from("Signals"),
    };
    match (&tp, &stage) {
        (Some(t), _) => s += &format!(" about {}", touchpoint_name(model, t)),
        (None, Some(st)) => s += &format!(" about the {} stage", stage_name(model, st)),
        _ => {}
    }
    if let Some(b) = &brand {
        if b == tce_store::UNKNOWN_BRAND {
            s += " of no known brand";
        } else {
            let name = model
                .resolve_brand(b)
                .map_or_else(|| b.clone(), |id| brand_name(model, id));
            s += &format!(" for {name}");
        }
    }
    if let Some(c) = &channel {
        s += &format!(" on {}", channel_name(model, c));
    }
    // "Signals containing …", but "Signals about Baggage, containing …".
    let bare = |s: &str| s == "Signals" || s.ends_with(" signals");
    let sep = if bare(&s) { " with" } else { "," };
    match (&min, &max) {
        (Some(a), Some(b)) => s += &format!("{sep} sentiment {a} to {b}"),
        (Some(a), None) => s += &format!("{sep} sentiment at least {a}"),
        (None, Some(b)) => s += &format!("{sep} sentiment at most {b}"),
        _ => {}
    }
    if let Some(q) = &q {
        let sep = if bare(&s) { "" } else { "," };
        s += &format!("{sep} containing “{q}”");
    }
    match (&from, &to) {
        (Some(f), Some(t)) => s += &format!(", {} – {}", when(f), when(t)),
        (Some(f), None) => s += &format!(", from {}", when(f)),
        (None, Some(t)) => s += &format!(", until {}", when(t)),
        (None, None) => s += ", all dates",
    }
    Some(s)
}

/// `label` as a link to the signals explorer (on the dashboard), plain
/// text in the report.
fn explore_link(
    interactive: bool,
    label: &str,
    brand: Option<&str>,
    touchpoint: Option<&str>,
    range: &Range,
    back: Page,
) -> Markup {
    html! {
        @if interactive {
            a href=(explore_href(brand, None, touchpoint, range, back)) title="the signals behind this figure" { (label) }
        } @else { (label) }
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

pub(crate) fn brand_name(model: &Model, id: &str) -> String {
    model
        .brand(id)
        .map_or_else(|| id.to_string(), |b| b.name.clone())
}

pub(crate) fn channel_name(model: &Model, id: &str) -> String {
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
pub fn overview(model: &Model, v: &OverviewView, range: &Range, interactive: bool) -> Markup {
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
            div.actions { (export_link(&scores_csv_href("brand", None, range), "Brand scores (CSV)")) }
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
                        td { (explore_link(interactive, &c.name, Some(&c.brand), None, range, Page::Overview)) @if c.own { " " span.badge.given { "own" } } }
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
        (kpi_block(model, &v.kpis))
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
                            td { (explore_link(interactive, &f.touchpoint, model.own_brand().map(|b| b.id.as_str()), model.touchpoints.iter().find(|t| t.name == f.touchpoint).map(|t| t.id.as_str()), range, Page::Overview)) } td { (f.stage) } td.num { (display::score(f.tes)) }
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

/// One KPI cell: value, interval and n; greyed as "too little evidence"
/// below the minimum number of ratings.
fn kpi_cell(k: Option<&tce_insight::kpi::Kpi>, unit: &str, min_ratings: u64) -> Markup {
    html! {
        @match k {
            None => { span.muted title="no ratings on this scale" { "–" } }
            Some(k) if k.thin => {
                span.muted title=(format!("too little evidence: {} ratings (needs {})", k.n, min_ratings)) {
                    (format!("{:.1}{unit}", k.value)) " · n " (k.n) " · too little evidence"
                }
            }
            Some(k) => {
                strong { (format!("{:.1}{unit}", k.value)) }
                span.muted { (format!(" [{:.1}, {:.1}] · n {}", k.ci[0], k.ci[1], k.n)) }
            }
        }
    }
}

/// Headline KPIs: NPS and CSAT per brand, and the own brand's per stage.
pub fn kpi_block(model: &Model, r: &tce_insight::kpi::KpiReport) -> Markup {
    let own = r.brands.iter().find(|b| b.own);
    html! {
        h2 { "Headline KPIs" }
        @if r.brands.is_empty() {
            p.muted { "No survey or review ratings in this range: NPS and CSAT need rated signals (0–10 recommend, five-point CSAT or stars)." }
        } @else {
            p.sub {
                "From survey and review ratings "
                @if let (Some(f), Some(t)) = (r.from, r.to) { (format!("from {f} to {t}")) }
                ", 95% intervals in brackets. " (r.definitions) "."
            }
            table {
                thead { tr { th { "Brand" } th.num { "NPS (points)" } th.num { "CSAT (top-2-box)" } th { "Weekly NPS" } } }
                tbody {
                    @for b in &r.brands {
                        tr {
                            td { (b.name) @if b.own { " " span.badge.given { "own" } } }
                            td.num { (kpi_cell(b.overall.nps.as_ref(), "", r.min_ratings)) }
                            td.num { (kpi_cell(b.overall.csat.as_ref(), "%", r.min_ratings)) }
                            td {
                                @let points: Vec<(String, Option<f64>)> = b.periods.iter().map(|p| {
                                    let k = p.overall.nps.filter(|k| !k.thin);
                                    (format!("week of {}: NPS{}", p.start, p.overall.nps.map_or(String::new(), |k| format!(" n {}{}", k.n, if k.thin { ", too little evidence" } else { "" }))), k.map(|k| k.value))
                                }).collect();
                                @if points.iter().any(|(_, v)| v.is_some()) {
                                    (charts::sparkline(&format!("{}: weekly NPS", b.name), &points))
                                } @else {
                                    span.muted { "too few ratings per week" }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(o) = own.filter(|o| !o.stages.is_empty()) {
                table {
                    thead { tr { th { "Stage (" (o.name) ", survey stage ratings)" } th.num { "NPS (points)" } th.num { "CSAT (top-2-box)" } } }
                    tbody {
                        @for s in &o.stages {
                            tr {
                                td { (stage_name(model, &s.stage)) }
                                td.num { (kpi_cell(s.kpis.nps.as_ref(), "", r.min_ratings)) }
                                td.num { (kpi_cell(s.kpis.csat.as_ref(), "%", r.min_ratings)) }
                            }
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
                            display::score(t.tes)
                        } else {
                            "–".into()
                        },
                        t.n,
                        signed(t.net_sentiment),
                        t.complaints
                    ),
                    href: interactive.then(|| {
                        explore_href(
                            Some(&j.brand),
                            None,
                            Some(&t.touchpoint),
                            range,
                            Page::Journey,
                        )
                    }),
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
        (covers_line(&v.covers))
        @if interactive { (brand_form("/journey", &v.brands, &j.brand, &range.from, &range.to)) }
        (charts::score_legend())
        @if interactive { p.muted { "Click a tile or a touchpoint for the signals behind it." } }
        (charts::journey_heatmap(&format!("Journey map of {}", j.name), &columns))
        @if interactive { div.actions { (export_link(&scores_csv_href("touchpoint", Some(&j.brand), range), "Touchpoint scores (CSV)")) } }
        table {
            thead { tr { th { "Stage" } th { "Touchpoint" } th { "Department" } th.num { "TES" } th.num { "Signals" } th.num { "Net Sentiment" } th.num { "Complaints" } } }
            tbody {
                @for s in &j.stages {
                    @for t in &s.touchpoints {
                        tr {
                            td { (s.name) }
                            td { @if interactive { a href=(explore_href(Some(&j.brand), None, Some(&t.touchpoint), range, Page::Journey)) { (t.name) } } @else { (t.name) } }
                            td { (model.department(&t.department).map_or(t.department.as_str(), |d| d.name.as_str())) }
                            td.num { @if t.n > 0 { (display::score(t.tes)) } @else { "–" } }
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
                                @else if x.source == Source::Configured { span.muted title="a configured weight is set in tce.toml, not estimated" { "set in the model" } }
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

/// A stage's channels, largest weight first.
fn by_weight(
    v: &tce_insight::vertical::StageChannels,
) -> Vec<(&String, &tce_insight::vertical::ChannelWeight)> {
    let mut chans: Vec<_> = v.channels.iter().collect();
    chans.sort_by(|a, b| b.1.weight.total_cmp(&a.1.weight));
    chans
}

/// Vertical weights per stage with what each measures: derived (explained
/// share of the stage's outcome, with intervals when resampled) or the
/// evidence share.
fn vertical_table(model: &Model, w: &Weights) -> Markup {
    use tce_insight::vertical::VerticalSource;
    html! {
        h2 { "Vertical weights: what each channel's experience explains" }
        p.sub {
            "Where a stage has enough brand-weeks with evidence on two or more channels, the weight is the channel's "
            "explained share of the stage's outcome (survey stage rating, else the stage score; brand means removed; "
            "key drivers as for the stage weights). Otherwise it is the reach-weighted share of evidence, labelled so."
        }
        table {
            thead { tr { th { "Stage" } th { "Source" } th { "Channels (weight, 95% interval, evidence share)" } th { "Basis" } } }
            tbody {
                @for s in &model.stages {
                    @if let Some(v) = w.vertical_weights.get(&s.id) {
                        tr {
                            td { (s.name) }
                            td {
                                @match v.source {
                                    VerticalSource::Derived => { span.badge.derived title=(v.measures) { "derived" } }
                                    VerticalSource::EvidenceShare => { span.badge.configured title=(v.measures) { "evidence share" } }
                                }
                            }
                            td {
                                @for (i, (c, x)) in by_weight(v).into_iter().take(6).enumerate() {
                                    @if i > 0 { "; " }
                                    (channel_name(model, c)) " " (pct(x.weight))
                                    @if let Some(ci) = x.ci { span.muted { " [" (pct(ci[0])) " – " (pct(ci[1])) "]" } }
                                    @if v.source == VerticalSource::Derived { span.muted { " (evidence " (pct(x.evidence_share)) ")" } }
                                }
                            }
                            td.muted { (v.measures) ": " (v.note) }
                        }
                    }
                }
            }
        }
    }
}

/// Channel influence: stage × channel matrix, with the stage weights.
pub fn channels(model: &Model, v: &ChannelsView, range: &Range, interactive: bool) -> Markup {
    let w: &Weights = &v.weights;
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
        p.sub { "Influence = each channel's reach-weighted share of a stage's evidence (signals of unknown brand excluded; rows sum to 100%). Stage weights " (badge(w.source())) " below." }
        (covers_line(&v.covers))
        @if interactive {
            form.filters method="get" action="/channels" {
                label { "From" input type="date" name="from" value=(range.from); }
                label { "To" input type="date" name="to" value=(range.to); }
                button.primary type="submit" { "Show" }
            }
        }
        (charts::share_matrix("Channel influence per stage", &rows, &cols, value, tip))
        (vertical_table(model, w))
        @if interactive { div.actions { (export_link(&scores_csv_href("channel", None, range), "Channel scores (CSV)")) } }
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
            name: format!("{} (n {})", x.name, thousands(x.n)),
            values: b
                .stages
                .iter()
                .map(|s| x.stages.get(s).copied().flatten())
                .collect(),
        })
        .collect();
    html! {
        h1 { (Page::Benchmark.title()) }
        p.sub { "Stage scores (0–100) of every brand side by side; the TCE index uses stage weights " (badge(v.source)) ". Scores marked * have fewer than " (b.min_signals) " signals: greyed, and never part of a gap. Net advocacy: share of advocates minus share of detractors among authors with at least " (tce_insight::advocacy::NET_MIN_SIGNALS) " signals in a month on social channels, over the months of the range, with its 95% interval and n author-months; marked * with fewer than " (tce_insight::advocacy::NET_MIN_ELIGIBLE) "." }
        (covers_line(&v.covers))
        @if interactive {
            form.filters method="get" action="/benchmark" {
                label { "From" input type="date" name="from" value=(range.from); }
                label { "To" input type="date" name="to" value=(range.to); }
                button.primary type="submit" { "Show" }
            }
        }
        (charts::grouped_bars("Stage scores per brand", &groups, &series))
        @if interactive { div.actions { (export_link(&scores_csv_href("stage", None, range), "Stage scores (CSV)")) } }
        table {
            thead { tr {
                th { "Brand" } th.num { "TCE index" } th.num { "Net advocacy" } th.num { "Signals" }
                @for g in &groups { th.num { (g) } }
            } }
            tbody {
                @for x in &b.brands {
                    tr {
                        td { (explore_link(interactive, &x.name, Some(&x.brand), None, range, Page::Benchmark)) @if x.own { " " span.badge.given { "own" } } }
                        td.num { strong { (fmt1(x.tce_index)) } }
                        td.num { (net_cell(v.net.iter().find(|n| n.brand == x.brand))) }
                        td.num { (x.n) }
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
                    td { em { "own − best competitor" } } td {} td {} td {}
                    @for s in &b.stages { td.num { (signed(b.own_gap_to_best.get(s).copied().flatten())) } }
                }
            }
        }
        (voice_block(model, &v.voice))
    }
}

/// A brand's net advocacy beside its TCE index: the value with its 95%
/// interval and the author-months behind it; greyed when they are too few
/// ([`tce_insight::advocacy::NET_MIN_ELIGIBLE`]), a dash when none.
pub fn net_cell(n: Option<&tce_insight::advocacy::NetAdvocacyView>) -> Markup {
    let min = tce_insight::advocacy::NET_MIN_ELIGIBLE;
    html! {
        @if let Some(n) = n {
            @if n.thin() {
                span.thin title=(format!("too little evidence: {} author-months (fewer than {min})", n.eligible)) {
                    (format!("{:+.1}", n.value)) "*" span.muted { " · n " (n.eligible) }
                }
            } @else {
                (format!("{:+.1}", n.value))
                span.muted { (format!(" [{:+.1}, {:+.1}]", n.low, n.high)) " · n " (n.eligible) }
            }
        } @else {
            span.muted title="no author with enough signals in a month on social channels" { "—" }
        }
    }
}

/// Share of voice: each brand's share of the public posts about tracked
/// brands, per social channel, with the own brand's weekly trend.
pub fn voice_block(model: &Model, v: &tce_insight::voice::VoiceReport) -> Markup {
    let brands: Vec<&tce_model::Brand> = model
        .brands
        .iter()
        .filter(|b| b.own)
        .chain(model.brands.iter().filter(|b| !b.own))
        .collect();
    let own = brands.first().filter(|b| b.own);
    html! {
        h2 { "Share of voice" }
        @if v.channels.is_empty() {
            p.muted { "No public posts about tracked brands in this range." }
        } @else {
            p.sub {
                "Each brand's share of the posts on social channels about the tracked brands"
                @if let (Some(f), Some(t)) = (v.from, v.to) { (format!(", {f} to {t}")) }
                "; posts of unknown brand count nowhere. 95% Wilson interval in brackets; fewer than "
                (v.min_posts) " posts is too little evidence to rank."
            }
            table {
                thead { tr {
                    th { "Channel" } th.num { "Posts" }
                    @for b in &brands { th.num { (b.name) } }
                    @if let Some(o) = own { th { (o.name) ": weekly share" } }
                } }
                tbody {
                    @for c in &v.channels {
                        tr {
                            td { @if c.channel.is_empty() { strong { "All social channels" } } @else { (channel_name(model, &c.channel)) } }
                            td.num { (c.total) }
                            @for b in &brands {
                                td.num {
                                    @if let Some(x) = c.brands.iter().find(|x| x.brand == b.id) {
                                        @if c.thin {
                                            span.muted title="too little evidence" { (pct(x.share)) " · n " (x.n) }
                                        } @else {
                                            (pct(x.share)) span.muted { " [" (pct(x.ci[0])) ", " (pct(x.ci[1])) "] · n " (x.n) }
                                        }
                                    }
                                }
                            }
                            @if let Some(o) = own {
                                td {
                                    @let points: Vec<(String, Option<f64>)> = c.periods.iter().map(|p| (
                                        format!("week of {} ({} posts{})", p.start, p.total, if p.thin { ", too little evidence" } else { "" }),
                                        (!p.thin).then(|| 100.0 * p.shares.get(&o.id).copied().unwrap_or(0.0)),
                                    )).collect();
                                    @if points.iter().any(|(_, v)| v.is_some()) {
                                        (charts::sparkline(&format!("{}: weekly share of voice (%)", o.name), &points))
                                    } @else {
                                        span.muted { "too little evidence per week" }
                                    }
                                }
                            }
                        }
                    }
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
                href: interactive.then(|| {
                    explore_href(
                        Some(&card.brand),
                        None,
                        Some(&p.touchpoint),
                        range,
                        Page::Quadrant,
                    )
                }),
            }
        })
        .collect();
    html! {
        h1 { (Page::Quadrant.title()) " — " (card.name) }
        p.sub { "Importance = stage weight " (badge(v.source)) " × the touchpoint's share of its stage's importance; performance = TES. Lines at the means of the ranked touchpoints. Quadrants of standard IPA: fix first, keep up, low priority, possible overkill. A touchpoint " (v.far_below_points) " points or more below the brand's mean experience is flagged whatever its importance; one with fewer than " (v.min_touchpoint_signals) " signals is greyed and not ranked." }
        (covers_line(&v.covers))
        @if interactive { (brand_form("/quadrant", &v.brands, &card.brand, &range.from, &range.to)) }
        (charts::quadrant(&format!("Importance–performance matrix of {}", card.name), &points, mean_x, mean_y))
        @if interactive { div.actions { span.muted { "Click a point or a touchpoint for the signals behind it." } (export_link(&scores_csv_href("touchpoint", Some(&card.brand), range), "Touchpoint scores (CSV)")) } }
        table {
            thead { tr { th.num { "Rank" } th { "Touchpoint" } th { "Stage" } th.num { "Importance" } th.num { "TES" } th.num { "Signals" } th.num { "Complaints" } th { "Quadrant" } th.num { "Fix priority" } } }
            tbody {
                @for p in &card.ipa {
                    @if p.quadrant == Quadrant::TooLittleEvidence {
                        tr.thin title=(format!("too little evidence: {} signals (fewer than {})", p.n, v.min_touchpoint_signals)) {
                            td.num { "–" } td { (explore_link(interactive, &touchpoint_name(model, &p.touchpoint), Some(&card.brand), Some(&p.touchpoint), range, Page::Quadrant)) } td { (stage_name(model, &p.stage)) }
                            td.num { (pct(p.importance)) } td.num { (display::score(p.performance)) } td.num { (p.n) }
                            td.num { (p.complaint_share.map(display::percent).unwrap_or_default()) }
                            td { "too little evidence" } td.num { "–" }
                        }
                    } @else {
                        tr {
                            td.num { (p.rank.map(|r| r.to_string()).unwrap_or_default()) }
                            td { (explore_link(interactive, &touchpoint_name(model, &p.touchpoint), Some(&card.brand), Some(&p.touchpoint), range, Page::Quadrant)) } td { (stage_name(model, &p.stage)) }
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
                @if let Some(c) = &r.covers { (covers_line(&Some(*c))) }
                @if csrf.is_some() { div.actions { (export_link(&allocation_csv_href(form), "This plan (CSV)")) } }
                (alloc_assumptions(r))
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
                                td { (channel_name(model, &l.channel)) (capped_badge(r, &l.channel)) } td { (stage_name(model, &l.stage)) }
                                td.num { (money(l.amount, &r.currency)) } td.num { (format!("{:+.3}", l.expected_gain)) }
                                td { (l.reason) }
                            }
                        }
                    }
                }
                (thin_cells(model, r))
                h2 { "Stages" }
                p.sub { "Weight used = " (r.weights_basis) "." }
                table {
                    thead { tr { th { "Stage" } th.num { "Weight used" } th.num { "Stage weight" } th.num { "Objective emphasis" } th { "Source of the stage weight" } th.num { "Own score" } th.num { "Best competitor" } th.num { "Gap used" } } }
                    tbody {
                        @for s in &model.stages {
                            @if let Some(x) = r.stages.get(&s.id) {
                                tr {
                                    td { (s.name) } td.num { (pct(x.weight)) }
                                    td.num { @match x.base_weight { Some(b) => { (pct(b)) } None => { "–" } } }
                                    td.num { (format!("×{}", x.emphasis)) }
                                    td { span class=(format!("badge {}", x.source)) { (x.source.replace('_', " ")) } }
                                    td.num { (fmt1(x.own_score)) } td.num { (fmt1(x.best_competitor)) } td.num { (display::score(x.gap)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the allocation assumes and what its units are.
fn alloc_assumptions(r: &AllocReport) -> Markup {
    html! {
        p.sub {
            strong { "Assumed response curve" } " (a model setting, [allocation] saturation, not measured from data): "
            "spending x on a cell yields potential × (1 − e^(−x / " (money(r.response.saturation, &r.currency)) ")). "
            "A cell's potential = stage weight × channel influence × gap, where channel influence is the channel's "
            "reach-weighted share of the stage's evidence among social channels (signals of unknown brand excluded). "
            "The budget goes out in steps of " (money(r.unit, &r.currency)) "; the marginal gain in a line's reason "
            "is the TCE index points one more step of " (money(r.unit, &r.currency)) " there would add."
            @if !r.capped.is_empty() { " Channels marked capped have reached their maximum." }
        }
    }
}

/// "capped" beside a channel at its maximum.
fn capped_badge(r: &AllocReport, channel: &str) -> Markup {
    html! {
        @if r.capped.iter().any(|c| c == channel) {
            " " span.badge.default title="this channel is at its maximum: it would take more" { "capped" }
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
pub fn finance(
    model: &Model,
    r: &FinanceReport,
    what_if: f64,
    range: &Range,
    interactive: bool,
) -> Markup {
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
        @if interactive { div.actions { (export_link(&finance_csv_href("elasticities", range, what_if), "Elasticities (CSV)")) } }
        p { "Rule of thumb: +5 CSAT points → " strong { (format!("{:+.2}%", r.rule_of_thumb_sales_pct_per_5pt)) } " sales" (default_label(defaults, "sales_pct_per_5pt_csat")) "." }
        h2 { "Revenue at risk" }
        (revenue_at_risk(model, r))
        @if interactive { div.actions { (export_link(&finance_csv_href("revenue-at-risk", range, what_if), "Revenue at risk per week (CSV)")) } }
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
    signals_explorer(model, p, Ok(page), scope, interactive, None)
}

/// The signals explorer's filters as query pairs (without the cursor).
fn signal_pairs(p: &SignalParams) -> Vec<(&'static str, String)> {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    [
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
    ]
    .into_iter()
    .filter(|(_, x)| !x.trim().is_empty())
    .collect()
}

/// The signals explorer on the dashboard: the active filter as a sentence
/// with a way back to the page a drill-down came from (`back`) and a way to
/// clear it, the form re-filled, then the signals — or, when the filter is
/// invalid (`page` is `Err`), the message in the words of the form.
pub fn signals_explorer(
    model: &Model,
    p: &SignalParams,
    page: Result<&SignalPage, &str>,
    scope: Option<&BTreeSet<String>>,
    interactive: bool,
    back: Option<Page>,
) -> Markup {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let range = Range {
        from: v(&p.from),
        to: v(&p.to),
    };
    let back_href = back.map(|b| {
        let brand = p
            .brand
            .as_deref()
            .filter(|b| !b.is_empty() && *b != tce_store::UNKNOWN_BRAND);
        let brand = if matches!(b, Page::Journey | Page::Quadrant) {
            brand
        } else {
            None
        };
        (b, page_href(b, brand, &range))
    });
    let sentence = filter_sentence(model, p);
    let mut with_back = signal_pairs(p);
    if let Some(b) = back {
        with_back.push(("back", b.slug().to_string()));
    }
    let csv = href("/export/signals.csv", &signal_pairs(p));
    let next = page.ok().and_then(|pg| pg.next_cursor.as_ref()).map(|c| {
        let mut pairs = signal_pairs(p);
        pairs.push(("limit", v(&p.limit)));
        pairs.push(("cursor", c.clone()));
        if let Some(b) = back {
            pairs.push(("back", b.slug().to_string()));
        }
        href("/signals", &pairs)
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
        @if let Some(sentence) = &sentence {
            p.filter {
                strong { (sentence) "." }
                @if interactive {
                    @if let Some((b, href)) = &back_href { a href=(href) { "← Back to " (b.title()) } }
                    a href=(Page::Signals.path()) { "Clear filter" }
                }
            }
        }
        @if interactive {
            form.filters method="get" action="/signals" {
                @if let Some(b) = back { input type="hidden" name="back" value=(b.slug()); }
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
        @match page {
        Err(message) => { p.error { (message) } }
        Ok(page) => {
        @if interactive && !page.items.is_empty() { div.actions { (export_link(&csv, "These signals (CSV)")) } }
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
            @if let Some(href) = &next { p.pager { a href=(href) { "Next page →" } } }
        }
        }
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
        assert_eq!(thousands(4834), "4,834");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
