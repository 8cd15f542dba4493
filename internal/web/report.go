package web

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/crawler"
	"github.com/scouter-seo/scouter/internal/store"
)

// reportStore is what the audit report pages read.
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

// Bounds of the report pages' lists.
const (
	detailLinks    = 100 // inlinks and outlinks shown on a page's view
	detailFindings = 500 // findings shown on a page's view
	clusterPages   = 10  // pages listed per duplicate cluster
	compareList    = 100 // pages per list of a comparison
	compareCrawls  = 500 // recent crawls offered by the comparison's picker
	topIssues      = 10  // checks on the dashboard
	depthBuckets   = 10  // depths charted one by one; deeper ones share a "10+" column
)

// reportPages are the report's templates; each is parsed after
// report.html, which defines the navigation they share.
var reportPages = []string{"report", "issues", "pagedetail", "compare"}

func (u *UI) registerReports(mux *http.ServeMux) {
	if err := u.parseReportTemplates(); err != nil {
		panic("web: " + err.Error())
	}
	mux.HandleFunc("GET /crawls/{id}/report", u.reportDashboard)
	mux.HandleFunc("GET /crawls/{id}/issues", u.reportIssues)
	mux.HandleFunc("GET /crawls/{id}/pages/{pageID}", u.pageDetail)
	mux.HandleFunc("GET /crawls/compare", u.compare)
}

// parseReportTemplates adds the report pages to u.pages: each is a clone of
// a parsed page (the layout and its helpers, not yet executed) whose
// "content" the report templates redefine.
func (u *UI) parseReportTemplates() error {
	base, ok := u.pages["error"]
	if !ok {
		return errors.New("report pages: no base template")
	}
	funcs := template.FuncMap{
		"thousands": func(v any) string { return thousands(toInt64(v)) },
		"int64":     toInt64,
		"sub":       func(a, b int64) int64 { return a - b },
		"ptrTime":   func(t time.Time) *time.Time { return &t },
		"ms":        func(us int64) string { return strconv.FormatFloat(float64(us)/1000, 'f', 0, 64) + " ms" },
		"bytes":     formatBytes,
		"sevClass":  sevClass,
		"sevLabel":  sevLabel,
		"statusText": func(status int, fetchError string) string {
			if fetchError != "" {
				return fetchError
			}
			if status == 0 {
				return "—"
			}
			return strconv.Itoa(status)
		},
		"linkFlags": linkFlags,
		"score":     func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
		"delta":     delta,
	}
	for _, name := range reportPages {
		t, err := base.Clone()
		if err != nil {
			return err
		}
		files := []string{"templates/reportnav.html", "templates/report.html"}
		if name != "report" {
			files = append(files, "templates/"+name+".html")
		}
		if _, err := t.Funcs(funcs).ParseFS(templateFS, files...); err != nil {
			return err
		}
		u.pages[name] = t
	}
	return nil
}

// reportNav is the navigation between a crawl's report pages.
type reportNav struct {
	Crawl  store.Crawl
	Active string // report, issues, pages, compare
	Audit  string // done, running, none
}

// crawlFromPath reads the crawl of a /crawls/{id}/… page, answering 404
// itself for an unknown or malformed id.
func (u *UI) crawlFromPath(w http.ResponseWriter, r *http.Request) (store.Crawl, string, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		u.render(w, http.StatusNotFound, "error", "Not found", errorData{Status: 404, Message: "crawl not found"})
		return store.Crawl{}, "", false
	}
	c, err := u.db.CrawlGet(r.Context(), id)
	if err != nil {
		u.fail(w, err, "crawl")
		return c, "", false
	}
	st, err := u.auditState(r.Context(), c)
	if err != nil {
		u.fail(w, err, "job")
		return c, "", false
	}
	return c, st, true
}

