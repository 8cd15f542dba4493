// Package sitemap parses XML sitemaps, sitemap indexes and text sitemaps
// (sitemaps.org protocol) as servers actually publish them.
//
// Sitemaps are fetched from sites we do not control, so [Parse] is written
// to survive hostile and sloppy input rather than to validate it:
//
//   - Memory is bounded by the caps, not by the input. Gzip is recognised by
//     its magic bytes (servers label .xml.gz with any Content-Type, and
//     sometimes gzip plain .xml); every layer, compressed or not, is cut at
//     [Options.MaxBytes], so a gzip bomb costs at most that much output and
//     a stream of empty deflate blocks at most that much input. XML is read
//     token by token and only [Options.MaxURLs] entries are kept; later ones
//     are only counted. A field longer than 8 KiB is dropped, since no
//     crawler can use such a URL and keeping it would let one element cost
//     as much as the whole file.
//   - Names are matched by local name, case-insensitively, ignoring
//     namespaces: real sitemaps have wrong, missing or oddly prefixed
//     xmlns. Tokens come from RawToken and nesting is tracked here, so an
//     end tag that does not match is resolved like HTML (close back to the
//     matching open element) instead of stopping the parse; that is also
//     why the decoder's AutoClose, which only Token applies, is not used.
//   - Problems that leave the rest usable (an empty <loc>, a <url> in an
//     index, a syntax error after the root element) are reported in
//     [Sitemap.Errors] and parsing keeps what it has. Parse fails only when
//     nothing recognisable was found, when the input is in an encoding it
//     cannot read, or when reading r fails.
//   - Encodings: UTF-8 (with or without BOM), US-ASCII, and ISO-8859-1 /
//     Latin-1 / windows-1252, all three decoded as windows-1252 as browsers
//     do. Bytes that are not valid UTF-8 in a file that claims (or defaults
//     to) UTF-8 are also read as windows-1252, because encoding/xml would
//     otherwise stop at the first one; this is reported in Errors. A
//     declared UTF-16 on a file whose declaration we could read as ASCII is
//     a mislabel and is read as UTF-8; real UTF-16 input is refused.
//
// Values are returned as written apart from entity decoding and trimming
// surrounding whitespace; resolving and normalising URLs is the caller's job.
package sitemap

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

const (
	// MaxURLs is the protocol's limit on entries per file.
	MaxURLs = 50_000
	// MaxBytes is the protocol's limit on the uncompressed size of a file.
	MaxBytes = 50 << 20
)

// maxErrors caps Sitemap.Errors: a broken 50,000-entry file would otherwise
// produce 50,000 copies of the same complaint.
const maxErrors = 10

// maxField is the longest text sitemap line or XML field value kept. The
// protocol allows 2,048 characters per URL; 8 KiB leaves room for sloppy
// whitespace and over-long but real URLs.
const maxField = 8 << 10

// maxGzipLayers allows one layer of double compression: a .xml.gz served
// with Content-Encoding: gzip arrives compressed twice when the client does
// not decode transfer encodings.
const maxGzipLayers = 2

// ErrNotSitemap is returned (wrapped) when the input is empty or is not a
// sitemap: an XML document whose root is neither urlset nor sitemapindex
// (typically an HTML error page), XML broken before its root element, or a
// text file without a single http(s) URL line.
var ErrNotSitemap = errors.New("sitemap: not a sitemap")

// Options limits what Parse keeps. A nil *Options, and zero or negative
// fields, mean the protocol's limits.
type Options struct {
	// MaxURLs is how many entries are kept per file; valid entries past it
	// are counted in Sitemap.Omitted.
	MaxURLs int
	// MaxBytes caps the bytes read from r and from every decompression
	// layer. Past it Sitemap.Truncated is set and what was parsed is kept.
	MaxBytes int64
}

// Kind tells what a file lists.
type Kind uint8

const (
	// URLSet is an XML <urlset>: a list of pages.
	URLSet Kind = iota + 1
	// Index is an XML <sitemapindex>: a list of child sitemaps.
	Index
	// Text is a text sitemap: one page URL per line.
	Text
)

