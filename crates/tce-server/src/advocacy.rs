//! Advocacy, moments of truth and ideas on the server (issue 13): the API
//! (`/api/v1/advocates`, `/net-advocacy`, `/moments`, `/ideas`), the
//! Advocates page (net advocacy per brand with its interval and trend, the
//! ranking with reasons), the Ideas page (ranked list) and an idea's page
//! (examples, history, the touchpoint's TES around the ship date, a status
//! form with CSRF and the version), and the Overview's net advocacy block.
//! Figures come from `tce_insight::advocacy`, changes go through
//! `tce_pipeline::advocacy` on the writer: the CLI, the API and the pages
//! agree. Every text is escaped by maud.
//!
//! Who may do what: admins and analysts see and change everything; an
//! agent sees and changes only what their department runs — moments when it
//! is the advocacy department, ideas when it owns ideas — and another
//! department's moment or idea is a 404 to them. Advocate rankings and net
//! advocacy are whole-brand analyses (admins, analysts).

use crate::auth::{Access, Principal, Role};
use crate::charts::{self, Interval};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::pages::Page;
use crate::state::AppState;
use crate::web::{frame, signed_in, PageError, WebForm, WebQuery, WebSession};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use chrono::Utc;
use maud::{html, Markup};
use serde::Deserialize;
use tce_advocacy::{IdeaStatus, MomentStatus};
use tce_insight::advocacy::{self as insight, AdvocateView, IdeaDetail, IdeaView, NetAdvocacyView};
use tce_pipeline::advocacy::{advocacy_department, ideas_department, AdvocacyChangeError};
use tce_store::{IdeaQuery, MomentQuery, StoreError};
use utoipa::{IntoParams, ToSchema};

fn from_change(e: AdvocacyChangeError) -> ApiError {
    match e {
        AdvocacyChangeError::NotFound { what, id } => ApiError::NotFound(format!("no {what} {id}")),
        AdvocacyChangeError::Refused(r @ tce_advocacy::AdvocacyError::InvalidTransition { .. }) => {
            ApiError::InvalidTransition(r.to_string())
        }
        AdvocacyChangeError::Refused(r) => ApiError::Unprocessable(r.to_string()),
        AdvocacyChangeError::Store(StoreError::StaleRecord {
            what, id, current, ..
        }) => ApiError::StaleVersion {
            message: format!("{what} {id} changed since it was read"),
            current_version: current,
        },
        AdvocacyChangeError::Store(s) => s.into(),
    }
}

/// Whether the principal may see and change moments (`ideas`: ideas).
fn may_run(p: &Principal, department: &str) -> bool {
    match p.role {
        Role::Admin | Role::Analyst => true,
        Role::Agent => p.department.as_deref() == Some(department),
    }
}

/// The signed-in principal of an Ideas page: an agent of the department
/// that owns ideas may open them (as on the API); else the role's pages.
fn ideas_principal(state: &AppState, ws: &WebSession) -> Result<Principal, PageError> {
    match &ws.session.principal {
        Some(p) if p.role == Role::Agent && may_run(p, &ideas_department(state.model())) => {
            Ok(p.clone())
        }
        _ => signed_in(ws, Page::Ideas),
    }
}

fn brand_param(state: &AppState, b: Option<&str>) -> Result<Option<String>, ApiError> {
    match b.map(str::trim).filter(|b| !b.is_empty()) {
        None => Ok(None),
        Some(b) => state
            .model()
            .resolve_brand(b)
            .map(|x| Some(x.to_string()))
            .ok_or_else(|| {
                ApiError::InvalidParameter(format!("brand {b:?}: not a brand of the model"))
            }),
    }
}

fn limit_param(l: Option<usize>, default: usize) -> usize {
    l.unwrap_or(default).clamp(1, 1_000)
}

/// Parameters of `GET /advocates` and `GET /net-advocacy`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdvocateParams {
    /// Only this brand (id, name or alias).
    pub brand: Option<String>,
    /// How many authors (1–1000, default 20).
    pub limit: Option<usize>,
}

