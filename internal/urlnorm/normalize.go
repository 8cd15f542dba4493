package urlnorm

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// MaxLength is the longest URL, in bytes, that is accepted or produced.
const MaxLength = 8192

// Errors returned (wrapped) by Normalize and Resolve; test with errors.Is.
var (
	ErrTooLong           = errors.New("urlnorm: URL longer than 8192 bytes")
	ErrNotAbsolute       = errors.New("urlnorm: URL has no scheme")
	ErrUnsupportedScheme = errors.New("urlnorm: unsupported scheme")
	ErrMissingHost       = errors.New("urlnorm: missing host")
	ErrInvalidHost       = errors.New("urlnorm: invalid host")
	ErrInvalidPort       = errors.New("urlnorm: invalid port")
)

// QueryMode says what Normalize does with the query string.
type QueryMode uint8

const (
	// QueryKeep keeps parameters in their original order (default).
	QueryKeep QueryMode = iota
	// QuerySort sorts parameters by name; parameters with the same name
	// keep their relative order, because "a=2&a=1" may differ from "a=1&a=2".
	// Empty parameters ("a=1&&b=2") are dropped.
	QuerySort
	// QueryStrip drops the whole query.
	QueryStrip
)

// TrackingParams is a ready-made StripParams list of common click and
// campaign tracking parameters.
var TrackingParams = []string{
	"utm_*", "gclid", "gbraid", "wbraid", "dclid", "fbclid", "msclkid",
	"yclid", "twclid", "ttclid", "li_fat_id", "mc_cid", "mc_eid", "_ga", "_gl", "igshid",
}

// Normalizer holds the query options; the zero value keeps queries as they
// are and is what the package-level Normalize and Resolve use.
type Normalizer struct {
	Query QueryMode
	// StripParams names query parameters to remove (in QueryKeep and
	// QuerySort modes). Names compare case-insensitively; an entry ending
	// in "*" is a prefix, so "utm_*" removes utm_source, utm_medium, ...
	StripParams []string
}

// Normalize returns the crawl key of an absolute http(s) URL using the
// zero Normalizer.
func Normalize(raw string) (string, error) { return Normalizer{}.Normalize(raw) }

// Resolve resolves ref against base and normalizes the result using the
// zero Normalizer.
func Resolve(base *url.URL, ref string) (*url.URL, error) {
	return Normalizer{}.Resolve(base, ref)
}

// Normalize returns the crawl key of an absolute http(s) URL.
func (n Normalizer) Normalize(raw string) (string, error) {
	s := clean(raw)
	if len(s) > MaxLength {
		return "", ErrTooLong
	}
	scheme, rest, ok := splitScheme(s)
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrNotAbsolute, abbrev(s))
	}
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("%w %q", ErrUnsupportedScheme, scheme)
	}
	// Browsers accept any number of slashes (or backslashes) after an
	// http(s) scheme: "http:/x", "http:\\x" and "http:///x" all mean host x.
	return n.build(scheme, strings.TrimLeft(rest, `/\`))
}

// Resolve resolves ref (an href as found in a page) against base, as a
// browser would, and returns the normalized absolute URL. Non-http(s)
// references such as mailto: or javascript: return ErrUnsupportedScheme.
func (n Normalizer) Resolve(base *url.URL, ref string) (*url.URL, error) {
	return parseKey(n.ResolveKey(base, ref))
}

// ResolveKey is Resolve returning the key as a string, without parsing it
// back into a url.URL: what a crawler needs for each of a page's links.
func (n Normalizer) ResolveKey(base *url.URL, ref string) (string, error) {
	if base == nil {
		return "", fmt.Errorf("%w: nil base URL", ErrNotAbsolute)
	}
	s := clean(ref)
	if len(s) > MaxLength {
		return "", ErrTooLong
	}
	bscheme := strings.ToLower(base.Scheme)
	if bscheme != "http" && bscheme != "https" {
		return "", fmt.Errorf("%w %q (base URL)", ErrUnsupportedScheme, bscheme)
	}
	if base.Host == "" {
		return "", fmt.Errorf("%w (base URL)", ErrMissingHost)
	}
	if scheme, rest, ok := splitScheme(s); ok {
		// WHATWG: "http:foo" on an http page is a relative reference.
		if scheme != bscheme || rest != "" && (rest[0] == '/' || rest[0] == '\\') {
			return n.Normalize(s)
		}
		s = rest
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	path, query, hasQuery := s, "", false
	if i := strings.IndexByte(s, '?'); i >= 0 {
		path, query, hasQuery = s[:i], s[i+1:], true
	}
	path = strings.ReplaceAll(path, `\`, "/")
	if strings.HasPrefix(path, "//") {
		return n.Normalize(bscheme + ":" + path + queryPart(query, hasQuery))
	}

	bpath := base.EscapedPath()
	if bpath == "" {
		bpath = "/"
	}
	switch {
	case path == "":
		path = bpath
		if !hasQuery {
			query, hasQuery = base.RawQuery, base.RawQuery != ""
		}
	case path[0] != '/':
		path = bpath[:strings.LastIndexByte(bpath, '/')+1] + path
	}
	authority := base.Host
	if base.User != nil {
		authority = base.User.String() + "@" + authority
	}
	return n.Normalize(bscheme + "://" + authority + path + queryPart(query, hasQuery))
}

// KeyHost returns the host name of a key made by Normalize or ResolveKey,
// without port or brackets, as url.URL.Hostname would.
func KeyHost(key string) string {
	_, rest, ok := strings.Cut(key, "://")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if strings.HasPrefix(rest, "[") {
		if i := strings.IndexByte(rest, ']'); i >= 0 {
			return rest[1:i]
		}
		return rest
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

func parseKey(key string, err error) (*url.URL, error) {
	if err != nil {
		return nil, err
	}
	return url.Parse(key)
}

func queryPart(q string, has bool) string {
	if !has {
		return ""
	}
	return "?" + q
}

// build assembles the key from the part after "scheme://".
func (n Normalizer) build(scheme, rest string) (string, error) {
	end := strings.IndexAny(rest, `/\?#`)
	if end < 0 {
		end = len(rest)
	}
	authority, rest := rest[:end], rest[end:]
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	path, query, hasQuery := rest, "", false
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		path, query, hasQuery = rest[:i], rest[i+1:], true
	}

	var userinfo string
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		userinfo, authority = authority[:i], authority[i+1:]
	}
	host, port, err := splitHostPort(authority)
	if err != nil {
		return "", err
	}
	if host, err = normHost(host); err != nil {
		return "", err
	}
	if port, err = normPort(scheme, port); err != nil {
		return "", err
	}

	var b strings.Builder
	b.Grow(len(scheme) + len(authority) + len(path) + len(query) + 8)
	b.WriteString(scheme)
	b.WriteString("://")
	if userinfo != "" {
		b.WriteString(normUserinfo(userinfo))
		b.WriteByte('@')
	}
	b.WriteString(host)
	if port != "" {
		b.WriteByte(':')
		b.WriteString(port)
	}
	b.WriteString(normPath(path))
	if hasQuery {
		if q := n.normQuery(query); q != "" {
			b.WriteByte('?')
			b.WriteString(q)
		}
	}
	if b.Len() > MaxLength {
		return "", ErrTooLong
	}
	return b.String(), nil
}

