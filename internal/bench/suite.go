package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/imgcrawl/imgcrawl/crawler/render"
)

// env is what every workload runs with.
type env struct {
	bins      string // folder of the imgcrawl, baseline and testsite binaries
	work      string // folder for URL lists and request logs
	downloads string // folder the runs download into (tmpfs or disk)
	runs      int
	verbose   bool
	extra     []string // flags added to every imgcrawl command line (-extra)

	mu    sync.Mutex
	stops map[int]func() // servers to stop if the suite is interrupted
	next  int
	quit  atomic.Bool // set once the suite is interrupted
}

// onInterrupt registers fn to run if the suite is interrupted; the
// returned function unregisters it.
func (e *env) onInterrupt(fn func()) (forget func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stops == nil {
		e.stops = map[int]func(){}
	}
	id := e.next
	e.next++
	e.stops[id] = fn
	return func() {
		e.mu.Lock()
		delete(e.stops, id)
		e.mu.Unlock()
	}
}

// interrupted marks the suite as interrupted and runs every registered
// stop function.
func (e *env) interrupted() {
	e.quit.Store(true)
	e.mu.Lock()
	fns := make([]func(), 0, len(e.stops))
	for _, fn := range e.stops {
		fns = append(fns, fn)
	}
	e.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

func (e *env) bin(name string) string { return filepath.Join(e.bins, name) }

// inFlight is the number of requests in flight, crawler and baseline alike.
const inFlight = 8

// result is the outcome of one workload.
type result struct {
	w        workload
	plan     plan
	crawl    series
	base     series
	parse    series // modeCrawl: the baseline with -parse
	trusted  series // modeGet: the baseline with -trusted
	tiny     series // modeLarge: the reference get of one small image
	verified bool   // every check of every crawl run passed
	problems []string
	reqCrawl int // requests of the last crawl run
	reqBase  int // requests of the last baseline run
	reqParse int // requests of the last baseline -parse run
	// againstWall is the median crawl time of the workload named by
	// w.against, when it ran before this one (0 otherwise).
	againstWall float64
	// redisScripts is the scripts the Redis server ran during the last
	// crawl run of a redis workload.
	redisScripts int64
}

// ratio is the crawl speed relative to the baseline: baseline time divided
// by crawl time (1 = as fast as the ceiling).
func (r *result) ratio() float64 {
	if c := r.crawl.wall(); c > 0 {
		return r.base.wall() / c
	}
	return 0
}

// parseRatio is the ratio against the parse-inclusive ceiling: the median wall
// time of the baseline with -parse divided by the crawl's (0 without a
// parse series).
func (r *result) parseRatio() float64 {
	if c := r.crawl.wall(); c > 0 {
		return r.parse.wall() / c
	}
	return 0
}

// trustedRatio is the ratio against the trusted-file ceiling: the median wall
// time of the baseline with -trusted divided by the crawl's (0 without a
// trusted series).
func (r *result) trustedRatio() float64 {
	if c := r.crawl.wall(); c > 0 {
		return r.trusted.wall() / c
	}
	return 0
}

// cpuVsTrusted is the crawl's CPU time over the trusted-file baseline's
// (medians); 0 without a trusted series.
func (r *result) cpuVsTrusted() float64 {
	if p := r.trusted.cpu(); p > 0 {
		return r.crawl.cpu() / p
	}
	return 0
}

// cpuVsParse is the crawl's CPU time over the parse-inclusive baseline's
// (medians): both make the same requests, so it is also the ratio of their
// CPU per request. It is 0 without a parse series.
func (r *result) cpuVsParse() float64 {
	if p := r.parse.cpu(); p > 0 {
		return r.crawl.cpu() / p
	}
	return 0
}

// runWorkload serves w's site, then runs the crawler and the baseline
// alternately e.runs times each, verifying every crawl run. After each
// baseline run, the baseline with -parse runs too for modeCrawl, and with
// -trusted for modeGet.
func runWorkload(e *env, w workload) (*result, error) {
	if w.mode == modeWeb {
		return runWebWorkload(e, w)
	}
	if slices.Contains(w.flags, "--render") {
		if _, err := render.FindBrowser(""); err != nil {
			return nil, err // the workload is skipped
		}
	}
	srv, err := startServer(e.bin("testsite"), w.site, w.large, filepath.Join(e.work, "requests-"+w.name+".log"))
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	defer e.onInterrupt(srv.stop)()
	r := &result{w: w, plan: makePlan(w, srv.base), verified: true}
	list, err := writeLines(e.work, "urls-"+w.name+".txt", r.plan.urls)
	if err != nil {
		return nil, err
	}
	var getList string
	if w.mode == modeGet {
		if getList, err = writeLines(e.work, "get-"+w.name+".txt", r.plan.getURLs); err != nil {
			return nil, err
		}
	}
	if w.mode != modeLarge {
		// One untimed pass fills the server's image cache, so that the
		// first timed run does not pay for encoding the images.
		if _, err := runBaseline(e, w.name+"-warm", list, srv, ""); err != nil {
			return nil, err
		}
	}
	var redisURL string
	if w.procs > 0 {
		rs, err := startRedis(e.work)
		if err != nil {
			return nil, err
		}
		defer rs.stop()
		defer e.onInterrupt(rs.stop)()
		redisURL = rs.url
	}
	newIndex, stopIndex, err := indexFor(e, w)
	if err != nil {
		return nil, err
	}
	defer stopIndex()
	for i := range e.runs {
		before := redisScripts(redisURL)
		m, problems, err := runCrawler(e, w, r, srv, getList, redisURL, newIndex, i)
		if err != nil {
			return nil, err
		}
		r.redisScripts = redisScripts(redisURL) - before
		r.crawl = append(r.crawl, m)
		r.note(problems)
		b, err := runBaseline(e, fmt.Sprintf("%s-base-%d", w.name, i), list, srv, "")
		if err != nil {
			return nil, err
		}
		r.base = append(r.base, b.measure)
		r.reqBase = b.requests
		if r.plan.bytes == 0 {
			r.plan.bytes = b.bytes
		}
		var pb baselineRun
		if w.mode == modeCrawl {
			if pb, err = runBaseline(e, fmt.Sprintf("%s-parse-%d", w.name, i), list, srv, "-parse"); err != nil {
				return nil, err
			}
			r.parse = append(r.parse, pb.measure)
			r.reqParse = pb.requests
		}
		if w.mode == modeGet {
			if pb, err = runBaseline(e, fmt.Sprintf("%s-trusted-%d", w.name, i), list, srv, "-trusted"); err != nil {
				return nil, err
			}
			r.trusted = append(r.trusted, pb.measure)
		}
		if w.mode == modeLarge {
			out := filepath.Join(e.downloads, w.name+"-tiny")
			t, err := runChild(e, e.bin("imgcrawl"), "get", "-o", out, "-c", "8", "--per-host", "8", "-q", r.plan.tinyURL)
			os.RemoveAll(out)
			if err != nil {
				return nil, err
			}
			r.tiny = append(r.tiny, t)
		}
		if e.verbose {
			parse := ""
			switch w.mode {
			case modeCrawl:
				parse = fmt.Sprintf(" | parse %.2fs rss %.1fMiB cpu %.2fs refs %d", pb.wall.Seconds(), pb.rssMiB(), pb.cpu.Seconds(), pb.refs)
			case modeGet:
				parse = fmt.Sprintf(" | trusted %.2fs rss %.1fMiB cpu %.2fs", pb.wall.Seconds(), pb.rssMiB(), pb.cpu.Seconds())
			}
			fmt.Printf("   run %d: crawl %.2fs rss %.1fMiB cpu %.2fs | baseline %.2fs rss %.1fMiB cpu %.2fs%s\n", i+1,
				m.wall.Seconds(), m.rssMiB(), m.cpu.Seconds(), b.wall.Seconds(), b.rssMiB(), b.cpu.Seconds(), parse)
			fmt.Printf("   crawler said: %s\n", strings.TrimSpace(lastLine(m.stderr)))
		}
	}
	return r, nil
}

// note records verification problems, each once.
func (r *result) note(problems []string) {
	for _, p := range problems {
		r.verified = false
		dup := false
		for _, q := range r.problems {
			dup = dup || q == p
		}
		if !dup {
			r.problems = append(r.problems, p)
		}
	}
}

// crawlerArgs is the imgcrawl command line for w, without -o.
func crawlerArgs(w workload, r *result, base, getList string) []string {
	perHost := inFlight
	if w.procs > 0 {
		// Each worker keeps inFlight requests going; --per-host holds for
		// the whole job, so it grows with the workers.
		perHost = inFlight * w.procs
	}
	args := []string{"-c", strconv.Itoa(inFlight), "--per-host", strconv.Itoa(perHost), "-q"}
	args = append(args, w.flags...)
	switch w.mode {
	case modeCrawl:
		args = append([]string{"crawl", "-d", strconv.Itoa(w.depth)}, args...)
		return append(args, base+"/")
	case modeGet:
		return append([]string{"get", "-i", getList}, args...)
	}
	args = append([]string{"get", "--max-size", strconv.FormatInt(2*w.large+gib, 10)}, args...)
	return append(args, r.plan.getURLs...)
}

// runCrawler runs imgcrawl once for w (w.procs processes sharing a job on
// redisURL for the redis workloads) into a fresh folder and verifies what
// it saved and requested, outside the timed part.
func runCrawler(e *env, w workload, r *result, srv *siteServer, getList, redisURL string, newIndex func(run int) (string, error), run int) (measure, []string, error) {
	out := filepath.Join(e.downloads, w.name+"-crawl")
	defer os.RemoveAll(out)
	args := crawlerArgs(w, r, srv.base, getList)
	args = slices.Insert(args, 1, e.extra...) // after the subcommand
	if newIndex != nil {
		dsn, err := newIndex(run)
		if err != nil {
			return measure{}, nil, err
		}
		args = slices.Insert(args, 1, "--index", dsn)
	}
	off := srv.logOffset()
	var m measure
	var err error
	dirs := []string{out}
	if w.procs > 0 {
		job := fmt.Sprintf("bench-%s-%d", w.name, run)
		args = append([]string{args[0], "--redis", redisURL, "--job", job}, args[1:]...)
		m, dirs, err = runShared(e, w.procs, out, args)
	} else {
		run := runChild
		if w.tree {
			run = runChildTree
		}
		m, err = run(e, e.bin("imgcrawl"), append([]string{args[0], "-o", out}, args[1:]...)...)
	}
	if err != nil {
		return m, nil, err
	}
	var problems []string
	if n := crawlerErrors(m.stderr); n > 0 {
		problems = append(problems, fmt.Sprintf("the crawler reported %d errors", n))
	}
	counts, err := srv.requestsSince(off)
	if err != nil {
		return m, nil, err
	}
	r.reqCrawl = 0
	for _, n := range counts {
		r.reqCrawl += n
	}
	problems = append(problems, repeated(counts, max(1, w.procs))...)
	if w.mode == modeLarge {
		_, files, size, err := savedContents(out, false)
		if err != nil {
			return m, nil, err
		}
		if files != 1 || size < w.large {
			problems = append(problems, fmt.Sprintf("want one file of at least %d bytes, got %d files of %d bytes", w.large, files, size))
		}
		return m, problems, nil
	}
	all := map[string]int{}
	for _, dir := range dirs {
		sums, _, _, err := savedContents(dir, true)
		if err != nil {
			return m, nil, err
		}
		for sum, n := range sums {
			all[sum] += n
		}
	}
	return m, append(problems, compareContents(all, r.plan.wantSums)...), nil
}

// baselineRun is one run of the baseline downloader.
type baselineRun struct {
	measure
	bytes    int64
	refs     int64 // references found in the pages (-parse)
	requests int
}

var (
	baselineBytes = regexp.MustCompile(`bytes=(\d+)`)
	baselineRefs  = regexp.MustCompile(`refs=(\d+)`)
)

// runBaseline downloads every URL of list with the baseline program, with
// its flag mode ("-parse", "-trusted") unless it is "".
func runBaseline(e *env, name, list string, srv *siteServer, mode string) (baselineRun, error) {
	out := filepath.Join(e.downloads, name)
	defer os.RemoveAll(out)
	off := srv.logOffset()
	args := []string{"-i", list, "-o", out, "-c", strconv.Itoa(inFlight)}
	if mode != "" {
		args = append(args, mode)
	}
	m, err := runChild(e, e.bin("baseline"), args...)
	if err != nil {
		return baselineRun{}, err
	}
	b := baselineRun{measure: m}
	if sub := baselineBytes.FindStringSubmatch(m.stderr); sub != nil {
		b.bytes, _ = strconv.ParseInt(sub[1], 10, 64)
	}
	if sub := baselineRefs.FindStringSubmatch(m.stderr); sub != nil {
		b.refs, _ = strconv.ParseInt(sub[1], 10, 64)
	}
	counts, err := srv.requestsSince(off)
	if err != nil {
		return b, err
	}
	for _, n := range counts {
		b.requests += n
	}
	return b, nil
}

var crawlerDone = regexp.MustCompile(`done: .*errors (\d+)`)

// crawlerErrors returns the error count of imgcrawl's quiet summary line.
func crawlerErrors(stderr string) int {
	sub := crawlerDone.FindStringSubmatch(stderr)
	if sub == nil {
		return 0
	}
	n, _ := strconv.Atoi(sub[1])
	return n
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
