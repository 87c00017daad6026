package redistest

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

func TestStartKillRestart(t *testing.T) {
	s := StartServer(t)
	steps := []struct {
		name   string
		action func()
		up     bool
	}{
		{"started", func() {}, true},
		{"killed", s.Kill, false},
		{"killed twice", s.Kill, false},
		{"restarted", s.Restart, true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.action()
			err := redistestPing(s.Addr)
			if st.up && err != nil {
				t.Errorf("PING %s: %v, want an answer", s.Addr, err)
			}
			if !st.up && err == nil {
				t.Errorf("PING %s answered after Kill", s.Addr)
			}
		})
	}
}

func TestStartGivesDistinctServers(t *testing.T) {
	a, b := Start(t), Start(t)
	if a == b {
		t.Fatalf("two servers on one address %s", a)
	}
	for _, addr := range []string{a, b} {
		if err := redistestPing(addr); err != nil {
			t.Errorf("PING %s: %v", addr, err)
		}
	}
}

// redistestDo sends one inline command and returns the first reply line.
func redistestDo(t *testing.T, addr, cmd string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte(cmd + "\r\n")); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(line, "$") && line != "$-1\r\n" {
		line, err = r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
	}
	return strings.TrimSpace(line)
}

func TestRestartKeepsDataOnlyWhenPersistent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(testing.TB) *Server
		want  string
	}{
		{"no persistence", StartServer, "$-1"},
		{"append-only file", StartPersistent, "v"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.start(t)
			if got := redistestDo(t, s.Addr, "SET k v"); got != "+OK" {
				t.Fatalf("SET = %q", got)
			}
			s.Restart()
			if got := redistestDo(t, s.Addr, "GET k"); got != tc.want {
				t.Errorf("GET after a kill and restart = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestClusterFailsOver(t *testing.T) {
	c := StartCluster(t, 3, 1)
	m := c.MasterOf("imgcrawl:{j}:gen")
	m.Kill()
	if err := c.WaitServed("imgcrawl:{j}:gen", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := c.MasterOf("imgcrawl:{j}:gen"); n == m || !n.Running() {
		t.Errorf("the slot is still served by the killed master %s", m.Addr)
	}
}

func TestSentinelsFailOver(t *testing.T) {
	st := StartSentinels(t, 1, 3)
	old := st.Master()
	if old != st.Servers[0] {
		t.Fatalf("master %s, want the first server %s", old.Addr, st.Servers[0].Addr)
	}
	old.Kill()
	if err := st.WaitFailover(old, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}
