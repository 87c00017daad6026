// Command bench is the end-to-end benchmark suite behind `make bench`. It
// measures the imgcrawl binary against a baseline downloader on synthetic
// sites served by the testsite binary on 127.0.0.1, each in its own process.
//
// Usage (from the repository):
//
//	go run ./internal/bench [-only a,b] [-runs 3] [-disk] [-smoke] [-v]
//
// It builds imgcrawl, internal/bench/baseline, internal/bench/measure (the
// launcher that reads a child's rusage) and the testsite server into a
// temporary folder, then for each workload starts the server, computes the
// exact list of requests a correct crawl makes (from the same deterministic
// testsite.Site), warms the server's image cache with one untimed baseline
// pass, and runs the crawler and the baseline alternately -runs times each.
// For the crawl workloads the baseline also runs with -parse after each of
// its runs: it then parses every HTML page with goquery and resolves the
// page's link and image URLs (fetching none of them), the ceiling for a
// crawler that must at least parse what it fetches.
// Downloads go to /dev/shm when it has room (-disk: $TMPDIR). After every
// crawl run, outside the timed part, it checks that the distinct image
// contents saved are exactly the expected ones and, from the server's
// request log, that no URL was requested twice; a failed check prints a
// warning and the run still counts. An interrupt (Ctrl-C, SIGTERM) stops
// the servers and removes the downloads.
//
// Workloads (see workloads.go for the exact options):
//
//   - a: crawl 3,000 pages, 8 links and 5 images of 64 KiB per page, depth 5.
//   - b: as a, with 20 ms added to every response.
//   - c: as a, with 30,000 pages: the crawler's peak memory.
//   - d: get one 1 GiB image: memory growth over a tiny get.
//   - e: get 10,000 image URLs.
//   - render: as a with 60 pages, each rendered in headless Chromium
//     (--render): pages rendered per second, and the peak memory of the
//     crawler and the browser's processes together (measure -tree).
//   - render-auto: as a with --render auto, judged against a's time.
//   - redis-1, redis-4, redis-16: the crawl of b by 1, 4 and 16 processes
//     sharing one job through a redis-server the suite starts (skipped if
//     redis-server is not installed); their lines add the Redis scripts (round
//     trips) per request.
//
// For each workload it prints a table (median wall time, pages/s, images/s,
// MiB/s, peak RSS and CPU seconds of the child process, for the crawler, the
// baseline and the baseline with -parse) and, at the end, one line per
// workload:
//
//	bench: a crawl=3.21s baseline=2.90s ratio=0.90 rss=28.4MiB parse=3.30s ratio_parse=1.03 cpu_vs_parse=1.10
//
// where ratio = baseline time / crawl time, the crawler's speed relative to
// the ceiling, and rss is the crawler's peak resident set size. The parse
// fields, on crawl workloads only, are the -parse baseline's time, the
// ratio against it, and the crawler's CPU time over its.
//
// Files:
//
//   - main.go: flags, building the binaries, the loop over workloads.
//   - workloads.go: the workloads and their targets.
//   - plan.go: the URL lists and expected contents of a workload.
//   - suite.go: running one workload: crawler and baseline runs, checks.
//   - server.go: the testsite child process and its request log.
//   - run.go: running a child under the measure launcher; medians.
//   - verify.go: hashing saved images, comparing with the expected set.
//   - report.go: the table and the final lines.
//   - fsdir.go, fsinfo_linux.go: choosing tmpfs or disk for downloads
//     (elsewhere than Linux, always disk).
//   - loadavg_linux.go: the load averages the report shows (Linux only).
//   - redis.go: the redis-server child and the multi-process runs.
//
// The in-process benchmark in crawl_bench_test.go runs a small crawl of the
// (a) shape inside `go test`, so that it can be profiled with -cpuprofile.
package main
