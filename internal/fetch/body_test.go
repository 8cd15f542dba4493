package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

func newCompressor(enc string, w io.Writer) io.WriteCloser {
	switch enc {
	case "gzip":
		return gzip.NewWriter(w)
	case "zlib":
		return zlib.NewWriter(w)
	case "raw":
		fw, _ := flate.NewWriter(w, flate.DefaultCompression)
		return fw
	}
	panic(enc)
}

// textish is n bytes of word soup: compressible, but not trivially.
func textish(n int) string {
	words := []string{"crawl ", "index ", "canonical ", "robots ", "sitemap ", "title ", "<p>", "</p>\n", "hreflang "}
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()[:n]
}

func TestDecompression(t *testing.T) {
	t.Parallel()
	page := textish(60_000)
	gz := compress(t, "gzip", page)
	zl := compress(t, "zlib", page)
	raw := compress(t, "raw", page)
	twoMembers := append(compress(t, "gzip", page[:20_000]), compress(t, "gzip", page[20_000:])...)
	for _, tc := range []struct {
		name, enc string
		wire      []byte
		want      string
	}{
		{"gzip", "gzip", gz, page},
		{"x-gzip", "x-gzip", gz, page},
		{"upper-case", "GZIP", gz, page},
		{"zlib deflate", "deflate", zl, page},
		{"raw deflate", "deflate", raw, page},
		{"gzip members", "gzip", twoMembers, page},
		{"gzip trailing garbage", "gzip", append(append([]byte{}, gz...), "\n\x00junk"...), page},
		{"identity", "identity", []byte(page), page},
		{"unknown kept as is", "br", []byte("\x1b\x03brotli?"), "\x1b\x03brotli?"},
		{"empty gzip body", "gzip", nil, ""},
		{"stacked", "deflate, gzip", compress(t, "gzip", string(zl)), page},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, chunked := range []bool{false, true} {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Encoding", tc.enc)
					if chunked {
						w.(http.Flusher).Flush()
					} else {
						w.Header().Set("Content-Length", fmt.Sprint(len(tc.wire)))
					}
					w.Write(tc.wire)
				}))
				f := newFetcher(t, Config{})
				r := mustGet(t, f, srv.URL)
				srv.Close()
				if string(r.Body) != tc.want {
					t.Errorf("chunked=%v: body of %d bytes, want %d", chunked, len(r.Body), len(tc.want))
				}
				if r.Truncated || len(r.Body) != len(tc.want) || r.WireBytes != int64(len(tc.wire)) {
					t.Errorf("chunked=%v: truncated %v size %d wire %d, want size %d wire %d",
						chunked, r.Truncated, len(r.Body), r.WireBytes, len(tc.want), len(tc.wire))
				}
			}
		})
	}
}

func TestCorruptEncodingIsProtocolError(t *testing.T) {
	t.Parallel()
	gz := compress(t, "gzip", textish(10_000))
	gz[len(gz)/2] ^= 0xff
	for _, tc := range []struct {
		enc  string
		body []byte
	}{
		{"gzip", []byte("this is not gzip at all")},
		{"gzip", gz},
		{"deflate", []byte{0xff, 0xff, 0xff, 0xff}},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", tc.enc)
			w.Write(tc.body)
		}))
		f := newFetcher(t, Config{})
		e := fetchErr(t, f, context.Background(), srv.URL, KindProtocol)
		if !strings.Contains(e.Error(), tc.enc) {
			t.Errorf("error %q does not name the encoding", e)
		}
		srv.Close()
	}
}

func TestBodyCaps(t *testing.T) {
	t.Parallel()
	page := textish(10_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("chunked") != "" {
			w.(http.Flusher).Flush()
		}
		io.WriteString(w, page)
	}))
	defer srv.Close()
	for _, chunked := range []string{"", "1"} {
		u := srv.URL + "/?chunked=" + chunked
		for _, tc := range []struct {
			name      string
			cfg       Config
			maxBody   int64
			wantLen   int
			truncated bool
		}{
			{"under cap", Config{MaxBodyBytes: 20_000}, 0, 10_000, false},
			{"exactly cap", Config{MaxBodyBytes: 10_000}, 0, 10_000, false},
			{"over cap", Config{MaxBodyBytes: 4_000}, 0, 4_000, true},
			{"over decoded cap", Config{MaxDecodedBytes: 3_000}, 0, 3_000, true},
			{"request cap", Config{}, 5_000, 5_000, true},
			{"request cap wins over config", Config{MaxBodyBytes: 1_000}, 9_999, 9_999, true},
		} {
			f := newFetcher(t, tc.cfg)
			r, err := f.Fetch(context.Background(), Request{URL: mustURL(t, u), MaxBody: tc.maxBody})
			if err != nil {
				t.Fatalf("%s chunked=%q: %v", tc.name, chunked, err)
			}
			if len(r.Body) != tc.wantLen || r.Truncated != tc.truncated || string(r.Body) != page[:tc.wantLen] {
				t.Errorf("%s chunked=%q: %d bytes truncated=%v, want %d %v", tc.name, chunked, len(r.Body), r.Truncated, tc.wantLen, tc.truncated)
			}
		}
	}
}

