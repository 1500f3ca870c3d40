-- Derivation behind a cursor (DESIGN §4, issues 11–13): the work stored
-- signals cause (cases, author standings, moments, ideas, alert series)
-- is derived in id order, and `upto` is the largest signal id whose work is
-- committed. A signal batch is acknowledged when its rows are committed;
-- its derivation may follow in a later transaction (a file ingest derives
-- once per several batches), and whatever a crash left pending is derived
-- from the stored signals on the next start. Every signal stored before
-- this migration was derived in its insert transaction.
CREATE TABLE derive_cursor (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    upto INTEGER NOT NULL
);
INSERT INTO derive_cursor (id, upto) SELECT 1, ifnull(max(id), 0) FROM signals;
