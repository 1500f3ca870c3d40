//! The dashboard: server-rendered pages, sign-in with a token, sessions,
//! and anti-forgery tokens on every form that changes something.
//!
//! A middleware attaches the browser's session to each request (creating
//! one when there is none, signed in as admin when the server runs with
//! `--no-auth`) and re-checks the session's token, so a revoked token signs
//! its sessions out at once. Responses carry a Content-Security-Policy that
//! allows no script at all: the pages need none, and it is a second wall
//! behind the escaping should anything slip through.

use crate::auth::{principal_of_hash, principal_of_token, Principal, Role};
use crate::error::ApiError;
use crate::insights::{self, Insights};
use crate::pages::{self, AllocForm, Page, Range, UserBar};
use crate::params::{non_empty, RangeParams, SignalParams};
use crate::session::{clear_cookie, cookie_session_id, set_cookie, Session, COOKIE_NAME};
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, SET_COOKIE, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use maud::Markup;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;
use tce_analytics::allocate::Bounds;
use tce_insight::alloc::AllocRequest;

/// Content-Security-Policy of every dashboard page: no scripts, no external
/// anything; inline styles and inline SVG only.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The dashboard's router.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(overview))
        .route("/journey", get(journey))
        .route("/channels", get(channels))
        .route("/benchmark", get(benchmark))
        .route("/quadrant", get(quadrant))
        .route("/allocation", get(allocation_get).post(allocation_post))
        .route("/finance", get(finance))
        .route("/signals", get(signals))
        .route("/login", get(login_get).post(login_post))
        .route("/logout", post(logout))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state, session_layer))
}

/// The session of the request, as the middleware found or made it.
#[derive(Debug, Clone)]
pub struct WebSession {
    id: String,
    session: Session,
}

/// Why a page was not served.
#[derive(Debug)]
pub enum PageError {
    /// Go elsewhere (sign in first).
    Redirect(&'static str),
    /// An error page.
    Error(ApiError),
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError::Error(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Redirect(to) => Redirect::to(to).into_response(),
            PageError::Error(e) => {
                let (status, code) = e.status_and_code();
                if let ApiError::Internal(detail) = &e {
                    tracing::error!(message = "Page failed.", %detail);
                }
                let retry_after = e.retry_after();
                let body = pages::error_body(status.as_u16(), code, &e.public_message());
                let doc = maud::html! {
                    (maud::DOCTYPE)
                    html lang="en" {
                        head { meta charset="utf-8"; title { "Error — tce" } style { (maud::PreEscaped(pages::CSS)) } }
                        body { header { a.brand href="/" { "tce" } } main { (body) p { a href="/" { "Back to the overview" } } } }
                    }
                };
                let mut response = (status, Html(doc.into_string())).into_response();
                if let Some(v) = retry_after {
                    response
                        .headers_mut()
                        .insert(axum::http::header::RETRY_AFTER, v);
                }
                response
            }
        }
    }
}

/// Query parameters of a page; malformed ones give an error page.
pub struct WebQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for WebQuery<T> {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PageError> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(v)| WebQuery(v))
            .map_err(|e| PageError::Error(ApiError::InvalidParameter(e.body_text())))
    }
}

/// A submitted form; a malformed one gives an error page.
pub struct WebForm<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequest<S> for WebForm<T> {
    type Rejection = PageError;
    async fn from_request(req: Request, state: &S) -> Result<Self, PageError> {
        Form::<T>::from_request(req, state)
            .await
            .map(|Form(v)| WebForm(v))
            .map_err(|e| PageError::Error(ApiError::InvalidBody(e.body_text())))
    }
}

async fn session_layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let sessions = state.sessions();
    let found = cookie_session_id(req.headers()).and_then(|id| sessions.get(&id).map(|s| (id, s)));
    let (mut id, mut session, mut fresh) = match found {
        Some((id, s)) => (id, s, false),
        None => {
            let principal = state.no_auth().then(Principal::unauthenticated_admin);
            let (id, s) = sessions.create(principal, None);
            (id, s, true)
        }
    };
    if let Some(hash) = session.token_hash {
        match principal_of_hash(&state, hash).await {
            Ok(p) => session.principal = Some(p),
            Err(ApiError::Unauthorized(_)) => {
                // Revoked since sign-in: this session is over.
                sessions.remove(&id);
                let (new_id, s) = sessions.create(None, None);
                (id, session, fresh) = (new_id, s, true);
            }
            Err(e) => return PageError::Error(e).into_response(),
        }
    }
    // A signed-in token's requests count against its rate limit, pages too.
    if let Some(p) = &session.principal {
        if let Err(e) = state.check_rate(p.token_id) {
            return PageError::Error(e).into_response();
        }
    }
    req.extensions_mut().insert(WebSession {
        id: id.clone(),
        session,
    });
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let sets_session = headers
        .get_all(SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(COOKIE_NAME.as_bytes()));
    if fresh && !sets_session {
        if let Ok(v) = HeaderValue::from_str(&set_cookie(&id, state.options().secure_cookies)) {
            headers.append(SET_COOKIE, v);
        }
    }
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Pages a role may open.
pub fn pages_for(role: Role) -> Vec<Page> {
    match role {
        Role::Admin | Role::Analyst => Page::ALL.to_vec(),
        Role::Agent => vec![Page::Journey, Page::Signals],
    }
}

