package audit

import (
	"math/bits"
	"slices"
	"strings"
)

// DupPage is the part of a page that duplicate detection reads. The caller
// passes only the pages that should be compared — normally the indexable
// pages, because a duplicate that is noindex or canonicalised elsewhere is
// already handled and reporting it again is noise. ContentHash and SimHash
// are the uint64 bits stored as int64 in the store.
type DupPage struct {
	ID                   int64
	Title, Description   string
	H1                   string
	ContentHash, SimHash uint64
}

// Field selectors for DuplicateClusters.
var (
	ByTitle       = func(p DupPage) string { return p.Title }
	ByDescription = func(p DupPage) string { return p.Description }
	ByH1          = func(p DupPage) string { return p.H1 }
)

// DefaultNearDistance is the usual NearDuplicates threshold: 3 differing
// bits out of 64 is about 95 % similarity of the fingerprints.
const DefaultNearDistance = 3

// NormalizeText is the comparison key of DuplicateClusters: surrounding
// white space removed and inner runs of white space collapsed to one space,
// because browsers and search-result pages render them identically; case is
// kept, because "Shoes" and "SHOES" display differently in a search result
// and a title in capitals is a deliberate choice, not a copy.
func NormalizeText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// DuplicateClusters groups pages sharing the same non-empty value of field
// (compared after NormalizeText: white space collapsed, case-sensitive).
// Only groups of two pages or more are returned; each group is sorted by id
// and groups are ordered by their first id. Empty values are skipped: a
// missing title is its own finding, not a duplicate.
func DuplicateClusters(pages []DupPage, field func(DupPage) string) [][]int64 {
	groups := map[string][]int64{}
	for _, p := range pages {
		if v := NormalizeText(field(p)); v != "" {
			groups[v] = append(groups[v], p.ID)
		}
	}
	return collect(groups)
}

// ExactDuplicates groups pages with the same non-zero ContentHash (0 means
// no content was hashed: not crawled, not HTML or empty). Groups have two
// pages or more, sorted as in DuplicateClusters.
func ExactDuplicates(pages []DupPage) [][]int64 {
	groups := map[uint64][]int64{}
	for _, p := range pages {
		if p.ContentHash != 0 {
			groups[p.ContentHash] = append(groups[p.ContentHash], p.ID)
		}
	}
	return collect(groups)
}

