//! The early-warning endpoints: `/api/v1/alerts` (list, one alert,
//! acknowledge/resolve) and `/api/v1/webhooks` (admins: webhooks, the
//! delivery outbox, test events, redelivery).
//!
//! Rights, in one place: admins and analysts read every alert; agents read
//! their department's (another department's alert is a 404 to them, so ids
//! do not leak). Admins and agents (their department's) acknowledge and
//! resolve; analysts only read. Webhooks are for admins only. Changes go
//! through `tce_pipeline::alerts::change`; the server computes nothing.

use crate::auth::{ApiCaller, Principal, Role};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use tce_pipeline::alerts::{self as pa, AlertChangeError};
use tce_store::{
    kind_str, Alert, AlertEventRow, AlertQuery, AlertScope, AlertStatus, Delivery, DeliveryStatus,
    Store, Webhook,
};
use utoipa::{IntoParams, ToSchema};

/// The early-warning routes (mounted under `/api/v1`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/alerts", get(list_alerts))
        .route("/alerts/{id}", get(get_alert).patch(patch_alert))
        .route("/webhooks", get(list_webhooks).post(create_webhook))
        .route("/webhooks/{id}", delete(delete_webhook))
        .route("/webhooks/{id}/test", post(test_webhook))
        .route("/webhooks/deliveries", get(list_deliveries))
        .route("/webhooks/deliveries/{id}/redeliver", post(redeliver))
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The departments whose alerts the caller sees (`None`: all).
fn departments(caller: &Principal) -> Option<Vec<String>> {
    match caller.role {
        Role::Admin | Role::Analyst => None,
        Role::Agent => Some(caller.department.iter().cloned().collect()),
    }
}

fn sees(caller: &Principal, a: &Alert) -> bool {
    match caller.role {
        Role::Admin | Role::Analyst => true,
        Role::Agent => caller.department.is_some() && caller.department == a.department,
    }
}

fn require_admin(caller: &Principal) -> Result<(), ApiError> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "the {} role may not manage webhooks (admins only)",
            caller.role
        )))
    }
}

/// The time window of an alert.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowDto {
    /// Start of the first anomalous bucket (RFC 3339).
    pub start: String,
    /// End of the last anomalous bucket so far.
    pub end: String,
}

/// One series an alert groups.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertSeriesDto {
    /// `negative` or `praise`.
    pub detector: String,
    /// Brand id.
    pub brand: String,
    /// Stage id, if the series is narrower than the brand.
    pub stage: Option<String>,
    /// Touchpoint id, for a touchpoint series.
    pub touchpoint: Option<String>,
    /// Whether its incident is still open.
    pub active: bool,
}

/// An alert, with the domain's field names.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertDto {
    /// Alert id.
    pub id: i64,
    /// `volume` or `negativity`.
    pub kind: String,
    /// `own`, `competitive` (a competitor's incident, not work) or `opportunity` (praise).
    pub scope: String,
    /// Brand id.
    pub brand: String,
    /// Stage of the most specific series.
    pub stage: Option<String>,
    /// Touchpoint of the most specific series.
    pub touchpoint: Option<String>,
    /// Owning department (`null` for competitive alerts).
    pub department: Option<String>,
    /// The incident's window.
    pub window: WindowDto,
    /// Seconds the figures refer to (an hour, or the day ending then).
    pub span_secs: i64,
    /// Observed count.
    pub observed: u64,
    /// Expected count.
    pub expected: f64,
    /// 95 % prediction interval of the count, inclusive.
    pub interval: [u64; 2],
    /// Smallest p-value so far.
    pub p_value: f64,
    /// 1–10: how far above expectation.
    pub severity: u8,
    /// Whether the incident is still going on.
    pub active: bool,
    /// `open`, `acknowledged` or `resolved`.
    pub status: String,
    /// When it was raised.
    pub opened_at: String,
    /// Last change.
    pub updated_at: String,
    /// When the incident ended.
    pub ended_at: Option<String>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// When.
    pub acknowledged_at: Option<String>,
    /// Who resolved it.
    pub resolved_by: Option<String>,
    /// When.
    pub resolved_at: Option<String>,
    /// Send it back with a change.
    pub version: u64,
    /// The series incidents grouped into it.
    pub series: Vec<AlertSeriesDto>,
    /// Emerging terms.
    pub terms: Vec<String>,
}

