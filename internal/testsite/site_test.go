package testsite

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/urlnorm"
)

// client fetches from the site like the crawler: every *.test host dialled
// to the site, https trusting its certificate, redirects not followed, no
// transparent decompression.
func client(s *Site, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext:        s.DialContext,
			TLSClientConfig:    s.TLSConfig(),
			DisableCompression: true,
			Proxy:              nil,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("User-Agent", "Scouter/1.0 (+https://github.com/scouter-seo/scouter)")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", u, err)
	}
	return resp, body
}

func pagesByURL(tr Truth) map[string]Page {
	m := map[string]Page{}
	for _, p := range tr.Pages {
		m[p.URL] = p
	}
	return m
}

var states = map[string]bool{StateCrawled: true, StateExternal: true, StateBlocked: true, StateExcluded: true}

func TestTruthWellFormed(t *testing.T) {
	for _, seed := range []bool{false, true} {
		tr := auditTruth(seed)
		pages := pagesByURL(tr)
		if len(pages) != len(tr.Pages) {
			t.Fatalf("seed=%v: duplicate page URLs", seed)
		}
		if n := len(tr.Pages); n < 60 || n > 100 {
			t.Errorf("seed=%v: %d pages, want about 60-90", seed, n)
		}
		if !sort.SliceIsSorted(tr.Pages, func(i, j int) bool { return tr.Pages[i].URL < tr.Pages[j].URL }) {
			t.Errorf("seed=%v: pages not sorted by URL", seed)
		}
		lastFrom := ""
		outIn, outEx := map[string]int{}, map[string]int{}
		for _, l := range tr.Links {
			if l.From < lastFrom {
				t.Errorf("links not grouped by From in URL order at %+v", l)
			}
			lastFrom = l.From
			from, ok := pages[l.From]
			if !ok || from.State != StateCrawled {
				t.Errorf("link from %s, which is not a crawled page", l.From)
			}
			if _, ok := pages[l.To]; !ok {
				t.Errorf("link to %s, which has no page row", l.To)
			}
			if l.Internal != isInternal(l.To) {
				t.Errorf("link %s -> %s: Internal %v", l.From, l.To, l.Internal)
			}
			if l.Kind == KindAnchor {
				if l.Internal {
					outIn[l.From]++
				} else {
					outEx[l.From]++
				}
			}
		}
		for _, p := range tr.Pages {
			if k, err := urlnorm.Normalize(p.URL); err != nil || k != p.URL {
				t.Errorf("page URL %q is not normalized (%q, %v)", p.URL, k, err)
			}
			if !states[p.State] {
				t.Errorf("%s: state %q", p.URL, p.State)
			}
			if (p.State == StateExternal) != !isInternal(p.URL) {
				t.Errorf("%s: state %s but internal=%v", p.URL, p.State, isInternal(p.URL))
			}
			if (p.State == StateExcluded) != (p.Reason != "") {
				t.Errorf("%s: state %s with reason %q", p.URL, p.State, p.Reason)
			}
			if p.InternalOutlinks != outIn[p.URL] || p.ExternalOutlinks != outEx[p.URL] {
				t.Errorf("%s: outlinks %d/%d, links say %d/%d", p.URL, p.InternalOutlinks, p.ExternalOutlinks, outIn[p.URL], outEx[p.URL])
			}
			if p.State != StateCrawled {
				// Only the identity fields may be set on rows never fetched.
				z := Page{URL: p.URL, State: p.State, Reason: p.Reason, Depth: p.Depth, InSitemap: p.InSitemap}
				if p.State == StateBlocked {
					z.Indexability = "blocked-by-robots"
				}
				if !reflect.DeepEqual(p, z) {
					t.Errorf("%s: fields set on an uncrawled row: %+v", p.URL, p)
				}
				continue
			}
			if p.Indexable != (p.Indexability == "") {
				t.Errorf("%s: Indexable %v with Indexability %q", p.URL, p.Indexable, p.Indexability)
			}
			if p.Canonical != "" && p.Canonical != p.URL && p.Indexability == "" {
				t.Errorf("%s: canonical elsewhere but indexable", p.URL)
			}
		}
	}
}

