package urlnorm

import (
	"slices"
	"strings"

	"github.com/imgcrawl/imgcrawl/internal/hexdigit"
)

// makeSet returns the set of bytes a component may hold unescaped:
// the unreserved characters and extra.
func makeSet(extra string) (set [256]bool) {
	for c := range set {
		set[c] = isUnreserved(byte(c)) || strings.IndexByte(extra, byte(c)) >= 0
	}
	return set
}

var (
	// RFC 3986 pchar and "/" for paths, query characters for queries, both
	// with "[" and "]", which net/url accepts raw and browsers send raw.
	pathRaw  = makeSet("!$&'()*+,;=:@/[]")
	queryRaw = makeSet("!$&'()*+,;=:@/?[]")
)

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// writeEscapes writes s to b with its percent-escapes normalized: escapes
// of unreserved characters decoded, others in uppercase hex, a stray "%"
// written as "%25", and bytes outside raw escaped.
func writeEscapes(b *strings.Builder, s string, raw *[256]bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 < len(s) {
				hi, ok1 := hexdigit.Value(s[i+1])
				lo, ok2 := hexdigit.Value(s[i+2])
				if ok1 && ok2 {
					if v := hi<<4 | lo; isUnreserved(v) {
						b.WriteByte(v)
					} else {
						b.WriteByte('%')
						b.WriteByte(hexdigit.Upper[hi])
						b.WriteByte(hexdigit.Upper[lo])
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
		b.WriteByte(hexdigit.Upper[c>>4])
		b.WriteByte(hexdigit.Upper[c&15])
	}
}

// writeQuery writes "?" and the normalized, sorted query q to b, or
// nothing when q has no non-empty parameter.
func writeQuery(b *strings.Builder, q string) {
	if q == "" {
		return
	}
	var sb strings.Builder
	sb.Grow(len(q) + 8)
	writeEscapes(&sb, q, &queryRaw)
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

// unescape decodes the valid percent-escapes of s and leaves a "%"
// that does not start one as it is.
func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := hexdigit.Value(s[i+1])
			lo, ok2 := hexdigit.Value(s[i+2])
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