func (k Kind) String() string {
	switch k {
	case URLSet:
		return "urlset"
	case Index:
		return "sitemapindex"
	case Text:
		return "text"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Entry is one <url> or <sitemap> element, or one line of a text sitemap.
// Fields are trimmed of surrounding whitespace and entity-decoded, otherwise
// as written; absent fields are empty.
type Entry struct {
	Loc        string
	LastMod    string
	ChangeFreq string
	Priority   string
}

// Sitemap is the parsed content of one file.
type Sitemap struct {
	Kind Kind
	// URLs holds the pages of a URLSet or Text sitemap.
	URLs []Entry
	// Sitemaps holds the child sitemaps of an Index.
	Sitemaps []Entry
	// Omitted counts valid entries dropped because of Options.MaxURLs.
	Omitted int
	// Truncated is set when the input exceeded Options.MaxBytes.
	Truncated bool
	// Errors lists the first few non-fatal problems, such as
	// "entry 12: empty <loc>" or "xml: line 40: ...".
	Errors []string
}

// Parse reads one sitemap file from r: XML urlset or sitemapindex, or text,
// each optionally gzipped. Problems that leave the rest of the file usable
// go to Sitemap.Errors with a nil error. If reading r fails after part of
// the file was parsed, Parse returns that part together with the error.
func Parse(r io.Reader, opts *Options) (*Sitemap, error) {
	p := &parser{maxURLs: MaxURLs, maxBytes: MaxBytes, sm: &Sitemap{}}
	if opts != nil {
		if opts.MaxURLs > 0 {
			p.maxURLs = opts.MaxURLs
		}
		if opts.MaxBytes > 0 {
			p.maxBytes = opts.MaxBytes
		}
	}

	raw := &capReader{r: r, n: p.maxBytes, p: p, raw: true}
	br := bufio.NewReaderSize(raw, 64<<10)
	for layer := 0; layer < maxGzipLayers; layer++ {
		if magic, _ := br.Peek(2); len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
			break
		}
		zr, err := gzip.NewReader(br)
		if err != nil {
			if p.readErr != nil {
				return nil, fmt.Errorf("sitemap: read: %w", p.readErr)
			}
			return nil, fmt.Errorf("sitemap: %w", err)
		}
		br = bufio.NewReaderSize(&capReader{r: zr, n: p.maxBytes, p: p}, 64<<10)
	}

	// A UTF-16 file has NULs between its ASCII characters, which neither
	// the XML nor the text reader can make sense of; say so plainly.
	if b, _ := br.Peek(2); len(b) == 2 && (b[0] == 0xfe && b[1] == 0xff || b[0] == 0xff && b[1] == 0xfe) {
		return nil, errors.New("sitemap: UTF-16 input is not supported")
	}
	if b, _ := br.Peek(3); bytes.Equal(b, utf8BOM) {
		br.Discard(3)
	}
	line := 1
	for {
		c, err := br.ReadByte()
		if err != nil {
			if p.readErr != nil {
				return nil, fmt.Errorf("sitemap: read: %w", p.readErr)
			}
			if err != io.EOF && !p.sm.Truncated {
				return nil, fmt.Errorf("sitemap: %w", err)
			}
			return nil, fmt.Errorf("%w: empty input", ErrNotSitemap)
		}
		if !isSpace(c) {
			br.UnreadByte()
			break
		}
		if c == '\n' {
			line++
		}
	}

	var recognised bool
	var err error
	if c, _ := br.Peek(1); c[0] == '<' {
		recognised, err = p.parseXML(br, line)
	} else {
		p.sm.Kind = Text
		recognised, err = p.parseText(br, line)
	}
	if p.readErr != nil {
		err = fmt.Errorf("sitemap: read: %w", p.readErr)
	}
	if !recognised {
		return nil, err
	}
	return p.sm, err
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// parser holds the state shared by the XML and text readers.
type parser struct {
	maxURLs  int
	maxBytes int64
	sm       *Sitemap
	readErr  error // first error from the caller's reader, as opposed to bad content
}

func (p *parser) errorf(format string, args ...any) {
	if len(p.sm.Errors) < maxErrors {
		p.sm.Errors = append(p.sm.Errors, fmt.Sprintf(format, args...))
	}
}

// streamEnd sorts out why reading stopped. err is what the decoder or line
// reader saw; an empty result means the stop needs no Errors entry: a clean
// end, a failing reader (Parse returns that error), or the byte cap, which
// Truncated already reports.
func (p *parser) streamEnd(err error) (msg string) {
	switch {
	case err == nil || err == io.EOF:
		return ""
	case p.readErr != nil:
		return "" // reported by Parse as a returned error
	case errors.Is(err, io.ErrUnexpectedEOF):
		if p.sm.Truncated {
			return "" // a gzip stream cut by the raw byte cap
		}
		// Only decompression reports this; the XML decoder turns a plain
		// early EOF into a syntax error.
		return "gzip: compressed data ends early"
	}
	return err.Error()
}

// capReader stops after n bytes and records whether the input went on, so
// that a file of exactly n bytes is not reported as truncated.
type capReader struct {
	r   io.Reader
	n   int64
	p   *parser
	raw bool // r is the caller's reader: its errors are I/O errors
}

func (c *capReader) Read(b []byte) (int, error) {
	if c.n <= 0 {
		// Probe one byte. A reader may legally return 0, nil; give up
		// after a few rather than spin.
		var one [1]byte
		for i := 0; i < 100; i++ {
			n, err := c.r.Read(one[:])
			if n > 0 {
				c.p.sm.Truncated = true
				return 0, io.EOF
			}
			if err != nil {
				break
			}
		}
		return 0, io.EOF
	}
	if int64(len(b)) > c.n {
		b = b[:c.n]
	}
	n, err := c.r.Read(b)
	c.n -= int64(n)
	if c.raw && err != nil && err != io.EOF && c.p.readErr == nil {
		c.p.readErr = err
	}
	return n, err
}
