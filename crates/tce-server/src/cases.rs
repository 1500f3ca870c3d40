//! The care endpoints: `/api/v1/cases` (queue, case, changes, responses,
//! notes) and `/api/v1/care/stats`.
//!
//! Who may do what is decided here, in one place ([`CaseRights`]): admins
//! everything; analysts read every case and may re-route; agents read and
//! work their department's cases (status, assignee, priority, responses,
//! notes, re-routing — after which the case is no longer theirs). Another
//! department's case is a 404 to an agent, so ids do not leak.
//!
//! The server changes nothing itself: every change goes through
//! `tce_pipeline::care::change_all` on the writer connection, and the
//! statistics come from `tce_insight::care::stats`.

use crate::auth::{ApiCaller, Principal, Role};
use crate::dto::{
    CareStatsDto, CaseDetailDto, CaseNoteDto, CasePageDto, CasePatchDto, CaseResponseDto, CaseView,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::params::{self, non_empty};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tce_care::workflow::Change;
use tce_care::{Actor, CareError, Case, CaseId, CaseKind, Priority, Status};
use tce_insight::care::{CareGroup, CareStatsRequest};
use tce_model::Model;
use tce_pipeline::care::CaseChangeError;
use tce_store::{CaseQuery, Store};
use utoipa::IntoParams;

/// The care routes (mounted under `/api/v1`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list_cases))
        .route("/cases/{id}", get(get_case).patch(patch_case))
        .route("/cases/{id}/responses", post(post_response))
        .route("/cases/{id}/notes", post(post_note))
        .route("/care/stats", get(get_care_stats))
}

/// What a caller may do with cases.
#[derive(Debug, Clone)]
pub struct CaseRights<'a>(pub &'a Principal);

impl CaseRights<'_> {
    /// The departments whose cases the caller sees: `None` = all (admins,
    /// analysts), an agent's own otherwise.
    pub fn departments(&self) -> Option<Vec<String>> {
        match self.0.role {
            Role::Admin | Role::Analyst => None,
            Role::Agent => Some(self.0.department.iter().cloned().collect()),
        }
    }

    /// Whether the caller sees this case at all.
    pub fn sees(&self, case: &Case) -> bool {
        match self.0.role {
            Role::Admin | Role::Analyst => true,
            Role::Agent => self.0.department.as_deref() == Some(case.department()),
        }
    }

    /// Whether the caller may work a case (status, assignee, priority,
    /// responses, notes): admins and agents.
    pub fn may_work(&self) -> bool {
        matches!(self.0.role, Role::Admin | Role::Agent)
    }

    /// `Ok` when the caller may work cases, else a 403 that says why.
    pub fn require_work(&self, what: &str) -> Result<(), ApiError> {
        if self.may_work() {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "the {} role may read cases and re-route them (department), not {what}",
                self.0.role
            )))
        }
    }

    /// The actor recorded in the audit trail: the token's name (`admin`
    /// without authentication).
    pub fn actor(&self) -> Actor {
        match self.0.token_id {
            Some(_) => Actor::Agent(self.0.name.clone()),
            None => Actor::Agent("admin".into()),
        }
    }
}

fn list(values: impl Iterator<Item = &'static str>) -> String {
    values.collect::<Vec<_>>().join(", ")
}

