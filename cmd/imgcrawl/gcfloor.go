package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// gcFloor is the heap growth that imgcrawl allows before a collection,
// whatever the live heap. Go's default (GOGC=100) collects when the heap
// doubles, with a 4 MiB minimum: a crawl whose live heap is 2–4 MB then
// collects every few milliseconds, and the collector takes about a tenth of
// its CPU. Letting the heap grow by at least gcFloor costs at most that much
// memory and changes nothing once the live heap is larger than it (where
// bigHeapGrowth decides).
//
// 6 MiB, not the 8 it was, since pages allocate less (BENCHMARKS.md, issue
// 22): on the 30,000-page crawl it takes back the CPU those savings freed
// and lowers peak RSS by about 2.5 MiB.
//
// Why a finalizer: the runtime has a proportional knob (GOGC) and a ceiling
// (GOMEMLIMIT), nothing that says "at least N bytes". A fixed GOGC grows
// memory with the live heap; a limit thrashes once the live heap nears it;
// polling needs a goroutine and reacts late. A ballast (a large untouched
// allocation) is one line, but measured here a 3 MiB ballast gave fewer
// collections than this 6 MiB floor at 2 MiB more peak RSS, and it would
// inflate every heap figure users and /metrics see.
const gcFloor = 6 << 20

// startGCFloor makes each collection set GOGC so that the next one comes
// after the heap grows by max(3/4 of the live heap, gcFloor). It leaves the
// collector alone when GOGC or GOMEMLIMIT is set in the environment. It adds no
// goroutine: a finalizer re-arms itself on every collection. stop ends the
// re-arming and restores GOGC=100 (for tests; the CLI never stops it).
func startGCFloor() (stop func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	var stopped atomic.Bool
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var rearm func(*gcSentinel)
	rearm = func(s *gcSentinel) {
		if stopped.Load() {
			return
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			debug.SetGCPercent(gcPercent(sample[0].Value.Uint64()))
		}
		runtime.SetFinalizer(s, rearm)
	}
	runtime.SetFinalizer(&gcSentinel{}, rearm)
	return func() {
		stopped.Store(true)
		debug.SetGCPercent(100)
	}
}

// gcSentinel is the object whose finalizer runs after each collection. It
// is larger than 16 bytes so that it is not batched with other tiny objects.
type gcSentinel struct{ _ [32]byte }

// bigHeapGrowth is the GOGC above the floor: a heap of live bytes grows
// by max(live*bigHeapGrowth/100, gcFloor) before the next collection. A
// crawl's live heap is large when its frontier and seen set are, and there
// Go's default of 100 (doubling) costs more memory than its collections
// save in CPU: on 30,000 pages naming 47,588 distinct images, 75 instead of
// 100 lowered peak RSS by about 2.5 MiB, for 315 collections instead of 272
// and 0.1 s more collector CPU out of 17 s (BENCHMARKS.md, issue 22). Below
// 8 MiB of live heap the floor decides, as before.
const bigHeapGrowth = 75

// gcPercent returns the GOGC that lets a heap of live bytes grow by
// max(live*bigHeapGrowth/100, gcFloor) before the next collection, capped
// at 400: the cap bounds the overshoot when the heap grows fast right after
// a collection (400 is measured against the next live heap, not this one).
func gcPercent(live uint64) int {
	if live == 0 {
		return 100
	}
	return int(min(max(100*gcFloor/live, bigHeapGrowth), 400))
}
