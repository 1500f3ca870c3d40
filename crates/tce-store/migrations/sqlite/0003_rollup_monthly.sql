-- tce SQLite schema, version 3: monthly rollups.
-- The same sums as rollup_daily per calendar month (month = 'YYYY-MM-01'),
-- kept in step with it by triggers inside the same transaction, so whole-range
-- and monthly scores read a few thousand rows whatever the number of signals.
CREATE TABLE rollup_monthly (
    month      TEXT    NOT NULL,
    brand      TEXT    NOT NULL,
    touchpoint TEXT    NOT NULL,
    stage      TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    n          INTEGER NOT NULL,
    sum_ev     REAL    NOT NULL,
    sum_ev2    REAL    NOT NULL,
    positive   INTEGER NOT NULL,
    neutral    INTEGER NOT NULL,
    negative   INTEGER NOT NULL,
    reach      INTEGER NOT NULL,
    complaints INTEGER NOT NULL,
    rated      INTEGER NOT NULL,
    PRIMARY KEY (month, brand, touchpoint, channel)
) WITHOUT ROWID;

INSERT INTO rollup_monthly
SELECT substr(day, 1, 7) || '-01', brand, touchpoint, stage, channel,
       SUM(n), SUM(sum_ev), SUM(sum_ev2), SUM(positive), SUM(neutral), SUM(negative),
       SUM(reach), SUM(complaints), SUM(rated)
FROM rollup_daily
GROUP BY substr(day, 1, 7), brand, touchpoint, channel;

CREATE TRIGGER rollup_monthly_after_insert AFTER INSERT ON rollup_daily
BEGIN
    INSERT INTO rollup_monthly (month, brand, touchpoint, stage, channel, n, sum_ev, sum_ev2,
                                positive, neutral, negative, reach, complaints, rated)
    VALUES (substr(NEW.day, 1, 7) || '-01', NEW.brand, NEW.touchpoint, NEW.stage, NEW.channel,
            NEW.n, NEW.sum_ev, NEW.sum_ev2, NEW.positive, NEW.neutral, NEW.negative,
            NEW.reach, NEW.complaints, NEW.rated)
    ON CONFLICT (month, brand, touchpoint, channel) DO UPDATE SET
        n = n + excluded.n,
        sum_ev = sum_ev + excluded.sum_ev,
        sum_ev2 = sum_ev2 + excluded.sum_ev2,
        positive = positive + excluded.positive,
        neutral = neutral + excluded.neutral,
        negative = negative + excluded.negative,
        reach = reach + excluded.reach,
        complaints = complaints + excluded.complaints,
        rated = rated + excluded.rated;
END;

CREATE TRIGGER rollup_monthly_after_update AFTER UPDATE ON rollup_daily
BEGIN
    UPDATE rollup_monthly SET
        n = n + NEW.n - OLD.n,
        sum_ev = sum_ev + NEW.sum_ev - OLD.sum_ev,
        sum_ev2 = sum_ev2 + NEW.sum_ev2 - OLD.sum_ev2,
        positive = positive + NEW.positive - OLD.positive,
        neutral = neutral + NEW.neutral - OLD.neutral,
        negative = negative + NEW.negative - OLD.negative,
        reach = reach + NEW.reach - OLD.reach,
        complaints = complaints + NEW.complaints - OLD.complaints,
        rated = rated + NEW.rated - OLD.rated
    WHERE month = substr(NEW.day, 1, 7) || '-01'
      AND brand = NEW.brand AND touchpoint = NEW.touchpoint AND channel = NEW.channel;
END;
