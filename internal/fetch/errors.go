package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
)

// Error kinds.
const (
	KindDNS      = "dns"
	KindConnect  = "connect"
	KindTimeout  = "timeout"
	KindTLS      = "tls"
	KindReset    = "reset"
	KindCanceled = "canceled"
	KindProtocol = "protocol"
	KindOther    = "other"
)

// Error is a fetch that produced no complete HTTP response.
type Error struct {
	Kind string // one of the Kind constants
	URL  string
	Err  error // the underlying error
	msg  string
}

// Error returns a compact one-line reason without the URL, such as
// "timeout after 30s", "connection refused" or "dns: no such host".
func (e *Error) Error() string {
	if e.msg != "" {
		return e.msg
	}
	if e.Err != nil {
		return e.Kind + ": " + oneLine(e.Err.Error())
	}
	return e.Kind
}

func (e *Error) Unwrap() error { return e.Err }

var (
	errTimeout        = errors.New("fetch timeout")
	errConnectTimeout = errors.New("connect timeout")
)

// connectTimeoutError marks a dial that ran out of ConnectTimeout, which
// the request context alone cannot tell from other dial failures.
type connectTimeoutError struct{ err error }

func (e *connectTimeoutError) Error() string { return "connect timeout: " + e.err.Error() }
func (e *connectTimeoutError) Unwrap() error { return e.err }

func canceledError(ctx context.Context, u *url.URL) *Error {
	cause := context.Cause(ctx)
	if cause == nil {
		cause = context.Canceled
	}
	msg := "canceled"
	if !errors.Is(cause, context.Canceled) {
		msg = "canceled: " + oneLine(cause.Error())
	}
	return &Error{Kind: KindCanceled, URL: u.String(), Err: cause, msg: msg}
}

// wrapErr classifies err from sending the request (inBody false) or from
// reading the body. ctx is the caller's context, actx the attempt's.
func (f *Fetcher) wrapErr(ctx, actx context.Context, u *url.URL, err error, inBody bool) *Error {
	if ctx.Err() != nil {
		return canceledError(ctx, u)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is reported separately
	}
	e := &Error{URL: u.String(), Err: err}
	if actx.Err() != nil && errors.Is(context.Cause(actx), errTimeout) {
		e.Kind, e.msg = KindTimeout, "timeout after "+f.cfg.Timeout.String()
		return e
	}
	e.Kind, e.msg = classify(err, inBody)
	if e.msg == msgConnectTimeout || e.msg == msgHandshakeTimeout {
		e.msg += " after " + f.cfg.ConnectTimeout.String()
	}
	return e
}

const (
	msgConnectTimeout   = "connect timeout"
	msgHandshakeTimeout = "TLS handshake timeout"
)

// classify maps a transport error to a kind and a short reason.
func classify(err error, inBody bool) (kind, msg string) {
	var cte *connectTimeoutError
	if errors.As(err, &cte) {
		return KindTimeout, msgConnectTimeout
	}
	switch s := err.Error(); {
	case strings.Contains(s, "TLS handshake timeout"):
		return KindTimeout, msgHandshakeTimeout
	case strings.Contains(s, "server gave HTTP response to HTTPS client"):
		// net/http replaces tls.RecordHeaderError with this plain error.
		return KindTLS, "tls: server answered https with plain HTTP"
	}

	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return KindDNS, "dns: no such host"
		case dnsErr.IsTimeout:
			return KindDNS, "dns: timeout"
		}
		return KindDNS, "dns: " + oneLine(dnsErr.Err)
	}

	if k, m, ok := classifyTLS(err); ok {
		return k, m
	}

	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ECONNREFUSED:
			return KindConnect, "connection refused"
		case syscall.ECONNRESET:
			return KindReset, "connection reset by peer"
		case syscall.ECONNABORTED:
			return KindReset, "connection aborted"
		case syscall.EPIPE:
			return KindReset, "broken pipe"
		case syscall.EHOSTUNREACH:
			return KindConnect, "no route to host"
		case syscall.ENETUNREACH:
			return KindConnect, "network unreachable"
		case syscall.ETIMEDOUT:
			return KindTimeout, "connection timed out"
		}
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return KindConnect, "connect: " + oneLine(innermost(err).Error())
	}

	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		if inBody {
			return KindReset, "connection closed before the end of the body"
		}
		return KindReset, "connection closed without a response"
	}
	var de *decodeError
	if errors.As(err, &de) {
		return KindProtocol, oneLine(de.Error())
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return KindTimeout, "timeout"
	}

	s := oneLine(err.Error())
	switch {
	case strings.Contains(s, "stream error"), strings.Contains(s, "GOAWAY"), strings.Contains(s, "connection lost"):
		return KindReset, strings.TrimPrefix(s, "http2: ")
	case strings.Contains(s, "malformed"), strings.Contains(s, "http2:"),
		strings.Contains(s, "response headers exceeded"), strings.Contains(s, "invalid"),
		strings.Contains(s, "unsupported transfer encoding"), strings.Contains(s, "too many"):
		for _, p := range []string{"net/http: ", "HTTP/1.x transport connection broken: ", "net/http: ", "http2: "} {
			s = strings.TrimPrefix(s, p)
		}
		return KindProtocol, "protocol: " + s
	}
	return KindOther, s
}

func classifyTLS(err error) (kind, msg string, ok bool) {
	var (
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidErr  x509.CertificateInvalidError
		recErr      tls.RecordHeaderError
		alert       tls.AlertError
		verifyErr   *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &unknownAuth):
		return KindTLS, "tls: certificate signed by unknown authority", true
	case errors.As(err, &hostErr):
		return KindTLS, "tls: " + strings.TrimPrefix(oneLine(hostErr.Error()), "x509: "), true
	case errors.As(err, &invalidErr):
		return KindTLS, "tls: " + strings.TrimPrefix(oneLine(invalidErr.Error()), "x509: "), true
	case errors.As(err, &recErr):
		return KindTLS, "tls: server did not answer with TLS", true // a non-HTTP, non-TLS peer
	case errors.As(err, &alert):
		return KindTLS, "tls: " + strings.TrimPrefix(alert.Error(), "tls: "), true
	case errors.As(err, &verifyErr):
		return KindTLS, "tls: " + strings.TrimPrefix(oneLine(innermost(verifyErr).Error()), "x509: "), true
	}
	// crypto/tls reports most handshake failures as plain errors.
	if s := innermost(err).Error(); strings.HasPrefix(s, "tls: ") || strings.HasPrefix(s, "x509: ") {
		return KindTLS, "tls: " + strings.TrimPrefix(strings.TrimPrefix(oneLine(s), "tls: "), "x509: "), true
	}
	return "", "", false
}

// innermost unwraps err as far as a single chain goes.
func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// oneLine keeps messages fit for a report cell.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}
