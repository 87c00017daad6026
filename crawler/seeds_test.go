package crawler

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/fetch"
)

// seedSite serves a page with an image, an image, robots.txt disallowing
// /private/, 404s and a redirect to another host.
func seedSite(t *testing.T) string {
	t.Helper()
	img := bigPNG(t, 64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<img src="/a.png">`)
		case "/a.png":
			w.Write(img)
		case "/away":
			http.Redirect(w, r, "http://localhost:1/elsewhere", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func TestSummaryCountsSeedsFetched(t *testing.T) {
	base, down := seedSite(t), closedPort(t)
	for _, tc := range []struct {
		name    string
		seeds   []string // crawl seeds; images when get
		get     bool
		fetched int64
		nothing bool
		why     func(error) bool
	}{
		{"a page", []string{base + "/"}, false, 1, false, nil},
		{"404", []string{base + "/nope"}, false, 0, true, statusIs(404)},
		{"refused", []string{down + "/"}, false, 0, true, func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }},
		{"robots.txt", []string{base + "/private/"}, false, 0, true, func(err error) bool { return errors.Is(err, ErrRobots) }},
		{"out of scope", []string{base + "/away"}, false, 0, true, func(err error) bool { return errors.Is(err, ErrOutOfScope) }},
		{"one of two", []string{base + "/nope", base + "/"}, false, 1, false, statusIs(404)},
		{"get: 404", []string{base + "/no.png"}, true, 0, true, statusIs(404)},
		{"get: one of two", []string{base + "/no.png", base + "/a.png"}, true, 1, false, statusIs(404)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Depth: SeedsOnly, Out: t.TempDir(), Manifest: "-", Retries: NoRetries}
			if tc.get {
				ch := make(chan string, len(tc.seeds))
				for _, s := range tc.seeds {
					ch <- s
				}
				close(ch)
				cfg.Images = ch
			} else {
				cfg.Seeds = tc.seeds
			}
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			sum, err := c.Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Seeds != int64(len(tc.seeds)) || sum.SeedsFetched != tc.fetched || sum.NothingFetched() != tc.nothing {
				t.Fatalf("seeds %d, fetched %d, nothing fetched %v; want %d, %d, %v (%+v)",
					sum.Seeds, sum.SeedsFetched, sum.NothingFetched(), len(tc.seeds), tc.fetched, tc.nothing, sum)
			}
			if tc.why == nil {
				if len(sum.SeedFailures) != 0 {
					t.Errorf("seed failures %v", sum.SeedFailures)
				}
				return
			}
			if len(sum.SeedFailures) != 1 || !tc.why(sum.SeedFailures[0]) {
				t.Errorf("seed failures %v: not the reason expected", sum.SeedFailures)
			}
		})
	}
}

func statusIs(code int) func(error) bool {
	return func(err error) bool {
		var se *fetch.StatusError
		return errors.As(err, &se) && se.Code == code
	}
}

// TestFailureNamesEachURLOnce: a failure line is "URL: why", without the
// error chain's repeats of the URL, the robots.txt host, or "fetch: ".
func TestFailureNamesEachURLOnce(t *testing.T) {
	u := "http://h.example/x.png"
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"status", &fetch.StatusError{URL: u, Code: 404}, u + ": status 404 not found"},
		{"retried", fmt.Errorf("after 4 attempts: %w", fmt.Errorf("fetch: get %s: %w", u, syscall.ECONNREFUSED)),
			u + ": after 4 attempts: connection refused"},
		{"robots.txt refused", &fetch.RobotsUnavailableError{Host: "http://h.example", RetryAt: at,
			Err: &fetch.PolicyError{URL: "http://h.example/robots.txt", Host: "h.example", IP: "10.0.0.1", Reason: "private"}},
			u + ": robots.txt unavailable: http://h.example/robots.txt: refused to connect to private address 10.0.0.1 of h.example"},
		{"robots.txt status", &fetch.RobotsUnavailableError{Host: "http://h.example", RetryAt: at, Status: 503},
			u + ": robots.txt for http://h.example unavailable: status 503"},
		{"robots.txt retried", fmt.Errorf("after 4 attempts: %w", &fetch.RobotsUnavailableError{Host: "http://h.example", RetryAt: at,
			Err: fmt.Errorf("fetch: get http://h.example/robots.txt: %w", syscall.ECONNREFUSED)}),
			u + ": after 4 attempts: robots.txt unavailable: http://h.example/robots.txt: connection refused"},
		{"no chain", errors.New("redirect loop"), u + ": redirect loop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Failure{URL: u, Err: tc.err}
			if got := f.Error(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if !errors.Is(f, tc.err) {
				t.Error("Failure does not unwrap to its error")
			}
			if strings.Count(f.Error(), u) != 1 {
				t.Errorf("%s named %d times", u, strings.Count(f.Error(), u))
			}
		})
	}
}

// TestRobotsThatCannotBeHadFailsAtOnce: when robots.txt fails for a reason
// that waiting does not cure (here TLS spoken to a plain HTTP server; a
// host that does not exist is another), the URL fails at once instead of
// after Retries waits.
func TestRobotsThatCannotBeHadFailsAtOnce(t *testing.T) {
	base := seedSite(t)
	seed := "https://" + strings.TrimPrefix(base, "http://") + "/"
	c, err := New(Config{Depth: SeedsOnly, Seeds: []string{seed}, Out: t.TempDir(), Manifest: "-", Retries: 3, RobotsRetry: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	sum, err := c.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ue *fetch.RobotsUnavailableError
	if !sum.NothingFetched() || len(sum.SeedFailures) != 1 || !errors.As(sum.SeedFailures[0], &ue) {
		t.Fatalf("summary %+v", sum)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("gave up after %v, waiting for robots.txt to come back", d)
	}
}
