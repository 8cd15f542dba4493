package extract

import (
	"io"
	"reflect"
	"strings"
	"testing"
)

func extract(s string) *Page { return Extract([]byte(s), nil) }

func TestTitle(t *testing.T) {
	tests := []struct {
		name, html string
		title      string
		length     int
		count      int
		outside    bool
	}{
		{"simple", "<html><head><title> Hello \n  World </title></head></html>", "Hello World", 11, 1, false},
		{"entities", "<title>Fish &amp; Chips &lt;3 &eacute;</title>", "Fish & Chips <3 é", 17, 1, false},
		{"missing", "<html><head></head><body>x</body></html>", "", 0, 0, false},
		{"empty", "<title></title>", "", 0, 1, false},
		{"multiple", "<head><title>One</title><title>Two</title></head>", "One", 3, 2, false},
		{"in body", "<head></head><body><p>x</p><title>Late</title></body>", "Late", 4, 1, true},
		{"after head close", "<head></head><title>Still head</title><body></body>", "Still head", 10, 1, false},
		{"implicit head", "<!doctype html><title>No head tag</title><p>x", "No head tag", 11, 1, false},
		{"after body content", "<div>x</div><title>T</title>", "T", 1, 1, true},
		{"after text", "hello<title>T</title>", "T", 1, 1, true},
		{"svg title ignored", "<head><title>Page</title></head><body><svg><title>icon</title></svg></body>", "Page", 4, 1, false},
		{"cjk length in runes", "<title>日本語のタイトル</title>", "日本語のタイトル", 8, 1, false},
		{"script payload", "<title><script>alert(1)</script></title>", "<script>alert(1)</script>", 25, 1, false},
		{"unclosed", "<title>never closed <p>text", "never closed <p>text", 20, 1, false},
	}
	for _, tt := range tests {
		p := extract(tt.html)
		if p.Title != tt.title || p.TitleLength != tt.length || p.TitleCount != tt.count || p.TitleOutsideHead != tt.outside {
			t.Errorf("%s: got title %q len %d count %d outside %v; want %q %d %d %v", tt.name,
				p.Title, p.TitleLength, p.TitleCount, p.TitleOutsideHead, tt.title, tt.length, tt.count, tt.outside)
		}
	}
}

func TestMeta(t *testing.T) {
	p := extract(`<html><head>
<meta name="Description" content="  First   description ">
<meta name="description" content="Second">
<meta name="robots" content="noindex">
<meta name="ROBOTS" content="nofollow, max-snippet:0">
<meta name="googlebot" content="noimageindex">
<meta name="bingbot" content="noarchive">
<meta name="viewport" content="width=device-width">
<meta http-equiv="refresh" content="5; URL='/next?a=1&amp;b=2'">
</head><body></body></html>`)
	if p.Description != "First description" || p.DescriptionCount != 2 || p.DescriptionLength != 17 {
		t.Errorf("description = %q count %d len %d", p.Description, p.DescriptionCount, p.DescriptionLength)
	}
	if p.MetaRobots != "noindex, nofollow, max-snippet:0" || p.MetaBot != "noimageindex" || p.MetaRobotsInBody {
		t.Errorf("robots = %q, bot = %q, in body %v", p.MetaRobots, p.MetaBot, p.MetaRobotsInBody)
	}
	if !p.HasViewport || p.Viewport != "width=device-width" {
		t.Errorf("viewport = %v %q", p.HasViewport, p.Viewport)
	}
	if p.Refresh == nil || p.Refresh.Delay != 5 || p.Refresh.URL != "/next?a=1&b=2" {
		t.Errorf("refresh = %+v", p.Refresh)
	}

	p = Extract([]byte(`<meta name="bingbot" content="noindex"><body><p>x</p><meta name="robots" content="noindex">`), &Options{Bot: "BingBot"})
	if p.MetaBot != "noindex" || !p.MetaRobotsInBody || p.HasViewport || p.DescriptionCount != 0 {
		t.Errorf("bot option / robots in body: %+v", p)
	}
	if p := extract(`<body><meta name="googlebot" content="none"></body>`); !p.MetaRobotsInBody || p.MetaBot != "none" {
		t.Errorf("googlebot in body not flagged: %+v", p)
	}
}

