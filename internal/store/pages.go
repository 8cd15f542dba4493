package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Page states: pages is both the frontier and the result.
const (
	PageQueued   = "queued"   // waiting in the frontier
	PageCrawled  = "crawled"  // requested: a response or a fetch error
	PageExternal = "external" // outside the site, never fetched
	PageBlocked  = "blocked"  // disallowed by robots.txt, never fetched
	PageExcluded = "excluded" // inside the site but not fetched; Reason says why
)

// Page is one row of pages: a URL the crawl met and, once crawled, its SEO
// data. Times are in microseconds.
type Page struct {
	CrawlID   int64
	ID        int64 // per crawl, in discovery order
	URL       string
	Internal  bool
	State     string
	Reason    string
	Depth     int   // -1: not reached by links
	FoundFrom int64 // page id, 0 for none
	InSitemap bool

	Status      int
	FetchError  string
	ContentType string
	Charset     string
	Proto       string
	Size        int64
	Truncated   bool
	TTFBMicros  int64
	TimeMicros  int64
	Retries     int
	RedirectURL string
	CrawledAt   *time.Time

	Title             string
	TitleLength       int
	TitleCount        int
	Description       string
	DescriptionLength int
	DescriptionCount  int
	H1                string
	H1Count           int
	H2Count           int
	Canonical         string
	MetaRobots        string
	XRobotsTag        string
	RobotsBlocked     bool
	Indexable         bool
	Indexability      string
	Lang              string
	Hreflang          string // JSON array of {"lang","url"}
	WordCount         int
	ContentHash       int64  // uint64 bits
	SimHash           int64  // uint64 bits
	JSONLDTypes       string // JSON array of strings
	ImageCount        int
	ImagesMissingAlt  int
	InternalOutlinks  int
	ExternalOutlinks  int
	Extra             string // JSON object: the rest of the page's audit data

	PageAudit // written by the audit job; zero until the crawl is audited
}

// pageColumns is the column order of every page write by the crawl; reads
// add auditColumns (pageReadColumns).
var pageColumns = []string{
	"crawl_id", "id", "url", "internal", "state", "reason", "depth", "found_from", "in_sitemap",
	"status", "fetch_error", "content_type", "charset", "proto", "size", "truncated", "ttfb_us", "time_us",
	"retries", "redirect_url", "crawled_at",
	"title", "title_length", "title_count", "description", "description_length", "description_count",
	"h1", "h1_count", "h2_count", "canonical", "meta_robots", "x_robots_tag", "robots_blocked",
	"indexable", "indexability", "lang", "hreflang", "word_count", "content_hash", "simhash",
	"jsonld_types", "image_count", "images_missing_alt", "internal_outlinks", "external_outlinks", "extra",
}

func (d *dialect) pageValues(p *Page) []any {
	var found any
	if p.FoundFrom != 0 {
		found = p.FoundFrom
	}
	j := func(s, empty string) string {
		if s == "" {
			return empty
		}
		return s
	}
	return []any{
		p.CrawlID, p.ID, p.URL, p.Internal, p.State, p.Reason, p.Depth, found, p.InSitemap,
		p.Status, p.FetchError, p.ContentType, p.Charset, p.Proto, p.Size, p.Truncated, p.TTFBMicros, p.TimeMicros,
		p.Retries, p.RedirectURL, d.timeParam(p.CrawledAt),
		p.Title, p.TitleLength, p.TitleCount, p.Description, p.DescriptionLength, p.DescriptionCount,
		p.H1, p.H1Count, p.H2Count, p.Canonical, p.MetaRobots, p.XRobotsTag, p.RobotsBlocked,
		p.Indexable, p.Indexability, p.Lang, j(p.Hreflang, "[]"), p.WordCount, p.ContentHash, p.SimHash,
		j(p.JSONLDTypes, "[]"), p.ImageCount, p.ImagesMissingAlt, p.InternalOutlinks, p.ExternalOutlinks, j(p.Extra, "{}"),
	}
}

