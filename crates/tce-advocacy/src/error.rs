//! Why an advocacy or idea operation was refused.

/// Why an advocacy or idea operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdvocacyError {
    /// A status change the workflow does not allow.
    #[error("cannot move {what} from {from} to {to} (allowed: {allowed})")]
    InvalidTransition {
        /// `moment` or `idea`.
        what: &'static str,
        /// The current status.
        from: String,
        /// The status asked for.
        to: String,
        /// The statuses allowed from `from`, comma-separated (or `none`).
        allowed: String,
    },
    /// A status name that does not exist.
    #[error("unknown {what} status {given:?} (one of: {known})")]
    UnknownStatus {
        /// `moment` or `idea`.
        what: &'static str,
        /// What was given.
        given: String,
        /// The statuses that exist.
        known: String,
    },
    /// Merging an idea into itself, or ideas of different brands.
    #[error("cannot merge: {0}")]
    Merge(String),
    /// Splitting none or all of an idea's suggestions, or ones it does not
    /// hold.
    #[error("cannot split: {0}")]
    Split(String),
}
