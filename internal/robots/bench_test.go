package robots

import "testing"

// benchRobots is a 50-rule file in the style of a large shop's robots.txt.
const benchRobots = `# robots.txt
Sitemap: https://shop.example/sitemap.xml

User-agent: *
Disallow: /cart
Disallow: /checkout
Disallow: /account/
Disallow: /search
Disallow: /*?sort=
Disallow: /*?filter=
Disallow: /*&sessionid=
Disallow: /*.pdf$
Crawl-delay: 1

User-agent: ScouterBot
Disallow: /wp-admin/
Allow: /wp-admin/admin-ajax.php
Disallow: /cart
Disallow: /cart/*
Disallow: /checkout
Disallow: /checkout/*
Disallow: /account/
Disallow: /login
Disallow: /logout
Disallow: /register
Disallow: /password-reset
Disallow: /wishlist
Disallow: /compare
Disallow: /search
Allow: /search/help
Disallow: /*?sort=
Disallow: /*?order=
Disallow: /*?filter=
Disallow: /*&filter=
Disallow: /*?price=
Disallow: /*&price=
Disallow: /*?color=
Disallow: /*&color=
Disallow: /*?size=
Disallow: /*&size=
Disallow: /*?page=*&page=
Disallow: /*sessionid=
Disallow: /*utm_source=
Disallow: /*utm_medium=
Disallow: /*utm_campaign=
Disallow: /*gclid=
Disallow: /*fbclid=
Disallow: /*.pdf$
Disallow: /*.doc$
Disallow: /*.xls$
Disallow: /*/print$
Disallow: /*/amp/
Disallow: /tmp/
Disallow: /cgi-bin/
Disallow: /admin/
Disallow: /api/
Allow: /api/public/
Disallow: /internal/
Disallow: /staging/
Disallow: /preview/
Disallow: /drafts/
Allow: /drafts/published/
Disallow: /feeds/
Allow: /feeds/main.xml
Disallow: /tag/*/page/
Disallow: /author/
Crawl-delay: 2
`

var benchPaths = []string{
	"/products/blue-widget-42",
	"/category/shoes/running?page=3",
	"/blog/2024/05/how-to-choose-running-shoes",
	"/wp-admin/admin-ajax.php",
	"/search?q=shoes",
	"/category/shoes?color=blue&size=42",
	"/",
	"/products/blue-widget-42?utm_source=newsletter&utm_medium=email",
}

var sink bool

func BenchmarkAllowed(b *testing.B) {
	r := Parse([]byte(benchRobots))
	b.Run("Group", func(b *testing.B) {
		g := r.Group("ScouterBot")
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			sink = g.Allowed(benchPaths[i%len(benchPaths)])
		}
	})
	b.Run("Robots", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			sink = r.Allowed("ScouterBot", benchPaths[i%len(benchPaths)])
		}
	})
}

func BenchmarkParse(b *testing.B) {
	body := []byte(benchRobots)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		Parse(body)
	}
}
