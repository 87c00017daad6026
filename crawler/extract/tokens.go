package extract

import (
	"bytes"
	"errors"
	"io"
	"sync"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// tokens collects the references of a document from its tokens, for a
// document the parser refused: one nested deeper than the 512 open elements
// x/net/html allows, which a tokenizer does not count. Each start tag
// becomes a detached element node that element reads as it reads the
// parsed tree, so the two walks cannot drift apart. What element learns
// from the tree comes from counting open tags instead: whether a <source>
// or an <img> is in a <picture> (and which), whether an <image> is SVG's
// (elsewhere the parser makes it an <img>), and the text of a <style> or a
// JSON-LD <script>. As in the parse, scripting is off: <noscript> holds
// elements. Where the tree and the tags differ, the walk may name more than
// the tree: a <source> anywhere in a <picture>, an <image href> in SVG's
// HTML islands (<foreignObject>, <title>); and an <img> anywhere in a
// <picture> competes with its sources under Options.Largest. Only a read
// error is an error.
func (w *walker) tokens(r io.Reader) error {
	z := html.NewTokenizer(r)
	var svg, math int         // open <svg> and <math> elements
	var pictures []*html.Node // open <picture> elements, innermost last
	var waiting *html.Node    // a <style> or JSON-LD <script> waiting for its text
	for {
		z.AllowCDATA(svg+math > 0)
		tt := z.Next()
		if waiting != nil {
			if tt == html.TextToken {
				waiting.AppendChild(&html.Node{Type: html.TextNode, Data: string(z.Text())})
			}
			w.element(waiting)
			waiting = nil
		}
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); !errors.Is(err, io.EOF) {
				return err
			}
			return nil
		case html.StartTagToken, html.SelfClosingTagToken:
			n := tokenNode(z.Token(), svg, math)
			open := tt == html.StartTagToken
			switch {
			case (n.DataAtom == atom.Source || n.DataAtom == atom.Img) && len(pictures) > 0:
				n.Parent = pictures[len(pictures)-1]
			case n.DataAtom == atom.Picture && n.Namespace == "":
				// An HTML element's self-closing flag is ignored.
				pictures = append(pictures, &html.Node{Type: html.ElementNode, DataAtom: atom.Picture, Data: "picture"})
			case n.DataAtom == atom.Svg && open:
				svg++
			case n.DataAtom == atom.Math && open:
				math++
			}
			if n.Namespace != "" || n.DataAtom == atom.Noscript {
				// In foreign content, and in <noscript> without
				// scripting, raw-text tags hold markup, as in the parse.
				z.NextIsNotRawText()
			}
			if n.DataAtom == atom.Style && (open || n.Namespace == "") || isJSONLD(n) {
				waiting = n // HTML ignores a self-closing flag: text follows
				continue
			}
			w.element(n)
		case html.EndTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Picture:
				pictures = pictures[:max(len(pictures)-1, 0)]
			case atom.Svg:
				svg = max(svg-1, 0)
			case atom.Math:
				math = max(math-1, 0)
			}
		}
	}
}

// tokenNode returns a start tag as the element the parser would make of it
// inside svg and math open elements: in a namespace, with xlink:href split
// as the parser splits it; outside them, <image> is an <img>.
func tokenNode(tok html.Token, svg, math int) *html.Node {
	n := &html.Node{Type: html.ElementNode, DataAtom: tok.DataAtom, Data: tok.Data, Attr: tok.Attr}
	switch {
	case svg > 0:
		n.Namespace = "svg"
	case math > 0:
		n.Namespace = "math"
	case n.DataAtom == atom.Image:
		n.DataAtom, n.Data = atom.Img, "img"
	}
	if n.Namespace != "" {
		for i, a := range n.Attr {
			if a.Key == "xlink:href" {
				n.Attr[i] = html.Attribute{Namespace: "xlink", Key: "href", Val: a.Val}
			}
		}
	}
	return n
}

// spool reads from r and keeps what it has read, so that it can be read
// again, followed by the rest of r (replay). Its chunks double in size up
// to 1 MiB, so a document costs one copy of itself and no reallocation;
// spools and their chunks are pooled, so most pages allocate none.
type spool struct {
	r      io.Reader
	chunks [][]byte // chunks[:n] hold what was read; the rest are spare
	n      int
	err    error // the first read error, io.EOF excepted
}

var spools = sync.Pool{New: func() any { return new(spool) }}

// keepSpare bounds the chunk bytes a pooled spool keeps between pages.
const keepSpare = 256 << 10

func newSpool(r io.Reader) *spool {
	s := spools.Get().(*spool)
	s.r = r
	return s
}

// release returns s to the pool; what it read must no longer be used.
func (s *spool) release() {
	total := 0
	for i, c := range s.chunks {
		if total += cap(c); total > keepSpare {
			clear(s.chunks[i:])
			s.chunks = s.chunks[:i]
			break
		}
		s.chunks[i] = c[:0]
	}
	s.r, s.n, s.err = nil, 0, nil
	spools.Put(s)
}

func (s *spool) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.keep(p[:n])
	if err != nil && !errors.Is(err, io.EOF) && s.err == nil {
		s.err = err
	}
	return n, err
}

func (s *spool) keep(b []byte) {
	for len(b) > 0 {
		if s.n == 0 || len(s.chunks[s.n-1]) == cap(s.chunks[s.n-1]) {
			size := 4 << 10
			if s.n > 0 {
				size = min(2*cap(s.chunks[s.n-1]), 1<<20)
			}
			if s.n == len(s.chunks) {
				s.chunks = append(s.chunks, make([]byte, 0, size))
			} else if cap(s.chunks[s.n]) < size {
				s.chunks[s.n] = make([]byte, 0, size)
			}
			s.n++
		}
		c := s.chunks[s.n-1]
		k := copy(c[len(c):cap(c)], b)
		s.chunks[s.n-1], b = c[:len(c)+k], b[k:]
	}
}

// replay returns a reader of what s has read, then the rest of r.
func (s *spool) replay() io.Reader {
	rs := make([]io.Reader, 0, s.n+1)
	for _, c := range s.chunks[:s.n] {
		rs = append(rs, bytes.NewReader(c))
	}
	return io.MultiReader(append(rs, s.r)...)
}
