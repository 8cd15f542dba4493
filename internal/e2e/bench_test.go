package e2e

import (
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// BenchmarkEnqueueToRunning measures the time from a job's insert to its
// claim by a worker process, both read from the database clock
// (created_at, started_at). "poll" disables notifications and polls every
// 2s, as the specification's worker loop does.
func BenchmarkEnqueueToRunning(b *testing.B) {
	const samples = 100
	for _, backend := range testdb.Backends {
		for _, mode := range []string{"notify", "poll"} {
			b.Run(backend+"/"+mode, func(b *testing.B) {
				for range b.N {
					dsn := testdb.DSN(b, backend)
					db := testdb.OpenDSN(b, dsn, false)
					args := []string{"worker", "--concurrency", "4"}
					if mode == "poll" {
						args = append(args, "--no-notify", "--poll-every", "2s")
					}
					w := exec.Command(plainBinary, args...)
					w.Env = append(os.Environ(), "SCOUTER_DB="+dsn, "SCOUTER_DATA_DIR="+b.TempDir())
					if err := w.Start(); err != nil {
						b.Fatal(err)
					}
					time.Sleep(time.Second) // let it start and go idle
					var ids []int64
					for range samples {
						j, _, err := db.JobEnqueue(ctx, store.JobEnqueueParams{Kind: "test"})
						if err != nil {
							b.Fatal(err)
						}
						ids = append(ids, j.ID)
						time.Sleep(50 * time.Millisecond)
					}
					var lat []time.Duration
					deadline := time.Now().Add(time.Minute)
					for _, id := range ids {
						for {
							j, err := db.JobGet(ctx, id)
							if err != nil {
								b.Fatal(err)
							}
							if j.StartedAt != nil {
								lat = append(lat, j.StartedAt.Sub(j.CreatedAt))
								break
							}
							if time.Now().After(deadline) {
								b.Fatalf("job %d never started", id)
							}
							time.Sleep(20 * time.Millisecond)
						}
					}
					w.Process.Kill()
					w.Wait()
					slices.Sort(lat)
					b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
					b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
				}
			})
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
