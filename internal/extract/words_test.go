package extract

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAlnumPrefix(t *testing.T) {
	for _, s := range []string{
		"abcdefgh", "abc defg", "Zz09:xyz", "a\xc3\xa9bcdef", "@[`{/:AZ", "x'yz abc",
		"12345678", "\x00abcdefg", "ab\x7fcdefg", "a\xffbcdefg",
	} {
		want := 0
		for want < 8 && byteClass[s[want]] == clsWord {
			want++
		}
		x := uint64(0)
		for i := 7; i >= 0; i-- {
			x = x<<8 | uint64(s[i])
		}
		if got := alnumPrefix(x); got != want {
			t.Errorf("alnumPrefix(%q) = %d, want %d", s, got, want)
		}
	}
	for c := range 256 {
		want := 0
		if byteClass[c] == clsWord {
			want = 1
		}
		if got := alnumPrefix(uint64(c) | 0x2020202020202000); got != want {
			t.Errorf("byte %#x: got %d, want %d", c, got, want)
		}
	}
}

// The fast path (words hashed in place) and the slow path (words copied
// first) must agree, wherever the text is split.
func TestWordPathsAgree(t *testing.T) {
	text := "Short words and Extraordinarily long ones, digits 12345 and MiXeD CaSe; " +
		"café naïve don't 日本語 x y z end"
	var whole wordStats
	whole.write([]byte(text + " "))
	for split := 1; split < len(text); split++ {
		if !utf8.RuneStart(text[split]) {
			continue // text tokens end at '<', never inside a rune
		}
		var w wordStats
		w.write([]byte(text[:split]))
		w.brk() // a block tag between the halves only adds a boundary...
		w.write([]byte(text[split:] + " "))
		var joined wordStats
		joined.write([]byte(text[:split])) // ...an inline one adds none
		joined.write([]byte(text[split:] + " "))
		n1, h1, s1 := whole.finishCopy()
		n3, h3, s3 := joined.finishCopy()
		if n1 != n3 || h1 != h3 || s1 != s3 {
			t.Fatalf("split at %d changes the result", split)
		}
		if n2, _, _ := w.finishCopy(); n2 < n1 {
			t.Fatalf("split at %d loses words", split)
		}
	}
}

func (w wordStats) finishCopy() (int, uint64, uint64) { return w.finish() }

var prose = []byte(strings.Repeat(`Sourdough is bread leavened by a culture of wild yeast and lactic acid bacteria rather than commercial yeast. The flavour depends on the flour, the hydration of the dough and the temperature of your kitchen, so every loaf is a little different. Feed your starter the evening before, and use it at its peak when it has doubled & smells sweet. See our guide to topic 12 for details.
`, 40))

// BenchmarkWords measures the visible-text pass alone on English prose.
func BenchmarkWords(b *testing.B) {
	b.SetBytes(int64(len(prose)))
	for b.Loop() {
		var w wordStats
		w.write(prose)
		w.finish()
	}
}
