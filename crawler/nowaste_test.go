package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// streamForever answers with typ and streams up to 1 GiB in 4 KiB chunks,
// flushed one by one, until the client goes away; written counts the bytes
// the handler managed to write.
func streamForever(typ string, written *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", typ)
		chunk := bytes.Repeat([]byte{'P', 'K', 3, 4}, 1<<10)
		for written.Load() < 1<<30 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			written.Add(int64(len(chunk)))
			select {
			case <-r.Context().Done():
				return
			case <-time.After(time.Millisecond):
			}
		}
	}
}

// TestNoWastedBytes: links to files that are neither pages nor images are
// not requested when their extension says so, and abandoned after the
// headers when their type does; links that turn out to be images are
// saved whatever they are called.
func TestNoWastedBytes(t *testing.T) {
	var isoWritten, zipWritten, binWritten atomic.Int64
	var hits hitCounter
	pics := map[string][]byte{"/pic": tinyPNG(t, 1), "/blob": tinyPNG(t, 2), "/untyped": tinyPNG(t, 3)}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<a href="/big.iso">DVD</a> <a href="/get/42">download</a> <a href="/raw.dat">data</a>
<a href="/pic">a</a> <a href="/blob">b</a> <a href="/untyped">c</a> <a href="/notes">notes</a>
<a href="/bare">a page served without a type</a> <a href="/latest">latest release</a>`)
	})
	mux.HandleFunc("/big.iso", streamForever("application/x-iso9660-image", &isoWritten))
	mux.HandleFunc("/get/42", streamForever("application/zip", &zipWritten))
	mux.HandleFunc("/raw.dat", streamForever("application/octet-stream", &binWritten))
	mux.HandleFunc("/latest", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/pkg-1.2.tar.gz", http.StatusFound)
	})
	mux.HandleFunc("/notes", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "just text")
	})
	mux.HandleFunc("/pic", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pics["/pic"])
	})
	mux.HandleFunc("/blob", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(pics["/blob"])
	})
	mux.HandleFunc("/bare", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		fmt.Fprint(w, `<!DOCTYPE html><html><body><img src="/from-bare.png"></body></html>`)
	})
	mux.HandleFunc("/from-bare.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(tinyPNG(t, 4))
	})
	mux.HandleFunc("/untyped", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil // no type at all (not even a sniffed one)
		w.Write(pics["/untyped"])
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.add(r.URL.Path)
		mux.ServeHTTP(w, r)
	}))
	defer srv.Close()

	var log eventLog
	c, err := New(Config{Retries: NoRetries, Seeds: []string{srv.URL + "/"}, Depth: 1, Out: t.TempDir(), Manifest: "-", OnEvent: log.on})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := hits.get("/big.iso"); n != 0 || isoWritten.Load() != 0 {
		t.Errorf("/big.iso requested %d times: its extension is in the skip list", n)
	}
	if ev, _ := log.get(srv.URL + "/latest"); hits.get("/pkg-1.2.tar.gz") != 0 || ev.Status != Skipped ||
		ev.Err == nil || !strings.Contains(ev.Err.Error(), "extension is in the skip list") {
		t.Errorf("a redirect to a .tar.gz: %s %v, target requested %d times; want skipped, never requested",
			ev.Status, ev.Err, hits.get("/pkg-1.2.tar.gz"))
	}
	// The handler writes 4 KiB a millisecond until the client goes: reading
	// only the headers (and at most the sniffed bytes) leaves it far below
	// the 64 KiB the image writer would have peeked.
	for _, tc := range []struct {
		path    string
		written *atomic.Int64
		why     string
	}{
		{"/get/42", &zipWritten, "not html or an image: application/zip"},
		{"/raw.dat", &binWritten, "not html or an image: application/octet-stream"},
	} {
		ev, _ := log.get(srv.URL + tc.path)
		if ev.Status != Skipped || ev.Err == nil || ev.Err.Error() != tc.why {
			t.Errorf("%s: %s %v; want skipped: %s", tc.path, ev.Status, ev.Err, tc.why)
		}
		if n := tc.written.Load(); hits.get(tc.path) != 1 || n >= 64<<10 {
			t.Errorf("%s: requested %d times, the server wrote %d bytes; want once, under 64 KiB", tc.path, hits.get(tc.path), n)
		}
	}
	if ev, _ := log.get(srv.URL + "/notes"); ev.Status != Skipped || ev.Err == nil || ev.Err.Error() != "not html or an image: text/plain" {
		t.Errorf("/notes: %s %v", ev.Status, ev.Err)
	}
	for path := range pics {
		if ev, _ := log.get(srv.URL + path); ev.Status != Saved {
			t.Errorf("%s, an image whatever its type says: %s %v; want saved", path, ev.Status, ev.Err)
		}
	}
	if ev, _ := log.get(srv.URL + "/from-bare.png"); ev.Status != Saved {
		t.Errorf("the image of a page served without a type: %s %v; want saved", ev.Status, ev.Err)
	}
	if sum.Images != 4 || sum.Pages != 2 {
		t.Errorf("summary %+v, want 2 pages parsed and 4 images saved", sum)
	}
}

// TestSkipExtensionsConfig: an empty list requests every link (and the
// type check still stops the download); a custom list replaces the default;
// a bad entry is a configuration error.
func TestSkipExtensionsConfig(t *testing.T) {
	var isoWritten atomic.Int64
	var hits hitCounter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.add(r.URL.Path)
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<a href="/big.ISO">DVD</a> <a href="/page.html">page</a>`)
		case "/big.ISO":
			streamForever("application/octet-stream", &isoWritten)(w, r)
		default:
			w.Header().Set("Content-Type", "text/html")
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name        string
		exts        []string
		iso, html   int
		wantSkipped int64
	}{
		{"default", nil, 0, 1, 0},
		{"none", []string{}, 1, 1, 1},
		{"custom", []string{"HTML", ".iso"}, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits.reset()
			c, err := New(Config{Retries: NoRetries, Seeds: []string{srv.URL + "/"}, Depth: 1, Out: t.TempDir(), Manifest: "-",
				SkipExtensions: tc.exts})
			if err != nil {
				t.Fatal(err)
			}
			sum, err := c.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if hits.get("/big.ISO") != tc.iso || hits.get("/page.html") != tc.html || sum.Skipped != tc.wantSkipped {
				t.Errorf("requests: iso %d, page %d; skipped %d; want %d, %d, %d",
					hits.get("/big.ISO"), hits.get("/page.html"), sum.Skipped, tc.iso, tc.html, tc.wantSkipped)
			}
		})
	}
	if n := isoWritten.Load(); n >= 64<<10 {
		t.Errorf("the server wrote %d bytes of the .iso; want under 64 KiB", n)
	}
	for _, bad := range []string{"", "tar.gz", "a/b", "."} {
		err := Config{Seeds: []string{"http://example.com/"}, SkipExtensions: []string{bad}}.Validate()
		if ce := (*ConfigError)(nil); !errors.As(err, &ce) || ce.Field != "skip-ext" {
			t.Errorf("SkipExtensions %q: %v, want a skip-ext *ConfigError", bad, err)
		}
	}
}

