package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/scouter-seo/scouter/internal/export"
	"github.com/scouter-seo/scouter/internal/store"
)

func TestCrawlExport(t *testing.T) {
	eachBackend(t, func(e *env) {
		c, j := e.crawl("https://example.com/")
		l := e.claim(j.ID)
		b := &store.CrawlBatch{Pages: []store.Page{
			{CrawlID: c.ID, ID: 1, URL: "https://example.com/", Internal: true, State: store.PageCrawled, Status: 200,
				Title: `=cmd|' /C calc'!A0`, Description: "a \"b\", c\n<script>x</script>", Indexable: true},
			{CrawlID: c.ID, ID: 2, URL: "https://example.com/a", Internal: true, State: store.PageQueued, Depth: 1, FoundFrom: 1},
		}, Links: []store.Link{{CrawlID: c.ID, SourceID: 1, Position: 0, TargetID: 2, Kind: "anchor", Text: "-a,\"b\"", Internal: true,
			Flags: store.LinkNofollow}}}
		if err := e.db.CrawlWrite(e.t.Context(), l, b); err != nil {
			e.t.Fatal(err)
		}
		if err := e.db.AuditWrite(e.t.Context(), l, c.ID, nil, []store.Finding{
			{CrawlID: c.ID, CheckID: "title_too_short", PageID: 1, Element: "=1+1"}}); err != nil {
			e.t.Fatal(err)
		}
		empty, _ := e.crawl("https://empty.example/")
		base := crawlPath(c.ID) + "/export/"

		get := func(path, contentType, filename string) []byte {
			e.t.Helper()
			resp, body := e.do("GET", path, "")
			if resp.StatusCode != http.StatusOK {
				e.t.Fatalf("GET %s: status %d, body %s", path, resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != contentType {
				e.t.Errorf("GET %s: Content-Type %q, want %q", path, ct, contentType)
			}
			if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="`+filename+`"` {
				e.t.Errorf("GET %s: Content-Disposition %q", path, cd)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Cache-Control") != "no-store" {
				e.t.Errorf("GET %s: headers %v", path, resp.Header)
			}
			return body
		}
		id := func(n int64) string { return strings.TrimPrefix(crawlPath(n), "/api/v1/crawls/") }
		const csvType, jsonlType = "text/csv; charset=utf-8", "application/x-ndjson"

		body := get(base+"pages.csv", csvType, "crawl-"+id(c.ID)+"-pages.csv")
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil || len(recs) != 3 || strings.Join(recs[0], ",") != strings.Join(export.PageColumns, ",") {
			e.t.Fatalf("pages.csv: %v, %q", err, body)
		}
		if recs[1][1] != "https://example.com/" || recs[1][20] != `'=cmd|' /C calc'!A0` || recs[1][23] != "a \"b\", c\n<script>x</script>" {
			e.t.Errorf("pages.csv row 1: %q", recs[1])
		}
		if same := get(base+"pages?format=csv", csvType, "crawl-"+id(c.ID)+"-pages.csv"); !bytes.Equal(same, body) {
			e.t.Errorf("pages?format=csv differs from pages.csv")
		}
		if same := get(base+"pages", csvType, "crawl-"+id(c.ID)+"-pages.csv"); !bytes.Equal(same, body) {
			e.t.Errorf("pages (default csv) differs from pages.csv")
		}

		body = get(base+"pages.jsonl", jsonlType, "crawl-"+id(c.ID)+"-pages.jsonl")
		lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
		var p export.PageRow
		if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &p) != nil || p.Title != `=cmd|' /C calc'!A0` ||
			p.Description != "a \"b\", c\n<script>x</script>" || strings.Contains(lines[0], "<script>") {
			e.t.Errorf("pages.jsonl: %q", body)
		}

		body = get(base+"links.csv", csvType, "crawl-"+id(c.ID)+"-links.csv")
		if want := "source_url,target_url,kind,text,nofollow,ugc,sponsored,internal,position\n" +
			"https://example.com/,https://example.com/a,anchor,\"'-a,\"\"b\"\"\",true,false,false,true,0\n"; string(body) != want {
			e.t.Errorf("links.csv = %q, want %q", body, want)
		}
		body = get(base+"links.jsonl", jsonlType, "crawl-"+id(c.ID)+"-links.jsonl")
		var lr export.LinkRow
		if err := json.Unmarshal(body, &lr); err != nil || lr != (export.LinkRow{SourceURL: "https://example.com/",
			TargetURL: "https://example.com/a", Kind: "anchor", Text: "-a,\"b\"", Nofollow: true, Internal: true}) {
			e.t.Errorf("links.jsonl = %q (%v)", body, err)
		}

		body = get(base+"findings.csv", csvType, "crawl-"+id(c.ID)+"-findings.csv")
		if want := "check_id,severity,check,url,element\n" +
			"title_too_short,opportunity,Title too short,https://example.com/,'=1+1\n"; string(body) != want {
			e.t.Errorf("findings.csv = %q, want %q", body, want)
		}

		// An empty crawl: a header, or nothing.
		ebase := crawlPath(empty.ID) + "/export/"
		if body := get(ebase+"links.csv", csvType, "crawl-"+id(empty.ID)+"-links.csv"); string(body) != strings.Join(export.LinkColumns, ",")+"\n" {
			e.t.Errorf("empty links.csv = %q", body)
		}
		if body := get(ebase+"pages.jsonl", jsonlType, "crawl-"+id(empty.ID)+"-pages.jsonl"); len(body) != 0 {
			e.t.Errorf("empty pages.jsonl = %q", body)
		}

		e.wantError("GET", crawlPath(999999)+"/export/pages.csv", "", http.StatusNotFound, "", "crawl not found")
		e.errorBody("GET", base+"pages.xlsx", "", http.StatusBadRequest, "format")
		e.errorBody("GET", base+"pages?format=json", "", http.StatusBadRequest, "format")
		e.errorBody("GET", base+"bogus.csv", "", http.StatusBadRequest, "what")
		e.errorBody("GET", "/api/v1/crawls/x/export/pages.csv", "", http.StatusBadRequest, "id")
		e.errorBody("POST", base+"pages.csv", "", http.StatusMethodNotAllowed, "")
	})
}
