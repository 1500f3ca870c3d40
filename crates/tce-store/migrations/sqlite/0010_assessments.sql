-- tce SQLite schema: maturity assessments (issue 14).
-- Every assessment is kept with the day it was made, the serialised
-- assessment (levels, evidence, contradictions, roadmap) as JSON and the
-- answers file text it was made from; the trend across assessments reads
-- them back. Numbered 0010: 0008 and 0009 are taken by other capabilities.
CREATE TABLE assessments (
    id          INTEGER PRIMARY KEY,
    day         TEXT NOT NULL,       -- YYYY-MM-DD
    created_at  INTEGER NOT NULL,    -- unix seconds
    assessment  TEXT NOT NULL,       -- JSON
    answers     TEXT NOT NULL        -- the answers file (TOML)
);
CREATE INDEX assessments_day ON assessments (day, id);
