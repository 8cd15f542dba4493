package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestHostKey(t *testing.T) {
	for in, want := range map[string]string{
		"http://Example.COM/a":       "example.com:80",
		"https://example.com/":       "example.com:443",
		"HTTPS://example.com/":       "example.com:443",
		"http://example.com:8080/":   "example.com:8080",
		"https://example.com:443/":   "example.com:443",
		"http://[::1]/":              "[::1]:80",
		"https://[2001:DB8::1]:8443": "[2001:db8::1]:8443",
		"http://127.0.0.1:3000/x":    "127.0.0.1:3000",
	} {
		u, _ := url.Parse(in)
		if got := HostKey(u); got != want {
			t.Errorf("HostKey(%s) = %q, want %q", in, got, want)
		}
	}
}

// arrivals records when each request reached the server, per path.
type arrivals struct {
	mu    sync.Mutex
	times map[string][]time.Time
}

func (a *arrivals) add(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.times == nil {
		a.times = map[string][]time.Time{}
	}
	a.times[key] = append(a.times[key], time.Now())
}

func (a *arrivals) get(key string) []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	ts := append([]time.Time(nil), a.times[key]...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	return ts
}

func (a *arrivals) all() []time.Time {
	a.mu.Lock()
	var ts []time.Time
	for _, v := range a.times {
		ts = append(ts, v...)
	}
	a.mu.Unlock()
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	return ts
}

// fetchAll fetches the URLs concurrently and fails the test on any error.
func fetchAll(t *testing.T, f *Fetcher, urls ...string) []*Response {
	t.Helper()
	out := make([]*Response, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := get(t, f, u)
			if err != nil {
				t.Errorf("%s: %v", u, err)
				return
			}
			out[i] = r
		}()
	}
	wg.Wait()
	return out
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// HTTP/2 multiplexes requests on one connection, so MaxConnsPerHost does
// not limit them: only the fetcher's host slots do.
func TestHostConcurrencyHTTP2(t *testing.T) {
	t.Parallel()
	var c inflight
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.enter()
		defer c.leave()
		time.Sleep(100 * time.Millisecond)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()

	for _, limit := range []int{1, 3} {
		c = inflight{}
		f := newFetcher(t, Config{Concurrency: 8, HostConcurrency: limit, TLSConfig: &tls.Config{RootCAs: certPool(srv)}})
		rs := fetchAll(t, f, repeat(srv.URL+"/", 9)...)
		if rs[0] == nil || rs[0].Proto != "HTTP/2.0" {
			t.Fatalf("not HTTP/2: %+v", rs[0])
		}
		// The peak must reach the limit (or slots are lost) and not pass it.
		if p := c.peak(); p != limit {
			t.Errorf("HostConcurrency %d: peak of %d concurrent requests", limit, p)
		}
	}
}

func TestGlobalConcurrency(t *testing.T) {
	t.Parallel()
	var c inflight
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.enter()
		defer c.leave()
		time.Sleep(100 * time.Millisecond)
	}))
	defer srv.Close()
	f := newFetcher(t, Config{Concurrency: 2, HostConcurrency: 2, DialContext: mapDialer(serverAddr(srv))})
	var urls []string
	for _, h := range []string{"a.test", "b.test", "c.test"} {
		urls = append(urls, repeat("http://"+h+"/", 3)...)
	}
	fetchAll(t, f, urls...)
	if p := c.peak(); p != 2 {
		t.Errorf("Concurrency 2 over 3 hosts: peak of %d concurrent requests", p)
	}
}

func TestHostMaxRPS(t *testing.T) {
	t.Parallel()
	var a arrivals
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.add(r.Host) }))
	defer srv.Close()
	f := newFetcher(t, Config{HostMaxRPS: 5, DialContext: mapDialer(serverAddr(srv))})
	fetchAll(t, f, append(repeat("http://slow.test/", 4), repeat("http://other.test/", 4)...)...)
	for _, h := range []string{"slow.test", "other.test"} {
		ts := a.get(h)
		for i := 1; i < len(ts); i++ {
			if gap := ts[i].Sub(ts[i-1]); gap < 180*time.Millisecond {
				t.Errorf("%s: requests %d and %d started %v apart, want >= 200ms", h, i-1, i, gap)
			}
		}
	}
}

