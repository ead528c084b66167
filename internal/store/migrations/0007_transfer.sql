-- Transfers of members between units (official: the member moves; temporary: the member
-- attends another unit for a while and stays on the home unit's roll).
CREATE TABLE transfers (
    id           TEXT PRIMARY KEY,
    member_id    TEXT NOT NULL REFERENCES members (id),
    kind         TEXT NOT NULL,             -- official | temporary
    from_unit_id TEXT NOT NULL REFERENCES units (id),
    to_unit_id   TEXT NOT NULL REFERENCES units (id),
    state        TEXT NOT NULL,             -- issued | received | cancelled | expired | ended
    prev_status  TEXT NOT NULL,             -- the member's status before an official transfer
    reason       TEXT NOT NULL,
    letter_no    TEXT NOT NULL,             -- number of the introduction letter
    issued_at    TIMESTAMPTZ NOT NULL,
    issued_by    TEXT NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    ends_on      TEXT NOT NULL DEFAULT '',  -- temporary transfers: YYYY-MM-DD
    closed_at    TIMESTAMPTZ,
    closed_by    TEXT
);
CREATE INDEX transfers_member ON transfers (member_id, state);
CREATE INDEX transfers_to ON transfers (to_unit_id, state);
CREATE INDEX transfers_from ON transfers (from_unit_id, state);
