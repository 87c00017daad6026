package extract

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
)

func TestExtractFixture(t *testing.T) {
	f, err := os.Open("testdata/extract_page.html")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := mustNormalize(t, "https://www.example.com/dir/index.html")
	ex, err := HTML(f, "text/html; charset=utf-8", page)
	if err != nil {
		t.Fatal(err)
	}

	const s = "https://www.example.com/section/"
	wantLinks := []string{
		s + "page1.html",
		"https://www.example.com/abs.html",
		"https://other.example/x",
		"https://other.example/y?a=1&b=2",
		s + "area.html",
		s + "frame-inline.html",
		s + "frame-lazy.html",
		s + "img/a.png",
	}
	wantImages := fixtureImages(s)
	t.Run("Base", func(t *testing.T) {
		if got := ex.Base.String(); got != s {
			t.Errorf("Base = %q, want %q (first <base href>, resolved)", got, s)
		}
	})
	t.Run("Refresh", func(t *testing.T) {
		if got, want := fmt.Sprint(ex.Refresh), s+"refreshed.html"; got != want {
			t.Errorf("Refresh = %s, want %s", got, want)
		}
	})
	t.Run("Links", func(t *testing.T) {
		if got := urlStrings(ex.Links); !slices.Equal(got, wantLinks) {
			t.Errorf("Links:\n%s", diff(got, wantLinks))
		}
	})
	t.Run("Images", func(t *testing.T) {
		if got := urlStrings(ex.Images); !slices.Equal(got, wantImages) {
			t.Errorf("Images:\n%s", diff(got, wantImages))
		}
	})
}

// fixtureImages are the images of testdata/extract_page.html, whose base is s.
func fixtureImages(s string) []string {
	return []string{
		"https://cdn.example.com/og.jpg",
		"https://www.example.com/og-url.jpg",
		"https://www.example.com/og-secure.jpg",
		s + "og-name.jpg",
		s + "twitter.jpg",
		s + "twitter-src.jpg",
		s + "image-src.jpg",
		"https://www.example.com/favicon.ico",
		s + "touch.png",
		s + "itemprop.jpg",
		s + "ld.jpg",
		s + "hero-preload.jpg",
		s + "hero-480.jpg",
		s + "hero-960.jpg",
		s + "bg-style.png",
		s + "hero-1x.jpg",
		s + "hero-2x.jpg",
		s + "img/a.png",
		s + "img/s-1x.png",
		s + "img/s-2x.png",
		s + "img/lazy.jpg",
		s + "img/lazy-480.jpg",
		s + "img/lazy-800.jpg",
		s + "img/lazy2.jpg",
		"https://www.example.com/img/back.png",
		s + "img/pic.avif",
		s + "img/pic-src.webp",
		s + "img/pic.jpg",
		s + "img/poster.jpg",
		s + "img/button.png",
		s + "img/div-bg.jpg",
		s + "img/div-lazy.jpg",
		s + "img/noscript.jpg",
		s + "img/svg.png",
		s + "img/svg-xlink.png",
		s + "img/object.svg",
		s + "img/embed.png",
		s + "img/original.jpg",
		s + "img/bg-lazy.jpg",
	}
}

