package store

import (
	"context"
	"database/sql"
	"encoding/json"
)

// CrawlCreateParams describe a new crawl and its first job.
type CrawlCreateParams struct {
	StartURL string
	Options  json.RawMessage
	Job      JobEnqueueParams // CrawlID is set by CrawlCreate
}

// CrawlCreate inserts a crawl and enqueues its first job in one transaction.
func (db *DB) CrawlCreate(ctx context.Context, p CrawlCreateParams) (Crawl, Job, error) {
	var crawl Crawl
	var job Job
	opts := p.Options
	if len(opts) == 0 {
		opts = json.RawMessage("{}")
	}
	err := db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		var id int64
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO crawls (start_url, options, status, created_at) VALUES (?, ?, 'queued', {now}) RETURNING id`),
			p.StartURL, string(opts)).Scan(&id); err != nil {
			return db.wrap("create crawl", err)
		}
		jp := p.Job
		jp.CrawlID = &id
		var err error
		if job, _, err = db.enqueueTx(ctx, tx, n, jp); err != nil {
			return err
		}
		crawl, err = scanCrawl(tx.QueryRowContext(ctx, db.q(`SELECT `+crawlColumns+` FROM crawls WHERE id = ?`), id))
		return db.wrap("create crawl", err)
	})
	return crawl, job, err
}

// CrawlGet returns one crawl or ErrNotFound.
func (db *DB) CrawlGet(ctx context.Context, id int64) (Crawl, error) {
	c, err := scanCrawl(db.r.QueryRowContext(ctx, db.q(`SELECT `+crawlColumns+` FROM crawls WHERE id = ?`), id))
	return c, db.wrap("get crawl", err)
}

// CrawlList lists crawls newest first, before a cursor id (0: newest).
func (db *DB) CrawlList(ctx context.Context, beforeID int64, limit int) ([]Crawl, error) {
	if limit <= 0 {
		limit = 100
	}
	if beforeID <= 0 {
		beforeID = 1 << 62
	}
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+crawlColumns+` FROM crawls WHERE id < ? ORDER BY id DESC LIMIT ?`), beforeID, limit)
	if err != nil {
		return nil, db.wrap("list crawls", err)
	}
	defer rows.Close()
	var out []Crawl
	for rows.Next() {
		c, err := scanCrawl(rows)
		if err != nil {
			return nil, db.wrap("list crawls", err)
		}
		out = append(out, c)
	}
	return out, db.wrap("list crawls", rows.Err())
}
