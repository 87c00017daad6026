package redistest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Cluster is a Redis Cluster of real servers, started by StartCluster.
type Cluster struct {
	Nodes []*Server // masters first, then their replicas
	t     testing.TB
}

// StartCluster starts a Redis Cluster on loopback: masters masters, each
// with replicas replicas, an append-only file on every node, and a node
// timeout of one second, so that a replica takes over a dead master within
// a few seconds (cluster-replica-validity-factor 0: a replica always may).
// The nodes are joined with redis-cli --cluster create
// (package redis-tools, which redis-server depends on; without it the test
// is skipped, or fails when the environment variable CI is set). It returns once
// every node reports cluster_state:ok and every replica is in sync; the
// nodes stop in t.Cleanup.
func StartCluster(t testing.TB, masters, replicas int) *Cluster {
	t.Helper()
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("redis-cli not found: run make deps (or apt-get install -y redis-tools)")
		}
		t.Fatal("redis-cli not found: make deps installs it (apt-get install -y redis-tools)")
	}
	c := &Cluster{t: t}
	// Disk-based replication, as in StartSentinels (see there).
	args := []string{"--save", "", "--appendonly", "yes", "--appendfsync", "always",
		"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
		"--cluster-replica-validity-factor", "0", "--repl-diskless-sync", "no"}
	var addrs []string
	for range masters * (1 + replicas) {
		s := start(t, args)
		c.Nodes = append(c.Nodes, s)
		addrs = append(addrs, s.Addr)
	}
	create := append([]string{"--cluster", "create"}, addrs...)
	create = append(create, "--cluster-replicas", fmt.Sprint(replicas), "--cluster-yes")
	if out, err := exec.Command(cli, create...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.WaitOK(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	for _, n := range c.Nodes[masters:] {
		if err := n.waitReplicating(30 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// waitReplicating waits until a replica is in sync with its master: a
// replica killed over before that has nothing to take over with.
func (s *Server) waitReplicating(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		info, err := s.do("INFO", "replication")
		if err == nil && strings.Contains(info, "master_link_status:up") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redistest: replica %s not in sync after %v: %v\n%s", s.Addr, timeout, err, info)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Addrs returns every node's address.
func (c *Cluster) Addrs() []string {
	var out []string
	for _, n := range c.Nodes {
		out = append(out, n.Addr)
	}
	return out
}

// URL returns a redis:// URL that names the first node and lists the
// others in addr= parameters.
func (c *Cluster) URL() string {
	u := "redis://" + c.Nodes[0].Addr
	for i, n := range c.Nodes[1:] {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		u += sep + "addr=" + n.Addr
	}
	return u
}

// WaitOK waits until every live node reports cluster_state:ok and agrees
// on who serves every slot.
func (c *Cluster) WaitOK(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := c.ok()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redistest: cluster not ok after %v: %w", timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *Cluster) ok() error {
	for _, n := range c.Nodes {
		if !n.Running() {
			continue
		}
		info, err := n.do("CLUSTER", "INFO")
		if err != nil {
			return err
		}
		if !strings.Contains(info, "cluster_state:ok") {
			return fmt.Errorf("node %s: not ok", n.Addr)
		}
	}
	return nil
}

// MasterOf returns the node that serves key now.
func (c *Cluster) MasterOf(key string) *Server {
	c.t.Helper()
	m := c.masterOf(key)
	if m == nil {
		c.t.Fatalf("redistest: no node serves %q", key)
	}
	return m
}

// WaitServed waits until a running node serves key, as every running node
// sees it, and the cluster is ok: after a master is killed, until its
// replica has taken over.
func (c *Cluster) WaitServed(key string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if m := c.masterOf(key); m != nil && m.Running() && c.ok() == nil {
			return nil
		}
		if time.Now().After(deadline) {
			var nodes string
			for _, n := range c.Nodes {
				if n.Running() {
					nodes, _ = n.do("CLUSTER", "NODES")
					break
				}
			}
			return fmt.Errorf("redistest: no live node serves %q after %v; nodes:\n%s", key, timeout, nodes)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// masterOf returns the node that the running nodes agree serves key, or
// nil.
func (c *Cluster) masterOf(key string) *Server {
	var found *Server
	for _, n := range c.Nodes {
		if !n.Running() {
			continue
		}
		cl := n.client()
		slot, err := cl.ClusterKeySlot(context.Background(), key).Result()
		if err != nil {
			cl.Close()
			continue
		}
		nodes, err := cl.ClusterNodes(context.Background()).Result()
		cl.Close()
		if err != nil {
			continue
		}
		addr := servingAddr(nodes, slot)
		for _, m := range c.Nodes {
			if m.Addr != addr {
				continue
			}
			if found != nil && found != m {
				return nil // the nodes disagree
			}
			found = m
		}
	}
	return found
}

// Running reports whether the server process is up (not killed or stopped).
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd != nil
}

// client is a plain go-redis client on the server; the caller closes it.
func (s *Server) client() *goredis.Client {
	return goredis.NewClient(&goredis.Options{Addr: s.Addr, Protocol: 2, DisableIdentity: true,
		DialTimeout: time.Second, MaxRetries: -1})
}

// do runs one command on the server and returns its reply as text.
func (s *Server) do(args ...any) (string, error) {
	cl := s.client()
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	v, err := cl.Do(ctx, args...).Result()
	if err != nil {
		return "", err
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return fmt.Sprint(v), nil
}

// Do runs one command on the server (FLUSHALL, CONFIG SET...) and fails
// the test on an error.
func (s *Server) Do(args ...any) string {
	s.t.Helper()
	out, err := s.do(args...)
	if err != nil && !errors.Is(err, goredis.Nil) {
		s.t.Fatalf("redistest: %v on %s: %v", args, s.Addr, err)
	}
	return out
}

// servingAddr reads CLUSTER NODES output ("ID HOST:PORT@BUSPORT FLAGS
// MASTER PING PONG EPOCH LINK SLOT..." a line) for the master that serves
// slot, and returns its HOST:PORT ("" if none).
func servingAddr(nodes string, slot int64) string {
	for line := range strings.SplitSeq(nodes, "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || !strings.Contains(f[2], "master") || strings.Contains(f[2], "fail") {
			continue
		}
		addr, _, _ := strings.Cut(f[1], "@")
		for _, r := range f[8:] {
			lo, hi, isRange := strings.Cut(r, "-")
			a, errA := strconv.ParseInt(lo, 10, 64)
			b := a
			var errB error
			if isRange {
				b, errB = strconv.ParseInt(hi, 10, 64)
			}
			if errA == nil && errB == nil && a <= slot && slot <= b {
				return addr
			}
		}
	}
	return ""
}
