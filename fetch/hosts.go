package fetch

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// HostsConfig configures Hosts. Zero values mean "no limit" except PerHost,
// which defaults to 4.
type HostsConfig struct {
	PerHost  int     // requests in flight per host (default 4)
	HostRate float64 // requests per second per host; 0 = unlimited
	Rate     float64 // requests per second in total; 0 = unlimited
	// IdleAfter is how long a host must be idle before its entry may be
	// evicted (default 2m). Eviction keeps a crawl over many hosts bounded.
	IdleAfter time.Duration
	Now       func() time.Time // clock; default time.Now
}

// Hosts decides when a request to a host may start: a cap on requests in
// flight per host, a rate.Limiter per host (lowered by robots Crawl-delay and
// by Retry-After), and an optional global limiter. It never blocks: a caller
// that may not start now learns when to ask again, so a slow host never holds
// a worker. A host's first request goes alone (see Gate). Safe for
// concurrent use; use NewHosts.
type Hosts struct {
	cfg    HostsConfig
	mu     sync.Mutex
	hosts  map[string]*hostEntry
	global *rate.Limiter
	sweeps int
}

type hostEntry struct {
	lim      *rate.Limiter
	inflight int
	paced    bool      // the host's pace is known: no more first-request hold
	until    time.Time // no request before this (Retry-After)
	last     time.Time
}

// NewHosts returns a Hosts with cfg's limits.
func NewHosts(cfg HostsConfig) *Hosts {
	if cfg.PerHost <= 0 {
		cfg.PerHost = 4
	}
	if cfg.IdleAfter <= 0 {
		cfg.IdleAfter = 2 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Hosts{cfg: cfg, hosts: make(map[string]*hostEntry), global: newLimiter(cfg.Rate)}
}

func newLimiter(perSecond float64) *rate.Limiter {
	if perSecond <= 0 {
		return rate.NewLimiter(rate.Inf, 1)
	}
	return rate.NewLimiter(rate.Limit(perSecond), 1)
}

func (h *Hosts) entry(host string) *hostEntry {
	e := h.hosts[host]
	if e == nil {
		e = &hostEntry{lim: newLimiter(h.cfg.HostRate)}
		h.hosts[host] = e
	}
	return e
}

// Acquire tries to start a request to host now. When it may, ok is true and
// release must be called once the request is over. When it may not, retryAt
// says when to ask again; a zero retryAt means "when a request to this host
// ends" (the per-host cap is reached).
func (h *Hosts) Acquire(host string) (release func(), retryAt time.Time, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.cfg.Now()
	e := h.entry(host)
	e.last = now
	if now.Before(e.until) {
		return nil, e.until, false
	}
	if e.inflight >= h.cfg.PerHost || (!e.paced && e.inflight > 0) {
		return nil, time.Time{}, false
	}
	r := e.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return nil, now.Add(d), false
	}
	g := h.global.ReserveN(now, 1)
	if d := g.DelayFrom(now); d > 0 {
		g.CancelAt(now)
		r.CancelAt(now)
		return nil, now.Add(d), false
	}
	e.inflight++
	h.maybeSweep(now)
	var once sync.Once
	return func() { once.Do(func() { h.release(host) }) }, time.Time{}, true
}

func (h *Hosts) release(host string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e := h.hosts[host]; e != nil {
		e.inflight--
		e.paced = true
		e.last = h.cfg.Now()
	}
}

// SetCrawlDelay lowers host's rate to one request per d when that is slower
// than the configured host rate (robots.txt Crawl-delay), counting a request
// as starting now (see Gate), and ends the host's first-request hold.
func (h *Hosts) SetCrawlDelay(host string, d time.Duration) {
	if d <= 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.entry(host)
	e.paced = true
	if lim := rate.Every(d); lim < e.lim.Limit() {
		// A fresh limiter that has just granted the caller's request. The
		// old one cannot be lowered in place: changing its limit refills
		// its bucket (from rate.Inf, the usual case, to a full burst), so
		// the next request would start at once.
		now := h.cfg.Now()
		e.lim = rate.NewLimiter(lim, 1)
		e.lim.ReserveN(now, 1)
	}
}

// Pause stops new requests to host until t (a Retry-After on 429 or 503).
func (h *Hosts) Pause(host string, t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e := h.entry(host); t.After(e.until) {
		e.until = t
	}
}

// Len returns the number of hosts tracked.
func (h *Hosts) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.hosts)
}

// maybeSweep evicts idle hosts every 1024 acquisitions. An entry is idle when
// nothing is in flight, it has not been used for IdleAfter, no pause is
// pending and its limiter has refilled (a Crawl-delay may exceed IdleAfter),
// so forgetting it loses nothing: the next request to the host goes alone
// again and its worker sets the delay again.
func (h *Hosts) maybeSweep(now time.Time) {
	h.sweeps++
	if h.sweeps%1024 != 0 {
		return
	}
	for host, e := range h.hosts {
		if e.inflight == 0 && now.Sub(e.last) > h.cfg.IdleAfter && !now.Before(e.until) &&
			e.lim.TokensAt(now) >= float64(e.lim.Burst()) {
			delete(h.hosts, host)
		}
	}
}

// Gate is per-host politeness as the crawler uses it; Hosts implements it in
// memory, and a shared state (Redis) can implement it for a whole job.
//
// A host's pace is learned with its first request: the crawler reads the
// host's robots.txt in that request's slot, just before the request (the
// robots.txt fetch itself is not paced and does not count as a request),
// and calls SetCrawlDelay when it sets a Crawl-delay. So that no request
// starts before the delay is known, a gate grants a host's first request
// alone: no other request to the host starts until that one has ended or
// SetCrawlDelay has been called for the host. From then on, no two
// requests to the host start closer than the delay.
type Gate interface {
	// Acquire tries to start a request to host now (see Hosts.Acquire).
	Acquire(host string) (release func(), retryAt time.Time, ok bool)
	// SetCrawlDelay lowers host's rate to one request per d, counting one
	// request as starting now: the caller's, which learned d and is about
	// to start. It ends the host's first-request hold.
	SetCrawlDelay(host string, d time.Duration)
	// Pause stops new requests to host until t.
	Pause(host string, t time.Time)
}

var _ Gate = (*Hosts)(nil)
