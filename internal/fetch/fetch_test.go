package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPlainHTTP1(t *testing.T) {
	t.Parallel()
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.Header().Set("X-Extra", "kept")
		io.WriteString(w, "<title>hi</title>")
	}))
	defer srv.Close()
	f := newFetcher(t, Config{})
	r := mustGet(t, f, srv.URL+"/page")

	if r.Status != 200 || r.Proto != "HTTP/1.1" {
		t.Errorf("status %d proto %q, want 200 HTTP/1.1", r.Status, r.Proto)
	}
	if string(r.Body) != "<title>hi</title>" || r.WireBytes != int64(len(r.Body)) || r.Truncated {
		t.Errorf("body %q wire %d truncated %v", r.Body, r.WireBytes, r.Truncated)
	}
	if r.ContentType != "text/html" || r.Charset != "utf-8" {
		t.Errorf("content type %q charset %q", r.ContentType, r.Charset)
	}
	if r.Header.Get("X-Extra") != "kept" || r.Location != "" || r.URL.Path != "/page" {
		t.Errorf("header %v location %q url %v", r.Header, r.Location, r.URL)
	}
	if r.Duration < r.TTFB || r.TTFB <= 0 {
		t.Errorf("TTFB %v Duration %v", r.TTFB, r.Duration)
	}
	if got.Get("User-Agent") != DefaultUserAgent {
		t.Errorf("User-Agent %q", got.Get("User-Agent"))
	}
	if got.Get("Accept-Encoding") != "gzip, deflate" {
		t.Errorf("Accept-Encoding %q", got.Get("Accept-Encoding"))
	}
	if got.Get("Accept") != DefaultAccept {
		t.Errorf("Accept %q", got.Get("Accept"))
	}

	// A per-request Accept replaces the default.
	r2, err := f.Fetch(context.Background(), Request{URL: mustURL(t, srv.URL+"/robots.txt"), Accept: "text/plain"})
	if err != nil || r2.Status != 200 {
		t.Fatal(r2, err)
	}
	if got.Get("Accept") != "text/plain" {
		t.Errorf("Accept %q, want text/plain", got.Get("Accept"))
	}
}

func TestHTTP2OverTLS(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "proto=%s", r.Proto)
	})
	h2 := httptest.NewUnstartedServer(h)
	h2.EnableHTTP2 = true
	h2.StartTLS()
	defer h2.Close()
	h1 := httptest.NewTLSServer(h) // offers HTTP/1.1 only
	defer h1.Close()

	for _, tc := range []struct {
		srv   *httptest.Server
		proto string
	}{{h2, "HTTP/2.0"}, {h1, "HTTP/1.1"}} {
		f := newFetcher(t, Config{TLSConfig: &tls.Config{RootCAs: certPool(tc.srv)}})
		r := mustGet(t, f, tc.srv.URL+"/")
		if r.Proto != tc.proto || string(r.Body) != "proto="+tc.proto {
			t.Errorf("%s: proto %q body %q, want %s", tc.srv.URL, r.Proto, r.Body, tc.proto)
		}
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var targetHits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "new?x=1")
		w.WriteHeader(http.StatusMovedPermanently)
		io.WriteString(w, "moved")
	})
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { targetHits.Add(1) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newFetcher(t, Config{})
	r := mustGet(t, f, srv.URL+"/old")
	if r.Status != 301 || r.Location != "new?x=1" || string(r.Body) != "moved" {
		t.Errorf("status %d location %q body %q", r.Status, r.Location, r.Body)
	}
	if n := targetHits.Load(); n != 0 {
		t.Errorf("redirect target fetched %d times", n)
	}
}

