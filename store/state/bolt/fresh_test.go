package bolt

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state/statetest"

	"github.com/imgcrawl/imgcrawl/store/state"

	"go.etcd.io/bbolt"
)

// A commit applies its batch without the replay's lookups (txWriter.fresh)
// and skips queue records put and removed within the batch. The file it
// leaves must be exactly the one a replay of the same journal gives: after
// random calls, the state file and journal are copied before each commit,
// the copy is opened (which replays the journal with every check), and the
// two files' buckets are compared.
func TestBoltFreshCommitMatchesReplay(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "live", "state.db")
	a, err := Open(path, Options{CommitInterval: time.Hour, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rng := rand.New(rand.NewPCG(7, 11))
	var leased []state.Item
	item := func() state.Item {
		u := fmt.Sprintf("http://h/%d", rng.IntN(2000)) // repeats happen
		if rng.IntN(2) == 0 {
			return statetest.Page(u, rng.IntN(4))
		}
		return statetest.Image(u+".png", rng.IntN(4))
	}
	for round := range 10 {
		for range 400 {
			switch rng.IntN(7) {
			case 0, 1:
				items := make([]state.Item, 1+rng.IntN(3))
				for i := range items {
					items[i] = item()
				}
				if _, err := a.Add(ctx, items); err != nil {
					t.Fatal(err)
				}
			case 2:
				got, err := a.Take(ctx, 1+rng.IntN(3), time.Now())
				if err != nil {
					t.Fatal(err)
				}
				leased = append(leased, got...)
			case 3, 4:
				if len(leased) == 0 {
					continue
				}
				i := rng.IntN(len(leased))
				it := leased[i]
				leased = append(leased[:i], leased[i+1:]...)
				if rng.IntN(3) == 0 {
					it.Attempt++
					if err := a.Requeue(ctx, it); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := a.Done(ctx, it, state.Outcome{Status: state.Saved, Bytes: int64(rng.IntN(1e6))}); err != nil {
					t.Fatal(err)
				}
			case 5:
				var sum [32]byte
				sum[0] = byte(rng.IntN(200))
				p := fmt.Sprintf("h/%d.png", rng.IntN(1000))
				if _, _, err := a.ClaimContent(ctx, sum, p, state.KeyOf(p)); err != nil {
					t.Fatal(err)
				}
			case 6:
				if err := a.SaveMeta(ctx, []byte(fmt.Sprint("meta ", round))); err != nil {
					t.Fatal(err)
				}
			}
		}
		// The file and journal as a kill -9 now would leave them.
		cp := filepath.Join(dir, fmt.Sprint("copy", round), "state.db")
		copyFile(t, path, cp)
		copyFile(t, journalPath(path), journalPath(cp))

		if err := a.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		b, err := Open(cp, Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		var live map[string]map[string]string
		if err := a.db.View(func(tx *bbolt.Tx) error { live = dump(tx); return nil }); err != nil {
			t.Fatal(err)
		}
		db, err := bbolt.Open(cp, 0o600, &bbolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		var replayed map[string]map[string]string
		_ = db.View(func(tx *bbolt.Tx) error { replayed = dump(tx); return nil })
		db.Close()
		if len(live["queue"]) == 0 || len(live["done"]) == 0 || len(live["claims"]) == 0 {
			t.Fatalf("round %d: the calls left an empty bucket: %d queued, %d done, %d claimed",
				round, len(live["queue"]), len(live["done"]), len(live["claims"]))
		}
		for name, want := range replayed {
			if got := live[name]; !maps.Equal(got, want) {
				t.Fatalf("round %d: bucket %s after the commit has %d records, the replay %d; first difference: %s",
					round, name, len(got), len(want), firstDiff(got, want))
			}
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// dump returns every record of every bucket of tx.
func dump(tx *bbolt.Tx) map[string]map[string]string {
	out := map[string]map[string]string{}
	_ = tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
		m := map[string]string{}
		_ = b.ForEach(func(k, v []byte) error { m[string(k)] = string(v); return nil })
		out[string(name)] = m
		return nil
	})
	return out
}

func firstDiff(got, want map[string]string) string {
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			return fmt.Sprintf("key %q: commit %q, replay %q", k, g, v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			return fmt.Sprintf("key %q only after the commit (%q)", k, v)
		}
	}
	return "none"
}