// TestTruthDepths recomputes every row's depth and state from the links
// alone, by the crawler's rules, and compares with the hand-written ones.
func TestTruthDepths(t *testing.T) {
	for _, seed := range []bool{false, true} {
		tr := auditTruth(seed)
		pages := pagesByURL(tr)
		out := map[string][]Link{}
		for _, l := range tr.Links {
			out[l.From] = append(out[l.From], l)
		}
		nofollowPage := func(p Page) bool {
			return strings.Contains(p.MetaRobots, "nofollow") || strings.Contains(p.XRobotsTag, "nofollow")
		}
		followable := func(l Link) bool {
			switch l.Kind {
			case KindAnchor:
				return !l.Nofollow && !nofollowPage(pages[l.From])
			case KindCanonical, KindHreflang, KindRedirect:
				return !nofollowPage(pages[l.From])
			}
			return false
		}

		depth := map[string]int{}
		queue := []string{www + "/"}
		depth[queue[0]] = 0
		fetched := map[string]bool{}
		for len(queue) > 0 {
			u := queue[0]
			queue = queue[1:]
			if depth[u] > AuditMaxDepth || !isInternal(u) || pages[u].State == StateBlocked {
				continue
			}
			fetched[u] = true
			for _, l := range out[u] {
				if _, ok := depth[l.To]; !ok && followable(l) {
					depth[l.To] = depth[u] + 1
					queue = append(queue, l.To)
				}
			}
		}
		// Rows reached only through links that are not followed.
		only := map[string]string{} // URL -> image or nofollow
		for _, l := range tr.Links {
			if _, ok := depth[l.To]; ok && only[l.To] == "" || !fetched[l.From] {
				continue
			}
			d := depth[l.From] + 1
			if old, ok := depth[l.To]; !ok || d < old {
				depth[l.To] = d
			}
			if l.Kind == KindImage && only[l.To] != ReasonNofollow {
				only[l.To] = ReasonImage
			} else {
				only[l.To] = ReasonNofollow
			}
		}
		deepest := 0
		for u := range fetched {
			deepest = max(deepest, depth[u])
		}

		for _, p := range tr.Pages {
			d, ok := depth[p.URL]
			state, reason := StateCrawled, ""
			switch {
			case !ok && p.InSitemap && seed:
				d = deepest + 1
			case !ok && p.InSitemap:
				d, state, reason = -1, StateExcluded, ReasonSitemapOnly
			case !ok:
				t.Errorf("%s: not reachable by any link", p.URL)
				continue
			case !isInternal(p.URL):
				state = StateExternal
			case p.State == StateBlocked:
				state = StateBlocked // checked against robots.txt in TestRobotsTxt
			case only[p.URL] != "":
				state, reason = StateExcluded, only[p.URL]
			case d > AuditMaxDepth:
				state, reason = StateExcluded, ReasonMaxDepth
			}
			if p.Depth != d || p.State != state || p.Reason != reason {
				t.Errorf("seed=%v %s: truth says %s/%s depth %d, links say %s/%s depth %d",
					seed, p.URL, p.State, p.Reason, p.Depth, state, reason, d)
			}
		}
	}
}

