package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/humanize"
	"github.com/imgcrawl/imgcrawl/store/state"
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
	if errors.Is(err, bolt.ErrInUse) {
		return liveStatus(s.Out, path, err, e)
	}
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
	printCounts(e.stdout, c)
	return nil
}

// liveStatus reports a crawl that holds its state file (bbolt allows one
// process at a time) from the snapshot the crawl writes while it runs.
func liveStatus(out, path string, inUse error, e *env) error {
	snap, err := crawler.ReadSnapshot(out)
	if err != nil {
		return fmt.Errorf("%w, which writes no live status here (%v)", inUse, err)
	}
	now := time.Now()
	age := humanize.Duration(snap.Age(now))
	var crawl string
	switch {
	case !snap.Running:
		crawl = fmt.Sprintf("in use by another process; the last crawl here ended %s ago (pid %d); its counts:", age, snap.PID)
	case snap.Stale(now):
		crawl = fmt.Sprintf("running (pid %d), but its live status is %s old: the crawl may be stuck", snap.PID, age)
	default:
		crawl = fmt.Sprintf("running (pid %d, started %s ago); live status from %s ago",
			snap.PID, humanize.Duration(now.Sub(snap.Started)), age)
	}
	fmt.Fprintf(e.stdout, "state:      %s (in use)\ncrawl:      %s\n", path, crawl)
	printCounts(e.stdout, snap.Counts)
	if snap.Listed > 0 {
		fmt.Fprintf(e.stdout, "listed:     %d of %d URLs done\n", snap.ListedDone, snap.Listed)
	}
	if snap.Running {
		fmt.Fprintf(e.stdout, "rate:       %s req/s, %s\n", humanize.Rate(snap.RequestsPerSec), humanize.ByteRate(snap.BytesPerSec))
	}
	return nil
}

// printCounts writes what a crawl state holds.
func printCounts(w io.Writer, c state.Counts) {
	fmt.Fprintf(w, "pages:      %d done, %d pending\n", c.PagesDone, c.PagesPending)
	fmt.Fprintf(w, "images:     %d saved, %d duplicates, %d skipped, %d failed, %d pending\n",
		c.Saved, c.Duplicates, c.Skipped, c.Failed, c.ImagesPending)
	fmt.Fprintf(w, "bytes:      %d (%s)\nurls seen:  %d\n", c.Bytes, humanize.Bytes(c.Bytes), c.Seen)
}
