package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/scouter-seo/scouter/internal/store"
)

const hostileTitle = `<script>alert(1)</script><img src=x onerror=alert(2)> 100% "widget"`

// exploreCrawl stores a crawl of 30 pages: status 200 but every fifth 404,
// link score 100 − id, a hostile title on page 7, no title (and a
// title_missing finding) on every fourth. audited marks the audit done.
func exploreCrawl(t *testing.T, e *env, audited bool) store.Crawl {
	t.Helper()
	c, _, err := e.db.CrawlCreate(bg, store.CrawlCreateParams{StartURL: "https://example.com/", Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := e.db.JobClaim(bg, store.JobClaimParams{WorkerID: "w", Limit: 1, LeaseMs: 60_000})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %v", err)
	}
	l := store.Lease{JobID: jobs[0].ID, Attempt: jobs[0].Attempt}
	var b store.CrawlBatch
	var audits []store.PageAuditRow
	for i := int64(1); i <= 30; i++ {
		p := store.Page{CrawlID: c.ID, ID: i, URL: fmt.Sprintf("https://example.com/p/%d", i), Internal: true,
			State: store.PageCrawled, Status: 200, Indexable: true, Indexability: "indexable", Title: fmt.Sprintf("Page %d", i)}
		if i%5 == 0 {
			p.Status, p.Indexable, p.Indexability = 404, false, "client-error"
		}
		if i == 7 {
			p.Title = hostileTitle
			p.URL = `https://example.com/"><script>alert(3)</script>`
		}
		if i%4 == 0 {
			p.Title = ""
		}
		b.Pages = append(b.Pages, p)
		audits = append(audits, store.PageAuditRow{ID: i, PageAudit: store.PageAudit{LinkScore: float64(100 - i)}})
	}
	if err := e.db.CrawlWrite(bg, l, &b); err != nil {
		t.Fatal(err)
	}
	if !audited {
		return c
	}
	var findings []store.Finding
	for i := int64(4); i <= 30; i += 4 {
		findings = append(findings, store.Finding{CrawlID: c.ID, CheckID: "title_missing", PageID: i})
	}
	if err := e.db.AuditWrite(bg, l, c.ID, audits, findings); err != nil {
		t.Fatal(err)
	}
	if err := e.db.AuditFinish(bg, l, c.ID); err != nil {
		t.Fatal(err)
	}
	return c
}

var rowRE = regexp.MustCompile(`<tr data-page="(\d+)">`)

// rowIDs are the page ids of the table's rows, in order.
func rowIDs(page string) []int64 {
	out := []int64{}
	for _, m := range rowRE.FindAllStringSubmatch(page, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, n)
	}
	return out
}

