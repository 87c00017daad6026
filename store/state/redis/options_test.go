package redis

import (
	"context"
	"errors"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state/statetest"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
	"github.com/imgcrawl/imgcrawl/store/state"
)

func TestJobName(t *testing.T) {
	base := JobName([]string{"http://a/", "http://b/"}, "depth=2")
	if !regexp.MustCompile(`^job-[0-9a-f]{12}$`).MatchString(base) {
		t.Fatalf("JobName = %q, want job- and 12 hex digits", base)
	}
	if err := checkJob(base); err != nil {
		t.Errorf("a default job name is refused: %v", err)
	}
	for _, tc := range []struct {
		name     string
		seeds    []string
		settings string
		same     bool
	}{
		{"same input", []string{"http://a/", "http://b/"}, "depth=2", true},
		{"seeds in another order", []string{"http://b/", "http://a/"}, "depth=2", true},
		{"a repeated seed", []string{"http://b/", "http://a/", "http://a/"}, "depth=2", true},
		{"other settings", []string{"http://a/", "http://b/"}, "depth=3", false},
		{"other seeds", []string{"http://a/"}, "depth=2", false},
		{"seed text moved into settings", []string{"http://a/"}, "http://b/\ndepth=2", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := JobName(tc.seeds, tc.settings); (got == base) != tc.same {
				t.Errorf("JobName = %q vs %q, want same %v", got, base, tc.same)
			}
		})
	}
}

func TestOptionsAreValidated(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Options
		want string
	}{
		{"no job", Options{}, "no job name"},
		{"brace in job", Options{Job: "a}b"}, "only letters"},
		{"space in job", Options{Job: "a b"}, "only letters"},
		{"long job", Options{Job: strings.Repeat("j", 129)}, "longer than 128"},
		{"renew not shorter than lease", Options{Job: "j", Lease: time.Second, Renew: time.Second}, "renew interval"},
		{"tiny lease", Options{Job: "j", Lease: time.Millisecond}, "too short"},
		{"negative cap", Options{Job: "j", PerHost: -1}, "per-host"},
		{"negative rate", Options{Job: "j", Rate: -1}, "rates"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), "redis://127.0.0.1:1/0", tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open = %v, want an error with %q", err, tc.want)
			}
		})
	}
	o, err := Options{Job: "j"}.withDefaults()
	if err != nil || o.Lease != DefaultLease || o.Renew != DefaultLease/3 || o.PerHost != DefaultPerHost || o.Worker == "" {
		t.Errorf("defaults = %+v, %v", o, err)
	}
}

func TestOpenErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	for _, tc := range []struct {
		name string
		url  string
		want []string
		not  string
	}{
		{"nothing listening", "redis://" + closed + "/0", []string{"redis: cannot reach redis at " + closed}, ""},
		{"not a redis URL", "http://user:hunter2@h/", []string{"bad redis URL"}, "hunter2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(context.Background(), tc.url, Options{Job: "j"})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tc.not != "" && strings.Contains(err.Error(), tc.not) {
				t.Errorf("error %q shows %q", err, tc.not)
			}
		})
	}
}

func TestRedisLostMidCrawl(t *testing.T) {
	srv := redistest.StartServer(t)
	s := rsOpen(t, srv.Addr, Options{})
	ctx := context.Background()
	statetest.MustAdd(t, s, statetest.Page("http://h/a", 0), statetest.Page("http://h/b", 0))
	got := statetest.MustTake(t, s, 1, time.Now())
	srv.Kill()
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"add", func() error { _, err := s.Add(cctx, []state.Item{statetest.Page("http://h/c", 0)}); return err }},
		{"take", func() error { _, err := s.Take(cctx, 1, time.Now()); return err }},
		{"done", func() error { return s.Done(cctx, got[0], state.Outcome{Status: state.Parsed}) }},
		{"counts", func() error { _, err := s.Counts(cctx); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil || !strings.Contains(err.Error(), "redis: ") || !strings.Contains(err.Error(), srv.Addr) {
				t.Errorf("%s with Redis gone = %v, want an error naming %s", tc.name, err, srv.Addr)
			}
		})
	}
	if _, _, ok := s.Gate().Acquire("h"); ok {
		t.Error("the gate granted a request without Redis")
	}
	srv.Restart()
	// The client reconnects within a few seconds, to a server that came
	// back empty (no persistence): the job is lost, and every call says so
	// rather than taking the empty server for a finished job.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := s.Counts(ctx)
		if errors.Is(err, ErrJobLost) {
			break
		}
		if err == nil {
			t.Fatal("Counts succeeded on a server that lost the job")
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reconnection after a restart: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := s.Add(ctx, []state.Item{statetest.Page("http://h/z", 0)}); !errors.Is(err, ErrJobLost) {
		t.Errorf("Add after the job was lost = %v, want ErrJobLost", err)
	}
}
