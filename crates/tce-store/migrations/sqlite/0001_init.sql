-- tce SQLite schema, version 1: signals with their enrichment, daily rollups, outcomes.
-- Applied once by tce-store (PRAGMA user_version tracks the version); never edit
-- an applied migration, add the next file instead.

-- One row per signal. `brand` is the effective brand (given by the source, else
-- detected); `brand_detected` is 1 when the source gave none. Times are unix
-- seconds (UTC). Stable ids (`rating_scale`, `sentiment_label`) are the ones of
-- tce-model. `intents` is "intent:confidence" pairs joined by commas, e.g.
-- "complaint:0.82,churn_risk:0.4" ('' when none).
CREATE TABLE signals (
    id               INTEGER PRIMARY KEY,
    channel          TEXT    NOT NULL,
    external_id      TEXT    NOT NULL,
    brand            TEXT,
    brand_detected   INTEGER NOT NULL DEFAULT 0,
    author           TEXT,
    author_followers INTEGER,
    created_at       INTEGER NOT NULL,
    text             TEXT    NOT NULL,
    rating           REAL,
    rating_scale     TEXT,
    in_reply_to      TEXT,
    url              TEXT,
    lang             TEXT,
    engine           TEXT    NOT NULL,
    sentiment        REAL    NOT NULL,
    sentiment_label  TEXT    NOT NULL,
    experience_value REAL    NOT NULL,
    priority         REAL    NOT NULL,
    intents          TEXT    NOT NULL DEFAULT '',
    UNIQUE (channel, external_id)
);

-- Newest-first listing: keyset pagination on (created_at, id) walks this
-- index (its entries are (created_at, rowid)). Every index costs ingest
-- time, so the other filters are checked row by row while walking it.
CREATE INDEX signals_created ON signals (created_at);

-- Touchpoints a signal speaks about, in enrichment order (position 0, 1, …).
-- Signals are inserted in id order, so every insert is an append.
CREATE TABLE signal_touchpoints (
    signal_id  INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    touchpoint TEXT    NOT NULL,
    stage      TEXT    NOT NULL,
    confidence REAL    NOT NULL,
    PRIMARY KEY (signal_id, position)
) WITHOUT ROWID;

-- Per-stage ratings of survey answers.
CREATE TABLE signal_stage_ratings (
    signal_id INTEGER NOT NULL,
    stage     TEXT    NOT NULL,
    value     REAL    NOT NULL,
    scale     TEXT    NOT NULL,
    PRIMARY KEY (signal_id, stage)
) WITHOUT ROWID;

-- Additive aggregates per UTC day ('YYYY-MM-DD') × brand × touchpoint × channel,
-- updated in the transaction that inserts the signals. touchpoint = '' and
-- stage = '' is the day's total (every signal once); brand 'unknown' when none.
-- The value columns are never NULL but carry no NOT NULL on purpose: an
-- upsert that could fail on one needs a statement journal, which measured
-- 8-10% of ingest time.
CREATE TABLE rollup_daily (
    day        TEXT    NOT NULL,
    brand      TEXT    NOT NULL,
    touchpoint TEXT    NOT NULL,
    stage      TEXT,
    channel    TEXT    NOT NULL,
    n          INTEGER,
    sum_ev     REAL,
    sum_ev2    REAL,
    positive   INTEGER,
    neutral    INTEGER,
    negative   INTEGER,
    reach      INTEGER,
    complaints INTEGER,
    rated      INTEGER,
    PRIMARY KEY (day, brand, touchpoint, channel)
) WITHOUT ROWID;

-- Business outcomes per period and brand (financial linkage).
CREATE TABLE outcomes (
    period_start  TEXT NOT NULL,
    brand         TEXT NOT NULL,
    revenue       REAL NOT NULL,
    customers     REAL,
    return_visits REAL,
    PRIMARY KEY (period_start, brand)
) WITHOUT ROWID;
