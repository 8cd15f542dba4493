package extract

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// textBuf collects whitespace-collapsed text up to max runes. It keeps
// counting runes past the cap so lengths stay exact. Invalid UTF-8 becomes
// U+FFFD and control characters (including NUL) are dropped, so the result
// is always safe to store.
type textBuf struct {
	b     []byte
	runes int // runes stored
	total int // runes seen, collapsed
	max   int
	space bool // whitespace pending
}

func (t *textBuf) reset(max int) {
	t.b = t.b[:0]
	t.runes, t.total, t.max, t.space = 0, 0, max, false
}

// brk marks a word boundary, e.g. between two block elements.
func (t *textBuf) brk() {
	if t.total > 0 {
		t.space = true
	}
}

func (t *textBuf) write(s []byte) {
	for i := 0; i < len(s); {
		// Fast path: a run of printable ASCII other than space.
		j := i
		for j < len(s) && s[j] > ' ' && s[j] < 0x7f {
			j++
		}
		if j > i {
			if t.space {
				t.space = false
				t.total++
				if t.runes+1 < t.max {
					t.b = append(t.b, ' ')
					t.runes++
				} else {
					t.runes = t.max
				}
			}
			n := min(j-i, t.max-t.runes)
			t.b = append(t.b, s[i:i+n]...)
			t.runes += n
			t.total += j - i
			i = j
			continue
		}
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(s[i:])
		}
		i += size
		if isSpace(r) {
			t.brk()
			continue
		}
		if r < ' ' || r == 0x7f || 0x80 <= r && r < 0xa0 {
			continue
		}
		if t.space {
			t.space = false
			t.total++
			if t.runes+1 < t.max {
				t.b = append(t.b, ' ')
				t.runes++
			} else {
				t.runes = t.max
			}
		}
		t.total++
		if t.runes < t.max {
			t.b = utf8.AppendRune(t.b, r)
			t.runes++
		}
	}
}

func (t *textBuf) String() string { return string(t.b) }

func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || '\t' <= r && r <= '\r'
	}
	return unicode.IsSpace(r)
}

// collapse returns s whitespace-collapsed and capped at max runes.
func collapse(s []byte, max int) string {
	var t textBuf
	str, _ := t.collapse(s, max)
	return str
}

// collapse is the package collapse reusing t's buffer; it also returns
// the rune count before capping.
func (t *textBuf) collapse(s []byte, max int) (string, int) {
	t.reset(max)
	t.write(s)
	return t.String(), t.total
}

// cleanURL converts an attribute value to a string of at most max bytes,
// cut at a rune boundary; invalid UTF-8 and NUL become U+FFFD, as browsers
// read NUL in attribute values.
func cleanURL(b []byte, max int) (s string, truncated bool) {
	if len(b) > max {
		i := max
		for i > 0 && i > max-utf8.UTFMax && !utf8.RuneStart(b[i]) {
			i--
		}
		b, truncated = b[:i], true
	}
	if bytes.IndexByte(b, 0) < 0 && utf8.Valid(b) {
		return string(b), truncated
	}
	out := make([]byte, 0, len(b)+8)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		i += size
		if r == 0 {
			r = utf8.RuneError
		}
		if len(out)+utf8.RuneLen(r) > max {
			return string(out), true // replacements made it longer
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out), truncated
}
