package robots

import (
	"strings"
	"testing"
	"time"
)

type check struct {
	path string
	want bool
}

func expect(t *testing.T, r *Robots, ua string, checks ...check) {
	t.Helper()
	for _, c := range checks {
		if got := r.Allowed(ua, c.path); got != c.want {
			t.Errorf("Allowed(%q, %q) = %v, want %v", ua, c.path, got, c.want)
		}
	}
}

func yes(paths ...string) []check { return checks(true, paths) }
func no(paths ...string) []check  { return checks(false, paths) }

func checks(want bool, paths []string) []check {
	var cs []check
	for _, p := range paths {
		cs = append(cs, check{p, want})
	}
	return cs
}

// Google's "Order of precedence for rules" examples and the longest-match
// cases from Google's parser tests.
func TestPrecedence(t *testing.T) {
	tests := []struct {
		rules  string
		checks []check
	}{
		{"allow: /p\ndisallow: /", yes("/page")},
		{"allow: /folder\ndisallow: /folder", yes("/folder/page")},
		// /*.htm (6 bytes) beats /page (5).
		{"allow: /page\ndisallow: /*.htm", append(no("/page.htm"), yes("/page")...)},
		// /*.ph and /page are both 5 bytes long: the tie goes to Allow.
		{"allow: /page\ndisallow: /*.ph", yes("/page.php5")},
		{"allow: /$\ndisallow: /", append(yes("/"), no("/page.htm")...)},
		{"disallow: /x/page.html\nallow: /x/", append(no("/x/page.html"), yes("/x/other")...)},
		{"allow: /x/page.html\ndisallow: /x/", append(yes("/x/page.html"), no("/x/")...)},
		{"disallow: /x\nallow: /x/", append(no("/x"), yes("/x/")...)},
		{"disallow: /\nallow: /", yes("/x")},
		{"disallow: /x/page.html\nallow: /x/page.html", yes("/x/page.html")},
		{"allow: /x/page.\ndisallow: /*.html", append(yes("/x/page.html"), no("/x/y.html")...)},
		// "$" counts towards the length too.
		{"allow: /a\ndisallow: /a$", append(no("/a"), yes("/ab")...)},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.rules, "\n", " "), func(t *testing.T) {
			expect(t, Parse([]byte("user-agent: FooBot\n"+tt.rules)), "FooBot", tt.checks...)
		})
	}
}

// Google's "URL matching based on path values" examples. Each pattern is
// allowed against "disallow: /", so a path is allowed exactly when the
// pattern matches it.
func TestPatterns(t *testing.T) {
	fish := yes("/fish", "/fish.html", "/fish/salmon.html", "/fishheads",
		"/fishheads/yummy.html", "/fish.php?id=anything", "/fish.html?id=anything")
	notFish := no("/Fish.asp", "/catfish", "/?id=fish", "/desert/fish", "/bar")
	tests := []struct {
		pattern string
		checks  []check
	}{
		{"/fish", append(fish, notFish...)},
		{"/fish*", append(fish, notFish...)},
		{"/fish/", append(
			yes("/fish/", "/fish/?id=anything", "/fish/salmon.htm", "/fish/?salmon"),
			no("/fish", "/fish.html", "/animals/fish/", "/Fish/Salmon.asp")...)},
		{"/*.php", append(
			yes("/index.php", "/filename.php", "/folder/filename.php",
				"/folder/filename.php?parameters", "/folder/any.php.file.html",
				"/filename.php/", "/index?f=filename.php/"),
			no("/", "/windows.PHP", "/php/", "/index?php")...)},
		{"/*.php$", append(
			yes("/filename.php", "/folder/filename.php"),
			no("/filename.php?parameters", "/filename.php/", "/filename.php5",
				"/windows.PHP", "/php/", "/filename?php", "/aaaphpaaa")...)},
		{"/fish*.php", append(
			yes("/fish.php", "/fishheads/catfish.php?parameters"),
			no("/Fish.PHP", "/fish.ph")...)},
		{"/foo/*/qux", append(yes("/foo/bar/qux", "/foo//qux", "/foo/a/b/qux/z"), no("/foo/qux")...)},
		// Only a final "$" anchors; elsewhere it is literal.
		{"/a$b", append(yes("/a$b", "/a$bc"), no("/ab", "/a")...)},
		{"/a$$", append(yes("/a$"), no("/a", "/a$b")...)},
		{"/*a*b*$", append(yes("/ab", "/xaybz"), no("/ba")...)},
		{"/**", yes("/", "/x")},
		{"*x", append(yes("/x", "/a/x"), no("/y")...)},
		{"x", no("/x", "x")},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			r := Parse([]byte("user-agent: FooBot\ndisallow: /\nallow: " + tt.pattern))
			expect(t, r, "FooBot", tt.checks...)
			for _, c := range tt.checks {
				p := normalisePath(c.path)
				if ref := googleMatch(p, escape(tt.pattern)); ref != c.want {
					t.Errorf("reference matcher disagrees on %q: %v", c.path, ref)
				}
			}
		})
	}
}

