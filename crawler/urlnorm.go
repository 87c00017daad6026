package crawler

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	wurlerr "github.com/nlnwa/whatwg-url/errors"
	wurl "github.com/nlnwa/whatwg-url/url"
)

// urlnormParser is the WHATWG parser shared by Normalize, Resolve and
// Extract. It holds only its options, is never mutated after creation and is
// safe for concurrent use. It uses the library's default profile on purpose:
// the canonicalizer's Semantic profile applies its own IDNA rules, which
// disagree with browsers.
var urlnormParser = wurl.NewParser()

// urlnormMaxErrInput caps how much of a rejected input an error message
// quotes; data: URIs and garbage can be megabytes long.
const urlnormMaxErrInput = 120

// Normalize parses raw as an absolute URL with the WHATWG URL Standard's
// rules (the way a browser's address bar and fetch() parse it) and returns
// its normalized form. Only http and https URLs are accepted; any other
// scheme (mailto:, javascript:, data:, ftp:, ...) and relative references are
// an error.
//
// The normalized form is what the crawler uses as a URL's identity:
//
//   - scheme and host are lowercase; internationalized hosts are punycode
//     and numeric IPv4 hosts (0x7f.1, 2130706433) are dotted decimal;
//   - the default port (80 for http, 443 for https) and the fragment are
//     dropped, and an empty path becomes "/";
//   - "." and ".." path segments are resolved;
//   - percent-escapes of unreserved characters (ALPHA DIGIT - . _ ~) are
//     decoded, all other escapes use uppercase hex (%2f becomes %2F and keeps
//     its meaning), and a "%" that does not start an escape becomes "%25";
//   - characters net/url would escape itself (such as "|" and "^" in the
//     path or "{" in the query) are percent-encoded;
//   - empty query parameters ("?&a=1&") and an empty query ("?") are
//     dropped, and the remaining parameters are sorted by key with a stable
//     sort, so that parameters with the same key keep their relative order
//     (?b=2&a=1&a=0 becomes ?a=1&a=0&b=2): for repeated keys the order is
//     often meaningful to the server;
//   - user information is kept.
//
// The returned URL's String method yields exactly the normalized form, and
// normalizing that string again yields the same string. A URL that cannot be
// represented that way by net/url (for example a host containing "{") is an
// error. Errors never quote a password. Normalize is safe for concurrent use.
func Normalize(raw string) (*url.URL, error) {
	if strings.HasPrefix(raw, "http://") || strings.HasPrefix(raw, "https://") {
		// An absolute reference ignores the base it is resolved against.
		if u, ok := urlnormResolveFast(urlnormAnyBase, raw); ok {
			return u, nil
		}
	}
	return urlnormNormalize(raw)
}

// urlnormNormalize is Normalize without its fast path.
func urlnormNormalize(raw string) (*url.URL, error) {
	if err := urlnormCheckScheme(raw); err != nil {
		return nil, err
	}
	w, err := urlnormParser.Parse(raw)
	if err != nil {
		return nil, urlnormParseError("parse url", raw, err)
	}
	return urlnormFinish(raw, w)
}

// Resolve resolves the reference ref against base as a browser resolves an
// href attribute (WHATWG rules: "\img\a.png" means "/img/a.png", tabs and
// newlines inside the reference are removed, surrounding spaces ignored,
// "//host/x" takes base's scheme) and returns the normalized result,
// following the same rules and errors as Normalize. A nil base makes Resolve
// behave like Normalize(ref); base is not modified. Resolve is safe for
// concurrent use.
func Resolve(base *url.URL, ref string) (*url.URL, error) {
	if base == nil {
		return Normalize(ref)
	}
	if urlnormFastBase(base) {
		if u, ok := urlnormResolveFast(base, ref); ok {
			return u, nil
		}
	}
	wb, err := urlnormParser.Parse(base.String())
	if err != nil {
		return nil, urlnormParseError("parse base url", base.String(), err)
	}
	return urlnormResolve(wb, ref)
}

// urlnormResolve resolves ref against an already parsed WHATWG base (nil
// means no base) and normalizes the result.
func urlnormResolve(wb *wurl.Url, ref string) (*url.URL, error) {
	if wb == nil {
		return urlnormNormalize(ref)
	}
	if err := urlnormCheckScheme(ref); err != nil {
		return nil, err
	}
	w, err := wb.Parse(ref)
	if err != nil {
		return nil, urlnormParseError("resolve url", ref, err)
	}
	return urlnormFinish(ref, w)
}

