//go:build !linux

package sqltest

import (
	"errors"
	"os/exec"
)

// dieWithParent does nothing here: only Linux has Pdeathsig.
func dieWithParent(*exec.Cmd) {}

// runAs is not needed off Linux: the tests there do not run as root.
func runAs(*exec.Cmd, int, int) {}

func lookupUser(string) (int, int, error) { return 0, 0, errors.New("sqltest: not on this platform") }

// killGroup kills the server and waits until it has been reaped.
func killGroup(cmd *exec.Cmd, done <-chan struct{}) {
	_ = cmd.Process.Kill()
	<-done
}
