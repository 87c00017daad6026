package extract

import (
	"slices"
	"strings"
	"testing"
)

func TestCSS(t *testing.T) {
	sheet := mustNormalize(t, "http://h.test/a/css/main.css")
	for _, tt := range []struct {
		name, body, contentType, fallback string
		images, imports                   []string
		encoding                          string
	}{
		{
			name: "relative to the sheet",
			body: `@import "../b/b.css"; @import url(c.css) screen;
				.x { background: url("img/x.png") } .y { background-image: image-set("y1.png" 1x, url(y2.png) 2x) }`,
			images:  []string{"http://h.test/a/css/img/x.png", "http://h.test/a/css/y1.png", "http://h.test/a/css/y2.png"},
			imports: []string{"http://h.test/a/b/b.css", "http://h.test/a/css/c.css"},
		},
		{
			name: "fonts and other non-images ignored",
			body: `@font-face { src: url(f.woff2) format("woff2"), url(f.ttf) } a { cursor: url(hand.cur), auto;
				behavior: url(x.htc); background: url(f.woff) } b { list-style-image: url(/dot.gif); mask: url(m.svg#a) }
				c { background: url(/api/img?id=3) }`,
			images: []string{"http://h.test/dot.gif", "http://h.test/a/css/m.svg", "http://h.test/api/img?id=3"},
		},
		{
			name:   "repeats once, data and fragments skipped",
			body:   `a{background:url(x.png)} b{background:url('x.png')} c{filter:url(#f)} d{background:url(data:image/png;base64,AA)} @import "data:text/css,a";`,
			images: []string{"http://h.test/a/css/x.png"},
		},
		{
			name:        "BOM wins over everything",
			body:        "\xef\xbb\xbf@charset \"windows-1251\"; a{background:url(\xd0\x96.png)}",
			contentType: "text/css; charset=windows-1252",
			images:      []string{"http://h.test/a/css/%D0%96.png"},
			encoding:    "utf-8",
		},
		{
			name:        "Content-Type charset over @charset",
			body:        "@charset \"windows-1251\"; a{background:url(\xc6.png)}",
			contentType: "text/css; charset=iso-8859-1",
			images:      []string{"http://h.test/a/css/%C3%86.png"},
			encoding:    "windows-1252",
		},
		{
			name:     "@charset",
			body:     "@charset \"windows-1251\"; a{background:url(\xc6.png)}",
			images:   []string{"http://h.test/a/css/%D0%96.png"},
			encoding: "windows-1251",
		},
		{
			name:     "@charset utf-16 means utf-8",
			body:     "@charset \"utf-16le\"; a{background:url(\xd0\x96.png)}",
			images:   []string{"http://h.test/a/css/%D0%96.png"},
			encoding: "utf-8",
		},
		{
			name:     "page's encoding as the fallback",
			body:     "a{background:url(\xc6.png)}",
			fallback: "windows-1251",
			images:   []string{"http://h.test/a/css/%D0%96.png"},
			encoding: "windows-1251",
		},
		{
			name:     "UTF-16 with a BOM",
			body:     "\xff\xfeu\x00r\x00l\x00(\x00x\x00.\x00p\x00n\x00g\x00)\x00",
			images:   []string{"http://h.test/a/css/x.png"},
			encoding: "utf-16le",
		},
		{
			name:        "unknown labels passed over",
			body:        "@charset \"nonsense\"; a{background:url(\xd0\x96.png)}",
			contentType: "text/css; charset=bogus",
			fallback:    "also-bogus",
			images:      []string{"http://h.test/a/css/%D0%96.png"},
			encoding:    "utf-8",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := CSS([]byte(tt.body), tt.contentType, tt.fallback, sheet)
			if g := urlStrings(got.Images); !slices.Equal(g, tt.images) && !(len(g) == 0 && len(tt.images) == 0) {
				t.Errorf("images = %q, want %q", g, tt.images)
			}
			if g := urlStrings(got.Imports); !slices.Equal(g, tt.imports) && !(len(g) == 0 && len(tt.imports) == 0) {
				t.Errorf("imports = %q, want %q", g, tt.imports)
			}
			if tt.encoding != "" && got.Encoding != tt.encoding {
				t.Errorf("encoding = %q, want %q", got.Encoding, tt.encoding)
			}
		})
	}
}

func TestHTMLStylesheets(t *testing.T) {
	page := mustNormalize(t, "http://h.test/doc/index.html")
	doc := `<html><head><meta charset="windows-1251">
		<link rel="stylesheet" href="css/a.css"><link rel="alternate stylesheet" href="alt.css">
		<link rel=preload as=style href="/pre.css"><link rel=preload as=font href="f.woff2">
		<link rel=stylesheet href="css/a.css">
		<style>@import url("in.css"); body{background:url(bg.png)}</style></head>
		<body style="background:url(b2.png)"><a href="css/a.css">a link</a></body></html>`
	ex, err := HTML(strings.NewReader(doc), "text/html", page)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"http://h.test/doc/css/a.css", "http://h.test/doc/alt.css", "http://h.test/pre.css", "http://h.test/doc/in.css"}
	if g := urlStrings(ex.Stylesheets); !slices.Equal(g, want) {
		t.Errorf("stylesheets = %q, want %q", g, want)
	}
	if g, w := urlStrings(ex.Images), []string{"http://h.test/doc/bg.png", "http://h.test/doc/b2.png"}; !slices.Equal(g, w) {
		t.Errorf("images = %q, want %q", g, w)
	}
	if g, w := urlStrings(ex.Links), []string{"http://h.test/doc/css/a.css"}; !slices.Equal(g, w) {
		t.Errorf("links = %q, want %q", g, w)
	}
	if ex.Encoding != "windows-1251" {
		t.Errorf("encoding = %q, want windows-1251", ex.Encoding)
	}
}
