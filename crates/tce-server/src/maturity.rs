//! The maturity assessment on the server (issue 14): `GET/POST
//! /api/v1/assessments`, the dashboard's Maturity page (a form per
//! instrument, the levels per area with their evidence, the roadmap, the
//! history) and the report's maturity section. The assessment is
//! `tce-maturity`'s, its evidence and keeping `tce-insight`'s, so the CLI,
//! the API and the page agree.

use crate::auth::{Access, ApiCaller};
use crate::charts::{self, Bar};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::pages::Page;
use crate::state::AppState;
use crate::web::{frame, signed_in, PageError, WebForm, WebSession};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{NaiveDate, Utc};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;
use tce_insight::maturity::{self, Kept};
use tce_maturity::{trend, Answers, Assessment, Catalog, EvidenceStatus};
use tce_store::Store;
use utoipa::{IntoParams, ToSchema};

/// The shipped instruments (they are compiled in, so this only fails on a
/// broken build).
fn catalog() -> Result<Catalog, ApiError> {
    Catalog::builtin().map_err(|e| ApiError::internal("maturity instruments", e))
}

/// A kept assessment as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentDto {
    /// The store's id.
    pub id: i64,
    /// The day it was made.
    pub date: String,
    /// When it was kept (RFC 3339).
    pub created_at: String,
    /// Per instrument: `id`, `name`, `source`, `levels`, `overall`,
    /// `score` and `areas[]` (`id`, `name`, `level`, `score`, `next`,
    /// `answers`, `evidence[]`, `contradictions[]`, `gaps[]`).
    #[schema(value_type = Vec<Object>)]
    pub instruments: serde_json::Value,
    /// Ordered steps: `step`, `phase`, `instrument`, `area`, `action`,
    /// `level`, `next`, `contradicted`, `capability`, `metric`, `current`,
    /// `target` (with `current_text`, `target_text`).
    #[schema(value_type = Vec<Object>)]
    pub roadmap: serde_json::Value,
    /// The answers file it was made from.
    pub answers: String,
}

impl AssessmentDto {
    fn of(k: &Kept) -> AssessmentDto {
        AssessmentDto {
            id: k.id,
            date: k.assessment.date.to_string(),
            created_at: k.created_at.to_rfc3339(),
            instruments: serde_json::to_value(&k.assessment.instruments).unwrap_or_default(),
            roadmap: serde_json::to_value(&k.assessment.roadmap).unwrap_or_default(),
            answers: k.answers.clone(),
        }
    }
}

/// Kept assessments, oldest first, and each area's trend across them.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentListDto {
    /// The assessments (only the latest with `latest=true`).
    pub items: Vec<AssessmentDto>,
    /// Per area: `instrument`, `area`, `name`, `points[]` (`date`,
    /// `level`, `score`, `contradictions`).
    #[schema(value_type = Vec<Object>)]
    pub trend: serde_json::Value,
}

/// Parameters of `GET /assessments`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentParams {
    /// `true`: only the newest assessment.
    pub latest: Option<String>,
}

/// The body of `POST /assessments`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssessRequestDto {
    /// An answers file (TOML, as `tce assess template` writes it): every
    /// item of each instrument answered, `[instrument.item] answer = "…"`.
    pub answers: String,
    /// The day of the assessment, YYYY-MM-DD (default: today, UTC).
    pub date: Option<String>,
}

/// Lists the kept maturity assessments, oldest first, with each area's
/// trend; `latest=true` gives only the newest.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "analysis", params(AssessmentParams),
    responses((status = 200, body = AssessmentListDto),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_assessments(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(p): ApiQuery<AssessmentParams>,
) -> Result<Json<AssessmentListDto>, ApiError> {
    caller.require(Access::Analysis)?;
    let latest = match p.latest.as_deref().map(str::trim) {
        None | Some("") | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::InvalidParameter(format!(
                "latest {other:?}: use true or false"
            )))
        }
    };
    let kept = state.db().read(|s| Ok(maturity::kept(s)?)).await?;
    let all: Vec<Assessment> = kept.iter().map(|k| k.assessment.clone()).collect();
    let items = if latest {
        kept.last().map(AssessmentDto::of).into_iter().collect()
    } else {
        kept.iter().map(AssessmentDto::of).collect()
    };
    Ok(Json(AssessmentListDto {
        items,
        trend: serde_json::to_value(trend(&all)).unwrap_or_default(),
    }))
}

