//! Text analytics for tce.
//!
//! - [`vader`]: reference-exact port of the VADER sentiment analyser
//!   (vaderSentiment 3.3.2), lexicons embedded.
#![deny(missing_docs)]

pub mod vader;