// hrefOf returns the unescaped href of the element with the id.
func hrefOf(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`<a href="([^"]*)"[^>]* id="` + id + `"`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func TestExplorerFilterSortPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := exploreCrawl(t, e, true)
	base := e.srv.URL + "/crawls/" + strconv.FormatInt(c.ID, 10) + "/pages"

	resp, page := get(t, base)
	checkSecurityHeaders(t, "/crawls/{id}/pages", resp)
	if resp.StatusCode != 200 || !slices.Equal(rowIDs(page)[:3], []int64{1, 2, 3}) || len(rowIDs(page)) != 30 {
		t.Fatalf("all pages: %s, rows %v", resp.Status, rowIDs(page))
	}
	for _, want := range []string{"Rows 1–30 of 30", `href="/api/v1/crawls/` + strconv.FormatInt(c.ID, 10) + `/export/pages.csv"`,
		`<option value="title_missing">Title missing</option>`, `href="/crawls/1/pages/5"`, `<link rel="stylesheet" href="/static/explorer.`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page has no %s", want)
		}
	}
	if strings.Contains(page, `id="audit-state"`) || strings.Contains(page, `id="next"`) || strings.Contains(page, `id="prev"`) {
		t.Error("an audited single page shows the audit notice or a pager")
	}
	// (Without the hostile title, whose escaped text has an "onerror=".)
	if regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>[^<]|<style|\sstyle=|\son[a-z]+=`).MatchString(strings.ReplaceAll(page, html.EscapeString(hostileTitle), "")) {
		t.Error("inline script, style or handler in the explorer")
	}

	// Filter, sort and page: status 200 by link score, ascending, 5 rows
	// from the 6th, with links to the neighbours.
	_, page = get(t, base+"?f=status:eq:200&sort=link_score&limit=5&offset=5")
	if got := rowIDs(page); !slices.Equal(got, []int64{23, 22, 21, 19, 18}) {
		t.Errorf("status 200 by link score: rows %v", got)
	}
	if !strings.Contains(page, "Rows 6–10 of 24") {
		t.Error("no row range")
	}
	if got := hrefOf(t, page, "prev"); got != "/crawls/1/pages?f=status%3Aeq%3A200&limit=5&sort=link_score" {
		t.Errorf("previous: %q", got)
	}
	if got := hrefOf(t, page, "next"); got != "/crawls/1/pages?f=status%3Aeq%3A200&limit=5&offset=10&sort=link_score" {
		t.Errorf("next: %q", got)
	}
	// The sorted column's header reverses the order; another sorts by
	// itself, numbers biggest first, from the first row.
	if !strings.Contains(page, `aria-sort="ascending"><a href="/crawls/1/pages?f=status%3Aeq%3A200&amp;limit=5&amp;order=desc&amp;sort=link_score" data-col="link_score">`) {
		t.Error("no reversing link on the sorted column")
	}
	if !strings.Contains(page, `<a href="/crawls/1/pages?f=status%3Aeq%3A200&amp;limit=5&amp;order=desc&amp;sort=depth" data-col="depth">`) {
		t.Error("no sort link on the depth column")
	}
	_, page = get(t, base+"?f=status:eq:200&sort=link_score&order=desc&limit=5")
	if got := rowIDs(page); !slices.Equal(got, []int64{1, 2, 3, 4, 6}) {
		t.Errorf("by link score, descending: rows %v", got)
	}

	// The issues list links here with ?check=.
	_, page = get(t, base+"?check=title_missing")
	if got := rowIDs(page); !slices.Equal(got, []int64{4, 8, 12, 16, 20, 24, 28}) || !strings.Contains(page, `id="check-note"`) {
		t.Errorf("check: rows %v", got)
	}
	if !strings.Contains(page, `<option value="title_missing" selected>Title missing</option>`) {
		t.Error("the check is not selected in the form")
	}
	// Search, and the filter rows of the form with the one in force.
	_, page = get(t, base+"?q=WIDGET&f=indexable:eq:true")
	if got := rowIDs(page); !slices.Equal(got, []int64{7}) {
		t.Errorf("search: rows %v", got)
	}
	if !strings.Contains(page, `<option value="indexable" data-kind="bool" selected>`) || !strings.Contains(page, `name="fv" class="fv" value="true"`) {
		t.Error("the filter in force is not in the form")
	}
	if !strings.Contains(page, `<a class="remove" href="/crawls/1/pages?q=WIDGET"`) {
		t.Error("no link to remove the filter")
	}

	// Columns: the id, then the chosen ones.
	_, page = get(t, base+"?cols=title,status&limit=1")
	heads := regexp.MustCompile(`data-col="([a-z_]+)"`).FindAllStringSubmatch(page, -1)
	if len(heads) != 3 || heads[0][1] != "id" || heads[1][1] != "title" || heads[2][1] != "status" {
		t.Errorf("columns %v", heads)
	}
	if !strings.Contains(page, `<input type="checkbox" name="cols" value="title" checked>`) ||
		strings.Contains(page, `<input type="checkbox" name="cols" value="url" checked>`) {
		t.Error("the column boxes do not show the choice")
	}

	// The form's filter rows become f= parameters by a redirect.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"ff": {"status", "", "title"}, "fo": {"eq", "contains", "empty"}, "fv": {"200", "", "ignored"},
		"q": {""}, "check": {""}, "limit": {"100"}, "cols": {"url", "title"}, "sort": {"depth"}}
	r, err := noFollow.Get(base + "?" + form.Encode())
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if loc := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || loc != "/crawls/1/pages?cols=url%2Ctitle&f=status%3Aeq%3A200&f=title%3Aempty&sort=depth" {
		t.Errorf("form submission: %s to %q", r.Status, loc)
	}
	_, page = get(t, base+"?cols=url%2Ctitle&f=status%3Aeq%3A200&f=title%3Aempty&sort=depth")
	if got := rowIDs(page); !slices.Equal(got, []int64{4, 8, 12, 16, 24, 28}) {
		t.Errorf("after the form: rows %v", got)
	}

	// Empty results.
	_, page = get(t, base+"?f=status:eq:999")
	if !strings.Contains(page, "No pages match these filters") || len(rowIDs(page)) != 0 {
		t.Error("no empty state")
	}
	_, page = get(t, base+"?offset=100")
	if !strings.Contains(page, "the result has 30") || !strings.Contains(page, `id="prev"`) {
		t.Error("a page past the end has no way back")
	}

	// A crawl that is not audited says so.
	other := exploreCrawl(t, e, false)
	_, page = get(t, e.srv.URL+"/crawls/"+strconv.FormatInt(other.ID, 10)+"/pages?check=title_missing")
	if !strings.Contains(page, `id="audit-state"`) || !strings.Contains(page, "Not audited yet") {
		t.Error("no not-audited state")
	}
}

// Crawled text and query values are escaped wherever they appear.
func TestExplorerEscapes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := exploreCrawl(t, e, true)
	base := e.srv.URL + "/crawls/" + strconv.FormatInt(c.ID, 10) + "/pages"
	payload := `"><script>alert(4)</script>`
	for _, q := range []string{"", "?cols=url,title,description&f=title:contains:" + url.QueryEscape(payload),
		"?q=" + url.QueryEscape(payload) + "&cols=title", "?f=title:contains:script&cols=url,title", "?f=status:eq:" + url.QueryEscape(payload)} {
		_, page := get(t, base+q)
		if strings.Contains(page, "<script>alert") || strings.Contains(page, "<img src=x") {
			t.Errorf("%s: a payload reached the HTML unescaped", q)
		}
	}
	_, page := get(t, base+"?f=title:contains:script&cols=url,title")
	if got := rowIDs(page); !slices.Equal(got, []int64{7}) {
		t.Fatalf("rows %v", got)
	}
	if !strings.Contains(page, html.EscapeString(hostileTitle)) || !strings.Contains(page, `<a href="/crawls/1/pages/7">https://example.com/&#34;&gt;&lt;script&gt;alert(3)&lt;/script&gt;</a>`) {
		t.Error("the hostile title or URL is not shown escaped")
	}
}

