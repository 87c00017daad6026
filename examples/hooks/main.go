// Command hooks steers a crawl as a colly program would: a filter skips
// URLs (colly's URLFilters), a request hook adds a header for one host
// (OnRequest), a response hook refuses what a header marks private
// (OnResponse), and a CSS selector hook follows "Load more" buttons, which
// are not links, and reads each product's name (OnHTML). It serves its own
// small shop on 127.0.0.1.
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
	"strings"
	"sync"

	"github.com/imgcrawl/imgcrawl/crawler"
)

func main() {
	site := httptest.NewServer(http.HandlerFunc(serve))
	defer site.Close()
	out, err := os.MkdirTemp("", "imgcrawl-hooks-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(out)

	var mu sync.Mutex // hooks run on many workers at once
	var products []string
	c, err := crawler.New(crawler.Config{
		Seeds: []string{site.URL + "/products?page=1"},
		Depth: 10,
		Out:   out,
		Hooks: crawler.Hooks{
			Filter: func(l crawler.Link) bool {
				return !strings.Contains(l.URL.Path, "/tracking/")
			},
			OnRequest: func(ctx context.Context, r *crawler.Request) error {
				if r.URL.Host == strings.TrimPrefix(site.URL, "http://") {
					r.Header.Set("X-Api-Key", "secret") // this host only
				}
				return nil
			},
			OnResponse: func(ctx context.Context, r *crawler.Response) error {
				if r.Header.Get("X-Private") != "" {
					return crawler.ErrSkip
				}
				return nil
			},
			HTML: []crawler.HTMLHook{
				{Selector: "button.load-more[data-next]", Func: func(ctx context.Context, e *crawler.Element) {
					next, _ := e.Attr("data-next")
					if err := e.AddPage(next); err != nil {
						log.Printf("bad next page %q: %v", next, err)
					}
				}},
				{Selector: ".product h2", Func: func(ctx context.Context, e *crawler.Element) {
					mu.Lock()
					products = append(products, e.Text())
					mu.Unlock()
				}},
			},
		},
		OnEvent: func(ev crawler.Event) {
			fmt.Printf("%-5s %-7s %s\n", ev.Kind, ev.Status, strings.TrimPrefix(ev.URL, site.URL))
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d pages, %d images saved, %d skipped; products: %s\n",
		sum.Pages, sum.Images, sum.Skipped, strings.Join(products, ", "))
}

// serve is the shop: three pages of products chained by buttons, product
// images that need the X-Api-Key header, a tracking pixel, and a private
// image.
func serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/products":
		var page int
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		if page < 1 || page > 3 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<div class="product"><h2>Product %d</h2><img src="/img/%d.png"></div>`, page, page)
		fmt.Fprint(w, `<img src="/tracking/pixel.png">`)
		if page == 2 {
			fmt.Fprint(w, `<img src="/img/private.png">`)
		}
		if page < 3 {
			fmt.Fprintf(w, `<button class="load-more" data-next="?page=%d">Load more</button>`, page+1)
		}
	case strings.HasPrefix(r.URL.Path, "/img/"):
		if r.Header.Get("X-Api-Key") != "secret" {
			http.Error(w, "no key", http.StatusForbidden)
			return
		}
		if r.URL.Path == "/img/private.png" {
			w.Header().Set("X-Private", "1")
		}
		img := image.NewGray(image.Rect(0, 0, 2, 2))
		img.Pix[0] = byte(len(r.URL.Path))
		img.Pix[1] = r.URL.Path[5]
		png.Encode(w, img)
	default:
		http.NotFound(w, r)
	}
}
