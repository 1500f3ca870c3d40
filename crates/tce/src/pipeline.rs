//! `tce ingest`'s door onto the one ingest pipeline (`tce-pipeline`): files
//! read, progress shown, rejects reported; what happens to a parsed signal
//! (pseudonymise, enrich, store, derive) is the pipeline's.
//!
//! A reader thread parses and prepares batches while the calling thread
//! stores them, so parsing and SQLite work overlap on two cores. Each batch
//! is one store transaction: what `store` returned is durable.
//!
//! Rejected records are shown on stderr as `FILE:LINE: reason` lines (the
//! first [`SHOWN_REJECTS`] of a run), never as log lines; `--rejects FILE`
//! keeps them all with the records. Outcomes CSVs are imported here too, so
//! `tce outcomes import` and `tce demo` share one path.

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tce_ingest::{ReadOptions, Reject, SignalReader};
use tce_model::{EnrichedSignal, Model};
use tce_pipeline::{Door, EnrichScratch, Pipeline, Session, Stored};
use tce_store::{OutcomeRow, Store};

/// Rejected records listed on stderr per run; the rest are counted.
pub const SHOWN_REJECTS: usize = 20;

/// How to run an ingest.
pub struct IngestOptions {
    pub read: ReadOptions,
    pub batch_size: usize,
    pub rejects: Option<PathBuf>,
    pub progress: bool,
    /// Folder of the model file: `[classifiers]` paths are relative to it.
    pub model_dir: PathBuf,
}

