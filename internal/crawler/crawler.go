// Package crawler is the crawl job: a breadth-first crawl whose frontier lives
// in the database, so a crawl stopped, killed or moved to another worker
// continues where it was.
//
// One coordinator goroutine owns the frontier's in-memory index (URL → page
// id, state, depth) and the write batches; fetch workers fetch, parse and
// resolve links, so the CPU-heavy work spreads over the cores while the
// index needs no locks. Pages are processed depth by depth: a depth's pages
// are read from the database in id order, and every batch is written before
// the next depth starts. A page's result, its links and the pages they
// discover are written in one transaction, so after a crash the frontier is
// consistent and only pages in flight (fetched but not yet written) are
// fetched again.
package crawler

import (
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/scouter-seo/scouter/internal/extract"
	"github.com/scouter-seo/scouter/internal/fetch"
	"github.com/scouter-seo/scouter/internal/robots"
	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/urlnorm"
)

// Store is what a crawl needs of the database.
type Store interface {
	CrawlWrite(ctx context.Context, l store.Lease, b *store.CrawlBatch) error
	PageKeys(ctx context.Context, crawlID int64, fn func(store.PageKey) error) error
	FrontierNext(ctx context.Context, crawlID int64, depth int, afterID int64, limit int) ([]store.FrontierItem, error)
	PagesRequeue(ctx context.Context, l store.Lease, crawlID int64, reason string, depth int) (int64, error)
	CrawlSummarize(ctx context.Context, crawlID int64) (store.CrawlSummary, error)
	CrawlBatchSize() (pages, links int)
}

// Logger receives the crawl's structured log lines.
type Logger interface {
	Info(format string, args ...any)
	Warn(format string, args ...any)
	Error(format string, args ...any)
}

// Config is one crawl attempt.
type Config struct {
	DB       Store
	Lease    store.Lease
	CrawlID  int64
	StartURL string
	Options  Options
	Log      Logger
	Progress func(store.Progress) // called at least once a second

	// Test hooks: tests map *.test hosts to a loopback server.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	TLSConfig   *tls.Config
}

// Tuning. A batch is written when it holds the store's CrawlBatchSize or is
// batchAge old.
const (
	frontierChunk   = 1000
	batchAge        = 300 * time.Millisecond
	progressEvery   = 500 * time.Millisecond
	maxCrawlDelay   = 30 * time.Second
	maxSitemapFiles = 500
	maxRobotsHops   = 5
)

// Errors that end a crawl as failed.
var (
	ErrNothingFetched = errors.New("nothing could be fetched")
	ErrStartBlocked   = errors.New("the start URL is disallowed by robots.txt (set robots to ignore to crawl anyway)")
)

type urlKey [2]uint64

// entry is the in-memory state of one page: 16 bytes, 51–72 per URL with
// the map (BenchmarkIndexMemory), the part of a crawl's memory that grows
// with the site.
type entry struct {
	id        int64
	depth     int32
	state     code
	reason    code
	inSitemap bool
	internal  bool
}

// code is a page state or a reason it was not crawled, kept in one byte.
type code uint8

const (
	none code = iota
	stQueued
	stCrawled
	stExternal
	stBlocked
	stExcluded
	rsNofollow
	rsImage
	rsMaxDepth
	rsMaxURLs
	rsPattern
	rsSitemapOnly
)

var codeNames = [...]string{
	none: "", stQueued: store.PageQueued, stCrawled: store.PageCrawled, stExternal: store.PageExternal,
	stBlocked: store.PageBlocked, stExcluded: store.PageExcluded, rsNofollow: "nofollow", rsImage: "image",
	rsMaxDepth: "max-depth", rsMaxURLs: "max-urls", rsPattern: "pattern", rsSitemapOnly: "sitemap-only",
}

func (c code) String() string { return codeNames[c] }

func codeOf(s string) code {
	for i, n := range codeNames {
		if n == s {
			return code(i)
		}
	}
	return none
}

// row is the page row of an entry that is not (yet) crawled.
func (c *crawl) row(e *entry, url string, from int64) store.Page {
	return store.Page{CrawlID: c.cfg.CrawlID, ID: e.id, URL: url, Internal: e.internal, State: e.state.String(),
		Reason: e.reason.String(), Depth: int(e.depth), FoundFrom: from, InSitemap: e.inSitemap}
}

