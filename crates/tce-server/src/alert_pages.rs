//! The Alerts page of the dashboard (`/alerts`: open and recent alerts) and
//! an alert's own page (`/alerts/{id}`: observed against the expected band
//! over the last days, example posts, history, acknowledge/resolve forms).
//!
//! Text from signals (posts, author names) is only ever put in the page
//! through maud, which escapes it. Changes go through
//! `tce_pipeline::alerts::change` against the version the page showed,
//! with the session's CSRF token. Agents see their department's alerts only
//! (another department's is a 404).

use crate::auth::{Principal, Role};
use crate::error::ApiError;
use crate::pages::Page;
use crate::state::AppState;
use crate::web::{frame, signed_in, PageError, WebForm, WebSession};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use chrono::{DateTime, SecondsFormat, Utc};
use maud::{html, Markup};
use serde::Deserialize;
use tce_alert::Detector;
use tce_pipeline::alerts::{self as pa, headline};
use tce_store::{kind_str, Alert, AlertEventRow, AlertQuery, AlertStatus, Store, StoredSignal};

/// The alert pages' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/alerts", get(alerts_page))
        .route("/alerts/{id}", get(alert_page).post(alert_post))
}

fn departments(p: &Principal) -> Option<Vec<String>> {
    match p.role {
        Role::Admin | Role::Analyst => None,
        Role::Agent => Some(p.department.iter().cloned().collect()),
    }
}

fn sees(p: &Principal, a: &Alert) -> bool {
    match p.role {
        Role::Admin | Role::Analyst => true,
        Role::Agent => p.department.is_some() && p.department == a.department,
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Open alerts of a principal (for the Overview and the Journey map).
pub fn open_alerts(store: &dyn Store, p: &Principal) -> Result<Vec<Alert>, ApiError> {
    Ok(store.alerts(&AlertQuery {
        statuses: vec![AlertStatus::Open, AlertStatus::Acknowledged],
        departments: departments(p),
        limit: 50,
        ..AlertQuery::default()
    })?)
}

/// Emerging terms as one line: 'lost tag', 'belt 5' (escaped by the template).
fn terms_line(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn row(model: &tce_model::Model, a: &Alert) -> Markup {
    html! {
        tr {
            td { a href=(format!("/alerts/{}", a.id)) { "#" (a.id) } }
            td { (a.status.as_str()) @if a.active { " · ongoing" } }
            td { (a.scope.as_str()) }
            td { (a.department.as_deref().unwrap_or("—")) }
            td {
                (headline(model, a))
                @if !a.terms.is_empty() {
                    br;
                    span.meta { "new in complaints: " (terms_line(&a.terms)) }
                }
            }
            td { (ts(a.window_start)) }
        }
    }
}

async fn alerts_page(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Alerts)?;
    let pp = p.clone();
    let (open, recent) = state
        .db()
        .read(move |s| {
            let open = open_alerts(s, &pp)?;
            let recent = s.alerts(&AlertQuery {
                statuses: vec![AlertStatus::Resolved],
                departments: departments(&pp),
                limit: 30,
                ..AlertQuery::default()
            })?;
            Ok((open, recent))
        })
        .await?;
    let model = state.model().clone();
    let table = |alerts: &[Alert]| {
        html! {
            table.alerts {
                thead { tr { th { "Alert" } th { "Status" } th { "Scope" } th { "Department" } th { "What" } th { "Since" } } }
                tbody { @for a in alerts { (row(&model, a)) } }
            }
        }
    };
    let body = html! {
        p { "Surges of complaints (and of praise) per brand × touchpoint, stage and brand, against each series' own seasonal baseline; one alert per incident, routed to the department that owns the touchpoint. Competitors' incidents are kept apart as competitive." }
        h2 { "Open (" (open.len()) ")" }
        @if open.is_empty() { p.empty { "No open alerts." } } @else { (table(&open)) }
        h2 { "Recently resolved" }
        @if recent.is_empty() { p.empty { "None." } } @else { (table(&recent)) }
    };
    Ok(frame(&state, &ws, &p, Page::Alerts, "Alerts", body).into_response())
}

/// Observed counts per hour against the expected band, last three days of
/// the alert's most specific series.
fn chart(points: &[(i64, u64, f64, u64, u64)]) -> Markup {
    let (w, h, pad) = (720.0, 200.0, 30.0);
    if points.is_empty() {
        return html! { p.empty { "No series history to chart." } };
    }
    let max = points
        .iter()
        .map(|p| (p.1 as f64).max(p.4 as f64))
        .fold(1.0, f64::max);
    let n = points.len().max(2) as f64 - 1.0;
    let x = |i: usize| pad + (w - 2.0 * pad) * i as f64 / n;
    let y = |v: f64| h - pad - (h - 2.0 * pad) * v / max;
    let mut band: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.4 as f64)))
        .collect();
    band.extend(
        points
            .iter()
            .enumerate()
            .rev()
            .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.3 as f64))),
    );
    let expected: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.2)))
        .collect();
    let observed: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.1 as f64)))
        .collect();
    html! {
        svg.chart viewBox=(format!("0 0 {w} {h}")) role="img" aria-label="Observed per hour against the expected band" {
            polygon points=(band.join(" ")) fill="#dbeafe" stroke="none" {}
            polyline points=(expected.join(" ")) fill="none" stroke="#60a5fa" stroke-dasharray="4 3" {}
            polyline points=(observed.join(" ")) fill="none" stroke="#b91c1c" stroke-width="2" {}
            text x=(pad) y="14" font-size="12" { "max " (max as u64) " per hour · red: observed · blue: expected and its 95% band" }
        }
    }
}

