package sitemap

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxDepth bounds the element stack; a file of nothing but "<a>" would
// otherwise hold millions of names. Deeper elements are only counted, and
// nothing a sitemap needs is deeper than three levels.
const maxDepth = 64

type role uint8

const (
	roleOther role = iota
	roleRoot
	roleEntry      // <url> in a urlset, <sitemap> in an index
	roleWrongEntry // <url> in an index, <sitemap> in a urlset
	roleField      // <loc>, <lastmod>, ... in a roleEntry
)

const (
	fLoc = iota
	fLastMod
	fChangeFreq
	fPriority
	nFields
)

var fieldNames = [nFields]string{"loc", "lastmod", "changefreq", "priority"}

func fieldIndex(local string) int {
	for i, n := range fieldNames {
		if strings.EqualFold(local, n) {
			return i
		}
	}
	return -1
}

type element struct {
	name  string
	role  role
	field int // for roleField
}

type field struct {
	buf     []byte // reused across entries
	seen    bool
	done    bool // its end tag (or an enclosing one) was read
	tooLong bool
}

func (f *field) add(b []byte) {
	if f.tooLong {
		return
	}
	if len(f.buf) == 0 {
		// Pretty-printed files put newlines and indentation around
		// values; that must not count towards maxField.
		b = bytes.TrimLeft(b, " \t\r\n")
	}
	if len(f.buf)+len(b) > maxField {
		f.tooLong, f.buf = true, f.buf[:0]
		return
	}
	f.buf = append(f.buf, b...)
}

type xmlParser struct {
	p        *parser
	list     *[]Entry // where entries of the root's kind go
	entry    string   // "url" or "sitemap", the entry element of the root's kind
	stack    []element
	deep     int // elements open beyond maxDepth
	entryNo  int
	fields   [nFields]field
	done     bool // root element closed
	rootErr  error
	lineOff  int // newlines skipped before the decoder's input
	fixer    *decodeReader
	switched bool // CharsetReader has wrapped the input once
}

// parseXML reads an XML sitemap from br, positioned at its first '<' on
// line firstLine. It reports whether a sitemap root element was found; the
// error is for the caller to return when it was not.
func (p *parser) parseXML(br *bufio.Reader, firstLine int) (bool, error) {
	x := &xmlParser{p: p, lineOff: firstLine - 1}
	var src io.Reader = br
	// A declared Latin-1 file is decoded by charsetReader and an
	// unreadable charset refused there; anything else is UTF-8 or meant to
	// be, and gets the repair pass.
	head, _ := br.Peek(256)
	if cs := charsetClass(declaredEncoding(head)); cs != csLatin1 && cs != csUnsupported {
		x.fixer = &decodeReader{r: br, firstBad: -1}
		src = x.fixer
	}
	d := xml.NewDecoder(src)
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = x.charsetReader

	for !x.done && x.rootErr == nil {
		tok, err := d.RawToken()
		if err != nil {
			if x.stack == nil {
				return false, x.noRoot(err)
			}
			x.stop(d, err)
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			x.start(t.Name.Local)
		case xml.EndElement:
			x.end(t.Name.Local)
		case xml.CharData:
			x.text(t)
		}
	}
	if x.rootErr != nil {
		return false, x.rootErr
	}
	if f := x.fixer; f != nil && f.firstBad >= 0 && f.firstBad < d.InputOffset() {
		p.errorf("encoding: invalid UTF-8 from line %d on, read as windows-1252", f.badLine+x.lineOff)
	}
	return true, nil
}

// noRoot explains a stop before the root element.
func (x *xmlParser) noRoot(err error) error {
	var se *xml.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("%w: xml: line %d: %s", ErrNotSitemap, se.Line+x.lineOff, se.Msg)
	case err == io.EOF && x.p.sm.Truncated:
		return fmt.Errorf("%w: no root element in the first %d bytes", ErrNotSitemap, x.p.maxBytes)
	case err == io.EOF:
		return fmt.Errorf("%w: no root element", ErrNotSitemap)
	}
	return fmt.Errorf("sitemap: %w", err)
}

// stop records why reading ended early and keeps the entry in progress if
// its <loc> was complete.
func (x *xmlParser) stop(d *xml.Decoder, err error) {
	p := x.p
	var se *xml.SyntaxError
	switch {
	case p.readErr != nil:
	case errors.As(err, &se):
		// Cutting at MaxBytes makes the decoder see an early EOF;
		// Truncated already says so.
		if !(p.sm.Truncated && strings.Contains(se.Msg, "unexpected EOF")) {
			p.errorf("xml: line %d: %s", se.Line+x.lineOff, se.Msg)
		}
	case err == io.EOF:
		if !p.sm.Truncated {
			line, _ := d.InputPos()
			p.errorf("xml: line %d: unexpected EOF, <%s> not closed", line+x.lineOff, x.stack[0].name)
		}
	default:
		if msg := p.streamEnd(err); msg != "" {
			p.errorf("%s", msg)
		}
	}
	if len(x.stack) > 1 && x.stack[1].role == roleEntry {
		x.finishEntry(true)
	}
}

