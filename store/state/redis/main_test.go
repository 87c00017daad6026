package redis

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// rsFixedNow is the clock the frontier tests pass to Take.
var rsFixedNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// rsJob turns a test's name into a job name of its own.
func rsJob(t *testing.T) string {
	return "t-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, t.Name())
}

// rsOpen opens a worker of job on the Redis at addr, closed at cleanup.
func rsOpen(t *testing.T, addr string, opt Options) *State {
	t.Helper()
	return rsOpenURL(t, "redis://"+addr+"/0", opt)
}

// rsOpenURL opens a worker of job on the Redis that url names.
func rsOpenURL(t *testing.T, url string, opt Options) *State {
	t.Helper()
	if opt.Job == "" {
		opt.Job = rsJob(t)
	}
	s, err := Open(context.Background(), url, opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rsDie stops a worker the way kill -9 would look to the job: no more lease
// renewals and no hand-back. Its connection is closed at cleanup.
func rsDie(s *State) {
	s.cancel()
	s.wg.Wait()
}

func rsServer(t *testing.T) string { return redistest.Start(t) }
