package store_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// explorePageCount is the size of the benchmarked crawl.
const explorePageCount = 100_000

// BenchmarkExplore measures the URL explorer's typical queries (filter,
// sort, count and one page of 100 rows) on a crawl of 100,000 pages:
//
//	go test -run '^$' -bench BenchmarkExplore -benchtime 20x ./internal/store/
func BenchmarkExplore(b *testing.B) {
	queries := []struct {
		name string
		q    store.ExploreQuery
	}{
		{"first_page", store.ExploreQuery{}},
		{"status200_indexable_by_link_score", store.ExploreQuery{Sort: "link_score", Desc: true,
			Filters: []store.ExploreFilter{{Field: "status", Op: "eq", Value: "200"}, {Field: "indexable", Op: "eq", Value: "true"}}}},
		{"search_widget_by_url", store.ExploreQuery{Search: "widget", Sort: "url"}},
		{"check_title_too_long", store.ExploreQuery{Check: "title_too_long"}},
		{"check_by_inlinks", store.ExploreQuery{Check: "title_too_long", Sort: "inlinks", Desc: true}},
		{"title_contains_by_ttfb", store.ExploreQuery{Sort: "ttfb_ms", Desc: true,
			Filters: []store.ExploreFilter{{Field: "title", Op: "contains", Value: "blue"}}}},
		{"offset_50000", store.ExploreQuery{Offset: 50_000}},
		{"offset_50000_by_word_count", store.ExploreQuery{Offset: 50_000, Sort: "word_count"}},
	}
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			db, crawlID := exploreBenchCrawl(b, testdb.DSN(b, backend))
			for _, bq := range queries {
				b.Run(bq.name, func(b *testing.B) {
					q := bq.q
					q.CrawlID = crawlID
					q.Limit = 100
					var total int64
					for b.Loop() {
						pages, n, err := db.Explore(context.Background(), q)
						if err != nil {
							b.Fatal(err)
						}
						if len(pages) == 0 {
							b.Fatalf("%s: no pages", bq.name)
						}
						total = n
					}
					b.ReportMetric(float64(total), "matches")
				})
			}
		})
	}
}

