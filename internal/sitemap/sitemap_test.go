package sitemap

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

const ns = `xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"`

type parseCase struct {
	name string
	in   string
	opts *Options
	want *Sitemap // nil when an error is expected
	err  error    // errors.Is target; nil means any error when want is nil
}

func urls(locs ...string) []Entry {
	var es []Entry
	for _, l := range locs {
		es = append(es, Entry{Loc: l})
	}
	return es
}

var parseCases = []parseCase{
	{
		name: "urlset with namespace and all fields",
		in: `<?xml version="1.0" encoding="UTF-8"?>
<urlset ` + ns + `>
  <url>
    <loc>https://shop.example/</loc>
    <lastmod>2024-05-01T10:00:00+00:00</lastmod>
    <changefreq>daily</changefreq>
    <priority>1.0</priority>
  </url>
  <url>
    <loc>
      https://shop.example/about
    </loc>
  </url>
</urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: []Entry{
			{Loc: "https://shop.example/", LastMod: "2024-05-01T10:00:00+00:00", ChangeFreq: "daily", Priority: "1.0"},
			{Loc: "https://shop.example/about"},
		}},
	},
	{
		name: "urlset without namespace or declaration",
		in:   `<urlset><url><loc>https://a.example/1</loc></url><url><loc>https://a.example/2</loc></url></urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/1", "https://a.example/2")},
	},
	{
		name: "prefixed namespace, prefix case differs between tags",
		in: `<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
<SM:url><sm:LOC>https://a.example/x</SM:loc></sm:URL>
</sm:urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/x")},
	},
	{
		name: "wrong namespace",
		in:   `<urlset xmlns="http://www.google.com/schemas/sitemap/0.84"><url><loc>https://a.example/</loc></url></urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/")},
	},
	{
		name: "extensions are not mistaken for entry fields",
		in: `<urlset ` + ns + ` xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" xmlns:xhtml="http://www.w3.org/1999/xhtml">
<url>
  <loc>https://a.example/p</loc>
  <xhtml:link rel="alternate" hreflang="de" href="https://a.example/de/p"/>
  <image:image><image:loc>https://cdn.example/p.jpg</image:loc></image:image>
  <lastmod>2024-01-02</lastmod>
</url>
</urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: []Entry{{Loc: "https://a.example/p", LastMod: "2024-01-02"}}},
	},
	{
		name: "sitemap index",
		in: `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex ` + ns + `>
  <sitemap><loc>https://a.example/sitemap-1.xml.gz</loc><lastmod>2024-02-03</lastmod></sitemap>
  <sitemap><loc>https://a.example/sitemap-2.xml</loc></sitemap>
</sitemapindex>`,
		want: &Sitemap{Kind: Index, Sitemaps: []Entry{
			{Loc: "https://a.example/sitemap-1.xml.gz", LastMod: "2024-02-03"},
			{Loc: "https://a.example/sitemap-2.xml"},
		}},
	},
	{
		name: "url in an index and sitemap in a urlset are ignored",
		in: `<sitemapindex><url><loc>https://a.example/page</loc></url><sitemap><loc>https://a.example/s.xml</loc></sitemap></sitemapindex>
`,
		want: &Sitemap{Kind: Index, Sitemaps: urls("https://a.example/s.xml"),
			Errors: []string{"entry 1: <url> in a sitemap index, ignored"}},
	},
	{
		name: "sitemap in a urlset",
		in:   `<urlset><sitemap><loc>https://a.example/s.xml</loc></sitemap><url><loc>https://a.example/</loc></url></urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/"),
			Errors: []string{"entry 1: <sitemap> in a urlset, ignored"}},
	},
	{
		name: "text sitemap",
		in:   "https://a.example/1\r\n\r\n   https://a.example/2   \n/relative\nftp://a.example/x\nHTTPS://A.EXAMPLE/3\rhttp://a.example/4",
		want: &Sitemap{Kind: Text, URLs: urls("https://a.example/1", "https://a.example/2", "HTTPS://A.EXAMPLE/3", "http://a.example/4"),
			Errors: []string{`line 4: not an http(s) URL: "/relative"`, `line 5: not an http(s) URL: "ftp://a.example/x"`}},
	},
	{
		name: "text sitemap with BOM and leading blank lines",
		in:   "\ufeff\n\n  https://a.example/\n",
		want: &Sitemap{Kind: Text, URLs: urls("https://a.example/")},
	},
	{
		name: "text line over 8 KiB",
		in:   "https://a.example/" + strings.Repeat("x", maxField) + "\nhttps://a.example/ok\nhttps://a.example/" + strings.Repeat("y", 100<<10) + "\nhttps://a.example/ok2",
		want: &Sitemap{Kind: Text, URLs: urls("https://a.example/ok", "https://a.example/ok2"),
			Errors: []string{"line 1: longer than 8192 bytes", "line 3: longer than 8192 bytes"}},
	},
	{
		name: "XML with BOM and leading whitespace",
		in:   "\ufeff\n\n  <?xml version=\"1.0\"?>\n<urlset><url><loc>https://a.example/</loc></url></urlset>",
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/")},
	},
	{
		name: "CDATA loc",
		in:   `<urlset><url><loc><![CDATA[https://a.example/?a=1&b=<2>]]></loc></url></urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/?a=1&b=<2>")},
	},
	{
		name: "entities: XML, numeric, HTML, and a bare ampersand",
		in:   `<urlset><url><loc>https://a.example/?a=1&amp;b=2&#38;c=&#x33;</loc></url><url><loc>https://a.example/caf&eacute;</loc></url><url><loc>https://a.example/?a=1&b=2</loc></url></urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/?a=1&b=2&c=3", "https://a.example/café", "https://a.example/?a=1&b=2")},
	},
	{
		name: "latin-1 declared",
		in:   "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<urlset><url><loc>https://a.example/caf\xe9</loc></url></urlset>",
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/café")},
	},
	{
		name: "windows-1252 declared",
		in:   "<?xml version='1.0' encoding='windows-1252'?><urlset><url><loc>https://a.example/\x80\xe9</loc></url></urlset>",
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/€é")},
	},
	{
		name: "latin-1 bytes in a file that claims UTF-8",
		in:   "\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset>\n<url><loc>https://a.example/caf\xe9/ü</loc></url><url><loc>https://a.example/\xe8</loc></url></urlset>",
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/café/ü", "https://a.example/è"),
			Errors: []string{"encoding: invalid UTF-8 from line 4 on, read as windows-1252"}},
	},
	{
		name: "a second declaration does not decode twice",
		in:   "<?xml version='1.0' encoding='latin1'?><urlset><url><loc>https://a.example/\xe9</loc></url><?xml version='1.0' encoding='latin1'?><url><loc>https://a.example/\xe8</loc></url></urlset>",
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/é", "https://a.example/è")},
	},
	{
		// encoding/xml does not see a declaration with spaces around
		// '='; the repair pass still reads the bytes right.
		name: "latin-1 declared in a form encoding/xml ignores",
		in:   "<?xml version=\"1.0\" encoding = \"ISO-8859-1\"?>\n<urlset><url><loc>https://a.example/caf\xe9</loc></url></urlset>",
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/café"),
			Errors: []string{"encoding: invalid UTF-8 from line 2 on, read as windows-1252"}},
	},
	{
		name: "UTF-16 declared on an ASCII-compatible file",
		in:   `<?xml version="1.0" encoding="UTF-16"?><urlset><url><loc>https://a.example/</loc></url></urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/"),
			Errors: []string{`encoding: "UTF-16" declared but the file is not UTF-16; read as UTF-8`}},
	},
	{
		name: "unsupported encoding",
		in:   `<?xml version="1.0" encoding="Shift_JIS"?><urlset><url><loc>https://a.example/</loc></url></urlset>`,
	},
	{
		name: "UTF-16 input",
		in:   "\xff\xfe<\x00u\x00",
	},
	{
		name: "empty and missing loc, duplicate loc",
		in: `<urlset>
<url><loc>https://a.example/1</loc></url>
<url><loc>   </loc></url>
<url><loc/></url>
<url><lastmod>2024-01-01</lastmod></url>
<url><loc>https://a.example/5</loc><loc>https://a.example/other</loc></url>
</urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/1", "https://a.example/5"),
			Errors: []string{"entry 2: empty <loc>", "entry 3: empty <loc>", "entry 4: missing <loc>", "entry 5: more than one <loc>, first kept"}},
	},
	{
		name: "unclosed elements are closed by the next entry or field",
		in: `<urlset>
<url><loc>https://a.example/1<lastmod>2024-01-01</lastmod>
<url><loc>https://a.example/2</loc></url>
</urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: []Entry{{Loc: "https://a.example/1", LastMod: "2024-01-01"}, {Loc: "https://a.example/2"}}},
	},
	{
		name: "mismatched end tag closes back to its element",
		in:   `<urlset><url><loc>https://a.example/1</url><url><loc>https://a.example/2</loc></url></urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/1", "https://a.example/2")},
	},
	{
		name: "trailing content after the root is ignored",
		in:   `<urlset><url><loc>https://a.example/</loc></url></urlset><<<garbage`,
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/")},
	},
	{
		name: "syntax error midway keeps what came before",
		in: `<urlset>
<url><loc>https://a.example/1</loc></url>
<url><loc>https://a.example/2</loc></url>
<url><loc>https://a.example/3</loc><lastmod <</lastmod></url>
<url><loc>https://a.example/4</loc></url>
</urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/1", "https://a.example/2", "https://a.example/3"),
			Errors: []string{"xml: line 4: expected attribute name in element"}},
	},
	{
		name: "line numbers count skipped leading lines",
		in:   "\n\n<urlset>\n<url><loc>https://a.example/1</loc></url>\n<url><loc>https://a.example/2</loc></url>\n<!- bad -->",
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/1", "https://a.example/2"),
			Errors: []string{"xml: line 6: invalid sequence <!- not part of <!--"}},
	},
	{
		name: "end of input inside the root",
		in:   "<urlset>\n<url><loc>https://a.example/1</loc></url>\n<url><loc>https://a.example/2</loc>\n<url><loc>https://a.exa",
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/1", "https://a.example/2"),
			Errors: []string{"xml: line 4: unexpected EOF, <urlset> not closed"}},
	},
	{
		name: "empty urlset",
		in:   `<?xml version="1.0"?><urlset ` + ns + `/>`,
		want: &Sitemap{Kind: URLSet},
	},
	{
		name: "field over 8 KiB",
		in: `<urlset><url><loc>https://a.example/` + strings.Repeat("x", maxField) + `</loc></url>` +
			`<url><loc>https://a.example/2</loc><lastmod>` + strings.Repeat("9", maxField+1) + `</lastmod></url></urlset>`,
		want: &Sitemap{Kind: URLSet, URLs: urls("https://a.example/2"),
			Errors: []string{"entry 1: <loc> longer than 8192 bytes", "entry 2: <lastmod> longer than 8192 bytes, dropped"}},
	},
	{
		name: "HTML page instead of a sitemap",
		in:   "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><a href=\"https://a.example/\">home</a></body></html>",
		err:  ErrNotSitemap,
	},
	{
		name: "RSS is not supported",
		in:   `<?xml version="1.0"?><rss version="2.0"><channel><item><link>https://a.example/</link></item></channel></rss>`,
		err:  ErrNotSitemap,
	},
	{name: "empty input", in: "", err: ErrNotSitemap},
	{name: "only whitespace and BOM", in: "\ufeff \n\t\r\n", err: ErrNotSitemap},
	{name: "only a comment", in: "<!-- nothing -->", err: ErrNotSitemap},
	{name: "broken before the root", in: "<<<urlset>", err: ErrNotSitemap},
	{name: "plain text that is not a sitemap", in: "Service Unavailable\nTry again later\n", err: ErrNotSitemap},
	{name: "JSON", in: `{"error": "not found"}`, err: ErrNotSitemap},
	{name: "bad gzip after magic", in: "\x1f\x8bnot really gzip"},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tc.in), tc.opts)
			check(t, tc, got, err)
		})
	}
}

