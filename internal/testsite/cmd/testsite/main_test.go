package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
	"go.uber.org/goleak"
)

func TestExpectOut(t *testing.T) {
	out := filepath.Join(t.TempDir(), "expect.txt")
	err := run(context.Background(), []string{"-pages", "30", "-seed", "5", "-expect-depth", "2", "-expect-out", out},
		io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	opt := testsite.DefaultOptions()
	opt.Pages, opt.Seed = 30, 5
	for _, e := range testsite.New(opt).Expected(2) {
		want = append(want, e.SHA256)
	}
	if got := strings.Fields(string(data)); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("expect-out has %d hashes, Expected(2) %d; or they differ", len(got), len(want))
	}
}

func TestBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"-nope"}},
		{"bad number", []string{"-pages", "many"}},
		{"stray argument", []string{"extra"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := run(context.Background(), tt.args, io.Discard, io.Discard); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestServe(t *testing.T) {
	defer goleak.VerifyNone(t)
	logPath := filepath.Join(t.TempDir(), "requests.log")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-pages", "10", "-large-image-bytes", "5000", "-request-log", logPath}, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q", line)
	}
	go io.Copy(io.Discard, pr) //nolint:errcheck // nothing more is expected

	tr := &http.Transport{}
	client := &http.Client{Transport: tr}
	tests := []struct {
		name, target, rng string
		code              int
		length            int64
	}{
		{"page", "/p/list?b=2&a=1", "", 200, -1},
		{"large image", testsite.LargeImagePath, "", 200, 33 + 5000},
		{"large image range", testsite.LargeImagePath, "bytes=100-199", 206, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, base+tt.target, nil)
			if tt.rng != "" {
				req.Header.Set("Range", tt.rng)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body) //nolint:errcheck
			resp.Body.Close()
			if resp.StatusCode != tt.code || tt.length >= 0 && resp.ContentLength != tt.length {
				t.Errorf("status %d, length %d; want %d, %d", resp.StatusCode, resp.ContentLength, tt.code, tt.length)
			}
		})
	}
	tr.CloseIdleConnections()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	want := "GET\t/p/list?a=1&b=2\t-\nGET\t/large.bin.png\t-\nGET\t/large.bin.png\tbytes=100-199\n"
	if string(log) != want {
		t.Errorf("request log\n%q\nwant\n%q", log, want)
	}
}
