package urlnorm

import (
	"net/url"
	"testing"
)

func TestHostMatcher(t *testing.T) {
	tests := []struct {
		name    string
		primary string
		extra   []string
		subs    bool
		in      []string
		out     []string
	}{
		{
			name:    "exact with www equivalence",
			primary: "example.com",
			in: []string{
				"https://example.com/", "http://EXAMPLE.com:8080/x", "https://www.example.com/",
				"https://example.com./",
			},
			out: []string{
				"https://example.com.evil.net/", "https://notexample.com/", "https://blog.example.com/",
				"https://evil.net/?example.com", "https://example.co/", "https://wwwexample.com/",
			},
		},
		{
			name:    "www primary",
			primary: "https://www.Example.com/start",
			in:      []string{"https://example.com/", "https://www.example.com/"},
			out:     []string{"https://www2.example.com/"},
		},
		{
			name:    "subdomains",
			primary: "example.com",
			subs:    true,
			in:      []string{"https://blog.example.com/", "https://a.b.example.com/", "https://www.example.com/", "https://example.com/"},
			out:     []string{"https://notexample.com/", "https://example.com.evil.net/", "https://blog-example.com/"},
		},
		{
			name:    "extras",
			primary: "example.com",
			extra:   []string{"*.example.org", "cdn.example.net", "bücher.example"},
			in: []string{
				"https://example.org/", "https://shop.example.org/", "https://cdn.example.net/",
				"https://www.cdn.example.net/", "https://xn--bcher-kva.example/",
			},
			out: []string{"https://img.example.net/", "https://example.org.evil/", "https://example.net/"},
		},
		{
			name:    "ip",
			primary: "127.0.0.1:8080",
			subs:    true,
			in:      []string{"http://127.0.0.1/"},
			out:     []string{"http://127.0.0.2/", "http://x.127.0.0.1.evil/"},
		},
		{
			name:    "ipv6 and localhost",
			primary: "localhost",
			extra:   []string{"[::1]"},
			subs:    true,
			in:      []string{"http://localhost:3000/", "http://[::1]:8080/", "http://app.localhost/"},
			out:     []string{"http://[::2]/"},
		},
	}
	for _, tt := range tests {
		m, err := NewHostMatcher(tt.primary, tt.extra, tt.subs)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		check := func(raw string, want bool) {
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Internal(u); got != want {
				t.Errorf("%s: Internal(%s) = %v, want %v", tt.name, raw, got, want)
			}
		}
		for _, raw := range tt.in {
			check(raw, true)
		}
		for _, raw := range tt.out {
			check(raw, false)
		}
	}
}

func TestHostMatcherRejects(t *testing.T) {
	for _, tc := range []struct {
		primary string
		extra   []string
		subs    bool
	}{
		{"", nil, false},
		{"exa mple.com", nil, false},
		{"co.uk", nil, true},
		{"example.com", []string{"*.com"}, false},
		{"example.com", []string{"*.github.io"}, false},
	} {
		if _, err := NewHostMatcher(tc.primary, tc.extra, tc.subs); err == nil {
			t.Errorf("NewHostMatcher(%q, %q, %v) succeeded", tc.primary, tc.extra, tc.subs)
		}
	}
	var m *HostMatcher
	if m.Internal(&url.URL{Host: "example.com"}) {
		t.Error("nil matcher matched")
	}
}