/// Authors ranked by advocacy score (`brand`, `author`, `score`, `class`,
/// `reasons[]`, …) and net advocacy per brand.
#[utoipa::path(get, path = "/api/v1/advocates", tag = "advocacy", params(AdvocateParams),
    responses((status = 200, description = "`{advocates: [...], net_advocacy: [...]}`", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_advocates(
    State(state): State<AppState>,
    crate::auth::ApiCaller(caller): crate::auth::ApiCaller,
    ApiQuery(p): ApiQuery<AdvocateParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(Access::Analysis)?;
    let brand = brand_param(&state, p.brand.as_deref())?;
    let limit = limit_param(p.limit, 20);
    let model = state.model().clone();
    let (list, mut net) = state
        .db()
        .read(move |s| {
            Ok((
                insight::advocates(s, brand.as_deref(), limit, Utc::now())?,
                insight::net_by_brand(s, &model, None)?,
            ))
        })
        .await?;
    if let Some(b) = list
        .first()
        .map(|a| a.brand.clone())
        .filter(|_| p.brand.is_some())
    {
        net.retain(|n| n.brand == b);
    }
    Ok(Json(
        serde_json::json!({ "advocates": list, "net_advocacy": net }),
    ))
}

/// Net advocacy per brand and month (the trend), with its interval.
#[utoipa::path(get, path = "/api/v1/net-advocacy", tag = "advocacy", params(AdvocateParams),
    responses((status = 200, description = "`[{brand, period, eligible, advocates, detractors, value, low, high}]`", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_net_advocacy(
    State(state): State<AppState>,
    crate::auth::ApiCaller(caller): crate::auth::ApiCaller,
    ApiQuery(p): ApiQuery<AdvocateParams>,
) -> Result<Json<Vec<NetAdvocacyView>>, ApiError> {
    caller.require(Access::Analysis)?;
    let brand = brand_param(&state, p.brand.as_deref())?;
    let rows = state
        .db()
        .read(move |s| Ok(insight::net_trend(s, brand.as_deref())?))
        .await?;
    Ok(Json(rows))
}

/// Parameters of `GET /moments`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MomentParams {
    /// Only this status (new, sent, shared, declined).
    pub status: Option<String>,
    /// Only this brand.
    pub brand: Option<String>,
    /// How many (1–1000, default 100).
    pub limit: Option<usize>,
}

/// Moments of truth, newest first, and conversion per channel and month.
#[utoipa::path(get, path = "/api/v1/moments", tag = "advocacy", params(MomentParams),
    responses((status = 200, description = "`{moments: [...], conversion: [...]}`", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_moments(
    State(state): State<AppState>,
    crate::auth::ApiCaller(caller): crate::auth::ApiCaller,
    ApiQuery(p): ApiQuery<MomentParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let dept = advocacy_department(state.model());
    if !may_run(&caller, &dept) {
        return Err(ApiError::Forbidden(format!(
            "moments of truth are run by the {dept} department"
        )));
    }
    let statuses = match p.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Vec::new(),
        Some(s) => vec![s
            .parse::<MomentStatus>()
            .map_err(|e| ApiError::InvalidParameter(format!("status: {e}")))?],
    };
    let brand = brand_param(&state, p.brand.as_deref())?;
    let limit = limit_param(p.limit, 100);
    let (list, conversion) = state
        .db()
        .read(move |s| {
            Ok((
                insight::moments(
                    s,
                    &MomentQuery {
                        statuses,
                        brand,
                        departments: None,
                        limit,
                    },
                )?,
                insight::conversion(s)?,
            ))
        })
        .await?;
    Ok(Json(
        serde_json::json!({ "moments": list, "conversion": conversion }),
    ))
}

/// The body of `PATCH /moments/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MomentPatchDto {
    /// sent, shared or declined.
    pub status: String,
}

/// Records a moment's invitation as sent, shared or declined (the workflow
/// refuses other moves with 422).
#[utoipa::path(patch, path = "/api/v1/moments/{id}", tag = "advocacy",
    params(("id" = i64, Path, description = "Moment id")), request_body = MomentPatchDto,
    responses((status = 200, description = "The moment as it is now", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, description = "`invalid_transition`", body = ErrorBody)))]
pub async fn patch_moment(
    State(state): State<AppState>,
    crate::auth::ApiCaller(caller): crate::auth::ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<MomentPatchDto>,
) -> Result<Json<insight::MomentView>, ApiError> {
    let dept = advocacy_department(state.model());
    if !may_run(&caller, &dept) {
        return Err(ApiError::NotFound(format!("no moment {id}")));
    }
    let to: MomentStatus = body
        .status
        .trim()
        .parse()
        .map_err(|e: tce_advocacy::AdvocacyError| ApiError::InvalidBody(format!("status: {e}")))?;
    let m = state
        .db()
        .write(move |s| {
            tce_pipeline::advocacy::mark_moment(s, id, to, Utc::now()).map_err(from_change)
        })
        .await?;
    Ok(Json(insight::moment_view(&m)))
}

/// Parameters of `GET /ideas`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IdeaParams {
    /// Only this brand.
    pub brand: Option<String>,
    /// `true` (default): own brands' ideas; `false`: what customers ask of competitors.
    pub own: Option<bool>,
    /// Only this status.
    pub status: Option<String>,
    /// How many (1–1000, default 50).
    pub limit: Option<usize>,
}

