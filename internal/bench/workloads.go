package main

import (
	"fmt"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// benchMode says what the crawler side of a workload runs.
type benchMode int

const (
	modeCrawl benchMode = iota // imgcrawl crawl from "/" to the workload's depth
	modeGet                    // imgcrawl get of the workload's image URLs
	modeLarge                  // imgcrawl get of the server's one large image
	modeWeb                    // imgcrawl crawl of real documentation trees, against wget -r -p
)

// workload is one scenario of the suite: a site served by the testsite
// binary, what the crawler does with it, and the target it should meet.
type workload struct {
	name   string
	title  string
	mode   benchMode
	site   testsite.Options // features are always off: the baseline needs exact lists
	depth  int              // modeCrawl
	get    int              // modeGet: number of image URLs
	large  int64            // modeLarge: bytes of the large image
	target string           // the goal, in words
	// check reports whether the target was met, given the workload's result.
	check func(r *result) bool
	// flags are added to the crawler's command line (--render).
	flags []string
	// tree samples the memory of the crawler's whole process tree (the
	// browser's processes included): measure -tree.
	tree bool
	// against names a workload run earlier whose crawl time this one's is
	// judged against (result.againstWall).
	against string
	// procs > 0 runs that many crawler processes at once, sharing one
	// crawl through a redis-server started for the workload (--redis,
	// --job); 0 runs one process with the default bbolt state.
	procs int
	// index, when set, adds --index: "sqlite" (a fresh file per run) or
	// "mysql" (a fresh database per run on a MariaDB server started for
	// the workload).
	index string
}

const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30
)

