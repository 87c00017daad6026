package testsite

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestStartStopNoLeak(t *testing.T) {
	defer goleak.VerifyNone(t)
	opt := DefaultOptions()
	opt.Latency = 20 * time.Millisecond
	s := New(opt)
	base, stop := s.Start()
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("base %q", base)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	for _, p := range []string{"/", "/i/0.png", "/robots.txt"} {
		resp, err := client.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", p, resp.StatusCode)
		}
	}
	// A request still waiting out its latency when the server stops.
	slow := New(Options{Latency: time.Hour})
	slowBase, slowStop := slow.Start()
	started := make(chan struct{})
	var once sync.Once
	slow.OnRequest(func(*http.Request) { once.Do(func() { close(started) }) })
	done := make(chan error, 1)
	go func() {
		resp, err := client.Get(slowBase + "/")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-started
	slowStop()
	if err := <-done; err == nil {
		t.Error("a request in flight during stop succeeded")
	}
	stop()
	stop() // a second call is harmless
	if _, err := client.Get(base + "/"); err == nil {
		t.Error("server still answers after stop")
	}
}

func TestLatency(t *testing.T) {
	t.Run("delays the response", func(t *testing.T) {
		const d = 30 * time.Millisecond
		s := New(Options{Latency: d})
		start := time.Now()
		rec := get(t, s, "/")
		if elapsed := time.Since(start); elapsed < d {
			t.Errorf("answered after %v, want at least %v", elapsed, d)
		}
		if rec.Code != http.StatusOK {
			t.Errorf("status %d", rec.Code)
		}
	})
	t.Run("gives up when the request is canceled", func(t *testing.T) {
		s := New(Options{Latency: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		req := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx)
		rec := httptest.NewRecorder()
		served := make(chan struct{})
		go func() {
			defer close(served)
			s.ServeHTTP(rec, req)
		}()
		cancel()
		select {
		case <-served:
		case <-time.After(10 * time.Second):
			t.Fatal("ServeHTTP still waiting 10s after the request was canceled")
		}
		if rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
			t.Errorf("a canceled request got a response: %v %q", rec.Header(), rec.Body)
		}
		if got := s.Requests()["/"]; got != 1 {
			t.Errorf("canceled request counted %d times, want 1", got)
		}
	})
}
