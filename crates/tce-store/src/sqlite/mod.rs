//! The embedded store: one SQLite file in WAL mode.
//!
//! Opening sets the connection up for bulk ingest (WAL, `synchronous=NORMAL`,
//! a large page cache, temporary tables in memory) and applies the embedded
//! migrations (`migrations/sqlite/*.sql`) the file has not seen yet, tracked
//! by `PRAGMA user_version`. A file from a newer tce is refused.
//!
//! Durability: a committed batch survives the process being killed; with
//! `synchronous=NORMAL` in WAL mode a power loss may roll back the last
//! commits, but never corrupts the file.

mod advocacy;
mod alerts;
mod assessments;
mod care;
mod migrate;
mod read;
mod tokens;
mod write;

use crate::{
    Alert, AlertEventRow, AlertObservation, AlertQuery, BacklogGroup, BacklogRow, BucketCount,
    CareDailyRow, CareEventQuery, CareEventRow, CareTimingDay, CasePage, CaseQuery, Delivery,
    DeliveryAttempt, DeliveryStatus, Derive, DeriveCursor, InsertSummary, Inserted, NewAlertEvent,
    NewAssessment, NewDelivery, NewToken, OutcomeRow, PurgeSummary, RatingFilter, RatingRow,
    RollupFilter, RollupRow, SeriesKey, SeriesState, SignalPage, SignalQuery, Stats, Store,
    StoreError, StoredAssessment, StoredCaseEvent, StoredSignal, SurveyResponse, TokenRecord,
    Webhook,
};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tce_care::{Case, CaseEvent, CaseId};
use tce_model::EnrichedSignal;

/// The first row of a lookup by key, read by `read`; `None` when there is
/// none. (rusqlite's `query_row(..).optional()` wants a reader returning
/// rusqlite's error; row readers here return [`StoreError`].)
fn first_row<T>(
    stmt: &mut rusqlite::Statement<'_>,
    params: impl rusqlite::Params,
    read: impl FnOnce(&rusqlite::Row<'_>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    stmt.query(params)?.next()?.map(read).transpose()
}

/// Page size of new databases: for the text-heavy signals table, larger
/// pages mean fewer page splits and fewer WAL frames per batch (16 KiB
/// measured faster than 4 and 8 KiB and as fast as 32 KiB).
const PAGE_SIZE: i64 = 16 * 1024;
/// Page cache per connection, in KiB (negative `cache_size`): enough to keep
/// the indexes of several million signals hot while ingesting.
const CACHE_KIB: i64 = 256 * 1024;
/// Pages in the WAL before the writer checkpoints (128 MiB): fewer, larger
/// checkpoints during bulk ingest, each of which syncs the file twice. (A
/// checkpoint thread of its own measured slower on two busy cores.)
const WAL_AUTOCHECKPOINT_PAGES: i64 = 8192;
/// Size the WAL file is truncated back to after a checkpoint reset it.
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;
/// How long to wait for another process's write transaction.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The SQLite implementation of [`Store`].
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens the database at `path`, creating it if needed, and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::setup(conn, path.to_path_buf(), true)
    }

    /// Opens a fresh private in-memory database (for tests and one-off runs).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        Self::setup(conn, path, false)
    }

    fn setup(mut conn: Connection, path: PathBuf, file: bool) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // Only takes effect on a new, empty file; must precede WAL mode.
        conn.pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(open_err)?;
        if file {
            // Returns the new mode as a row, hence query_row.
            conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
                .map_err(open_err)?;
            conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)
                .map_err(open_err)?;
            conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)
                .map_err(open_err)?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)
            .map_err(open_err)?;
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(open_err)?;
        conn.set_prepared_statement_cache_capacity(64);
        migrate::migrate(&mut conn, &path)?;
        Ok(SqliteStore { conn, path })
    }

    /// The database file (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The newest schema version this build knows.
    pub fn schema_version() -> i64 {
        migrate::LATEST
    }

    /// The underlying connection, for tests that check the store against
    /// plain SQL. Not part of the stable API.
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

