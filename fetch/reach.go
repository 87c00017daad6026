package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Defaults of ReachConfig. A host that refuses connections is tried at 0s,
// 1s and 3s and given up at about 3s: long enough to ride out a restarting
// server or a dropped packet, short enough that a dead host on a page adds
// a few seconds to a crawl, not half a minute. A host that does not answer
// at all costs one connect timeout (Config.ConnectTimeout), as the next try
// would start after the budget.
const (
	DefaultReachTries   = 3
	DefaultReachBackoff = time.Second
	DefaultReachBudget  = 4 * time.Second
	DefaultReachHold    = time.Minute
)

// ReachConfig configures a Reach. Zero fields take the defaults.
type ReachConfig struct {
	// Tries is how many failed connection attempts in a row give a host
	// up (default DefaultReachTries). 1 gives it up at the first.
	Tries int
	// Backoff is the wait after the first failed attempt; it doubles after
	// each further one (default DefaultReachBackoff).
	Backoff time.Duration
	// Budget bounds the tries in time: no try is scheduled later than
	// Budget after the first failed one started (default
	// DefaultReachBudget).
	Budget time.Duration
	// Hold is how long a given-up host stays given up: requests fail at
	// once until then, and the host then gets a fresh set of tries
	// (default DefaultReachHold). A long crawl thus notices a host that
	// comes back.
	Hold time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Reach keeps the hosts that could not be connected to, so that a dead host
// costs a crawl one shared budget of tries rather than a round of retries
// for every URL on it. A name that does not resolve is given up at the
// first failure; a host that refuses connections, is unreachable or does not
// answer within the connect timeout gets ReachConfig.Tries attempts within
// ReachConfig.Budget. Requests that were already under way when an attempt
// failed count as that attempt, not as more.
//
// Hosts are keyed by name and port (the scheme's default port when the URL
// has none): http and https on one name are separate hosts. Only hosts with
// failures are kept, and given-up hosts are forgotten after Hold. A Reach is
// safe for concurrent use; create it with NewReach.
type Reach struct {
	cfg ReachConfig

	mu    sync.Mutex
	hosts map[string]*reachEntry
	adds  int // entries created, to sweep now and then
}

// reachEntry is the record of one host's failures, guarded by Reach.mu.
type reachEntry struct {
	host   string    // as written in the URL, for messages
	reason string    // the last failure, in words
	err    error     // the last failure
	tries  int       // failed attempts in a row
	first  time.Time // the first failed attempt of the streak started
	last   time.Time // the last failure was recorded
	next   time.Time // no attempt before this (for a given-up host, the end of Hold)
	gaveUp bool
}

// NewReach returns a Reach with cfg's budget.
func NewReach(cfg ReachConfig) *Reach {
	if cfg.Tries <= 0 {
		cfg.Tries = DefaultReachTries
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultReachBackoff
	}
	if cfg.Budget <= 0 {
		cfg.Budget = DefaultReachBudget
	}
	if cfg.Hold <= 0 {
		cfg.Hold = DefaultReachHold
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Reach{cfg: cfg, hosts: make(map[string]*reachEntry)}
}

// UnreachableError reports a host that could not be connected to. When
// GaveUp is set the host is given up until RetryAt and the request fails;
// otherwise the host still has tries and the request should be made again
// at RetryAt (not before: until then Reach.Before refuses it).
type UnreachableError struct {
	Host    string        // host[:port] as written in the URL
	Reason  string        // "no such host", "connection refused", "connect timeout", ...
	Err     error         // the last failure
	Tries   int           // failed attempts in a row
	Elapsed time.Duration // from the start of the first failed attempt to the last failure
	GaveUp  bool
	RetryAt time.Time
}

// Error implements error: "fetch: host img.example.invalid: no such host",
// "fetch: host 127.0.0.9:1: connection refused (gave up after 3 tries in 3s)".
func (e *UnreachableError) Error() string {
	msg := "fetch: host " + e.Host + ": " + e.Reason
	if !e.GaveUp {
		return fmt.Sprintf("%s (try %d failed, next at %s)", msg, e.Tries, e.RetryAt.Format(time.RFC3339))
	}
	if e.Tries > 1 || e.Elapsed >= time.Second {
		d := e.Elapsed.Round(time.Millisecond)
		if d >= time.Second {
			d = d.Round(100 * time.Millisecond)
		}
		tries := "tries"
		if e.Tries == 1 {
			tries = "try"
		}
		msg += fmt.Sprintf(" (gave up after %d %s in %s)", e.Tries, tries, d)
	}
	return msg
}

// Unwrap returns Err.
func (e *UnreachableError) Unwrap() error { return e.Err }

// Before reports whether a request to u's host may start now: nil when it
// may, else an *UnreachableError, given up or saying when to try again.
func (r *Reach) Before(u *url.URL) error {
	key := reachKey(u)
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.hosts[key]
	if e == nil {
		return nil
	}
	now := r.cfg.Now()
	if e.gaveUp && !now.Before(e.next) {
		delete(r.hosts, key) // the hold is over: a fresh set of tries
		return nil
	}
	if now.Before(e.next) {
		return e.error()
	}
	return nil
}

// After records how a request to u's host that started at start ended, and
// returns the error to report: nil when err is nil (the host answered, and
// its failures are forgotten), an *UnreachableError wrapping err when err is
// a connection failure, and err itself otherwise.
func (r *Reach) After(u *url.URL, start time.Time, err error) error {
	key := reachKey(u)
	if err == nil {
		r.mu.Lock()
		delete(r.hosts, key)
		r.mu.Unlock()
		return nil
	}
	reason, final, ok := reachReason(err)
	if !ok {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	e := r.hosts[key]
	if e != nil && e.gaveUp && !now.Before(e.next) {
		e = nil // the hold is over: a fresh set of tries
	}
	if e == nil {
		e = &reachEntry{host: strings.ToLower(u.Host), first: start}
		r.hosts[key] = e
		r.sweep(now)
	}
	if e.gaveUp || (e.tries > 0 && !start.After(e.last)) {
		return e.error() // a request of a round already counted
	}
	e.tries++
	e.last, e.reason, e.err = now, reason, err
	wait := r.cfg.Backoff << min(e.tries-1, 20)
	if final || e.tries >= r.cfg.Tries || now.Add(wait).Sub(e.first) > r.cfg.Budget {
		e.gaveUp, e.next = true, now.Add(r.cfg.Hold)
	} else {
		e.next = now.Add(wait)
	}
	return e.error()
}

// error returns the entry's state as an *UnreachableError.
func (e *reachEntry) error() *UnreachableError {
	return &UnreachableError{Host: e.host, Reason: e.reason, Err: e.err, Tries: e.tries,
		Elapsed: e.last.Sub(e.first), GaveUp: e.gaveUp, RetryAt: e.next}
}

// sweep forgets, every 256 new entries, the hosts whose record is over:
// given up and past the hold, or waiting long past their next try (no
// request came back to try them). r.mu must be held.
func (r *Reach) sweep(now time.Time) {
	r.adds++
	if r.adds%256 != 0 {
		return
	}
	for k, e := range r.hosts {
		if !now.Before(e.next.Add(r.cfg.Hold)) || (e.gaveUp && !now.Before(e.next)) {
			delete(r.hosts, k)
		}
	}
}

// reachKey is "name:port", with the scheme's default port when u has none.
func reachKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if strings.EqualFold(u.Scheme, "https") {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")), port)
}

// reachReason tells a failure to connect from other failures: ok is false
// for anything but a failed name lookup, a refused, unreachable or timed-out
// connection attempt. final is set for a name that does not exist, which
// retrying cannot help.
func reachReason(err error) (reason string, final, ok bool) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "", false, false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		if dns.IsNotFound {
			return "no such host", true, true
		}
		return "name lookup failed: " + dns.Err, false, true
	}
	var te *TimeoutError
	if errors.As(err, &te) {
		return "connect timeout", false, te.Phase == PhaseConnect
	}
	for _, errno := range []syscall.Errno{syscall.ECONNREFUSED, syscall.EHOSTUNREACH,
		syscall.ENETUNREACH, syscall.EHOSTDOWN} {
		if errors.Is(err, errno) {
			return errno.Error(), false, true
		}
	}
	return "", false, false
}
