// Command crawl embeds the imgcrawl engine: it serves a tiny site of its own
// on 127.0.0.1, crawls it (two links deep, the CLI's default) into a
// temporary folder, and prints each image as the engine reports it.
//
// Copy it anywhere: it imports only the public packages.
package main

import (
	"context"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/imgcrawl/imgcrawl/crawler"
)

func main() {
	site := httptest.NewServer(http.HandlerFunc(serve))
	defer site.Close()

	out, err := os.MkdirTemp("", "imgcrawl-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(out)

	c, err := crawler.New(crawler.Config{
		Seeds: []string{site.URL + "/"},
		Out:   out,
		OnEvent: func(ev crawler.Event) {
			if ev.Kind == crawler.KindImage && ev.Status == crawler.Saved {
				fmt.Printf("saved %-40s %4d bytes  %dx%d\n", ev.Path, ev.Bytes, ev.Width, ev.Height)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d pages, %d images saved, %d duplicates, %d failed\n",
		sum.Pages, sum.Images, sum.Duplicates, sum.Failed)
}

// serve is the site: three pages and their images (each a small PNG that
// differs by path; /img/a.png is shown twice, and saved once).
func serve(w http.ResponseWriter, r *http.Request) {
	pages := map[string]string{
		"/":          `<a href="/gallery">Gallery</a> <img src="/img/logo.png">`,
		"/gallery":   `<a href="/gallery/2">More</a> <img src="/img/a.png" srcset="/img/a.png 1x, /img/a@2x.png 2x">`,
		"/gallery/2": `<img src="/img/b.png"> <img src="/img/a.png">`,
	}
	if html, ok := pages[r.URL.Path]; ok {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, html)
		return
	}
	if strings.HasSuffix(r.URL.Path, ".png") {
		c := crc32.ChecksumIEEE([]byte(r.URL.Path))
		img := image.NewNRGBA(image.Rect(0, 0, 4, 3))
		for i := range img.Pix {
			img.Pix[i] = byte(c >> (i % 24))
		}
		img.Set(0, 0, color.NRGBA{255, 255, 255, 255})
		png.Encode(w, img)
		return
	}
	http.NotFound(w, r)
}
