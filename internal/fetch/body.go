package fetch

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// bodyResult is what readBody learned.
type bodyResult struct {
	body      []byte
	buf       *[]byte // body's pooled buffer, nil if not pooled
	wire      int64
	truncated bool
}

// decodeError is a body that claims an encoding it does not follow.
type decodeError struct {
	enc string
	err error
}

func (e *decodeError) Error() string { return "bad " + e.enc + " body: " + e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

// wireReader counts body bytes and stops at limit. At the limit it reads
// one more byte to learn whether the body went on; it never reads further,
// so the caller's Close drops the connection instead of draining it.
type wireReader struct {
	r     io.Reader
	n     int64 // bytes read, including the probe byte
	limit int64
	over  bool  // the body exceeded limit
	err   error // the first error from r other than io.EOF
	done  bool
}

func (w *wireReader) Read(p []byte) (int, error) {
	if w.done {
		return 0, io.EOF
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.n >= w.limit {
		w.done = true
		var b [1]byte
		for {
			n, err := w.r.Read(b[:])
			if n > 0 {
				w.n++
				w.over = true
				return 0, io.EOF
			}
			if err == io.EOF {
				return 0, io.EOF
			}
			if err != nil {
				w.err = err
				return 0, err
			}
		}
	}
	if rest := w.limit - w.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := w.r.Read(p)
	w.n += int64(n)
	if err == io.EOF {
		w.done = true
	} else if err != nil {
		w.err = err
	}
	return n, err
}

// Pools keep steady-state fetching cheap: a flate decompressor carries a
// 32 KiB window plus Huffman tables, and the read buffer grows to the page
// size. A body handed to a caller is a pool buffer too: it returns to the
// pool only when the caller says it is done (Response.Release); otherwise
// the garbage collector takes it as any other slice.
var (
	bufPool   = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}
	brPool    = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 16<<10) }}
	gzipPool  sync.Pool // *gzip.Reader
	flatePool sync.Pool // io.ReadCloser implementing flate.Resetter
	zlibPool  sync.Pool // io.ReadCloser implementing zlib.Resetter
)

// maxPooledBuf keeps one huge page from pinning its buffer in the pool.
const maxPooledBuf = 1 << 20

// readBody reads hr.Body under both caps and decodes gzip and deflate.
func readBody(hr *http.Response, wireCap, decCap int64) (bodyResult, error) {
	encs, known := contentEncodings(hr.Header)
	if !known || len(encs) == 0 {
		return readIdentity(hr, min(wireCap, decCap))
	}

	w := &wireReader{r: hr.Body, limit: wireCap}
	br := brPool.Get().(*bufio.Reader)
	br.Reset(w)
	defer func() {
		br.Reset(nil)
		brPool.Put(br)
	}()
	var res bodyResult
	// An empty body is common on redirects and 304s that still carry
	// Content-Encoding; decoders would call it corrupt.
	if _, err := br.Peek(1); err != nil {
		res.wire = w.n
		if w.err != nil {
			return res, w.err
		}
		return res, nil
	}

	var r io.Reader = br
	var release []func()
	defer func() {
		for _, f := range release {
			f()
		}
	}()
	// Content-Encoding lists codings in the order applied; undo the last first.
	for i := len(encs) - 1; i >= 0; i-- {
		dr, rel, err := newDecoder(encs[i], r)
		if err != nil {
			res.wire = w.n
			if w.over { // the wire cap cut the stream inside its header
				res.truncated = true
				return res, nil
			}
			return res, decodeFailure(w, encs[i], err)
		}
		release = append(release, rel)
		r = dr
	}

	bp := bufPool.Get().(*[]byte)
	buf, over, err := readCapped((*bp)[:0], r, decCap)
	if err != nil && !w.over {
		recycle(bp, buf)
		res.wire = w.n
		return res, decodeFailure(w, strings.Join(encs, ", "), err)
	}
	truncated := over || w.over
	if !truncated {
		// A zlib or deflate stream ends before the body does (chunked
		// framing, stray bytes); meeting the body's EOF lets the
		// connection be reused. Bounded: more than that is not worth it.
		// A body that never ends fails as it would unencoded, like gzip.
		if _, err := io.CopyN(io.Discard, br, 4<<10); err != nil && w.err != nil {
			recycle(bp, buf)
			res.wire = w.n
			return res, w.err
		}
	}
	res.wire = w.n
	*bp = buf
	res.body, res.buf = buf[:min(int64(len(buf)), decCap)], bp
	// A decoder error after the wire cap cut the stream is the cut itself.
	res.truncated = truncated
	return res, nil
}

// decodeFailure tells a transport failure (timeout, reset) met while
// decoding from a body that is not what its Content-Encoding says.
func decodeFailure(w *wireReader, enc string, err error) error {
	if w.err != nil {
		return w.err
	}
	return &decodeError{enc: enc, err: err}
}

// readIdentity reads an unencoded (or unknown-encoded) body.
func readIdentity(hr *http.Response, limit int64) (bodyResult, error) {
	w := &wireReader{r: hr.Body, limit: limit}
	var res bodyResult
	if cl := hr.ContentLength; cl >= 0 {
		// The transport enforces Content-Length, so the body can be read
		// straight into a buffer of the right size, with no copy.
		res.buf = bodyBuf(min(cl, limit))
		res.body = *res.buf
		n, err := io.ReadFull(w, res.body)
		res.body = res.body[:n]
		if err == nil {
			// Meets the body's EOF so the connection can be reused, or at
			// the limit probes for more.
			var one [1]byte
			if n, _ := w.Read(one[:]); n > 0 {
				w.over = true // longer than Content-Length: cannot happen with net/http
			}
		}
		if w.err != nil {
			// Includes a body shorter than Content-Length, which the
			// transport reports as io.ErrUnexpectedEOF.
			return res, w.err
		}
		res.wire, res.truncated = w.n, w.over
		return res, nil
	}
	bp := bufPool.Get().(*[]byte)
	buf, _, err := readCapped((*bp)[:0], w, limit)
	*bp = buf
	res.body, res.buf = buf, bp
	res.wire, res.truncated = w.n, w.over
	return res, err
}

