package storetest

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/scouter-seo/scouter/internal/store"
)

const reportHost = "http://example.com"

// reportWrite writes pages, links, page audits and findings to a new crawl
// and returns its id and lease. Pages and findings get the crawl id.
func reportWrite(t *testing.T, db *store.DB, pages []store.Page, links []store.Link, audits []store.PageAuditRow, findings []store.Finding) (int64, store.Lease) {
	t.Helper()
	c, l := crawlJob(t, db)
	for i := range pages {
		pages[i].CrawlID = c.ID
	}
	for i := range links {
		links[i].CrawlID = c.ID
	}
	for i := range findings {
		findings[i].CrawlID = c.ID
	}
	if err := db.CrawlWrite(ctx, l, &store.CrawlBatch{Pages: pages, Links: links}); err != nil {
		t.Fatalf("write crawl: %v", err)
	}
	if err := db.AuditWrite(ctx, l, c.ID, audits, findings); err != nil {
		t.Fatalf("write audit: %v", err)
	}
	return c.ID, l
}

// reportPage is a crawled internal HTML page answering 200 with an
// indexable status, at a depth, with a TTFB in milliseconds.
func reportPage(id int64, path string, depth int, ttfbMs int64) store.Page {
	return store.Page{ID: id, URL: reportHost + path, Internal: true, State: store.PageCrawled, Depth: depth,
		Status: 200, ContentType: "text/html", Indexable: true, TTFBMicros: ttfbMs * 1000, TimeMicros: ttfbMs * 2000}
}

func reportPages() []store.Page {
	var ps []store.Page
	add := func(p store.Page, edit func(*store.Page)) {
		if edit != nil {
			edit(&p)
		}
		ps = append(ps, p)
	}
	add(reportPage(1, "/", 0, 50), func(p *store.Page) { p.InSitemap = true; p.Title = "<script>alert(1)</script>" })
	add(reportPage(2, "/a", 1, 120), func(p *store.Page) { p.Title = "Same" })
	add(reportPage(3, "/b", 1, 300), func(p *store.Page) { p.Title = "Same"; p.Indexable = false; p.Indexability = "noindex" })
	add(reportPage(4, "/old", 1, 600), func(p *store.Page) {
		p.Status, p.ContentType, p.Indexable, p.Indexability, p.RedirectURL = 301, "", false, "redirect", reportHost+"/a"
	})
	add(reportPage(5, "/gone", 2, 1500), func(p *store.Page) { p.Status, p.Indexable, p.Indexability = 404, false, "client-error" })
	add(reportPage(6, "/err", 2, 2500), func(p *store.Page) { p.Status, p.Indexable, p.Indexability = 500, false, "server-error" })
	add(reportPage(7, "/slow", 2, 0), func(p *store.Page) {
		p.Status, p.FetchError, p.ContentType, p.Indexable, p.Indexability = 0, "timeout", "", false, "error"
	})
	add(reportPage(8, "/busy", 2, 80), func(p *store.Page) { p.Status, p.Indexable, p.Indexability = 429, false, "throttled" })
	add(reportPage(9, "/doc.pdf", 1, 90), func(p *store.Page) { p.ContentType = "application/pdf" })
	add(reportPage(10, "/canon", -1, 200), func(p *store.Page) {
		p.InSitemap, p.Indexable, p.Indexability, p.Canonical = true, false, "canonicalised", reportHost+"/a"
	})
	add(store.Page{ID: 11, URL: reportHost + "/queued", Internal: true, State: store.PageQueued, Depth: 3}, nil)
	add(store.Page{ID: 12, URL: reportHost + "/private", Internal: true, State: store.PageBlocked, Depth: 1, Reason: "robots"}, nil)
	add(store.Page{ID: 13, URL: reportHost + "/x?y", Internal: true, State: store.PageExcluded, Depth: 1, Reason: "query"}, nil)
	add(store.Page{ID: 14, URL: "http://other.org/", State: store.PageExternal, Depth: 1}, nil)
	redirect := func(to string) func(p *store.Page) {
		return func(p *store.Page) {
			p.Status, p.ContentType, p.Indexable, p.Indexability, p.RedirectURL = 302, "", false, "redirect", to
		}
	}
	add(reportPage(15, "/loop1", 3, 10), redirect(reportHost+"/loop2"))
	add(reportPage(16, "/loop2", 3, 10), redirect(reportHost+"/loop1"))
	add(reportPage(17, "/away", 3, 10), redirect(reportHost+"/nowhere"))
	return ps
}

