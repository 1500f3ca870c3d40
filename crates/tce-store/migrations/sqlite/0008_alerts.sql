-- Early warning (DESIGN C8, issue 12): the detector's state per series, the
-- alerts it raised with their event log, webhooks and the delivery outbox.
-- Times are unix seconds (UTC).

-- One row per detector × series: the serialised `tce_alert::SeriesState`
-- (bounded: the seasonal profile, level, dispersion, open buckets and the
-- incident state, never the history). '' for no stage / no touchpoint.
CREATE TABLE alert_series (
    detector   TEXT NOT NULL,
    brand      TEXT NOT NULL,
    stage      TEXT NOT NULL,
    touchpoint TEXT NOT NULL,
    state      TEXT NOT NULL,
    PRIMARY KEY (detector, brand, stage, touchpoint)
) WITHOUT ROWID;

-- An alert: one incident, seen on one or more series (a touchpoint, its stage,
-- its brand), routed by its most specific series. `active` while an incident
-- of it is open; `status` is the people's (open, acknowledged, resolved).
-- `detail` holds the members, example signals and emerging terms as JSON.
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    scope           TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    brand           TEXT    NOT NULL,
    stage           TEXT,
    touchpoint      TEXT,
    department      TEXT,
    window_start    INTEGER NOT NULL,
    window_end      INTEGER NOT NULL,
    span_secs       INTEGER NOT NULL,
    observed        INTEGER NOT NULL,
    expected        REAL    NOT NULL,
    interval_low    INTEGER NOT NULL,
    interval_high   INTEGER NOT NULL,
    p_value         REAL    NOT NULL,
    severity        INTEGER NOT NULL,
    active          INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    opened_at       INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    acknowledged_by TEXT,
    acknowledged_at INTEGER,
    resolved_by     TEXT,
    resolved_at     INTEGER,
    version         INTEGER NOT NULL,
    detail          TEXT    NOT NULL
);
CREATE INDEX alerts_active ON alerts (brand) WHERE active = 1;
CREATE INDEX alerts_recent ON alerts (window_start);

-- What happened to an alert, append-only: opened, updated, closed by the
-- detector (with the bucket's evidence), acknowledged and resolved by people.
CREATE TABLE alert_events (
    id            INTEGER PRIMARY KEY,
    alert_id      INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    change        TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    bucket_start  INTEGER,
    bucket_end    INTEGER,
    observed      INTEGER,
    expected      REAL,
    interval_low  INTEGER,
    interval_high INTEGER,
    p_value       REAL,
    severity      INTEGER
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, id);

-- Webhook endpoints: one department's, or every department's (department NULL).
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    department TEXT,
    url        TEXT    NOT NULL,
    secret     TEXT    NOT NULL,
    slack      INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- The outbox: written in the transaction of the change that caused it,
-- delivered (and retried, and dead-lettered) by a loop outside it. The same
-- message id on every attempt: receivers dedupe on it.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL,
    message_id      TEXT    NOT NULL UNIQUE,
    event_type      TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
