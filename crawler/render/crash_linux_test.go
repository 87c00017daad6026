package render

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
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

// TestRenderSurvivesCrashes kills the browser, or the tab's renderer, while
// the page's script is being served: the page is loaded again in a fresh
// tab (and browser), and the renderer goes on.
func TestRenderSurvivesCrashes(t *testing.T) {
	needBrowser(t)
	for _, tc := range []struct {
		name, victim string // the --type of the process killed: "" the browser, "renderer" the tab's
	}{
		{"browser killed", ""},
		{"renderer killed", "renderer"},
		{"browser frozen", "stop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var scriptHits atomic.Int32
			mux := http.NewServeMux()
			mux.HandleFunc("/slow.js", func(w http.ResponseWriter, r *http.Request) {
				if scriptHits.Add(1) == 1 {
					typ, sig := tc.victim, syscall.SIGKILL
					if typ == "stop" {
						typ, sig = "", syscall.SIGSTOP
					}
					victims := browserProcs(t, typ)
					if len(victims) == 0 {
						all, _ := proctest.Descendants(os.Getpid())
						t.Errorf("no %q process to kill among %d: %v", tc.victim, len(all), all)
					}
					for _, p := range victims {
						syscall.Kill(p.PID, sig)
					}
				}
				w.Header().Set("Content-Type", "text/javascript")
				fmt.Fprint(w, `const i = document.createElement('img'); i.src = '/after.png'; document.body.appendChild(i);`)
			})
			srv := httptest.NewServer(mux)
			defer srv.Close()
			r := newTestRenderer(t, nil)
			r.cfg.PageTimeout = 8 * time.Second
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
