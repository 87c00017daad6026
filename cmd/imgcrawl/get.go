package main

import (
	"github.com/imgcrawl/imgcrawl/crawler"
)

type getCmd struct {
	URLs   []string `arg:"" optional:"" name:"URL" help:"Image URLs."`
	Input  string   `short:"i" placeholder:"FILE" help:"Image URLs, one per line; '-' = stdin (the default when no URL is given and stdin is not a terminal)."`
	Layout string   `default:"flat" enum:"mirror,flat,hash" help:"flat = OUT/<name from the URL>, mirror = OUT/host/path/name.ext, hash = OUT/ab/cd/<sha256>.ext."`
	fetchFlags
	storeFlags
}

func (g *getCmd) Run(e *env) error {
	input := g.Input
	if input == "" && len(g.URLs) == 0 && !e.stdinTTY {
		input = "-"
	}
	if input == "" && len(g.URLs) == 0 && g.Redis == "" {
		return usageError{errNoImages}
	}
	cfg := crawler.Config{}
	if err := g.fetchFlags.Apply(&cfg); err != nil {
		return err
	}
	if err := g.storeFlags.apply(&cfg, g.Layout); err != nil {
		return err
	}
	urls, stop, err := streamLines(g.URLs, input, e)
	if err != nil {
		return err
	}
	defer stop()
	cfg.Images, cfg.ImagesTotal = urls, listLength(g.URLs, input)
	return runCrawl(cfg, &g.storeFlags, e)
}
