//! The self-contained HTML report (`tce report`) and the CSV exports
//! (`tce export`). The report renders the dashboard's pages with the same
//! renderers, without forms or links out: one file with inline CSS and SVG
//! that opens offline.

use crate::error::ApiError;
use crate::insights::{signal_page, Insights};
use crate::pages::{self, AllocForm, Page, Range};
use crate::params::SignalParams;
use crate::views;
use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::io::Write;
use tce_insight::scores::{Filter, ScoreQuery};
use tce_model::Model;
use tce_store::{SignalQuery, Store};

/// Why a report or export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The request does not fit the model (unknown brand, bad range).
    #[error("{0}")]
    Invalid(String),
    /// Computing a view failed.
    #[error("{0}")]
    Failed(String),
    /// Writing failed.
    #[error("writing: {0}")]
    Io(#[from] std::io::Error),
    /// Writing CSV failed.
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
}

impl From<ApiError> for ReportError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::InvalidParameter(m) | ApiError::Unprocessable(m) => ReportError::Invalid(m),
            ApiError::Internal(m) => ReportError::Failed(m),
            other => ReportError::Failed(other.to_string()),
        }
    }
}

/// What the report covers.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Brand of the one-brand views (journey, quadrant, signals); default the own brand.
    pub brand: Option<String>,
    /// First day.
    pub from: Option<NaiveDate>,
    /// Last day.
    pub to: Option<NaiveDate>,
    /// Budget of the example allocation.
    pub budget: f64,
    /// Newest signals listed.
    pub signals: usize,
    /// Line under the title (e.g. when and from what it was made).
    pub subtitle: String,
    /// The instant the care backlog and breaches are counted at.
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            brand: None,
            from: None,
            to: None,
            budget: 100_000.0,
            signals: 100,
            subtitle: String::new(),
            now: chrono::Utc::now(),
        }
    }
}

