package extract

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// benchPage builds a realistic 40 KB article page: head with metadata,
// JSON-LD and inline script/CSS, navigation, 48 paragraphs (~3,300 words),
// images in <picture>, an SVG icon, a form, 60 anchors and a JSON state
// script, as server-rendered sites emit.
func benchPage() []byte {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Sourdough Bread at Home: A Complete Guide &amp; Recipe | Example Bakery</title>
<meta name="description" content="Everything you need to bake sourdough bread at home: starter, flour, hydration, shaping and baking, with step-by-step photos.">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="index, follow, max-image-preview:large">
<link rel="canonical" href="https://www.example.com/guides/sourdough-bread">
<link rel="alternate" hreflang="en-GB" href="https://www.example.com/guides/sourdough-bread">
<link rel="alternate" hreflang="fr-FR" href="https://www.example.com/fr/guides/pain-au-levain">
<link rel="alternate" hreflang="x-default" href="https://www.example.com/guides/sourdough-bread">
<link rel="stylesheet" href="/assets/css/main.3f9a1c.css">
<link rel="preload" as="font" href="/assets/fonts/inter.woff2" crossorigin>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());gtag('config','G-XXXXXXX');</script>
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"Article","headline":"Sourdough Bread at Home","author":{"@type":"Person","name":"Jane Baker"},"datePublished":"2024-03-01"},{"@type":"BreadcrumbList","itemListElement":[{"@type":"ListItem","position":1,"name":"Guides","item":"https://www.example.com/guides/"}]}]}</script>
<style>body{font-family:Inter,sans-serif;margin:0}.nav a{padding:4px 8px}.card{border:1px solid #ddd;border-radius:8px}</style>
</head>
<body class="article">
<header class="site-header"><a href="/" class="logo"><img src="/img/logo.svg" alt="Example Bakery" width="120" height="40"></a>
<nav class="nav" id="main-nav"><ul>
`)
	for i := 0; i < 15; i++ {
		fmt.Fprintf(&b, `<li class="nav-item"><a href="/category/section-%d/" class="nav-link">Section %d</a></li>
`, i, i)
	}
	b.WriteString("</ul></nav></header>\n<main id=\"content\">\n<article>\n<h1 class=\"title\">Sourdough Bread at Home: The Complete Guide</h1>\n")
	para := `Sourdough is bread leavened by a culture of wild yeast and lactic acid bacteria rather than commercial yeast. ` +
		`The flavour depends on the flour, the <em>hydration</em> of the dough and the temperature of your kitchen, so every loaf ` +
		`is a little different. Feed your starter the evening before, and use it at its peak when it has doubled &amp; smells sweet. `
	for i := 0; i < 48; i++ {
		if i%5 == 0 {
			fmt.Fprintf(&b, "<h2 id=\"step-%d\">Step %d: shaping and proofing the dough</h2>\n", i, i/5+1)
		}
		if i < 24 {
			fmt.Fprintf(&b, "<p class=\"body-text text-base leading-relaxed\">%s See <a href=\"/guides/related-topic-%d?ref=article&amp;pos=%d\" title=\"Related guide\" class=\"inline-link\">our guide to topic %d</a> for details.</p>\n", para, i, i, i)
		} else {
			fmt.Fprintf(&b, "<p class=\"body-text text-base leading-relaxed\">%s</p>\n", para)
		}
		if i%8 == 0 {
			fmt.Fprintf(&b, `<figure class="card"><picture><source srcset="/img/step-%d.webp" type="image/webp"><img src="/img/step-%d.jpg" alt="Shaping step %d" width="800" height="600" loading="lazy"></picture><figcaption>Step %d in pictures.</figcaption></figure>
`, i, i, i, i)
		}
	}
	b.WriteString(`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><title>share</title><path d="M18 16.08c-.76 0-1.44.3-1.96.77L8.91 12.7c.05-.23.09-.46.09-.7s-.04-.47-.09-.7l7.05-4.11"/></svg>
</article>
<aside><h3>Popular</h3><ul>
`)
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&b, `<li><a href="https://www.example.com/popular/item-%d" rel="nofollow noopener" target="_blank">Popular recipe number %d</a></li>
`, i, i)
	}
	b.WriteString("</ul></aside></main>\n<footer><form action=\"/newsletter\" method=\"post\"><input type=\"email\" name=\"email\" placeholder=\"you@example.com\"><button>Subscribe</button></form>\n<p>")
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&b, `<a href="/legal/page-%d">Legal page %d</a> · `, i, i)
	}
	b.WriteString("</p></footer>\n<script src=\"/assets/js/app.js\" defer></script>\n<script id=\"__APP_STATE__\" type=\"application/json\">{\"items\":[")
	for i := 0; i < 110; i++ {
		fmt.Fprintf(&b, `{"id":%d,"slug":"recipe-%d","title":"Recipe number %d","tags":["bread","baking"]},`, i, i, i)
	}
	b.WriteString("{}]}</script>\n</body>\n</html>\n")
	return []byte(b.String())
}

var benchBody = benchPage()

func BenchmarkTokenizeOnly(b *testing.B) {
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	for b.Loop() {
		z := html.NewTokenizer(bytes.NewReader(benchBody))
		for z.Next() != html.ErrorToken {
		}
	}
}

func BenchmarkExtract(b *testing.B) {
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	for b.Loop() {
		Extract(benchBody, nil)
	}
}

func TestBenchPageShape(t *testing.T) {
	p := Extract(benchBody, nil)
	if n := len(benchBody); n < 35_000 || n > 45_000 {
		t.Errorf("bench page is %d bytes, want ~40 KB", n)
	}
	anchors := 0
	for _, l := range p.Links {
		if l.Kind == KindAnchor {
			anchors++
		}
	}
	if anchors < 55 || anchors > 65 {
		t.Errorf("bench page has %d anchors, want ~60", anchors)
	}
}
