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
use chrono::NaiveDate;
use maud::Markup;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;
use tce_analytics::allocate::Bounds;
use tce_insight::alloc::AllocRequest;
use tce_insight::scores::{By, Filter, ScoreQuery};

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
        .route(
            "/maturity",
            get(crate::maturity::page_get).post(crate::maturity::page_post),
        )
        .route("/signals", get(signals))
        .route("/export/scores.csv", get(export_scores_csv))
        .route("/export/signals.csv", get(export_signals_csv))
        .route("/export/finance.csv", get(export_finance_csv))
        .route("/export/allocation.csv", get(export_allocation_csv))
        .merge(crate::care_pages::router())
        .merge(crate::advocacy::page_router())
        .merge(crate::alert_pages::router())
        .route("/login", get(login_get).post(login_post))
        .route("/logout", post(logout))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state, session_layer))
}

/// The session of the request, as the middleware found or made it.
#[derive(Debug, Clone)]
pub struct WebSession {
    id: String,
    pub(crate) session: Session,
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
        Role::Agent => vec![
            Page::Journey,
            Page::Signals,
            Page::Cases,
            Page::Care,
            Page::Alerts,
        ],
    }
}

/// The pages a principal may open: their role's and, for an agent of the
/// department that owns ideas, the Ideas pages too (as on the API).
pub(crate) fn pages_of(state: &AppState, p: &Principal) -> Vec<Page> {
    let mut pages = pages_for(p.role);
    if p.role == Role::Agent
        && p.department.as_deref()
            == Some(tce_pipeline::advocacy::ideas_department(state.model()).as_str())
    {
        pages.push(Page::Ideas);
    }
    pages
}

/// The signed-in principal, or a redirect to the sign-in page.
pub(crate) fn signed_in(ws: &WebSession, page: Page) -> Result<Principal, PageError> {
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

pub(crate) fn frame(
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
            &pages_of(state, p),
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
pub(crate) async fn gather<T: Send + 'static>(
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
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Overview)?;
    let mut filter = match checked_range(&state, &q) {
        Ok(f) => f,
        Err(m) => return invalid_range(&state, &ws, &p, Page::Overview, &q, m),
    };
    filter.brand = None;
    let v = gather(&state, move |ins| crate::views::overview(ins, &filter)).await?;
    let care = crate::care_pages::overview_care(&state).await?;
    let advocacy = crate::advocacy::overview_block(&state).await?;
    let alerts = crate::alert_pages::overview_block(&state, &p).await?;
    let body = maud::html! {
        (pages::overview(state.model(), &v, &range_of(&q), true))
        (alerts)
        (advocacy)
        (care)
    };
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Overview,
        Page::Overview.title(),
        body,
    )
    .into_response())
}

async fn journey(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<RangeParams>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Journey)?;
    let filter = match checked_range(&state, &q) {
        Ok(f) => f,
        Err(m) => return invalid_range(&state, &ws, &p, Page::Journey, &q, m),
    };
    let scope = p.touchpoint_scope(state.model());
    let v = gather(&state, move |ins| {
        crate::views::journey(ins, &filter, scope.as_ref())
    })
    .await?;
    let alerts = crate::alert_pages::journey_block(&state, &p).await?;
    let body = maud::html! {
        (alerts)
        (pages::journey(state.model(), &v, &range_of(&q), true))
    };
    Ok(frame(&state, &ws, &p, Page::Journey, Page::Journey.title(), body).into_response())
}

async fn channels(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<RangeParams>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Channels)?;
    let filter = match checked_range(&state, &q) {
        Ok(f) => f,
        Err(m) => return invalid_range(&state, &ws, &p, Page::Channels, &q, m),
    };
    let v = gather(&state, move |ins| crate::views::channels(ins, &filter)).await?;
    let body = pages::channels(state.model(), &v, &range_of(&q), true);
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Channels,
        Page::Channels.title(),
        body,
    )
    .into_response())
}

async fn benchmark(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<RangeParams>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Benchmark)?;
    let filter = match checked_range(&state, &q) {
        Ok(f) => f,
        Err(m) => return invalid_range(&state, &ws, &p, Page::Benchmark, &q, m),
    };
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
    )
    .into_response())
}

