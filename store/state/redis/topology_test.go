package redis

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
	"github.com/imgcrawl/imgcrawl/store/state"
	"github.com/imgcrawl/imgcrawl/store/state/statetest"
)

// TestClusterAndSentinel runs the conformance suite through a Redis
// Cluster (the job's scripts work because its keys share a hash tag) and
// through Sentinel, and checks the URL forms that select them.
func TestClusterAndSentinel(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 0)
	st := redistest.StartSentinels(t, 1, 1)
	for _, tc := range []struct {
		name string
		url  string
		topo Topology
	}{
		{"cluster from one node", "redis://" + cl.Nodes[1].Addr, Cluster},
		{"cluster with addr=", cl.URL(), Cluster},
		{"sentinel", st.URL(), Sentinel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			open := func(t *testing.T) *State { return rsOpenURL(t, tc.url, Options{}) }
			s := open(t)
			if s.Topology() != tc.topo {
				t.Errorf("Topology = %s, want %s", s.Topology(), tc.topo)
			}
			statetest.MustAdd(t, s, statetest.Page("http://h/a", 0))
			js, err := Status(context.Background(), tc.url, s.Job())
			if err != nil || js.Generation != s.Generation() || js.ReadyPages != 1 || len(js.Workers) != 1 || !js.Workers[0].Live {
				t.Errorf("Status = %+v, %v", js, err)
			}
			statetest.Run(t, func(t *testing.T) state.State { return open(t) }, statetest.Options{MetaFirstWriterWins: true})
		})
	}
	t.Run("cluster loses the job", func(t *testing.T) {
		s := rsOpenURL(t, cl.URL(), Options{})
		cl.MasterOf(s.k.gen()).Do("FLUSHALL")
		if _, err := s.Take(context.Background(), 1, time.Now()); !strings.Contains(errString(err), "is gone from redis at cluster via") {
			t.Errorf("Take after FLUSHALL on the job's master = %v", err)
		}
	})
	for _, tc := range []struct{ name, url, want string }{
		{"addr= on a single server", "redis://" + st.Servers[0].Addr + "/0?addr=" + st.Servers[1].Addr, "is neither"},
		{"cluster database 1", "redis://" + cl.Nodes[0].Addr + "/1", "database 0 only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(context.Background(), tc.url, Options{Job: "j"})
			if err == nil {
				s.Close()
			}
			if !strings.Contains(errString(err), tc.want) {
				t.Errorf("Open(%s) = %v, want an error saying %q", tc.url, err, tc.want)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestClusterMasterKilled: the replica that takes over from the job's
// master has the job, and a worker carries on with it within seconds.
func TestClusterMasterKilled(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 1)
	s := rsOpenURL(t, cl.URL(), Options{})
	ctx := context.Background()
	statetest.MustAdd(t, s, statetest.Page("http://h/a", 0), statetest.Page("http://h/b", 0))
	m := cl.MasterOf(s.k.gen())
	// Replication is asynchronous: wait until the replica has the job
	// before the kill, or (on a loaded machine) it takes over without it
	// and the worker rightly reports the job lost.
	if got := m.Do("WAIT", "1", "10000"); got != "1" {
		t.Fatalf("WAIT 1 10000 on the job's master = %q, want 1 replica in step", got)
	}
	m.Kill()
	if err := cl.WaitServed(s.k.gen(), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	n := cl.MasterOf(s.k.gen())
	t.Logf("killed %s, now %s; gen there: %q", m.Addr, n.Addr, n.Do("GET", s.k.gen()))
	start := time.Now()
	for {
		_, err := s.Counts(ctx)
		if err == nil {
			break
		}
		if errors.Is(err, ErrJobLost) || time.Since(start) > 20*time.Second {
			t.Fatalf("Counts after the failover: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("the worker reached the new master %v after it took over", time.Since(start))
	statetest.WantURLs(t, "Take after the failover", statetest.MustTake(t, s, 5, time.Now()), "http://h/a", "http://h/b")
}

// TestFailoverToAReplicaWithoutTheJob: Sentinel promotes a replica that
// lacks the job (here its generation was deleted on the replica alone, as
// a replica that never synced would lack it): the worker gets
// ErrJobLost, not an empty job to take for finished.
func TestFailoverToAReplicaWithoutTheJob(t *testing.T) {
	st := redistest.StartSentinels(t, 1, 1)
	s := rsOpenURL(t, st.URL(), Options{})
	ctx := context.Background()
	statetest.MustAdd(t, s, statetest.Page("http://h/a", 0))
	replica := st.Servers[1]
	replica.Do("CONFIG", "SET", "replica-read-only", "no")
	replica.Do("DEL", s.k.gen())
	old := st.Master()
	old.Kill()
	if err := st.WaitFailover(old, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := s.Take(ctx, 1, time.Now())
		if errors.Is(err, ErrJobLost) {
			return
		}
		if err == nil {
			t.Fatal("Take succeeded on a master without the job")
		}
		if time.Now().After(deadline) {
			t.Fatalf("Take after the failover: %v, want ErrJobLost", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