// urlnormResolver resolves references against one base URL (nil means
// none) like Resolve, but parses the base with the WHATWG parser only once,
// and only when a reference needs the slow path. The zero value has no base.
// It is not safe for concurrent use.
type urlnormResolver struct {
	base   *url.URL
	fast   bool      // urlnormFastBase(base)
	parsed bool      // wb is set
	wb     *wurl.Url // base as parsed by the WHATWG parser, nil if it fails
}

func newUrlnormResolver(base *url.URL) urlnormResolver {
	return urlnormResolver{base: base, fast: base != nil && urlnormFastBase(base)}
}

func (r *urlnormResolver) resolve(ref string) (*url.URL, error) {
	if r.fast {
		if u, ok := urlnormResolveFast(r.base, ref); ok {
			return u, nil
		}
	}
	// urlnormResolve checks this first too; checking it before parsing the
	// base spares that for pages whose only other references are data: or
	// mailto: URLs.
	if err := urlnormCheckScheme(ref); err != nil {
		return nil, err
	}
	if !r.parsed {
		r.parsed = true
		if r.base != nil {
			r.wb, _ = urlnormParser.Parse(r.base.String())
		}
	}
	return urlnormResolve(r.wb, ref)
}

// urlnormError is a parse error whose message quotes the input with its
// password redacted. The WHATWG library's own error, which it unwraps to,
// repeats the input verbatim, so its text is not used.
type urlnormError struct {
	msg string
	err error
}

func (e *urlnormError) Error() string { return e.msg }
func (e *urlnormError) Unwrap() error { return e.err }

func urlnormParseError(op, input string, err error) error {
	reason := string(wurlerr.Type(err))
	if reason == "" {
		reason = "invalid url"
	} else {
		reason = strings.ToLower(reason[:1]) + reason[1:]
	}
	return &urlnormError{
		msg: fmt.Sprintf("crawler: %s %q: %s", op, urlnormRedact(input), reason),
		err: err,
	}
}

// urlnormErrScheme is wrapped by the error for a scheme other than http(s).
var urlnormErrScheme = errors.New("unsupported scheme")

// urlnormCheckScheme rejects, without running the full parser, input whose
// explicit scheme is not http or https. Skipping the parser matters for
// data: URIs, which can be very long. Input without a scheme passes.
func urlnormCheckScheme(s string) error {
	scheme, ok := urlnormScheme(s)
	if !ok || strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https") {
		return nil
	}
	return fmt.Errorf("crawler: url %q: %w %q", urlnormRedact(s), urlnormErrScheme, strings.ToLower(scheme))
}

// urlnormScheme returns the scheme of s the way the WHATWG parser finds it:
// tabs and newlines are ignored, leading C0 controls and spaces skipped, and
// the scheme is an ASCII letter followed by letters, digits, "+", "-" or "."
// up to a ":".
func urlnormScheme(s string) (string, bool) {
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
	scheme = strings.TrimLeft(scheme, urlnormC0OrSpace)
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", false
		}
	}
	return scheme, scheme != ""
}

const urlnormC0OrSpace = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f" +
	"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "

// urlnormFinish turns a parsed WHATWG URL into the normalized *url.URL.
// raw is the caller's input, used only in error messages.
func urlnormFinish(raw string, w *wurl.Url) (*url.URL, error) {
	scheme := w.Scheme()
	if scheme != "http" && scheme != "https" {
		return nil, fmt.Errorf("crawler: url %q: %w %q", urlnormRedact(raw), urlnormErrScheme, scheme)
	}
	host := strings.ToLower(w.Hostname())
	if !urlnormValidHost(host) {
		return nil, fmt.Errorf("crawler: url %q: invalid host %q", urlnormRedact(raw), host)
	}
	path, query := w.Pathname(), w.Query()

	var b strings.Builder
	b.Grow(len(scheme) + 3 + len(host) + 6 + len(path) + len(query) + 8)
	b.WriteString(scheme)
	b.WriteString("://")
	if user, pass := w.Username(), w.Password(); user != "" || pass != "" {
		ui := url.User(urlnormUnescape(user))
		if pass != "" {
			ui = url.UserPassword(urlnormUnescape(user), urlnormUnescape(pass))
		}
		b.WriteString(ui.String())
		b.WriteByte('@')
	}
	b.WriteString(host)
	if port := w.Port(); port != "" {
		b.WriteByte(':')
		b.WriteString(port)
	}
	if path == "" {
		b.WriteByte('/')
	}
	urlnormEscapes(&b, path, &urlnormPathRaw)
	urlnormWriteQuery(&b, query)

	s := b.String()
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("crawler: url %q: not representable: %w", urlnormRedact(raw), err)
	}
	if u.String() != s {
		return nil, fmt.Errorf("crawler: url %q: not representable: net/url changes it", urlnormRedact(raw))
	}
	return u, nil
}

