package sitemap

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// parseText reads a text sitemap: one URL per line. Only http and https
// URLs count; anything else is reported, since a text file with stray
// lines is usually not a sitemap at all (an error page, a PDF, ...) and the
// caller needs ErrNotSitemap rather than an empty list in that case.
func (p *parser) parseText(br *bufio.Reader, lineNo int) (bool, error) {
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			p.errorf("line %d: longer than %d bytes", lineNo, maxField)
			lineNo++
		} else if len(line) > 0 && (err == nil || err == io.EOF && !p.sm.Truncated) {
			// An unterminated line is complete only at a clean end of
			// input: cut by the byte cap, a read error or corrupt gzip,
			// "https://a.example/products" may have been
			// "https://a.example/products/42".
			line = bytes.TrimSuffix(line, []byte("\n"))
			line = bytes.TrimSuffix(line, []byte("\r"))
			// A lone CR also ends a line: files from old Mac tools use it.
			for {
				seg, rest, more := bytes.Cut(line, []byte("\r"))
				p.textLine(lineNo, seg)
				lineNo++
				if !more {
					break
				}
				line = rest
			}
		}
		if err != nil {
			if msg := p.streamEnd(err); msg != "" {
				p.errorf("%s", msg)
			}
			break
		}
	}
	if len(p.sm.URLs) > 0 || p.sm.Omitted > 0 {
		return true, nil
	}
	detail := "no lines"
	if len(p.sm.Errors) > 0 {
		detail = p.sm.Errors[0]
	}
	return false, fmt.Errorf("%w: no http(s) URL in text (%s)", ErrNotSitemap, detail)
}

func (p *parser) textLine(n int, b []byte) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
	case len(b) > maxField:
		p.errorf("line %d: longer than %d bytes", n, maxField)
	case !hasPrefixFold(b, "http://") && !hasPrefixFold(b, "https://"):
		if len(b) > 64 {
			b = b[:64]
		}
		p.errorf("line %d: not an http(s) URL: %q", n, b)
	case len(p.sm.URLs) >= p.maxURLs:
		p.sm.Omitted++
	default:
		p.sm.URLs = append(p.sm.URLs, Entry{Loc: string(b)})
	}
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}
