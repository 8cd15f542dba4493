package storetest

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// exploreCrawl writes pages (and their audit results and findings) to a new
// crawl and returns the crawl id and the pages as read back.
func exploreCrawl(t *testing.T, db *store.DB, pages []store.Page, audits []store.PageAuditRow, findings []store.Finding) (int64, []store.Page) {
	t.Helper()
	c, l := crawlJob(t, db)
	for i := range pages {
		pages[i].CrawlID = c.ID
	}
	for i := range findings {
		findings[i].CrawlID = c.ID
	}
	per, _ := db.CrawlBatchSize()
	for start := 0; start < len(pages); start += per {
		b := &store.CrawlBatch{Pages: pages[start:min(start+per, len(pages))]}
		if err := db.CrawlWrite(ctx, l, b); err != nil {
			t.Fatalf("write pages: %v", err)
		}
	}
	if err := db.AuditWrite(ctx, l, c.ID, audits, nil); err != nil {
		t.Fatalf("write audit: %v", err)
	}
	writeFindings(t, db, l, c.ID, findings)
	return c.ID, testdb.Pages(t, db, c.ID)
}

// writeFindings stores findings.
func writeFindings(t testing.TB, db *store.DB, l store.Lease, crawlID int64, fs []store.Finding) {
	t.Helper()
	if err := db.AuditWrite(ctx, l, crawlID, nil, fs); err != nil {
		t.Fatalf("write findings: %v", err)
	}
}

// explorePages is a crawl of n pages whose values repeat (ties for every
// sort), with empty and NULL values, case variants and LIKE metacharacters.
func explorePages(n int) ([]store.Page, []store.PageAuditRow, []store.Finding) {
	r := rand.New(rand.NewPCG(1, 2))
	sections := []string{"blog", "shop", "Shop", "docs", "a_b", "100%"}
	titles := []string{"", "Blue widget", "WIDGET sale", "Widgets & gadgets", "About us", "50% off", "snake_case",
		`C:\path`, "Café crème", "日本語", "widget"}
	statuses := []int{200, 200, 200, 200, 301, 404, 500, 0}
	states := []string{store.PageCrawled, store.PageCrawled, store.PageCrawled, store.PageQueued, store.PageExternal, store.PageBlocked}
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var pages []store.Page
	var audits []store.PageAuditRow
	var findings []store.Finding
	for i := int64(1); i <= int64(n); i++ {
		sec := sections[r.IntN(len(sections))]
		p := store.Page{
			ID: i, URL: fmt.Sprintf("http://example.com/%s/item-%d", sec, i), Internal: r.IntN(5) > 0,
			State: states[r.IntN(len(states))], Depth: r.IntN(6) - 1, InSitemap: r.IntN(2) == 0,
			Status: statuses[r.IntN(len(statuses))], Title: titles[r.IntN(len(titles))],
			Size: int64(r.IntN(50_000)), TTFBMicros: int64(r.IntN(40)) * 2500, TimeMicros: int64(r.IntN(1_000_000)),
			Indexable: r.IntN(3) > 0, WordCount: r.IntN(1000), ContentHash: int64(r.Uint64() >> uint(r.IntN(2)*60)),
			H1Count: r.IntN(3), ImageCount: r.IntN(10),
		}
		if i > 1 && r.IntN(4) > 0 {
			p.FoundFrom = 1 + r.Int64N(i-1)
		}
		if p.Status == 0 {
			p.FetchError = "timeout"
		}
		if i%100 == 3 {
			p.TTFBMicros = 12_345 // 12.345 ms, a value that is not exact in binary
		}
		p.TitleLength = len(p.Title)
		if r.IntN(3) > 0 {
			at := base.Add(time.Duration(r.IntN(1000)) * time.Minute)
			p.CrawledAt = &at
		}
		if r.IntN(4) == 0 {
			p.Hreflang = `[{"lang":"fr","url":"http://example.com/fr"}]`
		}
		if r.IntN(5) == 0 {
			p.JSONLDTypes = `["Product"]`
		}
		if r.IntN(7) == 0 {
			p.Description = "Save 100% on widgets_now"
		}
		pages = append(pages, p)
		a := store.PageAuditRow{ID: i, PageAudit: store.PageAudit{Inlinks: r.IntN(30), UniqueInlinks: r.IntN(10),
			LinkScore: float64(r.IntN(20)) * 5.5, RedirectHops: r.IntN(3), RedirectLoop: r.IntN(20) == 0,
			TitleDup: int64(r.IntN(3))}}
		if p.Title == "" {
			findings = append(findings, store.Finding{CheckID: "title_missing", PageID: i})
		}
		if p.Status == 404 {
			findings = append(findings, store.Finding{CheckID: "status_4xx", PageID: i, Element: "404"})
		}
		// Several findings of one check on one page count the page once.
		for seq := range r.IntN(4) {
			findings = append(findings, store.Finding{CheckID: "link_to_broken", PageID: i, Seq: seq, Element: "http://example.com/x"})
		}
		for _, f := range findings {
			if f.PageID == i {
				a.FindingCount++
			}
		}
		audits = append(audits, a)
	}
	return pages, audits, findings
}