/// The signed-in principal, or a redirect to the sign-in page.
fn signed_in(ws: &WebSession, page: Page) -> Result<Principal, PageError> {
    let p = ws
        .session
        .principal
        .clone()
        .ok_or(PageError::Redirect("/login"))?;
    if !pages_for(p.role).contains(&page) {
        if page == Page::Overview {
            return Err(PageError::Redirect("/journey"));
        }
        return Err(ApiError::Forbidden(format!(
            "the {} role may not open the {} page",
            p.role,
            page.title()
        ))
        .into());
    }
    Ok(p)
}

fn frame(
    state: &AppState,
    ws: &WebSession,
    p: &Principal,
    active: Page,
    heading: &str,
    body: Markup,
) -> Html<String> {
    let label = match (&p.department, state.no_auth()) {
        (_, true) => "no authentication (loopback only)".to_string(),
        (Some(d), _) => format!("{} · {} ({d})", p.name, p.role),
        (None, _) => format!("{} · {}", p.name, p.role),
    };
    let user = UserBar {
        label,
        csrf: (!state.no_auth()).then(|| ws.session.csrf.clone()),
    };
    Html(
        pages::page(
            state.model(),
            Some(active),
            &pages_for(p.role),
            Some(&user),
            heading,
            body,
        )
        .into_string(),
    )
}

fn range_of(q: &RangeParams) -> Range {
    Range {
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
    }
}

/// Runs a page's data gathering on a read connection.
async fn gather<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Insights<'_>) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let st = state.clone();
    state
        .db()
        .read(move |s| {
            let model = st.model().clone();
            let ins = Insights {
                model: &model,
                store: s,
                state: Some(&st),
            };
            f(&ins)
        })
        .await
}

async fn overview(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<RangeParams>,
) -> Result<Html<String>, PageError> {
    let p = signed_in(&ws, Page::Overview)?;
    let mut filter = q.filter(state.model())?;
    filter.brand = None;
    let v = gather(&state, move |ins| crate::views::overview(ins, &filter)).await?;
    let body = pages::overview(state.model(), &v, &range_of(&q), true);
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Overview,
        Page::Overview.title(),
        body,
    ))
}

async fn journey(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<RangeParams>,
) -> Result<Html<String>, PageError> {
    let p = signed_in(&ws, Page::Journey)?;
    let filter = q.filter(state.model())?;
    let scope = p.touchpoint_scope(state.model());
    let v = gather(&state, move |ins| {
        crate::views::journey(ins, &filter, scope.as_ref())
    })
    .await?;
    let body = pages::journey(state.model(), &v, &range_of(&q), true);
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Journey,
        Page::Journey.title(),
        body,
    ))
}

async fn channels(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<RangeParams>,
) -> Result<Html<String>, PageError> {
    let p = signed_in(&ws, Page::Channels)?;
    let filter = q.filter(state.model())?;
    let w = gather(&state, move |ins| crate::views::channels(ins, &filter)).await?;
    let body = pages::channels(state.model(), &w, &range_of(&q), true);
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Channels,
        Page::Channels.title(),
        body,
    ))
}

async fn benchmark(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<RangeParams>,
) -> Result<Html<String>, PageError> {
    let p = signed_in(&ws, Page::Benchmark)?;
    let filter = q.filter(state.model())?;
    let v = gather(&state, move |ins| {
        crate::views::benchmark_view(ins, &filter)
    })
    .await?;
    let body = pages::benchmark(state.model(), &v, &range_of(&q), true);
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Benchmark,
        Page::Benchmark.title(),
        body,
    ))
}

async fn quadrant(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<RangeParams>,
) -> Result<Html<String>, PageError> {
    let p = signed_in(&ws, Page::Quadrant)?;
    let filter = q.filter(state.model())?;
    let v = gather(&state, move |ins| crate::views::quadrant(ins, &filter)).await?;
    let body = pages::quadrant(state.model(), &v, &range_of(&q), true);
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Quadrant,
        Page::Quadrant.title(),
        body,
    ))
}

/// Parses `key=number, key=number`.
pub fn parse_amounts(field: &str, s: &str) -> Result<BTreeMap<String, f64>, String> {
    s.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p
                .split_once('=')
                .ok_or_else(|| format!("{field}: {p:?} is not NAME=NUMBER"))?;
            let v: f64 = v
                .trim()
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite())
                .ok_or_else(|| format!("{field}: {p:?} is not NAME=NUMBER"))?;
            Ok((k.trim().to_string(), v))
        })
        .collect()
}

