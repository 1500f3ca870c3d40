-- tce SQLite schema, version 4: survey answers.
-- A survey answer is a signal with an overall rating and at least one stage
-- rating. Survey key drivers read every answer with its stage ratings; kept
-- here, next to nothing else, that read is a scan of a small table instead
-- of a lookup per answer into the signals table (whose pages hold the texts).
-- Written in the same transaction as the signal.
CREATE TABLE survey_answers (
    signal_id    INTEGER PRIMARY KEY,   -- signals.id
    brand        TEXT,
    created_at   INTEGER NOT NULL,
    channel      TEXT    NOT NULL,
    rating       REAL    NOT NULL,
    rating_scale TEXT    NOT NULL
);

INSERT INTO survey_answers (signal_id, brand, created_at, channel, rating, rating_scale)
SELECT id, brand, created_at, channel, rating, rating_scale
FROM signals
WHERE rating IS NOT NULL
  AND id IN (SELECT DISTINCT signal_id FROM signal_stage_ratings);
