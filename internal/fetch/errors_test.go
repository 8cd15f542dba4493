package fetch

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	f := newFetcher(t, Config{})
	e := fetchErr(t, f, context.Background(), "http://"+addr+"/", KindConnect)
	if e.Error() != "connection refused" {
		t.Errorf("message %q", e)
	}
}

func TestDNSError(t *testing.T) {
	t.Parallel()
	f := newFetcher(t, Config{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}})
	e := fetchErr(t, f, context.Background(), "http://nx.test/", KindDNS)
	if e.Error() != "dns: no such host" {
		t.Errorf("message %q", e)
	}
	var dnsErr *net.DNSError
	if !errors.As(e, &dnsErr) || dnsErr.Name != "nx.test" {
		t.Errorf("underlying error not reachable: %v", e.Err)
	}
}

func TestTLSErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the rejected handshakes are expected
	srv.StartTLS()
	defer srv.Close()

	untrusted := newFetcher(t, Config{})
	e := fetchErr(t, untrusted, context.Background(), srv.URL+"/", KindTLS)
	if e.Error() != "tls: certificate signed by unknown authority" {
		t.Errorf("message %q", e)
	}

	// Trusted, but the certificate does not name the host.
	wrongName := newFetcher(t, Config{
		TLSConfig:   &tls.Config{RootCAs: certPool(srv)},
		DialContext: mapDialer(serverAddr(srv)),
	})
	e = fetchErr(t, wrongName, context.Background(), "https://wrong.test/", KindTLS)
	if !strings.Contains(e.Error(), "wrong.test") {
		t.Errorf("message %q does not name the host", e)
	}

	// Plain HTTP where TLS was expected.
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer plain.Close()
	e = fetchErr(t, untrusted, context.Background(), "https://"+serverAddr(plain)+"/", KindTLS)
	if e.Error() != "tls: server answered https with plain HTTP" {
		t.Errorf("message %q", e)
	}
}

func TestResetAndProtocolErrors(t *testing.T) {
	t.Parallel()
	readRequest := func(c net.Conn) {
		http.ReadRequest(bufio.NewReader(c))
	}
	for _, tc := range []struct {
		name, kind, msg string
		handle          func(net.Conn)
	}{
		{"reset", KindReset, "connection reset by peer", func(c net.Conn) {
			readRequest(c)
			c.(*net.TCPConn).SetLinger(0) // close with RST
		}},
		{"closed without response", KindReset, "connection closed without a response", readRequest},
		{"body shorter than Content-Length", KindReset, "connection closed before the end of the body", func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this")
		}},
		{"chunked body cut", KindReset, "connection closed before the end of the body", func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789")
		}},
		{"malformed", KindProtocol, `protocol: malformed HTTP response "SSH-2.0-OpenSSH_9.6"`, func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "SSH-2.0-OpenSSH_9.6\r\n\r\n")
		}},
		{"huge headers", KindProtocol, "protocol: server response headers exceeded 65536 bytes; aborted", func(c net.Conn) {
			readRequest(c)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Big: "+strings.Repeat("x", 100<<10)+"\r\n\r\n")
		}},
	} {
		addr := rawServer(t, tc.handle)
		f := newFetcher(t, Config{})
		e := fetchErr(t, f, context.Background(), "http://"+addr+"/", tc.kind)
		if tc.msg != "" && e.Error() != tc.msg {
			t.Errorf("%s: message %q, want %q", tc.name, e, tc.msg)
		}
		if e.Kind == KindProtocol && !strings.HasPrefix(e.Error(), "protocol: ") {
			t.Errorf("%s: message %q", tc.name, e)
		}
	}
}

func TestTimeouts(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	defer close(stop)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow-first-byte":
			select {
			case <-r.Context().Done():
			case <-stop:
			}
		case "/trickle":
			// Each byte comes well within any read timeout; only a
			// deadline on the whole request can end this.
			for {
				if _, err := io.WriteString(w, "."); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-time.After(50 * time.Millisecond):
				case <-r.Context().Done():
					return
				case <-stop:
					return
				}
			}
		}
	}))
	defer srv.Close()
	f := newFetcher(t, Config{Timeout: time.Second})
	for _, path := range []string{"/slow-first-byte", "/trickle"} {
		start := time.Now()
		e := fetchErr(t, f, context.Background(), srv.URL+path, KindTimeout)
		if d := time.Since(start); d < 900*time.Millisecond || d > 10*time.Second {
			t.Errorf("%s: gave up after %v, want about the 1s timeout", path, d)
		}
		if e.Error() != "timeout after 1s" {
			t.Errorf("%s: message %q", path, e)
		}
	}
}

func TestConnectTimeouts(t *testing.T) {
	t.Parallel()
	// A dial that never completes.
	f := newFetcher(t, Config{ConnectTimeout: 300 * time.Millisecond, Timeout: 20 * time.Second,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}})
	start := time.Now()
	e := fetchErr(t, f, context.Background(), "http://blackhole.test/", KindTimeout)
	if d := time.Since(start); d < 250*time.Millisecond || d > 10*time.Second {
		t.Errorf("dial gave up after %v, want about 300ms", d)
	}
	if e.Error() != "connect timeout after 300ms" {
		t.Errorf("message %q", e)
	}

	// A TCP peer that never answers the TLS handshake.
	addr := rawServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	f = newFetcher(t, Config{ConnectTimeout: 300 * time.Millisecond, Timeout: 20 * time.Second})
	start = time.Now()
	e = fetchErr(t, f, context.Background(), "https://"+addr+"/", KindTimeout)
	if d := time.Since(start); d < 250*time.Millisecond || d > 10*time.Second {
		t.Errorf("handshake gave up after %v, want about 300ms", d)
	}
	if e.Error() != "TLS handshake timeout after 300ms" {
		t.Errorf("message %q", e)
	}
}

func TestCancelInFlight(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			io.WriteString(w, "start")
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	f := newFetcher(t, Config{})
	for _, path := range []string{"/headers", "/body"} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		start := time.Now()
		e := fetchErr(t, f, ctx, srv.URL+path, KindCanceled)
		// The server would stall for 30s (the default Timeout); anything
		// near that means cancellation did not abort the request.
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: returned %v after the start, long after the cancel", path, d)
		}
		if !errors.Is(e, context.Canceled) || e.Error() != "canceled" {
			t.Errorf("%s: %q does not wrap context.Canceled", path, e)
		}
	}
}

func TestClassifyMessagesAreOneLine(t *testing.T) {
	_, msg := classify(errors.New("weird\nmulti-line\terror"), false)
	if msg != "weird multi-line error" {
		t.Errorf("%q", msg)
	}
	_, msg = classify(errors.New(strings.Repeat("é", 300)), false)
	if len(msg) > 210 || strings.ContainsRune(msg, '\uFFFD') {
		t.Errorf("long message not cut cleanly: %d bytes", len(msg))
	}
	e := &Error{Kind: KindOther, Err: errors.New("x")}
	if e.Error() != "other: x" {
		t.Errorf("zero Error message %q", e)
	}
}
