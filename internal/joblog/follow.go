// Package joblog follows a job's log after a cursor until the job ends: the
// one loop behind `scouter jobs logs --follow` and the API's event stream.
package joblog

import (
	"bytes"
	"context"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
)

// Store is what a follower reads.
type Store interface {
	JobGet(ctx context.Context, id int64) (store.Job, error)
	JobLogs(ctx context.Context, p store.JobLogsParams) ([]store.LogLine, error)
	Subscribe(topics ...string) *store.Subscription
}

// PollEvery is the backstop when notifications do not arrive.
const PollEvery = time.Second

// Options say what a follower wants besides the lines.
type Options struct {
	// After is the cursor: lines with a greater seq are delivered.
	After int64
	// Lines receives each batch of lines, in seq order, each line once.
	Lines func([]store.LogLine) error
	// Job, if set, receives the job as first read and again whenever its
	// status, attempt, progress, stop request, error or end changes, always
	// before the lines read after it. Heartbeats and log writes alone do not
	// call it.
	Job func(store.Job) error
	// Idle, if set, is called after IdleEvery without any call to Lines or
	// Job (and every IdleEvery after that), so a stream can keep proxies from
	// closing a quiet connection.
	Idle      func() error
	IdleEvery time.Duration
	// Batch caps the lines read and handed over at once (default 1000): a
	// follower stuck on a slow client holds one batch.
	Batch int
}

// Follow calls fn with each batch of lines after the cursor, in seq order,
// until the job is final and every line has been delivered, or ctx ends.
// It returns the job as last read.
func Follow(ctx context.Context, db Store, jobID, after int64, fn func([]store.LogLine) error) (store.Job, error) {
	return FollowWith(ctx, db, jobID, Options{After: after, Lines: fn})
}

// FollowWith is Follow with job changes and idle callbacks. Wake-ups come
// from the job's notifications, with a PollEvery backstop; a follower holds
// no more than one batch of lines, so idle followers cost little.
func FollowWith(ctx context.Context, db Store, jobID int64, o Options) (store.Job, error) {
	sub := db.Subscribe(store.TopicJob(jobID))
	defer sub.Close()
	cursor := o.After
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	var seen store.Job
	first := true
	lastSent := time.Now()
	for {
		// Read the status before the lines: a final status read first
		// guarantees the lines read after it are the last ones.
		job, err := db.JobGet(ctx, jobID)
		if err != nil {
			return job, err
		}
		if o.Job != nil && (first || changed(seen, job)) {
			if err := o.Job(job); err != nil {
				return job, err
			}
			lastSent = time.Now()
		}
		first = false
		seen = job
		for {
			lines, err := db.JobLogs(ctx, store.JobLogsParams{JobID: jobID, After: cursor, Limit: o.Batch})
			if err != nil {
				return job, err
			}
			if len(lines) == 0 {
				break
			}
			if o.Lines != nil {
				if err := o.Lines(lines); err != nil {
					return job, err
				}
			}
			lastSent = time.Now()
			cursor = lines[len(lines)-1].Seq
		}
		if job.Status.Terminal() {
			return job, nil
		}
		wait := PollEvery
		if o.Idle != nil && o.IdleEvery > 0 {
			due := o.IdleEvery - time.Since(lastSent)
			if due <= 0 {
				if err := o.Idle(); err != nil {
					return job, err
				}
				lastSent = time.Now()
				due = o.IdleEvery
			}
			wait = min(wait, due)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return job, ctx.Err()
		case <-sub.C:
		case <-t.C:
		}
		t.Stop()
	}
}

// changed reports whether a follower should be shown the job again. The
// lease and heartbeat move every few seconds and log_seq with every line;
// neither is news.
func changed(a, b store.Job) bool {
	return a.Status != b.Status || a.Attempt != b.Attempt || a.WorkerID != b.WorkerID ||
		a.Progress.Done != b.Progress.Done || a.Progress.Total != b.Progress.Total ||
		!bytes.Equal(a.Progress.Detail, b.Progress.Detail) || a.Error != b.Error ||
		!sameTime(a.StopRequestedAt, b.StopRequestedAt) || !sameTime(a.FinishedAt, b.FinishedAt) ||
		!sameTime(a.StartedAt, b.StartedAt)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
