//! The status workflow: new → open (assigned) → pending (waiting on the
//! customer, clocks paused) → resolved → closed (after `[care]
//! close_after_days` without a customer reply). A customer's follow-up
//! re-opens a resolved case and wakes a pending one; a closed case is final.
//!
//! Every change goes through [`apply`] against the version the caller saw:
//! a stale version is refused with the current one, so two agents never
//! overwrite each other silently. A change either applies whole (the case's
//! version goes up by one and its events are returned to append to the log)
//! or not at all.

use crate::rules::Opening;
use crate::sla::{Calendar, SlaClock};
use crate::{
    Actor, CareError, Case, CaseEvent, CaseEventKind, CaseId, Priority, Status, ThreadEntry,
};
use chrono::{DateTime, Duration, Utc};
use tce_model::Model;

/// The statuses a case may move to from `from`.
pub fn allowed(from: Status) -> &'static [Status] {
    match from {
        Status::New => &[Status::Open, Status::Pending, Status::Resolved],
        Status::Open => &[Status::Pending, Status::Resolved],
        Status::Pending => &[Status::Open, Status::Resolved],
        Status::Resolved => &[Status::Open, Status::Closed],
        Status::Closed => &[],
    }
}

/// Checks one status move, naming the allowed ones when it is refused.
pub fn check_transition(from: Status, to: Status) -> Result<(), CareError> {
    if allowed(from).contains(&to) {
        Ok(())
    } else {
        Err(CareError::InvalidTransition {
            from,
            to,
            allowed: allowed(from).to_vec(),
        })
    }
}

/// A change to a case.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Assign (or unassign with `None`); assigning a new case opens it.
    Assign {
        /// The agent.
        agent: Option<String>,
    },
    /// Move the status (re-opening a resolved case is `SetStatus(Open)`).
    SetStatus(Status),
    /// Record a response to the customer (tce does not post it).
    Respond {
        /// What was said.
        text: String,
        /// On which channel.
        channel: String,
        /// The agent, when known.
        agent: Option<String>,
        /// The brand reply, when it arrived in ingested data: it joins the
        /// thread and its own time is the response time.
        reply: Option<ThreadEntry>,
    },
    /// Add an internal note.
    Note {
        /// The note.
        text: String,
    },
    /// Re-route to another department (the SLA due times stay those
    /// computed at open).
    Route {
        /// Department id.
        department: String,
        /// Why.
        reason: String,
    },
    /// Override the priority (the factors stay as computed).
    Prioritise(Priority),
    /// A customer's follow-up joins the thread (at its own time).
    CustomerMessage(ThreadEntry),
}

impl Change {
    /// When the change happened: an ingested message's own time, else `now`.
    fn at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Change::Respond {
                reply: Some(entry), ..
            }
            | Change::CustomerMessage(entry) => entry.at,
            _ => now,
        }
    }
}

impl crate::Action {
    /// The change an ingest action makes to an existing case: a brand reply
    /// becomes a response, a follow-up a customer message; `None` for
    /// openings and skips.
    pub fn change(&self) -> Option<(CaseId, Change)> {
        match self {
            crate::Action::Respond {
                case, entry, text, ..
            } => Some((
                *case,
                Change::Respond {
                    text: text.clone(),
                    channel: entry.signal.channel.clone(),
                    agent: None,
                    reply: Some(entry.clone()),
                },
            )),
            crate::Action::FollowUp { case, entry, .. } => {
                Some((*case, Change::CustomerMessage(entry.clone())))
            }
            crate::Action::Open(_) | crate::Action::Skip(_) => None,
        }
    }
}

impl Case {
    /// Opens a case from an [`Opening`] with the id the store gave it: SLA
    /// due times from the department's targets for its priority, counted in
    /// its business hours from the customer's message.
    pub fn open(
        id: CaseId,
        opening: Opening,
        model: &Model,
    ) -> Result<(Case, Vec<CaseEvent>), CareError> {
        let department = &opening.routing.department;
        let policy = model
            .care
            .department(department)
            .ok_or_else(|| CareError::UnknownDepartment(department.clone()))?;
        let target = policy.targets[opening.priority.priority.index()];
        let calendar = Calendar::of(&model.care, department);
        let at = opening.entry.at;
        let sla = SlaClock::start(&calendar, target, at)?;
        let event = CaseEvent {
            case: id,
            at,
            actor: Actor::System,
            kind: CaseEventKind::Opened {
                kind: opening.kind,
                routing: opening.routing.clone(),
                priority: opening.priority.priority,
            },
        };
        let case = Case {
            id,
            kind: opening.kind,
            brand: opening.brand,
            channel: opening.entry.signal.channel.clone(),
            author: opening.entry.author.clone(),
            routing: opening.routing,
            priority: opening.priority,
            status: Status::New,
            assignee: None,
            opened_at: at,
            last_customer_at: at,
            thread: vec![opening.entry],
            sla,
            first_response_at: None,
            last_response_at: None,
            resolved_at: None,
            closed_at: None,
            reopened: 0,
            version: 1,
        };
        Ok((case, vec![event]))
    }
}

