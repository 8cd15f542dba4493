package crawler

import (
	"fmt"
	"hash/maphash"
	"runtime"
	"testing"

	"github.com/scouter-seo/scouter/internal/urlnorm"
)

// BenchmarkIndexMemory reports the heap the in-memory URL index costs per
// URL: the part of a crawl's memory that grows with the site.
func BenchmarkIndexMemory(b *testing.B) {
	hosts, err := urlnorm.NewHostMatcher("example.com", nil, false)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				urls := make([]string, n)
				for i := range urls {
					urls[i] = fmt.Sprintf("http://example.com/p/%d", i)
				}
				c := &crawl{index: map[urlKey]*entry{}, hosts: hosts, seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				for _, u := range urls {
					c.lookup(u)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				if len(c.index) != n {
					b.Fatalf("index holds %d URLs, want %d", len(c.index), n)
				}
				b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(n), "bytes/URL")
				runtime.KeepAlive(urls)
			}
		})
	}
}