impl Store for SqliteStore {
    fn insert_with(
        &mut self,
        signals: &[EnrichedSignal],
        lens: &[usize],
        derive: &mut dyn Derive,
    ) -> Result<Vec<InsertSummary>, StoreError> {
        write::insert_grouped(
            &mut self.conn,
            signals,
            lens,
            write::Derivation::Now(derive),
        )
        .map(|done| done.parts)
    }

    fn insert_pending(
        &mut self,
        signals: &[EnrichedSignal],
        lens: &[usize],
    ) -> Result<Inserted, StoreError> {
        write::insert_grouped(&mut self.conn, signals, lens, write::Derivation::Later)
    }

    fn derive_cursor(&self) -> Result<DeriveCursor, StoreError> {
        let (upto, last) = write::cursor(&self.conn)?;
        Ok(DeriveCursor { upto, last })
    }

    fn derive_range(
        &mut self,
        fresh: &[(i64, &EnrichedSignal)],
        derive: &mut dyn Derive,
    ) -> Result<bool, StoreError> {
        write::derive_range(&mut self.conn, fresh, derive)
    }

    fn pending_signals(&self, after: i64, limit: usize) -> Result<Vec<StoredSignal>, StoreError> {
        read::signals_after(&self.conn, after, limit)
    }

    fn purge_before(&mut self, cutoff: NaiveDate) -> Result<PurgeSummary, StoreError> {
        write::purge_before(&mut self.conn, cutoff)
    }

