package crawler

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/urlnorm"
)

// Options are a crawl's settings, stored as JSON on the crawl and accepted
// as-is by the API and by `scouter crawl`. Absent fields take the defaults of
// DefaultOptions.
type Options struct {
	// URLs crawls a list instead of a single start URL: every URL is a seed
	// at depth 0, and MaxDepth defaults to 0 (only the list).
	URLs []string `json:"urls,omitempty"`

	MaxDepth    int     `json:"max_depth"`   // -1: unlimited
	MaxURLs     int     `json:"max_urls"`    // internal URLs admitted to the frontier; 0: unlimited
	Concurrency int     `json:"concurrency"` // simultaneous requests
	MaxRPS      float64 `json:"max_rps"`     // requests per second over the crawl; 0: no cap
	// Politeness per host (host:port): simultaneous requests (0: as
	// Concurrency) and requests per second (0: no cap). robots.txt's
	// Crawl-delay and 429/503 Retry-After slow a host further.
	HostConcurrency int     `json:"host_concurrency"`
	HostMaxRPS      float64 `json:"host_max_rps"`

	UserAgent string            `json:"user_agent"`
	Headers   map[string]string `json:"headers,omitempty"`
	AuthUser  string            `json:"auth_user,omitempty"`
	// AuthPassword is a secret: Redacted blanks it wherever options are shown.
	AuthPassword string `json:"auth_password,omitempty"`

	Include []string `json:"include,omitempty"` // regexps; when set, internal URLs must match one
	Exclude []string `json:"exclude,omitempty"` // regexps; internal URLs matching one are not crawled

	Query       string   `json:"query"`                  // keep, sort or strip
	StripParams []string `json:"strip_params,omitempty"` // query parameters removed ("utm_*" is a prefix)

	AllowedHosts      []string `json:"allowed_hosts,omitempty"` // extra internal hosts; "*.example.org" includes subdomains
	IncludeSubdomains bool     `json:"include_subdomains"`

	Robots         string `json:"robots"` // respect, or ignore (crawl but report what robots.txt blocks)
	FollowNofollow bool   `json:"follow_nofollow"`

	SeedSitemaps bool     `json:"seed_sitemaps"`      // crawl sitemap URLs that links did not reach
	Sitemaps     []string `json:"sitemaps,omitempty"` // sitemap URLs besides those robots.txt lists and /sitemap.xml

	Timeout        string `json:"timeout"`         // whole request, e.g. "30s"
	ConnectTimeout string `json:"connect_timeout"` // dial and TLS handshake
	MaxBodyBytes   int64  `json:"max_body_bytes"`  // a longer body is cut and parsed up to the cap
	MaxRetries     int    `json:"max_retries"`     // retries of a throttled (429/503) response

	// Audit is what the audit job that follows the crawl checks: thresholds
	// and checks turned off (docs/CHECKS.md).
	Audit audit.Config `json:"audit"`
}

// Defaults.
const (
	DefaultUserAgent   = "Scouter/1.0 (+https://github.com/scouter-seo/scouter)"
	DefaultConcurrency = 8
	DefaultMaxURLs     = 500_000
	DefaultMaxBody     = 10 << 20
	DefaultTimeout     = "30s"
	DefaultConnect     = "10s"
	DefaultMaxRetries  = 5
)

// DefaultOptions returns the defaults; decode JSON into it to apply them.
func DefaultOptions() Options {
	return Options{
		MaxDepth:       -1,
		MaxURLs:        DefaultMaxURLs,
		Concurrency:    DefaultConcurrency,
		UserAgent:      DefaultUserAgent,
		Query:          "keep",
		Robots:         "respect",
		Timeout:        DefaultTimeout,
		ConnectTimeout: DefaultConnect,
		MaxBodyBytes:   DefaultMaxBody,
		MaxRetries:     DefaultMaxRetries,
	}
}

// FieldError names the option that is invalid, for API and CLI messages.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// ParseOptions decodes JSON options over the defaults and validates them.
// Unknown fields are refused, so a misspelt option is not silently ignored.
func ParseOptions(raw []byte) (Options, error) {
	o := DefaultOptions()
	if len(raw) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(raw, &probe); err != nil {
			return o, &FieldError{"options", "invalid JSON: " + err.Error()}
		}
		if err := dec.Decode(&o); err != nil {
			return o, &FieldError{"options", strings.TrimPrefix(err.Error(), "json: ")}
		}
		if _, ok := probe["max_depth"]; !ok && len(o.URLs) > 0 {
			o.MaxDepth = 0
		}
	}
	return o, o.Validate()
}

