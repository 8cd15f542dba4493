package audit

import (
	"math/bits"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestDuplicateClusters(t *testing.T) {
	pages := []DupPage{
		{ID: 5, Title: "Red shoes", Description: "Buy shoes", H1: "Shoes"},
		{ID: 1, Title: "  Red\tshoes\n", Description: "", H1: "Shoes"},
		{ID: 3, Title: "Red Shoes", Description: "  ", H1: "shoes"}, // case differs: not a duplicate
		{ID: 4, Title: "Blue shoes", Description: "Buy shoes", H1: ""},
		{ID: 2, Title: "Blue  shoes", Description: "Buy  shoes ", H1: ""},
		{ID: 6, Title: "", Description: "Unique", H1: ""},
		{ID: 7, Title: "", Description: "", H1: "Shoes"},
	}
	cases := []struct {
		name  string
		field func(DupPage) string
		want  [][]int64
	}{
		{"title", ByTitle, [][]int64{{1, 5}, {2, 4}}},
		{"description", ByDescription, [][]int64{{2, 4, 5}}},
		{"h1", ByH1, [][]int64{{1, 5, 7}}},
	}
	for _, c := range cases {
		if got := DuplicateClusters(pages, c.field); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s clusters = %v, want %v", c.name, got, c.want)
		}
	}
	if got := DuplicateClusters(nil, ByTitle); len(got) != 0 {
		t.Errorf("no pages: %v", got)
	}
}

func TestExactDuplicates(t *testing.T) {
	pages := []DupPage{
		{ID: 4, ContentHash: 0xAA}, {ID: 1, ContentHash: 0xAA}, {ID: 9, ContentHash: 0xAA},
		{ID: 2, ContentHash: 0xBB}, {ID: 3, ContentHash: 0xBB},
		{ID: 5, ContentHash: 0xCC},
		{ID: 6}, {ID: 7}, // no hash: never duplicates
	}
	want := [][]int64{{1, 4, 9}, {2, 3}}
	if got := ExactDuplicates(pages); !reflect.DeepEqual(got, want) {
		t.Errorf("ExactDuplicates = %v, want %v", got, want)
	}
}

// flip returns h with the given bit positions inverted.
func flip(h uint64, positions ...int) uint64 {
	for _, p := range positions {
		h ^= 1 << p
	}
	return h
}

