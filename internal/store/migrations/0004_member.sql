-- Member records, first cut: the fields the foundation needs (demo, scoping). The member
-- record issue extends this table with the full profile, history and encrypted IDs.
CREATE TABLE members (
    id             TEXT PRIMARY KEY,
    unit_id        TEXT NOT NULL REFERENCES units (id),
    full_name      TEXT NOT NULL,
    gender         TEXT NOT NULL,
    birth_date     TEXT NOT NULL,  -- YYYY-MM-DD
    card_number    TEXT NOT NULL UNIQUE, -- a string: leading zeros matter
    ethnicity      TEXT NOT NULL DEFAULT '',
    hometown       TEXT NOT NULL DEFAULT '',
    admission_date TEXT NOT NULL,  -- YYYY-MM-DD
    official_date  TEXT NOT NULL DEFAULT '', -- empty while probationary
    status         TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX members_unit ON members (unit_id, full_name);
