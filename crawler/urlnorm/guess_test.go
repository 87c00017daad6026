package urlnorm

import "testing"

func TestGuessScheme(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" = no guess
	}{
		{"example.com", "http://example.com/"},
		{"Example.COM/a b", "http://example.com/a%20b"},
		{"127.0.0.1:8900/", "http://127.0.0.1:8900/"},
		{"127.0.0.1:8900", "http://127.0.0.1:8900/"},
		{"localhost:8080/x?q=1", "http://localhost:8080/x?q=1"},
		{"localhost", "http://localhost/"},
		{"[::1]:8080/", "http://[::1]:8080/"},
		{"[::1]", "http://[::1]/"},
		{"  www.example.org  ", "http://www.example.org/"},
		{"http://example.com/", ""}, // has a scheme: Normalize's job
		{"ftp://example.com/", ""},
		{"mailto:someone@example.com", ""},
		{"javascript:alert(1)", ""},
		{"data:image/png;base64,AAAA", ""},
		{"tel:+123", ""},
		{"user@example.com", ""},
		{"/a/b.html", ""},
		{"./seeds.txt", ""},
		{"images", ""},
		{"a/b.html", ""},
		{"example.com:8o/", ""},
		{"[::1/", ""},
		{"", ""},
	} {
		u, ok := GuessScheme(tc.in)
		got := ""
		if ok {
			got = u.String()
		}
		if got != tc.want {
			t.Errorf("GuessScheme(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzGuessScheme(f *testing.F) {
	for _, s := range []string{"example.com", "127.0.0.1:8900/", "[::1]:1", "mailto:a@b.c", "localhost:80/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, ok := GuessScheme(s)
		if !ok {
			return
		}
		if u.Scheme != "http" || u.Hostname() == "" || u.User != nil {
			t.Fatalf("GuessScheme(%q) = %q", s, u)
		}
		if again, err := Normalize(u.String()); err != nil || again.String() != u.String() {
			t.Fatalf("GuessScheme(%q) = %q, which does not normalize to itself (%v)", s, u, err)
		}
	})
}
