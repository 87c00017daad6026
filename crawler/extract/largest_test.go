package extract

import (
	"slices"
	"testing"
)

func TestExtractLargest(t *testing.T) {
	largest := Options{Largest: true}
	checkBothWalks(t, []refCase{
		{
			name:       "widest wins over src",
			html:       `<img src=/s.jpg srcset="/a.jpg 480w, /b.jpg 960w, /c.jpg 720w" sizes=50vw>`,
			opt:        largest,
			wantImages: site("/b.jpg"),
		},
		{
			name:       "every candidate without the option",
			html:       `<img src=/s.jpg srcset="/a.jpg 480w, /b.jpg 960w, /c.jpg 720w" sizes=50vw>`,
			wantImages: site("/s.jpg", "/a.jpg", "/b.jpg", "/c.jpg"),
		},
		{
			name:       "densest wins",
			html:       `<img src=/s.jpg srcset="/a.jpg, /b.jpg 2x, /c.jpg 1.5x">`,
			opt:        largest,
			wantImages: site("/b.jpg"),
		},
		{
			name:       "no descriptors: the first, srcset before src",
			html:       `<img src=/s.jpg srcset="/a.jpg, /b.jpg">`,
			opt:        largest,
			wantImages: site("/a.jpg"),
		},
		{
			name:       "a lazy URL wins over a placeholder src",
			html:       `<img src=/placeholder.gif data-src=/real.jpg>`,
			opt:        largest,
			wantImages: site("/real.jpg"),
		},
		{
			name: "picture: across sources and img",
			html: `<picture><source srcset="/p.avif 1x, /p2.avif 2x" type=image/avif><source srcset="/p.webp 1x, /p2.webp 2x">` +
				`<img src=/p.jpg srcset="/p2.jpg 2x"></picture>` +
				`<picture><source media="(min-width: 800px)" srcset="/wide.jpg 1600w"><source srcset="/narrow.jpg 800w"><img src=/fallback.jpg></picture>` +
				`<picture><source data-srcset="/lazy.webp 2x"><img src=/ph.gif data-src=/lazy.jpg></picture>`,
			opt:        largest,
			wantImages: site("/p2.avif", "/wide.jpg", "/lazy.webp"),
		},
		{
			name:       "a candidate that does not resolve does not compete",
			html:       `<img srcset="data:image/png;base64,AA 2x, /ok.jpg 1x, javascript:x 3x">`,
			opt:        largest,
			wantImages: site("/ok.jpg"),
		},
		{
			name:       "a URL named elsewhere is kept",
			html:       `<img srcset="/a.jpg 1x, /b.jpg 2x"><img src=/a.jpg><a href=/a.jpg>a</a>`,
			opt:        largest,
			wantLinks:  site("/a.jpg"),
			wantImages: site("/b.jpg", "/a.jpg"),
		},
		{
			name: "groups of their own",
			html: `<link rel=preload as=image href=/h.jpg imagesrcset="/h1.jpg 400w, /h2.jpg 800w">` +
				`<div data-bgset="/b1.jpg 100w | /b2.jpg 200w" data-src=/d.jpg data-srcset="/b3.jpg 150w"></div>` +
				`<img srcset="/1a.jpg 1x, /1b.jpg 2x"><img srcset="/2a.jpg 100w, /2b.jpg 50w"><div data-src=/d2.jpg></div>`,
			opt:        largest,
			wantImages: site("/h2.jpg", "/b2.jpg", "/d.jpg", "/1b.jpg", "/2a.jpg", "/d2.jpg"),
		},
		{
			name:       "other images are all kept",
			html:       `<meta property=og:image content=/og.jpg><img src=/one.jpg><div style="background:url(/a.png), url(/b.png)"></div>`,
			opt:        largest,
			wantImages: site("/og.jpg", "/one.jpg", "/a.png", "/b.png"),
		},
	})
}

func TestSrcsetDescriptors(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []candidate
	}{
		{"a.png 1x, b.png 2x", []candidate{{url: "a.png", x: 1}, {url: "b.png", x: 2}}},
		{"a.png 480w,b.png 1080w", []candidate{{url: "a.png", w: 480}, {url: "b.png", w: 1080}}},
		{"a.png 480w 300h, b.png 1.5x", []candidate{{url: "a.png", w: 480}, {url: "b.png", x: 1.5}}},
		{"a.png 2x 3x, b.png (x, 9x) 4x", []candidate{{url: "a.png", x: 2}, {url: "b.png", x: 4}}},
		{"a.png 0w, b.png -1x, c.png fooX, d.png infx, e.png", []candidate{{url: "a.png"}, {url: "b.png"}, {url: "c.png"}, {url: "d.png"}, {url: "e.png"}}},
		{"a.png,, b.png\t\n3x", []candidate{{url: "a.png"}, {url: "b.png", x: 3}}},
	} {
		if got := parseSrcset(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("parseSrcset(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
