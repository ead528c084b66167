-- Served copies of restricted documents (internal/leak). Every copy that leaves the server
-- gets a random 40-bit ID, never reused, that its visible watermark, its invisible
-- fingerprint and (for PDFs) its hidden text carry; `dais trace-leak` reads the ID back
-- from a leaked file and finds the row here. The reader's name is kept as printed on the
-- copy, so the answer stays what the leaked page showed even after a rename.
CREATE TABLE leak_copies (
    id          BIGINT PRIMARY KEY,                 -- 1 … 2^40-1, drawn at random
    reader_id   TEXT NOT NULL,                      -- the user the copy was made for
    reader_name TEXT NOT NULL,                      -- as printed in the visible watermark
    delegate_no TEXT NOT NULL DEFAULT '',           -- "Đại biểu số N" in a congress, or ''
    document_id TEXT NOT NULL,                      -- internal/document's ID (no foreign key: another package's table)
    version     INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('html', 'pdf', 'epub', 'image')),
    issued_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX leak_copies_document ON leak_copies (document_id, issued_at);
CREATE INDEX leak_copies_reader ON leak_copies (reader_id, issued_at);
