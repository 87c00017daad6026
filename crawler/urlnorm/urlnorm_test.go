package urlnorm

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"scheme and host lowercased", "HTTP://WWW.Example.COM/Path", "http://www.example.com/Path"},
		{"http default port dropped", "http://example.com:80/a", "http://example.com/a"},
		{"https default port dropped", "https://example.com:443/a", "https://example.com/a"},
		{"other port kept", "https://example.com:80/a", "https://example.com:80/a"},
		{"empty path becomes slash", "http://example.com", "http://example.com/"},
		{"fragment dropped", "http://example.com/a#top", "http://example.com/a"},
		{"empty fragment dropped", "http://example.com/a?x=1#", "http://example.com/a?x=1"},
		{"dot segments", "http://example.com/a/./b/../c/.", "http://example.com/a/c/"},
		{"dot segments above root", "http://example.com/../../a", "http://example.com/a"},
		{"encoded dot segments", "http://example.com/a/%2e%2E/b/%2E/c", "http://example.com/b/c"},
		{"query sorted by key", "http://example.com/?b=2&a=1", "http://example.com/?a=1&b=2"},
		{"equal keys keep their order", "http://example.com/?b=1&a=2&b=0&a=1", "http://example.com/?a=2&a=1&b=1&b=0"},
		{"key without value", "http://example.com/?z&a=", "http://example.com/?a=&z"},
		{"empty query dropped", "http://example.com/a?", "http://example.com/a"},
		{"empty parameters dropped", "http://example.com/a?&&x=1&", "http://example.com/a?x=1"},
		{"only separators dropped", "http://example.com/a?&&", "http://example.com/a"},
		{"unreserved escapes decoded", "http://example.com/%7Euser/%41%2d%5F%2E?%61=%7e", "http://example.com/~user/A-_.?a=~"},
		{"reserved escape kept and uppercased", "http://example.com/a%2fb?q=%2f%3d", "http://example.com/a%2Fb?q=%2F%3D"},
		{"stray percent encoded", "http://example.com/100%/x?p=5%zz", "http://example.com/100%25/x?p=5%25zz"},
		{"chars net/url escapes", "http://example.com/a|b^c?x={y}|", "http://example.com/a%7Cb%5Ec?x=%7By%7D%7C"},
		{"brackets and sub-delims kept", "http://example.com/[a]!$&'()*+,;=:@?k=[v]!$'()*+,;:@/?", "http://example.com/[a]!$&'()*+,;=:@?k=[v]!$%27()*+,;:@/?"},
		{"spaces and quotes encoded", `http://example.com/a b"c<d>?q=a b"`, "http://example.com/a%20b%22c%3Cd%3E?q=a%20b%22"},
		{"non-ASCII path and query as UTF-8", "http://example.com/ä?q=ü", "http://example.com/%C3%A4?q=%C3%BC"},
		{"IDN host to punycode", "http://Bücher.example/", "http://xn--bcher-kva.example/"},
		{"punycode host kept", "http://xn--bcher-kva.example/", "http://xn--bcher-kva.example/"},
		{"fullwidth host mapped", "http://ＥＸＡＭＰＬＥ.com/", "http://example.com/"},
		{"hex and short IPv4", "http://0x7f.1/", "http://127.0.0.1/"},
		{"decimal IPv4", "http://2130706433/", "http://127.0.0.1/"},
		{"octal IPv4", "http://0177.0.0.01/", "http://127.0.0.1/"},
		{"IPv6 compressed", "http://[0:0:0:0:0:0:0:1]:8080/", "http://[::1]:8080/"},
		{"IPv6 default port", "https://[2001:DB8::1]:443/", "https://[2001:db8::1]/"},
		{"userinfo kept", "http://user:pa%73s@example.com/", "http://user:pass@example.com/"},
		{"userinfo reserved stays escaped", "http://us%40er:p%3Ass@example.com/", "http://us%40er:p%3Ass@example.com/"},
		{"username only", "http://user@example.com/", "http://user@example.com/"},
		{"backslashes are slashes", `http:\\example.com\a\b.png`, "http://example.com/a/b.png"},
		{"tabs and newlines removed", "http://exa\tmple.com/a\n/b\r", "http://example.com/a/b"},
		{"surrounding whitespace trimmed", " \t http://example.com/x \n", "http://example.com/x"},
		{"missing slashes after scheme", "http:example.com/x", "http://example.com/x"},
		{"extra slashes after scheme", "http:///example.com/x", "http://example.com/x"},
		{"trailing dot in host kept", "http://example.com./", "http://example.com./"},
		{"underscore in host", "http://my_host.example/", "http://my_host.example/"},
		{"double slash path kept", "http://example.com//a//b", "http://example.com//a//b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Normalize(tt.in)
			if err != nil {
				t.Fatalf("Normalize(%q): %v", tt.in, err)
			}
			if got := u.String(); got != tt.want {
				t.Fatalf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			again, err := Normalize(u.String())
			if err != nil || again.String() != tt.want {
				t.Fatalf("not idempotent: Normalize(%q) = %v, %v", tt.want, again, err)
			}
		})
	}
}

