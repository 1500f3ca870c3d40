//! The one ingest path (DESIGN §4): every door — `tce ingest` (files),
//! `POST /api/v1/signals` (HTTP), `tce demo`, and the bus worker later —
//! hands parsed [`Signal`]s to a [`Pipeline`], which pseudonymises authors
//! (when the model's `[privacy]` asks), enriches, stores, and derives the
//! work a stored signal causes (care cases next, then alerts, advocacy and
//! ideas) in the same store transaction.
//!
//! Reading wire formats stays with the doors (`tce-ingest` readers; the
//! server's body parsing): they differ in how they report rejects. What
//! happens to a signal once it is parsed does not, so it lives here and
//! nowhere else.
//!
//! Every door reports the same internal events with the same fields
//! (`door`, `received`, `accepted`, `duplicate`, `rejected`), so the CLI, the
//! API and the worker are operated alike.

pub mod advocacy;
pub mod alerts;
pub mod care;
pub mod webhooks;

use advocacy::{AdvocacyCounts, AdvocacyDerive};
use alerts::{AlertCounts, AlertDerive, AlertSettings};
use care::{CareCounts, CareDerive};
use rand::rngs::OsRng;
use rand::RngCore;
use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use tce_ingest::privacy::{KeyError, Pseudonymizer, KEY_NAME};
use tce_model::{EnrichedSignal, Model, Signal};
use tce_store::{Derive, DeriveTx, InsertSummary, Store, StoreError};
use tce_text::classify::{Classifier, ClassifyError};
use tce_text::enrich::{EnrichError, Enricher};

pub use tce_text::enrich::EnrichScratch;

/// Which door a batch came in through (a low-cardinality label for events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// `tce ingest` and `tce demo`: files.
    File,
    /// `POST /api/v1/signals`.
    Http,
    /// A message-bus worker.
    Bus,
}

impl Door {
    /// The label in events and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Door::File => "file",
            Door::Http => "http",
            Door::Bus => "bus",
        }
    }
}

