package extract

import "bytes"

// meta handles <meta name=... content=...> and <meta http-equiv=refresh>.
func (e *extractor) meta() {
	p := e.p
	content, _ := e.tag.value("content")
	if name, ok := e.tag.raw("name"); ok {
		name = trimSpace(name)
		switch {
		case eqFold(name, "description"):
			p.DescriptionCount++
			if p.DescriptionCount == 1 {
				p.Description, p.DescriptionLength = e.scratch.collapse(content, e.o.MaxTextRunes)
			}
		case eqFold(name, "robots"):
			e.robotsMeta(&e.robots, content)
		case eqFold(name, e.o.Bot):
			e.robotsMeta(&e.bot, content)
		case eqFold(name, "viewport"):
			if !p.HasViewport {
				p.HasViewport = true
				p.Viewport, _ = e.scratch.collapse(content, e.o.MaxTextRunes)
			}
		}
	}
	if he, ok := e.tag.raw("http-equiv"); ok && eqFold(trimSpace(he), "refresh") && p.Refresh == nil {
		p.Refresh = parseRefresh(content, e.o.MaxURLBytes)
	}
}

// robotsMeta appends a robots directive list to t, comma-separated.
func (e *extractor) robotsMeta(t *textBuf, content []byte) {
	if e.inBody {
		e.p.MetaRobotsInBody = true
	}
	if t.max == 0 {
		t.reset(e.o.MaxTextRunes)
	}
	if t.total > 0 {
		t.write([]byte{','})
		t.brk()
	}
	t.write(content)
}

// parseRefresh follows the WHATWG "shared declarative refresh steps":
// "5", "0; url=/next", "0;URL='x'" and "3, url=x" are all accepted.
func parseRefresh(content []byte, maxURL int) *Refresh {
	r := &Refresh{Content: collapse(content, 1024), Delay: -1}
	s := trimSpace(content)
	i := 0
	delay := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		if delay < 1<<30 {
			delay = delay*10 + int(s[i]-'0')
		}
		i++
	}
	if i == 0 && (len(s) == 0 || s[0] != '.') {
		return r
	}
	r.Delay = delay
	for i < len(s) && ('0' <= s[i] && s[i] <= '9' || s[i] == '.') {
		i++
	}
	s = trimSpace(s[i:])
	if len(s) > 0 && (s[0] == ';' || s[0] == ',') {
		s = trimSpace(s[1:])
	}
	if len(s) >= 3 && eqFold(s[:3], "url") {
		rest := trimSpace(s[3:])
		if len(rest) > 0 && rest[0] == '=' {
			s = trimSpace(rest[1:])
		}
	}
	if len(s) > 0 && (s[0] == '"' || s[0] == '\'') {
		q := s[0]
		s = s[1:]
		if j := bytes.IndexByte(s, q); j >= 0 {
			s = s[:j]
		}
	}
	r.URL, _ = cleanURL(trimSpace(s), maxURL)
	return r
}
