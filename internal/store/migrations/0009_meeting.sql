-- Meetings and congresses (internal/meeting): a meeting belongs to a unit; a congress has
-- several sessions (phiên) over days; agenda items belong to a session, in order. The
-- participants are accounts with a role in the meeting. Minutes are a draft edited during
-- the meeting and immutable finalized versions.
CREATE TABLE meetings (
    id              TEXT PRIMARY KEY,
    unit_id         TEXT NOT NULL REFERENCES units (id),
    kind            TEXT NOT NULL CHECK (kind IN ('cell', 'committee', 'congress', 'other')),
    title           TEXT NOT NULL,
    place           TEXT NOT NULL DEFAULT '',
    online_url      TEXT NOT NULL DEFAULT '',
    starts_at       TIMESTAMPTZ NOT NULL,
    ends_at         TIMESTAMPTZ NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('planned', 'open', 'closed', 'cancelled')),
    current_item_id TEXT NOT NULL DEFAULT '', -- the agenda item the secretariat set live; '' for none
    version         INTEGER NOT NULL DEFAULT 1, -- bumped by every change of the meeting's fields
    created_at      TIMESTAMPTZ NOT NULL,
    created_by      TEXT NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX meetings_unit ON meetings (unit_id, starts_at);
CREATE INDEX meetings_start ON meetings (starts_at);

CREATE TABLE meeting_sessions (
    id         TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    title      TEXT NOT NULL,
    starts_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX meeting_sessions_meeting ON meeting_sessions (meeting_id, position);

CREATE TABLE agenda_items (
    id            TEXT PRIMARY KEY,
    meeting_id    TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    session_id    TEXT NOT NULL REFERENCES meeting_sessions (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    title         TEXT NOT NULL,
    planned_start TIMESTAMPTZ,                  -- NULL: follows the item before it
    duration_min  INTEGER NOT NULL DEFAULT 0,
    presenter     TEXT NOT NULL DEFAULT '',
    notes         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX agenda_items_session ON agenda_items (session_id, position);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id);

-- Documents belong to internal/document: only their IDs are kept here.
CREATE TABLE agenda_documents (
    item_id     TEXT NOT NULL REFERENCES agenda_items (id) ON DELETE CASCADE,
    document_id TEXT NOT NULL,
    position    INTEGER NOT NULL,
    PRIMARY KEY (item_id, document_id)
);

CREATE TABLE meeting_participants (
    meeting_id      TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL CHECK (role IN ('chair', 'secretariat', 'delegate', 'member', 'guest', 'counting')),
    delegate_number TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('invited', 'accepted', 'excused')),
    excused_reason  TEXT NOT NULL DEFAULT '',
    invited_at      TIMESTAMPTZ NOT NULL,
    answered_at     TIMESTAMPTZ,
    PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX meeting_participants_user ON meeting_participants (user_id);

-- The minutes being drafted: one row per meeting, content as JSON, version for optimistic
-- locking between two secretaries.
CREATE TABLE meeting_minutes (
    meeting_id TEXT PRIMARY KEY REFERENCES meetings (id) ON DELETE CASCADE,
    content    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);

-- Finalized minutes: never updated or deleted; a correction is a new version.
CREATE TABLE minutes_versions (
    meeting_id   TEXT NOT NULL REFERENCES meetings (id),
    version      INTEGER NOT NULL,
    content      TEXT NOT NULL,  -- JSON of the whole minutes, header included
    sha256       TEXT NOT NULL,  -- of content: what the audit entry's digest covers
    finalized_at TIMESTAMPTZ NOT NULL,
    finalized_by TEXT NOT NULL,
    PRIMARY KEY (meeting_id, version)
);

-- A participant's own notes on a meeting (the tablet page); only they read them.
CREATE TABLE meeting_notes (
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id),
    body       TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);

-- A delegate number is unique within a congress (empty for meetings that use none).
CREATE UNIQUE INDEX meeting_participants_number ON meeting_participants (meeting_id, delegate_number) WHERE delegate_number <> '';
