package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultUserAgent       = "Scouter/1.0 (+https://github.com/scouter-seo/scouter)"
	DefaultAccept          = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	DefaultConnectTimeout  = 10 * time.Second
	DefaultTimeout         = 30 * time.Second
	DefaultMaxBodyBytes    = 10 << 20
	DefaultMaxDecodedBytes = 50 << 20
	DefaultConcurrency     = 8
	DefaultMaxRetries      = 5
	DefaultMaxRetryAfter   = 2 * time.Minute
)

// acceptEncoding is what we can decode ourselves; br and zstd would need
// dependencies outside the standard library.
const acceptEncoding = "gzip, deflate"

// maxHeaderBytes caps response headers; net/http enforces it for HTTP/1.1
// and advertises it as SETTINGS_MAX_HEADER_LIST_SIZE for HTTP/2.
const maxHeaderBytes = 64 << 10

// Config configures a Fetcher. Zero fields take the defaults above.
type Config struct {
	// UserAgent is sent on every request. Default DefaultUserAgent.
	UserAgent string
	// Headers are extra request headers sent only to internal hosts, as
	// they may hold cookies or tokens. They replace the default Accept.
	// User-Agent, Accept-Encoding, Host and connection-level headers are
	// refused by New: the fetcher owns them.
	Headers http.Header
	// BasicAuthUser and BasicAuthPass are sent only to internal hosts.
	BasicAuthUser, BasicAuthPass string
	// Internal reports which hosts get Headers and basic auth. It is given
	// the lower-cased host name without port or IPv6 brackets, as
	// url.URL.Hostname returns it, so urlnorm.HostMatcher.InternalHost fits.
	// nil means no host is internal.
	Internal func(host string) bool
	// ConnectTimeout bounds the dial plus the TLS handshake. Default 10s.
	ConnectTimeout time.Duration
	// Timeout bounds one attempt from sending the request to the last body
	// byte. Politeness waits are not included. Default 30s.
	Timeout time.Duration
	// MaxBodyBytes caps the body bytes read from the wire (compressed).
	// Default 10 MiB.
	MaxBodyBytes int64
	// MaxDecodedBytes caps the body after decompression. Default 50 MiB.
	MaxDecodedBytes int64
	// Concurrency is the number of simultaneous requests. Default 8.
	Concurrency int
	// HostConcurrency is the number of simultaneous requests per host key
	// (see HostKey). Default Concurrency.
	HostConcurrency int
	// MaxRPS caps request starts per second overall; 0 means no cap.
	MaxRPS float64
	// HostMaxRPS caps request starts per second per host; 0 means no cap.
	// A host's Crawl-delay (SetCrawlDelay) applies when it is stricter.
	HostMaxRPS float64
	// MaxRetries is how often a throttled response (429, or 503 with
	// Retry-After) is retried. Default 5; negative means never retry.
	MaxRetries int
	// MaxRetryAfter is the longest Retry-After honoured by waiting; a longer
	// one ends the retries and the response is returned marked Throttled.
	// It also caps the exponential backoff used without Retry-After, and
	// the pause of the host: a throttled response pauses every request to
	// its host for its Retry-After (at most MaxRetryAfter), even when it
	// is returned rather than retried. Default 2 minutes.
	MaxRetryAfter time.Duration
	// DialContext replaces the default dialer; tests use it to map fake
	// host names to loopback listeners. ConnectTimeout still applies.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLSConfig is cloned and used for https; nil means system roots.
	TLSConfig *tls.Config
}

// Fetcher fetches URLs politely. It is safe for concurrent use.
type Fetcher struct {
	cfg       Config // defaults applied
	client    *http.Client
	transport *http.Transport

	ua         []string // shared, read-only header values
	ae         []string
	accept     []string
	extra      http.Header
	maxRetries int

	pol politeness
}

