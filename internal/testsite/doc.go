// Package testsite serves deterministic websites on 127.0.0.1 for testing
// and benchmarking the crawler.
//
// NewSite is the audit site: about eighty hand-written URLs on a few
// virtual hosts, one of them also served over https, each one a case a
// crawler gets wrong in practice (redirect chains and loops, robots.txt
// precedence, nofollow, noindex in three places, hreflang, a non-UTF-8
// page, an over-sized page, a page that never answers, a throttled host, a
// calendar trap, ...) or a case of the audit (every check of the catalogue
// fires at least once, and one clean page fires none). It knows its own
// ground truth (Truth): what a correct crawl must report for every URL and
// link, and the findings its audit must report, written by hand next to
// each page rather than computed by the crawler's or the audit's own code,
// so a crawl can be compared with it field by field.
//
// NewGenerated is a large synthetic site (any number of pages, derived
// from a seed) for throughput benchmarks and for killing and resuming a
// crawl midway. Its pages are assembled from a precomputed pool of text so
// that serving them costs far less than crawling them: the server must
// never be what a benchmark measures.
package testsite
