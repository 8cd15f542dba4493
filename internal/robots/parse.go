package robots

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxLineLen is Google's line limit: eight times the 2083-byte URL limit of
// old browsers, room for any sane rule. Longer lines are dropped.
const maxLineLen = 2083 * 8

// group is one group as written in the file, before merging.
type group struct {
	agents    []agent
	undelayed int        // agents[undelayed:] have had no crawl-delay line yet
	delay     crawlDelay // from crawl-delay lines with no new agent above them
	rules     []rule
}

type agent struct {
	name  string // lower-case product token, "*" for the global group
	delay crawlDelay
}

// crawlDelay is an optional delay that only grows, so that the most polite
// of several values wins.
type crawlDelay struct {
	d   time.Duration
	set bool
}

func (c *crawlDelay) raise(o crawlDelay) {
	if o.set && (!c.set || o.d > c.d) {
		*c = o
	}
}

type field int

const (
	unknownField field = iota
	userAgentField
	allowField
	disallowField
	sitemapField
	crawlDelayField
)

// Parse parses a robots.txt body. It accepts any input.
func Parse(body []byte) *Robots {
	if len(body) > MaxSize {
		// Drop the line the limit cuts through, unless the cut falls on its
		// end: its head could be a broader rule than the whole line.
		if c := body[MaxSize]; c != '\n' && c != '\r' {
			body = body[:bytes.LastIndexAny(body[:MaxSize], "\r\n")+1]
		} else {
			body = body[:MaxSize]
		}
	}
	for _, c := range []byte("\xEF\xBB\xBF") {
		if len(body) == 0 || body[0] != c {
			break
		}
		body = body[1:]
	}

	var (
		groups   []*group
		cur      *group
		inAgents bool // cur is still collecting user-agent lines
		sitemaps []string
		seen     = make(map[string]bool) // sitemaps already listed
	)
	for len(body) > 0 {
		var line []byte
		if i := bytes.IndexAny(body, "\r\n"); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			line, body = body, nil
		}
		if len(line) > maxLineLen {
			continue
		}
		key, val, ok := splitLine(line)
		if !ok {
			continue
		}
		switch f := fieldOf(key); f {
		case userAgentField:
			if !inAgents {
				cur = &group{}
				groups = append(groups, cur)
				inAgents = true
			}
			if name := agentName(val); name != "" {
				cur.agents = append(cur.agents, agent{name: name})
			}
		case allowField, disallowField:
			if cur == nil {
				continue
			}
			inAgents = false
			allow := f == allowField
			if len(val) == 0 {
				continue // matches nothing
			}
			pat := escape(string(val))
			cur.rules = append(cur.rules, newRule(pat, allow))
			// Google: "Allow: /dir/index.htm..." also allows "/dir/".
			if slash := strings.LastIndexByte(pat, '/'); allow && slash >= 0 &&
				strings.HasPrefix(pat[slash:], "/index.htm") {
				cur.rules = append(cur.rules, newRule(pat[:slash+1]+"$", true))
			}
		case crawlDelayField:
			if d, ok := parseDelay(val); ok && cur != nil {
				cur.setDelay(d)
			}
		case sitemapField:
			if u := string(val); u != "" && !seen[u] {
				seen[u] = true
				sitemaps = append(sitemaps, u)
			}
		}
	}
	return build(groups, sitemaps)
}

// setDelay applies a crawl-delay to the agents named since the last one, so
// that "User-agent: a, Crawl-delay: 5, User-agent: b, Crawl-delay: 10" gives
// a 5 and b 10, although for rules a and b form one group. A delay with no
// new agent above it applies to the whole group.
func (g *group) setDelay(d time.Duration) {
	c := crawlDelay{d, true}
	if g.undelayed == len(g.agents) {
		g.delay.raise(c)
		return
	}
	for i := g.undelayed; i < len(g.agents); i++ {
		g.agents[i].delay = c
	}
	g.undelayed = len(g.agents)
}

// build merges the parsed groups per product token.
func build(groups []*group, sitemaps []string) *Robots {
	r := &Robots{sitemaps: sitemaps}
	for _, g := range groups {
		slices.SortFunc(g.rules, func(a, b rule) int {
			if c := cmp.Compare(b.length, a.length); c != 0 {
				return c
			}
			return cmpBool(b.allow, a.allow)
		})
		for _, a := range g.agents {
			var m *Group
			if a.name == "*" {
				if r.global == nil {
					r.global = &Group{}
				}
				m = r.global
			} else {
				if r.agents == nil {
					r.agents = make(map[string]*Group)
				}
				if m = r.agents[a.name]; m == nil {
					m = &Group{}
					r.agents[a.name] = m
				}
			}
			m.delay.raise(a.delay)
			m.delay.raise(g.delay)
			// An agent named twice in one group must get its rules once.
			if n := len(m.sets); len(g.rules) > 0 && (n == 0 || &m.sets[n-1][0] != &g.rules[0]) {
				m.sets = append(m.sets, g.rules)
			}
		}
	}
	return r
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	default:
		return -1
	}
}

// splitLine splits a line into key and value, dropping any comment and
// surrounding whitespace. As Google does, it accepts whitespace instead of
// the colon when the line is exactly two words.
func splitLine(line []byte) (key, val []byte, ok bool) {
	if i := bytes.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	line = trim(line)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		key, val = trim(line[:i]), trim(line[i+1:])
	} else {
		i := bytes.IndexAny(line, " \t")
		if i < 0 {
			return nil, nil, false
		}
		key, val = line[:i], trim(line[i:])
		if bytes.ContainsAny(val, " \t") {
			return nil, nil, false
		}
	}
	return key, val, len(key) > 0
}

// trim drops ASCII whitespace only: a trailing no-break space, say, is part
// of a value.
func trim(b []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\v' || c == '\f' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// fieldOf classifies a key by prefix, as Google does, so that "Disallowed"
// still counts as "Disallow".
func fieldOf(key []byte) field {
	has := func(prefixes ...string) bool {
		for _, p := range prefixes {
			if len(key) >= len(p) && bytes.EqualFold(key[:len(p)], []byte(p)) {
				return true
			}
		}
		return false
	}
	switch {
	case has("user-agent", "useragent", "user agent"):
		return userAgentField
	case has("allow"):
		return allowField
	case has("disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"):
		return disallowField
	case has("sitemap", "site-map"):
		return sitemapField
	case has("crawl-delay"):
		return crawlDelayField
	}
	return unknownField
}

// agentName returns the lower-case product token a user-agent value names,
// "*" for the global group, or "" when it names nothing matchable.
func agentName(val []byte) string {
	// Google: "*" followed by whitespace and anything else is still global.
	if len(val) > 0 && val[0] == '*' && (len(val) == 1 || val[1] == ' ' || val[1] == '\t') {
		return "*"
	}
	return strings.ToLower(string(val[:tokenLen(val)]))
}

// maxDelay keeps the conversion to time.Duration from overflowing.
var maxDelay = float64(math.MaxInt64 / int64(time.Second))

// parseDelay accepts a non-negative decimal number of seconds, such as "10"
// or "0.5"; anything else ("10s", "-1", "1e3") is ignored.
func parseDelay(val []byte) (time.Duration, bool) {
	digits := 0
	for _, c := range val {
		switch {
		case '0' <= c && c <= '9':
			digits++
		case c != '.':
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(val), 64)
	if err != nil || f > maxDelay {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}
