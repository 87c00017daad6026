package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// robotsTestClock is a settable clock for RobotsConfig.Now.
type robotsTestClock struct {
	mu sync.Mutex
	t  time.Time
}

func newRobotsTestClock() *robotsTestClock {
	return &robotsTestClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *robotsTestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *robotsTestClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newRobotsTestServer starts a loopback server answering with h and
// counting requests in hits.
func newRobotsTestServer(t *testing.T, hits *atomic.Int64, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits != nil {
			hits.Add(1)
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newRobotsTestCache(srv *httptest.Server, clock *robotsTestClock) *RobotsCache {
	return NewRobotsCache(RobotsConfig{
		Get:   NewRobotsGetter(srv.Client(), "imgcrawl/1.0"),
		Agent: "imgcrawl",
		Now:   clock.Now,
	})
}

func robotsMustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func robotsStatic(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func TestRobotsCacheStatus(t *testing.T) {
	const rules = "User-agent: *\nDisallow: /\nUser-agent: imgcrawl\nDisallow: /private\nCrawl-delay: 2\n"
	tests := []struct {
		name        string
		status      int
		body        string
		wantPrivate bool // Check of /private/x
		wantPublic  bool // Check of /public
		wantDelay   time.Duration
		wantStatus  int // RobotsUnavailableError.Status, 0 for no error
	}{
		{"200 parsed", 200, rules, false, true, 2 * time.Second, 0},
		{"404 allows all", 404, rules, true, true, 0, 0},
		{"403 allows all", 403, rules, true, true, 0, 0},
		{"410 allows all", 410, rules, true, true, 0, 0},
		{"500 disallows", 500, rules, false, false, 0, 500},
		{"503 disallows", 503, rules, false, false, 0, 503},
		{"429 disallows", 429, rules, false, false, 0, 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newRobotsTestClock()
			var gotUA atomic.Value
			srv := newRobotsTestServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/robots.txt" {
					t.Errorf("requested %q", r.URL.Path)
				}
				gotUA.Store(r.UserAgent())
				robotsStatic(tt.status, nil, tt.body)(w, r)
			})
			c := newRobotsTestCache(srv, clock)
			for path, want := range map[string]bool{"/private/x": tt.wantPrivate, "/public": tt.wantPublic} {
				allowed, delay, err := c.Check(context.Background(), robotsMustURL(t, srv.URL+path))
				if allowed != want {
					t.Errorf("%s: allowed = %v, want %v", path, allowed, want)
				}
				var ue *RobotsUnavailableError
				switch {
				case tt.wantStatus == 0 && err != nil:
					t.Errorf("%s: unexpected error %v", path, err)
				case tt.wantStatus != 0 && !errors.As(err, &ue):
					t.Errorf("%s: err = %v, want *RobotsUnavailableError", path, err)
				case tt.wantStatus != 0 && (ue.Status != tt.wantStatus || !ue.RetryAt.Equal(clock.Now().Add(time.Minute))):
					t.Errorf("%s: got status %d retry %v", path, ue.Status, ue.RetryAt)
				}
				if tt.wantStatus == 0 && delay != tt.wantDelay && want {
					t.Errorf("%s: delay = %v, want %v", path, delay, tt.wantDelay)
				}
			}
			if ua, _ := gotUA.Load().(string); ua != "imgcrawl/1.0" {
				t.Errorf("User-Agent = %q", ua)
			}
		})
	}
}

func TestRobotsCacheUnreachable(t *testing.T) {
	srv := newRobotsTestServer(t, nil, robotsStatic(200, nil, ""))
	target := srv.URL + "/x"
	srv.Close() // nothing listens there any more
	clock := newRobotsTestClock()
	c := newRobotsTestCache(srv, clock)
	allowed, _, err := c.Check(context.Background(), robotsMustURL(t, target))
	var ue *RobotsUnavailableError
	if allowed || !errors.As(err, &ue) {
		t.Fatalf("Check = %v, %v; want disallowed with *RobotsUnavailableError", allowed, err)
	}
	if ue.Status != 0 || ue.Err == nil || errors.Unwrap(err) != ue.Err {
		t.Errorf("error fields: status %d, err %v", ue.Status, ue.Err)
	}
	if !strings.HasPrefix(err.Error(), "fetch: robots.txt for http://127.0.0.1:") {
		t.Errorf("message %q", err)
	}
}