func TestRefresh(t *testing.T) {
	tests := []struct {
		content string
		delay   int
		url     string
	}{
		{"0;url=https://example.com/", 0, "https://example.com/"},
		{"3", 3, ""},
		{" 10 ; URL = /x ", 10, "/x"},
		{"0; url='/quoted' trailing", 0, "/quoted"},
		{"5, url=/comma", 5, "/comma"},
		{"1.5; url=/frac", 1, "/frac"},
		{"0 /bare", 0, "/bare"},
		{"soon", -1, ""},
		{"", -1, ""},
	}
	for _, tt := range tests {
		p := extract(`<meta http-equiv="Refresh" content="` + tt.content + `">`)
		if p.Refresh == nil || p.Refresh.Delay != tt.delay || p.Refresh.URL != tt.url {
			t.Errorf("refresh %q = %+v, want delay %d url %q", tt.content, p.Refresh, tt.delay, tt.url)
		}
	}
	if p := extract(`<meta name="refresh" content="0;url=/x">`); p.Refresh != nil {
		t.Error("name=refresh is not a refresh directive")
	}
}

func TestCanonical(t *testing.T) {
	p := extract(`<head><link rel="canonical" href=" https://example.com/a "><link rel="Canonical stylesheet" href="/b"></head>`)
	if !reflect.DeepEqual(p.Canonicals, []string{"https://example.com/a", "/b"}) || p.CanonicalOutsideHead {
		t.Errorf("canonicals = %q outside %v", p.Canonicals, p.CanonicalOutsideHead)
	}
	p = extract(`<head></head><body><p>text</p><link rel=canonical href="/body"></body>`)
	if !reflect.DeepEqual(p.Canonicals, []string{"/body"}) || !p.CanonicalOutsideHead {
		t.Errorf("body canonical: %q outside %v", p.Canonicals, p.CanonicalOutsideHead)
	}
	if p := extract(`<link rel="canonical">`); !reflect.DeepEqual(p.Canonicals, []string{""}) {
		t.Errorf("canonical without href should be recorded empty: %q", p.Canonicals)
	}
	if p := extract(`<a rel="canonical" href="/x">x</a>`); len(p.Canonicals) != 0 {
		t.Error("<a rel=canonical> is not a canonical")
	}
}

func TestHreflang(t *testing.T) {
	p := extract(`<head>
<link rel="alternate" hreflang="en-GB" href="https://example.com/en/">
<link rel="alternate" HREFLANG="x-default" href="https://example.com/">
<link rel="alternate" type="application/rss+xml" href="/feed">
<link rel="alternate" hreflang="fr" href="/fr/">
<link rel="next" href="/page/2"><link rel="prev" href="/page/0">
</head>`)
	want := []Hreflang{{"en-GB", "https://example.com/en/"}, {"x-default", "https://example.com/"}, {"fr", "/fr/"}}
	if !reflect.DeepEqual(p.Hreflangs, want) {
		t.Errorf("hreflangs = %+v", p.Hreflangs)
	}
	var kinds []string
	for _, l := range p.Links {
		kinds = append(kinds, l.Kind.String()+" "+l.Href+" "+l.Hreflang)
	}
	wantKinds := []string{
		"hreflang https://example.com/en/ en-GB", "hreflang https://example.com/ x-default",
		"hreflang /fr/ fr", "next /page/2 ", "prev /page/0 ",
	}
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Errorf("links = %q", kinds)
	}
}

