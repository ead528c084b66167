-- Organization units: a tree of any depth. path is the materialized path of unit IDs
-- ("/<root id>/<child id>/"), so a subtree is one range scan: path >= P AND path < P || '~'.
-- The path column compares bytewise on both databases ({{BINARY}}), or the range breaks.
CREATE TABLE units (
    id           TEXT PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    type         TEXT NOT NULL,
    parent_id    TEXT REFERENCES units (id),
    path         TEXT {{BINARY}} NOT NULL UNIQUE,
    depth        INTEGER NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    dissolved_at TIMESTAMPTZ
);
CREATE INDEX units_parent ON units (parent_id);
