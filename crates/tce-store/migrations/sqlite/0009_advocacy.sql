-- Advocacy and ideas (issue 13): per-author aggregates kept on ingest, the
-- net-advocacy counters per brand and month, idea clusters with their
-- suggestions and events, moments of truth. Times are unix seconds; months
-- are their first day as YYYY-MM-DD.

-- One row per (brand, author): the running aggregate (JSON, tce_advocacy's
-- AuthorAggregate), its class and its score without recency, indexed so the
-- Advocates page reads the top of a brand without a scan.
CREATE TABLE advocacy_authors (
    brand      TEXT NOT NULL,
    author     TEXT NOT NULL,
    class      TEXT NOT NULL,
    base_score REAL NOT NULL,
    signals    INTEGER NOT NULL,
    aggregate  TEXT NOT NULL,
    PRIMARY KEY (brand, author)
) WITHOUT ROWID;
CREATE INDEX advocacy_authors_rank ON advocacy_authors (brand, base_score);
CREATE INDEX advocacy_authors_score ON advocacy_authors (base_score);

-- The same per month, for net advocacy in that month.
CREATE TABLE advocacy_periods (
    brand     TEXT NOT NULL,
    period    TEXT NOT NULL,
    author    TEXT NOT NULL,
    aggregate TEXT NOT NULL,
    PRIMARY KEY (brand, period, author)
) WITHOUT ROWID;

-- Counters kept in step with advocacy_periods' classes.
CREATE TABLE advocacy_net (
    brand      TEXT NOT NULL,
    period     TEXT NOT NULL,
    eligible   INTEGER NOT NULL DEFAULT 0,
    advocates  INTEGER NOT NULL DEFAULT 0,
    detractors INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (brand, period)
) WITHOUT ROWID;

CREATE TABLE ideas (
    id            INTEGER PRIMARY KEY,
    brand         TEXT NOT NULL,
    own           INTEGER NOT NULL,
    label         TEXT NOT NULL,
    centroid      TEXT NOT NULL,
    volume        INTEGER NOT NULL,
    reach         INTEGER NOT NULL,
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    sentiment_sum REAL NOT NULL,
    touchpoints   TEXT NOT NULL,
    rep_channel   TEXT NOT NULL,
    rep_id        TEXT NOT NULL,
    rep_text      TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'new',
    shipped_at    INTEGER,
    merged_into   INTEGER,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ideas_brand ON ideas (brand) WHERE merged_into IS NULL;
CREATE INDEX ideas_volume ON ideas (volume) WHERE merged_into IS NULL;

CREATE TABLE idea_signals (
    channel     TEXT NOT NULL,
    external_id TEXT NOT NULL,
    idea_id     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    terms       TEXT NOT NULL,
    PRIMARY KEY (channel, external_id)
) WITHOUT ROWID;
CREATE INDEX idea_signals_idea ON idea_signals (idea_id, at);

CREATE TABLE idea_events (
    id          INTEGER PRIMARY KEY,
    idea_id     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    note        TEXT,
    other_idea  INTEGER
);
CREATE INDEX idea_events_idea ON idea_events (idea_id, id);

CREATE TABLE moments (
    id              INTEGER PRIMARY KEY,
    brand           TEXT NOT NULL,
    author          TEXT NOT NULL,
    channel         TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    kind            TEXT NOT NULL,
    case_id         INTEGER,
    department      TEXT NOT NULL,
    text            TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    closed_at       INTEGER,
    shared_channel  TEXT,
    shared_id       TEXT,
    UNIQUE (channel, external_id)
);
CREATE UNIQUE INDEX moments_case ON moments (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX moments_open ON moments (brand, author) WHERE status IN ('new', 'sent');
CREATE INDEX moments_created ON moments (created_at);