func TestTruthSeeding(t *testing.T) {
	off, on := pagesByURL(auditTruth(false)), pagesByURL(auditTruth(true))
	orphan := www + "/orphan"
	if p := off[orphan]; p.State != StateExcluded || p.Reason != ReasonSitemapOnly || p.Depth != -1 || !p.InSitemap {
		t.Errorf("orphan without seeding: %+v", p)
	}
	if p := on[orphan]; p.State != StateCrawled || p.Depth != AuditMaxDepth+1 || p.Status != 200 || p.InternalOutlinks+p.ExternalOutlinks != 0 {
		t.Errorf("orphan with seeding: %+v", p)
	}
	for u, p := range off {
		if u != orphan && !reflect.DeepEqual(p, on[u]) {
			t.Errorf("%s differs with seeding", u)
		}
	}
	// The truth is a copy: changing it changes nothing for the next caller.
	tr := auditTruth(false)
	for i := range tr.Pages {
		if tr.Pages[i].JSONLDTypes != nil {
			tr.Pages[i].JSONLDTypes[0] = "Changed"
		}
		if tr.Pages[i].Hreflang != nil {
			tr.Pages[i].Hreflang[0].Lang = "changed"
		}
	}
	if !reflect.DeepEqual(pagesByURL(auditTruth(false)), off) {
		t.Error("Truth shares slices between calls")
	}
}

// TestServedMatchesTruth fetches every crawled page and checks the answer
// (status, headers, size) and, for HTML, re-reads the page independently
// and compares every hand-written field and link.
func TestServedMatchesTruth(t *testing.T) {
	s := NewSite()
	defer s.Close()
	c := client(s, 5*time.Second)
	tr := s.Truth(false)
	links := map[string][]Link{}
	for _, l := range tr.Links {
		links[l.From] = append(links[l.From], l)
	}
	for _, want := range tr.Pages {
		if want.State != StateCrawled || want.FetchError != "" || want.Retries > 0 {
			continue // never fetched, or fetched in other tests
		}
		t.Run(want.URL, func(t *testing.T) {
			start := time.Now()
			resp, body := get(t, c, want.URL)
			if el := time.Since(start); el < want.MinTTFB {
				t.Errorf("answered after %v, want at least %v", el, want.MinTTFB)
			}
			got := Page{URL: want.URL, State: want.State, Depth: want.Depth, InSitemap: want.InSitemap,
				Retries: want.Retries, Truncated: want.Truncated, MinTTFB: want.MinTTFB}
			got.Status = resp.StatusCode
			ct := resp.Header.Get("Content-Type")
			if ct != "" {
				got.ContentType, _, _ = mime.ParseMediaType(ct)
			}
			got.Size = int64(len(body))
			if len(body) > AuditMaxBody {
				body, got.Size = body[:AuditMaxBody], AuditMaxBody
				if !want.Truncated {
					t.Errorf("body of %d bytes but not Truncated", resp.ContentLength)
				}
			} else if want.Truncated {
				t.Errorf("Truncated but only %d bytes", len(body))
			}
			if loc := resp.Header.Get("Location"); loc != "" {
				base, _ := url.Parse(want.URL)
				u, err := urlnorm.Resolve(base, loc)
				if err != nil {
					t.Fatal(err)
				}
				got.RedirectURL = u.String()
			}
			got.XRobotsTag = strings.Join(resp.Header.Values("X-Robots-Tag"), ", ")

			var gotLinks []Link
			var metaBot []string
			if got.Status/100 == 2 && got.ContentType == "text/html" {
				if strings.Contains(strings.ToLower(ct), "iso-8859-1") {
					body = latin1ToUTF8(body)
				}
				o, err := readPage(want.URL, body)
				if err != nil {
					t.Fatal(err)
				}
				p := o.Page
				p.URL, p.State, p.Depth, p.InSitemap, p.Retries, p.Truncated, p.MinTTFB = got.URL, got.State, got.Depth, got.InSitemap, got.Retries, got.Truncated, got.MinTTFB
				p.Status, p.ContentType, p.Size, p.RedirectURL, p.XRobotsTag = got.Status, got.ContentType, got.Size, got.RedirectURL, got.XRobotsTag
				got, gotLinks, metaBot = p, o.links, o.metaBot
			}
			if got.RedirectURL != "" {
				gotLinks = append(gotLinks, Link{From: want.URL, To: got.RedirectURL, Kind: KindRedirect, Internal: isInternal(got.RedirectURL)})
			}
			got.Indexability = indexability(got, metaBot)
			got.Indexable = got.Indexability == ""
			for _, d := range pageDiff(got, want) {
				t.Errorf("served page differs from truth: %s", d)
			}
			wantLinks := links[want.URL]
			for i := range max(len(gotLinks), len(wantLinks)) {
				var g, w Link
				if i < len(gotLinks) {
					g = gotLinks[i]
				}
				if i < len(wantLinks) {
					w = wantLinks[i]
				}
				if g != w {
					t.Errorf("link %d: served %+v, truth %+v", i, g, w)
				}
			}
			if got.Status/100 == 3 && resp.Header.Get("Content-Type") != "" {
				t.Errorf("redirect with a Content-Type")
			}
		})
	}
}

