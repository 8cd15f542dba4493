package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/auditjob"
	"github.com/scouter-seo/scouter/internal/crawler"
	"github.com/scouter-seo/scouter/internal/joblog"
	"github.com/scouter-seo/scouter/internal/jobrun"
	"github.com/scouter-seo/scouter/internal/store"
)

// crawlHandler is the "crawl" job kind: it runs the job's crawl.
func crawlHandler(db *store.DB) jobrun.Handler {
	return func(ctx context.Context, jc *jobrun.Context) error {
		if jc.Job.CrawlID == nil {
			return errors.New("crawl job without a crawl")
		}
		c, err := db.CrawlGet(ctx, *jc.Job.CrawlID)
		if err != nil {
			return fmt.Errorf("crawl %d: %w", *jc.Job.CrawlID, err)
		}
		opts, err := crawler.ParseOptions(c.Options)
		if err != nil {
			return fmt.Errorf("crawl options: %w", err)
		}
		return crawler.Run(ctx, crawler.Config{
			DB: db, Lease: jc.Lease, CrawlID: c.ID, StartURL: c.StartURL, Options: opts,
			Log: jc.Log, Progress: jc.Progress,
		})
	}
}

// auditHandler is the "audit" job kind: the post-processing of a crawl,
// with the audit settings of the crawl's options.
func auditHandler(db *store.DB) jobrun.Handler {
	return func(ctx context.Context, jc *jobrun.Context) error {
		if jc.Job.CrawlID == nil {
			return errors.New("audit job without a crawl")
		}
		c, err := db.CrawlGet(ctx, *jc.Job.CrawlID)
		if err != nil {
			return fmt.Errorf("crawl %d: %w", *jc.Job.CrawlID, err)
		}
		opts, err := crawler.ParseOptions(c.Options)
		if err != nil {
			return fmt.Errorf("crawl options: %w", err)
		}
		return auditjob.Run(ctx, auditjob.Config{
			DB: db, Lease: jc.Lease, CrawlID: c.ID, Audit: opts.Audit, Log: jc.Log, Progress: jc.Progress,
		})
	}
}

