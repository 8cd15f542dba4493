package audit

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Severity ranks a check: an issue harms indexing or users, a warning
// probably costs rankings or crawl budget, an opportunity is worth doing.
type Severity string

const (
	SevIssue       Severity = "issue"
	SevWarning     Severity = "warning"
	SevOpportunity Severity = "opportunity"
)

// Rank orders severities for display (issues first).
func (s Severity) Rank() int {
	switch s {
	case SevIssue:
		return 0
	case SevWarning:
		return 1
	}
	return 2
}

// Check describes one check of the catalogue. Rule is the exact condition,
// Element what each finding names (one finding per element: a page with
// three links to broken pages has three link_to_broken findings).
type Check struct {
	ID       string
	Group    string
	Severity Severity
	Title    string // short, for lists
	Why      string // plain-language explanation
	Fix      string // how to fix it
	Rule     string // the exact condition, with its thresholds
	Element  string // what each finding's element holds
	// Value: the element is a value of the page itself (a status, a count,
	// a duration, its own title), not another thing it points at, so a
	// comparison of two crawls matches such findings by page alone: a slow
	// page that is still slow is persisting, whatever its new timing.
	Value bool
}

// Terms used by the rules:
//
//   - internal page: a pages row with internal = true.
//   - crawled page: an internal page with state = crawled.
//   - HTML page: a crawled page with status 200, no fetch error and a media
//     type of text/html or application/xhtml+xml.
//   - anchor edge: a links row of kind anchor, internal, whose target is
//     another page than its source (self-links never count).
//   - distinct target: links of one page to the same URL give one finding,
//     in order of the first occurrence.

