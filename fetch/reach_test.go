package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/dnstest"
)

// reachClock is a settable clock for Reach tests.
type reachClock struct{ t time.Time }

func (c *reachClock) now() time.Time      { return c.t }
func (c *reachClock) add(d time.Duration) { c.t = c.t.Add(d) }
func reachURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

var (
	errReachRefused  = fmt.Errorf("fetch: get http://127.0.0.9:1/a.png: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	errReachNotFound = fmt.Errorf("fetch: get http://img.example.invalid/a.png: %w", &net.DNSError{Err: "no such host", Name: "img.example.invalid", IsNotFound: true})
)

func TestReachNoSuchHostGivesUpAtOnce(t *testing.T) {
	clock := &reachClock{t: time.Unix(1e9, 0)}
	r := NewReach(ReachConfig{Now: clock.now})
	u := reachURL(t, "http://IMG.example.invalid/a.png")
	err := r.After(u, clock.now(), errReachNotFound)
	var ue *UnreachableError
	if !errors.As(err, &ue) || !ue.GaveUp || ue.Tries != 1 {
		t.Fatalf("After = %v, want a given-up *UnreachableError after 1 try", err)
	}
	if got, want := err.Error(), "fetch: host img.example.invalid: no such host"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if Retryable(err) {
		t.Error("a given-up host is retryable")
	}
	// Every other URL of the host fails at once, without a request...
	if err := r.Before(reachURL(t, "http://img.example.invalid/b.png")); !errors.As(err, &ue) || !ue.GaveUp {
		t.Errorf("Before another URL = %v, want the given-up error", err)
	}
	// ...and the same name on another port is another host.
	if err := r.Before(reachURL(t, "https://img.example.invalid/b.png")); err != nil {
		t.Errorf("Before on https = %v, want nil", err)
	}
	// After the hold the host gets a fresh try.
	clock.add(DefaultReachHold)
	if err := r.Before(u); err != nil {
		t.Errorf("Before after the hold = %v, want nil", err)
	}
}

func TestReachRefusedSharesOneBudget(t *testing.T) {
	clock := &reachClock{t: time.Unix(1e9, 0)}
	r := NewReach(ReachConfig{Tries: 4, Now: clock.now}) // the budget, not Tries, ends it
	u := reachURL(t, "http://127.0.0.9:1/a.png")
	var ue *UnreachableError
	for try := 1; try <= 3; try++ {
		start := clock.now()
		if err := r.Before(u); err != nil {
			t.Fatalf("try %d: Before = %v, want nil", try, err)
		}
		// Four URLs of the host were in flight: one round, one try.
		for range 4 {
			err := r.After(u, start, errReachRefused)
			if !errors.As(err, &ue) || ue.Tries != try {
				t.Fatalf("try %d: After = %v, want an *UnreachableError counting %d tries", try, err, try)
			}
		}
		if try < 3 {
			if ue.GaveUp || !Retryable(ue) {
				t.Fatalf("try %d: gave up already: %v", try, ue)
			}
			wait := ue.RetryAt.Sub(clock.now())
			if want := time.Second << (try - 1); wait != want {
				t.Errorf("try %d: wait %v, want %v", try, wait, want)
			}
			// Until then every URL of the host waits, without a request.
			clock.add(wait / 2)
			if err := r.Before(reachURL(t, "http://127.0.0.9:1/other.png")); !errors.As(err, &ue) || ue.GaveUp || !ue.RetryAt.Equal(clock.now().Add(wait/2)) {
				t.Errorf("try %d: Before while waiting = %v", try, err)
			}
			clock.add(wait / 2)
		}
	}
	if !ue.GaveUp {
		t.Fatalf("not given up after 3 tries in 3s: %v", ue)
	}
	if got, want := ue.Error(), "fetch: host 127.0.0.9:1: connection refused (gave up after 3 tries in 3s)"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if !errors.Is(ue, syscall.ECONNREFUSED) {
		t.Error("the error does not wrap its cause")
	}
}

func TestReachConnectTimeoutCostsOneTry(t *testing.T) {
	clock := &reachClock{t: time.Unix(1e9, 0)}
	r := NewReach(ReachConfig{Now: clock.now})
	u := reachURL(t, "https://blackhole.example/a.png")
	start := clock.now()
	clock.add(DefaultConnectTimeout)
	err := r.After(u, start, &TimeoutError{URL: u.String(), Phase: PhaseConnect})
	var ue *UnreachableError
	if !errors.As(err, &ue) || !ue.GaveUp {
		t.Fatalf("After = %v, want given up: another try would pass the budget", err)
	}
	if got, want := err.Error(), "fetch: host blackhole.example: connect timeout (gave up after 1 try in 10s)"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

func TestReachSuccessForgetsFailures(t *testing.T) {
	clock := &reachClock{t: time.Unix(1e9, 0)}
	r := NewReach(ReachConfig{Tries: 2, Now: clock.now})
	u := reachURL(t, "http://flaky.example/")
	for range 3 { // without the successes, the second failure would give up
		if err := r.After(u, clock.now(), errReachRefused); !errors.As(err, new(*UnreachableError)) {
			t.Fatalf("After = %v", err)
		}
		clock.add(time.Second)
		if err := r.After(u, clock.now(), nil); err != nil {
			t.Fatalf("After(nil) = %v", err)
		}
		if err := r.Before(u); err != nil {
			t.Fatalf("Before after a success = %v", err)
		}
	}
}

func TestReachIgnoresOtherErrors(t *testing.T) {
	r := NewReach(ReachConfig{Tries: 1})
	u := reachURL(t, "http://example.com/")
	for _, err := range []error{
		&TimeoutError{URL: u.String(), Phase: PhaseHeader},
		&StatusError{URL: u.String(), Code: 503},
		&PolicyError{Host: "example.com", IP: "10.0.0.1", Reason: "private"},
		fmt.Errorf("fetch: get %s: %w", u, syscall.ECONNRESET),
		fmt.Errorf("fetch: get %s: %w", u, context.Canceled),
		errors.New("tls: handshake failure"),
	} {
		if got := r.After(u, time.Now(), err); got != err {
			t.Errorf("After(%v) = %v, want it unchanged", err, got)
		}
	}
	if err := r.Before(u); err != nil {
		t.Errorf("Before = %v: a failure that is not about connecting counted", err)
	}
}

// TestReachRealFailures checks that what Client.Get returns for a refused
// port and a name that does not resolve is classified as such.
func TestReachRealFailures(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	refused := srv.URL + "/a.png"
	srv.Close() // nothing listens there now
	resolver, dns := dnstest.Start(t, nil)
	c, err := NewClient(Config{AllowPrivate: true, Resolver: resolver})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	for _, tc := range []struct{ url, want string }{
		{refused, "fetch: host " + strings.TrimPrefix(srv.URL, "http://") + ": connection refused"},
		{"http://img.example.invalid/a.png", "fetch: host img.example.invalid: no such host"},
	} {
		r := NewReach(ReachConfig{Tries: 1})
		u := reachURL(t, tc.url)
		start := time.Now()
		_, err := c.Get(context.Background(), tc.url, nil, 0)
		err = r.After(u, start, err)
		var ue *UnreachableError
		if !errors.As(err, &ue) || !ue.GaveUp || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.url, err, tc.want)
		}
	}
	if dns.Queries() == 0 {
		t.Error("the client did not use the configured resolver")
	}
}

// TestRobotsCacheFollowsReach: robots.txt of a host that cannot be
// connected to is asked again when the host's next try is due, not on the
// cache's own (much longer) schedule.
func TestRobotsCacheFollowsReach(t *testing.T) {
	clock := &reachClock{t: time.Unix(1e9, 0)}
	next := clock.now().Add(time.Second)
	var gets int
	c := NewRobotsCache(RobotsConfig{Now: clock.now, RetryMin: time.Hour,
		Get: func(context.Context, string) (*http.Response, error) {
			gets++
			return nil, &UnreachableError{Host: "img.example", Reason: "connection refused", Tries: 1, RetryAt: next}
		}})
	u := reachURL(t, "http://img.example/a.png")
	_, _, err := c.Check(context.Background(), u)
	var ru *RobotsUnavailableError
	if !errors.As(err, &ru) || !ru.RetryAt.Equal(next) || !errors.As(err, new(*UnreachableError)) {
		t.Fatalf("Check = %v; want robots.txt unavailable until the host's next try, wrapping its error", err)
	}
	clock.t = next
	c.Check(context.Background(), u)
	if gets != 2 {
		t.Errorf("robots.txt fetched %d times, want again once the host's next try was due", gets)
	}
}