impl AlertDto {
    /// The DTO of an alert.
    pub fn new(a: &Alert) -> AlertDto {
        AlertDto {
            id: a.id,
            kind: kind_str(a.kind).into(),
            scope: a.scope.as_str().into(),
            brand: a.brand.clone(),
            stage: a.stage.clone(),
            touchpoint: a.touchpoint.clone(),
            department: a.department.clone(),
            window: WindowDto {
                start: ts(a.window_start),
                end: ts(a.window_end),
            },
            span_secs: a.span_secs,
            observed: a.observed,
            expected: (a.expected * 100.0).round() / 100.0,
            interval: [a.interval.0, a.interval.1],
            p_value: a.p_value,
            severity: a.severity,
            active: a.active,
            status: a.status.as_str().into(),
            opened_at: ts(a.opened_at),
            updated_at: ts(a.updated_at),
            ended_at: a.ended_at.map(ts),
            acknowledged_by: a.acknowledged_by.clone(),
            acknowledged_at: a.acknowledged_at.map(ts),
            resolved_by: a.resolved_by.clone(),
            resolved_at: a.resolved_at.map(ts),
            version: a.version,
            series: a
                .members
                .iter()
                .map(|m| AlertSeriesDto {
                    detector: m.detector.clone(),
                    brand: m.series.brand.clone(),
                    stage: m.series.stage.clone(),
                    touchpoint: m.series.touchpoint.clone(),
                    active: m.active,
                })
                .collect(),
            terms: a.terms.clone(),
        }
    }
}

/// One event of an alert's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertEventDto {
    /// When.
    pub at: String,
    /// `opened`, `updated`, `closed`, `acknowledged`, `resolved`.
    pub change: String,
    /// `detector` or a user.
    pub actor: String,
    /// The bucket's observed count (detector events).
    pub observed: Option<u64>,
    /// Its expected count.
    pub expected: Option<f64>,
    /// Its severity.
    pub severity: Option<u8>,
}

/// An example signal of an alert.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertExampleDto {
    /// Channel id.
    pub channel: String,
    /// The signal's id on its channel.
    pub id: String,
    /// Author (pseudonymous when the model asks).
    pub author: Option<String>,
    /// Followers of the author.
    pub reach: Option<u64>,
    /// When it was written.
    pub created_at: String,
    /// Its text.
    pub text: String,
}

/// An alert with its history and example signals.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertDetailDto {
    /// The alert.
    #[serde(flatten)]
    pub alert: AlertDto,
    /// Its history, oldest first.
    pub events: Vec<AlertEventDto>,
    /// Example signals, the most reached first.
    pub examples: Vec<AlertExampleDto>,
}

fn event_dto(e: &AlertEventRow) -> AlertEventDto {
    AlertEventDto {
        at: ts(e.at),
        change: e.change.clone(),
        actor: e.actor.clone(),
        observed: e.evidence.map(|x| x.observed),
        expected: e.evidence.map(|x| (x.expected * 100.0).round() / 100.0),
        severity: e.evidence.map(|x| x.severity),
    }
}

/// Filters of `GET /alerts`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertParams {
    /// `open` (open and acknowledged; the default), `all`, or one status.
    pub status: Option<String>,
    /// Brand id.
    pub brand: Option<String>,
    /// `own`, `competitive` or `opportunity`.
    pub scope: Option<String>,
    /// Department id (agents: their own only).
    pub department: Option<String>,
    /// At most this many (default 100).
    pub limit: Option<usize>,
}

/// Alerts, newest first. Agents see their department's only.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(AlertParams),
    responses((status = 200, body = Vec<AlertDto>),
        (status = 400, description = "A filter value names nothing", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "An agent asked for another department", body = ErrorBody)))]