/// Renders the report.
pub fn report(
    model: &Model,
    store: &dyn Store,
    opts: &ReportOptions,
) -> Result<String, ReportError> {
    let brand = match &opts.brand {
        Some(b) => Some(
            model
                .resolve_brand(b)
                .ok_or_else(|| {
                    ReportError::Invalid(format!(
                        "brand {b:?} is not a brand of the model (brands: {})",
                        model
                            .brands
                            .iter()
                            .map(|b| b.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?
                .to_string(),
        ),
        None => None,
    };
    if let (Some(f), Some(t)) = (opts.from, opts.to) {
        if f > t {
            return Err(ReportError::Invalid(format!("from {f} is after to {t}")));
        }
    }
    let ins = Insights::new(model, store);
    let all = Filter {
        from: opts.from,
        to: opts.to,
        brand: None,
        channel: None,
    };
    let one = Filter {
        brand: brand.clone(),
        ..all.clone()
    };
    let range = Range {
        from: opts.from.map(|d| d.to_string()).unwrap_or_default(),
        to: opts.to.map(|d| d.to_string()).unwrap_or_default(),
    };
    let mut sections = vec![
        (
            Page::Overview,
            pages::overview(model, &views::overview(&ins, &all)?, &range, false),
        ),
        (
            Page::Journey,
            pages::journey(model, &views::journey(&ins, &one, None)?, &range, false),
        ),
        (
            Page::Channels,
            pages::channels(model, &views::channels(&ins, &all)?, &range, false),
        ),
        (
            Page::Benchmark,
            pages::benchmark(model, &views::benchmark_view(&ins, &all)?, &range, false),
        ),
        (
            Page::Quadrant,
            pages::quadrant(model, &views::quadrant(&ins, &one)?, &range, false),
        ),
    ];
    let form = AllocForm {
        budget: format!("{}", opts.budget),
        ..AllocForm::default()
    };
    let result = match crate::web::alloc_request(&form) {
        Err(m) => Err(m),
        Ok(req) => match views::allocation(&ins, &all, &req) {
            Ok(r) => Ok(r),
            Err(ApiError::Unprocessable(m)) => Err(m),
            Err(e) => return Err(e.into()),
        },
    };
    sections.push((
        Page::Allocation,
        pages::allocation(model, &form, None, &result),
    ));
    sections.push((
        Page::Finance,
        pages::finance(
            model,
            &*views::finance(&ins, &all, 5.0)?,
            5.0,
            &range,
            false,
        ),
    ));
    let care = tce_insight::care::stats(
        store,
        model,
        &tce_insight::care::CareStatsRequest {
            from: opts.from,
            to: opts.to,
            ..Default::default()
        },
        opts.now,
    )
    .map_err(ApiError::from)?;
    sections.push((Page::Care, crate::care_pages::report_section(model, &care)));
    sections.push((Page::Maturity, crate::maturity::report_section(store)?));
    let params = SignalParams {
        brand: brand.clone(),
        from: opts.from.map(|d| d.to_string()),
        to: opts.to.map(|d| d.to_string()),
        limit: Some(opts.signals.clamp(1, crate::params::MAX_PAGE).to_string()),
        ..SignalParams::default()
    };
    let query = params.query(model)?;
    let page = signal_page(store, query, None, None)?;
    sections.push((
        Page::Signals,
        pages::signals(model, &params, &page, None, false),
    ));
    Ok(pages::report_document(model, &opts.subtitle, &sections).into_string())
}

/// Spreadsheet programs run cells that start with these as formulas; such
/// text cells get a leading `'` (OWASP's advice for CSV injection).
fn defuse(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Writes every signal matching `query` as CSV, newest first; returns the
/// number of rows.
pub fn export_signals(
    store: &dyn Store,
    query: SignalQuery,
    out: impl Write,
) -> Result<u64, ReportError> {
    export_signals_in(store, query, None, out)
}

/// [`export_signals`] limited to signals about the touchpoints of `scope`
/// (a department agent's), when given.
pub fn export_signals_in(
    store: &dyn Store,
    mut query: SignalQuery,
    scope: Option<&BTreeSet<String>>,
    out: impl Write,
) -> Result<u64, ReportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id",
        "created_at",
        "channel",
        "external_id",
        "brand",
        "author",
        "author_followers",
        "text",
        "rating",
        "rating_scale",
        "sentiment",
        "sentiment_label",
        "experience_value",
        "priority",
        "intents",
        "touchpoints",
        "stages",
        "url",
        "lang",
        "in_reply_to",
    ])?;
    query.limit = SignalQuery::MAX_LIMIT;
    query.cursor = None;
    let mut n = 0u64;
    loop {
        let page = store.signals(&query).map_err(ApiError::from)?;
        for s in &page.items {
            let (sig, e) = (&s.signal.signal, &s.signal.enrichment);
            if let Some(scope) = scope {
                if !e.touchpoints.iter().any(|t| scope.contains(&t.touchpoint)) {
                    continue;
                }
            }
            let opt = |o: &Option<String>| o.as_deref().map(defuse).unwrap_or_default();
            let mut stages: Vec<&str> = e.touchpoints.iter().map(|t| t.stage.as_str()).collect();
            stages.dedup();
            w.write_record([
                s.id.to_string(),
                sig.created_at.to_rfc3339(),
                sig.channel.clone(),
                defuse(&sig.external_id),
                e.brand.clone().unwrap_or_default(),
                opt(&sig.author),
                sig.author_followers
                    .map(|f| f.to_string())
                    .unwrap_or_default(),
                defuse(&sig.text),
                sig.rating.map(|r| r.value.to_string()).unwrap_or_default(),
                sig.rating
                    .map(|r| r.scale.as_str().to_string())
                    .unwrap_or_default(),
                format!("{:.4}", e.sentiment),
                e.sentiment_label.as_str().to_string(),
                format!("{:.4}", e.experience_value),
                format!("{:.1}", e.priority),
                e.intents
                    .iter()
                    .map(|i| format!("{}:{:.2}", i.intent.as_str(), i.confidence))
                    .collect::<Vec<_>>()
                    .join(";"),
                e.touchpoints
                    .iter()
                    .map(|t| format!("{}:{:.2}", t.touchpoint, t.confidence))
                    .collect::<Vec<_>>()
                    .join(";"),
                stages.join(";"),
                opt(&sig.url),
                sig.lang.clone().unwrap_or_default(),
                opt(&sig.in_reply_to),
            ])?;
            n += 1;
        }
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    w.flush()?;
    Ok(n)
}

/// Writes a score table as CSV (the rows of `GET /scores`); returns the
/// number of rows.
pub fn export_scores(
    model: &Model,
    store: &dyn Store,
    q: &ScoreQuery,
    out: impl Write,
) -> Result<u64, ReportError> {
    export_scores_in(&Insights::new(model, store), q, None, out)
}

/// [`export_scores`] through the server's [`Insights`] (its cache), limited
/// to the touchpoint rows of `scope` (a department agent's) when given.
pub fn export_scores_in(
    ins: &Insights<'_>,
    q: &ScoreQuery,
    scope: Option<&BTreeSet<String>>,
    out: impl Write,
) -> Result<u64, ReportError> {
    let report = ins.score(q)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "brand",
        "period",
        "stage",
        "touchpoint",
        "channel",
        "n",
        "net_sentiment",
        "score",
        "change",
        "score_is",
        "weights_source",
        "change_p_value",
        "change_significant",
        "partial",
    ])?;
    let source = report.weights_source.map_or("", |s| s.label());
    let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let mut rows = 0u64;
    for r in &report.rows {
        if let Some(scope) = scope {
            if !r.touchpoint.as_ref().is_some_and(|t| scope.contains(t)) {
                continue;
            }
        }
        rows += 1;
        w.write_record([
            r.brand.clone(),
            r.period.map(|p| p.to_string()).unwrap_or_default(),
            r.stage.clone().unwrap_or_default(),
            r.touchpoint.clone().unwrap_or_default(),
            r.channel.clone().unwrap_or_default(),
            r.n.to_string(),
            num(r.net_sentiment),
            num(r.score),
            num(r.change),
            report.score_is.to_string(),
            source.to_string(),
            num(r.change_p_value),
            r.change_significant
                .map(|b| b.to_string())
                .unwrap_or_default(),
            r.partial.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("@me"), "'@me");
        assert_eq!(defuse("fine"), "fine");
    }
}

/// The tables of the Finance page, for CSV export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinanceTable {
    /// One row per outcome: elasticity, interval, fit, what-if.
    Elasticities,
    /// One row per week: the revenue-at-risk breakdown.
    RevenueAtRisk,
}

impl std::str::FromStr for FinanceTable {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "elasticities" => Ok(FinanceTable::Elasticities),
            "revenue-at-risk" => Ok(FinanceTable::RevenueAtRisk),
            other => Err(format!(
                "{other:?} is not a finance table: use elasticities or revenue-at-risk"
            )),
        }
    }
}

