package testsite

import (
	"strings"
	"testing"
)

func TestNormalizeTarget(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"root", "/", "/"},
		{"empty", "", "/"},
		{"no leading slash", "p/1.html", "/p/1.html"},
		{"fragment dropped", "/p/3.html#top", "/p/3.html"},
		{"query sorted", "/p/list?b=2&a=1", "/p/list?a=1&b=2"},
		{"sorted query kept", "/p/list?a=1&b=2", "/p/list?a=1&b=2"},
		{"empty query dropped", "/p/1.html?", "/p/1.html"},
		{"empty params dropped", "/x?&b=1&&a=2&", "/x?a=2&b=1"},
		{"unreserved escape decoded", "/img/%7Etilde.png", "/img/~tilde.png"},
		{"escaped letters decoded", "/%70/%31.html", "/p/1.html"},
		{"reserved escape kept upper", "/a%2fb?x=%2c", "/a%2Fb?x=%2C"},
		{"utf-8 escape upper-cased", "/img/caf%c3%a9.png", "/img/caf%C3%A9.png"},
		{"raw non-ascii escaped", "/img/caf\xc3\xa9.png", "/img/caf%C3%A9.png"},
		{"space escaped", "/a b", "/a%20b"},
		{"lone percent", "/100%", "/100%25"},
		{"bad escape", "/%zz", "/%25zz"},
		{"comma kept", "/img.php?id=7,8", "/img.php?id=7,8"},
		{"question mark in query kept", "/q?a=?&b", "/q?a=?&b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeTarget(tt.in); got != tt.want {
				t.Errorf("NormalizeTarget(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzNormalizeTarget(f *testing.F) {
	for _, s := range []string{
		"/", "/p/list?b=2&a=1", "/img/%7Etilde.png", "/a%2fb?x=%2c#frag",
		"/img/caf\xc3\xa9.png", "%", "?&&", "/%e2%82%ac?%41=%42", "\x00#?",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := NormalizeTarget(in)
		if again := NormalizeTarget(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, got, again)
		}
		if !strings.HasPrefix(got, "/") || strings.Contains(got, "#") {
			t.Fatalf("NormalizeTarget(%q) = %q: want a path without fragment", in, got)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c <= 0x20 || c >= 0x7f {
				t.Fatalf("NormalizeTarget(%q) = %q: raw byte %#x", in, got, c)
			}
		}
		// Reversing the order of the query parameters gives the same key.
		if path, q, ok := strings.Cut(in, "?"); ok && !strings.Contains(in, "#") {
			parts := strings.Split(q, "&")
			for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
				parts[i], parts[j] = parts[j], parts[i]
			}
			rev := path + "?" + strings.Join(parts, "&")
			if r := NormalizeTarget(rev); r != got {
				t.Fatalf("query order matters: %q -> %q but %q -> %q", in, got, rev, r)
			}
		}
	})
}
