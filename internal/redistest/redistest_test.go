package redistest

import "testing"

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