func testReports(t *testing.T, db *store.DB, _ string) {
	pages := reportPages()
	const evil = `<script>alert(1)</script>`
	links := []store.Link{
		{SourceID: 1, Position: 0, TargetID: 2, Kind: "anchor", Text: "A", Internal: true},
		{SourceID: 1, Position: 1, TargetID: 3, Kind: "anchor", Text: "B", Internal: true},
		{SourceID: 1, Position: 2, TargetID: 4, Kind: "anchor", Text: "Old", Internal: true},
		{SourceID: 1, Position: 3, TargetID: 14, Kind: "anchor", Text: "elsewhere", Flags: store.LinkNofollow},
		{SourceID: 2, Position: 0, TargetID: 1, Kind: "anchor", Text: "home", Internal: true},
		{SourceID: 2, Position: 1, TargetID: 5, Kind: "anchor", Text: "gone", Internal: true},
		{SourceID: 3, Position: 0, TargetID: 1, Kind: "anchor", Text: "home", Internal: true},
		{SourceID: 3, Position: 1, TargetID: 2, Kind: "anchor", Text: evil, Internal: true},
		{SourceID: 4, Position: 0, TargetID: 2, Kind: "redirect", Internal: true},
		{SourceID: 10, Position: 0, TargetID: 2, Kind: "canonical", Internal: true},
	}
	audits := []store.PageAuditRow{
		{ID: 2, PageAudit: store.PageAudit{Inlinks: 2, UniqueInlinks: 2, LinkScore: 42.5, TitleDup: 2, FindingCount: 2}},
		{ID: 3, PageAudit: store.PageAudit{Inlinks: 1, UniqueInlinks: 1, TitleDup: 2, FindingCount: 1}},
		{ID: 4, PageAudit: store.PageAudit{RedirectFinalID: 2, RedirectHops: 1, FindingCount: 1}},
	}
	findings := []store.Finding{
		{CheckID: "status_4xx", PageID: 5, Element: "404"},
		{CheckID: "status_5xx", PageID: 6, Element: "500"},
		{CheckID: "link_to_broken", PageID: 2, Element: reportHost + "/gone"},
		{CheckID: "title_duplicate", PageID: 2, Element: "Same"},
		{CheckID: "title_duplicate", PageID: 3, Element: "Same"},
		{CheckID: "redirect", PageID: 4, Element: reportHost + "/a"},
		{CheckID: "redirect_loop", PageID: 15, Element: reportHost + "/loop1"},
		{CheckID: "redirect_loop", PageID: 16, Element: reportHost + "/loop2"},
		{CheckID: "image_missing_alt", PageID: 1, Seq: 0, Element: evil},
		{CheckID: "image_missing_alt", PageID: 1, Seq: 1, Element: "b.png"},
	}
	crawlID, _ := reportWrite(t, db, pages, links, audits, findings)

	rep, err := db.CrawlReport(ctx, crawlID)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{"crawled": 13, "queued": 1, "blocked": 1, "excluded": 1}; !maps.Equal(rep.Pages, want) {
		t.Errorf("pages by state = %v, want %v", rep.Pages, want)
	}
	if rep.External != 1 || rep.InSitemap != 2 {
		t.Errorf("external = %d, in sitemap = %d; want 1, 2", rep.External, rep.InSitemap)
	}
	if want := map[string]int64{"2xx": 5, "3xx": 4, "4xx": 1, "5xx": 1, "no-response": 1, "throttled": 1}; !maps.Equal(rep.StatusClass, want) {
		t.Errorf("status classes = %v, want %v", rep.StatusClass, want)
	}
	if want := map[int]int64{-1: 1, 0: 1, 1: 4, 2: 4, 3: 3}; !maps.Equal(rep.Depth, want) {
		t.Errorf("depths = %v, want %v", rep.Depth, want)
	}
	if want := map[string]int64{"indexable": 2, "noindex": 1, "canonicalised": 1}; rep.HTML != 4 || !maps.Equal(rep.Indexability, want) {
		t.Errorf("HTML pages = %d by indexability %v, want 4 by %v", rep.HTML, rep.Indexability, want)
	}
	// TTFBs (ms) of the 12 pages that answered: 10 10 10 50 80 90 | 120 200 | 300 | 600 | 1500 | 2500.
	if want := []int64{6, 2, 1, 1, 1, 1}; !slices.Equal(rep.ResponseTime, want) || rep.Responded != 12 {
		t.Errorf("response times = %v over %d, want %v over 12", rep.ResponseTime, rep.Responded, want)
	}
	if rep.TTFBAvg != 5_470_000/12 || rep.TTFBMedian != 90_000 {
		t.Errorf("TTFB avg %d median %d, want %d and 90000", rep.TTFBAvg, rep.TTFBMedian, 5_470_000/12)
	}

	counts, err := db.FindingCounts(ctx, crawlID)
	if err != nil {
		t.Fatal(err)
	}
	fc := func(id string, findings, pages int64) store.FindingCount {
		return store.FindingCount{CheckID: id, Findings: findings, Pages: pages}
	}
	wantCounts := []store.FindingCount{fc("image_missing_alt", 2, 1), fc("link_to_broken", 1, 1), fc("redirect", 1, 1),
		fc("redirect_loop", 2, 2), fc("status_4xx", 1, 1), fc("status_5xx", 1, 1), fc("title_duplicate", 2, 2)}
	if !slices.Equal(counts, wantCounts) {
		t.Errorf("finding counts = %v, want %v", counts, wantCounts)
	}

	p, err := db.PageGet(ctx, crawlID, 2)
	if err != nil || p.URL != reportHost+"/a" || p.Title != "Same" || p.LinkScore != 42.5 || p.TitleDup != 2 || p.FindingCount != 2 || p.Inlinks != 2 {
		t.Errorf("page 2 = %+v, %v", p, err)
	}
	if _, err := db.PageGet(ctx, crawlID, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown page: err = %v, want ErrNotFound", err)
	}
	if _, err := db.PageGet(ctx, crawlID+1000, 2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("page of an unknown crawl: err = %v, want ErrNotFound", err)
	}
	if p, err := db.PageByURL(ctx, crawlID, reportHost+"/x?y"); err != nil || p.ID != 13 {
		t.Errorf("page by URL = %d, %v; want 13", p.ID, err)
	}
	for _, u := range []string{reportHost + "/X?y", "' OR 1=1 --", reportHost + "/x?y "} {
		if _, err := db.PageByURL(ctx, crawlID, u); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("page by URL %q: err = %v, want ErrNotFound", u, err)
		}
	}

	fs, err := db.PageFindings(ctx, crawlID, 2, 10)
	if err != nil || len(fs) != 2 || fs[0].CheckID != "link_to_broken" || fs[1].CheckID != "title_duplicate" || fs[1].Element != "Same" {
		t.Errorf("findings of page 2 = %+v, %v", fs, err)
	}
	if fs, err := db.PageFindings(ctx, crawlID, 1, 1); err != nil || len(fs) != 1 || fs[0].Element != evil {
		t.Errorf("first finding of page 1 = %+v, %v", fs, err)
	}

	type linkKey struct {
		source, target                   int64
		kind, sourceURL, targetURL, text string
	}
	keys := func(ls []store.LinkURLs) []linkKey {
		var out []linkKey
		for _, l := range ls {
			out = append(out, linkKey{l.SourceID, l.TargetID, l.Kind, l.SourceURL, l.TargetURL, l.Text})
		}
		return out
	}
	in, total, err := db.PageInlinks(ctx, crawlID, 2, 10)
	a := reportHost + "/a"
	wantIn := []linkKey{{1, 2, "anchor", reportHost + "/", a, "A"}, {3, 2, "anchor", reportHost + "/b", a, evil},
		{4, 2, "redirect", reportHost + "/old", a, ""}, {10, 2, "canonical", reportHost + "/canon", a, ""}}
	if err != nil || total != 4 || !reflect.DeepEqual(keys(in), wantIn) {
		t.Errorf("inlinks of page 2 = %v (total %d), %v; want %v", keys(in), total, err, wantIn)
	}
	if in, total, err := db.PageInlinks(ctx, crawlID, 2, 2); err != nil || total != 4 || !reflect.DeepEqual(keys(in), wantIn[:2]) {
		t.Errorf("first 2 inlinks of page 2 = %v (total %d), %v", keys(in), total, err)
	}
	if in, total, err := db.PageInlinks(ctx, crawlID, 13, 10); err != nil || total != 0 || len(in) != 0 {
		t.Errorf("inlinks of page 13 = %v (total %d), %v", in, total, err)
	}
	out, total, err := db.PageOutlinks(ctx, crawlID, 1, 3)
	if err != nil || total != 4 || len(out) != 3 || out[0].TargetURL != a || out[2].TargetURL != reportHost+"/old" || out[1].Position != 1 {
		t.Errorf("first 3 outlinks of page 1 = %v (total %d), %v", keys(out), total, err)
	}
	if out, total, err := db.PageOutlinks(ctx, crawlID, 1, 10); err != nil || total != 4 || len(out) != 4 ||
		out[3].TargetURL != "http://other.org/" || out[3].Flags != store.LinkNofollow || out[3].Internal {
		t.Errorf("outlinks of page 1 = %+v (total %d), %v", out, total, err)
	}

	chainIDs := func(c store.RedirectChain) []int64 {
		var ids []int64
		for _, h := range c.Hops {
			ids = append(ids, h.ID)
		}
		return ids
	}
	for _, tc := range []struct {
		start      int64
		hops       []int64
		loop       bool
		unresolved string
	}{
		{4, []int64{2}, false, ""},
		{15, []int64{16, 15}, true, ""},
		{17, nil, false, reportHost + "/nowhere"},
		{2, nil, false, ""},
	} {
		p, err := db.PageGet(ctx, crawlID, tc.start)
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.RedirectChain(ctx, p)
		if err != nil || !slices.Equal(chainIDs(c), tc.hops) || c.Loop != tc.loop || c.Unresolved != tc.unresolved || c.Cut {
			t.Errorf("redirect chain from %d = %v loop %v unresolved %q cut %v, %v", tc.start, chainIDs(c), c.Loop, c.Unresolved, c.Cut, err)
		}
	}

	refs, total, err := db.DuplicateCluster(ctx, crawlID, "title_dup", 2, 10)
	if err != nil || total != 2 || len(refs) != 2 || refs[0].ID != 2 || refs[1].ID != 3 || refs[1].URL != reportHost+"/b" {
		t.Errorf("title cluster 2 = %+v (total %d), %v", refs, total, err)
	}
	if refs, total, err := db.DuplicateCluster(ctx, crawlID, "title_dup", 2, 1); err != nil || total != 2 || len(refs) != 1 {
		t.Errorf("title cluster 2, limit 1 = %+v (total %d), %v", refs, total, err)
	}
	if _, _, err := db.DuplicateCluster(ctx, crawlID, "title; DROP TABLE pages", 2, 1); err == nil {
		t.Error("an unknown duplicate kind was accepted")
	}

	// An empty crawl has an empty report.
	empty, _ := reportWrite(t, db, nil, nil, nil, nil)
	rep, err = db.CrawlReport(ctx, empty)
	if err != nil || len(rep.Pages) != 0 || rep.Responded != 0 || rep.TTFBMedian != 0 || len(rep.ResponseTime) != len(store.ResponseTimeBounds)+1 {
		t.Errorf("empty report = %+v, %v", rep, err)
	}
	if counts, err := db.FindingCounts(ctx, empty); err != nil || len(counts) != 0 {
		t.Errorf("empty finding counts = %v, %v", counts, err)
	}

	// A chain longer than MaxRedirectHops is cut.
	var long []store.Page
	for i := int64(1); i <= store.MaxRedirectHops+5; i++ {
		long = append(long, reportPage(i, fmt.Sprintf("/r%d", i), 1, 10))
		long[i-1].Status, long[i-1].RedirectURL = 301, fmt.Sprintf("%s/r%d", reportHost, i+1)
	}
	longID, _ := reportWrite(t, db, long, nil, nil, nil)
	p, err = db.PageGet(ctx, longID, 1)
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.RedirectChain(ctx, p)
	if err != nil || len(c.Hops) != store.MaxRedirectHops || !c.Cut || c.Loop || c.Hops[0].ID != 2 {
		t.Errorf("long chain: %d hops, cut %v, loop %v, %v", len(c.Hops), c.Cut, c.Loop, err)
	}
}

