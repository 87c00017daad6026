package redis

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// BenchmarkMemoryPerURL measures what a job costs Redis: it queues
// IMGCRAWL_BENCH_URLS synthetic URLs (default 1,000,000; a quarter pages,
// the rest images, with URLs and referring pages of a typical length) and
// reports the server's used_memory per URL queued, then hands out and
// acknowledges them all (a finished job keeps only its seen set and
// counters) and reports the bytes per URL seen. It does the same work
// whatever b.N: the figures are per URL, for one job of that size.
func BenchmarkMemoryPerURL(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("IMGCRAWL_BENCH_URLS")); err == nil && v > 0 {
		n = v
	}
	srv := redistest.StartServer(b)
	ctx := context.Background()
	used := func() int64 {
		info := srv.Do("INFO", "memory")
		for line := range strings.SplitSeq(info, "\r\n") {
			if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
				x, _ := strconv.ParseInt(v, 10, 64)
				return x
			}
		}
		b.Fatal("no used_memory in INFO memory")
		return 0
	}
	s, err := Open(ctx, "redis://"+srv.Addr+"/0", Options{Job: "mem", Lease: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	empty := used()
	items := make([]state.Item, 0, addBatch)
	for i := range n {
		page := fmt.Sprintf("http://www.shop.example/catalog/section-%d/page-%d.html", i/1000, i/4)
		it := state.Item{URL: fmt.Sprintf("http://www.shop.example/media/images/%d/product-%d.jpg", i/1000, i),
			Kind: state.KindImage, Depth: 3, Page: page}
		if i%4 == 0 {
			it = state.Item{URL: page, Kind: state.KindPage, Depth: 3,
				Page: fmt.Sprintf("http://www.shop.example/catalog/section-%d/index.html", i/1000)}
		}
		it.Key = state.KeyOf(it.URL)
		if items = append(items, it); len(items) == cap(items) || i == n-1 {
			if _, err := s.Add(ctx, items); err != nil {
				b.Fatal(err)
			}
			items = items[:0]
		}
	}
	queued := used()
	if err := doneScript.Load(ctx, s.rdb).Err(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(queued-empty)/float64(n), "B/queued-url")
	for {
		got, err := s.Take(ctx, 1000, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if len(got) == 0 {
			break
		}
		pipe := s.rdb.Pipeline()
		for _, it := range got {
			doneScript.EvalSha(ctx, pipe, s.fkeys, s.gen, string(it.Key[:]), string(state.Saved), 1000)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			b.Fatal(err)
		}
		s.mu.Lock()
		clear(s.held)
		s.mu.Unlock()
	}
	srv.Do("MEMORY", "PURGE")
	b.ReportMetric(float64(used()-empty)/float64(n), "B/seen-url")
	seen := srv.Do("MEMORY", "USAGE", s.k.name("seen"), "SAMPLES", "0")
	if v, err := strconv.ParseFloat(seen, 64); err == nil {
		b.ReportMetric(v/float64(n), "B/seen-set-entry")
	}
}
