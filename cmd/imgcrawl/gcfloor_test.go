package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, 100},
		{1 << 20, 400}, // capped
		{2 << 20, 300},
		{3 << 20, 200},
		{4 << 20, 150},
		{gcFloor, 100},
		{7 << 20, 85}, // 6/7 of the live heap: the floor still decides
		{8 << 20, 75},
		{64 << 20, 75},
	} {
		if got := gcPercent(tc.live); got != tc.want {
			t.Errorf("gcPercent(%d MiB) = %d, want %d", tc.live>>20, got, tc.want)
		}
	}
}

// currentGCPercent reads GOGC without changing it.
func currentGCPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// The test binary's live heap is far below the floor, so after a
// collection GOGC goes above 100; with GOGC set by the user it stays.
func TestStartGCFloor(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	stop := startGCFloor()
	raised := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !raised; {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // finalizers run on their own goroutine
		raised = currentGCPercent() > 100
	}
	stop()
	if !raised {
		t.Fatalf("GOGC = %d after collections, want it raised", currentGCPercent())
	}
	if p := currentGCPercent(); p != 100 {
		t.Errorf("GOGC = %d after stop, want 100", p)
	}
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if p := currentGCPercent(); p != 100 {
		t.Errorf("GOGC = %d after stop and a collection, want 100", p)
	}

	t.Setenv("GOGC", "100")
	stop = startGCFloor()
	defer stop()
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if p := currentGCPercent(); p != 100 {
		t.Errorf("with GOGC set, GOGC = %d after a collection, want 100", p)
	}
}
