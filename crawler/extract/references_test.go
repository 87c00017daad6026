package extract

import (
	"slices"
	"strings"
	"testing"
)

// refCase is a document with the links, images and refresh target it
// names, for the page http://site.example/a/b.html, under opt.
type refCase struct {
	name        string
	html        string
	opt         Options
	wantLinks   []string
	wantImages  []string
	wantRefresh string
}

// checkBothWalks checks each case on the tree walk (HTML) and on the walk
// over tokens that HTML falls back to for a document nested too deeply.
func checkBothWalks(t *testing.T, cases []refCase) {
	t.Helper()
	page := mustNormalize(t, "http://site.example/a/b.html")
	for _, tt := range cases {
		for _, walk := range []string{"tree", "tokens"} {
			t.Run(tt.name+"/"+walk, func(t *testing.T) {
				var ex Result
				if walk == "tree" {
					var err error
					if ex, err = tt.opt.HTML(strings.NewReader(tt.html), "text/html", page); err != nil {
						t.Fatal(err)
					}
				} else {
					w := &walker{}
					if err := w.tokens(strings.NewReader(tt.html)); err != nil {
						t.Fatal(err)
					}
					ex = w.result(page, nil, tt.opt)
				}
				if got := urlStrings(ex.Links); !slices.Equal(got, tt.wantLinks) {
					t.Errorf("Links:\n%s", diff(got, tt.wantLinks))
				}
				if got := urlStrings(ex.Images); !slices.Equal(got, tt.wantImages) {
					t.Errorf("Images:\n%s", diff(got, tt.wantImages))
				}
				got := ""
				if ex.Refresh != nil {
					got = ex.Refresh.String()
				}
				if got != tt.wantRefresh {
					t.Errorf("Refresh = %q, want %q", got, tt.wantRefresh)
				}
			})
		}
	}
}

// site makes the URLs of paths on the test pages' site.
func site(paths ...string) []string {
	var out []string
	for _, p := range paths {
		out = append(out, "http://site.example"+p)
	}
	return out
}

func TestExtractReferenceKinds(t *testing.T) {
	checkBothWalks(t, []refCase{
		{
			name: "icons",
			html: `<link rel=icon href=/favicon.ico><link rel="Shortcut Icon" href=/s.ico><link rel=apple-touch-icon href=/t.png>` +
				`<link rel=apple-touch-icon-precomposed href=/tp.png><link rel=mask-icon href=/m.svg color=#000>` +
				`<link rel=stylesheet href=/s.css><link rel=iconic href=/no.png><link rel=alternate href=/no.ico>`,
			wantImages: site("/favicon.ico", "/s.ico", "/t.png", "/tp.png", "/m.svg"),
		},
		{
			name:       "video poster and SVG image",
			html:       `<video poster=/poster.jpg></video><svg><image href=/h.png /><image xlink:href=/x.png /></svg>`,
			wantImages: site("/poster.jpg", "/h.png", "/x.png"),
		},
		{
			name: "object and embed when they name images",
			html: `<object data=/o.svg></object><object data=/o.bin type="image/png"></object><object data=/movie.swf></object>` +
				`<object data=/doc.pdf type=application/pdf></object><embed src="/e.PNG?v=1"><embed src=/player.swf>` +
				`<embed src=/pic type="IMAGE/JPEG; q=1"><embed src="/a.svg#frag" type=text/html>`,
			wantImages: site("/o.svg", "/o.bin", "/e.PNG?v=1", "/pic", "/a.svg"),
		},
		{
			name: "microdata image",
			html: `<meta itemprop=image content=/mi.jpg><div itemscope><meta itemprop="name image" content=/mi2.jpg>` +
				`<meta itemprop=name content=/no.jpg><link itemprop=image href=/li.jpg></div>`,
			wantImages: site("/mi.jpg", "/mi2.jpg", "/li.jpg"),
		},
		{
			name: "JSON-LD image fields",
			html: `<script type="application/ld+json">{"@context":"https://schema.org","@type":"Article",` +
				`"image":["/j1.jpg","/j2.jpg"],"author":{"image":{"@type":"ImageObject","url":"/j3.jpg","contentUrl":"/j4.jpg"}},` +
				`"logo":"/no.jpg","@graph":[{"image":"/j5.jpg"},{"image":[{"url":"/j6.jpg"},"/j7.jpg",["/no-nested.jpg"]]}]}</script>` +
				`<script type="Application/LD+JSON; charset=utf-8">{"image":"/ok.jpg", oops, "image":"/after-error.jpg"}</script>` +
				`<script>var x = {"image":"/not-json-ld.jpg"}</script><script type=application/json>{"image":"/no2.jpg"}</script>` +
				`<script type="application/ld+json"/>[{"name":"x","image":"/self-closing.jpg"}]</script>`,
			wantImages: site("/j1.jpg", "/j2.jpg", "/j3.jpg", "/j4.jpg", "/j5.jpg", "/j6.jpg", "/j7.jpg", "/ok.jpg", "/self-closing.jpg"),
		},
		{
			name: "JSON-LD bounds",
			html: `<script type=application/ld+json>` + strings.Repeat("[", 40) + `{"image":"/deep.jpg"}` + strings.Repeat("]", 40) +
				`</script><script type=application/ld+json>{"image":"/big.jpg","pad":"` + strings.Repeat("x", maxJSONLD) + `"}</script>` +
				`<script type=application/ld+json>` + strings.Repeat("[", 31) + `{"image":"/shallow.jpg"}` + strings.Repeat("]", 31) + `</script>`,
			wantImages: site("/shallow.jpg"),
		},
	})
}