// Catalogue is every check, in display order. Ids are stable: they are
// stored in findings and named in crawl options.
var Catalogue = []Check{
	// Response codes.
	{ID: "status_4xx", Value: true, Group: "Response codes", Severity: SevIssue, Title: "Client error (4xx)",
		Why:     "The URL answers with a 4xx error: visitors and search engines following links to it reach an error page, and the link equity they carry is lost.",
		Fix:     "Restore the page, redirect the URL (301) to its best replacement, or remove the links that point to it (see “Links to broken pages”).",
		Rule:    "crawled page whose indexability is client-error (status 400–499 after any throttling retries).",
		Element: "the status code, e.g. 404"},
	{ID: "status_5xx", Value: true, Group: "Response codes", Severity: SevIssue, Title: "Server error (5xx)",
		Why:     "The server failed to answer the URL. Search engines slow down crawling of a site that errors and drop pages that keep failing.",
		Fix:     "Look at the server's error logs for this URL and fix the cause; re-crawl to confirm.",
		Rule:    "crawled page whose indexability is server-error (status 500 or above, not throttled).",
		Element: "the status code, e.g. 500"},
	{ID: "fetch_failed", Value: true, Group: "Response codes", Severity: SevIssue, Title: "No response",
		Why:     "The request got no usable HTTP answer (timeout, refused connection, DNS or TLS failure, too large a body to decompress …).",
		Fix:     "Check that the host is up and answers within the timeout; the error kind says where it failed.",
		Rule:    "crawled page with a fetch error.",
		Element: "the fetch error kind, e.g. timeout"},
	{ID: "throttled", Value: true, Group: "Response codes", Severity: SevWarning, Title: "Throttled (429/503)",
		Why:     "The server kept answering 429 or 503 after every retry. The page is not broken, but its content was not audited.",
		Fix:     "Crawl more slowly (lower the requests per second or the per-host concurrency) or allow-list the crawler.",
		Rule:    "crawled page whose indexability is throttled.",
		Element: "the last status code, e.g. 429"},
	{ID: "link_to_broken", Group: "Response codes", Severity: SevIssue, Title: "Links to broken pages",
		Why:     "The page links to an internal URL that answers 4xx, 5xx or not at all.",
		Fix:     "Update or remove the link.",
		Rule:    "HTML page with an anchor edge (nofollow included) to a crawled page answering 4xx or 5xx (not throttled) or with a fetch error.",
		Element: "the broken target URL, once per distinct target"},
	{ID: "blocked_by_robots", Group: "Response codes", Severity: SevWarning, Title: "Blocked by robots.txt",
		Why:     "The URL is linked from the site but robots.txt forbids crawling it, so search engines cannot read it (they may still index the bare URL).",
		Fix:     "If the page should rank, allow it in robots.txt; if not, stop linking to it or use noindex instead of a disallow.",
		Rule:    "internal page with state blocked.",
		Element: "empty"},
	{ID: "redirect", Group: "Redirects", Severity: SevWarning, Title: "Internal redirect (3xx)",
		Why:     "An internal URL redirects. Each redirect costs a request and a little link equity, and slows visitors down.",
		Fix:     "Link to the final URL directly; keep the redirect only for outside links and old bookmarks.",
		Rule:    "crawled page whose indexability is redirect.",
		Element: "the redirect target URL (empty when the Location header was unusable)"},
	{ID: "redirect_chain", Group: "Redirects", Severity: SevWarning, Title: "Redirect chain",
		Why:     "The URL reaches its destination through two redirects or more. Search engines stop following after a few hops and every hop adds latency.",
		Fix:     "Point the first redirect straight at the final URL.",
		Rule:    "redirecting page whose chain (followed through the crawl's pages) has 2 redirects or more and does not loop.",
		Element: "the final URL of the chain"},
	{ID: "redirect_loop", Group: "Redirects", Severity: SevIssue, Title: "Redirect loop",
		Why:     "Following the redirects from this URL comes back to a URL already met: it never reaches a page.",
		Fix:     "Break the loop: make one URL of the cycle answer 200 or redirect out of it.",
		Rule:    "redirecting page whose chain meets a page twice (any cycle length, including a chain that runs into a cycle).",
		Element: "the URL met twice"},
	{ID: "link_to_redirect", Group: "Redirects", Severity: SevWarning, Title: "Links to redirects",
		Why:     "The page links to an internal URL that redirects.",
		Fix:     "Change the link to point at the redirect's final URL.",
		Rule:    "HTML page with an anchor edge to a page whose indexability is redirect.",
		Element: "the redirecting target URL, once per distinct target"},

	// Titles.
	{ID: "title_missing", Group: "Titles", Severity: SevIssue, Title: "Title missing",
		Why:     "The page has no <title>. Search engines then invent the headline shown in their results.",
		Fix:     "Add a unique, descriptive <title> in the <head>.",
		Rule:    "HTML page with no <title> element.",
		Element: "empty"},
	{ID: "title_empty", Group: "Titles", Severity: SevIssue, Title: "Title empty",
		Why:     "The page's <title> is empty or only white space.",
		Fix:     "Write a unique, descriptive title.",
		Rule:    "HTML page with a <title> element whose text is empty after collapsing white space.",
		Element: "empty"},
	{ID: "title_multiple", Value: true, Group: "Titles", Severity: SevWarning, Title: "Several titles",
		Why:     "The page has more than one <title>; search engines pick one, maybe not the one you want.",
		Fix:     "Keep a single <title> in the <head>.",
		Rule:    "HTML page with 2 <title> elements or more.",
		Element: "the number of titles"},
	{ID: "title_duplicate", Group: "Titles", Severity: SevWarning, Title: "Duplicate title",
		Why:     "Several indexable pages share this title, so search results cannot tell them apart and the pages compete with each other.",
		Fix:     "Give each page a title that says what is unique about it.",
		Rule:    "indexable HTML page whose title (white space collapsed, case kept, not empty) is the title of another indexable HTML page.",
		Element: "the shared title"},
	{ID: "title_too_long", Value: true, Group: "Titles", Severity: SevWarning, Title: "Title too long",
		Why:     "Long titles are cut in search results (around 60 characters).",
		Fix:     "Shorten the title, most important words first.",
		Rule:    "HTML page whose title is longer than title_max characters (default 60; characters, not bytes, white space collapsed).",
		Element: "the title"},
	{ID: "title_too_short", Value: true, Group: "Titles", Severity: SevOpportunity, Title: "Title too short",
		Why:     "A very short title wastes space in search results that could describe the page.",
		Fix:     "Expand the title with what the page offers.",
		Rule:    "HTML page with a non-empty title shorter than title_min characters (default 30).",
		Element: "the title"},

	// Meta descriptions.
	{ID: "description_missing", Group: "Meta descriptions", Severity: SevWarning, Title: "Meta description missing",
		Why:     "Without a meta description, search engines build the snippet from page text, often badly.",
		Fix:     "Add a <meta name=\"description\"> summarising the page.",
		Rule:    "HTML page with no meta description element.",
		Element: "empty"},
	{ID: "description_empty", Group: "Meta descriptions", Severity: SevWarning, Title: "Meta description empty",
		Why:     "The meta description is present but empty.",
		Fix:     "Write a description of the page.",
		Rule:    "HTML page with a meta description whose content is empty after collapsing white space.",
		Element: "empty"},
	{ID: "description_multiple", Value: true, Group: "Meta descriptions", Severity: SevWarning, Title: "Several meta descriptions",
		Why:     "The page has more than one meta description; search engines pick one.",
		Fix:     "Keep a single meta description.",
		Rule:    "HTML page with 2 meta descriptions or more.",
		Element: "the number of descriptions"},
	{ID: "description_duplicate", Group: "Meta descriptions", Severity: SevWarning, Title: "Duplicate meta description",
		Why:     "Several indexable pages share this description.",
		Fix:     "Write a description specific to each page.",
		Rule:    "indexable HTML page whose description (white space collapsed, not empty) is the description of another indexable HTML page.",
		Element: "the shared description"},
	{ID: "description_too_long", Value: true, Group: "Meta descriptions", Severity: SevOpportunity, Title: "Meta description too long",
		Why:     "Descriptions longer than about 155 characters are cut in search results.",
		Fix:     "Shorten it; put the key message first.",
		Rule:    "HTML page whose description is longer than description_max characters (default 155).",
		Element: "the description"},
	{ID: "description_too_short", Value: true, Group: "Meta descriptions", Severity: SevOpportunity, Title: "Meta description too short",
		Why:     "A short description leaves room that could persuade searchers to click.",
		Fix:     "Expand the description.",
		Rule:    "HTML page with a non-empty description shorter than description_min characters (default 70).",
		Element: "the description"},

	// Headings.
	{ID: "h1_missing", Group: "Headings", Severity: SevWarning, Title: "H1 missing",
		Why:     "The page has no main heading, the strongest on-page signal of its topic after the title.",
		Fix:     "Add one <h1> that states the page's topic.",
		Rule:    "HTML page with no <h1>, or whose first <h1> is empty after collapsing white space.",
		Element: "empty"},
	{ID: "h1_multiple", Value: true, Group: "Headings", Severity: SevWarning, Title: "Several H1",
		Why:     "Several <h1> dilute the page's main topic.",
		Fix:     "Keep one <h1>; turn the others into <h2>.",
		Rule:    "HTML page with 2 <h1> or more.",
		Element: "the number of h1"},
	{ID: "h1_duplicate", Group: "Headings", Severity: SevOpportunity, Title: "Duplicate H1",
		Why:     "Several indexable pages have the same main heading.",
		Fix:     "Make each page's <h1> specific.",
		Rule:    "indexable HTML page whose first <h1> (white space collapsed, not empty) is the first <h1> of another indexable HTML page.",
		Element: "the shared h1"},

	// Indexability and canonicals.
	{ID: "non_indexable", Value: true, Group: "Indexability", Severity: SevWarning, Title: "Non-indexable page",
		Why:     "The page answers 200 but tells search engines not to index it (noindex) or to index another URL (canonical).",
		Fix:     "Check that this is intended; if the page should rank, remove the noindex or make its canonical self-referencing.",
		Rule:    "HTML page that is not indexable.",
		Element: "the reason: noindex or canonicalised"},
	{ID: "canonical_missing", Group: "Indexability", Severity: SevOpportunity, Title: "Canonical missing",
		Why:     "Without a canonical, search engines choose between URL variants (parameters, http/https, trailing slash) themselves.",
		Fix:     "Add <link rel=\"canonical\"> to the page's preferred URL (self-referencing on the preferred page).",
		Rule:    "HTML page with no canonical (neither in HTML nor in a Link header).",
		Element: "empty"},
	{ID: "canonical_elsewhere", Group: "Indexability", Severity: SevWarning, Title: "Canonicalised",
		Why:     "The page names another URL as canonical, so it will not be indexed itself.",
		Fix:     "Fine for variants; for a page that should rank, make the canonical self-referencing.",
		Rule:    "HTML page whose canonical is set and is not the page's own URL.",
		Element: "the canonical URL"},
	{ID: "canonical_to_non200", Group: "Indexability", Severity: SevIssue, Title: "Canonical to an error",
		Why:     "The canonical points at a URL that does not answer 200, so search engines ignore it.",
		Fix:     "Point the canonical at a live, indexable URL.",
		Rule:    "HTML page whose canonical (not its own URL) is a crawled page with status 400 or above or a fetch error.",
		Element: "the canonical URL"},
	{ID: "canonical_to_redirect", Group: "Indexability", Severity: SevIssue, Title: "Canonical to a redirect",
		Why:     "The canonical points at a URL that redirects; search engines may ignore it.",
		Fix:     "Point the canonical at the redirect's final URL.",
		Rule:    "HTML page whose canonical (not its own URL) is a crawled page whose indexability is redirect.",
		Element: "the canonical URL"},
	{ID: "canonical_to_noindex", Group: "Indexability", Severity: SevIssue, Title: "Canonical to a noindex page",
		Why:     "The canonical points at a page that forbids indexing: contradictory signals, and neither page may be indexed.",
		Fix:     "Point the canonical at an indexable page, or remove the noindex from the target.",
		Rule:    "HTML page whose canonical (not its own URL) is an HTML page whose indexability is noindex.",
		Element: "the canonical URL"},

	// Hreflang.
	{ID: "hreflang_no_return", Group: "Hreflang", Severity: SevWarning, Title: "Hreflang without return link",
		Why:     "Hreflang annotations must be confirmed by the other page; without the return link search engines ignore the pair.",
		Fix:     "Add a hreflang link back to this page on the target.",
		Rule:    "HTML page with a hreflang entry to another URL that is an HTML page whose hreflang entries do not include this page's URL.",
		Element: "the target URL, once per distinct target"},
	{ID: "hreflang_to_non200", Group: "Hreflang", Severity: SevIssue, Title: "Hreflang to a non-200",
		Why:     "A hreflang alternate does not answer 200 (error or redirect), so the annotation is ignored.",
		Fix:     "Point the hreflang at the live URL of the alternate page.",
		Rule:    "HTML page with a hreflang entry to a crawled page whose status is not 200 or that has a fetch error.",
		Element: "the target URL, once per distinct target"},

	// Sitemaps.
	{ID: "sitemap_non200", Value: true, Group: "Sitemaps", Severity: SevIssue, Title: "Sitemap URL not 200",
		Why:     "A sitemap should list only live, final URLs; this one errors or redirects, which wastes crawl budget and erodes trust in the sitemap.",
		Fix:     "Remove the URL from the sitemap or replace it with its final URL.",
		Rule:    "crawled page in a sitemap with a status other than 200 or a fetch error.",
		Element: "the status code, or the fetch error kind"},
	{ID: "sitemap_non_indexable", Value: true, Group: "Sitemaps", Severity: SevWarning, Title: "Sitemap URL not indexable",
		Why:     "The sitemap asks search engines to index a page that says not to index it.",
		Fix:     "Remove the URL from the sitemap, or make the page indexable.",
		Rule:    "HTML page in a sitemap that is not indexable.",
		Element: "the reason: noindex or canonicalised"},

	// Links and architecture.
	{ID: "orphan", Group: "Links", Severity: SevWarning, Title: "Orphan page",
		Why:     "The page is in a sitemap but no page of the crawl links to it, so it gets no link equity and users cannot reach it.",
		Fix:     "Link to it from relevant pages, or remove it from the sitemap if it is obsolete.",
		Rule:    "internal page in a sitemap (whatever its state) that is the target of no anchor edge.",
		Element: "empty"},
	{ID: "deep_page", Value: true, Group: "Links", Severity: SevOpportunity, Title: "Deep page",
		Why:     "The page is many clicks from the start page; deep pages are crawled less often and rank less well.",
		Fix:     "Link to it from higher in the site (hubs, navigation, related content).",
		Rule:    "HTML page whose depth is greater than max_depth (default 4).",
		Element: "the depth"},
	{ID: "no_internal_outlinks", Group: "Links", Severity: SevWarning, Title: "No internal outlinks",
		Why:     "The page links to no other page of the site: a dead end for visitors and crawlers.",
		Fix:     "Add links to related pages and the navigation.",
		Rule:    "HTML page whose count of internal anchor links is 0.",
		Element: "empty"},
	{ID: "nofollow_internal", Group: "Links", Severity: SevWarning, Title: "Nofollow internal links",
		Why:     "rel=nofollow on a link to your own page throws away link equity and may keep the page from being crawled.",
		Fix:     "Remove rel=nofollow from internal links.",
		Rule:    "HTML page with an internal anchor link (self-links included) whose rel contains nofollow.",
		Element: "the target URL, once per distinct target"},
	{ID: "http_link_on_https", Group: "Links", Severity: SevWarning, Title: "HTTP links on an HTTPS page",
		Why:     "An https page links to or loads an http URL: mixed content for images, an insecure hop for links.",
		Fix:     "Use https URLs.",
		Rule:    "HTML page with an https URL that has an anchor or image link to an http URL.",
		Element: "the http URL, once per distinct target"},
	{ID: "image_missing_alt", Group: "Images", Severity: SevWarning, Title: "Image without alt",
		Why:     "Images without an alt attribute are invisible to screen readers and to image search. alt=\"\" is fine: it marks a decorative image.",
		Fix:     "Add an alt text describing the image, or alt=\"\" if it is decorative.",
		Rule:    "HTML page with an <img> that has no alt attribute at all.",
		Element: "the image URL, once per distinct URL"},

	// Content and performance.
	{ID: "slow_page", Value: true, Group: "Performance", Severity: SevWarning, Title: "Slow response",
		Why:     "The server took long to start answering; slow pages are crawled less and lose visitors.",
		Fix:     "Profile the page on the server: caching, database queries, upstream calls.",
		Rule:    "crawled page without a fetch error whose time to first byte is over slow_ttfb_ms (default 800 ms).",
		Element: "the time to first byte in milliseconds, e.g. 912 ms"},
	{ID: "large_page", Value: true, Group: "Performance", Severity: SevWarning, Title: "Large HTML",
		Why:     "Very large HTML is slow to download and parse; search engines stop reading after a cap (Google: 15 MB, Scouter: the crawl's body cap).",
		Fix:     "Remove inline data, huge menus and repeated markup; paginate.",
		Rule:    "HTML page larger than large_bytes (default 1,048,576 bytes) or cut at the crawl's body cap.",
		Element: "the size in bytes read"},
	{ID: "thin_content", Value: true, Group: "Content", Severity: SevOpportunity, Title: "Thin content",
		Why:     "The page has few words; thin pages rarely rank and can drag down the site's perceived quality.",
		Fix:     "Expand the content, merge it with a related page, or noindex it.",
		Rule:    "indexable HTML page with fewer than thin_words words (default 200).",
		Element: "the word count"},
	{ID: "duplicate_content", Group: "Content", Severity: SevWarning, Title: "Exact duplicate",
		Why:     "The page's content is identical to another indexable page's, so they compete and search engines pick one.",
		Fix:     "Keep one page: redirect or canonicalise the copies to it.",
		Rule:    "indexable HTML page sharing its content hash with another indexable HTML page.",
		Element: "the URL of the other page of its cluster with the lowest id"},
	{ID: "near_duplicate", Group: "Content", Severity: SevOpportunity, Title: "Near duplicate",
		Why:     "The page's text is almost the same as another indexable page's (fingerprints within near_distance bits of 64, about 95 % alike at 3).",
		Fix:     "Differentiate the pages or consolidate them with a canonical or redirect.",
		Rule:    "indexable HTML page in a near-duplicate cluster (SimHash within near_distance bits, default 3; exact copies count once, a cluster of only exact copies is not near).",
		Element: "the URL of the other page of its cluster with the lowest id"},
}

