// Package urlnorm turns the URLs found while crawling into canonical crawl
// keys, so that two spellings of the same resource are fetched once, and
// decides which hosts belong to the crawled site.
//
// Normalisation follows what browsers do (WHATWG URL) where that matters
// for fetching, and RFC 3986 syntax-based normalisation otherwise:
//
//   - surrounding whitespace is trimmed and ASCII tab/CR/LF removed anywhere;
//   - scheme and host are lowercased, IDN hosts converted to punycode,
//     default ports (:80 for http, :443 for https) removed;
//   - the fragment is dropped, dot segments resolved, an empty path becomes "/";
//   - percent-encoding uses uppercase hex, encoded unreserved characters
//     (A-Z a-z 0-9 - . _ ~) are decoded, and characters that may not appear
//     raw in a URL (space, non-ASCII, quotes, ...) are encoded;
//   - path case and query order are kept; an empty trailing "?" is removed;
//   - repeated slashes ("/a//b") and a trailing dot in the host are kept:
//     both can name a different resource;
//   - a '%' not followed by two hex digits becomes "%25" (net/url rejects
//     it, and browsers send it to the server as a literal percent sign);
//   - IPv6 literals are canonicalised; legacy IPv4 spellings such as
//     "0x7f.1" are not rewritten.
//
// Only http and https URLs are accepted; other schemes (mailto:, tel:,
// javascript:, data:, ftp:) return ErrUnsupportedScheme, so callers can
// count them without fetching. All errors wrap the exported Err values.
//
// The output round-trips through net/url unchanged: url.Parse(key).String()
// == key, so the key is also exactly what net/http sends to the server.
package urlnorm