// encodePage compresses body with a content coding.
func encodePage(t *testing.T, coding string, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "br":
		w = brotli.NewWriter(&buf)
	case "zstd":
		zw, err := zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1))
		if err != nil {
			t.Fatal(err)
		}
		w = zw
	}
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCompressedPages: pages served gzip, br and zstd are parsed, and a
// page that decompresses past MaxPageSize fails at the cap.
func TestCompressedPages(t *testing.T) {
	codings := []string{"gzip", "br", "zstd"}
	const maxPage = 1 << 20
	pages := map[string][]byte{}
	for i, coding := range codings {
		html := fmt.Sprintf(`<html><body><p>%s</p><img src="/img/%d.png"></body></html>`, strings.Repeat("text ", 1000), i)
		pages["/"+coding] = encodePage(t, coding, []byte(html))
	}
	pages["/bomb"] = encodePage(t, "zstd", append([]byte("<html><body>"), make([]byte, 8*maxPage)...))
	var accept atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<a href="/gzip">g</a> <a href="/br">b</a> <a href="/zstd">z</a> <a href="/bomb">!</a>`)
		case strings.HasPrefix(r.URL.Path, "/img/"):
			var i int
			fmt.Sscanf(r.URL.Path, "/img/%d.png", &i)
			w.Header().Set("Content-Type", "image/png")
			w.Write(tinyPNG(t, 10+i))
		case pages[r.URL.Path] != nil:
			accept.Store(r.Header.Get("Accept-Encoding"))
			coding := strings.TrimPrefix(r.URL.Path, "/")
			if coding == "bomb" {
				coding = "zstd"
			}
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", coding)
			w.Write(pages[r.URL.Path])
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var log eventLog
	c, err := New(Config{Retries: NoRetries, Seeds: []string{srv.URL + "/"}, Depth: 1, Out: t.TempDir(), Manifest: "-",
		MaxPageSize: maxPage, OnEvent: log.on})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := accept.Load().(string); got != "gzip, br, zstd" {
		t.Errorf("pages asked with Accept-Encoding %q", got)
	}
	for i, coding := range codings {
		if ev, _ := log.get(fmt.Sprintf("%s/img/%d.png", srv.URL, i)); ev.Status != Saved {
			t.Errorf("the image of the %s page: %s %v; want saved", coding, ev.Status, ev.Err)
		}
	}
	ev, _ := log.get(srv.URL + "/bomb")
	if want := fmt.Sprintf("exceeds the %d-byte limit", maxPage); ev.Status != Failed || ev.Err == nil || !strings.Contains(ev.Err.Error(), want) {
		t.Errorf("the zstd bomb: %s %v; want failed: %s", ev.Status, ev.Err, want)
	}
	if sum.Pages != 4 || sum.Images != 3 {
		t.Errorf("summary %+v, want 4 pages and 3 images", sum)
	}
}
