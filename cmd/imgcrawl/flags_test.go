package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/cliflags"
	"github.com/imgcrawl/imgcrawl/internal/humanize"
	"github.com/imgcrawl/imgcrawl/internal/options"
	redisstate "github.com/imgcrawl/imgcrawl/store/state/redis"
)

// parseCLI parses args as run does, with lookupEnv for the environment
// variables, and runs no command: c holds the flags and arguments.
func parseCLI(t *testing.T, lookupEnv func(string) (string, bool), args ...string) (c *cli, root *cliflags.Node, err error) {
	t.Helper()
	c = new(cli)
	root, err = cliflags.Build("imgcrawl", "", c, defaultVars(), "IMGCRAWL")
	if err != nil {
		t.Fatal(err)
	}
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	err = cliflags.Execute(root, args, io.Discard, lookupEnv, func(any) error { return nil })
	return c, root, err
}

// TestFlagDefaultsAreTheLibrarys parses a bare command line: every flag
// that has a library default gets it from the library.
func TestFlagDefaultsAreTheLibrarys(t *testing.T) {
	c, _, err := parseCLI(t, nil, "crawl", "http://127.0.0.1/")
	if err != nil {
		t.Fatal(err)
	}
	f, s := c.Crawl.fetchFlags, c.Crawl.storeFlags
	for _, d := range []struct {
		name      string
		got, want any
	}{
		{"--concurrency", f.Concurrency, crawler.DefaultConcurrency},
		{"--per-host", f.PerHost, crawler.DefaultPerHost},
		{"--retries", f.Retries, crawler.DefaultRetries},
		{"--max-retry-wait", time.Duration(f.MaxRetryWait), crawler.DefaultMaxRetryWait},
		{"--max-redirects", f.MaxRedirects, crawler.DefaultMaxRedirects},
		{"--max-page-size", int64(f.MaxPageSize), int64(crawler.DefaultMaxPageSize)},
		{"--max-size", int64(s.MaxSize), int64(crawler.DefaultMaxSize)},
		{"--redis-lease", s.RedisLease, redisstate.DefaultLease},
	} {
		if d.got != d.want {
			t.Errorf("%s defaults to %v, the library's default is %v", d.name, d.got, d.want)
		}
	}
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{10 * time.Minute, "10m"}, {30 * time.Second, "30s"}, {2 * time.Hour, "2h"}, {90 * time.Second, "1m30s"}} {
		if got := humanize.Exact(tc.d); got != tc.want {
			t.Errorf("humanize.Exact(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	for _, n := range []int64{0, 1, 1000, 64 << 10, 16 << 20, 3 << 30, 1<<20 + 1} {
		if got, err := options.ParseByteSize(options.FormatByteSize(n)); err != nil || got != n {
			t.Errorf("ParseByteSize(FormatByteSize(%d)) = %d, %v", n, got, err)
		}
	}
}

// TestRetriesFlag: a page that always answers 503 is asked 1+3 times by
// default and once with --retries 0 (and, the only seed, fails the crawl).
func TestRetriesFlag(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		requests int32
	}{
		{"default", nil, 1 + 3},
		{"--retries 0", []string{"--retries", "0"}, 1},
		{"--retries 1", []string{"--retries", "1"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					http.NotFound(w, r)
					return
				}
				hits.Add(1)
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusServiceUnavailable)
			}))
			defer srv.Close()
			args := append([]string{"crawl", "-q", "--state", "none", "-o", t.TempDir()}, tc.args...)
			code, _, stderr := runCLI(t, "", append(args, srv.URL+"/")...)
			if code != exitFatal || hits.Load() != tc.requests || !strings.Contains(stderr, "errors 1,") ||
				!strings.Contains(stderr, "no seed could be fetched") {
				t.Errorf("exit %d after %d requests, want 1 (no seed fetched) after %d and one error; stderr:\n%s",
					code, hits.Load(), tc.requests, stderr)
			}
		})
	}
}