/// Assesses an answers file against the workspace's measured evidence and
/// keeps the result: levels per area with evidence and contradictions, and
/// the roadmap in the seeds' order.
#[utoipa::path(post, path = "/api/v1/assessments", tag = "analysis",
    request_body = AssessRequestDto,
    responses((status = 200, body = AssessmentDto),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "The answers file is refused (`file:line: field: message` per problem)", body = ErrorBody)))]
pub async fn post_assessment(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(req): ApiJson<AssessRequestDto>,
) -> Result<Json<AssessmentDto>, ApiError> {
    caller.require(Access::Analysis)?;
    let today = match req.date.as_deref().map(str::trim) {
        None | Some("") => Utc::now().date_naive(),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| ApiError::InvalidParameter(format!("date {d:?}: expected YYYY-MM-DD")))?,
    };
    let catalog = catalog()?;
    let answers = Answers::parse(&req.answers, Path::new("answers"), &catalog)
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let kept = keep(&state, catalog, answers, today).await?;
    Ok(Json(AssessmentDto::of(&kept)))
}

async fn keep(
    state: &AppState,
    catalog: Catalog,
    answers: Answers,
    today: NaiveDate,
) -> Result<Kept, ApiError> {
    let model = state.model().clone();
    state
        .db()
        .write(move |s| {
            Ok(maturity::assess_and_keep(
                &model,
                s,
                &catalog,
                &answers,
                today,
                Utc::now(),
            )?)
        })
        .await
}

/// The Maturity page.
pub async fn page_get(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Maturity)?;
    let kept = state.db().read(|s| Ok(maturity::kept(s)?)).await?;
    let body = page(&catalog()?, &kept, Some(&ws.session.csrf), None);
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Maturity,
        Page::Maturity.title(),
        body,
    )
    .into_response())
}

/// A form's answers: `csrf`, `instrument` and one `item.<id>` per item.
pub async fn page_post(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebForm(fields): WebForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Maturity)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if !ws.session.csrf_ok(field("csrf").unwrap_or_default()) {
        return Err(ApiError::CsrfFailed.into());
    }
    let catalog = catalog()?;
    let id = field("instrument").unwrap_or_default();
    let instrument = catalog
        .get(id)
        .ok_or_else(|| ApiError::InvalidBody(format!("unknown instrument {id:?}")))?;
    // The form's answers as an answers file, checked like any other.
    let mut text = String::new();
    for (_, item) in instrument.items() {
        let answer = field(&format!("item.{}", item.id)).unwrap_or_default();
        let quoted = serde_json::to_string(answer).unwrap_or_default();
        let _ = write!(text, "[{}.{}]\nanswer = {quoted}\n", instrument.id, item.id);
    }
    let outcome = match Answers::parse(&text, Path::new("form"), &catalog) {
        Ok(answers) => {
            keep(&state, catalog.clone(), answers, Utc::now().date_naive()).await?;
            None
        }
        Err(e) => Some(e.to_string()),
    };
    let kept = state.db().read(|s| Ok(maturity::kept(s)?)).await?;
    let body = page(&catalog, &kept, Some(&ws.session.csrf), outcome.as_deref());
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Maturity,
        Page::Maturity.title(),
        body,
    )
    .into_response())
}

/// The page: the latest result (levels per area with evidence), the
/// roadmap, the history, and (with `csrf`, on the dashboard) a form per
/// instrument. Every text from files and answers is escaped by maud.
pub fn page(catalog: &Catalog, kept: &[Kept], csrf: Option<&str>, error: Option<&str>) -> Markup {
    let latest = kept.last();
    html! {
        h1 { (Page::Maturity.title()) }
        p.sub { "Where the organisation stands on the seeds' models, checked against what tce measured in this workspace, and what to do next." }
        @if let Some(e) = error { p.error { "The answers were refused: " (e) } }
        @match latest {
            None => p { "No assessment kept yet: answer an instrument below (or run " code { "tce assess" } ")." },
            Some(k) => (result(k)),
        }
        @if kept.len() > 1 || latest.is_some() { (history(kept)) }
        @if let Some(csrf) = csrf {
            h2 { "Answer an instrument" }
            @for i in catalog.instruments() {
                details.maturity-form {
                    summary { (i.name) " (" (i.levels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(" → ")) ")" }
                    p.sub { "Source: " (i.source) }
                    form method="post" action="/maturity" id=(format!("form-{}", i.id)) {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="instrument" value=(i.id);
                        @for (area, item) in i.items() {
                            fieldset {
                                legend { (area.name) }
                                p { (item.text) }
                                @for (n, c) in item.choices.iter().enumerate() {
                                    label {
                                        input type="radio" name=(format!("item.{}", item.id)) value=(c.text) required checked[n == 0];
                                        " " (c.text)
                                        @if let Some(l) = i.levels.get(c.level) {
                                            @if !l.name.eq_ignore_ascii_case(&c.text) { " [" (l.name) "]" }
                                        }
                                    }
                                    br;
                                }
                            }
                        }
                        button.primary type="submit" { "Assess " (i.name) }
                    }
                }
            }
        }
    }
}