// pageDiff lists the fields where two rows differ.
func pageDiff(got, want Page) []string {
	var out []string
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if !reflect.DeepEqual(g, w) {
			out = append(out, fmt.Sprintf("%s: served %#v, truth %#v", gv.Type().Field(i).Name, g, w))
		}
	}
	return out
}

// indexability applies the crawler's rules to what was read off a page.
func indexability(p Page, metaBot []string) string {
	switch {
	case p.FetchError != "":
		return "error"
	case p.Status == http.StatusTooManyRequests:
		return "throttled"
	case p.Status/100 == 3:
		return "redirect"
	case p.Status/100 == 4:
		return "client-error"
	case p.Status/100 == 5:
		return "server-error"
	}
	noindex := func(v string) bool {
		for _, d := range strings.Split(v, ",") {
			if d = strings.ToLower(strings.TrimSpace(d)); d == "noindex" || d == "none" {
				return true
			}
		}
		return false
	}
	if noindex(p.MetaRobots) || noindex(strings.Join(metaBot, ",")) {
		return "noindex"
	}
	for _, v := range strings.Split(p.XRobotsTag, ", ") {
		if i := strings.Index(v, ":"); i >= 0 {
			bot := strings.ToLower(strings.TrimSpace(v[:i]))
			if bot != "googlebot" && bot != "scouter" {
				continue
			}
			v = v[i+1:]
		}
		if noindex(v) {
			return "noindex"
		}
	}
	if p.Canonical != "" && p.Canonical != p.URL {
		return "canonicalised"
	}
	return ""
}

func TestThrottled(t *testing.T) {
	s := NewSite()
	defer s.Close()
	c := client(s, 5*time.Second)
	pages := pagesByURL(s.Truth(false))
	ok, always := throttled+"/ok", throttled+alwaysThrottled
	for round := 0; round < 2; round++ { // the cycle repeats for a second crawl
		for i := 0; i <= AuditRetries; i++ {
			resp, body := get(t, c, ok)
			want := http.StatusTooManyRequests
			if i == AuditRetries {
				want = http.StatusOK
			}
			if resp.StatusCode != want {
				t.Fatalf("round %d request %d: status %d, want %d", round, i+1, resp.StatusCode, want)
			}
			if want == 429 && resp.Header.Get("Retry-After") != "1" {
				t.Errorf("429 without Retry-After: 1")
			}
			if want == 200 && int64(len(body)) != pages[ok].Size {
				t.Errorf("size %d, truth %d", len(body), pages[ok].Size)
			}
		}
		for i := 0; i <= AuditRetries; i++ {
			resp, body := get(t, c, always)
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || int64(len(body)) != pages[always].Size {
				t.Fatalf("%s: %d %q, %d bytes", always, resp.StatusCode, resp.Header.Get("Retry-After"), len(body))
			}
		}
	}
	if p := pages[ok]; p.Status != 200 || p.Retries != AuditRetries || !p.Indexable {
		t.Errorf("truth for %s: %+v", ok, p)
	}
	if p := pages[always]; p.Status != 429 || p.Retries != AuditRetries || p.Indexability != "throttled" {
		t.Errorf("truth for %s: %+v", always, p)
	}
	if n := s.Requests(ok); n != 2*(AuditRetries+1) {
		t.Errorf("Requests(%s) = %d", ok, n)
	}
	// robots.txt on the throttled host is never throttled: it is a plain 404.
	if resp, _ := get(t, c, throttled+"/robots.txt"); resp.StatusCode != 404 {
		t.Errorf("throttled robots.txt: %d", resp.StatusCode)
	}
}

