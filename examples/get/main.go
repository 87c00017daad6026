// Command get hands the imgcrawl engine a channel of image URLs (what
// `imgcrawl get` does with a list) and reads its events back. It serves the
// images itself, on 127.0.0.1.
//
// Copy it anywhere: it imports only the public packages.
package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/store"
)

func main() {
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/photo/%d.png", &n); err != nil {
			http.NotFound(w, r)
			return
		}
		img := image.NewGray(image.Rect(0, 0, 2, 2))
		img.Pix[0] = byte(n % 3) // photos 0 and 3 are the same bytes
		png.Encode(w, img)
	}))
	defer site.Close()

	out, err := os.MkdirTemp("", "imgcrawl-get-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(out)

	urls := make(chan string)
	go func() {
		defer close(urls)
		for i := range 4 {
			urls <- fmt.Sprintf("%s/photo/%d.png", site.URL, i)
		}
		urls <- site.URL + "/no/such/image.png" // a 404: reported, not fatal
	}()

	c, err := crawler.New(crawler.Config{
		Images: urls,
		Out:    out,
		Layout: store.LayoutFlat,
		OnEvent: func(ev crawler.Event) {
			switch ev.Status {
			case crawler.Saved:
				fmt.Printf("saved     %s\n", ev.Path)
			case crawler.Duplicate:
				fmt.Printf("duplicate %s (same bytes as %s)\n", ev.URL, ev.Path)
			default:
				fmt.Printf("%-9s %s: %v\n", ev.Status, ev.URL, ev.Err)
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
	fmt.Printf("%d images saved, %d duplicates, %d skipped, %d failed\n",
		sum.Images, sum.Duplicates, sum.Skipped, sum.Failed)
}