// Bad input is a 400 page with the message and the form, not a crash.
func TestExplorerBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := exploreCrawl(t, e, true)
	base := e.srv.URL + "/crawls/" + strconv.FormatInt(c.ID, 10) + "/pages"
	for q, msg := range map[string]string{
		"?f=status:eq:abc":                     `status: &#34;abc&#34; is not an integer`,
		"?f=title:gt:a":                        `title: operator &#34;gt&#34; does not apply to a text field`,
		"?f=nope:eq:1":                         `cannot filter on &#34;nope&#34;: no such field`,
		"?f=status:eq:1%20OR%201%3D1":          `status: &#34;1 OR 1=1&#34; is not an integer`,
		"?sort=" + url.QueryEscape("id; DROP"): `cannot sort by &#34;id; DROP&#34;: no such field`,
		"?check=nope":                          `unknown check &#34;nope&#34;`,
		"?limit=9999":                          `limit must be an integer from 1 to 500`,
		"?cols=url,nope":                       `cannot show &#34;nope&#34;: no such field`,
		"?q=%00":                               `the search contains a NUL byte`,
	} {
		resp, page := get(t, base+q)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, `<div class="error-box" id="explore-error" role="alert">`+msg) {
			t.Errorf("%s: %s, want the message %s", q, resp.Status, msg)
		}
		checkSecurityHeaders(t, q, resp)
		if !strings.Contains(page, `id="explore-form"`) || len(rowIDs(page)) != 0 {
			t.Errorf("%s: no form, or rows", q)
		}
	}
	// The failed filter stays in the form to be fixed.
	_, page := get(t, base+"?f=status:eq:abc")
	if !strings.Contains(page, `<option value="status" data-kind="int" selected>`) || !strings.Contains(page, `value="abc"`) {
		t.Error("the bad filter is not in the form")
	}
	for _, p := range []string{"/crawls/999/pages", "/crawls/abc/pages", "/crawls/0/pages"} {
		if r, _ := get(t, e.srv.URL+p); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %s", p, r.Status)
		}
	}
	if _, n, err := e.db.Explore(bg, store.ExploreQuery{CrawlID: c.ID}); err != nil || n != 30 {
		t.Errorf("after the bad requests: %d pages, %v", n, err)
	}
}

// explorer.js adds filter rows and narrows the operators to the field.
func TestBrowserExplorer(t *testing.T) {
	e := newEnv(t, envOptions{})
	c := exploreCrawl(t, e, true)
	b := newBrowser(t)
	b.do(chromedp.Navigate(e.srv.URL + "/crawls/" + strconv.FormatInt(c.ID, 10) + "/pages?f=status:eq:200"))
	b.waitJS(5*time.Second, "the add button", `!document.getElementById("add-filter").hidden`)
	b.do(chromedp.Click(chromedp.CSS("#add-filter")))
	if n := eval[int](b, `document.querySelectorAll("#filters .filter-row").length`); n != 3 {
		t.Fatalf("%d filter rows after adding one", n)
	}
	b.do(chromedp.SetValue(chromedp.CSS("#ff-2"), "indexable"))
	b.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("ff-2").dispatchEvent(new Event("change"))`))
	if ops := eval[string](b, `Array.from(document.getElementById("fo-2").options).filter(o => !o.disabled).map(o => o.value).join(",")`); ops != "eq,ne" {
		t.Errorf("operators of a yes/no field: %s", ops)
	}
	b.do(chromedp.SetValue(chromedp.CSS("#fv-2"), "false"), chromedp.Click(chromedp.CSS("#explore-form button[type=submit]")))
	// Status 200 and not indexable: no page.
	b.waitJS(5*time.Second, "the filtered page", `location.search.includes("indexable%3Aeq%3Afalse") && document.readyState === "complete"`)
	if got := eval[string](b, `Array.from(document.querySelectorAll("#explore-table tbody tr")).map(r => r.dataset.page).join(",")`); got != "" {
		t.Errorf("rows %s", got)
	}
	if !eval[bool](b, `!!document.getElementById("explore-empty")`) {
		t.Error("no empty state")
	}
}
