package fetch

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func newFetcher(t testing.TB, cfg Config) *Fetcher {
	t.Helper()
	f, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(f.Close)
	return f
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func get(t testing.TB, f *Fetcher, rawURL string) (*Response, error) {
	t.Helper()
	return f.Fetch(context.Background(), Request{URL: mustURL(t, rawURL)})
}

func mustGet(t testing.TB, f *Fetcher, rawURL string) *Response {
	t.Helper()
	r, err := get(t, f, rawURL)
	if err != nil {
		t.Fatalf("Fetch %s: %v", rawURL, err)
	}
	return r
}

// fetchErr asserts that the fetch failed with an *Error of the given kind.
func fetchErr(t testing.TB, f *Fetcher, ctx context.Context, rawURL, kind string) *Error {
	t.Helper()
	r, err := f.Fetch(ctx, Request{URL: mustURL(t, rawURL)})
	if err == nil {
		t.Fatalf("Fetch %s: got status %d, want a %q error", rawURL, r.Status, kind)
	}
	if r != nil {
		t.Errorf("Fetch %s: response %+v returned with error", rawURL, r)
	}
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("Fetch %s: error %T %v is not *Error", rawURL, err, err)
	}
	t.Logf("%s: %s error %q (%T)", rawURL, fe.Kind, fe, fe.Err)
	if fe.Kind != kind {
		t.Fatalf("Fetch %s: kind %q (%v, underlying %v), want %q", rawURL, fe.Kind, fe, fe.Err, kind)
	}
	if strings.ContainsAny(fe.Error(), "\n\r") || fe.Error() == "" {
		t.Errorf("Error() = %q, want one non-empty line", fe.Error())
	}
	if fe.URL != rawURL {
		t.Errorf("Error.URL = %q, want %q", fe.URL, rawURL)
	}
	return fe
}

// mapDialer sends every host name to the listener at addr, so one test
// server can play many hosts (each its own politeness key).
func mapDialer(addr string) func(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
}

func serverAddr(s *httptest.Server) string { return s.Listener.Addr().String() }

func certPool(s *httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.Certificate())
	return p
}

// rawServer accepts TCP connections and hands each to handle, for
// responses net/http would never send.
func rawServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// inflight tracks the peak of concurrent calls.
type inflight struct {
	mu       sync.Mutex
	cur, max int
}

func (c *inflight) enter() {
	c.mu.Lock()
	c.cur++
	c.max = max(c.max, c.cur)
	c.mu.Unlock()
}

func (c *inflight) leave() {
	c.mu.Lock()
	c.cur--
	c.mu.Unlock()
}

func (c *inflight) peak() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.max
}
