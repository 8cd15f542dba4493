package api

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/crawler"
	"github.com/scouter-seo/scouter/internal/export"
	"github.com/scouter-seo/scouter/internal/store"
)

// reportStore is what the audit report routes read.
type reportStore interface {
	CrawlReport(ctx context.Context, crawlID int64) (store.CrawlReport, error)
	FindingCounts(ctx context.Context, crawlID int64) ([]store.FindingCount, error)
	PageGet(ctx context.Context, crawlID, pageID int64) (store.Page, error)
	PageFindings(ctx context.Context, crawlID, pageID int64, limit int) ([]store.Finding, error)
	PageInlinks(ctx context.Context, crawlID, pageID int64, limit int) ([]store.LinkURLs, int64, error)
	PageOutlinks(ctx context.Context, crawlID, pageID int64, limit int) ([]store.LinkURLs, int64, error)
	RedirectChain(ctx context.Context, start store.Page) (store.RedirectChain, error)
	DuplicateCluster(ctx context.Context, crawlID int64, kind string, cluster int64, limit int) ([]store.PageRef, int64, error)
	CrawlCompare(ctx context.Context, p store.CompareParams) (store.Comparison, error)
}

// Bounds of the lists the report routes return.
const (
	pageFindingsLimit = 1000 // findings of one page
	defaultLinkLimit  = 100  // inlinks and outlinks of one page, by default
	maxLinkLimit      = 1000
	clusterLimit      = 20  // pages listed per duplicate cluster
	defaultDiffLimit  = 100 // pages per list of a comparison, by default
	maxDiffLimit      = 1000
)

func (s *Server) registerReports(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/crawls/{id}/report", s.crawlReport)
	mux.HandleFunc("GET /api/v1/crawls/{id}/issues", s.crawlIssues)
	mux.HandleFunc("GET /api/v1/crawls/{id}/pages/{pageID}", s.pageDetail)
	mux.HandleFunc("GET /api/v1/compare", s.crawlCompare)
}