func scanPage(s scanner) (Page, error) {
	var p Page
	var found sql.NullInt64
	err := s.Scan(&p.CrawlID, &p.ID, &p.URL, &p.Internal, &p.State, &p.Reason, &p.Depth, &found, &p.InSitemap,
		&p.Status, &p.FetchError, &p.ContentType, &p.Charset, &p.Proto, &p.Size, &p.Truncated, &p.TTFBMicros, &p.TimeMicros,
		&p.Retries, &p.RedirectURL, dbTime{&p.CrawledAt},
		&p.Title, &p.TitleLength, &p.TitleCount, &p.Description, &p.DescriptionLength, &p.DescriptionCount,
		&p.H1, &p.H1Count, &p.H2Count, &p.Canonical, &p.MetaRobots, &p.XRobotsTag, &p.RobotsBlocked,
		&p.Indexable, &p.Indexability, &p.Lang, &p.Hreflang, &p.WordCount, &p.ContentHash, &p.SimHash,
		&p.JSONLDTypes, &p.ImageCount, &p.ImagesMissingAlt, &p.InternalOutlinks, &p.ExternalOutlinks, &p.Extra,
		&p.Inlinks, &p.UniqueInlinks, &p.LinkScore, &p.RedirectFinalID, &p.RedirectHops, &p.RedirectLoop,
		&p.TitleDup, &p.DescriptionDup, &p.H1Dup, &p.ContentDup, &p.NearDup, &p.FindingCount)
	p.FoundFrom = found.Int64
	return p, err
}

// Link flags.
const (
	LinkNofollow    = 1 << iota // rel contains nofollow
	LinkUGC                     // rel ugc
	LinkSponsored               // rel sponsored
	LinkTargetBlank             // target=_blank
	LinkNoopener                // rel noopener or noreferrer
	LinkAltMissing              // image without an alt attribute
	LinkTextFromAlt             // anchor text taken from an image's alt
)

// Link is one row of links: one occurrence of a reference from a crawled page.
type Link struct {
	CrawlID  int64
	SourceID int64
	Position int // order on the source page
	TargetID int64
	Kind     string // anchor, image, canonical, hreflang, redirect, next, prev
	Text     string // anchor text, image alt, or hreflang code
	Flags    int
	Internal bool
}

var linkColumns = []string{"crawl_id", "source_id", "position", "target_id", "kind", "text", "flags", "internal"}

func linkValues(l *Link) []any {
	return []any{l.CrawlID, l.SourceID, l.Position, l.TargetID, l.Kind, l.Text, l.Flags, l.Internal}
}

// CrawlBatch is what a crawl writes at once: pages (inserted, or replaced
// whole by id) and new links. Each page id appears at most once.
type CrawlBatch struct {
	Pages []Page
	Links []Link
}

// CrawlBatchSize is how many crawled pages and links a crawl should write per
// transaction: SQLite's single write lock is shared with every other process,
// so its transactions are kept short.
func (db *DB) CrawlBatchSize() (pages, links int) {
	if db.d == postgresDialect {
		return 500, 25_000
	}
	return 300, 15_000
}

