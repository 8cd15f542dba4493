package testsite

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func fetch(t testing.TB, u string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func pagePath(i int) string {
	if i == 0 {
		return "/"
	}
	return "/p/" + strconv.Itoa(i)
}

func TestGeneratedReachability(t *testing.T) {
	const n = 10_000
	g := NewGenerated(n, 42)
	defer g.Close()
	depth := make([]int, n)
	for i := range depth {
		depth[i] = -1
	}
	depth[0] = 0
	queue, maxDepth := []int{0}, 0
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, j := range g.Links(i) {
			if j < 0 || j >= n {
				t.Fatalf("page %d links to %d", i, j)
			}
			if depth[j] < 0 {
				depth[j] = depth[i] + 1
				maxDepth = max(maxDepth, depth[j])
				queue = append(queue, j)
			}
		}
	}
	for i, d := range depth {
		if d < 0 {
			t.Fatalf("page %d unreachable", i)
		}
	}
	// The tree alone bounds depth by log10(n); random links only shorten it.
	if maxDepth > 4 {
		t.Errorf("max depth %d for %d pages", maxDepth, n)
	}
	if g.Pages() != n || g.Links(n) != nil || g.Links(-1) != nil {
		t.Error("Pages/Links out of range")
	}
}

var hrefRE = regexp.MustCompile(`<a href="([^"]*)"`)

func TestGeneratedPages(t *testing.T) {
	const n = 2_000
	g := NewGenerated(n, 7)
	defer g.Close()
	minSize, maxSize, minLinks, maxLinks, ext := 1<<30, 0, 1<<30, 0, 0
	for i := 0; i < n; i += 7 {
		status, body := fetch(t, g.URL()+pagePath(i)[1:])
		if status != 200 {
			t.Fatalf("page %d: %d", i, status)
		}
		minSize, maxSize = min(minSize, len(body)), max(maxSize, len(body))
		for _, tag := range []string{"<title>Page " + strconv.Itoa(i) + ": ", `<meta name="description" content="`, "<h1>", "</html>\n"} {
			if !bytes.Contains(body, []byte(tag)) {
				t.Errorf("page %d: no %q", i, tag)
			}
		}
		if h2 := bytes.Count(body, []byte("<h2>")); h2 < 3 {
			t.Errorf("page %d: %d h2", i, h2)
		}
		var internal []int
		hrefs := hrefRE.FindAllSubmatch(body, -1)
		for _, m := range hrefs {
			h := string(m[1])
			switch {
			case strings.HasPrefix(h, genExtHost):
				ext++
			case h == "/":
				internal = append(internal, 0)
			default:
				id, err := strconv.Atoi(strings.TrimPrefix(h, "/p/"))
				if err != nil || pagePath(id) != h {
					t.Fatalf("page %d: odd href %q", i, h)
				}
				internal = append(internal, id)
			}
		}
		minLinks, maxLinks = min(minLinks, len(hrefs)), max(maxLinks, len(hrefs))
		want := g.Links(i)
		if len(internal) != len(want) {
			t.Fatalf("page %d: %d internal hrefs, Links has %d", i, len(internal), len(want))
		}
		for k := range want {
			if internal[k] != want[k] {
				t.Fatalf("page %d: href %d is %d, Links says %d", i, k, internal[k], want[k])
			}
		}
		for c := 10*i + 1; c <= 10*i+10 && c < n; c++ {
			if !containsInt(want, c) {
				t.Errorf("page %d does not link to its child %d", i, c)
			}
		}
	}
	if minSize < genMinSize || maxSize > genMaxSize {
		t.Errorf("page sizes %d..%d, want within %d..%d", minSize, maxSize, genMinSize, genMaxSize)
	}
	if minLinks < genMinLinks || maxLinks > genMaxLinks {
		t.Errorf("links per page %d..%d, want within %d..%d", minLinks, maxLinks, genMinLinks, genMaxLinks)
	}
	if ext == 0 {
		t.Error("no external links at all")
	}
	t.Logf("sizes %d..%d bytes, %d..%d links", minSize, maxSize, minLinks, maxLinks)
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestGeneratedDeterminism(t *testing.T) {
	a, b, c := NewGenerated(5_000, 99), NewGenerated(5_000, 99), NewGenerated(5_000, 100)
	defer a.Close()
	defer b.Close()
	defer c.Close()
	differs := false
	for _, i := range []int{0, 1, 17, 999, 4999} {
		_, ba := fetch(t, a.URL()+pagePath(i)[1:])
		_, bb := fetch(t, b.URL()+pagePath(i)[1:])
		_, bc := fetch(t, c.URL()+pagePath(i)[1:])
		if !bytes.Equal(ba, bb) {
			t.Errorf("page %d differs between two servers with the same seed", i)
		}
		// Rendering twice in one server (reused buffers) gives the same bytes.
		if _, again := fetch(t, a.URL()+pagePath(i)[1:]); !bytes.Equal(ba, again) {
			t.Errorf("page %d differs between two requests", i)
		}
		differs = differs || !bytes.Equal(ba, bc)
	}
	if !differs {
		t.Error("another seed gives the same pages")
	}
}

func TestGeneratedRoutes(t *testing.T) {
	g := NewGenerated(100, 1)
	defer g.Close()
	if !strings.HasPrefix(g.URL(), "http://127.0.0.1:") || !strings.HasSuffix(g.URL(), "/") {
		t.Errorf("URL = %s", g.URL())
	}
	status, body := fetch(t, g.URL()+"robots.txt")
	if status != 200 || string(body) != "User-agent: *\nAllow: /\n" {
		t.Errorf("robots.txt: %d %q", status, body)
	}
	for _, p := range []string{"p/0", "p/100", "p/017", "p/", "p/1x", "p/1?q=1", "x", "favicon.ico", "p/99999999999999999999"} {
		if status, _ := fetch(t, g.URL()+p); status != 404 {
			t.Errorf("/%s: %d, want 404", p, status)
		}
	}
	fetch(t, g.URL())
	fetch(t, g.URL()+"p/99")
	fetch(t, g.URL()+"p/99")
	for p, want := range map[string]int{"/": 1, "/p/99": 2, "/p/1": 0, "/robots.txt": 1, "/p/017": 1, "/p/1?q=1": 1} {
		if n := g.Requests(p); n != want {
			t.Errorf("Requests(%s) = %d, want %d", p, n, want)
		}
	}
	if n := g.TotalRequests(); n != 13 {
		t.Errorf("TotalRequests = %d, want 13", n)
	}
}

func TestGeneratedDelay(t *testing.T) {
	g := NewGenerated(10, 1)
	defer g.Close()
	g.SetDelay(100 * time.Millisecond)
	start := time.Now()
	fetch(t, g.URL())
	if el := time.Since(start); el < 100*time.Millisecond {
		t.Errorf("answered after %v with a 100ms delay", el)
	}
	g.SetDelay(time.Hour)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if resp, err := http.Get(g.URL() + "p/1"); err == nil {
			resp.Body.Close()
		}
	}()
	for g.Requests("/p/1") == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	start = time.Now()
	g.Close()
	if el := time.Since(start); el > time.Second {
		t.Errorf("Close took %v with a delayed request", el)
	}
	wg.Wait()
}

