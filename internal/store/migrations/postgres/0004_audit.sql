-- The audit: what the post-processing job (kind "audit") computes from a
-- finished crawl. Per-page results are columns of pages, so the URL
-- explorer filters and sorts on them like on any crawled field; findings
-- are rows of their own, one per offending element. Every value here is
-- rewritten by each audit run of the crawl.
ALTER TABLE pages ADD COLUMN inlinks            INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN unique_inlinks     INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN link_score         DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN redirect_final_id  BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN redirect_hops      INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN redirect_loop      BOOLEAN NOT NULL DEFAULT false;
-- Duplicate clusters: the lowest page id of the page's cluster, 0 for none.
ALTER TABLE pages ADD COLUMN title_dup          BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN description_dup    BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN h1_dup             BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN content_dup        BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN near_dup           BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN finding_count      INTEGER NOT NULL DEFAULT 0;

-- When the crawl's latest audit finished; NULL: never audited.
ALTER TABLE crawls ADD COLUMN audited_at TIMESTAMPTZ;

-- One row per finding: check check_id fired on page page_id, about element
-- (the offending link target, title, image, status ...; '' when the page as
-- a whole is the problem). seq orders several findings of one check on one
-- page. Severity and explanations live in the code's check catalogue.
CREATE TABLE findings (
    crawl_id BIGINT  NOT NULL REFERENCES crawls (id) ON DELETE CASCADE,
    check_id TEXT    NOT NULL,
    page_id  BIGINT  NOT NULL,
    seq      INTEGER NOT NULL,
    element  TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (crawl_id, check_id, page_id, seq)
);
CREATE INDEX findings_page ON findings (crawl_id, page_id);
