package extract

import "strings"

// refreshURL parses the content of a <meta http-equiv=refresh> as the HTML
// Standard's "shared declarative refresh steps" do: a delay in seconds,
// then, after a ";" or "," or whitespace, an optional "url=" (any case) and
// the URL, in quotes or not. ok is false when content is not a valid
// refresh (a browser ignores it and reads the next one); url is empty for a
// valid refresh that only reloads the page.
func refreshURL(content string) (url string, ok bool) {
	s := strings.TrimLeft(content, asciiSpace)
	digits := len(s) - len(strings.TrimLeft(s, "0123456789"))
	if digits == 0 && !strings.HasPrefix(s, ".") {
		return "", false
	}
	s = strings.TrimLeft(s, "0123456789.")
	if s == "" {
		return "", true
	}
	if !strings.ContainsRune(";,"+asciiSpace, rune(s[0])) {
		return "", false
	}
	s = strings.TrimLeft(s, asciiSpace)
	if s != "" && (s[0] == ';' || s[0] == ',') {
		s = s[1:]
	}
	s = strings.TrimLeft(s, asciiSpace)
	if s == "" {
		return "", true
	}
	return refreshTarget(s), true
}

// refreshTarget reads the URL part of a refresh's content, s, which is not
// empty: "url=" (any case, spaces around "=") is dropped, then an opening
// quote, and the URL ends at its closing quote.
func refreshTarget(s string) string {
	if len(s) < 3 || !strings.EqualFold(s[:3], "url") {
		return unquote(s) // "u" not followed by "rl" does not start with a quote
	}
	rest := strings.TrimLeft(s[3:], asciiSpace)
	if !strings.HasPrefix(rest, "=") {
		return s // "url" not followed by "=": the whole is the URL
	}
	return unquote(strings.TrimLeft(rest[1:], asciiSpace))
}

// unquote drops an opening quote and everything from its closing quote.
func unquote(s string) string {
	if s == "" || s[0] != '\'' && s[0] != '"' {
		return s
	}
	q := s[0]
	s = s[1:]
	if i := strings.IndexByte(s, q); i >= 0 {
		s = s[:i]
	}
	return s
}

// asciiSpace is ASCII whitespace as the HTML Standard defines it.
const asciiSpace = " \t\n\f\r"
