package main

import (
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// killWithParent makes the kernel send the command SIGKILL when the thread
// that starts it ends (Pdeathsig).
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: unix.SIGKILL}
}

// maxRSS returns the peak resident set size of the ended process in KiB
// (ru_maxrss), or 0 if the system did not report it.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss) // int32 on 32-bit systems
	}
	return 0
}
