package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/scouter-seo/scouter/internal/api"
	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/store"
)

const reportEvil = `<script>alert(1)</script>`

// reportCrawl creates a crawl with options, writes its pages, links,
// page audits and findings, and finishes its job; audited sets audited_at.
func (e *env) reportCrawl(options string, pages []store.Page, links []store.Link, audits []store.PageAuditRow,
	findings []store.Finding, audited bool) store.Crawl {
	e.t.Helper()
	ctx := e.t.Context()
	c, j, err := e.db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: "https://example.com/",
		Options: json.RawMessage(options), Job: store.JobEnqueueParams{Kind: "test"}})
	if err != nil {
		e.t.Fatal(err)
	}
	l := e.claim(j.ID)
	for i := range pages {
		pages[i].CrawlID = c.ID
	}
	for i := range links {
		links[i].CrawlID = c.ID
	}
	for i := range findings {
		findings[i].CrawlID = c.ID
	}
	if err := e.db.CrawlWrite(ctx, l, &store.CrawlBatch{Pages: pages, Links: links}); err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.AuditWrite(ctx, l, c.ID, audits, findings); err != nil {
		e.t.Fatal(err)
	}
	if audited {
		if err := e.db.AuditFinish(ctx, l, c.ID); err != nil {
			e.t.Fatal(err)
		}
	}
	e.finish(l, store.JobCompleted)
	c, err = e.db.CrawlGet(ctx, c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func reportHTML(id int64, path string, depth int, ttfbMs int64) store.Page {
	return store.Page{ID: id, URL: "https://example.com" + path, Internal: true, State: store.PageCrawled, Depth: depth,
		Status: 200, ContentType: "text/html", Indexable: true, TTFBMicros: ttfbMs * 1000}
}

// reportFixture is an audited crawl with hostile text in a title, an
// anchor text, a URL and a finding's element.
func (e *env) reportFixture() store.Crawl {
	pages := []store.Page{
		reportHTML(1, "/", 0, 50),
		reportHTML(2, "/a", 1, 150),
		reportHTML(3, "/b", 1, 300),
		reportHTML(4, "/old", 1, 10),
		reportHTML(5, "/"+reportEvil, 2, 3000),
		{ID: 6, URL: "http://other.org/", State: store.PageExternal, Depth: 1},
	}
	pages[0].Title = reportEvil
	pages[2].Status, pages[2].Indexable, pages[2].Indexability = 404, false, "client-error"
	pages[3].Status, pages[3].Indexable, pages[3].Indexability, pages[3].RedirectURL = 301, false, "redirect", "https://example.com/a"
	pages[4].Indexable, pages[4].Indexability = false, "noindex"
	links := []store.Link{
		{SourceID: 1, Position: 0, TargetID: 2, Kind: "anchor", Text: "A", Internal: true},
		{SourceID: 1, Position: 1, TargetID: 3, Kind: "anchor", Text: reportEvil, Internal: true},
		{SourceID: 1, Position: 2, TargetID: 4, Kind: "anchor", Internal: true},
		{SourceID: 1, Position: 3, TargetID: 6, Kind: "anchor", Flags: store.LinkNofollow},
		{SourceID: 2, Position: 0, TargetID: 1, Kind: "anchor", Internal: true},
		{SourceID: 4, Position: 0, TargetID: 2, Kind: "redirect", Internal: true},
		{SourceID: 5, Position: 0, TargetID: 2, Kind: "anchor", Internal: true},
	}
	audits := []store.PageAuditRow{
		{ID: 2, PageAudit: store.PageAudit{Inlinks: 2, UniqueInlinks: 2, LinkScore: 80, TitleDup: 2, FindingCount: 2}},
		{ID: 5, PageAudit: store.PageAudit{TitleDup: 2, FindingCount: 1}},
	}
	findings := []store.Finding{
		{CheckID: "status_4xx", PageID: 3, Element: "404"},
		{CheckID: "link_to_broken", PageID: 1, Element: "https://example.com/b"},
		{CheckID: "redirect", PageID: 4, Element: "https://example.com/a"},
		{CheckID: "title_duplicate", PageID: 2, Element: "Same"},
		{CheckID: "title_duplicate", PageID: 5, Element: "Same"},
		{CheckID: "title_too_short", PageID: 1, Element: reportEvil},
		{CheckID: "thin_content", PageID: 2},
	}
	return e.reportCrawl(`{"audit":{"disabled":["orphan"]}}`, pages, links, audits, findings, true)
}

func reportPath(id int64, rest string) string { return crawlPath(id) + rest }

func noRawScript(t testing.TB, what string, body []byte) {
	t.Helper()
	if bytes.Contains(body, []byte("<script")) {
		t.Errorf("%s: hostile text unescaped in %s", what, body)
	}
}

func TestCrawlReport(t *testing.T) {
	eachBackend(t, func(e *env) {
		c := e.reportFixture()
		var got api.ReportJSON
		body := e.call("GET", reportPath(c.ID, "/report"), "", http.StatusOK, &got)
		noRawScript(e.t, "report", body)
		max := func(n int64) *int64 { return &n }
		want := api.ReportJSON{CrawlID: c.ID, StartURL: "https://example.com/", Status: c.Status, Audit: "done", AuditedAt: c.AuditedAt,
			Pages: api.ReportPagesJSON{Crawled: 5, External: 1},
			StatusClasses: []api.CountJSON{{Key: "2xx", Count: 3}, {Key: "3xx", Count: 1}, {Key: "4xx", Count: 1}, {Key: "5xx"},
				{Key: "no-response"}, {Key: "throttled"}},
			Depths:       []api.DepthCountJSON{{Depth: 0, Count: 1}, {Depth: 1, Count: 3}, {Depth: 2, Count: 1}},
			HTMLPages:    3,
			Indexability: []api.CountJSON{{Key: "indexable", Count: 2}, {Key: "noindex", Count: 1}},
			ResponseTimes: []api.ResponseTimeJSON{{MinMs: 0, MaxMs: max(100), Count: 2}, {MinMs: 100, MaxMs: max(250), Count: 1},
				{MinMs: 250, MaxMs: max(500), Count: 1}, {MinMs: 500, MaxMs: max(1000)}, {MinMs: 1000, MaxMs: max(2000)},
				{MinMs: 2000, Count: 1}},
			Responded: 5, TTFBAvgMs: 702, TTFBMedianMs: 150,
			Severities: []api.SeverityCountJSON{{Severity: "issue", Checks: 2, Findings: 2}, {Severity: "warning", Checks: 2, Findings: 3},
				{Severity: "opportunity", Checks: 2, Findings: 2}},
		}
		if got.AuditedAt == nil || !got.AuditedAt.Equal(*c.AuditedAt) {
			e.t.Errorf("audited_at = %v, want %v", got.AuditedAt, c.AuditedAt)
		}
		got.AuditedAt = want.AuditedAt
		if !reflect.DeepEqual(got, want) {
			e.t.Errorf("report =\n%+v\nwant\n%+v", got, want)
		}

		// A crawl that has not been audited, then while its audit runs.
		bare := e.reportCrawl(`{}`, nil, nil, nil, nil, false)
		e.call("GET", reportPath(bare.ID, "/report"), "", http.StatusOK, &got)
		if got.Audit != "none" || got.AuditedAt != nil || got.Pages != (api.ReportPagesJSON{}) || len(got.Depths) != 0 ||
			len(got.StatusClasses) != len(store.StatusClasses) || got.Severities[0].Findings != 0 {
			e.t.Errorf("report of an empty crawl: %+v", got)
		}
		if _, _, err := e.db.CrawlAudit(e.t.Context(), bare.ID, "audit", nil); err != nil {
			e.t.Fatal(err)
		}
		e.call("GET", reportPath(bare.ID, "/report"), "", http.StatusOK, &got)
		if got.Audit != "running" {
			e.t.Errorf("audit state with a queued audit job = %q", got.Audit)
		}

		e.wantError("GET", "/api/v1/crawls/999999/report", "", http.StatusNotFound, "", "crawl not found")
		for _, bad := range badIDs {
			e.wantError("GET", "/api/v1/crawls/"+bad+"/report", "", http.StatusBadRequest, "id", "id must be a positive integer")
		}
	})
}

func TestCrawlIssues(t *testing.T) {
	eachBackend(t, func(e *env) {
		c := e.reportFixture()
		var got api.IssuesJSON
		body := e.call("GET", reportPath(c.ID, "/issues"), "", http.StatusOK, &got)
		noRawScript(e.t, "issues", body)
		if got.CrawlID != c.ID || got.Audit != "done" || got.AuditedAt == nil || len(got.Checks) != len(audit.Catalogue) {
			e.t.Fatalf("issues: crawl %d audit %q at %v, %d checks", got.CrawlID, got.Audit, got.AuditedAt, len(got.Checks))
		}
		var ids []string
		rank := 0
		for i, ch := range got.Checks {
			r := audit.Severity(ch.Severity).Rank()
			if r < rank {
				e.t.Errorf("check %d (%s, %s) after a lower severity", i, ch.ID, ch.Severity)
			}
			rank = r
			if ch.Findings > 0 {
				ids = append(ids, ch.ID)
			}
			want, _ := audit.CheckByID(ch.ID)
			if ch.Title != want.Title || ch.Why != want.Why || ch.Fix != want.Fix || ch.Group != want.Group || ch.Severity != string(want.Severity) {
				e.t.Errorf("check %s does not match the catalogue: %+v", ch.ID, ch)
			}
			if ch.Enabled != (ch.ID != "orphan") {
				e.t.Errorf("check %s enabled = %v", ch.ID, ch.Enabled)
			}
		}
		if want := []string{"status_4xx", "link_to_broken", "title_duplicate", "redirect", "title_too_short", "thin_content"}; !slices.Equal(ids, want) {
			e.t.Errorf("checks with findings, in order: %v, want %v", ids, want)
		}
		byID := map[string]api.ReportIssueJSON{}
		for _, ch := range got.Checks {
			byID[ch.ID] = ch
		}
		if d := byID["title_duplicate"]; d.Findings != 2 || d.Pages != 2 {
			e.t.Errorf("title_duplicate: %+v", d)
		}
		// Checks without findings come after those with findings of
		// their severity.
		if got.Checks[0].Findings == 0 || got.Checks[2].Severity != "issue" || got.Checks[2].Findings != 0 {
			e.t.Errorf("issue checks: %+v", got.Checks[:3])
		}

		bare := e.reportCrawl(`{}`, nil, nil, nil, nil, false)
		e.call("GET", reportPath(bare.ID, "/issues"), "", http.StatusOK, &got)
		if got.Audit != "none" || got.AuditedAt != nil || len(got.Checks) != len(audit.Catalogue) {
			e.t.Errorf("issues of an unaudited crawl: %q, %v, %d checks", got.Audit, got.AuditedAt, len(got.Checks))
		}
		for _, ch := range got.Checks {
			if ch.Findings != 0 || !ch.Enabled {
				e.t.Errorf("unaudited crawl check %+v", ch)
			}
		}
		e.wantError("GET", "/api/v1/crawls/999999/issues", "", http.StatusNotFound, "", "crawl not found")
		e.wantError("GET", "/api/v1/crawls/x/issues", "", http.StatusBadRequest, "id", "id must be a positive integer")
	})
}

func TestPageDetail(t *testing.T) {
	eachBackend(t, func(e *env) {
		c := e.reportFixture()
		var got api.PageDetailJSON
		body := e.call("GET", reportPath(c.ID, "/pages/2"), "", http.StatusOK, &got)
		noRawScript(e.t, "page 2", body)
		p := got.Page
		if got.CrawlID != c.ID || got.Audit != "done" || p.ID != 2 || p.URL != "https://example.com/a" || p.Status != 200 ||
			p.TTFBMs != 150 || p.Inlinks != 2 || p.UniqueInlinks != 2 || p.LinkScore != 80 || p.FindingCount != 2 ||
			string(p.Hreflang) != "[]" || string(p.JSONLDTypes) != "[]" {
			e.t.Errorf("page 2: %+v", p)
		}
		wantFindings := []api.DetailFindingJSON{
			{CheckID: "title_duplicate", Severity: "warning", Title: "Duplicate title", Element: "Same"},
			{CheckID: "thin_content", Severity: "opportunity", Title: "Thin content"},
		}
		if !reflect.DeepEqual(got.Findings, wantFindings) {
			e.t.Errorf("findings = %+v, want %+v", got.Findings, wantFindings)
		}
		var from []int64
		for _, l := range got.Inlinks {
			from = append(from, l.SourceID)
		}
		if got.InlinksTotal != 3 || !slices.Equal(from, []int64{1, 4, 5}) || got.Inlinks[1].Kind != "redirect" ||
			got.Inlinks[2].SourceURL != "https://example.com/"+reportEvil || got.Inlinks[0].TargetURL != "https://example.com/a" {
			e.t.Errorf("inlinks = %+v (total %d)", got.Inlinks, got.InlinksTotal)
		}
		if got.OutlinksTotal != 1 || len(got.Outlinks) != 1 || got.Outlinks[0].TargetID != 1 {
			e.t.Errorf("outlinks = %+v (total %d)", got.Outlinks, got.OutlinksTotal)
		}
		if got.RedirectChain != nil {
			e.t.Errorf("redirect chain of a 200 page: %+v", got.RedirectChain)
		}
		if len(got.Duplicates) != 1 || got.Duplicates[0].Kind != "title" || got.Duplicates[0].Cluster != 2 || got.Duplicates[0].Total != 2 ||
			len(got.Duplicates[0].Pages) != 2 || got.Duplicates[0].Pages[1].ID != 5 {
			e.t.Errorf("duplicates = %+v", got.Duplicates)
		}

		e.call("GET", reportPath(c.ID, "/pages/2?limit=1"), "", http.StatusOK, &got)
		if len(got.Inlinks) != 1 || got.InlinksTotal != 3 || got.Inlinks[0].SourceID != 1 {
			e.t.Errorf("limit 1: inlinks %+v (total %d)", got.Inlinks, got.InlinksTotal)
		}

		body = e.call("GET", reportPath(c.ID, "/pages/1"), "", http.StatusOK, &got)
		noRawScript(e.t, "page 1", body)
		if got.Page.Title != reportEvil || got.OutlinksTotal != 4 || got.Outlinks[1].Text != reportEvil || !got.Outlinks[3].Nofollow ||
			got.Outlinks[3].Internal || len(got.Findings) != 2 || got.Findings[0].CheckID != "link_to_broken" ||
			got.Findings[1].Element != reportEvil {
			e.t.Errorf("page 1: %+v", got)
		}

		e.call("GET", reportPath(c.ID, "/pages/4"), "", http.StatusOK, &got)
		want := &api.RedirectChainJSON{Hops: []api.PageRefJSON{{ID: 2, URL: "https://example.com/a", State: "crawled", Status: 200}}}
		if !reflect.DeepEqual(got.RedirectChain, want) {
			e.t.Errorf("redirect chain of page 4 = %+v, want %+v", got.RedirectChain, want)
		}

		e.wantError("GET", reportPath(c.ID, "/pages/99"), "", http.StatusNotFound, "", "page not found")
		e.wantError("GET", "/api/v1/crawls/999999/pages/1", "", http.StatusNotFound, "", "crawl not found")
		for _, bad := range badIDs {
			e.wantError("GET", reportPath(c.ID, "/pages/"+bad), "", http.StatusBadRequest, "page_id", "page id must be a positive integer")
			e.wantError("GET", "/api/v1/crawls/"+bad+"/pages/1", "", http.StatusBadRequest, "id", "id must be a positive integer")
		}
		e.wantError("GET", reportPath(c.ID, "/pages/1?limit=5000"), "", http.StatusBadRequest, "limit", "limit must be an integer from 0 to 1000")
	})
}

func TestCrawlCompare(t *testing.T) {
	eachBackend(t, func(e *env) {
		a := e.reportFixture()
		pages := []store.Page{reportHTML(1, "/", 0, 10), reportHTML(2, "/new", 1, 10), reportHTML(3, "/a", 1, 10)}
		pages[2].Status, pages[2].Indexability = 500, "server-error"
		b := e.reportCrawl(`{}`, pages, nil, nil, []store.Finding{
			{CheckID: "status_5xx", PageID: 3, Element: "500"},
			{CheckID: "title_duplicate", PageID: 3, Element: "Same"},
		}, true)
		path := "/api/v1/compare?a=" + strconv.FormatInt(a.ID, 10) + "&b=" + strconv.FormatInt(b.ID, 10)
		var got api.CompareJSON
		body := e.call("GET", path, "", http.StatusOK, &got)
		noRawScript(e.t, "compare", body)
		if got.A.ID != a.ID || got.B.ID != b.ID || got.A.AuditedAt == nil || got.B.StartURL != "https://example.com/" {
			e.t.Errorf("sides: %+v, %+v", got.A, got.B)
		}
		byID := map[string]api.CompareCheckJSON{}
		for _, ch := range got.Checks {
			byID[ch.ID] = ch
		}
		if got.Checks[0].ID != "status_5xx" || got.Checks[0].New != 1 || got.Checks[0].Severity != "issue" || got.Checks[0].Title != "Server error (5xx)" {
			e.t.Errorf("first check: %+v", got.Checks[0])
		}
		if d := byID["title_duplicate"]; d.Persisting != 1 || d.Fixed != 1 || d.New != 0 {
			e.t.Errorf("title_duplicate: %+v", d)
		}
		if d := byID["status_4xx"]; d.Fixed != 1 || d.New != 0 || d.Persisting != 0 || len(got.Checks) != 7 {
			e.t.Errorf("status_4xx: %+v of %d checks", d, len(got.Checks))
		}
		if got.Added.Total != 1 || len(got.Added.Pages) != 1 || got.Added.Pages[0].URL != "https://example.com/new" {
			e.t.Errorf("added: %+v", got.Added)
		}
		var removed []string
		for _, p := range got.Removed.Pages {
			removed = append(removed, p.URL)
		}
		if want := []string{"https://example.com/" + reportEvil, "https://example.com/b", "https://example.com/old"}; got.Removed.Total != 3 ||
			!slices.Equal(removed, want) {
			e.t.Errorf("removed: %v (total %d), want %v", removed, got.Removed.Total, want)
		}
		wantChanges := api.StatusChangesJSON{Total: 1, Changes: []api.StatusChangeJSON{{URL: "https://example.com/a",
			A: api.PageRefJSON{ID: 2, URL: "https://example.com/a", State: "crawled", Status: 200},
			B: api.PageRefJSON{ID: 3, URL: "https://example.com/a", State: "crawled", Status: 500}}}}
		if !reflect.DeepEqual(got.StatusChanges, wantChanges) {
			e.t.Errorf("status changes = %+v, want %+v", got.StatusChanges, wantChanges)
		}

		e.call("GET", path+"&limit=1", "", http.StatusOK, &got)
		if len(got.Removed.Pages) != 1 || got.Removed.Total != 3 {
			e.t.Errorf("limit 1: removed %+v", got.Removed)
		}

		ida, idb := strconv.FormatInt(a.ID, 10), strconv.FormatInt(b.ID, 10)
		e.wantError("GET", "/api/v1/compare?b="+idb, "", http.StatusBadRequest, "a", "a must be a crawl id (a positive integer)")
		e.wantError("GET", "/api/v1/compare?a="+ida+"&b=x", "", http.StatusBadRequest, "b", "b must be a crawl id (a positive integer)")
		e.wantError("GET", "/api/v1/compare?a="+ida+"&b="+ida, "", http.StatusBadRequest, "b", "a and b must be two different crawls")
		e.wantError("GET", "/api/v1/compare?a=999999&b="+idb, "", http.StatusNotFound, "a", "crawl 999999 not found")
		e.wantError("GET", "/api/v1/compare?a="+ida+"&b=999999", "", http.StatusNotFound, "b", "crawl 999999 not found")
		e.wantError("GET", path+"&limit=-1", "", http.StatusBadRequest, "limit", "limit must be an integer from 0 to 1000")

		resp, _ := e.do("POST", "/api/v1/compare?a=1&b=2", "")
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			e.t.Errorf("POST /compare: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
}