/// Counts for one file.
#[derive(Debug, Default, Serialize)]
pub struct FileSummary {
    pub file: String,
    pub accepted: u64,
    pub duplicates: u64,
    pub rejected: u64,
    /// Cases and leads opened.
    pub cases_opened: u64,
    /// Brand replies recorded as responses.
    pub brand_replies: u64,
    /// Customer follow-ups that joined a case.
    pub follow_ups: u64,
    /// Set when the file could not be read at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Counts for a whole ingest run.
#[derive(Debug, Default, Serialize)]
pub struct IngestSummary {
    pub accepted: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub failed_files: u64,
    pub seconds: f64,
    /// The care work the run caused.
    pub care: CareSummary,
    pub files: Vec<FileSummary>,
}

/// Care work caused by an ingest run: what the stored signals derived, and
/// the sweep run after them (`tce_pipeline::care::sweep` as of now).
#[derive(Debug, Default, Serialize)]
pub struct CareSummary {
    /// Cases and leads opened.
    pub cases_opened: u64,
    /// Brand replies recorded as responses.
    pub brand_replies: u64,
    /// Customer follow-ups that joined a case.
    pub follow_ups: u64,
    /// Cases the sweep resolved (the customer stayed quiet after the brand's answer).
    pub auto_resolved: u64,
    /// Resolved cases the sweep closed.
    pub auto_closed: u64,
}

impl FileSummary {
    fn add(&mut self, done: &Stored) {
        self.accepted += done.accepted;
        self.duplicates += done.duplicates;
        self.cases_opened += done.care.cases_opened;
        self.brand_replies += done.care.responses;
        self.follow_ups += done.care.follow_ups;
    }
}

/// Messages from the reader thread.
enum Msg {
    Batch(Vec<EnrichedSignal>),
}

pub fn ingest_files(
    model: &Model,
    store: &mut dyn Store,
    files: &[PathBuf],
    opts: &IngestOptions,
) -> Result<IngestSummary> {
    if let Some(path) = &opts.rejects {
        crate::workspace::check_output(path, "--rejects")?;
    }
    let pipeline = Pipeline::open(model, &opts.model_dir, store)?;
    // Work an earlier run stored but did not derive (it was stopped) is
    // derived first, in signal order.
    let (mut session, caught) = pipeline
        .session(store)
        .context("deriving the work of signals an earlier run left pending")?;
    let mut rejects_out = match &opts.rejects {
        Some(path) => Some(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => None,
    };
    let started = Instant::now();
    let mut summary = IngestSummary::default();
    summary.care.cases_opened = caught.care.cases_opened;
    summary.care.brand_replies = caught.care.responses;
    summary.care.follow_ups = caught.care.follow_ups;
    let mut shown = 0;
    for path in files {
        let file = ingest_file(
            model,
            &mut session,
            store,
            path,
            opts,
            (rejects_out.as_mut(), &mut shown),
        )?;
        summary.accepted += file.accepted;
        summary.duplicates += file.duplicates;
        summary.rejected += file.rejected;
        summary.failed_files += u64::from(file.error.is_some());
        summary.care.cases_opened += file.cases_opened;
        summary.care.brand_replies += file.brand_replies;
        summary.care.follow_ups += file.follow_ups;
        summary.files.push(file);
    }
    // Time moves cases on (auto-resolve, auto-close) as well as signals do.
    let swept = tce_pipeline::care::sweep(store, model, chrono::Utc::now())
        .context("sweeping care cases after the ingest (the signals are stored)")?;
    summary.care.auto_resolved = swept.resolved;
    summary.care.auto_closed = swept.closed;
    if let Some(out) = rejects_out.as_mut() {
        out.flush().context("writing rejects")?;
    }
    more_rejects(summary.rejected, shown, opts.rejects.as_deref());
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// One rejected record on stderr: `FILE:LINE: reason`.
pub fn show_reject(r: &Reject) {
    let at = crate::paint(&format!("{}:{}:", r.source, r.line), crate::BOLD);
    eprintln!("{at} {}", r.reason);
}

/// The line after the shown rejects, when some were not shown.
fn more_rejects(total: u64, shown: usize, kept: Option<&Path>) {
    let rest = total.saturating_sub(shown as u64);
    if rest > 0 {
        match kept {
            Some(p) => eprintln!("… and {rest} more; {} keeps them all", p.display()),
            None => eprintln!("… and {rest} more; --rejects FILE keeps them all"),
        }
    }
}

/// Imports an outcomes CSV into the store (existing brand-periods are
/// replaced). Atomic: any bad row is shown and nothing is imported.
pub fn import_outcomes(model: &Model, store: &mut dyn Store, path: &Path) -> Result<u64> {
    let read = tce_ingest::outcomes::read_outcomes_file(path, model)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if !read.rejects.is_empty() {
        for r in read.rejects.iter().take(SHOWN_REJECTS) {
            show_reject(r);
        }
        let n = read.rejects.len();
        if n > SHOWN_REJECTS {
            eprintln!("… and {} more", n - SHOWN_REJECTS);
        }
        anyhow::bail!(
            "{}: {n} of {} rows are not valid outcomes; nothing was imported (fix them and import again)",
            path.display(),
            n + read.rows.len()
        );
    }
    let rows: Vec<OutcomeRow> = read
        .rows
        .into_iter()
        .map(|o| OutcomeRow {
            period_start: o.period_start,
            brand: o.brand,
            revenue: o.revenue,
            customers: o.customers,
            return_visits: o.return_visits,
        })
        .collect();
    Ok(store.insert_outcomes(&rows)?)
}

fn ingest_file(
    model: &Model,
    session: &mut Session<'_>,
    store: &mut dyn Store,
    path: &Path,
    opts: &IngestOptions,
    (mut rejects_out, shown): (Option<&mut BufWriter<File>>, &mut usize),
) -> Result<FileSummary> {
    let mut summary = FileSummary {
        file: path.display().to_string(),
        ..FileSummary::default()
    };
    let reader = match SignalReader::open(path, &opts.read, model) {
        Ok(r) => r,
        Err(e) => {
            summary.error = Some(e.to_string());
            return Ok(summary);
        }
    };
    let progress = Progress::new(path, reader.total_bytes(), opts.progress);
    let bytes = AtomicU64::new(0);
    let batch_size = opts.batch_size.max(1);
    let (tx, rx) = mpsc::sync_channel::<Msg>(2);
    // Stored batches go back to the reader, which drops their signals while
    // the writer stores the next batch (dropping a batch is real work) and
    // reuses the allocation.
    let (back_tx, back_rx) = mpsc::channel::<Vec<EnrichedSignal>>();

    let pipeline = session.pipeline();
    let result: Result<Vec<Reject>> = std::thread::scope(|scope| {
        let bytes = &bytes;
        let producer = scope.spawn(move || {
            let mut reader = reader;
            let mut rejects = Vec::new();
            let mut batch = Vec::with_capacity(batch_size);
            let mut scratch = EnrichScratch::new();
            while let Some(record) = reader.next() {
                match record {
                    Ok(parsed) => batch.push(pipeline.prepare_with(parsed.signal, &mut scratch)),
                    Err(reject) => rejects.push(reject),
                }
                if batch.len() >= batch_size {
                    bytes.store(reader.bytes_read(), Ordering::Relaxed);
                    let next = match back_rx.try_recv() {
                        Ok(mut stored) => {
                            stored.clear();
                            stored
                        }
                        Err(_) => Vec::with_capacity(batch_size),
                    };
                    let full = std::mem::replace(&mut batch, next);
                    if tx.send(Msg::Batch(full)).is_err() {
                        return rejects; // the writer stopped on an error
                    }
                }
            }
            bytes.store(reader.bytes_read(), Ordering::Relaxed);
            if !batch.is_empty() {
                let _ = tx.send(Msg::Batch(batch));
            }
            rejects
        });
        let mut failure = None;
        for msg in rx.iter() {
            let Msg::Batch(batch) = msg;
            match session.store(store, batch, Door::File) {
                Ok(done) => summary.add(&done),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
            progress.set(
                bytes.load(Ordering::Relaxed),
                summary.accepted + summary.duplicates,
            );
            // Derived batches go back to the reader (if it has finished,
            // they are dropped here).
            for batch in session.take_done() {
                let _ = back_tx.send(batch);
            }
        }
        drop(back_tx);
        drop(rx);
        // The file's last batches: their work is derived before the file
        // counts as done (and its summary holds it).
        if failure.is_none() {
            match session.finish(store) {
                Ok(done) => summary.add(&done),
                Err(e) => failure = Some(e),
            }
        }
        let rejects = producer
            .join()
            .map_err(|_| anyhow::anyhow!("the reader thread of {} panicked", path.display()))?;
        match failure {
            Some(e) => Err(anyhow::Error::new(e).context(format!(
                "storing signals from {} (batches before this one are stored)",
                path.display()
            ))),
            None => Ok(rejects),
        }
    });
    let rejects = result?;
    progress.finish();
    pipeline.rejected(Door::File, rejects.len());
    summary.rejected = rejects.len() as u64;
    for r in &rejects {
        if *shown < SHOWN_REJECTS {
            show_reject(r);
            *shown += 1;
        }
        if let Some(out) = rejects_out.as_deref_mut() {
            let line = serde_json::json!({
                "file": r.source, "line": r.line, "reason": r.reason, "record": r.raw,
            });
            writeln!(out, "{line}").context("writing rejects")?;
        }
    }
    Ok(summary)
}

/// A progress bar on a terminal, plain lines every few seconds otherwise.
struct Progress {
    bar: Option<ProgressBar>,
    plain: Option<std::cell::Cell<Instant>>,
    name: String,
    total: u64,
}

impl Progress {
    fn new(path: &Path, total: u64, enabled: bool) -> Progress {
        let name = path.display().to_string();
        if !enabled {
            return Progress {
                bar: None,
                plain: None,
                name,
                total,
            };
        }
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .map(|s| s.progress_chars("=> "));
            if let Ok(style) = style {
                bar.set_style(style);
            }
            bar.set_message(name.clone());
            Progress {
                bar: Some(bar),
                plain: None,
                name,
                total,
            }
        } else {
            Progress {
                bar: None,
                plain: Some(std::cell::Cell::new(Instant::now())),
                name,
                total,
            }
        }
    }

    fn set(&self, bytes: u64, records: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
        } else if let Some(last) = &self.plain {
            if last.get().elapsed() >= Duration::from_secs(5) {
                last.set(Instant::now());
                let pct = (bytes * 100).checked_div(self.total).unwrap_or(100);
                eprintln!("ingest: {} {pct}% ({records} records stored)", self.name);
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