func TestParseContentType(t *testing.T) {
	for _, tc := range []struct{ in, mt, cs string }{
		{"text/HTML; charset=ISO-8859-1", "text/html", "iso-8859-1"},
		{"text/html", "text/html", ""},
		{"", "", ""},
		{` Application/XHTML+XML ; foo=bar; Charset="UTF-8" `, "application/xhtml+xml", "utf-8"},
		{"text/html;charset", "text/html", ""},
		{"text/html; charset=utf-8; charset=latin1", "text/html", "utf-8"},
		{"text/plain;;charset = windows-1252", "text/plain", "windows-1252"},
	} {
		mt, cs := parseContentType(tc.in)
		if mt != tc.mt || cs != tc.cs {
			t.Errorf("parseContentType(%q) = %q, %q; want %q, %q", tc.in, mt, cs, tc.mt, tc.cs)
		}
	}
}

func TestInternalHeadersOnly(t *testing.T) {
	t.Parallel()
	type seen struct{ auth, token, cookie, ua, accept string }
	var mu sync.Mutex
	got := map[string]seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.Host] = seen{r.Header.Get("Authorization"), r.Header.Get("X-Token"), r.Header.Get("Cookie"), r.Header.Get("User-Agent"), r.Header.Get("Accept")}
		mu.Unlock()
	}))
	defer srv.Close()
	var asked []string
	f := newFetcher(t, Config{
		UserAgent:     "TestBot/2",
		Headers:       http.Header{"X-Token": {"secret"}, "Cookie": {"sid=1"}, "Accept": {"text/html"}},
		BasicAuthUser: "user",
		BasicAuthPass: "pass",
		Internal: func(host string) bool {
			mu.Lock()
			asked = append(asked, host)
			mu.Unlock()
			return host == "internal.test"
		},
		DialContext: mapDialer(serverAddr(srv)),
	})
	mustGet(t, f, "http://Internal.TEST:8080/")
	mustGet(t, f, "http://external.test/")

	in, ex := got["Internal.TEST:8080"], got["external.test"]
	if in.auth == "" || in.token != "secret" || in.cookie != "sid=1" || in.ua != "TestBot/2" || in.accept != "text/html" {
		t.Errorf("internal host got %+v", in)
	}
	if ex.auth != "" || ex.token != "" || ex.cookie != "" || ex.accept != DefaultAccept {
		t.Errorf("external host got credentials or custom headers: %+v", ex)
	}
	if ex.ua != "TestBot/2" {
		t.Errorf("external host User-Agent %q", ex.ua)
	}
	if fmt.Sprint(asked) != "[internal.test external.test]" {
		t.Errorf("Internal called with %q, want bare lower-case host names", asked)
	}
}

func TestConnectionReuse(t *testing.T) {
	t.Parallel()
	page := strings.Repeat("reuse me ", 2000)
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", fmt.Sprint(len(page)))
			io.WriteString(w, page)
		case "/chunked":
			io.WriteString(w, page[:100])
			w.(http.Flusher).Flush()
			io.WriteString(w, page[100:])
		case "/zlib":
			// The zlib stream ends before the chunked body does: the
			// terminating chunk comes later, in its own packet.
			w.Header().Set("Content-Encoding", "deflate")
			w.(http.Flusher).Flush()
			w.Write(compress(t, "zlib", page))
			w.(http.Flusher).Flush()
			time.Sleep(20 * time.Millisecond)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	f := newFetcher(t, Config{})
	for i := 0; i < 4; i++ {
		for _, p := range []string{"/length", "/chunked", "/zlib"} {
			if r := mustGet(t, f, srv.URL+p); string(r.Body) != page {
				t.Fatalf("%s: body of %d bytes", p, len(r.Body))
			}
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 12 sequential fetches, want 1", n)
	}
}

func TestBodyOwnedByCaller(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := r.URL.Path[len(r.URL.Path)-1:]
		body := strings.Repeat(c, 50001)
		if strings.HasPrefix(r.URL.Path, "/gz/") {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(compress(t, "gzip", body))
			return
		}
		// Flushing early forces chunked encoding, the pooled-buffer path.
		io.WriteString(w, body[:1])
		w.(http.Flusher).Flush()
		io.WriteString(w, body[1:])
	}))
	defer srv.Close()
	f := newFetcher(t, Config{})
	for _, prefix := range []string{"/plain/", "/gz/"} {
		first := mustGet(t, f, srv.URL+prefix+"a")
		var wg sync.WaitGroup
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := string(rune('b' + i))
				r, err := get(t, f, srv.URL+prefix+c)
				if err != nil || len(r.Body) != 50001 || strings.Trim(string(r.Body), c) != "" {
					t.Errorf("%s%s: %v, body not all %q", prefix, c, err, c)
				}
			}()
		}
		wg.Wait()
		if len(first.Body) != 50001 || strings.Trim(string(first.Body), "a") != "" {
			t.Errorf("%s: first body changed by later fetches: %d bytes, %q...", prefix, len(first.Body), first.Body[:20])
		}
	}
}