// exploreBenchCrawl stores a crawl of explorePageCount pages with audit
// results and findings, written as a crawl and an audit job write them.
func exploreBenchCrawl(b testing.TB, dsn string) (*store.DB, int64) {
	ctx := context.Background()
	db := testdb.OpenDSN(b, dsn, false)
	backend := db.Dialect()
	c, _, err := db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: "https://shop.example.com/", Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		b.Fatal(err)
	}
	jobs, err := db.JobClaim(ctx, store.JobClaimParams{WorkerID: "bench", Limit: 1, LeaseMs: 3_600_000})
	if err != nil || len(jobs) != 1 {
		b.Fatalf("claim: %v", err)
	}
	l := store.Lease{JobID: jobs[0].ID, Attempt: jobs[0].Attempt}

	start := time.Now()
	r := rand.New(rand.NewPCG(7, 11))
	words := strings.Fields("blue red green widget gadget tool garden kitchen steel wooden premium classic mini pro " +
		"outdoor indoor set kit pack deluxe compact smart eco light heavy duty portable vintage modern")
	phrase := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = words[r.IntN(len(words))]
		}
		return strings.Join(w, " ")
	}
	sections := []string{"products", "category", "blog", "help", "brands", "collections"}
	perPages, _ := db.CrawlBatchSize()
	batch := make([]store.Page, 0, perPages)
	audits := make([]store.PageAuditRow, 0, explorePageCount)
	var findings []store.Finding
	crawled := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	for id := int64(1); id <= explorePageCount; id++ {
		title := phrase(3 + r.IntN(8))
		p := store.Page{CrawlID: c.ID, ID: id, Internal: true, State: store.PageCrawled, Depth: min(int(math.Log2(float64(id))), 12),
			URL: fmt.Sprintf("https://shop.example.com/%s/%s-%d", sections[r.IntN(len(sections))],
				strings.ReplaceAll(phrase(2+r.IntN(4)), " ", "-"), id),
			Status: 200, ContentType: "text/html", Charset: "utf-8", Proto: "HTTP/2.0", Size: 20_000 + r.Int64N(200_000),
			TTFBMicros: 20_000 + r.Int64N(800_000), TimeMicros: 50_000 + r.Int64N(1_500_000),
			Title: title, TitleLength: len(title), TitleCount: 1,
			Description: phrase(15 + r.IntN(15)), DescriptionCount: 1, H1: phrase(4), H1Count: 1, H2Count: r.IntN(8),
			Canonical: "", Indexable: true, Indexability: "indexable", Lang: "en", WordCount: 100 + r.IntN(3000),
			ContentHash: int64(r.Uint64()), SimHash: int64(r.Uint64()), ImageCount: r.IntN(30), ImagesMissingAlt: r.IntN(3),
			InternalOutlinks: 40 + r.IntN(120), ExternalOutlinks: r.IntN(10), InSitemap: r.IntN(10) > 2,
			Extra: `{"has_lang":true,"elements":` + fmt.Sprint(400+r.IntN(2000)) + `,"viewport":"width=device-width, initial-scale=1"}`,
		}
		if id > 1 {
			p.FoundFrom = 1 + r.Int64N(id-1)
		}
		p.Canonical = p.URL
		p.DescriptionLength = len(p.Description)
		at := crawled.Add(time.Duration(id) * 50 * time.Millisecond)
		p.CrawledAt = &at
		switch x := r.IntN(100); {
		case x < 6:
			p.Status, p.Indexable, p.Indexability = 301, false, "redirect"
			p.RedirectURL = p.URL + "/"
		case x < 10:
			p.Status, p.Indexable, p.Indexability = 404, false, "client-error"
		case x < 11:
			p.Status, p.Indexable, p.Indexability = 500, false, "server-error"
		case x < 25:
			p.Indexable, p.Indexability, p.MetaRobots = false, "noindex", "noindex, follow"
		}
		if r.IntN(5) == 0 {
			p.Hreflang = `[{"lang":"fr","url":"https://shop.example.com/fr/"},{"lang":"de","url":"https://shop.example.com/de/"}]`
		}
		if r.IntN(3) == 0 {
			p.JSONLDTypes = `["Product","BreadcrumbList"]`
		}
		batch = append(batch, p)
		if len(batch) == cap(batch) || id == explorePageCount {
			if err := db.CrawlWrite(ctx, l, &store.CrawlBatch{Pages: batch}); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
		a := store.PageAuditRow{ID: id, PageAudit: store.PageAudit{Inlinks: int(r.ExpFloat64() * 40), LinkScore: math.Min(100, r.ExpFloat64()*8)}}
		a.UniqueInlinks = a.Inlinks / 2
		add := func(check string) {
			findings = append(findings, store.Finding{CrawlID: c.ID, CheckID: check, PageID: id})
			a.FindingCount++
		}
		if p.TitleLength > 60 {
			add("title_too_long")
		}
		if p.DescriptionLength > 160 {
			add("description_too_long")
		}
		if p.ImagesMissingAlt > 0 {
			add("image_missing_alt")
		}
		if p.Status == 404 {
			add("status_4xx")
		}
		if !p.Indexable {
			add("non_indexable")
		}
		audits = append(audits, a)
	}
	per := db.AuditBatchSize()
	for i := 0; i < len(audits); i += per {
		if err := db.AuditWrite(ctx, l, c.ID, audits[i:min(i+per, len(audits))], nil); err != nil {
			b.Fatal(err)
		}
	}
	writeFindingsBench(b, db, l, c.ID, findings)
	if backend == "postgres" {
		// What autovacuum does shortly after a crawl and its audit.
		for _, table := range []string{"pages", "findings"} {
			if err := db.RawExecForTest(ctx, "VACUUM ANALYZE "+table); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Logf("%s: %d pages and %d findings written in %s", backend, explorePageCount, len(findings), time.Since(start).Round(time.Millisecond))
	return db, c.ID
}

// writeFindingsBench stores findings in the audit job's batches.
func writeFindingsBench(b testing.TB, db *store.DB, l store.Lease, crawlID int64, fs []store.Finding) {
	ctx := context.Background()
	for i := 0; i < len(fs); i += db.AuditBatchSize() {
		if err := db.AuditWrite(ctx, l, crawlID, nil, fs[i:min(i+db.AuditBatchSize(), len(fs))]); err != nil {
			b.Fatal(err)
		}
	}
}
