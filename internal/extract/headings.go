package extract

// heading records an <h1>..<h6> start tag.
func (e *extractor) heading(level int) {
	e.endH1() // a heading start closes an open heading, as in the parser
	p := e.p
	if len(p.Headings) < e.o.MaxItems {
		p.Headings = append(p.Headings, level)
	}
	if e.headingPrev > 0 && level > e.headingPrev+1 && p.HeadingSkip == nil {
		p.HeadingSkip = &HeadingSkip{From: e.headingPrev, To: level, Index: e.headingN}
	}
	e.headingPrev = level
	e.headingN++
	switch level {
	case 1:
		p.H1Count++
		if len(p.H1) < e.o.MaxItems {
			e.inH1 = true
			e.h1.reset(e.o.MaxTextRunes)
			e.h1Alt.reset(e.o.MaxTextRunes)
		}
	case 2:
		p.H2Count++
	}
}

// endH1 stores the open <h1>'s text, or an image alt inside it when the
// heading has no text (a logo).
func (e *extractor) endH1() {
	if !e.inH1 {
		return
	}
	e.inH1 = false
	t := e.h1.String()
	if e.h1.total == 0 {
		t = e.h1Alt.String()
	}
	e.p.H1 = append(e.p.H1, t)
}