func TestGlobalMaxRPS(t *testing.T) {
	t.Parallel()
	var a arrivals
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.add(r.Host) }))
	defer srv.Close()
	f := newFetcher(t, Config{MaxRPS: 10, DialContext: mapDialer(serverAddr(srv))})
	fetchAll(t, f, "http://a.test/", "http://b.test/", "http://c.test/", "http://d.test/", "http://e.test/", "http://a.test/x")
	ts := a.all()
	if len(ts) != 6 {
		t.Fatalf("%d requests arrived", len(ts))
	}
	if span := ts[5].Sub(ts[0]); span < 450*time.Millisecond {
		t.Errorf("6 requests at MaxRPS 10 spanned %v, want >= 500ms", span)
	}
}

func TestCrawlDelay(t *testing.T) {
	t.Parallel()
	var a arrivals
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.add(r.Host) }))
	defer srv.Close()
	f := newFetcher(t, Config{DialContext: mapDialer(serverAddr(srv))})
	f.SetCrawlDelay("Delayed.test:80", time.Second)

	mustGet(t, f, "http://delayed.test/1")
	start := time.Now()
	r := mustGet(t, f, "http://delayed.test/2")
	waited := time.Since(start)
	mustGet(t, f, "http://undelayed.test/1")
	mustGet(t, f, "http://undelayed.test/2")

	ts := a.get("delayed.test")
	if gap := ts[1].Sub(ts[0]); gap < 950*time.Millisecond {
		t.Errorf("second request %v after the first, want the 1s crawl delay", gap)
	}
	// TTFB starts when the request is sent, after the politeness wait: a
	// loopback answer takes milliseconds, the wait a whole second.
	if waited < 900*time.Millisecond || r.TTFB > waited/2 || r.Duration > waited/2 {
		t.Errorf("waited %v, but TTFB %v and Duration %v include the wait", waited, r.TTFB, r.Duration)
	}
	f.SetCrawlDelay("delayed.test:80", 0)
	mustGet(t, f, "http://delayed.test/3")
	mustGet(t, f, "http://delayed.test/4")
	ts = a.get("delayed.test")
	if gap := ts[3].Sub(ts[2]); gap > 900*time.Millisecond {
		t.Errorf("crawl delay not removed: %v between requests", gap)
	}
}

func TestCancelDuringPolitenessWait(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	f := newFetcher(t, Config{HostMaxRPS: 0.01}) // one request per 100s
	mustGet(t, f, srv.URL+"/first")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	e := fetchErr(t, f, ctx, srv.URL+"/second", KindCanceled)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v to end the wait", d)
	}
	if !errors.Is(e, context.Canceled) {
		t.Errorf("%v does not wrap context.Canceled", e)
	}
	// The cancelled request gave its slots back.
	f2 := newFetcher(t, Config{Concurrency: 1})
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	fetchErr(t, f2, ctx2, srv.URL+"/x", KindCanceled)
	done := make(chan error, 1)
	go func() { _, err := get(t, f2, srv.URL+"/y"); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(10 * time.Second):
		t.Error("slot leaked by a cancelled request")
	}
}

func TestHostMapSweep(t *testing.T) {
	f := newFetcher(t, Config{})
	f.SetCrawlDelay("keep.test:80", time.Second)
	p := &f.pol
	for i := 0; i < 3*minSweep; i++ {
		h := p.get(url.PathEscape(time.Duration(i).String()) + ":80")
		p.put(h)
	}
	p.mu.Lock()
	n, kept := len(p.hosts), p.hosts["keep.test:80"] != nil
	p.mu.Unlock()
	if n > 2*minSweep || !kept {
		t.Errorf("%d host entries after touching %d hosts once; crawl delay kept: %v", n, 3*minSweep, kept)
	}
}

// throttleServer answers /throttle with 429 (Retry-After: 1) the first
// two times, then 200; everything else at once.
type throttleServer struct {
	*httptest.Server
	arrivals
	hits       atomic.Int32
	first429At atomic.Pointer[time.Time]
	first429   chan struct{}
}

func newThrottleServer(t *testing.T) *throttleServer {
	s := &throttleServer{first429: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.add(r.Host + r.URL.Path)
		if r.URL.Path != "/throttle" {
			return
		}
		if n := s.hits.Add(1); n <= 2 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			if n == 1 {
				now := time.Now()
				s.first429At.Store(&now)
				close(s.first429)
			}
			return
		}
		io.WriteString(w, "finally")
	}))
	t.Cleanup(s.Close)
	return s
}

