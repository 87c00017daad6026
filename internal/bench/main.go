package main

import (
	"debug/buildinfo"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler/render"
	"github.com/imgcrawl/imgcrawl/internal/sqltest"
)

func main() {
	os.Exit(benchMain(os.Args[1:]))
}

// benchMain runs the suite and returns the exit code: 0, 1 if a workload
// could not run, 2 for bad flags.
func benchMain(args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	only := fs.String("only", "", "comma-separated workloads to run (default all: a,b,c,c-images,d,e,render,render-auto,web,index-sqlite,index-mysql,redis-1,redis-4,redis-16)")
	disk := fs.Bool("disk", false, "download to disk ($TMPDIR) instead of tmpfs (/dev/shm)")
	runs := fs.Int("runs", 3, "timed runs of each side per workload (the median is reported)")
	smoke := fs.Bool("smoke", false, "tiny sizes and one run each, to check the suite works")
	verbose := fs.Bool("v", false, "print every run")
	extra := fs.String("extra", "", "extra imgcrawl flags, space-separated, for what-if runs (e.g. \"--state none --manifest -\")")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *smoke && !isFlagSet(fs, "runs") {
		*runs = 1
	}
	if *runs < 1 || fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "bench: -runs must be >= 1 and there are no arguments")
		return 2
	}
	ws, err := selectWorkloads(benchWorkloads(*smoke), *only)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	e, cleanup, err := setup(ws, *disk, *runs, *verbose)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if e.extra = strings.Fields(*extra); len(e.extra) > 0 {
		fmt.Printf("imgcrawl run with extra flags: %s\n", strings.Join(e.extra, " "))
	}
	defer cleanup()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; ok {
			fmt.Fprintln(os.Stderr, "bench: interrupted; stopping the servers and removing the downloads")
			e.interrupted()
			cleanup()
			os.Exit(130)
		}
	}()

	var lines []string
	code := 0
	redisTime := map[string]float64{}
	crawlTime := map[string]float64{}
	for _, w := range ws {
		fmt.Printf("\n== %s: %s\n", w.name, w.title)
		r, err := runWorkload(e, w)
		if e.quit.Load() {
			select {} // the signal handler cleans up and exits
		}
		if errors.Is(err, errNoRedis) || errors.Is(err, errNoWeb) || errors.Is(err, render.ErrNoBrowser) || errors.Is(err, sqltest.ErrNoMariaDB) {
			fmt.Printf("   skipped: %v\n", err)
			lines = append(lines, fmt.Sprintf("bench: %s skipped: %v", w.name, err))
			continue
		}
		if err != nil {
			fmt.Printf("   error: %v\n", err)
			lines = append(lines, fmt.Sprintf("bench: %s failed: %s", w.name, firstLine(err.Error())))
			code = 1
			continue
		}
		r.againstWall = crawlTime[w.against]
		crawlTime[w.name] = r.crawl.wall()
		printTable(os.Stdout, r, !*smoke)
		lines = append(lines, benchLine(r))
		lines = append(lines, extraLines(r)...)
		if w.procs > 0 {
			redisTime[w.name] = r.crawl.wall()
		}
	}
	if one := redisTime["redis-1"]; one > 0 {
		for _, n := range redisWorkers[1:] {
			name := fmt.Sprintf("redis-%d", n)
			if t := redisTime[name]; t > 0 {
				lines = append(lines, fmt.Sprintf("bench: %s speedup=%.2fx over redis-1", name, one/t))
			}
		}
	}
	fmt.Printf("\n%s\n", ratioNote)
	if load := loadAverage(); load != "" {
		fmt.Printf("load average at the end: %s (other processes add noise on a small machine)\n", load)
	}
	for _, l := range lines {
		fmt.Println(l)
	}
	return code
}

func isFlagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// selectWorkloads keeps the workloads named in only (all when empty).
func selectWorkloads(all []workload, only string) ([]workload, error) {
	if strings.TrimSpace(only) == "" {
		return all, nil
	}
	var out []workload
	for name := range strings.SplitSeq(only, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(all, func(w workload) bool { return w.name == name })
		if i < 0 {
			var names []string
			for _, w := range all {
				names = append(names, w.name)
			}
			return nil, fmt.Errorf("bench: -only: no workload %q (have %s)", name, strings.Join(names, ","))
		}
		if !slices.ContainsFunc(out, func(w workload) bool { return w.name == name }) {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// setup builds the binaries, picks the download folder and prints the
// machine description.
func setup(ws []workload, disk bool, runs int, verbose bool) (*env, func(), error) {
	work, err := os.MkdirTemp("", "imgcrawl-bench-")
	if err != nil {
		return nil, nil, fmt.Errorf("bench: %w", err)
	}
	e := &env{bins: filepath.Join(work, "bin"), work: work, runs: runs, verbose: verbose}
	cleanup := func() { os.RemoveAll(work) }
	if err := buildBinaries(e.bins); err != nil {
		cleanup()
		return nil, nil, err
	}
	var need int64
	for _, w := range ws {
		need = max(need, estimateBytes(w))
	}
	dl, kind, note, err := downloadsDir(disk, need)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	e.downloads = dl
	fmt.Printf("imgcrawl benchmark suite, %s\n", time.Now().Format("2006-01-02 15:04 MST"))
	fmt.Printf("machine: %d CPUs, %s %s/%s; downloads on %s (%s); %d run(s) per side; %d requests in flight\n",
		runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, kind, dl, runs, inFlight)
	if note != "" {
		fmt.Println("note:", note)
	}
	if load := loadAverage(); load != "" {
		fmt.Printf("load average at the start: %s\n", load)
	}
	if rev := revision(e.bin("imgcrawl")); rev != "" {
		fmt.Printf("imgcrawl built from %s\n", rev)
	}
	fmt.Println(ratioNote)
	return e, func() { os.RemoveAll(dl); cleanup() }, nil
}

// buildBinaries builds imgcrawl, the baseline, the measure launcher and the
// testsite server into dir, from the module the working directory belongs to.
func buildBinaries(dir string) error {
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return fmt.Errorf("bench: find the module root (run from inside the repository): %w", err)
	}
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"./cmd/imgcrawl", "./internal/bench/baseline", "./internal/bench/measure", "./internal/testsite/cmd/testsite")
	cmd.Dir = strings.TrimSpace(string(root))
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as `make build` builds it
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bench: go build: %w", err)
	}
	return nil
}

// estimateBytes is a generous guess of the disk space one run of w needs.
func estimateBytes(w workload) int64 {
	switch w.mode {
	case modeLarge:
		return w.large + 64*mib
	case modeGet:
		return int64(w.get)*int64(w.site.ImageBytes)*2 + 64*mib
	}
	distinct := w.site.DistinctImages
	if distinct <= 0 {
		distinct = w.site.Pages * w.site.ImagesPerPage / 3
	}
	return int64(w.site.Pages)*16*kib + int64(distinct)*int64(w.site.ImageBytes)*2 + 64*mib
}

// revision returns the commit the binaries are built from ("abc1234", with
// "+dirty" if files differ from it), from the binary's build info or else
// from git; "" if neither says.
func revision(bin string) string {
	if info, err := buildinfo.ReadFile(bin); err == nil {
		var rev, dirty string
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision":
				rev = s.Value[:min(7, len(s.Value))]
			case s.Key == "vcs.modified" && s.Value == "true":
				dirty = "+dirty"
			}
		}
		if rev != "" {
			return rev + dirty
		}
	}
	// Read-only git queries (built with -buildvcs=false).
	rev, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	out := strings.TrimSpace(string(rev))
	changes, err := exec.Command("git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil && len(changes) > 0 {
		out += "+dirty"
	}
	return out
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
