package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// BenchmarkClaim measures jobs claimed and finished per second by N
// concurrent claimers, each on its own handle as separate workers would be.
// It measures the queue alone; spawning job processes is not included.
func BenchmarkClaim(b *testing.B) {
	for _, backend := range testdb.Backends {
		for _, workers := range []int{1, 4, 16} {
			b.Run(fmt.Sprintf("%s/workers=%d", backend, workers), func(b *testing.B) {
				ctx := context.Background()
				dsn := testdb.DSN(b, backend)
				db := testdb.OpenDSN(b, dsn, false)
				for range b.N {
					if _, _, err := db.JobEnqueue(ctx, store.JobEnqueueParams{Kind: "test"}); err != nil {
						b.Fatal(err)
					}
				}
				handles := make([]*store.DB, workers)
				for i := range handles {
					handles[i] = testdb.OpenDSN(b, dsn, false)
				}
				var claimed atomic.Int64
				b.ResetTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for i, h := range handles {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							jobs, err := h.JobClaim(ctx, store.JobClaimParams{WorkerID: fmt.Sprint("w", i), Limit: 1, LeaseMs: 60000})
							if err != nil {
								b.Error(err)
								return
							}
							if len(jobs) == 0 {
								return
							}
							l := store.Lease{JobID: jobs[0].ID, Attempt: jobs[0].Attempt}
							if err := h.JobFinish(ctx, store.JobFinishParams{Lease: l, Status: store.JobCompleted}); err != nil {
								b.Error(err)
								return
							}
							claimed.Add(1)
						}
					}()
				}
				wg.Wait()
				b.StopTimer()
				if claimed.Load() != int64(b.N) {
					b.Fatalf("claimed %d of %d", claimed.Load(), b.N)
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
			})
		}
	}
}

// BenchmarkLogInsert measures structured log lines written per second by one
// job writing batches of 100 (the child's logger flushes in batches).
func BenchmarkLogInsert(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			db := testdb.Open(b, backend)
			if _, _, err := db.JobEnqueue(ctx, store.JobEnqueueParams{Kind: "test"}); err != nil {
				b.Fatal(err)
			}
			jobs, err := db.JobClaim(ctx, store.JobClaimParams{WorkerID: "w", Limit: 1, LeaseMs: 3600000})
			if err != nil || len(jobs) != 1 {
				b.Fatal(err)
			}
			l := store.Lease{JobID: jobs[0].ID, Attempt: jobs[0].Attempt}
			batch := make([]store.LogLine, 100)
			for i := range batch {
				batch[i] = store.LogLine{Level: store.LogInfo, Message: fmt.Sprintf("crawled https://example.com/page/%d 200 text/html 34.2 KB 41 ms", i)}
			}
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				if err := db.JobLogsInsert(ctx, l, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(batch))/time.Since(start).Seconds(), "lines/s")
		})
	}
}
