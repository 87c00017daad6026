package redis

import (
	"context"
	"crypto/sha256"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/imgcrawl/imgcrawl/store/state"
	"github.com/imgcrawl/imgcrawl/store/state/statetest"
)

// TestConformance runs the state.State conformance suite on Redis (the
// first writer's settings win: they are the job's), then what only a
// shared state has: several workers on one job.
func TestConformance(t *testing.T) {
	addr := rsServer(t)
	ctx := context.Background()
	now := rsFixedNow
	open := func(t *testing.T) *State { return rsOpen(t, addr, Options{}) }
	statetest.Run(t, func(t *testing.T) state.State { return open(t) }, statetest.Options{MetaFirstWriterWins: true})

	t.Run("add keeps every field", func(t *testing.T) {
		s := open(t)
		in := state.Item{Key: state.KeyOf("http://h/x.png"), URL: "http://h/x.png", Kind: state.KindImage,
			Depth: 3, Page: "http://h/p", Origin: "http://h/old.png", Hops: 2, Attempt: 1}
		statetest.MustAdd(t, s, in)
		got := statetest.MustTake(t, s, 1, now)
		if len(got) != 1 || !reflect.DeepEqual(got[0], in) {
			t.Errorf("Take = %+v, want %+v", got, in)
		}
	})

	t.Run("add batches longer than one script", func(t *testing.T) {
		s := open(t)
		var items []state.Item
		for i := range addBatch*2 + 3 {
			items = append(items, statetest.Image(fmt.Sprintf("http://h/%d.png", i%(addBatch+7)), 0))
		}
		added := statetest.MustAdd(t, s, items...)
		for i, ok := range added {
			if want := i < addBatch+7; ok != want {
				t.Fatalf("added[%d] = %v, want %v", i, ok, want)
			}
		}
		if c := statetest.MustCounts(t, s); c.Seen != addBatch+7 {
			t.Errorf("Seen = %d, want %d", c.Seen, addBatch+7)
		}
	})

	t.Run("claim content first wins across workers", func(t *testing.T) {
		a := open(t)
		b := rsOpen(t, addr, Options{Job: a.Job()})
		sum, other := sha256.Sum256([]byte("x")), sha256.Sum256([]byte("y"))
		for _, tc := range []struct {
			s         *State
			sum       [32]byte
			path, by  string
			wantOwner string
			wantFirst bool
		}{
			{a, sum, "a.png", "http://h/1", "a.png", true},
			{b, sum, "b.png", "http://h/2", "a.png", false},
			{b, other, "b.png", "http://h/2", "b.png", true},
			{a, sum, "a.png", "http://h/3", "a.png", false},
			{b, sum, "a.png", "http://h/1", "a.png", true}, // the claiming item, redone by another worker
		} {
			owner, first, err := tc.s.ClaimContent(ctx, tc.sum, tc.path, state.KeyOf(tc.by))
			if err != nil || owner != tc.wantOwner || first != tc.wantFirst {
				t.Errorf("ClaimContent(%x, %s) = %q, %v, %v; want %q, %v", tc.sum[:4], tc.path, owner, first, err, tc.wantOwner, tc.wantFirst)
			}
		}
	})

	t.Run("meta first writer wins", func(t *testing.T) {
		a := open(t)
		b := rsOpen(t, addr, Options{Job: a.Job()})
		if m, ok, err := a.LoadMeta(ctx); err != nil || ok || len(m) != 0 {
			t.Errorf("LoadMeta of a new job = %q, %v, %v", m, ok, err)
		}
		first := `{"seeds":["http://h/"]}`
		for _, tc := range []struct {
			name    string
			s       *State
			meta    string
			wantErr bool
		}{
			{"first save", a, first, false},
			{"same settings from another worker", b, first, false},
			{"other settings", b, `{"seeds":["http://other/"]}`, true},
		} {
			err := tc.s.SaveMeta(ctx, []byte(tc.meta))
			if (err != nil) != tc.wantErr {
				t.Errorf("%s: SaveMeta = %v, want error %v", tc.name, err, tc.wantErr)
			}
			for _, s := range []*State{a, b} {
				if m, ok, err := s.LoadMeta(ctx); err != nil || !ok || string(m) != first {
					t.Errorf("%s: LoadMeta = %q, %v, %v; want %q", tc.name, m, ok, err, first)
				}
			}
		}
	})

	t.Run("concurrent add by two workers adds each key once", func(t *testing.T) {
		a := open(t)
		workers := []*State{a, rsOpen(t, addr, Options{Job: a.Job()})}
		const goroutines, keys = 6, 1500
		counts := make([][]int, goroutines)
		var wg sync.WaitGroup
		for g := range goroutines {
			counts[g] = make([]int, keys)
			s := workers[g%len(workers)]
			wg.Go(func() {
				batch := 1 + g*5
				for start := 0; start < keys; start += batch {
					var items []state.Item
					for i := start; i < min(start+batch, keys); i++ {
						items = append(items, statetest.Image(fmt.Sprintf("http://h/%d.png", (i+g*97)%keys), 0))
					}
					added, err := s.Add(ctx, items)
					if err != nil {
						t.Error(err)
						return
					}
					for i, ok := range added {
						if ok {
							counts[g][(start+i+g*97)%keys]++
						}
					}
				}
			})
		}
		wg.Wait()
		for k := range keys {
			n := 0
			for g := range goroutines {
				n += counts[g][k]
			}
			if n != 1 {
				t.Errorf("key %d added %d times", k, n)
			}
		}
		if c := statetest.MustCounts(t, a); c.Seen != keys || c.ImagesPending != keys {
			t.Errorf("counts = %+v, want %d seen and pending", c, keys)
		}
	})

}
