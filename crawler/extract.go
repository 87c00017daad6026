package crawler

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// Extracted is what a page names: the pages it links to and the images it
// shows. Every URL in it is normalized (see urlnorm.Normalize), uses http or
// https, and appears once per list, in the order of its first occurrence in
// the document. The zero value is an empty result.
type Extracted struct {
	// Base is the URL the page's relative references resolve against: the
	// first <base href> if it resolves to an http(s) URL, else the page URL
	// given to Extract.
	Base *url.URL
	// Links are the pages named by a[href], area[href], iframe[src] and
	// frame[src] (and iframe[data-src], the usual lazy-loading form).
	Links []*url.URL
	// Images are the images the page shows or advertises; see Extract.
	Images []*url.URL
}

// Extract reads an HTML or XHTML document from r and returns the links and
// images it names, resolved against page (the final URL after redirects) or
// against the document's <base href>.
//
// contentType is the response's Content-Type header. The body is decoded to
// UTF-8 the way a browser decides its encoding: a byte order mark, then the
// charset in contentType, then a <meta charset> or http-equiv declaration in
// the first 1024 bytes, then UTF-8 if the bytes are valid UTF-8, else
// windows-1252 (golang.org/x/net/html/charset). As in a browser, non-ASCII
// characters in the query of a relative or absolute reference in a legacy
// encoded page (windows-1251, Shift_JIS, ...) are percent-encoded in that
// encoding, while paths always use UTF-8.
//
// Images come from img src, srcset, data-src, data-srcset and
// data-lazy-src; <source> srcset and src inside <picture>; video poster; SVG
// <image href>; <input type=image> src; <link rel=image_src> href and
// <link rel=preload as=image> href and imagesrcset; the og:image,
// og:image:url, og:image:secure_url, twitter:image and twitter:image:src
// <meta> tags; data-src, data-srcset and data-lazy-src on other elements
// (lazy-loaded backgrounds); and CSS url() and image-set() references in
// style attributes and <style> elements (see CSSURLs).
//
// The document is parsed once with golang.org/x/net/html, the parser
// goquery wraps, with scripting disabled (goquery's own constructors enable
// it), so that images inside <noscript>, the fallback of most lazy-loading
// scripts, are elements rather than text; goquery then selects its elements
// in one pass.
//
// Empty references, fragment-only CSS references, and references that do not
// resolve to an http(s) URL (data:, javascript:, mailto:, malformed hosts)
// are skipped silently. Extract returns an error only when reading r fails;
// r is not closed. Extract is safe for concurrent use.
func Extract(r io.Reader, contentType string, page *url.URL) (*Extracted, error) {
	body, queryEnc, err := extractDecode(r, contentType)
	if err != nil {
		return nil, extractError(page, err)
	}
	root, err := html.ParseWithOptions(body, html.ParseOptionEnableScripting(false))
	if err != nil {
		return nil, extractError(page, err)
	}
	// goquery over the tree parsed above: one pass of its selector engine
	// collects the elements, in document order.
	doc := goquery.NewDocumentFromNode(root)
	var w extractWalker
	for _, n := range doc.FindMatcher(extractElements).Nodes {
		w.element(n)
	}

	ex := &Extracted{Base: page}
	res := urlnorm.NewResolver(page)
	if w.hasBase {
		if b, err := res.Resolve(w.baseHref); err == nil {
			ex.Base = b
			res = urlnorm.NewResolver(b)
		}
	}

	// seen records, per normalized URL, which lists (1 links, 2 images)
	// already hold it.
	seen := make(map[string]uint8, len(w.refs))
	for _, ref := range w.refs {
		if queryEnc != nil {
			ref.val = extractLegacyQuery(ref.val, queryEnc)
		}
		u, err := res.Resolve(ref.val)
		if err != nil {
			continue
		}
		bit := uint8(1)
		if ref.image {
			bit = 2
		}
		key := u.String()
		if seen[key]&bit != 0 {
			continue
		}
		seen[key] |= bit
		if ref.image {
			ex.Images = append(ex.Images, u)
		} else {
			ex.Links = append(ex.Links, u)
		}
	}
	return ex, nil
}

