package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Status classes of crawled internal pages, in display order. A throttled
// page (429/503 after every retry) is not counted as a 4xx or 5xx, and a page
// without a usable answer (fetch error) is "no-response".
var StatusClasses = []string{"2xx", "3xx", "4xx", "5xx", "no-response", "throttled"}

// ResponseTimeBounds are the upper bounds, exclusive, of the response-time
// buckets in microseconds of time to first byte; the last bucket
// (≥ 2 s) has none.
var ResponseTimeBounds = []int64{100_000, 250_000, 500_000, 1_000_000, 2_000_000}

// CrawlReport is what a crawl's dashboard counts. Internal pages only,
// except External.
type CrawlReport struct {
	Pages     map[string]int64 // internal pages by state
	External  int64            // external URLs met (never fetched)
	InSitemap int64            // internal URLs listed in a sitemap

	StatusClass map[string]int64 // crawled pages by StatusClasses
	Depth       map[int]int64    // crawled pages by depth; -1: not reached by links

	// HTML is the number of crawled HTML pages that answered 200, and
	// Indexability splits them: "indexable", or the reason they are not
	// (noindex, canonicalised, …; "non-indexable" when none is recorded).
	HTML         int64
	Indexability map[string]int64

	// ResponseTime counts crawled pages with an HTTP answer (Responded) by
	// time to first byte, one entry per ResponseTimeBounds bucket plus the
	// last; TTFBAvg and TTFBMedian are in microseconds.
	ResponseTime []int64
	Responded    int64
	TTFBAvg      int64
	TTFBMedian   int64
}

// reportQuery groups a crawl's pages by everything the dashboard counts:
// one scan of the crawl's rows whatever its size, a few thousand groups at
// most.
var reportQuery = func() string {
	var rt strings.Builder
	rt.WriteString("CASE WHEN state <> 'crawled' OR fetch_error <> '' OR status = 0 THEN -1")
	for i, b := range ResponseTimeBounds {
		fmt.Fprintf(&rt, " WHEN ttfb_us < %d THEN %d", b, i)
	}
	fmt.Fprintf(&rt, " ELSE %d END", len(ResponseTimeBounds))
	return `SELECT state, internal, in_sitemap, depth,
		CASE WHEN state <> 'crawled' THEN ''
		     WHEN indexability = 'throttled' THEN 'throttled'
		     WHEN fetch_error <> '' OR status < 200 THEN 'no-response'
		     WHEN status < 300 THEN '2xx' WHEN status < 400 THEN '3xx' WHEN status < 500 THEN '4xx' ELSE '5xx' END,
		CASE WHEN state = 'crawled' AND status = 200 AND fetch_error = '' AND content_type IN ('text/html', 'application/xhtml+xml')
		     THEN CASE WHEN indexable THEN 'indexable' WHEN indexability = '' THEN 'non-indexable' ELSE indexability END
		     ELSE '' END,
		` + rt.String() + `,
		COUNT(*), CAST(COALESCE(SUM(ttfb_us), 0) AS BIGINT)
		FROM pages WHERE crawl_id = ? GROUP BY 1, 2, 3, 4, 5, 6, 7`
}()

// CrawlReport counts a crawl's pages for its dashboard. An unknown crawl
// has an empty report.
func (db *DB) CrawlReport(ctx context.Context, crawlID int64) (CrawlReport, error) {
	r := CrawlReport{Pages: map[string]int64{}, StatusClass: map[string]int64{}, Depth: map[int]int64{},
		Indexability: map[string]int64{}, ResponseTime: make([]int64, len(ResponseTimeBounds)+1)}
	rows, err := db.r.QueryContext(ctx, db.q(reportQuery), crawlID)
	if err != nil {
		return r, db.wrap("crawl report", err)
	}
	defer rows.Close()
	var ttfbSum int64
	for rows.Next() {
		var state, class, idx string
		var internal, inSitemap bool
		var depth, bucket int
		var n, ttfb int64
		if err := rows.Scan(&state, &internal, &inSitemap, &depth, &class, &idx, &bucket, &n, &ttfb); err != nil {
			return r, db.wrap("crawl report", err)
		}
		if !internal {
			if state == PageExternal {
				r.External += n
			}
			continue
		}
		r.Pages[state] += n
		if inSitemap {
			r.InSitemap += n
		}
		if state != PageCrawled {
			continue
		}
		r.StatusClass[class] += n
		r.Depth[depth] += n
		if idx != "" {
			r.HTML += n
			r.Indexability[idx] += n
		}
		if bucket >= 0 {
			r.ResponseTime[bucket] += n
			r.Responded += n
			ttfbSum += ttfb
		}
	}
	if err := rows.Err(); err != nil {
		return r, db.wrap("crawl report", err)
	}
	if r.Responded == 0 {
		return r, nil
	}
	r.TTFBAvg = ttfbSum / r.Responded
	// The median sorts the responded pages' TTFB: one more pass, over
	// integers only.
	err = db.r.QueryRowContext(ctx, db.q(`SELECT ttfb_us FROM pages
		WHERE crawl_id = ? AND internal AND state = 'crawled' AND fetch_error = '' AND status > 0
		ORDER BY ttfb_us LIMIT 1 OFFSET ?`), crawlID, (r.Responded-1)/2).Scan(&r.TTFBMedian)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil // pages changed between the two queries
	}
	return r, db.wrap("crawl report", err)
}

