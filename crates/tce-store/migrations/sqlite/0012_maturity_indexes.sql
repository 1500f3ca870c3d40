-- The maturity assessment's evidence (issue 14) reads counts the store
-- already keeps, through indexes that hold them, so no count reads a whole
-- table: authors per class and brand (advocates identified), and live
-- ideas per own/competitor and status (ideas with a decided status; the
-- index holds `merged_into` so the count never reads an idea's row).
-- Alerts acknowledged read the alerts of a window through `alerts_recent`.
-- Only authors with a class (two signals or more) are in it: most authors
-- speak once, and every batch rewrites its authors' rows.
CREATE INDEX advocacy_authors_class ON advocacy_authors (class, brand, signals) WHERE signals >= 2;
CREATE INDEX ideas_status ON ideas (own, status, merged_into);