impl fmt::Display for Door {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the pipeline could not be built or could not store a batch.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The model's phrases or a classifier do not fit.
    #[error("building the enricher from the model: {0}")]
    Enricher(#[from] EnrichError),
    /// A classifier file named under `[classifiers]` could not be read.
    #[error("[classifiers] in tce.toml: {path}: {message}")]
    Classifier {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The store failed; nothing of the batch was stored.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The workspace's pseudonym key is unusable.
    #[error("[privacy]: {0}")]
    Key(#[from] KeyError),
    /// `[alerts]` is not valid for the detector.
    #[error(transparent)]
    Alerts(#[from] alerts::AlertSettingsError),
}

/// Signals per store transaction when a file is ingested: every batch
/// rewrites the index pages its random keys land on (external ids, authors),
/// so fewer, larger batches write less (50,000 measured about a tenth
/// faster than 10,000 on 1M signals; memory stays well under 1 GiB).
pub const FILE_BATCH: usize = 50_000;

/// Signals per derivation when a file is ingested ([`Session`]), and per
/// chunk when pending work is caught up. The stored signals wait in memory
/// until derived, so this bounds memory. Deriving once per four batches
/// measured no cheaper on 1M signals: derivation's cost is per row it
/// writes (an author's standing, a case), and most authors speak once per
/// 200,000 signals as per 50,000 — while peak memory rose from 620 to 920
/// MiB.
pub const DERIVE_BATCH: usize = FILE_BATCH;

/// Fresh signals from which a derivation runs the detectors on a thread of
/// their own, beside care and advocacy.
const PARALLEL_ALERTS_FROM: usize = 2_000;

/// What storing one batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stored {
    /// Signals newly stored.
    pub accepted: u64,
    /// Signals already stored (same channel and external id), or repeated
    /// earlier in the batch.
    pub duplicates: u64,
    /// The care work the batch caused (for a group commit: the whole
    /// group's, on its first part).
    pub care: CareCounts,
    /// The advocacy, moments and ideas work the batch caused (for a group
    /// commit: on its first part).
    pub advocacy: AdvocacyCounts,
    /// The alerts the batch raised, updated and closed (for a group commit:
    /// the whole group's, on its first part).
    pub alerts: AlertCounts,
}

impl From<InsertSummary> for Stored {
    fn from(s: InsertSummary) -> Stored {
        Stored {
            accepted: s.inserted,
            duplicates: s.duplicates,
            care: CareCounts::default(),
            advocacy: AdvocacyCounts::default(),
            alerts: AlertCounts::default(),
        }
    }
}

impl Stored {
    /// Adds the work a derivation did.
    fn add_derived(&mut self, d: &Derived<'_>) {
        self.care.cases_opened += d.care.counts.cases_opened;
        self.care.responses += d.care.counts.responses;
        self.care.follow_ups += d.care.counts.follow_ups;
        let (a, b) = (&mut self.advocacy, &d.advocacy.counts);
        a.observed += b.observed;
        a.moments += b.moments;
        a.shared += b.shared;
        a.suggestions += b.suggestions;
        a.ideas_opened += b.ideas_opened;
        let (a, b) = (&mut self.alerts, &d.alerts.counts);
        a.opened += b.opened;
        a.updated += b.updated;
        a.closed += b.closed;
        a.queued += b.queued;
    }
}

/// Everything a stored batch causes, in the insert transaction: care
/// first (cases), then advocacy (authors, moments of truth, ideas), then
/// early warning (alerts and their outbox).
struct Derived<'m> {
    care: CareDerive<'m>,
    advocacy: AdvocacyDerive<'m>,
    alerts: AlertDerive<'m>,
}

impl Derive for Derived<'_> {
    fn derive(
        &mut self,
        fresh: &[&EnrichedSignal],
        tx: &mut dyn DeriveTx,
    ) -> Result<(), StoreError> {
        // The detectors' states are read first; their pure work runs on a
        // thread of its own while care and advocacy use the transaction
        // (inline for small batches, where a thread costs more than it
        // saves), and what it computed is written last.
        let work = self.alerts.load(fresh, tx)?;
        let Derived {
            care,
            advocacy,
            alerts,
        } = self;
        let mut care_and_advocacy = |tx: &mut dyn DeriveTx| -> Result<(), StoreError> {
            care.derive(fresh, tx)?;
            let p1 = std::mem::take(&mut care.p1_opened);
            if !p1.is_empty() {
                alerts.counts.queued += webhooks::enqueue_p1_cases(&p1, tx)?;
            }
            advocacy.derive(fresh, tx)
        };
        let run = match work {
            None => {
                care_and_advocacy(tx)?;
                None
            }
            Some(work) if fresh.len() < PARALLEL_ALERTS_FROM => {
                care_and_advocacy(tx)?;
                Some(work.run())
            }
            Some(work) => {
                let (done, run) = std::thread::scope(|scope| {
                    let handle = scope.spawn(move || work.run());
                    let done = care_and_advocacy(tx);
                    (done, handle.join())
                });
                done?;
                Some(run.unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            }
        };
        match run {
            Some(run) => alerts.save(run, tx),
            None => Ok(()),
        }
    }
}

/// Parsed signals in; stored, enriched signals and their consequences out.
/// Cheap to share between threads (`&Pipeline` is `Sync`): parse and
/// [`Pipeline::prepare`] on any thread, [`Pipeline::store`] on the writer's.
pub struct Pipeline {
    /// The workspace's model (care rules read it).
    model: Model,
    enricher: Enricher,
    pseudonyms: Option<Pseudonymizer>,
    /// The brands' own handles, lower-case without `@`: a brand is an
    /// organisation, not a person, so its handle is never pseudonymised
    /// (care recognises brand replies by it).
    brand_handles: Vec<String>,
    /// Every brand's names, aliases and handles, lower-case: not idea terms.
    brand_words: Vec<String>,
    /// Moments' invitations, from the model.
    invitations: tce_advocacy::moments::Invitations,
    /// `[alerts]`, checked.
    alert_settings: AlertSettings,
}

impl fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("engine", &self.enricher.engine())
            .field("pseudonymize_authors", &self.pseudonyms.is_some())
            .finish()
    }
}

impl Pipeline {
    /// The pipeline of a workspace: the model's rules, the trained
    /// classifiers named under `[classifiers]` (paths relative to
    /// `model_dir`, the folder of tce.toml), and — when `[privacy]` asks —
    /// the author pseudonymiser keyed by the store's secret (made on first
    /// use, so every door of a workspace gives the same pseudonyms).
    pub fn open(
        model: &Model,
        model_dir: &Path,
        store: &mut dyn Store,
    ) -> Result<Pipeline, PipelineError> {
        alerts::settings(model)?;
        let enricher = enricher(model, model_dir)?;
        let pseudonyms = author_pseudonyms(model, store)?;
        Ok(Pipeline::from_parts(model, enricher, pseudonyms))
    }

