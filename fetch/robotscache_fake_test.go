package fetch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Tests of RobotsCache's concurrency, expiry and eviction, driven by an
// in-memory RobotsGetter so that every interleaving is forced, not timed.

// robotsFake is a RobotsGetter that answers from respond, counts calls per
// URL, tracks unclosed bodies and, when block is set, waits on it first.
type robotsFake struct {
	respond func(robotsURL string) (status int, location, body string)
	block   chan struct{}
	entered chan string // when set, receives each URL as its call starts

	mu    sync.Mutex
	calls map[string]int
	open  int
}

type robotsFakeBody struct {
	io.Reader
	f    *robotsFake
	once sync.Once
}

func (b *robotsFakeBody) Close() error {
	b.once.Do(func() { b.f.mu.Lock(); b.f.open--; b.f.mu.Unlock() })
	return nil
}

func (f *robotsFake) get(ctx context.Context, robotsURL string) (*http.Response, error) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = make(map[string]int)
	}
	f.calls[robotsURL]++
	f.mu.Unlock()
	if f.entered != nil {
		f.entered <- robotsURL
	}
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return nil, fmt.Errorf("get: %w", ctx.Err())
		}
	}
	status, loc, body := f.respond(robotsURL)
	f.mu.Lock()
	f.open++
	f.mu.Unlock()
	resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: &robotsFakeBody{Reader: strings.NewReader(body), f: f}}
	if loc != "" {
		resp.Header.Set("Location", loc)
	}
	return resp, nil
}

func (f *robotsFake) count(robotsURL string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[robotsURL]
}

func robotsFakeFile(body string) func(string) (int, string, string) {
	return func(string) (int, string, string) { return 200, "", body }
}

func TestRobotsCacheSingleflight(t *testing.T) {
	const n = 8
	f := &robotsFake{respond: robotsFakeFile("User-agent: imgcrawl\nDisallow: /a\n"), block: make(chan struct{})}
	c := NewRobotsCache(RobotsConfig{Get: f.get, Agent: "ImgCrawl/1.0 (+http://example.com/)"})
	var (
		waiters atomic.Int32
		release sync.Once
	)
	c.waitHook = func() { // release the fetch once all other callers wait on it
		if waiters.Add(1) == n-1 {
			release.Do(func() { close(f.block) })
		}
	}
	// Without single flight nobody waits: release after a while so the
	// test fails on the fetch count instead of hanging.
	timer := time.AfterFunc(5*time.Second, func() { release.Do(func() { close(f.block) }) })
	defer timer.Stop()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Go(func() {
			allowed, _, err := c.Check(context.Background(), robotsMustURL(t, "http://h.test/a/1"))
			if allowed || err != nil {
				t.Errorf("Check = %v, %v; want disallowed", allowed, err)
			}
		})
	}
	wg.Wait()
	if got := f.count("http://h.test/robots.txt"); got != 1 {
		t.Errorf("%d fetches for %d concurrent callers, want 1", got, n)
	}
	if f.open != 0 {
		t.Errorf("%d bodies left open", f.open)
	}
}

// robotsRecv receives from ch, failing the test instead of hanging when
// nothing arrives.
func robotsRecv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestRobotsCacheCancel(t *testing.T) {
	f := &robotsFake{respond: robotsFakeFile("User-agent: *\nDisallow: /a\n"),
		block: make(chan struct{}), entered: make(chan string, 4)}
	c := NewRobotsCache(RobotsConfig{Get: f.get})
	waiting := make(chan struct{}, 4)
	c.waitHook = func() { waiting <- struct{}{} }
	defer func() {
		select {
		case <-f.block:
		default:
			close(f.block) // unblock leftovers when the test fails early
		}
	}()

	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() { _, _, err := c.Check(leaderCtx, robotsMustURL(t, "http://h.test/a")); leaderErr <- err }()
	robotsRecv(t, f.entered, "the leader's fetch")

	// A waiter whose context has ended gives up at once.
	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	if _, _, err := c.Check(done, robotsMustURL(t, "http://h.test/a")); err != context.Canceled {
		t.Fatalf("cancelled waiter: err = %v", err)
	}
	robotsRecv(t, waiting, "the cancelled waiter")

	type answer struct {
		allowed bool
		err     error
	}
	follower := make(chan answer, 1)
	go func() {
		allowed, _, err := c.Check(context.Background(), robotsMustURL(t, "http://h.test/b"))
		follower <- answer{allowed, err}
	}()
	robotsRecv(t, waiting, "the follower to wait")
	cancelLeader()
	if err := robotsRecv(t, leaderErr, "the leader"); err != context.Canceled {
		t.Fatalf("leader: err = %v, want context.Canceled as is", err)
	}
	// The follower takes over: the cancelled fetch was not cached.
	robotsRecv(t, f.entered, "the follower's fetch")
	close(f.block)
	if a := robotsRecv(t, follower, "the follower"); !a.allowed || a.err != nil {
		t.Fatalf("follower: Check(/b) = %v, %v; want allowed", a.allowed, a.err)
	}
	if allowed, _, err := c.Check(context.Background(), robotsMustURL(t, "http://h.test/a")); allowed || err != nil {
		t.Fatalf("Check(/a) = %v, %v; want disallowed", allowed, err)
	}
	if got := f.count("http://h.test/robots.txt"); got != 2 {
		t.Errorf("%d fetches, want 2", got)
	}
}

func TestRobotsCacheTTL(t *testing.T) {
	clock := newRobotsTestClock()
	var body atomic.Value
	body.Store("User-agent: *\nDisallow: /a\n")
	f := &robotsFake{respond: func(string) (int, string, string) { return 200, "", body.Load().(string) }}
	c := NewRobotsCache(RobotsConfig{Get: f.get, Now: clock.Now})
	check := func(path string, want bool, wantCalls int) {
		t.Helper()
		allowed, _, err := c.Check(context.Background(), robotsMustURL(t, "http://h.test"+path))
		if err != nil || allowed != want || f.count("http://h.test/robots.txt") != wantCalls {
			t.Fatalf("Check(%s) = %v, %v after %d fetches; want %v after %d",
				path, allowed, err, f.count("http://h.test/robots.txt"), want, wantCalls)
		}
	}
	check("/a", false, 1)
	body.Store("User-agent: *\nDisallow: /b\n")
	clock.Advance(24*time.Hour - time.Second)
	check("/a", false, 1) // still cached
	clock.Advance(time.Second)
	check("/a", true, 2) // expired: fetched again
	check("/b", false, 2)
}

func TestRobotsCacheLRU(t *testing.T) {
	f := &robotsFake{respond: func(string) (int, string, string) { return 404, "", "" }}
	c := NewRobotsCache(RobotsConfig{Get: f.get, MaxIdle: 2})
	for _, host := range []string{"a", "b", "a", "c", "a", "b"} {
		if allowed, _, err := c.Check(context.Background(), robotsMustURL(t, "http://"+host+".test/x")); !allowed || err != nil {
			t.Fatalf("host %s: %v, %v", host, allowed, err)
		}
		if c.Len() > 2 {
			t.Fatalf("Len = %d after host %s, want at most 2", c.Len(), host)
		}
	}
	// "a" stayed in use; "b" was evicted by "c" and fetched again.
	for host, want := range map[string]int{"a": 1, "b": 2, "c": 1} {
		if got := f.count("http://" + host + ".test/robots.txt"); got != want {
			t.Errorf("host %s fetched %d times, want %d", host, got, want)
		}
	}
	if f.open != 0 {
		t.Errorf("%d bodies left open", f.open)
	}
}
