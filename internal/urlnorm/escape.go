package urlnorm

import "strings"

// pathKeep and queryKeep mark the bytes written unescaped. Anything else is
// percent-encoded. The path set is what net/url accepts verbatim in a path,
// so keys round-trip through url.Parse; the query set additionally allows
// "/", "?" and friends but still encodes bytes browsers would encode or
// that net/http would refuse (controls, space, quotes, non-ASCII).
var pathKeep, queryKeep [256]bool

func init() {
	for c := 'a'; c <= 'z'; c++ {
		pathKeep[c], pathKeep[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		pathKeep[c] = true
	}
	for _, c := range "-._~!$&'()*+,;=:@/[]" {
		pathKeep[c] = true
	}
	queryKeep = pathKeep
	queryKeep['?'] = true
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

const upperHex = "0123456789ABCDEF"

// writeEscaped writes s with canonical percent-encoding: valid escapes get
// uppercase hex, escapes of unreserved bytes are decoded, a '%' that does
// not start a valid escape becomes "%25" (net/url rejects it otherwise),
// and bytes outside keep are encoded. With slashes, '\' is written as '/'
// as browsers do in http(s) paths.
func writeEscaped(b *strings.Builder, s string, keep *[256]bool, slashes bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				if d := hi<<4 | lo; isUnreserved(d) {
					b.WriteByte(d)
				} else {
					b.WriteByte('%')
					b.WriteByte(upperHex[hi])
					b.WriteByte(upperHex[lo])
				}
				i += 2
				continue
			}
		}
		if c == '\\' && slashes {
			c = '/'
		}
		if keep[c] {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
}

// unescapeAll decodes every valid escape and leaves anything else alone.
func unescapeAll(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b.WriteByte(hi<<4 | lo)
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
