package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
	"github.com/scouter-seo/scouter/internal/testsite"
)

// BenchmarkCrawl crawls generated sites of 10,000 and 100,000 pages (20–60
// KB, 20–100 links each) served on loopback by this process, with the crawl
// running as the real job process (`scouter job-run`) with default options.
// It reports, per page, the crawl process's CPU (user+system, from its
// rusage) next to the CPU of merely tokenizing the same HTML with
// x/net/html, plus the whole machine's CPU (test server and database
// included), pages per second and the crawl process's peak RSS.
// SCOUTER_BENCH_PAGES=10000 limits the run to one size.
func BenchmarkCrawl(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if v := os.Getenv("SCOUTER_BENCH_PAGES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		sizes = []int{n}
	}
	for _, n := range sizes {
		site := testsite.NewGenerated(n, 42)
		tokenizeMs := tokenizeCost(b, site, 500)
		for _, backend := range testdb.Backends {
			b.Run(fmt.Sprintf("%s/%dk", backend, n/1000), func(b *testing.B) {
				for range b.N {
					crawlOnce(b, backend, site, tokenizeMs)
				}
			})
		}
		site.Close()
	}
}

func crawlOnce(b *testing.B, backend string, site *testsite.Generated, tokenizeMs float64) {
	dsn := testdb.DSN(b, backend)
	db := testdb.OpenDSN(b, dsn, false)
	c, j, err := db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: site.URL(), Options: []byte(`{}`), Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		b.Fatal(err)
	}
	jobs, err := db.JobClaim(ctx, store.JobClaimParams{WorkerID: "bench", Limit: 1, LeaseMs: 3_600_000, JobID: j.ID})
	if err != nil || len(jobs) != 1 {
		b.Fatalf("claim: %v", err)
	}
	cmd := exec.Command(plainBinary, "job-run", "--job", strconv.FormatInt(j.ID, 10), "--attempt", strconv.Itoa(jobs[0].Attempt))
	cmd.Env = append(os.Environ(), "SCOUTER_DB="+dsn)
	stdin, err := cmd.StdinPipe() // closing it would ask the crawl to stop
	if err != nil {
		b.Fatal(err)
	}
	defer stdin.Close()
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	machine0 := machineCPU(b)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	peakRSS := watchPeakRSS(cmd.Process.Pid)
	if err := cmd.Wait(); err != nil {
		b.Fatalf("crawl: %v\n%s", err, out.String())
	}
	wall := time.Since(start)
	machine := machineCPU(b) - machine0
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	s, err := db.CrawlSummarize(ctx, c.ID)
	if err != nil {
		b.Fatal(err)
	}
	if s.Crawled != int64(site.Pages()) {
		b.Fatalf("crawled %d pages of %d", s.Crawled, site.Pages())
	}
	pages := float64(s.Crawled)
	perPage := float64(cpu.Microseconds()) / 1000 / pages
	b.ReportMetric(pages/wall.Seconds(), "pages/s")
	b.ReportMetric(perPage, "crawl-cpu-ms/page")
	b.ReportMetric(tokenizeMs, "tokenize-ms/page")
	b.ReportMetric(perPage/tokenizeMs, "crawl/tokenize")
	b.ReportMetric(float64(machine.Microseconds())/1000/pages, "machine-cpu-ms/page")
	b.ReportMetric(float64(peakRSS())/1024, "peak-rss-MB")
}

// watchPeakRSS samples the process's VmHWM (its peak resident set, in KiB)
// until the returned func is called, which returns the last value read.
// Not the child's rusage: Linux carries the forking process's peak across
// exec into ru_maxrss, so a child of this benchmark (which holds the test
// site) would report this process's size whenever it was the larger.
func watchPeakRSS(pid int) func() int64 {
	var peak atomic.Int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
				for _, line := range strings.Split(string(b), "\n") {
					if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
						kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
						peak.Store(max(peak.Load(), kb))
					}
				}
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 { close(done); <-stopped; return peak.Load() }
}

// tokenizeCost is the CPU milliseconds per page of running x/net/html's
// tokenizer over a sample of the site's pages (one goroutine, so wall time
// is CPU time).
func tokenizeCost(b *testing.B, site *testsite.Generated, sample int) float64 {
	var bodies [][]byte
	for i := range min(sample, site.Pages()) {
		resp, err := http.Get(fmt.Sprintf("%sp/%d", site.URL(), i))
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		bodies = append(bodies, body)
	}
	const rounds = 5
	start := time.Now()
	for range rounds {
		for _, body := range bodies {
			z := html.NewTokenizer(bytes.NewReader(body))
			for z.Next() != html.ErrorToken {
			}
		}
	}
	return float64(time.Since(start).Microseconds()) / 1000 / float64(rounds*len(bodies))
}

// machineCPU is the CPU time all processes used so far (/proc/stat).
func machineCPU(b *testing.B) time.Duration {
	f, err := os.Open("/proc/stat")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	fields := strings.Fields(sc.Text()) // cpu user nice system idle iowait irq softirq steal
	var ticks int64
	for i, v := range fields[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		if i >= 8 {
			break
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * (time.Second / 100) // USER_HZ is 100 on Linux
}
