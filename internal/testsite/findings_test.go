package testsite

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	auditpkg "github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/extract"
)

// TestFindingsWellFormed checks the hand-written findings against the
// catalogue and against the page rows they were written next to.
func TestFindingsWellFormed(t *testing.T) {
	for _, seed := range []bool{false, true} {
		tr := auditTruth(seed)
		pages := pagesByURL(tr)
		seen := map[string]int{}
		for i, f := range tr.Findings {
			seen[f.Check]++
			if i > 0 && tr.Findings[i-1].compare(f) >= 0 {
				t.Errorf("seed=%v: findings not sorted or not unique at %+v", seed, f)
			}
			if _, ok := auditpkg.CheckByID(f.Check); !ok {
				t.Errorf("seed=%v: %+v: no such check in the catalogue", seed, f)
			}
			p, ok := pages[f.URL]
			if !ok || !isInternal(f.URL) {
				t.Errorf("seed=%v: %+v: not an internal page of the truth", seed, f)
				continue
			}
			if want, ok := copiedElement(f.Check, p); ok && f.Element != want {
				t.Errorf("seed=%v: %+v: element is not the page's %q", seed, f, want)
			}
		}
		for _, c := range auditpkg.Catalogue {
			if seen[c.ID] == 0 {
				t.Errorf("seed=%v: no page triggers %s", seed, c.ID)
			}
		}
		for _, f := range tr.Findings {
			if f.URL == CleanPageURL {
				t.Errorf("seed=%v: the clean page has a finding: %+v", seed, f)
			}
		}
		if p := pages[CleanPageURL]; p.State != StateCrawled || p.Status != 200 || !p.Indexable || p.Canonical != CleanPageURL {
			t.Errorf("seed=%v: clean page row %+v", seed, p)
		}
	}
	// Seeding changes the orphan's findings only.
	off, on := map[Finding]bool{}, map[Finding]bool{}
	for _, f := range auditTruth(false).Findings {
		off[f] = true
	}
	for _, f := range auditTruth(true).Findings {
		on[f] = true
	}
	for f := range on {
		if !off[f] && f.URL != www+"/orphan" {
			t.Errorf("%+v only with seeding", f)
		}
	}
	for f := range off {
		if !on[f] {
			t.Errorf("%+v only without seeding", f)
		}
	}
}

// copiedElement is the element a check's finding must hold when it is a
// plain copy of a field of the page row.
func copiedElement(check string, p Page) (string, bool) {
	switch check {
	case "title_too_short", "title_too_long", "title_duplicate":
		return p.Title, true
	case "description_too_short", "description_too_long", "description_duplicate":
		return p.Description, true
	case "h1_duplicate":
		return p.H1, true
	case "h1_multiple":
		return strconv.Itoa(p.H1Count), true
	case "status_4xx", "status_5xx", "throttled":
		return strconv.Itoa(p.Status), true
	case "fetch_failed":
		return p.FetchError, true
	case "redirect":
		return p.RedirectURL, true
	case "canonical_elsewhere", "canonical_to_non200", "canonical_to_redirect", "canonical_to_noindex":
		return p.Canonical, true
	case "non_indexable", "sitemap_non_indexable":
		return p.Indexability, true
	case "deep_page":
		return strconv.Itoa(p.Depth), true
	case "thin_content":
		return strconv.Itoa(p.WordCount), true
	case "large_page":
		return strconv.FormatInt(p.Size, 10), true
	case "slow_page":
		return "*", true
	case "blocked_by_robots", "title_missing", "title_empty", "description_missing", "description_empty",
		"h1_missing", "canonical_missing", "orphan", "no_internal_outlinks":
		return "", true
	}
	return "", false
}

