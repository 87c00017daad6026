package extract

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// lazyKind is how a lazy-loading attribute names its image.
type lazyKind uint8

const (
	lazyURL        lazyKind = iota + 1 // a URL
	lazyLooseURL                       // a URL if it looks like one (see looksLikeRef)
	lazySrcset                         // a srcset
	lazyBgset                          // lazysizes' bgset: srcsets separated by "|"
	lazyBackground                     // a CSS background value, or a bare URL
)

// lazyAttrs are the attributes lazy-loading libraries read the real image
// from, on any element. The names used by lazysizes, lozad, vanilla-lazyload,
// jQuery lazyload, blazy and unveil are taken as they are; the more generic
// names (data-lazy, data-hi-res, data-full, data-large, and data-bg and
// data-background without url()) only when their value looks like a URL,
// since sites also use them for flags and colours.
var lazyAttrs = map[string]lazyKind{
	"data-src":              lazyURL,        // lazysizes, lozad, vanilla-lazyload, blazy, most others
	"data-lazy-src":         lazyURL,        // WP Rocket, a3 Lazy Load
	"data-original":         lazyURL,        // jQuery lazyload
	"data-src-retina":       lazyURL,        // blazy, unveil
	"data-lazy":             lazyLooseURL,   // slick
	"data-hi-res":           lazyLooseURL,   //
	"data-full":             lazyLooseURL,   // galleries, lightboxes
	"data-large":            lazyLooseURL,   //
	"data-srcset":           lazySrcset,     // lazysizes, lozad, vanilla-lazyload
	"data-lazy-srcset":      lazySrcset,     // WP Rocket
	"data-bgset":            lazyBgset,      // lazysizes bgset
	"data-bg":               lazyBackground, // vanilla-lazyload (a URL), others (url(...))
	"data-bg-hidpi":         lazyBackground, // vanilla-lazyload
	"data-bg-multi":         lazyBackground, // vanilla-lazyload: url(a), url(b)
	"data-bg-multi-hidpi":   lazyBackground, // vanilla-lazyload
	"data-background":       lazyBackground,
	"data-background-image": lazyBackground, // lozad
}

// commonAttrs handles the attributes that count on any element: style and
// the lazy-loading attributes (already handled for frames, whose data-src
// names a page, and skipped on media and script elements and on a <source>
// outside a <picture>). g is the group of an <img> or <picture> source's
// candidates, else 0: the srcset-like attributes of another element are a
// group of their own.
func (w *walker) commonAttrs(n *html.Node, g int32) {
	takesLazy := true
	switch n.DataAtom {
	case atom.Iframe, atom.Frame, atom.Script, atom.Audio, atom.Video, atom.Track, atom.Embed, atom.Object:
		takesLazy = false
	case atom.Source:
		takesLazy = g != 0
	}
	own := int32(0) // the group of another element's srcset-like attributes
	for _, a := range n.Attr {
		if a.Namespace != "" {
			continue
		}
		if a.Key == "style" {
			w.addCSS(a.Val)
			continue
		}
		if !takesLazy || !strings.HasPrefix(a.Key, "data-") {
			continue
		}
		kind := lazyAttrs[a.Key]
		if kind == 0 {
			continue
		}
		ag := g
		if ag == 0 && (kind == lazySrcset || kind == lazyBgset) {
			if own == 0 {
				own = w.newGroup()
			}
			ag = own
		}
		w.lazy(kind, a.Val, ag)
	}
}

// lazy adds the image references of a lazy-loading attribute's value.
func (w *walker) lazy(kind lazyKind, val string, g int32) {
	switch kind {
	case lazyURL:
		w.addRef(rawRef{val: val, image: true, group: g, rank: rankLazy})
	case lazyLooseURL:
		if looksLikeRef(val) {
			w.addRef(rawRef{val: val, image: true, group: g, rank: rankLazy})
		}
	case lazySrcset:
		w.addSrcset(val, g)
	case lazyBgset:
		// "a.jpg [--small] | b.jpg 400w, c.jpg 800w": sets separated by
		// "|", each with a media query in brackets.
		for set := range strings.SplitSeq(val, "|") {
			if i := strings.IndexByte(set, '['); i >= 0 {
				media := strings.IndexByte(set[i:], ']')
				if media < 0 {
					media = len(set) - i - 1
				}
				set = set[:i] + " " + set[i+media+1:]
			}
			w.addSrcset(set, g)
		}
	case lazyBackground:
		if strings.Contains(val, "(") {
			w.addCSS(val) // url(a.jpg), image-set(...); not colours or gradients
		} else if looksLikeRef(val) {
			w.addRef(rawRef{val: val, image: true, group: g, rank: rankLazy})
		}
	}
}

// looksLikeRef reports whether the value of a generic attribute looks like
// a URL rather than a flag, a number or a colour: it has a slash, or ends in
// an image extension.
func looksLikeRef(v string) bool {
	v = strings.TrimSpace(v)
	if strings.Contains(v, "/") {
		return true
	}
	if i := strings.IndexAny(v, "?#"); i >= 0 {
		v = v[:i]
	}
	return LooksLikeImage(v)
}
