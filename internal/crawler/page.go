package crawler

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/scouter-seo/scouter/internal/extract"
	"github.com/scouter-seo/scouter/internal/fetch"
	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/urlnorm"
)

// outLink is a reference found on a fetched page, resolved and normalized.
type outLink struct {
	URL      string
	Kind     string
	Text     string
	Flags    int
	Internal bool
	Follow   bool // may add its target to the frontier
}

// analysis is what a fetch worker hands the coordinator for one page.
type analysis struct {
	page  store.Page // the row, without crawl id, id, depth and found-from
	links []outLink
	// nofollowPage: the page's robots directives forbid following its links.
	nofollowPage bool
}

// analyze turns a response into the page row and its links. It runs on the
// fetch workers, so parsing is spread over the cores.
func (c *crawl) analyze(u *url.URL, resp *fetch.Response) analysis {
	var a analysis
	p := &a.page
	p.Status = resp.Status
	p.ContentType = resp.ContentType
	p.Charset = resp.Charset
	p.Proto = resp.Proto
	p.Size = int64(len(resp.Body)) // with Truncated: the page is at least that big
	p.Truncated = resp.Truncated
	p.TTFBMicros = resp.TTFB.Microseconds()
	p.TimeMicros = resp.Duration.Microseconds()
	p.Retries = resp.Retries
	p.XRobotsTag = strings.Join(resp.Header.Values("X-Robots-Tag"), ", ")
	xNoindex, xNofollow := c.robotsDirectives(resp.Header.Values("X-Robots-Tag"), true)

	switch {
	case resp.Throttled:
		p.Indexability = "throttled"
		return a
	case resp.Status >= 300 && resp.Status < 400:
		p.Indexability = "redirect"
		if resp.Location != "" {
			if t, err := c.norm.ResolveKey(u, resp.Location); err == nil {
				p.RedirectURL = t
				a.links = append(a.links, outLink{URL: t, Kind: "redirect", Internal: c.internal(t), Follow: true})
			}
		}
		return a
	case resp.Status >= 400 && resp.Status < 500:
		p.Indexability = "client-error"
		return a
	case resp.Status >= 500:
		p.Indexability = "server-error"
		return a
	case resp.Status < 200:
		p.Indexability = "error"
		return a
	}

	ct := resp.ContentType
	if ct == "" {
		ct, _, _ = strings.Cut(http.DetectContentType(resp.Body), ";")
		p.ContentType = ct
	}
	if ct != "text/html" && ct != "application/xhtml+xml" {
		p.Indexable = !xNoindex
		if xNoindex {
			p.Indexability = "noindex"
		}
		return a
	}

	body, charset, _ := extract.DecodeToUTF8(resp.Body, resp.Header.Get("Content-Type"))
	p.Charset = charset
	pg := extract.Extract(body, &c.extractOpts)
	p.Title, p.TitleLength, p.TitleCount = pg.Title, pg.TitleLength, pg.TitleCount
	p.Description, p.DescriptionLength, p.DescriptionCount = pg.Description, pg.DescriptionLength, pg.DescriptionCount
	if len(pg.H1) > 0 {
		p.H1 = pg.H1[0]
	}
	p.H1Count, p.H2Count = pg.H1Count, pg.H2Count
	p.MetaRobots = pg.MetaRobots
	p.Lang = pg.Lang
	p.WordCount = pg.WordCount
	p.ContentHash = int64(pg.ContentHash)
	p.SimHash = int64(pg.SimHash)
	p.ImageCount = pg.ImageCount
	p.ImagesMissingAlt = pg.ImagesMissingAlt
	p.JSONLDTypes = jsonString(orEmpty(pg.JSONLD.Types))

	mNoindex, mNofollow := c.robotsDirectives([]string{pg.MetaRobots, pg.MetaBot}, false)
	a.nofollowPage = (mNofollow || xNofollow) && !c.opts.FollowNofollow

	base := pg.BaseURL(u)
	resolve := func(href string) (string, bool) {
		t, err := c.norm.ResolveKey(base, href)
		return t, err == nil
	}
	if len(pg.Canonicals) > 0 {
		if t, ok := resolve(pg.Canonicals[0]); ok {
			p.Canonical = t
		}
	} else if h := linkHeaderCanonical(resp.Header.Values("Link")); h != "" {
		if t, err := c.norm.ResolveKey(u, h); err == nil {
			p.Canonical = t
		}
	}
	type hl struct {
		Lang string `json:"lang"`
		URL  string `json:"url"`
	}
	hreflangs := []hl{}
	img := 0 // pg.Images lists the same <img> elements, with their alt data
	for _, l := range pg.Links {
		var kind string
		var im *extract.Image
		switch l.Kind {
		case extract.KindAnchor:
			kind = "anchor"
		case extract.KindImage:
			kind = "image"
			for img < len(pg.Images) && pg.Images[img].Src == "" {
				img++
			}
			if img < len(pg.Images) {
				im = &pg.Images[img]
				img++
			}
		case extract.KindCanonical:
			kind = "canonical"
		case extract.KindHreflang:
			kind = "hreflang"
		case extract.KindNext:
			kind = "next"
		case extract.KindPrev:
			kind = "prev"
		default:
			continue
		}
		if l.HrefTruncated {
			continue
		}
		t, ok := resolve(l.Href)
		if !ok {
			continue
		}
		o := outLink{URL: t, Kind: kind, Text: l.Text, Internal: c.internal(t)}
		if l.Rel.Has(extract.RelNofollow) {
			o.Flags |= store.LinkNofollow
		}
		if l.Rel.Has(extract.RelUGC) {
			o.Flags |= store.LinkUGC
		}
		if l.Rel.Has(extract.RelSponsored) {
			o.Flags |= store.LinkSponsored
		}
		if l.TargetBlank {
			o.Flags |= store.LinkTargetBlank
		}
		if l.Rel.Has(extract.RelNoopener) || l.Rel.Has(extract.RelNoreferrer) {
			o.Flags |= store.LinkNoopener
		}
		if l.TextFromAlt {
			o.Flags |= store.LinkTextFromAlt
		}
		switch kind {
		case "image":
			if im != nil {
				o.Text = im.Alt
				if !im.HasAlt {
					o.Flags |= store.LinkAltMissing
				}
			}
		case "hreflang":
			o.Text = l.Hreflang
			hreflangs = append(hreflangs, hl{l.Hreflang, o.URL})
		case "anchor":
			if o.Internal {
				p.InternalOutlinks++
			} else {
				p.ExternalOutlinks++
			}
		}
		o.Follow = kind != "image" && !a.nofollowPage && (o.Flags&store.LinkNofollow == 0 || c.opts.FollowNofollow)
		a.links = append(a.links, o)
	}
	p.Hreflang = jsonString(hreflangs)

	switch {
	case mNoindex || xNoindex:
		p.Indexability = "noindex"
	case p.Canonical != "" && p.Canonical != u.String():
		p.Indexability = "canonicalised"
	default:
		p.Indexable = true
	}
	p.Extra = extraJSON(pg)
	return a
}

