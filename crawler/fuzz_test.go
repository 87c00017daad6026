package crawler

import (
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
)

// urlnormFuzzSeeds are inputs that exercise the normalizer's corners.
var urlnormFuzzSeeds = []string{
	"http://example.com/",
	"HTTPS://User:Pass@Example.COM:443/a/./b/../c?b=2&a=1&a=0#frag",
	"http://0x7f.1/%7e%2f%zz|^`{}?q=%7E%2f|^{}&&",
	"http://bücher.example/ä?q=ü",
	"http://[::FFFF:127.0.0.1]:80/",
	`http:\\example.com\a\..\b`,
	" \t http://exa\nmple.com/ \n",
	"javascript:alert(1)",
	"data:image/png;base64,AAAA",
	"http://a{b}.example/",
	"http://%41.example/",
	"http://example.com/%2e%2E/x?%26=%3D",
	"http://:@example.com/",
	"http://xn--a.example/",
	"http://example.com:65535/?=&=x",
	"http://bü" + strings.Repeat("s", 70) + ".example/", // punycode label over 63 bytes
}

func FuzzNormalize(f *testing.F) {
	for _, s := range urlnormFuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := Normalize(raw)
		if err != nil {
			return
		}
		urlnormCheckInvariants(t, raw, u.String(), u.Scheme, u.Fragment)
	})
}

func FuzzResolve(f *testing.F) {
	for _, s := range urlnormFuzzSeeds {
		f.Add("https://www.example.com/dir/page.html?x=1", s)
	}
	f.Add("http://example.com/a/b/", "../../c?d#e")
	f.Add("http://example.com/", `\\other.example\x`)
	f.Add("http://example.com/a", "//0x7f.1:80/?")
	f.Fuzz(func(t *testing.T, base, ref string) {
		b, err := Normalize(base)
		if err != nil {
			return
		}
		u, err := Resolve(b, ref)
		if err != nil {
			return
		}
		urlnormCheckInvariants(t, ref, u.String(), u.Scheme, u.Fragment)
	})
}

// FuzzResolveFastPath checks that whenever the fast path of Resolve
// accepts a reference, its result equals the WHATWG path's, for normalized
// bases and for bases as net/url parses them.
func FuzzResolveFastPath(f *testing.F) {
	for _, tt := range urlnormFastCases {
		f.Add(tt.base, tt.ref)
	}
	for _, s := range urlnormFuzzSeeds {
		f.Add("http://127.0.0.1:8901/p/17.html", s)
	}
	f.Fuzz(func(t *testing.T, base, ref string) {
		if b, err := Normalize(base); err == nil {
			urlnormCheckFast(t, b, ref)
		}
		if b, err := url.Parse(base); err == nil {
			urlnormCheckFast(t, b, ref)
		}
	})
}

// FuzzNormalizeFastPath checks that Normalize's fast path for absolute
// URLs gives exactly what the WHATWG parser gives.
func FuzzNormalizeFastPath(f *testing.F) {
	for _, s := range urlnormFuzzSeeds {
		f.Add(s)
	}
	for _, s := range []string{"http://127.0.0.1:8903/i/12.png", "https://a.example/b?c=1&a=2#f", "http://A.example/",
		"http://a.example:80/x", "https://a.example:0443/", "http://0x7f.1/", "http://xn--a.example/", "http://a..b/",
		"http://a.example/./x", "http://a.example?q", "http://a.example#", "https://1.2.3.4:65535/p;q=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		fast, ok := urlnormResolveFast(urlnormAnyBase, raw)
		if !ok || !strings.HasPrefix(raw, "http://") && !strings.HasPrefix(raw, "https://") {
			return
		}
		slow, err := urlnormNormalize(raw)
		if err != nil {
			t.Fatalf("Normalize(%q): fast path gave %q, the parser fails: %v", raw, fast, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("Normalize(%q): fast path gave %#v, the parser %#v", raw, fast, slow)
		}
	})
}

// FuzzExtractDecode checks that extractDecode yields what the encoding's
// decoder yields, also when it skips the decoder.
func FuzzExtractDecode(f *testing.F) {
	for _, tt := range extractDecodeCases {
		f.Add(tt.body, tt.contentType)
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		extractCheckDecode(t, body, contentType)
	})
}

func urlnormCheckInvariants(t *testing.T, in, s, scheme, fragment string) {
	t.Helper()
	if scheme != "http" && scheme != "https" {
		t.Fatalf("%q: scheme %q", in, scheme)
	}
	if fragment != "" || strings.Contains(s, "#") {
		t.Fatalf("%q: result %q has a fragment", in, s)
	}
	again, err := Normalize(s)
	if err != nil {
		t.Fatalf("%q: result %q does not normalize again: %v", in, s, err)
	}
	if again.String() != s {
		t.Fatalf("%q: not idempotent: %q then %q", in, s, again.String())
	}
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
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range ParseSrcset(s) {
			if c == "" {
				t.Fatalf("%q: empty candidate", s)
			}
			if srcsetIsSpace(c[0]) || srcsetIsSpace(c[len(c)-1]) {
				t.Fatalf("%q: candidate %q has surrounding whitespace", s, c)
			}
			if !strings.Contains(s, c) {
				t.Fatalf("%q: candidate %q is not part of the input", s, c)
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
		for _, u := range CSSURLs(css) {
			if u == "" || u != strings.TrimSpace(u) {
				t.Fatalf("%q: bad reference %q", css, u)
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
	page := mustNormalize(f, "https://www.example.com/dir/")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		ex, err := Extract(strings.NewReader(string(body)), contentType, page)
		if err != nil {
			t.Fatalf("Extract failed on an in-memory body: %v", err)
		}
		for _, list := range [][]*url.URL{ex.Links, ex.Images} {
			seen := map[string]bool{}
			for _, u := range list {
				s := u.String()
				if seen[s] {
					t.Fatalf("duplicate %q", s)
				}
				seen[s] = true
				urlnormCheckInvariants(t, "extracted", s, u.Scheme, u.Fragment)
			}
		}
	})
}
