//! The REST API under `/api/v1`: handlers, their OpenAPI annotations and the
//! document generated from them (`/api/v1/openapi.json`).
//!
//! Handlers check the caller's role, parse parameters against the model and
//! hand the work to the blocking pool through [`Db`](crate::db::Db); the
//! numbers come from [`crate::insights`], as on the dashboard.

use crate::auth::{generate_token, hash_token, Access, ApiCaller, Role};
use crate::dto::*;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, LimitedBody};
use crate::insights::{self, Insights};
use crate::params::{self, non_empty, RangeParams, SignalParams};
use crate::state::AppState;
use crate::tokens::NewToken;
use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::collections::BTreeMap;
use tce_analytics::allocate::Bounds;
use tce_ingest::{parse_body, Format, IngestError, ReadOptions};
use tce_insight::alloc::AllocRequest;
use tce_insight::scores::{benchmark, By, ScoreQuery};
use tce_model::EnrichedSignal;
use tce_pipeline::Door;
use tce_store::Store;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};

/// The OpenAPI document, generated from the handlers and types below.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "tce API",
        version = "1",
        description = "Customer signals in, Total Customer Experience scores out. \
            Every request except /health and /openapi.json needs `Authorization: Bearer <token>` \
            (tokens: `tce token create`). Every error is `{\"error\": {\"code\", \"message\"}}`."
    ),
    paths(
        post_signals, get_signals, get_scores, get_weights, get_benchmark, get_journey,
        post_allocate, get_finance, get_model, list_tokens, create_token, revoke_token, health,
        get_kpis, crate::cases::list_cases, crate::cases::get_case, crate::cases::patch_case,
        crate::cases::post_response, crate::cases::post_note, crate::cases::get_care_stats,
        crate::maturity::get_assessments, crate::maturity::post_assessment,
        crate::advocacy::get_advocates, crate::advocacy::get_net_advocacy,
        crate::advocacy::get_moments, crate::advocacy::patch_moment, crate::advocacy::get_ideas,
        crate::advocacy::get_idea, crate::advocacy::patch_idea, crate::advocacy::merge_idea,
        crate::advocacy::split_idea,
        crate::alerts::list_alerts, crate::alerts::get_alert, crate::alerts::patch_alert,
        crate::alerts::list_webhooks, crate::alerts::create_webhook, crate::alerts::delete_webhook,
        crate::alerts::test_webhook, crate::alerts::list_deliveries, crate::alerts::redeliver
    ),
    components(schemas(ErrorBody, SignalRecordDto)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "signals", description = "Ingest and browse customer signals"),
        (name = "scores", description = "TES, stage scores, TCE index, journey"),
        (name = "analysis", description = "Weights, benchmark, allocation, finance (admin, analyst)"),
        (name = "cases", description = "Social customer care: the case queue, cases, changes, responses, notes, care statistics"),
        (name = "advocacy", description = "Advocates, net advocacy, moments of truth and ideas"),
        (name = "alerts", description = "Early warning: anomalies per brand × touchpoint, routed to the owning department; acknowledge, resolve"),
        (name = "webhooks", description = "Signed webhooks (Standard Webhooks) that alerts and P1 cases are delivered to, and the delivery outbox (admin)"),
        (name = "model", description = "The TCE model"),
        (name = "tokens", description = "Access tokens (admin)"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // Every authenticated operation is rate limited per token.
        let rate_limited = utoipa::openapi::ResponseBuilder::new()
            .description("The token is over its request rate (`rate_limited`); see Retry-After")
            .content(
                "application/json",
                utoipa::openapi::ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                if op.responses.responses.contains_key("401") {
                    op.responses.responses.insert(
                        "429".to_string(),
                        utoipa::openapi::RefOr::T(rate_limited.clone()),
                    );
                }
            }
        }
    }
}

