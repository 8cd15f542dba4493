package crawler

import (
	"bytes"
	"context"
	"net/url"

	"github.com/scouter-seo/scouter/internal/fetch"
	"github.com/scouter-seo/scouter/internal/sitemap"
)

// maxSitemapURLs bounds the sitemap URLs one crawl records.
const maxSitemapURLs = 1_000_000

// loadSitemaps reads the sitemaps robots.txt lists, /sitemap.xml and those
// given in the options, following indexes, and records every URL they list
// (in_sitemap). URLs no link reaches stay "sitemap-only": the audit's orphan
// candidates, or seeds after the link crawl when SeedSitemaps is set.
func (c *crawl) loadSitemaps(ctx context.Context, start *url.URL) error {
	h, err := c.robots.get(ctx, start)
	if err != nil {
		return err
	}
	guess := start.Scheme + "://" + start.Host + "/sitemap.xml"
	var queue []string
	seen := map[string]bool{}
	add := func(raw string) {
		if s, err := c.norm.Normalize(raw); err == nil && !seen[s] {
			seen[s] = true
			queue = append(queue, s)
		}
	}
	for _, s := range h.sitemaps {
		add(s)
	}
	for _, s := range c.opts.Sitemaps {
		add(s)
	}
	add(guess)
	files, urls := 0, 0
	for len(queue) > 0 && files < maxSitemapFiles {
		s := queue[0]
		queue = queue[1:]
		u, _ := url.Parse(s)
		resp, err := c.fetcher.Fetch(ctx, fetch.Request{URL: u, MaxBody: sitemap.MaxBytes, Accept: "application/xml,text/xml,text/plain,*/*"})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			c.cfg.Log.Warn("sitemap %s: %v", s, err)
			continue
		}
		if resp.Status != 200 {
			if s == guess && resp.Status == 404 {
				c.cfg.Log.Info("sitemap %s: none (404)", s)
			} else {
				c.cfg.Log.Warn("sitemap %s: status %d", s, resp.Status)
			}
			continue
		}
		files++
		sm, err := sitemap.Parse(bytes.NewReader(resp.Body), nil)
		if err != nil {
			c.cfg.Log.Warn("sitemap %s: %v", s, err)
			continue
		}
		for _, msg := range sm.Errors {
			c.cfg.Log.Warn("sitemap %s: %s", s, msg)
		}
		if sm.Kind == sitemap.Index {
			for _, e := range sm.Sitemaps {
				if ref, err := c.norm.ResolveKey(u, e.Loc); err == nil {
					add(ref)
				}
			}
			c.cfg.Log.Info("sitemap index %s: %d sitemaps", s, len(sm.Sitemaps))
			continue
		}
		n := 0
		for _, e := range sm.URLs {
			if urls >= maxSitemapURLs {
				break
			}
			loc, err := c.norm.ResolveKey(u, e.Loc)
			if err != nil {
				continue
			}
			t, isNew := c.lookup(loc)
			t.inSitemap = true
			if isNew && t.internal {
				t.state, t.reason = stExcluded, rsSitemapOnly
			}
			c.batch.put(c.row(t, loc, 0))
			n++
			urls++
		}
		c.cfg.Log.Info("sitemap %s: %d URLs", s, n)
	}
	if len(queue) > 0 {
		c.cfg.Log.Warn("sitemaps: stopped after %d files", maxSitemapFiles)
	}
	if urls >= maxSitemapURLs {
		c.cfg.Log.Warn("sitemaps: stopped after %d URLs", maxSitemapURLs)
	}
	c.cfg.Log.Info("Sitemaps: %d URLs in %d files", urls, files)
	return nil
}