// auditState says where a crawl's audit stands (audit.State).
func (s *Server) auditState(ctx context.Context, c store.Crawl) (string, error) {
	var last *store.Job
	if c.LastJobID != nil {
		j, err := s.db.JobGet(ctx, *c.LastJobID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
		if err == nil {
			last = &j
		}
	}
	return audit.State(c, last), nil
}

// CountJSON is one bar of a chart.
type CountJSON struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

// DepthCountJSON counts crawled pages at one depth (-1: not reached by links).
type DepthCountJSON struct {
	Depth int   `json:"depth"`
	Count int64 `json:"count"`
}

// ResponseTimeJSON is one response-time bucket: TTFB from min_ms
// (inclusive) to max_ms (exclusive; null for the last bucket).
type ResponseTimeJSON struct {
	MinMs int64  `json:"min_ms"`
	MaxMs *int64 `json:"max_ms"`
	Count int64  `json:"count"`
}

// SeverityCountJSON sums the findings of one severity.
type SeverityCountJSON struct {
	Severity string `json:"severity"`
	Checks   int    `json:"checks"` // checks with at least one finding
	Findings int64  `json:"findings"`
}

// ReportPagesJSON counts internal URLs by state, and external ones.
type ReportPagesJSON struct {
	Crawled   int64 `json:"crawled"`
	Queued    int64 `json:"queued"`
	Blocked   int64 `json:"blocked"`
	Excluded  int64 `json:"excluded"`
	External  int64 `json:"external"`
	InSitemap int64 `json:"in_sitemap"`
}

// ReportJSON is a crawl's dashboard.
type ReportJSON struct {
	CrawlID       int64               `json:"crawl_id"`
	StartURL      string              `json:"start_url"`
	Status        string              `json:"status"`
	Audit         string              `json:"audit"` // done, running, none
	AuditedAt     *time.Time          `json:"audited_at"`
	Pages         ReportPagesJSON     `json:"pages"`
	StatusClasses []CountJSON         `json:"status_classes"` // crawled pages, every class
	Depths        []DepthCountJSON    `json:"depths"`         // crawled pages, ascending depth
	HTMLPages     int64               `json:"html_pages"`     // crawled HTML pages answering 200
	Indexability  []CountJSON         `json:"indexability"`   // of html_pages: indexable first, then reasons by count
	ResponseTimes []ResponseTimeJSON  `json:"response_times"` // crawled pages with an answer, by TTFB
	Responded     int64               `json:"responded"`
	TTFBAvgMs     float64             `json:"ttfb_avg_ms"`
	TTFBMedianMs  float64             `json:"ttfb_median_ms"`
	Severities    []SeverityCountJSON `json:"severities"` // issue, warning, opportunity
}

func (s *Server) crawlReport(w http.ResponseWriter, r *http.Request) {
	c, auditState, ok := s.reportCrawl(w, r)
	if !ok {
		return
	}
	rep, err := s.db.CrawlReport(r.Context(), c.ID)
	if err != nil {
		s.fail(w, err, "report")
		return
	}
	counts, err := s.db.FindingCounts(r.Context(), c.ID)
	if err != nil {
		s.fail(w, err, "report")
		return
	}
	out := ReportJSON{CrawlID: c.ID, StartURL: c.StartURL, Status: c.Status, Audit: auditState, AuditedAt: c.AuditedAt,
		Pages: ReportPagesJSON{Crawled: rep.Pages[store.PageCrawled], Queued: rep.Pages[store.PageQueued],
			Blocked: rep.Pages[store.PageBlocked], Excluded: rep.Pages[store.PageExcluded], External: rep.External,
			InSitemap: rep.InSitemap},
		StatusClasses: []CountJSON{}, Depths: []DepthCountJSON{}, HTMLPages: rep.HTML, Indexability: indexabilityCounts(rep),
		ResponseTimes: []ResponseTimeJSON{}, Responded: rep.Responded,
		TTFBAvgMs: float64(rep.TTFBAvg) / 1000, TTFBMedianMs: float64(rep.TTFBMedian) / 1000}
	for _, k := range store.StatusClasses {
		out.StatusClasses = append(out.StatusClasses, CountJSON{k, rep.StatusClass[k]})
	}
	for d, n := range rep.Depth {
		out.Depths = append(out.Depths, DepthCountJSON{d, n})
	}
	slices.SortFunc(out.Depths, func(a, b DepthCountJSON) int { return cmp.Compare(a.Depth, b.Depth) })
	var lo int64
	for i, n := range rep.ResponseTime {
		b := ResponseTimeJSON{MinMs: lo / 1000, Count: n}
		if i < len(store.ResponseTimeBounds) {
			hi := store.ResponseTimeBounds[i] / 1000
			b.MaxMs = &hi
			lo = store.ResponseTimeBounds[i]
		}
		out.ResponseTimes = append(out.ResponseTimes, b)
	}
	for _, sev := range []audit.Severity{audit.SevIssue, audit.SevWarning, audit.SevOpportunity} {
		sc := SeverityCountJSON{Severity: string(sev)}
		for _, fc := range counts {
			if ch, ok := audit.CheckByID(fc.CheckID); ok && ch.Severity == sev {
				sc.Checks++
				sc.Findings += fc.Findings
			}
		}
		out.Severities = append(out.Severities, sc)
	}
	writeJSON(w, http.StatusOK, out)
}

// indexabilityCounts lists indexable first, then each reason by count.
func indexabilityCounts(rep store.CrawlReport) []CountJSON {
	out := []CountJSON{{"indexable", rep.Indexability["indexable"]}}
	var rest []CountJSON
	for k, n := range rep.Indexability {
		if k != "indexable" {
			rest = append(rest, CountJSON{k, n})
		}
	}
	slices.SortFunc(rest, func(a, b CountJSON) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Key, b.Key))
	})
	return append(out, rest...)
}

// ReportIssueJSON is one check of the catalogue with its counts in a crawl.
type ReportIssueJSON struct {
	CheckJSON
	Enabled  bool  `json:"enabled"` // false: turned off in the crawl's audit options
	Findings int64 `json:"findings"`
	Pages    int64 `json:"pages"`
}

// IssuesJSON lists every check of the catalogue, checks without findings
// included (findings 0): issues first, then warnings, then opportunities,
// each by findings, most first.
type IssuesJSON struct {
	CrawlID   int64             `json:"crawl_id"`
	Audit     string            `json:"audit"`
	AuditedAt *time.Time        `json:"audited_at"`
	Checks    []ReportIssueJSON `json:"checks"`
}

func (s *Server) crawlIssues(w http.ResponseWriter, r *http.Request) {
	c, auditState, ok := s.reportCrawl(w, r)
	if !ok {
		return
	}
	counts, err := s.db.FindingCounts(r.Context(), c.ID)
	if err != nil {
		s.fail(w, err, "issues")
		return
	}
	out := IssuesJSON{CrawlID: c.ID, Audit: auditState, AuditedAt: c.AuditedAt, Checks: []ReportIssueJSON{}}
	for _, ic := range audit.Issues(counts, crawler.AuditConfig(c.Options)) {
		ch := ic.Check
		out.Checks = append(out.Checks, ReportIssueJSON{
			CheckJSON: CheckJSON{ch.ID, ch.Group, string(ch.Severity), ch.Title, ch.Why, ch.Fix, ch.Rule, ch.Element},
			Enabled:   ic.Enabled, Findings: ic.Findings, Pages: ic.Pages})
	}
	writeJSON(w, http.StatusOK, out)
}

