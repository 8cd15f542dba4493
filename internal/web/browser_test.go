package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
	"github.com/scouter-seo/scouter/internal/testsite"
)

const (
	rowsJS      = `document.querySelectorAll("#terminal .line[data-seq]").length`
	crawledJS   = `Number(document.getElementById("kpi-crawled").textContent)`
	statusJS    = `document.getElementById("status").getAttribute("data-status")`
	transportJS = `document.getElementById("transport").textContent`
)

// crawlIDFromPath reads the panel's crawl id from the browser's location.
func crawlIDFromPath(t *testing.T, b *browser) int64 {
	t.Helper()
	p := eval[string](b, `location.pathname`)
	id, err := strconv.ParseInt(strings.TrimPrefix(p, "/crawls/"), 10, 64)
	if err != nil {
		t.Fatalf("not on a crawl panel: %s", p)
	}
	return id
}

// TestBrowserCrawlStopResume starts a crawl from the form, watches it live,
// stops it, resumes it and sees it complete.
func TestBrowserCrawlStopResume(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.startWorker()
	site := testsite.NewGenerated(80, 7)
	defer site.Close()
	site.SetDelay(200 * time.Millisecond)
	b := newBrowser(t)

	b.do(
		chromedp.Navigate(e.srv.URL+"/crawls/new"),
		chromedp.WaitVisible(chromedp.CSS("#f-start_url")),
		chromedp.SetValue(chromedp.CSS("#f-start_url"), site.URL()),
		chromedp.SetValue(chromedp.CSS("#f-concurrency"), "2"),
		chromedp.Click(chromedp.CSS("#submit")),
	)
	b.waitJS(10*time.Second, "the crawl panel", `location.pathname.startsWith("/crawls/") && !!document.getElementById("terminal")`)
	crawlID := crawlIDFromPath(t, b)
	c, err := e.db.CrawlGet(bg, crawlID)
	if err != nil {
		t.Fatal(err)
	}
	firstJob := *c.LastJobID

	b.waitJS(15*time.Second, "log lines in the terminal", rowsJS+` >= 1`)
	b.waitJS(15*time.Second, "the crawled counter to move", crawledJS+` >= 5`)
	if !eval[bool](b, `Array.from(document.querySelectorAll("#terminal .msg")).some(e => e.textContent.startsWith(`+jsString("Starting crawl of "+site.URL())+`))`) {
		t.Errorf("no Starting crawl line in the terminal")
	}

	// The global indicator lists the running crawl.
	b.waitJS(10*time.Second, "the running-crawls indicator", `!document.getElementById("running").hidden &&
		Array.from(document.querySelectorAll("#running-select option")).some(o => o.value === "`+strconv.FormatInt(crawlID, 10)+`")`)

	b.do(chromedp.WaitEnabled(chromedp.CSS("#stop")), chromedp.Click(chromedp.CSS("#stop")))
	b.waitJS(15*time.Second, "status stopped", statusJS+` === "stopped"`)
	if n := eval[int](b, crawledJS); n >= site.Pages() {
		t.Fatalf("the crawl finished (%d pages) before the stop; slow the site down", n)
	}
	if eval[bool](b, `document.getElementById("stop").disabled`) {
		// expected: a stopped job cannot be stopped
	} else {
		t.Error("Stop is enabled on a stopped job")
	}

	b.do(chromedp.WaitEnabled(chromedp.CSS("#resume")), chromedp.Click(chromedp.CSS("#resume")))
	b.waitJS(15*time.Second, "the panel to follow the new job", `document.getElementById("panel").getAttribute("data-job") !== "`+strconv.FormatInt(firstJob, 10)+`"`)
	// The completed crawl is followed by its audit job, in the same panel.
	b.waitJS(25*time.Second, "the audit job", `(document.getElementById("job-label") || {}).textContent.startsWith("audit job #")`)
	b.waitJS(25*time.Second, "the audit completed", statusJS+` === "completed"`)
	if got := eval[string](b, crawledJS+` + ""`); got != strconv.Itoa(site.Pages()) {
		t.Errorf("crawled counter %s after the audit, want %d", got, site.Pages())
	}
	if got := eval[string](b, `document.getElementById("status").textContent`); got != "finished" {
		t.Errorf("badge text = %q, want finished", got)
	}
	c, err = e.db.CrawlGet(bg, crawlID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != "finished" || c.Crawled != int64(site.Pages()) || *c.LastJobID == firstJob || c.AuditedAt == nil {
		t.Errorf("crawl in the database: status %s, crawled %d, last job %d (first %d), audited %v", c.Status, c.Crawled, *c.LastJobID, firstJob, c.AuditedAt)
	}
	if j, err := e.db.JobGet(bg, *c.LastJobID); err != nil || j.Kind != "audit" {
		t.Errorf("the crawl's last job: %+v, %v; want the audit", j, err)
	}
	if !eval[bool](b, `Array.from(document.querySelectorAll("#terminal .line.sep")).some(e => e.textContent.startsWith("— audit: job #"))`) {
		t.Error("no separator before the audit's log")
	}
	// The terminal shows the stopped job, a separator, then the new job's
	// whole log, which says it resumed.
	if !eval[bool](b, `!!document.querySelector("#terminal .line.sep")`) {
		t.Error("no separator between the two jobs")
	}
	if !eval[bool](b, `Array.from(document.querySelectorAll("#terminal .msg")).some(e => e.textContent.startsWith("Resuming: "))`) {
		t.Error("no Resuming line in the terminal")
	}
	newLines := testdb.Logs(t, e.db, *c.LastJobID)
	last := newLines[len(newLines)-1]
	if got := eval[string](b, `Array.from(document.querySelectorAll("#terminal .line[data-seq]")).pop().querySelector(".msg").textContent`); got != last.Message {
		t.Errorf("last terminal line %q, want %q", got, last.Message)
	}
	if href := eval[string](b, `document.getElementById("download").getAttribute("href")`); href != fmt.Sprintf("/api/v1/jobs/%d/output", *c.LastJobID) {
		t.Errorf("raw log link %q", href)
	}
	b.waitJS(10*time.Second, "the finished notice", `Array.from(document.querySelectorAll("#banners .banner")).some(e => e.textContent.includes("Crawl #`+strconv.FormatInt(crawlID, 10)+`"))`)
}

// TestBrowserReloadMidCrawl reloads the panel while the crawl runs: the
// whole history comes back (tail, then "load earlier lines") and the live
// log goes on with no line twice.
func TestBrowserReloadMidCrawl(t *testing.T) {
	t.Run("events", func(t *testing.T) { testReloadMidCrawl(t, false) })
	t.Run("polling", func(t *testing.T) { testReloadMidCrawl(t, true) })
}

func testReloadMidCrawl(t *testing.T, noSSE bool) {
	e := newEnv(t, envOptions{tailLen: 3, noSSE: noSSE}) // a "long" log with a 3-line tail
	if !noSSE && !e.sse {
		t.Skip("the API has no event stream (GET /api/v1/jobs/{id}/events)")
	}
	wantTransport := "live"
	if noSSE {
		wantTransport = "polling"
	}
	e.startWorker()
	site := testsite.NewGenerated(120, 3)
	defer site.Close()
	site.SetDelay(100 * time.Millisecond)
	b := newBrowser(t)

	body, _ := json.Marshal(map[string]any{"start_url": site.URL(), "options": map[string]any{"concurrency": 2}})
	resp, err := http.Post(e.srv.URL+"/api/v1/crawls", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		CrawlID int64 `json:"crawl_id"`
		JobID   int64 `json:"job_id"`
	}
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if created.CrawlID == 0 {
		t.Fatalf("crawl not created: %s", resp.Status)
	}
	panelURL := fmt.Sprintf("%s/crawls/%d", e.srv.URL, created.CrawlID)

	b.do(chromedp.Navigate(panelURL))
	b.waitJS(15*time.Second, "a few log lines", rowsJS+` >= 4`)
	b.waitJS(15*time.Second, "pages crawled", crawledJS+` >= 3`)
	if s := eval[string](b, statusJS); s != "running" {
		t.Fatalf("status %q before the reload, want running", s)
	}
	if tr := eval[string](b, transportJS); tr != wantTransport {
		t.Errorf("transport %q, want %q", tr, wantTransport)
	}

	b.do(chromedp.Reload())
	b.waitJS(10*time.Second, "the tail after the reload", rowsJS+` >= 1`)
	if !eval[bool](b, `!document.getElementById("earlier").hidden`) {
		t.Fatal(`no "load earlier lines" button after the reload of a long log`)
	}
	b.waitJS(5*time.Second, "following after the reload", transportJS+` === "`+wantTransport+`"`)
	for i := 0; i < 50 && eval[bool](b, `!document.getElementById("earlier").hidden`); i++ {
		before := eval[int](b, rowsJS)
		b.do(chromedp.Click(chromedp.CSS("#earlier")))
		b.waitJS(5*time.Second, "earlier lines", rowsJS+` > `+strconv.Itoa(before)+` || document.getElementById("earlier").hidden`)
	}
	if first := eval[string](b, `document.querySelector("#terminal .line[data-seq]").getAttribute("data-seq")`); first != "1" {
		t.Errorf("first line after the reload and load earlier has seq %s", first)
	}
	if !eval[bool](b, `Array.from(document.querySelectorAll("#terminal .msg")).some(e => e.textContent.startsWith("Starting crawl of "))`) {
		t.Error("no Starting crawl line after the reload")
	}

	// The crawl completes, then the panel follows its audit to the end.
	b.waitJS(30*time.Second, "the audit job", `(document.getElementById("job-label") || {}).textContent.startsWith("audit job #")`)
	b.waitJS(30*time.Second, "status completed", statusJS+` === "completed"`)
	b.waitJS(5*time.Second, "the end of the stream", `document.getElementById("transport").textContent === "ended"`)
	lines := testdb.Logs(t, e.db, created.JobID)
	var want []string
	for _, l := range lines {
		want = append(want, strconv.FormatInt(l.Seq, 10))
	}
	// The terminal holds the crawl's whole log, then the audit's log from
	// its tail (with "load earlier" for the rest) to its last line: each
	// line once, in order.
	c, err := e.db.CrawlGet(bg, created.CrawlID)
	if err != nil || c.LastJobID == nil || *c.LastJobID == created.JobID {
		t.Fatalf("crawl after its audit: %+v, %v", c, err)
	}
	audit := testdb.Logs(t, e.db, *c.LastJobID)
	got := strings.Split(eval[string](b, terminalSeqs), ",")
	crawlPart, auditPart := got[:min(len(want), len(got))], got[min(len(want), len(got)):]
	ok := strings.Join(crawlPart, ",") == strings.Join(want, ",") && len(auditPart) > 0 && len(auditPart) <= len(audit)
	for i, sq := range auditPart {
		ok = ok && sq == strconv.FormatInt(audit[len(audit)-len(auditPart)+i].Seq, 10)
	}
	if !ok {
		t.Errorf("terminal seqs after the reload:\n got %s\nwant %s, then the audit's last lines up to %d",
			strings.Join(got, ","), strings.Join(want, ","), len(audit))
	}
	msgs := eval[[]string](b, `Array.from(document.querySelectorAll("#terminal .line[data-seq] .msg")).map(e => e.textContent)`)
	for i, l := range lines {
		if i < len(msgs) && msgs[i] != l.Message {
			t.Errorf("line %d: %q, want %q", l.Seq, msgs[i], l.Message)
			break
		}
	}
	if n := eval[int](b, crawledJS); n != site.Pages() {
		t.Errorf("crawled counter %d, want %d", n, site.Pages())
	}
}

// Hostile strings: a page title, a start URL and log lines that would run
// script if they reached the DOM as HTML.
const (
	titlePayload = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`
	urlPayload   = `"><script>window.__pwned=3</script>`
	rawPayload   = `javascript:alert(1)"><script>window.__pwned=5</script><img src=x onerror=window.__pwned=6>`
	logPayload   = `</div><script>window.__pwned=7</script><img src=x onerror="window.__pwned=8">`
)

// TestBrowserHostileContent crawls a site whose title and URLs are script
// payloads, plus a crawl written straight to the database with a raw
// payload as its start URL, log lines and error: every page shows them as
// text and no script runs.
func TestBrowserHostileContent(t *testing.T) {
	e := newEnv(t, envOptions{})
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" || r.URL.Path == "/sitemap.xml" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1><a href="/a%s">next</a></body></html>`,
			titlePayload, titlePayload, `"><img src=x onerror=window.__pwned=4>`)
	}))
	defer hostile.Close()

	// The raw crawl goes in before the worker starts, so no worker takes it.
	fake, job, err := e.db.CrawlCreate(bg, store.CrawlCreateParams{StartURL: rawPayload, Options: json.RawMessage(`{}`),
		Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		t.Fatal(err)
	}
	claimed, err := e.db.JobClaim(bg, store.JobClaimParams{WorkerID: "test", WorkerHost: "test", Limit: 1, LeaseMs: 600_000, JobID: job.ID})
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %d", err, len(claimed))
	}
	lease := store.Lease{JobID: job.ID, Attempt: claimed[0].Attempt}
	if err := e.db.JobLogsInsert(bg, lease, []store.LogLine{{Level: store.LogInfo, Message: "Starting crawl of " + rawPayload},
		{Level: store.LogError, Message: logPayload}, {Level: "<b>bad level</b>", Message: "odd level"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.JobFinish(bg, store.JobFinishParams{Lease: lease, Status: store.JobFailed, Error: logPayload}); err != nil {
		t.Fatal(err)
	}
	e.startWorker()
	b := newBrowser(t)

	b.do(
		chromedp.Navigate(e.srv.URL+"/crawls/new"),
		chromedp.WaitVisible(chromedp.CSS("#f-start_url")),
		chromedp.SetValue(chromedp.CSS("#f-start_url"), hostile.URL+"/"+urlPayload),
		chromedp.Click(chromedp.CSS("#submit")),
	)
	b.waitJS(10*time.Second, "the crawl panel", `location.pathname !== "/crawls/new"`)
	crawlID := crawlIDFromPath(t, b)
	b.waitJS(20*time.Second, "the crawl to end", statusJS+` === "completed"`)
	c, err := e.db.CrawlGet(bg, crawlID)
	if err != nil {
		t.Fatal(err)
	}

	pwned := func(where string) {
		t.Helper()
		if v := eval[string](b, `typeof window.__pwned`); v != "undefined" {
			t.Fatalf("%s: window.__pwned is %s: a payload ran", where, v)
		}
		if n := eval[int](b, `document.querySelectorAll("main script, main img, #banners script, #banners img").length`); n != 0 {
			t.Fatalf("%s: %d script or img elements made from data", where, n)
		}
	}

	// The panel, reloaded so its pages table lists the crawled pages.
	b.do(chromedp.Reload())
	b.waitJS(10*time.Second, "the log", rowsJS+` >= 1`)
	if got := eval[string](b, `document.getElementById("start-url").textContent`); got != c.StartURL {
		t.Errorf("panel start URL %q, want %q", got, c.StartURL)
	}
	if !eval[bool](b, `Array.from(document.querySelectorAll("#pages td.title")).some(e => e.textContent === `+jsString(titlePayload)+`)`) {
		t.Error("the hostile title is not shown as text in the pages table")
	}
	pwned("crawl panel")

	// The raw crawl's panel: start URL, log lines and error are text.
	b.do(chromedp.Navigate(fmt.Sprintf("%s/crawls/%d", e.srv.URL, fake.ID)))
	b.waitJS(10*time.Second, "the raw crawl's log", rowsJS+` === 3`)
	if got := eval[string](b, `document.getElementById("start-url").textContent`); got != rawPayload {
		t.Errorf("raw start URL shown as %q", got)
	}
	if got := eval[string](b, `document.querySelectorAll("#terminal .line[data-seq] .msg")[1].textContent`); got != logPayload {
		t.Errorf("hostile log line shown as %q", got)
	}
	if !eval[bool](b, `document.querySelectorAll("#terminal .line[data-seq]")[1].classList.contains("lv-error")`) {
		t.Error("an error line does not have the lv-error class")
	}
	if got := eval[string](b, `document.getElementById("job-error").textContent`); got != "Error: "+logPayload {
		t.Errorf("job error shown as %q", got)
	}
	pwned("raw crawl panel")

	// The list shows both start URLs as text.
	b.do(chromedp.Navigate(e.srv.URL + "/"))
	b.waitJS(5*time.Second, "the list", `!!document.getElementById("crawls")`)
	urls := eval[[]string](b, `Array.from(document.querySelectorAll("#crawls .start-url")).map(e => e.textContent)`)
	if len(urls) != 2 || urls[0] != c.StartURL || urls[1] != rawPayload {
		t.Errorf("list start URLs %q, want %q and %q", urls, c.StartURL, rawPayload)
	}
	pwned("crawl list")

	// Every page carries the security headers.
	for _, path := range []string{"/", "/crawls/new", fmt.Sprintf("/crawls/%d", crawlID), fmt.Sprintf("/crawls/%d", fake.ID),
		"/crawls/999999", "/crawls/x", "/?before=x", "/?before=" + strconv.FormatInt(fake.ID+1, 10)} {
		resp, err := http.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		checkSecurityHeaders(t, path, resp)
	}
}

func checkSecurityHeaders(t *testing.T, path string, resp *http.Response) {
	t.Helper()
	if got := resp.Header.Get("Content-Security-Policy"); got != CSP {
		t.Errorf("%s (%s): Content-Security-Policy %q", path, resp.Status, got)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", path, got)
	}
	if got := resp.Header.Get("Referrer-Policy"); got != "same-origin" {
		t.Errorf("%s: Referrer-Policy %q", path, got)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestBrowserEmptyStateAndFieldErrors: the empty list leads to the form,
// whose field errors come from the API and sit next to their fields.
func TestBrowserEmptyStateAndFieldErrors(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := newBrowser(t)

	b.do(chromedp.Navigate(e.srv.URL + "/"))
	b.waitJS(5*time.Second, "the empty state", `!!document.getElementById("empty")`)
	if eval[bool](b, `!!document.getElementById("crawls")`) {
		t.Error("an empty list shows a table")
	}
	b.do(chromedp.Click(chromedp.CSS("#empty-new")))
	b.waitJS(5*time.Second, "the form", `location.pathname === "/crawls/new" && !!document.getElementById("crawl-form")`)

	// The form's defaults are the crawler's.
	if v := eval[string](b, `document.getElementById("f-max_depth").value + "|" + document.getElementById("f-concurrency").value + "|" + document.querySelector("input[name=robots]:checked").value`); v != "-1|8|respect" {
		t.Errorf("defaults %q", v)
	}

	apiMessage := func(body string) (string, string) {
		resp, err := http.Post(e.srv.URL+"/api/v1/crawls", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Error, Field string }
		json.NewDecoder(resp.Body).Decode(&out)
		return out.Error, out.Field
	}

	msg, field := apiMessage(`{"start_url":"ftp://x"}`)
	if field != "start_url" || msg == "" {
		t.Fatalf("API answer %q %q", msg, field)
	}
	b.do(
		chromedp.SetValue(chromedp.CSS("#f-start_url"), "ftp://x"),
		chromedp.Click(chromedp.CSS("#submit")),
	)
	b.waitJS(5*time.Second, "the start URL error", `!document.getElementById("err-start_url").hidden`)
	if got := eval[string](b, `document.getElementById("err-start_url").textContent`); got != msg {
		t.Errorf("start URL error %q, want the API's %q", got, msg)
	}
	if !eval[bool](b, `document.getElementById("err-start_url").parentNode.classList.contains("invalid")`) {
		t.Error("the start URL field is not marked invalid")
	}
	if p := eval[string](b, `location.pathname`); p != "/crawls/new" {
		t.Errorf("navigated to %s after an error", p)
	}

	// An option error lands next to its own field, and the previous one goes.
	msg, field = apiMessage(`{"start_url":"http://127.0.0.1:1/","options":{"include":["ok","("]}}`)
	if field != "options.include[1]" {
		t.Fatalf("API answer %q %q", msg, field)
	}
	b.do(
		chromedp.SetValue(chromedp.CSS("#f-start_url"), "http://127.0.0.1:1/"),
		chromedp.SetValue(chromedp.CSS("#f-include"), "ok\n("),
		chromedp.Click(chromedp.CSS("#submit")),
	)
	b.waitJS(5*time.Second, "the include error", `!document.getElementById("err-include").hidden`)
	if got := eval[string](b, `document.getElementById("err-include").textContent`); got != "line 2: "+msg {
		t.Errorf("include error %q, want line 2: %q", got, msg)
	}
	if !eval[bool](b, `document.getElementById("err-start_url").hidden`) {
		t.Error("the old start URL error is still shown")
	}
	crawls, err := e.db.CrawlList(bg, 0, 10)
	if err != nil || len(crawls) != 0 {
		t.Errorf("crawls created by invalid forms: %d (%v)", len(crawls), err)
	}
}