// collect returns the groups of at least two distinct ids, sorted.
func collect[K comparable](groups map[K][]int64) [][]int64 {
	var out [][]int64
	for _, ids := range groups {
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) >= 2 {
			out = append(out, ids)
		}
	}
	slices.SortFunc(out, func(a, b []int64) int { return cmpInt64(a[0], b[0]) })
	return out
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// NearDuplicates groups pages whose SimHash fingerprints differ in at most
// maxDistance bits (Hamming distance; a negative value means
// DefaultNearDistance). Pages are clustered transitively (union-find): if A
// is near B and B near C, A, B and C form one cluster. SimHash 0 means no
// fingerprint and the page is skipped.
//
// Exact duplicates count once: pages sharing a non-zero ContentHash are
// represented by their lowest id, so the pairs ExactDuplicates reports are
// not repeated here, and a cluster made only of exact copies of one page is
// not reported at all. A near cluster lists one id per distinct content;
// the other copies are found through ExactDuplicates.
//
// It scales to 100,000 pages and more without comparing every pair, by the
// pigeonhole principle: split the 64 bits into maxDistance+1 blocks; two
// fingerprints that differ in at most maxDistance bits cannot differ in
// every block, so they are equal on at least one block. Fingerprints are
// bucketed by each block in turn and only fingerprints of the same bucket are
// compared. Identical fingerprints are merged first, so that many copies of
// one template do not make a bucket quadratic.
//
// Clusters have two ids or more, each sorted, ordered by their first id.
func NearDuplicates(pages []DupPage, maxDistance int) [][]int64 {
	if maxDistance < 0 {
		maxDistance = DefaultNearDistance
	}

	// Distinct fingerprints: fps[i] with the page indexes holding it.
	var fps []uint64
	fpIndex := map[uint64]int{}
	var holders [][]int // page index lists per fingerprint
	var idx []int       // indexes into pages of the pages with a fingerprint
	for i, p := range pages {
		if p.SimHash == 0 {
			continue
		}
		idx = append(idx, i)
		f, ok := fpIndex[p.SimHash]
		if !ok {
			f = len(fps)
			fpIndex[p.SimHash] = f
			fps = append(fps, p.SimHash)
			holders = append(holders, nil)
		}
		holders[f] = append(holders[f], i)
	}

	// Union-find over the distinct fingerprints.
	uf := newUnionFind(len(fps))
	if maxDistance >= 64 {
		// Every pair is within distance: pigeonhole needs 65 blocks of a
		// 64-bit value, which do not exist.
		for f := 1; f < len(fps); f++ {
			uf.union(0, f)
		}
	} else {
		nearPairs(fps, maxDistance, uf)
	}

	// Representative per exact content: the lowest id among the pages
	// sharing a ContentHash (pages without one stand for themselves). Exact
	// copies are also joined in the union-find, so that a representative
	// lands in a single cluster even if its copies' fingerprints differ.
	repOf := map[uint64]int64{}
	fpOf := map[uint64]int{}
	for _, i := range idx {
		p := pages[i]
		if p.ContentHash == 0 {
			continue
		}
		if r, ok := repOf[p.ContentHash]; !ok || p.ID < r {
			repOf[p.ContentHash] = p.ID
		}
		f := fpIndex[p.SimHash]
		if g, ok := fpOf[p.ContentHash]; ok {
			uf.union(f, g)
		} else {
			fpOf[p.ContentHash] = f
		}
	}

	clusters := map[int][]int64{}
	for f, hs := range holders {
		root := uf.find(f)
		if len(hs) == 1 && uf.size[root] == 1 {
			continue // a lone fingerprint held by one page: no cluster
		}
		for _, i := range hs {
			p := pages[i]
			id := p.ID
			if p.ContentHash != 0 {
				id = repOf[p.ContentHash]
			}
			clusters[root] = append(clusters[root], id)
		}
	}
	return collect(clusters)
}

// nearPairs unions every pair of fingerprints within maxDistance (< 64),
// comparing only fingerprints that agree on one of maxDistance+1 blocks.
func nearPairs(fps []uint64, maxDistance int, uf *unionFind) {
	blocks := maxDistance + 1
	type keyed struct {
		key uint64
		f   int32
	}
	buf := make([]keyed, len(fps))
	shift := 0
	for b := 0; b < blocks; b++ {
		// Widths differ by at most one bit: the first 64%blocks blocks
		// take one extra bit.
		width := 64 / blocks
		if b < 64%blocks {
			width++
		}
		mask := ^uint64(0) // one block of 64 bits when maxDistance is 0
		if width < 64 {
			mask = uint64(1)<<width - 1
		}
		for f, h := range fps {
			buf[f] = keyed{h >> shift & mask, int32(f)}
		}
		shift += width
		slices.SortFunc(buf, func(a, b keyed) int {
			switch {
			case a.key < b.key:
				return -1
			case a.key > b.key:
				return 1
			}
			return int(a.f - b.f)
		})
		for lo := 0; lo < len(buf); {
			hi := lo + 1
			for hi < len(buf) && buf[hi].key == buf[lo].key {
				hi++
			}
			for i := lo; i < hi; i++ {
				fi := int(buf[i].f)
				for j := i + 1; j < hi; j++ {
					fj := int(buf[j].f)
					if bits.OnesCount64(fps[fi]^fps[fj]) <= maxDistance {
						uf.union(fi, fj)
					}
				}
			}
			lo = hi
		}
	}
}

// unionFind is a disjoint-set forest with path halving and union by size.
type unionFind struct {
	parent, size []int
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int, n), size: make([]int, n)}
	for i := range u.parent {
		u.parent[i] = i
		u.size[i] = 1
	}
	return u
}

func (u *unionFind) find(x int) int {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) union(a, b int) {
	a, b = u.find(a), u.find(b)
	if a == b {
		return
	}
	if u.size[a] < u.size[b] {
		a, b = b, a
	}
	u.parent[b] = a
	u.size[a] += u.size[b]
}