/// A record of our signal schema, as `POST /signals` takes it (see
/// `docs/signal-format.md`).
#[derive(Debug, utoipa::ToSchema)]
pub struct SignalRecordDto {
    /// The source's id, a string or an integer; with `channel` the dedupe key.
    pub id: String,
    /// A channel id of the model.
    pub channel: String,
    /// What the customer said.
    pub text: String,
    /// RFC 3339 time (other common forms accepted).
    pub created_at: String,
    /// Brand id, name, @handle or alias; detected from the text when absent.
    pub brand: Option<String>,
    /// Author handle.
    pub author: Option<String>,
    /// Author followers.
    pub author_followers: Option<u64>,
    /// Overall rating (needs `rating_scale`).
    pub rating: Option<f64>,
    /// `stars5`, `csat5` or `nps10`.
    pub rating_scale: Option<String>,
    /// Stage id → rating on `rating_scale`.
    pub stage_ratings: Option<BTreeMap<String, f64>>,
    /// The id this record replies to.
    pub in_reply_to: Option<String>,
    /// Link to the original.
    pub url: Option<String>,
    /// Language code.
    pub lang: Option<String>,
}

/// The API router (mounted at `/api/v1`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/signals", post(post_signals).get(get_signals))
        .route("/scores", get(get_scores))
        .route("/weights", get(get_weights))
        .route("/benchmark", get(get_benchmark))
        .route("/kpis", get(get_kpis))
        .route("/journey", get(get_journey))
        .route("/allocate", post(post_allocate))
        .route("/finance", get(get_finance))
        .route("/model", get(get_model))
        .route(
            "/assessments",
            get(crate::maturity::get_assessments).post(crate::maturity::post_assessment),
        )
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
        .merge(crate::cases::router())
        .merge(crate::advocacy::api_router())
        .merge(crate::alerts::router())
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such API endpoint (see /api/v1/openapi.json)".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Liveness: the server answers.
#[utoipa::path(get, path = "/api/v1/health", tag = "model", security(()),
    responses((status = 200, body = HealthDto)))]
async fn health() -> Json<HealthDto> {
    Json(HealthDto {
        status: "ok".into(),
    })
}

/// Parameters of `POST /signals`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IngestParams {
    /// `jsonl` (our schema; default, detected), `twitter` (an X API v2 response) or `reddit` (a listing).
    pub format: Option<String>,
}

/// Ingests a batch of signals: our schema as a JSON array or NDJSON (or an
/// X API v2 response / Reddit listing). Each record is enriched (sentiment,
/// intents, brand, touchpoints) and stored in one transaction, deduplicated
/// on (channel, id) as by `tce ingest`. Bad records are rejected with a
/// reason; the rest are stored. When the answer arrives the batch is durable.
#[utoipa::path(post, path = "/api/v1/signals", tag = "signals", params(IngestParams),
    request_body(description = "Records of our signal schema", content(
        (Vec<SignalRecordDto> = "application/json"),
        (String = "application/x-ndjson"))),
    responses(
        (status = 200, description = "What was stored and what was rejected", body = IngestResult),
        (status = 400, description = "Not JSON at all (`invalid_json`), or an unknown format", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, description = "Body over the size limit (`payload_too_large`)", body = ErrorBody)))]