fn department_id(model: &Model, name: &str, d: &str) -> Result<String, String> {
    model.department(d).map(|d| d.id.clone()).ok_or_else(|| {
        format!(
            "{name} {d:?} is not a department of the model (departments: {})",
            model
                .departments
                .iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

fn status_of(name: &str, s: &str) -> Result<Status, String> {
    s.parse::<Status>().map_err(|_| {
        format!(
            "{name} {s:?}: use one of {}",
            list(Status::ALL.iter().map(|s| s.as_str()))
        )
    })
}

fn priority_of(name: &str, s: &str) -> Result<Priority, String> {
    s.parse::<Priority>().map_err(|_| {
        format!(
            "{name} {s:?}: use one of {}",
            list(Priority::ALL.iter().map(|p| p.as_str()))
        )
    })
}

fn case_id(id: &str) -> Result<CaseId, ApiError> {
    id.trim()
        .parse::<u64>()
        .map(CaseId)
        .map_err(|_| ApiError::InvalidParameter(format!("case id {id:?} is not a number")))
}

fn not_found(id: CaseId) -> ApiError {
    ApiError::NotFound(format!("no case {id}"))
}

/// The filters of `GET /cases` (documentation; the query is read by
/// [`CaseParams::parse`], which takes `status` more than once).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseParams {
    /// Department id (agents: their own only).
    pub department: Option<String>,
    /// `new`, `open`, `pending`, `resolved`, `closed`; repeat the parameter
    /// or give a comma list for several.
    pub status: Option<String>,
    /// `p1` … `p4`.
    pub priority: Option<String>,
    /// Brand id, name, handle or alias.
    pub brand: Option<String>,
    /// `care` or `lead`.
    pub kind: Option<String>,
    /// `true`: only cases in breach now (an SLA clock past due); `false` or
    /// absent: any.
    pub breached: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–1000 (default 50).
    pub limit: Option<String>,
}

impl CaseParams {
    /// The store query from a raw query string, checked against the model;
    /// `now` is the instant "in breach" is judged at.
    pub fn parse(model: &Model, raw: &str, now: DateTime<Utc>) -> Result<CaseQuery, ApiError> {
        let bad = ApiError::InvalidParameter;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw)
            .map_err(|e| bad(format!("malformed query string: {e}")))?;
        let mut q = CaseQuery::default();
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in &pairs {
            let value = value.trim();
            if name != "status" {
                if seen.contains(&name.as_str()) {
                    return Err(bad(format!("{name} is given more than once")));
                }
                seen.push(name);
            }
            if value.is_empty() {
                continue;
            }
            match name.as_str() {
                "department" => {
                    q.departments =
                        Some(vec![department_id(model, "department", value).map_err(bad)?])
                }
                "status" => {
                    for s in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let st = status_of("status", s).map_err(bad)?;
                        if !q.statuses.contains(&st) {
                            q.statuses.push(st);
                        }
                    }
                }
                "priority" => q.priority = Some(priority_of("priority", value).map_err(bad)?),
                "brand" => q.brand = params::brand(model, &Some(value.to_string()))?,
                "kind" => {
                    q.kind = Some(
                        value
                            .parse::<CaseKind>()
                            .map_err(|_| bad(format!("kind {value:?}: use one of care, lead")))?,
                    )
                }
                "breached" => match value {
                    "true" | "1" => q.breached_at = Some(now),
                    "false" | "0" => q.breached_at = None,
                    _ => return Err(bad(format!("breached {value:?}: use true or false"))),
                },
                "cursor" => q.cursor = Some(value.to_string()),
                "limit" => {
                    q.limit = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=CaseQuery::MAX_LIMIT).contains(n))
                        .ok_or_else(|| {
                            bad(format!(
                                "limit {value:?}: expected 1 to {}",
                                CaseQuery::MAX_LIMIT
                            ))
                        })?
                }
                other => {
                    return Err(bad(format!(
                        "unknown parameter {other:?} (parameters: department, status, \
                         priority, brand, kind, breached, cursor, limit)"
                    )))
                }
            }
        }
        Ok(q)
    }
}

/// The queue: cases in priority order, then by the soonest SLA breach, with
/// filters and cursor paging. Agents see their department's cases only.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseParams),
    responses((status = 200, body = CasePageDto),
        (status = 400, description = "A filter value names nothing (`invalid_parameter`, listing the valid values) or a bad cursor", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "An agent asked for another department", body = ErrorBody)))]
