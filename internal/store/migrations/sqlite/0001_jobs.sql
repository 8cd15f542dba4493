-- Times are INTEGER milliseconds since the Unix epoch, UTC, from SQLite's clock.
CREATE TABLE crawls (
    id            INTEGER PRIMARY KEY,
    start_url     TEXT    NOT NULL,
    options       TEXT    NOT NULL DEFAULT '{}',
    status        TEXT    NOT NULL DEFAULT 'queued',
    last_job_id   INTEGER,
    created_at    INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER,
    pages_found   INTEGER NOT NULL DEFAULT 0,
    pages_crawled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE jobs (
    id                INTEGER PRIMARY KEY,
    crawl_id          INTEGER REFERENCES crawls (id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL,
    args              TEXT    NOT NULL DEFAULT '{}',
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'queued', 'running', 'stopping', 'completed', 'failed', 'stopped')),
    attempt           INTEGER NOT NULL DEFAULT 0,
    max_attempts      INTEGER NOT NULL DEFAULT 3,
    expired_leases    INTEGER NOT NULL DEFAULT 0,
    worker_id         TEXT    NOT NULL DEFAULT '',
    worker_host       TEXT    NOT NULL DEFAULT '',
    worker_pid        INTEGER NOT NULL DEFAULT 0,
    child_pid         INTEGER NOT NULL DEFAULT 0,
    lease_expires_at  INTEGER,
    heartbeat_at      INTEGER,
    created_at        INTEGER NOT NULL,
    scheduled_at      INTEGER NOT NULL,
    started_at        INTEGER,
    finished_at       INTEGER,
    stop_requested_at INTEGER,
    progress_done     INTEGER NOT NULL DEFAULT 0,
    progress_total    INTEGER NOT NULL DEFAULT 0,
    progress_detail   TEXT    NOT NULL DEFAULT '',
    error             TEXT    NOT NULL DEFAULT '',
    exit_code         INTEGER,
    log_seq           INTEGER NOT NULL DEFAULT 0
);

-- At most one active job per crawl: a second concurrent start finds the first.
CREATE UNIQUE INDEX jobs_one_active_per_crawl ON jobs (crawl_id)
    WHERE status IN ('pending', 'queued', 'running', 'stopping');
CREATE INDEX jobs_claimable ON jobs (scheduled_at, id) WHERE status IN ('pending', 'queued');
CREATE INDEX jobs_leased ON jobs (lease_expires_at) WHERE status IN ('running', 'stopping');
CREATE INDEX jobs_crawl ON jobs (crawl_id, id);

CREATE TABLE job_logs (
    job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    attempt    INTEGER NOT NULL,
    level      TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;

-- The child process's raw stdout/stderr, so any machine can serve it.
CREATE TABLE job_output (
    job_id     INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt    INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    data       BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, attempt, seq)
);