fn idea_query(state: &AppState, p: &IdeaParams) -> Result<IdeaQuery, ApiError> {
    let statuses = match p.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Vec::new(),
        Some(s) => vec![s
            .parse::<IdeaStatus>()
            .map_err(|e| ApiError::InvalidParameter(format!("status: {e}")))?],
    };
    Ok(IdeaQuery {
        brand: brand_param(state, p.brand.as_deref())?,
        own: Some(p.own.unwrap_or(true)),
        statuses,
        limit: 0,
    })
}

/// Ideas ranked by volume × reach × recency.
#[utoipa::path(get, path = "/api/v1/ideas", tag = "advocacy", params(IdeaParams),
    responses((status = 200, description = "`[{id, brand, own, label, status, volume, reach, rank, first_seen, last_seen, sentiment, touchpoint, stage, representative, shipped_at, version}]`", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_ideas(
    State(state): State<AppState>,
    crate::auth::ApiCaller(caller): crate::auth::ApiCaller,
    ApiQuery(p): ApiQuery<IdeaParams>,
) -> Result<Json<Vec<IdeaView>>, ApiError> {
    let dept = ideas_department(state.model());
    if !may_run(&caller, &dept) {
        return Err(ApiError::Forbidden(format!(
            "ideas are run by the {dept} department"
        )));
    }
    let q = idea_query(&state, &p)?;
    let limit = limit_param(p.limit, 50);
    let model = state.model().clone();
    let list = state
        .db()
        .read(move |s| Ok(insight::ideas_ranked(s, &model, &q, limit, Utc::now())?))
        .await?;
    Ok(Json(list))
}

/// One idea with examples, history and, after shipping, its touchpoint's
/// TES before and after.
#[utoipa::path(get, path = "/api/v1/ideas/{id}", tag = "advocacy",
    params(("id" = i64, Path, description = "Idea id")),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_idea(
    State(state): State<AppState>,
    crate::auth::ApiCaller(caller): crate::auth::ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<IdeaDetail>, ApiError> {
    if !may_run(&caller, &ideas_department(state.model())) {
        return Err(ApiError::NotFound(format!("no idea {id}")));
    }
    Ok(Json(detail(&state, id).await?))
}

async fn detail(state: &AppState, id: i64) -> Result<IdeaDetail, ApiError> {
    detail_with(state, id, 10).await
}

/// Suggestions an idea's page lists (and a user may tick to split it).
const PAGE_EXAMPLES: usize = 50;

/// An idea with its `examples` most recent suggestions (the page lists
/// more: they are what a user ticks to split it).
async fn detail_with(state: &AppState, id: i64, examples: usize) -> Result<IdeaDetail, ApiError> {
    let model = state.model().clone();
    state
        .db()
        .read(move |s| {
            insight::idea_detail(s, &model, id, examples, Utc::now())?
                .ok_or_else(|| ApiError::NotFound(format!("no idea {id}")))
        })
        .await
}

/// The body of `PATCH /ideas/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IdeaPatchDto {
    /// under_review, planned, shipped or declined.
    pub status: String,
    /// A note recorded with the change.
    pub note: Option<String>,
    /// The version the change is made against (409 if it changed).
    pub version: u64,
}

/// Moves an idea through its workflow against the version read.
#[utoipa::path(patch, path = "/api/v1/ideas/{id}", tag = "advocacy",
    params(("id" = i64, Path, description = "Idea id")), request_body = IdeaPatchDto,
    responses((status = 200, description = "The idea as it is now", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "`stale_version` with `current_version`", body = ErrorBody),
        (status = 422, description = "`invalid_transition`, naming the allowed ones", body = ErrorBody)))]
