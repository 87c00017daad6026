package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
	"github.com/imgcrawl/imgcrawl/store/state"
	"github.com/imgcrawl/imgcrawl/store/state/statetest"
)

// rsClient is a plain client on addr, closed at cleanup.
func rsClient(t *testing.T, addr string) *goredis.Client {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { c.Close() })
	return c
}

// rsAllCalls runs every state call that touches the job and returns their
// errors by name.
func rsAllCalls(ctx context.Context, s *State, held state.Item) map[string]error {
	errs := map[string]error{}
	_, errs["add"] = s.Add(ctx, []state.Item{statetest.Page("http://h/new", 0)})
	_, errs["take"] = s.Take(ctx, 1, time.Now())
	errs["done"] = s.Done(ctx, held, state.Outcome{Status: state.Parsed})
	errs["requeue"] = s.Requeue(ctx, held)
	_, errs["counts"] = s.Counts(ctx)
	_, _, errs["claim"] = s.ClaimContent(ctx, [32]byte{1}, "a.png", held.Key)
	return errs
}

// TestFlushAllLosesTheJobLoudly: after FLUSHALL every call of every worker
// fails with a *JobLostError, and nothing is written back into the empty
// server; a worker that joins afterwards starts the job over under a new
// generation, and the old workers then say the job was replaced.
func TestFlushAllLosesTheJobLoudly(t *testing.T) {
	addr := rsServer(t)
	ctx := context.Background()
	a, b := rsOpen(t, addr, Options{}), rsOpen(t, addr, Options{})
	if a.Generation() == "" || a.Generation() != b.Generation() {
		t.Fatalf("generations %q and %q, want one non-empty", a.Generation(), b.Generation())
	}
	statetest.MustAdd(t, a, statetest.Page("http://h/a", 0), statetest.Page("http://h/b", 0))
	ta := statetest.MustTake(t, a, 1, time.Now())
	tb := statetest.MustTake(t, b, 1, time.Now())
	rc := rsClient(t, addr)
	if err := rc.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string]struct {
		s    *State
		held state.Item
	}{"a": {a, ta[0]}, "b": {b, tb[0]}} {
		for call, err := range rsAllCalls(ctx, w.s, w.held) {
			var le *JobLostError
			if !errors.As(err, &le) || !errors.Is(err, ErrJobLost) || le.Now != "" || le.Gen != a.Generation() {
				t.Errorf("worker %s: %s after FLUSHALL = %v, want a *JobLostError with no generation now", name, call, err)
			}
		}
	}
	if n, err := rc.DBSize(ctx).Result(); err != nil || n != 0 {
		t.Errorf("the lost job's workers wrote %d keys into the emptied server (%v)", n, err)
	}

	c := rsOpen(t, addr, Options{})
	if c.Generation() == a.Generation() {
		t.Fatal("a worker joining the emptied server reused the lost generation")
	}
	statetest.MustAdd(t, c, statetest.Page("http://h/a", 0))
	// a remembers the loss; a fresh look from b sees the new generation.
	if _, err := a.Counts(ctx); !errors.Is(err, ErrJobLost) {
		t.Errorf("a after the job was started over = %v", err)
	}
	b2 := &State{rdb: b.rdb, opt: b.opt, k: b.k, fkeys: b.fkeys, where: b.where, gen: b.gen,
		held: map[state.Key]struct{}{}}
	_, err := b2.Take(ctx, 1, time.Now())
	var le *JobLostError
	if !errors.As(err, &le) || le.Now != c.Generation() || !strings.Contains(err.Error(), "replaced") {
		t.Errorf("an old worker on the new job = %v, want a *JobLostError naming generation %s", err, c.Generation())
	}
}

