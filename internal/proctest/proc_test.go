package proctest

import (
	"os"
	"os/exec"
	"runtime"
	"slices"
	"testing"
	"time"
)

func TestDescendantsAndAlive(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	cmd := exec.Command("sh", "-c", "sleep 30 & wait")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	defer cmd.Process.Kill()
	var sleep Proc
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		procs, ok := Descendants(os.Getpid())
		if !ok {
			t.Fatal("cannot read /proc")
		}
		for _, p := range procs {
			if p.PPID == cmd.Process.Pid && slices.Contains(p.Cmdline, "30") {
				sleep = p
			}
		}
		if sleep.PID != 0 {
			break
		}
	}
	if sleep.PID == 0 {
		t.Fatal("the grandchild sleep is not among the descendants")
	}
	if alive, ok := Alive(sleep.PID); !alive || !ok {
		t.Fatalf("Alive(%d) = %v, %v", sleep.PID, alive, ok)
	}
	p, _ := os.FindProcess(sleep.PID)
	p.Kill()
	cmd.Wait()
	if alive, ok := Alive(sleep.PID); alive || !ok {
		t.Fatalf("after kill: Alive(%d) = %v, %v", sleep.PID, alive, ok)
	}
}

func TestTreePss(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	self, ok := PssKiB(os.Getpid())
	if !ok {
		t.Skip("no smaps_rollup here")
	}
	tree, ok := TreePssKiB(os.Getpid())
	if !ok || self <= 0 || tree < self {
		t.Errorf("self %d KiB, tree %d KiB (ok %v)", self, tree, ok)
	}
}
