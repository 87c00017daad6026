package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/options"
	redisstate "github.com/imgcrawl/imgcrawl/store/state/redis"
)

type crawlCmd struct {
	URLs  []string `arg:"" optional:"" name:"URL" help:"Seed URLs."`
	Input string   `short:"i" placeholder:"FILE" help:"Seed URLs, one per line; '-' = stdin; blank lines and # comments skipped."`
	options.Crawl
	Layout string `default:"mirror" enum:"mirror,flat,hash" help:"mirror = OUT/host/path/name.ext, flat = OUT/name.ext, hash = OUT/ab/cd/<sha256>.ext."`

	options.Render
	Browser string `placeholder:"PATH" help:"The Chromium or Chrome binary for --render (default: chromium in PATH)."`
	fetchFlags
	storeFlags
}

func (c *crawlCmd) Run(e *env) error {
	seeds, err := readSeeds(c.URLs, c.Input, e)
	if err != nil {
		return err
	}
	if len(seeds) == 0 && c.Redis == "" {
		return usageError{errors.New("no seed URLs: give URLs as arguments or with --input")}
	}
	cfg := crawler.Config{Seeds: seeds}
	if err := c.Crawl.Apply(&cfg); err != nil {
		return err
	}
	if err := c.Render.Apply(&cfg); err != nil {
		return err
	}
	cfg.Browser = c.Browser
	if err := c.fetchFlags.Apply(&cfg); err != nil {
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
	dsn, err := parseIndexFlag(sf.Index)
	if err != nil {
		return err
	}
	st, closeState, err := openStateFor(&cfg, sf, e)
	if err != nil {
		return err
	}
	defer closeState()
	if cfg.Index, err = openIndex(dsn); err != nil {
		return err
	}
	if cfg.Index != nil {
		defer cfg.Index.Close()
	}
	cfg.State, cfg.SnapshotInterval = st, crawler.DefaultSnapshotInterval
	if !sf.Quiet {
		cfg.Progress, cfg.ProgressTTY = e.progress, e.stderrTTY
	}
	cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	view, err := startView(&cfg, &sf.listenFlags, e)
	if err != nil {
		return err
	}
	cr, err := crawler.New(cfg)
	if err != nil {
		view.stop(err)
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
	view.stop(err)
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