func extractError(page *url.URL, err error) error {
	name := "page"
	if page != nil {
		name = page.Redacted()
	}
	return fmt.Errorf("crawler: extract %s: %w", name, err)
}

// extractQueryEncoder encodes text in a page's legacy encoding; it is
// satisfied by *encoding.Encoder from golang.org/x/text.
type extractQueryEncoder interface {
	String(s string) (string, error)
}

// extractDecode peeks at up to 1024 bytes of r to determine the document's
// encoding, as charset.NewReader does, and returns a reader yielding UTF-8.
// It also returns an encoder for query strings when the encoding is neither
// UTF-8 nor UTF-16 (browsers use UTF-8 for queries of UTF-16 pages), else
// nil. Unlike charset.NewReader, an empty body is not an error.
func extractDecode(r io.Reader, contentType string) (io.Reader, extractQueryEncoder, error) {
	preview := make([]byte, 1024)
	n, err := io.ReadFull(r, preview)
	preview = preview[:n]
	var body io.Reader
	whole := false
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		body, whole = bytes.NewReader(preview), true
	case err != nil:
		return nil, nil, err
	default:
		body = io.MultiReader(bytes.NewReader(preview), r)
	}
	enc, name, _ := charset.DetermineEncoding(preview, contentType)
	if !whole || !extractDecodesToItself(name, preview) {
		body = enc.NewDecoder().Reader(body)
	}
	switch name {
	case "utf-8", "utf-16be", "utf-16le", "replacement", "":
		return body, nil, nil
	}
	// Lookup wraps the encoding so that characters it cannot represent
	// become HTML numeric references, which is what browsers send.
	henc, _ := charset.Lookup(name)
	if henc == nil {
		return body, nil, nil
	}
	return body, henc.NewEncoder(), nil
}

// extractDecodesToItself reports whether decoding all of body from the
// named encoding, as determined by charset.DetermineEncoding, changes
// nothing, so that the decoder (and its 8 KiB of buffers) can be skipped:
// valid UTF-8 from UTF-8 (whose decoder only replaces invalid sequences and
// keeps a byte order mark) and ASCII from windows-1252 (an ASCII superset).
func extractDecodesToItself(name string, body []byte) bool {
	switch name {
	case "utf-8":
		return utf8.Valid(body)
	case "windows-1252":
		for _, c := range body {
			if c >= utf8.RuneSelf {
				return false
			}
		}
		return true
	}
	return false
}

// extractHex is the digits of a percent-escape.
const extractHex = "0123456789ABCDEF"

