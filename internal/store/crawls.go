package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
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

// CrawlListActive lists the crawls that are queued, running or stopping,
// newest first: the "running crawls" indicator. The crawls(status) index
// serves it without a scan.
func (db *DB) CrawlListActive(ctx context.Context) ([]Crawl, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+crawlColumns+` FROM crawls
		WHERE status IN ('queued', 'running', 'stopping') ORDER BY id DESC`))
	if err != nil {
		return nil, db.wrap("list active crawls", err)
	}
	defer rows.Close()
	var out []Crawl
	for rows.Next() {
		c, err := scanCrawl(rows)
		if err != nil {
			return nil, db.wrap("list active crawls", err)
		}
		out = append(out, c)
	}
	return out, db.wrap("list active crawls", rows.Err())
}

// CrawlDelete deletes a crawl with its jobs, their logs and output, its
// pages and links (ON DELETE CASCADE). It returns ErrNotFound for an unknown
// crawl and ErrInvalidState while the crawl has an active job: stop it and
// wait for it to end first, or its worker would write into a deleted crawl.
func (db *DB) CrawlDelete(ctx context.Context, id int64) error {
	return db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		// Lock the crawl first (PostgreSQL): a job enqueued concurrently
		// must either be seen below or fail its foreign key after we commit.
		var one int64
		if err := tx.QueryRowContext(ctx, db.q(`SELECT id FROM crawls WHERE id = ? {for_update}`), id).Scan(&one); err != nil {
			return db.wrap("delete crawl", err)
		}
		rows, err := tx.QueryContext(ctx, db.q(`SELECT id, status FROM jobs WHERE crawl_id = ?`), id)
		if err != nil {
			return db.wrap("delete crawl", err)
		}
		var jobs []int64
		var active []string
		for rows.Next() {
			var jid int64
			var st JobStatus
			if err := rows.Scan(&jid, &st); err != nil {
				rows.Close()
				return db.wrap("delete crawl", err)
			}
			jobs = append(jobs, jid)
			if st.Active() {
				active = append(active, fmt.Sprintf("job %d is %s", jid, st))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return db.wrap("delete crawl", err)
		}
		if len(active) > 0 {
			return fmt.Errorf("%w: crawl %d still has an active job (%s)", ErrInvalidState, id, strings.Join(active, ", "))
		}
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM crawls WHERE id = ?`), id); err != nil {
			return db.wrap("delete crawl", err)
		}
		// Followers of the deleted jobs wake up, find them gone and end.
		for _, jid := range jobs {
			n.add(TopicJob(jid))
		}
		n.add(TopicCrawls)
		return nil
	})
}
