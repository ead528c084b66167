-- The tamper-evident audit log (see internal/store/audit.go and internal/audit).
-- Every write transaction appends one or more entries; each entry's hash covers the
-- previous entry's hash, so an edited, deleted, inserted or reordered row breaks the chain.
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    digest      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    mac         TEXT NOT NULL  -- HMAC of hash under the key file's key
);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);

-- One row: the head of the chain. Appending updates it, which serializes appenders
-- (PostgreSQL holds the row lock until commit; SQLite has one writer anyway).
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Ed25519-signed Merkle roots of the first tree_size entries.
CREATE TABLE audit_checkpoints (
    tree_size  BIGINT PRIMARY KEY,
    root       TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    public_key TEXT NOT NULL,
    signature  TEXT NOT NULL
);
