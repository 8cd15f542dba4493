package testsite

import (
	"strings"
	"time"
)

// The crawl options the audit site's Truth assumes. A crawl run with other
// options would legitimately differ (depths, truncation, the timeout page).
const (
	AuditMaxDepth = 6
	AuditMaxBody  = 256 << 10
	AuditTimeout  = 2 * time.Second
	AuditRetries  = 2
	// AuditExtraHost must be passed to the crawler as an extra internal
	// host; the www./bare pair needs no option.
	AuditExtraHost = throttledHost
)

const (
	wwwHost       = "www.scouter.test"
	bareHost      = "scouter.test"
	throttledHost = "throttled.scouter.test"
	evilHost      = "www.scouter.test.evil.test"
	cdnHost       = "cdn.other.test"

	www       = "http://" + wwwHost
	bare      = "http://" + bareHost
	throttled = "http://" + throttledHost
	evil      = "http://" + evilHost
	cdn       = "http://" + cdnHost
)

// internalHosts are the hosts the test crawl treats as the site.
var internalHosts = map[string]bool{wwwHost: true, bareHost: true, throttledHost: true}

// slowDelay is the slow page's wait: well under the crawl timeout, well
// over anything loopback could cause by accident.
const slowDelay = 300 * time.Millisecond

// def is one URL of the audit site: what the server answers for it and
// what a correct crawl reports. Fields a human reads off the page (title,
// word count, ...) are written by hand in want; only sizes, outlink counts,
// sitemap membership and the redirect link are derived mechanically.
type def struct {
	url    string // normalized absolute URL
	state  string // "" means crawled
	reason string
	depth  int

	// The response. Internal URLs that must never be fetched still get a
	// harmless answer, so a wrong crawl shows up in Requests, not as an
	// accidental 404.
	status     int      // 0 means 200
	ctype      string   // Content-Type; "" means UTF-8 HTML when there is a body
	headers    []string // extra header name/value pairs
	location   string   // Location header, exactly as written
	lang       string   // <html lang> of rendered pages
	head, body string   // rendered by doc
	raw        []byte   // served as is instead of head/body
	delay      time.Duration
	hang       bool // never answers; returns when the client gives up

	// sitemapOnly marks the orphan: without sitemap seeding it is an
	// excluded row at depth -1, with seeding it is crawled at depth.
	sitemapOnly bool

	want  Page // the hand-written fields of the expected row
	links []lk // link occurrences in document order (not redirects)

	// findings are the audit findings of the URL, written by hand from the
	// rules of audit.Catalogue, as "check:element" (see Finding);
	// seedFindings are added when sitemaps seed the crawl (the orphan).
	findings, seedFindings []string
}

// lk is a link occurrence in shorthand: a target starting with "/" is on
// www.scouter.test, anything else is absolute. Targets are written already
// resolved and normalized, as the crawler must report them.
type lk struct {
	kind, to, text string
	nofollow       bool
}

func a(to, text string) lk   { return lk{kind: KindAnchor, to: to, text: text} }
func anf(to, text string) lk { return lk{kind: KindAnchor, to: to, text: text, nofollow: true} }
func img(to, alt string) lk  { return lk{kind: KindImage, to: to, text: alt} }
func canon(to string) lk     { return lk{kind: KindCanonical, to: to} }
func alt(lang, to string) lk { return lk{kind: KindHreflang, to: to, text: lang} }

// abs expands the shorthand of lk targets.
func abs(to string) string {
	if strings.HasPrefix(to, "/") {
		return www + to
	}
	return to
}

// doc renders a page the way most of the site's pages look. Everything
// that matters for the truth is in head and body, written by hand.
func doc(lang, head, body string) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html")
	if lang != "" {
		b.WriteString(` lang="` + lang + `"`)
	}
	b.WriteString(">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString(head)
	b.WriteString("\n</head>\n<body>\n")
	b.WriteString(body)
	b.WriteString("\n</body>\n</html>\n")
	return []byte(b.String())
}

// Bodies of the non-2xx answers. They are HTML on purpose: a crawler that
// parses error pages would find a title and links here.
var (
	notFoundBody    = []byte("<!DOCTYPE html>\n<html><head><title>Not found</title></head>\n<body><h1>Not found</h1><p><a href=\"/\">Home</a></p></body></html>\n")
	serverErrorBody = []byte("<!DOCTYPE html>\n<html><head><title>Server error</title></head>\n<body><h1>Something broke</h1><p><a href=\"/\">Home</a></p></body></html>\n")
	tooManyBody     = []byte("Too many requests, come back in a second.\n")
	pdfBody         = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	// A 1x1 transparent GIF: images are never fetched, but answer sanely.
	gifBody = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
)

// latin1Body is the non-UTF-8 page: 0xE9 is e-acute and 0xE8 e-grave in
// ISO-8859-1, invalid on their own in UTF-8.
var latin1Body = []byte("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"iso-8859-1\">\n" +
	"<title>Caf\xe9 cr\xe8me</title>\n" +
	"<meta name=\"description\" content=\"Une page en ISO-8859-1.\">\n</head>\n<body>\n" +
	"<h1>Caf\xe9 cr\xe8me</h1>\n<p>Le caf\xe9 est tr\xe8s bon.</p>\n<a href=\"/status-codes\">Retour</a>\n" +
	"</body>\n</html>\n")

// bigSize is well over the test's body cap (AuditMaxBody).
const bigSize = 400 << 10

// bigBody is the over-cap page: everything the crawler must see comes
// first; the rest is a comment, so the cut at AuditMaxBody falls where no
// word or link can be split, and the tail (which has words but no links)
// shows whether a crawler read past the cap.
var bigBody = func() []byte {
	head := "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Big page</title>\n" +
		"<meta name=\"description\" content=\"A page larger than the body cap.\">\n</head>\n<body>\n" +
		"<h1>Big page</h1>\n<p>Most of this page is a comment.</p>\n<a href=\"/status-codes\">Back</a>\n<!--\n"
	tail := "-->\n<p>Nobody reads this tail.</p>\n</body>\n</html>\n"
	line := strings.Repeat("x", 63) + "\n"
	var b strings.Builder
	b.WriteString(head)
	for b.Len()+len(line)+len(tail) <= bigSize {
		b.WriteString(line)
	}
	b.WriteString(strings.Repeat("y", bigSize-b.Len()-len(tail)))
	b.WriteString(tail)
	return []byte(b.String())
}()