// RFC 9309 section 2.2.2 and Google's encoding tests.
func TestPercentEncoding(t *testing.T) {
	tests := []struct {
		pattern string
		checks  []check
	}{
		{"/foo/bar?baz=quz", append(yes("/foo/bar?baz=quz"), no("/foo/bar?baz=qux")...)},
		{"/foo/bar?qux=taz&baz=http://foo.bar?tar&par", yes("/foo/bar?qux=taz&baz=http://foo.bar?tar&par")},
		// Reserved characters are not decoded: ":" and "%3A" differ.
		{"/foo/bar?baz=http://foo.bar", no("/foo/bar?baz=http%3A%2F%2Ffoo.bar")},
		{"/foo/bar/ツ", yes("/foo/bar/%E3%83%84", "/foo/bar/%e3%83%84", "/foo/bar/ツ")},
		{"/foo/bar/%E3%83%84", yes("/foo/bar/%E3%83%84", "/foo/bar/ツ")},
		{"/foo/bar/%e3%83%84", yes("/foo/bar/%E3%83%84", "/foo/bar/ツ")},
		{"/foo/bar/%62%61%7A", append(yes("/foo/bar/%62%61%7A", "/foo/bar/%62%61%7a"), no("/foo/bar/baz")...)},
		{"/%7Ejoe", append(yes("/%7Ejoe", "/%7ejoe/x"), no("/~joe")...)},
		{"/~joe", append(yes("/~joe"), no("/%7Ejoe")...)},
		// A "%" that starts no escape is kept as it is.
		{"/100%", append(yes("/100%", "/100%25"), no("/100")...)},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			expect(t, Parse([]byte("user-agent: FooBot\ndisallow: /\nallow: "+tt.pattern)), "FooBot", tt.checks...)
		})
	}

	// Precedence counts the escaped pattern: "/ä" is "/%C3%A4", 7 bytes,
	// longer than "/*%C3" (5), though only 3 bytes as written.
	r := Parse([]byte("user-agent: *\ndisallow: /*%C3\nallow: /ä"))
	expect(t, r, "x", check{"/ä", true}, check{"/%C3%A4", true}, check{"/x%C3", false})
}

