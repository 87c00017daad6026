// Command measure runs a command and reports its wall time, CPU time and
// peak RSS, for the benchmark suite in internal/bench.
//
// Usage:
//
//	measure -o FILE [-tree] -- COMMAND [ARG...]
//
// It runs COMMAND with the same standard streams, waits for it, writes one
// line to FILE:
//
//	wall_ns=N cpu_ns=N maxrss_kib=N exit=N tree_pss_kib=N
//
// With -tree it samples, every 100 ms, the memory of COMMAND and all its
// descendants (a browser's processes: ru_maxrss only reports the largest
// single process), as the sum of their proportional set sizes, and
// reports the peak as tree_pss_kib (0 without -tree, and off Linux).
// and exits with COMMAND's exit code (1 if it could not start it).
// maxrss_kib is measured on Linux only (0 elsewhere).
//
// Why a separate process: on Linux a child's ru_maxrss starts from the high
// water mark of the memory of the process that forked it (exec records the
// old address space's peak, and Go forks with CLONE_VM). Measured directly,
// the crawler would be charged for the driver's memory, which holds the
// site's images; forked from this small program it is charged at most this
// program's few MiB.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/proctest"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run measures the command in args and returns the exit code to use.
func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("measure", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "file for the measurements")
	tree := fs.Bool("tree", false, "also sample the memory of the command's process tree")
	if err := fs.Parse(args); err != nil || *out == "" || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: measure -o FILE [-tree] -- COMMAND [ARG...]")
		return 2
	}
	cmd := exec.Command(fs.Arg(0), fs.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// If this program is killed (the suite's timeout), so is the command
	// (on Linux). The parent-death signal follows the forking thread, so
	// keep this goroutine on it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	killWithParent(cmd)
	start := time.Now()
	err := cmd.Start()
	var peak int64
	if err == nil {
		var stop func() int64
		if *tree {
			stop = sampleTree(cmd.Process.Pid)
		}
		err = cmd.Wait()
		if stop != nil {
			peak = stop()
		}
	}
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintf(stderr, "measure: %v\n", err)
		return 1
	}
	code := cmd.ProcessState.ExitCode()
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	rss := maxRSS(cmd.ProcessState)
	line := fmt.Sprintf("wall_ns=%d cpu_ns=%d maxrss_kib=%d exit=%d tree_pss_kib=%d\n", wall.Nanoseconds(), cpu.Nanoseconds(), rss, code, peak)
	if err := os.WriteFile(*out, []byte(line), 0o644); err != nil {
		fmt.Fprintf(stderr, "measure: %v\n", err)
		return 1
	}
	if code < 0 {
		code = 1 // killed by a signal
	}
	return code
}

// sampleTree samples the memory of pid's process tree until the returned
// function is called, which returns the peak in KiB.
func sampleTree(pid int) (stop func() int64) {
	done := make(chan struct{})
	result := make(chan int64)
	go func() {
		var peak int64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if kib, ok := proctest.TreePssKiB(pid); ok {
				peak = max(peak, kib)
			}
			select {
			case <-done:
				result <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		return <-result
	}
}