// benchWorkloads returns the workloads of the suite, full size or smoke size.
func benchWorkloads(smoke bool) []workload {
	// The server keeps 64 MiB of image bytes in memory and re-encodes the
	// rest on every request; 960 distinct 64 KiB images fit, so what is
	// measured is the crawler, not the server's image encoder.
	pages, imgBytes, distinct, big, gets := 3000, 64*kib, 960, int64(gib), 10000
	pagesC, distinctCImages := 30000, 95000
	if smoke {
		pages, imgBytes, distinct, big, gets = 200, 4*kib, 0, 10*mib, 300
		pagesC, distinctCImages = 400, 1200
	}
	shape := func(n int, latency time.Duration) testsite.Options {
		return testsite.Options{Pages: n, LinksPerPage: 8, ImagesPerPage: 5, DistinctImages: distinct,
			ImageBytes: imgBytes, Latency: latency, Seed: 1}
	}
	ws := []workload{
		{
			name: "a", mode: modeCrawl, site: shape(pages, 0), depth: 5,
			title:  fmt.Sprintf("crawl %d pages, 8 links and 5 images of %s per page, depth 5", pages, sizeText(imgBytes)),
			target: "raw ratio >= 0.85, parse-inclusive ratio >= 0.9, CPU <= 1.25x the parse-inclusive ceiling's, every image saved, no URL requested twice",
			check: func(r *result) bool {
				return r.ratio() >= 0.85 && r.parseRatio() >= 0.9 && r.cpuVsParse() > 0 && r.cpuVsParse() <= 1.25 && r.verified
			},
		},
		{
			name: "b", mode: modeCrawl, site: shape(pages, 20*time.Millisecond), depth: 5,
			title:  fmt.Sprintf("as (a) with 20 ms added to every response (%d pages)", pages),
			target: "ratio >= 0.97",
			check:  func(r *result) bool { return r.ratio() >= 0.97 },
		},
		{
			name: "c", mode: modeCrawl, site: shape(pagesC, 0), depth: 6,
			title:  fmt.Sprintf("as (a) with %d pages, depth 6 (every page; memory)", pagesC),
			target: "peak RSS <= 40 MiB",
			check:  func(r *result) bool { return r.crawl.rssMiB() <= 40 },
		},
		{
			// (c) shares 960 images among its pages; here every image URL
			// is its own, so the state, the manifest and the store hold
			// tens of thousands of images, as on a real site: 95,000
			// distinct URLs named 150,000 times reach about 75,000 images,
			// the scale issue 22 names. The images are small so that the
			// server, which cannot cache them all, is not what is measured.
			name: "c-images", mode: modeCrawl, depth: 6,
			site:   testsite.Options{Pages: pagesC, LinksPerPage: 8, ImagesPerPage: 5, DistinctImages: distinctCImages, ImageBytes: 4 * kib, Seed: 1},
			title:  fmt.Sprintf("as (c) with every image URL distinct (%d pages, about %d images of about 4 KiB; memory)", pagesC, distinctCImages*4/5),
			target: "peak RSS <= 40 MiB",
			check:  func(r *result) bool { return r.crawl.rssMiB() <= 40 },
		},
		{
			name: "d", mode: modeLarge, large: big,
			site:   testsite.Options{Pages: 10, ImagesPerPage: 1, DistinctImages: 10, Seed: 1},
			title:  fmt.Sprintf("get one %s image", sizeText(int(big))),
			target: "peak RSS grows by < 16 MiB over a tiny get",
			check:  func(r *result) bool { return r.crawl.rssMiB()-r.tiny.rssMiB() < 16 },
		},
		{
			name: "e", mode: modeGet, get: gets,
			site:   testsite.Options{Pages: 10, ImagesPerPage: 1, DistinctImages: gets, ImageBytes: 4 * kib, Seed: 1},
			title:  fmt.Sprintf("get %d image URLs of about 4 KiB", gets),
			target: "ratio >= 0.95",
			check:  func(r *result) bool { return r.ratio() >= 0.95 },
		},
	}
	// Rendering: every page of a small site of the (a) shape loaded in
	// headless Chromium (--render): pages rendered per second and the peak
	// memory of the crawler and the browser together; and --render auto on
	// the (a) site, whose pages all name images, so none is rendered.
	rpages := 60
	if smoke {
		rpages = 12
	}
	ws = append(ws,
		workload{
			name: "render", mode: modeCrawl, site: shape(rpages, 0), depth: 5,
			flags: []string{"--render", "--render-tabs", "2"}, tree: true,
			title:  fmt.Sprintf("as (a) with %d pages, each rendered in headless Chromium (--render, 2 tabs)", rpages),
			target: "every image saved, no URL requested twice (the browser loads no image)",
			check:  func(r *result) bool { return r.verified },
		},
		workload{
			name: "render-auto", mode: modeCrawl, site: shape(pages, 0), depth: 5, against: "a",
			flags:  []string{"--render", "auto"},
			title:  fmt.Sprintf("as (a), with --render auto: a static site (%d pages) renders nothing", pages),
			target: "crawl time <= 1.10 x the crawl time of (a), every image saved",
			check: func(r *result) bool {
				return r.verified && r.againstWall > 0 && r.crawl.wall() <= 1.10*r.againstWall
			},
		},
	)
	ws = append(ws, workload{
		name: "web", mode: modeWeb,
		title:  "crawl real documentation trees from " + webRoot + " served by nginx, against wget -r -p",
		target: "every image wget saves is saved; CPU per page within 1.5x of wget's",
		check:  func(r *result) bool { return r.verified && r.crawl.cpu() <= 1.5*r.base.cpu() },
	})
	// (a) again with the SQL index: the index's cost is the difference
	// from (a). Each run writes a fresh index.
	for _, db := range []string{"sqlite", "mysql"} {
		ws = append(ws, workload{
			name: "index-" + db, mode: modeCrawl, site: shape(pages, 0), depth: 5, index: db,
			title:  fmt.Sprintf("as (a) with --index %s: every image and page also a row", db),
			target: "ratio >= 0.765 (within 10% of (a)'s target), every image saved",
			check:  func(r *result) bool { return r.ratio() >= 0.85*0.9 && r.verified },
		})
	}
	// The latency-bound crawl of (b), shared through Redis by 1, 4 and 16
	// processes of 8 requests in flight each (--per-host 8 per worker, held
	// for the job): the scaling benchmark. The speed-up of N workers is
	// redis-1's time over redis-N's; the baseline stays at 8.
	for _, n := range redisWorkers {
		ws = append(ws, workload{
			name: fmt.Sprintf("redis-%d", n), mode: modeCrawl, site: shape(pages, 20*time.Millisecond), depth: 5, procs: n,
			title:  fmt.Sprintf("as (b), %d crawler process(es) of 8 requests in flight sharing the crawl through Redis", n),
			target: "4 workers >= 3.2x one worker; every image saved once across the workers, no URL requested twice",
			check:  func(r *result) bool { return r.verified },
		})
	}
	return ws
}

// redisWorkers are the process counts of the redis workloads.
var redisWorkers = []int{1, 4, 16}

// sizeText formats a byte count as "64 KiB", "1 GiB", "4096 B".
func sizeText(n int) string {
	switch {
	case n >= gib && n%gib == 0:
		return fmt.Sprintf("%d GiB", n/gib)
	case n >= mib && n%mib == 0:
		return fmt.Sprintf("%d MiB", n/mib)
	case n >= kib && n%kib == 0:
		return fmt.Sprintf("%d KiB", n/kib)
	}
	return fmt.Sprintf("%d B", n)
}
