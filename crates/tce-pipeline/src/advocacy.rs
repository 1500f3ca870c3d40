//! Advocacy, moments of truth and ideas caused by stored signals, and the
//! changes users make to ideas and moments.
//!
//! Inside the insert transaction ([`AdvocacyDerive`], run after care by
//! [`Derived`]): each new customer signal about a known brand is folded into
//! its author's aggregate for that brand (overall and for the month) and
//! the month's net-advocacy counters move with the author's class; a
//! positive signal may be a moment of truth (after an answered case, a top
//! rating, an advocate's praise) or share a sent one; a suggestion joins
//! the most similar idea of its brand or starts one. Per batch, only the
//! aggregates, moments and ideas of the batch's authors and brands are read
//! (one batched lookup each) and each is written once.
//!
//! Outside it: [`set_idea_status`], [`merge_ideas`], [`split_idea`],
//! [`mark_moment`] apply a user's change through `tce_advocacy`'s workflows.

use chrono::{DateTime, NaiveDate, Utc};
use rustc_hash::{FxHashMap, FxHashSet};
use tce_advocacy::ideas::{self, Centroid};
use tce_advocacy::moments::{self, MomentContext};
use tce_advocacy::score::{month_of, Observation};
use tce_advocacy::{AdvocacyError, AuthorClass, IdeaStatus, MomentStatus, PeriodCounts};
use tce_model::{EnrichedSignal, Intent, Model};
use tce_store::{
    AuthorState, CaseKeys, Derive, DeriveTx, Idea, IdeaEvent, IdeaSignal, Moment, Store, StoreError,
};

/// What advocacy derivation did in one transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AdvocacyCounts {
    /// Customer signals folded into author aggregates.
    pub observed: u64,
    /// Moments of truth recorded.
    pub moments: u64,
    /// Moments found shared.
    pub shared: u64,
    /// Suggestions clustered.
    pub suggestions: u64,
    /// Ideas started.
    pub ideas_opened: u64,
}

/// The department that runs advocacy: `marketing` when the model has it,
/// else the first department.
pub fn advocacy_department(model: &Model) -> String {
    model
        .departments
        .iter()
        .find(|d| d.id == "marketing")
        .or(model.departments.first())
        .map_or_else(|| "marketing".to_string(), |d| d.id.clone())
}

/// The department that owns ideas: `rnd`, `product` or `rd` when the model
/// has one, else the first department.
pub fn ideas_department(model: &Model) -> String {
    model
        .departments
        .iter()
        .find(|d| matches!(d.id.as_str(), "rnd" | "rd" | "r_and_d" | "product"))
        .or(model.departments.first())
        .map_or_else(|| "rnd".to_string(), |d| d.id.clone())
}

/// Derives advocacy, moments and ideas (see the module docs).
pub(crate) struct AdvocacyDerive<'m> {
    pub(crate) model: &'m Model,
    pub(crate) counts: AdvocacyCounts,
    /// Lower-case brand names, aliases and handles: left out of idea terms.
    pub(crate) brand_words: &'m [String],
    /// The invitation of a moment of truth (`[advocacy] invitation`, each
    /// brand's `share_link`).
    pub(crate) invitations: &'m moments::Invitations,
}

/// The brand a customer signal is about, and the author.
fn subject(s: &EnrichedSignal) -> Option<(&str, &str)> {
    if s.enrichment.brand_post {
        return None;
    }
    let brand = s
        .enrichment
        .brand
        .as_deref()
        .or(s.signal.brand.as_deref())?;
    Some((brand, s.signal.author.as_deref()?))
}

fn top_rating(s: &EnrichedSignal) -> bool {
    s.signal
        .rating
        .is_some_and(|r| r.value >= r.scale.range().1)
}

/// Whether `s` is the author's first message on `case` since the brand
/// answered it (or since it was resolved).
fn after_answer(case: &tce_care::Case, s: &EnrichedSignal) -> bool {
    let at = s.signal.created_at;
    let Some(answered) = case.last_response_at.or(case.resolved_at) else {
        return false;
    };
    if answered > at || case.opened_at >= at {
        return false;
    }
    !case.thread.iter().any(|e| {
        e.party == tce_care::Party::Customer
            && e.at > answered
            && e.at < at
            && !(e.signal.channel == s.signal.channel
                && e.signal.external_id == s.signal.external_id)
    })
}

