package service

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// harness is a service on a loopback test server.
type harness struct {
	t     testing.TB
	svc   *Service
	srv   *httptest.Server
	token string
	data  string
}

func newHarness(t testing.TB, cfg Config) *harness {
	t.Helper()
	if cfg.Data == "" {
		cfg.Data = t.TempDir()
	}
	if cfg.Thumbnails == 0 {
		cfg.Thumbnails = 1
	}
	if cfg.Thumbnails < 0 {
		cfg.Thumbnails = 0
	}
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler())
	h := &harness{t: t, svc: svc, srv: srv, token: cfg.Token, data: cfg.Data}
	t.Cleanup(func() {
		svc.Close()
		srv.CloseClientConnections()
		srv.Close()
		http.DefaultClient.CloseIdleConnections()
	})
	return h
}

// do sends a request with the harness's token and returns the status and
// body.
func (h *harness) do(method, path string, body any) (int, []byte) {
	h.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, r)
	if err != nil {
		h.t.Fatal(err)
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// create starts a job and returns its ID.
func (h *harness) create(spec any) string {
	h.t.Helper()
	code, body := h.do("POST", "/api/jobs", spec)
	if code != http.StatusCreated {
		h.t.Fatalf("POST /api/jobs: %d %s", code, body)
	}
	var st Status
	if err := json.Unmarshal(body, &st); err != nil {
		h.t.Fatal(err)
	}
	return st.ID
}

func (h *harness) status(id string) Status {
	h.t.Helper()
	code, body := h.do("GET", "/api/jobs/"+id, nil)
	if code != http.StatusOK {
		h.t.Fatalf("GET job: %d %s", code, body)
	}
	var st Status
	if err := json.Unmarshal(body, &st); err != nil {
		h.t.Fatal(err)
	}
	return st
}

// wait polls a job until cond holds (or 30s pass).
func (h *harness) wait(id string, what string, cond func(Status) bool) Status {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := h.status(id)
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("job %s: no %s within 30s (state %s, error %q)", id, what, st.State, st.Error)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (h *harness) waitState(id string, s State) Status {
	h.t.Helper()
	return h.wait(id, string(s), func(st Status) bool { return st.State == s })
}

// site starts a test site; latency slows every response.
func site(t *testing.T, latency time.Duration) (*testsite.Site, string) {
	t.Helper()
	opt := testsite.DefaultOptions()
	opt.Latency = latency
	s := testsite.New(opt)
	base, stop := s.Start()
	t.Cleanup(stop)
	return s, base
}

// expectedShas is the set of images a crawl of the site to depth saves.
func expectedShas(s *testsite.Site, depth int) map[string]bool {
	want := map[string]bool{}
	for _, e := range s.Expected(depth) {
		want[e.SHA256] = true
	}
	return want
}

func gate(perHost int) fetch.HostsConfig { return fetch.HostsConfig{PerHost: perHost} }
