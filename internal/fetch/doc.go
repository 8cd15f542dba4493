// Package fetch is the crawler's HTTP client: one GET per call, bounded in
// time and memory whatever the server does, and polite to every host.
//
// Design choices:
//   - Redirects are returned, never followed: the crawler records every hop
//     (status, Location) and schedules the target itself, through the same
//     robots.txt and politeness checks as any other URL.
//   - Plain http:// speaks HTTP/1.1 and https:// negotiates HTTP/2 by ALPN.
//     A custom dialer or TLS config silently disables h2 in net/http, hence
//     ForceAttemptHTTP2; nothing forces h2, which would break http:// sites.
//   - Decompression is ours (Transport.DisableCompression): the transport's
//     transparent gzip hides wire sizes, skips deflate and has no cap on the
//     decoded size, and a 1 MB gzip body can inflate to a gigabyte. We cap
//     wire bytes and decoded bytes separately, read one byte past a cap only
//     to detect truncation, and close the connection instead of draining an
//     oversized body.
//   - One context deadline covers the whole attempt, body included, so a
//     server trickling a byte a second cannot hold a worker for ever; the
//     dial and TLS handshake have their own shorter ConnectTimeout.
//   - Politeness lives here rather than in the crawler so that no caller can
//     forget it and so that retries of throttled responses obey it too. A
//     request first takes its host's slot and waits out the host's interval
//     or pause, and only then takes a global slot and a global rate token:
//     a slow or paused host must not sit on global slots other hosts could
//     use. A throttled request gives its slots back before it waits.
//   - 429 and 503-with-Retry-After pause the whole host, since the server
//     is asking the crawler, not one request, to slow down. Only failures
//     without any complete HTTP response are errors; throttling that
//     outlasts our patience comes back as a response marked Throttled, so
//     the crawler reports it as throttled and not as a broken page.
//   - Response bodies are freshly allocated and owned by the caller; pooled
//     read buffers and decoders only keep the steady state cheap.
//   - Proxy settings from the environment are ignored: the crawler measures
//     the site (timings, TLS, connection failures), which a proxy would mask.
package fetch
