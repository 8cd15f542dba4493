package extract

import (
	"bytes"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

var fuzzSeeds = []string{
	"",
	"<html lang=en><head><title>T &amp; x</title><meta name=description content=d><meta name=robots content=noindex>" +
		"<link rel=canonical href=/c><link rel=alternate hreflang=fr href=/fr><base href=/b/></head>" +
		"<body><h1>H<img alt=logo></h1><h3>x</h3><a href='/a?x=1&amp;y=2' rel='nofollow ugc' target=_blank>A <b>b</b></a>" +
		"<picture><source></picture><form action=/f method=post></form><p id=a>text</p><p id=a>日本語</p></body></html>",
	`<script type="application/ld+json">{"@graph":[{"@type":["A","B"]}]}</script><script type=application/ld+json>{bad</script>`,
	`<meta http-equiv=refresh content="0;url='/x'"><svg><title>i</title><a href=/s>s</a></svg><template><a href=/t>t</a></template>`,
	"<title>\x00\xff</title><a href=\"\x00&#0;&#x80;&#xD800;&copy=1&amp\">\xc3</a><img alt=&notit; src=&#128512;>",
	"<a href=x><a href=y>unclosed<h1>h<div>d",
	"<textarea>a &lt; b</textarea><xmp>&amp;</xmp><plaintext>&amp; <a href=/no>",
	`<a/href=/x =y z='1' "q"=2 b=>t</a><img src = "/s" alt = a b>`,
}

// FuzzExtract checks that no input panics or breaks the Page invariants,
// with default and tiny caps, and that results do not depend on how the
// input is read.
func FuzzExtract(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	small := &Options{MaxTextRunes: 3, MaxURLBytes: 5, MaxLinks: 2, MaxImages: 1, MaxItems: 1, MaxJSONLDBytes: 20}
	f.Fuzz(func(t *testing.T, doc []byte) {
		in := bytes.Clone(doc)
		p := Extract(doc, nil)
		checkPage(t, p, nil)
		if !bytes.Equal(in, doc) {
			t.Fatal("Extract modified its input")
		}
		checkPage(t, Extract(doc, small), small)
		q, err := ExtractReader(&slowReader{s: string(doc), n: 3}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("results depend on read sizes:\n%+v\n%+v", p, q)
		}
	})
}

// FuzzTokenizerAgreement checks the allocation-free attribute reader and
// in-place reference decoding against the tokenizer's own TagAttr and Text.
func FuzzTokenizerAgreement(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		type token struct {
			attrs [][2]string
			text  string
		}
		// Line breaks are compared as one: the tokenizer converts CRs before
		// decoding "&#13;", the extractor (which collapses whitespace) never.
		norm := func(s string) string {
			s = strings.ReplaceAll(s, "\x00", "\ufffd")
			return newlines.ReplaceAllString(s, "\n")
		}
		var want []token
		z := html.NewTokenizer(bytes.NewReader(bytes.Clone(doc)))
		raw := false
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			switch tt {
			case html.StartTagToken, html.SelfClosingTagToken:
				name, _ := z.TagName()
				raw = isRawTag(string(name))
				var tok token
				for more := true; more; {
					var k, v []byte
					k, v, more = z.TagAttr()
					if k != nil {
						tok.attrs = append(tok.attrs, [2]string{string(k), norm(string(v))})
					}
				}
				want = append(want, tok)
			case html.TextToken:
				if !raw {
					want = append(want, token{text: norm(string(z.Text()))})
				}
				raw = false
			default:
				raw = false
			}
		}

		z = html.NewTokenizer(bytes.NewReader(bytes.Clone(doc)))
		r := tagReader{z: z}
		raw = false
		i := 0
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			switch tt {
			case html.StartTagToken, html.SelfClosingTagToken:
				r.read(z.Raw(), false)
				r.scanAttrs()
				raw = isRawTag(rawName(z.Raw()))
				w := want[i]
				i++
				keys := map[string]bool{}
				for _, a := range r.attrs {
					keys[strings.ToLower(string(a.key))] = true
				}
				for _, kv := range w.attrs {
					if !isPlainASCII(kv[0]) {
						continue
					}
					v, ok := r.value(kv[0])
					if !ok || norm(string(v)) != kv[1] {
						t.Fatalf("attribute %q = %q (%v), tokenizer says %q", kv[0], v, ok, kv[1])
					}
					delete(keys, kv[0])
				}
				for k := range keys {
					if isPlainASCII(k) {
						t.Fatalf("attribute %q not seen by the tokenizer", k)
					}
				}
			case html.TextToken:
				if !raw {
					b := z.Raw()
					if bytes.IndexByte(b, '&') >= 0 {
						var ok bool
						if b, ok = decodeInPlace(b, false); !ok {
							b = z.Text()
						}
					}
					if got := norm(string(b)); got != want[i].text {
						t.Fatalf("text %q, tokenizer says %q", got, want[i].text)
					}
					i++
				}
				raw = false
			default:
				raw = false
			}
		}
		if i != len(want) {
			t.Fatalf("saw %d tokens, tokenizer %d", i, len(want))
		}
	})
}

var newlines = regexp.MustCompile(`[\r\n]+`)

func isRawTag(name string) bool {
	switch name {
	case "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp":
		return true
	}
	return false
}

// rawName returns the lowercased tag name of a raw start tag.
func rawName(raw []byte) string {
	i := 1
	for i < len(raw) && !isTagSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' {
		i++
	}
	return strings.ToLower(string(raw[1:i]))
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 || s[i] >= 0x80 {
			return false
		}
	}
	return s != ""
}