// New validates cfg, applies defaults and builds the transport.
func New(cfg Config) (*Fetcher, error) {
	if err := applyDefaults(&cfg); err != nil {
		return nil, err
	}
	f := &Fetcher{
		cfg:        cfg,
		ua:         []string{cfg.UserAgent},
		ae:         []string{acceptEncoding},
		accept:     []string{DefaultAccept},
		extra:      cfg.Headers.Clone(),
		maxRetries: max(cfg.MaxRetries, 0),
	}
	f.pol.init(cfg)

	dial := cfg.DialContext
	if dial == nil {
		d := &net.Dialer{KeepAlive: 30 * time.Second}
		dial = d.DialContext
	}
	connectTimeout := cfg.ConnectTimeout
	var tlsConf *tls.Config
	if cfg.TLSConfig != nil {
		tlsConf = cfg.TLSConfig.Clone()
	}
	f.transport = &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dctx, cancel := context.WithTimeoutCause(ctx, connectTimeout, errConnectTimeout)
			defer cancel()
			c, err := dial(dctx, network, addr)
			if err != nil && ctx.Err() == nil && errors.Is(context.Cause(dctx), errConnectTimeout) {
				return nil, &connectTimeoutError{err}
			}
			return c, err
		},
		TLSClientConfig:     tlsConf,
		TLSHandshakeTimeout: connectTimeout,
		// A custom DialContext or TLS config turns h2 off unless forced;
		// ALPN still falls back to HTTP/1.1, and http:// is always HTTP/1.1.
		ForceAttemptHTTP2:      true,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxHeaderBytes,
		MaxIdleConns:           max(100, 2*cfg.Concurrency),
		MaxIdleConnsPerHost:    cfg.HostConcurrency,
		MaxConnsPerHost:        cfg.HostConcurrency,
		IdleConnTimeout:        90 * time.Second,
		ReadBufferSize:         32 << 10,
	}
	f.client = &http.Client{
		Transport: f.transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return f, nil
}

// reservedHeaders may not appear in Config.Headers: the fetcher sets them
// itself, or HTTP/2 forbids them.
var reservedHeaders = []string{
	"User-Agent", "Accept-Encoding", "Host", "Connection", "Content-Length",
	"Transfer-Encoding", "Te", "Upgrade", "Keep-Alive", "Proxy-Connection",
}