func check(t *testing.T, tc parseCase, got *Sitemap, err error) {
	t.Helper()
	if tc.want == nil {
		if err == nil {
			t.Fatalf("got %+v, want an error", got)
		}
		if tc.err != nil && !errors.Is(err, tc.err) {
			t.Fatalf("error %q, want %q", err, tc.err)
		}
		if got != nil {
			t.Errorf("got %+v with error %v, want nil", got, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if !equalSitemap(got, tc.want) {
		t.Errorf("got  %+v\nwant %+v", *got, *tc.want)
	}
}

// equalSitemap treats nil and empty slices alike.
func equalSitemap(a, b *Sitemap) bool {
	norm := func(s *Sitemap) Sitemap {
		c := *s
		if len(c.URLs) == 0 {
			c.URLs = nil
		}
		if len(c.Sitemaps) == 0 {
			c.Sitemaps = nil
		}
		if len(c.Errors) == 0 {
			c.Errors = nil
		}
		return c
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestParseGzip runs every case gzipped, and gzipped twice: the result must
// not depend on compression.
func TestParseGzip(t *testing.T) {
	for _, tc := range parseCases {
		if strings.HasPrefix(tc.in, "\x1f\x8b") || tc.in == "" {
			continue
		}
		once := gz(t, []byte(tc.in))
		for name, in := range map[string][]byte{"gzip": once, "gzip twice": gz(t, once)} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				got, err := Parse(bytes.NewReader(in), tc.opts)
				check(t, tc, got, err)
			})
		}
	}
}

// TestParseChunked feeds every case one byte, and half a buffer, at a
// time: multi-byte characters and tokens split across reads must not
// change the result.
func TestParseChunked(t *testing.T) {
	for _, tc := range parseCases {
		for name, wrap := range map[string]func(io.Reader) io.Reader{
			"one byte": iotest.OneByteReader,
			"half":     iotest.HalfReader,
			"data+err": iotest.DataErrReader,
		} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				got, err := Parse(wrap(strings.NewReader(tc.in)), tc.opts)
				check(t, tc, got, err)
			})
		}
	}
}

