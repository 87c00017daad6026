package urlnorm

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// fastCases are references the fast path must resolve (want is the
// result) or must leave to the slow path (want is empty).
var fastCases = []struct {
	base, ref, want string
}{
	// Accepted.
	{"http://example.com/dir/page.html?x=1#f", "a.html", "http://example.com/dir/a.html"},
	{"http://example.com/dir/page.html?x=1", "sub/b.jpg", "http://example.com/dir/sub/b.jpg"},
	{"http://example.com/dir/page.html?x=1", "/p/52.html", "http://example.com/p/52.html"},
	{"http://example.com/dir/page.html?x=1", "/", "http://example.com/"},
	{"http://example.com/dir/page.html?x=1", "/a//b/", "http://example.com/a//b/"},
	{"http://example.com/dir/page.html?x=1", "/A/B.JPG", "http://example.com/A/B.JPG"},
	{"http://example.com/dir/page.html?x=1", "~u/-_.~$&+,;=:@", "http://example.com/dir/~u/-_.~$&+,;=:@"},
	{"http://example.com/dir/page.html?x=1", "/a:b", "http://example.com/a:b"},
	{"http://example.com/dir/page.html?x=1", "a/b:c", "http://example.com/dir/a/b:c"},
	{"http://example.com/dir/page.html?x=1", "..a/a..", "http://example.com/dir/..a/a.."},
	{"http://example.com/dir/page.html?x=1", "?b=2&a=1", "http://example.com/dir/page.html?a=1&b=2"},
	{"http://example.com/dir/page.html?x=1", "?", "http://example.com/dir/page.html"},
	{"http://example.com/dir/page.html?x=1", "x?ref=home&utm_source=site", "http://example.com/dir/x?ref=home&utm_source=site"},
	{"http://example.com/dir/page.html?x=1", "x?b=1&a=2&b=0&a&&", "http://example.com/dir/x?a=2&a&b=1&b=0"},
	{"http://example.com/dir/page.html?x=1", "x?&&", "http://example.com/dir/x"},
	{"http://example.com/dir/page.html?x=1", "x?a=1&a=0&a", "http://example.com/dir/x?a=1&a=0&a"},
	{"http://example.com/dir/page.html?x=1", "x?ab=1&a=2", "http://example.com/dir/x?a=2&ab=1"},
	{"http://example.com/dir/page.html?x=1", "x?=1&a&", "http://example.com/dir/x?=1&a"},
	{"http://example.com/dir/page.html?x=1", "x?b&=1", "http://example.com/dir/x?=1&b"},
	{"http://example.com/dir/page.html?x=1", "x?q=/:@", "http://example.com/dir/x?q=/:@"},
	{"http://example.com/dir/page.html?x=1", "x#frag", "http://example.com/dir/x"},
	{"http://example.com/dir/page.html?x=1", "x?q=1#f %?#\\", "http://example.com/dir/x?q=1"},
	{"http://example.com/dir/page.html?x=1", "//cdn.example.net/i.png", "http://cdn.example.net/i.png"},
	{"http://example.com/dir/page.html?x=1", "//host/x", "http://host/x"},
	{"https://example.com/dir/", "//cdn.example.net:8443", "https://cdn.example.net:8443/"},
	{"http://example.com/dir/page.html?x=1", "https://other.example/x?y=1", "https://other.example/x?y=1"},
	{"http://example.com/dir/page.html?x=1", "http://127.0.0.1:8901/p/1.html", "http://127.0.0.1:8901/p/1.html"},
	{"http://example.com/dir/page.html?x=1", "http://a-b.c0.example?q#f", "http://a-b.c0.example/?q"},
	{"http://example.com/dir/page.html?x=1", "https://example.com:80/", "https://example.com:80/"},
	{"http://example.com/dir/page.html?x=1", "//-a-.b--c.d1/", "http://-a-.b--c.d1/"},
	{"http://example.com/dir/page.html?x=1", "//" + strings.Repeat("a", 63) + ".b/", "http://" + strings.Repeat("a", 63) + ".b/"},
	{"http://h", "x", "http://h/x"},
	{"http://example.com/dir", "a", "http://example.com/a"},
	{"http://example.com:8080/dir/", "a", "http://example.com:8080/dir/a"},
	{"http://127.0.0.1:8901/p/17.html", "/i/409.jpg", "http://127.0.0.1:8901/i/409.jpg"},
	{"http://0.0.0.0/", "a", "http://0.0.0.0/a"},
	{"https://www.example.com//a/b?x=1", "c", "https://www.example.com//a/c"},

	// Left to the slow path: the reference.
	{"http://example.com/dir/", "", ""},
	{"http://example.com/dir/?x=1", "#f", ""},
	{"http://example.com/dir/", ".", ""},
	{"http://example.com/dir/", "..", ""},
	{"http://example.com/dir/", "./a", ""},
	{"http://example.com/dir/", "../a", ""},
	{"http://example.com/dir/", "a/./b", ""},
	{"http://example.com/dir/", "/a/../b", ""},
	{"http://example.com/dir/", "a/.", ""},
	{"http://example.com/dir/", "a/..?q", ""},
	{"http://example.com/dir/", "a:b", ""},
	{"http://example.com/dir/", "https:img.png", ""},
	{"http://example.com/dir/", "http:/x", ""},
	{"http://example.com/dir/", "mailto:a@b.example", ""},
	{"http://example.com/dir/", "HTTP://example.com/", ""},
	{"http://example.com/dir/", `a\b`, ""},
	{"http://example.com/dir/", `\a`, ""},
	{"http://example.com/dir/", "%41", ""},
	{"http://example.com/dir/", "A%2fb", ""},
	{"http://example.com/dir/", "x?a=%20", ""},
	{"http://example.com/dir/", " a", ""},
	{"http://example.com/dir/", "a b", ""},
	{"http://example.com/dir/", "a\tb", ""},
	{"http://example.com/dir/", "a\n", ""},
	{"http://example.com/dir/", "/P/Ä", ""},
	{"http://example.com/dir/", "a|b", ""},
	{"http://example.com/dir/", "a!b", ""},
	{"http://example.com/dir/", "x?q='", ""},
	{"http://example.com/dir/", "x?a=1?b", ""},
	{"http://example.com/dir/", "//", ""},
	{"http://example.com/dir/", "///x", ""},
	{"http://example.com/dir/", "http://", ""},
	{"http://example.com/dir/", "http://Example.com/", ""},
	{"http://example.com/dir/", "http://example.com:80/", ""},
	{"http://example.com/dir/", "https://example.com:443/", ""},
	{"https://example.com/dir/", "//example.com:443/", ""},
	{"http://example.com/dir/", "//example.com:080/", ""},
	{"http://example.com/dir/", "//example.com:/", ""},
	{"http://example.com/dir/", "//example.com:0/", ""},
	{"http://example.com/dir/", "//example.com:65536/", ""},
	{"http://example.com/dir/", "//u@example.com/", ""},
	{"http://example.com/dir/", "//0x7f.1/", ""},
	{"http://example.com/dir/", "//1.2.3/", ""},
	{"http://example.com/dir/", "//127.0.0.01/", ""},
	{"http://example.com/dir/", "//256.0.0.1/", ""},
	{"http://example.com/dir/", "//example.123/", ""},
	{"http://example.com/dir/", "//xn--bcher-kva.example/", ""},
	{"http://example.com/dir/", "//a_b.example/", ""},
	{"http://example.com/dir/", "//example.com./", ""},
	{"http://example.com/dir/", "//a..b/", ""},
	{"http://example.com/dir/", "//[::1]/", ""},
	{"http://example.com/dir/", "//" + strings.Repeat("a", 64) + ".b/", ""},
	{"http://example.com/dir/", "//1a/", ""},

	// Left to the slow path: the base.
	{"http://u:p@example.com/dir/", "a", ""},
	{"http://example.com/a%2Fb/c", "d", ""},
	{"http://example.com/a!b/c", "d", ""},
	{"http://example.com/%C3%A4/", "d", ""},
	{"http://xn--bcher-kva.example/", "d", ""},
	{"http://[::1]:8080/", "d", ""},
	{"http://my_host.example/", "d", ""},
	{"http://example.com./", "d", ""},
}

