//! Care work caused by stored signals, and changes agents make to cases.
//!
//! Inside the insert transaction ([`CareDerive`]): each newly stored signal
//! is triaged by `tce_care::triage` against the cases it could belong to —
//! looked up once per batch by author and by the message it replies to — and
//! opens a case or a lead, joins a case as a follow-up, or is recorded as the
//! brand's response. Every case a batch touches is written once, with its
//! events, in that same transaction: a signal and the work it caused are
//! committed together, and a re-ingested signal (a duplicate) causes nothing.
//!
//! Outside it: [`change`] applies an agent's change against the version the
//! agent saw, and [`sweep`] does the housekeeping that time causes
//! (auto-resolve after the brand's answer, auto-close).

use chrono::{DateTime, Duration, Utc};
use rustc_hash::FxHashMap;
use tce_care::workflow::{self, Change};
use tce_care::{Action, Actor, CareError, Case, CaseEvent, CaseId};
use tce_model::{EnrichedSignal, Model};
use tce_store::{CaseKeys, Derive, DeriveTx, Store, StoreError};

/// What care derivation did in one transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CareCounts {
    /// Cases (and leads) opened.
    pub cases_opened: u64,
    /// Brand replies recorded as responses.
    pub responses: u64,
    /// Customer follow-ups that joined a case.
    pub follow_ups: u64,
}

/// A case being worked on within one batch.
struct Work {
    case: Case,
    /// The stored version, `None` for a case opened in this batch.
    stored_version: Option<u64>,
    events: Vec<CaseEvent>,
}

/// Derives care cases from newly stored signals (see the module docs).
pub(crate) struct CareDerive<'m> {
    pub(crate) model: &'m Model,
    pub(crate) counts: CareCounts,
    /// P1 cases opened in this transaction (their department's webhooks
    /// get them, through the outbox).
    pub(crate) p1_opened: Vec<Case>,
}

fn author_key(s: &EnrichedSignal) -> Option<(String, String)> {
    s.signal
        .author
        .as_ref()
        .map(|a| (a.clone(), s.signal.channel.clone()))
}

fn reply_key(s: &EnrichedSignal) -> Option<(String, String)> {
    s.signal
        .in_reply_to
        .as_ref()
        .map(|r| (s.signal.channel.clone(), r.clone()))
}

