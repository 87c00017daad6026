package extract

import (
	"net/url"
	"path"
	"strings"
	"sync"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// rawRef is a raw reference found in the document.
type rawRef struct {
	val   string
	image bool
	sheet bool // a style sheet (<link rel=stylesheet>, @import in <style>)
	// group, when not 0, numbers the srcset, <img> or <picture> whose
	// candidates compete under Options.Largest; rank, w and x order them
	// (see largest).
	group int32
	rank  uint8
	w     int32
	x     float32
}

// The ranks of a candidate in its group, best first.
const (
	rankSrcset uint8 = iota // a candidate of a srcset-like attribute
	rankLazy                // the URL of a lazy-loading attribute
	rankSrc                 // src, often a placeholder when lazy attributes are set
)

// walker collects the references of a parsed document in document
// order, in one pass over the tree (or its tokens).
type walker struct {
	refs       []rawRef
	baseHref   string
	hasBase    bool
	refresh    string // the URL of the first valid meta refresh
	hasRefresh bool
	groups     int32                // groups numbered so far
	pictures   map[*html.Node]int32 // the group of each <picture>

	// Scratch space of result, kept with the walker in the pool.
	us   []*url.URL       // the resolved URL of each of refs
	seen map[urlKey]uint8 // the lists each URL is in
}

// walkers pools walkers, with their slices and maps, between pages.
var walkers = sync.Pool{New: func() any { return new(walker) }}

// keepRefs bounds the references (and resolved URLs) a pooled walker has
// room for; a walker that grew larger is left to the collector.
const keepRefs = 4096

func newWalker() *walker { return walkers.Get().(*walker) }

// release empties w, dropping what points into the page, and returns it to
// the pool; w must no longer be used.
func (w *walker) release() {
	if cap(w.refs) > keepRefs || len(w.seen) > keepRefs {
		return
	}
	clear(w.refs)
	clear(w.us[:cap(w.us)])
	clear(w.pictures)
	clear(w.seen)
	*w = walker{refs: w.refs[:0], us: w.us[:0], pictures: w.pictures, seen: w.seen}
	walkers.Put(w)
}

func (w *walker) add(val string, image bool) {
	w.addRef(rawRef{val: val, image: image})
}

func (w *walker) addRef(r rawRef) {
	r.val = strings.TrimSpace(r.val)
	if r.val == "" {
		return
	}
	w.refs = append(w.refs, r)
}

// addSrcset adds the candidates of a srcset-like attribute to group g.
func (w *walker) addSrcset(val string, g int32) {
	for _, c := range parseSrcset(val) {
		w.addRef(rawRef{val: c.url, image: true, group: g, rank: rankSrcset, w: c.w, x: c.x})
	}
}

func (w *walker) addCSS(css string) {
	for _, u := range cssURLs(css) {
		w.add(u, true)
	}
}

// addStyle adds what a <style> element names: images, and the style
// sheets it imports.
func (w *walker) addStyle(css string) {
	images, imports := cssRefs(css)
	for _, u := range images {
		w.add(u, true)
	}
	for _, u := range imports {
		w.addRef(rawRef{val: u, sheet: true})
	}
}

// newGroup numbers a new group of candidates.
func (w *walker) newGroup() int32 {
	w.groups++
	return w.groups
}

// mediaGroup returns the group of n's image candidates when n is an <img>
// or a <picture>'s <source> (that of the <picture> for its <img> and
// sources), else 0.
func (w *walker) mediaGroup(n *html.Node) int32 {
	if n.DataAtom != atom.Img && n.DataAtom != atom.Source {
		return 0
	}
	p := n.Parent
	if p == nil || p.DataAtom != atom.Picture {
		if n.DataAtom == atom.Source {
			return 0
		}
		return w.newGroup()
	}
	g, ok := w.pictures[p]
	if !ok {
		if w.pictures == nil {
			w.pictures = make(map[*html.Node]int32)
		}
		g = w.newGroup()
		w.pictures[p] = g
	}
	return g
}

// element adds what the element n names. The tree walk and the token walk
// both call it, once per element, in document order.
func (w *walker) element(n *html.Node) {
	g := w.mediaGroup(n)
	switch n.DataAtom {
	case atom.A, atom.Area:
		w.add(attr(n, "href"), false)
	case atom.Iframe, atom.Frame:
		w.add(attr(n, "src"), false)
		w.add(attr(n, "data-src"), false)
	case atom.Img:
		w.addRef(rawRef{val: attr(n, "src"), image: true, group: g, rank: rankSrc})
		w.addSrcset(attr(n, "srcset"), g)
	case atom.Source:
		if g != 0 {
			w.addSrcset(attr(n, "srcset"), g)
			w.addRef(rawRef{val: attr(n, "src"), image: true, group: g, rank: rankSrc})
		}
	case atom.Video:
		w.add(attr(n, "poster"), true)
	case atom.Image:
		if n.Namespace == "svg" {
			w.add(attr(n, "href"), true)
		}
	case atom.Object:
		w.addIfImage(attr(n, "data"), attr(n, "type"))
	case atom.Embed:
		w.addIfImage(attr(n, "src"), attr(n, "type"))
	case atom.Input:
		if strings.EqualFold(attr(n, "type"), "image") {
			w.add(attr(n, "src"), true)
		}
	case atom.Link:
		w.link(n)
	case atom.Meta:
		w.meta(n)
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
				w.addStyle(c.Data)
			}
		}
	case atom.Script:
		if isJSONLD(n) {
			w.jsonLD(textOf(n))
		}
	}
	w.commonAttrs(n, g)
}