pub async fn patch_idea(
    State(state): State<AppState>,
    crate::auth::ApiCaller(caller): crate::auth::ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<IdeaPatchDto>,
) -> Result<Json<IdeaDetail>, ApiError> {
    if !may_run(&caller, &ideas_department(state.model())) {
        return Err(ApiError::NotFound(format!("no idea {id}")));
    }
    let to: IdeaStatus = body
        .status
        .trim()
        .parse()
        .map_err(|e: tce_advocacy::AdvocacyError| ApiError::InvalidBody(format!("status: {e}")))?;
    let actor = caller.name.clone();
    let (version, note) = (body.version, body.note);
    state
        .db()
        .write(move |s| {
            tce_pipeline::advocacy::set_idea_status(
                s,
                id,
                Some(version),
                to,
                note,
                &actor,
                Utc::now(),
            )
            .map_err(from_change)
        })
        .await?;
    Ok(Json(detail(&state, id).await?))
}

/// The body of `POST /ideas/{id}/merge`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IdeaMergeDto {
    /// The idea merged into this one (same brand).
    pub from: i64,
}

/// Merges another idea of the same brand into this one (recorded on both).
#[utoipa::path(post, path = "/api/v1/ideas/{id}/merge", tag = "advocacy",
    params(("id" = i64, Path, description = "The idea that stays")), request_body = IdeaMergeDto,
    responses((status = 200, description = "The idea as it is now", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn merge_idea(
    State(state): State<AppState>,
    crate::auth::ApiCaller(caller): crate::auth::ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<IdeaMergeDto>,
) -> Result<Json<IdeaDetail>, ApiError> {
    if !may_run(&caller, &ideas_department(state.model())) {
        return Err(ApiError::NotFound(format!("no idea {id}")));
    }
    let actor = caller.name.clone();
    let from = body.from;
    state
        .db()
        .write(move |s| {
            tce_pipeline::advocacy::merge_ideas(s, id, from, &actor, Utc::now())
                .map_err(from_change)
        })
        .await?;
    Ok(Json(detail(&state, id).await?))
}

/// A suggestion named in a split.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SuggestionRefDto {
    /// Its channel.
    pub channel: String,
    /// Its id on the channel.
    pub external_id: String,
}

/// The body of `POST /ideas/{id}/split`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IdeaSplitDto {
    /// The suggestions that move to the new idea (at least one, not all).
    pub signals: Vec<SuggestionRefDto>,
    /// The version of the idea the change is made against (409 if it changed).
    pub version: u64,
}

/// Splits suggestions off this idea into a new idea of the same brand
/// (recorded on both); answers with the new idea.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/split", tag = "advocacy",
    params(("id" = i64, Path, description = "The idea split")), request_body = IdeaSplitDto,
    responses((status = 201, description = "The new idea", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "`stale_version` with `current_version`", body = ErrorBody),
        (status = 422, description = "none or all of its suggestions, or one it does not hold", body = ErrorBody)))]
pub async fn split_idea(
    State(state): State<AppState>,
    crate::auth::ApiCaller(caller): crate::auth::ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<IdeaSplitDto>,
) -> Result<Response, ApiError> {
    if !may_run(&caller, &ideas_department(state.model())) {
        return Err(ApiError::NotFound(format!("no idea {id}")));
    }
    let actor = caller.name.clone();
    let refs: Vec<(String, String)> = body
        .signals
        .into_iter()
        .map(|r| (r.channel, r.external_id))
        .collect();
    let version = body.version;
    let (_, part) = state
        .db()
        .write(move |s| {
            tce_pipeline::advocacy::split_idea(s, id, Some(version), &refs, &actor, Utc::now())
                .map_err(from_change)
        })
        .await?;
    let d = detail(&state, part.id).await?;
    Ok((axum::http::StatusCode::CREATED, Json(d)).into_response())
}

