package main

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// TestRedisFailoverMidCrawl kills the Redis master that holds the job
// while two workers crawl: in a Cluster (3 masters, a replica each) and
// under Sentinel (a master, a replica, one Sentinel). The replica takes
// over within seconds, well inside the lease, and the workers finish the
// job: every image saved, few requests repeated, no job lost.
func TestRedisFailoverMidCrawl(t *testing.T) {
	bin := redisBuildCLI(t)
	const job = "failover"
	for _, tc := range []struct {
		name  string
		start func(t *testing.T) (rurl string, kill func())
	}{
		{"cluster master killed", func(t *testing.T) (string, func()) {
			c := redistest.StartCluster(t, 3, 1)
			return c.URL(), func() {
				key := "imgcrawl:{" + job + "}:gen"
				m := c.MasterOf(key)
				m.Kill()
				start := time.Now()
				if err := c.WaitServed(key, 30*time.Second); err != nil {
					t.Error(err)
				}
				t.Logf("killed master %s; %s serves the job after %v", m.Addr, c.MasterOf(key).Addr, time.Since(start))
			}
		}},
		{"sentinel failover", func(t *testing.T) (string, func()) {
			st := redistest.StartSentinels(t, 1, 1)
			return st.URL(), func() {
				m := st.Master()
				m.Kill()
				start := time.Now()
				if err := st.WaitFailover(m, 30*time.Second); err != nil {
					t.Error(err)
				}
				t.Logf("killed master %s; %s took over after %v", m.Addr, st.Master().Addr, time.Since(start))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rurl, kill := tc.start(t)
			opt := testsite.DefaultOptions()
			opt.Latency = 20 * time.Millisecond
			site := testsite.New(opt)
			base, stop := site.Start()
			defer stop()
			const depth = 3
			want := site.Expected(depth)
			var requests atomic.Int64
			var once sync.Once
			midway := make(chan struct{})
			site.OnRequest(func(*http.Request) {
				if requests.Add(1) == int64(len(want)/3) {
					once.Do(func() { close(midway) })
				}
			})
			ws := redisStartWorkers(t, bin, rurl, job, base, 2, depth, 15*time.Second)
			select {
			case <-midway:
			case <-time.After(time.Minute):
				t.Fatalf("only %d requests in a minute", requests.Load())
			}
			kill()
			errs := redisWaitWorkers(t, ws)
			for i, w := range ws {
				if strings.Contains(w.stderr.String(), "job "+job+" is gone") {
					t.Errorf("worker %d lost the job:\n%s", i, w.stderr.String())
				}
			}
			// A write the replica had not received when its master died is
			// redone: allow a few repeats and second copies.
			redisCheckJob(t, ws, errs, site, want, 2, 8)
		})
	}
}
