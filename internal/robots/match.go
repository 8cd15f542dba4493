package robots

import "strings"

// rule is an Allow or Disallow pattern compiled for matching.
type rule struct {
	// segs is the pattern split on "*", without a final anchoring "$":
	// segs[0] must be a prefix of the path and the others must follow in
	// order. A pattern without "*" is a single segment, a plain prefix test.
	segs     []string
	anchored bool // the pattern ended in "$"
	allow    bool
	length   int // precedence: the normalised pattern's length in bytes
}

// newRule compiles a non-empty pattern that has already been escaped.
func newRule(pattern string, allow bool) rule {
	r := rule{allow: allow, length: len(pattern)}
	// Only a final "$" is special; elsewhere it is a literal byte.
	if p, ok := strings.CutSuffix(pattern, "$"); ok {
		pattern, r.anchored = p, true
	}
	r.segs = strings.Split(pattern, "*")
	return r
}

// match reports whether r matches the normalised path p.
func (r *rule) match(p string) bool {
	s := r.segs
	if !strings.HasPrefix(p, s[0]) {
		return false
	}
	if len(s) == 1 {
		return !r.anchored || len(p) == len(s[0])
	}
	p = p[len(s[0]):]
	// Taking each middle segment at its leftmost occurrence leaves the
	// longest possible rest for the segments after it, so no backtracking
	// is needed.
	last := len(s) - 1
	for _, seg := range s[1:last] {
		i := strings.Index(p, seg)
		if i < 0 {
			return false
		}
		p = p[i+len(seg):]
	}
	if r.anchored {
		return strings.HasSuffix(p, s[last])
	}
	return strings.Contains(p, s[last])
}

// escape normalises a pattern or path as Google normalises patterns: bytes
// outside ASCII are percent-encoded and the hex digits of existing %xx escapes
// are upper-cased. Nothing is decoded. It returns s itself when s is already
// normal, which is the common case, so that matching does not allocate.
func escape(s string) string {
	extra, dirty := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			dirty = dirty || isLowerHex(s[i+1]) || isLowerHex(s[i+2])
			i += 2
		case c >= 0x80:
			extra += 2
		}
	}
	if extra == 0 && !dirty {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+extra)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, '%', upper(s[i+1]), upper(s[i+2]))
			i += 2
		case c >= 0x80:
			b = append(b, '%', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isLowerHex(c byte) bool { return 'a' <= c && c <= 'f' }

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}