// reportCrawl reads the crawl named by the path and its audit state, or
// answers the error.
func (s *Server) reportCrawl(w http.ResponseWriter, r *http.Request) (store.Crawl, string, bool) {
	id, ok := pathID(w, r)
	if !ok {
		return store.Crawl{}, "", false
	}
	c, err := s.db.CrawlGet(r.Context(), id)
	if err != nil {
		s.fail(w, err, "crawl")
		return c, "", false
	}
	st, err := s.auditState(r.Context(), c)
	if err != nil {
		s.fail(w, err, "crawl")
		return c, "", false
	}
	return c, st, true
}

// DetailFindingJSON is a finding of the page with its check's description.
type DetailFindingJSON struct {
	CheckID  string `json:"check_id"`
	Severity string `json:"severity"`
	Title    string `json:"title"`
	Seq      int    `json:"seq"`
	Element  string `json:"element"`
}

// DetailLinkJSON is a link from or to the page.
type DetailLinkJSON struct {
	SourceID  int64  `json:"source_id"`
	SourceURL string `json:"source_url"`
	TargetID  int64  `json:"target_id"`
	TargetURL string `json:"target_url"`
	Position  int    `json:"position"`
	Kind      string `json:"kind"`
	Text      string `json:"text"`
	Internal  bool   `json:"internal"`
	Nofollow  bool   `json:"nofollow"`
	UGC       bool   `json:"ugc"`
	Sponsored bool   `json:"sponsored"`
}

// PageRefJSON names a page in a list.
type PageRefJSON struct {
	ID         int64  `json:"id"`
	URL        string `json:"url"`
	State      string `json:"state"`
	Status     int    `json:"status"`
	FetchError string `json:"fetch_error"`
}

func pageRef(p store.PageRef) PageRefJSON {
	return PageRefJSON{ID: p.ID, URL: p.URL, State: p.State, Status: p.Status, FetchError: p.FetchError}
}

func pageRefs(ps []store.PageRef) []PageRefJSON {
	out := make([]PageRefJSON, len(ps))
	for i, p := range ps {
		out[i] = pageRef(p)
	}
	return out
}

// RedirectChainJSON is the path followed from a redirecting page: hops
// after the page itself, ending at the final page, or at the page met
// twice (loop), or cut (unresolved: a target the crawl has no page for;
// cut: more than store.MaxRedirectHops redirects).
type RedirectChainJSON struct {
	Hops       []PageRefJSON `json:"hops"`
	Loop       bool          `json:"loop"`
	Unresolved string        `json:"unresolved"`
	Cut        bool          `json:"cut"`
}

// DuplicateClusterJSON is a duplicate cluster the page belongs to.
type DuplicateClusterJSON struct {
	Kind    string        `json:"kind"`    // title, description, h1, content, near
	Cluster int64         `json:"cluster"` // the cluster's lowest page id
	Total   int64         `json:"total"`   // pages in the cluster, this one included
	Pages   []PageRefJSON `json:"pages"`   // the first ones, by id
}

// PageDetailJSON is a page with its findings, links, redirect chain and
// duplicate clusters. Lists are bounded; totals count everything.
type PageDetailJSON struct {
	CrawlID       int64                  `json:"crawl_id"`
	Audit         string                 `json:"audit"`
	Page          export.PageRow         `json:"page"`     // the columns of the page export
	Findings      []DetailFindingJSON    `json:"findings"` // issues first
	Inlinks       []DetailLinkJSON       `json:"inlinks"`
	InlinksTotal  int64                  `json:"inlinks_total"`
	Outlinks      []DetailLinkJSON       `json:"outlinks"`
	OutlinksTotal int64                  `json:"outlinks_total"`
	RedirectChain *RedirectChainJSON     `json:"redirect_chain"` // null unless the page redirects
	Duplicates    []DuplicateClusterJSON `json:"duplicates"`
}

