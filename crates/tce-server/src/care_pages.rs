//! The care pages of the dashboard: the Cases queue (`/cases`), a case's
//! own page (`/cases/{id}`, with the forms agents work it with) and the
//! Care page (`/care`, metrics per department), plus the care block of the
//! Overview and the care section of the report.
//!
//! Every change an agent makes goes through `tce_pipeline::care::change`
//! against the version the page showed, so two agents never overwrite each
//! other silently: a stale form answers 409 with the case as it is now and
//! what the agent typed kept. Every figure comes from `tce_insight::care`.
//! An agent sees and changes only their department's cases; another
//! department's case is a 404, so ids do not leak.

use crate::auth::{Principal, Role};
use crate::cases::CaseRights;
use crate::charts::{fit, text_width, ticks};
use crate::error::ApiError;
use crate::pages::{brand_name, channel_name, thousands, Page};
use crate::params::non_empty;
use crate::state::AppState;
use crate::web::{frame, gather, signed_in, PageError, WebForm, WebQuery, WebSession};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use chrono::{DateTime, NaiveDate, Utc};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use std::collections::HashMap;
use tce_care::sla::ClockState;
use tce_care::workflow::{self, Change};
use tce_care::{Actor, Case, CaseEventKind, CaseId, CaseKind, Party, Priority, Status};
use tce_insight::care::{BacklogAge, CareGroup, CareRow, CareStats, CareStatsRequest, AGE_BUCKETS};
use tce_insight::period::Period;
use tce_model::Model;
use tce_store::{CaseQuery, Store, StoredCaseEvent, StoredSignal};