/// The API routes.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/advocates", get(get_advocates))
        .route("/net-advocacy", get(get_net_advocacy))
        .route("/moments", get(get_moments))
        .route("/moments/{id}", axum::routing::patch(patch_moment))
        .route("/ideas", get(get_ideas))
        .route("/ideas/{id}", get(get_idea).patch(patch_idea))
        .route("/ideas/{id}/merge", axum::routing::post(merge_idea))
        .route("/ideas/{id}/split", axum::routing::post(split_idea))
}

/// The dashboard routes.
pub fn page_router() -> Router<AppState> {
    Router::new()
        .route("/advocates", get(advocates_page))
        .route("/ideas", get(ideas_page))
        .route("/ideas/{id}", get(idea_page).post(idea_post))
        .route("/ideas/{id}/split", axum::routing::post(idea_split_post))
}

/// Query of the Advocates page.
#[derive(Debug, Default, Deserialize)]
pub struct BrandQuery {
    /// Only this brand.
    pub brand: Option<String>,
    /// Ideas: competitors' instead of own brands'.
    pub competitors: Option<String>,
}

fn reasons(a: &AdvocateView) -> Markup {
    html! {
        @for r in a.reasons.iter().filter(|r| r.points.abs() >= 0.05) {
            span.reason title=(r.detail) { (r.factor) " " (format!("{:+.1}", r.points)) } " "
        }
    }
}

/// The Advocates page's body.
pub fn advocates_body(
    brands: &[(String, String)],
    net: &[NetAdvocacyView],
    trend: &[NetAdvocacyView],
    list: &[AdvocateView],
    brand: Option<&str>,
) -> Markup {
    let name = |id: &str| {
        brands
            .iter()
            .find(|(b, _)| b == id)
            .map_or(id.to_string(), |(_, n)| n.clone())
    };
    let items: Vec<Interval> = net
        .iter()
        .map(|n| Interval {
            label: name(&n.brand),
            estimate: n.value,
            lo: n.low,
            hi: n.high,
            tooltip: format!(
                "{}: {:.1} [{:.1}, {:.1}], {} advocates and {} detractors of {} author-months",
                name(&n.brand),
                n.value,
                n.low,
                n.high,
                n.advocates,
                n.detractors,
                n.eligible
            ),
        })
        .collect();
    html! {
        h1 { (Page::Advocates.title()) }
        p.sub { "Net advocacy: share of advocates minus share of detractors among authors with at least " (insight::NET_MIN_SIGNALS) " signals in a month on social channels, with its 95% interval. Authors ranked by advocacy score, with each part of it." }
        form.filters method="get" action="/advocates" {
            label { "Brand " select name="brand" {
                option value="" selected[brand.is_none()] { "All brands" }
                @for (id, n) in brands { option value=(id) selected[brand == Some(id.as_str())] { (n) } }
            } }
            button type="submit" { "Show" }
        }
        h2 { "Net advocacy per brand" }
        @if items.is_empty() { p { "No author has enough signals yet." } }
        @else { (charts::intervals("Net advocacy per brand", "points", &items)) }
        h2 { "Trend per brand" }
        table.net-trend {
            thead { tr { th { "Brand" } th { "Trend" } th { "Latest month" } th.num { "Net advocacy" } th { "Interval" } th.num { "Authors" } } }
            tbody {
                @for (id, n) in brands {
                    @let rows: Vec<&NetAdvocacyView> = trend.iter().filter(|t| &t.brand == id).collect();
                    @if let Some(last) = rows.last() {
                        tr {
                            td { (n) }
                            td { (charts::sparkline(&format!("Net advocacy of {n} per month"), &rows.iter().map(|r| (r.period.map(|p| p.format("%Y-%m").to_string()).unwrap_or_default(), Some(r.value))).collect::<Vec<_>>())) }
                            td { (last.period.map(|p| p.format("%Y-%m").to_string()).unwrap_or_default()) }
                            td.num { (format!("{:.1}", last.value)) }
                            td { (format!("[{:.1}, {:.1}]", last.low, last.high)) }
                            td.num { (last.eligible) }
                        }
                    }
                }
            }
        }
        h2 { "Advocates and detractors" }
        table.advocates {
            thead { tr { th { "Brand" } th { "Author" } th.num { "Score" } th { "Class" } th.num { "Signals" } th.num { "Followers" } th { "Reasons" } } }
            tbody {
                @for a in list {
                    tr {
                        td { (name(&a.brand)) }
                        td { (a.author) }
                        td.num { (format!("{:.2}", a.score)) }
                        td { (a.class) @if a.influential_detractor { " (influential)" } }
                        td.num { (a.signals) }
                        td.num { (a.followers) }
                        td { (reasons(a)) }
                    }
                }
            }
        }
    }
}