// urlnormValidHost accepts what the WHATWG parser yields for real hosts:
// a bracketed IPv6 address, or labels of lowercase ASCII letters, digits,
// "-" and "_" separated by dots, within DNS length limits (63 bytes a label,
// 253 in all plus a trailing dot). Anything else cannot be looked up: the
// parser lets through "{", "*" and "!", and Unicode labels whose punycode is
// too long, which it then rejects when given back their ASCII form.
func urlnormValidHost(h string) bool {
	if h == "" {
		return false
	}
	if h[0] == '[' {
		if len(h) < 3 || h[len(h)-1] != ']' {
			return false
		}
		for i := 1; i < len(h)-1; i++ {
			c := h[i]
			if !(c == ':' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
		return true
	}
	if len(h) > 254 {
		return false
	}
	label := 0
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c == '.':
			label = 0
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_':
			if label++; label > 63 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// urlnormMakeSet returns the set of bytes a component may hold unescaped:
// the unreserved characters and extra.
func urlnormMakeSet(extra string) (set [256]bool) {
	for c := range set {
		set[c] = urlnormIsUnreserved(byte(c)) || strings.IndexByte(extra, byte(c)) >= 0
	}
	return set
}

var (
	// RFC 3986 pchar and "/" for paths, query characters for queries, both
	// with "[" and "]", which net/url accepts raw and browsers send raw.
	urlnormPathRaw  = urlnormMakeSet("!$&'()*+,;=:@/[]")
	urlnormQueryRaw = urlnormMakeSet("!$&'()*+,;=:@/?[]")
)

func urlnormIsUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func urlnormUnhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

const urlnormHex = "0123456789ABCDEF"

// urlnormEscapes writes s to b with its percent-escapes normalized: escapes
// of unreserved characters decoded, others in uppercase hex, a stray "%"
// written as "%25", and bytes outside raw escaped.
func urlnormEscapes(b *strings.Builder, s string, raw *[256]bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 < len(s) {
				hi, ok1 := urlnormUnhex(s[i+1])
				lo, ok2 := urlnormUnhex(s[i+2])
				if ok1 && ok2 {
					if v := hi<<4 | lo; urlnormIsUnreserved(v) {
						b.WriteByte(v)
					} else {
						b.WriteByte('%')
						b.WriteByte(urlnormHex[hi])
						b.WriteByte(urlnormHex[lo])
					}
					i += 2
					continue
				}
			}
			b.WriteString("%25")
			continue
		}
		if raw[c] {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(urlnormHex[c>>4])
		b.WriteByte(urlnormHex[c&15])
	}
}

// urlnormWriteQuery writes "?" and the normalized, sorted query q to b, or
// nothing when q has no non-empty parameter.
func urlnormWriteQuery(b *strings.Builder, q string) {
	if q == "" {
		return
	}
	var sb strings.Builder
	sb.Grow(len(q) + 8)
	urlnormEscapes(&sb, q, &urlnormQueryRaw)
	norm := sb.String()

	params := strings.Split(norm, "&")
	params = slices.DeleteFunc(params, func(p string) bool { return p == "" })
	if len(params) == 0 {
		return
	}
	slices.SortStableFunc(params, func(x, y string) int {
		kx, _, _ := strings.Cut(x, "=")
		ky, _, _ := strings.Cut(y, "=")
		return strings.Compare(kx, ky)
	})
	b.WriteByte('?')
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p)
	}
}

// urlnormUnescape decodes the valid percent-escapes of s and leaves a "%"
// that does not start one as it is.
func urlnormUnescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := urlnormUnhex(s[i+1])
			lo, ok2 := urlnormUnhex(s[i+2])
			if ok1 && ok2 {
				out = append(out, hi<<4|lo)
				i += 2
				continue
			}
		}
		out = append(out, s[i])
	}
	return string(out)
}

// urlnormRedact prepares untrusted URL text for an error message: a password
// in the authority is replaced by "xxxxx" and long input is cut short.
func urlnormRedact(s string) string {
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
	if len(s) > urlnormMaxErrInput {
		s = strings.ToValidUTF8(s[:urlnormMaxErrInput], "") + "..."
	}
	return s
}
