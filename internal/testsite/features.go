package testsite

import "fmt"

// decoration is a block of feature HTML attached to a numbered page. links
// and images list, in the site's source form and already resolved against the
// page (and its <base>, if any), what a correct crawler finds in head and
// body: links it follows (a, area, iframe, frame) and images it fetches. The
// text "{host}" in head or body is replaced by the request's Host.
type decoration struct {
	page       int // the numbered page it is attached to
	head, body string
	links      []string
	images     []string
}

// extraPage is a feature page outside the numbered ones.
type extraPage struct {
	declared string // path (with query) in source form
	title    string
	body     string
	latin1   bool // served as windows-1252 instead of UTF-8
	links    []string
	images   []string
}

// featureImage is an image the features add, served at every path in paths.
type featureImage struct {
	format imgFormat
	paths  []string
}

// notImagePath serves an HTML document labelled image/jpeg.
const notImagePath = "/img/fake.jpg"

// A 1×1 GIF placeholder, as lazy-loading scripts use; a crawler must skip it.
const dataGIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"

var featureImages = []featureImage{
	{fmtPNG, []string{"/img/a/photo.png"}},
	{fmtPNG, []string{"/img/b/photo.png"}},
	{fmtJPEG, []string{"/img.php?id=3&size=l"}},
	{fmtPNG, []string{"/img.php?id=7,8"}},
	{fmtPNG, []string{"/img/x1.png"}},
	{fmtPNG, []string{"/img/x2.png"}},
	{fmtJPEG, []string{"/img/w800.jpg"}},
	{fmtPNG, []string{"/img/lazy-src.png"}},
	{fmtPNG, []string{"/img/lazy-set-1x.png"}},
	{fmtJPEG, []string{"/img/lazy-set-2x.jpg"}},
	{fmtGIF, []string{"/img/lazy.gif"}},
	{fmtPNG, []string{"/img/source.png"}},
	{fmtJPEG, []string{"/img/fallback.jpg"}},
	{fmtJPEG, []string{"/img/og.jpg"}},
	{fmtPNG, []string{"/img/twitter.png"}},
	{fmtGIF, []string{"/img/image-src.gif"}},
	{fmtGIF, []string{"/img/button.gif"}},
	{fmtJPEG, []string{"/img/bg-inline.jpg"}},
	{fmtPNG, []string{"/img/bg-block.png"}},
	{fmtGIF, []string{"/p/sub/pic.gif"}},
	{fmtJPEG, []string{"/p/sub/img/leaf.jpg"}},
	{fmtPNG, []string{"/dup/1.png", "/dup/2.png"}},
	{fmtPNG, []string{"/private/hidden.png"}},
	{fmtPNG, []string{"/private/secret.png"}},
	{fmtPNG, []string{"/private/open.png"}},
	{fmtPNG, []string{"/img/café.png"}},
	{fmtPNG, []string{"/img/area.png"}},
	{fmtGIF, []string{"/img/frame.gif"}},
	{fmtPNG, []string{"/img/~tilde.png"}},
}

var extraPages = []extraPage{
	{
		declared: "/p/list?a=1&b=2",
		title:    "The list",
		body: `<p>Items, large size.</p>
<img src="/img.php?id=3&amp;size=l" alt="large">
<a href="/p/list?a=1&amp;b=2">This list</a> <a href="/">Home</a>`,
		links:  []string{"/p/list?a=1&b=2", "/"},
		images: []string{"/img.php?id=3&size=l"},
	},
	{
		declared: "/p/sub/leaf.html",
		title:    "A leaf",
		body:     `<img src="img/leaf.jpg" alt="leaf"> <a href="../../">Home</a>`,
		links:    []string{"/"},
		images:   []string{"/p/sub/img/leaf.jpg"},
	},
	{
		declared: "/p/latin1.html",
		title:    "Carte du café",
		body: `<p>Crème brûlée à la carte – 5 €, “naïve” façade.</p>
<img src="/img/café.png" alt="café">`,
		latin1: true,
		images: []string{"/img/café.png"},
	},
	{
		declared: "/p/area.html",
		title:    "Reached through an image map",
		body:     `<img src="/img/area.png" alt="area">`,
		images:   []string{"/img/area.png"},
	},
	{
		declared: "/p/frame.html",
		title:    "Reached through an iframe",
		body:     `<img src="/img/frame.gif" alt="frame">`,
		images:   []string{"/img/frame.gif"},
	},
	{
		declared: "/private/secret.html",
		title:    "Staff only",
		body:     `<img src="/private/secret.png" alt="secret">`,
		images:   []string{"/private/secret.png"},
	},
}