func applyDefaults(c *Config) error {
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if !httpguts.ValidHeaderFieldValue(c.UserAgent) {
		return errors.New("fetch: UserAgent holds characters not allowed in a header")
	}
	for name, vals := range c.Headers {
		if !httpguts.ValidHeaderFieldName(name) {
			return fmt.Errorf("fetch: invalid header name %q", name)
		}
		for _, r := range reservedHeaders {
			if strings.EqualFold(name, r) {
				return fmt.Errorf("fetch: header %s cannot be set in Headers", r)
			}
		}
		for _, v := range vals {
			if !httpguts.ValidHeaderFieldValue(v) {
				return fmt.Errorf("fetch: header %s holds characters not allowed in a header", name)
			}
		}
	}
	if strings.Contains(c.BasicAuthUser, ":") {
		return errors.New("fetch: BasicAuthUser cannot contain ':'")
	}
	if c.BasicAuthPass != "" && c.BasicAuthUser == "" {
		return errors.New("fetch: BasicAuthPass set without BasicAuthUser")
	}
	durations := []struct {
		name string
		p    *time.Duration
		def  time.Duration
	}{
		{"ConnectTimeout", &c.ConnectTimeout, DefaultConnectTimeout},
		{"Timeout", &c.Timeout, DefaultTimeout},
		{"MaxRetryAfter", &c.MaxRetryAfter, DefaultMaxRetryAfter},
	}
	for _, d := range durations {
		if *d.p < 0 {
			return fmt.Errorf("fetch: negative %s", d.name)
		}
		if *d.p == 0 {
			*d.p = d.def
		}
	}
	sizes := []struct {
		name string
		p    *int64
		def  int64
	}{
		{"MaxBodyBytes", &c.MaxBodyBytes, DefaultMaxBodyBytes},
		{"MaxDecodedBytes", &c.MaxDecodedBytes, DefaultMaxDecodedBytes},
	}
	for _, s := range sizes {
		if *s.p < 0 {
			return fmt.Errorf("fetch: negative %s", s.name)
		}
		if *s.p == 0 {
			*s.p = s.def
		}
		// Leaves room for the byte read past the cap.
		if *s.p > math.MaxInt32 {
			return fmt.Errorf("fetch: %s over 2 GiB", s.name)
		}
	}
	if c.Concurrency < 0 || c.HostConcurrency < 0 {
		return errors.New("fetch: negative concurrency")
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.HostConcurrency == 0 {
		c.HostConcurrency = c.Concurrency
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"MaxRPS", c.MaxRPS}, {"HostMaxRPS", c.HostMaxRPS}} {
		if r.v < 0 || math.IsNaN(r.v) || math.IsInf(r.v, 0) {
			return fmt.Errorf("fetch: %s must be a finite number >= 0", r.name)
		}
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	return nil
}

// Close closes idle connections. The Fetcher stays usable.
func (f *Fetcher) Close() { f.transport.CloseIdleConnections() }

// Request is one GET.
type Request struct {
	URL *url.URL
	// MaxBody, when > 0, replaces MaxBodyBytes and also caps the decoded
	// body, since per-request caps (robots.txt's 500 KiB) are about content.
	// Exceeding it is truncation, not an error.
	MaxBody int64
	// Accept defaults to DefaultAccept (or Config.Headers' Accept for
	// internal hosts).
	Accept string
}

// Response is a complete HTTP response with its body read (up to the caps).
type Response struct {
	URL         *url.URL // the requested URL
	Status      int
	Proto       string // "HTTP/1.1", "HTTP/2.0"
	Header      http.Header
	ContentType string // media type, lower-cased, without parameters; "" if absent
	Charset     string // charset parameter of Content-Type, lower-cased; "" if none
	Location    string // raw Location header of a 3xx, "" otherwise
	// Body is the decoded body, at most the cap, the caller's until Release.
	// Unknown Content-Encodings are left as they are.
	Body      []byte
	WireBytes int64 // body bytes read from the wire, before decoding
	// Truncated reports that the body exceeded a cap (MaxBody, MaxBodyBytes
	// or MaxDecodedBytes); Body holds the prefix and the connection was
	// closed rather than drained.
	Truncated bool
	TTFB      time.Duration // request sent (after politeness waits) to first response byte
	Duration  time.Duration // request sent to body read
	Retries   int           // retried responses (throttled or transient 503) before this one
	// Throttled marks a final 429, or 503 with Retry-After, returned because
	// retries ran out or Retry-After exceeded MaxRetryAfter.
	Throttled  bool
	RetryAfter time.Duration // parsed Retry-After of this response, 0 if none

	buf *[]byte // Body's pooled buffer
}

// Release hands Body's buffer back for a later Fetch to reuse, which spares
// the allocation (and the garbage collection) of one buffer per page.
// Calling it is optional; after it, Body and anything sliced from it must
// not be used.
func (r *Response) Release() {
	if r.buf != nil {
		recycle(r.buf, *r.buf)
		r.buf = nil
	}
	r.Body = nil
}

// Fetch GETs r.URL, waiting for politeness first and retrying throttled
// responses. It returns an error, always an *Error, only when no complete
// HTTP response was received: network failures, timeouts (including while
// reading the body), undecodable gzip or deflate bodies, and ctx being
// cancelled, which aborts waits and in-flight requests at once.
func (f *Fetcher) Fetch(ctx context.Context, r Request) (*Response, error) {
	u := r.URL
	if u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		s := ""
		if u != nil {
			s = u.String()
		}
		return nil, &Error{Kind: KindOther, URL: s, Err: errors.New("not an absolute http(s) URL"), msg: "unsupported URL"}
	}
	if ctx.Err() != nil {
		return nil, canceledError(ctx, u)
	}
	h := f.pol.get(HostKey(u))
	defer f.pol.put(h)

	retries := 0
	transientRetried := false
	for {
		if err := f.pol.acquire(ctx, h); err != nil {
			return nil, canceledError(ctx, u)
		}
		resp, err := f.attempt(ctx, r)
		if err != nil {
			f.pol.release(h)
			return nil, err
		}
		resp.Retries = retries
		hasRA := false
		resp.RetryAfter, hasRA = parseRetryAfter(resp.Header, time.Now())
		var wait time.Duration
		retry := false
		switch {
		case resp.Status == http.StatusTooManyRequests || (resp.Status == http.StatusServiceUnavailable && hasRA):
			resp.Throttled = true
			wait = resp.RetryAfter
			if !hasRA {
				wait = backoff(retries, f.cfg.MaxRetryAfter)
			}
			// Pause the host even when giving up: the server asked the
			// crawler to slow down. Capped so one absurd Retry-After cannot
			// stall the host for the rest of the crawl.
			f.pol.pause(h, min(wait, f.cfg.MaxRetryAfter))
			retry = retries < f.maxRetries && wait <= f.cfg.MaxRetryAfter
			wait = 0 // the host pause does the waiting
		case resp.Status == http.StatusServiceUnavailable && !transientRetried:
			// Most likely a blip on this URL: retry once, but do not
			// hold the whole host back for it.
			transientRetried = true
			retry = retries < f.maxRetries
			wait = time.Second
		}
		f.pol.release(h)
		if !retry {
			return resp, nil
		}
		retries++
		if err := sleep(ctx, wait); err != nil {
			return nil, canceledError(ctx, u)
		}
	}
}

