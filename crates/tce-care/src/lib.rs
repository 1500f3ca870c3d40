//! Social customer care, the pure core (DESIGN C7): which signal opens a
//! case or a lead, which department it goes to and why, how urgent it is,
//! when it is due in the department's business hours, how its status may
//! move, and which open case a follow-up joins.
//!
//! Everything here is a function of its inputs and of `now`, passed in: no
//! clock, no I/O, no storage. The store keeps [`Case`]s and their append-only
//! [`CaseEvent`] log; the ingest pipeline calls [`triage`] for each signal;
//! surfaces call [`workflow::apply`] for agents' changes.
//!
//! - [`rules`]: opening rule, brand replies, routing, priority with each
//!   factor's contribution.
//! - [`sla`]: business-hours calendars, due times, pauses, at-risk and breach.
//! - [`workflow`]: statuses, allowed transitions, versions, auto-close.
//! - [`thread`]: which open case a follow-up joins.
#![deny(missing_docs)]

mod case;
mod error;
pub mod rules;
pub mod sla;
pub mod thread;
pub mod workflow;

pub use case::{
    Actor, Case, CaseEvent, CaseEventKind, CaseId, CaseKind, Factor, FactorContribution, Party,
    Priority, PriorityScore, Routing, SignalRef, Status, ThreadEntry,
};
pub use error::CareError;
pub use rules::{triage, Action, Opening, Skip};
