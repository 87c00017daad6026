package extract

import (
	"strings"
	"unicode/utf8"
)

// cssURLs returns the image references in css, a style sheet or the value of
// a style attribute, in order of appearance: the argument of every url(...)
// (unquoted, or quoted with ' or "), and the strings an image-set() lists
// without url(). CSS escapes are decoded (url(a\)b.png) gives "a)b.png",
// \26 gives "&") and surrounding whitespace is trimmed.
//
// It skips what cannot name an image on the network or is not an image:
// data: URIs, fragment-only references such as url(#clip) (they point into
// the document), the targets of @import and @namespace, and everything inside
// @font-face blocks. Comments are ignored, and a malformed url() or string
// (an unescaped newline, a quote inside an unquoted url) is dropped as a
// browser drops it. The results are not resolved or validated as URLs.
func cssURLs(css string) []string {
	s := cssScanner{src: css}
	s.run()
	return s.out
}

// cssRefs returns the image references in css, as cssURLs does, and the
// targets of its @import rules (a string or a url(), in order of
// appearance, less data: and fragment-only ones).
func cssRefs(css string) (images, imports []string) {
	s := cssScanner{src: css}
	s.run()
	return s.out, s.imports
}

// cssScanner is a small tokenizer after CSS Syntax Level 3, reduced to what
// cssURLs needs: comments, strings, escapes, identifiers, functions,
// at-keywords and brackets.
type cssScanner struct {
	src string
	pos int
	out []string
	// imports holds the targets of @import rules.
	imports []string
	// imageSetDepth holds the parenthesis depths at which image-set()
	// functions were opened; a string at such a depth is an image.
	imageSetDepth []int
	depth         int
}

func (s *cssScanner) run() {
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '/' && strings.HasPrefix(s.src[s.pos:], "/*"):
			s.skipComment()
		case c == '"' || c == '\'':
			s.pos++
			str, ok := s.consumeString(c)
			if ok && len(s.imageSetDepth) > 0 && s.imageSetDepth[len(s.imageSetDepth)-1] == s.depth {
				s.add(str)
			}
		case c == '@':
			s.pos++
			if s.startsIdent() {
				s.atRule(s.consumeName())
			}
		case c == '(':
			s.depth++
			s.pos++
		case c == ')':
			if n := len(s.imageSetDepth); n > 0 && s.imageSetDepth[n-1] == s.depth {
				s.imageSetDepth = s.imageSetDepth[:n-1]
			}
			if s.depth > 0 {
				s.depth--
			}
			s.pos++
		case s.startsIdent():
			name := s.consumeName()
			if s.pos < len(s.src) && s.src[s.pos] == '(' {
				s.pos++
				s.function(name)
			}
		default:
			s.pos++
		}
	}
}

// function handles the start of a function token; s.pos is just after "(".
func (s *cssScanner) function(name string) {
	switch {
	case strings.EqualFold(name, "url"):
		if u, ok := s.consumeURL(); ok {
			s.add(u)
		}
	case strings.EqualFold(name, "image-set") || strings.EqualFold(name, "-webkit-image-set"):
		s.depth++
		s.imageSetDepth = append(s.imageSetDepth, s.depth)
	default:
		s.depth++
	}
}

// atRule reads the target of @import (a style sheet, not an image), skips
// the prelude of @namespace (its url() names a namespace) and the block of
// @font-face (fonts).
func (s *cssScanner) atRule(name string) {
	switch strings.ToLower(name) {
	case "import":
		s.importRule()
		s.skipUntil(';', false)
	case "namespace":
		s.skipUntil(';', false)
	case "font-face":
		s.skipUntil('{', false)
		s.skipUntil('}', true)
	}
}

// skipUntil advances past the first stop byte that is not inside a string,
// comment or (when nested is set) a nested {} block.
func (s *cssScanner) skipUntil(stop byte, nested bool) {
	level := 0
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '/' && strings.HasPrefix(s.src[s.pos:], "/*"):
			s.skipComment()
			continue
		case c == '"' || c == '\'':
			s.pos++
			s.consumeString(c)
			continue
		case c == '\\':
			s.pos++
			if s.pos < len(s.src) {
				_, n := utf8.DecodeRuneInString(s.src[s.pos:])
				s.pos += n
			}
			continue
		case nested && c == '{':
			level++
		case c == stop && level == 0:
			s.pos++
			return
		case nested && c == '}':
			level--
		}
		s.pos++
	}
}

// importRule reads the target of an @import whose name was consumed: the
// string or url() that starts its prelude.
func (s *cssScanner) importRule() {
	for s.pos < len(s.src) {
		if cssIsSpace(s.src[s.pos]) {
			s.pos++
		} else if strings.HasPrefix(s.src[s.pos:], "/*") {
			s.skipComment()
		} else {
			break
		}
	}
	if s.pos >= len(s.src) {
		return
	}
	switch c := s.src[s.pos]; {
	case c == '"' || c == '\'':
		s.pos++
		if str, ok := s.consumeString(c); ok {
			s.imports = keepRef(s.imports, str)
		}
	case s.startsIdent():
		name := s.consumeName()
		if strings.EqualFold(name, "url") && s.pos < len(s.src) && s.src[s.pos] == '(' {
			s.pos++
			if u, ok := s.consumeURL(); ok {
				s.imports = keepRef(s.imports, u)
			}
		}
	}
}

func (s *cssScanner) skipComment() {
	end := strings.Index(s.src[s.pos+2:], "*/")
	if end < 0 {
		s.pos = len(s.src)
		return
	}
	s.pos += 2 + end + 2
}

func (s *cssScanner) add(u string) {
	s.out = keepRef(s.out, u)
}

// keepRef appends u, trimmed, to list unless it cannot name anything on
// the network: empty, fragment-only or a data: URI.
func keepRef(list []string, u string) []string {
	u = strings.TrimSpace(u)
	if u == "" || u[0] == '#' {
		return list
	}
	if len(u) >= 5 && strings.EqualFold(u[:5], "data:") {
		return list
	}
	return append(list, u)
}