func detailLinks(ls []store.LinkURLs) []DetailLinkJSON {
	out := make([]DetailLinkJSON, len(ls))
	for i, l := range ls {
		out[i] = DetailLinkJSON{SourceID: l.SourceID, SourceURL: l.SourceURL, TargetID: l.TargetID, TargetURL: l.TargetURL,
			Position: l.Position, Kind: l.Kind, Text: l.Text, Internal: l.Internal,
			Nofollow: l.Flags&store.LinkNofollow != 0, UGC: l.Flags&store.LinkUGC != 0, Sponsored: l.Flags&store.LinkSponsored != 0}
	}
	return out
}

// pageDetail: GET /api/v1/crawls/{id}/pages/{pageID}[?limit=N], N bounding
// the inlinks and outlinks (default 100, at most 1000).
func (s *Server) pageDetail(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	pageID, err := strconv.ParseInt(r.PathValue("pageID"), 10, 64)
	if err != nil || pageID <= 0 {
		writeError(w, http.StatusBadRequest, "page id must be a positive integer", "page_id")
		return
	}
	limit, ok := intParam(w, r, "limit", defaultLinkLimit, 0, maxLinkLimit)
	if !ok {
		return
	}
	ctx := r.Context()
	c, err := s.db.CrawlGet(ctx, id)
	if err != nil {
		s.fail(w, err, "crawl")
		return
	}
	auditState, err := s.auditState(ctx, c)
	if err != nil {
		s.fail(w, err, "crawl")
		return
	}
	p, err := s.db.PageGet(ctx, id, pageID)
	if err != nil {
		s.fail(w, err, "page")
		return
	}
	out := PageDetailJSON{CrawlID: id, Audit: auditState, Page: export.PageRowOf(&p), Findings: []DetailFindingJSON{},
		Duplicates: []DuplicateClusterJSON{}}
	findings, err := s.db.PageFindings(ctx, id, pageID, pageFindingsLimit)
	if err != nil {
		s.fail(w, err, "page")
		return
	}
	for _, f := range findings {
		d := DetailFindingJSON{CheckID: f.CheckID, Title: f.CheckID, Seq: f.Seq, Element: f.Element}
		if ch, ok := audit.CheckByID(f.CheckID); ok {
			d.Severity, d.Title = string(ch.Severity), ch.Title
		}
		out.Findings = append(out.Findings, d)
	}
	slices.SortStableFunc(out.Findings, func(a, b DetailFindingJSON) int {
		return cmp.Compare(audit.Severity(a.Severity).Rank(), audit.Severity(b.Severity).Rank())
	})
	in, inTotal, err := s.db.PageInlinks(ctx, id, pageID, int(limit))
	if err != nil {
		s.fail(w, err, "page")
		return
	}
	outl, outTotal, err := s.db.PageOutlinks(ctx, id, pageID, int(limit))
	if err != nil {
		s.fail(w, err, "page")
		return
	}
	out.Inlinks, out.InlinksTotal = detailLinks(in), inTotal
	out.Outlinks, out.OutlinksTotal = detailLinks(outl), outTotal
	if p.RedirectURL != "" {
		chain, err := s.db.RedirectChain(ctx, p)
		if err != nil {
			s.fail(w, err, "page")
			return
		}
		rc := &RedirectChainJSON{Hops: []PageRefJSON{}, Loop: chain.Loop, Unresolved: chain.Unresolved, Cut: chain.Cut}
		for _, h := range chain.Hops {
			rc.Hops = append(rc.Hops, PageRefJSON{ID: h.ID, URL: h.URL, State: h.State, Status: h.Status, FetchError: h.FetchError})
		}
		out.RedirectChain = rc
	}
	clusters := []int64{p.TitleDup, p.DescriptionDup, p.H1Dup, p.ContentDup, p.NearDup}
	for i, kind := range store.DuplicateKinds {
		if clusters[i] == 0 {
			continue
		}
		refs, total, err := s.db.DuplicateCluster(ctx, id, kind, clusters[i], clusterLimit)
		if err != nil {
			s.fail(w, err, "page")
			return
		}
		out.Duplicates = append(out.Duplicates, DuplicateClusterJSON{Kind: duplicateName(kind), Cluster: clusters[i],
			Total: total, Pages: pageRefs(refs)})
	}
	writeJSON(w, http.StatusOK, out)
}

// duplicateName is the API's name of a duplicate kind: its column without
// "_dup".
func duplicateName(kind string) string {
	return kind[:len(kind)-len("_dup")]
}

