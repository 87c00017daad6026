package crawler

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler/extract"
	"github.com/imgcrawl/imgcrawl/crawler/render"
	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// needBrowser skips a test when no Chromium is installed, unless CI is set.
func needBrowser(t *testing.T) {
	t.Helper()
	if _, err := render.FindBrowser(""); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI: %v", err)
		}
		t.Skip(err)
	}
}

// scriptedCrawl crawls a Scripted site from seed (a path) with mode and
// returns the summary and the paths of the images saved, sorted.
func scriptedCrawl(t *testing.T, site *testsite.Scripted, mode RenderMode, seed string, cfg Config) (Summary, []string) {
	t.Helper()
	base, stop := testsite.Serve(listen(t, "127.0.0.1:0"), site)
	t.Cleanup(stop)
	var mu sync.Mutex
	var saved []string
	cfg.Seeds = []string{base + seed}
	cfg.Out, cfg.Manifest, cfg.Render = t.TempDir(), "-", mode
	cfg.OnEvent = func(ev Event) {
		if ev.Kind == KindImage && ev.Status == Saved {
			u, _ := url.Parse(ev.URL)
			mu.Lock()
			saved = append(saved, u.Path)
			mu.Unlock()
		}
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sum, err := c.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(saved)
	return sum, saved
}

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	return ln
}

// TestRenderSavesScriptedImages crawls the pages whose images only exist
// once scripts run: a static crawl finds none of them, --render and
// --render auto find all, and no image is requested twice.
func TestRenderSavesScriptedImages(t *testing.T) {
	needBrowser(t)
	want := testsite.ScriptedImages()
	for _, tc := range []struct {
		mode     RenderMode
		want     []string
		rendered int64
	}{
		{RenderOff, nil, 0},
		{RenderOn, want, int64(len(testsite.ScriptedPages()))},
		{RenderAuto, want, int64(len(testsite.ScriptedPages()) - 1)}, // "/" names no script
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			site := &testsite.Scripted{}
			sum, saved := scriptedCrawl(t, site, tc.mode, "/", Config{Depth: 1})
			if !slices.Equal(saved, tc.want) {
				t.Errorf("saved %q\nwant  %q", saved, tc.want)
			}
			if sum.Rendered != tc.rendered || sum.Pages != int64(len(testsite.ScriptedPages())) {
				t.Errorf("rendered %d, pages %d; want %d, %d (%+v)", sum.Rendered, sum.Pages, tc.rendered,
					len(testsite.ScriptedPages()), sum.Errors)
			}
			for path, n := range site.AllHits() {
				if n > 1 && path != "/robots.txt" {
					t.Errorf("%s requested %d times", path, n)
				}
			}
		})
	}
}