pub async fn list_alerts(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(p): ApiQuery<AlertParams>,
) -> Result<Json<Vec<AlertDto>>, ApiError> {
    let bad = ApiError::InvalidParameter;
    let statuses = match p.status.as_deref().unwrap_or("open") {
        "open" => vec![AlertStatus::Open, AlertStatus::Acknowledged],
        "all" => Vec::new(),
        s => vec![s
            .parse::<AlertStatus>()
            .map_err(|e| bad(format!("status: {e}, open, all")))?],
    };
    let scope = p
        .scope
        .as_deref()
        .map(|s| s.parse::<AlertScope>())
        .transpose()
        .map_err(|e| bad(format!("scope: {e}")))?;
    let mut q = AlertQuery {
        statuses,
        brand: p.brand.clone(),
        scope,
        departments: p.department.clone().map(|d| vec![d]),
        limit: p.limit.unwrap_or(100),
        ..AlertQuery::default()
    };
    if let Some(own) = departments(&caller) {
        match &q.departments {
            Some(asked) if asked != &own => {
                return Err(ApiError::Forbidden(format!(
                    "agents see their own department's alerts only ({})",
                    own.join(", ")
                )))
            }
            _ => q.departments = Some(own),
        }
    }
    let alerts = state.db().read(move |s| Ok(s.alerts(&q)?)).await?;
    Ok(Json(alerts.iter().map(AlertDto::new).collect()))
}

fn alert_id(id: &str) -> Result<i64, ApiError> {
    id.trim()
        .parse::<i64>()
        .map_err(|_| ApiError::InvalidParameter(format!("alert id {id:?} is not a number")))
}

fn detail(store: &dyn Store, a: &Alert) -> Result<AlertDetailDto, ApiError> {
    let events = store.alert_events(a.id)?;
    let examples = pa::examples(store, a, 5)?;
    Ok(AlertDetailDto {
        alert: AlertDto::new(a),
        events: events.iter().map(event_dto).collect(),
        examples: examples
            .iter()
            .map(|s| {
                let sig = &s.signal.signal;
                AlertExampleDto {
                    channel: sig.channel.clone(),
                    id: sig.external_id.clone(),
                    author: sig.author.clone(),
                    reach: sig.author_followers,
                    created_at: ts(sig.created_at),
                    text: sig.text.clone(),
                }
            })
            .collect(),
    })
}

/// One alert with its history and example signals. Another department's
/// alert is a 404 to an agent.
#[utoipa::path(get, path = "/api/v1/alerts/{id}", tag = "alerts",
    params(("id" = i64, Path, description = "Alert id")),
    responses((status = 200, body = AlertDetailDto),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, description = "No such alert (or, to an agent, another department's)", body = ErrorBody)))]
pub async fn get_alert(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<AlertDetailDto>, ApiError> {
    let id = alert_id(&id)?;
    let dto = state
        .db()
        .read(move |s| {
            let a = s
                .alert(id)?
                .filter(|a| sees(&caller, a))
                .ok_or_else(|| ApiError::NotFound(format!("no alert {id}")))?;
            detail(s, &a)
        })
        .await?;
    Ok(Json(dto))
}

/// A change to an alert.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertPatchDto {
    /// The version read (`version` of the alert).
    pub version: u64,
    /// `acknowledged` or `resolved`.
    pub status: String,
}

/// Acknowledges or resolves an alert against the version read (open →
/// acknowledged → resolved; open → resolved). Admins, and agents on their
/// department's alerts; analysts read only.
#[utoipa::path(patch, path = "/api/v1/alerts/{id}", tag = "alerts",
    params(("id" = i64, Path, description = "Alert id")),
    request_body = AlertPatchDto,
    responses((status = 200, body = AlertDto),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "Analysts may not change alerts", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Changed since `version` (`stale_version`)", body = ErrorBody),
        (status = 422, description = "Not an allowed transition", body = ErrorBody)))]
