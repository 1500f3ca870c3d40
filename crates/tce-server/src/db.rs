//! Access to the SQLite store from async handlers.
//!
//! One writer connection behind a mutex serialises ingest (SQLite allows one
//! writer at a time anyway); reads take a connection from a small pool, so
//! in WAL mode they never wait for a write. All store work runs on tokio's
//! blocking pool (`spawn_blocking`), never on the async workers.

use crate::error::ApiError;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use tce_store::{SqliteStore, StoreError};

/// The store of one workspace, shared by all requests.
#[derive(Debug, Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    writer: Mutex<SqliteStore>,
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
        let taken = self
            .inner
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let store = match taken {
            Some(s) => s,
            None => SqliteStore::open(&self.inner.path)?,
        };
        let result = f(&store);
        let mut idle = self
            .inner
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if idle.len() < self.inner.max_idle_readers {
            idle.push(store);
        }
        result
    }

    /// Runs `f` on the writer connection on the blocking pool; writes are
    /// serialised.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteStore) -> Result<T, ApiError> + Send + 'static,
    {
        let db = self.clone();
        spawn_blocking(move || {
            // A panic while holding the lock cannot leave a half-written
            // batch behind (the transaction rolls back), so the connection
            // stays usable.
            let mut writer = db
                .inner
                .writer
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            f(&mut writer)
        })
        .await?
    }
}

/// `tokio::task::spawn_blocking` with a join failure mapped to a server fault.
pub async fn spawn_blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal("blocking task", e))
}