func TestNormalizeFields(t *testing.T) {
	u, err := Normalize("http://u:p@Example.com:8080/a%2Fb/%C3%A4?b=1&a=2#f")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"Scheme", u.Scheme, "http"},
		{"Host", u.Host, "example.com:8080"},
		{"Hostname", u.Hostname(), "example.com"},
		{"Path", u.Path, "/a/b/ä"},
		{"EscapedPath", u.EscapedPath(), "/a%2Fb/%C3%A4"},
		{"RawQuery", u.RawQuery, "a=2&b=1"},
		{"Fragment", u.Fragment, ""},
		{"User", u.User.String(), "u:p"},
		{"RequestURI", u.RequestURI(), "/a%2Fb/%C3%A4?a=2&b=1"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
			}
		})
	}
}

func TestNormalizeRejects(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		badScheme bool
	}{
		{"mailto", "mailto:someone@example.com", true},
		{"javascript", "javascript:alert(1)", true},
		{"javascript with spaces and case", "  JavaScript:void(0)", true},
		{"javascript split by tab", "java\tscript:void(0)", true},
		{"data", "data:image/png;base64,AAAA", true},
		{"ftp", "ftp://example.com/file", true},
		{"file", "file:///etc/passwd", true},
		{"tel", "tel:+123", true},
		{"relative path", "a/b.html", false},
		{"root relative", "/a/b.html", false},
		{"scheme relative", "//example.com/x", false},
		{"empty", "", false},
		{"no host", "http://", false},
		{"port out of range", "http://example.com:65536/", false},
		{"bad port", "http://example.com:8o/", false},
		{"forbidden host character", "http://exa mple.com/", false},
		{"odd host character", "http://a{b}.example/", false},
		{"bad IPv4", "http://1.2.3.256/", false},
		{"bad IPv6", "http://[::1/", false},
		{"bad punycode", "http://xn--a.example/", false},
		{"label too long", "http://" + strings.Repeat("a", 64) + ".example/", false},
		{"label too long after punycode", "http://bü" + strings.Repeat("s", 70) + ".example/", false},
		{"host too long", "http://" + strings.Repeat("abcdefghi.", 26) + "example/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Normalize(tt.in)
			if err == nil {
				t.Fatalf("Normalize(%q) = %q, want an error", tt.in, u)
			}
			if !strings.HasPrefix(err.Error(), "urlnorm: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if got := errors.Is(err, errScheme); got != tt.badScheme {
				t.Errorf("errors.Is(%v, errScheme) = %v, want %v", err, got, tt.badScheme)
			}
		})
	}
}

func TestNormalizeErrorRedactsPassword(t *testing.T) {
	inputs := []string{
		"http://user:hunter2@exa mple.com/",       // fails in the parser
		"http://user:hunter2@a{b}.example/",       // fails our host check
		"ftp://user:hunter2@example.com/",         // wrong scheme
		"http://user:hunter2@example.com:99999/x", // bad port
	}
	for _, in := range inputs {
		t.Run(in, func(t *testing.T) {
			_, err := Normalize(in)
			if err == nil {
				t.Fatal("want an error")
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error leaks the password: %v", err)
			}
			if !strings.Contains(err.Error(), "user:xxxxx@") {
				t.Errorf("error does not name the redacted input: %v", err)
			}
		})
	}
}