// robotsTxt: only the "scouter" group applies to the crawler. The "*"
// group differs in both directions (it blocks /blog/ and allows /private/),
// so using it, or merging the groups, changes the crawl visibly.
const robotsTxt = `# Scouter test site
User-agent: *
Disallow: /blog/
Allow: /private/

User-agent: scouter
# Longest match wins: /private/public-page is allowed.
Disallow: /private/
Allow: /private/public-page
# "$" anchors: /legacy.php is blocked, /legacy.php?view=full is not.
Disallow: /*.php$
# "*" matches anything, including the path before the query.
Disallow: /*?sessionid=

Sitemap: http://www.scouter.test/sitemap_index.xml
`

// Sitemap contents, as written. One entry spells its host in upper case:
// membership is decided after normalization. /old-page is a redirect
// listed in a sitemap, an audit finding of its own.
var (
	sitemapChildren = []string{
		www + "/sitemap-pages.xml.gz",
		www + "/sitemap-posts.xml",
	}
	sitemapPages = []string{
		www + "/",
		www + "/products/",
		www + "/products/widgets",
		www + "/products/widgets/blue-widget",
		www + "/orphan",
	}
	sitemapPosts = []string{
		"http://WWW.Scouter.test/about",
		www + "/blog/",
		www + "/blog/first-post",
		www + "/blog/duplicate-post",
		www + "/en/",
		www + "/fr/",
		www + "/old-page",
		www + "/audit/canonical-to-noindex",
		www + "/audit/noindex-listed",
	}
)

// Calendar trap: every month links to the next one, forever. Linked from
// the home page, months 2026-11 to 2027-04 sit at depths 1 to 6, and
// 2027-05 is the first one beyond the depth limit.
const calendarFirst = "2026-11"

func calendarURL(month string) string { return www + "/calendar?month=" + month }

// nextMonth returns the month after m ("2006-01"), or false if m is not a
// month.
func nextMonth(m string) (string, bool) {
	t, err := time.Parse("2006-01", m)
	if err != nil || t.Format("2006-01") != m {
		return "", false
	}
	return t.AddDate(0, 1, 0).Format("2006-01"), true
}

// calendarDoc renders a month. Words: "Calendar for YYYY MM" 4, "No events
// this month" 4, "Next month" 2: 10 for every month.
func calendarDoc(month string) []byte {
	next, _ := nextMonth(month)
	return doc("",
		"<title>Calendar "+month+"</title>\n<meta name=\"description\" content=\"Events in "+month+".\">",
		"<h1>Calendar for "+month+"</h1>\n<p>No events this month.</p>\n<a href=\"/calendar?month="+next+"\">Next month</a>")
}

func calendarDefs() []*def {
	// Months at depths 5 and 6 are deeper than the audit's max_depth (4).
	deep := map[string]string{"2027-03": "5", "2027-04": "6"}
	var ds []*def
	m := calendarFirst
	for depth := 1; depth <= AuditMaxDepth+1; depth++ {
		next, _ := nextMonth(m)
		d := &def{url: calendarURL(m), depth: depth, raw: calendarDoc(m)}
		if depth > AuditMaxDepth {
			d.state, d.reason = StateExcluded, ReasonMaxDepth
		} else {
			d.want = Page{
				Title: "Calendar " + m, Description: "Events in " + m + ".",
				H1: "Calendar for " + m, H1Count: 1, WordCount: 10,
				Indexable: true,
			}
			d.links = []lk{a(calendarURL(next), "Next month")}
			d.findings = []string{
				"canonical_missing:", "title_too_short:Calendar " + m,
				"description_too_short:Events in " + m + ".", "thin_content:10",
			}
			if deep[m] != "" {
				d.findings = append(d.findings, "deep_page:"+deep[m])
			}
		}
		ds = append(ds, d)
		m = next
	}
	return ds
}