func TestNearDuplicatesThreshold(t *testing.T) {
	// Independent pairs whose fingerprints differ by 0..5 bits; bases are
	// far apart (distinct byte patterns) so pairs never join each other.
	// Some flips fall in one 16-bit block, some spread over several, to
	// exercise the pigeonhole buckets.
	bases := []uint64{
		0x0123456789ABCDEF, 0xFEDCBA9876543210, 0x0F0F0F0F0F0F0F0F,
		0xF0F0F0F0F0F0F0F0, 0x3333333333333333, 0xCCCCCCCCCCCCCCCC,
		0x5555555555555555,
	}
	type pair struct {
		a, b  DupPage
		dist  int
		near3 bool // expected within the default distance 3
	}
	pairs := []pair{
		{DupPage{ID: 10, SimHash: bases[0], ContentHash: 100}, DupPage{ID: 11, SimHash: bases[0], ContentHash: 101}, 0, true},
		{DupPage{ID: 20, SimHash: bases[1], ContentHash: 200}, DupPage{ID: 21, SimHash: flip(bases[1], 63), ContentHash: 201}, 1, true},
		{DupPage{ID: 30, SimHash: bases[2], ContentHash: 300}, DupPage{ID: 31, SimHash: flip(bases[2], 0, 40), ContentHash: 301}, 2, true},
		{DupPage{ID: 40, SimHash: bases[3], ContentHash: 400}, DupPage{ID: 41, SimHash: flip(bases[3], 1, 20, 50), ContentHash: 401}, 3, true},
		{DupPage{ID: 50, SimHash: bases[4], ContentHash: 500}, DupPage{ID: 51, SimHash: flip(bases[4], 2, 20, 35, 60), ContentHash: 501}, 4, false},
		{DupPage{ID: 60, SimHash: bases[5], ContentHash: 600}, DupPage{ID: 61, SimHash: flip(bases[5], 3, 4, 5, 6, 7), ContentHash: 601}, 5, false},
		// 3 bits all in one block: the other three blocks still match.
		{DupPage{ID: 70, SimHash: bases[6], ContentHash: 700}, DupPage{ID: 71, SimHash: flip(bases[6], 16, 17, 18), ContentHash: 701}, 3, true},
	}
	var pages []DupPage
	for _, p := range pairs {
		if d := bits.OnesCount64(p.a.SimHash ^ p.b.SimHash); d != p.dist {
			t.Fatalf("fixture %d: distance %d, want %d", p.a.ID, d, p.dist)
		}
		pages = append(pages, p.b, p.a)
	}
	// An exact-duplicate pair (same content, same fingerprint): reported by
	// ExactDuplicates only.
	pages = append(pages,
		DupPage{ID: 80, SimHash: 0x1111111111111111, ContentHash: 800},
		DupPage{ID: 81, SimHash: 0x1111111111111111, ContentHash: 800})
	// An exact-duplicate pair plus a third page near to it: one near cluster
	// with the pair's representative (lowest id) and the third page.
	pages = append(pages,
		DupPage{ID: 92, SimHash: 0x2222222222222222, ContentHash: 900},
		DupPage{ID: 90, SimHash: 0x2222222222222222, ContentHash: 900},
		DupPage{ID: 91, SimHash: flip(0x2222222222222222, 9), ContentHash: 901})
	// No fingerprint: never near, even to each other.
	pages = append(pages, DupPage{ID: 98}, DupPage{ID: 99})

	for _, maxDist := range []int{-1, 3} { // -1 means the default, 3
		got := NearDuplicates(pages, maxDist)
		var want [][]int64
		for _, p := range pairs {
			if p.near3 {
				want = append(want, []int64{p.a.ID, p.b.ID})
			}
		}
		want = append(want, []int64{90, 91})
		if !reflect.DeepEqual(got, want) {
			t.Errorf("NearDuplicates(%d) = %v, want %v", maxDist, got, want)
		}
	}

	// Around the threshold: distance k pairs are found iff k ≤ maxDistance.
	for maxDist := 0; maxDist <= 5; maxDist++ {
		got := NearDuplicates(pages, maxDist)
		found := map[int64]bool{}
		for _, c := range got {
			found[c[0]] = true
		}
		for _, p := range pairs {
			if want := p.dist <= maxDist; found[p.a.ID] != want {
				t.Errorf("maxDistance %d, pair %d at distance %d: found %v, want %v",
					maxDist, p.a.ID, p.dist, found[p.a.ID], want)
			}
		}
		if found[80] {
			t.Errorf("maxDistance %d: exact duplicates reported as near", maxDist)
		}
	}

	if got := ExactDuplicates(pages); !reflect.DeepEqual(got, [][]int64{{80, 81}, {90, 92}}) {
		t.Errorf("ExactDuplicates = %v", got)
	}
}

func TestNearDuplicatesTransitiveAndWide(t *testing.T) {
	// A chain a—b—c where a and c are 4 apart: one cluster at distance 2.
	a := uint64(0xDEADBEEFCAFEBABE)
	pages := []DupPage{
		{ID: 3, SimHash: flip(a, 1, 2, 33, 34)},
		{ID: 1, SimHash: a},
		{ID: 2, SimHash: flip(a, 1, 33)},
	}
	if got := NearDuplicates(pages, 2); !reflect.DeepEqual(got, [][]int64{{1, 2, 3}}) {
		t.Errorf("chain: %v", got)
	}
	// Exact copies whose fingerprints differ (extraction noise): the copies
	// are one content, so 10 and 30 join through their copies 11 and 31,
	// and representative 10 appears in one cluster only.
	b := uint64(0x0123456789ABCDEF)
	pages = []DupPage{
		{ID: 10, SimHash: b, ContentHash: 1},
		{ID: 11, SimHash: flip(b, 0, 16, 32, 48, 5, 6, 7, 8), ContentHash: 1},
		{ID: 20, SimHash: flip(b, 60)},
		{ID: 21, SimHash: flip(b, 0, 16, 32, 48, 5, 6, 7, 8, 61), ContentHash: 2},
	}
	if got := NearDuplicates(pages, 1); !reflect.DeepEqual(got, [][]int64{{10, 20, 21}}) {
		t.Errorf("copies with different fingerprints: %v", got)
	}
	// Complementary fingerprints are 64 apart: found only at 64.
	pages = []DupPage{{ID: 1, SimHash: a}, {ID: 2, SimHash: ^a}}
	if got := NearDuplicates(pages, 63); len(got) != 0 {
		t.Errorf("63: %v", got)
	}
	if got := NearDuplicates(pages, 64); !reflect.DeepEqual(got, [][]int64{{1, 2}}) {
		t.Errorf("64: %v", got)
	}
}

