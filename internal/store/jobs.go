package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

const activeStatuses = "('pending', 'queued', 'running', 'stopping')"

// fence is the condition on every write a job's owner makes: the job is
// still this attempt, still running, and its lease has not expired by the
// database clock. Parameters: id, attempt.
const fence = "id = ? AND attempt = ? AND status IN ('running', 'stopping') AND lease_expires_at > {now}"

// JobEnqueueParams describe a new job.
type JobEnqueueParams struct {
	Kind        string
	Args        json.RawMessage
	CrawlID     *int64
	MaxAttempts int   // 0 means 3
	DelayMs     int64 // > 0: pending until then
}

// JobEnqueue adds a job. For a crawl that already has an active job it
// returns that job and created=false: the database allows one per crawl.
func (db *DB) JobEnqueue(ctx context.Context, p JobEnqueueParams) (job Job, created bool, err error) {
	err = db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		job, created, err = db.enqueueTx(ctx, tx, n, p)
		return err
	})
	return job, created, err
}

func (db *DB) enqueueTx(ctx context.Context, tx *sql.Tx, n *notes, p JobEnqueueParams) (Job, bool, error) {
	if p.Kind == "" {
		return Job{}, false, fmt.Errorf("store: enqueue: %w: empty job kind", ErrInvalidState)
	}
	args := p.Args
	if len(args) == 0 {
		args = json.RawMessage("{}")
	}
	if !json.Valid(args) {
		return Job{}, false, fmt.Errorf("store: enqueue: %w: args are not valid JSON", ErrInvalidState)
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 3
	}
	status := JobQueued
	if p.DelayMs > 0 {
		status = JobPending
	}
	row := tx.QueryRowContext(ctx, db.q(`INSERT INTO jobs (crawl_id, kind, args, status, max_attempts, created_at, scheduled_at)
		VALUES (?, ?, ?, ?, ?, {now}, {now+ms})
		ON CONFLICT (crawl_id) WHERE status IN `+activeStatuses+` DO NOTHING
		RETURNING `+jobColumns),
		nullInt64(p.CrawlID), p.Kind, string(args), status, p.MaxAttempts, max(p.DelayMs, 0))
	job, err := scanJob(row)
	if err == sql.ErrNoRows && p.CrawlID != nil {
		job, err = scanJob(tx.QueryRowContext(ctx, db.q(`SELECT `+jobColumns+` FROM jobs
			WHERE crawl_id = ? AND status IN `+activeStatuses), *p.CrawlID))
		return job, false, db.wrap("enqueue: find active job", err)
	}
	if err != nil {
		return Job{}, false, db.wrap("enqueue", err)
	}
	if p.CrawlID != nil {
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE crawls SET status = ?, last_job_id = ?, finished_at = NULL WHERE id = ?`),
			CrawlStatus(job.Status), job.ID, *p.CrawlID); err != nil {
			return Job{}, false, db.wrap("enqueue: mirror crawl", err)
		}
		n.add(TopicCrawls)
	}
	n.add(TopicQueue)
	n.add(TopicJob(job.ID))
	return job, true, nil
}

// JobGet returns one job or ErrNotFound.
func (db *DB) JobGet(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(db.r.QueryRowContext(ctx, db.q(`SELECT `+jobColumns+` FROM jobs WHERE id = ?`), id))
	return j, db.wrap("get job", err)
}

// JobListParams filter JobList. Results are newest first.
type JobListParams struct {
	Statuses []JobStatus
	CrawlID  *int64
	BeforeID int64 // 0: from the newest
	Limit    int   // 0 means 100
}

// JobList lists jobs, newest first.
func (db *DB) JobList(ctx context.Context, p JobListParams) ([]Job, error) {
	where := []string{"1 = 1"}
	var args []any
	if len(p.Statuses) > 0 {
		marks := make([]string, len(p.Statuses))
		for i, s := range p.Statuses {
			marks[i] = "?"
			args = append(args, string(s))
		}
		where = append(where, "status IN ("+strings.Join(marks, ", ")+")")
	}
	if p.CrawlID != nil {
		where = append(where, "crawl_id = ?")
		args = append(args, *p.CrawlID)
	}
	if p.BeforeID > 0 {
		where = append(where, "id < ?")
		args = append(args, p.BeforeID)
	}
	if p.Limit <= 0 {
		p.Limit = 100
	}
	args = append(args, p.Limit)
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+jobColumns+` FROM jobs WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`), args...)
	if err != nil {
		return nil, db.wrap("list jobs", err)
	}
	jobs, err := scanJobs(rows)
	return jobs, db.wrap("list jobs", err)
}

// JobClaimParams describe the claiming worker.
type JobClaimParams struct {
	WorkerID   string
	WorkerHost string
	WorkerPID  int
	Limit      int // free slots; claim no more
	LeaseMs    int64
	// JobID, when set, claims only that job: `scouter crawl` runs its own
	// crawl in an embedded worker without taking other users' jobs.
	JobID int64
}

// JobClaim marks up to Limit claimable jobs running for this worker, oldest
// first, starting a new attempt of each. PostgreSQL skips rows that other
// claimers hold; SQLite's single writer makes the statement atomic.
func (db *DB) JobClaim(ctx context.Context, p JobClaimParams) ([]Job, error) {
	if p.Limit <= 0 {
		return nil, nil
	}
	var jobs []Job
	err := db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		rows, err := tx.QueryContext(ctx, db.q(`WITH next AS MATERIALIZED (
				SELECT id FROM jobs
				WHERE status IN ('pending', 'queued') AND scheduled_at <= {now} AND (? = 0 OR id = ?)
				ORDER BY scheduled_at, id
				LIMIT ? {skip_locked}
			)
			UPDATE jobs SET status = 'running', attempt = attempt + 1,
				worker_id = ?, worker_host = ?, worker_pid = ?, child_pid = 0,
				lease_expires_at = {now+ms}, heartbeat_at = {now}, started_at = {now},
				finished_at = NULL, error = '', exit_code = NULL
			WHERE id IN (SELECT id FROM next)
			RETURNING `+jobColumns),
			p.JobID, p.JobID, p.Limit, p.WorkerID, p.WorkerHost, p.WorkerPID, p.LeaseMs)
		if err != nil {
			return db.wrap("claim", err)
		}
		if jobs, err = scanJobs(rows); err != nil {
			return db.wrap("claim", err)
		}
		for _, j := range jobs {
			n.add(TopicJob(j.ID))
			if j.CrawlID != nil {
				if _, err := tx.ExecContext(ctx, db.q(`UPDATE crawls SET status = 'running', started_at = COALESCE(started_at, {now}), finished_at = NULL
					WHERE id = ? AND last_job_id = ?`), *j.CrawlID, j.ID); err != nil {
					return db.wrap("claim: mirror crawl", err)
				}
				n.add(TopicCrawls)
			}
		}
		return nil
	})
	return jobs, err
}

// HasClaimable is a cheap read that spares idle workers a write transaction.
func (db *DB) HasClaimable(ctx context.Context) (bool, error) {
	var ok bool
	err := db.r.QueryRowContext(ctx, db.q(`SELECT EXISTS (SELECT 1 FROM jobs WHERE status IN ('pending', 'queued') AND scheduled_at <= {now})`)).Scan(&ok)
	return ok, db.wrap("has claimable", err)
}

// JobHeartbeatParams renew a lease.
type JobHeartbeatParams struct {
	Lease    Lease
	LeaseMs  int64
	ChildPID int // recorded when > 0
}

// JobHeartbeat renews the lease and returns the job's status, so the owner
// also learns of a stop request. ErrLeaseLost means stop working now.
func (db *DB) JobHeartbeat(ctx context.Context, p JobHeartbeatParams) (JobStatus, error) {
	var status JobStatus
	err := db.w.QueryRowContext(ctx, db.q(`UPDATE jobs SET lease_expires_at = {now+ms}, heartbeat_at = {now},
			child_pid = CASE WHEN ? > 0 THEN ? ELSE child_pid END
		WHERE `+fence+` RETURNING status`),
		p.LeaseMs, p.ChildPID, p.ChildPID, p.Lease.JobID, p.Lease.Attempt).Scan(&status)
	if err == sql.ErrNoRows {
		return "", ErrLeaseLost
	}
	return status, db.wrap("heartbeat", err)
}

// KindAudit is the job kind of a crawl's post-processing. Its progress
// counts analysis steps, not pages, so it is not mirrored onto the crawl's
// page counts.
const KindAudit = "audit"

// JobProgress records the owner's progress and mirrors it onto the crawl
// (pages found and crawled), except for an audit job.
func (db *DB) JobProgress(ctx context.Context, l Lease, p Progress) error {
	return db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		var crawlID sql.NullInt64
		var kind string
		err := tx.QueryRowContext(ctx, db.q(`UPDATE jobs SET progress_done = ?, progress_total = ?, progress_detail = ?
			WHERE `+fence+` RETURNING crawl_id, kind`), p.Done, p.Total, string(p.Detail), l.JobID, l.Attempt).Scan(&crawlID, &kind)
		if err == sql.ErrNoRows {
			return ErrLeaseLost
		}
		if err != nil {
			return db.wrap("progress", err)
		}
		n.add(TopicJob(l.JobID))
		if crawlID.Valid && kind != KindAudit {
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE crawls SET pages_found = ?, pages_crawled = ? WHERE id = ? AND last_job_id = ?`),
				p.Total, p.Done, crawlID.Int64, l.JobID); err != nil {
				return db.wrap("progress: mirror crawl", err)
			}
		}
		return nil
	})
}

