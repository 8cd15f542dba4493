package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// PageAudit is what the audit job computes for one page (columns of pages,
// migration 0004). All zero until the crawl is audited.
type PageAudit struct {
	Inlinks         int     // anchor links from other pages, every occurrence
	UniqueInlinks   int     // distinct pages linking with an anchor
	LinkScore       float64 // internal PageRank scaled 0–100; 0 when not eligible
	RedirectFinalID int64   // a redirecting page's final page id; 0 for none
	RedirectHops    int     // redirects followed from this page
	RedirectLoop    bool
	// Duplicate clusters: the lowest page id of the cluster, 0 for none.
	TitleDup, DescriptionDup, H1Dup, ContentDup, NearDup int64
	FindingCount                                         int
}

var auditColumns = []string{"inlinks", "unique_inlinks", "link_score", "redirect_final_id", "redirect_hops", "redirect_loop",
	"title_dup", "description_dup", "h1_dup", "content_dup", "near_dup", "finding_count"}

// pageReadColumns is what every read of a whole page selects (scanPage).
var pageReadColumns = strings.Join(append(slices.Clone(pageColumns), auditColumns...), ", ")

func auditValues(id int64, a *PageAudit) []any {
	return []any{id, a.Inlinks, a.UniqueInlinks, a.LinkScore, a.RedirectFinalID, a.RedirectHops, a.RedirectLoop,
		a.TitleDup, a.DescriptionDup, a.H1Dup, a.ContentDup, a.NearDup, a.FindingCount}
}

// PageAuditRow is the audit of page ID.
type PageAuditRow struct {
	ID int64
	PageAudit
}

// Finding is one row of findings: check CheckID fired on page PageID about
// Element. Seq orders several findings of one check on one page, from 0.
type Finding struct {
	CrawlID int64
	CheckID string
	PageID  int64
	Seq     int
	Element string
}

var findingColumns = []string{"crawl_id", "check_id", "page_id", "seq", "element"}

func findingValues(f *Finding) []any {
	return []any{f.CrawlID, f.CheckID, f.PageID, f.Seq, f.Element}
}

// AuditPage is the part of a page the audit job reads: everything a check
// needs, nothing it does not (no extra JSON), so 100,000 pages fit in memory.
type AuditPage struct {
	ID                   int64
	URL                  string
	Internal             bool
	State                string
	Depth                int
	InSitemap            bool
	Status               int
	FetchError           string
	ContentType          string
	Size                 int64
	Truncated            bool
	TTFBMicros           int64
	RedirectURL          string
	Title                string
	TitleLength          int
	TitleCount           int
	Description          string
	DescriptionLength    int
	DescriptionCount     int
	H1                   string
	H1Count              int
	Canonical            string
	Indexable            bool
	Indexability         string
	WordCount            int
	ContentHash, SimHash int64
	InternalOutlinks     int
}

