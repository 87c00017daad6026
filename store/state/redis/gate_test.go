package redis

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/fetch"
)

// The gate paces a job's requests as fetch expects of any gate. The
// assertion lives in a test so that this package does not import fetch.
var _ fetch.Gate = (*Gate)(nil)

func rsGateWorkers(t *testing.T, addr string, n int, opt Options) []*State {
	opt.Job = rsJob(t)
	var out []*State
	for range n {
		out = append(out, rsOpen(t, addr, opt))
	}
	return out
}

func TestGateCapIsShared(t *testing.T) {
	addr := rsServer(t)
	w := rsGateWorkers(t, addr, 3, Options{PerHost: 2})
	a, b, c := w[0].Gate(), w[1].Gate(), w[2].Gate()
	rel, _, ok := a.Acquire("h:1") // a first request, which goes alone
	if !ok {
		t.Fatal("first request refused")
	}
	rel()
	relA, _, okA := a.Acquire("h:1")
	relB, _, okB := b.Acquire("h:1")
	if !okA || !okB {
		t.Fatalf("first two acquisitions: %v %v, want both granted", okA, okB)
	}
	for _, tc := range []struct {
		name     string
		g        *Gate
		wantZero bool // holds a slot of the host: will hear of its release
	}{
		{"a worker holding a slot", a, true},
		{"a worker holding none", c, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := time.Now()
			_, at, ok := tc.g.Acquire("h:1")
			if ok {
				t.Fatal("a third request to the host was granted with a cap of 2")
			}
			if tc.wantZero != at.IsZero() {
				t.Errorf("retryAt = %v, want zero %v", at, tc.wantZero)
			}
			if !tc.wantZero && (at.Before(before) || at.After(time.Now().Add(time.Second))) {
				t.Errorf("retryAt = %v, want a short poll", at)
			}
		})
	}
	if rel, _, ok := c.Acquire("other:1"); !ok {
		t.Error("another host was blocked by the cap of h:1")
	} else {
		rel()
	}
	relA()
	relA() // a second release frees nothing more
	relC, _, ok := c.Acquire("h:1")
	if !ok {
		t.Fatal("no slot after a release")
	}
	if _, _, ok := b.Acquire("h:1"); ok {
		t.Error("a double release freed two slots")
	}
	relB()
	relC()
}

func TestGateSlotsOfADeadWorkerExpire(t *testing.T) {
	addr := rsServer(t)
	w := rsGateWorkers(t, addr, 2, Options{PerHost: 1, Lease: time.Second, Renew: 300 * time.Millisecond})
	_, _, ok := w[0].Gate().Acquire("h")
	if !ok {
		t.Fatal("first acquisition refused")
	}
	time.Sleep(1500 * time.Millisecond)
	if _, _, ok := w[1].Gate().Acquire("h"); ok {
		t.Fatal("a renewed slot expired")
	}
	rsDie(w[0])
	deadline := time.Now().Add(3 * time.Second)
	for {
		rel, _, ok := w[1].Gate().Acquire("h")
		if ok {
			rel()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the dead worker's slot never expired")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestGatePauseAndCrawlDelayAreShared(t *testing.T) {
	addr := rsServer(t)
	w := rsGateWorkers(t, addr, 2, Options{})
	a, b := w[0].Gate(), w[1].Gate()

	t.Run("pause", func(t *testing.T) {
		a.Pause("p", time.Now().Add(400*time.Millisecond))
		a.Pause("p", time.Now().Add(100*time.Millisecond)) // an earlier end does not shorten it
		_, at, ok := b.Acquire("p")
		if ok {
			t.Fatal("granted while paused by another worker")
		}
		if d := time.Until(at); d < 200*time.Millisecond || d > 500*time.Millisecond {
			t.Errorf("retryAt in %v, want about 400ms", d)
		}
		if rel, _, ok := b.Acquire("q"); !ok {
			t.Error("another host was paused")
		} else {
			rel()
		}
	})

	t.Run("crawl delay", func(t *testing.T) {
		// As the crawler does: a first request, during which robots.txt
		// is read; the delay counts from it.
		rel, _, ok := b.Acquire("d")
		if !ok {
			t.Fatal("first request refused")
		}
		if _, at, ok := a.Acquire("d"); ok || at.IsZero() {
			t.Fatalf("second request before the first ended or its delay was known: ok %v, retryAt %v; want a short poll", ok, at)
		}
		b.SetCrawlDelay("d", 600*time.Millisecond)
		rel()
		_, at, ok := a.Acquire("d")
		if ok {
			t.Fatal("second request within the crawl delay granted")
		}
		if d := time.Until(at); d < 400*time.Millisecond || d > 700*time.Millisecond {
			t.Errorf("retryAt in %v, want about 600ms", d)
		}
	})
}

// rsHammer acquires host (or a host of its own per call) from every gate as
// fast as the gates allow, for d; it returns the grants.
func rsHammer(gates []*Gate, d time.Duration, host func(int) string) int64 {
	var grants atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for _, g := range gates {
		for i := range 2 {
			wg.Go(func() {
				for n := 0; time.Now().Before(stop); n++ {
					rel, at, ok := g.Acquire(host(i*1000 + n))
					if ok {
						grants.Add(1)
						rel()
						continue
					}
					wait := time.Until(at)
					if at.IsZero() || wait < time.Millisecond {
						wait = time.Millisecond
					}
					time.Sleep(min(wait, time.Until(stop)+time.Millisecond))
				}
			})
		}
	}
	wg.Wait()
	return grants.Load()
}

func TestGateRatesHoldForTheJob(t *testing.T) {
	addr := rsServer(t)
	for _, tc := range []struct {
		name string
		opt  Options
		host func(int) string
	}{
		{"host rate 10/s", Options{HostRate: 10, PerHost: 100}, func(int) string { return "one.example" }},
		{"total rate 10/s over many hosts", Options{Rate: 10, PerHost: 100}, func(n int) string { return "h" + string(rune('a'+n%26)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := rsGateWorkers(t, addr, 3, tc.opt)
			gates := []*Gate{w[0].Gate(), w[1].Gate(), w[2].Gate()}
			const window = 1200 * time.Millisecond
			start := time.Now()
			got := rsHammer(gates, window, tc.host)
			elapsed := time.Since(start)
			t.Logf("%d grants in %v", got, elapsed)
			// 10/s with a burst of one: at most 1 + 10*elapsed grants; the
			// lower bound only proves the gate lets requests through.
			if limit := 1 + int64(10*elapsed.Seconds()); got > limit {
				t.Errorf("%d grants in %v, want at most %d", got, elapsed, limit)
			}
			if got < 5 {
				t.Errorf("%d grants in %v, want at least 5", got, elapsed)
			}
		})
	}
}
