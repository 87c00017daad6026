package extract

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
)

// sitemapSummary writes what a parse found in one line, for comparison.
func sitemapSummary(s Sitemap) string {
	var b strings.Builder
	if s.Index {
		b.WriteString("index")
	}
	for _, u := range s.Sitemaps {
		fmt.Fprintf(&b, " sitemap=%s", u)
	}
	for _, p := range s.Pages {
		fmt.Fprintf(&b, " page=%v", p.URL)
		for _, im := range p.Images {
			fmt.Fprintf(&b, " img=%s", im)
		}
	}
	if s.Truncated {
		b.WriteString(" truncated")
	}
	if s.Bad > 0 {
		fmt.Fprintf(&b, " bad=%d", s.Bad)
	}
	return strings.TrimSpace(b.String())
}

func TestParseSitemap(t *testing.T) {
	base, _ := url.Parse("https://example.com/maps/sitemap.xml")
	tests := []struct {
		name, body, want, err string
	}{
		{"urlset with images under another prefix",
			`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:pic="http://www.google.com/schemas/sitemap-image/1.1">
 <url><loc> https://example.com/a.html </loc><lastmod>2024-01-01</lastmod>
  <pic:image><pic:loc>https://cdn.example.net/a.jpg</pic:loc><pic:caption>A</pic:caption></pic:image>
  <pic:image><pic:loc>/b.png</pic:loc></pic:image>
 </url>
 <url><loc>https://example.com/b?x=1&amp;y=2</loc></url>
</urlset>`,
			"page=https://example.com/a.html img=https://cdn.example.net/a.jpg img=https://example.com/b.png page=https://example.com/b?x=1&y=2", ""},
		{"index",
			`<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://example.com/s1.xml</loc></sitemap><sitemap><loc>s2.xml.gz</loc><lastmod>x</lastmod></sitemap>
</sitemapindex>`,
			"index sitemap=https://example.com/s1.xml sitemap=https://example.com/maps/s2.xml.gz", ""},
		{"no namespace, CDATA, bad locations counted",
			`<urlset><url><loc><![CDATA[https://example.com/c]]></loc></url><url><loc>mailto:a@b</loc></url><url><loc>javascript:x</loc></url><url><loc></loc></url></urlset>`,
			"page=https://example.com/c bad=2", ""},
		{"image:loc outside the image namespace is not an image",
			`<urlset xmlns:image="http://example.com/not-images"><url><loc>https://example.com/d</loc><image:image><image:loc>https://example.com/d.jpg</image:loc></image:image></url></urlset>`,
			"page=https://example.com/d", ""},
		{"other extensions skipped",
			`<urlset xmlns:video="http://www.google.com/schemas/sitemap-video/1.1" xmlns:x="http://www.w3.org/1999/xhtml"><url><loc>https://example.com/e</loc><video:video><video:thumbnail_loc>https://example.com/t.jpg</video:thumbnail_loc></video:video><x:link href="https://example.com/f"/></url></urlset>`,
			"page=https://example.com/e", ""},
		{"declared Latin-1",
			"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><urlset><url><loc>https://example.com/caf\xe9</loc></url></urlset>",
			"page=https://example.com/caf%C3%A9", ""},
		{"text sitemap", "\xEF\xBB\xBFhttps://example.com/1\r\n\r\nhttps://example.com/2\nnot a url\n",
			"page=https://example.com/1 page=https://example.com/2 bad=1", ""},
		{"html is not a sitemap", `<!DOCTYPE html><html><body>Not found</body></html>`, "",
			"extract: not a sitemap: the root element is <html>, not <urlset> or <sitemapindex>"},
		{"plain text is not a sitemap", "Page not found\n", "", "extract: not a sitemap: neither XML nor a list of URLs"},
		{"empty", "", "", "extract: not a sitemap: no root element"},
		{"malformed keeps what came before",
			`<urlset><url><loc>https://example.com/ok</loc></url><url><loc>https://example.com/x</lox></url></urlset>`,
			"page=https://example.com/ok", "extract: XML syntax error on line 1: element <loc> closed by </lox>"},
		{"cut off", `<urlset><url><loc>https://example.com/ok</loc></url><url>`,
			"page=https://example.com/ok", "extract: XML syntax error on line 1: unexpected EOF"},
		{"deep nesting refused", "<urlset><url>" + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + "</url></urlset>",
			"", "extract: elements nested more than 64 deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSitemap(strings.NewReader(tt.body), base)
			if got := sitemapSummary(s); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if fmt.Sprint(err) != tt.err && !(err == nil && tt.err == "") {
				t.Errorf("error %v, want %q", err, tt.err)
			}
			if notSitemap := strings.Contains(tt.err, "not a sitemap"); errors.Is(err, ErrNotSitemap) != notSitemap {
				t.Errorf("errors.Is(%v, ErrNotSitemap) = %v, want %v", err, !notSitemap, notSitemap)
			}
		})
	}
}

