package testsite

// The audit cases: pages added so that every check of the audit catalogue
// fires at least once, each linked from the /audit/ hub so the rest of the
// site keeps its depths. Except where a page tests them, every case has a
// title of 30 to 60 characters, a description of 70 to 155 and a
// self-referencing canonical, so its findings are the ones it is about
// (plus thin_content: the cases are short).

// CleanPageURL is the page that breaks no rule of the audit.
const CleanPageURL = www + "/audit/clean"

// securePage is the site's only https page: it links and loads http URLs.
const securePage = "https://" + wwwHost + "/secure"

// nearText is the body shared by the two near duplicates, whose h1 differ
// by one word. Words: 64 + 50 + 75 + 58 + 61 = 308.
const nearText = `<p>Crawl budget is the number of URLs a search engine is willing and able to fetch from a site in a given period of time. It depends on two things: how fast the server answers without slowing down for its visitors, and how much the search engine wants the content, which follows from the popularity of the pages and from how often they change.</p>
<p>Small sites rarely need to think about it. A site with a few hundred pages that answer quickly will be crawled completely and often. The question matters for large sites with many thousands of URLs, for sites that generate pages automatically, and for sites whose servers are slow or unreliable.</p>
<p>Many things waste crawl budget. Faceted navigation can create millions of combinations of filters that all show the same products. Session identifiers in URLs make every visit look like a new set of pages. Calendars that link to the next month forever give a crawler an infinite supply of empty pages. Long redirect chains cost one request for every hop, and soft error pages that answer with a success code are fetched again and again.</p>
<p>The first step is to measure. Server logs show which URLs the search engine actually requests and how often. A crawl of your own site shows which URLs exist, how deep they are and how they link to each other. Comparing the two reveals the sections that are crawled too much and the ones that are never reached.</p>
<p>The fixes follow from what the measurements show. Block endless spaces in robots.txt, remove session identifiers, link to final URLs instead of redirects, return real error codes for missing pages, keep the sitemap limited to live canonical URLs, and make the server faster. Each of these lets the crawler spend its requests on the pages that deserve to be found.</p>`

// copyText is the body of both exact duplicates.
const copyText = `<h1>Copied content</h1>
<p>This text appears word for word on two pages of the site, so the two pages compete for the same searches.</p>
` + backToCases

const backToCases = `<a href="/audit/">Back to the audit cases</a>`

