package urlnorm

import (
	"fmt"
	"net/url"
	"strings"

	wurl "github.com/nlnwa/whatwg-url/url"
)

// parser is the WHATWG parser shared by Normalize, Resolve and
// Resolver. It holds only its options, is never mutated after creation and is
// safe for concurrent use. It uses the library's default profile on purpose:
// the canonicalizer's Semantic profile applies its own IDNA rules, which
// disagree with browsers.
var parser = wurl.NewParser()

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
		if u, ok := resolveFast(anyBase, raw); ok {
			return u, nil
		}
	}
	return normalizeWHATWG(raw)
}

// normalizeWHATWG is Normalize without its fast path.
func normalizeWHATWG(raw string) (*url.URL, error) {
	if err := checkScheme(raw); err != nil {
		return nil, err
	}
	w, err := parser.Parse(raw)
	if err != nil {
		return nil, wrapParseError("parse url", raw, err)
	}
	return finish(raw, w)
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
	if fastBase(base) {
		if u, ok := resolveFast(base, ref); ok {
			return u, nil
		}
	}
	wb, err := parser.Parse(base.String())
	if err != nil {
		return nil, wrapParseError("parse base url", base.String(), err)
	}
	return resolveWHATWG(wb, ref)
}

// resolveWHATWG resolves ref against an already parsed WHATWG base (nil
// means no base) and normalizes the result.
func resolveWHATWG(wb *wurl.Url, ref string) (*url.URL, error) {
	if wb == nil {
		return normalizeWHATWG(ref)
	}
	if err := checkScheme(ref); err != nil {
		return nil, err
	}
	w, err := wb.Parse(ref)
	if err != nil {
		return nil, wrapParseError("resolve url", ref, err)
	}
	return finish(ref, w)
}

// Resolver resolves many references against one base URL, as a page's
// links are resolved against the page. It gives Resolve's results, but
// parses the base with the WHATWG parser only once, and only when a
// reference is not one of the simple forms resolved without the parser. A
// base the parser rejects counts as no base. The zero value has no base and
// resolves like Normalize. A Resolver is not safe for concurrent use.
type Resolver struct {
	base   *url.URL
	fast   bool      // fastBase(base)
	parsed bool      // wb is set
	wb     *wurl.Url // base as parsed by the WHATWG parser, nil if it fails
}

// NewResolver returns a Resolver for base (nil means none). base is not
// modified and must not be modified while the Resolver is in use.
func NewResolver(base *url.URL) Resolver {
	return Resolver{base: base, fast: base != nil && fastBase(base)}
}

// Resolve resolves ref against the Resolver's base as Resolve(base, ref)
// does.
func (r *Resolver) Resolve(ref string) (*url.URL, error) {
	if r.fast {
		if u, ok := resolveFast(r.base, ref); ok {
			return u, nil
		}
	}
	// resolveWHATWG checks this first too; checking it before parsing the
	// base spares that for pages whose only other references are data: or
	// mailto: URLs.
	if err := checkScheme(ref); err != nil {
		return nil, err
	}
	if !r.parsed {
		r.parsed = true
		if r.base != nil {
			r.wb, _ = parser.Parse(r.base.String())
		}
	}
	return resolveWHATWG(r.wb, ref)
}

// finish turns a parsed WHATWG URL into the normalized *url.URL.
// raw is the caller's input, used only in error messages.
func finish(raw string, w *wurl.Url) (*url.URL, error) {
	scheme := w.Scheme()
	if scheme != "http" && scheme != "https" {
		return nil, fmt.Errorf("urlnorm: url %q: %w %q", redact(raw), errScheme, scheme)
	}
	host := strings.ToLower(w.Hostname())
	if !validHost(host) {
		return nil, fmt.Errorf("urlnorm: url %q: invalid host %q", redact(raw), host)
	}
	path, query := w.Pathname(), w.Query()

	var b strings.Builder
	b.Grow(len(scheme) + 3 + len(host) + 6 + len(path) + len(query) + 8)
	b.WriteString(scheme)
	b.WriteString("://")
	if user, pass := w.Username(), w.Password(); user != "" || pass != "" {
		ui := url.User(unescape(user))
		if pass != "" {
			ui = url.UserPassword(unescape(user), unescape(pass))
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
	writeEscapes(&b, path, &pathRaw)
	writeQuery(&b, query)

	s := b.String()
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("urlnorm: url %q: not representable: %w", redact(raw), err)
	}
	if u.String() != s {
		return nil, fmt.Errorf("urlnorm: url %q: not representable: net/url changes it", redact(raw))
	}
	return u, nil
}

// validHost accepts what the WHATWG parser yields for real hosts:
// a bracketed IPv6 address, or labels of lowercase ASCII letters, digits,
// "-" and "_" separated by dots, within DNS length limits (63 bytes a label,
// 253 in all plus a trailing dot). Anything else cannot be looked up: the
// parser lets through "{", "*" and "!", and Unicode labels whose punycode is
// too long, which it then rejects when given back their ASCII form.
func validHost(h string) bool {
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
