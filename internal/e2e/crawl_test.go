package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
	"github.com/scouter-seo/scouter/internal/testsite"
)

func createCrawl(t *testing.T, db *store.DB, start, opts string) (store.Crawl, store.Job) {
	t.Helper()
	c, j, err := db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: start, Options: []byte(opts), Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		t.Fatal(err)
	}
	return c, j
}

// crawlResult renders a crawl's pages and links by URL, without ids,
// times or the parent a page was first found from (a race among equals).
func crawlResult(t *testing.T, db *store.DB, crawlID int64) (pages, links map[string]string) {
	t.Helper()
	ps := testdb.Pages(t, db, crawlID)
	urls := map[int64]string{}
	pages = map[string]string{}
	for _, p := range ps {
		urls[p.ID] = p.URL
		pages[p.URL] = fmt.Sprintf("%s %s depth=%d status=%d size=%d title=%q words=%d hash=%d sim=%d out=%d/%d idx=%v",
			p.State, p.Reason, p.Depth, p.Status, p.Size, p.Title, p.WordCount, p.ContentHash, p.SimHash,
			p.InternalOutlinks, p.ExternalOutlinks, p.Indexable)
	}
	links = map[string]string{}
	for _, l := range testdb.Links(t, db, crawlID) {
		links[fmt.Sprintf("%s#%d", urls[l.SourceID], l.Position)] = fmt.Sprintf("%s %s %q %d", l.Kind, urls[l.TargetID], l.Text, l.Flags)
	}
	return pages, links
}

// TestCrawlKilledResumes kills a crawl's worker and child with SIGKILL
// mid-crawl. Another worker takes the job over once the lease expires; the
// result equals an uninterrupted crawl of the same site, and the server saw
// a second request only for pages that were fetched but not yet saved.
func TestCrawlKilledResumes(t *testing.T) {
	backends(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		site := testsite.NewGenerated(1200, 11)
		defer site.Close()
		site.SetDelay(15 * time.Millisecond) // slow enough to kill it midway
		c, j := createCrawl(t, db, site.URL(), `{"concurrency":8}`)
		// The plain binary: under the race detector the pure-Go SQLite is
		// ten times slower; the in-process crawler tests run with -race.
		a := workerBin(t, plainBinary, dsn)
		waitFor(t, 60*time.Second, "a third of the site to be crawled", func() bool {
			got, err := db.CrawlGet(ctx, c.ID)
			return err == nil && got.Crawled >= 400
		})
		// The worker first: killed after its child, it could see the child
		// die and record the job failed before its own death, and the job
		// would never be recovered (it happened once in about ten runs).
		child := mustJob(t, db, j.ID).ChildPID
		a.Signal(syscall.SIGKILL)
		syscall.Kill(child, syscall.SIGKILL)
		a.Wait(t, 5*time.Second)
		waitFor(t, 5*time.Second, "the crawl process to die", func() bool { return processGone(child) })

		saved := map[string]bool{}
		for _, p := range testdb.Pages(t, db, c.ID) {
			if p.State == store.PageCrawled {
				saved[pathOf(p.URL)] = true
			}
		}
		before := requestCounts(site)
		if len(saved) < 100 || len(saved) >= site.Pages() {
			t.Fatalf("%d pages saved at the kill", len(saved))
		}

		site.SetDelay(0)
		workerBin(t, plainBinary, dsn)
		waitFor(t, 90*time.Second, "the resumed crawl to complete", jobIs(t, db, j.ID, store.JobCompleted))
		if got := mustJob(t, db, j.ID); got.Attempt != 2 {
			t.Fatalf("completed at attempt %d, want 2", got.Attempt)
		}
		after := requestCounts(site)

		refetched := 0
		for path, n := range after {
			switch {
			case n == 1:
			case n == 2 && !saved[path] && before[path] == 1:
				refetched++ // in flight at the kill: fetched, not yet saved
			default:
				t.Errorf("%s requested %d times (saved at the kill: %v, requested before: %d)", path, n, saved[path], before[path])
			}
		}
		if len(after) != site.Pages() {
			t.Errorf("%d pages requested, the site has %d", len(after), site.Pages())
		}
		t.Logf("%s: %d pages saved at the kill, %d in flight fetched again", backend, len(saved), refetched)

		// The same site crawled without interruption gives the same result.
		c2, j2 := createCrawl(t, db, site.URL(), `{"concurrency":8}`)
		waitFor(t, 90*time.Second, "the uninterrupted crawl", jobIs(t, db, j2.ID, store.JobCompleted))
		p1, l1 := crawlResult(t, db, c.ID)
		p2, l2 := crawlResult(t, db, c2.ID)
		if len(p1) != len(p2) || len(l1) != len(l2) {
			t.Fatalf("resumed crawl: %d pages, %d links; uninterrupted: %d pages, %d links", len(p1), len(l1), len(p2), len(l2))
		}
		for k, v := range p2 {
			if p1[k] != v {
				t.Errorf("page %s\n resumed:       %s\n uninterrupted: %s", k, p1[k], v)
			}
		}
		for k, v := range l2 {
			if l1[k] != v {
				t.Errorf("link %s\n resumed:       %s\n uninterrupted: %s", k, l1[k], v)
			}
		}
	})
}