func TestGroups(t *testing.T) {
	// Google's ID_LineSyntax_Groups test.
	r := Parse([]byte(`allow: /foo/bar/

user-agent: FooBot
disallow: /
allow: /x/
user-agent: BarBot
disallow: /
allow: /y/


allow: /w/
user-agent: BazBot

user-agent: FooBot
allow: /z/
disallow: /
`))
	expect(t, r, "FooBot", check{"/x/b", true}, check{"/z/d", true}, check{"/y/c", false}, check{"/foo/bar/", false})
	expect(t, r, "BarBot", check{"/y/c", true}, check{"/w/a", true}, check{"/z/d", false}, check{"/foo/bar/", false})
	expect(t, r, "BazBot", check{"/z/d", true}, check{"/foo/bar/", false})

	tests := []struct {
		name, body, ua string
		checks         []check
	}{
		{"rules before any user-agent are ignored",
			"disallow: /\nuser-agent: *\ndisallow: /x", "ScouterBot", append(yes("/y"), no("/x")...)},
		{"only rules before any user-agent",
			"disallow: /", "ScouterBot", yes("/x")},
		{"groups for one agent are merged",
			"user-agent: scouterbot\ndisallow: /a\nuser-agent: other\ndisallow: /\nuser-agent: ScouterBot\ndisallow: /b",
			"ScouterBot", append(no("/a", "/b"), yes("/c")...)},
		{"specific group beats *",
			"user-agent: *\ndisallow: /\n\nuser-agent: scouterbot\ndisallow: /private",
			"ScouterBot", append(yes("/public"), no("/private")...)},
		{"other agents get *",
			"user-agent: *\ndisallow: /\n\nuser-agent: scouterbot\ndisallow: /private",
			"OtherBot", no("/public")},
		{"tie across merged groups goes to allow",
			"user-agent: scouterbot\ndisallow: /folder\nuser-agent: other\ndisallow: /\nuser-agent: ScouterBot\nallow: /folder",
			"ScouterBot", yes("/folder/page")},
		{"longest match across merged groups",
			"user-agent: scouterbot\nallow: /a\nuser-agent: other\nuser-agent: scouterbot\ndisallow: /a/b",
			"ScouterBot", append(yes("/a/c"), no("/a/b")...)},
		{"long product token",
			"user-agent: " + strings.Repeat("Ab", 40) + "\ndisallow: /", strings.Repeat("aB", 40) + "/1.0", no("/x")},
		{"* groups are merged",
			"user-agent: *\ndisallow: /a\nuser-agent: x\ndisallow: /\nuser-agent: *\ndisallow: /b",
			"ScouterBot", append(no("/a", "/b"), yes("/c")...)},
		{"empty specific group beats *",
			"user-agent: *\ndisallow: /\nuser-agent: scouterbot\ndisallow:", "ScouterBot", yes("/x")},
		{"specific group without rules beats *",
			"user-agent: *\ndisallow: /\nuser-agent: scouterbot", "ScouterBot", yes("/x")},
		{"no matching group", "user-agent: other\ndisallow: /", "ScouterBot", yes("/x")},
		{"consecutive user-agents share a group",
			"user-agent: a\nuser-agent: scouterbot\nuser-agent: b\ndisallow: /x", "ScouterBot", no("/x")},
		{"blank line after user-agent",
			"user-agent: *\n\ndisallow: /", "ScouterBot", no("/x")},
		{"sitemap does not end the user-agent run",
			"User-agent: ScouterBot\nSitemap: https://foo.bar/sitemap\nUser-agent: *\nDisallow: /", "ScouterBot", no("/")},
		{"unknown field does not end the user-agent run",
			"User-agent: ScouterBot\nInvalid-Unknown-Line: unknown\nUser-agent: *\nDisallow: /", "ScouterBot", no("/")},
		{"crawl-delay does not end the user-agent run",
			"User-agent: ScouterBot\nCrawl-delay: 1\nUser-agent: *\nDisallow: /", "ScouterBot", no("/")},
		{"crawl-delay between groups joins them, as with Google",
			"User-agent: *\nCrawl-delay: 5\n\nUser-agent: BadBot\nDisallow: /", "ScouterBot", no("/x")},
		{"agent with version", "User-agent: Scouter/1.0\nDisallow: /", "scouter", no("/x")},
		{"agent with version does not match longer token", "User-agent: Scouter/1.0\nDisallow: /", "ScouterBot", yes("/x")},
		{"agent up to first space", "User-agent: ScouterBot Images\nDisallow: /", "ScouterBot", no("/x")},
		{"agent case-insensitive", "User-agent: SCOUTERBOT\nDisallow: /", "scouterBot", no("/x")},
		{"agent is not a prefix match", "User-agent: Scouter\nDisallow: /", "ScouterBot", yes("/x")},
		{"* followed by text is global", "User-agent: * everyone\nDisallow: /", "ScouterBot", no("/x")},
		{"*bot names nothing", "User-agent: *bot\nDisallow: /", "ScouterBot", yes("/x")},
		{"full User-Agent header",
			"User-agent: ScouterBot\nDisallow: /", "Mozilla/5.0 (compatible; ScouterBot/1.0; +https://scouter.example)", no("/x")},
		{"empty user-agent value opens a group matching nobody",
			"user-agent:\ndisallow: /\nuser-agent: *\ndisallow: /x", "ScouterBot", append(yes("/y"), no("/x")...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expect(t, Parse([]byte(tt.body)), tt.ua, tt.checks...) })
	}
}

