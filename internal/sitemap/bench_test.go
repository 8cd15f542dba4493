package sitemap

import (
	"bytes"
	"testing"
)

// BenchmarkParse parses a full-size (50,000-URL, about 10 MB) urlset of the
// kind shop platforms generate, plain and gzipped, and a text sitemap of the
// same URLs. MB/s is of the uncompressed input.
func BenchmarkParse(b *testing.B) {
	xmlIn := genURLSet(MaxURLs)
	textIn := genText(MaxURLs)
	for _, bc := range []struct {
		name string
		in   []byte
		size int
	}{
		{"xml", xmlIn, len(xmlIn)},
		{"xml.gz", gz(b, xmlIn), len(xmlIn)},
		{"text", textIn, len(textIn)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(bc.size))
			b.ReportAllocs()
			for b.Loop() {
				sm, err := Parse(bytes.NewReader(bc.in), nil)
				if err != nil || len(sm.URLs) != MaxURLs {
					b.Fatalf("%d URLs, %v", len(sm.URLs), err)
				}
			}
		})
	}
}