// auditState: "running" while the crawl's latest job is an active audit,
// else "done" once audited, else "none".
func (u *UI) auditState(ctx context.Context, c store.Crawl) (string, error) {
	var last *store.Job
	if c.LastJobID != nil {
		j, err := u.db.JobGet(ctx, *c.LastJobID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
		if err == nil {
			last = &j
		}
	}
	return audit.State(c, last), nil
}

// issueRow is a check of the catalogue with its counts in a crawl.
type issueRow = audit.IssueCount

// issueSection is one severity of the issues list.
type issueSection struct {
	Severity audit.Severity
	Rows     []issueRow // with findings, most first
	Clean    []issueRow // without findings, in catalogue order
	Findings int64
}

// issueSections splits audit.Issues by severity (issues, warnings,
// opportunities).
func issueSections(counts []store.FindingCount, cfg audit.Config) []issueSection {
	sections := []issueSection{{Severity: audit.SevIssue}, {Severity: audit.SevWarning}, {Severity: audit.SevOpportunity}}
	for _, row := range audit.Issues(counts, cfg) {
		s := &sections[row.Severity.Rank()]
		if row.Findings > 0 {
			s.Rows = append(s.Rows, row)
			s.Findings += row.Findings
		} else {
			s.Clean = append(s.Clean, row)
		}
	}
	return sections
}

type dashboardData struct {
	Nav        reportNav
	Report     store.CrawlReport
	Indexable  int64
	Errors     int64 // crawled pages answering 4xx, 5xx or nothing
	Severities []issueSection
	Top        []issueRow
	Charts     []chart
}

func (u *UI) reportDashboard(w http.ResponseWriter, r *http.Request) {
	c, st, ok := u.crawlFromPath(w, r)
	if !ok {
		return
	}
	rep, err := u.db.CrawlReport(r.Context(), c.ID)
	if err != nil {
		u.fail(w, err, "report")
		return
	}
	counts, err := u.db.FindingCounts(r.Context(), c.ID)
	if err != nil {
		u.fail(w, err, "report")
		return
	}
	d := dashboardData{Nav: reportNav{Crawl: c, Active: "report", Audit: st}, Report: rep,
		Indexable: rep.Indexability["indexable"], Severities: issueSections(counts, crawler.AuditConfig(c.Options)),
		Errors: rep.StatusClass["4xx"] + rep.StatusClass["5xx"] + rep.StatusClass["no-response"]}
	var sevBars []bar
	for _, s := range d.Severities {
		d.Top = append(d.Top, s.Rows...)
		sevBars = append(sevBars, bar{sevLabel(string(s.Severity)), s.Findings, string(s.Severity)})
	}
	d.Top = d.Top[:min(len(d.Top), topIssues)]
	d.Charts = dashboardCharts(rep, sevBars)
	u.render(w, http.StatusOK, "report", "Dashboard · crawl #"+strconv.FormatInt(c.ID, 10), d)
}

// statusClassLabels name the store's status classes.
var statusClassLabels = map[string]bar{
	"2xx": {"2xx success", 0, "ok"}, "3xx": {"3xx redirect", 0, "redirect"}, "4xx": {"4xx client error", 0, "client-error"},
	"5xx": {"5xx server error", 0, "server-error"}, "no-response": {"No response", 0, "none"}, "throttled": {"Throttled", 0, "throttled"},
}

func dashboardCharts(rep store.CrawlReport, sevBars []bar) []chart {
	var status []bar
	for _, k := range store.StatusClasses {
		b := statusClassLabels[k]
		b.Value = rep.StatusClass[k]
		status = append(status, b)
	}

	var depth []bar
	if n := rep.Depth[-1]; n > 0 {
		depth = append(depth, bar{"none", n, "muted"})
	}
	maxDepth := -1
	for d := range rep.Depth {
		maxDepth = max(maxDepth, d)
	}
	var deep int64
	for d := 0; d <= maxDepth; d++ {
		if d >= depthBuckets {
			deep += rep.Depth[d]
			continue
		}
		depth = append(depth, bar{strconv.Itoa(d), rep.Depth[d], ""})
	}
	if maxDepth >= depthBuckets {
		depth = append(depth, bar{strconv.Itoa(depthBuckets) + "+", deep, ""})
	}

	idx := []bar{{"Indexable", rep.Indexability["indexable"], "ok"}}
	var reasons []bar
	for k, n := range rep.Indexability {
		if k != "indexable" {
			reasons = append(reasons, bar{k, n, "warning"})
		}
	}
	slices.SortFunc(reasons, func(a, b bar) int { return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(a.Label, b.Label)) })
	idx = append(idx, reasons...)

	var rt []bar
	var lo int64
	for i, n := range rep.ResponseTime {
		label := "≥ " + msLabel(lo)
		if i < len(store.ResponseTimeBounds) {
			hi := store.ResponseTimeBounds[i]
			label = rangeLabel(lo, hi)
			if lo == 0 {
				label = "< " + msLabel(hi)
			}
			lo = hi
		}
		rt = append(rt, bar{label, n, ""})
	}

	status0 := newChart("chart-status", "Crawled pages by status", "pages", status)
	depth0 := newChart("chart-depth", "Crawled pages by depth", "pages", depth)
	depth0.Note = "Clicks from the start page; “none”: not reached by links (found in a sitemap only)."
	idx0 := newChart("chart-indexability", "HTML pages (200) by indexability", "pages", idx)
	rt0 := newChart("chart-response", "Response time (time to first byte)", "pages", rt)
	sev0 := newChart("chart-severity", "Findings by severity", "findings", sevBars)
	return []chart{barChart(status0), columnChart(depth0), barChart(idx0), columnChart(rt0), barChart(sev0)}
}