func TestSyntax(t *testing.T) {
	tests := []struct{ name, body string }{
		{"lower", "user-agent: FooBot\ndisallow: /x"},
		{"upper", "USER-AGENT: FooBot\nDISALLOW: /x"},
		{"camel", "uSeR-aGeNt: FooBot\ndIsAlLoW: /x"},
		{"useragent", "useragent: FooBot\ndisallow: /x"},
		{"user agent", "user agent: FooBot\ndisallow: /x"},
		{"dissallow", "user-agent: FooBot\ndissallow: /x"},
		{"dissalow", "user-agent: FooBot\ndissalow: /x"},
		{"disalow", "user-agent: FooBot\ndisalow: /x"},
		{"diasllow", "user-agent: FooBot\ndiasllow: /x"},
		{"disallaw", "user-agent: FooBot\ndisallaw: /x"},
		{"missing colon", "user-agent FooBot\ndisallow /x"},
		{"whitespace", "  \tuser-agent \t:  FooBot \t\n\t disallow : /x  \t"},
		{"CRLF", "user-agent: FooBot\r\ndisallow: /x\r\n"},
		{"CR", "user-agent: FooBot\rdisallow: /x\r"},
		{"mixed", "user-agent: FooBot\r\n\r\n\n\rdisallow: /x"},
		{"BOM", "\xEF\xBB\xBFuser-agent: FooBot\ndisallow: /x"},
		{"partial BOM", "\xEF\xBBuser-agent: FooBot\ndisallow: /x"},
		{"comments", "# hello\nuser-agent: FooBot # me\n# disallow: /\ndisallow: /x#y\n#"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, Parse([]byte(tt.body)), "FooBot", check{"/x", false}, check{"/y", true})
		})
	}

	bad := []struct{ name, body string }{
		{"unknown key", "foo: FooBot\nbar: /x"},
		{"three words without colon", "user-agent FooBot x\ndisallow: /x"},
		{"broken BOM", "\xEF\x11\xBFuser-agent: FooBot\ndisallow: /x"},
		{"BOM in the middle", "user-agent: FooBot\n\xEF\xBB\xBFdisallow: /x"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, Parse([]byte(tt.body)), "FooBot", check{"/x", true})
		})
	}
}

func TestEmptyRules(t *testing.T) {
	for _, body := range []string{
		"user-agent: *\ndisallow:",
		"user-agent: *\ndisallow:\nallow:",
		"user-agent: *\nallow:\ndisallow:   # nothing",
		"",
	} {
		expect(t, Parse([]byte(body)), "FooBot", yes("/", "/x", "/x?y")...)
	}
	// An empty Allow does not undo a Disallow.
	expect(t, Parse([]byte("user-agent: *\nallow:\ndisallow: /")), "FooBot", no("/x")...)
}

func TestRobotsTxtAlwaysAllowed(t *testing.T) {
	for _, r := range []*Robots{Parse([]byte("user-agent: *\ndisallow: /")), DisallowAll()} {
		expect(t, r, "FooBot", check{"/robots.txt", true}, check{"/robots.txt?x=1", true},
			check{"/robots.txtx", false}, check{"/x/robots.txt", false})
	}
}

func TestPathNormalisation(t *testing.T) {
	r := Parse([]byte("user-agent: *\ndisallow: /$\ndisallow: /?\ndisallow: /a$"))
	expect(t, r, "FooBot",
		check{"", false}, check{"?q", false}, check{"/#frag", false}, check{"/a#b", false},
		check{"a", false}, check{"/ab", true}, check{"b", true})
}

func TestIndexHTMLIsDirectory(t *testing.T) {
	r := Parse([]byte("User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /"))
	expect(t, r, "foobot",
		check{"/allowed-slash/", true},
		check{"/allowed-slash/index.htm", false},
		check{"/allowed-slash/index.html", true},
		check{"/allowed-slash/other", false},
		check{"/anyother-url", false})
}

