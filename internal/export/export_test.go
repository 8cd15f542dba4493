package export_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/export"
	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// crawl opens a database of the backend with one crawl whose job is claimed,
// ready for CrawlWrite.
func crawl(t testing.TB, backend string) (*store.DB, store.Crawl, store.Lease) {
	t.Helper()
	db := testdb.Open(t, backend)
	c, _, err := db.CrawlCreate(t.Context(), store.CrawlCreateParams{StartURL: "https://example.com/", Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := db.JobClaim(t.Context(), store.JobClaimParams{WorkerID: "w", WorkerHost: "h", WorkerPID: 1, Limit: 1, LeaseMs: 600_000})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %v, %v", jobs, err)
	}
	return db, c, store.Lease{JobID: jobs[0].ID, Attempt: jobs[0].Attempt}
}

func write(t testing.TB, db *store.DB, l store.Lease, b *store.CrawlBatch) {
	t.Helper()
	if err := db.CrawlWrite(t.Context(), l, b); err != nil {
		t.Fatalf("write crawl: %v", err)
	}
}

const (
	formula   = `=cmd|' /C calc'!A0`
	hostile   = "a \"quoted\", multi\nline\r\n<script>alert('x')</script> & é"
	hostileH1 = "+SUM(1,2)\t@x"
)

var crawledAt = time.Date(2025, 3, 4, 5, 6, 7, 891_000_000, time.UTC)

// fixture writes three pages (one crawled with every field set and hostile
// text) and three links.
func fixture(t testing.TB, db *store.DB, c store.Crawl, l store.Lease) {
	at := crawledAt.In(time.FixedZone("X", 3600))
	pages := []store.Page{
		{CrawlID: c.ID, ID: 1, URL: "https://example.com/", Internal: true, State: store.PageCrawled, Depth: 0, InSitemap: true,
			Status: 200, ContentType: "text/html; charset=utf-8", Charset: "utf-8", Proto: "HTTP/2.0", Size: 12345, Truncated: true,
			TTFBMicros: 1234, TimeMicros: 56789, Retries: 2, CrawledAt: &at,
			Title: formula, TitleLength: 18, TitleCount: 2, Description: hostile, DescriptionLength: 40, DescriptionCount: 1,
			H1: hostileH1, H1Count: 3, H2Count: 4, Canonical: "https://example.com/?a=1,b", MetaRobots: "-noindex", XRobotsTag: "@none",
			RobotsBlocked: true, Indexable: false, Indexability: "noindex", Lang: "fr",
			Hreflang: `[{"lang":"en","url":"https://example.com/en?<x>"}]`, WordCount: 321, ContentHash: -5, SimHash: 1 << 62,
			JSONLDTypes: `["Article","Organization"]`, ImageCount: 7, ImagesMissingAlt: 1, InternalOutlinks: 2, ExternalOutlinks: 1,
			Extra: `{"x":1}`},
		{CrawlID: c.ID, ID: 2, URL: "https://example.com/a,\"b\"", Internal: true, State: store.PageQueued, Depth: 1, FoundFrom: 1},
		{CrawlID: c.ID, ID: 3, URL: "https://other.org/-x", State: store.PageExternal, Reason: "=external", Depth: -1, FoundFrom: 1},
	}
	links := []store.Link{
		{CrawlID: c.ID, SourceID: 1, Position: 0, TargetID: 2, Kind: "anchor", Text: hostile, Internal: true},
		{CrawlID: c.ID, SourceID: 1, Position: 1, TargetID: 3, Kind: "anchor", Text: formula, Flags: store.LinkNofollow | store.LinkUGC},
		{CrawlID: c.ID, SourceID: 1, Position: 2, TargetID: 1, Kind: "canonical", Flags: store.LinkSponsored, Internal: true},
	}
	write(t, db, l, &store.CrawlBatch{Pages: pages, Links: links})
	audit := []store.PageAuditRow{{ID: 1, PageAudit: store.PageAudit{Inlinks: 5, UniqueInlinks: 4, LinkScore: 87.654321,
		RedirectFinalID: 9, RedirectHops: 2, RedirectLoop: true, TitleDup: 1, DescriptionDup: 2, H1Dup: 3, ContentDup: 4, NearDup: 5, FindingCount: 2}}}
	findings := []store.Finding{
		{CrawlID: c.ID, CheckID: "title_too_short", PageID: 1, Seq: 0, Element: formula},
		{CrawlID: c.ID, CheckID: "image_missing_alt", PageID: 1, Seq: 0, Element: hostile},
	}
	if err := db.AuditWrite(t.Context(), l, c.ID, audit, findings); err != nil {
		t.Fatalf("write audit: %v", err)
	}
}

// wantFindings are the fixture's findings in (check, page, seq) order.
var wantFindings = []map[string]col{
	{"check_id": {"image_missing_alt", "image_missing_alt"}, "severity": {"warning", "warning"},
		"check": {"Image without alt", "Image without alt"}, "url": {"https://example.com/", "https://example.com/"},
		"element": {hostile, hostile}},
	{"check_id": {"title_too_short", "title_too_short"}, "severity": {"opportunity", "opportunity"},
		"check": {"Title too short", "Title too short"}, "url": {"https://example.com/", "https://example.com/"},
		"element": {"'" + formula, formula}},
}

// col is a column's expected CSV cell and JSON value (as json.Unmarshal
// decodes it into any).
type col struct {
	csv  string
	json any
}

// wantPage1 is page 1 of the fixture, column by column.
var wantPage1 = map[string]col{
	"id": {"1", 1.0}, "url": {"https://example.com/", "https://example.com/"}, "internal": {"true", true},
	"state": {"crawled", "crawled"}, "reason": {"", ""}, "depth": {"0", 0.0}, "found_from": {"0", 0.0},
	"in_sitemap": {"true", true}, "status": {"200", 200.0}, "fetch_error": {"", ""},
	"content_type": {"text/html; charset=utf-8", "text/html; charset=utf-8"}, "charset": {"utf-8", "utf-8"},
	"proto": {"HTTP/2.0", "HTTP/2.0"}, "size": {"12345", 12345.0}, "truncated": {"true", true},
	"ttfb_ms": {"1.234", 1.234}, "time_ms": {"56.789", 56.789}, "retries": {"2", 2.0}, "redirect_url": {"", ""},
	"crawled_at": {"2025-03-04T05:06:07.891Z", "2025-03-04T05:06:07.891Z"},
	"title":      {"'" + formula, formula}, "title_length": {"18", 18.0}, "title_count": {"2", 2.0},
	"description": {hostile, hostile}, "description_length": {"40", 40.0}, "description_count": {"1", 1.0},
	"h1": {"'" + hostileH1, hostileH1}, "h1_count": {"3", 3.0}, "h2_count": {"4", 4.0},
	"canonical":   {"https://example.com/?a=1,b", "https://example.com/?a=1,b"},
	"meta_robots": {"'-noindex", "-noindex"}, "x_robots_tag": {"'@none", "@none"}, "robots_blocked": {"true", true},
	"indexable": {"false", false}, "indexability": {"noindex", "noindex"}, "lang": {"fr", "fr"},
	"hreflang":     {`[{"lang":"en","url":"https://example.com/en?<x>"}]`, []any{map[string]any{"lang": "en", "url": "https://example.com/en?<x>"}}},
	"word_count":   {"321", 321.0},
	"content_hash": {"fffffffffffffffb", "fffffffffffffffb"}, "simhash": {"4000000000000000", "4000000000000000"},
	"jsonld_types": {`["Article","Organization"]`, []any{"Article", "Organization"}},
	"image_count":  {"7", 7.0}, "images_missing_alt": {"1", 1.0}, "internal_outlinks": {"2", 2.0}, "external_outlinks": {"1", 1.0},
	"inlinks": {"5", 5.0}, "unique_inlinks": {"4", 4.0}, "link_score": {"87.65", 87.65}, "redirect_final_id": {"9", 9.0},
	"redirect_hops": {"2", 2.0}, "redirect_loop": {"true", true}, "title_dup": {"1", 1.0}, "description_dup": {"2", 2.0},
	"h1_dup": {"3", 3.0}, "content_dup": {"4", 4.0}, "near_dup": {"5", 5.0}, "finding_count": {"2", 2.0},
}

// wantPage3 is the external page: no hashes, no crawl time, depth -1 kept a
// number, a formula-like reason quoted.
var wantPage3 = map[string]col{
	"id": {"3", 3.0}, "url": {"https://other.org/-x", "https://other.org/-x"}, "state": {"external", "external"},
	"reason": {"'=external", "=external"}, "depth": {"-1", -1.0}, "found_from": {"1", 1.0}, "crawled_at": {"", nil},
	"content_hash": {"", ""}, "simhash": {"", ""}, "hreflang": {"[]", []any{}}, "jsonld_types": {"[]", []any{}},
	"ttfb_ms": {"0", 0.0},
}

var wantLinks = []map[string]col{
	{"source_url": {"https://example.com/", "https://example.com/"}, "target_url": {`https://example.com/a,"b"`, `https://example.com/a,"b"`},
		"kind": {"anchor", "anchor"}, "text": {hostile, hostile}, "nofollow": {"false", false}, "ugc": {"false", false},
		"sponsored": {"false", false}, "internal": {"true", true}, "position": {"0", 0.0}},
	{"source_url": {"https://example.com/", "https://example.com/"}, "target_url": {"https://other.org/-x", "https://other.org/-x"},
		"kind": {"anchor", "anchor"}, "text": {"'" + formula, formula}, "nofollow": {"true", true}, "ugc": {"true", true},
		"sponsored": {"false", false}, "internal": {"false", false}, "position": {"1", 1.0}},
	{"source_url": {"https://example.com/", "https://example.com/"}, "target_url": {"https://example.com/", "https://example.com/"},
		"kind": {"canonical", "canonical"}, "text": {"", ""}, "nofollow": {"false", false}, "ugc": {"false", false},
		"sponsored": {"true", true}, "internal": {"true", true}, "position": {"2", 2.0}},
}

// parseCSV reads an export back into one map per row.
func parseCSV(t *testing.T, b []byte, header []string) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("read CSV: %v\n%s", err, b)
	}
	if len(recs) == 0 || !reflect.DeepEqual(recs[0], header) {
		t.Fatalf("CSV header %v, want %v", recs[:1], header)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range header {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// parseJSONL reads an export back, requiring one object per line with
// exactly the columns as keys, in order.
func parseJSONL(t *testing.T, b []byte, header []string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.ContainsAny(line, "<>&") {
			t.Errorf("JSON line with unescaped <, > or &: %s", line)
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("JSON line %s: %v", line, err)
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.Token()
		var keys []string
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var skip json.RawMessage
			dec.Decode(&skip)
		}
		if !reflect.DeepEqual(keys, header) {
			t.Fatalf("JSON keys %v, want %v", keys, header)
		}
		out = append(out, m)
	}
	return out
}

func checkCSV(t *testing.T, what string, got map[string]string, want map[string]col) {
	t.Helper()
	for k, w := range want {
		// csv.Reader reads a quoted \r\n as \n; the bytes are checked apart.
		if got[k] != strings.ReplaceAll(w.csv, "\r\n", "\n") {
			t.Errorf("%s CSV %s = %q, want %q", what, k, got[k], w.csv)
		}
	}
}

func checkJSON(t *testing.T, what string, got map[string]any, want map[string]col) {
	t.Helper()
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w.json) {
			t.Errorf("%s JSON %s = %#v, want %#v", what, k, got[k], w.json)
		}
	}
}