func pathOf(u string) string {
	_, rest, _ := strings.Cut(strings.TrimPrefix(u, "http://"), "/")
	return "/" + rest
}

// requestCounts returns the requests the site saw per page path.
func requestCounts(g *testsite.Generated) map[string]int {
	out := map[string]int{}
	for i := range g.Pages() {
		p := fmt.Sprintf("/p/%d", i)
		if i == 0 {
			p = "/"
		}
		if n := g.Requests(p); n > 0 {
			out[p] = n
		}
	}
	return out
}

// TestCrawlCommand runs `scouter crawl` as a new user would: no worker
// running, so it crawls in its own process and prints a summary.
func TestCrawlCommand(t *testing.T) {
	backends(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		site := testsite.NewGenerated(300, 3)
		defer site.Close()
		out, errOut, code := run(t, dsn, "crawl", "--wait-worker", "0", "--max-depth", "2", site.URL())
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		// The pages within two links of the home page, by BFS over the site's own link table.
		depth := map[int]int{0: 0}
		for queue := []int{0}; len(queue) > 0; queue = queue[1:] {
			if d := depth[queue[0]]; d < 2 {
				for _, to := range site.Links(queue[0]) {
					if _, ok := depth[to]; !ok {
						depth[to] = d + 1
						queue = append(queue, to)
					}
				}
			}
		}
		n := len(depth)
		for _, want := range []string{"Starting crawl of " + site.URL(), "Depth 0 : ", "Depth 2 : ", "Crawl finished: ",
			"completed in", fmt.Sprintf("pages crawled   %d", n), fmt.Sprintf("2xx %d ·", n), "broken links    0"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "\r") || strings.Contains(out, "█") {
			t.Errorf("progress bar drawn on a pipe:\n%s", out)
		}
		// The audit follows the crawl in the same command, and its summary
		// counts what the database holds.
		crawls, err := db.CrawlList(t.Context(), 0, 1)
		if err != nil || len(crawls) != 1 || crawls[0].AuditedAt == nil || crawls[0].Status != "finished" {
			t.Fatalf("crawl after the command: %+v, %v", crawls, err)
		}
		fs, err := db.FindingsList(t.Context(), crawls[0].ID, "", store.Finding{}, 100_000)
		if err != nil || len(fs) == 0 {
			t.Fatalf("findings: %d, %v", len(fs), err)
		}
		bySev := map[audit.Severity]int{}
		for _, f := range fs {
			c, _ := audit.CheckByID(f.CheckID)
			bySev[c.Severity]++
		}
		for _, want := range []string{"Auditing crawl ", "Audit started", "Audit done in",
			fmt.Sprintf("Audit of crawl %d: %d issues · %d warnings · %d opportunities", crawls[0].ID,
				bySev[audit.SevIssue], bySev[audit.SevWarning], bySev[audit.SevOpportunity])} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}

		// A host nobody answers on: the crawl fails, saying why.
		out, errOut, code = run(t, dsn, "crawl", "--wait-worker", "0", "--connect-timeout", "1s", "http://127.0.0.1:1/")
		if code != 1 || !strings.Contains(errOut, "nothing could be fetched: http://127.0.0.1:1/ (connection refused)") ||
			!regexp.MustCompile(`connect http://127\.0\.0\.1:1/ \(.*refused`).MatchString(out) {
			t.Errorf("unreachable host: exit %d\n%s\n%s", code, out, errOut)
		}

		// Bad input is refused before anything is queued.
		for _, tc := range []struct {
			args []string
			msg  string
		}{
			{[]string{"crawl", "example.com"}, `URL has no scheme: "example.com"`},
			{[]string{"crawl", "ftp://example.com/"}, `unsupported scheme "ftp"`},
			{[]string{"crawl", "--robots", "maybe", "http://example.com/"}, "--robots: must be respect or ignore"},
			{[]string{"crawl", "--concurrency", "0", "http://example.com/"}, "--concurrency: must be between 1 and 256"},
			{[]string{"crawl", "--exclude", "(", "http://example.com/"}, "--exclude[0]: invalid pattern"},
			{[]string{"crawl"}, "give one start URL"},
			{[]string{"crawl", "--audit", `{"title_min":900}`, "http://example.com/"}, "--audit: title_min: 900 is above title_max 60"},
			{[]string{"crawl", "--disable-check", "nope", "http://example.com/"}, `--audit: disabled[0]: unknown check "nope"`},
		} {
			_, errOut, code := run(t, dsn, tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.msg) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
				t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.msg)
			}
		}
		crawls, _ = db.CrawlList(ctx, 0, 100)
		if len(crawls) != 2 {
			t.Errorf("%d crawls recorded, want 2 (bad input queues nothing)", len(crawls))
		}
	})
}

