package extract_test

import (
	"fmt"
	"path"
	"strings"

	"github.com/imgcrawl/imgcrawl/crawler/extract"
	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
)

func ExampleHTML() {
	page, err := urlnorm.Normalize("http://127.0.0.1:8080/gallery/index.html")
	if err != nil {
		panic(err)
	}
	const doc = `<html><head>
<meta property="og:image" content="/covers/week.jpg">
<style>.hero { background: url('hero.jpg') }</style>
</head><body>
<a href="page-2.html">next</a> <a href="mailto:someone@127.0.0.1">mail</a>
<img src="a.png" srcset="a.png 1x, a@2x.png 2x">
<img class="lazy" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="//127.0.0.2/b.webp">
<div style="background-image: url(&quot;c.jpg&quot;)"></div>
</body></html>`
	res, err := extract.HTML(strings.NewReader(doc), "text/html; charset=utf-8", page)
	if err != nil {
		panic(err)
	}
	fmt.Println("base:", res.Base)
	for _, u := range res.Links {
		fmt.Println("link:", u)
	}
	for _, u := range res.Images {
		fmt.Println("image:", u)
	}
	// Output:
	// base: http://127.0.0.1:8080/gallery/index.html
	// link: http://127.0.0.1:8080/gallery/page-2.html
	// image: http://127.0.0.1:8080/covers/week.jpg
	// image: http://127.0.0.1:8080/gallery/hero.jpg
	// image: http://127.0.0.1:8080/gallery/a.png
	// image: http://127.0.0.1:8080/gallery/a@2x.png
	// image: http://127.0.0.2/b.webp
	// image: http://127.0.0.1:8080/gallery/c.jpg
}

func ExampleOptions_HTML() {
	page, err := urlnorm.Normalize("http://127.0.0.1:8080/gallery/")
	if err != nil {
		panic(err)
	}
	const doc = `<meta http-equiv="refresh" content="0; url=/gallery/2026/">
<img src="cat-480.jpg" srcset="cat-480.jpg 480w, cat-1920.jpg 1920w, cat-960.jpg 960w">
<picture>
  <source type="image/avif" srcset="dog.avif 1x, dog@2x.avif 2x">
  <img src="dog.jpg" srcset="dog@2x.jpg 2x">
</picture>`
	for _, opt := range []extract.Options{{}, {Largest: true}} {
		res, err := opt.HTML(strings.NewReader(doc), "text/html", page)
		if err != nil {
			panic(err)
		}
		fmt.Printf("largest %v: refresh %s, %d images:", opt.Largest, res.Refresh, len(res.Images))
		for _, u := range res.Images {
			fmt.Print(" ", path.Base(u.Path))
		}
		fmt.Println()
	}
	// Output:
	// largest false: refresh http://127.0.0.1:8080/gallery/2026/, 7 images: cat-480.jpg cat-1920.jpg cat-960.jpg dog.avif dog@2x.avif dog.jpg dog@2x.jpg
	// largest true: refresh http://127.0.0.1:8080/gallery/2026/, 2 images: cat-1920.jpg dog@2x.avif
}

func ExampleParseSitemap() {
	file, err := urlnorm.Normalize("http://127.0.0.1:8080/sitemap.xml")
	if err != nil {
		panic(err)
	}
	const doc = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:img="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>http://127.0.0.1:8080/gallery/</loc>
    <img:image><img:loc>http://127.0.0.1:8080/gallery/a.jpg</img:loc></img:image>
    <img:image><img:loc>/gallery/b.png</img:loc></img:image>
  </url>
  <url><loc>http://127.0.0.1:8080/about.html</loc></url>
</urlset>`
	sm, err := extract.ParseSitemap(strings.NewReader(doc), file)
	if err != nil {
		panic(err)
	}
	for _, p := range sm.Pages {
		fmt.Println("page:", p.URL)
		for _, im := range p.Images {
			fmt.Println("  image:", im)
		}
	}
	// Output:
	// page: http://127.0.0.1:8080/gallery/
	//   image: http://127.0.0.1:8080/gallery/a.jpg
	//   image: http://127.0.0.1:8080/gallery/b.png
	// page: http://127.0.0.1:8080/about.html
}

func ExampleCSS() {
	sheet, err := urlnorm.Normalize("http://127.0.0.1:8080/static/css/site.css")
	if err != nil {
		panic(err)
	}
	const body = `@import url("../theme/dark.css");
@font-face { font-family: Body; src: url(fonts/body.woff2) format("woff2") }
.logo { background: url(img/logo.png) no-repeat }
.hero { background-image: image-set("hero.avif" type("image/avif"), url(/hero.jpg) 1x) }
.tip  { cursor: url(help.cur), help }`
	sh := extract.CSS([]byte(body), "text/css", "", sheet)
	for _, u := range sh.Imports {
		fmt.Println("import:", u)
	}
	for _, u := range sh.Images {
		fmt.Println("image:", u)
	}
	fmt.Println("encoding:", sh.Encoding)
	// Output:
	// import: http://127.0.0.1:8080/static/theme/dark.css
	// image: http://127.0.0.1:8080/static/css/img/logo.png
	// image: http://127.0.0.1:8080/static/css/hero.avif
	// image: http://127.0.0.1:8080/hero.jpg
	// encoding: utf-8
}
