package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler/render"
	"github.com/imgcrawl/imgcrawl/internal/proctest"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// TestRenderBrowserDiesWithCrawl stops a crawl while the browser renders a
// page, by Ctrl-C and by kill -9: no browser process outlives imgcrawl.
func TestRenderBrowserDiesWithCrawl(t *testing.T) {
	if _, err := render.FindBrowser(""); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI: %v", err)
		}
		t.Skip(err)
	}
	bin := redisBuildCLI(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			held := make(chan struct{}, 1)
			release := make(chan struct{})
			mux := http.NewServeMux()
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				fmt.Fprint(w, `<html><body><script src="/held.js"></script></body></html>`)
			})
			mux.HandleFunc("/held.js", func(w http.ResponseWriter, r *http.Request) {
				select {
				case held <- struct{}{}:
				default:
				}
				select { // held until the test ends
				case <-release:
				case <-r.Context().Done():
				}
			})
			base, stop := testsite.Serve(listen(t), mux)
			defer stop()
			defer close(release)
			cmd := exec.Command(bin, "crawl", "-q", "--render", "-o", t.TempDir(), base+"/")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			select {
			case <-held:
			case <-time.After(time.Minute):
				t.Fatalf("the browser never asked for the script; stderr:\n%s", stderr.String())
			}
			procs, _ := proctest.Descendants(cmd.Process.Pid)
			var browser []int
			for _, p := range procs {
				if len(p.Cmdline) > 0 && strings.Contains(p.Cmdline[0], "chrom") {
					browser = append(browser, p.PID)
				}
				// A browser killed with its parent leaves its profile
				// folder in $TMPDIR: nothing is left to remove it.
				for _, a := range strings.Fields(strings.Join(p.Cmdline, " ")) {
					if dir, ok := strings.CutPrefix(a, "--user-data-dir="); ok && strings.Contains(dir, "chromedp-runner") {
						t.Cleanup(func() { os.RemoveAll(dir) })
					}
				}
			}
			if len(browser) == 0 {
				t.Fatalf("no browser process under imgcrawl: %v", procs)
			}
			cmd.Process.Signal(sig)
			cmd.Wait()
			var alive []int
			for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				alive = alive[:0]
				for _, pid := range browser {
					if ok, _ := proctest.Alive(pid); ok {
						alive = append(alive, pid)
					}
				}
				if len(alive) == 0 {
					break
				}
			}
			if len(alive) > 0 {
				for _, pid := range alive {
					syscall.Kill(pid, syscall.SIGKILL)
				}
				t.Fatalf("%d of %d browser processes outlived imgcrawl (%s): %v", len(alive), len(browser), sig, alive)
			}
		})
	}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