func TestHeadings(t *testing.T) {
	p := extract(`<body><h1>Main <em>title</em></h1><h3>Skipped</h3><h2>Two</h2><H1 class=x>
	Second   h1 </H1><h4>four</h4><h1><img src=logo.png alt="Logo text"></h1></body>`)
	if !reflect.DeepEqual(p.H1, []string{"Main title", "Second h1", "Logo text"}) || p.H1Count != 3 || p.H2Count != 1 {
		t.Errorf("h1 = %q count %d h2 %d", p.H1, p.H1Count, p.H2Count)
	}
	if !reflect.DeepEqual(p.Headings, []int{1, 3, 2, 1, 4, 1}) {
		t.Errorf("levels = %v", p.Headings)
	}
	if p.HeadingSkip == nil || *p.HeadingSkip != (HeadingSkip{From: 1, To: 3, Index: 1}) {
		t.Errorf("skip = %+v", p.HeadingSkip)
	}
	if p := extract(`<h1>a</h1><h2>b</h2><h3>c</h3><h2>d</h2><h1>e</h1>`); p.HeadingSkip != nil {
		t.Errorf("no skip expected, got %+v", p.HeadingSkip)
	}
	// An unclosed h1 is closed by the next heading, as by the parser.
	if p := extract(`<h1>one<h2>two</h2>`); !reflect.DeepEqual(p.H1, []string{"one"}) {
		t.Errorf("unclosed h1 = %q", p.H1)
	}
}

func TestLang(t *testing.T) {
	if p := extract(`<!DOCTYPE html><html lang="pt-BR"><html lang="en">`); p.Lang != "pt-BR" || !p.HasLang {
		t.Errorf("lang = %q %v", p.Lang, p.HasLang)
	}
	if p := extract(`<html lang=""><body>`); p.Lang != "" || !p.HasLang {
		t.Errorf("empty lang = %q %v", p.Lang, p.HasLang)
	}
	if p := extract(`<html><body>`); p.HasLang {
		t.Error("missing lang reported present")
	}
}

func TestImages(t *testing.T) {
	p := extract(`<body>
<img src="/a.png" alt="A &amp; B" width="10" height="20">
<img src="/spacer.gif" alt="">
<img src="/missing.png">
<img alt="no src">
<picture><source srcset="/x.webp"><img src=" /pic.jpg " alt="Pic"></picture>
<picture><source srcset="/only.webp"></picture>
</body>`)
	want := []Image{
		{Src: "/a.png", HasAlt: true, Alt: "A & B", AltLength: 5, HasWidth: true, HasHeight: true},
		{Src: "/spacer.gif", HasAlt: true},
		{Src: "/missing.png"},
		{HasAlt: true, Alt: "no src", AltLength: 6},
		{Src: "/pic.jpg", HasAlt: true, Alt: "Pic", AltLength: 3, InPicture: true},
	}
	if !reflect.DeepEqual(p.Images, want) {
		t.Errorf("images =\n%+v\nwant\n%+v", p.Images, want)
	}
	if p.ImageCount != 5 || p.ImagesMissingAlt != 1 || p.PicturesWithoutImg != 1 {
		t.Errorf("count %d missing alt %d pictures without img %d", p.ImageCount, p.ImagesMissingAlt, p.PicturesWithoutImg)
	}
	var srcs []string
	for _, l := range p.Links {
		if l.Kind == KindImage {
			srcs = append(srcs, l.Href)
		}
	}
	if !reflect.DeepEqual(srcs, []string{"/a.png", "/spacer.gif", "/missing.png", "/pic.jpg"}) {
		t.Errorf("image links = %q", srcs)
	}
}

