-- Idempotency keys of note saves (internal/meeting). The delegate's tablet queues notes
-- typed offline and replays them when the connection returns, each save with a key the
-- browser drew; a key seen before answers "saved" again without a second write. The
-- digest of the body tells an honest replay from a key reused for other text. Keys older
-- than 30 days are pruned by the next save of the same user.
CREATE TABLE meeting_note_keys (
    user_id     TEXT NOT NULL REFERENCES users (id),
    idem_key    TEXT NOT NULL,
    meeting_id  TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    body_sha256 TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX meeting_note_keys_age ON meeting_note_keys (user_id, created_at);
