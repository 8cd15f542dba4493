package api_test

import (
	"bytes"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/api"
	"github.com/scouter-seo/scouter/internal/store"
)

func crawlPath(id int64) string { return "/api/v1/crawls/" + strconv.FormatInt(id, 10) }

func TestCrawlsRunning(t *testing.T) {
	eachBackend(t, func(e *env) {
		var list crawlsResp
		if b := e.call("GET", "/api/v1/crawls/running", "", http.StatusOK, &list); !bytes.Contains(b, []byte(`"crawls":[]`)) {
			e.t.Errorf("no crawls: %s", b)
		}
		running, rj := e.crawl("https://running.example/")
		l := e.claim(rj.ID)
		finished, fj := e.crawl("https://finished.example/")
		e.finish(e.claim(fj.ID), store.JobCompleted)
		queued, _ := e.crawl("https://queued.example/")
		stopped, sj := e.crawl("https://stopped.example/")
		e.call("POST", jobsPath(sj.ID, "/stop"), "", http.StatusAccepted, nil)

		check := func(want ...int64) {
			e.t.Helper()
			var l crawlsResp
			e.call("GET", "/api/v1/crawls/running", "", http.StatusOK, &l)
			if got := crawlIDs(l.Crawls); !reflect.DeepEqual(got, want) {
				e.t.Errorf("running crawls %v, want %v (stopped %d, finished %d)", got, want, stopped.ID, finished.ID)
			}
		}
		check(queued.ID, running.ID)
		var got crawlsResp
		e.call("GET", "/api/v1/crawls/running", "", http.StatusOK, &got)
		if c := got.Crawls[1]; c.StartURL != "https://running.example/" || c.Status != "running" || c.LastJobID == nil || *c.LastJobID != rj.ID {
			e.t.Errorf("running crawl: %+v", c)
		}
		e.call("POST", jobsPath(rj.ID, "/stop"), "", http.StatusAccepted, nil)
		check(queued.ID, running.ID) // stopping is still in progress
		e.finish(l, store.JobStopped)
		check(queued.ID)

		// "running" is not read as an id by the other /crawls/{id} routes.
		var one api.CrawlJSON
		e.call("GET", crawlPath(queued.ID), "", http.StatusOK, &one)
		if one.ID != queued.ID {
			e.t.Errorf("GET crawl %d: %+v", queued.ID, one)
		}
	})
}

func TestCrawlDelete(t *testing.T) {
	eachBackendWith(t, func(a *api.Server) { a.StopWait = 10 * time.Second }, func(e *env) {
		deleted := func(c store.Crawl, jobID int64) {
			e.t.Helper()
			resp, b := e.do("DELETE", crawlPath(c.ID), "")
			if resp.StatusCode != http.StatusNoContent || len(b) != 0 {
				e.t.Fatalf("DELETE crawl %d: status %d, body %q", c.ID, resp.StatusCode, b)
			}
			e.wantError("GET", crawlPath(c.ID), "", http.StatusNotFound, "", "crawl not found")
			e.wantError("GET", jobsPath(jobID, ""), "", http.StatusNotFound, "", "job not found")
			e.wantError("GET", jobsPath(jobID, "/logs"), "", http.StatusNotFound, "", "job not found")
			e.wantError("DELETE", crawlPath(c.ID), "", http.StatusNotFound, "", "crawl not found")
		}

		// Finished, with pages, links and a log.
		c, j := e.crawl("https://finished.example/")
		l := e.claim(j.ID)
		b := &store.CrawlBatch{Pages: []store.Page{
			{CrawlID: c.ID, ID: 1, URL: "https://finished.example/", State: store.PageCrawled, Status: 200},
			{CrawlID: c.ID, ID: 2, URL: "https://finished.example/a", State: store.PageQueued, Depth: 1},
		}, Links: []store.Link{{CrawlID: c.ID, SourceID: 1, Position: 0, TargetID: 2, Kind: "anchor", Internal: true}}}
		if err := e.db.CrawlWrite(e.t.Context(), l, b); err != nil {
			e.t.Fatal(err)
		}
		e.logs(l, "done")
		e.finish(l, store.JobCompleted)
		deleted(c, j.ID)
		if p, err := e.db.PagesList(e.t.Context(), c.ID, 0, 10); err != nil || len(p) != 0 {
			e.t.Errorf("pages after delete: %d, %v", len(p), err)
		}
		if ls, err := e.db.LinksList(e.t.Context(), c.ID, 0, -1, 10); err != nil || len(ls) != 0 {
			e.t.Errorf("links after delete: %d, %v", len(ls), err)
		}

		// Queued, never claimed: stopped at once, then deleted.
		c, j = e.crawl("https://queued.example/")
		deleted(c, j.ID)

		// Running: the "worker" sees the stop and finishes the job stopped.
		c, j = e.crawl("https://running.example/")
		l = e.claim(j.ID)
		worker := make(chan error, 1)
		go func() {
			for {
				got, err := e.db.JobGet(e.t.Context(), j.ID)
				if err != nil {
					worker <- err
					return
				}
				if got.Status == store.JobStopping {
					time.Sleep(100 * time.Millisecond) // a crawler writing its last batch
					worker <- e.db.JobFinish(e.t.Context(), store.JobFinishParams{Lease: l, Status: store.JobStopped})
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
		deleted(c, j.ID)
		if err := <-worker; err != nil {
			e.t.Fatalf("worker: %v", err)
		}

		e.wantError("DELETE", crawlPath(c.ID+100), "", http.StatusNotFound, "", "crawl not found")
		for _, id := range badIDs {
			e.wantError("DELETE", "/api/v1/crawls/"+id, "", http.StatusBadRequest, "id", "id must be a positive integer")
		}
	})
}

func TestCrawlDeleteTimeout(t *testing.T) {
	eachBackendWith(t, func(a *api.Server) { a.StopWait = 200 * time.Millisecond }, func(e *env) {
		c, j := e.crawl("https://stuck.example/")
		l := e.claim(j.ID)
		start := time.Now()
		e.wantError("DELETE", crawlPath(c.ID), "", http.StatusConflict, "", "the crawl is still stopping; try again")
		if d := time.Since(start); d < 200*time.Millisecond || d > 3*time.Second {
			e.t.Errorf("409 after %v with a 200 ms wait", d)
		}
		// The stop was asked for and the crawl is still there.
		var got api.CrawlJSON
		e.call("GET", crawlPath(c.ID), "", http.StatusOK, &got)
		if got.Status != "stopping" {
			e.t.Errorf("crawl after the timed-out delete: %+v", got)
		}
		// Asking again while it is stopping: 409 again, nothing logged twice.
		e.wantError("DELETE", crawlPath(c.ID), "", http.StatusConflict, "", "the crawl is still stopping; try again")
		var r logsResp
		e.call("GET", jobsPath(j.ID, "/logs"), "", http.StatusOK, &r)
		if len(r.Lines) != 1 || r.Lines[0].Message != "stop requested" {
			e.t.Errorf("log after two deletes: %+v", r.Lines)
		}
		// Once the worker has stopped it, the delete goes through.
		e.finish(l, store.JobStopped)
		if resp, b := e.do("DELETE", crawlPath(c.ID), ""); resp.StatusCode != http.StatusNoContent {
			e.t.Fatalf("DELETE after the stop: %d %s", resp.StatusCode, b)
		}
	})
}
