-- The full member record (issue: member records at national scale).
-- Sensitive numbers are sealed with AES-256-GCM (store.Keys); equality search over them
-- goes through a keyed blind index (HMAC), never the plaintext.
ALTER TABLE members ADD COLUMN other_names TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN residence TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN religion TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN id_number_sealed BYTEA;
ALTER TABLE members ADD COLUMN id_number_blind TEXT;
ALTER TABLE members ADD COLUMN positions TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN education TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN professional_level TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN theory_level TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN photo_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN status_date TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
-- Diacritic-blind, tone-placement-blind folded name ("nguyen thi thu hang") for search.
ALTER TABLE members ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX members_id_blind ON members (id_number_blind);
CREATE INDEX members_name_key ON members (name_key);
CREATE INDEX members_updated ON members (updated_at);

-- Every change of a record is a new version: who, when, why, and the whole record as it
-- became (JSON; the ID number only as a marker that it changed, never in clear).
CREATE TABLE member_versions (
    member_id TEXT NOT NULL REFERENCES members (id),
    version   INTEGER NOT NULL,
    at        TIMESTAMPTZ NOT NULL,
    actor     TEXT NOT NULL,
    reason    TEXT NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (member_id, version)
);

-- Content-addressed blobs (photos, letters, scans): SHA-256 → bytes on disk; this table
-- records what exists, its type and size.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size       BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
