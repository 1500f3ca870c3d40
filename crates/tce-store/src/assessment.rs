//! Maturity assessments behind the store (migration `0010_assessments.sql`):
//! each kept with its day, the serialised assessment and the answers it was
//! made from. The store keeps the assessment as JSON text and never reads
//! it: its shape belongs to `tce-maturity`.

use chrono::{DateTime, NaiveDate, Utc};

/// An assessment to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssessment {
    /// The day it was made.
    pub day: NaiveDate,
    /// When it was stored (kept to the second).
    pub created_at: DateTime<Utc>,
    /// The assessment, serialised as JSON.
    pub assessment: String,
    /// The answers file text it was made from (TOML).
    pub answers: String,
}

/// A kept assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAssessment {
    /// Store-assigned id, increasing in the order they were kept.
    pub id: i64,
    /// The day it was made.
    pub day: NaiveDate,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// The assessment, serialised as JSON.
    pub assessment: String,
    /// The answers file text it was made from.
    pub answers: String,
}