// TestFindingsRecomputed applies the catalogue's rules mechanically to the
// page and link truth and to the pages as served (title and description
// counts, images without alt, the content fingerprints of the extract
// package), and compares with the hand-written findings: two derivations
// that must agree, like TestTruthDepths for depths.
func TestFindingsRecomputed(t *testing.T) {
	for _, seed := range []bool{false, true} {
		tr := auditTruth(seed)
		got := recomputeFindings(t, tr)
		want := map[Finding]bool{}
		for _, f := range tr.Findings {
			want[f] = true
		}
		for f := range got {
			if !want[f] {
				t.Errorf("seed=%v: the rules give %+v, the truth does not", seed, f)
			}
		}
		for f := range want {
			if !got[f] {
				t.Errorf("seed=%v: the truth has %+v, the rules do not give it", seed, f)
			}
		}
	}
}

func recomputeFindings(t *testing.T, tr Truth) map[Finding]bool {
	t.Helper()
	cfg := auditpkg.Defaults
	cfg.SlowTTFBMs = AuditSlowTTFBMs
	pages := pagesByURL(tr)
	out := map[Finding]bool{}
	add := func(check, u, el string) { out[Finding{check, u, el}] = true }

	html := func(p Page) bool {
		return p.State == StateCrawled && p.Status == 200 && p.FetchError == "" &&
			(p.ContentType == "text/html" || p.ContentType == "application/xhtml+xml")
	}
	links := map[string][]Link{}
	anchored := map[string]bool{} // targets of anchor edges
	for _, l := range tr.Links {
		links[l.From] = append(links[l.From], l)
		if l.Kind == KindAnchor && l.Internal && l.To != l.From {
			anchored[l.To] = true
		}
	}
	served := map[string]*oracle{}
	for _, p := range tr.Pages {
		if !html(p) {
			continue
		}
		d := audit().byURL[p.URL]
		body := d.content()
		if len(body) > AuditMaxBody {
			body = body[:AuditMaxBody]
		}
		if strings.Contains(d.contentType(), "iso-8859-1") {
			body = latin1ToUTF8(body)
		}
		o, err := readPage(p.URL, body)
		if err != nil {
			t.Fatal(err)
		}
		served[p.URL] = o
	}

	brokenStatus := func(p Page) bool {
		return p.State == StateCrawled && (p.Indexability == "client-error" || p.Indexability == "server-error" || p.FetchError != "")
	}
	for _, p := range tr.Pages {
		u := p.URL
		if !isInternal(u) {
			continue
		}
		if p.State == StateBlocked {
			add("blocked_by_robots", u, "")
		}
		if p.InSitemap && !anchored[u] {
			add("orphan", u, "")
		}
		if p.State != StateCrawled {
			continue
		}
		switch p.Indexability {
		case "client-error":
			add("status_4xx", u, strconv.Itoa(p.Status))
		case "server-error":
			add("status_5xx", u, strconv.Itoa(p.Status))
		case "throttled":
			add("throttled", u, strconv.Itoa(p.Status))
		case "redirect":
			add("redirect", u, p.RedirectURL)
			chain, met, loop := []string{u}, map[string]bool{u: true}, ""
			for cur := u; pages[cur].Indexability == "redirect"; {
				cur = pages[cur].RedirectURL
				if met[cur] {
					loop = cur
					break
				}
				met[cur] = true
				chain = append(chain, cur)
			}
			switch {
			case loop != "":
				add("redirect_loop", u, loop)
			case len(chain)-1 >= 2:
				add("redirect_chain", u, chain[len(chain)-1])
			}
		}
		if p.FetchError != "" {
			add("fetch_failed", u, p.FetchError)
		}
		if p.InSitemap && (p.Status != 200 || p.FetchError != "") {
			el := strconv.Itoa(p.Status)
			if p.FetchError != "" {
				el = p.FetchError
			}
			add("sitemap_non200", u, el)
		}
		if p.FetchError == "" && p.MinTTFB > time.Duration(cfg.SlowTTFBMs)*time.Millisecond {
			add("slow_page", u, "*")
		}
		if !html(p) {
			continue
		}
		o := served[u]
		for _, l := range links[u] {
			if l.Kind == KindAnchor && l.Internal && l.To != u {
				if brokenStatus(pages[l.To]) {
					add("link_to_broken", u, l.To)
				}
				if pages[l.To].State == StateCrawled && pages[l.To].Indexability == "redirect" {
					add("link_to_redirect", u, l.To)
				}
			}
			if l.Kind == KindAnchor && l.Internal && l.Nofollow {
				add("nofollow_internal", u, l.To)
			}
			if (l.Kind == KindAnchor || l.Kind == KindImage) && strings.HasPrefix(u, "https:") && strings.HasPrefix(l.To, "http:") {
				add("http_link_on_https", u, l.To)
			}
		}
		for _, src := range o.missingAlt {
			add("image_missing_alt", u, src)
		}

		switch {
		case o.titles == 0:
			add("title_missing", u, "")
		case p.Title == "":
			add("title_empty", u, "")
		case runes(p.Title) < cfg.TitleMin:
			add("title_too_short", u, p.Title)
		}
		if o.titles >= 2 {
			add("title_multiple", u, strconv.Itoa(o.titles))
		}
		if runes(p.Title) > cfg.TitleMax {
			add("title_too_long", u, p.Title)
		}
		switch {
		case o.descriptions == 0:
			add("description_missing", u, "")
		case p.Description == "":
			add("description_empty", u, "")
		case runes(p.Description) < cfg.DescriptionMin:
			add("description_too_short", u, p.Description)
		}
		if o.descriptions >= 2 {
			add("description_multiple", u, strconv.Itoa(o.descriptions))
		}
		if runes(p.Description) > cfg.DescriptionMax {
			add("description_too_long", u, p.Description)
		}
		if p.H1Count == 0 || p.H1 == "" {
			add("h1_missing", u, "")
		}
		if p.H1Count >= 2 {
			add("h1_multiple", u, strconv.Itoa(p.H1Count))
		}

		if !p.Indexable {
			add("non_indexable", u, p.Indexability)
			if p.InSitemap {
				add("sitemap_non_indexable", u, p.Indexability)
			}
		}
		if p.Canonical == "" {
			add("canonical_missing", u, "")
		} else if p.Canonical != u {
			add("canonical_elsewhere", u, p.Canonical)
			c := pages[p.Canonical]
			if c.State == StateCrawled && (c.Status >= 400 || c.FetchError != "") {
				add("canonical_to_non200", u, p.Canonical)
			}
			if c.State == StateCrawled && c.Indexability == "redirect" {
				add("canonical_to_redirect", u, p.Canonical)
			}
			if html(c) && c.Indexability == "noindex" {
				add("canonical_to_noindex", u, p.Canonical)
			}
		}
		for _, h := range p.Hreflang {
			c := pages[h.URL]
			if h.URL != u && html(c) && !slices.ContainsFunc(c.Hreflang, func(r Hreflang) bool { return r.URL == u }) {
				add("hreflang_no_return", u, h.URL)
			}
			if c.State == StateCrawled && (c.Status != 200 || c.FetchError != "") {
				add("hreflang_to_non200", u, h.URL)
			}
		}
		if p.Depth > cfg.MaxDepth {
			add("deep_page", u, strconv.Itoa(p.Depth))
		}
		if p.InternalOutlinks == 0 {
			add("no_internal_outlinks", u, "")
		}
		if p.Size > cfg.LargeBytes || p.Truncated {
			add("large_page", u, strconv.FormatInt(p.Size, 10))
		}
		if p.Indexable && p.WordCount < cfg.ThinWords {
			add("thin_content", u, strconv.Itoa(p.WordCount))
		}
	}

	// Comparisons between indexable HTML pages.
	var idx []Page
	for _, p := range tr.Pages {
		if html(p) && p.Indexable {
			idx = append(idx, p)
		}
	}
	groups := func(check string, key func(Page) string) {
		by := map[string][]string{}
		for _, p := range idx {
			if k := key(p); k != "" {
				by[k] = append(by[k], p.URL)
			}
		}
		for k, us := range by {
			if len(us) > 1 {
				for _, u := range us {
					add(check, u, k)
				}
			}
		}
	}
	groups("title_duplicate", func(p Page) string { return p.Title })
	groups("description_duplicate", func(p Page) string { return p.Description })
	groups("h1_duplicate", func(p Page) string { return p.H1 })

	// Content fingerprints, computed by the extract package from the
	// bodies as served (the crawler stores the same). Clusters must be
	// pairs, so that "the other page of the cluster with the lowest id"
	// does not depend on the crawl's discovery order.
	type fp struct {
		url       string
		hash, sim uint64
	}
	var fps []fp
	byHash := map[uint64][]string{}
	for _, p := range idx {
		d := audit().byURL[p.URL]
		body := d.content()
		if len(body) > AuditMaxBody {
			body = body[:AuditMaxBody]
		}
		if strings.Contains(d.contentType(), "iso-8859-1") {
			body = latin1ToUTF8(body)
		}
		pg := extract.Extract(body, nil)
		fps = append(fps, fp{url: p.URL, hash: pg.ContentHash, sim: pg.SimHash})
		if pg.ContentHash != 0 {
			byHash[pg.ContentHash] = append(byHash[pg.ContentHash], p.URL)
		}
	}
	for _, us := range byHash {
		switch {
		case len(us) == 2:
			add("duplicate_content", us[0], us[1])
			add("duplicate_content", us[1], us[0])
		case len(us) > 2:
			t.Errorf("exact duplicates in a cluster of %d: %v", len(us), us)
		}
	}
	near := map[string]int{}
	for i, a := range fps {
		for _, b := range fps[:i] {
			n := extract.HammingDistance(a.sim, b.sim)
			switch {
			case a.hash == b.hash:
			case a.sim != 0 && b.sim != 0 && n <= cfg.NearDistance:
				t.Logf("near duplicates %s and %s: %d bits apart", a.url, b.url, n)
				add("near_duplicate", a.url, b.url)
				add("near_duplicate", b.url, a.url)
				near[a.url]++
				near[b.url]++
			case n <= cfg.NearDistance+4:
				t.Errorf("%s and %s are %d bits apart: too close to the threshold for a stable truth", a.url, b.url, n)
			}
		}
	}
	for u, n := range near {
		if n > 1 || len(byHash[fps[slices.IndexFunc(fps, func(f fp) bool { return f.url == u })].hash]) > 1 {
			t.Errorf("%s is in a near-duplicate cluster of more than two pages", u)
		}
	}
	return out
}

