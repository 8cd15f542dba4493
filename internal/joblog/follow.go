// Package joblog follows a job's log after a cursor until the job ends: the
// one loop behind `scouter jobs logs --follow` and the live panel's stream.
package joblog

import (
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

// Follow calls fn with each batch of lines after the cursor, in seq order,
// until the job is final and every line has been delivered, or ctx ends.
// It returns the job as last read.
func Follow(ctx context.Context, db Store, jobID, after int64, fn func([]store.LogLine) error) (store.Job, error) {
	sub := db.Subscribe(store.TopicJob(jobID))
	defer sub.Close()
	cursor := after
	for {
		// Read the status before the lines: a final status read first
		// guarantees the lines read after it are the last ones.
		job, err := db.JobGet(ctx, jobID)
		if err != nil {
			return job, err
		}
		for {
			lines, err := db.JobLogs(ctx, store.JobLogsParams{JobID: jobID, After: cursor, Limit: 1000})
			if err != nil {
				return job, err
			}
			if len(lines) == 0 {
				break
			}
			if err := fn(lines); err != nil {
				return job, err
			}
			cursor = lines[len(lines)-1].Seq
		}
		if job.Status.Terminal() {
			return job, nil
		}
		t := time.NewTimer(PollEvery)
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