    fn secret_or_insert(&mut self, name: &str, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT OR IGNORE INTO secrets (name, value) VALUES (?1, ?2)",
            rusqlite::params![name, candidate],
        )?;
        let value: Vec<u8> =
            tx.query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| {
                r.get(0)
            })?;
        tx.commit()?;
        Ok(value)
    }

    fn count_before(&self, cutoff: NaiveDate) -> Result<u64, StoreError> {
        read::count_before(&self.conn, cutoff)
    }

    fn stats(&self) -> Result<Stats, StoreError> {
        read::stats(&self.conn)
    }

    fn signal_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM signals")?
            .query_row([], |r| r.get(0))?;
        Ok(read::to_u64(n))
    }

    fn rollups(&self, filter: &RollupFilter) -> Result<Vec<RollupRow>, StoreError> {
        read::rollups(&self.conn, filter)
    }

    fn monthly_rollups(&self, filter: &RollupFilter) -> Result<Vec<RollupRow>, StoreError> {
        read::monthly_rollups(&self.conn, filter)
    }

    fn rating_rollups(&self, filter: &RatingFilter) -> Result<Vec<RatingRow>, StoreError> {
        read::rating_rollups(&self.conn, filter)
    }

    fn signals(&self, query: &SignalQuery) -> Result<SignalPage, StoreError> {
        read::signals(&self.conn, query)
    }

    fn signals_by_ref(&self, refs: &[(String, String)]) -> Result<Vec<StoredSignal>, StoreError> {
        read::signals_by_ref(&self.conn, refs)
    }

    fn survey_responses(&self, brand: Option<&str>) -> Result<Vec<SurveyResponse>, StoreError> {
        read::survey_responses(&self.conn, brand)
    }

    fn insert_outcomes(&mut self, rows: &[OutcomeRow]) -> Result<u64, StoreError> {
        write::insert_outcomes(&mut self.conn, rows)
    }

    fn outcomes(&self) -> Result<Vec<OutcomeRow>, StoreError> {
        read::outcomes(&self.conn)
    }

    fn create_token(&mut self, token: &NewToken) -> Result<i64, StoreError> {
        tokens::create(&self.conn, token)
    }

    fn token_by_hash(&self, hash: &[u8; 32]) -> Result<Option<TokenRecord>, StoreError> {
        tokens::by_hash(&self.conn, hash)
    }

    fn list_tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        tokens::list(&self.conn)
    }

    fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError> {
        care::case(&self.conn, id)
    }

    fn cases(&self, query: &CaseQuery) -> Result<CasePage, StoreError> {
        care::cases(&self.conn, query)
    }

    fn case_events(&self, id: CaseId) -> Result<Vec<StoredCaseEvent>, StoreError> {
        care::case_events(&self.conn, id)
    }

    fn update_case(
        &mut self,
        case: &Case,
        expected_version: u64,
        events: &[CaseEvent],
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut daily = care::CareAggregates::default();
        care::update_case(&tx, case, expected_version, events, &mut daily)?;
        daily.flush(&tx)?;
        tx.commit()?;
        Ok(())
    }

    fn update_cases(
        &mut self,
        changes: &[(Case, u64, Vec<CaseEvent>)],
    ) -> Result<Vec<bool>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut applied = Vec::with_capacity(changes.len());
        let mut daily = care::CareAggregates::default();
        for (case, expected, events) in changes {
            match care::update_case(&tx, case, *expected, events, &mut daily) {
                Ok(()) => applied.push(true),
                Err(StoreError::StaleCase { .. } | StoreError::NoSuchCase(_)) => {
                    applied.push(false)
                }
                Err(e) => return Err(e),
            }
        }
        daily.flush(&tx)?;
        tx.commit()?;
        Ok(applied)
    }

    fn care_events(&self, query: &CareEventQuery) -> Result<Vec<CareEventRow>, StoreError> {
        care::care_events(&self.conn, query)
    }

    fn care_daily(&self, query: &CareEventQuery) -> Result<Vec<CareDailyRow>, StoreError> {
        care::care_daily(&self.conn, query)
    }

    fn care_last_day(&self) -> Result<Option<NaiveDate>, StoreError> {
        care::care_last_day(&self.conn)
    }

    fn care_timing_days(&self, query: &CareEventQuery) -> Result<Vec<CareTimingDay>, StoreError> {
        care::care_timing_days(&self.conn, query)
    }

    fn care_backlog(
        &self,
        now: DateTime<Utc>,
        by: BacklogGroup,
        departments: Option<&[String]>,
    ) -> Result<Vec<BacklogRow>, StoreError> {
        care::backlog(&self.conn, now, by, departments)
    }

    fn sweep_candidates(
        &self,
        answered_before: DateTime<Utc>,
        resolved_before: DateTime<Utc>,
    ) -> Result<Vec<CaseId>, StoreError> {
        care::sweep_candidates(&self.conn, answered_before, resolved_before)
    }

    fn cases_by_id(&self, ids: &[CaseId]) -> Result<Vec<Case>, StoreError> {
        care::cases_by_id(&self.conn, ids)
    }

    fn revoke_token(&mut self, id: i64, at: DateTime<Utc>) -> Result<bool, StoreError> {
        tokens::revoke(&self.conn, id, at)
    }

    fn insert_assessment(&mut self, assessment: &NewAssessment) -> Result<i64, StoreError> {
        assessments::insert(&self.conn, assessment)
    }

    fn assessments(&self) -> Result<Vec<StoredAssessment>, StoreError> {
        assessments::list(&self.conn)
    }

    fn latest_assessment(&self) -> Result<Option<StoredAssessment>, StoreError> {
        assessments::latest(&self.conn)
    }

    fn advocates(&self, query: &crate::AdvocateQuery) -> Result<Vec<crate::AuthorRow>, StoreError> {
        advocacy::advocates(&self.conn, query)
    }

    fn author_standing(
        &self,
        brand: &str,
        author: &str,
    ) -> Result<Option<tce_advocacy::AuthorAggregate>, StoreError> {
        advocacy::author(&self.conn, brand, author)
    }

    fn net_advocacy(&self, brand: Option<&str>) -> Result<Vec<crate::NetRow>, StoreError> {
        advocacy::net_advocacy(&self.conn, brand)
    }

    fn ideas(&self, query: &crate::IdeaQuery) -> Result<Vec<crate::Idea>, StoreError> {
        advocacy::ideas(&self.conn, query)
    }

    fn idea(&self, id: i64) -> Result<Option<crate::Idea>, StoreError> {
        advocacy::idea_by_id(&self.conn, id)
    }

    fn idea_signals(&self, id: i64, limit: usize) -> Result<Vec<crate::IdeaSignal>, StoreError> {
        advocacy::idea_signals(&self.conn, id, limit)
    }

    fn idea_events(&self, id: i64) -> Result<Vec<crate::IdeaEvent>, StoreError> {
        advocacy::idea_events(&self.conn, id)
    }

    fn change_ideas(
        &mut self,
        ideas: &[(crate::Idea, u64)],
        events: &[crate::IdeaEvent],
        moves: &[(i64, i64)],
    ) -> Result<(), StoreError> {
        advocacy::change_ideas(&mut self.conn, ideas, events, moves)
    }

    fn split_idea(
        &mut self,
        source: &crate::Idea,
        expected_version: u64,
        part: &crate::Idea,
        signals: &[(String, String)],
        events: &[crate::IdeaEvent],
    ) -> Result<i64, StoreError> {
        advocacy::split_idea(
            &mut self.conn,
            source,
            expected_version,
            part,
            signals,
            events,
        )
    }

    fn moments(&self, query: &crate::MomentQuery) -> Result<Vec<crate::Moment>, StoreError> {
        advocacy::moments(&self.conn, query)
    }

    fn moment(&self, id: i64) -> Result<Option<crate::Moment>, StoreError> {
        advocacy::moment_by_id(&self.conn, id)
    }

    fn update_moment(
        &mut self,
        moment: &crate::Moment,
        expected: tce_advocacy::MomentStatus,
    ) -> Result<(), StoreError> {
        advocacy::update_moment(&mut self.conn, moment, expected)
    }

    fn moment_counts(&self) -> Result<Vec<crate::MomentCount>, StoreError> {
        advocacy::moment_counts(&self.conn)
    }

    fn author_class_counts(
        &self,
        class: tce_advocacy::AuthorClass,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        advocacy::author_class_counts(&self.conn, class)
    }

    fn idea_status_counts(&self) -> Result<Vec<crate::IdeaStatusCount>, StoreError> {
        advocacy::idea_status_counts(&self.conn)
    }

    fn alert(&self, id: i64) -> Result<Option<Alert>, StoreError> {
        alerts::alert(&self.conn, id)
    }

    fn alerts(&self, query: &AlertQuery) -> Result<Vec<Alert>, StoreError> {
        alerts::alerts(&self.conn, query)
    }

    fn alert_events(&self, id: i64) -> Result<Vec<AlertEventRow>, StoreError> {
        alerts::alert_events(&self.conn, id)
    }

    fn alert_responses(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<crate::AlertResponse>, StoreError> {
        alerts::alert_responses(&self.conn, from, to)
    }

    fn change_alert(
        &mut self,
        alert: &Alert,
        expected_version: u64,
        event: &NewAlertEvent,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        alerts::change_alert(&tx, alert, expected_version, event)?;
        tx.commit()?;
        Ok(())
    }

    fn series_states(&self, detector: &str) -> Result<Vec<SeriesState>, StoreError> {
        alerts::all_states(&self.conn, detector)
    }

    fn alert_observations(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        brand: Option<&str>,
        f: &mut dyn FnMut(&AlertObservation<'_>),
    ) -> Result<u64, StoreError> {
        alerts::observations(&self.conn, from, to, brand, f)
    }

    fn bucket_counts(
        &self,
        series: &SeriesKey,
        from: i64,
        to: i64,
        bucket_secs: i64,
    ) -> Result<Vec<BucketCount>, StoreError> {
        alerts::bucket_counts(&self.conn, series, from, to, bucket_secs)
    }

    fn insert_webhook(&mut self, webhook: &Webhook) -> Result<i64, StoreError> {
        alerts::insert_webhook(&self.conn, webhook)
    }

    fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        alerts::webhooks(&self.conn)
    }

    fn remove_webhook(&mut self, id: i64) -> Result<bool, StoreError> {
        alerts::remove_webhook(&self.conn, id)
    }

    fn enqueue_deliveries(&mut self, deliveries: &[NewDelivery]) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        alerts::enqueue(&tx, deliveries)?;
        tx.commit()?;
        Ok(())
    }

    fn deliveries(
        &self,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        alerts::deliveries(&self.conn, status, limit)
    }

    fn delivery(&self, id: i64) -> Result<Option<Delivery>, StoreError> {
        alerts::delivery(&self.conn, id)
    }

    fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        alerts::due_deliveries(&self.conn, now, limit)
    }

    fn next_delivery_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        alerts::next_due(&self.conn)
    }

    fn record_attempt(&mut self, attempt: &DeliveryAttempt) -> Result<(), StoreError> {
        alerts::record_attempt(&self.conn, attempt)
    }

    fn redeliver(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        alerts::redeliver(&self.conn, id, now)
    }
}