func TestCrawlDelay(t *testing.T) {
	tests := []struct {
		body, ua string
		want     time.Duration
		ok       bool
	}{
		{"user-agent: scouterbot\ncrawl-delay: 2.5\ndisallow: /x", "ScouterBot", 2500 * time.Millisecond, true},
		{"user-agent: scouterbot\nCrawl-Delay: 10", "ScouterBot", 10 * time.Second, true},
		{"user-agent: scouterbot\ncrawl-delay: .5", "ScouterBot", 500 * time.Millisecond, true},
		{"user-agent: scouterbot\ncrawl-delay: 0", "ScouterBot", 0, true},
		{"user-agent: scouterbot\ncrawl-delay: abc", "ScouterBot", 0, false},
		{"user-agent: scouterbot\ncrawl-delay: -1", "ScouterBot", 0, false},
		{"user-agent: scouterbot\ncrawl-delay: 10s", "ScouterBot", 0, false},
		{"user-agent: scouterbot\ncrawl-delay: NaN", "ScouterBot", 0, false},
		{"user-agent: scouterbot\ncrawl-delay: 1e3", "ScouterBot", 0, false},
		{"user-agent: scouterbot\ncrawl-delay: .", "ScouterBot", 0, false},
		{"user-agent: scouterbot\ncrawl-delay: 1.2.3", "ScouterBot", 0, false},
		{"user-agent: scouterbot\ncrawl-delay: 99999999999999999999", "ScouterBot", 0, false},
		{"user-agent: scouterbot\ncrawl-delay:", "ScouterBot", 0, false},
		{"crawl-delay: 5\nuser-agent: scouterbot\ndisallow: /", "ScouterBot", 0, false},
		{"user-agent: *\ncrawl-delay: 3", "ScouterBot", 3 * time.Second, true},
		{"user-agent: *\ncrawl-delay: 3\nuser-agent: scouterbot\ndisallow: /", "ScouterBot", 0, false},
		{"user-agent: scouterbot\ncrawl-delay: 1\nuser-agent: x\ncrawl-delay: 9\nuser-agent: scouterbot\ncrawl-delay: 4", "ScouterBot", 4 * time.Second, true},
		{"user-agent: scouterbot\ncrawl-delay: 1\nuser-agent: x\ncrawl-delay: 9\nuser-agent: scouterbot\ncrawl-delay: 4", "x", 9 * time.Second, true},
		{"user-agent: scouterbot\nuser-agent: x\ncrawl-delay: 2\nuser-agent: y\ndisallow: /\ncrawl-delay: 3", "ScouterBot", 2 * time.Second, true},
		{"user-agent: scouterbot\nuser-agent: x\ncrawl-delay: 2\nuser-agent: y\ndisallow: /\ncrawl-delay: 3", "y", 3 * time.Second, true},
		{"user-agent: scouterbot\ndisallow: /\ncrawl-delay: 2\nuser-agent: scouterbot\ncrawl-delay: 1", "ScouterBot", 2 * time.Second, true},
		{"user-agent: scouterbot\ncrawl-delay: 4\ncrawl-delay: 1", "ScouterBot", 4 * time.Second, true},
		{"user-agent: scouterbot\ncrawl-delay: 1\ncrawl-delay: 4", "ScouterBot", 4 * time.Second, true},
		{"user-agent: other\ncrawl-delay: 4", "ScouterBot", 0, false},
	}
	for _, tt := range tests {
		d, ok := Parse([]byte(tt.body)).Group(tt.ua).CrawlDelay()
		if d != tt.want || ok != tt.ok {
			t.Errorf("%q: CrawlDelay() = %v, %v; want %v, %v", tt.body, d, ok, tt.want, tt.ok)
		}
	}
}

func TestSitemaps(t *testing.T) {
	r := Parse([]byte(`Sitemap: https://a.example/1.xml
user-agent: other
disallow: /
sitemap:https://a.example/2.xml
user-agent: *
Site-map: https://a.example/3.xml # comment
SITEMAP: https://a.example/1.xml
sitemap:
`))
	want := []string{"https://a.example/1.xml", "https://a.example/2.xml", "https://a.example/3.xml"}
	got := r.Sitemaps()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("Sitemaps() = %q, want %q", got, want)
	}
	got[0] = "changed"
	if r.Sitemaps()[0] != want[0] {
		t.Error("Sitemaps() exposes internal state")
	}
	if s := AllowAll().Sitemaps(); len(s) != 0 {
		t.Errorf("AllowAll().Sitemaps() = %q", s)
	}
}

func TestForStatus(t *testing.T) {
	body := []byte("user-agent: *\ndisallow: /x")
	tests := []struct {
		status     int
		body       []byte
		x, y, root bool // whether /x, /y and / are allowed
	}{
		{200, body, false, true, true},
		{204, nil, true, true, true},
		{206, body, false, true, true},
		{301, body, true, true, true},
		{400, body, true, true, true},
		{401, body, true, true, true},
		{403, body, true, true, true},
		{404, body, true, true, true},
		{410, body, true, true, true},
		{429, body, false, false, false},
		{500, body, false, false, false},
		{503, body, false, false, false},
		{599, body, false, false, false},
		{0, nil, false, false, false},
		{100, nil, false, false, false},
		{600, nil, false, false, false},
	}
	for _, tt := range tests {
		r := ForStatus(tt.status, tt.body)
		for _, c := range []check{{"/x", tt.x}, {"/y", tt.y}, {"/", tt.root}} {
			if got := r.Allowed("ScouterBot", c.path); got != c.want {
				t.Errorf("ForStatus(%d).Allowed(%q) = %v, want %v", tt.status, c.path, got, c.want)
			}
		}
		if !r.Allowed("ScouterBot", "/robots.txt") {
			t.Errorf("ForStatus(%d) disallows /robots.txt", tt.status)
		}
	}
}