// backoff is the wait before retry n (0-based) of a throttled response
// without Retry-After: 1s, 2s, 4s... capped at limit.
func backoff(n int, limit time.Duration) time.Duration {
	if n >= 30 {
		return limit
	}
	return min(time.Second<<n, limit)
}

// attempt sends one request and reads its body. The caller holds the slots.
func (f *Fetcher) attempt(ctx context.Context, r Request) (*Response, error) {
	u := r.URL
	actx, cancel := context.WithTimeoutCause(ctx, f.cfg.Timeout, errTimeout)
	defer cancel()
	var firstByte time.Time
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		GotFirstResponseByte: func() { firstByte = time.Now() },
	})

	hdr := make(http.Header, 4+len(f.extra))
	hdr["User-Agent"] = f.ua
	hdr["Accept-Encoding"] = f.ae
	if r.Accept != "" {
		hdr["Accept"] = []string{r.Accept}
	} else {
		hdr["Accept"] = f.accept
	}
	internal := f.cfg.Internal != nil && f.cfg.Internal(strings.ToLower(u.Hostname()))
	if internal {
		for k, v := range f.extra {
			if k == "Accept" && r.Accept != "" {
				continue
			}
			hdr[k] = v
		}
	}
	req := (&http.Request{
		Method:     http.MethodGet,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     hdr,
		Host:       u.Host,
	}).WithContext(actx)
	if internal && f.cfg.BasicAuthUser != "" {
		req.SetBasicAuth(f.cfg.BasicAuthUser, f.cfg.BasicAuthPass)
	}

	start := time.Now()
	hr, err := f.client.Do(req)
	if err != nil {
		return nil, f.wrapErr(ctx, actx, u, err, false)
	}
	defer hr.Body.Close()

	resp := &Response{
		URL:    u,
		Status: hr.StatusCode,
		Proto:  hr.Proto,
		Header: hr.Header,
	}
	// Do returns after the trace callback ran on the transport's goroutine.
	if firstByte.IsZero() {
		firstByte = time.Now()
	}
	resp.TTFB = firstByte.Sub(start)
	resp.ContentType, resp.Charset = parseContentType(hr.Header.Get("Content-Type"))
	if hr.StatusCode >= 300 && hr.StatusCode < 400 {
		resp.Location = hr.Header.Get("Location")
	}

	wireCap, decCap := f.cfg.MaxBodyBytes, f.cfg.MaxDecodedBytes
	if r.MaxBody > 0 {
		wireCap = min(r.MaxBody, math.MaxInt32)
		decCap = min(decCap, wireCap)
	}
	b, err := readBody(hr, wireCap, decCap)
	if err != nil {
		if b.buf != nil {
			recycle(b.buf, *b.buf)
		}
		return nil, f.wrapErr(ctx, actx, u, err, true)
	}
	resp.Body, resp.buf, resp.WireBytes, resp.Truncated = b.body, b.buf, b.wire, b.truncated
	resp.Duration = time.Since(start)
	return resp, nil
}

// parseContentType splits a Content-Type leniently: mime.ParseMediaType
// rejects much of what servers send, and browsers do not.
func parseContentType(v string) (mediaType, charset string) {
	if v == "" {
		return "", ""
	}
	mt, params, _ := strings.Cut(v, ";")
	mediaType = strings.ToLower(strings.TrimSpace(mt))
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, val, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "charset") {
			continue
		}
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		charset = strings.ToLower(strings.TrimSpace(val))
		break
	}
	return mediaType, charset
}

// parseRetryAfter reads Retry-After as delta-seconds or an HTTP-date. A date
// is measured against the response's Date header when present, so clock
// skew between us and the server does not stretch or cancel the wait.
func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		n := int64(0)
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int64(c-'0')
			if n > 1e9 {
				return math.MaxInt64, true // decades: longer than any limit
			}
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		now = d
	}
	if w := t.Sub(now); w > 0 {
		return w, true
	}
	return 0, true
}