func TestRobotsCacheBackoff(t *testing.T) {
	clock := newRobotsTestClock()
	var hits atomic.Int64
	var healthy atomic.Bool
	srv := newRobotsTestServer(t, &hits, func(w http.ResponseWriter, r *http.Request) {
		if healthy.Load() {
			robotsStatic(200, nil, "User-agent: *\nDisallow: /no\n")(w, r)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c := newRobotsTestCache(srv, clock)
	u := robotsMustURL(t, srv.URL+"/x")
	check := func() (bool, *RobotsUnavailableError) {
		t.Helper()
		allowed, _, err := c.Check(context.Background(), u)
		var ue *RobotsUnavailableError
		if err != nil && !errors.As(err, &ue) {
			t.Fatalf("unexpected error %v", err)
		}
		return allowed, ue
	}
	for i, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour} {
		_, ue := check()
		if ue == nil || !ue.RetryAt.Equal(clock.Now().Add(want)) {
			t.Fatalf("failure %d: error %v, want retry in %v", i+1, ue, want)
		}
		if got := hits.Load(); got != int64(i+1) {
			t.Fatalf("failure %d: %d requests", i+1, got)
		}
		clock.Advance(want - time.Second)
		if _, again := check(); again != ue || hits.Load() != int64(i+1) {
			t.Fatalf("failure %d: asked again before RetryAt", i+1)
		}
		clock.Advance(time.Second)
	}
	healthy.Store(true)
	if allowed, ue := check(); !allowed || ue != nil {
		t.Fatalf("after recovery: allowed %v, err %v", allowed, ue)
	}
	// Success resets the backoff: the next failure waits RetryMin again.
	healthy.Store(false)
	clock.Advance(25 * time.Hour)
	if _, ue := check(); ue == nil || !ue.RetryAt.Equal(clock.Now().Add(time.Minute)) {
		t.Fatalf("after reset: %v", ue)
	}
}

func TestRobotsCacheRetryAfter(t *testing.T) {
	clock := newRobotsTestClock()
	tests := []struct {
		name   string
		status int
		header string
		want   time.Duration
	}{
		{"429 seconds", 429, "7200", 2 * time.Hour},
		{"503 date", 503, clock.Now().Add(3 * time.Hour).Format(http.TimeFormat), 3 * time.Hour},
		{"shorter than backoff", 429, "5", time.Minute},
		{"capped at a day", 429, "999999999", 24 * time.Hour},
		{"date capped at a day", 503, clock.Now().Add(1000 * time.Hour).Format(http.TimeFormat), 24 * time.Hour},
		{"garbage ignored", 503, "soon", time.Minute},
		{"past date ignored", 503, clock.Now().Add(-time.Hour).Format(http.TimeFormat), time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newRobotsTestServer(t, nil, robotsStatic(tt.status, map[string]string{"Retry-After": tt.header}, ""))
			c := newRobotsTestCache(srv, clock)
			_, _, err := c.Check(context.Background(), robotsMustURL(t, srv.URL+"/"))
			var ue *RobotsUnavailableError
			if !errors.As(err, &ue) || !ue.RetryAt.Equal(clock.Now().Add(tt.want)) {
				t.Fatalf("err = %v, want retry in %v", err, tt.want)
			}
		})
	}
}

// robotsRedirectServer answers /robots.txt with a chain of n redirects
// ending in a file that disallows /x, on other when it is given.
func robotsRedirectServer(t *testing.T, n int, other *httptest.Server) *httptest.Server {
	return newRobotsTestServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/final.txt" || n == 0 {
			io.WriteString(w, "User-agent: *\nDisallow: /x\n")
			return
		}
		hop := 0 // "/robots.txt" is hop 0
		fmt.Sscanf(r.URL.Path, "/hop%d", &hop)
		if hop < n-1 {
			w.Header().Set("Location", fmt.Sprintf("hop%d", hop+1)) // relative
			w.WriteHeader(http.StatusMovedPermanently)
			return
		}
		final := "/final.txt"
		if other != nil {
			final = other.URL + final
		}
		http.Redirect(w, r, final, http.StatusFound)
	})
}