func TestLatin1AllBytes(t *testing.T) {
	var raw, want strings.Builder
	for c := 0xa0; c <= 0xff; c++ {
		raw.WriteByte(byte(c))
		want.WriteRune(rune(c))
	}
	in := `<?xml version="1.0" encoding="latin1"?><urlset><url><loc>https://a.example/` + raw.String() + `</loc></url></urlset>`
	sm, err := Parse(strings.NewReader(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := sm.URLs[0].Loc; got != "https://a.example/"+want.String() {
		t.Errorf("got %q", got)
	}
}

func genURLSet(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<urlset " + ns + ">\n")
	for i := range n {
		fmt.Fprintf(&b, "  <url>\n    <loc>https://shop.example/category/product-%d?colour=blue&amp;size=%d</loc>\n"+
			"    <lastmod>2024-03-%02dT12:00:00+00:00</lastmod>\n    <changefreq>weekly</changefreq>\n    <priority>0.%d</priority>\n  </url>\n",
			i, i%50, i%28+1, i%10)
	}
	b.WriteString("</urlset>\n")
	return b.Bytes()
}

func genIndex(n int) []byte {
	var b bytes.Buffer
	b.WriteString("<sitemapindex " + ns + ">\n")
	for i := range n {
		fmt.Fprintf(&b, "<sitemap><loc>https://a.example/sitemap-%d.xml</loc></sitemap>\n", i)
	}
	b.WriteString("</sitemapindex>\n")
	return b.Bytes()
}

func genText(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, "https://a.example/page-%d\n", i)
	}
	return b.Bytes()
}

