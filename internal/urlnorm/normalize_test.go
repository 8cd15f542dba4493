package urlnorm

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"HTTP://Example.COM", "http://example.com/"},
		{"http://example.com:80/a", "http://example.com/a"},
		{"https://example.com:443/a", "https://example.com/a"},
		{"http://example.com:443/a", "http://example.com:443/a"},
		{"https://example.com:0080/", "https://example.com:80/"},
		{"http://example.com:/a", "http://example.com/a"},
		{"http://example.com/a#frag", "http://example.com/a"},
		{"http://example.com/#", "http://example.com/"},
		{"http://example.com/a/./b/../c", "http://example.com/a/c"},
		{"http://example.com/a/b/..", "http://example.com/a/"},
		{"http://example.com/../../a", "http://example.com/a"},
		{"http://example.com/a/%2e%2E/b", "http://example.com/b"},
		{"http://example.com/a//b", "http://example.com/a//b"},
		{"http://example.com/Path/CASE", "http://example.com/Path/CASE"},
		{"http://example.com/a%2fb%3a", "http://example.com/a%2Fb%3A"},
		{"http://example.com/%7Euser/%41%62%2D%5f", "http://example.com/~user/Ab-_"},
		{"http://example.com/a b", "http://example.com/a%20b"},
		{"http://example.com/café", "http://example.com/caf%C3%A9"},
		{"http://example.com/100%", "http://example.com/100%25"},
		{"http://example.com/%zz", "http://example.com/%25zz"},
		{"http://example.com/a|b{c}", "http://example.com/a%7Cb%7Bc%7D"},
		{`http:\\example.com\a\b`, "http://example.com/a/b"},
		{"http:/example.com", "http://example.com/"},
		{"http:example.com/x", "http://example.com/x"},
		{"  http://example.com/\t\na\r\n  ", "http://example.com/a"},
		{"http://example.com/?", "http://example.com/"},
		{"http://example.com/?#x", "http://example.com/"},
		{"http://example.com/?b=2&a=1", "http://example.com/?b=2&a=1"},
		{"http://example.com/?q=a b&x=é", "http://example.com/?q=a%20b&x=%C3%A9"},
		{"http://example.com/?a=%2f%41&b=c/d?e", "http://example.com/?a=%2FA&b=c/d?e"},
		{"http://example.com?x", "http://example.com/?x"},
		{"http://bücher.example/", "http://xn--bcher-kva.example/"},
		{"http://BÜCHER.example/", "http://xn--bcher-kva.example/"},
		{"http://xn--bcher-kva.example/", "http://xn--bcher-kva.example/"},
		{"http://ex%61mple.com/", "http://example.com/"},
		{"http://my_host.example.com/", "http://my_host.example.com/"},
		{"http://[::FFFF:1.2.3.4]:8080/", "http://[::ffff:1.2.3.4]:8080/"},
		{"http://[2001:DB8::0:1]/", "http://[2001:db8::1]/"},
		{"http://user:p%40ss@example.com/", "http://user:p%40ss@example.com/"},
		{"http://@example.com/", "http://example.com/"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if err != nil {
			t.Errorf("Normalize(%q) error: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if u, err := url.Parse(got); err != nil || u.String() != got {
			t.Errorf("Normalize(%q) = %q does not round-trip through net/url", tt.in, got)
		}
	}
}

func TestNormalizeErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"mailto:a@example.com", ErrUnsupportedScheme},
		{"javascript:alert(1)", ErrUnsupportedScheme},
		{"JavaScript:void(0)", ErrUnsupportedScheme},
		{"tel:+123", ErrUnsupportedScheme},
		{"data:text/html,hi", ErrUnsupportedScheme},
		{"ftp://example.com/", ErrUnsupportedScheme},
		{"/relative/path", ErrNotAbsolute},
		{"example.com/x", ErrNotAbsolute},
		{"", ErrNotAbsolute},
		{"http://", ErrMissingHost},
		{"http:///", ErrMissingHost},
		{"http://:80/", ErrMissingHost},
		{"http://exa mple.com/", ErrInvalidHost},
		{"http://exa%20mple.com/", ErrInvalidHost},
		{"http://exa\u00a0mple.com/", ErrInvalidHost},
		{"http://exa<mple.com/", ErrInvalidHost},
		{"http://[::1/", ErrInvalidHost},
		{"http://example.com:99999/", ErrInvalidPort},
		{"http://example.com:8o/", ErrInvalidPort},
		{"http://example.com/" + strings.Repeat("a", MaxLength), ErrTooLong},
		{"http://example.com/" + strings.Repeat(" ", MaxLength/2) + "x", ErrTooLong}, // grows when escaped
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("Normalize(%.40q) = %q, %v; want error %v", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizerQuery(t *testing.T) {
	const in = "http://example.com/p?utm_source=x&b=2&UTM_Medium=y&a=1&gclid=z&a=0&&c"
	tests := []struct {
		n    Normalizer
		want string
	}{
		{Normalizer{}, "http://example.com/p?utm_source=x&b=2&UTM_Medium=y&a=1&gclid=z&a=0&&c"},
		{Normalizer{Query: QuerySort}, "http://example.com/p?UTM_Medium=y&a=1&a=0&b=2&c&gclid=z&utm_source=x"},
		{Normalizer{Query: QueryStrip}, "http://example.com/p"},
		{Normalizer{StripParams: TrackingParams}, "http://example.com/p?b=2&a=1&a=0&&c"},
		{Normalizer{Query: QuerySort, StripParams: []string{"utm_*", "gclid"}}, "http://example.com/p?a=1&a=0&b=2&c"},
		{Normalizer{StripParams: []string{"*"}}, "http://example.com/p"},
	}
	for _, tt := range tests {
		got, err := tt.n.Normalize(in)
		if err != nil || got != tt.want {
			t.Errorf("%+v: got %q, %v; want %q", tt.n, got, err, tt.want)
		}
		if again, _ := tt.n.Normalize(got); again != got {
			t.Errorf("%+v: not idempotent: %q -> %q", tt.n, got, again)
		}
	}
}

func TestResolve(t *testing.T) {
	base, _ := url.Parse("https://example.com/dir/page.html?q=1#top")
	tests := []struct {
		ref, want string
	}{
		{"", "https://example.com/dir/page.html?q=1"},
		{"#section", "https://example.com/dir/page.html?q=1"},
		{"?x=2", "https://example.com/dir/page.html?x=2"},
		{"?", "https://example.com/dir/page.html"},
		{"other.html", "https://example.com/dir/other.html"},
		{"./a/../b.html", "https://example.com/dir/b.html"},
		{"../up.html", "https://example.com/up.html"},
		{"../../../../up.html", "https://example.com/up.html"},
		{"/root", "https://example.com/root"},
		{"//cdn.example.net/x.js", "https://cdn.example.net/x.js"},
		{`\\cdn.example.net\x.js`, "https://cdn.example.net/x.js"},
		{`sub\file.html`, "https://example.com/dir/sub/file.html"},
		{"http://Other.example:80/A?b#c", "http://other.example/A?b"},
		{"https:rel.html", "https://example.com/dir/rel.html"},
		{"http:rel.html", "http://rel.html/"},
		{"  /spaced path ", "https://example.com/spaced%20path"},
		{"/a?b#c?d", "https://example.com/a?b"},
		{"%7Efoo", "https://example.com/dir/~foo"},
		{"é", "https://example.com/dir/%C3%A9"},
	}
	for _, tt := range tests {
		got, err := Resolve(base, tt.ref)
		if err != nil {
			t.Errorf("Resolve(%q) error: %v", tt.ref, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("Resolve(%q) = %q, want %q", tt.ref, got, tt.want)
		}
	}

	for _, ref := range []string{"mailto:x@example.com", "javascript:void(0)", " tel:123", "data:,x", "ftp://example.com/"} {
		if _, err := Resolve(base, ref); !errors.Is(err, ErrUnsupportedScheme) {
			t.Errorf("Resolve(%q) error = %v, want ErrUnsupportedScheme", ref, err)
		}
	}
	if _, err := Resolve(nil, "/x"); err == nil {
		t.Error("Resolve(nil base) succeeded")
	}
	rel, _ := url.Parse("/relative")
	if _, err := Resolve(rel, "/x"); err == nil {
		t.Error("Resolve with relative base succeeded")
	}
}

func TestResolveEmptyBasePath(t *testing.T) {
	base := &url.URL{Scheme: "http", Host: "example.com"}
	got, err := Resolve(base, "a")
	if err != nil || got.String() != "http://example.com/a" {
		t.Errorf("got %v, %v", got, err)
	}
}