async fn post_signals(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(p): ApiQuery<IngestParams>,
    LimitedBody(body): LimitedBody,
) -> Result<Json<IngestResult>, ApiError> {
    caller.require(Access::Ingest)?;
    let format = match non_empty(&p.format) {
        None => None,
        Some(f) => match f.parse::<Format>() {
            Ok(Format::Csv) | Err(_) => {
                return Err(ApiError::InvalidParameter(format!(
                    "format {f:?}: use jsonl, twitter or reddit"
                )))
            }
            Ok(f) => Some(f),
        },
    };
    let _permit = state
        .ingest_permits()
        .acquire()
        .await
        .map_err(|e| ApiError::internal("ingest permits", e))?;
    let model = state.model().clone();
    let pipeline = state.pipeline().clone();
    let (batch, rejects) = crate::db::spawn_blocking(move || {
        let (parsed, rejects) =
            parse_body(&body, format, &ReadOptions::default(), &model, "request").map_err(|e| {
                match e {
                    IngestError::NotJson(m) => ApiError::InvalidJson(format!("not JSON: {m}")),
                    IngestError::Json { message, .. } => {
                        ApiError::InvalidJson(format!("malformed JSON: {message}"))
                    }
                    other => ApiError::InvalidBody(other.to_string()),
                }
            })?;
        let batch: Vec<EnrichedSignal> = pipeline.prepare_all(parsed.into_iter().map(|p| p.signal));
        pipeline.rejected(Door::Http, rejects.len());
        Ok::<_, ApiError>((batch, rejects))
    })
    .await??;
    let summary = state.db().insert(state.pipeline().clone(), batch).await?;
    if summary.accepted > 0 {
        state.data_changed();
    }
    tracing::debug!(
        message = "Ingested batch.",
        accepted = summary.accepted,
        duplicate = summary.duplicates,
        rejected = rejects.len(),
        token = %caller.name
    );
    Ok(Json(IngestResult {
        accepted: summary.accepted,
        duplicate: summary.duplicates,
        rejected: rejects.len() as u64,
        rejects: rejects
            .into_iter()
            .map(|r| RejectDto {
                line: r.line,
                reason: r.reason,
            })
            .collect(),
    }))
}