/// The allocation request a form asks for.
pub fn alloc_request(form: &AllocForm) -> Result<AllocRequest, String> {
    let budget: f64 = form
        .budget
        .trim()
        .parse()
        .map_err(|_| format!("budget {:?} is not a number", form.budget))?;
    let stage_weights = match form.stage_weights.trim() {
        "" => None,
        s => Some(parse_amounts("stage weights", s)?),
    };
    Ok(AllocRequest {
        budget,
        objective: match form.objective.trim() {
            "" => "retain".into(),
            o => o.to_string(),
        },
        stage_weights,
        bounds: Bounds {
            min: parse_amounts("minimum", &form.min)?,
            max: parse_amounts("maximum", &form.max)?,
        },
    })
}

async fn plan(
    state: AppState,
    ws: WebSession,
    p: Principal,
    form: AllocForm,
) -> Result<Html<String>, PageError> {
    let result = match alloc_request(&form) {
        Err(m) => Err(m),
        Ok(req) => {
            let filter = tce_insight::scores::Filter::default();
            match gather(&state, move |ins| {
                crate::views::allocation(ins, &filter, &req)
            })
            .await
            {
                Ok(r) => Ok(r),
                Err(ApiError::Unprocessable(m)) => Err(m),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let body = pages::allocation(state.model(), &form, Some(&ws.session.csrf), &result);
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Allocation,
        Page::Allocation.title(),
        body,
    ))
}

async fn allocation_get(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
) -> Result<Html<String>, PageError> {
    let p = signed_in(&ws, Page::Allocation)?;
    plan(state, ws, p, AllocForm::default()).await
}

async fn allocation_post(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebForm(form): WebForm<AllocForm>,
) -> Result<Html<String>, PageError> {
    let p = signed_in(&ws, Page::Allocation)?;
    if !ws.session.csrf_ok(&form.csrf) {
        return Err(ApiError::CsrfFailed.into());
    }
    plan(state, ws, p, form).await
}

/// Parameters of the finance page.
#[derive(Debug, Default, Deserialize)]
pub struct FinanceQuery {
    what_if: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

async fn finance(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<FinanceQuery>,
) -> Result<Html<String>, PageError> {
    let p = signed_in(&ws, Page::Finance)?;
    let what_if = crate::params::number("what_if", &q.what_if)?.unwrap_or(5.0);
    let filter = RangeParams {
        from: q.from,
        to: q.to,
        ..RangeParams::default()
    }
    .filter(state.model())?;
    let r = gather(&state, move |ins| {
        crate::views::finance(ins, &filter, what_if)
    })
    .await?;
    let body = pages::finance(state.model(), &r, what_if, true);
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Finance,
        Page::Finance.title(),
        body,
    ))
}

async fn signals(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<SignalParams>,
) -> Result<Html<String>, PageError> {
    let p = signed_in(&ws, Page::Signals)?;
    let query = q.query(state.model())?;
    let scope = p.touchpoint_scope(state.model());
    let cursor = non_empty(&q.cursor).map(str::to_string);
    let sc = scope.clone();
    let page = state
        .db()
        .read(move |s| insights::signal_page(s, query, cursor.as_deref(), sc.as_ref()))
        .await?;
    let body = pages::signals(state.model(), &q, &page, scope.as_ref(), true);
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Signals,
        Page::Signals.title(),
        body,
    ))
}

async fn login_get(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
) -> Response {
    if ws.session.principal.is_some() {
        return Redirect::to("/").into_response();
    }
    Html(pages::sign_in(state.model(), &ws.session.csrf, None).into_string()).into_response()
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    csrf: String,
}

async fn login_post(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebForm(form): WebForm<LoginForm>,
) -> Result<Response, PageError> {
    if !ws.session.csrf_ok(&form.csrf) {
        return Err(ApiError::CsrfFailed.into());
    }
    let principal = match principal_of_token(&state, &form.token).await {
        Ok(p) => p,
        Err(ApiError::Unauthorized(m)) => {
            let page = pages::sign_in(
                state.model(),
                &ws.session.csrf,
                Some(&format!("Not signed in: {m}.")),
            );
            return Ok((StatusCode::UNAUTHORIZED, Html(page.into_string())).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(message = "Signed in.", token = %principal.name, role = %principal.role);
    // A new session id on sign-in: an id planted before sign-in is worthless.
    state.sessions().remove(&ws.id);
    let hash = crate::auth::hash_token(&form.token);
    let (id, _) = state.sessions().create(Some(principal), Some(hash));
    let mut response = Redirect::to("/").into_response();
    if let Ok(v) = HeaderValue::from_str(&set_cookie(&id, state.options().secure_cookies)) {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
}

/// The sign-out form.
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebForm(form): WebForm<LogoutForm>,
) -> Result<Response, PageError> {
    if !ws.session.csrf_ok(&form.csrf) {
        return Err(ApiError::CsrfFailed.into());
    }
    state.sessions().remove(&ws.id);
    let mut response = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&clear_cookie(state.options().secure_cookies)) {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
}

async fn not_found() -> PageError {
    PageError::Error(ApiError::NotFound("no such page".into()))
}