func TestTimeouts(t *testing.T) {
	s := NewSite()
	defer s.Close()
	pages := pagesByURL(s.Truth(false))
	tooSlow := www + "/too-slow"
	if p := pages[tooSlow]; p.Status != 0 || p.FetchError != "timeout" || p.Indexability != "error" || p.Size != 0 {
		t.Errorf("truth for the too-slow page: %+v", p)
	}
	start := time.Now()
	_, err := client(s, 200*time.Millisecond).Get(tooSlow)
	if err == nil {
		t.Fatal("the too-slow page answered")
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("client timeout took %v", el)
	}
	if n := s.Requests(tooSlow); n != 1 {
		t.Errorf("Requests = %d", n)
	}
	// A crawl may still be waiting on it when the test ends: Close must
	// not wait for the timeout.
	go client(s, time.Minute).Get(tooSlow)
	for s.Requests(tooSlow) < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	start = time.Now()
	s.Close()
	if el := time.Since(start); el > time.Second {
		t.Errorf("Close took %v with a hanging request", el)
	}
}

// TestHangReturnsOnDisconnect checks the handler itself, not the client:
// it must return as soon as the request's context ends.
func TestHangReturnsOnDisconnect(t *testing.T) {
	s := NewSite()
	defer s.Close()
	d := audit().byURL[www+"/too-slow"]
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", www+"/too-slow", nil)
	done := make(chan struct{})
	go func() {
		s.serveDef(discard{header: http.Header{}}, req, d)
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("returned before the client left")
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("still waiting after the client left")
	}
}

type discard struct{ header http.Header }

func (d discard) Header() http.Header         { return d.header }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}

func TestRequests(t *testing.T) {
	s := NewSite()
	defer s.Close()
	c := client(s, 5*time.Second)
	tr := s.Truth(true)
	for _, p := range tr.Pages {
		if p.State == StateCrawled && p.FetchError == "" && p.Retries == 0 && p.MinTTFB == 0 {
			get(t, c, p.URL)
		}
	}
	for _, p := range tr.Pages {
		want := 0
		if p.State == StateCrawled && p.FetchError == "" && p.Retries == 0 && p.MinTTFB == 0 {
			want = 1
		}
		if n := s.Requests(p.URL); n != want {
			t.Errorf("Requests(%s) = %d, want %d", p.URL, n, want)
		}
	}
	// Spellings are compared normalized.
	if n := s.Requests("HTTP://WWW.Scouter.test:80/about#x"); n != 1 {
		t.Errorf("Requests with another spelling = %d", n)
	}
	if n := s.Requests(www + "/never"); n != 0 {
		t.Errorf("Requests(never) = %d", n)
	}
}