async fn quadrant(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<RangeParams>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Quadrant)?;
    let filter = match checked_range(&state, &q) {
        Ok(f) => f,
        Err(m) => return invalid_range(&state, &ws, &p, Page::Quadrant, &q, m),
    };
    let v = gather(&state, move |ins| crate::views::quadrant(ins, &filter)).await?;
    let body = pages::quadrant(state.model(), &v, &range_of(&q), true);
    Ok(frame(
        &state,
        &ws,
        &p,
        Page::Quadrant,
        Page::Quadrant.title(),
        body,
    )
    .into_response())
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
) -> Result<Response, PageError> {
    let problems = alloc_problems(state.model(), &form);
    let request = if problems.is_empty() {
        alloc_request(&form).map_err(|m| in_page_words(&m))
    } else {
        Err(problems.join(" "))
    };
    let result = match request {
        Err(m) => Err(m),
        Ok(req) => {
            let filter = tce_insight::scores::Filter::default();
            match gather(&state, move |ins| {
                crate::views::allocation(ins, &filter, &req)
            })
            .await
            {
                Ok(r) => Ok(r),
                Err(ApiError::Unprocessable(m)) => Err(in_page_words(&m)),
                Err(e) => return Err(e.into()),
            }
        }
    };
    // An answer the planner cannot give is a 422, with the form as typed.
    let status = if result.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = pages::allocation(state.model(), &form, Some(&ws.session.csrf), &result);
    let page = frame(
        &state,
        &ws,
        &p,
        Page::Allocation,
        Page::Allocation.title(),
        body,
    );
    Ok((status, page).into_response())
}

async fn allocation_get(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Allocation)?;
    plan(state, ws, p, AllocForm::default()).await
}

async fn allocation_post(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebForm(form): WebForm<AllocForm>,
) -> Result<Response, PageError> {
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
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Finance)?;
    let range = RangeParams {
        from: q.from,
        to: q.to,
        ..RangeParams::default()
    };
    let what_if = match crate::params::number("what_if", &q.what_if) {
        Ok(w) => w.unwrap_or(5.0),
        Err(_) => {
            let m = PageOrMessage::Message(
                "What if the score moved by: enter a number of points, such as 5 or -2.5.".into(),
            );
            return invalid_range(&state, &ws, &p, Page::Finance, &range, m);
        }
    };
    let filter = match checked_range(&state, &range) {
        Ok(f) => f,
        Err(m) => return invalid_range(&state, &ws, &p, Page::Finance, &range, m),
    };
    let r = gather(&state, move |ins| {
        crate::views::finance(ins, &filter, what_if)
    })
    .await?;
    let body = pages::finance(state.model(), &r, what_if, &range_of(&range), true);
    Ok(frame(&state, &ws, &p, Page::Finance, Page::Finance.title(), body).into_response())
}

/// The explorer's query: the `GET /signals` filters and the page a
/// drill-down came from.
#[derive(Debug, Default, Deserialize)]
pub struct ExplorerQuery {
    #[serde(flatten)]
    filter: SignalParams,
    /// [`Page::slug`] of the page the link was on.
    back: Option<String>,
}

async fn signals(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<ExplorerQuery>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Signals)?;
    let back = q
        .back
        .as_deref()
        .and_then(Page::from_slug)
        .filter(|b| *b != Page::Signals && pages_for(p.role).contains(b));
    let scope = p.touchpoint_scope(state.model());
    let problems = explorer_problems(&q.filter);
    let query = if problems.is_empty() {
        // What the form cannot send (an unknown brand in a hand-made
        // address) stays a 400 error page.
        Ok(q.filter.query(state.model())?)
    } else {
        Err(problems.join(" "))
    };
    let query = match query {
        Ok(query) => query,
        Err(m) => {
            let body = pages::signals_explorer(
                state.model(),
                &q.filter,
                Err(&m),
                scope.as_ref(),
                true,
                back,
            );
            let page = frame(&state, &ws, &p, Page::Signals, Page::Signals.title(), body);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let cursor = non_empty(&q.filter.cursor).map(str::to_string);
    let sc = scope.clone();
    let page = state
        .db()
        .read(move |s| insights::signal_page(s, query, cursor.as_deref(), sc.as_ref()))
        .await?;
    let body = pages::signals_explorer(
        state.model(),
        &q.filter,
        Ok(&page),
        scope.as_ref(),
        true,
        back,
    );
    Ok(frame(&state, &ws, &p, Page::Signals, Page::Signals.title(), body).into_response())
}

/// A value the user typed, quoted for a message.
fn typed(s: &str) -> String {
    format!("“{}”", s.trim())
}

/// A day of a form, or the message saying what to enter.
fn form_day(label: &str, v: &Option<String>, times_too: bool) -> Result<Option<NaiveDate>, String> {
    let Some(s) = non_empty(v) else {
        return Ok(None);
    };
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Some(d));
    }
    if times_too {
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
            return Ok(Some(t.date_naive()));
        }
    }
    Err(format!(
        "{label}: enter a date such as 2026-03-31 (you entered {}).",
        typed(s)
    ))
}

