package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// chainSite serves pages /p/0../p/n-1; page i links to i+1 and i+2.
func chainSite(n int, robots string, hook func(w http.ResponseWriter, r *http.Request) bool) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			if robots == "" {
				http.NotFound(w, r)
				return
			}
			fmt.Fprint(w, robots)
			return
		}
		if hook != nil && hook(w, r) {
			return
		}
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/p/%d", &i); err != nil || i >= n {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><body><a href="/p/%d">next</a> <a href="/p/%d">skip</a></body></html>`, i+1, i+2)
	}))
}

func TestSlowHostDoesNotHoldOthersBack(t *testing.T) {
	slow := chainSite(4, "User-agent: *\nCrawl-delay: 1\n", nil)
	defer slow.Close()
	fast := chainSite(30, "", nil)
	defer fast.Close()
	var mu sync.Mutex
	var order []string // host of each parsed page, in completion order
	c, err := New(Config{Retries: NoRetries, Seeds: []string{slow.URL + "/p/0", fast.URL + "/p/0"}, Depth: 40, Out: t.TempDir(),
		Concurrency: 4, Manifest: "-",
		OnEvent: func(ev Event) {
			if ev.Status == "parsed" {
				mu.Lock()
				order = append(order, strings.TrimPrefix(ev.URL[:strings.Index(ev.URL, "/p/")], "http://"))
				mu.Unlock()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Pages != 34 {
		t.Fatalf("parsed %d pages, want 34", sum.Pages)
	}
	slowHost := strings.TrimPrefix(slow.URL, "http://")
	// At one request per second the slow host cannot have finished its
	// third page before the fast host is done, unless it held the crawl.
	slowDone := 0
	for i, h := range order {
		if h == slowHost {
			slowDone++
			continue
		}
		if slowDone >= 3 {
			t.Fatalf("fast host's page %d finished after the slow host's third page: order %v", i, order)
		}
	}
}

func TestRetryAfterIsHonouredWithoutHoldingWorkers(t *testing.T) {
	var hits atomic.Int32
	srv := chainSite(3, "", func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/p/1":
			if hits.Add(1) == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			}
		case "/p/2":
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	})
	defer srv.Close()
	var mu sync.Mutex
	events := map[string]Event{}
	c, err := New(Config{Seeds: []string{srv.URL + "/p/0"}, Depth: 3, Out: t.TempDir(), Manifest: "-", Retries: DefaultRetries,
		OnEvent: func(ev Event) { mu.Lock(); events[ev.URL] = ev; mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ev := events[srv.URL+"/p/1"]; ev.Status != "parsed" || hits.Load() != 2 {
		t.Errorf("/p/1 after a 503 with Retry-After: %+v (hits %d), want parsed on the second try", ev, hits.Load())
	}
	if time.Since(start) < time.Second {
		t.Errorf("Retry-After: 1 was not waited out")
	}
	ev := events[srv.URL+"/p/2"]
	if ev.Status != "failed" || ev.Err == nil || !strings.Contains(ev.Err.Error(), "max-retry-wait") {
		t.Errorf("/p/2 with Retry-After 3600: %+v, want failed naming max-retry-wait", ev)
	}
}

func TestServerErrorsAreRetriedThenFailed(t *testing.T) {
	var hits atomic.Int32
	srv := chainSite(1, "", func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/p/0" {
			hits.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
			return true
		}
		return false
	})
	defer srv.Close()
	c, err := New(Config{Depth: SeedsOnly, Seeds: []string{srv.URL + "/p/0"}, Out: t.TempDir(), Retries: 1, Manifest: "-"})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 2 || sum.Failed != 1 {
		t.Errorf("500 forever with --retries 1: %d requests, %d failed; want 2 requests, 1 failure", hits.Load(), sum.Failed)
	}
}

func TestCustomRetryPolicyIsUsed(t *testing.T) {
	var hits atomic.Int32
	srv := chainSite(1, "", func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/p/0" {
			hits.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	defer srv.Close()
	var calls atomic.Int32
	never := func(resp *http.Response, err error, attempt int) (bool, time.Duration) {
		calls.Add(1)
		if resp == nil || resp.StatusCode != http.StatusServiceUnavailable || attempt != 1 {
			t.Errorf("policy called with resp %v, err %v, attempt %d; want the 503, attempt 1", resp, err, attempt)
		}
		return false, 0
	}
	// The default policy would try a 503 Retries+1 = 4 times.
	c, err := New(Config{Depth: SeedsOnly, Retries: NoRetries, Seeds: []string{srv.URL + "/p/0"}, Out: t.TempDir(), Manifest: "-", RetryPolicy: never})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 1 || calls.Load() != 1 || sum.Failed != 1 {
		t.Errorf("503 with a policy that never retries: %d requests, %d policy calls, %d failed; want 1, 1, 1",
			hits.Load(), calls.Load(), sum.Failed)
	}
}

func TestRobotsAnswersDecideTheHost(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int
		body       string
		wantPages  int64
		wantFailed int64
	}{
		{"503 disallows the host, then gives up", http.StatusServiceUnavailable, "", 0, 1},
		{"404 allows everything", http.StatusNotFound, "", 3, 0},
		{"disallow all", http.StatusOK, "User-agent: *\nDisallow: /\n", 0, 0},
		{"our group allows what * forbids", http.StatusOK, "User-agent: *\nDisallow: /\n\nUser-agent: imgcrawl\nAllow: /\n", 3, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pageHits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					w.WriteHeader(tc.status)
					fmt.Fprint(w, tc.body)
					return
				}
				pageHits.Add(1)
				var i int
				fmt.Sscanf(r.URL.Path, "/p/%d", &i)
				w.Header().Set("Content-Type", "text/html")
				if i < 2 {
					fmt.Fprintf(w, `<a href="/p/%d">next</a>`, i+1)
				}
			}))
			defer srv.Close()
			c, err := New(Config{Seeds: []string{srv.URL + "/p/0"}, Depth: 5, Out: t.TempDir(), Manifest: "-",
				RobotsRetry: 20 * time.Millisecond, Retries: 2})
			if err != nil {
				t.Fatal(err)
			}
			sum, err := c.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if sum.Pages != tc.wantPages || sum.Failed != tc.wantFailed || int64(pageHits.Load()) != tc.wantPages {
				t.Errorf("pages %d (requests %d), failed %d; want %d pages, %d failed",
					sum.Pages, pageHits.Load(), sum.Failed, tc.wantPages, tc.wantFailed)
			}
		})
	}
}

