package robots

import (
	"strings"
	"testing"
)

// googleMatch is a transcription of Google's reference matcher
// (RobotsMatchStrategy::Matches): it tracks every path offset that the
// pattern read so far can end at. It is slow but obviously right, and serves
// as the oracle for the compiled matcher.
func googleMatch(path, pattern string) bool {
	pos := []int{0}
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c == '$' && i == len(pattern)-1 {
			return pos[len(pos)-1] == len(path)
		}
		if c == '*' {
			from := pos[0]
			pos = pos[:0]
			for p := from; p <= len(path); p++ {
				pos = append(pos, p)
			}
			continue
		}
		next := pos[:0]
		for _, p := range pos {
			if p < len(path) && path[p] == c {
				next = append(next, p+1)
			}
		}
		if pos = next; len(pos) == 0 {
			return false
		}
	}
	return true
}

// referenceAllowed evaluates every rule of g without the early exits.
func referenceAllowed(g *Group, path string) bool {
	p := normalisePath(path)
	if p == "/robots.txt" || strings.HasPrefix(p, "/robots.txt?") {
		return true
	}
	found, bestLen, bestAllow := false, 0, false
	for _, rules := range g.sets {
		for _, r := range rules {
			pattern := strings.Join(r.segs, "*")
			if r.anchored {
				pattern += "$"
			}
			if len(pattern) != r.length {
				panic("rule length does not match its pattern")
			}
			if !googleMatch(p, pattern) {
				continue
			}
			if !found || r.length > bestLen || r.length == bestLen && r.allow {
				found, bestLen, bestAllow = true, r.length, r.allow
			}
		}
	}
	return !found || bestAllow
}

var fuzzBodies = []string{
	"user-agent: FooBot\nallow: /p\ndisallow: /",
	"user-agent: FooBot\nallow: /page\ndisallow: /*.htm",
	"user-agent: FooBot\nallow: /page\ndisallow: /*.ph",
	"user-agent: FooBot\nallow: /$\ndisallow: /",
	"user-agent: *\ndisallow: /\nallow: /fish*.php\nallow: /*.php$",
	"user-agent: *\ndisallow: /*%C3\nallow: /ä\nallow: /foo/bar/%62%61%7A",
	"User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /",
	"\xEF\xBB\xBFuser-agent: scouterbot\r\ncrawl-delay: 2.5\r\ndisallow: /x#y\rsitemap: https://a/s.xml",
	"user-agent: a\nuser-agent: scouterbot\nsitemap: x\nuser-agent: *\n\ndisallow: /a\nuser-agent: ScouterBot\nallow: /a/b",
	"user agent scouterbot\ndisalow /x\nuser-agent: * x\ndiasllow: /*?*$",
	"disallow: /\nuser-agent:\ndisallow: /",
}

var fuzzPaths = []string{
	"/", "", "/page", "/page.htm", "/page.php5", "/fish.php", "/fishheads/catfish.php?parameters",
	"/ä", "/%C3%A4", "/%c3", "/foo/bar/baz", "/foo/bar/%62%61%7a", "/allowed-slash/", "/x?y#z",
	"/robots.txt", "?q", "/a/b", "/a", "%", "/%%41",
}

// FuzzParse checks that Parse accepts anything and that matching with early
// exits agrees with evaluating every rule.
func FuzzParse(f *testing.F) {
	for _, b := range fuzzBodies {
		for _, p := range fuzzPaths {
			f.Add([]byte(b), p)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		r := Parse(body)
		r.Sitemaps()
		for _, ua := range []string{"ScouterBot", "FooBot", "a", "*", ""} {
			g := r.Group(ua)
			g.CrawlDelay()
			if got, want := g.Allowed(path), referenceAllowed(g, path); got != want {
				t.Fatalf("Group(%q).Allowed(%q) = %v, reference says %v", ua, path, got, want)
			}
			if !g.Allowed("/robots.txt") {
				t.Fatalf("Group(%q) disallows /robots.txt", ua)
			}
		}
	})
}

// FuzzAllowed checks the compiled matcher against Google's algorithm, both
// directly and through a one-rule robots.txt.
func FuzzAllowed(f *testing.F) {
	patterns := []string{"/fish", "/fish*", "/fish/", "/*.php", "/*.php$", "/fish*.php", "/a$b",
		"/*a*b*$", "*", "$", "/**", "/foo/bar/ツ", "/%7Ejoe", "/%7ejoe", "/100%"}
	for _, pat := range patterns {
		for _, p := range fuzzPaths {
			f.Add(pat, p)
		}
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		p := normalisePath(path)
		if pattern != "" {
			pat := escape(pattern)
			r := newRule(pat, false)
			if got, want := r.match(p), googleMatch(p, pat); got != want {
				t.Fatalf("pattern %q on %q: match = %v, reference says %v", pat, p, got, want)
			}
		}

		robots := Parse([]byte("user-agent: *\ndisallow: " + pattern))
		got := robots.Allowed("ScouterBot", path)
		if strings.ContainsAny(pattern, "\r\n#") || string(trim([]byte(pattern))) != pattern ||
			len("disallow: "+pattern) > maxLineLen {
			return // the line does not carry the pattern verbatim
		}
		want := pattern == "" || p == "/robots.txt" || strings.HasPrefix(p, "/robots.txt?") ||
			!googleMatch(p, escape(pattern))
		if got != want {
			t.Fatalf("disallow %q: Allowed(%q) = %v, want %v", pattern, path, got, want)
		}
	})
}