fn brands_of(state: &AppState) -> Vec<(String, String)> {
    state
        .model()
        .brands
        .iter()
        .map(|b| (b.id.clone(), b.name.clone()))
        .collect()
}

async fn advocates_page(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<BrandQuery>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Advocates)?;
    let brand = brand_param(&state, q.brand.as_deref())?;
    let model = state.model().clone();
    let b2 = brand.clone();
    let (net, trend, list) = state
        .db()
        .read(move |s| {
            Ok((
                insight::net_by_brand(s, &model, None)?,
                insight::net_trend(s, None)?,
                insight::advocates(s, b2.as_deref(), 50, Utc::now())?,
            ))
        })
        .await?;
    let body = advocates_body(&brands_of(&state), &net, &trend, &list, brand.as_deref());
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Advocates,
        Page::Advocates.title(),
        body,
    )
    .into_response())
}

/// The Ideas page's body.
pub fn ideas_body(brands: &[(String, String)], list: &[IdeaView], competitors: bool) -> Markup {
    html! {
        h1 { (Page::Ideas.title()) }
        p.sub { "Customers' suggestions clustered into ideas as they arrive, ranked by volume × reach × recency." }
        p { @if competitors { a href="/ideas" { "Own brands' ideas" } " · What customers ask of competitors" }
            @else { "Own brands' ideas · " a href="/ideas?competitors=1" { "What customers ask of competitors" } } }
        table.ideas {
            thead { tr { th.num { "Rank" } th { "Idea" } th { "Brand" } th { "Status" } th.num { "Volume" } th.num { "Reach" } th { "Touchpoint" } th { "Last seen" } th { "Example" } } }
            tbody {
                @for i in list {
                    tr {
                        td.num { (format!("{:.1}", i.rank)) }
                        td { a href=(format!("/ideas/{}", i.id)) { (i.label) } }
                        td { (brands.iter().find(|(b, _)| *b == i.brand).map_or(i.brand.as_str(), |(_, n)| n.as_str())) }
                        td { (i.status) }
                        td.num { (i.volume) }
                        td.num { (i.reach) }
                        td { (i.touchpoint.as_deref().unwrap_or("—")) }
                        td { (i.last_seen.format("%Y-%m-%d")) }
                        td { (charts::short(&i.representative, 90)) }
                    }
                }
            }
        }
    }
}

async fn ideas_page(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<BrandQuery>,
) -> Result<Response, PageError> {
    let p = ideas_principal(&state, &ws)?;
    let competitors = q
        .competitors
        .as_deref()
        .is_some_and(|c| !c.is_empty() && c != "0");
    let query = IdeaQuery {
        brand: brand_param(&state, q.brand.as_deref())?,
        own: Some(!competitors),
        statuses: Vec::new(),
        limit: 0,
    };
    let model = state.model().clone();
    let list = state
        .db()
        .read(move |s| Ok(insight::ideas_ranked(s, &model, &query, 100, Utc::now())?))
        .await?;
    let body = ideas_body(&brands_of(&state), &list, competitors);
    Ok(frame(&state, &ws, &p, Page::Ideas, Page::Ideas.title(), body).into_response())
}

