//! A workspace: a folder holding the model (`tce.toml`) and the store (`tce.db`).

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use tce_model::Model;
use tce_store::SqliteStore;

/// Model file name inside a workspace.
pub const MODEL_FILE: &str = "tce.toml";
/// SQLite database file name inside a workspace.
pub const DB_FILE: &str = "tce.db";

/// Paths of one workspace.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub dir: PathBuf,
}

impl Workspace {
    pub fn new(dir: Option<&Path>) -> Workspace {
        Workspace {
            dir: dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        }
    }

    pub fn model_path(&self) -> PathBuf {
        self.dir.join(MODEL_FILE)
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }

    /// Loads and validates the model, with a hint when there is none.
    pub fn model(&self) -> Result<Model> {
        let path = self.model_path();
        if !path.exists() {
            anyhow::bail!(
                "no model at {}: create one with `tce init --template airline` (or pass --dir)",
                path.display()
            );
        }
        Ok(Model::load(&path)?)
    }

    /// Opens (creating if needed) the workspace's SQLite store.
    pub fn store(&self) -> Result<SqliteStore> {
        let path = self.db_path();
        SqliteStore::open(&path).with_context(|| format!("opening store {}", path.display()))
    }
}