func eachBackend(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, backend)
		})
	}
}

func TestPages(t *testing.T) {
	for _, c := range export.PageColumns {
		if _, ok := wantPage1[c]; !ok {
			t.Fatalf("column %s not checked", c)
		}
	}
	eachBackend(t, func(t *testing.T, backend string) {
		db, c, l := crawl(t, backend)
		fixture(t, db, c, l)
		for _, f := range []export.Format{export.CSV, export.JSONL} {
			var buf bytes.Buffer
			n, err := export.Pages(t.Context(), db, c.ID, f, &buf)
			if err != nil || n != 3 {
				t.Fatalf("%s: %d rows, %v", f, n, err)
			}
			if f == export.CSV {
				rows := parseCSV(t, buf.Bytes(), export.PageColumns)
				if len(rows) != 3 {
					t.Fatalf("CSV rows %d", len(rows))
				}
				checkCSV(t, "page 1", rows[0], wantPage1)
				if !bytes.Contains(buf.Bytes(), []byte("\"a \"\"quoted\"\", multi\nline\r\n<script>")) {
					t.Errorf("hostile description not quoted as is in %q", buf.Bytes())
				}
				checkCSV(t, "page 3", rows[2], wantPage3)
				if rows[1]["url"] != `https://example.com/a,"b"` || rows[1]["found_from"] != "1" {
					t.Errorf("page 2 = %v", rows[1])
				}
			} else {
				rows := parseJSONL(t, buf.Bytes(), export.PageColumns)
				if len(rows) != 3 {
					t.Fatalf("JSONL rows %d", len(rows))
				}
				checkJSON(t, "page 1", rows[0], wantPage1)
				checkJSON(t, "page 3", rows[2], wantPage3)
				if !bytes.Contains(buf.Bytes(), []byte(`\u003cscript\u003e`)) {
					t.Errorf("<script> not escaped in %s", buf.Bytes())
				}
			}
		}
		// Another crawl's export is empty: a CSV header, no JSON line.
		var buf bytes.Buffer
		if n, err := export.Pages(t.Context(), db, c.ID+1, export.CSV, &buf); err != nil || n != 0 || buf.String() != strings.Join(export.PageColumns, ",")+"\n" {
			t.Errorf("empty CSV export: %d, %v, %q", n, err, buf.String())
		}
		buf.Reset()
		if n, err := export.Pages(t.Context(), db, c.ID+1, export.JSONL, &buf); err != nil || n != 0 || buf.Len() != 0 {
			t.Errorf("empty JSONL export: %d, %v, %q", n, err, buf.String())
		}
	})
}

