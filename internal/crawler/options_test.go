package crawler_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/scouter-seo/scouter/internal/crawler"
	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
	"github.com/scouter-seo/scouter/internal/testsite"
)

const www = "http://www.scouter.test"

// crawlSite crawls the audit site with changed options and returns its
// pages by URL.
func crawlSite(t *testing.T, db *store.DB, change func(o *crawler.Options)) (map[string]store.Page, *crawlRun) {
	t.Helper()
	site := testsite.NewSite()
	t.Cleanup(site.Close)
	opts := siteOptions()
	change(&opts)
	r := startCrawl(t, db, site.StartURL(), opts)
	r.tls = site.TLSConfig()
	if err := r.run(t.Context(), t, site.StartURL(), opts, site.DialContext); err != nil {
		t.Fatalf("crawl: %v\n%s", err, strings.Join(r.log.all(), "\n"))
	}
	out := map[string]store.Page{}
	for _, p := range testdb.Pages(t, db, r.crawlID) {
		out[p.URL] = p
	}
	return out, r
}

// TestCrawlOptions checks what each option changes against the audit site's
// default crawl (whose every row TestAuditSiteMatchesTruth checks).
func TestCrawlOptions(t *testing.T) {
	t.Run("robots ignore crawls and reports", func(t *testing.T) {
		eachBackend(t, func(t *testing.T, db *store.DB) {
			pages, _ := crawlSite(t, db, func(o *crawler.Options) { o.Robots = "ignore" })
			for _, u := range []string{www + "/private/secret", www + "/legacy.php"} {
				p := pages[u]
				if p.State != store.PageCrawled || !p.RobotsBlocked || p.Status != 200 {
					t.Errorf("%s: %s status %d robots_blocked %v; want crawled, 200, reported as blocked", u, p.State, p.Status, p.RobotsBlocked)
				}
			}
			if p := pages[www+"/private/public-page"]; p.RobotsBlocked {
				t.Errorf("allowed page reported as blocked")
			}
		})
	})
	t.Run("follow nofollow", func(t *testing.T) {
		eachBackend(t, func(t *testing.T, db *store.DB) {
			pages, _ := crawlSite(t, db, func(o *crawler.Options) { o.FollowNofollow = true })
			for _, u := range []string{www + "/nofollow-target", www + "/meta-nofollow-target"} {
				if p := pages[u]; p.State != store.PageCrawled || p.Status != 200 {
					t.Errorf("%s: %s %s, want crawled", u, p.State, p.Reason)
				}
			}
		})
	})
	t.Run("exclude and include patterns", func(t *testing.T) {
		eachBackend(t, func(t *testing.T, db *store.DB) {
			pages, _ := crawlSite(t, db, func(o *crawler.Options) {
				o.Exclude = []string{`/calendar`}
				o.Include = []string{`^http://www\.scouter\.test/`, `^http://throttled\.`}
			})
			matched := 0
			for u, p := range pages {
				excludedByPattern := strings.Contains(u, "/calendar") || (p.Internal && strings.HasPrefix(u, "http://scouter.test/"))
				if excludedByPattern {
					matched++
				}
				if excludedByPattern && p.State != store.PageExcluded {
					t.Errorf("%s: %s, want excluded by pattern", u, p.State)
				}
				if excludedByPattern && p.Reason != "pattern" {
					t.Errorf("%s: reason %q, want pattern", u, p.Reason)
				}
			}
			if matched < 2 {
				t.Errorf("%d pages matched the patterns; the site links the calendar and the bare domain", matched)
			}
			if p := pages[www+"/about"]; p.State != store.PageCrawled {
				t.Errorf("/about: %s", p.State)
			}
		})
	})
	t.Run("max urls and max depth", func(t *testing.T) {
		eachBackend(t, func(t *testing.T, db *store.DB) {
			pages, r := crawlSite(t, db, func(o *crawler.Options) { o.MaxURLs = 10; o.MaxDepth = 1 })
			crawled, overLimit := 0, 0
			for _, p := range pages {
				if p.State == store.PageCrawled || p.State == store.PageBlocked {
					crawled++
					if p.Depth > 1 {
						t.Errorf("%s crawled at depth %d", p.URL, p.Depth)
					}
				}
				if p.Reason == "max-urls" {
					overLimit++
				}
			}
			if crawled != 10 || overLimit == 0 {
				t.Errorf("%d crawled, %d over the limit; want 10 and some", crawled, overLimit)
			}
			sum, _ := r.db.CrawlSummarize(t.Context(), r.crawlID)
			if sum.Found != 10 {
				t.Errorf("found %d, want 10", sum.Found)
			}
		})
	})
	t.Run("list of URLs", func(t *testing.T) {
		eachBackend(t, func(t *testing.T, db *store.DB) {
			list := []string{www + "/about", www + "/old-page", www + "/missing-page", "http://throttled.scouter.test/ok"}
			pages, _ := crawlSite(t, db, func(o *crawler.Options) { o.URLs = list; o.MaxDepth = 0 })
			crawled := 0
			for _, p := range pages {
				if p.State == store.PageCrawled {
					crawled++
					if p.Depth != 0 {
						t.Errorf("%s crawled at depth %d in list mode", p.URL, p.Depth)
					}
				}
			}
			if crawled != len(list) {
				t.Errorf("%d pages crawled, want the %d listed", crawled, len(list))
			}
			if p := pages[www+"/new-page"]; p.State != store.PageExcluded || p.Reason != "max-depth" {
				t.Errorf("redirect target: %s %s, want excluded by depth", p.State, p.Reason)
			}
		})
	})
	t.Run("query strip", func(t *testing.T) {
		eachBackend(t, func(t *testing.T, db *store.DB) {
			pages, _ := crawlSite(t, db, func(o *crawler.Options) { o.Query = "strip" })
			for u := range pages {
				if strings.Contains(u, "?") {
					t.Errorf("query kept: %s", u)
				}
			}
			if p := pages[www+"/calendar"]; p.State != store.PageCrawled {
				t.Errorf("/calendar: %s", p.State)
			}
		})
	})
}