struct AlertView {
    alert: Alert,
    events: Vec<AlertEventRow>,
    examples: Vec<StoredSignal>,
    points: Vec<(i64, u64, f64, u64, u64)>,
}

fn load(state: &AppState, s: &dyn Store, p: &Principal, id: i64) -> Result<AlertView, ApiError> {
    let alert = s
        .alert(id)?
        .filter(|a| sees(p, a))
        .ok_or_else(|| ApiError::NotFound(format!("no alert {id}")))?;
    let events = s.alert_events(id)?;
    let examples = pa::examples(s, &alert, 5)?;
    // The chart: three days up to the alert's end, hourly.
    let settings = state.pipeline().alert_settings();
    let detector_name = alert
        .members
        .first()
        .map_or(pa::NEGATIVE, |m| m.detector.as_str());
    let detector_settings = if detector_name == pa::PRAISE {
        &settings.praise
    } else {
        &settings.negative
    };
    let bucket = i64::from(detector_settings.bucket_secs).max(1);
    let end = (alert.window_end.timestamp() / bucket + 6) * bucket;
    let start = end - 72 * 3600;
    let series = alert.series();
    let counts = s.bucket_counts(&series, start, end, bucket)?;
    let states: Vec<_> = s
        .series_states(detector_name)?
        .into_iter()
        .filter(|st| st.key() == &series)
        .collect();
    let detector = Detector::restore(detector_settings.clone(), states).ok();
    let id_of = detector.as_ref().and_then(|d| d.lookup(&series));
    let praise = detector_name == pa::PRAISE;
    let mut points = Vec::new();
    let mut b = start;
    while b < end {
        let c = counts.iter().find(|c| c.start == b);
        let observed = c.map_or(0, |c| if praise { c.total } else { c.negative });
        let (mu, (lo, hi)) = match (&detector, id_of) {
            (Some(d), Some(i)) => d.expected(i, b).unwrap_or((0.0, (0, 0))),
            _ => (0.0, (0, 0)),
        };
        points.push((b, observed, mu, lo, hi));
        b += bucket;
    }
    Ok(AlertView {
        alert,
        events,
        examples,
        points,
    })
}

fn body(model: &tce_model::Model, p: &Principal, v: &AlertView, csrf: &str) -> Markup {
    let a = &v.alert;
    let may_change = p.role != Role::Analyst && a.status != AlertStatus::Resolved;
    html! {
        p.headline { (headline(model, a)) }
        p {
            "Kind " (kind_str(a.kind)) " · scope " (a.scope.as_str())
            " · department " (a.department.as_deref().unwrap_or("none (not routed)"))
            " · status " strong { (a.status.as_str()) } " · version " (a.version)
        }
        p {
            "Window " (ts(a.window_start)) " → " (ts(a.window_end))
            @if a.active { " (ongoing)" }
            " · observed " (a.observed) ", expected " (format!("{:.1}", a.expected))
            " (95% interval " (a.interval.0) "–" (a.interval.1) "), severity " (a.severity) "/10"
        }
        h2 { "Observed against the expected band" }
        (chart(&v.points))
        @if may_change {
            div.forms {
                @if a.status == AlertStatus::Open {
                    form method="post" action=(format!("/alerts/{}", a.id)) {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="version" value=(a.version);
                        input type="hidden" name="status" value="acknowledged";
                        button type="submit" { "Acknowledge" }
                    }
                }
                form method="post" action=(format!("/alerts/{}", a.id)) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="version" value=(a.version);
                    input type="hidden" name="status" value="resolved";
                    button type="submit" { "Resolve" }
                }
            }
        }
        @if !a.terms.is_empty() {
            h2 { "Emerging terms" }
            p { "New in the brand's complaints: " (terms_line(&a.terms)) }
        }
        h2 { "Example posts (most reached first)" }
        @if v.examples.is_empty() { p.empty { "None stored in the window." } }
        ul.examples {
            @for s in &v.examples {
                @let sig = &s.signal.signal;
                li {
                    span.meta { (sig.channel) " · " (sig.author.as_deref().unwrap_or("?")) " · " (sig.author_followers.unwrap_or(0)) " followers · " (ts(sig.created_at)) }
                    " " (sig.text)
                }
            }
        }
        h2 { "Series" }
        ul { @for m in &a.members { li { (m.detector) " · " (m.series.to_string()) @if m.active { " (open)" } } } }
        h2 { "History" }
        ul {
            @for e in &v.events {
                li {
                    (e.at.to_rfc3339_opts(SecondsFormat::Secs, true)) " " (e.change) " by " (e.actor)
                    @if let Some(x) = &e.evidence { " — observed " (x.observed) ", expected " (format!("{:.1}", x.expected)) ", severity " (x.severity) }
                }
            }
        }
    }
}

