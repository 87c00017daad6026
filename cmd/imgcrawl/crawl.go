package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/imgcrawl/imgcrawl/store/state"
	"github.com/imgcrawl/imgcrawl/store/state/bolt"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/store"
)

type crawlCmd struct {
	URLs    []string `arg:"" optional:"" name:"URL" help:"Seed URLs."`
	Input   string   `short:"i" placeholder:"FILE" help:"Seed URLs, one per line; '-' = stdin; blank lines and # comments skipped."`
	Depth   int      `short:"d" default:"2" help:"Link depth from a seed; a seed page is depth 0."`
	Scope   string   `default:"host" enum:"host,domain,all" help:"Pages followed: the seed's host, its registrable domain, or anywhere (host|domain|all)."`
	Include []string `placeholder:"RE" help:"Follow only pages whose URL matches, repeatable."`
	Exclude []string `placeholder:"RE" help:"Do not follow pages whose URL matches, repeatable."`
	Layout  string   `default:"mirror" enum:"mirror,flat,hash" help:"mirror = OUT/host/path/name.ext, flat = OUT/name.ext, hash = OUT/ab/cd/<sha256>.ext."`
	fetchFlags
	storeFlags
}

func (c *crawlCmd) Run(e *env) error {
	if c.Depth < 0 {
		return usageError{fmt.Errorf("--depth must be >= 0, got %d", c.Depth)}
	}
	seeds, err := readSeeds(c.URLs, c.Input, e)
	if err != nil {
		return err
	}
	if len(seeds) == 0 && c.Redis == "" {
		return usageError{errors.New("no seed URLs: give URLs as arguments or with --input")}
	}
	cfg := crawler.Config{Seeds: seeds, Depth: c.Depth, Scope: crawler.Scope(c.Scope),
		Include: c.Include, Exclude: c.Exclude}
	if err := c.fetchFlags.apply(&cfg); err != nil {
		return err
	}
	if err := c.storeFlags.apply(&cfg, c.Layout); err != nil {
		return err
	}
	return runCrawl(cfg, &c.storeFlags, e)
}

// runCrawl opens the state, runs the crawl with signal handling and prints
// the summary.
func runCrawl(cfg crawler.Config, sf *storeFlags, e *env) error {
	st, closeState, err := openStateFor(&cfg, sf, e)
	if err != nil {
		return err
	}
	defer closeState()
	cfg.State = st
	if !sf.Quiet {
		cfg.Progress, cfg.ProgressTTY = e.stderr, e.stderrTTY
	}
	cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cr, err := crawler.New(cfg)
	if err != nil {
		return err
	}
	ctx, stop := withSignals(context.Background(), e, cr.TempDir())
	defer stop()
	sum, err := cr.Run(ctx)
	printSummary(e.stderr, sum, sf.Quiet)
	if ctx.Err() != nil {
		return errInterrupted
	}
	return err
}

var errInterrupted = errors.New("interrupted")

// statePath is where the crawl state lives for these flags ("" = memory).
func statePath(sf *storeFlags) string {
	switch sf.State {
	case "none":
		return ""
	case "":
		return filepath.Join(sf.Out, store.PrivateDir, "state.db")
	}
	return sf.State
}

// openState opens the crawl state the flags name.
func openState(sf *storeFlags, e *env) (state.State, func(), error) {
	path := statePath(sf)
	if path == "" {
		m := state.NewMemory()
		return m, func() { m.Close() }, nil
	}
	if sf.Fresh {
		if _, err := os.Stat(path); err == nil {
			fmt.Fprintf(e.stderr, "imgcrawl: --fresh: discarding the stored crawl state %s\n", path)
		}
		if err := bolt.Remove(path); err != nil {
			return nil, nil, err
		}
	}
	b, err := bolt.Open(path, bolt.Options{NoSync: !sf.Fsync})
	if err != nil {
		return nil, nil, err
	}
	return b, func() {
		if err := b.Close(); err != nil {
			fmt.Fprintf(e.stderr, "imgcrawl: %v\n", err)
		}
	}, nil
}