func TestFindings(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		db, c, l := crawl(t, backend)
		fixture(t, db, c, l)
		for _, f := range []export.Format{export.CSV, export.JSONL} {
			var buf bytes.Buffer
			n, err := export.Findings(t.Context(), db, c.ID, f, &buf)
			if err != nil || n != 2 {
				t.Fatalf("%s: %d rows, %v", f, n, err)
			}
			if f == export.CSV {
				rows := parseCSV(t, buf.Bytes(), export.FindingColumns)
				for i, w := range wantFindings {
					checkCSV(t, fmt.Sprint("finding ", i), rows[i], w)
				}
			} else {
				rows := parseJSONL(t, buf.Bytes(), export.FindingColumns)
				for i, w := range wantFindings {
					checkJSON(t, fmt.Sprint("finding ", i), rows[i], w)
				}
			}
		}

		// Several keyset pages: 2,500 more findings over three checks and
		// two pages come out in (check, page, seq) order, each once.
		var more []store.Finding
		for i := range 2500 {
			more = append(more, store.Finding{CrawlID: c.ID, CheckID: []string{"orphan", "deep_page", "redirect"}[i%3],
				PageID: int64(2 + i%2), Seq: i, Element: fmt.Sprint(i)})
		}
		if err := db.AuditWrite(t.Context(), l, c.ID, nil, more); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		n, err := export.Findings(t.Context(), db, c.ID, export.JSONL, &buf)
		if err != nil || n != 2502 {
			t.Fatalf("findings: %d rows, %v", n, err)
		}
		rows := parseJSONL(t, buf.Bytes(), export.FindingColumns)
		seen := map[string]bool{}
		prev := ""
		for _, r := range rows {
			key := fmt.Sprintf("%s|%s", r["check_id"], r["url"])
			if key < prev {
				t.Fatalf("findings out of order: %s after %s", key, prev)
			}
			prev = key
			id := key + "|" + r["element"].(string)
			if seen[id] {
				t.Fatalf("finding exported twice: %s", id)
			}
			seen[id] = true
		}
	})
}