/// From after To, in the words of the form.
fn from_after_to(from: NaiveDate, to: NaiveDate) -> String {
    format!(
        "From ({}) is after To ({}): choose a start on or before the end.",
        from.format("%-d %b %Y"),
        to.format("%-d %b %Y")
    )
}

/// What is wrong with the explorer's filter, in the words of its form
/// (the API says the same with parameter names).
pub fn explorer_problems(p: &SignalParams) -> Vec<String> {
    let mut out = Vec::new();
    let mut sentiment = |label: &str, v: &Option<String>| -> Option<f64> {
        let s = non_empty(v)?;
        match s.parse::<f64>() {
            Ok(x) if (-1.0..=1.0).contains(&x) => Some(x),
            Ok(_) => {
                out.push(format!(
                    "{label} {}: the sentiment score runs from −1 (most negative) to 1 (most positive).",
                    s.trim()
                ));
                None
            }
            Err(_) => {
                out.push(format!(
                    "{label}: enter a number from −1 to 1 (you entered {}).",
                    typed(s)
                ));
                None
            }
        }
    };
    let min = sentiment("Sentiment ≥", &p.min_sentiment);
    let max = sentiment("Sentiment ≤", &p.max_sentiment);
    if let (Some(a), Some(b)) = (min, max) {
        if a > b {
            out.push(format!(
                "Sentiment ≥ {a} is above Sentiment ≤ {b}: no signal can match; lower the first or raise the second."
            ));
        }
    }
    let from = form_day("From", &p.from, true)
        .map_err(|m| out.push(m))
        .ok()
        .flatten();
    let to = form_day("To", &p.to, true)
        .map_err(|m| out.push(m))
        .ok()
        .flatten();
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            out.push(from_after_to(f, t));
        }
    }
    if let Some(l) = non_empty(&p.limit) {
        if !l
            .parse::<usize>()
            .is_ok_and(|n| (1..=crate::params::MAX_PAGE).contains(&n))
        {
            out.push(format!(
                "Per page: enter a whole number from 1 to {} (you entered {}).",
                crate::params::MAX_PAGE,
                typed(l)
            ));
        }
    }
    out
}

/// The filter of a page's date-range form, or what is wrong with it in the
/// form's words (an unknown brand, which no form offers, stays a 400).
fn checked_range(state: &AppState, q: &RangeParams) -> Result<Filter, PageOrMessage> {
    let from = form_day("From", &q.from, false).map_err(PageOrMessage::Message)?;
    let to = form_day("To", &q.to, false).map_err(PageOrMessage::Message)?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(PageOrMessage::Message(from_after_to(f, t)));
        }
    }
    q.filter(state.model())
        .map_err(|e| PageOrMessage::Page(PageError::Error(e)))
}

/// Why [`checked_range`] failed: a message for the form, or an error page.
enum PageOrMessage {
    Message(String),
    Page(PageError),
}

