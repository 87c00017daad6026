package urlnorm

import (
	"errors"
	"fmt"
	"strings"

	wurlerr "github.com/nlnwa/whatwg-url/errors"
)

// maxErrInput caps how much of a rejected input an error message
// quotes; data: URIs and garbage can be megabytes long.
const maxErrInput = 120

// parseError is a parse error whose message quotes the input with its
// password redacted. The WHATWG library's own error, which it unwraps to,
// repeats the input verbatim, so its text is not used.
type parseError struct {
	msg string
	err error
}

func (e *parseError) Error() string { return e.msg }
func (e *parseError) Unwrap() error { return e.err }

func wrapParseError(op, input string, err error) error {
	reason := string(wurlerr.Type(err))
	if reason == "" {
		reason = "invalid url"
	} else {
		reason = strings.ToLower(reason[:1]) + reason[1:]
	}
	return &parseError{
		msg: fmt.Sprintf("urlnorm: %s %q: %s", op, redact(input), reason),
		err: err,
	}
}

// errScheme is wrapped by the error for a scheme other than http(s).
var errScheme = errors.New("unsupported scheme")

// checkScheme rejects, without running the full parser, input whose
// explicit scheme is not http or https. Skipping the parser matters for
// data: URIs, which can be very long. Input without a scheme passes.
func checkScheme(s string) error {
	scheme, ok := schemeOf(s)
	if !ok || strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https") {
		return nil
	}
	return fmt.Errorf("urlnorm: url %q: %w %q", redact(s), errScheme, strings.ToLower(scheme))
}

// schemeOf returns the scheme of s the way the WHATWG parser finds it:
// tabs and newlines are ignored, leading C0 controls and spaces skipped, and
// the scheme is an ASCII letter followed by letters, digits, "+", "-" or "."
// up to a ":".
func schemeOf(s string) (string, bool) {
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		return "", false
	}
	scheme := strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s[:colon])
	scheme = strings.TrimLeft(scheme, c0OrSpace)
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", false
		}
	}
	return scheme, scheme != ""
}

const c0OrSpace = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f" +
	"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "

// redact prepares untrusted URL text for an error message: a password
// in the authority is replaced by "xxxxx" and long input is cut short.
func redact(s string) string {
	if i := strings.Index(s, "//"); i >= 0 {
		auth := s[i+2:]
		if end := strings.IndexAny(auth, "/?#\\"); end >= 0 {
			auth = auth[:end]
		}
		if at := strings.LastIndexByte(auth, '@'); at >= 0 {
			if colon := strings.IndexByte(auth[:at], ':'); colon >= 0 {
				s = s[:i+2] + auth[:colon+1] + "xxxxx" + s[i+2+at:]
			}
		}
	}
	if len(s) > maxErrInput {
		s = strings.ToValidUTF8(s[:maxErrInput], "") + "..."
	}
	return s
}