pub async fn patch_alert(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AlertPatchDto>,
) -> Result<Json<AlertDto>, ApiError> {
    let id = alert_id(&id)?;
    if caller.role == Role::Analyst {
        return Err(ApiError::Forbidden(
            "the analyst role may read alerts, not change them".into(),
        ));
    }
    let to = body
        .status
        .parse::<AlertStatus>()
        .map_err(|e| ApiError::InvalidBody(format!("status: {e}")))?;
    let actor = match caller.token_id {
        Some(_) => caller.name.clone(),
        None => "admin".into(),
    };
    let dto = state
        .db()
        .write(move |s| {
            s.alert(id)?
                .filter(|a| sees(&caller, a))
                .ok_or_else(|| ApiError::NotFound(format!("no alert {id}")))?;
            let a =
                pa::change(s, id, to, &actor, Utc::now(), Some(body.version)).map_err(
                    |e| match e {
                        AlertChangeError::NotFound(id) => {
                            ApiError::NotFound(format!("no alert {id}"))
                        }
                        e @ AlertChangeError::NotAllowed { .. } => {
                            ApiError::InvalidTransition(e.to_string())
                        }
                        AlertChangeError::Store(tce_store::StoreError::StaleAlert {
                            current,
                            ..
                        }) => ApiError::StaleVersion {
                            message: format!(
                                "alert {id} has changed (version {current}); read it again"
                            ),
                            current_version: current,
                        },
                        AlertChangeError::Store(e) => e.into(),
                    },
                )?;
            Ok(AlertDto::new(&a))
        })
        .await?;
    Ok(Json(dto))
}

/// A webhook (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDto {
    /// Webhook id.
    pub id: i64,
    /// The department whose alerts and P1 cases it gets (`null`: all).
    pub department: Option<String>,
    /// Where deliveries are POSTed.
    pub url: String,
    /// Slack's format (`text` plus blocks) instead of the event JSON.
    pub slack: bool,
    /// When it was added.
    pub created_at: String,
}

fn webhook_dto(h: &Webhook) -> WebhookDto {
    WebhookDto {
        id: h.id,
        department: h.department.clone(),
        url: h.url.clone(),
        slack: h.slack,
        created_at: ts(h.created_at),
    }
}

/// A webhook to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhookDto {
    /// Department id; omit for every department.
    pub department: Option<String>,
    /// `http://` URL to POST to.
    pub url: String,
    /// Slack's format.
    #[serde(default)]
    pub slack: bool,
}

/// A webhook just added, with its signing secret (shown this once).
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhookDto {
    /// The webhook.
    #[serde(flatten)]
    pub webhook: WebhookDto,
    /// `whsec_…`: verify each delivery's `webhook-signature` with it (Standard Webhooks).
    pub secret: String,
}

/// A delivery in the outbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDto {
    /// Delivery id.
    pub id: i64,
    /// Webhook id.
    pub webhook_id: i64,
    /// `webhook-id` of every attempt.
    pub message_id: String,
    /// `alert.opened`, `alert.routed`, `case.p1`, `webhook.test`.
    pub event_type: String,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt_at: String,
    /// HTTP status of the last attempt.
    pub last_status: Option<u16>,
    /// The last error.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: String,
    /// When it was delivered.
    pub delivered_at: Option<String>,
}

fn delivery_dto(d: &Delivery) -> DeliveryDto {
    DeliveryDto {
        id: d.id,
        webhook_id: d.webhook_id,
        message_id: d.message_id.clone(),
        event_type: d.event_type.clone(),
        status: d.status.as_str().into(),
        attempts: d.attempts,
        next_attempt_at: ts(d.next_attempt_at),
        last_status: d.last_status,
        last_error: d.last_error.clone(),
        created_at: ts(d.created_at),
        delivered_at: d.delivered_at.map(ts),
    }
}

/// Every webhook (admins).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<WebhookDto>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<WebhookDto>>, ApiError> {
    require_admin(&caller)?;
    let hooks = state.db().read(|s| Ok(s.webhooks()?)).await?;
    Ok(Json(hooks.iter().map(webhook_dto).collect()))
}

