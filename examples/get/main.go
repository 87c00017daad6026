// Command get hands the imgcrawl engine a channel of image URLs (what
// `imgcrawl get` does with a list) and reads its events back. It runs offline
// against the bundled sample site on 127.0.0.1.
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store"
)

func main() {
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()

	out, err := os.MkdirTemp("", "imgcrawl-get-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(out)

	urls := make(chan string)
	go func() {
		defer close(urls)
		for _, img := range site.ImageList() {
			if !img.Disallowed {
				urls <- base + img.Path
			}
		}
		urls <- base + "/no/such/image.png" // a 404: reported, not fatal
	}()

	c, err := crawler.New(crawler.Config{
		Images:      urls,
		Out:         out,
		Layout:      store.LayoutFlat,
		Concurrency: 8,
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
