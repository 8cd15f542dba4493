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
	"github.com/scouter-seo/scouter/internal/testdb"
)

// TestStopSavesFetchedPages stops a crawl while some requests hang: Run
// must return at once (the hanging requests are abandoned, not awaited),
// keep every page fetched before the stop, and leave the rest queued; a
// second attempt then finishes the crawl without fetching a saved page again.
func TestStopSavesFetchedPages(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *store.DB) {
		var served, hanging atomic.Int64
		var hang atomic.Bool
		hang.Store(true)
		hits := map[string]*atomic.Int64{"/": {}}
		for i := range 20 {
			hits[fmt.Sprintf("/fast%d", i)] = &atomic.Int64{}
			hits[fmt.Sprintf("/hang%d", i)] = &atomic.Int64{}
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c := hits[r.URL.Path]; c != nil {
				c.Add(1)
			}
			switch {
			case r.URL.Path == "/":
				// Fast pages first: they are queued, and so fetched, first.
				var b strings.Builder
				for i := range 20 {
					fmt.Fprintf(&b, `<a href="/fast%d">f</a>`, i)
				}
				for i := range 20 {
					fmt.Fprintf(&b, `<a href="/hang%d">h</a>`, i)
				}
				fmt.Fprint(w, "<title>home</title>"+b.String())
			case strings.HasPrefix(r.URL.Path, "/hang") && hang.Load():
				hanging.Add(1)
				<-r.Context().Done() // until the client gives up
				return
			case hits[r.URL.Path] == nil: // robots.txt, sitemap.xml
				http.NotFound(w, r)
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
		defer cancel()
		errc := make(chan error, 1)
		go func() { errc <- r.run(ctx, t, srv.URL+"/", opts, nil) }()

		// The home page and the 20 fast pages answer; then every
		// connection waits on a hanging page.
		deadline := time.Now().Add(20 * time.Second)
		for (served.Load() < 21 || hanging.Load() < int64(opts.Concurrency)) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got, h := served.Load(), hanging.Load(); got != 21 || h != int64(opts.Concurrency) {
			t.Fatalf("before the stop: %d pages served, %d hanging; want 21 and %d", got, h, opts.Concurrency)
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
		pages := testdb.Pages(t, db, r.crawlID)
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
		if crawled != 21 || queued != 20 {
			t.Fatalf("after stop: %d crawled, %d queued; want 21 and 20", crawled, queued)
		}

		// The next attempt crawls only what is left.
		hang.Store(false)
		if err := db.JobFinish(context.Background(), store.JobFinishParams{Lease: r.lease, Status: store.JobStopped}); err != nil {
			t.Fatal(err)
		}
		resumed, _, err := db.JobResume(context.Background(), r.lease.JobID)
		if err != nil {
			t.Fatal(err)
		}
		r2 := claimCrawl(t, db, r.crawlID, resumed.ID)
		if err := r2.run(t.Context(), t, srv.URL+"/", opts, nil); err != nil {
			t.Fatal(err)
		}
		for path, c := range hits {
			n, hung := c.Load(), strings.HasPrefix(path, "/hang")
			if !hung && n != 1 || hung && (n < 1 || n > 2) {
				t.Errorf("%s requested %d times", path, n)
			}
		}
		pages = testdb.Pages(t, db, r.crawlID)
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
