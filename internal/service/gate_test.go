package service

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// TestJobsShareThePoliteness: two jobs on one host, each allowed 4
// requests in flight per host, together never have more in flight there
// than the service's --per-host.
func TestJobsShareThePoliteness(t *testing.T) {
	opt := testsite.DefaultOptions()
	opt.Latency = 5 * time.Millisecond
	s := testsite.New(opt)
	var mu sync.Mutex
	inflight, peak := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inflight++
		peak = max(peak, inflight)
		mu.Unlock()
		defer func() { mu.Lock(); inflight--; mu.Unlock() }()
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })

	h := newHarness(t, Config{ManagerConfig: ManagerConfig{MaxJobs: 2, Gate: gate(2)}})
	opts := json.RawMessage(`{"depth":1,"per-host":4,"concurrency":8}`)
	a := h.create(Spec{Kind: KindCrawl, URLs: []string{srv.URL + "/"}, Options: opts})
	b := h.create(Spec{Kind: KindCrawl, URLs: []string{srv.URL + "/"}, Options: opts, Layout: "flat"})
	h.waitState(a, Done)
	h.waitState(b, Done)
	if peak > 2 {
		t.Errorf("%d requests in flight on the host at once, the shared limit is 2", peak)
	}
	if peak < 2 {
		t.Logf("peak %d: the jobs never overlapped", peak)
	}
}

// TestRestartResumes: a service stopped mid-job (jobs stay "running" on
// disk) resumes the job when opened again, and the job completes.
func TestRestartResumes(t *testing.T) {
	s, base := site(t, 20*time.Millisecond)
	data := t.TempDir()
	svc, err := New(Config{ManagerConfig: ManagerConfig{Data: data}})
	if err != nil {
		t.Fatal(err)
	}
	j, err := svc.Manager().Create(Spec{Kind: KindCrawl, URLs: []string{base + "/"}, Options: json.RawMessage(`{"depth":2,"concurrency":2,"per-host":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	for j.Status().Run.Images < 3 {
		time.Sleep(10 * time.Millisecond)
	}
	svc.Close()
	if st := j.Record().State; st != Running {
		t.Fatalf("after Close the job is %s, want running (to resume)", st)
	}
	h := newHarness(t, Config{ManagerConfig: ManagerConfig{Data: data}})
	st := h.waitState(j.ID(), Done)
	if st.Runs != 2 {
		t.Errorf("runs %d, want 2", st.Runs)
	}
	checkSaved(t, s, 2, j.Out())
}

// TestQueue: with --max-jobs 1 a second job waits; canceled while queued,
// it never runs; resumed, it runs after the first.
func TestQueue(t *testing.T) {
	s, base := site(t, 10*time.Millisecond)
	h := newHarness(t, Config{ManagerConfig: ManagerConfig{MaxJobs: 1}})
	first := h.create(Spec{Kind: KindCrawl, URLs: []string{base + "/"}, Options: json.RawMessage(`{"depth":1}`)})
	second := h.create(Spec{Kind: KindGet, URLs: []string{base + s.Expected(0)[0].Paths[0]}})
	if st := h.status(second); st.State != Queued {
		t.Fatalf("second job %s, want queued", st.State)
	}
	if _, body := h.do("GET", "/metrics", nil); !strings.Contains(string(body), "imgcrawl_jobs_queued 1") {
		t.Errorf("metrics do not show the queued job")
	}
	if code, body := h.do("POST", "/api/jobs/"+second+"/cancel", nil); code != 200 {
		t.Fatalf("cancel: %d %s", code, body)
	}
	h.waitState(first, Done)
	if st := h.status(second); st.State != Canceled || st.Runs != 0 {
		t.Errorf("canceled queued job: %s after %d runs", st.State, st.Runs)
	}
	if code, body := h.do("POST", "/api/jobs/"+second+"/resume", nil); code != 200 {
		t.Fatalf("resume: %d %s", code, body)
	}
	if st := h.waitState(second, Done); st.Run.Images != 1 {
		t.Errorf("resumed job saved %d images", st.Run.Images)
	}
}

// TestDataLocked: a second service on the same --data stops at once.
func TestDataLocked(t *testing.T) {
	h := newHarness(t, Config{})
	if _, err := New(Config{ManagerConfig: ManagerConfig{Data: h.data}}); err == nil || !strings.Contains(err.Error(), "another imgcrawl serve") {
		t.Errorf("second service on one --data: %v", err)
	}
}

// TestHostTableWaits: a host held by its Crawl-delay shows until when in
// the job's host table.
func TestHostTableWaits(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			w.Write([]byte("User-agent: *\nCrawl-delay: 2\n"))
		case "/":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<img src="/a.gif"><img src="/b.gif"><img src="/c.gif">`))
		default:
			w.Header().Set("Content-Type", "image/gif")
			w.Write([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;" + r.URL.Path))
		}
	}))
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	h := newHarness(t, Config{})
	id := h.create(Spec{Kind: KindCrawl, URLs: []string{srv.URL + "/"}})
	h.wait(id, "a waiting host", func(st Status) bool {
		for _, row := range st.Hosts {
			if row.WaitUntil.After(time.Now()) {
				return true
			}
		}
		return false
	})
	code, _ := h.do("POST", "/api/jobs/"+id+"/cancel", nil)
	if code != http.StatusOK {
		t.Errorf("cancel: %d", code)
	}
	h.waitState(id, Canceled)
}
