package testsite

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scouter-seo/scouter/internal/urlnorm"
)

// Site is the audit site: one listener on 127.0.0.1 answering for every
// *.test host by its Host header, so the crawler sees ordinary port-80 URLs
// while the test dials them all here (DialContext), and a second one
// serving the same site over TLS for port 443, with a certificate made at
// start that only TLSConfig trusts.
type Site struct {
	ln, tlsLn   net.Listener
	srv, tlsSrv *http.Server // one server for both would set HTTP/2 up for only the first to serve
	roots       *x509.CertPool
	closing     chan struct{}
	once        sync.Once
	active      inflight

	mu       sync.Mutex
	requests map[string]int // by normalized URL
	throttle map[string]int // requests per path on the throttled host
}

// audit is the site definition, shared by every Site: it never changes.
var audit = sync.OnceValue(func() *auditSite {
	as := &auditSite{byURL: map[string]*def{}, inSitemap: map[string]bool{}}
	as.defs = auditDefs()
	for _, d := range as.defs {
		if as.byURL[d.url] != nil {
			panic("testsite: duplicate URL " + d.url)
		}
		as.byURL[d.url] = d
	}
	for _, list := range [][]string{sitemapPages, sitemapPosts} {
		for _, u := range list {
			k, err := urlnorm.Normalize(u)
			if err != nil {
				panic(err)
			}
			as.inSitemap[k] = true
		}
	}
	as.sitemapIndex = sitemapIndexXML(sitemapChildren)
	as.sitemapPosts = urlsetXML(sitemapPosts)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz) // no name, zero mtime: the bytes are deterministic
	w.Write(urlsetXML(sitemapPages))
	w.Close()
	as.sitemapPagesGz = gz.Bytes()
	return as
})

type auditSite struct {
	defs      []*def
	byURL     map[string]*def
	inSitemap map[string]bool

	sitemapIndex, sitemapPosts, sitemapPagesGz []byte
}

func sitemapIndexXML(locs []string) []byte {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n")
	for _, l := range locs {
		b.WriteString("<sitemap><loc>" + l + "</loc></sitemap>\n")
	}
	b.WriteString("</sitemapindex>\n")
	return []byte(b.String())
}

func urlsetXML(locs []string) []byte {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n")
	for _, l := range locs {
		b.WriteString("<url><loc>" + l + "</loc></url>\n")
	}
	b.WriteString("</urlset>\n")
	return []byte(b.String())
}

// NewSite starts the audit site on 127.0.0.1 with free ports.
func NewSite() *Site {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("testsite: listen: " + err.Error())
	}
	tlsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("testsite: listen: " + err.Error())
	}
	cert, roots := siteCertificate()
	s := &Site{
		ln:       ln,
		tlsLn:    tlsLn,
		roots:    roots,
		closing:  make(chan struct{}),
		requests: map[string]int{},
		throttle: map[string]int{},
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	s.tlsSrv = &http.Server{
		Handler:           http.HandlerFunc(s.serve),
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}},
		// Clients that dial and hang up without a handshake (spare
		// connections, TestDialContext) are not the site's problem.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go s.srv.Serve(ln)
	go s.tlsSrv.ServeTLS(tlsLn, "", "")
	return s
}

// siteCertificate makes a self-signed certificate for the site's host
// names, and the pool that trusts it. A fresh key per Site keeps the tests
// from depending on a key checked into the repository.
func siteCertificate() (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("testsite: key: " + err.Error())
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: wwwHost},
		DNSNames:              []string{wwwHost, bareHost, throttledHost, evilHost, cdnHost},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic("testsite: certificate: " + err.Error())
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		panic("testsite: certificate: " + err.Error())
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots
}

// Close stops the server. Requests still waiting (the slow and the
// never-answering page) are released first, so Close does not hang on them.
func (s *Site) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.srv.Close()
		s.tlsSrv.Close()
		s.active.close()
	})
}

// Addr is the plain HTTP listener's address, "127.0.0.1:PORT".
func (s *Site) Addr() string { return s.ln.Addr().String() }

// TLSAddr is the HTTPS listener's address.
func (s *Site) TLSAddr() string { return s.tlsLn.Addr().String() }

// TLSConfig is the client configuration a crawl of the site must use: it
// trusts the site's certificate and nothing else. Each call returns a new
// value the caller may change.
func (s *Site) TLSConfig() *tls.Config { return &tls.Config{RootCAs: s.roots} }

