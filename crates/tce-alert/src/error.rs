//! The crate's typed errors: one enum per concern, each saying where and why.

use thiserror::Error;

/// Settings that cannot describe a working detector.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum SettingsError {
    /// A field is outside its allowed range.
    #[error("alerts setting `{field}` = {value}: {reason}")]
    Invalid {
        /// The field's name as in `[alerts]`.
        field: &'static str,
        /// The offending value, printed.
        value: String,
        /// What the value must satisfy.
        reason: &'static str,
    },
}

impl SettingsError {
    pub(crate) fn invalid(field: &'static str, value: impl ToString, reason: &'static str) -> Self {
        SettingsError::Invalid {
            field,
            value: value.to_string(),
            reason,
        }
    }
}

/// A saved series state that does not fit the settings it is restored under.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StateError {
    /// The state was saved under different settings (bucket length or
    /// season lengths changed), so its profiles cannot be reused.
    #[error("saved state of series {series} does not fit the settings: {reason}")]
    Mismatch {
        /// The series, printed.
        series: String,
        /// What differs.
        reason: String,
    },
    /// The settings themselves are invalid.
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

/// Webhook signing and verification failures.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WebhookError {
    /// The secret is not `whsec_` followed by base64, or decodes to nothing.
    #[error("invalid webhook secret: {0}")]
    InvalidSecret(&'static str),
    /// Too few or too many random bytes for a secret.
    #[error("a webhook secret needs 24 to 64 random bytes, got {0}")]
    SecretLength(usize),
    /// No `v1` signature in the header matched.
    #[error("no signature matches")]
    SignatureMismatch,
    /// The header holds no `v1,<base64>` entry at all.
    #[error("the signature header holds no v1 signature")]
    NoSignature,
    /// The timestamp is outside the tolerance around `now`.
    #[error("timestamp {timestamp} is more than {tolerance_secs} s away from now ({now})")]
    TimestampOutOfTolerance {
        /// The message's timestamp (seconds).
        timestamp: i64,
        /// The verifier's clock (seconds).
        now: i64,
        /// The allowed distance (seconds).
        tolerance_secs: i64,
    },
}

/// Reading a series or its labels, or running a backtest.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BacktestError {
    /// The CSV could not be read (I/O or malformed record).
    #[error("series line {line}: {reason}")]
    Csv {
        /// 1-based line number in the file (the header is line 1).
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The header is not `timestamp,value`.
    #[error("series header must be `timestamp,value`, found `{0}`")]
    Header(String),
    /// The series has fewer than two points or is not regular.
    #[error("series: {0}")]
    Series(String),
    /// The labels JSON is malformed.
    #[error("labels: {0}")]
    Labels(String),
    /// The settings do not fit the series (e.g. a step that does not divide a day).
    #[error(transparent)]
    Settings(#[from] SettingsError),
}
