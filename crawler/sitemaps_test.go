package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// gzipped returns b compressed with gzip.
func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sitemapSite serves a site whose robots.txt names a sitemap index. The
// index lists a plain sitemap (pages, images with the prefix "pic", an
// off-scope page on other, a .pdf), a gzipped one served as a .gz file,
// one served with Content-Encoding gzip, a malformed one, a gzip bomb, one
// robots.txt disallows, and one that is missing. Pages and images answer
// at any other path; the seed page links nowhere.
func sitemapSite(t *testing.T, hits *hitCounter, other string) *httptest.Server {
	t.Helper()
	const imgNS = `xmlns:pic="http://www.google.com/schemas/sitemap-image/1.1"`
	plain := `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" ` + imgNS + `>
 <url><loc>/p1</loc><pic:image><pic:loc>/img/a.png</pic:loc></pic:image><pic:image><pic:loc>` + other + `/img/cdn.png</pic:loc></pic:image></url>
 <url><loc>` + other + `/offsite</loc><pic:image><pic:loc>/img/of-offsite.png</pic:loc></pic:image></url>
 <url><loc>/manual.pdf</loc></url>
 <url><loc>/img/listed.png</loc></url>
</urlset>`
	gz := gzipped(t, []byte(`<urlset `+imgNS+`><url><loc>/p2</loc><pic:image><pic:loc>/img/b.png</pic:loc></pic:image></url></urlset>`))
	enc := gzipped(t, []byte(`<urlset><url><loc>/p3</loc></url></urlset>`))
	// 16 MiB of comment in one gzip member of about 16 KiB: small on the
	// wire, so only the cap on the decompressed size can stop it.
	bomb := gzipped(t, []byte(`<urlset><url><loc>/p4</loc></url><!--`))
	bomb = append(bomb, gzipped(t, bytes.Repeat([]byte("a"), 16<<20))...)
	bomb = append(bomb, gzipped(t, []byte(`--></urlset>`))...)
	if len(bomb) >= 64<<10 {
		t.Fatalf("the bomb is %d bytes on the wire: it must be well under the 1 MiB cap", len(bomb))
	}
	var n atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /maps/private.xml\n\nSitemap: /maps/index.xml\n")
	})
	mux.HandleFunc("/maps/index.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		for _, f := range []string{"plain.xml", "more.xml.gz", "enc.xml", "broken.xml", "bomb.xml.gz", "private.xml", "gone.xml"} {
			fmt.Fprintf(w, "<sitemap><loc>%s</loc></sitemap>", f)
		}
		fmt.Fprint(w, `</sitemapindex>`)
	})
	mux.HandleFunc("/maps/plain.xml", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, plain) })
	mux.HandleFunc("/maps/more.xml.gz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/gzip")
		w.Write(gz)
	})
	mux.HandleFunc("/maps/enc.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(enc)
	})
	mux.HandleFunc("/maps/broken.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<urlset><url><loc>/p5</loc></url><url><loc>/p6</lo></url></urlset>`)
	})
	mux.HandleFunc("/maps/bomb.xml.gz", func(w http.ResponseWriter, r *http.Request) { w.Write(bomb) })
	mux.HandleFunc("/maps/", http.NotFound)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/img/") {
			w.Header().Set("Content-Type", "image/png")
			w.Write(tinyPNG(t, int(n.Add(1))))
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<title>%s</title>`, r.URL.Path)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.add(r.URL.Path)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runSitemaps runs a crawl of cfg to its end with sitemaps capped at 1 MiB
// (not SitemapMaxBytes: the bomb's first 50 MiB would take long to parse).
func runSitemaps(t *testing.T, cfg Config) Summary {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.sitemapMaxBytes = 1 << 20
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestSitemaps: with Sitemaps, the sitemap index robots.txt names is read
// with every file it lists, plain and gzipped (as a .gz body and as a
// Content-Encoding): the pages they list are crawled as depth-0 pages, their
// images saved, wherever they are; an off-scope page and one in the skip
// list are dropped and counted; a malformed file and a gzip bomb are logged
// by URL and the crawl goes on with what they held before the fault; a
// file robots.txt disallows is not requested. Without Sitemaps none of it
// is requested.
func TestSitemaps(t *testing.T) {
	var hits, otherHits hitCounter
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.add(r.URL.Path)
		w.Header().Set("Content-Type", "image/png")
		w.Write(tinyPNG(t, 99))
	}))
	defer other.Close()
	srv := sitemapSite(t, &hits, other.URL)

	var logs lockedBuffer
	var events eventLog
	sum := runSitemaps(t, Config{Retries: NoRetries, Seeds: []string{srv.URL + "/"}, Depth: SeedsOnly, Out: t.TempDir(), Manifest: "-",
		Sitemaps: true, OnEvent: events.on,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	for _, p := range []string{"/p1", "/p2", "/p3", "/p4", "/p5"} {
		if ev, _ := events.get(srv.URL + p); ev.Status != Parsed || ev.Depth != 0 {
			t.Errorf("%s, listed in a sitemap: %s at depth %d (%v); want parsed at depth 0", p, ev.Status, ev.Depth, ev.Err)
		}
	}
	for _, im := range []string{srv.URL + "/img/a.png", srv.URL + "/img/b.png", srv.URL + "/img/listed.png", other.URL + "/img/cdn.png"} {
		if ev, _ := events.get(im); ev.Status != Saved {
			t.Errorf("%s, listed in a sitemap: %s (%v); want saved", im, ev.Status, ev.Err)
		}
	}
	if ev, _ := events.get(srv.URL + "/img/a.png"); ev.Page != srv.URL+"/p1" {
		t.Errorf("an image entry's page is %q, want the page it is listed under", ev.Page)
	}
	for _, p := range []string{"/p6", "/manual.pdf", "/img/of-offsite.png", "/maps/private.xml", "/sitemap.xml"} {
		if hits.get(p) != 0 {
			t.Errorf("%s requested %d times; want never", p, hits.get(p))
		}
	}
	if otherHits.get("/offsite") != 0 {
		t.Error("an off-scope page listed in a sitemap was requested")
	}
	want := SitemapCounts{Files: 4, Failed: 4, Pages: 5, Images: 4, OffScope: 2}
	if sum.Sitemaps != want {
		t.Errorf("Summary.Sitemaps = %+v, want %+v", sum.Sitemaps, want)
	}
	out := logs.String()
	for _, w := range []string{
		"url=" + srv.URL + "/maps/broken.xml err=\"extract: XML syntax error on line 1: element <loc> closed by </lo>\"",
		"url=" + srv.URL + "/maps/bomb.xml.gz err=\"fetch: " + srv.URL + "/maps/bomb.xml.gz: body exceeds the 1048576-byte limit\"",
		"url=" + srv.URL + "/maps/private.xml err=\"disallowed by robots.txt\"",
		"url=" + srv.URL + "/maps/gone.xml err=",
	} {
		if !strings.Contains(out, "msg=\"sitemap not read\" "+w) {
			t.Errorf("the log does not say %s:\n%s", w, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 4 {
		t.Errorf("%d log lines, want one per file not read:\n%s", n, out)
	}

	hits.reset()
	runOnce(t, Config{Depth: SeedsOnly, Retries: NoRetries, Seeds: []string{srv.URL + "/"}, Out: t.TempDir(), Manifest: "-"})
	for _, p := range []string{"/maps/index.xml", "/sitemap.xml", "/p1", "/img/a.png"} {
		if hits.get(p) != 0 {
			t.Errorf("without Sitemaps, %s was requested", p)
		}
	}
}

// TestSitemapFallback: a host whose robots.txt names no sitemap has its
// /sitemap.xml read; a missing one is no error, whether it answers 404 or
// a page.
func TestSitemapFallback(t *testing.T) {
	var hits hitCounter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.add(r.URL.Path)
		switch r.URL.Path {
		case "/sitemap.xml":
			fmt.Fprint(w, `<urlset><url><loc>/hidden</loc></url></urlset>`)
		case "/robots.txt":
			http.NotFound(w, r)
		case "/pic.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(tinyPNG(t, 1))
		default:
			w.Header().Set("Content-Type", "text/html")
			if r.URL.Path == "/hidden" {
				fmt.Fprint(w, `<img src="/pic.png">`)
			}
		}
	}))
	defer srv.Close()
	sum := runOnce(t, Config{Depth: SeedsOnly, Retries: NoRetries, Seeds: []string{srv.URL + "/"}, Out: t.TempDir(), Manifest: "-", Sitemaps: true})
	if hits.get("/hidden") != 1 || hits.get("/pic.png") != 1 || sum.Images != 1 {
		t.Errorf("/hidden requested %d times, its image %d, %d saved; want each once",
			hits.get("/hidden"), hits.get("/pic.png"), sum.Images)
	}
	if want := (SitemapCounts{Files: 1, Pages: 1}); sum.Sitemaps != want {
		t.Errorf("Summary.Sitemaps = %+v, want %+v", sum.Sitemaps, want)
	}

	for name, soft := range map[string]bool{"404": false, "a page for every path": true} {
		missing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/" && !soft {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!DOCTYPE html><html><body>Welcome</body></html>")
		}))
		var logs lockedBuffer
		sum = runOnce(t, Config{Depth: SeedsOnly, Retries: NoRetries, Seeds: []string{missing.URL + "/"}, Out: t.TempDir(), Manifest: "-", Sitemaps: true,
			Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
		missing.Close()
		if sum.Sitemaps != (SitemapCounts{}) || logs.String() != "" {
			t.Errorf("no sitemap (%s): %+v, logged %q; want nothing", name, sum.Sitemaps, logs.String())
		}
	}
}

// TestSitemapsResume: a crawl run again on its state reads the sitemaps
// again, but fetches nothing they list a second time.
func TestSitemapsResume(t *testing.T) {
	var hits, otherHits hitCounter
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.add(r.URL.Path)
		w.Header().Set("Content-Type", "image/png")
		w.Write(tinyPNG(t, 99))
	}))
	defer other.Close()
	srv := sitemapSite(t, &hits, other.URL)
	st := state.NewMemory()
	cfg := Config{Depth: SeedsOnly, Retries: NoRetries, Seeds: []string{srv.URL + "/"}, Out: t.TempDir(), Manifest: "-", Sitemaps: true, State: st}
	runSitemaps(t, cfg)
	if hits.get("/p1") != 1 {
		t.Fatalf("first run: /p1 requested %d times", hits.get("/p1"))
	}
	hits.reset()
	sum := runSitemaps(t, cfg)
	if !sum.Resumed || sum.Sitemaps.Pages != 5 || hits.get("/maps/index.xml") != 1 {
		t.Errorf("second run: resumed %v, %+v, index read %d times", sum.Resumed, sum.Sitemaps, hits.get("/maps/index.xml"))
	}
	for _, p := range []string{"/", "/p1", "/p2", "/p3", "/img/a.png", "/img/b.png"} {
		if hits.get(p) != 0 {
			t.Errorf("second run: %s requested again", p)
		}
	}
	if sum.Pages+sum.Images != 0 {
		t.Errorf("second run: %d pages and %d images, want none", sum.Pages, sum.Images)
	}
}

// gateSpy is a fetch.Gate that counts the requests in flight per host.
type gateSpy struct {
	fetch.Gate
	mu       sync.Mutex
	inflight map[string]int
}

func (g *gateSpy) Acquire(host string) (func(), time.Time, bool) {
	release, at, ok := g.Gate.Acquire(host)
	if !ok {
		return release, at, ok
	}
	g.mu.Lock()
	g.inflight[host]++
	g.mu.Unlock()
	return func() {
		g.mu.Lock()
		g.inflight[host]--
		g.mu.Unlock()
		release()
	}, at, ok
}

func (g *gateSpy) busy(host string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inflight[host] > 0
}

// TestSitemapsPoliteAndPolicy: a sitemap is requested in a slot of its
// host's gate, as pages are; one on a host the address policy refuses
// (a loopback address that is not a seed's) is not requested, and logged.
func TestSitemapsPoliteAndPolicy(t *testing.T) {
	var hits hitCounter
	var outside atomic.Int64
	gate := &gateSpy{Gate: fetch.NewHosts(fetch.HostsConfig{}), inflight: map[string]int{}}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.add(r.URL.Path)
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprintf(w, "Sitemap: /map.xml\nSitemap: http://127.0.0.2:%s/map.xml\n", srv.URL[strings.LastIndexByte(srv.URL, ':')+1:])
		case "/map.xml":
			if r.Host != strings.TrimPrefix(srv.URL, "http://") {
				outside.Add(1)
			}
			if !gate.busy(r.Host) {
				t.Errorf("%s requested outside a slot of its host", r.URL)
			}
			fmt.Fprint(w, `<urlset><url><loc>/listed</loc></url></urlset>`)
		default:
			w.Header().Set("Content-Type", "text/html")
		}
	}))
	defer srv.Close()
	var logs lockedBuffer
	sum := runOnce(t, Config{Depth: SeedsOnly, Retries: NoRetries, Seeds: []string{srv.URL + "/"}, Out: t.TempDir(), Manifest: "-", Sitemaps: true, Gate: gate,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if hits.get("/map.xml") != 1 || hits.get("/listed") != 1 || outside.Load() != 0 {
		t.Errorf("map.xml requested %d times (%d by localhost), /listed %d; want once, none, once",
			hits.get("/map.xml"), outside.Load(), hits.get("/listed"))
	}
	if want := (SitemapCounts{Files: 1, Failed: 1, Pages: 1}); sum.Sitemaps != want ||
		!strings.Contains(logs.String(), `msg="sitemap not read" url=http://127.0.0.2:`) {
		t.Errorf("Summary.Sitemaps = %+v, want %+v; log:\n%s", sum.Sitemaps, want, logs.String())
	}
}