func TestLinks(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		db, c, l := crawl(t, backend)
		fixture(t, db, c, l)
		for _, f := range []export.Format{export.CSV, export.JSONL} {
			var buf bytes.Buffer
			n, err := export.Links(t.Context(), db, c.ID, f, &buf)
			if err != nil || n != 3 {
				t.Fatalf("%s: %d rows, %v", f, n, err)
			}
			if f == export.CSV {
				rows := parseCSV(t, buf.Bytes(), export.LinkColumns)
				for i, w := range wantLinks {
					checkCSV(t, fmt.Sprint("link ", i), rows[i], w)
				}
			} else {
				rows := parseJSONL(t, buf.Bytes(), export.LinkColumns)
				for i, w := range wantLinks {
					checkJSON(t, fmt.Sprint("link ", i), rows[i], w)
				}
			}
		}

		// Several keyset pages: 2,500 more links over pages 2 and 3, in
		// (source, position) order.
		var more []store.Link
		for i := range 2500 {
			more = append(more, store.Link{CrawlID: c.ID, SourceID: int64(2 + i/1250), Position: i % 1250, TargetID: 1, Kind: "anchor", Text: fmt.Sprint(i)})
		}
		write(t, db, l, &store.CrawlBatch{Links: more})
		var buf bytes.Buffer
		n, err := export.Links(t.Context(), db, c.ID, export.JSONL, &buf)
		if err != nil || n != 2503 {
			t.Fatalf("links: %d rows, %v", n, err)
		}
		rows := parseJSONL(t, buf.Bytes(), export.LinkColumns)
		for i, r := range rows[3:] {
			src := "https://example.com/a,\"b\""
			if i >= 1250 {
				src = "https://other.org/-x"
			}
			if r["text"] != fmt.Sprint(i) || r["source_url"] != src || r["position"] != float64(i%1250) {
				t.Fatalf("link %d = %v", i, r)
			}
		}
	})
}

