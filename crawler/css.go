package crawler

import (
	"strings"
	"unicode/utf8"
)

// CSSURLs returns the image references in css, a style sheet or the value of
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
func CSSURLs(css string) []string {
	s := cssScanner{src: css}
	s.run()
	return s.out
}

// cssScanner is a small tokenizer after CSS Syntax Level 3, reduced to what
// CSSURLs needs: comments, strings, escapes, identifiers, functions,
// at-keywords and brackets.
type cssScanner struct {
	src string
	pos int
	out []string
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

// atRule skips the prelude of @import and @namespace (their url() names a
// style sheet or a namespace) and the block of @font-face (fonts).
func (s *cssScanner) atRule(name string) {
	switch strings.ToLower(name) {
	case "import", "namespace":
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

func (s *cssScanner) skipComment() {
	end := strings.Index(s.src[s.pos+2:], "*/")
	if end < 0 {
		s.pos = len(s.src)
		return
	}
	s.pos += 2 + end + 2
}

func (s *cssScanner) add(u string) {
	u = strings.TrimSpace(u)
	if u == "" || u[0] == '#' {
		return
	}
	if len(u) >= 5 && strings.EqualFold(u[:5], "data:") {
		return
	}
	s.out = append(s.out, u)
}

// consumeString reads a string whose opening quote q was consumed. ok is
// false for a bad string (one cut by an unescaped newline).
func (s *cssScanner) consumeString(q byte) (string, bool) {
	var b strings.Builder
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == q:
			s.pos++
			return b.String(), true
		case cssIsNewline(c):
			return "", false // left for the main loop, as the spec says
		case c == '\\':
			s.pos++
			if s.pos >= len(s.src) {
				continue
			}
			if cssIsNewline(s.src[s.pos]) { // line continuation
				s.skipNewline()
				continue
			}
			b.WriteRune(s.consumeEscape())
		default:
			b.WriteByte(c)
			s.pos++
		}
	}
	return b.String(), true // EOF ends the string
}

// consumeURL reads the argument of url( and its closing parenthesis. ok is
// false for a bad url, which is skipped up to its ")".
func (s *cssScanner) consumeURL() (string, bool) {
	s.skipSpace()
	if s.pos < len(s.src) && (s.src[s.pos] == '"' || s.src[s.pos] == '\'') {
		q := s.src[s.pos]
		s.pos++
		str, ok := s.consumeString(q)
		if !ok {
			s.skipBadURL()
			return "", false
		}
		s.skipSpace()
		if s.pos < len(s.src) && s.src[s.pos] != ')' {
			s.skipBadURL() // url("a" junk): not a valid url()
			return "", false
		}
		s.skipCloseParen()
		return str, true
	}
	var b strings.Builder
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == ')':
			s.pos++
			return b.String(), true
		case cssIsSpace(c):
			s.skipSpace()
			if s.pos >= len(s.src) || s.src[s.pos] == ')' {
				s.skipCloseParen()
				return b.String(), true
			}
			s.skipBadURL()
			return "", false
		case c == '"' || c == '\'' || c == '(' || c < 0x20 && c != '\t' || c == 0x7f:
			s.skipBadURL()
			return "", false
		case c == '\\':
			s.pos++
			if s.pos >= len(s.src) || cssIsNewline(s.src[s.pos]) {
				s.skipBadURL()
				return "", false
			}
			b.WriteRune(s.consumeEscape())
		default:
			b.WriteByte(c)
			s.pos++
		}
	}
	return b.String(), true // EOF ends the url
}

// skipCloseParen steps over the ")" at s.pos, if there is one.
func (s *cssScanner) skipCloseParen() {
	if s.pos < len(s.src) {
		s.pos++
	}
}

func (s *cssScanner) skipBadURL() {
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		s.pos++
		switch {
		case c == ')':
			return
		case c == '\\' && s.pos < len(s.src):
			_, n := utf8.DecodeRuneInString(s.src[s.pos:])
			s.pos += n
		}
	}
}

// consumeEscape decodes an escape whose backslash was consumed; s.pos is at
// a character that is not a newline.
func (s *cssScanner) consumeEscape() rune {
	if _, ok := cssUnhex(s.src[s.pos]); !ok {
		r, n := utf8.DecodeRuneInString(s.src[s.pos:])
		s.pos += n
		return r
	}
	var v rune
	for n := 0; n < 6 && s.pos < len(s.src); n++ {
		d, ok := cssUnhex(s.src[s.pos])
		if !ok {
			break
		}
		v = v<<4 | rune(d)
		s.pos++
	}
	if s.pos < len(s.src) && cssIsSpace(s.src[s.pos]) {
		s.skipNewlineOrSpace()
	}
	if v == 0 || v > utf8.MaxRune || 0xD800 <= v && v <= 0xDFFF {
		return utf8.RuneError
	}
	return v
}

// startsIdent reports whether an identifier starts at s.pos: a letter, "_",
// a non-ASCII byte, an escape, or "-" followed by one of those or "-".
func (s *cssScanner) startsIdent() bool {
	rest := s.src[s.pos:]
	if rest == "" {
		return false
	}
	if rest[0] == '-' {
		rest = rest[1:]
		if rest != "" && rest[0] == '-' {
			return true
		}
	}
	if rest == "" {
		return false
	}
	c := rest[0]
	if c == '\\' {
		return len(rest) > 1 && !cssIsNewline(rest[1])
	}
	return cssIsNameStart(c)
}

// consumeName reads an identifier; escapes are decoded.
func (s *cssScanner) consumeName() string {
	start := s.pos
	var b []byte
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case cssIsNameStart(c) || '0' <= c && c <= '9' || c == '-':
			s.pos++
			if b != nil {
				b = append(b, c)
			}
		case c == '\\' && s.pos+1 < len(s.src) && !cssIsNewline(s.src[s.pos+1]):
			if b == nil {
				b = append([]byte{}, s.src[start:s.pos]...)
			}
			s.pos++
			b = utf8.AppendRune(b, s.consumeEscape())
		default:
			if b != nil {
				return string(b)
			}
			return s.src[start:s.pos]
		}
	}
	if b != nil {
		return string(b)
	}
	return s.src[start:]
}

func (s *cssScanner) skipSpace() {
	for s.pos < len(s.src) && cssIsSpace(s.src[s.pos]) {
		s.pos++
	}
}

// skipNewline skips one newline; "\r\n" counts as one.
func (s *cssScanner) skipNewline() {
	if strings.HasPrefix(s.src[s.pos:], "\r\n") {
		s.pos += 2
		return
	}
	s.pos++
}

func (s *cssScanner) skipNewlineOrSpace() {
	if cssIsNewline(s.src[s.pos]) {
		s.skipNewline()
		return
	}
	s.pos++
}

func cssIsNameStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c >= 0x80
}

func cssIsNewline(c byte) bool { return c == '\n' || c == '\r' || c == '\f' }

func cssIsSpace(c byte) bool { return c == ' ' || c == '\t' || cssIsNewline(c) }

// cssUnhex returns the value of the hexadecimal digit c.
func cssUnhex(c byte) (byte, bool) {
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