// TestBadFlagTouchesNoStoredState: a flag the crawler rejects is reported
// before the state is opened, so --fresh has discarded nothing.
func TestBadFlagTouchesNoStoredState(t *testing.T) {
	_, base := slowSite(t)
	out := t.TempDir()
	if code, _, stderr := runCLI(t, "", "crawl", "-q", "-d", "0", "-o", out, base+"/"); code != 0 {
		t.Fatalf("first crawl: exit %d\n%s", code, stderr)
	}
	path := filepath.Join(out, ".imgcrawl", "state.db") // where users find it: a file format
	before, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no state at the documented place: %v", err)
	}
	code, _, stderr := runCLI(t, "", "crawl", "-q", "--fresh", "--depth=-1", "-o", out, base+"/")
	if code != exitUsage || strings.Contains(stderr, "discarding") {
		t.Fatalf("--fresh with a bad flag: exit %d, want %d and nothing discarded:\n%s", code, exitUsage, stderr)
	}
	after, err := os.Stat(path)
	if err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("the stored state was touched: %v", err)
	}
	code, stdout, _ := runCLI(t, "", "status", "-o", out)
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("state:      %s", path)) {
		t.Errorf("status does not read the default state: exit %d\n%s", code, stdout)
	}
}

// TestRepeatableFlagsTakeOneValuePerUse: a comma inside a regexp or a
// header value is part of the value, on the command line and in an
// IMGCRAWL_* environment default; --accept alone is a comma list.
func TestRepeatableFlagsTakeOneValuePerUse(t *testing.T) {
	t.Setenv("IMGCRAWL_EXCLUDE", "/a{1,2}/")
	c, root, err := parseCLI(t, os.LookupEnv, "crawl", "--include", "/(sub){1,2}/", "--include", "x,y",
		"-H", "Accept: image/webp,image/png", "--accept", "png,jpeg", "http://127.0.0.1/")
	if err != nil {
		t.Fatal(err)
	}
	cc := c.Crawl
	for _, d := range []struct {
		name      string
		got, want []string
	}{
		{"--include", cc.Include, []string{"/(sub){1,2}/", "x,y"}},
		{"IMGCRAWL_EXCLUDE", cc.Exclude, []string{"/a{1,2}/"}},
		{"--header", cc.Header, []string{"Accept: image/webp,image/png"}},
	} {
		if fmt.Sprint(d.got) != fmt.Sprint(d.want) || len(d.got) != len(d.want) {
			t.Errorf("%s = %q, want %q", d.name, d.got, d.want)
		}
	}
	var cfg crawler.Config
	if err := cc.fetchFlags.Apply(&cfg); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if got := cfg.Fetch.Header.Get("Accept"); got != "image/webp,image/png" {
		t.Errorf("Accept header %q", got)
	}
	if err := cc.storeFlags.apply(&cfg, "mirror"); err != nil || !cfg.Accept["png"] || !cfg.Accept["jpeg"] {
		t.Errorf("--accept png,jpeg: %v %v", cfg.Accept, err)
	}
	// Every repeatable flag of every command: one value per use.
	var walk func(n *cliflags.Node)
	walk = func(n *cliflags.Node) {
		for _, f := range n.Flags {
			if f.Value.Sep() != "" {
				t.Errorf("%s --%s splits its value on %q: add sep:\"none\"", n.Name, f.Name, f.Value.Sep())
			}
		}
		for _, ch := range n.Children {
			walk(ch)
		}
	}
	walk(root)
}

