package crawler_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/crawler"
	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
	"github.com/scouter-seo/scouter/internal/testsite"
)

// logSink collects a crawl's log lines.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) add(level, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+" "+fmt.Sprintf(format, args...))
}
func (l *logSink) Info(f string, a ...any)  { l.add("info", f, a...) }
func (l *logSink) Warn(f string, a ...any)  { l.add("warn", f, a...) }
func (l *logSink) Error(f string, a ...any) { l.add("error", f, a...) }

func (l *logSink) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// crawlRun is one crawl attempt run in-process against a real database.
type crawlRun struct {
	db       *store.DB
	crawlID  int64
	lease    store.Lease
	log      *logSink
	progress []store.Progress
	tls      *tls.Config // for https; nil means the system roots
}

// startCrawl creates a crawl and claims its job with a long lease.
func startCrawl(t testing.TB, db *store.DB, start string, opts crawler.Options) *crawlRun {
	t.Helper()
	raw, _ := json.Marshal(opts)
	c, j, err := db.CrawlCreate(context.Background(), store.CrawlCreateParams{StartURL: start, Options: raw, Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		t.Fatal(err)
	}
	return claimCrawl(t, db, c.ID, j.ID)
}

func claimCrawl(t testing.TB, db *store.DB, crawlID, jobID int64) *crawlRun {
	t.Helper()
	jobs, err := db.JobClaim(context.Background(), store.JobClaimParams{WorkerID: "test", WorkerHost: "h", WorkerPID: 1, Limit: 1, LeaseMs: 600_000, JobID: jobID})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim job %d: %v, %d jobs", jobID, err, len(jobs))
	}
	return &crawlRun{db: db, crawlID: crawlID, lease: store.Lease{JobID: jobID, Attempt: jobs[0].Attempt}, log: &logSink{}}
}

func (r *crawlRun) run(ctx context.Context, t *testing.T, start string, opts crawler.Options, dial func(context.Context, string, string) (net.Conn, error)) error {
	t.Helper()
	var mu sync.Mutex
	return crawler.Run(ctx, crawler.Config{
		DB: r.db, Lease: r.lease, CrawlID: r.crawlID, StartURL: start, Options: opts, Log: r.log,
		Progress: func(p store.Progress) {
			mu.Lock()
			r.progress = append(r.progress, p)
			mu.Unlock()
		},
		DialContext: dial,
		TLSConfig:   r.tls,
	})
}

// eachBackend runs fn in parallel on a fresh database of each backend.
func eachBackend(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(t, testdb.Open(t, backend))
		})
	}
}

// siteOptions are the options the audit site's ground truth assumes.
func siteOptions() crawler.Options {
	o := crawler.DefaultOptions()
	o.MaxDepth = testsite.AuditMaxDepth
	o.AllowedHosts = []string{testsite.AuditExtraHost}
	o.Timeout = testsite.AuditTimeout.String()
	o.MaxBodyBytes = testsite.AuditMaxBody
	o.MaxRetries = testsite.AuditRetries
	o.Concurrency = 4
	return o
}

// TestAuditSiteMatchesTruth crawls the repository's test website and
// compares every page, field and link with the site's own ground truth.
func TestAuditSiteMatchesTruth(t *testing.T) {
	for _, backend := range testdb.Backends {
		for _, seed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/seed_sitemaps=%v", backend, seed), func(t *testing.T) {
				t.Parallel()
				db := testdb.Open(t, backend)
				site := testsite.NewSite()
				defer site.Close()
				opts := siteOptions()
				opts.SeedSitemaps = seed
				r := startCrawl(t, db, site.StartURL(), opts)
				r.tls = site.TLSConfig()
				if err := r.run(t.Context(), t, site.StartURL(), opts, site.DialContext); err != nil {
					t.Fatalf("crawl: %v\n%s", err, strings.Join(r.log.all(), "\n"))
				}
				compareTruth(t, site.Truth(seed), testdb.Pages(t, db, r.crawlID), testdb.Links(t, db, r.crawlID))
				checkLogs(t, r)
			})
		}
	}
}