// bruteNear is the O(n²) reference of NearDuplicates for pages without
// content hashes.
func bruteNear(pages []DupPage, d int) [][]int64 {
	uf := newUnionFind(len(pages))
	for i := range pages {
		for j := i + 1; j < len(pages); j++ {
			if bits.OnesCount64(pages[i].SimHash^pages[j].SimHash) <= d {
				uf.union(i, j)
			}
		}
	}
	groups := map[int][]int64{}
	for i, p := range pages {
		groups[uf.find(i)] = append(groups[uf.find(i)], p.ID)
	}
	return collect(groups)
}

// plantedPages returns n pages with random fingerprints, plus planted near
// pairs: pair k has its second page at distance 1 + k%maxDist bits.
func plantedPages(r *rand.Rand, n, planted, maxDist int) (pages []DupPage, pairs [][2]int64) {
	pages = make([]DupPage, 0, n+planted)
	for i := range n {
		pages = append(pages, DupPage{ID: int64(i + 1), SimHash: r.Uint64() | 1})
	}
	for k := range planted {
		src := pages[r.IntN(n)]
		h := src.SimHash
		for _, p := range r.Perm(64)[:1+k%maxDist] {
			h ^= 1 << p
		}
		id := int64(n + k + 1)
		pages = append(pages, DupPage{ID: id, SimHash: h})
		pairs = append(pairs, [2]int64{src.ID, id})
	}
	return pages, pairs
}

func TestNearDuplicatesMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, d := range []int{0, 1, 3, 5, 8} {
		pages, _ := plantedPages(r, 1500, 300, max(d, 1))
		// Small alphabet of high bits to create collisions across pairs.
		for i := range pages[:200] {
			pages[i].SimHash = pages[i].SimHash&0xFFFF | 0xABCD<<48
		}
		got := NearDuplicates(pages, d)
		want := bruteNear(pages, d)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("d=%d: %d clusters, brute force %d", d, len(got), len(want))
		}
	}
}

// checkPlanted reports planted pairs not in one cluster.
func checkPlanted(clusters [][]int64, pairs [][2]int64) (missing int) {
	cluster := map[int64]int{}
	for c, ids := range clusters {
		for _, id := range ids {
			cluster[id] = c + 1
		}
	}
	for _, p := range pairs {
		if cluster[p[0]] == 0 || cluster[p[0]] != cluster[p[1]] {
			missing++
		}
	}
	return missing
}

func TestNearDuplicates100k(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 pages")
	}
	r := rand.New(rand.NewPCG(3, 4))
	pages, pairs := plantedPages(r, 100_000, 2_000, DefaultNearDistance)
	start := time.Now()
	got := NearDuplicates(pages, DefaultNearDistance)
	t.Logf("100,000 + 2,000 planted pages: %d clusters in %v", len(got), time.Since(start))
	if m := checkPlanted(got, pairs); m != 0 {
		t.Errorf("%d of %d planted pairs not found", m, len(pairs))
	}
	for _, c := range got {
		if !slices.IsSorted(c) {
			t.Fatalf("cluster not sorted: %v", c)
		}
	}
}

func BenchmarkNearDuplicates100k(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	pages, pairs := plantedPages(r, 100_000, 2_000, DefaultNearDistance)
	b.ResetTimer()
	var got [][]int64
	for b.Loop() {
		got = NearDuplicates(pages, DefaultNearDistance)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	if m := checkPlanted(got, pairs); m != 0 {
		b.Fatalf("%d of %d planted pairs not found", m, len(pairs))
	}
}