/// Writes a table of the finance view (what `GET /finance` and the Finance
/// page show) as CSV; returns the number of rows.
pub fn export_finance(
    model: &Model,
    store: &dyn Store,
    filter: &Filter,
    what_if: f64,
    table: FinanceTable,
    out: impl Write,
) -> Result<u64, ReportError> {
    export_finance_in(&Insights::new(model, store), filter, what_if, table, out)
}

/// [`export_finance`] through the server's [`Insights`] (its cache).
pub fn export_finance_in(
    ins: &Insights<'_>,
    filter: &Filter,
    what_if: f64,
    table: FinanceTable,
    out: impl Write,
) -> Result<u64, ReportError> {
    let r = ins.finance(filter, what_if)?;
    let mut w = csv::Writer::from_writer(out);
    let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let mut rows = 0u64;
    match table {
        FinanceTable::Elasticities => {
            w.write_record([
                "outcome",
                "driver",
                "beta_per_point",
                "ci_low",
                "ci_high",
                "r2_within",
                "n",
                "brands",
                "what_if_points",
                "what_if_pct",
                "what_if_ci_low",
                "what_if_ci_high",
                "note",
            ])?;
            for f in &r.fits {
                let e = f.elasticity.as_ref();
                let wi = f.what_if.as_ref();
                w.write_record([
                    f.outcome.clone(),
                    r.driver.clone(),
                    num(e.map(|e| e.beta)),
                    num(e.map(|e| e.ci[0])),
                    num(e.map(|e| e.ci[1])),
                    num(e.map(|e| e.r2_within)),
                    e.map(|e| e.n.to_string()).unwrap_or_default(),
                    e.map(|e| e.brands.to_string()).unwrap_or_default(),
                    num(wi.map(|w| w.delta)),
                    num(wi.map(|w| w.pct)),
                    num(wi.map(|w| w.ci[0])),
                    num(wi.map(|w| w.ci[1])),
                    f.note.clone().unwrap_or_default(),
                ])?;
                rows += 1;
            }
        }
        FinanceTable::RevenueAtRisk => {
            let a = &r.at_risk;
            // Weekly customers lost after each week's cap, as the page's
            // "Per week" table; the range's total may be capped further by
            // the customer base (the page and `--json` say so).
            w.write_record([
                "week",
                "partial",
                "negative_public_posts",
                "negative_reach",
                "customers",
                "customers_lost",
                "capped_by_customers",
            ])?;
            for wk in &a.weeks {
                w.write_record([
                    wk.week.to_string(),
                    wk.partial.to_string(),
                    wk.negative_posts.to_string(),
                    wk.negative_reach.to_string(),
                    num(wk.customers),
                    wk.customers_lost.to_string(),
                    wk.capped.to_string(),
                ])?;
                rows += 1;
            }
        }
    }
    w.flush()?;
    Ok(rows)
}

/// Writes an allocation plan's lines as CSV (what the Allocation planner
/// shows and `tce allocate --csv` writes); returns the number of rows.
pub fn export_allocation(
    report: &tce_insight::alloc::AllocReport,
    out: impl Write,
) -> Result<u64, ReportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "channel",
        "stage",
        "amount",
        "currency",
        "expected_gain_points",
        "capped",
        "objective",
        "reason",
    ])?;
    for l in &report.lines {
        w.write_record([
            l.channel.clone(),
            l.stage.clone(),
            l.amount.to_string(),
            report.currency.clone(),
            l.expected_gain.to_string(),
            report.capped.contains(&l.channel).to_string(),
            report.objective.clone(),
            l.reason.clone(),
        ])?;
    }
    w.flush()?;
    Ok(report.lines.len() as u64)
}