// auditDefs is the audit site, one entry per URL a correct crawl records.
// Depths are hand-written; the tests recompute them by BFS.
func auditDefs() []*def {
	ds := []*def{
		// ---- depth 0: the start page -------------------------------------
		{
			url: www + "/", depth: 0, lang: "en",
			head: `<title>Scouter Test Site</title>
<meta name="description" content="A small site with every case an SEO crawler must handle.">
<link rel="canonical" href="http://www.scouter.test/">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization","name":"Scouter"}</script>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"WebSite","url":"http://www.scouter.test/"}</script>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization","name":"Scouter again"}</script>`,
			body: `<a href="/"><img src="/img/logo.png" alt="Scouter logo"></a>
<h1>Welcome to Scouter</h1>
<p>This site tests a crawler.</p>
<h2>Sections</h2>
<ul>
<li><a href="/about">About us</a></li>
<li><a href="/products/">Products</a></li>
<li><a href="/blog/">Blog</a></li>
<li><a href="/calendar?month=2026-11">Events calendar</a></li>
<li><a href="/en/">English site</a></li>
<li><a href="/status-codes">Status codes</a></li>
<li><a href="/robots-cases">Robots cases</a></li>
<li><a href="/indexing">Indexing cases</a></li>
<li><a href="/audit/">Audit cases</a></li>
<li><a href="/files/guide.pdf">Download the guide</a></li>
</ul>
<h2>Elsewhere</h2>
<ul>
<li><a href="http://scouter.test/">Bare domain</a></li>
<li><a href="http://scouter.test/bare-page">Bare domain page</a></li>
<li><a href="http://throttled.scouter.test/ok">Busy server</a></li>
<li><a href="http://throttled.scouter.test/always-429">Overloaded server</a></li>
<li><a href="http://www.scouter.test.evil.test/">Lookalike site</a></li>
<li><a href="mailto:hello@scouter.test">Email us</a></li>
<li><a href="tel:+15550100">Call us</a></li>
<li><a href="javascript:void(0)">Open chat</a></li>
</ul>
<img src="http://cdn.other.test/banner.jpg" alt="Summer banner">`,
			want: Page{
				Title: "Scouter Test Site", Description: "A small site with every case an SEO crawler must handle.",
				H1: "Welcome to Scouter", H1Count: 1, H2Count: 2,
				Canonical: www + "/",
				// 3+5+1 (h1, p, h2) + 2+1+1+2+2+2+2+2+2+3 (sections) + 1 (h2)
				// + 2+3+2+2+2+2+2+2 (elsewhere, mailto/tel/javascript texts count)
				WordCount:   46,
				JSONLDTypes: []string{"Organization", "WebSite"},
				ImageCount:  2,
				Indexable:   true,
			},
			links: []lk{
				canon("/"),
				a("/", "Scouter logo"),
				img("/img/logo.png", "Scouter logo"),
				a("/about", "About us"),
				a("/products/", "Products"),
				a("/blog/", "Blog"),
				a(calendarURL(calendarFirst), "Events calendar"),
				a("/en/", "English site"),
				a("/status-codes", "Status codes"),
				a("/robots-cases", "Robots cases"),
				a("/indexing", "Indexing cases"),
				a("/audit/", "Audit cases"),
				a("/files/guide.pdf", "Download the guide"),
				a(bare+"/", "Bare domain"),
				a(bare+"/bare-page", "Bare domain page"),
				a(throttled+"/ok", "Busy server"),
				a(throttled+"/always-429", "Overloaded server"),
				a(evil+"/", "Lookalike site"),
				img(cdn+"/banner.jpg", "Summer banner"),
			},
			findings: []string{
				"title_too_short:Scouter Test Site",
				"description_too_short:A small site with every case an SEO crawler must handle.",
				"thin_content:46", "link_to_redirect:http://scouter.test/",
			},
		},

		// ---- /about: fragment link, rel=nofollow, alt="" and missing alt --
		{
			url: www + "/about", depth: 1, lang: "en",
			head: `<title>About Scouter</title>
<meta name="description" content="Who builds Scouter and why.">`,
			body: `<h1>About us</h1>
<p>We build a crawler for people who care about their sites.</p>
<img src="/img/divider.png" alt="">
<h2>Our partners</h2>
<p><a href="/nofollow-target" rel="sponsored nofollow">Sponsored partner</a></p>
<img src="/img/photo.jpg">
<p><a href="#contact">Contact us</a> or go <a href="/">home</a>.</p>
<p id="contact">Write to us any time.</p>`,
			want: Page{
				Title: "About Scouter", Description: "Who builds Scouter and why.",
				H1: "About us", H1Count: 1, H2Count: 1,
				WordCount:  27, // 2 + 11 + 2 + 2 + 5 + 5
				ImageCount: 2, ImagesMissingAlt: 1,
				Indexable: true,
			},
			links: []lk{
				img("/img/divider.png", ""),
				anf("/nofollow-target", "Sponsored partner"),
				img("/img/photo.jpg", ""),
				a("/about", "Contact us"),
				a("/", "home"),
			},
			findings: []string{
				"canonical_missing:", "title_too_short:About Scouter",
				"description_too_short:Who builds Scouter and why.", "thin_content:27",
				"nofollow_internal:/nofollow-target", "image_missing_alt:/img/photo.jpg",
			},
		},
		{url: www + "/nofollow-target", depth: 2, state: StateExcluded, reason: ReasonNofollow,
			head: "<title>Partner</title>", body: "<h1>Partner</h1>"},
		{url: www + "/img/logo.png", depth: 1, state: StateExcluded, reason: ReasonImage, ctype: "image/gif", raw: gifBody},
		{url: www + "/img/divider.png", depth: 2, state: StateExcluded, reason: ReasonImage, ctype: "image/gif", raw: gifBody},
		{url: www + "/img/photo.jpg", depth: 2, state: StateExcluded, reason: ReasonImage, ctype: "image/gif", raw: gifBody},
		{url: cdn + "/banner.jpg", depth: 1, state: StateExternal},
		{url: evil + "/", depth: 1, state: StateExternal},

		// ---- products: depths 1 to 4, canonicals ----------------------------
		{
			url: www + "/products/", depth: 1, lang: "en",
			head: `<title>Products</title>
<meta name="description" content="Everything we sell.">`,
			body: `<h1>Products</h1>
<p>Browse our catalogue.</p>
<a href="/products/widgets">Widgets</a>`,
			want: Page{
				Title: "Products", Description: "Everything we sell.",
				H1: "Products", H1Count: 1, WordCount: 5, Indexable: true,
			},
			links: []lk{a("/products/widgets", "Widgets")},
			findings: []string{
				"canonical_missing:", "title_too_short:Products",
				"description_too_short:Everything we sell.", "thin_content:5",
			},
		},
		{
			url: www + "/products/widgets", depth: 2, lang: "en",
			head: `<title>Widgets</title>
<meta name="description" content="All our widgets.">
<link rel="canonical" href="http://www.scouter.test/products/widgets">`,
			body: `<h1>Widgets</h1>
<p>Pick a widget.</p>
<a href="/products/widgets/blue-widget">Blue widget</a>
<a href="/products/widgets?sort=price">Sort by price</a>`,
			want: Page{
				Title: "Widgets", Description: "All our widgets.",
				H1: "Widgets", H1Count: 1, Canonical: www + "/products/widgets",
				WordCount: 9, Indexable: true,
			},
			links: []lk{
				canon("/products/widgets"),
				a("/products/widgets/blue-widget", "Blue widget"),
				a("/products/widgets?sort=price", "Sort by price"),
			},
			findings: []string{
				"title_too_short:Widgets", "description_too_short:All our widgets.",
				"thin_content:9",
			},
		},
		{
			// Canonical to another page, written root-relative.
			url: www + "/products/widgets?sort=price", depth: 3, lang: "en",
			head: `<title>Widgets by price</title>
<meta name="description" content="All our widgets, cheapest first.">
<link rel="canonical" href="/products/widgets">`,
			body: `<h1>Widgets</h1>
<p>Cheapest first.</p>
<a href="/products/widgets/blue-widget">Blue widget</a>`,
			want: Page{
				Title: "Widgets by price", Description: "All our widgets, cheapest first.",
				H1: "Widgets", H1Count: 1, Canonical: www + "/products/widgets",
				WordCount: 5, Indexable: false, Indexability: "canonicalised",
			},
			links: []lk{
				canon("/products/widgets"),
				a("/products/widgets/blue-widget", "Blue widget"),
			},
			findings: []string{
				"non_indexable:canonicalised", "canonical_elsewhere:/products/widgets",
				"title_too_short:Widgets by price",
				"description_too_short:All our widgets, cheapest first.",
			},
		},
		{
			url: www + "/products/widgets/blue-widget", depth: 3, lang: "en",
			head: `<title>Blue widget</title>
<meta name="description" content="A blue widget.">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Blue widget"}</script>`,
			body: `<h1>Blue widget</h1>
<p>It's blue, well-known and cheap.</p>
<a href="/products/widgets/blue-widget/specs">Specifications</a>
<img src="http://cdn.other.test/blue-widget.jpg" alt="A blue widget">`,
			want: Page{
				Title: "Blue widget", Description: "A blue widget.",
				H1: "Blue widget", H1Count: 1,
				WordCount:   9, // 2 + "It's blue well known and cheap" 6 + 1
				JSONLDTypes: []string{"Product"},
				ImageCount:  1, Indexable: true,
			},
			links: []lk{
				a("/products/widgets/blue-widget/specs", "Specifications"),
				img(cdn+"/blue-widget.jpg", "A blue widget"),
			},
			findings: []string{
				"canonical_missing:", "title_too_short:Blue widget",
				"description_too_short:A blue widget.", "thin_content:9",
			},
		},
		{url: cdn + "/blue-widget.jpg", depth: 4, state: StateExternal},
		{
			url: www + "/products/widgets/blue-widget/specs", depth: 4, lang: "en",
			head: `<title>Blue widget specifications</title>
<meta name="description" content="Size and weight of the blue widget.">`,
			body: `<h1>Specifications</h1>
<h2>Size</h2>
<p>10 cm by 4 cm.</p>
<h2>Weight</h2>
<p>120 g.</p>
<a href="/products/">All products</a>`,
			want: Page{
				Title: "Blue widget specifications", Description: "Size and weight of the blue widget.",
				H1: "Specifications", H1Count: 1, H2Count: 2,
				WordCount: 12, // 1 + 1 + 5 + 1 + 2 + 2
				Indexable: true,
			},
			links: []lk{a("/products/", "All products")},
			findings: []string{
				"canonical_missing:", "title_too_short:Blue widget specifications",
				"description_too_short:Size and weight of the blue widget.", "thin_content:12",
			},
		},

		// ---- blog: relative canonical, duplicate title/description ----------
		{
			url: www + "/blog/", depth: 1, lang: "en",
			head: `<title>Blog</title>
<meta name="description" content="News from the Scouter team.">`,
			body: `<h1>Blog</h1>
<h2><a href="/blog/first-post">First post</a></h2>
<h2><a href="/blog/duplicate-post">Another post</a></h2>`,
			want: Page{
				Title: "Blog", Description: "News from the Scouter team.",
				H1: "Blog", H1Count: 1, H2Count: 2, WordCount: 5, Indexable: true,
			},
			links: []lk{
				a("/blog/first-post", "First post"),
				a("/blog/duplicate-post", "Another post"),
			},
			findings: []string{
				"canonical_missing:", "title_too_short:Blog",
				"description_too_short:News from the Scouter team.", "thin_content:5",
			},
		},
		{
			// Self-canonical written as a path-relative href.
			url: www + "/blog/first-post", depth: 2, lang: "en",
			head: `<title>Our first post</title>
<meta name="description" content="The first post on our blog.">
<link rel="canonical" href="first-post">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"BlogPosting","headline":"Our first post"}</script>`,
			body: `<h1>Our first post</h1>
<p>Hello world. We don't post often.</p>
<a href="/blog/">Back to the blog</a>`,
			want: Page{
				Title: "Our first post", Description: "The first post on our blog.",
				H1: "Our first post", H1Count: 1, Canonical: www + "/blog/first-post",
				WordCount:   13, // 3 + 2 + 4 ("don't" is one word) + 4
				JSONLDTypes: []string{"BlogPosting"},
				Indexable:   true,
			},
			links: []lk{
				canon("/blog/first-post"),
				a("/blog/", "Back to the blog"),
			},
			findings: []string{
				"title_too_short:Our first post", "title_duplicate:Our first post",
				"description_too_short:The first post on our blog.",
				"description_duplicate:The first post on our blog.", "thin_content:13",
			},
		},
		{
			// Same title and description as /blog/first-post.
			url: www + "/blog/duplicate-post", depth: 2, lang: "en",
			head: `<title>Our first post</title>
<meta name="description" content="The first post on our blog.">`,
			body: `<h1>Another post</h1>
<p>This post copies the title of the first one.</p>
<a href="/blog/">Back to the blog</a>`,
			want: Page{
				Title: "Our first post", Description: "The first post on our blog.",
				H1: "Another post", H1Count: 1, WordCount: 15, Indexable: true,
			},
			links: []lk{a("/blog/", "Back to the blog")},
			findings: []string{
				"canonical_missing:", "title_too_short:Our first post",
				"title_duplicate:Our first post",
				"description_too_short:The first post on our blog.",
				"description_duplicate:The first post on our blog.", "thin_content:15",
			},
		},

		// ---- hreflang: /en/ <-> /fr/ return each other; /en/pricing -> -----
		// ---- /fr/tarifs has no return link ---------------------------------
		{
			url: www + "/en/", depth: 1, lang: "en",
			head: `<title>Scouter in English</title>
<meta name="description" content="The English home page.">
<link rel="alternate" hreflang="en" href="http://www.scouter.test/en/">
<link rel="alternate" hreflang="fr" href="http://www.scouter.test/fr/">
<link rel="alternate" hreflang="x-default" href="http://www.scouter.test/en/">`,
			body: `<h1>Hello</h1>
<p>This is the English version.</p>
<a href="/en/pricing">Pricing</a>`,
			want: Page{
				Title: "Scouter in English", Description: "The English home page.",
				H1: "Hello", H1Count: 1, WordCount: 7, Indexable: true,
			},
			links: []lk{
				alt("en", "/en/"), alt("fr", "/fr/"), alt("x-default", "/en/"),
				a("/en/pricing", "Pricing"),
			},
			findings: []string{
				"canonical_missing:", "title_too_short:Scouter in English",
				"description_too_short:The English home page.", "thin_content:7",
			},
		},
		{
			url: www + "/fr/", depth: 2, lang: "fr",
			head: `<title>Scouter en fran&ccedil;ais</title>
<meta name="description" content="La page d'accueil en fran&ccedil;ais.">
<link rel="alternate" hreflang="en" href="/en/">
<link rel="alternate" hreflang="fr" href="/fr/">
<link rel="alternate" hreflang="x-default" href="/en/">`,
			body: `<h1>Bonjour</h1>
<p>Ceci est la version fran&ccedil;aise.</p>
<a href="/en/">English</a>`,
			want: Page{
				Title: "Scouter en fran\u00e7ais", Description: "La page d'accueil en fran\u00e7ais.",
				H1: "Bonjour", H1Count: 1, WordCount: 7, Indexable: true,
			},
			links: []lk{
				alt("en", "/en/"), alt("fr", "/fr/"), alt("x-default", "/en/"),
				a("/en/", "English"),
			},
			findings: []string{
				"canonical_missing:", "title_too_short:Scouter en fran\u00e7ais",
				"description_too_short:La page d'accueil en fran\u00e7ais.", "thin_content:7",
				"orphan:",
			},
		},
		{
			url: www + "/en/pricing", depth: 2, lang: "en",
			head: `<title>Pricing</title>
<meta name="description" content="What Scouter costs.">
<link rel="alternate" hreflang="en" href="http://www.scouter.test/en/pricing">
<link rel="alternate" hreflang="fr" href="http://www.scouter.test/fr/tarifs">
<link rel="alternate" hreflang="x-default" href="http://www.scouter.test/en/pricing">`,
			body: `<h1>Pricing</h1>
<p>Scouter is free.</p>`,
			want: Page{
				Title: "Pricing", Description: "What Scouter costs.",
				H1: "Pricing", H1Count: 1, WordCount: 4, Indexable: true,
			},
			links: []lk{
				alt("en", "/en/pricing"), alt("fr", "/fr/tarifs"), alt("x-default", "/en/pricing"),
			},
			findings: []string{
				"canonical_missing:", "title_too_short:Pricing",
				"description_too_short:What Scouter costs.", "thin_content:4",
				"no_internal_outlinks:", "hreflang_no_return:/fr/tarifs",
			},
		},
		{
			// Reached only through an hreflang alternate; does not link back.
			url: www + "/fr/tarifs", depth: 3, lang: "fr",
			head: `<title>Tarifs</title>
<meta name="description" content="Ce que co&ucirc;te Scouter.">
<link rel="alternate" hreflang="fr" href="http://www.scouter.test/fr/tarifs">`,
			body: `<h1>Tarifs</h1>
<p>Scouter est gratuit.</p>`,
			want: Page{
				Title: "Tarifs", Description: "Ce que co\u00fbte Scouter.",
				H1: "Tarifs", H1Count: 1, WordCount: 4, Indexable: true,
			},
			links: []lk{alt("fr", "/fr/tarifs")},
			findings: []string{
				"canonical_missing:", "title_too_short:Tarifs",
				"description_too_short:Ce que co\u00fbte Scouter.", "thin_content:4",
				"no_internal_outlinks:",
			},
		},

		// ---- status codes, redirects, timing, size, charset -----------------
		{
			url: www + "/status-codes", depth: 1, lang: "en",
			head: `<title>Status codes</title>
<meta name="description" content="Links to pages that answer with various status codes.">`,
			body: `<h1>Status codes</h1>
<ul>
<li><a href="/missing-page">Missing page</a></li>
<li><a href="/server-error">Broken server</a></li>
<li><a href="/old-page">Old page</a></li>
<li><a href="/temp-redirect">Temporary redirect</a></li>
<li><a href="/chain-1">Redirect chain</a></li>
<li><a href="/loop-a">Redirect loop</a></li>
<li><a href="/slow">Slow page</a></li>
<li><a href="/too-slow">Very slow page</a></li>
<li><a href="/big">Big page</a></li>
<li><a href="/latin1">Latin-1 page</a></li>
</ul>`,
			want: Page{
				Title: "Status codes", Description: "Links to pages that answer with various status codes.",
				H1: "Status codes", H1Count: 1,
				WordCount: 24, // 2 + 2*8 + 3 ("Very slow page") + 3 ("Latin", "1", "page")
				Indexable: true,
			},
			links: []lk{
				a("/missing-page", "Missing page"),
				a("/server-error", "Broken server"),
				a("/old-page", "Old page"),
				a("/temp-redirect", "Temporary redirect"),
				a("/chain-1", "Redirect chain"),
				a("/loop-a", "Redirect loop"),
				a("/slow", "Slow page"),
				a("/too-slow", "Very slow page"),
				a("/big", "Big page"),
				a("/latin1", "Latin-1 page"),
			},
			findings: []string{
				"canonical_missing:", "title_too_short:Status codes",
				"description_too_short:Links to pages that answer with various status codes.",
				"thin_content:24", "link_to_broken:/missing-page", "link_to_broken:/server-error",
				"link_to_broken:/too-slow", "link_to_redirect:/old-page",
				"link_to_redirect:/temp-redirect", "link_to_redirect:/chain-1",
				"link_to_redirect:/loop-a",
			},
		},
		{url: www + "/missing-page", depth: 2, status: 404, raw: notFoundBody,
			want:     Page{Indexability: "client-error"},
			findings: []string{"status_4xx:404"}},
		{url: www + "/server-error", depth: 2, status: 500, raw: serverErrorBody,
			want:     Page{Indexability: "server-error"},
			findings: []string{"status_5xx:500"}},
		{url: www + "/old-page", depth: 2, status: 301, location: "http://www.scouter.test/new-page",
			want:     Page{RedirectURL: www + "/new-page", Indexability: "redirect"},
			findings: []string{"redirect:/new-page", "sitemap_non200:301"}},
		{
			url: www + "/new-page", depth: 3, lang: "en",
			head: `<title>New page</title>
<meta name="description" content="Where the old page moved.">`,
			body: `<h1>New page</h1>
<p>The old page moved here.</p>`,
			want: Page{
				Title: "New page", Description: "Where the old page moved.",
				H1: "New page", H1Count: 1, WordCount: 7, Indexable: true,
			},
			findings: []string{
				"canonical_missing:", "title_too_short:New page",
				"description_too_short:Where the old page moved.", "thin_content:7",
				"no_internal_outlinks:",
			},
		},
		{url: www + "/temp-redirect", depth: 2, status: 302, location: "/sale",
			want:     Page{RedirectURL: www + "/sale", Indexability: "redirect"},
			findings: []string{"redirect:/sale"}},
		{
			url: www + "/sale", depth: 3, lang: "en",
			head: `<title>Sale</title>
<meta name="description" content="Temporary offers.">`,
			body: `<h1>Sale</h1>
<p>Everything is half price this week.</p>`,
			want: Page{
				Title: "Sale", Description: "Temporary offers.",
				H1: "Sale", H1Count: 1, WordCount: 7, Indexable: true,
			},
			findings: []string{
				"canonical_missing:", "title_too_short:Sale",
				"description_too_short:Temporary offers.", "thin_content:7",
				"no_internal_outlinks:",
			},
		},
		// Three hops, each Location spelled differently: absolute,
		// root-relative, path-relative.
		{url: www + "/chain-1", depth: 2, status: 301, location: "http://www.scouter.test/chain-2",
			want:     Page{RedirectURL: www + "/chain-2", Indexability: "redirect"},
			findings: []string{"redirect:/chain-2", "redirect_chain:/chain-end"}},
		{url: www + "/chain-2", depth: 3, status: 302, location: "/chain-3",
			want:     Page{RedirectURL: www + "/chain-3", Indexability: "redirect"},
			findings: []string{"redirect:/chain-3", "redirect_chain:/chain-end"}},
		{url: www + "/chain-3", depth: 4, status: 308, location: "chain-end",
			want:     Page{RedirectURL: www + "/chain-end", Indexability: "redirect"},
			findings: []string{"redirect:/chain-end"}},
		{
			url: www + "/chain-end", depth: 5, lang: "en",
			head: `<title>End of the chain</title>
<meta name="description" content="Three redirects lead here.">`,
			body: `<h1>End of the chain</h1>
<p>Three redirects lead here.</p>`,
			want: Page{
				Title: "End of the chain", Description: "Three redirects lead here.",
				H1: "End of the chain", H1Count: 1, WordCount: 8, Indexable: true,
			},
			findings: []string{
				"canonical_missing:", "title_too_short:End of the chain",
				"description_too_short:Three redirects lead here.", "thin_content:8",
				"no_internal_outlinks:", "deep_page:5",
			},
		},
		{url: www + "/loop-a", depth: 2, status: 302, location: "/loop-b",
			want:     Page{RedirectURL: www + "/loop-b", Indexability: "redirect"},
			findings: []string{"redirect:/loop-b", "redirect_loop:/loop-a"}},
		{url: www + "/loop-b", depth: 3, status: 302, location: "/loop-a",
			want:     Page{RedirectURL: www + "/loop-a", Indexability: "redirect"},
			findings: []string{"redirect:/loop-a", "redirect_loop:/loop-b"}},
		{
			url: www + "/slow", depth: 2, lang: "en", delay: slowDelay,
			head: `<title>Slow page</title>
<meta name="description" content="This page takes its time.">`,
			body: `<h1>Slow page</h1>
<p>This page waits before it answers.</p>`,
			want: Page{
				Title: "Slow page", Description: "This page takes its time.",
				H1: "Slow page", H1Count: 1, WordCount: 8, Indexable: true,
				MinTTFB: slowDelay,
			},
			findings: []string{
				"slow_page:*", "canonical_missing:", "title_too_short:Slow page",
				"description_too_short:This page takes its time.", "thin_content:8",
				"no_internal_outlinks:",
			},
		},
		{url: www + "/too-slow", depth: 2, hang: true,
			head: "<title>Too slow</title>", body: "<h1>Too slow</h1>",
			want:     Page{FetchError: "timeout", Indexability: "error"},
			findings: []string{"fetch_failed:timeout"}},
		{
			url: www + "/big", depth: 2, raw: bigBody,
			want: Page{
				Title: "Big page", Description: "A page larger than the body cap.",
				H1: "Big page", H1Count: 1,
				WordCount: 10, // 2 + 7 + 1; the tail after the cap is not read
				Truncated: true, Indexable: true,
			},
			links: []lk{a("/status-codes", "Back")},
			findings: []string{
				"canonical_missing:", "title_too_short:Big page",
				"description_too_short:A page larger than the body cap.", "thin_content:10",
				"large_page:262144",
			},
		},
		{
			url: www + "/latin1", depth: 2, lang: "fr", raw: latin1Body,
			ctype: "text/html; charset=iso-8859-1",
			want: Page{
				Title: "Caf\u00e9 cr\u00e8me", Description: "Une page en ISO-8859-1.",
				H1: "Caf\u00e9 cr\u00e8me", H1Count: 1, WordCount: 8, Indexable: true,
			},
			links: []lk{a("/status-codes", "Retour")},
			findings: []string{
				"canonical_missing:", "title_too_short:Caf\u00e9 cr\u00e8me",
				"description_too_short:Une page en ISO-8859-1.", "thin_content:8",
			},
		},
		{url: www + "/files/guide.pdf", depth: 1, ctype: "application/pdf", raw: pdfBody,
			want: Page{Indexable: true}},

		// ---- robots.txt ------------------------------------------------------
		{
			url: www + "/robots-cases", depth: 1, lang: "en",
			head: `<title>Robots cases</title>
<meta name="description" content="Links to pages that robots.txt allows or blocks.">`,
			body: `<h1>Robots cases</h1>
<ul>
<li><a href="/private/secret">Private page</a></li>
<li><a href="/private/public-page">Public page in a private folder</a></li>
<li><a href="/legacy.php">Legacy script</a></li>
<li><a href="/legacy.php?view=full">Legacy script with a query</a></li>
<li><a href="/products/widgets?sessionid=42">Widgets with a session</a></li>
</ul>`,
			want: Page{
				Title: "Robots cases", Description: "Links to pages that robots.txt allows or blocks.",
				H1: "Robots cases", H1Count: 1, WordCount: 21, Indexable: true,
			},
			links: []lk{
				a("/private/secret", "Private page"),
				a("/private/public-page", "Public page in a private folder"),
				a("/legacy.php", "Legacy script"),
				a("/legacy.php?view=full", "Legacy script with a query"),
				a("/products/widgets?sessionid=42", "Widgets with a session"),
			},
			findings: []string{
				"canonical_missing:", "title_too_short:Robots cases",
				"description_too_short:Links to pages that robots.txt allows or blocks.",
				"thin_content:21",
			},
		},
		{url: www + "/private/secret", depth: 2, state: StateBlocked,
			head: "<title>Secret</title>", body: "<h1>Secret</h1>",
			findings: []string{"blocked_by_robots:"}},
		{url: www + "/legacy.php", depth: 2, state: StateBlocked,
			head: "<title>Legacy</title>", body: "<h1>Legacy</h1>",
			findings: []string{"blocked_by_robots:"}},
		{url: www + "/products/widgets?sessionid=42", depth: 2, state: StateBlocked,
			head: "<title>Widgets</title>", body: "<h1>Widgets</h1>",
			findings: []string{"blocked_by_robots:"}},
		{
			url: www + "/private/public-page", depth: 2, lang: "en",
			head: `<title>Public page</title>
<meta name="description" content="Allowed by a longer rule.">`,
			body: `<h1>Public page</h1>
<p>A longer Allow rule wins.</p>`,
			want: Page{
				Title: "Public page", Description: "Allowed by a longer rule.",
				H1: "Public page", H1Count: 1, WordCount: 7, Indexable: true,
			},
			findings: []string{
				"canonical_missing:", "title_too_short:Public page",
				"description_too_short:Allowed by a longer rule.", "thin_content:7",
				"no_internal_outlinks:",
			},
		},
		{
			url: www + "/legacy.php?view=full", depth: 2, lang: "en",
			head: `<title>Legacy script</title>
<meta name="description" content="An old script with a query string.">`,
			body: `<h1>Legacy script</h1>
<p>The dollar sign anchors the rule, so this URL is allowed.</p>`,
			want: Page{
				Title: "Legacy script", Description: "An old script with a query string.",
				H1: "Legacy script", H1Count: 1, WordCount: 13, Indexable: true,
			},
			findings: []string{
				"canonical_missing:", "title_too_short:Legacy script",
				"description_too_short:An old script with a query string.", "thin_content:13",
				"no_internal_outlinks:",
			},
		},

		// ---- indexing directives ------------------------------------------------
		{
			url: www + "/indexing", depth: 1, lang: "en",
			head: `<title>Indexing cases</title>
<meta name="description" content="Links to pages that ask not to be indexed.">`,
			body: `<h1>Indexing cases</h1>
<ul>
<li><a href="/noindex-meta">Meta noindex</a></li>
<li><a href="/noindex-googlebot">Googlebot noindex</a></li>
<li><a href="/noindex-header">Header noindex</a></li>
<li><a href="/noindex-header-bot">Header noindex for Scouter</a></li>
<li><a href="/header-otherbot">Header noindex for another bot</a></li>
<li><a href="/meta-nofollow">Meta nofollow</a></li>
</ul>`,
			want: Page{
				Title: "Indexing cases", Description: "Links to pages that ask not to be indexed.",
				H1: "Indexing cases", H1Count: 1, WordCount: 19, Indexable: true,
			},
			links: []lk{
				a("/noindex-meta", "Meta noindex"),
				a("/noindex-googlebot", "Googlebot noindex"),
				a("/noindex-header", "Header noindex"),
				a("/noindex-header-bot", "Header noindex for Scouter"),
				a("/header-otherbot", "Header noindex for another bot"),
				a("/meta-nofollow", "Meta nofollow"),
			},
			findings: []string{
				"canonical_missing:", "title_too_short:Indexing cases",
				"description_too_short:Links to pages that ask not to be indexed.",
				"thin_content:19",
			},
		},
		{
			url: www + "/noindex-meta", depth: 2, lang: "en",
			head: `<title>Meta noindex</title>
<meta name="description" content="Asks not to be indexed.">
<meta name="robots" content="noindex, follow">`,
			body: `<h1>Meta noindex</h1>
<p>Do not index this page.</p>
<a href="/indexing">Back</a>`,
			want: Page{
				Title: "Meta noindex", Description: "Asks not to be indexed.",
				H1: "Meta noindex", H1Count: 1, MetaRobots: "noindex, follow",
				WordCount: 8, Indexability: "noindex",
			},
			links: []lk{a("/indexing", "Back")},
			findings: []string{
				"non_indexable:noindex", "canonical_missing:", "title_too_short:Meta noindex",
				"description_too_short:Asks not to be indexed.",
			},
		},
		{
			url: www + "/noindex-googlebot", depth: 2, lang: "en",
			head: `<title>Googlebot noindex</title>
<meta name="description" content="Asks Google not to index it.">
<meta name="googlebot" content="noindex">`,
			body: `<h1>Googlebot noindex</h1>
<p>Only Googlebot is told.</p>`,
			want: Page{
				Title: "Googlebot noindex", Description: "Asks Google not to index it.",
				H1: "Googlebot noindex", H1Count: 1, WordCount: 6, Indexability: "noindex",
			},
			findings: []string{
				"non_indexable:noindex", "canonical_missing:", "title_too_short:Googlebot noindex",
				"description_too_short:Asks Google not to index it.", "no_internal_outlinks:",
			},
		},
		{
			url: www + "/noindex-header", depth: 2, lang: "en",
			headers: []string{"X-Robots-Tag", "noindex"},
			head: `<title>Header noindex</title>
<meta name="description" content="The header asks not to index it.">`,
			body: `<h1>Header noindex</h1>
<p>The header says noindex.</p>`,
			want: Page{
				Title: "Header noindex", Description: "The header asks not to index it.",
				H1: "Header noindex", H1Count: 1, XRobotsTag: "noindex",
				WordCount: 6, Indexability: "noindex",
			},
			findings: []string{
				"non_indexable:noindex", "canonical_missing:", "title_too_short:Header noindex",
				"description_too_short:The header asks not to index it.", "no_internal_outlinks:",
			},
		},
		{
			// Two header values, the second prefixed with the crawler's token.
			url: www + "/noindex-header-bot", depth: 2, lang: "en",
			headers: []string{"X-Robots-Tag", "noarchive", "X-Robots-Tag", "scouter: noindex"},
			head: `<title>Header noindex for Scouter</title>
<meta name="description" content="The header asks Scouter not to index it.">`,
			body: `<h1>Header noindex for Scouter</h1>
<p>Only our crawler is told.</p>`,
			want: Page{
				Title: "Header noindex for Scouter", Description: "The header asks Scouter not to index it.",
				H1: "Header noindex for Scouter", H1Count: 1,
				XRobotsTag: "noarchive, scouter: noindex",
				WordCount:  9, Indexability: "noindex",
			},
			findings: []string{
				"non_indexable:noindex", "canonical_missing:",
				"title_too_short:Header noindex for Scouter",
				"description_too_short:The header asks Scouter not to index it.",
				"no_internal_outlinks:",
			},
		},
		{
			// A directive for another crawler does not apply.
			url: www + "/header-otherbot", depth: 2, lang: "en",
			headers: []string{"X-Robots-Tag", "otherbot: noindex"},
			head: `<title>Header noindex for another bot</title>
<meta name="description" content="The header only stops another crawler.">`,
			body: `<h1>Header noindex for another bot</h1>
<p>Scouter may index this page.</p>`,
			want: Page{
				Title: "Header noindex for another bot", Description: "The header only stops another crawler.",
				H1: "Header noindex for another bot", H1Count: 1,
				XRobotsTag: "otherbot: noindex",
				WordCount:  10, Indexable: true,
			},
			findings: []string{
				"canonical_missing:",
				"description_too_short:The header only stops another crawler.", "thin_content:10",
				"no_internal_outlinks:",
			},
		},
		{
			// Links of a meta-nofollow page are recorded but not followed.
			url: www + "/meta-nofollow", depth: 2, lang: "en",
			head: `<title>Meta nofollow</title>
<meta name="description" content="Its links are not followed.">
<meta name="robots" content="nofollow">
<meta name="robots" content="noarchive">`,
			body: `<h1>Meta nofollow</h1>
<p>Links here are not followed.</p>
<a href="/meta-nofollow-target">Hidden page</a>`,
			want: Page{
				Title: "Meta nofollow", Description: "Its links are not followed.",
				H1: "Meta nofollow", H1Count: 1, MetaRobots: "nofollow, noarchive",
				WordCount: 9, Indexable: true,
			},
			links: []lk{a("/meta-nofollow-target", "Hidden page")},
			findings: []string{
				"canonical_missing:", "title_too_short:Meta nofollow",
				"description_too_short:Its links are not followed.", "thin_content:9",
			},
		},
		{url: www + "/meta-nofollow-target", depth: 3, state: StateExcluded, reason: ReasonNofollow,
			head: "<title>Hidden page</title>", body: "<h1>Hidden page</h1>"},

		// ---- the orphan: only in a sitemap, no outlinks ------------------------
		{
			// Depth when seeded: after the link crawl, whose deepest
			// crawled page is the calendar month at AuditMaxDepth.
			url: www + "/orphan", depth: AuditMaxDepth + 1, lang: "en", sitemapOnly: true,
			head: `<title>Orphan page</title>
<meta name="description" content="Only the sitemap knows this page.">`,
			body: `<h1>Orphan page</h1>
<p>No page links here.</p>`,
			want: Page{
				Title: "Orphan page", Description: "Only the sitemap knows this page.",
				H1: "Orphan page", H1Count: 1, WordCount: 6, Indexable: true,
			},
			// Orphan whether crawled or not; crawled, it is an ordinary
			// short page, and the deepest of the crawl.
			findings: []string{"orphan:"},
			seedFindings: []string{
				"canonical_missing:", "title_too_short:Orphan page",
				"description_too_short:Only the sitemap knows this page.", "thin_content:6",
				"no_internal_outlinks:", "deep_page:7",
			},
		},

		// ---- scouter.test: the same site without www ---------------------------
		{url: bare + "/", depth: 1, status: 301, location: "http://www.scouter.test/",
			want:     Page{RedirectURL: www + "/", Indexability: "redirect"},
			findings: []string{"redirect:/"}},
		{
			url: bare + "/bare-page", depth: 1, lang: "en",
			head: `<title>Bare domain page</title>
<meta name="description" content="A page on the domain without www.">`,
			body: `<h1>Bare domain page</h1>
<p>This host is part of the same site.</p>
<a href="http://www.scouter.test/about">About us</a>
<a href="/">Home</a>`,
			want: Page{
				Title: "Bare domain page", Description: "A page on the domain without www.",
				H1: "Bare domain page", H1Count: 1, WordCount: 14, Indexable: true,
			},
			links: []lk{a("/about", "About us"), a(bare+"/", "Home")},
			findings: []string{
				"canonical_missing:", "title_too_short:Bare domain page",
				"description_too_short:A page on the domain without www.", "thin_content:14",
				"link_to_redirect:http://scouter.test/",
			},
		},

		// ---- throttled.scouter.test ---------------------------------------------
		{
			// 429, 429, then this page.
			url: throttled + "/ok", depth: 1, lang: "en",
			head: `<title>Busy server</title>
<meta name="description" content="Answers after two refusals.">`,
			body: `<h1>Busy server</h1>
<p>Third time lucky.</p>`,
			want: Page{
				Title: "Busy server", Description: "Answers after two refusals.",
				H1: "Busy server", H1Count: 1, WordCount: 5, Retries: AuditRetries, Indexable: true,
			},
			findings: []string{
				"canonical_missing:", "title_too_short:Busy server",
				"description_too_short:Answers after two refusals.", "thin_content:5",
				"no_internal_outlinks:",
			},
		},
		{url: throttled + alwaysThrottled, depth: 1, status: 429,
			ctype: "text/plain; charset=utf-8", raw: tooManyBody,
			want:     Page{Retries: AuditRetries, Indexability: "throttled"},
			findings: []string{"throttled:429"}},
	}
	ds = append(ds, auditCaseDefs()...)
	return append(ds, calendarDefs()...)
}

// alwaysThrottled is the throttled host's path that never stops answering
// 429; every other path there answers 429 twice before each success.
const alwaysThrottled = "/always-429"
