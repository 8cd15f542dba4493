package auditjob_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/auditjob"
	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
	"github.com/scouter-seo/scouter/internal/testsite"
)

// BenchmarkAudit measures the post-processing of a crawled site: the audit
// job reading every page and link, analysing and writing page results and
// findings. The crawl is the link graph of the generated benchmark site
// (20–100 links per page) written straight into the store, with page data
// varied enough to make every kind of cluster: duplicate titles, exact and
// near duplicates, thin pages.
//
//	go test -run '^$' -bench BenchmarkAudit -benchtime 1x ./internal/auditjob/
//
// SCOUTER_BENCH_MMAP=1 lets SQLite's readers map the file, as the API
// server's do, instead of reading as a job process does.
func BenchmarkAudit(b *testing.B) {
	for _, backend := range testdb.Backends {
		for _, n := range []int{10_000, 100_000} {
			b.Run(fmt.Sprintf("%s/pages=%d", backend, n), func(b *testing.B) {
				dsn := testdb.DSN(b, backend)
				crawlID, lease, links := generatedCrawl(b, testdb.OpenDSN(b, dsn, false), n)
				// The audit reads and writes through a handle opened as a
				// job process opens it.
				db, err := store.Open(context.Background(), store.Options{DSN: dsn, MaxConns: 2, NoMmap: os.Getenv("SCOUTER_BENCH_MMAP") == ""})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				b.ResetTimer()
				var peak atomic.Uint64
				stop := sampleHeap(&peak)
				start := time.Now()
				var sink logSink
				for range b.N {
					if err := auditjob.Run(context.Background(), auditjob.Config{DB: db, Lease: lease, CrawlID: crawlID, Log: &sink}); err != nil {
						b.Fatal(err)
					}
				}
				stop()
				b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "pages/s")
				b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(links), "links")
			})
		}
	}
}

// sampleHeap records the peak heap in use until the returned func is called.
func sampleHeap(peak *atomic.Uint64) func() {
	runtime.GC()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// generatedCrawl writes a crawled site of n pages with the generated
// site's links, and returns the crawl, the lease of its still-running job
// and the number of links.
func generatedCrawl(b *testing.B, db *store.DB, n int) (int64, store.Lease, int) {
	ctx := context.Background()
	c, j, err := db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: "http://gen.test/", Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		b.Fatal(err)
	}
	jobs, err := db.JobClaim(ctx, store.JobClaimParams{WorkerID: "bench", Limit: 1, LeaseMs: 3_600_000, JobID: j.ID})
	if err != nil || len(jobs) != 1 {
		b.Fatalf("claim: %v", err)
	}
	lease := store.Lease{JobID: j.ID, Attempt: jobs[0].Attempt}
	site := testsite.NewGenerated(n, 1)
	defer site.Close()
	maxPages, maxLinks := db.CrawlBatchSize()
	var batch store.CrawlBatch
	flush := func() {
		if err := db.CrawlWrite(ctx, lease, &batch); err != nil {
			b.Fatal(err)
		}
		batch.Pages, batch.Links = batch.Pages[:0], batch.Links[:0]
	}
	links := 0
	for i := range n {
		id := int64(i + 1)
		targets := site.Links(i)
		p := store.Page{CrawlID: c.ID, ID: id, URL: fmt.Sprintf("http://gen.test/p/%d", i), Internal: true, State: store.PageCrawled,
			Depth: min(i/10+1, 6), Status: 200, ContentType: "text/html", Size: int64(20_000 + i%40_000),
			TTFBMicros: int64(1000 + i%900_000), Title: fmt.Sprintf("Generated page %d about gardens", i/3), TitleCount: 1,
			Description:      fmt.Sprintf("A generated description of page %d, long enough to be a real description of it.", i),
			DescriptionCount: 1, H1: fmt.Sprintf("Heading %d", i), H1Count: 1, Canonical: fmt.Sprintf("http://gen.test/p/%d", i),
			Indexable: true, WordCount: 100 + i%900, ContentHash: int64(i/2*2 + 1), SimHash: int64(uint64(i) * 0x9E3779B97F4A7C15),
			InternalOutlinks: len(targets), InSitemap: i%10 == 0}
		p.TitleLength, p.DescriptionLength = len(p.Title), len(p.Description)
		batch.Pages = append(batch.Pages, p)
		for pos, t := range targets {
			batch.Links = append(batch.Links, store.Link{CrawlID: c.ID, SourceID: id, Position: pos, TargetID: int64(t + 1), Kind: "anchor", Internal: true})
		}
		links += len(targets)
		if len(batch.Pages) >= maxPages || len(batch.Links) >= maxLinks {
			flush()
		}
	}
	flush()
	return c.ID, lease, links
}

type logSink struct{}

func (logSink) Info(f string, a ...any) {
	if os.Getenv("SCOUTER_BENCH_LOG") != "" {
		fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05.000 ")+f+"\n", a...)
	}
}
func (logSink) Warn(string, ...any)  {}
func (logSink) Error(string, ...any) {}
