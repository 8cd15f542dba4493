package fetch

import (
	"context"
	"math"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
)

// HostKey is the politeness key of u: the lower-cased host and its port,
// with the scheme's default port (80, 443) added when none is written, and
// IPv6 literals in brackets: "example.com:443", "[::1]:8080". Per-host
// concurrency, rates, crawl delays and throttling pauses all use it; it
// matches robots.txt scoping, which is per scheme, host and port.
func HostKey(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "http":
			port = "80"
		case "https":
			port = "443"
		default:
			return strings.ToLower(u.Host)
		}
	}
	return net.JoinHostPort(host, port)
}

// SetCrawlDelay sets the Crawl-delay of a host key (see HostKey) from its
// robots.txt. The interval between request starts to the host becomes the
// larger of d and 1/HostMaxRPS; d <= 0 removes the delay.
func (f *Fetcher) SetCrawlDelay(host string, d time.Duration) {
	p := &f.pol
	h := p.get(strings.ToLower(host))
	p.mu.Lock()
	h.crawlDelay = max(d, 0)
	p.mu.Unlock()
	p.put(h)
}

// politeness holds the slots, rates and pauses shared by all requests.
// One mutex guards everything but the semaphores: it is held for a few
// field updates per request, far below what would contend.
type politeness struct {
	global       chan struct{}
	hostConc     int
	hostInterval time.Duration // from HostMaxRPS; 0 = none
	rateInterval time.Duration // from MaxRPS; 0 = none

	mu      sync.Mutex
	hosts   map[string]*hostState
	sweepAt int
	// tat is the global rate's "theoretical arrival time" (GCRA): the
	// earliest start of the next request. Advancing it by the interval from
	// the reserved time, not the time we woke, keeps timer lateness from
	// lowering the rate below MaxRPS.
	tat time.Time
}

type hostState struct {
	key         string
	sem         chan struct{}
	refs        int // Fetch calls using this entry; guarded by politeness.mu
	lastStart   time.Time
	pausedUntil time.Time
	crawlDelay  time.Duration
}

const minSweep = 1024

func (p *politeness) init(c Config) {
	p.global = make(chan struct{}, c.Concurrency)
	p.hostConc = c.HostConcurrency
	p.hostInterval = rpsInterval(c.HostMaxRPS)
	p.rateInterval = rpsInterval(c.MaxRPS)
	p.hosts = make(map[string]*hostState)
	p.sweepAt = minSweep
}

func rpsInterval(rps float64) time.Duration {
	if rps <= 0 {
		return 0
	}
	if d := float64(time.Second) / rps; d < math.MaxInt64 {
		return time.Duration(d)
	}
	return math.MaxInt64
}

// get returns the host's entry, referenced until put.
func (p *politeness) get(key string) *hostState {
	p.mu.Lock()
	defer p.mu.Unlock()
	h := p.hosts[key]
	if h == nil {
		if len(p.hosts) >= p.sweepAt {
			p.sweep(time.Now())
		}
		h = &hostState{key: key, sem: make(chan struct{}, p.hostConc)}
		p.hosts[key] = h
	}
	h.refs++
	return h
}

func (p *politeness) put(h *hostState) {
	p.mu.Lock()
	h.refs--
	p.mu.Unlock()
}

// sweep drops entries that carry no state a future request would need, so
// a crawl touching many hosts does not grow the map for ever.
func (p *politeness) sweep(now time.Time) {
	for k, h := range p.hosts {
		if h.refs == 0 && h.crawlDelay == 0 && p.hostWait(h, now) <= 0 {
			delete(p.hosts, k)
		}
	}
	p.sweepAt = max(minSweep, 2*len(p.hosts))
}

// hostWait is how long until h may start a request. p.mu must be held.
func (p *politeness) hostWait(h *hostState, now time.Time) time.Duration {
	ready := h.pausedUntil
	if iv := max(p.hostInterval, h.crawlDelay); iv > 0 && !h.lastStart.IsZero() {
		if t := h.lastStart.Add(iv); t.After(ready) {
			ready = t
		}
	}
	return ready.Sub(now)
}

// acquire takes h's slot, waits out h's interval and pause, then takes a
// global slot and rate token. The host comes first so that requests queued
// on a slow or paused host never sit on global slots.
func (p *politeness) acquire(ctx context.Context, h *hostState) error {
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	for {
		p.mu.Lock()
		wait := p.hostWait(h, time.Now())
		p.mu.Unlock()
		if wait > 0 {
			if err := sleep(ctx, wait); err != nil {
				<-h.sem
				return err
			}
			continue
		}
		select {
		case p.global <- struct{}{}:
		case <-ctx.Done():
			<-h.sem
			return ctx.Err()
		}
		var reserved bool
		if p.rateInterval > 0 {
			p.mu.Lock()
			now := time.Now()
			t := p.tat
			if t.Before(now) {
				t = now
			}
			p.tat = t.Add(p.rateInterval)
			p.mu.Unlock()
			reserved = true
			if err := sleep(ctx, t.Sub(now)); err != nil {
				p.mu.Lock()
				p.tat = p.tat.Add(-p.rateInterval)
				p.mu.Unlock()
				<-p.global
				<-h.sem
				return err
			}
		}
		// Commit the start only now: a pause set by a throttled response,
		// or another request to h, may have come in while we waited.
		p.mu.Lock()
		now := time.Now()
		if p.hostWait(h, now) <= 0 {
			h.lastStart = now
			p.mu.Unlock()
			return nil
		}
		if reserved {
			p.tat = p.tat.Add(-p.rateInterval)
		}
		p.mu.Unlock()
		<-p.global
	}
}

func (p *politeness) release(h *hostState) {
	<-p.global
	<-h.sem
}

// pause holds back every request to h for d from now.
func (p *politeness) pause(h *hostState, d time.Duration) {
	if d <= 0 {
		return
	}
	p.mu.Lock()
	if t := time.Now().Add(d); t.After(h.pausedUntil) {
		h.pausedUntil = t
	}
	p.mu.Unlock()
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
