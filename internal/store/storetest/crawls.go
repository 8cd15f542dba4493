package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/scouter-seo/scouter/internal/store"
)

// testCrawlListActive: only queued, running and stopping crawls are listed,
// newest first.
func testCrawlListActive(t *testing.T, db *store.DB, _ string) {
	active := func() []int64 {
		t.Helper()
		cs, err := db.CrawlListActive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		return ids
	}
	if got := active(); len(got) != 0 {
		t.Fatalf("active crawls of an empty database: %v", got)
	}
	running, l := crawlJob(t, db) // running
	queued, _, err := db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: "http://q.example/", Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		t.Fatal(err)
	}
	stopped, sj, err := db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: "http://s.example/", Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.JobStopRequest(ctx, sj.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := active(), []int64{queued.ID, running.ID}; !slices.Equal(got, want) {
		t.Fatalf("active = %v, want %v (stopped crawl %d left out)", got, want, stopped.ID)
	}
	if _, err := db.JobStopRequest(ctx, l.JobID); err != nil { // running → stopping
		t.Fatal(err)
	}
	if got, want := active(), []int64{queued.ID, running.ID}; !slices.Equal(got, want) {
		t.Fatalf("active with a stopping crawl = %v, want %v", got, want)
	}
	if err := db.JobFinish(ctx, store.JobFinishParams{Lease: l, Status: store.JobStopped}); err != nil {
		t.Fatal(err)
	}
	if got, want := active(), []int64{queued.ID}; !slices.Equal(got, want) {
		t.Fatalf("active after the stop = %v, want %v", got, want)
	}
}

// testCrawlDelete: a crawl with an active job is refused; a finished one
// goes with its jobs, logs, output, pages and links, and nothing else does.
func testCrawlDelete(t *testing.T, db *store.DB, _ string) {
	c, l := crawlJob(t, db)
	other, ol := crawlJob(t, db)
	for _, lease := range []store.Lease{l, ol} {
		b := &store.CrawlBatch{
			Pages: []store.Page{
				{CrawlID: map[int64]int64{l.JobID: c.ID, ol.JobID: other.ID}[lease.JobID], ID: 1, URL: "http://example.com/", State: store.PageCrawled, Status: 200},
				{CrawlID: map[int64]int64{l.JobID: c.ID, ol.JobID: other.ID}[lease.JobID], ID: 2, URL: "http://example.com/a", State: store.PageQueued, Depth: 1},
			},
		}
		b.Links = []store.Link{{CrawlID: b.Pages[0].CrawlID, SourceID: 1, Position: 0, TargetID: 2, Kind: "anchor", Internal: true}}
		if err := db.CrawlWrite(ctx, lease, b); err != nil {
			t.Fatal(err)
		}
		if err := db.JobLogsInsert(ctx, lease, []store.LogLine{{Level: store.LogInfo, Message: "hello"}}); err != nil {
			t.Fatal(err)
		}
		if err := db.JobOutputAppend(ctx, lease, 0, []byte("out")); err != nil {
			t.Fatal(err)
		}
	}

	if err := db.CrawlDelete(ctx, c.ID); !errors.Is(err, store.ErrInvalidState) {
		t.Fatalf("delete a running crawl: err = %v, want ErrInvalidState", err)
	}
	if _, err := db.CrawlGet(ctx, c.ID); err != nil {
		t.Fatalf("refused delete removed the crawl: %v", err)
	}
	if err := db.JobFinish(ctx, store.JobFinishParams{Lease: l, Status: store.JobCompleted}); err != nil {
		t.Fatal(err)
	}
	sub := db.Subscribe(store.TopicJob(l.JobID))
	defer sub.Close()
	drain(sub.C)
	if err := db.CrawlDelete(ctx, c.ID); err != nil {
		t.Fatalf("delete a finished crawl: %v", err)
	}
	select {
	case <-sub.C:
	default:
		t.Error("deleting the crawl did not notify its job's followers")
	}
	if _, err := db.CrawlGet(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted crawl: err = %v, want ErrNotFound", err)
	}
	if _, err := db.JobGet(ctx, l.JobID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted crawl's job: err = %v, want ErrNotFound", err)
	}
	if lines, err := db.JobLogs(ctx, store.JobLogsParams{JobID: l.JobID}); err != nil || len(lines) != 0 {
		t.Fatalf("deleted job's log: %d lines, %v", len(lines), err)
	}
	n := 0
	if err := db.JobOutput(ctx, l.JobID, 0, func(b []byte) error { n += len(b); return nil }); err != nil || n != 0 {
		t.Fatalf("deleted job's output: %d bytes, %v", n, err)
	}
	if pages, err := db.PagesList(ctx, c.ID, 0, 10); err != nil || len(pages) != 0 {
		t.Fatalf("deleted crawl's pages: %d, %v", len(pages), err)
	}
	if links, err := db.LinksList(ctx, c.ID, 0, -1, 10); err != nil || len(links) != 0 {
		t.Fatalf("deleted crawl's links: %d, %v", len(links), err)
	}
	if err := db.CrawlDelete(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete twice: err = %v, want ErrNotFound", err)
	}

	// The other crawl is untouched.
	if pages, err := db.PagesList(ctx, other.ID, 0, 10); err != nil || len(pages) != 2 {
		t.Fatalf("other crawl's pages: %d, %v", len(pages), err)
	}
	if links, err := db.LinksList(ctx, other.ID, 0, -1, 10); err != nil || len(links) != 1 {
		t.Fatalf("other crawl's links: %d, %v", len(links), err)
	}
	if lines, err := db.JobLogs(ctx, store.JobLogsParams{JobID: ol.JobID}); err != nil || len(lines) != 1 {
		t.Fatalf("other job's log: %d lines, %v", len(lines), err)
	}

	// A queued job also holds the crawl; once stopped, the crawl goes.
	q, qj, err := db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: "http://q.example/", Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CrawlDelete(ctx, q.ID); !errors.Is(err, store.ErrInvalidState) {
		t.Fatalf("delete a queued crawl: err = %v, want ErrInvalidState", err)
	}
	if j, err := db.JobStopRequest(ctx, qj.ID); err != nil || j.Status != store.JobStopped {
		t.Fatalf("stop queued job: %v, %v", j.Status, err)
	}
	if err := db.CrawlDelete(ctx, q.ID); err != nil {
		t.Fatalf("delete a stopped crawl: %v", err)
	}
}
