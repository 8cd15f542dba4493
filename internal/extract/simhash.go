package extract

import "math/bits"

// SimHash returns the 64-bit SimHash of text's word 3-shingles, computed
// exactly as for Page.SimHash.
//
// Definition (stable across processes and releases; changing it
// invalidates stored fingerprints): words are found as for Page.WordCount
// and lowercased (unicode.ToLower). A word's hash is h = n*K1 followed,
// for each 8-byte little-endian chunk c of its first n <= 64 UTF-8 bytes
// (the last chunk zero-padded), by h = m(h ^ c), where m is the SplitMix64
// finalizer. The shingle of consecutive words a b c hashes to
// a*K1 ^ b*K2 ^ c, with K1 = 0x9e3779b97f4a7c15, K2 = 0xc2b2ae3d27d4eb4f
// and arithmetic mod 2^64; a text of one or two words is one shingle with
// the missing leading words taken as 0. Bit i of the SimHash is set when
// more than half of the shingle hashes have bit i set. No words gives 0.
func SimHash(text string) uint64 {
	var w wordStats
	w.write([]byte(text))
	_, _, sim := w.finish()
	return sim
}

// HammingDistance returns the number of differing bits. On 400-word texts
// the mean distance is about 3 when 0.5 % of the words differ, 7 at 2 %
// and 10 at 4 % (each changed word alters three shingles); unrelated texts
// average 32 with a standard deviation of 4. A threshold around 8-10 bits
// approximates "90 % similar".
func HammingDistance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

const (
	k1 = 0x9e3779b97f4a7c15
	k2 = 0xc2b2ae3d27d4eb4f
)

// mix is the SplitMix64 finalizer: every output bit depends on every
// input bit, so SimHash bit positions are unbiased.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// bitCounter counts, for each of the 64 bit positions, how many added
// values had that bit set. Counting bit by bit would cost 64 operations
// per value; instead values are buffered and summed as bit planes with
// carry-save adders (Harley-Seal), so each bit position is touched once
// per eight values.
type bitCounter struct {
	buf    [256]uint64
	nbuf   int
	counts [64]int
	n      int
}

func (c *bitCounter) add(h uint64) {
	c.buf[c.nbuf&(len(c.buf)-1)] = h
	if c.nbuf++; c.nbuf == len(c.buf) {
		c.flush()
	}
}

// csa is a carry-save adder on bit planes: for each bit position it adds
// a+b+d and returns the carry (high) and sum (low) bits.
func csa(a, b, d uint64) (high, low uint64) {
	u := a ^ b
	return a&b | u&d, u ^ d
}

// spread[b] has byte lane j set to bit j of b.
var spread = func() (t [256]uint64) {
	for b := range t {
		for j := 0; j < 8; j++ {
			if b>>j&1 == 1 {
				t[b] |= 1 << (8 * j)
			}
		}
	}
	return
}()

func (c *bitCounter) flush() {
	b := c.buf[:c.nbuf]
	c.n += len(b)
	c.nbuf = 0
	var ones, twos, fours uint64
	// Eights are counted in 8-bit lanes: at most 32 per flush, no overflow.
	var l0, l1, l2, l3, l4, l5, l6, l7 uint64
	for ; len(b) >= 8; b = b[8:] {
		twosA, o := csa(ones, b[0], b[1])
		twosB, o := csa(o, b[2], b[3])
		foursA, t := csa(twos, twosA, twosB)
		twosA, o = csa(o, b[4], b[5])
		twosB, ones = csa(o, b[6], b[7])
		foursB, t2 := csa(t, twosA, twosB)
		twos = t2
		eights, f := csa(fours, foursA, foursB)
		fours = f
		l0 += spread[byte(eights)]
		l1 += spread[byte(eights>>8)]
		l2 += spread[byte(eights>>16)]
		l3 += spread[byte(eights>>24)]
		l4 += spread[byte(eights>>32)]
		l5 += spread[byte(eights>>40)]
		l6 += spread[byte(eights>>48)]
		l7 += spread[byte(eights>>56)]
	}
	lanes := [8]uint64{l0, l1, l2, l3, l4, l5, l6, l7}
	for i := range c.counts {
		n := 8*int(lanes[i/8]>>(8*(i%8))&0xff) +
			4*int(fours>>i&1) + 2*int(twos>>i&1) + int(ones>>i&1)
		for _, h := range b { // fewer than 8 left over
			n += int(h >> i & 1)
		}
		c.counts[i] += n
	}
}

func (c *bitCounter) majority() uint64 {
	c.flush()
	var v uint64
	for i, n := range c.counts {
		if 2*n > c.n {
			v |= 1 << i
		}
	}
	return v
}
