package main

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// TestRedisStatusShowsTheFleet runs `status --redis` while two workers
// crawl, after one is killed, and when the job is done: it names the live
// workers and their leases, the silent one, and whether the job finished.
func TestRedisStatusShowsTheFleet(t *testing.T) {
	bin := redisBuildCLI(t)
	srv := redistest.StartPersistent(t)
	rurl := "redis://" + srv.Addr + "/0"
	opt := testsite.DefaultOptions()
	opt.Latency = 40 * time.Millisecond
	site := testsite.New(opt)
	base, stop := site.Start()
	defer stop()
	var requests atomic.Int64
	site.OnRequest(func(*http.Request) { requests.Add(1) })
	ws := redisStartWorkers(t, bin, rurl, "fleet", base, 2, 3, time.Second)
	for requests.Load() < 20 {
		time.Sleep(20 * time.Millisecond)
	}
	status := func(want ...string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, "", "status", "--redis", rurl, "--job", "fleet")
		if code != 0 {
			t.Fatalf("status: exit %d\n%s", code, stderr)
		}
		for _, w := range want {
			if !strings.Contains(stdout, w) {
				t.Errorf("status does not say %q:\n%s", w, stdout)
			}
		}
		return stdout
	}
	out := status("crawl:      running (2 live workers)", "leased to workers", "pages:      ")
	if n := strings.Count(out, ": live, seen "); n != 2 {
		t.Errorf("%d live workers listed, want 2:\n%s", n, out)
	}
	_ = ws[0].cmd.Process.Kill()
	<-ws[0].done
	time.Sleep(1500 * time.Millisecond) // past the 1 s lease
	status("running (1 live worker)", "silent for")
	if err := <-ws[1].done; err != nil {
		t.Fatalf("worker 1: %v\n%s", err, ws[1].stderr.String())
	}
	out = status("crawl:      finished", "0 pages and 0 images ready, 0 waiting to be retried, 0 leased")
	if strings.Count(out, "worker:") != 1 {
		t.Errorf("want only the killed worker listed (the other left the job when it ended):\n%s", out)
	}
	t.Logf("status at the end:\n%s", out)
}
