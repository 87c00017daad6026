package extract

import (
	"math"
	"net/url"
	"strconv"
)

// candidate is one image candidate of a srcset attribute: its URL and its
// width (480w) or pixel density (2x) descriptor, 0 when absent or invalid.
type candidate struct {
	url string
	w   int32
	x   float32
}

// parseSrcset returns the image candidates in s, the value of a srcset
// attribute, in the order they appear. It splits candidates the way the HTML
// Standard's "parse a srcset attribute" algorithm does, so both descriptor
// forms ("a.png 1x, b.png 2x" and "a.png 480w") work and a URL may contain
// commas ("img.php?a=1,2 2x"): a URL runs up to ASCII whitespace, and only
// commas at its end separate it from the next candidate. Of the
// descriptors, the first valid width and density are kept; others,
// including parenthesized ones and heights, are skipped.
//
// Unlike a browser, parseSrcset does not drop a candidate whose descriptors
// are invalid ("a.png 2x 3x"): a crawler wants every URL the author named,
// not only the one a browser would choose. The returned URLs are never
// empty and never start or end with ASCII whitespace; they are not resolved
// or validated as URLs.
func parseSrcset(s string) []candidate {
	var out []candidate
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
		c := candidate{url: s[start:i]}
		if end := len(c.url); c.url[end-1] == ',' {
			// Trailing commas end the candidate: no descriptors follow.
			for end > 0 && c.url[end-1] == ',' {
				end--
			}
			c.url = c.url[:end]
		} else {
			i = c.descriptors(s, i)
		}
		if c.url != "" {
			out = append(out, c)
		}
	}
}

// descriptors runs the descriptor tokenizer of the srcset algorithm from
// s[i], keeping c's width and density, and returns the index just after the
// comma that ends the candidate (or len(s)). Commas inside parentheses do
// not end it.
func (c *candidate) descriptors(s string, i int) int {
	start, inParens := i, false
	for ; i < len(s); i++ {
		switch b := s[i]; {
		case inParens:
			if b == ')' {
				inParens = false
			}
		case b == '(':
			inParens = true
		case b == ',':
			c.descriptor(s[start:i])
			return i + 1
		case srcsetIsSpace(b):
			c.descriptor(s[start:i])
			start = i + 1
		}
	}
	c.descriptor(s[start:i])
	return i
}

// descriptor records d, one descriptor, when it is the first valid width
// ("480w") or density ("1.5x") of the candidate.
func (c *candidate) descriptor(d string) {
	if len(d) < 2 {
		return
	}
	num := d[:len(d)-1]
	switch d[len(d)-1] {
	case 'w':
		if n, err := strconv.ParseInt(num, 10, 32); err == nil && n > 0 && c.w == 0 {
			c.w = int32(n)
		}
	case 'x':
		f, err := strconv.ParseFloat(num, 32)
		if err == nil && f > 0 && !math.IsInf(f, 0) && c.x == 0 {
			c.x = float32(f)
		}
	}
}

// srcsetIsSpace reports whether c is ASCII whitespace as the HTML Standard
// defines it (tab, line feed, form feed, carriage return, space).
func srcsetIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// largest returns, for each group of candidates among refs (see
// rawRef.group), the index in refs of the one Options.Largest keeps, or -1
// when no candidate of the group resolved (us[i] nil). If any candidate of
// a group has a width descriptor, the widest wins; otherwise the densest,
// a candidate without descriptors counting as 1x as in the HTML Standard.
// Ties go to the lower rank (a srcset candidate, then a lazy-loading URL,
// then src, which is often a placeholder), then to the first.
func largest(refs []rawRef, us []*url.URL, groups int32) []int {
	best := make([]int, groups+1)
	byWidth := make([]bool, groups+1)
	for i := range best {
		best[i] = -1
	}
	for i, r := range refs {
		if r.group != 0 && us[i] != nil && r.w > 0 {
			byWidth[r.group] = true
		}
	}
	for i, r := range refs {
		g := r.group
		if g == 0 || us[i] == nil || byWidth[g] && r.w == 0 {
			continue
		}
		if b := best[g]; b < 0 || beats(r, refs[b], byWidth[g]) {
			best[g] = i
		}
	}
	return best
}

// beats reports whether candidate a wins over b, which comes before it.
func beats(a, b rawRef, byWidth bool) bool {
	if byWidth && a.w != b.w {
		return a.w > b.w
	}
	if ax, bx := density(a), density(b); !byWidth && ax != bx {
		return ax > bx
	}
	return a.rank < b.rank
}

func density(r rawRef) float32 {
	if r.x == 0 {
		return 1
	}
	return r.x
}