// JobFinishParams end an attempt.
type JobFinishParams struct {
	Lease    Lease
	Status   JobStatus // completed, failed or stopped
	Error    string
	ExitCode *int
	// Then is enqueued in the same transaction when Status is completed:
	// the job's follow-up (a crawl's audit), so a crawl is never left
	// completed without it, nor audited twice.
	Then *JobEnqueueParams
}

// JobFinish ends the job, fenced, and mirrors the status onto its crawl in
// the same transaction.
func (db *DB) JobFinish(ctx context.Context, p JobFinishParams) error {
	if !p.Status.Terminal() {
		return fmt.Errorf("store: finish: %w: %s is not a final status", ErrInvalidState, p.Status)
	}
	return db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		var crawlID sql.NullInt64
		err := tx.QueryRowContext(ctx, db.q(`UPDATE jobs SET status = ?, finished_at = {now}, lease_expires_at = NULL, error = ?, exit_code = ?
			WHERE `+fence+` RETURNING crawl_id`),
			p.Status, truncate(p.Error, MaxLogMessage), nullInt(p.ExitCode), p.Lease.JobID, p.Lease.Attempt).Scan(&crawlID)
		if err == sql.ErrNoRows {
			return ErrLeaseLost
		}
		if err != nil {
			return db.wrap("finish", err)
		}
		n.add(TopicJob(p.Lease.JobID))
		if err := db.mirrorCrawl(ctx, tx, n, crawlID, p.Lease.JobID, p.Status); err != nil {
			return err
		}
		if p.Then != nil && p.Status == JobCompleted {
			if _, _, err := db.enqueueTx(ctx, tx, n, *p.Then); err != nil {
				return err
			}
		}
		return nil
	})
}