/// One customer signal of a batch, as the derivation reads it.
struct Item<'a> {
    s: &'a EnrichedSignal,
    brand: &'a str,
    author: &'a str,
    o: Observation,
    /// First day of the signal's month.
    month: NaiveDate,
    /// The (brand, author) pair's number in the batch (pairs numbered in
    /// their sort order, so sorting numbers sorts pairs).
    key: u32,
    /// The brand's number in the batch.
    brand_no: u32,
    /// On a social channel.
    social: bool,
    /// A suggestion.
    suggestion: bool,
}

/// The (brand, author) pairs of a batch, numbered in sort order.
struct Keys<'a> {
    pairs: Vec<(&'a str, &'a str)>,
    numbers: FxHashMap<(&'a str, &'a str), u32>,
}

impl<'a> Keys<'a> {
    /// Numbers the pairs of `items` (setting each item's `key`).
    fn of(items: &mut [Item<'a>]) -> Keys<'a> {
        let mut numbers: FxHashMap<(&'a str, &'a str), u32> = FxHashMap::default();
        let mut pairs: Vec<(&'a str, &'a str)> = Vec::new();
        for it in items.iter_mut() {
            let next = pairs.len() as u32;
            let n = *numbers.entry((it.brand, it.author)).or_insert(next);
            if n == next {
                pairs.push((it.brand, it.author));
            }
            it.key = n;
        }
        let mut order: Vec<u32> = (0..pairs.len() as u32).collect();
        order.sort_unstable_by_key(|&n| pairs[n as usize]);
        let mut rank = vec![0u32; pairs.len()];
        for (r, &n) in order.iter().enumerate() {
            rank[n as usize] = r as u32;
        }
        for it in items.iter_mut() {
            it.key = rank[it.key as usize];
        }
        for n in numbers.values_mut() {
            *n = rank[*n as usize];
        }
        let pairs = order.into_iter().map(|n| pairs[n as usize]).collect();
        Keys { pairs, numbers }
    }

    fn number(&self, brand: &str, author: &str) -> Option<u32> {
        self.numbers.get(&(brand, author)).copied()
    }
}

/// The counts of `month` for the author of `state` (pair `key`), where they
/// live: in the row when it is the author's latest month (a later month
/// moves the latest one to the archive first), else in the archive (a late
/// signal).
fn period_counts<'a>(
    state: &'a mut AuthorState,
    archive: &'a mut FxHashMap<(u32, NaiveDate), PeriodCounts>,
    changed: &mut FxHashSet<(u32, NaiveDate)>,
    key: u32,
    month: NaiveDate,
) -> &'a mut PeriodCounts {
    match state.period.map(|(d, _)| d) {
        Some(latest) if latest > month => {
            changed.insert((key, month));
            return archive.entry((key, month)).or_default();
        }
        Some(latest) if latest == month => {}
        _ => {
            if let Some((d, c)) = state.period.take() {
                archive.insert((key, d), c);
                changed.insert((key, d));
            }
            // An archived month becoming the latest again (migrated rows)
            // lives in the row from now on.
            changed.remove(&(key, month));
            let c = archive.remove(&(key, month)).unwrap_or_default();
            state.period = Some((month, c));
        }
    }
    &mut state
        .period
        .get_or_insert((month, PeriodCounts::default()))
        .1
}

