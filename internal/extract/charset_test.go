package extract

import (
	"bytes"
	"strings"
	"testing"
)

func TestDecodeToUTF8(t *testing.T) {
	longASCII := strings.Repeat("<!-- padding -->", 100) // pushes non-ASCII past 1,024 bytes
	tests := []struct {
		name, body, contentType string
		charset, title          string
	}{
		{"windows-1252 meta", "<html><head><meta charset=\"windows-1252\"><title>Caf\xe9 \x80</title>", "", "windows-1252", "Café €"},
		{"latin1 header", "<title>Caf\xe9</title>", "text/html; charset=ISO-8859-1", "windows-1252", "Café"},
		{"http-equiv", `<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15"><title>` + "\xa4</title>", "", "iso-8859-15", "€"},
		{"no declaration, not UTF-8", "<title>Caf\xe9</title>", "", "windows-1252", "Café"},
		{"shift_jis", "<meta charset=Shift_JIS><title>\x93\xfa\x96\x7b\x8c\xea</title>", "", "shift_jis", "日本語"},
		{"header beats meta", "<meta charset=shift_jis><title>Caf\xe9</title>", "text/html; charset=windows-1252", "windows-1252", "Café"},
		{"utf-8 header", "<title>Café</title>", "text/html; charset=utf-8", "utf-8", "Café"},
		{"utf-8 BOM", "\xef\xbb\xbf<title>Café</title>", "text/html; charset=windows-1252", "utf-8", "Café"},
		{"utf-8 late non-ASCII", longASCII + "<title>Café</title>", "", "utf-8", "Café"},
		{"mislabelled utf-8", "<meta charset=iso-8859-1><title>Café</title>", "", "utf-8", "Café"},
		{"unknown header charset", "<title>Café</title>", "text/html; charset=x-bogus", "utf-8", "Café"},
	}
	for _, tt := range tests {
		out, cs, err := DecodeToUTF8([]byte(tt.body), tt.contentType)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		p := Extract(out, nil)
		if cs != tt.charset || p.Title != tt.title {
			t.Errorf("%s: charset %q title %q, want %q %q", tt.name, cs, p.Title, tt.charset, tt.title)
		}
	}
}

func TestDecodeToUTF8KeepsUTF8(t *testing.T) {
	in := []byte("<title>héllo</title>")
	out, cs, err := DecodeToUTF8(in, "")
	if err != nil || cs != "utf-8" || !bytes.Equal(in, out) || &in[0] != &out[0] {
		t.Errorf("utf-8 body should be returned as is: %q %q %v", out, cs, err)
	}
}
