//! Access to the SQLite store from async handlers.
//!
//! One writer connection behind a mutex serialises ingest (SQLite allows one
//! writer at a time anyway); reads take a connection from a small pool, so
//! in WAL mode they never wait for a write. All store work runs on tokio's
//! blocking pool (`spawn_blocking`), never on the async workers.
//!
//! Signal batches are *group-committed* ([`Db::insert`]): a batch joins a
//! queue, and whichever request gets the writer stores everything queued in
//! one transaction and hands each request its own counts. Under load the
//! batches of concurrent requests share one commit (one WAL sync, one pass
//! over the rollups), which is what lets HTTP ingest keep up with a file
//! ingest; alone, a batch is committed as soon as it comes.

use crate::error::ApiError;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use tce_model::EnrichedSignal;
use tce_pipeline::{Door, Pipeline, PipelineError, Stored};
use tce_store::{SqliteStore, StoreError};
use tokio::sync::oneshot;

/// At most this many signals are committed in one group; the rest of the
/// queue waits for the next commit.
const MAX_GROUP_SIGNALS: usize = 20_000;

/// A batch waiting for the writer, and where its outcome goes.
#[derive(Debug)]
struct Queued {
    batch: Vec<EnrichedSignal>,
    done: oneshot::Sender<Result<Stored, PipelineError>>,
}

/// The store of one workspace, shared by all requests.
#[derive(Debug, Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    writer: Mutex<SqliteStore>,
    queue: Mutex<Vec<Queued>>,
    readers: Mutex<Vec<SqliteStore>>,
    max_idle_readers: usize,
}

impl Db {
    /// Opens the writer connection (creating the file and bringing its schema
    /// up to date); read connections are opened on demand and up to
    /// `max_idle_readers` of them are kept.
    pub fn open(path: &Path, max_idle_readers: usize) -> Result<Db, StoreError> {
        let writer = SqliteStore::open(path)?;
        Ok(Db {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: Mutex::new(writer),
                queue: Mutex::new(Vec::new()),
                readers: Mutex::new(Vec::new()),
                max_idle_readers: max_idle_readers.max(1),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on a read connection on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&SqliteStore) -> Result<T, ApiError> + Send + 'static,
    {
        let db = self.clone();
        spawn_blocking(move || db.read_blocking(f)).await?
    }

    /// Runs `f` on a read connection on the current thread.
    pub fn read_blocking<T>(
        &self,
        f: impl FnOnce(&SqliteStore) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let taken = lock(&self.inner.readers).pop();
        let store = match taken {
            Some(s) => s,
            None => SqliteStore::open(&self.inner.path)?,
        };
        let result = f(&store);
        let mut idle = lock(&self.inner.readers);
        if idle.len() < self.inner.max_idle_readers {
            idle.push(store);
        }
        result
    }

    /// Runs `f` on the writer connection on the current thread (start-up
    /// work, outside the async runtime). A panic while holding the lock
    /// cannot leave a half-written batch behind (the transaction rolls
    /// back), so a poisoned lock is taken over.
    pub fn write_blocking<T>(&self, f: impl FnOnce(&mut SqliteStore) -> T) -> T {
        f(&mut lock(&self.inner.writer))
    }

    /// Runs `f` on the writer connection on the blocking pool; writes are
    /// serialised.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteStore) -> Result<T, ApiError> + Send + 'static,
    {
        let db = self.clone();
        spawn_blocking(move || db.write_blocking(f)).await?
    }
}

impl Db {
    /// Stores a prepared batch through the ingest pipeline
    /// ([`Pipeline::store`]), group-committed with the batches of concurrent
    /// requests. When it returns `Ok`, the batch is durable.
    pub async fn insert(
        &self,
        pipeline: Arc<Pipeline>,
        batch: Vec<EnrichedSignal>,
    ) -> Result<Stored, ApiError> {
        if batch.is_empty() {
            return Ok(Stored::default());
        }
        let (done, outcome) = oneshot::channel();
        lock(&self.inner.queue).push(Queued { batch, done });
        let db = self.clone();
        spawn_blocking(move || db.commit_queued(&pipeline)).await?;
        match outcome.await {
            Ok(Ok(stored)) => Ok(stored),
            Ok(Err(PipelineError::Store(e))) => Err(e.into()),
            Ok(Err(e)) => Err(ApiError::internal("ingest pipeline", e)),
            Err(e) => Err(ApiError::internal("group commit", e)),
        }
    }

    /// Takes the writer, then commits what is queued (possibly nothing: an
    /// earlier caller may have committed this caller's batch already) in
    /// groups of at most [`MAX_GROUP_SIGNALS`].
    fn commit_queued(&self, pipeline: &Pipeline) {
        let mut writer = lock(&self.inner.writer);
        loop {
            let group = {
                let mut queue = lock(&self.inner.queue);
                let mut size = 0;
                let take = queue
                    .iter()
                    .take_while(|q| {
                        size += q.batch.len();
                        size <= MAX_GROUP_SIGNALS || size == q.batch.len()
                    })
                    .count();
                queue.drain(..take).collect::<Vec<_>>()
            };
            if group.is_empty() {
                return;
            }
            commit_group(pipeline, &mut writer, group);
        }
    }
}

/// Stores a group in one transaction and tells each batch its outcome. When
/// the group fails as a whole, each batch is tried alone, so one bad batch
/// fails only its own request.
fn commit_group(pipeline: &Pipeline, store: &mut SqliteStore, group: Vec<Queued>) {
    if group.len() == 1 {
        for q in group {
            let _ = q.done.send(pipeline.store(store, &q.batch, Door::Http));
        }
        return;
    }
    let lens: Vec<usize> = group.iter().map(|q| q.batch.len()).collect();
    let mut all = Vec::with_capacity(lens.iter().sum());
    let mut senders = Vec::with_capacity(group.len());
    for q in group {
        all.extend(q.batch);
        senders.push(q.done);
    }
    match pipeline.store_grouped(store, &all, &lens, Door::Http) {
        Ok(summaries) => {
            for (done, summary) in senders.into_iter().zip(summaries) {
                // The request may have gone (client hung up): its batch is
                // stored all the same.
                let _ = done.send(Ok(summary));
            }
        }
        Err(e) => {
            tracing::debug!(message = "Group commit failed; committing its batches one by one.", error = %e);
            let mut rest = all.as_slice();
            for (done, len) in senders.into_iter().zip(lens) {
                let (batch, after) = rest.split_at(len);
                rest = after;
                let _ = done.send(pipeline.store(store, batch, Door::Http));
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `tokio::task::spawn_blocking` with a join failure mapped to a server fault.
pub async fn spawn_blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal("blocking task", e))
}
