package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state/bolt"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"github.com/imgcrawl/imgcrawl/store"
)

// BenchmarkCrawlSiteA crawls a 300-page site of workload (a)'s shape (8
// links and 5 images of 64 KiB per page, 96 distinct images, depth 5) in
// process, the way the CLI's default mode does (bbolt state, manifest, 8
// requests in flight). Downloads go to $TMPDIR; set TMPDIR=/dev/shm to
// leave the disk out as the suite does. The site is served from the same process, so a CPU
// profile shows both sides; filter it on the crawler's packages:
//
//	go test -run '^$' -bench CrawlSiteA -cpuprofile cpu.out ./internal/bench
//	go tool pprof -top -focus 'imgcrawl/(crawler|fetch|store)' cpu.out
func BenchmarkCrawlSiteA(b *testing.B) {
	benchCrawl(b, testsite.Options{Pages: 300, LinksPerPage: 8, ImagesPerPage: 5, DistinctImages: 96,
		ImageBytes: 64 << 10, Seed: 1}, 5)
}

// BenchmarkCrawlSiteSmall is the same shape with 4 KiB images: per-request
// overhead dominates.
func BenchmarkCrawlSiteSmall(b *testing.B) {
	benchCrawl(b, testsite.Options{Pages: 300, LinksPerPage: 8, ImagesPerPage: 5, ImageBytes: 4 << 10, Seed: 1}, 5)
}

// BenchmarkGetImages downloads 2,000 image URLs of about 4 KiB in process,
// like workload (e) at a fifth of its size.
func BenchmarkGetImages(b *testing.B) {
	const n = 2000
	site := testsite.New(testsite.Options{Pages: 10, ImagesPerPage: 1, DistinctImages: n, ImageBytes: 4 << 10, Seed: 1})
	list := site.ImageList()[:n]
	base, stop := site.Start()
	defer stop()
	run := func(out string) {
		st, err := bolt.Open(filepath.Join(out, store.PrivateDir, "state.db"), bolt.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		urls := make(chan string, len(list))
		for _, ref := range list {
			urls <- base + ref.Path
		}
		close(urls)
		c, err := crawler.New(crawler.Config{Depth: crawler.SeedsOnly, Retries: crawler.NoRetries, Images: urls, Out: out, Layout: store.LayoutFlat,
			Concurrency: inFlight, PerHost: inFlight, State: st})
		if err != nil {
			b.Fatal(err)
		}
		sum, err := c.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if sum.Images != n {
			b.Fatalf("saved %d images, want %d", sum.Images, n)
		}
	}
	run(b.TempDir()) // warm the site's image cache
	var elapsed time.Duration
	b.ResetTimer()
	for b.Loop() {
		out := b.TempDir()
		start := time.Now()
		run(out)
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "images/s")
}

func benchCrawl(b *testing.B, opt testsite.Options, depth int) {
	site := testsite.New(opt)
	want := site.Expected(depth)
	pages := len(site.ExpectedPages(depth))
	var bytes int64
	for _, e := range want {
		bytes += int64(e.Bytes)
	}
	base, stop := site.Start()
	defer stop()
	run := func(out string) {
		st, err := bolt.Open(filepath.Join(out, store.PrivateDir, "state.db"), bolt.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		c, err := crawler.New(crawler.Config{Retries: crawler.NoRetries, Seeds: []string{base + "/"}, Depth: depth, Out: out,
			Concurrency: inFlight, PerHost: inFlight, State: st})
		if err != nil {
			b.Fatal(err)
		}
		sum, err := c.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if int(sum.Images) != len(want) {
			b.Fatalf("saved %d images, want %d", sum.Images, len(want))
		}
	}
	run(b.TempDir()) // warm the site's image cache
	var elapsed time.Duration
	b.ResetTimer()
	for b.Loop() {
		out := b.TempDir()
		start := time.Now()
		run(out)
		elapsed += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(pages)*n/elapsed.Seconds(), "pages/s")
	b.ReportMetric(float64(bytes)*n/elapsed.Seconds()/(1<<20), "MiB/s")
}
