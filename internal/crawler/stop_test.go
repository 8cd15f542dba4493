package crawler_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/crawler"
	"github.com/scouter-seo/scouter/internal/store"
)

// TestStopSavesFetchedPages stops a crawl while some requests hang: Run
// must return at once (the hanging requests are abandoned, not awaited),
// keep every page fetched before the stop, and leave the rest queued; a
// second attempt then finishes the crawl without fetching a saved page again.
func TestStopSavesFetchedPages(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *store.DB) {
		var served atomic.Int64
		var hang atomic.Bool
		hang.Store(true)
		hits := map[string]*atomic.Int64{}
		for i := range 40 {
			hits[fmt.Sprintf("/p%d", i)] = &atomic.Int64{}
		}
		hits["/"] = &atomic.Int64{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c := hits[r.URL.Path]; c != nil {
				c.Add(1)
			}
			switch {
			case r.URL.Path == "/":
				var b strings.Builder
				for i := range 40 {
					fmt.Fprintf(&b, `<a href="/p%d">p%d</a>`, i, i)
				}
				fmt.Fprint(w, "<title>home</title>"+b.String())
			case strings.HasPrefix(r.URL.Path, "/p") && r.URL.Path >= "/p3" && hang.Load():
				<-r.Context().Done() // /p3… hang until the client gives up
				return
			default:
				fmt.Fprintf(w, "<title>%s</title>", r.URL.Path)
			}
			served.Add(1)
		}))
		defer srv.Close()

		opts := crawler.DefaultOptions()
		opts.Concurrency = 4
		opts.Timeout = "5m"
		r := startCrawl(t, db, srv.URL+"/", opts)
		ctx, cancel := context.WithCancel(t.Context())
		errc := make(chan error, 1)
		go func() { errc <- r.run(ctx, t, srv.URL+"/", opts, nil) }()

		// /, /p0../p2 and /p1x../p2x sort below "/p3": they answer; the rest hang.
		deadline := time.Now().Add(20 * time.Second)
		for served.Load() < 1+3+20 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := served.Load(); got != 24 {
			t.Fatalf("served %d pages before the stop, want 24", got)
		}
		cancel()
		select {
		case err := <-errc:
			if err == nil || ctx.Err() == nil {
				t.Fatalf("stopped crawl returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the crawl did not stop while requests hung")
		}
		pages := allPages(t, db, r.crawlID)
		crawled, queued := 0, 0
		for _, p := range pages {
			switch p.State {
			case store.PageCrawled:
				crawled++
				if p.Status != 200 {
					t.Errorf("%s saved with status %d", p.URL, p.Status)
				}
			case store.PageQueued:
				queued++
			}
		}
		if crawled != 24 || queued != 17 {
			t.Fatalf("after stop: %d crawled, %d queued; want 24 and 17", crawled, queued)
		}

		// The next attempt crawls only what is left.
		hang.Store(false)
		if err := db.JobFinish(context.Background(), store.JobFinishParams{Lease: r.lease, Status: store.JobStopped}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.JobResume(context.Background(), r.lease.JobID); err != nil {
			t.Fatal(err)
		}
		r2 := claimCrawl(t, db, r.crawlID, r.lease.JobID)
		if err := r2.run(t.Context(), t, srv.URL+"/", opts, nil); err != nil {
			t.Fatal(err)
		}
		for path, c := range hits {
			n, hung := c.Load(), path >= "/p3" && len(path) > 1
			if !hung && n != 1 || hung && (n < 1 || n > 2) {
				t.Errorf("%s requested %d times", path, n)
			}
		}
		pages = allPages(t, db, r.crawlID)
		for _, p := range pages {
			if p.State != store.PageCrawled || p.Status != 200 {
				t.Errorf("after resume %s is %s %d", p.URL, p.State, p.Status)
			}
		}
		if len(pages) != 41 {
			t.Errorf("%d pages after resume, want 41", len(pages))
		}
	})
}