func TestParseOptions(t *testing.T) {
	o, err := crawler.ParseOptions([]byte(`{"urls":["http://a.example/"]}`))
	if err != nil || o.MaxDepth != 0 || o.Concurrency != crawler.DefaultConcurrency || o.Robots != "respect" {
		t.Fatalf("list defaults: %+v, %v", o, err)
	}
	o, err = crawler.ParseOptions(nil)
	if err != nil || o.MaxDepth != -1 || o.MaxURLs != crawler.DefaultMaxURLs {
		t.Fatalf("defaults: %+v, %v", o, err)
	}
	for raw, field := range map[string]string{
		`{"headers":{"User-Agent":"x"}}`:    "headers",
		`{"headers":{"host":"x"}}`:          "headers",
		`{"max_body_bytes":10}`:             "max_body_bytes",
		`{"connect_timeout":"1h"}`:          "connect_timeout",
		`{"sitemaps":["/relative.xml"]}`:    "sitemaps[0]",
		`{"max_rps":-1}`:                    "max_rps",
		`{"max_retries":99}`:                "max_retries",
		`{"host_concurrency":-1}`:           "host_concurrency",
		`{"exclude":["a","[z-a]"]}`:         "exclude[1]",
		`{"allowed_hosts":["*.github.io"]}`: "allowed_hosts",
		`{"robots":"RESPECT"}`:              "robots",
		`[1]`:                               "options",
	} {
		_, err := crawler.ParseOptions([]byte(raw))
		var fe *crawler.FieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: %v, want an error on %s", raw, err, field)
		}
	}
	// Secrets never leave through Redacted.
	o = crawler.DefaultOptions()
	o.AuthPassword, o.Headers = "pw", map[string]string{"cookie": "c", "X-A": "b"}
	b, _ := json.Marshal(o.Redacted())
	if strings.Contains(string(b), `"pw"`) || strings.Contains(string(b), `"c"`) || !strings.Contains(string(b), `"b"`) {
		t.Errorf("redacted: %s", b)
	}
}
