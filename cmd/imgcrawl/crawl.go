package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/imgcrawl/imgcrawl/crawler"
	redisstate "github.com/imgcrawl/imgcrawl/store/state/redis"
)

type crawlCmd struct {
	URLs    []string `arg:"" optional:"" name:"URL" help:"Seed URLs."`
	Input   string   `short:"i" placeholder:"FILE" help:"Seed URLs, one per line; '-' = stdin; blank lines and # comments skipped."`
	Depth   int      `short:"d" default:"2" help:"Link depth from a seed; a seed page is depth 0."`
	Scope   string   `default:"host" enum:"host,domain,all" help:"Pages followed: the seed's host, its registrable domain, or anywhere (host|domain|all)."`
	Include []string `sep:"none" placeholder:"RE" help:"Follow only pages whose URL matches, repeatable."`
	Exclude []string `sep:"none" placeholder:"RE" help:"Do not follow pages whose URL matches, repeatable."`
	Layout  string   `default:"mirror" enum:"mirror,flat,hash" help:"mirror = OUT/host/path/name.ext, flat = OUT/name.ext, hash = OUT/ab/cd/<sha256>.ext."`
	Srcset  string   `default:"all" placeholder:"all|largest" help:"Of each srcset and <picture>, save every candidate (all), or only the largest and never request the others (largest)."`
	SkipExt string   `name:"skip-ext" placeholder:"LIST" default:"${default_skip_ext}" help:"Extensions of links never requested, comma-separated; replaces the list, and an empty value requests every link (default ${default})."`

	Sitemaps bool `help:"Also read each seed host's sitemaps (robots.txt Sitemap lines, else /sitemap.xml): their pages are crawled from depth 0, their images saved."`
	fetchFlags
	storeFlags

	MaxStylesheetSize byteSize `name:"max-stylesheet-size" default:"${default_max_stylesheet_size}" help:"Largest style sheet read for images, after decompression; a larger one is not read."`
}

func (c *crawlCmd) Run(e *env) error {
	seeds, err := readSeeds(c.URLs, c.Input, e)
	if err != nil {
		return err
	}
	if len(seeds) == 0 && c.Redis == "" {
		return usageError{errors.New("no seed URLs: give URLs as arguments or with --input")}
	}
	cfg := crawler.Config{Seeds: seeds, Depth: c.Depth, Scope: crawler.Scope(c.Scope),
		Include: c.Include, Exclude: c.Exclude, SkipExtensions: splitList(c.SkipExt), Srcset: crawler.Srcset(c.Srcset),
		MaxStylesheetSize: int64(c.MaxStylesheetSize)}
	cfg.Sitemaps = c.Sitemaps
	if err := c.fetchFlags.apply(&cfg); err != nil {
		return err
	}
	if err := c.storeFlags.apply(&cfg, c.Layout); err != nil {
		return err
	}
	return runCrawl(cfg, &c.storeFlags, e)
}

// runCrawl opens the state, runs the crawl with signal handling and prints
// the summary. The flags are checked first, so that a bad one touches no
// stored state.
func runCrawl(cfg crawler.Config, sf *storeFlags, e *env) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	st, closeState, err := openStateFor(&cfg, sf, e)
	if err != nil {
		return err
	}
	defer closeState()
	cfg.State, cfg.SnapshotInterval = st, crawler.DefaultSnapshotInterval
	if !sf.Quiet {
		cfg.Progress, cfg.ProgressTTY = e.progress, e.stderrTTY
	}
	cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cr, err := crawler.New(cfg)
	if err != nil {
		return err
	}
	ctx, stop := withSignals(context.Background(), e, func() {
		cr.RemoveTemp()
		os.Exit(exitCanceled)
	})
	defer stop()
	sum, err := cr.Run(ctx)
	if errors.Is(err, redisstate.ErrJobLost) {
		sum.Resumed = false // the job's totals went with it: none to show
	}
	printSummary(e.stderr, sum, sf.Quiet)
	if ctx.Err() != nil {
		return errInterrupted
	}
	var me *crawler.MismatchError
	if errors.As(err, &me) {
		return usageError{fmt.Errorf("%w: %s", err, mismatchHint(sf))}
	}
	if err != nil {
		return err
	}
	stored := sf.Redis == "" && statePath(sf.Out, sf.State) != ""
	return runOutcome(sum, cfg.Images != nil, sf.Strict, stored)
}

// mismatchHint says how to start over when the stored crawl differs.
func mismatchHint(sf *storeFlags) string {
	if sf.Redis != "" {
		return "name another --job to start a new shared crawl"
	}
	return "use --fresh to discard it, or another output folder"
}

var errInterrupted = errors.New("interrupted")
