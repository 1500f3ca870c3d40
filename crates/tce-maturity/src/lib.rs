//! The maturity assessment, the pure core (DESIGN C11, issue 14): where an
//! organisation stands on the seeds' models, what its own measured data says
//! about its answers, and what to do next.
//!
//! - [`Instrument`]s are data: TOML files (the shipped ones embedded from
//!   `instruments/`, a user's own read from a path), validated with file,
//!   line and field in every error. The format: `docs/maturity.md`.
//! - [`Answers`] come from an answers file (its [`template`]) or a
//!   resumable interactive [`Session`].
//! - [`Facts`] are what tce measured in the workspace, by [`Metric`]; the
//!   integrator computes them from the store.
//! - [`assess`] turns answers and facts into an [`Assessment`]: a level per
//!   area with its answers, evidence and contradictions, gaps to the next
//!   level, an overall level per instrument and a [`RoadmapStep`] list in the
//!   seeds' order; [`trend`] follows areas across stored assessments.
//!
//! Pure: no clock (the date is an argument), no storage, no I/O except
//! reading a file it is given.
#![deny(missing_docs)]

mod answers;
mod assess;
mod error;
mod facts;
mod instrument;
mod session;
mod tree;

pub use answers::{template, template_all, Answers};
pub use assess::{
    assess, trend, AnswerResult, AreaResult, AreaTrend, Assessment, Contradiction, EvidenceResult,
    EvidenceStatus, Gap, InstrumentResult, LevelRef, RoadmapStep, TrendPoint,
};
pub use error::{Issue, MaturityError, SessionError};
pub use facts::{Capability, Fact, Facts, Measurement, Metric, Unit};
pub use instrument::{
    Area, Catalog, Choice, Condition, EvidenceRule, Instrument, Item, Level, Phase, BUILTIN,
    PLACEHOLDERS,
};
pub use session::{Question, Session};

/// The option closest to what was typed, if close enough to be a typo.
pub(crate) fn did_you_mean<'a>(
    given: &str,
    options: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let g = given.trim().to_lowercase();
    if g.is_empty() {
        return None;
    }
    options
        .into_iter()
        .filter_map(|o| {
            let l = o.to_lowercase();
            if l == g {
                return None;
            }
            let score = strsim::normalized_damerau_levenshtein(&g, &l);
            (score >= 0.6).then_some((score, o))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, o)| o)
}
