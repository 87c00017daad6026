package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
)

// StatusError reports a response whose status code the caller treats as a
// failure. Client.Get never returns it (it hands back every response, 3xx and
// 4xx included); callers build it when they decide a status is an error, so
// that Retryable and DefaultRetryPolicy can classify it.
type StatusError struct {
	URL  string // the requested URL; Error redacts it
	Code int    // the HTTP status code
}

// Error implements error.
func (e *StatusError) Error() string {
	text := http.StatusText(e.Code)
	if text == "" {
		return fmt.Sprintf("fetch: %s: status %d", Redact(e.URL), e.Code)
	}
	return fmt.Sprintf("fetch: %s: status %d %s", Redact(e.URL), e.Code, strings.ToLower(text))
}

// PolicyError reports a connection refused by the address policy before any
// packet was sent: the host resolved to a loopback, private, link-local or
// otherwise internal address that is not in Config.AllowHosts.
type PolicyError struct {
	URL    string // the requested URL (empty when the dial was not tied to a request)
	Host   string // the host name being dialed, as written in the URL or proxy setting
	IP     string // the refused address
	Reason string // what the address is, e.g. "loopback" or "private"
}

// Error implements error.
func (e *PolicyError) Error() string {
	what := e.Host
	if e.URL != "" {
		what = Redact(e.URL)
	}
	if e.IP != "" && e.IP != e.Host {
		return fmt.Sprintf("fetch: %s: refused to connect to %s address %s of %s", what, e.Reason, e.IP, e.Host)
	}
	return fmt.Sprintf("fetch: %s: refused to connect to %s address %s", what, e.Reason, e.Host)
}

// TooLargeError reports a body over the caller's size cap: either the
// declared Content-Length exceeded it (Declared > Limit, nothing was read)
// or more than Limit bytes arrived (Declared is the Content-Length, or -1
// when the length was not declared).
type TooLargeError struct {
	URL      string
	Limit    int64
	Declared int64
}

// Error implements error.
func (e *TooLargeError) Error() string {
	if e.Declared > e.Limit {
		return fmt.Sprintf("fetch: %s: declared body of %d bytes exceeds the %d-byte limit", Redact(e.URL), e.Declared, e.Limit)
	}
	return fmt.Sprintf("fetch: %s: body exceeds the %d-byte limit", Redact(e.URL), e.Limit)
}

// Phases of a request, as reported by TimeoutError.Phase.
const (
	PhaseConnect = "connect" // DNS, TCP connect, proxy handshake and TLS handshake
	PhaseHeader  = "header"  // from sending the request to the response headers
	PhaseBody    = "body"    // no body bytes arrived for Config.IdleTimeout
)

// TimeoutError reports that one phase of a request took longer than its
// Config timeout. It is not returned when the caller's context expires:
// that error wraps context.DeadlineExceeded instead.
type TimeoutError struct {
	URL   string
	Phase string // PhaseConnect, PhaseHeader or PhaseBody
}

// Error implements error.
func (e *TimeoutError) Error() string {
	if e.URL == "" {
		return fmt.Sprintf("fetch: %s timeout", e.Phase)
	}
	return fmt.Sprintf("fetch: %s: %s timeout", Redact(e.URL), e.Phase)
}

// Timeout reports true, for code that asks errors whether they are
// timeouts through a Timeout() bool method.
func (e *TimeoutError) Timeout() bool { return true }

// ShortBodyError reports a body that ended early: fewer bytes than the
// Content-Length, or a chunked or compressed stream cut off. It wraps
// io.ErrUnexpectedEOF.
type ShortBodyError struct {
	URL  string
	Got  int64 // bytes delivered to the reader
	Want int64 // the declared Content-Length, or -1 when not declared
}

// Error implements error.
func (e *ShortBodyError) Error() string {
	if e.Want < 0 {
		return fmt.Sprintf("fetch: %s: body cut off after %d bytes", Redact(e.URL), e.Got)
	}
	return fmt.Sprintf("fetch: %s: body cut off after %d of %d bytes", Redact(e.URL), e.Got, e.Want)
}

// Unwrap returns io.ErrUnexpectedEOF.
func (e *ShortBodyError) Unwrap() error { return io.ErrUnexpectedEOF }

// Redact returns rawURL without its user information, so that
// "http://user:pass@host/" becomes "http://host/". A string that does not
// parse as a URL is still stripped of anything that looks like userinfo.
func Redact(rawURL string) string {
	if !strings.Contains(rawURL, "@") {
		return rawURL
	}
	if u, err := url.Parse(rawURL); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	} else if err == nil && u.Opaque == "" {
		return rawURL // an "@" in the path or query, no userinfo
	}
	// Unparseable: drop everything between "//" and the last "@" of the authority.
	start := strings.Index(rawURL, "//")
	if start < 0 {
		return rawURL
	}
	start += 2
	end := len(rawURL)
	if i := strings.IndexAny(rawURL[start:], "/?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndex(rawURL[start:end], "@")
	if at < 0 {
		return rawURL
	}
	return rawURL[:start] + rawURL[start+at+1:]
}

// errorsRetryableStatus reports whether a response status is worth retrying:
// 408, 429, 500, 502, 503 and 504. 501 Not Implemented and other codes are not.
func errorsRetryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// Retryable reports whether the failure err is likely to go away if the same
// request is tried again later. Timeouts, refused or reset connections,
// connections closed early, bodies cut short and *StatusError with 408, 429,
// 500, 502, 503 or 504 are retryable. Policy refusals, size caps, other status
// codes (501 included), TLS and DNS "no such host" failures, a host that
// Reach gave up (*UnreachableError with GaveUp) and cancellation of the
// caller's context are not.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var (
		pe *PolicyError
		tl *TooLargeError
		se *StatusError
		te *TimeoutError
		sb *ShortBodyError
		ue *UnreachableError
	)
	switch {
	case errors.As(err, &pe), errors.As(err, &tl):
		return false
	case errors.As(err, &ue):
		return !ue.GaveUp
	case errors.As(err, &se):
		return errorsRetryableStatus(se.Code)
	case errors.As(err, &te), errors.As(err, &sb):
		return true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ETIMEDOUT):
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTimeout || dns.IsTemporary
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
