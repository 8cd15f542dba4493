package extract

import (
	"bytes"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Tokenizer.TagName and TagAttr copy their results on every call (to
// replace NUL bytes), which would be several allocations per tag. Instead
// tags are read from Tokenizer.Raw, which is free, with the same rules the
// tokenizer uses (FuzzTokenizerAgreement checks this). Character
// references are decoded in place (entity.go); only rare ones go through
// TagAttr.

type attr struct {
	key, val []byte
	decoded  bool // val was decoded in place
}

// tagReader holds the current tag; its attributes are parsed on the first
// lookup, since most tags (div, span, p without id) need none. The slices
// point into the tokenizer's buffer and are valid until the next Next.
type tagReader struct {
	z       *html.Tokenizer
	tag     []byte // raw tag
	nameEnd int
	parsed  bool
	attrs   []attr
	decoded []attr // from TagAttr, filled on first need
	didDec  bool
	name    [16]byte
}

func isTagSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

// read takes raw ("<name ...>" or "</name ...>") and returns the tag's atom
// (0 for unknown elements).
func (t *tagReader) read(raw []byte, end bool) atom.Atom {
	t.tag, t.parsed, t.didDec = raw, end, false
	t.attrs = t.attrs[:0]
	i := 1
	if end {
		i = 2
	}
	start := i
	for i < len(raw) && !isTagSpace(raw[i]) && raw[i] != '/' && raw[i] != '>' {
		i++
	}
	t.nameEnd = i
	n := i - start
	if n > len(t.name) {
		return 0
	}
	for j := 0; j < n; j++ {
		c := raw[start+j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		t.name[j] = c
	}
	return atom.Lookup(t.name[:n])
}

// mayHaveID is a cheap filter before parsing attributes just for the id:
// false if no "id" (any case) occurs in the tag's attributes.
func (t *tagReader) mayHaveID() bool {
	b := t.tag[t.nameEnd:]
	for _, d := range [2]byte{'d', 'D'} {
		for k := 1; k < len(b); k++ {
			j := bytes.IndexByte(b[k:], d)
			if j < 0 {
				break
			}
			if k += j; b[k-1]|0x20 == 'i' {
				return true
			}
		}
	}
	return false
}

// scanAttrs mirrors Tokenizer.readTag / readTagAttrKey / readTagAttrVal.
func (t *tagReader) scanAttrs() {
	t.parsed = true
	raw, i := t.tag, t.nameEnd
	n := len(raw)
	skip := func() {
		for i < n && isTagSpace(raw[i]) {
			i++
		}
	}
	for {
		skip()
		if i >= n || raw[i] == '>' {
			return
		}
		ks := i
		for i < n {
			c := raw[i]
			i++
			if c == '=' && ks+1 == i {
				continue // a leading '=' belongs to the name
			}
			if c == '=' || c == '/' || c == '>' || isTagSpace(c) {
				i--
				break
			}
		}
		ke := i
		vs, ve := i, i
		skip()
		if i < n {
			c := raw[i]
			i++
			switch {
			case c == '/':
			case c != '=':
				i--
			default:
				skip()
				if i < n {
					q := raw[i]
					i++
					switch q {
					case '>':
						i--
					case '"', '\'':
						vs = i
						if k := bytes.IndexByte(raw[i:], q); k >= 0 {
							i += k
						} else {
							i = n
						}
						ve = i
						if i < n {
							i++
						}
					default:
						vs = i - 1
						for i < n && !isTagSpace(raw[i]) && raw[i] != '>' {
							i++
						}
						ve = i
					}
				}
			}
		}
		if ke > ks {
			t.attrs = append(t.attrs, attr{key: raw[ks:ke], val: raw[vs:ve]})
		}
	}
}

// raw returns the value of the first attribute named key without decoding
// character references, for values where they do not matter (id, rel,
// type, width).
func (t *tagReader) raw(key string) ([]byte, bool) {
	if i := t.index(key); i >= 0 {
		return t.attrs[i].val, true
	}
	return nil, false
}

// value returns the first attribute named key with character references
// decoded.
func (t *tagReader) value(key string) ([]byte, bool) {
	i := t.index(key)
	if i < 0 {
		return nil, false
	}
	v := t.attrs[i].val
	if t.attrs[i].decoded || bytes.IndexByte(v, '&') < 0 {
		return v, true
	}
	if dec, ok := decodeInPlace(v, true); ok {
		t.attrs[i].val, t.attrs[i].decoded = dec, true // never decode twice
		return dec, true
	}
	if !t.didDec {
		t.didDec = true
		t.decoded = t.decoded[:0]
		for more := true; more; {
			var k, v []byte
			k, v, more = t.z.TagAttr()
			if k != nil {
				t.decoded = append(t.decoded, attr{key: k, val: v})
			}
		}
	}
	for _, a := range t.decoded {
		if string(a.key) == key {
			return a.val, true
		}
	}
	return v, true
}

func (t *tagReader) index(key string) int {
	if !t.parsed {
		t.scanAttrs()
	}
	for i, a := range t.attrs {
		if eqFold(a.key, key) {
			return i
		}
	}
	return -1
}

// eqFold compares b with a lowercase ASCII string, ignoring ASCII case.
func eqFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// trimSpace trims HTML (ASCII) whitespace.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isTagSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isTagSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// forEachToken calls fn for each whitespace-separated token of a list
// attribute such as rel.
func forEachToken(b []byte, fn func(tok []byte)) {
	for len(b) > 0 {
		i := 0
		for i < len(b) && isTagSpace(b[i]) {
			i++
		}
		j := i
		for j < len(b) && !isTagSpace(b[j]) {
			j++
		}
		if j > i {
			fn(b[i:j])
		}
		b = b[j:]
	}
}