// A compressed body over the wire cap yields a decodable prefix, not an
// error.
func TestWireCapOnCompressedBody(t *testing.T) {
	t.Parallel()
	page := textish(150_000)
	for _, enc := range []string{"gzip", "zlib", "raw"} {
		wire := compress(t, enc, page)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if enc == "gzip" {
				w.Header().Set("Content-Encoding", "gzip")
			} else {
				w.Header().Set("Content-Encoding", "deflate")
			}
			w.Write(wire)
		}))
		capBytes := int64(len(wire) / 3)
		f := newFetcher(t, Config{MaxBodyBytes: capBytes})
		r := mustGet(t, f, srv.URL)
		srv.Close()
		if !r.Truncated || len(r.Body) == 0 || len(r.Body) >= len(page) || !strings.HasPrefix(page, string(r.Body)) {
			t.Errorf("%s: truncated %v, %d of %d bytes, prefix %v", enc, r.Truncated, len(r.Body), len(page), strings.HasPrefix(page, string(r.Body)))
		}
		if r.WireBytes > capBytes+1 {
			t.Errorf("%s: read %d wire bytes with a cap of %d", enc, r.WireBytes, capBytes)
		}
	}
}

// gzipZeros returns a single-member gzip of n MiB of zeros, about 1 KB per
// MiB. Compressing 100 MiB under the race detector takes many seconds, so
// it compresses 3 MiB and repeats the steady-state per-MiB segment: once
// the window is all zeros, each flushed MiB encodes to the same bytes.
func gzipZeros(t *testing.T, n int) []byte {
	var b bytes.Buffer
	fw, _ := flate.NewWriter(&b, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	var segs [][]byte
	for i := 0; i < 3; i++ {
		prev := b.Len()
		fw.Write(zeros)
		fw.Flush() // byte-aligns the stream, so segments concatenate
		segs = append(segs, bytes.Clone(b.Bytes()[prev:]))
	}
	if !bytes.Equal(segs[1], segs[2]) {
		t.Fatal("flate output for repeated zeros is not stable; build the bomb another way")
	}
	var out bytes.Buffer
	out.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}) // gzip header
	out.Write(segs[0])
	for i := 1; i < n; i++ {
		out.Write(segs[1])
	}
	out.Write([]byte{0x03, 0x00}) // final, empty fixed-Huffman block
	crc := uint32(0)
	for i := 0; i < n; i++ {
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	out.Write(binary.LittleEndian.AppendUint32(nil, crc))
	out.Write(binary.LittleEndian.AppendUint32(nil, uint32(n<<20)))
	return out.Bytes()
}

func TestGzipZerosIsValid(t *testing.T) {
	zr, err := gzip.NewReader(bytes.NewReader(gzipZeros(t, 5)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || len(got) != 5<<20 || bytes.IndexByte(got, 1) >= 0 {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
}

// A gzip bomb (100 MiB of zeros in ~100 KB) stops at MaxDecodedBytes and
// allocates about that much, not 100 MiB.
func TestGzipBomb(t *testing.T) {
	bomb := gzipZeros(t, 100)
	t.Logf("bomb: %d bytes of gzip", len(bomb))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	}))
	defer srv.Close()

	const decCap = 4 << 20
	for _, cfg := range []Config{{MaxDecodedBytes: decCap}, {}} {
		f := newFetcher(t, cfg)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r := mustGet(t, f, srv.URL)
		runtime.ReadMemStats(&after)
		wantCap := f.cfg.MaxDecodedBytes
		if !r.Truncated || int64(len(r.Body)) != wantCap {
			t.Errorf("%+v: truncated %v, %d bytes, want %d", cfg, r.Truncated, len(r.Body), wantCap)
		}
		if bytes.IndexByte(r.Body, 1) >= 0 {
			t.Error("body is not zeros")
		}
		if r.WireBytes >= int64(len(bomb)) {
			t.Errorf("read %d of %d wire bytes; decoding should stop at the cap", r.WireBytes, len(bomb))
		}
		// The buffer doubles up to the cap and the body is copied out:
		// about 3x the cap. 100 MiB would mean the cap did not hold.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(4*wantCap)+(8<<20) {
			t.Errorf("allocated %d MiB for a %d MiB cap", alloc>>20, wantCap>>20)
		}
	}
}

// A body that never ends stops at the cap, promptly, and the server sees
// the connection close instead of being drained.
func TestEndlessBody(t *testing.T) {
	t.Parallel()
	serverDone := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(serverDone)
		chunk := bytes.Repeat([]byte("endless "), 4096)
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	f := newFetcher(t, Config{MaxBodyBytes: 1 << 20, Timeout: 20 * time.Second})
	start := time.Now()
	r := mustGet(t, f, srv.URL)
	if !r.Truncated || len(r.Body) != 1<<20 {
		t.Errorf("truncated %v, %d bytes", r.Truncated, len(r.Body))
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v: ran into the timeout instead of stopping at the cap", d)
	}
	select {
	case <-serverDone:
	case <-time.After(10 * time.Second):
		t.Error("server still writing 10s after the fetch returned: connection was not closed")
	}
}