// TestParseSitemapLimits: a file stops at SitemapMaxEntries entries and
// keeps SitemapMaxImages images per page, saying it was truncated.
func TestParseSitemapLimits(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`<urlset xmlns:i="` + SitemapImageNS + `">`)
	for i := range SitemapMaxEntries + 5 {
		fmt.Fprintf(&b, "<url><loc>https://example.com/%d</loc></url>\n", i)
	}
	b.WriteString("</urlset>")
	s, err := ParseSitemap(&b, nil)
	if err != nil || len(s.Pages) != SitemapMaxEntries || !s.Truncated {
		t.Errorf("%d entries: read %d, truncated %v, err %v", SitemapMaxEntries+5, len(s.Pages), s.Truncated, err)
	}

	b.Reset()
	b.WriteString(`<urlset xmlns:i="` + SitemapImageNS + `"><url><loc>https://example.com/p</loc>`)
	for i := range SitemapMaxImages + 5 {
		fmt.Fprintf(&b, "<i:image><i:loc>https://example.com/%d.png</i:loc></i:image>", i)
	}
	b.WriteString("</url></urlset>")
	s, err = ParseSitemap(&b, nil)
	if err != nil || len(s.Pages) != 1 || len(s.Pages[0].Images) != SitemapMaxImages {
		t.Errorf("%d images on a page: kept %d, err %v", SitemapMaxImages+5, len(s.Pages[0].Images), err)
	}
}

// FuzzParseSitemap: any input parses within the limits, into absolute
// http(s) URLs that are already normalized, an index holding no pages and a
// urlset no sitemaps; and a urlset written with a fuzzed image prefix gives
// back the page and image written.
func FuzzParseSitemap(f *testing.F) {
	f.Add([]byte(`<urlset xmlns:image="`+SitemapImageNS+`"><url><loc>https://a.example/</loc><image:image><image:loc>x.png</image:loc></image:image></url></urlset>`), "img", "/p?a=1&b", "i.jpg")
	f.Add([]byte(`<sitemapindex><sitemap><loc>/s.xml.gz</loc></sitemap></sitemapindex>`), "i", "", "")
	f.Add([]byte("https://a.example/1\nhttps://a.example/2\n"), "x", "ä b", "<>&")
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1252"?><urlset><url><loc>h&#x74;tp://a/</loc></url></urlset>`), "p", "%zz", "#f")
	base, _ := url.Parse("https://a.example/dir/sitemap.xml")
	f.Fuzz(func(t *testing.T, body []byte, prefix, page, image string) {
		s, err := ParseSitemap(bytes.NewReader(body), base)
		checkSitemap(t, s)
		_ = err

		if !sitemapName(prefix) {
			return
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, `<urlset xmlns:%s="%s"><url><loc>`, prefix, SitemapImageNS)
		_ = xmlEscape(&b, page)
		fmt.Fprintf(&b, `</loc><%s:image><%s:loc>`, prefix, prefix)
		_ = xmlEscape(&b, image)
		fmt.Fprintf(&b, `</%s:loc></%s:image></url></urlset>`, prefix, prefix)
		s, err = ParseSitemap(&b, base)
		if err != nil {
			t.Fatalf("a well-formed urlset (%s): %v", b.String(), err)
		}
		checkSitemap(t, s)
		want := 0
		for _, ref := range []string{page, image} {
			if u, err := resolveFor(base, ref); err == nil && u != nil {
				want++
			}
		}
		got := 0
		for _, p := range s.Pages {
			if p.URL != nil {
				got++
			}
			got += len(p.Images)
		}
		if got+s.Bad < want {
			t.Fatalf("%s: %d URLs and %d bad, want %d URLs", b.String(), got, s.Bad, want)
		}
	})
}

// checkSitemap checks what every parse must give.
func checkSitemap(t *testing.T, s Sitemap) {
	t.Helper()
	if s.Index && len(s.Pages) > 0 || !s.Index && len(s.Sitemaps) > 0 {
		t.Fatalf("index %v with %d pages and %d sitemaps", s.Index, len(s.Pages), len(s.Sitemaps))
	}
	if len(s.Pages)+len(s.Sitemaps) > SitemapMaxEntries {
		t.Fatalf("%d entries", len(s.Pages)+len(s.Sitemaps))
	}
	all := append([]*url.URL(nil), s.Sitemaps...)
	for _, p := range s.Pages {
		if p.URL == nil && len(p.Images) == 0 {
			t.Fatal("an empty page entry")
		}
		if len(p.Images) > SitemapMaxImages {
			t.Fatalf("%d images on a page", len(p.Images))
		}
		if p.URL != nil {
			all = append(all, p.URL)
		}
		all = append(all, p.Images...)
	}
	for _, u := range all {
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			t.Fatalf("%s: not an absolute http(s) URL", u)
		}
		if n, err := url.Parse(u.String()); err != nil || n.String() != u.String() {
			t.Fatalf("%s does not survive a round trip: %v", u, err)
		}
	}
}

// sitemapName reports whether s is a plain XML prefix (ASCII letters, and
// digits after the first), and not "xml" or "xmlns".
func sitemapName(s string) bool {
	if s == "" || len(s) > 20 || strings.HasPrefix(strings.ToLower(s), "xml") {
		return false
	}
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// xmlEscape writes s as XML character data, dropping what XML cannot hold.
func xmlEscape(b *bytes.Buffer, s string) error {
	return xml.EscapeText(b, []byte(s))
}

// resolveFor resolves a location as ParseSitemap does, nil when it drops it.
func resolveFor(base *url.URL, ref string) (*url.URL, error) {
	p := &sitemapParser{res: urlnorm.NewResolver(base)}
	return p.resolve(strings.TrimSpace(ref), len(ref) > sitemapMaxLoc), nil
}