/// Lists signals, newest first, with filters and cursor pagination. Agents
/// see only signals about their department's touchpoints.
#[utoipa::path(get, path = "/api/v1/signals", tag = "signals", params(SignalParams),
    responses((status = 200, body = SignalPageDto),
        (status = 400, description = "A filter names nothing in the model, or a bad cursor", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_signals(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(p): ApiQuery<SignalParams>,
) -> Result<Json<SignalPageDto>, ApiError> {
    caller.require(Access::ReadSignals)?;
    let model = state.model().clone();
    let query = p.query(&model)?;
    let scope = caller.touchpoint_scope(&model);
    let cursor = non_empty(&p.cursor).map(str::to_string);
    let page = state
        .db()
        .read(move |s| insights::signal_page(s, query, cursor.as_deref(), scope.as_ref()))
        .await?;
    Ok(Json(SignalPageDto {
        items: page.items.iter().map(SignalDto::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Parameters of `GET /scores`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScoreParams {
    /// `brand` (TCE index), `stage`, `touchpoint` (TES; default) or `channel`.
    pub by: Option<String>,
    /// `day`, `week` or `month` buckets; absent = the whole range.
    pub period: Option<String>,
    /// First day, YYYY-MM-DD.
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD.
    pub to: Option<String>,
    /// Brand id, name, handle or alias.
    pub brand: Option<String>,
    /// Channel id.
    pub channel: Option<String>,
}

/// Scores per brand, stage, touchpoint or channel, optionally per period
/// with the change against the previous one. Agents may only ask
/// `by=touchpoint` and see their department's touchpoints.
#[utoipa::path(get, path = "/api/v1/scores", tag = "scores", params(ScoreParams),
    responses((status = 200, body = ScoreReportDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_scores(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(p): ApiQuery<ScoreParams>,
) -> Result<Json<ScoreReportDto>, ApiError> {
    caller.require(Access::ReadScores)?;
    let model = state.model().clone();
    let by: By = non_empty(&p.by)
        .unwrap_or("touchpoint")
        .parse()
        .map_err(|e: String| ApiError::InvalidParameter(format!("by: {e}")))?;
    let period = non_empty(&p.period)
        .map(str::parse)
        .transpose()
        .map_err(|e: String| ApiError::InvalidParameter(format!("period: {e}")))?;
    let filter = RangeParams {
        from: p.from,
        to: p.to,
        brand: p.brand,
        channel: p.channel,
    }
    .filter(&model)?;
    let scope = caller.touchpoint_scope(&model);
    if scope.is_some() && by != By::Touchpoint {
        return Err(ApiError::Forbidden(
            "agents may read touchpoint scores only (by=touchpoint)".into(),
        ));
    }
    let q = ScoreQuery { by, period, filter };
    let st = state.clone();
    let report = state
        .db()
        .read(move |s| {
            let ins = Insights {
                model: &model,
                store: s,
                state: Some(&st),
            };
            ins.score(&q)
        })
        .await?;
    let mut dto = ScoreReportDto::from(report.as_ref());
    if let Some(scope) = scope {
        dto.rows
            .retain(|r| r.touchpoint.as_ref().is_some_and(|t| scope.contains(t)));
    }
    Ok(Json(dto))
}

/// Parameters of `GET /weights`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WeightParams {
    /// First day, YYYY-MM-DD.
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD.
    pub to: Option<String>,
    /// Bootstrap resamples for the intervals, 0–1000 (default 0: no intervals).
    pub bootstrap: Option<String>,
}

/// Stage weights (derived from surveys when possible, each with its source)
/// and channel influence per stage.
#[utoipa::path(get, path = "/api/v1/weights", tag = "analysis", params(WeightParams),
    responses((status = 200, body = WeightsDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_weights(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(p): ApiQuery<WeightParams>,
) -> Result<Json<WeightsDto>, ApiError> {
    caller.require(Access::Analysis)?;
    let model = state.model().clone();
    let filter = RangeParams {
        from: p.from,
        to: p.to,
        ..RangeParams::default()
    }
    .filter(&model)?;
    let bootstrap = match non_empty(&p.bootstrap) {
        None => 0,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= 1000)
            .ok_or_else(|| {
                ApiError::InvalidParameter(format!("bootstrap {s:?}: expected 0 to 1000"))
            })?,
    };
    let st = state.clone();
    let w = state
        .db()
        .read(move |s| {
            Insights {
                model: &model,
                store: s,
                state: Some(&st),
            }
            .weights_with_intervals(&filter, bootstrap)
        })
        .await?;
    Ok(Json(WeightsDto::from(w.as_ref())))
}

/// Parameters of `GET /kpis`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiParams {
    /// First day, YYYY-MM-DD.
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD.
    pub to: Option<String>,
    /// Brand id, name, handle or alias.
    pub brand: Option<String>,
    /// `day`, `week` or `month` breakdown of the KPIs (and the share-of-voice
    /// trend; default week); absent = KPIs over the whole range only.
    pub period: Option<String>,
}

/// Headline KPIs: NPS (0–10 ratings) and CSAT (top-two-box of five-point
/// ratings) per brand, stage and period with n and 95 % intervals, and each
/// brand's share of voice per social channel.
#[utoipa::path(get, path = "/api/v1/kpis", tag = "scores", params(KpiParams),
    responses((status = 200, body = KpisDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_kpis(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(p): ApiQuery<KpiParams>,
) -> Result<Json<KpisDto>, ApiError> {
    caller.require(Access::Analysis)?;
    let model = state.model().clone();
    let period: Option<tce_insight::period::Period> = non_empty(&p.period)
        .map(str::parse)
        .transpose()
        .map_err(|e: String| ApiError::InvalidParameter(format!("period: {e}")))?;
    let filter = RangeParams {
        from: p.from,
        to: p.to,
        brand: p.brand,
        channel: None,
    }
    .filter(&model)?;
    let dto = state
        .db()
        .read(move |s| {
            let kpis = tce_insight::kpi::kpis(
                &model,
                s,
                &tce_insight::kpi::KpiQuery {
                    from: filter.from,
                    to: filter.to,
                    brand: filter.brand.clone(),
                    period,
                },
            )?;
            let share_of_voice = tce_insight::voice::share_of_voice(
                &model,
                s,
                filter.from,
                filter.to,
                period.unwrap_or(tce_insight::period::Period::Week),
            )?;
            Ok::<_, ApiError>(KpisDto {
                kpis,
                share_of_voice,
            })
        })
        .await?;
    Ok(Json(dto))
}

/// Brands side by side per stage, with the own brand's gap to the best competitor.
#[utoipa::path(get, path = "/api/v1/benchmark", tag = "analysis", params(RangeParams),
    responses((status = 200, body = BenchmarkDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_benchmark(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(p): ApiQuery<RangeParams>,
) -> Result<Json<BenchmarkDto>, ApiError> {
    caller.require(Access::Analysis)?;
    let model = state.model().clone();
    let mut filter = p.filter(&model)?;
    filter.brand = None;
    let st = state.clone();
    let dto = state
        .db()
        .read(move |s| {
            let ins = Insights {
                model: &model,
                store: s,
                state: Some(&st),
            };
            let cards = ins.cards(&filter)?;
            let w = ins.weights(&filter)?;
            let net =
                tce_insight::advocacy::net_by_brand_between(s, &model, filter.from, filter.to)?;
            Ok(BenchmarkDto::new(
                &benchmark(&model, &cards),
                w.source(),
                &net,
            ))
        })
        .await?;
    Ok(Json(dto))
}

/// The stage × touchpoint matrix of one brand (default: the own brand):
/// TES, signals and Net Sentiment per touchpoint, stage scores. Agents see
/// their department's touchpoints only.
#[utoipa::path(get, path = "/api/v1/journey", tag = "scores", params(RangeParams),
    responses((status = 200, body = JourneyDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_journey(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(p): ApiQuery<RangeParams>,
) -> Result<Json<JourneyDto>, ApiError> {
    caller.require(Access::ReadScores)?;
    let model = state.model().clone();
    let filter = p.filter(&model)?;
    let scope = caller.touchpoint_scope(&model);
    let st = state.clone();
    let dto = state
        .db()
        .read(move |s| {
            let ins = Insights {
                model: &model,
                store: s,
                state: Some(&st),
            };
            let brand = match &filter.brand {
                Some(b) => b.clone(),
                None => ins
                    .default_brand()
                    .ok_or_else(|| ApiError::Unprocessable("the model has no brands".into()))?,
            };
            let card = ins
                .card(&filter, &brand)?
                .ok_or_else(|| ApiError::NotFound(format!("no data for brand {brand:?}")))?;
            Ok(insights::journey(&model, &card, scope.as_ref()))
        })
        .await?;
    Ok(Json(dto))
}

/// Splits a budget over social channel × stage cells where it raises the
/// own brand's TCE index most, with a reason per line.
#[utoipa::path(post, path = "/api/v1/allocate", tag = "analysis",
    request_body = AllocateRequestDto,
    responses((status = 200, body = AllocReportDto),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "Cannot allocate as asked (e.g. minimums over the budget)", body = ErrorBody)))]
async fn post_allocate(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(req): ApiJson<AllocateRequestDto>,
) -> Result<Json<AllocReportDto>, ApiError> {
    caller.require(Access::Analysis)?;
    let model = state.model().clone();
    let filter = RangeParams {
        from: req.from.clone(),
        to: req.to.clone(),
        ..RangeParams::default()
    }
    .filter(&model)?;
    let request = AllocRequest {
        budget: req.budget,
        objective: req.objective.clone().unwrap_or_else(|| "retain".into()),
        stage_weights: req.stage_weights.clone(),
        bounds: Bounds {
            min: req.min.clone(),
            max: req.max.clone(),
        },
    };
    let st = state.clone();
    let report = state
        .db()
        .read(move |s| {
            let ins = Insights {
                model: &model,
                store: s,
                state: Some(&st),
            };
            crate::views::allocation(&ins, &filter, &request)
        })
        .await?;
    Ok(Json(AllocReportDto::from(&report)))
}

/// Parameters of `GET /finance`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FinanceParams {
    /// Score change in points for the what-if (default 5).
    pub what_if: Option<String>,
    /// First day, YYYY-MM-DD.
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD.
    pub to: Option<String>,
}

/// Elasticity of outcomes to experience with a confidence interval,
/// what-if, and revenue at risk from negative posts (defaults labelled).
#[utoipa::path(get, path = "/api/v1/finance", tag = "analysis", params(FinanceParams),
    responses((status = 200, body = FinanceDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_finance(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(p): ApiQuery<FinanceParams>,
) -> Result<Json<FinanceDto>, ApiError> {
    caller.require(Access::Analysis)?;
    let model = state.model().clone();
    let what_if = params::number("what_if", &p.what_if)?.unwrap_or(5.0);
    let filter = RangeParams {
        from: p.from,
        to: p.to,
        ..RangeParams::default()
    }
    .filter(&model)?;
    let st = state.clone();
    let report = state
        .db()
        .read(move |s| {
            Insights {
                model: &model,
                store: s,
                state: Some(&st),
            }
            .finance(&filter, what_if)
        })
        .await?;
    Ok(Json(FinanceDto::from(report.as_ref())))
}

/// The TCE model: stages, departments, touchpoints, channels, brands, finance parameters.
#[utoipa::path(get, path = "/api/v1/model", tag = "model",
    responses((status = 200, body = ModelDto), (status = 401, body = ErrorBody)))]
async fn get_model(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<ModelDto>, ApiError> {
    caller.require(Access::Model)?;
    Ok(Json(ModelDto::from(state.model().as_ref())))
}

fn token_dto(t: &crate::tokens::TokenRecord) -> TokenDto {
    TokenDto {
        id: t.id,
        name: t.name.clone(),
        role: t.role.clone(),
        department: t.department.clone(),
        created_at: t.created_at.to_rfc3339(),
        revoked_at: t.revoked_at.map(|r| r.to_rfc3339()),
    }
}

/// All tokens, revoked ones included (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_tokens(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<TokenDto>>, ApiError> {
    caller.require(Access::Tokens)?;
    let tokens = state.db().read(|s| Ok(s.list_tokens()?)).await?;
    Ok(Json(tokens.iter().map(token_dto).collect()))
}

/// Checks a role and department against the model.
pub fn check_role_department(
    model: &tce_model::Model,
    role: Role,
    department: Option<&str>,
) -> Result<(), String> {
    match (role, department) {
        (Role::Agent, None) => Err("an agent token needs a department".into()),
        (Role::Agent, Some(d)) if model.department(d).is_none() => Err(format!(
            "department {d:?} is not a department of the model (departments: {})",
            model
                .departments
                .iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        (Role::Admin | Role::Analyst, Some(_)) => {
            Err("only agent tokens belong to a department".into())
        }
        _ => Ok(()),
    }
}

/// Creates a token; the secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = CreateTokenDto,
    responses((status = 200, body = CreatedTokenDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(req): ApiJson<CreateTokenDto>,
) -> Result<Json<CreatedTokenDto>, ApiError> {
    caller.require(Access::Tokens)?;
    let department = req
        .department
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    check_role_department(state.model(), req.role, department).map_err(ApiError::InvalidBody)?;
    let token = generate_token();
    let new = NewToken {
        name: req
            .name
            .clone()
            .unwrap_or_else(|| format!("{} token", req.role)),
        role: req.role.as_str().to_string(),
        department: department.map(str::to_string),
        hash: hash_token(&token),
        created_at: chrono::Utc::now(),
    };
    let name = new.name.clone();
    let dept = new.department.clone();
    let id = state.db().write(move |s| Ok(s.create_token(&new)?)).await?;
    tracing::info!(message = "Token created.", id, role = %req.role, by = %caller.name);
    Ok(Json(CreatedTokenDto {
        id,
        token,
        name,
        role: req.role,
        department: dept,
    }))
}

/// Revokes a token at once (API calls and dashboard sessions using it stop working).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 200, body = TokenDto), (status = 404, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<TokenDto>, ApiError> {
    caller.require(Access::Tokens)?;
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::InvalidParameter(format!("token id {id:?} is not a number")))?;
    let record = state
        .db()
        .write(move |s| {
            s.revoke_token(id, chrono::Utc::now())?;
            Ok(s.list_tokens()?.into_iter().find(|t| t.id == id))
        })
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no token {id}")))?;
    tracing::info!(message = "Token revoked.", id, by = %caller.name);
    Ok(Json(token_dto(&record)))
}
