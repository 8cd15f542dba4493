package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/scouter-seo/scouter/internal/store"
)

type explorePage map[string]any

type exploreResp struct {
	Total   int64         `json:"total"`
	Offset  int           `json:"offset"`
	Limit   int           `json:"limit"`
	Audited bool          `json:"audited"`
	Columns []string      `json:"columns"`
	Pages   []explorePage `json:"pages"`
}

func (r exploreResp) ids() []int64 {
	out := []int64{}
	for _, p := range r.Pages {
		out = append(out, int64(p["id"].(float64)))
	}
	return out
}

// exploreCrawl stores a crawl of 30 pages: status 200 but every fifth 404,
// link score 100 − id, a hostile title, and a title_missing finding on
// every page without a title. It returns the crawl.
func (e *env) exploreCrawl() store.Crawl {
	e.t.Helper()
	c, j := e.crawl("https://example.com/")
	l := e.claim(j.ID)
	var b store.CrawlBatch
	var audits []store.PageAuditRow
	var findings []store.Finding
	for i := int64(1); i <= 30; i++ {
		p := store.Page{CrawlID: c.ID, ID: i, URL: fmt.Sprintf("https://example.com/p/%d", i), Internal: true,
			State: store.PageCrawled, Status: 200, Indexable: true, Indexability: "indexable", Title: fmt.Sprintf("Page %d", i),
			Depth: int(i % 3), TTFBMicros: i * 1500}
		switch {
		case i%5 == 0:
			p.Status, p.Indexable, p.Indexability = 404, false, "client-error"
		case i == 7:
			p.Title = `<script>alert(1)</script> 100% "widget"`
		case i == 8:
			p.URL = "https://example.com/widgets:blue"
		}
		if i%4 == 0 {
			p.Title = ""
			findings = append(findings, store.Finding{CrawlID: c.ID, CheckID: "title_missing", PageID: i})
		}
		b.Pages = append(b.Pages, p)
		audits = append(audits, store.PageAuditRow{ID: i, PageAudit: store.PageAudit{LinkScore: float64(100 - i), Inlinks: int(i % 4)}})
	}
	ctx := e.t.Context()
	if err := e.db.CrawlWrite(ctx, l, &b); err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.AuditWrite(ctx, l, c.ID, audits, findings); err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.AuditFinish(ctx, l, c.ID); err != nil {
		e.t.Fatal(err)
	}
	return c
}

func TestCrawlPages(t *testing.T) {
	eachBackend(t, func(e *env) {
		c := e.exploreCrawl()
		path := func(q string) string { return crawlPath(c.ID) + "/pages" + q }
		get := func(q string) exploreResp {
			e.t.Helper()
			var r exploreResp
			e.call("GET", path(q), "", http.StatusOK, &r)
			return r
		}

		r := get("")
		if r.Total != 30 || r.Offset != 0 || r.Limit != 100 || !r.Audited || !slices.Equal(r.Columns, store.DefaultExploreColumns) ||
			len(r.Pages) != 30 || r.ids()[0] != 1 || r.ids()[29] != 30 {
			e.t.Fatalf("default: %+v", r)
		}
		p := r.Pages[4] // page 5
		want := explorePage{"id": 5.0, "url": "https://example.com/p/5", "status": 404.0, "indexability": "client-error", "title": "Page 5",
			"depth": 2.0, "inlinks": 1.0, "link_score": 95.0, "finding_count": 0.0, "ttfb_ms": 7.5}
		if !mapsEqual(p, want) {
			e.t.Errorf("page 5 = %v, want %v", p, want)
		}

		// Filter, sort, page: status 200 by link score, ascending, 5 from
		// the 6th; the totals count every match.
		r = get("?f=status:eq:200&sort=link_score&limit=5&offset=5")
		if r.Total != 24 || r.Limit != 5 || r.Offset != 5 || !slices.Equal(r.ids(), []int64{23, 22, 21, 19, 18}) {
			e.t.Errorf("status 200 by link score: total %d, ids %v", r.Total, r.ids())
		}
		r = get("?f=status:eq:200&f=depth:ge:1&sort=depth&order=desc&limit=3")
		if r.Total != 16 || !slices.Equal(r.ids(), []int64{29, 26, 23}) {
			e.t.Errorf("two filters, depth desc: total %d, ids %v", r.Total, r.ids())
		}
		// The value is everything after the second colon.
		r = get("?f=" + url.QueryEscape("url:eq:https://example.com/widgets:blue"))
		if !slices.Equal(r.ids(), []int64{8}) {
			e.t.Errorf("a value with colons: %v", r.ids())
		}
		r = get("?f=title:empty&sort=id&order=desc")
		if !slices.Equal(r.ids(), []int64{28, 24, 20, 16, 12, 8, 4}) {
			e.t.Errorf("empty titles: %v", r.ids())
		}
		// Search, case-insensitive, on the URL or the title.
		r = get("?q=WIDGET")
		if !slices.Equal(r.ids(), []int64{7, 8}) {
			e.t.Errorf("search: %v", r.ids())
		}
		r = get("?f=" + url.QueryEscape("title:contains:%"))
		if !slices.Equal(r.ids(), []int64{7}) {
			e.t.Errorf("%% is literal: %v", r.ids())
		}
		// The issues list links here with ?check=.
		r = get("?check=title_missing&sort=link_score&order=desc")
		if r.Total != 7 || !slices.Equal(r.ids(), []int64{4, 8, 12, 16, 20, 24, 28}) {
			e.t.Errorf("check: total %d, ids %v", r.Total, r.ids())
		}
		r = get("?check=status_5xx")
		if r.Total != 0 || r.Pages == nil || len(r.Pages) != 0 {
			e.t.Errorf("a check without findings: %+v", r)
		}
		// A page past the end still has the total.
		r = get("?offset=40&limit=10")
		if r.Total != 30 || len(r.Pages) != 0 {
			e.t.Errorf("past the end: %+v", r)
		}

		// Columns: the id, then the chosen ones in order.
		_, raw := e.do("GET", path("?cols=title,url&cols=status&limit=1&offset=6"), "")
		if want := `"pages":[{"id":7,"title":"\u003cscript\u003ealert(1)\u003c/script\u003e 100% \"widget\"","url":"https://example.com/p/7","status":200}]`; !bytes.Contains(raw, []byte(want)) {
			e.t.Errorf("columns: %s\nwant %s", raw, want)
		}
		if bytes.Contains(raw, []byte("<script>")) {
			e.t.Error("a title reached the JSON unescaped")
		}
		r = get("?cols=hreflang,crawled_at,content_hash,indexable,redirect_loop&limit=1")
		if want := (explorePage{"id": 1.0, "hreflang": []any{}, "crawled_at": nil, "content_hash": "", "indexable": true, "redirect_loop": false}); !mapsEqual(r.Pages[0], want) {
			e.t.Errorf("typed columns: %v, want %v", r.Pages[0], want)
		}

		// A crawl that is not audited says so.
		other, _ := e.crawl("https://other.example/")
		var o exploreResp
		e.call("GET", crawlPath(other.ID)+"/pages", "", http.StatusOK, &o)
		if o.Audited || o.Total != 0 || o.Pages == nil {
			e.t.Errorf("an empty crawl: %+v", o)
		}
	})
}

