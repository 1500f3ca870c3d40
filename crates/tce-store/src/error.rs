//! The one error type of the store.

use std::path::PathBuf;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened or set up.
    #[error("opening database {}: {source}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// The database was written by a newer tce.
    #[error(
        "database {} has schema version {found}, but this tce supports up to version {supported}: \
         it was written by a newer tce; use that version (or a newer one)",
        path.display()
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Schema version found in the file.
        found: i64,
        /// Newest schema version this build knows.
        supported: i64,
    },
    /// The file is an SQLite database of some other application.
    #[error("{} is not a tce database (it holds other tables{})", path.display(),
        if *application_id != 0 { format!(", application id {application_id:#x}") } else { String::new() })]
    NotTce {
        /// The database file.
        path: PathBuf,
        /// Its `PRAGMA application_id`.
        application_id: i64,
    },
    /// A schema migration failed.
    #[error("applying migration {name} to {}: {source}", path.display())]
    Migration {
        /// The database file.
        path: PathBuf,
        /// The migration file name.
        name: &'static str,
        /// The cause.
        source: rusqlite::Error,
    },
    /// [`Store::insert_grouped`](crate::Store::insert_grouped) was given
    /// part lengths that do not add up to the number of signals.
    #[error("grouped insert: the parts add up to {sum} signals, but {signals} were given")]
    GroupLengths {
        /// Sum of the part lengths.
        sum: usize,
        /// Number of signals given.
        signals: usize,
    },
    /// A signal that cannot be stored; the batch is not stored.
    #[error("signal {channel}/{external_id}: {reason}")]
    InvalidSignal {
        /// Its channel.
        channel: String,
        /// Its external id.
        external_id: String,
        /// What is wrong.
        reason: String,
    },
    /// The table has used up its id space (ids near `i64::MAX`).
    #[error("signal ids are exhausted")]
    IdsExhausted,
    /// A cursor that no page of this store returned.
    #[error("invalid cursor {0:?}")]
    InvalidCursor(String),
    /// A stored value this build cannot read.
    #[error("corrupt stored value in {table}.{column}: {value:?}")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Column.
        column: &'static str,
        /// The value found.
        value: String,
    },
    /// A case changed since the caller read it (another agent's change);
    /// nothing was stored.
    #[error("case {case} has changed: version {current} is current, the change was made against {expected}")]
    StaleCase {
        /// The case id.
        case: u64,
        /// The version the change was made against.
        expected: u64,
        /// The stored version.
        current: u64,
    },
    /// No case with this id.
    #[error("no case {0}")]
    NoSuchCase(u64),
    /// An alert changed since the caller read it; nothing was stored.
    #[error("alert {alert} has changed: version {current} is current, the change was made against {expected}")]
    StaleAlert {
        /// The alert id.
        alert: i64,
        /// The version the change was made against.
        expected: u64,
        /// The stored version.
        current: u64,
    },
    /// No alert with this id.
    #[error("no alert {0}")]
    NoSuchAlert(i64),
    /// Any other SQLite failure.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// No idea or moment with this id.
    #[error("no {what} {id}")]
    NoSuchRecord {
        /// `idea` or `moment`.
        what: &'static str,
        /// The id.
        id: i64,
    },
    /// An idea or moment changed since the caller read it.
    #[error("{what} {id} changed since it was read (version {expected}, now {current})")]
    StaleRecord {
        /// `idea` or `moment`.
        what: &'static str,
        /// The id.
        id: i64,
        /// The version the change was made against.
        expected: u64,
        /// The stored version.
        current: u64,
    },
}
