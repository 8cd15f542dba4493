package sitemap

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"
)

type charset uint8

const (
	csUTF8 charset = iota
	csUTF16
	csLatin1
	csUnsupported
)

// charsetClass sorts the labels seen in sitemap XML declarations. The
// Latin-1 labels are those the WHATWG Encoding Standard maps to
// windows-1252, since that is what files labelled ISO-8859-1 really contain.
func charsetClass(label string) charset {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968":
		return csUTF8
	case "utf-16", "utf16", "utf-16le", "utf-16be":
		return csUTF16
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "iso88591", "latin1", "latin-1",
		"l1", "cp819", "ibm819", "iso-ir-100", "csisolatin1",
		"windows-1252", "cp1252", "x-cp1252":
		return csLatin1
	}
	return csUnsupported
}

// declaredEncoding returns the encoding named by an XML declaration at the
// start of b. It reads the declaration exactly as encoding/xml does (same
// target rule, same parameter scan), so that the two always agree on
// whether the decoder will call CharsetReader.
func declaredEncoding(b []byte) string {
	const prefix = "<?xml"
	if !bytes.HasPrefix(b, []byte(prefix)) || len(b) == len(prefix) {
		return ""
	}
	if c := b[len(prefix)]; !isSpace(c) && c != '?' {
		return "" // another target, such as <?xml-stylesheet
	}
	end := bytes.Index(b, []byte("?>"))
	if end < 0 {
		return ""
	}
	s := strings.TrimLeft(string(b[len(prefix):end]), " \t\r\n")
	return procInst("encoding", s)
}

// procInst is encoding/xml's parameter scan, copied for declaredEncoding.
func procInst(param, s string) string {
	param += "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// cp1252 maps bytes 0x80-0x9F; the rest of windows-1252 is Latin-1, whose
// byte values equal their code points. The five unassigned bytes map to the
// C1 controls of the same value, as in the WHATWG table.
var cp1252 = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
}

func appendCP1252(dst []byte, c byte) []byte {
	r := rune(c)
	if c >= 0x80 && c < 0xa0 {
		r = cp1252[c-0x80]
	}
	return utf8.AppendRune(dst, r)
}

// decodeReader turns windows-1252 into UTF-8. With latin1 unset it is a
// repair pass over UTF-8 instead: valid sequences are kept and only bytes
// that cannot be UTF-8 are read as windows-1252, which is what an
// undeclared Latin-1 file or a stray Latin-1 byte in a UTF-8 file needs.
type decodeReader struct {
	r      io.Reader
	latin1 bool
	raw    [4096]byte
	nraw   int // an incomplete UTF-8 sequence carried over from the last read
	out    []byte
	pos    int
	err    error

	// Where repair mode first read a byte as windows-1252: offset in the
	// output and 1-based line. Reads run ahead of the XML decoder, so the
	// caller compares the offset with how far the decoder got before
	// reporting it; otherwise the report would depend on read sizes.
	firstBad int64 // -1 until then
	badLine  int
	outOff   int64
	lines    int
}

func (d *decodeReader) Read(p []byte) (int, error) {
	for d.pos == len(d.out) {
		if d.err != nil {
			return 0, d.err
		}
		n, err := d.r.Read(d.raw[d.nraw:])
		data := d.raw[:d.nraw+n]
		keep := 0
		if err == nil && !d.latin1 {
			// A sequence split across reads must not be mistaken for
			// invalid bytes; at the end of input it really is invalid.
			keep = incompleteTail(data)
		}
		d.out, d.pos = d.decode(d.out[:0], data[:len(data)-keep]), 0
		d.nraw = copy(d.raw[:], data[len(data)-keep:])
		d.err = err
	}
	n := copy(p, d.out[d.pos:])
	d.pos += n
	return n, nil
}

func (d *decodeReader) decode(dst, src []byte) []byte {
	if d.latin1 {
		for _, c := range src {
			if c < utf8.RuneSelf {
				dst = append(dst, c)
			} else {
				dst = appendCP1252(dst, c)
			}
		}
		return dst
	}
	start := len(dst)
	defer func() {
		if d.firstBad < 0 {
			d.lines += bytes.Count(dst[start:], []byte("\n"))
		}
		d.outOff += int64(len(dst) - start)
	}()
	if utf8.Valid(src) {
		dst = append(dst, src...)
		return dst
	}
	for i := 0; i < len(src); {
		if src[i] < utf8.RuneSelf {
			dst = append(dst, src[i])
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size == 1 {
			if d.firstBad < 0 {
				d.firstBad = d.outOff + int64(len(dst)-start)
				d.badLine = d.lines + bytes.Count(dst[start:], []byte("\n")) + 1
			}
			dst = appendCP1252(dst, src[i])
		} else {
			dst = append(dst, src[i:i+size]...)
		}
		i += size
	}
	return dst
}

// incompleteTail returns the length of a UTF-8 sequence that b ends in the
// middle of, or 0.
func incompleteTail(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return 0
			}
			return len(b) - i
		}
	}
	return 0
}
