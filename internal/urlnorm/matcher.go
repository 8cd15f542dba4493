package urlnorm

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// HostMatcher decides whether a URL belongs to the crawled site. Matching
// is anchored on whole labels, so "example.com.evil.net" and
// "notexample.com" never match "example.com".
//
// Rules:
//   - scheme and port are ignored: http://example.com:8080 is internal;
//   - a leading "www." is ignored on both sides, so www.example.com and
//     example.com are the same site (and www.blog.example.com equals
//     blog.example.com), unless stripping it would leave a public suffix;
//   - with includeSubdomains, any subdomain of the primary host matches;
//   - an extra entry "*.example.org" matches example.org and all its
//     subdomains; a plain extra entry matches that host (and its www. form);
//   - IP addresses match exactly, never as a suffix.
type HostMatcher struct {
	exact    map[string]bool
	suffixes []string // ".example.org": anchored subdomain match
}

// NewHostMatcher builds a matcher from the start host, extra allowed hosts
// and whether subdomains of the start host are internal. Entries may be bare
// hosts ("Example.COM"), host:port, or URLs ("https://example.com/").
// Subdomain matching on a public suffix ("*.co.uk", "*.github.io") is
// refused, since it would make half the web internal.
func NewHostMatcher(primary string, extra []string, includeSubdomains bool) (*HostMatcher, error) {
	m := &HostMatcher{exact: map[string]bool{}}
	if err := m.add(primary, includeSubdomains); err != nil {
		return nil, err
	}
	for _, e := range extra {
		e = strings.TrimSpace(e)
		wild := strings.HasPrefix(e, "*.")
		if wild {
			e = e[2:]
		}
		if err := m.add(e, wild); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *HostMatcher) add(entry string, subdomains bool) error {
	h, err := entryHost(entry)
	if err != nil {
		return err
	}
	m.exact[h] = true
	if !subdomains || isIP(h) {
		return nil
	}
	if isPublicSuffix(h) {
		return fmt.Errorf("urlnorm: %q is a public suffix; refusing to match all its subdomains", h)
	}
	m.suffixes = append(m.suffixes, "."+h)
	return nil
}

// Internal reports whether u's host belongs to the site.
func (m *HostMatcher) Internal(u *url.URL) bool {
	if m == nil || u == nil {
		return false
	}
	return m.InternalHost(u.Hostname())
}

// InternalHost is Internal for a bare host name (no port).
func (m *HostMatcher) InternalHost(host string) bool {
	if m == nil || host == "" {
		return false
	}
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	h, err := normHost(host)
	if err != nil {
		return false
	}
	h = siteHost(strings.Trim(h, "[]"))
	if m.exact[h] {
		return true
	}
	for _, s := range m.suffixes {
		if strings.HasSuffix(h, s) {
			return true
		}
	}
	return false
}

// entryHost extracts and normalizes the host of a configuration entry.
func entryHost(entry string) (string, error) {
	s := strings.TrimSpace(entry)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	key, err := Normalize(s)
	if err != nil {
		return "", fmt.Errorf("urlnorm: bad host %q: %w", abbrev(entry), err)
	}
	u, err := url.Parse(key)
	if err != nil {
		return "", fmt.Errorf("urlnorm: bad host %q: %w", abbrev(entry), err)
	}
	return siteHost(u.Hostname()), nil
}

// siteHost drops a trailing dot and a leading "www." label.
func siteHost(h string) string {
	h = strings.TrimSuffix(h, ".")
	if rest, ok := strings.CutPrefix(h, "www."); ok && strings.Contains(rest, ".") && !isPublicSuffix(rest) {
		return rest
	}
	return h
}

func isIP(h string) bool {
	_, err := netip.ParseAddr(strings.Trim(h, "[]"))
	return err == nil
}

// isPublicSuffix reports whether h is an ICANN or private public suffix
// ("com", "co.uk", "github.io"). Single-label names that are only
// suffixes by the default rule, like "localhost", are not.
func isPublicSuffix(h string) bool {
	ps, icann := publicsuffix.PublicSuffix(h)
	return ps == h && (icann || strings.Contains(h, "."))
}