func testCompare(t *testing.T, db *store.DB, _ string) {
	// Crawl A (before) and B (after) of the same site, with other page ids
	// for the same URLs: pages match by URL.
	pa := []store.Page{
		reportPage(1, "/", 0, 10),
		reportPage(2, "/a", 1, 10),
		reportPage(3, "/b", 1, 10),
		reportPage(4, "/c", 1, 10),
		{ID: 5, URL: "http://other.org/", State: store.PageExternal, Depth: 1},
		{ID: 6, URL: reportHost + "/q", Internal: true, State: store.PageQueued, Depth: 2},
		reportPage(7, "/z", 1, 10),
	}
	pa[2].Status, pa[2].Indexability = 404, "client-error"
	fa := []store.Finding{
		{CheckID: "status_4xx", PageID: 3, Element: "404"},
		{CheckID: "title_duplicate", PageID: 1, Element: "Home"},
		{CheckID: "title_duplicate", PageID: 2, Element: "Home"},
		{CheckID: "image_missing_alt", PageID: 1, Seq: 0, Element: "x.png"},
		{CheckID: "image_missing_alt", PageID: 1, Seq: 1, Element: "y.png"},
		// The same element twice on a page is one finding to compare.
		{CheckID: "link_to_broken", PageID: 1, Seq: 0, Element: reportHost + "/b"},
		{CheckID: "link_to_broken", PageID: 1, Seq: 1, Element: reportHost + "/b"},
		{CheckID: "h1_missing", PageID: 4},
		{CheckID: "slow_page", PageID: 1, Element: "912 ms"},
	}
	pb := []store.Page{
		reportPage(1, "/", 0, 10),
		reportPage(2, "/d", 1, 10),
		reportPage(3, "/b", 1, 10),
		reportPage(4, "/a", 1, 10),
		{ID: 5, URL: "http://other.org/", State: store.PageExternal, Depth: 1},
		{ID: 6, URL: "http://another.org/", State: store.PageExternal, Depth: 1},
		{ID: 7, URL: reportHost + "/z", Internal: true, State: store.PageQueued, Depth: 1},
	}
	pb[3].Status, pb[3].Indexability = 500, "server-error"
	fb := []store.Finding{
		{CheckID: "status_5xx", PageID: 4, Element: "500"},
		{CheckID: "title_duplicate", PageID: 1, Element: "Home"},
		{CheckID: "title_duplicate", PageID: 2, Element: "Home"},
		{CheckID: "image_missing_alt", PageID: 1, Seq: 0, Element: "x.png"},
		{CheckID: "image_missing_alt", PageID: 1, Seq: 1, Element: "z.png"},
		{CheckID: "slow_page", PageID: 1, Element: "1204 ms"},
	}
	a, _ := reportWrite(t, db, pa, nil, nil, fa)
	b, _ := reportWrite(t, db, pb, nil, nil, fb)

	// The slow page is slow in both, at another timing: matched by page
	// alone, it is persisting (a value check); matched by element it
	// would be fixed and new.
	c, err := db.CrawlCompare(ctx, store.CompareParams{A: a, B: b, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(c.Checks, func(d store.CheckDiff) bool { return d.CheckID == "slow_page" }); i < 0 ||
		c.Checks[i] != (store.CheckDiff{CheckID: "slow_page", New: 1, Fixed: 1}) {
		t.Errorf("slow_page matched by element: %+v", c.Checks)
	}
	c, err = db.CrawlCompare(ctx, store.CompareParams{A: a, B: b, Limit: 10, ValueChecks: []string{"slow_page", "status_4xx"}})
	if err != nil {
		t.Fatal(err)
	}
	wantChecks := []store.CheckDiff{
		{CheckID: "h1_missing", Fixed: 1},
		{CheckID: "image_missing_alt", New: 1, Fixed: 1, Persisting: 1},
		{CheckID: "link_to_broken", Fixed: 1},
		{CheckID: "slow_page", Persisting: 1},
		{CheckID: "status_4xx", Fixed: 1},
		{CheckID: "status_5xx", New: 1},
		{CheckID: "title_duplicate", New: 1, Fixed: 1, Persisting: 1},
	}
	if !slices.Equal(c.Checks, wantChecks) {
		t.Errorf("checks = %+v\nwant %+v", c.Checks, wantChecks)
	}
	urls := func(ps []store.PageRef) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.URL)
		}
		return out
	}
	if c.AddedTotal != 1 || !slices.Equal(urls(c.Added), []string{reportHost + "/d"}) || c.Added[0].ID != 2 || c.Added[0].Status != 200 {
		t.Errorf("added = %+v (total %d)", c.Added, c.AddedTotal)
	}
	if c.RemovedTotal != 2 || !slices.Equal(urls(c.Removed), []string{reportHost + "/c", reportHost + "/q"}) ||
		c.Removed[0].ID != 4 || c.Removed[1].State != store.PageQueued {
		t.Errorf("removed = %+v (total %d)", c.Removed, c.RemovedTotal)
	}
	// /z was crawled in A and only queued in B: not a status change.
	wantChanges := []store.StatusChange{
		{URL: reportHost + "/a", A: store.PageRef{ID: 2, URL: reportHost + "/a", State: "crawled", Status: 200},
			B: store.PageRef{ID: 4, URL: reportHost + "/a", State: "crawled", Status: 500}},
		{URL: reportHost + "/b", A: store.PageRef{ID: 3, URL: reportHost + "/b", State: "crawled", Status: 404},
			B: store.PageRef{ID: 3, URL: reportHost + "/b", State: "crawled", Status: 200}},
	}
	if c.StatusChangesTotal != 2 || !slices.Equal(c.StatusChanges, wantChanges) {
		t.Errorf("status changes = %+v (total %d)\nwant %+v", c.StatusChanges, c.StatusChangesTotal, wantChanges)
	}

	// The limit bounds the lists, not the totals.
	c, err = db.CrawlCompare(ctx, store.CompareParams{A: a, B: b, Limit: 1, ValueChecks: []string{"slow_page", "status_4xx"}})
	if err != nil || len(c.Removed) != 1 || c.RemovedTotal != 2 || len(c.StatusChanges) != 1 || c.StatusChangesTotal != 2 ||
		c.StatusChanges[0].URL != reportHost+"/a" || len(c.Checks) != len(wantChecks) {
		t.Errorf("limit 1: %+v, %v", c, err)
	}
	c, err = db.CrawlCompare(ctx, store.CompareParams{A: a, B: b})
	if err != nil || c.Added != nil || c.Removed != nil || c.StatusChanges != nil || c.AddedTotal != 1 || c.StatusChangesTotal != 2 {
		t.Errorf("limit 0: %+v, %v", c, err)
	}

	// Reversed, new and fixed swap; added and removed too.
	c, err = db.CrawlCompare(ctx, store.CompareParams{A: b, B: a, Limit: 10, ValueChecks: []string{"slow_page", "status_4xx"}})
	if err != nil || c.AddedTotal != 2 || c.RemovedTotal != 1 || c.StatusChangesTotal != 2 {
		t.Fatalf("reversed: %+v, %v", c, err)
	}
	for i, d := range c.Checks {
		w := wantChecks[i]
		if d.CheckID != w.CheckID || d.New != w.Fixed || d.Fixed != w.New || d.Persisting != w.Persisting {
			t.Errorf("reversed check %+v, want the swap of %+v", d, w)
		}
	}

	// A crawl compared with itself has nothing new, fixed, added or removed.
	c, err = db.CrawlCompare(ctx, store.CompareParams{A: a, B: a, Limit: 10})
	if err != nil || c.AddedTotal != 0 || c.RemovedTotal != 0 || c.StatusChangesTotal != 0 {
		t.Errorf("self comparison: %+v, %v", c, err)
	}
	for _, d := range c.Checks {
		if d.New != 0 || d.Fixed != 0 || d.Persisting == 0 {
			t.Errorf("self comparison check %+v", d)
		}
	}
}
