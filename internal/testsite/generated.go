package testsite

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Generated is a synthetic site of n pages derived from a seed: page 0 is
// "/", page i is "/p/{i}". Every page links to its children 10i+1..10i+10
// in a tree, so all pages are reachable and depths grow like log10(n), plus
// pseudo-random links across the site and a few to an external host.
type Generated struct {
	n    int
	seed int64
	ln   net.Listener
	srv  *http.Server

	closing chan struct{}
	once    sync.Once
	active  inflight

	paras [][]byte // "<p>...</p>\n", shared by all pages
	heads [][]byte // "<h2>...</h2>\n"
	words []string

	counts []atomic.Int64 // requests per page id
	total  atomic.Int64
	delay  atomic.Int64 // time.Duration

	mu    sync.Mutex
	other map[string]int // requests for anything that is not a page

	bufs sync.Pool
}

// Bounds of a generated page, as the tests check them.
const (
	genMinSize  = 20_000
	genMaxSize  = 60_000
	genMinLinks = 20
	genMaxLinks = 100
	genExtHost  = "http://ext.example/"

	genParagraphs = 256
	genHeadings   = 64
)

// genVocabulary gives the text plain words, so word counts and content
// hashes behave as on real pages.
var genVocabulary = strings.Fields(`the of and to in is that for it as was with on be by
at this from are or an have not they which one you had her all she there would their we
him been has when who will more no if out so said what up its about into than them can
only other new some could time these two may then do first any my now such like our over
man me even most made after also did many before must through back years where much your
way well down should because each just those people how too little state good very make
world still own see men work long get here between both life being under never day same
another know while last might us great old year off come since against go came right used
take three crawler page site link search index garden river mountain window market signal`)

var ctHTML = []string{"text/html; charset=utf-8"}

// NewGenerated starts a generated site of n pages (at least 1) on
// 127.0.0.1 with a free port.
func NewGenerated(n int, seed int64) *Generated {
	if n < 1 {
		n = 1
	}
	g := &Generated{
		n:       n,
		seed:    seed,
		closing: make(chan struct{}),
		words:   genVocabulary,
		counts:  make([]atomic.Int64, n),
		other:   map[string]int{},
	}
	g.bufs.New = func() any { b := make([]byte, 0, genMaxSize+4096); return &b }
	g.buildPools()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("testsite: listen: " + err.Error())
	}
	g.ln = ln
	g.srv = &http.Server{Handler: http.HandlerFunc(g.serve), ReadHeaderTimeout: 10 * time.Second}
	go g.srv.Serve(ln)
	return g
}

// rng is splitmix64: tiny, fast, and the same on every platform, so a
// seed means the same site everywhere.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func newRNG(seed int64, stream uint64) rng {
	r := rng{s: uint64(seed)}
	r.s ^= (&rng{s: stream}).next()
	return r
}

// buildPools writes the text every page is cut from, once, so serving a
// page is copying.
func (g *Generated) buildPools() {
	r := newRNG(g.seed, 1<<63)
	sentence := func(b []byte) []byte {
		n := 6 + r.intn(9)
		for k := 0; k < n; k++ {
			w := g.words[r.intn(len(g.words))]
			if k == 0 {
				b = append(b, w[0]-'a'+'A')
				b = append(b, w[1:]...)
			} else {
				b = append(b, ' ')
				b = append(b, w...)
			}
		}
		return append(b, '.')
	}
	for range genParagraphs {
		target := 300 + r.intn(900)
		b := []byte("<p>")
		for len(b) < target {
			if len(b) > 3 {
				b = append(b, ' ')
			}
			b = sentence(b)
		}
		g.paras = append(g.paras, append(b, "</p>\n"...))
	}
	for range genHeadings {
		b := []byte("<h2>")
		b = sentence(b)
		g.heads = append(g.heads, append(b[:len(b)-1], "</h2>\n"...))
	}
}

// genPlan is what is decided about a page before its text: the links,
// in document order, and the size to reach.
type genPlan struct {
	r       rng // continues into the text
	nlinks  int
	nchild  int
	targets [genMaxLinks]int32 // >= 0 a page id, < 0 external -1-k
	size    int
}

func (g *Generated) plan(i int, p *genPlan) {
	p.r = newRNG(g.seed, uint64(i))
	p.nlinks = genMinLinks + p.r.intn(genMaxLinks-genMinLinks+1)
	p.size = genMinSize + p.r.intn(genMaxSize-genMinSize-8_000+1) // room for overshoot
	p.nchild = 0
	for c := 10*i + 1; c <= 10*i+10 && c < g.n; c++ {
		p.targets[p.nchild] = int32(c)
		p.nchild++
	}
	// A few external links at random positions among the others.
	rest := p.nlinks - p.nchild
	var ext [3]int
	next := p.r.intn(len(ext) + 1)
	for k := range ext {
		ext[k] = -1
		if k < next {
			ext[k] = p.r.intn(rest)
		}
	}
	for j := 0; j < rest; j++ {
		t := int32(p.r.intn(g.n))
		if j == ext[0] || j == ext[1] || j == ext[2] {
			t = int32(-1 - p.r.intn(1000))
		}
		p.targets[p.nchild+j] = t
	}
}

// Pages is the number of pages, n.
func (g *Generated) Pages() int { return g.n }

// Links returns the page ids page i links to, in document order,
// duplicates included; nil if i is not a page.
func (g *Generated) Links(i int) []int {
	if i < 0 || i >= g.n {
		return nil
	}
	var p genPlan
	g.plan(i, &p)
	out := make([]int, 0, p.nlinks)
	for _, t := range p.targets[:p.nlinks] {
		if t >= 0 {
			out = append(out, int(t))
		}
	}
	return out
}