// BenchmarkGeneratedPage is the server's cost per page, through its
// handler without the network: it must stay far below what crawling a
// page costs (the crawler needs 1,000 pages/s on 2 cores with the server
// on the same machine).
func BenchmarkGeneratedPage(b *testing.B) {
	g := NewGenerated(100_000, 1)
	defer g.Close()
	reqs := make([]*http.Request, 1024)
	for k := range reqs {
		reqs[k], _ = http.NewRequest("GET", "http://127.0.0.1"+pagePath(k*97%g.n), nil)
	}
	w := &countingWriter{header: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for k := 0; k < b.N; k++ {
		g.serve(w, reqs[k%len(reqs)])
	}
	b.ReportMetric(float64(w.n)/float64(b.N), "bytes/page")
	b.SetBytes(w.n / int64(b.N))
}

type countingWriter struct {
	header http.Header
	n      int64
}

func (w *countingWriter) Header() http.Header         { return w.header }
func (w *countingWriter) Write(b []byte) (int, error) { w.n += int64(len(b)); return len(b), nil }
func (w *countingWriter) WriteHeader(int)             {}

// BenchmarkGeneratedHTTP is the same over loopback HTTP with keep-alive
// connections, i.e. the ceiling the server puts on a crawl.
func BenchmarkGeneratedHTTP(b *testing.B) {
	g := NewGenerated(100_000, 1)
	defer g.Close()
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var next int64
	var mu sync.Mutex
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			next++
			i := int(next*97) % g.n
			mu.Unlock()
			resp, err := c.Get(g.URL() + pagePath(i)[1:])
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "pages/s")
}
