package urlnorm

import (
	"net/url"
	"testing"
)

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"http://example.com/",
		"HTTPS://User:Pw@Bücher.Example:443/a/./b/../%7e%2F?b=2&a=1#f",
		`http:\\example.com\a b\c?q=é|x`,
		"http://[::FFFF:1.2.3.4]:0080/%zz%",
		"http://xn--bcher-kva.example/..%2e/x?",
		"  http://ex%61mple.com/\t\n?utm_source=a&&gclid=b  ",
		"mailto:a@example.com",
		"http://a/%2e%2E/%2E./.%2e/x",
	} {
		f.Add(s)
	}
	modes := []Normalizer{{}, {Query: QuerySort, StripParams: TrackingParams}, {Query: QueryStrip}}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, n := range modes {
			key, err := n.Normalize(raw)
			if err != nil {
				continue
			}
			again, err := n.Normalize(key)
			if err != nil {
				t.Fatalf("Normalize(%q) = %q, which fails: %v", raw, key, err)
			}
			if again != key {
				t.Fatalf("not idempotent: %q -> %q -> %q", raw, key, again)
			}
			u, err := url.Parse(key)
			if err != nil || u.String() != key {
				t.Fatalf("key %q does not round-trip through net/url (%v)", key, err)
			}
			if h := KeyHost(key); h != u.Hostname() {
				t.Fatalf("KeyHost(%q) = %q, net/url says %q", key, h, u.Hostname())
			}
			if len(key) > MaxLength {
				t.Fatalf("key longer than MaxLength: %d", len(key))
			}
			if r, err := n.Resolve(u, raw); err == nil {
				if again, err := n.Normalize(r.String()); err != nil || again != r.String() {
					t.Fatalf("Resolve(%q, %q) = %q, not a normalized key (%q, %v)", key, raw, r, again, err)
				}
			}
		}
	})
}
