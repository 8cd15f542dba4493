package sitemap

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

// gzipWriters are reused: a compressor costs about a megabyte to set up,
// which would otherwise dominate each fuzz iteration.
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

func gzipPooled(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	zw.Write(b)
	zw.Close()
	gzipWriters.Put(zw)
	return buf.Bytes()
}

func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		// The over-long-line cases (100 KiB) would make the fuzzer spend
		// its time minimising huge inputs; unit tests cover them.
		if len(tc.in) <= 4<<10 {
			f.Add([]byte(tc.in))
		}
	}
	f.Add(genURLSet(4))
	f.Add(genIndex(4))
	f.Add(genText(4))
	f.Add(gz(f, genURLSet(4)))
	f.Add(gz(f, genText(4)))
	f.Add(gz(f, gz(f, genIndex(4))))

	f.Fuzz(func(t *testing.T, data []byte) {
		opts := &Options{MaxURLs: 3, MaxBytes: 1 << 16}
		sm, err := Parse(bytes.NewReader(data), opts)
		checkInvariants(t, data, opts, sm, err)

		// How the input is split into reads must not matter.
		sm2, err2 := Parse(iotest.OneByteReader(bytes.NewReader(data)), opts)
		sameResult(t, "one byte at a time", sm, err, sm2, err2)

		// Nor whether it arrives gzipped. (Already gzipped input would
		// gain a third layer, which is deliberately not decoded.)
		if len(data) <= 16<<10 && !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			sm3, err3 := Parse(bytes.NewReader(gzipPooled(data)), opts)
			sameResult(t, "gzipped", sm, err, sm3, err3)
		}

		sm4, err4 := Parse(bytes.NewReader(data), nil)
		checkInvariants(t, data, &Options{MaxURLs: MaxURLs, MaxBytes: MaxBytes}, sm4, err4)
	})
}

func checkInvariants(t *testing.T, data []byte, opts *Options, sm *Sitemap, err error) {
	t.Helper()
	if err != nil {
		if sm != nil {
			t.Fatalf("error %v with a non-nil result", err)
		}
		return
	}
	if sm == nil {
		t.Fatal("nil result and nil error")
	}
	if len(sm.URLs) > opts.MaxURLs || len(sm.Sitemaps) > opts.MaxURLs {
		t.Fatalf("%d URLs, %d sitemaps past MaxURLs %d", len(sm.URLs), len(sm.Sitemaps), opts.MaxURLs)
	}
	switch sm.Kind {
	case URLSet, Text:
		if len(sm.Sitemaps) != 0 {
			t.Fatalf("%v with %d sitemaps", sm.Kind, len(sm.Sitemaps))
		}
	case Index:
		if len(sm.URLs) != 0 {
			t.Fatalf("index with %d URLs", len(sm.URLs))
		}
	default:
		t.Fatalf("kind %v", sm.Kind)
	}
	if sm.Omitted > 0 && len(sm.URLs)+len(sm.Sitemaps) != opts.MaxURLs {
		t.Fatalf("%d omitted but only %d kept", sm.Omitted, len(sm.URLs)+len(sm.Sitemaps))
	}
	if sm.Omitted < 0 {
		t.Fatalf("omitted %d", sm.Omitted)
	}
	if len(sm.Errors) > maxErrors {
		t.Fatalf("%d errors", len(sm.Errors))
	}
	if sm.Truncated && int64(len(data)) <= opts.MaxBytes && !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		t.Fatalf("truncated although %d bytes <= MaxBytes %d", len(data), opts.MaxBytes)
	}
	if sm.Kind == Text && sm.Omitted == 0 && len(sm.URLs) == 0 {
		t.Fatal("text sitemap without a URL should be ErrNotSitemap")
	}
	for _, e := range append(sm.URLs, sm.Sitemaps...) {
		if e.Loc == "" || e.Loc != string(bytes.TrimSpace([]byte(e.Loc))) || len(e.Loc) > maxField {
			t.Fatalf("bad loc %q", e.Loc)
		}
		if sm.Kind == Text {
			l := strings.ToLower(e.Loc)
			if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") || strings.ContainsAny(e.Loc, "\r\n") {
				t.Fatalf("text loc %q", e.Loc)
			}
		}
	}
}

func sameResult(t *testing.T, how string, a *Sitemap, aErr error, b *Sitemap, bErr error) {
	t.Helper()
	if (aErr == nil) != (bErr == nil) || aErr != nil && (aErr.Error() != bErr.Error() || errors.Is(aErr, ErrNotSitemap) != errors.Is(bErr, ErrNotSitemap)) {
		t.Fatalf("%s: error %v, want %v", how, bErr, aErr)
	}
	if aErr == nil && !equalSitemap(a, b) {
		t.Fatalf("%s:\ngot  %+v\nwant %+v", how, *b, *a)
	}
}