// rangeLabel names a range of microseconds: "100–250 ms", "500 ms–1 s", "1–2 s".
func rangeLabel(lo, hi int64) string {
	l, h := msLabel(lo), msLabel(hi)
	if lu, hu := l[strings.LastIndexByte(l, ' '):], h[strings.LastIndexByte(h, ' '):]; lu == hu {
		return strings.TrimSuffix(l, lu) + "–" + h
	}
	return l + "–" + h
}

func msLabel(us int64) string {
	if us >= 1_000_000 {
		return strconv.FormatInt(us/1_000_000, 10) + " s"
	}
	return strconv.FormatInt(us/1000, 10) + " ms"
}

type issuesData struct {
	Nav      reportNav
	Sections []issueSection
	Total    int64
}

func (u *UI) reportIssues(w http.ResponseWriter, r *http.Request) {
	c, st, ok := u.crawlFromPath(w, r)
	if !ok {
		return
	}
	counts, err := u.db.FindingCounts(r.Context(), c.ID)
	if err != nil {
		u.fail(w, err, "issues")
		return
	}
	d := issuesData{Nav: reportNav{Crawl: c, Active: "issues", Audit: st}, Sections: issueSections(counts, crawler.AuditConfig(c.Options))}
	for _, s := range d.Sections {
		d.Total += s.Findings
	}
	u.render(w, http.StatusOK, "issues", "Issues · crawl #"+strconv.FormatInt(c.ID, 10), d)
}

// findingRow is a finding of the page with its check.
type findingRow struct {
	store.Finding
	Check audit.Check // zero Title for a check the catalogue does not know
}

// hreflangEntry is one alternate of a page.
type hreflangEntry struct {
	Lang string `json:"lang"`
	URL  string `json:"url"`
}

// cluster is a duplicate cluster of the page.
type cluster struct {
	Label string
	ID    int64
	Total int64
	Pages []store.PageRef
}

type pageDetailData struct {
	Nav           reportNav
	Page          store.Page
	Hreflang      []hreflangEntry
	JSONLDTypes   []string
	Findings      []findingRow
	Inlinks       []store.LinkURLs
	InlinksTotal  int64
	Outlinks      []store.LinkURLs
	OutlinksTotal int64
	Chain         *store.RedirectChain
	Clusters      []cluster
}

var clusterLabels = map[string]string{"title_dup": "Title", "description_dup": "Meta description", "h1_dup": "H1",
	"content_dup": "Exact duplicate content", "near_dup": "Near-duplicate content"}

func (u *UI) pageDetail(w http.ResponseWriter, r *http.Request) {
	c, st, ok := u.crawlFromPath(w, r)
	if !ok {
		return
	}
	pageID, err := strconv.ParseInt(r.PathValue("pageID"), 10, 64)
	if err != nil || pageID <= 0 {
		u.render(w, http.StatusNotFound, "error", "Not found", errorData{Status: 404, Message: "page not found"})
		return
	}
	ctx := r.Context()
	p, err := u.db.PageGet(ctx, c.ID, pageID)
	if err != nil {
		u.fail(w, err, "page")
		return
	}
	d := pageDetailData{Nav: reportNav{Crawl: c, Active: "pages", Audit: st}, Page: p}
	// Stored by the crawler; a value that does not parse is shown as none.
	json.Unmarshal([]byte(p.Hreflang), &d.Hreflang)
	json.Unmarshal([]byte(p.JSONLDTypes), &d.JSONLDTypes)
	findings, err := u.db.PageFindings(ctx, c.ID, p.ID, detailFindings)
	if err != nil {
		u.fail(w, err, "page")
		return
	}
	for _, f := range findings {
		ch, _ := audit.CheckByID(f.CheckID)
		d.Findings = append(d.Findings, findingRow{Finding: f, Check: ch})
	}
	slices.SortStableFunc(d.Findings, func(a, b findingRow) int {
		return cmp.Compare(a.Check.Severity.Rank(), b.Check.Severity.Rank())
	})
	if d.Inlinks, d.InlinksTotal, err = u.db.PageInlinks(ctx, c.ID, p.ID, detailLinks); err != nil {
		u.fail(w, err, "page")
		return
	}
	if d.Outlinks, d.OutlinksTotal, err = u.db.PageOutlinks(ctx, c.ID, p.ID, detailLinks); err != nil {
		u.fail(w, err, "page")
		return
	}
	if p.RedirectURL != "" {
		chain, err := u.db.RedirectChain(ctx, p)
		if err != nil {
			u.fail(w, err, "page")
			return
		}
		d.Chain = &chain
	}
	ids := []int64{p.TitleDup, p.DescriptionDup, p.H1Dup, p.ContentDup, p.NearDup}
	for i, kind := range store.DuplicateKinds {
		if ids[i] == 0 {
			continue
		}
		refs, total, err := u.db.DuplicateCluster(ctx, c.ID, kind, ids[i], clusterPages)
		if err != nil {
			u.fail(w, err, "page")
			return
		}
		d.Clusters = append(d.Clusters, cluster{Label: clusterLabels[kind], ID: ids[i], Total: total, Pages: refs})
	}
	u.render(w, http.StatusOK, "pagedetail", "Page #"+strconv.FormatInt(p.ID, 10)+" · crawl #"+strconv.FormatInt(c.ID, 10), d)
}