// FindingCount is how often a check fired in a crawl.
type FindingCount struct {
	CheckID  string
	Findings int64
	Pages    int64 // distinct pages
}

// FindingCounts counts a crawl's findings per check, in check id order: a
// walk of the findings primary key.
func (db *DB) FindingCounts(ctx context.Context, crawlID int64) ([]FindingCount, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT check_id, COUNT(*), COUNT(DISTINCT page_id) FROM findings
		WHERE crawl_id = ? GROUP BY check_id ORDER BY check_id`), crawlID)
	if err != nil {
		return nil, db.wrap("count findings", err)
	}
	defer rows.Close()
	var out []FindingCount
	for rows.Next() {
		var c FindingCount
		if err := rows.Scan(&c.CheckID, &c.Findings, &c.Pages); err != nil {
			return nil, db.wrap("count findings", err)
		}
		out = append(out, c)
	}
	return out, db.wrap("count findings", rows.Err())
}

// PageGet returns one page of a crawl or ErrNotFound.
func (db *DB) PageGet(ctx context.Context, crawlID, pageID int64) (Page, error) {
	p, err := scanPage(db.r.QueryRowContext(ctx, db.q(`SELECT `+pageReadColumns+` FROM pages WHERE crawl_id = ? AND id = ?`), crawlID, pageID))
	return p, db.wrap("get page", err)
}

// PageByURL returns the page of a crawl with this exact URL (as stored:
// normalised) or ErrNotFound.
func (db *DB) PageByURL(ctx context.Context, crawlID int64, url string) (Page, error) {
	q := `SELECT ` + pageReadColumns + ` FROM pages WHERE crawl_id = ? AND url = ?`
	args := []any{crawlID, url}
	if db.d == postgresDialect {
		// PostgreSQL's unique index is on md5(url) (a btree entry cannot
		// hold an 8 KB URL); SQLite's is on url itself.
		q = `SELECT ` + pageReadColumns + ` FROM pages WHERE crawl_id = ? AND md5(url) = md5(?) AND url = ?`
		args = []any{crawlID, url, url}
	}
	p, err := scanPage(db.r.QueryRowContext(ctx, db.q(q), args...))
	return p, db.wrap("get page by URL", err)
}

// PageFindings returns up to limit findings of one page, in (check, seq)
// order; Page.FindingCount is their total once the crawl is audited.
func (db *DB) PageFindings(ctx context.Context, crawlID, pageID int64, limit int) ([]Finding, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT crawl_id, check_id, page_id, seq, element FROM findings
		WHERE crawl_id = ? AND page_id = ? ORDER BY check_id, seq LIMIT ?`), crawlID, pageID, limit)
	if err != nil {
		return nil, db.wrap("page findings", err)
	}
	defer rows.Close()
	var out []Finding
	for rows.Next() {
		var f Finding
		if err := rows.Scan(&f.CrawlID, &f.CheckID, &f.PageID, &f.Seq, &f.Element); err != nil {
			return nil, db.wrap("page findings", err)
		}
		out = append(out, f)
	}
	return out, db.wrap("page findings", rows.Err())
}

// PageInlinks returns up to limit links of any kind whose target is the
// page, in (source, position) order, with the total number of such links.
// Both go through links_target: a page with 50,000 inlinks costs one index
// range count and limit rows.
func (db *DB) PageInlinks(ctx context.Context, crawlID, pageID int64, limit int) ([]LinkURLs, int64, error) {
	return db.pageLinks(ctx, "inlinks", `l.target_id = ?`, `l.source_id, l.position`, crawlID, pageID, limit)
}

// PageOutlinks returns up to limit links of the page in position order,
// with their total.
func (db *DB) PageOutlinks(ctx context.Context, crawlID, pageID int64, limit int) ([]LinkURLs, int64, error) {
	return db.pageLinks(ctx, "outlinks", `l.source_id = ?`, `l.position`, crawlID, pageID, limit)
}

