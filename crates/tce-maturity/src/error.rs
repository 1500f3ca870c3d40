//! Why an instrument, an answers file or an interactive answer was refused.

use std::path::{Path, PathBuf};

/// One problem in a file, located by line and dotted field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// 1-based line in the file.
    pub line: usize,
    /// Dotted path of the field (`areas[2].items[0].choices[1].level`,
    /// `orientation.people_voice.answer`).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Why an instrument or answers file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum MaturityError {
    /// The file could not be read.
    #[error("{path}: cannot read file: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Not valid TOML.
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// Valid TOML that breaks the format's rules; one line per problem.
    #[error("{}", format_issues(path, issues))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Every problem found, by line.
        issues: Vec<Issue>,
    },
    /// Two instruments with the same id in one catalog.
    #[error("{path}: instrument id {id:?} is already used by another instrument")]
    DuplicateInstrument {
        /// The file of the second instrument.
        path: PathBuf,
        /// The id.
        id: String,
    },
}

fn format_issues(path: &Path, issues: &[Issue]) -> String {
    issues
        .iter()
        .map(|i| format!("{}:{}: {}: {}", path.display(), i.line, i.field, i.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Why an interactive answer was refused (the session is unchanged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The session does not include this instrument, or the catalog lacks it.
    #[error("unknown instrument {0:?}")]
    UnknownInstrument(String),
    /// The instrument has no such item.
    #[error("instrument {instrument:?} has no item {item:?}")]
    UnknownItem {
        /// The instrument.
        instrument: String,
        /// The item given.
        item: String,
    },
    /// The choice is not one of the item's choices.
    #[error("{choice:?} is not a choice of {instrument}.{item} (choices: {})", choices.join(" | "))]
    UnknownChoice {
        /// The instrument.
        instrument: String,
        /// The item.
        item: String,
        /// What was given.
        choice: String,
        /// The item's choices, lowest level first.
        choices: Vec<String>,
    },
}