// AuditPages returns a crawl's pages after afterID, in id order.
func (db *DB) AuditPages(ctx context.Context, crawlID, afterID int64, limit int) ([]AuditPage, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT id, url, internal, state, depth, in_sitemap, status, fetch_error,
			content_type, size, truncated, ttfb_us, redirect_url, title, title_length, title_count,
			description, description_length, description_count, h1, h1_count, canonical, indexable, indexability,
			word_count, content_hash, simhash, internal_outlinks
		FROM pages WHERE crawl_id = ? AND id > ? ORDER BY id LIMIT ?`), crawlID, afterID, limit)
	if err != nil {
		return nil, db.wrap("audit pages", err)
	}
	defer rows.Close()
	var out []AuditPage
	for rows.Next() {
		var p AuditPage
		if err := rows.Scan(&p.ID, &p.URL, &p.Internal, &p.State, &p.Depth, &p.InSitemap, &p.Status, &p.FetchError,
			&p.ContentType, &p.Size, &p.Truncated, &p.TTFBMicros, &p.RedirectURL, &p.Title, &p.TitleLength, &p.TitleCount,
			&p.Description, &p.DescriptionLength, &p.DescriptionCount, &p.H1, &p.H1Count, &p.Canonical, &p.Indexable, &p.Indexability,
			&p.WordCount, &p.ContentHash, &p.SimHash, &p.InternalOutlinks); err != nil {
			return nil, db.wrap("audit pages", err)
		}
		out = append(out, p)
	}
	return out, db.wrap("audit pages", rows.Err())
}

// AuditLink is the part of a link the audit job reads.
type AuditLink struct {
	SourceID int64
	Position int
	TargetID int64
	Kind     string
	Flags    int
	Internal bool
}

// auditLinkKinds are the kinds AuditLinks returns, by the code its query
// selects (the kind as a small integer: no string to allocate per row).
var auditLinkKinds = []string{"anchor", "image", "canonical", "hreflang", "redirect"}

const auditLinksQuery = `SELECT source_id, position, target_id,
		CASE kind WHEN 'anchor' THEN 0 WHEN 'image' THEN 1 WHEN 'canonical' THEN 2 WHEN 'hreflang' THEN 3 ELSE 4 END,
		flags, internal
	FROM links
	WHERE crawl_id = ? AND kind IN ('anchor', 'image', 'canonical', 'hreflang', 'redirect')
	ORDER BY source_id, position`

// AuditLinks calls fn with a crawl's links of the kinds the audit reads
// (anchor, image, canonical, hreflang, redirect), in (source, position)
// order, batch rows at a time; fn must not keep the slice. It is the
// audit's biggest read (every link of the crawl), so it is one query
// streamed in primary-key order (no repeated index descents), and
// PostgreSQL rows are read with pgx directly, in binary, without
// database/sql's per-value conversions.
func (db *DB) AuditLinks(ctx context.Context, crawlID int64, batch int, fn func([]AuditLink) error) error {
	buf := make([]AuditLink, 0, batch)
	var kind int
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		err := fn(buf)
		buf = buf[:0]
		return err
	}
	if db.d == postgresDialect {
		conn, err := db.r.Conn(ctx)
		if err != nil {
			return db.wrap("audit links", err)
		}
		defer conn.Close()
		err = conn.Raw(func(dc any) error {
			rows, err := dc.(*stdlib.Conn).Conn().Query(ctx, db.q(auditLinksQuery), crawlID)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var src, pos, tgt int64
				var flags int32
				var internal bool
				if err := rows.Scan(&src, &pos, &tgt, &kind, &flags, &internal); err != nil {
					return err
				}
				buf = append(buf, AuditLink{SourceID: src, Position: int(pos), TargetID: tgt, Kind: auditLinkKinds[kind], Flags: int(flags), Internal: internal})
				if len(buf) == batch {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
			return flush()
		})
		return db.wrap("audit links", err)
	}
	rows, err := db.r.QueryContext(ctx, db.q(auditLinksQuery), crawlID)
	if err != nil {
		return db.wrap("audit links", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l AuditLink
		if err := rows.Scan(&l.SourceID, &l.Position, &l.TargetID, &kind, &l.Flags, &l.Internal); err != nil {
			return db.wrap("audit links", err)
		}
		l.Kind = auditLinkKinds[kind]
		buf = append(buf, l)
		if len(buf) == batch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return db.wrap("audit links", err)
	}
	return flush()
}

// AuditBegin starts an audit run of a crawl, fenced by the audit job's
// lease: the previous run's findings are deleted (AuditWrite then rewrites
// every page's results).
func (db *DB) AuditBegin(ctx context.Context, l Lease, crawlID int64) error {
	return db.fencedTx(ctx, l, "begin audit", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.q(`DELETE FROM findings WHERE crawl_id = ?`), crawlID)
		return err
	})
}

// AuditBatchSize is how many page results and findings an audit should
// write per transaction (short on SQLite, whose write lock is shared).
func (db *DB) AuditBatchSize() int {
	if db.d == postgresDialect {
		return 20_000
	}
	return 2_000
}

// AuditWrite stores a batch of page results and findings in one fenced
// transaction.
func (db *DB) AuditWrite(ctx context.Context, l Lease, crawlID int64, pages []PageAuditRow, findings []Finding) error {
	if len(pages) == 0 && len(findings) == 0 {
		return nil
	}
	if db.d == postgresDialect {
		return db.auditWritePostgres(ctx, l, crawlID, pages, findings)
	}
	// Prepare before the transaction: it holds SQLite's only writer
	// connection, which a prepare on the pool would wait for forever.
	for _, size := range findingShape.sizes {
		if _, err := db.insertStmt(ctx, findingShape.table, findingShape.cols, size, findingShape.suffix); err != nil {
			return db.wrap("prepare findings", err)
		}
	}
	return db.fencedTx(ctx, l, "write audit", func(tx *sql.Tx) error {
		const per = 500
		for start := 0; start < len(pages); start += per {
			chunk := pages[start:min(start+per, len(pages))]
			var b strings.Builder
			args := make([]any, 0, len(chunk)*(len(auditColumns)+1)+1)
			b.WriteString("UPDATE OR FAIL pages SET ") // no undo log per statement (migration 0006)
			for i, c := range auditColumns {
				if i > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "%s = v.column%d", c, i+2)
			}
			b.WriteString(" FROM (VALUES ")
			writeTuples(&b, len(auditColumns)+1, len(chunk))
			for i := range chunk {
				args = append(args, auditValues(chunk[i].ID, &chunk[i].PageAudit)...)
			}
			b.WriteString(") AS v WHERE pages.crawl_id = ? AND pages.id = v.column1")
			args = append(args, crawlID)
			if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
				return err
			}
		}
		return multiInsert(ctx, tx, db, findingShape, len(findings), func(i int) []any { return findingValues(&findings[i]) })
	})
}

var findingShape = insertShape{"findings", "", findingColumns, []int{1000, 100, 20, 5, 1}}

func (db *DB) auditWritePostgres(ctx context.Context, l Lease, crawlID int64, pages []PageAuditRow, findings []Finding) error {
	return db.pgxFencedTx(ctx, l, "write audit", func(tx pgx.Tx) error {
		if len(pages) > 0 {
			if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS audit_in (id BIGINT, inlinks INTEGER, unique_inlinks INTEGER,
				link_score DOUBLE PRECISION, redirect_final_id BIGINT, redirect_hops INTEGER, redirect_loop BOOLEAN,
				title_dup BIGINT, description_dup BIGINT, h1_dup BIGINT, content_dup BIGINT, near_dup BIGINT,
				finding_count INTEGER) ON COMMIT DELETE ROWS`); err != nil {
				return err
			}
			rows := make([][]any, len(pages))
			for i := range pages {
				rows[i] = auditValues(pages[i].ID, &pages[i].PageAudit)
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_in"}, append([]string{"id"}, auditColumns...), pgx.CopyFromRows(rows)); err != nil {
				return err
			}
			var set strings.Builder
			for i, c := range auditColumns {
				if i > 0 {
					set.WriteString(", ")
				}
				fmt.Fprintf(&set, "%s = a.%s", c, c)
			}
			if _, err := tx.Exec(ctx, `UPDATE pages p SET `+set.String()+` FROM audit_in a WHERE p.crawl_id = $1 AND p.id = a.id`, crawlID); err != nil {
				return err
			}
		}
		if len(findings) > 0 {
			rows := make([][]any, len(findings))
			for i := range findings {
				rows[i] = findingValues(&findings[i])
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"findings"}, findingColumns, pgx.CopyFromRows(rows)); err != nil {
				return err
			}
		}
		return nil
	})
}