func (x *xmlParser) start(local string) {
	if x.deep > 0 || len(x.stack) == maxDepth {
		x.deep++
		return
	}
	if len(x.stack) == 0 {
		x.startRoot(local)
		return
	}
	inEntry := len(x.stack) >= 2 && x.stack[1].role != roleOther
	switch {
	// Unclosed elements are common in hand-written files: a new entry
	// closes the one before it, a new field the field before it. Only
	// within the entry's own levels, so extension elements deeper down
	// (<image:loc>, <video:content_loc>) are left alone.
	case inEntry && len(x.stack) <= 3 && (strings.EqualFold(local, "url") || strings.EqualFold(local, "sitemap")):
		x.popTo(1)
	case len(x.stack) == 3 && x.stack[2].role == roleField && fieldIndex(local) >= 0:
		x.popTo(2)
	}

	e := element{name: local}
	switch len(x.stack) {
	case 1:
		switch {
		case strings.EqualFold(local, x.entry):
			x.entryNo++
			e.role = roleEntry
		case strings.EqualFold(local, "url"):
			x.entryNo++
			e.role = roleWrongEntry
			x.p.errorf("entry %d: <url> in a sitemap index, ignored", x.entryNo)
		case strings.EqualFold(local, "sitemap"):
			x.entryNo++
			e.role = roleWrongEntry
			x.p.errorf("entry %d: <sitemap> in a urlset, ignored", x.entryNo)
		}
	case 2:
		if f := fieldIndex(local); f >= 0 && x.stack[1].role == roleEntry {
			if x.fields[f].seen {
				x.p.errorf("entry %d: more than one <%s>, first kept", x.entryNo, fieldNames[f])
			} else {
				x.fields[f].seen = true
				e.role, e.field = roleField, f
			}
		}
	}
	x.stack = append(x.stack, e)
}

func (x *xmlParser) startRoot(local string) {
	switch {
	case strings.EqualFold(local, "urlset"):
		x.p.sm.Kind, x.list, x.entry = URLSet, &x.p.sm.URLs, "url"
	case strings.EqualFold(local, "sitemapindex"):
		x.p.sm.Kind, x.list, x.entry = Index, &x.p.sm.Sitemaps, "sitemap"
	default:
		x.rootErr = fmt.Errorf("%w: root element <%s>", ErrNotSitemap, local)
		return
	}
	x.stack = append(x.stack, element{name: local, role: roleRoot})
}

// end closes back to the innermost open element of that name, as HTML
// parsers do; an end tag matching nothing open is ignored.
func (x *xmlParser) end(local string) {
	if x.deep > 0 {
		x.deep--
		return
	}
	for i := len(x.stack) - 1; i >= 0; i-- {
		if strings.EqualFold(x.stack[i].name, local) {
			x.popTo(i)
			return
		}
	}
}

// popTo closes open elements until n remain.
func (x *xmlParser) popTo(n int) {
	for len(x.stack) > n {
		top := x.stack[len(x.stack)-1]
		x.stack = x.stack[:len(x.stack)-1]
		switch top.role {
		case roleField:
			x.fields[top.field].done = true
		case roleEntry:
			x.finishEntry(false)
		case roleRoot:
			x.done = true
		}
	}
}

func (x *xmlParser) text(b []byte) {
	// Only text directly inside a field counts: markup nested in <loc> is
	// not part of any real URL.
	if x.deep == 0 && len(x.stack) == 3 && x.stack[2].role == roleField {
		x.fields[x.stack[2].field].add(b)
	}
}

// finishEntry keeps or rejects the entry whose fields were collected.
// cut means reading stopped inside it: then a <loc> that was never closed
// may be incomplete and the entry is dropped, and a missing one is not
// reported, since the stop already is.
func (x *xmlParser) finishEntry(cut bool) {
	p, fs := x.p, &x.fields
	defer func() {
		for i := range fs {
			fs[i] = field{buf: fs[i].buf[:0]}
		}
	}()
	loc := &fs[fLoc]
	switch {
	case !loc.seen:
		if !cut {
			p.errorf("entry %d: missing <loc>", x.entryNo)
		}
		return
	case !loc.done:
		return
	case loc.tooLong:
		p.errorf("entry %d: <loc> longer than %d bytes", x.entryNo, maxField)
		return
	}
	v := bytes.TrimSpace(loc.buf)
	if len(v) == 0 {
		p.errorf("entry %d: empty <loc>", x.entryNo)
		return
	}
	for i := fLoc + 1; i < nFields; i++ {
		if fs[i].tooLong {
			p.errorf("entry %d: <%s> longer than %d bytes, dropped", x.entryNo, fieldNames[i], maxField)
		}
	}
	if len(*x.list) >= p.maxURLs {
		p.sm.Omitted++
		return
	}
	value := func(i int) string {
		if !fs[i].done || fs[i].tooLong {
			return ""
		}
		return string(bytes.TrimSpace(fs[i].buf))
	}
	*x.list = append(*x.list, Entry{
		Loc:        string(v),
		LastMod:    value(fLastMod),
		ChangeFreq: value(fChangeFreq),
		Priority:   value(fPriority),
	})
}

// charsetReader is only asked about declarations encoding/xml finds;
// parseXML has already chosen how to decode from the same declaration.
func (x *xmlParser) charsetReader(label string, input io.Reader) (io.Reader, error) {
	cs := charsetClass(label)
	switch cs {
	case csUnsupported:
		return nil, errors.New("unsupported encoding")
	case csUTF16:
		x.p.errorf("encoding: %q declared but the file is not UTF-16; read as UTF-8", label)
	}
	// Convert once: a repaired stream is already UTF-8, and a second
	// declaration further down must not decode the rest twice.
	if cs != csLatin1 || x.fixer != nil || x.switched {
		return input, nil
	}
	x.switched = true
	return &decodeReader{r: input, latin1: true}, nil
}