func TestThrottleRetryAfter(t *testing.T) {
	t.Parallel()
	s := newThrottleServer(t)
	f := newFetcher(t, Config{DialContext: mapDialer(serverAddr(s.Server))})

	type result struct {
		r   *Response
		err error
		at  time.Time
	}
	throttled := make(chan result, 1)
	start := time.Now()
	go func() {
		r, err := get(t, f, "http://busy.test/throttle")
		throttled <- result{r, err, time.Now()}
	}()
	<-s.first429
	// The server has sent the 429; wait until the client has read it and
	// paused the host, or the next request could leave before the pause.
	waitPaused(t, f, "busy.test:80")

	// Another host is not held back by the pause.
	other := mustGet(t, f, "http://calm.test/")
	otherDone := time.Now()
	// Another request to the paused host waits for the pause.
	sameHost := make(chan error, 1)
	go func() { _, err := get(t, f, "http://busy.test/other"); sameHost <- err }()

	res := <-throttled
	if res.err != nil {
		t.Fatal(res.err)
	}
	r := res.r
	if r.Status != 200 || r.Retries != 2 || r.Throttled || r.RetryAfter != 0 || string(r.Body) != "finally" {
		t.Errorf("status %d retries %d throttled %v retry-after %v body %q", r.Status, r.Retries, r.Throttled, r.RetryAfter, r.Body)
	}
	if d := res.at.Sub(start); d < 1900*time.Millisecond {
		t.Errorf("returned after %v; two Retry-After: 1 need at least 2s", d)
	}
	if other.Status != 200 || !otherDone.Before(res.at) {
		t.Error("request to another host waited for the throttled host")
	}
	if err := <-sameHost; err != nil {
		t.Fatal(err)
	}
	if ts := s.get("busy.test/other"); len(ts) != 1 || ts[0].Sub(*s.first429At.Load()) < 900*time.Millisecond {
		t.Errorf("request to the paused host arrived %v after the 429", ts[0].Sub(*s.first429At.Load()))
	}
	if got := s.hits.Load(); got != 3 {
		t.Errorf("%d requests to /throttle, want 3", got)
	}
}

// waitPaused waits until the fetcher holds a pause for the host key.
func waitPaused(t *testing.T, f *Fetcher, key string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.pol.mu.Lock()
		h := f.pol.hosts[key]
		paused := h != nil && h.pausedUntil.After(time.Now())
		f.pol.mu.Unlock()
		if paused {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pause recorded for %s", key)
		}
		time.Sleep(time.Millisecond)
	}
}

// statusServer answers every request with the given status and headers.
func statusServer(t *testing.T, status int, hdr map[string]string) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		for k, v := range hdr {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestThrottleRetryAfterTooLong(t *testing.T) {
	t.Parallel()
	srv, hits := statusServer(t, 429, map[string]string{"Retry-After": "3600"})
	f := newFetcher(t, Config{})
	start := time.Now()
	r := mustGet(t, f, srv.URL)
	// Waiting would take an hour; 30s is "returned at once" with room to spare.
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %v", d)
	}
	if r.Status != 429 || !r.Throttled || r.Retries != 0 || r.RetryAfter != time.Hour || hits.Load() != 1 {
		t.Errorf("status %d throttled %v retries %d retry-after %v hits %d", r.Status, r.Throttled, r.Retries, r.RetryAfter, hits.Load())
	}
	// The host is still paused for MaxRetryAfter, as the server asked.
	f.pol.mu.Lock()
	paused := time.Until(f.pol.hosts[HostKey(r.URL)].pausedUntil)
	f.pol.mu.Unlock()
	if paused < time.Minute {
		t.Errorf("host paused for %v after Retry-After: 3600, want MaxRetryAfter (2m)", paused)
	}
}

func TestThrottleHTTPDate(t *testing.T) {
	t.Parallel()
	date := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	srv, hits := statusServer(t, 503, map[string]string{
		"Date":        date.Format(http.TimeFormat),
		"Retry-After": date.Add(90 * time.Second).Format(http.TimeFormat),
	})
	f := newFetcher(t, Config{MaxRetryAfter: 10 * time.Second})
	r := mustGet(t, f, srv.URL)
	if r.Status != 503 || !r.Throttled || r.RetryAfter != 90*time.Second || hits.Load() != 1 {
		t.Errorf("status %d throttled %v retry-after %v hits %d", r.Status, r.Throttled, r.RetryAfter, hits.Load())
	}
}