// Validate checks every field and returns the first problem as a FieldError.
func (o *Options) Validate() error {
	bad := func(f, format string, a ...any) error { return &FieldError{f, fmt.Sprintf(format, a...)} }
	for i, u := range o.URLs {
		if _, err := urlnorm.Normalize(u); err != nil {
			return bad(fmt.Sprintf("urls[%d]", i), "%v", trimErr(err))
		}
	}
	if len(o.URLs) > 100_000 {
		return bad("urls", "at most 100000 URLs")
	}
	switch {
	case o.MaxDepth < -1:
		return bad("max_depth", "must be -1 (unlimited) or more")
	case o.MaxURLs < 0:
		return bad("max_urls", "must be 0 (unlimited) or more")
	case o.Concurrency < 1 || o.Concurrency > 256:
		return bad("concurrency", "must be between 1 and 256")
	case o.MaxRPS < 0:
		return bad("max_rps", "must be 0 (no cap) or more")
	case o.HostConcurrency < 0 || o.HostConcurrency > 256:
		return bad("host_concurrency", "must be between 0 (as concurrency) and 256")
	case o.HostMaxRPS < 0:
		return bad("host_max_rps", "must be 0 (no cap) or more")
	case strings.TrimSpace(o.UserAgent) == "" || strings.ContainsAny(o.UserAgent, "\r\n"):
		return bad("user_agent", "must be one non-empty line")
	case o.Query != "keep" && o.Query != "sort" && o.Query != "strip":
		return bad("query", "must be keep, sort or strip")
	case o.Robots != "respect" && o.Robots != "ignore":
		return bad("robots", "must be respect or ignore")
	case o.MaxBodyBytes < 1024 || o.MaxBodyBytes > 1<<30:
		return bad("max_body_bytes", "must be between 1024 and 1073741824")
	case o.MaxRetries < 0 || o.MaxRetries > 20:
		return bad("max_retries", "must be between 0 and 20")
	}
	for k, v := range o.Headers {
		if k == "" || strings.ContainsAny(k, " :\r\n") || strings.ContainsAny(v, "\r\n") {
			return bad("headers", "invalid header %q", k)
		}
		switch http.CanonicalHeaderKey(k) {
		case "User-Agent":
			return bad("headers", "set the user agent with user_agent")
		case "Host", "Accept-Encoding", "Connection", "Content-Length", "Transfer-Encoding", "Te", "Trailer", "Upgrade", "Keep-Alive", "Proxy-Connection":
			return bad("headers", "%s is set by the crawler", http.CanonicalHeaderKey(k))
		}
	}
	for i, p := range o.Include {
		if _, err := regexp.Compile(p); err != nil {
			return bad(fmt.Sprintf("include[%d]", i), "invalid pattern: %v", trimErr(err))
		}
	}
	for i, p := range o.Exclude {
		if _, err := regexp.Compile(p); err != nil {
			return bad(fmt.Sprintf("exclude[%d]", i), "invalid pattern: %v", trimErr(err))
		}
	}
	if _, err := urlnorm.NewHostMatcher("example.invalid", o.AllowedHosts, false); err != nil {
		return bad("allowed_hosts", "%v", trimErr(err))
	}
	for i, s := range o.Sitemaps {
		if _, err := urlnorm.Normalize(s); err != nil {
			return bad(fmt.Sprintf("sitemaps[%d]", i), "%v", trimErr(err))
		}
	}
	for _, d := range []struct{ field, v string }{{"timeout", o.Timeout}, {"connect_timeout", o.ConnectTimeout}} {
		v, err := time.ParseDuration(d.v)
		if err != nil || v < 100*time.Millisecond || v > 10*time.Minute {
			return bad(d.field, "must be a duration between 100ms and 10m, like \"30s\"")
		}
	}
	if err := o.Audit.Validate(); err != nil {
		var fe *audit.FieldError
		if errors.As(err, &fe) {
			return bad("audit."+fe.Field, "%s", fe.Msg)
		}
		return bad("audit", "%v", err)
	}
	return nil
}

// AuditConfig is the audit settings of a crawl's stored options (the
// defaults when they do not parse).
func AuditConfig(raw []byte) audit.Config {
	if o, err := ParseOptions(raw); err == nil {
		return o.Audit
	}
	return audit.Config{}
}

// Redacted returns the options with secrets blanked, for display.
func (o Options) Redacted() Options {
	if o.AuthPassword != "" {
		o.AuthPassword = "********"
	}
	if len(o.Headers) > 0 {
		h := make(map[string]string, len(o.Headers))
		for k, v := range o.Headers {
			switch http.CanonicalHeaderKey(k) {
			case "Authorization", "Cookie", "Proxy-Authorization":
				v = "********"
			}
			h[k] = v
		}
		o.Headers = h
	}
	return o
}

func (o *Options) timeouts() (total, connect time.Duration) {
	total, _ = time.ParseDuration(o.Timeout)
	connect, _ = time.ParseDuration(o.ConnectTimeout)
	return total, connect
}

func (o *Options) normalizer() urlnorm.Normalizer {
	n := urlnorm.Normalizer{StripParams: o.StripParams}
	switch o.Query {
	case "sort":
		n.Query = urlnorm.QuerySort
	case "strip":
		n.Query = urlnorm.QueryStrip
	}
	return n
}

// ValidateStartURL checks a crawl's start URL and returns its normalized form.
func ValidateStartURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", &FieldError{"start_url", "is required"}
	}
	u, err := urlnorm.Normalize(strings.TrimSpace(raw))
	if err != nil {
		return "", &FieldError{"start_url", trimErr(err)}
	}
	return u, nil
}

func trimErr(err error) string { return strings.TrimPrefix(err.Error(), "urlnorm: ") }