// followUp is the job a completed job leads to: a crawl is audited.
func followUp(j store.Job) *store.JobEnqueueParams {
	if j.Kind == "crawl" && j.CrawlID != nil {
		return &store.JobEnqueueParams{Kind: auditjob.Kind, CrawlID: j.CrawlID}
	}
	return nil
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

const crawlUsage = `Usage: scouter crawl [flags] URL
       scouter crawl [flags] --urls FILE     (a list of URLs, one per line; - for stdin)

Enqueues a crawl and follows it until it ends: a progress bar on a terminal,
log lines otherwise, then a summary. With no worker taking the job within
--wait-worker, the crawl runs in this process. Ctrl-C stops the crawl at a safe
point (a second Ctrl-C leaves without waiting). Exit status: 0 completed,
1 failed, 3 stopped.

Flags:
`

func runCrawl(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	var cfg Config
	cfg.register(fs)
	d := crawler.DefaultOptions()
	var headers, include, exclude, hosts, sitemaps, strip listFlag
	fs.IntVar(&d.MaxDepth, "max-depth", d.MaxDepth, "deepest link depth crawled (-1: unlimited)")
	fs.IntVar(&d.MaxURLs, "max-urls", d.MaxURLs, "internal URLs crawled at most (0: unlimited)")
	fs.IntVar(&d.Concurrency, "concurrency", d.Concurrency, "simultaneous requests")
	fs.Float64Var(&d.MaxRPS, "max-rps", 0, "requests per second at most (0: no cap)")
	fs.IntVar(&d.HostConcurrency, "host-concurrency", 0, "simultaneous requests per host (0: as --concurrency)")
	fs.Float64Var(&d.HostMaxRPS, "host-max-rps", 0, "requests per second per host at most (0: no cap)")
	fs.StringVar(&d.UserAgent, "user-agent", d.UserAgent, "User-Agent header; its product token picks the robots.txt group")
	fs.Var(&headers, "header", `extra request header "Name: value" (repeatable; sent to the site's hosts only)`)
	auth := fs.String("auth", "", "HTTP basic auth user:password (or set SCOUTER_AUTH_PASSWORD and give user)")
	fs.Var(&include, "include", "only crawl internal URLs matching this regexp (repeatable)")
	fs.Var(&exclude, "exclude", "do not crawl internal URLs matching this regexp (repeatable)")
	fs.StringVar(&d.Query, "query", d.Query, "query strings: keep, sort (parameters by name) or strip")
	fs.Var(&strip, "strip-param", `query parameter to remove, "utm_*" for a prefix (repeatable)`)
	fs.Var(&hosts, "allow-host", `extra internal host, "*.example.org" with subdomains (repeatable)`)
	fs.BoolVar(&d.IncludeSubdomains, "subdomains", false, "treat subdomains of the start host as internal")
	fs.StringVar(&d.Robots, "robots", d.Robots, "robots.txt: respect, or ignore (crawl but report)")
	fs.BoolVar(&d.FollowNofollow, "follow-nofollow", false, "follow nofollow links and links of nofollow pages")
	fs.BoolVar(&d.SeedSitemaps, "seed-sitemaps", false, "also crawl sitemap URLs that no link reaches")
	fs.Var(&sitemaps, "sitemap", "sitemap URL besides robots.txt's and /sitemap.xml (repeatable)")
	fs.StringVar(&d.Timeout, "timeout", d.Timeout, "time limit of one request")
	fs.StringVar(&d.ConnectTimeout, "connect-timeout", d.ConnectTimeout, "time limit to connect")
	fs.Int64Var(&d.MaxBodyBytes, "max-body", d.MaxBodyBytes, "bytes of a page read at most")
	fs.IntVar(&d.MaxRetries, "max-retries", d.MaxRetries, "retries of a throttled (429/503) page")
	auditJSON := fs.String("audit", "", `audit settings as JSON, e.g. '{"title_max":70,"thin_words":100}' (docs/CHECKS.md)`)
	var disabled listFlag
	fs.Var(&disabled, "disable-check", "check id the audit skips (repeatable; see docs/CHECKS.md)")
	urlsFile := fs.String("urls", "", "file with URLs to crawl, one per line (- for stdin)")
	waitWorker := fs.Duration("wait-worker", 2*time.Second, "how long to wait for a worker before crawling in this process (0: at once)")
	detach := fs.Bool("detach", false, "enqueue, print the crawl and job ids, and exit")
	fs.Usage = func() {
		fmt.Fprint(stderr, crawlUsage)
		fs.PrintDefaults()
	}
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	for _, h := range headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return usagef("--header %q: use \"Name: value\"", h)
		}
		if d.Headers == nil {
			d.Headers = map[string]string{}
		}
		d.Headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if *auth != "" {
		user, pass, ok := strings.Cut(*auth, ":")
		if !ok {
			pass = os.Getenv("SCOUTER_AUTH_PASSWORD")
		}
		d.AuthUser, d.AuthPassword = user, pass
	}
	d.Include, d.Exclude, d.AllowedHosts, d.Sitemaps, d.StripParams = include, exclude, hosts, sitemaps, strip
	if *auditJSON != "" {
		dec := json.NewDecoder(strings.NewReader(*auditJSON))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d.Audit); err != nil {
			return usagef("--audit: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	d.Audit.Disabled = append(d.Audit.Disabled, disabled...)

	var start string
	switch {
	case *urlsFile != "" && fs.NArg() == 0:
		urls, err := readURLList(*urlsFile)
		if err != nil {
			return err
		}
		if len(urls) == 0 {
			return usagef("--urls %s: no URLs", *urlsFile)
		}
		d.URLs, start = urls, urls[0]
		if !flagSet(fs, "max-depth") {
			d.MaxDepth = 0
		}
	case *urlsFile == "" && fs.NArg() == 1:
		start = fs.Arg(0)
	default:
		return usagef("give one start URL, or --urls FILE (run scouter crawl -h)")
	}
	start, err := crawler.ValidateStartURL(start)
	if err != nil {
		return usagef("%s", strings.TrimPrefix(err.Error(), "start_url: "))
	}
	if err := d.Validate(); err != nil {
		var fe *crawler.FieldError
		if errors.As(err, &fe) {
			if f, ok := strings.CutPrefix(fe.Field, "audit."); ok {
				return usagef("--audit: %s: %s", f, fe.Message)
			}
			return usagef("--%s: %s", strings.ReplaceAll(fe.Field, "_", "-"), fe.Message)
		}
		return usagef("%v", err)
	}
	optsJSON, _ := json.Marshal(d)

	log := cfg.logger(stderr)
	db, err := cfg.open(ctx, log, store.Options{Notify: true, MaxConns: 6})
	if err != nil {
		return err
	}
	defer db.Close()
	crawl, job, err := db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: start, Options: optsJSON,
		Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		return err
	}
	if *detach {
		fmt.Fprintf(stdout, "crawl %d, job %d queued\n", crawl.ID, job.ID)
		return nil
	}
	fmt.Fprintf(stderr, "crawl %d (job %d): %s\n", crawl.ID, job.ID, start)
	return followCrawl(db, &cfg, crawl, job, *waitWorker, stdout, stderr)
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func readURLList(path string) ([]string, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, usagef("--urls: %v", err)
		}
		defer f.Close()
		r = f
	}
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		u, err := crawler.ValidateStartURL(line)
		if err != nil {
			return nil, usagef("--urls line %d: %s", n, strings.TrimPrefix(err.Error(), "start_url: "))
		}
		out = append(out, u)
	}
	if err := sc.Err(); err != nil {
		return nil, usagef("--urls: %v", err)
	}
	return out, nil
}