func TestThrottleRetriesExhausted(t *testing.T) {
	t.Parallel()
	srv, hits := statusServer(t, 429, map[string]string{"Retry-After": "0"})
	f := newFetcher(t, Config{MaxRetries: 2})
	r := mustGet(t, f, srv.URL)
	if r.Status != 429 || !r.Throttled || r.Retries != 2 || hits.Load() != 3 {
		t.Errorf("status %d throttled %v retries %d hits %d", r.Status, r.Throttled, r.Retries, hits.Load())
	}
	// Negative MaxRetries: never retry.
	srv2, hits2 := statusServer(t, 429, map[string]string{"Retry-After": "0"})
	f = newFetcher(t, Config{MaxRetries: -1})
	if r := mustGet(t, f, srv2.URL); r.Retries != 0 || !r.Throttled || hits2.Load() != 1 {
		t.Errorf("MaxRetries -1: retries %d throttled %v hits %d", r.Retries, r.Throttled, hits2.Load())
	}
}

func TestThrottleBackoffWithoutRetryAfter(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.WriteHeader(429) // no Retry-After: back off 1s
		}
	}))
	defer srv.Close()
	f := newFetcher(t, Config{})
	start := time.Now()
	r := mustGet(t, f, srv.URL)
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("retried after %v, want the 1s backoff", d)
	}
	if r.Status != 200 || r.Retries != 1 || r.Throttled {
		t.Errorf("status %d retries %d throttled %v", r.Status, r.Retries, r.Throttled)
	}
	if got := backoff(0, time.Minute); got != time.Second {
		t.Errorf("backoff(0) = %v", got)
	}
	if got := backoff(3, time.Minute); got != 8*time.Second {
		t.Errorf("backoff(3) = %v", got)
	}
	if got := backoff(10, time.Minute); got != time.Minute {
		t.Errorf("backoff(10) = %v, want the cap", got)
	}
	if got := backoff(100, time.Minute); got != time.Minute {
		t.Errorf("backoff(100) = %v, want the cap", got)
	}
}

// A 503 without Retry-After is retried once, without pausing the host.
func TestTransient503(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	got503 := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/down" {
			return
		}
		if hits.Add(1) == 1 {
			defer close(got503)
		}
		w.WriteHeader(503)
	}))
	defer srv.Close()
	f := newFetcher(t, Config{})
	type result struct {
		r  *Response
		at time.Time
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		r, err := get(t, f, srv.URL+"/down")
		if err != nil {
			t.Error(err)
		}
		done <- result{r, time.Now()}
	}()
	<-got503
	mustGet(t, f, srv.URL+"/up") // same host, not paused
	upDone := time.Now()
	res := <-done
	r := res.r
	if r == nil {
		t.FailNow()
	}
	if r.Status != 503 || r.Retries != 1 || r.Throttled || hits.Load() != 2 {
		t.Errorf("status %d retries %d throttled %v hits %d", r.Status, r.Retries, r.Throttled, hits.Load())
	}
	if d := res.at.Sub(start); d < 900*time.Millisecond {
		t.Errorf("retried after %v, want 1s", d)
	}
	if !upDone.Before(res.at) {
		t.Error("a 503 without Retry-After paused the whole host")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		ra, date string
		want     time.Duration
		ok       bool
	}{
		{"", "", 0, false},
		{"120", "", 2 * time.Minute, true},
		{" 5 ", "", 5 * time.Second, true},
		{"0", "", 0, true},
		{"-5", "", 0, false},
		{"1.5", "", 0, false},
		{"soon", "", 0, false},
		{"99999999999999999999", "", 1<<63 - 1, true},
		{"Sat, 01 Mar 2025 12:00:30 GMT", "", 30 * time.Second, true},
		{"Sat, 01 Mar 2025 11:00:00 GMT", "", 0, true}, // in the past: now
		{"Saturday, 01-Mar-25 12:01:00 GMT", "", time.Minute, true},
		// Measured from the server's Date, not our clock.
		{"Sat, 01 Mar 2025 13:00:10 GMT", "Sat, 01 Mar 2025 13:00:00 GMT", 10 * time.Second, true},
	} {
		h := http.Header{}
		if tc.ra != "" {
			h.Set("Retry-After", tc.ra)
		}
		if tc.date != "" {
			h.Set("Date", tc.date)
		}
		got, ok := parseRetryAfter(h, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Retry-After %q (Date %q) = %v, %v; want %v, %v", tc.ra, tc.date, got, ok, tc.want, tc.ok)
		}
	}
}
