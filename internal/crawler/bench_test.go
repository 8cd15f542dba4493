package crawler_test

import (
	"context"
	"testing"

	"github.com/scouter-seo/scouter/internal/crawler"
	"github.com/scouter-seo/scouter/internal/testdb"
	"github.com/scouter-seo/scouter/internal/testsite"
)

// BenchmarkCrawlInProcess crawls a generated 5,000-page site in this
// process, for profiling (-cpuprofile). The figures of record come from
// internal/e2e's BenchmarkCrawl, which measures the real job process.
func BenchmarkCrawlInProcess(b *testing.B) {
	site := testsite.NewGenerated(5000, 42)
	defer site.Close()
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			for range b.N {
				db := testdb.Open(b, backend)
				r := startCrawl(b, db, site.URL(), crawler.DefaultOptions())
				err := crawler.Run(context.Background(), crawler.Config{DB: db, Lease: r.lease, CrawlID: r.crawlID,
					StartURL: site.URL(), Options: crawler.DefaultOptions(), Log: r.log})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N*site.Pages())*1e3, "ms/page")
		})
	}
}
