-- Care cases (DESIGN C7): a case per own-brand complaint, question, churn
-- threat or lead, its thread of ingested messages, and the append-only log of
-- every change, from which metrics and the audit trail are read.
--
-- Posts by a brand's own handles (care replies) are stored for the threads
-- but are not customer evidence: no rollup counts them.
ALTER TABLE signals ADD COLUMN brand_post INTEGER NOT NULL DEFAULT 0;

-- Times are unix seconds (UTC). `detail` holds the rest of the case as JSON
-- (routing reason, priority score and factors, SLA clocks); the columns are
-- what lists filter and sort on.
CREATE TABLE cases (
    id                INTEGER PRIMARY KEY,
    kind              TEXT    NOT NULL,
    brand             TEXT    NOT NULL,
    channel           TEXT    NOT NULL,
    author            TEXT,
    department        TEXT    NOT NULL,
    touchpoint        TEXT,
    status            TEXT    NOT NULL,
    priority          TEXT    NOT NULL,
    assignee          TEXT,
    opened_at         INTEGER NOT NULL,
    last_customer_at  INTEGER NOT NULL,
    first_response_at INTEGER,
    resolved_at       INTEGER,
    closed_at         INTEGER,
    -- When an SLA clock is (or will be, if nothing changes) in breach;
    -- i64::MAX when neither will. Queues sort on it.
    breach_at         INTEGER NOT NULL,
    version           INTEGER NOT NULL,
    detail            TEXT    NOT NULL
);

-- A follow-up's candidates: the not-closed cases of the same author.
CREATE INDEX cases_author ON cases (author, channel) WHERE status <> 'closed';
-- Queues, in queue order (priority, then SLA breach, then id): a
-- department's active cases, all active cases, a department's cases, every
-- case. The partial ones serve the usual queue (active cases) however many
-- closed cases pile up; a query uses them when it says the same `status IN
-- (...)` literally (tce-store writes it so).
CREATE INDEX cases_queue ON cases (department, priority, breach_at, id)
    WHERE status IN ('new', 'open', 'pending');
CREATE INDEX cases_active_order ON cases (priority, breach_at, id)
    WHERE status IN ('new', 'open', 'pending');
CREATE INDEX cases_department_order ON cases (department, priority, breach_at, id);
CREATE INDEX cases_order ON cases (priority, breach_at, id);
-- Housekeeping by status.
CREATE INDEX cases_status ON cases (status, opened_at);
-- Retention deletes by opening time.
CREATE INDEX cases_opened ON cases (opened_at);

-- The ingested messages of a case's thread, in the order they joined.
CREATE TABLE case_messages (
    case_id      INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    channel      TEXT    NOT NULL,
    external_id  TEXT    NOT NULL,
    party        TEXT    NOT NULL,
    author       TEXT,
    at           INTEGER NOT NULL,
    sentiment    REAL,
    needs_action INTEGER NOT NULL,
    PRIMARY KEY (case_id, position)
) WITHOUT ROWID;

-- A reply's case: which case holds the message it replies to.
CREATE INDEX case_messages_signal ON case_messages (channel, external_id);

-- Append-only: one row per change. department, brand and channel are the
-- case's at the time, so metrics group without joining; wall/business
-- seconds and within_sla are set on first_response and resolved events.
CREATE TABLE case_events (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    actor         TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    department    TEXT    NOT NULL,
    brand         TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    priority      TEXT    NOT NULL,
    wall_secs     INTEGER,
    business_secs INTEGER,
    within_sla    INTEGER,
    sentiment     REAL,
    data          TEXT    NOT NULL
);

CREATE INDEX case_events_case ON case_events (case_id, id);
CREATE INDEX case_events_kind ON case_events (kind, at);