func TestDialContext(t *testing.T) {
	s := NewSite()
	defer s.Close()
	for addr, want := range map[string]string{
		"www.scouter.test:80": s.Addr(), "cdn.other.test:443": s.TLSAddr(),
		"WWW.SCOUTER.TEST.:8080": s.Addr(), "x.test": s.Addr(),
	} {
		conn, err := s.DialContext(context.Background(), "tcp", addr)
		if err != nil {
			t.Errorf("dial %s: %v", addr, err)
			continue
		}
		if got := conn.RemoteAddr().String(); got != want {
			t.Errorf("dial %s reached %s, want %s", addr, got, want)
		}
		conn.Close()
	}
	if s.TLSAddr() == s.Addr() {
		t.Errorf("one address for http and https: %s", s.Addr())
	}
	for _, addr := range []string{"example.com:80", "127.0.0.1:80", "test:80", "scouter.testing:80"} {
		_, err := s.DialContext(context.Background(), "tcp", addr)
		var dns *net.DNSError
		if !errors.As(err, &dns) || !dns.IsNotFound {
			t.Errorf("dial %s: %v, want a not-found DNS error", addr, err)
		}
	}
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") {
		t.Errorf("Addr = %s", s.Addr())
	}
	if s.StartURL() != www+"/" {
		t.Errorf("StartURL = %s", s.StartURL())
	}
}

// robotsAllowed is a small, independent reading of RFC 9309 for the one
// group that applies: longest matching pattern wins, Allow wins ties.
func robotsAllowed(txt, token, path string) bool {
	var rules []struct {
		allow bool
		re    *regexp.Regexp
		n     int
	}
	starRules := rules
	in, star, prevAgent := false, false, false
	for _, line := range strings.Split(txt, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		switch k {
		case "user-agent":
			if !prevAgent {
				in, star = false, false
			}
			in = in || strings.EqualFold(v, token)
			star = star || v == "*"
			prevAgent = true
			continue
		case "allow", "disallow":
			if v == "" {
				break
			}
			p := regexp.QuoteMeta(v)
			p = strings.ReplaceAll(p, `\*`, ".*")
			if strings.HasSuffix(p, `\$`) {
				p = strings.TrimSuffix(p, `\$`) + "$"
			}
			r := struct {
				allow bool
				re    *regexp.Regexp
				n     int
			}{k == "allow", regexp.MustCompile("^" + p), len(v)}
			if in {
				rules = append(rules, r)
			}
			if star {
				starRules = append(starRules, r)
			}
		}
		prevAgent = false
	}
	if token == "*" {
		rules = starRules
	}
	best, allow := -1, true
	for _, r := range rules {
		if r.re.MatchString(path) && (r.n > best || r.n == best && r.allow) {
			best, allow = r.n, r.allow
		}
	}
	return allow
}

func TestRobotsTxt(t *testing.T) {
	s := NewSite()
	defer s.Close()
	c := client(s, 5*time.Second)
	resp, body := get(t, c, www+"/robots.txt")
	if resp.StatusCode != 200 || string(body) != robotsTxt {
		t.Fatalf("robots.txt: %d %q", resp.StatusCode, body)
	}
	if !strings.Contains(string(body), "\nSitemap: http://www.scouter.test/sitemap_index.xml\n") {
		t.Error("no Sitemap line")
	}
	for _, h := range []string{bare, throttled} {
		if resp, _ := get(t, c, h+"/robots.txt"); resp.StatusCode != 404 {
			t.Errorf("%s/robots.txt: %d, want 404", h, resp.StatusCode)
		}
	}
	// Blocked rows are exactly the internal www URLs robots.txt disallows
	// for "scouter"; and the "*" group would decide differently.
	differs := false
	for _, p := range s.Truth(false).Pages {
		u, _ := url.Parse(p.URL)
		if u.Host != wwwHost {
			continue
		}
		allowed := robotsAllowed(robotsTxt, "scouter", u.RequestURI())
		if allowed == (p.State == StateBlocked) {
			t.Errorf("%s: state %s, robots.txt allows it: %v", p.URL, p.State, allowed)
		}
		if robotsAllowed(robotsTxt, "*", u.RequestURI()) != allowed {
			differs = true
		}
	}
	if !differs {
		t.Error("the * group decides like the scouter group on every URL")
	}
	for path, want := range map[string]bool{
		"/private/secret": false, "/private/public-page": true, "/legacy.php": false,
		"/legacy.php?view=full": true, "/products/widgets?sessionid=42": false, "/blog/": true,
	} {
		if got := robotsAllowed(robotsTxt, "scouter", path); got != want {
			t.Errorf("robots.txt for scouter allows %s: %v", path, got)
		}
	}
}

