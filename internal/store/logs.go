package store

import (
	"context"
	"database/sql"
	"strings"
)

// logBatchRows keeps one INSERT under both dialects' parameter limits.
const logBatchRows = 500

// JobLogsInsert appends structured log lines for the owner's attempt,
// fenced: ErrLeaseLost means the attempt no longer owns the job.
func (db *DB) JobLogsInsert(ctx context.Context, l Lease, lines []LogLine) error {
	if len(lines) == 0 {
		return nil
	}
	return db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		if _, err := db.appendLogs(ctx, tx, &l, l.JobID, l.Attempt, lines); err != nil {
			return err
		}
		n.add(TopicJob(l.JobID))
		return nil
	})
}

// appendLogs allocates seqs by bumping jobs.log_seq, which also locks the job
// row: writers of one job's log commit in seq order, so a reader that has
// seen seq N has seen every seq below it. With a fence, the bump is the
// fenced write.
func (db *DB) appendLogs(ctx context.Context, tx *sql.Tx, f *Lease, jobID int64, attempt int, lines []LogLine) (int64, error) {
	q := `UPDATE jobs SET log_seq = log_seq + ? WHERE id = ? RETURNING log_seq`
	args := []any{len(lines), jobID}
	if f != nil {
		q = `UPDATE jobs SET log_seq = log_seq + ? WHERE ` + fence + ` RETURNING log_seq`
		args = []any{len(lines), f.JobID, f.Attempt}
	}
	var last int64
	err := tx.QueryRowContext(ctx, db.q(q), args...).Scan(&last)
	if err == sql.ErrNoRows && f != nil {
		return 0, ErrLeaseLost
	}
	if err != nil {
		return 0, db.wrap("append logs", err)
	}
	seq := last - int64(len(lines))
	for start := 0; start < len(lines); start += logBatchRows {
		batch := lines[start:min(start+logBatchRows, len(lines))]
		var b strings.Builder
		b.WriteString("INSERT INTO job_logs (job_id, seq, attempt, level, message, created_at) VALUES ")
		vals := make([]any, 0, 5*len(batch))
		for i, line := range batch {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, {now})")
			seq++
			level := line.Level
			if !ValidLogLevel(level) {
				level = LogInfo
			}
			vals = append(vals, jobID, seq, attempt, string(level), truncate(line.Message, MaxLogMessage))
		}
		// Batches of the same length expand to the same SQL, so the cache stays small.
		if _, err := tx.ExecContext(ctx, db.q(b.String()), vals...); err != nil {
			return 0, db.wrap("append logs", err)
		}
	}
	return last, nil
}

// JobLogsParams select log lines after a cursor.
type JobLogsParams struct {
	JobID int64
	After int64 // seq cursor: lines with seq > After
	Limit int   // 0 means 1000
	// Tail returns the last Limit lines instead (After is ignored).
	Tail bool
	// Before, when > 0, returns the Limit lines just before this seq
	// (loading earlier lines of a long log).
	Before int64
}

// JobLogs reads a job's log lines in seq order, never the whole log.
func (db *DB) JobLogs(ctx context.Context, p JobLogsParams) ([]LogLine, error) {
	if p.Limit <= 0 || p.Limit > 10000 {
		p.Limit = 1000
	}
	const cols = `SELECT job_id, seq, attempt, level, message, created_at FROM job_logs `
	var rows *sql.Rows
	var err error
	switch {
	case p.Tail || p.Before > 0:
		before := p.Before
		if p.Tail {
			before = 1 << 62
		}
		rows, err = db.r.QueryContext(ctx, db.q(`SELECT * FROM (`+cols+`WHERE job_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?) t ORDER BY seq`), p.JobID, before, p.Limit)
	default:
		rows, err = db.r.QueryContext(ctx, db.q(cols+`WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?`), p.JobID, p.After, p.Limit)
	}
	if err != nil {
		return nil, db.wrap("read logs", err)
	}
	defer rows.Close()
	var lines []LogLine
	for rows.Next() {
		var l LogLine
		if err := rows.Scan(&l.JobID, &l.Seq, &l.Attempt, &l.Level, &l.Message, reqTime{&l.CreatedAt}); err != nil {
			return nil, db.wrap("read logs", err)
		}
		lines = append(lines, l)
	}
	return lines, db.wrap("read logs", rows.Err())
}

// JobOutputAppend stores a chunk of the child's raw output, fenced.
func (db *DB) JobOutputAppend(ctx context.Context, l Lease, seq int, data []byte) error {
	return db.tx(ctx, func(tx *sql.Tx, n *notes) error {
		var one int
		err := tx.QueryRowContext(ctx, db.q(`SELECT 1 FROM jobs WHERE `+fence+` {for_share}`), l.JobID, l.Attempt).Scan(&one)
		if err == sql.ErrNoRows {
			return ErrLeaseLost
		}
		if err != nil {
			return db.wrap("append output", err)
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO job_output (job_id, attempt, seq, data, created_at) VALUES (?, ?, ?, ?, {now})`),
			l.JobID, l.Attempt, seq, data)
		return db.wrap("append output", err)
	})
}

// JobOutput streams a job's raw output, all attempts in order (attempt 0) or
// one attempt, to fn chunk by chunk.
func (db *DB) JobOutput(ctx context.Context, jobID int64, attempt int, fn func([]byte) error) error {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT data FROM job_output WHERE job_id = ? AND (? = 0 OR attempt = ?) ORDER BY attempt, seq`), jobID, attempt, attempt)
	if err != nil {
		return db.wrap("read output", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return db.wrap("read output", err)
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return db.wrap("read output", rows.Err())
}
