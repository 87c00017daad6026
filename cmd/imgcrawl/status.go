package main

import (
	"context"
	"fmt"
	"os"

	"github.com/imgcrawl/imgcrawl/store/state/bolt"
)

type statusCmd struct {
	Out   string `short:"o" default:"./images" placeholder:"DIR" help:"Output folder of the crawl."`
	State string `placeholder:"FILE" help:"State file (default OUT/.imgcrawl/state.db)."`
	redisFlags
}

func (s *statusCmd) Run(e *env) error {
	if s.Redis != "" {
		return redisStatus(s.redisFlags, e)
	}
	path := statePath(s.Out, s.State)
	if path == "" {
		return usageError{fmt.Errorf("--state none has nothing stored")}
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no stored crawl at %s: %w", path, err)
	}
	b, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		return err
	}
	defer b.Close()
	c, err := b.Counts(context.Background())
	if err != nil {
		return err
	}
	state := "finished"
	if c.PagesPending+c.ImagesPending > 0 {
		state = "unfinished (re-run the same command to continue)"
	}
	fmt.Fprintf(e.stdout, "state:      %s\ncrawl:      %s\n", path, state)
	fmt.Fprintf(e.stdout, "pages:      %d done, %d pending\n", c.PagesDone, c.PagesPending)
	fmt.Fprintf(e.stdout, "images:     %d saved, %d duplicates, %d skipped, %d failed, %d pending\n",
		c.Saved, c.Duplicates, c.Skipped, c.Failed, c.ImagesPending)
	fmt.Fprintf(e.stdout, "bytes:      %d (%.1f MiB)\nurls seen:  %d\n", c.Bytes, float64(c.Bytes)/(1<<20), c.Seen)
	return nil
}
