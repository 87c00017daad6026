package service

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/options"
)

// TestSingle: NewSingle watches a crawl its caller runs: the job "run"
// shows the crawl's counts and hosts, its events reach the metrics, it
// starts no jobs, and it ends done; nothing outlives Close.
func TestSingle(t *testing.T) {
	s, base := site(t, 0)
	cfg := crawler.Config{Seeds: []string{base + "/"}, Out: t.TempDir()}
	all := options.Defaults()
	all.Depth = 1
	if err := all.Apply(&cfg, true); err != nil {
		t.Fatal(err)
	}
	var seen int
	cfg.OnEvent = func(crawler.Event) { seen++ } // the caller's own hook still runs
	svc := NewSingle(&cfg, "", nil)
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	defer svc.Close()
	cr, err := crawler.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cr.Run(context.Background())
	svc.Finish(err)
	h := &harness{t: t, svc: svc, srv: srv}
	st := h.status(SingleID)
	want := len(s.Expected(1))
	if st.State != Done || st.Run.Images != int64(want) || len(st.Hosts) != 1 || seen == 0 {
		t.Errorf("status %+v, caller saw %d events, want done with %d images", st, seen, want)
	}
	if code, body := h.do("GET", "/metrics", nil); code != 200 || !strings.Contains(string(body), `imgcrawl_requests_total{kind="image",outcome="saved"}`) {
		t.Errorf("metrics: %d", code)
	}
	if code, _ := h.do("POST", "/api/jobs", Spec{Kind: KindGet, URLs: []string{base + "/"}}); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/jobs: %d, want 405", code)
	}
	if code, _ := h.do("POST", "/api/jobs/run/cancel", nil); code != http.StatusMethodNotAllowed {
		t.Errorf("cancel: %d, want 405", code)
	}
	srv.CloseClientConnections()
	http.DefaultClient.CloseIdleConnections()
}
