package fetch

import (
	"testing"
	"time"
)

// hostsTestClock is a settable clock for Hosts.
type hostsTestClock struct{ t time.Time }

func (c *hostsTestClock) now() time.Time      { return c.t }
func (c *hostsTestClock) add(d time.Duration) { c.t = c.t.Add(d) }
func hostsTestNew(cfg HostsConfig) (*Hosts, *hostsTestClock) {
	clk := &hostsTestClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg.Now = clk.now
	return NewHosts(cfg), clk
}

// TestHostsCrawlDelayHoldsFromTheFirstRequest follows the crawler: the
// first request to a host is granted before robots.txt is read; its worker
// then learns the Crawl-delay and starts the request. The next request must
// wait the whole delay, whatever the configured host rate.
func TestHostsCrawlDelayHoldsFromTheFirstRequest(t *testing.T) {
	const delay = time.Second
	for _, tc := range []struct {
		name     string
		hostRate float64
	}{
		{"no host rate", 0},
		{"a faster host rate", 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, clk := hostsTestNew(HostsConfig{HostRate: tc.hostRate})
			rel, _, ok := h.Acquire("h")
			if !ok {
				t.Fatal("first request refused")
			}
			clk.add(50 * time.Millisecond) // robots.txt is fetched
			h.SetCrawlDelay("h", delay)
			start := clk.t // the first request starts
			clk.add(10 * time.Millisecond)
			rel()
			_, at, ok := h.Acquire("h")
			if ok {
				t.Fatal("second request granted 10ms after the first, within the crawl delay")
			}
			if want := start.Add(delay); !at.Equal(want) {
				t.Errorf("retryAt = first start + %v, want + %v", at.Sub(start), delay)
			}
			clk.t = start.Add(delay)
			rel, _, ok = h.Acquire("h")
			if !ok {
				t.Fatal("second request refused after the crawl delay")
			}
			rel()
			h.SetCrawlDelay("h", delay) // every later request reports the delay again
			clk.add(delay - time.Millisecond)
			if _, _, ok := h.Acquire("h"); ok {
				t.Error("third request granted within the crawl delay")
			}
		})
	}
}

// TestHostsFirstRequestGoesAlone: until the first request to a host has
// ended or its crawl delay is known, no other request to it starts, so
// requests granted before robots.txt was read cannot start together.
func TestHostsFirstRequestGoesAlone(t *testing.T) {
	for _, tc := range []struct {
		name   string
		settle func(h *Hosts, release func())
	}{
		{"until it ends", func(h *Hosts, release func()) { release() }},
		{"until the crawl delay is set", func(h *Hosts, release func()) { h.SetCrawlDelay("h", time.Millisecond) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, clk := hostsTestNew(HostsConfig{PerHost: 4})
			rel, _, ok := h.Acquire("h")
			if !ok {
				t.Fatal("first request refused")
			}
			if _, at, ok := h.Acquire("h"); ok || !at.IsZero() {
				t.Fatalf("second request while the first is out: ok %v, retryAt %v; want refused until a release", ok, at)
			}
			if r, _, ok := h.Acquire("other"); !ok {
				t.Error("another host was held")
			} else {
				r()
			}
			tc.settle(h, rel)
			clk.add(time.Second)
			for i := range 3 {
				if _, _, ok := h.Acquire("h"); !ok {
					t.Fatalf("request %d refused once the host's pace is known", i+2)
				}
				clk.add(time.Second)
			}
		})
	}
}

func TestHostsSweepKeepsAPendingCrawlDelay(t *testing.T) {
	h, clk := hostsTestNew(HostsConfig{IdleAfter: time.Minute})
	rel, _, _ := h.Acquire("slow")
	h.SetCrawlDelay("slow", 10*time.Minute)
	rel()
	clk.add(2 * time.Minute)
	for range 1024 { // a sweep
		if r, _, ok := h.Acquire("busy"); ok {
			r()
		}
	}
	if _, _, ok := h.Acquire("slow"); ok {
		t.Error("a host idle for longer than IdleAfter but within its crawl delay was forgotten")
	}
}
