// Package robots parses robots.txt files and decides whether a crawler may
// fetch a URL, following RFC 9309 as Google's open-source parser applies it.
//
// A file is parsed once per host with [Parse] (or [ForStatus], which also
// maps the fetch status to a policy) and then queried for every link.
// Matching neither re-parses nor allocates for ordinary escaped paths.
//
// Parsing:
//   - At most [MaxSize] bytes are read; the rest is ignored. Lines may end in
//     LF, CR or CRLF; a leading UTF-8 byte order mark (even a partial one) is
//     skipped; "#" starts a comment.
//   - Field names are case-insensitive and, as in Google's parser, matched by
//     prefix, with its accepted typos: "useragent", "user agent", "dissallow",
//     "dissalow", "disalow", "diasllow", "disallaw", "site-map". A missing
//     colon is tolerated when the line is exactly "key value".
//   - Consecutive user-agent lines open one group; only an allow or disallow
//     line closes the run, so blank lines, sitemaps, crawl-delays and unknown
//     fields between user-agent lines do not split a group. As with Google,
//     "User-agent: *, Crawl-delay: 5, User-agent: BadBot, Disallow: /" thus
//     disallows everything for everyone. Rules before the first user-agent
//     line are ignored.
//   - A user-agent value is reduced to its leading [A-Za-z_-] run, so
//     "Scouter/1.0" names the product token "scouter". "*", optionally
//     followed by whitespace and anything else, names the global group.
//   - Sitemap lines are collected wherever they appear. Crawl-delay is not in
//     the RFC and Google ignores it; we read it as decimal seconds and give it
//     to the user-agent lines above it that have none yet, so that the
//     common "User-agent: a, Crawl-delay: 5, User-agent: b, Crawl-delay: 10"
//     means what its author meant. Merged groups keep the largest delay.
//
// Matching:
//   - The groups naming the crawler's product token are merged; failing
//     those, the "*" groups are merged; failing those, everything is allowed.
//   - The rule with the longest pattern wins, counting the pattern's bytes
//     after normalisation with "*" and "$" included; Allow wins a tie. "*"
//     matches any run of bytes and "$" anchors only at the end of a pattern.
//     Empty Allow and Disallow values match nothing. "/robots.txt" is always
//     allowed.
//   - Patterns and paths get the same normalisation: bytes outside ASCII are
//     percent-encoded and the hex digits of %xx escapes are upper-cased.
//     Escapes are otherwise compared as written, so "/%7Ejoe" and "/~joe"
//     differ; this follows Google and the RFC's own examples rather than the
//     RFC's text about decoding unreserved characters.
//
// Google also reads "Allow: /dir/index.htm..." as allowing "/dir/"; so do we.
// We depart from Google's parser in three ways: a line over 16,664 bytes is
// dropped rather than truncated, and so is the line cut by the size limit,
// since a cut "Disallow: /private" would read as the broader "Disallow: /";
// and paths are normalised like patterns, so callers may pass raw UTF-8
// where Google requires the caller to escape it.
package robots

import (
	"slices"
	"strings"
	"time"
)

// MaxSize is how much of a robots.txt body is read, Google's 500 KiB limit.
// Fetchers need not read more.
const MaxSize = 500 << 10

// Robots is a parsed robots.txt. It is immutable and safe for concurrent use.
type Robots struct {
	agents   map[string]*Group // keyed by lower-case product token
	global   *Group            // the merged "*" groups, or nil
	sitemaps []string
}

// Group is the merged set of rules that applies to one crawler.
// It is immutable and safe for concurrent use.
type Group struct {
	// One rule list per source group, each sorted by precedence. Kept apart
	// rather than concatenated so that a crawler named in many groups costs
	// no more memory than the file itself.
	sets  [][]rule
	delay crawlDelay
}

// allowAll is the group used when no group applies.
var allowAll = &Group{}

// AllowAll returns a Robots that allows every path, as when robots.txt is missing.
func AllowAll() *Robots { return &Robots{} }

// DisallowAll returns a Robots that disallows every path but /robots.txt, as
// when robots.txt is unreachable.
func DisallowAll() *Robots {
	return &Robots{global: &Group{sets: [][]rule{{newRule("/", false)}}}}
}

