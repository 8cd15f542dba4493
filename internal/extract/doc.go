// Package extract pulls the SEO-relevant data out of one HTML page in a
// single streaming pass over golang.org/x/net/html's tokenizer (no DOM is
// built), so extraction costs little more than tokenizing: see
// BenchmarkTokenizeOnly and BenchmarkExtract.
//
// Input must already be UTF-8; use DecodeToUTF8 for pages in other
// charsets. Extraction never fails on bad markup: unclosed tags, NUL bytes
// and invalid UTF-8 are tolerated, every stored string is valid UTF-8
// without NUL bytes, text fields are capped in runes and lists in items
// (see Options), so what a Page keeps is bounded however hostile the page.
// The tokenizer itself buffers one whole token (a huge text run or
// attribute), so callers should cap the body size they read.
//
// Lengths are rune counts, never byte counts, so non-Latin titles are not
// penalised.
//
// URLs are returned as written (entities decoded, surrounding whitespace
// trimmed) and not resolved: resolve them with urlnorm.Resolve against
// Page.BaseURL(finalURL), which applies <base href>.
//
// Head versus body follows the HTML parser's rules without building a tree:
// the head ends at <body>, at the first start tag that cannot live in the
// head (<div>, <img>, ...) or at the first non-whitespace text. A <title>,
// <meta> or <link> seen after that point is "outside head", which is also
// where browsers would put it.
//
// The tokenizer treats <noscript> content as text (scripting enabled), so
// tags inside <noscript> are not reported, as in a rendering browser.
// Content of <template>, <svg> and <math> is ignored except for the
// element count, so an SVG icon's <title> is not mistaken for the page
// title. Elements hidden by CSS or the hidden attribute still count as
// visible text.
package extract
