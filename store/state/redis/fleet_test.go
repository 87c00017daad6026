package redis

import (
	"context"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
	"github.com/imgcrawl/imgcrawl/store/state/statetest"
)

// TestStatusShowsTheFleet: Status reports the job's counts, its queue and
// each worker with its leases; a worker that stopped renewing turns
// silent after its lease; a worker that closes leaves the list; a job
// Redis does not hold has no generation, and asking creates nothing.
func TestStatusShowsTheFleet(t *testing.T) {
	addr := rsServer(t)
	ctx := context.Background()
	url := "redis://" + addr + "/0"
	const lease = 400 * time.Millisecond
	a := rsOpen(t, addr, Options{Worker: "a", Lease: lease})
	b := rsOpen(t, addr, Options{Worker: "b", Lease: lease})
	statetest.MustAdd(t, a, statetest.Page("http://h/1", 0), statetest.Page("http://h/2", 0),
		statetest.Image("http://h/i.png", 0), statetest.Image("http://h/j.png", 0))
	took := statetest.MustTake(t, a, 2, time.Now())
	statetest.MustTake(t, b, 1, time.Now())
	if err := a.Done(ctx, took[0], state.Outcome{Status: state.Parsed}); err != nil {
		t.Fatal(err)
	}

	st, err := Status(ctx, url, a.Job())
	if err != nil {
		t.Fatal(err)
	}
	if st.Generation != a.Generation() || st.Finished() || st.Counts.Seen != 4 || st.Counts.PagesDone != 1 {
		t.Errorf("status = %+v", st)
	}
	if st.ReadyPages+st.ReadyImages != 1 || st.Leased != 2 || st.Delayed != 0 {
		t.Errorf("queue: %d+%d ready, %d leased, %d delayed; want 1 ready, 2 leased", st.ReadyPages, st.ReadyImages, st.Leased, st.Delayed)
	}
	if len(st.Workers) != 2 || st.Workers[0].Name != "a" || st.Workers[0].Leased != 1 || st.Workers[1].Leased != 1 ||
		!st.Workers[0].Live || !st.Workers[1].Live || st.Workers[0].PID == 0 {
		t.Errorf("workers = %+v, want a and b live with one lease each", st.Workers)
	}

	rsDie(b) // no more heartbeats
	time.Sleep(2 * lease)
	st, err = Status(ctx, url, a.Job())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Workers) != 2 || !st.Workers[0].Live || st.Workers[1].Live {
		t.Errorf("after b stopped: workers = %+v, want a live and b silent", st.Workers)
	}
	a.Close()
	st, err = Status(ctx, url, a.Job())
	if err != nil || len(st.Workers) != 1 || st.Workers[0].Name != "b" {
		t.Errorf("after a closed: workers = %+v, %v, want b only", st.Workers, err)
	}

	keys := rsClient(t, addr).DBSize(ctx).Val()
	st, err = Status(ctx, url, "no-such-job")
	if err != nil || st.Generation != "" || st.Finished() || len(st.Workers) != 0 {
		t.Errorf("status of no job = %+v, %v", st, err)
	}
	if n := rsClient(t, addr).DBSize(ctx).Val(); n != keys {
		t.Errorf("Status created %d keys", n-keys)
	}
}
