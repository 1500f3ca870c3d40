//! What every request shares: the model, the enricher, the store, sessions
//! and a small cache of computed insights.
//!
//! The cache keeps whole-range computations (weights, brand cards, trends,
//! finance) keyed by their query. An entry is fresh while no ingest has
//! happened through this server since it was computed and it is younger
//! than [`CACHE_TTL`] (so writes by other processes, e.g. `tce ingest`, show
//! up within that time). A stale entry that was cheap to compute (under
//! [`SYNC_RECOMPUTE`]) is recomputed before answering, so small workspaces
//! always answer fresh; an expensive one (survey key drivers over millions
//! of signals take seconds) is served stale while one background thread
//! recomputes it, so no page waits for it. Only the very first computation
//! blocks, and `serve` runs that at start-up.

use crate::db::Db;
use crate::error::ApiError;
use crate::limit::{Limiter, RateLimit};
use crate::session::Sessions;
use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tce_model::Model;
use tce_pipeline::Pipeline;
use tce_store::Store;
use tokio::sync::Semaphore;

/// How long a cached insight is fresh.
pub const CACHE_TTL: Duration = Duration::from_secs(60);
/// Stale entries that took less than this to compute are recomputed before
/// answering; slower ones are refreshed in the background.
pub const SYNC_RECOMPUTE: Duration = Duration::from_millis(100);
/// Entries kept at most; the cache is emptied when full.
const CACHE_MAX: usize = 512;
/// Ingest requests parsed and enriched at once; more wait. Bounds memory to
/// this many bodies.
const INGEST_CONCURRENCY: usize = 8;

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Serve without authentication (everyone is an admin). Only allowed on
    /// a loopback address; [`crate::serve`] checks that.
    pub no_auth: bool,
    /// Mark the session cookie `Secure` (HTTPS only).
    pub secure_cookies: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How long a client may take to send a request body; slower ones get
    /// a 408 `request_timeout`.
    pub body_timeout: std::time::Duration,
    /// Requests per token (`None`: unlimited); over it, 429 `rate_limited`.
    pub rate_limit: Option<RateLimit>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            no_auth: false,
            secure_cookies: false,
            max_body_bytes: crate::DEFAULT_MAX_BODY_BYTES,
            body_timeout: crate::DEFAULT_BODY_TIMEOUT,
            rate_limit: Some(RateLimit::DEFAULT),
        }
    }
}

/// The shared state of the server; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    model: Arc<Model>,
    pipeline: Arc<Pipeline>,
    db: Db,
    options: ServerOptions,
    sessions: Sessions,
    ingest_permits: Semaphore,
    limiter: Option<Limiter>,
    generation: AtomicU64,
    cache: Mutex<HashMap<String, CacheEntry>>,
}