func TestExtractLazyAttributes(t *testing.T) {
	checkBothWalks(t, []refCase{
		{
			name: "library attributes",
			html: `<img data-src=/src.jpg data-lazy-src=/lazy-src.jpg><img data-original=/original.jpg><img data-src-retina=/retina.jpg>` +
				`<img data-srcset="/s1.jpg 1x, /s2.jpg 2x" data-lazy-srcset="/ls.jpg 480w">` +
				`<div data-bgset="/b1.jpg [--small] | /b2.jpg 400w, /b3.jpg 800w"></div>`,
			wantImages: site("/src.jpg", "/lazy-src.jpg", "/original.jpg", "/retina.jpg", "/s1.jpg", "/s2.jpg", "/ls.jpg",
				"/b1.jpg", "/b2.jpg", "/b3.jpg"),
		},
		{
			name: "backgrounds",
			html: `<div data-bg="url('/bg.jpg')"></div><div data-bg=/bare.jpg></div><div data-bg="#ffffff"></div>` +
				`<div data-bg=rgb(0,0,0)></div><div data-bg-hidpi=/hidpi.jpg></div>` +
				`<div data-bg-multi="url(/m1.jpg), linear-gradient(red, blue), url(&quot;/m2.jpg&quot;)" data-bg-multi-hidpi="url(/mh.jpg)"></div>` +
				`<section data-background=//cdn.example/dbg.jpg data-background-image="image.png"></section>`,
			wantImages: append(site("/bg.jpg", "/bare.jpg", "/hidpi.jpg", "/m1.jpg", "/m2.jpg", "/mh.jpg"),
				"http://cdn.example/dbg.jpg", "http://site.example/a/image.png"),
		},
		{
			name: "generic names only with a URL",
			html: `<img data-lazy=/l.jpg><img data-lazy="true"><div data-hi-res=hi.png data-full=full-width></div>` +
				`<a data-large="/large.jpg?w=2000" data-full="1">x</a>`,
			wantImages: site("/l.jpg", "/a/hi.png", "/large.jpg?w=2000"),
		},
		{
			name: "not on media, frames and scripts",
			html: `<video data-src=/v.mp4><source data-src=/v2.mp4></video><audio><source data-srcset=/a.mp3></audio>` +
				`<iframe data-src=/frame.html></iframe><script data-original=/s.js></script><embed data-src=/e.swf>`,
			wantLinks: site("/frame.html"),
		},
	})
}

func TestExtractMetaRefresh(t *testing.T) {
	checkBothWalks(t, []refCase{
		{name: "zero delay", html: `<meta http-equiv="refresh" content="0; url=/next">`, wantRefresh: "http://site.example/next"},
		{name: "any case, quoted", html: `<META HTTP-EQUIV=REFRESH CONTENT="5;URL='next page.html'">`, wantRefresh: "http://site.example/a/next%20page.html"},
		{name: "against the base", html: `<base href=/b/><meta http-equiv=refresh content="1, n.html">`, wantRefresh: "http://site.example/b/n.html"},
		{name: "invalid one skipped", html: `<meta http-equiv=refresh content="soon; url=/1"><meta http-equiv=refresh content="2 /2">`, wantRefresh: "http://site.example/2"},
		{name: "reload only wins", html: `<meta http-equiv=refresh content="30"><meta http-equiv=refresh content="0;url=/x">`},
		{name: "not http", html: `<meta http-equiv=refresh content="0;url=javascript:go()">`},
		{name: "not a link", html: `<meta http-equiv=refresh content="0;url=/x"><a href=/y>y</a>`, wantLinks: site("/y"), wantRefresh: "http://site.example/x"},
		{name: "in noscript", html: `<noscript><meta http-equiv=refresh content="0; url=/nojs"></noscript>`, wantRefresh: "http://site.example/nojs"},
	})
}

func TestRefreshURL(t *testing.T) {
	for _, tt := range []struct {
		content string
		want    string
		ok      bool
	}{
		{"0; url=/a", "/a", true},
		{"0;URL='/a b'", "/a b", true},
		{`0; url="x"y`, "x", true},
		{"0; url = '/x'", "/x", true},
		{"  3 ,  /c", "/c", true},
		{"0 /a", "/a", true},
		{".5; /a", "/a", true},
		{"1.5.6; url=/d", "/d", true},
		{"0; uploads/x", "uploads/x", true},
		{"0; url /a", "url /a", true},
		{"0; 'quoted", "quoted", true},
		{"5", "", true},
		{"5;", "", true},
		{"", "", false},
		{"abc", "", false},
		{"0x; url=/a", "", false},
		{"-1; url=/a", "", false},
	} {
		if got, ok := refreshURL(tt.content); got != tt.want || ok != tt.ok {
			t.Errorf("refreshURL(%q) = %q, %v; want %q, %v", tt.content, got, ok, tt.want, tt.ok)
		}
	}
}
