package store

import (
	"context"
	"strings"
)

// LinkURLs is a link with the URLs of its source and target pages, for
// consumers that should not need page ids (exports).
type LinkURLs struct {
	Link
	SourceURL string
	TargetURL string
}

var linkURLColumns = func() string {
	cols := make([]string, len(linkColumns))
	for i, c := range linkColumns {
		cols[i] = "l." + c
	}
	return strings.Join(cols, ", ") + ", COALESCE(s.url, ''), COALESCE(t.url, '')"
}()

// linkURLFrom joins a link to its source and target pages.
const linkURLFrom = ` FROM links l
	LEFT JOIN pages s ON s.crawl_id = l.crawl_id AND s.id = l.source_id
	LEFT JOIN pages t ON t.crawl_id = l.crawl_id AND t.id = l.target_id`

// LinksWithURLs returns the links of a crawl with their source and target
// URLs, in (source, position) order after the given source and position:
// keyset pages, each a walk of the links primary key with two page lookups
// per row.
func (db *DB) LinksWithURLs(ctx context.Context, crawlID, afterSource int64, afterPos, limit int) ([]LinkURLs, error) {
	return db.queryLinkURLs(ctx, "list links", `SELECT `+linkURLColumns+linkURLFrom+` WHERE l.crawl_id = ? AND (l.source_id, l.position) > (?, ?)
		ORDER BY l.source_id, l.position LIMIT ?`, crawlID, afterSource, afterPos, limit)
}

// queryLinkURLs runs a query selecting linkURLColumns and scans its rows.
func (db *DB) queryLinkURLs(ctx context.Context, op, q string, args ...any) ([]LinkURLs, error) {
	rows, err := db.r.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, db.wrap(op, err)
	}
	defer rows.Close()
	var out []LinkURLs
	for rows.Next() {
		var l LinkURLs
		if err := rows.Scan(&l.CrawlID, &l.SourceID, &l.Position, &l.TargetID, &l.Kind, &l.Text, &l.Flags, &l.Internal,
			&l.SourceURL, &l.TargetURL); err != nil {
			return nil, db.wrap(op, err)
		}
		out = append(out, l)
	}
	return out, db.wrap(op, rows.Err())
}
