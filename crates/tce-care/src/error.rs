//! The one error type of care operations.

use crate::{CaseId, Status};

/// Why a care operation was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CareError {
    /// The status may not move this way.
    #[error(
        "cannot move a case from {from} to {to} (allowed: {})",
        if allowed.is_empty() { "none, it is final".to_string() }
        else { allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ") }
    )]
    InvalidTransition {
        /// The case's status.
        from: Status,
        /// The status asked for.
        to: Status,
        /// The statuses it may move to.
        allowed: Vec<Status>,
    },
    /// The change was made against an older version of the case (another
    /// agent changed it since); nothing was applied.
    #[error("case {case} has changed: version {current} is current, the change was made against {expected}")]
    Stale {
        /// The case.
        case: CaseId,
        /// The version the change was made against.
        expected: u64,
        /// The case's current version.
        current: u64,
    },
    /// No such department in the model.
    #[error("unknown department {0:?}")]
    UnknownDepartment(String),
    /// A closed case takes no responses or status changes (a new message
    /// from the customer opens a new case).
    #[error("case {0} is closed")]
    Closed(CaseId),
    /// A business-hours calendar that does not open again within ten years
    /// (holidays covering every opening day): no due time can be computed.
    #[error("the business hours never open within ten years of {0}")]
    NeverOpen(chrono::DateTime<chrono::Utc>),
}
