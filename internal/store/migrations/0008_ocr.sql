-- OCR intake of scanned paper member records (internal/member/ocr): each upload becomes a
-- proposal in a review queue; an officer approves it (creating the member) or rejects it.
-- The fields and the raw text carry ID numbers and addresses: both are sealed (AES-256-GCM,
-- store.Keys) like members.id_number_sealed, and so is the scan on disk.
CREATE TABLE ocr_intakes (
    id              TEXT PRIMARY KEY,
    unit_id         TEXT NOT NULL REFERENCES units (id), -- the uploading officer's unit: scopes the queue
    blob_sha256     TEXT NOT NULL REFERENCES blobs (sha256), -- the upload as sent
    filename        TEXT NOT NULL DEFAULT '',  -- as uploaded; shown, never trusted
    pages           TEXT NOT NULL,             -- JSON: the page images shown to the reviewer (blob sha256s)
    state           TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    fields_sealed   BYTEA NOT NULL,            -- JSON {field: {value, raw, conf}}
    raw_text_sealed BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    created_by      TEXT NOT NULL,
    decided_at      TIMESTAMPTZ,
    decided_by      TEXT NOT NULL DEFAULT '',
    decision_reason TEXT NOT NULL DEFAULT '',  -- why it was rejected
    member_id       TEXT REFERENCES members (id),
    -- An approval in progress holds the intake (unix seconds) so that two officers cannot
    -- both turn one scan into a member.
    claimed_by      TEXT NOT NULL DEFAULT '',
    claimed_until   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX ocr_intakes_queue ON ocr_intakes (state, unit_id, created_at);
