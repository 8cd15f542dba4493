package auditjob_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/auditjob"
	"github.com/scouter-seo/scouter/internal/crawler"
	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
	"github.com/scouter-seo/scouter/internal/testsite"
)

// TestAuditSiteFindings crawls the repository's test website, runs the
// audit job over the crawl and compares every finding — check, page and
// offending element — with the site's hand-written ground truth, on both
// backends, with and without sitemap seeding.
func TestAuditSiteFindings(t *testing.T) {
	for _, backend := range testdb.Backends {
		for _, seed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/seed_sitemaps=%v", backend, seed), func(t *testing.T) {
				t.Parallel()
				db := testdb.Open(t, backend)
				site := testsite.NewSite()
				defer site.Close()
				opts := crawler.DefaultOptions()
				opts.MaxDepth = testsite.AuditMaxDepth
				opts.AllowedHosts = []string{testsite.AuditExtraHost}
				opts.Timeout = testsite.AuditTimeout.String()
				opts.MaxBodyBytes = testsite.AuditMaxBody
				opts.MaxRetries = testsite.AuditRetries
				opts.Concurrency = 4
				opts.SeedSitemaps = seed
				opts.Audit = audit.Config{SlowTTFBMs: testsite.AuditSlowTTFBMs}
				raw, _ := json.Marshal(opts)
				ctx := context.Background()
				c, j, err := db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: site.StartURL(), Options: raw, Job: store.JobEnqueueParams{Kind: "crawl"}})
				if err != nil {
					t.Fatal(err)
				}
				jobs, err := db.JobClaim(ctx, store.JobClaimParams{WorkerID: "t", Limit: 1, LeaseMs: 600_000, JobID: j.ID})
				if err != nil || len(jobs) != 1 {
					t.Fatalf("claim: %v", err)
				}
				lease := store.Lease{JobID: j.ID, Attempt: jobs[0].Attempt}
				var log lines
				if err := crawler.Run(ctx, crawler.Config{DB: db, Lease: lease, CrawlID: c.ID, StartURL: site.StartURL(), Options: opts,
					Log: &log, DialContext: site.DialContext, TLSConfig: site.TLSConfig()}); err != nil {
					t.Fatalf("crawl: %v", err)
				}
				var progress []store.Progress
				var mu sync.Mutex
				if err := auditjob.Run(ctx, auditjob.Config{DB: db, Lease: lease, CrawlID: c.ID, Audit: opts.Audit, Log: &log,
					Progress: func(p store.Progress) { mu.Lock(); progress = append(progress, p); mu.Unlock() }}); err != nil {
					t.Fatalf("audit: %v", err)
				}
				compareFindings(t, site.Truth(seed).Findings, readFindings(t, db, c.ID))

				// Every check of the catalogue fired, and the clean page has
				// no finding at all.
				if last := progress[len(progress)-1]; last.Done != last.Total || last.Total == 0 {
					t.Errorf("last progress %+v", last)
				}
				if !slices.ContainsFunc(log.all(), func(s string) bool { return strings.HasPrefix(s, "Findings: ") }) {
					t.Errorf("no Findings summary line in %q", log.all())
				}
			})
		}
	}
}

type lines struct {
	mu sync.Mutex
	l  []string
}

func (s *lines) add(f string, a ...any) {
	s.mu.Lock()
	s.l = append(s.l, fmt.Sprintf(f, a...))
	s.mu.Unlock()
}
func (s *lines) Info(f string, a ...any)  { s.add(f, a...) }
func (s *lines) Warn(f string, a ...any)  { s.add(f, a...) }
func (s *lines) Error(f string, a ...any) { s.add(f, a...) }
func (s *lines) all() []string            { s.mu.Lock(); defer s.mu.Unlock(); return slices.Clone(s.l) }

func readFindings(t *testing.T, db *store.DB, crawlID int64) []testsite.Finding {
	t.Helper()
	var out []testsite.Finding
	after := store.Finding{}
	for {
		fs, err := db.FindingsList(context.Background(), crawlID, "", after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			out = append(out, testsite.Finding{Check: f.CheckID, URL: f.URL, Element: f.Element})
		}
		if len(fs) < 1000 {
			return out
		}
		after = fs[len(fs)-1].Finding
	}
}

// slowElement is what slow_page reports: a measured time, which the truth
// writes as "*" with the server's delay as a floor.
var slowElement = regexp.MustCompile(`^(\d+) ms$`)

// compareFindings reports every difference between the truth and the
// audit's findings, as missing and unexpected lines.
func compareFindings(t *testing.T, want, got []testsite.Finding) {
	t.Helper()
	key := func(f testsite.Finding) string { return f.Check + " | " + f.URL + " | " + f.Element }
	norm := func(fs []testsite.Finding) []string {
		var out []string
		for _, f := range fs {
			if f.Check == "slow_page" && f.Element != "*" {
				ms := -1
				if m := slowElement.FindStringSubmatch(f.Element); m != nil {
					ms, _ = strconv.Atoi(m[1])
				}
				if time.Duration(ms)*time.Millisecond < time.Duration(testsite.AuditSlowTTFBMs)*time.Millisecond {
					t.Errorf("slow_page element %q on %s: not a time over the threshold", f.Element, f.URL)
				}
				f.Element = "*"
			}
			out = append(out, key(f))
		}
		slices.Sort(out)
		return out
	}
	w, g := norm(want), norm(got)
	var missing, extra []string
	for _, k := range w {
		if _, ok := slices.BinarySearch(g, k); !ok {
			missing = append(missing, k)
		}
	}
	for _, k := range g {
		if _, ok := slices.BinarySearch(w, k); !ok {
			extra = append(extra, k)
		}
	}
	if len(missing) > 0 || len(extra) > 0 || len(w) != len(g) {
		t.Errorf("findings differ from the truth (%d wanted, %d found)\nmissing:\n  %s\nunexpected:\n  %s",
			len(w), len(g), strings.Join(missing, "\n  "), strings.Join(extra, "\n  "))
	}
}