func auditCaseDefs() []*def {
	return []*def{
		{
			url: www + "/audit/", depth: 1, lang: "en",
			head: `<title>Audit cases: one page for each check</title>
<meta name="description" content="Pages that each break some rules of the site audit on purpose, and one page that breaks none.">
<link rel="canonical" href="http://www.scouter.test/audit/">`,
			body: `<h1>Audit cases</h1>
<p>Each page below breaks a rule of the site audit on purpose.</p>
<ul>
<li><a href="/audit/no-head">No title, description or heading</a></li>
<li><a href="/audit/empty-head">Empty title, description and heading</a></li>
<li><a href="/audit/many-heads">Two titles, descriptions and headings</a></li>
<li><a href="/audit/long-head">Long title and description</a></li>
<li><a href="/audit/copy-a">Copied content</a></li>
<li><a href="/audit/copy-b">Copied content again</a></li>
<li><a href="/audit/near-a">Notes on crawl budget</a></li>
<li><a href="/audit/near-b">More notes on crawl budget</a></li>
<li><a href="/audit/canonical-to-error">Canonical to an error</a></li>
<li><a href="/audit/canonical-to-redirect">Canonical to a redirect</a></li>
<li><a href="/audit/canonical-to-noindex">Canonical to a noindex page</a></li>
<li><a href="/audit/noindex-listed">Noindex page in the sitemap</a></li>
<li><a href="/audit/hreflang-errors">Hreflang to errors</a></li>
<li><a href="https://www.scouter.test/secure">Secure page</a></li>
</ul>
<p>This one breaks none: <a href="/audit/clean">a clean page</a>.</p>`,
			want: Page{
				Title:       "Audit cases: one page for each check",
				Description: "Pages that each break some rules of the site audit on purpose, and one page that breaks none.",
				H1:          "Audit cases", H1Count: 1, Canonical: www + "/audit/",
				WordCount: 77, // 2 + 12 + 5+5+5+4+2+3+4+5+4+4+5+5+3+2 + 7
				Indexable: true,
			},
			links: []lk{
				canon("/audit/"),
				a("/audit/no-head", "No title, description or heading"),
				a("/audit/empty-head", "Empty title, description and heading"),
				a("/audit/many-heads", "Two titles, descriptions and headings"),
				a("/audit/long-head", "Long title and description"),
				a("/audit/copy-a", "Copied content"),
				a("/audit/copy-b", "Copied content again"),
				a("/audit/near-a", "Notes on crawl budget"),
				a("/audit/near-b", "More notes on crawl budget"),
				a("/audit/canonical-to-error", "Canonical to an error"),
				a("/audit/canonical-to-redirect", "Canonical to a redirect"),
				a("/audit/canonical-to-noindex", "Canonical to a noindex page"),
				a("/audit/noindex-listed", "Noindex page in the sitemap"),
				a("/audit/hreflang-errors", "Hreflang to errors"),
				a(securePage, "Secure page"),
				a("/audit/clean", "a clean page"),
			},
			findings: []string{"thin_content:77"},
		},
		{
			url: www + "/audit/no-head", depth: 2, lang: "en",
			head: `<link rel="canonical" href="http://www.scouter.test/audit/no-head">`,
			body: `<p>This page has no title, no meta description and no main heading.</p>
` + backToCases,
			want: Page{
				Canonical: www + "/audit/no-head",
				WordCount: 17, // 12 + 5
				Indexable: true,
			},
			links: []lk{canon("/audit/no-head"), a("/audit/", "Back to the audit cases")},
			findings: []string{
				"title_missing:", "description_missing:", "h1_missing:", "thin_content:17",
			},
		},
		{
			url: www + "/audit/empty-head", depth: 2, lang: "en",
			head: `<title> </title>
<meta name="description" content="  ">
<link rel="canonical" href="http://www.scouter.test/audit/empty-head">`,
			body: `<h1> </h1>
<p>The title, the meta description and the main heading are all blank.</p>
` + backToCases,
			want: Page{
				H1Count: 1, Canonical: www + "/audit/empty-head",
				WordCount: 17, // 12 + 5
				Indexable: true,
			},
			links: []lk{canon("/audit/empty-head"), a("/audit/", "Back to the audit cases")},
			findings: []string{
				// An h1 that is blank counts as missing.
				"title_empty:", "description_empty:", "h1_missing:", "thin_content:17",
			},
		},
		{
			url: www + "/audit/many-heads", depth: 2, lang: "en",
			head: `<title>Two titles: the first one is the one that counts</title>
<title>Second title</title>
<meta name="description" content="Two meta descriptions: search engines pick one of them, and this first one is what the crawler reports.">
<meta name="description" content="Second description.">
<link rel="canonical" href="http://www.scouter.test/audit/many-heads">`,
			body: `<h1>Two main headings</h1>
<p>The first heading is the main one.</p>
<h1>A second main heading</h1>
<p>It dilutes the topic of the page.</p>
` + backToCases,
			want: Page{
				Title:       "Two titles: the first one is the one that counts",
				Description: "Two meta descriptions: search engines pick one of them, and this first one is what the crawler reports.",
				H1:          "Two main headings", H1Count: 2, Canonical: www + "/audit/many-heads",
				WordCount: 26, // 3 + 7 + 4 + 7 + 5
				Indexable: true,
			},
			links: []lk{canon("/audit/many-heads"), a("/audit/", "Back to the audit cases")},
			findings: []string{
				"title_multiple:2", "description_multiple:2", "h1_multiple:2", "thin_content:26",
			},
		},
		{
			url: www + "/audit/long-head", depth: 2, lang: "en",
			head: `<title>A very long title that goes on well past the sixty characters a search result can show</title>
<meta name="description" content="A meta description that keeps going long after the point where search engines cut it, with one more clause, then another one, and then a last one just to be sure.">
<link rel="canonical" href="http://www.scouter.test/audit/long-head">`,
			body: `<h1>Long title and description</h1>
<p>Search results cut both of them.</p>
` + backToCases,
			want: Page{
				Title:       "A very long title that goes on well past the sixty characters a search result can show",
				Description: "A meta description that keeps going long after the point where search engines cut it, with one more clause, then another one, and then a last one just to be sure.",
				H1:          "Long title and description", H1Count: 1, Canonical: www + "/audit/long-head",
				WordCount: 15, // 4 + 6 + 5
				Indexable: true,
			},
			links: []lk{canon("/audit/long-head"), a("/audit/", "Back to the audit cases")},
			findings: []string{
				"title_too_long:A very long title that goes on well past the sixty characters a search result can show",
				"description_too_long:A meta description that keeps going long after the point where search engines cut it, with one more clause, then another one, and then a last one just to be sure.",
				"thin_content:15",
			},
		},

		// Exact duplicates: the same body text under different titles and
		// descriptions (the content hash ignores the head).
		{
			url: www + "/audit/copy-a", depth: 2, lang: "en",
			head: `<title>Copied content, the first of two copies</title>
<meta name="description" content="The first of two pages whose visible text is exactly the same, word for word.">
<link rel="canonical" href="http://www.scouter.test/audit/copy-a">`,
			body: copyText,
			want: Page{
				Title:       "Copied content, the first of two copies",
				Description: "The first of two pages whose visible text is exactly the same, word for word.",
				H1:          "Copied content", H1Count: 1, Canonical: www + "/audit/copy-a",
				WordCount: 28, // 2 + 21 + 5
				Indexable: true,
			},
			links: []lk{canon("/audit/copy-a"), a("/audit/", "Back to the audit cases")},
			findings: []string{
				"h1_duplicate:Copied content", "duplicate_content:/audit/copy-b", "thin_content:28",
			},
		},
		{
			url: www + "/audit/copy-b", depth: 2, lang: "en",
			head: `<title>Copied content, the second of two copies</title>
<meta name="description" content="The second of two pages whose visible text is exactly the same, word for word.">
<link rel="canonical" href="http://www.scouter.test/audit/copy-b">`,
			body: copyText,
			want: Page{
				Title:       "Copied content, the second of two copies",
				Description: "The second of two pages whose visible text is exactly the same, word for word.",
				H1:          "Copied content", H1Count: 1, Canonical: www + "/audit/copy-b",
				WordCount: 28,
				Indexable: true,
			},
			links: []lk{canon("/audit/copy-b"), a("/audit/", "Back to the audit cases")},
			findings: []string{
				"h1_duplicate:Copied content", "duplicate_content:/audit/copy-a", "thin_content:28",
			},
		},

		// Near duplicates: over 300 words, one more in the second. Their
		// SimHash fingerprints are 1 bit apart (TestFindingsRecomputed).
		{
			url: www + "/audit/near-a", depth: 2, lang: "en",
			head: `<title>Crawl budget notes, the first version</title>
<meta name="description" content="What crawl budget is, what wastes it and how to measure it: the first version of these notes.">
<link rel="canonical" href="http://www.scouter.test/audit/near-a">`,
			body: "<h1>Notes on crawl budget</h1>\n" + nearText + "\n" + backToCases,
			want: Page{
				Title:       "Crawl budget notes, the first version",
				Description: "What crawl budget is, what wastes it and how to measure it: the first version of these notes.",
				H1:          "Notes on crawl budget", H1Count: 1, Canonical: www + "/audit/near-a",
				WordCount: 317, // 4 + 308 + 5
				Indexable: true,
			},
			links:    []lk{canon("/audit/near-a"), a("/audit/", "Back to the audit cases")},
			findings: []string{"near_duplicate:/audit/near-b"},
		},
		{
			url: www + "/audit/near-b", depth: 2, lang: "en",
			head: `<title>Crawl budget notes, the second version</title>
<meta name="description" content="What crawl budget is, what wastes it and how to measure it: the second version of these notes.">
<link rel="canonical" href="http://www.scouter.test/audit/near-b">`,
			body: "<h1>More notes on crawl budget</h1>\n" + nearText + "\n" + backToCases,
			want: Page{
				Title:       "Crawl budget notes, the second version",
				Description: "What crawl budget is, what wastes it and how to measure it: the second version of these notes.",
				H1:          "More notes on crawl budget", H1Count: 1, Canonical: www + "/audit/near-b",
				WordCount: 318,
				Indexable: true,
			},
			links:    []lk{canon("/audit/near-b"), a("/audit/", "Back to the audit cases")},
			findings: []string{"near_duplicate:/audit/near-a"},
		},

		// Canonicals to a 404, a redirect and a noindex page.
		{
			url: www + "/audit/canonical-to-error", depth: 2, lang: "en",
			head: `<title>Canonical pointing at a page that answers 404</title>
<meta name="description" content="This page names a missing page as its canonical URL, so search engines ignore the canonical.">
<link rel="canonical" href="/missing-page">`,
			body: `<h1>Canonical to an error</h1>
<p>The canonical URL of this page is missing.</p>
` + backToCases,
			want: Page{
				Title:       "Canonical pointing at a page that answers 404",
				Description: "This page names a missing page as its canonical URL, so search engines ignore the canonical.",
				H1:          "Canonical to an error", H1Count: 1, Canonical: www + "/missing-page",
				WordCount:    17, // 4 + 8 + 5
				Indexability: "canonicalised",
			},
			links: []lk{canon("/missing-page"), a("/audit/", "Back to the audit cases")},
			findings: []string{
				"non_indexable:canonicalised", "canonical_elsewhere:/missing-page", "canonical_to_non200:/missing-page",
			},
		},
		{
			url: www + "/audit/canonical-to-redirect", depth: 2, lang: "en",
			head: `<title>Canonical pointing at a page that redirects</title>
<meta name="description" content="This page names a redirecting URL as its canonical, so search engines may well ignore it.">
<link rel="canonical" href="http://www.scouter.test/old-page">`,
			body: `<h1>Canonical to a redirect</h1>
<p>The canonical URL of this page has moved.</p>
` + backToCases,
			want: Page{
				Title:       "Canonical pointing at a page that redirects",
				Description: "This page names a redirecting URL as its canonical, so search engines may well ignore it.",
				H1:          "Canonical to a redirect", H1Count: 1, Canonical: www + "/old-page",
				WordCount:    17, // 4 + 8 + 5
				Indexability: "canonicalised",
			},
			links: []lk{canon("/old-page"), a("/audit/", "Back to the audit cases")},
			findings: []string{
				"non_indexable:canonicalised", "canonical_elsewhere:/old-page", "canonical_to_redirect:/old-page",
			},
		},
		{
			// Listed in a sitemap: a canonicalised page asked to be indexed.
			url: www + "/audit/canonical-to-noindex", depth: 2, lang: "en",
			head: `<title>Canonical pointing at a noindex page</title>
<meta name="description" content="This page names as its canonical a page that forbids indexing: two signals that contradict.">
<link rel="canonical" href="/audit/noindex-listed">`,
			body: `<h1>Canonical to a noindex page</h1>
<p>The canonical URL of this page asks not to be indexed.</p>
` + backToCases,
			want: Page{
				Title:       "Canonical pointing at a noindex page",
				Description: "This page names as its canonical a page that forbids indexing: two signals that contradict.",
				H1:          "Canonical to a noindex page", H1Count: 1, Canonical: www + "/audit/noindex-listed",
				WordCount:    21, // 5 + 11 + 5
				Indexability: "canonicalised",
			},
			links: []lk{canon("/audit/noindex-listed"), a("/audit/", "Back to the audit cases")},
			findings: []string{
				"non_indexable:canonicalised", "canonical_elsewhere:/audit/noindex-listed",
				"canonical_to_noindex:/audit/noindex-listed", "sitemap_non_indexable:canonicalised",
			},
		},
		{
			// Listed in a sitemap, yet noindex.
			url: www + "/audit/noindex-listed", depth: 2, lang: "en",
			head: `<title>A noindex page listed in the sitemap</title>
<meta name="description" content="The sitemap asks search engines to index this page, and the page itself asks them not to.">
<meta name="robots" content="noindex">
<link rel="canonical" href="http://www.scouter.test/audit/noindex-listed">`,
			body: `<h1>Noindex page in the sitemap</h1>
<p>Do not index this page.</p>
` + backToCases,
			want: Page{
				Title:       "A noindex page listed in the sitemap",
				Description: "The sitemap asks search engines to index this page, and the page itself asks them not to.",
				H1:          "Noindex page in the sitemap", H1Count: 1, Canonical: www + "/audit/noindex-listed",
				MetaRobots:   "noindex",
				WordCount:    15, // 5 + 5 + 5
				Indexability: "noindex",
			},
			links:    []lk{canon("/audit/noindex-listed"), a("/audit/", "Back to the audit cases")},
			findings: []string{"non_indexable:noindex", "sitemap_non_indexable:noindex"},
		},
		{
			url: www + "/audit/hreflang-errors", depth: 2, lang: "en",
			head: `<title>Hreflang alternates that do not answer 200</title>
<meta name="description" content="Its German alternate redirects and its Spanish alternate is missing, so both are ignored.">
<link rel="canonical" href="http://www.scouter.test/audit/hreflang-errors">
<link rel="alternate" hreflang="en" href="http://www.scouter.test/audit/hreflang-errors">
<link rel="alternate" hreflang="de" href="/old-page">
<link rel="alternate" hreflang="es" href="/missing-page">`,
			body: `<h1>Hreflang to errors</h1>
<p>Two of the language versions of this page are broken.</p>
` + backToCases,
			want: Page{
				Title:       "Hreflang alternates that do not answer 200",
				Description: "Its German alternate redirects and its Spanish alternate is missing, so both are ignored.",
				H1:          "Hreflang to errors", H1Count: 1, Canonical: www + "/audit/hreflang-errors",
				WordCount: 18, // 3 + 10 + 5
				Indexable: true,
			},
			links: []lk{
				canon("/audit/hreflang-errors"),
				alt("en", "/audit/hreflang-errors"), alt("de", "/old-page"), alt("es", "/missing-page"),
				a("/audit/", "Back to the audit cases"),
			},
			findings: []string{
				"hreflang_to_non200:/old-page", "hreflang_to_non200:/missing-page", "thin_content:18",
			},
		},
		{
			// The https page: it links to an http page and loads an http image.
			url: securePage, depth: 2, lang: "en",
			head: `<title>A secure page with insecure references</title>
<meta name="description" content="This page is served over https, yet it links to an http page and loads an http image.">
<link rel="canonical" href="https://www.scouter.test/secure">`,
			body: `<h1>Secure page</h1>
<p>Served over https, with mixed content.</p>
<img src="http://www.scouter.test/img/logo.png" alt="Scouter logo">
<a href="http://www.scouter.test/audit/">Back to the audit cases</a>`,
			want: Page{
				Title:       "A secure page with insecure references",
				Description: "This page is served over https, yet it links to an http page and loads an http image.",
				H1:          "Secure page", H1Count: 1, Canonical: securePage,
				WordCount:  13, // 2 + 6 + 5
				ImageCount: 1,
				Indexable:  true,
			},
			links: []lk{
				canon(securePage),
				img("/img/logo.png", "Scouter logo"),
				a("/audit/", "Back to the audit cases"),
			},
			findings: []string{
				"http_link_on_https:http://www.scouter.test/img/logo.png",
				"http_link_on_https:http://www.scouter.test/audit/",
				"thin_content:13",
			},
		},
		{
			// Breaks no rule: no findings at all.
			url: CleanPageURL, depth: 2, lang: "en",
			head: `<title>How to read a site audit, step by step</title>
<meta name="description" content="What a site audit checks, how its findings are ranked, and the order in which to fix them after a crawl.">
<link rel="canonical" href="http://www.scouter.test/audit/clean">`,
			body: `<h1>How to read a site audit</h1>
<p>A site audit turns a crawl into a list of things to fix. The crawler fetches every page it can reach from the home page, follows the links it finds, and records what each answer says about the page: its status code, its title and description, its headings, its canonical URL, its language versions and the words in its text.</p>
<p>The audit then applies a catalogue of rules to those records. Some rules look at one page alone, such as a title that is too short or an image without alternative text. Others compare pages with each other: two pages with the same title compete for the same searches, and a page that nobody links to is hard for visitors and search engines to find.</p>
<p>Start with the issues, because they stop pages from being indexed at all. Broken links, server errors and redirect loops belong here. Warnings come next: they cost rankings or crawl budget without blocking anything. Opportunities come last and are worth doing when the rest is clean.</p>
<p>Each finding names the element that broke the rule, so the fix is usually obvious. After fixing, crawl the site again and compare the two audits to confirm that the count of findings went down.</p>
<img src="/img/logo.png" alt="Scouter logo">
<p>Go back to <a href="/audit/">the audit cases</a> or to <a href="/">the home page</a>.</p>`,
			want: Page{
				Title:       "How to read a site audit, step by step",
				Description: "What a site audit checks, how its findings are ranked, and the order in which to fix them after a crawl.",
				H1:          "How to read a site audit", H1Count: 1, Canonical: CleanPageURL,
				WordCount:  223, // 6 + 60 + 65 + 46 + 35 + 11
				ImageCount: 1,
				Indexable:  true,
			},
			links: []lk{
				canon("/audit/clean"),
				img("/img/logo.png", "Scouter logo"),
				a("/audit/", "the audit cases"),
				a("/", "the home page"),
			},
		},
	}
}
