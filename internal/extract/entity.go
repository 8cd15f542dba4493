package extract

import (
	"bytes"
	"unicode/utf8"
)

// Attribute values and text are decoded in place, in the tokenizer's
// buffer, for the references that make up nearly all real pages: &amp; &lt; &gt;
// &quot; &apos; &nbsp;, numeric references, and a bare '&' as in
// "?a=1&b=2". Anything else (other named references, legacy names without
// ';') returns false and the caller falls back to Tokenizer.TagAttr or
// Text, so results always match the tokenizer's own decoding. In-place works
// because every decoded reference is no longer than its source text.

// decodeRef decodes the reference at s[0] == '&', in an attribute value
// if attr. It returns the decoded bytes in out (nil for a literal '&'), the
// length consumed, and false if the reference needs the full entity table.
func decodeRef(s []byte, attr bool, out *[utf8.UTFMax]byte) (dec []byte, n int, ok bool) {
	if len(s) < 2 {
		return nil, 1, true
	}
	if s[1] == '#' {
		return decodeNumeric(s, out)
	}
	i := 1
	for i < len(s) && isAlnum(s[i]) {
		i++
	}
	if i == 1 {
		return nil, 1, true // "& " or "&=": not a reference
	}
	if i == len(s) || s[i] != ';' {
		if attr && i < len(s) && s[i] == '=' {
			return nil, 1, true // "?a=1&b=2": attributes leave this alone
		}
		return nil, 0, false
	}
	var c byte
	switch string(s[1:i]) {
	case "amp":
		c = '&'
	case "lt":
		c = '<'
	case "gt":
		c = '>'
	case "quot":
		c = '"'
	case "apos":
		c = '\''
	case "nbsp":
		return append(out[:0], "\u00a0"...), i + 1, true
	default:
		return nil, 0, false
	}
	out[0] = c
	return out[:1], i + 1, true
}

func decodeNumeric(s []byte, out *[utf8.UTFMax]byte) ([]byte, int, bool) {
	i := 2
	hex := i < len(s) && (s[i] == 'x' || s[i] == 'X')
	if hex {
		i++
	}
	start := i
	x := rune(0)
	for ; i < len(s); i++ {
		d, ok := digitVal(s[i], hex)
		if !ok {
			break
		}
		if x <= utf8.MaxRune {
			if hex {
				x = x*16 + d
			} else {
				x = x*10 + d
			}
		}
	}
	if i == start {
		return nil, 1, true
	}
	if i < len(s) && s[i] == ';' {
		i++
	}
	switch {
	case 0x80 <= x && x <= 0x9f:
		return nil, 0, false // windows-1252 remapping table
	case x == 0 || 0xd800 <= x && x <= 0xdfff || x > utf8.MaxRune:
		x = utf8.RuneError
	}
	return out[:utf8.EncodeRune(out[:], x)], i, true
}

func digitVal(c byte, hex bool) (rune, bool) {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0'), true
	case hex && 'a' <= c && c <= 'f':
		return rune(c-'a') + 10, true
	case hex && 'A' <= c && c <= 'F':
		return rune(c-'A') + 10, true
	}
	return 0, false
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// decodeInPlace decodes v's references into v itself, or reports false
// (leaving v untouched) if some reference is beyond decodeRef.
func decodeInPlace(v []byte, attr bool) ([]byte, bool) {
	var out [utf8.UTFMax]byte
	for i := 0; ; {
		k := bytes.IndexByte(v[i:], '&')
		if k < 0 {
			break
		}
		i += k
		_, n, ok := decodeRef(v[i:], attr, &out)
		if !ok {
			return v, false
		}
		i += n
	}
	w := 0
	for i := 0; i < len(v); {
		k := bytes.IndexByte(v[i:], '&')
		if k < 0 {
			k = len(v) - i
		}
		w += copy(v[w:], v[i:i+k])
		if i += k; i == len(v) {
			break
		}
		dec, n, _ := decodeRef(v[i:], attr, &out)
		if dec == nil {
			dec = v[i : i+1] // literal '&'
		}
		w += copy(v[w:], dec)
		i += n
	}
	return v[:w], true
}