// clean trims C0 controls and spaces at both ends and removes ASCII tab
// and newlines anywhere, as the WHATWG URL parser does.
func clean(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, s)
	}
	return s
}

// splitScheme returns the lowercased scheme and what follows the colon.
func splitScheme(s string) (scheme, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
			if i == 0 {
				return "", s, false
			}
		case c == ':' && i > 0:
			return strings.ToLower(s[:i]), s[i+1:], true
		default:
			return "", s, false
		}
	}
	return "", s, false
}

func normPort(scheme, port string) (string, error) {
	if port == "" {
		return "", nil
	}
	v := 0
	for i := 0; i < len(port); i++ {
		c := port[i]
		if c < '0' || c > '9' {
			return "", fmt.Errorf("%w %q", ErrInvalidPort, abbrev(port))
		}
		if v = v*10 + int(c-'0'); v > 65535 {
			return "", fmt.Errorf("%w %q", ErrInvalidPort, abbrev(port))
		}
	}
	if scheme == "http" && v == 80 || scheme == "https" && v == 443 {
		return "", nil
	}
	return fmt.Sprint(v), nil
}

// normUserinfo lets net/url produce the escaping so the key round-trips.
func normUserinfo(s string) string {
	user, pass, hasPass := strings.Cut(s, ":")
	if hasPass {
		return url.UserPassword(unescapeAll(user), unescapeAll(pass)).String()
	}
	return url.User(unescapeAll(user)).String()
}

func normPath(p string) string {
	if p == "" {
		return "/"
	}
	var b strings.Builder
	b.Grow(len(p) + 1)
	if p[0] != '/' && p[0] != '\\' {
		b.WriteByte('/')
	}
	writeEscaped(&b, p, &pathKeep, true)
	return removeDots(b.String())
}

// removeDots implements RFC 3986 section 5.2.4 on a path starting with "/".
// Runs of slashes are kept: "/a//b" is a different resource from "/a/b".
func removeDots(p string) string {
	if !strings.Contains(p, "/.") {
		return p
	}
	segs := strings.Split(p[1:], "/")
	out := segs[:0]
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
			continue
		}
		if last {
			out = append(out, "")
		}
	}
	return "/" + strings.Join(out, "/")
}

func (n Normalizer) normQuery(q string) string {
	if n.Query == QueryStrip || q == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(q))
	writeEscaped(&b, q, &queryKeep, false)
	q = b.String()
	if n.Query != QuerySort && len(n.StripParams) == 0 {
		return q
	}
	params := strings.Split(q, "&")
	kept := params[:0]
	for _, p := range params {
		if n.Query == QuerySort && p == "" {
			continue
		}
		if n.stripped(paramName(p)) {
			continue
		}
		kept = append(kept, p)
	}
	if n.Query == QuerySort {
		slices.SortStableFunc(kept, func(a, b string) int {
			return strings.Compare(paramName(a), paramName(b))
		})
	}
	return strings.Join(kept, "&")
}

func paramName(p string) string {
	name, _, _ := strings.Cut(p, "=")
	return name
}

func (n Normalizer) stripped(name string) bool {
	for _, s := range n.StripParams {
		if prefix, ok := strings.CutSuffix(s, "*"); ok {
			if len(name) >= len(prefix) && strings.EqualFold(name[:len(prefix)], prefix) {
				return true
			}
		} else if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

// abbrev keeps error messages short when the input is hostile.
func abbrev(s string) string {
	const max = 100
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
