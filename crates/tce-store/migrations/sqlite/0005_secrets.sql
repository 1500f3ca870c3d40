-- tce SQLite schema, version 5: workspace secrets.
-- Random keys made once per workspace and kept with its data, e.g. the key of
-- author pseudonyms ([privacy] pseudonymize_authors), so the same author gets
-- the same pseudonym from every process that writes to this database.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