// CompareCrawlJSON is one side of a comparison.
type CompareCrawlJSON struct {
	ID        int64      `json:"id"`
	StartURL  string     `json:"start_url"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	AuditedAt *time.Time `json:"audited_at"` // null: findings cannot be compared
}

// CompareCheckJSON counts one check's findings across the crawls.
type CompareCheckJSON struct {
	ID         string `json:"id"`
	Group      string `json:"group"`
	Severity   string `json:"severity"`
	Title      string `json:"title"`
	New        int64  `json:"new"`
	Fixed      int64  `json:"fixed"`
	Persisting int64  `json:"persisting"`
}

// PageDiffJSON is a bounded list of pages with their total.
type PageDiffJSON struct {
	Total int64         `json:"total"`
	Pages []PageRefJSON `json:"pages"`
}

// StatusChangeJSON is a URL whose status changed.
type StatusChangeJSON struct {
	URL string      `json:"url"`
	A   PageRefJSON `json:"a"`
	B   PageRefJSON `json:"b"`
}

// StatusChangesJSON is a bounded list of status changes with their total.
type StatusChangesJSON struct {
	Total   int64              `json:"total"`
	Changes []StatusChangeJSON `json:"changes"`
}

// CompareJSON is what changed from crawl a (before) to crawl b (after).
// Checks are those with findings in either crawl, issues first, then by
// new findings, most first.
type CompareJSON struct {
	A             CompareCrawlJSON   `json:"a"`
	B             CompareCrawlJSON   `json:"b"`
	Checks        []CompareCheckJSON `json:"checks"`
	Added         PageDiffJSON       `json:"added"`
	Removed       PageDiffJSON       `json:"removed"`
	StatusChanges StatusChangesJSON  `json:"status_changes"`
}

// crawlCompare: GET /api/v1/compare?a=ID&b=ID[&limit=N].
func (s *Server) crawlCompare(w http.ResponseWriter, r *http.Request) {
	var ids [2]int64
	for i, name := range []string{"a", "b"} {
		v := r.URL.Query().Get(name)
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			writeError(w, http.StatusBadRequest, name+" must be a crawl id (a positive integer)", name)
			return
		}
		ids[i] = n
	}
	if ids[0] == ids[1] {
		writeError(w, http.StatusBadRequest, "a and b must be two different crawls", "b")
		return
	}
	limit, ok := intParam(w, r, "limit", defaultDiffLimit, 0, maxDiffLimit)
	if !ok {
		return
	}
	ctx := r.Context()
	var sides [2]CompareCrawlJSON
	for i, name := range []string{"a", "b"} {
		c, err := s.db.CrawlGet(ctx, ids[i])
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, http.StatusNotFound, "crawl "+strconv.FormatInt(ids[i], 10)+" not found", name)
			return
		}
		if err != nil {
			s.fail(w, err, "crawl")
			return
		}
		sides[i] = CompareCrawlJSON{ID: c.ID, StartURL: c.StartURL, Status: c.Status, CreatedAt: c.CreatedAt, AuditedAt: c.AuditedAt}
	}
	cmpr, err := s.db.CrawlCompare(ctx, store.CompareParams{A: ids[0], B: ids[1], Limit: int(limit), ValueChecks: audit.ValueChecks()})
	if err != nil {
		s.fail(w, err, "comparison")
		return
	}
	out := CompareJSON{A: sides[0], B: sides[1], Checks: []CompareCheckJSON{},
		Added:         PageDiffJSON{Total: cmpr.AddedTotal, Pages: pageRefs(cmpr.Added)},
		Removed:       PageDiffJSON{Total: cmpr.RemovedTotal, Pages: pageRefs(cmpr.Removed)},
		StatusChanges: StatusChangesJSON{Total: cmpr.StatusChangesTotal, Changes: []StatusChangeJSON{}}}
	for _, d := range cmpr.Checks {
		cc := CompareCheckJSON{ID: d.CheckID, Title: d.CheckID, New: d.New, Fixed: d.Fixed, Persisting: d.Persisting}
		if ch, ok := audit.CheckByID(d.CheckID); ok {
			cc.Group, cc.Severity, cc.Title = ch.Group, string(ch.Severity), ch.Title
		}
		out.Checks = append(out.Checks, cc)
	}
	slices.SortStableFunc(out.Checks, func(a, b CompareCheckJSON) int {
		return cmp.Or(cmp.Compare(audit.Severity(a.Severity).Rank(), audit.Severity(b.Severity).Rank()),
			cmp.Compare(b.New, a.New), cmp.Compare(b.Persisting, a.Persisting))
	})
	for _, sc := range cmpr.StatusChanges {
		out.StatusChanges.Changes = append(out.StatusChanges.Changes, StatusChangeJSON{URL: sc.URL, A: pageRef(sc.A), B: pageRef(sc.B)})
	}
	writeJSON(w, http.StatusOK, out)
}