type crawl struct {
	cfg         Config
	opts        Options
	norm        urlnorm.Normalizer
	hosts       *urlnorm.HostMatcher
	include     []*regexp.Regexp
	exclude     []*regexp.Regexp
	fetcher     *fetch.Fetcher
	token       string
	extractOpts extract.Options
	robots      robotsCache
	seeds       [2]maphash.Seed

	internalHosts sync.Map // host → bool, see internal

	// Owned by the coordinator goroutine.
	index      map[urlKey]*entry
	nextID     int64
	admitted   int64 // internal pages queued or crawled (max_urls counts these)
	crawled    int64
	queuedAt   map[int]int64
	depth      int
	batch      *batch
	lastFlush  time.Time
	batchPages int
	batchLinks int
	stats      stats

	work    chan store.FrontierItem
	results chan result
	writer  *writer
}

type stats struct {
	errors, blocked int64
	firstError      string
	rateAt          time.Time
	rateCrawled     int64
	rate            float64
}

// Run crawls until the frontier is empty, or until ctx is cancelled (a stop
// request), in which case it saves what was fetched and returns ctx's error.
func Run(ctx context.Context, cfg Config) error {
	c, err := newCrawl(cfg)
	if err != nil {
		return err
	}
	defer c.fetcher.Close()
	return c.run(ctx)
}

func newCrawl(cfg Config) (*crawl, error) {
	o := cfg.Options
	if err := o.Validate(); err != nil {
		return nil, err
	}
	c := &crawl{
		cfg:      cfg,
		opts:     o,
		norm:     o.normalizer(),
		token:    strings.ToLower(robots.ProductToken(o.UserAgent)),
		index:    map[urlKey]*entry{},
		queuedAt: map[int]int64{},
		seeds:    [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		batch:    newBatch(),
	}
	seeds := c.seedURLs()
	if len(seeds) == 0 {
		return nil, &FieldError{"start_url", "is required"}
	}
	first, err := url.Parse(seeds[0])
	if err != nil {
		return nil, &FieldError{"start_url", err.Error()}
	}
	extra := append([]string(nil), o.AllowedHosts...)
	for _, s := range seeds[1:] {
		if u, err := url.Parse(s); err == nil {
			extra = append(extra, u.Host)
		}
	}
	if c.hosts, err = urlnorm.NewHostMatcher(first.Host, extra, o.IncludeSubdomains); err != nil {
		return nil, &FieldError{"allowed_hosts", trimErr(err)}
	}
	for _, p := range o.Include {
		c.include = append(c.include, regexp.MustCompile(p))
	}
	for _, p := range o.Exclude {
		c.exclude = append(c.exclude, regexp.MustCompile(p))
	}
	total, connect := o.timeouts()
	headers := map[string][]string{}
	for k, v := range o.Headers {
		headers[k] = []string{v}
	}
	c.fetcher, err = fetch.New(fetch.Config{
		UserAgent:       o.UserAgent,
		Headers:         headers,
		BasicAuthUser:   o.AuthUser,
		BasicAuthPass:   o.AuthPassword,
		Internal:        c.hosts.InternalHost,
		ConnectTimeout:  connect,
		Timeout:         total,
		MaxBodyBytes:    o.MaxBodyBytes,
		MaxDecodedBytes: max(o.MaxBodyBytes, 50<<20),
		Concurrency:     o.Concurrency,
		HostConcurrency: cmp.Or(o.HostConcurrency, o.Concurrency),
		MaxRPS:          o.MaxRPS,
		HostMaxRPS:      o.HostMaxRPS,
		MaxRetries:      o.MaxRetries,
		DialContext:     cfg.DialContext,
		TLSConfig:       cfg.TLSConfig,
	})
	if err != nil {
		return nil, err
	}
	c.robots.c = c
	c.batchPages, c.batchLinks = cfg.DB.CrawlBatchSize()
	return c, nil
}

// seedURLs are the normalized start URLs.
func (c *crawl) seedURLs() []string {
	raw := c.opts.URLs
	if len(raw) == 0 {
		raw = []string{c.cfg.StartURL}
	}
	var out []string
	for _, r := range raw {
		if u, err := c.norm.Normalize(r); err == nil {
			out = append(out, u)
		}
	}
	return out
}

func (c *crawl) key(u string) urlKey {
	return urlKey{maphash.String(c.seeds[0], u), maphash.String(c.seeds[1], u)}
}

func (c *crawl) run(ctx context.Context) error {
	c.writer = newWriter(c.cfg.DB, c.cfg.Lease, c.cfg.Log)
	defer c.writer.close()

	resumed, err := c.load(ctx)
	if err != nil {
		return err
	}
	if !resumed {
		if err := c.setup(ctx); err != nil {
			return err
		}
	}

	c.work = make(chan store.FrontierItem)
	c.results = make(chan result, c.opts.Concurrency)
	var wg sync.WaitGroup
	for range c.opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range c.work {
				c.results <- c.process(ctx, it)
			}
		}()
	}
	err = c.crawlDepths(ctx)
	close(c.work)
	go func() { wg.Wait(); close(c.results) }()
	for r := range c.results { // pages fetched before the stop are kept
		c.handle(r)
	}
	if ferr := c.flush(true); ferr != nil && err == nil {
		err = ferr
	}
	c.reportProgress(true)
	if err != nil {
		if ctx.Err() != nil {
			c.cfg.Log.Info("Stopped: %d pages crawled, %d found; the crawl resumes from here", c.crawled, c.admitted)
		}
		return err
	}
	return c.finish(ctx)
}

