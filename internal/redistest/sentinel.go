package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Sentinels is a master, its replicas and the Redis Sentinels that watch
// it, started by StartSentinels.
type Sentinels struct {
	Name      string    // the master's name for the Sentinels
	Servers   []*Server // the first master, then the replicas
	Sentinels []*Server
	t         testing.TB
}

// StartSentinels starts a master with replicas replicas (append-only files
// on all, every replica in sync before it returns) and n Sentinels (redis-server --sentinel) with a quorum of
// n/2+1, that consider the master down after one second of silence. It
// returns once every Sentinel knows all the replicas; everything stops in
// t.Cleanup.
func StartSentinels(t testing.TB, replicas, n int) *Sentinels {
	t.Helper()
	st := &Sentinels{Name: "imgcrawl", t: t}
	// Disk-based replication: after a diskless (socket) transfer, Redis 7.0
	// waits for the replica's first ACK to start streaming, and on a loaded
	// machine a replica was seen to stay "up" at offset 0 for a whole crawl,
	// so that the failover promoted an empty replica.
	persist := []string{"--save", "", "--appendonly", "yes", "--appendfsync", "always", "--repl-diskless-sync", "no"}
	master := start(t, persist)
	st.Servers = append(st.Servers, master)
	host, port, _ := net.SplitHostPort(master.Addr)
	for range replicas {
		r := start(t, append(slices.Clone(persist), "--replicaof", host, port))
		if err := r.waitReplicating(30 * time.Second); err != nil {
			t.Fatal(err)
		}
		st.Servers = append(st.Servers, r)
	}
	for range n {
		dir := t.TempDir()
		conf := filepath.Join(dir, "sentinel.conf")
		text := fmt.Sprintf("sentinel monitor %[1]s %[2]s %[3]s %[4]d\n"+
			"sentinel down-after-milliseconds %[1]s 1000\n"+
			"sentinel failover-timeout %[1]s 5000\n"+
			"sentinel parallel-syncs %[1]s 1\n", st.Name, host, port, n/2+1)
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := launchWith(dir, []string{conf, "--sentinel"})
		if err != nil {
			t.Fatalf("redistest: %v", err)
		}
		s.t = t
		t.Cleanup(s.Stop)
		st.Sentinels = append(st.Sentinels, s)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, s := range st.Sentinels {
		for {
			out, err := s.do("SENTINEL", "REPLICAS", st.Name)
			if err == nil && strings.Count(out, "slave") >= replicas && !strings.Contains(out, "s_down") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("redistest: sentinel %s does not know the %d replicas: %v %s", s.Addr, replicas, err, out)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return st
}

// URL returns the go-redis failover URL of the master: the first Sentinel,
// the others in addr=, the master's name in master_name=.
func (st *Sentinels) URL() string {
	u := "redis://" + st.Sentinels[0].Addr + "/0?master_name=" + st.Name
	for _, s := range st.Sentinels[1:] {
		u += "&addr=" + s.Addr
	}
	return u
}

// Master returns the server the Sentinels name as master now.
func (st *Sentinels) Master() *Server {
	st.t.Helper()
	for _, s := range st.Sentinels {
		cl := s.client()
		addr, err := cl.Do(context.Background(), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", st.Name).StringSlice()
		cl.Close()
		if err != nil || len(addr) != 2 {
			continue
		}
		for _, srv := range st.Servers {
			if srv.Addr == net.JoinHostPort(addr[0], addr[1]) {
				return srv
			}
		}
	}
	st.t.Fatalf("redistest: no sentinel names a master of %s", st.Name)
	return nil
}

// WaitFailover waits until the Sentinels name a master other than old and
// that master answers as one.
func (st *Sentinels) WaitFailover(old *Server, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		m := st.Master()
		if m != old {
			if role, err := m.do("ROLE"); err == nil && strings.Contains(role, "master") {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redistest: no failover from %s within %v", old.Addr, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