// AuditFinish records that the crawl's audit is complete (crawls.audited_at),
// fenced.
func (db *DB) AuditFinish(ctx context.Context, l Lease, crawlID int64) error {
	return db.fencedTx(ctx, l, "finish audit", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.q(`UPDATE crawls SET audited_at = {now} WHERE id = ?`), crawlID)
		return err
	})
}

// fencedTx runs fn in a transaction that first checks the lease.
func (db *DB) fencedTx(ctx context.Context, l Lease, op string, fn func(tx *sql.Tx) error) error {
	err := db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		var one int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT 1 FROM jobs WHERE `+fence+` {for_share}`), l.JobID, l.Attempt).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrLeaseLost
			}
			return err
		}
		return fn(tx)
	})
	if errors.Is(err, ErrLeaseLost) {
		return err
	}
	return db.wrap(op, err)
}

// FindingURL is a finding with its page's URL.
type FindingURL struct {
	Finding
	URL string
}

// FindingsList returns a crawl's findings with their page URLs, in
// (check_id, page_id, seq) order after the given key: keyset pages over the
// findings primary key. checkID "" lists every check.
func (db *DB) FindingsList(ctx context.Context, crawlID int64, checkID string, after Finding, limit int) ([]FindingURL, error) {
	q := `SELECT f.crawl_id, f.check_id, f.page_id, f.seq, f.element, COALESCE(p.url, '') FROM findings f
		LEFT JOIN pages p ON p.crawl_id = f.crawl_id AND p.id = f.page_id
		WHERE f.crawl_id = ? AND (f.check_id, f.page_id, f.seq) > (?, ?, ?)`
	args := []any{crawlID, after.CheckID, after.PageID, after.Seq}
	if checkID != "" {
		q += ` AND f.check_id = ?`
		args = append(args, checkID)
	}
	q += ` ORDER BY f.check_id, f.page_id, f.seq LIMIT ?`
	args = append(args, limit)
	rows, err := db.r.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, db.wrap("list findings", err)
	}
	defer rows.Close()
	var out []FindingURL
	for rows.Next() {
		var f FindingURL
		if err := rows.Scan(&f.CrawlID, &f.CheckID, &f.PageID, &f.Seq, &f.Element, &f.URL); err != nil {
			return nil, db.wrap("list findings", err)
		}
		out = append(out, f)
	}
	return out, db.wrap("list findings", rows.Err())
}

// CrawlAudit enqueues an audit job for a crawl, first replacing the
// crawl's options when options is not nil (new thresholds), in one
// transaction. If the crawl already has an active job, nothing changes and
// that job is returned with created=false.
func (db *DB) CrawlAudit(ctx context.Context, crawlID int64, kind string, options []byte) (job Job, created bool, err error) {
	errActive := errors.New("active job")
	err = db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		var one int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT 1 FROM crawls WHERE id = ?`), crawlID).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return db.wrap("audit crawl", err)
		}
		job, created, err = db.enqueueTx(ctx, tx, n, JobEnqueueParams{Kind: kind, CrawlID: &crawlID})
		if err != nil {
			return err
		}
		if !created {
			return errActive
		}
		if options != nil {
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE crawls SET options = ? WHERE id = ?`), string(options), crawlID); err != nil {
				return db.wrap("audit crawl: options", err)
			}
		}
		return nil
	})
	if errors.Is(err, errActive) {
		return job, false, nil
	}
	return job, created, err
}