// followCrawl shows the crawl job until it ends, running it here if no
// worker takes it, then the audit job that follows a completed crawl, and
// prints the summaries.
func followCrawl(db *store.DB, cfg *Config, crawl store.Crawl, job store.Job, waitWorker time.Duration, stdout, stderr io.Writer) error {
	// Signals are handled here: the first Ctrl-C asks the job to stop.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)

	final, err := followJob(db, cfg, crawl, job, waitWorker, sigs, stdout, stderr)
	if err != nil {
		return err
	}
	printSummary(db, crawl.ID, final, stdout)
	if final.Status == store.JobCompleted {
		// The audit follows a completed crawl as a job of its own, enqueued
		// in the transaction that finished the crawl.
		c, err := db.CrawlGet(context.Background(), crawl.ID)
		if err == nil && c.LastJobID != nil && *c.LastJobID != job.ID {
			aj, err := db.JobGet(context.Background(), *c.LastJobID)
			if err == nil && aj.Kind == auditjob.Kind {
				fmt.Fprintf(stdout, "\nAuditing crawl %d (job %d)\n", crawl.ID, aj.ID)
				af, err := followJob(db, cfg, crawl, aj, waitWorker, sigs, stdout, stderr)
				if err != nil {
					return err
				}
				printAuditSummary(db, crawl.ID, af, stdout)
				switch af.Status {
				case store.JobCompleted:
				case store.JobStopped:
					return exitError{jobrun.ExitStopped}
				default:
					fmt.Fprintf(stderr, "audit failed: %s (run it again with: scouter jobs resume %d)\n", af.Error, af.ID)
					return exitError{1}
				}
			}
		}
	}
	switch final.Status {
	case store.JobCompleted:
		return nil
	case store.JobStopped:
		return exitError{jobrun.ExitStopped}
	default:
		if final.Error != "" {
			fmt.Fprintf(stderr, "crawl failed: %s\n", final.Error)
		}
		return exitError{1}
	}
}

