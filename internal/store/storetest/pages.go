package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
)

func crawlJob(t *testing.T, db *store.DB) (store.Crawl, store.Lease) {
	t.Helper()
	c, _, err := db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: "http://example.com/", Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		t.Fatal(err)
	}
	j := claim(t, db, "w", 1, 60000)
	if len(j) != 1 {
		t.Fatalf("claimed %d jobs", len(j))
	}
	return c, lease(j[0])
}

func testCrawlWrite(t *testing.T, db *store.DB, _ string) {
	c, l := crawlJob(t, db)
	// A batch bigger than one SQLite statement, with a long URL and hostile
	// text, then an upsert of some rows as crawled with their links.
	var b store.CrawlBatch
	long := "http://example.com/" + strings.Repeat("a", 8000)
	for i := int64(1); i <= 1203; i++ {
		u := fmt.Sprintf("http://example.com/p/%d", i)
		if i == 7 {
			u = long
		}
		b.Pages = append(b.Pages, store.Page{CrawlID: c.ID, ID: i, URL: u, Internal: true, State: store.PageQueued, Depth: int(i % 3), FoundFrom: i / 2})
	}
	if err := db.CrawlWrite(ctx, l, &b); err != nil {
		t.Fatalf("write discovered: %v", err)
	}
	now := time.Now().Truncate(time.Millisecond)
	crawled := store.Page{CrawlID: c.ID, ID: 3, URL: "http://example.com/p/3", Internal: true, State: store.PageCrawled,
		Status: 200, Title: `<script>alert('x')</script> "é"`, TitleLength: 31, Indexable: true, ContentHash: -5, SimHash: 1 << 62,
		Hreflang: `[{"lang":"fr","url":"http://example.com/fr"}]`, CrawledAt: &now, TTFBMicros: 1234, Size: 99}
	links := []store.Link{
		{CrawlID: c.ID, SourceID: 3, Position: 0, TargetID: 4, Kind: "anchor", Text: "four", Internal: true},
		{CrawlID: c.ID, SourceID: 3, Position: 1, TargetID: 1204, Kind: "anchor", Text: "ext", Flags: store.LinkNofollow},
	}
	ext := store.Page{CrawlID: c.ID, ID: 1204, URL: "http://other.org/", State: store.PageExternal, Depth: 1}
	if err := db.CrawlWrite(ctx, l, &store.CrawlBatch{Pages: []store.Page{crawled, ext}, Links: links}); err != nil {
		t.Fatalf("write crawled: %v", err)
	}
	// A duplicate URL under another id is refused by the database itself.
	dup := store.Page{CrawlID: c.ID, ID: 5000, URL: long, State: store.PageQueued}
	if err := db.CrawlWrite(ctx, l, &store.CrawlBatch{Pages: []store.Page{dup}}); err == nil {
		t.Fatal("a second row for the same URL was accepted")
	}

	got, err := db.PagesList(ctx, c.ID, 2, 2)
	if err != nil || len(got) != 2 {
		t.Fatalf("list = %d, %v", len(got), err)
	}
	p := got[0]
	if p.ID != 3 || p.State != store.PageCrawled || p.Title != crawled.Title || p.ContentHash != -5 || p.SimHash != 1<<62 ||
		!p.Indexable || p.Hreflang != crawled.Hreflang || p.CrawledAt == nil || !p.CrawledAt.Equal(now) || p.TTFBMicros != 1234 ||
		p.FoundFrom != 0 || p.JSONLDTypes != "[]" || p.Extra != "{}" {
		t.Fatalf("crawled page = %+v", p)
	}
	if got[1].ID != 4 || got[1].FoundFrom != 2 || got[1].Depth != 1 || got[1].State != store.PageQueued {
		t.Fatalf("queued page = %+v", got[1])
	}

	var ids []int64
	for after := int64(0); ; {
		items, err := db.FrontierNext(ctx, c.ID, 1, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			ids = append(ids, it.ID)
			if it.Depth != 1 {
				t.Fatalf("frontier item %+v at depth 1", it)
			}
		}
		after = items[len(items)-1].ID
	}
	if len(ids) != 401 || ids[0] != 1 || ids[1] != 4 {
		t.Fatalf("frontier depth 1 = %d ids starting %v", len(ids), ids[:2])
	}

	n := 0
	err = db.PageKeys(ctx, c.ID, func(k store.PageKey) error {
		n++
		if k.ID == 7 && k.URL != long {
			t.Errorf("long URL not kept")
		}
		return nil
	})
	if err != nil || n != 1204 {
		t.Fatalf("page keys = %d, %v", n, err)
	}
	gotLinks, err := db.LinksList(ctx, c.ID, 3, 0, 10)
	if err != nil || len(gotLinks) != 1 || gotLinks[0].TargetID != 1204 || gotLinks[0].Flags != store.LinkNofollow || gotLinks[0].Internal {
		t.Fatalf("links after (3,0) = %+v, %v", gotLinks, err)
	}
	sum, err := db.CrawlSummarize(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Crawled != 1 || sum.Found != 1203 || sum.Queued != 1202 || sum.External != 1 || sum.ByStatusClass["2xx"] != 1 || sum.BrokenLinks != 0 {
		t.Fatalf("summary = %+v", sum)
	}

	// Broken links: links to crawled pages that failed (4xx, 5xx, no
	// response), not to a throttled page nor to one still queued.
	failed := []store.Page{
		{ID: 4, Status: 404, Indexability: "client-error"},
		{ID: 5, Status: 0, FetchError: "timeout", Indexability: "error"},
		{ID: 6, Status: 503, Indexability: "throttled"},
		{ID: 8, Status: 500, Indexability: "server-error"},
	}
	for i := range failed {
		f := &failed[i]
		f.CrawlID, f.URL, f.Internal, f.State, f.CrawledAt = c.ID, fmt.Sprintf("http://example.com/p/%d", f.ID), true, store.PageCrawled, &now
	}
	var more []store.Link
	for i, target := range []int64{4, 4, 5, 6, 8, 2} {
		more = append(more, store.Link{CrawlID: c.ID, SourceID: 10, Position: i, TargetID: target, Kind: "anchor", Internal: true})
	}
	if err := db.CrawlWrite(ctx, l, &store.CrawlBatch{Pages: failed, Links: more}); err != nil {
		t.Fatalf("write failed pages: %v", err)
	}
	sum, err = db.CrawlSummarize(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 3→4, 10→4 twice, 10→5, 10→8.
	if sum.BrokenLinks != 5 || sum.Crawled != 5 || sum.ByStatusClass["4xx"] != 1 || sum.ByStatusClass["5xx"] != 2 || sum.ByStatusClass["error"] != 1 || sum.Throttled != 1 {
		t.Fatalf("summary after failures = %+v", sum)
	}
}

func testCrawlWriteFenced(t *testing.T, db *store.DB, _ string) {
	c, l := crawlJob(t, db)
	if err := db.JobFinish(ctx, store.JobFinishParams{Lease: l, Status: store.JobStopped}); err != nil {
		t.Fatal(err)
	}
	b := &store.CrawlBatch{Pages: []store.Page{{CrawlID: c.ID, ID: 1, URL: "http://example.com/", State: store.PageQueued}}}
	if err := db.CrawlWrite(ctx, l, b); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("write after finish: err = %v, want ErrLeaseLost", err)
	}
	if got, _ := db.PagesList(ctx, c.ID, 0, 10); len(got) != 0 {
		t.Fatalf("fenced write stored %d pages", len(got))
	}
}
