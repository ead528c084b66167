-- Imports started from the upload page. The file and the work stay on the replica that
-- received the upload; the job's state is here, so that its owner follows it from any
-- replica and a job cut short by a restart says so instead of vanishing.
CREATE TABLE import_jobs (
    id           TEXT PRIMARY KEY,
    owner_id     TEXT NOT NULL,
    file         TEXT NOT NULL,
    dry_run      BOOLEAN NOT NULL,
    phase        TEXT NOT NULL CHECK (phase IN ('checking', 'importing', 'done', 'failed')),
    done_bytes   BIGINT NOT NULL DEFAULT 0,
    total_bytes  BIGINT NOT NULL DEFAULT 0,
    report       TEXT NOT NULL DEFAULT '{}', -- Report as JSON
    counts       TEXT NOT NULL DEFAULT '{}', -- Counts as JSON
    error        TEXT NOT NULL DEFAULT '',
    started_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,       -- the worker's heartbeat
    finished_at  TIMESTAMPTZ
);
CREATE INDEX import_jobs_owner ON import_jobs (owner_id, started_at);
