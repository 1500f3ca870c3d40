//! Embedded schema migrations, applied in order; `PRAGMA user_version` is the
//! number of migrations a file has seen. An applied migration is never edited.

use crate::StoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// One migration file.
struct Migration {
    name: &'static str,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_init.sql",
        sql: include_str!("../../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        name: "0002_tokens.sql",
        sql: include_str!("../../migrations/sqlite/0002_tokens.sql"),
    },
    Migration {
        name: "0003_rollup_monthly.sql",
        sql: include_str!("../../migrations/sqlite/0003_rollup_monthly.sql"),
    },
    Migration {
        name: "0004_survey_answers.sql",
        sql: include_str!("../../migrations/sqlite/0004_survey_answers.sql"),
    },
    Migration {
        name: "0005_secrets.sql",
        sql: include_str!("../../migrations/sqlite/0005_secrets.sql"),
    },
    Migration {
        name: "0006_rating_daily.sql",
        sql: include_str!("../../migrations/sqlite/0006_rating_daily.sql"),
    },
    Migration {
        name: "0007_care.sql",
        sql: include_str!("../../migrations/sqlite/0007_care.sql"),
    },
    Migration {
        name: "0008_alerts.sql",
        sql: include_str!("../../migrations/sqlite/0008_alerts.sql"),
    },
    Migration {
        name: "0009_advocacy.sql",
        sql: include_str!("../../migrations/sqlite/0009_advocacy.sql"),
    },
    Migration {
        name: "0010_assessments.sql",
        sql: include_str!("../../migrations/sqlite/0010_assessments.sql"),
    },
    Migration {
        name: "0011_advocacy_columns.sql",
        sql: include_str!("../../migrations/sqlite/0011_advocacy_columns.sql"),
    },
    Migration {
        name: "0012_maturity_indexes.sql",
        sql: include_str!("../../migrations/sqlite/0012_maturity_indexes.sql"),
    },
    Migration {
        name: "0013_derive_cursor.sql",
        sql: include_str!("../../migrations/sqlite/0013_derive_cursor.sql"),
    },
    Migration {
        name: "0014_care_queue_indexes.sql",
        sql: include_str!("../../migrations/sqlite/0014_care_queue_indexes.sql"),
    },
    Migration {
        name: "0015_care_timing_daily.sql",
        sql: include_str!("../../migrations/sqlite/0015_care_timing_daily.sql"),
    },
];

/// The schema version after every migration.
pub(super) const LATEST: i64 = MIGRATIONS.len() as i64;

/// `PRAGMA application_id` of tce databases ("tce1").
const APPLICATION_ID: i64 = 0x7463_6531;

/// Brings the schema up to [`LATEST`], or refuses a file that is not ours or
/// is newer than this build.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let (version, app_id) = versions(conn).map_err(open_err)?;
    check(conn, path, version, app_id)?;
    if version == LATEST {
        return Ok(());
    }
    for (i, m) in MIGRATIONS.iter().enumerate() {
        let target = i as i64 + 1;
        let mig_err = |source| StoreError::Migration {
            path: path.to_path_buf(),
            name: m.name,
            source,
        };
        // Another process may be migrating the same file: decide under the
        // write lock.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(mig_err)?;
        let (current, app_id) = versions(&tx).map_err(mig_err)?;
        check(&tx, path, current, app_id)?;
        if current >= target {
            continue;
        }
        tx.execute_batch(m.sql).map_err(mig_err)?;
        tx.pragma_update(None, "user_version", target)
            .map_err(mig_err)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(mig_err)?;
        tx.commit().map_err(mig_err)?;
    }
    Ok(())
}

fn versions(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let app_id = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    Ok((version, app_id))
}

fn check(conn: &Connection, path: &Path, version: i64, app_id: i64) -> Result<(), StoreError> {
    let not_tce = || StoreError::NotTce {
        path: path.to_path_buf(),
        application_id: app_id,
    };
    if app_id != 0 && app_id != APPLICATION_ID {
        return Err(not_tce());
    }
    if version > LATEST {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported: LATEST,
        });
    }
    if version == 0 {
        // A fresh file is empty; one with tables belongs to someone else.
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        if tables > 0 {
            return Err(not_tce());
        }
    }
    Ok(())
}
