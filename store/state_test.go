package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"
)

// The conformance suite every State implementation must pass.

func TestMemoryState(t *testing.T) {
	testState(t, func(*testing.T) State { return NewMemory() })
}

func TestBoltState(t *testing.T) {
	testState(t, func(t *testing.T) State {
		b, err := OpenBolt(filepath.Join(t.TempDir(), "state.db"), BoltOptions{NoSync: true, CommitInterval: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	})
}

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

func testState(t *testing.T, open func(t *testing.T) State) {
	ctx := context.Background()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

	t.Run("add dedupes", func(t *testing.T) {
		s := open(t)
		a, b, c := statePage("http://h/a", 0), statePage("http://h/b", 0), stateImage("http://h/c.png", 0)
		if got := stateMustAdd(t, s, a, b, a); !reflect.DeepEqual(got, []bool{true, true, false}) {
			t.Errorf("first Add = %v, want [true true false]", got)
		}
		if got := stateMustAdd(t, s, b, c, c); !reflect.DeepEqual(got, []bool{false, true, false}) {
			t.Errorf("second Add = %v, want [false true false]", got)
		}
		if got := stateMustAdd(t, s); len(got) != 0 {
			t.Errorf("empty Add = %v", got)
		}
		if c := stateMustCounts(t, s); c.Seen != 3 || c.PagesPending != 2 || c.ImagesPending != 1 {
			t.Errorf("counts = %+v, want 3 seen, 2 pages and 1 image pending", c)
		}
		stateWantURLs(t, "Take", stateMustTake(t, s, 10, now), "http://h/a", "http://h/b", "http://h/c.png")
	})

	t.Run("take is breadth first", func(t *testing.T) {
		s := open(t)
		stateMustAdd(t, s, statePage("http://h/d2", 2), statePage("http://h/p1", 1), stateImage("http://h/i2.png", 2), statePage("http://h/q1", 1))
		first := stateMustTake(t, s, 10, now)
		stateWantURLs(t, "first Take (depth-1 pages and images)", first, "http://h/p1", "http://h/q1", "http://h/i2.png")
		stateWantURLs(t, "Take while depth-1 pages are out", stateMustTake(t, s, 10, now))
		stateMustDone(t, s, first[0], Outcome{Status: "page"})
		stateWantURLs(t, "Take while one depth-1 page is out", stateMustTake(t, s, 10, now))
		stateMustDone(t, s, first[1], Outcome{Status: "page"})
		stateWantURLs(t, "Take after depth 1", stateMustTake(t, s, 10, now), "http://h/d2")
	})

	t.Run("take splits max between pages and images", func(t *testing.T) {
		s := open(t)
		stateMustAdd(t, s, statePage("http://h/p1", 0), statePage("http://h/p2", 0), statePage("http://h/p3", 0),
			stateImage("http://h/1.png", 0), stateImage("http://h/2.png", 0))
		stateWantURLs(t, "Take(2)", stateMustTake(t, s, 2, now), "http://h/p1", "http://h/1.png")
		stateWantURLs(t, "Take(0)", stateMustTake(t, s, 0, now))
	})

	t.Run("delayed items are not due and do not hold pages back", func(t *testing.T) {
		s := open(t)
		later := statePage("http://h/later", 1)
		later.NotBefore = now.Add(time.Hour)
		stateMustAdd(t, s, later, statePage("http://h/deep", 3))
		stateWantURLs(t, "Take now", stateMustTake(t, s, 10, now), "http://h/deep")
		got := stateMustTake(t, s, 10, now.Add(2*time.Hour))
		stateWantURLs(t, "Take when due", got, "http://h/later")
		if len(got) == 1 && !got[0].NotBefore.Equal(later.NotBefore) {
			t.Errorf("NotBefore = %v, want %v", got[0].NotBefore, later.NotBefore)
		}
	})

	t.Run("requeue waits for not before", func(t *testing.T) {
		s := open(t)
		stateMustAdd(t, s, statePage("http://h/a", 0))
		it := stateMustTake(t, s, 1, now)[0]
		it.Attempt++
		it.NotBefore = now.Add(time.Minute)
		if err := s.Requeue(ctx, it); err != nil {
			t.Fatal(err)
		}
		stateWantURLs(t, "Take before not-before", stateMustTake(t, s, 10, now))
		if c := stateMustCounts(t, s); c.PagesPending != 1 {
			t.Errorf("PagesPending = %d while waiting, want 1", c.PagesPending)
		}
		got := stateMustTake(t, s, 10, now.Add(2*time.Minute))
		stateWantURLs(t, "Take after not-before", got, "http://h/a")
		if len(got) == 1 && got[0].Attempt != 1 {
			t.Errorf("Attempt = %d, want 1", got[0].Attempt)
		}
		other := statePage("http://h/never-taken", 0)
		if err := s.Requeue(ctx, other); err != nil {
			t.Fatal(err)
		}
		stateWantURLs(t, "Take after requeue of an item not handed out", stateMustTake(t, s, 10, now.Add(time.Hour)))
	})

	t.Run("done removes from pending", func(t *testing.T) {
		s := open(t)
		p, img := statePage("http://h/a", 0), stateImage("http://h/a.png", 0)
		stateMustAdd(t, s, p, img)
		stateMustDone(t, s, p, Outcome{Status: "page"}) // not handed out: ignored
		if c := stateMustCounts(t, s); c.PagesDone != 0 || c.PagesPending != 1 {
			t.Errorf("after Done of an item not handed out: %+v", c)
		}
		for _, it := range stateMustTake(t, s, 10, now) {
			stateMustDone(t, s, it, Outcome{Status: "saved", Bytes: 5})
			stateMustDone(t, s, it, Outcome{Status: "saved", Bytes: 5}) // twice: counted once
			if err := s.Requeue(ctx, it); err != nil {
				t.Fatal(err)
			}
		}
		want := Counts{PagesDone: 1, Saved: 1, Bytes: 5, Seen: 2}
		if c := stateMustCounts(t, s); c != want {
			t.Errorf("counts = %+v, want %+v", c, want)
		}
		stateWantURLs(t, "Take after Done", stateMustTake(t, s, 10, now.Add(time.Hour)))
		if got := stateMustAdd(t, s, p); got[0] {
			t.Error("an acknowledged item was added again")
		}
	})

	t.Run("claim content first wins", func(t *testing.T) {
		s := open(t)
		sum, other := sha256.Sum256([]byte("x")), sha256.Sum256([]byte("y"))
		for _, tc := range []struct {
			sum       [32]byte
			path      string
			wantOwner string
			wantFirst bool
		}{
			{sum, "a.png", "a.png", true},
			{sum, "b.png", "a.png", false},
			{other, "b.png", "b.png", true},
			{sum, "a.png", "a.png", false},
		} {
			owner, first, err := s.ClaimContent(ctx, tc.sum, tc.path)
			if err != nil || owner != tc.wantOwner || first != tc.wantFirst {
				t.Errorf("ClaimContent(%x, %s) = %q, %v, %v; want %q, %v", tc.sum[:4], tc.path, owner, first, err, tc.wantOwner, tc.wantFirst)
			}
		}
	})

	t.Run("counts", func(t *testing.T) {
		s := open(t)
		outs := map[string]Outcome{
			"http://h/1.png": {Status: "saved", Bytes: 100},
			"http://h/2.png": {Status: "saved", Bytes: 20},
			"http://h/3.png": {Status: "duplicate", Bytes: 20},
			"http://h/4.png": {Status: "skipped"},
			"http://h/5.png": {Status: "failed", Error: "boom"},
		}
		for u := range outs {
			stateMustAdd(t, s, stateImage(u, 1))
		}
		stateMustAdd(t, s, statePage("http://h/p", 1), statePage("http://h/q", 1), stateImage("http://h/6.png", 1))
		for _, it := range stateMustTake(t, s, 20, now) {
			if out, ok := outs[it.URL]; ok {
				stateMustDone(t, s, it, out)
			} else if it.URL == "http://h/p" {
				stateMustDone(t, s, it, Outcome{Status: "page"})
			}
		}
		want := Counts{PagesDone: 1, PagesPending: 1, ImagesPending: 1, Saved: 2, Duplicates: 1, Skipped: 1, Failed: 1, Bytes: 120, Seen: 8}
		if c := stateMustCounts(t, s); c != want {
			t.Errorf("counts = %+v, want %+v", c, want)
		}
	})

	t.Run("meta", func(t *testing.T) {
		s := open(t)
		if m, ok, err := s.LoadMeta(ctx); err != nil || ok || len(m) != 0 {
			t.Errorf("LoadMeta of a new state = %q, %v, %v", m, ok, err)
		}
		for _, want := range []string{`{"seeds":["http://h/"]}`, `{"v":2}`} {
			if err := s.SaveMeta(ctx, []byte(want)); err != nil {
				t.Fatal(err)
			}
			if m, ok, err := s.LoadMeta(ctx); err != nil || !ok || string(m) != want {
				t.Errorf("LoadMeta = %q, %v, %v; want %q", m, ok, err, want)
			}
		}
	})

	t.Run("concurrent add adds each key once", func(t *testing.T) {
		s := open(t)
		const workers, keys = 8, 2000
		counts := make([][]int, workers)
		var wg sync.WaitGroup
		for w := range workers {
			counts[w] = make([]int, keys)
			wg.Go(func() {
				// Each worker adds every key, in its own order and batch size.
				batch := 1 + w*3
				for start := 0; start < keys; start += batch {
					var items []Item
					for i := start; i < min(start+batch, keys); i++ {
						k := (i + w*251) % keys
						items = append(items, stateImage(fmt.Sprintf("http://h/%d.png", k), 0))
					}
					added, err := s.Add(ctx, items)
					if err != nil {
						t.Error(err)
						return
					}
					for i, ok := range added {
						if ok {
							counts[w][(start+i+w*251)%keys]++
						}
					}
				}
			})
		}
		wg.Wait()
		for k := range keys {
			n := 0
			for w := range workers {
				n += counts[w][k]
			}
			if n != 1 {
				t.Errorf("key %d added %d times", k, n)
			}
		}
		if c := stateMustCounts(t, s); c.Seen != keys || c.ImagesPending != keys {
			t.Errorf("counts = %+v, want %d seen and pending", c, keys)
		}
	})

	t.Run("closed", func(t *testing.T) {
		s := open(t)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Add(ctx, []Item{statePage("http://h/a", 0)}); !errors.Is(err, ErrClosed) {
			t.Errorf("Add after Close: %v, want ErrClosed", err)
		}
		if _, err := s.Take(ctx, 1, now); !errors.Is(err, ErrClosed) {
			t.Errorf("Take after Close: %v, want ErrClosed", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}