fn result(k: &Kept) -> Markup {
    let a = &k.assessment;
    html! {
        h2 id="result" { "Assessment of " (a.date) }
        @for i in &a.instruments {
            h3 { (i.name) " — overall: " (i.overall.name) }
            (charts::hbars(
                &format!("Level per area ({})", i.levels.join(" → ")),
                &i.areas.iter().map(|area| Bar {
                    label: area.name.clone(),
                    value: (area.level.index + 1) as f64,
                    value_label: area.level.name.clone(),
                    tooltip: format!("{}: {} (score {:.0}%)", area.name, area.level.name, area.score * 100.0),
                }).collect::<Vec<_>>(),
            ))
            table.maturity {
                tr { th { "Area" } th { "Level" } th { "Evidence" } th { "Contradictions" } }
                @for area in &i.areas {
                    tr {
                        td { (area.name) }
                        td { (area.level.name) }
                        td {
                            @for e in &area.evidence {
                                div class=(format!("evidence {}", status_class(e.status))) { (status_mark(e.status)) " " (e.message) }
                            }
                        }
                        td {
                            @for c in &area.contradictions { div.contradiction { (c.text) } }
                        }
                    }
                }
            }
        }
        h2 id="roadmap" { "Roadmap" }
        p.sub { "In the seeds' order: support → product development → logistics & procurement → sales & marketing." }
        @if a.roadmap.is_empty() {
            p { "Nothing to do: every area is at the top level with no contradiction." }
        } @else {
            table.roadmap {
                tr { th { "Step" } th { "Phase" } th { "Area" } th { "Now → next" } th { "What to do" } th { "Measured by" } th { "Current" } th { "Target" } }
                @for s in &a.roadmap {
                    tr {
                        td { (s.step) }
                        td { (s.phase.name()) }
                        td { (s.area_name) }
                        td { (s.level.name) " → " (s.next.as_ref().map_or("resolve the contradiction", |n| n.name.as_str())) }
                        td { (s.action) }
                        td { (s.metric.map_or(String::new(), |m| format!("{} ({})", m.description(), m.capability().name()))) }
                        td { (s.current_text) }
                        td { (s.target_text) }
                    }
                }
            }
        }
    }
}

fn history(kept: &[Kept]) -> Markup {
    let all: Vec<Assessment> = kept.iter().map(|k| k.assessment.clone()).collect();
    html! {
        h2 id="history" { "History" }
        table.history {
            tr { th { "Date" } th { "Overall" } th { "Contradictions" } th { "Roadmap steps" } }
            @for k in kept.iter().rev() {
                tr {
                    td { (k.assessment.date) }
                    td { (k.assessment.instruments.iter().map(|i| format!("{}: {}", i.name, i.overall.name)).collect::<Vec<_>>().join(" · ")) }
                    td { (k.assessment.instruments.iter().flat_map(|i| &i.areas).map(|a| a.contradictions.len()).sum::<usize>()) }
                    td { (k.assessment.roadmap.len()) }
                }
            }
        }
        @let trends = trend(&all);
        @if all.len() > 1 {
            table.trend {
                tr { th { "Area" } th { "Levels, oldest first" } }
                @for t in &trends {
                    tr {
                        td { (t.instrument) "." (t.area) }
                        td { (t.points.iter().map(|p| format!("{} {}", p.date, p.level.name)).collect::<Vec<_>>().join(" → ")) }
                    }
                }
            }
        }
    }
}

fn status_class(s: EvidenceStatus) -> &'static str {
    match s {
        EvidenceStatus::Supports => "supports",
        EvidenceStatus::Contradicts => "contradicts",
        EvidenceStatus::Neutral => "neutral",
        EvidenceStatus::NotMeasured => "not-measured",
    }
}

fn status_mark(s: EvidenceStatus) -> &'static str {
    match s {
        EvidenceStatus::Supports => "✓",
        EvidenceStatus::Contradicts => "✗",
        EvidenceStatus::Neutral => "·",
        EvidenceStatus::NotMeasured => "?",
    }
}

/// The report's maturity section: the latest assessment and the history,
/// without forms.
pub fn report_section(store: &dyn Store) -> Result<Markup, ApiError> {
    let kept = maturity::kept(store)?;
    Ok(page(&catalog()?, &kept, None, None))
}
