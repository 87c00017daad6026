package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
		t.Run(tt.name, func(t *testing.T) {
			peak.Store(0)
			dir := t.TempDir()
			var urls []string
			var want int64
			for _, p := range tt.paths {
				urls = append(urls, srv.URL+p)
				if p != "/missing" {
					want += int64(len("body of " + p))
				}
			}
			client := newClient(tt.conc)
			defer client.CloseIdleConnections()
			got, failed := download(context.Background(), client, urls, dir, tt.conc)
			if got != want || failed != tt.wantFailed {
				t.Errorf("download = %d bytes, %d failed; want %d, %d", got, failed, want, tt.wantFailed)
			}
			if p := peak.Load(); p > int64(tt.conc) {
				t.Errorf("%d requests in flight, want at most %d", p, tt.conc)
			}
			for i, p := range tt.paths {
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
		})
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