func TestMaxURLs(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"urlset", genURLSet(25)},
		{"index", genIndex(25)},
		{"text", genText(25)},
		{"urlset gzip", gz(t, genURLSet(25))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sm, err := Parse(bytes.NewReader(tc.in), &Options{MaxURLs: 10})
			if err != nil {
				t.Fatal(err)
			}
			n := len(sm.URLs) + len(sm.Sitemaps)
			if n != 10 || sm.Omitted != 15 {
				t.Errorf("kept %d, omitted %d; want 10, 15", n, sm.Omitted)
			}
			full, err := Parse(bytes.NewReader(tc.in), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(append(sm.URLs, sm.Sitemaps...), append(full.URLs, full.Sitemaps...)[:10]) {
				t.Error("the kept entries are not the first ten")
			}
		})
	}

	t.Run("empty entries past the cap are not counted", func(t *testing.T) {
		in := `<urlset><url><loc>https://a/1</loc></url><url><loc>https://a/2</loc></url><url><loc></loc></url><url><loc>https://a/3</loc></url></urlset>`
		sm, err := Parse(strings.NewReader(in), &Options{MaxURLs: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(sm.URLs) != 1 || sm.Omitted != 2 || len(sm.Errors) != 1 {
			t.Errorf("got %+v", sm)
		}
	})

	t.Run("default is the protocol limit", func(t *testing.T) {
		sm, err := Parse(bytes.NewReader(genText(MaxURLs+3)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(sm.URLs) != MaxURLs || sm.Omitted != 3 {
			t.Errorf("kept %d, omitted %d", len(sm.URLs), sm.Omitted)
		}
	})
}

// TestMaxBytes cuts a urlset at every offset across a few entries and checks
// that exactly the entries whose </loc> was read before the cut are kept.
func TestMaxBytes(t *testing.T) {
	in := genURLSet(8)
	var locEnds []int
	for off := 0; ; {
		i := bytes.Index(in[off:], []byte("</loc>"))
		if i < 0 {
			break
		}
		off += i + len("</loc>")
		locEnds = append(locEnds, off)
	}
	for _, compress := range []bool{false, true} {
		for limit := locEnds[2] - 10; limit <= locEnds[5]; limit++ {
			want := 0
			for _, e := range locEnds {
				if e <= limit {
					want++
				}
			}
			src := in
			if compress {
				src = gz(t, in)
			}
			sm, err := Parse(bytes.NewReader(src), &Options{MaxBytes: int64(limit)})
			if err != nil {
				t.Fatalf("gzip %v, limit %d: %v", compress, limit, err)
			}
			if !sm.Truncated || len(sm.URLs) != want || len(sm.Errors) != 0 {
				t.Fatalf("gzip %v, limit %d: truncated %v, %d URLs, errors %q; want %d URLs", compress, limit, sm.Truncated, len(sm.URLs), sm.Errors, want)
			}
		}
	}

	t.Run("exactly at the limit is not truncated", func(t *testing.T) {
		for _, src := range [][]byte{in, gz(t, in)} {
			sm, err := Parse(bytes.NewReader(src), &Options{MaxBytes: int64(len(in))})
			if err != nil || sm.Truncated || len(sm.URLs) != 8 {
				t.Errorf("got %+v, %v", sm, err)
			}
			// Cut inside "</urlset>": the final newline is never read, so
			// cutting it alone would not be noticed.
			sm, err = Parse(bytes.NewReader(src), &Options{MaxBytes: int64(len(in) - 2)})
			if err != nil || !sm.Truncated || len(sm.URLs) != 8 || len(sm.Errors) != 0 {
				t.Errorf("two bytes short: got %+v, %v", sm, err)
			}
		}
	})

	t.Run("text drops the line cut in two", func(t *testing.T) {
		in := "https://a.example/1\nhttps://a.example/2\nhttps://a.example/3\n"
		for _, limit := range []int64{45, 59} {
			sm, err := Parse(strings.NewReader(in), &Options{MaxBytes: limit})
			if err != nil || !sm.Truncated || !reflect.DeepEqual(sm.URLs, urls("https://a.example/1", "https://a.example/2")) || len(sm.Errors) != 0 {
				t.Errorf("limit %d: got %+v, %v", limit, sm, err)
			}
		}
		sm, err := Parse(strings.NewReader(in[:len(in)-1]), nil)
		if err != nil || len(sm.URLs) != 3 {
			t.Errorf("last line without newline: got %+v, %v", sm, err)
		}
	})
}

// bomb returns a gzip file that decompresses to prefix, fill repeated n
// times, then suffix. Compressing 200 MiB with compress/gzip takes most of a
// minute under the race detector, so the deflate stream is written by hand:
// one fixed-Huffman block of literals and <length 258, distance 1> copies,
// 13 bits per 258 bytes of output.
func bomb(prefix []byte, fill byte, n int, suffix []byte) []byte {
	var out []byte
	var acc uint64
	var nacc uint
	bits := func(v uint64, n uint) { // LSB first, as deflate packs integers
		acc |= v << nacc
		for nacc += n; nacc >= 8; nacc -= 8 {
			out = append(out, byte(acc))
			acc >>= 8
		}
	}
	code := func(c uint64, n uint) { // Huffman codes go MSB first
		var r uint64
		for i := uint(0); i < n; i++ {
			r = r<<1 | c>>i&1
		}
		bits(r, n)
	}
	literal := func(b byte) {
		if b < 144 {
			code(0x30+uint64(b), 8)
		} else {
			code(0x190+uint64(b-144), 9)
		}
	}
	out = append(out, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff)
	bits(1, 1) // final block
	bits(1, 2) // fixed Huffman codes
	crc := crc32.NewIEEE()
	crc.Write(prefix)
	for _, b := range prefix {
		literal(b)
	}
	if n > 0 {
		literal(fill)
		for left := n - 1; left > 0; {
			if left < 3 {
				literal(fill)
				left--
				continue
			}
			l := min(left, 258)
			if left-l > 0 && left-l < 3 {
				l -= 3 // leave a remainder a copy can express
			}
			writeLength(code, bits, l)
			code(0, 5) // distance 1
			left -= l
		}
		chunk := bytes.Repeat([]byte{fill}, 64<<10)
		for left := n; left > 0; left -= len(chunk) {
			crc.Write(chunk[:min(left, len(chunk))])
		}
	}
	crc.Write(suffix)
	for _, b := range suffix {
		literal(b)
	}
	code(0, 7) // end of block
	bits(0, 7) // flush the last partial byte
	out = binary.LittleEndian.AppendUint32(out, crc.Sum32())
	return binary.LittleEndian.AppendUint32(out, uint32(len(prefix)+n+len(suffix)))
}

// writeLength emits a copy length (3-258) with the fixed Huffman code.
func writeLength(code, bits func(uint64, uint), l int) {
	base := [...]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	extra := [...]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	i := len(base) - 1
	for base[i] > l {
		i--
	}
	if sym := 257 + i; sym < 280 {
		code(uint64(sym-256), 7)
	} else {
		code(0xc0+uint64(sym-280), 8)
	}
	bits(uint64(l-base[i]), extra[i])
}

func TestBombGenerator(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 258, 259, 260, 261, 262, 1000, 100_000} {
		want := append(append([]byte("<a>\xe9"), bytes.Repeat([]byte{'x'}, n)...), "</a>"...)
		zr, err := gzip.NewReader(bytes.NewReader(bomb([]byte("<a>\xe9"), 'x', n, []byte("</a>"))))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("n=%d: %d bytes, %v", n, len(got), err)
		}
	}
}

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestGzipBomb(t *testing.T) {
	const limit = 1 << 20
	opts := &Options{MaxBytes: limit}

	// Zeros are not '<', so this is read as one enormous text line.
	zeros := bomb(nil, 0, 200<<20, nil)
	var err error
	n := allocated(func() { _, err = Parse(bytes.NewReader(zeros), opts) })
	if !errors.Is(err, ErrNotSitemap) {
		t.Errorf("zeros: error %v, want ErrNotSitemap", err)
	}
	if n > 3*limit {
		t.Errorf("zeros: allocated %d bytes with MaxBytes %d", n, limit)
	}
	t.Logf("zeros: %d KiB of %d KiB compressed input allocated", n>>10, len(zeros)>>10)

	// An XML bomb: one entry, then 200 MiB of whitespace, which
	// encoding/xml buffers whole as a single text token. That buffer's
	// doubling growth makes about 2 x MaxBytes unavoidable here.
	spaces := bomb([]byte(`<urlset><url><loc>https://a.example/</loc></url>`), ' ', 200<<20, []byte(`</urlset>`))
	var sm *Sitemap
	n = allocated(func() { sm, err = Parse(bytes.NewReader(spaces), opts) })
	if err != nil || !sm.Truncated || !reflect.DeepEqual(sm.URLs, urls("https://a.example/")) || len(sm.Errors) != 0 {
		t.Errorf("spaces: got %+v, %v", sm, err)
	}
	if n > 3*limit*raceAllocFactor {
		t.Errorf("spaces: allocated %d bytes with MaxBytes %d", n, limit)
	}
	t.Logf("spaces: %d KiB allocated", n>>10)

	// The default cap holds too, without reading all 200 MiB.
	n = allocated(func() { _, err = Parse(bytes.NewReader(zeros), nil) })
	if !errors.Is(err, ErrNotSitemap) || n > 3*MaxBytes {
		t.Errorf("default cap: %d bytes allocated, error %v", n, err)
	}
}

// TestEmptyDeflateBlocks: compressed input that never produces output is
// cut by the raw byte cap rather than read forever.
func TestEmptyDeflateBlocks(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("<urlset><url><loc>https://a.example/</loc></url>"))
	for range 100_000 {
		zw.Flush() // each Flush writes an empty stored block
	}
	zw.Close()
	sm, err := Parse(bytes.NewReader(buf.Bytes()), &Options{MaxBytes: 64 << 10})
	if err != nil || !sm.Truncated || len(sm.URLs) != 1 || len(sm.Errors) != 0 {
		t.Errorf("got %+v, %v", sm, err)
	}
}

