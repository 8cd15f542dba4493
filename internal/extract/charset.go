package extract

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// DecodeToUTF8 converts an HTML body to UTF-8 and returns it with the
// canonical name of the charset used ("utf-8", "windows-1252",
// "shift_jis", ...). The charset comes from, in order: a byte order mark,
// the charset parameter of contentType (the HTTP Content-Type header), a
// <meta> declaration in the first 1,024 bytes, else a guess.
//
// One deviation from x/net, whose guess looks only at the first 1,024
// bytes (often pure ASCII) and then defaults to windows-1252: a body that
// is valid UTF-8 and contains non-ASCII bytes is taken as UTF-8 when
// nothing declared its charset or a <meta> declared windows-1252 /
// ISO-8859-1 (a frequent mislabel: real windows-1252 text is practically
// never valid UTF-8). A BOM or the HTTP header always wins.
//
// A UTF-8 body is returned as is, minus a byte order mark.
func DecodeToUTF8(body []byte, contentType string) ([]byte, string, error) {
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if !certain && name == "windows-1252" && !isASCII(body) && utf8.Valid(body) {
		name = "utf-8"
	}
	if name == "utf-8" {
		return bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), name, nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return body, name, fmt.Errorf("extract: decoding %s: %w", name, err)
	}
	return out, name, nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