// TestCleanPageIsClean restates the clean page's properties from the issue,
// so a change that breaks one fails here with a readable message.
func TestCleanPageIsClean(t *testing.T) {
	tr := auditTruth(false)
	p := pagesByURL(tr)[CleanPageURL]
	inlinks := 0
	for _, l := range tr.Links {
		if l.To == CleanPageURL && l.Kind == KindAnchor && l.From != CleanPageURL {
			inlinks++
		}
	}
	u, _ := url.Parse(CleanPageURL)
	checks := []struct {
		ok   bool
		what string
	}{
		{p.WordCount >= 200, fmt.Sprintf("%d words", p.WordCount)},
		{runes(p.Title) >= 30 && runes(p.Title) <= 60, "title length"},
		{runes(p.Description) >= 70 && runes(p.Description) <= 155, "description length"},
		{p.H1Count == 1 && p.H1 != "", "one h1"},
		{p.Canonical == CleanPageURL, "self-referencing canonical"},
		{inlinks > 0, "linked from another page"},
		{p.InternalOutlinks > 0, "internal outlinks"},
		{p.Depth <= 4, "depth"},
		{p.ImageCount > 0 && p.ImagesMissingAlt == 0, "an image with alt"},
		{u.Scheme == "http" && p.Indexable, "indexable"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("clean page: %s", c.what)
		}
	}
}

func runes(s string) int { return utf8.RuneCountInString(s) }