func TestCorruptGzip(t *testing.T) {
	z := gz(t, genURLSet(2000))
	sm, err := Parse(bytes.NewReader(z[:len(z)/2]), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sm.URLs) == 0 || len(sm.URLs) >= 2000 || !reflect.DeepEqual(sm.Errors, []string{"gzip: compressed data ends early"}) {
		t.Errorf("cut in half: %d URLs, errors %q", len(sm.URLs), sm.Errors)
	}

	// Flipped bits decode to garbage of any shape, so only the outcome's
	// form is certain: no failure, and a complaint.
	z[len(z)/2] ^= 0xff
	sm, err = Parse(bytes.NewReader(z), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sm.Errors) == 0 {
		t.Errorf("damaged midway: %d URLs, no errors", len(sm.URLs))
	}
	t.Logf("damaged midway: %d URLs, errors %q", len(sm.URLs), sm.Errors)
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadError(t *testing.T) {
	errNet := errors.New("connection reset")
	in := genURLSet(100)
	cut := bytes.Index(in, []byte("product-50")) // inside entry 51
	for _, src := range [][]byte{in[:cut], gz(t, in)[:len(gz(t, in))/2]} {
		sm, err := Parse(&failingReader{data: src, err: errNet}, nil)
		if !errors.Is(err, errNet) {
			t.Errorf("error %v, want %v", err, errNet)
		}
		if sm == nil || len(sm.URLs) == 0 || len(sm.Errors) != 0 {
			t.Errorf("want the entries read before the failure, got %+v", sm)
		}
	}
	if sm := must(Parse(&failingReader{data: in[:cut], err: errNet}, nil)); len(sm.URLs) != 50 {
		t.Errorf("got %d URLs, want 50", len(sm.URLs))
	}

	sm, err := Parse(&failingReader{data: []byte("<urlse"), err: errNet}, nil)
	if !errors.Is(err, errNet) || errors.Is(err, ErrNotSitemap) || sm != nil {
		t.Errorf("before the root: got %+v, %v", sm, err)
	}
}

func must(sm *Sitemap, _ error) *Sitemap { return sm }

func TestErrorsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("<urlset>")
	for range 50 {
		b.WriteString("<url><loc></loc></url>")
	}
	b.WriteString("<url><loc>https://a.example/</loc></url></urlset>")
	sm, err := Parse(strings.NewReader(b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sm.Errors) != maxErrors || sm.Errors[9] != "entry 10: empty <loc>" || len(sm.URLs) != 1 {
		t.Errorf("got %d errors, last %q, %d URLs", len(sm.Errors), sm.Errors[len(sm.Errors)-1], len(sm.URLs))
	}
}

func TestDeepNesting(t *testing.T) {
	in := "<urlset><url><loc>https://a.example/1</loc></url>" + strings.Repeat("<a>", 100_000) + strings.Repeat("</a>", 100_000) +
		"<url><loc>https://a.example/2</loc></url></urlset>"
	sm, err := Parse(strings.NewReader(in), nil)
	if err != nil || !reflect.DeepEqual(sm.URLs, urls("https://a.example/1", "https://a.example/2")) {
		t.Errorf("got %+v, %v", sm, err)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{URLSet: "urlset", Index: "sitemapindex", Text: "text", 0: "Kind(0)"} {
		if k.String() != want {
			t.Errorf("%d: %q", k, k.String())
		}
	}
}