// TestCrawlDelayHoldsFromTheFirstRequest: with Crawl-delay, no two requests
// to the host start closer than the delay, the first ones included (the
// robots.txt fetch is not paced). Two seeds on the host are handed out
// before its robots.txt is read; their pages name three images.
func TestCrawlDelayHoldsFromTheFirstRequest(t *testing.T) {
	const delay = 300 * time.Millisecond
	var mu sync.Mutex
	var starts []time.Time
	var paths []string
	img := bigPNG(t, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		if r.URL.Path == "/robots.txt" {
			fmt.Fprintf(w, "User-agent: *\nCrawl-delay: %g\n", delay.Seconds())
			return
		}
		mu.Lock()
		starts, paths = append(starts, now), append(paths, r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/p/0":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<img src="/a.png"><img src="/b.png">`)
		case "/p/1":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<img src="/c.png">`)
		default:
			w.Header().Set("Content-Type", "image/png")
			w.Write(img)
		}
	}))
	defer srv.Close()
	c, err := New(Config{Depth: SeedsOnly, Retries: NoRetries, Seeds: []string{srv.URL + "/p/0", srv.URL + "/p/1"}, Out: t.TempDir(), Manifest: "-",
		PerHost: 4})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if sum.Pages != 2 || len(starts) != 5 {
		t.Fatalf("%d pages, requests %v; want 2 pages and 5 requests", sum.Pages, paths)
	}
	// The server sees a request a little after it starts, later under load;
	// without the delay, requests started 0-10 ms apart.
	const tolerance = 100 * time.Millisecond
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Sub(starts[i-1]); gap < delay-tolerance {
			t.Errorf("%s started %v after %s, want at least the crawl delay %v", paths[i], gap.Round(time.Millisecond), paths[i-1], delay)
		}
	}
}
