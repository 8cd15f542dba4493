package extract

import "strings"

// Options bound what is stored per page. Zero fields take the defaults.
type Options struct {
	MaxTextRunes   int    // title, description, anchor text, alt, h1 (default 1,024)
	MaxURLBytes    int    // href/src values (default 8,192, the urlnorm limit)
	MaxLinks       int    // Page.Links (default 10,000)
	MaxImages      int    // Page.Images (default 10,000)
	MaxItems       int    // other lists: h1s, canonicals, hreflangs, headings, types (default 1,000)
	MaxJSONLDBytes int    // per block (default 1 MiB)
	Bot            string // meta name read into Page.MetaBot (default "googlebot")
}

const (
	defaultMaxTextRunes   = 1024
	defaultMaxURLBytes    = 8192
	defaultMaxLinks       = 10_000
	defaultMaxItems       = 1000
	defaultMaxJSONLDBytes = 1 << 20
	defaultBot            = "googlebot"

	maxTrackedIDs    = 50_000
	maxIDArenaBytes  = 1 << 20
	maxDuplicateIDs  = 100
	maxJSONLDMessage = 10
)

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&r.MaxTextRunes, defaultMaxTextRunes)
	def(&r.MaxURLBytes, defaultMaxURLBytes)
	def(&r.MaxLinks, defaultMaxLinks)
	def(&r.MaxImages, defaultMaxLinks)
	def(&r.MaxItems, defaultMaxItems)
	def(&r.MaxJSONLDBytes, defaultMaxJSONLDBytes)
	r.Bot = strings.ToLower(strings.TrimSpace(r.Bot))
	if r.Bot == "" {
		r.Bot = defaultBot
	}
	return r
}
