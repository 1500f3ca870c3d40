-- tce SQLite schema, version 6: rating rollups (headline KPIs: NPS, CSAT).
-- Counts of the ratings given per UTC day × brand × stage × channel × scale,
-- updated in the transaction that inserts the signals and by purge, so NPS
-- and CSAT per brand, stage and period read a few rows instead of scanning
-- the signals. `stage` = '' holds the overall ratings (a review's stars, a
-- survey's overall answer); a survey's stage ratings go to their stage.
-- `top` counts promoters (9–10) on nps10 and the top two boxes (4–5) on the
-- five-point scales; `bottom` counts detractors (0–6) on nps10 and the bottom
-- two boxes (1–2) on the five-point scales. Value columns carry no NOT NULL
-- for the same reason as rollup_daily's.
CREATE TABLE rating_daily (
    day       TEXT NOT NULL,
    brand     TEXT NOT NULL,
    stage     TEXT NOT NULL,
    channel   TEXT NOT NULL,
    scale     TEXT NOT NULL,
    n         INTEGER,
    top       INTEGER,
    bottom    INTEGER,
    sum_value REAL,
    PRIMARY KEY (day, brand, stage, channel, scale)
) WITHOUT ROWID;

INSERT INTO rating_daily (day, brand, stage, channel, scale, n, top, bottom, sum_value)
SELECT date(created_at, 'unixepoch'), ifnull(brand, 'unknown'), '', channel, rating_scale,
       count(*),
       sum(CASE WHEN rating_scale = 'nps10' THEN rating >= 9 ELSE rating >= 4 END),
       sum(CASE WHEN rating_scale = 'nps10' THEN rating <= 6 ELSE rating <= 2 END),
       sum(rating)
FROM signals
WHERE rating IS NOT NULL AND rating_scale IS NOT NULL
GROUP BY 1, 2, 4, 5;

INSERT INTO rating_daily (day, brand, stage, channel, scale, n, top, bottom, sum_value)
SELECT date(s.created_at, 'unixepoch'), ifnull(s.brand, 'unknown'), r.stage, s.channel, r.scale,
       count(*),
       sum(CASE WHEN r.scale = 'nps10' THEN r.value >= 9 ELSE r.value >= 4 END),
       sum(CASE WHEN r.scale = 'nps10' THEN r.value <= 6 ELSE r.value <= 2 END),
       sum(r.value)
FROM signal_stage_ratings r JOIN signals s ON s.id = r.signal_id
GROUP BY 1, 2, 3, 4, 5;
