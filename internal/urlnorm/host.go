package urlnorm

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// idnaProfile is UTS #46 as browsers apply it (WHATWG "domain to ASCII"):
// the Lookup mapping without STD3 rules and hyphen checks, so real-world
// hosts such as "my_host.example.com" or "-x.blogspot.com" still work.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.StrictDomainName(false),
	idna.CheckHyphens(false),
)

func splitHostPort(a string) (host, port string, err error) {
	if strings.HasPrefix(a, "[") {
		i := strings.IndexByte(a, ']')
		if i < 0 {
			return "", "", fmt.Errorf("%w %q: unterminated IPv6 literal", ErrInvalidHost, abbrev(a))
		}
		host, rest := a[:i+1], a[i+1:]
		if rest == "" {
			return host, "", nil
		}
		if rest[0] != ':' {
			return "", "", fmt.Errorf("%w %q", ErrInvalidHost, abbrev(a))
		}
		return host, rest[1:], nil
	}
	if i := strings.LastIndexByte(a, ':'); i >= 0 {
		return a[:i], a[i+1:], nil
	}
	return a, "", nil
}

// normHost lowercases a host, converts IDNs to punycode and canonicalises
// IPv6 literals. Only letters, digits, '-', '.' and '_' survive.
func normHost(h string) (string, error) {
	if h == "" {
		return "", ErrMissingHost
	}
	if h[0] == '[' {
		addr, err := netip.ParseAddr(h[1 : len(h)-1])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", fmt.Errorf("%w %q: bad IPv6 literal", ErrInvalidHost, abbrev(h))
		}
		return "[" + addr.String() + "]", nil
	}
	if strings.Contains(h, "%") {
		h = unescapeAll(h)
		if !utf8.ValidString(h) {
			return "", fmt.Errorf("%w %q: not UTF-8", ErrInvalidHost, abbrev(h))
		}
	}
	if strings.ContainsFunc(h, unicode.IsSpace) {
		return "", fmt.Errorf("%w %q: contains whitespace", ErrInvalidHost, abbrev(h))
	}
	h = strings.ToLower(h)
	if needsIDNA(h) {
		a, err := idnaProfile.ToASCII(h)
		if err != nil {
			return "", fmt.Errorf("%w %q: %v", ErrInvalidHost, abbrev(h), err)
		}
		// A key must normalize to itself; refuse the rare names whose
		// punycode form does not convert back to the same string.
		if again, err := idnaProfile.ToASCII(a); err != nil || again != a {
			return "", fmt.Errorf("%w %q: unstable IDNA conversion", ErrInvalidHost, abbrev(h))
		}
		h = a
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return "", fmt.Errorf("%w %q: forbidden character %q", ErrInvalidHost, abbrev(h), c)
		}
	}
	if strings.Trim(h, ".") == "" {
		return "", fmt.Errorf("%w %q", ErrInvalidHost, h)
	}
	return h, nil
}

func needsIDNA(h string) bool {
	for i := 0; i < len(h); i++ {
		if h[i] >= utf8.RuneSelf {
			return true
		}
	}
	return strings.HasPrefix(h, "xn--") || strings.Contains(h, ".xn--")
}