func compareTruth(t *testing.T, truth testsite.Truth, pages []store.Page, links []store.Link) {
	t.Helper()
	byID := map[int64]*store.Page{}
	byURL := map[string]*store.Page{}
	for i := range pages {
		p := &pages[i]
		byID[p.ID] = p
		if byURL[p.URL] != nil {
			t.Errorf("URL stored twice: %s", p.URL)
		}
		byURL[p.URL] = p
	}
	want := map[string]bool{}
	for _, w := range truth.Pages {
		want[w.URL] = true
		p := byURL[w.URL]
		if p == nil {
			t.Errorf("missing page %s (want %s %s)", w.URL, w.State, w.Reason)
			continue
		}
		got := asTruthPage(p)
		if w.MinTTFB > 0 {
			if time.Duration(p.TTFBMicros)*time.Microsecond < w.MinTTFB {
				t.Errorf("%s: TTFB %dµs, the server waited %s", w.URL, p.TTFBMicros, w.MinTTFB)
			}
			got.MinTTFB = w.MinTTFB
		}
		if d := diffPage(w, got); d != "" {
			t.Errorf("page %s:\n%s", w.URL, d)
		}
	}
	for _, p := range pages {
		if !want[p.URL] {
			t.Errorf("unexpected page %s (%s %s, depth %d, status %d)", p.URL, p.State, p.Reason, p.Depth, p.Status)
		}
	}

	// Links: per source, in document order.
	wantLinks := map[string][]string{}
	for _, l := range truth.Links {
		wantLinks[l.From] = append(wantLinks[l.From], linkString(l))
	}
	gotLinks := map[string][]string{}
	edges := map[[2]int64]bool{}
	for _, l := range links {
		src, dst := byID[l.SourceID], byID[l.TargetID]
		if src == nil || dst == nil {
			t.Errorf("link %+v names a missing page", l)
			continue
		}
		edges[[2]int64{l.SourceID, l.TargetID}] = true
		gotLinks[src.URL] = append(gotLinks[src.URL], linkString(testsite.Link{From: src.URL, To: dst.URL, Kind: l.Kind,
			Text: l.Text, Nofollow: l.Flags&store.LinkNofollow != 0, Internal: l.Internal}))
	}
	for from, w := range wantLinks {
		if g := gotLinks[from]; !slices.Equal(w, g) {
			t.Errorf("links from %s:\nwant %s\n got %s", from, strings.Join(w, "\n     "), strings.Join(g, "\n     "))
		}
	}
	for from, g := range gotLinks {
		if _, ok := wantLinks[from]; !ok {
			t.Errorf("unexpected links from %s: %v", from, g)
		}
	}

	// Found-from is the crawl's choice among equal parents: it must be a
	// page one depth up that links to this one.
	for _, p := range pages {
		if p.Depth <= 0 {
			if p.FoundFrom != 0 {
				t.Errorf("%s at depth %d found from page %d", p.URL, p.Depth, p.FoundFrom)
			}
			continue
		}
		if p.FoundFrom == 0 && p.InSitemap && p.State == store.PageCrawled {
			continue // seeded from a sitemap after the link crawl
		}
		parent := byID[p.FoundFrom]
		if parent == nil || parent.Depth != p.Depth-1 || !edges[[2]int64{parent.ID, p.ID}] {
			t.Errorf("%s (depth %d) found from %+v, which is not a linking page one depth up", p.URL, p.Depth, parent)
		}
	}
}

func linkString(l testsite.Link) string {
	return fmt.Sprintf("%s -> %s %q nofollow=%v internal=%v", l.Kind, l.To, l.Text, l.Nofollow, l.Internal)
}

func asTruthPage(p *store.Page) testsite.Page {
	g := testsite.Page{
		URL: p.URL, State: p.State, Reason: p.Reason, Depth: p.Depth, Status: p.Status, ContentType: p.ContentType,
		Size: p.Size, Title: p.Title, Description: p.Description, H1: p.H1, H1Count: p.H1Count, H2Count: p.H2Count,
		Canonical: p.Canonical, MetaRobots: p.MetaRobots, XRobotsTag: p.XRobotsTag, Lang: p.Lang, WordCount: p.WordCount,
		ImageCount: p.ImageCount, ImagesMissingAlt: p.ImagesMissingAlt, InternalOutlinks: p.InternalOutlinks,
		ExternalOutlinks: p.ExternalOutlinks, InSitemap: p.InSitemap, RedirectURL: p.RedirectURL, Retries: p.Retries,
		Truncated: p.Truncated, FetchError: p.FetchError, Indexable: p.Indexable, Indexability: p.Indexability,
	}
	var hl []testsite.Hreflang
	var raw []struct{ Lang, URL string }
	json.Unmarshal([]byte(p.Hreflang), &raw)
	for _, h := range raw {
		hl = append(hl, testsite.Hreflang{Lang: h.Lang, URL: h.URL})
	}
	g.Hreflang = hl
	json.Unmarshal([]byte(p.JSONLDTypes), &g.JSONLDTypes)
	if len(g.JSONLDTypes) == 0 {
		g.JSONLDTypes = nil
	}
	return g
}

func diffPage(w, g testsite.Page) string {
	if len(w.Hreflang) == 0 {
		w.Hreflang = nil
	}
	if len(w.JSONLDTypes) == 0 {
		w.JSONLDTypes = nil
	}
	wj, _ := json.MarshalIndent(w, "", " ")
	gj, _ := json.MarshalIndent(g, "", " ")
	if string(wj) == string(gj) {
		return ""
	}
	wl, gl := strings.Split(string(wj), "\n"), strings.Split(string(gj), "\n")
	var b strings.Builder
	for i := range max(len(wl), len(gl)) {
		var a, c string
		if i < len(wl) {
			a = wl[i]
		}
		if i < len(gl) {
			c = gl[i]
		}
		if a != c {
			fmt.Fprintf(&b, "  want %s\n   got %s\n", strings.TrimSpace(a), strings.TrimSpace(c))
		}
	}
	return b.String()
}

// checkLogs asserts the log lines the live panel needs.
func checkLogs(t *testing.T, r *crawlRun) {
	t.Helper()
	lines := r.log.all()
	has := func(prefix string) bool {
		return slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) })
	}
	for _, want := range []string{"info Starting crawl of ", "info robots.txt http://www.scouter.test/robots.txt: found",
		"info sitemap index ", "info Depth 0 : ", "info Depth 3 : ", "info Crawl finished: ", "warn 404 ", "error 500 ", "error timeout "} {
		if !has(want) {
			t.Errorf("no log line starting %q in:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	if len(r.progress) == 0 {
		t.Fatal("no progress reported")
	}
	last := r.progress[len(r.progress)-1]
	if last.Done == 0 || last.Done != last.Total {
		t.Errorf("final progress %+v: want done == total > 0", last)
	}
}