// internal reports whether a URL key is on the site. Hosts are few, so the
// answer is cached per host.
func (c *crawl) internal(key string) bool {
	h := urlnorm.KeyHost(key)
	if v, ok := c.internalHosts.Load(h); ok {
		return v.(bool)
	}
	in := c.hosts.InternalHost(h)
	c.internalHosts.Store(h, in)
	return in
}

// robotsDirectives reads noindex and nofollow from meta robots contents or
// X-Robots-Tag values. A header value may name a crawler ("googlebot:
// noindex"); it applies when that is googlebot or our own product token.
func (c *crawl) robotsDirectives(values []string, header bool) (noindex, nofollow bool) {
	for _, v := range values {
		v = strings.ToLower(v)
		if header {
			if name, rest, ok := strings.Cut(v, ":"); ok && !strings.Contains(name, ",") {
				name = strings.TrimSpace(name)
				switch name {
				case "unavailable_after", "max-snippet", "max-image-preview", "max-video-preview":
				default:
					if name != "googlebot" && name != c.token {
						continue
					}
					v = rest
				}
			}
		}
		for _, d := range strings.Split(v, ",") {
			switch strings.TrimSpace(d) {
			case "noindex":
				noindex = true
			case "nofollow":
				nofollow = true
			case "none":
				noindex, nofollow = true, true
			}
		}
	}
	return noindex, nofollow
}

// linkHeaderCanonical returns the target of a `Link: <…>; rel="canonical"`
// response header, or "".
func linkHeaderCanonical(values []string) string {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			target, params, ok := strings.Cut(part, ";")
			target = strings.TrimSpace(target)
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(strings.TrimSpace(k), "rel") {
					for _, r := range strings.Fields(strings.Trim(val, `"`)) {
						if strings.EqualFold(r, "canonical") {
							return target[1 : len(target)-1]
						}
					}
				}
			}
		}
	}
	return ""
}

// extraJSON keeps the rest of the page's audit data (issue checks read it).
func extraJSON(pg *extract.Page) string {
	type refresh struct {
		Delay int    `json:"delay"`
		URL   string `json:"url"`
	}
	e := struct {
		H1s                  []string `json:"h1s,omitempty"`
		Canonicals           []string `json:"canonicals,omitempty"`
		CanonicalOutsideHead bool     `json:"canonical_outside_head,omitempty"`
		TitleOutsideHead     bool     `json:"title_outside_head,omitempty"`
		MetaBot              string   `json:"meta_googlebot,omitempty"`
		MetaRobotsInBody     bool     `json:"meta_robots_in_body,omitempty"`
		HeadingSkip          []int    `json:"heading_skip,omitempty"`
		Refresh              *refresh `json:"refresh,omitempty"`
		Viewport             *string  `json:"viewport,omitempty"`
		HasLang              bool     `json:"has_lang"`
		JSONLDBlocks         int      `json:"jsonld_blocks,omitempty"`
		JSONLDErrors         []string `json:"jsonld_errors,omitempty"`
		Elements             int      `json:"elements"`
		DuplicateIDs         []string `json:"duplicate_ids,omitempty"`
		PicturesWithoutImg   int      `json:"pictures_without_img,omitempty"`
		LinksOmitted         int      `json:"links_omitted,omitempty"`
	}{
		H1s: pg.H1, Canonicals: pg.Canonicals, CanonicalOutsideHead: pg.CanonicalOutsideHead,
		TitleOutsideHead: pg.TitleOutsideHead, MetaBot: pg.MetaBot, MetaRobotsInBody: pg.MetaRobotsInBody,
		HasLang: pg.HasLang, JSONLDBlocks: pg.JSONLD.Blocks, JSONLDErrors: pg.JSONLD.Messages,
		Elements: pg.Elements, DuplicateIDs: pg.DuplicateIDs, PicturesWithoutImg: pg.PicturesWithoutImg,
		LinksOmitted: pg.LinksOmitted,
	}
	if pg.HeadingSkip != nil {
		e.HeadingSkip = []int{pg.HeadingSkip.From, pg.HeadingSkip.To}
	}
	if pg.Refresh != nil {
		e.Refresh = &refresh{pg.Refresh.Delay, pg.Refresh.URL}
	}
	if pg.HasViewport {
		e.Viewport = &pg.Viewport
	}
	return jsonString(e)
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