func TestAnchors(t *testing.T) {
	p := extract(`<body>
<a href="/plain">Plain   <b>bold</b>
 text</a>
<a href="https://ext.example/" rel="NoFollow ugc  sponsored" target="_BLANK">Ext</a>
<a href="/x" rel="noopener noreferrer">x</a>
<a href="/img"><img src="/i.png" alt="Image alt"></a>
<a href="/empty"><img src="/deco.png" alt=""></a>
<a name="anchor-only">not a link</a>
<a href="/unclosed">first<a href="/second">second</a>
<a href="?a=1&amp;b=2&c=3&copy=4">query</a>
<a href="javascript:void(0)">js</a>
<div><a href="/block"><div>Block</div><div>link</div></a></div>
</body>`)
	type lk struct {
		Href, Text string
		Rel        Rel
		Blank, Alt bool
	}
	var got []lk
	for _, l := range p.Links {
		if l.Kind == KindAnchor {
			got = append(got, lk{l.Href, l.Text, l.Rel, l.TargetBlank, l.TextFromAlt})
		}
	}
	want := []lk{
		{"/plain", "Plain bold text", 0, false, false},
		{"https://ext.example/", "Ext", RelNofollow | RelUGC | RelSponsored, true, false},
		{"/x", "x", RelNoopener | RelNoreferrer, false, false},
		{"/img", "Image alt", 0, false, true},
		{"/empty", "", 0, false, false},
		{"/unclosed", "first", 0, false, false},
		{"/second", "second", 0, false, false},
		{"?a=1&b=2&c=3&copy=4", "query", 0, false, false},
		{"javascript:void(0)", "js", 0, false, false},
		{"/block", "Block link", 0, false, false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("anchors =\n%+v\nwant\n%+v", got, want)
	}
	if !RelNofollow.Has(RelNofollow) || (RelUGC | RelNofollow).Has(RelSponsored) {
		t.Error("Rel.Has")
	}
	for _, im := range p.Images {
		if !im.InLink {
			t.Errorf("image %q not marked as inside a link", im.Src)
		}
	}
}

func TestForms(t *testing.T) {
	p := extract(`<form action="/search" method="get"></form><form action="http://example.com/login" method="POST"></form><form method=dialog></form><form></form>`)
	var got []string
	for _, l := range p.Links {
		got = append(got, l.Kind.String()+" "+l.Method+" "+l.Href)
	}
	want := []string{"form GET /search", "form POST http://example.com/login", "form DIALOG ", "form GET "}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("forms = %q", got)
	}
}

func TestBaseHref(t *testing.T) {
	p := extract(`<head><base target="_blank"><base href="https://cdn.example.com/dir/"><base href="/ignored/"></head>`)
	if p.BaseHref != "https://cdn.example.com/dir/" {
		t.Errorf("base = %q", p.BaseHref)
	}
}

func TestJSONLD(t *testing.T) {
	p := extract(`<head>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"x",
 "offers":{"@type":"Offer"}}</script>
<script type="application/ld+json">
{"@context":"https://schema.org","@graph":[
  {"@type":["Organization","Brand"]},
  {"@type":"WebSite","@graph":[{"@type":"WebPage"}]},
  "not an object"
]}
</script>
<script type="APPLICATION/LD+JSON; charset=utf-8">[{"@type":"FAQPage"},{"@type":"Product"}]</script>
<script type="application/ld+json">{"@type": "Broken",, }</script>
<script type="application/ld+json"></script>
<script type="application/json">{"@type":"NotLD"}</script>
<script>var x = {"@type":"NotLD"};</script>
</head>`)
	ld := p.JSONLD
	wantTypes := []string{"Product", "Organization", "Brand", "WebSite", "WebPage", "FAQPage"}
	if ld.Blocks != 5 || ld.Errors != 2 || !reflect.DeepEqual(ld.Types, wantTypes) || len(ld.Messages) != 2 {
		t.Errorf("jsonld = %+v", ld)
	}

	big := `<script type="application/ld+json">{"@type":"Thing","pad":"` + strings.Repeat("x", 2000) + `"}</script>`
	p = Extract([]byte(big), &Options{MaxJSONLDBytes: 1000})
	if p.JSONLD.Blocks != 1 || p.JSONLD.Oversized != 1 || p.JSONLD.Errors != 0 || len(p.JSONLD.Types) != 0 {
		t.Errorf("oversized block: %+v", p.JSONLD)
	}
}