func TestTTFB(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, "head")
		w.(http.Flusher).Flush()
		time.Sleep(200 * time.Millisecond)
		io.WriteString(w, "tail")
	}))
	defer srv.Close()
	f := newFetcher(t, Config{})
	r := mustGet(t, f, srv.URL)
	if r.TTFB < 290*time.Millisecond {
		t.Errorf("TTFB %v, want at least the 300ms the server waited", r.TTFB)
	}
	if r.Duration-r.TTFB < 190*time.Millisecond {
		t.Errorf("Duration %v - TTFB %v, want at least the 200ms body delay", r.Duration, r.TTFB)
	}
	if string(r.Body) != "headtail" {
		t.Errorf("body %q", r.Body)
	}
}

func TestNewValidates(t *testing.T) {
	bad := []Config{
		{Timeout: -1},
		{ConnectTimeout: -time.Second},
		{MaxBodyBytes: -1},
		{MaxDecodedBytes: 3 << 30},
		{Concurrency: -1},
		{MaxRPS: -1},
		{HostMaxRPS: float64Inf()},
		{UserAgent: "bot\r\nX-Evil: 1"},
		{Headers: http.Header{"Bad Name": {"x"}}},
		{Headers: http.Header{"X-Ok": {"a\nb"}}},
		{Headers: http.Header{"Accept-Encoding": {"br"}}},
		{Headers: http.Header{"User-Agent": {"other"}}},
		{BasicAuthUser: "a:b"},
		{MaxRetryAfter: -1},
	}
	for _, c := range bad {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) succeeded", c)
		}
	}
	f, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := f.cfg
	if c.UserAgent != DefaultUserAgent || c.Timeout != 30*time.Second || c.ConnectTimeout != 10*time.Second ||
		c.MaxBodyBytes != 10<<20 || c.MaxDecodedBytes != 50<<20 || c.Concurrency != 8 || c.HostConcurrency != 8 ||
		c.MaxRetries != 5 || c.MaxRetryAfter != 2*time.Minute {
		t.Errorf("defaults not applied: %+v", c)
	}
	if f.transport.MaxConnsPerHost != 8 || f.transport.MaxIdleConnsPerHost != 8 || !f.transport.DisableCompression ||
		f.transport.MaxResponseHeaderBytes != 64<<10 || f.transport.IdleConnTimeout != 90*time.Second {
		t.Errorf("transport settings: %+v", f.transport)
	}
}

func float64Inf() float64 { return math.Inf(1) }

func TestUnsupportedURL(t *testing.T) {
	f := newFetcher(t, Config{})
	for _, s := range []string{"ftp://example.com/", "/relative", "mailto:a@b.c"} {
		_, err := f.Fetch(context.Background(), Request{URL: mustURL(t, s)})
		var fe *Error
		if !errors.As(err, &fe) || fe.Kind != KindOther {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, err := f.Fetch(context.Background(), Request{}); err == nil {
		t.Error("nil URL accepted")
	}
}

// compress encodes s as gzip, zlib ("deflate" done right) or raw deflate.
func compress(t testing.TB, enc, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := newCompressor(enc, &b)
	if _, err := io.WriteString(w, s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
