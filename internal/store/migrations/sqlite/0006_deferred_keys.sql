-- Crawl writes without a statement journal. SQLite keeps an undo log of
-- each statement inside a transaction that may fail half-way ("abort"), so
-- that the failure undoes that statement alone; a crawl's batch of
-- multi-row inserts wrote every b-tree page it touched to that log, a
-- fifth of the crawl's CPU. Two things made its statements abortable: the
-- immediate foreign keys to crawls (checked row by row) and the page
-- upsert's DO UPDATE. The foreign keys of the crawl's result tables become
-- deferred (checked at commit; cascades unchanged), and pages are written
-- with INSERT OR FAIL and UPDATE OR FAIL (a failure rolls the whole batch
-- back anyway). SQLite cannot alter a constraint, so the tables are rebuilt
-- as its documentation prescribes: new table, copy, drop, rename, indexes.
-- PostgreSQL needs nothing: COPY keeps no such log.

CREATE TABLE pages_new (
    crawl_id           INTEGER NOT NULL REFERENCES crawls (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
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
    inlinks            INTEGER NOT NULL DEFAULT 0,
    unique_inlinks     INTEGER NOT NULL DEFAULT 0,
    link_score         REAL NOT NULL DEFAULT 0,
    redirect_final_id  INTEGER NOT NULL DEFAULT 0,
    redirect_hops      INTEGER NOT NULL DEFAULT 0,
    redirect_loop      INTEGER NOT NULL DEFAULT 0,
    title_dup          INTEGER NOT NULL DEFAULT 0,
    description_dup    INTEGER NOT NULL DEFAULT 0,
    h1_dup             INTEGER NOT NULL DEFAULT 0,
    content_dup        INTEGER NOT NULL DEFAULT 0,
    near_dup           INTEGER NOT NULL DEFAULT 0,
    finding_count      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (crawl_id, id)
);
INSERT INTO pages_new (
    crawl_id, id, url, internal, state, reason, depth, found_from, in_sitemap,
    status, fetch_error, content_type, charset, proto, size, truncated,
    ttfb_us, time_us, retries, redirect_url, crawled_at, title, title_length,
    title_count, description, description_length, description_count, h1,
    h1_count, h2_count, canonical, meta_robots, x_robots_tag, robots_blocked,
    indexable, indexability, lang, hreflang, word_count, content_hash,
    simhash, jsonld_types, image_count, images_missing_alt, internal_outlinks,
    external_outlinks, extra, inlinks, unique_inlinks, link_score,
    redirect_final_id, redirect_hops, redirect_loop, title_dup,
    description_dup, h1_dup, content_dup, near_dup, finding_count)
SELECT
    crawl_id, id, url, internal, state, reason, depth, found_from, in_sitemap,
    status, fetch_error, content_type, charset, proto, size, truncated,
    ttfb_us, time_us, retries, redirect_url, crawled_at, title, title_length,
    title_count, description, description_length, description_count, h1,
    h1_count, h2_count, canonical, meta_robots, x_robots_tag, robots_blocked,
    indexable, indexability, lang, hreflang, word_count, content_hash,
    simhash, jsonld_types, image_count, images_missing_alt, internal_outlinks,
    external_outlinks, extra, inlinks, unique_inlinks, link_score,
    redirect_final_id, redirect_hops, redirect_loop, title_dup,
    description_dup, h1_dup, content_dup, near_dup, finding_count
FROM pages;
DROP TABLE pages;
ALTER TABLE pages_new RENAME TO pages;
CREATE UNIQUE INDEX pages_url ON pages (crawl_id, url);
CREATE INDEX pages_frontier ON pages (crawl_id, depth, id) WHERE state = 'queued';
CREATE INDEX pages_title_dup ON pages (crawl_id, title_dup) WHERE title_dup <> 0;
CREATE INDEX pages_description_dup ON pages (crawl_id, description_dup) WHERE description_dup <> 0;
CREATE INDEX pages_h1_dup ON pages (crawl_id, h1_dup) WHERE h1_dup <> 0;
CREATE INDEX pages_content_dup ON pages (crawl_id, content_dup) WHERE content_dup <> 0;
CREATE INDEX pages_near_dup ON pages (crawl_id, near_dup) WHERE near_dup <> 0;

CREATE TABLE links_new (
    crawl_id  INTEGER NOT NULL REFERENCES crawls (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    source_id INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    target_id INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    text      TEXT    NOT NULL DEFAULT '',
    flags     INTEGER NOT NULL DEFAULT 0,
    internal  INTEGER NOT NULL,
    PRIMARY KEY (crawl_id, source_id, position)
) WITHOUT ROWID;
INSERT INTO links_new (crawl_id, source_id, position, target_id, kind, text, flags, internal)
SELECT crawl_id, source_id, position, target_id, kind, text, flags, internal FROM links;
DROP TABLE links;
ALTER TABLE links_new RENAME TO links;
CREATE INDEX links_target ON links (crawl_id, target_id);

CREATE TABLE findings_new (
    crawl_id INTEGER NOT NULL REFERENCES crawls (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    check_id TEXT    NOT NULL,
    page_id  INTEGER NOT NULL,
    seq      INTEGER NOT NULL,
    element  TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (crawl_id, check_id, page_id, seq)
) WITHOUT ROWID;
INSERT INTO findings_new (crawl_id, check_id, page_id, seq, element)
SELECT crawl_id, check_id, page_id, seq, element FROM findings;
DROP TABLE findings;
ALTER TABLE findings_new RENAME TO findings;
CREATE INDEX findings_page ON findings (crawl_id, page_id);
