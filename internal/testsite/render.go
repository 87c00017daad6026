package testsite

import (
	"bytes"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"
)

// renderNumbered writes numbered page n. host is "http://HOST" of the
// request, or "" when unknown; it makes og:image absolute.
func (s *Site) renderNumbered(buf *bytes.Buffer, n int, host string) {
	title := "Page " + strconv.Itoa(n)
	buf.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
	buf.WriteString(title)
	buf.WriteString("</title>\n")
	for _, d := range s.decoByPage[n] {
		if h := s.decos[d].head; h != "" {
			buf.WriteString(strings.ReplaceAll(h, "{host}", host))
			buf.WriteByte('\n')
		}
	}
	buf.WriteString("</head>\n<body>\n<h1>")
	buf.WriteString(title)
	buf.WriteString("</h1>\n<nav class=\"children\">\n")
	for c := n*treeBranching + 1; c <= n*treeBranching+treeBranching && c < s.n; c++ {
		writeLink(buf, c)
	}
	buf.WriteString("</nav>\n<ul class=\"related\">\n")
	k := s.opt.LinksPerPage
	for _, t := range s.links[n*k : n*k+k] {
		buf.WriteString("<li>")
		writeLink(buf, int(t))
		buf.WriteString("</li>\n")
	}
	buf.WriteString("</ul>\n<div class=\"gallery\">\n")
	k = s.opt.ImagesPerPage
	for _, id := range s.refs[n*k : n*k+k] {
		buf.WriteString(`<img src="`)
		buf.WriteString(s.genericImagePath(int(id)))
		buf.WriteString(`" alt="Image `)
		buf.WriteString(strconv.Itoa(int(id)))
		buf.WriteString("\">\n")
	}
	buf.WriteString("</div>\n")
	for _, d := range s.decoByPage[n] {
		buf.WriteString(strings.ReplaceAll(s.decos[d].body, "{host}", host))
		buf.WriteByte('\n')
	}
	buf.WriteString("<footer><a href=\"/\">Home</a></footer>\n</body>\n</html>\n")
}

func writeLink(buf *bytes.Buffer, page int) {
	buf.WriteString(`<a href="`)
	buf.WriteString(pagePath(page))
	buf.WriteString(`">Page `)
	buf.WriteString(strconv.Itoa(page))
	buf.WriteString("</a>\n")
}

// renderExtra writes a feature page. A windows-1252 page carries no <meta
// charset>: its encoding is in the Content-Type header only.
func (s *Site) renderExtra(buf *bytes.Buffer, e *extraPage, host string) {
	buf.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n")
	if !e.latin1 {
		buf.WriteString("<meta charset=\"utf-8\">\n")
	}
	buf.WriteString("<title>")
	buf.WriteString(html.EscapeString(e.title))
	buf.WriteString("</title>\n</head>\n<body>\n<h1>")
	buf.WriteString(html.EscapeString(e.title))
	buf.WriteString("</h1>\n")
	buf.WriteString(strings.ReplaceAll(e.body, "{host}", host))
	buf.WriteString("\n</body>\n</html>\n")
}

// cp1252High maps the windows-1252 bytes 0x80..0x9F to their runes (0 where
// the code page leaves the byte undefined).
var cp1252High = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}

// toWindows1252 encodes UTF-8 text in windows-1252; runes the code page
// lacks become '?'.
func toWindows1252(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		switch {
		case r < 0x80 || r >= 0xA0 && r <= 0xFF:
			out = append(out, byte(r))
		default:
			c := byte('?')
			for i, h := range cp1252High {
				if h == r && h != 0 {
					c = byte(0x80 + i)
					break
				}
			}
			out = append(out, c)
		}
	}
	return out
}
