package testsite

import (
	"net/url"
	"sort"
	"strings"
)

// NormalizeTarget returns the normalized form of a request target (path plus
// optional query, as sent on the wire) used as the key of Requests, Expected
// and ExpectedPages:
//
//   - a fragment, if any, is dropped (it never reaches a server);
//   - percent-escapes of unreserved characters (ALPHA DIGIT - . _ ~) are
//     decoded and every other escape is written with upper-case hex;
//   - control characters, spaces and non-ASCII bytes are percent-encoded;
//   - query parameters are sorted and empty ones dropped, so "?b=2&a=1"
//     and "?a=1&b=2" are the same key, and an empty query is removed;
//   - an empty path becomes "/".
//
// NormalizeTarget is idempotent and never fails: malformed escapes are kept
// (as "%25" for a lone "%").
func NormalizeTarget(target string) string {
	if i := strings.IndexByte(target, '#'); i >= 0 {
		target = target[:i]
	}
	path, query, hasQuery := strings.Cut(target, "?")
	path = normEscapes(path)
	if path == "" || path[0] != '/' {
		path = "/" + path
	}
	if !hasQuery {
		return path
	}
	parts := strings.Split(query, "&")
	kept := parts[:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, normEscapes(p))
		}
	}
	if len(kept) == 0 {
		return path
	}
	sort.Strings(kept)
	return path + "?" + strings.Join(kept, "&")
}

// normEscapes applies the escape rules of NormalizeTarget to one component.
func normEscapes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				v := unhex(s[i+1])<<4 | unhex(s[i+2])
				if isUnreserved(v) {
					b.WriteByte(v)
				} else {
					writeEscape(&b, v)
				}
				i += 2
				continue
			}
			writeEscape(&b, '%')
			continue
		}
		if c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '`' {
			writeEscape(&b, c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func writeEscape(b *strings.Builder, v byte) {
	const hexDigits = "0123456789ABCDEF"
	b.WriteByte('%')
	b.WriteByte(hexDigits[v>>4])
	b.WriteByte(hexDigits[v&15])
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// lookupKey is the key under which the site finds a resource: the decoded
// path and the query re-encoded by url.Values (sorted keys, every value
// escaped), so that equivalent spellings of a URL ("?id=7,8" and "?id=7%2C8")
// reach the same resource. ok is false when the query does not parse.
func lookupKey(path, rawQuery string) (key string, ok bool) {
	if rawQuery == "" {
		return path, true
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", false
	}
	enc := q.Encode()
	if enc == "" {
		return path, true
	}
	return path + "?" + enc, true
}

// declaredKeys returns the normalized key and the lookup key of a path the
// site declares in its own source form (e.g. "/img/café.png" or
// "/p/list?b=2&a=1").
func declaredKeys(declared string) (norm, lookup string) {
	u, err := url.Parse(declared)
	if err != nil {
		panic("testsite: bad declared path " + declared)
	}
	lookup, ok := lookupKey(u.Path, u.RawQuery)
	if !ok {
		panic("testsite: bad declared query " + declared)
	}
	return NormalizeTarget(u.RequestURI()), lookup
}