    /// A pipeline from parts (tests and benchmarks). Invalid `[alerts]`
    /// settings turn detection off (with a warning); [`Pipeline::open`]
    /// refuses them.
    pub fn from_parts(
        model: &Model,
        enricher: Enricher,
        pseudonyms: Option<Pseudonymizer>,
    ) -> Pipeline {
        let brand_handles = model
            .brands
            .iter()
            .flat_map(|b| &b.handles)
            .map(|h| normal_handle(h))
            .collect();
        let mut brand_words: Vec<String> = model
            .brands
            .iter()
            .flat_map(|b| {
                std::iter::once(&b.name)
                    .chain(&b.aliases)
                    .chain(&b.handles)
                    .chain(std::iter::once(&b.id))
            })
            .flat_map(|n| {
                n.to_lowercase()
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        brand_words.sort_unstable();
        brand_words.dedup();
        let alert_settings = alerts::settings(model).unwrap_or_else(|error| {
            tracing::warn!(message = "Alerts off: invalid settings.", %error);
            AlertSettings::off(model)
        });
        Pipeline {
            model: model.clone(),
            enricher,
            pseudonyms,
            brand_handles,
            brand_words,
            invitations: tce_advocacy::moments::Invitations::of(model),
            alert_settings,
        }
    }

    fn is_brand_handle(&self, author: &str) -> bool {
        let author = normal_handle(author);
        self.brand_handles.contains(&author)
    }

    /// The workspace's early-warning settings.
    pub fn alert_settings(&self) -> &AlertSettings {
        &self.alert_settings
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    fn derived(&self) -> Derived<'_> {
        Derived {
            care: CareDerive {
                model: &self.model,
                counts: CareCounts::default(),
                p1_opened: Vec::new(),
            },
            advocacy: AdvocacyDerive {
                model: &self.model,
                counts: AdvocacyCounts::default(),
                brand_words: &self.brand_words,
                invitations: &self.invitations,
            },
            alerts: AlertDerive {
                model: &self.model,
                settings: &self.alert_settings,
                counts: AlertCounts::default(),
            },
        }
    }

    /// The enricher (for `tce sentiment`-like reads that store nothing).
    pub fn enricher(&self) -> &Enricher {
        &self.enricher
    }

    /// Pseudonymises and enriches one parsed signal; pure CPU work, safe on
    /// any thread.
    pub fn prepare(&self, signal: Signal) -> EnrichedSignal {
        self.prepare_with(signal, &mut EnrichScratch::new())
    }

    /// [`Pipeline::prepare`] reusing scratch buffers across signals.
    pub fn prepare_with(&self, mut signal: Signal, scratch: &mut EnrichScratch) -> EnrichedSignal {
        let brand_post = signal
            .author
            .as_deref()
            .is_some_and(|a| self.is_brand_handle(a));
        if let Some(p) = &self.pseudonyms {
            if !brand_post {
                p.apply(&mut signal);
            }
        }
        let mut enrichment = self.enricher.enrich_with(&signal, scratch);
        enrichment.brand_post = brand_post;
        EnrichedSignal { signal, enrichment }
    }

    /// Prepares a whole batch.
    pub fn prepare_all(&self, signals: impl IntoIterator<Item = Signal>) -> Vec<EnrichedSignal> {
        let mut scratch = EnrichScratch::new();
        signals
            .into_iter()
            .map(|s| self.prepare_with(s, &mut scratch))
            .collect()
    }

    /// Stores a prepared batch in one transaction, with the work it causes.
    /// When it returns `Ok` the batch is durable and its work derived; on
    /// `Err` nothing of it was stored. (Signals another writer left pending
    /// are derived first, in id order.)
    pub fn store(
        &self,
        store: &mut dyn Store,
        batch: &[EnrichedSignal],
        door: Door,
    ) -> Result<Stored, PipelineError> {
        Ok(self
            .store_grouped(store, batch, &[batch.len()], door)?
            .into_iter()
            .next()
            .unwrap_or_default())
    }

    /// Group commit: stores several prepared batches, laid one after the
    /// other in `batches` with lengths `lens`, in one transaction, and says
    /// what happened to each (see `Store::insert_grouped`). All or none.
    pub fn store_grouped(
        &self,
        store: &mut dyn Store,
        batches: &[EnrichedSignal],
        lens: &[usize],
        door: Door,
    ) -> Result<Vec<Stored>, PipelineError> {
        let mut derive = self.derived();
        let parts = store.insert_with(batches, lens, &mut derive)?;
        let derived = parts.iter().all(|p| p.derived);
        let mut stored: Vec<Stored> = parts.into_iter().map(Stored::from).collect();
        if let Some(first) = stored.first_mut() {
            if derived {
                first.add_derived(&derive);
            } else {
                // Pending signals stored before these: derive in id order.
                let caught = self.catch_up(store)?;
                first.care = caught.care;
                first.advocacy = caught.advocacy;
                first.alerts = caught.alerts;
            }
        }
        for (len, s) in lens.iter().zip(&stored) {
            event(door, *len, *s);
        }
        Ok(stored)
    }

    /// Derives the work of every stored signal still pending (a file
    /// ingest that stopped before deriving, another process's), in id
    /// order, [`DERIVE_BATCH`] signals per transaction. What it derived is
    /// in the returned counts (`accepted` and `duplicates` are 0).
    pub fn catch_up(&self, store: &mut dyn Store) -> Result<Stored, PipelineError> {
        let mut total = Stored::default();
        // Each round derives a chunk or finds another writer moved the
        // cursor; a bound keeps a pathological race from spinning.
        for _ in 0..1_000_000 {
            let cursor = store.derive_cursor()?;
            if !cursor.pending() {
                break;
            }
            let chunk = store.pending_signals(cursor.upto, DERIVE_BATCH)?;
            if chunk.is_empty() {
                break;
            }
            let fresh: Vec<(i64, &EnrichedSignal)> =
                chunk.iter().map(|s| (s.id, &s.signal)).collect();
            let mut derive = self.derived();
            if store.derive_range(&fresh, &mut derive)? {
                total.add_derived(&derive);
                tracing::debug!(
                    message = "Derived pending signals.",
                    signals = fresh.len(),
                    upto = fresh.last().map_or(0, |s| s.0)
                );
            }
        }
        Ok(total)
    }

    /// A file ingest's writer: stores batches as they come and derives
    /// their work once per [`DERIVE_BATCH`] signals and at
    /// [`Session::finish`]. Signals left pending by an earlier run are
    /// derived first.
    pub fn session(&self, store: &mut dyn Store) -> Result<(Session<'_>, Stored), PipelineError> {
        let caught = self.catch_up(store)?;
        Ok((
            Session {
                pipeline: self,
                pending: Vec::new(),
                pending_signals: 0,
                done: Vec::new(),
                derive_every: DERIVE_BATCH,
            },
            caught,
        ))
    }

    /// Records records a door rejected before they reached the pipeline,
    /// so rejects show up in the same events as the rest.
    pub fn rejected(&self, door: Door, rejected: usize) {
        if rejected > 0 {
            tracing::debug!(
                message = "Rejected records.",
                door = door.as_str(),
                rejected
            );
        }
    }
}

/// Stores a file's batches, deriving their work behind them (see
/// [`Pipeline::session`]). A stored batch is durable when
/// [`Session::store`] returns; its work is committed by a later call or by
/// [`Session::finish`] — and if the process stops before, the next
/// [`Pipeline::catch_up`] (every door runs one) derives it from the store.
pub struct Session<'p> {
    pipeline: &'p Pipeline,
    /// Stored batches whose work is not derived yet, with each signal's id
    /// (`None`: a duplicate).
    pending: Vec<(Vec<EnrichedSignal>, Vec<Option<i64>>)>,
    /// Fresh signals in `pending`.
    pending_signals: usize,
    /// Derived batches, for the caller to drop or reuse.
    done: Vec<Vec<EnrichedSignal>>,
    derive_every: usize,
}

impl fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("pending_signals", &self.pending_signals)
            .field("derive_every", &self.derive_every)
            .finish()
    }
}

