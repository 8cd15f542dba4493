package extract

import (
	"net/url"
	"testing"
)

func TestBaseURL(t *testing.T) {
	page, _ := url.Parse("https://example.com/dir/page.html")
	tests := []struct{ html, want string }{
		{`<a href="x">`, "https://example.com/dir/page.html"},
		{`<base href="https://cdn.example.com/assets/">`, "https://cdn.example.com/assets/"},
		{`<base href="/other/">`, "https://example.com/other/"},
		{`<base href="../up/index.html">`, "https://example.com/up/index.html"},
		{`<base href="javascript:alert(1)">`, "https://example.com/dir/page.html"},
		{`<base href="http://exa mple.com/">`, "https://example.com/dir/page.html"},
	}
	for _, tt := range tests {
		p := extract(tt.html)
		if got := p.BaseURL(page).String(); got != tt.want {
			t.Errorf("%s: BaseURL = %s, want %s", tt.html, got, tt.want)
		}
	}
	if (&Page{BaseHref: "/x"}).BaseURL(nil) != nil {
		t.Error("nil page URL")
	}
}
