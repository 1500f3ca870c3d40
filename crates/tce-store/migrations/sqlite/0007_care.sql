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
-- department's active cases, all active cases, every case. The partial ones
-- serve the usual queue (active cases) however many closed cases pile up; a
-- query uses them when it says the same `status IN (...)` literally
-- (tce-store writes it so). A department's cases in any status walk
-- cases_order. Every index here is paid for on every case written at
-- ingest, so there is none that no read needs.
CREATE INDEX cases_queue ON cases (department, priority, breach_at, id)
    WHERE status IN ('new', 'open', 'pending');
CREATE INDEX cases_active_order ON cases (priority, breach_at, id)
    WHERE status IN ('new', 'open', 'pending');
CREATE INDEX cases_order ON cases (priority, breach_at, id);
-- Housekeeping (the sweep): answered cases whose customer went quiet, and
-- resolved cases. Both sets stay small: the sweep itself moves them on.
CREATE INDEX cases_answered ON cases (last_customer_at)
    WHERE status IN ('new', 'open') AND first_response_at IS NOT NULL;
CREATE INDEX cases_resolved ON cases (resolved_at) WHERE status = 'resolved';

-- The backlog (active cases) by group and opening day, kept by tce-store as
-- it writes cases (not by triggers: a trigger makes every case write keep a
-- statement journal), so the Overview and the Care page count it without
-- reading the cases.
CREATE TABLE care_backlog (
    department TEXT    NOT NULL,
    brand      TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    priority   TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    opened_day TEXT    NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (department, brand, channel, kind, priority, status, opened_day)
) WITHOUT ROWID;

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
    id               INTEGER PRIMARY KEY,
    case_id          INTEGER NOT NULL,
    at               INTEGER NOT NULL,
    actor            TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    department       TEXT    NOT NULL,
    brand            TEXT    NOT NULL,
    channel          TEXT    NOT NULL,
    priority         TEXT    NOT NULL,
    wall_secs        INTEGER,
    business_secs    INTEGER,
    within_sla       INTEGER,
    sentiment        REAL,
    -- A customer message that came while the case was resolved.
    after_resolution INTEGER NOT NULL DEFAULT 0,
    data             TEXT    NOT NULL
);

CREATE INDEX case_events_case ON case_events (case_id, id);
-- First responses and resolutions with their durations, by time: what
-- percentiles read (covering, so they never touch the rows).
CREATE INDEX case_events_timing ON case_events
    (at, kind, department, brand, channel, wall_secs, business_secs, within_sla)
    WHERE wall_secs IS NOT NULL;

-- Counts of the other metric events per UTC day × department × brand ×
-- channel, kept as events are appended: opened cases, responses (contacts),
-- re-openings, and the customer's first message after a resolution with its
-- sentiment (positive: above 0.05).
CREATE TABLE care_daily (
    day           TEXT    NOT NULL,
    department    TEXT    NOT NULL,
    brand         TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    opened        INTEGER NOT NULL,
    responses     INTEGER NOT NULL,
    reopened      INTEGER NOT NULL,
    after_n       INTEGER NOT NULL,
    after_sum     REAL    NOT NULL,
    after_pos     INTEGER NOT NULL,
    PRIMARY KEY (day, department, brand, channel)
) WITHOUT ROWID;