// extractLegacyQuery percent-encodes the non-ASCII characters of ref's query
// in the page's encoding. A character the encoding lacks is sent as its HTML
// numeric reference ("&#1234;"), percent-encoded as a whole.
func extractLegacyQuery(ref string, enc extractQueryEncoder) string {
	q := strings.IndexAny(ref, "?#")
	if q < 0 || ref[q] != '?' {
		return ref
	}
	end := len(ref)
	if i := strings.IndexByte(ref[q:], '#'); i >= 0 {
		end = q + i
	}
	query := ref[q+1 : end]
	ascii := true
	for i := 0; i < len(query); i++ {
		if query[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return ref
	}
	var b strings.Builder
	b.Grow(len(ref) + 2*len(query))
	b.WriteString(ref[:q+1])
	for _, r := range query {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		e, err := enc.String(string(r))
		if err != nil || e == "" {
			e = string(r) // cannot happen with charset.Lookup's encoders
		}
		for i := 0; i < len(e); i++ {
			b.WriteByte('%')
			b.WriteByte(extractHex[e[i]>>4])
			b.WriteByte(extractHex[e[i]&15])
		}
	}
	b.WriteString(ref[end:])
	return b.String()
}

// extractRef is a raw reference found in the document.
// extractElements matches every element; element() picks what it needs.
var extractElements = cascadia.MustCompile("*")

type extractRef struct {
	val   string
	image bool
}

// extractWalker collects the references of a parsed document in document
// order, in one pass over the tree.
type extractWalker struct {
	refs     []extractRef
	baseHref string
	hasBase  bool
}

func (w *extractWalker) add(val string, image bool) {
	val = strings.TrimSpace(val)
	if val == "" {
		return
	}
	w.refs = append(w.refs, extractRef{val: val, image: image})
}

func (w *extractWalker) addSrcset(val string) {
	for _, c := range ParseSrcset(val) {
		w.add(c, true)
	}
}

func (w *extractWalker) addCSS(css string) {
	for _, u := range CSSURLs(css) {
		w.add(u, true)
	}
}

func (w *extractWalker) element(n *html.Node) {
	switch n.DataAtom {
	case atom.A, atom.Area:
		w.add(extractAttr(n, "href"), false)
	case atom.Iframe, atom.Frame:
		w.add(extractAttr(n, "src"), false)
		w.add(extractAttr(n, "data-src"), false)
	case atom.Img:
		w.add(extractAttr(n, "src"), true)
		w.addSrcset(extractAttr(n, "srcset"))
	case atom.Source:
		if n.Parent != nil && n.Parent.DataAtom == atom.Picture {
			w.addSrcset(extractAttr(n, "srcset"))
			w.add(extractAttr(n, "src"), true)
		}
	case atom.Video:
		w.add(extractAttr(n, "poster"), true)
	case atom.Image:
		if n.Namespace == "svg" {
			w.add(extractAttr(n, "href"), true)
		}
	case atom.Input:
		if strings.EqualFold(extractAttr(n, "type"), "image") {
			w.add(extractAttr(n, "src"), true)
		}
	case atom.Link:
		rel := extractAttr(n, "rel")
		if extractHasToken(rel, "image_src") {
			w.add(extractAttr(n, "href"), true)
		} else if extractHasToken(rel, "preload") && strings.EqualFold(extractAttr(n, "as"), "image") {
			w.add(extractAttr(n, "href"), true)
			w.addSrcset(extractAttr(n, "imagesrcset"))
		}
	case atom.Meta:
		if extractIsImageMeta(extractAttr(n, "property")) || extractIsImageMeta(extractAttr(n, "name")) {
			w.add(extractAttr(n, "content"), true)
		}
	case atom.Base:
		if !w.hasBase {
			for _, a := range n.Attr {
				if a.Namespace == "" && a.Key == "href" {
					w.baseHref, w.hasBase = strings.TrimSpace(a.Val), true
				}
			}
		}
	case atom.Style:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				w.addCSS(c.Data)
			}
		}
	}
	w.commonAttrs(n)
}

// commonAttrs handles the attributes that count on any element: style and
// the lazy-loading data-* attributes (already handled for frames, whose
// data-src names a page, and skipped on media and script elements).
func (w *extractWalker) commonAttrs(n *html.Node) {
	lazy := true
	switch n.DataAtom {
	case atom.Iframe, atom.Frame, atom.Script, atom.Audio, atom.Video, atom.Track, atom.Embed, atom.Object:
		lazy = false
	}
	for _, a := range n.Attr {
		if a.Namespace != "" {
			continue
		}
		switch a.Key {
		case "style":
			w.addCSS(a.Val)
		case "data-src", "data-lazy-src":
			if lazy {
				w.add(a.Val, true)
			}
		case "data-srcset":
			if lazy {
				w.addSrcset(a.Val)
			}
		}
	}
}

// extractAttr returns the value of n's attribute key. For href it also
// accepts xlink:href, which SVG content uses.
func extractAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && (a.Namespace == "" || a.Namespace == "xlink" && key == "href") {
			return a.Val
		}
	}
	return ""
}

// extractHasToken reports whether the space-separated list s contains tok,
// ignoring ASCII case.
func extractHasToken(s, tok string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

func extractIsImageMeta(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src":
		return true
	}
	return false
}