// TestCrawlSurvivesPostgresRestart restarts a throwaway PostgreSQL cluster
// in the middle of a crawl: the crawl waits for it, then completes in the
// same attempt with every page, each fetched once.
func TestCrawlSurvivesPostgresRestart(t *testing.T) {
	cluster := testdb.StartCluster(t)
	dsn := testdb.PostgresSchema(t, cluster.DSN())
	db := testdb.OpenDSN(t, dsn, false)
	site := testsite.NewGenerated(1500, 5)
	defer site.Close()
	site.SetDelay(10 * time.Millisecond)
	c, j := createCrawl(t, db, site.URL(), `{"concurrency":4}`)
	workerBin(t, plainBinary, dsn, "--lease", "30s", "--heartbeat", "1s")
	waitFor(t, 60*time.Second, "the crawl to get going", func() bool {
		got, err := db.CrawlGet(ctx, c.ID)
		return err == nil && got.Crawled >= 200
	})
	cluster.Stop()
	time.Sleep(3 * time.Second)
	cluster.Start()
	waitFor(t, 3*time.Minute, "the crawl to complete", jobIs(t, db, j.ID, store.JobCompleted))
	if got := mustJob(t, db, j.ID); got.Attempt != 1 {
		t.Errorf("completed at attempt %d, want 1", got.Attempt)
	}
	s, err := db.CrawlSummarize(ctx, c.ID)
	if err != nil || s.Crawled != int64(site.Pages()) || s.ByStatusClass["2xx"] != int64(site.Pages()) {
		t.Fatalf("summary %+v, %v; want all %d pages crawled with 200", s, err, site.Pages())
	}
	for path, n := range requestCounts(site) {
		if n != 1 {
			t.Errorf("%s requested %d times", path, n)
		}
	}
	var retried bool
	for _, l := range testdb.Logs(t, db, j.ID) {
		retried = retried || strings.Contains(l.Message, "retrying")
	}
	if !retried {
		t.Errorf("no retry logged: was the database really away during the crawl?")
	}
}