// link handles <link>: style sheets (rel=stylesheet, and preloaded as
// style), icons, image_src, microdata images and preloaded images (whose
// href and imagesrcset are one group).
func (w *walker) link(n *html.Node) {
	rel := attr(n, "rel")
	switch {
	case hasToken(rel, "stylesheet") || hasToken(rel, "preload") && strings.EqualFold(strings.TrimSpace(attr(n, "as")), "style"):
		w.addRef(rawRef{val: attr(n, "href"), sheet: true})
	case hasToken(rel, "image_src") || isIconRel(rel) || hasToken(attr(n, "itemprop"), "image"):
		w.add(attr(n, "href"), true)
	case hasToken(rel, "preload") && strings.EqualFold(attr(n, "as"), "image"):
		g := w.newGroup()
		w.addRef(rawRef{val: attr(n, "href"), image: true, group: g, rank: rankSrc})
		w.addSrcset(attr(n, "imagesrcset"), g)
	}
}

// meta handles <meta>: the image properties, and the first valid refresh.
func (w *walker) meta(n *html.Node) {
	if isImageMeta(attr(n, "property")) || isImageMeta(attr(n, "name")) || hasToken(attr(n, "itemprop"), "image") {
		w.add(attr(n, "content"), true)
	}
	if !w.hasRefresh && strings.EqualFold(strings.TrimSpace(attr(n, "http-equiv")), "refresh") {
		u, ok := refreshURL(attr(n, "content"))
		w.refresh, w.hasRefresh = strings.TrimSpace(u), ok
	}
}

// addIfImage adds the target of an <object> or <embed> when its type is an
// image's or its path ends in an image extension.
func (w *walker) addIfImage(ref, typ string) {
	mt, _, _ := strings.Cut(typ, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	p := ref
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if strings.HasPrefix(mt, "image/") || LooksLikeImage(p) {
		w.add(ref, true)
	}
}

// LooksLikeImage reports whether the URL path p ends in the extension of
// an image file (.jpg, .png, .svg, ...; any case).
func LooksLikeImage(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".ico", ".svg", ".avif":
		return true
	}
	return false
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

// textOf returns the text n holds.
func textOf(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			if c.NextSibling == nil && b.Len() == 0 {
				return c.Data
			}
			b.WriteString(c.Data)
		}
	}
	return b.String()
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

// isIconRel reports whether a <link>'s rel names an icon: icon (and
// "shortcut icon"), apple-touch-icon, apple-touch-icon-precomposed or
// mask-icon.
func isIconRel(rel string) bool {
	for _, f := range strings.Fields(rel) {
		switch strings.ToLower(f) {
		case "icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon":
			return true
		}
	}
	return false
}