// slowResolve is the WHATWG path of Resolve, without the fast path.
func slowResolve(base *url.URL, ref string) (*url.URL, error) {
	wb, err := parser.Parse(base.String())
	if err != nil {
		return nil, err
	}
	return resolveWHATWG(wb, ref)
}

// checkFast fails if the fast path accepts ref against base with a
// result that differs from the slow path's, and returns that result.
func checkFast(t *testing.T, base *url.URL, ref string) (*url.URL, bool) {
	t.Helper()
	if !fastBase(base) {
		return nil, false
	}
	fast, ok := resolveFast(base, ref)
	if !ok {
		return nil, false
	}
	slow, err := slowResolve(base, ref)
	if err != nil {
		t.Fatalf("base %q, ref %q: fast path gives %q, slow path fails: %v", base, ref, fast, err)
	}
	if !reflect.DeepEqual(fast, slow) || fast.String() != slow.String() {
		t.Fatalf("base %q, ref %q: fast path gives %#v (%q), slow path %#v (%q)", base, ref, fast, fast, slow, slow)
	}
	return fast, true
}

func TestResolveFastPath(t *testing.T) {
	for _, tt := range fastCases {
		t.Run(tt.base+" "+tt.ref, func(t *testing.T) {
			base := mustNormalize(t, tt.base)
			got, ok := checkFast(t, base, tt.ref)
			switch {
			case ok && tt.want == "":
				t.Fatalf("fast path accepts %q and gives %q, want the slow path", tt.ref, got)
			case !ok && tt.want != "":
				t.Fatalf("fast path declines %q, want %q", tt.ref, tt.want)
			case ok && got.String() != tt.want:
				t.Fatalf("fast path gives %q, want %q", got, tt.want)
			}
			// Resolve, which tries the fast path first, agrees.
			want, wantErr := slowResolve(base, tt.ref)
			u, err := Resolve(base, tt.ref)
			if (err != nil) != (wantErr != nil) || err == nil && !reflect.DeepEqual(u, want) {
				t.Fatalf("Resolve(%q) = %v, %v; slow path %v, %v", tt.ref, u, err, want, wantErr)
			}
		})
	}
}

