package testsite

import (
	"cmp"
	"strings"
	"time"
)

// Truth is what a correct crawl of the audit site reports.
type Truth struct {
	Pages    []Page    // sorted by URL
	Links    []Link    // by From (in URL order), then in document order
	Findings []Finding // what the audit of that crawl reports, by check, URL, element
}

// Finding is one audit finding: a check of audit.Catalogue, the page's
// URL and the element, as the catalogue describes it. The element "*"
// stands for any value (the slow page's measured time to first byte).
type Finding struct{ Check, URL, Element string }

func (f Finding) compare(g Finding) int {
	return cmp.Or(strings.Compare(f.Check, g.Check), strings.Compare(f.URL, g.URL), strings.Compare(f.Element, g.Element))
}

// AuditSlowTTFBMs is the slow_ttfb_ms threshold the findings assume: the
// slow page waits slowDelay (300 ms), the other pages answer at once. Every
// other threshold is the audit's default.
const AuditSlowTTFBMs = 250

// Page is the expected row of one normalized URL. Fields other than URL,
// State, Reason, Depth, InSitemap, Indexable and Indexability are zero
// unless the page was crawled.
type Page struct {
	URL    string
	State  string // crawled, external, blocked or excluded
	Reason string // for excluded: nofollow, max-depth, image or sitemap-only
	Depth  int

	Status      int
	ContentType string
	Size        int64

	Title, Description, H1 string
	H1Count, H2Count       int

	Canonical, MetaRobots, XRobotsTag, Lang string

	Hreflang []Hreflang

	WordCount   int
	JSONLDTypes []string

	ImageCount, ImagesMissingAlt, InternalOutlinks, ExternalOutlinks int

	InSitemap   bool
	RedirectURL string
	Retries     int
	Truncated   bool
	FetchError  string

	Indexable    bool
	Indexability string

	// MinTTFB is the delay the server waits before answering (the slow
	// page), so a test can check that the crawler's timing is not invented.
	MinTTFB time.Duration
}

// Hreflang is one alternate-language link of a page, URL resolved and
// normalized.
type Hreflang struct{ Lang, URL string }

// Link is one link occurrence found on a crawled page.
type Link struct {
	From, To, Kind, Text string
	Nofollow, Internal   bool
}

// Page states, reasons and link kinds, as the crawler spells them.
const (
	StateCrawled  = "crawled"
	StateExternal = "external"
	StateBlocked  = "blocked"
	StateExcluded = "excluded"

	ReasonNofollow    = "nofollow"
	ReasonMaxDepth    = "max-depth"
	ReasonImage       = "image"
	ReasonSitemapOnly = "sitemap-only"

	KindAnchor    = "anchor"
	KindImage     = "image"
	KindCanonical = "canonical"
	KindHreflang  = "hreflang"
	KindRedirect  = "redirect"
)