/// Styles of the care pages (badges, thread), on top of `pages::CSS`.
pub const CARE_CSS: &str = r#"
.badge.breached{background:#fee2e2;color:#991b1b}
.badge.at_risk{background:#fef3c7;color:#92400e}
.badge.paused{background:#e0e7ff;color:#3730a3}
.badge.on_time{background:#dcfce7;color:#166534}
.badge.p1{background:#991b1b;color:#fff}.badge.p2{background:#f97316;color:#fff}
.badge.p3{background:#e2e8f0;color:#0f172a}.badge.p4{background:#f1f5f9;color:#475569}
.thread{list-style:none;padding:0;margin:6px 0 14px;max-width:900px}
.thread li{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:8px 12px;margin:6px 0;white-space:pre-wrap;word-break:break-word}
.thread li.brand{margin-left:60px;background:#eff6ff;border-color:#bfdbfe}
.thread .meta{display:block;font-size:12px;color:#64748b;white-space:normal}
.caseforms{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:10px;max-width:1100px}
.caseforms form{background:#fff;border:1px solid #e2e8f0;border-radius:6px;padding:10px 12px;display:flex;flex-direction:column;gap:6px}
.caseforms label{display:flex;flex-direction:column;font-size:12px;color:#475569;gap:2px}
.caseforms textarea{font:inherit;min-height:70px;padding:4px 6px;border:1px solid #cbd5e1;border-radius:4px}
.caseforms h3{font-size:14px;margin:0}
td.excerpt{max-width:420px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
"#;

/// The care pages' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(cases_page))
        .route("/cases/{id}", get(case_page))
        .route("/cases/{id}/{action}", post(case_post))
        .route("/care", get(care_page))
}

fn style() -> Markup {
    html! { style { (PreEscaped(CARE_CSS)) } }
}

/// The departments a principal's cases are limited to: an agent's own
/// (the API's rules, `cases::CaseRights`).
fn scope(p: &Principal) -> Option<Vec<String>> {
    CaseRights(p).departments()
}

fn may_see(p: &Principal, case: &Case) -> bool {
    CaseRights(p).sees(case)
}

/// The name the audit trail records for the principal.
fn who(p: &Principal) -> String {
    match CaseRights(p).actor() {
        Actor::Agent(name) => name,
        other => other.to_string(),
    }
}

fn department_name(model: &Model, id: &str) -> String {
    model
        .department(id)
        .map_or_else(|| id.to_string(), |d| d.name.clone())
}

/// A duration for people: "45 min", "3.2 h", "2.1 days".
pub fn human_secs(secs: f64) -> String {
    let secs = secs.max(0.0);
    if secs < 3_600.0 {
        format!("{:.0} min", (secs / 60.0).round())
    } else if secs < 48.0 * 3_600.0 {
        format!("{:.1} h", secs / 3_600.0)
    } else {
        format!("{:.1} days", secs / 86_400.0)
    }
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y %H:%M UTC").to_string()
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{:.0}%", v * 100.0))
}

/// The SLA badge of a case at `now`: breached, at risk, paused or on time.
fn sla_badge(model: &Model, case: &Case, now: DateTime<Utc>) -> Markup {
    if !case.status.is_active() {
        return html! { span.muted { "—" } };
    }
    let st = case.sla_state(model, now);
    html! {
        @if st.breached() {
            span.badge.breached title="an SLA clock is past due" { "breached" }
        } @else if st.at_risk() {
            span.badge.at_risk title=(format!("more than {:.0}% of an SLA target used", model.care.at_risk_share * 100.0)) { "at risk" }
        } @else if case.status == Status::Pending {
            span.badge.paused title="waiting on the customer: the SLA clocks are paused" { "paused" }
        } @else {
            span.badge.on_time { "on time" }
        }
    }
}

fn priority_badge(p: Priority) -> Markup {
    html! { span class=(format!("badge {}", p.as_str())) { (p.as_str().to_uppercase()) } }
}

/// `path?query` from the pairs that have a value.
fn href(path: &str, pairs: &[(&str, &str)]) -> String {
    let set: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
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

// ---------------------------------------------------------------- queue

/// Filters of the Cases queue, as its GET form sends them.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CasesQuery {
    /// Department id (analysts and admins; agents always see their own).
    pub department: Option<String>,
    /// A status, `all`, or empty for the active ones (new, open, pending).
    pub status: Option<String>,
    /// p1 … p4.
    pub priority: Option<String>,
    /// Brand id.
    pub brand: Option<String>,
    /// care or lead.
    pub kind: Option<String>,
    /// Only cases in breach now (a checkbox).
    pub breached: Option<String>,
    /// Where the page continues.
    pub cursor: Option<String>,
}

/// The queue's next page: the same filters, the cursor.
fn next_href(q: &CasesQuery, cursor: &str) -> String {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let pairs = [
        ("department", v(&q.department)),
        ("status", v(&q.status)),
        ("priority", v(&q.priority)),
        ("brand", v(&q.brand)),
        ("kind", v(&q.kind)),
        ("breached", v(&q.breached)),
        ("cursor", cursor.to_string()),
    ];
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    href("/cases", &pairs)
}

/// The store query of the queue's filters, or what is wrong with them in
/// the form's words.
pub fn cases_query(
    model: &Model,
    q: &CasesQuery,
    p: &Principal,
    now: DateTime<Utc>,
) -> Result<CaseQuery, Vec<String>> {
    let mut problems = Vec::new();
    let statuses = match non_empty(&q.status) {
        None => vec![Status::New, Status::Open, Status::Pending],
        Some("all") => Vec::new(),
        Some(s) => match s.parse::<Status>() {
            Ok(st) => vec![st],
            Err(_) => {
                problems.push(format!("Status: choose one of the list (not “{s}”)."));
                Vec::new()
            }
        },
    };
    let priority = non_empty(&q.priority).and_then(|s| {
        s.parse::<Priority>()
            .map_err(|_| problems.push(format!("Priority: choose P1 to P4 (not “{s}”).")))
            .ok()
    });
    let kind = non_empty(&q.kind).and_then(|s| {
        s.parse::<CaseKind>()
            .map_err(|_| problems.push(format!("Kind: choose care or lead (not “{s}”).")))
            .ok()
    });
    let brand = non_empty(&q.brand).and_then(|b| match model.resolve_brand(b) {
        Some(id) => Some(id.to_string()),
        None => {
            problems.push(format!("Brand: “{b}” is not a brand of the model."));
            None
        }
    });
    let departments = match scope(p) {
        Some(own) => Some(own),
        None => non_empty(&q.department).and_then(|d| match model.department(d) {
            Some(dep) => Some(vec![dep.id.clone()]),
            None => {
                problems.push(format!(
                    "Department: “{d}” is not a department of the model."
                ));
                None
            }
        }),
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(CaseQuery {
        departments,
        statuses,
        priority,
        brand,
        kind,
        breached_at: non_empty(&q.breached).map(|_| now),
        cursor: non_empty(&q.cursor).map(str::to_string),
        limit: CaseQuery::DEFAULT_LIMIT,
    })
}

/// What the queue shows: a page of cases and their opening messages.
struct QueueView {
    cases: Vec<Case>,
    next_cursor: Option<String>,
    openers: HashMap<(String, String), StoredSignal>,
}

fn thread_refs<'a>(cases: impl Iterator<Item = &'a Case>) -> Vec<(String, String)> {
    cases
        .filter_map(|c| c.thread.first())
        .map(|e| (e.signal.channel.clone(), e.signal.external_id.clone()))
        .collect()
}

fn by_ref(signals: Vec<StoredSignal>) -> HashMap<(String, String), StoredSignal> {
    signals
        .into_iter()
        .map(|s| {
            (
                (
                    s.signal.signal.channel.clone(),
                    s.signal.signal.external_id.clone(),
                ),
                s,
            )
        })
        .collect()
}

async fn cases_page(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<CasesQuery>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Cases)?;
    let now = Utc::now();
    let model = state.model().clone();
    let query = match cases_query(&model, &q, &p, now) {
        Ok(query) => query,
        Err(problems) => {
            let body = queue_body(&model, &p, &q, Err(&problems.join(" ")), now);
            let page = frame(&state, &ws, &p, Page::Cases, Page::Cases.title(), body);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let view = state
        .db()
        .read(move |s| {
            let page = s.cases(&query)?;
            let openers = by_ref(s.signals_by_ref(&thread_refs(page.items.iter()))?);
            Ok(QueueView {
                cases: page.items,
                next_cursor: page.next_cursor,
                openers,
            })
        })
        .await?;
    let body = queue_body(&model, &p, &q, Ok(&view), now);
    Ok(frame(&state, &ws, &p, Page::Cases, Page::Cases.title(), body).into_response())
}

fn queue_body(
    model: &Model,
    p: &Principal,
    q: &CasesQuery,
    view: Result<&QueueView, &str>,
    now: DateTime<Utc>,
) -> Markup {
    let sel = |o: &Option<String>| o.clone().unwrap_or_default();
    let own_brands: Vec<_> = model.brands.iter().filter(|b| b.own).collect();
    html! {
        (style())
        h1 { (Page::Cases.title()) }
        p.sub {
            "Cases and leads opened from customers' messages, most urgent first: by priority, then by the SLA due time that comes first. "
            @match &p.department {
                Some(d) if p.role == Role::Agent => { "Your department: " strong { (department_name(model, d)) } "." }
                _ => { "All departments unless filtered." }
            }
        }
        form.filters method="get" action="/cases" {
            @if p.role != Role::Agent {
                label { "Department"
                    select name="department" {
                        option value="" { "All departments" }
                        @for d in &model.departments {
                            option value=(d.id) selected[sel(&q.department) == d.id] { (d.name) }
                        }
                    }
                }
            }
            label { "Status"
                select name="status" {
                    option value="" { "Active (new, open, pending)" }
                    @for s in Status::ALL {
                        option value=(s.as_str()) selected[sel(&q.status) == s.as_str()] { (s.as_str()) }
                    }
                    option value="all" selected[sel(&q.status) == "all"] { "All" }
                }
            }
            label { "Priority"
                select name="priority" {
                    option value="" { "Any" }
                    @for pr in Priority::ALL {
                        option value=(pr.as_str()) selected[sel(&q.priority) == pr.as_str()] { (pr.as_str().to_uppercase()) }
                    }
                }
            }
            label { "Brand"
                select name="brand" {
                    option value="" { "Any" }
                    @for b in &own_brands {
                        option value=(b.id) selected[sel(&q.brand) == b.id] { (b.name) }
                    }
                }
            }
            label { "Kind"
                select name="kind" {
                    option value="" { "Any" }
                    option value="care" selected[sel(&q.kind) == "care"] { "Care case" }
                    option value="lead" selected[sel(&q.kind) == "lead"] { "Lead" }
                }
            }
            label { "Breached now"
                input type="checkbox" name="breached" value="1" checked[non_empty(&q.breached).is_some()];
            }
            button.primary type="submit" { "Show" }
        }
        @match view {
            Err(m) => { p.error { (m) } }
            Ok(v) if v.cases.is_empty() => {
                p.muted { "No case matches these filters." }
            }
            Ok(v) => {
                p.muted { (v.cases.len()) " cases on this page, as of " (when(now)) "." }
                table.cases {
                    thead { tr {
                        th { "Case" } th { "Priority" } th { "SLA" } th { "Status" } th { "Kind" }
                        th { "Department" } th { "Customer" } th { "First message" } th { "Channel" }
                        th { "Opened" } th { "Next due" } th { "Assignee" }
                    } }
                    tbody {
                        @for c in &v.cases {
                            @let opener = c.thread.first().and_then(|e| v.openers.get(&(e.signal.channel.clone(), e.signal.external_id.clone())));
                            tr {
                                td { a href=(format!("/cases/{}", c.id)) { "#" (c.id) } }
                                td { (priority_badge(c.priority.priority)) }
                                td { (sla_badge(model, c, now)) }
                                td { (c.status.as_str()) }
                                td { (c.kind.as_str()) }
                                td { (department_name(model, c.department())) }
                                td { (c.author.clone().unwrap_or_default()) }
                                td.excerpt title=[opener.map(|s| s.signal.signal.text.clone())] {
                                    @match opener {
                                        Some(s) => { a href=(format!("/cases/{}", c.id)) { (s.signal.signal.text) } }
                                        None => { span.muted { "(message not kept)" } }
                                    }
                                }
                                td { (channel_name(model, &c.channel)) }
                                td { (when(c.opened_at)) }
                                td {
                                    @if c.status.is_active() {
                                        @let due = if c.first_response_at.is_none() { c.sla.first_response_due } else { c.sla.resolution_due };
                                        (when(due))
                                    } @else { span.muted { "—" } }
                                }
                                td { (c.assignee.clone().unwrap_or_default()) }
                            }
                        }
                    }
                }
                @if let Some(cursor) = &v.next_cursor {
                    p.pager { a href=(next_href(q, cursor)) { "Next page →" } }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- case

/// What a case page shows.
struct CaseView {
    case: Case,
    events: Vec<StoredCaseEvent>,
    signals: HashMap<(String, String), StoredSignal>,
}

/// The case, or 404 when it does not exist or belongs to another
/// department than an agent's (the same answer, so ids do not leak).
fn load_case(store: &dyn Store, p: &Principal, id: CaseId) -> Result<CaseView, ApiError> {
    let not_found = || ApiError::NotFound(format!("no case {id}"));
    let case = store.case(id)?.ok_or_else(not_found)?;
    if !may_see(p, &case) {
        return Err(not_found());
    }
    let events = store.case_events(id)?;
    let refs: Vec<(String, String)> = case
        .thread
        .iter()
        .map(|e| (e.signal.channel.clone(), e.signal.external_id.clone()))
        .collect();
    let signals = by_ref(store.signals_by_ref(&refs)?);
    Ok(CaseView {
        case,
        events,
        signals,
    })
}

fn parse_id(raw: &str) -> Result<CaseId, ApiError> {
    raw.trim()
        .parse::<u64>()
        .map(CaseId)
        .map_err(|_| ApiError::NotFound(format!("no case {raw:?}")))
}

async fn case_page(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Cases)?;
    let id = parse_id(&raw)?;
    let pp = p.clone();
    let view = state.db().read(move |s| load_case(s, &pp, id)).await?;
    let body = case_body(state.model(), &p, &view, &ws.session.csrf, None, Utc::now());
    let heading = format!("Case #{id}");
    Ok(frame(&state, &ws, &p, Page::Cases, &heading, body).into_response())
}

/// The forms of a case page, as sent (every form sends the fields it has).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CaseForm {
    /// Anti-forgery token.
    #[serde(default)]
    pub csrf: String,
    /// The case version the page showed.
    #[serde(default)]
    pub version: String,
    /// Response or note text.
    #[serde(default)]
    pub text: String,
    /// Channel of a response.
    #[serde(default)]
    pub channel: String,
    /// New status.
    #[serde(default)]
    pub status: String,
    /// Agent to assign (empty = unassign).
    #[serde(default)]
    pub agent: String,
    /// Department to re-route to.
    #[serde(default)]
    pub department: String,
    /// Why it is re-routed.
    #[serde(default)]
    pub reason: String,
}

/// The forms of a case page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAction {
    /// Record a response to the customer.
    Respond,
    /// Move the status.
    Status,
    /// Assign or unassign.
    Assign,
    /// Re-route to another department.
    Route,
    /// Add an internal note.
    Note,
}

impl CaseAction {
    const ALL: [CaseAction; 5] = [
        CaseAction::Respond,
        CaseAction::Status,
        CaseAction::Assign,
        CaseAction::Route,
        CaseAction::Note,
    ];

    fn slug(self) -> &'static str {
        match self {
            CaseAction::Respond => "respond",
            CaseAction::Status => "status",
            CaseAction::Assign => "assign",
            CaseAction::Route => "route",
            CaseAction::Note => "note",
        }
    }

    fn from_slug(s: &str) -> Option<CaseAction> {
        CaseAction::ALL.into_iter().find(|a| a.slug() == s)
    }

    /// Agents work their department's cases; analysts may only re-route;
    /// admins do everything (`cases::CaseRights`).
    fn allowed(self, p: &Principal) -> bool {
        self == CaseAction::Route || CaseRights(p).may_work()
    }
}

/// The change a form asks for, or what is wrong with it in its own words.
pub fn form_change(
    model: &Model,
    case: &Case,
    p: &Principal,
    action: CaseAction,
    form: &CaseForm,
) -> Result<Change, String> {
    match action {
        CaseAction::Respond => {
            let text = form.text.trim();
            if text.is_empty() {
                return Err("Response: write what you said to the customer.".into());
            }
            let channel = match form.channel.trim() {
                "" => case.channel.clone(),
                c => model
                    .channel(c)
                    .map(|c| c.id.clone())
                    .ok_or_else(|| format!("Channel: “{c}” is not a channel of the model."))?,
            };
            Ok(Change::Respond {
                text: text.to_string(),
                channel,
                agent: Some(who(p)),
                reply: None,
            })
        }
        CaseAction::Status => {
            let to: Status = form
                .status
                .parse()
                .map_err(|_| "New status: choose one of the list.".to_string())?;
            if !workflow::allowed(case.status).contains(&to) {
                let allowed = workflow::allowed(case.status);
                return Err(if allowed.is_empty() {
                    format!(
                        "New status: a {} case is final; it cannot move.",
                        case.status
                    )
                } else {
                    format!(
                        "New status: a {} case may move to {} only (not {to}).",
                        case.status,
                        allowed
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(" or ")
                    )
                });
            }
            Ok(Change::SetStatus(to))
        }
        CaseAction::Assign => Ok(Change::Assign {
            agent: Some(form.agent.trim())
                .filter(|a| !a.is_empty())
                .map(str::to_string),
        }),
        CaseAction::Route => {
            let d = form.department.trim();
            let dep = model
                .department(d)
                .ok_or_else(|| format!("Department: choose one of the list (not “{d}”)."))?;
            if dep.id == case.department() {
                return Err(format!(
                    "Department: the case is already with {}; choose another.",
                    dep.name
                ));
            }
            let reason = match form.reason.trim() {
                "" => format!("re-routed by {}", who(p)),
                r => format!("re-routed by {}: {r}", who(p)),
            };
            Ok(Change::Route {
                department: dep.id.clone(),
                reason,
            })
        }
        CaseAction::Note => {
            let text = form.text.trim();
            if text.is_empty() {
                return Err("Note: write the note.".into());
            }
            Ok(Change::Note {
                text: text.to_string(),
            })
        }
    }
}

/// What a refused form shows: its message, the form as typed, and the
/// version the form should carry when sent again.
struct Kept<'a> {
    action: CaseAction,
    form: &'a CaseForm,
    message: String,
}

async fn case_post(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    Path((raw, action)): Path<(String, String)>,
    WebForm(form): WebForm<CaseForm>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Cases)?;
    if !ws.session.csrf_ok(&form.csrf) {
        return Err(ApiError::CsrfFailed.into());
    }
    let id = parse_id(&raw)?;
    let action = CaseAction::from_slug(&action)
        .ok_or_else(|| ApiError::NotFound(format!("no such form {action:?}")))?;
    let pp = p.clone();
    let view = state.db().read(move |s| load_case(s, &pp, id)).await?;
    if !action.allowed(&p) {
        return Err(ApiError::Forbidden(format!(
            "the {} role may not {} a case",
            p.role,
            action.slug()
        ))
        .into());
    }
    let model = state.model().clone();
    let refuse = |status: StatusCode, view: &CaseView, message: String| {
        let kept = Kept {
            action,
            form: &form,
            message,
        };
        let body = case_body(&model, &p, view, &ws.session.csrf, Some(&kept), Utc::now());
        let page = frame(&state, &ws, &p, Page::Cases, &format!("Case #{id}"), body);
        Ok((status, page).into_response())
    };
    let Ok(expected) = form.version.trim().parse::<u64>() else {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            &view,
            "The form lost the case's version: reload the case and send it again.".into(),
        );
    };
    let change = match form_change(&model, &view.case, &p, action, &form) {
        Ok(c) => c,
        Err(m) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, &view, m),
    };
    let actor = CaseRights(&p).actor();
    let m = model.clone();
    let result = state
        .db()
        .write(move |s| {
            Ok(tce_pipeline::care::change(
                s,
                &m,
                id,
                expected,
                actor,
                change,
                Utc::now(),
            ))
        })
        .await?;
    match result {
        Ok((case, _)) => {
            let to = if may_see(&p, &case) {
                format!("/cases/{id}")
            } else {
                // Re-routed away from the agent's department: back to their queue.
                "/cases".to_string()
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let pp = p.clone();
            let fresh = state.db().read(move |s| load_case(s, &pp, id)).await?;
            if let Some(current) = e.current_version() {
                let message = format!(
                    "This case changed while you were looking: reload it. It is shown below as it is now \
                     (version {current}; your form was made against version {expected}), with what you \
                     typed kept; send it again if it still applies."
                );
                return refuse(StatusCode::CONFLICT, &fresh, message);
            }
            match e {
                tce_pipeline::care::CaseChangeError::Refused(care) => refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &fresh,
                    refused_words(&care),
                ),
                tce_pipeline::care::CaseChangeError::NotFound(_) => {
                    Err(ApiError::NotFound(format!("no case {id}")).into())
                }
                tce_pipeline::care::CaseChangeError::Store(s) => Err(ApiError::from(s).into()),
            }
        }
    }
}

/// A refusal of the care rules in the page's words.
fn refused_words(e: &tce_care::CareError) -> String {
    match e {
        tce_care::CareError::Closed(_) => {
            "This case is closed: it takes no more changes (a new message from the customer opens a new case).".into()
        }
        tce_care::CareError::InvalidTransition { from, allowed, .. } => format!(
            "New status: a {from} case may move to {} only.",
            allowed
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        other => {
            let s = other.to_string();
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str() + ".")
                .unwrap_or(s)
        }
    }
}

/// One message of the thread as the page shows it.
struct Message {
    at: DateTime<Utc>,
    party: Party,
    who: String,
    channel: String,
    text: Option<String>,
    sentiment: Option<f64>,
    note: &'static str,
}

fn thread_messages(model: &Model, v: &CaseView) -> Vec<Message> {
    let mut out: Vec<Message> = v
        .case
        .thread
        .iter()
        .map(|e| {
            let key = (e.signal.channel.clone(), e.signal.external_id.clone());
            Message {
                at: e.at,
                party: e.party,
                who: e.author.clone().unwrap_or_else(|| match e.party {
                    Party::Customer => "customer".into(),
                    Party::Brand => "brand".into(),
                }),
                channel: channel_name(model, &e.signal.channel),
                text: v.signals.get(&key).map(|s| s.signal.signal.text.clone()),
                sentiment: e.sentiment,
                note: match e.party {
                    Party::Customer => "",
                    Party::Brand => "brand reply from the ingested data",
                },
            }
        })
        .collect();
    for ev in &v.events {
        if let CaseEventKind::Response {
            text,
            channel,
            agent,
            signal: None,
        } = &ev.event.kind
        {
            out.push(Message {
                at: ev.event.at,
                party: Party::Brand,
                who: agent.clone().unwrap_or_else(|| ev.event.actor.to_string()),
                channel: channel_name(model, channel),
                text: Some(text.clone()),
                sentiment: None,
                note: "response recorded in tce",
            });
        }
    }
    // Stable: messages at the same instant keep their order.
    out.sort_by_key(|m| m.at);
    out
}

/// An event of the audit trail in words.
fn describe(model: &Model, kind: &CaseEventKind) -> Markup {
    let secs = |s: i64| human_secs(s as f64);
    html! {
        @match kind {
            CaseEventKind::Opened { kind, routing, priority } => {
                "Opened as a " (kind.as_str()) " case, " (priority.as_str().to_uppercase()) "; routed: " (routing.reason)
            }
            CaseEventKind::Status { from, to } => { "Status " (from.as_str()) " → " (to.as_str()) }
            CaseEventKind::Assignee { to: Some(a), .. } => { "Assigned to " (a) }
            CaseEventKind::Assignee { to: None, .. } => { "Unassigned" }
            CaseEventKind::Department { from, to, reason } => {
                "Re-routed from " (department_name(model, from)) " to " (department_name(model, to)) ": " (reason)
            }
            CaseEventKind::Priority { from, to } => { "Priority " (from.as_str().to_uppercase()) " → " (to.as_str().to_uppercase()) }
            CaseEventKind::Response { text, channel, signal, .. } => {
                "Response on " (channel_name(model, channel))
                @if signal.is_some() { " (brand reply in the ingested data)" }
                ": “" (fit(text, 600.0, 13.0, false)) "”"
            }
            CaseEventKind::Note { text } => { "Note: “" (text) "”" }
            CaseEventKind::CustomerMessage { sentiment, after_resolution, .. } => {
                "Customer wrote"
                @if let Some(s) = sentiment { (format!(" (sentiment {s:+.2})")) }
                @if *after_resolution { ", after resolution" }
            }
            CaseEventKind::FirstResponse { wall_secs, business_secs, within_sla } => {
                "First response after " (secs(*wall_secs)) " (" (secs(*business_secs)) " in business hours), "
                @if *within_sla { "within SLA" } @else { strong { "late" } }
            }
            CaseEventKind::Resolved { wall_secs, business_secs, within_sla } => {
                "Resolved after " (secs(*wall_secs)) " (" (secs(*business_secs)) " in business hours), "
                @if *within_sla { "within SLA" } @else { strong { "late" } }
            }
            CaseEventKind::Reopened => { "Re-opened" }
            CaseEventKind::AutoResolved { quiet_days } => {
                (format!("Resolved by tce: the customer stayed quiet {quiet_days:.1} days after the brand's answer"))
            }
        }
    }
}

fn clock_row(label: &str, c: &ClockState) -> Markup {
    html! {
        tr {
            td { (label) }
            td { (when(c.due)) }
            td.num { (human_secs(c.target_secs as f64)) }
            td.num { (human_secs(c.used_secs as f64)) " (" (format!("{:.0}%", c.used_share * 100.0)) ")" }
            td {
                @if c.done && c.breached { span.badge.breached { "met late" } }
                @else if c.done { span.badge.on_time { "met" } }
                @else if c.breached { span.badge.breached { "breached" } }
                @else if c.at_risk { span.badge.at_risk { "at risk" } }
                @else if c.paused { span.badge.paused { "paused" } }
                @else { span.badge.on_time { "running" } }
            }
        }
    }
}

fn case_body(
    model: &Model,
    p: &Principal,
    v: &CaseView,
    csrf: &str,
    kept: Option<&Kept<'_>>,
    now: DateTime<Utc>,
) -> Markup {
    let c = &v.case;
    let st = c.sla_state(model, now);
    let messages = thread_messages(model, v);
    let kept_for = |a: CaseAction| kept.filter(|k| k.action == a).map(|k| k.form);
    let text_of = |a: CaseAction| kept_for(a).map(|f| f.text.clone()).unwrap_or_default();
    let version = c.version.to_string();
    let hidden = html! {
        input type="hidden" name="csrf" value=(csrf);
        input type="hidden" name="version" value=(version);
    };
    let may = |a: CaseAction| a.allowed(p);
    let respond_channel = kept_for(CaseAction::Respond)
        .map(|f| f.channel.clone())
        .filter(|ch| !ch.is_empty())
        .unwrap_or_else(|| c.channel.clone());
    html! {
        (style())
        h1 { "Case #" (c.id) " " (priority_badge(c.priority.priority)) " " (sla_badge(model, c, now)) }
        p.sub {
            (c.kind.as_str()) " case about " strong { (brand_name(model, &c.brand)) } " on " (channel_name(model, &c.channel))
            " from " strong { (c.author.clone().unwrap_or_else(|| "an unknown customer".into())) }
            " · status " strong { (c.status.as_str()) }
            " · " (department_name(model, c.department()))
            @if let Some(a) = &c.assignee { " · assigned to " (a) }
            " · opened " (when(c.opened_at))
            @if c.reopened > 0 { " · re-opened " (c.reopened) "×" }
            " · version " (c.version)
        }
        p { a href="/cases" { "← Back to the queue" } }
        @if let Some(k) = kept { p.error id="problem" { (k.message) } }

        h2 id="thread" { "Thread" }
        p.muted { (messages.len()) " messages, oldest first: the customer's on the left, the brand's on the right." }
        ol.thread {
            @for m in &messages {
                li class=[(m.party == Party::Brand).then_some("brand")] {
                    span.meta {
                        strong { (m.who) } " · " (m.channel) " · " (when(m.at))
                        @if let Some(s) = m.sentiment { (format!(" · sentiment {s:+.2}")) }
                        @if !m.note.is_empty() { " · " (m.note) }
                    }
                    @match &m.text {
                        Some(t) => { (t) }
                        None => { span.muted { "(the message is no longer stored)" } }
                    }
                }
            }
        }

        h2 { "Work on the case" }
        div.caseforms {
            @if may(CaseAction::Respond) && c.status != Status::Closed {
                form method="post" action=(format!("/cases/{}/respond", c.id)) id="respond" {
                    h3 { "Respond" }
                    (hidden)
                    label { "What you said to the customer (tce records it; it does not post it)"
                        textarea name="text" required { (text_of(CaseAction::Respond)) }
                    }
                    label { "Channel"
                        select name="channel" {
                            @for ch in model.channels.iter().filter(|ch| ch.care) {
                                option value=(ch.id) selected[ch.id == respond_channel] { (ch.name) }
                            }
                        }
                    }
                    button.primary type="submit" { "Record response" }
                }
            }
            @if may(CaseAction::Status) && !workflow::allowed(c.status).is_empty() {
                form method="post" action=(format!("/cases/{}/status", c.id)) id="status" {
                    h3 { "Change status" }
                    (hidden)
                    label { "New status (from " (c.status.as_str()) ")"
                        select name="status" {
                            @for s in workflow::allowed(c.status) {
                                option value=(s.as_str()) selected[kept_for(CaseAction::Status).is_some_and(|f| f.status == s.as_str())] { (s.as_str()) }
                            }
                        }
                    }
                    button.primary type="submit" { "Change status" }
                }
            }
            @if may(CaseAction::Assign) && c.status != Status::Closed {
                form method="post" action=(format!("/cases/{}/assign", c.id)) id="assign" {
                    h3 { "Assign" }
                    (hidden)
                    label { "Agent (empty: unassign)"
                        input type="text" name="agent" value=(kept_for(CaseAction::Assign).map_or_else(|| who(p), |f| f.agent.clone()));
                    }
                    button.primary type="submit" { "Assign" }
                }
            }
            @if may(CaseAction::Route) && c.status != Status::Closed {
                form method="post" action=(format!("/cases/{}/route", c.id)) id="route" {
                    h3 { "Re-route" }
                    (hidden)
                    label { "Department"
                        select name="department" {
                            @for d in model.departments.iter().filter(|d| d.id != c.department()) {
                                option value=(d.id) selected[kept_for(CaseAction::Route).is_some_and(|f| f.department == d.id)] { (d.name) }
                            }
                        }
                    }
                    label { "Why"
                        input type="text" name="reason" value=(kept_for(CaseAction::Route).map(|f| f.reason.clone()).unwrap_or_default());
                    }
                    button.primary type="submit" { "Re-route" }
                }
            }
            @if may(CaseAction::Note) {
                form method="post" action=(format!("/cases/{}/note", c.id)) id="note" {
                    h3 { "Internal note" }
                    (hidden)
                    label { "Note (not sent to the customer)"
                        textarea name="text" required { (text_of(CaseAction::Note)) }
                    }
                    button.primary type="submit" { "Add note" }
                }
            }
        }
        @if p.role == Role::Analyst {
            p.muted { "Analysts may re-route cases; responding, status, assignment and notes are for the department's agents and admins." }
        }

        h2 { "SLA clocks" }
        p.muted {
            "Targets of " (department_name(model, c.department())) " for " (c.priority.priority.as_str().to_uppercase())
            ", counted in its business hours from the customer's first message; paused while the case waits on the customer. As of " (when(now)) "."
        }
        table {
            thead { tr { th { "Clock" } th { "Due" } th.num { "Target" } th.num { "Used (share)" } th { "State" } } }
            tbody {
                (clock_row("First response", &st.first_response))
                (clock_row("Resolution", &st.resolution))
            }
        }

        h2 { "Priority " (c.priority.priority.as_str().to_uppercase()) " — score " (format!("{:.1}", c.priority.score)) " of 100" }
        table {
            thead { tr { th { "Factor" } th { "From" } th.num { "Value (0–1)" } th.num { "Weight" } th.num { "Points" } } }
            tbody {
                @for f in &c.priority.factors {
                    tr {
                        td { (f.factor.as_str().replace('_', " ")) }
                        td { (f.detail) }
                        td.num { (format!("{:.2}", f.value)) }
                        td.num { (format!("{:.1}", f.weight)) }
                        td.num { strong { (format!("{:.1}", f.points)) } }
                    }
                }
            }
        }

        h2 { "Routing" }
        p { (department_name(model, c.department())) ": " (c.routing.reason) }

        h2 { "Audit trail" }
        p.muted { (v.events.len()) " events, oldest first; append-only." }
        table.audit {
            thead { tr { th { "When" } th { "Who" } th { "What" } } }
            tbody {
                @for e in &v.events {
                    tr {
                        td { (when(e.event.at)) }
                        td { (e.event.actor.to_string()) }
                        td { (describe(model, &e.event.kind)) }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- care

/// The Care page's range form.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CareQuery {
    /// First day.
    pub from: Option<String>,
    /// Last day.
    pub to: Option<String>,
    /// `all`: the whole history (without a range the page shows the
    /// latest weeks).
    pub range: Option<String>,
}

fn day(label: &str, v: &Option<String>) -> Result<Option<NaiveDate>, String> {
    match non_empty(v) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("{label}: enter a date such as 2026-03-31 (you entered “{s}”).")),
    }
}

/// The care statistics request of the Care page, or what is wrong with
/// its range in the form's words.
pub fn care_request(q: &CareQuery, p: &Principal) -> Result<CareStatsRequest, String> {
    if let Some(r) = non_empty(&q.range).filter(|r| *r != "all") {
        return Err(format!(
            "Range: only “all” (the whole history) is known (not “{r}”); leave it out for the latest weeks."
        ));
    }
    let from = day("From", &q.from)?;
    let to = day("To", &q.to)?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(format!(
                "From ({}) is after To ({}): choose a start on or before the end.",
                f.format("%-d %b %Y"),
                t.format("%-d %b %Y")
            ));
        }
    }
    Ok(CareStatsRequest {
        by: CareGroup::Department,
        period: Some(Period::Week),
        from,
        to,
        departments: scope(p),
    })
}

async fn care_page(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    WebQuery(q): WebQuery<CareQuery>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Care)?;
    let model = state.model().clone();
    let req = match care_request(&q, &p) {
        Ok(r) => r,
        Err(m) => {
            let body = html! {
                (style())
                h1 { (Page::Care.title()) }
                (care_form(&q))
                p.error { (m) }
            };
            let page = frame(&state, &ws, &p, Page::Care, Page::Care.title(), body);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let now = Utc::now();
    let recent = req.from.is_none() && req.to.is_none() && non_empty(&q.range) != Some("all");
    let (stats, recent_from) = gather(&state, move |ins| {
        let mut req = req;
        let from = if recent {
            tce_insight::care::recent_from(ins.store)?
        } else {
            None
        };
        req.from = req.from.or(from);
        Ok((
            tce_insight::care::stats(ins.store, ins.model, &req, now)?,
            from,
        ))
    })
    .await?;
    let body = html! {
        (style())
        h1 { (Page::Care.title()) }
        (care_form(&q))
        @if let Some(from) = recent_from {
            p.sub {
                "The latest " (tce_insight::care::RECENT_WEEKS) " weeks with care events (from "
                (from.format("%-d %b %Y")) "). Choose From and To for another range, or "
                a href="/care?range=all" { "show the whole history" } "."
            }
        }
        (care_body(&model, &stats, true))
    };
    Ok(frame(&state, &ws, &p, Page::Care, Page::Care.title(), body).into_response())
}

fn care_form(q: &CareQuery) -> Markup {
    html! {
        form.filters method="get" action="/care" {
            label { "From" input type="date" name="from" value=(q.from.clone().unwrap_or_default()); }
            label { "To" input type="date" name="to" value=(q.to.clone().unwrap_or_default()); }
            button.primary type="submit" { "Show" }
        }
    }
}

fn covers(s: &CareStats) -> String {
    match &s.coverage {
        Some(c) => format!(
            "{} – {}",
            c.from.format("%-d %b %Y"),
            c.to.format("%-d %b %Y")
        ),
        None => "no care events in this range".into(),
    }
}

fn hours(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), human_secs)
}

/// A row's cell, greyed with why when the row is thin.
fn thin_title(r: &CareRow, min: u64) -> Option<String> {
    r.thin.then(|| {
        format!(
            "too little evidence: {} first responses (fewer than {min})",
            r.first_response.n
        )
    })
}

/// The Care page's figures (the dashboard's, and the report's care section).
pub fn care_body(model: &Model, s: &CareStats, interactive: bool) -> Markup {
    let min = model.evidence.min_touchpoint_signals;
    let range = covers(s);
    let fr: Vec<ResponseRow> = s
        .rows
        .iter()
        .map(|r| {
            (
                r.name.clone(),
                r.first_response.p50_secs,
                r.first_response.p90_secs,
                r.first_response.n,
                r.thin,
            )
        })
        .collect();
    let backlog: Vec<(String, Vec<u64>, u64)> = s
        .backlog
        .iter()
        .map(|b: &BacklogAge| {
            (
                s.rows
                    .iter()
                    .find(|r| r.key == b.key)
                    .map_or_else(|| b.key.clone(), |r| r.name.clone()),
                b.by_age.clone(),
                b.breached,
            )
        })
        .collect();
    let mut weeks: Vec<NaiveDate> = s.periods.iter().filter_map(|r| r.period_start).collect();
    weeks.sort();
    weeks.dedup();
    let series: Vec<LineSeries> = s
        .rows
        .iter()
        .map(|r| LineSeries {
            name: r.name.clone(),
            points: weeks
                .iter()
                .map(|w| {
                    s.periods
                        .iter()
                        .find(|pr| pr.key == r.key && pr.period_start == Some(*w))
                        .and_then(|pr| {
                            pr.within_sla.map(|v| LinePoint {
                                value: v * 100.0,
                                partial: pr.partial,
                                thin: pr.thin,
                                n: pr.first_response.n + pr.resolution.n,
                            })
                        })
                })
                .collect(),
        })
        .collect();
    html! {
        p.sub {
            "Care per department: first responses, resolutions, SLA attainment and the backlog, read from each case's event log. "
            "Figures cover " strong { (range) } "; the backlog is counted as of " (when(s.now)) ". "
            "Rows with fewer than " (min) " first responses are greyed: too little evidence to compare."
        }
        @if s.rows.is_empty() {
            p.muted { "No cases in this range." }
        } @else {
            table.care {
                thead { tr {
                    th { "Department" } th.num { "Opened" }
                    th.num title="wall clock: what the customer waited" { "First response p50 / p90 (n)" }
                    th.num title="in the department's business hours, pauses excluded" { "Business-hours p50 / p90" }
                    th.num { "Resolution p50 / p90 (n)" }
                    th.num title="first responses and resolutions by their due time" { "Within SLA" }
                    th.num title="late first responses and resolutions in the range, plus active cases past due now" { "Breaches" }
                    th.num { "Backlog (breached)" }
                    th.num title="re-openings per resolution" { "Reopen rate" }
                    th.num title="the customer's first message after resolution: mean sentiment (−1…1), share positive" { "Sentiment after resolution (n)" }
                } }
                tbody {
                    @for r in &s.rows {
                        tr class=[r.thin.then_some("thin")] title=[thin_title(r, min)] {
                            td { (r.name) @if r.thin { " *" } }
                            td.num { (thousands(r.opened)) }
                            td.num { (hours(r.first_response.p50_secs)) " / " (hours(r.first_response.p90_secs)) " (" (r.first_response.n) ")" }
                            td.num { (hours(r.first_response_business.p50_secs)) " / " (hours(r.first_response_business.p90_secs)) }
                            td.num { (hours(r.resolution.p50_secs)) " / " (hours(r.resolution.p90_secs)) " (" (r.resolution.n) ")" }
                            td.num { (pct(r.within_sla)) }
                            td.num { (thousands(r.breaches)) }
                            td.num { (thousands(r.backlog)) " (" (thousands(r.backlog_breached)) ")" }
                            td.num { (pct(r.reopen_rate)) " (" (r.reopened) ")" }
                            td.num {
                                @match r.sentiment_after_resolution {
                                    Some(v) => { (format!("{v:+.2}")) " · " (pct(r.positive_after_resolution)) " positive (" (r.after_resolution) ")" }
                                    None => { span.muted { "– (0)" } }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "First-response time per department" }
            p.muted { "p50 and p90 of the wall-clock time to the first response, " (range) "; n = first responses. Greyed bars: too little evidence." }
            (response_bars("First-response time per department (p50, p90)", &fr))
            h2 { "Backlog by age" }
            p.muted { "Active cases (new, open, pending) as of " (when(s.now)) ", by days since they opened; n per department at the bar's end." }
            @if backlog.is_empty() {
                p.muted { "No active cases." }
            } @else {
                (backlog_bars("Backlog by age per department", &backlog))
            }
            h2 { "SLA attainment by week" }
            p.muted {
                "Share of first responses and resolutions within their SLA, per week (weeks start on Monday), " (range)
                ". Hollow points: a week only partly inside the range; faint points: fewer than " (min) " first responses that week."
            }
            @if weeks.is_empty() {
                p.muted { "No first responses or resolutions in this range." }
            } @else {
                (sla_lines("SLA attainment by week per department", &weeks, &series))
            }
        }
        h2 { "Cost per case by channel" }
        p.muted {
            span.badge.default { "assumption" } " "
            @for a in &s.assumptions { (a) " " }
            "Cases and contacts (responses) " (range) "."
        }
        @if s.cost.is_empty() {
            p.muted { "No cases in this range." }
        } @else {
            table.cost {
                thead { tr { th { "Channel" } th.num { "Cases (n)" } th.num { "Contacts" } th.num { "Cost per contact (assumed)" } th.num { "Cost" } th.num { "Cost per case" } } }
                tbody {
                    @for c in &s.cost {
                        tr {
                            td { (channel_name(model, &c.channel)) @if c.social { " " span.badge.given { "social" } } }
                            td.num { (thousands(c.cases)) }
                            td.num { (thousands(c.contacts)) }
                            td.num { (crate::pages::money(c.cost_per_contact, &s.currency)) }
                            td.num { (crate::pages::money(c.cost, &s.currency)) }
                            td.num { (c.cost_per_case.map_or_else(|| "–".into(), |v| crate::pages::money(v, &s.currency))) }
                        }
                    }
                }
            }
            @if let Some((saved, dear)) = &s.social_saving {
                p { "Answering on social channels saved an assumed " strong { (crate::pages::money(*saved, &s.currency)) }
                    " against answering the same contacts on " (channel_name(model, dear)) " (" (range) ")." }
            }
        }
        @if interactive {
            p.muted { "The same figures: " code { "GET /api/v1/care/stats?period=week" } "." }
        }
    }
}

// ---------------------------------------------------------------- charts

/// Colours of the age buckets, youngest to oldest.
const AGE_COLOURS: [&str; 5] = ["#bfdbfe", "#60a5fa", "#2563eb", "#f97316", "#b91c1c"];
const SERIES: [&str; 8] = [
    "#2563eb", "#f97316", "#10b981", "#a855f7", "#ef4444", "#0ea5e9", "#eab308", "#64748b",
];

fn f1(x: f64) -> String {
    format!("{x:.1}")
}

/// A tick value without float noise: "0.3", not "0.30000000000000004".
fn tick(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn colour(i: usize) -> &'static str {
    SERIES.get(i % SERIES.len()).copied().unwrap_or("#64748b")
}

/// A legend laid out left to right from `x0`, wrapping before `right`;
/// returns the items' places and the height used.
fn legend_layout(names: &[String], x0: f64, right: f64) -> (Vec<(f64, f64, String)>, f64) {
    let mut out = Vec::new();
    let (mut x, mut y) = (x0, 6.0);
    for n in names {
        let name = fit(n, 200.0, 12.0, false);
        let w = 16.0 + text_width(&name, 12.0, false) + 16.0;
        if x + w > right && x > x0 {
            x = x0;
            y += 18.0;
        }
        out.push((x, y, name));
        x += w;
    }
    (out, y + 18.0)
}

/// A department's first responses: name, p50 and p90 seconds, n, thin.
type ResponseRow = (String, Option<f64>, Option<f64>, u64, bool);

/// p50 and p90 bars per department, in hours, on one axis.
fn response_bars(title: &str, rows: &[ResponseRow]) -> Markup {
    let (lw, pw, rh) = (190.0, 520.0, 40.0);
    let w = lw + pw + 220.0;
    let (legend, lh) = legend_layout(&["p50 (median)".into(), "p90".into()], lw, w - 10.0);
    let top = lh + 6.0;
    let h = top + rows.len() as f64 * rh + 40.0;
    let max_h = rows.iter().filter_map(|r| r.2.or(r.1)).fold(0.0, f64::max) / 3_600.0;
    let axis = ticks(0.0, max_h.max(1.0), 5);
    let hi = axis.last().copied().unwrap_or(1.0).max(max_h).max(1e-9);
    let sx = |hours: f64| lw + hours / hi * pw;
    let base = top + rows.len() as f64 * rh;
    html! {
        svg.chart.responses xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {} {}", f1(w), f1(h)))
            width=(f1(w)) height=(f1(h)) role="img" {
            title { (title) }
            @for (x, y, name) in &legend {
                @let i = if name.starts_with("p50") { 0 } else { 1 };
                rect x=(f1(*x)) y=(f1(*y)) width="12" height="12" fill=(colour(i)) {}
                text x=(f1(x + 16.0)) y=(f1(y + 10.0)) font-size="12" { (name) }
            }
            @for t in &axis {
                line x1=(f1(sx(*t))) x2=(f1(sx(*t))) y1=(f1(top)) y2=(f1(base)) stroke="#e2e8f0" {}
                text x=(f1(sx(*t))) y=(f1(base + 14.0)) text-anchor="middle" font-size="10" fill="#64748b" { (tick(*t)) }
            }
            text x=(f1(lw + pw / 2.0)) y=(f1(base + 32.0)) text-anchor="middle" font-size="11" fill="#475569" { "hours to the first response (wall clock)" }
            @for (k, (label, p50, p90, n, thin)) in rows.iter().enumerate() {
                @let y = top + k as f64 * rh + 6.0;
                @let opacity = if *thin { "0.35" } else { "1" };
                g opacity=(opacity) {
                    title { (label) ": p50 " (hours(*p50)) ", p90 " (hours(*p90)) ", n " (n) @if *thin { " (too little evidence)" } }
                    text x=(f1(lw - 8.0)) y=(f1(y + 15.0)) text-anchor="end" font-size="12" { (fit(label, lw - 14.0, 12.0, false)) }
                    @for (i, v) in [p50, p90].iter().enumerate() {
                        @if let Some(v) = v {
                            rect.pt x=(f1(lw)) y=(f1(y + i as f64 * 13.0)) width=(f1((sx(v / 3_600.0) - lw).max(1.0))) height="11" fill=(colour(i)) {}
                        }
                    }
                    text x=(f1(sx(p90.or(*p50).unwrap_or(0.0) / 3_600.0) + 6.0)) y=(f1(y + 15.0)) font-size="11" fill="#334155" {
                        (hours(*p50)) " / " (hours(*p90)) " · n " (n)
                    }
                }
            }
        }
    }
}

/// Stacked horizontal bars of active cases by age bucket per department.
fn backlog_bars(title: &str, rows: &[(String, Vec<u64>, u64)]) -> Markup {
    let (lw, pw, rh) = (190.0, 520.0, 30.0);
    let w = lw + pw + 220.0;
    let names: Vec<String> = AGE_BUCKETS.iter().map(|(l, _)| (*l).to_string()).collect();
    let (legend, lh) = legend_layout(&names, lw, w - 10.0);
    let top = lh + 6.0;
    let h = top + rows.len() as f64 * rh + 40.0;
    let max = rows
        .iter()
        .map(|r| r.1.iter().sum::<u64>())
        .max()
        .unwrap_or(0) as f64;
    let axis = ticks(0.0, max.max(1.0), 5);
    let hi = axis.last().copied().unwrap_or(1.0).max(max).max(1.0);
    let sx = |v: f64| lw + v / hi * pw;
    let base = top + rows.len() as f64 * rh;
    html! {
        svg.chart.backlog xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {} {}", f1(w), f1(h)))
            width=(f1(w)) height=(f1(h)) role="img" {
            title { (title) }
            @for (i, (x, y, name)) in legend.iter().enumerate() {
                rect x=(f1(*x)) y=(f1(*y)) width="12" height="12" fill=(AGE_COLOURS[i % AGE_COLOURS.len()]) {}
                text x=(f1(x + 16.0)) y=(f1(y + 10.0)) font-size="12" { (name) }
            }
            @for t in &axis {
                line x1=(f1(sx(*t))) x2=(f1(sx(*t))) y1=(f1(top)) y2=(f1(base)) stroke="#e2e8f0" {}
                text x=(f1(sx(*t))) y=(f1(base + 14.0)) text-anchor="middle" font-size="10" fill="#64748b" { (tick(*t)) }
            }
            text x=(f1(lw + pw / 2.0)) y=(f1(base + 32.0)) text-anchor="middle" font-size="11" fill="#475569" { "active cases" }
            @for (k, (label, counts, breached)) in rows.iter().enumerate() {
                @let y = top + k as f64 * rh + 5.0;
                @let total: u64 = counts.iter().sum();
                g {
                    title { (label) ": " (total) " active, " (breached) " in breach" }
                    text x=(f1(lw - 8.0)) y=(f1(y + 14.0)) text-anchor="end" font-size="12" { (fit(label, lw - 14.0, 12.0, false)) }
                    @for (i, n) in counts.iter().enumerate() {
                        @let x: u64 = counts.iter().take(i).sum();
                        @if *n > 0 {
                            rect.pt x=(f1(sx(x as f64))) y=(f1(y)) width=(f1((sx((x + n) as f64) - sx(x as f64)).max(1.0))) height="20" fill=(AGE_COLOURS[i % AGE_COLOURS.len()]) {
                                title { (label) ", " (AGE_BUCKETS[i % AGE_BUCKETS.len()].0) ": " (n) }
                            }
                        }
                    }
                    text x=(f1(sx(total as f64) + 6.0)) y=(f1(y + 14.0)) font-size="11" fill="#334155" { "n " (total) " · " (breached) " breached" }
                }
            }
        }
    }
}

/// A point of an SLA line.
#[derive(Debug, Clone, Copy)]
struct LinePoint {
    value: f64,
    partial: bool,
    thin: bool,
    n: u64,
}

/// One department's weekly SLA attainment.
#[derive(Debug, Clone)]
struct LineSeries {
    name: String,
    points: Vec<Option<LinePoint>>,
}

/// Weekly SLA attainment (0–100 %) per department: one line each, hollow
/// points for partial weeks, faint ones for thin weeks; week labels thinned
/// so they never overlap.
fn sla_lines(title: &str, weeks: &[NaiveDate], series: &[LineSeries]) -> Markup {
    let (left, right, ph) = (52.0, 40.0, 220.0);
    let step = 48.0f64;
    let pw = (weeks.len().saturating_sub(1) as f64 * step).max(300.0);
    let w = left + pw + right;
    let names: Vec<String> = series.iter().map(|s| s.name.clone()).collect();
    let (legend, lh) = legend_layout(&names, left, w - 6.0);
    let top = lh + 10.0;
    let h = top + ph + 48.0;
    let n = weeks.len().max(2) as f64 - 1.0;
    let x = |i: usize| left + i as f64 / n * pw;
    let y = |v: f64| top + ph - v.clamp(0.0, 100.0) / 100.0 * ph;
    let label_w = text_width("30 Sep", 10.0, false) + 8.0;
    let every = ((label_w / (pw / n)).ceil() as usize).max(1);
    html! {
        svg.chart.sla xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {} {}", f1(w), f1(h)))
            width=(f1(w)) height=(f1(h)) role="img" {
            title { (title) }
            @for (i, (lx, ly, name)) in legend.iter().enumerate() {
                rect x=(f1(*lx)) y=(f1(*ly)) width="12" height="12" fill=(colour(i)) {}
                text x=(f1(lx + 16.0)) y=(f1(ly + 10.0)) font-size="12" { (name) }
            }
            @for t in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line x1=(f1(left)) x2=(f1(left + pw)) y1=(f1(y(t))) y2=(f1(y(t))) stroke="#e2e8f0" {}
                text x=(f1(left - 4.0)) y=(f1(y(t) + 4.0)) text-anchor="end" font-size="10" fill="#64748b" { (t) "%" }
            }
            text x="12" y=(f1(top + ph / 2.0)) text-anchor="middle" font-size="11" fill="#475569"
                transform=(format!("rotate(-90 12 {})", f1(top + ph / 2.0))) { "within SLA" }
            @for (i, wk) in weeks.iter().enumerate() {
                @if i % every == 0 {
                    text x=(f1(x(i))) y=(f1(top + ph + 16.0)) text-anchor="middle" font-size="10" fill="#64748b" { (wk.format("%-d %b")) }
                }
            }
            text x=(f1(left + pw / 2.0)) y=(f1(top + ph + 36.0)) text-anchor="middle" font-size="11" fill="#475569" { "week starting" }
            @for (s, ser) in series.iter().enumerate() {
                @let path: Vec<String> = ser.points.iter().enumerate().filter_map(|(i, p)| p.map(|p| format!("{},{}", f1(x(i)), f1(y(p.value))))).collect();
                polyline points=(path.join(" ")) fill="none" stroke=(colour(s)) stroke-width="1.5" {}
                @for (i, p) in ser.points.iter().enumerate() {
                    @if let Some(p) = p {
                        circle.pt cx=(f1(x(i))) cy=(f1(y(p.value))) r="3.5"
                            fill=(if p.partial { "#fff" } else { colour(s) }) stroke=(colour(s))
                            opacity=(if p.thin { "0.35" } else { "1" }) {
                            title {
                                (ser.name) ", week of " (weeks[i]) ": " (format!("{:.0}%", p.value)) " within SLA, n " (p.n)
                                @if p.partial { " (partial week)" }
                                @if p.thin { " (too little evidence)" }
                            }
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- overview

/// The Overview's block: open cases and breaches per department, now.
pub async fn overview_care(state: &AppState) -> Result<Markup, ApiError> {
    let now = Utc::now();
    let model = state.model().clone();
    let rows = state
        .db()
        .read(move |s| {
            Ok(tce_insight::care::backlog_by(
                s,
                CareGroup::Department,
                now,
                None,
            )?)
        })
        .await?;
    Ok(overview_block(&model, &rows, now))
}

/// "Open cases and breaches per department" from the backlog.
pub fn overview_block(model: &Model, rows: &[BacklogAge], now: DateTime<Utc>) -> Markup {
    html! {
        h2 { "Open cases and breaches per department" }
        @if rows.is_empty() {
            p.muted { "No active cases as of " (when(now)) "." }
        } @else {
            p.sub { "Active cases (new, open, pending) as of " (when(now)) ", and how many are past an SLA due time. " a href="/cases" { "Open the queue" } " · " a href="/care" { "Care metrics" } }
            table.care-overview {
                thead { tr { th { "Department" } th.num { "Open cases" } th.num { "Breached" } th.num { "Older than 7 days" } } }
                tbody {
                    @for r in rows {
                        tr {
                            td { a href=(href("/cases", &[("department", r.key.as_str())])) { (department_name(model, &r.key)) } }
                            td.num { (thousands(r.by_age.iter().sum())) }
                            td.num { (thousands(r.breached)) }
                            td.num { (thousands(r.by_age.iter().skip(3).sum())) }
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- report

/// The report's care section: per department opened, first response
/// p50/p90, within SLA, backlog and breaches.
pub fn report_section(model: &Model, s: &CareStats) -> Markup {
    let min = model.evidence.min_touchpoint_signals;
    html! {
        (style())
        h1 { "Care" }
        p.sub {
            "Per department, " strong { (covers(s)) } "; backlog as of " (when(s.now)) ". Rows with fewer than " (min) " first responses are greyed."
        }
        @if s.rows.is_empty() {
            p.muted { "No cases in this range." }
        } @else {
            table.care {
                thead { tr {
                    th { "Department" } th.num { "Opened" } th.num { "First response p50" } th.num { "First response p90" }
                    th.num { "n" } th.num { "Within SLA" } th.num { "Backlog" } th.num { "Breaches" }
                } }
                tbody {
                    @for r in &s.rows {
                        tr class=[r.thin.then_some("thin")] title=[thin_title(r, min)] {
                            td { (r.name) @if r.thin { " *" } }
                            td.num { (thousands(r.opened)) }
                            td.num { (hours(r.first_response.p50_secs)) }
                            td.num { (hours(r.first_response.p90_secs)) }
                            td.num { (r.first_response.n) }
                            td.num { (pct(r.within_sla)) }
                            td.num { (thousands(r.backlog)) }
                            td.num { (thousands(r.breaches)) }
                        }
                    }
                }
            }
        }
    }
}
