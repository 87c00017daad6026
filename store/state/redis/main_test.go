package redis

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/imgcrawl/imgcrawl/internal/redistest"
	"github.com/imgcrawl/imgcrawl/store/state"
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
	if opt.Job == "" {
		opt.Job = rsJob(t)
	}
	s, err := Open(context.Background(), "redis://"+addr+"/0", opt)
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

func rsPage(url string, depth int) state.Item {
	return state.Item{Key: state.KeyOf(url), URL: url, Kind: state.KindPage, Depth: depth}
}

func rsImage(url string, depth int) state.Item {
	return state.Item{Key: state.KeyOf(url), URL: url, Kind: state.KindImage, Depth: depth, Page: "http://h/page"}
}

func rsURLs(items []state.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.URL)
	}
	return out
}

func rsAdd(t *testing.T, s state.State, items ...state.Item) []bool {
	t.Helper()
	added, err := s.Add(context.Background(), items)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	return added
}

func rsTake(t *testing.T, s state.State, max int, now time.Time) []state.Item {
	t.Helper()
	items, err := s.Take(context.Background(), max, now)
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	return items
}

func rsDone(t *testing.T, s state.State, it state.Item, out state.Outcome) {
	t.Helper()
	if err := s.Done(context.Background(), it, out); err != nil {
		t.Fatalf("Done: %v", err)
	}
}

func rsCounts(t *testing.T, s state.State) state.Counts {
	t.Helper()
	c, err := s.Counts(context.Background())
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	return c
}

func rsWant(t *testing.T, what string, got []state.Item, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	g := rsURLs(got)
	if strings.Join(g, " ") != strings.Join(want, " ") || len(g) != len(want) {
		t.Errorf("%s: got %q, want %q", what, g, want)
	}
}