// ForStatus returns the policy for a robots.txt fetch that ended with the
// given HTTP status, as Google applies it:
//   - 2xx: the body is parsed.
//   - 3xx: allow all. The fetcher follows redirects (Google follows five or
//     more); a redirect still unresolved means no robots.txt was found.
//   - 4xx except 429: allow all, as if there were no robots.txt.
//   - 429, 5xx and anything else (pass 0 for a network error): disallow all,
//     since the site may be unable to serve its rules. Google keeps this for
//     a while before falling back to a cached copy; that is the caller's job.
func ForStatus(status int, body []byte) *Robots {
	switch {
	case status >= 200 && status < 300:
		return Parse(body)
	case status == 429:
		return DisallowAll()
	case status >= 300 && status < 500:
		return AllowAll()
	default:
		return DisallowAll()
	}
}

// Sitemaps returns the sitemap URLs listed in the file, in order, without
// duplicates.
func (r *Robots) Sitemaps() []string {
	if r == nil {
		return nil
	}
	return slices.Clone(r.sitemaps)
}

// Group returns the rules for a crawler. userAgent may be a bare product
// token ("ScouterBot"), a token with a version ("ScouterBot/1.0") or a whole
// User-Agent header; [ProductToken] picks the token that is matched.
// The result is never nil.
func (r *Robots) Group(userAgent string) *Group {
	if r == nil {
		return allowAll
	}
	if g := r.lookup(ProductToken(userAgent)); g != nil {
		return g
	}
	if r.global != nil {
		return r.global
	}
	return allowAll
}

// Allowed reports whether the crawler may fetch pathAndQuery. Crawlers
// checking many links should keep r.Group(userAgent) and call its Allowed.
func (r *Robots) Allowed(userAgent, pathAndQuery string) bool {
	return r.Group(userAgent).Allowed(pathAndQuery)
}

func (r *Robots) lookup(token string) *Group {
	if token == "" || len(r.agents) == 0 {
		return nil
	}
	// Tokens are ASCII, so lower-casing into a stack buffer is a full case
	// fold, and m[string(b)] does not allocate.
	var buf [64]byte
	if len(token) > len(buf) {
		return r.agents[strings.ToLower(token)]
	}
	b := buf[:len(token)]
	for i := range len(token) {
		b[i] = lower(token[i])
	}
	return r.agents[string(b)]
}

// ProductToken returns the robots.txt product token of a User-Agent value:
// the leading [A-Za-z_-] run of the name after "compatible;" when there is
// one (as in "Mozilla/5.0 (compatible; ScouterBot/1.0; +https://...)"),
// otherwise of ua itself. It returns "" when ua starts with no such name.
func ProductToken(ua string) string {
	const compat = "compatible;"
	if i := strings.Index(ua, compat); i >= 0 {
		if t := leadingToken(strings.TrimLeft(ua[i+len(compat):], " \t")); t != "" {
			return t
		}
	}
	return leadingToken(strings.TrimLeft(ua, " \t"))
}

// leadingToken returns the leading run of [A-Za-z_-] in s, the characters
// RFC 9309 allows in a product token.
func leadingToken(s string) string { return s[:tokenLen(s)] }

func tokenLen[S string | []byte](s S) int {
	for i := range len(s) {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return i
		}
	}
	return len(s)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// CrawlDelay returns the group's Crawl-delay, if any valid one was given.
// When merged groups disagree the largest delay is kept, to stay polite.
func (g *Group) CrawlDelay() (time.Duration, bool) {
	if g == nil {
		return 0, false
	}
	return g.delay.d, g.delay.set
}

// Allowed reports whether pathAndQuery (the URL's escaped path plus "?query";
// a fragment is ignored, an empty path means "/") may be fetched.
// It allocates only when the path needs normalising: raw non-ASCII bytes,
// lower-case %xx escapes or a missing leading slash.
func (g *Group) Allowed(pathAndQuery string) bool {
	if g == nil || len(g.sets) == 0 {
		return true
	}
	p := normalisePath(pathAndQuery)
	if p == "/robots.txt" || strings.HasPrefix(p, "/robots.txt?") {
		return true
	}
	found, bestLen, bestAllow := false, 0, false
	for _, rules := range g.sets {
		for i := range rules {
			r := &rules[i]
			// Rules are sorted longest first, Allow first among equals, so
			// nothing after this point in the list can beat the best match.
			if found && (r.length < bestLen || r.length == bestLen && (bestAllow || !r.allow)) {
				break
			}
			if r.match(p) {
				found, bestLen, bestAllow = true, r.length, r.allow
				break
			}
		}
	}
	return !found || bestAllow
}

func normalisePath(p string) string {
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p = p[:i]
	}
	p = escape(p)
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	return p
}
