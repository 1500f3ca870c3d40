-- Author aggregates as narrow numeric columns (the ingest budget of issue
-- 11): every batch rewrites the rows of the authors it saw, and most authors
-- speak once, so the row is kept small and only authors with a class (two
-- signals or more) are in the ranking index. The author's latest month is
-- kept in the same row (period, p_*); earlier months move to
-- advocacy_periods, which holds only the four counts a period's class rests
-- on. The JSON of 0009 is converted; migrated authors start with no latest
-- month, so their next signal reads its month from advocacy_periods.

CREATE TABLE advocacy_authors_v2 (
    brand             TEXT NOT NULL,
    author            TEXT NOT NULL,
    signals           INTEGER NOT NULL,
    positive          INTEGER NOT NULL,
    negative          INTEGER NOT NULL,
    complaints        INTEGER NOT NULL,
    churn             INTEGER NOT NULL,
    praise            INTEGER NOT NULL,
    recommends        INTEGER NOT NULL,
    experience_sum    REAL NOT NULL,
    followers         INTEGER NOT NULL,
    positive_days     INTEGER NOT NULL,
    last_positive_day INTEGER,
    first_at          INTEGER,
    last_at           INTEGER,
    class             TEXT NOT NULL,
    base_score        REAL NOT NULL,
    period            TEXT,
    p_signals         INTEGER NOT NULL DEFAULT 0,
    p_positive        INTEGER NOT NULL DEFAULT 0,
    p_negative        INTEGER NOT NULL DEFAULT 0,
    p_churn           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (brand, author)
) WITHOUT ROWID;

INSERT INTO advocacy_authors_v2 (brand, author, signals, positive, negative, complaints, churn,
    praise, recommends, experience_sum, followers, positive_days, last_positive_day, first_at,
    last_at, class, base_score)
SELECT brand, author,
    json_extract(aggregate, '$.signals'), json_extract(aggregate, '$.positive'),
    json_extract(aggregate, '$.negative'), json_extract(aggregate, '$.complaints'),
    json_extract(aggregate, '$.churn'), json_extract(aggregate, '$.praise'),
    json_extract(aggregate, '$.recommends'), json_extract(aggregate, '$.experience_sum'),
    json_extract(aggregate, '$.followers'), json_extract(aggregate, '$.positive_days'),
    json_extract(aggregate, '$.last_positive_day'),
    CAST(strftime('%s', json_extract(aggregate, '$.first_at')) AS INTEGER),
    CAST(strftime('%s', json_extract(aggregate, '$.last_at')) AS INTEGER),
    class, base_score
FROM advocacy_authors;

CREATE TABLE advocacy_periods_v2 (
    brand    TEXT NOT NULL,
    period   TEXT NOT NULL,
    author   TEXT NOT NULL,
    signals  INTEGER NOT NULL,
    positive INTEGER NOT NULL,
    negative INTEGER NOT NULL,
    churn    INTEGER NOT NULL,
    PRIMARY KEY (brand, period, author)
) WITHOUT ROWID;

INSERT INTO advocacy_periods_v2 (brand, period, author, signals, positive, negative, churn)
SELECT brand, period, author,
    json_extract(aggregate, '$.signals'), json_extract(aggregate, '$.positive'),
    json_extract(aggregate, '$.negative'), json_extract(aggregate, '$.churn')
FROM advocacy_periods;

DROP TABLE advocacy_authors;
DROP TABLE advocacy_periods;
ALTER TABLE advocacy_authors_v2 RENAME TO advocacy_authors;
ALTER TABLE advocacy_periods_v2 RENAME TO advocacy_periods;

-- The ranking reads the top (or bottom) of a brand, or of all brands, among
-- authors with a class.
CREATE INDEX advocacy_authors_rank ON advocacy_authors (brand, base_score) WHERE signals >= 2;
CREATE INDEX advocacy_authors_score ON advocacy_authors (base_score) WHERE signals >= 2;
