package audit

// RedirectHop is one redirect: page From answered with a 3xx (or another
// redirect the crawler follows) pointing at page To.
type RedirectHop struct {
	From, To int64
}

// Chain is the path followed from one redirecting page.
type Chain struct {
	// Start is the redirecting page the chain begins at.
	Start int64
	// Hops is the full path, Start first, then the target of each redirect
	// followed, in order. It ends with the final page, with the first page
	// met twice when the chain loops (so "A → B → A" reads as a loop), or
	// with 0 when a redirect leaves the crawl. len(Hops) == Length+1.
	Hops []int64
	// Final is the first non-redirecting page reached: the URL the chain
	// resolves to. 0 when the chain loops or leaves the crawl.
	Final int64
	// Length is the number of redirects followed. A chain is worth
	// reporting from Length ≥ 2; a loop is reported whatever its length.
	Length int
	// Loop is set when a page repeats, whatever the cycle length (A → A,
	// A → B → A, A → B → C → A, and chains that run into such a cycle).
	Loop bool
}

// RedirectChains follows the redirects from every redirecting page (every
// key of redirects, which maps a page to its redirect target) and returns
// one Chain per redirecting page.
//
// A target that is not itself a key is a page that does not redirect: it
// ends the chain as Final. A target of 0 means the redirect points outside
// the crawl (a URL the crawl has no page for, e.g. an invalid Location): the
// chain ends there with Final 0. Each start is followed independently so
// that every page gets its own full chain for its detail view; chains are
// short in practice (crawlers stop following after a few hops), so the cost
// is small.
func RedirectChains(redirects map[int64]int64) map[int64]Chain {
	out := make(map[int64]Chain, len(redirects))
	for start := range redirects {
		c := Chain{Start: start, Hops: []int64{start}}
		visited := map[int64]bool{start: true}
		cur := start
		for {
			next, redirecting := redirects[cur]
			if !redirecting {
				c.Final = cur
				break
			}
			c.Hops = append(c.Hops, next)
			c.Length++
			if next == 0 {
				break // left the crawl
			}
			if visited[next] {
				c.Loop = true
				break
			}
			visited[next] = true
			cur = next
		}
		out[start] = c
	}
	return out
}

// RedirectMap builds the input of RedirectChains from a list of hops. When a
// page appears twice as a source (which a crawl should not produce), the last
// hop wins.
func RedirectMap(hops []RedirectHop) map[int64]int64 {
	m := make(map[int64]int64, len(hops))
	for _, h := range hops {
		m[h.From] = h.To
	}
	return m
}
