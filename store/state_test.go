package store

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// Helpers for the bbolt tests in this package; the conformance suite that
// every State passes is in store/statetest (run by conformance_test.go).

// statePage and stateImage build frontier items for tests.
func statePage(url string, depth int) Item {
	return Item{Key: KeyOf(url), URL: url, Kind: KindPage, Depth: depth}
}

func stateImage(url string, depth int) Item {
	return Item{Key: KeyOf(url), URL: url, Kind: KindImage, Depth: depth, Page: "http://h/page"}
}

// stateURLs returns the URLs of items, in order.
func stateURLs(items []Item) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.URL)
	}
	return out
}

func stateMustAdd(t *testing.T, s State, items ...Item) []bool {
	t.Helper()
	added, err := s.Add(context.Background(), items)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	return added
}

func stateMustTake(t *testing.T, s State, max int, now time.Time) []Item {
	t.Helper()
	items, err := s.Take(context.Background(), max, now)
	if err != nil {
		t.Fatalf("Take: %v", err)
	}
	return items
}

func stateMustDone(t *testing.T, s State, it Item, out Outcome) {
	t.Helper()
	if err := s.Done(context.Background(), it, out); err != nil {
		t.Fatalf("Done: %v", err)
	}
}

func stateMustCounts(t *testing.T, s State) Counts {
	t.Helper()
	c, err := s.Counts(context.Background())
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	return c
}

func stateWantURLs(t *testing.T, what string, got []Item, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if g := stateURLs(got); !reflect.DeepEqual(g, want) {
		t.Errorf("%s: got %q, want %q", what, g, want)
	}
}
