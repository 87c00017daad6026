//go:build !linux

package main

import (
	"os"
	"os/exec"
)

// killWithParent does nothing: the command outlives this program if it is
// killed.
func killWithParent(cmd *exec.Cmd) {}

// maxRSS returns 0: the peak resident set size is measured on Linux only
// (ru_maxrss is in bytes on macOS and absent on Windows).
func maxRSS(ps *os.ProcessState) int64 { return 0 }
