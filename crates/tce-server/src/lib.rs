//! The tce server: REST API, web dashboard, HTML report and CSV export.
//!
//! - [`app`] builds the whole router over an [`AppState`]; tests call it
//!   in-process. [`serve`] binds an address and runs it until SIGINT or
//!   SIGTERM, letting requests in flight finish.
//! - `/api/v1/…` is the JSON API ([`api`]), documented by the OpenAPI
//!   document generated from its handlers at `/api/v1/openapi.json`. Every
//!   error has one shape ([`error::ApiError`]). Care cases and their
//!   statistics are [`cases`]; `serve` also runs the care housekeeping
//!   (auto-resolve, auto-close) every minute in the background.
//! - Everything else is the dashboard ([`web`]): server-rendered HTML with
//!   SVG charts made on the server ([`charts`]), no JavaScript, no external
//!   requests.
//! - [`report::report`] renders the same pages into one self-contained HTML
//!   file; [`report::export_signals`] and [`report::export_scores`] write CSV.
//!
//! All numbers come from `tce-insight` through [`insights`], so the CLI, the
//! API, the dashboard and the report agree. Store work runs on the blocking
//! pool: one writer connection for ingest, a pool of readers ([`db::Db`]).
#![deny(missing_docs)]

pub mod advocacy;
pub mod alert_pages;
pub mod alerts;
pub mod api;
pub mod auth;
pub mod care_pages;
pub mod cases;
pub mod charts;
pub mod db;
pub mod dto;
pub mod error;
pub mod extract;
pub mod insights;
pub mod limit;
pub mod maturity;
pub mod pages;
pub mod params;
pub mod report;
pub mod session;
pub mod state;
pub mod tokens;
pub mod views;
pub mod web;
pub mod webhooks;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;
use tce_model::Model;

pub use auth::{generate_token, hash_token, Role};
pub use db::Db;
pub use limit::RateLimit;
pub use state::{AppState, ServerOptions};

/// Default address: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// Default largest request body: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// How long a client may take to send a request body by default. One that
/// trickles its body ties up a connection and a buffer; past this it gets a
/// 408 `request_timeout` (16 MiB arrive well within it on any network a
/// collector runs on).
pub const DEFAULT_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Default number of idle read connections kept.
pub const DEFAULT_READ_CONNECTIONS: usize = 4;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// `--no-auth` on an address other machines can reach.
    #[error(
        "--no-auth is only allowed on a loopback address (127.0.0.1, ::1), not {0}: \
         anyone who can reach the address would be an admin. Create a token with \
         `tce token create --role admin` and serve with authentication instead"
    )]
    NoAuthNotLoopback(SocketAddr),
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] tce_store::StoreError),
    /// The ingest pipeline could not be built (the model's phrases, a
    /// classifier file, the pseudonym key).
    #[error(transparent)]
    Pipeline(#[from] tce_pipeline::PipelineError),
    /// Binding or serving failed.
    #[error("serving on {addr}: {source}")]
    Io {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
}

/// What [`serve`] runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on.
    pub addr: SocketAddr,
    /// The workspace's model.
    pub model: Model,
    /// The workspace's SQLite file.
    pub db_path: PathBuf,
    /// Serve without authentication (loopback only).
    pub no_auth: bool,
    /// Largest request body in bytes.
    pub max_body_bytes: usize,
    /// Idle read connections kept.
    pub read_connections: usize,
    /// Requests per API token (`None`: unlimited).
    pub rate_limit: Option<RateLimit>,
}

/// The whole application: API under `/api/v1`, dashboard elsewhere.
pub fn app(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", api::router())
        .merge(web::router(state.clone()))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    tracing::debug!(
        message = "Request.",
        %method,
        %path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// Checks the configuration and builds the state [`serve`] would use.
pub fn state_for(config: &ServeConfig) -> Result<AppState, ServeError> {
    let loopback = config.addr.ip().is_loopback();
    if config.no_auth && !loopback {
        return Err(ServeError::NoAuthNotLoopback(config.addr));
    }
    let db = Db::open(&config.db_path, config.read_connections)?;
    AppState::new(
        config.model.clone(),
        db,
        ServerOptions {
            no_auth: config.no_auth,
            secure_cookies: !loopback,
            max_body_bytes: config.max_body_bytes,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            rate_limit: config.rate_limit,
        },
    )
}

/// Serves until SIGINT or SIGTERM; requests in flight are finished first.
/// `on_ready` is called with the bound address once the server listens.
pub async fn serve(
    config: ServeConfig,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let state = state_for(&config)?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServeError::Io {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Io {
        addr: config.addr,
        source,
    })?;
    on_ready(addr);
    serve_on(listener, state, shutdown_signal()).await
}

/// Serves `state` on a bound listener until `shutdown` completes.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let addr = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
    let warm = state.clone();
    tokio::task::spawn_blocking(move || warm_up(&warm));
    let sweeper = cases::spawn_sweeper(state.clone());
    let deliverer = webhooks::spawn_deliverer(state.clone());
    let served = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    deliverer.abort();
    served.map_err(|source| ServeError::Io { addr, source })?;
    tracing::info!(message = "Server stopped.", %addr);
    Ok(())
}

/// Computes what the first pages need (weights, brand cards, weekly index
/// over the whole range) so the first visitor does not wait for it.
pub fn warm_up(state: &AppState) {
    let started = Instant::now();
    let result = state.db().read_blocking(|store| {
        let model = state.model().clone();
        let ins = insights::Insights {
            model: &model,
            store,
            state: Some(state),
        };
        let all = tce_insight::scores::Filter::default();
        ins.cards(&all)?;
        ins.weekly_index(&all)?;
        ins.finance(&all, 5.0)?;
        Ok(())
    });
    match result {
        Ok(()) => tracing::info!(
            message = "Cache warmed.",
            ms = started.elapsed().as_secs_f64() * 1000.0
        ),
        Err(e) => tracing::warn!(message = "Cache warm-up failed.", error = %e),
    }
}

/// [`serve`] on a new multi-threaded runtime, for synchronous callers (the CLI).
pub fn serve_blocking(
    config: ServeConfig,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let addr = config.addr;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| ServeError::Io { addr, source })?;
    runtime.block_on(serve(config, on_ready))
}

/// Completes on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!(message = "Shutting down: finishing requests in flight.");
}