// CrawlWrite stores a batch in one transaction, fenced by the job's lease:
// a page's result, its links and the pages they discovered land together
// or not at all, so an interrupted crawl resumes from a consistent frontier.
// PostgreSQL uses COPY; SQLite multi-row statements.
func (db *DB) CrawlWrite(ctx context.Context, l Lease, b *CrawlBatch) error {
	if len(b.Pages) == 0 && len(b.Links) == 0 {
		return nil
	}
	if db.d == postgresDialect {
		return db.crawlWritePostgres(ctx, l, b)
	}
	// Prepare before the transaction: it holds SQLite's only writer
	// connection, which a prepare on the pool would wait for forever.
	for _, t := range insertShapes {
		for _, size := range t.sizes {
			if _, err := db.insertStmt(ctx, t.table, t.cols, size, t.suffix); err != nil {
				return db.wrap("prepare "+t.table, err)
			}
			if t.table == "pages" {
				if _, err := db.pageUpdateStmt(ctx, size); err != nil {
					return db.wrap("prepare pages", err)
				}
			}
		}
	}
	start := time.Now()
	defer func() {
		// SQLite has one write lock and no queue: a crawl writing batch
		// after batch could starve other processes (a worker's heartbeat,
		// the API) whose busy handler polls for it, every 100 ms at worst.
		// Pausing for a quarter of the time the lock was held leaves them
		// a window.
		time.Sleep(min(time.Since(start)/4, 100*time.Millisecond))
	}()
	return db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		var one int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT 1 FROM jobs WHERE `+fence), l.JobID, l.Attempt).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrLeaseLost
			}
			return db.wrap("write crawl", err)
		}
		if err := db.writePagesSQLite(ctx, tx, b.Pages); err != nil {
			return db.wrap("write pages", err)
		}
		if err := multiInsert(ctx, tx, db, insertShapes[1], len(b.Links), func(i int) []any {
			return linkValues(&b.Links[i])
		}); err != nil {
			return db.wrap("write links", err)
		}
		return nil
	})
}

// writePagesSQLite inserts the batch's new pages and replaces the others
// whole (rows are written when discovered and again when crawled). Not an
// upsert: its DO UPDATE may abort half-way, which makes SQLite keep an undo
// log of every b-tree page the statement touches (migration 0006). INSERT
// OR FAIL and UPDATE OR FAIL keep none; a failure still rolls the batch's
// transaction back whole.
func (db *DB) writePagesSQLite(ctx context.Context, tx *sql.Tx, pages []Page) error {
	if len(pages) == 0 {
		return nil
	}
	ids := make([]byte, 0, 8*len(pages))
	ids = append(ids, '[')
	for i := range pages {
		if i > 0 {
			ids = append(ids, ',')
		}
		ids = strconv.AppendInt(ids, pages[i].ID, 10)
	}
	ids = append(ids, ']')
	rows, err := tx.QueryContext(ctx, `SELECT id FROM pages WHERE crawl_id = ? AND id IN (SELECT value FROM json_each(?))`,
		pages[0].CrawlID, string(ids))
	if err != nil {
		return err
	}
	exists := make(map[int64]bool, len(pages))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		exists[id] = true
	}
	if err := rows.Close(); err != nil {
		return err
	}
	var add, update []*Page
	for i := range pages {
		p := &pages[i]
		if p.CrawlID != pages[0].CrawlID {
			return fmt.Errorf("pages of crawls %d and %d in one batch", pages[0].CrawlID, p.CrawlID)
		}
		if exists[p.ID] {
			update = append(update, p)
		} else {
			add = append(add, p)
		}
	}
	if err := multiInsert(ctx, tx, db, insertShapes[0], len(add), func(i int) []any {
		return db.d.pageValues(add[i])
	}); err != nil {
		return err
	}
	n, err := multiExec(ctx, tx, insertShapes[0].sizes, len(pageColumns), len(update),
		func(size int) (*sql.Stmt, error) { return db.pageUpdateStmt(ctx, size) },
		func(i int) []any { return db.d.pageValues(update[i]) })
	if err == nil && n != int64(len(update)) {
		err = fmt.Errorf("replaced %d pages of %d", n, len(update))
	}
	return err
}

// pageUpdateStmt replaces n page rows whole, from a VALUES list in
// pageColumns order.
func (db *DB) pageUpdateStmt(ctx context.Context, n int) (*sql.Stmt, error) {
	return db.writeStmt(ctx, fmt.Sprintf("stmt pages update %d", n), func(b *strings.Builder) {
		b.WriteString("UPDATE OR FAIL pages SET ")
		for i, c := range pageColumns[2:] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%s = v.column%d", c, i+3)
		}
		b.WriteString(" FROM (VALUES ")
		writeTuples(b, len(pageColumns), n)
		b.WriteString(") AS v WHERE pages.crawl_id = v.column1 AND pages.id = v.column2")
	})
}

// chunkSize is the largest of sizes (largest first, the last 1) that fits
// in n rows.
func chunkSize(sizes []int, n int) int {
	for _, s := range sizes {
		if s <= n {
			return s
		}
	}
	return 1
}

// upsertPages replaces a page row whole: rows are written when discovered
// and again when crawled (PostgreSQL, from COPY's temporary table).
var upsertPages = func() string {
	var b strings.Builder
	b.WriteString(" ON CONFLICT (crawl_id, id) DO UPDATE SET ")
	for i, c := range pageColumns[2:] {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = excluded.%s", c, c)
	}
	return b.String()
}()

// multiInsert writes n rows in statements of up to per rows. Statements of
// a few fixed sizes are prepared once and reused: parsing a 500-row insert
// costs more than running it.
func multiInsert(ctx context.Context, tx *sql.Tx, db *DB, shape insertShape, n int, row func(i int) []any) error {
	_, err := multiExec(ctx, tx, shape.sizes, len(shape.cols), n,
		func(size int) (*sql.Stmt, error) {
			return db.insertStmt(ctx, shape.table, shape.cols, size, shape.suffix)
		}, row)
	return err
}

// multiExec runs n rows through statements of the given row counts
// (largest first, the last 1), each row cols values, and returns the rows
// affected.
func multiExec(ctx context.Context, tx *sql.Tx, sizes []int, cols, n int, stmt func(size int) (*sql.Stmt, error), row func(i int) []any) (int64, error) {
	args := make([]any, 0, sizes[0]*cols)
	var affected int64
	for start := 0; start < n; {
		size := chunkSize(sizes, n-start)
		args = args[:0]
		for i := start; i < start+size; i++ {
			args = append(args, row(i)...)
		}
		st, err := stmt(size)
		if err != nil {
			return affected, err
		}
		res, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		if err != nil {
			return affected, err
		}
		if k, err := res.RowsAffected(); err == nil {
			affected += k
		}
		start += size
	}
	return affected, nil
}

// insertShape is a multi-row insert and the row counts it is prepared for,
// largest first (the last must be 1).
type insertShape struct {
	table, suffix string
	cols          []string
	sizes         []int
}

var insertShapes = []insertShape{
	{"pages", "", pageColumns, []int{500, 100, 20, 5, 1}},
	{"links", "", linkColumns, []int{2000, 100, 20, 5, 1}},
}

func (db *DB) insertStmt(ctx context.Context, table string, cols []string, rows int, suffix string) (*sql.Stmt, error) {
	return db.writeStmt(ctx, fmt.Sprintf("stmt %s %d %s", table, rows, suffix), func(b *strings.Builder) {
		verb := "INSERT"
		if db.d == sqliteDialect {
			verb = "INSERT OR FAIL" // see writePagesSQLite
		}
		fmt.Fprintf(b, "%s INTO %s (%s) VALUES ", verb, table, strings.Join(cols, ", "))
		writeTuples(b, len(cols), rows)
		b.WriteString(suffix)
	})
}

// writeStmt returns the writer's statement cached under key, preparing
// the query that build writes the first time.
func (db *DB) writeStmt(ctx context.Context, key string, build func(b *strings.Builder)) (*sql.Stmt, error) {
	if v, ok := db.queries.Load(key); ok {
		return v.(*sql.Stmt), nil
	}
	var b strings.Builder
	build(&b)
	st, err := db.w.PrepareContext(ctx, db.d.expand(b.String()))
	if err != nil {
		return nil, err
	}
	if v, loaded := db.queries.LoadOrStore(key, st); loaded {
		st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

// writeTuples writes rows placeholder tuples of cols values each.
func writeTuples(b *strings.Builder, cols, rows int) {
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
	}
}

// pgxFencedTx runs fn in a PostgreSQL transaction on a native pgx
// connection (for COPY), after checking the lease, and commits.
func (db *DB) pgxFencedTx(ctx context.Context, l Lease, op string, fn func(tx pgx.Tx) error) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return db.wrap(op, err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		tx, err := dc.(*stdlib.Conn).Conn().Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		var one int
		if err := tx.QueryRow(ctx, db.q(`SELECT 1 FROM jobs WHERE `+fence+` {for_share}`), l.JobID, l.Attempt).Scan(&one); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrLeaseLost
			}
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
	if errors.Is(err, ErrLeaseLost) {
		return err
	}
	return db.wrap(op, err)
}

// crawlWritePostgres copies the batch into a session temp table and upserts
// from it: COPY cannot upsert, and one INSERT … SELECT is a single statement
// whatever the batch size.
func (db *DB) crawlWritePostgres(ctx context.Context, l Lease, b *CrawlBatch) error {
	return db.pgxFencedTx(ctx, l, "write crawl", func(tx pgx.Tx) error {
		if len(b.Pages) > 0 {
			if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS pages_in (LIKE pages INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`); err != nil {
				return err
			}
			// Rows are converted as COPY sends them, not all first: a batch
			// can hold tens of thousands of newly found pages.
			rows := pgx.CopyFromSlice(len(b.Pages), func(i int) ([]any, error) { return db.d.pageValues(&b.Pages[i]), nil })
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"pages_in"}, pageColumns, rows); err != nil {
				return err
			}
			cols := strings.Join(pageColumns, ", ")
			if _, err := tx.Exec(ctx, `INSERT INTO pages (`+cols+`) SELECT `+cols+` FROM pages_in`+upsertPages); err != nil {
				return err
			}
		}
		if len(b.Links) > 0 {
			rows := pgx.CopyFromSlice(len(b.Links), func(i int) ([]any, error) { return linkValues(&b.Links[i]), nil })
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"links"}, linkColumns, rows); err != nil {
				return err
			}
		}
		return nil
	})
}

