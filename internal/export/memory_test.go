package export_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/export"
	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// bigCrawl writes n crawled pages with realistic text, in batches, keeping
// none of them.
func bigCrawl(t testing.TB, backend string, n int) (*store.DB, store.Crawl) {
	t.Helper()
	db, c, _ := bigCrawlLease(t, backend, n)
	return db, c
}

func bigCrawlLease(t testing.TB, backend string, n int) (*store.DB, store.Crawl, store.Lease) {
	t.Helper()
	db, c, l := crawl(t, backend)
	now := time.Now()
	desc := strings.Repeat("A page description of a typical length, ", 4)
	for start := 1; start <= n; start += 5000 {
		b := &store.CrawlBatch{}
		for id := start; id < start+5000 && id <= n; id++ {
			b.Pages = append(b.Pages, store.Page{CrawlID: c.ID, ID: int64(id), URL: fmt.Sprintf("https://example.com/category/product-%d.html", id),
				Internal: true, State: store.PageCrawled, Depth: id % 7, FoundFrom: int64(id / 2), Status: 200,
				ContentType: "text/html; charset=utf-8", Size: 40_000, TTFBMicros: 12_345, TimeMicros: 45_678, CrawledAt: &now,
				Title: fmt.Sprintf("Product %d — a title of a typical length | Example", id), TitleLength: 50, TitleCount: 1,
				Description: desc, DescriptionLength: len(desc), DescriptionCount: 1, H1: fmt.Sprintf("Product %d", id), H1Count: 1,
				Canonical: fmt.Sprintf("https://example.com/category/product-%d.html", id), Indexable: true, Indexability: "indexable",
				Lang: "en", WordCount: 800, ContentHash: int64(id) * 7919, SimHash: int64(id) * 104729, JSONLDTypes: `["Product"]`,
				ImageCount: 5, InternalOutlinks: 60, ExternalOutlinks: 3})
		}
		write(t, db, l, b)
	}
	return db, c, l
}

var errEnough = errors.New("enough rows")

// heapWriter counts the rows written (one line each: the fixture has no
// newline in its text) and samples the heap every 5,000 rows: HeapAlloc as
// is (garbage included), and after a collection (what the export holds).
type heapWriter struct {
	rows, stopAt   int64
	base           uint64
	peak, peakLive uint64
}

func (h *heapWriter) Write(p []byte) (int, error) {
	before := h.rows
	h.rows += int64(bytes.Count(p, []byte{'\n'}))
	if h.rows/5000 != before/5000 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		h.peak = max(h.peak, m.HeapAlloc)
		runtime.GC()
		runtime.ReadMemStats(&m)
		h.peakLive = max(h.peakLive, m.HeapAlloc)
	}
	if h.stopAt > 0 && h.rows >= h.stopAt {
		return len(p), errEnough
	}
	return len(p), nil
}

// measure exports the pages, stopping after stopAt rows (0: all), and
// returns the peak heap growth, with garbage and live.
func measure(t *testing.T, db *store.DB, c store.Crawl, f export.Format, stopAt int64) (peak, live int64, rows int64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h := &heapWriter{stopAt: stopAt, base: m.HeapAlloc}
	_, err := export.Pages(t.Context(), db, c.ID, f, h)
	if stopAt > 0 && !errors.Is(err, errEnough) || stopAt == 0 && err != nil {
		t.Fatalf("export: %v", err)
	}
	return int64(h.peak) - int64(h.base), int64(h.peakLive) - int64(h.base), h.rows
}

// TestFlatMemory exports 100,000 pages (20,000 under the race detector)
// and checks that the heap does not grow with the row count: the peak over
// the whole export is compared with the peak over its first fifth. The heap
// is the process's: the test and its backends run alone (not in parallel).
func TestFlatMemory(t *testing.T) {
	n := 100_000
	if raceEnabled {
		n = 20_000
	}
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) { flatMemory(t, backend, n) })
	}
}

func flatMemory(t *testing.T, backend string, n int) {
	{
		start := time.Now()
		db, c := bigCrawl(t, backend, n)
		t.Logf("%s: wrote %d pages in %v", backend, n, time.Since(start).Round(time.Millisecond))
		measure(t, db, c, export.CSV, 2000) // warm up: connections, statement caches
		for _, f := range []export.Format{export.CSV, export.JSONL} {
			start := time.Now()
			peak20, live20, rows20 := measure(t, db, c, f, int64(n/5))
			peak, live, rows := measure(t, db, c, f, 0)
			t.Logf("%s %s: %d rows in %v; peak heap growth %.1f MB (live %.1f MB), over the first %d rows %.1f MB (live %.1f MB)",
				backend, f, rows, time.Since(start).Round(time.Millisecond), mb(peak), mb(live), rows20, mb(peak20), mb(live20))
			if f == export.CSV {
				rows-- // the header
			}
			if rows != int64(n) {
				t.Fatalf("%s: %d rows, want %d", f, rows, n)
			}
			if peak > 16<<20 {
				t.Errorf("%s: peak heap growth %.1f MB over 16 MB", f, mb(peak))
			}
			if live-live20 > 2<<20 {
				t.Errorf("%s: live heap grew %.1f MB from %d to %d rows", f, mb(live-live20), n/5, n)
			}
			if peak-peak20 > 6<<20 {
				t.Errorf("%s: peak heap grew %.1f MB from %d to %d rows", f, mb(peak-peak20), n/5, n)
			}
		}
	}
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// BenchmarkExport exports 20,000 pages, and 20,000 findings, from each
// backend to a counting writer.
//
//	go test -run '^$' -bench BenchmarkExport ./internal/export/
func BenchmarkExport(b *testing.B) {
	const n = 20_000
	for _, backend := range testdb.Backends {
		db, c, l := bigCrawlLease(b, backend, n)
		var fs []store.Finding
		for i := range n {
			fs = append(fs, store.Finding{CrawlID: c.ID, CheckID: "title_too_long", PageID: int64(i + 1),
				Element: fmt.Sprintf("Product %d — a title of a typical length | Example", i)})
		}
		if err := db.AuditWrite(b.Context(), l, c.ID, nil, fs); err != nil {
			b.Fatal(err)
		}
		for _, what := range []string{"pages", "findings"} {
			run := export.Pages
			if what == "findings" {
				run = export.Findings
			}
			for _, f := range []export.Format{export.CSV, export.JSONL} {
				b.Run(backend+"/"+what+"/"+string(f), func(b *testing.B) {
					var rows, bytes int64
					for b.Loop() {
						var cw countWriter
						r, err := run(b.Context(), db, c.ID, f, &cw)
						if err != nil || r != n {
							b.Fatalf("%d rows, %v", r, err)
						}
						rows += r
						bytes += int64(cw)
					}
					b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
					b.ReportMetric(float64(bytes)/b.Elapsed().Seconds()/1e6, "MB/s")
				})
			}
		}
	}
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
