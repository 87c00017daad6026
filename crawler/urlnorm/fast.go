package urlnorm

import (
	"net/url"
	"strings"
)

// The fast path of Normalize, Resolve and Resolver: the common simple
// references are resolved and normalized without the WHATWG parser, to
// exactly the result the parser gives (FuzzResolveFastPath and
// FuzzNormalizeFastPath compare the two).

// anyBase is a base fastBase accepts, for absolute references.
var anyBase = &url.URL{Scheme: "http", Host: "example.com", Path: "/"}

// fastRaw is the set of bytes that resolveFast accepts in a
// path or query: those that the WHATWG parser does not percent-encode in
// either, that writeEscapes leaves as they are, and that net/url neither
// escapes in a path (so RawPath stays empty) nor changes in a query.
var fastRaw = makeSet("/$&+,;=:@")

// resolveFast resolves the common simple references without the
// WHATWG parser. base must satisfy fastBase. When ok is true, u is
// equal (reflect.DeepEqual) to what resolveWHATWG returns for ref and base
// parsed by the WHATWG parser, and that does not fail; when ok is false the
// caller must use that slow path.
//
// The fast path accepts a reference made of
//
//   - an optional start: "http://" or "https://" or "//" followed by a
//     host and port that fastHost accepts, which WHATWG parsing keeps
//     as it is;
//   - a path: absolute ("/a/b"), relative to the base's directory ("a/b",
//     with no ":" in its first segment, which could start a scheme), or
//     empty before a query ("?q" keeps the base's path);
//   - an optional query, "?" and bytes of fastRaw;
//   - an optional fragment, "#" and any bytes: it is dropped.
//
// The path holds only bytes of fastRaw and no "." or ".." segment,
// so WHATWG parsing copies it, the result's String has no escape, and
// url.Parse of that string yields Path equal to it and an empty RawPath.
// The query is normalized by writeQuery as in finish. A
// reference that is empty, starts with "#" (it would keep the base's query)
// or has any other byte (whitespace, controls, "\", "%", non-ASCII ...)
// takes the slow path.
func resolveFast(base *url.URL, ref string) (u *url.URL, ok bool) {
	if ref == "" || ref[0] == '#' {
		return nil, false
	}
	ref, _, _ = strings.Cut(ref, "#")
	path, query, _ := strings.Cut(ref, "?")
	scheme, host, dir := base.Scheme, base.Host, ""
	authority, hasAuthority := "", true
	switch {
	case strings.HasPrefix(path, "//"):
		authority = path[2:]
	case strings.HasPrefix(path, "http://"):
		scheme, authority = "http", path[7:]
	case strings.HasPrefix(path, "https://"):
		scheme, authority = "https", path[8:]
	default:
		hasAuthority = false
	}
	switch {
	case hasAuthority:
		host, path = authority, "/"
		if i := strings.IndexByte(authority, '/'); i >= 0 {
			host, path = authority[:i], authority[i:]
		}
		if !fastHost(host, scheme) {
			return nil, false
		}
	case path == "": // "?q"
		dir = base.Path
	case path[0] != '/':
		if seg, _, _ := strings.Cut(path, "/"); strings.IndexByte(seg, ':') >= 0 {
			return nil, false
		}
		dir = base.Path[:strings.LastIndexByte(base.Path, '/')+1]
	}
	if !fastPath(path) || !fastBytes(query) {
		return nil, false
	}
	u = &url.URL{Scheme: scheme, Host: host, Path: dir + path, RawQuery: query}
	if query != "" && !querySorted(query) {
		var b strings.Builder
		writeQuery(&b, query)
		u.RawQuery = strings.TrimPrefix(b.String(), "?")
	}
	return u, true
}

// querySorted reports whether writeQuery leaves the
// non-empty query q, which has no escapes, as it is: q has no empty
// parameter and its keys are in order (a stable sort keeps sorted input).
func querySorted(q string) bool {
	prev := ""
	for p := range strings.SplitSeq(q, "&") {
		key, _, _ := strings.Cut(p, "=")
		if p == "" || key < prev {
			return false
		}
		prev = key
	}
	return true
}

// fastBase reports whether resolveFast may resolve against
// base: an http(s) URL without user information whose host fastHost
// accepts and whose path starts with "/" and passes fastPath, so that
// the WHATWG parser yields the same scheme, host, port and path for
// base.String(). The query and fragment do not matter: a reference with a
// path replaces both.
func fastBase(base *url.URL) bool {
	return (base.Scheme == "http" || base.Scheme == "https") &&
		base.User == nil && base.Opaque == "" && base.RawPath == "" &&
		strings.HasPrefix(base.Path, "/") && fastPath(base.Path) &&
		fastHost(base.Host, base.Scheme)
}

// fastPath reports whether p has only bytes of fastRaw and
// no "." or ".." segment.
func fastPath(p string) bool {
	if !fastBytes(p) {
		return false
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

func fastBytes(s string) bool {
	for i := 0; i < len(s); i++ {
		if !fastRaw[s[i]] {
			return false
		}
	}
	return true
}

// fastHost reports whether hostport, the host and optional port of
// an http(s) URL with the given scheme, is one the WHATWG parser keeps as it
// is: dot-separated labels of 1 to 63 lowercase ASCII letters, digits and
// "-", at most 253 bytes, none starting with "xn--" (punycode, which IDNA
// validates) and the last starting with a letter (else it may be an IPv4
// number such as "0x7f"), or a dotted-decimal IPv4 address without leading
// zeros; and a port, if any, of digits without a leading zero, at most
// 65535 and not the scheme's default. Such a host also passes
// validHost.
func fastHost(hostport, scheme string) bool {
	host, port, hasPort := strings.Cut(hostport, ":")
	if hasPort {
		n, ok := fastNumber(port, 65535)
		if !ok || n == 0 || scheme == "http" && n == 80 || scheme == "https" && n == 443 {
			return false
		}
	}
	if host == "" || len(host) > 253 {
		return false
	}
	if isDottedQuad(host) {
		return true
	}
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" || last[0] < 'a' || last[0] > 'z' {
		return false
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "xn--") {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// isDottedQuad reports whether h is an IPv4 address in the form the
// WHATWG parser serializes: four decimal numbers up to 255 without leading
// zeros.
func isDottedQuad(h string) bool {
	parts := 0
	for p := range strings.SplitSeq(h, ".") {
		if _, ok := fastNumber(p, 255); !ok {
			return false
		}
		parts++
	}
	return parts == 4
}

// fastNumber parses s as a decimal number up to limit with no
// leading zero (but "0" itself).
func fastNumber(s string, limit int) (int, bool) {
	if s == "" || len(s) > 1 && s[0] == '0' || len(s) > 5 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n <= limit
}
