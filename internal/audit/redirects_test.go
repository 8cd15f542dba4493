package audit

import (
	"reflect"
	"testing"
)

func TestRedirectChains(t *testing.T) {
	redirects := RedirectMap([]RedirectHop{
		{1, 2},                       // length 1: 1 → 2 (2 is a normal page)
		{10, 11}, {11, 12}, {12, 13}, // length 3: 10 → 11 → 12 → 13
		{20, 21}, {21, 20}, // 2-loop
		{30, 31}, {31, 32}, {32, 30}, // 3-loop
		{40, 41}, {41, 42}, {42, 41}, // chain into a 2-loop
		{50, 51}, {51, 0}, // chain leaving the crawl
		{60, 60}, // self-redirect
	})
	got := RedirectChains(redirects)
	want := map[int64]Chain{
		1:  {Start: 1, Hops: []int64{1, 2}, Final: 2, Length: 1},
		10: {Start: 10, Hops: []int64{10, 11, 12, 13}, Final: 13, Length: 3},
		11: {Start: 11, Hops: []int64{11, 12, 13}, Final: 13, Length: 2},
		12: {Start: 12, Hops: []int64{12, 13}, Final: 13, Length: 1},
		20: {Start: 20, Hops: []int64{20, 21, 20}, Length: 2, Loop: true},
		21: {Start: 21, Hops: []int64{21, 20, 21}, Length: 2, Loop: true},
		30: {Start: 30, Hops: []int64{30, 31, 32, 30}, Length: 3, Loop: true},
		31: {Start: 31, Hops: []int64{31, 32, 30, 31}, Length: 3, Loop: true},
		32: {Start: 32, Hops: []int64{32, 30, 31, 32}, Length: 3, Loop: true},
		40: {Start: 40, Hops: []int64{40, 41, 42, 41}, Length: 3, Loop: true},
		41: {Start: 41, Hops: []int64{41, 42, 41}, Length: 2, Loop: true},
		42: {Start: 42, Hops: []int64{42, 41, 42}, Length: 2, Loop: true},
		50: {Start: 50, Hops: []int64{50, 51, 0}, Length: 2},
		51: {Start: 51, Hops: []int64{51, 0}, Length: 1},
		60: {Start: 60, Hops: []int64{60, 60}, Length: 1, Loop: true},
	}
	if len(got) != len(want) {
		t.Errorf("got %d chains, want %d (one per redirecting page)", len(got), len(want))
	}
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			t.Errorf("no chain for %d", id)
			continue
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("chain %d = %+v, want %+v", id, g, w)
		}
		if len(g.Hops) != g.Length+1 {
			t.Errorf("chain %d: %d hops for length %d", id, len(g.Hops), g.Length)
		}
	}
	if _, ok := got[2]; ok {
		t.Error("non-redirecting page 2 has a chain")
	}
}
