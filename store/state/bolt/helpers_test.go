package bolt

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// Helpers for the bbolt tests in this package; the conformance suite that
// every State passes is in store/state/statetest (run by conformance_test.go).

// statePage and stateImage build frontier items for tests.
func statePage(url string, depth int) state.Item {
	return state.Item{Key: state.KeyOf(url), URL: url, Kind: state.KindPage, Depth: depth}
}

func stateImage(url string, depth int) state.Item {
	return state.Item{Key: state.KeyOf(url), URL: url, Kind: state.KindImage, Depth: depth, Page: "http://h/page"}
}

// stateURLs returns the URLs of items, in order.
func stateURLs(items []state.Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.URL)
	}
	return out
}

func stateMustAdd(t *testing.T, s state.State, items ...state.Item) []bool {
	t.Helper()
	added, err := s.Add(context.Background(), items)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	return added
}

func stateMustTake(t *testing.T, s state.State, max int, now time.Time) []state.Item {
	t.Helper()
	items, err := s.Take(context.Background(), max, now)
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	return items
}

func stateMustDone(t *testing.T, s state.State, it state.Item, out state.Outcome) {
	t.Helper()
	if err := s.Done(context.Background(), it, out); err != nil {
		t.Fatalf("Done: %v", err)
	}
}

func stateMustCounts(t *testing.T, s state.State) state.Counts {
	t.Helper()
	c, err := s.Counts(context.Background())
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	return c
}

func stateWantURLs(t *testing.T, what string, got []state.Item, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if g := stateURLs(got); !reflect.DeepEqual(g, want) {
		t.Errorf("%s: got %q, want %q", what, g, want)
	}
}
