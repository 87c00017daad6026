package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/store/state/bolt"
)

// served is a response of cssSite: a type and a body.
type served struct{ ct, body string }

// cssSite serves files by path (gzip-encoded when the path ends in .br.css
// and the request accepts gzip), a small PNG for any other .png path, and
// 404 for the rest, counting every request by its decoded path.
func cssSite(t *testing.T, hits *hitCounter, files map[string]served) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(cssHandler(t, hits, files))
	t.Cleanup(srv.Close)
	return srv
}

func cssHandler(t *testing.T, hits *hitCounter, files map[string]served) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.add(r.URL.Path)
		f, ok := files[r.URL.Path]
		switch {
		case ok && f.ct == "redirect":
			http.Redirect(w, r, f.body, http.StatusMovedPermanently)
		case ok && strings.HasSuffix(r.URL.Path, ".br.css"):
			if !strings.Contains(r.Header.Get("Accept-Encoding"), "br") {
				http.Error(w, "br only", http.StatusNotAcceptable)
				return
			}
			var b bytes.Buffer
			zw := brotli.NewWriter(&b)
			zw.Write([]byte(f.body))
			zw.Close()
			w.Header().Set("Content-Type", f.ct)
			w.Header().Set("Content-Encoding", "br")
			w.Write(b.Bytes())
		case ok:
			w.Header().Set("Content-Type", f.ct)
			if fl, ok := w.(http.Flusher); ok && len(f.body) > 4096 {
				fl.Flush() // no Content-Length: the cap applies while reading
			}
			fmt.Fprint(w, f.body)
		case strings.HasSuffix(r.URL.Path, ".png"):
			w.Header().Set("Content-Type", "image/png")
			h := fnv.New32a()
			h.Write([]byte(r.URL.Path))
			w.Write(tinyPNG(t, int(h.Sum32()^h.Sum32()>>16)))
		default:
			http.NotFound(w, r)
		}
	})
}

// TestStylesheets: the images of linked and imported style sheets are
// saved, resolved against each style sheet's URL, at the depth of the page
// that uses them; every style sheet is fetched once; robots.txt, the
// address policy and the size cap apply; fonts are not requested; the
// encoding comes from the BOM, the Content-Type, @charset or the page.
func TestStylesheets(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 here: %v", err)
	}
	var internalHits hitCounter
	internal := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { internalHits.add(r.URL.Path) })}}
	internal.Start()
	defer internal.Close()
	css := "text/css"
	var hits hitCounter
	srv := cssSite(t, &hits, map[string]served{
		"/robots.txt": {"text/plain", "User-agent: *\nDisallow: /private/\n"},
		"/": {"text/html", `<html><head><link rel=stylesheet href="/a/a.css">
			<link rel="preload" as="style" href="/private/p.css"><link rel=stylesheet href="` + internal.URL + `/evil.css">
			<link rel=stylesheet href="/big.css"><link rel=stylesheet href="/cs.css"><link rel=stylesheet href="/bom.css">
			<link rel=stylesheet href="/page.html"><style>@import "/cycle1.css";</style></head>
			<body><a href="/two">two</a> <a href="/cp.html">cp</a></body></html>`},
		"/two":       {"text/html", `<link rel=stylesheet href="a/a.css"><link rel=stylesheet href="/a/a.css">`},
		"/cp.html":   {"text/html; charset=windows-1251", `<link rel=stylesheet href="/fb.css"><link rel=stylesheet href="/moved.css">`},
		"/moved.css": {"redirect", "/fb2.css"},
		"/fb2.css":   {css, ".q { background: url(\xc4-moved.png) }"},
		"/a/a.css":   {css, `@import "../b/b.br.css"; .a { background: url(a.png) }`},
		"/b/b.br.css": {css, `.x { background: url("img/x.png") } .y { background-image: image-set("img/y.png" 1x, url(img/y2.png) 2x) }
			@font-face { font-family: f; src: url(font.woff2) format("woff2") } .z { cursor: url(hand.cur), auto; background: url(f.woff) }`},
		"/cycle1.css":    {css, `@import "cycle2.css"; .c1 { background: url(c1.png) }`},
		"/cycle2.css":    {css, `@import url(cycle1.css); .c2 { background: url(c2.png) }`},
		"/private/p.css": {css, `.p { background: url(/private.png) }`},
		"/big.css":       {css, ".big { background: url(/big.png) }\n" + strings.Repeat(".r { color: red }\n", 2000)},
		"/cs.css":        {css, "@charset \"windows-1251\"; .q { background: url(\xc6.png) }"},
		"/bom.css":       {"text/css; charset=windows-1252", "\xef\xbb\xbf.q { background: url(\xd0\x91-bom.png) }"},
		"/fb.css":        {css, ".q { background: url(\xc4-page.png) }"},
		"/page.html":     {"text/html", `<img src="/not-from-a-sheet.png">`},
		"/b/font.woff2":  {"font/woff2", "wOF2"},
	})
	var events eventLog
	sum := runOnce(t, Config{Retries: NoRetries, Seeds: []string{srv.URL + "/"}, Depth: 1, Out: t.TempDir(), Manifest: "-",
		MaxStylesheetSize: 8 << 10, OnEvent: events.on})

	for path, want := range map[string]int{
		"/a/a.css": 1, "/a/a.png": 1, "/b/b.br.css": 1, // the same sheet for two pages (and twice in one)
		"/b/img/x.png": 1, "/b/img/y.png": 1, "/b/img/y2.png": 1, // relative to b.css
		"/b/font.woff2": 0, "/b/hand.cur": 0, "/b/f.woff": 0, // not images
		"/cycle1.css": 1, "/cycle2.css": 1, "/c1.png": 1, "/c2.png": 1, // the cycle ends
		"/private/p.css": 0, "/private.png": 0, // robots.txt
		"/big.css": 1, "/big.png": 0, // over the cap: not read
		"/Ж.png": 1, "/Б-bom.png": 1, "/Д-page.png": 1, "/Д-moved.png": 1, // @charset, BOM, the page's encoding
		"/page.html": 1, "/not-from-a-sheet.png": 0, // HTML is not read as a style sheet
	} {
		if got := hits.get(path); got != want {
			t.Errorf("%s requested %d times, want %d", path, got, want)
		}
	}
	if n := internalHits.get("/evil.css"); n != 0 {
		t.Errorf("a style sheet on a refused address was requested %d times", n)
	}
	checkEvent := func(url string, status Status, page string, why func(error) bool) {
		t.Helper()
		ev, ok := events.get(url)
		if !ok || ev.Kind != KindStylesheet || ev.Status != status || ev.Depth != 0 || ev.Page != page || why != nil && !why(ev.Err) {
			t.Errorf("%s: %+v (found %v); want a style sheet %s at depth 0, named by %s", url, ev, ok, status, page)
		}
	}
	checkEvent(srv.URL+"/a/a.css", Parsed, srv.URL+"/", nil)
	checkEvent(srv.URL+"/b/b.br.css", Parsed, srv.URL+"/a/a.css", nil)
	checkEvent(srv.URL+"/private/p.css", Skipped, srv.URL+"/", func(err error) bool { return errors.Is(err, ErrRobots) })
	checkEvent(internal.URL+"/evil.css", Failed, srv.URL+"/", func(err error) bool {
		var pe *fetch.PolicyError
		return errors.As(err, &pe)
	})
	checkEvent(srv.URL+"/big.css", Failed, srv.URL+"/", func(err error) bool {
		var te *fetch.TooLargeError
		return errors.As(err, &te)
	})
	checkEvent(srv.URL+"/page.html", Skipped, srv.URL+"/", func(err error) bool {
		return err != nil && strings.Contains(err.Error(), "text/html")
	})
	if ev, _ := events.get(srv.URL + "/b/img/x.png"); ev.Status != Saved || ev.Depth != 0 || ev.Page != srv.URL+"/b/b.br.css" {
		t.Errorf("x.png: %+v; want saved at depth 0, named by b.br.css", ev)
	}
	if sum.Pages != 3 || sum.Stylesheets != 8 || sum.Images != 10 {
		t.Errorf("summary %+v: want 3 pages, 8 style sheets read, 10 images", sum)
	}
}