impl<'p> Session<'p> {
    /// The pipeline the session stores through.
    pub fn pipeline(&self) -> &'p Pipeline {
        self.pipeline
    }

    /// Derives once per `n` stored signals (at least 1) instead of
    /// [`DERIVE_BATCH`].
    pub fn derive_every(mut self, n: usize) -> Self {
        self.derive_every = n.max(1);
        self
    }

    /// Stores a batch in one transaction (durable when this returns `Ok`;
    /// on `Err` nothing of it was stored), and derives the work of the
    /// batches stored so far when they reach the session's size. The
    /// returned counts hold that derivation's work, if one ran.
    pub fn store(
        &mut self,
        store: &mut dyn Store,
        batch: Vec<EnrichedSignal>,
        door: Door,
    ) -> Result<Stored, PipelineError> {
        let inserted = store.insert_pending(&batch, &[batch.len()])?;
        let mut stored = inserted
            .parts
            .first()
            .copied()
            .map(Stored::from)
            .unwrap_or_default();
        event(door, batch.len(), stored);
        self.pending_signals += inserted.ids.iter().flatten().count();
        self.pending.push((batch, inserted.ids));
        if self.pending_signals >= self.derive_every {
            let derived = self.derive(store)?;
            stored.care = derived.care;
            stored.advocacy = derived.advocacy;
            stored.alerts = derived.alerts;
        }
        Ok(stored)
    }

    /// Derives the work of every batch stored so far.
    pub fn finish(&mut self, store: &mut dyn Store) -> Result<Stored, PipelineError> {
        self.derive(store)
    }

    /// Batches whose work is derived: the caller may drop or reuse them.
    pub fn take_done(&mut self) -> Vec<Vec<EnrichedSignal>> {
        std::mem::take(&mut self.done)
    }

    fn derive(&mut self, store: &mut dyn Store) -> Result<Stored, PipelineError> {
        let mut total = Stored::default();
        if self.pending_signals > 0 {
            let fresh: Vec<(i64, &EnrichedSignal)> = self
                .pending
                .iter()
                .flat_map(|(batch, ids)| {
                    batch
                        .iter()
                        .zip(ids)
                        .filter_map(|(s, id)| id.map(|id| (id, s)))
                })
                .collect();
            let mut derive = self.pipeline.derived();
            if store.derive_range(&fresh, &mut derive)? {
                total.add_derived(&derive);
            } else {
                // Another writer stored or derived signals in between: the
                // store has them all, in order.
                total = self.pipeline.catch_up(store)?;
            }
        }
        self.pending_signals = 0;
        self.done
            .extend(self.pending.drain(..).map(|(batch, _)| batch));
        Ok(total)
    }
}

