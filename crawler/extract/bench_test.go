package extract

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// benchPage builds a page shaped like a real article or gallery
// page: about 20 KiB of markup and text with 29 links and 21 images in the
// usual forms (src, srcset, lazy data-src, picture, og:image, CSS).
func benchPage() string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Gallery of the week</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:image" content="https://cdn.example.com/og/cover.jpg">
<link rel="stylesheet" href="/static/site.css">
<style>.hero{background:url(/static/hero.jpg) center/cover}.logo{background-image:url("/static/logo.svg")}</style>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}</script>
</head><body><header><nav><ul>`)
	for i := range 10 {
		fmt.Fprintf(&b, `<li class="nav-item"><a class="nav-link" href="/section/%d/">Section %d</a></li>`, i, i)
	}
	b.WriteString(`</ul></nav></header><main><article>`)
	for i := range 12 {
		fmt.Fprintf(&b, `<div class="card"><h2><a href="/posts/2024/%02d/story-%d.html?ref=home&amp;utm_source=site">Story %d</a></h2>`, i%12+1, i, i)
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, `<img src="/img/%d-640.jpg" srcset="/img/%d-640.jpg 640w, /img/%d-1280.jpg 1280w" sizes="(max-width: 640px) 100vw, 50vw" alt="photo %d" width="640" height="480">`, i, i, i, i)
		case 1:
			fmt.Fprintf(&b, `<img class="lazy" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="https://cdn.example.com/img/%d.webp" alt="photo %d">`, i, i)
		case 2:
			fmt.Fprintf(&b, `<picture><source srcset="/img/%d.avif" type="image/avif"><img src="/img/%d.jpg" alt="photo %d"></picture>`, i, i, i)
		default:
			fmt.Fprintf(&b, `<div class="thumb" style="background-image: url('/img/%d-thumb.png')"></div>`, i)
		}
		fmt.Fprintf(&b, `<p class="summary">%s</p></div>`, strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. ", 12))
	}
	b.WriteString(`</article></main><footer>`)
	for _, p := range []string{"about", "contact", "privacy", "terms", "careers", "press", "https://social.example/site", "mailto:hello@example.com"} {
		fmt.Fprintf(&b, `<a href="%s">%s</a> `, p, p)
	}
	b.WriteString(`</footer></body></html>`)
	return b.String()
}

func BenchmarkExtract(b *testing.B) {
	page := benchPage()
	base := mustNormalize(b, "https://www.example.com/gallery/index.html")
	ex, err := HTML(strings.NewReader(page), "text/html; charset=utf-8", base)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("page: %d bytes, %d links, %d images", len(page), len(ex.Links), len(ex.Images))
	b.ReportAllocs()
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, err := HTML(strings.NewReader(page), "text/html; charset=utf-8", base); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseSitemap parses a sitemap at the protocol's limit: 50,000
// pages, each with one image entry (about 6 MiB).
func BenchmarkParseSitemap(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">`)
	for i := range SitemapMaxEntries {
		fmt.Fprintf(&buf, "<url><loc>https://example.com/docs/section-%d/page.html</loc><lastmod>2024-05-01</lastmod>"+
			"<image:image><image:loc>https://example.com/img/%d.png</image:loc></image:image></url>\n", i, i)
	}
	buf.WriteString("</urlset>")
	doc := buf.Bytes()
	base, _ := url.Parse("https://example.com/sitemap.xml")
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := ParseSitemap(bytes.NewReader(doc), base)
		if err != nil || len(s.Pages) != SitemapMaxEntries {
			b.Fatal(len(s.Pages), err)
		}
	}
}

// BenchmarkExtractTestsite parses the numbered pages of the site the crawl
// benchmarks use (internal/testsite, as BenchmarkCrawlSiteSmall builds it),
// one page per iteration, round robin: small pages of 8 related links, a
// few child links and 5 images, some with feature decorations.
func BenchmarkExtractTestsite(b *testing.B) {
	const pages = 300
	site := testsite.New(testsite.Options{Pages: pages, LinksPerPage: 8, ImagesPerPage: 5, ImageBytes: 4 << 10, Seed: 1})
	type page struct {
		body, contentType string
		u                 *url.URL
	}
	var ps []page
	size := 0
	for i := range pages {
		target := "/"
		if i > 0 {
			target = fmt.Sprintf("/p/%d.html", i)
		}
		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+target, nil)
		rec := httptest.NewRecorder()
		site.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: status %d", target, rec.Code)
		}
		ps = append(ps, page{rec.Body.String(), rec.Header().Get("Content-Type"), mustNormalize(b, req.URL.String())})
		size += rec.Body.Len()
	}
	b.Logf("%d pages, %d bytes on average", len(ps), size/len(ps))
	b.ReportAllocs()
	b.SetBytes(int64(size / len(ps)))
	i := 0
	for b.Loop() {
		p := ps[i%len(ps)]
		if _, err := HTML(strings.NewReader(p.body), p.contentType, p.u); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