// pageLinks serves PageInlinks and PageOutlinks; where and order are
// constants of theirs.
func (db *DB) pageLinks(ctx context.Context, op, where, order string, crawlID, pageID int64, limit int) ([]LinkURLs, int64, error) {
	var total int64
	if err := db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM links l WHERE l.crawl_id = ? AND `+where), crawlID, pageID).Scan(&total); err != nil {
		return nil, 0, db.wrap(op, err)
	}
	if total == 0 || limit <= 0 {
		return nil, total, nil
	}
	out, err := db.queryLinkURLs(ctx, op, `SELECT `+linkURLColumns+linkURLFrom+` WHERE l.crawl_id = ? AND `+where+` ORDER BY `+order+` LIMIT ?`, crawlID, pageID, limit)
	return out, total, err
}

// MaxRedirectHops bounds the redirects RedirectChain follows.
const MaxRedirectHops = 20

// RedirectChain is the path of redirects followed from a page.
type RedirectChain struct {
	// Hops are the pages reached, in order, after the start page: the last
	// is the final page, or the page met twice when Loop is set.
	Hops []Page
	Loop bool
	// Unresolved is a redirect target with no page in the crawl (the chain
	// leaves it there); "" for none.
	Unresolved string
	// Cut is set when the chain was cut after MaxRedirectHops.
	Cut bool
}

// RedirectChain follows the redirects from start through the crawl's
// pages, one lookup per hop, at most MaxRedirectHops.
func (db *DB) RedirectChain(ctx context.Context, start Page) (RedirectChain, error) {
	var c RedirectChain
	seen := map[int64]bool{start.ID: true}
	for cur := start; cur.RedirectURL != ""; {
		if len(c.Hops) == MaxRedirectHops {
			c.Cut = true
			break
		}
		next, err := db.PageByURL(ctx, start.CrawlID, cur.RedirectURL)
		if errors.Is(err, ErrNotFound) {
			c.Unresolved = cur.RedirectURL
			break
		}
		if err != nil {
			return c, err
		}
		c.Hops = append(c.Hops, next)
		if seen[next.ID] {
			c.Loop = true
			break
		}
		seen[next.ID] = true
		cur = next
	}
	return c, nil
}

// Duplicate clusters a page can belong to (PageAudit), by the column
// holding its cluster id.
var DuplicateKinds = []string{"title_dup", "description_dup", "h1_dup", "content_dup", "near_dup"}

// PageRef is a page named in a list: enough to show and link it.
type PageRef struct {
	ID         int64
	URL        string
	State      string
	Status     int
	FetchError string
}

// DuplicateCluster returns the pages of a duplicate cluster (kind is one
// of DuplicateKinds, cluster the cluster's id, its lowest page id) in id
// order, up to limit, with their total.
func (db *DB) DuplicateCluster(ctx context.Context, crawlID int64, kind string, cluster int64, limit int) ([]PageRef, int64, error) {
	valid := false
	for _, k := range DuplicateKinds {
		valid = valid || k == kind
	}
	if !valid {
		return nil, 0, fmt.Errorf("store: duplicate cluster: unknown kind %q", kind)
	}
	if cluster == 0 {
		return nil, 0, nil
	}
	// kind is one of DuplicateKinds, never user text; "<> 0" lets the
	// planner use the kind's partial index (migration 0005) for any bound value.
	return db.pageRefsCounted(ctx, "duplicate cluster", `SELECT id, url, state, status, fetch_error, COUNT(*) OVER ()
		FROM pages WHERE crawl_id = ? AND `+kind+` = ? AND `+kind+` <> 0 ORDER BY id LIMIT ?`,
		`SELECT COUNT(*) FROM pages WHERE crawl_id = ? AND `+kind+` = ? AND `+kind+` <> 0`, limit, crawlID, cluster)
}

// pageRefsCounted runs list, a query of up to limit PageRefs whose last
// column is the total number of rows without the limit (COUNT(*) OVER ()),
// or count alone when the limit is 0: one pass either way.
func (db *DB) pageRefsCounted(ctx context.Context, op, list, count string, limit int, args ...any) ([]PageRef, int64, error) {
	var total int64
	if limit <= 0 {
		err := db.r.QueryRowContext(ctx, db.q(count), args...).Scan(&total)
		return nil, total, db.wrap(op, err)
	}
	rows, err := db.r.QueryContext(ctx, db.q(list), append(args, limit)...)
	if err != nil {
		return nil, 0, db.wrap(op, err)
	}
	defer rows.Close()
	var out []PageRef
	for rows.Next() {
		var p PageRef
		if err := rows.Scan(&p.ID, &p.URL, &p.State, &p.Status, &p.FetchError, &total); err != nil {
			return nil, 0, db.wrap(op, err)
		}
		out = append(out, p)
	}
	return out, total, db.wrap(op, rows.Err())
}
