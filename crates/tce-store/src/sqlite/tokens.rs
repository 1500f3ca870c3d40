//! Access tokens: hashes, roles, revocation (migration `0002_tokens.sql`).

use crate::{NewToken, StoreError, TokenRecord};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "id, name, role, department, created_at, revoked_at";

fn time(secs: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(secs, 0).ok_or_else(|| StoreError::Corrupt {
        table: "tokens",
        column: "created_at",
        value: secs.to_string(),
    })
}

fn record(r: &Row<'_>) -> Result<TokenRecord, StoreError> {
    Ok(TokenRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        department: r.get(3)?,
        created_at: time(r.get(4)?)?,
        revoked_at: r.get::<_, Option<i64>>(5)?.map(time).transpose()?,
    })
}

pub(super) fn create(conn: &Connection, t: &NewToken) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO tokens (name, role, department, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        t.name,
        t.role,
        t.department,
        &t.hash[..],
        t.created_at.timestamp()
    ])?;
    Ok(conn.last_insert_rowid())
}

pub(super) fn by_hash(
    conn: &Connection,
    hash: &[u8; 32],
) -> Result<Option<TokenRecord>, StoreError> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM tokens WHERE hash = ?1"))?;
    let row = st.query_row([&hash[..]], |r| Ok(record(r))).optional()?;
    row.transpose()
}

pub(super) fn list(conn: &Connection) -> Result<Vec<TokenRecord>, StoreError> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM tokens ORDER BY id"))?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(record(r)?);
    }
    Ok(out)
}

pub(super) fn revoke(conn: &Connection, id: i64, at: DateTime<Utc>) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached("UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")?
        .execute(params![id, at.timestamp()])?;
    Ok(n > 0)
}