// TestStylesheetsAtSeedDepth: at depth 0 a seed's style sheets, and
// theirs, are read: they add no hop.
func TestStylesheetsAtSeedDepth(t *testing.T) {
	var hits hitCounter
	srv := cssSite(t, &hits, map[string]served{
		"/":      {"text/html", `<link rel=stylesheet href="/1.css"><a href="/next">x</a>`},
		"/next":  {"text/html", `<link rel=stylesheet href="/n.css">`},
		"/1.css": {"text/css", `@import "2.css";`},
		"/2.css": {"text/css", `body { background: url(deep.png) }`},
	})
	runOnce(t, Config{Retries: NoRetries, Seeds: []string{srv.URL + "/"}, Depth: SeedsOnly, Out: t.TempDir(), Manifest: "-"})
	for path, want := range map[string]int{"/1.css": 1, "/2.css": 1, "/deep.png": 1, "/next": 0, "/n.css": 0} {
		if got := hits.get(path); got != want {
			t.Errorf("%s requested %d times, want %d", path, got, want)
		}
	}
}

// TestStylesheetsResume: a crawl stopped after a style sheet was read and
// while the one it imports was being fetched resumes from its bbolt state
// with the import, without fetching the page or the first sheet again.
func TestStylesheetsResume(t *testing.T) {
	release := make(chan struct{})
	var hits hitCounter
	site := cssHandler(t, &hits, map[string]served{
		"/":      {"text/html", `<link rel=stylesheet href="/a.css">`},
		"/a.css": {"text/css", `@import "b.css"; .a { background: url(a.png) }`},
		"/b.css": {"text/css", `.b { background: url(b.png) }`},
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/b.css" {
			select { // held until the second run
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	cfg := Config{Depth: SeedsOnly, Retries: NoRetries, Seeds: []string{srv.URL + "/"}, Out: dir, Manifest: "-"}

	st, err := bolt.Open(path, bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := cfg
	first.State = st
	first.OnEvent = func(ev Event) {
		if ev.URL == srv.URL+"/a.css" && ev.Status == Parsed {
			cancel() // b.css is queued, or held by the server
		}
	}
	c, err := New(first)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("first run: %v, want it cancelled", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if hits.get("/b.png") != 0 {
		t.Fatal("b.css was read in the first run: the test did not stop it in time")
	}
	close(release)
	hits.reset()

	if st, err = bolt.Open(path, bolt.Options{NoSync: true}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg.State = st
	sum := runOnce(t, cfg)
	for path, want := range map[string]int{"/": 0, "/a.css": 0, "/b.css": 1, "/b.png": 1} {
		if got := hits.get(path); got != want {
			t.Errorf("second run: %s requested %d times, want %d", path, got, want)
		}
	}
	if !sum.Resumed || sum.Stylesheets != 1 {
		t.Errorf("second run: %+v, want resumed with 1 style sheet read", sum)
	}
}
