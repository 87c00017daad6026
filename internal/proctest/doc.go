// Package proctest lists processes for tests that must prove no child
// process outlives its parent (the browser of --render): the descendants
// of a process, and whether a process still runs; and for the benchmarks
// the memory of a process tree (TreePssKiB). It reads /proc, so it
// works on Linux only; elsewhere its functions report that they cannot
// tell (ok false), and tests skip.
package proctest

// Proc is a running process.
type Proc struct {
	PID, PPID int
	Cmdline   []string // its arguments (empty for a kernel thread or a zombie)
}