// ValueChecks lists the ids of the checks whose element is a value of the
// page (Check.Value).
func ValueChecks() []string {
	var out []string
	for _, c := range Catalogue {
		if c.Value {
			out = append(out, c.ID)
		}
	}
	return out
}

// CheckByID returns the catalogue entry of id.
func CheckByID(id string) (Check, bool) {
	for _, c := range Catalogue {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// Config is the audit configuration of a crawl: thresholds and the checks
// turned off. Zero thresholds mean the default, so a partial JSON object
// changes only what it names.
type Config struct {
	Disabled       []string `json:"disabled,omitempty"` // check ids turned off
	TitleMin       int      `json:"title_min,omitempty"`
	TitleMax       int      `json:"title_max,omitempty"`
	DescriptionMin int      `json:"description_min,omitempty"`
	DescriptionMax int      `json:"description_max,omitempty"`
	MaxDepth       int      `json:"max_depth,omitempty"`
	SlowTTFBMs     int      `json:"slow_ttfb_ms,omitempty"`
	LargeBytes     int64    `json:"large_bytes,omitempty"`
	ThinWords      int      `json:"thin_words,omitempty"`
	NearDistance   int      `json:"near_distance,omitempty"`
}

// Defaults: the field's usual thresholds (docs/CHECKS.md).
var Defaults = Config{
	TitleMin: 30, TitleMax: 60, DescriptionMin: 70, DescriptionMax: 155,
	MaxDepth: 4, SlowTTFBMs: 800, LargeBytes: 1 << 20, ThinWords: 200, NearDistance: DefaultNearDistance,
}

// WithDefaults fills zero thresholds from Defaults.
func (c Config) WithDefaults() Config {
	d := Defaults
	pick := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	pick(&c.TitleMin, d.TitleMin)
	pick(&c.TitleMax, d.TitleMax)
	pick(&c.DescriptionMin, d.DescriptionMin)
	pick(&c.DescriptionMax, d.DescriptionMax)
	pick(&c.MaxDepth, d.MaxDepth)
	pick(&c.SlowTTFBMs, d.SlowTTFBMs)
	pick(&c.ThinWords, d.ThinWords)
	pick(&c.NearDistance, d.NearDistance)
	if c.LargeBytes == 0 {
		c.LargeBytes = d.LargeBytes
	}
	return c
}

// Enabled reports whether check id runs under c.
func (c Config) Enabled(id string) bool { return !slices.Contains(c.Disabled, id) }

// FieldError names the invalid field of a Config, relative to it
// ("title_max", "disabled[2]").
type FieldError struct {
	Field, Msg string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Validate checks every field; thresholds are validated after defaults are
// applied, so {"title_min": 80} is refused against the default maximum.
func (c Config) Validate() error {
	for i, id := range c.Disabled {
		if _, ok := CheckByID(id); !ok {
			return &FieldError{fmt.Sprintf("disabled[%d]", i), fmt.Sprintf("unknown check %q", id)}
		}
	}
	ints := []struct {
		name string
		v    int64
		max  int64
	}{
		{"title_min", int64(c.TitleMin), 1000}, {"title_max", int64(c.TitleMax), 1000},
		{"description_min", int64(c.DescriptionMin), 10000}, {"description_max", int64(c.DescriptionMax), 10000},
		{"max_depth", int64(c.MaxDepth), 1000}, {"slow_ttfb_ms", int64(c.SlowTTFBMs), 600000},
		{"large_bytes", c.LargeBytes, 1 << 40}, {"thin_words", int64(c.ThinWords), 1000000},
		{"near_distance", int64(c.NearDistance), 32},
	}
	for _, f := range ints {
		if f.v < 0 || f.v > f.max {
			return &FieldError{f.name, fmt.Sprintf("must be between 0 (default) and %d", f.max)}
		}
	}
	d := c.WithDefaults()
	if d.TitleMin > d.TitleMax {
		return &FieldError{"title_min", fmt.Sprintf("%d is above title_max %d", d.TitleMin, d.TitleMax)}
	}
	if d.DescriptionMin > d.DescriptionMax {
		return &FieldError{"description_min", fmt.Sprintf("%d is above description_max %d", d.DescriptionMin, d.DescriptionMax)}
	}
	return nil
}

// ParseConfig reads a Config from JSON, refusing unknown fields.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	if len(strings.TrimSpace(string(b))) == 0 {
		return c, nil
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("audit config: %w", err)
	}
	return c, c.Validate()
}