// TestRenewalNoticesALostJob: a worker with nothing to do still learns of
// the loss within a renewal period.
func TestRenewalNoticesALostJob(t *testing.T) {
	addr := rsServer(t)
	s := rsOpen(t, addr, Options{Lease: 300 * time.Millisecond})
	if err := rsClient(t, addr).Del(context.Background(), s.k.gen()).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.lostErr() == nil {
		if time.Now().After(deadline) {
			t.Fatal("the renewal loop did not notice the job's generation was deleted")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.check(); !errors.Is(err, ErrJobLost) {
		t.Errorf("check = %v", err)
	}
}

// TestRestartWithAppendOnlyFileLosesNothing: a server with AOF killed with
// SIGKILL and restarted still holds the job: the same generation, the
// leased item, the queue and the counts.
func TestRestartWithAppendOnlyFileLosesNothing(t *testing.T) {
	srv := redistest.StartPersistent(t)
	s := rsOpen(t, srv.Addr, Options{})
	ctx := context.Background()
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("warnings for a server with AOF and noeviction: %q", w)
	}
	statetest.MustAdd(t, s, statetest.Page("http://h/a", 0), statetest.Page("http://h/b", 0), statetest.Image("http://h/i.png", 0))
	got := statetest.MustTake(t, s, 1, time.Now())
	srv.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.Done(ctx, got[0], state.Outcome{Status: state.Parsed})
		if err == nil {
			break
		}
		if errors.Is(err, ErrJobLost) || time.Now().After(deadline) {
			t.Fatalf("Done after a restart with AOF: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	c, err := s.Counts(ctx)
	if err != nil || c.PagesDone != 1 || c.PagesPending != 1 || c.ImagesPending != 1 || c.Seen != 3 {
		t.Errorf("counts after restart = %+v, %v", c, err)
	}
	statetest.WantURLs(t, "Take after restart", statetest.MustTake(t, s, 5, time.Now()), "http://h/b", "http://h/i.png")
}

func TestClassify(t *testing.T) {
	s := &State{opt: Options{Job: "j"}, where: "127.0.0.1:1", gen: "g1"}
	for _, tc := range []struct {
		err         error
		unavailable bool
		lost        bool
	}{
		{errors.New("LOADING Redis is loading the dataset in memory"), true, false},
		{errors.New("READONLY You can't write against a read only replica."), true, false},
		{errors.New("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."), true, false},
		{errors.New("CLUSTERDOWN The cluster is down"), true, false},
		{errors.New("TRYAGAIN Multiple keys request during rehashing of slot"), true, false},
		{errors.New("ERR unknown command"), false, false},
		{errors.New("OOM command not allowed when used memory > 'maxmemory'."), false, false},
		{errors.New("JOBLOST g2"), false, true},
	} {
		t.Run(tc.err.Error(), func(t *testing.T) {
			err := s.classify("take", tc.err)
			if errors.Is(err, state.ErrUnavailable) != tc.unavailable || errors.Is(err, ErrJobLost) != tc.lost {
				t.Errorf("classify = %v: unavailable %v, lost %v; want %v, %v", err,
					errors.Is(err, state.ErrUnavailable), errors.Is(err, ErrJobLost), tc.unavailable, tc.lost)
			}
			if !tc.lost && !strings.Contains(err.Error(), "redis: take (redis at 127.0.0.1:1)") {
				t.Errorf("classify = %v: does not say what and where", err)
			}
		})
	}
}

// TestWarnings: a worker warns, naming the setting, about a server that
// keeps nothing across a restart or that may evict the job's keys.
func TestWarnings(t *testing.T) {
	addr := rsServer(t) // no persistence
	rc := rsClient(t, addr)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		config map[string]string
		want   []string
	}{
		{"no persistence", nil, []string{`appendonly no, save ""`}},
		{"snapshots", map[string]string{"save": "3600 1"}, nil},
		{"evicting", map[string]string{"save": "3600 1", "maxmemory-policy": "allkeys-lru"},
			[]string{"maxmemory-policy allkeys-lru", "set maxmemory-policy noeviction"}},
		{"aof, no eviction", map[string]string{"save": "", "appendonly": "yes", "maxmemory-policy": "noeviction"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.config {
				if err := rc.ConfigSet(ctx, k, v).Err(); err != nil {
					t.Fatal(err)
				}
			}
			s := rsOpen(t, addr, Options{Job: fmt.Sprintf("warn-%d", time.Now().UnixNano())})
			got := strings.Join(s.Warnings(), "\n")
			if len(tc.want) == 0 && got != "" {
				t.Errorf("warnings: %s", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("warnings do not say %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestJoinNeedsAJob: a worker that only joins does not start a job Redis
// lost (or never had); one with Join set finds a job that is there.
func TestJoinNeedsAJob(t *testing.T) {
	addr := rsServer(t)
	ctx := context.Background()
	_, err := Open(ctx, "redis://"+addr+"/0", Options{Job: "j", Join: true})
	if !errors.Is(err, ErrNoJob) {
		t.Errorf("Join of no job = %v, want ErrNoJob", err)
	}
	if n := rsClient(t, addr).DBSize(ctx).Val(); n != 0 {
		t.Errorf("a failed join left %d keys", n)
	}
	a := rsOpen(t, addr, Options{Job: "j"})
	if b := rsOpen(t, addr, Options{Job: "j", Join: true}); b.Generation() != a.Generation() {
		t.Errorf("joined generation %q, want %q", b.Generation(), a.Generation())
	}
}