// compareRow is one check across the two crawls.
type compareRow struct {
	store.CheckDiff
	Check audit.Check
}

// kpiRow is one line of the side-by-side summary.
type kpiRow struct {
	Label  string
	A, B   int64
	Unit   string // "ms" for times; counts otherwise
	Better string // "lower" or "higher" is good news; "" neutral
}

type compareData struct {
	Nav     *reportNav // the newer crawl's navigation, when chosen
	Crawls  []store.Crawl
	A, B    *store.Crawl
	Message string // why there is no comparison yet
	KPIs    []kpiRow
	Cmp     store.Comparison
	Checks  []compareRow
}

// compare: GET /crawls/compare?a=ID&b=ID. With b alone, a defaults to the
// latest earlier crawl of the same host; the picker offers recent crawls of
// that host (every recent crawl when none is chosen).
func (u *UI) compare(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var d compareData
	var chosen [2]*store.Crawl
	for i, name := range []string{"a", "b"} {
		v := r.URL.Query().Get(name)
		if v == "" {
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			u.render(w, http.StatusBadRequest, "error", "Bad request", errorData{Status: 400, Message: name + " must be a crawl id"})
			return
		}
		c, err := u.db.CrawlGet(ctx, id)
		if err != nil {
			u.fail(w, err, "crawl")
			return
		}
		chosen[i] = &c
	}
	recent, err := u.db.CrawlList(ctx, 0, compareCrawls)
	if err != nil {
		u.fail(w, err, "crawls")
		return
	}
	host := ""
	for _, c := range []*store.Crawl{chosen[1], chosen[0]} {
		if c != nil && host == "" {
			host = startHost(c.StartURL)
		}
	}
	for _, c := range recent {
		if host == "" || startHost(c.StartURL) == host {
			d.Crawls = append(d.Crawls, c)
		}
	}
	if chosen[0] == nil && chosen[1] != nil {
		// CrawlList is newest first: the first older crawl of the host.
		for _, c := range d.Crawls {
			if c.ID < chosen[1].ID {
				chosen[0] = &c
				break
			}
		}
	}
	d.A, d.B = chosen[0], chosen[1]
	if d.B != nil {
		st, err := u.auditState(ctx, *d.B)
		if err != nil {
			u.fail(w, err, "job")
			return
		}
		d.Nav = &reportNav{Crawl: *d.B, Active: "compare", Audit: st}
	}
	switch {
	case d.A == nil && d.B != nil:
		d.Message = "No earlier crawl of this site to compare with: pick two crawls."
	case d.A == nil || d.B == nil:
		d.Message = "Pick the two crawls to compare."
	case d.A.ID == d.B.ID:
		d.Message = "Pick two different crawls."
	}
	if d.Message != "" {
		u.render(w, http.StatusOK, "compare", "Compare crawls", d)
		return
	}
	if d.Cmp, err = u.db.CrawlCompare(ctx, store.CompareParams{A: d.A.ID, B: d.B.ID, Limit: compareList, ValueChecks: audit.ValueChecks()}); err != nil {
		u.fail(w, err, "comparison")
		return
	}
	for _, cd := range d.Cmp.Checks {
		ch, ok := audit.CheckByID(cd.CheckID)
		if !ok {
			ch = audit.Check{ID: cd.CheckID, Title: cd.CheckID}
		}
		d.Checks = append(d.Checks, compareRow{CheckDiff: cd, Check: ch})
	}
	slices.SortStableFunc(d.Checks, func(a, b compareRow) int {
		return cmp.Or(cmp.Compare(a.Check.Severity.Rank(), b.Check.Severity.Rank()), cmp.Compare(b.New, a.New),
			cmp.Compare(b.Persisting, a.Persisting))
	})
	if d.KPIs, err = u.compareKPIs(ctx, d.A.ID, d.B.ID); err != nil {
		u.fail(w, err, "comparison")
		return
	}
	u.render(w, http.StatusOK, "compare", "Compare crawls #"+strconv.FormatInt(d.A.ID, 10)+" and #"+strconv.FormatInt(d.B.ID, 10), d)
}