/// An idea's page body: facts, examples, history, ship effect and (with
/// `csrf`) the status form carrying the version.
pub fn idea_body(d: &IdeaDetail, csrf: Option<&str>, message: Option<&str>) -> Markup {
    let i = &d.idea;
    let allowed: Vec<IdeaStatus> = i
        .status
        .parse::<IdeaStatus>()
        .map(|s| s.allowed().to_vec())
        .unwrap_or_default();
    html! {
        h1 { "Idea: " (i.label) }
        p.sub { (i.brand) " · " (i.status) " · " (i.volume) " suggestions · reach " (i.reach)
            " · first seen " (i.first_seen.format("%Y-%m-%d")) " · last seen " (i.last_seen.format("%Y-%m-%d"))
            @if let Some(t) = &i.touchpoint { " · touchpoint " (t) } }
        @if let Some(m) = message { p.error { (m) } }
        @if let Some(into) = d.merged_into { p { "Merged into " a href=(format!("/ideas/{into}")) { "idea " (into) } } }
        h2 { "Representative post" }
        blockquote { (i.representative) }
        @if let Some(e) = &d.ship_effect {
            h2 { "After shipping" }
            p { "Shipped " (e.shipped_on) ". TES of " (e.touchpoint) " in the " (e.days) " days before: "
                (e.before.map_or("—".to_string(), |v| format!("{v:.1}"))) " (n=" (e.n_before) "), after: "
                (e.after.map_or("—".to_string(), |v| format!("{v:.1}"))) " (n=" (e.n_after) ")." }
        }
        h2 { "Example posts" }
        ul.examples { @for x in &d.examples { li { (x.created_at.format("%Y-%m-%d %H:%M")) " " (x.channel) " · " (x.author.as_deref().unwrap_or("")) ": " (x.text) } } }
        @if let Some(csrf) = csrf {
            @if !allowed.is_empty() {
                h2 { "Status" }
                form.status method="post" action=(format!("/ideas/{}", i.id)) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="version" value=(i.version);
                    label { "Move to " select name="status" { @for s in &allowed { option value=(s.as_str()) { (s.as_str()) } } } }
                    label { " Note " input type="text" name="note" size="50"; }
                    button.primary type="submit" { "Save" }
                }
            }
        }
        @if let Some(csrf) = csrf {
            @if d.merged_into.is_none() && d.examples.len() >= 2 {
                h2 { "Split" }
                p.sub { "Tick the suggestions that are a different idea: they move into a new idea of the same brand (at least one must stay). Recorded on both ideas." }
                form.split method="post" action=(format!("/ideas/{}/split", i.id)) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="version" value=(i.version);
                    ul.split { @for x in &d.examples { li { label {
                        input type="checkbox" name="signal" value=(format!("{}:{}", x.channel, x.external_id));
                        " " (x.channel) " · " (x.author.as_deref().unwrap_or("")) ": " (charts::short(&x.text, 140))
                    } } } }
                    button type="submit" { "Split into a new idea" }
                }
            }
        }
        h2 { "History" }
        @if d.events.is_empty() { p { "No changes yet." } }
        ul.history { @for e in &d.events { li { (e.at.format("%Y-%m-%d %H:%M")) " " (e.actor) " " (e.kind)
            @if let (Some(f), Some(t)) = (e.from, e.to) { " " (f) " → " (t) }
            @if let Some(n) = &e.note { ": " (n) }
            @if let Some(o) = e.other { " (idea " (o) ")" } } } }
    }
}

async fn idea_page(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = ideas_principal(&state, &ws)?;
    if !may_run(&p, &ideas_department(state.model())) {
        return Err(ApiError::NotFound(format!("no idea {id}")).into());
    }
    let d = detail_with(&state, id, PAGE_EXAMPLES).await?;
    let body = idea_body(&d, Some(&ws.session.csrf), None);
    Ok(frame(&state, &ws, &p, Page::Ideas, &format!("Idea {id}"), body).into_response())
}

/// The idea page's status form.
#[derive(Debug, Deserialize)]
pub struct IdeaForm {
    csrf: String,
    status: String,
    version: u64,
    #[serde(default)]
    note: String,
}

