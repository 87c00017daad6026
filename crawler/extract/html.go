package extract

import (
	"fmt"
	"io"
	"net/url"
	"slices"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
	"golang.org/x/net/html"
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
	// Stylesheets are the style sheets the page uses: <link
	// rel=stylesheet> (also "alternate stylesheet"), <link rel=preload
	// as=style>, and the @import rules of its <style> elements. Their
	// images are found by CSS, once they are fetched.
	Stylesheets []*url.URL
	// Encoding is the name of the encoding the page was read in (see
	// HTML): the fallback encoding of its style sheets.
	Encoding string
	// Refresh is the page the first valid <meta http-equiv=refresh> sends
	// the reader to ("0; url=next.html", any delay), resolved like the
	// links; nil when there is none, when it only reloads the page, or when
	// it does not resolve to an http(s) URL. It is in no list.
	Refresh *url.URL
}

// Options change what HTML keeps. The zero value keeps everything; an
// Options is safe for concurrent use.
type Options struct {
	// Largest keeps, of the candidates of each srcset and of each
	// <picture>, only the largest: the widest (480w) if any has a width,
	// else the densest (2x; none counts as 1x), else the first. The
	// candidates of an <img> are its srcset, src and lazy-loading
	// attributes (data-src, data-srcset, ...), those of a <picture> the
	// srcset and src of its <source>s and its <img>'s; at a tie a srcset
	// candidate wins over a lazy-loading URL, which wins over src (often a
	// placeholder). Candidates that do not resolve do not compete. The
	// srcset-like attributes of other elements (<link rel=preload
	// imagesrcset> with its href, data-srcset, data-bgset) are groups of
	// their own. A URL dropped here is still kept if the page names it
	// elsewhere.
	Largest bool
	// Document, when set, is called with the parsed document and the URL
	// its references resolve against (Result.Base), after HTML has
	// collected them, to read more from the page (the crawler's HTML
	// hooks). It is not called for a document the parser refuses, which
	// is read from its tokens. The document is HTML's: Document must not
	// change it, nor keep it after returning.
	Document func(doc *goquery.Document, base *url.URL)
}

// HTML reads an HTML or XHTML document from r and returns the links,
// images and style sheets it names, resolved against page (the final URL
// after redirects) or against the document's <base href>, and the encoding
// it was read in.
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
// Images come from img src and srcset; <source> srcset and src inside
// <picture>; video poster; SVG <image> href and xlink:href; <object data>
// and <embed src> whose type is image/* or whose path ends in an image
// extension; <input type=image> src; <link> href for rel icon, shortcut
// icon, apple-touch-icon, apple-touch-icon-precomposed, mask-icon and
// image_src, and for itemprop=image; <link rel=preload as=image> href and
// imagesrcset; the og:image, og:image:url, og:image:secure_url,
// twitter:image and twitter:image:src <meta> tags and <meta itemprop=image>;
// the "image" fields of JSON-LD scripts (<script type=application/ld+json>,
// up to 1 MiB each: a URL, a list, or objects with url or contentUrl); the
// lazy-loading attributes of common libraries on any element (data-src,
// data-srcset, data-original, data-bg, ...: see lazyAttrs in lazy.go); and
// CSS url() and image-set() references in style attributes and <style>
// elements (the url() and image-set() of CSS, less @import, @namespace and
// @font-face, and data: and fragment-only references).
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
	return Options{}.HTML(r, contentType, page)
}

// HTML is the package's HTML with the options o.
func (o Options) HTML(r io.Reader, contentType string, page *url.URL) (Result, error) {
	p := getPeek()
	defer p.release()
	body, queryEnc, enc, err := decode(r, contentType, p)
	if err != nil {
		return Result{}, wrapError(page, err)
	}
	w, doc, err := collect(body)
	if err != nil {
		return Result{}, wrapError(page, err)
	}
	defer w.release()
	res := w.result(page, queryEnc, o)
	res.Encoding = enc
	if o.Document != nil && doc != nil {
		o.Document(doc, res.Base)
	}
	return res, nil
}

// elements matches every element; element() picks what it needs.
var elements = cascadia.MustCompile("*")

