package crawler

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/internal/dnstest"
)

// tinyPNG returns a small PNG whose bytes differ for each n.
func tinyPNG(t *testing.T, n int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.NRGBA{byte(n), byte(n >> 8), 7, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// refusedAddr returns a loopback address where nothing listens: connecting
// to it is refused at once.
func refusedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// hitCounter counts requests by path.
type hitCounter struct {
	mu   sync.Mutex
	hits map[string]int
}

func (h *hitCounter) add(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hits == nil {
		h.hits = make(map[string]int)
	}
	h.hits[path]++
}

func (h *hitCounter) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hits = nil
}

func (h *hitCounter) get(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[path]
}

// eventLog collects a crawl's events by URL.
type eventLog struct {
	mu     sync.Mutex
	events map[string]Event
}

func (l *eventLog) on(ev Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.events == nil {
		l.events = make(map[string]Event)
	}
	l.events[ev.URL] = ev
}

func (l *eventLog) get(url string) (Event, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev, ok := l.events[url]
	return ev, ok
}

// TestDeadHostsEndFast: a page names images on a name that does not
// resolve and on a port that refuses. Every one of them fails with one
// reason naming its host, the name is looked up once, the refusing host
// gets one budget of tries shared by its URLs, and the live images are
// saved.
func TestDeadHostsEndFast(t *testing.T) {
	for _, ignoreRobots := range []bool{false, true} {
		t.Run(fmt.Sprintf("ignore-robots=%v", ignoreRobots), func(t *testing.T) {
			resolver, dns := dnstest.Start(t, nil)
			refused := refusedAddr(t)
			var hits hitCounter
			live := tinyPNG(t, 1)
			const nInvalid = 6
			var invalid string
			for i := range nInvalid {
				invalid += fmt.Sprintf(`<img src="http://img.example.invalid/%d.png">`, i)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.add(r.URL.Path)
				switch r.URL.Path {
				case "/":
					w.Header().Set("Content-Type", "text/html")
					fmt.Fprintf(w, `<img src="/live.png">
%[2]s
<img src="http://%[1]s/c.png"><img src="http://%[1]s/d.png"><img src="http://%[1]s/e.png">`, refused, invalid)
				case "/live.png":
					w.Header().Set("Content-Type", "image/png")
					w.Write(live)
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			var log eventLog
			c, err := New(Config{Depth: SeedsOnly, Seeds: []string{srv.URL + "/"}, Out: t.TempDir(), Manifest: "-",
				Retries: DefaultRetries, IgnoreRobots: ignoreRobots, OnEvent: log.on,
				Fetch: fetch.Config{Resolver: resolver}})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			sum, err := c.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if el := time.Since(start); el > 15*time.Second {
				t.Errorf("the crawl took %v", el) // a guard: 36 s per dead host before
			}
			if sum.Images != 1 || sum.Failed != nInvalid+3 || hits.get("/live.png") != 1 {
				t.Errorf("summary %+v, live image requested %d times; want 1 saved, %d failed",
					sum, hits.get("/live.png"), nInvalid+3)
			}
			for i := range nInvalid {
				ev, _ := log.get(fmt.Sprintf("http://img.example.invalid/%d.png", i))
				if ev.Status != Failed || ev.Err == nil || ev.Err.Error() != "fetch: host img.example.invalid: no such host" {
					t.Errorf("%d.png: %s %v; want failed: fetch: host img.example.invalid: no such host", i, ev.Status, ev.Err)
				}
			}
			// The name is looked up by the requests under way when the first
			// answer comes (robots.txt alone, or up to DefaultPerHost image
			// requests), and never again: not once per URL, not retried.
			maxLookups := int64(1)
			if ignoreRobots {
				maxLookups = DefaultPerHost
			}
			if n := dns.Lookups("img.example.invalid"); n < 1 || n > maxLookups {
				t.Errorf("img.example.invalid looked up %d times for its %d URLs, want 1 to %d", n, nInvalid, maxLookups)
			}
			// One budget for the host: with DefaultRetries, tries at 0s, 1s
			// and 3s; the next would pass fetch.DefaultReachBudget.
			want := regexp.MustCompile(`^fetch: host ` + regexp.QuoteMeta(refused) +
				`: connection refused \(gave up after 3 tries in [34](\.\d)?s\)$`)
			for _, p := range []string{"c", "d", "e"} {
				ev, _ := log.get("http://" + refused + "/" + p + ".png")
				if ev.Status != Failed || ev.Err == nil || !want.MatchString(ev.Err.Error()) {
					t.Errorf("%s.png: %s %v; want failed, matching %s", p, ev.Status, ev.Err, want)
				}
			}
		})
	}
}

// TestUnreachableSeedSaysSo: a seed whose host cannot be reached fails
// with the host's reason, not as a robots.txt failure after many retries.
func TestUnreachableSeedSaysSo(t *testing.T) {
	resolver, _ := dnstest.Start(t, nil)
	refused := refusedAddr(t)
	for _, tc := range []struct {
		seed string
		want *regexp.Regexp
	}{
		{"http://site.example.invalid/", regexp.MustCompile(`^fetch: host site\.example\.invalid: no such host$`)},
		{"http://" + refused + "/", regexp.MustCompile(`^fetch: host ` + regexp.QuoteMeta(refused) +
			`: connection refused \(gave up after 2 tries in 1(\.\d)?s\)$`)},
	} {
		t.Run(tc.seed, func(t *testing.T) {
			var log eventLog
			c, err := New(Config{Depth: SeedsOnly, Seeds: []string{tc.seed}, Out: t.TempDir(), Manifest: "-", Retries: 1,
				OnEvent: log.on, Fetch: fetch.Config{Resolver: resolver}})
			if err != nil {
				t.Fatal(err)
			}
			sum, err := c.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			ev, _ := log.get(tc.seed)
			if sum.Failed != 1 || ev.Err == nil || !tc.want.MatchString(ev.Err.Error()) {
				t.Errorf("summary %+v, seed error %v; want it to match %s", sum, ev.Err, tc.want)
			}
			if ev.Err != nil && strings.Contains(ev.Err.Error(), "robots") {
				t.Errorf("the seed's failure is reported as a robots.txt one: %v", ev.Err)
			}
		})
	}
}
