package main

import (
	"fmt"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

type demoCmd struct {
	Out   string `short:"o" default:"./demo-images" placeholder:"DIR" help:"Where images go."`
	Depth int    `short:"d" default:"3" help:"Link depth."`
	Quiet bool   `short:"q" help:"No progress display."`
}

func (d *demoCmd) Run(e *env) error {
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	fmt.Fprintf(e.stderr, "imgcrawl demo: serving the sample site at %s\n", base)
	cfg := crawler.Config{Seeds: []string{base + "/"}, Depth: d.Depth, Concurrency: 8, PerHost: 8}
	sf := storeFlags{Out: d.Out, State: "none", Quiet: d.Quiet}
	cfg.Out = d.Out
	if err := runCrawl(cfg, &sf, e); err != nil {
		return err
	}
	want := site.Expected(d.Depth)
	fmt.Fprintf(e.stdout, "demo: crawled %s to depth %d; the site has %d distinct images within that depth; see %s and %s/manifest.jsonl\n",
		base, d.Depth, len(want), d.Out, d.Out)
	return nil
}