func TestExtractLegacyEncoding(t *testing.T) {
	const (
		catalog = "https://ru.example/%D0%BA%D0%B0%D1%82%D0%B0%D0%BB%D0%BE%D0%B3/" +
			"%D1%81%D1%82%D1%80%D0%B0%D0%BD%D0%B8%D1%86%D0%B0.html"
		photo = "https://ru.example/dir/%D0%BA%D0%B0%D1%80%D1%82%D0%B8%D0%BD%D0%BA%D0%B8/" +
			"%D1%84%D0%BE%D1%82%D0%BE.jpg"
	)
	tests := []struct {
		name        string
		file        string
		contentType string
		wantLink    string
		wantImage   string
	}{
		{
			name:        "charset from meta",
			file:        "testdata/extract_cp1251_meta.html",
			contentType: "text/html",
			// Path in UTF-8, query in the page's encoding, as browsers do.
			wantLink:  catalog + "?q=%EA%EE%F2&x=1",
			wantImage: photo,
		},
		{
			name:        "charset from header",
			file:        "testdata/extract_cp1251_header.html",
			contentType: "text/html; charset=windows-1251",
			wantLink:    catalog + "?q=%EA%EE%F2&x=1",
			wantImage:   photo,
		},
		{
			name:        "header wins over meta",
			file:        "testdata/extract_cp1251_meta.html",
			contentType: "text/html; charset=cp1251",
			wantLink:    catalog + "?q=%EA%EE%F2&x=1",
			wantImage:   photo,
		},
		{
			// Without a declaration the bytes are not UTF-8, so they are
			// read as windows-1252, as a browser would: different URLs.
			name:        "no declaration falls back to windows-1252",
			file:        "testdata/extract_cp1251_header.html",
			contentType: "text/html",
			wantLink:    "https://ru.example/%C3%AA%C3%A0%C3%B2%C3%A0%C3%AB%C3%AE%C3%A3/%C3%B1%C3%B2%C3%B0%C3%A0%C3%AD%C3%A8%C3%B6%C3%A0.html?q=%EA%EE%F2&x=1",
			wantImage:   "https://ru.example/dir/%C3%AA%C3%A0%C3%B0%C3%B2%C3%A8%C3%AD%C3%AA%C3%A8/%C3%B4%C3%AE%C3%B2%C3%AE.jpg",
		},
	}
	page := mustNormalize(t, "https://ru.example/dir/")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			ex, err := HTML(strings.NewReader(string(body)), tt.contentType, page)
			if err != nil {
				t.Fatal(err)
			}
			if got := urlStrings(ex.Links); !slices.Equal(got, []string{tt.wantLink}) {
				t.Errorf("Links = %q, want [%q]", got, tt.wantLink)
			}
			if got := urlStrings(ex.Images); !slices.Equal(got, []string{tt.wantImage}) {
				t.Errorf("Images = %q, want [%q]", got, tt.wantImage)
			}
		})
	}
}

// extractCases are documents with the base, links and images HTML finds
// in them, for the page http://site.example/a/b.html.
var extractCases = []struct {
	name        string
	html        string
	contentType string
	wantBase    string
	wantLinks   []string
	wantImages  []string
}{
	{
		name:       "no base uses page URL",
		html:       `<a href="c.html">c</a><img src="../i.png">`,
		wantBase:   "http://site.example/a/b.html",
		wantLinks:  []string{"http://site.example/a/c.html"},
		wantImages: []string{"http://site.example/i.png"},
	},
	{
		name:      "absolute base on another host",
		html:      `<head><base href="https://cdn.example/x/"></head><a href="y">y</a>`,
		wantBase:  "https://cdn.example/x/",
		wantLinks: []string{"https://cdn.example/x/y"},
	},
	{
		name:      "unusable base falls back to page URL",
		html:      `<base href="javascript:alert(1)"><a href="c.html">c</a>`,
		wantBase:  "http://site.example/a/b.html",
		wantLinks: []string{"http://site.example/a/c.html"},
	},
	{
		name:      "base without href is ignored",
		html:      `<base target="_blank"><base href="/other/"><a href="c.html">c</a>`,
		wantBase:  "http://site.example/other/",
		wantLinks: []string{"http://site.example/other/c.html"},
	},
	{
		name:       "duplicates keep first occurrence order",
		html:       `<img src="/2.png"><img src="/1.png"><img src="http://SITE.example:80/2.png#x"><img srcset="/1.png 2x, /3.png">`,
		wantBase:   "http://site.example/a/b.html",
		wantImages: []string{"http://site.example/2.png", "http://site.example/1.png", "http://site.example/3.png"},
	},
	{
		name:       "same URL as link and image is in both lists",
		html:       `<a href="/p.jpg"><img src="/p.jpg"></a>`,
		wantBase:   "http://site.example/a/b.html",
		wantLinks:  []string{"http://site.example/p.jpg"},
		wantImages: []string{"http://site.example/p.jpg"},
	},
	{
		name:     "skipped references",
		html:     `<a href="mailto:a@b.example">m</a><a href="tel:1">t</a><a href=" ">s</a><img src="data:image/png;base64,AA"><img src="javascript:x"><img src="http://exa mple.com/x.png"><img src="ftp://f.example/x.png">`,
		wantBase: "http://site.example/a/b.html",
	},
	{
		name:     "source outside picture is not an image",
		html:     `<video><source src="/movie.mp4"></video><audio><source src="/a.mp3"></audio><audio data-src="/b.mp3"></audio><script data-src="/s.js"></script>`,
		wantBase: "http://site.example/a/b.html",
	},
	{
		name:       "XHTML",
		html:       `<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><base href="/x/"/></head><body><img src="i.png"/><a href="l.html"/></body></html>`,
		wantBase:   "http://site.example/x/",
		wantLinks:  []string{"http://site.example/x/l.html"},
		wantImages: []string{"http://site.example/x/i.png"},
	},
	{
		name:        "UTF-8 with non-ASCII query",
		html:        `<a href="/s?q=кот">s</a>`,
		contentType: "text/html; charset=utf-8",
		wantBase:    "http://site.example/a/b.html",
		wantLinks:   []string{"http://site.example/s?q=%D0%BA%D0%BE%D1%82"},
	},
	{
		name:        "legacy encoding sends unmappable characters as references",
		html:        "<a href=\"/s?q=\xe9\u2603\">s</a>",
		contentType: "text/html; charset=iso-8859-1",
		wantBase:    "http://site.example/a/b.html",
		// \xe9 is é in windows-1252 (what iso-8859-1 means in HTML);
		// the UTF-8 bytes of the snowman decode to three characters.
		wantLinks: []string{"http://site.example/s?q=%E9%E2%98%83"},
	},
	{
		name:        "multi-byte legacy encoding",
		html:        "<a href=\"/\x93\xfa?q=\x93\xfa\x96\x7b\">s</a>", // 日 and 日本 in Shift_JIS
		contentType: "text/html; charset=shift_jis",
		wantBase:    "http://site.example/a/b.html",
		wantLinks:   []string{"http://site.example/%E6%97%A5?q=%93%FA%96%7B"},
	},
	{
		name:     "empty document",
		html:     "",
		wantBase: "http://site.example/a/b.html",
	},
}

