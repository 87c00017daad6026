package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
	"github.com/imgcrawl/imgcrawl/internal/testsite"
)

// redisBuildCLI builds this command into a temporary folder.
func redisBuildCLI(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not found on PATH: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "imgcrawl")
	out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// redisRequestLog records who requested what, and when.
type redisRequestLog struct {
	mu     sync.Mutex
	byWho  map[string]map[string][]time.Time // user agent -> target -> times
	counts map[string]int                    // user agent -> requests
}

func (l *redisRequestLog) record(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ua, target := r.UserAgent(), testsite.NormalizeTarget(r.RequestURI)
	if l.byWho[ua] == nil {
		l.byWho[ua] = map[string][]time.Time{}
	}
	l.byWho[ua][target] = append(l.byWho[ua][target], time.Now())
	l.counts[ua]++
}

func (l *redisRequestLog) count(ua string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[ua]
}

// describe lists who requested target and when, relative to t0.
func (l *redisRequestLog) describe(target string, t0 time.Time) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var parts []string
	for ua, byTarget := range l.byWho {
		for _, at := range byTarget[target] {
			parts = append(parts, fmt.Sprintf("%s at %+.3fs", ua, at.Sub(t0).Seconds()))
		}
	}
	return strings.Join(parts, ", ")
}

// firstBy returns when ua first requested target (zero if never).
func (l *redisRequestLog) firstBy(ua, target string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ts := l.byWho[ua][target]; len(ts) > 0 {
		return ts[0]
	}
	return time.Time{}
}

// TestRedisWorkerKilledMidCrawl runs three worker processes on one job and
// SIGKILLs one mid-crawl: the others finish the job, nothing is missing,
// and only what the dead worker had in flight is fetched twice.
func TestRedisWorkerKilledMidCrawl(t *testing.T) {
	bin := redisBuildCLI(t)
	addr := redistest.Start(t)
	opt := testsite.DefaultOptions()
	opt.Latency = 30 * time.Millisecond
	site := testsite.New(opt)
	base, stop := site.Start()
	defer stop()
	log := &redisRequestLog{byWho: map[string]map[string][]time.Time{}, counts: map[string]int{}}
	const depth, concurrency = 3, 2
	want := site.Expected(depth)

	dir := t.TempDir()
	agent := func(i int) string { return fmt.Sprintf("imgcrawl/1.0 (worker %d)", i) }
	type worker struct {
		cmd    *exec.Cmd
		stderr bytes.Buffer
		done   chan error
	}
	// Kill worker 0 while it fetches its 12th URL: the server has the
	// request, the worker never gets the answer.
	victim := agent(0)
	var (
		killOnce   sync.Once
		killedAt   time.Time
		killTarget string
		killed     = make(chan struct{})
		victimProc atomic.Pointer[os.Process]
	)
	site.OnRequest(func(r *http.Request) {
		log.record(r)
		if r.UserAgent() != victim || log.count(victim) < 12 {
			return
		}
		killOnce.Do(func() {
			_ = victimProc.Load().Kill()
			killedAt, killTarget = time.Now(), testsite.NormalizeTarget(r.RequestURI)
			close(killed)
		})
	})
	var workers []*worker
	// The lease is long enough that a live worker slowed by -race on a busy
	// two-core machine still renews in time (its renewal runs every lease/3),
	// and short enough that the dead worker's items return quickly.
	for i := range 3 {
		w := &worker{done: make(chan error, 1)}
		w.cmd = exec.Command(bin, "crawl", "-q", "-d", fmt.Sprint(depth), "-c", fmt.Sprint(concurrency),
			"-o", filepath.Join(dir, fmt.Sprint(i)), "--user-agent", agent(i),
			"--redis", "redis://"+addr+"/0", "--job", "killtest", "--redis-lease", "3s", base+"/")
		w.cmd.Stderr = &w.stderr
		if err := w.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			victimProc.Store(w.cmd.Process)
		}
		go func() { w.done <- w.cmd.Wait() }()
		workers = append(workers, w)
	}
	defer func() {
		for _, w := range workers {
			_ = w.cmd.Process.Kill()
		}
	}()

	select {
	case <-killed:
	case <-time.After(30 * time.Second):
		_ = workers[0].cmd.Process.Kill()
		<-workers[0].done // its stderr is complete
		t.Fatalf("worker 0 made %d requests in 30s; its stderr:\n%s", log.count(victim), workers[0].stderr.String())
	}
	<-workers[0].done
	t.Logf("killed worker 0 while it fetched %s, after %d requests in all", killTarget, redisTotal(site))

	for i, w := range workers[1:] {
		select {
		case err := <-w.done:
			if err != nil {
				t.Errorf("worker %d: %v; stderr:\n%s", i+1, err, w.stderr.String())
			}
		case <-time.After(90 * time.Second):
			t.Fatalf("worker %d did not finish; stderr:\n%s", i+1, w.stderr.String())
		}
	}

	saved := map[string][]string{}
	for i := range 3 {
		for path, sha := range redisTestImages(t, filepath.Join(dir, fmt.Sprint(i))) {
			saved[sha] = append(saved[sha], path)
		}
	}
	for _, e := range want {
		if len(saved[e.SHA256]) == 0 {
			t.Errorf("image %s (%s) missing", e.SHA256[:12], e.Paths[0])
		}
	}
	if len(saved) != len(want) {
		t.Errorf("%d distinct images saved, want %d", len(saved), len(want))
	}
	dead := filepath.Join(dir, "0") + string(os.PathSeparator)
	for sha, paths := range saved {
		// A second copy can only come from the dead worker having saved a
		// file without acknowledging it.
		if len(paths) == 1 {
			continue
		}
		fromDead := false
		for _, p := range paths {
			fromDead = fromDead || strings.HasPrefix(p, dead)
		}
		if len(paths) > 2 || !fromDead {
			t.Errorf("content %s saved %d times: %v", sha[:12], len(paths), paths)
		}
	}
	twice := 0
	for target, n := range site.Requests() {
		if target == "/robots.txt" || n == 1 {
			continue
		}
		first := log.firstBy(victim, target)
		if n > 2 || first.IsZero() || first.After(killedAt) {
			t.Errorf("%s fetched %d times, and not because worker 0 had it in flight when killed (killed at +0; fetches: %s)",
				target, n, log.describe(target, killedAt))
		}
		twice++
	}
	t.Logf("%d URLs fetched twice", twice)
	if n := site.Requests()[killTarget]; n != 2 {
		t.Errorf("%s, in flight at the kill, was fetched %d times, want 2 (once more by a live worker)", killTarget, n)
	}
	if twice > concurrency {
		t.Errorf("%d URLs fetched twice; worker 0 had at most %d in flight", twice, concurrency)
	}
	code, stdout, stderr := runCLI(t, "", "status", "--redis", "redis://"+addr+"/0", "--job", "killtest")
	if code != 0 || !strings.Contains(stdout, "crawl:      finished") {
		t.Errorf("status: exit %d\n%s%s", code, stdout, stderr)
	}
}

func redisTotal(site *testsite.Site) int {
	total := 0
	for _, n := range site.Requests() {
		total += n
	}
	return total
}