func TestWordCount(t *testing.T) {
	tests := []struct {
		name, html string
		want       int
	}{
		{"english", "<p>The quick brown fox jumps over the lazy dog.</p>", 9},
		{"contractions", "<p>Don't stop: it's rock'n'roll, isn’t it?</p>", 6},
		{"inline tags join", "<p>Hel<b>lo</b> wor<i>ld</i></p>", 2},
		{"blocks split", "<table><tr><td>one</td><td>two</td></tr></table><p>three</p><div>four</div>five", 5},
		{"br splits", "one<br>two", 2},
		{"excluded", "<head><title>Not counted</title><style>p{x:y}</style></head><body>a<script>var b = 'c d'</script><noscript>e f</noscript><template><p>g h</p></template><svg><text>i j</text></svg> k</body>", 2},
		{"cyrillic", "<p>Съешь же ещё этих мягких французских булок, да выпей чаю.</p>", 10},
		{"japanese", "<p>日本語の文章です。</p>", 8},
		{"chinese with latin", "<p>我爱Go语言</p>", 5},
		{"devanagari marks", "<p>नमस्ते दुनिया</p>", 2},
		{"korean spaces", "<p>안녕하세요 세계</p>", 2},
		{"numbers", "<p>Version 2.0 costs $19.99 in 2024</p>", 8},
		{"entities", "<p>fish&amp;chips caf&eacute; na&iuml;ve</p>", 4},
		{"nbsp", "<p>one&nbsp;two\u00a0three</p>", 3},
		{"soft hyphen", "<p>Ge\u00adschichte</p>", 1},
		{"empty", "<html><head><title>x</title></head><body>  </body></html>", 0},
	}
	for _, tt := range tests {
		if got := extract(tt.html).WordCount; got != tt.want {
			t.Errorf("%s: word count = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestContentHash(t *testing.T) {
	a := extract("<html><body><p>Hello   world, this is a page.</p></body></html>")
	b := extract("<div>\nhello <b>World</b>  this is a page</div>")
	c := extract("<p>Hello world, this is another page.</p>")
	if a.ContentHash == 0 || a.ContentHash != b.ContentHash {
		t.Errorf("same words should hash equal: %x %x", a.ContentHash, b.ContentHash)
	}
	if a.ContentHash == c.ContentHash {
		t.Error("different text hashes equal")
	}
	// Hashes are stored; this value must never change.
	if h := extract("<p>Hello, World! Ünïcode 日本</p>").ContentHash; h != 0x8138c7f8b86ccdf9 {
		t.Errorf("ContentHash definition changed: %#x", h)
	}
	if p := extract("<p>   </p>"); p.ContentHash != 0 || p.SimHash != 0 {
		t.Error("empty text should hash to 0")
	}
	// The hash must not depend on where the tokenizer splits the text.
	long := strings.Repeat("word and another one, ", 500)
	d := Extract([]byte("<p>"+long+"</p>"), nil)
	e, _ := ExtractReader(&slowReader{s: "<p>" + long + "</p>", n: 7}, nil)
	if d.ContentHash != e.ContentHash || d.SimHash != e.SimHash || d.WordCount != e.WordCount {
		t.Error("results depend on read sizes")
	}
}

// slowReader returns at most n bytes per Read.
type slowReader struct {
	s string
	n int
}

func (r *slowReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), r.n)], r.s)
	r.s = r.s[k:]
	return k, nil
}

func TestElementsAndIDs(t *testing.T) {
	p := extract(`<div id="a"><p id="b">x</p><span id="a"></span><i id="a"></i><b id="c"></b><br/><img id="c"><em id=""></em></div>`)
	if p.Elements != 8 {
		t.Errorf("elements = %d", p.Elements)
	}
	if p.DuplicateIDCount != 2 || len(p.DuplicateIDs) != 2 {
		t.Errorf("duplicate ids = %d %q", p.DuplicateIDCount, p.DuplicateIDs)
	}
	got := map[string]bool{}
	for _, id := range p.DuplicateIDs {
		got[id] = true
	}
	if !got["a"] || !got["c"] {
		t.Errorf("duplicate ids = %q", p.DuplicateIDs)
	}
}

func TestTemplateAndForeignContent(t *testing.T) {
	p := extract(`<body><template><a href="/tpl">t</a><img src="/t.png"><h1>T</h1></template>
<svg><a href="/svg"><title>svg title</title></a><h1>breakout</h1><a href="/after">after</a></body>`)
	var hrefs []string
	for _, l := range p.Links {
		hrefs = append(hrefs, l.Href)
	}
	if !reflect.DeepEqual(hrefs, []string{"/after"}) || !reflect.DeepEqual(p.H1, []string{"breakout"}) || p.TitleCount != 0 || p.ImageCount != 0 {
		t.Errorf("links %q h1 %q titles %d images %d", hrefs, p.H1, p.TitleCount, p.ImageCount)
	}
}

func TestLinkKindText(t *testing.T) {
	b, _ := KindHreflang.MarshalText()
	if string(b) != "hreflang" || LinkKind(99).String() != "unknown" {
		t.Error("LinkKind text")
	}
}