fn normal_handle(h: &str) -> String {
    h.trim().trim_start_matches('@').to_ascii_lowercase()
}

fn event(door: Door, received: usize, stored: Stored) {
    tracing::debug!(
        message = "Stored batch.",
        door = door.as_str(),
        received,
        accepted = stored.accepted,
        duplicate = stored.duplicates,
        cases_opened = stored.care.cases_opened,
        responses = stored.care.responses,
        follow_ups = stored.care.follow_ups,
        moments = stored.advocacy.moments,
        suggestions = stored.advocacy.suggestions,
        ideas_opened = stored.advocacy.ideas_opened,
        alerts_raised = stored.alerts.opened,
        alerts_updated = stored.alerts.updated,
        alerts_closed = stored.alerts.closed,
    );
}

/// The enricher for a model: the rules, plus the trained classifiers named
/// under `[classifiers]` in tce.toml (paths relative to `model_dir`).
pub fn enricher(model: &Model, model_dir: &Path) -> Result<Enricher, PipelineError> {
    let mut enricher = Enricher::new(model)?;
    if let Some(file) = &model.classifiers.sentiment {
        enricher = enricher.with_sentiment_classifier(file, load(model_dir, file)?, model)?;
    }
    if let Some(file) = &model.classifiers.touchpoint {
        enricher = enricher.with_touchpoint_classifier(file, load(model_dir, file)?, model)?;
    }
    for (intent, file) in &model.classifiers.intents {
        enricher = enricher.with_intent_classifier(*intent, file, load(model_dir, file)?, model)?;
    }
    Ok(enricher)
}

fn load(model_dir: &Path, file: &str) -> Result<Classifier, PipelineError> {
    let path = model_dir.join(file);
    let failed = |message: String| PipelineError::Classifier {
        path: path.clone(),
        message,
    };
    let f = File::open(&path).map_err(|e| failed(format!("cannot open: {e}")))?;
    Classifier::load(&mut BufReader::new(f))
        .map_err(|e: ClassifyError| failed(format!("cannot read: {e}")))
}

/// The author pseudonymiser of a model whose `[privacy]` asks for one, keyed
/// by the workspace's secret (made on first use).
pub fn author_pseudonyms(
    model: &Model,
    store: &mut dyn Store,
) -> Result<Option<Pseudonymizer>, PipelineError> {
    if !model.privacy.pseudonymize_authors {
        return Ok(None);
    }
    let mut fresh = [0u8; 32];
    OsRng.fill_bytes(&mut fresh);
    let key = store.secret_or_insert(KEY_NAME, &fresh)?;
    Ok(Some(Pseudonymizer::new(&key)?))
}
