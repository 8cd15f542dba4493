package testsite

import (
	"encoding/json"
	"net/url"
	"strings"
	"unicode"

	"golang.org/x/net/html"

	"github.com/scouter-seo/scouter/internal/urlnorm"
)

// oracle re-reads a served page with golang.org/x/net/html's tree builder
// (not the crawler's streaming extractor) so that the hand-written truth
// is checked against the bytes actually served. It is deliberately naive:
// the audit pages are well-formed and avoid every case where a naive
// reading and the crawler's rules could disagree (inline elements joining
// words, text in the head, nested JSON-LD types).
type oracle struct {
	Page
	metaBot []string // <meta name="googlebot"> contents
	links   []Link

	titles, descriptions int      // <title> and meta description elements
	missingAlt           []string // resolved src of each <img> without alt
}

func readPage(pageURL string, body []byte) (*oracle, error) {
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, err
	}
	o := &oracle{}
	var robots []string
	var text strings.Builder
	seenHTML, seenTitle, seenDesc, seenCanon := false, false, false, false
	types := map[string]bool{}

	resolve := func(ref string) (string, bool) {
		u, err := urlnorm.Resolve(base, ref)
		if err != nil {
			return "", false
		}
		return u.String(), true
	}
	addLink := func(to, kind, text string, nofollow bool) {
		o.links = append(o.links, Link{From: pageURL, To: to, Kind: kind, Text: text, Nofollow: nofollow, Internal: isInternal(to)})
		if kind == KindAnchor {
			if isInternal(to) {
				o.InternalOutlinks++
			} else {
				o.ExternalOutlinks++
			}
		}
	}

	var walk func(n *html.Node, inBody bool)
	walk = func(n *html.Node, inBody bool) {
		if n.Type == html.TextNode {
			if inBody {
				text.WriteString(n.Data)
			}
			return
		}
		if n.Type == html.ElementNode {
			text.WriteByte(' ') // every element boundary separates words here
			switch n.Data {
			case "html":
				if v, ok := attr(n, "lang"); ok && !seenHTML {
					o.Lang = v
				}
				seenHTML = true
			case "body":
				inBody = true
			case "title":
				o.titles++
				if !seenTitle {
					seenTitle = true
					o.Title = collapse(textOf(n))
				}
				return
			case "script":
				if t, _ := attr(n, "type"); t == "application/ld+json" {
					var v struct {
						Type string `json:"@type"`
					}
					if json.Unmarshal([]byte(textOf(n)), &v) == nil && v.Type != "" && !types[v.Type] {
						types[v.Type] = true
						o.JSONLDTypes = append(o.JSONLDTypes, v.Type)
					}
				}
				return
			case "style", "noscript", "template":
				return
			case "meta":
				name, _ := attr(n, "name")
				content, _ := attr(n, "content")
				switch strings.ToLower(name) {
				case "description":
					o.descriptions++
					if !seenDesc {
						seenDesc = true
						o.Description = collapse(content)
					}
				case "robots":
					robots = append(robots, strings.TrimSpace(content))
				case "googlebot":
					o.metaBot = append(o.metaBot, strings.TrimSpace(content))
				}
			case "link":
				rel, _ := attr(n, "rel")
				href, _ := attr(n, "href")
				to, ok := resolve(href)
				switch {
				case !ok:
				case hasToken(rel, "canonical"):
					if !seenCanon {
						seenCanon = true
						o.Canonical = to
					}
					addLink(to, KindCanonical, "", false)
				case hasToken(rel, "alternate"):
					if lang, ok := attr(n, "hreflang"); ok {
						o.Hreflang = append(o.Hreflang, Hreflang{Lang: lang, URL: to})
						addLink(to, KindHreflang, lang, false)
					}
				}
			case "a":
				if href, ok := attr(n, "href"); ok {
					if to, ok := resolve(href); ok {
						t := collapse(textOf(n))
						if t == "" {
							t = firstAlt(n)
						}
						rel, _ := attr(n, "rel")
						addLink(to, KindAnchor, t, hasToken(rel, "nofollow"))
					}
				}
			case "img":
				o.ImageCount++
				a, hasAlt := attr(n, "alt")
				if !hasAlt {
					o.ImagesMissingAlt++
				}
				if src, ok := attr(n, "src"); ok {
					if to, ok := resolve(src); ok {
						addLink(to, KindImage, a, false)
						if !hasAlt {
							o.missingAlt = append(o.missingAlt, to)
						}
					}
				}
			case "h1":
				if o.H1Count == 0 {
					o.H1 = collapse(textOf(n))
				}
				o.H1Count++
			case "h2":
				o.H2Count++
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inBody)
		}
		if n.Type == html.ElementNode {
			text.WriteByte(' ')
		}
	}
	walk(doc, false)
	o.MetaRobots = strings.Join(robots, ", ")
	o.WordCount = countWords(text.String())
	return o, nil
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(strings.ToLower(list)) {
		if f == tok {
			return true
		}
	}
	return false
}

// textOf is the text content of n, with element boundaries as spaces.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func firstAlt(n *html.Node) string {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "img" {
			if a, ok := attr(c, "alt"); ok {
				return collapse(a)
			}
		}
		if a := firstAlt(c); a != "" {
			return a
		}
	}
	return ""
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// countWords counts runs of letters and digits; an apostrophe between two
// letters or digits does not end a word.
func countWords(s string) int {
	rs := []rune(s)
	isW := func(i int) bool { return i >= 0 && i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i])) }
	n, in := 0, false
	for i := range rs {
		switch {
		case isW(i):
			if !in {
				n++
			}
			in = true
		case (rs[i] == '\'' || rs[i] == '\u2019') && in && isW(i+1):
		default:
			in = false
		}
	}
	return n
}

// latin1ToUTF8 decodes ISO-8859-1, where every byte is the code point.
func latin1ToUTF8(b []byte) []byte {
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return []byte(string(rs))
}
