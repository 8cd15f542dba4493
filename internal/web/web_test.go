package web

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/scouter-seo/scouter/internal/store"
)

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// Assets have content-hashed URLs with a long cache; pages link them.
func TestStaticAssets(t *testing.T) {
	e := newEnv(t, envOptions{})
	resp, page := get(t, e.srv.URL+"/crawls/new")
	checkSecurityHeaders(t, "/crawls/new", resp)
	refs := regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 2 {
		t.Fatalf("the page links %d assets", len(refs))
	}
	for _, m := range refs {
		if !regexp.MustCompile(`^/static/[a-z]+\.[0-9a-f]{10}\.(js|css)$`).MatchString(m[1]) {
			t.Errorf("asset URL %s has no content hash", m[1])
		}
		r, body := get(t, e.srv.URL+m[1])
		if r.StatusCode != 200 || body == "" {
			t.Errorf("%s: %s", m[1], r.Status)
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", m[1], cc)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", m[1])
		}
		if strings.Contains(body, "innerHTML") || strings.Contains(body, "insertAdjacentHTML") || strings.Contains(body, "document.write") {
			t.Errorf("%s builds HTML from strings", m[1])
		}
	}
	if r, _ := get(t, e.srv.URL+"/static/app.js"); r.StatusCode != 404 {
		t.Errorf("unhashed asset name: %s", r.Status)
	}
	// No inline script, style or event handler in any page.
	if regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>[^<]|<style|\sstyle=|\son[a-z]+=`).MatchString(page) {
		t.Error("inline script, style or handler in the form page")
	}
}

// Protect refuses cross-site state changes and lets same-origin and
// non-browser requests through.
func TestProtect(t *testing.T) {
	e := newEnv(t, envOptions{})
	post := func(hdr map[string]string) int {
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/crawls", strings.NewReader(`{"start_url":"ftp://x"}`))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post(map[string]string{"Sec-Fetch-Site": "cross-site"}); c != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", c)
	}
	if c := post(map[string]string{"Origin": "https://evil.example"}); c != http.StatusForbidden {
		t.Errorf("POST with a foreign Origin: %d, want 403", c)
	}
	// 400 is the API's own answer to the bad URL: the request got through.
	if c := post(map[string]string{"Sec-Fetch-Site": "same-origin"}); c != http.StatusBadRequest {
		t.Errorf("same-origin POST: %d, want 400", c)
	}
	if c := post(nil); c != http.StatusBadRequest {
		t.Errorf("POST without browser headers: %d, want 400", c)
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("cross-site GET of a page: %s", resp.Status)
	}
}

// The list escapes what it shows and pages by ?before=ID.
func TestListPagesAndEscapes(t *testing.T) {
	e := newEnv(t, envOptions{})
	for i := 0; i < listPageSize+3; i++ {
		if _, _, err := e.db.CrawlCreate(bg, store.CrawlCreateParams{StartURL: rawPayload, Options: json.RawMessage(`{}`),
			Job: store.JobEnqueueParams{Kind: "crawl"}}); err != nil {
			t.Fatal(err)
		}
	}
	resp, page := get(t, e.srv.URL+"/")
	checkSecurityHeaders(t, "/", resp)
	if strings.Contains(page, "<script>window") || strings.Contains(page, "<img src=x") {
		t.Fatal("a payload reached the HTML unescaped")
	}
	if n := strings.Count(page, `<tr data-crawl=`); n != listPageSize {
		t.Errorf("first page has %d rows", n)
	}
	if !strings.Contains(page, `href="/?before=4"`) {
		t.Error("no link to older crawls")
	}
	if !strings.Contains(page, "waiting for a worker…") {
		t.Error("queued crawls are not labelled as waiting for a worker")
	}
	_, page = get(t, e.srv.URL+"/?before=4")
	if n := strings.Count(page, `<tr data-crawl=`); n != 3 {
		t.Errorf("second page has %d rows", n)
	}
	if strings.Contains(page, "?before=") {
		t.Error("the last page links further")
	}
	if r, _ := get(t, e.srv.URL+"/crawls/999"); r.StatusCode != 404 {
		t.Errorf("unknown crawl: %s", r.Status)
	}
}
