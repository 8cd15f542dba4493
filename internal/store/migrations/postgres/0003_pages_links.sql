-- A crawl's pages and links. pages is both the frontier and the result: every
-- distinct URL the crawl met has one row, whose state says what happened to
-- it. Page ids are per crawl, assigned in discovery order by the crawl's
-- single running job (one active job per crawl), so links can name their
-- target without a round trip.
CREATE TABLE pages (
    crawl_id           BIGINT  NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    id                 BIGINT  NOT NULL,
    url                TEXT    NOT NULL,
    internal           BOOLEAN NOT NULL,
    state              TEXT    NOT NULL CHECK (state IN ('queued', 'crawled', 'external', 'blocked', 'excluded')),
    reason             TEXT    NOT NULL DEFAULT '',
    depth              INTEGER NOT NULL,
    found_from         BIGINT,
    in_sitemap         BOOLEAN NOT NULL DEFAULT false,
    status             INTEGER NOT NULL DEFAULT 0,
    fetch_error        TEXT    NOT NULL DEFAULT '',
    content_type       TEXT    NOT NULL DEFAULT '',
    charset            TEXT    NOT NULL DEFAULT '',
    proto              TEXT    NOT NULL DEFAULT '',
    size               BIGINT  NOT NULL DEFAULT 0,
    truncated          BOOLEAN NOT NULL DEFAULT false,
    ttfb_us            BIGINT  NOT NULL DEFAULT 0,
    time_us            BIGINT  NOT NULL DEFAULT 0,
    retries            INTEGER NOT NULL DEFAULT 0,
    redirect_url       TEXT    NOT NULL DEFAULT '',
    crawled_at         TIMESTAMPTZ,
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
    robots_blocked     BOOLEAN NOT NULL DEFAULT false,
    indexable          BOOLEAN NOT NULL DEFAULT false,
    indexability       TEXT    NOT NULL DEFAULT '',
    lang               TEXT    NOT NULL DEFAULT '',
    hreflang           TEXT    NOT NULL DEFAULT '[]',
    word_count         INTEGER NOT NULL DEFAULT 0,
    content_hash       BIGINT  NOT NULL DEFAULT 0,
    simhash            BIGINT  NOT NULL DEFAULT 0,
    jsonld_types       TEXT    NOT NULL DEFAULT '[]',
    image_count        INTEGER NOT NULL DEFAULT 0,
    images_missing_alt INTEGER NOT NULL DEFAULT 0,
    internal_outlinks  INTEGER NOT NULL DEFAULT 0,
    external_outlinks  INTEGER NOT NULL DEFAULT 0,
    extra              TEXT    NOT NULL DEFAULT '{}',
    PRIMARY KEY (crawl_id, id)
);
-- A URL is stored once per crawl.
-- md5: a btree entry cannot hold an 8 KB URL.
CREATE UNIQUE INDEX pages_url ON pages (crawl_id, md5(url));
-- The frontier: the next queued pages of a depth, in discovery order.
CREATE INDEX pages_frontier ON pages (crawl_id, depth, id) WHERE state = 'queued';

-- One row per link occurrence, in document order (position) on its source.
CREATE TABLE links (
    crawl_id  BIGINT  NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    source_id BIGINT  NOT NULL,
    position  INTEGER NOT NULL,
    target_id BIGINT  NOT NULL,
    kind      TEXT    NOT NULL,
    text      TEXT    NOT NULL DEFAULT '',
    flags     INTEGER NOT NULL DEFAULT 0,
    internal  BOOLEAN NOT NULL,
    PRIMARY KEY (crawl_id, source_id, position)
);
CREATE INDEX links_target ON links (crawl_id, target_id);
