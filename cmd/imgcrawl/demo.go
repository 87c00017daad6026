package main

import (
	"fmt"
	"net"
	"path/filepath"

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
	// A fixed port keeps the mirror folder's name the same from run to run.
	ln, err := net.Listen("tcp", "127.0.0.1:8808")
	if err != nil {
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return fmt.Errorf("demo: listen on 127.0.0.1: %w", err)
		}
	}
	base, stop := testsite.Serve(ln, site)
	defer stop()
	fmt.Fprintf(e.stderr, "imgcrawl demo: serving the sample site at %s\n", base)
	depth, err := libCount("--depth", d.Depth, crawler.SeedsOnly)
	if err != nil {
		return err
	}
	cfg := crawler.Config{Seeds: []string{base + "/"}, Depth: depth, Concurrency: 8, PerHost: 8}
	sf := storeFlags{Out: d.Out, State: "none", Quiet: d.Quiet}
	cfg.Out = d.Out
	if err := runCrawl(cfg, &sf, e); err != nil {
		return err
	}
	want := site.Expected(d.Depth)
	files, err := testsite.SavedImages(d.Out)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, sum := range files {
		have[sum] = true
	}
	missing := 0
	for _, img := range want {
		if !have[img.SHA256] {
			missing++
		}
	}
	fmt.Fprintf(e.stdout, "demo: crawled %s to depth %d into %s (manifest: %s)\n", base, d.Depth, d.Out,
		filepath.Join(d.Out, "manifest.jsonl"))
	if missing > 0 {
		return fmt.Errorf("demo: %d of the site's %d images within depth %d are missing", missing, len(want), d.Depth)
	}
	fmt.Fprintf(e.stdout, "demo: all %d distinct images the site has within depth %d are saved, each once (%d files)\n",
		len(want), d.Depth, len(files))
	return nil
}