// JobHandBack returns a running job to the queue without counting a failed
// attempt (a worker shutting down). A job being stopped ends stopped.
func (db *DB) JobHandBack(ctx context.Context, l Lease) error {
	return db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		var crawlID sql.NullInt64
		var status JobStatus
		err := tx.QueryRowContext(ctx, db.q(`UPDATE jobs SET
				status = CASE WHEN status = 'stopping' THEN 'stopped' ELSE 'queued' END,
				finished_at = CASE WHEN status = 'stopping' THEN {now} ELSE NULL END,
				lease_expires_at = NULL, scheduled_at = {now}
			WHERE `+fence+` RETURNING crawl_id, status`), l.JobID, l.Attempt).Scan(&crawlID, &status)
		if err == sql.ErrNoRows {
			return ErrLeaseLost
		}
		if err != nil {
			return db.wrap("hand back", err)
		}
		if _, err := db.appendLogs(ctx, tx, nil, l.JobID, l.Attempt, []LogLine{{Level: LogWarn,
			Message: fmt.Sprintf("worker shut down; attempt %d handed back (job %s)", l.Attempt, status)}}); err != nil {
			return err
		}
		n.add(TopicJob(l.JobID))
		n.add(TopicQueue)
		return db.mirrorCrawl(ctx, tx, n, crawlID, l.JobID, status)
	})
}

