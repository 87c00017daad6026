package extract

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Result is what a page names: the pages it links to and the images it
// shows. Every URL in it is normalized (see urlnorm.Normalize), uses http or
// https, and appears once per list, in the order of its first occurrence in
// the document. The zero value is an empty result.
type Result struct {
	// Base is the URL the page's relative references resolve against: the
	// first <base href> if it resolves to an http(s) URL, else the page URL
	// given to HTML.
	Base *url.URL
	// Links are the pages named by a[href], area[href], iframe[src] and
	// frame[src] (and iframe[data-src], the usual lazy-loading form).
	Links []*url.URL
	// Images are the images the page shows or advertises; see HTML.
	Images []*url.URL
}

// HTML reads an HTML or XHTML document from r and returns the links and
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
// style attributes and <style> elements (the url() and image-set() of
// CSS, less @import, @namespace and @font-face, and data: and fragment-only
// references).
//
// The document is parsed once with golang.org/x/net/html, the parser
// goquery wraps, with scripting disabled (goquery's own constructors enable
// it), so that images inside <noscript>, the fallback of most lazy-loading
// scripts, are elements rather than text; goquery then selects its elements
// in one pass. A document the parser refuses, one nested deeper than its
// 512 open elements, is read again from its tokens (tokens.go), which name
// the same references; meanwhile HTML keeps a copy of the document it has
// read, so a page costs its size once more in memory.
//
// Empty references, fragment-only CSS references, and references that do not
// resolve to an http(s) URL (data:, javascript:, mailto:, malformed hosts)
// are skipped silently. HTML returns an error only when reading r fails;
// r is not closed. HTML is safe for concurrent use.
//
// On error, the Result is the zero value.
func HTML(r io.Reader, contentType string, page *url.URL) (Result, error) {
	body, queryEnc, err := decode(r, contentType)
	if err != nil {
		return Result{}, wrapError(page, err)
	}
	w, err := collect(body)
	if err != nil {
		return Result{}, wrapError(page, err)
	}
	return w.result(page, queryEnc), nil
}

// collect gathers the raw references of the UTF-8 document body: from the
// tree goquery walks or, when the parser refuses the document, from its
// tokens. Only a read error is an error.
func collect(body io.Reader) (*walker, error) {
	sp := newSpool(body)
	defer sp.release()
	root, err := html.ParseWithOptions(sp, html.ParseOptionEnableScripting(false))
	if sp.err != nil {
		return nil, sp.err
	}
	w := &walker{}
	if err != nil {
		// The parser gave up on the document itself (too deeply nested):
		// read what it has read again, then the rest.
		return w, w.tokens(sp.replay())
	}
	// goquery over the tree parsed above: one pass of its selector engine
	// collects the elements, in document order.
	doc := goquery.NewDocumentFromNode(root)
	for _, n := range doc.FindMatcher(elements).Nodes {
		w.element(n)
	}
	return w, nil
}

// result resolves and normalizes the references w collected against page
// or the document's base, dropping those that do not resolve to an http(s)
// URL and repeats.
func (w *walker) result(page *url.URL, queryEnc queryEncoder) Result {
	out := Result{Base: page}
	rs := urlnorm.NewResolver(page)
	if w.hasBase {
		if b, err := rs.Resolve(w.baseHref); err == nil {
			out.Base = b
			rs = urlnorm.NewResolver(b)
		}
	}

	// seen records, per normalized URL, which lists (1 links, 2 images)
	// already hold it.
	seen := make(map[string]uint8, len(w.refs))
	for _, ref := range w.refs {
		if queryEnc != nil {
			ref.val = legacyQuery(ref.val, queryEnc)
		}
		u, err := rs.Resolve(ref.val)
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
			out.Images = append(out.Images, u)
		} else {
			out.Links = append(out.Links, u)
		}
	}
	return out
}

func wrapError(page *url.URL, err error) error {
	name := "page"
	if page != nil {
		name = page.Redacted()
	}
	return fmt.Errorf("extract: %s: %w", name, err)
}

// elements matches every element; element() picks what it needs.
var elements = cascadia.MustCompile("*")

// rawRef is a raw reference found in the document.
type rawRef struct {
	val   string
	image bool
}

// walker collects the references of a parsed document in document
// order, in one pass over the tree.
type walker struct {
	refs     []rawRef
	baseHref string
	hasBase  bool
}

func (w *walker) add(val string, image bool) {
	val = strings.TrimSpace(val)
	if val == "" {
		return
	}
	w.refs = append(w.refs, rawRef{val: val, image: image})
}

func (w *walker) addSrcset(val string) {
	for _, c := range parseSrcset(val) {
		w.add(c, true)
	}
}

func (w *walker) addCSS(css string) {
	for _, u := range cssURLs(css) {
		w.add(u, true)
	}
}

func (w *walker) element(n *html.Node) {
	switch n.DataAtom {
	case atom.A, atom.Area:
		w.add(attr(n, "href"), false)
	case atom.Iframe, atom.Frame:
		w.add(attr(n, "src"), false)
		w.add(attr(n, "data-src"), false)
	case atom.Img:
		w.add(attr(n, "src"), true)
		w.addSrcset(attr(n, "srcset"))
	case atom.Source:
		if n.Parent != nil && n.Parent.DataAtom == atom.Picture {
			w.addSrcset(attr(n, "srcset"))
			w.add(attr(n, "src"), true)
		}
	case atom.Video:
		w.add(attr(n, "poster"), true)
	case atom.Image:
		if n.Namespace == "svg" {
			w.add(attr(n, "href"), true)
		}
	case atom.Input:
		if strings.EqualFold(attr(n, "type"), "image") {
			w.add(attr(n, "src"), true)
		}
	case atom.Link:
		rel := attr(n, "rel")
		if hasToken(rel, "image_src") {
			w.add(attr(n, "href"), true)
		} else if hasToken(rel, "preload") && strings.EqualFold(attr(n, "as"), "image") {
			w.add(attr(n, "href"), true)
			w.addSrcset(attr(n, "imagesrcset"))
		}
	case atom.Meta:
		if isImageMeta(attr(n, "property")) || isImageMeta(attr(n, "name")) {
			w.add(attr(n, "content"), true)
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
func (w *walker) commonAttrs(n *html.Node) {
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

// attr returns the value of n's attribute key. For href it also
// accepts xlink:href, which SVG content uses.
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && (a.Namespace == "" || a.Namespace == "xlink" && key == "href") {
			return a.Val
		}
	}
	return ""
}

// hasToken reports whether the space-separated list s contains tok,
// ignoring ASCII case.
func hasToken(s, tok string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

func isImageMeta(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src":
		return true
	}
	return false
}
