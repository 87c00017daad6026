package store

import (
	"net/url"
	"strings"
	"testing"
)

func FuzzRelPath(f *testing.F) {
	f.Add("example.com", "/a/b/photo.png", "", "", ".png", uint8(0))
	f.Add("Example.COM:8080", "/..%2F..%2Fescape.png", "id=3&s=l", "", ".jpg", uint8(0))
	f.Add("h", "/%2e%2e/%2e%2e/", "", "", "", uint8(1))
	f.Add("h", `/a\b/aux.png`, "", "../../etc/passwd", ".png", uint8(0))
	f.Add("[::1]:80", "/x%00.png/.imgcrawl/", "a?b=1", ".htaccess", ".gif", uint8(1))
	f.Add("h", "/"+strings.Repeat("ж", 200)+".png", strings.Repeat("q", 300), "", ".webp", uint8(0))
	f.Add(".imgcrawl", "/con/COM1. /x y.png.. ", "", "", "/../x", uint8(2))
	f.Add("h", "/\xff\xfe/\u202e/😀.svg", "x=%FF", "\x00", ".svg", uint8(0))
	f.Fuzz(func(t *testing.T, host, path, query, name, ext string, layout uint8) {
		l := []Layout{LayoutMirror, LayoutFlat, LayoutHash, ""}[layout%4]
		var sum [32]byte
		copy(sum[:], path)
		urls := []*url.URL{{Scheme: "http", Host: host, Path: path, RawQuery: query}}
		if u, err := url.Parse("http://" + host + path + "?" + query); err == nil {
			urls = append(urls, u)
		}
		if u, err := url.Parse(path); err == nil {
			urls = append(urls, u)
		}
		for _, u := range urls {
			rel := relPath(l, u, name, ext, sum)
			checkRel(t, rel)
			if again := relPath(l, u, name, ext, sum); again != rel {
				t.Fatalf("not deterministic: %q then %q", rel, again)
			}
			for n := 1; n <= 2; n++ {
				checkRel(t, withSuffix(rel, n))
			}
		}
	})
}

func FuzzSanitizeName(f *testing.F) {
	for _, s := range []string{
		"", ".", "..", "...", ".bashrc", "aux.png", "CON", "com¹.txt", "x\x00.png", "a/b\\c",
		"name. . ", "\xff\xfe", "фото.jpg", "👩‍💻.png", strings.Repeat("a", 300) + ".png",
		strings.Repeat("ж", 130), " .x", "_aux", "\u202egnp.exe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := sanitizeName(s)
		checkComponent(t, got)
		if plainName(s) && sanitizeRunes(s) != s {
			t.Fatalf("plainName(%q), but the full rules make it %q", s, sanitizeRunes(s))
		}
		if again := sanitizeName(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
		if len(s) <= maxBytes && len(got) > len(s)+1 {
			t.Errorf("short name %q grew to %q", s, got)
		}
	})
}

func FuzzContentDispositionName(f *testing.F) {
	for _, s := range []string{
		`attachment; filename="photo.png"`,
		`attachment; filename="../../etc/passwd"`,
		`attachment; filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.jpg`,
		`inline; filename*=UTF-8''..%2F..%5C.bashrc; filename=x`,
		`attachment; filename*0="a"; filename*1="b.png"`,
		`;;;`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		name, ok := contentDispositionName(header)
		if !ok {
			if name != "" {
				t.Fatalf("ok=false with name %q", name)
			}
			return
		}
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
			t.Fatalf("unsafe base name %q", name)
		}
	})
}