// TestSkipExtFlag: --skip-ext defaults to the library's list, replaces it
// when given, requests every link when empty, and rejects a bad entry.
func TestSkipExtFlag(t *testing.T) {
	c, _, err := parseCLI(t, nil, "crawl", "http://127.0.0.1/")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := options.SplitList(c.Crawl.SkipExt), crawler.DefaultSkipExtensions(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("--skip-ext defaults to %v, the library's default is %v", got, want)
	}
	for _, tc := range []struct {
		name      string
		args      []string
		zip, page int32
	}{
		{"default", nil, 0, 1},
		{"empty", []string{"--skip-ext", ""}, 1, 1},
		{"replaced", []string{"--skip-ext", "html, .HTM"}, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var zip, page atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/":
					w.Header().Set("Content-Type", "text/html")
					fmt.Fprint(w, `<a href="/all.zip">zip</a> <a href="/next.html">next</a>`)
				case "/all.zip":
					zip.Add(1)
					w.Header().Set("Content-Type", "application/zip")
				case "/next.html":
					page.Add(1)
					w.Header().Set("Content-Type", "text/html")
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			args := append([]string{"crawl", "-q", "--state", "none", "-o", t.TempDir()}, tc.args...)
			code, _, stderr := runCLI(t, "", append(args, srv.URL+"/")...)
			if code != 0 || zip.Load() != tc.zip || page.Load() != tc.page {
				t.Errorf("exit %d, zip requested %d times, page %d; want 0, %d, %d; stderr:\n%s",
					code, zip.Load(), page.Load(), tc.zip, tc.page, stderr)
			}
		})
	}
	code, _, stderr := runCLI(t, "", "crawl", "-o", t.TempDir(), "--skip-ext", ".tar.gz", "http://127.0.0.1/")
	if code != exitUsage || !strings.Contains(stderr, `--skip-ext: ".tar.gz" is not a file extension`) {
		t.Errorf("a bad --skip-ext: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestSrcsetFlag: --srcset largest requests only the largest candidate of
// a srcset; by default every candidate is requested.
func TestSrcsetFlag(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		if r.URL.Path == "/" {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<img src="/s.png" srcset="/a.png 1x, /b.png 2x">`)
			return
		}
		w.Header().Set("Content-Type", "image/png")
	}))
	defer srv.Close()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "/s.png /a.png /b.png"},
		{[]string{"--srcset", "all"}, "/s.png /a.png /b.png"},
		{[]string{"--srcset", "largest"}, "/b.png"},
	} {
		mu.Lock()
		clear(hits)
		mu.Unlock()
		args := append([]string{"crawl", "-q", "--state", "none", "-o", t.TempDir()}, tc.args...)
		code, _, stderr := runCLI(t, "", append(args, srv.URL+"/")...)
		mu.Lock()
		var got []string
		for _, p := range []string{"/s.png", "/a.png", "/b.png"} {
			if hits[p] > 0 {
				got = append(got, p)
			}
		}
		mu.Unlock()
		if code != 0 || strings.Join(got, " ") != tc.want {
			t.Errorf("%v: exit %d, requested %v, want %s; stderr:\n%s", tc.args, code, got, tc.want, stderr)
		}
	}
}

// TestSitemapsFlag: --sitemaps reads the sitemap robots.txt names and
// crawls the page it lists, which no link reaches, and says what the
// sitemaps gave; without it the sitemap is never requested.
func TestSitemapsFlag(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "Sitemap: /map.xml\n")
		case "/map.xml":
			fmt.Fprint(w, `<urlset xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>/unlinked</loc><image:image><image:loc>/listed.png</image:loc></image:image></url></urlset>`)
		case "/listed.png":
			w.Header().Set("Content-Type", "image/png")
		default:
			w.Header().Set("Content-Type", "text/html")
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		args    []string
		want    string // paths requested
		summary string
	}{
		{nil, "", ""},
		{[]string{"--sitemaps"}, "/map.xml /unlinked /listed.png", "sitemaps: 1 read, 0 failed; pages 1, images 1, off scope 0\n"},
	} {
		mu.Lock()
		clear(hits)
		mu.Unlock()
		args := append([]string{"crawl", "-q", "--state", "none", "-o", t.TempDir()}, tc.args...)
		code, _, stderr := runCLI(t, "", append(args, srv.URL+"/")...)
		mu.Lock()
		var got []string
		for _, p := range []string{"/map.xml", "/sitemap.xml", "/unlinked", "/listed.png"} {
			if hits[p] > 0 {
				got = append(got, p)
			}
		}
		mu.Unlock()
		if code != 0 || strings.Join(got, " ") != tc.want || tc.summary != "" && !strings.Contains(stderr, tc.summary) {
			t.Errorf("%v: exit %d, requested %v, want %q; stderr:\n%s", tc.args, code, got, tc.want, stderr)
		}
		if tc.summary == "" && strings.Contains(stderr, "sitemaps:") {
			t.Errorf("%v: the summary mentions sitemaps:\n%s", tc.args, stderr)
		}
	}
}