func appendHref(b []byte, t int32) []byte {
	switch {
	case t < 0:
		b = append(b, genExtHost...)
		b = strconv.AppendInt(b, int64(-1-t), 10)
	case t == 0:
		b = append(b, '/')
	default:
		b = append(b, "/p/"...)
		b = strconv.AppendInt(b, int64(t), 10)
	}
	return b
}

func (g *Generated) appendLink(b []byte, t int32, r *rng) []byte {
	b = append(b, `<a href="`...)
	b = appendHref(b, t)
	b = append(b, `">`...)
	b = append(b, g.words[r.intn(len(g.words))]...)
	b = append(b, ' ')
	if t < 0 {
		b = append(b, "elsewhere"...)
	} else {
		b = strconv.AppendInt(b, int64(t), 10)
	}
	return append(b, "</a>"...)
}

// render appends page i to b. It allocates nothing.
func (g *Generated) render(b []byte, i int) []byte {
	var p genPlan
	g.plan(i, &p)
	r := &p.r
	w1, w2, w3 := g.words[r.intn(len(g.words))], g.words[r.intn(len(g.words))], g.words[r.intn(len(g.words))]

	b = append(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Page "...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, ": "...)
	b = append(b, w1...)
	b = append(b, ' ')
	b = append(b, w2...)
	b = append(b, ' ')
	b = append(b, w3...)
	b = append(b, "</title>\n<meta name=\"description\" content=\""...)
	para := g.paras[r.intn(len(g.paras))]
	b = append(b, para[3:min(len(para)-5, 150)]...) // a sentence-ish cut of a paragraph
	b = append(b, "\">\n</head>\n<body>\n<h1>"...)
	b = append(b, w1...)
	b = append(b, ' ')
	b = append(b, w2...)
	b = append(b, ' ')
	b = append(b, w3...)
	b = append(b, "</h1>\n<nav><ul>\n"...)
	for _, t := range p.targets[:p.nchild] {
		b = append(b, "<li>"...)
		b = g.appendLink(b, t, r)
		b = append(b, "</li>\n"...)
	}
	b = append(b, "</ul></nav>\n"...)

	next := p.nchild
	for k := 0; len(b) < p.size; k++ {
		if k%3 == 0 {
			b = append(b, g.heads[r.intn(len(g.heads))]...)
		}
		b = append(b, g.paras[r.intn(len(g.paras))]...)
		if next < p.nlinks {
			b = append(b, "<p>See also"...)
			for end := min(next+4, p.nlinks); next < end; next++ {
				b = append(b, ' ')
				b = g.appendLink(b, p.targets[next], r)
			}
			b = append(b, "</p>\n"...)
		}
	}
	if next < p.nlinks {
		b = append(b, "<ul>\n"...)
		for ; next < p.nlinks; next++ {
			b = append(b, "<li>"...)
			b = g.appendLink(b, p.targets[next], r)
			b = append(b, "</li>\n"...)
		}
		b = append(b, "</ul>\n"...)
	}
	return append(b, "</body>\n</html>\n"...)
}

// pageID maps a path to a page id, or -1. Only the canonical spelling of
// a number is a page, so each page has exactly one URL.
func (g *Generated) pageID(path string) int {
	if path == "/" {
		return 0
	}
	s, ok := strings.CutPrefix(path, "/p/")
	if !ok || s == "" || s[0] == '0' || len(s) > 10 {
		return -1
	}
	i := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return -1
		}
		i = i*10 + int(c-'0')
	}
	if i >= g.n {
		return -1
	}
	return i
}

func (g *Generated) serve(w http.ResponseWriter, r *http.Request) {
	if !g.active.enter() {
		return
	}
	defer g.active.leave()
	g.total.Add(1)
	id := -1
	if r.URL.RawQuery == "" {
		id = g.pageID(r.URL.Path)
	}
	if id >= 0 {
		g.counts[id].Add(1)
	} else {
		g.mu.Lock()
		g.other[r.URL.RequestURI()]++
		g.mu.Unlock()
	}
	if d := time.Duration(g.delay.Load()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-g.closing:
			t.Stop()
			return
		}
	}
	switch {
	case id >= 0:
		bp := g.bufs.Get().(*[]byte)
		b := g.render((*bp)[:0], id)
		h := w.Header()
		h["Content-Type"] = ctHTML
		h["Content-Length"] = []string{strconv.Itoa(len(b))}
		w.WriteHeader(http.StatusOK)
		w.Write(b)
		*bp = b
		g.bufs.Put(bp)
	case r.URL.Path == "/robots.txt" && r.URL.RawQuery == "":
		writeBody(w, http.StatusOK, "text/plain; charset=utf-8", []byte("User-agent: *\nAllow: /\n"))
	default:
		writeBody(w, http.StatusNotFound, "text/plain; charset=utf-8", []byte("not found\n"))
	}
}

// URL is the site's root, "http://127.0.0.1:PORT/".
func (g *Generated) URL() string { return "http://" + g.ln.Addr().String() + "/" }

// Close stops the server, releasing requests held by SetDelay first.
func (g *Generated) Close() {
	g.once.Do(func() {
		close(g.closing)
		g.srv.Close()
		g.active.close()
	})
}

// Requests is how many requests a path received ("/", "/p/17",
// "/robots.txt", or any other path and query as requested).
func (g *Generated) Requests(path string) int {
	if id := g.pageID(path); id >= 0 {
		return int(g.counts[id].Load())
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.other[path]
}

// TotalRequests counts every request received.
func (g *Generated) TotalRequests() int64 { return g.total.Load() }

// SetDelay makes every following request wait d before it is answered,
// so a test can slow a crawl enough to kill it midway.
func (g *Generated) SetDelay(d time.Duration) { g.delay.Store(int64(d)) }
