package crawler

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store"
)

// TestRemoveTempDuringRun stalls an image half way and calls RemoveTemp
// while Run runs: the image's temp file (named ones; an anonymous one has
// no name to remove) is gone, another process's temp file is not.
func TestRemoveTempDuringRun(t *testing.T) {
	img := bigPNG(t, 256<<10)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<img src="/big.png">`))
		case "/big.png":
			w.Header().Set("Content-Length", strconv.Itoa(len(img)))
			w.Write(img[:len(img)/2])
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	out := t.TempDir()
	c, err := New(Config{Depth: SeedsOnly, Retries: NoRetries, Seeds: []string{srv.URL + "/"}, Out: out, Manifest: "-"})
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(out, store.PrivateDir, "tmp")
	other := filepath.Join(tmp, "img-otherprocess.part")
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.Run(ctx); done <- err }()
	defer func() { close(release); cancel(); <-done }()

	for deadline := time.Now().Add(5 * time.Second); !tempInUse(tmp, other); {
		if time.Now().After(deadline) {
			t.Fatal("the image's temp file never appeared")
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.RemoveTemp()
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); !slices.Equal(left, []string{other}) {
		t.Errorf("after RemoveTemp the temp folder holds %v, want only %s", left, other)
	}
}

// tempInUse reports whether the crawl has a temp file open in dir: a named
// one (other than skip) or an anonymous one (seen in /proc/self/fd).
func tempInUse(dir, skip string) bool {
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(slices.DeleteFunc(names, func(n string) bool { return n == skip })) > 0 {
		return true
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil &&
			strings.HasPrefix(target, dir+string(filepath.Separator)) {
			return true
		}
	}
	return false
}
