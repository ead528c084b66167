-- Unit operations (create, rename, move, merge, split, dissolve) as a history per unit.
CREATE TABLE unit_events (
    id         TEXT PRIMARY KEY,
    unit_id    TEXT NOT NULL REFERENCES units (id),
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL,          -- JSON: names, codes, counts moved
    related_id TEXT                    -- the other unit of a merge, split or move
);
CREATE INDEX unit_events_unit ON unit_events (unit_id, at);
-- A unit merged into another keeps its row (history, old documents) and points to it.
ALTER TABLE units ADD COLUMN merged_into TEXT REFERENCES units (id);
