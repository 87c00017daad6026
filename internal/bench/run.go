package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// measure is one run of a child process.
type measure struct {
	wall   time.Duration
	cpu    time.Duration // user + system
	rssKiB int64         // peak resident set size (ru_maxrss)
	// treeKiB is the peak memory of the process and its descendants (the
	// browser of --render), as sampled PSS; 0 unless runChildTree.
	treeKiB int64
	stderr  string
}

// runTimeout bounds a single child run.
const runTimeout = 15 * time.Minute

// runChild runs bin with args under the measure program and returns its
// wall time, CPU time and peak RSS as the OS reports them for the process
// (see internal/bench/measure for why it is not forked from here). A
// non-zero exit is an error that carries the child's stderr. It is safe to
// call from several goroutines at once.
func runChild(e *env, bin string, args ...string) (measure, error) {
	return runMeasured(e, nil, nil, bin, args...)
}

// runChildTree is runChild that also samples the memory of the child's
// process tree (measure -tree).
func runChildTree(e *env, bin string, args ...string) (measure, error) {
	return runMeasured(e, []string{"-tree"}, nil, bin, args...)
}

// runChildExit is runChild where ok, when not nil, decides which exit
// codes count as success (wget exits 8 when a page links to a missing file).
func runChildExit(e *env, ok func(code int) bool, bin string, args ...string) (measure, error) {
	return runMeasured(e, nil, ok, bin, args...)
}

// runMeasured runs bin under the measure program with its options opts;
// ok is as for runChildExit.
func runMeasured(e *env, opts []string, ok func(code int) bool, bin string, args ...string) (measure, error) {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	f, err := os.CreateTemp(e.work, "measure-*.txt")
	if err != nil {
		return measure{}, fmt.Errorf("bench: %w", err)
	}
	report := f.Name()
	f.Close()
	defer os.Remove(report)
	margs := append(append([]string{"-o", report}, opts...), "--", bin)
	cmd := exec.CommandContext(ctx, e.bin("measure"), append(margs, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	m := measure{stderr: stderr.String()}
	data, rerr := os.ReadFile(report)
	if rerr == nil {
		rerr = parseMeasure(string(data), &m)
	}
	var exit *exec.ExitError
	if ok != nil && errors.As(err, &exit) && ok(exit.ExitCode()) {
		err = nil
	}
	if err != nil {
		return m, fmt.Errorf("bench: %s %s: %w\n%s", filepath.Base(bin), strings.Join(args, " "), err, tail(m.stderr, 2000))
	}
	if rerr != nil {
		return m, fmt.Errorf("bench: measure %s: %w", filepath.Base(bin), rerr)
	}
	return m, nil
}

// parseMeasure reads the measure program's line
// "wall_ns=N cpu_ns=N maxrss_kib=N exit=N tree_pss_kib=N" into m (the last
// field may be missing).
func parseMeasure(line string, m *measure) error {
	var wall, cpu, rss int64
	var code int
	if _, err := fmt.Sscanf(strings.TrimSpace(line), "wall_ns=%d cpu_ns=%d maxrss_kib=%d exit=%d", &wall, &cpu, &rss, &code); err != nil {
		return fmt.Errorf("bad report %q: %w", line, err)
	}
	m.wall, m.cpu, m.rssKiB = time.Duration(wall), time.Duration(cpu), rss
	if _, tree, ok := strings.Cut(strings.TrimSpace(line), "tree_pss_kib="); ok {
		if _, err := fmt.Sscanf(tree, "%d", &m.treeKiB); err != nil {
			return fmt.Errorf("bad report %q: %w", line, err)
		}
	}
	return nil
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

func (m measure) rssMiB() float64 { return float64(m.rssKiB) / 1024 }

// treeMiB is the largest peak memory of the process trees of the runs, in
// MiB (0 unless sampled).
func (s series) treeMiB() float64 {
	var peak int64
	for _, m := range s {
		peak = max(peak, m.treeKiB)
	}
	return float64(peak) / 1024
}

// series is the measures of one side (crawl or baseline) of a workload.
type series []measure

// median returns the median of f over the runs (the mean of the middle two
// for an even count, 0 for none).
func (s series) median(f func(measure) float64) float64 {
	if len(s) == 0 {
		return 0
	}
	v := make([]float64, len(s))
	for i, m := range s {
		v[i] = f(m)
	}
	slices.Sort(v)
	mid := len(v) / 2
	if len(v)%2 == 1 {
		return v[mid]
	}
	return (v[mid-1] + v[mid]) / 2
}

// wall is the median wall time in seconds.
func (s series) wall() float64 { return s.median(func(m measure) float64 { return m.wall.Seconds() }) }

// cpu is the median CPU time in seconds.
func (s series) cpu() float64 { return s.median(func(m measure) float64 { return m.cpu.Seconds() }) }

// rssMiB is the largest peak RSS of the runs, in MiB.
func (s series) rssMiB() float64 {
	var peak float64
	for _, m := range s {
		peak = max(peak, m.rssMiB())
	}
	return peak
}