// A non-normalized base takes the fast path only when WHATWG parsing would
// not change its host or path.
func TestResolveFastPathRawBase(t *testing.T) {
	for _, tt := range []struct {
		base string
		fast bool
	}{
		{"http://example.com/dir/", true},
		{"http://example.com:8080/dir/?q=a b#f g", true},
		{"http://Example.com/dir/", false},
		{"HTTP://example.com/dir/", true}, // url.Parse lowercases the scheme
		{"http://example.com:80/dir/", false},
		{"http://example.com/a/../b/", false},
		{"http://example.com/a/./b/", false},
		{"http://example.com/a%20b/", false},
		{"http://example.com/a%2Fb/", false},
		{"http://example.com", false},
		{"http://0x7f.1/", false},
		{"ftp://example.com/", false},
	} {
		t.Run(tt.base, func(t *testing.T) {
			base, err := url.Parse(tt.base)
			if err != nil {
				t.Fatal(err)
			}
			if got := fastBase(base); got != tt.fast {
				t.Fatalf("fastBase(%q) = %v, want %v", tt.base, got, tt.fast)
			}
			checkFast(t, base, "x/y?b&a")
		})
	}
}

func TestResolverParsesBaseLazily(t *testing.T) {
	r := NewResolver(mustNormalize(t, "http://127.0.0.1:8901/p/17.html"))
	for _, ref := range []string{"/p/52.html", "/i/409.jpg", "/", "p.html?a=1"} {
		if _, err := r.Resolve(ref); err != nil {
			t.Fatalf("Resolve(%q): %v", ref, err)
		}
	}
	for _, ref := range []string{"data:image/gif;base64,R0lG", "mailto:a@b.example"} {
		if u, err := r.Resolve(ref); err == nil {
			t.Fatalf("Resolve(%q) = %q, want an error", ref, u)
		}
	}
	if r.parsed {
		t.Fatal("simple references made the resolver parse the base")
	}
	u, err := r.Resolve("../x/./y")
	if err != nil || u.String() != "http://127.0.0.1:8901/x/y" || !r.parsed {
		t.Fatalf(`Resolve("../x/./y") = %v, %v; parsed %v`, u, err, r.parsed)
	}
}

// Normalize takes the fast path for plain absolute URLs, with the parser's
// result, and leaves the rest to the parser.
func TestNormalizeFastPath(t *testing.T) {
	for raw, fast := range map[string]bool{
		"http://127.0.0.1:8903/i/12.png":   true,
		"https://a.example/b?c=1&a=2#frag": true,
		"http://a.example":                 true,
		"http://A.example/":                false,
		"http://a.example:80/":             false,
		"http://a.example/%41":             false,
		"http://a.example/a/../b":          false,
	} {
		u, ok := resolveFast(anyBase, raw)
		if ok != fast {
			t.Errorf("%q: fast path %v, want %v", raw, ok, fast)
		}
		slow, err := normalizeWHATWG(raw)
		got, gerr := Normalize(raw)
		if err != nil || gerr != nil || got.String() != slow.String() || ok && u.String() != slow.String() {
			t.Errorf("%q: Normalize %v (%v), fast %v, parser %v (%v)", raw, got, gerr, u, slow, err)
		}
	}
}