// compareKPIs puts the two dashboards' headline numbers side by side.
func (u *UI) compareKPIs(ctx context.Context, a, b int64) ([]kpiRow, error) {
	var reps [2]store.CrawlReport
	var sevs [2][3]int64
	for i, id := range []int64{a, b} {
		var err error
		if reps[i], err = u.db.CrawlReport(ctx, id); err != nil {
			return nil, err
		}
		counts, err := u.db.FindingCounts(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, fc := range counts {
			if ch, ok := audit.CheckByID(fc.CheckID); ok {
				sevs[i][ch.Severity.Rank()] += fc.Findings
			}
		}
	}
	rows := []kpiRow{
		{Label: "Pages crawled", A: reps[0].Pages[store.PageCrawled], B: reps[1].Pages[store.PageCrawled]},
		{Label: "Indexable HTML pages", A: reps[0].Indexability["indexable"], B: reps[1].Indexability["indexable"]},
	}
	for _, k := range store.StatusClasses {
		better := "lower"
		if k == "2xx" {
			better = ""
		}
		rows = append(rows, kpiRow{Label: statusClassLabels[k].Label, A: reps[0].StatusClass[k], B: reps[1].StatusClass[k], Better: better})
	}
	for i, sev := range []string{"issue", "warning", "opportunity"} {
		rows = append(rows, kpiRow{Label: sevLabel(sev), A: sevs[0][i], B: sevs[1][i], Better: "lower"})
	}
	rows = append(rows, kpiRow{Label: "Median response time", A: reps[0].TTFBMedian / 1000, B: reps[1].TTFBMedian / 1000, Unit: "ms", Better: "lower"})
	return rows, nil
}

// startHost is the host of a crawl's start URL, lower-cased.
func startHost(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

func sevClass(s audit.Severity) string {
	switch s {
	case audit.SevIssue, audit.SevWarning, audit.SevOpportunity:
		return "sev-" + string(s)
	}
	return "sev-unknown"
}

func sevLabel(s string) string {
	switch audit.Severity(s) {
	case audit.SevIssue:
		return "Issues"
	case audit.SevWarning:
		return "Warnings"
	case audit.SevOpportunity:
		return "Opportunities"
	}
	return "Other"
}

// linkFlags lists a link's rel flags for display.
func linkFlags(f int) string {
	var out []string
	for _, x := range []struct {
		bit  int
		name string
	}{{store.LinkNofollow, "nofollow"}, {store.LinkUGC, "ugc"}, {store.LinkSponsored, "sponsored"},
		{store.LinkTargetBlank, "_blank"}, {store.LinkAltMissing, "no alt"}} {
		if f&x.bit != 0 {
			out = append(out, x.name)
		}
	}
	return strings.Join(out, ", ")
}

// delta is b − a with its sign, and a class saying whether it is good
// news (better: "lower", "higher", or "" when neither).
func delta(a, b int64, better string) struct{ Text, Class string } {
	d := b - a
	out := struct{ Text, Class string }{Text: "±0", Class: "same"}
	if d == 0 {
		return out
	}
	out.Text = thousands(d)
	if d > 0 {
		out.Text = "+" + out.Text
	}
	switch {
	case better == "":
		out.Class = "changed"
	case (d < 0) == (better == "lower"):
		out.Class = "better"
	default:
		out.Class = "worse"
	}
	return out
}

// toInt64 converts the integers templates hold (len gives int, counts are
// int or int64).
func toInt64(v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	case int32:
		return int64(x)
	}
	return 0
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}