// load rebuilds the in-memory index from the database. It reports whether
// the crawl had already started.
func (c *crawl) load(ctx context.Context) (bool, error) {
	minDepth := -1
	err := c.cfg.DB.PageKeys(ctx, c.cfg.CrawlID, func(k store.PageKey) error {
		e := &entry{id: k.ID, depth: int32(k.Depth), state: codeOf(k.State), reason: codeOf(k.Reason), inSitemap: k.InSitemap, internal: k.Internal}
		c.index[c.key(k.URL)] = e
		c.nextID = max(c.nextID, k.ID)
		switch k.State {
		case store.PageQueued:
			c.queuedAt[k.Depth]++
			c.admitted++
			if minDepth < 0 || k.Depth < minDepth {
				minDepth = k.Depth
			}
		case store.PageCrawled:
			c.admitted++
			c.crawled++
		case store.PageBlocked:
			c.stats.blocked++
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("load frontier: %w", err)
	}
	if len(c.index) == 0 {
		return false, nil
	}
	c.cfg.Log.Info("Resuming: %d pages crawled, %d queued, continuing at depth %d", c.crawled, c.admitted-c.crawled, max(minDepth, 0))
	return true, nil
}

// setup writes the seeds and the sitemaps' URLs as the crawl's first batch.
func (c *crawl) setup(ctx context.Context) error {
	seeds := c.seedURLs()
	c.cfg.Log.Info("Starting crawl of %s (%s)", seeds[0], c.describeOptions())
	start, _ := url.Parse(seeds[0])
	if _, err := c.robots.allowed(ctx, start); err != nil {
		return err
	}
	if err := c.loadSitemaps(ctx, start); err != nil {
		return err
	}
	for _, s := range seeds {
		e, isNew := c.lookup(s)
		if isNew || e.state == stExcluded || e.state == stExternal {
			c.admit(e, s, 0, 0)
		}
	}
	return c.flush(true)
}

func (c *crawl) describeOptions() string {
	var parts []string
	if c.opts.MaxDepth >= 0 {
		parts = append(parts, fmt.Sprintf("max depth %d", c.opts.MaxDepth))
	}
	if c.opts.MaxURLs > 0 {
		parts = append(parts, fmt.Sprintf("max %d URLs", c.opts.MaxURLs))
	}
	parts = append(parts, fmt.Sprintf("%d connections", c.opts.Concurrency))
	if c.opts.MaxRPS > 0 {
		parts = append(parts, fmt.Sprintf("%g requests/s", c.opts.MaxRPS))
	}
	parts = append(parts, "robots.txt "+c.opts.Robots)
	return strings.Join(parts, ", ")
}

// lookup returns the entry of a normalized URL, creating an unsaved one.
func (c *crawl) lookup(s string) (*entry, bool) {
	k := c.key(s)
	if e, ok := c.index[k]; ok {
		return e, false
	}
	c.nextID++
	e := &entry{id: c.nextID, depth: -1, internal: c.internal(s)}
	if !e.internal {
		e.state = stExternal
	}
	c.index[k] = e
	return e, true
}

// admit queues an internal page at a depth, or records why it is not
// crawled, and adds its row to the batch.
func (c *crawl) admit(e *entry, s string, depth int, from int64) {
	e.depth = int32(depth)
	e.state, e.reason = stQueued, none
	switch {
	case !e.internal:
		e.state = stExternal
	case c.opts.MaxDepth >= 0 && depth > c.opts.MaxDepth:
		e.state, e.reason = stExcluded, rsMaxDepth
	case !c.inScope(s):
		e.state, e.reason = stExcluded, rsPattern
	case c.opts.MaxURLs > 0 && c.admitted >= int64(c.opts.MaxURLs):
		e.state, e.reason = stExcluded, rsMaxURLs
	}
	if e.state == stQueued {
		c.admitted++
		c.queuedAt[depth]++
	}
	c.batch.put(c.row(e, s, from))
}

func (c *crawl) inScope(s string) bool {
	for _, re := range c.exclude {
		if re.MatchString(s) {
			return false
		}
	}
	if len(c.include) == 0 {
		return true
	}
	for _, re := range c.include {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// crawlDepths runs the breadth-first loop until the frontier is empty.
func (c *crawl) crawlDepths(ctx context.Context) error {
	sitemapsSeeded := false
	for {
		d, ok := c.nextDepth()
		if !ok {
			if c.opts.SeedSitemaps && !sitemapsSeeded {
				sitemapsSeeded = true
				if n, err := c.seedSitemapURLs(ctx); err != nil || n > 0 {
					if err != nil {
						return err
					}
					continue
				}
			}
			return nil
		}
		c.depth = d
		start, before := time.Now(), c.crawled
		if err := c.crawlDepth(ctx, d); err != nil {
			return err
		}
		if err := c.flush(true); err != nil {
			return err
		}
		secs := time.Since(start).Seconds()
		c.cfg.Log.Info("Depth %d : %.0f URLs/sec (%d/%d)", d, float64(c.crawled-before)/max(secs, 0.001), c.crawled, c.admitted)
	}
}

func (c *crawl) nextDepth() (int, bool) {
	best, ok := 0, false
	for d, n := range c.queuedAt {
		if n > 0 && (!ok || d < best) {
			best, ok = d, true
		}
	}
	return best, ok
}

// seedSitemapURLs queues the sitemap URLs that links did not reach, one
// depth below the deepest link depth.
func (c *crawl) seedSitemapURLs(ctx context.Context) (int64, error) {
	depth := 0
	for d := range c.queuedAt {
		depth = max(depth, d+1)
	}
	var n int64
	for _, e := range c.index {
		if e.state == stExcluded && e.reason == rsSitemapOnly {
			n++
		}
	}
	if n == 0 {
		return 0, nil
	}
	got, err := c.cfg.DB.PagesRequeue(ctx, c.cfg.Lease, c.cfg.CrawlID, "sitemap-only", depth)
	if err != nil {
		return 0, fmt.Errorf("queue sitemap URLs: %w", err)
	}
	for _, e := range c.index {
		if e.state == stExcluded && e.reason == rsSitemapOnly {
			e.state, e.reason, e.depth = stQueued, none, int32(depth)
			c.queuedAt[depth]++
			c.admitted++
		}
	}
	c.cfg.Log.Info("Sitemaps: crawling %d URLs that no link reached", got)
	return got, nil
}

// crawlDepth dispatches every queued page of depth d and handles results.
func (c *crawl) crawlDepth(ctx context.Context, d int) error {
	var pending []store.FrontierItem
	after, exhausted, inflight := int64(0), false, 0
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if len(pending) == 0 && !exhausted {
			items, err := c.frontierNext(ctx, d, after)
			if err != nil {
				return err
			}
			if len(items) < frontierChunk {
				exhausted = true
			}
			if len(items) > 0 {
				after = items[len(items)-1].ID
			}
			pending = items
		}
		if exhausted && len(pending) == 0 && inflight == 0 {
			return nil
		}
		var send chan store.FrontierItem
		var next store.FrontierItem
		if len(pending) > 0 {
			send, next = c.work, pending[0]
		}
		select {
		case send <- next:
			pending = pending[1:]
			inflight++
		case r := <-c.results:
			inflight--
			c.handle(r)
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := c.writer.err(); err != nil {
			return err
		}
		if c.batch.due(c.lastFlush, c.batchPages, c.batchLinks) {
			if err := c.flush(false); err != nil {
				return err
			}
		}
		c.reportProgress(false)
	}
}

// frontierNext reads the next chunk of a depth, waiting out a database
// that is briefly away, as the writer does.
func (c *crawl) frontierNext(ctx context.Context, d int, after int64) (items []store.FrontierItem, err error) {
	err = retry(ctx, c.cfg.Log, "read frontier", func(ctx context.Context) error {
		items, err = c.cfg.DB.FrontierNext(ctx, c.cfg.CrawlID, d, after, frontierChunk)
		return err
	})
	return items, err
}

// result is what a fetch worker returns for one frontier item.
type result struct {
	item     store.FrontierItem
	canceled bool
	blocked  bool
	robots   bool // fetched although robots.txt disallows it (ignore mode)
	fetchErr *fetch.Error
	analysis analysis
	at       time.Time
}

func (c *crawl) process(ctx context.Context, it store.FrontierItem) result {
	r := result{item: it}
	u, err := url.Parse(it.URL)
	if err != nil {
		r.fetchErr = &fetch.Error{Kind: "other", URL: it.URL, Err: err}
		return r
	}
	allowed, err := c.robots.allowed(ctx, u)
	if err != nil {
		r.canceled = true
		return r
	}
	if !allowed {
		if c.opts.Robots == "respect" {
			r.blocked = true
			return r
		}
		r.robots = true
	}
	r.at = time.Now()
	resp, err := c.fetcher.Fetch(ctx, fetch.Request{URL: u})
	if err != nil {
		if ctx.Err() != nil {
			r.canceled = true
			return r
		}
		var fe *fetch.Error
		if !errors.As(err, &fe) {
			fe = &fetch.Error{Kind: "other", URL: it.URL, Err: err}
		}
		r.fetchErr = fe
		r.analysis.page.Indexability = "error"
		return r
	}
	r.analysis = c.analyze(u, resp)
	resp.Release() // the analysis holds copies, not slices of the body
	return r
}

// handle records a fetched page and the pages its links discover.
func (c *crawl) handle(r result) {
	if r.canceled {
		return // still queued in the database: fetched again on resume
	}
	it := r.item
	c.queuedAt[it.Depth]--
	e := c.index[c.key(it.URL)]
	p := r.analysis.page
	p.CrawlID, p.ID, p.URL, p.Internal = c.cfg.CrawlID, it.ID, it.URL, true
	p.Depth, p.FoundFrom, p.InSitemap = it.Depth, it.FoundFrom, it.InSitemap
	if r.blocked {
		p.State, p.Indexability = store.PageBlocked, "blocked-by-robots"
		c.admitted--
		c.stats.blocked++
		if e != nil {
			e.state = stBlocked
		}
		c.batch.put(p)
		return
	}
	p.State = store.PageCrawled
	p.RobotsBlocked = r.robots
	at := r.at.UTC()
	p.CrawledAt = &at
	if e != nil {
		e.state = stCrawled
	}
	c.crawled++
	switch {
	case r.fetchErr != nil:
		p.FetchError = r.fetchErr.Kind
		c.stats.errors++
		c.cfg.Log.Error("%s %s (%s)", r.fetchErr.Kind, it.URL, r.fetchErr.Error())
		if c.stats.firstError == "" {
			c.stats.firstError = fmt.Sprintf("%s (%s)", it.URL, r.fetchErr.Error())
		}
	case p.Indexability == "throttled":
		c.cfg.Log.Warn("throttled %s: still %d after %d retries", it.URL, p.Status, p.Retries)
	case p.Status >= 500:
		c.stats.errors++
		c.cfg.Log.Error("%d %s", p.Status, it.URL)
	case p.Status >= 400:
		c.stats.errors++
		c.cfg.Log.Warn("%d %s", p.Status, it.URL)
	}
	for i, l := range r.analysis.links {
		t, isNew := c.lookup(l.URL)
		switch {
		case isNew && l.Follow:
			c.admit(t, l.URL, it.Depth+1, it.ID)
		case isNew:
			// External, or reached only by a link that is not followed.
			t.depth = int32(it.Depth + 1)
			if t.internal {
				t.state, t.reason = stExcluded, rsNofollow
				if l.Kind == "image" {
					t.reason = rsImage
				}
			}
			c.batch.put(c.row(t, l.URL, it.ID))
		case l.Follow && t.internal && t.state == stExcluded && upgradable(t.reason):
			c.admit(t, l.URL, it.Depth+1, it.ID)
		}
		c.batch.links = append(c.batch.links, store.Link{CrawlID: c.cfg.CrawlID, SourceID: it.ID, Position: i,
			TargetID: t.id, Kind: l.Kind, Text: l.Text, Flags: l.Flags, Internal: l.Internal})
	}
	c.batch.put(p)
	c.batch.crawled++
}

// upgradable reports whether an excluded page may still be queued when a
// followable link reaches it.
func upgradable(reason code) bool {
	return reason == rsNofollow || reason == rsImage || reason == rsSitemapOnly
}

// flush hands the batch to the writer; with wait it also waits until every
// batch so far is written.
func (c *crawl) flush(wait bool) error {
	if len(c.batch.pages) > 0 || len(c.batch.links) > 0 {
		c.writer.send(c.batch)
		c.batch = c.writer.reuse()
	}
	c.lastFlush = time.Now()
	if wait {
		c.writer.wait()
	}
	return c.writer.err()
}

func (c *crawl) reportProgress(force bool) {
	now := time.Now()
	if !force && now.Sub(c.stats.rateAt) < progressEvery {
		return
	}
	if !c.stats.rateAt.IsZero() {
		inst := float64(c.crawled-c.stats.rateCrawled) / now.Sub(c.stats.rateAt).Seconds()
		c.stats.rate = 0.5*c.stats.rate + 0.5*inst
	}
	c.stats.rateAt, c.stats.rateCrawled = now, c.crawled
	detail, _ := json.Marshal(map[string]any{
		"depth":         c.depth,
		"pages_per_sec": float64(int(c.stats.rate*10)) / 10,
		"queued":        c.admitted - c.crawled,
		"errors":        c.stats.errors,
		"blocked":       c.stats.blocked,
	})
	if c.cfg.Progress != nil {
		c.cfg.Progress(store.Progress{Done: c.crawled, Total: c.admitted, Detail: detail})
	}
}

// finish logs the summary and fails a crawl that fetched nothing.
func (c *crawl) finish(ctx context.Context) error {
	s, err := c.cfg.DB.CrawlSummarize(ctx, c.cfg.CrawlID)
	if err != nil {
		return fmt.Errorf("summarize: %w", err)
	}
	var classes []string
	for k := range s.ByStatusClass {
		classes = append(classes, k)
	}
	sort.Strings(classes)
	var parts []string
	for _, k := range classes {
		parts = append(parts, fmt.Sprintf("%s %d", k, s.ByStatusClass[k]))
	}
	c.cfg.Log.Info("Crawl finished: %d pages crawled (%s); %d broken links, %d redirects, %d non-indexable, %d blocked by robots.txt, %d external URLs",
		s.Crawled, strings.Join(parts, ", "), s.BrokenLinks, s.Redirects, s.NonIndexable, s.Blocked, s.External)
	if s.Crawled == s.ByStatusClass["error"] {
		seeds := c.seedURLs()
		if e := c.index[c.key(seeds[0])]; e != nil && e.state == stBlocked {
			return ErrStartBlocked
		}
		if c.stats.firstError != "" {
			return fmt.Errorf("%w: %s", ErrNothingFetched, c.stats.firstError)
		}
		return ErrNothingFetched
	}
	return nil
}

// batch is one write: pages by id (a page written twice keeps the last
// row) and links.
type batch struct {
	pages   []store.Page
	pos     map[int64]int
	links   []store.Link
	crawled int
}

func newBatch() *batch { return &batch{pos: map[int64]int{}} }

// reset empties b for reuse, keeping its capacity: a batch holds hundreds
// of page rows and thousands of links, which would otherwise be regrown
// from nothing for every write. Not past keepPages and keepLinks, though:
// on a big site a batch can also carry tens of thousands of newly found
// pages, and holding that capacity in idle batches would raise the crawl's
// memory for good (by 170 MB at 100,000 pages).
func (b *batch) reset() {
	if cap(b.pages) > keepPages {
		b.pages = nil
	} else {
		clear(b.pages) // drop the strings they point to
		b.pages = b.pages[:0]
	}
	if cap(b.links) > keepLinks {
		b.links = nil
	} else {
		clear(b.links)
		b.links = b.links[:0]
	}
	if len(b.pos) > keepPages {
		b.pos = map[int64]int{}
	} else {
		clear(b.pos)
	}
	b.crawled = 0
}

const (
	keepPages = 2048
	keepLinks = 32 << 10
)

func (b *batch) put(p store.Page) {
	if i, ok := b.pos[p.ID]; ok {
		b.pages[i] = p
		return
	}
	b.pos[p.ID] = len(b.pages)
	b.pages = append(b.pages, p)
}

func (b *batch) due(lastFlush time.Time, pages, links int) bool {
	if len(b.pages) == 0 && len(b.links) == 0 {
		return false
	}
	// Page rows count too: the pages a batch's links found are rows of
	// their own, tens of thousands of them early in a big site's crawl.
	return b.crawled >= pages || len(b.pages) >= 10*pages || len(b.links) >= links || time.Since(lastFlush) >= batchAge
}
