package urlnorm

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// fuzzSeeds are inputs that exercise the normalizer's corners.
var fuzzSeeds = []string{
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
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := Normalize(raw)
		if err != nil {
			return
		}
		checkInvariants(t, raw, u.String(), u.Scheme, u.Fragment)
	})
}

func FuzzResolve(f *testing.F) {
	for _, s := range fuzzSeeds {
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
		checkInvariants(t, ref, u.String(), u.Scheme, u.Fragment)
	})
}

// FuzzResolveFastPath checks that whenever the fast path of Resolve
// accepts a reference, its result equals the WHATWG path's, for normalized
// bases and for bases as net/url parses them.
func FuzzResolveFastPath(f *testing.F) {
	for _, tt := range fastCases {
		f.Add(tt.base, tt.ref)
	}
	for _, s := range fuzzSeeds {
		f.Add("http://127.0.0.1:8901/p/17.html", s)
	}
	f.Fuzz(func(t *testing.T, base, ref string) {
		if b, err := Normalize(base); err == nil {
			checkFast(t, b, ref)
		}
		if b, err := url.Parse(base); err == nil {
			checkFast(t, b, ref)
		}
	})
}

// FuzzNormalizeFastPath checks that Normalize's fast path for absolute
// URLs gives exactly what the WHATWG parser gives.
func FuzzNormalizeFastPath(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, s := range []string{"http://127.0.0.1:8903/i/12.png", "https://a.example/b?c=1&a=2#f", "http://A.example/",
		"http://a.example:80/x", "https://a.example:0443/", "http://0x7f.1/", "http://xn--a.example/", "http://a..b/",
		"http://a.example/./x", "http://a.example?q", "http://a.example#", "https://1.2.3.4:65535/p;q=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		fast, ok := resolveFast(anyBase, raw)
		if !ok || !strings.HasPrefix(raw, "http://") && !strings.HasPrefix(raw, "https://") {
			return
		}
		slow, err := normalizeWHATWG(raw)
		if err != nil {
			t.Fatalf("Normalize(%q): fast path gave %q, the parser fails: %v", raw, fast, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("Normalize(%q): fast path gave %#v, the parser %#v", raw, fast, slow)
		}
	})
}

func checkInvariants(t *testing.T, in, s, scheme, fragment string) {
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
