package extract

import (
	"fmt"
	"io"
	"net/url"

	"github.com/PuerkitoBio/goquery"
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
	body, queryEnc, enc, err := decode(r, contentType)
	if err != nil {
		return Result{}, wrapError(page, err)
	}
	w, doc, err := collect(body)
	if err != nil {
		return Result{}, wrapError(page, err)
	}
	res := w.result(page, queryEnc, o)
	res.Encoding = enc
	if o.Document != nil && doc != nil {
		o.Document(doc, res.Base)
	}
	return res, nil
}

// collect gathers the raw references of the UTF-8 document body: from the
// tree goquery walks or, when the parser refuses the document, from its
// tokens. It returns the document goquery walked (nil when read from its
// tokens). Only a read error is an error.
func collect(body io.Reader) (*walker, *goquery.Document, error) {
	sp := newSpool(body)
	defer sp.release()
	root, err := html.ParseWithOptions(sp, html.ParseOptionEnableScripting(false))
	if sp.err != nil {
		return nil, nil, sp.err
	}
	w := &walker{}
	if err != nil {
		// The parser gave up on the document itself (too deeply nested):
		// read what it has read again, then the rest.
		return w, nil, w.tokens(sp.replay())
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
	us := make([]*url.URL, len(w.refs)) // nil: does not resolve
	for i, ref := range w.refs {
		if u, ok := resolve(ref.val); ok {
			us[i] = u
		}
	}
	var best []int
	if o.Largest {
		best = largest(w.refs, us, w.groups)
	}

	// seen records, per normalized URL, which lists (1 links, 2 images,
	// 4 style sheets) already hold it.
	seen := make(map[string]uint8, len(w.refs))
	for i, ref := range w.refs {
		u := us[i]
		if u == nil || best != nil && ref.group != 0 && best[ref.group] != i {
			continue
		}
		bit := uint8(1)
		switch {
		case ref.image:
			bit = 2
		case ref.sheet:
			bit = 4
		}
		key := u.String()
		if seen[key]&bit != 0 {
			continue
		}
		seen[key] |= bit
		switch {
		case ref.image:
			out.Images = append(out.Images, u)
		case ref.sheet:
			out.Stylesheets = append(out.Stylesheets, u)
		default:
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
