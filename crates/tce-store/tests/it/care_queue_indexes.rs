//! Migration 0014: the active-queue indexes of cases say their condition
//! with two constants, so writing a case builds no temporary b-tree, and
//! the queue reads still use them.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use tce_care::Status;
use tce_store::{BacklogGroup, CaseQuery, SqliteStore, Store};

const INSERT: &str = "INSERT INTO cases (id, kind, brand, channel, author, department, \
     touchpoint, status, priority, assignee, opened_at, last_customer_at, first_response_at, \
     resolved_at, closed_at, breach_at, version, detail) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

const UPDATE: &str = "UPDATE cases SET department = ?2, touchpoint = ?3, status = ?4, \
     priority = ?5, assignee = ?6, last_customer_at = ?7, first_response_at = ?8, \
     resolved_at = ?9, closed_at = ?10, breach_at = ?11, version = ?12, detail = ?13 \
     WHERE id = ?1 AND version = ?14";

fn index_sql(conn: &Connection, name: &str) -> String {
    conn.query_row(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
        [name],
        |r| r.get(0),
    )
    .expect("index")
}

fn ephemeral_tables(conn: &Connection, sql: &str) -> usize {
    let mut stmt = conn.prepare(&format!("EXPLAIN {sql}")).expect("explain");
    let unbound = vec![rusqlite::types::Null; stmt.parameter_count()];
    let ops: Vec<String> = stmt
        .query_map(rusqlite::params_from_iter(unbound), |r| {
            r.get::<_, String>(1)
        })
        .expect("ops")
        .collect::<Result<_, _>>()
        .expect("ops");
    ops.iter().filter(|op| *op == "OpenEphemeral").count()
}

fn check_indexes(store: &SqliteStore) {
    let conn = store.connection();
    for name in ["cases_queue", "cases_active_order"] {
        let sql = index_sql(conn, name);
        assert!(
            sql.contains("WHERE status NOT IN ('resolved', 'closed')"),
            "{name}: {sql}"
        );
    }
    assert_eq!(ephemeral_tables(conn, INSERT), 0, "a case insert");
    assert_eq!(ephemeral_tables(conn, UPDATE), 0, "a case update");
}

fn check_queue_reads(store: &SqliteStore) {
    let now: DateTime<Utc> = DateTime::from_timestamp(1_770_000_000, 0).expect("time");
    let active = CaseQuery {
        statuses: vec![Status::New, Status::Open, Status::Pending],
        ..CaseQuery::default()
    };
    assert!(store.cases(&active).expect("active queue").items.is_empty());
    let department = CaseQuery {
        departments: Some(vec!["support".into()]),
        statuses: vec![Status::Open],
        ..CaseQuery::default()
    };
    assert!(store
        .cases(&department)
        .expect("a department's queue")
        .items
        .is_empty());
    // The backlog reads `INDEXED BY cases_active_order`: an index its
    // condition cannot use is an error.
    for by in [
        BacklogGroup::Department,
        BacklogGroup::Brand,
        BacklogGroup::Channel,
    ] {
        assert!(store
            .care_backlog(now, by, None)
            .expect("backlog")
            .is_empty());
    }
    // The queue's own query walks the partial indexes.
    let plan = |sql: &str| -> String {
        let mut stmt = store
            .connection()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("plan");
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<Result<_, _>>()
            .expect("plan");
        rows.join("; ")
    };
    let p = plan(
        "SELECT id FROM cases WHERE 1 = 1 AND status NOT IN ('resolved', 'closed') \
         AND status IN ('new', 'open', 'pending') ORDER BY priority, breach_at, id LIMIT 51",
    );
    assert!(p.contains("cases_active_order"), "{p}");
    let p = plan(
        "SELECT id FROM cases WHERE 1 = 1 AND department IN ('support') \
         AND status NOT IN ('resolved', 'closed') AND status IN ('open') \
         ORDER BY priority, breach_at, id LIMIT 51",
    );
    assert!(p.contains("cases_queue"), "{p}");
}

#[test]
fn a_new_store_has_the_two_constant_queue_indexes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("tce.db")).expect("open");
    check_indexes(&store);
    check_queue_reads(&store);
    let memory = SqliteStore::open_in_memory().expect("memory");
    check_indexes(&memory);
    check_queue_reads(&memory);
}

#[test]
fn an_existing_store_is_migrated_to_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tce.db");
    let store = SqliteStore::open(&path).expect("open");
    // Back to the indexes of 0007, as a workspace made before 0014 has them
    // (and without the table of 0015).
    store
        .connection()
        .execute_batch(
            "DROP TABLE care_timing_daily; \
             DROP INDEX cases_queue; DROP INDEX cases_active_order; \
             CREATE INDEX cases_queue ON cases (department, priority, breach_at, id) \
                 WHERE status IN ('new', 'open', 'pending'); \
             CREATE INDEX cases_active_order ON cases (priority, breach_at, id) \
                 WHERE status IN ('new', 'open', 'pending'); \
             PRAGMA user_version = 13;",
        )
        .expect("back to the 0007 indexes");
    assert!(ephemeral_tables(store.connection(), INSERT) > 0);
    drop(store);
    let store = SqliteStore::open(&path).expect("migrate");
    let version: i64 = store
        .connection()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, SqliteStore::schema_version());
    check_indexes(&store);
    check_queue_reads(&store);
}
