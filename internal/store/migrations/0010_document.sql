-- Documents (internal/document): drafts and finished texts of a unit, optionally for one
-- meeting, with every uploaded version kept. The uploaded file is a sealed blob; what the
-- reader shows is the canonical, sanitized form (blocks: a JSON list of numbered
-- paragraphs) made at upload. Confidential material never gets here: the classification
-- is checked at upload and by the CHECK below.
CREATE TABLE documents (
    id              TEXT PRIMARY KEY,
    unit_id         TEXT NOT NULL REFERENCES units (id), -- officers on its subtree manage it
    meeting_id      TEXT NOT NULL DEFAULT '',            -- internal/meeting's ID, or '' (no foreign key: another package's table)
    title           TEXT NOT NULL,
    classification  TEXT NOT NULL CHECK (classification IN ('public', 'internal', 'restricted')),
    read_roles      TEXT NOT NULL DEFAULT '',            -- comma-separated roles allowed to read (unit or meeting roles)
    state           TEXT NOT NULL CHECK (state IN ('draft', 'final')),
    current_version INTEGER NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    created_by      TEXT NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX documents_unit ON documents (unit_id, updated_at);
CREATE INDEX documents_meeting ON documents (meeting_id, updated_at);

CREATE TABLE document_versions (
    document_id TEXT NOT NULL REFERENCES documents (id),
    version     INTEGER NOT NULL,
    kind        TEXT NOT NULL,       -- pdf, docx, markdown, html, png, jpeg (sniffed from the content)
    blob_sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    size        BIGINT NOT NULL,
    filename    TEXT NOT NULL DEFAULT '', -- as uploaded; shown, never trusted
    note        TEXT NOT NULL DEFAULT '', -- what changed, in the uploader's words
    blocks      TEXT NOT NULL,       -- JSON [{tag, list, html, text}]
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (document_id, version)
);

-- A reader's private notes and bookmarks, per paragraph of one version. Only their owner
-- ever reads them.
CREATE TABLE document_marks (
    id          TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    version     INTEGER NOT NULL,
    para        INTEGER NOT NULL,
    user_id     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('note', 'bookmark')),
    body        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (document_id, version, para, user_id, kind)
);
CREATE INDEX document_marks_user ON document_marks (user_id, document_id, version);
