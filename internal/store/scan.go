package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// dbTime scans both dialects' times: SQLite INTEGER milliseconds and
// PostgreSQL timestamptz. NULL leaves the target nil.
type dbTime struct{ t **time.Time }

func (d dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d.t = nil
	case int64:
		t := time.UnixMilli(x).UTC()
		*d.t = &t
	case time.Time:
		t := x.UTC()
		*d.t = &t
	default:
		return fmt.Errorf("unexpected time value %T", v)
	}
	return nil
}

// reqTime scans a NOT NULL time.
type reqTime struct{ t *time.Time }

func (d reqTime) Scan(v any) error {
	var p *time.Time
	if err := (dbTime{&p}).Scan(v); err != nil {
		return err
	}
	if p != nil {
		*d.t = *p
	}
	return nil
}

// jsonText scans TEXT or JSONB into raw JSON.
type jsonText struct{ p *json.RawMessage }

func (j jsonText) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*j.p = nil
	case string:
		*j.p = json.RawMessage(x)
	case []byte:
		*j.p = append(json.RawMessage(nil), x...)
	default:
		return fmt.Errorf("unexpected JSON value %T", v)
	}
	return nil
}

const jobColumns = `id, crawl_id, kind, args, status, attempt, max_attempts, worker_id, worker_host,
	worker_pid, child_pid, lease_expires_at, heartbeat_at, created_at, scheduled_at, started_at,
	finished_at, stop_requested_at, progress_done, progress_total, progress_detail, error, exit_code, log_seq`

type scanner interface{ Scan(dest ...any) error }

func scanJob(s scanner) (Job, error) {
	var j Job
	var crawlID sql.NullInt64
	var exitCode sql.NullInt64
	var detail string
	err := s.Scan(&j.ID, &crawlID, &j.Kind, jsonText{&j.Args}, &j.Status, &j.Attempt, &j.MaxAttempts,
		&j.WorkerID, &j.WorkerHost, &j.WorkerPID, &j.ChildPID,
		dbTime{&j.LeaseExpiresAt}, dbTime{&j.HeartbeatAt}, reqTime{&j.CreatedAt}, reqTime{&j.ScheduledAt},
		dbTime{&j.StartedAt}, dbTime{&j.FinishedAt}, dbTime{&j.StopRequestedAt},
		&j.Progress.Done, &j.Progress.Total, &detail, &j.Error, &exitCode, &j.LogSeq)
	if err != nil {
		return j, err
	}
	if crawlID.Valid {
		j.CrawlID = &crawlID.Int64
	}
	if exitCode.Valid {
		c := int(exitCode.Int64)
		j.ExitCode = &c
	}
	if detail != "" {
		j.Progress.Detail = json.RawMessage(detail)
	}
	return j, nil
}

func scanJobs(rows *sql.Rows) ([]Job, error) {
	defer rows.Close()
	var jobs []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

const crawlColumns = `id, start_url, options, status, last_job_id, created_at, started_at, finished_at,
	pages_found, pages_crawled, audited_at`

func scanCrawl(s scanner) (Crawl, error) {
	var c Crawl
	var last sql.NullInt64
	err := s.Scan(&c.ID, &c.StartURL, jsonText{&c.Options}, &c.Status, &last, reqTime{&c.CreatedAt},
		dbTime{&c.StartedAt}, dbTime{&c.FinishedAt}, &c.Found, &c.Crawled, dbTime{&c.AuditedAt})
	if last.Valid {
		c.LastJobID = &last.Int64
	}
	return c, err
}
