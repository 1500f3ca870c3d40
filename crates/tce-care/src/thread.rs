//! Threads: which case a customer's follow-up joins.
//!
//! A message joins a case when it replies to a message of that case's
//! thread (any case not closed: a reply to a resolved case re-opens it), or
//! when the same author writes on the same channel within `[care]
//! thread_window_hours` of the case's last customer message while the case
//! is active (new, open or pending). A reply-to match wins over a window
//! match; among window matches the most recently active case wins. Authors
//! are compared as stored, so pseudonymised authors thread the same way.

use crate::{Case, Status};
use tce_model::Signal;

/// How a follow-up was matched to its case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// It replies to a message of the case's thread.
    ReplyTo,
    /// Same author, same channel, within the window, case active.
    SameAuthor,
}

/// The case among `candidates` that `signal` follows up, if any.
pub fn find<'c>(
    candidates: &'c [Case],
    signal: &Signal,
    window_hours: f64,
) -> Option<(&'c Case, Join)> {
    if let Some(parent) = signal.in_reply_to.as_deref() {
        if let Some(case) = candidates
            .iter()
            .filter(|c| c.status != Status::Closed)
            .find(|c| c.has_signal(&signal.channel, parent))
        {
            return Some((case, Join::ReplyTo));
        }
    }
    let author = signal.author.as_deref()?;
    let window = chrono::Duration::seconds((window_hours * 3600.0).round() as i64);
    candidates
        .iter()
        .filter(|c| {
            c.status.is_active()
                && c.channel == signal.channel
                && c.author.as_deref() == Some(author)
                && !c.has_signal(&signal.channel, &signal.external_id)
                && (signal.created_at - c.last_customer_at).abs() <= window
        })
        .max_by_key(|c| (c.last_customer_at, c.id))
        .map(|c| (c, Join::SameAuthor))
}
