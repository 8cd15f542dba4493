package extract

import (
	"net/url"

	"github.com/scouter-seo/scouter/internal/urlnorm"
)

// BaseURL returns the URL that relative links on the page resolve against:
// pageURL (the final URL after redirects) with the first <base href>
// applied, as browsers do. A base href that is not a valid http(s) URL is
// ignored. Resolve each Link.Href with urlnorm.Resolve(p.BaseURL(u), href);
// canonicals and hreflang hrefs resolve the same way.
func (p *Page) BaseURL(pageURL *url.URL) *url.URL {
	if p.BaseHref == "" || pageURL == nil {
		return pageURL
	}
	u, err := urlnorm.Resolve(pageURL, p.BaseHref)
	if err != nil {
		return pageURL
	}
	return u
}
