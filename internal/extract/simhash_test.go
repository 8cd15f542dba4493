package extract

import (
	"math/rand/v2"
	"strings"
	"testing"
)

var vocabulary = strings.Fields(`the of and to in is that for it as was with be by on not he this are or
his from at which but have an they you were her she there been one all we their has would when if so
bread flour water salt yeast starter dough oven bake loaf crust crumb knead proof shape score rise
planet star orbit galaxy telescope light year moon comet solar system gravity mass energy space
market price trade stock share bond rate bank money growth demand supply cost profit risk fund`)

// article returns n pseudo-random words; the same seed gives the same text.
func article(seed uint64, n int) []string {
	r := rand.New(rand.NewPCG(seed, 42))
	words := make([]string, n)
	for i := range words {
		words[i] = vocabulary[r.IntN(len(vocabulary))]
	}
	return words
}

func TestSimHashNearDuplicates(t *testing.T) {
	total := 0
	const seeds = 30
	for seed := uint64(1); seed <= seeds; seed++ {
		base := article(seed, 400)
		edited := append([]string(nil), base...)
		// Two words changed in 400 (0.5 %), like a template page with a
		// different date and price.
		r := rand.New(rand.NewPCG(seed, 7))
		for range 2 {
			edited[r.IntN(len(edited))] = "changed"
		}
		d := HammingDistance(SimHash(strings.Join(base, " ")), SimHash(strings.Join(edited, " ")))
		if d >= 10 {
			t.Errorf("seed %d: near-duplicate distance %d, want < 10", seed, d)
		}
		total += d
	}
	if mean := float64(total) / seeds; mean > 5 {
		t.Errorf("mean near-duplicate distance %.1f, want about 3", mean)
	}
}

func TestSimHashUnrelated(t *testing.T) {
	a := SimHash(`Sourdough is bread leavened by a culture of wild yeast and lactic acid
bacteria. Feed the starter the evening before, mix flour and water, rest the dough, add salt,
fold it every half hour, shape it and let it proof overnight in the fridge before baking it in
a very hot covered pot for the best crust and an open crumb.`)
	b := SimHash(`The James Webb Space Telescope observes the universe in infrared light
from an orbit around the second Lagrange point, a million and a half kilometres from Earth.
Its gold-coated mirror collects light from the first galaxies, formed a few hundred million
years after the Big Bang, and from the atmospheres of planets around other stars.`)
	if d := HammingDistance(a, b); d <= 20 {
		t.Errorf("unrelated articles: distance %d, want > 20", d)
	}

	// For unrelated texts each bit differs with probability 1/2: the mean
	// distance is 32 with a standard deviation of 4.
	total := 0
	const pairs = 30
	for seed := uint64(1); seed <= pairs; seed++ {
		d := HammingDistance(SimHash(strings.Join(article(seed, 400), " ")), SimHash(strings.Join(article(seed+1000, 400), " ")))
		if d <= 16 {
			t.Errorf("seed %d: unrelated distance %d, more than 4 standard deviations below 32", seed, d)
		}
		total += d
	}
	if mean := float64(total) / pairs; mean < 29 || mean > 35 {
		t.Errorf("mean unrelated distance %.1f, want about 32", mean)
	}
}

func TestSimHashPage(t *testing.T) {
	text := strings.Join(article(3, 300), " ")
	a := extract("<html><head><title>A</title></head><body><nav>Home About</nav><p>" + text + "</p></body></html>")
	b := extract("<div class=x><p>" + strings.ToUpper(text[:20]) + text[20:] + "</p><footer>Home About</footer></div>")
	if d := HammingDistance(a.SimHash, b.SimHash); d >= 10 {
		t.Errorf("same article in different templates: distance %d", d)
	}
	if a.SimHash != SimHash("Home About "+text) {
		t.Error("Page.SimHash differs from SimHash of the same words")
	}
}

func TestSimHashStable(t *testing.T) {
	// Fingerprints are stored; these values must never change.
	tests := []struct {
		text string
		want uint64
	}{
		{"", 0},
		{"hello", 0xa3f94fec990eb70e},
		{"Hello, World!", 0x1b4aed6b7e8ff9d1},
		{"the quick brown fox jumps over the lazy dog", 0x9633027b5d7c65b2},
		{"日本語の文章です", 0xea68384a85020001},
	}
	for _, tt := range tests {
		if got := SimHash(tt.text); got != tt.want {
			t.Errorf("SimHash(%q) = %#x, want %#x", tt.text, got, tt.want)
		}
	}
	if SimHash("Hello world") != SimHash("hello, WORLD.") {
		t.Error("SimHash should ignore case and punctuation")
	}
}

func TestHammingDistance(t *testing.T) {
	if HammingDistance(0, 0) != 0 || HammingDistance(0, ^uint64(0)) != 64 || HammingDistance(0b1011, 0b0110) != 3 {
		t.Error("HammingDistance")
	}
}

func TestBitCounter(t *testing.T) {
	// Compare the carry-save counter with a naive per-bit count, across
	// flush boundaries and leftovers.
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 7, 8, 9, 255, 256, 257, 1000, 3001} {
		var c bitCounter
		var naive [64]int
		for range n {
			h := r.Uint64()
			c.add(h)
			for i := range naive {
				naive[i] += int(h >> i & 1)
			}
		}
		c.majority()
		if c.counts != naive || c.n != n {
			t.Errorf("n=%d: counts differ", n)
		}
	}
}