async fn idea_post(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    Path(id): Path<i64>,
    WebForm(form): WebForm<IdeaForm>,
) -> Result<Response, PageError> {
    let p = ideas_principal(&state, &ws)?;
    if !ws.session.csrf_ok(&form.csrf) {
        return Err(ApiError::CsrfFailed.into());
    }
    if !may_run(&p, &ideas_department(state.model())) {
        return Err(ApiError::NotFound(format!("no idea {id}")).into());
    }
    let to: IdeaStatus = form
        .status
        .trim()
        .parse()
        .map_err(|e: tce_advocacy::AdvocacyError| ApiError::InvalidBody(e.to_string()))?;
    let actor = p.name.clone();
    let note = Some(form.note.clone()).filter(|n| !n.trim().is_empty());
    let version = form.version;
    let result = state
        .db()
        .write(move |s| {
            tce_pipeline::advocacy::set_idea_status(
                s,
                id,
                Some(version),
                to,
                note,
                &actor,
                Utc::now(),
            )
            .map_err(from_change)
        })
        .await;
    let (status, message) = match result {
        Ok(_) => (axum::http::StatusCode::OK, None),
        Err(e) => {
            let (code, _) = e.status_and_code();
            if code.is_server_error() {
                return Err(e.into());
            }
            (code, Some(e.public_message()))
        }
    };
    let d = detail_with(&state, id, PAGE_EXAMPLES).await?;
    let body = idea_body(&d, Some(&ws.session.csrf), message.as_deref());
    Ok((
        status,
        frame(&state, &ws, &p, Page::Ideas, &format!("Idea {id}"), body),
    )
        .into_response())
}

/// The idea page's split form: `csrf`, `version` and one `signal`
/// (`CHANNEL:EXTERNAL_ID`) per ticked suggestion. Success shows the new
/// idea; a refusal shows the idea again with the reason.
async fn idea_split_post(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    Path(id): Path<i64>,
    WebForm(fields): WebForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let p = ideas_principal(&state, &ws)?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    };
    if !ws.session.csrf_ok(field("csrf")) {
        return Err(ApiError::CsrfFailed.into());
    }
    if !may_run(&p, &ideas_department(state.model())) {
        return Err(ApiError::NotFound(format!("no idea {id}")).into());
    }
    let version: u64 = field("version")
        .trim()
        .parse()
        .map_err(|_| ApiError::InvalidBody("version: missing or not a number".into()))?;
    let refs: Vec<(String, String)> = fields
        .iter()
        .filter(|(n, _)| n == "signal")
        .filter_map(|(_, v)| tce_pipeline::advocacy::parse_suggestion_ref(v))
        .collect();
    let actor = p.name.clone();
    let result = state
        .db()
        .write(move |s| {
            tce_pipeline::advocacy::split_idea(s, id, Some(version), &refs, &actor, Utc::now())
                .map_err(from_change)
        })
        .await;
    match result {
        Ok((_, part)) => {
            Ok(axum::response::Redirect::to(&format!("/ideas/{}", part.id)).into_response())
        }
        Err(e) => {
            let (code, _) = e.status_and_code();
            if code.is_server_error() {
                return Err(e.into());
            }
            let d = detail_with(&state, id, PAGE_EXAMPLES).await?;
            let body = idea_body(&d, Some(&ws.session.csrf), Some(&e.public_message()));
            Ok((
                code,
                frame(&state, &ws, &p, Page::Ideas, &format!("Idea {id}"), body),
            )
                .into_response())
        }
    }
}

/// The Overview's net advocacy block (brands side by side with intervals),
/// or nothing when no author has enough signals.
pub async fn overview_block(state: &AppState) -> Result<Markup, PageError> {
    let model = state.model().clone();
    let net = state
        .db()
        .read(move |s| Ok(insight::net_by_brand(s, &model, None)?))
        .await?;
    let brands = brands_of(state);
    Ok(html! {
        @if !net.is_empty() {
            h2 { "Net advocacy" }
            table.net-advocacy {
                thead { tr { th { "Brand" } th.num { "Net advocacy" } th { "95% interval" } th.num { "Advocates" } th.num { "Detractors" } th.num { "Author-months" } } }
                tbody { @for n in &net { tr {
                    td { (brands.iter().find(|(b, _)| *b == n.brand).map_or(n.brand.as_str(), |(_, x)| x.as_str())) }
                    td.num { @if n.thin() {
                        span.thin title=(format!("too little evidence: {} author-months (fewer than {})", n.eligible, insight::NET_MIN_ELIGIBLE)) { (format!("{:.1}", n.value)) "*" }
                    } @else { (format!("{:.1}", n.value)) } }
                    td { (format!("[{:.1}, {:.1}]", n.low, n.high)) }
                    td.num { (n.advocates) } td.num { (n.detractors) } td.num { (n.eligible) }
                } } }
            }
            p.sub { a href="/advocates" { "Advocates and detractors" } " · " a href="/ideas" { "Ideas" } }
        }
    })
}
