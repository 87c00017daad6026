package redis_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/redistest"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
	redisstate "github.com/imgcrawl/imgcrawl/store/state/redis"
)

// e2eSaved returns the SHA-256 of every image file under out, by path.
func e2eSaved(t *testing.T, out string) map[string]string {
	t.Helper()
	rel, err := testsite.SavedImages(out)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for p, sum := range rel {
		files[out+"/"+p] = sum
	}
	return files
}

// TestThreeWorkersCrawlOneJob runs three engines in one process on one
// job, each with its own output folder: together they save every expected
// image exactly once and fetch no URL twice.
func TestThreeWorkersCrawlOneJob(t *testing.T) {
	addr := redistest.Start(t)
	site := testsite.New(testsite.DefaultOptions())
	base, stop := site.Start()
	defer stop()
	const depth = 3
	job := redisstate.JobName([]string{base + "/"}, fmt.Sprint("depth=", depth))

	const workers = 3
	outs := make([]string, workers)
	sums := make([]crawler.Summary, workers)
	errs := make([]error, workers)
	var states []*redisstate.State
	for i := range workers {
		st, err := redisstate.Open(context.Background(), "redis://"+addr+"/0",
			redisstate.Options{Job: job, Lease: 3 * time.Second, Renew: time.Second, PerHost: 6})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		states = append(states, st)
		outs[i] = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for i, st := range states {
		c, err := crawler.New(crawler.Config{Retries: crawler.NoRetries, Seeds: []string{base + "/"}, Depth: depth, Out: outs[i],
			Concurrency: 4, State: st, Gate: st.Gate()})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { sums[i], errs[i] = c.Run(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v", i, err)
		}
	}

	want := map[string]bool{}
	for _, e := range site.Expected(depth) {
		want[e.SHA256] = true
	}
	got := map[string]int{}
	var images int64
	for i, out := range outs {
		images += sums[i].Images
		t.Logf("worker %d: %d pages, %d images, %d duplicates", i, sums[i].Pages, sums[i].Images, sums[i].Duplicates)
		for path, sha := range e2eSaved(t, out) {
			if got[sha]++; got[sha] > 1 {
				t.Errorf("content %s saved more than once (again at %s)", sha[:12], path)
			}
			if !want[sha] {
				t.Errorf("unexpected file %s (%s)", path, sha[:12])
			}
		}
	}
	for sha := range want {
		if got[sha] == 0 {
			t.Errorf("expected image %s not saved by any worker", sha[:12])
		}
	}
	if int(images) != len(want) {
		t.Errorf("the workers' summaries add up to %d images saved, want %d", images, len(want))
	}
	for target, n := range site.Requests() {
		// Each worker reads robots.txt for itself.
		if target == "/robots.txt" {
			if n > workers {
				t.Errorf("robots.txt requested %d times by %d workers", n, workers)
			}
			continue
		}
		if n > 1 {
			t.Errorf("%s requested %d times", target, n)
		}
	}
	c, err := states[0].Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.PagesPending != 0 || c.ImagesPending != 0 || c.Saved != int64(len(want)) {
		t.Errorf("job counts = %+v, want nothing pending and %d saved", c, len(want))
	}
}