func TestCrawlPagesInvalid(t *testing.T) {
	eachBackend(t, func(e *env) {
		c := e.exploreCrawl()
		path := func(q string) string { return crawlPath(c.ID) + "/pages" + q }
		e.wantError("GET", crawlPath(999999)+"/pages", "", http.StatusNotFound, "", "crawl not found")
		for _, id := range badIDs {
			e.errorBody("GET", "/api/v1/crawls/"+id+"/pages", "", http.StatusBadRequest, "id")
		}
		e.wantError("GET", path("?f=status:eq:abc"), "", http.StatusBadRequest, "f.status", `status: "abc" is not an integer`)
		e.wantError("GET", path("?f=status:eq:1%20OR%201=1"), "", http.StatusBadRequest, "f.status", `status: "1 OR 1=1" is not an integer`)
		e.errorBody("GET", path("?f=title:gt:a"), "", http.StatusBadRequest, "f.title")
		e.errorBody("GET", path("?f=indexable:eq:maybe"), "", http.StatusBadRequest, "f.indexable")
		e.errorBody("GET", path("?f=title:contains:a%00b"), "", http.StatusBadRequest, "f.title")
		e.errorBody("GET", path("?f=nope:eq:1"), "", http.StatusBadRequest, "f")
		e.errorBody("GET", path("?f="+url.QueryEscape("title; DROP TABLE pages; --:eq:x")), "", http.StatusBadRequest, "f")
		e.errorBody("GET", path("?f=extra:contains:x"), "", http.StatusBadRequest, "f")
		e.errorBody("GET", path("?f=status"), "", http.StatusBadRequest, "f.status")
		e.wantError("GET", path("?sort=nope"), "", http.StatusBadRequest, "sort", `cannot sort by "nope": no such field`)
		e.errorBody("GET", path("?sort="+url.QueryEscape("id; DROP TABLE pages")), "", http.StatusBadRequest, "sort")
		e.wantError("GET", path("?order=up"), "", http.StatusBadRequest, "order", "order must be asc or desc")
		for _, v := range []string{"0", "501", "abc", "-1"} {
			e.wantError("GET", path("?limit="+v), "", http.StatusBadRequest, "limit", "limit must be an integer from 1 to 500")
		}
		e.errorBody("GET", path("?offset=-1"), "", http.StatusBadRequest, "offset")
		e.errorBody("GET", path("?cols=url,nope"), "", http.StatusBadRequest, "cols")
		e.wantError("GET", path("?check=nope"), "", http.StatusBadRequest, "check", `unknown check "nope"`)
		e.errorBody("GET", path("?q=%00"), "", http.StatusBadRequest, "q")
		e.errorBody("GET", path("?q="+strings.Repeat("a", 20_000)), "", http.StatusBadRequest, "q")

		// Nothing was harmed.
		var r exploreResp
		e.call("GET", path(""), "", http.StatusOK, &r)
		if r.Total != 30 {
			e.t.Errorf("after the bad requests: total %d", r.Total)
		}
	})
}

func mapsEqual(got, want map[string]any) bool {
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	return bytes.Equal(g, w)
}