pub async fn list_cases(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(raw): RawQuery,
) -> Result<Json<CasePageDto>, ApiError> {
    let model = state.model().clone();
    let now = Utc::now();
    let mut query = CaseParams::parse(&model, raw.as_deref().unwrap_or_default(), now)?;
    if let Some(own) = CaseRights(&caller).departments() {
        match &query.departments {
            Some(asked) if asked != &own => {
                return Err(ApiError::Forbidden(format!(
                    "agents see their own department's cases only ({})",
                    own.join(", ")
                )))
            }
            _ => query.departments = Some(own),
        }
    }
    let page = state.db().read(move |s| Ok(s.cases(&query)?)).await?;
    Ok(Json(CasePageDto {
        items: page
            .items
            .iter()
            .map(|c| CaseView::new(c, &model, now))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A case with everything behind it, read from `store` at `now`.
fn detail(
    store: &dyn Store,
    model: &Model,
    case: &Case,
    now: DateTime<Utc>,
) -> Result<CaseDetailDto, ApiError> {
    let signals = store.signals_by_ref(&CaseDetailDto::thread_refs(case))?;
    let events = store.case_events(case.id)?;
    Ok(CaseDetailDto::new(case, &signals, &events, model, now))
}

/// One case: its thread (messages with their text), priority factors, SLA
/// clocks and audit trail. Another department's case is a 404 to an agent.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = u64, Path, description = "Case id")),
    responses((status = 200, body = CaseDetailDto),
        (status = 400, description = "The id is not a number", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such case (or, to an agent, another department's)", body = ErrorBody)))]
pub async fn get_case(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<CaseDetailDto>, ApiError> {
    let id = case_id(&id)?;
    let model = state.model().clone();
    let dto = state
        .db()
        .read(move |s| {
            let case = s
                .case(id)?
                .filter(|c| CaseRights(&caller).sees(c))
                .ok_or_else(|| not_found(id))?;
            detail(s, &model, &case, Utc::now())
        })
        .await?;
    Ok(Json(dto))
}

fn change_error(e: CaseChangeError) -> ApiError {
    if let Some(current_version) = e.current_version() {
        return ApiError::StaleVersion {
            message: format!("{e}; read the case again and decide on its current state"),
            current_version,
        };
    }
    match e {
        CaseChangeError::NotFound(id) => not_found(id),
        CaseChangeError::Refused(r @ CareError::InvalidTransition { .. }) => {
            ApiError::InvalidTransition(r.to_string())
        }
        CaseChangeError::Refused(r @ CareError::UnknownDepartment(_)) => {
            ApiError::InvalidBody(r.to_string())
        }
        CaseChangeError::Refused(r) => ApiError::Unprocessable(r.to_string()),
        CaseChangeError::Store(s) => s.into(),
    }
}

/// Applies `changes` (built from the case as stored) by the caller against
/// `version` on the writer connection, all or nothing, and answers the case
/// as it is now. A case the caller does not see is a 404.
async fn apply(
    state: &AppState,
    caller: Principal,
    id: CaseId,
    version: u64,
    changes: impl FnOnce(&Case) -> Result<Vec<Change>, ApiError> + Send + 'static,
) -> Result<CaseDetailDto, ApiError> {
    let model = state.model().clone();
    let dto = state
        .db()
        .write(move |store| {
            let rights = CaseRights(&caller);
            let case = store
                .case(id)?
                .filter(|c| rights.sees(c))
                .ok_or_else(|| not_found(id))?;
            let changes = changes(&case)?;
            let now = Utc::now();
            let (case, events) = tce_pipeline::care::change_all(
                store,
                &model,
                id,
                version,
                rights.actor(),
                changes,
                now,
            )
            .map_err(change_error)?;
            tracing::info!(
                message = "Case changed.",
                case = %id,
                version = case.version,
                events = events.len(),
                by = %caller.name
            );
            detail(store, &model, &case, now)
        })
        .await?;
    Ok(dto)
}

/// Changes a case against the version the caller read: `status`,
/// `assignee`, `priority`, `department` (with a `reason`), applied in that
/// order, all or nothing. Analysts may only re-route (`department`).
#[utoipa::path(patch, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = u64, Path, description = "Case id")),
    request_body = CasePatchDto,
    responses((status = 200, description = "The case as it is now", body = CaseDetailDto),
        (status = 400, description = "Not a body this endpoint takes, or a value that names nothing", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "The role may not change this (analysts: re-route only)", body = ErrorBody),
        (status = 404, description = "No such case (or, to an agent, another department's)", body = ErrorBody),
        (status = 409, description = "Changed since `version` (`stale_version`, with `current_version`)", body = ErrorBody),
        (status = 422, description = "The workflow refuses the status change (`invalid_transition`, naming the allowed ones) or the case is closed", body = ErrorBody)))]
pub async fn patch_case(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CasePatchDto>,
) -> Result<Json<CaseDetailDto>, ApiError> {
    let id = case_id(&id)?;
    let model = state.model();
    let bad = ApiError::InvalidBody;
    let status = non_empty(&body.status)
        .map(|s| status_of("status", s))
        .transpose()
        .map_err(bad)?;
    let priority = non_empty(&body.priority)
        .map(|p| priority_of("priority", p))
        .transpose()
        .map_err(bad)?;
    let department = non_empty(&body.department)
        .map(|d| department_id(model, "department", d))
        .transpose()
        .map_err(bad)?;
    let reason = non_empty(&body.reason).map(str::to_string);
    if reason.is_some() && department.is_none() {
        return Err(bad(
            "reason goes with department: it says why the case is re-routed".into(),
        ));
    }
    let assignee = body
        .assignee
        .map(|a| a.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()));
    if status.is_none() && assignee.is_none() && priority.is_none() && department.is_none() {
        return Err(bad(
            "nothing to change: give status, assignee, priority or department with version".into(),
        ));
    }
    let rights = CaseRights(&caller);
    if status.is_some() || assignee.is_some() || priority.is_some() {
        rights.require_work("change status, assignee or priority")?;
    }
    let actor = rights.actor().to_string();
    let dto = apply(&state, caller, id, body.version, move |case| {
        let mut changes = Vec::new();
        if let Some(s) = status {
            changes.push(Change::SetStatus(s));
        }
        if let Some(agent) = assignee {
            changes.push(Change::Assign { agent });
        }
        if let Some(p) = priority {
            changes.push(Change::Prioritise(p));
        }
        if let Some(department) = department {
            let reason = reason.unwrap_or_else(|| {
                format!(
                    "re-routed by {actor} from {} to {department}",
                    case.department()
                )
            });
            changes.push(Change::Route { department, reason });
        }
        Ok(changes)
    })
    .await?;
    Ok(Json(dto))
}

fn text_of(text: &str) -> Result<String, ApiError> {
    match text.trim() {
        "" => Err(ApiError::InvalidBody("text is empty".into())),
        t => Ok(t.to_string()),
    }
}

/// Records a response given to the customer (tce does not post it); the
/// first one stops the first-response clock.
#[utoipa::path(post, path = "/api/v1/cases/{id}/responses", tag = "cases",
    params(("id" = u64, Path, description = "Case id")),
    request_body = CaseResponseDto,
    responses((status = 201, description = "The case as it is now", body = CaseDetailDto),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "Analysts may not respond", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Changed since `version` (`stale_version`, with `current_version`)", body = ErrorBody),
        (status = 422, description = "The case is closed", body = ErrorBody)))]
pub async fn post_response(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CaseResponseDto>,
) -> Result<(StatusCode, Json<CaseDetailDto>), ApiError> {
    let id = case_id(&id)?;
    let text = text_of(&body.text)?;
    let channel = params::channel(state.model(), &body.channel)
        .map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    let rights = CaseRights(&caller);
    rights.require_work("respond to customers")?;
    let agent = rights.actor().to_string();
    let dto = apply(&state, caller, id, body.version, move |case| {
        Ok(vec![Change::Respond {
            text,
            channel: channel.unwrap_or_else(|| case.channel.clone()),
            agent: Some(agent),
            reply: None,
        }])
    })
    .await?;
    Ok((StatusCode::CREATED, Json(dto)))
}

/// Adds an internal note to a case's audit trail.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases",
    params(("id" = u64, Path, description = "Case id")),
    request_body = CaseNoteDto,
    responses((status = 201, description = "The case as it is now", body = CaseDetailDto),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "Analysts may not add notes", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Changed since `version` (`stale_version`, with `current_version`)", body = ErrorBody)))]
pub async fn post_note(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CaseNoteDto>,
) -> Result<(StatusCode, Json<CaseDetailDto>), ApiError> {
    let id = case_id(&id)?;
    let text = text_of(&body.text)?;
    CaseRights(&caller).require_work("add notes")?;
    let dto = apply(&state, caller, id, body.version, move |_| {
        Ok(vec![Change::Note { text }])
    })
    .await?;
    Ok((StatusCode::CREATED, Json(dto)))
}

/// Parameters of `GET /care/stats`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CareStatsParams {
    /// Rows per `department` (default), `channel` or `brand`.
    pub by: Option<String>,
    /// Also rows per `day`, `week` or `month`.
    pub period: Option<String>,
    /// First day, YYYY-MM-DD (inclusive).
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (inclusive).
    pub to: Option<String>,
}

/// Care statistics as `tce care stats --json` prints them: first-response
/// and resolution times (p50, p90), share within SLA, breaches, reopen
/// rate, sentiment after resolution, backlog by age, cost per case (an
/// assumption). Agents get their department's only.
#[utoipa::path(get, path = "/api/v1/care/stats", tag = "cases", params(CareStatsParams),
    responses((status = 200, body = CareStatsDto),
        (status = 400, description = "A parameter names nothing (`invalid_parameter`)", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "The range starts after it ends", body = ErrorBody)))]
pub async fn get_care_stats(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(p): ApiQuery<CareStatsParams>,
) -> Result<Json<CareStatsDto>, ApiError> {
    let by: CareGroup = non_empty(&p.by)
        .map(str::parse)
        .transpose()
        .map_err(|e: String| ApiError::InvalidParameter(format!("by: {e}")))?
        .unwrap_or_default();
    let period = non_empty(&p.period)
        .map(str::parse)
        .transpose()
        .map_err(|e: String| ApiError::InvalidParameter(format!("period: {e}")))?;
    let request = CareStatsRequest {
        by,
        period,
        from: params::date("from", &p.from)?,
        to: params::date("to", &p.to)?,
        departments: CaseRights(&caller).departments(),
    };
    let model = state.model().clone();
    let stats = state
        .db()
        .read(move |s| Ok(tce_insight::care::stats(s, &model, &request, Utc::now())?))
        .await?;
    Ok(Json(CareStatsDto { stats }))
}

/// Runs the care housekeeping (`tce_pipeline::care::sweep`) once, as of
/// now, on the writer connection, and logs what it did.
pub async fn sweep_once(state: &AppState) -> Result<tce_pipeline::care::SweepSummary, ApiError> {
    let model = state.model().clone();
    let swept = state
        .db()
        .write(move |s| Ok(tce_pipeline::care::sweep(s, &model, Utc::now())))
        .await?;
    match swept {
        Ok(summary) if summary.resolved + summary.closed > 0 => {
            tracing::info!(
                message = "Care sweep.",
                resolved = summary.resolved,
                closed = summary.closed
            );
            Ok(summary)
        }
        Ok(summary) => {
            tracing::debug!(message = "Care sweep: nothing due.");
            Ok(summary)
        }
        Err(e) => {
            tracing::warn!(message = "Care sweep failed.", error = %e);
            Err(ApiError::internal("care sweep", e))
        }
    }
}

/// Every [`SWEEP_EVERY`], [`sweep_once`] in the background until the
/// returned task is aborted; a failed sweep is logged and retried next time.
pub fn spawn_sweeper(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // A failure is logged by sweep_once; the next tick tries again.
            let _ = sweep_once(&state).await;
        }
    })
}

/// How often `tce serve` runs the care housekeeping.
pub const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(60);
