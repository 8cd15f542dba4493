package store

import (
	"context"
	"database/sql"
	"strings"
)

// CompareParams name the two crawls of a comparison: A the older, B the
// newer. Limit bounds each list of pages.
type CompareParams struct {
	A, B  int64
	Limit int
	// ValueChecks are the checks whose element is a value of the page (a
	// status, a timing, its own title: audit.ValueChecks); their findings
	// are matched by (check, page URL) alone, so a page still slow at a new
	// timing is persisting, not fixed and new.
	ValueChecks []string
}

// Comparison is what changed from crawl A to crawl B. Pages are matched by
// URL; findings by (check, page URL, element), as a set: the same element
// reported twice on one page counts once.
type Comparison struct {
	Checks []CheckDiff // every check with findings in A or B, by check id

	// Added are internal pages of B whose URL A does not have; Removed
	// internal pages of A whose URL B does not have. Lists are in URL
	// order, up to the limit; totals count them all.
	Added        []PageRef
	AddedTotal   int64
	Removed      []PageRef
	RemovedTotal int64

	// StatusChanges are URLs crawled in both whose status differs.
	StatusChanges      []StatusChange
	StatusChangesTotal int64
}

// CheckDiff counts one check's findings across the two crawls.
type CheckDiff struct {
	CheckID    string
	New        int64 // in B, not in A
	Fixed      int64 // in A, not in B
	Persisting int64 // in both
}

// StatusChange is one URL crawled in both crawls with another status.
type StatusChange struct {
	URL  string
	A, B PageRef
}

// urlOrder sorts URLs by bytes on both backends: PostgreSQL would otherwise
// use the database's collation, SQLite always compares bytes.
func (db *DB) urlOrder(col string) string {
	if db.d == postgresDialect {
		return col + ` COLLATE "C"`
	}
	return col
}

// CrawlCompare compares crawl A with crawl B. Each part is one pass over
// the two crawls' rows joined on URL (an index lookup per row on SQLite, a
// hash join on PostgreSQL), never a pairwise comparison. Unknown crawls
// compare as empty: callers check that both exist.
func (db *DB) CrawlCompare(ctx context.Context, p CompareParams) (Comparison, error) {
	var c Comparison
	var err error
	if c.Checks, err = db.compareFindings(ctx, p.A, p.B, p.ValueChecks); err != nil {
		return c, err
	}
	// Added and removed are one anti-join seen from either side.
	const missing = `FROM pages x WHERE x.crawl_id = ? AND x.internal
		AND NOT EXISTS (SELECT 1 FROM pages o WHERE o.crawl_id = ? AND o.url = x.url)`
	list := `SELECT x.id, x.url, x.state, x.status, x.fetch_error, COUNT(*) OVER () ` + missing +
		` ORDER BY ` + db.urlOrder("x.url") + ` LIMIT ?`
	for _, side := range []struct {
		from, other int64
		list        *[]PageRef
		total       *int64
	}{{p.B, p.A, &c.Added, &c.AddedTotal}, {p.A, p.B, &c.Removed, &c.RemovedTotal}} {
		if *side.list, *side.total, err = db.pageRefsCounted(ctx, "compare pages", list, `SELECT COUNT(*) `+missing,
			p.Limit, side.from, side.other); err != nil {
			return c, err
		}
	}

	const changed = `FROM pages b JOIN pages a ON a.crawl_id = ? AND a.url = b.url
		WHERE b.crawl_id = ? AND b.state = 'crawled' AND a.state = 'crawled' AND a.status <> b.status`
	if p.Limit <= 0 {
		err := db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*) `+changed), p.A, p.B).Scan(&c.StatusChangesTotal)
		return c, db.wrap("compare statuses", err)
	}
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT b.url, a.id, a.state, a.status, a.fetch_error, b.id, b.state, b.status, b.fetch_error,
		COUNT(*) OVER () `+changed+` ORDER BY `+db.urlOrder("b.url")+` LIMIT ?`), p.A, p.B, p.Limit)
	if err != nil {
		return c, db.wrap("compare statuses", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s StatusChange
		if err := rows.Scan(&s.URL, &s.A.ID, &s.A.State, &s.A.Status, &s.A.FetchError,
			&s.B.ID, &s.B.State, &s.B.Status, &s.B.FetchError, &c.StatusChangesTotal); err != nil {
			return c, db.wrap("compare statuses", err)
		}
		s.A.URL, s.B.URL = s.URL, s.URL
		c.StatusChanges = append(c.StatusChanges, s)
	}
	return c, db.wrap("compare statuses", rows.Err())
}

// compareFindings groups the findings of both crawls by (check, URL,
// element) in one aggregate, then counts per check the keys seen in A
// only, B only, or both.
func (db *DB) compareFindings(ctx context.Context, a, b int64, valueChecks []string) ([]CheckDiff, error) {
	// The element, or '' for value checks: ids are bound parameters.
	element := "f.element"
	var vargs []any
	if len(valueChecks) > 0 {
		element = "CASE WHEN f.check_id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(valueChecks)), ", ") + ") THEN '' ELSE f.element END"
		for _, id := range valueChecks {
			vargs = append(vargs, id)
		}
	}
	args := append(append([]any{a, b}, vargs...), a, b)
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT check_id,
			SUM(CASE WHEN in_a = 1 AND in_b = 0 THEN 1 ELSE 0 END),
			SUM(CASE WHEN in_a = 0 AND in_b = 1 THEN 1 ELSE 0 END),
			SUM(CASE WHEN in_a = 1 AND in_b = 1 THEN 1 ELSE 0 END)
		FROM (SELECT f.check_id, p.url, f.element,
				MAX(CASE WHEN f.crawl_id = ? THEN 1 ELSE 0 END) AS in_a,
				MAX(CASE WHEN f.crawl_id = ? THEN 1 ELSE 0 END) AS in_b
			FROM (SELECT crawl_id, check_id, page_id, `+element+` AS element FROM findings f
				WHERE f.crawl_id IN (?, ?)) f
			JOIN pages p ON p.crawl_id = f.crawl_id AND p.id = f.page_id
			GROUP BY f.check_id, p.url, f.element) k
		GROUP BY check_id ORDER BY check_id`), args...)
	if err != nil {
		return nil, db.wrap("compare findings", err)
	}
	defer rows.Close()
	var out []CheckDiff
	for rows.Next() {
		var d CheckDiff
		var fixed, added, both sql.NullInt64
		if err := rows.Scan(&d.CheckID, &fixed, &added, &both); err != nil {
			return nil, db.wrap("compare findings", err)
		}
		d.Fixed, d.New, d.Persisting = fixed.Int64, added.Int64, both.Int64
		out = append(out, d)
	}
	return out, db.wrap("compare findings", rows.Err())
}