// JobReapExpired re-queues jobs whose lease expired by the database clock:
// their owner died or lost contact. A job that was being stopped ends
// stopped; one that lost its lease max_attempts times ends failed.
func (db *DB) JobReapExpired(ctx context.Context) ([]Job, error) {
	var jobs []Job
	err := db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		rows, err := tx.QueryContext(ctx, db.q(`WITH expired AS MATERIALIZED (
				SELECT id FROM jobs
				WHERE status IN ('running', 'stopping') AND lease_expires_at <= {now}
				ORDER BY id LIMIT 100 {skip_locked}
			)
			UPDATE jobs SET
				status = CASE WHEN status = 'stopping' THEN 'stopped'
					WHEN expired_leases + 1 >= max_attempts THEN 'failed' ELSE 'queued' END,
				finished_at = CASE WHEN status = 'stopping' OR expired_leases + 1 >= max_attempts THEN {now} ELSE NULL END,
				error = CASE WHEN status <> 'stopping' AND expired_leases + 1 >= max_attempts
					THEN 'gave up: the lease expired on ' || (expired_leases + 1) || ' attempts' ELSE error END,
				expired_leases = expired_leases + 1, lease_expires_at = NULL, scheduled_at = {now}
			WHERE id IN (SELECT id FROM expired)
			RETURNING `+jobColumns))
		if err != nil {
			return db.wrap("reap", err)
		}
		if jobs, err = scanJobs(rows); err != nil {
			return db.wrap("reap", err)
		}
		for _, j := range jobs {
			msg := fmt.Sprintf("lease of attempt %d expired (worker %s); job %s", j.Attempt, j.WorkerID, j.Status)
			if _, err := db.appendLogs(ctx, tx, nil, j.ID, j.Attempt, []LogLine{{Level: LogWarn, Message: msg}}); err != nil {
				return err
			}
			n.add(TopicJob(j.ID))
			if j.Status == JobQueued {
				n.add(TopicQueue)
			}
			var crawlID sql.NullInt64
			if j.CrawlID != nil {
				crawlID = sql.NullInt64{Int64: *j.CrawlID, Valid: true}
			}
			if err := db.mirrorCrawl(ctx, tx, n, crawlID, j.ID, j.Status); err != nil {
				return err
			}
		}
		return nil
	})
	return jobs, err
}

// JobStopRequest asks a job to stop. A job not yet running stops at once; a
// running one becomes stopping and its owner sees it through a notification
// or its next heartbeat. Stopping a finished job changes nothing.
func (db *DB) JobStopRequest(ctx context.Context, id int64) (Job, error) {
	var job Job
	err := db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		var err error
		job, err = scanJob(tx.QueryRowContext(ctx, db.q(`UPDATE jobs SET
				status = CASE WHEN status IN ('pending', 'queued') THEN 'stopped' ELSE 'stopping' END,
				stop_requested_at = COALESCE(stop_requested_at, {now}),
				finished_at = CASE WHEN status IN ('pending', 'queued') THEN {now} ELSE finished_at END
			WHERE id = ? AND status IN ('pending', 'queued', 'running') RETURNING `+jobColumns), id))
		if err == sql.ErrNoRows {
			// Already stopping or finished: nothing changes, nothing is logged.
			job, err = scanJob(tx.QueryRowContext(ctx, db.q(`SELECT `+jobColumns+` FROM jobs WHERE id = ?`), id))
			return db.wrap("stop", err)
		}
		if err != nil {
			return db.wrap("stop", err)
		}
		if _, err := db.appendLogs(ctx, tx, nil, job.ID, job.Attempt, []LogLine{{Level: LogWarn, Message: "stop requested"}}); err != nil {
			return err
		}
		n.add(TopicJob(id))
		var crawlID sql.NullInt64
		if job.CrawlID != nil {
			crawlID = sql.NullInt64{Int64: *job.CrawlID, Valid: true}
		}
		return db.mirrorCrawl(ctx, tx, n, crawlID, job.ID, job.Status)
	})
	return job, err
}

// JobResume starts a new job with the kind, arguments and crawl of a stopped
// or failed one. If the crawl already has an active job, that one is
// returned with created=false.
func (db *DB) JobResume(ctx context.Context, id int64) (Job, bool, error) {
	old, err := db.JobGet(ctx, id)
	if err != nil {
		return Job{}, false, err
	}
	if old.Status != JobStopped && old.Status != JobFailed {
		return Job{}, false, fmt.Errorf("%w: job %d is %s; only stopped or failed jobs can be resumed", ErrInvalidState, id, old.Status)
	}
	return db.JobEnqueue(ctx, JobEnqueueParams{Kind: old.Kind, Args: old.Args, CrawlID: old.CrawlID, MaxAttempts: old.MaxAttempts})
}

// mirrorCrawl copies a job's status onto its crawl when the job is the
// crawl's latest, inside the caller's transaction.
func (db *DB) mirrorCrawl(ctx context.Context, tx *sql.Tx, n *notes, crawlID sql.NullInt64, jobID int64, s JobStatus) error {
	if !crawlID.Valid {
		return nil
	}
	_, err := tx.ExecContext(ctx, db.q(`UPDATE crawls SET status = ?,
			finished_at = CASE WHEN ? THEN {now} ELSE NULL END
		WHERE id = ? AND last_job_id = ?`), CrawlStatus(s), s.Terminal(), crawlID.Int64, jobID)
	if err != nil {
		return db.wrap("mirror crawl", err)
	}
	n.add(TopicCrawls)
	return nil
}

func nullInt64(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