// bodyBuf returns a pooled buffer of length n, or a new one when the
// pool's is smaller.
func bodyBuf(n int64) *[]byte {
	bp := bufPool.Get().(*[]byte)
	if int64(cap(*bp)) < n {
		bufPool.Put(bp)
		b := make([]byte, n, max(n, 64<<10))
		return &b
	}
	*bp = (*bp)[:n]
	return bp
}

// recycle returns a read buffer, possibly regrown as buf, to the pool. Only
// once nothing uses the body in it (Response.Release): the next fetch
// overwrites it.
func recycle(bp *[]byte, buf []byte) {
	if cap(buf) <= maxPooledBuf {
		*bp = buf[:0]
		bufPool.Put(bp)
	}
}

// readCapped appends r's bytes to dst until EOF or until more than limit
// bytes were read, never holding more than limit+1.
func readCapped(dst []byte, r io.Reader, limit int64) ([]byte, bool, error) {
	for {
		if int64(len(dst)) > limit {
			return dst, true, nil
		}
		if len(dst) == cap(dst) {
			c := min(max(2*int64(cap(dst)), 32<<10), limit+1)
			nb := make([]byte, len(dst), c)
			copy(nb, dst)
			dst = nb
		}
		end := min(int64(cap(dst)), limit+1)
		n, err := r.Read(dst[len(dst):end])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, false, nil
		}
		if err != nil {
			return dst, false, err
		}
	}
}

// contentEncodings lists the codings of Content-Encoding, lower-cased and
// without identity. known is false when one of them is not gzip or deflate:
// the body is then returned as it came.
func contentEncodings(h http.Header) (encs []string, known bool) {
	vals := h["Content-Encoding"]
	if len(vals) == 0 {
		return nil, true
	}
	for _, v := range vals {
		for tok := range strings.SplitSeq(v, ",") {
			tok = strings.ToLower(strings.TrimSpace(tok))
			switch tok {
			case "", "identity":
			case "gzip", "x-gzip":
				encs = append(encs, "gzip")
			case "deflate":
				encs = append(encs, "deflate")
			default:
				return nil, false
			}
		}
	}
	return encs, true
}

// newDecoder returns a decoder for enc reading r, and a func returning it
// to its pool.
func newDecoder(enc string, r io.Reader) (io.Reader, func(), error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		// Only stacked encodings get here; too rare to pool.
		br = bufio.NewReader(r)
	}
	switch enc {
	case "gzip":
		z, _ := gzipPool.Get().(*gzip.Reader)
		if z == nil {
			z = new(gzip.Reader)
		}
		if err := z.Reset(br); err != nil {
			gzipPool.Put(z)
			return nil, nil, err
		}
		z.Multistream(false)
		return &gzipMembers{z: z, br: br}, func() { gzipPool.Put(z) }, nil
	case "deflate":
		// "deflate" should be zlib-wrapped (RFC 9110), but some servers
		// send raw deflate, which browsers accept too.
		hdr, _ := br.Peek(2)
		if len(hdr) == 2 && hdr[0]&0x0f == 8 && hdr[0]>>4 <= 7 && (uint16(hdr[0])<<8|uint16(hdr[1]))%31 == 0 {
			if z, _ := zlibPool.Get().(io.ReadCloser); z != nil {
				if err := z.(zlib.Resetter).Reset(br, nil); err != nil {
					zlibPool.Put(z)
					return nil, nil, err
				}
				return z, func() { zlibPool.Put(z) }, nil
			}
			z, err := zlib.NewReader(br)
			if err != nil {
				return nil, nil, err
			}
			return z, func() { zlibPool.Put(z) }, nil
		}
		fr, _ := flatePool.Get().(io.ReadCloser)
		if fr == nil {
			fr = flate.NewReader(br)
		} else if err := fr.(flate.Resetter).Reset(br, nil); err != nil {
			flatePool.Put(fr)
			return nil, nil, err
		}
		return fr, func() { flatePool.Put(fr) }, nil
	}
	return nil, nil, fmt.Errorf("unsupported encoding %q", enc)
}

// gzipMembers reads concatenated gzip members and ignores trailing garbage
// after a complete member, as browsers do; gzip.Reader's own multistream
// mode reports such garbage as an invalid header.
type gzipMembers struct {
	z    *gzip.Reader
	br   *bufio.Reader
	done bool
}

func (g *gzipMembers) Read(p []byte) (int, error) {
	for {
		if g.done {
			return 0, io.EOF
		}
		n, err := g.z.Read(p)
		if err != io.EOF {
			return n, err
		}
		if rerr := g.z.Reset(g.br); rerr != nil {
			g.done = true
			if !errors.Is(rerr, io.EOF) && !errors.Is(rerr, io.ErrUnexpectedEOF) && !errors.Is(rerr, gzip.ErrHeader) {
				return n, rerr // a transport error, not garbage
			}
		} else {
			g.z.Multistream(false)
		}
		if n > 0 || len(p) == 0 {
			return n, nil
		}
	}
}