// buildDecorations returns the feature blocks for a site of n numbered
// pages. The first goes on "/", the others are spread over the pages.
func buildDecorations(n int) []decoration {
	p3 := pagePath(min(3, n-1))
	d := []decoration{
		{
			head: `<meta property="og:image" content="{host}/img/og.jpg">
<meta name="twitter:image" content="/img/twitter.png">`,
			body: `<p><a href="/private/secret.html">Staff only</a>
<a href="/p/list?b=2&amp;a=1">The list</a>
<a href="http://example.invalid/x.html">Elsewhere</a>
<a href="mailto:webmaster@example.invalid">Mail us</a>
<a href="javascript:void(0)">Nothing</a></p>`,
			links:  []string{"/private/secret.html", "/p/list?b=2&a=1", "http://example.invalid/x.html"},
			images: []string{"/img/og.jpg", "/img/twitter.png"},
		},
		{
			body: `<figure><img src="/img/x1.png" srcset="/img/x1.png 1x, /img/x2.png 2x" alt="density"></figure>
<figure><img src="/img/a/photo.png" srcset="/img.php?id=7,8 480w, /img/w800.jpg 800w"
 sizes="(max-width: 600px) 480px, 800px" alt="width"></figure>`,
			images: []string{"/img/x1.png", "/img/x2.png", "/img/a/photo.png", "/img.php?id=7,8", "/img/w800.jpg"},
		},
		{
			body: `<img src="` + dataGIF + `" data-src="/img/lazy-src.png" alt="lazy">
<img data-srcset="/img/lazy-set-1x.png 1x, /img/lazy-set-2x.jpg 2x" alt="lazy set">
<img data-lazy-src="/img/lazy.gif" alt="lazy plugin">`,
			images: []string{"/img/lazy-src.png", "/img/lazy-set-1x.png", "/img/lazy-set-2x.jpg", "/img/lazy.gif"},
		},
		{
			head: `<link rel="image_src" href="/img/image-src.gif">`,
			body: `<picture><source media="(min-width: 800px)" srcset="/img/source.png">
<img src="/img/fallback.jpg" alt="picture"></picture>
<form action="/search" method="get"><input type="image" src="/img/button.gif" alt="Go"></form>`,
			images: []string{"/img/image-src.gif", "/img/source.png", "/img/fallback.jpg", "/img/button.gif"},
		},
		{
			head:   `<style>.hero { background: #eee url(/img/bg-block.png) no-repeat; }</style>`,
			body:   `<div class="hero" style="background-image: url('/img/bg-inline.jpg'); height: 10px"></div>`,
			images: []string{"/img/bg-block.png", "/img/bg-inline.jpg"},
		},
		{
			head:   `<base href="/p/sub/">`,
			body:   `<p><a href="leaf.html">A leaf under the base</a> <img src="pic.gif" alt="relative to the base"></p>`,
			links:  []string{"/p/sub/leaf.html"},
			images: []string{"/p/sub/pic.gif"},
		},
		{
			body: fmt.Sprintf(`<p><a href="%s#top">Top of page %d</a>
<a href="/p/missing.html">Gone</a> <a href="/nowhere/">Nowhere</a>
<a href="/p/latin1.html">La carte</a></p>
<img src="/img/missing.png" alt="broken"> <img src="/dup/1.png" alt="dup one">
<img src="/img/b/photo.png" alt="photo b">`, p3, min(3, n-1)),
			links:  []string{p3 + "#top", "/p/missing.html", "/nowhere/", "/p/latin1.html"},
			images: []string{"/img/missing.png", "/dup/1.png", "/img/b/photo.png"},
		},
		{
			body: `<img src="/private/hidden.png" alt="hidden"> <img src="/private/open.png" alt="open">
<img src="` + notImagePath + `" alt="not really an image">
<img src="/img.php?size=l&amp;id=3" alt="reordered query"> <img src="/img/~tilde.png" alt="tilde">
<map name="m"><area shape="rect" coords="0,0,10,10" href="/p/area.html" alt="area"></map>
<img src="/dup/2.png" usemap="#m" alt="dup two">
<iframe src="/p/frame.html" title="frame"></iframe>`,
			links: []string{"/p/area.html", "/p/frame.html"},
			images: []string{"/private/hidden.png", "/private/open.png", notImagePath,
				"/img.php?size=l&id=3", "/img/~tilde.png", "/dup/2.png"},
		},
		{
			body:   `<img src="/img/%7Etilde.png" alt="escaped tilde"> <a href="/p/list?a=1&amp;b=2">The list again</a>`,
			links:  []string{"/p/list?a=1&b=2"},
			images: []string{"/img/%7Etilde.png"},
		},
	}
	for i := range d {
		d[i].page = (i * 5) % n
	}
	return d
}

// pagePath returns the path of numbered page i.
func pagePath(i int) string {
	if i == 0 {
		return "/"
	}
	return fmt.Sprintf("/p/%d.html", i)
}