impl CareDerive<'_> {
    /// Whether a signal can open, join or answer a case at all: on a
    /// care-able channel; a brand's post only as an own brand's reply;
    /// a customer's about an own brand, or about no known brand if it could
    /// be a follow-up. Competitors' signals never touch cases.
    fn relevant(&self, s: &EnrichedSignal) -> bool {
        let model = self.model;
        if !model.channel(&s.signal.channel).is_some_and(|c| c.care) {
            return false;
        }
        if let Some(brand) = tce_care::rules::brand_author(model, &s.signal) {
            return brand.own && s.signal.in_reply_to.is_some();
        }
        let brand = s.enrichment.brand.as_deref().or(s.signal.brand.as_deref());
        match brand.and_then(|b| model.brand(b)) {
            Some(b) => b.own,
            None => s.signal.author.is_some() || s.signal.in_reply_to.is_some(),
        }
    }

    fn run(&mut self, fresh: &[&EnrichedSignal], tx: &mut dyn DeriveTx) -> Result<(), StoreError> {
        let mut relevant: Vec<&EnrichedSignal> =
            fresh.iter().copied().filter(|s| self.relevant(s)).collect();
        // Triage in time order, so a batch need not be sorted: a brand's
        // reply listed before the tweet it answers still finds its case.
        relevant.sort_by_key(|s| s.signal.created_at);
        if relevant.is_empty() {
            return Ok(());
        }
        let mut keys = CaseKeys::default();
        for s in &relevant {
            let brand_post = tce_care::rules::brand_author(self.model, &s.signal).is_some();
            if !brand_post {
                keys.authors.extend(author_key(s));
            }
            keys.messages.extend(reply_key(s));
        }
        keys.authors.sort_unstable();
        keys.authors.dedup();
        keys.messages.sort_unstable();
        keys.messages.dedup();

        // Known detractors (advocacy's influential detractors of the
        // brand): their complaints rank higher. One batched lookup.
        let mut standing_keys: Vec<(String, String)> = relevant
            .iter()
            .filter(|s| !s.enrichment.brand_post)
            .filter_map(|s| {
                let brand = s
                    .enrichment
                    .brand
                    .as_deref()
                    .or(s.signal.brand.as_deref())?;
                Some((brand.to_string(), s.signal.author.clone()?))
            })
            .collect();
        standing_keys.sort_unstable();
        standing_keys.dedup();
        let detractors: FxHashMap<(String, String), (u32, u64)> = tx
            .author_aggregates(&standing_keys)?
            .into_iter()
            .filter(|(_, g)| g.influential_detractor())
            .map(|(k, g)| (k, (g.negative, g.followers)))
            .collect();

        let mut work: Vec<Work> = Vec::new();
        let mut by_id: FxHashMap<CaseId, usize> = FxHashMap::default();
        let mut by_author: FxHashMap<(String, String), Vec<usize>> = FxHashMap::default();
        let mut by_message: FxHashMap<(String, String), Vec<usize>> = FxHashMap::default();
        let index = |w: &Work,
                     i: usize,
                     by_author: &mut FxHashMap<(String, String), Vec<usize>>,
                     by_message: &mut FxHashMap<(String, String), Vec<usize>>| {
            if let Some(a) = &w.case.author {
                let list = by_author
                    .entry((a.clone(), w.case.channel.clone()))
                    .or_default();
                if !list.contains(&i) {
                    list.push(i);
                }
            }
            for m in &w.case.thread {
                let list = by_message
                    .entry((m.signal.channel.clone(), m.signal.external_id.clone()))
                    .or_default();
                if !list.contains(&i) {
                    list.push(i);
                }
            }
        };
        for case in tx.cases_for(&keys)? {
            let i = work.len();
            by_id.insert(case.id, i);
            let w = Work {
                stored_version: Some(case.version),
                case,
                events: Vec::new(),
            };
            index(&w, i, &mut by_author, &mut by_message);
            work.push(w);
        }

        let mut candidates: Vec<Case> = Vec::new();
        for s in relevant {
            candidates.clear();
            let mut seen: Vec<usize> = Vec::new();
            let lists = author_key(s)
                .and_then(|k| by_author.get(&k))
                .into_iter()
                .chain(reply_key(s).and_then(|k| by_message.get(&k)));
            for list in lists {
                for &i in list {
                    if !seen.contains(&i) {
                        seen.push(i);
                        candidates.push(work[i].case.clone());
                    }
                }
            }
            let action = tce_care::triage(self.model, s, &candidates);
            if let Some((id, change)) = action.change() {
                let Some(&i) = by_id.get(&id) else { continue };
                let w = &mut work[i];
                let version = w.case.version;
                let actor = match &action {
                    Action::Respond { .. } => Actor::System,
                    _ => Actor::Customer,
                };
                match workflow::apply(
                    &mut w.case,
                    version,
                    actor,
                    change,
                    self.model,
                    s.signal.created_at,
                ) {
                    Ok(events) => {
                        w.events.extend(events);
                        match action {
                            Action::Respond { .. } => self.counts.responses += 1,
                            _ => self.counts.follow_ups += 1,
                        }
                        index(&work[i], i, &mut by_author, &mut by_message);
                    }
                    Err(e) => skipped(s, &e),
                }
            } else if let Action::Open(mut opening) = action {
                if let Some((negative, followers)) = s
                    .signal
                    .author
                    .as_ref()
                    .and_then(|a| detractors.get(&(opening.brand.clone(), a.clone())))
                {
                    tce_care::rules::known_detractor(
                        self.model,
                        &mut opening.priority,
                        format!(
                            "known detractor: {negative} negative posts, {followers} followers"
                        ),
                    );
                }
                let id = tx.new_case_id()?;
                match Case::open(id, opening, self.model) {
                    Ok((case, events)) => {
                        let i = work.len();
                        by_id.insert(id, i);
                        let w = Work {
                            case,
                            stored_version: None,
                            events,
                        };
                        index(&w, i, &mut by_author, &mut by_message);
                        work.push(w);
                        self.counts.cases_opened += 1;
                    }
                    Err(e) => skipped(s, &e),
                }
            }
        }
        for w in work {
            match w.stored_version {
                None => {
                    tx.insert_case(&w.case, &w.events)?;
                    if w.case.priority.priority == tce_care::Priority::P1 {
                        self.p1_opened.push(w.case);
                    }
                }
                Some(v) if !w.events.is_empty() => tx.update_case(&w.case, v, &w.events)?,
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// A signal whose care step failed is still stored; the failure (a model
/// whose business hours never open) is logged, not fatal to the batch.
fn skipped(s: &EnrichedSignal, e: &CareError) {
    tracing::warn!(
        message = "Care step skipped.",
        channel = %s.signal.channel,
        external_id = %s.signal.external_id,
        error = %e,
    );
}

impl Derive for CareDerive<'_> {
    fn derive(
        &mut self,
        fresh: &[&EnrichedSignal],
        tx: &mut dyn DeriveTx,
    ) -> Result<(), StoreError> {
        self.run(fresh, tx)
    }
}

/// Why an agent's change to a case was not made.
#[derive(Debug, thiserror::Error)]
pub enum CaseChangeError {
    /// No such case.
    #[error("no case {0}")]
    NotFound(CaseId),
    /// The care rules refuse it (an invalid transition, a stale version, a
    /// closed case, an unknown department).
    #[error(transparent)]
    Refused(#[from] CareError),
    /// The store failed, or the case changed between reading and writing.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CaseChangeError {
    /// The case's current version when the change was refused as stale.
    pub fn current_version(&self) -> Option<u64> {
        match self {
            CaseChangeError::Refused(CareError::Stale { current, .. }) => Some(*current),
            CaseChangeError::Store(StoreError::StaleCase { current, .. }) => Some(*current),
            _ => None,
        }
    }
}

/// Applies an agent's change to a case against the version they saw (a
/// stale version is refused with the current one), stores it with its
/// events in one transaction and returns the case as it is now.
pub fn change(
    store: &mut dyn Store,
    model: &Model,
    id: CaseId,
    expected_version: u64,
    actor: Actor,
    change: Change,
    now: DateTime<Utc>,
) -> Result<(Case, Vec<CaseEvent>), CaseChangeError> {
    let mut case = store.case(id)?.ok_or(CaseChangeError::NotFound(id))?;
    let stored = case.version;
    let events = workflow::apply(&mut case, expected_version, actor, change, model, now)?;
    store.update_case(&case, stored, &events)?;
    Ok((case, events))
}

/// Applies several changes by one actor to a case, in order, all or
/// nothing: the first is made against `expected_version` (stale refused
/// with the current one), each next one against the version the previous
/// left; if one is refused nothing is stored. The case is stored once with
/// all their events; returns it as it is now.
pub fn change_all(
    store: &mut dyn Store,
    model: &Model,
    id: CaseId,
    expected_version: u64,
    actor: Actor,
    changes: Vec<Change>,
    now: DateTime<Utc>,
) -> Result<(Case, Vec<CaseEvent>), CaseChangeError> {
    let mut case = store.case(id)?.ok_or(CaseChangeError::NotFound(id))?;
    let stored = case.version;
    if expected_version != stored {
        return Err(CareError::Stale {
            case: id,
            expected: expected_version,
            current: stored,
        }
        .into());
    }
    let mut events = Vec::new();
    let mut version = expected_version;
    for change in changes {
        events.extend(workflow::apply(
            &mut case,
            version,
            actor.clone(),
            change,
            model,
            now,
        )?);
        version = case.version;
    }
    if !events.is_empty() {
        store.update_case(&case, stored, &events)?;
    }
    Ok((case, events))
}

/// Cases the sweep reads and writes per transaction.
const SWEEP_CHUNK: usize = 5_000;

/// What [`sweep`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepSummary {
    /// Cases resolved because the customer stayed quiet after the brand's answer.
    pub resolved: u64,
    /// Resolved cases closed after `[care] close_after_days` of quiet.
    pub closed: u64,
}

/// The housekeeping time causes, as of `now`: answered cases whose customer
/// stayed quiet for `[care] resolve_after_reply_days` are resolved, and
/// resolved cases quiet for `close_after_days` closed
/// (`tce_care::workflow::sweep`). A case an agent changed meanwhile is left
/// for the next sweep.
pub fn sweep(
    store: &mut dyn Store,
    model: &Model,
    now: DateTime<Utc>,
) -> Result<SweepSummary, CaseChangeError> {
    let days = |d: f64| Duration::seconds((d * 86_400.0).round() as i64);
    let answered_before = if model.care.resolve_after_reply_days > 0.0 {
        now - days(model.care.resolve_after_reply_days)
    } else {
        DateTime::<Utc>::MIN_UTC
    };
    let resolved_before = now - days(model.care.close_after_days);
    let ids = store.sweep_candidates(answered_before, resolved_before)?;
    let mut summary = SweepSummary::default();
    // In chunks, each one transaction, so memory stays bounded however
    // many cases are due; a case an agent changed since it was read is left
    // for the next sweep.
    for chunk in ids.chunks(SWEEP_CHUNK) {
        let mut changes = Vec::new();
        for mut case in store.cases_by_id(chunk)? {
            let stored = case.version;
            let events = workflow::sweep(&mut case, model, now)?;
            if !events.is_empty() {
                changes.push((case, stored, events));
            }
        }
        let applied = store.update_cases(&changes)?;
        for ((_, _, events), applied) in changes.iter().zip(applied) {
            if !applied {
                continue;
            }
            for e in events {
                match e.kind {
                    tce_care::CaseEventKind::AutoResolved { .. } => summary.resolved += 1,
                    tce_care::CaseEventKind::Status {
                        to: tce_care::Status::Closed,
                        ..
                    } => summary.closed += 1,
                    _ => {}
                }
            }
        }
    }
    Ok(summary)
}