func TestSitemaps(t *testing.T) {
	s := NewSite()
	defer s.Close()
	c := client(s, 5*time.Second)
	var locs func(u string, depth int) []string
	locs = func(u string, depth int) []string {
		resp, body := get(t, c, u)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", u, resp.StatusCode)
		}
		if strings.HasSuffix(u, ".gz") {
			if ct := resp.Header.Get("Content-Type"); ct != "application/x-gzip" {
				t.Errorf("%s: Content-Type %q", u, ct)
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", u, err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", u, err)
			}
		}
		var doc struct {
			XMLName xml.Name
			Locs    []string `xml:"sitemap>loc"`
			URLs    []string `xml:"url>loc"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if doc.XMLName.Local == "sitemapindex" {
			if depth > 0 || len(doc.Locs) != 2 {
				t.Fatalf("%s: index of %d", u, len(doc.Locs))
			}
			var all []string
			for _, l := range doc.Locs {
				all = append(all, locs(l, depth+1)...)
			}
			return all
		}
		return doc.URLs
	}
	listed := map[string]bool{}
	for _, l := range locs(www+"/sitemap_index.xml", 0) {
		k, err := urlnorm.Normalize(l)
		if err != nil {
			t.Fatal(err)
		}
		listed[k] = true
	}
	tr := s.Truth(false)
	for _, p := range tr.Pages {
		if p.InSitemap != listed[p.URL] {
			t.Errorf("%s: InSitemap %v, listed %v", p.URL, p.InSitemap, listed[p.URL])
		}
		delete(listed, p.URL)
	}
	for u := range listed {
		t.Errorf("sitemap lists %s, which has no row", u)
	}
	if resp, _ := get(t, c, www+"/sitemap.xml"); resp.StatusCode != 404 {
		t.Errorf("/sitemap.xml: %d, want 404", resp.StatusCode)
	}
}

func TestCalendarTrap(t *testing.T) {
	s := NewSite()
	defer s.Close()
	c := client(s, 5*time.Second)
	pages := pagesByURL(s.Truth(false))
	if p := pages[calendarURL("2027-04")]; p.State != StateCrawled || p.Depth != AuditMaxDepth {
		t.Errorf("2027-04: %+v", p)
	}
	if p := pages[calendarURL("2027-05")]; p.State != StateExcluded || p.Reason != ReasonMaxDepth || p.Depth != AuditMaxDepth+1 {
		t.Errorf("2027-05: %+v", p)
	}
	if _, ok := pages[calendarURL("2027-06")]; ok {
		t.Error("a row beyond the first excluded month")
	}
	// The trap really is infinite, and only well-formed months exist.
	resp, body := get(t, c, calendarURL("2999-12"))
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`href="/calendar?month=3000-01"`)) {
		t.Errorf("2999-12: %d", resp.StatusCode)
	}
	for _, q := range []string{"month=2026-13", "month=2026-1", "month=2026-11&x=1", ""} {
		if resp, _ := get(t, c, www+"/calendar?"+q); resp.StatusCode != 404 {
			t.Errorf("calendar?%s: %d", q, resp.StatusCode)
		}
	}
}

// TestConcurrentUse runs requests and reads from many goroutines (for
// the race detector).
func TestConcurrentUse(t *testing.T) {
	s := NewSite()
	defer s.Close()
	c := client(s, 5*time.Second)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, u := range []string{www + "/", www + "/about", throttled + "/ok", www + "/robots.txt"} {
				resp, err := c.Get(u)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				s.Requests(u)
			}
		}()
	}
	wg.Wait()
	if n := s.Requests(www + "/about"); n != 8 {
		t.Errorf("Requests = %d", n)
	}
}
