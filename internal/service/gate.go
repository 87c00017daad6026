package service

import (
	"sync"
	"time"

	"github.com/imgcrawl/imgcrawl/fetch"
)

// jobGate is a job's politeness gate: the job's own limits (its per-host,
// host-rate and rate options) and then the gate all jobs share, so that two
// jobs on one host do not double its load. It reports each request to the
// job's live view and the metrics. Safe for concurrent use.
type jobGate struct {
	own      fetch.Gate
	shared   fetch.Gate // nil: the job's own limits only (a single crawl)
	live     *live
	inflight interface {
		Inc()
		Dec()
	}
	m *metrics
}

var _ fetch.Gate = (*jobGate)(nil)

// sharedRetry is how soon a job asks again for a host whose shared slots
// other jobs hold: their releases do not wake this job's crawler.
const sharedRetry = 50 * time.Millisecond

func (g *jobGate) Acquire(host string) (func(), time.Time, bool) {
	own, at, ok := g.own.Acquire(host)
	if !ok {
		g.waiting(host, at)
		return nil, at, false
	}
	var shared func()
	if g.shared != nil {
		if shared, at, ok = g.shared.Acquire(host); !ok {
			own()
			if at.IsZero() {
				at = time.Now().Add(sharedRetry)
			}
			g.waiting(host, at)
			return nil, at, false
		}
	}
	g.live.started(host)
	g.inflight.Inc()
	g.m.requests.Inc()
	start := time.Now()
	var once sync.Once
	return func() {
		once.Do(func() {
			if shared != nil {
				shared()
			}
			own()
			g.live.ended(host)
			g.inflight.Dec()
			g.m.latency.Observe(time.Since(start).Seconds())
		})
	}, time.Time{}, true
}

// waiting shows in the host table a host held for a while (a Crawl-delay,
// a rate); short waits are the normal pace and not shown.
func (g *jobGate) waiting(host string, until time.Time) {
	if time.Until(until) > time.Second {
		g.live.paused(host, until)
	}
}

func (g *jobGate) SetCrawlDelay(host string, d time.Duration) {
	g.own.SetCrawlDelay(host, d)
	if g.shared != nil {
		g.shared.SetCrawlDelay(host, d)
	}
}

func (g *jobGate) Pause(host string, t time.Time) {
	g.own.Pause(host, t)
	if g.shared != nil {
		g.shared.Pause(host, t)
	}
	g.live.paused(host, t)
}
