package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// exitSite serves a page naming a good and a missing image, a 404, and an
// image that redirects to another loopback address (127.0.0.2), which the
// address policy refuses unless --allow-private.
func exitSite(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on a second loopback address: %v", err)
	}
	other := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/b.png" {
			http.NotFound(w, r)
			return
		}
		w.Write(tinyPNG)
	})}}
	other.Start()
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<img src="/a.png"><img src="/missing.png">`)
		case "/a.png":
			w.Write(tinyPNG)
		case "/moved.png":
			http.Redirect(w, r, other.URL+"/b.png", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// tinyPNG is a 1x1 PNG.
var tinyPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x01\x00\x18\xdd\x8d\xb0\x00\x00\x00\x00IEND\xaeB`\x82")

func TestExitStatus(t *testing.T) {
	base := exitSite(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"seed 404", []string{"crawl", base + "/nope"}, exitFatal,
			[]string{"no seed could be fetched: " + base + "/nope: status 404 not found", "--fresh to try again"}},
		{"seed refused", []string{"crawl", "--ignore-robots", down + "/"}, exitFatal,
			[]string{"no seed could be fetched: " + down + "/: ", "connection refused"}},
		{"two seeds fail", []string{"crawl", "--state", "none", base + "/nope", base + "/gone"}, exitFatal,
			[]string{"none of the 2 seeds could be fetched:\n  " + base + "/", "/gone: status 404"}},
		{"one seed of two", []string{"crawl", base + "/nope", base + "/"}, exitOK, []string{"errors 2,"}},
		{"failed image", []string{"crawl", base + "/"}, exitOK, []string{"errors 1,"}},
		{"failed image, strict", []string{"crawl", "--strict", base + "/"}, exitFailures,
			[]string{"imgcrawl: --strict: 1 page or image failed"}},
		{"get 404", []string{"get", base + "/missing.png"}, exitFatal,
			[]string{"no URL could be fetched: " + base + "/missing.png: status 404 not found"}},
		{"get one of two", []string{"get", base + "/missing.png", base + "/a.png"}, exitOK, []string{"images 1,"}},
		{"get one of two, strict", []string{"get", "--strict", base + "/missing.png", base + "/a.png"}, exitFailures,
			[]string{"--strict: 1 page or image failed"}},
		{"get refused redirect", []string{"get", base + "/moved.png"}, exitFatal,
			[]string{"no URL could be fetched: " + base + "/moved.png: ", "refused to connect to loopback address",
				"(--allow-private allows it)"}},
		{"get allowed redirect", []string{"get", "--allow-private", base + "/moved.png"}, exitOK, []string{"images 1,"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{tc.args[0], "-q", "--retries", "0", "-o", t.TempDir()}, tc.args[1:]...)
			code, _, stderr := runCLI(t, "", args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if tc.code == exitFatal && strings.Count(stderr, "status 404") > strings.Count(strings.Join(tc.args, " "), " ") {
				t.Errorf("a seed's failure is told twice:\n%s", stderr)
			}
		})
	}
}
