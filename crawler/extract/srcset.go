package extract

// parseSrcset returns the URLs of the image candidates in s, the value of a
// srcset attribute, in the order they appear. It splits candidates the way
// the HTML Standard's "parse a srcset attribute" algorithm does, so both
// descriptor forms ("a.png 1x, b.png 2x" and "a.png 480w") work and a URL
// may contain commas ("img.php?a=1,2 2x"): a URL runs up to ASCII
// whitespace, and only commas at its end separate it from the next
// candidate. Descriptors are skipped, including parenthesized ones.
//
// Unlike a browser, parseSrcset does not drop a candidate whose descriptors
// are invalid ("a.png 2x 3x"): a crawler wants every URL the author named,
// not only the one a browser would choose. The returned strings are never
// empty and never start or end with ASCII whitespace; they are not resolved
// or validated as URLs.
func parseSrcset(s string) []string {
	var out []string
	i := 0
	for {
		// Skip whitespace and separating commas before a candidate.
		for i < len(s) && (srcsetIsSpace(s[i]) || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			return out
		}
		// The URL is the run of non-whitespace characters.
		start := i
		for i < len(s) && !srcsetIsSpace(s[i]) {
			i++
		}
		u := s[start:i]
		if end := len(u); u[end-1] == ',' {
			// Trailing commas end the candidate: no descriptors follow.
			for end > 0 && u[end-1] == ',' {
				end--
			}
			u = u[:end]
		} else {
			i = srcsetSkipDescriptors(s, i)
		}
		if u != "" {
			out = append(out, u)
		}
	}
}

// srcsetSkipDescriptors runs the descriptor tokenizer of the srcset
// algorithm from s[i] and returns the index just after the comma that ends
// the candidate (or len(s)). Commas inside parentheses do not end it.
func srcsetSkipDescriptors(s string, i int) int {
	inParens := false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case inParens:
			if c == ')' {
				inParens = false
			}
		case c == '(':
			inParens = true
		case c == ',':
			return i + 1
		}
	}
	return i
}

// srcsetIsSpace reports whether c is ASCII whitespace as the HTML Standard
// defines it (tab, line feed, form feed, carriage return, space).
func srcsetIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}
