package extract

import (
	"bytes"
	"io"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Extract parses a UTF-8 HTML document. A nil opts uses the defaults.
func Extract(body []byte, opts *Options) *Page {
	p, _ := ExtractReader(bytes.NewReader(body), opts)
	return p
}

// ExtractReader is Extract for a stream. The Page is always usable; the
// error is the reader's, if it failed before EOF.
func ExtractReader(r io.Reader, opts *Options) (*Page, error) {
	e := &extractor{
		z: html.NewTokenizer(r),
		o: opts.withDefaults(),
		p: &Page{},
	}
	e.p.Links = make([]Link, 0, min(64, e.o.MaxLinks)) // typical page size, fewer regrowths
	e.tag.z = e.z
	e.run()
	if err := e.z.Err(); err != io.EOF {
		return e.p, err
	}
	return e.p, nil
}

type extractor struct {
	z   *html.Tokenizer
	o   Options
	p   *Page
	tag tagReader

	inBody   bool // the parser would have left the head
	seenHTML bool
	baseSeen bool
	foreign  int // depth inside <svg>/<math>
	template int // depth inside <template>

	raw       atom.Atom // raw-text element the next text token belongs to
	titleOpen bool      // the first <title>'s text is next
	jsonOpen  bool      // a JSON-LD block's text is next

	inAnchor  bool
	anchorIdx int // index in p.Links, -1 if over the cap
	anchor    textBuf
	anchorAlt textBuf

	inH1        bool
	h1, h1Alt   textBuf
	headingPrev int
	headingN    int

	picture    int
	pictureImg bool

	title, robots, bot textBuf
	scratch            textBuf // for short-lived attribute text
	words              wordStats
	ids                idSet
}

func (e *extractor) run() {
	for {
		tt := e.z.Next()
		raw := e.raw
		e.raw = 0
		switch tt {
		case html.ErrorToken:
			e.finish()
			return
		case html.TextToken:
			e.text(raw)
		case html.StartTagToken, html.SelfClosingTagToken:
			e.closePending()
			e.startTag(tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			e.closePending()
			e.endTag()
		}
	}
}

// closePending ends raw-text elements whose text never came (empty).
func (e *extractor) closePending() {
	e.titleOpen = false
	if e.jsonOpen {
		e.jsonOpen = false
		e.jsonLDError("empty JSON-LD block")
	}
}

func (e *extractor) text(raw atom.Atom) {
	switch raw {
	case atom.Script:
		if e.jsonOpen {
			e.jsonOpen = false
			e.jsonLD(e.z.Text())
		}
		return
	case atom.Title:
		if e.titleOpen {
			e.titleOpen = false
			e.title.write(e.z.Text())
		}
		return
	case atom.Style, atom.Noscript, atom.Iframe, atom.Noembed, atom.Noframes:
		return
	}
	if e.template > 0 || e.foreign > 0 {
		return
	}
	// Text() normalises CRs (irrelevant here: whitespace is collapsed) and
	// decodes references, with a per-byte pass; decode in place instead
	// unless a rare reference needs the tokenizer's entity table.
	t := e.z.Raw()
	if raw != atom.Xmp && raw != atom.Plaintext && bytes.IndexByte(t, '&') >= 0 {
		var ok bool
		if t, ok = decodeInPlace(t, false); !ok {
			t = e.z.Text()
		}
	}
	if !e.inBody {
		if len(trimSpace(t)) == 0 {
			return
		}
		e.inBody = true
	}
	e.words.write(t)
	if e.inAnchor && e.anchorIdx >= 0 {
		e.anchor.write(t)
	}
	if e.inH1 {
		e.h1.write(t)
	}
}

func (e *extractor) brk() {
	e.words.brk()
	e.anchor.brk()
	e.h1.brk()
}

func (e *extractor) startTag(selfClosing bool) {
	a := e.tag.read(e.z.Raw(), false)
	e.p.Elements++
	if e.tag.mayHaveID() {
		if id, ok := e.tag.raw("id"); ok {
			e.ids.add(id)
		}
	}
	switch a {
	case atom.Script, atom.Style, atom.Title, atom.Textarea, atom.Noscript,
		atom.Iframe, atom.Noembed, atom.Noframes, atom.Xmp, atom.Plaintext:
		e.raw = a
	}
	if e.template > 0 {
		if a == atom.Template && !selfClosing {
			e.template++
		}
		return
	}
	if e.foreign > 0 {
		if !breaksOutOfForeign(a) {
			if (a == atom.Svg || a == atom.Math) && !selfClosing {
				e.foreign++
			}
			return
		}
		e.foreign = 0
	}
	if !e.inBody && !inHead(a) {
		e.inBody = true
	}
	if !isInline(a) {
		e.brk()
	}

	switch a {
	case atom.Html:
		if !e.seenHTML {
			e.seenHTML = true
			if v, ok := e.tag.value("lang"); ok {
				e.p.HasLang = true
				e.p.Lang, _ = e.scratch.collapse(v, 64)
			}
		}
	case atom.Body:
		e.inBody = true
	case atom.Title:
		e.p.TitleCount++
		if e.inBody {
			e.p.TitleOutsideHead = true
		}
		if e.p.TitleCount == 1 {
			e.titleOpen = true
			e.title.reset(e.o.MaxTextRunes)
		}
	case atom.Meta:
		e.meta()
	case atom.Link:
		e.link()
	case atom.Base:
		if v, ok := e.tag.value("href"); ok && !e.baseSeen {
			e.baseSeen = true
			e.p.BaseHref, _ = e.url(v)
		}
	case atom.A:
		e.startAnchor()
	case atom.Img:
		e.img()
	case atom.Picture:
		if !selfClosing {
			e.picture++
			e.pictureImg = false
		}
	case atom.Form:
		e.form()
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		e.heading(headingLevel(a))
	case atom.Script:
		if t, ok := e.tag.raw("type"); ok && isJSONLDType(t) {
			e.p.JSONLD.Blocks++
			e.jsonOpen = true
		}
	case atom.Template:
		if !selfClosing {
			e.template++
		}
	case atom.Svg, atom.Math:
		if !selfClosing {
			e.foreign++
		}
	}
}

func (e *extractor) endTag() {
	a := e.tag.read(e.z.Raw(), true)
	if e.template > 0 {
		if a == atom.Template {
			e.template--
		}
		return
	}
	if e.foreign > 0 {
		if a == atom.Svg || a == atom.Math {
			e.foreign--
		}
		return
	}
	if !isInline(a) {
		e.brk()
	}
	switch a {
	case atom.A:
		e.endAnchor()
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		e.endH1()
	case atom.Picture:
		if e.picture > 0 {
			e.picture--
			if !e.pictureImg {
				e.p.PicturesWithoutImg++
			}
			e.pictureImg = true // an outer picture contains this one's img, if any
		}
	}
}

func (e *extractor) finish() {
	e.closePending()
	e.endAnchor()
	e.endH1()
	if e.picture > 0 && !e.pictureImg {
		e.p.PicturesWithoutImg++
	}
	p := e.p
	if e.p.TitleCount > 0 {
		p.Title, p.TitleLength = e.title.String(), e.title.total
	}
	p.MetaRobots = e.robots.String()
	p.MetaBot = e.bot.String()
	p.WordCount, p.ContentHash, p.SimHash = e.words.finish()
	p.DuplicateIDCount, p.DuplicateIDs = e.ids.duplicates(e.o.MaxTextRunes)
}