impl AdvocacyDerive<'_> {
    fn run(&mut self, fresh: &[&EnrichedSignal], tx: &mut dyn DeriveTx) -> Result<(), StoreError> {
        // Brands of the batch, numbered as met: (id, own).
        let mut brands: Vec<(&str, bool)> = Vec::new();
        let mut batch: Vec<Item<'_>> = Vec::with_capacity(fresh.len());
        for &s in fresh {
            let Some((brand, author)) = subject(s) else {
                continue;
            };
            let brand_no = match brands.iter().position(|(b, _)| *b == brand) {
                Some(n) => n,
                None => {
                    let own = self.model.brand(brand).is_some_and(|x| x.own);
                    brands.push((brand, own));
                    brands.len() - 1
                }
            } as u32;
            let o = Observation::of(s);
            batch.push(Item {
                s,
                brand,
                author,
                o,
                month: month_of(o.at),
                key: 0,
                brand_no,
                // Advocacy is public word of mouth: only social channels
                // count towards an author's standing and net advocacy (a
                // contact centre's notes and private surveys do not).
                social: self
                    .model
                    .channel(&s.signal.channel)
                    .is_some_and(|c| c.social),
                suggestion: s
                    .enrichment
                    .intents
                    .iter()
                    .any(|i| i.intent == Intent::Suggestion),
            });
        }
        if batch.is_empty() {
            return Ok(());
        }
        batch.sort_by_key(|it| it.s.signal.created_at);
        let keys = Keys::of(&mut batch);
        let n_keys = keys.pairs.len();

        // --- author aggregates and net advocacy ---
        let mut social_key = vec![false; n_keys];
        for it in batch.iter().filter(|it| it.social) {
            social_key[it.key as usize] = true;
        }
        let social_keys: Vec<(&str, &str)> = (0..n_keys)
            .filter(|&n| social_key[n])
            .map(|n| keys.pairs[n])
            .collect();
        let mut states: Vec<AuthorState> = vec![AuthorState::default(); n_keys];
        if !social_keys.is_empty() {
            for ((b, a), st) in tx.author_states_of(&social_keys)? {
                if let Some(n) = keys.number(&b, &a) {
                    states[n as usize] = st;
                }
            }
        }
        // Months of the batch that are not their author's stored latest
        // month: their counts, if any, are archived.
        let mut archive_months: Vec<(u32, NaiveDate)> = batch
            .iter()
            .filter(|it| it.social)
            .filter(|it| states[it.key as usize].period.map(|(d, _)| d) != Some(it.month))
            .map(|it| (it.key, it.month))
            .collect();
        archive_months.sort_unstable();
        archive_months.dedup();
        let mut archive: FxHashMap<(u32, NaiveDate), PeriodCounts> = FxHashMap::default();
        if !archive_months.is_empty() {
            let archive_keys: Vec<(&str, &str, NaiveDate)> = archive_months
                .iter()
                .map(|&(n, m)| {
                    let (b, a) = keys.pairs[n as usize];
                    (b, a, m)
                })
                .collect();
            for ((b, a, m), c) in tx.archived_periods_of(&archive_keys)? {
                if let Some(n) = keys.number(&b, &a) {
                    archive.insert((n, m), c);
                }
            }
        }
        let mut archive_changed: FxHashSet<(u32, NaiveDate)> = FxHashSet::default();
        let mut net: FxHashMap<(u32, NaiveDate), [i64; 3]> = FxHashMap::default();

        // --- moments: open ones of these authors, cases of positive own-brand authors ---
        let mut open: FxHashMap<u32, Moment> = FxHashMap::default();
        for m in tx.open_moments_of(&keys.pairs)? {
            if let Some(n) = keys.number(&m.brand, &m.author) {
                open.insert(n, m);
            }
        }
        let mut case_authors: Vec<(&str, &str)> = batch
            .iter()
            .filter(|it| it.o.positive && brands[it.brand_no as usize].1)
            .map(|it| (it.author, it.s.signal.channel.as_str()))
            .collect();
        case_authors.sort_unstable();
        case_authors.dedup();
        let cases = if case_authors.is_empty() {
            Vec::new()
        } else {
            let case_keys = CaseKeys {
                authors: case_authors
                    .iter()
                    .map(|(a, c)| (a.to_string(), c.to_string()))
                    .collect(),
                ..CaseKeys::default()
            };
            tx.cases_for(&case_keys)?
        };
        let mut cases_by_author: FxHashMap<(&str, &str), Vec<&tce_care::Case>> =
            FxHashMap::default();
        for c in &cases {
            if let Some(a) = &c.author {
                cases_by_author
                    .entry((a.as_str(), c.channel.as_str()))
                    .or_default()
                    .push(c);
            }
        }
        let mut moment_cases: Vec<u64> = Vec::new();
        let mut new_moments: Vec<Moment> = Vec::new();
        let mut changed_moments: Vec<Moment> = Vec::new();
        let department = advocacy_department(self.model);

        // --- ideas: the brands' current ideas ---
        let mut idea_brands: Vec<&str> = batch
            .iter()
            .filter(|it| it.suggestion)
            .map(|it| it.brand)
            .collect();
        idea_brands.sort_unstable();
        idea_brands.dedup();
        let mut ideas_list: Vec<Idea> = if idea_brands.is_empty() {
            Vec::new()
        } else {
            let idea_brands: Vec<String> = idea_brands.iter().map(|b| b.to_string()).collect();
            tx.ideas_of(&idea_brands)?
        };
        let mut touched = vec![false; ideas_list.len()];
        // Each brand's ideas by term: a suggestion is compared only with
        // its brand's ideas that share a term with it. (An idea of a brand
        // without a suggestion in the batch is never compared.)
        let mut by_term: Vec<ideas::TermIndex> = vec![ideas::TermIndex::default(); brands.len()];
        for (n, i) in ideas_list.iter().enumerate() {
            if let Some(b) = brands.iter().position(|(b, _)| *b == i.brand) {
                by_term[b].set(n, &[], &i.centroid);
            }
        }
        let mut pending_signals: Vec<(usize, IdeaSignal)> = Vec::new();

        for it in &batch {
            let (s, brand, author, o) = (it.s, it.brand, it.author, &it.o);
            let key = it.key as usize;
            let mut was_advocate = false;
            if it.social {
                let state = &mut states[key];
                was_advocate = state.aggregate.class() == AuthorClass::Advocate;
                state.aggregate.observe(o);
                let p = period_counts(state, &mut archive, &mut archive_changed, it.key, it.month);
                let before = p.class().counts();
                p.observe(o);
                let after = p.class().counts();
                if before != after {
                    let d = net.entry((it.brand_no, it.month)).or_default();
                    for k in 0..3 {
                        d[k] += after[k] - before[k];
                    }
                }
                self.counts.observed += 1;
            }

            // Moments: share an open one, or record a new one.
            let own = brands[it.brand_no as usize].1;
            if let Some(m) = open.get_mut(&it.key) {
                if moments::shares(m.status, m.sent_at, o) {
                    m.status = MomentStatus::Shared;
                    m.closed_at = Some(o.at);
                    m.shared_by = Some((s.signal.channel.clone(), s.signal.external_id.clone()));
                    changed_moments.push(m.clone());
                    self.counts.shared += 1;
                }
            } else if own && o.positive {
                let case = cases_by_author
                    .get(&(author, s.signal.channel.as_str()))
                    .and_then(|cs| {
                        cs.iter()
                            .find(|c| after_answer(c, s) && !moment_cases.contains(&c.id.0))
                    });
                let ctx = MomentContext {
                    observation: *o,
                    top_rating: top_rating(s),
                    after_answered_case: case.is_some(),
                    advocate: was_advocate,
                };
                if let Some(kind) = moments::detect(&ctx) {
                    let m = Moment {
                        id: 0,
                        brand: brand.to_string(),
                        author: author.to_string(),
                        channel: s.signal.channel.clone(),
                        external_id: s.signal.external_id.clone(),
                        kind,
                        case_id: case.map(|c| c.id.0),
                        department: department.clone(),
                        text: self
                            .invitations
                            .text(brand, author, s.signal.url.as_deref()),
                        status: MomentStatus::New,
                        created_at: o.at,
                        sent_at: None,
                        closed_at: None,
                        shared_by: None,
                    };
                    if let Some(c) = case {
                        moment_cases.push(c.id.0);
                    }
                    open.insert(it.key, m.clone());
                    new_moments.push(m);
                    self.counts.moments += 1;
                }
            }

            // Ideas.
            if it.suggestion {
                let doc = ideas::terms(&s.signal.text, self.brand_words);
                if doc.is_empty() {
                    continue;
                }
                let index = &mut by_term[it.brand_no as usize];
                let n = match index.assign(&doc) {
                    Some(n) => {
                        let i = &mut ideas_list[n];
                        index.add(n, &mut i.centroid, &doc);
                        i.volume += 1;
                        i.reach += s.signal.author_followers.unwrap_or(0);
                        i.first_seen = i.first_seen.min(o.at);
                        i.last_seen = i.last_seen.max(o.at);
                        i.sentiment_sum += s.enrichment.sentiment;
                        n
                    }
                    None => {
                        ideas_list.push(Idea {
                            id: 0,
                            brand: brand.to_string(),
                            own,
                            label: String::new(),
                            centroid: Centroid::of(&doc),
                            volume: 1,
                            reach: s.signal.author_followers.unwrap_or(0),
                            first_seen: o.at,
                            last_seen: o.at,
                            sentiment_sum: s.enrichment.sentiment,
                            touchpoints: Default::default(),
                            representative: (
                                s.signal.channel.clone(),
                                s.signal.external_id.clone(),
                                s.signal.text.clone(),
                            ),
                            status: IdeaStatus::New,
                            shipped_at: None,
                            merged_into: None,
                            version: 1,
                        });
                        touched.push(false);
                        self.counts.ideas_opened += 1;
                        let n = ideas_list.len() - 1;
                        index.set(n, &[], &ideas_list[n].centroid);
                        n
                    }
                };
                let i = &mut ideas_list[n];
                for tp in &s.enrichment.touchpoints {
                    match i.touchpoints.get_mut(&tp.touchpoint) {
                        Some(c) => *c += 1,
                        None => {
                            i.touchpoints.insert(tp.touchpoint.clone(), 1);
                        }
                    }
                }
                touched[n] = true;
                pending_signals.push((
                    n,
                    IdeaSignal {
                        idea: 0,
                        channel: s.signal.channel.clone(),
                        external_id: s.signal.external_id.clone(),
                        at: o.at,
                        terms: doc,
                    },
                ));
                self.counts.suggestions += 1;
            }
        }

        // Every author of a social signal was observed: their rows are
        // written in key order (neighbouring rows of the table).
        let rows: Vec<(&str, &str, &AuthorState)> = states
            .iter()
            .enumerate()
            .filter(|(n, _)| social_key[*n])
            .map(|(n, st)| (keys.pairs[n].0, keys.pairs[n].1, st))
            .collect();
        tx.save_author_states_of(&rows)?;
        drop(rows);
        let mut archived: Vec<((u32, NaiveDate), PeriodCounts)> = archive
            .into_iter()
            .filter(|(k, _)| archive_changed.contains(k))
            .collect();
        archived.sort_unstable_by_key(|(k, _)| *k);
        let archived: Vec<(&str, &str, NaiveDate, PeriodCounts)> = archived
            .into_iter()
            .map(|((n, m), c)| {
                let (b, a) = keys.pairs[n as usize];
                (b, a, m, c)
            })
            .collect();
        tx.save_archived_periods_of(&archived)?;
        let mut net: Vec<((String, NaiveDate), [i64; 3])> = net
            .into_iter()
            .filter(|(_, d)| *d != [0, 0, 0])
            .map(|((b, m), d)| ((brands[b as usize].0.to_string(), m), d))
            .collect();
        net.sort_by(|a, b| a.0.cmp(&b.0));
        tx.add_net_counts(&net)?;
        new_moments.extend(changed_moments);
        tx.save_moments(&new_moments)?;

        if !pending_signals.is_empty() {
            let mut changed: Vec<Idea> = Vec::new();
            let mut at: Vec<Option<usize>> = vec![None; ideas_list.len()];
            for (n, i) in ideas_list.into_iter().enumerate() {
                if touched[n] {
                    let mut i = i;
                    i.label = i.centroid.label(&i.representative.2);
                    at[n] = Some(changed.len());
                    changed.push(i);
                }
            }
            tx.save_ideas(&mut changed)?;
            let rows: Vec<IdeaSignal> = pending_signals
                .into_iter()
                .filter_map(|(n, mut sig)| {
                    let k = at.get(n).copied().flatten()?;
                    sig.idea = changed[k].id;
                    Some(sig)
                })
                .collect();
            tx.add_idea_signals(&rows)?;
        }
        Ok(())
    }
}