// timeParam converts a time to the dialect's column type.
func (d *dialect) timeParam(t *time.Time) any {
	if t == nil {
		return nil
	}
	if d == postgresDialect {
		return t.UTC()
	}
	return t.UnixMilli()
}

// PageKey is the part of a page a crawl keeps in memory to resume.
type PageKey struct {
	ID        int64
	URL       string
	Internal  bool
	State     string
	Reason    string
	Depth     int
	InSitemap bool
}

// PageKeys streams every page of a crawl in id order.
func (db *DB) PageKeys(ctx context.Context, crawlID int64, fn func(PageKey) error) error {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT id, url, internal, state, reason, depth, in_sitemap FROM pages WHERE crawl_id = ? ORDER BY id`), crawlID)
	if err != nil {
		return db.wrap("read page keys", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k PageKey
		if err := rows.Scan(&k.ID, &k.URL, &k.Internal, &k.State, &k.Reason, &k.Depth, &k.InSitemap); err != nil {
			return db.wrap("read page keys", err)
		}
		if err := fn(k); err != nil {
			return err
		}
	}
	return db.wrap("read page keys", rows.Err())
}

// FrontierItem is a queued page.
type FrontierItem struct {
	ID        int64
	URL       string
	Depth     int
	FoundFrom int64
	InSitemap bool
}

// FrontierNext returns up to limit queued pages of a depth after a page id,
// in discovery order.
func (db *DB) FrontierNext(ctx context.Context, crawlID int64, depth int, afterID int64, limit int) ([]FrontierItem, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT id, url, depth, found_from, in_sitemap FROM pages
		WHERE crawl_id = ? AND state = 'queued' AND depth = ? AND id > ? ORDER BY id LIMIT ?`), crawlID, depth, afterID, limit)
	if err != nil {
		return nil, db.wrap("read frontier", err)
	}
	defer rows.Close()
	var out []FrontierItem
	for rows.Next() {
		var it FrontierItem
		var found sql.NullInt64
		if err := rows.Scan(&it.ID, &it.URL, &it.Depth, &found, &it.InSitemap); err != nil {
			return nil, db.wrap("read frontier", err)
		}
		it.FoundFrom = found.Int64
		out = append(out, it)
	}
	return out, db.wrap("read frontier", rows.Err())
}