/// Applies one change made by `actor` at `now` against `expected_version`
/// (an ingested reply or follow-up counts at its own time). On success the case's version goes up by one and the events to append
/// are returned; on any error the case is untouched.
pub fn apply(
    case: &mut Case,
    expected_version: u64,
    actor: Actor,
    change: Change,
    model: &Model,
    now: DateTime<Utc>,
) -> Result<Vec<CaseEvent>, CareError> {
    if expected_version != case.version {
        return Err(CareError::Stale {
            case: case.id,
            expected: expected_version,
            current: case.version,
        });
    }
    let mut next = case.clone();
    let events = Apply {
        case: &mut next,
        actor,
        model,
        now: change.at(now),
        events: Vec::new(),
    }
    .run(change)?;
    next.version += 1;
    *case = next;
    Ok(events)
}

/// Closes a resolved case that has been quiet (no customer message, no
/// re-open) for `[care] close_after_days` by `now`; returns its events, or
/// none when it is not due.
pub fn close_if_quiet(
    case: &mut Case,
    model: &Model,
    now: DateTime<Utc>,
) -> Result<Vec<CaseEvent>, CareError> {
    let Some(resolved) = case.resolved_at else {
        return Ok(Vec::new());
    };
    let quiet_since = resolved.max(case.last_customer_at);
    let after = Duration::seconds((model.care.close_after_days * 86_400.0).round() as i64);
    if case.status != Status::Resolved || now - quiet_since < after {
        return Ok(Vec::new());
    }
    let version = case.version;
    apply(
        case,
        version,
        Actor::System,
        Change::SetStatus(Status::Closed),
        model,
        now,
    )
}

/// The housekeeping a case is due at `now`: a new or open case that the
/// brand answered and the customer left quiet for `[care]
/// resolve_after_reply_days` (0 = never) is resolved as of that response;
/// a resolved case quiet for `[care] close_after_days` is closed. Returns
/// the events (none when nothing is due).
pub fn sweep(
    case: &mut Case,
    model: &Model,
    now: DateTime<Utc>,
) -> Result<Vec<CaseEvent>, CareError> {
    let mut events = Vec::new();
    let days = model.care.resolve_after_reply_days;
    if let Some(answered) = case.last_response_at {
        let quiet = Duration::seconds((days * 86_400.0).round() as i64);
        if days > 0.0
            && matches!(case.status, Status::New | Status::Open)
            && answered >= case.last_customer_at
            && now - answered >= quiet
        {
            let version = case.version;
            let mut next = case.clone();
            let mut apply = Apply {
                case: &mut next,
                actor: Actor::System,
                model,
                now: answered,
                events: Vec::new(),
            };
            apply.push(CaseEventKind::AutoResolved { quiet_days: days });
            let resolved = apply.run(Change::SetStatus(Status::Resolved))?;
            next.version = version + 1;
            *case = next;
            events.extend(resolved);
        }
    }
    events.extend(close_if_quiet(case, model, now)?);
    Ok(events)
}

struct Apply<'a> {
    case: &'a mut Case,
    actor: Actor,
    model: &'a Model,
    now: DateTime<Utc>,
    events: Vec<CaseEvent>,
}