async fn alert_page(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Alerts)?;
    let id: i64 = raw
        .trim()
        .parse()
        .map_err(|_| ApiError::NotFound(format!("no alert {raw:?}")))?;
    let (pp, st) = (p.clone(), state.clone());
    let view = state.db().read(move |s| load(&st, s, &pp, id)).await?;
    let body = body(state.model(), &p, &view, &ws.session.csrf);
    Ok(frame(&state, &ws, &p, Page::Alerts, &format!("Alert #{id}"), body).into_response())
}

/// The acknowledge/resolve form.
#[derive(Debug, Default, Deserialize)]
pub struct AlertForm {
    /// Anti-forgery token.
    #[serde(default)]
    pub csrf: String,
    /// The version the page showed.
    #[serde(default)]
    pub version: String,
    /// `acknowledged` or `resolved`.
    #[serde(default)]
    pub status: String,
}

async fn alert_post(
    State(state): State<AppState>,
    Extension(ws): Extension<WebSession>,
    Path(raw): Path<String>,
    WebForm(form): WebForm<AlertForm>,
) -> Result<Response, PageError> {
    let p = signed_in(&ws, Page::Alerts)?;
    if !ws.session.csrf_ok(&form.csrf) {
        return Err(ApiError::CsrfFailed.into());
    }
    if p.role == Role::Analyst {
        return Err(ApiError::Forbidden(
            "the analyst role may read alerts, not change them".into(),
        )
        .into());
    }
    let id: i64 = raw
        .trim()
        .parse()
        .map_err(|_| ApiError::NotFound(format!("no alert {raw:?}")))?;
    let to = form
        .status
        .parse::<AlertStatus>()
        .map_err(ApiError::InvalidBody)?;
    let version = form.version.trim().parse::<u64>().ok();
    let actor = match p.token_id {
        Some(_) => p.name.clone(),
        None => "admin".into(),
    };
    state
        .db()
        .write(move |s| {
            s.alert(id)?
                .filter(|a| sees(&p, a))
                .ok_or_else(|| ApiError::NotFound(format!("no alert {id}")))?;
            pa::change(s, id, to, &actor, Utc::now(), version).map_err(|e| match e {
                pa::AlertChangeError::Store(tce_store::StoreError::StaleAlert {
                    current, ..
                }) => ApiError::StaleVersion {
                    message: format!("alert {id} has changed meanwhile; reload the page"),
                    current_version: current,
                },
                pa::AlertChangeError::Store(e) => e.into(),
                pa::AlertChangeError::NotFound(id) => ApiError::NotFound(format!("no alert {id}")),
                e => ApiError::InvalidTransition(e.to_string()),
            })?;
            Ok(())
        })
        .await?;
    Ok(Redirect::to(&format!("/alerts/{id}")).into_response())
}

/// The Overview's block: the open alerts the principal sees.
pub async fn overview_block(state: &AppState, p: &Principal) -> Result<Markup, ApiError> {
    let pp = p.clone();
    let open = state.db().read(move |s| open_alerts(s, &pp)).await?;
    let model = state.model().clone();
    Ok(html! {
        section.alerts-block {
            h2 { a href="/alerts" { "Open alerts (" (open.len()) ")" } }
            @if open.is_empty() { p.empty { "No open alerts." } }
            ul {
                @for a in open.iter().take(10) {
                    li { a href=(format!("/alerts/{}", a.id)) { "#" (a.id) } " " (headline(&model, a)) @if a.active { " · ongoing" } }
                }
            }
        }
    })
}

/// The Journey map's block: the touchpoints under an open alert, marked.
pub async fn journey_block(state: &AppState, p: &Principal) -> Result<Markup, ApiError> {
    let pp = p.clone();
    let open = state.db().read(move |s| open_alerts(s, &pp)).await?;
    let model = state.model().clone();
    let marked: Vec<&Alert> = open.iter().filter(|a| a.touchpoint.is_some()).collect();
    Ok(html! {
        @if !marked.is_empty() {
            section.alerts-block {
                p {
                    strong { "⚠ Under alert: " }
                    @for (i, a) in marked.iter().enumerate() {
                        @if i > 0 { ", " }
                        @let tp = a.touchpoint.as_deref().unwrap_or("");
                        a href=(format!("/alerts/{}", a.id)) {
                            (model.touchpoint(tp).map_or(tp, |t| t.name.as_str())) " (" (model.brand(&a.brand).map_or(a.brand.as_str(), |b| b.name.as_str())) ")"
                        }
                    }
                }
            }
        }
    })
}
