-- poll_ballots is WITHOUT ROWID on SQLite (the token): rows sit in the order of their
-- random keys, not in the order ballots were cast (internal/vote/doc.go).
-- Polls, secret ballots and elections in meetings (internal/vote).
--
-- Secrecy (DESIGN.md §5): poll_voters records THAT a delegate voted (one row per eligible
-- delegate, snapshotted when the poll opens); poll_ballots records WHAT was voted. Nothing
-- links the two: a ballot's key is a random 128-bit ID drawn from crypto/rand (not a
-- sortable ID), it has no timestamp, and for secret polls no voter column. The table has
-- no rowid on SQLite (WITHOUT ROWID: rows live in a B-tree ordered by the random key, so
-- neither the key nor a plain scan reveals the insertion order). PostgreSQL keeps rows in
-- insertion order on the heap (ctid) and stamps each with its transaction (xmin): closing
-- a poll rewrites its ballots in random order in one transaction, which erases both; while
-- the poll is open they remain visible to a database superuser. See internal/vote/doc.go.
CREATE TABLE polls (
    id           TEXT PRIMARY KEY,
    meeting_id   TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('motion', 'nomination', 'confidence', 'election')),
    secret       BOOLEAN NOT NULL,
    verifiable   BOOLEAN NOT NULL DEFAULT FALSE,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    seats        INTEGER NOT NULL DEFAULT 1,      -- K: choose up to K (elections)
    rule         TEXT NOT NULL,                   -- JSON of the rule parameters (vote.Rule)
    status       TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'published')),
    parent_id    TEXT NOT NULL DEFAULT '',        -- the poll this one is a runoff or further round of
    round        INTEGER NOT NULL DEFAULT 1,
    convened     INTEGER NOT NULL DEFAULT 0,      -- delegates convened (snapshot at opening)
    present      INTEGER NOT NULL DEFAULT 0,      -- delegates present: eligible voters (not excused)
    result       TEXT NOT NULL DEFAULT '',        -- JSON of the results frozen at publication
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    opened_at    TIMESTAMPTZ,
    closed_at    TIMESTAMPTZ,
    published_at TIMESTAMPTZ
);
CREATE INDEX polls_meeting ON polls (meeting_id, created_at);

-- Options: yes/no/abstain for motions, high/medium/low for confidence votes are fixed in
-- code; candidates (elections, nominations, confidence votes) are rows here.
CREATE TABLE poll_candidates (
    poll_id   TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    id        TEXT NOT NULL,                     -- short stable ID within the poll ("c1", "c2"…)
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT '',          -- e.g. position held, year of birth
    floor     BOOLEAN NOT NULL DEFAULT FALSE,    -- nominated from the floor
    PRIMARY KEY (poll_id, id)
);

-- Eligibility: who may vote and whether they did. idem_key is the cast request's
-- idempotency key (a retried request answers the same receipt); it says nothing of the
-- ballot's content.
CREATE TABLE poll_voters (
    poll_id         TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id),
    delegate_number TEXT NOT NULL DEFAULT '',
    voted_at        TIMESTAMPTZ,
    idem_key        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (poll_id, user_id)
);

-- Ballots: what was voted, with no link to who (see the header). voter_id is set only for
-- open (named) polls, whose results are by name. choices is the ballot's canonical JSON
-- (vote.Ballot), or for verifiable polls the encrypted ballot as received; code and
-- fingerprint are then its tracking code and Benaloh fingerprint (hex) and board_seq its
-- place on the bulletin board (the tracking-code chain orders verifiable ballots: their
-- content is encrypted).
CREATE TABLE poll_ballots (
    poll_id     TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    voter_id    TEXT,
    choices     TEXT NOT NULL,
    valid       BOOLEAN NOT NULL,
    code        TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL DEFAULT '',
    board_seq   INTEGER,
    PRIMARY KEY (poll_id, id)
) {{WITHOUT_ROWID}};

-- Paper ballots: how many were issued and left unused (reconciliation: issued = returned +
-- unused), and each counter's entry of each returned ballot by its printed serial. A paper
-- ballot counts when both counters' entries agree, or when the counting committee
-- resolves the discrepancy (poll_paper_resolved).
CREATE TABLE poll_paper (
    poll_id TEXT PRIMARY KEY REFERENCES polls (id) ON DELETE CASCADE,
    issued  INTEGER NOT NULL DEFAULT 0,
    unused  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE poll_paper_entries (
    poll_id    TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    serial     INTEGER NOT NULL,
    counter    INTEGER NOT NULL CHECK (counter IN (1, 2)),
    entered_by TEXT NOT NULL,
    choices    TEXT NOT NULL,
    valid      BOOLEAN NOT NULL,
    entered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (poll_id, serial, counter)
);
CREATE TABLE poll_paper_resolved (
    poll_id     TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    serial      INTEGER NOT NULL,
    choices     TEXT NOT NULL,
    valid       BOOLEAN NOT NULL,
    resolved_by TEXT NOT NULL,
    resolved_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (poll_id, serial)
);
