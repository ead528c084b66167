-- Member search runs on the in-memory index (internal/member/search): no query reads
-- members by name_key any more, and the index cost every insert of an import a B-tree
-- update. The column stays (the benchmark's FTS5 / pg_trgm reference is built over it).
DROP INDEX members_name_key;
