-- SQLite only (see its 0006): PostgreSQL writes crawl batches with COPY,
-- which keeps no per-statement undo log, so its keys stay as they are.
SELECT 1;
