package extract

import (
	"bytes"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkPage asserts the invariants every Page must keep, whatever the
// input: valid UTF-8 without NUL in every string, and all caps respected.
func checkPage(t *testing.T, p *Page, o *Options) {
	t.Helper()
	d := o.withDefaults()
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			s := v.String()
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("%s = %.80q: invalid UTF-8 or NUL", path, s)
			}
		case reflect.Pointer:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				walk(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		}
	}
	walk("Page", reflect.ValueOf(p))

	runes := func(s string) int { return utf8.RuneCountInString(s) }
	texts := []string{p.Title, p.Description, p.MetaRobots, p.MetaBot, p.Viewport}
	texts = append(texts, p.H1...)
	for _, im := range p.Images {
		texts = append(texts, im.Alt)
	}
	for _, l := range p.Links {
		texts = append(texts, l.Text)
		if len(l.Href) > d.MaxURLBytes {
			t.Fatalf("href of %d bytes", len(l.Href))
		}
	}
	for _, s := range texts {
		if runes(s) > d.MaxTextRunes {
			t.Fatalf("text of %d runes exceeds cap %d", runes(s), d.MaxTextRunes)
		}
	}
	if len(p.Links) > d.MaxLinks || len(p.Images) > d.MaxImages || len(p.H1) > d.MaxItems ||
		len(p.Canonicals) > d.MaxItems || len(p.Hreflangs) > d.MaxItems || len(p.Headings) > d.MaxItems ||
		len(p.JSONLD.Types) > d.MaxItems || len(p.JSONLD.Messages) > maxJSONLDMessage || len(p.DuplicateIDs) > maxDuplicateIDs {
		t.Fatalf("list cap exceeded: links %d images %d h1 %d canonicals %d hreflangs %d headings %d types %d",
			len(p.Links), len(p.Images), len(p.H1), len(p.Canonicals), len(p.Hreflangs), len(p.Headings), len(p.JSONLD.Types))
	}
	if p.TitleLength < runes(p.Title) || p.ImageCount < len(p.Images) || p.H1Count < len(p.H1) {
		t.Fatalf("counts below stored items")
	}
}