impl Derive for AdvocacyDerive<'_> {
    fn derive(
        &mut self,
        fresh: &[&EnrichedSignal],
        tx: &mut dyn DeriveTx,
    ) -> Result<(), StoreError> {
        self.run(fresh, tx)
    }
}

/// Why a user's change to an idea or moment was not made.
#[derive(Debug, thiserror::Error)]
pub enum AdvocacyChangeError {
    /// No such idea or moment.
    #[error("no {what} {id}")]
    NotFound {
        /// `idea` or `moment`.
        what: &'static str,
        /// The id.
        id: i64,
    },
    /// The workflow refuses it.
    #[error(transparent)]
    Refused(#[from] AdvocacyError),
    /// The store failed, or the record changed meanwhile.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Moves an idea to `to` (with an optional note) against the version the
/// user saw; returns it as it is now.
pub fn set_idea_status(
    store: &mut dyn Store,
    id: i64,
    expected_version: Option<u64>,
    to: IdeaStatus,
    note: Option<String>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Idea, AdvocacyChangeError> {
    let mut idea = store
        .idea(id)?
        .ok_or(AdvocacyChangeError::NotFound { what: "idea", id })?;
    let seen = expected_version.unwrap_or(idea.version);
    let from = idea.status;
    from.check(to)?;
    idea.status = to;
    if to == IdeaStatus::Shipped {
        idea.shipped_at = Some(now);
    }
    idea.version += 1;
    let mut events = vec![IdeaEvent {
        idea: id,
        at: now,
        actor: actor.into(),
        kind: "status".into(),
        from: Some(from),
        to: Some(to),
        note: None,
        other: None,
    }];
    if let Some(n) = note.filter(|n| !n.trim().is_empty()) {
        events.push(IdeaEvent {
            idea: id,
            at: now,
            actor: actor.into(),
            kind: "note".into(),
            from: None,
            to: None,
            note: Some(n),
            other: None,
        });
    }
    store.change_ideas(&[(idea.clone(), seen)], &events, &[])?;
    Ok(idea)
}

/// Merges idea `from` into `into` (same brand): its suggestions, terms,
/// volume and reach move over; `from` is kept as merged. Recorded on both.
pub fn merge_ideas(
    store: &mut dyn Store,
    into: i64,
    from: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Idea, AdvocacyChangeError> {
    if into == from {
        return Err(AdvocacyError::Merge("an idea cannot be merged into itself".into()).into());
    }
    let mut a = store.idea(into)?.ok_or(AdvocacyChangeError::NotFound {
        what: "idea",
        id: into,
    })?;
    let mut b = store.idea(from)?.ok_or(AdvocacyChangeError::NotFound {
        what: "idea",
        id: from,
    })?;
    if a.brand != b.brand {
        return Err(AdvocacyError::Merge(format!(
            "idea {into} is about {} and idea {from} about {}",
            a.brand, b.brand
        ))
        .into());
    }
    if a.merged_into.is_some() || b.merged_into.is_some() {
        return Err(AdvocacyError::Merge("one of the ideas was already merged".into()).into());
    }
    let (va, vb) = (a.version, b.version);
    a.centroid.absorb(&b.centroid);
    a.volume += b.volume;
    a.reach += b.reach;
    a.first_seen = a.first_seen.min(b.first_seen);
    a.last_seen = a.last_seen.max(b.last_seen);
    a.sentiment_sum += b.sentiment_sum;
    for (t, n) in &b.touchpoints {
        *a.touchpoints.entry(t.clone()).or_default() += n;
    }
    a.label = a.centroid.label(&a.representative.2);
    a.version += 1;
    b.merged_into = Some(into);
    b.version += 1;
    let event = |idea, kind: &str, other| IdeaEvent {
        idea,
        at: now,
        actor: actor.into(),
        kind: kind.into(),
        from: None,
        to: None,
        note: None,
        other: Some(other),
    };
    store.change_ideas(
        &[(a.clone(), va), (b, vb)],
        &[
            event(into, "absorbed", from),
            event(from, "merged_into", into),
        ],
        &[(from, into)],
    )?;
    Ok(a)
}

/// Marks a moment sent, shared or declined (through the workflow).
pub fn mark_moment(
    store: &mut dyn Store,
    id: i64,
    to: MomentStatus,
    now: DateTime<Utc>,
) -> Result<Moment, AdvocacyChangeError> {
    let mut m = store
        .moment(id)?
        .ok_or(AdvocacyChangeError::NotFound { what: "moment", id })?;
    let from = m.status;
    from.check(to)?;
    m.status = to;
    match to {
        MomentStatus::Sent => m.sent_at = Some(now),
        MomentStatus::Shared | MomentStatus::Declined => m.closed_at = Some(now),
        MomentStatus::New => {}
    }
    store.update_moment(&m, from)?;
    Ok(m)
}

/// A suggestion named by a user: `CHANNEL:EXTERNAL_ID` (or
/// `CHANNEL/EXTERNAL_ID`, as `tce ideas show` prints it). Channel ids hold
/// neither character; an external id may.
pub fn parse_suggestion_ref(s: &str) -> Option<(String, String)> {
    let s = s.trim();
    let at = s.find([':', '/'])?;
    let (channel, id) = (&s[..at], &s[at + 1..]);
    (!channel.is_empty() && !id.is_empty()).then(|| (channel.to_string(), id.to_string()))
}

/// Splits the suggestions `refs` ((channel, external id)) off idea `id`
/// into a new idea of the same brand, against the version the user saw:
/// each idea's centroid is rebuilt from the terms of the suggestions it
/// keeps, its label, volume, reach, sentiment, touchpoints and first/last
/// seen follow, and the change is recorded on both (`split_into` on the
/// idea, `split_from` on the new one). The new idea starts `new`. Splitting
/// out none or all of its suggestions, or one it does not hold, is refused.
/// Returns (the idea as it is now, the new idea).
pub fn split_idea(
    store: &mut dyn Store,
    id: i64,
    expected_version: Option<u64>,
    refs: &[(String, String)],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(Idea, Idea), AdvocacyChangeError> {
    let refused = |m: String| AdvocacyChangeError::Refused(AdvocacyError::Split(m));
    let mut idea = store
        .idea(id)?
        .ok_or(AdvocacyChangeError::NotFound { what: "idea", id })?;
    if let Some(into) = idea.merged_into {
        return Err(refused(format!("idea {id} was merged into idea {into}")));
    }
    let seen = expected_version.unwrap_or(idea.version);
    let mut chosen: Vec<(String, String)> = refs.to_vec();
    chosen.sort_unstable();
    chosen.dedup();
    if chosen.is_empty() {
        return Err(refused(format!(
            "choose at least one of idea {id}'s suggestions to split out"
        )));
    }
    let held = store.idea_signals(id, i64::MAX as usize)?;
    if let Some((c, e)) = chosen
        .iter()
        .find(|(c, e)| !held.iter().any(|h| &h.channel == c && &h.external_id == e))
    {
        return Err(refused(format!("idea {id} holds no suggestion {c}:{e}")));
    }
    if chosen.len() >= held.len() {
        return Err(refused(format!(
            "that is all {} of idea {id}'s suggestions: at least one must stay",
            held.len()
        )));
    }
    let is_chosen = |c: &str, e: &str| {
        chosen
            .binary_search_by(|(x, y)| (x.as_str(), y.as_str()).cmp(&(c, e)))
            .is_ok()
    };
    let (moved, kept): (Vec<_>, Vec<_>) = held
        .into_iter()
        .partition(|h| is_chosen(&h.channel, &h.external_id));

    // The moved suggestions' signals, for reach, sentiment, touchpoints and
    // texts; one purged by retention counts with none of them.
    let mut wanted = chosen.clone();
    let rep_moves = is_chosen(&idea.representative.0, &idea.representative.1);
    let earliest = |v: &[IdeaSignal]| {
        v.iter()
            .min_by_key(|s| (s.at, s.channel.clone(), s.external_id.clone()))
            .map(|s| (s.channel.clone(), s.external_id.clone()))
    };
    let kept_rep = if rep_moves { earliest(&kept) } else { None };
    wanted.extend(kept_rep.clone());
    let signals: FxHashMap<(String, String), EnrichedSignal> = store
        .signals_by_ref(&wanted)?
        .into_iter()
        .map(|s| {
            let key = (
                s.signal.signal.channel.clone(),
                s.signal.signal.external_id.clone(),
            );
            (key, s.signal)
        })
        .collect();

    let centroid_of = |v: &[IdeaSignal]| {
        let mut c = Centroid::default();
        for s in v {
            c.add(&s.terms);
        }
        c
    };
    let span = |v: &[IdeaSignal]| {
        let first = v.iter().map(|s| s.at).min().unwrap_or(now);
        let last = v.iter().map(|s| s.at).max().unwrap_or(now);
        (first, last)
    };
    let mut part = Idea {
        id: 0,
        brand: idea.brand.clone(),
        own: idea.own,
        label: String::new(),
        centroid: centroid_of(&moved),
        volume: moved.len() as u64,
        reach: 0,
        first_seen: span(&moved).0,
        last_seen: span(&moved).1,
        sentiment_sum: 0.0,
        touchpoints: Default::default(),
        representative: Default::default(),
        status: IdeaStatus::New,
        shipped_at: None,
        merged_into: None,
        version: 1,
    };
    for m in &moved {
        let Some(s) = signals.get(&(m.channel.clone(), m.external_id.clone())) else {
            continue;
        };
        part.reach += s.signal.author_followers.unwrap_or(0);
        part.sentiment_sum += s.enrichment.sentiment;
        for tp in &s.enrichment.touchpoints {
            *part.touchpoints.entry(tp.touchpoint.clone()).or_default() += 1;
        }
    }
    let text_of = |key: &(String, String)| {
        signals
            .get(key)
            .map_or_else(String::new, |s| s.signal.text.clone())
    };
    if let Some(key) = earliest(&moved) {
        part.representative = (key.0.clone(), key.1.clone(), text_of(&key));
    }
    part.label = part.centroid.label(&part.representative.2);

    idea.centroid = centroid_of(&kept);
    idea.volume = idea
        .volume
        .saturating_sub(part.volume)
        .max(kept.len() as u64);
    idea.reach = idea.reach.saturating_sub(part.reach);
    idea.sentiment_sum -= part.sentiment_sum;
    for (tp, n) in &part.touchpoints {
        if let Some(have) = idea.touchpoints.get_mut(tp) {
            *have = have.saturating_sub(*n);
        }
    }
    idea.touchpoints.retain(|_, n| *n > 0);
    (idea.first_seen, idea.last_seen) = span(&kept);
    if let Some(key) = kept_rep {
        idea.representative = (key.0.clone(), key.1.clone(), text_of(&key));
    }
    idea.label = idea.centroid.label(&idea.representative.2);
    idea.version += 1;

    let note = Some(format!(
        "{} of {} suggestions",
        moved.len(),
        moved.len() + kept.len()
    ));
    let event = |idea, kind: &str, other| IdeaEvent {
        idea,
        at: now,
        actor: actor.into(),
        kind: kind.into(),
        from: None,
        to: None,
        note: note.clone(),
        other: Some(other),
    };
    // Idea 0 is the new one: the store fills in its id.
    let events = [event(id, "split_into", 0), event(0, "split_from", id)];
    part.id = store.split_idea(&idea, seen, &part, &chosen, &events)?;
    Ok((idea, part))
}