// StartURL is where the test crawl starts.
func (s *Site) StartURL() string { return www + "/" }

// DialContext sends every *.test host to the site, port 443 to the TLS
// listener and any other port to the plain one, and fails like DNS for
// anything else, so a crawl cannot leak onto the network.
func (s *Site) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if !strings.HasSuffix(h, ".test") {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	to := s.Addr()
	if port == "443" {
		to = s.TLSAddr()
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", to)
}

// Requests is how many requests the server received for an absolute URL,
// compared after normalization (so "http://WWW.scouter.test:80/a" is
// "http://www.scouter.test/a"). External hosts are counted too: a correct
// crawl never requests them.
func (s *Site) Requests(u string) int {
	if k, err := urlnorm.Normalize(u); err == nil {
		u = k
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[u]
}

// Truth is what a correct crawl reports, with the crawl options in the
// Audit constants and with or without sitemap seeding. The result is a
// fresh copy.
func (s *Site) Truth(seedSitemaps bool) Truth { return auditTruth(seedSitemaps) }

func auditTruth(seed bool) Truth {
	as := audit()
	var t Truth
	for _, d := range as.defs {
		t.Pages = append(t.Pages, d.page(seed, as.inSitemap))
	}
	sort.Slice(t.Pages, func(i, j int) bool { return t.Pages[i].URL < t.Pages[j].URL })
	for _, p := range t.Pages {
		t.Links = append(t.Links, as.byURL[p.URL].linkRows(seed)...)
	}
	for _, d := range as.defs {
		t.Findings = append(t.Findings, d.findingRows(seed)...)
	}
	slices.SortFunc(t.Findings, Finding.compare)
	return t
}

// findingRows expands d's "check:element" shorthand; an element starting
// with "/" is a URL on www.scouter.test, as in lk.
func (d *def) findingRows(seed bool) []Finding {
	fs := d.findings
	if seed {
		fs = append(fs[:len(fs):len(fs)], d.seedFindings...)
	}
	var out []Finding
	for _, f := range fs {
		check, el, ok := strings.Cut(f, ":")
		if !ok {
			panic("testsite: finding without a colon: " + f)
		}
		if strings.HasPrefix(el, "/") {
			el = www + el
		}
		out = append(out, Finding{Check: check, URL: d.url, Element: el})
	}
	return out
}

// content is the body the server sends for d, nil for none.
func (d *def) content() []byte {
	if d.raw != nil {
		return d.raw
	}
	if d.head == "" && d.body == "" {
		return nil
	}
	return doc(d.lang, d.head, d.body)
}

func (d *def) statusCode() int {
	if d.status == 0 {
		return http.StatusOK
	}
	return d.status
}

func (d *def) contentType() string {
	if d.ctype == "" && d.content() != nil {
		return "text/html; charset=utf-8"
	}
	return d.ctype
}

// crawled reports whether the crawl requests d (with seeding as given).
func (d *def) crawled(seed bool) bool {
	return d.state == "" && (!d.sitemapOnly || seed)
}

// page builds d's expected row from the hand-written fields plus the
// mechanical ones: status, content type, size, outlink counts, hreflang
// list, sitemap membership.
func (d *def) page(seed bool, inSitemap map[string]bool) Page {
	p := Page{URL: d.url, State: d.state, Reason: d.reason, Depth: d.depth, InSitemap: inSitemap[d.url]}
	switch {
	case d.sitemapOnly && !seed:
		p.State, p.Reason, p.Depth = StateExcluded, ReasonSitemapOnly, -1
		return p
	case d.state == StateBlocked:
		p.Indexability = "blocked-by-robots"
		return p
	case d.state != "":
		return p
	}
	p = d.want
	p.URL, p.State, p.Depth, p.InSitemap = d.url, StateCrawled, d.depth, inSitemap[d.url]
	p.Lang = d.lang
	p.JSONLDTypes = append([]string(nil), d.want.JSONLDTypes...)
	if d.hang {
		return p // nothing came back: status 0, no size, no type
	}
	p.Status = d.statusCode()
	if ct := d.contentType(); ct != "" {
		p.ContentType, _, _ = mime.ParseMediaType(ct)
	}
	p.Size = int64(len(d.content()))
	if p.Truncated {
		p.Size = AuditMaxBody
	}
	for _, l := range d.links {
		switch l.kind {
		case KindAnchor:
			if isInternal(abs(l.to)) {
				p.InternalOutlinks++
			} else {
				p.ExternalOutlinks++
			}
		case KindHreflang:
			p.Hreflang = append(p.Hreflang, Hreflang{Lang: l.text, URL: abs(l.to)})
		}
	}
	return p
}

// linkRows are d's link occurrences as the crawler records them.
func (d *def) linkRows(seed bool) []Link {
	if !d.crawled(seed) || d.hang {
		return nil
	}
	var ls []Link
	for _, l := range d.links {
		to := abs(l.to)
		ls = append(ls, Link{From: d.url, To: to, Kind: l.kind, Text: l.text, Nofollow: l.nofollow, Internal: isInternal(to)})
	}
	if r := d.want.RedirectURL; r != "" {
		ls = append(ls, Link{From: d.url, To: r, Kind: KindRedirect, Internal: isInternal(r)})
	}
	return ls
}

func isInternal(u string) bool {
	pu, err := url.Parse(u)
	return err == nil && internalHosts[pu.Hostname()]
}

// hostOf is the lower-case host name of a Host header, without the port.
func hostOf(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	if !s.active.enter() {
		return
	}
	defer s.active.leave()
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	key := scheme + "://" + r.Host + r.URL.RequestURI()
	if k, err := urlnorm.Normalize(key); err == nil {
		key = k
	}
	host := hostOf(r.Host)
	s.mu.Lock()
	s.requests[key]++
	n := 0
	if host == throttledHost && r.URL.Path != "/robots.txt" {
		s.throttle[r.URL.RequestURI()]++
		n = s.throttle[r.URL.RequestURI()]
	}
	s.mu.Unlock()

	as := audit()
	switch {
	case host == wwwHost && r.URL.Path == "/robots.txt":
		writeBody(w, http.StatusOK, "text/plain; charset=utf-8", []byte(robotsTxt))
		return
	case host == wwwHost && r.URL.Path == "/sitemap_index.xml":
		writeBody(w, http.StatusOK, "application/xml", as.sitemapIndex)
		return
	case host == wwwHost && r.URL.Path == "/sitemap-posts.xml":
		writeBody(w, http.StatusOK, "application/xml", as.sitemapPosts)
		return
	case host == wwwHost && r.URL.Path == "/sitemap-pages.xml.gz":
		writeBody(w, http.StatusOK, "application/x-gzip", as.sitemapPagesGz)
		return
	case host == throttledHost && r.URL.Path != "/robots.txt":
		// Two refusals before each success, as a cycle rather than only
		// at first, so a second crawl against the same Site sees the same.
		if r.URL.Path == alwaysThrottled || n%(AuditRetries+1) != 0 {
			w.Header().Set("Retry-After", "1")
			writeBody(w, http.StatusTooManyRequests, "text/plain; charset=utf-8", tooManyBody)
			return
		}
	}
	if d := as.byURL[key]; d != nil && d.state != StateExternal {
		s.serveDef(w, r, d)
		return
	}
	if host == wwwHost && r.URL.Path == "/calendar" {
		if m := r.URL.Query().Get("month"); r.URL.RawQuery == "month="+m {
			if _, ok := nextMonth(m); ok {
				writeBody(w, http.StatusOK, "text/html; charset=utf-8", calendarDoc(m))
				return
			}
		}
	}
	writeBody(w, http.StatusNotFound, "text/html; charset=utf-8", notFoundBody)
}

func (s *Site) serveDef(w http.ResponseWriter, r *http.Request, d *def) {
	if d.hang || d.delay > 0 {
		var wait <-chan time.Time // nil: wait for the client or Close
		if !d.hang {
			t := time.NewTimer(d.delay)
			defer t.Stop()
			wait = t.C
		}
		select {
		case <-wait:
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
	for i := 0; i+1 < len(d.headers); i += 2 {
		w.Header().Add(d.headers[i], d.headers[i+1])
	}
	if d.location != "" {
		w.Header().Set("Location", d.location)
	}
	writeBody(w, d.statusCode(), d.contentType(), d.content())
}

// writeBody answers with an exact Content-Length. A nil body sends no
// Content-Type at all (net/http only sniffs one when there are bytes).
func writeBody(w http.ResponseWriter, status int, ctype string, body []byte) {
	h := w.Header()
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
