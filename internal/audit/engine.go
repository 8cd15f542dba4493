package audit

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/scouter-seo/scouter/internal/store"
)

// Analysis runs the catalogue over one crawl. The caller creates it with
// every page of the crawl (store.AuditPages, in id order), streams the
// crawl's links through AddLinks in (source, position) order, in chunks of
// any size, then calls Finish once. Memory is the pages, a few counters per
// page and the distinct followed links between eligible pages (8 bytes
// each) for the link score: links are never all held at once.
type Analysis struct {
	cfg     Config
	crawlID int64
	pages   []store.AuditPage
	index   map[int64]int32 // page id → position in pages
	byURL   map[string]int32
	html    []bool // HTML page (see the catalogue's terms)
	res     []store.PageAudit

	// The link graph.
	lastSrc  []int32 // per target: 1 + the last source counted in UniqueInlinks
	linked   []bool  // target of an anchor edge
	eligible []int32 // dense link-score index + 1, 0 when not eligible
	nodes    int
	pairs    []Pair
	hreflang map[int32][]int32 // HTML page → distinct hreflang targets, in order

	// Per-source state: links of one source arrive together.
	src      int32 // position of the current source, -1 before the first
	seen     map[srcKey]bool
	findings []store.Finding
}

type srcKey struct {
	check  string
	target int32
}

// NewAnalysis prepares the analysis of pages (all of one crawl, any order).
func NewAnalysis(cfg Config, crawlID int64, pages []store.AuditPage) *Analysis {
	cfg = cfg.WithDefaults()
	slices.SortFunc(pages, func(a, b store.AuditPage) int { return cmp.Compare(a.ID, b.ID) })
	n := len(pages)
	a := &Analysis{cfg: cfg, crawlID: crawlID, pages: pages,
		index: make(map[int64]int32, n), byURL: make(map[string]int32, n),
		html: make([]bool, n), res: make([]store.PageAudit, n),
		lastSrc: make([]int32, n), linked: make([]bool, n), eligible: make([]int32, n),
		hreflang: map[int32][]int32{}, src: -1, seen: map[srcKey]bool{}}
	for i := range pages {
		p := &pages[i]
		a.index[p.ID] = int32(i)
		a.byURL[p.URL] = int32(i)
		a.html[i] = isHTML(p)
		if a.html[i] && p.Indexable {
			a.nodes++
			a.eligible[i] = int32(a.nodes)
		}
	}
	return a
}

func crawled(p *store.AuditPage) bool { return p.Internal && p.State == store.PageCrawled }

func isHTML(p *store.AuditPage) bool {
	return crawled(p) && p.Status == 200 && p.FetchError == "" &&
		(p.ContentType == "text/html" || p.ContentType == "application/xhtml+xml")
}

// broken: a crawled page answering 4xx or 5xx (not throttled) or nothing.
func broken(p *store.AuditPage) bool {
	return crawled(p) && (p.Indexability == "client-error" || p.Indexability == "server-error" || p.FetchError != "")
}

func redirecting(p *store.AuditPage) bool { return crawled(p) && p.Indexability == "redirect" }

// add records a finding on page i.
func (a *Analysis) add(check string, i int32, element string) {
	if !a.cfg.Enabled(check) {
		return
	}
	a.res[i].FindingCount++
	a.findings = append(a.findings, store.Finding{CrawlID: a.crawlID, CheckID: check, PageID: a.pages[i].ID, Element: element})
}

// addOnce records a finding about target t on the current source, once per
// distinct target.
func (a *Analysis) addOnce(check string, t int32) {
	k := srcKey{check, t}
	if a.seen[k] {
		return
	}
	a.seen[k] = true
	a.add(check, a.src, a.pages[t].URL)
}

// AddLinks feeds the next links of the crawl, in (source, position) order.
// Links whose source or target is not a page of the crawl are ignored.
func (a *Analysis) AddLinks(links []store.AuditLink) {
	for _, l := range links {
		s, ok1 := a.index[l.SourceID]
		t, ok2 := a.index[l.TargetID]
		if !ok1 || !ok2 {
			continue
		}
		if s != a.src {
			a.src = s
			clear(a.seen)
		}
		a.link(s, t, &l)
	}
}

func (a *Analysis) link(s, t int32, l *store.AuditLink) {
	html := a.html[s]
	target := &a.pages[t]
	switch l.Kind {
	case "anchor":
		if l.Internal && s != t {
			r := &a.res[t]
			r.Inlinks++
			if a.lastSrc[t] != s+1 {
				a.lastSrc[t] = s + 1
				r.UniqueInlinks++
			}
			a.linked[t] = true
			if html && broken(target) {
				a.addOnce("link_to_broken", t)
			}
			if html && redirecting(target) {
				a.addOnce("link_to_redirect", t)
			}
			if l.Flags&store.LinkNofollow == 0 && a.eligible[s] > 0 && a.eligible[t] > 0 {
				k := srcKey{"\x00pair", t}
				if !a.seen[k] {
					a.seen[k] = true
					a.pairs = append(a.pairs, Pair{a.eligible[s] - 1, a.eligible[t] - 1})
				}
			}
		}
		if html && l.Internal && l.Flags&store.LinkNofollow != 0 {
			a.addOnce("nofollow_internal", t)
		}
		a.httpOnHTTPS(s, t)
	case "image":
		if html && l.Flags&store.LinkAltMissing != 0 {
			a.addOnce("image_missing_alt", t)
		}
		a.httpOnHTTPS(s, t)
	case "hreflang":
		if html {
			k := srcKey{"\x00hreflang", t}
			if !a.seen[k] {
				a.seen[k] = true
				a.hreflang[s] = append(a.hreflang[s], t)
			}
		}
	}
}

