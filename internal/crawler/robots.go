package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"

	"github.com/scouter-seo/scouter/internal/fetch"
	"github.com/scouter-seo/scouter/internal/robots"
)

// robotsCache fetches each host's robots.txt once and keeps the group that
// applies to our user agent, so a link check is a match, never a parse.
type robotsCache struct {
	c     *crawl
	mu    sync.Mutex
	hosts map[string]*hostRobots
}

type hostRobots struct {
	mu       sync.Mutex
	done     bool
	group    *robots.Group
	sitemaps []string
}

// allowed fetches the host's robots.txt if needed and matches u against it.
// It fails only when ctx is cancelled.
func (r *robotsCache) allowed(ctx context.Context, u *url.URL) (bool, error) {
	h, err := r.get(ctx, u)
	if err != nil {
		return false, err
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return h.group.Allowed(p), nil
}

func (r *robotsCache) get(ctx context.Context, u *url.URL) (*hostRobots, error) {
	key := u.Scheme + "://" + fetch.HostKey(u)
	r.mu.Lock()
	if r.hosts == nil {
		r.hosts = map[string]*hostRobots{}
	}
	h := r.hosts[key]
	if h == nil {
		h = &hostRobots{}
		r.hosts[key] = h
	}
	r.mu.Unlock()

	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done {
		return h, nil
	}
	rb, err := r.fetch(ctx, &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"})
	if err != nil {
		return nil, err
	}
	h.group = rb.Group(r.c.opts.UserAgent)
	h.sitemaps = rb.Sitemaps()
	if d, ok := h.group.CrawlDelay(); ok && d > 0 {
		if d > maxCrawlDelay {
			r.c.cfg.Log.Warn("robots.txt of %s asks for a %s crawl delay; using %s", u.Host, d, maxCrawlDelay)
			d = maxCrawlDelay
		}
		r.c.fetcher.SetCrawlDelay(fetch.HostKey(u), d)
		r.c.cfg.Log.Info("robots.txt of %s: crawl delay %s", u.Host, d)
	}
	h.done = true
	return h, nil
}

// fetch gets robots.txt as Google does: redirects followed (up to five
// hops), 4xx means no rules, 5xx or no answer means nothing may be crawled.
func (r *robotsCache) fetch(ctx context.Context, u *url.URL) (*robots.Robots, error) {
	target := u
	for hop := 0; ; hop++ {
		// One byte past the limit tells the parser the file was cut.
		resp, err := r.c.fetcher.Fetch(ctx, fetch.Request{URL: target, MaxBody: robots.MaxSize + 1, Accept: "text/plain,*/*"})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var fe *fetch.Error
			if errors.As(err, &fe) && (fe.Kind == fetch.KindConnect || fe.Kind == fetch.KindDNS) {
				// The host cannot be reached at all: its pages will fail
				// the same way and be reported with the reason.
				r.c.cfg.Log.Warn("robots.txt %s unreachable (%v)", target, err)
				return robots.AllowAll(), nil
			}
			r.c.cfg.Log.Warn("robots.txt %s unreachable (%v): nothing on %s is crawled, as Google does", target, err, u.Host)
			return robots.DisallowAll(), nil
		}
		if resp.Status >= 300 && resp.Status < 400 && resp.Location != "" && hop < maxRobotsHops {
			next, err := target.Parse(resp.Location)
			if err == nil && (next.Scheme == "http" || next.Scheme == "https") {
				target = next
				continue
			}
		}
		rb := robots.ForStatus(resp.Status, resp.Body)
		switch {
		case resp.Status >= 200 && resp.Status < 300:
			r.c.cfg.Log.Info("robots.txt %s: found (%s)", target, byteSize(int64(len(resp.Body))))
		case resp.Status == 429 || resp.Status >= 500:
			r.c.cfg.Log.Warn("robots.txt %s answered %d: nothing on %s is crawled, as Google does", target, resp.Status, u.Host)
		default:
			r.c.cfg.Log.Info("robots.txt %s: none (%d), everything allowed", target, resp.Status)
		}
		return rb, nil
	}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