func TestNormalizeErrorTruncatesLongInput(t *testing.T) {
	in := "http://exa mple.com/" + strings.Repeat("a", 10000)
	_, err := Normalize(in)
	if err == nil {
		t.Fatal("want an error")
	}
	if len(err.Error()) > 300 {
		t.Fatalf("error message is %d bytes long", len(err.Error()))
	}
}

func TestResolve(t *testing.T) {
	base := mustNormalize(t, "https://www.example.com/dir/page.html?x=1#frag")
	tests := []struct {
		name string
		ref  string
		want string
	}{
		{"sibling", "other.html", "https://www.example.com/dir/other.html"},
		{"parent", "../up.html", "https://www.example.com/up.html"},
		{"too many parents", "../../../../top.html", "https://www.example.com/top.html"},
		{"root relative", "/abs/x.png", "https://www.example.com/abs/x.png"},
		{"scheme relative", "//cdn.example.net/i.png", "https://cdn.example.net/i.png"},
		{"query only", "?b=2&a=1", "https://www.example.com/dir/page.html?a=1&b=2"},
		{"fragment only", "#section", "https://www.example.com/dir/page.html?x=1"},
		{"empty reference", "", "https://www.example.com/dir/page.html?x=1"},
		{"backslash root relative", `\img\a.png`, "https://www.example.com/img/a.png"},
		{"backslash relative", `img\a.png`, "https://www.example.com/dir/img/a.png"},
		{"surrounding whitespace", "  \n other.html \t ", "https://www.example.com/dir/other.html"},
		{"embedded newline", "oth\ner.html", "https://www.example.com/dir/other.html"},
		{"absolute other host", "HTTP://Other.Example:80/Y", "http://other.example/Y"},
		{"absolute odd IPv4", "http://0x7f.1/x", "http://127.0.0.1/x"},
		{"scheme relative odd IPv4", "//0x7f.0.0.1:443/x", "https://127.0.0.1/x"},
		{"same scheme without slashes", "https:img.png", "https://www.example.com/dir/img.png"},
		{"non-ASCII", "фото.jpg", "https://www.example.com/dir/%D1%84%D0%BE%D1%82%D0%BE.jpg"},
		{"escaped dots", "%2e%2e/x", "https://www.example.com/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Resolve(base, tt.ref)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.ref, err)
			}
			if got := u.String(); got != tt.want {
				t.Fatalf("Resolve(%q) = %q, want %q", tt.ref, got, tt.want)
			}
		})
	}
}

func TestResolveRejects(t *testing.T) {
	base := mustNormalize(t, "https://www.example.com/dir/")
	for _, ref := range []string{
		"mailto:a@b.example", "javascript:void(0)", " data:image/gif;base64,R0lG", "ftp://x.example/",
		"about:blank", "//exa mple.com/", "http://[::1/",
	} {
		t.Run(ref, func(t *testing.T) {
			if u, err := Resolve(base, ref); err == nil {
				t.Fatalf("Resolve(%q) = %q, want an error", ref, u)
			}
		})
	}
}

func TestResolveNilBase(t *testing.T) {
	u, err := Resolve(nil, "HTTP://Example.com:80/a")
	if err != nil || u.String() != "http://example.com/a" {
		t.Fatalf("Resolve(nil, absolute) = %v, %v", u, err)
	}
	if u, err := Resolve(nil, "/relative"); err == nil {
		t.Fatalf("Resolve(nil, relative) = %v, want an error", u)
	}
}

func TestResolveDoesNotChangeBase(t *testing.T) {
	base := mustNormalize(t, "https://www.example.com/dir/page.html?x=1")
	before := base.String()
	if _, err := Resolve(base, "../other?y=2"); err != nil {
		t.Fatal(err)
	}
	if base.String() != before {
		t.Fatalf("base changed from %q to %q", before, base)
	}
}

func mustNormalize(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := Normalize(s)
	if err != nil {
		t.Fatalf("Normalize(%q): %v", s, err)
	}
	return u
}
