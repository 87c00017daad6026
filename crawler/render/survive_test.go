package render

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/proctest"
)

// browserProcs returns this test process's browser processes: with
// renderers, only those whose --type is typ ("" = the browser itself).
func browserProcs(t *testing.T, typ string) []proctest.Proc {
	t.Helper()
	procs, ok := proctest.Descendants(os.Getpid())
	if !ok {
		t.Skip("cannot list processes here")
	}
	var out []proctest.Proc
	for _, p := range procs {
		if len(p.Cmdline) == 0 || !strings.Contains(p.Cmdline[0], "chrom") {
			continue
		}
		got := ""
		// Chromium's children rewrite their command line into one string.
		for _, a := range strings.Fields(strings.Join(p.Cmdline, " ")) {
			if v, ok := strings.CutPrefix(a, "--type="); ok {
				got = v
			}
		}
		if got == typ {
			out = append(out, p)
		}
	}
	return out
}

// noBrowserLeft fails the test when a browser process of this test
// process is still running (after a grace period for their exit).
func noBrowserLeft(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return
	}
	var left []proctest.Proc
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		procs, _ := proctest.Descendants(os.Getpid())
		left = left[:0]
		for _, p := range procs {
			if len(p.Cmdline) > 0 && strings.Contains(p.Cmdline[0], "chrom") {
				left = append(left, p)
			}
		}
		if len(left) == 0 {
			return
		}
	}
	t.Errorf("browser processes left after Close: %v", left)
}

// killWhenAsked serves a page whose script the server holds until the
// test has killed a process (kill); the second try gets it at once.
func TestRenderSurvivesCrashes(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("kills processes found in /proc")
	}
	for _, tc := range []struct {
		name, victim string // the --type of the process killed: "" the browser, "renderer" the tab's
	}{
		{"browser killed", ""},
		{"renderer killed", "renderer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var scriptHits atomic.Int32
			mux := http.NewServeMux()
			mux.HandleFunc("/slow.js", func(w http.ResponseWriter, r *http.Request) {
				if scriptHits.Add(1) == 1 {
					victims := browserProcs(t, tc.victim)
					if len(victims) == 0 {
						all, _ := proctest.Descendants(os.Getpid())
						t.Errorf("no %q process to kill among %d: %v", tc.victim, len(all), all)
					}
					for _, p := range victims {
						syscall.Kill(p.PID, syscall.SIGKILL)
					}
				}
				w.Header().Set("Content-Type", "text/javascript")
				fmt.Fprint(w, `const i = document.createElement('img'); i.src = '/after.png'; document.body.appendChild(i);`)
			})
			srv := httptest.NewServer(mux)
			defer srv.Close()
			r := newTestRenderer(t, nil)
			res := render(t, r, srv.URL, "/", `<html><body><script src="/slow.js"></script></body></html>`)
			if res.Tries != 2 || !slices.Contains(res.Images, srv.URL+"/after.png") {
				t.Errorf("tries %d, images %q; want 2 tries and /after.png", res.Tries, res.Images)
			}
			// The renderer still works, with the same browser.
			res = render(t, r, srv.URL, "/again", `<html><body><img src="/again.png"></body></html>`)
			if res.Tries != 1 || !slices.Contains(res.Images, srv.URL+"/again.png") {
				t.Errorf("next page: tries %d, images %q", res.Tries, res.Images)
			}
			r.Close()
			noBrowserLeft(t)
		})
	}
}

// TestRenderGivesUpOnAHangingPage renders a page whose script never ends:
// it is tried twice, then fails with a reason, in bounded time; the
// renderer goes on with the next page.
func TestRenderGivesUpOnAHangingPage(t *testing.T) {
	needBrowser(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	r, err := New(Config{Load: httpLoader, PageTimeout: 3 * time.Second, Quiet: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	_, err = r.Render(ctx, Page{URL: srv.URL + "/hang", Body: []byte(`<html><body><script>for (;;) {}</script></body></html>`)})
	if err == nil || !strings.Contains(err.Error(), "did not finish loading in time") || !strings.Contains(err.Error(), "tried twice") {
		t.Fatalf("error %v, want a hang reported after two tries", err)
	}
	if d := time.Since(start); d > 40*time.Second {
		t.Errorf("giving up took %s", d)
	}
	res, err := r.Render(ctx, Page{URL: srv.URL + "/ok", Body: []byte(`<html><body><img src="/ok.png"></body></html>`)})
	if err != nil || !slices.Contains(res.Images, srv.URL+"/ok.png") {
		t.Errorf("next page: %v, %q", err, res.Images)
	}
	r.Close()
	noBrowserLeft(t)
}