func TestSizeLimit(t *testing.T) {
	const head = "user-agent: *\ndisallow: /early\n"
	pad := func(b *strings.Builder, to int) {
		for b.Len() < to {
			n := min(to-b.Len(), 100)
			if n == 1 {
				b.WriteString("\n")
				continue
			}
			b.WriteString("#" + strings.Repeat("-", n-2) + "\n")
		}
	}

	var b strings.Builder
	b.WriteString(head)
	pad(&b, MaxSize+10)
	b.WriteString("disallow: /late\n")
	pad(&b, 1<<20)
	expect(t, Parse([]byte(b.String())), "FooBot", check{"/early", false}, check{"/late", true})

	// The line the limit cuts through is dropped, not read as "disallow: /".
	b.Reset()
	b.WriteString(head)
	pad(&b, MaxSize-len("disallow: /"))
	b.WriteString("disallow: /private\n")
	pad(&b, 1<<20)
	expect(t, Parse([]byte(b.String())), "FooBot", check{"/early", false}, check{"/other", true}, check{"/private", true})

	// A line that ends right at the limit is whole.
	b.Reset()
	b.WriteString(head)
	pad(&b, MaxSize-len("disallow: /edge"))
	b.WriteString("disallow: /edge\n")
	pad(&b, 1<<20)
	expect(t, Parse([]byte(b.String())), "FooBot", check{"/edge", false}, check{"/other", true})
}

func TestLineLimit(t *testing.T) {
	long := "disallow: /x" + strings.Repeat("a", maxLineLen)
	fits := "disallow: /z" + strings.Repeat("a", maxLineLen-len("disallow: /z"))
	r := Parse([]byte("user-agent: *\n" + long + "\n" + fits + "\ndisallow: /y\n"))
	expect(t, r, "FooBot",
		check{"/x", true}, check{long[len("disallow: "):], true},
		check{fits[len("disallow: "):], false}, check{"/z", true},
		check{"/y", false})
}

func TestProductToken(t *testing.T) {
	tests := []struct{ ua, want string }{
		{"ScouterBot", "ScouterBot"},
		{"ScouterBot/1.0", "ScouterBot"},
		{"  Scouter_Bot-x 1.0", "Scouter_Bot-x"},
		{"Mozilla/5.0 (compatible; ScouterBot/1.0; +https://scouter.example/bot)", "ScouterBot"},
		{"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/1.2.3.4 Safari/537.36", "Googlebot"},
		{"Mozilla/5.0 (compatible; 123)", "Mozilla"},
		{"*", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ProductToken(tt.ua); got != tt.want {
			t.Errorf("ProductToken(%q) = %q, want %q", tt.ua, got, tt.want)
		}
	}
}

func TestNil(t *testing.T) {
	var r *Robots
	if !r.Allowed("FooBot", "/x") || r.Sitemaps() != nil {
		t.Error("nil Robots should allow everything")
	}
	var g *Group
	if _, ok := g.CrawlDelay(); !g.Allowed("/x") || ok {
		t.Error("nil Group should allow everything")
	}
	if AllowAll().Group("FooBot") == nil {
		t.Error("Group returned nil")
	}
}

func TestAllowedDoesNotAllocate(t *testing.T) {
	r := Parse([]byte(benchRobots))
	g := r.Group("ScouterBot")
	for _, p := range benchPaths {
		if n := testing.AllocsPerRun(100, func() { g.Allowed(p) }); n != 0 {
			t.Errorf("Group.Allowed(%q) allocates %v times", p, n)
		}
		if n := testing.AllocsPerRun(100, func() { r.Allowed("Mozilla/5.0 (compatible; ScouterBot/1.0)", p) }); n != 0 {
			t.Errorf("Robots.Allowed(%q) allocates %v times", p, n)
		}
	}
}