/// A page whose range form was filled in wrong: 422, its heading, the form
/// as typed and what to change.
fn invalid_range(
    state: &AppState,
    ws: &WebSession,
    p: &Principal,
    page: Page,
    q: &RangeParams,
    problem: PageOrMessage,
) -> Result<Response, PageError> {
    let message = match problem {
        PageOrMessage::Message(m) => m,
        PageOrMessage::Page(e) => return Err(e),
    };
    let brand = non_empty(&q.brand);
    let body = maud::html! {
        h1 { (page.title()) }
        form.filters method="get" action=(page.path()) {
            @if let Some(b) = brand { input type="hidden" name="brand" value=(b); }
            label { "From" input type="date" name="from" value=(q.from.clone().unwrap_or_default()); }
            label { "To" input type="date" name="to" value=(q.to.clone().unwrap_or_default()); }
            button.primary type="submit" { "Show" }
        }
        p.error { (message) }
    };
    let html = frame(state, ws, p, page, page.title(), body);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

/// What is wrong with the allocation form, in the words of the form.
pub fn alloc_problems(model: &tce_model::Model, form: &AllocForm) -> Vec<String> {
    let mut out = Vec::new();
    let budget = form.budget.trim();
    if !budget
        .parse::<f64>()
        .is_ok_and(|b| b.is_finite() && b > 0.0)
    {
        out.push(format!(
            "Budget: enter an amount in {} above 0, such as 100000 (you entered {}).",
            model.finance.currency,
            typed(budget)
        ));
    }
    let objective = form.objective.trim();
    let known = ["acquire", "retain", "innovate", "custom", ""].contains(&objective)
        || model.allocation.objectives.contains_key(objective);
    if !known {
        out.push(format!(
            "Objective: choose one of the list (not {}).",
            typed(objective)
        ));
    }
    let stages: Vec<&str> = model.stages.iter().map(|s| s.id.as_str()).collect();
    if objective == "custom" && form.stage_weights.trim().is_empty() {
        out.push(format!(
            "With the objective 'custom', enter a weight for every stage under Stage weights, such as {}.",
            stages
                .iter()
                .map(|s| format!("{s}=0.2"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let social: Vec<&str> = model
        .channels
        .iter()
        .filter(|c| c.social)
        .map(|c| c.id.as_str())
        .collect();
    let fields: [(&str, &str, &[&str], &str, &str); 3] = [
        (
            "Stage weights",
            &form.stage_weights,
            &stages,
            "stage",
            "operations=0.5",
        ),
        (
            "Minimum per channel",
            &form.min,
            &social,
            "social channel",
            "x=5000",
        ),
        (
            "Maximum per channel",
            &form.max,
            &social,
            "social channel",
            "facebook=20000",
        ),
    ];
    for (label, text, names, what, example) in fields {
        for part in text
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let Some((name, value)) = part.split_once('=') else {
                out.push(format!(
                    "{label}: write each entry as NAME=NUMBER, such as {example} (not {}).",
                    typed(part)
                ));
                continue;
            };
            let name = name.trim();
            if !names.contains(&name) {
                out.push(format!(
                    "{label}: {} is not a {what} of the model (use {}).",
                    typed(name),
                    names.join(", ")
                ));
            }
            if !value
                .trim()
                .parse::<f64>()
                .is_ok_and(|v| v.is_finite() && v >= 0.0)
            {
                out.push(format!(
                    "{label}: the value of {name} must be a number of 0 or more (not {}).",
                    typed(value)
                ));
            }
        }
    }
    out
}

/// The planner's own messages name the CLI's flags; the page names its fields.
fn in_page_words(message: &str) -> String {
    if message.starts_with("objective custom needs") {
        return "With the objective 'custom', enter a weight for every stage under Stage weights."
            .into();
    }
    let m = message
        .replace("--stage-weights:", "Stage weights:")
        .replace("--stage-weights", "Stage weights")
        .replace("--min ", "Minimum per channel: ")
        .replace("--max ", "Maximum per channel: ");
    let mut c = m.chars();
    match c.next() {
        Some(first) => {
            let mut out: String = first.to_uppercase().collect();
            out.push_str(c.as_str());
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => m,
    }
}

/// Parameters of `/export/scores.csv`: those of `tce export scores`.
#[derive(Debug, Default, Deserialize)]
pub struct ScoresCsvQuery {
    /// brand, stage, touchpoint (default) or channel.
    by: Option<String>,
    /// day, week, month…; absent: the whole range.
    period: Option<String>,
    #[serde(flatten)]
    range: RangeParams,
}

fn csv_response(name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    response
}

fn export_error(e: crate::report::ReportError) -> ApiError {
    match e {
        crate::report::ReportError::Invalid(m) => ApiError::InvalidParameter(m),
        other => ApiError::internal("export", other),
    }
}

/// The score table of a page as `tce export scores` writes it; agents get
/// their department's touchpoint rows only.
async fn export_scores_csv(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<ScoresCsvQuery>,
) -> Result<Response, PageError> {
    let by: By = non_empty(&q.by)
        .unwrap_or("touchpoint")
        .parse()
        .map_err(|e: String| ApiError::InvalidParameter(format!("by: {e}")))?;
    let p = signed_in(
        &ws,
        if by == By::Touchpoint {
            Page::Journey
        } else {
            Page::Benchmark
        },
    )?;
    let period = non_empty(&q.period)
        .map(str::parse)
        .transpose()
        .map_err(|e: String| ApiError::InvalidParameter(format!("period: {e}")))?;
    let filter = q.range.filter(state.model())?;
    let scope = p.touchpoint_scope(state.model());
    let query = ScoreQuery { by, period, filter };
    let bytes = gather(&state, move |ins| {
        let mut out = Vec::new();
        crate::report::export_scores_in(ins, &query, scope.as_ref(), &mut out)
            .map_err(export_error)?;
        Ok(out)
    })
    .await?;
    let name = format!(
        "tce-scores-{}.csv",
        non_empty(&q.by).unwrap_or("touchpoint")
    );
    Ok(csv_response(&name, bytes))
}

/// Parameters of `/export/finance.csv`: those of `tce export`'s finance tables.
#[derive(Debug, Default, Deserialize)]
pub struct FinanceCsvQuery {
    /// elasticities or revenue-at-risk.
    table: Option<String>,
    /// The what-if change in points (default 5).
    what_if: Option<String>,
    #[serde(flatten)]
    range: RangeParams,
}

/// A table of the Finance page as `tce export` writes it.
async fn export_finance_csv(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<FinanceCsvQuery>,
) -> Result<Response, PageError> {
    signed_in(&ws, Page::Finance)?;
    let table: crate::report::FinanceTable = non_empty(&q.table)
        .unwrap_or("elasticities")
        .parse()
        .map_err(|e: String| ApiError::InvalidParameter(format!("table: {e}")))?;
    let what_if = crate::params::number("what_if", &q.what_if)?.unwrap_or(5.0);
    let filter = q.range.filter(state.model())?;
    let bytes = gather(&state, move |ins| {
        let mut out = Vec::new();
        crate::report::export_finance_in(ins, &filter, what_if, table, &mut out)
            .map_err(export_error)?;
        Ok(out)
    })
    .await?;
    let name = format!(
        "tce-finance-{}.csv",
        non_empty(&q.table).unwrap_or("elasticities")
    );
    Ok(csv_response(&name, bytes))
}

/// The plan of the Allocation planner's inputs (as a query) as CSV, as
/// `tce allocate --csv` writes it. A plan that cannot be made is a 422 with
/// the planner's words.
async fn export_allocation_csv(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(form): WebQuery<AllocForm>,
) -> Result<Response, PageError> {
    signed_in(&ws, Page::Allocation)?;
    let problems = alloc_problems(state.model(), &form);
    if !problems.is_empty() {
        return Err(ApiError::Unprocessable(problems.join(" ")).into());
    }
    let req = alloc_request(&form).map_err(|m| ApiError::Unprocessable(in_page_words(&m)))?;
    let filter = tce_insight::scores::Filter::default();
    let bytes = gather(&state, move |ins| {
        let report = crate::views::allocation(ins, &filter, &req)?;
        let mut out = Vec::new();
        crate::report::export_allocation(&report, &mut out).map_err(export_error)?;
        Ok(out)
    })
    .await?;
    Ok(csv_response("tce-allocation.csv", bytes))
}

/// The explorer's signals as `tce export signals` writes them (every page
/// of them); agents get their department's signals only.
async fn export_signals_csv(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<ExplorerQuery>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Signals)?;
    let query = q.filter.query(state.model())?;
    let scope = p.touchpoint_scope(state.model());
    if let (Some(scope), Some(t)) = (&scope, &query.touchpoint) {
        if !scope.contains(t) {
            return Err(ApiError::Forbidden(format!(
                "touchpoint {t:?} belongs to another department"
            ))
            .into());
        }
    }
    let bytes = state
        .db()
        .read(move |s| {
            let mut out = Vec::new();
            crate::report::export_signals_in(s, query, scope.as_ref(), &mut out)
                .map_err(export_error)?;
            Ok(out)
        })
        .await?;
    Ok(csv_response("tce-signals.csv", bytes))
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
