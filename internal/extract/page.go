package extract

// Page is the SEO data of one HTML document. Strings are raw attribute or
// text values (entities decoded, whitespace collapsed for text); URLs are
// not resolved, see BaseURL.
type Page struct {
	Lang    string // <html lang>, first <html> tag only
	HasLang bool   // lang attribute present, possibly empty

	Title            string // first <title>, whitespace-collapsed, capped
	TitleLength      int    // runes of the whole collapsed title, even past the cap
	TitleCount       int
	TitleOutsideHead bool // some <title> appears in the body

	Description       string // first meta description content, collapsed, capped
	DescriptionLength int    // runes, even past the cap
	DescriptionCount  int

	// MetaRobots joins the content of every <meta name="robots"> with ", ";
	// MetaBot does the same for <meta name=Options.Bot> ("googlebot").
	MetaRobots       string
	MetaBot          string
	MetaRobotsInBody bool // a robots or bot meta tag appears in the body

	Canonicals           []string // href of every <link rel=canonical>, in order
	CanonicalOutsideHead bool

	H1       []string // text of each <h1>, collapsed, capped
	H1Count  int
	H2Count  int
	Headings []int // levels of h1..h6 in document order (capped)
	// HeadingSkip is the first place the outline jumps down more than one
	// level (h1 followed by h3), or nil.
	HeadingSkip *HeadingSkip

	Hreflangs   []Hreflang
	Refresh     *Refresh // first <meta http-equiv=refresh>, or nil
	HasViewport bool
	Viewport    string
	BaseHref    string // first <base href>, or ""

	JSONLD JSONLD

	// WordCount counts words in the visible body text (not the title or
	// alt texts): runs of letters, digits and combining marks (so
	// Devanagari or Cyrillic words count once), with an apostrophe between
	// letters kept inside the word ("don't" is one word, "well-known" two).
	// Han ideographs, hiragana and katakana count one word per character,
	// since those scripts do not separate words with spaces; Thai and
	// similar scripts count per space-separated run and so undercount.
	WordCount int
	// ContentHash identifies the visible text: a hash of its sequence of
	// lowercased words (see SimHash for the word hash), so pages that
	// differ only in markup, whitespace, case or punctuation share it.
	// Equal hashes mean exact duplicate content; 0 means no words.
	ContentHash uint64
	// SimHash is the 64-bit SimHash of the visible text's word 3-shingles
	// (see SimHash); compare pages with HammingDistance.
	SimHash uint64

	Images             []Image // capped at Options.MaxImages
	ImageCount         int     // every <img>, even past the cap
	ImagesMissingAlt   int     // <img> without an alt attribute (alt="" is not missing)
	PicturesWithoutImg int

	// Links holds, in document order, every <a href>, the <link> elements
	// of interest, <img src> and <form>; at most Options.MaxLinks.
	Links        []Link
	LinksOmitted int // links dropped because of the cap

	Elements         int      // start tags seen: the DOM size
	DuplicateIDCount int      // distinct id values used more than once
	DuplicateIDs     []string // those values (capped)
}

// HeadingSkip locates a skipped heading level.
type HeadingSkip struct {
	From, To int // heading levels, e.g. 1 and 3
	Index    int // position of the To heading in document order
}

// Hreflang is one <link rel="alternate" hreflang> entry.
type Hreflang struct {
	Lang string // as written, e.g. "en-GB" or "x-default"
	Href string
}

// Refresh is a <meta http-equiv="refresh"> directive.
type Refresh struct {
	Content string // raw content attribute
	Delay   int    // seconds; -1 if the content is unparsable
	URL     string // target, "" to reload the same page
}

// JSONLD summarises the <script type="application/ld+json"> blocks.
type JSONLD struct {
	Blocks    int
	Errors    int      // blocks that are not valid JSON
	Oversized int      // blocks over Options.MaxJSONLDBytes, not parsed
	Types     []string // distinct @type values of top-level and @graph nodes, first seen first
	Messages  []string // one parse error message per failing block (capped)
}

// Image is one <img> element.
type Image struct {
	Src       string
	HasAlt    bool   // alt attribute present; alt="" marks a decorative image
	Alt       string // collapsed, capped
	AltLength int    // runes, even past the cap
	HasWidth  bool
	HasHeight bool
	InPicture bool
	InLink    bool // inside an <a href>
}

// LinkKind says which element a Link came from.
type LinkKind uint8

const (
	KindAnchor    LinkKind = iota // <a href>
	KindCanonical                 // <link rel=canonical>
	KindHreflang                  // <link rel=alternate hreflang>
	KindNext                      // <link rel=next>
	KindPrev                      // <link rel=prev>
	KindImage                     // <img src>
	KindForm                      // <form action>
)

// MarshalText makes kinds readable in JSON.
func (k LinkKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

func (k LinkKind) String() string {
	switch k {
	case KindAnchor:
		return "anchor"
	case KindCanonical:
		return "canonical"
	case KindHreflang:
		return "hreflang"
	case KindNext:
		return "next"
	case KindPrev:
		return "prev"
	case KindImage:
		return "image"
	case KindForm:
		return "form"
	}
	return "unknown"
}

// Rel is the set of rel tokens the audit cares about.
type Rel uint8

const (
	RelNofollow Rel = 1 << iota
	RelUGC
	RelSponsored
	RelNoopener
	RelNoreferrer
)

// Has reports whether all tokens in x are set.
func (r Rel) Has(x Rel) bool { return r&x == x }

// Link is one outgoing reference.
type Link struct {
	Href string // raw attribute value (entities decoded, trimmed); may be relative or ""
	Text string // anchor text, collapsed and capped (anchors only)
	// Method is the form method, "GET", "POST" or "DIALOG" (forms only).
	Method   string
	Hreflang string // KindHreflang only
	Kind     LinkKind
	Rel      Rel
	// HrefTruncated is set when the href exceeded Options.MaxURLBytes and
	// was cut; such a link must be reported, not fetched.
	HrefTruncated bool
	// TextFromAlt is set when the anchor has no text and Text is the alt of
	// an image inside it, which search engines use as anchor text.
	TextFromAlt bool
	TargetBlank bool
}
