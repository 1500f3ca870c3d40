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

/// Files that make up a workspace: writing over one destroys it.
const WORKSPACE_FILES: [(&str, &str); 4] = [
    (MODEL_FILE, "the model"),
    (DB_FILE, "the store with every signal, outcome and token"),
    ("tce.db-wal", "the store's write-ahead log"),
    ("tce.db-shm", "the store's shared memory"),
];

impl Workspace {
    /// The workspace files present in the folder, with what each holds.
    pub fn existing_files(&self) -> Vec<(&'static str, &'static str)> {
        WORKSPACE_FILES
            .into_iter()
            .filter(|(name, _)| self.dir.join(name).exists())
            .collect()
    }
}

/// Refuses an output file (`--out`, `--rejects`, …) that is part of a
/// workspace, so a typo cannot destroy a model or a store. Any other file
/// the user names may be overwritten. Symbolic links are followed.
pub fn check_output(path: &Path, flag: &str) -> Result<()> {
    let resolved = if path.exists() {
        path.canonicalize()
            .with_context(|| format!("{flag} {}", path.display()))?
    } else {
        path.to_path_buf()
    };
    if resolved.is_dir() {
        anyhow::bail!("{flag} {}: is a folder; give a file name", path.display());
    }
    let Some(name) = resolved.file_name().and_then(|n| n.to_str()) else {
        return Ok(());
    };
    let folder = match resolved.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let holds_workspace = || folder.join(MODEL_FILE).exists() || folder.join(DB_FILE).exists();
    if let Some((_, what)) = WORKSPACE_FILES.iter().find(|(n, _)| *n == name) {
        if resolved.exists() || holds_workspace() {
            anyhow::bail!(
                "{flag} {}: refusing to write over {what} of the workspace in {}; \
                 choose another file name",
                path.display(),
                folder.display()
            );
        }
    }
    Ok(())
}
