-- The report pages: a page's detail lists the other pages of each
-- duplicate cluster it belongs to. Without these, each list is a scan of
-- the crawl's pages. Partial: only pages in a cluster are indexed, so the
-- audit's writes of the other pages do not touch them. Queries repeat the
-- "<> 0" condition so that the planner can use them with a bound value.
CREATE INDEX pages_title_dup ON pages (crawl_id, title_dup) WHERE title_dup <> 0;
CREATE INDEX pages_description_dup ON pages (crawl_id, description_dup) WHERE description_dup <> 0;
CREATE INDEX pages_h1_dup ON pages (crawl_id, h1_dup) WHERE h1_dup <> 0;
CREATE INDEX pages_content_dup ON pages (crawl_id, content_dup) WHERE content_dup <> 0;
CREATE INDEX pages_near_dup ON pages (crawl_id, near_dup) WHERE near_dup <> 0;