// PagesList returns pages of a crawl in id order after a page id.
func (db *DB) PagesList(ctx context.Context, crawlID, afterID int64, limit int) ([]Page, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+pageReadColumns+` FROM pages
		WHERE crawl_id = ? AND id > ? ORDER BY id LIMIT ?`), crawlID, afterID, limit)
	if err != nil {
		return nil, db.wrap("list pages", err)
	}
	defer rows.Close()
	var out []Page
	for rows.Next() {
		p, err := scanPage(rows)
		if err != nil {
			return nil, db.wrap("list pages", err)
		}
		out = append(out, p)
	}
	return out, db.wrap("list pages", rows.Err())
}

// LinksList returns the links of a crawl in (source, position) order after
// the given source and position.
func (db *DB) LinksList(ctx context.Context, crawlID, afterSource int64, afterPos, limit int) ([]Link, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+strings.Join(linkColumns, ", ")+` FROM links
		WHERE crawl_id = ? AND (source_id, position) > (?, ?)
		ORDER BY source_id, position LIMIT ?`), crawlID, afterSource, afterPos, limit)
	if err != nil {
		return nil, db.wrap("list links", err)
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		var l Link
		if err := rows.Scan(&l.CrawlID, &l.SourceID, &l.Position, &l.TargetID, &l.Kind, &l.Text, &l.Flags, &l.Internal); err != nil {
			return nil, db.wrap("list links", err)
		}
		out = append(out, l)
	}
	return out, db.wrap("list links", rows.Err())
}