func (a *Analysis) httpOnHTTPS(s, t int32) {
	if a.html[s] && strings.HasPrefix(a.pages[s].URL, "https://") && strings.HasPrefix(a.pages[t].URL, "http://") {
		a.addOnce("http_link_on_https", t)
	}
}

// Finish runs the page checks and the whole-crawl computations (link
// score, redirect chains, duplicates, orphans) and returns every page's
// results (in id order) and every finding.
func (a *Analysis) Finish() ([]store.PageAuditRow, []store.Finding) {
	a.src = -1
	_, score := linkScoreDense(a.nodes, a.pairs)
	a.pairs = nil
	for i := range a.pages {
		if e := a.eligible[i]; e > 0 {
			a.res[i].LinkScore = score[e-1]
		}
	}
	chains := a.redirectChains()
	dups := a.duplicates()
	for i := range a.pages {
		a.pageChecks(int32(i), chains, dups)
	}
	rows := make([]store.PageAuditRow, len(a.pages))
	for i := range a.pages {
		rows[i] = store.PageAuditRow{ID: a.pages[i].ID, PageAudit: a.res[i]}
	}
	// Seq numbers a page's findings of one check in the order they were
	// found (links in document order): a stable sort keeps that order.
	slices.SortStableFunc(a.findings, func(x, y store.Finding) int {
		return cmp.Or(strings.Compare(x.CheckID, y.CheckID), cmp.Compare(x.PageID, y.PageID))
	})
	for i := range a.findings {
		if i > 0 && a.findings[i-1].CheckID == a.findings[i].CheckID && a.findings[i-1].PageID == a.findings[i].PageID {
			a.findings[i].Seq = a.findings[i-1].Seq + 1
		}
	}
	return rows, a.findings
}

func (a *Analysis) redirectChains() map[int64]Chain {
	redirects := map[int64]int64{}
	for i := range a.pages {
		p := &a.pages[i]
		if !redirecting(p) {
			continue
		}
		var to int64
		if t, ok := a.byURL[p.RedirectURL]; ok && p.RedirectURL != "" {
			to = a.pages[t].ID
		}
		redirects[p.ID] = to
	}
	chains := RedirectChains(redirects)
	for id, c := range chains {
		r := &a.res[a.index[id]]
		r.RedirectFinalID, r.RedirectHops, r.RedirectLoop = c.Final, c.Length, c.Loop
	}
	return chains
}

// dupInfo is the duplicate clusters: per check, page position → the element
// (shared text or the other page's URL).
type dupInfo map[string]map[int32]string

func (a *Analysis) duplicates() dupInfo {
	var dp []DupPage
	for i := range a.pages {
		p := &a.pages[i]
		if a.html[i] && p.Indexable {
			dp = append(dp, DupPage{ID: p.ID, Title: p.Title, Description: p.Description, H1: p.H1,
				ContentHash: uint64(p.ContentHash), SimHash: uint64(p.SimHash)})
		}
	}
	info := dupInfo{}
	text := func(check string, field func(DupPage) string, set func(*store.PageAudit, int64)) {
		m := map[int32]string{}
		for _, c := range DuplicateClusters(dp, field) {
			for _, id := range c {
				i := a.index[id]
				set(&a.res[i], c[0])
				m[i] = NormalizeText(field(DupPage{Title: a.pages[i].Title, Description: a.pages[i].Description, H1: a.pages[i].H1}))
			}
		}
		info[check] = m
	}
	text("title_duplicate", ByTitle, func(r *store.PageAudit, g int64) { r.TitleDup = g })
	text("description_duplicate", ByDescription, func(r *store.PageAudit, g int64) { r.DescriptionDup = g })
	text("h1_duplicate", ByH1, func(r *store.PageAudit, g int64) { r.H1Dup = g })
	other := func(check string, clusters [][]int64, set func(*store.PageAudit, int64)) {
		m := map[int32]string{}
		for _, c := range clusters {
			for _, id := range c {
				i := a.index[id]
				set(&a.res[i], c[0])
				o := c[0]
				if o == id {
					o = c[1]
				}
				m[i] = a.pages[a.index[o]].URL
			}
		}
		info[check] = m
	}
	other("duplicate_content", ExactDuplicates(dp), func(r *store.PageAudit, g int64) { r.ContentDup = g })
	other("near_duplicate", NearDuplicates(dp, a.cfg.NearDistance), func(r *store.PageAudit, g int64) { r.NearDup = g })
	return info
}

