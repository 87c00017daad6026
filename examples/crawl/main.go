// Command crawl embeds the imgcrawl engine: it serves the bundled sample site
// on 127.0.0.1, crawls it two links deep into a temporary folder, and prints
// each saved image as the engine reports it.
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

func main() {
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()

	out, err := os.MkdirTemp("", "imgcrawl-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(out)

	c, err := crawler.New(crawler.Config{
		Seeds:       []string{base + "/"},
		Depth:       2,
		Out:         out,
		Concurrency: 8,
		OnEvent: func(ev crawler.Event) {
			if ev.Kind == crawler.KindImage && ev.Status == crawler.Saved {
				fmt.Printf("saved %-40s %6d bytes  %dx%d\n", ev.Path, ev.Bytes, ev.Width, ev.Height)
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
