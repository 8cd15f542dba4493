package fetch

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestReleaseReuse fetches bodies of shrinking and growing sizes, each
// released before the next fetch, through every way a body is read (with a
// Content-Length, chunked, gzip): a reused buffer must never leak a
// previous body's bytes into the next one, nor the next into a body still
// held.
func TestReleaseReuse(t *testing.T) {
	t.Parallel()
	body := func(n int, c byte) []byte { return bytes.Repeat([]byte{c}, n) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		b := body(n, r.URL.Query().Get("c")[0])
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			w.Write(b)
		case "/chunked":
			w.(http.Flusher).Flush() // no Content-Length
			w.Write(b)
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write(b)
			zw.Close()
		}
	}))
	defer srv.Close()
	f := newFetcher(t, Config{})
	sizes := []int{50_000, 10, 0, 70_000, 3_000, 200_000, 1}
	for _, path := range []string{"/length", "/chunked", "/gzip"} {
		var held *Response // kept, not released: the next fetches must not touch it
		for i, n := range sizes {
			c := byte('a' + i)
			r := mustGet(t, f, fmt.Sprintf("%s%s?n=%d&c=%c", srv.URL, path, n, c))
			if !bytes.Equal(r.Body, body(n, c)) {
				t.Errorf("%s n=%d: body of %d bytes, %q…", path, n, len(r.Body), r.Body[:min(len(r.Body), 20)])
			}
			if i == 2 {
				held = r
				continue
			}
			r.Release()
			if r.Body != nil {
				t.Errorf("%s: Body still set after Release", path)
			}
			r.Release() // twice is harmless
		}
		if held == nil || len(held.Body) != 0 {
			t.Errorf("%s: a held empty body changed", path)
		}
	}
	// A held non-empty body keeps its bytes while others are released.
	keep := mustGet(t, f, srv.URL+"/length?n=40000&c=k")
	for range 4 {
		mustGet(t, f, srv.URL+"/length?n=40000&c=z").Release()
	}
	if strings.Trim(string(keep.Body), "k") != "" || len(keep.Body) != 40000 {
		t.Error("a body not released was overwritten by later fetches")
	}
}
