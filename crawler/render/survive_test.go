package render

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/proctest"
)

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