struct CacheEntry {
    generation: u64,
    at: Instant,
    cost: Duration,
    value: Arc<dyn Any + Send + Sync>,
    refreshing: Arc<AtomicBool>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("model", &self.inner.model.name)
            .field("db", &self.inner.db.path())
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State over a model and an open store. The ingest pipeline loads the
    /// `[classifiers]` of tce.toml relative to the store's folder (a
    /// workspace keeps tce.toml beside tce.db).
    pub fn new(
        model: Model,
        db: Db,
        options: ServerOptions,
    ) -> Result<AppState, crate::ServeError> {
        let model_dir = db
            .path()
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        // Work a stopped file ingest left pending is derived before the
        // server takes signals (they are derived in id order).
        let pipeline = db.write_blocking(|s| {
            let pipeline = Pipeline::open(&model, &model_dir, s)?;
            let caught = pipeline.catch_up(s)?;
            if caught.care.cases_opened + caught.advocacy.observed > 0 {
                tracing::info!(
                    message = "Derived the work of pending signals.",
                    cases_opened = caught.care.cases_opened,
                    observed = caught.advocacy.observed
                );
            }
            Ok::<_, tce_pipeline::PipelineError>(pipeline)
        })?;
        Ok(AppState {
            inner: Arc::new(Inner {
                model: Arc::new(model),
                pipeline: Arc::new(pipeline),
                db,
                limiter: options.rate_limit.map(Limiter::new),
                options,
                sessions: Sessions::default(),
                ingest_permits: Semaphore::new(INGEST_CONCURRENCY),
                generation: AtomicU64::new(0),
                cache: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// Spends one request of the token's rate limit; over it, a 429
    /// `rate_limited` that says when to retry.
    pub fn check_rate(&self, token_id: Option<i64>) -> Result<(), ApiError> {
        match (&self.inner.limiter, token_id) {
            (Some(limiter), Some(id)) => limiter.check(id).map_err(|wait| ApiError::RateLimited {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }),
            _ => Ok(()),
        }
    }

    /// The model.
    pub fn model(&self) -> &Arc<Model> {
        &self.inner.model
    }

    /// The ingest pipeline (pseudonymise, enrich, store, derive).
    pub fn pipeline(&self) -> &Arc<Pipeline> {
        &self.inner.pipeline
    }

    /// The store.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// The options.
    pub fn options(&self) -> &ServerOptions {
        &self.inner.options
    }

    /// Whether the server runs without authentication.
    pub fn no_auth(&self) -> bool {
        self.inner.options.no_auth
    }

    /// Dashboard sessions.
    pub fn sessions(&self) -> &Sessions {
        &self.inner.sessions
    }

    /// Limits concurrent ingest requests.
    pub fn ingest_permits(&self) -> &Semaphore {
        &self.inner.ingest_permits
    }

    /// Marks cached insights stale (after an ingest).
    pub fn data_changed(&self) {
        self.inner.generation.fetch_add(1, Ordering::Relaxed);
    }

    /// The cached value for `key`, or computes it with `recipe` over
    /// `store` and caches it (see the module documentation for staleness).
    pub fn cached<V, F>(
        &self,
        key: String,
        store: &dyn Store,
        recipe: F,
    ) -> Result<Arc<V>, ApiError>
    where
        V: Send + Sync + 'static,
        F: Fn(&AppState, &dyn Store) -> Result<V, ApiError> + Send + Sync + 'static,
    {
        let generation = self.inner.generation.load(Ordering::Relaxed);
        let stale = {
            let cache = self
                .inner
                .cache
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match cache.get(&key) {
                None => None,
                Some(e) => match Arc::clone(&e.value).downcast::<V>() {
                    Ok(v) if e.generation == generation && e.at.elapsed() < CACHE_TTL => {
                        return Ok(v)
                    }
                    Ok(v) if e.cost >= SYNC_RECOMPUTE => Some((v, Arc::clone(&e.refreshing))),
                    _ => None,
                },
            }
        };
        if let Some((value, refreshing)) = stale {
            if !refreshing.swap(true, Ordering::AcqRel) {
                self.refresh_in_background(key, recipe, refreshing);
            }
            return Ok(value);
        }
        let started = Instant::now();
        let value = Arc::new(recipe(self, store)?);
        self.put(
            key,
            generation,
            started.elapsed(),
            Arc::clone(&value) as Arc<dyn Any + Send + Sync>,
        );
        Ok(value)
    }

    fn refresh_in_background<V, F>(&self, key: String, recipe: F, refreshing: Arc<AtomicBool>)
    where
        V: Send + Sync + 'static,
        F: Fn(&AppState, &dyn Store) -> Result<V, ApiError> + Send + Sync + 'static,
    {
        let state = self.clone();
        let flag = Arc::clone(&refreshing);
        let spawned = std::thread::Builder::new()
            .name("tce-cache-refresh".into())
            .spawn(move || {
                let generation = state.inner.generation.load(Ordering::Relaxed);
                let started = Instant::now();
                match state.db().read_blocking(|store| recipe(&state, store)) {
                    Ok(value) => {
                        let value: Arc<dyn Any + Send + Sync> = Arc::new(value);
                        state.put(key, generation, started.elapsed(), value);
                    }
                    Err(e) => tracing::warn!(message = "Cache refresh failed.", %key, error = %e),
                }
                flag.store(false, Ordering::Release);
            });
        if let Err(e) = spawned {
            tracing::warn!(message = "Cannot start a cache refresh.", error = %e);
            refreshing.store(false, Ordering::Release);
        }
    }

    fn put(&self, key: String, generation: u64, cost: Duration, value: Arc<dyn Any + Send + Sync>) {
        let mut cache = self
            .inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= CACHE_MAX && !cache.contains_key(&key) {
            cache.clear();
        }
        cache.insert(
            key,
            CacheEntry {
                generation,
                at: Instant::now(),
                cost,
                value,
                refreshing: Arc::new(AtomicBool::new(false)),
            },
        );
    }
}
