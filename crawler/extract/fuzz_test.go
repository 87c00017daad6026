package extract

import (
	"math"
	"net/url"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
)

// FuzzExtractDecode checks that decode yields what the encoding's
// decoder yields, also when it skips the decoder.
func FuzzExtractDecode(f *testing.F) {
	for _, tt := range decodeCases {
		f.Add(tt.body, tt.contentType)
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		checkDecode(t, body, contentType)
	})
}

func FuzzParseSrcset(f *testing.F) {
	for _, s := range []string{
		"a.png 1x, b.png 2x",
		"small.jpg 480w,large.jpg 1080w",
		"img.php?a=1,2 2x, b.png",
		"a.png,,, b.png (x, y) 2x",
		" \t\n\f\r, ,",
		"",
		"data:image/png;base64,AAAA 1x",
		"a.png 480w 2x (1x, 2x), b.png 1e400x 99999999999999999999w",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, cand := range parseSrcset(s) {
			c := cand.url
			if c == "" {
				t.Fatalf("%q: empty candidate", s)
			}
			if srcsetIsSpace(c[0]) || srcsetIsSpace(c[len(c)-1]) {
				t.Fatalf("%q: candidate %q has surrounding whitespace", s, c)
			}
			if !strings.Contains(s, c) {
				t.Fatalf("%q: candidate %q is not part of the input", s, c)
			}
			if cand.w < 0 || cand.x < 0 || math.IsInf(float64(cand.x), 0) || math.IsNaN(float64(cand.x)) {
				t.Fatalf("%q: candidate %+v has a bad descriptor", s, cand)
			}
		}
	})
}

func FuzzCSSURLs(f *testing.F) {
	for _, s := range []string{
		"background: url(a.png), url('b c.png') no-repeat",
		`url(a\)b\"c) url("d\
e") url(\000041)`,
		`@import url(x.css); @font-face{src:url(f.woff)} a{b:image-set("c.png" 1x)}`,
		"/* url(x) */ url(#f) url(data:x) url(",
		`url('a`,
		"-webkit-image-set(url(a.png) 1x, 'b.png' 2x)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, css string) {
		for _, u := range cssURLs(css) {
			if u == "" || u != strings.TrimSpace(u) {
				t.Fatalf("%q: bad reference %q", css, u)
			}
		}
	})
}

// FuzzCSS checks that CSS returns only valid, distinct URLs, from any
// bytes in any declared encoding, and that the text it reads is UTF-8.
func FuzzCSS(f *testing.F) {
	f.Add([]byte(`@import "../b/b.css"; a{background:url(img/x.png) image-set("y.png" 1x)}`), "text/css", "")
	f.Add([]byte("\xef\xbb\xbf@import url('a.css') screen;"), "", "windows-1251")
	f.Add([]byte("\xff\xfeu\x00r\x00l\x00(\x00a\x00)\x00"), "text/css; charset=utf-8", "")
	f.Add([]byte(`@charset "utf-16le"; @font-face{src:url(f.woff2)} b{cursor:url(c.cur)}`), "text/css;charset=bogus", "shift_jis")
	f.Add([]byte(`@charset "windows-1251"; a{background:url(\xcf.png)}`), "", "")
	sheet := mustNormalize(f, "https://www.example.com/css/a.css")
	f.Fuzz(func(t *testing.T, body []byte, contentType, fallback string) {
		text, _ := decodeCSS(body, contentType, fallback)
		if !utf8.ValidString(text) {
			t.Fatalf("decoded text is not UTF-8: %q", text)
		}
		sh := CSS(body, contentType, fallback, sheet)
		if sh.Encoding == "" {
			t.Fatal("no encoding")
		}
		checkResult(t, Result{Images: sh.Images, Stylesheets: sh.Imports})
		for _, u := range sh.Images {
			if notImageExt(u.Path) {
				t.Fatalf("image %q has a non-image extension", u)
			}
		}
	})
}

func FuzzExtract(f *testing.F) {
	for _, name := range []string{"extract_page.html", "extract_cp1251_meta.html"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "text/html")
	}
	f.Add([]byte(`<base href="//x.example/"><a href="?a=1">`), "text/html; charset=windows-1251")
	f.Add([]byte("<img srcset=',,,' style='background:url('><svg><image xlink:href=x>"), "")
	f.Add([]byte{0xef, 0xbb, 0xbf, '<', 'a', ' ', 'h', 'r', 'e', 'f', '=', 0xff, '>'}, "text/html; charset=bogus")
	f.Add([]byte(`<meta http-equiv=refresh content="0; URL='/n'"><script type=application/ld+json>{"image":[{"url":"a.png"}]}</script>`+
		`<picture><source srcset="a.png 2x, b.png 480w"><img src=c.png data-src=d.png></picture><div data-bgset="x.png | y.png 2x">`), "")
	page := mustNormalize(f, "https://www.example.com/dir/")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		var all int
		for _, opt := range []Options{{}, {Largest: true}} {
			ex, err := opt.HTML(strings.NewReader(string(body)), contentType, page)
			if err != nil {
				t.Fatalf("HTML failed on an in-memory body: %v", err)
			}
			checkResult(t, ex)
			if !opt.Largest {
				all = len(ex.Images)
			} else if len(ex.Images) > all {
				t.Fatalf("Largest kept %d images of %d", len(ex.Images), all)
			}
		}
	})
}

// checkResult fails unless every URL of ex is a valid result, and no list
// holds one twice.
func checkResult(t *testing.T, ex Result) {
	t.Helper()
	for _, list := range [][]*url.URL{ex.Links, ex.Images, ex.Stylesheets} {
		seen := map[string]bool{}
		for _, u := range list {
			s := u.String()
			if seen[s] {
				t.Fatalf("duplicate %q", s)
			}
			seen[s] = true
			checkInvariants(t, "extracted", s, u.Scheme, u.Fragment)
		}
	}
	if u := ex.Refresh; u != nil {
		checkInvariants(t, "refresh", u.String(), u.Scheme, u.Fragment)
	}
}

// checkInvariants fails unless s, the String of a URL extracted from in, is
// an http(s) URL without fragment that normalizes to itself.
func checkInvariants(t *testing.T, in, s, scheme, fragment string) {
	t.Helper()
	if scheme != "http" && scheme != "https" {
		t.Fatalf("%q: scheme %q", in, scheme)
	}
	if fragment != "" || strings.Contains(s, "#") {
		t.Fatalf("%q: result %q has a fragment", in, s)
	}
	again, err := urlnorm.Normalize(s)
	if err != nil {
		t.Fatalf("%q: result %q does not normalize again: %v", in, s, err)
	}
	if again.String() != s {
		t.Fatalf("%q: not idempotent: %q then %q", in, s, again.String())
	}
}
