package redisstate

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store"
)

// TestConformance checks that the Redis state behaves like store.Memory in
// everything the store.State contract says.
func TestConformance(t *testing.T) {
	addr := rsServer(t)
	ctx := context.Background()
	now := rsFixedNow
	open := func(t *testing.T) *State { return rsOpen(t, addr, Options{}) }

	t.Run("add dedupes within and across calls", func(t *testing.T) {
		s := open(t)
		a, b, c := rsPage("http://h/a", 0), rsPage("http://h/b", 0), rsImage("http://h/c.png", 0)
		if got := rsAdd(t, s, a, b, a); !reflect.DeepEqual(got, []bool{true, true, false}) {
			t.Errorf("first Add = %v, want [true true false]", got)
		}
		if got := rsAdd(t, s, b, c, c); !reflect.DeepEqual(got, []bool{false, true, false}) {
			t.Errorf("second Add = %v, want [false true false]", got)
		}
		if got := rsAdd(t, s); len(got) != 0 {
			t.Errorf("empty Add = %v", got)
		}
		if c := rsCounts(t, s); c.Seen != 3 || c.PagesPending != 2 || c.ImagesPending != 1 {
			t.Errorf("counts = %+v, want 3 seen, 2 pages and 1 image pending", c)
		}
		rsWant(t, "Take", rsTake(t, s, 10, now), "http://h/a", "http://h/b", "http://h/c.png")
	})

	t.Run("add keeps every field", func(t *testing.T) {
		s := open(t)
		in := store.Item{Key: store.KeyOf("http://h/x.png"), URL: "http://h/x.png", Kind: store.KindImage,
			Depth: 3, Page: "http://h/p", Origin: "http://h/old.png", Hops: 2, Attempt: 1}
		rsAdd(t, s, in)
		got := rsTake(t, s, 1, now)
		if len(got) != 1 || !reflect.DeepEqual(got[0], in) {
			t.Errorf("Take = %+v, want %+v", got, in)
		}
	})

	t.Run("add batches longer than one script", func(t *testing.T) {
		s := open(t)
		var items []store.Item
		for i := range addBatch*2 + 3 {
			items = append(items, rsImage(fmt.Sprintf("http://h/%d.png", i%(addBatch+7)), 0))
		}
		added := rsAdd(t, s, items...)
		for i, ok := range added {
			if want := i < addBatch+7; ok != want {
				t.Fatalf("added[%d] = %v, want %v", i, ok, want)
			}
		}
		if c := rsCounts(t, s); c.Seen != addBatch+7 {
			t.Errorf("Seen = %d, want %d", c.Seen, addBatch+7)
		}
	})

	t.Run("take is breadth first", func(t *testing.T) {
		s := open(t)
		rsAdd(t, s, rsPage("http://h/d2", 2), rsPage("http://h/p1", 1), rsImage("http://h/i2.png", 2), rsPage("http://h/q1", 1))
		first := rsTake(t, s, 10, now)
		rsWant(t, "first Take (depth-1 pages and images)", first, "http://h/p1", "http://h/q1", "http://h/i2.png")
		rsWant(t, "Take while depth-1 pages are out", rsTake(t, s, 10, now))
		rsDone(t, s, first[0], store.Outcome{Status: "page"})
		rsWant(t, "Take while one depth-1 page is out", rsTake(t, s, 10, now))
		rsDone(t, s, first[1], store.Outcome{Status: "page"})
		rsWant(t, "Take after depth 1", rsTake(t, s, 10, now), "http://h/d2")
	})

	t.Run("take splits max between pages and images", func(t *testing.T) {
		s := open(t)
		rsAdd(t, s, rsPage("http://h/p1", 0), rsPage("http://h/p2", 0), rsPage("http://h/p3", 0),
			rsImage("http://h/1.png", 0), rsImage("http://h/2.png", 0))
		rsWant(t, "Take(2)", rsTake(t, s, 2, now), "http://h/p1", "http://h/1.png")
		rsWant(t, "Take(0)", rsTake(t, s, 0, now))
		rsWant(t, "Take(3): two pages, then the image", rsTake(t, s, 3, now), "http://h/p2", "http://h/p3", "http://h/2.png")
	})

	t.Run("delayed items are not due and do not hold pages back", func(t *testing.T) {
		s := open(t)
		later := rsPage("http://h/later", 1)
		later.NotBefore = now.Add(time.Hour)
		rsAdd(t, s, later, rsPage("http://h/deep", 3))
		rsWant(t, "Take now", rsTake(t, s, 10, now), "http://h/deep")
		got := rsTake(t, s, 10, now.Add(2*time.Hour))
		rsWant(t, "Take when due", got, "http://h/later")
		if len(got) == 1 && !got[0].NotBefore.Equal(later.NotBefore) {
			t.Errorf("NotBefore = %v, want %v", got[0].NotBefore, later.NotBefore)
		}
	})

	t.Run("requeue waits for not before", func(t *testing.T) {
		s := open(t)
		rsAdd(t, s, rsPage("http://h/a", 0))
		it := rsTake(t, s, 1, now)[0]
		it.Attempt++
		it.NotBefore = now.Add(time.Minute)
		if err := s.Requeue(ctx, it); err != nil {
			t.Fatal(err)
		}
		rsWant(t, "Take before not-before", rsTake(t, s, 10, now))
		if c := rsCounts(t, s); c.PagesPending != 1 {
			t.Errorf("PagesPending = %d while waiting, want 1", c.PagesPending)
		}
		got := rsTake(t, s, 10, now.Add(2*time.Minute))
		rsWant(t, "Take after not-before", got, "http://h/a")
		if len(got) == 1 && got[0].Attempt != 1 {
			t.Errorf("Attempt = %d, want 1", got[0].Attempt)
		}
		if err := s.Requeue(ctx, rsPage("http://h/never-taken", 0)); err != nil {
			t.Fatal(err)
		}
		rsWant(t, "Take after requeue of an item not handed out", rsTake(t, s, 10, now.Add(time.Hour)))
	})

	t.Run("requeue without not before is due at once", func(t *testing.T) {
		s := open(t)
		rsAdd(t, s, rsPage("http://h/a", 0), rsPage("http://h/b", 0))
		it := rsTake(t, s, 1, now)[0]
		if err := s.Requeue(ctx, it); err != nil {
			t.Fatal(err)
		}
		rsWant(t, "Take", rsTake(t, s, 10, now), "http://h/b", "http://h/a")
	})

	t.Run("done removes from pending", func(t *testing.T) {
		s := open(t)
		p, img := rsPage("http://h/a", 0), rsImage("http://h/a.png", 0)
		rsAdd(t, s, p, img)
		rsDone(t, s, p, store.Outcome{Status: "page"}) // not handed out: ignored
		if c := rsCounts(t, s); c.PagesDone != 0 || c.PagesPending != 1 {
			t.Errorf("after Done of an item not handed out: %+v", c)
		}
		for _, it := range rsTake(t, s, 10, now) {
			rsDone(t, s, it, store.Outcome{Status: "saved", Bytes: 5})
			rsDone(t, s, it, store.Outcome{Status: "saved", Bytes: 5}) // twice: counted once
			if err := s.Requeue(ctx, it); err != nil {
				t.Fatal(err)
			}
		}
		want := store.Counts{PagesDone: 1, Saved: 1, Bytes: 5, Seen: 2}
		if c := rsCounts(t, s); c != want {
			t.Errorf("counts = %+v, want %+v", c, want)
		}
		rsWant(t, "Take after Done", rsTake(t, s, 10, now.Add(time.Hour)))
		if got := rsAdd(t, s, p); got[0] {
			t.Error("an acknowledged item was added again")
		}
	})

	t.Run("claim content first wins across workers", func(t *testing.T) {
		a := open(t)
		b := rsOpen(t, addr, Options{Job: a.Job()})
		sum, other := sha256.Sum256([]byte("x")), sha256.Sum256([]byte("y"))
		for _, tc := range []struct {
			s         *State
			sum       [32]byte
			path      string
			wantOwner string
			wantFirst bool
		}{
			{a, sum, "a.png", "a.png", true},
			{b, sum, "b.png", "a.png", false},
			{b, other, "b.png", "b.png", true},
			{a, sum, "a.png", "a.png", false},
		} {
			owner, first, err := tc.s.ClaimContent(ctx, tc.sum, tc.path)
			if err != nil || owner != tc.wantOwner || first != tc.wantFirst {
				t.Errorf("ClaimContent(%x, %s) = %q, %v, %v; want %q, %v", tc.sum[:4], tc.path, owner, first, err, tc.wantOwner, tc.wantFirst)
			}
		}
	})

	t.Run("counts", func(t *testing.T) {
		s := open(t)
		outs := map[string]store.Outcome{
			"http://h/1.png": {Status: "saved", Bytes: 100},
			"http://h/2.png": {Status: "saved", Bytes: 20},
			"http://h/3.png": {Status: "duplicate", Bytes: 20},
			"http://h/4.png": {Status: "skipped"},
			"http://h/5.png": {Status: "failed", Error: "boom"},
		}
		for u := range outs {
			rsAdd(t, s, rsImage(u, 1))
		}
		rsAdd(t, s, rsPage("http://h/p", 1), rsPage("http://h/q", 1), rsImage("http://h/6.png", 1))
		for _, it := range rsTake(t, s, 20, now) {
			if out, ok := outs[it.URL]; ok {
				rsDone(t, s, it, out)
			} else if it.URL == "http://h/p" {
				rsDone(t, s, it, store.Outcome{Status: "page"})
			}
		}
		want := store.Counts{PagesDone: 1, PagesPending: 1, ImagesPending: 1, Saved: 2, Duplicates: 1, Skipped: 1, Failed: 1, Bytes: 120, Seen: 8}
		if c := rsCounts(t, s); c != want {
			t.Errorf("counts = %+v, want %+v", c, want)
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
					var items []store.Item
					for i := start; i < min(start+batch, keys); i++ {
						items = append(items, rsImage(fmt.Sprintf("http://h/%d.png", (i+g*97)%keys), 0))
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
		if c := rsCounts(t, a); c.Seen != keys || c.ImagesPending != keys {
			t.Errorf("counts = %+v, want %d seen and pending", c, keys)
		}
	})

	t.Run("closed", func(t *testing.T) {
		s := open(t)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Add(ctx, []store.Item{rsPage("http://h/a", 0)}); !errors.Is(err, store.ErrClosed) {
			t.Errorf("Add after Close: %v, want ErrClosed", err)
		}
		if _, err := s.Take(ctx, 1, now); !errors.Is(err, store.ErrClosed) {
			t.Errorf("Take after Close: %v, want ErrClosed", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}