func TestHostileManyLinks(t *testing.T) {
	const size = 10 << 20
	var b bytes.Buffer
	b.WriteString("<html><body>")
	n := 0
	for b.Len() < size {
		fmt.Fprintf(&b, `<a href="/p/%d" rel=nofollow>link %d</a> `, n, n)
		n++
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p := Extract(b.Bytes(), nil)
	runtime.GC()
	runtime.ReadMemStats(&after)
	checkPage(t, p, nil)
	if len(p.Links) != defaultMaxLinks || p.LinksOmitted != n-defaultMaxLinks {
		t.Errorf("links stored %d omitted %d of %d", len(p.Links), p.LinksOmitted, n)
	}
	if p.Links[9999].Href != "/p/9999" || p.Links[9999].Text != "link 9999" {
		t.Errorf("last stored link = %+v", p.Links[9999])
	}
	if p.WordCount != 2*n || p.Elements != n+2 {
		t.Errorf("words %d elements %d", p.WordCount, p.Elements)
	}
	// What the page keeps must not grow with the input.
	if kept := int64(after.HeapAlloc) - int64(before.HeapAlloc); kept > 8<<20 {
		t.Errorf("page retains %d bytes", kept)
	}
	runtime.KeepAlive(p)
}

func TestHostileCaps(t *testing.T) {
	huge := strings.Repeat("é", 1_000_000)
	tests := []struct {
		name  string
		html  string
		check func(t *testing.T, p *Page)
	}{
		{"huge title", "<title>" + huge + "</title>", func(t *testing.T, p *Page) {
			if runes := utf8.RuneCountInString(p.Title); runes != defaultMaxTextRunes || p.TitleLength != 1_000_000 {
				t.Errorf("title runes %d length %d", runes, p.TitleLength)
			}
		}},
		{"huge anchor and alt", `<a href="/x"><img alt="` + huge + `">` + huge + `</a>`, func(t *testing.T, p *Page) {
			if utf8.RuneCountInString(p.Links[0].Text) != defaultMaxTextRunes || p.Images[0].AltLength != 1_000_000 {
				t.Errorf("anchor %d alt %d", utf8.RuneCountInString(p.Links[1].Text), p.Images[0].AltLength)
			}
		}},
		{"huge href", `<a href="/` + strings.Repeat("a", 100_000) + "é" + `">x</a>`, func(t *testing.T, p *Page) {
			if l := p.Links[0]; !l.HrefTruncated || len(l.Href) != defaultMaxURLBytes {
				t.Errorf("href %d bytes truncated %v", len(l.Href), l.HrefTruncated)
			}
		}},
		{"script payloads", `<title></title><script>alert(1)</script></title><a href="javascript:alert(1)"><script>document.write('x')</script>click</a><img alt="<script>alert(1)</script>">`, func(t *testing.T, p *Page) {
			if p.Title != "" || p.Links[0].Text != "click" || p.Images[0].Alt != "<script>alert(1)</script>" || p.WordCount != 1 {
				t.Errorf("title %q anchor %q alt %q words %d", p.Title, p.Links[0].Text, p.Images[0].Alt, p.WordCount)
			}
		}},
		{"unclosed tags", `<html><head><title>T</title><body><a href="/x">never <b>closed <div><p><h1>head`, func(t *testing.T, p *Page) {
			if p.Links[0].Text != "never closed head" || !reflect.DeepEqual(p.H1, []string{"head"}) {
				t.Errorf("anchor %q h1 %q", p.Links[0].Text, p.H1)
			}
		}},
		{"unclosed script and comment", `<p>before</p><script>var a = "<a href=/no>";`, func(t *testing.T, p *Page) {
			if len(p.Links) != 0 || p.WordCount != 1 {
				t.Errorf("links %d words %d", len(p.Links), p.WordCount)
			}
		}},
		{"unclosed comment", `<p>x</p><!-- <a href=/no>`, func(t *testing.T, p *Page) {
			if len(p.Links) != 0 {
				t.Error("link inside comment")
			}
		}},
		{"NUL bytes", "<ti\x00tle>a\x00b</title><title>T\x00itle</title><a href=\"/a\x00b\">x\x00y</a><img alt=\"\x00\">", func(t *testing.T, p *Page) {
			// NUL is U+FFFD in titles and attributes, dropped in text, as in browsers.
			if p.Title != "T\ufffditle" || p.Links[0].Href != "/a\ufffdb" || p.Links[0].Text != "xy" {
				t.Errorf("title %q href %q", p.Title, p.Links[0].Href)
			}
		}},
		{"invalid UTF-8", "<title>\xff\xfe bad \xc3</title><a href=\"/\xff\">\xe2\x82</a>", func(t *testing.T, p *Page) {
			if p.Title != "\ufffd\ufffd bad \ufffd" || p.Links[0].Href != "/\ufffd" {
				t.Errorf("title %q href %q", p.Title, p.Links[0].Href)
			}
		}},
		{"deep nesting", strings.Repeat("<div><span>", 100_000) + "deep" + strings.Repeat("</span></div>", 100_000), func(t *testing.T, p *Page) {
			if p.Elements != 200_000 || p.WordCount != 1 {
				t.Errorf("elements %d words %d", p.Elements, p.WordCount)
			}
		}},
		{"many attributes", "<a " + strings.Repeat(`x=y `, 100_000) + `href="/late">t</a>`, func(t *testing.T, p *Page) {
			if p.Links[0].Href != "/late" {
				t.Errorf("href %q", p.Links[0].Href)
			}
		}},
		{"many ids", strings.Repeat(`<p id="same"></p>`, 50_000) + func() string {
			var b strings.Builder
			for i := range 100_000 {
				fmt.Fprintf(&b, `<i id="u%d"></i>`, i)
			}
			return b.String()
		}(), func(t *testing.T, p *Page) {
			if p.DuplicateIDCount != 1 || p.DuplicateIDs[0] != "same" {
				t.Errorf("duplicates %d %q", p.DuplicateIDCount, p.DuplicateIDs)
			}
		}},
		{"deep JSON-LD", `<script type="application/ld+json">` + strings.Repeat(`{"@graph":[`, 20_000) + strings.Repeat(`]}`, 20_000) + `</script>` +
			`<script type="application/ld+json">` + strings.Repeat(`{"@type":"T","@graph":[`, 50) + strings.Repeat(`]}`, 50) + `</script>`, func(t *testing.T, p *Page) {
			if p.JSONLD.Blocks != 2 || p.JSONLD.Errors != 1 || !reflect.DeepEqual(p.JSONLD.Types, []string{"T"}) {
				t.Errorf("jsonld %+v", p.JSONLD)
			}
		}},
		{"many JSON-LD blocks", strings.Repeat(`<script type="application/ld+json">{bad}</script>`, 5000), func(t *testing.T, p *Page) {
			if p.JSONLD.Blocks != 5000 || p.JSONLD.Errors != 5000 || len(p.JSONLD.Messages) != maxJSONLDMessage {
				t.Errorf("jsonld %d blocks %d errors %d messages", p.JSONLD.Blocks, p.JSONLD.Errors, len(p.JSONLD.Messages))
			}
		}},
		{"huge JSON-LD", `<script type="application/ld+json">{"@type":"Big","x":"` + strings.Repeat("a", 2<<20) + `"}</script>`, func(t *testing.T, p *Page) {
			if p.JSONLD.Oversized != 1 || len(p.JSONLD.Types) != 0 {
				t.Errorf("jsonld %+v", p.JSONLD)
			}
		}},
		{"many headings and canonicals", strings.Repeat(`<link rel=canonical href=/c><h1>h</h1><link rel=alternate hreflang=en href=/e>`, 5000), func(t *testing.T, p *Page) {
			if p.H1Count != 5000 || len(p.Headings) != defaultMaxItems || len(p.Canonicals) != defaultMaxItems {
				t.Errorf("h1 %d headings %d canonicals %d", p.H1Count, len(p.Headings), len(p.Canonicals))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := extract(tt.html)
			checkPage(t, p, nil)
			tt.check(t, p)
		})
	}
}

func TestSmallCaps(t *testing.T) {
	o := &Options{MaxTextRunes: 5, MaxLinks: 3, MaxImages: 2, MaxItems: 2, MaxURLBytes: 10}
	p := Extract([]byte(`<title>Hello wonderful world</title>
<h1>first heading</h1><h1>second</h1><h1>third</h1>
<a href="/a-very-long-path">anchor text here</a><img src="/i" alt="alternative"><img src="/j"><img src="/k"><a href="/b">b</a>`), o)
	checkPage(t, p, o)
	if p.Title != "Hello" || p.TitleLength != 21 || len(p.H1) != 2 || p.H1Count != 3 {
		t.Errorf("title %q %d h1 %q", p.Title, p.TitleLength, p.H1)
	}
	if len(p.Links) != 3 || p.LinksOmitted != 2 || p.Links[0].Href != "/a-very-lo" || !p.Links[0].HrefTruncated {
		t.Errorf("links %+v omitted %d", p.Links, p.LinksOmitted)
	}
	if len(p.Images) != 2 || p.ImageCount != 3 || p.Images[0].Alt != "alter" {
		t.Errorf("images %+v", p.Images)
	}
}
