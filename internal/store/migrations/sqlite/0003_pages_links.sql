-- A crawl's pages and links. pages is both the frontier and the result: every
-- distinct URL the crawl met has one row, whose state says what happened to
-- it. Page ids are per crawl, assigned in discovery order by the crawl's
-- single running job (one active job per crawl), so links can name their
-- target without a round trip.
CREATE TABLE pages (
    crawl_id           INTEGER NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    id                 INTEGER NOT NULL,
    url                TEXT    NOT NULL,
    internal           INTEGER NOT NULL,
    state              TEXT    NOT NULL CHECK (state IN ('queued', 'crawled', 'external', 'blocked', 'excluded')),
    reason             TEXT    NOT NULL DEFAULT '',
    depth              INTEGER NOT NULL,
    found_from         INTEGER,
    in_sitemap         INTEGER NOT NULL DEFAULT 0,
    status             INTEGER NOT NULL DEFAULT 0,
    fetch_error        TEXT    NOT NULL DEFAULT '',
    content_type       TEXT    NOT NULL DEFAULT '',
    charset            TEXT    NOT NULL DEFAULT '',
    proto              TEXT    NOT NULL DEFAULT '',
    size               INTEGER NOT NULL DEFAULT 0,
    truncated          INTEGER NOT NULL DEFAULT 0,
    ttfb_us            INTEGER NOT NULL DEFAULT 0,
    time_us            INTEGER NOT NULL DEFAULT 0,
    retries            INTEGER NOT NULL DEFAULT 0,
    redirect_url       TEXT    NOT NULL DEFAULT '',
    crawled_at         INTEGER,
    title              TEXT    NOT NULL DEFAULT '',
    title_length       INTEGER NOT NULL DEFAULT 0,
    title_count        INTEGER NOT NULL DEFAULT 0,
    description        TEXT    NOT NULL DEFAULT '',
    description_length INTEGER NOT NULL DEFAULT 0,
    description_count  INTEGER NOT NULL DEFAULT 0,
    h1                 TEXT    NOT NULL DEFAULT '',
    h1_count           INTEGER NOT NULL DEFAULT 0,
    h2_count           INTEGER NOT NULL DEFAULT 0,
    canonical          TEXT    NOT NULL DEFAULT '',
    meta_robots        TEXT    NOT NULL DEFAULT '',
    x_robots_tag       TEXT    NOT NULL DEFAULT '',
    robots_blocked     INTEGER NOT NULL DEFAULT 0,
    indexable          INTEGER NOT NULL DEFAULT 0,
    indexability       TEXT    NOT NULL DEFAULT '',
    lang               TEXT    NOT NULL DEFAULT '',
    hreflang           TEXT    NOT NULL DEFAULT '[]',
    word_count         INTEGER NOT NULL DEFAULT 0,
    content_hash       INTEGER NOT NULL DEFAULT 0,
    simhash            INTEGER NOT NULL DEFAULT 0,
    jsonld_types       TEXT    NOT NULL DEFAULT '[]',
    image_count        INTEGER NOT NULL DEFAULT 0,
    images_missing_alt INTEGER NOT NULL DEFAULT 0,
    internal_outlinks  INTEGER NOT NULL DEFAULT 0,
    external_outlinks  INTEGER NOT NULL DEFAULT 0,
    extra              TEXT    NOT NULL DEFAULT '{}',
    PRIMARY KEY (crawl_id, id)
);
-- A URL is stored once per crawl.
CREATE UNIQUE INDEX pages_url ON pages (crawl_id, url);
-- The frontier: the next queued pages of a depth, in discovery order.
CREATE INDEX pages_frontier ON pages (crawl_id, depth, id) WHERE state = 'queued';

-- One row per link occurrence, in document order (position) on its source.
CREATE TABLE links (
    crawl_id  INTEGER NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    source_id INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    target_id INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    text      TEXT    NOT NULL DEFAULT '',
    flags     INTEGER NOT NULL DEFAULT 0,
    internal  INTEGER NOT NULL,
    PRIMARY KEY (crawl_id, source_id, position)
) WITHOUT ROWID; -- links are small and written in key order: one b-tree, not two
CREATE INDEX links_target ON links (crawl_id, target_id);
