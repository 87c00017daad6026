package redis

import (
	"context"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state/statetest"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// Short leases, so that expiry can be seen within a test.
var rsShort = Options{Lease: time.Second, Renew: 300 * time.Millisecond}

func rsWorker(t *testing.T, addr, job, name string) *State {
	opt := rsShort
	opt.Job, opt.Worker = job, name
	return rsOpen(t, addr, opt)
}

func TestLeases(t *testing.T) {
	addr := rsServer(t)
	ctx := context.Background()
	now := time.Now()

	t.Run("renewed leases outlive the lease time", func(t *testing.T) {
		t.Parallel()
		job := rsJob(t)
		a, b := rsWorker(t, addr, job, "a"), rsWorker(t, addr, job, "b")
		statetest.MustAdd(t, a, statetest.Page("http://h/a", 0))
		statetest.WantURLs(t, "a takes", statetest.MustTake(t, a, 1, now), "http://h/a")
		time.Sleep(2500 * time.Millisecond)
		statetest.WantURLs(t, "b while a renews", statetest.MustTake(t, b, 10, time.Now()))
		if c := statetest.MustCounts(t, b); c.PagesPending != 1 {
			t.Errorf("PagesPending = %d, want 1 (leased)", c.PagesPending)
		}
	})

	t.Run("a dead worker's item goes to another after the lease", func(t *testing.T) {
		t.Parallel()
		job := rsJob(t)
		a, b := rsWorker(t, addr, job, "a"), rsWorker(t, addr, job, "b")
		statetest.MustAdd(t, a, statetest.Page("http://h/a", 0), statetest.Page("http://h/deeper", 1))
		got := statetest.MustTake(t, a, 10, now)
		statetest.WantURLs(t, "a takes", got, "http://h/a")
		rsDie(a)
		statetest.WantURLs(t, "b before the lease runs out (the barrier holds depth 1)", statetest.MustTake(t, b, 10, time.Now()))
		time.Sleep(1200 * time.Millisecond)
		again := statetest.MustTake(t, b, 10, time.Now())
		statetest.WantURLs(t, "b after the lease ran out", again, "http://h/a")
		statetest.MustDone(t, b, again[0], state.Outcome{Status: state.Parsed})
		statetest.WantURLs(t, "b after depth 0", statetest.MustTake(t, b, 10, time.Now()), "http://h/deeper")
		// The dead worker's Done comes too late: harmless.
		statetest.MustDone(t, a, got[0], state.Outcome{Status: state.Parsed})
		if c := statetest.MustCounts(t, b); c.PagesDone != 1 || c.PagesPending != 1 {
			t.Errorf("counts = %+v, want 1 page done, 1 pending", c)
		}
	})

	t.Run("late done after re-lease completes the item once", func(t *testing.T) {
		t.Parallel()
		job := rsJob(t)
		a, b := rsWorker(t, addr, job, "a"), rsWorker(t, addr, job, "b")
		statetest.MustAdd(t, a, statetest.Image("http://h/1.png", 0))
		got := statetest.MustTake(t, a, 1, now)
		rsDie(a)
		time.Sleep(1200 * time.Millisecond)
		again := statetest.MustTake(t, b, 1, time.Now())
		statetest.WantURLs(t, "b re-takes", again, "http://h/1.png")
		statetest.MustDone(t, a, got[0], state.Outcome{Status: state.Saved, Bytes: 10})
		statetest.MustDone(t, b, again[0], state.Outcome{Status: state.Duplicate, Bytes: 10})
		if err := b.Requeue(ctx, again[0]); err != nil {
			t.Fatal(err)
		}
		want := state.Counts{Saved: 1, Bytes: 10, Seen: 1}
		if c := statetest.MustCounts(t, b); c != want {
			t.Errorf("counts = %+v, want %+v", c, want)
		}
		statetest.WantURLs(t, "nothing left", statetest.MustTake(t, b, 10, time.Now().Add(time.Hour)))
	})

	t.Run("late done of a reclaimed item not yet re-taken", func(t *testing.T) {
		t.Parallel()
		job := rsJob(t)
		a, b := rsWorker(t, addr, job, "a"), rsWorker(t, addr, job, "b")
		statetest.MustAdd(t, a, statetest.Page("http://h/p", 0))
		got := statetest.MustTake(t, a, 1, now)
		rsDie(a)
		time.Sleep(1200 * time.Millisecond)
		statetest.WantURLs(t, "Take(0) reclaims only", statetest.MustTake(t, b, 0, time.Now()))
		statetest.MustDone(t, a, got[0], state.Outcome{Status: state.Parsed})
		statetest.WantURLs(t, "b finds nothing", statetest.MustTake(t, b, 10, time.Now()))
		if c := statetest.MustCounts(t, b); c.PagesDone != 1 || c.PagesPending != 0 {
			t.Errorf("counts = %+v, want 1 page done, none pending", c)
		}
	})

	t.Run("requeue by a worker that lost the lease is ignored", func(t *testing.T) {
		t.Parallel()
		job := rsJob(t)
		a, b := rsWorker(t, addr, job, "a"), rsWorker(t, addr, job, "b")
		statetest.MustAdd(t, a, statetest.Page("http://h/p", 0))
		got := statetest.MustTake(t, a, 1, now)
		rsDie(a)
		time.Sleep(1200 * time.Millisecond)
		statetest.WantURLs(t, "b re-takes", statetest.MustTake(t, b, 1, time.Now()), "http://h/p")
		late := got[0]
		late.NotBefore = time.Now().Add(time.Hour)
		if err := a.Requeue(ctx, late); err != nil {
			t.Fatal(err)
		}
		if c := statetest.MustCounts(t, b); c.PagesPending != 1 {
			t.Fatalf("PagesPending = %d, want 1", c.PagesPending)
		}
		// Still b's: b's renewals keep it, and nothing is ready.
		time.Sleep(1200 * time.Millisecond)
		statetest.WantURLs(t, "a third worker finds nothing", statetest.MustTake(t, rsWorker(t, addr, job, "c"), 10, time.Now().Add(2*time.Hour)))
	})

	t.Run("close hands leased items back at once", func(t *testing.T) {
		t.Parallel()
		job := rsJob(t)
		a, b := rsWorker(t, addr, job, "a"), rsWorker(t, addr, job, "b")
		statetest.MustAdd(t, a, statetest.Page("http://h/p", 0), statetest.Image("http://h/1.png", 0))
		statetest.WantURLs(t, "a takes", statetest.MustTake(t, a, 10, now), "http://h/p", "http://h/1.png")
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		statetest.WantURLs(t, "b takes at once", statetest.MustTake(t, b, 10, time.Now()), "http://h/p", "http://h/1.png")
	})
}
