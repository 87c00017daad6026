package crawler

import (
	"bytes"
	"context"
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

	"github.com/imgcrawl/imgcrawl/crawler/render"
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
	sum, _ := scriptedCrawl(t, site, RenderOn, "/forbidden.html", Config{Depth: 0, Logger: logger})
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