// TestRenderObeysTheCrawlRules renders a page whose scripts, frame and
// fetches aim at 127.0.0.2, a private address and a path robots.txt
// disallows: none is reached.
func TestRenderObeysTheCrawlRules(t *testing.T) {
	needBrowser(t)
	internalLn := listen(t, "127.0.0.2:0")
	var mu sync.Mutex
	var internalHits []string
	internal, stopInternal := testsite.Serve(internalLn, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		internalHits = append(internalHits, r.URL.Path)
		mu.Unlock()
	}))
	defer stopInternal()
	site := &testsite.Scripted{Internal: internal}
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sum, _ := scriptedCrawl(t, site, RenderOn, "/forbidden.html", Config{Depth: SeedsOnly, Logger: logger})
	if sum.Rendered != 1 {
		t.Fatalf("rendered %d pages, want 1 (%+v)", sum.Rendered, sum.Errors)
	}
	if len(internalHits) != 0 {
		t.Errorf("the internal server was reached: %q", internalHits)
	}
	for _, p := range []string{"/private/secret.json", "/private/evil.js"} {
		if n := site.Hits(p); n != 0 {
			t.Errorf("%s, disallowed by robots.txt, was requested %d times", p, n)
		}
	}
	logMu.Lock()
	defer logMu.Unlock()
	for _, want := range []string{"10.255.255.1", "127.0.0.2"} {
		found := false
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "request not loaded") && strings.Contains(line, want) &&
				strings.Contains(line, "refused to connect") {
				found = true
			}
		}
		if !found {
			t.Errorf("no refusal logged for %s:\n%s", want, logs.String())
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestRenderRequestsAreCrawlerRequests renders a page whose scripts and
// XHR need the user's cookie (--cookies) and come from a host with a
// per-host cap of one request at a time: the cookie is sent, the cap held.
func TestRenderRequestsAreCrawlerRequests(t *testing.T) {
	needBrowser(t)
	var mu sync.Mutex
	inflight, peak := 0, 0
	var noCookie []string
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inflight++
		peak = max(peak, inflight)
		if c, err := r.Cookie("pass"); err != nil || c.Value != "yes" {
			noCookie = append(noCookie, r.URL.Path)
		}
		mu.Unlock()
		time.Sleep(30 * time.Millisecond)
		defer func() { mu.Lock(); inflight--; mu.Unlock() }()
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			for i := range 4 {
				fmt.Fprintf(w, `<script src="/s%d.js"></script>`, i)
			}
		case "/data.json":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"src": "/from-xhr.png"}`)
		default:
			if strings.HasSuffix(r.URL.Path, ".js") {
				w.Header().Set("Content-Type", "text/javascript")
				fmt.Fprint(w, `fetch('/data.json').then((r) => r.json()).then((d) => {
					const i = document.createElement('img'); i.src = d.src + '?' + document.scripts.length; document.body.appendChild(i); });`)
				return
			}
			http.NotFound(w, r)
		}
	})
	base, stop := testsite.Serve(listen(t, "127.0.0.1:0"), mux)
	defer stop()
	cookies := t.TempDir() + "/cookies.txt"
	if err := os.WriteFile(cookies, []byte("127.0.0.1\tFALSE\t/\tFALSE\t0\tpass\tyes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var saved, failed []string
	c, err := New(Config{Seeds: []string{base + "/"}, Depth: SeedsOnly, Out: t.TempDir(), Manifest: "-", Render: RenderOn,
		PerHost: 1, IgnoreRobots: true, Fetch: fetch.Config{CookieFile: cookies},
		OnEvent: func(ev Event) {
			if ev.Kind == KindImage && ev.Status == Failed {
				failed = append(failed, ev.URL)
			} else if ev.Kind == KindImage {
				saved = append(saved, ev.URL)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if sum.Rendered != 1 || len(failed) == 0 {
		t.Errorf("rendered %d, images failed %q (404s expected: the images do not exist), saved %q", sum.Rendered, failed, saved)
	}
	if len(noCookie) > 0 {
		t.Errorf("requests without the cookie: %q", noCookie)
	}
	if peak > 1 {
		t.Errorf("%d requests at once to a host capped at 1", peak)
	}
}

// TestShouldRender checks which pages --render auto renders.
func TestShouldRender(t *testing.T) {
	page, _ := url.Parse("http://example.com/gallery/1.html")
	for _, tc := range []struct {
		name  string
		mode  RenderMode
		match string
		html  string
		want  bool
	}{
		{"off", RenderOff, "", `<script></script>`, false},
		{"on, static", RenderOn, "", `<img src="a.png">`, true},
		{"auto, script and no image", RenderAuto, "", `<p>x</p><SCRIPT src="app.js"></SCRIPT>`, true},
		{"auto, inline script", RenderAuto, "", `<script>document.write('<img src=a.png>')</script>`, true},
		{"auto, image", RenderAuto, "", `<img src="a.png"><script src="app.js"></script>`, false},
		{"auto, image link", RenderAuto, "", `<a href="big.jpg">x</a><script src="app.js"></script>`, false},
		{"auto, no script", RenderAuto, "", `<p>nothing</p>`, false},
		{"auto, matched", RenderAuto, "/gallery/", `<img src="a.png">`, true},
		{"auto, not matched", RenderAuto, "/albums/", `<img src="a.png"><script></script>`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Config{Render: tc.mode, RenderMatch: tc.match, Browser: "sh"}.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			c := &Crawler{s: s}
			ex, err := extract.Options{}.HTML(strings.NewReader(tc.html), "text/html", page)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.shouldRender(page, []byte(tc.html), ex); got != tc.want {
				t.Errorf("shouldRender = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRenderSrcsetLargest renders a page whose script inserts an image with
// a srcset: with --srcset largest only the largest candidate is saved,
// not also the one the browser picked for its window.
func TestRenderSrcsetLargest(t *testing.T) {
	needBrowser(t)
	var mu sync.Mutex
	hits := map[string]int{}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><script>
const i = document.createElement('img');
i.srcset = '/small.png 100w, /big.png 4000w'; i.sizes = '10px';
document.body.appendChild(i);
</script></body></html>`)
	})
	mux.HandleFunc("/robots.txt", http.NotFound)
	for _, p := range []string{"/small.png", "/big.png"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			hits[r.URL.Path]++
			mu.Unlock()
			http.NotFound(w, r)
		})
	}
	base, stop := testsite.Serve(listen(t, "127.0.0.1:0"), mux)
	defer stop()
	c, err := New(Config{Seeds: []string{base + "/"}, Depth: SeedsOnly, Out: t.TempDir(), Manifest: "-",
		Render: RenderOn, Srcset: SrcsetLargest})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits["/big.png"] != 1 || hits["/small.png"] != 0 {
		t.Errorf("requests %v; want /big.png once and /small.png never", hits)
	}
}