func TestRobotsCacheRedirects(t *testing.T) {
	other := robotsRedirectServer(t, 0, nil)
	tests := []struct {
		name  string
		srv   *httptest.Server
		wantX bool // whether /x is allowed: only when the chain was not followed
	}{
		{"none", robotsRedirectServer(t, 0, nil), false},
		{"one", robotsRedirectServer(t, 1, nil), false},
		{"three", robotsRedirectServer(t, 3, nil), false},
		{"five", robotsRedirectServer(t, 5, nil), false},
		{"six allow all", robotsRedirectServer(t, 6, nil), true},
		{"three to another host", robotsRedirectServer(t, 3, other), false},
		{"no location allows all", newRobotsTestServer(t, nil, robotsStatic(302, nil, "")), true},
		{"non-http location allows all", newRobotsTestServer(t, nil,
			robotsStatic(301, map[string]string{"Location": "ftp://example.com/robots.txt"}, "")), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newRobotsTestCache(tt.srv, newRobotsTestClock())
			allowed, _, err := c.Check(context.Background(), robotsMustURL(t, tt.srv.URL+"/x"))
			if err != nil || allowed != tt.wantX {
				t.Fatalf("Check(/x) = %v, %v; want %v", allowed, err, tt.wantX)
			}
			if allowed, _, _ := c.Check(context.Background(), robotsMustURL(t, tt.srv.URL+"/y")); !allowed {
				t.Error("/y disallowed")
			}
		})
	}
}

func TestRobotsCacheBodyCap(t *testing.T) {
	head := "User-agent: *\nDisallow: /a\n"
	body := head + strings.Repeat("#", 100) + "\nDisallow: /b\n"
	srv := newRobotsTestServer(t, nil, robotsStatic(200, nil, body))
	c := NewRobotsCache(RobotsConfig{Get: NewRobotsGetter(srv.Client(), ""), MaxBytes: int64(len(head) + 50)})
	for path, want := range map[string]bool{"/a": false, "/b": true, "/c": true} {
		allowed, _, err := c.Check(context.Background(), robotsMustURL(t, srv.URL+path))
		if err != nil || allowed != want {
			t.Errorf("Check(%s) = %v, %v; want %v", path, allowed, err, want)
		}
	}
}

func TestRobotsCacheKey(t *testing.T) {
	tests := []struct {
		raw, want string
	}{
		{"http://Example.COM:80/x?y", "http://example.com"},
		{"HTTPS://a.test:443/", "https://a.test"},
		{"https://a.test:80/", "https://a.test:80"},
		{"http://user:pw@a.test:8080/x", "http://a.test:8080"},
		{"http://[::1]/", "http://[::1]"},
		{"http://[::1]:8080/", "http://[::1]:8080"},
		{"ftp://a.test/x", ""},
		{"mailto:a@b.test", ""},
		{"http:///x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := robotsCacheKey(robotsMustURL(t, tt.raw))
			if got != tt.want || (err != nil) != (tt.want == "") {
				t.Errorf("robotsCacheKey = %q, %v; want %q", got, err, tt.want)
			}
			if err != nil && (!strings.HasPrefix(err.Error(), "fetch: robots.txt") || strings.Contains(err.Error(), "pw")) {
				t.Errorf("error message %q", err)
			}
		})
	}
	if _, _, err := NewRobotsCache(RobotsConfig{}).Check(context.Background(), nil); err == nil {
		t.Error("nil URL accepted")
	}
}

// TestRobotsCacheSitemaps: Sitemaps reads the Sitemap lines of the cached
// file, fetching it once for Check and Sitemaps together; a host without
// robots.txt has none, one whose robots.txt is unavailable gives the error.
func TestRobotsCacheSitemaps(t *testing.T) {
	var hits atomic.Int64
	srv := newRobotsTestServer(t, &hits, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private\nSitemap: http://example.com/a.xml\n")
	})
	c := newRobotsTestCache(srv, newRobotsTestClock())
	u, _ := url.Parse(srv.URL + "/page")
	if ok, _, err := c.Check(context.Background(), u); !ok || err != nil {
		t.Fatalf("Check = %v, %v", ok, err)
	}
	got, err := c.Sitemaps(context.Background(), u)
	if err != nil || len(got) != 1 || got[0] != "http://example.com/a.xml" {
		t.Errorf("Sitemaps = %q, %v", got, err)
	}
	if hits.Load() != 1 {
		t.Errorf("robots.txt fetched %d times, want once", hits.Load())
	}

	missing := newRobotsTestServer(t, nil, http.NotFound)
	u, _ = url.Parse(missing.URL + "/")
	if got, err := newRobotsTestCache(missing, newRobotsTestClock()).Sitemaps(context.Background(), u); err != nil || got != nil {
		t.Errorf("no robots.txt: Sitemaps = %q, %v; want none", got, err)
	}
	down := newRobotsTestServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	u, _ = url.Parse(down.URL + "/")
	var ue *RobotsUnavailableError
	if _, err := newRobotsTestCache(down, newRobotsTestClock()).Sitemaps(context.Background(), u); !errors.As(err, &ue) {
		t.Errorf("robots.txt 503: Sitemaps error %v, want *RobotsUnavailableError", err)
	}
}
