package extract

// addLink stores l unless the cap is reached; it returns l's index or -1.
func (e *extractor) addLink(l Link) int {
	if len(e.p.Links) >= e.o.MaxLinks {
		e.p.LinksOmitted++
		return -1
	}
	e.p.Links = append(e.p.Links, l)
	return len(e.p.Links) - 1
}

// url converts a URL attribute; surrounding whitespace is not part of a
// URL attribute's value (HTML "valid URL potentially surrounded by spaces").
func (e *extractor) url(v []byte) (string, bool) {
	return cleanURL(trimSpace(v), e.o.MaxURLBytes)
}

// startAnchor opens an <a href>; its text is collected until </a>, the
// next <a> (which closes it, as in the parser) or the end of the page.
func (e *extractor) startAnchor() {
	e.endAnchor()
	href, ok := e.tag.value("href")
	if !ok {
		return
	}
	e.inAnchor = true
	e.anchorIdx = -1
	if len(e.p.Links) >= e.o.MaxLinks { // checked early: no strings for dropped links
		e.p.LinksOmitted++
		return
	}
	l := Link{Kind: KindAnchor}
	l.Href, l.HrefTruncated = e.url(href)
	if rel, ok := e.tag.raw("rel"); ok {
		l.Rel = parseRel(rel)
	}
	if t, ok := e.tag.raw("target"); ok && eqFold(trimSpace(t), "_blank") {
		l.TargetBlank = true
	}
	e.anchorIdx = e.addLink(l)
	e.anchor.reset(e.o.MaxTextRunes)
	e.anchorAlt.reset(e.o.MaxTextRunes)
}

func (e *extractor) endAnchor() {
	if !e.inAnchor {
		return
	}
	e.inAnchor = false
	if e.anchorIdx < 0 {
		return
	}
	l := &e.p.Links[e.anchorIdx]
	if e.anchor.total > 0 {
		l.Text = e.anchor.String()
	} else if e.anchorAlt.total > 0 {
		l.Text, l.TextFromAlt = e.anchorAlt.String(), true
	}
}

func parseRel(v []byte) Rel {
	var r Rel
	forEachToken(v, func(t []byte) {
		switch {
		case eqFold(t, "nofollow"):
			r |= RelNofollow
		case eqFold(t, "ugc"):
			r |= RelUGC
		case eqFold(t, "sponsored"):
			r |= RelSponsored
		case eqFold(t, "noopener"):
			r |= RelNoopener
		case eqFold(t, "noreferrer"):
			r |= RelNoreferrer
		}
	})
	return r
}

func (e *extractor) img() {
	p := e.p
	p.ImageCount++
	if e.picture > 0 {
		e.pictureImg = true
	}
	src, hasSrc := e.tag.value("src")
	alt, hasAlt := e.tag.value("alt")
	if !hasAlt {
		p.ImagesMissingAlt++
	} else {
		if e.inAnchor && e.anchorIdx >= 0 && e.anchorAlt.total == 0 {
			e.anchorAlt.write(alt)
		}
		if e.inH1 && e.h1Alt.total == 0 {
			e.h1Alt.write(alt)
		}
	}
	srcStr := ""
	if hasSrc {
		srcStr, _ = e.url(src)
	}
	if len(p.Images) < e.o.MaxImages {
		im := Image{Src: srcStr, HasAlt: hasAlt, InPicture: e.picture > 0, InLink: e.inAnchor}
		if hasAlt {
			im.Alt, im.AltLength = e.scratch.collapse(alt, e.o.MaxTextRunes)
		}
		_, im.HasWidth = e.tag.raw("width")
		_, im.HasHeight = e.tag.raw("height")
		p.Images = append(p.Images, im)
	}
	if srcStr != "" {
		e.addLink(Link{Kind: KindImage, Href: srcStr})
	}
}

func (e *extractor) form() {
	l := Link{Kind: KindForm, Method: "GET"}
	if v, ok := e.tag.value("action"); ok {
		l.Href, l.HrefTruncated = e.url(v)
	}
	if m, ok := e.tag.raw("method"); ok {
		switch m = trimSpace(m); {
		case eqFold(m, "post"):
			l.Method = "POST"
		case eqFold(m, "dialog"):
			l.Method = "DIALOG"
		}
	}
	e.addLink(l)
}

const (
	relCanonical = 1 << iota
	relAlternate
	relNext
	relPrev
)

func (e *extractor) link() {
	rel, ok := e.tag.raw("rel")
	if !ok {
		return
	}
	kinds := 0
	forEachToken(rel, func(t []byte) {
		switch {
		case eqFold(t, "canonical"):
			kinds |= relCanonical
		case eqFold(t, "alternate"):
			kinds |= relAlternate
		case eqFold(t, "next"):
			kinds |= relNext
		case eqFold(t, "prev"), eqFold(t, "previous"):
			kinds |= relPrev
		}
	})
	if kinds == 0 {
		return
	}
	p := e.p
	hrefRaw, _ := e.tag.value("href")
	href, trunc := e.url(hrefRaw)
	if kinds&relCanonical != 0 {
		if e.inBody {
			p.CanonicalOutsideHead = true
		}
		if len(p.Canonicals) < e.o.MaxItems {
			p.Canonicals = append(p.Canonicals, href)
		}
		e.addLink(Link{Kind: KindCanonical, Href: href, HrefTruncated: trunc})
	}
	if lang, ok := e.tag.value("hreflang"); kinds&relAlternate != 0 && ok {
		l, _ := e.scratch.collapse(lang, 64)
		if len(p.Hreflangs) < e.o.MaxItems {
			p.Hreflangs = append(p.Hreflangs, Hreflang{Lang: l, Href: href})
		}
		e.addLink(Link{Kind: KindHreflang, Href: href, HrefTruncated: trunc, Hreflang: l})
	}
	if kinds&relNext != 0 {
		e.addLink(Link{Kind: KindNext, Href: href, HrefTruncated: trunc})
	}
	if kinds&relPrev != 0 {
		e.addLink(Link{Kind: KindPrev, Href: href, HrefTruncated: trunc})
	}
}