func testExplore(t *testing.T, db *store.DB, _ string) {
	pages, audits, findings := explorePages(600)
	crawlID, all := exploreCrawl(t, db, pages, audits, findings)
	if len(all) != 600 {
		t.Fatalf("read back %d pages", len(all))
	}
	// Another crawl with the same values and findings must never show.
	other, oa, of := explorePages(50)
	exploreCrawl(t, db, other, oa, of)
	checks := map[string]map[int64]bool{}
	for _, f := range findings {
		if checks[f.CheckID] == nil {
			checks[f.CheckID] = map[int64]bool{}
		}
		checks[f.CheckID][f.PageID] = true
	}
	hash := fmt.Sprintf("%016x", uint64(all[17].ContentHash))
	someTime := all[0].CrawledAt
	for _, p := range all {
		if p.CrawledAt != nil {
			someTime = p.CrawledAt
			break
		}
	}

	filters := [][]store.ExploreFilter{
		nil,
		{flt("title", "contains", "widget")},
		{flt("title", "contains", "WIDGET")},
		{flt("title", "not_contains", "widget")},
		{flt("title", "eq", "widget")},
		{flt("title", "ne", "widget")},
		{flt("title", "eq", "")},
		{flt("title", "empty", "")},
		{flt("title", "not_empty", "ignored")},
		{flt("title", "contains", "%")},
		{flt("title", "contains", "_")},
		{flt("title", "contains", `\`)},
		{flt("title", "contains", "Café")},
		{flt("title", "contains", "日本")},
		{flt("url", "prefix", "http://example.com/shop/")},
		{flt("url", "prefix", "HTTP://EXAMPLE.COM/SHOP/")},
		{flt("url", "prefix", "http://example.com/a_b")},
		{flt("url", "contains", "100%/")},
		{flt("description", "contains", "100%")},
		{flt("description", "contains", "s_n")},
		{flt("hreflang", "empty", "")},
		{flt("hreflang", "not_empty", "")},
		{flt("jsonld_types", "contains", "product")},
		{flt("status", "eq", "200")},
		{flt("status", "ne", "200")},
		{flt("status", "lt", "300")},
		{flt("status", "le", "301")},
		{flt("status", "gt", "301")},
		{flt("status", "ge", " 404 ")},
		{flt("status", "eq", "99999999999")},
		{flt("depth", "eq", "-1")},
		{flt("found_from", "eq", "0")},
		{flt("found_from", "gt", "100")},
		{flt("id", "le", "10")},
		{flt("size", "ge", "25000")},
		{flt("link_score", "gt", "50.5")},
		{flt("link_score", "eq", "55")},
		{flt("link_score", "le", "0")},
		{flt("ttfb_ms", "le", "12.5")},
		{flt("ttfb_ms", "eq", "25")},
		{flt("ttfb_ms", "eq", "12.345")},
		{flt("ttfb_ms", "lt", "2.5004")},
		{flt("ttfb_ms", "le", "2.4996")},
		{flt("time_ms", "ge", "123.4567")},
		{flt("ttfb_ms", "gt", "0.0001")},
		{flt("time_ms", "lt", "500")},
		{flt("indexable", "eq", "true")},
		{flt("indexable", "eq", "false")},
		{flt("indexable", "ne", "TRUE")},
		{flt("in_sitemap", "eq", "yes")},
		{flt("redirect_loop", "eq", "1")},
		{flt("internal", "eq", "0")},
		{flt("crawled_at", "ge", "2025-03-01T20:00:00Z")},
		{flt("crawled_at", "lt", "2025-03-02")},
		{flt("crawled_at", "eq", someTime.Format(time.RFC3339Nano))},
		{flt("crawled_at", "ne", someTime.Format(time.RFC3339Nano))},
		{flt("content_hash", "eq", hash)},
		{flt("content_hash", "ne", strings.ToUpper(hash))},
		{flt("inlinks", "ge", "15"), flt("unique_inlinks", "lt", "5")},
		{flt("state", "eq", "crawled"), flt("status", "eq", "200"), flt("indexable", "eq", "true")},
		{flt("title_dup", "ne", "0"), flt("title", "not_empty", "")},
		{flt("finding_count", "gt", "2")},
		{flt("status", "ge", "400"), flt("status", "lt", "400")},
	}
	searches := []string{"", "widget", "WIDGET", "shop", "100%", "a_b", "_", "%", "Café", "nothing-matches"}
	for _, fs := range filters {
		for _, search := range []string{"", "widget"} {
			q := store.ExploreQuery{CrawlID: crawlID, Filters: fs, Search: search, Limit: 500}
			exploreCompare(t, db, all, checks, q)
		}
	}
	for _, search := range searches {
		exploreCompare(t, db, all, checks, store.ExploreQuery{CrawlID: crawlID, Search: search, Limit: 500})
	}
	for _, check := range []string{"title_missing", "status_4xx", "link_to_broken", "no_such_check"} {
		exploreCompare(t, db, all, checks, store.ExploreQuery{CrawlID: crawlID, Check: check, Limit: 500})
		exploreCompare(t, db, all, checks, store.ExploreQuery{CrawlID: crawlID, Check: check, Sort: "link_score", Desc: true, Limit: 7, Offset: 14,
			Filters: []store.ExploreFilter{flt("status", "ne", "500")}, Search: "example"})
	}

	// Every sort, both ways, read in pages of 251: ties are broken by id in
	// the sort's direction, so the pages join up without gaps or repeats.
	for _, f := range store.ExploreFields {
		for _, desc := range []bool{false, true} {
			var got []int64
			var total int64
			for off := 0; off < len(all)+251; off += 251 {
				q := store.ExploreQuery{CrawlID: crawlID, Sort: f.Name, Desc: desc, Limit: 251, Offset: off}
				ps, n, err := db.Explore(ctx, q)
				if err != nil {
					t.Fatalf("%+v: %v", q, err)
				}
				total = n
				for _, p := range ps {
					got = append(got, p.ID)
				}
			}
			want := exploreRef(all, checks, store.ExploreQuery{Sort: f.Name, Desc: desc})
			if total != int64(len(all)) || !slices.Equal(got, pageIDs(want)) {
				t.Fatalf("sort %s desc=%v: total %d, ids %v\nwant %v", f.Name, desc, total, got, pageIDs(want))
			}
		}
	}

	// Pagination and totals: a short last page, a page past the end (the
	// total is then counted), the default and the capped limit.
	q := store.ExploreQuery{CrawlID: crawlID, Filters: []store.ExploreFilter{flt("status", "eq", "200")}, Sort: "depth"}
	want := exploreRef(all, checks, q)
	if len(want) < 150 || len(want) > 450 {
		t.Fatalf("the data gives %d pages with status 200", len(want))
	}
	for _, off := range []int{0, 1, 100, len(want) - 1, len(want), len(want) + 5, store.ExploreMaxOffset} {
		q.Offset = off
		exploreCompare(t, db, all, checks, q)
	}
	ps, n, err := db.Explore(ctx, store.ExploreQuery{CrawlID: crawlID})
	if err != nil || len(ps) != store.ExploreDefaultLimit || n != 600 {
		t.Fatalf("default limit: %d pages of %d, %v", len(ps), n, err)
	}
	ps, n, err = db.Explore(ctx, store.ExploreQuery{CrawlID: crawlID, Limit: 10_000})
	if err != nil || len(ps) != store.ExploreMaxLimit || n != 600 {
		t.Fatalf("capped limit: %d pages of %d, %v", len(ps), n, err)
	}
	// Whole rows come back, audit columns included.
	byID := map[int64]store.Page{}
	for _, p := range all {
		byID[p.ID] = p
	}
	for _, p := range ps {
		if !pageEqual(p, byID[p.ID]) {
			t.Fatalf("explored page differs from the stored one:\n%+v\n%+v", p, byID[p.ID])
		}
	}
	if ps, n, err := db.Explore(ctx, store.ExploreQuery{CrawlID: 999_999}); err != nil || len(ps) != 0 || n != 0 {
		t.Fatalf("unknown crawl: %d, %d, %v", len(ps), n, err)
	}

	// The URL form of a query round-trips; a filter's value may hold colons.
	v, err := url.ParseQuery("f=url:prefix:http://example.com/a_b&f=title:empty&f=status:ne:404&q=item&check=link_to_broken" +
		"&sort=depth&order=desc&limit=50&offset=20&cols=url,title&cols=depth,url")
	if err != nil {
		t.Fatal(err)
	}
	known := func(id string) bool { return id == "link_to_broken" }
	pq, cols, err := store.ParseExploreParams(v, known)
	wantQ := store.ExploreQuery{Filters: []store.ExploreFilter{flt("url", "prefix", "http://example.com/a_b"), flt("title", "empty", ""),
		flt("status", "ne", "404")}, Search: "item", Check: "link_to_broken", Sort: "depth", Desc: true, Limit: 50, Offset: 20}
	if err != nil || !reflect.DeepEqual(pq, wantQ) || !slices.Equal(cols, []string{"url", "title", "depth"}) {
		t.Fatalf("parsed %+v %v, %v", pq, cols, err)
	}
	again, cols2, err := store.ParseExploreParams(store.ExploreParams(pq, cols), known)
	if err != nil || !reflect.DeepEqual(again, pq) || !slices.Equal(cols2, cols) {
		t.Fatalf("round trip: %+v %v, %v", again, cols2, err)
	}
	pq.CrawlID = crawlID
	exploreCompare(t, db, all, checks, pq)
	if pq, cols, err := store.ParseExploreParams(url.Values{}, nil); err != nil || !reflect.DeepEqual(pq, store.ExploreQuery{Limit: 100}) ||
		!slices.Equal(cols, store.DefaultExploreColumns) || len(store.ExploreParams(pq, cols)) != 0 {
		t.Fatalf("defaults: %+v %v, %v", pq, cols, err)
	}
	for _, bad := range []string{"check=link_to_broken", "sort=nope", "order=up", "limit=0", "limit=501", "offset=-1", "cols=url,nope", "f=nope:eq:1"} {
		v, _ := url.ParseQuery(bad)
		var qe *store.QueryError
		if _, _, err := store.ParseExploreParams(v, nil); !errors.As(err, &qe) || qe.Part != strings.Split(bad, "=")[0] {
			t.Errorf("%s: err = %v, want a QueryError of that part", bad, err)
		}
	}

	// Bad queries are refused with a QueryError that names the field.
	bad := []struct {
		q           store.ExploreQuery
		part, field string
		msg         string
	}{
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("status", "eq", "abc")}}, "f", "status", `status: "abc" is not an integer`},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("status", "eq", "")}}, "f", "status", "status"},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("status", "eq", "2.5")}}, "f", "status", "not an integer"},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("link_score", "gt", "NaN")}}, "f", "link_score", "not a number"},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("ttfb_ms", "gt", "1e308")}}, "f", "ttfb_ms", "out of range"},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("indexable", "eq", "maybe")}}, "f", "indexable", "true or false"},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("crawled_at", "lt", "yesterday")}}, "f", "crawled_at", "crawled_at"},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("content_hash", "eq", "xyz")}}, "f", "content_hash", "hex"},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("status", "contains", "2")}}, "f", "status", "operator"},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("title", "gt", "a")}}, "f", "title", "operator"},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("indexable", "lt", "true")}}, "f", "indexable", "operator"},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("title", "", "a")}}, "f", "title", "operator"},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("nope", "eq", "1")}}, "f", "", `"nope"`},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("extra", "contains", "a")}}, "f", "", `"extra"`},
		{store.ExploreQuery{Filters: []store.ExploreFilter{flt("crawl_id", "eq", "1")}}, "f", "", `"crawl_id"`},
		{store.ExploreQuery{Filters: make([]store.ExploreFilter, store.ExploreMaxFilters+1)}, "f", "", "too many"},
		{store.ExploreQuery{Sort: "nope"}, "sort", "", `"nope"`},
		{store.ExploreQuery{Sort: "extra"}, "sort", "", `"extra"`},
		{store.ExploreQuery{Limit: -1}, "limit", "", "limit"},
		{store.ExploreQuery{Offset: -1}, "offset", "", "offset"},
		{store.ExploreQuery{Offset: store.ExploreMaxOffset + 1}, "offset", "", "offset"},
	}
	for _, b := range bad {
		b.q.CrawlID = crawlID
		_, _, err := db.Explore(ctx, b.q)
		var qe *store.QueryError
		if !errors.As(err, &qe) || qe.Part != b.part || qe.Field != b.field || !strings.Contains(qe.Msg, b.msg) {
			t.Errorf("%+v: err = %#v (%v), want a QueryError of part %q, field %q, message with %q", b.q, qe, err, b.part, b.field, b.msg)
		}
	}
}

// exploreCompare runs q and compares the page and the total with exploreRef.
func exploreCompare(t *testing.T, db *store.DB, all []store.Page, checks map[string]map[int64]bool, q store.ExploreQuery) {
	t.Helper()
	got, total, err := db.Explore(ctx, q)
	if err != nil {
		t.Fatalf("%+v: %v", q, err)
	}
	want := exploreRef(all, checks, q)
	limit := cmp.Or(q.Limit, store.ExploreDefaultLimit)
	page := want[min(q.Offset, len(want)):min(q.Offset+limit, len(want))]
	if total != int64(len(want)) || !slices.Equal(pageIDs(got), pageIDs(page)) {
		t.Fatalf("%+v:\ngot  %d %v\nwant %d %v", q, total, pageIDs(got), len(want), pageIDs(page))
	}
}

func flt(field, op, value string) store.ExploreFilter {
	return store.ExploreFilter{Field: field, Op: op, Value: value}
}

func pageIDs(ps []store.Page) []int64 {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

// exploreRef is Explore in plain Go: every matching page in order.
func exploreRef(all []store.Page, checks map[string]map[int64]bool, q store.ExploreQuery) []store.Page {
	var out []store.Page
	for _, p := range all {
		ok := true
		for _, f := range q.Filters {
			ok = ok && refMatch(&p, f)
		}
		if q.Search != "" {
			ok = ok && (foldContains(p.URL, q.Search) || foldContains(p.Title, q.Search))
		}
		if q.Check != "" {
			ok = ok && checks[q.Check][p.ID]
		}
		if ok {
			out = append(out, p)
		}
	}
	sortName := cmp.Or(q.Sort, "id")
	slices.SortStableFunc(out, func(a, b store.Page) int {
		c := cmp.Or(refCompare(refKey(sortName, &a), refKey(sortName, &b)), cmp.Compare(a.ID, b.ID))
		if q.Desc {
			return -c
		}
		return c
	})
	return out
}

// refKey is a page's value of a field in the database's terms: hashes as
// signed integers, durations in microseconds, times (nil: NULL).
func refKey(name string, p *store.Page) any {
	switch name {
	case "ttfb_ms":
		return float64(p.TTFBMicros)
	case "time_ms":
		return float64(p.TimeMicros)
	case "content_hash":
		return p.ContentHash
	case "simhash":
		return p.SimHash
	case "crawled_at":
		return p.CrawledAt
	}
	f, _ := store.ExploreFieldByName(name)
	switch v := f.Value(p).(type) {
	case int:
		return int64(v)
	case json.RawMessage:
		return string(v)
	default:
		return v
	}
}

// refCompare orders two keys of one field; NULL first.
func refCompare(a, b any) int {
	switch x := a.(type) {
	case int64:
		return cmp.Compare(x, b.(int64))
	case float64:
		return cmp.Compare(x, b.(float64))
	case string:
		return strings.Compare(x, b.(string))
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case *time.Time:
		y := b.(*time.Time)
		switch {
		case x == nil && y == nil:
			return 0
		case x == nil:
			return -1
		case y == nil:
			return 1
		}
		return x.Compare(*y)
	}
	panic(fmt.Sprintf("no order for %T", a))
}

func refMatch(p *store.Page, f store.ExploreFilter) bool {
	key := refKey(f.Field, p)
	v := strings.TrimSpace(f.Value)
	var want any
	switch f.Field {
	case "ttfb_ms", "time_ms":
		x, _ := strconv.ParseFloat(v, 64)
		want = math.Round(x*1e6) / 1000
	case "content_hash", "simhash":
		h, _ := strconv.ParseUint(v, 16, 64)
		want = int64(h)
	case "crawled_at":
		if key.(*time.Time) == nil {
			return false // NULL compares to nothing
		}
		tm, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			tm, _ = time.Parse("2006-01-02", v)
		}
		want = &tm
	default:
		switch key.(type) {
		case int64:
			want, _ = strconv.ParseInt(v, 10, 64)
		case float64:
			want, _ = strconv.ParseFloat(v, 64)
		case bool:
			b, _ := strconv.ParseBool(strings.Replace(strings.ToLower(v), "yes", "true", 1))
			want = b
		case string:
			want = f.Value
		}
	}
	s, _ := key.(string)
	empty := ""
	if f.Field == "hreflang" || f.Field == "jsonld_types" {
		empty = "[]"
	}
	switch f.Op {
	case "eq":
		return refCompare(key, want) == 0
	case "ne":
		return refCompare(key, want) != 0
	case "lt":
		return refCompare(key, want) < 0
	case "le":
		return refCompare(key, want) <= 0
	case "gt":
		return refCompare(key, want) > 0
	case "ge":
		return refCompare(key, want) >= 0
	case "contains":
		return foldContains(s, f.Value)
	case "not_contains":
		return !foldContains(s, f.Value)
	case "prefix":
		return strings.HasPrefix(asciiLower(s), asciiLower(f.Value))
	case "empty":
		return s == empty
	case "not_empty":
		return s != empty
	}
	panic("unknown op " + f.Op)
}

// foldContains is a substring test folding ASCII letters, as both
// databases do (PostgreSQL folds more; the data avoids the difference).
func foldContains(s, sub string) bool { return strings.Contains(asciiLower(s), asciiLower(sub)) }

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func pageEqual(a, b store.Page) bool {
	at, bt := a.CrawledAt, b.CrawledAt
	a.CrawledAt, b.CrawledAt = nil, nil
	return a == b && (at == nil) == (bt == nil) && (at == nil || at.Equal(*bt))
}

func testExploreHostile(t *testing.T, db *store.DB, _ string) {
	long := strings.Repeat("x", 9000) + "needle"
	hostile := []string{
		`'; DROP TABLE pages; --`, `%`, `_`, `\`, `"`, `1 OR 1=1`, `' OR '1'='1`, `%' OR 1=1 --`, `\%`, `a\_b`,
		`<script>alert(1)</script>`, "日本語 ünïcödé 🎉", `$1`, `?`, `{now}`, `%%`, long,
	}
	titles := append([]string{"plain", "100 pure", "a b", "ab", "x", ""}, hostile...)
	var pages []store.Page
	var findings []store.Finding
	for i, title := range titles {
		id := int64(i + 1)
		pages = append(pages, store.Page{ID: id, URL: fmt.Sprintf("http://example.com/h/%d", id), Internal: true,
			State: store.PageCrawled, Status: 200, Title: title, Description: title})
		findings = append(findings, store.Finding{CheckID: "title_missing", PageID: id})
	}
	crawlID, all := exploreCrawl(t, db, pages, nil, findings)
	checks := map[string]map[int64]bool{"title_missing": {}}
	for _, p := range all {
		checks["title_missing"][p.ID] = true
	}
	counts := func() (int, int) {
		fs, err := db.FindingsList(ctx, crawlID, "", store.Finding{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return len(testdb.Pages(t, db, crawlID)), len(fs)
	}
	pagesBefore, findingsBefore := counts()

	// Values are literals: each finds exactly the pages that hold it.
	for _, v := range hostile {
		for _, op := range []string{"contains", "eq", "prefix", "not_contains", "ne"} {
			q := store.ExploreQuery{CrawlID: crawlID, Filters: []store.ExploreFilter{flt("title", op, v)}, Limit: 500}
			exploreCompare(t, db, all, checks, q)
		}
		exploreCompare(t, db, all, checks, store.ExploreQuery{CrawlID: crawlID, Search: v, Limit: 500})
		exploreCompare(t, db, all, checks, store.ExploreQuery{CrawlID: crawlID, Search: v, Limit: 500,
			Filters: []store.ExploreFilter{flt("description", "contains", v)}, Check: "title_missing"})
		// A hostile check id is an id that has no findings.
		exploreCompare(t, db, all, checks, store.ExploreQuery{CrawlID: crawlID, Check: v, Limit: 500})
	}
	for _, v := range []string{"%", "_", `\`} {
		got, _, err := db.Explore(ctx, store.ExploreQuery{CrawlID: crawlID, Filters: []store.ExploreFilter{flt("title", "contains", v)}, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range got {
			if !strings.Contains(p.Title, v) {
				t.Errorf("contains %q found %q", v, p.Title)
			}
		}
		if len(got) == 0 || len(got) > 6 {
			t.Errorf("contains %q found %d pages", v, len(got))
		}
	}
	got, _, err := db.Explore(ctx, store.ExploreQuery{CrawlID: crawlID, Filters: []store.ExploreFilter{flt("title", "contains", "needle")}})
	if err != nil || len(got) != 1 || got[0].Title != long {
		t.Fatalf("the long title: %d pages, %v", len(got), err)
	}

	// What no stored text can hold, hostile names, operators and sorts,
	// and injections into typed fields are refused before the database.
	refused := []store.ExploreQuery{
		{Filters: []store.ExploreFilter{flt("title", "contains", "a\x00b")}},
		{Filters: []store.ExploreFilter{flt("title", "eq", "\xff\xfe")}},
		{Filters: []store.ExploreFilter{flt("title", "contains", strings.Repeat("%", 20_000))}},
		{Search: "\x00"},
		{Search: strings.Repeat("é", 10_000)},
		{Check: "a\x00"},
		{Filters: []store.ExploreFilter{flt("status", "eq", "1 OR 1=1")}},
		{Filters: []store.ExploreFilter{flt("status", "eq", "200; DROP TABLE pages")}},
		{Filters: []store.ExploreFilter{flt("status", "eq", "0x10")}},
		{Filters: []store.ExploreFilter{flt("link_score", "gt", "1 OR 1=1")}},
		{Filters: []store.ExploreFilter{flt("indexable", "eq", "true OR 1=1")}},
		{Filters: []store.ExploreFilter{flt("crawled_at", "lt", "2025-01-01' OR '1'='1")}},
		{Filters: []store.ExploreFilter{flt("content_hash", "eq", "1; DROP TABLE pages")}},
		{Filters: []store.ExploreFilter{flt("title; DROP TABLE pages; --", "eq", "x")}},
		{Filters: []store.ExploreFilter{flt("1=1 OR title", "eq", "x")}},
		{Filters: []store.ExploreFilter{flt("title--", "eq", "x")}},
		{Filters: []store.ExploreFilter{flt("TITLE", "eq", "x")}},
		{Filters: []store.ExploreFilter{flt("(SELECT 1)", "eq", "x")}},
		{Filters: []store.ExploreFilter{flt("title", "= 'x' OR 1=1 --", "x")}},
		{Filters: []store.ExploreFilter{flt("title", "LIKE", "x")}},
		{Filters: []store.ExploreFilter{flt("title", "eq; DROP TABLE pages", "x")}},
		{Filters: []store.ExploreFilter{flt("status", "EQ", "200")}},
		{Sort: "title; DROP TABLE pages; --"},
		{Sort: "id DESC"},
		{Sort: "1"},
		{Sort: "(SELECT 1)"},
		{Sort: "random()"},
		{Sort: "extra"},
		{Sort: "url COLLATE \"C\""},
	}
	for _, q := range refused {
		q.CrawlID = crawlID
		_, _, err := db.Explore(ctx, q)
		var qe *store.QueryError
		if !errors.As(err, &qe) || qe.Msg == "" {
			t.Errorf("%+v: err = %v, want a QueryError", q, err)
		}
	}

	if p, f := counts(); p != pagesBefore || f != findingsBefore {
		t.Fatalf("after the hostile queries: %d pages, %d findings; before %d, %d", p, f, pagesBefore, findingsBefore)
	}
	if _, n, err := db.Explore(ctx, store.ExploreQuery{CrawlID: crawlID}); err != nil || n != int64(len(titles)) {
		t.Fatalf("after the hostile queries: total %d, %v", n, err)
	}
}