func TestFormulaCells(t *testing.T) {
	t.Parallel()
	db, c, l := crawl(t, "sqlite")
	cases := map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"a=1": "a=1", "": "", " =1": " =1", "'=1": "'=1", "é": "é",
	}
	var pages []store.Page
	id := int64(0)
	for in := range cases {
		id++
		pages = append(pages, store.Page{CrawlID: c.ID, ID: id, URL: fmt.Sprint("https://example.com/", id), State: store.PageCrawled, Title: in})
	}
	write(t, db, l, &store.CrawlBatch{Pages: pages})
	var buf bytes.Buffer
	if _, err := export.Pages(t.Context(), db, c.ID, export.CSV, &buf); err != nil {
		t.Fatal(err)
	}
	rows := parseCSV(t, buf.Bytes(), export.PageColumns)
	for i, r := range rows {
		in := pages[i].Title
		if r["title"] != cases[in] {
			t.Errorf("title %q exported as %q, want %q", in, r["title"], cases[in])
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"csv", "jsonl"} {
		if f, err := export.ParseFormat(s); err != nil || string(f) != s {
			t.Errorf("ParseFormat(%q) = %q, %v", s, f, err)
		}
	}
	for _, s := range []string{"", "CSV", "json", "xlsx"} {
		if _, err := export.ParseFormat(s); err == nil {
			t.Errorf("ParseFormat(%q) accepted", s)
		}
	}
	if _, err := export.Pages(t.Context(), nil, 1, "xml", &bytes.Buffer{}); err == nil {
		t.Error("Pages accepted format xml")
	}
}
