package extract

import (
	"strings"
	"unicode/utf8"

	"github.com/imgcrawl/imgcrawl/internal/hexdigit"
)

// The tokens of cssScanner: strings, url() arguments, escapes and names.

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
	if _, ok := hexdigit.Value(s.src[s.pos]); !ok {
		r, n := utf8.DecodeRuneInString(s.src[s.pos:])
		s.pos += n
		return r
	}
	var v rune
	for n := 0; n < 6 && s.pos < len(s.src); n++ {
		d, ok := hexdigit.Value(s.src[s.pos])
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