// collect gathers the raw references of the UTF-8 document body: from the
// tree goquery walks or, when the parser refuses the document, from its
// tokens. It returns the document goquery walked (nil when read from its
// tokens) and a walker from the pool, which the caller releases. Only a
// read error is an error.
func collect(body io.Reader) (*walker, *goquery.Document, error) {
	sp := newSpool(body)
	defer sp.release()
	root, err := html.ParseWithOptions(sp, html.ParseOptionEnableScripting(false))
	if sp.err != nil {
		return nil, nil, sp.err
	}
	w := newWalker()
	if err != nil {
		// The parser gave up on the document itself (too deeply nested):
		// read what it has read again, then the rest.
		if err := w.tokens(sp.replay()); err != nil {
			w.release()
			return nil, nil, err
		}
		return w, nil, nil
	}
	// goquery over the tree parsed above: one pass of its selector engine
	// collects the elements, in document order.
	doc := goquery.NewDocumentFromNode(root)
	for _, n := range doc.FindMatcher(elements).Nodes {
		w.element(n)
	}
	return w, doc, nil
}

// result resolves and normalizes the references w collected against page
// or the document's base, dropping those that do not resolve to an http(s)
// URL, repeats, and under o.Largest the candidates that lose.
func (w *walker) result(page *url.URL, queryEnc queryEncoder, o Options) Result {
	out := Result{Base: page}
	rs := urlnorm.NewResolver(page)
	if w.hasBase {
		if b, err := rs.Resolve(w.baseHref); err == nil {
			out.Base = b
			rs = urlnorm.NewResolver(b)
		}
	}
	resolve := func(ref string) (*url.URL, bool) {
		if queryEnc != nil {
			ref = legacyQuery(ref, queryEnc)
		}
		u, err := rs.Resolve(ref)
		return u, err == nil
	}
	if w.refresh != "" {
		if u, ok := resolve(w.refresh); ok {
			out.Refresh = u
		}
	}
	us := slices.Grow(w.us[:0], len(w.refs))[:len(w.refs)] // nil: does not resolve
	w.us = us
	for i, ref := range w.refs {
		us[i] = nil
		if u, ok := resolve(ref.val); ok {
			us[i] = u
		}
	}
	var best []int
	if o.Largest {
		best = largest(w.refs, us, w.groups)
	}
	keep := func(i int) bool {
		return us[i] != nil && (best == nil || w.refs[i].group == 0 || best[w.refs[i].group] == i)
	}

	// The three lists share one array, sized for the references kept
	// before repeats are dropped; each is capped at its share, so that
	// appending to one never overwrites the next.
	var nLinks, nImages, nSheets int
	for i, ref := range w.refs {
		switch {
		case !keep(i):
		case ref.image:
			nImages++
		case ref.sheet:
			nSheets++
		default:
			nLinks++
		}
	}
	all := make([]*url.URL, nLinks+nImages+nSheets)
	links := all[:0:nLinks]
	images := all[nLinks : nLinks : nLinks+nImages]
	sheets := all[nLinks+nImages : nLinks+nImages : len(all)]

	// seen records, per normalized URL, which lists (1 links, 2 images,
	// 4 style sheets) already hold it.
	if w.seen == nil {
		w.seen = make(map[urlKey]uint8, len(w.refs))
	}
	seen := w.seen
	for i, ref := range w.refs {
		if !keep(i) {
			continue
		}
		u := us[i]
		bit := uint8(1)
		switch {
		case ref.image:
			bit = 2
		case ref.sheet:
			bit = 4
		}
		key := keyOf(u)
		if seen[key]&bit != 0 {
			continue
		}
		seen[key] |= bit
		switch {
		case ref.image:
			images = append(images, u)
		case ref.sheet:
			sheets = append(sheets, u)
		default:
			links = append(links, u)
		}
	}
	// Lists that stay empty are nil, as they were before the shared array.
	if len(links) > 0 {
		out.Links = links
	}
	if len(images) > 0 {
		out.Images = images
	}
	if len(sheets) > 0 {
		out.Stylesheets = sheets
	}
	return out
}

// urlKey identifies a normalized URL without building its String: two
// URLs have the same key exactly when their Strings are equal. Every URL
// result handles is what url.Parse returns for its own String (see
// urlnorm), so its fields and its String determine each other. Most are
// simple: only scheme, host, path and query set, which the key holds;
// the key of any other holds its String, in rest, which a simple URL's
// leaves empty, so that the two kinds never share a key.
type urlKey struct {
	scheme, host, path, query, rest string
}

func keyOf(u *url.URL) urlKey {
	if u.User != nil || u.Opaque != "" || u.RawPath != "" || u.Fragment != "" ||
		u.RawFragment != "" || u.ForceQuery || u.OmitHost {
		return urlKey{rest: u.String()}
	}
	return urlKey{scheme: u.Scheme, host: u.Host, path: u.Path, query: u.RawQuery}
}

func wrapError(page *url.URL, err error) error {
	name := "page"
	if page != nil {
		name = page.Redacted()
	}
	return fmt.Errorf("extract: %s: %w", name, err)
}
