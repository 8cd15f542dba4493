package extract

import (
	"encoding/binary"
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// Byte classes for the word scanner.
const (
	clsOther    byte = iota // ASCII punctuation and controls: ends a word
	clsWord                 // ASCII letter or digit
	clsApos                 // '
	clsNonASCII             // start or continuation of a multi-byte rune
)

var byteClass = func() (t [256]byte) {
	for c := range t {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = clsNonASCII
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[c] = clsWord
		case c == '\'':
			t[c] = clsApos
		}
	}
	return
}()

// maxWordBytes bounds the part of a word that is hashed; longer "words"
// are junk (base64, hashes) and only their prefix matters.
const maxWordBytes = 64

// wordStats consumes the visible text stream in one pass without
// allocating: it counts words and hashes each one (lowercased) into the
// content hash and the SimHash shingler. Most words are ASCII and are
// hashed in place; others are copied into word first.
type wordStats struct {
	words  int
	inWord bool // the current word may continue (across inline tags too)
	apos   bool // apostrophe seen inside a word; kept if a letter follows
	word   [maxWordBytes + 8]byte
	wlen   int    // bytes of the current word, lowercased; may exceed maxWordBytes
	seq    uint64 // running hash of the word sequence
	p1, p2 uint64 // hashes of the previous two words, for shingles
	acc    bitCounter
}

// brk marks a word boundary, e.g. between two block elements.
func (w *wordStats) brk() { w.endWord() }

func (w *wordStats) endWord() {
	w.apos = false
	if w.inWord {
		w.inWord = false
		w.add(hashWord(w.word[:], min(w.wlen, maxWordBytes)))
	}
}

// add records a word's hash. The fast path in write repeats this inline.
func (w *wordStats) add(h uint64) {
	w.words++
	w.seq = (w.seq ^ h) * k1
	if w.words > 2 {
		w.acc.add(w.p1*k1 ^ w.p2*k2 ^ h)
	}
	w.p1, w.p2 = w.p2, h
}

// startLetter prepares the current word for another letter.
func (w *wordStats) startLetter() {
	if !w.inWord {
		w.inWord = true
		w.wlen = 0
	} else if w.apos {
		w.addByte('\'')
	}
	w.apos = false
}

func (w *wordStats) addByte(c byte) {
	if w.wlen < maxWordBytes {
		w.word[w.wlen] = c
	}
	w.wlen++
}

func (w *wordStats) write(s []byte) {
	for i := 0; i < len(s); {
		switch byteClass[s[i]] {
		case clsWord:
			// Fast path, most words: an ASCII word of at most 7 bytes that
			// cannot continue (followed by a space or punctuation, not by an
			// apostrophe, a non-ASCII letter or the token's end), found 8
			// bytes at a time and hashed in place, bookkeeping inlined.
			if !w.inWord && i+8 <= len(s) {
				x := binary.LittleEndian.Uint64(s[i:])
				if n := alnumPrefix(x); n < 8 && byteClass[s[i+n]] == clsOther {
					// x|0x20 lowercases ASCII letters and leaves digits alone.
					h := mix(uint64(n)*k1 ^ (x|0x2020202020202020)&(1<<(8*n)-1))
					w.words++
					w.seq = (w.seq ^ h) * k1
					if w.words > 2 {
						acc := &w.acc
						acc.buf[acc.nbuf&(len(acc.buf)-1)] = w.p1*k1 ^ w.p2*k2 ^ h
						if acc.nbuf++; acc.nbuf == len(acc.buf) {
							acc.flush()
						}
					}
					w.p1, w.p2 = w.p2, h
					i += n + 1 // s[i+n] only ends the word, which is done
					continue
				}
			}
			j := i + 1
			for j < len(s) && byteClass[s[j]] == clsWord {
				j++
			}
			w.startLetter()
			for _, c := range s[i:j] {
				w.addByte(c | 0x20)
			}
			i = j
		case clsApos:
			w.apostrophe()
			i++
		case clsOther:
			if w.inWord {
				w.endWord()
			}
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			w.nonASCII(r)
			i += size
		}
	}
}

func (w *wordStats) nonASCII(r rune) {
	switch {
	case isCJK(r):
		w.endWord()
		w.inWord = true
		w.wlen = 0
		w.addRune(r)
		w.endWord()
	case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r):
		w.startLetter()
		w.addRune(unicode.ToLower(r))
	case r == '\u2019':
		w.apostrophe()
	case unicode.Is(unicode.Cf, r):
		// Soft hyphens and joiners do not split words.
	default:
		w.endWord()
	}
}

func (w *wordStats) addRune(r rune) {
	var buf [utf8.UTFMax]byte
	for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
		w.addByte(c)
	}
}

func (w *wordStats) apostrophe() {
	if w.inWord && !w.apos {
		w.apos = true
		return
	}
	w.endWord()
}

// finish returns the word count, content hash and SimHash.
func (w *wordStats) finish() (words int, hash, sim uint64) {
	w.endWord()
	if w.words == 0 {
		return 0, 0, 0
	}
	switch w.words {
	case 1:
		w.acc.add(w.p2)
	case 2:
		w.acc.add(w.p1*k2 ^ w.p2)
	}
	return w.words, mix(w.seq ^ uint64(w.words)), w.acc.majority()
}

// hashWord hashes the first n bytes of b (n <= len(b)-8 is not required:
// b has 8 bytes of slack). Definition: h = n*K1, then for each 8-byte
// little-endian chunk c, the last one zero-padded, h = m(h ^ c), m being
// the SplitMix64 finalizer.
func hashWord(b []byte, n int) uint64 {
	h := uint64(n) * k1
	for k := 0; k < n; k += 8 {
		c := binary.LittleEndian.Uint64(b[k:])
		if rem := n - k; rem < 8 {
			c &= 1<<(8*rem) - 1 // bytes past the word are stale
		}
		h = mix(h ^ c)
	}
	return h
}

// alnumPrefix returns how many of the 8 bytes in x (little-endian), from
// the first, are ASCII letters or digits: a SWAR range check on all bytes
// at once. The high bits are cleared first so the additions cannot carry
// into the next byte; bytes that had them (non-ASCII) never match.
func alnumPrefix(x uint64) int {
	const hi = 0x8080808080808080
	x7 := x &^ hi
	l := x7 | 0x2020202020202020                                    // lowercase
	letter := (l + 0x1f1f1f1f1f1f1f1f) &^ (l + 0x0505050505050505)  // 'a' <= l <= 'z'
	digit := (x7 + 0x5050505050505050) &^ (x7 + 0x4646464646464646) // '0' <= x <= '9'
	m := (letter | digit) &^ x & hi
	return bits.TrailingZeros64(^m&hi) / 8
}

// hashBytes is hashWord for any byte string.
func hashBytes(b []byte) uint64 {
	h := uint64(len(b)) * k1
	for ; len(b) >= 8; b = b[8:] {
		h = mix(h ^ binary.LittleEndian.Uint64(b))
	}
	if len(b) > 0 {
		var c uint64
		for i, x := range b {
			c |= uint64(x) << (8 * i)
		}
		h = mix(h ^ c)
	}
	return h
}

// isCJK reports scripts written without spaces between words, counted one
// word per character: Han ideographs, hiragana and katakana.
func isCJK(r rune) bool {
	switch {
	case r < 0x2e80:
		return false
	case 0x3040 <= r && r <= 0x30ff, 0x31f0 <= r && r <= 0x31ff, 0xff66 <= r && r <= 0xff9f:
		return true
	}
	return unicode.Is(unicode.Han, r)
}
