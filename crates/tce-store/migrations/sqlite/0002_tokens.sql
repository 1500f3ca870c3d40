-- tce SQLite schema, version 2: access tokens of the server (`tce token create`).
-- Only the SHA-256 of a token is kept, never the token. `role` is admin,
-- analyst or agent; `department` is an agent's department id. Times are unix
-- seconds (UTC); a revoked token keeps its row (for the audit) with
-- `revoked_at` set.
CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    department TEXT,
    hash       BLOB    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