func (a *Analysis) pageChecks(i int32, chains map[int64]Chain, dups dupInfo) {
	p := &a.pages[i]
	c := a.cfg
	itoa := strconv.Itoa
	if !p.Internal {
		return
	}
	if p.State == store.PageBlocked {
		a.add("blocked_by_robots", i, "")
	}
	if p.InSitemap && !a.linked[i] {
		a.add("orphan", i, "")
	}
	if !crawled(p) {
		return
	}

	// Response codes and redirects.
	switch {
	case p.FetchError != "":
		a.add("fetch_failed", i, p.FetchError)
	case p.Indexability == "client-error":
		a.add("status_4xx", i, itoa(p.Status))
	case p.Indexability == "server-error":
		a.add("status_5xx", i, itoa(p.Status))
	case p.Indexability == "throttled":
		a.add("throttled", i, itoa(p.Status))
	case p.Indexability == "redirect":
		a.add("redirect", i, p.RedirectURL)
		ch := chains[p.ID]
		switch {
		case ch.Loop:
			a.add("redirect_loop", i, a.urlOf(ch.Hops[len(ch.Hops)-1]))
		case ch.Length >= 2:
			a.add("redirect_chain", i, a.urlOf(ch.Final))
		}
	}
	if p.InSitemap && (p.Status != 200 || p.FetchError != "") {
		el := p.FetchError
		if el == "" {
			el = itoa(p.Status)
		}
		a.add("sitemap_non200", i, el)
	}
	if p.FetchError == "" && p.TTFBMicros > int64(c.SlowTTFBMs)*1000 {
		a.add("slow_page", i, strconv.FormatInt(p.TTFBMicros/1000, 10)+" ms")
	}
	if !a.html[i] {
		return
	}

	// Titles, descriptions, headings.
	text := func(kind string, count, length int, value string, lo, hi int) {
		norm := NormalizeText(value)
		switch {
		case count == 0:
			a.add(kind+"_missing", i, "")
		case norm == "":
			a.add(kind+"_empty", i, "")
		}
		if count > 1 {
			a.add(kind+"_multiple", i, itoa(count))
		}
		if length > hi {
			a.add(kind+"_too_long", i, norm)
		}
		if norm != "" && length < lo {
			a.add(kind+"_too_short", i, norm)
		}
	}
	text("title", p.TitleCount, p.TitleLength, p.Title, c.TitleMin, c.TitleMax)
	text("description", p.DescriptionCount, p.DescriptionLength, p.Description, c.DescriptionMin, c.DescriptionMax)
	if p.H1Count == 0 || NormalizeText(p.H1) == "" {
		a.add("h1_missing", i, "")
	}
	if p.H1Count > 1 {
		a.add("h1_multiple", i, itoa(p.H1Count))
	}
	for _, check := range []string{"title_duplicate", "description_duplicate", "h1_duplicate", "duplicate_content", "near_duplicate"} {
		if el, ok := dups[check][i]; ok {
			a.add(check, i, el)
		}
	}

	// Indexability and canonicals.
	if !p.Indexable {
		a.add("non_indexable", i, p.Indexability)
		if p.InSitemap {
			a.add("sitemap_non_indexable", i, p.Indexability)
		}
	}
	switch {
	case p.Canonical == "":
		a.add("canonical_missing", i, "")
	case p.Canonical != p.URL:
		a.add("canonical_elsewhere", i, p.Canonical)
		if t, ok := a.byURL[p.Canonical]; ok {
			tp := &a.pages[t]
			switch {
			case !crawled(tp):
			case tp.Status >= 400 || tp.FetchError != "":
				a.add("canonical_to_non200", i, p.Canonical)
			case tp.Indexability == "redirect":
				a.add("canonical_to_redirect", i, p.Canonical)
			case a.html[t] && tp.Indexability == "noindex":
				a.add("canonical_to_noindex", i, p.Canonical)
			}
		}
	}

	// Hreflang.
	for _, t := range a.hreflang[i] {
		if t == i {
			continue
		}
		tp := &a.pages[t]
		if crawled(tp) && (tp.Status != 200 || tp.FetchError != "") {
			a.add("hreflang_to_non200", i, tp.URL)
		}
		if a.html[t] && !slices.Contains(a.hreflang[t], i) {
			a.add("hreflang_no_return", i, tp.URL)
		}
	}

	// Architecture, performance, content.
	if p.Depth > c.MaxDepth {
		a.add("deep_page", i, itoa(p.Depth))
	}
	if p.InternalOutlinks == 0 {
		a.add("no_internal_outlinks", i, "")
	}
	if p.Size > c.LargeBytes || p.Truncated {
		a.add("large_page", i, strconv.FormatInt(p.Size, 10))
	}
	if p.Indexable && p.WordCount < c.ThinWords {
		a.add("thin_content", i, itoa(p.WordCount))
	}
}

func (a *Analysis) urlOf(id int64) string {
	if id == 0 {
		return ""
	}
	return a.pages[a.index[id]].URL
}
