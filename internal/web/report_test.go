package web

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

const rptEvil = `<script>alert(1)</script>`

// rptCrawl creates a crawl of https://example.com/ with options and writes
// its pages, links, page audits and findings; audited sets audited_at.
func rptCrawl(t *testing.T, db *store.DB, options string, pages []store.Page, links []store.Link,
	audits []store.PageAuditRow, findings []store.Finding, audited bool) store.Crawl {
	t.Helper()
	c, j, err := db.CrawlCreate(bg, store.CrawlCreateParams{StartURL: "https://example.com/", Options: json.RawMessage(options),
		Job: store.JobEnqueueParams{Kind: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := db.JobClaim(bg, store.JobClaimParams{WorkerID: "w", WorkerHost: "h", WorkerPID: 1, Limit: 1, LeaseMs: 60_000})
	if err != nil || len(jobs) != 1 || jobs[0].ID != j.ID {
		t.Fatalf("claim: %v, %v", jobs, err)
	}
	l := store.Lease{JobID: j.ID, Attempt: jobs[0].Attempt}
	for i := range pages {
		pages[i].CrawlID = c.ID
	}
	for i := range links {
		links[i].CrawlID = c.ID
	}
	for i := range findings {
		findings[i].CrawlID = c.ID
	}
	if err := db.CrawlWrite(bg, l, &store.CrawlBatch{Pages: pages, Links: links}); err != nil {
		t.Fatal(err)
	}
	if err := db.AuditWrite(bg, l, c.ID, audits, findings); err != nil {
		t.Fatal(err)
	}
	if audited {
		if err := db.AuditFinish(bg, l, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.JobFinish(bg, store.JobFinishParams{Lease: l, Status: store.JobCompleted}); err != nil {
		t.Fatal(err)
	}
	return c
}

func rptPage(id int64, path string, depth int, ttfbMs int64) store.Page {
	return store.Page{ID: id, URL: "https://example.com" + path, Internal: true, State: store.PageCrawled, Depth: depth,
		Status: 200, ContentType: "text/html", Indexable: true, TTFBMicros: ttfbMs * 1000, TitleCount: 1, Title: "Page " + path}
}

// rptFixture is an audited crawl with hostile text everywhere crawled
// content shows: a title, an H1, a URL, anchor texts, hreflang, findings.
func rptFixture(t *testing.T, db *store.DB) store.Crawl {
	pages := []store.Page{
		rptPage(1, "/", 0, 50),
		rptPage(2, "/a", 1, 150),
		rptPage(3, "/b", 1, 300),
		rptPage(4, "/old", 1, 10),
		rptPage(5, "/"+rptEvil, 2, 3000),
		{ID: 6, URL: "http://other.org/" + rptEvil, State: store.PageExternal, Depth: 1},
	}
	pages[0].Title, pages[0].H1, pages[0].H1Count = rptEvil, rptEvil, 1
	pages[0].Hreflang = `[{"lang":"fr\"><script>alert(2)</script>","url":"https://example.com/fr"}]`
	pages[2].Status, pages[2].Indexable, pages[2].Indexability = 404, false, "client-error"
	pages[3].Status, pages[3].Indexable, pages[3].Indexability, pages[3].RedirectURL = 301, false, "redirect", "https://example.com/a"
	pages[4].Indexable, pages[4].Indexability = false, "noindex"
	links := []store.Link{
		{SourceID: 1, Position: 0, TargetID: 2, Kind: "anchor", Text: "A", Internal: true},
		{SourceID: 1, Position: 1, TargetID: 3, Kind: "anchor", Text: rptEvil, Internal: true},
		{SourceID: 1, Position: 2, TargetID: 4, Kind: "anchor", Internal: true},
		{SourceID: 1, Position: 3, TargetID: 6, Kind: "anchor", Flags: store.LinkNofollow},
		{SourceID: 2, Position: 0, TargetID: 1, Kind: "anchor", Internal: true},
		{SourceID: 4, Position: 0, TargetID: 2, Kind: "redirect", Internal: true},
		{SourceID: 5, Position: 0, TargetID: 2, Kind: "anchor", Internal: true},
	}
	audits := []store.PageAuditRow{
		{ID: 2, PageAudit: store.PageAudit{Inlinks: 2, UniqueInlinks: 2, LinkScore: 80, TitleDup: 2, FindingCount: 2}},
		{ID: 5, PageAudit: store.PageAudit{TitleDup: 2, FindingCount: 1}},
		{ID: 4, PageAudit: store.PageAudit{RedirectFinalID: 2, RedirectHops: 1, FindingCount: 1}},
	}
	findings := []store.Finding{
		{CheckID: "status_4xx", PageID: 3, Element: "404"},
		{CheckID: "link_to_broken", PageID: 1, Element: "https://example.com/b"},
		{CheckID: "redirect", PageID: 4, Element: "https://example.com/a"},
		{CheckID: "title_duplicate", PageID: 2, Element: "Same"},
		{CheckID: "title_duplicate", PageID: 5, Element: "Same"},
		{CheckID: "title_too_short", PageID: 1, Element: rptEvil},
		{CheckID: "thin_content", PageID: 2},
	}
	return rptCrawl(t, db, `{"audit":{"disabled":["orphan"]}}`, pages, links, audits, findings, true)
}

// rptGet fetches a page, requires the status and the security headers, and
// checks that nothing hostile or inline reached the HTML.
func rptGet(t *testing.T, e *env, path string, status int) string {
	t.Helper()
	resp, err := http.Get(e.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %s, want %d\n%s", path, resp.Status, status, page)
	}
	checkSecurityHeaders(t, path, resp)
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "alert(2)</script>") {
		t.Errorf("GET %s: a payload reached the HTML unescaped", path)
	}
	if regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>[^<]|<style|\sstyle=|\son[a-z]+=`).MatchString(page) {
		t.Errorf("GET %s: inline script, style or handler", path)
	}
	return page
}

func rptContains(t *testing.T, path, page string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(page, w) {
			t.Errorf("GET %s: no %q", path, w)
		}
	}
}

// svgs returns the inline SVG elements of a page.
func svgs(page string) []string {
	return regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(page, -1)
}

// parseSVG parses an SVG strictly and returns its root attributes and the
// text of every element, in order.
func parseSVG(t *testing.T, s string) (map[string]string, []string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	attrs := map[string]string{}
	var texts []string
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("invalid SVG: %v\n%s", err, s)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if x.Name.Local != "svg" || x.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("root element %v", x.Name)
				}
				for _, a := range x.Attr {
					attrs[a.Name.Local] = a.Value
				}
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if s := strings.TrimSpace(string(x)); s != "" {
				texts = append(texts, s)
			}
		}
	}
	return attrs, texts
}

func TestReportPages(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{backend: backend})
			c := rptFixture(t, e.db)
			id := strconv.FormatInt(c.ID, 10)
			base := "/crawls/" + id

			// The dashboard: KPIs and five charts, each valid SVG with its
			// counts in text.
			page := rptGet(t, e, base+"/report", 200)
			rptContains(t, base+"/report", page,
				`id="kpi-crawled">5<`, `id="kpi-indexable">2<`, `id="kpi-errors">1<`, `id="kpi-issues">2<`, `id="kpi-ttfb">150 ms<`,
				`aria-current="page">Dashboard`, `href="/crawls/`+id+`/pages?check=status_4xx"`, `href="/crawls/compare?b=`+id+`"`)
			if strings.Contains(page, `id="audit-state"`) {
				t.Error("an audited crawl says it is not audited")
			}
			// Every report page and the crawl panel link the downloads,
			// and each link answers with its file.
			for _, path := range []string{base + "/report", base + "/issues", base + "/pages", base} {
				p := rptGet(t, e, path, 200)
				for _, what := range []string{"pages", "links", "findings"} {
					for _, ext := range []string{"csv", "jsonl"} {
						href := "/api/v1/crawls/" + id + "/export/" + what + "." + ext
						if !strings.Contains(p, `href="`+href+`" download`) {
							t.Errorf("%s: no download link %s", path, href)
						}
					}
				}
			}
			for _, what := range []string{"pages", "links", "findings"} {
				resp, err := http.Get(e.srv.URL + "/api/v1/crawls/" + id + "/export/" + what + ".csv")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
					t.Errorf("download %s: %d %v", what, resp.StatusCode, resp.Header)
				}
			}
			charts := svgs(page)
			if len(charts) != 5 {
				t.Fatalf("dashboard has %d charts, want 5", len(charts))
			}
			wantText := map[string][]string{
				"chart-status":       {"2xx success", "3 (60.0%)", "3xx redirect", "4xx client error", "1 (20.0%)", "5xx server error", "0 (0%)"},
				"chart-depth":        {"0", "1", "2", "3"}, // labels 0 1 2, counts 1 3 1
				"chart-indexability": {"Indexable", "2 (66.7%)", "noindex", "1 (33.3%)"},
				"chart-response":     {"< 100 ms", "100–250 ms", "250–500 ms", "500 ms–1 s", "1–2 s", "≥ 2 s"},
				"chart-severity":     {"Issues", "2 (28.6%)", "Warnings", "3 (42.9%)", "Opportunities"},
			}
			for _, s := range charts {
				attrs, texts := parseSVG(t, s)
				want, ok := wantText[attrs["id"]]
				if !ok {
					t.Errorf("unexpected chart %q", attrs["id"])
					continue
				}
				if attrs["role"] != "img" || attrs["aria-label"] == "" || attrs["viewBox"] == "" || strings.Contains(s, "style=") {
					t.Errorf("chart %s: attributes %v", attrs["id"], attrs)
				}
				joined := "\n" + strings.Join(texts, "\n") + "\n"
				for _, w := range want {
					if !strings.Contains(joined, "\n"+w+"\n") {
						t.Errorf("chart %s: no text %q in %q", attrs["id"], w, texts)
					}
				}
			}
			if _, texts := parseSVG(t, charts[0]); !strings.HasPrefix(texts[0], "Crawled pages by status (pages) — 2xx success: 3, 3xx redirect: 1, 4xx client error: 1") {
				t.Errorf("status chart title %q", texts[0])
			}

			// The issues, by severity, with explanations.
			page = rptGet(t, e, base+"/issues", 200)
			rptContains(t, base+"/issues", page,
				`<section class="sev-section" id="sev-issue">`, `<tr data-check="status_4xx">`,
				`href="/crawls/`+id+`/pages?check=link_to_broken">Links to broken pages</a>`,
				"Restore the page, redirect the URL (301)", "(see “Links to broken pages”)",
				`<li data-check="orphan">Orphan page <span class="muted">(Links) — turned off for this crawl`,
				"2 findings in 2 checks", "3 findings in 2 checks")
			if i, j := strings.Index(page, `id="sev-issue"`), strings.Index(page, `id="sev-warning"`); i < 0 || j < i {
				t.Error("issues do not come before warnings")
			}
			if i, j := strings.Index(page, `data-check="title_duplicate"`), strings.Index(page, `data-check="redirect"`); i < 0 || j < i {
				t.Error("warnings are not sorted by findings")
			}
			row := regexp.MustCompile(`(?s)<tr data-check="title_duplicate">.*?</tr>`).FindString(page)
			if !strings.Contains(row, `<td class="num">2</td>`) || !strings.Contains(row, "<details") {
				t.Errorf("title_duplicate row: %s", row)
			}

			// A page's detail.
			page = rptGet(t, e, base+"/pages/1", 200)
			rptContains(t, base+"/pages/1", page,
				`&lt;script&gt;alert(1)&lt;/script&gt;`, `id="page-status">200<`,
				`fr&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;`,
				`<tr data-check="link_to_broken">`, `Outlinks <span class="muted">4</span>`,
				`href="/crawls/`+id+`/pages/6">http://other.org/&lt;script&gt;`, "nofollow")
			if i, j := strings.Index(page, `data-check="link_to_broken"`), strings.Index(page, `data-check="title_too_short"`); i < 0 || j < i {
				t.Error("findings are not sorted by severity")
			}
			page = rptGet(t, e, base+"/pages/2", 200)
			rptContains(t, base+"/pages/2", page,
				`id="page-inlinks">2 <span class="muted">from 2 pages`, `id="page-link-score">80.0 <`,
				"Title: shared by 2 pages", `href="/crawls/`+id+`/pages/5" class="url">https://example.com/&lt;script&gt;`,
				`Inlinks <span class="muted">3</span>`, `<td>redirect</td>`)
			page = rptGet(t, e, base+"/pages/4", 200)
			rptContains(t, base+"/pages/4", page, `id="redirect-chain"`, `href="/crawls/`+id+`/pages/2" class="url">https://example.com/a</a>`,
				"Redirect hops</dt><dd>1")

			// Unknown or malformed ids.
			for _, p := range []string{"/crawls/999999/report", "/crawls/abc/issues", "/crawls/0/report", base + "/pages/999",
				base + "/pages/abc", "/crawls/999999/pages/1", "/crawls/compare?a=999999&b=" + id} {
				rptGet(t, e, p, 404)
			}
			rptGet(t, e, "/crawls/compare?a=x&b="+id, 400)
		})
	}
}

func TestReportEmptyStates(t *testing.T) {
	e := newEnv(t, envOptions{})
	bare := rptCrawl(t, e.db, `{}`, nil, nil, nil, nil, false)
	base := "/crawls/" + strconv.FormatInt(bare.ID, 10)
	page := rptGet(t, e, base+"/report", 200)
	rptContains(t, base+"/report", page, `data-audit="none"`, "has not been audited yet", "Nothing to chart yet.",
		`id="no-audit"`, `id="kpi-issues">—<`)
	if n := len(svgs(page)); n != 0 {
		t.Errorf("an empty crawl has %d charts", n)
	}
	page = rptGet(t, e, base+"/issues", 200)
	rptContains(t, base+"/issues", page, "No audit results yet", "runs after the crawl finishes")

	// Audited with no finding at all.
	clean := rptCrawl(t, e.db, `{}`, []store.Page{rptPage(1, "/", 0, 20)}, nil, nil, nil, true)
	base = "/crawls/" + strconv.FormatInt(clean.ID, 10)
	rptContains(t, base+"/report", rptGet(t, e, base+"/report", 200), `id="no-findings"`, "every check of the audit passed")
	page = rptGet(t, e, base+"/issues", 200)
	rptContains(t, base+"/issues", page, `id="no-findings"`, "checks without findings")
	rptContains(t, base+"/pages/1", rptGet(t, e, base+"/pages/1", 200), "No findings on this page.", "No page of the crawl links here.")

	// While the audit runs.
	if _, _, err := e.db.CrawlAudit(bg, bare.ID, "audit", nil); err != nil {
		t.Fatal(err)
	}
	base = "/crawls/" + strconv.FormatInt(bare.ID, 10)
	rptContains(t, base+"/report", rptGet(t, e, base+"/report", 200), `data-audit="running"`, "The audit is running")
}

func TestReportCompare(t *testing.T) {
	e := newEnv(t, envOptions{})
	a := rptFixture(t, e.db)
	other := rptCrawl(t, e.db, `{}`, nil, nil, nil, nil, false)
	if err := e.db.RawExecForTest(bg, `UPDATE crawls SET start_url = 'https://elsewhere.example/' WHERE id = ?`, other.ID); err != nil {
		t.Fatal(err)
	}
	pages := []store.Page{rptPage(1, "/", 0, 10), rptPage(2, "/new?q="+rptEvil, 1, 10), rptPage(3, "/a", 1, 10)}
	pages[2].Status, pages[2].Indexability = 500, "server-error"
	b := rptCrawl(t, e.db, `{}`, pages, nil, nil, []store.Finding{
		{CheckID: "status_5xx", PageID: 3, Element: "500"},
		{CheckID: "title_duplicate", PageID: 3, Element: "Same"},
	}, true)
	// The picker: with b alone, a is the previous crawl of the same host.
	path := fmt.Sprintf("/crawls/compare?b=%d", b.ID)
	page := rptGet(t, e, path, 200)
	rptContains(t, path, page,
		fmt.Sprintf(`<option value="%d" selected>`, a.ID), fmt.Sprintf(`<option value="%d" selected>`, b.ID),
		`aria-current="page">Compare`, `<tr data-check="status_5xx">`,
		`Pages added <span class="muted">1</span>`, `https://example.com/new?q=&lt;script&gt;`,
		`Pages removed <span class="muted">3</span>`, `Status changes <span class="muted">1</span>`)
	if strings.Contains(page, fmt.Sprintf(`<option value="%d"`, other.ID)) {
		t.Error("the picker offers a crawl of another host")
	}
	row := regexp.MustCompile(`(?s)<tr data-check="status_5xx">.*?</tr>`).FindString(page)
	if !strings.Contains(row, `<td class="num worse">1</td>`) {
		t.Errorf("status_5xx row: %s", row)
	}
	row = regexp.MustCompile(`(?s)<tr data-check="title_duplicate">.*?</tr>`).FindString(page)
	if !strings.Contains(row, `<td class="num better">1</td>`) || !strings.Contains(row, `<td class="num">1</td>`) {
		t.Errorf("title_duplicate row: %s", row)
	}
	summary := regexp.MustCompile(`(?s)<table class="side-by-side".*?</table>`).FindString(page)
	if !strings.Contains(summary, "<td>Pages crawled</td>") || !strings.Contains(summary, `<td class="num delta changed">-2</td>`) {
		t.Errorf("summary: %s", summary)
	}

	// Nothing chosen: a picker of every recent crawl; the same crawl twice.
	page = rptGet(t, e, "/crawls/compare", 200)
	rptContains(t, "/crawls/compare", page, "Pick the two crawls to compare.", fmt.Sprintf(`<option value="%d">`, other.ID))
	page = rptGet(t, e, fmt.Sprintf("/crawls/compare?a=%d&b=%d", a.ID, a.ID), 200)
	rptContains(t, "compare a a", page, "Pick two different crawls.")
	// The first crawl of a host has nothing before it.
	page = rptGet(t, e, fmt.Sprintf("/crawls/compare?b=%d", a.ID), 200)
	rptContains(t, "compare b=a", page, "No earlier crawl of this site")
}

func TestCharts(t *testing.T) {
	bars := []bar{{rptEvil, 3, "issue"}, {`a "quoted" & <b>`, 0, "bogus\" onload=\"x"}, {strings.Repeat("é", 40), 1_234_567, ""}}
	for _, c := range []chart{barChart(newChart("x<y", rptEvil, "pages & more", bars)), columnChart(newChart("h", "T", "u", bars))} {
		s := string(c.SVG)
		if strings.Contains(s, "<script") || strings.Contains(s, "onload") || strings.Contains(s, "<b>") {
			t.Errorf("unescaped text in %s", s)
		}
		attrs, texts := parseSVG(t, s)
		if attrs["role"] != "img" || !strings.Contains(attrs["aria-label"], rptEvil) || !strings.Contains(attrs["aria-label"], "1,234,567") {
			t.Errorf("root attributes %v", attrs)
		}
		if !strings.Contains(strings.Join(texts, "|"), "1,234,567") {
			t.Errorf("no count in %q", texts)
		}
	}
	if c := barChart(newChart("z", "Zero", "pages", []bar{{"a", 0, ""}})); c.SVG != "" || c.Total != 0 {
		t.Errorf("a chart of zeros: %q", c.SVG)
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", -1234567: "-1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDashboardCharts(t *testing.T) {
	rep := store.CrawlReport{Depth: map[int]int64{-1: 4, 0: 1, 3: 2, 10: 5, 12: 6}, Indexability: map[string]int64{},
		StatusClass: map[string]int64{}, ResponseTime: make([]int64, len(store.ResponseTimeBounds)+1)}
	charts := dashboardCharts(rep, nil)
	var labels []string
	var values []int64
	for _, b := range charts[1].Bars {
		labels = append(labels, b.Label)
		values = append(values, b.Value)
	}
	if got := strings.Join(labels, " "); got != "none 0 1 2 3 4 5 6 7 8 9 10+" {
		t.Errorf("depth labels %q", got)
	}
	if fmt.Sprint(values) != "[4 1 0 0 2 0 0 0 0 0 0 11]" {
		t.Errorf("depth values %v", values)
	}
	labels = nil
	for _, b := range charts[3].Bars {
		labels = append(labels, b.Label)
	}
	if got := strings.Join(labels, " | "); got != "< 100 ms | 100–250 ms | 250–500 ms | 500 ms–1 s | 1–2 s | ≥ 2 s" {
		t.Errorf("response time labels %q", got)
	}
}
