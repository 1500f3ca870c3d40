//! Maturity assessments (migration `0010_assessments.sql`).

use crate::{NewAssessment, StoreError, StoredAssessment};
use chrono::DateTime;
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "id, day, created_at, assessment, answers";

fn record(r: &Row<'_>) -> Result<StoredAssessment, StoreError> {
    let day: String = r.get(1)?;
    let created: i64 = r.get(2)?;
    Ok(StoredAssessment {
        id: r.get(0)?,
        day: super::read::parse_day("assessments", "day", &day)?,
        created_at: DateTime::from_timestamp(created, 0).ok_or_else(|| StoreError::Corrupt {
            table: "assessments",
            column: "created_at",
            value: created.to_string(),
        })?,
        assessment: r.get(3)?,
        answers: r.get(4)?,
    })
}

pub(super) fn insert(conn: &Connection, a: &NewAssessment) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO assessments (day, created_at, assessment, answers) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        a.day.format("%Y-%m-%d").to_string(),
        a.created_at.timestamp(),
        a.assessment,
        a.answers
    ])?;
    Ok(conn.last_insert_rowid())
}

pub(super) fn list(conn: &Connection) -> Result<Vec<StoredAssessment>, StoreError> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM assessments ORDER BY day, id"
    ))?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(record(r)?);
    }
    Ok(out)
}

pub(super) fn latest(conn: &Connection) -> Result<Option<StoredAssessment>, StoreError> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM assessments ORDER BY day DESC, id DESC LIMIT 1"
    ))?;
    st.query_row([], |r| Ok(record(r))).optional()?.transpose()
}