impl Apply<'_> {
    fn push(&mut self, kind: CaseEventKind) {
        self.events.push(CaseEvent {
            case: self.case.id,
            at: self.now,
            actor: self.actor.clone(),
            kind,
        });
    }

    fn calendar(&self) -> Calendar<'_> {
        Calendar::of(&self.model.care, self.case.department())
    }

    fn run(mut self, change: Change) -> Result<Vec<CaseEvent>, CareError> {
        if self.case.status == Status::Closed && !matches!(change, Change::Note { .. }) {
            return Err(CareError::Closed(self.case.id));
        }
        match change {
            Change::Assign { agent } => {
                let from = self.case.assignee.clone();
                self.case.assignee = agent.clone();
                self.push(CaseEventKind::Assignee {
                    from,
                    to: agent.clone(),
                });
                if agent.is_some() && self.case.status == Status::New {
                    self.status(Status::Open)?;
                }
            }
            Change::SetStatus(to) => self.status(to)?,
            Change::Respond {
                text,
                channel,
                agent,
                reply,
            } => {
                let calendar = Calendar::of(&self.model.care, &self.case.routing.department);
                let timing = self.case.sla.respond(&calendar, self.now);
                let signal = reply.as_ref().map(|e| e.signal.clone());
                if let Some(entry) = reply {
                    if !self
                        .case
                        .has_signal(&entry.signal.channel, &entry.signal.external_id)
                    {
                        self.case.thread.push(entry);
                    }
                }
                self.push(CaseEventKind::Response {
                    text,
                    channel,
                    agent,
                    signal,
                });
                let at = self.now.max(self.case.opened_at);
                self.case.last_response_at =
                    Some(self.case.last_response_at.map_or(at, |l| l.max(at)));
                if let Some(t) = timing {
                    self.case.first_response_at = Some(at);
                    self.push(CaseEventKind::FirstResponse {
                        wall_secs: t.wall_secs,
                        business_secs: t.business_secs,
                        within_sla: t.within_sla,
                    });
                }
            }
            Change::Note { text } => self.push(CaseEventKind::Note { text }),
            Change::Route { department, reason } => {
                if self.model.department(&department).is_none() {
                    return Err(CareError::UnknownDepartment(department));
                }
                let from = std::mem::replace(&mut self.case.routing.department, department.clone());
                self.case.routing.reason = reason.clone();
                self.push(CaseEventKind::Department {
                    from,
                    to: department,
                    reason,
                });
            }
            Change::Prioritise(to) => {
                let from = std::mem::replace(&mut self.case.priority.priority, to);
                self.push(CaseEventKind::Priority { from, to });
            }
            Change::CustomerMessage(entry) => {
                let signal = entry.signal.clone();
                let (sentiment, needs_action) = (entry.sentiment, entry.needs_action);
                self.case.last_customer_at = self.case.last_customer_at.max(entry.at);
                if !self.case.has_signal(&signal.channel, &signal.external_id) {
                    self.case.thread.push(entry);
                }
                let after_resolution = self.case.status == Status::Resolved;
                self.push(CaseEventKind::CustomerMessage {
                    signal,
                    sentiment,
                    after_resolution,
                });
                match self.case.status {
                    // A thank-you after resolution joins the thread; a new
                    // problem re-opens the case.
                    Status::Resolved if needs_action => self.status(Status::Open)?,
                    Status::Pending => self.status(Status::Open)?,
                    _ => {}
                }
            }
        }
        Ok(self.events)
    }

    fn status(&mut self, to: Status) -> Result<(), CareError> {
        let from = self.case.status;
        check_transition(from, to)?;
        let now = self.now;
        let mut sla = self.case.sla.clone();
        let calendar = self.calendar();
        let mut extra = None;
        match (from, to) {
            (_, Status::Pending) => sla.pause(now),
            (Status::Pending, Status::Open) => sla.resume(&calendar, now)?,
            (Status::Resolved, Status::Open) => {
                sla.reopen(&calendar, now)?;
                extra = Some(CaseEventKind::Reopened);
            }
            (_, Status::Resolved) => {
                let t = sla.resolve(&calendar, now);
                extra = Some(CaseEventKind::Resolved {
                    wall_secs: t.wall_secs,
                    business_secs: t.business_secs,
                    within_sla: t.within_sla,
                });
            }
            _ => {}
        }
        self.case.sla = sla;
        self.case.status = to;
        match to {
            Status::Resolved => self.case.resolved_at = Some(now),
            Status::Closed => self.case.closed_at = Some(now),
            _ => {}
        }
        if extra == Some(CaseEventKind::Reopened) {
            self.case.reopened += 1;
            self.case.resolved_at = None;
        }
        self.push(CaseEventKind::Status { from, to });
        if let Some(kind) = extra {
            self.push(kind);
        }
        Ok(())
    }
}