// CrawlSummary counts what a crawl found, for its closing report.
type CrawlSummary struct {
	Found         int64            // internal pages queued or crawled
	Crawled       int64            // pages requested
	ByStatusClass map[string]int64 // "2xx", "3xx", "4xx", "5xx", "error" over crawled pages
	Throttled     int64            // crawled pages still throttled after retries
	NonIndexable  int64            // crawled pages that are not indexable
	Blocked       int64            // internal URLs disallowed by robots.txt
	External      int64            // external URLs linked
	Excluded      int64            // internal URLs not crawled by the options
	Queued        int64            // still waiting (a stopped crawl)
	BrokenLinks   int64            // links to crawled pages with 4xx/5xx or an error
	Redirects     int64            // crawled 3xx pages
	MaxDepth      int              // deepest crawled depth
}

// CrawlSummarize computes a crawl's summary.
func (db *DB) CrawlSummarize(ctx context.Context, crawlID int64) (CrawlSummary, error) {
	s := CrawlSummary{ByStatusClass: map[string]int64{}}
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT state, internal, indexable, indexability,
		CASE WHEN state <> 'crawled' THEN '' WHEN status = 0 THEN 'error' WHEN status < 200 THEN '1xx'
		     WHEN status < 300 THEN '2xx' WHEN status < 400 THEN '3xx' WHEN status < 500 THEN '4xx' ELSE '5xx' END,
		COUNT(*), MAX(depth)
		FROM pages WHERE crawl_id = ? GROUP BY 1, 2, 3, 4, 5`), crawlID)
	if err != nil {
		return s, db.wrap("summarize crawl", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state, reason, class string
		var internal, indexable bool
		var n int64
		var maxDepth int
		if err := rows.Scan(&state, &internal, &indexable, &reason, &class, &n, &maxDepth); err != nil {
			return s, db.wrap("summarize crawl", err)
		}
		switch state {
		case PageCrawled:
			s.Crawled += n
			s.ByStatusClass[class] += n
			if !indexable {
				s.NonIndexable += n
			}
			if reason == "throttled" {
				s.Throttled += n
			}
			if class == "3xx" {
				s.Redirects += n
			}
			s.MaxDepth = max(s.MaxDepth, maxDepth)
		case PageQueued:
			s.Queued += n
		case PageBlocked:
			s.Blocked += n
		case PageExternal:
			s.External += n
		case PageExcluded:
			s.Excluded += n
		}
		if internal && (state == PageCrawled || state == PageQueued) {
			s.Found += n
		}
	}
	if err := rows.Err(); err != nil {
		return s, db.wrap("summarize crawl", err)
	}
	// From the failed pages (few) to their inlinks through links_target.
	// Written as IN, not a join: SQLite's planner put the crawl's links
	// outside a join and probed pages for each of them (36 s of a
	// 100,000-page crawl's end); IN lists the failed pages first.
	err = db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM links WHERE crawl_id = ? AND target_id IN
		(SELECT id FROM pages WHERE crawl_id = ? AND state = 'crawled' AND (status = 0 OR status >= 400) AND indexability <> 'throttled')`),
		crawlID, crawlID).Scan(&s.BrokenLinks)
	return s, db.wrap("summarize crawl", err)
}

// PagesRequeue queues, at a depth, the excluded pages of a crawl with the
// given reason (sitemap-only pages once the link crawl ends), fenced.
func (db *DB) PagesRequeue(ctx context.Context, l Lease, crawlID int64, reason string, depth int) (int64, error) {
	var n int64
	err := db.tx(ctx, func(tx *sql.Tx, _ *notes) error {
		var one int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT 1 FROM jobs WHERE `+fence+` {for_share}`), l.JobID, l.Attempt).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrLeaseLost
			}
			return db.wrap("requeue pages", err)
		}
		res, err := tx.ExecContext(ctx, db.q(`UPDATE pages SET state = 'queued', reason = '', depth = ?
			WHERE crawl_id = ? AND state = 'excluded' AND reason = ?`), depth, crawlID, reason)
		if err != nil {
			return db.wrap("requeue pages", err)
		}
		n, err = res.RowsAffected()
		return db.wrap("requeue pages", err)
	})
	return n, err
}
