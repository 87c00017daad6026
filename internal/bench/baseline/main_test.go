package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

func TestDownload(t *testing.T) {
	var inFlight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("body of " + r.URL.Path)) //nolint:errcheck
	}))
	defer srv.Close()
	tests := []struct {
		name       string
		paths      []string
		conc       int
		wantFailed int64
	}{
		{"all found", []string{"/a", "/b", "/c", "/d", "/e"}, 2, 0},
		{"a 404 fails", []string{"/a", "/missing", "/c"}, 8, 1},
	}
	for _, tt := range tests {
		for _, m := range []mode{{}, {trusted: true}} {
			t.Run(fmt.Sprintf("%s trusted=%v", tt.name, m.trusted), func(t *testing.T) {
				testDownload(t, srv.URL, tt.paths, tt.conc, tt.wantFailed, m, &peak)
			})
		}
	}
}

// testDownload downloads base+paths in mode m and checks the counts, the
// requests in flight (peak), each file and that nothing else is left.
func testDownload(t *testing.T, base string, paths []string, conc int, wantFailed int64, m mode, peak *atomic.Int64) {
	peak.Store(0)
	dir := t.TempDir()
	var urls []string
	var want int64
	for _, p := range paths {
		urls = append(urls, base+p)
		if p != "/missing" {
			want += int64(len("body of " + p))
		}
	}
	client := newClient(conc)
	defer client.CloseIdleConnections()
	st := download(context.Background(), client, urls, dir, conc, m)
	if st.bytes != want || st.failed != wantFailed || st.refs != 0 {
		t.Errorf("download = %+v; want %d bytes, %d failed, 0 refs", st, want, wantFailed)
	}
	if p := peak.Load(); p > int64(conc) {
		t.Errorf("%d requests in flight, want at most %d", p, conc)
	}
	for i, p := range paths {
		data, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(i)))
		if p == "/missing" {
			if err == nil {
				t.Errorf("file %d written for a 404", i)
			}
			continue
		}
		if err != nil || string(data) != "body of "+p {
			t.Errorf("file %d = %q, %v; want the body of %s", i, data, err, p)
		}
	}
	// Nothing else: no temporary file left behind.
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != len(paths)-int(wantFailed) {
		t.Errorf("%d files in the folder (%v), want %d", len(entries), err, len(paths)-int(wantFailed))
	}
}

// TestDownloadTrustedNeverNamesAPartialFile: a server that promises more
// bytes than it sends leaves a partial file under its name without
// -trusted, and nothing at all with it.
func TestDownloadTrustedNeverNamesAPartialFile(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.Write([]byte("only the start")) //nolint:errcheck
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
	}))
	defer srv.Close()
	for _, m := range []mode{{}, {trusted: true}} {
		dir := t.TempDir()
		client := newClient(1)
		st := download(context.Background(), client, []string{srv.URL + "/cut.png"}, dir, 1, m)
		client.CloseIdleConnections()
		if st.failed != 1 {
			t.Fatalf("trusted=%v: download = %+v, want the cut body to fail", m.trusted, st)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if m.trusted && len(entries) != 0 {
			t.Errorf("trusted: %d files left in the folder, want none", len(entries))
		}
		if !m.trusted && len(entries) != 1 {
			t.Errorf("raw: %d files in the folder, want the partial one", len(entries))
		}
	}
}

func TestReadList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "urls")
	if err := os.WriteFile(path, []byte("http://a/1\n\n  http://a/2  \r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readList(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "http://a/1 http://a/2" {
		t.Errorf("readList = %q", got)
	}
}

// testPage holds 9 references: a, link, img src, two img srcset
// candidates, two source srcset candidates, a relative a and an absolute
// img; the a without href, the empty href and the script are not counted.
const testPage = `<!doctype html>
<html><head><link rel="stylesheet" href="/style.css"><script src="/app.js"></script></head>
<body>
<a href="next.html">next</a> <a>no href</a> <a href="">empty</a>
<picture><source srcset="/img/a-1x.png 1x, /img/a-2x.png 2x"><img src="/img/a.png" srcset="a-400.png 400w,
 a-800.png 800w" alt=""></picture>
<p><a href="../up/">up</a> <img src="http://other.example/x.jpg"></p>
</body></html>
`

var testPageRefs = []string{
	"/style.css", "/dir/next.html", "/img/a-1x.png", "/img/a-2x.png",
	"/img/a.png", "/dir/a-400.png", "/dir/a-800.png", "/up/", "http://other.example/x.jpg",
}

func TestPageRefs(t *testing.T) {
	page, _ := url.Parse("http://site.test/dir/page.html")
	got, err := pageRefs(strings.NewReader(testPage), page)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, ref := range testPageRefs {
		if strings.HasPrefix(ref, "/") {
			ref = "http://site.test" + ref
		}
		want = append(want, ref)
	}
	if !slices.Equal(got, want) {
		t.Errorf("pageRefs =\n%q\nwant\n%q", got, want)
	}
}

// TestDownloadParse downloads the same pages, image and HTML-looking text
// with and without -parse: the files are the same either way, and only
// -parse counts references, in text/html bodies only.
func TestDownloadParse(t *testing.T) {
	image := bytes.Repeat([]byte{0x89, 'P', 'N', 'G', 0}, 1000)
	bodies := map[string]struct {
		contentType string
		body        []byte
	}{
		"/dir/page.html": {"text/html; charset=utf-8", []byte(testPage)},
		"/dir/again":     {"TEXT/HTML", []byte(testPage)},
		"/img/a.png":     {"image/png", image},
		"/notes.txt":     {"text/plain", []byte(testPage)},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", b.contentType)
		w.Write(b.body) //nolint:errcheck
	}))
	defer srv.Close()
	paths := []string{"/dir/page.html", "/img/a.png", "/notes.txt", "/dir/again"}
	var urls []string
	for _, p := range paths {
		urls = append(urls, srv.URL+p)
	}
	for _, parse := range []bool{false, true} {
		dir := t.TempDir()
		client := newClient(2)
		st := download(context.Background(), client, urls, dir, 2, mode{parse: parse})
		client.CloseIdleConnections()
		var wantRefs int64
		if parse {
			wantRefs = int64(2 * len(testPageRefs))
		}
		if st.failed != 0 || st.refs != wantRefs {
			t.Errorf("parse=%v: download = %+v; want 0 failed, %d refs", parse, st, wantRefs)
		}
		for i, p := range paths {
			data, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(i)))
			if err != nil || !bytes.Equal(data, bodies[p].body) {
				t.Errorf("parse=%v: file %d (%s) = %d bytes, %v; want the %d bytes served", parse, i, p, len(data), err, len(bodies[p].body))
			}
		}
	}
}
