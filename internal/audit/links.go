// Package audit holds the post-processing of a finished crawl: link score
// (internal PageRank), inlink counts, redirect chains and loops, duplicate
// and near-duplicate clusters, and orphan pages.
//
// Every function works on in-memory slices and maps and touches no
// database, so that results can be tested exactly on hand-built inputs; the
// caller loads the crawl from the store, filters pages and link kinds, and
// writes the results back. All outputs are deterministic (sorted by page id)
// so that findings and exports are stable from one run to the next.
package audit

import (
	"math"
	"slices"
)

// Damping is the PageRank damping factor: the probability that the random
// surfer follows a link rather than jumping to a random page. 0.85 is the
// value of the original paper and of the field's tools, so scores compare.
const Damping = 0.85

// Convergence limits of LinkScore. PageRank converges geometrically (error
// shrinks by about Damping each step), so 100 iterations bound the error to
// about 0.85^100 ≈ 1e-7 even if the 1e-9 tolerance is never reached.
const (
	linkScoreTolerance = 1e-9
	linkScoreMaxIter   = 100
)

// Node is a page taking part in the link graph.
type Node struct {
	ID int64
	// Eligible: crawled, status 200 and indexable (not redirected, not
	// canonicalised elsewhere, not noindex). Only eligible pages receive or
	// pass link score: links into a redirect or a canonicalised page would
	// credit a URL that search engines fold into another one.
	Eligible bool
}

// Edge is one internal link from page From to page To. The caller keeps only
// the kinds that pass equity (normally followed anchor links). Duplicates are
// allowed: LinkScore counts each (From, To) pair once, Inlinks counts every
// occurrence.
type Edge struct {
	From, To int64
}

// LinkScore computes internal PageRank over the subgraph of eligible nodes
// and the edges between two eligible nodes; every other node and edge is
// ignored (so a link to an ineligible page does not dilute the source's
// outflow either). Each (From, To) pair counts once and self-links are
// dropped, because repeating a link or linking to oneself does not make a
// page more important to search engines.
//
// With N eligible nodes, out(u) the number of distinct eligible targets of u,
// and D the set of dangling nodes (no eligible outlinks), each iteration is
//
//	r'(v) = (1-d)/N + d * ( Σ_{u→v} r(u)/out(u) + Σ_{u∈D} r(u)/N )
//
// with d = Damping, starting from r = 1/N: a dangling page's rank is spread
// evenly over all pages instead of leaking, so the ranks always sum to 1.
// Iteration stops when the L1 change is below 1e-9 or after 100 iterations.
//
// rank holds the raw PageRank of every eligible node. score maps it to 0–100
// on a log scale, because PageRank is heavy-tailed (a home page can hold
// thousands of times the rank of a deep page) and a linear scale would put
// almost every page at 0:
//
//	score(v) = 100 * (ln r(v) - ln min r) / (ln max r - ln min r)
//
// so the best page scores 100 and the weakest 0; when all ranks are equal
// (including a single page) every page scores 100. Ineligible nodes are absent
// from both maps. Both maps are empty when there is no eligible node.
func LinkScore(nodes []Node, edges []Edge) (rank, score map[int64]float64) {
	rank = map[int64]float64{}
	score = map[int64]float64{}

	// Dense indexes for the eligible nodes, in id order for determinism.
	var ids []int64
	for _, n := range nodes {
		if n.Eligible {
			ids = append(ids, n.ID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	n := len(ids)
	if n == 0 {
		return rank, score
	}
	index := make(map[int64]int, n)
	for i, id := range ids {
		index[id] = i
	}

	// Distinct eligible pairs, without self-links.
	seen := make(map[Pair]bool, len(edges))
	var pairs []Pair
	for _, e := range edges {
		f, ok1 := index[e.From]
		t, ok2 := index[e.To]
		if !ok1 || !ok2 || f == t {
			continue
		}
		p := Pair{int32(f), int32(t)}
		if !seen[p] {
			seen[p] = true
			pairs = append(pairs, p)
		}
	}
	r, s := linkScoreDense(n, pairs)
	for i, id := range ids {
		rank[id] = r[i]
		score[id] = s[i]
	}
	return rank, score
}

// Pair is a link between two eligible nodes by dense index (0..n-1): the
// compact form of the graph the audit job builds for large crawls, where a
// map of every edge would cost hundreds of megabytes.
type Pair struct{ From, To int32 }

// linkScoreDense is LinkScore on dense indexes: pairs must be distinct and
// without self-links. It returns the raw ranks and the 0–100 scores.
func linkScoreDense(n int, pairs []Pair) (rank, score []float64) {
	if n == 0 {
		return nil, nil
	}
	out := make([]int32, n)
	for _, p := range pairs {
		out[p.From]++
	}

	r := make([]float64, n)
	next := make([]float64, n)
	for i := range r {
		r[i] = 1 / float64(n)
	}
	base := (1 - Damping) / float64(n)
	for iter := 0; iter < linkScoreMaxIter; iter++ {
		dangling := 0.0
		for i, o := range out {
			if o == 0 {
				dangling += r[i]
			}
		}
		fill := base + Damping*dangling/float64(n)
		for i := range next {
			next[i] = fill
		}
		for _, p := range pairs {
			next[p.To] += Damping * r[p.From] / float64(out[p.From])
		}
		diff := 0.0
		for i := range r {
			diff += math.Abs(next[i] - r[i])
		}
		r, next = next, r
		if diff < linkScoreTolerance {
			break
		}
	}

	lo, hi := r[0], r[0]
	for _, v := range r {
		lo = min(lo, v)
		hi = max(hi, v)
	}
	lnLo, lnHi := math.Log(lo), math.Log(hi)
	score = next[:n]
	for i := range r {
		// Ranks are always > 0 (every page gets the teleport share), so the
		// logarithms are finite. Equal ranks up to rounding count as equal.
		if lnHi-lnLo < 1e-12 {
			score[i] = 100
		} else {
			score[i] = 100 * (math.Log(r[i]) - lnLo) / (lnHi - lnLo)
		}
	}
	return r, score
}

// Inlinks counts link occurrences per target page: a page linked three times
// from the same source has 3 inlinks, as in the field's crawlers' "Inlinks"
// column. Self-links are counted; the caller filters kinds and flags.
func Inlinks(edges []Edge) map[int64]int {
	m := map[int64]int{}
	for _, e := range edges {
		m[e.To]++
	}
	return m
}

// UniqueInlinks counts the distinct source pages linking to each target
// ("Unique Inlinks"), which is the better measure of how widely a page is
// linked across the site: a page linked from 50 pages is better integrated
// than one linked 50 times from a single page.
func UniqueInlinks(edges []Edge) map[int64]int {
	seen := map[Edge]bool{}
	m := map[int64]int{}
	for _, e := range edges {
		if !seen[e] {
			seen[e] = true
			m[e.To]++
		}
	}
	return m
}

// Linked returns the set of pages that have at least one inlink from another
// page. A page linked only from itself is not reachable by a visitor or a
// search engine from the rest of the site, so self-links do not count. Its
// result is the usual input of Orphans.
func Linked(edges []Edge) map[int64]bool {
	m := map[int64]bool{}
	for _, e := range edges {
		if e.From != e.To {
			m[e.To] = true
		}
	}
	return m
}

// Orphans returns the pages listed in a sitemap that no crawled page links
// to (linked[id] is false or absent), sorted by id and without repeats: such
// pages are known to search engines only through the sitemap and receive no
// internal link equity.
func Orphans(inSitemap []int64, linked map[int64]bool) []int64 {
	var out []int64
	for _, id := range inSitemap {
		if !linked[id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
