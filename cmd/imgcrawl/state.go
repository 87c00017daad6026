package main

import (
	"fmt"
	"os"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/state"
	"github.com/imgcrawl/imgcrawl/store/state/bolt"
)

// openStateFor opens the crawl state the flags name: the shared job on
// Redis with --redis, memory with --state none, else a bbolt file (--state,
// by default the one under --out). The returned func closes it.
func openStateFor(cfg *crawler.Config, sf *storeFlags, e *env) (state.State, func(), error) {
	if sf.Redis != "" {
		return openRedis(cfg, sf, e)
	}
	path := statePath(sf.Out, sf.State)
	if path == "" {
		m := state.NewMemory()
		return m, func() { m.Close() }, nil
	}
	return openBolt(path, sf, e)
}

// statePath is the state file the --out and --state flags name ("" = in
// memory).
func statePath(out, flag string) string {
	switch flag {
	case "none":
		return ""
	case "":
		return store.StatePath(out)
	}
	return flag
}

// openBolt opens the bbolt state file at path, first discarding it with
// --fresh.
func openBolt(path string, sf *storeFlags, e *env) (state.State, func(), error) {
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
