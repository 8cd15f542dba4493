package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/scouter-seo/scouter/internal/store"
)

// testAuditWrite: page results over several statements and batches, the
// slim reads the audit job uses, findings in key order, and a second run
// replacing the first.
func testAuditWrite(t *testing.T, db *store.DB, _ string) {
	c, l := crawlJob(t, db)
	const n = 1234
	var b store.CrawlBatch
	for i := int64(1); i <= n; i++ {
		b.Pages = append(b.Pages, store.Page{CrawlID: c.ID, ID: i, URL: fmt.Sprintf("http://example.com/%d", i), Internal: true,
			State: store.PageCrawled, Status: 200, ContentType: "text/html", Title: fmt.Sprint("t", i), TitleLength: 2, TitleCount: 1,
			Indexable: true, ContentHash: -i, SimHash: i << 40, TTFBMicros: i})
		if i > 1 {
			b.Links = append(b.Links, store.Link{CrawlID: c.ID, SourceID: 1, Position: int(i), TargetID: i, Kind: "anchor", Internal: true, Flags: store.LinkNofollow},
				store.Link{CrawlID: c.ID, SourceID: i, Position: 0, TargetID: 1, Kind: "next"})
		}
	}
	if err := db.CrawlWrite(ctx, l, &b); err != nil {
		t.Fatal(err)
	}

	var pages []store.AuditPage
	for after := int64(0); ; {
		chunk, err := db.AuditPages(ctx, c.ID, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, chunk...)
		if len(chunk) < 500 {
			break
		}
		after = chunk[len(chunk)-1].ID
	}
	if len(pages) != n || pages[9].ID != 10 || pages[9].Title != "t10" || pages[9].ContentHash != -10 || pages[9].SimHash != 10<<40 ||
		!pages[9].Indexable || pages[9].TTFBMicros != 10 || pages[9].ContentType != "text/html" {
		t.Fatalf("audit pages: %d, page 10 = %+v", len(pages), pages[9])
	}
	// Only the kinds the audit reads: the "next" links are left out; in
	// (source, position) order, in batches.
	var links []store.AuditLink
	batches := 0
	err := db.AuditLinks(ctx, c.ID, 500, func(b []store.AuditLink) error {
		batches++
		links = append(links, b...)
		return nil
	})
	if err != nil || len(links) != n-1 || batches != 3 || links[0].SourceID != 1 || links[0].Position != 2 ||
		links[0].Flags != store.LinkNofollow || !links[0].Internal || links[0].Kind != "anchor" || links[n-2].Position != n {
		t.Fatalf("audit links: %d in %d batches, %+v, %v", len(links), batches, links[:1], err)
	}
	stop := errors.New("stop")
	if err := db.AuditLinks(ctx, c.ID, 10, func([]store.AuditLink) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("an error of the callback: %v", err)
	}

	write := func(base int, findings int) {
		t.Helper()
		if err := db.AuditBegin(ctx, l, c.ID); err != nil {
			t.Fatal(err)
		}
		var rows []store.PageAuditRow
		for i := int64(1); i <= n; i++ {
			rows = append(rows, store.PageAuditRow{ID: i, PageAudit: store.PageAudit{Inlinks: base + int(i), UniqueInlinks: 1,
				LinkScore: float64(i) / 10, RedirectFinalID: i + 1, RedirectHops: 2, RedirectLoop: i%2 == 0,
				TitleDup: 1, DescriptionDup: 2, H1Dup: 3, ContentDup: 4, NearDup: 5, FindingCount: base}})
		}
		var fs []store.Finding
		for i := range findings {
			fs = append(fs, store.Finding{CrawlID: c.ID, CheckID: []string{"title_too_short", "orphan"}[i%2], PageID: int64(1 + i%7),
				Seq: i, Element: fmt.Sprintf("<e%d>'; DROP TABLE pages; --", i)})
		}
		// Two batches, like the job.
		if err := db.AuditWrite(ctx, l, c.ID, rows[:700], fs[:findings/2]); err != nil {
			t.Fatal(err)
		}
		if err := db.AuditWrite(ctx, l, c.ID, rows[700:], fs[findings/2:]); err != nil {
			t.Fatal(err)
		}
		if err := db.AuditFinish(ctx, l, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	write(0, 2501)
	write(100, 3) // a second run replaces the first

	got, err := db.PagesList(ctx, c.ID, 1233, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("page 1234: %v, %v", got, err)
	}
	want := store.PageAudit{Inlinks: 1334, UniqueInlinks: 1, LinkScore: 123.4, RedirectFinalID: 1235, RedirectHops: 2, RedirectLoop: true,
		TitleDup: 1, DescriptionDup: 2, H1Dup: 3, ContentDup: 4, NearDup: 5, FindingCount: 100}
	if got[0].PageAudit != want || got[0].Title != "t1234" {
		t.Fatalf("page 1234 audit = %+v, want %+v", got[0].PageAudit, want)
	}
	all, err := db.FindingsList(ctx, c.ID, "", store.Finding{}, 100)
	if err != nil || len(all) != 3 {
		t.Fatalf("findings after the second run: %+v, %v", all, err)
	}
	// (check, page, seq) order: orphan (page 2) before title_too_short
	// (pages 1 and 3).
	if all[0].CheckID != "orphan" || all[0].PageID != 2 || all[0].URL != "http://example.com/2" ||
		all[1].CheckID != "title_too_short" || all[1].PageID != 1 || all[2].PageID != 3 ||
		all[2].Element != "<e2>'; DROP TABLE pages; --" {
		t.Fatalf("findings = %+v", all)
	}
	only, err := db.FindingsList(ctx, c.ID, "title_too_short", store.Finding{CheckID: "title_too_short", PageID: 1, Seq: 0}, 10)
	if err != nil || len(only) != 1 || only[0].PageID != 3 {
		t.Fatalf("findings of one check after a key = %+v, %v", only, err)
	}
	cr, err := db.CrawlGet(ctx, c.ID)
	if err != nil || cr.AuditedAt == nil {
		t.Fatalf("audited_at not set: %+v, %v", cr, err)
	}
}

// testAuditWriteFenced: an audit's writes are refused once its job is no
// longer the caller's, and a completed job enqueues its follow-up in the
// same transaction (only when completed).
func testAuditWriteFenced(t *testing.T, db *store.DB, _ string) {
	c, l := crawlJob(t, db)
	then := &store.JobEnqueueParams{Kind: "audit", CrawlID: &c.ID}
	if err := db.JobFinish(ctx, store.JobFinishParams{Lease: l, Status: store.JobCompleted, Then: then}); err != nil {
		t.Fatal(err)
	}
	cr, err := db.CrawlGet(ctx, c.ID)
	if err != nil || cr.LastJobID == nil || *cr.LastJobID == l.JobID || cr.Status != "queued" {
		t.Fatalf("crawl after the crawl job completed = %+v, %v; want its audit job queued", cr, err)
	}
	aj, err := db.JobGet(ctx, *cr.LastJobID)
	if err != nil || aj.Kind != "audit" || aj.Status != store.JobQueued || aj.CrawlID == nil || *aj.CrawlID != c.ID {
		t.Fatalf("follow-up job = %+v, %v", aj, err)
	}
	rows := []store.PageAuditRow{{ID: 1}}
	fs := []store.Finding{{CrawlID: c.ID, CheckID: "orphan", PageID: 1}}
	for name, err := range map[string]error{
		"begin":  db.AuditBegin(ctx, l, c.ID),
		"write":  db.AuditWrite(ctx, l, c.ID, rows, fs),
		"finish": db.AuditFinish(ctx, l, c.ID),
	} {
		if !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("%s with the finished crawl job's lease: err = %v, want ErrLeaseLost", name, err)
		}
	}
	if got, _ := db.FindingsList(ctx, c.ID, "", store.Finding{}, 10); len(got) != 0 {
		t.Fatalf("fenced write stored %d findings", len(got))
	}

	// The audit job fails: no follow-up of its own, the crawl mirrors it.
	jobs := claim(t, db, "w", 1, 60000)
	if len(jobs) != 1 || jobs[0].ID != aj.ID {
		t.Fatalf("claimed %+v, want the audit job", jobs)
	}
	// Its progress counts steps: the crawl's page counts are left alone.
	before, _ := db.CrawlGet(ctx, c.ID)
	if err := db.JobProgress(ctx, lease(jobs[0]), store.Progress{Done: 999, Total: 1999}); err != nil {
		t.Fatal(err)
	}
	if after, _ := db.CrawlGet(ctx, c.ID); after.Crawled != before.Crawled || after.Found != before.Found {
		t.Fatalf("audit progress changed the crawl's counts: %+v → %+v", before, after)
	}
	if err := db.JobFinish(ctx, store.JobFinishParams{Lease: lease(jobs[0]), Status: store.JobFailed, Error: "boom", Then: then}); err != nil {
		t.Fatal(err)
	}
	cr, _ = db.CrawlGet(ctx, c.ID)
	if *cr.LastJobID != aj.ID || cr.Status != "error" {
		t.Fatalf("crawl after a failed audit = %+v", cr)
	}
}