// followJob shows one job until it ends, running it in this process if no
// worker claims it within waitWorker.
func followJob(db *store.DB, cfg *Config, crawl store.Crawl, job store.Job, waitWorker time.Duration, sigs <-chan os.Signal, stdout, stderr io.Writer) (store.Job, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if waitWorker > 0 {
		deadline := time.Now().Add(waitWorker)
		for time.Now().Before(deadline) {
			j, err := db.JobGet(ctx, job.ID)
			if err != nil || j.Status != store.JobQueued {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if j, err := db.JobGet(ctx, job.ID); err == nil && j.Status == store.JobQueued {
		wf := workerFlags{concurrency: 1, lease: 30 * time.Second, reapEvery: 10 * time.Second,
			pollEvery: time.Second, stopGrace: 10 * time.Second, onlyJob: job.ID}
		w, err := newWorker(db, cfg, &wf, cfg.logger(io.Discard))
		if err != nil {
			return store.Job{}, err
		}
		w.Start(context.Background())
		defer w.Stop()
	}

	tty := isTerminal(stdout)
	bar := &progressBar{w: stdout, tty: tty}
	done := make(chan store.Job, 1)
	go func() {
		j, err := joblog.Follow(ctx, db, job.ID, 0, func(lines []store.LogLine) error {
			for _, l := range lines {
				bar.line(l)
			}
			return nil
		})
		if err != nil {
			j.Status = ""
		}
		done <- j
	}()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	stopping := false
	var final store.Job
loop:
	for {
		select {
		case final = <-done:
			break loop
		case <-sigs:
			if stopping {
				bar.clear()
				fmt.Fprintf(stderr, "left crawl %d running as job %d\n", crawl.ID, job.ID)
				return store.Job{}, exitError{130}
			}
			stopping = true
			if _, err := db.JobStopRequest(context.Background(), job.ID); err != nil {
				fmt.Fprintf(stderr, "stop: %s\n", oneLine(err))
			} else {
				bar.note("stopping at a safe point… (Ctrl-C again to leave without waiting)")
			}
		case <-tick.C:
			if j, err := db.JobGet(ctx, job.ID); err == nil {
				bar.progress(j)
			}
		}
	}
	bar.clear()
	if final.Status == "" {
		return store.Job{}, errors.New("lost track of the job")
	}
	return final, nil
}

// printAuditSummary prints the findings by severity and the checks with
// the most findings.
func printAuditSummary(db *store.DB, crawlID int64, j store.Job, w io.Writer) {
	if j.Status != store.JobCompleted {
		return
	}
	counts, err := db.FindingCounts(context.Background(), crawlID)
	if err != nil {
		fmt.Fprintf(w, "findings unavailable: %s\n", oneLine(err))
		return
	}
	bySev := map[audit.Severity]int64{}
	var rows []audit.IssueCount // by severity, then findings
	for _, ic := range audit.Issues(counts, audit.Config{}) {
		if ic.Findings > 0 {
			bySev[ic.Severity] += ic.Findings
			rows = append(rows, ic)
		}
	}
	fmt.Fprintf(w, "\nAudit of crawl %d: %d issues · %d warnings · %d opportunities\n", crawlID,
		bySev[audit.SevIssue], bySev[audit.SevWarning], bySev[audit.SevOpportunity])
	for i, r := range rows {
		if i == 12 {
			fmt.Fprintf(w, "  … %d more checks (scouter export --crawl %d --what findings)\n", len(rows)-i, crawlID)
			break
		}
		fmt.Fprintf(w, "  %-12s %6d  %s\n", r.Severity, r.Findings, r.Title)
	}
}

func printSummary(db *store.DB, crawlID int64, j store.Job, w io.Writer) {
	s, err := db.CrawlSummarize(context.Background(), crawlID)
	if err != nil {
		fmt.Fprintf(w, "summary unavailable: %s\n", oneLine(err))
		return
	}
	elapsed := time.Duration(0)
	if j.StartedAt != nil && j.FinishedAt != nil {
		elapsed = j.FinishedAt.Sub(*j.StartedAt)
	}
	fmt.Fprintf(w, "\nCrawl %d %s in %s\n", crawlID, j.Status, elapsed.Round(100*time.Millisecond))
	fmt.Fprintf(w, "  pages crawled   %d", s.Crawled)
	if secs := elapsed.Seconds(); secs > 0 {
		fmt.Fprintf(w, " (%.0f pages/s)", float64(s.Crawled)/secs)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  by status       2xx %d · 3xx %d · 4xx %d · 5xx %d · no response %d\n",
		s.ByStatusClass["2xx"], s.ByStatusClass["3xx"], s.ByStatusClass["4xx"], s.ByStatusClass["5xx"], s.ByStatusClass["error"])
	fmt.Fprintf(w, "  broken links    %d\n", s.BrokenLinks)
	fmt.Fprintf(w, "  redirects       %d\n", s.Redirects)
	fmt.Fprintf(w, "  non-indexable   %d\n", s.NonIndexable)
	if s.Throttled > 0 {
		fmt.Fprintf(w, "  throttled       %d (still 429/503 after retries; not counted as broken)\n", s.Throttled)
	}
	fmt.Fprintf(w, "  blocked         %d by robots.txt\n", s.Blocked)
	fmt.Fprintf(w, "  not crawled     %d excluded by options, %d external\n", s.Excluded, s.External)
	if s.Queued > 0 {
		fmt.Fprintf(w, "  still queued    %d (resume with: scouter jobs resume %d)\n", s.Queued, j.ID)
	}
}
