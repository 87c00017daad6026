package crawler

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/imgcrawl/imgcrawl/fetch"
)

// TestLinksCannotSteerIntoPrivateNetworks serves a page on 127.0.0.1 whose
// images and redirects point at 127.0.0.2 and other internal addresses. The
// seed's own host is allowed; nothing else internal may be dialed.
func TestLinksCannotSteerIntoPrivateNetworks(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 here: %v", err)
	}
	var internalHits atomic.Int32
	internal := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { internalHits.Add(1) })}}
	internal.Start()
	defer internal.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	targets := []string{
		fmt.Sprintf("http://127.0.0.2:%d/a.png", port),
		fmt.Sprintf("http://[::ffff:127.0.0.2]:%d/b.png", port),
		fmt.Sprintf("http://2130706434:%d/c.png", port),
		"http://169.254.169.254/latest/meta-data/d.png",
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			for _, u := range targets {
				fmt.Fprintf(w, `<img src="%s">`, u)
			}
			fmt.Fprint(w, `<img src="/redirect.png">`)
		case "/redirect.png":
			http.Redirect(w, r, targets[0]+"?via=redirect", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer site.Close()
	var mu sync.Mutex
	refused := 0
	c, err := New(Config{Depth: SeedsOnly, Retries: NoRetries, Seeds: []string{site.URL + "/"}, Out: t.TempDir(), Manifest: "-",
		OnEvent: func(ev Event) {
			var pe *fetch.PolicyError
			if ev.Status == "failed" && errors.As(ev.Err, &pe) {
				mu.Lock()
				refused++
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
	if n := internalHits.Load(); n != 0 {
		t.Errorf("the internal server was reached %d times", n)
	}
	if refused != len(targets)+1 || sum.Images != 0 {
		t.Errorf("%d refusals reported (summary %+v), want %d", refused, sum, len(targets)+1)
	}
	for _, e := range sum.Errors {
		if strings.Contains(e.Error(), "169.254") && !strings.Contains(e.Error(), "refus") {
			t.Errorf("error does not say the address was refused: %s", e)
		}
	}
}
