package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// redisJobWorker is one imgcrawl process of a job.
type redisJobWorker struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	out    string
	done   chan error
}

// redisStartWorkers starts n crawl processes on one job at rurl.
func redisStartWorkers(t *testing.T, bin, rurl, job, base string, n, depth int, lease time.Duration) []*redisJobWorker {
	t.Helper()
	dir := t.TempDir()
	var ws []*redisJobWorker
	for i := range n {
		w := &redisJobWorker{done: make(chan error, 1), out: filepath.Join(dir, fmt.Sprint(i))}
		w.cmd = exec.Command(bin, "crawl", "-q", "-d", fmt.Sprint(depth), "-c", "2", "-o", w.out,
			"--redis", rurl, "--job", job, "--redis-lease", lease.String(), base+"/")
		w.cmd.Stderr = &w.stderr
		if err := w.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { w.done <- w.cmd.Wait() }()
		ws = append(ws, w)
	}
	t.Cleanup(func() {
		for _, w := range ws {
			_ = w.cmd.Process.Kill()
		}
	})
	return ws
}

// redisWaitWorkers waits for every worker and returns their exit errors.
func redisWaitWorkers(t *testing.T, ws []*redisJobWorker) []error {
	t.Helper()
	errs := make([]error, len(ws))
	for i, w := range ws {
		select {
		case errs[i] = <-w.done:
		case <-time.After(2 * time.Minute):
			t.Fatalf("worker %d did not end; stderr:\n%s", i, w.stderr.String())
		}
	}
	return errs
}

// TestRedisRestartMidCrawl kills Redis (SIGKILL) while two workers crawl,
// or empties it, and checks what the workers make of it:
//
//   - with an append-only file, Redis comes back with the job: both
//     workers finish, every image is saved once, few requests repeat;
//   - without persistence, or after FLUSHALL, the job is gone: every
//     worker exits non-zero saying so and what to do; none reports success.
func TestRedisRestartMidCrawl(t *testing.T) {
	bin := redisBuildCLI(t)
	for _, tc := range []struct {
		name    string
		start   func(testing.TB) *redistest.Server
		disrupt func(t *testing.T, srv *redistest.Server)
		lost    bool
	}{
		{"restart with AOF", redistest.StartPersistent, redisKillRestart, false},
		{"restart without persistence", redistest.StartServer, redisKillRestart, true},
		{"FLUSHALL", redistest.StartServer, func(t *testing.T, srv *redistest.Server) {
			c := goredis.NewClient(&goredis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true})
			defer c.Close()
			if err := c.FlushAll(context.Background()).Err(); err != nil {
				t.Fatal(err)
			}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.start(t)
			opt := testsite.DefaultOptions()
			opt.Latency = 20 * time.Millisecond
			site := testsite.New(opt)
			base, stop := site.Start()
			defer stop()
			const depth = 3
			var requests atomic.Int64
			var once sync.Once
			midway := make(chan struct{})
			want := site.Expected(depth)
			site.OnRequest(func(*http.Request) {
				if requests.Add(1) == int64(len(want)/3) {
					once.Do(func() { close(midway) })
				}
			})
			ws := redisStartWorkers(t, bin, "redis://"+srv.Addr+"/0", "restart", base, 2, depth, 5*time.Second)
			select {
			case <-midway:
			case <-time.After(time.Minute):
				t.Fatalf("only %d requests in a minute", requests.Load())
			}
			tc.disrupt(t, srv)
			errs := redisWaitWorkers(t, ws)
			if tc.lost {
				for i, err := range errs {
					stderr := ws[i].stderr.String()
					if err == nil {
						t.Errorf("worker %d exited 0 after the job was lost; stderr:\n%s", i, stderr)
					}
					for _, say := range []string{"job restart is gone from redis", "run the crawl again"} {
						if !strings.Contains(stderr, say) {
							t.Errorf("worker %d does not say %q:\n%s", i, say, stderr)
						}
					}
					if strings.Contains(stderr, "resumed crawl, in all") {
						t.Errorf("worker %d shows the lost job's totals:\n%s", i, stderr)
					}
					if !strings.Contains(stderr, `warning: redis at `+srv.Addr+` keeps no data across a restart (appendonly no, save "")`) {
						t.Errorf("worker %d did not warn of the missing persistence at start:\n%s", i, stderr)
					}
				}
				return
			}
			for i, w := range ws {
				if strings.Contains(w.stderr.String(), "warning:") {
					t.Errorf("worker %d warned about a server with AOF:\n%s", i, w.stderr.String())
				}
			}
			redisCheckJob(t, ws, errs, site, want, 0, 4) // repeats: at most what the two had in flight
		})
	}
}

// redisCheckJob checks a job that should have ended well: every worker
// exited 0, every expected image was saved, at most dups of them twice,
// and at most repeats requests were repeated.
func redisCheckJob(t *testing.T, ws []*redisJobWorker, errs []error, site *testsite.Site, want []testsite.ExpectedImage, dups, repeats int) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v; stderr:\n%s", i, err, ws[i].stderr.String())
		}
	}
	saved := map[string]int{}
	for _, w := range ws {
		for _, sha := range redisTestImages(t, w.out) {
			saved[sha]++
		}
	}
	twice := 0
	for _, e := range want {
		switch n := saved[e.SHA256]; {
		case n == 0:
			t.Errorf("image %s not saved", e.Paths[0])
		case n == 2:
			twice++
		case n > 2:
			t.Errorf("image %s saved %d times", e.Paths[0], n)
		}
	}
	if twice > dups {
		t.Errorf("%d images saved twice, want at most %d", twice, dups)
	}
	repeated, total := 0, 0
	for target, n := range site.Requests() {
		total += n
		if target != "/robots.txt" && n > 1 {
			repeated += n - 1
		}
	}
	t.Logf("%d requests, %d repeated, %d images saved twice", total, repeated, twice)
	if repeated > repeats {
		t.Errorf("%d repeated requests, want at most %d", repeated, repeats)
	}
}

// redisKillRestart kills Redis with SIGKILL and starts it again 1 s later.
func redisKillRestart(t *testing.T, srv *redistest.Server) {
	srv.Kill()
	time.Sleep(time.Second)
	srv.Restart()
}
