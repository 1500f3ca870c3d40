-- First responses and resolutions per UTC day × department × brand × channel
-- × kind, kept as events are appended (like care_daily), so the Care page's
-- percentiles read a row per cell instead of every timed event in the range
-- (issue 11: it read up to 771,323 index entries at 10M signals). Percentiles need
-- every duration, not a bucketed histogram (the figures are exact, and
-- durations in seconds hardly repeat): `wall_secs` and `business_secs` hold
-- the cell's durations as comma-separated integers in arrival order, `n`
-- how many, `within` how many came by their due time. kind is
-- 'first_response' or 'resolved'.
CREATE TABLE care_timing_daily (
    day           TEXT    NOT NULL,
    department    TEXT    NOT NULL,
    brand         TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    n             INTEGER NOT NULL,
    within        INTEGER NOT NULL,
    wall_secs     TEXT    NOT NULL,
    business_secs TEXT    NOT NULL,
    PRIMARY KEY (day, department, brand, channel, kind)
);

INSERT INTO care_timing_daily
    (day, department, brand, channel, kind, n, within, wall_secs, business_secs)
SELECT date(at, 'unixepoch'), department, brand, channel, kind, count(*),
       ifnull(sum(within_sla), 0), group_concat(wall_secs, ','),
       group_concat(business_secs, ',')
FROM case_events INDEXED BY case_events_timing
WHERE wall_secs IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;
