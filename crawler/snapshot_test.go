package crawler

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// TestSnapshotWhileRunning: a crawl with SnapshotInterval writes snapshots
// another reader sees while it runs, and a last one when Run returns.
func TestSnapshotWhileRunning(t *testing.T) {
	opt := testsite.DefaultOptions()
	opt.Latency = 10 * time.Millisecond
	site := testsite.New(opt)
	base, stop := site.Start()
	defer stop()
	out := t.TempDir()
	if _, err := ReadSnapshot(out); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadSnapshot before any crawl: %v, want fs.ErrNotExist", err)
	}
	c, err := New(Config{Retries: NoRetries, Seeds: []string{base + "/"}, Depth: 2, Out: out, Concurrency: 2,
		SnapshotInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		sum Summary
		err error
	}
	done := make(chan result, 1)
	go func() { s, err := c.Run(context.Background()); done <- result{s, err} }()
	var live Snapshot
	seen := false
	for !seen {
		select {
		case r := <-done:
			t.Fatalf("the crawl ended (%v) before a live snapshot showed pages", r.err)
		case <-time.After(20 * time.Millisecond):
		}
		s, err := ReadSnapshot(out)
		if err != nil {
			continue // not written yet
		}
		seen = s.Running && s.Run.Pages > 0 && s.Counts.PagesDone > 0
		live = s
	}
	if live.PID != os.Getpid() || live.Get || live.Interval != 50*time.Millisecond || live.Stale(time.Now()) {
		t.Errorf("live snapshot: %+v", live)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	last, err := ReadSnapshot(out)
	if err != nil {
		t.Fatal(err)
	}
	if last.Running || last.Run.Pages != r.sum.Pages || last.Run.Images != r.sum.Images ||
		last.Counts != r.sum.Total || !last.Started.Equal(live.Started) || last.Updated.Before(live.Updated) {
		t.Errorf("last snapshot %+v\nsummary %+v", last, r.sum)
	}
	if last.Stale(time.Now().Add(time.Hour)) {
		t.Error("a finished crawl's snapshot is called stale")
	}
}