func TestExtractCases(t *testing.T) {
	page := mustNormalize(t, "http://site.example/a/b.html")
	for _, tt := range extractCases {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := HTML(strings.NewReader(tt.html), tt.contentType, page)
			if err != nil {
				t.Fatal(err)
			}
			if got := ex.Base.String(); got != tt.wantBase {
				t.Errorf("Base = %q, want %q", got, tt.wantBase)
			}
			if got := urlStrings(ex.Links); !slices.Equal(got, tt.wantLinks) {
				t.Errorf("Links:\n%s", diff(got, tt.wantLinks))
			}
			if got := urlStrings(ex.Images); !slices.Equal(got, tt.wantImages) {
				t.Errorf("Images:\n%s", diff(got, tt.wantImages))
			}
		})
	}
}

func TestExtractLegacyQueryUnmappable(t *testing.T) {
	page := mustNormalize(t, "http://site.example/")
	// The snowman does not exist in windows-1251: browsers send "&#9731;".
	body := "<meta charset=windows-1251><a href=\"/s?q=&#9731;#frag\">s</a>"
	ex, err := HTML(strings.NewReader(body), "text/html", page)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"http://site.example/s?q=%26%239731%3B"}
	if got := urlStrings(ex.Links); !slices.Equal(got, want) {
		t.Fatalf("Links = %q, want %q", got, want)
	}
}

func TestExtractNilPage(t *testing.T) {
	ex, err := HTML(strings.NewReader(`<a href="http://a.example/">a</a><a href="rel.html">r</a>`), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Base != nil {
		t.Errorf("Base = %v, want nil", ex.Base)
	}
	if got, want := urlStrings(ex.Links), []string{"http://a.example/"}; !slices.Equal(got, want) {
		t.Errorf("Links = %q, want %q (relative links need a base)", got, want)
	}
}

func TestExtractConcurrent(t *testing.T) {
	page := mustNormalize(t, "https://www.example.com/gallery/")
	body := benchPage()
	want, err := HTML(strings.NewReader(body), "text/html", page)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for range 5 {
				got, err := HTML(strings.NewReader(body), "text/html", page)
				if err != nil {
					errs <- err
					return
				}
				if !slices.Equal(urlStrings(got.Images), urlStrings(want.Images)) {
					errs <- errors.New("images differ between concurrent runs")
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestExtractReadError(t *testing.T) {
	boom := errors.New("boom")
	page := mustNormalize(t, "http://user:secret@site.example/")
	_, err := HTML(failingReader{boom}, "text/html", page)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want it to wrap %v", err, boom)
	}
	if !strings.HasPrefix(err.Error(), "extract: ") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("err = %q: want prefixed message without the password", err)
	}
}

func mustNormalize(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := urlnorm.Normalize(s)
	if err != nil {
		t.Fatalf("Normalize(%q): %v", s, err)
	}
	return u
}

func urlStrings(us []*url.URL) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.String())
	}
	return out
}

// diff lists got and want side by side for a readable failure.
func diff(got, want []string) string {
	var b strings.Builder
	for i := 0; i < max(len(got), len(want)); i++ {
		g, w := "", ""
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		mark := "  "
		if g != w {
			mark = "! "
		}
		b.WriteString(mark + "got " + g + "\n  want " + w + "\n")
	}
	return b.String()
}