/// Adds a webhook; its signing secret is in the answer, once (admins).
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks",
    request_body = NewWebhookDto,
    responses((status = 201, body = CreatedWebhookDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_webhook(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<NewWebhookDto>,
) -> Result<(StatusCode, Json<CreatedWebhookDto>), ApiError> {
    require_admin(&caller)?;
    let model = state.model();
    if let Some(d) = &body.department {
        if model.department(d).is_none() {
            return Err(ApiError::InvalidBody(format!(
                "department {d:?} is not a department of the model"
            )));
        }
    }
    if !body.url.starts_with("http://") {
        return Err(ApiError::InvalidBody(
            "url: an http:// URL (the server has no TLS client)".into(),
        ));
    }
    let secret = tce_alert::webhook::secret_from_bytes(&crate::auth::random_bytes(32))
        .map_err(|e| ApiError::internal("webhook secret", e))?;
    let hook = Webhook {
        id: 0,
        department: body.department,
        url: body.url,
        secret: secret.clone(),
        slack: body.slack,
        created_at: Utc::now(),
    };
    let hook = state
        .db()
        .write(move |s| {
            let id = s.insert_webhook(&hook)?;
            Ok(Webhook { id, ..hook })
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhookDto {
            webhook: webhook_dto(&hook),
            secret,
        }),
    ))
}

/// Removes a webhook (admins).
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "Webhook id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    require_admin(&caller)?;
    let removed = state.db().write(move |s| Ok(s.remove_webhook(id)?)).await?;
    if removed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("no webhook {id}")))
    }
}

/// Queues a `webhook.test` event to a webhook (admins).
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks",
    params(("id" = i64, Path, description = "Webhook id")),
    responses((status = 202, body = DeliveryDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn test_webhook(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<DeliveryDto>), ApiError> {
    require_admin(&caller)?;
    let d = state
        .db()
        .write(move |s| {
            let hook = s
                .webhooks()?
                .into_iter()
                .find(|h| h.id == id)
                .ok_or_else(|| ApiError::NotFound(format!("no webhook {id}")))?;
            let d = tce_pipeline::webhooks::test_delivery(&hook, Utc::now());
            s.enqueue_deliveries(std::slice::from_ref(&d))?;
            let stored = s
                .deliveries(Some(DeliveryStatus::Pending), 1000)?
                .into_iter()
                .find(|x| x.message_id == d.message_id)
                .ok_or_else(|| ApiError::internal("outbox", "queued delivery not found"))?;
            Ok(stored)
        })
        .await?;
    Ok((StatusCode::ACCEPTED, Json(delivery_dto(&d))))
}

/// Filters of the outbox listing.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryParams {
    /// `pending`, `delivered` or `dead`.
    pub status: Option<String>,
    /// At most this many (default 100).
    pub limit: Option<usize>,
}

/// Deliveries in the outbox, newest first (admins).
#[utoipa::path(get, path = "/api/v1/webhooks/deliveries", tag = "webhooks",
    params(DeliveryParams),
    responses((status = 200, body = Vec<DeliveryDto>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(p): ApiQuery<DeliveryParams>,
) -> Result<Json<Vec<DeliveryDto>>, ApiError> {
    require_admin(&caller)?;
    let status = p
        .status
        .as_deref()
        .map(|s| s.parse::<DeliveryStatus>())
        .transpose()
        .map_err(|e| ApiError::InvalidParameter(format!("status: {e}")))?;
    let limit = p.limit.unwrap_or(100);
    let ds = state
        .db()
        .read(move |s| Ok(s.deliveries(status, limit)?))
        .await?;
    Ok(Json(ds.iter().map(delivery_dto).collect()))
}

/// Sends a delivered or dead-lettered delivery again, with the same
/// `webhook-id` (admins).
#[utoipa::path(post, path = "/api/v1/webhooks/deliveries/{id}/redeliver", tag = "webhooks",
    params(("id" = i64, Path, description = "Delivery id")),
    responses((status = 202), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "No such delivery, or it is still pending", body = ErrorBody)))]
pub async fn redeliver(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    require_admin(&caller)?;
    let ok = state
        .db()
        .write(move |s| Ok(s.redeliver(id, Utc::now())?))
        .await?;
    if ok {
        Ok(StatusCode::ACCEPTED)
    } else {
        Err(ApiError::NotFound(format!(
            "no delivery {id} to send again (pending ones are still being sent)"
        )))
    }
}
