-- The active-queue indexes of 0007 say `status IN ('new', 'open', 'pending')`:
-- SQLite evaluates an IN list of three or more constants through a
-- temporary b-tree, built afresh each time a statement runs, and it
-- evaluates a partial index's WHERE on every row it writes — so every case
-- inserted at ingest built two of them and every case updated four (a
-- tenth of the time a case write takes, measured at 1M signals). The same
-- set said with two constants is tested by comparisons instead. Statuses
-- are NOT NULL and one of five, so the indexes hold the same rows; queries
-- say `status NOT IN ('resolved', 'closed')` literally to use them.
DROP INDEX cases_queue;
DROP INDEX cases_active_order;
CREATE INDEX cases_queue ON cases (department, priority, breach_at, id)
    WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX cases_active_order ON cases (priority, breach_at, id)
    WHERE status NOT IN ('resolved', 'closed');
