package audit

import (
	"math"
	"reflect"
	"testing"
)

// TestLinkScoreHandComputed checks LinkScore against the exact fixed point of
// a small graph, solved by hand (independent of the iteration).
//
// Eligible pages 1..5 (A..E), ineligible page 9 (X):
//
//	A→B  B→C  C→A   (a 3-cycle)
//	C→E             (E is dangling: no outlinks)
//	D→A             (D has no inlinks)
//	B→X  X→A  X→E   (ignored: X is not eligible, so B's only outlink is C)
//	A→B again, C→C  (duplicate pair counts once; self-link dropped)
//
// With d = 0.85, N = 5 and c = (1-d)/N + d·E/N = 0.03 + 0.17·E (teleport
// plus E's dangling rank spread over all pages):
//
//	D = c
//	B = c + 0.85·A
//	C = c + 0.85·B            = 1.85c + 0.7225·A
//	A = c + 0.85·(C/2 + D)    = 1.85c + 0.425·C  ⇒ A = 2.63625c / 0.6929375
//	E = c + 0.85·C/2
//	A + B + C + D + E = 1
//
// Solving in exact fractions gives
//
//	A = 281200/1226327  ≈ 0.229302624830
//	B = 938800/3678981  ≈ 0.255179355370
//	C = 1019720/3678981 ≈ 0.277174576330
//	D = 221740/3678981  ≈ 0.060272124265
//	E = 655121/3678981  ≈ 0.178071319205
//
// and, on the log scale with min D and max C,
// score = 100·(ln r − ln D)/(ln C − ln D):
// A ≈ 87.573229476, B ≈ 94.581065936, C = 100, D = 0, E ≈ 71.000797272.
func TestLinkScoreHandComputed(t *testing.T) {
	const A, B, C, D, E, X = 1, 2, 3, 4, 5, 9
	nodes := []Node{{A, true}, {B, true}, {C, true}, {D, true}, {E, true}, {X, false}}
	edges := []Edge{
		{A, B}, {B, C}, {C, A}, {C, E}, {D, A},
		{B, X}, {X, A}, {X, E},
		{A, B}, {C, C},
		{A, 77}, // a target that is not even a node
	}
	rank, score := LinkScore(nodes, edges)

	wantRank := map[int64]float64{
		A: 281200.0 / 1226327,
		B: 938800.0 / 3678981,
		C: 1019720.0 / 3678981,
		D: 221740.0 / 3678981,
		E: 655121.0 / 3678981,
	}
	wantScore := map[int64]float64{
		A: 87.573229476494, B: 94.581065935929, C: 100, D: 0, E: 71.000797271916,
	}
	if len(rank) != 5 || len(score) != 5 {
		t.Fatalf("got %d ranks, %d scores, want 5 each (ineligible X absent): %v", len(rank), len(score), rank)
	}
	sum := 0.0
	for id, want := range wantRank {
		if got := rank[id]; math.Abs(got-want) > 1e-6 {
			t.Errorf("rank[%d] = %.12f, want %.12f", id, got, want)
		}
		sum += rank[id]
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("ranks sum to %.12f, want 1", sum)
	}
	for id, want := range wantScore {
		if got := score[id]; math.Abs(got-want) > 1e-6 {
			t.Errorf("score[%d] = %.9f, want %.9f", id, got, want)
		}
	}
	// Endpoints of the log scale are exact.
	if score[C] != 100 || score[D] != 0 {
		t.Errorf("max score %v, min score %v, want 100 and 0", score[C], score[D])
	}
	if _, ok := rank[X]; ok {
		t.Error("ineligible node has a rank")
	}
}

func TestLinkScoreEqualRanks(t *testing.T) {
	// A symmetric cycle: every page has rank 1/3 and score 100.
	rank, score := LinkScore(
		[]Node{{1, true}, {2, true}, {3, true}},
		[]Edge{{1, 2}, {2, 3}, {3, 1}})
	for id := int64(1); id <= 3; id++ {
		if math.Abs(rank[id]-1.0/3) > 1e-12 || score[id] != 100 {
			t.Errorf("page %d: rank %v score %v, want 1/3 and 100", id, rank[id], score[id])
		}
	}
	// A single page, no links.
	rank, score = LinkScore([]Node{{7, true}}, nil)
	if rank[7] != 1 || score[7] != 100 {
		t.Errorf("single page: rank %v score %v, want 1 and 100", rank[7], score[7])
	}
	// No eligible page.
	rank, score = LinkScore([]Node{{1, false}}, []Edge{{1, 1}})
	if len(rank) != 0 || len(score) != 0 {
		t.Errorf("no eligible page: got %v %v", rank, score)
	}
}

func TestLinkScoreStar(t *testing.T) {
	// Hub 1 linked from 2, 3, 4, linking back to all three; N = 4 so the
	// teleport share is 0.15/4 = 0.0375. Closed form: each leaf
	// l = 0.0375 + 0.85·h/3, hub h = 0.0375 + 0.85·3l and h + 3l = 1, so
	// h = 0.0375 + 0.85·(1 − h) ⇒ h = 0.8875/1.85, l = (1 − h)/3.
	rank, score := LinkScore(
		[]Node{{1, true}, {2, true}, {3, true}, {4, true}},
		[]Edge{{1, 2}, {1, 3}, {1, 4}, {2, 1}, {3, 1}, {4, 1}})
	h := 0.8875 / 1.85
	l := (1 - h) / 3
	if math.Abs(rank[1]-h) > 1e-6 {
		t.Errorf("hub rank %v, want %v", rank[1], h)
	}
	for id := int64(2); id <= 4; id++ {
		if math.Abs(rank[id]-l) > 1e-6 || math.Abs(score[id]) > 1e-9 {
			t.Errorf("leaf %d: rank %v score %v, want %v and 0", id, rank[id], score[id], l)
		}
	}
	if score[1] != 100 {
		t.Errorf("hub score %v, want 100", score[1])
	}
}

func TestInlinks(t *testing.T) {
	edges := []Edge{{1, 2}, {1, 2}, {3, 2}, {2, 3}, {4, 4}}
	if got, want := Inlinks(edges), map[int64]int{2: 3, 3: 1, 4: 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("Inlinks = %v, want %v", got, want)
	}
	if got, want := UniqueInlinks(edges), map[int64]int{2: 2, 3: 1, 4: 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("UniqueInlinks = %v, want %v", got, want)
	}
	if got, want := Linked(edges), map[int64]bool{2: true, 3: true}; !reflect.DeepEqual(got, want) {
		t.Errorf("Linked = %v, want %v (self-link does not count)", got, want)
	}
}

func TestOrphans(t *testing.T) {
	edges := []Edge{{1, 2}, {2, 3}, {5, 5}}
	// 4 never linked, 5 only linked from itself, 6 listed twice, 1 (home) not
	// linked either: the caller decides whether to exclude start URLs.
	got := Orphans([]int64{6, 2, 4, 5, 3, 6, 1}, Linked(edges))
	if want := []int64{1, 4, 5, 6}; !reflect.DeepEqual(got, want) {
		t.Errorf("Orphans = %v, want %v", got, want)
	}
	if got := Orphans([]int64{2, 3}, Linked(edges)); len(got) != 0 {
		t.Errorf("Orphans = %v, want none", got)
	}
}
