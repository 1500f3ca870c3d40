//! Webhook delivery: the loop `tce serve` runs over the persisted outbox
//! (`webhook_deliveries`), never inside an ingest transaction.
//!
//! Every second it takes the deliveries that are due, POSTs each body to its
//! webhook signed per Standard Webhooks (`tce_alert::webhook::headers`: the
//! same `webhook-id` on every attempt, a fresh timestamp and signature), and
//! records the outcome: delivered on 2xx; on a timeout, a connection error,
//! 429 or 5xx another attempt after `tce_alert::webhook::next_retry`'s
//! backoff with jitter; dead-lettered with the last error after the last
//! attempt or on any other status. A delivery is only marked once its
//! attempt ended, so one pending when the process dies is sent after the
//! restart (at least once).
//!
//! Plain `http://` only: the server carries no TLS client; an `https://`
//! webhook is dead-lettered with that reason.

use crate::state::AppState;
use axum::body::Bytes;
use chrono::Utc;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE, HOST, RETRY_AFTER, USER_AGENT};
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use rand::Rng;
use std::time::Duration;
use tce_alert::webhook::{self, next_retry, Outcome, Retry};
use tce_store::{Delivery, DeliveryAttempt, DeliveryStatus, Store, Webhook};

/// How often the loop looks for due deliveries.
pub const DELIVER_EVERY: Duration = Duration::from_secs(1);

/// Deliveries sent per round.
const BATCH: usize = 50;

/// Starts the delivery loop.
pub fn spawn_deliverer(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(DELIVER_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = deliver_due(&state).await {
                tracing::warn!(message = "Webhook delivery round failed.", error = %e);
            }
        }
    })
}

/// One round: every due delivery is attempted once. Returns how many.
pub async fn deliver_due(state: &AppState) -> Result<usize, crate::error::ApiError> {
    let now = Utc::now();
    let (due, hooks) = state
        .db()
        .read(move |store| Ok((store.due_deliveries(now, BATCH)?, store.webhooks()?)))
        .await?;
    let settings = state.pipeline().alert_settings().clone();
    let timeout = Duration::from_secs(u64::from(settings.timeout_secs.max(1)));
    for d in &due {
        let attempt = match hooks.iter().find(|h| h.id == d.webhook_id) {
            Some(h) => {
                let (outcome, error) = attempt(h, d, timeout).await;
                let n = d.attempts + 1;
                let u: f64 = rand::rngs::OsRng.gen();
                let at = Utc::now();
                let (status, next) = match next_retry(&settings.retry, n, &outcome, u) {
                    Retry::Delivered => (DeliveryStatus::Delivered, at),
                    Retry::DeadLetter => (DeliveryStatus::Dead, at),
                    Retry::After { secs } => (
                        DeliveryStatus::Pending,
                        at + chrono::Duration::seconds(i64::try_from(secs).unwrap_or(3600)),
                    ),
                };
                tracing::debug!(
                    message = "Webhook attempt.",
                    delivery = d.id,
                    webhook = h.id,
                    attempt = n,
                    status = status.as_str(),
                    error = error.as_deref().unwrap_or("")
                );
                DeliveryAttempt {
                    id: d.id,
                    status,
                    next_attempt_at: next,
                    http_status: match outcome {
                        Outcome::Status { code, .. } => Some(code),
                        _ => None,
                    },
                    error,
                    at,
                }
            }
            None => DeliveryAttempt {
                id: d.id,
                status: DeliveryStatus::Dead,
                next_attempt_at: now,
                http_status: None,
                error: Some("the webhook was removed".into()),
                at: now,
            },
        };
        state
            .db()
            .write(move |store| Ok(store.record_attempt(&attempt)?))
            .await?;
    }
    Ok(due.len())
}

/// One POST of a delivery: its outcome, and the error to record if it failed.
async fn attempt(hook: &Webhook, d: &Delivery, timeout: Duration) -> (Outcome, Option<String>) {
    let uri: Uri = match hook.url.parse() {
        Ok(u) => u,
        Err(e) => {
            return (
                Outcome::Status {
                    code: 400,
                    retry_after: None,
                },
                Some(format!("bad URL: {e}")),
            )
        }
    };
    if uri.scheme_str() != Some("http") {
        return (
            Outcome::Status {
                code: 400,
                retry_after: None,
            },
            Some("only http:// webhooks can be delivered (no TLS client)".into()),
        );
    }
    let Some(host) = uri.host().map(str::to_owned) else {
        return (
            Outcome::Status {
                code: 400,
                retry_after: None,
            },
            Some("URL without host".into()),
        );
    };
    let port = uri.port_u16().unwrap_or(80);
    let timestamp = Utc::now().timestamp();
    let body = d.payload.clone().into_bytes();
    let headers = match webhook::headers(&hook.secret, &d.message_id, timestamp, &body) {
        Ok(h) => h,
        Err(e) => {
            return (
                Outcome::Status {
                    code: 400,
                    retry_after: None,
                },
                Some(format!("cannot sign: {e}")),
            )
        }
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let send = async {
        let stream = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| (Outcome::Connection, format!("connect {host}:{port}: {e}")))?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| (Outcome::Connection, format!("handshake: {e}")))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let mut req = Request::post(path)
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, concat!("tce/", env!("CARGO_PKG_VERSION")))
            .header(HOST, format!("{host}:{port}"));
        for (name, value) in &headers {
            req = req.header(*name, value.as_str());
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| (Outcome::Connection, format!("request: {e}")))?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| (Outcome::Connection, format!("send: {e}")))?;
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        Ok::<_, (Outcome, String)>(Outcome::Status {
            code: resp.status().as_u16(),
            retry_after,
        })
    };
    match tokio::time::timeout(timeout, send).await {
        Err(_) => (
            Outcome::Timeout,
            Some(format!("no answer within {} s", timeout.as_secs())),
        ),
        Ok(Err((o, e))) => (o, Some(e)),
        Ok(Ok(o)) if o.is_success() => (o, None),
        Ok(Ok(o)) => {
            let code = match o {
                Outcome::Status { code, .. } => code,
                _ => 0,
            };
            (o, Some(format!("HTTP {code}")))
        }
    }
}
